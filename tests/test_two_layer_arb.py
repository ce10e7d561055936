"""The Arb engine of the two-layer ``dps=`` path and of ``certified_qqt`` (lazyrich._exact.two_layer_arb).

References are independent of the code under test: the Fukumizu form with ``mpmath.expm`` of F built here
(Fukumizu (1998); Dominé et al. (2025), Sec. 4), the long-time limit from mpmath's own SVD, and the gradient
flow of the weights integrated by ``mpmath.odefun``. Never the same formula at a higher precision.
"""

from __future__ import annotations

import sys

import mpmath
import numpy as np
import pytest

from helpers import balanced_problem, digits_tolerance
from lazyrich import PrecisionError, TwoLayerExact, lambda_balanced_init, matrix_with_singular_values, mp_tolerance
from lazyrich._exact import two_layer_arb
from lazyrich._exact.two_layer_arb_spectrum import ArbSpectrum, arb_spectrum, task_rank
from lazyrich.certified import Enclosure, certified_qqt, exact_arb, stable_qqt_error_bound


def fukumizu_expm(W1, W2, syx, lam, t, dps):
    """e^{Ft} Q0 [I + 1/2 Q0^T (e^{2Ft} - I) F^{-1} Q0]^{-1} Q0^T e^{Ft} literally, mpmath.expm at ``dps`` digits."""
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
        t = mpmath.mpf(t)
        eF = mpmath.expm(F * t)
        M = mpmath.eye(Q0.cols) + Q0.T * (mpmath.expm(F * (2 * t)) - mpmath.eye(ni + no)) * mpmath.inverse(F) * Q0 / 2
        return eF * Q0 * mpmath.inverse(M) * Q0.T * eF


def mp_limit(syx, lam, dps):
    """QQ^T(inf) = [[V(S_l - l/2)V^T, S^T], [S, U(S_l + l/2)U^T]] from mpmath's SVD (Dominé et al. (2025), Sec. 4)."""
    no, ni = syx.shape
    with mpmath.workdps(dps):
        U, S, Vt = mpmath.svd_r(mpmath.matrix(syx.tolist()), full_matrices=False)
        lam = mpmath.mpf(lam)
        sl = [mpmath.sqrt(S[a] ** 2 + lam**2 / 4) for a in range(len(S))]
        out = mpmath.zeros(ni + no, ni + no)
        for i in range(ni):
            for j in range(ni):
                out[i, j] = mpmath.fsum(Vt[a, i] * (sl[a] - lam / 2) * Vt[a, j] for a in range(len(S)))
        for i in range(no):
            for j in range(no):
                out[ni + i, ni + j] = mpmath.fsum(U[i, a] * (sl[a] + lam / 2) * U[j, a] for a in range(len(S)))
            for j in range(ni):
                out[ni + i, j] = out[j, ni + i] = mpmath.mpf(syx[i, j])
        return out


def max_rel_error(got, ref, dps) -> mpmath.mpf:
    """max |got - ref| / max |ref| at a precision far above both."""
    with mpmath.workdps(2 * dps + 20):
        scale = max(abs(x) for x in ref)
        return max(abs(got[i, j] - ref[i, j]) for i in range(ref.rows) for j in range(ref.cols)) / scale


CASES = [  # (N_i, N_h, N_o, lambda, form)
    (3, 3, 3, 2.0, "stable"),
    (4, 2, 2, -3.0, "stable"),
    (2, 2, 4, 0.7, "stable"),
    (2, 3, 4, 0.7, "fukumizu"),  # wide hidden layer
    (4, 3, 2, -0.5, "fukumizu"),
]


