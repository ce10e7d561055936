r"""lambda-balanced initialisation (Dominé et al. (2025), Sec. 3, assumptions A2-A3, Algorithm 1, App. A.3-A.4).

* :data:`dimension_sign_constraint`: sandwiching the balance :math:`W_2^TW_2 - W_1W_1^T = \lambda I` with a
  kernel vector gives :math:`\lambda v^Tv = -\|W_1^Tv\|^2` for :math:`W_2v = 0` (exists when :math:`N_h > N_o`)
  and :math:`\lambda w^Tw = \|W_2w\|^2` for :math:`W_1^Tw = 0` (exists when :math:`N_h > N_i`): so
  :math:`\lambda > 0` needs :math:`N_h \le N_o` and :math:`\lambda < 0` needs :math:`N_h \le N_i` (Anguita (2024),
  Thm 3.4.1, sharpened here), at general shape;
* :data:`algorithm_one`: Algorithm 1 (Get :math:`\lambda`-Balanced) returns
  :math:`W_1 = RS_1V^T`, :math:`W_2 = US_2R^T` with :math:`S_2^TS_2 - S_1S_1^T = \lambda I` (per mode
  :math:`s_2^2 - s_1^2 = \lambda`, :math:`s_1s_2 = s`), hence a :math:`\lambda`-balanced pair with the product
  :math:`US_2S_1V^T`, at general shape;
* :data:`gaussian_moments`: moments of :math:`W_2^TW_2 - W_1W_1^T` for iid Gaussian layers and LeCun's
  :math:`\lambda \approx N_o/N_h - 1` (App. A.3, Fig. 1C; correction of Anguita (2024), Thm 3.1.1);
* :data:`lambda_star`: the closest :math:`\lambda` of unbalanced weights (Anguita (2024), Thm 4.5.1), at general shape.
"""

from __future__ import annotations

import math

import numpy as np
import sympy as sp
from sympy import Identity, MatrixSymbol, Trace, ZeroMatrix
from sympy.polys.domains import QQ
from sympy.polys.rings import ring

import lazyrich
from lazyrich import (
    InvalidParameterError,
    Measurement,
    Proof,
    Source,
    claim,
    definition,
    equation,
    hypothesis,
    linalg_tolerance,
    random_orthogonal,
    rewrite_rules,
    split_statement,
)
from lazyrich.symbolic import enclose, time_derivative

from ..certify import BITS, certified_check, inside, radius_measurement
from ..rounding import gamma, scalar_certified
from .reference import must_fail, seeded_rng, split_singular_values
from .statement_tools import f64, resolve
from .symbols import PAPER, W1, W2, N_h, N_i, N_o, R_s, S_sym, lam

__all__ = [
    "algorithm_one",
    "dimension_sign_constraint",
    "gaussian_expectation",
    "gaussian_moments",
    "get_lambda_balanced",
    "lambda_star",
]

I_h = Identity(N_h)

# ---------------------------------------------------------------- dimension / sign constraint
v_s = MatrixSymbol("v", N_h, 1)  # in ker W2
w_s = MatrixSymbol("w", N_h, 1)  # in ker W1^T

dimension_sign_constraint = claim(
    "lazy_to_rich.dimension_sign_constraint",
    r"$\lambda$-balance needs $N_h \le N_o$ when $\lambda > 0$ and $N_h \le N_i$ when $\lambda < 0$: "
    r"$\lambda v^Tv = -\|W_1^Tv\|^2$ for $W_2 v = 0$, $\lambda w^Tw = \|W_2 w\|^2$ for $W_1^T w = 0$",
    Source(
        PAPER,
        "Sec. 3, assumptions A2-A3",
        r"Anguita (2024), Thm 3.4.1, sharpened here: a kernel vector of $W_2$ exists when $N_h > N_o$ "
        r"(then $\lambda \le 0$), of $W_1^T$ when $N_h > N_i$ (then $\lambda \ge 0$); proven at general shape",
    ),
    statement=lambda: [
        hypothesis(W2.T * W2 - W1 * W1.T, lam * I_h),
        hypothesis(W2 * v_s, ZeroMatrix(N_o, 1)),
        hypothesis(W1.T * w_s, ZeroMatrix(N_i, 1)),
        equation(lam * v_s.T * v_s, -(W1.T * v_s).T * (W1.T * v_s)),
        equation(lam * w_s.T * w_s, (W2 * w_s).T * (W2 * w_s)),
    ],
)


