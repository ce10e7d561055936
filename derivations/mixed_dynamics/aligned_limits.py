r"""Regimes of the aligned closed form of eq. (1) (Tu, Aranguri, Jacot (2024), Fig. 1): tail, early phase, c -> 0.

Derived here from the closed form of :mod:`.aligned` (its definitions are part of each statement):

* :data:`tail_asymptotics`: with ``q = K_0 e^{-2Rt}``, ``s(q)`` is rational and analytic at ``q = 0``:
  ``s* - s = -(2R^2/(s* + R)) q + O(q^2)``. CORRECTED from the ``|K_0|`` form, wrong when ``s_0 > s*``
  (``K_0 > 0``). From ``s_0 = 0`` with ``c << s*``: ``t_delta ~ ln(2s*/(c delta))/(2s*)``.
* :data:`early_phase` (heuristic): while ``s << s*``, ``s ~ c sinh(2 s* t + asinh(s_0/c))``, the exact solution of
  ``ds/dt = 2 s* sqrt(s^2 + c^2)``; from ``s_0 = 0`` it crosses ``s = c`` at ``asinh(1)/(2s*)``.
* :data:`logistic_limit`: ``c -> 0`` gives Saxe et al.'s logistic (``c v`` is continuous at ``c = 0``).
"""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import sympy as sp

import lazyrich
from lazyrich import FLOAT64_EPS, Measurement, Proof, Source, claim, equation, mp_tolerance
from lazyrich.certified import Enclosure, certified_mixed_aligned_singular_value, exact_arb
from lazyrich.symbolic import split_statement, substitutions

from ..certify import BITS, DERIVED_PREC, certified_check, inside, radius_measurement
from .aligned import K0, R_, S, closed_form, closed_form_definitions, closed_form_solves_the_mode_ode, s0, s_star
from .reference import mp_aligned, mp_time_to
from .symbols import c, expand, t

__all__ = ["early_phase", "logistic_limit", "tail_asymptotics"]

PAPER = "mixed_dynamics"
T_DELTA, DELTA = sp.Symbol(r"t_\delta", positive=True), sp.Symbol("delta", positive=True)
E_ = sp.Symbol("E", positive=True)


def _reduced(e, defs) -> sp.Expr:
    """Numerator of ``e`` with ``v_+, v_-`` substituted, reduced modulo ``R^2 = `` (``R``'s definition squared)."""
    num = sp.expand(sp.numer(sp.together(e)))
    sq = defs[R_] ** 2
    return sp.expand(sp.rem(num, R_**2 - sq, R_)) if num.has(R_) else num


def _s_of_E(defs) -> sp.Expr:
    """``s(t)`` through its definitions, ``R``, ``K_0`` kept as symbols and ``e^{-2Rt}`` as ``E``."""
    keep = {k: v for k, v in defs.items() if k not in (R_, K0)}
    return expand(S, keep).xreplace({sp.exp(-2 * R_ * t): E_})


# ---------------------------------------------------------------- the tail
tail_asymptotics = claim(
    "mixed_dynamics.tail_asymptotics",
    r"Tail: $s^* - s(t) \sim -(2R^2/(s^* + R)) K_0 e^{-2Rt}$ ($|K_0|$ in place of $-K_0$ holds only for $s_0 < s^*$); "
    r"$s_0 = 0$, $c \ll s^*$: $t_\delta \sim \ln(2s^*/(c\delta))/(2s^*)$",
    Source(
        PAPER,
        "Tu et al. (2024), eq. (1), aligned solutions (derived here)",
        r"first relation proven (Taylor coefficients in $q = K_0 e^{-2Rt}$, the order sharp); $t_\delta$ numeric "
        r"(exact inverse of the closed form, first neglected terms $2(\delta + c/s^*)$); CORRECTED: the form with "
        "$|K_0|$ has the wrong sign when $s_0 > s^*$",
    ),
    statement=lambda: [
        *closed_form_definitions(),
        equation(
            s_star - S, -2 * R_**2 / (s_star + R_) * K0 * sp.exp(-2 * R_ * t) + sp.O(sp.exp(-4 * R_ * t), (t, sp.oo))
        ),
        equation(T_DELTA, sp.log(2 * s_star / (c * DELTA)) / (2 * s_star)),
    ],
)


