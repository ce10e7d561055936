r"""Kunin et al. (2024), Sec. 4 and App. B: wide and deep linear networks.

Wide two-layer ``f(x) = A^T W x`` (``W``: ``h x d``, ``A``: ``h x c``), ``beta = W^T A``, ``G = X^T (X beta - Y)``:

* Thm 4.1: ``beta' = -(eta_w G A^T A + eta_a W^T W G)``, i.e. ``vec beta' = -sum_k (eta_w a_k a_k^T (+) eta_a w_k w_k^T)
  vec G`` (column-major ``vec``, ``vec(P Q R) = (R^T (x) P) vec Q``), each neuron's term a function of
  ``(beta_k = w_k a_k^T, delta_k = eta_w |a_k|^2 - eta_a |w_k|^2)`` only;
* Thm 4.2: under the isotropy ``eta_w A A^T - eta_a W W^T = delta I_h`` (Assumption B.2), ``P = eta_w A^T A`` and
  ``Q = eta_a W^T W`` solve ``P^2 - delta P = eta_a eta_w beta^T beta``, ``Q^2 + delta Q = eta_a eta_w beta beta^T``;
* Thm B.6: the potential ``q_delta`` of the singular values, and ``lambda_i' = -sqrt(delta^2 + 4 lambda_i^2) u_i^T G v_i``;
* Lemma B.8: ``|beta|^2 = |a|^2 (|a|^2 - delta)^L`` for an isotropic chain (``c = 1``, ``d = h``);
* Thm B.10: the deep balanced implicit bias ``Q_L(r) = (L+1)/(L+2) r^{(L+2)/(L+1)}``.

Statements of Thms 4.1, 4.2 are reconstructed here (the printed statements are in Kronecker form).
"""

from __future__ import annotations

import mpmath as mp
import numpy as np
import sympy as sp
from scipy.optimize import root
from sympy import Identity, MatrixSymbol, ZeroMatrix

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
    gradient_flow,
    hypothesis,
    linalg_tolerance,
    rewrite_rules,
)

from .checking import evaluate_matrix, lambdified, relation_residual, resolve, statement_proof
from .reference import (
    ODE_TOL_FROM,
    RTOL,
    isotropic_chain,
    isotropic_wide,
    ode_tol,
    psd_sqrt,
    rank_one_balanced_chain,
    rng,
    wide_beta_rate,
)
from .symbols import PAPER, d, delta, eta_a, eta_w, kappa, r_s

__all__ = ["lemma_b8", "theorem_4_1", "theorem_4_2", "theorem_b6", "theorem_b10"]

h_, c_ = sp.symbols("h c", positive=True, integer=True)
W_WIDE = MatrixSymbol("W", h_, d)
A_WIDE = MatrixSymbol("A", h_, c_)
G_WIDE = MatrixSymbol("G", d, c_)  # X^T (X beta - Y)
B_WIDE = MatrixSymbol(r"\beta", d, c_)
A_K, W_K = MatrixSymbol("a_k", c_, 1), MatrixSymbol("w_k", d, 1)  # one neuron: a row of A, a row of W
B_K = MatrixSymbol(r"\beta_k", d, c_)
ALPHA, OMEGA = sp.symbols("alpha omega", positive=True)  # |a_k|^2, |w_k|^2


# ================================================================ Theorem 4.1
def _t41_statement():
    return [
        hypothesis(ddt(W_WIDE), -eta_w * A_WIDE * G_WIDE.T),
        hypothesis(ddt(A_WIDE), -eta_a * W_WIDE * G_WIDE),
        definition(B_WIDE, W_WIDE.T * A_WIDE),
        equation(ddt(B_WIDE), -(eta_w * G_WIDE * A_WIDE.T * A_WIDE + eta_a * W_WIDE.T * W_WIDE * G_WIDE)),
        # neuron k: A^T A = sum_k a_k a_k^T, W^T W = sum_k w_k w_k^T, and each term is a function of (beta_k, delta_k)
        hypothesis(A_K.T * A_K, ALPHA * Identity(1)),
        hypothesis(W_K.T * W_K, OMEGA * Identity(1)),
        definition(B_K, W_K * A_K.T),
        definition(delta, eta_w * ALPHA - eta_a * OMEGA),
        definition(kappa, sp.sqrt(delta**2 + 4 * eta_a * eta_w * ALPHA * OMEGA)),  # |beta_k|^2 = alpha omega
        equation(eta_w * A_K * A_K.T, (kappa + delta) / 2 * B_K.T * B_K / (ALPHA * OMEGA)),
        equation(eta_a * W_K * W_K.T, (kappa - delta) / 2 * B_K * B_K.T / (ALPHA * OMEGA)),
    ]


