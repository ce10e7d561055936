r"""Applications (Dominé et al. (2025), Sec. 5 noise robustness, Sec. 6 / App. D.1 continual learning, Fig. 4 task).

* :data:`forgetting`: the loss of task :math:`i` depends on the network function only,
  :math:`\mathcal L_i(M) = \tfrac12\|M - \Sigma_i\|_F^2 + c_i`, so once the network has converged on task
  :math:`j`, then on task :math:`k` (:math:`M = \Sigma_j`, then :math:`\Sigma_k`, at every :math:`\lambda`),
  the forgetting is :math:`\tfrac12(\|\Sigma_k - \Sigma_i\|_F^2 - \|\Sigma_j - \Sigma_i\|_F^2)` (App. D.1;
  Anguita (2024), Thm 4.4.1), at general shape;
* :data:`noise_sensitivity`: input noise :math:`\mathbb E\|W_2W_1\epsilon\|^2 = \sigma^2\|W_2W_1\|_F^2` (general
  shape); parameter noise :math:`\sigma^2(N_o\|W_1\|_F^2 + N_i\|W_2\|_F^2) + \sigma^4N_oN_hN_i` for whitened
  inputs (exact Gaussian moments at explicit shapes); at convergence a mode has
  :math:`c_1^2 = \sqrt{\tilde s^2 + \lambda^2/4} - \lambda/2`, :math:`c_2^2 = \sqrt{\tilde s^2 + \lambda^2/4} + \lambda/2`
  (Sec. 5, App. C.3, Fig. 4E; first-order forms derived here);
* :data:`hierarchy_spectrum`: the label matrix of the hierarchical semantic task (Fig. 4) and its spectrum.
"""

from __future__ import annotations

import math

import numpy as np
import sympy as sp
from sympy import Identity, MatrixSymbol, Trace
from sympy.polys.domains import QQ
from sympy.polys.rings import ring

import lazyrich
from lazyrich import (
    FLOAT64_EPS,
    DeepLinearModel,
    Measurement,
    Proof,
    Source,
    claim,
    definition,
    equation,
    explicit_matrix,
    gradient_flow,
    hypothesis,
    linalg_tolerance,
    quadratic_invariant_tolerance,
    random_orthogonal,
    rewrite_rules,
    split_statement,
)
from lazyrich.certified import Enclosure, certified_qqt_limit, exact_arb, require_flint
from lazyrich.symbolic import enclose

from ..certify import BITS, DERIVED_PREC, certified_check, inside, radius_measurement, symmetric_eigenvalues
from ..rounding import gamma
from .reference import balanced_pair, limit_qqt, qqt_of, random_task, seeded_rng, split_singular_values
from .statement_tools import f64, resolve, screened_proof
from .symbols import PAPER, RTOL, W1, W2, N_h, N_i, N_o, lam, s_t

__all__ = ["HIERARCHY", "TIE_BREAK_3DP", "forgetting", "hierarchy_spectrum", "noise_sensitivity"]

# ---------------------------------------------------------------- forgetting
Sig_i, Sig_j, Sig_k = (MatrixSymbol(f"Sigma_{x}", N_o, N_i) for x in "ijk")
M_j, M_k = MatrixSymbol("M(T_j)", N_o, N_i), MatrixSymbol("M(T_k)", N_o, N_i)
c_i = sp.Symbol("c_i", real=True)
L_ij, L_ik = sp.Symbol(r"\mathcal{L}_i(T_j)"), sp.Symbol(r"\mathcal{L}_i(T_k)")


def _fro2(A):
    return Trace(A * A.T)


