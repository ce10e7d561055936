"""Property tests at extreme magnitudes (issue 15, item 5): every scalar and scale parameter spans 1e-300..1e300.

The reference is independent of the closed forms under test: the *implicit* solution of the scalar ODE
``ds/dt = 2 sqrt(s^2 + c^2)(s* - s)`` (time as a function of the value, a logarithm of a ratio, derived by
partial fractions in ``v = e^u``, ``s = c sinh u``; the logistic law for ``c = 0``; ``1/s`` linear in t for
``s* = c = 0``), evaluated in mpmath at 2600 bits, where every difference of float inputs is exact.
The check is a bracket: a value ``x`` is within ``delta`` of the true ``s(t)`` iff ``t`` lies between the
times at which the trajectory passes ``x - delta`` and ``x + delta`` (the flow is monotone). ``delta`` is
the derived float64 bound (:data:`~lazyrich._exact.scalar_mode.FLOAT64_ULPS` ulp) or ``10^-(N-1)``
relative for ``dps=N``. The single neuron with ``d = 1`` obeys the same ODE for ``beta = a w`` (with
``c = |delta| / (2 sqrt(eta_a eta_w))`` and time ``sqrt(eta_a eta_w) t``), so the same reference applies.
"""

from __future__ import annotations

import math
import warnings

import mpmath
import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from lazyrich import SingleNeuronExact, aligned_singular_value, mixed_aligned_singular_value
from lazyrich._exact.scalar_mode import FLOAT64_ULPS

REF_BITS = 2600  # > 2 * 1075 + 53 + margin: every sum/difference of two float64 numbers is exact


def magnitude(lo: int = -300, hi: int = 300):
    """Positive floats, log-uniform over 10^lo .. 10^hi."""
    return st.tuples(st.integers(lo, hi), st.floats(1.0, 9.999)).map(lambda p: p[1] * 10.0 ** p[0])


def signed(lo: int = -300, hi: int = 300):
    return st.one_of(st.just(0.0), magnitude(lo, hi), magnitude(lo, hi).map(lambda x: -x))


def implicit_time(x, s0, s_star, c):
    """Time (unit rate) at which the trajectory from ``s0`` passes ``x``: -inf before the start, +inf never."""
    x, s0, s_star, c = (mpmath.mpf(v) for v in (x, s0, s_star, c))
    if s_star < 0:
        x, s0, s_star = -x, -s0, -s_star
    if x == s0:
        return mpmath.mpf(0)
    if c == 0:
        limit = s_star if s0 > 0 else mpmath.mpf(0)  # c = 0, s0 < 0: the saddle s = 0 is approached, not crossed
    else:
        limit = s_star
    if s0 == limit:  # a fixed point: the trajectory passes no other value
        return -mpmath.inf if x < s0 else mpmath.inf
    if (x - s0) * (limit - s0) < 0:
        return -mpmath.inf
    if (x - limit) * (limit - s0) >= 0:
        return mpmath.inf
    if c == 0 and s_star == 0:  # ds/dt = -2 |s| s: 1/|s| grows like 2t
        return (1 / abs(x) - 1 / abs(s0)) / 2
    if c == 0:  # logistic: 2 s* t = ln[x (s* - s0) / (s0 (s* - x))], its reciprocal on the saddle side s0 < 0
        log = mpmath.log(x * (s_star - s0) / (s0 * (s_star - x))) / (2 * s_star)
        return log if s0 > 0 else -log
    R = mpmath.hypot(s_star, c)

    def p(s):
        r = mpmath.hypot(s, c)
        return s + r if s >= 0 else c * c / (r - s)

    def p_minus_ps(s):  # p(s) - p(s*) = (s - s*)(p(s) + p(s*)) / (r(s) + R): no cancellation
        return (s - s_star) * (p(s) + ps) / (mpmath.hypot(s, c) + R)

    ps, m = p(s_star), c * c / (R + s_star)  # m = R - s* (s* >= 0 here)
    return mpmath.log(p_minus_ps(s0) * (p(x) + m) / (p_minus_ps(x) * (p(s0) + m))) / (2 * R)


def assert_within(value, delta, t, s0, s_star, c, scale=1.0, tau=1.0):
    """``value`` is within ``delta`` of the exact ``s(t)`` at unit-rate time ``t scale / tau`` (formed exactly)."""
    with mpmath.workprec(REF_BITS):
        v, d = mpmath.mpf(value), max(mpmath.mpf(delta), mpmath.mpf(2) ** -1100)  # an exact 0 stays checkable
        t_lo, t_hi = (implicit_time(v + sgn * d, s0, s_star, c) for sgn in (-1, 1))
        tt = mpmath.mpf(t) * mpmath.mpf(scale) / mpmath.mpf(tau)
        ok = min(t_lo, t_hi) <= tt <= max(t_lo, t_hi)
    assert ok, f"s({t}) = {value} is not within {float(delta):.3g} of the exact value (s0={s0}, s*={s_star}, c={c})"