theorem_4_1 = claim(
    f"{PAPER}.theorem_4_1",
    r"Thm 4.1: $\operatorname{vec} \dot\beta = -\sum_k (\eta_w a_k a_k^T \oplus \eta_a w_k w_k^T) \operatorname{vec}(X^T P)$, each term a Kronecker sum depending only on $(\beta_k, \delta_k)$",
    Source(
        PAPER,
        "Sec. 4, Thm 4.1 (statement reconstructed here)",
        r"general shape; the Kronecker form follows by $\operatorname{vec}(PQR) = (R^T \otimes P)\operatorname{vec} Q$ "
        r"(column-major; checked numerically); $P = X \beta - Y$",
    ),
    statement=_t41_statement,
)


@theorem_4_1.symbolic_check
def wide_rate_and_neuron_terms(statement):
    """``d/dt (W^T A)`` under the layer rates; each neuron's two terms from ``(beta_k, delta_k)`` (roots collapse)."""
    return statement_proof(statement)


def _wide_instance(seed, dd, hh, cc):
    r = rng(180 + seed)
    ea, ew = r.uniform(0.5, 2.0, 2)
    X_, Y_ = r.standard_normal((5, dd)), r.standard_normal((5, cc))
    W, A = r.standard_normal((hh, dd)), r.standard_normal((hh, cc))
    return ea, ew, X_, Y_, W, A, X_.T @ (X_ @ (W.T @ A) - Y_)


@theorem_4_1.numeric_check
def wide_rate_against_the_model(statement):
    """Random wide networks: the statement's ``beta'`` against :class:`lazyrich.DeepLinearModel`'s velocity (per
    layer rates), its Kronecker-sum form, and each neuron's terms from ``(beta_k, delta_k)``."""
    out = []
    rel = statement[3]
    for seed, (dd, hh, cc) in enumerate([(3, 2, 2), (2, 4, 3), (4, 3, 1)]):
        ea, ew, X_, Y_, W, A, G = _wide_instance(seed, dd, hh, cc)
        dims = {d: dd, h_: hh, c_: cc}
        vals = {W_WIDE: W, A_WIDE: A, G_WIDE: G, eta_a: ea, eta_w: ew}
        sim = wide_beta_rate(X_, Y_, W, A, ea, ew).reshape((cc, dd)).T
        got = evaluate_matrix(resolve(rel.rhs, statement), vals, dims)
        scale = float(np.abs(G).max() * (np.abs(A).max() + np.abs(W).max()) ** 2 * hh * 4)
        out.append(
            Measurement(
                float(np.abs(got - sim).max()),
                16 * FLOAT64_EPS * scale,
                f"(d,h,c)={(dd, hh, cc)}: beta' vs the model",
                "16 eps h |G| |theta|^2",
            )
        )
        M = sum(
            ew * np.kron(np.outer(A[k], A[k]), np.eye(dd)) + ea * np.kron(np.eye(cc), np.outer(W[k], W[k]))
            for k in range(hh)
        )
        out.append(
            Measurement(
                float(np.abs(got.flatten(order="F") + M @ G.flatten(order="F")).max()),
                16 * FLOAT64_EPS * scale * dd * cc,
                f"(d,h,c)={(dd, hh, cc)}: Kronecker-sum form",
                "16 eps d c h |G| |theta|^2",
            )
        )
        for k in range(hh):
            kv = {A_K: A[k][:, None], W_K: W[k][:, None], ALPHA: A[k] @ A[k], OMEGA: W[k] @ W[k], eta_a: ea, eta_w: ew}
            for rl in statement[-2:]:
                lv, rv = (evaluate_matrix(resolve(x, statement), kv, dims) for x in (rl.lhs, rl.rhs))
                out.append(
                    Measurement(
                        float(np.abs(lv - rv).max()),
                        64 * FLOAT64_EPS * (1 + float(np.abs(lv).max())),
                        f"(d,h,c)={(dd, hh, cc)}, neuron {k}: {sp.sstr(rl.lhs)[:20]}",
                        "64 eps |term|",
                    )
                )
    return out