@tail_asymptotics.symbolic_check
def tail_taylor_coefficients(statement):
    """``F(E) = lhs - rhs`` (``E = e^{-2Rt}``) has ``F(0) = ... = F^{(k-1)}(0) = 0`` and ``F^{(k)}(0) != 0`` for the
    stated ``O(E^k)``, each coefficient reduced modulo ``R^2``."""
    parts = split_statement(statement)
    defs = substitutions(parts.definitions)
    tail = parts.relations[0]
    order = tail.rhs.getO()
    k = sp.cancel(order.expr.args[0] / (-2 * R_ * t)) if order is not None and isinstance(order.expr, sp.exp) else None
    if k is None or not k.is_Integer or k < 1:
        return Proof(residuals=[sp.Integer(1)])  # only an integer power of e^{-2Rt} is covered
    s_E = _s_of_E(defs)
    F = expand(tail.lhs - tail.rhs.removeO(), {S: s_E}).xreplace({sp.exp(-2 * R_ * t): E_})
    F = F.xreplace({k_: v for k_, v in defs.items() if k_ not in (R_, K0)})
    residuals = [_reduced(sp.diff(F, E_, j).subs(E_, 0), defs) for j in range(int(k))]
    sharp = _reduced(sp.diff(F, E_, int(k)).subs(E_, 0), defs)
    residuals.append(sp.Integer(int(sharp == 0)))  # the stated order is sharp: the k-th coefficient is nonzero
    return Proof(residuals=residuals)


def _first_neglected(statement):
    """``(s0, s*, c) -> F''(0)/2``: the coefficient of ``E^2`` (``E = e^{-2Rt}``) in ``F(E) = lhs - rhs`` of the tail
    relation, from the statement's closed form (as in :func:`tail_taylor_coefficients`), in mpmath.

    With ``|F| <= 2 |F''(0)/2| E^2`` (the series in ``E`` at ``E ~ e^{-24}``: the later terms are smaller by ``O(E)``),
    ``|(s* - s)/lead - 1| <= 2 |F''(0)/2| E^2 / |lead|``: the derived tolerance of the tail checks.
    """
    parts = split_statement(statement)
    defs = substitutions(parts.definitions)
    F = expand(parts.relations[0].lhs - parts.relations[0].rhs.removeO(), {S: _s_of_E(defs)})
    F = F.xreplace({sp.exp(-2 * R_ * t): E_}).xreplace({k_: v for k_, v in defs.items() if k_ not in (R_, K0)})
    full = {k: expand(v, defs) for k, v in defs.items()}
    return sp.lambdify((s0, s_star, c), expand(sp.diff(F, E_, 2).subs(E_, 0) / 2, full), "mpmath")


@tail_asymptotics.numeric_check
def tail_against_mpmath(statement):
    """The tail relation at ``t = 12/R`` (mpmath, 40 digits; the ``O(q^2)`` term is relative ``O(q)``), and
    ``t_delta`` against the exact inverse of the closed form within the first neglected terms."""
    parts = split_statement(statement)
    defs = substitutions(parts.definitions)
    tail, tdel = parts.relations
    full = {k: expand(v, defs) for k, v in defs.items()}
    lead = sp.lambdify((t, s0, s_star, c), expand(tail.rhs.removeO(), full), "mpmath")
    nxt = _first_neglected(statement)
    out = []
    with mp.workdps(40):
        for s0v, ssv, cv in [("0.1", "2", "0.5"), ("3", "1", "2"), ("-1", "1", "0.3")]:
            a_, b_, c_ = mp.mpf(s0v), mp.mpf(ssv), mp.mpf(cv)
            Rv = mp.sqrt(b_**2 + c_**2)
            tv = mp.mpf(12) / Rv
            lv = lead(tv, a_, b_, c_)
            ratio = (b_ - mp_aligned(tv, a_, b_, c_)) / lv
            # first neglected term, and s at 40 digits relative to s*, over the leading term
            tol = 2 * abs(nxt(a_, b_, c_)) * mp.exp(-4 * Rv * tv) / abs(lv) + mp_tolerance(40) * abs(b_) / abs(lv)
            out.append(
                Measurement(
                    float(abs(ratio - 1)),
                    float(tol),
                    f"s0={s0v}, s*={ssv}: (s* - s)/stated leading term - 1",
                    "2 |F''(0)/2| E^2 / |lead| (the statement's next coefficient) + 40-digit rounding / |lead|",
                )
            )
        t_of = sp.lambdify((s_star, c, DELTA), tdel.rhs, "mpmath")
        for b_, c_, delta in [(mp.mpf(3), mp.mpf("1e-4"), mp.mpf("1e-3")), (mp.mpf(1), mp.mpf("1e-6"), mp.mpf("1e-4"))]:
            t_exact = mp_time_to(b_ * (1 - delta), 0, b_, c_)
            out.append(
                Measurement(
                    float(abs(2 * b_ * (t_exact - t_of(b_, c_, delta)))),
                    float(2 * (delta + c_ / b_)),
                    f"s*={b_}, c={c_}: 2s* |t_delta - stated|",
                    "2 (delta + c/s*): first neglected terms",
                )
            )
    return out


