"""SingleNeuronExact against independent routes: the unscaled closed form (derived here, Kunin et al. (2024), Sec. 3) at high precision,
the balanced closed form (§3.5), the steady state and basin formulas, the learning-rate reduction,
the conservation law, and bad input.

The float64 requirement (issue 4) is 1e-10 relative for t up to 1e6 and |delta| up to 1e3; the
reference is that formula evaluated *without* factoring out exponentials (mpmath has no
overflow) at 60 digits and confirmed at 90, so its own error is ~1e-50.
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from derivations.rounding import gamma
from helpers import seeds
from lazyrich import (
    FLOAT64_EPS,
    InvalidParameterError,
    NonFiniteError,
    NotWhitenedError,
    PrecisionError,
    ShapeError,
    SingleNeuronExact,
    mp_tolerance,
    random_orthogonal,
)
from lazyrich.certified import single_neuron_error_bound

#: Issue 4's float64 accuracy requirement (relative).
FLOAT64_REQUIREMENT = 1e-10
REF_DPS = 60


def derived_bound(sn, t) -> float:
    """SingleNeuronExact's derived float64 bound (:func:`lazyrich.certified.single_neuron_error_bound`) at times
    ``t`` as one relative number on the scales the tests below use: ``a`` and ``w`` on ``|(a_bar, w_bar)|`` in
    rescaled units (``a_bar = a r``, ``w_bar = w / r``, ``r = (eta_w / eta_a)^(1/4)``), ``beta`` on ``|beta|``;
    the largest over the times."""

    def norm(x):  # row norms without overflow (|w| = 1e200 below)
        x = np.atleast_2d(x)
        big = np.abs(x).max(axis=-1, keepdims=True)
        return big[:, 0] * np.linalg.norm(x / np.where(big > 0, big, 1.0), axis=-1)

    b = single_neuron_error_bound(sn, t)
    r = (sn.eta_w / sn.eta_a) ** 0.25
    a = np.atleast_1d(sn.a(t))
    scale = np.hypot(a * r, norm(sn.w(t)) / r)
    on_aw = (np.atleast_1d(b.a) * r + norm(b.w) / r) / scale
    return float(max(on_aw.max(), (norm(b.beta) / norm(sn.beta(t))).max()))


def reference(a0, w0, beta_star, eta_a, eta_w, t, dps=REF_DPS):
    """Digest §3.2 verbatim: learning-rate reduction, c_pm, E_k, m = e^{-delta t} sqrt(1 + 2 I), a = A/m, w."""
    with mpmath.workdps(dps):
        mpf = mpmath.mpf
        ea, ew = mpf(eta_a), mpf(eta_w)
        g, r = mpmath.sqrt(ea * ew), (ew / ea) ** mpf(0.25)
        a0 = mpf(a0) * r
        w0 = [mpf(float(x)) / r for x in w0]
        bs = [mpf(float(x)) for x in beta_star]
        tau = g * mpf(t)
        s2 = mpmath.fsum(b * b for b in bs)
        delta = a0**2 - mpmath.fsum(x * x for x in w0)
        p0 = mpmath.fsum(x * b for x, b in zip(w0, bs))
        D = mpmath.sqrt(delta**2 + 4 * s2)
        lp, lm = (-delta + D) / 2, (-delta - D) / 2
        cp, cm = (p0 - lm * a0) / D, (lp * a0 - p0) / D

        def E(k):
            return tau if k == 0 else mpmath.expm1(k * tau) / k

        A = cp * mpmath.exp(lp * tau) + cm * mpmath.exp(lm * tau)
        dA = cp * lp * mpmath.exp(lp * tau) + cm * lm * mpmath.exp(lm * tau)
        integral = cp**2 * E(delta + D) + 2 * cp * cm * E(delta) + cm**2 * E(delta - D)
        m = mpmath.exp(-delta * tau) * mpmath.sqrt(1 + 2 * integral)
        w = [(dA / s2 * b + mpmath.exp(-delta * tau) * (x - p0 * b / s2)) / m for x, b in zip(w0, bs)]
        return A / m / r, [x * r for x in w]


def confirmed_reference(*args):
    """The reference, confirmed by re-evaluation 30 digits higher (raising the precision until they agree).

    The unscaled formula cancels for large t (e.g. near the basin boundary c_+ = 0), which only costs digits.
    """
    dps = REF_DPS
    while True:
        a_lo, _ = reference(*args, dps=dps)
        a_hi, w_hi = reference(*args, dps=dps + 30)
        scale = max(abs(a_hi), mpmath.norm(w_hi))
        if abs(a_lo - a_hi) <= mp_tolerance(REF_DPS) * scale:
            return float(a_hi), np.array([float(x) for x in w_hi])
        dps *= 2
        assert dps < 5000


def rel(x, ref) -> float:
    """Normwise relative error; a reference below float64's normal range must come back as exactly that (underflow)."""
    ref = np.asarray(ref, dtype=float)
    norm = np.linalg.norm(ref)
    if norm < np.finfo(float).tiny * 1e10:
        return 0.0 if np.linalg.norm(np.asarray(x, dtype=float) - ref) <= np.finfo(float).tiny * 1e10 else np.inf
    return float(np.linalg.norm(np.asarray(x, dtype=float) - ref) / norm)


