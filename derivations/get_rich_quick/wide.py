r"""Kunin et al. (2024), Sec. 4 and App. B: wide linear networks (deep ones: :mod:`.deep`).

Wide two-layer ``f(x) = A^T W x`` (``W``: ``h x d``, ``A``: ``h x c``), ``beta = W^T A``, ``G = X^T (X beta - Y)``:

* Thm 4.1: ``beta' = -(eta_w G A^T A + eta_a W^T W G)``, i.e. ``vec beta' = -sum_k (eta_w a_k a_k^T (+) eta_a w_k w_k^T)
  vec G`` (column-major ``vec``, ``vec(P Q R) = (R^T (x) P) vec Q``), each neuron's term a function of
  ``(beta_k = w_k a_k^T, delta_k = eta_w |a_k|^2 - eta_a |w_k|^2)`` only;
* Thm 4.2: under the isotropy ``eta_w A A^T - eta_a W W^T = delta I_h`` (Assumption B.2), ``P = eta_w A^T A`` and
  ``Q = eta_a W^T W`` solve ``P^2 - delta P = eta_a eta_w beta^T beta``, ``Q^2 + delta Q = eta_a eta_w beta beta^T``;
* Thm B.6: the potential ``q_delta`` of the singular values, and ``lambda_i' = -sqrt(delta^2 + 4 lambda_i^2) u_i^T G v_i``;

Statements of Thms 4.1, 4.2 are reconstructed here (the printed statements are in Kronecker form).
"""

from __future__ import annotations

import mpmath as mp
import numpy as np
import sympy as sp
from sympy import Identity, MatrixSymbol

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
    mp_tolerance,
    rewrite_rules,
)
from lazyrich.certified import exact_arb, require_flint
from lazyrich.symbolic import evaluate

from ..certify import BITS, certified_check, enclosure, inside, radius_measurement, symmetric_eigenvalues
from .arb import formula_measurements, relation_measurements
from .checking import evaluate_matrix, lambdified, relation_residual, resolve, statement_proof
from .reference import (
    ODE_TOL_FROM,
    RTOL,
    isotropic_wide,
    ode_tol,
    psd_sqrt,
    rng,
    wide_beta_rate,
)
from .symbols import PAPER, d, delta, eta_a, eta_w, kappa

__all__ = ["theorem_4_1", "theorem_4_2", "theorem_b6"]

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


