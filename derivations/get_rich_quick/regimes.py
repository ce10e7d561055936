r"""Kunin et al. (2024), Sec. 3: the regimes of the single neuron's exact solution.

Unit rates, whitened data, ``s = |beta_*|``, ``D = sqrt(delta^2 + 4 s^2)`` (derived here from the closed form of
:mod:`.solutions` unless stated):

* steady state ``a_inf^2 = (delta + D)/2`` (and ``beta -> beta_*``);
* basin ``sgn a_inf = sgn(w_0^T beta_* + a_0 (delta + D)/2)`` (Sec. 3, footnote 4; App. A.2.5);
* the balanced case ``delta = 0`` of eq. (2) in closed form;
* the upstream (``delta -> +inf``, lazy: linear regression at rate ``delta``) and downstream (``delta -> -inf``:
  fast alignment, then slow growth of ``phi``) limits (Sec. 3, p. 5-6).
"""

from __future__ import annotations

import math

import numpy as np
import sympy as sp

from lazyrich import FLOAT64_EPS, Measurement, Source, claim, ddt, definition, equation, gradient_flow, hypothesis

from .checking import lambdified, numeric_residuals, statement_proof
from .reference import (
    ODE_TOL_FROM,
    RTOL,
    UP_BETA0,
    UP_BSTAR,
    balanced_cases,
    beta0_init,
    beta_mp,
    closed_form,
    init_with_delta,
    ode_tol,
    order_in_delta,
    rng,
    whitened_model,
)
from .solutions import A0, CP, D_COORDINATES, D_S, LM, P0, measure_relations
from .symbols import PAPER, delta, eta_a, eta_w, g, kappa, mu, s, t

__all__ = ["balanced_closed_form", "basin", "downstream_limit", "steady_state", "upstream_limit"]


# ================================================================ steady state
X_INF = sp.Symbol(r"a_\infty^2", positive=True)


def _steady_statement():
    return [
        definition(D_S, sp.sqrt(delta**2 + 4 * s**2)),
        definition(X_INF, (delta + D_S) / 2),
        # beta = beta_*: s^2 = a^2 |w|^2 = a^2 (a^2 - delta) (claim norm_identity)
        equation(X_INF * (X_INF - delta), s**2),
        # the other root is -(D - delta)/2 < 0: X_INF is the positive one
        equation(X_INF * (D_S - delta) / 2, s**2),
    ]


steady_state = claim(
    f"{PAPER}.steady_state",
    r"$\beta \to \beta_*$ and $a_\infty^2 = (\delta + \sqrt{\delta^2 + 4 s^2})/2$ (unit rates; $\eta_w a_\infty^2 = (\kappa_* + \delta)/2$ with rates)",
    Source(PAPER, "derived here (Sec. 3, steady state of eq. (2))", "the limit of the flow is checked numerically"),
    statement=_steady_statement,
)


@steady_state.symbolic_check
def positive_root_of_the_fixed_point(statement):
    """``a_inf^2`` satisfies ``x (x - delta) = s^2`` and is its positive root."""
    return statement_proof(statement)


@steady_state.numeric_check
def steady_state_of_the_flow(statement):
    """``a(80)^2`` and ``beta(80)`` of :func:`lazyrich.gradient_flow` (rates ``eta_a, eta_w``: the statement at
    ``delta / g``, times ``sqrt(eta_a / eta_w)``, by the learning-rate reduction) against the statement."""
    out = []
    x_of = lambdified(X_INF, statement, (delta, s))
    for seed, dl in ((110, -2.0), (111, 0.0), (112, 1.5)):
        r = rng(seed)
        ea, ew = r.uniform(0.5, 2.0, 2)
        bs = r.standard_normal(3)
        sv = float(np.linalg.norm(bs))
        a0v, w0v = init_with_delta(np.sqrt(max(dl, 0) / ew + 0.6), bs + r.standard_normal(3), dl, ea, ew)
        tr = gradient_flow(whitened_model(bs, ea, ew), (a0v, w0v), [0.0, 80.0], rtol=RTOL)
        gg = np.sqrt(ea * ew)
        pred = float(x_of(dl / gg, sv)) * np.sqrt(ea / ew)
        tol = ode_tol(tr, 2 * tr.scale)
        out.append(
            Measurement(abs(float(tr["a"][-1] ** 2) - pred), tol, f"delta={dl}: a(80)^2 vs a_inf^2", ODE_TOL_FROM)
        )
        out.append(
            Measurement(
                float(np.abs(tr["a"][-1] * tr["w"][-1] - bs).max()),
                tol,
                f"delta={dl}: beta(80) vs beta_*",
                ODE_TOL_FROM,
            )
        )
    return out


