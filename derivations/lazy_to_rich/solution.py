r"""The closed-form solution of Dominé et al. (2025), Thm 4.3 (Eqs. 13-15), its limits and its numerical behaviour.

Identities:

* stable form (Thm 4.3, App. B.5; basis-free form derived here): with the eigenvector blocks :math:`P_\pm, P_\perp` of F,
  :math:`q_\pm = P_\pm^TQ_0`, the Fukumizu :math:`Y = Z\,e^{\tilde S_\lambda t/\tau}q_+` and
  :math:`M_t = (e^{\tilde S_\lambda t/\tau}q_+)^TA\,(e^{\tilde S_\lambda t/\tau}q_+)`, so
  :math:`QQ^T = YM_t^{-1}Y^T = ZA^{-1}Z^T` with only decaying exponentials in Z and A;
* lambda -> 0 (Thm 4.3 at lambda = 0; Braun et al. (2022)): the 0/0 term tends to :math:`2t/\tau`;
* direct-form instability (Sec. 4, App. B.5): heuristic growth :math:`\epsilon e^{2(\mu_{\max} - \mu_{\min})t/\tau}`;
* long-time limit (Thm 4.3, :math:`t\to\infty`): :math:`2P_+\tilde S_\lambda P_+^T`, a stationary point of the Riccati flow;
* singular :math:`q_+` (Sec. 4, App. D.2): the reversal :math:`\tilde s\to-\tilde s` after convergence leaves
  :math:`\sigma(q_+) = |\lambda|/\sqrt{2\mu}`.
"""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import sympy as sp
from sympy import Inverse, MatrixSymbol, ZeroMatrix

import lazyrich
from lazyrich import (
    FLOAT64_EPS,
    Measurement,
    Proof,
    RewriteRule,
    Source,
    claim,
    definition,
    equation,
    linalg_tolerance,
    mp_tolerance,
    split_statement,
    substitutions,
)
from lazyrich.certified import certified_qqt, stable_qqt_error_bound

from ..certify import BITS, certainly_wrong, certified_check, inside, radius_measurement
from .reference import (
    balanced_pair,
    braun_zero_balanced,
    evaluate_blocks,
    f_matrix,
    flow_qqt,
    fukumizu_mp,
    limit_qqt,
    must_fail,
    random_task,
    rel_err,
    seeded_rng,
)
from .riccati import Q0, Mm, Ym
from .symbols import (
    PAPER,
    I_h,
    N_h,
    ell,
    expand_definitions,
    lam,
    mu_def,
    n_q,
    s_t,
    t,
    tau,
)

__all__ = [
    "direct_form_case",
    "direct_form_instability",
    "lambda_zero_cases",
    "lambda_zero_limit",
    "stable_closed_form",
]


