r"""Kunin et al. (2024), notation (p. 3), Fig. 1 and App. D.1: the kernel distance and the figures' parametrisation.

* the whitened single neuron's NTK is ``K = X M X^T`` (eq. (3)'s ``M``), so with ``X^T X = I`` the kernel
  distance ``S(0, t) = 1 - <K_0, K_t> / (|K_0|_F |K_t|_F)`` (Fort et al. (2020)) is a function of
  ``tr(M_0 M_t)``, ``|M_0|_F``, ``|M_t|_F``, which are polynomials in ``a``, ``a_0``, ``|w|^2``, ``|w_0|^2``, ``w_0^T w``;
* Fig. 1's ``a_i = alpha tau``, ``|w_i| = tau / alpha`` give ``delta = tau^2 (alpha^2 - alpha^{-2})``; the authors'
  code inverts it exactly.
"""

from __future__ import annotations

import mpmath as mp
import numpy as np
import sympy as sp
from sympy import Identity, MatrixSymbol, Trace

from lazyrich import (
    FLOAT64_EPS,
    Measurement,
    Proof,
    SingleNeuronExact,
    SingleNeuronModel,
    Source,
    claim,
    definition,
    equation,
    gradient_flow,
    mp_tolerance,
    random_orthogonal,
)

from ..certify import certified_check
from .arb import relation_measurements
from .checking import evaluate_matrix, resolve, statement_proof
from .reference import DPS, ODE_TOL_FROM, RTOL, init_with_delta, ode_tol, rng
from .symbols import PAPER, d, delta, eta_a, eta_w

__all__ = ["fig1_parametrization", "kernel_distance"]

A_T, A_0 = sp.symbols("a a_0", real=True)
W_T, W_0 = MatrixSymbol("w", d, 1), MatrixSymbol("w_0", d, 1)
M_T, M_0 = MatrixSymbol("M_t", d, d), MatrixSymbol("M_0", d, d)
S_KD = sp.Symbol("S(0,t)", real=True)


def _kernel_statement():
    ww, w0w0, w0w = Trace(W_T.T * W_T), Trace(W_0.T * W_0), Trace(W_0.T * W_T)
    return [
        definition(M_0, eta_w * A_0**2 * Identity(d) + eta_a * W_0 * W_0.T),
        definition(M_T, eta_w * A_T**2 * Identity(d) + eta_a * W_T * W_T.T),
        # X^T X = I: <K_0, K_t> = tr(X M_0 X^T X M_t X^T) = tr(M_0 M_t)
        definition(S_KD, 1 - Trace(M_0 * M_T) / sp.sqrt(Trace(M_0 * M_0) * Trace(M_T * M_T))),
        equation(
            Trace(M_0 * M_T),
            d * eta_w**2 * A_0**2 * A_T**2 + eta_a * eta_w * (A_0**2 * ww + A_T**2 * w0w0) + eta_a**2 * w0w**2,
        ),
        equation(Trace(M_T * M_T), d * eta_w**2 * A_T**4 + 2 * eta_a * eta_w * A_T**2 * ww + eta_a**2 * ww**2),
    ]


kernel_distance = claim(
    f"{PAPER}.kernel_distance",
    r"Whitened single neuron: $\langle K_0, K_t \rangle = \operatorname{tr}(M_0 M_t) = d \, \eta_w^2 a_0^2 a^2 + \eta_a \eta_w (a_0^2 \|w\|^2 + a^2 \|w_0\|^2) + \eta_a^2 (w_0^T w)^2$, $S \in [0, 1]$",
    Source(
        PAPER,
        "notation (p. 3; Fort et al. (2020)), App. D.1: kernel distance",
        r"corrected normaliser $\|K_t\|_F$ uses $a_t^2$; the authors' notebook has $a_0^2$ there (typo). "
        "Proven on explicit shapes d = 2, 3 (the calculus has no trace rules)",
    ),
    statement=_kernel_statement,
    equivalent={
        lab: "M_0 and M_t are symmetric (their definitions are)"
        for lab in (
            "s2.transpose.1.1.1.0.0.0.0",
            "s2.transpose.1.1.1.0.1.0.0",
            "s2.transpose.1.1.2.0.0",
            "s2.transpose.1.1.2.0.1",
            "s3.transpose.0.0.0",
            "s3.transpose.0.0.1",
            "s4.transpose.0.0.0",
        )
    },
)


