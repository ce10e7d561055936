"""TwoLayerExact in float64 for any hidden width: the graded QR form (lazyrich._exact.two_layer_wide).

References are independent of the code under test:

* the Fukumizu (1998) form (Dominé et al. (2025), Sec. 4) in mpmath for any ``N_h``:
  :math:`e^{Ft}Q_0[I + Q_0^T J Q_0]^{-1}Q_0^Te^{Ft}` with :math:`J = \\int_0^t e^{2Fs}ds` from one ``mpmath.expm``
  of the block matrix ``[[2F, I], [0, 0]] t`` (Van Loan (1978); no ``F^{-1}``, so ``F`` may be singular), at a
  working precision that covers its cancellation (:math:`2(f_{max} - f_{min})t/\\ln 10` digits), confirmed by a
  second precision;
* for ``t`` beyond mpmath's reach, its long-time form (derived here (Dominé et al. (2025), Sec. 4), from the
  Schur complement of the bracket, exponentially small terms dropped): with ``P_G`` the eigenvectors of ``F``
  with ``f > 0`` (``mpmath.eigsy``), ``Nul`` an orthonormal basis of the null space of :math:`P_G^TQ_0`,
  ``P_0`` / ``P_-`` those with ``f = 0`` / ``f < 0``,
  :math:`QQ^T \\to 2P_G\\,\\mathrm{diag}(f_G)P_G^T + Y_0(I + \\mathrm{Nul}^T(q_-^T\\mathrm{diag}(\\tfrac{1}{2|f_-|})q_- + t\\,q_0^Tq_0)\\mathrm{Nul})^{-1}Y_0^T`,
  :math:`Y_0 = P_0q_0\\mathrm{Nul}` (for ``|f_0| < 1e-10 |F|``, e.g. ``lambda/2 ~ 1e-17`` from a measured 0, the exact
  :math:`e^{f_0t}` and :math:`(e^{2f_0t} - 1)/(2f_0)` replace 1 and ``t``), valid when every growing direction is captured (``rank P_G^TQ_0 = g``);
* DOP853 simulation of the weights (:func:`lazyrich.gradient_flow`).

Tolerances: the float64 result is within ``kappa (N_i + N_o) eps`` (relative, max-norm) of the reference, with
``kappa`` = :meth:`TwoLayerExact.float64_condition` (:func:`lazyrich.linalg_tolerance`: the condition times the
length of the sums that accumulate round-off).
"""

from __future__ import annotations

import math
import warnings

import mpmath
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers import balance_tolerance, balanced_problem, factor_tolerance, qqt_of, qqt_tolerance, seeds
from lazyrich import (
    DeepLinearModel,
    SingularFactorError,
    TwoLayerExact,
    gradient_flow,
    lambda_balanced_init,
    linalg_tolerance,
    matrix_with_singular_values,
    mp_tolerance,
    quadratic_invariant_tolerance,
)


def _mp_riccati(syx, lam) -> mpmath.matrix:
    ni, no = syx.shape[1], syx.shape[0]
    F = mpmath.zeros(ni + no, ni + no)
    for i in range(ni):
        F[i, i] = -mpmath.mpf(lam) / 2
    for i in range(no):
        F[ni + i, ni + i] = mpmath.mpf(lam) / 2
        for j in range(ni):
            F[ni + i, j] = F[j, ni + i] = mpmath.mpf(float(syx[i, j]))
    return F


def _to_np(M) -> np.ndarray:
    return np.array([[float(M[i, j]) for j in range(M.cols)] for i in range(M.rows)])


def fukumizu_mp(W1, W2, syx, lam, t, dps) -> np.ndarray:
    """The Fukumizu form at ``dps`` digits, any ``N_h`` and singular ``F`` (Van Loan block for the integral)."""
    with mpmath.workdps(dps):
        F = _mp_riccati(syx, lam)
        n = F.rows
        Q0 = mpmath.matrix(np.concatenate([W1.T, W2]).tolist())
        t = mpmath.mpf(t)
        big = mpmath.zeros(2 * n, 2 * n)
        for i in range(n):
            for j in range(n):
                big[i, j] = 2 * t * F[i, j]
            big[i, n + i] = t
        J = mpmath.expm(big)[0:n, n : 2 * n]  # int_0^t e^{2Fs} ds
        Y = mpmath.expm(F * t) * Q0
        M = mpmath.eye(Q0.cols) + Q0.T * J * Q0
        return _to_np(Y * mpmath.inverse(M) * Y.T)


