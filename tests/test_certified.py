"""Arb enclosures (lazyrich._numerics.arb): they contain independent high-precision values, are tight,
contain the float64 stable forms within their error bound, and reject a value one ulp beyond it.

Independent references: the mpmath paths at 80 digits (a different arithmetic; within 10^(1 - 80) of the
exact value, far below the enclosure radius), and for the two-layer net the float64 / mpmath
stable form (eigenbasis, Dominé et al. (2025), Thm 4.3) against the Arb basis-free Riccati form (Sec. 4).
The last tests check the one closed-form interface (:class:`lazyrich.ClosedForm`) on every exact solution.
"""

from __future__ import annotations

import sys

import mpmath
import numpy as np
import pytest

from helpers import digits_tolerance
from lazyrich import (
    FLOAT64_EPS,
    AlignedMode,
    ClosedForm,
    MissingDependencyError,
    MixedAlignedMode,
    PrecisionError,
    SingleNeuronExact,
    TwoLayerExact,
    aligned_singular_value,
    lambda_balanced_init,
    matrix_with_singular_values,
    mixed_aligned_singular_value,
)
from lazyrich._exact.scalar_mode import FLOAT64_ULPS
from lazyrich._exact.single_neuron_accuracy import float64_error_bound
from lazyrich.certified import (
    certified_aligned_singular_value,
    certified_mixed_aligned_singular_value,
    certified_qqt,
    require_flint,
    stable_qqt_error_bound,
)

TIMES = [0.0, 0.3, 5.0, 100.0, 1e4, 1e6]
# (s0, s_target, lam): lambda near 0, large |lambda|, reversal (s0 < 0), lambda exactly 0
ALIGNED = [(0.1, 2.0, 0.5), (0.1, 2.0, 1e-9), (0.3, 1.5, -40.0), (-0.5, 1.0, 2.0), (1e-3, 3.0, 0.0)]
# (s0, s_target, c): c near 0, c = 0 (logistic), negative target
MIXED = [(0.3, 2.0, 0.5), (-1.0, 2.0, 0.5), (0.1, 1.0, 1e-8), (0.2, 1.5, 0.0), (0.5, -1.0, 3.0)]
# The float64 aligned / mixed forms (lazyrich._exact.scalar_mode) are within FLOAT64_ULPS = 28 ulp relative at
# every t (the module's derived bound: 5 r + 18 ulp at cancellation r <= 2); an ulp is at most eps |value|.
SCALAR_BOUND = FLOAT64_ULPS * FLOAT64_EPS  # relative to each value
# dps=N values are within digits_tolerance(N) of the exact value, relative to it (each value <= the scale used)
MP_DPS = 80


def _ulp(x: float) -> float:
    return float(np.spacing(abs(x)))


@pytest.mark.parametrize("s0, st, lam", ALIGNED)
def test_aligned_enclosure_contains_mpmath_and_float64(s0, st, lam):
    enc = certified_aligned_singular_value(TIMES, s0, st, lam, bits=110)
    hp = aligned_singular_value(TIMES, s0, st, lam, dps=MP_DPS)
    scale = max(abs(s0), abs(st))  # s(t) runs monotonically from s0 to st
    assert enc.contains(hp, slack=digits_tolerance(MP_DPS) * scale)
    assert np.all(enc.rad <= _radius_contract(enc, 110))
    f64 = aligned_singular_value(TIMES, s0, st, lam)
    assert enc.within(f64, bound=SCALAR_BOUND * np.abs(f64))


@pytest.mark.parametrize("s0, st, c", MIXED)
def test_mixed_enclosure_contains_mpmath_and_float64(s0, st, c):
    enc = certified_mixed_aligned_singular_value(TIMES, s0, st, c, bits=110)
    hp = mixed_aligned_singular_value(TIMES, s0, st, c, dps=MP_DPS)
    scale = max(abs(s0), abs(st), c)
    assert enc.contains(hp, slack=digits_tolerance(MP_DPS) * scale)
    f64 = mixed_aligned_singular_value(TIMES, s0, st, c)
    assert enc.within(f64, bound=SCALAR_BOUND * np.abs(f64))