@dimension_sign_constraint.symbolic_check
def balance_sandwiched_by_kernel_vectors(statement):
    """``u^T (balance) u`` for each kernel vector u, simplified by that kernel hypothesis only."""
    parts = split_statement(statement)
    balance, *kernels = parts.hypotheses
    res, steps = [], []
    for kern, rel in zip(kernels, parts.relations):
        u = next(iter(kern.lhs.atoms(MatrixSymbol) & {v_s, w_s}))
        # u^T (balance.lhs - balance.rhs) u = 0 by the balance hypothesis; with the kernel rule it is the relation
        sandwich = sp.MatAdd(u.T * balance.lhs * u, sp.MatMul(-1, u.T * balance.rhs * u))
        res.append(sp.MatAdd(rel.lhs, sp.MatMul(-1, rel.rhs), sandwich))
        steps.append(equation(u.T * balance.lhs * u, u.T * balance.rhs * u))
    return Proof(residuals=res, rules=rewrite_rules(kernels))


@dimension_sign_constraint.numeric_check
def sign_constraint_on_instances(statement):
    """Kernel vectors of balanced pairs: both sides of the relations; the engine rejects impossible shapes."""
    parts = split_statement(statement)
    out = []
    raised = 0
    for ni, nh, no, lm in ((2, 3, 4, -1.0), (4, 3, 2, 1.0), (2, 3, 2, 0.5)):
        try:
            lazyrich.lambda_balanced_init(ni, nh, no, lm, seed=0)
        except InvalidParameterError:
            raised += 1
    out.append(Measurement(float(3 - raised), 0.0, "lambda_balanced_init rejects the 3 impossible cases", "count"))
    for ni, nh, no, lm in ((4, 3, 2, -0.7), (2, 3, 4, 0.8)):
        A, B = lazyrich.lambda_balanced_init(ni, nh, no, lm, seed=1)
        dims = {N_i: ni, N_h: nh, N_o: no}
        v = np.linalg.svd(B)[2][-1][:, None]  # W2 v = 0 (N_h > N_o)
        w = np.linalg.svd(A.T)[2][-1][:, None]  # W1^T w = 0 (N_h > N_i)
        vals = {W1: A, W2: B, v_s: v, w_s: w, lam: lm}
        tol = linalg_tolerance(1.0, 16 * nh) * max(1.0, np.abs(B).max() ** 2, np.abs(A).max() ** 2)
        for h in parts.hypotheses[:1]:
            out.append(
                Measurement(
                    float(np.abs(f64(h.lhs - h.rhs, vals, dims)).max()), tol, f"{ni}-{nh}-{no}: balance", "n eps"
                )
            )
        kern = v if no < nh else w
        rel = parts.relations[0] if no < nh else parts.relations[1]
        hyp = parts.hypotheses[1] if no < nh else parts.hypotheses[2]
        out.append(Measurement(float(np.abs(f64(hyp.lhs, vals, dims)).max()), tol, f"{hyp}: kernel vector", "n eps"))
        got = f64(rel.lhs - rel.rhs, vals, dims)
        out.append(Measurement(float(np.abs(got).max()), tol, f"{ni}-{nh}-{no}, lambda={lm}: {rel}", "n eps"))
        # the relation's right side carries the sign: it is nonzero here, and of the sign of lambda
        rhs = float(np.asarray(f64(rel.rhs, vals, dims)).ravel()[0])
        out.append(
            must_fail(
                rhs * math.copysign(1.0, lm), 0.01 * abs(lm) * float((kern.T @ kern).item()), f"sign of {rel.rhs}"
            )
        )
    return out