forgetting = claim(
    "lazy_to_rich.forgetting",
    r"After convergence on task $j$ then $k$, the forgetting of task $i$ is $(\|\Sigma_k - \Sigma_i\|^2 - \|\Sigma_j - \Sigma_i\|^2)/2$, independent of $\lambda$",
    Source(
        PAPER,
        "Sec. 6, App. D.1 (continual learning)",
        r"Anguita (2024), Thm 4.4.1; proven at general shape from the whitened loss (Sec. 3); the convergence "
        r"$M = \Sigma_j$ at every $\lambda$ is the hypothesis, checked by simulation ($\lambda$ is conserved "
        "across task switches)",
    ),
    statement=lambda: [
        hypothesis(M_j, Sig_j),
        hypothesis(M_k, Sig_k),
        definition(L_ij, _fro2(M_j - Sig_i) / 2 + c_i),
        definition(L_ik, _fro2(M_k - Sig_i) / 2 + c_i),
        equation(L_ik - L_ij, (_fro2(Sig_k - Sig_i) - _fro2(Sig_j - Sig_i)) / 2),
    ],
)


@forgetting.symbolic_check
def forgetting_from_the_loss(statement):
    """The definitions substituted, the converged network functions as rules: traces in canonical form."""
    parts = split_statement(statement)
    (rel,) = parts.relations
    res = [resolve(rel.lhs, parts.definitions) - rel.rhs]
    return screened_proof(res, rewrite_rules(parts.hypotheses))


@certified_check(forgetting)
def forgetting_certified(statement):
    """The statement's forgetting ``(|S_k - S_i|^2 - |S_j - S_i|^2)/2`` (float64) within Higham's bound.

    Each of the ``2 N_o N_i`` squared entries passes through at most ``K = N_i + N_o + 4`` roundings (the
    difference, the square, the inner product, the trace, the final difference; the halving is exact), so
    ``|error| <= gamma_K (|S_k - S_i|_F^2 + |S_j - S_i|_F^2)/2`` (Higham (2002), Lemma 3.1, eq. (3.5)). Instances
    include tasks ``j`` and ``k`` 1e-9 apart, where the two norms cancel.
    """
    rhs = split_statement(statement).relations[0].rhs
    rng = seeded_rng(261)
    out = []
    for no, ni, close in ((2, 2, False), (3, 5, False), (10, 8, False), (4, 4, True)):
        Si, Sj, Sk = (rng.standard_normal((no, ni)) for _ in range(3))
        if close:
            Sk = Sj + 1e-9 * rng.standard_normal((no, ni))
        dims, vals = {N_o: no, N_i: ni}, {Sig_i: Si, Sig_j: Sj, Sig_k: Sk}
        enc = enclose(rhs, vals, dims=dims, bits=BITS)
        got = f64(rhs, vals, dims)
        bound = gamma(ni + no + 4) * (float(np.sum((Sk - Si) ** 2)) + float(np.sum((Sj - Si) ** 2))) / 2
        label = f"{no}x{ni}{', j and k 1e-9 apart' if close else ''}"
        out.append(
            inside(
                enc, got, bound, f"{label}: statement's forgetting (float64)", "Higham gamma_K (|.|_F^2 + |.|_F^2)/2"
            )
        )
        out.append(radius_measurement(enc, max(abs(float(enc.mid)), 1e-300), f"{label}: forgetting"))
    return out


