r"""Aligned solutions of eq. (1) of Tu, Aranguri, Jacot (2024): decoupling, closed form, tail, early phase, c -> 0.

Derived here (the project's own derivation from eq. (1); the paper's Fig. 1 shows the dynamics):

* :data:`aligned_decoupling`: for ``A = sum_i s_i u_i v_i^T`` and ``T = sum_i s*_i u_i v_i^T`` (orthonormal ``u_i``,
  ``v_i``) the roots are ``P = sum_i sqrt(s_i^2 + c^2) u_i u_i^T + c (I - sum_i u_i u_i^T)`` (and ``Q`` alike: their
  squares are the bases, PSD uniqueness), so eq. (1) with ``G = A - T`` keeps the alignment and
  ``ds_i/dt = 2 sqrt(s_i^2 + c^2)(s*_i - s_i)``.
* :data:`closed_form`: ``s = c sinh u``, ``v = e^u`` turn it into the Riccati equation ``dv/dt = -c (v - v_+)(v - v_-)``,
  solved by ``v(t) = (v_+ - v_- K_0 e^{-2Rt}) / (1 - K_0 e^{-2Rt})``; ``s = (c/2)(v - 1/v)``.
* :data:`tail_asymptotics`, :data:`early_phase` (heuristic), :data:`logistic_limit` (``c -> 0``: Saxe's logistic).

The closed form's symbolic checks reduce the statement's relations exactly (:func:`algebraic_residual`: square roots
become symbols ``r`` with ``r^2 = base``, ``e^{-2Rt}`` becomes ``E``, numerators are reduced modulo ``r^2 - base``);
a relation with a square root on one side is squared first, and its sign is checked numerically.
"""

from __future__ import annotations

import functools

import mpmath as mp
import numpy as np
import sympy as sp
from sympy import Identity, MatPow, MatrixSymbol, ZeroMatrix

import lazyrich
from lazyrich import (
    FLOAT64_EPS,
    Measurement,
    Proof,
    Source,
    claim,
    ddt,
    definition,
    equation,
    hypothesis,
    linalg_tolerance,
    mp_tolerance,
    ode_global_tolerance,
    random_orthogonal,
)
from lazyrich.certified import Enclosure, certified_mixed_aligned_singular_value, exact_arb
from lazyrich.symbolic import split_statement, substitutions

from ..certify import BITS, DERIVED_PREC, certified_check, inside, radius_measurement
from .reference import RTOL, eq1_flow, mp_aligned, psd_sqrt, value
from .self_consistent import psd_roots
from .symbols import A, I_i, I_o, P, Q, c, d_in, d_out, expand, read, t

__all__ = [
    "K0",
    "R_",
    "S",
    "algebraic_residual",
    "aligned_decoupling",
    "aligned_decoupling_case",
    "closed_form",
    "closed_form_definitions",
    "s0",
    "s_star",
]

PAPER = "mixed_dynamics"
s, s0, s_star = sp.symbols("s s_0 s^*", real=True)
R_ = sp.Symbol("R", positive=True)
K0 = sp.Symbol("K_0", real=True)
v_p, v_m, v_0, v_t = sp.symbols("v_+ v_- v_0 v(t)", real=True)
S = sp.Symbol("s(t)", real=True)
E_ = sp.Symbol("E", positive=True)  # e^{-2Rt}


