r"""The Riccati equation of Dominé et al. (2025), Sec. 4: closure, the Fukumizu solution, the spectrum of F.

Identities (whitened inputs, assumption A1; lambda-balance, assumption A2, as a hypothesis):

* Riccati closure (Sec. 4, Anguita (2024), Thm 3.3.1(1)): with :math:`Q = [W_1^T; W_2]`,
  :math:`\tau\frac{d}{dt}QQ^T = FQQ^T + QQ^TF - (QQ^T)^2`,
  :math:`F = \begin{bmatrix}-\frac\lambda2 I & \Sigma_{yx}^T\\ \Sigma_{yx} & \frac\lambda2 I\end{bmatrix}`.
  Proven block by block at general shape; the balance enters only the diagonal blocks.
* Fukumizu form (Sec. 4; Fukumizu (1998)): :math:`P = YM^{-1}Y^T`, :math:`Y = e^{Ft/\tau}Q_0`,
  :math:`M = I + \frac12 Q_0^T(e^{Ft/\tau}F^{-1}e^{Ft/\tau} - F^{-1})Q_0` solves the Riccati equation with
  :math:`P(0) = Q_0Q_0^T`, from :math:`\tau\dot Y = FY` and :math:`\tau\dot M = Y^TY`.
* the spectrum of F (Sec. 4, Lemma 4.2) is in :mod:`.spectrum`.
"""

from __future__ import annotations

import math

import numpy as np
import sympy as sp
from sympy import Identity, Inverse, MatrixSymbol

import lazyrich
from lazyrich import (
    FLOAT64_EPS,
    DeepLinearModel,
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
    rewrite_rules,
    split_statement,
    substitutions,
)
from lazyrich.certified import certified_qqt
from lazyrich.symbolic import Commute, canonicalize, facts, matrix_exp

from ..certify import BITS, certified_check, inside, radius_measurement
from .reference import (
    balanced_flow_case,
    evaluate_blocks,
    expanded_sides,
    f_matrix,
    fukumizu_direct,
    fukumizu_mp,
    qqt_of,
    relation_sides,
)
from .symbols import (
    PAPER,
    W1,
    W2,
    F_blocks,
    F_sym,
    I_h,
    N_h,
    N_i,
    N_o,
    QQT_blocks,
    QQT_sym,
    Sigma,
    blocks_of,
    expand_definitions,
    lam,
    n_q,
    replace_derivatives,
    statement_rates,
    t,
    tau,
)

__all__ = [
    "fukumizu_cases",
    "fukumizu_solution",
    "riccati_closure",
]


def reduce_relations(statement, extra_rates=None, **declared):
    """The residual blocks ``lhs - rhs`` of every relation that is not a rate, and the rules, rates, definitions.

    Definitions are substituted, each ``d/dt X`` is replaced by the derivative of ``X``'s definition under the
    statement's rates, the hypotheses become rewrite rules.
    """
    parts = split_statement(statement)
    subs = substitutions(parts.definitions)
    rates = {**statement_rates(parts.relations, defined=subs), **(extra_rates or {})}
    rules = rewrite_rules(parts.hypotheses)
    residuals = []
    for rel in parts.relations:
        target = rel.lhs.atoms(sp.Derivative)
        if target and all(d.expr in rates for d in target):
            continue  # a rate of the statement: used, not proven
        lhs, rhs = (expand_definitions(replace_derivatives(x, rates, subs), subs) for x in (rel.lhs, rel.rhs))
        residuals += blocks_of(sp.MatAdd(lhs, sp.MatMul(-1, rhs)))
    return residuals, rules, rates, subs, parts


