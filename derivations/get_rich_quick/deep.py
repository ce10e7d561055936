r"""Kunin et al. (2024), Sec. 4 and App. B: deep linear networks.

* Lemma B.8: ``|beta|^2 = |a|^2 (|a|^2 - delta)^L`` for an isotropic chain (``c = 1``, ``d = h``);
* Thm B.10: the deep balanced implicit bias ``Q_L(r) = (L+1)/(L+2) r^{(L+2)/(L+1)}``.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from scipy.optimize import root
from sympy import Identity, MatrixSymbol, ZeroMatrix

from lazyrich import (
    FLOAT64_EPS,
    DeepLinearModel,
    Measurement,
    Source,
    claim,
    definition,
    equation,
    gradient_flow,
    hypothesis,
)
from lazyrich.symbolic import evaluate

from ..certify import BITS, certified_check, enclosure, inside, radius_measurement
from .arb import formula_measurements, relation_measurements
from .checking import evaluate_matrix, resolve, statement_proof
from .reference import (
    ODE_TOL_FROM,
    RTOL,
    isotropic_chain,
    ode_tol,
    rank_one_balanced_chain,
    rng,
)
from .symbols import PAPER, d, delta, r_s
from .wide import h_

__all__ = ["lemma_b8", "theorem_b10"]


# ================================================================ Lemma B.8
W1c, W2c, W3c = (MatrixSymbol(f"W_{i}", h_, h_) for i in (1, 2, 3))
A_CH = MatrixSymbol("a", h_, 1)


def _b8_statement():
    def power(x, k):
        out = Identity(1)
        for _ in range(k):
            out = out * x
        return out

    aa = A_CH.T * A_CH
    return [
        hypothesis(W1c * W1c.T - W2c.T * W2c, ZeroMatrix(h_, h_)),  # W_2^T W_2 = W_1 W_1^T
        hypothesis(W2c * W2c.T - W3c.T * W3c, ZeroMatrix(h_, h_)),
        hypothesis(W3c * W3c.T - A_CH * A_CH.T, -delta * Identity(h_)),  # a a^T - W_L W_L^T = delta I
        # beta of the depth-(L+1) chains ending in a: W_3^T a (L = 1), W_2^T W_3^T a (L = 2), W_1^T W_2^T W_3^T a (L = 3)
        equation((W3c.T * A_CH).T * (W3c.T * A_CH), aa * power(aa - delta * Identity(1), 1)),
        equation((W2c.T * W3c.T * A_CH).T * (W2c.T * W3c.T * A_CH), aa * power(aa - delta * Identity(1), 2)),
        equation(
            (W1c.T * W2c.T * W3c.T * A_CH).T * (W1c.T * W2c.T * W3c.T * A_CH), aa * power(aa - delta * Identity(1), 3)
        ),
    ]


lemma_b8 = claim(
    f"{PAPER}.lemma_b8",
    r"Lemma B.8: depth $L + 1$ isotropic chain ($c = 1$, $d = h$): $\|\beta\|^2 = a^T (a a^T - \delta I)^L a = \|a\|^2 (\|a\|^2 - \delta)^L$",
    Source(
        PAPER,
        "Lemma B.8 (proof, App. B, p. 33; deep networks of Sec. 4)",
        "the printed exponent $d$ is a typo for $L$; corrected form stated; unit rates; proven at general width "
        "for $L = 1, 2, 3$ (one chain of three layers)",
    ),
    statement=_b8_statement,
)


@lemma_b8.symbolic_check
def chain_norms(statement):
    """Each ``|beta|^2`` canonicalized with the balance hypotheses as rewrite rules, at general width."""
    return statement_proof(statement)


@lemma_b8.numeric_check
def chain_norms_after_flow(statement):
    """Isotropic chains moved along :func:`lazyrich.gradient_flow` (depth 4, ``d = h``, ``c = 1``): the statement's
    relations at the flowed state, and the hypotheses kept."""
    out = []
    for seed, (hh, dl) in enumerate([(3, -0.8), (2, -0.4)]):
        r = rng(210 + seed)
        av, Ws = isotropic_chain(r, hh, 3, dl)
        X_, y_ = r.standard_normal((5, hh)), r.standard_normal((5, 1))
        model = DeepLinearModel(y_.T @ X_, X_.T @ X_, depth=4)
        tr = gradient_flow(model, (*Ws, av[None, :]), [0.0, 0.3], rtol=RTOL)
        p = tr.at(1)
        vals = {W1c: p[0], W2c: p[1], W3c: p[2], A_CH: p[3].T, delta: dl}
        tol = ode_tol(tr, 16 * tr.scale**7)
        for rel in statement:
            lv, rv = (evaluate_matrix(x, vals, {h_: hh}) for x in (rel.lhs, rel.rhs))
            out.append(
                Measurement(
                    float(np.abs(lv - rv).max()),
                    tol,
                    f"h={hh}, delta={dl}: {sp.sstr(rel.lhs)[:40]}",
                    ODE_TOL_FROM + " 16|theta|^7",
                )
            )
    return out


def _exact_chain(dl):
    """A depth-4 isotropic chain (``h = 4``) whose hypotheses hold *exactly* in binary: ``a = 4 u`` or ``3 u``
    (``u = (1, 1, 1, 1)/2``), ``S = sqrt(a a^T - delta I) = sqrt(-delta) I + (|a|^2 - delta)^(1/2) - sqrt(-delta)) u u^T``
    with integer roots, ``W_3 = S O_3``, ``W_2 = O_3^T S O_2``, ``W_1 = O_2^T S O_1`` (``O``: Hadamard/2 and signed
    permutations, orthogonal and exact)."""
    u = np.full(4, 0.5)
    av = {-9.0: 4.0, -16.0: 3.0, 0.0: 4.0}[dl] * u
    lo, hi = np.sqrt(-dl), np.sqrt(av @ av - dl)  # 3, 5 / 4, 5 / 0, 4: integers
    S = lo * np.eye(4) + (hi - lo) * np.outer(u, u)
    had = np.array([[1, 1, 1, 1], [1, -1, 1, -1], [1, 1, -1, -1], [1, -1, -1, 1]]) / 2.0
    perm = np.eye(4)[[2, 0, 3, 1]] * np.array([1, -1, 1, 1])
    O1, O2, O3 = had, perm, had @ perm
    return av, O2.T @ S @ O1, O3.T @ S @ O2, S @ O3


@certified_check(lemma_b8)
def certified_chain_norms(statement):
    """At exact chains (:func:`_exact_chain`, ``delta = -9, -16, 0``): the hypotheses hold exactly (certified in Arb),
    each ``|beta|^2`` relation's two sides agree (Arb), and the float64 chain product of the numeric check lies within
    its rounding bound ``2 (L + 2) h u |a|^T |W|...|W|^T |a|`` (``|fl(AB) - AB| <= gamma_n |A||B|``, entrywise) of the
    Arb enclosure of the closed form ``|a|^2 (|a|^2 - delta)^L``; the float64 closed form within its own bound."""
    out = []
    for dl in (-9.0, -16.0, 0.0):
        av, W1, W2, W3 = _exact_chain(dl)
        vals = {W1c: W1, W2c: W2, W3c: W3, A_CH: av[:, None]}
        exact = {**vals, delta: dl}  # floats, taken exactly by the Arb evaluation
        label = f"h=4, delta={dl:g}"
        for L, rel in enumerate((x for x in statement if type(x) is sp.Equality), start=1):
            lhs, rhs = (evaluate(x, exact, dims={h_: 4}, arithmetic="arb")[0, 0] for x in (rel.lhs, rel.rhs))
            enc = enclosure([rhs])
            absolute = {k: np.abs(v) for k, v in vals.items()}
            size = float(evaluate_matrix(rel.lhs, absolute, {h_: 4})[0, 0])
            out.append(
                inside(
                    enc,
                    float(evaluate_matrix(rel.lhs, {**vals, delta: dl}, {h_: 4})[0, 0]),
                    2 * (L + 2) * 4 * FLOAT64_EPS / 2 * size,
                    f"{label}, L={L}: float64 chain |beta|^2 vs exact |a|^2 (|a|^2 - delta)^L",
                    "2 (L + 2) h u |a|^T|W|..|W|^T|a| (gamma_n |A||B| per product)",
                )
            )
            out.append(radius_measurement(enc, abs(float(rhs.mid())), f"{label}, L={L}"))
            out.append(
                Measurement(
                    float(abs(lhs - rhs).upper()),
                    2.0**-BITS * abs(float(rhs.mid())),
                    f"{label}, L={L}: certified |lhs - rhs| of the exact sides",
                    f"2^-{BITS} |rhs|",
                )
            )
        hyp = [x for x in statement if type(x).__name__ == "Hypothesis"]
        worst = max(
            float(abs(m).upper())
            for x in hyp
            for m in evaluate(x.lhs - x.rhs, exact, dims={h_: 4}, arithmetic="arb").entries()
        )
        out.append(Measurement(worst, 0.0, f"{label}: certified |hypothesis residual| (exact instance)", "exact: 0"))
    return out


# ================================================================ Theorem B.10
L_S = sp.Symbol("L", positive=True, integer=True)
QL = sp.Function("Q_L")(r_s)
GAM = sp.Symbol("gamma", positive=True)
BH = MatrixSymbol(r"\hat\beta", d, 1)
HQ, MQ = MatrixSymbol(r"\nabla^2 Q_L", d, d), MatrixSymbol("M_L", d, d)


def _b10_statement():
    return [
        definition(QL, (L_S + 1) / (L_S + 2) * r_s ** ((L_S + 2) / (L_S + 1))),
        equation(sp.Derivative(QL, r_s), r_s ** (1 / (L_S + 1))),  # grad Q(b0) = b0 / |b0|^{L/(L+1)}
        # the balanced end-to-end flow beta' = -M_L grad L, M_L = r^{2L/(L+1)} (I + L bb^T), is a time-warped mirror flow
        hypothesis(BH.T * BH, Identity(1)),
        definition(GAM, r_s ** (-L_S / (L_S + 1))),
        definition(
            HQ, sp.Derivative(QL, (r_s, 2)) * BH * BH.T + sp.Derivative(QL, r_s) / r_s * (Identity(d) - BH * BH.T)
        ),
        definition(MQ, r_s ** (2 * L_S / (L_S + 1)) * (Identity(d) + L_S * BH * BH.T)),
        equation(GAM * MQ * HQ, Identity(d)),
    ]


theorem_b10 = claim(
    f"{PAPER}.theorem_b10",
    r"Thm B.10: depth $L + 1$, $\delta \to 0$: $\beta_\infty = \arg\min_\beta (L+1)/(L+2) \, \|\beta\|^{(L+2)/(L+1)} - (\beta_0/\|\beta_0\|^{L/(L+1)})^T \beta$ subject to $X \beta = y$",
    Source(
        PAPER,
        "Thm B.10, eq. (123) (App. B, p. 34; deep networks of Sec. 4)",
        r"proven for general $L$: $\nabla Q_L(\beta_0) = \beta_0/\|\beta_0\|^{L/(L+1)}$ and $M_L^{-1} = \gamma \nabla^2 Q_L$ "
        r"(mirror flow); the limit checked for $L = 1, 2, 3$ with rank-one balanced chains ($d = h$, $c = 1$); unit rates",
    ),
    statement=_b10_statement,
    equivalent={
        "s6.transpose.0.1": "M_L is symmetric (its definition is)",
        "s6.transpose.0.2": "the Hessian is symmetric (its definition is)",
    },
)


@theorem_b10.symbolic_check
def deep_potential_and_mirror_flow(statement):
    """``Q_L'`` and ``gamma M_L Hess Q_L = I`` at general ``L`` and ``d``."""
    return statement_proof(statement)