# ---------------------------------------------------------------- Algorithm 1
U_f = MatrixSymbol("U", N_o, N_o)
V_f = MatrixSymbol("V", N_i, N_i)
S1r = MatrixSymbol("S_1", N_h, N_i)
S2r = MatrixSymbol("S_2", N_o, N_h)
s1e, s2e = sp.Symbol(r"S_1^{eq}", positive=True), sp.Symbol(r"S_2^{eq}", positive=True)


def _algorithm_one_statement():
    root = sp.sqrt(lam**2 + 4 * S_sym**2)
    return [
        definition(W1, R_s * S1r * V_f.T),
        definition(W2, U_f * S2r * R_s.T),
        hypothesis(U_f.T * U_f, Identity(N_o)),
        hypothesis(V_f.T * V_f, Identity(N_i)),
        hypothesis(R_s.T * R_s, I_h),
        hypothesis(R_s * R_s.T, I_h),
        hypothesis(S2r.T * S2r - S1r * S1r.T, lam * I_h),
        equation(W2.T * W2 - W1 * W1.T, lam * I_h),
        equation(W2 * W1, U_f * S2r * S1r * V_f.T),
        definition(s2e, sp.sqrt((root + lam) / 2)),
        definition(s1e, sp.sqrt((root - lam) / 2)),
        equation(s2e**2 - s1e**2, lam),
        equation(s1e * s2e, S_sym),
    ]


def get_lambda_balanced(W1g, W2g, lam_, R):
    """Algorithm 1 (Get lambda-Balanced) on given Gaussian draws (own implementation)."""
    nh, ni = W1g.shape
    no = W2g.shape[0]
    m = min(ni, no)
    U, s, Vt = np.linalg.svd(W2g @ W1g)
    s1, s2 = split_singular_values(s[:m], lam_)
    S1, S2 = np.zeros((nh, ni)), np.zeros((no, nh))
    S1[np.arange(m), np.arange(m)], S2[np.arange(m), np.arange(m)] = s1, s2
    for j in range(m, nh):
        if no > ni:
            S2[j, j] = math.sqrt(lam_)
        else:
            S1[j, j] = math.sqrt(-lam_)
    return R, S1, S2, U, Vt.T, s


algorithm_one = claim(
    "lazy_to_rich.algorithm_one",
    r"Algorithm 1 returns $W_2^T W_2 - W_1 W_1^T = \lambda I$ and, for $N_h = \min(N_i, N_o)$, keeps the Gaussian product $W_2 W_1$",
    Source(
        PAPER,
        r"Algorithm 1 (Get $\lambda$-Balanced)",
        r"Anguita (2024), Algorithm 1; its error message for $N_i > N_o$ asks for a positive $\lambda$, negative is "
        r"meant; proven at general shape (matrix relations) and for every mode (scalar relations)",
    ),
    statement=_algorithm_one_statement,
)


@algorithm_one.symbolic_check
def algorithm_one_factors(statement):
    """The definitions substituted, the orthogonality and mode hypotheses as rules; the modes by squaring."""
    parts = split_statement(statement)
    mats = [d for d in parts.definitions if isinstance(d.lhs, MatrixSymbol)]
    scal = [d for d in parts.definitions if not isinstance(d.lhs, MatrixSymbol)]
    rules = rewrite_rules(parts.hypotheses)
    res = []
    steps = []
    for rel in parts.relations:
        if isinstance(rel.lhs, sp.MatrixExpr):
            r = sp.MatAdd(resolve(rel.lhs, mats), sp.MatMul(-1, resolve(rel.rhs, mats)))
            res.append(r)
            steps.append(equation(resolve(rel.lhs, mats), rel.rhs))
        else:
            lhs, rhs = resolve(rel.lhs, scal), resolve(rel.rhs, scal)
            # both sides are nonnegative for the product relation; compare squares (exact), then signs
            res.append(sp.expand(lhs**2 - rhs**2) if rel.lhs.is_Mul else sp.simplify(lhs - rhs))
            if rel.lhs.is_Mul and not (rel.lhs.is_positive and rel.rhs.is_positive):
                res.append(lhs - rhs)  # equal squares of equal sign: the declared positive symbols
    return Proof(residuals=res, rules=rules, steps=steps)