# ================================================================ claim 3: Riccati closure
riccati_closure = claim(
    "lazy_to_rich.riccati_closure",
    r"Under whitening and $\lambda$-balance, $\tau \frac{d}{dt} QQ^T = F QQ^T + QQ^T F - (QQ^T)^2$",
    Source(
        PAPER,
        "Sec. 4 (Riccati equation for $QQ^T$)",
        "Anguita (2024), Thm 3.3.1(1); Fukumizu (1998); Braun et al. (2022); proven blockwise at general shape, "
        "the balance enters only the diagonal blocks",
    ),
    statement=lambda: [
        definition(QQT_sym, QQT_blocks),
        definition(F_sym, F_blocks),
        hypothesis(W2.T * W2 - W1 * W1.T, lam * I_h),
        equation(tau * ddt(W1), W2.T * (Sigma - W2 * W1)),
        equation(tau * ddt(W2), (Sigma - W2 * W1) * W1.T),
        equation(tau * ddt(QQT_sym), F_sym * QQT_sym + QQT_sym * F_sym - QQT_sym**2),
    ],
    equivalent={
        label: "QQ^T and F are symmetric by their (block) definitions"
        for label in (
            "s5.transpose.1.0.1.0",
            "s5.transpose.1.1.0",
            "s5.transpose.1.1.1",
            "s5.transpose.1.2.0",
            "s5.transpose.1.2.1",
        )
    },
)


@riccati_closure.symbolic_check
def riccati_blocks_vanish(statement):
    """Each of the four blocks of ``tau dQQ^T/dt - (F QQ^T + QQ^T F - QQ^T QQ^T)`` reduces to zero under the balance."""
    residuals, rules, rates, _, _ = reduce_relations(statement)
    A, B = W1.T * W1, W2 * W1
    steps = [
        equation(tau * ddt(A), tau * rates[W1].T * W1 + tau * W1.T * rates[W1]),
        equation(W1.T * W2.T * W2 * W1, A * A + lam * A),
        equation(tau * ddt(B), tau * rates[W2] * W1 + tau * W2 * rates[W1]),
    ]
    return Proof(residuals=residuals, steps=steps, rules=rules, rates=rates)


def _shapes(W1v, W2v):
    return {N_i: W1v.shape[1], N_h: W1v.shape[0], N_o: W2v.shape[0]}


@riccati_closure.numeric_check
def riccati_along_flow(statement):
    """The statement's sides along simulated balanced flows; its definitions and rates against the engine."""
    parts = split_statement(statement)
    subs = substitutions(parts.definitions)
    rates = statement_rates(parts.relations, defined=subs)
    [hyp] = parts.hypotheses
    rel = parts.relations[-1]
    out = []
    for seed, (ni, nh, no, lm) in enumerate([(3, 2, 2, 0.7), (2, 2, 4, -0.6)]):
        syx, W1v, W2v, traj, _, tol_w = balanced_flow_case(30 + seed, ni, nh, no, lm, (0.0, 1.5, 3.0), 1.3)
        model = DeepLinearModel(syx, tau=1.3)
        dims = _shapes(W1v, W2v)
        F = f_matrix(syx, lm)
        n = ni + no
        worst = {"relation": 0.0, "definitions": 0.0, "rates": 0.0, "hypothesis": 0.0}
        for i in range(len(traj.t)):
            A, B = traj.at(i)
            vals = {W1: A, W2: B, Sigma: syx, lam: lm, tau: model.tau}
            lhs, rhs = relation_sides(rel, vals, dims, rates, subs)
            worst["relation"] = max(worst["relation"], float(np.abs(lhs - rhs).max()))
            defs = [relation_sides(d, vals, dims, rates, subs) for d in parts.definitions]
            worst["definitions"] = max(
                worst["definitions"],
                float(np.abs(defs[0][1] - qqt_of(A, B)).max()),
                float(np.abs(defs[1][1] - F).max()),
            )
            vel = model.velocity((A, B))
            for X, v in zip((W1, W2), vel):
                got = relation_sides(equation(X, rates[X]), vals, dims, rates, subs)[1]
                worst["rates"] = max(worst["rates"], float(np.abs(got - v).max()))
            h = relation_sides(hyp, vals, dims, rates, subs)
            worst["hypothesis"] = max(worst["hypothesis"], float(np.abs(h[0] - h[1]).max()))
        scale = traj.scale
        # the defect is W^T Delta W with |Delta| <= the balance drift; plus round-off of 4-fold products
        eps_prod = 64 * FLOAT64_EPS * (scale**2 + np.abs(F).max()) ** 2 * n
        label = f"{ni}-{nh}-{no}, lambda={lm}"
        out += [
            Measurement(
                worst["relation"],
                2 * scale**2 * tol_w * n + eps_prod,
                f"{label}: relation along the flow",
                "|W|^2 x balance drift bound + n eps |P|^2",
            ),
            Measurement(
                worst["definitions"],
                linalg_tolerance(1.0, 4 * n) * max(scale**2, np.abs(F).max()),
                f"{label}: definitions of QQ^T and F vs independent float64",
                "n eps |P|",
            ),
            Measurement(
                worst["rates"],
                linalg_tolerance(1.0, 8 * n) * (scale**2 + 1) * scale,
                f"{label}: statement's rates vs DeepLinearModel.velocity",
                "n eps |W|^3",
            ),
            Measurement(
                worst["hypothesis"],
                tol_w + 16 * FLOAT64_EPS * scale**2 * n,
                f"{label}: hypothesis (lambda-balance) along the flow",
                "balance drift + n eps |W|^2",
            ),
        ]
    return out