@theorem_b10.numeric_check
def deep_limit_solves_eq123(statement):
    """Depth ``L + 1`` flows (``L = 1, 2, 3``) of :class:`lazyrich.DeepLinearModel` against the KKT system of
    eq. (123) built from the statement's ``Q_L'``."""
    out = []
    d1 = sp.lambdify((r_s, L_S), sp.diff(resolve(QL, statement, keep=(r_s,)), r_s))
    for L in (1, 2, 3):
        r = rng(240 + L)
        dd = 3
        Xd, yd = r.standard_normal((1, dd)), np.array([1.0])
        Ws, a_row = rank_one_balanced_chain(r, dd, L, 1.0)
        model = DeepLinearModel(yd[None, :] @ Xd, Xd.T @ Xd, depth=L + 1)
        tr = gradient_flow(model, (*Ws, a_row), [0.0, 20.0, 40.0], rtol=RTOL)

        def beta_at(i, dd=dd, tr=tr):
            prod = np.eye(dd)
            for Wl in tr.at(i):
                prod = Wl @ prod
            return prod.ravel()

        beta0, b_gf, b_prev = beta_at(0), beta_at(2), beta_at(1)
        b_mn = np.linalg.pinv(Xd) @ yd
        N = np.linalg.svd(Xd)[2][1:].T

        def grad(b, L=L):
            rr = float(np.linalg.norm(b))
            return d1(rr, L) * b / rr

        g0 = grad(beta0)
        sol = root(
            lambda z, g0=g0, b_mn=b_mn, N=N: N.T @ (grad(b_mn + N @ z) - g0),
            N.T @ beta0,
            method="hybr",
            options={"xtol": 1e-14},
        )
        b_opt = b_mn + N @ sol.x
        tol = ode_tol(tr, 2 * (L + 1) * tr.scale**L) + float(np.abs(b_gf - b_prev).max())
        out.append(
            Measurement(
                float(np.abs(b_gf - b_opt).max()),
                tol,
                f"L={L}: deep GF limit vs argmin of eq. (123) (the statement's Q_L)",
                ODE_TOL_FROM + " 2(L+1)|theta|^L, + |beta(40) - beta(20)|",
            )
        )
    return out


@certified_check(theorem_b10)
def certified_deep_potential(statement):
    """``Q_L`` in float64 within its derived rounding bound of its Arb enclosure, and the float64 right side
    ``r^(1/(L+1))`` within its rounding bound of the Arb Taylor coefficient ``Q_L'(r)``, for ``L = 1, 2, 3, 7`` at
    ``r = 1e-12, 0.37, 1e12`` (the rounded exponent ``fl(1/(L+1))`` costs ``|ln r|`` ulps: in the bound). The mirror
    relation ``gamma M_L Hess Q_L = I`` is an identity proven at general ``L`` and ``d`` (no value to certify)."""
    out = []
    for L in (1, 2, 3, 7):
        for rv in (1e-12, 0.37, 1e12):
            point, label = {r_s: rv, L_S: float(L)}, f"L={L}, r={rv:g}"
            for rel in statement:  # Q_L' = r^(1/(L+1))
                if type(rel) is sp.Equality and isinstance(rel.lhs, sp.Derivative):
                    out += relation_measurements(rel, statement, point, label)
            out += formula_measurements(QL, statement, point, label)
    return out
