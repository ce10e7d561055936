r"""Rich and lazy regimes of the task-aligned dynamics (Dominé et al. (2025), Sec. 5, Thm 5.1, App. C.4-C.6).

A task-aligned mode obeys :math:`\tau\dot s = \sqrt{\lambda^2 + 4s^2}\,(\tilde s - s)` (Thm 5.1).

* :data:`thesis_aligned_formula`: the thesis' closed form (Anguita (2024), Thm 3.2.1),
  :math:`s = \lambda x/(1 - x^2)` with :math:`x` a Moebius function of :math:`e^{\operatorname{sgn}(\lambda)Kt/\tau}`,
  solves the ODE (exactly, by squaring, for both signs of :math:`\lambda`) from :math:`s(0) = s_0` on the branch
  :math:`|x(0)| < 1` only with :math:`T_0 = 2s_0\operatorname{sgn}(\lambda)/(\sqrt{\lambda^2 + 4s_0^2} + |\lambda|)`;
* :data:`shallow_equivalence`: in :math:`u = |\lambda|t/\tau` the mode's rate is
  :math:`\sqrt{\lambda^2 + 4s^2}/|\lambda| = 1 + 2s^2/\lambda^2 + O(|\lambda|^{-4})`, so the network function
  follows the shallow trajectory :math:`\Sigma_{yx} + (M_0 - \Sigma_{yx})e^{-u}` up to :math:`O(|\lambda|^{-2})`;
* :data:`representation_limits`: :math:`\sqrt{s^2 + \lambda^2/4} \mp \lambda/2` as :math:`\lambda \to \infty`
  (the converged :math:`W_1^TW_1` and :math:`W_2W_2^T`, App. C.4-C.5);
(The delayed-rich regime of funnels is in :mod:`.delayed_rich`.)
"""

from __future__ import annotations

import functools
import math

import mpmath
import numpy as np
import sympy as sp
from sympy import MatrixSymbol

import lazyrich
from lazyrich import (
    FLOAT64_EPS,
    Measurement,
    Source,
    claim,
    ddt,
    definition,
    equation,
    fit_order,
    linalg_tolerance,
    random_orthogonal,
    split_statement,
)
from lazyrich.certified import (
    Enclosure,
    certified_aligned_singular_value,
    certified_qqt,
    certified_qqt_limit,
    exact_arb,
)
from lazyrich.symbolic import time_derivative

from ..certify import BITS, certainly_wrong, certified_check, inside, radius_measurement
from .reference import flow_qqt, limit_qqt, must_fail, random_task, scalar_ode, seeded_rng, split_singular_values
from .statement_tools import f64, resolve, screened_proof, series_order_failures
from .symbols import PAPER, N_i, N_o, Sigma, lam, s0_s, s_, s_t, t, tau

__all__ = [
    "representation_limits",
    "shallow_equivalence",
    "thesis_aligned_formula",
    "thesis_s",
]

L_abs = sp.Symbol(r"|\lambda|", positive=True)

# ---------------------------------------------------------------- the thesis' closed form (Thm 5.1)
K_s, T0_s, C0_s, x_s = sp.Symbol("K", positive=True), sp.Symbol("T_0"), sp.Symbol("C_0"), sp.Symbol("x")
s_t_ = sp.Function("s")(t)


def _thesis_statement():
    e = sp.exp(sp.sign(lam) * K_s * t / tau)
    return [
        definition(K_s, sp.sqrt(lam**2 + 4 * s_t**2)),
        definition(T0_s, 2 * s0_s * sp.sign(lam) / (sp.sqrt(lam**2 + 4 * s0_s**2) + sp.Abs(lam))),
        definition(C0_s, (K_s + lam + 2 * s_t * T0_s) / (K_s - lam - 2 * s_t * T0_s)),
        definition(x_s, (K_s * (C0_s * e - 1) - lam * (C0_s * e + 1)) / (2 * s_t * (1 + C0_s * e))),
        definition(s_t_, lam * x_s / (1 - x_s**2)),
        equation(tau * ddt(s_t_), sp.sqrt(lam**2 + 4 * s_t_**2) * (s_t - s_t_)),
        equation(sp.Subs(s_t_, t, 0), s0_s),
        equation(1 - T0_s**2, 2 * sp.Abs(lam) / (sp.sqrt(lam**2 + 4 * s0_s**2) + sp.Abs(lam))),
    ]


