r"""Kunin et al. (2024), Sec. 3: the single neuron's dynamics, eqs. (2)-(4), and what follows from them directly.

* eq. (2): with ``mu = a |w|``, ``phi = w^T beta_* / (|w| s)`` and the conserved ``delta = eta_w a^2 - eta_a |w|^2``,
  the whitened flow closes on ``(mu, phi)``: ``mu' = kappa (phi s - mu)``,
  ``phi' = 2 eta_a eta_w mu s (1 - phi^2) / (kappa - delta)``, ``kappa = sqrt(delta^2 + 4 eta_a eta_w mu^2)``;
* eq. (3): ``beta = a w`` follows ``beta' = -(eta_w a^2 I + eta_a w w^T) X^T (X beta - y)`` for any data;
* eq. (4): ``M = eta_w a^2 I + eta_a w w^T = (kappa + delta)/2 I + (kappa - delta)/2 beta_hat beta_hat^T``, with
  eigenvalues ``kappa`` (along ``beta``) and ``(kappa + delta)/2``, and its limits ``delta -> +-inf``, ``delta = 0``;
* the learning-rate reduction (derived here): only ``delta / sqrt(eta_a eta_w)`` shapes ``beta``;
* the saddle set ``a = 0``, ``w^T X^T y = 0`` (Sec. 3, footnote 2).

Proofs: every relation is reduced to zero from the statement's own definitions and rate hypotheses
(:mod:`.checking`): square roots such as ``kappa = sqrt(delta^2 + 4 eta_a eta_w mu^2)`` collapse to
``eta_w a^2 + eta_a |w|^2`` once ``delta`` and ``mu`` are substituted. Numeric checks evaluate the statement
on states of :func:`lazyrich.gradient_flow` with the engine's own velocity (:class:`lazyrich.SingleNeuronModel`).
"""

from __future__ import annotations

import math

import numpy as np
import sympy as sp
from sympy import Identity, MatrixSymbol, ZeroMatrix

from lazyrich import (
    FLOAT64_EPS,
    Measurement,
    SingleNeuronExact,
    SingleNeuronModel,
    Source,
    claim,
    ddt,
    definition,
    equation,
    gradient_flow,
    hypothesis,
    linalg_tolerance,
)
from lazyrich.certified import certified_single_neuron
from lazyrich.symbolic import evaluate

from ..certify import BITS, certified_check, inside, radius_measurement
from .arb import exact_ball, float_side, formula_measurements, relation_measurements
from .checking import numeric_residuals, rates, resolve, statement_proof
from .reference import RTOL, eq4_cases, ode_tol, rng, whitened_model, whitened_samples
from .symbols import (
    PAPER,
    X,
    a,
    a_s,
    d,
    delta,
    eta_a,
    eta_w,
    g,
    kappa,
    mu,
    n,
    neuron_rate_hypotheses,
    one_by_one,
    p_s,
    phi,
    q_s,
    r_s,
    s,
    w,
    whitened_rate_hypotheses,
    y,
)

__all__ = [
    "eq2_mu_phi",
    "eq3_function_space",
    "eq4_preconditioner",
    "learning_rate_reduction",
    "preconditioner_limits",
    "saddle_set",
]

#: the order of a sample of :func:`.reference.whitened_samples` (the last three are the engine's rates)
SAMPLE_ARGS = (a_s, q_s, p_s, s, eta_a, eta_w)


def _measure(results, what: str, n_ops: int = 64) -> list:
    """One :class:`lazyrich.Measurement` per evaluated relation: ``|lhs - rhs|`` within ``n_ops eps`` of its scale."""
    return [
        Measurement(
            err,
            linalg_tolerance(1.0, n_ops) * max(1.0, scale),
            f"{what}: {sp.sstr(rel)[:70]}",
            f"{n_ops} eps max(1, |rhs|) (float64 evaluation of the statement)",
        )
        for rel, err, scale in results
    ]