@pytest.mark.parametrize(("ni", "nh", "no", "lam", "form"), CASES)
def test_dps_matches_the_literal_fukumizu_form(ni, nh, no, lam, form):
    W1, W2, syx = balanced_problem(ni, nh, no, lam, seed=12)
    net = TwoLayerExact(W1, W2, syx)
    assert two_layer_arb.ArbTwoLayer(net).form == form
    for t in (0.7, 6.0):
        # the literal form cancels ~ 4 mu_max t / ln 10 digits: it gets that many guard digits
        guard = int(4 * float(np.max(net.spectrum.mu)) * t / np.log(10)) + 20
        ref = fukumizu_expm(W1, W2, syx, net.lam, t, 40 + guard)
        # 40 certified digits, then rounded to 40: within 10^(1 - 40) of the scale (digits_tolerance); the
        # reference keeps 20 digits beyond its cancellation estimate, so its own error is far below that
        assert max_rel_error(net.qqt(t, dps=40), ref, 40) <= digits_tolerance(40)


def test_q_plus_singular_takes_the_fukumizu_form_and_matches():
    # lambda = 0, sign(det W2 W1) != sign(det Sigma): q+ singular, the stable form does not apply
    W1, W2, syx = balanced_problem(3, 3, 3, 0.0, seed=16)
    W2 = W2.copy()
    W2[0] = -W2[0]
    net = TwoLayerExact(W1, W2, syx)
    assert two_layer_arb.ArbTwoLayer(net).form == "fukumizu"
    ref = fukumizu_expm(W1, W2, syx, net.lam, 2.0, 80)
    assert max_rel_error(net.qqt(2.0, dps=30), ref, 30) <= digits_tolerance(30)


@pytest.mark.parametrize(("ni", "no", "lam"), [(3, 3, 0.5), (5, 3, -1.0), (2, 4, 1.5)])
def test_large_t_is_the_mpmath_svd_limit(ni, no, lam):
    # at t = 1e6 QQ^T(t) - QQ^T(inf) ~ e^{-rate t} with rate >= 0.4 here: zero to any number of digits we ask
    m = min(ni, no)
    syx = matrix_with_singular_values((no, ni), np.linspace(2.0, 0.6, m), np.random.default_rng(ni + no))
    W1, W2 = lambda_balanced_init(ni, m, no, lam, sigma=0.4, seed=ni)
    net = TwoLayerExact(W1, W2, syx)
    ref = mp_limit(syx, net.lam, 80)
    assert max_rel_error(net.qqt(1e6, dps=50), ref, 50) <= digits_tolerance(50)
    assert max_rel_error(net.qqt_limit(dps=50), ref, 50) <= digits_tolerance(50)


def test_dps_matches_the_odefun_gradient_flow():
    # tau dW1/dt = W2^T (S - W2 W1), tau dW2/dt = (S - W2 W1) W1^T integrated by mpmath's Taylor ODE solver
    # exactly balanced in binary (W2^T W2 - W1 W1^T = 0.75 I with no round-off): a float init balanced only to
    # round-off would be a different problem from the closed form's at the 1e-16 level
    W1 = 0.5 * np.array([[1.0, 1.0], [1.0, -1.0]])
    W2 = np.array([[1.0, 0.5], [0.5, -1.0]])
    syx = np.array([[1.5, 0.3], [-0.4, 0.9]])
    net = TwoLayerExact(W1, W2, syx)
    assert net.lam == 0.75 and net.imbalance == 0.0
    t = 1.5
    with mpmath.workdps(25):
        S = mpmath.matrix(syx.tolist())

        def rhs(_t, y):
            A = mpmath.matrix([[y[0], y[1]], [y[2], y[3]]])  # W1
            B = mpmath.matrix([[y[4], y[5]], [y[6], y[7]]])  # W2
            R = S - B * A
            dA, dB = B.T * R, R * A.T
            return [dA[0, 0], dA[0, 1], dA[1, 0], dA[1, 1], dB[0, 0], dB[0, 1], dB[1, 0], dB[1, 1]]

        f = mpmath.odefun(rhs, 0, [mpmath.mpf(float(x)) for x in (*W1.reshape(-1), *W2.reshape(-1))])
        y = f(mpmath.mpf(t))
        Q = mpmath.matrix([[y[0], y[2]], [y[1], y[3]], [y[4], y[5]], [y[6], y[7]]])  # [W1^T; W2]
        ref = Q * Q.T
    # odefun is accurate to about its working precision (25 digits: eps**0.8 there, mp_tolerance); ask for 20
    assert max_rel_error(net.qqt(t, dps=20), ref, 25) <= digits_tolerance(20) + mp_tolerance(25)


