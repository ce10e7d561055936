r"""The long-time behaviour of Dominé et al. (2025), Thm 4.3 (t -> infinity) and the singular ``q_+`` (Sec. 4, App. D.2).

Identities:

* long-time limit (Thm 4.3, :math:`t\to\infty`; Sec. 5): :math:`QQ^T \to P_\infty = 2P_+\tilde S_\lambda P_+^T`, a fixed point of the
  Riccati flow (:math:`FP_\infty + P_\infty F = P_\infty^2` from :math:`FP_+ = P_+\tilde S_\lambda`, :math:`P_+^TP_+ = I`), whose
  per-mode block is :math:`2\mu(a, b)(a, b)^T`, i.e. :math:`W_2W_1\to\Sigma_{yx}`, :math:`W_1^TW_1\to\tilde V(\tilde S_\lambda -
  \lambda/2)\tilde V^T`, :math:`W_2W_2^T\to\tilde U(\tilde S_\lambda + \lambda/2)\tilde U^T`;
* singular :math:`q_+` (Sec. 4, App. D.2): at lambda = 0 (square) :math:`q_+` is singular iff the determinants' signs of
  :math:`W_2W_1(0)` and :math:`\Sigma_{yx}` differ; after converging on :math:`\Sigma_{yx}` and switching to :math:`-\Sigma_{yx}`,
  :math:`\sigma(q_+) = |\lambda|/\sqrt{2\mu}` (per mode :math:`q_+ = ac - bd` with :math:`c = \sqrt{2\mu}a`, :math:`d = \sqrt{2\mu}b`).
"""

from __future__ import annotations

import math

import numpy as np
import sympy as sp
from sympy import MatrixSymbol, ZeroMatrix

import lazyrich
from lazyrich import (
    Measurement,
    Proof,
    Source,
    claim,
    definition,
    equation,
    hypothesis,
    linalg_tolerance,
    rewrite_rules,
    split_statement,
    substitutions,
)
from lazyrich.certified import Enclosure, certified_qqt_limit, exact_arb, require_flint

from ..certify import BITS, DERIVED_PREC, certified_check, inside, radius_measurement, symmetric_eigenvalues
from .reference import (
    balanced_pair,
    evaluate_blocks,
    f_matrix,
    flow_qqt,
    fukumizu_mp,
    limit_qqt,
    must_fail,
    q_plus,
    random_task,
    seeded_rng,
)
from .solution import Pp_s
from .spectrum import Um, Vm, a_sym, b_sym, mode_residuals, scalar_screen
from .symbols import (
    PAPER,
    W1,
    W2,
    I_h,
    N_h,
    N_i,
    N_o,
    QQT_sym,
    Sigma,
    expand_definitions,
    lam,
    m_,
    mu,
    mu_def,
    n_q,
    s_t,
    t,
)

__all__ = ["b_singularity", "long_time_cases", "long_time_limit"]


# ================================================================ claim 9: convergence
Fs = MatrixSymbol("F", n_q, n_q)
Sl_s = MatrixSymbol(r"\tilde{S}_\lambda", N_h, N_h)
Pinf = MatrixSymbol(r"P_\infty", n_q, n_q)
Sl_m = MatrixSymbol(r"\tilde{S}_\lambda", m_, m_)