# ================================================================ eq. (2)
def _eq2_statement():
    return [
        *whitened_rate_hypotheses(),
        definition(delta, eta_w * a_s**2 - eta_a * q_s),
        definition(mu, a_s * sp.sqrt(q_s)),
        definition(phi, p_s / (s * sp.sqrt(q_s))),
        definition(kappa, sp.sqrt(delta**2 + 4 * eta_a * eta_w * mu**2)),
        equation(ddt(mu), kappa * (phi * s - mu)),
        equation(ddt(phi), 2 * eta_a * eta_w * mu * s * (1 - phi**2) / (kappa - delta)),
    ]


eq2_mu_phi = claim(
    f"{PAPER}.eq2_mu_phi",
    r"Eq. (2): the $(\mu, \phi)$ dynamics follow from the whitened parameter flow",
    Source(
        PAPER,
        "Sec. 3, eq. (2)",
        r"derived here from the whitened flow in $a$, $q = \|w\|^2$, $p = w^T \beta_*$ "
        r"($\dot a = \eta_a (p - a q)$, $\dot w = \eta_w (a \beta_* - a^2 w)$)",
    ),
    statement=_eq2_statement,
)


@eq2_mu_phi.symbolic_check
def eq2_from_the_parameter_flow(statement):
    """``d/dt mu`` and ``d/dt phi`` by the chain rule under the rate hypotheses, the definitions substituted."""
    return statement_proof(statement)


@eq2_mu_phi.numeric_check
def eq2_on_simulated_states(statement):
    """The statement at states of the simulated flow, time derivatives from the engine's velocity."""
    pts = whitened_samples([(11, -2.5), (12, 0.0), (13, 1.7)])
    return _measure(numeric_residuals(statement, SAMPLE_ARGS, pts, engine_rates=True), "eq. (2)")


# ================================================================ eq. (3)
#: M X^T rho with M = eta_w a^2 I + eta_a w w^T (the 1x1 a^T a multiplies the d-vector from the right)
RHO = X * w * a - y

eq3_function_space = claim(
    f"{PAPER}.eq3_function_space",
    r"Eq. (3): $\beta = a w$ follows the preconditioned gradient flow $\dot\beta = -(\eta_w a^2 I + \eta_a w w^T) X^T \rho$ (any $X$)",
    Source(PAPER, "Sec. 3, eq. (3)", "general shape: $X$ is $n \\times d$ with symbolic $n, d$"),
    equivalent=one_by_one(
        "s0.transpose.1.3.1.2",
        "s1.transpose.1.2.1.2",
        "s1.transpose.1.3",
        "s2.transpose.1.0.4.1.2",
        "s2.transpose.1.1.2.1.2",
        "s2.transpose.1.1.3",
        "s2.transpose.1.1.4",
    ),
    statement=lambda: [
        *neuron_rate_hypotheses(),
        equation(ddt(w * a), -(eta_w * X.T * RHO * a.T * a + eta_a * w * w.T * X.T * RHO)),
    ],
)


@eq3_function_space.symbolic_check
def eq3_product_rule(statement):
    """``d/dt (w a)`` by the product rule under the statement's layer rates, at general shape."""
    return statement_proof(statement)


def _neuron_instances():
    for seed in range(3):
        r = rng(30 + seed)
        nn, dd = 5, 3
        model = SingleNeuronModel(r.standard_normal((nn, dd)), r.standard_normal(nn), *r.uniform(0.5, 2.0, 2))
        yield model, np.array([[r.standard_normal()]]), r.standard_normal((dd, 1))


def _values(model, av, wv):
    return {X: model.X, y: model.y[:, None], a: av, w: wv, eta_a: model.eta_a, eta_w: model.eta_w}