# ================================================================ claim 4: Fukumizu solution
Fm = MatrixSymbol("F", n_q, n_q)
Finv = MatrixSymbol("F^{-1}", n_q, n_q)
Eh = MatrixSymbol("e^{F t/tau}", n_q, n_q)
Q0 = MatrixSymbol("Q_0", n_q, N_h)
Ym = MatrixSymbol("Y", n_q, N_h)
Mm = MatrixSymbol("M_t", N_h, N_h)
P_m = MatrixSymbol("P", n_q, n_q)
#: declared facts of the symbols (not of the statement): e^{Ft/tau} and F^{-1} are symmetric functions of F
FUKUMIZU_FACTS = facts(
    [matrix_exp(Eh, Fm, scale=1 / tau, symmetric=True), Fm, Finv, Commute(Eh, Finv), Commute(Fm, Finv)]
)
FUKUMIZU_FACTS = {k: v for k, v in FUKUMIZU_FACTS.items() if k != "rules"}  # the algebra comes from the statement

fukumizu_solution = claim(
    "lazy_to_rich.fukumizu_solution",
    r"$P = Y M^{-1} Y^T$ with $Y = e^{F t/\tau} Q_0$, $M = I + \frac12 Q_0^T (e^{F t/\tau} F^{-1} e^{F t/\tau} - F^{-1}) Q_0$ solves the Riccati ODE with $P(0) = Q_0 Q_0^T$; $M \succeq I$",
    Source(
        PAPER,
        "Sec. 4 (general solution, Fukumizu form)",
        r"Fukumizu (1998); Anguita (2024), Thm 3.3.1; derived here: valid for $N_h > \min(N_i, N_o)$; proven at "
        r"general shape for invertible $F$ ($(e^{2 \mu t} - 1)/\mu$ is entire, so $F^{-1}$ is only notation); "
        r"$M \succeq I$ is checked numerically",
    ),
    statement=lambda: [
        definition(P_m, Ym * Inverse(Mm) * Ym.T),
        definition(Ym, Eh * Q0),
        definition(Mm, Identity(N_h) + sp.Rational(1, 2) * Q0.T * (Eh * Finv * Eh - Finv) * Q0),
        equation(tau * ddt(Eh), Fm * Eh),
        hypothesis(Fm * Finv, Identity(n_q)),
        hypothesis(sp.Subs(Eh, t, 0), Identity(n_q)),
        equation(tau * ddt(P_m), Fm * P_m + P_m * Fm - P_m * P_m),
        equation(sp.Subs(P_m, t, 0), Q0 * Q0.T),
    ],
    equivalent={
        "s0.scale.1.1.1": "SymPy's Inverse(M, -2) is still M^{-1} (Inverse ignores its exponent argument)",
        **{
            label: "a transpose of a symmetric matrix: F, F^{-1}, e^{Ft/tau}, M_t and P (by their definitions)"
            for label in (
                "s0.transpose.1.1.0",
                "s1.transpose.1.0",
                "s2.transpose.1.0.2.0.1",
                "s2.transpose.1.0.2.1.0",
                "s2.transpose.1.0.2.1.1",
                "s2.transpose.1.0.2.1.2",
                "s3.transpose.1.0",
                "s3.transpose.1.1",
                "s4.transpose.0.0",
                "s4.transpose.0.1",
                "s6.transpose.0.1.0",
                "s6.transpose.1.0.1.0",
                "s6.transpose.1.1.0",
                "s6.transpose.1.1.1",
                "s6.transpose.1.2.0",
                "s6.transpose.1.2.1",
                "s7.transpose.0.0",
            )
        },
    },
)