# ================================================================ basin of attraction
def _basin_statement():
    return [
        definition(D_S, sp.sqrt(delta**2 + 4 * s**2)),
        definition(LM, (-delta - D_S) / 2),
        definition(CP, (P0 - LM * A0) / D_S),  # the growing mode of A (claim closed_form_branches)
        # sgn a_inf = sgn A(t -> inf) = sgn c_+ = sgn(p_0 + a_0 (delta + D)/2), as D > 0
        equation(D_S * CP, P0 + A0 * (delta + D_S) / 2),
        # delta >= 0: ((delta + D)/2)^2 >= s^2, so |a_0|(delta + D)/2 >= |a_0| s >= |w_0| s >= |p_0|: sgn a_0
        equation(((delta + D_S) / 2) ** 2 - s**2, delta * (delta + D_S) / 2),
    ]


basin = claim(
    f"{PAPER}.basin",
    r"$\operatorname{sgn} a_\infty = \operatorname{sgn}(w_0^T \beta_* + a_0 (\delta + \sqrt{\delta^2 + 4 s^2})/2)$ for $\delta < 0$ and $\operatorname{sgn} a_0$ for $\delta \ge 0$",
    Source(
        PAPER,
        "Sec. 3, footnote 4 (p. 4); App. A.2.5",
        r"unit rates; $\operatorname{sgn} a_\infty = \operatorname{sgn}(c_+)$ of the closed form ($m > 0$); "
        r"for $\delta \ge 0$, $|a_0| \ge |w_0|$",
    ),
    statement=_basin_statement,
)


@basin.symbolic_check
def basin_is_the_growing_mode(statement):
    """``D c_+`` and the ``delta >= 0`` bound, reduced in the coordinates ``s = sqrt(D^2 - delta^2)/2``."""
    return statement_proof(statement, coordinates=D_COORDINATES)


@basin.numeric_check
def basin_against_the_flow(statement):
    """The sign of ``a(40)`` of :func:`lazyrich.gradient_flow` against the sign of the statement's ``D c_+``."""
    score_of = lambdified(D_S * CP, statement, (delta, s, A0, P0))
    r = rng(120)
    mismatches, tried, crossings = 0, 0, 0
    for dl in (-4.0, -2.5, -1.0, -1.0, -0.3, -0.3, 0.0, 0.8, 3.0):
        bs = r.standard_normal(2)
        sv = float(np.linalg.norm(bs))
        a_mag = r.uniform(0.2, 1.5) + np.sqrt(max(dl, 0.0))
        a0v, w0v = init_with_delta(a_mag * r.choice([-1.0, 1.0]), r.standard_normal(2), dl)
        score = float(score_of(dl, sv, float(a0v), float(w0v @ bs)))
        if abs(score) < 0.05:  # too close to the separating surface for a finite-time run
            continue
        # only the sign is read: rtol 1e-9 keeps the trajectory far closer than the 0.05 margin
        tr = gradient_flow(whitened_model(bs), (a0v, w0v), [0.0, 40.0], rtol=1e-9)
        mismatches += int(np.sign(tr["a"][-1]) != np.sign(score))
        crossings += int(np.sign(tr["a"][-1]) != np.sign(a0v))
        tried += 1
    if crossings == 0:
        raise AssertionError("no init crossed a = 0: the delta < 0 branch of the formula would be untested")
    out = [
        Measurement(
            float(mismatches),
            0.0,
            f"sign of a(40) (DOP853) vs the statement's basin, {tried} inits ({crossings} cross a = 0)",
            "signs must agree exactly",
        )
    ]
    pts = [(dl, sv, 0.7, 0.2) for dl in (-1.0, 0.5) for sv in (0.6, 1.3)]
    return out + measure_relations(numeric_residuals(statement, (delta, s, A0, P0), pts), "basin")