@eq3_function_space.numeric_check
def eq3_against_the_model(statement):
    """The rate hypotheses against :meth:`lazyrich.SingleNeuronModel.velocity`; the statement's beta' against
    the product rule on that velocity."""
    out = []
    rt = rates(statement)
    rel = statement[-1]
    for model, av, wv in _neuron_instances():
        va, vw = model.velocity((av[0, 0], wv[:, 0]))
        vals, dims = _values(model, av, wv), {n: model.X.shape[0], d: model.X.shape[1]}
        tol = linalg_tolerance(1.0, 8 * dims[n] * dims[d]) * float(1 + np.abs(model.X).max() ** 2 * 10)
        for var, engine in ((a, np.array([[va]])), (w, vw[:, None])):
            got = evaluate(rt[var], vals, dims=dims, arithmetic="float64")
            out.append(Measurement(float(np.abs(got - engine).max()), tol, f"rate of {var} vs the model", "8 n d eps"))
        beta_dot = va * wv + av[0, 0] * vw[:, None]
        got = evaluate(rel.rhs, vals, dims=dims, arithmetic="float64")
        out.append(
            Measurement(float(np.abs(got - beta_dot).max()), tol, "beta' vs the model's product rule", "8 n d eps")
        )
    return out


# ================================================================ eq. (4)
U_HAT = MatrixSymbol(r"\hat\beta", d, 1)  # the unit vector beta / |beta| = w / |w| up to the sign of a
V_PERP = MatrixSymbol("v", d, 1)  # any vector orthogonal to beta_hat
M_SYM = MatrixSymbol("M", d, d)


def _eq4_statement():
    return [
        hypothesis(U_HAT.T * U_HAT, Identity(1)),
        hypothesis(U_HAT.T * V_PERP, ZeroMatrix(1, 1)),
        definition(delta, eta_w * a_s**2 - eta_a * q_s),
        definition(kappa, sp.sqrt(delta**2 + 4 * eta_a * eta_w * r_s**2)),
        definition(r_s, sp.sqrt(a_s**2 * q_s)),
        # eq. (3)'s M, with w w^T = |w|^2 beta_hat beta_hat^T
        definition(M_SYM, eta_w * a_s**2 * Identity(d) + eta_a * q_s * U_HAT * U_HAT.T),
        equation(M_SYM, (kappa + delta) / 2 * Identity(d) + (kappa - delta) / 2 * U_HAT * U_HAT.T),
        equation(M_SYM * U_HAT, kappa * U_HAT),
        equation(M_SYM * V_PERP, (kappa + delta) / 2 * V_PERP),
    ]


eq4_preconditioner = claim(
    f"{PAPER}.eq4_preconditioner",
    r"Eq. (4): $M = (\kappa + \delta)/2 \, I + (\kappa - \delta)/2 \, \hat\beta \hat\beta^T$; eigenvalues $\kappa$ (along $\beta$) and $(\kappa + \delta)/2$",
    Source(PAPER, "Sec. 3, eq. (4) (derivation in App. A.3)", "eigenvalues derived here; general shape"),
    statement=_eq4_statement,
    equivalent={
        lab: "M is symmetric (its definition is)" for lab in ("s6.transpose.0", "s7.transpose.0.0", "s8.transpose.0.0")
    },
)


@eq4_preconditioner.symbolic_check
def eq4_from_eq3(statement):
    """Eq. (3)'s ``M`` rewritten with ``kappa``, ``delta`` (roots collapse), and its two eigen-relations, at general ``d``."""
    return statement_proof(statement)