long_time_limit = claim(
    "lazy_to_rich.long_time_limit",
    r"With $q_+$ invertible and $\tilde s_\alpha > 0$, $QQ^T \to 2 P_+ \tilde S_\lambda P_+^T$: $W_2 W_1 \to \Sigma_{yx}$, $W_1^T W_1 \to \tilde V (\tilde S_\lambda - \lambda/2) \tilde V^T$, $W_2 W_2^T \to \tilde U (\tilde S_\lambda + \lambda/2) \tilde U^T$",
    Source(
        PAPER,
        r"Sec. 4, Thm 4.3 ($t \to \infty$), Sec. 5",
        "derived here; Anguita (2024), Thm 4.1.2(1) for $N_h = m$; the fixed point and its per-mode blocks are "
        "proven (general shape, rational parametrisation), the convergence itself is measured",
    ),
    statement=lambda: [
        definition(Pinf, 2 * Pp_s * Sl_s * Pp_s.T),
        definition(mu, mu_def),
        definition(a_sym, sp.sqrt((mu - lam / 2) / (2 * mu))),
        definition(b_sym, sp.sqrt((mu + lam / 2) / (2 * mu))),
        hypothesis(Fs * Pp_s, Pp_s * Sl_s),
        hypothesis(Pp_s.T * Pp_s, I_h),
        equation(Fs * Pinf + Pinf * Fs - Pinf * Pinf, ZeroMatrix(n_q, n_q)),
        equation(
            2 * mu * sp.Matrix([[a_sym**2, a_sym * b_sym], [a_sym * b_sym, b_sym**2]]),
            sp.Matrix([[mu - lam / 2, s_t], [s_t, mu + lam / 2]]),
        ),
        equation(sp.Limit(QQT_sym, t, sp.oo), Pinf),
        equation(sp.Limit(W1.T * W1, t, sp.oo), Vm * (Sl_m - lam / 2 * sp.Identity(m_)) * Vm.T),
        equation(sp.Limit(W2 * W1, t, sp.oo), Sigma),
        equation(sp.Limit(W2 * W2.T, t, sp.oo), Um * (Sl_m + lam / 2 * sp.Identity(m_)) * Um.T),
    ],
    equivalent={
        "s0.transpose.1.2": "S_lambda is diagonal (symmetric)",
        **{
            label: "a transpose of a symmetric matrix: F, the diagonal S_lambda, P_inf (by its definition)"
            for label in (
                "s4.transpose.0.0",
                "s4.transpose.1.1",
                "s6.transpose.0.0.1.0",
                "s6.transpose.0.1.0",
                "s6.transpose.0.1.1",
                "s6.transpose.0.2.0",
                "s6.transpose.0.2.1",
                "s8.transpose.1",
                "s9.transpose.1.1.1",
                "s11.transpose.1.1.1",
            )
        },
    },
)


@long_time_limit.symbolic_check
def limit_is_fixed_point(statement):
    """The fixed-point relation under the eigen-hypotheses (general shape); the per-mode block (rational parametrisation)."""
    parts = split_statement(statement)
    bad = scalar_screen(parts)
    if bad:
        return Proof(residuals=bad)
    return Proof(residuals=mode_residuals(parts), rules=rewrite_rules(parts.hypotheses), symmetric=(Fs, Sl_s))


def long_time_cases():
    """The claim's cases (shared with its certified check): ``((ni, nh, no, lam), syx, W1, W2, net)``."""
    for seed, (ni, nh, no, lm) in enumerate([(3, 3, 3, 1.0), (3, 2, 2, 0.8), (2, 2, 3, -0.8)]):
        rng = seeded_rng(90 + seed)
        syx = random_task(rng, ni, no, 0.8, 2.0)
        W1v, W2v = balanced_pair(rng, ni, nh, no, lm)
        yield (ni, nh, no, lm), syx, W1v, W2v, lazyrich.TwoLayerExact(W1v, W2v, syx)


@long_time_limit.numeric_check
def limits_against_flow(statement):
    """The statement's limits (evaluated from eigh / SVD of the task) against the engine, the SVD reference, DOP853."""
    parts = split_statement(statement)
    subs = substitutions(parts.definitions)
    limits = [r for r in parts.relations if isinstance(r.lhs, sp.Limit)]
    out = []
    for (ni, nh, no, lm), syx, W1v, W2v, net in long_time_cases():
        m = min(ni, no)
        ev, Ov = np.linalg.eigh(f_matrix(syx, lm))
        U, s, Vt = np.linalg.svd(syx, full_matrices=False)
        mus = np.sqrt(s**2 + lm**2 / 4)
        vals = {Pp_s: Ov[:, -m:], Sl_s: np.diag(ev[-m:]), Sl_m: np.diag(mus), Vm: Vt.T, Um: U, Sigma: syx, lam: lm}
        dims = {n_q: ni + no, N_h: m, m_: m, N_i: ni, N_o: no}
        lim = limit_qqt(syx, lm)
        tol = linalg_tolerance(1.0, 16 * (ni + no)) * np.abs(lim).max()
        rate = min(2 * mus.min(), mus.min() - np.sign(no - ni) * lm / 2 if ni != no else np.inf)
        T = 40.0 / rate  # slowest linearised rate at the fixed point: eigenvalues of F - P_inf are -mu and ell_perp
        _, qq_, tol_f = flow_qqt(syx, W1v, W2v, [0.0, T])
        # |sim(T) - limit| <= |sim(T) - QQ^T(T)| (flow bound) + |QQ^T(T) - P| (the exact transient left at T: the
        # Fukumizu form in mpmath, digits for e^{2 (ev_max - ev_min) T}) + 2 n eps |P| (SVD reference, its rounding)
        dps = 30 + int(2 * (ev[-1] - ev[0]) * T / math.log(10))
        transient = float(np.abs(fukumizu_mp(syx, W1v, W2v, lm, T, dps=dps) - lim).max())
        blocks = {
            QQT_sym: (slice(None), slice(None)),
            W1.T * W1: (slice(0, ni), slice(0, ni)),
            W2 * W1: (slice(ni, None), slice(0, ni)),
            W2 * W2.T: (slice(ni, None), slice(ni, None)),
        }
        label = f"{ni}-{nh}-{no}, lambda={lm}"
        for rel in limits:
            rhs = evaluate_blocks(expand_definitions(rel.rhs, subs), vals, dims)
            r, c = blocks[rel.lhs.args[0]]
            out.append(
                Measurement(
                    float(np.abs(rhs - lim[r, c]).max()),
                    tol,
                    f"{label}: statement's limit of {rel.lhs.args[0]} vs SVD reference",
                    "n eps |QQ^T|",
                )
            )
            out.append(
                Measurement(
                    float(np.abs(qq_[-1][r, c] - rhs).max()),
                    tol_f + transient + 2 * tol,
                    f"{label}: simulation at t={T:.0f} vs statement's limit of {rel.lhs.args[0]}",
                    "flow bound + |QQ^T(T) - P| (mpmath Fukumizu form) + 2 n eps |P|",
                )
            )
        out.append(
            Measurement(
                float(np.abs(net.qqt_limit() - lim).max()),
                tol,
                f"{label}: engine limit vs SVD reference",
                "n eps |QQ^T|",
            )
        )
    return out