@kernel_distance.symbolic_check
def traces_of_the_preconditioners(statement):
    """Each trace relation at explicit ``d = 2, 3`` (entries symbolic), the definitions substituted."""
    residuals = []
    for rel in statement:
        if type(rel) is sp.Equality:
            for dd in (2, 3):
                e = resolve(rel.lhs - rel.rhs, statement).subs(d, dd)
                explicit = {m: sp.Matrix(m.as_explicit()) for m in e.atoms(MatrixSymbol)}
                e = e.xreplace(explicit).replace(lambda z: isinstance(z, Identity), lambda z: sp.eye(int(z.shape[0])))
                residuals.append(sp.Matrix([[sp.expand(e.doit())]]))  # explicit shape: so reported
    return Proof(residuals=residuals, steps=[])


@kernel_distance.numeric_check
def kernel_distance_against_simulation(statement):
    """``S(0, t)`` from the statement's definition along :func:`lazyrich.gradient_flow` (whitened ``X = Q``)
    against the simulated NTKs and :meth:`lazyrich.SingleNeuronExact.kernel_distance`; ``S`` in ``[0, 1]``."""
    out = []
    for seed, dl in ((170, -3.0), (171, 0.0), (172, 2.0)):
        r = rng(seed)
        ea, ew = r.uniform(0.5, 2.0, 2)
        Q = random_orthogonal(3, r)
        bs = r.standard_normal(3)
        a0v, w0v = init_with_delta(np.sqrt(max(dl, 0) / ew + 0.5), r.standard_normal(3), dl, ea, ew)
        grid = np.linspace(0.0, 4.0, 9)
        tr = gradient_flow(SingleNeuronModel(Q, Q @ bs, ea, ew), (a0v, w0v), grid, rtol=RTOL)
        base = {A_0: float(a0v), W_0: w0v[:, None], eta_a: ea, eta_w: ew}
        S_st = np.array(
            [
                float(evaluate_matrix(resolve(S_KD, statement), {**base, A_T: float(av), W_T: wv[:, None]}, {d: 3}))
                for av, wv in zip(tr["a"], tr["w"])
            ]
        )
        K = [ew * av**2 * Q @ Q.T + ea * np.outer(Q @ wv, Q @ wv) for av, wv in zip(tr["a"], tr["w"])]
        S_sim = np.array([1 - np.sum(K[0] * k) / (np.linalg.norm(K[0]) * np.linalg.norm(k)) for k in K])
        S_exact = SingleNeuronExact(a0v, w0v, bs, ea, ew).kernel_distance(grid)
        out.append(
            Measurement(
                float(np.abs(S_st - S_sim).max()),
                256 * FLOAT64_EPS,
                f"delta={dl}: the statement's S vs simulated NTKs",
                "256 eps (cosines of 3x3 products)",
            )
        )
        tol = ode_tol(tr, 8 * tr.scale**3 / np.linalg.norm(K[0]) * max(ea, ew)) + 64 * FLOAT64_EPS
        out.append(
            Measurement(
                float(np.abs(S_st - S_exact).max()),
                tol,
                f"delta={dl}: the statement's S vs SingleNeuronExact",
                ODE_TOL_FROM + " 8 |theta|^3 max(eta)/|K_0|",
            )
        )
        out.append(
            Measurement(
                float(max(0.0, -S_st.min(), S_st.max() - 1)), 64 * FLOAT64_EPS, f"delta={dl}: S within [0, 1]", "64 eps"
            )
        )
        for rel in statement:
            if type(rel) is sp.Equality:
                vals = {**base, A_T: float(tr["a"][-1]), W_T: tr["w"][-1][:, None]}
                lv, rv = (evaluate_matrix(resolve(x, statement), vals, {d: 3}) for x in (rel.lhs, rel.rhs))
                out.append(
                    Measurement(
                        float(np.abs(lv - rv).max()),
                        64 * FLOAT64_EPS * (1 + float(np.abs(lv).max())),
                        f"delta={dl}: {sp.sstr(rel.lhs)[:30]}",
                        "64 eps |tr|",
                    )
                )
    return out