def _radius_contract(enc, bits) -> float:
    """``2^-bits`` times the largest upper bound of ``|value|``: the radius the ``bits=`` argument promises."""
    return 2.0**-bits * max(float(abs(b).upper()) for b in enc.balls.flat)


def test_radius_is_tiny_at_200_bits():
    enc = certified_aligned_singular_value([1.0, 1e6], 0.1, 2.0, 0.5, bits=200)
    assert enc.prec >= 200
    assert np.all(enc.rad <= _radius_contract(enc, 200))


@pytest.mark.parametrize("which", ["aligned", "mixed"])
def test_value_one_ulp_beyond_the_bound_is_detected(which):
    if which == "aligned":
        enc = certified_aligned_singular_value(7.0, 0.1, 2.0, 0.5)
    else:
        enc = certified_mixed_aligned_singular_value(7.0, 0.1, 2.0, 0.5)
    exact = enc.balls[0].mid()  # within 2^-100 of the truth
    bound = SCALAR_BOUND * 2.0  # the stated bound at |value| <= 2
    step = _ulp(float(exact.mid()))
    inside = exact + (bound - step)
    beyond = exact + (bound + step)
    assert enc.within([inside], bound=bound)
    assert not enc.within([beyond], bound=bound)
    assert not enc.within([exact - (bound + step)], bound=bound)


def _net(n_in, n_h, n_out, lam, seed):
    W1, W2 = lambda_balanced_init(n_in, n_h, n_out, lam=lam, sigma=0.4, seed=seed)
    rng = np.random.default_rng(seed)
    S = rng.standard_normal((n_out, n_in))
    return TwoLayerExact(W1, W2, S)


@pytest.mark.parametrize("shape, lam", [((3, 3, 3), 2.0), ((4, 2, 2), 0.7), ((2, 2, 3), -1.5)])
def test_two_layer_enclosure_contains_mpmath_and_float64(shape, lam):
    net = _net(*shape, lam, seed=3)
    ts = [0.0, 0.5, 4.0, 20.0]
    enc = certified_qqt(net, ts, bits=100)
    assert enc.balls.shape == (len(ts), shape[0] + shape[2], shape[0] + shape[2])
    scale = float(np.abs(enc.mid).max())
    hp = net.qqt(ts, dps=70)
    assert enc.contains(np.asarray(hp, dtype=object), slack=digits_tolerance(70) * scale)
    bound = stable_qqt_error_bound(net, scale)
    assert enc.within(net.qqt(ts), bound=bound)
    bad = net.qqt(ts).copy()
    bad[-1, 0, 0] += 2 * bound
    assert not enc.within(bad, bound=bound)


def test_two_layer_precision_cap_raises():
    # a wide hidden layer (N_h > min(N_i, N_o)): the enclosure is the Fukumizu form in the eigenbasis, whose
    # precision grows like 2 (f_max - f_min) t / ln 2 bits (past the cap at t = 1e7)
    W1, W2 = lambda_balanced_init(2, 3, 2, lam=0.0, sigma=0.4, seed=0)
    net = TwoLayerExact(W1, W2, np.diag([2.0, 1.0]))
    with pytest.raises(PrecisionError, match="bits"):
        certified_qqt(net, 1e7)
    # a rank-deficient task is no longer such a case: its zero singular values are one more cluster of the
    # stable form in Arb (lazyrich._exact.two_layer_arb_spectrum)
    W1, W2 = lambda_balanced_init(2, 2, 2, lam=1.0, sigma=0.4, seed=0)
    enc = certified_qqt(TwoLayerExact(W1, W2, np.diag([2.0, 0.0])), 1e7)
    assert float(enc.rad.max()) <= _radius_contract(enc, 100)
    # distinct singular values: the stable form in Arb, whose precision does not grow with t
    enc = certified_qqt(_net(2, 2, 2, 1.0, seed=0), 1e7)
    assert float(enc.rad.max()) <= _radius_contract(enc, 100)


