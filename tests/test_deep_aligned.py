"""deep_aligned_singular_value: the aligned mode of a balanced depth-N linear network against independent integrations.

References, none of which uses the closed form:

* ``mpmath.odefun`` (Taylor integration at 40 digits) of the ODE written in the log-odds variable ``w``
  (``ln(u/(s-u))``, ``ln(u/(u-s))`` or ``ln((u-s)/u)``): the chain rule turns
  ``tau du/dt = N |u|^{2-2/N} (s - u)`` into ``tau dw/dt = N |s| |u|^{1-2/N}`` in all three cases, a smooth
  equation without the cancellation of ``s - u`` (short horizons: Taylor steps are short);
* ``mpmath.quad`` of ``dt/dw = tau / (N |s| |u(w)|^{1-2/N})`` (the separable ODE integrated, long horizons up
  to ``t = 1e6``): the time at which the flow reaches the returned value, compared with the requested time;
* ``scipy.integrate.solve_ivp`` (DOP853) of the same ``w`` equation, with its derived global tolerance.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from scipy.integrate import solve_ivp

from helpers import assert_order, python_calls
from lazyrich import (
    FLOAT64_EPS,
    InvalidParameterError,
    NonFiniteError,
    aligned_singular_value,
    deep_aligned_singular_value,
    deep_aligned_time,
    ode_global_tolerance,
)
from lazyrich._exact.deep_aligned_accuracy import A_POSTERIORI, float64_error_bound

DEPTHS = [1, 2, 3, 4, 5, 6]


def _cases(depth):
    """(u0, s): growth from below, decay from above, decay to the saddle u = 0 (s u0 < 0; for N = 1 the
    linear flow crosses 0, so its third case is the mirror image of growth, u0 < 0 and s < 0)."""
    return [(0.05, 1.5), (4.0, 1.0), (0.5, -1.0) if depth > 1 else (-0.5, -1.0)]


def _digits_tol(dps: int) -> float:
    """Relative error of a value correct to ``dps`` significant digits (half a unit in the last digit)."""
    return 0.5 * 10.0 ** (1 - dps)


def _w_map(u0, s):
    """``(w0, u(w))`` of the log-odds variable for ``u0 > 0`` (mpmath, current precision)."""
    if s > 0 and u0 < s:
        return mpmath.log(u0 / (s - u0)), lambda w: s / (1 + mpmath.exp(-w))
    if s > 0:
        return mpmath.log(u0 / (u0 - s)), lambda w: s / (1 - mpmath.exp(-w))
    return mpmath.log((u0 - s) / u0), lambda w: -s / mpmath.expm1(w)


def _w_of(u, s):
    if s > 0 and u < s:
        return mpmath.log(u / (s - u))
    if s > 0:
        return mpmath.log(u / (u - s))
    return mpmath.log((u - s) / u)


def _odefun(ts, u0, s, N, tau=1.0, dps=30):
    if u0 < 0:  # u -> -u, s -> -s maps the flow to itself
        with mpmath.workdps(dps):
            return [-u for u in _odefun(ts, -u0, -s, N, tau, dps)]
    with mpmath.workdps(dps):
        u0m, sm, taum = mpmath.mpf(u0), mpmath.mpf(s), mpmath.mpf(tau)
        w0, u_of = _w_map(u0m, sm)
        k = N * abs(sm) / taum
        sol = mpmath.odefun(lambda _t, w: k * u_of(w) ** (1 - mpmath.mpf(2) / N), 0, w0)
        return [u_of(sol(mpmath.mpf(t))) for t in ts]


def _quad_time(u, u0, s, N, tau=1.0, dps=40):
    """Time for the flow to go from ``u0`` to ``u``: quadrature of ``dt/dw``, split into unit pieces."""
    if u0 < 0:
        return _quad_time(-u, -u0, -s, N, tau, dps)
    with mpmath.workdps(dps):
        u, u0, s, tau = (mpmath.mpf(x) for x in (u, u0, s, tau))
        w0, u_of = _w_map(u0, s)
        w1 = _w_of(u, s)
        pts = mpmath.linspace(w0, w1, min(int(abs(w1 - w0)) + 2, 200))
        return mpmath.quad(lambda w: tau / (N * abs(s) * u_of(w) ** (1 - mpmath.mpf(2) / N)), pts)


def _rate(u, s, N, tau=1.0):
    return N * abs(u) ** (2 - 2 / N) * abs(s - u) / tau


def _float_tol(t, u0, s, N, tau=1.0):
    """The engine's derived float64 bound (relative), ``float64_error_bound`` (its docstring derives it)."""
    return float64_error_bound(t, u0, s, N, tau) * FLOAT64_EPS


