"""The derived float64 error bound of the single neuron (lazyrich._exact.single_neuron_accuracy) holds.

Every float64 value of ``a(t)``, ``w(t)`` and ``beta(t)`` is within :func:`float64_error_bound` of the certified
Arb enclosure of the exact trajectory (an independent evaluation: ball arithmetic from the exact float inputs),
for ``delta`` negative, zero and positive, ``a0`` and ``|w0|`` from 1e-150 to 1e150, unequal learning rates and
t in {0, 1e-300, 1e-3, 1, 1e3, 1e6}. The check is certified: ``|x - mid| + rad <= bound`` entrywise, with the
enclosure's precision raised until its radii are below 2^-10 of the bound.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from lazyrich import SingleNeuronExact
from lazyrich._exact.single_neuron_accuracy import float64_error_bound
from lazyrich.certified import certified_single_neuron

pytest.importorskip("flint")

TIMES = [0.0, 1e-300, 1e-3, 1.0, 1e3, 1e6]
#: Largest precision the reference is raised to (its radii only decide the check; the bound does not depend on it).
MAX_BITS = 3840


def worst_ratio(sn: SingleNeuronExact) -> float:
    """``max (|x - mid| + rad) / bound`` over every entry of ``a, w, beta`` at :data:`TIMES`, asserting it is <= 1.

    An entry whose certified distance is the smallest subnormal 2^-1074 (the distance bound of an exact match, e.g.
    a component that is exactly 0 in both) is left out of the ratio; the bound is at least that large.
    """
    bound = float64_error_bound(sn, TIMES)
    got = (sn.a(TIMES), sn.w(TIMES), sn.beta(TIMES))
    bits = 120
    while True:
        encs = certified_single_neuron(sn, TIMES, bits=bits)
        if bits >= MAX_BITS or all(np.all(e.rad <= b * 2.0**-10) for e, b in zip(encs, bound)):
            break
        bits *= 2
    worst = 0.0
    for enc, x, b in zip(encs, got, bound):
        dist = enc.distance_bound(x)
        assert np.all(dist <= b), (sn, dist, b)
        worst = max(worst, float(np.max(np.where(dist > 2.0**-1074, dist / b, 0.0))))
    return worst


def _magnitude(lo: int, hi: int):
    """A float ``m 10^e`` with mantissa ``m`` in [1, 10) and exponent in [lo, hi], either sign."""
    return st.builds(
        lambda m, e, sign: sign * m * 10.0**e,
        st.floats(1.0, 9.999),
        st.integers(lo, hi),
        st.sampled_from([1.0, -1.0]),
    )


@st.composite
def neurons(draw):
    """(a0, w0, beta_star, eta_a, eta_w) with the sign of delta chosen by construction."""
    d = draw(st.integers(1, 3))
    kind = draw(st.sampled_from(["negative", "zero", "positive"]))
    beta = [draw(st.one_of(st.just(0.0), _magnitude(-3, 3))) for _ in range(d)]
    if kind == "zero":  # delta = 0 exactly: w0 = +-a0 along one axis, equal rates
        a0 = draw(_magnitude(-150, 150))
        w0 = [0.0] * d
        w0[draw(st.integers(0, d - 1))] = draw(st.sampled_from([1.0, -1.0])) * a0
        eta = draw(st.sampled_from([1.0, 0.5, 3.0]))
        return a0, w0, beta, eta, eta
    big, small = sorted((draw(st.integers(-150, 150)), draw(st.integers(-150, 150))), reverse=True)
    big += 1  # |big| > 10 |small| component-wise: with rates in [0.5, 2], delta has the chosen sign
    large = draw(_magnitude(big, big))
    w_small = [draw(st.one_of(st.just(0.0), _magnitude(small - 1, small - 1))) for _ in range(d)]
    eta_a, eta_w = draw(st.sampled_from([1.0, 0.5, 2.0])), draw(st.sampled_from([1.0, 0.5, 2.0]))
    if kind == "positive":  # eta_w a0^2 > eta_a |w0|^2
        return large, w_small, beta, eta_a, eta_w
    a0 = draw(st.one_of(st.just(0.0), _magnitude(small - 1, small - 1)))
    w0 = [0.0] * d
    w0[draw(st.integers(0, d - 1))] = large
    return a0, w0, beta, eta_a, eta_w


@settings(max_examples=100, deadline=None)
@given(neurons())
@example((0.3, [0.3, 0.0], [-1.0, 0.2], 1.0, 1.0)).via("delta = 0")
@example((0.5, [-2.0], [1.0], 1.0, 1.0)).via("delta < 0: a crosses zero")
@example((0.0, [0.0, 1.0], [1.0, 0.0], 1.0, 1.0)).via("basin boundary c_+ = 0: m_hat underflows")
@example((1.0, [0.5, -0.5], [0.0, 0.0], 1.0, 1.0)).via("beta_* = 0")
@example((2.0, [0.0], [1.0], 1.0, 1.0)).via("w0 = 0")
@example((1e150, [1e-150], [1.0], 1.0, 1.0)).via("huge a0, tiny w0")
@example((1e-150, [1e150, 1.0], [1.0, 3.0], 1.0, 1.0)).via("tiny a0, huge w0")
@example((1e-30, [1e-30], [1.0], 1.0, 1.0)).via("tiny balanced init")
@example((1.0, [0.6, 0.8 - 1e-12], [1.0, 0.5], 1.0, 1.0)).via("delta ~ 1e-12")
@example((1.0, [0.5, -0.5], [1.0, 2.0], 0.5, 2.0)).via("unequal rates")
@example((15.0, [0.1, 0.0], [1.0, 0.5], 1.0, 1.0)).via("delta = +225 (lazy)")
@example((0.1, [10.0, -10.0], [1.0, 0.5], 1.0, 1.0)).via("delta = -200 (rich)")
def test_float64_within_derived_bound(args):
    a0, w0, beta, eta_a, eta_w = args
    if a0 == 0 and not any(w0):
        return  # the saddle at the origin (rejected by the constructor)
    assert worst_ratio(SingleNeuronExact(a0, w0, beta, eta_a=eta_a, eta_w=eta_w)) <= 1.0


def test_bound_is_a_few_dozen_roundings_on_moderate_inputs():
    # not vacuous: away from cancellation the bound is the count of roundings along the path (module docstring),
    # a few dozen unit roundoffs of the scale, while a 1e-12 relative perturbation is ~1e4 of them
    sn = SingleNeuronExact(0.1, [1.0, 0.5], [1.0, -2.0])
    bound = float64_error_bound(sn, TIMES).beta
    scale = np.abs(sn.beta(TIMES)).max(axis=1)
    assert np.all(bound.max(axis=1) / scale < 1e-12)