@eq4_preconditioner.numeric_check
def eq4_on_random_neurons(statement):
    """The statement at random ``(a, w)`` (``beta_hat = w/|w|``, ``v`` orthogonal to it): each relation, and
    eq. (3)'s ``M = eta_w a^2 I + eta_a w w^T`` built with ``np.outer`` against the statement's ``M``."""
    out = []
    for dd, ea, ew, av, wv, _dl, _beta, kap in eq4_cases():
        u = (wv / np.linalg.norm(wv))[:, None]
        v = rng(dd).standard_normal((dd, 1))
        v -= u * (u.T @ v)
        vals = {a_s: av, q_s: wv @ wv, eta_a: ea, eta_w: ew, U_HAT: u, V_PERP: v}
        tol = 16 * dd * FLOAT64_EPS * kap * (1 + np.abs(v).max())
        for rel in statement:
            if isinstance(rel.lhs, sp.MatrixExpr) and not rel.has(sp.Derivative):
                lhs, rhs = (evaluate(resolve(x, statement), vals, dims={d: dd}, arithmetic="float64") for x in rel.args)
                err = float(np.abs(np.asarray(lhs, dtype=float) - np.asarray(rhs, dtype=float)).max())
                out.append(Measurement(err, tol, f"d={dd}: {sp.sstr(rel)[:60]}", "16 d eps kappa (1 + |v|)"))
        M_eng = ew * av**2 * np.eye(dd) + ea * np.outer(wv, wv)
        M_st = evaluate(resolve(M_SYM, statement), vals, dims={d: dd}, arithmetic="float64")
        out.append(
            Measurement(
                float(np.abs(M_eng - M_st).max()), tol, f"d={dd}: eq. (3) M vs the statement's M", "16 d eps kappa"
            )
        )
    return out


# ================================================================ limits of M
C_I, C_B = sp.symbols("c_I c_B", positive=True)  # the coefficients of I and beta_hat beta_hat^T in eq. (4)


def _limits_statement():
    return [
        definition(kappa, sp.sqrt(delta**2 + 4 * eta_a * eta_w * r_s**2)),
        definition(C_I, (kappa + delta) / 2),
        definition(C_B, (kappa - delta) / 2),
        equation(sp.Limit(C_I / delta, delta, sp.oo), 1),
        equation(sp.Limit(C_B / delta, delta, sp.oo), 0),
        equation(sp.Limit(C_I / -delta, delta, -sp.oo), 0),
        equation(sp.Limit(C_B / -delta, delta, -sp.oo), 1),
        equation(sp.Subs(C_I, delta, 0), g * r_s),
        equation(sp.Subs(C_B, delta, 0), g * r_s),
    ]


preconditioner_limits = claim(
    f"{PAPER}.preconditioner_limits",
    r"$M/\delta \to I$ as $\delta \to +\infty$, $M/|\delta| \to \hat\beta \hat\beta^T$ as $\delta \to -\infty$, $M = g \|\beta\| (I + \hat\beta \hat\beta^T)$ at $\delta = 0$",
    Source(PAPER, "Sec. 3, limits of eq. (4) (p. 6)", r"$M = c_I I + c_B \hat\beta\hat\beta^T$ (eq. (4))"),
    statement=_limits_statement,
    equivalent={
        "s4.scale.0.0.1.1": "still true: c_B / delta^2 -> 0 as well",
        "s5.scale.0.0.0": "still true: twice a vanishing limit vanishes",
        "s5.scale.0.0.2.1": "still true: c_I / delta^2 -> 0 as well",
    },
)


@preconditioner_limits.symbolic_check
def limits_of_the_coefficients(statement):
    """Each limit of the statement evaluated by SymPy on the coefficients as defined."""
    return statement_proof(statement)


@preconditioner_limits.numeric_check
def limits_approached_at_rate(statement):
    """Each limit's argument at ``|delta| = 1e3, 1e5`` (mpmath) within ``2 eta_a eta_w |beta|^2 / delta^2`` of it;
    the ``delta = 0`` values at random points."""
    import mpmath as mp

    out = []
    rv, ea, ew = 1.3, 0.7, 1.9
    for rel in statement:
        if isinstance(rel.lhs, sp.Limit):
            expr, var, point = rel.lhs.args[0], rel.lhs.args[1], rel.lhs.args[2]
            f = sp.lambdify(var, resolve(expr, statement).subs({r_s: rv, eta_a: ea, eta_w: ew}), "mpmath")
            for mag in (1e3, 1e5):
                x = mp.mpf(mag) * (1 if point == sp.oo else -1)
                with mp.workdps(30):
                    err = abs(f(x) - mp.mpf(float(rel.rhs)))
                out.append(
                    Measurement(
                        float(err),
                        2 * ea * ew * rv**2 / mag**2,
                        f"|delta|={mag:g}: {sp.sstr(rel)[:60]}",
                        "2 eta_a eta_w |beta|^2/delta^2 (Taylor of sqrt)",
                    )
                )
        elif isinstance(rel.lhs, sp.Subs):
            lhs = sp.lambdify((r_s, eta_a, eta_w), resolve(rel.lhs, statement).doit())
            rhs = sp.lambdify((r_s, eta_a, eta_w), resolve(rel.rhs, statement))
            err = max(abs(lhs(*p) - rhs(*p)) for p in ((1.3, 0.7, 1.9), (0.4, 2.0, 0.3)))
            out.append(Measurement(float(err), 16 * FLOAT64_EPS * 4, f"delta = 0: {sp.sstr(rel)[:60]}", "16 eps |M|"))
    return out