@pytest.mark.parametrize("depth", DEPTHS)
def test_float64_and_digits_match_taylor_integration(depth):
    ts = [0.2, 1.5]
    dps = 20
    for u0, s in _cases(depth):
        ref = _odefun(ts, u0, s, depth)
        got = deep_aligned_singular_value(ts, u0, s, depth)
        digits = deep_aligned_singular_value(ts, u0, s, depth, dps=dps)
        for t, r, g, d in zip(ts, ref, got, digits):
            assert abs(g - r) <= _float_tol(t, u0, s, depth) * abs(r), (u0, s, t)
            with mpmath.workdps(50):
                assert abs(d - r) <= _digits_tol(dps) * abs(r), (u0, s, t)


@pytest.mark.parametrize("depth", DEPTHS)
def test_long_horizon_against_quadrature(depth):
    """Up to t = 1e6: the dps=25 value is reached at time t (quadrature), and float64 agrees with it."""
    ts = [1e-3, 0.1, 1.0, 10.0, 1e2, 1e4, 1e6]
    dps = 25
    for u0, s in _cases(depth):
        limit = s if s * u0 > 0 or depth == 1 else 0.0
        digits = deep_aligned_singular_value(ts, u0, s, depth, dps=dps)
        got = deep_aligned_singular_value(ts, u0, s, depth)
        for t, d, g in zip(ts, digits, got):
            if d == limit:  # converged to every digit: the flow must be within half a digit of the limit by t
                with mpmath.workdps(50):
                    near = mpmath.mpf(limit) - math.copysign(1, limit - u0) * _digits_tol(dps) * abs(limit)
                    assert _quad_time(near, u0, s, depth) <= t
            else:  # a time error dt is a value error |du/dt| dt
                with mpmath.workdps(50):
                    dt = abs(_quad_time(d, u0, s, depth) - t)
                    assert dt * _rate(d, s, depth) <= _digits_tol(dps) * abs(d), (u0, s, t)
            assert abs(g - float(d)) <= _float_tol(t, u0, s, depth) * abs(d), (u0, s, t)