def init_from(beta0, delta_bar, eta_a, eta_w, sign=1.0):
    """(a0, w0) with a0 w0 = beta0 and conserved delta = sqrt(eta_a eta_w) delta_bar (Kunin et al. (2024), Sec. 3, then the learning-rate reduction)."""
    b2 = float(beta0 @ beta0)
    k = np.hypot(delta_bar, 2 * np.sqrt(b2))
    abar2 = (k + delta_bar) / 2 if delta_bar >= 0 else 2 * b2 / (k - delta_bar)
    abar = sign * np.sqrt(abar2)
    return abar * (eta_a / eta_w) ** 0.25, beta0 / abar * (eta_w / eta_a) ** 0.25


# ----------------------------------------------------------------------------- float64 vs mpmath
EXTREME_CASES = {
    "downstream_crossing": (0.5, [-2.0], [1.0], 1.0, 1.0),  # delta = -3.75, a changes sign at t ~ 0.178
    "delta_minus_1000": (0.01, [31.6, 0.2], [0.3, -1.0], 1.0, 1.0),
    "delta_plus_1000": (31.63, [0.1, 0.05], [1.0, 0.5], 1.0, 1.0),
    "balanced": (1.0, [-1.0, 0.0], [0.0, 1.0], 1.0, 1.0),  # delta = 0 exactly (Fig. 2 init)
    "balanced_rates": (0.5, [0.25, 0.0, 0.0], [0.3, -0.2, 1.0], 0.25, 1.0),  # eta_w a^2 = eta_a |w|^2
    "crossing_minus_1000": (3.0, [-31.7], [2.0], 1.0, 1.0),
    "rates_small_delta": (1e-3, [-0.5, 0.1, 0.2], [1.0, 1.0, 0.0], 2.0, 0.3),
    "tiny_task": (0.7, [0.7], [1e-4], 1.0, 1.0),  # D = 2e-4: the quadrature branch up to t = 1e4
}
TIMES = [0.0, 1e-8, 1e-3, 0.1, 0.178, 0.5, 1.0, 2.0, 5.0, 10.0, 100.0, 1e3, 1e4, 1e5, 1e6]


@pytest.mark.parametrize("case", list(EXTREME_CASES))
def test_float64_matches_high_precision_at_every_time(case):
    a0, w0, bs, ea, ew = EXTREME_CASES[case]
    sn = SingleNeuronExact(a0, w0, bs, ea, ew)
    with np.errstate(all="raise"):  # no overflow, no invalid operation anywhere
        a, w, beta = sn.a(TIMES), sn.w(TIMES), sn.beta(TIMES)
    assert np.all(np.isfinite(a)) and np.all(np.isfinite(w))
    for i, t in enumerate(TIMES):
        a_ref, w_ref = confirmed_reference(a0, w0, bs, ea, ew, t)
        assert abs(a[i] - a_ref) <= FLOAT64_REQUIREMENT * abs(a_ref), (t, a[i], a_ref)
        assert rel(w[i], w_ref) <= FLOAT64_REQUIREMENT, t
        assert rel(beta[i], a_ref * w_ref) <= FLOAT64_REQUIREMENT, t


def test_zero_crossing_of_a_is_resolved():
    """delta < 0 and p0 opposite to a0: a(t) crosses 0 once; float64 follows it to 1e-10 on both sides."""
    a0, w0, bs = 0.5, [-2.0], [1.0]
    sn = SingleNeuronExact(a0, w0, bs)
    assert sn.delta < 0 and sn.basin_sign == -1
    grid = np.linspace(0.0, 0.4, 81)
    signs = np.sign(sn.a(grid))
    assert signs[0] > 0 and signs[-1] < 0 and np.count_nonzero(np.diff(signs)) == 1
    for t in grid[::4]:
        a_ref, _ = confirmed_reference(a0, w0, bs, 1.0, 1.0, t)
        assert abs(sn.a(t) - a_ref) <= FLOAT64_REQUIREMENT * abs(a_ref)


