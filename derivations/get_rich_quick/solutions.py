r"""Kunin et al. (2024), Sec. 3 and App. A.2: the exact solutions of the whitened single neuron, every ``delta``.

Unit rates (general rates by the claim ``learning_rate_reduction``), ``X^T X = I``, ``s = |beta_*|``,
``D = sqrt(delta^2 + 4 s^2)``; all derived here from the whitened flow (the printed form of App. A.2 is not
reproduced):

* Riccati: ``nu = w^T beta_* / a`` obeys ``nu' = s^2 - delta nu - nu^2``, solved by a ``tanh``;
* closed form: ``a = A/m``, ``w = (A' beta_*/s^2 + e^{-delta t} P_perp w_0)/m``, ``m = e^{-delta t} sqrt(1 + 2I)``,
  where ``A'' + delta A' - s^2 A = 0`` and ``I' = e^{2 delta t} A^2``; explicit ``A``, ``I`` on each sign branch;
* inside it ``|w|^2 = a^2 - delta`` (``F`` below decays as ``e^{-2 delta t}`` from ``F(0) = 0``);
* its regimes (steady state, basin, balanced case, limits ``delta -> +-inf``) are in :mod:`.regimes`.

Proofs: each relation reduced to zero from the statement's definitions and rates (:mod:`.checking`); the
solutions are functions of ``t`` whose derivatives are taken by the calculus, with coordinates that make the
result rational (``s = sqrt(D^2 - delta^2)/2``; ``U = e^{2x}`` for the hyperbolic functions).
Numeric checks evaluate the statement against :func:`lazyrich.gradient_flow` of :class:`lazyrich.SingleNeuronModel`
and the independent mpmath closed form of :mod:`.reference`.
"""

from __future__ import annotations

import mpmath as mp
import numpy as np
import sympy as sp

from lazyrich import (
    FLOAT64_EPS,
    Measurement,
    SingleNeuronExact,
    Source,
    claim,
    ddt,
    definition,
    equation,
    gradient_flow,
    hypothesis,
    mp_tolerance,
)
from lazyrich.certified import single_neuron_error_bound

from .checking import lambdified, numeric_residuals, statement_proof
from .reference import (
    DPS,
    ODE_TOL_FROM,
    RTOL,
    closed_form,
    init_with_delta,
    ode_tol,
    rng,
    whitened_model,
)
from .symbols import PAPER, a_s, delta, nu, p_s, q_s, s, t, whitened_rate_hypotheses

__all__ = [
    "closed_form_branches",
    "closed_form_flow",
    "norm_identity",
    "riccati",
]

D_S = sp.Symbol("D", positive=True)
NU0 = sp.Symbol("nu_0", real=True)
A0, P0 = sp.symbols("a_0 p_0", real=True)
#: s eliminated by s^2 = (D^2 - delta^2)/4 (D > |delta|): the roots of the solutions become rational
D_COORDINATES = {s: sp.sqrt(D_S**2 - delta**2) / 2}


def measure_relations(results, what: str, n_ops: int = 256) -> list:
    """One measurement per evaluated relation: ``|lhs - rhs|`` within ``n_ops eps`` of the terms' scale."""
    return [
        Measurement(
            err,
            2.0**-52 * n_ops * max(1.0, scale),
            f"{what}: {sp.sstr(rel)[:70]}",
            f"{n_ops} eps max(1, |rhs|) (float64 evaluation of the statement)",
        )
        for rel, err, scale in results
    ]


# ================================================================ Riccati
NU_T = (-delta + D_S * sp.tanh(D_S * t / 2 + sp.atanh((delta + 2 * NU0) / D_S))) / 2


def _riccati_statement():
    return [
        *whitened_rate_hypotheses(unit=True),
        hypothesis(q_s, a_s**2 - delta),  # delta = a^2 - |w|^2 is the conserved imbalance
        definition(nu, p_s / a_s),
        definition(D_S, sp.sqrt(delta**2 + 4 * s**2)),
        equation(ddt(nu), s**2 - delta * nu - nu**2),
        equation(ddt(NU_T), s**2 - delta * NU_T - NU_T**2),
        equation(NU_T.subs(t, 0), NU0),
    ]


riccati = claim(
    f"{PAPER}.riccati",
    r"$\nu = w^T \beta_*/a$ obeys $\dot\nu = s^2 - \delta \nu - \nu^2$, solved by $\nu = (-\delta + D \tanh(D t/2 + \operatorname{artanh}((\delta + 2 \nu_0)/D)))/2$",
    Source(
        PAPER,
        "derived here (Sec. 3, App. A.2: Riccati variable of the authors' notebook)",
        r"unit rates, whitened; $\tanh$ branch for $|\delta + 2 \nu_0| < D$",
    ),
    statement=_riccati_statement,
)