@forgetting.numeric_check
def forgetting_along_task_switches(statement):
    """2-2-2 nets at lambda = -1, 1.5 trained on task j, then k (lazyrich.gradient_flow): the statement evaluated."""
    parts = split_statement(statement)
    rel = parts.relations[0]
    rng = seeded_rng(260)
    n = 2
    tasks = [random_task(rng, n, n, 0.8, 1.6) for _ in range(3)]
    for k in (1, 2):  # same sign of det as task 0 so that q+ stays invertible at every switch
        if np.linalg.det(tasks[k]) * np.linalg.det(tasks[0]) < 0:
            tasks[k][0] *= -1
    Si, Sj, Sk = tasks
    dims = {N_o: n, N_i: n}
    out = []
    for lm in (-1.0, 1.5):
        W = balanced_pair(rng, n, n, n, lm)
        rate = min(np.sqrt(np.linalg.svd(S, compute_uv=False) ** 2 + lm**2 / 4).min() for S in (Sj, Sk))
        T = 36.0 / (2 * rate)
        trj = gradient_flow(DeepLinearModel(Sj), W, [0.0, T], rtol=RTOL)
        trk = gradient_flow(DeepLinearModel(Sk), trj.at(1), [0.0, T], rtol=RTOL)
        Mj, Mk = (B @ A for A, B in (trj.at(1), trk.at(1)))
        tol = 2 * (
            quadratic_invariant_tolerance(trj.n_steps, RTOL, trj.atol, trj.scale)
            + quadratic_invariant_tolerance(trk.n_steps, RTOL, trk.atol, trk.scale)
        )
        tol += 100 * math.exp(-2 * rate * T)  # linearised convergence remainder
        for hyp in parts.hypotheses:  # the hypotheses: converged at every lambda
            got = f64(hyp.lhs - hyp.rhs, {M_j: Mj, M_k: Mk, Sig_j: Sj, Sig_k: Sk, Sig_i: Si}, dims)
            out.append(Measurement(float(np.abs(got).max()), tol, f"lambda={lm}: {hyp}", "flow + e^{-2 mu T}"))
        vals = {M_j: Mj, M_k: Mk, Sig_i: Si, Sig_j: Sj, Sig_k: Sk, c_i: 0.3}
        lhs = f64(resolve(rel.lhs, parts.definitions), vals, dims)
        err = abs(lhs - f64(rel.rhs, vals, dims))
        out.append(
            Measurement(err, tol * np.abs(Sk - Si).max() * n * n, f"lambda={lm}: simulated forgetting", "flow bounds")
        )
    return out


# ---------------------------------------------------------------- noise sensitivity
sg = sp.Symbol("sigma", positive=True)
Om = MatrixSymbol(r"\mathbb{E}[\epsilon\epsilon^T]", N_i, N_i)
E_in, E_par = sp.Symbol(r"\mathbb{E}\|W_2W_1\epsilon\|^2"), sp.Symbol(r"\mathbb{E}\|\Delta f\|^2")
c1, c2 = sp.symbols("c_1 c_2", positive=True)


def _noise_statement():
    mu_ = sp.sqrt(s_t**2 + lam**2 / 4)
    return [
        hypothesis(Om, sg**2 * Identity(N_i)),
        definition(E_in, Trace(W2 * W1 * Om * W1.T * W2.T)),  # E|M eps|^2 = tr(M E[eps eps^T] M^T)
        equation(E_in, sg**2 * Trace(W2 * W1 * W1.T * W2.T)),
        equation(E_par, sg**2 * (N_o * Trace(W1 * W1.T) + N_i * Trace(W2.T * W2)) + sg**4 * N_o * N_h * N_i),
        hypothesis(c2**2 - c1**2, lam),
        hypothesis(c1 * c2, s_t),
        equation(c1**2, mu_ - lam / 2),
        equation(c2**2, mu_ + lam / 2),
    ]


noise_sensitivity = claim(
    "lazy_to_rich.noise_sensitivity",
    r"Input noise: $\mathbb{E}\|W_2 W_1 \epsilon\|^2 = \sigma^2 \|W_2 W_1\|_F^2$ ($\lambda$-free at convergence); parameter noise $\sigma^2 (N_o \|W_1\|_F^2 + N_i \|W_2\|_F^2) + \sigma^4 N_o N_h N_i$, with $\|W_{1,2}\|_F^2 = \sum_\alpha (\sqrt{\tilde s_\alpha^2 + \lambda^2/4} \mp \lambda/2)$ at convergence",
    Source(
        PAPER,
        "Sec. 5, App. C.3, Fig. 4E (noise robustness)",
        r"derived here (the paper's statement is unconfirmed): input noise at general shape; parameter noise by "
        r"exact Gaussian moments at the shapes 2-2-2 and 3-2-2 (whitened $x$, iid $\mathcal N(0, \sigma^2)$ "
        r"noise in both layers); the converged mode from $c_2^2 - c_1^2 = \lambda$, $c_1 c_2 = \tilde s$",
    ),
    statement=_noise_statement,
    equivalent={
        label: "the noise covariance E[eps eps^T] is symmetric: its transpose is the same matrix"
        for label in ("s0.transpose.0", "s1.transpose.1.0.2")
    },
)


