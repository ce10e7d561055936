"""mixed_aligned_singular_value: the exact aligned solution of ds/dt = 2 sqrt(s^2 + c^2)(s* - s) (derived here from Tu et al. (2024), eq. (1)).

Oracles: mpmath's Taylor ODE solver (independent of the closed form), scipy's
DOP853 (float64), the Saxe logistic law (c -> 0) and the lazy law (c -> infinity).
"""

from __future__ import annotations

import mpmath as mp
import numpy as np
import pytest
from scipy.integrate import solve_ivp

from derivations.rounding import LIBM_ULPS, gamma
from helpers import digits_tolerance
from lazyrich import (
    FLOAT64_EPS,
    InvalidParameterError,
    NonFiniteError,
    mixed_aligned_singular_value,
    mp_tolerance,
    ode_global_tolerance,
)
from lazyrich._exact.scalar_mode import FLOAT64_ULPS


@pytest.mark.parametrize(
    "s0, st_, c",
    [
        ("0.3", "2", "0.5"),
        ("-1", "2", "0.5"),
        ("3", "1", "0.1"),
        ("-2", "-1", "0.7"),
        ("1", "0", "0.3"),
        ("0", "5", "1e-3"),
    ],
)
def test_matches_mpmath_ode_solver(s0, st_, c):
    """Closed form at 30 digits vs mp.odefun (Taylor series at working precision), tolerance eps**0.8."""
    dps = 30
    with mp.workdps(dps):
        s0m, stm, cm = mp.mpf(s0), mp.mpf(st_), mp.mpf(c)
        f = mp.odefun(lambda t, s: 2 * mp.sqrt(s * s + cm * cm) * (stm - s), 0, s0m)
        for t in ("0.1", "0.7", "1.5"):
            exact = mixed_aligned_singular_value(mp.mpf(t), s0m, stm, cm, dps=dps)
            assert abs(exact - f(mp.mpf(t))) <= mp_tolerance(dps) * max(1, abs(stm))