def thesis_s(t_, s0, st, lm, tau_=1.0, printed=False):
    """Thesis Thm 3.2.1 (lambda != 0): s = lambda x/(1 - x^2), x a Moebius function of e^{sgn(l) K t}."""
    K = math.sqrt(lm**2 + 4 * st**2)
    sg = math.copysign(1.0, lm)
    root = math.sqrt(lm**2 + 4 * s0**2)
    T0 = 2 * s0 / (root + lm) if printed else 2 * s0 * sg / (root + abs(lm))
    C0 = (K + lm + 2 * st * T0) / (K - lm - 2 * st * T0)
    e = C0 * np.exp(sg * K * np.asarray(t_) / tau_)
    x = (K * (e - 1) - lm * (e + 1)) / (2 * st * (1 + e))
    return lm * x / (1 - x**2)


thesis_aligned_formula = claim(
    "lazy_to_rich.thesis_aligned_formula",
    r"Thesis Thm 3.2.1 solves the aligned ODE with $T_0 = 2 s_0 \operatorname{sgn}(\lambda)/(\sqrt{\lambda^2 + 4 s_0^2} + |\lambda|)$; the printed $+\lambda$ is wrong for $\lambda < 0$",
    Source(
        PAPER,
        "Sec. 5, Thm 5.1 (Anguita (2024), Thm 3.2.1)",
        r"CORRECTION: the thesis prints $T_0 = 2 s_0/(\sqrt{\lambda^2 + 4 s_0^2} + \lambda)$; for $\lambda < 0$ that is "
        r"$-1/T_0$, the other root of $\lambda x/(1 - x^2) = s_0$ ($|x| > 1$), which gives a wrong trajectory. "
        r"Proven for each sign of $\lambda$: the ODE squared (exact), $s(0) = s_0$, and $1 - T_0^2 > 0$ (the branch); "
        "the sign of the ODE on that branch is checked numerically",
    ),
    statement=_thesis_statement,
)


def _reduce_radicals(expr, rels=()):
    """``expr`` with each square root free of t replaced by a positive symbol ``r_i``; adds ``r_i^2 - base``."""
    rels, subs = list(rels), {}
    roots = sorted((a for a in expr.atoms(sp.Pow) if a.exp == sp.Rational(1, 2) and not a.has(t)), key=str)
    for i, r in enumerate(roots):
        sym = sp.Symbol(f"r_{i}", positive=True)
        subs[r] = sym
        rels.append((sym, r.base))
    return expr.xreplace(subs), rels


def _screen_fails(parts) -> bool:
    """The relations evaluated at one random point per sign of lambda (mpmath, 30 digits): a cheap screen that
    can only fail a proof (the exact reduction below decides a statement that passes it)."""
    ode, initial, branch = parts.relations
    s_expr = resolve(s_t_, parts.definitions)
    point = {s_t: mpmath.mpf("1.1"), s0_s: mpmath.mpf("0.4"), tau: mpmath.mpf("1.3")}
    args = (t, lam, s_t, s0_s, tau)
    try:
        D_, S_ = sp.Symbol("D_"), sp.Symbol("S_")
        f = sp.lambdify(args, s_expr, "mpmath")
        g = sp.lambdify((D_, S_, *args), (ode.lhs - ode.rhs).subs(sp.Derivative(s_t_, t), D_).subs(s_t_, S_), "mpmath")
        f0 = sp.lambdify(args, resolve(initial.lhs.expr, parts.definitions) - initial.rhs, "mpmath")
        fb = sp.lambdify(args, resolve(branch.lhs - branch.rhs, parts.definitions), "mpmath")
        at = initial.lhs.point[0] if isinstance(initial.lhs, sp.Subs) else 0
        with mpmath.workdps(30):
            for lm in (mpmath.mpf("0.8"), mpmath.mpf("-0.8")):
                vals = (lm, point[s_t], point[s0_s], point[tau])
                x = mpmath.mpf("0.37")
                d = mpmath.diff(lambda y, vals=vals: f(y, *vals), x)
                bad = [abs(g(d, f(x, *vals), x, *vals)), abs(f0(mpmath.mpf(at), *vals)), abs(fb(0, *vals))]
                if max(bad) > mpmath.mpf(10) ** -15:
                    return True
    except (TypeError, ValueError, ZeroDivisionError, NameError):
        return False
    return False