@algorithm_one.numeric_check
def algorithm_one_on_gaussian_draws(statement):
    """Own Algorithm 1 on Gaussian draws: the statement's factors and relations; the engine's init balanced."""
    parts = split_statement(statement)
    defs = {d.lhs: d.rhs for d in parts.definitions}
    out = []
    rng = seeded_rng(220)
    for ni, nh, no, lm in ((3, 3, 3, 1.3), (4, 2, 2, -0.6), (2, 4, 5, 0.9), (5, 3, 2, -0.8), (3, 3, 3, 0.0)):
        W1g, W2g = rng.standard_normal((nh, ni)), rng.standard_normal((no, nh))
        R, S1, S2, U, V, s = get_lambda_balanced(W1g, W2g, lm, random_orthogonal(nh, rng))
        dims = {N_i: ni, N_h: nh, N_o: no}
        vals = {R_s: R, S1r: S1, S2r: S2, U_f: U, V_f: V, lam: lm}
        vals[W1], vals[W2] = f64(defs[W1], vals, dims), f64(defs[W2], vals, dims)
        scale = max(1.0, np.abs(vals[W2]).max() ** 2, np.abs(vals[W1]).max() ** 2)
        tol = linalg_tolerance(1.0, 16 * nh) * scale
        for rel in parts.hypotheses + [r for r in parts.relations if isinstance(r.lhs, sp.MatrixExpr)]:
            err = float(np.abs(f64(rel.lhs - rel.rhs, vals, dims)).max())
            out.append(Measurement(err, tol, f"{ni}-{nh}-{no}, lambda={lm}: {rel}", "n eps |W|^2"))
        if nh == min(ni, no):
            err = float(np.abs(vals[W2] @ vals[W1] - W2g @ W1g).max())
            out.append(Measurement(err, tol * np.abs(W2g @ W1g).max(), f"{ni}-{nh}-{no}: product kept", "n eps"))
        m = min(ni, no)
        for rel in [r for r in parts.relations if not isinstance(r.lhs, sp.MatrixExpr)]:
            for k in range(m):  # the statement's mode values against the reference split (Thm 5.2, Eq. 18)
                env = {S_sym: s[k], lam: lm}
                got = [
                    float(resolve(x, [d for d in parts.definitions if d.lhs in (s1e, s2e)]).subs(env))
                    for x in (rel.lhs, rel.rhs)
                ]
                out.append(
                    Measurement(
                        abs(got[0] - got[1]),
                        64 * np.finfo(float).eps * max(1.0, s[k], abs(lm)),
                        f"mode {k}: {rel}",
                        "64 eps",
                    )
                )
            c1, c2 = split_singular_values(s[:m], lm)
            for sym, ref in ((s1e, c1), (s2e, c2)):
                got = [float(defs[sym].subs({S_sym: s[k], lam: lm})) for k in range(m)]
                out.append(
                    Measurement(
                        float(np.abs(np.array(got) - ref).max()),
                        64 * np.finfo(float).eps * max(1.0, s.max(), abs(lm)),
                        f"{sym} vs reference split",
                        "64 eps",
                    )
                )
        E1, E2 = lazyrich.lambda_balanced_init(ni, nh, no, lm, sigma=0.8, seed=int(rng.integers(1000)))
        bal = parts.relations[0]
        sc = max(1.0, np.abs(E2).max() ** 2, np.abs(E1).max() ** 2)
        err = float(np.abs(f64(bal.lhs - bal.rhs, {W1: E1, W2: E2, lam: lm}, dims)).max())
        out.append(
            Measurement(err, linalg_tolerance(1.0, 16 * nh) * sc, f"{ni}-{nh}-{no}: engine init balanced", "n eps")
        )
    return out