# ---------------------------------------------------------------- exact reduction of scalar closed forms
def algebraic_residual(expr):
    """``expr`` (a scalar in ``t``, square roots and exponentials) reduced to a polynomial numerator: each square
    root becomes a symbol ``r`` reduced modulo ``r^2 - base``, ``t`` becomes ``log(E)/a`` where ``e^{a t}`` is the
    first exponential (so ``e^{b t} = E^{b/a}``). Zero iff the identity holds (for rational ``b/a``)."""
    roots = {}
    for p in sorted(expr.atoms(sp.Pow), key=sp.count_ops):
        if p.exp == sp.Rational(1, 2) and p.base not in roots:
            roots[p.base] = sp.Dummy("r", positive=True)
    e = expr.xreplace({sp.sqrt(b): r for b, r in roots.items()})
    e = e.replace(
        lambda x: isinstance(x, sp.Pow) and x.exp.is_Rational and x.exp.q == 2 and x.base in roots,
        lambda x: roots[x.base] ** x.exp.p,
    )
    exps = sorted(e.atoms(sp.exp), key=sp.count_ops)
    if exps:
        a = sp.cancel(exps[0].args[0] / t)
        if not a.has(t):
            e = e.xreplace({t: sp.log(E_) / a})
            e = e.replace(
                lambda x: isinstance(x, sp.exp), lambda x: sp.exp(sp.expand(sp.expand_log(x.args[0], force=True)))
            )
    num = sp.expand(sp.numer(sp.together(e)))
    for b, r in roots.items():
        b2 = b.xreplace({sp.sqrt(bb): rr for bb, rr in roots.items()})
        num = sp.expand(sp.rem(num, r**2 - b2, r)) if num.has(r) else num
    return num


# ---------------------------------------------------------------- decoupling
us = [MatrixSymbol(f"u_{i}", d_out, 1) for i in (1, 2)]
vs = [MatrixSymbol(f"v_{i}", d_in, 1) for i in (1, 2)]
sv = sp.symbols("s_1 s_2", real=True)
tv = sp.symbols("s^*_1 s^*_2", real=True)
T_ = MatrixSymbol("T", d_out, d_in)


def _rank2(coef, left, right):
    return coef[0] * left[0] * right[0].T + coef[1] * left[1] * right[1].T


def _decoupling_statement():
    orth = [
        hypothesis(x[i].T * x[j], Identity(1) if i == j else ZeroMatrix(1, 1))
        for x in (us, vs)
        for i, j in ((0, 0), (1, 1), (0, 1))
    ]
    r = [sp.sqrt(x**2 + c**2) for x in sv]
    return [
        *orth,
        definition(A, _rank2(sv, us, vs)),
        definition(T_, _rank2(tv, us, vs)),
        definition(P, MatPow(A * A.T + c**2 * I_o, sp.Rational(1, 2))),
        definition(Q, MatPow(A.T * A + c**2 * I_i, sp.Rational(1, 2))),
        equation(P, _rank2(r, us, us) + c * (I_o - _rank2((1, 1), us, us))),
        equation(Q, _rank2(r, vs, vs) + c * (I_i - _rank2((1, 1), vs, vs))),
        equation(ddt(s), 2 * sp.sqrt(s**2 + c**2) * (s_star - s)),
    ]


aligned_decoupling = claim(
    "mixed_dynamics.aligned_decoupling",
    r"Aligned $A(0) = U \operatorname{diag}(s(0)) V^T$, $T = U \operatorname{diag}(s^*) V^T$: eq. (1) keeps the "
    r"alignment and $\dot s_i = 2 \sqrt{s_i^2 + c^2} \, (s^*_i - s_i)$",
    Source(
        PAPER,
        "Tu et al. (2024), eq. (1), aligned solutions (derived here)",
        "proven at general shape for two modes: the spectral roots square to the bases (PSD uniqueness) and "
        r"$-(P G + G Q)$ with $G = A - T$ reduces to $\sum_i \dot s_i u_i v_i^T$, the rate read from the statement",
    ),
    statement=_decoupling_statement,
)


@aligned_decoupling.symbolic_check
def aligned_velocity_is_diagonal(statement):
    r = read(statement, rate_atoms=())
    premises, subs, steps = psd_roots(_RootsOnly(r))
    (ode,) = [rel for rel in r.claims if isinstance(rel.lhs, sp.Derivative)]
    G = r.x(A) - r.x(T_)
    velocity = -(subs[P] * G + G * subs[Q])
    rates = [ode.rhs.xreplace({s: sv[i], s_star: tv[i]}) for i in (0, 1)]
    residual = r.x(velocity) - _rank2(rates, us, vs)
    return Proof(residuals=[*premises, residual], steps=steps, rules=r.rules)