def _parameter_noise(ni, nh, no):
    """E over xi_1, xi_2 ~ N(0, sigma^2) and whitened x ~ N(0, I) of |xi_2 W_1 x + W_2 xi_1 x + xi_2 xi_1 x|^2."""
    dims = {N_i: ni, N_h: nh, N_o: no}
    A_sym, B_sym = explicit_matrix(W1, dims), explicit_matrix(W2, dims)
    names = [f"p_{i}{j}" for i in range(nh) for j in range(ni)] + [f"q_{i}{j}" for i in range(no) for j in range(nh)]
    names += [f"x_{i}" for i in range(ni)]
    R_, *g = ring(list(A_sym) + list(B_sym) + list(sp.symbols(names)), QQ)
    it = iter(g)
    A = np.array([[next(it) for _ in range(ni)] for _ in range(nh)], dtype=object)
    B = np.array([[next(it) for _ in range(nh)] for _ in range(no)], dtype=object)
    Xi1 = np.array([[next(it) for _ in range(ni)] for _ in range(nh)], dtype=object)
    Xi2 = np.array([[next(it) for _ in range(nh)] for _ in range(no)], dtype=object)
    x = np.array([next(it) for _ in range(ni)], dtype=object)
    scale = {**{v: sg for v in list(Xi1.ravel()) + list(Xi2.ravel())}, **{v: sp.Integer(1) for v in x}}
    dev = Xi2.dot(A).dot(x) + B.dot(Xi1).dot(x) + Xi2.dot(Xi1).dot(x)
    poly = sum(dev * dev)
    out = sp.Integer(0)
    for monom, coeff in poly.terms():
        term = sp.Rational(coeff.numerator, coeff.denominator)
        for gen, k in zip(R_.gens, monom):
            if k and gen in scale:
                if k % 2:
                    term = 0
                    break
                term *= sp.factorial2(k - 1) * scale[gen] ** k
            elif k:
                term *= gen.as_expr() ** k
        out += term
    return sp.expand(out), dims


@noise_sensitivity.symbolic_check
def noise_moments(statement):
    """Input noise at general shape (hypothesis as a rule); parameter noise by exact moments; modes by elimination."""
    parts = split_statement(statement)
    cov, *modes = parts.hypotheses
    inp, par, m1, m2 = parts.relations
    res = [resolve(inp.lhs, parts.definitions) - inp.rhs]
    for ni, nh, no in ((2, 2, 2), (3, 2, 2)):
        exact, dims = _parameter_noise(ni, nh, no)
        rhs = par.rhs.subs(dims)
        traces = {tr: lazyrich.explicit_residual(tr.arg, dims).trace() for tr in rhs.atoms(Trace)}
        res.append(sp.Matrix([[sp.expand(exact - rhs.xreplace(traces))]]))  # established at explicit shapes
    # the converged mode: eliminate the other layer's singular value from the two hypotheses (Groebner basis)
    polys = [sp.expand(h.lhs - h.rhs) for h in modes]
    for rel, keep, other in ((m1, c1, c2), (m2, c2, c1)):
        basis = sp.groebner(polys, other, keep, order="lex")
        elim = [p for p in basis.exprs if not p.has(other)]
        res.append(sp.simplify(elim[0].subs(rel.lhs, rel.rhs)) if elim else sp.Symbol("no elimination"))
    head = screened_proof(res[:1], rewrite_rules([cov])).residuals  # the general-shape part, screened
    return Proof(residuals=[*head, *res[1:]], rules=rewrite_rules([cov]))