def fukumizu_reference(W1, W2, syx, lam, t) -> np.ndarray:
    """:func:`fukumizu_mp` at the precision its cancellation needs, confirmed by a second precision."""
    f_span = 2 * (np.abs(syx).sum() + abs(lam))  # >= f_max - f_min (Gershgorin)
    dps = 30 + math.ceil(2 * f_span * t / math.log(10))
    a, b = fukumizu_mp(W1, W2, syx, lam, t, dps), fukumizu_mp(W1, W2, syx, lam, t, dps + 20)
    assert _agree(a, b)
    return b


def _agree(a, b) -> bool:
    """Two float64 roundings of mpmath values good to the 30 digits beyond the cancellation: at most one ulp
    apart per entry, plus eps**0.8 at those 30 digits (:func:`lazyrich.mp_tolerance`) of the scale for entries
    far below it."""
    return bool(np.all(np.abs(a - b) <= np.spacing(np.abs(b)) + mp_tolerance(30) * np.abs(b).max()))


def long_time_reference(W1, W2, syx, lam, t, dps: int = 40) -> np.ndarray:
    """The long-time form of the module notes (exponentially small terms dropped), mpmath."""
    with mpmath.workdps(dps):
        F = _mp_riccati(syx, lam)
        f, P = mpmath.eigsy(F)
        n = F.rows
        Q0 = mpmath.matrix(np.concatenate([W1.T, W2]).tolist())
        zero = mpmath.mpf(10) ** -10 * mpmath.mnorm(
            F, 1
        )  # f = lambda/2 ~ 1e-17 (lambda = 0 measured): flat to t ~ 1e16
        grow = [i for i in range(n) if f[i] > zero]
        flat = [i for i in range(n) if abs(f[i]) <= zero]
        decay = [i for i in range(n) if f[i] < -zero]

        def cols(idx):
            out = mpmath.zeros(n, len(idx))
            for c, i in enumerate(idx):
                out[:, c] = P[:, i]
            return out

        PG, P0, Pm = cols(grow), cols(flat), cols(decay)
        out = mpmath.zeros(n, n)
        for c, i in enumerate(grow):
            out += 2 * f[i] * PG[:, c] * PG[:, c].T
        qG = PG.T * Q0
        nh = Q0.cols
        _, S, V = mpmath.svd_r(qG, full_matrices=True)
        assert S[len(grow) - 1] > mpmath.mpf(10) ** -10 * mpmath.mnorm(Q0, 1)  # every growing direction captured
        null = V[len(grow) : nh, :].T if nh > len(grow) else None
        if null is not None and P0.cols:
            q0, qm = P0.T * Q0 * null, Pm.T * Q0 * null
            t = mpmath.mpf(t)
            h0 = [mpmath.expm1(2 * f[i] * t) / (2 * f[i]) if f[i] else t for i in flat]  # = t at f = 0
            M = mpmath.eye(null.cols) + q0.T * mpmath.diag(h0) * q0
            if decay:
                M += qm.T * mpmath.diag([1 / (2 * abs(f[i])) for i in decay]) * qm
            Y0 = P0 * mpmath.diag([mpmath.exp(f[i] * t) for i in flat]) * q0
            out += Y0 * mpmath.inverse(M) * Y0.T
        return _to_np(out)