@pytest.mark.parametrize("s0, st_, c", [(0.3, 2.0, 0.5), (-1.0, 2.0, 0.5), (3.0, 1.0, 0.1), (-2.0, -1.0, 0.7)])
def test_matches_solve_ivp(s0, st_, c):
    t = np.linspace(0.0, 4.0, 17)
    rtol = 1e-12
    atol = rtol * max(abs(s0), abs(st_))
    sol = solve_ivp(
        lambda _t, y: 2 * np.sqrt(y**2 + c**2) * (st_ - y),
        (0, 4),
        [s0],
        t_eval=t,
        rtol=rtol,
        atol=atol,
        method="DOP853",
    )
    tol = ode_global_tolerance(sol.nfev // 12, rtol, atol, max(abs(s0), abs(st_)))
    assert np.max(np.abs(mixed_aligned_singular_value(t, s0, st_, c) - sol.y[0])) <= tol


def test_c_to_zero_is_the_logistic_law_without_loss_of_accuracy():
    t = np.linspace(0, 6, 13)
    s0, st_ = 0.1, 2.0
    logistic = st_ * s0 / (s0 + (st_ - s0) * np.exp(-2 * st_ * t))
    # the reference: t = k/2 and -2 s~ t are exact, exp within LIBM_ULPS ulp (2 LIBM_ULPS u), then s~ - s0, the
    # product, the sum of two positive terms, s~ s0 and the quotient (one rounding each): gamma_{2 LIBM_ULPS + 5}
    rounding = gamma(2 * LIBM_ULPS + 5) * np.abs(logistic)
    for c in (1e-30, 1e-120, 1e-300, 0.0):
        # the c-correction: d = s_c - s_0 has |d|' <= 2 (sqrt(s^2 + c^2) - s)(s~ - s0) + 2 s~ |d| with
        # sqrt(s^2 + c^2) - s <= c^2 / (2 s0) (s rises from s0 to s~, and |d/ds s (s~ - s)| <= s~ there); Gronwall:
        # |d| <= c^2 (s~ - s0) e^{2 s~ T} / (2 s~ s0) (c^2 underflows to 0 at c = 1e-300: below 2^-1074)
        correction = c * c * (st_ - s0) * np.exp(2 * st_ * t[-1]) / (2 * st_ * s0)
        # the engine within its derived FLOAT64_ULPS ulp of the exact value
        tol = FLOAT64_ULPS * FLOAT64_EPS * (np.abs(logistic) + rounding + correction) + rounding + correction
        assert np.all(np.abs(mixed_aligned_singular_value(t, s0, st_, c) - logistic) <= tol)
    # from below zero with c = 0 the value never crosses 0 (mirror logistic toward 0)
    neg = mixed_aligned_singular_value(t, -0.5, st_, 0.0)
    assert np.all(neg < 0) and np.all(np.diff(neg) > 0)


def test_negative_s0_crosses_zero_at_the_early_phase_time():
    """s0 < 0, c small: s = c sinh(2 s* t + asinh(s0/c)) while |s| << s*, so it crosses 0 at asinh(-s0/c)/(2 s*)."""
    s0, st_, c = -1e-3, 1.0, 1e-6
    t_cross = np.arcsinh(-s0 / c) / (2 * st_)
    before, after = mixed_aligned_singular_value([0.99 * t_cross, 1.01 * t_cross], s0, st_, c)
    assert before < 0 < after
    # the early phase formula: with s = c sinh(u) the ODE is du/dt = 2 (s* - s) exactly, the early law drops the -s:
    # u = u_early + du, du = -2 int_0^t s. While s <= 0, u' >= 2 s*, so du >= 0; and u' <= 2 (s* + |s0|) gives
    # u(t) <= u_early(t) + 2 |s0| t < 0 at t = t_cross / 2 (u_early = asinh(s0 / c) / 2 ~ -3.8, 2 |s0| t ~ 4e-3):
    # s in [s0, 0] on [0, t] and u_early <= u < 0, so |s| <= |early| there and
    # du <= 2 int c sinh(|u_early|) = (sqrt(s0^2 + c^2) - sqrt(early^2 + c^2)) / s*. By the mean value theorem (cosh
    # is largest at u_early on [u_early, u]), |s - early| <= c cosh(u_early) du = sqrt(early^2 + c^2) du
    t = 0.5 * t_cross
    a, b = np.arcsinh(s0 / c), 2 * st_ * t
    early = c * np.sinh(b + a)
    du = (np.hypot(s0, c) - np.hypot(early, c)) / st_
    model = np.hypot(early, c) * du
    # rounding of early: the argument is off by u (s0 / c inside asinh, whose slope is <= 1) + 2 LIBM_ULPS u |a|
    # (asinh) + u |b| (2 s* t; 2 s* is exact) + u |a + b| (the sum); sinh turns that into coth(|a + b|) times it
    # relative, plus its own 2 LIBM_ULPS u and c * (u). The engine: FLOAT64_ULPS ulp of the exact value
    u = FLOAT64_EPS / 2
    arg_err = u * (1 + 2 * LIBM_ULPS * abs(a) + abs(b) + abs(a + b))
    ref_err = abs(early) * (arg_err / np.tanh(abs(a + b)) + (2 * LIBM_ULPS + 1) * u)
    tol = model + ref_err + FLOAT64_ULPS * FLOAT64_EPS * (abs(early) + model + ref_err)
    assert abs(mixed_aligned_singular_value(t, s0, st_, c) - early) <= tol


def test_lazy_limit():
    """c >> |s|, |s*|: s = s* + (s0 - s*) exp(-2ct) up to a relative O((s/c)^2) change of the rate."""
    s0, st_, c = 0.2, 0.5, 1e4
    t = np.linspace(0, 2 / c, 9)
    x = 2 * c * t
    lazy = st_ + (s0 - st_) * np.exp(-x)
    # s - s* = (s0 - s*) exp(-I(t)) exactly, I = 2 int sqrt(s^2 + c^2) in [2 c t, 2 c t (1 + s_max^2 / (2 c^2))]
    # (s between s0 and s*, s_max = max(|s0|, |s*|)), so |s - lazy| <= |s0 - s*| e^-x x s_max^2 / (2 c^2)
    # <= |s0 - s*| s_max^2 / (2 e c^2)
    s_max = max(abs(s0), abs(st_))
    model = abs(s0 - st_) * s_max**2 / (2 * np.e * c**2)
    # rounding of lazy: -2 c t (u relative: |x| u absolute), exp (2 LIBM_ULPS u), s0 - s*, the product (u each) on
    # the term |s0 - s*| e^-x, and the sum (u |lazy|). The engine: FLOAT64_ULPS ulp of the exact value
    u = FLOAT64_EPS / 2
    ref_err = abs(s0 - st_) * np.exp(-x) * u * (x + 2 * LIBM_ULPS + 2) + u * np.abs(lazy)
    tol = model + ref_err + FLOAT64_ULPS * FLOAT64_EPS * (np.abs(lazy) + model + ref_err)
    assert np.all(np.abs(mixed_aligned_singular_value(t, s0, st_, c) - lazy) <= tol)


def test_no_overflow_and_fixed_point():
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        big = mixed_aligned_singular_value([0.0, 1e300], -3.0, 2.0, 0.5)
        huge = mixed_aligned_singular_value(1.0, 1e200, 2e200, 1e199)
    # converged (rate >= 2 sqrt(s^2 + c^2) >= 1 over t = 1e300; rate ~ 4e200 at t = 1) or at the fixed point: the
    # exact value is the target, so only the module's derived float64 bound is left (FLOAT64_ULPS ulp, relative)
    rel = FLOAT64_ULPS * FLOAT64_EPS / 2
    assert big[-1] == pytest.approx(2.0, rel=rel, abs=0)
    assert np.isfinite(huge) and huge == pytest.approx(2e200, rel=rel, abs=0)
    assert mixed_aligned_singular_value(3.0, 1.5, 1.5, 0.3) == pytest.approx(1.5, rel=rel, abs=0)
    assert mixed_aligned_singular_value(3.0, 0.0, 0.0, 0.0) == 0.0


def test_scalar_and_array_outputs():
    assert isinstance(mixed_aligned_singular_value(1.0, 0.1, 1.0, 0.5), float)
    out = mixed_aligned_singular_value([0.0, 1.0], 0.1, 1.0, 0.5)
    assert out.shape == (2,) and out[0] == 0.1
    mp_out = mixed_aligned_singular_value([0, 1], "0.1", "1", "0.5", dps=30)
    assert len(mp_out) == 2 and isinstance(mp_out[0], mp.mpf)


@pytest.mark.parametrize(
    "kwargs, err",
    [
        ({"t": -1.0}, InvalidParameterError),
        ({"c": -0.1}, InvalidParameterError),
        ({"s0": float("nan")}, NonFiniteError),
        ({"dps": 0}, InvalidParameterError),  # below MIN_DPS = 1 (one minimum for every dps= path)
        ({"dps": True}, InvalidParameterError),
        ({"c": -0.1, "dps": 30}, InvalidParameterError),
        ({"t": -1, "dps": 30}, InvalidParameterError),
    ],
)
def test_bad_input(kwargs, err):
    args = {"t": 1.0, "s0": 0.1, "s_target": 1.0, "c": 0.5, **kwargs}
    with pytest.raises(err):
        mixed_aligned_singular_value(**args)


# ---------------------------------------------------------------------------------------------- issue 15 reproducers
@pytest.mark.parametrize("c", [1e4, 1e8, 1e12, 1e15, 1e100, 1e300])
def test_large_c_keeps_full_relative_accuracy(c):
    # issue 15: relative error 1.6e-11 at c = 1e4 ... 1e-3 at 1e12, and 0 (even at t = 0) from c = 1e15
    ts = [0.0, 1e-3 / c, 0.3 / c, 1.0 / c, 10.0 / c, 1.0]
    got = mixed_aligned_singular_value(ts, 0.1, 2.0, c)
    ref = mixed_aligned_singular_value(ts, 0.1, 2.0, c, dps=30)
    assert got[0] == 0.1
    for g, r in zip(got, ref):
        assert abs(mp.mpf(g) - r) <= FLOAT64_ULPS * FLOAT64_EPS / 2 * abs(r)


def test_c_zero_saddle_side_and_dps_never_exact_zero():
    # c = 0, s0 < 0 < s*: the mirror logistic decays to 0; dps= keeps its digits far below float64
    got = mixed_aligned_singular_value(1e4, -0.5, 2.0, 0.0, dps=25)
    with mp.workdps(60):
        e = mp.exp(-4 * mp.mpf(1e4))
        ref = 2 * mp.mpf(-0.5) * e / (2 + mp.mpf(0.5) * (1 - e))
    # dps=25 is within digits_tolerance(25) of the exact value, relative (the 60-digit reference: 10^-59 more)
    assert got != 0 and abs(got - ref) <= (digits_tolerance(25) + digits_tolerance(60)) * abs(ref)


def test_without_python_flint_the_mpmath_fallback_gives_the_same_digits(monkeypatch):
    # issue 16: "a mpmath-only fallback may stay for an environment without python-flint"
    import lazyrich._exact.scalar_mode as scalar_mode
    from lazyrich import aligned_singular_value

    ts = [0.0, 0.7, 50.0]
    with_arb = [
        mixed_aligned_singular_value(ts, -1.0, 2.0, 0.5, dps=30),
        aligned_singular_value(ts, -0.5, 2.0, 0.0, dps=30),
    ]
    floats = [mixed_aligned_singular_value(ts, 1e-300, 2.0, 1e300), aligned_singular_value(ts, -0.5, 2.0, 0.0)]
    monkeypatch.setattr(scalar_mode, "flint_available", lambda: False)
    without = [
        mixed_aligned_singular_value(ts, -1.0, 2.0, 0.5, dps=30),
        aligned_singular_value(ts, -0.5, 2.0, 0.0, dps=30),
    ]
    for a, b in zip(with_arb, without):
        for x, y in zip(a, b):
            assert abs(x - y) <= 2 * digits_tolerance(30) * abs(x)  # each within digits_tolerance(30) of the exact
    np.testing.assert_array_equal(mixed_aligned_singular_value(ts, 1e-300, 2.0, 1e300), floats[0])
    np.testing.assert_array_equal(aligned_singular_value(ts, -0.5, 2.0, 0.0), floats[1])