@riccati.symbolic_check
def riccati_from_the_flow(statement):
    """``d/dt (p/a)`` under the whitened rates with ``|w|^2 = a^2 - delta``; the ``tanh`` formula's derivative."""
    return statement_proof(statement)


def _nu_samples(seeds):
    """``(a, q, p, s, t, delta, nu0, da, dq, dp)`` along unit-rate whitened flows, and the flows' ``nu(t)``."""
    pts, flows = [], []
    for seed, dl in seeds:
        r = rng(seed)
        bs = r.standard_normal(3)
        a0v, w0v = init_with_delta(1.3, bs + 0.5 * r.standard_normal(3), dl)
        grid = np.linspace(0.0, 3.0, 7)
        model = whitened_model(bs)
        tr = gradient_flow(model, (a0v, w0v), grid, rtol=RTOL)
        nu0 = float(w0v @ bs / a0v)
        for tt, av, wv in zip(grid, tr["a"], tr["w"]):
            va, vw = model.velocity((np.asarray(av), wv))
            pts.append((float(av), wv @ wv, wv @ bs, np.linalg.norm(bs), tt, dl, nu0, float(va), 2 * wv @ vw, vw @ bs))
        flows.append((dl, bs, grid, tr, nu0))
    return pts, flows


@riccati.numeric_check
def riccati_along_the_flow(statement):
    """The statement at states of the flow (rates from the engine's velocity), and its ``tanh`` solution against
    ``nu(t)`` of :func:`lazyrich.gradient_flow`."""
    pts, flows = _nu_samples([(80, 1.5), (81, -1.0), (82, 0.0)])
    args = (a_s, q_s, p_s, s, t, delta, NU0)
    out = measure_relations(numeric_residuals(statement, args, pts, engine_rates=True), "Riccati")
    sol = lambdified(statement[-2].lhs.expr, statement, (t, delta, s, NU0))
    for dl, bs, grid, tr, nu0 in flows:
        nu_sim = tr["w"] @ bs / tr["a"]
        sv = float(np.linalg.norm(bs))
        lip = (1 + sv) / np.abs(tr["a"]).min() ** 2 * (1 + tr.scale)
        err = float(np.abs(nu_sim - sol(grid, dl, sv, nu0)).max())
        out.append(
            Measurement(err, ode_tol(tr, lip), f"delta={dl}: nu of the flow vs the statement's tanh", ODE_TOL_FROM)
        )
    return out


# ================================================================ closed form: flow and initial condition
A_F, A1_F, S_F = sp.symbols("A A' S", real=True)  # A, A' = dA/dt, S = sqrt(1 + 2 I)
M_S, WPAR, WPERP = sp.symbols("m w_par w_perp", real=True)
R2 = sp.Symbol("r^2", nonnegative=True)  # |P_perp w_0|^2
INIT = ((t, S_F, A_F, A1_F), (0, 1, A0, P0))  # t = 0: I = 0, A = a_0, A' = p_0


def _linear_rates():
    """``A'' + delta A' - s^2 A = 0`` and ``I' = e^{2 delta t} A^2`` (so ``S' = e^{2 delta t} A^2 / S``) as rates."""
    return [
        hypothesis(ddt(A_F), A1_F),
        hypothesis(ddt(A1_F), s**2 * A_F - delta * A1_F),
        hypothesis(ddt(S_F), sp.exp(2 * delta * t) * A_F**2 / S_F),
    ]


def _closed_form_definitions():
    return [
        definition(M_S, sp.exp(-delta * t) * S_F),
        definition(a_s, A_F / M_S),
        definition(WPAR, A1_F / (s**2 * M_S)),  # w = w_par beta_* + w_perp P_perp w_0
        definition(WPERP, sp.exp(-delta * t) / M_S),
        definition(p_s, s**2 * WPAR),  # w^T beta_*
        definition(q_s, s**2 * WPAR**2 + R2 * WPERP**2),  # |w|^2
    ]


def _closed_form_statement():
    return [
        *_linear_rates(),
        *_closed_form_definitions(),
        # |P_perp w_0|^2 from F = 0 (claim norm_identity)
        hypothesis(R2, sp.exp(2 * delta * t) * (A_F**2 - A1_F**2 / s**2) - delta * S_F**2),
        equation(ddt(a_s), p_s - a_s * q_s),
        equation(ddt(WPAR), a_s - a_s**2 * WPAR),
        equation(ddt(WPERP), -(a_s**2) * WPERP),
        equation(sp.Subs(a_s, *INIT), A0),
        equation(sp.Subs(WPAR, *INIT), P0 / s**2),
        equation(sp.Subs(WPERP, *INIT), 1),
    ]


