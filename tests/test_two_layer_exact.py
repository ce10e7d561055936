"""TwoLayerExact: float64 accuracy at every t, the mpmath path, the direct form's failure, errors, NTK.

References are independent of the code under test: the Fukumizu form with
``mpmath.expm`` of F built here (Fukumizu (1998); Dominé et al. (2025), Sec. 4), the long-time
limit formula (derived here (Dominé et al. (2025), Sec. 4)) computed from numpy's SVD, explicit Jacobians, and DOP853 simulation.
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest

from helpers import balanced_problem, digits_tolerance, qqt_of, qqt_tolerance
from lazyrich import (
    FLOAT64_EPS,
    DeepLinearModel,
    InvalidParameterError,
    NonFiniteError,
    NotBalancedError,
    NotWhitenedError,
    PrecisionError,
    ShapeError,
    SingularFactorError,
    TwoLayerExact,
    gradient_flow,
    lambda_balanced_init,
    linalg_tolerance,
    mp_tolerance,
    quadratic_invariant_tolerance,
    random_regression_task,
    semantic_hierarchy_task,
    whitened_sigma_yx,
)
from lazyrich._exact.lambda_balanced import split_singular_values
from lazyrich._exact.two_layer_spectrum import riccati_matrix

SHAPES = [(3, 3), (4, 2), (2, 4)]
LAMS = [-3.0, 0.0, 2.0]
TIMES = np.array([0.0, 0.5, 3.0, 30.0, 1e3, 1e6])


def _mp_to_np(M) -> np.ndarray:
    return np.array(M.tolist(), dtype=float)


def _fukumizu_reference(W1, W2, syx, lam, t, dps):
    """The Fukumizu (1998) form (Dominé et al. (2025), Sec. 4) literally: e^{Ft} Q0 [I + 1/2 Q0^T (e^{2Ft} - I) F^{-1} Q0]^{-1} Q0^T e^{Ft}, mpmath.expm."""
    ni, no = syx.shape[1], syx.shape[0]
    with mpmath.workdps(dps):
        F = mpmath.zeros(ni + no, ni + no)
        for i in range(ni):
            F[i, i] = -mpmath.mpf(lam) / 2
        for i in range(no):
            F[ni + i, ni + i] = mpmath.mpf(lam) / 2
            for j in range(ni):
                F[ni + i, j] = F[j, ni + i] = mpmath.mpf(syx[i, j])
        Q0 = mpmath.matrix(np.concatenate([W1.T, W2]).tolist())
        eF = mpmath.expm(F * t)
        e2F = mpmath.expm(F * (2 * t))
        M = mpmath.eye(Q0.cols) + Q0.T * (e2F - mpmath.eye(ni + no)) * mpmath.inverse(F) * Q0 / 2
        return eF * Q0 * mpmath.inverse(M) * Q0.T * eF


# ------------------------------------------------------------------ float64 accuracy
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("lam", LAMS)
def test_float64_matches_independent_references_for_all_t(shape, lam):
    """Up to t = 30 the literal Fukumizu form (mpmath.expm, with the digits it loses added as guard digits);
    from t = 1e3 the long-time limit formula from numpy's SVD (reached to e^{-2 mu_min t} < eps), where the flow
    has one (lambda != 0, or a square task)."""
    ni, no = shape
    W1, W2, syx = balanced_problem(ni, min(ni, no), no, lam, seed=11)
    net = TwoLayerExact(W1, W2, syx)
    q = net.qqt(TIMES)
    assert np.all(np.isfinite(q))
    mu_max = float(np.max(net.spectrum.mu))
    for k, t in enumerate(TIMES):
        if t <= 30:
            guard = int(4 * mu_max * t / np.log(10)) + 20
            ref = _mp_to_np(_fukumizu_reference(W1, W2, syx, net.lam, t, 20 + guard))
        elif lam != 0 or ni == no:
            U, s, Vt = np.linalg.svd(syx)
            m = min(ni, no)
            Um, Vm = U[:, :m], Vt[:m].T
            s1sq, s2sq = (x**2 for x in split_singular_values(s, net.lam))
            ref = np.block([[(Vm * s1sq) @ Vm.T, (Vm * s) @ Um.T], [(Um * s) @ Vm.T, (Um * s2sq) @ Um.T]])
            if ni != no:  # the completion keeps its initial value on the side that does not grow
                continue
        else:
            continue
        scale = np.abs(ref).max()
        # the documented forward error of the float64 form: float64_condition(t) * (N_i + N_o) * eps, relative
        tol = qqt_tolerance(net, t) * scale
        assert np.abs(q[k] - ref).max() <= tol, (t, np.abs(q[k] - ref).max() / scale)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("lam", [-3.0, 2.0])
def test_mpmath_path_matches_literal_fukumizu_form(shape, lam):
    ni, no = shape
    W1, W2, syx = balanced_problem(ni, min(ni, no), no, lam, seed=12)
    net = TwoLayerExact(W1, W2, syx)
    t = 6.0
    # the literal form loses ~ 4 mu_max t / ln 10 digits: give it that many guard digits
    guard = int(4 * float(np.max(net.spectrum.mu)) * t / np.log(10)) + 20
    ref = _fukumizu_reference(W1, W2, syx, net.lam, t, 40 + guard)  # the lambda the float inputs define
    got = net.qqt(t, dps=40)
    with mpmath.workdps(60):
        err = max(abs(got[i, j] - ref[i, j]) for i in range(ref.rows) for j in range(ref.cols))
        assert err <= mp_tolerance(40) * max(abs(x) for x in ref)


@pytest.mark.parametrize("shape", SHAPES)
def test_long_time_matches_limit_formula(shape):
    # QQ^T(inf): V(S_lam - lam/2)V^T, U S V^T, U(S_lam + lam/2)U^T from numpy's SVD (Dominé et al. (2025), Sec. 4)
    ni, no = shape
    lam = -0.7
    W1, W2, syx = balanced_problem(ni, min(ni, no), no, lam, seed=13)
    net = TwoLayerExact(W1, W2, syx)
    U, s, Vt = np.linalg.svd(syx)
    m = min(ni, no)
    Um, Vm = U[:, :m], Vt[:m].T
    s1sq, s2sq = (x**2 for x in split_singular_values(s, lam))
    ref = np.block([[(Vm * s1sq) @ Vm.T, (Vm * s) @ Um.T], [(Um * s) @ Vm.T, (Um * s2sq) @ Um.T]])
    # the float64 form's bound at t = 1e6 (the limit is reached there to e^{-2 mu_min t} << eps):
    # float64_condition * (N_i + N_o) * eps relative; the SVD reference is well inside it (cond(Sigma_yx) ~ 2)
    tol = qqt_tolerance(net, 1e6) * np.abs(ref).max()
    assert np.abs(net.qqt(1e6) - ref).max() <= tol
    assert np.abs(net.qqt_limit() - ref).max() <= tol
    assert np.abs(_mp_to_np(net.qqt_limit(dps=30)) - ref).max() <= tol
    assert np.abs(net.network(1e6) - syx).max() <= tol


@pytest.mark.parametrize("shape", SHAPES)
def test_riccati_matrix_has_the_task_spectrum(shape):
    # eigenvalues +-sqrt(s^2 + lam^2/4) and sgn(N_o - N_i) lam / 2 (Dominé et al. (2025), Lemma 4.2), from numpy's SVD
    ni, no = shape
    lam = 1.3
    W1, W2, syx = balanced_problem(ni, min(ni, no), no, lam, seed=26)
    net = TwoLayerExact(W1, W2, syx)
    F = net.F
    assert F.shape == (ni + no, ni + no) and np.array_equal(F, F.T)
    np.testing.assert_array_equal(F, riccati_matrix(syx, net.lam))
    np.testing.assert_array_equal(F[ni:, :ni], syx)
    mu = np.sqrt(np.linalg.svd(syx, compute_uv=False) ** 2 + net.lam**2 / 4)
    ref = np.sort(np.concatenate([mu, -mu, np.full(abs(no - ni), np.sign(no - ni) * net.lam / 2)]))
    # symmetric eigensolver: backward error <= (N_i + N_o) eps |F|_2, so by Weyl each eigenvalue and the residual
    # F P - P mu are within that (F exact: its entries are copies of the inputs)
    tol = linalg_tolerance(1.0, ni + no) * np.linalg.norm(F, 2)
    np.testing.assert_allclose(np.linalg.eigvalsh(F), ref, rtol=0, atol=tol)
    np.testing.assert_allclose(np.sort(net.spectrum.eigenvalues), ref, rtol=0, atol=tol)
    P = net.spectrum.p_plus
    np.testing.assert_allclose(F @ P, P * net.spectrum.mu, rtol=0, atol=tol)


def test_dps_path_takes_exact_times_and_returns_rounded_digits():
    W1, W2, syx = balanced_problem(3, 2, 2, 0.5, seed=27)
    net = TwoLayerExact(W1, W2, syx)
    with mpmath.workdps(80):
        t_exact = mpmath.mpf("0.1")
    ref = _fukumizu_reference(W1, W2, syx, net.lam, t_exact, 80)
    for t in ("0.1", t_exact):
        got = net.qqt(t, dps=30)
        with mpmath.workdps(80):
            err = max(abs(got[i, j] - ref[i, j]) for i in range(ref.rows) for j in range(ref.cols))
            assert err <= mp_tolerance(30) * max(abs(x) for x in ref)
        with mpmath.workdps(30):
            assert all(+x == x for x in got)  # every entry already has at most 30 digits
    # the float 0.1 is another time (0.1 + 5.6e-18): the dps path does not round times to float first
    with mpmath.workdps(80):
        diff = max(abs(a - b) for a, b in zip(net.qqt(0.1, dps=30), net.qqt("0.1", dps=30)))
        dt = abs(mpmath.mpf(0.1) - mpmath.mpf("0.1"))  # exact: both are binary/decimal numbers at 80 digits
        # the difference is dt |dX/dt| (first order; dt^2 ~ 3e-35 is below the rounding) with dX/dt = FX + XF - X^2
        # (Riccati, tau = 1), from the float64 X (relative error qqt_tolerance, three products), plus the rounding
        # of both dps=30 results (digits_tolerance(30) of the scale each)
        X = net.qqt(0.1)
        rate = np.abs(net.F @ X + X @ net.F - X @ X).max() * (1 + 3 * qqt_tolerance(net, 0.1))
        assert 0 < diff <= dt * rate + 2 * digits_tolerance(30) * np.abs(X).max()


def test_limit_dps_is_the_large_time_value():
    # an independent route: the stable form at t = 400, where e^{-2 mu_min t} < 1e-100, vs 2 P+ S_lam P+^T
    W1, W2, syx = balanced_problem(4, 2, 2, -0.6, seed=28)
    net = TwoLayerExact(W1, W2, syx)
    assert 2 * net.spectrum.mu.min() * 400 > 100 * np.log(10) + 50  # the limit is reached to 100 digits
    lim = net.qqt_limit(dps=40)
    at = net.qqt(400.0, dps=40)
    with mpmath.workdps(60):
        err = max(abs(a - b) for a, b in zip(lim, at))
        assert err <= mp_tolerance(40) * max(abs(x) for x in lim)


def test_blocks_and_batching():
    W1, W2, syx = balanced_problem(3, 2, 2, 0.4, seed=14)
    net = TwoLayerExact(W1, W2, syx)
    ts = np.array([0.0, 1.0, 2.5])
    q = net.qqt(ts)
    assert q.shape == (3, 5, 5) and net.qqt(1.0).shape == (5, 5)
    np.testing.assert_array_equal(net.network(ts), q[:, 3:, :3])
    np.testing.assert_array_equal(net.input_gram(ts), q[:, :3, :3])
    np.testing.assert_array_equal(net.output_gram(ts), q[:, 3:, 3:])
    tol = qqt_tolerance(net, ts) * np.abs(q).max(axis=(1, 2))  # the float64 form's documented bound per time
    # Q0 Q0^T in float64 is itself within (N_i + N_o) eps |Q0|^2 (products of length N_h <= N_i + N_o)
    np.testing.assert_allclose(
        q[0], qqt_of(W1, W2), rtol=0, atol=tol[0] + linalg_tolerance(1.0, net.n) * np.abs(q[0]).max()
    )
    mp_blocks = net.network(ts, dps=20)
    assert isinstance(mp_blocks, list) and mp_blocks[1].rows == 2 and mp_blocks[1].cols == 3
    # dps=20 is within digits_tolerance(20) of the scale; the float64 block within its bound
    atol = tol[1] + digits_tolerance(20) * np.abs(q[1]).max()
    np.testing.assert_allclose(_mp_to_np(mp_blocks[1]), q[1, 3:, :3], rtol=0, atol=atol)


# ------------------------------------------------------------------ mpmath and the direct form
def test_dps50_and_dps100_agree_to_48_digits_at_t_1000_and_direct_fails():
    W1, W2, syx = balanced_problem(3, 2, 2, 0.5, seed=15)
    net = TwoLayerExact(W1, W2, syx)
    a = net.qqt(1e3, dps=50)
    b = net.qqt(1e3, dps=100)
    with mpmath.workdps(110):
        scale = max(abs(x) for x in b)
        err = max(abs(a[i, j] - b[i, j]) for i in range(b.rows) for j in range(b.cols))
        # each within its digits_tolerance of the scale
        assert err <= (mpmath.mpf(digits_tolerance(50)) + mpmath.mpf(digits_tolerance(100))) * scale
    ref = _mp_to_np(b)
    # the demonstration must not disappear: the direct float64 form fails at t = 1e3 (raises, or misses the
    # accuracy the stable float64 form guarantees)
    try:
        direct = net.qqt(1e3, method="direct")
    except PrecisionError:
        return
    assert np.abs(direct - ref).max() > qqt_tolerance(net, 1e3) * np.abs(ref).max()


def test_direct_form_loses_digits_at_moderate_t():
    # 3-3-3, lambda = 2 (seed 5): the literal direct form is O(1) wrong by t = 20, the stable form is not
    W1, W2, syx = balanced_problem(3, 3, 3, 2.0, seed=5)
    net = TwoLayerExact(W1, W2, syx)
    ref = _mp_to_np(net.qqt(20.0, dps=30))
    scale = np.abs(ref).max()
    # the float64 bound plus the dps=30 reference's own digits_tolerance
    tol_stable = (qqt_tolerance(net, 20.0) + digits_tolerance(30)) * scale
    err_stable = np.abs(net.qqt(20.0) - ref).max()
    assert err_stable <= tol_stable
    try:
        err_direct = np.abs(net.qqt(20.0, method="direct") - ref).max()
    except PrecisionError:
        err_direct = np.inf
    assert err_direct > tol_stable  # (measured: O(1) wrong, 0.5 on a scale of 3)
    # at t = 0.3 both forms are accurate: the direct one's round-off is amplified by cond(F) (the solve with F) and
    # by |e^{Ft}|^2 = e^{2 mu_max t} (the growing terms of the bracket), over sums of length N_i + N_o
    kappa_direct = np.linalg.cond(net.F) * np.exp(2 * np.max(net.spectrum.mu) * 0.3)
    atol = (qqt_tolerance(net, 0.3) + linalg_tolerance(kappa_direct, net.n)) * np.abs(net.qqt(0.3)).max()
    np.testing.assert_allclose(net.qqt(0.3, method="direct"), net.qqt(0.3), rtol=0, atol=atol)


# ------------------------------------------------------------------ singular B, N_h > m
def _flow_qqt(W1, W2, syx, ts):
    tr = gradient_flow(DeepLinearModel(syx), (W1, W2), ts)
    tol = quadratic_invariant_tolerance(tr.n_steps, tr.rtol, tr.atol, tr.scale)
    return qqt_of(tr["W1"], tr["W2"]), tol


def test_singular_b_raises_in_float64_and_dps_path_matches_simulation():
    # lambda = 0, square, sign(det W2 W1) != sign(det Sigma): q+ singular (derived here (Dominé et al. (2025), Sec. 4))
    W1, W2, syx = balanced_problem(3, 3, 3, 0.0, seed=16)
    W2 = W2.copy()
    W2[0] = -W2[0]
    net = TwoLayerExact(W1, W2, syx)
    assert net.mp_form == "fukumizu"
    with pytest.raises(SingularFactorError, match="dps="):
        net.qqt(1.0)
    with pytest.raises(SingularFactorError):
        net.qqt_limit()
    ts = np.array([0.0, 1.0, 4.0])
    ref, tol = _flow_qqt(W1, W2, syx, ts)
    got = np.array([_mp_to_np(M) for M in net.qqt(ts, dps=20)])
    assert np.abs(got - ref).max() <= tol


@pytest.mark.parametrize("lam", [0.0, 0.6, -1.5])
def test_reversal_learning(lam):
    # converged on Sigma, then trained on -Sigma: sigma(q+) = |lam| / sqrt(2 mu) (derived here; cf. Dominé et al. (2025), App. D.2)
    rng = np.random.default_rng(17)
    U, _ = np.linalg.qr(rng.standard_normal((3, 3)))
    V, _ = np.linalg.qr(rng.standard_normal((3, 3)))
    s = np.array([2.0, 1.2, 0.6])
    s1, s2 = split_singular_values(s, lam)
    W1, W2 = s1[:, None] * V.T, U * s2
    net = TwoLayerExact(W1, W2, -(U * s) @ V.T)
    ts = np.array([0.0, 0.5, 3.0])
    ref, tol = _flow_qqt(W1, W2, -(U * s) @ V.T, ts)
    if lam == 0.0:
        # q+ is exactly singular (sigma(q+) = 0): its computed smallest singular value is round-off,
        # <= (N_i + N_o) eps |Q0|, so the condition |Q0| / sigma_min is at least 1 / ((N_i + N_o) eps)
        assert net.condition >= 1.0 / linalg_tolerance(1.0, net.n)
        with pytest.raises(SingularFactorError):
            net.qqt(ts)
        got = np.array([_mp_to_np(M) for M in net.qqt(ts, dps=20)])
    else:
        mu = np.sqrt(s**2 + lam**2 / 4)
        sv = np.linalg.svd(net.spectrum.p_plus.T @ net.Q0, compute_uv=False)
        # the eigenvectors P+ carry |F|_2 / gap * eps (gap: the smallest eigenvalue gap of F), the SVD and the
        # product (N_i + N_o) eps; both times |Q0|_2
        ev = np.linalg.eigvalsh(net.F)
        kappa = np.linalg.norm(net.F, 2) / np.diff(ev).min()
        atol = linalg_tolerance(kappa, net.n) * np.linalg.norm(net.Q0, 2)
        np.testing.assert_allclose(np.sort(sv), np.sort(abs(lam) / np.sqrt(2 * mu)), rtol=0, atol=atol)
        got = net.qqt(ts)
    assert np.abs(got - ref).max() <= tol


@pytest.mark.parametrize(("ni", "nh", "no", "lam"), [(2, 3, 4, 0.7), (4, 3, 2, -0.5), (2, 3, 2, 0.0)])
def test_wide_hidden_layer_needs_dps_and_matches_simulation(ni, nh, no, lam):
    W1, W2, syx = balanced_problem(ni, nh, no, lam, seed=18)
    net = TwoLayerExact(W1, W2, syx)
    ts = np.array([0.0, 1.0, 3.0])
    ref, tol = _flow_qqt(W1, W2, syx, ts)
    if lam == 0.0:  # N_i = N_o = 2 < N_h, lambda = 0 with a det-sign mismatch: q+ singular up to round-off
        with pytest.raises(SingularFactorError, match="dps="):
            net.qqt(1.0)
    else:  # float64 for N_h > min(N_i, N_o): the graded form (lazyrich._exact.two_layer_wide)
        assert np.abs(net.qqt(ts) - ref).max() <= tol
    got = np.array([_mp_to_np(M) for M in net.qqt(ts, dps=20)])
    assert np.abs(got - ref).max() <= tol


def test_single_hidden_unit_any_sign():
    # N_h = 1, N_i = d, N_o = 1 (the single-neuron cross-check)
    for lam in (-1.3, 0.0, 0.8):
        W1, W2, syx = balanced_problem(4, 1, 1, lam, seed=19)
        net = TwoLayerExact(W1, W2, syx)
        ts = np.array([0.0, 2.0, 5.0])
        ref, tol = _flow_qqt(W1, W2, syx, ts)
        assert np.abs(net.qqt(ts) - ref).max() <= tol


def test_precision_error_when_too_many_digits_needed():
    W1, W2, syx = balanced_problem(2, 3, 4, 0.7, seed=18)
    with pytest.raises(PrecisionError, match="working digits"):
        TwoLayerExact(W1, W2, syx).qqt(1e6, dps=20)


# ------------------------------------------------------------------ typed errors
def test_not_balanced_error_reports_imbalance():
    W1, W2, syx = balanced_problem(3, 2, 2, 0.5, seed=20)
    W1 = W1.copy()
    W1[0, 0] += 1e-6
    with pytest.raises(NotBalancedError, match="max \\|W2\\^T W2 - W1 W1\\^T - lam I\\| = "):
        TwoLayerExact(W1, W2, syx)


def test_input_errors():
    W1, W2, syx = balanced_problem(3, 2, 2, 0.5, seed=21)
    with pytest.raises(ShapeError):
        TwoLayerExact(W1, W2, syx.T)
    with pytest.raises(ShapeError):
        TwoLayerExact(W1.T, W2, syx)
    bad = W1.copy()
    bad[0, 0] = np.nan
    with pytest.raises(NonFiniteError):
        TwoLayerExact(bad, W2, syx)
    with pytest.raises(InvalidParameterError):
        TwoLayerExact(W1, W2, syx, tau=0.0)
    net = TwoLayerExact(W1, W2, syx)
    with pytest.raises(InvalidParameterError):
        net.qqt(-1.0)
    with pytest.raises(NonFiniteError):
        net.qqt(np.inf)
    with pytest.raises(InvalidParameterError):
        net.qqt(1.0, method="magic")
    with pytest.raises(InvalidParameterError):
        net.qqt(1.0, dps=0)
    with pytest.raises(ShapeError):
        net.ntk(1.0, np.ones((2, 4)))


def test_direct_overflow_is_a_typed_error_not_inf():
    W1, W2, syx = balanced_problem(3, 3, 3, 1.0, seed=22)
    with pytest.raises(PrecisionError, match="overflow"):
        TwoLayerExact(W1, W2, syx).qqt(1e4, method="direct")


# ------------------------------------------------------------------ NTK, loss, kernel distance
def _explicit_ntk(W1, W2, X):
    """J J^T with J the Jacobian of vec(W2 W1 X) (ordering (output, sample)) in (W1, W2)."""
    nh, ni = W1.shape
    no, P = W2.shape[0], X.shape[1]
    J = np.zeros((no * P, nh * ni + no * nh))
    H = W1 @ X
    for o in range(no):
        for p in range(P):
            r = o * P + p
            J[r, : nh * ni] = np.outer(W2[o], X[:, p]).ravel()  # d/dW1[h, i] = W2[o, h] X[i, p]
            J[r, nh * ni + o * nh : nh * ni + (o + 1) * nh] = H[:, p]  # d/dW2[o, h] = (W1 X)[h, p]
    return J @ J.T


def test_ntk_equals_jacobian_gram_along_the_flow():
    W1, W2, syx = balanced_problem(3, 2, 2, -0.8, seed=23)
    X = np.random.default_rng(0).standard_normal((3, 4))
    net = TwoLayerExact(W1, W2, syx)
    ts = np.array([0.0, 1.5])
    tr = gradient_flow(DeepLinearModel(syx), (W1, W2), ts)
    tol = quadratic_invariant_tolerance(tr.n_steps, tr.rtol, tr.atol, tr.scale) * np.abs(X).max() ** 2 * X.shape[0] ** 2
    K = net.ntk(ts, X)
    assert K.shape == (2, 8, 8)
    for i in range(2):
        assert np.abs(K[i] - _explicit_ntk(tr["W1"][i], tr["W2"][i], X)).max() <= tol
    # K = I x X^T G1 X + G2 x X^T X: an error dG of the Grams (the float64 bound of qqt(0)) moves an entry by at most
    # dG (sum |x|)^2 <= dG N_i^2 |X|^2; the explicit J J^T rounds sums of length N_h (N_i + N_o) <= (N_i + N_o)^2
    K_explicit = _explicit_ntk(W1, W2, X)
    d_gram = qqt_tolerance(net, 0.0) * np.abs(net.qqt(0.0)).max()
    atol = d_gram * X.shape[0] ** 2 * np.abs(X).max() ** 2 + linalg_tolerance(1.0, net.n**2) * np.abs(K_explicit).max()
    np.testing.assert_allclose(net.ntk(0.0, X), K_explicit, rtol=0, atol=atol)


def test_loss_matches_model_and_decreases():
    W1, W2, syx = balanced_problem(2, 2, 3, 1.0, seed=24)
    net = TwoLayerExact(W1, W2, syx)
    ts = np.linspace(0, 6, 13)
    tr = gradient_flow(DeepLinearModel(syx), (W1, W2), ts)
    model = DeepLinearModel(syx)
    ref = np.array([model.loss(tr.at(i)) for i in range(len(ts))]) + 0.5 * np.sum(syx**2)
    tol = (
        quadratic_invariant_tolerance(tr.n_steps, tr.rtol, tr.atol, tr.scale)
        * 2
        * max(1.0, np.abs(syx).max())
        * syx.size
    )
    assert np.abs(net.loss(ts) - ref).max() <= tol
    assert np.all(np.diff(net.loss(ts)) <= 0)


def test_kernel_distance_zero_at_equal_times_and_shrinks_with_abs_lambda():
    X = np.eye(3)
    dists = []
    for lam in (1e-3, 1.0, 3.0, 10.0):
        W1, W2, syx = balanced_problem(3, 3, 3, lam, seed=25, sigma=0.05)
        net = TwoLayerExact(W1, W2, syx)
        # the same K twice: 1 - <K, K> / |K|^2 in exact arithmetic is 0; round-off of sums of K.size terms
        assert abs(net.kernel_distance(2.0, 2.0, X)) <= linalg_tolerance(1.0, net.ntk(2.0, X).size)
        dists.append(net.kernel_distance(0.0, 200.0, X))
    assert all(0 <= d <= 1 for d in dists)
    assert np.all(np.diff(dists) < 0), dists  # Dominé et al. (2025), Sec. 5: monotone in |lambda|


# ------------------------------------------------------------------ semantic hierarchy (Dominé et al. (2025), Sec. 5, Fig. 4)
def _cos(a, b) -> float:
    return float(np.sum(a * b) / (np.linalg.norm(a) * np.linalg.norm(b)))


def _hierarchy_net(lam: float, sigma: float = 1e-3):
    X, Y = semantic_hierarchy_task(tie_break=True)
    syx, tau = whitened_sigma_yx(X, Y)
    W1, W2 = lambda_balanced_init(8, 8, 8, lam, sigma=sigma, seed=3)
    if lam == 0 and np.linalg.det(W2 @ W1) * np.linalg.det(syx) < 0:
        W2 = W2.copy()
        W2[0] = -W2[0]  # keep q+ invertible (Dominé et al. (2025), Sec. 4); W2^T W2 unchanged
    return TwoLayerExact(W1, W2, syx, tau=tau), syx


def test_hierarchy_rich_limit_is_task_specific():
    net, syx = _hierarchy_net(0.0)
    U, s, Vt = np.linalg.svd(syx)
    t = 400.0  # tau = 8, slowest mode s = 1.43: converged to round-off
    # the rest of the escape from sigma = 1e-3 is ~ e^{-2 s_min t / tau} / sigma^2, below eps
    assert 2 * s.min() * t / net.tau > np.log(1 / FLOAT64_EPS) + 2 * np.log(1e3)
    # the float64 form's bound at t, plus the SVD reference's cond(Sigma_yx) * N * eps |S|
    tol = qqt_tolerance(net, t) * np.abs(net.qqt(t)).max() + linalg_tolerance(np.linalg.cond(syx), net.n) * s.max()
    G1, G2 = net.input_gram(t), net.output_gram(t)
    assert np.abs(G1 - (Vt.T * s) @ Vt).max() <= tol
    assert np.abs(G2 - (U * s) @ U.T).max() <= tol


@pytest.mark.parametrize("lam", [60.0, -60.0])
def test_hierarchy_lazy_limit_one_layer_task_agnostic(lam):
    net, syx = _hierarchy_net(lam)
    U, s, Vt = np.linalg.svd(syx)
    t = 400.0
    G1, G2 = net.input_gram(t), net.output_gram(t)
    big, small = (G2, G1) if lam > 0 else (G1, G2)
    structured = (Vt.T * s**2) @ Vt if lam > 0 else (U * s**2) @ U.T
    # Dominé et al. (2025), Sec. 5 (semi-structured lazy): the large Gram is |lambda| I + O(s^2/|lambda|), the small one
    # S^2/|lambda| + O(|lambda|^-3). Exactly, at convergence (e^{-2 mu t / tau} ~ e^{-3000}), in the eigenbasis of
    # S^T S (resp. S S^T): the large Gram's eigenvalues are S_l + |l|/2 = |l| (1 + d), the small one's
    # s^2 / (|l| (1 + d)), with 0 <= d = sqrt(1/4 + x_k) - 1/2 <= x_k = s_k^2/l^2 <= x. So each entry of either deviation
    # is at most max_k |eigenvalue deviation| (|sum_k v_ik v_jk d_k| <= max |d_k|): x, resp. s_max^2 x; and the
    # cosine of two matrices with a common eigenbasis whose eigenvalue ratios lie in [m, M] is >= 2 sqrt(mM) / (m + M)
    # (Kantorovich), with M/m <= 1 + x for both pairs.
    x = s.max() ** 2 / lam**2
    # round-off: d_gram = the float64 Grams' bound per entry; the SVD reference S^2 carries cond(S) N eps s_max^2;
    # a cosine moves by <= 2 |dA|_F / |A|_F (|dA|_F <= N d_gram), plus N^2 eps of its sums
    d_gram = qqt_tolerance(net, t) * np.abs(net.qqt(t)).max()
    d_structured = linalg_tolerance(np.linalg.cond(syx), 8) * s.max() ** 2
    assert np.abs(big / abs(lam) - np.eye(8)).max() <= x + d_gram / abs(lam)
    assert np.abs(small * abs(lam) - structured).max() <= s.max() ** 2 * x + d_gram * abs(lam) + d_structured
    cos_min = 2 * np.sqrt(1 + x) / (2 + x)
    cos_roundoff = linalg_tolerance(1.0, big.size)
    assert _cos(big, np.eye(8)) >= cos_min - 2 * 8 * d_gram / np.linalg.norm(big) - cos_roundoff
    rel_small = 2 * (8 * d_gram * abs(lam) + 8 * d_structured) / np.linalg.norm(structured)
    assert _cos(small, structured) >= cos_min - rel_small - cos_roundoff


def test_hierarchy_rescaled_time_matches_unwhitened_simulation():
    # Sigma_xx = I/8 with the 1/P convention: same flow as whitened with 8 Sigma_yx and tau = 8 (Dominé et al. (2025), Sec. 3)
    X, Y = semantic_hierarchy_task(tie_break=True)
    net, _ = _hierarchy_net(0.5, sigma=0.3)
    ts = np.array([0.0, 5.0, 20.0])
    tr = gradient_flow(DeepLinearModel.from_data(X, Y), (net.W1, net.W2), ts)
    tol = quadratic_invariant_tolerance(tr.n_steps, tr.rtol, tr.atol, tr.scale)
    assert np.abs(net.qqt(ts) - qqt_of(tr["W1"], tr["W2"])).max() <= tol


def test_task_helpers():
    X, Y = semantic_hierarchy_task(tie_break=True)
    s = np.linalg.svd(Y @ X.T, compute_uv=False)
    # claim 29 (Braun et al. (2022) tie-breaking), to 3 decimals: half a unit of the 3rd decimal, plus the SVD's
    # round-off (N eps |Y X^T|_2, N = 8)
    atol = 0.5e-3 + linalg_tolerance(1.0, s.size) * s.max()
    np.testing.assert_allclose(s, [3.111, 2.970, 2.067, 2.050, 1.442, 1.438, 1.434, 1.432], atol=atol)
    _, Yr = semantic_hierarchy_task(reversal=True)
    np.testing.assert_array_equal(Yr[-1], -semantic_hierarchy_task()[1][-1])
    Xr, Yrr = random_regression_task(3, 2, 12, seed=1)
    syx, tau = whitened_sigma_yx(Xr, Yrr, tau=2.0)
    # c = trace(X X^T / P) / N_i = 1 up to the round-off of sums of P + N_i terms (X is whitened exactly in
    # theory); tau / c and Sigma_yx / c carry that plus one division, the Gram Y X^T / P its own P eps
    n_ops = Xr.shape[1] + Xr.shape[0] + 1
    assert abs(tau - 2.0) <= linalg_tolerance(1.0, n_ops) * 2.0
    ref = Yrr @ Xr.T / 12
    assert np.abs(syx - ref).max() <= linalg_tolerance(1.0, n_ops) * np.abs(ref).max()
    with pytest.raises(NotWhitenedError):
        whitened_sigma_yx(np.array([[1.0, 0.0], [1.0, 1.0]]), np.ones((1, 2)))
    with pytest.raises(ShapeError):
        random_regression_task(4, 1, 3)