def _check(net, ts, refs) -> float:
    """Assert the float64 qqt is within ``kappa n eps`` of ``refs``; return max error / (eps kappa)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = net.qqt(ts)
        kappa = net.float64_condition(ts)
    worst = 0.0
    for k in range(len(ts)):
        scale = np.abs(refs[k]).max()
        err = np.abs(got[k] - refs[k]).max() / scale
        assert err <= linalg_tolerance(kappa[k], net.n), (ts[k], err, kappa[k])
        worst = max(worst, err / linalg_tolerance(kappa[k]))
    return worst


# (N_i, N_h, N_o, lambda): N_h > N_i needs lambda >= 0, N_h > N_o needs lambda <= 0 (Dominé et al. (2025), Sec. 3)
WIDE = [
    (2, 3, 4, 0.7),
    (2, 4, 4, 0.3),
    (2, 3, 5, 1.5),
    (3, 5, 5, 0.0),
    (4, 3, 2, -0.5),
    (4, 4, 2, -2.0),
    (5, 4, 3, 0.0),
    (1, 3, 3, 0.0),
]


@pytest.mark.parametrize(("ni", "nh", "no", "lam"), WIDE)
def test_wide_matches_mpmath_fukumizu(ni, nh, no, lam):
    W1, W2, syx = balanced_problem(ni, nh, no, lam, seed=31)
    net = TwoLayerExact(W1, W2, syx)
    assert net.condition == math.inf  # no square q+: the narrow stable form does not apply
    ts = np.array([0.0, 0.3, 2.0, 8.0, 25.0])
    _check(net, ts, [fukumizu_reference(W1, W2, syx, net.lam, t) for t in ts])


@pytest.mark.parametrize(("ni", "nh", "no", "lam"), [(2, 3, 4, 0.7), (3, 5, 5, 0.0), (4, 3, 2, -0.5)])
def test_t_up_to_1e6_by_the_scaling_symmetry(ni, nh, no, lam):
    # F -> cF, Q0 -> sqrt(c) Q0 maps QQ^T(t) to c QQ^T(t / c) (Riccati equation): t = 1e6 with mu ~ 1e-4
    # is a problem mpmath can still reach, and it checks the float64 form at large t arguments
    c = 1e-4
    W1, W2, syx = balanced_problem(ni, nh, no, lam, seed=32)
    W1, W2, syx, lam = W1 * math.sqrt(c), W2 * math.sqrt(c), syx * c, lam * c
    net = TwoLayerExact(W1, W2, syx)
    ts = np.array([1e4, 1e5, 3e5, 1e6])
    _check(net, ts, [fukumizu_reference(W1, W2, syx, net.lam, t) for t in ts])


@pytest.mark.parametrize(("ni", "nh", "no", "lam"), [(2, 4, 4, 0.3), (4, 4, 2, -2.0), (3, 5, 5, 0.0), (1, 3, 3, 0.0)])
def test_large_t_matches_the_long_time_form(ni, nh, no, lam):
    # every growing direction captured (N_h >= number of f > 0); lambda = 0 keeps an algebraic 1/t term
    W1, W2, syx = balanced_problem(ni, nh, no, lam, seed=33)
    net = TwoLayerExact(W1, W2, syx)
    ts = np.array([200.0, 1e3, 1e4, 1e5, 1e6])
    _check(net, ts, [long_time_reference(W1, W2, syx, net.lam, t) for t in ts])


def test_long_time_form_agrees_with_fukumizu_where_both_reach():
    W1, W2, syx = balanced_problem(3, 5, 5, 0.0, seed=33)
    lam = TwoLayerExact(W1, W2, syx).lam
    a, b = long_time_reference(W1, W2, syx, lam, 60.0), fukumizu_reference(W1, W2, syx, lam, 60.0)
    # the dropped terms are e^{-2 f_min t} ~ e^{-120 f_min}, far below the 30 digits _agree asks for
    assert _agree(a, b)


@pytest.mark.parametrize(("ni", "nh", "no", "lam"), [(2, 3, 4, 0.7), (4, 3, 2, -0.5), (3, 5, 5, 0.0), (5, 4, 3, 0.0)])
def test_wide_matches_simulation(ni, nh, no, lam):
    W1, W2, syx = balanced_problem(ni, nh, no, lam, seed=34)
    net = TwoLayerExact(W1, W2, syx)
    ts = np.array([0.0, 0.5, 2.0, 6.0])
    tr = gradient_flow(DeepLinearModel(syx), (W1, W2), ts)
    tol = quadratic_invariant_tolerance(tr.n_steps, tr.rtol, tr.atol, tr.scale)
    assert (
        np.abs(net.qqt(ts) - qqt_of(tr["W1"], tr["W2"])).max()
        <= tol + linalg_tolerance(net.float64_condition(ts).max(), net.n) * np.abs(net.qqt(ts)).max()
    )


def test_ill_conditioned_square_q_plus_takes_the_graded_form():
    # reversal learning: sigma(q+) = |lambda| / sqrt(2 mu) (derived here; cf. Dominé et al. (2025), App. D.2), so
    # condition ~ 4e6 > 1e5 (beyond the narrow stable form) yet not singular: float64 with its condition
    rng = np.random.default_rng(17)
    U, _ = np.linalg.qr(rng.standard_normal((3, 3)))
    V, _ = np.linalg.qr(rng.standard_normal((3, 3)))
    s, lam = np.array([2.0, 1.2, 0.6]), 1e-6
    mu = np.sqrt(s**2 + lam**2 / 4)
    W1 = np.sqrt(mu - lam / 2)[:, None] * V.T
    W2 = U * np.sqrt(mu + lam / 2)
    net = TwoLayerExact(W1, W2, -(U * s) @ V.T)
    assert net.condition > 1e5
    ts = np.array([0.5, 3.0, 10.0])
    _check(net, ts, [fukumizu_reference(W1, W2, -(U * s) @ V.T, net.lam, t) for t in ts])
    assert net.float64_condition(ts).min() >= net.condition  # the input condition is part of kappa


@pytest.mark.parametrize("shape", [(2, 3, 2), (3, 3, 3)])
def test_singular_up_to_round_off_still_points_to_dps(shape):
    # lambda = 0, N_i = N_o, sign det W2W1(0) != sign det Sigma_yx: q+ singular (derived here (Dominé et al. (2025), Sec. 4))
    ni, nh, no = shape
    W1, W2 = lambda_balanced_init(ni, nh, no, 0.0, sigma=0.5, seed=3)
    syx = matrix_with_singular_values((no, ni), [2.0, 1.0, 0.5][:ni], 4)
    if np.linalg.det(W2 @ W1) * np.linalg.det(syx) > 0:
        syx[0] = -syx[0]
    net = TwoLayerExact(W1, W2, syx)
    for call in (lambda: net.qqt(1.0), lambda: net.network([1.0]), lambda: net.qqt_factor(1.0)):
        with pytest.raises(SingularFactorError, match="dps="):
            call()


def test_blocks_factor_ntk_and_kernel_distance_agree_for_a_wide_net():
    W1, W2, syx = balanced_problem(2, 3, 4, 0.7, seed=35)
    net = TwoLayerExact(W1, W2, syx)
    ts = np.array([0.0, 1.0, 1e6])
    Q = net.qqt(ts)
    R = net.qqt_factor(ts)
    d_q = qqt_tolerance(net, ts) * np.abs(Q).max(axis=(1, 2))  # the float64 form's bound per time

    def err(a, b):
        return np.abs(a - b).max(axis=(-1, -2))

    assert R.shape == (3, 6, 3)
    assert np.all(err(R @ np.swapaxes(R, 1, 2), Q) <= factor_tolerance(net, ts, R) + d_q)
    # a block by its own path and the same block of qqt: each within the bound of the exact value
    assert np.all(err(net.network(ts), Q[:, 2:, :2]) <= 2 * d_q)
    assert np.all(err(net.input_gram(ts), Q[:, :2, :2]) <= 2 * d_q)
    assert np.all(err(net.output_gram(ts), Q[:, 2:, 2:]) <= 2 * d_q)
    # W2 W1 in float64: sums of length N_h = 3
    assert err(net.network(0.0), W2 @ W1) <= d_q[0] + linalg_tolerance(1.0, 3) * np.abs(W2).max() * np.abs(W1).max() * 3
    # balance R_o^T R_o - R_i^T R_i = lambda I holds for the factor (Dominé et al. (2025), Sec. 3)
    bal = np.swapaxes(R[:, 2:], 1, 2) @ R[:, 2:] - np.swapaxes(R[:, :2], 1, 2) @ R[:, :2]
    assert np.all(err(bal, net.lam * np.eye(3)) <= balance_tolerance(net, ts, R))
    X = np.random.default_rng(0).standard_normal((2, 5))
    K = net.ntk(ts, X)
    assert K.shape == (3, 20, 20) and np.all(np.isfinite(K))
    d = net.kernel_distance(0.0, ts, X)
    # d = 1 - cos: the same K at t = 0 gives 0 up to the round-off of sums of K.size terms
    d_tol = linalg_tolerance(1.0, K[0].size)
    assert abs(d[0]) <= d_tol and np.all((d >= -d_tol) & (d <= 1))


@given(
    small=st.integers(1, 3),
    gap=st.integers(1, 2),
    extra=st.integers(1, 2),
    funnel=st.booleans(),
    lam_abs=st.floats(0.3, 2.0),
    lam_zero=st.booleans(),
    sigma=st.floats(0.1, 1.5),
    svals=st.lists(st.floats(0.5, 2.0), min_size=3, max_size=3),
    seed=seeds,
    t=st.floats(0.0, 12.0),
)
def test_property_wide_nets_match_mpmath(small, gap, extra, funnel, lam_abs, lam_zero, sigma, svals, seed, t):
    # min(N_i, N_o) < N_h <= max(N_i, N_o), lambda of the sign the shape allows (N_h > N_o needs lambda <= 0) or 0,
    # N_i != N_o (so no det-sign rule): well-conditioned by construction (task singular values in [0.5, 2])
    ni, no = (small + gap, small) if funnel else (small, small + gap)
    nh = small + min(extra, gap)
    lam = 0.0 if lam_zero else (-lam_abs if funnel else lam_abs)
    rng = np.random.default_rng(seed)
    W1, W2 = lambda_balanced_init(ni, nh, no, lam, sigma=sigma, seed=rng)
    syx = matrix_with_singular_values((no, ni), svals[:small], rng)
    net = TwoLayerExact(W1, W2, syx)
    _check(net, np.array([t]), [fukumizu_reference(W1, W2, syx, net.lam, t)])


# ------------------------------------------------------------------ issue 15: extreme magnitudes, no warning, no inf
@pytest.mark.parametrize("c", [1e-100, 1e-160, 1e-200])
def test_tiny_weights_give_finite_right_values_without_warnings(c):
    # weights x 1e-200 (an overflow warning escaped from (q+ q+^T)^{-1}): the graded form takes them, no inverse of q+
    W1, W2, syx = balanced_problem(2, 3, 4, 0.7, seed=36)
    net = TwoLayerExact(c * W1, c * W2, syx)
    ts = np.array([0.0, 5.0, 3000.0, 1e6])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = net.qqt(ts)
        kappa = net.float64_condition(ts)
        X = np.eye(2)
        d = net.kernel_distance(3000.0, ts[2:], X)
        R = net.qqt_factor(ts)
    assert np.all(np.isfinite(got)) and np.all(np.isfinite(R)) and np.all(np.isfinite(kappa))
    # t = 3000, 1e6: the escape from the tiny init (t ~ ln(1/c) / mu) is over, all growing modes captured (N_h >= g)
    for k in (2, 3):
        ref = long_time_reference(c * W1, c * W2, syx, net.lam, ts[k])
        assert np.abs(got[k] - ref).max() <= linalg_tolerance(kappa[k], net.n) * np.abs(ref).max()
    assert abs(d[0]) <= linalg_tolerance(kappa.max(), net.n)


def test_the_scale_law_in_the_rescale_message_holds():
    # QQ^T(t; W, S, tau) = c QQ^T(t; W / sqrt(c), S / c, tau / c) (the Riccati equation's scale law)
    W1, W2, syx = balanced_problem(2, 3, 4, 0.7, seed=37)
    c = 2.0**30
    ts = np.array([0.0, 0.7, 4.0])
    a = TwoLayerExact(W1, W2, syx).qqt(ts)
    b = c * TwoLayerExact(W1 / math.sqrt(c), W2 / math.sqrt(c), syx / c, tau=1.0 / c).qqt(ts)
    net = TwoLayerExact(W1, W2, syx)
    # c = 2^30 scales exactly in binary: both within the float64 form's bound of the same exact QQ^T
    assert np.abs(a - b).max() <= 2 * qqt_tolerance(net, ts).max() * np.abs(a).max()


def test_kernel_distance_is_scale_free():
    W1, W2, syx = balanced_problem(3, 3, 3, 0.5, seed=38)
    net = TwoLayerExact(W1, W2, syx)
    X = np.random.default_rng(1).standard_normal((3, 4))
    d1 = net.kernel_distance(0.0, [1.0, 5.0], X)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        d2 = net.kernel_distance(0.0, [1.0, 5.0], 1e150 * X)  # |K| ~ 1e300: |K|_F^2 would overflow
    # each distance is within the round-off of its sums of K.size terms of the exact one (1e150 X adds one
    # rounding per entry of X, 2 eps relative in K, inside that); the exact ones are equal
    n_terms = net.ntk(0.0, X).size
    assert np.abs(d1 - d2).max() <= 2 * linalg_tolerance(1.0, n_terms) and np.all(np.isfinite(d2))


def test_lambda_zero_with_hidden_directions_q0_does_not_see():
    """lambda = 0, N_h = 2 > N_i = 1: rank Q0 = 1, so one hidden direction is unseen at t = 0 and stays so. It raised
    SingularFactorError (found by Hypothesis); QQ^T(t) depends on Q0 Q0^T only, so the unseen direction is dropped."""
    rng = np.random.default_rng(3)
    W1, W2 = lambda_balanced_init(1, 2, 3, 0.0, sigma=1.5, seed=rng)
    syx = matrix_with_singular_values((3, 1), [1.0], rng)
    net = TwoLayerExact(W1, W2, syx)
    ts = np.array([0.0, 0.7, 5.0])
    _check(net, ts, [fukumizu_reference(W1, W2, syx, net.lam, t) for t in ts])
    R = net.qqt_factor(ts)
    assert R.shape == (3, 4, 2)
    Q = net.qqt(ts)
    d_q = qqt_tolerance(net, ts) * np.abs(Q).max(axis=(1, 2))
    assert np.all(np.abs(R @ R.transpose(0, 2, 1) - Q).max(axis=(1, 2)) <= factor_tolerance(net, ts, R) + d_q)