@noise_sensitivity.numeric_check
def noise_by_monte_carlo(statement):
    """Converged 3-2-2 weights (from the task SVD): Monte Carlo of both noise models against the statement."""
    parts = split_statement(statement)
    inp, par, m1, m2 = parts.relations
    rng = seeded_rng(270)
    ni, no, lm, sgv, N = 3, 2, 1.5, 0.05, 40000
    syx = random_task(rng, ni, no)
    lim = limit_qqt(syx, lm)
    m = min(ni, no)
    U, s, Vt = np.linalg.svd(syx, full_matrices=False)
    # the statement's converged modes (root choice included) against the reference split (Thm 5.2, Eq. 18)
    c1v, c2v = (np.array([abs(float(r.rhs.subs({s_t: x, lam: lm}))) for x in s]) for r in (m1, m2))
    r1, r2 = split_singular_values(s, lm)
    out = [
        Measurement(
            float(np.abs(np.sqrt(c1v) - r1).max() + np.abs(np.sqrt(c2v) - r2).max()),
            64 * 2.2e-16 * 4,
            "converged modes vs reference split",
            "64 eps",
        )
    ]
    R = random_orthogonal(m, rng)
    W1v, W2v = (R * np.sqrt(c1v)) @ Vt, (U * np.sqrt(c2v)) @ R.T
    out.append(
        Measurement(
            float(np.abs(qqt_of(W1v, W2v) - lim).max()),
            linalg_tolerance(1.0, 16 * (ni + no)) * np.abs(lim).max(),
            "converged weights reproduce the limit QQ^T",
            "n eps |P|",
        )
    )
    dims = {N_i: ni, N_h: m, N_o: no}
    vals = {W1: W1v, W2: W2v, sg: sgv, N_i: ni, N_h: m, N_o: no, Om: sgv**2 * np.eye(ni)}
    x = rng.standard_normal((N, ni))  # whitened inputs, E xx^T = I
    X1 = rng.standard_normal((N, m, ni)) * sgv
    X2 = rng.standard_normal((N, no, m)) * sgv
    dev = (
        np.einsum("noh,hi,ni->no", X2, W1v, x)
        + np.einsum("oh,nhi,ni->no", W2v, X1, x)
        + np.einsum("noh,nhi,ni->no", X2, X1, x)
    )
    sq = np.sum(dev**2, axis=1)
    pred = f64(par.rhs, vals, dims)
    out.append(Measurement(abs(sq.mean() - pred) / (sq.std() / math.sqrt(N)), 5.0, "parameter noise, in se", "CLT"))
    e = rng.standard_normal((N, ni)) * sgv
    sq_in = np.sum((e @ (W2v @ W1v).T) ** 2, axis=1)
    for expr in (resolve(inp.lhs, parts.definitions), inp.rhs):
        err = abs(sq_in.mean() - f64(expr, vals, dims)) / (sq_in.std() / math.sqrt(N))
        out.append(Measurement(err, 5.0, f"input noise vs {sp.sstr(expr)[:40]}, in se", "CLT, 5 standard errors"))
    return out


# ---------------------------------------------------------------- hierarchy spectrum
HIERARCHY = sp.Matrix(
    [
        [1, 1, 1, 0, 1, 0, 0, 0],
        [1, 1, 1, 0, -1, 0, 0, 0],
        [1, 1, -1, 0, 0, 1, 0, 0],
        [1, 1, -1, 0, 0, -1, 0, 0],
        [1, -1, 0, 1, 0, 0, 1, 0],
        [1, -1, 0, 1, 0, 0, -1, 0],
        [1, -1, 0, -1, 0, 0, 0, 1],
        [1, -1, 0, -1, 0, 0, 0, -1],
    ]
)
#: Singular values of the tie-broken hierarchy (column j scaled by 1 + 0.1/j), to 3 decimals.
TIE_BREAK_3DP = [3.111, 2.970, 2.067, 2.050, 1.442, 1.438, 1.434, 1.432]
Y_h = MatrixSymbol("Y", 8, 8)
sv_Y = MatrixSymbol(r"\sigma(Y)", 1, 8)