# ------------------------------------------------------------------ the rigorous bound of every dps= result
def test_dps_result_carries_its_enclosure():
    W1, W2, syx = balanced_problem(3, 2, 2, 0.5, seed=27)
    net = TwoLayerExact(W1, W2, syx)
    ts, dps = [0.0, 0.5, 30.0, 1e6], 30
    got = net.qqt(ts, dps=dps)
    enc = net.certified(ts, dps=dps)
    assert isinstance(enc, Enclosure) and enc.balls.shape == (4, 25)
    for k, M in enumerate(got):
        vals = np.array([M[i, j] for i in range(5) for j in range(5)], dtype=object)
        scale = float(np.abs(enc.mid[k]).max())
        for b, v, bound in zip(enc.balls[k], vals, enc.distance_bound(np.vstack([vals] * 4))[k]):
            if b.contains(0):  # an exact 0 is certified absolutely: radius below 10^-dps of the matrix scale
                assert bound <= 10.0**-dps * scale
            else:  # every other entry to 30 significant digits (certified) plus its rounding to 30 digits
                assert bound <= digits_tolerance(dps) * abs(float(v))


def test_an_entry_far_below_the_scale_gets_its_own_digits():
    # a diagonal task and an aligned init: the off-diagonal entries of W1^T W1 are small but nonzero at
    # finite t (the init is slightly rotated); dps=N certifies each to N significant digits, not only the scale
    W1, W2 = lambda_balanced_init(2, 2, 2, lam=0.3, sigma=1e-3, seed=4)
    net = TwoLayerExact(W1, W2, np.diag([2.0, 1.0]))
    dps = 25
    enc = net.certified([3.0], dps=dps)
    tiny = [b for b in enc.balls[0] if not b.contains(0) and float(abs(b).upper()) < 1e-5]
    assert tiny, "the example must have an entry far below the scale"
    for b in tiny:
        assert float(b.rad()) < 10.0**-dps * float(b.abs_lower())  # relative radius below 10^-dps


@pytest.mark.parametrize("what", ["mu", "p_plus", "p_minus", "perp"])
def test_a_corrupted_set_up_is_caught(monkeypatch, what):
    W1, W2, syx = balanced_problem(4, 2, 2, -0.5, seed=3)
    net = TwoLayerExact(W1, W2, syx)
    real = two_layer_arb.arb_spectrum

    def corrupted(sigma_yx, lam, q0=None):
        spec = real(sigma_yx, lam, q0)
        tweak = two_layer_arb.require_flint().arb(2) ** -90  # far above the radius at these precisions
        if what == "mu":
            mu = list(spec.mu)
            mu[0] = mu[0] + tweak
            return ArbSpectrum(spec.p_plus, spec.p_minus, mu, spec.perp, spec.ell, spec.clusters)
        mat = getattr(spec, what) * 1
        mat[1, 0] = mat[1, 0] + tweak
        fields = {"p_plus": spec.p_plus, "p_minus": spec.p_minus, "perp": spec.perp, what: mat}
        return ArbSpectrum(fields["p_plus"], fields["p_minus"], spec.mu, fields["perp"], spec.ell, spec.clusters)

    monkeypatch.setattr(two_layer_arb, "arb_spectrum", corrupted)
    with pytest.raises(PrecisionError, match="residual"):
        net.qqt(1.0, dps=30)
    with pytest.raises(PrecisionError, match="residual"):
        certified_qqt(net, [1.0])


def test_a_corrupted_evaluation_gives_a_ball_the_independent_route_rejects(monkeypatch):
    W1, W2, syx = balanced_problem(3, 3, 3, 1.0, seed=9)
    net = TwoLayerExact(W1, W2, syx)
    t = 2.0
    ref = fukumizu_expm(W1, W2, syx, net.lam, t, 120)
    ref_vals = np.array([ref[i, j] for i in range(6) for j in range(6)], dtype=object)
    assert net.certified([t], dps=30).take(0).contains(ref_vals)
    real = two_layer_arb.stable_qqt_balls

    def corrupted(spec, Q0, times):
        out = real(spec, Q0, times)
        for M in out:
            M[0, 0] = M[0, 0] * (1 + two_layer_arb.require_flint().arb(10) ** -32)  # 1e-32 relative, in one entry
        return out

    monkeypatch.setattr(two_layer_arb, "stable_qqt_balls", corrupted)
    assert not net.certified([t], dps=30).take(0).contains(ref_vals)