# ================================================================ claim 6: stable closed form
Pp_s = MatrixSymbol("P_+", n_q, N_h)
Pm_s = MatrixSymbol("P_-", n_q, N_h)
k_ = sp.Symbol("k", positive=True, integer=True)
Pq_s = MatrixSymbol(r"P_\perp", n_q, k_)
qp = MatrixSymbol("q_+", N_h, N_h)
qp_inv = MatrixSymbol("q_+^{-1}", N_h, N_h)
qm = MatrixSymbol("q_-", N_h, N_h)
qq = MatrixSymbol(r"q_\perp", k_, N_h)
Ep_s = MatrixSymbol(r"e^{\tilde{S}_\lambda t/\tau}", N_h, N_h)
Em_s = MatrixSymbol(r"\mathcal{E}", N_h, N_h)  # e^{-S_lambda t / tau}
Sinv = MatrixSymbol(r"{\tilde{S}_\lambda}^{-1}", N_h, N_h)  # named to sort after the exponentials (commuting order)
el = sp.Symbol(r"e^{\ell_\perp t/\tau}", positive=True)
g_perp = sp.Symbol(r"g_\perp", positive=True)  # (e^{2 ell t/tau} - 1)/ell, entire in ell
eFt = MatrixSymbol("e^{Ft/tau}", n_q, n_q)
gF = MatrixSymbol("(e^{2Ft/tau}-I)F^{-1}", n_q, n_q)
Z_s = MatrixSymbol("Z", n_q, N_h)
A_s = MatrixSymbol("A", N_h, N_h)
#: facts of the notation (not of the statement): the exponentials of the diagonal S_lambda, q_+^{-1}, and the
#: orthonormal eigenvector blocks of F
STABLE_FACTS = dict(
    rules=(
        RewriteRule(Em_s * Ep_s, I_h),
        RewriteRule(Ep_s * Em_s, I_h),
        RewriteRule(qp * qp_inv, I_h),
        RewriteRule(qp_inv * qp, I_h),
        RewriteRule(Pp_s.T * Pp_s, I_h),
        RewriteRule(Pm_s.T * Pm_s, I_h),
        RewriteRule(Pq_s.T * Pq_s, sp.Identity(k_)),
        RewriteRule(Pp_s.T * Pm_s, ZeroMatrix(N_h, N_h)),
        RewriteRule(Pp_s.T * Pq_s, ZeroMatrix(N_h, k_)),
        RewriteRule(Pm_s.T * Pq_s, ZeroMatrix(N_h, k_)),
    ),
    symmetric=(Ep_s, Em_s, Sinv),
    commuting=((Sinv, Em_s), (Sinv, Ep_s), (Em_s, Ep_s)),
)

stable_closed_form = claim(
    "lazy_to_rich.stable_closed_form",
    "$QQ^T(t) = Z A^{-1} Z^T$ with only decaying exponentials ($q_+ = P_+^T Q_0$ invertible) equals the Fukumizu form",
    Source(
        PAPER,
        "Sec. 4, Thm 4.3 (Eqs. 13-15), App. B.5",
        "basis-free form derived here (Thm 4.3 for any $N_i$, $N_o$); the paper's typesetting is unconfirmed; "
        r"proven at general shape: $Y = Z e^{\tilde S t} q_+$ and $M_t = (e^{\tilde S t} q_+)^T A (e^{\tilde S t} q_+)$, "
        r"hence $Y M_t^{-1} Y^T = Z A^{-1} Z^T$",
    ),
    statement=lambda: [
        definition(Z_s, sp.MatAdd(Pp_s, Pm_s * Em_s * qm * qp_inv * Em_s, el * Pq_s * qq * qp_inv * Em_s)),
        definition(
            A_s,
            sp.MatAdd(
                Em_s * qp_inv.T * qp_inv * Em_s,
                sp.Rational(1, 2) * (I_h - Em_s * Em_s) * Sinv,
                sp.Rational(1, 2) * Em_s * qp_inv.T * qm.T * (I_h - Em_s * Em_s) * Sinv * qm * qp_inv * Em_s,
                sp.Rational(1, 2) * g_perp * Em_s * qp_inv.T * qq.T * qq * qp_inv * Em_s,
            ),
        ),
        definition(Q0, sp.MatAdd(Pp_s * qp, Pm_s * qm, Pq_s * qq)),
        definition(eFt, sp.MatAdd(Pp_s * Ep_s * Pp_s.T, Pm_s * Em_s * Pm_s.T, el * Pq_s * Pq_s.T)),
        definition(
            gF,
            sp.MatAdd(
                Pp_s * (Ep_s * Ep_s - I_h) * Sinv * Pp_s.T,
                Pm_s * (I_h - Em_s * Em_s) * Sinv * Pm_s.T,
                g_perp * Pq_s * Pq_s.T,
            ),
        ),
        definition(Ym, eFt * Q0),
        definition(Mm, I_h + sp.Rational(1, 2) * Q0.T * gF * Q0),
        equation(Ym, Z_s * Ep_s * qp),
        equation(Mm, (Ep_s * qp).T * A_s * (Ep_s * qp)),
        equation(Ym * Inverse(Mm) * Ym.T, Z_s * Inverse(A_s) * Z_s.T),
    ],
    equivalent={
        "s9.transpose.0.1.0": "M_t is symmetric by its definition",
        "s9.transpose.1.1.0": "A is symmetric by its definition",
        "s9.scale.0.1.1": "SymPy's Inverse(M, -2) is still M^{-1} (Inverse ignores its exponent argument)",
        "s9.scale.1.1.1": "SymPy's Inverse(A, -2) is still A^{-1} (Inverse ignores its exponent argument)",
        **{
            label: "a transpose of a symmetric matrix: the diagonal e^{+-S t}, S^{-1}; e^{Ft}, (e^{2Ft}-I)F^{-1}; M_t, A"
            for label in (
                "s0.transpose.1.1.1",
                "s0.transpose.1.1.4",
                "s0.transpose.1.2.4",
                "s1.transpose.1.0.0",
                "s1.transpose.1.0.3",
                "s1.transpose.1.1.0.0.1.0",
                "s1.transpose.1.1.1",
                "s1.transpose.1.2.1",
                "s1.transpose.1.2.4.0.1.0",
                "s1.transpose.1.2.5",
                "s1.transpose.1.2.8",
                "s1.transpose.1.3.1",
                "s1.transpose.1.3.6",
                "s3.transpose.1.0.1",
                "s3.transpose.1.1.1",
                "s4.transpose.1.0.1.1.0",
                "s4.transpose.1.0.2",
                "s4.transpose.1.1.1.0.1.0",
                "s4.transpose.1.1.2",
                "s5.transpose.1.0",
                "s6.transpose.1.0.2",
                "s8.transpose.0",
                "s8.transpose.1.1",
                "s8.transpose.1.2",
                "s8.transpose.1.3",
            )
        },
    },
)