closed_form_flow = claim(
    f"{PAPER}.closed_form_flow",
    r"The closed form $a = A/m$, $w = (\dot A \beta_*/s^2 + e^{-\delta t} P_\perp w_0)/m$ solves the whitened flow when $\ddot A + \delta \dot A - s^2 A = 0$",
    Source(
        PAPER,
        "derived here (Sec. 3, App. A.2; the printed form of App. A.2 is not reproduced)",
        r"unit rates, $X^T X = I$; $w = w_{a} \beta_* + w_{b} P_\perp w_0$ ($\beta_*^T P_\perp w_0 = 0$); "
        "general rates by the learning-rate reduction claim",
    ),
    statement=_closed_form_statement,
)


@closed_form_flow.symbolic_check
def closed_form_solves_the_flow(statement):
    """``a``, ``w_par``, ``w_perp`` differentiated under the linear ODEs; the whitened flow's right sides; ``t = 0``."""
    return statement_proof(statement)


def _closed_form_vs_flow(cases):
    out = []
    for seed, dl, a0_, align in cases:
        r = rng(seed)
        ea, ew = r.uniform(0.5, 2.0, 2)
        bs = r.standard_normal(3)
        a0v, w0v = init_with_delta(a0_, align * bs + r.standard_normal(3), dl, ea, ew)
        grid = np.linspace(0.0, 4.0, 17)
        tr = gradient_flow(whitened_model(bs, ea, ew), (a0v, w0v), grid, rtol=RTOL)
        ac, wc = closed_form(a0v, w0v, bs, grid, ea, ew)
        err = max(
            np.abs(np.array([float(v) for v in ac]) - tr["a"]).max(),
            np.abs(np.array([[float(v) for v in row] for row in wc]) - tr["w"]).max(),
        )
        crossed = bool(np.any(np.sign(tr["a"]) != np.sign(tr["a"][0])))
        out.append(
            Measurement(
                float(err),
                ode_tol(tr),
                f"delta={dl}{' (a crosses 0)' if crossed else ''}: closed form (mpmath) vs DOP853",
                ODE_TOL_FROM + " 1",
            )
        )
    return out


def _linear_samples(statement, seeds):
    """Points ``(A, A', S, t, s, delta, a0, p0)`` of the linear ODEs (from the mpmath closed form's ``A``, ``I``)."""
    pts = []
    for seed in seeds:
        r = rng(seed)
        dl, sv = r.uniform(-1.5, 1.5), r.uniform(0.5, 1.5)
        a0v, p0v = r.uniform(0.3, 1.2), r.uniform(-1.0, 1.0)
        D = np.sqrt(dl**2 + 4 * sv**2)
        lp, lm = (-dl + D) / 2, (-dl - D) / 2
        cp, cm = (p0v - lm * a0v) / D, (lp * a0v - p0v) / D
        for tt in (0.0, 0.4, 1.1):
            A = cp * np.exp(lp * tt) + cm * np.exp(lm * tt)
            A1 = cp * lp * np.exp(lp * tt) + cm * lm * np.exp(lm * tt)
            E = [np.expm1(k * tt) / k if k else tt for k in (dl + D, dl, dl - D)]
            S = np.sqrt(1 + 2 * (cp**2 * E[0] + 2 * cp * cm * E[1] + cm**2 * E[2]))
            pts.append((A, A1, S, tt, sv, dl, a0v, p0v))
    return pts


@closed_form_flow.numeric_check
def closed_form_against_the_flow(statement):
    """The statement's relations at points of the linear ODEs (rates: the statement's), and the closed form
    (mpmath, :mod:`.reference`) against :func:`lazyrich.gradient_flow`, ``a`` crossing zero included."""
    args = (A_F, A1_F, S_F, t, s, delta, A0, P0)
    out = measure_relations(numeric_residuals(statement, args, _linear_samples(statement, (1, 2))), "closed form")
    return out + _closed_form_vs_flow([(90, -3.0, 0.3, -2.0), (91, 0.0, 0.9, 0.3), (92, 2.0, 2.2, 0.3)])


# ================================================================ closed form: explicit A, I in each sign branch
A_T, I_T = sp.Function("A")(t), sp.Function("I")(t)
A_Z, I_Z = sp.Function("A_0")(t), sp.Function("I_0")(t)  # the delta = 0 branch
LP, LM, CP, CM = sp.symbols(r"\lambda_+ \lambda_- c_+ c_-", real=True)