def float_delta(x: float) -> float:
    return FLOAT64_ULPS * max(math.ulp(abs(x)), 2.0**-1074)


def times(rate: float, k: int) -> float:
    """A time ``10^k / rate`` (the interesting range), or ``10^k`` where that leaves the float range."""
    t = 10.0**k / rate if rate > 0 else 10.0**k
    return t if math.isfinite(t) and t > 0 else 10.0**k


def no_warnings(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return fn()


@settings(deadline=None)
@given(signed(), signed(), st.one_of(st.just(0.0), magnitude()), magnitude(-300, 300), st.integers(-6, 5))
def test_aligned_float64_matches_the_implicit_solution(s0, s_star, lam, tau, k):
    c = abs(lam) / 2
    t = times(2 * math.hypot(s_star, c) / tau if math.isfinite(math.hypot(s_star, c) / tau) else 1e300, k)
    value = no_warnings(lambda: aligned_singular_value(t, s0, s_star, lam, tau=tau))
    assert math.isfinite(value)
    assert_within(value, float_delta(value), t, s0, s_star, mpmath.mpf(abs(lam)) / 2, tau=tau)


@settings(deadline=None)
@given(signed(), signed(), st.one_of(st.just(0.0), magnitude()), st.integers(-6, 5))
def test_mixed_float64_and_dps_match_the_implicit_solution(s0, s_star, c, k):
    t = times(2 * math.hypot(s_star, c), k)
    value = no_warnings(lambda: mixed_aligned_singular_value(t, s0, s_star, c))
    assert math.isfinite(value)
    assert_within(value, float_delta(value), t, s0, s_star, c)
    digits = mixed_aligned_singular_value(t, s0, s_star, c, dps=20)  # never an exact 0 for a non-zero value
    assert digits != 0 or (s0 == 0 and (c == 0 or s_star == 0))
    assert_within(digits, abs(digits) * mpmath.mpf(10) ** -19, t, s0, s_star, c)


@settings(deadline=None)
@given(signed(), st.floats(0.1, 10.0), st.integers(-6, 8))
def test_saddle_side_decays_with_relative_accuracy(s0, s_star, k):
    # lambda = 0, s0 < 0 < s*: s decays to 0 like e^{-2 s* t}; dps= keeps its digits far below float64
    assume(s0 < 0)
    t = times(2 * s_star, k)
    value = aligned_singular_value(t, s0, s_star, 0.0)
    assert_within(value, float_delta(value), t, s0, s_star, 0)
    digits = aligned_singular_value(t, s0, s_star, 0.0, dps=15)
    assert digits < 0
    assert_within(digits, abs(digits) * mpmath.mpf(10) ** -14, t, s0, s_star, 0)


@settings(deadline=None)
@given(
    signed(-150, 150), signed(-150, 150), signed(-150, 150), magnitude(-50, 50), magnitude(-50, 50), st.integers(-4, 4)
)
def test_single_neuron_d1_matches_the_implicit_solution(a0, w0, beta_star, eta_a, eta_w, k):
    # d = 1: beta = a w solves d beta/dt = sqrt(delta^2 + 4 eta_a eta_w beta^2)(beta* - beta), the aligned ODE
    assume(a0 != 0 or w0 != 0)
    sn = SingleNeuronExact(a0, [w0], [beta_star], eta_a=eta_a, eta_w=eta_w)
    with mpmath.workprec(REF_BITS):
        g = mpmath.sqrt(mpmath.mpf(eta_a) * mpmath.mpf(eta_w))
        delta = mpmath.mpf(eta_w) * mpmath.mpf(a0) ** 2 - mpmath.mpf(eta_a) * mpmath.mpf(w0) ** 2
        s0, c = mpmath.mpf(a0) * mpmath.mpf(w0), abs(delta) / (2 * g)
        rate = float(2 * g * mpmath.hypot(beta_star, c))
    t = times(rate, k)
    beta = no_warnings(lambda: sn.beta(t))
    assert np.all(np.isfinite(beta))
    # the float64 accuracy of the single neuron: O(eps) relative to max(|beta*|, |beta|) (its error scale), plus
    # the rounding of its exponents (<= 2 rate t, each exp(-fl(x)) off by x eps; it has no double-double exponent)
    scale = max(abs(beta_star), abs(float(beta[0])), 2.0**-1074)
    with mpmath.workprec(REF_BITS):
        bound = (64 + 8 * rate * t) * 2.0**-52 * scale
        assert_within(float(beta[0]), max(bound, 4 * 2.0**-1074), t, s0, beta_star, c, scale=g)  # subnormal: absolute