def _at_zero(parts, subs):
    """``{X: X(0)}``: the hypotheses ``X(0) = ...`` and every definition evaluated there (canonical form)."""
    zero = {h.lhs.expr: h.rhs for h in parts.hypotheses if isinstance(h.lhs, sp.Subs)}
    out = {}
    for _ in range(3):
        for k, v in subs.items():
            out[k] = canonicalize(expand_definitions(v, out).xreplace(zero)).as_expr().doit()
    return out, zero


@fukumizu_solution.symbolic_check
def fukumizu_solves_riccati(statement):
    """``tau dP/dt`` (the inverse rule for ``M^{-1}``) minus the Riccati right side, and ``P(0)``, reduce to zero."""
    parts = split_statement(statement)
    subs = substitutions(parts.definitions)
    rates = statement_rates(parts.relations, defined=subs)
    rules = rewrite_rules([h for h in parts.hypotheses if not isinstance(h.lhs, sp.Subs)])
    residuals = []
    for rel in parts.relations:
        if isinstance(rel.lhs, sp.Subs):
            at0, zero = _at_zero(parts, subs)
            lhs = expand_definitions(rel.lhs.expr, at0).xreplace(zero).doit()
            residuals.append(sp.MatAdd(lhs, sp.MatMul(-1, rel.rhs)))
        elif not all(d.expr in rates for d in rel.lhs.atoms(sp.Derivative)):
            lhs, rhs = (expand_definitions(replace_derivatives(x, rates, subs), subs) for x in (rel.lhs, rel.rhs))
            residuals.append(sp.MatAdd(lhs, sp.MatMul(-1, rhs)))
    M_def = subs.get(Mm, Mm)
    steps = [
        equation(tau * ddt(M_def), tau * replace_derivatives(ddt(M_def), rates, {})),
        equation(
            tau * ddt(Inverse(M_def)),
            -tau * Inverse(M_def) * replace_derivatives(ddt(M_def), rates, {}) * Inverse(M_def),
        ),
    ]
    return Proof(residuals=residuals, steps=steps, rules=rules, rates=rates, **FUKUMIZU_FACTS)


def fukumizu_cases():
    """The claim's cases (shared with its certified check): ``((ni, nh, no, lam), syx, W1, W2, ts, traj, qq, tol)``.

    Funnel, inverted-funnel and bottleneck-free shapes, lambda of both signs (F invertible), simulated by DOP853.
    """
    for seed, (ni, nh, no, lm) in enumerate([(3, 2, 2, 0.7), (2, 3, 4, 0.5), (4, 3, 2, -0.5)]):
        ts = (0.0, 0.5, 1.5, 3.0)
        syx, W1v, W2v, traj, qq, tol = balanced_flow_case(40 + seed, ni, nh, no, lm, ts)
        yield ((ni, nh, no, lm), syx, W1v, W2v, np.array(ts), traj, qq, tol)


