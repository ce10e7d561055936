"""Certified enclosures of the two-layer limit, NTK and kernel distance (lazyrich._exact.certified_two_layer).

Expected values come from independent routes: the mpmath limit of TwoLayerExact.qqt_limit (its own SVD
formula at 50 digits), exact rational arithmetic (fractions) for the NTK of float weights, mpmath for the
kernel distance, and a converged finite-time enclosure for the limit.
"""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lazyrich import (
    InvalidParameterError,
    TwoLayerExact,
    lambda_balanced_init,
    matrix_with_singular_values,
)
from lazyrich.certified import certified_kernel_distance, certified_ntk, certified_qqt, certified_qqt_limit


def _net(ni, no, lam, seed, svals):
    rng = np.random.default_rng(seed)
    syx = matrix_with_singular_values((no, ni), np.asarray(svals, dtype=float), rng)
    W1, W2 = lambda_balanced_init(ni, min(ni, no), no, lam, sigma=0.4, seed=seed)
    return TwoLayerExact(W1, W2, syx)


def _mp_limit(syx, lam, dps=50):
    """QQ^T(inf) from the mpmath SVD of the task (Dominé et al. (2025), Sec. 4), as a (n, n) object array of mpf."""
    with mpmath.workdps(dps):
        U, S, Vt = mpmath.svd_r(mpmath.matrix(syx.tolist()), full_matrices=False)
        m = len(S)
        lam = mpmath.mpf(lam)
        sl = [mpmath.sqrt(S[a] ** 2 + lam**2 / 4) for a in range(m)]
        no, ni = syx.shape
        out = np.empty((ni + no, ni + no), dtype=object)
        for i in range(ni):
            for j in range(ni):
                out[i, j] = mpmath.fsum(Vt[a, i] * (sl[a] - lam / 2) * Vt[a, j] for a in range(m))
        for i in range(no):
            for j in range(no):
                out[ni + i, ni + j] = mpmath.fsum(U[i, a] * (sl[a] + lam / 2) * U[j, a] for a in range(m))
            for j in range(ni):
                out[ni + i, j] = out[j, ni + i] = mpmath.mpf(syx[i, j])
        return out


@settings(deadline=None)
@given(
    ni=st.integers(1, 3),
    no=st.integers(1, 3),
    lam=st.floats(-3.0, 3.0, allow_nan=False),
    seed=st.integers(0, 2**16),
    gaps=st.lists(st.floats(0.2, 1.0), min_size=3, max_size=3),
)
def test_limit_contains_the_mpmath_svd_limit(ni, no, lam, seed, gaps):
    """Distinct task singular values by construction (cumulative gaps >= 0.2)."""
    m = min(ni, no)
    svals = np.cumsum(gaps)[:m][::-1] + 0.3
    syx = matrix_with_singular_values((no, ni), svals, np.random.default_rng(seed))
    enc = certified_qqt_limit(syx, lam)
    scale = float(np.abs(enc.mid).max())
    # the same exact number: the mpmath SVD formula to ~50 digits, the ball to 2^-100 relative
    assert enc.within(_mp_limit(syx, lam), bound=1e-40 * scale)
    assert float(enc.rad.max()) <= 2.0**-100 * scale


def test_limit_is_the_large_time_value_of_the_certified_trajectory():
    net = _net(3, 2, 0.5, 3, [1.5, 0.7])
    lim = certified_qqt_limit(net.sigma_yx, net.lam)
    mu_min = math.sqrt(0.7**2 + 0.5**2 / 4)
    rate = min(2 * mu_min, mu_min + 0.25)  # linearised decay (claim 9): N_i > N_o gives l_perp = -lam/2
    t = 40.0
    at_t = certified_qqt(net, [t]).take(0)
    gap = max(float(abs(a - b).upper()) for a, b in zip(at_t.balls.flat, lim.balls.flat))
    assert gap <= 100 * math.exp(-rate * t) * float(np.abs(lim.mid).max())
    assert gap > 0  # t = 40 is finite: the enclosures differ


def test_limit_rejects_a_rank_deficient_task():
    syx = np.array([[1.0, 0.0], [2.0, 0.0]])
    with pytest.raises(InvalidParameterError, match="rank deficient"):
        certified_qqt_limit(syx, 0.5)