def test_missing_flint_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "flint", None)  # import flint now raises ImportError
    with pytest.raises(MissingDependencyError, match="pip install python-flint"):
        require_flint()
    with pytest.raises(MissingDependencyError):
        certified_aligned_singular_value(1.0, 0.1, 2.0, 0.5)


def test_exact_conversion_of_mpf():
    from lazyrich.certified import exact_arb

    with mpmath.workdps(50):
        x = mpmath.mpf(1) / 3
    b = exact_arb(x)
    assert b.is_exact()
    # float() rounds to nearest; x is within 1e-50 of 1/3, whose distance to any midpoint between doubles is
    # >= 2^-55 / 3: so it rounds to the double nearest 1/3, exactly Python's 1 / 3
    assert float(b) == 1 / 3
    assert (exact_arb(2.5) * 2).is_exact()


# (a0, w0, beta*, eta_a, eta_w): delta < 0, delta > 0, delta ~ 0 (balanced), unequal rates, delta = 0 exactly,
# tiny initialisation
SINGLE = [
    (0.1, [1.0, 0.5], [1.0, -2.0], 1.0, 1.0),
    (2.0, [0.1, 0.3], [1.0, 0.5], 1.0, 1.0),
    (1.0, [0.6, 0.8], [0.5, 1.0], 1.0, 1.0),
    (1.0, [0.5, -0.5], [1.0, 2.0], 0.5, 2.0),
    (0.3, [0.3, 0.0], [-1.0, 0.2], 1.0, 1.0),
    (1e-3, [1e-3, 0.0], [1.0, 0.0], 1.0, 1.0),
]
# float64 single neuron (lazyrich._exact.single_neuron, the stable form): the module's derived running bound
# (lazyrich._exact.single_neuron_accuracy.float64_error_bound), absolute and per entry.


@pytest.mark.parametrize("args", SINGLE)
def test_single_neuron_enclosure_contains_mpmath_and_float64(args):
    from lazyrich import SingleNeuronExact
    from lazyrich.certified import certified_single_neuron

    sn = SingleNeuronExact(*args)
    a, w, beta = certified_single_neuron(sn, TIMES, bits=110)
    scale = max(1.0, float(np.abs(beta.mid).max()), float(np.abs(a.mid).max()), float(np.abs(w.mid).max()))
    assert np.all(beta.rad <= _radius_contract(beta, 110))
    slack = digits_tolerance(70) * scale
    assert a.contains(np.asarray(sn.a(TIMES, dps=70), dtype=object), slack=slack)
    assert w.contains(np.asarray(sn.w(TIMES, dps=70), dtype=object), slack=slack)
    assert beta.contains(np.asarray(sn.beta(TIMES, dps=70), dtype=object), slack=slack)
    bound = float64_error_bound(sn, TIMES)
    assert a.within(sn.a(TIMES), bound=bound.a)
    assert w.within(sn.w(TIMES), bound=bound.w)
    assert beta.within(sn.beta(TIMES), bound=bound.beta)
    bad = sn.beta(TIMES).copy()
    bad[2, 0] = float(beta.mid[2, 0]) + bound.beta[2, 0] + 2 * _ulp(scale)
    assert not beta.within(bad, bound=bound.beta)