@certified_check(algorithm_one)
def algorithm_one_certified(statement):
    """The statement's per-mode ``S_1^eq``, ``S_2^eq`` (float64) within their rounding-model bounds of Arb enclosures.

    Instances include ``|lambda| >> S``, where ``(root -+ lambda)/2`` cancels: the derived bound (:mod:`.rounding`)
    grows there by the formula's condition number.
    """
    parts = split_statement(statement)
    defs = {d.lhs: d.rhs for d in parts.definitions if not isinstance(d.lhs, MatrixSymbol)}
    out = []
    for sv, lm in ((0.9, 0.5), (2.0, -1.5), (1e-4, 30.0), (1e-4, -30.0), (1e4, 1e-3)):
        for name in (s1e, s2e):
            out += scalar_certified(defs[name], {S_sym: sv, lam: lm}, f"S={sv!r}, lambda={lm!r}: statement's {name}")
    return out


# ---------------------------------------------------------------- Gaussian moments
sig1, sig2 = sp.symbols("sigma_1 sigma_2", positive=True)
E_jj, E_jk = sp.Symbol(r"\mathbb{E}[D_{jj}]"), sp.Symbol(r"\mathbb{E}[D_{jk}]")
V_jj, V_jk = sp.Symbol(r"\operatorname{Var}[D_{jj}]"), sp.Symbol(r"\operatorname{Var}[D_{jk}]")
lam_lecun = sp.Symbol(r"\lambda_{\mathrm{LeCun}}")


def gaussian_expectation(poly, sigma_of):
    """E[poly] for independent centred Gaussians: E[x^k] = (k-1)!! sigma^k (k even), 0 (k odd)."""
    out = sp.Integer(0)
    for monom, coeff in poly.terms():
        term = sp.Rational(coeff.numerator, coeff.denominator)
        for g, k in zip(poly.ring.gens, monom):
            if k % 2:
                term = 0
                break
            if k:
                term *= sp.factorial2(k - 1) * sigma_of(g) ** k
        out += term
    return sp.expand(out)


gaussian_moments = claim(
    "lazy_to_rich.gaussian_moments",
    r"For iid Gaussian layers, $D = W_2^T W_2 - W_1 W_1^T$: $\mathbb{E}[D] = (N_o \sigma_2^2 - N_i \sigma_1^2) I$; entry variance $N_o \sigma_2^4 + N_i \sigma_1^4$ off the diagonal, twice that on it; LeCun gives $\lambda \approx N_o/N_h - 1$",
    Source(
        PAPER,
        "Fig. 1C, App. A.3-A.4 (relative vs absolute scale)",
        r"CORRECTION of Anguita (2024), Thm 3.1.1: the diagonal variance is $2 (N_o \sigma_2^4 + N_i \sigma_1^4)$, "
        r"not $4 (\dots)$; the moments are computed exactly at the shapes (2, 2, 3) and (3, 2, 1)",
    ),
    statement=lambda: [
        equation(E_jj, N_o * sig2**2 - N_i * sig1**2),
        equation(E_jk, 0),
        equation(V_jk, N_o * sig2**4 + N_i * sig1**4),
        equation(V_jj, 2 * (N_o * sig2**4 + N_i * sig1**4)),
        hypothesis(sig1**2, 1 / N_i),
        hypothesis(sig2**2, 1 / N_h),
        equation(lam_lecun, N_o / N_h - 1),
    ],
)