class _RootsOnly:
    """A read statement whose root candidates are the relations ``P = K`` (given as ``K^2 = M`` to psd_roots)."""

    def __init__(self, r):
        self.definitions, self.x = r.definitions, r.x
        bases = {d.lhs: d.rhs.args[0] for d in r.definitions if isinstance(d.rhs, MatPow)}
        self.claims = [
            equation(MatPow(rel.rhs, 2), bases.get(rel.lhs, rel.lhs))
            for rel in r.claims
            if rel.lhs in bases and rel.lhs in (P, Q)
        ]


def aligned_decoupling_case():
    """The claim's case: ``(U, V, s0, s*, c, times, eq1_flow, closed)`` (``closed``: mpmath closed form, 20 digits)."""
    rng = np.random.default_rng(150)
    d, cv = 3, 0.4
    Uv, Vv = random_orthogonal(d, rng), random_orthogonal(d, rng)
    sv0, svs = np.array([0.05, -0.2, 1.5]), np.array([2.0, 1.0, 0.5])
    times = np.linspace(0.0, 1.5, 7)
    flow = eq1_flow((Uv * sv0) @ Vv.T, (Uv * svs) @ Vv.T, cv, times)
    with mp.workdps(20):
        closed = np.array([[float(mp_aligned(tv_, a_, b_, cv)) for a_, b_ in zip(sv0, svs)] for tv_ in times])
    return Uv, Vv, sv0, svs, cv, times, flow, closed


@functools.lru_cache(maxsize=1)
def _cached_case():
    return aligned_decoupling_case()