@settings(deadline=None)
@given(
    d=st.integers(1, 4),
    delta_bar=st.floats(-1000.0, 1000.0),
    log_beta0=st.floats(-2.0, 1.0),
    log_s=st.floats(-1.0, 1.0),
    log_rates=st.tuples(st.floats(-1.0, 1.0), st.floats(-1.0, 1.0)),
    log_t=st.floats(-3.0, 6.0),
    negative=st.booleans(),
    seed=seeds,
)
@example(d=2, delta_bar=0.0, log_beta0=0.0, log_s=0.0, log_rates=(0.0, 0.0), log_t=0.0, negative=False, seed=0)
@example(d=1, delta_bar=-1000.0, log_beta0=-2.0, log_s=0.0, log_rates=(0.0, 0.0), log_t=6.0, negative=True, seed=1)
@example(d=3, delta_bar=1000.0, log_beta0=1.0, log_s=1.0, log_rates=(1.0, -1.0), log_t=6.0, negative=False, seed=2)
def test_float64_matches_high_precision_property(d, delta_bar, log_beta0, log_s, log_rates, log_t, negative, seed):
    rng = np.random.default_rng(seed)
    ea, ew = 10.0 ** log_rates[0], 10.0 ** log_rates[1]
    beta0 = 10.0**log_beta0 * random_orthogonal(d, rng)[0]
    bs = 10.0**log_s * random_orthogonal(d, rng)[0]
    a0, w0 = init_from(beta0, delta_bar, ea, ew, -1.0 if negative else 1.0)
    t = 10.0**log_t
    sn = SingleNeuronExact(a0, w0, bs, ea, ew)
    a_ref, w_ref = confirmed_reference(a0, w0, bs, ea, ew, t)
    with np.errstate(all="raise"):
        a, beta = sn.a(t), sn.beta(t)
    # a may sit near its zero crossing (delta < 0), where no float64 evaluation can be relatively accurate:
    # the closed form's constants c_pm carry ~eps relative error, giving an absolute error ~ eps |c_+| / m_hat
    # <~ eps |(a, w)|. So: relative 1e-10, or (only that close to a zero) 100 eps on the scale of (a, w).
    scale = np.hypot(a_ref, np.linalg.norm(w_ref))
    near_zero = 100 * np.finfo(float).eps
    assert rel(a, a_ref) <= FLOAT64_REQUIREMENT or abs(a - a_ref) <= near_zero * scale
    beta_ref = a_ref * w_ref
    assert rel(beta, beta_ref) <= FLOAT64_REQUIREMENT or np.linalg.norm(beta - beta_ref) <= near_zero * scale**2


# ----------------------------------------------------------------------------- dps = N
@pytest.mark.parametrize("case", ["downstream_crossing", "delta_minus_1000", "delta_plus_1000", "balanced"])
@pytest.mark.parametrize("t", [0.0, 0.3, 7.0, 1e6])
def test_dps_is_correct_to_n_digits(case, t):
    a0, w0, bs, ea, ew = EXTREME_CASES[case]
    sn = SingleNeuronExact(a0, w0, bs, ea, ew)
    n = 30
    a_ref, w_ref = reference(a0, w0, bs, ea, ew, t, dps=80)
    a = sn.a(t, dps=n)
    w = sn.w(t, dps=n)
    with mpmath.workdps(80):
        assert abs(a - a_ref) <= 10.0 ** (-n) * abs(a_ref)
        assert mpmath.norm([x - y for x, y in zip(w, w_ref)]) <= 10.0 ** (-n) * mpmath.norm(w_ref)


@settings(deadline=None)
@given(
    d=st.integers(1, 3),
    delta_bar=st.floats(-50.0, 50.0),
    n=st.integers(8, 40),
    log_t=st.floats(-2.0, 4.0),
    seed=seeds,
)
@example(d=2, delta_bar=0.0, n=15, log_t=0.0, seed=3)
def test_dps_n_agrees_with_dps_2n(d, delta_bar, n, log_t, seed):
    """dps=N and dps=2N agree to N - 2 digits (componentwise for a, normwise for beta)."""
    rng = np.random.default_rng(seed)
    beta0 = rng.uniform(0.1, 2.0) * random_orthogonal(d, rng)[0]
    a0, w0 = init_from(beta0, delta_bar, 1.0, 1.0, rng.choice([-1.0, 1.0]))
    sn = SingleNeuronExact(a0, w0, random_orthogonal(d, rng)[0] * rng.uniform(0.5, 2.0))
    t = 10.0**log_t
    a_n, a_2n = sn.a(t, dps=n), sn.a(t, dps=2 * n)
    b_n, b_2n = sn.beta(t, dps=n), sn.beta(t, dps=2 * n)
    with mpmath.workdps(2 * n):
        assert abs(a_n - a_2n) <= 10.0 ** (-(n - 2)) * abs(a_2n)
        assert mpmath.norm([x - y for x, y in zip(b_n, b_2n)]) <= 10.0 ** (-(n - 2)) * mpmath.norm(b_2n)


def test_dps_shapes_and_types():
    sn = SingleNeuronExact(1.0, [0.5, 0.1], [1.0, 0.0])
    assert isinstance(sn.a(1.0, dps=20), mpmath.mpf)
    assert sn.w(1.0, dps=20).shape == (2,)
    assert sn.beta([0.0, 1.0, 2.0], dps=20).shape == (3, 2)
    assert sn.a([0.0, 1.0], dps=20).shape == (2,)
    assert isinstance(sn.mu(1.0, dps=20), mpmath.mpf) and isinstance(sn.phi(1.0, dps=20), mpmath.mpf)
    # float64 and dps agree (the dps path is exact to 20 digits)
    assert abs(float(sn.mu(1.0, dps=20)) - sn.mu(1.0)) <= FLOAT64_REQUIREMENT * abs(sn.mu(1.0))
    assert abs(float(sn.phi(1.0, dps=20)) - sn.phi(1.0)) <= FLOAT64_REQUIREMENT