def _at(t_: float, s0v, ssv, cv):
    return certified_mixed_aligned_singular_value(np.array([t_]), s0v, ssv, cv, bits=BITS).balls[0]


@certified_check(tail_asymptotics)
def certified_tail(statement):
    out = []
    nxt = _first_neglected(statement)
    for s0v, ssv, cv in [(0.1, 2.0, 0.5), (3.0, 1.0, 2.0), (-1.0, 1.0, 0.3)]:
        a_, b_, c_ = exact_arb(s0v), exact_arb(ssv), exact_arb(cv)
        Rv = (b_ * b_ + c_ * c_).sqrt()
        v0 = (a_ + (a_ * a_ + c_ * c_).sqrt()) / c_
        K = (v0 - (b_ + Rv) / c_) / (v0 - (b_ - Rv) / c_)
        tv = float((12 / Rv).mid())
        s_t = _at(tv, s0v, ssv, cv)
        out.append(
            inside(
                Enclosure(np.array([s_t], dtype=object), DERIVED_PREC),
                lazyrich.mixed_aligned_singular_value([tv], s0v, ssv, cv),
                64 * FLOAT64_EPS * max(abs(s0v), ssv, cv),
                f"s0={s0v}, s*={ssv}: mixed_aligned_singular_value (float64)",
                "64 eps max(|s0|, s*, c)",
            )
        )
        q = K * (-2 * Rv * exact_arb(tv)).exp()
        lv = -2 * Rv * Rv / (b_ + Rv) * q
        ratio = (b_ - s_t) / lv
        with mp.workdps(40):  # the first neglected term over the leading one (the Arb radius is in ratio's upper)
            E2 = mp.exp(-4 * mp.sqrt(mp.mpf(ssv) ** 2 + mp.mpf(cv) ** 2) * mp.mpf(tv))
            tol = 2 * abs(nxt(mp.mpf(s0v), mp.mpf(ssv), mp.mpf(cv))) * E2 / abs(mp.mpf(float(lv.mid())))
        out.append(
            Measurement(
                float(abs(ratio - 1).upper()),
                float(tol),
                f"s0={s0v}, s*={ssv}: certified tail ratio - 1",
                "2 |F''(0)/2| E^2 / |lead| (the statement's next coefficient)",
            )
        )
    s_st, cv, delta = 3.0, 1e-4, 1e-3
    t_a = math.log(2 * s_st / (cv * delta)) / (2 * s_st)
    half = 2 * (delta + cv / s_st) / (2 * s_st)
    level = exact_arb(s_st) * (1 - exact_arb(delta))
    ok = bool(_at(t_a - half, 0.0, s_st, cv) < level) and bool(level < _at(t_a + half, 0.0, s_st, cv))
    out.append(
        Measurement(
            float(not ok),
            0.0,
            f"s(t_a -+ D) certainly brackets s*(1 - delta), D = {half:.3g}",
            "D = 2 (delta + c/s*)/(2 s*) (claim's)",
        )
    )
    return out


