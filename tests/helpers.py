"""Test helpers shared by every test module: strategies and reference computations.

Inputs are well conditioned by construction: draw singular values and a seed,
build orthogonal factors by QR (:func:`lazyrich.random_orthogonal`), never filter.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from lazyrich import matrix_with_singular_values

#: A seed for numpy's generator, drawn by Hypothesis (so shrinking works on it).
seeds = st.integers(min_value=0, max_value=2**32 - 1)


@st.composite
def shapes(draw, max_dim: int = 6, n: int = 3):
    """A tuple of ``n`` dimensions in ``1..max_dim``."""
    return tuple(draw(st.integers(1, max_dim)) for _ in range(n))


@st.composite
def well_conditioned(draw, shape: tuple[int, int], smin: float = 0.3, smax: float = 2.0):
    """A ``shape`` matrix with singular values in ``[smin, smax]`` (condition <= smax/smin)."""
    k = min(shape)
    svals = draw(st.lists(st.floats(smin, smax), min_size=k, max_size=k))
    seed = draw(seeds)
    return matrix_with_singular_values(shape, svals, np.random.default_rng(seed))


@st.composite
def spd_matrices(draw, n: int, lo: float = 0.5, hi: float = 1.5):
    """A symmetric positive-definite ``n x n`` matrix with eigenvalues in ``[lo, hi]``."""
    ev = draw(st.lists(st.floats(lo, hi), min_size=n, max_size=n))
    Q = matrix_with_singular_values((n, n), np.ones(n), np.random.default_rng(draw(seeds)))
    return (Q * np.asarray(ev)) @ Q.T


def max_abs(a, b) -> float:
    """``max |a - b|`` over all entries (broadcasting)."""
    return float(np.max(np.abs(np.asarray(a, dtype=float) - np.asarray(b, dtype=float))))


def balanced_problem(
    n_in: int,
    n_hidden: int,
    n_out: int,
    lam: float,
    seed: int,
    sigma: float = 0.5,
    smin: float = 0.5,
    smax: float = 2.0,
):
    """A lambda-balanced init (Algorithm 1) and a task ``Sigma_yx`` with singular values in ``[smin, smax]``.

    Built so that ``q+`` (the paper's B) is invertible: for a square network with
    ``lambda = 0`` the sign of ``det W2 W1`` must match ``det Sigma_yx`` (Dominé et al. (2025), Thm 4.3 needs B invertible),
    so the first row of ``W2`` is negated when they differ (``W2^T W2`` is unchanged).
    """
    from lazyrich import lambda_balanced_init

    rng = np.random.default_rng(seed)
    W1, W2 = lambda_balanced_init(n_in, n_hidden, n_out, lam, sigma=sigma, seed=rng)
    syx = matrix_with_singular_values((n_out, n_in), rng.uniform(smin, smax, min(n_in, n_out)), rng)
    if n_in == n_out == n_hidden and lam == 0 and np.linalg.det(W2 @ W1) * np.linalg.det(syx) < 0:
        W2 = W2.copy()
        W2[0] = -W2[0]
    return W1, W2, syx


def qqt_of(W1, W2) -> np.ndarray:
    """``Q Q^T`` with ``Q = [W1^T; W2]``; batched over a leading axis."""
    Q = np.concatenate([np.swapaxes(W1, -1, -2), W2], axis=-2)
    return Q @ np.swapaxes(Q, -1, -2)