# ------------------------------------------------------------------ certified at any t, fallbacks
def test_certified_at_t_1e6_for_a_10_10_10_net():
    # the time it takes is a benchmark row (benchmarks/run.py, certified qqt at t = 1e6), not an assertion here
    rng = np.random.default_rng(10)
    syx = matrix_with_singular_values((10, 10), np.sort(rng.uniform(0.5, 2.5, 10))[::-1], 10)
    W1, W2 = lambda_balanced_init(10, 10, 10, 0.5, sigma=0.4, seed=10)
    net = TwoLayerExact(W1, W2, syx)
    enc = certified_qqt(net, [1.0, 1e3, 1e6])
    scale = float(np.abs(enc.mid).max())
    assert float(enc.rad.max()) <= 2.0**-100 * scale
    assert enc.within(net.qqt([1.0, 1e3, 1e6]), bound=stable_qqt_error_bound(net, scale))


@pytest.mark.parametrize(
    ("ni", "no", "svals"), [(2, 2, [1.5, 1.5]), (3, 3, [2.0, 2.0, 0.5]), (4, 2, [1.0, 1.0]), (2, 4, [1.0, 1.0])]
)
def test_repeated_singular_values_use_an_eigenspace_basis_and_match(ni, no, svals):
    # no eigenvector of a repeated eigenvalue is continuous in the data; the set-up encloses an exact basis of
    # the cluster's eigenspace instead: still the stable form, checked against the literal Fukumizu form
    m = min(ni, no)
    syx = np.zeros((no, ni))
    syx[np.arange(m), np.arange(m)] = svals  # exactly repeated values
    W1, W2 = lambda_balanced_init(ni, m, no, 0.5, sigma=0.4, seed=ni + no)
    net = TwoLayerExact(W1, W2, syx)
    assert two_layer_arb.ArbTwoLayer(net).form == "stable"
    flint = two_layer_arb.require_flint()
    saved, flint.ctx.prec = flint.ctx.prec, 200
    try:
        assert any(len(c) > 1 for c in arb_spectrum(syx, net.lam).clusters)  # the eigenspace path, not acb eig
    finally:
        flint.ctx.prec = saved
    ref = fukumizu_expm(W1, W2, syx, net.lam, 2.0, 80)
    assert max_rel_error(net.qqt(2.0, dps=30), ref, 30) <= digits_tolerance(30)
    enc = certified_qqt(net, [1e6])
    assert float(enc.rad.max()) <= 2.0**-100 * float(np.abs(enc.mid).max())
    assert max_rel_error(net.qqt(1e6, dps=30), mp_limit(syx, net.lam, 60), 30) <= digits_tolerance(30)


def test_without_python_flint_the_mpmath_path_answers(monkeypatch):
    W1, W2, syx = balanced_problem(3, 2, 2, 0.5, seed=5)
    net = TwoLayerExact(W1, W2, syx)
    with_arb = net.qqt(2.0, dps=30)
    monkeypatch.setitem(sys.modules, "flint", None)  # import flint now raises ImportError
    without = net.qqt(2.0, dps=30)
    # two dps=30 results, each within digits_tolerance(30) of the exact value
    assert max_rel_error(without, with_arb, 30) <= 2 * digits_tolerance(30)
    lim = net.qqt_limit(dps=30)
    monkeypatch.undo()
    assert max_rel_error(lim, net.qqt_limit(dps=30), 30) <= 2 * digits_tolerance(30)