@certified_check(preconditioner_limits)
def certified_coefficients_of_m(statement):
    """Each limit's argument (``c_I / delta``, ...) in float64 within its derived rounding bound of its Arb enclosure
    at ``|delta| = 1e3, 1e8`` (at 1e8 ``kappa - |delta|`` cancels completely in float64: the bound says so), and
    certified within the claim's rate ``2 g^2 |beta|^2 / delta^2`` of the limit (sharp: ``kappa - |delta| =
    4 g^2 r^2 / (kappa + |delta|) <= 2 g^2 r^2 / |delta|`` gives half of it, so the ratio tends to 1/2);
    the ``delta = 0`` values: the float64 ``g |beta|`` within its rounding bound of the Arb ``c_I(0)``, ``c_B(0)``."""
    point0 = {r_s: 1.3, eta_a: 0.7, eta_w: 1.9}
    out = []
    for rel in statement:
        if isinstance(rel.lhs, sp.Subs):
            out += relation_measurements(rel, statement, point0, "delta = 0")
    for rel in statement:
        if not isinstance(rel.lhs, sp.Limit):
            continue
        arg, var, to = rel.lhs.args[0], rel.lhs.args[1], rel.lhs.args[2]
        for mag in (1e3, 1e8):
            point = {**point0, var: mag if to == sp.oo else -mag}
            label = f"delta={point[var]:g}"
            out += formula_measurements(arg, statement, point, label)
            env = {k: exact_ball(v, statement, {}) for k, v in point.items()}
            gap = abs(exact_ball(arg, statement, env) - exact_ball(rel.rhs, statement, env))
            rate = 2 * env[eta_a] * env[eta_w] * env[r_s] ** 2 / env[var] ** 2
            out.append(
                Measurement(
                    float(gap.upper()),
                    math.nextafter(float(rate.upper()), math.inf),
                    f"{label}: certified |{sp.sstr(arg)} - {rel.rhs}|",
                    "2 g^2 |beta|^2 / delta^2 (the numeric check's rate; the sharp bound is half of it)",
                )
            )
    return out


# ================================================================ learning-rate reduction
C_A = sp.Symbol("c", positive=True)  # (eta_w / eta_a)^(1/4)
A_BAR, W_BAR = MatrixSymbol(r"\bar a", 1, 1), MatrixSymbol(r"\bar w", d, 1)


def _reduction_statement():
    unit_resid = X * W_BAR * A_BAR - y
    return [
        *neuron_rate_hypotheses(),
        definition(C_A, (eta_w / eta_a) ** sp.Rational(1, 4)),
        definition(A_BAR, C_A * a),
        definition(W_BAR, w / C_A),
        # in the time g t the rescaled parameters follow the unit-rate flow ...
        equation(ddt(A_BAR) / g, -W_BAR.T * X.T * unit_resid),
        equation(ddt(W_BAR) / g, -X.T * unit_resid * A_BAR),
        # ... with the same beta and with imbalance delta / g
        equation(W_BAR * A_BAR, w * a),
        equation(A_BAR.T * A_BAR - W_BAR.T * W_BAR, (eta_w * a.T * a - eta_a * w.T * w) / g),
    ]