# ----------------------------------------------------------------------------- independent formulas
@pytest.mark.parametrize(
    ("pqm", "j", "g"), [((-3, 4, 5), 3, 1.0), ((7, 24, 25), 5, 0.5), ((0, 1, 1), 0, 3.0), ((24, 7, 25), 7, 1.0)]
)
def test_balanced_closed_form(pqm, j, g):
    """delta = 0, a0 > 0 (the balanced case, Kunin et al. (2024), Sec. 3): phi = tanh(g s t + artanh phi0) and the Bernoulli mu(t)."""
    s = 1.7
    bs = np.array([s, 0.0])
    eta_a, eta_w = g * 2.0, g / 2.0  # sqrt(eta_a eta_w) = g
    # an exactly balanced float init (eta_w a^2 = eta_a |w|^2, i.e. a = 2 |w|): w0 = 2^-j (p, q), p^2 + q^2 = m^2
    p_, q_, m_ = pqm
    w0 = 2.0**-j * np.array([p_, q_], dtype=float)
    a0 = 2 * 2.0**-j * m_
    phi0, mu0 = mpmath.mpf(p_) / m_, mpmath.mpf(a0) * 2.0**-j * m_  # exact
    sn = SingleNeuronExact(a0, w0, bs, eta_a, eta_w)
    assert sn.delta == 0
    t = np.array([0.0, 0.1, 0.7, 2.0, 9.0])
    with mpmath.workdps(30):
        c = mpmath.atanh(phi0)
        x = [g * mpmath.mpf(s) * mpmath.mpf(v) + c for v in t]
        phi = np.array([float(mpmath.tanh(v)) for v in x])
        mu = np.array(
            [
                float(
                    s
                    * (1 + mpmath.cosh(2 * v))
                    / (s * (1 + mpmath.cosh(2 * c)) / mu0 + 2 * v + mpmath.sinh(2 * v) - 2 * c - mpmath.sinh(2 * c))
                )
                for v in x
            ]
        )
    ENGINE = derived_bound(sn, t)  # the engine's derived bound, on the scale of (a, w) and of |beta|
    # mu = sign(a) |beta| within
    # ENGINE relative; phi is the cosine of w, which is within ENGINE of |(a_bar, w_bar)| = sqrt(2) |w_bar| (balanced),
    # so phi moves by <= 2 sqrt(2) ENGINE; the references are 30-digit values rounded once (u)
    np.testing.assert_allclose(sn.phi(t), phi, rtol=0, atol=2 * np.sqrt(2) * ENGINE + FLOAT64_EPS)
    np.testing.assert_allclose(sn.mu(t), mu, rtol=ENGINE + FLOAT64_EPS)


@pytest.mark.parametrize(
    ("a0", "w0", "bs"),
    [
        (0.5, [-2.0], [1.0]),
        (0.5, [-0.1], [1.0]),
        (-0.3, [1.5, 0.2], [1.0, -1.0]),
        (2.0, [0.1, 0.3], [0.5, 0.5]),
        (1.0, [-1.0, 0.0], [0.0, 1.0]),
        (0.05, [0.0, 3.0, 0.1], [1.0, 0.0, 0.0]),
    ],
)
def test_steady_state_and_basin(a0, w0, bs):
    """a_inf^2 = (delta + sqrt(delta^2 + 4 s^2)) / 2, beta_inf = beta_*, sign a_inf from the basin formula (§3.3)."""
    sn = SingleNeuronExact(a0, w0, bs)
    s = np.linalg.norm(bs)
    d = sn.delta
    basin = np.sign(np.dot(w0, bs) + a0 / 2 * (d + np.sqrt(d * d + 4 * s * s))) if d < 0 else np.sign(a0)
    t_end = 1e6
    assert np.sign(sn.a(t_end)) == basin == sn.basin_sign
    # at t = 1e6 the flow sits at its limit (e^{-D t}, D >= 2 s >= 1.4, is below float64), so only rounding is left:
    # a within ENGINE of |(a, w)| = sqrt(kappa) (a^2 + |w|^2 = kappa at the fixed point), so a^2 within
    # (2 ENGINE + u) kappa; the reference (norm, square, sum, sqrt, the cancelling d + root) within 14 u kappa
    kappa = np.sqrt(d * d + 4 * s * s)
    ENGINE = derived_bound(sn, t_end)
    assert abs(sn.a(t_end) ** 2 - (d + kappa) / 2) <= (2 * ENGINE + 8 * FLOAT64_EPS) * kappa
    np.testing.assert_allclose(sn.beta(t_end), bs, rtol=0, atol=ENGINE * s)