# ================================================================ Theorem 4.2
P_C, Q_D = MatrixSymbol("P", c_, c_), MatrixSymbol("Q", d, d)
ISO_FOR_P = hypothesis(A_WIDE * A_WIDE.T - eta_a / eta_w * W_WIDE * W_WIDE.T, delta / eta_w * Identity(h_))
ISO_FOR_Q = hypothesis(W_WIDE * W_WIDE.T - eta_w / eta_a * A_WIDE * A_WIDE.T, -delta / eta_a * Identity(h_))


def _t42_statement():
    return [
        ISO_FOR_P,  # eta_w A A^T - eta_a W W^T = delta I_h (Assumption B.2), solved for A A^T ...
        ISO_FOR_Q,  # ... and for W W^T
        definition(B_WIDE, W_WIDE.T * A_WIDE),
        definition(P_C, eta_w * A_WIDE.T * A_WIDE),
        definition(Q_D, eta_a * W_WIDE.T * W_WIDE),
        equation(P_C * P_C - delta * P_C, eta_a * eta_w * B_WIDE.T * B_WIDE),
        equation(Q_D * Q_D + delta * Q_D, eta_a * eta_w * B_WIDE * B_WIDE.T),
    ]


theorem_4_2 = claim(
    f"{PAPER}.theorem_4_2",
    r"Thm 4.2: under $\eta_w A A^T - \eta_a W W^T = \delta I_h$, $M = (\sqrt{\delta^2 I + 4 g^2 \beta^T \beta} + \delta I)/2 \oplus (\sqrt{\delta^2 I + 4 g^2 \beta \beta^T} - \delta I)/2$",
    Source(
        PAPER,
        "Sec. 4, Thm 4.2 (statement reconstructed here), Assumption B.2",
        r"proven at general shape: $P = \eta_w A^T A$, $Q = \eta_a W^T W$ solve $P^2 - \delta P = g^2 \beta^T\beta$, "
        r"$Q^2 + \delta Q = g^2 \beta\beta^T$; their PSD roots are the formulas with full-rank Gram matrices: "
        r"$h = c \le d$ ($\delta > 0$) or $h = d \le c$ ($\delta < 0$) (checked numerically)",
    ),
    statement=_t42_statement,
    equivalent={
        lab: "P = eta_w A^T A and Q = eta_a W^T W are symmetric"
        for lab in ("s5.transpose.0.0.1", "s5.transpose.0.1.0", "s6.transpose.0.0.1", "s6.transpose.0.1.0")
    },
)


@theorem_4_2.symbolic_check
def quadratic_relations_of_p_and_q(statement):
    """Each quadratic relation canonicalized with the isotropy solved for the other layer's Gram matrix."""
    hyps = [rel for rel in statement if type(rel).__name__ == "Hypothesis"]
    rule_p, rule_q = rewrite_rules(hyps[:1]), rewrite_rules(hyps[1:2])
    rels = [rel for rel in statement if type(rel) is sp.Equality]

    residuals = [
        relation_residual(rels[0], statement, rules=rule_p),
        relation_residual(rels[1], statement, rules=rule_q),
    ]
    return Proof(residuals=residuals, steps=[])