# ================================================================ claim 10: B singularity
th = sp.Symbol("theta", real=True)
c_conv, d_conv = sp.symbols("c_infty d_infty", positive=True)

b_singularity = claim(
    "lazy_to_rich.b_singularity",
    r"Square, $\lambda = 0$: $q_+$ singular iff $\operatorname{sgn} \det W_2 W_1(0) \ne \operatorname{sgn} \det \Sigma_{yx}$; after converging on $\Sigma_{yx}$ and switching to $-\Sigma_{yx}$, $\sigma(q_+) = |\lambda|/\sqrt{2 \mu_\alpha}$",
    Source(
        PAPER,
        "Sec. 4 (B invertible), App. D.2",
        r"derived here (the condition of Thm 4.3); per mode: the converged layers $c = \sqrt{2\mu} a$, $d = \sqrt{2\mu} b$ "
        r"and the reversed target flip $\tilde u$, so $q_+ = a c - b d$ (proven, rational parametrisation); the sign "
        r"criterion at $\lambda = 0$ is a $2 \times 2$ orthogonal-matrix lemma plus a numeric classification",
    ),
    statement=lambda: [
        definition(mu, mu_def),
        definition(a_sym, sp.sqrt((mu - lam / 2) / (2 * mu))),
        definition(b_sym, sp.sqrt((mu + lam / 2) / (2 * mu))),
        definition(c_conv, sp.sqrt(2 * mu) * a_sym),
        definition(d_conv, sp.sqrt(2 * mu) * b_sym),
        equation((a_sym * c_conv - b_sym * d_conv) ** 2, lam**2 / (2 * mu)),
    ],
)


@b_singularity.symbolic_check
def reversal_singular_values(statement):
    """The reversal relation per mode (rational parametrisation); the lambda = 0 lemma: det(I + reflection) = 0."""
    parts = split_statement(statement)
    bad = scalar_screen(parts)
    if bad:
        return Proof(residuals=bad)
    residuals = mode_residuals(parts)
    c, s = sp.cos(th), sp.sin(th)
    refl = sp.Matrix([[c, s], [s, -c]])  # det -1: the relative orientation when signs mismatch
    rot = sp.Matrix([[c, -s], [s, c]])
    lemmas = [sp.simplify((sp.eye(2) + refl).det()), sp.simplify((sp.eye(2) + rot).det() - (2 + 2 * c))]
    return Proof(residuals=[*residuals, *lemmas])