@aligned_decoupling.numeric_check
def matrix_flow_against_the_mode_ode(statement):
    """The spectral roots against eigh roots on random orthonormal vectors; the matrix eq. (1) flow's modes against
    the statement's mode ODE integrated by DOP853 (scalar, independent of the matrix)."""
    from scipy.integrate import solve_ivp

    r = read(statement, rate_atoms=())
    out = []
    rng = np.random.default_rng(151)
    Uo, Vo = random_orthogonal(4, rng)[:, :2], random_orthogonal(3, rng)[:, :2]
    vals = {us[0]: Uo[:, :1], us[1]: Uo[:, 1:], vs[0]: Vo[:, :1], vs[1]: Vo[:, 1:], sv[0]: 0.7, sv[1]: -1.3, c: 0.4}
    dims = {d_out: 4, d_in: 3}
    Av = value(r.x(A), vals, dims)
    for rel, M in zip([x for x in r.claims if x.lhs in (P, Q)], (Av @ Av.T, Av.T @ Av)):
        ref = psd_sqrt(M + 0.16 * np.eye(M.shape[0]))
        out.append(
            Measurement(
                float(np.abs(value(r.x(rel.rhs), vals, dims) - ref).max()),
                linalg_tolerance(4.0, 64),
                f"spectral form of {rel.lhs} vs eigh",
                "64 eps (|A|^2 + c^2)",
            )
        )
    (ode,) = [rel for rel in r.claims if isinstance(rel.lhs, sp.Derivative)]
    f = sp.lambdify((s, s_star, c), ode.rhs, "math")
    Uv, Vv, sv0, svs, cv, times, (A_e, n_e, atol_e, sc_e), _closed = _cached_case()
    modes = np.einsum("ij,kil,lj->kj", Uv, A_e, Vv)
    tol = ode_global_tolerance(n_e, RTOL, atol_e, sc_e) * 2 + linalg_tolerance(sc_e, 16 * 3)
    for i in range(3):
        sol = solve_ivp(
            lambda _t, y, i=i: [f(y[0], svs[i], cv)],
            (0, times[-1]),
            [sv0[i]],
            method="DOP853",
            t_eval=times,
            rtol=RTOL,
            atol=RTOL * sc_e,
        )
        tol_i = tol + ode_global_tolerance(max(sol.nfev // 12, 1), RTOL, RTOL * sc_e, sc_e)
        out.append(
            Measurement(
                float(np.abs(sol.y[0] - modes[:, i]).max()),
                tol_i,
                f"mode {i}: matrix eq. (1) vs the statement's mode ODE",
                "two DOP853 bounds + 16 d eps |A|",
            )
        )
    return out


@certified_check(aligned_decoupling)
def certified_aligned_modes():
    Uv, Vv, sv0, svs, cv, times, (A_e, n_e, atol_e, sc_e), closed = _cached_case()
    d = Uv.shape[0]
    modes = [certified_mixed_aligned_singular_value(times, a_, b_, cv, bits=BITS) for a_, b_ in zip(sv0, svs)]
    out = [radius_measurement(m, 2.0, f"mode {i}") for i, m in enumerate(modes)]
    Ua = [[exact_arb(x) for x in row] for row in Uv]
    Va = [[exact_arb(x) for x in row] for row in Vv]
    A_c = np.empty((len(times), d, d), dtype=object)
    for k in range(len(times)):
        for i in range(d):
            for j in range(d):
                A_c[k, i, j] = sum((Ua[i][m] * modes[m].balls[k] * Va[j][m] for m in range(d)), exact_arb(0.0))
    enc = Enclosure(A_c, DERIVED_PREC)
    out.append(inside(enc, A_e, ode_global_tolerance(n_e, RTOL, atol_e, sc_e), "matrix eq. (1) flow", "DOP853 bound"))
    out.append(
        inside(
            enc,
            np.einsum("ij,kj,lj->kil", Uv, closed, Vv),
            linalg_tolerance(sc_e, 16 * d) + mp_tolerance(20) * sc_e,
            "U diag(mpmath closed form) V^T",
            "16 d eps |A| + eps_20^0.8 |A|",
        )
    )
    return out


# ---------------------------------------------------------------- the closed form
def closed_form_definitions() -> list:
    """``R``, ``v_+``, ``v_-``, ``v_0``, ``K_0``, ``v(t)`` and ``s(t)`` of the closed form."""
    q = K0 * sp.exp(-2 * R_ * t)
    return [
        definition(R_, sp.sqrt(s_star**2 + c**2)),
        definition(v_p, (s_star + R_) / c),
        definition(v_m, (s_star - R_) / c),
        definition(v_0, (s0 + sp.sqrt(s0**2 + c**2)) / c),
        definition(K0, (v_0 - v_p) / (v_0 - v_m)),
        definition(v_t, (v_p - v_m * q) / (1 - q)),
        definition(S, c / 2 * (v_t - 1 / v_t)),
    ]


def _x(statement):
    subs = substitutions(split_statement(statement).definitions)
    return lambda e: expand(e, subs)


closed_form = claim(
    "mixed_dynamics.closed_form",
    r"Closed form: $s(t) = (c/2)(v - 1/v)$, $v = (v_+ - v_- K_0 e^{-2Rt})/(1 - K_0 e^{-2Rt})$, "
    r"$R = \sqrt{s^{*2} + c^2}$, $v_\pm = (s^* \pm R)/c$",
    Source(
        PAPER,
        "Tu et al. (2024), eq. (1), aligned solutions (derived here)",
        r"proven: $s = c \sinh u$, $v = e^u$ give the Riccati equation $\dot v = -c (v - v_+)(v - v_-)$; the ODE is "
        r"reduced squared (exact algebra), its sign checked numerically ($v > 0$: $\sqrt{s^2 + c^2} = (c/2)(v + 1/v)$)",
    ),
    statement=lambda: [
        *closed_form_definitions(),
        equation(ddt(v_t), -c * (v_t - v_p) * (v_t - v_m)),
        equation(ddt(S), 2 * sp.sqrt(S**2 + c**2) * (s_star - S)),
        equation(sp.Subs(S, t, 0), s0),
    ],
)


def _time_derivative(e):
    return sp.diff(e, t)


def _reduce(e, root, square):
    """Numerator of ``e`` reduced modulo ``root^2 - square`` (a polynomial remainder in ``root``)."""
    e = e.xreplace({x: sp.Dummy("E", positive=True) for x in e.atoms(sp.exp)})  # independent of R's square
    num = sp.expand(sp.numer(sp.together(e)))
    return sp.expand(sp.rem(num, root**2 - square, root)) if num.has(root) else num


@closed_form.symbolic_check
def closed_form_solves_the_mode_ode(statement):
    """In layers, each an exact rational identity: (1) the stated ``v(t)`` solves the stated Riccati equation for
    any ``K_0`` (``v_+``, ``v_-`` substituted, ``R`` a symbol); (2) with that rate, ``s = s(v)`` solves the stated
    ODE (squared; its sign is the numeric check's), reduced modulo ``R^2 = `` (the square of ``R``'s definition);
    (3) ``s(0) = s_0`` with ``K_0`` and ``v_0`` substituted (``sqrt(s_0^2 + c^2)`` reduced as a symbol)."""
    parts = split_statement(statement)
    defs = substitutions(parts.definitions)
    ric, ode, init = parts.relations
    pm = {v_p: defs[v_p], v_m: defs[v_m]}
    vt_expr = defs[v_t]
    rate = ric.rhs  # dv/dt as a function of v(t), once (1) holds
    res1 = _reduce((sp.diff(vt_expr, t) - rate.xreplace({v_t: vt_expr})).xreplace(pm), R_, defs[R_] ** 2)
    f = defs[S]
    lhs = sp.diff(f, v_t) * rate
    rhs = ode.rhs.xreplace({S: f})
    if any(p.exp == sp.Rational(1, 2) and p.base.has(v_t) for p in rhs.atoms(sp.Pow)):
        lhs, rhs = lhs**2, sp.expand(rhs**2)  # the sign: numeric check (v > 0)
    res2 = _reduce((lhs - rhs).xreplace(pm), R_, defs[R_] ** 2)
    at0 = expand(init.lhs.expr, {S: f, v_t: vt_expr}).subs(init.lhs.variables[0], init.lhs.point[0])
    at0 = expand(at0, {K0: defs[K0]})
    at0 = sp.cancel(sp.together(at0))
    res3 = algebraic_residual(expand(at0 - init.rhs, {v_0: defs[v_0], v_p: defs[v_p], v_m: defs[v_m], R_: defs[R_]}))
    return Proof(residuals=[res1, res2, res3])


CASES = [("0.1", "2", "0.5"), ("-1", "1", "0.3"), ("3", "1", "2"), ("0", "4", "1e-6")]


@closed_form.numeric_check
def closed_form_against_the_ode(statement):
    """The statement's ``s(t)`` (lambdified, mpmath 30 digits): its ODE residual by ``mp.diff``, its value at 0,
    against :func:`mp_aligned` (a rearranged route) and ``mp.odefun``; :func:`lazyrich.mixed_aligned_singular_value`
    against it."""
    x = _x(statement)
    parts = split_statement(statement)
    s_expr = x(S)
    s_of = sp.lambdify((t, s0, s_star, c), s_expr, "mpmath")
    out = []
    with mp.workdps(30):
        for a_, b_, c_ in CASES[:3]:
            a_, b_, c_ = mp.mpf(a_), mp.mpf(b_), mp.mpf(c_)
            res = []
            for rel in parts.relations:
                if isinstance(rel.lhs, sp.Derivative):
                    inner = sp.lambdify((t, s0, s_star, c), x(rel.lhs.expr), "mpmath")
                    rhs = sp.lambdify((t, s0, s_star, c), x(rel.rhs), "mpmath")
                    for tv_ in (mp.mpf("0.1"), mp.mpf(1)):
                        res.append(
                            abs(mp.diff(lambda y, f=inner, a=a_, b=b_, k=c_: f(y, a, b, k), tv_) - rhs(tv_, a_, b_, c_))
                        )
                else:
                    lhs = sp.lambdify((s0, s_star, c), x(rel.lhs).doit(), "mpmath")
                    res.append(abs(lhs(a_, b_, c_) - sp.lambdify((s0, s_star, c), x(rel.rhs), "mpmath")(a_, b_, c_)))
            for tv_ in (mp.mpf("0.5"), mp.mpf(2)):
                res.append(abs(s_of(tv_, a_, b_, c_) - mp_aligned(tv_, a_, b_, c_)))
            scale = float(b_ + abs(a_) + 1 + 1 / c_) ** 3
            out.append(
                Measurement(
                    float(max(res)),
                    mp_tolerance(30) * scale,
                    f"s0={a_}, s*={b_}, c={c_}: ODE, s(0), route",
                    "eps^0.8 at 30 digits times the scale of the right-hand side",
                )
            )
    with mp.workdps(20):
        a_, b_, c_ = mp.mpf(-1), mp.mpf(1), mp.mpf("0.3")
        f = mp.odefun(lambda _t, y: 2 * mp.sqrt(y**2 + c_**2) * (b_ - y), 0, a_)
        err = max(abs(f(tv_) - s_of(tv_, a_, b_, c_)) for tv_ in (mp.mpf("0.5"), mp.mpf(2)))
        out.append(Measurement(float(err), 10 * mp_tolerance(20), "closed form vs mp.odefun (20 digits)", "10 eps^0.8"))
    with mp.workdps(30):
        for a_, b_, c_ in [(0.1, 2.0, 0.5), (-1.0, 1.0, 0.3), (3.0, 1.0, 2.0)]:
            ts = np.array([0.0, 0.3, 1.0, 2.0])
            got = np.asarray(lazyrich.mixed_aligned_singular_value(ts, a_, b_, c_), dtype=float)
            ref = np.array([float(s_of(tv_, a_, b_, c_)) for tv_ in ts])
            out.append(
                Measurement(
                    float(np.abs(got - ref).max()),
                    64 * FLOAT64_EPS * max(abs(a_), b_, c_),
                    f"mixed_aligned_singular_value(s0={a_}, s*={b_}, c={c_}) vs the statement",
                    "64 eps max(|s0|, s*, c)",
                )
            )
    return out


@certified_check(closed_form)
def certified_closed_form():
    out = []
    ts = np.array([0.0, 0.3, 1.0, 2.0, 1e6])
    for s0v, ssv, cv in [(0.1, 2.0, 0.5), (-1.0, 1.0, 0.3), (3.0, 1.0, 2.0), (1e-3, 5.0, 1e-9)]:
        scale = max(abs(s0v), ssv, cv)
        enc = certified_mixed_aligned_singular_value(ts, s0v, ssv, cv, bits=BITS)
        label = f"s0={s0v}, s*={ssv}, c={cv}"
        out.append(radius_measurement(enc, scale, label))
        out.append(
            inside(
                enc,
                lazyrich.mixed_aligned_singular_value(ts, s0v, ssv, cv),
                64 * FLOAT64_EPS * scale,
                f"{label}: mixed_aligned_singular_value (float64)",
                "64 eps max(|s0|, s*, c)",
            )
        )
    s0s, targets, cv = np.array([0.2, -0.5]), np.array([1.5, 0.8]), 0.4
    traj = lazyrich.self_consistent_flow(np.diag(s0s), np.diag(targets), cv, ts[:-1], rtol=1e-11)
    tol = ode_global_tolerance(traj.n_steps, traj.rtol, traj.atol, traj.scale)
    for k in range(2):
        enc = certified_mixed_aligned_singular_value(ts[:-1], s0s[k], targets[k], cv, bits=BITS)
        out.append(inside(enc, traj["A"][:, k, k], tol, f"mode {k}: self_consistent_flow (DOP853)", "ODE global bound"))
    return out