@theorem_4_2.numeric_check
def isotropic_wide_against_the_model(statement):
    """Isotropic instances: the statement's relations evaluated, and Thm 4.2's ``M`` (PSD square roots) against
    :class:`lazyrich.DeepLinearModel`'s velocity."""
    out = []
    for seed, (dd, hh, cc, dl) in enumerate([(3, 3, 3, -1.5), (3, 3, 3, 0.8), (4, 2, 2, 1.2), (2, 2, 4, -0.7)]):
        r = rng(190 + seed)
        ea, ew = r.uniform(0.5, 2.0, 2)
        W, A = isotropic_wide(r, dd, hh, cc, dl, ea, ew)
        X_, Y_ = r.standard_normal((5, dd)), r.standard_normal((5, cc))
        beta = W.T @ A
        G = X_.T @ (X_ @ beta - Y_)
        dims = {d: dd, h_: hh, c_: cc}
        vals = {W_WIDE: W, A_WIDE: A, eta_a: ea, eta_w: ew, delta: dl}
        for rel in statement:
            if type(rel) in (sp.Equality,) or type(rel).__name__ == "Hypothesis":
                lv, rv = (evaluate_matrix(resolve(x, statement), vals, dims) for x in (rel.lhs, rel.rhs))
                out.append(
                    Measurement(
                        float(np.abs(lv - rv).max()),
                        256 * FLOAT64_EPS * (1 + float(np.abs(lv).max())),
                        f"(d,h,c)={(dd, hh, cc)}, delta={dl}: {sp.sstr(rel.lhs)[:30]}",
                        "256 eps |P|^2",
                    )
                )
        P = (psd_sqrt(dl**2 * np.eye(cc) + 4 * ea * ew * beta.T @ beta) + dl * np.eye(cc)) / 2
        Q = (psd_sqrt(dl**2 * np.eye(dd) + 4 * ea * ew * beta @ beta.T) - dl * np.eye(dd)) / 2
        M = np.kron(P, np.eye(dd)) + np.kron(np.eye(cc), Q)
        sim = wide_beta_rate(X_, Y_, W, A, ea, ew)
        scale = float(np.abs(M).max() * (1 + np.abs(G).max()) * dd * cc * 16)
        kap_max = float(np.sqrt(dl**2 + 4 * ea * ew * np.linalg.norm(beta, 2) ** 2))
        tol = linalg_tolerance(kap_max / max(abs(dl), 1e-3), dd * cc) * scale
        out.append(
            Measurement(
                float(np.abs(sim + M @ G.flatten(order="F")).max()),
                tol,
                f"(d,h,c)={(dd, hh, cc)}, delta={dl}: beta' vs Thm 4.2 M",
                "cond(sqrt) d c eps 16 d c |M||G|",
            )
        )
    return out


# ================================================================ Theorem B.6
XP = sp.Symbol("x", positive=True)
DP = sp.Symbol(r"|\delta|", positive=True)
Q_FN = sp.Function(r"q_\delta")(XP)
U_I, V_I = MatrixSymbol("u_i", d, 1), MatrixSymbol("v_i", c_, 1)  # a singular pair of beta
LAM = sp.Symbol(r"\lambda_i", positive=True)
P_V, Q_U = sp.symbols("p_i q_i", positive=True)
BDOT = MatrixSymbol(r"\dot\beta", d, c_)


def _b6_statement():
    return [
        definition(Q_FN, (2 * XP * sp.asinh(2 * XP / DP) - sp.sqrt(4 * XP**2 + DP**2) + DP) / 4),
        equation(sp.Derivative(Q_FN, XP), sp.asinh(2 * XP / DP) / 2),
        equation(sp.Derivative(Q_FN, (XP, 2)), 1 / sp.sqrt(DP**2 + 4 * XP**2)),
        equation(sp.Subs(Q_FN, XP, 0), 0),
        equation(sp.Limit(DP * Q_FN, DP, sp.oo), XP**2 / 2),
        # Thm 4.2 on a singular pair (u_i, v_i, lambda_i) of beta: P v_i = (kappa + delta)/2 v_i, u_i^T Q = (kappa - delta)/2 u_i^T
        hypothesis(BDOT, -(G_WIDE * P_C + Q_D * G_WIDE)),
        hypothesis(P_C * V_I, P_V * V_I),
        hypothesis(U_I.T * Q_D, Q_U * U_I.T),
        definition(kappa, sp.sqrt(delta**2 + 4 * LAM**2)),
        definition(P_V, (kappa + delta) / 2),
        definition(Q_U, (kappa - delta) / 2),
        # lambda_i' = u_i^T beta' v_i (first-order perturbation of a simple singular value)
        equation(U_I.T * BDOT * V_I, -sp.sqrt(delta**2 + 4 * LAM**2) * U_I.T * G_WIDE * V_I),
    ]