@settings(deadline=None)
@given(
    d=st.integers(1, 5),
    delta_bar=st.floats(-20, 20),
    log2_rates=st.tuples(st.integers(-3, 3), st.integers(-1, 1)),
    seed=seeds,
)
@example(d=2, delta_bar=0.0, log2_rates=(0, -1), seed=0)
def test_learning_rate_reduction(d, delta_bar, log2_rates, seed):
    """beta(t; eta_a, eta_w) = beta_unit(sqrt(eta_a eta_w) t) with the rescaled init (the learning-rate reduction)."""
    rng = np.random.default_rng(seed)
    # g = sqrt(eta_a eta_w) = 2^m and (eta_w/eta_a)^(1/4) = 2^k: the rescaled init and times are exact floats
    m, k = log2_rates
    ea, ew = 2.0 ** (m - 2 * k), 2.0 ** (m + 2 * k)
    g = 2.0**m
    a0, w0 = rng.standard_normal(), rng.standard_normal(d)
    bs = rng.standard_normal(d)
    sn = SingleNeuronExact(a0, w0, bs, ea, ew)
    unit = SingleNeuronExact(a0 * 2.0**k, w0 / 2.0**k, bs)
    assert unit.delta == sn.delta / g  # exact deltas, scaled by a power of 2 before their one rounding
    t = np.array([0.0, 0.3, 2.0, 20.0])
    # the same exact trajectory, each float64 evaluation within the engine's derived bound ENGINE |beta|
    ref = unit.beta(g * t)
    ENGINE = max(derived_bound(sn, t), derived_bound(unit, g * t))
    assert np.all(np.linalg.norm(sn.beta(t) - ref, axis=1) <= 2 * ENGINE * np.linalg.norm(ref, axis=1))


@settings(deadline=None)
@given(d=st.integers(1, 6), delta_bar=st.floats(-100, 100), log_t=st.floats(-3, 6), seed=seeds)
@example(d=3, delta_bar=0.0, log_t=2.0, seed=0)
def test_conservation_and_derived_quantities(d, delta_bar, log_t, seed):
    """eta_w a^2 - eta_a |w|^2 = delta at every t; mu = sign(a) |beta|; phi = cos(w, beta_*)."""
    rng = np.random.default_rng(seed)
    ea, ew = rng.uniform(0.2, 5.0, 2)
    a0, w0 = init_from(rng.uniform(0.1, 3.0) * random_orthogonal(d, rng)[0], delta_bar, ea, ew)
    bs = rng.uniform(0.1, 3.0) * random_orthogonal(d, rng)[0]
    sn = SingleNeuronExact(a0, w0, bs, ea, ew)
    t = 10.0**log_t
    a, w = sn.a(t), sn.w(t)
    ENGINE = derived_bound(sn, t)
    kappa = ew * a * a + ea * (w @ w)  # = sqrt(delta^2 + 4 eta_a eta_w mu^2): the cancellation scale
    # in rescaled units (a_bar, w_bar), r = |(a_bar, w_bar)|, kappa = g r^2 and each is within ENGINE r: the two
    # squares move by <= 2 g ENGINE r (|a_bar| + |w_bar|) <= 2 sqrt(2) ENGINE kappa; the rescaling back (10 u each,
    # twice in a square), the residual's d + 3 roundings and delta's one: (d + 24) u kappa
    assert abs(ew * a * a - ea * (w @ w) - sn.delta) <= (3 * ENGINE + (d + 24) * FLOAT64_EPS / 2) * kappa
    beta = sn.beta(t)
    # mu and |beta| are each within ENGINE |beta| of the exact |beta|; the norm adds d + 2 roundings
    assert abs(sn.mu(t) - np.sign(a) * np.linalg.norm(beta)) <= (2 * ENGINE + (d + 2) * FLOAT64_EPS) * np.linalg.norm(
        beta
    )
    # both cosines of w: w within ENGINE r_bar of its exact value, relative ENGINE r_bar / |w_bar|, twice in a
    # cosine, for each side; the test's dot and norms add 2 d + 4 roundings
    ratio = (ew / ea) ** 0.25
    wbar = np.linalg.norm(w) / ratio
    r_over_w = np.hypot(a * ratio, wbar) / wbar
    phi_w = w @ bs / (np.linalg.norm(w) * np.linalg.norm(bs))
    assert abs(sn.phi(t) - phi_w) <= 4 * ENGINE * r_over_w + (2 * d + 4) * FLOAT64_EPS