def _branches_statement():
    def E(k):  # E_k(t) = (e^{k t} - 1)/k
        return (sp.exp(k * t) - 1) / k

    return [
        definition(D_S, sp.sqrt(delta**2 + 4 * s**2)),
        definition(LP, (-delta + D_S) / 2),
        definition(LM, (-delta - D_S) / 2),
        definition(CP, (P0 - LM * A0) / D_S),
        definition(CM, (LP * A0 - P0) / D_S),
        definition(A_T, CP * sp.exp(LP * t) + CM * sp.exp(LM * t)),
        definition(I_T, CP**2 * E(delta + D_S) + 2 * CP * CM * E(delta) + CM**2 * E(delta - D_S)),
        equation(ddt(ddt(A_T)) + delta * ddt(A_T) - s**2 * A_T, 0),
        equation(ddt(I_T), sp.exp(2 * delta * t) * A_T**2),
        equation(sp.Subs(A_T, t, 0), A0),
        equation(sp.Subs(ddt(A_T), t, 0), P0),
        equation(sp.Subs(I_T, t, 0), 0),
        # delta = 0: E_0(t) = t, the limit of E_delta
        definition(A_Z, sp.Subs(A_T, delta, 0)),
        definition(I_Z, sp.Subs(CP**2 * E(D_S) + 2 * CP * CM * t + CM**2 * E(-D_S), delta, 0)),
        equation(ddt(ddt(A_Z)) - s**2 * A_Z, 0),
        equation(ddt(I_Z), A_Z**2),
        equation(sp.Subs(I_Z, t, 0), 0),
        equation(sp.Limit((sp.exp(delta * t) - 1) / delta, delta, 0), t),
    ]


closed_form_branches = claim(
    f"{PAPER}.closed_form_branches",
    r"$A = c_+ e^{\lambda_+ t} + c_- e^{\lambda_- t}$ and $I = c_+^2 E_{\delta + D} + 2 c_+ c_- E_\delta + c_-^2 E_{\delta - D}$ solve the linear ODEs for $\delta < 0$, $\delta = 0$ and $\delta > 0$",
    Source(
        PAPER,
        "derived here (Sec. 3, App. A.2)",
        r"$E_k(t) = (e^{k t} - 1)/k$; $\delta = 0$ is the separate branch $E_0(t) = t$, also the limit of $E_\delta$; "
        r"proven in the coordinates $s = \sqrt{D^2 - \delta^2}/2$ ($D > |\delta|$), where $D$ is rational",
    ),
    statement=_branches_statement,
)


@closed_form_branches.symbolic_check
def branches_solve_the_linear_odes(statement):
    """Both branches differentiated in ``t``, with ``s`` eliminated by ``s^2 = (D^2 - delta^2)/4``."""
    return statement_proof(statement, coordinates=D_COORDINATES)


@closed_form_branches.numeric_check
def branches_against_the_flow(statement):
    """``a = e^{delta t} A / sqrt(1 + 2 I)`` from the statement's ``A``, ``I`` (each branch) against the ``a`` of
    :func:`lazyrich.gradient_flow`; :class:`lazyrich.SingleNeuronExact` against the mpmath closed form to t = 1e6."""
    out = []
    branch = {
        "delta != 0": [lambdified(x, statement, (t, delta, s, A0, P0)) for x in (A_T, I_T)],
        "delta = 0": [lambdified(x, statement, (t, delta, s, A0, P0)) for x in (A_Z, I_Z)],
    }
    for seed, dl in ((93, 0.0), (94, -1.3), (95, 0.8)):
        r = rng(seed)
        bs = r.standard_normal(3)
        sv = float(np.linalg.norm(bs))
        a0v, w0v = init_with_delta(1.1 * np.sqrt(max(dl, 0.0) + 0.5), bs + r.standard_normal(3), dl)
        grid = np.linspace(0.0, 3.0, 7)
        tr = gradient_flow(whitened_model(bs), (a0v, w0v), grid, rtol=RTOL)
        A_f, I_f = branch["delta = 0" if dl == 0 else "delta != 0"]
        args = (grid, dl, sv, float(a0v), float(w0v @ bs))
        a_st = np.exp(dl * grid) * A_f(*args) / np.sqrt(1 + 2 * np.asarray(I_f(*args), dtype=float))
        out.append(
            Measurement(
                float(np.abs(a_st - tr["a"]).max()),
                ode_tol(tr, 4.0),
                f"delta={dl}: a from the statement's A, I vs DOP853",
                ODE_TOL_FROM + " 4",
            )
        )
    bs = rng(96).standard_normal(2)
    for dl in (-1e3, 0.0, 1e3):
        a0v, w0v = init_with_delta(np.sqrt(max(dl, 0.0) + 0.5), np.array([-1.0, 0.4]), dl)
        times = [0.5, 1e3, 1e6]
        ref_a, ref_w = closed_form(a0v, w0v, bs, times)
        sn = SingleNeuronExact(a0v, w0v, bs)
        b_eng = sn.beta(times)
        b_ref = np.array([[float(ra * x) for x in rw] for ra, rw in zip(ref_a, ref_w)])
        # the engine's derived float64 bound per entry, plus the reference's eps**0.8 and its rounding to float
        bound = single_neuron_error_bound(sn, times).beta + (mp_tolerance(DPS) + FLOAT64_EPS) * np.abs(b_ref)
        out.append(
            Measurement(
                float(np.max(np.abs(b_eng - b_ref) / bound)),
                1.0,
                f"delta={dl:g}: SingleNeuronExact.beta (float64) vs mpmath closed form, t <= 1e6 (error / bound)",
                "lazyrich.certified.single_neuron_error_bound (+ the reference's eps**0.8 and one rounding)",
            )
        )
    return out