# ---------------------------------------------------------------- the early phase (heuristic)
S_T, T_C = sp.Symbol("s(t)"), sp.Symbol("t_c")

early_phase = claim(
    "mixed_dynamics.early_phase",
    r"Early phase: $s(t) \approx c \sinh(2s^* t + \operatorname{asinh}(s_0/c))$ while $s \ll s^*$; from $s_0 = 0$ the "
    r"threshold $s = c$ is crossed at $t \approx \operatorname{asinh}(1)/(2s^*)$",
    Source(
        PAPER,
        "Tu et al. (2024), eq. (1), aligned solutions; Fig. 1 (derived here)",
        r"heuristic, not proven; the approximation solves $\dot s = 2 s^* \sqrt{s^2 + c^2}$ exactly (symbolic); "
        r"checked against the rigorous bounds $0 \le u_{\mathrm{approx}} - u \le 2t \max s$ and "
        r"$\operatorname{asinh}(1)/(2s^*) \le t_c \le \operatorname{asinh}(1)/(2(s^* - c))$",
    ),
    statement=lambda: [
        equation(S_T, c * sp.sinh(2 * s_star * t + sp.asinh(s0 / c))),
        equation(T_C, sp.asinh(1) / (2 * s_star)),
    ],
    heuristic=True,
)


@early_phase.symbolic_check
def early_phase_solves_the_linearised_ode(statement):
    """The stated ``s(t)`` solves ``ds/dt = 2 s* sqrt(s^2 + c^2)`` (squared: ``cosh^2 - sinh^2 = 1``; ``s* > 0``,
    ``cosh > 0``) with ``s(0) = s_0``, and from ``s_0 = 0`` reaches ``c`` at the stated ``t_c``."""
    approx, tc = statement
    f = approx.rhs
    ode = sp.expand((sp.diff(f, t) ** 2 - 4 * s_star**2 * (f**2 + c**2)).rewrite(sp.exp))
    start = sp.simplify(f.subs(t, 0) - s0)
    cross = sp.simplify((f.subs(s0, 0).subs(t, tc.rhs) - c).rewrite(sp.exp))
    return Proof(residuals=[ode, start, cross])


@early_phase.numeric_check
def early_phase_within_the_bounds(statement):
    approx, tc = statement
    f = sp.lambdify((t, s0, s_star, c), approx.rhs, "mpmath")
    out = []
    with mp.workdps(30):
        for s0v, ssv, cv in [("0", "5", "0.01"), ("0.001", "2", "0.05"), ("-0.01", "3", "0.02")]:
            a_, b_, c_ = mp.mpf(s0v), mp.mpf(ssv), mp.mpf(cv)
            t_hi = mp_time_to(b_ / 10, a_, b_, c_)
            worst = mp.mpf(0)
            for frac in (mp.mpf("0.25"), mp.mpf("0.5"), mp.mpf(1)):
                tv = frac * t_hi
                exact = mp_aligned(tv, a_, b_, c_)
                du = mp.asinh(f(tv, a_, b_, c_) / c_) - mp.asinh(exact / c_)
                worst = max(worst, du - 2 * tv * max(abs(a_), abs(exact)), -du)
            out.append(
                Measurement(
                    float(max(worst, 0)),
                    mp_tolerance(30),
                    f"s0={s0v}, s*={ssv}, c={cv}: u-error outside [0, 2 t max|s|]",
                    "eps^0.8 at 30 digits",
                )
            )
        b_, c_ = mp.mpf(4), mp.mpf("0.01")
        t_exact = mp_time_to(c_, 0, b_, c_)
        stated = sp.lambdify((s_star,), tc.rhs, "mpmath")(b_)
        out.append(
            Measurement(
                float(abs(stated / t_exact - 1)),
                float(c_ / (b_ - c_)),
                "relative error of the stated t_c",
                "c/(s* - c) (the bracket's width)",
            )
        )
    return out