@b_singularity.numeric_check
def q_plus_classification(statement):
    """Sign criterion over random square nets; the reversal's sigma(q+) against the statement's relation (lambdified)."""
    parts = split_statement(statement)
    subs = substitutions(parts.definitions)
    [rel] = parts.relations
    pred_sq = sp.lambdify([lam, s_t], expand_definitions(rel.rhs, subs), "numpy")
    lhs_sq = sp.lambdify([lam, s_t], expand_definitions(rel.lhs, subs), "numpy")
    rng = seeded_rng(100)
    wrong, smin_ok, sing = 0, np.inf, 0.0
    for _ in range(30):
        syx = rng.standard_normal((3, 3))
        W1v, W2v = balanced_pair(rng, 3, 3, 3, 0.0)
        mismatch = np.linalg.det(W2v @ W1v) * np.linalg.det(syx) < 0
        smin = np.linalg.svd(q_plus(syx, W1v, W2v, 0.0), compute_uv=False).min()
        wrong += (smin < 1e-9) != mismatch
        if mismatch:
            sing = max(sing, smin)
    for lm in (0.3, -2.0):
        for _ in range(15):
            syx = rng.standard_normal((3, 3))
            W1v, W2v = balanced_pair(rng, 3, 3, 3, lm)
            smin_ok = min(smin_ok, np.linalg.svd(q_plus(syx, W1v, W2v, lm), compute_uv=False).min())
    out = [
        Measurement(
            float(wrong), 0.0, "lambda=0, 30 square trials: misclassified (singular q+ vs sign mismatch)", "exact count"
        ),
        Measurement(
            sing,
            linalg_tolerance(10.0, 16),
            "lambda=0, sign mismatch: largest sigma_min(q+)",
            "n eps x |Q| (exactly singular)",
        ),
        must_fail(smin_ok, 1e-6, "lambda in {0.3, -2}: smallest sigma_min(q+) over 30 trials (never singular)"),
    ]
    for lm in (0.6, -1.5, 0.0):
        syx = random_task(rng, 3, 3)
        lim = limit_qqt(syx, lm)
        w, V = np.linalg.eigh(lim)
        Q = V[:, -3:] * np.sqrt(
            np.clip(w[-3:], 0, None)
        )  # any Q with QQ^T = limit (q+ singular values are R-invariant)
        sv = np.sort(np.linalg.svd(np.linalg.eigh(f_matrix(-syx, lm))[1][:, -3:].T @ Q, compute_uv=False))
        s = np.linalg.svd(syx, compute_uv=False)
        pred = np.sort(np.sqrt(np.asarray(pred_sq(lm, s), dtype=float) * np.ones(3)))
        per_mode = np.sqrt(np.abs(np.asarray(lhs_sq(lm, s), dtype=float) * np.ones(3)))
        out.append(
            Measurement(
                float(np.abs(sv - pred).max()),
                linalg_tolerance(10.0, 36),
                f"reversal lambda={lm}: sigma(q+) vs statement's right side",
                "n eps |Q|^2 (eigh, svd backward stable)",
            )
        )
        out.append(
            Measurement(
                float(np.abs(np.sort(per_mode) - sv).max()),
                linalg_tolerance(10.0, 36),
                f"reversal lambda={lm}: sigma(q+) vs statement's per-mode a c - b d",
                "n eps |Q|^2",
            )
        )
    return out


# ---------------------------------------------------------------- certified checks (lazyrich verify --certified)
def _sqrt_nonneg(x):
    """sqrt of a ball known to enclose a non-negative number (Arb gives nan when the ball reaches below 0)."""
    flint = require_flint()
    if bool(x > 0):
        return x.sqrt()
    u = max(float(x.upper()), 0.0)
    top = math.nextafter(math.sqrt(u), math.inf) if u > 0 else 0.0
    return flint.arb(top / 2, top / 2)  # [0, top], top >= sqrt(upper(x))


@certified_check(long_time_limit)
def long_time_limit_certified():
    out = []
    for (ni, nh, no, lm), syx, W1v, W2v, net in long_time_cases():
        enc = certified_qqt_limit(syx, net.lam, bits=BITS)
        scale = float(np.abs(enc.mid).max())
        label = f"{ni}-{nh}-{no}, lambda={lm}"
        bound = linalg_tolerance(1.0, 16 * (ni + no)) * scale
        out.append(radius_measurement(enc, scale, f"{label}: QQ^T(inf)"))
        out.append(
            inside(enc, net.qqt_limit(), bound, f"{label}: engine qqt_limit (float64)", "n eps |QQ^T| (claim's)")
        )
        ref = certified_qqt_limit(syx, lm, bits=BITS)  # the SVD formula is evaluated at the nominal lambda
        out.append(
            inside(ref, limit_qqt(syx, lm), bound, f"{label}: SVD formula 2 P+ S P+^T (float64)", "n eps |QQ^T|")
        )
        s = np.linalg.svd(syx, compute_uv=False)
        mu_ = np.sqrt(s**2 + lm**2 / 4)
        ellp = np.sign(no - ni) * lm / 2
        rate = min(2 * mu_.min(), mu_.min() - ellp if ni != no else np.inf)
        T = 40.0 / rate
        _, qq_, tol = flow_qqt(syx, W1v, W2v, [0.0, T])
        out.append(
            inside(
                enc,
                qq_[-1],
                tol + 100 * scale * math.exp(-rate * T),
                f"{label}: simulation at t={T:.0f} vs the limit",
                "flow bound + 100 |P| e^{-rate t} (linearised decay)",
            )
        )
    return out