@stable_closed_form.symbolic_check
def stable_form_equals_fukumizu(statement):
    """``Y - Z e q_+`` and ``M - (e q_+)^T A (e q_+)`` reduce to zero; the last relation follows by inverting the second."""
    parts = split_statement(statement)
    subs = substitutions(parts.definitions)
    residuals, steps = [], []
    *core, last = parts.relations
    for rel in core:
        lhs, rhs = (expand_definitions(x, subs) for x in (rel.lhs, rel.rhs))
        residuals.append(sp.MatAdd(lhs, sp.MatMul(-1, rhs)))
    # Y M^{-1} Y^T = Z (e q)(e q)^{-1} A^{-1} (e q)^{-T} (e q)^T Z^T: the relations above substituted in the last one
    Y_rel, M_rel = core
    via = last.lhs.xreplace({Ym: Y_rel.rhs, Mm: M_rel.rhs})
    inv_M = Inverse(Ep_s * qp) * Inverse(A_s) * Inverse((Ep_s * qp).T)
    residuals.append(
        sp.MatAdd(
            via.xreplace({Inverse(M_rel.rhs): inv_M}).doit(),
            sp.MatMul(-1, last.rhs.doit()),
        )
    )
    return Proof(residuals=residuals, steps=steps, **STABLE_FACTS)


def spectral_values(syx, W1v, W2v, lm: float, t_: float) -> dict:
    """Float64 values of the stable form's symbols from eigh of F (own code): P_+-, P_perp, q's, the exponentials."""
    no, ni = syx.shape
    m = min(ni, no)
    ev, Ov = np.linalg.eigh(f_matrix(syx, lm))
    mus = ev[-m:]
    Pp, Pm, Pq = Ov[:, -m:], Ov[:, :m][:, ::-1], Ov[:, m : ni + no - m]
    Q0v = np.vstack([W1v.T, W2v])
    ell_v = np.sign(no - ni) * lm / 2
    qpv = Pp.T @ Q0v
    return {
        Pp_s: Pp,
        Pm_s: Pm,
        Pq_s: Pq,
        qp: qpv,
        qp_inv: np.linalg.inv(qpv),
        qm: Pm.T @ Q0v,
        qq: Pq.T @ Q0v,
        Ep_s: np.diag(np.exp(mus * t_)),
        Em_s: np.diag(np.exp(-mus * t_)),
        Sinv: np.diag(1 / mus),
        el: math.exp(ell_v * t_),
        g_perp: 2 * t_ if ell_v == 0 else math.expm1(2 * ell_v * t_) / ell_v,
        Q0: Q0v,
    }


