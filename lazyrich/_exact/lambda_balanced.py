"""Algorithm 1 of Dominé et al. (2025) ("Get lambda-Balanced"): a random lambda-balanced pair ``(W1, W2)``.

A Gaussian pair is drawn, its product ``W2 W1 = U S V^T`` is kept, and the
singular values are split between the layers so that
``W2^T W2 - W1 W1^T = lambda I`` holds exactly (up to round-off).
"""

from __future__ import annotations

import numpy as np

from .._base.errors import InvalidParameterError, NonFiniteError, ShapeError
from .._base.validation import as_rng, as_scalar, positive, positive_int
from .._numerics.random_matrices import random_orthogonal

__all__ = ["MAX_INIT_ENTRIES", "check_balance_constraints", "lambda_balanced_init", "split_singular_values"]


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


def split_singular_values(s: np.ndarray, lam: float, scale: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    r"""Layer singular values ``(s1, s2)`` with ``s1 s2 = scale^2 s`` and ``s2**2 - s1**2 = lambda``.

    .. math::
        s_2^2 = \tfrac12\big(\sqrt{\lambda^2 + 4 s^2} + \lambda\big),\qquad
        s_1^2 = \tfrac12\big(\sqrt{\lambda^2 + 4 s^2} - \lambda\big),

    the larger one as ``scale sqrt((hypot(lambda', 2 s) + |lambda'|) / 2)`` with ``lambda' = lambda / scale^2``
    and the smaller as ``scale^2 s / larger``: no cancellation at large ``|lambda|`` and no overflow or
    underflow of an intermediate (``s^2``, ``lambda^2``) for any ``lambda`` and ``scale`` whose results are
    floats (``lambda' = inf``: the larger one is ``sqrt(|lambda|)`` to within ``(scale^2 s / lambda)^2``).

    >>> s1, s2 = split_singular_values(np.array([2.0]), 3.0)
    >>> bool(np.isclose(s1[0] * s2[0], 2.0)), bool(np.isclose(s2[0]**2 - s1[0]**2, 3.0))
    (True, True)
    >>> [float(x[0]) for x in split_singular_values(np.array([1.0]), 1e300)]   # s1 = 1e-150, s2 = 1e150
    [1e-150, 1e+150]
    """
    s = np.asarray(s, dtype=float)
    with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
        lam_s = lam / scale / scale
        if np.isfinite(lam_s):
            big = scale * np.sqrt(0.5 * (np.hypot(lam_s, 2.0 * s) + abs(lam_s)))
            small = np.where(big > 0, scale * (scale * s / np.where(big > 0, big, 1.0)), 0.0)
        else:
            big = np.full_like(s, np.sqrt(abs(lam)))
            small = scale * (scale * s / big)
    sq2, sq1 = (big, small) if lam >= 0 else (small, big)
    return sq1, sq2


#: Largest number of float64 entries lambda_balanced_init allocates by default (about 400 MB over all arrays).
MAX_INIT_ENTRIES = 50_000_000


def lambda_balanced_init(
    n_in: int,
    n_hidden: int,
    n_out: int,
    lam: float,
    sigma: float = 1.0,
    seed: int | np.random.Generator | None = None,
    max_entries: int = MAX_INIT_ENTRIES,
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
        Randomness (a non-negative int, a ``numpy.random.Generator`` or None).
    max_entries : int
        Largest number of float64 entries allocated (the draws, the full SVD factors and ``R``), checked
        before any work: :data:`MAX_INIT_ENTRIES` (about 400 MB); raise it for larger nets.

    Returns
    -------
    W1 : (n_hidden, n_in) array
    W2 : (n_out, n_hidden) array

    Raises
    ------
    InvalidParameterError
        The shape and sign of lambda are incompatible (derived here from the lambda-balanced definition):
        ``lambda > 0`` needs ``n_hidden <= n_out``, ``lambda < 0`` needs
        ``n_hidden <= n_in``, and ``n_hidden >= min(n_in, n_out)``; or ``sigma <= 0``; a seed that is not
        a non-negative int, Generator or None; more than ``max_entries`` entries.
    NonFiniteError
        The weights (about ``sigma`` and ``sqrt(|lambda|)`` in size) exceed the float64 range.
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
    max_entries = positive_int(max_entries, "max_entries")
    check_balance_constraints(n_in, n_hidden, n_out, lam)
    entries = n_hidden * (n_in + n_out) + n_in * n_in + n_out * n_out + n_hidden * n_hidden + 2 * n_in * n_out
    if entries > max_entries:
        raise InvalidParameterError(
            f"lambda_balanced_init({n_in}, {n_hidden}, {n_out}) needs about {entries:.3g} float64 entries "
            f"({entries * 8 / 1e9:.3g} GB) > max_entries = {max_entries:.3g}; pass max_entries={entries} to allow it"
        )
    rng = as_rng(seed)
    # unit draws: W2g W1g = sigma^2 G2 G1, so the SVD never sees sigma (no overflow at any sigma)
    G1 = rng.standard_normal((n_hidden, n_in))
    G2 = rng.standard_normal((n_out, n_hidden))
    U, s, Vt = np.linalg.svd(G2 @ G1, full_matrices=True)
    m = min(n_in, n_out)
    s1, s2 = split_singular_values(s[:m], lam, scale=sigma)
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
    W1, W2 = R @ S1 @ Vt, U @ S2 @ R.T
    if not (np.all(np.isfinite(W1)) and np.all(np.isfinite(W2))):
        raise NonFiniteError(
            f"lambda-balanced weights for sigma = {sigma:.3g}, lambda = {lam:.3g} exceed the float64 range; "
            "use a smaller sigma or |lambda| (the dynamics are invariant under rescaling weights and time)"
        )
    return W1, W2