def _moments(ni, nh, no):
    """Exact E[D_00], E[D_01], Var[D_01], Var[D_00] at one shape (polynomial ring, Gaussian moments)."""
    names = [f"a_{i}{j}" for i in range(nh) for j in range(ni)] + [f"b_{i}{j}" for i in range(no) for j in range(nh)]
    _, *g = ring(",".join(names), QQ)
    A = np.array(g[: nh * ni], dtype=object).reshape(nh, ni)
    B = np.array(g[nh * ni :], dtype=object).reshape(no, nh)
    first = set(g[: nh * ni])

    def sig(x):
        return sig1 if x in first else sig2

    D = B.T.dot(B) - A.dot(A.T)
    m00, m01 = gaussian_expectation(D[0, 0], sig), gaussian_expectation(D[0, 1], sig)
    return {
        E_jj: m00,
        E_jk: m01,
        V_jk: gaussian_expectation(D[0, 1] ** 2, sig) - m01**2,
        V_jj: gaussian_expectation(D[0, 0] ** 2, sig) - m00**2,
    }


@gaussian_moments.symbolic_check
def moments_by_gaussian_algebra(statement):
    """Each moment computed exactly at two shapes against the statement; LeCun from the mean and the hypotheses."""
    parts = split_statement(statement)
    moments, lecun = parts.relations[:4], parts.relations[4]
    res = []
    for ni, nh, no in ((2, 2, 3), (3, 2, 1)):
        exact = _moments(ni, nh, no)
        for rel in moments:
            # a 1x1 explicit matrix: the proof is marked as established at explicit shapes
            res.append(sp.Matrix([[sp.expand(exact[rel.lhs] - rel.rhs.subs({N_i: ni, N_h: nh, N_o: no}))]]))
    mean = next(r.rhs for r in moments if r.lhs == E_jj)
    scale = {h.lhs: h.rhs for h in parts.hypotheses}
    res.append(sp.simplify(mean.subs(scale) - lecun.rhs))
    return Proof(residuals=res)


@gaussian_moments.numeric_check
def moments_by_monte_carlo(statement):
    """20000 Gaussian pairs (3-4-5): sample moments against the statement, in standard errors (CLT)."""
    parts = split_statement(statement)
    rng = seeded_rng(230)
    ni, nh, no, s1, s2, N = 3, 4, 5, 0.7, 0.4, 20000
    A = rng.standard_normal((N, nh, ni)) * s1
    B = rng.standard_normal((N, no, nh)) * s2
    D = np.einsum("noh,nok->nhk", B, B) - np.einsum("nhi,nki->nhk", A, A)
    env = {N_i: ni, N_h: nh, N_o: no, sig1: s1, sig2: s2}
    pred = {r.lhs: float(r.rhs.subs(env)) for r in parts.relations[:4]}
    z = 5.0  # CLT: a 5-standard-error band fails with probability ~6e-7 per comparison
    out = []
    for name, x in ((E_jj, D[:, 0, 0]), (E_jk, D[:, 0, 1])):
        err = abs(x.mean() - pred[name]) / (x.std() / math.sqrt(N))
        out.append(Measurement(err, z, f"{name}: Monte Carlo mean, in standard errors", "CLT, 5 standard errors"))
    for name, x in ((V_jj, D[:, 0, 0]), (V_jk, D[:, 0, 1])):
        c = x - x.mean()
        var = float(np.mean(c**2))
        se_var = math.sqrt((np.mean(c**4) - var**2) / N)
        out.append(
            Measurement(abs(var - pred[name]) / se_var, z, f"{name}: {var:.4g} vs {pred[name]:.4g}", "CLT, 5 se")
        )
        if name == V_jj:
            out.append(must_fail(abs(var - 2 * pred[name]) / se_var, z, "thesis diagonal factor 4 rejected, in se"))
    # LeCun: sigma_1^2 = 1/N_i, sigma_2^2 = 1/N_h, the mean offset of a draw against the statement's lambda
    scale = {h.lhs: h.rhs for h in parts.hypotheses}
    lec = float(parts.relations[4].rhs.subs(env))
    s1l, s2l = (math.sqrt(float(sp.sympify(scale[k]).subs(env))) for k in (sig1**2, sig2**2))
    Dl = np.einsum("noh,nok->nhk", B / s2 * s2l, B / s2 * s2l) - np.einsum("nhi,nki->nhk", A / s1 * s1l, A / s1 * s1l)
    x = Dl[:, 0, 0]
    out.append(
        Measurement(abs(x.mean() - lec) / (x.std() / math.sqrt(N)), z, "LeCun lambda, in standard errors", "CLT")
    )
    return out