@pytest.mark.parametrize("svals", [[1.0, 1.0], [2.0, 2.0, 0.5], [1.5, 1.5, 1.5]])
def test_limit_with_repeated_task_singular_values(svals):
    # no eigenvector of a repeated eigenvalue is continuous in the inputs, but the eigenspace of the cluster is:
    # the enclosure uses an exact orthonormal basis of it and must contain the mpmath SVD limit
    m = len(svals)
    syx = matrix_with_singular_values((m, m + 1), np.asarray(svals), np.random.default_rng(m))
    enc = certified_qqt_limit(syx, 0.5)
    scale = float(np.abs(enc.mid).max())
    # the float task has values equal to ~1e-16 (separated at high precision, ill-conditioned eigenvectors) or
    # exactly (np.eye): the radius is up to 2^-100 of the scale, the mpmath SVD formula good to ~1e-45
    assert enc.within(_mp_limit(syx, 0.5), bound=2.0**-99 * scale)
    assert float(enc.rad.max()) <= 2.0**-100 * scale
    eye = certified_qqt_limit(np.eye(2), -0.3)
    assert eye.within(_mp_limit(np.eye(2), -0.3), bound=2.0**-99)


def test_limit_rejects_bad_bits():
    with pytest.raises(InvalidParameterError, match="bits"):
        certified_qqt_limit(np.eye(2) * [2.0, 1.0], 0.5, bits=0)


def _exact_ntk(W1, W2, X):
    """J J^T of the float weights in exact rational arithmetic (entries of the parameter Jacobian, §5)."""
    no, nh = W2.shape
    ni, P = X.shape
    F = np.vectorize(Fraction, otypes=[object])
    A, B, Xf = F(W1), F(W2), F(X)
    H = A.dot(Xf)
    rows = []
    for o in range(no):
        for p in range(P):
            d1 = [B[o, h] * Xf[i, p] for h in range(nh) for i in range(ni)]
            d2 = [H[h, p] if oo == o else Fraction(0) for oo in range(no) for h in range(nh)]
            rows.append(d1 + d2)
    J = np.array(rows, dtype=object)
    return J.dot(J.T)


def test_ntk_at_zero_contains_the_exact_rational_jacobian_gram():
    W1, W2 = lambda_balanced_init(3, 2, 2, lam=0.5, sigma=0.6, seed=4)
    net = TwoLayerExact(W1, W2, np.array([[2.0, 0.0, 0.0], [0.0, 1.0, 0.0]]))
    X = np.random.default_rng(4).standard_normal((3, 3))
    K = certified_ntk(certified_qqt(net, [0.0]), 3, X).take(0)
    exact = _exact_ntk(W1, W2, X)
    flint = pytest.importorskip("flint")
    saved, flint.ctx.prec = flint.ctx.prec, 400  # the rational enters as a ball of radius ~2^-400, far inside
    try:
        for b, v in zip(K.balls.flat, exact.flat):
            assert b.contains(flint.arb(flint.fmpq(v.numerator, v.denominator)))
    finally:
        flint.ctx.prec = saved


def test_kernel_distance_matches_mpmath():
    W1, W2 = lambda_balanced_init(2, 2, 2, lam=-0.3, sigma=0.5, seed=5)
    net = TwoLayerExact(W1, W2, np.array([[1.5, 0.2], [0.1, 0.8]]))
    X = np.eye(2)
    K = certified_ntk(certified_qqt(net, [0.0, 3.0]), 2, X)
    d = certified_kernel_distance(K.take(0), K.take(1))
    with mpmath.workdps(50):
        k0 = [mpmath.mpf(b.mid().str(60, radius=False)) for b in K.balls[0].flat]
        k1 = [mpmath.mpf(b.mid().str(60, radius=False)) for b in K.balls[1].flat]
        inner = mpmath.fsum(a * b for a, b in zip(k0, k1))
        n0 = mpmath.sqrt(mpmath.fsum(a * a for a in k0))
        n1 = mpmath.sqrt(mpmath.fsum(a * a for a in k1))
        ref = 1 - inner / (n0 * n1)  # the textbook 1 - cos at 50 digits (cancellation costs < 10 of them)
        assert d.within([ref], bound=1e-35)


def test_kernel_distance_rejects_zero_and_mismatched_kernels():
    W1, W2 = lambda_balanced_init(2, 2, 2, lam=0.5, sigma=0.5, seed=6)
    net = TwoLayerExact(W1, W2, np.eye(2))
    K = certified_ntk(certified_qqt(net, [0.0, 1.0]), 2, np.eye(2))
    zero = certified_ntk(certified_qqt(net, [0.0]), 2, np.zeros((2, 2))).take(0)
    with pytest.raises(InvalidParameterError, match="zero"):
        certified_kernel_distance(K.take(0), zero)
    with pytest.raises(InvalidParameterError, match="same shape"):
        certified_kernel_distance(K.take(0), K)