@fukumizu_solution.numeric_check
def fukumizu_against_flow(statement):
    """The statement's P (definitions evaluated with e^{Ft} from eigh) against DOP853 flows; its ODE, P(0), M >= I."""
    parts = split_statement(statement)
    subs = substitutions(parts.definitions)
    rates = statement_rates(parts.relations, defined=subs)
    P_expr = expanded_sides(parts.definitions[0], rates, subs)[1]
    M_expr = expanded_sides(parts.definitions[2], rates, subs)[1]
    checks = []  # (expanded lhs, expanded rhs, at t = 0 only)
    for rel in parts.relations:
        if isinstance(rel.lhs, sp.Subs):
            checks.append((expand_definitions(rel.lhs.expr, subs), rel.rhs, True))
        elif not all(d.expr in rates for d in rel.lhs.atoms(sp.Derivative)):
            checks.append((*expanded_sides(rel, rates, subs), False))
    out = []
    for (ni, nh, no, lm), syx, W1v, W2v, ts, traj, qq, tol in fukumizu_cases():
        F = f_matrix(syx, lm)
        ev, Ov = np.linalg.eigh(F)
        n = ni + no
        dims = {n_q: n, N_h: nh}
        worst = {"P": [], "ode": [], "M": []}
        for i, tt in enumerate(ts):
            vals = {Fm: F, Finv: np.linalg.inv(F), Eh: (Ov * np.exp(ev * tt)) @ Ov.T, tau: 1.0}
            vals[Q0] = np.vstack([W1v.T, W2v])
            kappa = math.exp(2 * (ev[-1] - ev[0]) * tt)  # conditioning of the direct form (Sec. 4, App. B.5)
            P = evaluate_blocks(P_expr, vals, dims)
            worst["P"].append((float(np.abs(P - qq[i]).max()), tol + linalg_tolerance(kappa, 8 * n) * traj.scale**2))
            scale = (np.abs(F).max() + np.abs(P).max()) * np.abs(P).max()
            for lhs, rhs, initial in checks:
                if initial and tt != 0:
                    continue
                err = float(np.abs(evaluate_blocks(lhs, vals, dims) - evaluate_blocks(rhs, vals, dims)).max())
                worst["ode"].append((err, linalg_tolerance(kappa, 16 * n) * scale))
            M = evaluate_blocks(M_expr, vals, dims)
            gap = max(0.0, -float(np.linalg.eigvalsh((M + M.T) / 2 - np.eye(nh)).min()))
            worst["M"].append((gap, 16 * FLOAT64_EPS * (1 + traj.scale**2) * kappa))
        label = f"{ni}-{nh}-{no}, lambda={lm}"
        pick = {k: max(v, key=lambda x: x[0] / x[1]) for k, v in worst.items()}
        out += [
            Measurement(*pick["P"], f"{label}: statement's P vs simulation", "flow bound + kappa(t) n eps |W|^2"),
            Measurement(
                *pick["ode"], f"{label}: statement's ODE and P(0) on its own P", "kappa(t) n eps (|F| + |P|) |P|"
            ),
            Measurement(*pick["M"], f"{label}: M_t - I >= 0 (min eigenvalue)", "16 eps |Q0|^2 kappa(t)"),
            # the reference module's direct float64 form (own implementation) agrees with the statement's P
            Measurement(
                float(np.abs(fukumizu_direct(syx, W1v, W2v, lm, ts[-1]) - P).max()),
                linalg_tolerance(kappa, 16 * n) * traj.scale**2,
                f"{label}: reference fukumizu_direct vs statement's P at t={ts[-1]}",
                "kappa(t) n eps |W|^2",
            ),
        ]
    return out


# ---------------------------------------------------------------- certified checks (lazyrich verify --certified)
@certified_check(fukumizu_solution)
def fukumizu_solution_certified():
    out = []
    for (ni, nh, no, lm), syx, W1v, W2v, ts, traj, qq, tol in fukumizu_cases():
        net = lazyrich.TwoLayerExact(W1v, W2v, syx)
        enc = certified_qqt(net, ts, bits=BITS)
        lm = net.lam  # the closed forms below take the measured balance (the enclosure's), not the nominal one
        scale = float(np.abs(enc.mid).max())
        label = f"{ni}-{nh}-{no}, lambda={lm:.2g}"
        out.append(radius_measurement(enc, scale, label))
        out.append(inside(enc, qq, tol, f"{label}: gradient-flow simulation", "quadratic invariant bound"))
        ev = np.linalg.eigvalsh(f_matrix(syx, lm))
        for i, tt in enumerate(ts):
            kappa = math.exp(2 * (ev[-1] - ev[0]) * tt)  # direct-form conditioning (Dominé et al. (2025), App. B.5)
            out.append(
                inside(
                    enc.take(i),
                    fukumizu_direct(syx, W1v, W2v, lm, tt),
                    linalg_tolerance(kappa, 8 * (ni + no)) * traj.scale**2,
                    f"{label}, t={tt}: direct Fukumizu form (float64)",
                    "kappa(t) n eps |W|^2 (the claim's bound without the flow part)",
                )
            )
        mp_vals = np.array([fukumizu_mp(syx, W1v, W2v, lm, tt, dps=40) for tt in ts[1:]])
        out.append(
            inside(
                enc.take(slice(1, None)),
                mp_vals,
                (mp_tolerance(40) + FLOAT64_EPS) * scale,
                f"{label}: mpmath Fukumizu form (40 digits, rounded to float64)",
                "(eps_40^0.8 + eps_64) |QQ^T|",
            )
        )
    return out