learning_rate_reduction = claim(
    f"{PAPER}.learning_rate_reduction",
    r"Only $\delta/\sqrt{\eta_a \eta_w}$ shapes $\beta$: $\beta(t; \delta, \eta_a, \eta_w) = \beta_{\mathrm{unit}}(g t; \delta/g)$, $g = \sqrt{\eta_a \eta_w}$",
    Source(
        PAPER,
        "derived here (Sec. 3, layer-specific learning rates)",
        r"any $X, y$, general shape: $(c a, w / c)$, $c = (\eta_w/\eta_a)^{1/4}$, follows the unit-rate flow in $g t$",
    ),
    statement=_reduction_statement,
    equivalent=one_by_one(
        "s0.transpose.1.3.1.2",
        "s1.transpose.1.2.1.2",
        "s1.transpose.1.3",
        "s3.transpose.1.1",
        "s5.transpose.1.3.1.2",
        "s6.transpose.1.2.1.2",
        "s6.transpose.1.3",
        "s7.transpose.0.1",
        "s7.transpose.1.1",
        "s8.transpose.0.0.0",
        "s8.transpose.0.0.1",
        "s8.transpose.1.1.1.1",
        "s8.transpose.1.1.1.2",
    ),
)


@learning_rate_reduction.symbolic_check
def rescaled_flow_is_the_unit_flow(statement):
    """The rescaled parameters' rates, ``beta`` and the imbalance, reduced under the statement's layer rates."""
    return statement_proof(statement)


@learning_rate_reduction.numeric_check
def rescaled_velocity_is_the_unit_velocity(statement):
    """At random states: the statement's relations with the velocity of :class:`lazyrich.SingleNeuronModel` at rates
    ``(eta_a, eta_w)``; the rescaled rates against the unit-rate model's velocity at ``(c a, w / c)``."""
    out = []
    for seed in (60, 61):
        r = rng(seed)
        Xd, yd = r.standard_normal((4, 3)) / 2, r.standard_normal(4)
        ea, ew = r.uniform(0.3, 3.0, 2)
        model, unit = SingleNeuronModel(Xd, yd, ea, ew), SingleNeuronModel(Xd, yd)
        av, wv = r.standard_normal(), r.standard_normal(3)
        va, vw = model.velocity((av, wv))
        vals = {X: Xd, y: yd[:, None], a: np.array([[av]]), w: wv[:, None], eta_a: ea, eta_w: ew}
        c = float(resolve(C_A, statement).subs({eta_a: ea, eta_w: ew}))
        ua, uw = unit.velocity((c * av, wv / c))
        unit_v = {A_BAR: np.array([[ua]]), W_BAR: uw[:, None]}
        dims = {d: 3, n: 4}
        for rel in statement:
            if type(rel) is not sp.Equality:
                continue
            rhs_v = evaluate(resolve(rel.rhs, statement), vals, dims=dims, arithmetic="float64")
            checks = []
            for der in rel.lhs.atoms(sp.Derivative):
                # d/dt of the rescaled parameter from the engine, through the statement's own definition
                place = MatrixSymbol("D", *der.expr.shape)
                lhs = resolve(rel.lhs.xreplace({der: place}), statement)
                velocity = {a: np.array([[va]]), w: vw[:, None]}
                inner = resolve(der.expr, statement)
                rate = evaluate(
                    inner.xreplace({a: MatrixSymbol("Va", 1, 1), w: MatrixSymbol("Vw", d, 1)}),
                    {**vals, MatrixSymbol("Va", 1, 1): velocity[a], MatrixSymbol("Vw", d, 1): velocity[w]},
                    dims=dims,
                    arithmetic="float64",
                )
                checks.append((evaluate(lhs, {**vals, place: rate}, dims=dims, arithmetic="float64"), "model velocity"))
                checks.append((unit_v[der.expr], "unit model's velocity at (c a, w/c)"))
            if not checks:
                checks.append(
                    (evaluate(resolve(rel.lhs, statement), vals, dims=dims, arithmetic="float64"), "evaluated")
                )
            for got, what in checks:
                err = float(np.abs(np.asarray(got, dtype=float) - np.asarray(rhs_v, dtype=float)).max())
                tol = linalg_tolerance(1.0, 64) * (1 + float(np.abs(rhs_v).max()))
                out.append(Measurement(err, tol, f"seed {seed}: {sp.sstr(rel)[:50]} ({what})", "64 eps (1 + |rhs|)"))
    return out