# ================================================================ Fig. 1 parametrisation
ALPHA_S, TAU_S = sp.symbols("alpha tau", positive=True)
A_I, N_I, X_FIG = sp.Symbol("a_i", positive=True), sp.Symbol(r"\|w_i\|", positive=True), sp.Symbol("x", real=True)


def _fig1_statement():
    return [
        definition(A_I, ALPHA_S * TAU_S),
        definition(N_I, TAU_S / ALPHA_S),
        definition(delta, A_I**2 - N_I**2),  # unit rates
        equation(delta, TAU_S**2 * (ALPHA_S**2 - ALPHA_S**-2)),
        definition(X_FIG, delta / TAU_S**2),
        equation(1 / ALPHA_S, sp.sqrt((sp.sqrt(4 + X_FIG**2) - X_FIG) / 2)),  # the authors' get_alpha: 1/alpha
    ]


fig1_parametrization = claim(
    f"{PAPER}.fig1_parametrization",
    r"Fig. 1: $a_i = \pm\alpha \tau$, $\|w_i\| = \tau/\alpha$ give $\delta = \tau^2 (\alpha^2 - \alpha^{-2})$; the authors' code inverts it exactly",
    Source(
        PAPER,
        "Fig. 1 caption, App. D.1",
        r"the caption's $\delta$ (not App. D.1's $\delta^2$, a typo); unit rates; the authors' inverse returns $1/\alpha$",
    ),
    statement=_fig1_statement,
)


@fig1_parametrization.symbolic_check
def parametrisation_and_inverse(statement):
    """``delta`` from the definitions; the inverse's nested roots collapse (``4 + x^2`` is a square)."""
    return statement_proof(statement)


@fig1_parametrization.numeric_check
def inverse_in_mpmath(statement):
    """Random ``(alpha, tau)``: the statement's ``delta`` and inverse evaluated in mpmath (30 digits)."""
    out = []
    r = rng(230)
    rels = [rel for rel in statement if type(rel) is sp.Equality]
    fs = [
        (
            sp.lambdify((ALPHA_S, TAU_S), resolve(rel.lhs, statement), "mpmath"),
            sp.lambdify((ALPHA_S, TAU_S), resolve(rel.rhs, statement), "mpmath"),
        )
        for rel in rels
    ]
    for _ in range(3):
        al, ta = float(np.exp(r.uniform(-2, 2))), float(np.exp(r.uniform(-2, 1)))
        with mp.workdps(DPS):
            for rel, (fl, fr) in zip(rels, fs):
                lv, rv = fl(mp.mpf(al), mp.mpf(ta)), fr(mp.mpf(al), mp.mpf(ta))
                err = abs(lv - rv) / (1 + abs(rv))
                out.append(
                    Measurement(
                        float(err),
                        mp_tolerance(DPS),
                        f"alpha={al:.3g}, tau={ta:.3g}: {sp.sstr(rel.lhs)[:20]}",
                        "mpmath eps**0.8 at 30 digits",
                    )
                )
    return out


@certified_check(fig1_parametrization)
def certified_fig1_inverse(statement):
    """Each relation's right side (``tau^2 (alpha^2 - alpha^-2)``, the authors' inverse) in float64 within its derived
    rounding bound of the Arb enclosure of its left side. ``alpha = 1e3`` is the hard case: the inverse's
    ``sqrt(4 + x^2) - x`` cancels at ``x ~ 1e6`` and loses ~12 digits, which the bound accounts for."""
    out = []
    for al, ta in ((1e3, 2.0), (1.7, 0.3), (1e-3, 1e4), (1.0, 1e-4)):
        for rel in statement:
            if type(rel) is sp.Equality:
                out += relation_measurements(rel, statement, {ALPHA_S: al, TAU_S: ta}, f"alpha={al:g}, tau={ta:g}")
    return out