@certified_check(early_phase)
def certified_early_phase():
    out = []
    for s0v, ssv, cv in [(0.0, 5.0, 0.01), (0.001, 2.0, 0.05), (-0.01, 3.0, 0.02)]:
        with mp.workdps(30):
            t_hi = float(mp_time_to(ssv / 10, s0v, ssv, cv))
        ts = np.array([0.25, 0.5, 1.0]) * t_hi
        enc = certified_mixed_aligned_singular_value(ts, s0v, ssv, cv, bits=BITS)
        out.append(
            inside(
                enc,
                lazyrich.mixed_aligned_singular_value(ts, s0v, ssv, cv),
                64 * FLOAT64_EPS * max(abs(s0v), ssv, cv),
                f"s0={s0v}, s*={ssv}, c={cv}: mixed_aligned_singular_value (float64)",
                "64 eps max(|s0|, s*, c)",
            )
        )
        a_, b_, c_ = exact_arb(s0v), exact_arb(ssv), exact_arb(cv)
        worst = 0.0
        for k, tv in enumerate(ts):
            s_t = enc.balls[k]
            du = 2 * b_ * exact_arb(tv) + (a_ / c_).asinh() - (s_t / c_).asinh()
            bound = 2 * exact_arb(tv) * max(abs(a_).upper(), abs(s_t).upper())
            worst = max(worst, float((du - bound).upper()), float((-du).upper()))
        out.append(
            Measurement(
                max(worst, 0.0),
                mp_tolerance(30),
                f"s0={s0v}: certified u-error outside [0, 2 t max|s|]",
                "eps^0.8 at 30 digits (claim's)",
            )
        )
    b_, c_ = 4.0, 0.01
    lo, hi = math.asinh(1) / (2 * b_), math.asinh(1) / (2 * (b_ - c_))
    ok = bool(_at(lo * (1 - 4 * FLOAT64_EPS), 0.0, b_, c_) < exact_arb(c_)) and bool(
        exact_arb(c_) < _at(hi * (1 + 4 * FLOAT64_EPS), 0.0, b_, c_)
    )
    out.append(
        Measurement(float(not ok), 0.0, "s(asinh(1)/(2s*)) < c < s(asinh(1)/(2(s*-c))) certified", "4 eps slack")
    )
    return out


# ---------------------------------------------------------------- c -> 0: the logistic
LOGISTIC = s_star * s0 * sp.exp(2 * s_star * t) / (s_star + s0 * (sp.exp(2 * s_star * t) - 1))

logistic_limit = claim(
    "mixed_dynamics.logistic_limit",
    r"The $c \to 0$ limit of the closed form is Saxe et al.'s logistic "
    r"$s(t) = s^* s_0 e^{2s^* t}/(s^* + s_0 (e^{2s^* t} - 1))$, $s_0 > 0$",
    Source(
        PAPER,
        "Tu et al. (2024), eq. (1), aligned solutions (derived here)",
        r"proven: the defined $s(t)$ solves the aligned ODE (the closed form's proof); with $R$ and $\sqrt{s_0^2 + c^2}$ as symbols the closed form is a rational function whose denominator "
        r"does not vanish at $c = 0$ ($c v$ is continuous), so the limit is its value at $c = 0$, $R = s^*$, $\sqrt{s_0^2} = s_0$",
    ),
    statement=lambda: [*closed_form.statements(), equation(sp.Limit(S, c, 0, "+"), LOGISTIC)],
)


@logistic_limit.symbolic_check
def logistic_by_continuity(statement):
    parts = split_statement(statement)
    defs = substitutions(parts.definitions)
    rel = parts.relations[-1]
    solves = closed_form_solves_the_mode_ode(statement[:-1])  # the defined s(t) is the closed form
    if any(r != 0 for r in solves.residuals):  # expanded numerators: not the closed form, no limit to take
        return solves
    lim = rel.lhs
    ssp, s0p = sp.Symbol("s^*", positive=True), sp.Symbol("s_0", positive=True)
    r0 = sp.Dummy("r_0", positive=True)
    e = expand(lim.args[0], {k: v for k, v in defs.items() if k != R_})
    e = e.xreplace({sp.sqrt(s0**2 + c**2): r0}).xreplace({sp.exp(-2 * R_ * t): E_})
    num, den = sp.fraction(sp.cancel(sp.together(e)))
    at0 = {c: 0, R_: defs[R_].subs(c, 0).subs(s_star, ssp), r0: s0p, s0: s0p, s_star: ssp}
    n0, d0 = num.subs(at0), den.subs(at0)
    limit = n0 / d0
    target = rel.rhs.subs({s0: s0p, s_star: ssp})
    E_at0 = sp.exp(-2 * at0[R_] * t)
    residual = sp.cancel(sp.together(limit.subs(E_, E_at0) - target).rewrite(sp.exp))
    nonzero_den = sp.Integer(int(sp.simplify(d0) == 0))
    return Proof(residuals=[*solves.residuals, sp.simplify(residual), nonzero_den])