@certified_check(learning_rate_reduction)
def certified_unit_rate_solution(statement):
    """The statement's ``c = (eta_w/eta_a)^(1/4)`` in float64 within its rounding bound of its Arb enclosure. Then,
    with ``eta_a = 1/2``, ``eta_w = 8`` (``c = 2``, ``g = 2``: the rescaling is exact in binary), the Arb enclosure of
    the exact *unit-rate* ``beta_unit(g t)`` from ``(c a_0, w_0/c)`` (:func:`lazyrich.certified.certified_single_neuron`)
    against ``beta(t)`` at rates ``(eta_a, eta_w)`` from ``(a_0, w_0)``: the float64 engine
    :class:`lazyrich.SingleNeuronExact` (its stated bound ``16 eps max(1, |a|, |w|, |beta|)``, as
    ``closed_form_branches``; up to ``t = 1e4``) and, independent of the engine (whose rate handling is this very
    reduction), the DOP853 simulation of the flow at those rates (the derived ODE bound), for ``delta <, =, > 0``."""
    out = []
    ea, ew = 0.5, 8.0
    c64, _ = float_side(C_A, statement, {eta_a: ea, eta_w: ew})
    for pt in ({eta_a: ea, eta_w: ew}, {eta_a: 0.3, eta_w: 1.7}):
        out += formula_measurements(C_A, statement, pt, f"eta=({pt[eta_a]}, {pt[eta_w]})")
    g64 = math.sqrt(ea * ew)
    ts = np.array([0.0, 0.3, 2.0, 10.0, 1e4])
    for a0v, w0v, bs in (
        (2.0, [1.0, 0.5], [1.0, -2.0]),
        (0.25, [0.125, 0.0], [-1.0, 0.2]),
        (0.1, [1.0, 0.5], [1.0, 2.0]),
    ):
        unit = SingleNeuronExact(c64 * a0v, np.asarray(w0v) / c64, bs)
        a, w, beta = certified_single_neuron(unit, g64 * ts, bits=BITS)
        scale = max(1.0, *(float(np.abs(e.mid).max()) for e in (a, w, beta)))
        sn = SingleNeuronExact(a0v, w0v, bs, ea, ew)
        label = f"delta={sn.delta:g}"
        out.append(
            inside(
                beta,
                sn.beta(ts),
                16 * FLOAT64_EPS * scale,
                f"{label}: SingleNeuronExact.beta(t) at rates (1/2, 8) vs exact unit-rate beta(g t) (float64)",
                "16 eps max(1, |a|, |w|, |beta|) (the engine's bound, as closed_form_branches)",
            )
        )
        out.append(radius_measurement(beta, scale, label))
        tr = gradient_flow(whitened_model(bs, ea, ew), (np.asarray(a0v), np.asarray(w0v)), ts[:-1], rtol=RTOL)
        out.append(
            inside(
                beta.take(slice(0, len(ts) - 1)),
                tr["a"][:, None] * tr["w"],
                ode_tol(tr, 2 * tr.scale),
                f"{label}: DOP853 beta = a w at rates (1/2, 8)",
                "ODE bound 2|theta| (claim's)",
            )
        )
    return out