def _remainder(expr, rels):
    """The numerator of ``expr`` reduced by each ``sym^2 = base`` (0: the identity holds), in a polynomial ring."""
    num = sp.numer(sp.together(expr))
    syms = [sym for sym, _ in rels if num.has(sym)]
    gens = syms + sorted(num.free_symbols - set(syms), key=str)
    if not gens:
        return sp.expand(num)
    poly = sp.Poly(num, *gens)
    for sym, base in rels:
        if sym in syms:
            poly = poly.rem(sp.Poly(sym**2 - base, *gens))
    return poly.as_expr()


@thesis_aligned_formula.symbolic_check
def thesis_formula_per_sign(statement):
    """For lambda = +-|lambda|: the squared ODE (for every C_0), the initial value and the branch."""
    parts = split_statement(statement)
    ode, initial, branch = parts.relations
    moving = [d for d in parts.definitions if resolve(d.rhs, parts.definitions).has(t)]  # x, s; constants stay
    constant_roots = [
        (d.lhs, d.rhs.base) for d in parts.definitions if isinstance(d.rhs, sp.Pow) and d.rhs.exp == sp.Rational(1, 2)
    ]
    E = sp.Symbol("E", positive=True)  # E = e^{sgn(lambda) K t / tau}
    if _screen_fails(parts):
        return screened_proof([sp.Symbol("a relation is nonzero at a random point")])
    res = []
    for sg in (1, -1):
        env = {lam: sg * L_abs}
        lhs = resolve(ode.lhs, moving).doit().subs(env)
        rhs = resolve(ode.rhs, moving).subs(env)
        sq = sp.expand_power_base(lhs**2 - rhs**2).xreplace({a: E for a in (lhs + rhs).atoms(sp.exp) if a.has(t)})
        init = resolve(initial.lhs, parts.definitions).doit().subs(env) - initial.rhs.subs(env)
        br_l, br_r = (resolve(x, parts.definitions).subs(env) for x in (branch.lhs, branch.rhs))
        res.append(_remainder(sq, [(k, b.subs(env)) for k, b in constant_roots]))
        res.append(_remainder(*_reduce_radicals(init)))
        res.append(_remainder(*_reduce_radicals(br_l - br_r)))
        if not br_r.is_positive:  # |x(0)| < 1: the root of lambda x/(1 - x^2) = s0 the formula needs
            res.append(sp.Symbol(f"1 - T_0^2 > 0 not shown for sign {sg}"))
    return screened_proof(res)


@functools.lru_cache(maxsize=4)
def _aligned_ode(lm):
    return scalar_ode(0.1, 1.5, lm, np.linspace(0, 5, 11))


@thesis_aligned_formula.numeric_check
def thesis_formula_against_ode(statement):
    """The statement's s(t) (definitions substituted) against the aligned ODE (DOP853), lambda = +-0.5, +-2."""
    parts = split_statement(statement)
    ts = np.linspace(0, 5, 11)
    s0, st = 0.1, 1.5
    s_expr = resolve(s_t_, parts.definitions)
    f = sp.lambdify((t, lam, s0_s, s_t, tau), s_expr, "numpy")
    out = []
    for lm in (-2.0, -0.5, 0.5, 2.0):
        ode, tol = _aligned_ode(lm)
        with np.errstate(all="ignore"):
            got = np.asarray(f(ts, lm, s0, st, 1.0), dtype=float) * np.ones_like(ts)
        bound = tol + 1e3 * FLOAT64_EPS * st
        out.append(
            Measurement(float(np.abs(got - ode).max()), bound, f"lambda={lm}: statement vs ODE", "ODE + 1e3 eps")
        )
        out.append(
            Measurement(float(np.abs(thesis_s(ts, s0, st, lm) - got).max()), bound, f"lambda={lm}: thesis_s", "1e3 eps")
        )
    printed_err = float(np.abs(thesis_s(ts, s0, st, -2.0, printed=True) - _aligned_ode(-2.0)[0]).max())
    out.append(must_fail(printed_err, 0.1, "lambda=-2: printed thesis T0, max error over t in [0, 5]"))
    return out