hierarchy_spectrum = claim(
    "lazy_to_rich.hierarchy_spectrum",
    r"Semantic hierarchy: $Y^T Y = \operatorname{diag}(8, 8, 4, 4, 2, 2, 2, 2)$, singular values $2\sqrt{2}$ ($\times 2$), $2$ ($\times 2$), $\sqrt{2}$ ($\times 4$); tie-breaking $1 + 0.1/j$ gives $3.111, \dots, 1.432$",
    Source(
        PAPER,
        "Fig. 4 (hierarchical semantic task)",
        "label matrix of gooseberry's Hierarchy (Braun et al. (2022)); tie-breaking option 'correct'",
    ),
    statement=lambda: [
        definition(Y_h, sp.ImmutableMatrix(HIERARCHY)),
        equation(Y_h.T * Y_h, sp.ImmutableMatrix(sp.diag(8, 8, 4, 4, 2, 2, 2, 2))),
        equation(sv_Y, sp.ImmutableMatrix([[2 * sp.sqrt(2)] * 2 + [2] * 2 + [sp.sqrt(2)] * 4])),
    ],
)


def _label_matrix(statement):
    """``Y`` from its definition (``Y^T := M`` defines ``Y = M^T``)."""
    d = split_statement(statement).definitions[0]
    M = sp.Matrix(d.rhs)
    return M.T if isinstance(d.lhs, sp.Transpose) else M


@hierarchy_spectrum.symbolic_check
def hierarchy_gram_and_spectrum(statement):
    """Y^T Y computed exactly; its columns are orthogonal, so the singular values are the column norms."""
    parts = split_statement(statement)
    Y = _label_matrix(statement)
    gram_rel, sv_rel = parts.relations
    gram = sp.Matrix(gram_rel.lhs.xreplace({Y_h: sp.ImmutableMatrix(Y)}).doit())
    res = [gram - sp.Matrix(gram_rel.rhs)]
    off = gram - sp.diag(*[gram[j, j] for j in range(8)])  # orthogonal columns
    res.append(off)
    norms = sorted((sp.sqrt(gram[j, j]) for j in range(8)), key=lambda v: -float(v))
    res.append(sp.Matrix([norms]) - sp.Matrix(sv_rel.rhs))
    return Proof(residuals=res)


