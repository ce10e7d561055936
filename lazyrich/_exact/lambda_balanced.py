"""Algorithm 1 of Dominé et al. (2025) ("Get lambda-Balanced"): a random lambda-balanced pair ``(W1, W2)``.

A Gaussian pair is drawn, its product ``W2 W1 = U S V^T`` is kept, and the
singular values are split between the layers so that
``W2^T W2 - W1 W1^T = lambda I`` holds exactly (up to round-off).
"""

from __future__ import annotations

import numpy as np

from .._base.errors import InvalidParameterError, ShapeError
from .._base.validation import as_scalar, positive, positive_int
from .._numerics.random_matrices import random_orthogonal

__all__ = ["check_balance_constraints", "lambda_balanced_init", "split_singular_values"]


def check_balance_constraints(n_in: int, n_hidden: int, n_out: int, lam: float) -> None:
    """Raise :class:`InvalidParameterError` if no lambda-balanced pair of this shape exists.

    The constraints (derived here from the lambda-balanced definition of Dominé et al. (2025), and their Algorithm 1): ``W2^T W2`` and ``W1 W1^T`` commute,
    so ``lambda > 0`` needs ``n_hidden <= n_out`` and ``lambda < 0`` needs
    ``n_hidden <= n_in``; Algorithm 1 also needs no bottleneck,
    ``n_hidden >= min(n_in, n_out)``.
    """
    m = min(n_in, n_out)
    if n_hidden < m:
        raise InvalidParameterError(
            f"bottleneck: n_hidden = {n_hidden} < min(n_in, n_out) = {m}; Algorithm 1 of Dominé et al. (2025) needs "
            "n_hidden >= min(n_in, n_out)"
        )
    if lam > 0 and n_hidden > n_out:
        raise InvalidParameterError(
            f"lambda = {lam} > 0 needs n_hidden <= n_out (W2^T W2 = W1 W1^T + lambda I has rank n_hidden <= n_out); "
            f"got n_hidden = {n_hidden}, n_out = {n_out}. Use lambda <= 0 or a narrower hidden layer"
        )
    if lam < 0 and n_hidden > n_in:
        raise InvalidParameterError(
            f"lambda = {lam} < 0 needs n_hidden <= n_in (W1 W1^T = W2^T W2 - lambda I has rank n_hidden <= n_in); "
            f"got n_hidden = {n_hidden}, n_in = {n_in}. Use lambda >= 0 or a narrower hidden layer"
        )


def split_singular_values(s: np.ndarray, lam: float) -> tuple[np.ndarray, np.ndarray]:
    r"""Layer singular values ``(s1, s2)`` with ``s1 s2 = s`` and ``s2**2 - s1**2 = lambda``.

    .. math::
        s_2^2 = \tfrac12\big(\sqrt{\lambda^2 + 4 s^2} + \lambda\big),\qquad
        s_1^2 = \tfrac12\big(\sqrt{\lambda^2 + 4 s^2} - \lambda\big),

    the smaller of the two computed as ``s**2 / larger`` (no cancellation at large ``|lambda|``).

    >>> s1, s2 = split_singular_values(np.array([2.0]), 3.0)
    >>> bool(np.isclose(s1[0] * s2[0], 2.0)), bool(np.isclose(s2[0]**2 - s1[0]**2, 3.0))
    (True, True)
    """
    s = np.asarray(s, dtype=float)
    root = np.sqrt(lam * lam + 4.0 * s * s)
    big = 0.5 * (root + abs(lam))
    with np.errstate(invalid="ignore", divide="ignore"):
        small = np.where(big > 0, s * s / np.where(big > 0, big, 1.0), 0.0)
    sq2, sq1 = (big, small) if lam >= 0 else (small, big)
    return np.sqrt(sq1), np.sqrt(sq2)


def lambda_balanced_init(
    n_in: int,
    n_hidden: int,
    n_out: int,
    lam: float,
    sigma: float = 1.0,
    seed: int | np.random.Generator | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    r"""Random lambda-balanced weights (Dominé et al. (2025), Algorithm 1, "Get lambda-Balanced").

    Draws ``W1 ~ N(0, sigma^2)`` (``n_hidden x n_in``) and ``W2 ~ N(0, sigma^2)``
    (``n_out x n_hidden``), takes the full SVD ``W2 W1 = U S V^T`` and a Haar
    orthogonal ``R``, and returns ``W1 = R S_1 V^T``, ``W2 = U S_2 R^T`` with

    .. math::
        S_2^TS_2 - S_1S_1^T = \lambda I_{N_h},\qquad S_2 S_1 = S,

    so that :math:`W_2^TW_2 - W_1W_1^T = \lambda I` and, for ``n_hidden = min(n_in, n_out)``,
    the Gaussian product ``W2 W1`` is preserved (lambda sets the relative scale,
    ``sigma`` the absolute one). Extra hidden units (``n_hidden > min``) get the
    singular value ``sqrt(|lambda|)`` on the wider side.

    Parameters
    ----------
    n_in, n_hidden, n_out : int
        Layer widths ``N_i, N_h, N_o``.
    lam : float
        The balance ``lambda``; any real for ``n_hidden = min(n_in, n_out)``.
    sigma : float
        Standard deviation of the Gaussian draw (absolute scale).
    seed : int, Generator or None
        Randomness.

    Returns
    -------
    W1 : (n_hidden, n_in) array
    W2 : (n_out, n_hidden) array

    Raises
    ------
    InvalidParameterError
        The shape and sign of lambda are incompatible (derived here from the lambda-balanced definition):
        ``lambda > 0`` needs ``n_hidden <= n_out``, ``lambda < 0`` needs
        ``n_hidden <= n_in``, and ``n_hidden >= min(n_in, n_out)``; or ``sigma <= 0``.
    ShapeError, NonFiniteError
        Non-integer widths, non-finite ``lam``.

    Examples
    --------
    >>> W1, W2 = lambda_balanced_init(3, 2, 2, lam=-1.5, seed=0)
    >>> bool(np.allclose(W2.T @ W2 - W1 @ W1.T, -1.5 * np.eye(2)))
    True
    """
    n_in = positive_int(n_in, "n_in", error=ShapeError)
    n_hidden = positive_int(n_hidden, "n_hidden", error=ShapeError)
    n_out = positive_int(n_out, "n_out", error=ShapeError)
    lam = as_scalar(lam, "lam")
    sigma = positive(sigma, "sigma")
    check_balance_constraints(n_in, n_hidden, n_out, lam)
    rng = np.random.default_rng(seed)
    W1g = sigma * rng.standard_normal((n_hidden, n_in))
    W2g = sigma * rng.standard_normal((n_out, n_hidden))
    U, s, Vt = np.linalg.svd(W2g @ W1g, full_matrices=True)
    m = min(n_in, n_out)
    s1, s2 = split_singular_values(s[:m], lam)
    S1 = np.zeros((n_hidden, n_in))
    S2 = np.zeros((n_out, n_hidden))
    S1[np.arange(m), np.arange(m)] = s1
    S2[np.arange(m), np.arange(m)] = s2
    # extra hidden units: d^2 - c^2 = lambda with only the wider side non-zero
    for j in range(m, n_hidden):
        if j < n_out and lam > 0:
            S2[j, j] = np.sqrt(lam)
        if j < n_in and lam < 0:
            S1[j, j] = np.sqrt(-lam)
    R = random_orthogonal(n_hidden, rng)
    return R @ S1 @ Vt, U @ S2 @ R.T