@certified_check(thesis_aligned_formula)
def thesis_formula_certified():
    out = []
    ts = np.linspace(0, 5, 11)
    s0, st = 0.1, 1.5
    for lm in (-2.0, -0.5, 0.5, 2.0):
        enc = certified_aligned_singular_value(ts, s0, st, lm, bits=BITS)
        out.append(radius_measurement(enc, st, f"lambda={lm}"))
        out.append(
            inside(enc, thesis_s(ts, s0, st, lm), 1e3 * FLOAT64_EPS * st, f"lambda={lm}: thesis formula", "1e3 eps s~")
        )
        ode, tol = scalar_ode(s0, st, lm, ts)
        out.append(inside(enc, ode, tol, f"lambda={lm}: scalar ODE (DOP853)", "ODE global bound"))
    enc = certified_aligned_singular_value(ts, s0, st, -2.0, bits=BITS)
    out.append(certainly_wrong(enc, thesis_s(ts, s0, st, -2.0, printed=True), 0.1, "lambda=-2: printed thesis T0"))
    return out


# ---------------------------------------------------------------- shallow equivalence
u_s = sp.Symbol("u", nonnegative=True)  # u = |lambda| t / tau
M_sh = MatrixSymbol("M_{sh}", N_o, N_i)
M_0 = MatrixSymbol("M_0", N_o, N_i)

shallow_equivalence = claim(
    "lazy_to_rich.shallow_equivalence",
    r"As $|\lambda| \to \infty$, $W_2 W_1(t) \to \Sigma_{yx} + (W_2 W_1(0) - \Sigma_{yx}) e^{-|\lambda| t/\tau}$: a shallow network compressed in time",
    Source(
        PAPER,
        r"Sec. 5, Thm 5.1 ($|\lambda| \to \infty$)",
        r"Anguita (2024), Thm 4.2.3; derived here: in $u = |\lambda| t/\tau$ each mode's rate is "
        r"$\sqrt{\lambda^2 + 4 s^2}/|\lambda| = 1 + 2 s^2/\lambda^2 + O(|\lambda|^{-4})$ times the shallow rate "
        r"$\tilde s - s$, so the deviation is $O(|\lambda|^{-2})$ (observed on simulated flows)",
    ),
    statement=lambda: [
        definition(M_sh, Sigma + (M_0 - Sigma) * sp.exp(-u_s)),
        equation(sp.Derivative(M_sh, u_s), Sigma - M_sh),
        equation(sp.sqrt(L_abs**2 + 4 * s_**2) / L_abs, 1 + 2 * s_**2 / L_abs**2 + sp.O(L_abs**-4, (L_abs, sp.oo))),
    ],
)


@shallow_equivalence.symbolic_check
def shallow_trajectory_and_rate(statement):
    """The shallow trajectory solves d/du M = Sigma - M; the deep mode's rate ratio is a sharp expansion."""
    parts = split_statement(statement)
    shallow, ratio = parts.relations
    traj = resolve(shallow.lhs.expr, parts.definitions)
    d = time_derivative(traj, {}, time=u_s)
    res = [sp.MatAdd(d, sp.MatMul(-1, resolve(shallow.rhs, parts.definitions)))]
    res += [sp.Symbol(b) for b in series_order_failures(ratio, L_abs)]
    return screened_proof(res)


