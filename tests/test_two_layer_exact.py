"""TwoLayerExact: float64 accuracy at every t, the mpmath path, the direct form's failure, errors, NTK.

References are independent of the code under test: the Fukumizu form with
``mpmath.expm`` of F built here (Fukumizu (1998); Dominé et al. (2025), Sec. 4), the long-time
limit formula (derived here (Dominé et al. (2025), Sec. 4)) computed from numpy's SVD, explicit Jacobians, and DOP853 simulation.
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest

from helpers import balanced_problem, qqt_of
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
        # a few products and one solve of O(1) matrices, times the condition number the net reports
        tol = 100 * FLOAT64_EPS * net.float64_condition(t) * scale
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
    tol = 100 * FLOAT64_EPS * np.abs(ref).max()  # a few SVDs and products of O(1) matrices
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
    tol = 10 * (ni + no) * FLOAT64_EPS * np.abs(ref).max()  # symmetric eigenvalues: backward stable
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
        assert 0 < diff <= 1e-15


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
    np.testing.assert_allclose(q[0], qqt_of(W1, W2), rtol=0, atol=1e-14)
    mp_blocks = net.network(ts, dps=20)
    assert isinstance(mp_blocks, list) and mp_blocks[1].rows == 2 and mp_blocks[1].cols == 3
    np.testing.assert_allclose(_mp_to_np(mp_blocks[1]), q[1, 3:, :3], rtol=0, atol=1e-14)


# ------------------------------------------------------------------ mpmath and the direct form
def test_dps50_and_dps100_agree_to_48_digits_at_t_1000_and_direct_fails():
    W1, W2, syx = balanced_problem(3, 2, 2, 0.5, seed=15)
    net = TwoLayerExact(W1, W2, syx)
    a = net.qqt(1e3, dps=50)
    b = net.qqt(1e3, dps=100)
    with mpmath.workdps(110):
        scale = max(abs(x) for x in b)
        err = max(abs(a[i, j] - b[i, j]) for i in range(b.rows) for j in range(b.cols))
        assert err <= mpmath.mpf(10) ** -48 * scale
    ref = _mp_to_np(b)
    # the demonstration must not disappear: the direct float64 form fails at t = 1e3
    try:
        direct = net.qqt(1e3, method="direct")
    except PrecisionError:
        return
    assert np.abs(direct - ref).max() > 1e-3


def test_direct_form_loses_digits_at_moderate_t():
    # 3-3-3, lambda = 2 (seed 5): the literal direct form is O(1) wrong by t = 20, the stable form is not
    W1, W2, syx = balanced_problem(3, 3, 3, 2.0, seed=5)
    net = TwoLayerExact(W1, W2, syx)
    ref = _mp_to_np(net.qqt(20.0, dps=30))
    err_stable = np.abs(net.qqt(20.0) - ref).max()
    assert err_stable <= 1e-13
    try:
        err_direct = np.abs(net.qqt(20.0, method="direct") - ref).max()
    except PrecisionError:
        err_direct = np.inf
    assert err_direct > 1e-3
    np.testing.assert_allclose(net.qqt(0.3, method="direct"), net.qqt(0.3), rtol=0, atol=1e-12)


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
        assert net.condition > 1e10
        with pytest.raises(SingularFactorError):
            net.qqt(ts)
        got = np.array([_mp_to_np(M) for M in net.qqt(ts, dps=20)])
    else:
        mu = np.sqrt(s**2 + lam**2 / 4)
        sv = np.linalg.svd(net.spectrum.p_plus.T @ net.Q0, compute_uv=False)
        np.testing.assert_allclose(np.sort(sv), np.sort(abs(lam) / np.sqrt(2 * mu)), rtol=1e-12)
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
    np.testing.assert_allclose(net.ntk(0.0, X), _explicit_ntk(W1, W2, X), rtol=0, atol=1e-13)


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
        assert abs(net.kernel_distance(2.0, 2.0, X)) <= 1e-14
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
    G1, G2 = net.input_gram(t), net.output_gram(t)
    assert np.abs(G1 - (Vt.T * s) @ Vt).max() <= 1e-9
    assert np.abs(G2 - (U * s) @ U.T).max() <= 1e-9


@pytest.mark.parametrize("lam", [60.0, -60.0])
def test_hierarchy_lazy_limit_one_layer_task_agnostic(lam):
    net, syx = _hierarchy_net(lam)
    U, s, Vt = np.linalg.svd(syx)
    t = 400.0
    G1, G2 = net.input_gram(t), net.output_gram(t)
    big, small = (G2, G1) if lam > 0 else (G1, G2)
    structured = (Vt.T * s**2) @ Vt if lam > 0 else (U * s**2) @ U.T
    # Dominé et al. (2025), Sec. 5 (semi-structured lazy): the large Gram is |lambda| I + O(s^2/|lambda|), the small one S^2/|lambda| + O(|lambda|^-3)
    assert np.abs(big / abs(lam) - np.eye(8)).max() <= 2 * s.max() ** 2 / lam**2
    assert np.abs(small * abs(lam) - structured).max() <= 2 * s.max() ** 4 / lam**2
    assert _cos(big, np.eye(8)) > 0.999 and _cos(small, structured) > 0.999


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
    # claim 29 (Braun et al. (2022) tie-breaking), to 3 decimals
    np.testing.assert_allclose(s, [3.111, 2.970, 2.067, 2.050, 1.442, 1.438, 1.434, 1.432], atol=6e-4)
    _, Yr = semantic_hierarchy_task(reversal=True)
    np.testing.assert_array_equal(Yr[-1], -semantic_hierarchy_task()[1][-1])
    Xr, Yrr = random_regression_task(3, 2, 12, seed=1)
    syx, tau = whitened_sigma_yx(Xr, Yrr, tau=2.0)
    assert abs(tau - 2.0) <= 1e-14 and np.abs(syx - Yrr @ Xr.T / 12).max() <= 1e-14  # c = 1 up to round-off
    with pytest.raises(NotWhitenedError):
        whitened_sigma_yx(np.array([[1.0, 0.0], [1.0, 1.0]]), np.ones((1, 2)))
    with pytest.raises(ShapeError):
        random_regression_task(4, 1, 3)