@hierarchy_spectrum.numeric_check
def hierarchy_against_engine_task(statement):
    """lazyrich.semantic_hierarchy_task: labels = the statement's Y; numpy singular values against the statement."""
    parts = split_statement(statement)
    Y = np.array(_label_matrix(statement).tolist(), dtype=float)
    X, Yt_eng = lazyrich.semantic_hierarchy_task()
    out = [
        Measurement(
            float(np.abs(Yt_eng.T - Y).max() + np.abs(X - np.eye(8)).max()),
            0.0,
            "engine semantic_hierarchy_task: X = I_8 and the labels equal the statement's Y",
            "exact",
        )
    ]
    sv = np.linalg.svd(Y, compute_uv=False)
    stated = np.array([float(v) for v in sp.Matrix(parts.relations[1].rhs)])
    out.append(
        Measurement(float(np.abs(sv - stated).max()), linalg_tolerance(1.0, 64) * sv.max(), "svd vs statement", "n eps")
    )
    gram = np.array(sp.Matrix(parts.relations[0].rhs).tolist(), dtype=float)
    out.append(Measurement(float(np.abs(Y.T @ Y - gram).max()), 0.0, "Y^T Y vs statement", "exact (integers)"))
    _, Yt = lazyrich.semantic_hierarchy_task(tie_break=True)
    svt = np.linalg.svd(Yt, compute_uv=False)
    # the statement gives 3 decimals: half a unit in the third (5e-4; 1.442498 -> 1.442 comes within 2.2e-6 of it), plus the float64
    # svd's error (the n eps bound below)
    out.append(
        Measurement(
            float(np.abs(svt - np.array(TIE_BREAK_3DP)).max()),
            5e-4 + linalg_tolerance(1.0, 64) * svt.max(),
            "tie-broken svd vs 3 decimals",
            "half a unit in the 3rd decimal + n eps |Y|",
        )
    )
    exact = np.sort([math.sqrt(float((Y.T @ Y)[j, j])) * (1 + 0.1 / (j + 1)) for j in range(8)])[::-1]
    out.append(
        Measurement(
            float(np.abs(svt - exact).max()), linalg_tolerance(1.0, 64) * svt.max(), "tie-broken: column norms", "n eps"
        )
    )
    return out


@certified_check(noise_sensitivity)
def noise_sensitivity_certified():
    rng = np.random.default_rng(270)
    ni, no, lm = 3, 2, 1.5
    syx = random_task(rng, ni, no)
    enc = certified_qqt_limit(syx, lm, bits=BITS)
    scale = float(np.abs(enc.mid).max())
    m = min(ni, no)
    U, s, Vt = np.linalg.svd(syx, full_matrices=False)
    s1, s2 = split_singular_values(s, lm)
    R = random_orthogonal(m, rng)
    W1v, W2v = (R * s1) @ Vt, (U * s2) @ R.T
    bound = linalg_tolerance(1.0, 16 * (ni + no)) * scale
    return [
        radius_measurement(enc, scale, "QQ^T(inf)"),
        inside(enc, limit_qqt(syx, lm), bound, "SVD formula of the limit (float64)", "n eps |P|"),
        inside(enc, qqt_of(W1v, W2v), bound, "converged weights' QQ^T (float64)", "n eps |P| (claim's)"),
    ]


@certified_check(hierarchy_spectrum)
def hierarchy_spectrum_certified(statement):
    """Arb enclosures of the tie-broken singular values (eigenvalues of Y^T Y, Gershgorin-isolated)."""
    flint = require_flint()
    _, Yt = lazyrich.semantic_hierarchy_task(tie_break=True)
    Ya = flint.arb_mat([[exact_arb(v) for v in row] for row in Yt])
    sq = sorted(symmetric_eigenvalues(Ya.transpose() * Ya), key=lambda b: -float(b.mid()))
    enc = Enclosure(np.array([x.sqrt() for x in sq], dtype=object), DERIVED_PREC)
    sv = np.linalg.svd(Yt, compute_uv=False)
    tol = linalg_tolerance(1.0, 64) * sv.max()
    Y = np.array(_label_matrix(statement).tolist(), dtype=float)
    exact = np.sort([math.sqrt(float((Y.T @ Y)[j, j])) * (1 + 0.1 / (j + 1)) for j in range(8)])[::-1]
    return [
        radius_measurement(enc, float(sv.max()), "tie-broken singular values"),
        inside(enc, sv, tol, "numpy svd of the tie-broken labels (float64)", "n eps |Y| (claim's)"),
        inside(enc, exact, tol, "column norms (1 + 0.1/j) |Y_j| (float64 closed form)", "n eps |Y| (claim's)"),
        inside(
            enc,
            np.array(TIE_BREAK_3DP),
            5e-4 + FLOAT64_EPS * max(TIE_BREAK_3DP),  # half a unit in the 3rd decimal, and the literals' rounding
            "their 3-decimal values",
            "rounding to 3 decimals",
        ),
    ]