# ================================================================ balanced closed form
X_B, C_B, U_B = sp.Symbol("x", real=True), sp.Symbol("c", real=True), sp.Symbol("U", positive=True)
MU0 = sp.Symbol("mu_0", positive=True)
PHI0 = sp.Symbol("phi_0", real=True)
MU_T, PHI_T = sp.Function(r"\mu")(t), sp.Function(r"\phi")(t)
#: t -> x = g s t + c, then U = e^{2x}: the hyperbolic functions become rational
BALANCED_COORDINATES = [
    {t: (X_B - C_B) / (g * s)},
    {
        sp.tanh(X_B): (U_B - 1) / (U_B + 1),
        sp.cosh(2 * X_B): (U_B + 1 / U_B) / 2,
        sp.sinh(2 * X_B): (U_B - 1 / U_B) / 2,
    },
]


def _balanced_statement():
    x = g * s * t + C_B
    return [
        hypothesis(delta, 0),
        hypothesis(kappa, 2 * g * MU_T),  # kappa = sqrt(delta^2 + 4 g^2 mu^2) at delta = 0, mu > 0 (a_0 > 0)
        definition(PHI_T, sp.tanh(x)),
        definition(
            MU_T,
            s
            * (1 + sp.cosh(2 * x))
            / (s * (1 + sp.cosh(2 * C_B)) / MU0 + 2 * x + sp.sinh(2 * x) - 2 * C_B - sp.sinh(2 * C_B)),
        ),
        # eq. (2) along (mu(t), phi(t))
        equation(ddt(MU_T), kappa * (PHI_T * s - MU_T)),
        equation(ddt(PHI_T), 2 * eta_a * eta_w * MU_T * s * (1 - PHI_T**2) / (kappa - delta)),
        equation(sp.Subs(MU_T, t, 0), MU0),
        equation(sp.Subs(PHI_T, (t, C_B), (0, sp.atanh(PHI0))), PHI0),
    ]


balanced_closed_form = claim(
    f"{PAPER}.balanced_closed_form",
    r"Balanced ($\delta = 0$, $a_0 > 0$): $\phi = \tanh(g s t + \operatorname{artanh} \phi_0)$, $\mu = s (1 + \cosh 2x)/(s (1 + \cosh 2c)/\mu_0 + 2x + \sinh 2x - 2c - \sinh 2c)$",
    Source(
        PAPER,
        r"derived here (Sec. 3, balanced case $\delta = 0$ of eq. (2))",
        r"matches the balanced theory of the authors' notebook; $x = g s t + c$, $c = \operatorname{artanh}\phi_0$; "
        r"proven in $U = e^{2x}$",
    ),
    statement=_balanced_statement,
    equivalent={
        lab: "delta = 0 by hypothesis: kappa - delta, kappa + delta and kappa - 2 delta are the same"
        for lab in ("s5.negate.1.4.0.t1", "s5.drop.1.4.0.t1", "s5.scale.1.4.0.1.0")
    },
)


@balanced_closed_form.symbolic_check
def balanced_formulas_solve_eq2(statement):
    """Eq. (2) at ``delta = 0`` along the formulas, in the coordinates ``x = g s t + c``, ``U = e^{2x}``."""
    return statement_proof(statement, coordinates=BALANCED_COORDINATES)


@balanced_closed_form.numeric_check
def balanced_against_the_flow(statement):
    """The statement's ``(mu(t), phi(t))`` against :func:`lazyrich.gradient_flow` of balanced whitened neurons."""
    out = []
    args = (t, s, eta_a, eta_w, MU0, C_B)
    mu_f, phi_f = (lambdified(x, statement, args) for x in (MU_T, PHI_T))
    for seed, ea, ew, bs, _a0, _w0, grid, tr in balanced_cases():
        sv = float(np.linalg.norm(bs))
        wn = np.linalg.norm(tr["w"], axis=1)
        mu_sim, phi_sim = tr["a"] * wn, tr["w"] @ bs / (wn * sv)
        vals = (grid, sv, ea, ew, mu_sim[0], np.arctanh(phi_sim[0]))
        lip = 2 * (1 + tr.scale + 1 / wn.min()) * (1 + 1 / (1 - abs(phi_sim[0])))
        err = max(np.abs(phi_f(*vals) - phi_sim).max(), np.abs(mu_f(*vals) - mu_sim).max())
        out.append(
            Measurement(
                float(err),
                ode_tol(tr, lip),
                f"seed {seed}: the statement's (mu, phi) vs DOP853",
                ODE_TOL_FROM + " 2(1+|theta|+1/|w|)(1 + 1/(1-|phi0|))",
            )
        )
    return out