@certified_check(b_singularity)
def b_singularity_certified():
    """Reversal part: sigma(q+)^2 = eig(R+^* L R+) with L the certified limit on Sigma and R+ Arb eigenvectors of F(-Sigma)."""
    flint = require_flint()
    rng = np.random.default_rng(100)
    for _ in range(30):  # replay the numeric check's draws, so the tasks below are the same
        rng.standard_normal((3, 3))
        balanced_pair(rng, 3, 3, 3, 0.0)
    for lm in (0.3, -2.0):
        for _ in range(15):
            rng.standard_normal((3, 3))
            balanced_pair(rng, 3, 3, 3, lm)
    out = []
    for lm in (0.6, -1.5, 0.0):
        syx = random_task(rng, 3, 3)
        L = certified_qqt_limit(syx, lm, bits=BITS)
        label = f"reversal lambda={lm}"
        out.append(radius_measurement(L, float(np.abs(L.mid).max()), f"{label}: limit on Sigma"))
        out.append(
            inside(
                L,
                limit_qqt(syx, lm),
                linalg_tolerance(1.0, 16 * 6) * float(np.abs(L.mid).max()),
                f"{label}: SVD formula of the limit (float64)",
                "n eps |QQ^T|",
            )
        )
        E, Rv = flint.acb_mat(flint.arb_mat([[exact_arb(v) for v in row] for row in f_matrix(-syx, lm)])).eig(
            right=True
        )
        cols = [a for a in range(6) if float(E[a].real.mid()) > 0]
        # real unit eigenvectors: fix the phase on the largest component (the true vector is then real), normalise
        P = flint.arb_mat(6, len(cols))
        for k, a in enumerate(cols):
            v = [Rv[i, a] for i in range(6)]
            big = max(range(6), key=lambda i: float(abs(v[i]).mid()))
            phase = v[big].conjugate() / abs(v[big])
            v = [(x * phase).real for x in v]
            nrm = sum((x * x for x in v), exact_arb(0.0)).sqrt()
            for i in range(6):
                P[i, k] = v[i] / nrm
        La = flint.arb_mat([[L.balls[i, j] for j in range(6)] for i in range(6)])
        sig2 = symmetric_eigenvalues(P.transpose() * La * P)  # sigma(q+)^2, q+ = P+^T Q with QQ^T = L
        enc = Enclosure(np.array([_sqrt_nonneg(x) for x in sig2], dtype=object), DERIVED_PREC)
        # the claim's closed form |lambda| / sqrt(2 mu_a) in Arb (mu_a from the Gram of the exact task)
        S = flint.arb_mat([[exact_arb(v) for v in row] for row in syx])
        half2 = exact_arb(lm) * exact_arb(lm) / 4
        pred = sorted(
            ((4 * half2) / (2 * (e + half2).sqrt()) for e in symmetric_eigenvalues(S * S.transpose())),
            key=lambda b: float(b.mid()),
        )
        gap = max(float(abs(x - y).upper()) for x, y in zip(sig2, pred))
        out.append(
            Measurement(
                gap,
                2.0 ** -(BITS // 2),
                f"{label}: certified |sigma(q+)^2 - lambda^2/(2 mu)|",
                "2^-(bits/2) (eigenvector enclosures)",
            )
        )
        # the float64 values the numeric check compares
        lim = limit_qqt(syx, lm)
        w, V = np.linalg.eigh(lim)
        Q = V[:, -3:] * np.sqrt(np.clip(w[-3:], 0, None))
        sv = np.sort(np.linalg.svd(np.linalg.eigh(f_matrix(-syx, lm))[1][:, -3:].T @ Q, compute_uv=False))
        out.append(
            inside(
                enc,
                sv,
                linalg_tolerance(10.0, 36),
                f"{label}: sigma(q+) (float64, eigh + svd)",
                "n eps |Q|^2 (claim's)",
            )
        )
        mu_ = np.sqrt(np.linalg.svd(syx, compute_uv=False) ** 2 + lm**2 / 4)
        out.append(
            inside(
                enc,
                np.sort(abs(lm) / np.sqrt(2 * mu_)),
                linalg_tolerance(10.0, 36),
                f"{label}: |lambda|/sqrt(2 mu) (float64)",
                "n eps |Q|^2",
            )
        )
    return out