@certified_check(theorem_4_2)
def certified_isotropic_preconditioner(statement):
    """Thm 4.2's ``P = (sqrt(delta^2 I + 4 g^2 beta^T beta) + delta I)/2`` (``delta > 0``, ``h = c``) and
    ``Q = (sqrt(delta^2 I + 4 g^2 beta beta^T) - delta I)/2`` (``delta < 0``, ``h = d``) enclosed in Arb at the float
    ``beta`` of isotropic instances (certified square root: :func:`lazyrich.symbolic.evaluate` in Arb); the statement's
    relation ``P^2 - delta P = g^2 beta^T beta`` (or ``Q``'s) certified on the enclosure; the float64 formula of the
    numeric check (``eigh`` square root) within its bound of the enclosure.

    Float64 bound: ``eigh`` is backward stable, ``|E|_2 <= p u |S|_2`` for ``S = delta^2 I + 4 g^2 beta^T beta``
    (with the rounding of forming ``S``: ``p = 16 n + d + 2``, the project's ``linalg_tolerance`` convention), and
    ``|sqrt(S + E) - sqrt(S)|_2 <= |E|_2 / lambda_min(S)^(1/2)`` (Bhatia (1997), *Matrix Analysis*, proof of Thm X.3.8); the reconstruction
    ``V diag V^T`` adds ``p u |S|^(1/2)``: ``|P_64 - P| <= p u (sqrt(cond S) + 1) |S|^(1/2) / 2 + u |P|``, with
    ``cond S`` from certified eigenvalues. Hard case: ``delta = 1e4`` (``P = delta + O(1/delta)``).
    """
    flint = require_flint()
    out = []
    cases = [(3, 3, 3, 0.8, 5), (4, 2, 2, 1.2, 2), (3, 3, 3, 1e4, 5), (2, 2, 4, -0.7, 3), (3, 3, 3, -1.5, 0)]
    for dd, hh, cc, dl, seed in cases:
        r = rng(190 + seed)
        ea, ew = r.uniform(0.5, 2.0, 2)
        W, A = isotropic_wide(r, dd, hh, cc, dl, ea, ew)
        beta = W.T @ A
        gram, unknown = (beta.T @ beta, P_C) if dl > 0 else (beta @ beta.T, Q_D)
        rel = next(x for x in statement if type(x) is sp.Equality and x.lhs.has(unknown))
        n = gram.shape[0]
        label = f"(d,h,c)={(dd, hh, cc)}, delta={dl:g}"
        dla, ga = exact_arb(dl), exact_arb(ea) * exact_arb(ew)
        ba = flint.arb_mat([[exact_arb(v) for v in row] for row in beta])
        exact_gram = ba.transpose() * ba if dl > 0 else ba * ba.transpose()
        eye = flint.arb_mat([[int(i == j) for j in range(n)] for i in range(n)])
        S = dla * dla / 4 * eye + ga * exact_gram  # (X - delta/2)^2 for X = P; (X + delta/2)^2 for X = Q
        s_sym = MatrixSymbol("S", n, n)
        root = evaluate(s_sym**sp.S.Half, {s_sym: S}, arithmetic="arb")
        X = (dla / 2 if dl > 0 else -dla / 2) * eye + root
        balls = [X[i, j] for i in range(n) for j in range(n)]
        enc = enclosure(balls)
        S64 = dl**2 * np.eye(n) + 4 * ea * ew * gram
        X64 = (psd_sqrt(S64) + dl * np.eye(n)) / 2 if dl > 0 else (psd_sqrt(S64) - dl * np.eye(n)) / 2
        ev = sorted(float(b.mid()) for b in symmetric_eigenvalues(S))
        p_ops = 16 * n + dd + 2
        bound = linalg_tolerance(np.sqrt(ev[-1] / ev[0]) + 1, p_ops) * np.sqrt(4 * ev[-1]) / 2 + FLOAT64_EPS * float(
            np.abs(enc.mid).max()
        )
        out.append(
            inside(
                enc,
                X64.ravel(),
                bound,
                f"{label}: Thm 4.2 {unknown} by eigh (float64)",
                "p u (sqrt(cond S) + 1) |S|^(1/2)/2 + u |P|, p = 16 n + d + 2 (eigh backward error)",
            )
        )
        scale = float(np.abs(enc.mid).max())
        out.append(radius_measurement(enc, scale, label))
        keep = resolve(rel.lhs - rel.rhs, statement, keep=(unknown, B_WIDE))
        at = {unknown: X, B_WIDE: ba, delta: dla, eta_a: ea, eta_w: ew}
        res = evaluate(keep, at, dims={d: dd, c_: cc}, arithmetic="arb")
        worst = max(float(abs(res[i, j]).upper()) for i in range(n) for j in range(n))
        out.append(
            Measurement(
                worst,
                2.0 ** -(BITS - 8) * scale**2,
                f"{label}: certified |{sp.sstr(rel.lhs)} - ({sp.sstr(rel.rhs)})| on the enclosure",
                f"2^-{BITS - 8} |P|^2 (the enclosure's radius, squared scale)",
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
    fd_dps = 30
    with mp.workdps(fd_dps):
        for xv, dv in ((0.7, 0.3), (2.0, 1.5)):
            fd = mp.diff(lambda x, dv=dv: q(x, mp.mpf(dv)), mp.mpf(xv), 2)
            rhs = d2(mp.mpf(xv), mp.mpf(dv))
            # mpmath.diff runs its finite difference at (n+1) times the working precision (its documentation),
            # so the second derivative is good to the working precision: eps**0.8 at fd_dps digits, relative
            out.append(
                Measurement(
                    float(abs(fd - rhs)),
                    mp_tolerance(fd_dps) * max(1.0, float(abs(rhs))),
                    f"x={xv}, |delta|={dv}: q'' by finite differences",
                    f"eps**0.8 at {fd_dps} digits (mpmath.diff works at 3x that), relative to max(1, |q''|)",
                )
            )
    return out


@certified_check(theorem_b6)
def certified_q_delta(statement):
    """The statement's ``q_delta`` in float64 within its derived rounding bound of its Arb enclosure, and
    ``q_delta'``, ``q_delta''``, ``q_delta(0)``: the float64 right sides within their rounding bounds of the Arb
    Taylor coefficients of ``q_delta``. Hard cases: ``x = 1e-6 |delta|`` (``q_delta`` cancels to ``~x^2/(2|delta|)``
    from terms ``~|delta|``) and ``x = 1e8 |delta|``. The ``|delta| -> inf`` limit and the singular-value flow are
    proven symbolically (no closed form to evaluate)."""
    out = []
    for xv, dv in ((1e-6, 2.0), (0.7, 0.3), (2.0, 1.5), (1e5, 1e-3)):
        point, label = {XP: xv, DP: dv}, f"x={xv:g}, |delta|={dv:g}"
        out += formula_measurements(Q_FN, statement, point, label)
        for rel in statement:  # q', q'', q(0)
            if type(rel) is sp.Equality and isinstance(rel.lhs, (sp.Derivative, sp.Subs)):
                out += relation_measurements(rel, statement, point, label)
    return out