@logistic_limit.numeric_check
def logistic_at_tiny_c(statement):
    parts = split_statement(statement)
    defs = substitutions(parts.definitions)
    rel = parts.relations[-1]
    s_of = sp.lambdify((t, s0, s_star, c), expand(rel.lhs.args[0], defs), "mpmath")
    logi = sp.lambdify((t, s0, s_star), rel.rhs, "mpmath")
    out = []
    with mp.workdps(50):
        for s0v, ssv in [("0.01", "2"), ("3", "1")]:
            a_, b_ = mp.mpf(s0v), mp.mpf(ssv)
            for tv in (mp.mpf("0.5"), mp.mpf(2)):
                out.append(
                    Measurement(
                        float(abs(s_of(tv, a_, b_, mp.mpf("1e-25")) - logi(tv, a_, b_))),
                        mp_tolerance(50),
                        f"s0={s0v}, s*={ssv}, t={tv}: closed form at c = 1e-25 vs the stated limit",
                        "eps^0.8 at 50 digits (the O(c^2) gap is 1e-50)",
                    )
                )
    ts = np.array([0.0, 0.5, 2.0])
    ref = np.array([float(logi(tv, 0.01, 2.0)) for tv in ts])
    for cv in (0.0, 1e-300, 1e-12):
        try:
            got = np.asarray(lazyrich.mixed_aligned_singular_value(ts, 0.01, 2.0, cv), dtype=float)
        except lazyrich.InvalidParameterError:
            continue
        out.append(
            Measurement(
                float(np.max(np.abs(got - ref) / ref)),
                64 * FLOAT64_EPS + cv**2,
                f"mixed_aligned_singular_value at c={cv} vs the stated logistic (relative)",
                "64 eps + c^2",
            )
        )
    return out


@certified_check(logistic_limit)
def certified_logistic():
    out = []
    for s0v, ssv in [(0.01, 2.0), (3.0, 1.0)]:
        ts = np.array([0.5, 2.0])
        enc = certified_mixed_aligned_singular_value(ts, s0v, ssv, 1e-25, bits=BITS)
        out.append(radius_measurement(enc, max(s0v, ssv), f"s0={s0v}, s*={ssv}, c=1e-25"))
        a_, b_ = exact_arb(s0v), exact_arb(ssv)
        gap = 0.0
        for k, tv in enumerate(ts):
            e = (2 * b_ * exact_arb(tv)).exp()
            gap = max(gap, float(abs(enc.balls[k] - b_ * a_ * e / (b_ + a_ * (e - 1))).upper()))
        out.append(
            Measurement(
                gap,
                mp_tolerance(50),
                f"s0={s0v}, s*={ssv}: certified |closed form at 1e-25 - logistic|",
                "eps^0.8 at 50 digits (claim's)",
            )
        )
    ts = np.array([0.0, 0.5, 2.0])
    for cv in (0.0, 1e-300, 1e-12):
        try:
            got = np.asarray(lazyrich.mixed_aligned_singular_value(ts, 0.01, 2.0, cv), dtype=float)
        except lazyrich.InvalidParameterError:
            continue
        enc = certified_mixed_aligned_singular_value(ts, 0.01, 2.0, cv, bits=BITS)
        out.append(inside(enc, got, 64 * FLOAT64_EPS * float(np.abs(enc.mid).max()), f"c={cv}: float64", "64 eps |s|"))
    return out