def test_kernel_distance_and_ntk_on_whitened_data():
    """S(0, t) from ntk() on a whitened X equals kernel_distance(t) (the correct normaliser a_t^2)."""
    rng = np.random.default_rng(4)
    X = random_orthogonal(5, rng)[:, :3]  # 5 x 3, X^T X = I
    sn = SingleNeuronExact(0.2, [-0.4, 0.1, 0.3], [0.0, 1.0, 0.5])
    t = np.array([0.0, 0.5, 2.0, 30.0])
    K0 = sn.ntk(0.0, X)
    Kt = sn.ntk(t, X)
    inner = np.sum(K0[None] * Kt, axis=(1, 2))
    S = 1 - inner / (np.linalg.norm(K0) * np.linalg.norm(Kt, axis=(1, 2)))
    # derived (same a(t), w(t) on both sides): the engine's ||M_0/|M_0| - M_t/|M_t|||^2 / 2 errs by
    # <= sqrt(2 S) 2 gamma_{d^2+6} + gamma_{d^2+1} S; here each K = X M X^T errs by gamma_{d+3} |K|_abs and moves
    # the cosine by 2 |dK|/|K|, the inner product and norms add gamma_{n^2+3}; and K_0 is built from a(0), w(0),
    # within ENGINE r_0 of (a_0, w_0): |dM_0| <= 2 sqrt(d) ENGINE r_0 (|a_0| + |w_0|)
    d_, n_ = X.shape[1], X.shape[0]

    def abs_rel(K, a_, w_):
        xw_abs = np.abs(X) @ np.abs(w_)
        k_abs = a_ * a_ * np.abs(X) @ np.abs(X).T + np.outer(xw_abs, xw_abs)
        return gamma(d_ + 3) * np.linalg.norm(k_abs) / np.linalg.norm(K)

    a0_, w0_ = sn.a0, np.asarray(sn.w0)
    ENGINE = derived_bound(sn, 0.0)
    r0 = np.hypot(a0_, np.linalg.norm(w0_))
    start = 2 * np.sqrt(d_) * ENGINE * r0 * (abs(a0_) + np.linalg.norm(w0_)) / np.linalg.norm(K0)
    mine = np.array(
        [2 * (abs_rel(K0, sn.a(0.0), sn.w(0.0)) + abs_rel(Kt[i], sn.a(x), sn.w(x))) for i, x in enumerate(t)]
    )
    engine = np.sqrt(2 * S) * 2 * gamma(d_ * d_ + 6) + gamma(d_ * d_ + 1) * S
    assert np.all(np.abs(sn.kernel_distance(t) - S) <= engine + mine + 2 * start + gamma(n_ * n_ + 3))
    assert sn.kernel_distance(0.0) <= np.finfo(float).eps
    assert np.all((sn.kernel_distance(t) >= 0) & (sn.kernel_distance(t) <= 1))
    # the NTK is the learning-rate weighted Jacobian Gram: sum_p eta_p df/dtheta_p df/dtheta_p
    a, w = sn.a(0.5), sn.w(0.5)
    J_a = (X @ w)[:, None]
    J_w = a * X
    # the same a, w on both sides: only the products' rounding, gamma_{d+3} (a^2 |X||X|^T + |X||w| (|X||w|)^T) each
    xw_abs = np.abs(X) @ np.abs(w)
    bound = 2 * gamma(X.shape[1] + 3) * (a * a * np.abs(X) @ np.abs(X).T + np.outer(xw_abs, xw_abs))
    assert np.all(np.abs(sn.ntk(0.5, X) - (J_a @ J_a.T + J_w @ J_w.T)) <= bound)


def test_kernel_distance_regimes():
    """Fig. 3c qualitatively: upstream stays lazy, balanced moves fast, downstream is delayed."""
    beta0, bs = np.array([-1.0, 0.0]), [0.0, 1.0]
    up = SingleNeuronExact(*init_from(beta0, 20.0, 1.0, 1.0), bs)
    bal = SingleNeuronExact(*init_from(beta0, 0.0, 1.0, 1.0), bs)
    down = SingleNeuronExact(*init_from(beta0, -20.0, 1.0, 1.0), bs)
    assert up.kernel_distance(50.0) < 0.05
    assert bal.kernel_distance(3.0) > 0.1
    assert down.kernel_distance(1.0) < 0.05 < down.kernel_distance(200.0)


def test_zero_task_and_saddle_set_points():
    """beta_* = 0 (D may vanish) and a point of the saddle set {a = 0, w ⟂ beta_*} are handled exactly."""
    sn = SingleNeuronExact(0.6, [0.0, 0.6], [0.0, 0.0])  # delta = 0, s = 0: a' = -a^3
    t = np.array([0.0, 1.0, 1e4])
    ENGINE = derived_bound(sn, t)
    # engine: a within ENGINE |(a, w)| = sqrt(2) ENGINE a; reference: the literals 0.6, 0.36 (2u), product, sum,
    # sqrt, quotient (<= 4u): 6u = 3 eps
    np.testing.assert_allclose(sn.a(t), 0.6 / np.sqrt(1 + 2 * 0.36 * t), rtol=np.sqrt(2) * ENGINE + 3 * FLOAT64_EPS)
    # tiny initialisation: m_hat underflows in float64 (c_+ ~ 1e-170), the mpmath fallback takes over
    tiny = SingleNeuronExact(1e-170, [0.0, 2.0], [1.0, 0.0])
    for t_ in [5.0, 1e3, 1e6]:
        a_ref, w_ref = confirmed_reference(1e-170, [0.0, 2.0], [1.0, 0.0], 1.0, 1.0, t_)
        assert rel(tiny.a(t_), a_ref) <= FLOAT64_REQUIREMENT and rel(tiny.w(t_), w_ref) <= FLOAT64_REQUIREMENT
    fixed = SingleNeuronExact(0.0, [0.0, 2.0], [1.0, 0.0])
    np.testing.assert_array_equal(fixed.w([0.0, 5.0, 1e6]), [[0.0, 2.0]] * 3)
    assert fixed.a(1e6) == 0.0


