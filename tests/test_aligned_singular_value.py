"""aligned_singular_value (Dominé et al. (2025), Thm 5.1): solves the scalar ODE for every lambda, limits, float64 at large t."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from scipy.integrate import solve_ivp

from lazyrich import (
    FLOAT64_EPS,
    InvalidParameterError,
    NonFiniteError,
    PrecisionError,
    aligned_singular_value,
    mixed_aligned_singular_value,
    mp_tolerance,
    ode_global_tolerance,
)
from lazyrich._exact.scalar_mode import FLOAT64_ULPS

RTOL = 1e-12


def _ode(ts, s0, st_, lam, tau):
    sol = solve_ivp(
        lambda _t, s: np.sqrt(lam**2 + 4 * s**2) * (st_ - s) / tau,
        (0, ts[-1]),
        [s0],
        method="DOP853",
        t_eval=ts,
        rtol=RTOL,
        atol=RTOL * max(abs(s0), abs(st_)),
    )
    steps = max(sol.nfev // 12, 1)
    return sol.y[0], ode_global_tolerance(steps, RTOL, RTOL * max(abs(s0), abs(st_)), max(abs(s0), abs(st_)))


@given(st.floats(-5, 5), st.floats(0.01, 3), st.floats(0.1, 3), st.floats(0.5, 2))
@example(0.0, 0.1, 2.0, 1.0)
@example(0.0, 2.5, 0.5, 1.0)
@example(-5.0, 0.01, 3.0, 0.5)
def test_matches_ode(lam, s0, st_, tau):
    ts = np.linspace(0, 4, 9)
    ref, tol = _ode(ts, s0, st_, lam, tau)
    got = aligned_singular_value(ts, s0, st_, lam, tau=tau)
    assert np.abs(got - ref).max() <= tol


@pytest.mark.parametrize("lam", [-2.0, 0.0, 1.5])
def test_negative_initial_value_reversal(lam):
    # s0 < 0 < s~ (reversal); at lambda = 0 the mode is stuck at the saddle side
    ts = np.linspace(0, 3, 7)
    ref, tol = _ode(ts, -0.4, 1.2, lam, 1.0)
    assert np.abs(aligned_singular_value(ts, -0.4, 1.2, lam) - ref).max() <= tol


@pytest.mark.parametrize("lam", [-3.0, -0.3, 0.0, 0.3, 3.0])
def test_closed_form_solves_the_ode_and_implementation_matches_it(lam):
    # residual of tau ds/dt = sqrt(lam^2 + 4 s^2)(s~ - s), d/dt by mpmath.diff at 40 digits, then
    # the implementation (stable rearrangement of P and M) against the direct transcription
    s0, st_, tau = 0.2, 1.7, 1.3
    with mpmath.workdps(40):
        mp_s0, mp_st, mp_tau = (mpmath.mpf(x) for x in (s0, st_, tau))

        def f(x):
            return _mp_s(x, mp_s0, mp_st, lam, mp_tau)

        for t in (0.125, 1.0, 4.0):
            lhs = mp_tau * mpmath.diff(f, t)
            rhs = mpmath.sqrt(mpmath.mpf(lam) ** 2 + 4 * f(t) ** 2) * (mp_st - f(t))
            assert abs(lhs - rhs) <= mp_tolerance(30)  # numerical differentiation costs ~10 digits
            got = aligned_singular_value(t, s0, st_, lam, tau=tau, dps=30)
            assert abs(got - f(mpmath.mpf(t))) <= mp_tolerance(30)


def _mp_s(t, s0, st_, lam, tau):
    # closed form of Dominé et al. (2025), Eq. 17 written out directly (independent of the implementation's rearrangement)
    lam = mpmath.mpf(lam)
    mu = mpmath.sqrt(st_**2 + lam**2 / 4)
    mu0 = mpmath.sqrt(s0**2 + lam**2 / 4)
    P = mu * mu0 + lam**2 / 4 + st_ * s0
    M = mu * mu0 - lam**2 / 4 - st_ * s0
    E = mpmath.exp(-2 * mu * t / tau)
    gamma = (P - (lam**2 / 2 + 2 * st_ * s0) * E - M * E**2) / (P + 2 * st_ * (st_ - s0) * E - M * E**2)
    return s0 + gamma * (st_ - s0)


def test_float64_stable_for_huge_t_against_mpmath():
    ts = np.array([0.0, 1.0, 10.0, 100.0, 1e3, 1e6])
    for lam in (-40.0, -1e-3, 0.0, 2.0, 40.0):
        with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow of E is harmless
            got = aligned_singular_value(ts, 1e-3, 2.5, lam)
        ref = aligned_singular_value(ts, 1e-3, 2.5, lam, dps=30)
        assert np.all(np.isfinite(got))
        # the module's derived float64 bound (FLOAT64_ULPS ulp); the certified 30 digits add < 1e-13 ulp
        assert max(_ulps(g, r) for g, r in zip(got, ref)) <= FLOAT64_ULPS


def test_lambda_zero_is_saxe_sigmoid():
    s0, st_ = 0.01, 2.0
    ts = np.linspace(0, 5, 11)
    e = np.exp(2 * st_ * ts)
    saxe = st_ * s0 * e / (st_ + s0 * (e - 1))
    # engine: FLOAT64_ULPS ulp (<= FLOAT64_ULPS eps relative). Reference: ts = 0.5 k and 2 s~ t are exact, exp is
    # within 1 ulp (2 u) and d ln(saxe) / d ln(e) = (s~ - s0) / (s~ + s0 (e - 1)) is in [0, 1]; then 6 roundings
    # (st_ s0, * e, e - 1, s0 *, +, /): 8 u
    rtol = FLOAT64_ULPS * FLOAT64_EPS + 8 * FLOAT64_EPS / 2
    assert np.all(np.abs(aligned_singular_value(ts, s0, st_, 0.0) - saxe) <= rtol * np.abs(saxe))


def test_large_lambda_is_shallow_exponential():
    # |lambda| -> inf: s(t) = s~ + (s0 - s~) e^{-|lambda| t}, with O(s^2/|lambda|) corrections in the rate
    s0, st_ = 0.3, 1.1
    for lam in (1e4, -1e4):
        ts = np.linspace(0, 5 / abs(lam), 11)
        shallow = st_ + (s0 - st_) * np.exp(-abs(lam) * ts)
        # the ODE is linear in s~ - s with rate sqrt(lam^2 + 4 s^2) in [|lam|, |lam| (1 + 2 s_max^2 / lam^2)]
        # (s between s0 and s~), so s = s~ + (s0 - s~) e^{-I(t)} exactly with |lam| t <= I <= |lam| t (1 + 2 s_max^2 /
        # lam^2): |s - shallow| <= |s0 - s~| 2 s_max^2 / lam^2 max_x x e^{-x} = 2 |s0 - s~| s_max^2 / (e lam^2).
        # Rounding: engine FLOAT64_ULPS eps s~; reference: the exponent |lam| t (3 u relative on <= 5), exp (2 u),
        # the product and sum (2 u): 18 u |s0 - s~| + u s~
        s_max = max(abs(s0), abs(st_))
        model = 2 * abs(s0 - st_) * s_max**2 / (math.e * lam**2)
        rounding = FLOAT64_ULPS * FLOAT64_EPS * st_ + 9 * FLOAT64_EPS * abs(s0 - st_) + FLOAT64_EPS / 2 * st_
        assert np.abs(aligned_singular_value(ts, s0, st_, lam) - shallow).max() <= model + rounding


def test_degenerate_branches():
    # lambda = 0 and s~ = 0: tau ds/dt = -2|s| s -> s0 / (1 + 2|s0| t)
    # engine within FLOAT64_ULPS ulp; the reference 0.5 / 3 rounded once (u)
    rtol = FLOAT64_ULPS * FLOAT64_EPS + FLOAT64_EPS / 2
    np.testing.assert_allclose(aligned_singular_value([0.0, 2.0], 0.5, 0.0, 0.0), [0.5, 0.5 / 3], rtol=rtol)
    assert aligned_singular_value(3.0, 0.0, 0.0, 0.0) == 0.0
    assert aligned_singular_value(3.0, 0.0, 1.0, 0.0) == 0.0  # zero-balanced saddle


def test_bad_inputs():
    with pytest.raises(InvalidParameterError):
        aligned_singular_value(-1.0, 0.1, 1.0, 0.0)
    with pytest.raises(NonFiniteError):
        aligned_singular_value(1.0, np.nan, 1.0, 0.0)
    with pytest.raises(InvalidParameterError):
        aligned_singular_value(1.0, 0.1, 1.0, 0.0, tau=-1.0)
    with pytest.raises(InvalidParameterError):
        aligned_singular_value(1.0, 0.1, 1.0, 0.0, dps=0)


# ---------------------------------------------------------------------------------------------- issue 15 reproducers
def _ulps(x: float, ref) -> float:
    """|x - ref| in units of the last place of ``ref`` (at least the smallest subnormal)."""
    ref = mpmath.mpf(ref)
    return float(abs(mpmath.mpf(x) - ref) / max(np.spacing(abs(float(ref))), 2.0**-1074))


@pytest.mark.parametrize("s0", [1e6, 1e10, 1e20, 1e76, 1e200, 1e300])
def test_large_s0_is_accurate_to_the_derived_bound(s0):
    # a singular value far above its target: ds/dt ~ -2 s^2 first, then the approach to s~ (issue 15)
    ref = aligned_singular_value(1.0, s0, 2.0, 1.0, dps=40)
    assert 2.03 < ref < 2.04  # never 0, never OverflowError
    assert _ulps(aligned_singular_value(1.0, s0, 2.0, 1.0), ref) <= FLOAT64_ULPS
    assert abs(aligned_singular_value(1.0, s0, 2.0, 1.0, dps=30) - ref) <= mpmath.mpf(10) ** -29 * ref


def _saddle_logistic(t, s0, st_):
    """lambda = 0, s0 < 0 < s~: s = s~ s0 e / (s~ + |s0| (1 - e)), e = exp(-2 s~ t) (the mirror logistic), 60 digits."""
    with mpmath.workdps(60):
        e = mpmath.exp(-2 * mpmath.mpf(st_) * mpmath.mpf(t))
        return st_ * mpmath.mpf(s0) * e / (st_ + abs(mpmath.mpf(s0)) * (1 - e))


def test_saddle_side_keeps_its_relative_accuracy():
    # issue 15: float64 returned 0 at t = 10 (true -1.699e-18) and dps=30 an exact 0 at t = 50 (true -5.5356e-88)
    for t in (0.5, 10.0, 50.0, 150.0):
        assert _ulps(aligned_singular_value(t, -0.5, 2.0, 0.0), _saddle_logistic(t, -0.5, 2.0)) <= FLOAT64_ULPS
    got = aligned_singular_value(50.0, -0.5, 2.0, 0.0, dps=30)
    ref = _saddle_logistic(50.0, -0.5, 2.0)
    assert got != 0 and abs(got - ref) <= mpmath.mpf(10) ** -29 * abs(ref)
    deep = aligned_singular_value(1e6, -0.5, 2.0, 0.0, dps=20)  # e^{-4e6}: far below float64, still 20 digits
    assert deep != 0 and abs(deep - _saddle_logistic(1e6, -0.5, 2.0)) <= mpmath.mpf(10) ** -19 * abs(deep)


def test_huge_lambda_and_s0_are_finite_and_typed():
    # issue 15: lam = 1e200 gave NaN, s0 = 1e200 and (lam = 1e155, dps=30) an OverflowError
    assert aligned_singular_value(1.0, 0.1, 2.0, lam=1e200) == 2.0  # rate 1e200: converged at once
    assert aligned_singular_value(1e-205, 0.1, 2.0, lam=1e200) == pytest.approx(
        float(aligned_singular_value(1e-205, 0.1, 2.0, lam=1e200, dps=30)), rel=FLOAT64_ULPS * 2.0**-52
    )
    assert abs(aligned_singular_value(1.0, 0.1, 2.0, lam=1e155, dps=30) - 2) < mpmath.mpf(10) ** -29
    # the literal is the 40-digit value rounded to float64 (u); the engine within FLOAT64_ULPS ulp
    rel = FLOAT64_ULPS * FLOAT64_EPS + FLOAT64_EPS / 2
    assert aligned_singular_value(1.0, 1e200, 2.0, 1.0) == pytest.approx(2.0344404504804325, rel=rel, abs=0)


def test_float64_within_the_derived_bound_over_regimes():
    # float64 vs 30 certified digits, relative, in ulps: every regime of the form (module scalar_mode)
    cases = [
        (0.1, 2.0, 0.5),
        (-1.0, 2.0, 0.5),
        (3.0, 2.0, 1e-3),
        (-0.5, 2.0, 0.0),
        (1e-300, 1e300, 1e-300),
        (-1e300, 1e-300, 1e300),
        (1e-3, -2.0, 1e8),
        (5.0, 0.0, 0.0),
        (-2.0, 0.0, 3.0),
    ]
    for s0, st_, lam in cases:
        R = float(np.hypot(st_, lam / 2)) or 1.0
        ts = [0.0, *(x / R for x in (1e-6, 0.01, 0.3, 1.0, 3.0, 30.0, 1e4))]
        ts = [x for x in ts if np.isfinite(x)]
        got = aligned_singular_value(ts, s0, st_, lam)
        ref = aligned_singular_value(ts, s0, st_, lam, dps=30)
        worst = max(_ulps(g, r) for g, r in zip(got, ref))
        assert worst <= FLOAT64_ULPS, (s0, st_, lam, worst)


def test_dps_path_is_certified_not_confirmed(monkeypatch):
    # corrupt the Arb evaluation: exp at float64 accuracy with an honest radius. A certified driver can only
    # refuse (PrecisionError); re-evaluating at a second precision would agree with itself and accept.
    import flint

    import lazyrich._numerics.arb_digits as arb_digits
    from lazyrich._numerics.arb import ArbScalar

    def float_exp(x):
        v = math.exp(float(x.mid()))
        return flint.arb(v, 4 * math.ulp(v))

    monkeypatch.setattr(ArbScalar, "exp", staticmethod(float_exp))
    monkeypatch.setattr(arb_digits, "MAX_BITS", 2048)
    with pytest.raises(PrecisionError):
        aligned_singular_value(1.0, 0.1, 2.0, 0.5, dps=30)
    with pytest.raises(PrecisionError):
        mixed_aligned_singular_value(1.0, 0.1, 2.0, 0.5, dps=30)
