"""TwoLayerExact at scale: the one-time-at-a-time path, the factor R (QQ^T = R R^T), memory linear in T.

References are independent of the code under test: mpmath ``qqt(dps=30)`` (the high-precision path,
itself checked against the literal Fukumizu form in test_two_layer_exact.py), the lambda-balance
invariant of the factor, the gradient-flow ODE against a central difference, the t -> inf limit
(claim 9: W2W1 -> Sigma_yx), the initial product W2 @ W1, and tracemalloc's count of bytes allocated.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from helpers import balanced_problem, digits_tolerance, factor_tolerance, qqt_tolerance
from lazyrich import (
    FLOAT64_EPS,
    SingularFactorError,
    TwoLayerExact,
    iter_qqt,
    lambda_balanced_init,
    linalg_tolerance,
)
from lazyrich._exact import two_layer_spectrum as spectrum

TIMES = np.array([0.0, 0.5, 3.0, 30.0, 1e3, 1e6])


@pytest.fixture
def per_time_path(monkeypatch):
    """Force the one-time-at-a-time path (used for N_h > BATCHED_MAX_HIDDEN) on small networks."""
    monkeypatch.setattr(spectrum, "BATCHED_MAX_HIDDEN", 0)


@pytest.mark.parametrize("shape", [(3, 3), (4, 2), (2, 4)])
@pytest.mark.parametrize("lam", [-3.0, 0.0, 2.0])
def test_per_time_path_matches_high_precision(per_time_path, shape, lam):
    ni, no = shape
    W1, W2, syx = balanced_problem(ni, min(ni, no), no, lam, seed=11)
    net = TwoLayerExact(W1, W2, syx)
    ref = np.array([np.array(M.tolist(), dtype=float) for M in net.qqt(TIMES, dps=30)])
    scale = np.abs(ref).max(axis=(1, 2))
    # relative bound per time: the float64 form's kappa(t) N eps plus the dps=30 reference's rounding
    tol = qqt_tolerance(net, TIMES) + digits_tolerance(30)
    rel = np.abs(net.qqt(TIMES) - ref).max(axis=(1, 2)) / scale
    assert np.all(rel <= tol), rel / tol
    # R R^T: R carries the same relative error as qqt (the same form), see helpers.factor_tolerance
    R = net.qqt_factor(TIMES)
    tol_factor = tol + factor_tolerance(net, TIMES, R) / scale
    rel = np.abs(R @ np.swapaxes(R, 1, 2) - ref).max(axis=(1, 2)) / scale
    assert np.all(rel <= tol_factor), rel / tol_factor
    blocks = [(net.input_gram, slice(None, ni), slice(None, ni)), (net.network, slice(ni, None), slice(None, ni))]
    blocks.append((net.output_gram, slice(ni, None), slice(ni, None)))
    for method, rows, cols in blocks:
        rel = np.abs(method(TIMES) - ref[:, rows, cols]).max(axis=(1, 2)) / scale
        assert np.all(rel <= tol), rel / tol


@pytest.mark.parametrize("shape", [(5, 5), (7, 3), (3, 6)])
def test_factor_balance_and_batched_equals_per_time(monkeypatch, shape):
    ni, no = shape
    m = min(ni, no)
    W1, W2, syx = balanced_problem(ni, m, no, 0.7, seed=3)
    net = TwoLayerExact(W1, W2, syx)
    R = net.qqt_factor(TIMES)
    assert R.shape == (len(TIMES), ni + no, m) and net.qqt_factor(2.0).shape == (ni + no, m)
    # R = Q O for an orthogonal O, so R_o^T R_o - R_i^T R_i = O^T (W2^T W2 - W1 W1^T) O = lambda I
    bal = np.swapaxes(R[:, ni:], 1, 2) @ R[:, ni:] - np.swapaxes(R[:, :ni], 1, 2) @ R[:, :ni]
    scale = np.abs(R).max() ** 2 * (ni + no)
    # each of the two Grams of R carries R's relative error (condition * n * eps, twice: R^T R) plus n eps of the
    # products (sums of length <= n = N_i + N_o)
    tol = 2 * (2 * linalg_tolerance(net.condition, ni + no) + linalg_tolerance(1.0, ni + no)) * scale
    assert np.abs(bal - net.lam * np.eye(m)).max() <= tol
    batched = net.network(TIMES)
    monkeypatch.setattr(spectrum, "BATCHED_MAX_HIDDEN", 0)
    per_time = net.network(TIMES)
    # the same formula with different BLAS groupings: each within the float64 form's bound of the exact value
    tol = 2 * qqt_tolerance(net, TIMES) * np.abs(batched).max(axis=(1, 2))
    assert np.all(np.abs(batched - per_time).max(axis=(1, 2)) <= tol)


def test_structural_accuracy_above_the_batched_size():
    """N_h = 100 > BATCHED_MAX_HIDDEN: no mpmath reference at this size, so structural routes (as in the benchmark)."""
    ni, no = 250, 100
    assert min(ni, no) > spectrum.BATCHED_MAX_HIDDEN
    W1, W2, syx = balanced_problem(ni, no, no, 0.5, seed=5, sigma=0.1)
    net = TwoLayerExact(W1, W2, syx)
    delta = net.condition * net.n * FLOAT64_EPS  # forward-error bound of the stable form (measured ~100x below)
    N0 = net.network(0.0)
    assert np.abs(N0 - W2 @ W1).max() <= delta * np.abs(W2 @ W1).max()
    assert np.abs(net.network(1e6) - syx).max() <= delta * np.abs(syx).max()  # claim 9, full-rank task
    t, h = 2.0, 1e-3
    R = net.qqt_factor(t)
    Ri, Ro = R[:ni], R[ni:]
    N = Ro @ Ri.T
    E = syx - N
    rhs = Ro @ (Ro.T @ E) + (E @ Ri) @ Ri.T  # d/dt W2W1 = W2 W2^T E + E W1^T W1 (gradient flow, tau = 1)
    Ns = net.network(t + h * np.array([-4.0, -2.0, -1.0, 1.0, 2.0, 4.0]))
    d_h = (Ns[1] - 8 * Ns[2] + 8 * Ns[3] - Ns[4]) / (12 * h)
    d_2h = (Ns[0] - 8 * Ns[1] + 8 * Ns[4] - Ns[5]) / (24 * h)
    # |d_h - d_2h| = 15x the h^4 truncation of d_h; the stencil amplifies each N's error delta |N| by 1.5 / h;
    # rhs carries ~3 delta relative (three products of the factor)
    scale = np.abs(syx).max() * np.abs(R).max() ** 2 * ni
    tol = np.abs(d_h - d_2h).max() + 1.5 * delta * np.abs(N).max() / h + 3 * delta * scale
    assert np.abs(d_h - rhs).max() <= tol


def _traced_peak(fn) -> int:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_is_linear_in_the_number_of_times_and_never_t_n_n():
    """Peak traced bytes grow by exactly the requested output per time point; streamed: not at all."""
    ni, no = 400, 100  # N_h = 100 > BATCHED_MAX_HIDDEN: the large-network path
    W1, W2 = lambda_balanced_init(ni, no, no, 0.5, sigma=0.1, seed=2)
    syx = np.random.default_rng(2).standard_normal((no, ni))
    net = TwoLayerExact(W1, W2, syx)
    n, m = net.n, no
    grids = {k: np.linspace(0.0, 20.0, k) for k in (8, 32)}
    out_bytes = no * ni * 8  # one network block
    work_bound = 8 * (n * m + m * m) * 8  # a few m x n and m x m work arrays, independent of T
    peaks = {k: _traced_peak(lambda g=g: net.network(g)) for k, g in grids.items()}
    slope = (peaks[32] - peaks[8]) / 24
    assert 0.9 * out_bytes <= slope <= 1.1 * out_bytes  # the output itself, nothing else per time
    assert peaks[8] <= 8 * out_bytes + work_bound
    assert slope < 0.2 * n * n * 8  # far from the (T, n, n) array the full QQ^T would need
    factor_peak = _traced_peak(lambda: net.qqt_factor(grids[32]))
    assert factor_peak <= 32 * n * m * 8 + work_bound
    streamed = {
        k: _traced_peak(lambda g=g: sum(float(X[0, 0]) for X in iter_qqt(net, g, "network", chunk=1)))
        for k, g in grids.items()
    }
    assert streamed[32] <= streamed[8] + out_bytes  # constant in T: one block and the work arrays
    assert streamed[32] <= out_bytes + work_bound


def test_factor_needs_the_stable_form():
    W1, W2 = lambda_balanced_init(2, 3, 4, 0.5, sigma=0.3, seed=1)  # N_h > min(N_i, N_o): the graded form
    net = TwoLayerExact(W1, W2, np.ones((4, 2)))
    R = next(iter_qqt(net, [1.0], block="factor"))
    assert R.shape == (6, 3)
    # R and qqt carry the form's relative error kappa N eps (helpers.factor_tolerance)
    Q = net.qqt(1.0)
    tol = factor_tolerance(net, 1.0, R) + qqt_tolerance(net, 1.0) * np.abs(Q).max()
    assert np.abs(R @ R.T - Q).max() <= tol
    W1, W2 = lambda_balanced_init(
        2, 2, 2, 0.0, sigma=0.3, seed=1
    )  # lambda = 0, square: q+ singular iff det signs differ
    S = np.diag([1.0, -np.sign(np.linalg.det(W2 @ W1))])  # sign(det S) != sign(det W2 W1)
    with pytest.raises(SingularFactorError):
        TwoLayerExact(W1, W2, S).qqt_factor(1.0)