def _ivp(ts, u0, s, depth, rtol, atol):
    """DOP853 of ``dw/dt = N |s| |u|^{1-2/N}`` (``u0 > 0``); returns ``(u, bound on the global error in w)``."""
    with mpmath.workdps(30):
        w0 = float(_w_map(mpmath.mpf(u0), mpmath.mpf(s))[0])
    if s > 0 and u0 < s:

        def u_of(w):
            return s / (1 + np.exp(-w))
    elif s > 0:

        def u_of(w):
            return s / -np.expm1(-w)
    else:

        def u_of(w):
            return -s * np.exp(-w) / -np.expm1(-w)

    def rate(_t, w):
        return depth * abs(s) * u_of(w) ** (1 - 2 / depth)

    sol = solve_ivp(rate, (0, ts[-1]), [w0], method="DOP853", t_eval=ts, rtol=rtol, atol=atol)
    assert sol.success
    # global error in w: the sum of the local ones (lazyrich.ode_global_tolerance), 12 evaluations a step
    return u_of(sol.y[0]), ode_global_tolerance(max(sol.nfev // 12, 1), rtol, atol, float(np.abs(sol.y[0]).max()))


@pytest.mark.parametrize("depth", DEPTHS)
def test_long_horizon_against_solve_ivp(depth):
    ts = np.array([0.0, 1e-3, 0.1, 1.0, 10.0, 1e2, 1e4, 1e6])
    for u0, s in _cases(depth):
        sgn = -1.0 if u0 < 0 else 1.0  # u -> -u, s -> -s maps the flow to itself
        ref, tol_w = _ivp(ts, sgn * u0, sgn * s, depth, 1e-13, 1e-14)
        got = sgn * deep_aligned_singular_value(ts, u0, s, depth)
        # |du| = |u| |1 - eps y| |dw| <= |u| (1 + y) |dw|, y = |u/s|
        y = np.abs(ref / s)
        assert np.all(np.abs(got - ref) <= np.abs(ref) * (1 + y) * tol_w + 4 * FLOAT64_EPS * np.abs(ref))


@given(
    st.integers(1, 6),
    st.floats(-3, 3).filter(lambda x: abs(x) > 1e-3),
    st.floats(-4, 1).map(lambda e: 10.0**e),
    st.sampled_from([-1.0, 1.0]),
    st.floats(-3, 6).map(lambda e: 10.0**e),
    st.floats(0.3, 3),
)
@example(6, 1.0, 1e-4, 1.0, 1e6, 1.0)
@example(3, -2.0, 5.0, -1.0, 1e3, 0.5)
def test_float64_matches_digits_property(depth, s, u0_mag, u0_sign, t, tau):
    """Random depth, target, initial value (either sign), time and tau: float64 within its derived bound."""
    u0 = u0_sign * u0_mag
    ref = deep_aligned_singular_value(t, u0, s, depth, tau=tau, dps=20)
    got = deep_aligned_singular_value(t, u0, s, depth, tau=tau)
    # below the normal range (gradual underflow) a rounding errs by u tiny, not u |x|: the relative bound applies on
    # max(|ref|, tiny); the final rounding of the result adds u tiny there
    tiny = np.finfo(float).tiny
    assert abs(got - ref) <= _float_tol(t, u0, s, depth, tau) * max(abs(ref), tiny) + FLOAT64_EPS / 2 * tiny


@given(st.integers(1, 6), st.floats(0.1, 3), st.floats(-4, 1).map(lambda e: 10.0**e), st.floats(0.3, 3))
def test_monotone_and_bounded(depth, s, u0, tau):
    ts = np.concatenate([[0.0], np.logspace(-3, 6, 40)])
    u = deep_aligned_singular_value(ts, u0, s, depth, tau=tau)
    assert u[0] == u0
    step = np.diff(u) * np.sign(s - u0)
    assert np.all(step >= -4 * FLOAT64_EPS * np.abs(u[1:]))
    lo, hi = min(u0, s), max(u0, s)
    assert np.all((u >= lo * (1 - 4 * FLOAT64_EPS)) & (u <= hi * (1 + 4 * FLOAT64_EPS)))
    assert abs(u[-1] - s) <= 4 * FLOAT64_EPS * s  # t = 1e6: converged


@given(st.integers(1, 6), st.floats(-3, 3), st.floats(-3, 3), st.floats(0, 50))
def test_sign_symmetry(depth, u0, s, t):
    """``u -> -u, s -> -s`` maps the flow to itself."""
    assert deep_aligned_singular_value(t, -u0, -s, depth) == -deep_aligned_singular_value(t, u0, s, depth)


@pytest.mark.parametrize("u0, s", [(0.1, 2.0), (3.0, 1.0), (-0.3, -1.2), (1e-8, 0.5), (0.4, 0.0)])
def test_depth_two_is_the_lambda_zero_aligned_mode(u0, s):
    """N = 2 is tau du/dt = 2|u|(s - u): aligned_singular_value with lambda = 0 (Dominé et al. (2025), Thm 5.1)."""
    ts = np.logspace(-3, 3, 19)
    ref = aligned_singular_value(ts, u0, s, 0.0)
    got = deep_aligned_singular_value(ts, u0, s, 2)
    assert np.all(np.abs(got - ref) <= float64_error_bound(ts, u0, s, 2) * FLOAT64_EPS * np.abs(ref))


@pytest.mark.parametrize("tau", [1.0, 0.4])
def test_limits_depth_one_and_two(tau):
    """N = 1 is the exponential, N = 2 the logistic, in closed form (math, not the implementation)."""
    u0, s = 0.3, 1.7
    for t in [0.0, 0.5, 3.0, 40.0]:
        exp_form = s + (u0 - s) * math.exp(-t / tau)
        assert abs(deep_aligned_singular_value(t, u0, s, 1, tau=tau) - exp_form) <= 4 * FLOAT64_EPS * s
        logistic = s * u0 / (u0 + (s - u0) * math.exp(-2 * s * t / tau))
        assert abs(deep_aligned_singular_value(t, u0, s, 2, tau=tau) - logistic) <= 8 * FLOAT64_EPS * s
    # plateau lengths: N = 1, t = tau ln(2 (1 - u0/s)); N = 2, t = tau/(2s) ln((s - u0)/u0)
    t1 = tau * math.log(2 * (1 - u0 / s))
    logs1 = [math.log(s - u0), math.log(s - s / 2), t1 / tau]
    assert abs(deep_aligned_time(s / 2, u0, s, 1, tau=tau) - t1) <= _log_time_tol(tau, logs1)
    t2 = tau / (2 * s) * math.log((s - u0) / u0)
    logs2 = [math.log(u0), math.log(s - u0), math.log(s / 2), math.log(s - s / 2), 2 * s * t2 / tau]
    assert abs(deep_aligned_time(s / 2, u0, s, 2, tau=tau) - t2) <= _log_time_tol(tau / (2 * s), logs2)


def _log_time_tol(scale, logs) -> float:
    """A time ``scale * (sum of logarithms)`` on both sides: each logarithm rounded to ``eps/2`` of its size plus its
    argument's rounding (``eps/2``), twice (engine and reference), plus the products with the scale."""
    return FLOAT64_EPS * scale * (sum(abs(x) + 1 for x in logs) + 2)


def test_zero_target_closed_form():
    """s = 0: u^{-(2-2/N)} grows linearly, ``u = u0 (1 + (2N-2) u0^{2-2/N} t/tau)^{-N/(2N-2)}``."""
    for N in [2, 3, 5]:
        for t in [0.1, 10.0, 1e6]:
            ref = 0.7 * (1 + (2 * N - 2) * 0.7 ** (2 - 2 / N) * t) ** (-N / (2 * N - 2))
            # the reference is the engine's s = 0 formula with ** for exp/log: the same rounding bound, twice
            bound = 2 * float64_error_bound(t, 0.7, 0.0, N) * FLOAT64_EPS * ref
            assert abs(deep_aligned_singular_value(t, 0.7, 0.0, N) - ref) <= bound


@pytest.mark.parametrize("depth", [3, 4, 5, 6])
def test_plateau_scaling_small_u0(depth):
    """Plateau length ``t_1/2 = tau / ((N-2) s u0^{1-2/N}) (1 + O(x0^{N-2}))``, ``x0 = (u0/s)^{1/N}``.

    The correction is the next term of the expansion of the implicit solution at small ``x0``, so the
    relative deviation must decay with order ``N - 2`` in ``x0``; its own next term is ``O(x0^2)`` relative,
    which bounds the error of the fitted order.
    """
    s, tau, dps = 1.3, 0.7, 30
    u0s = [1e-10, 1e-12, 1e-14]
    dev, x0s = [], []
    with mpmath.workdps(dps):  # the scaling law, free of float64 rounding: times certified to dps digits
        for u0 in u0s:
            x0s.append(float((mpmath.mpf(u0) / s) ** (mpmath.mpf(1) / depth)))
            lead = tau / ((depth - 2) * mpmath.mpf(s) * mpmath.mpf(u0) ** (1 - mpmath.mpf(2) / depth))
            dev.append(float(abs(deep_aligned_time(s / 2, u0, s, depth, tau=tau, dps=dps) / lead - 1)))
    dev = np.array(dev)
    # relative noise of dev: t certified to _digits_tol(dps), lead at dps digits (both scaled by (1 + dev) / dev),
    # dev and x0 rounded to float64 (u each; x0's enters ln(dev) times the order)
    noise = 2 * _digits_tol(dps) * (1 + dev) / dev + FLOAT64_EPS / 2 * (1 + (depth - 2))
    # dev = A x0^(N-2) (1 + O(x0^2)): the next term is of relative order p = 2 in x0
    assert_order(x0s, dev, noise, 2, depth - 2)


def test_time_inverts_value():
    for N in [1, 2, 3, 6]:
        for u0, s in [(0.05, 1.5), (4.0, 1.0), (0.5, -1.0)]:
            if N == 1 and s < 0:
                u0 = -0.5
            t = 2.5
            u = deep_aligned_singular_value(t, u0, s, N, dps=30)
            back = deep_aligned_time(u, u0, s, N, dps=25)
            # back is certified to 25 digits; u to 30, and its error du is a time error du / |du/dt|
            with mpmath.workdps(50):
                assert abs(back - t) <= _digits_tol(25) * t + _digits_tol(30) * abs(u) / _rate(u, s, N)


@pytest.mark.parametrize("depth", [1, 3, 6])
def test_huge_times_and_extreme_scales_stay_finite(depth):
    for u0, s in [(1e-300, 1.0), (1e300, 1.0), (0.1, 1e100), (0.1, -1e100), (3.0, -1e-100)]:
        vals = deep_aligned_singular_value([0.0, 1.0, 1e6, 1e12, 1e300], u0, s, depth)
        assert np.all(np.isfinite(vals))


def test_typed_errors():
    f = deep_aligned_singular_value
    for bad in [0, -1, 2.0, True, "3", None]:
        with pytest.raises(InvalidParameterError):
            f(1.0, 0.1, 1.0, bad)
    with pytest.raises(InvalidParameterError):
        f(-1.0, 0.1, 1.0, 3)
    with pytest.raises(InvalidParameterError):
        f(1.0, 0.1, 1.0, 3, tau=0.0)
    with pytest.raises(NonFiniteError):
        f(1.0, float("nan"), 1.0, 3)
    with pytest.raises(NonFiniteError):
        f(1.0, 0.1, float("inf"), 3)
    with pytest.raises(InvalidParameterError):
        f(1.0, 0.1, 1.0, 3, dps=0)
    with pytest.raises(InvalidParameterError):  # s/2 is never reached from above s
        deep_aligned_time(0.5, 2.0, 1.0, 3)
    with pytest.raises(InvalidParameterError):  # the limit itself is reached only as t -> inf
        deep_aligned_time(1.0, 0.5, 1.0, 3)
    with pytest.raises(InvalidParameterError):  # u0 = 0 is a fixed point for N >= 2
        deep_aligned_time(0.5, 0.0, 1.0, 3)


def test_fixed_points():
    assert deep_aligned_singular_value(1e3, 0.0, 1.0, 3) == 0.0
    assert deep_aligned_singular_value(1e3, 1.25, 1.25, 4) == 1.25
    # N = 1: u = 1 - e^{-1}; engine within its derived bound; reference: exp (1 ulp = 2 u on e^{-1} < 0.6 (1 - e^{-1}))
    # and the difference (u): 3 u relative
    rel = float64_error_bound(1.0, 0.0, 1.0, 1) * FLOAT64_EPS + 3 * FLOAT64_EPS / 2
    assert deep_aligned_singular_value(1.0, 0.0, 1.0, 1) == pytest.approx(1 - math.exp(-1), rel=rel, abs=0)


def test_depth_is_checked_against_max_depth_before_any_work():
    # issue 15: depth = 10**12 ran without end (each evaluation sums N/2 root terms); now refused at once,
    # with the limit and the argument that raises it in the message
    from lazyrich._exact.deep_aligned import MAX_DEPTH

    for call in (
        lambda: deep_aligned_singular_value(1.0, 0.1, 2.0, 10**12),
        lambda: deep_aligned_time(1.0, 0.1, 2.0, 10**12, dps=20),
    ):
        with pytest.raises(InvalidParameterError, match=f"max_depth={MAX_DEPTH}"):
            call()
    # before any work: refusing depth 10**12 makes no more calls than refusing depth 4 with max_depth = 3
    huge = python_calls(lambda: deep_aligned_singular_value(1.0, 0.1, 2.0, 10**12))
    small = python_calls(lambda: deep_aligned_singular_value(1.0, 0.1, 2.0, 4, max_depth=3))
    assert huge <= small, (huge, small)
    with pytest.raises(InvalidParameterError, match="max_depth"):
        deep_aligned_singular_value(1.0, 0.1, 2.0, 4, max_depth=0)
    # a larger max_depth allows a deeper network, against DOP853 (bound as in test_long_horizon_against_solve_ivp)
    N = MAX_DEPTH + 1
    ts = np.array([0.0, 1e-4, 1e-3])
    ref, tol_w = _ivp(ts, 0.5, 1.0, N, 1e-13, 1e-14)
    got = deep_aligned_singular_value(ts, 0.5, 1.0, N, max_depth=N)
    assert np.all(np.abs(got - ref) <= np.abs(ref) * (1 + ref) * tol_w + 4 * FLOAT64_EPS * np.abs(ref))


def test_float64_error_bound_inputs_and_exact_cases():
    """The bound validates like the engine, is 0 where the engine is exact and scales with the condition number."""
    with pytest.raises(InvalidParameterError):
        float64_error_bound(1.0, 0.1, 1.0, 0)
    with pytest.raises(NonFiniteError):
        float64_error_bound(1.0, math.nan, 1.0, 3)
    assert float64_error_bound(0.0, 0.1, 1.0, 3) == 0.0  # t = 0 returns u0
    assert np.all(float64_error_bound([1.0, 1e6], 0.0, 1.0, 4) == 0.0)  # the saddle u = 0 is a fixed point
    # u(t; c u0, c s) = c u(c^(4/3) t; u0, s) at N = 3: the same kappas, but the rounding of T costs
    # (2 + 2|ln|s||) eps per unit of kappa_t, so s = 1e3 has the larger bound
    assert float64_error_bound(0.01, 1e-3, 1e3, 3) > float64_error_bound(100.0, 1e-6, 1.0, 3)


@pytest.mark.parametrize("depth", [2, 3, 5])
@pytest.mark.parametrize("s", [1e-20, -1e-20, 1e-100, 5e-324])
def test_far_above_the_target_against_taylor_integration(depth, s):
    """``|s| << u0``: the implicit solution in ``x = (u/s)^{1/N}`` returned ``u0`` itself here (its time increment
    drowned in its logarithms); the series route (``deep_aligned_far``) against mpmath's Taylor integration of
    the ODE in ``u`` itself, held to the engine's derived float64 bound."""
    u0, ts = 2.0, [0.5, 2.0]
    with mpmath.workdps(30):
        rate = mpmath.odefun(lambda _t, u: depth * u ** (2 - mpmath.mpf(2) / depth) * (mpmath.mpf(s) - u), 0, u0)
        ref = [rate(t) for t in ts]
    got = deep_aligned_singular_value(ts, u0, s, depth)
    for t, r, g in zip(ts, ref, got):
        assert abs(g - r) <= _float_tol(t, u0, s, depth) * abs(r), (t, g, r)
        assert abs(-deep_aligned_singular_value(t, -u0, -s, depth) - r) <= _float_tol(t, u0, s, depth) * abs(r)


def test_huge_scale_separation_is_answered_in_float64():
    """u0 = 1e-300 growing to s = 1e300 (N = 6): the float64 set-up leaves its range, the 17-digit path answers."""
    assert deep_aligned_singular_value(1e300, 1e-300, 1e300, 6) == 1e300


@pytest.mark.parametrize("depth", [2, 3, 6])
def test_zero_target_at_a_subnormal_tau_obeys_time_rescaling(depth):
    # s = 0 with tau = 2^-1074: c = (2N - 2) u0^{2-2/N} / tau overflowed and u(t) came out 0 (true: ~1e-221);
    # an independent route: the flow depends on t / tau only, so u(2^-100; tau = 2^-1074) = u(2^974; tau = 1),
    # where nothing overflows (both powers of two: the rescaled times are exact)
    u0 = 0.5
    got = deep_aligned_singular_value(2.0**-100, u0, 0.0, depth, tau=2.0**-1074)
    ref = deep_aligned_singular_value(2.0**974, u0, 0.0, depth, tau=1.0)
    assert ref > 0
    # each within the engine's derived first-order relative bound (deep_aligned_accuracy, in eps): above
    # A_POSTERIORI the bound is a measured error instead, which would accept any value
    bounds = [float64_error_bound(2.0**-100, u0, 0.0, depth, 2.0**-1074), float64_error_bound(2.0**974, u0, 0.0, depth)]
    assert max(bounds) <= A_POSTERIORI, bounds
    assert abs(got - ref) <= sum(bounds) * FLOAT64_EPS * ref