@functools.lru_cache(maxsize=1)
def _shallow_flows():
    """Simulated W2 W1 at u = 0.5, 1, 2, 4 for |lambda| = 20, 40, 80 and both signs (cached: the statement is not)."""
    rng = seeded_rng(160)
    n = 2
    syx = random_task(rng, n, n)
    U, V, R = (random_orthogonal(n, rng) for _ in range(3))
    s0 = np.array([0.5, 0.2])
    us = np.array([0.5, 1.0, 2.0, 4.0])
    out = {}
    for sign in (1.0, -1.0):
        for L in (20.0, 40.0, 80.0):
            c0, d0 = split_singular_values(s0, sign * L)
            W1v, W2v = (R * c0) @ V.T, (U * d0) @ R.T
            traj, _, _ = flow_qqt(syx, W1v, W2v, np.concatenate([[0.0], us / L]))
            out[(sign, L)] = (W2v @ W1v, np.array([B @ A for A, B in zip(traj["W1"], traj["W2"])])[1:])
    return syx, us, out


@shallow_equivalence.numeric_check
def deviation_order_from_simulation(statement):
    """The statement's shallow trajectory against simulated flows: the deviation ~ |lambda|^-2 (its rate correction)."""
    parts = split_statement(statement)
    syx, us, flows = _shallow_flows()
    traj = resolve(parts.relations[0].lhs.expr, parts.definitions)
    ratio = parts.relations[1]
    # the leading correction of the rate ratio sets the order of the deviation
    corr = sp.expand(ratio.rhs.removeO() - 1)
    want = -float(sp.Poly(corr * L_abs**8, L_abs).monoms()[-1][0] - 8) if corr != 0 else 0.0
    dims = {N_o: 2, N_i: 2}
    out = []
    for sign in (1.0, -1.0):
        lams, errs = [20.0, 40.0, 80.0], []
        for L in lams:
            M0v, Ms = flows[(sign, L)]
            sh = [f64(traj, {Sigma: syx, M_0: M0v, u_s: u}, dims) for u in us]
            errs.append(float(np.abs(Ms - np.array(sh)).max()))
        order = fit_order([1 / L for L in lams], errs)
        out.append(
            Measurement(
                abs(order - want),
                0.15,
                f"sign {sign:+.0f}: deviation ~ |lambda|^-{order:.3f} (stated {want:g})",
                "integer orders",
            )
        )
    return out


@certified_check(shallow_equivalence)
def shallow_equivalence_certified():
    rng = np.random.default_rng(160)
    n = 2
    syx = random_task(rng, n, n)
    U, V, R = (random_orthogonal(n, rng) for _ in range(3))
    s0 = np.array([0.5, 0.2])
    us = np.array([0.5, 1.0, 2.0, 4.0])
    out = []
    for sign in (1.0, -1.0):
        lams, errs = [20.0, 40.0, 80.0], []
        for L in lams:
            lm = sign * L
            c0, d0 = split_singular_values(s0, lm)
            W1v, W2v = (R * c0) @ V.T, (U * d0) @ R.T
            ts = np.concatenate([[0.0], us / L])
            enc = certified_qqt(lazyrich.TwoLayerExact(W1v, W2v, syx), ts, bits=BITS)
            M = enc.balls[:, n:, :n]  # exact W2 W1(t), M[0] = W2 W1(0)
            dev = [
                abs(M[k, i, j] - (exact_arb(syx[i, j]) + (M[0, i, j] - exact_arb(syx[i, j])) * (-exact_arb(u)).exp()))
                for k, u in enumerate(us, start=1)
                for i in range(n)
                for j in range(n)
            ]
            errs.append(max(float(d.mid()) for d in dev))
            _, qq_, tol = flow_qqt(syx, W1v, W2v, ts)
            out.append(inside(enc, qq_, tol, f"lambda={lm}: gradient-flow simulation", "quadratic invariant bound"))
        order = fit_order([1 / L for L in lams], errs)
        out.append(
            Measurement(
                abs(order - 2.0),
                0.15,
                f"sign {sign:+.0f}: certified deviation from the shallow trajectory ~ |lambda|^-{order:.3f} (expected 2)",
                "integer orders (deviations from enclosures with radius < 2^-100 relative)",
            )
        )
    return out