def direct_form_bound(v: dict) -> float:
    """Float64 error bound of the direct form ``Y M^{-1} Y^T`` from the values of :func:`spectral_values`.

    First order in the backward errors: ``d(Y M^-1 Y^T) = 2 dY M^-1 Y^T - Y M^-1 dM M^-1 Y^T``, with
    ``|dY| <= g |e^{Ft}| |Q_0|``, ``|dM| <= g (1 + |Q_0|^2 |(e^{2Ft} - I) F^{-1}| / 2)`` (eigh's orthogonality, the
    products and the LU solve: ``g = 8 n eps``, the count of the stable form's bound) in spectral norms.
    """
    Pp, Pm, Pq, Q0v = v[Pp_s], v[Pm_s], v[Pq_s], v[Q0]
    e_ft = Pp @ v[Ep_s] @ Pp.T + Pm @ v[Em_s] @ Pm.T + v[el] * Pq @ Pq.T
    ih = np.eye(Pp.shape[1])
    g_f = (
        Pp @ (v[Ep_s] @ v[Ep_s] - ih) @ v[Sinv] @ Pp.T
        + Pm @ (ih - v[Em_s] @ v[Em_s]) @ v[Sinv] @ Pm.T
        + v[g_perp] * Pq @ Pq.T
    )
    m_t = np.eye(Q0v.shape[1]) + Q0v.T @ g_f @ Q0v / 2
    b = np.linalg.norm(np.linalg.solve(m_t, (e_ft @ Q0v).T), 2)
    g = linalg_tolerance(1.0, 8 * Q0v.shape[0])
    q0 = np.linalg.norm(Q0v, 2)
    d_y = g * np.linalg.norm(e_ft, 2) * q0
    d_m = g * (1 + q0**2 * np.linalg.norm(g_f, 2) / 2)
    return float(2 * d_y * b + b**2 * d_m)


@stable_closed_form.numeric_check
def stable_form_against_flow(statement):
    """The statement's Z A^{-1} Z^T (its definitions evaluated from eigh of F) against DOP853 and the engine."""
    parts = split_statement(statement)
    subs = substitutions(parts.definitions)
    last = parts.relations[-1]
    form = expand_definitions(last.rhs, subs)
    fukumizu = expand_definitions(last.lhs, subs)
    out = []
    cases = [(3, 3, 3, -3.0), (3, 2, 2, 0.7), (2, 2, 3, -0.5), (2, 2, 5, 0.0)]
    for seed, (ni, nh, no, lm) in enumerate(cases):
        rng = seeded_rng(60 + seed)
        syx = random_task(rng, ni, no)
        W1v, W2v = lazyrich.lambda_balanced_init(ni, nh, no, lm, sigma=0.6, seed=60 + seed)
        net = lazyrich.TwoLayerExact(W1v, W2v, syx)
        ts = np.array([0.0, 1.0, 4.0])
        traj, qq_, tol = flow_qqt(syx, W1v, W2v, ts)
        dims = {n_q: ni + no, N_h: nh, k_: abs(no - ni)}
        kap = linalg_tolerance(net.condition**2, 8 * (ni + no)) * traj.scale**2
        mine = np.array([evaluate_blocks(form, spectral_values(syx, W1v, W2v, lm, x), dims) for x in ts])
        label = f"{ni}-{nh}-{no}, lambda={lm}"
        out.append(
            Measurement(
                float(np.abs(mine - qq_).max()),
                tol + kap,
                f"{label}: statement's Z A^-1 Z^T vs simulation",
                "flow bound 2|W|e + kappa(q+)^2 n eps |W|^2",
            )
        )
        out.append(
            Measurement(
                float(np.abs(net.qqt(ts) - mine).max()),
                2 * kap,
                f"{label}: engine stable qqt vs statement's form",
                "kappa(q+)^2 n eps |W|^2",
            )
        )
        v1 = spectral_values(syx, W1v, W2v, lm, 1.0)
        direct = evaluate_blocks(fukumizu, v1, dims)
        out.append(
            Measurement(
                float(np.abs(direct - mine[1]).max()),
                kap + direct_form_bound(v1),
                f"{label}: statement's Y M^-1 Y^T vs its Z A^-1 Z^T at t = 1",
                "stable form's bound + 2 dY |M^-1 Y^T| + |M^-1 Y^T|^2 dM (first order, n eps backward errors)",
            )
        )
    return out