# ================================================================ upstream and downstream limits
R_S = sp.Symbol("r", positive=True)  # |beta|
B_T = sp.Function(r"\beta")(t)  # a coordinate of beta(t) in the limit
B0, BS = sp.symbols(r"\beta_0 \beta_*", real=True)
C_I, C_BB = sp.symbols("c_I c_B", positive=True)


def _upstream_statement():
    return [
        definition(kappa, sp.sqrt(delta**2 + 4 * R_S**2)),
        definition(C_I, (kappa + delta) / 2),
        definition(C_BB, (kappa - delta) / 2),
        # M = c_I I + c_B bb^T = delta I + O(|beta|^2/delta): the flow is linear regression at rate delta
        equation(sp.Limit(delta * (C_I - delta), delta, sp.oo), R_S**2),
        equation(sp.Limit(delta * C_BB, delta, sp.oo), R_S**2),
        definition(B_T, BS + (B0 - BS) * sp.exp(-delta * t)),
        equation(ddt(B_T), -delta * (B_T - BS)),
        equation(sp.Subs(B_T, t, 0), B0),
    ]


upstream_limit = claim(
    f"{PAPER}.upstream_limit",
    r"$\delta \to +\infty$ with $\beta_0$ fixed: $\beta(t) \to \beta_* + (\beta_0 - \beta_*) e^{-\delta t}$ (linear-regression flow at rate $\delta$, lazy)",
    Source(
        PAPER,
        "Sec. 3, upstream limit of eq. (4) (p. 6)",
        r"unit rates, whitened; the deviation from the limit is measured (mpmath closed form) to decay like "
        r"$\delta^{-2}$ ($5 \cdot 10^{-6}$ at $\delta = 200$): heuristic rate",
    ),
    statement=_upstream_statement,
)


@upstream_limit.symbolic_check
def preconditioner_tends_to_delta_identity(statement):
    """``M - delta I = O(|beta|^2/delta)`` (SymPy limits) and the linear-regression flow's solution."""
    return statement_proof(statement)


def upstream_radius() -> float:
    """``|beta_*| + |beta_0 - beta_*|``: a bound on ``|beta(t)|`` (``|beta - beta_*|`` decreases, see below)."""
    return float(np.linalg.norm(UP_BSTAR) + np.linalg.norm(UP_BETA0 - UP_BSTAR))


def upstream_deviation_bound(dl: float) -> float:
    """``sup_t |beta(t) - beta_lin(t)| <= 2 r^2 |beta_0 - beta_*| / (e delta^2)`` for the upstream instance.

    Duhamel: ``beta' = -M (beta - beta_*)`` with ``M = c_I I + c_B bhat bhat^T >= delta I``, so ``|beta - beta_*| <=
    |beta_0 - beta_*| e^{-delta t}`` and ``|beta| <= r`` (:func:`upstream_radius`); ``|M - delta I| <= kappa - delta =
    4 r^2/(kappa + delta) <= 2 r^2/delta``; the deviation ``e' = -delta e - (M - delta I)(beta - beta_*)`` then obeys
    ``|e(t)| <= (2 r^2/delta) |beta_0 - beta_*| t e^{-delta t}`` and ``t e^{-delta t} <= 1/(e delta)``.
    """
    gap0 = float(np.linalg.norm(UP_BETA0 - UP_BSTAR))
    return 2 * upstream_radius() ** 2 * gap0 / (math.e * dl**2)