# ------------------------------------------------------------------ rank-deficient tasks: the zero singular values as a cluster
RANK_DEFICIENT = [  # (N_i, N_h, N_o, lambda, Sigma_yx): exact zero singular values, every sign of lambda and side
    (3, 2, 2, 0.5, [[1.5, 0.0, 0.0], [0.0, 0.0, 0.0]]),  # growing frame on the small side
    (3, 2, 2, -0.5, [[1.5, 0.0, 0.0], [0.0, 0.0, 0.0]]),  # growing frame inside the completion's eigenspace
    (3, 2, 2, 0.0, [[1.5, 0.0, 0.0], [0.0, 0.0, 0.0]]),  # mu = 0: the whole kernel of F
    (2, 2, 3, 0.5, [[1.5, 0.5], [0.0, 0.0], [0.75, 0.25]]),  # rank 1, null vectors not along the axes
    (2, 2, 3, -0.7, [[1.5, 0.5], [0.0, 0.0], [0.75, 0.25]]),
    (3, 3, 3, 0.7, [[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [0.5, -1.0, 0.25]]),  # rank 2, N_i = N_o
    (3, 3, 3, 0.0, [[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [0.5, -1.0, 0.25]]),
    (3, 3, 3, -0.7, [[0.0] * 3] * 3),  # Sigma_yx = 0: every singular value in the zero cluster
    # integer factors A B / 8 (exact in binary): rank 2 of 5 and 1 of 4, dense singular vectors, so the zero
    # cluster (3 and 3 zero values) comes from the enclosed invariant subspaces, not from acb eig
    (
        5,
        5,
        5,
        0.5,
        np.array([[1, 2], [0, 1], [-1, 1], [2, 0], [1, -1]]) @ np.array([[1, 0, 2, -1, 1], [0, 1, 1, 1, -2]]) / 8,
    ),
    (6, 4, 4, -0.5, np.outer([1, -2, 3, 1], [2, 1, -1, 3, 0, 1]) / 8),
]


def riccati_residual(X, syx, lam):
    """F X + X F - X^2 on balls (tau dX/dt, Dominé et al. (2025), Sec. 4), F built here."""
    flint = two_layer_arb.require_flint()
    no, ni = syx.shape
    n = ni + no
    F = flint.arb_mat(n, n)
    for i in range(n):
        F[i, i] = -flint.arb(lam) / 2 if i < ni else flint.arb(lam) / 2
    for i in range(no):
        for j in range(ni):
            F[ni + i, j] = F[j, ni + i] = flint.arb(float(syx[i, j]))
    return F * X + X * F - X * X


@pytest.mark.parametrize(("ni", "nh", "no", "lam", "syx"), RANK_DEFICIENT)
def test_rank_deficient_task_is_certified_and_matches_the_literal_fukumizu_form(ni, nh, no, lam, syx):
    syx = np.array(syx)
    W1, W2 = lambda_balanced_init(ni, nh, no, lam=lam, sigma=0.4, seed=ni + no)
    net = TwoLayerExact(W1, W2, syx)
    assert two_layer_arb.ArbTwoLayer(net).form == "stable"
    m, k = min(ni, no), min(ni, no) - task_rank(syx)
    assert k > 0
    flint = two_layer_arb.require_flint()
    saved, flint.ctx.prec = flint.ctx.prec, 200
    try:
        spec = arb_spectrum(syx, net.lam, net.Q0)
    finally:
        flint.ctx.prec = saved
    assert spec.clusters[-1] == tuple(range(m - k, m))  # the zero singular values: one cluster, mu = |lambda| / 2
    assert spec.mu[-1].is_exact() and spec.mu[-1] == exact_arb(abs(net.lam)) / 2
    for t in (0.5, 3.0):
        guard = int(4 * max(float(np.max(net.spectrum.mu)), abs(net.lam)) * t / np.log(10)) + 20
        ref = fukumizu_expm(W1, W2, syx, net.lam, t, 40 + guard)
        assert max_rel_error(net.qqt(t, dps=40), ref, 40) <= digits_tolerance(40)
        ref_vals = np.array([ref[i, j] for i in range(ni + no) for j in range(ni + no)], dtype=object)
        assert net.certified([t], dps=30).take(0).contains(ref_vals)  # the dps= balls hold the independent value


@pytest.mark.parametrize(("ni", "nh", "no", "lam", "syx"), [c for c in RANK_DEFICIENT if c[3] != 0])
def test_rank_deficient_task_certified_at_t_1e6_is_a_fixed_point(ni, nh, no, lam, syx):
    # lambda != 0 separates the zero cluster's growing and decaying directions by |lambda|: at t = 1e6 QQ^T is
    # stationary to any digits we ask (the Riccati right-hand side, built here, vanishes), and agrees with float64
    syx = np.array(syx)
    W1, W2 = lambda_balanced_init(ni, nh, no, lam=lam, sigma=0.4, seed=ni + no)
    net = TwoLayerExact(W1, W2, syx)
    enc = certified_qqt(net, [1e6])
    scale = float(np.abs(enc.mid).max())
    assert float(enc.rad.max()) <= 2.0**-100 * scale
    flint = two_layer_arb.require_flint()
    n = ni + no
    saved, flint.ctx.prec = flint.ctx.prec, enc.prec
    try:
        X = flint.arb_mat([[enc.balls[0, i, j] for j in range(n)] for i in range(n)])
        R = riccati_residual(X, syx, net.lam)
    finally:
        flint.ctx.prec = saved
    # the exact residual at t = 1e6 is ~ e^{-|lambda| t}; the balls' radius r propagates through FX + XF - X^2 at most
    # as n (2|F| + 2|X|) r, once for the radius and once for the midpoint's distance from the exact X, plus the
    # rounding at enc.prec bits of sums of n products
    r = float(enc.rad.max())
    f_max = max(abs(net.lam) / 2, np.abs(syx).max())
    tol = 2 * n * (2 * f_max + 2 * scale) * r + 2.0**-enc.prec * n * (2 * f_max + scale) * scale
    assert max(float(abs(R[i, j]).upper()) for i in range(n) for j in range(n)) <= tol
    got = net.qqt(1e6, dps=30)
    vals = np.array([[got[i, j] for j in range(n)] for i in range(n)], dtype=object)
    # dps=30 is within digits_tolerance(30) of the exact value; within() adds |exact - mid| + rad <= 2 rad
    assert enc.within(vals, bound=digits_tolerance(30) * scale + 2 * r)


def test_rank_deficient_corrupted_zero_cluster_is_caught(monkeypatch):
    W1, W2 = lambda_balanced_init(3, 2, 2, lam=-0.5, sigma=0.4, seed=5)
    net = TwoLayerExact(W1, W2, np.array([[1.5, 0.0, 0.0], [0.0, 0.0, 0.0]]))
    real = two_layer_arb.arb_spectrum

    def corrupted(sigma_yx, lam, q0=None):
        spec = real(sigma_yx, lam, q0)
        mat = spec.p_plus * 1
        mat[0, 1] = mat[0, 1] + two_layer_arb.require_flint().arb(2) ** -90  # the zero cluster's growing frame
        return ArbSpectrum(mat, spec.p_minus, spec.mu, spec.perp, spec.ell, spec.clusters)

    monkeypatch.setattr(two_layer_arb, "arb_spectrum", corrupted)
    with pytest.raises(PrecisionError, match="residual"):
        net.qqt(1.0, dps=30)


def test_a_tiny_but_nonzero_singular_value_is_not_rank_deficient():
    # 0.2 / 1.5 != 0.04 / 0.3 in binary: float64 calls it rank 1 (s_2 ~ 2.6e-18), the exact rank is 2, so the
    # full-rank set-up resolves s_2 (at a higher precision) and the result still matches the literal form
    syx = np.array([[1.5, 0.3], [0.0, 0.0], [0.2, 0.04]])
    assert np.linalg.matrix_rank(syx) == 1 and task_rank(syx) == 2
    W1, W2 = lambda_balanced_init(2, 2, 3, lam=0.5, sigma=0.4, seed=5)
    net = TwoLayerExact(W1, W2, syx)
    ref = fukumizu_expm(W1, W2, syx, net.lam, 3.0, 80)
    assert max_rel_error(net.qqt(3.0, dps=30), ref, 30) <= digits_tolerance(30)