# ================================================================ claim 7: lambda -> 0 continuity
x_ = sp.Symbol("x", positive=True)

lambda_zero_limit = claim(
    "lazy_to_rich.lambda_zero_limit",
    r"At $\lambda = 0$ the closed form is continuous and equals the zero-balanced solution of Braun et al. (2022)",
    Source(
        PAPER,
        r"Sec. 4, Thm 4.3 at $\lambda = 0$ (Braun et al. (2022))",
        r"the $0/0$ term $(e^{2 \ell_\perp t/\tau} - 1)/\ell_\perp$ is read as its limit $2t/\tau$; the limits are "
        "computed by SymPy, the agreement with Braun et al. is numeric",
    ),
    statement=lambda: [
        equation(sp.Limit((sp.exp(2 * ell * t / tau) - 1) / ell, ell, 0), 2 * t / tau),
        equation(sp.Limit(sp.sqrt((mu_def - lam / 2) / (2 * mu_def)), lam, 0), 1 / sp.sqrt(2)),
    ],
    equivalent={
        label: "still a true limit: the changed term vanishes at lambda = 0, the limit stays 1/sqrt(2)"
        for label in (
            "s1.negate.0.0.2.0.t1",
            "s1.drop.0.0.2.0.t1",
            "s1.scale.0.0.2.0.1.0",
            "s1.exponent.0.0.2.0.1.1",
            "s1.scale.0.0.2.0.1.1.1",
            "s1.negate.0.0.3.0.t1",
            "s1.drop.0.0.3.0.t1",
            "s1.negate.0.0.3.0.0.0.t1",
            "s1.drop.0.0.3.0.0.0.t1",
            "s1.scale.0.0.3.0.0.0.1.0",
            "s1.exponent.0.0.3.0.0.0.1.1",
            "s1.scale.0.0.3.0.0.0.1.1.1",
            "s1.scale.0.0.3.0.1.0",
        )
    },
)


@lambda_zero_limit.symbolic_check
def limits_by_sympy(statement):
    """Each ``Limit`` of the statement computed by :func:`sympy.limit`, minus its right side."""
    residuals = []
    for rel in statement:
        lim = rel.lhs
        residuals.append(sp.simplify(sp.limit(*lim.args[:3]) - rel.rhs))
    return Proof(residuals=residuals)


def lambda_zero_cases():
    """The claim's cases (shared with its certified check): ``(shape, syx, W1, W2, ts, traj, qq, tol)``.

    lambda = 0 nets of shapes 3-3-3, 5-2-2, 2-2-5; a square task's first row is negated when the determinants'
    signs mismatch (there q+ is singular: Thm 4.3 needs B invertible).
    """
    for seed, (ni, no) in enumerate([(3, 3), (5, 2), (2, 5)]):
        rng = seeded_rng(70 + seed)
        m = min(ni, no)
        syx = random_task(rng, ni, no)
        W1v, W2v = balanced_pair(rng, ni, m, no, 0.0, svals=rng.uniform(0.2, 0.6, m))
        if ni == no and np.linalg.det(W2v @ W1v) * np.linalg.det(syx) < 0:
            syx[0] *= -1
        ts = np.array([0.5, 2.0, 5.0])
        yield ((ni, no), syx, W1v, W2v, ts, *flow_qqt(syx, W1v, W2v, ts))