# ----------------------------------------------------------------------------- construction and bad input
def test_from_data_accepts_whitened_and_explains_failure():
    rng = np.random.default_rng(0)
    X = random_orthogonal(6, rng)[:, :2]
    y = rng.standard_normal(6)
    sn = SingleNeuronExact.from_data(0.3, [0.2, -0.1], X, y, eta_a=2.0)
    assert np.all(np.abs(sn.beta_star - X.T @ y) <= 2 * gamma(X.shape[0]) * np.abs(X).T @ np.abs(y))  # 2 dot products
    with pytest.raises(NotWhitenedError, match=r"X \(X\^T X\)\^\(-1/2\)"):
        SingleNeuronExact.from_data(0.3, [0.2, -0.1], 2 * X, y)
    with pytest.raises(NotWhitenedError, match="cannot be whitened"):
        SingleNeuronExact.from_data(0.3, [0.2, -0.1, 0.0], X.T[:, :3] @ np.eye(3), y[:2])
    # the suggested whitening works
    Z = rng.standard_normal((6, 2))
    ev, V = np.linalg.eigh(Z.T @ Z)
    SingleNeuronExact.from_data(0.3, [0.2, -0.1], Z @ V @ np.diag(ev**-0.5) @ V.T, y)


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        ((0.0, [0.0, 0.0], [1.0, 0.0]), {}, InvalidParameterError, "saddle"),
        ((1.0, [0.0], [1.0]), {"eta_a": 0.0}, InvalidParameterError, "eta_a"),
        ((1.0, [0.0], [1.0]), {"eta_w": -1.0}, InvalidParameterError, "eta_w"),
        ((np.nan, [0.0], [1.0]), {}, NonFiniteError, "a0"),
        ((1.0, [np.inf], [1.0]), {}, NonFiniteError, "w0"),
        ((1.0, [0.0], [np.nan]), {}, NonFiniteError, "beta_star"),
        ((1.0, [0.0, 1.0], [1.0]), {}, ShapeError, "beta_star"),
        ((1.0, [0.0], [1.0]), {"eta_w": np.inf}, NonFiniteError, "eta_w"),
    ],
)
def test_bad_input_raises_typed_errors(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        SingleNeuronExact(*args, **kwargs)


def test_bad_times_and_options():
    sn = SingleNeuronExact(1.0, [0.5], [1.0])
    with pytest.raises(InvalidParameterError, match=">= 0"):
        sn.a(-1.0)
    with pytest.raises(NonFiniteError):
        sn.beta(np.inf)
    with pytest.raises(InvalidParameterError, match=">= 0"):
        sn.a(-1.0, dps=20)
    with pytest.raises(InvalidParameterError, match="dps"):
        sn.a(1.0, dps=0)
    with pytest.raises(NonFiniteError):
        sn.a(mpmath.mpf("inf"), dps=20)
    # strings are exact decimal times: "0.5" and 0.5 are the same time, each value correct to 20 digits (10^-20 relative,
    # as test_dps_is_correct_to_n_digits checks)
    a_str = sn.a("0.5", dps=20)
    assert abs(a_str - sn.a(0.5, dps=20)) <= 2 * mpmath.mpf(10) ** -20 * abs(a_str)
    with pytest.raises(ShapeError):
        sn.ntk(1.0, np.ones((3, 2)))
    with pytest.raises(InvalidParameterError, match="beta_star = 0"):
        SingleNeuronExact(1.0, [0.5], [0.0]).phi(1.0)


# ---------------------------------------------------------------------------------------------- issue 15 reproducers
def _warning_free(fn):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return fn()


def test_huge_a0_converges_to_beta_star_at_once():
    # issue 15: beta(1.0) was [inf, -inf]; with a0 = 1e140 the rate is a0^2 = 1e280
    sn = SingleNeuronExact(1e140, [0.1, 0.2], [1.0, -1.0])
    beta = _warning_free(lambda: sn.beta([0.0, 1e-280, 1.0]))
    ENGINE = derived_bound(sn, [0.0, 1e-280, 1.0])
    assert np.all(np.isfinite(beta))
    # the engine's ENGINE |beta| (normwise); the literals 1e139, 2e139 vs 1e140 * (0.1, 0.2): 2 u
    ref0 = np.array([1e139, 2e139])
    assert np.linalg.norm(beta[0] - ref0) <= (ENGINE + FLOAT64_EPS) * np.linalg.norm(ref0)
    # t = 1: rate a0^2 t = 1e280, the flow sits at beta_* (e^{-1e280}): rounding only
    assert np.linalg.norm(beta[2] - [1.0, -1.0]) <= ENGINE * np.sqrt(2)
    # t = 1e-280: rate * t = 1, beta = beta* + (a0 w0 - beta*) e^{-1} to leading order (a barely moves)
    ref = np.array([float(x) for x in sn.beta(1e-280, dps=20)])
    assert np.linalg.norm(beta[1] - ref) <= (ENGINE + mp_tolerance(20)) * np.linalg.norm(ref)
    # leading order: d beta/dt = a^2 (beta_* - beta) + w (w.(beta_* - beta)), the second term |w|^2 / a^2 = 5e-282
    # relative, and a moves by |w| |beta_* - beta| t ~ 1e-141 (relative 1e-281); the beta_* part of beta is 1e-139
    # relative. Left: a0^2 t = 1 up to the literals' rounding (1e140 twice, 1e-280: 3 u), the dps=20 value (mp_tolerance)
    # rounded to float64 (u), and the reference's 1e139, exp (1 ulp = 2 u) and two products: 9 u and 1e-139
    rtol = mp_tolerance(20) + 9 * FLOAT64_EPS / 2 + 1e-139
    np.testing.assert_allclose(ref, 1e139 * np.exp(-1.0) * np.array([1.0, 2.0]), rtol=rtol)


def test_huge_w0_is_finite():
    # issue 15: [inf, -inf]; downstream with |w0|^2 = 1e308: beta relaxes to the projection of beta* on w0 at once
    sn = SingleNeuronExact(0.1, [1e154, 0.2], [1.0, -1.0])
    beta = _warning_free(lambda: sn.beta([0.0, 1.0, 100.0]))
    ENGINE = derived_bound(sn, [0.0, 1.0, 100.0])
    assert np.all(np.isfinite(beta))
    # accurate relative to |beta|: ENGINE |beta|; the reference rounds 0.1 * 1e154 (u) and drops beta_2 = 0.02
    np.testing.assert_allclose(beta[0], [1e153, 0.0], rtol=0, atol=(ENGINE + FLOAT64_EPS) * 1e153)
    # at t >= 1 the fast direction (rate |w|^2 = 1e308) has relaxed: beta = (beta_*.w_hat) w_hat, within
    # 2 |beta_*| |w_2 / w_1| = 2 sqrt(2) 2e-155 of (1, 0); the slow direction (rate a^2 ~ 1e-308) moves by
    # <= a^2 t |beta_*| < 1e-300; the engine adds its ENGINE |beta| (|beta| <= |beta_*|)
    bs_norm = np.sqrt(2.0)
    model = 2 * bs_norm * 0.2 / 1e154 + (1 / 1e154) ** 2 * 100.0 * bs_norm
    np.testing.assert_allclose(beta[1:], [[1.0, 0.0], [1.0, 0.0]], rtol=0, atol=ENGINE * bs_norm + model)


def test_delta_beyond_float64_is_exact_not_overflow():
    # issue 15: OverflowError from SingleNeuronExact(0.1, [1e200], [1.0]) (delta = -1e400)
    sn = SingleNeuronExact(0.1, [1e200], [1.0])
    with mpmath.workprec(2000):  # delta is exact
        assert sn.delta == -(mpmath.mpf(10.0**200) ** 2) + mpmath.mpf(0.1) ** 2
    # |w|^2 = 1e400: at t = 1 the flow sits at its limit (a = beta_* / w, w moves by O(1e-400)): rounding only;
    # beta and a within the engine's derived bound
    ENGINE = derived_bound(sn, 1.0)
    assert _warning_free(lambda: sn.beta(1.0)) == pytest.approx([1.0], rel=ENGINE, abs=0)
    assert sn.a(1.0) == pytest.approx(1e-200, rel=ENGINE + FLOAT64_EPS, abs=0)


def test_dps_path_is_certified_not_confirmed(monkeypatch):
    # corrupt the Arb evaluation (exp at float64 accuracy, honest radius): the bound refuses instead of agreeing
    import math

    import flint

    import lazyrich._numerics.arb_digits as arb_digits
    from lazyrich._exact.single_neuron_formula import ArbEvaluation

    def float_exp(x):
        v = math.exp(float(x.mid()))
        return flint.arb(v, 4 * math.ulp(v))

    monkeypatch.setattr(ArbEvaluation, "exp", staticmethod(float_exp))
    monkeypatch.setattr(arb_digits, "MAX_BITS", 2048)
    with pytest.raises(PrecisionError):
        SingleNeuronExact(0.1, [1.0, 0.5], [1.0, -2.0]).beta(3.0, dps=30)


def test_without_python_flint_the_mpmath_fallback_gives_the_same_digits(monkeypatch):
    import lazyrich._exact.single_neuron as single_neuron

    sn = SingleNeuronExact(0.1, [1.0, 0.5], [1.0, -2.0])
    with_arb = sn.beta([0.5, 20.0], dps=25)
    monkeypatch.setattr(single_neuron, "flint_available", lambda: False)
    without = SingleNeuronExact(0.1, [1.0, 0.5], [1.0, -2.0]).beta([0.5, 20.0], dps=25)
    for x, y in zip(with_arb.flat, without.flat):
        assert abs(x - y) <= mpmath.mpf(10) ** -24 * max(abs(v) for v in with_arb.flat)