# ------------------------------------------------------------------------------------------------------------
# The shared precision layer: every closed form, one formula, three backends (float64, mpmath dps=N, Arb).
def _closed_forms():
    """(name, float64(ts), mpmath(ts, N) -> per-time lists of mpf, Arb enclosure(ts), float64 bound(scale, t))."""
    from lazyrich import SingleNeuronExact
    from lazyrich.certified import certified_single_neuron

    net = _net(3, 2, 2, 0.7, seed=3)
    sn = SingleNeuronExact(0.1, [1.0, 0.5], [1.0, -2.0])

    def mats(ms):
        return [[M[i, j] for i in range(M.rows) for j in range(M.cols)] for M in ms]

    return {
        "aligned": (
            lambda ts: aligned_singular_value(ts, 0.1, 2.0, -3.0).reshape(-1, 1),
            lambda ts, n: [[v] for v in aligned_singular_value(ts, 0.1, 2.0, -3.0, dps=n)],
            lambda ts: certified_aligned_singular_value(ts, 0.1, 2.0, -3.0, bits=120).balls.reshape(-1, 1),
            lambda scale, t: SCALAR_BOUND * scale,
        ),
        "mixed": (
            lambda ts: mixed_aligned_singular_value(ts, -1.0, 2.0, 0.5).reshape(-1, 1),
            lambda ts, n: [[v] for v in mixed_aligned_singular_value(ts, -1.0, 2.0, 0.5, dps=n)],
            lambda ts: certified_mixed_aligned_singular_value(ts, -1.0, 2.0, 0.5, bits=120).balls.reshape(-1, 1),
            lambda scale, t: SCALAR_BOUND * scale,
        ),
        "single_neuron": (
            lambda ts: sn.beta(ts),
            lambda ts, n: [list(row) for row in sn.beta(ts, dps=n)],
            lambda ts: certified_single_neuron(sn, ts, bits=120)[2].balls,
            lambda scale, t: float64_error_bound(sn, t).beta,
        ),
        "two_layer": (
            lambda ts: net.qqt(ts).reshape(len(ts), -1),
            lambda ts, n: mats(net.qqt(ts, dps=n)),
            lambda ts: certified_qqt(net, ts, bits=120).balls.reshape(len(ts), -1),
            lambda scale, t: stable_qqt_error_bound(net, scale),
        ),
    }


@pytest.mark.parametrize("name", ["aligned", "mixed", "single_neuron", "two_layer"])
@pytest.mark.parametrize("digits", [15, 30])
def test_every_closed_form_has_three_consistent_backends(name, digits):
    from lazyrich.certified import Enclosure

    f64, mp, arb, f64_bound = _closed_forms()[name]
    ts = [0.0, 0.5, 3.0, 40.0] if name == "two_layer" else [0.0, 0.5, 3.0, 40.0, 1e6]
    balls = arb(ts)
    mp_vals = mp(ts, digits)
    for i in range(len(ts)):
        enc = Enclosure(balls[i], 120)
        scale = float(np.abs(enc.mid).max())
        # float64 (stable form) inside the ball widened by its stated bound
        assert enc.within(np.asarray(f64(ts)[i]), bound=f64_bound(scale, ts[i])), (name, ts[i])
        # dps=N: N correct significant digits relative to the largest entry; rounding to N digits
        # alone costs up to 0.5 * 10^(1 - N), so 10^(1 - N) is the bound
        assert enc.within(np.asarray(mp_vals[i], dtype=object), bound=10.0 ** (1 - digits) * scale), (name, ts[i])


def test_confirmed_mpmath_raises_the_guard_until_two_precisions_agree():
    from lazyrich._numerics.precision import confirmed_mpmath

    x = mpmath.mpf("1e-12")

    def prepare():  # e^x - 1 - x formed naively: loses ~24 digits to cancellation, so a 5-digit guard is not enough
        return lambda _: [mpmath.exp(x) - 1 - x]

    (val,) = confirmed_mpmath(prepare, [None], 10, lambda _: 5)[0]
    with mpmath.workdps(60):
        exact = mpmath.expm1(x) - x  # an independent route: mpmath's expm1 has no cancellation
        assert abs(val - exact) <= mpmath.mpf(10) ** -10 * abs(exact)


def test_confirmed_mpmath_raises_precision_error_when_it_cannot_confirm():
    from lazyrich._numerics.precision import confirmed_mpmath

    def prepare():  # a value that changes with the working precision never confirms
        return lambda _: [mpmath.mpf(mpmath.mp.dps)]

    with pytest.raises(PrecisionError, match="confirm"):
        confirmed_mpmath(prepare, [1.0], 10, lambda _: 5, max_dps=200)