# ---------------------------------------------------------------- representation limits
representation_limits = claim(
    "lazy_to_rich.representation_limits",
    r"$\lambda \to +\infty$: $W_2 W_2^T \sim \lambda U_m U_m^T$, $W_1^T W_1 \sim V S^2 V^T/\lambda$; $\lambda \to -\infty$: the mirror image; errors $O(|\lambda|^{-3})$ on the small side",
    Source(
        PAPER,
        "Sec. 5 (semi-structured lazy regime), App. C.4-C.5",
        r"Anguita (2024), Sec. 4.3; per mode the converged blocks are $\sqrt{s^2 + \lambda^2/4} \mp \lambda/2$ "
        r"(sharp expansions, proven); $\lambda \to -\infty$ swaps the two blocks (checked on the limit $QQ^T$)",
    ),
    statement=lambda: [
        equation(sp.sqrt(s_**2 + lam**2 / 4) - lam / 2, s_**2 / lam + sp.O(lam**-3, (lam, sp.oo))),
        equation(sp.sqrt(s_**2 + lam**2 / 4) + lam / 2, lam + s_**2 / lam + sp.O(lam**-3, (lam, sp.oo))),
    ],
)


@representation_limits.symbolic_check
def sharp_expansions(statement):
    """Each relation: (lhs - rhs) lambda^k tends to a finite nonzero limit (k from its order term)."""
    return screened_proof(
        [sp.Symbol(b) for rel in statement for b in series_order_failures(rel, lam)] or [sp.Integer(0)]
    )


@representation_limits.numeric_check
def blocks_of_the_limit(statement):
    """The limit QQ^T (task SVD): its blocks' eigenvalues are the statement's sides; the error orders."""
    small_rel, big_rel = statement
    rng = seeded_rng(170)
    ni, no = 3, 2
    syx = random_task(rng, ni, no)
    s = np.linalg.svd(syx, compute_uv=False)
    out = []
    for sign in (1.0, -1.0):
        errs = {0: [], 1: []}
        lams = [10.0, 20.0, 40.0]
        for L in lams:
            lim = limit_qqt(syx, sign * L)
            A, C = lim[:ni, :ni], lim[ni:, ni:]
            small, big = (A, C) if sign > 0 else (C, A)  # lambda -> -oo swaps the layers
            for k, (rel, blk) in enumerate(((small_rel, small), (big_rel, big))):
                ev = np.sort(np.linalg.eigvalsh(blk))[::-1][: len(s)]
                f_l, f_r = (sp.lambdify((s_, lam), x.removeO() if x.has(sp.Order) else x) for x in (rel.lhs, rel.rhs))
                lhs = np.array([f_l(v, L) for v in s])
                out.append(
                    Measurement(
                        float(np.abs(np.sort(lhs)[::-1] - ev).max()),
                        linalg_tolerance(1.0, 16 * (ni + no)) * max(1.0, L),
                        f"sign {sign:+.0f}, |lambda|={L}: block eigenvalues vs {rel.lhs}",
                        "n eps |QQ^T|",
                    )
                )
                errs[k].append(float(np.abs(lhs - np.array([f_r(v, L) for v in s])).max()))
        for k, rel in enumerate((small_rel, big_rel)):
            o = rel.rhs.getO()
            want = float(-o.expr.as_base_exp()[1]) if o is not None else float("nan")
            order = fit_order([1 / L for L in lams], errs[k])
            out.append(
                Measurement(
                    abs(order - want), 0.1, f"sign {sign:+.0f}: relation {k} error order {order:.3f}", "integer orders"
                )
            )
    return out


@certified_check(representation_limits)
def representation_limits_certified():
    rng = np.random.default_rng(170)
    ni, no = 3, 2
    syx = random_task(rng, ni, no)
    out = []
    for lm in (10.0, 20.0, 40.0, -10.0, -20.0, -40.0):
        enc = certified_qqt_limit(syx, lm, bits=BITS)
        scale = float(np.abs(enc.mid).max())
        out.append(radius_measurement(enc, scale, f"lambda={lm}: QQ^T(inf)"))
        for name, blk in (("input", slice(0, ni)), ("output", slice(ni, None))):
            sub = Enclosure(enc.balls[..., blk, blk].copy(), enc.prec)
            out.append(
                inside(
                    sub,
                    limit_qqt(syx, lm)[blk, blk],
                    linalg_tolerance(scale, 16 * (ni + no)),
                    f"lambda={lm}: SVD formula, {name} block (float64)",
                    "n eps |QQ^T|",
                )
            )
    return out
