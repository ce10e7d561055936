"""Gaussian initialisation of a two-layer linear network, at any width, in O(d^3).

Gradient descent and gradient flow on ``C(W2 W1)`` are equivariant under the
hidden-space rotations ``(W1, W2) -> (Q W1, W2 Q^T)``, so every quantity the
training can see (``A = W2 W1``, ``W1^T W1``, ``W2 W2^T`` and their whole
trajectories) is a function of the Gram matrix of ``M = [W1, W2^T]``. For
i.i.d. ``N(0, sigma2)`` entries that Gram matrix is ``Wishart(width, sigma2 I)``,
which the Bartlett decomposition samples directly (the initialisation of Tu, Aranguri and
Jacot (2024), Fig. 2; the width-independent reduction of issue 5).
"""

from __future__ import annotations

import numpy as np

from .._base.errors import InvalidParameterError, ShapeError
from .._base.validation import MAX_ENTRIES, as_flag, as_rng, check_work, positive, positive_int

__all__ = ["bartlett_factor", "gaussian_init"]


def _dimension(x, name: str) -> int:
    return positive_int(x, name, error=ShapeError)


def bartlett_factor(n: int, dof: int, rng: np.random.Generator, *, max_entries: int = MAX_ENTRIES) -> np.ndarray:
    r"""Upper-triangular ``R`` (``n x n``) with ``R^T R ~ Wishart_n(dof, I)``.

    Bartlett decomposition: ``R^T = L`` lower triangular with
    :math:`L_{ii}^2 \sim \chi^2_{\mathrm{dof}-i}` (``i = 0..n-1``) and
    :math:`L_{ij} \sim N(0, 1)` below the diagonal, all independent. ``R`` is the
    Cholesky factor (transposed) of the Gram matrix of a ``dof x n`` standard
    Gaussian matrix, sampled without forming it. ``n * n`` above ``max_entries`` (10^8 by
    default) is refused before sampling.

    >>> R = bartlett_factor(3, 10, np.random.default_rng(0))
    >>> bool(np.allclose(R, np.triu(R))) and bool(np.all(np.diag(R) > 0))
    True
    """
    n = _dimension(n, "n")
    dof = _dimension(dof, "dof")
    if dof < n:
        raise InvalidParameterError(f"the Bartlett decomposition needs dof >= n; got dof = {dof} < n = {n}")
    if not isinstance(rng, np.random.Generator):
        raise InvalidParameterError(f"rng must be a numpy Generator (np.random.default_rng(seed)); got {rng!r:.60}")
    check_work(n * n, positive_int(max_entries, "max_entries"), "matrix entries (n x n factor)", "max_entries")
    diag = np.sqrt(rng.chisquare(dof - np.arange(n, dtype=float)))
    R = np.zeros((n, n))
    iu = np.triu_indices(n, k=1)
    R[iu] = rng.standard_normal(iu[0].size)
    R[np.diag_indices(n)] = diag
    return R


def gaussian_init(
    d_in: int,
    d_out: int,
    width: int,
    sigma2: float,
    seed: int | np.random.Generator | None = None,
    reduced: bool = True,
    *,
    max_entries: int = MAX_ENTRIES,
) -> tuple[np.ndarray, np.ndarray]:
    r"""I.i.d. ``N(0, sigma2)`` initialisation of ``A = W2 W1``, optionally width-independent.

    With ``reduced=False`` this returns the full matrices ``W1`` (``width x d_in``)
    and ``W2`` (``d_out x width``) with i.i.d. :math:`\mathcal N(0,\sigma^2)` entries
    (Tu et al. (2024), the setting of Fig. 2). With ``reduced=True`` and ``width >= d_in + d_out`` it returns
    ``(R[:, :d_in], R[:, d_in:]^T)`` of hidden size ``n = d_in + d_out``, where

    .. math::
        R^T R \sim \mathrm{Wishart}_n(w, \sigma^2 I) \quad\text{(Bartlett decomposition)},

    which is the exact law of ``chol([W1, W2^T]^T [W1, W2^T])^T`` for the full
    matrices. Since ``[W1, W2^T] = B R`` with ``B`` orthonormal and gradient
    descent/flow commute with hidden rotations, the reduced network has the
    same joint distribution of ``A(t)``, ``W1^T W1(t)``, ``W2 W2^T(t)`` at every
    step as the width-``w`` network: exact in distribution, at ``O(n^3)`` cost
    (no ``w x d`` matrix is ever formed). When ``width < d_in + d_out`` there is
    nothing to reduce and the full matrices are returned even if ``reduced=True``.

    Parameters
    ----------
    d_in, d_out : int
        Input and output dimensions.
    width : int
        Hidden width ``w`` of the network being modelled.
    sigma2 : float
        Variance of every entry (``sigma^2 = d^gamma_sigma2`` in the phase diagram).
    seed : int, Generator or None
        Seed of :func:`numpy.random.default_rng` (a non-negative int: deterministic), or a Generator.
    reduced : bool
        Return the width-independent equivalent (default) or the full matrices.
    max_entries : int, keyword-only
        Limit on the entries of the returned matrices (10^8 by default), checked before any
        sampling: ``width * (d_in + d_out)`` for the full matrices, ``(d_in + d_out)^2`` reduced.
        Raise it to allow larger networks.

    Returns
    -------
    W1 : (h, d_in) array
    W2 : (d_out, h) array
        ``h = d_in + d_out`` when reduced, else ``h = width``.

    Examples
    --------
    >>> W1, W2 = gaussian_init(3, 2, 10**6, 1e-6, seed=0)
    >>> W1.shape, W2.shape
    ((5, 3), (2, 5))
    >>> X = W1.T @ W1  # ~ sigma2 * width * I = I up to O(1/sqrt(width))
    >>> bool(np.allclose(X, np.eye(3), atol=0.02))
    True
    """
    d_in = _dimension(d_in, "d_in")
    d_out = _dimension(d_out, "d_out")
    width = _dimension(width, "width")
    sigma2 = positive(sigma2, "sigma2")
    reduced = as_flag(reduced, "reduced")
    limit = positive_int(max_entries, "max_entries")
    n = d_in + d_out
    full = not reduced or width < n
    check_work(width * n if full else n * n, limit, "matrix entries", "max_entries")
    rng = as_rng(seed)
    scale = np.sqrt(sigma2)
    if full:
        W1 = scale * rng.standard_normal((width, d_in))
        W2 = scale * rng.standard_normal((d_out, width))
        return W1, W2
    R = scale * bartlett_factor(n, width, rng, max_entries=limit)
    return R[:, :d_in].copy(), R[:, d_in:].T.copy()