theorem_b6 = claim(
    f"{PAPER}.theorem_b6",
    r"Thm B.6: $q_\delta(x) = (2x \operatorname{asinh}(2x/|\delta|) - \sqrt{4x^2 + \delta^2} + |\delta|)/4$ has $q_\delta' = \operatorname{asinh}(2x/|\delta|)/2$, $q_\delta'' = 1/\sqrt{\delta^2 + 4x^2}$; singular values flow by $\dot\lambda_i = -\sqrt{\delta^2 + 4 \lambda_i^2} \, u_i^T G v_i$",
    Source(
        PAPER,
        "Thm B.6, eq. (119) (App. B, p. 32; wide networks of Sec. 4)",
        r"isotropic $\Delta = \delta I$, unit rates; $\dot\lambda_i = u_i^T \dot\beta v_i$ for a simple singular value; "
        r"$P$, $Q$ of Thm 4.2; needs $h = \min(d, c)$ given Assumption B.2's $h \le \min(d, c)$",
    ),
    statement=_b6_statement,
)


@theorem_b6.symbolic_check
def potential_derivatives_and_singular_flow(statement):
    """``q_delta'``, ``q_delta''``, ``q_delta(0)``, the ``|delta| -> inf`` limit, and ``u^T beta' v`` on a singular pair."""
    return statement_proof(statement)


@theorem_b6.numeric_check
def singular_values_along_flow(statement):
    """``lambda_i'`` (singular vectors of ``beta`` from the flow, velocity of :class:`lazyrich.DeepLinearModel`)
    against the statement's right side; the statement's ``q_delta`` by mpmath finite differences."""
    out = []
    rhs = lambdified(-sp.sqrt(delta**2 + 4 * LAM**2), statement, (delta, LAM))
    for seed, (dd, cc, dl) in enumerate([(3, 3, -1.2), (3, 3, 0.9), (4, 2, 1.5)]):
        r = rng(200 + seed)
        hh = min(dd, cc)
        W, A = isotropic_wide(r, dd, hh, cc, dl, 1.0, 1.0)
        X_, Y_ = r.standard_normal((6, dd)), r.standard_normal((6, cc))
        model = DeepLinearModel(Y_.T @ X_, X_.T @ X_)
        tr = gradient_flow(model, (W, A.T), [0.0, 0.05], rtol=RTOL)
        W, A = tr["W1"][-1], tr["W2"][-1].T
        beta = W.T @ A
        G = X_.T @ (X_ @ beta - Y_)
        bd = wide_beta_rate(X_, Y_, W, A, 1.0, 1.0).reshape((cc, dd)).T
        Uu, lam, Vt = np.linalg.svd(beta, full_matrices=False)
        lam_dot = np.einsum("ji,jk,ik->i", Uu, bd, Vt)
        pred = np.array([float(rhs(dl, x)) for x in lam]) * np.einsum("ji,jk,ik->i", Uu, G, Vt)
        gap = float(np.min(np.abs(np.diff(np.sort(lam))))) if hh > 1 else 1.0
        tol = ode_tol(tr, 16 * tr.scale**3 * (1 + np.abs(G).max()) / max(gap, 1e-3))
        out.append(
            Measurement(
                float(np.abs(lam_dot - pred).max()),
                tol,
                f"(d,c)={(dd, cc)}, delta={dl}: lambda_i' vs the statement",
                ODE_TOL_FROM + " 16|theta|^3 |G| / gap",
            )
        )
    q = sp.lambdify((XP, DP), resolve(Q_FN, statement), "mpmath")
    d2 = sp.lambdify((XP, DP), statement[2].rhs, "mpmath")
    with mp.workdps(30):
        for xv, dv in ((0.7, 0.3), (2.0, 1.5)):
            fd = mp.diff(lambda x, dv=dv: q(x, mp.mpf(dv)), mp.mpf(xv), 2)
            out.append(
                Measurement(
                    float(abs(fd - d2(mp.mpf(xv), mp.mpf(dv)))),
                    1e-12,
                    f"x={xv}, |delta|={dv}: q'' by finite differences",
                    "eps**0.8 at 15 digits",
                )
            )
    return out


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