@pytest.mark.parametrize("shape, lam", [((4, 2, 2), -100.0), ((2, 2, 4), 100.0), ((4, 2, 2), -20.0)])
def test_stated_two_layer_bound_holds_when_the_extra_modes_grow(shape, lam):
    # Unequal sizes with growing extra modes (ell > 0) is where the float64 error peaks, at the
    # transition time, like (lambda / s_min)^2 eps; the stated bound must still hold there.
    # Reference: the confirmed 40-digit mpmath stable form (errors ~1e-40, far below the bound).
    ni, nh, no = shape
    rng = np.random.default_rng(3)
    m = min(ni, no)
    s = np.array([1.0, 0.6])[:m]
    U, V = np.linalg.qr(rng.standard_normal((no, no)))[0], np.linalg.qr(rng.standard_normal((ni, ni)))[0]
    syx = (U[:, :m] * s) @ V[:, :m].T
    W1, W2 = lambda_balanced_init(ni, nh, no, lam, sigma=0.5, seed=3)
    net = TwoLayerExact(W1, W2, syx)
    ts = np.geomspace(1.0, 3000.0, 16)
    f64 = net.qqt(ts)
    for i, t in enumerate(ts):
        ref = np.array(net.qqt(float(t), dps=40).tolist(), dtype=float).reshape(f64[i].shape)
        scale = float(np.abs(ref).max())
        assert np.abs(f64[i] - ref).max() <= stable_qqt_error_bound(net, scale), t


def _interface_forms():
    W1, W2 = lambda_balanced_init(3, 3, 3, lam=1.0, sigma=0.4, seed=2)
    return [
        AlignedMode(0.1, 2.0, 0.5),
        MixedAlignedMode(-1.0, 2.0, 0.5),
        SingleNeuronExact(0.1, [1.0, 0.5], [1.0, -2.0]),
        TwoLayerExact(W1, W2, matrix_with_singular_values((3, 3), [2.0, 1.0, 0.5], 2)),
    ]


@pytest.mark.parametrize("form", _interface_forms(), ids=lambda f: type(f).__name__)
def test_every_closed_form_implements_the_interface_consistently(form):
    """float64 stable = the public API's value; N fixed digits and dps=N agree with the Arb enclosure.

    Bounds: ``dps=30`` is correct to 30 digits, so within ``10^(1 - 30)`` of the scale (rounding to 30
    digits alone costs half of that); at exactly ``W`` working digits the stable form loses at most its
    :meth:`guard_digits` (that is what the guard is for), so it is within ``10^(guard - W)`` of the scale.
    This checks the protocol's plumbing (the precision paths and their bounds), not the formulas: for the
    scalar forms the enclosure is of the same formula, so the formulas themselves are checked against
    simulation, the ODE and other closed forms in their own test modules.
    """
    require_flint()
    assert isinstance(form, ClosedForm) and form.description and form.has_direct
    ts = [0.0, 0.5, 3.0]
    enc = form.certified(ts, bits=200)
    scales = [float(form.error_scale(row)) for row in enc.mid]
    public = {
        AlignedMode: lambda t: [aligned_singular_value(t, form.s0, form.s_target, form.lam)],
        MixedAlignedMode: lambda t: [mixed_aligned_singular_value(t, form.s0, form.s_target, form.c)],
        SingleNeuronExact: lambda t: list(form.beta(t)),
        TwoLayerExact: lambda t: list(form.qqt(t).reshape(-1)),
    }[type(form)]
    assert form.stable(ts) == [public(t) for t in ts]
    fixed, confirmed = form.stable(ts, digits=60), form.confirmed(ts, 30)
    for i, t in enumerate(ts):
        row = enc.take(i)
        assert row.within(np.array(confirmed[i], dtype=object), bound=digits_tolerance(30) * scales[i]), t
        assert row.within(np.array(fixed[i], dtype=object), bound=10.0 ** (form.guard_digits(t) - 60) * scales[i]), t
    assert len(form.direct(ts)) == len(ts)