# ================================================================ |w|^2 = a^2 - delta
F_S = sp.Symbol("F", real=True)


def _norm_statement():
    return [
        *_linear_rates(),
        *(rel for rel in _closed_form_definitions() if rel.lhs != p_s),  # p = w^T beta_* is not used here
        definition(F_S, A_F**2 - A1_F**2 / s**2 - sp.exp(-2 * delta * t) * (delta * S_F**2 + R2)),
        hypothesis(delta, A0**2 - P0**2 / s**2 - R2),  # delta = a_0^2 - |w_0|^2, |w_0|^2 = p_0^2/s^2 + r^2
        equation(ddt(F_S), -2 * delta * F_S),
        equation(sp.Subs(F_S, *INIT), 0),
        equation((q_s - (a_s**2 - delta)) * M_S**2, -F_S),
    ]


norm_identity = claim(
    f"{PAPER}.norm_identity",
    r"Inside the closed form $\|w(t)\|^2 = a(t)^2 - \delta$: $F = A^2 - \dot A^2/s^2 - e^{-2 \delta t} (\delta (1 + 2 I) + \|P_\perp w_0\|^2)$ obeys $\dot F = -2 \delta F$, $F(0) = 0$",
    Source(PAPER, "derived here (Sec. 3, App. A.2)", r"unit rates; $S^2 = 1 + 2 I$; so $F \equiv 0$"),
    statement=_norm_statement,
)


@norm_identity.symbolic_check
def f_decays_from_zero(statement):
    """``F'`` under the linear ODEs, ``F(0)`` with ``delta = a_0^2 - |w_0|^2``, and ``|w|^2 - a^2 + delta = -F/m^2``."""
    return statement_proof(statement)


@norm_identity.numeric_check
def norm_identity_to_large_times(statement):
    """The statement at points of the linear ODEs; ``|w|^2 - a^2 + delta`` of the mpmath closed form to t = 1e6."""
    args = (A_F, A1_F, S_F, t, s, delta, A0, P0, R2)
    pts = [(*p[:6], p[6], p[7], p[6] ** 2 - p[7] ** 2 / p[4] ** 2 - p[5]) for p in _linear_samples(statement, (3,))]
    out = measure_relations(numeric_residuals(statement, args, [p for p in pts if p[-1] >= 0]), "norm identity")
    for seed, dl in ((100, -40.0), (101, 0.0), (102, 25.0)):
        r = rng(seed)
        bs = r.standard_normal(3)
        a0v, w0v = init_with_delta(np.sqrt(max(dl, 0) + 0.7), r.standard_normal(3), dl)
        times = [0.0, 0.3, 10.0, 1e3, 1e6]
        with mp.workdps(2 * DPS):  # the exponentials at t = 1e6 cancel ~10 digits
            A, W = closed_form(a0v, w0v, bs, times, dps=2 * DPS)
            dl_mp = mp.mpf(float(a0v)) ** 2 - mp.fsum(mp.mpf(float(v)) ** 2 for v in w0v)
            err = max(
                abs(mp.fsum(x * x for x in wv) - av**2 + dl_mp) / (av**2 + abs(dl_mp) + 1) for av, wv in zip(A, W)
            )
        out.append(
            Measurement(
                float(err),
                mp_tolerance(DPS),
                f"delta={dl}: |w|^2 - a^2 + delta at t up to 1e6 (relative)",
                "mpmath eps**0.8 at 30 digits (computed at 60)",
            )
        )
    return out
