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