@lambda_zero_limit.numeric_check
def braun_against_flow(statement):
    """The statement's limits approached numerically; Braun et al.'s form against the flow and the engine at lambda = 0."""
    out = []
    for rel in statement:
        expr, var, point = rel.lhs.args[:3]
        fn = sp.lambdify([var, t, tau, s_t], expr, "mpmath")
        rhs = sp.lambdify([t, tau, s_t], rel.rhs, "mpmath")
        h = 1e-6
        for tt in (0.5, 3.0):
            # Taylor at point + h: f(point) = f(point + h) - h f'(point + h) + h^2/2 f''(xi), xi in [point, point + h];
            # the max of |f''| over that interval taken as 2 |f''(point + h)| (f'' analytic, h = 1e-6 against its
            # scale ~ 1). Derivatives by mpmath.diff of the statement's expression, all at 30 digits (+ eps**0.8).
            with mp.workdps(30):
                x1 = mp.mpf(point) + mp.mpf(h)
                f = lambda x, tt=tt, fn=fn: mp.re(fn(x, tt, 1, mp.mpf("0.7")))  # noqa: E731
                lim = mp.re(rhs(tt, 1, mp.mpf("0.7")))
                extrapolated = f(x1) - h * mp.diff(f, x1)
                tol_h = float(h**2 * abs(mp.diff(f, x1, 2))) + mp_tolerance(30) * max(1.0, float(abs(lim)))
                err = float(abs(extrapolated - lim))
            out.append(
                Measurement(
                    err,
                    tol_h,
                    f"{rel.lhs}: f({var} = {point} + h) - h f' vs the limit (h = 1e-6, t = {tt})",
                    "Taylor remainder h^2 |f''(p + h)| (mpmath.diff of the statement's expression, 30 digits)",
                )
            )
    for (ni, no), syx, W1v, W2v, ts, traj, qq_, tol in lambda_zero_cases():
        braun = np.array([braun_zero_balanced(syx, W1v, W2v, x) for x in ts])
        net = lazyrich.TwoLayerExact(W1v, W2v, syx)
        kap = linalg_tolerance(net.condition**2, 16 * (ni + no)) * traj.scale**2
        out.append(
            Measurement(
                float(np.abs(braun - qq_).max()),
                tol + kap,
                f"({ni},{no}): Braun et al. zero-balanced form vs simulation",
                "flow bound + kappa^2 n eps |W|^2",
            )
        )
        out.append(
            Measurement(
                float(np.abs(braun - net.qqt(ts)).max()),
                2 * kap,
                f"({ni},{no}): engine at lambda = 0 vs Braun et al. form",
                "kappa(q+)^2 n eps |W|^2, both float64",
            )
        )
    return out


# ================================================================ claim 8: instability of the direct form
EPS_S, MU_MAX, MU_MIN = sp.Symbol(r"\epsilon"), sp.Symbol(r"\mu_{\max}"), sp.Symbol(r"\mu_{\min}")
ERR_S = sp.Symbol(r"\mathrm{err}_{\mathrm{direct}}(t)")

direct_form_instability = claim(
    "lazy_to_rich.direct_form_instability",
    r"The direct Fukumizu form loses accuracy like $\epsilon \, e^{2 (\mu_{\max} - \mu_{\min}) t/\tau}$ in float64 and overflows; the stable form does not",
    Source(
        PAPER,
        "Sec. 4 (implementation: B invertibility, numerical instability), App. B.5",
        "growth law is a heuristic (conditioning of the bracket); measured, not proven",
    ),
    statement=lambda: [
        equation(
            ERR_S / EPS_S,
            sp.O(sp.exp(2 * (MU_MAX - MU_MIN) * t / tau), (t, sp.oo)),
        )
    ],
    heuristic=True,
    equivalent={
        "s0.exponent.1.0.0.1": "the measured network has tau = 1, where t/tau = t tau^k (heuristic law, measured only)",
        "s0.scale.1.0.0.1.1": "the measured network has tau = 1, where t/tau = t tau^k (heuristic law, measured only)",
    },
)