# ================================================================ saddle set
saddle_set = claim(
    f"{PAPER}.saddle_set",
    r"The set $\{a = 0,\ w^T X^T y = 0\}$ consists of fixed points of the flow",
    Source(PAPER, "Sec. 3, fixed points (p. 4, footnote 2)", "any $X, y$, general shape"),
    equivalent=one_by_one("s0.transpose.1.3.1.2", "s1.transpose.1.2.1.2", "s1.transpose.1.3"),
    statement=lambda: [
        *neuron_rate_hypotheses(),
        hypothesis(a, ZeroMatrix(1, 1)),
        hypothesis(w.T * X.T * y, ZeroMatrix(1, 1)),
        equation(ddt(a), ZeroMatrix(1, 1)),
        equation(ddt(w), ZeroMatrix(d, 1)),
    ],
)


@saddle_set.symbolic_check
def rates_vanish_on_the_saddle_set(statement):
    """The layer rates at ``a = 0`` under ``w^T X^T y = 0`` (a rewrite rule) reduce to zero."""
    return statement_proof(statement)


@saddle_set.numeric_check
def saddle_velocity_vanishes(statement):
    """A point of the set (``w`` projected orthogonal to ``X^T y``): the model's velocity and the statement's rates."""
    r = rng(70)
    Xd, yd = r.standard_normal((5, 3)), r.standard_normal(5)
    b = Xd.T @ yd
    w0 = r.standard_normal(3)
    w0 -= (w0 @ b) / (b @ b) * b
    model = SingleNeuronModel(Xd, yd, 1.3, 0.6)
    va, vw = model.velocity((0.0, w0))
    vals = {X: Xd, y: yd[:, None], a: np.zeros((1, 1)), w: w0[:, None], eta_a: 1.3, eta_w: 0.6}
    scale = float(np.abs(Xd).max() * np.abs(yd).max() * np.abs(w0).max())
    tol = linalg_tolerance(1.0, 32) * scale
    out = [
        Measurement(float(max(abs(va), np.abs(vw).max())), tol, "model velocity at a saddle point", "32 eps |X||y||w|")
    ]
    rt = rates(statement)
    # the rate hypotheses are the model's flow: compared with its velocity at a generic point
    wg = r.standard_normal(3)
    vag, vwg = model.velocity((0.7, wg))
    gen = {**vals, a: np.array([[0.7]]), w: wg[:, None]}
    # forward error of a float64 dot product of length k: gamma_k |x|^T |y| (Higham, Thm 3.5), along
    # -eta a X^T (X (a w) - y) and -eta w^T X^T (...): K = 2d + n + 4 roundings, for each of the two evaluations
    g_abs = np.abs(Xd).T @ (np.abs(Xd) @ (0.7 * np.abs(wg)) + np.abs(yd))
    mags = {a: 1.3 * float(np.abs(wg) @ g_abs), w: 0.6 * 0.7 * float(g_abs.max())}
    k_ops = 2 * (2 * 3 + 5 + 4)
    for var, engine in ((a, np.array([[vag]])), (w, vwg[:, None])):
        got = evaluate(resolve(rt[var], statement, values=False), gen, dims={d: 3, n: 5}, arithmetic="float64")
        err = float(np.abs(np.asarray(got, dtype=float) - engine).max())
        out.append(
            Measurement(
                err,
                linalg_tolerance(1.0, k_ops) * mags[var],
                f"rate of {var} vs the model at a generic point",
                "2 (2d + n + 4) eps |eta| |X|^T (|X| |a w| + |y|) (dot-product forward error, both sides)",
            )
        )
    for rel in statement:
        if type(rel).__name__ == "Equality" and isinstance(rel.lhs, sp.Derivative):
            pt = {k: v for k, v in vals.items()}
            got = evaluate(
                resolve(rt[rel.lhs.expr], statement, values=False), pt, dims={d: 3, n: 5}, arithmetic="float64"
            )
            want = evaluate(rel.rhs, {}, dims={d: 3, n: 5}, arithmetic="float64") if rel.rhs.free_symbols else 0.0
            out.append(
                Measurement(
                    float(np.abs(np.asarray(got) - want).max()),
                    tol,
                    f"statement rate of {rel.lhs.expr} at the saddle",
                    "32 eps |X||y||w|",
                )
            )
    return out