@upstream_limit.numeric_check
def upstream_deviation_decays(statement):
    """``sup_t |beta - beta_lin|`` of the mpmath closed form against the statement's ``beta(t)``, ``delta`` = 100..400."""
    lin = lambdified(B_T, statement, (t, delta, B0, BS))
    deltas = np.array([100.0, 200.0, 400.0])
    errs = []
    for dl in deltas:
        ts = np.linspace(0.0, 6.0 / dl, 25)
        pred = np.stack([lin(ts, dl, UP_BETA0[j], UP_BSTAR[j]) for j in range(2)], axis=1)
        errs.append(float(np.abs(beta_mp(UP_BETA0, UP_BSTAR, dl, ts) - pred).max()))
    bound = upstream_deviation_bound(deltas[1]) + 8 * FLOAT64_EPS * upstream_radius()  # + float64 rounding
    return [
        order_in_delta(errs, deltas, "sup_t |beta - the statement's linear-regression flow| (mpmath closed form)"),
        Measurement(
            errs[1],
            float(bound),
            "delta = 200: sup deviation",
            "Duhamel: 2 r^2 |beta_0 - beta_*| / (e delta^2), M - delta I <= 2 r^2/delta",
        ),
    ]


EPS = sp.Symbol("epsilon", positive=True)  # |delta|
PHI1, T1 = sp.Symbol("phi_1", positive=True), sp.Symbol("t_1", positive=True)
PHI_SLOW = sp.Function(r"\phi_{slow}")(t)


def _downstream_statement():
    return [
        hypothesis(delta, -EPS),
        definition(kappa, sp.sqrt(delta**2 + 4 * mu**2)),
        # fast phase: mu' = kappa (phi s - mu) relaxes at rate |delta| to mu = phi s ...
        equation(sp.Limit(kappa / EPS, EPS, sp.oo), 1),
        equation(sp.Limit(EPS * (kappa - EPS), EPS, sp.oo), 2 * mu**2),  # kappa = |delta| + 2 mu^2/|delta| + ...
        # ... slow phase: phi' = 2 mu s (1 - phi^2)/(kappa - delta) -> mu s (1 - phi^2)/|delta|
        equation(sp.Limit(EPS * 2 * mu * s / (kappa - delta), EPS, sp.oo), mu * s),
        definition(PHI_SLOW, 1 / sp.sqrt(1 + (PHI1**-2 - 1) * sp.exp(-2 * s**2 / EPS * (t - T1)))),
        equation(ddt(PHI_SLOW), s**2 / EPS * PHI_SLOW * (1 - PHI_SLOW**2)),
        equation(sp.Subs(PHI_SLOW, t, T1), PHI1),
    ]


downstream_limit = claim(
    f"{PAPER}.downstream_limit",
    r"$\delta \to -\infty$: fast phase $\mu \to \phi s$; then $\dot\phi = s^2/|\delta| \, \phi (1 - \phi^2)$, $\phi^2 = [1 + (\phi_1^{-2} - 1) e^{-2 s^2 (t - t_1)/|\delta|}]^{-1}$",
    Source(
        PAPER,
        "Sec. 3, downstream regime (p. 5)",
        r"unit rates; measured deviations (mpmath closed form) decay like $|\delta|^{-2}$ (at least $O(1/|\delta|)$)",
    ),
    statement=_downstream_statement,
)


@downstream_limit.symbolic_check
def downstream_phases(statement):
    """The two rates' limits as ``|delta| -> inf`` (SymPy) and the slow-phase solution."""
    return statement_proof(statement)


@downstream_limit.numeric_check
def downstream_deviation_decays(statement):
    """``|mu - phi s|`` and ``|phi - phi_slow|`` (the statement's) along the mpmath closed form, ``delta`` = -100..-400."""
    slow = lambdified(PHI_SLOW, statement, (t, EPS, s, PHI1, T1))
    deltas = np.array([-100.0, -200.0, -400.0])
    e_mu, e_phi = [], []
    for dl in deltas:
        t1 = 20.0 / abs(dl)
        ts = np.linspace(t1, 10.0 * abs(dl), 40)
        A, W = closed_form(*beta0_init(UP_BETA0, dl), UP_BSTAR, ts)
        av = np.array([float(x) for x in A])
        Wv = np.array([[float(x) for x in row] for row in W])
        wn = np.linalg.norm(Wv, axis=1)
        mu_v, ph = av * wn, Wv @ UP_BSTAR / wn
        pred = np.sign(ph[0]) * slow(ts, abs(dl), 1.0, abs(ph[0]), t1)
        e_mu.append(float(np.abs(mu_v - ph).max()))
        e_phi.append(float(np.abs(ph - pred).max()))
    return [
        order_in_delta(e_mu, deltas, "|mu - phi s| after t1 = 20/|delta|"),
        order_in_delta(e_phi, deltas, "|phi - the statement's slow phase|"),
    ]