@certified_check(gaussian_moments)
def moments_certified(statement):
    """Every moment of the statement and LeCun's lambda (float64) within their rounding-model bounds.

    At the Monte Carlo shape with its scales, at a wide MNIST-like shape, and at LeCun's scales (the
    hypotheses substituted into the mean, which must then equal the statement's LeCun lambda).
    """
    parts = split_statement(statement)
    scale = {h.lhs: h.rhs for h in parts.hypotheses}
    out = []
    for ni, nh, no, s1, s2 in ((3, 4, 5, 0.7, 0.4), (784, 1000, 10, 0.0357, 0.0316)):
        env = {N_i: ni, N_h: nh, N_o: no, sig1: s1, sig2: s2}
        for rel in parts.relations:
            if rel.rhs.free_symbols:
                out += scalar_certified(rel.rhs, env, f"{ni}-{nh}-{no}: statement's {rel.lhs}")
        mean = next(r.rhs for r in parts.relations if r.lhs == E_jj).subs(scale)
        out += scalar_certified(mean, env, f"{ni}-{nh}-{no}: mean offset at LeCun scales")
    return out


# ---------------------------------------------------------------- lambda* for unbalanced weights
C_s = MatrixSymbol("C", N_h, N_h)
f_s = sp.Symbol("f")
l_star = sp.Symbol(r"\lambda^*")

lambda_star = claim(
    "lazy_to_rich.lambda_star",
    r"$\arg\min_\lambda \|W_2^T W_2 - W_1 W_1^T - \lambda I\|_F^2 = \operatorname{tr}(W_2^T W_2 - W_1 W_1^T)/N_h$",
    Source(
        PAPER,
        "Anguita (2024), Thm 4.5.1 (extends Sec. 3, assumption A2)",
        "CORRECTION: the thesis theorem's statement omits the $1/N_h$ (its proof has it); for ReLU nets it is "
        r"conserved (mean of the per-neuron laws); proven at general shape ($f$ is a convex quadratic in $\lambda$)",
    ),
    statement=lambda: [
        definition(C_s, W2.T * W2 - W1 * W1.T),
        definition(f_s, Trace((C_s - lam * I_h).T * (C_s - lam * I_h))),
        equation(sp.Subs(sp.Derivative(f_s, lam), lam, l_star), 0),
        equation(sp.Derivative(f_s, (lam, 2)), 2 * N_h),
        equation(l_star, Trace(W2.T * W2 - W1 * W1.T) / N_h),
    ],
    equivalent={
        label: "C = W_2^T W_2 - W_1 W_1^T is symmetric (its definition): C^T is the same matrix"
        for label in ("s1.transpose.1.0.0.1", "s1.transpose.1.0.1.1")
    },
)


def _lam_derivative(expr, order=1):
    for _ in range(order):
        expr = time_derivative(expr, {}, time=lam)
    return expr


@lambda_star.symbolic_check
def stationary_convex_quadratic(statement):
    """``f'(lambda*) = 0`` with lambda* from the statement, and ``f'' = 2 N_h > 0`` (so lambda* is the minimum)."""
    parts = split_statement(statement)
    stationary, convex, star = parts.relations
    f = resolve(f_s, parts.definitions)
    d1 = _lam_derivative(f).subs(lam, resolve(star.rhs, parts.definitions))
    d2 = _lam_derivative(f, 2)
    res = [d1 - stationary.rhs, d2 - convex.rhs]
    ok = convex.rhs.is_positive
    if not ok:
        res.append(sp.Symbol("f'' > 0 fails"))
    return Proof(residuals=res)