def direct_form_case():
    """The claim's case (shared with its certified check): ``(syx, W1, W2, lam, net, eig(F), mu)`` for a 3-2-2 net."""
    rng = seeded_rng(80)
    ni, nh, no, lm = 3, 2, 2, 0.5
    syx = random_task(rng, ni, no)
    W1v, W2v = lazyrich.lambda_balanced_init(ni, nh, no, lm, sigma=0.3, seed=80)
    net = lazyrich.TwoLayerExact(W1v, W2v, syx)
    mu_ = np.sqrt(np.linalg.svd(syx, compute_uv=False) ** 2 + lm**2 / 4)
    return syx, W1v, W2v, lm, net, np.linalg.eigvalsh(f_matrix(syx, lm)), mu_


@direct_form_instability.numeric_check
def direct_form_growth(statement):
    """The direct error against the statement's growth law (lambdified), the mpmath form as the reference."""
    [rel] = statement
    growth_law = sp.lambdify([MU_MAX, MU_MIN, t, tau], rel.rhs.expr, "math")
    err_factor = float((rel.lhs / ERR_S).subs(EPS_S, FLOAT64_EPS))  # the statement's err / eps: 1 / eps
    syx, W1v, W2v, lm, net, ev, mu_ = direct_form_case()
    n = net.n_in + net.n_out
    out = []
    for t_ in (4.0, 8.0, 12.0, 25.0):
        dps = 30 + int(2 * (ev[-1] - ev[0]) * t_ / math.log(10))  # the mp form cancels like the float one
        ref = fukumizu_mp(syx, W1v, W2v, lm, t_, dps=dps)
        err_direct = rel_err(net.qqt(t_, method="direct"), ref)
        out.append(
            Measurement(
                rel_err(net.qqt(t_), ref),
                linalg_tolerance(net.condition**2, 16 * n),
                f"t={t_}: stable form vs mpmath Fukumizu ({dps} digits), relative",
                "kappa(q+)^2 n eps",
            )
        )
        if t_ < 20:
            growth = growth_law(mu_.max(), mu_.min(), t_, 1.0) / err_factor
            out.append(
                Measurement(
                    err_direct,
                    growth,
                    f"t={t_}: direct error {err_direct:.2g} vs the statement's growth law",
                    "heuristic growth law (upper bound)",
                )
            )
            out.append(must_fail(err_direct, growth / 1e4, f"t={t_}: direct error within 4 decades of the growth law"))
        else:
            out.append(must_fail(err_direct, 1e-2, f"t={t_}: direct float64 form relative error"))
    t_over = 400.0 / ev[-1]  # mu t >~ 350 overflows e^{2 F t}
    try:
        bad = net.qqt(t_over, method="direct")
        failed = not (np.all(np.isfinite(bad)) and rel_err(bad, limit_qqt(syx, lm)) < 1e-3)
    except (lazyrich.PrecisionError, FloatingPointError):
        failed = True
    out.append(
        Measurement(
            float(not failed),
            0.0,
            f"t={t_over:.0f}: the direct form fails (overflow or garbage); 0 means it failed",
            "must fail",
        )
    )
    out.append(
        Measurement(
            rel_err(net.qqt(t_over), limit_qqt(syx, lm)),
            linalg_tolerance(net.condition**2, 16 * n),
            f"t={t_over:.0f}: stable form equals the limit 2 P+ S P+^T",
            "kappa(q+)^2 n eps",
        )
    )
    return out


# ---------------------------------------------------------------- certified checks (lazyrich verify --certified)
@certified_check(stable_closed_form)
def stable_closed_form_certified():
    out = []
    cases = [(3, 3, 3, -3.0), (3, 2, 2, 0.7), (2, 2, 3, -0.5)]
    ts = np.array([0.0, 1.0, 4.0])
    for seed, (ni, nh, no, lm) in enumerate(cases):
        rng = np.random.default_rng(60 + seed)
        syx = random_task(rng, ni, no)
        W1v, W2v = lazyrich.lambda_balanced_init(ni, nh, no, lm, sigma=0.6, seed=60 + seed)
        net = lazyrich.TwoLayerExact(W1v, W2v, syx)
        enc = certified_qqt(net, ts, bits=BITS)
        scale = float(np.abs(enc.mid).max())
        label = f"{ni}-{nh}-{no}, lambda={lm}"
        out.append(radius_measurement(enc, scale, label))
        out.append(
            inside(
                enc,
                net.qqt(ts),
                stable_qqt_error_bound(net, scale),
                f"{label}: stable qqt (float64)",
                "4 (n + condition) eps |QQ^T|",
            )
        )
        _, qq_sim, tol = flow_qqt(syx, W1v, W2v, ts)
        out.append(inside(enc, qq_sim, tol, f"{label}: gradient-flow simulation", "quadratic invariant bound"))
    return out


@certified_check(lambda_zero_limit)
def lambda_zero_limit_certified():
    out = []
    for (ni, no), syx, W1v, W2v, ts, traj, qq_, tol in lambda_zero_cases():
        net = lazyrich.TwoLayerExact(W1v, W2v, syx)
        enc = certified_qqt(net, ts, bits=BITS)
        scale = float(np.abs(enc.mid).max())
        kap = linalg_tolerance(net.condition**2, 16 * (ni + no)) * traj.scale**2
        label = f"({ni},{no}), lambda={net.lam:.2g}"
        out.append(radius_measurement(enc, scale, label))
        braun = np.array([braun_zero_balanced(syx, W1v, W2v, x) for x in ts])
        out.append(
            inside(enc, braun, kap, f"{label}: Braun et al. zero-balanced form (float64)", "kappa^2 n eps |W|^2")
        )
        out.append(
            inside(
                enc,
                net.qqt(ts),
                stable_qqt_error_bound(net, scale),
                f"{label}: stable qqt (float64)",
                "4 (n + condition) eps |QQ^T|",
            )
        )
        out.append(inside(enc, qq_, tol, f"{label}: gradient-flow simulation", "quadratic invariant bound"))
    return out


@certified_check(direct_form_instability)
def direct_form_instability_certified():
    _syx, _W1, _W2, lm, net, ev, mu_ = direct_form_case()
    n = net.n_in + net.n_out
    ts = np.array([4.0, 8.0, 12.0, 25.0, 400.0 / ev[-1]])
    enc = certified_qqt(net, ts, bits=BITS)
    out = [radius_measurement(enc, float(np.abs(enc.mid).max()), f"lambda={lm}, t <= {ts[-1]:.0f}")]
    for i, t_ in enumerate(ts):
        scale = float(np.abs(enc.take(i).mid).max())
        out.append(
            inside(
                enc.take(i),
                net.qqt(t_),
                linalg_tolerance(net.condition**2, 16 * n) * scale,
                f"t={t_:.4g}: stable form (float64)",
                "kappa(q+)^2 n eps |QQ^T| (the claim's relative bound)",
            )
        )
        if t_ < 20:
            out.append(
                inside(
                    enc.take(i),
                    net.qqt(t_, method="direct"),
                    FLOAT64_EPS * math.exp(2 * (mu_.max() - mu_.min()) * t_) * scale,
                    f"t={t_:.4g}: direct form (float64)",
                    "heuristic growth law eps e^(2(mu_max-mu_min)t) |QQ^T|",
                )
            )
        elif t_ < 100:
            out.append(
                certainly_wrong(enc.take(i), net.qqt(t_, method="direct"), 1e-2 * scale, f"t={t_:.4g}: direct form")
            )
    return out