@lambda_star.numeric_check
def lambda_star_by_least_squares(statement):
    """Gaussian unbalanced pairs: numpy least squares for lambda against the statement's lambda*."""
    parts = split_statement(statement)
    star = parts.relations[2]
    rng = seeded_rng(240)
    out = []
    for ni, nh, no in ((3, 4, 2), (5, 3, 5)):
        A, B = rng.standard_normal((nh, ni)), rng.standard_normal((no, nh))
        dims = {N_i: ni, N_h: nh, N_o: no}
        C = f64(parts.definitions[0].rhs, {W1: A, W2: B}, dims)
        ls = np.linalg.lstsq(np.eye(nh).reshape(-1, 1), C.reshape(-1), rcond=None)[0][0]
        got = f64(star.rhs, {W1: A, W2: B, N_h: nh}, dims)
        tol = linalg_tolerance(1.0, 4 * nh * nh) * np.abs(C).max()
        out.append(Measurement(abs(ls - got), tol, f"{ni}-{nh}-{no}: least squares vs lambda*", "n eps |C|"))
        h = 0.1
        fval = [f64(resolve(f_s, parts.definitions), {W1: A, W2: B, lam: ls + d}, dims) for d in (-h, 0.0, h)]
        curv = (fval[0] - 2 * fval[1] + fval[2]) / h**2
        # f is quadratic in lambda, so the second difference is exact up to rounding: each f value (a sum of
        # nh^2 squares, 4 flops each) within n eps |f|, the difference's 4 of them divided by h^2
        fd_tol = 4 * linalg_tolerance(1.0, 4 * nh * nh) * max(abs(float(v)) for v in fval) / h**2
        out.append(
            Measurement(
                abs(curv - f64(parts.relations[1].rhs, {N_h: nh}, dims)),
                fd_tol,
                f"{ni}-{nh}-{no}: f''",
                "f quadratic: the second difference's rounding, 4 n eps max|f| / h^2",
            )
        )
    return out


@certified_check(lambda_star)
def lambda_star_certified(statement):
    """The statement's ``lambda*`` (float64 trace formula) within Higham's bound of its Arb enclosure.

    ``tr(W_2^T W_2 - W_1 W_1^T)/N_h`` sums ``(N_i + N_o) N_h`` products, each through at most
    ``K = max(N_i, N_o) + N_h + 2`` roundings (product, inner product, difference, trace), then one 4-ulp power
    and one product for ``1/N_h``: ``|error| <= gamma_{K+10} (|W_1|_F^2 + |W_2|_F^2)/N_h`` (Higham (2002), Lemma 3.1,
    eq. (3.5); :func:`.rounding.gamma`). Instances include a wide hidden layer and an almost balanced pair,
    where the trace cancels.
    """
    star = split_statement(statement).relations[2]
    rng = seeded_rng(241)
    out = []
    for ni, nh, no, near in ((3, 4, 2, False), (5, 3, 5, False), (10, 200, 8, False), (6, 4, 6, True)):
        A, B = rng.standard_normal((nh, ni)), rng.standard_normal((no, nh))
        if near:  # W_2 = W_1^T: balanced at lambda = 0, then a 1e-9 perturbation
            B = A.T + 1e-9 * rng.standard_normal((no, nh))
        dims, vals = {N_i: ni, N_h: nh, N_o: no}, {W1: A, W2: B, N_h: nh}
        enc = enclose(star.rhs, vals, dims=dims, bits=BITS)
        got = f64(star.rhs, vals, dims)
        bound = gamma(max(ni, no) + nh + 12) * (float(np.sum(A * A)) + float(np.sum(B * B))) / nh
        what = f"{ni}-{nh}-{no}{' near balance' if near else ''}: statement's lambda* (float64)"
        out.append(inside(enc, got, bound, what, "Higham gamma_{K+10} (|W_1|_F^2 + |W_2|_F^2) / N_h"))
        out.append(radius_measurement(enc, max(abs(float(enc.mid)), 1e-300), f"{ni}-{nh}-{no}: lambda*"))
    return out
