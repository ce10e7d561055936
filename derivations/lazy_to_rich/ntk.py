r"""The neural tangent kernel of a two-layer linear network (Dominé et al. (2025), Eq. (5), Sec. 5, App. C.4-C.5).

For :math:`f = W_2W_1X` (:math:`X` is :math:`N_i\times P`) the parameter Jacobian applied to a direction
:math:`(V_1, V_2)` is :math:`J[V_1, V_2] = W_2V_1X + V_2W_1X` (the derivative of ``f`` along it), its adjoint
:math:`J^T[G] = (W_2^TGX^T,\ GX^TW_1^T)` (read off :math:`\operatorname{tr}(G^TJ[V_1, V_2])`), so

.. math::
    JJ^T[G] = W_2W_2^T\,G\,X^TX + G\,X^TW_1^TW_1X ,

which is the action on :math:`\operatorname{vec}_r(G)` (output index outer, sample index inner) of Eq. (5),
:math:`\mathrm{NTK} = I_{N_o}\otimes X^TW_1^TW_1X + W_2W_2^T\otimes X^TX`, by the rule
:math:`(A\otimes B)\operatorname{vec}_r(G) = \operatorname{vec}_r(AGB^T)`. Everything but that rule is proven
by the matrix calculus at general shape (the rule itself is checked numerically; Braun et al. (2022);
Anguita (2024), eqs. 2.37/4.1). As :math:`|\lambda|\to\infty` the NTK's blocks change by :math:`O(1/|\lambda|)`
while its size grows like :math:`|\lambda|` (App. C.4-C.5; Anguita (2024), Thm 4.1.3).
"""

from __future__ import annotations

import functools
import itertools
import math

import numpy as np
import sympy as sp
from sympy import Identity, MatrixSymbol, Trace

import lazyrich
from lazyrich import (
    FLOAT64_EPS,
    Measurement,
    Source,
    claim,
    ddt,
    definition,
    equation,
    fit_order,
    linalg_tolerance,
    random_orthogonal,
    split_statement,
)
from lazyrich.certified import (
    certified_kernel_distance,
    certified_ntk,
    certified_qqt,
    certified_qqt_limit,
    stable_qqt_error_bound,
)
from lazyrich.symbolic import canonicalize, time_derivative

from ..certify import BITS, certified_check, inside, radius_measurement
from .reference import flow_qqt, limit_qqt, random_task, seeded_rng, split_singular_values
from .statement_tools import f64, screened_proof, series_order_failures
from .symbols import P_, PAPER, W1, W2, N_h, N_i, N_o

__all__ = [
    "jacobian",
    "kernel_distance_of",
    "ntk_formula",
    "ntk_formula_cases",
    "ntk_laziness",
    "ntk_np",
]

X_s = MatrixSymbol("X", N_i, P_)
V1 = MatrixSymbol("V_1", N_h, N_i)
V2 = MatrixSymbol("V_2", N_o, N_h)
G_s = MatrixSymbol("G", N_o, P_)
NTK_s = MatrixSymbol(r"\mathrm{NTK}", N_o * P_, N_o * P_)
J_s = MatrixSymbol("J", N_o * P_, N_h * N_i + N_o * N_h)
Jv = MatrixSymbol("J[V_1, V_2]", N_o, P_)


def ntk_np(W1v, W2v, X):
    """NTK formula (Eq. (5); Braun et al. (2022)), ordering (output, sample)."""
    return np.kron(np.eye(W2v.shape[0]), X.T @ W1v.T @ W1v @ X) + np.kron(W2v @ W2v.T, X.T @ X)


def jacobian(W1v, W2v, X):
    """d vec(W2 W1 X) / d(W1, W2), rows ordered (output, sample), written out entry by entry."""
    no, nh = W2v.shape
    ni, P = X.shape
    J = np.zeros((no * P, nh * ni + no * nh))
    H = W1v @ X
    for o in range(no):
        for p in range(P):
            r = o * P + p
            J[r, : nh * ni] = np.outer(W2v[o], X[:, p]).ravel()  # d f_op / d W1[h, i] = W2[o, h] X[i, p]
            J[r, nh * ni + o * nh : nh * ni + (o + 1) * nh] = H[:, p]  # d f_op / d W2[o, h] = (W1 X)[h, p]
    return J


ntk_formula = claim(
    "lazy_to_rich.ntk_formula",
    r"The NTK $I_{N_o} \otimes X^T W_1^T W_1 X + W_2 W_2^T \otimes X^T X$ equals $J J^T$ of the parameter Jacobian (ordering: output outer, sample inner)",
    Source(
        PAPER,
        "Eq. (5)",
        r"Braun et al. (2022); Anguita (2024), eqs. 2.37/4.1; proven at general shape through the action on "
        r"$G$ ($N_o \times P$): $J$ from the derivative of $W_2 W_1 X$, $J^T$ as its adjoint under the trace; "
        r"the rule $(A \otimes B)\,\mathrm{vec}_r(G) = \mathrm{vec}_r(A G B^T)$ that turns Kronecker products "
        "into that action is checked numerically (the calculus has no vec)",
    ),
    statement=lambda: [
        definition(
            NTK_s,
            sp.kronecker_product(Identity(N_o), X_s.T * W1.T * W1 * X_s) + sp.kronecker_product(W2 * W2.T, X_s.T * X_s),
        ),
        definition(Jv, W2 * V1 * X_s + V2 * W1 * X_s),
        equation(NTK_s, J_s * J_s.T),
    ],
)


def _kron_terms(expr):
    """``[(coeff, A, B)]`` of a sum of scalar multiples of Kronecker products."""
    terms = expr.args if isinstance(expr, sp.MatAdd) else (expr,)
    out = []
    for term in terms:
        coeff, mats = term.as_coeff_mmul() if isinstance(term, sp.MatMul) else (sp.Integer(1), (term,))
        mats = mats.args if isinstance(mats, sp.MatMul) else tuple(mats) if isinstance(mats, tuple) else (mats,)
        (k,) = mats
        if not isinstance(k, sp.KroneckerProduct) or len(k.args) != 2:
            raise ValueError(f"not a Kronecker product: {k}")
        out.append((coeff, *k.args))
    return out


def _adjoint(jv, direction):
    """The coefficient ``C`` with ``tr(G^T jv) = tr(direction^T C) + ...``: each word ``L V R`` gives ``L^T G R^T``."""
    can = canonicalize(jv)
    out = []
    for word, c in can.terms.items():
        idx = [i for i, a in enumerate(word) if a == direction]
        if len(idx) != 1:
            continue
        left, right = word[: idx[0]], word[idx[0] + 1 :]
        Lt = sp.MatMul(*[a.T for a in reversed(left)]) if left else None
        Rt = sp.MatMul(*[a.T for a in reversed(right)]) if right else None
        parts = [x for x in (Lt, G_s, Rt) if x is not None]
        out.append(c * sp.MatMul(*parts))
    return sp.MatAdd(*out) if len(out) > 1 else out[0] if out else sp.ZeroMatrix(*direction.shape)


@ntk_formula.symbolic_check
def ntk_action_at_general_shape(statement):
    """J from the derivative of f = W2 W1 X, J^T by the trace adjoint, NTK's action by the Kronecker-vec rule."""
    parts = split_statement(statement)
    ntk_def, jv_def = parts.definitions
    (rel,) = parts.relations
    derivative = time_derivative(W2 * W1 * X_s, {W1: V1, W2: V2})
    a1, a2 = _adjoint(jv_def.rhs, V1), _adjoint(jv_def.rhs, V2)
    adjoint_id = Trace(G_s.T * jv_def.rhs) - Trace(V1.T * a1) - Trace(V2.T * a2)
    jjt = jv_def.rhs.xreplace({V1: a1, V2: a2})  # J J^T [G]
    sides = {}
    for name, side in (("lhs", rel.lhs), ("rhs", rel.rhs)):
        if side == ntk_def.lhs:
            sides[name] = sp.MatAdd(*[c * A * G_s * B.T for c, A, B in _kron_terms(ntk_def.rhs)])
        elif side == J_s * J_s.T:
            sides[name] = jjt
        else:
            sides[name] = sp.Symbol(f"no rule for {side}")
    res = [
        sp.MatAdd(derivative, sp.MatMul(-1, jv_def.rhs)),
        adjoint_id,
        sp.MatAdd(sides["lhs"], sp.MatMul(-1, sides["rhs"]))
        if all(isinstance(v, sp.MatrixExpr) for v in sides.values())
        else sides["lhs"],
    ]
    steps = [
        equation(ddt(W2 * W1 * X_s), jv_def.rhs),  # the derivative along the direction (V_1, V_2)
        equation(Trace(G_s.T * jv_def.rhs), Trace(V1.T * a1) + Trace(V2.T * a2)),
    ]
    return screened_proof(res, steps=steps, rates={W1: V1, W2: V2})


def ntk_formula_cases():
    """The claim's cases (shared with its certified check): ``((ni, nh, no, lam), syx, W1, W2, X, net, traj, tol)``."""
    for seed, (ni, nh, no, lm) in enumerate([(3, 2, 2, 0.5), (2, 2, 3, -1.0)]):
        rng = seeded_rng(180 + seed)
        syx = random_task(rng, ni, no)
        W1v, W2v = lazyrich.lambda_balanced_init(ni, nh, no, lm, sigma=0.7, seed=180 + seed)
        X = rng.standard_normal((ni, 4))
        net = lazyrich.TwoLayerExact(W1v, W2v, syx)
        traj, _, tol = flow_qqt(syx, W1v, W2v, [0.0, 1.0])
        yield (ni, nh, no, lm), syx, W1v, W2v, X, net, traj, tol


@functools.lru_cache(maxsize=1)
def _cases():
    return tuple(ntk_formula_cases())


def _ntk_of_statement(ntk_def, values, dims):
    return sum(c_ * np.kron(f64(A, values, dims), f64(B, values, dims)) for c_, A, B in _kron_terms(ntk_def.rhs))


@ntk_formula.numeric_check
def ntk_against_explicit_jacobian(statement):
    """The statement's NTK (factors evaluated, numpy kron) against J J^T of simulated weights; the engine against it."""
    parts = split_statement(statement)
    ntk_def, jv_def = parts.definitions
    out = []
    for (ni, nh, no, _lm), _syx, _W1, _W2, X, net, traj, tol in _cases():
        dims = {N_i: ni, N_h: nh, N_o: no, P_: X.shape[1]}
        for i, tt in enumerate(traj.t):
            A, B = traj.at(i)
            vals = {W1: A, W2: B, X_s: X}
            J = jacobian(A, B, X)
            K = _ntk_of_statement(ntk_def, vals, dims)
            scale = np.abs(X).max() ** 2 * max(traj.scale, 1.0) ** 2
            bound = linalg_tolerance(1.0, 16 * (ni + no)) * scale * ni * 4
            out.append(Measurement(float(np.abs(K - J @ J.T).max()), bound, f"{ni}-{nh}-{no}, t={tt}: J J^T", "n eps"))
            rng = np.random.default_rng(i)
            V = (rng.standard_normal((nh, ni)), rng.standard_normal((no, nh)))
            jv = f64(jv_def.rhs, {**vals, V1: V[0], V2: V[1]}, dims)
            err = float(np.abs(jv.ravel() - J @ np.concatenate([V[0].ravel(), V[1].ravel()])).max())
            out.append(Measurement(err, bound, f"{ni}-{nh}-{no}: J[V1, V2] vs the Jacobian", "n eps"))
            out.append(
                Measurement(
                    float(np.abs(net.ntk(tt, X) - K).max()),
                    (tol + linalg_tolerance(net.condition**2, 16 * (ni + no))) * scale * ni * 4,
                    f"{ni}-{nh}-{no}, t={tt}: engine NTK vs the statement's at the simulated weights",
                    "(flow bound + kappa^2 n eps) |X|^2 |W|^2 P N_i",
                )
            )
        # the Kronecker-vec rule the symbolic check uses: (A (x) B) vec_r(G) = vec_r(A G B^T)
        rng = np.random.default_rng(7)
        Am, Bm, Gm = (
            rng.standard_normal((no, no)),
            rng.standard_normal((X.shape[1],) * 2),
            rng.standard_normal((no, X.shape[1])),
        )
        err = float(np.abs(np.kron(Am, Bm) @ Gm.ravel() - (Am @ Gm @ Bm.T).ravel()).max())
        out.append(Measurement(err, linalg_tolerance(1.0, 16 * no * X.shape[1]) * 10, "Kronecker-vec rule", "n eps"))
    return out


def _ntk_bound(delta: float, X: np.ndarray) -> float:
    """Max-norm error of an NTK built from a QQ^T with max-norm error ``delta`` (plus its own round-off)."""
    ni, P = X.shape
    x2 = float(np.abs(X).max()) ** 2
    return 2 * ni * ni * x2 * delta + 4 * ni * P * FLOAT64_EPS * x2


@certified_check(ntk_formula)
def ntk_formula_certified():
    out = []
    for (ni, nh, no, lm), _syx, _W1, _W2, X, net, traj, tol in _cases():
        qenc = certified_qqt(net, traj.t, bits=BITS)
        qscale = float(np.abs(qenc.mid).max())
        K = certified_ntk(qenc, ni, X)
        label = f"{ni}-{nh}-{no}, lambda={lm}"
        out.append(radius_measurement(K, float(np.abs(K.mid).max()), f"{label}: NTK"))
        out.append(
            inside(
                K,
                net.ntk(traj.t, X),
                _ntk_bound(stable_qqt_error_bound(net, qscale) * qscale / max(qscale, 1.0), X) * max(qscale, 1.0),
                f"{label}: engine NTK (float64)",
                "2 N_i^2 |X|^2 (stable qqt bound) + N_i P eps |X|^2",
            )
        )
        for i, tt in enumerate(traj.t):
            J = jacobian(*traj.at(i), X)
            scale = np.abs(X).max() ** 2 * max(traj.scale, 1.0) ** 2
            out.append(
                inside(
                    K.take(i),
                    J @ J.T,
                    (tol + linalg_tolerance(net.condition**2, 16 * (ni + no))) * scale * ni * 4,
                    f"{label}, t={tt}: J J^T of simulated weights",
                    "(flow bound + kappa^2 n eps) |X|^2 |W|^2 P N_i (claim's)",
                )
            )
    return out


# ---------------------------------------------------------------- laziness as |lambda| -> oo
L_abs = sp.Symbol(r"|\lambda|", positive=True)
s0_, st_ = sp.Symbol("s_0", positive=True), sp.Symbol(r"\tilde{s}", positive=True)
S_dist = sp.Symbol(r"S(0, \infty)")


def _mu(s):
    return sp.sqrt(s**2 + L_abs**2 / 4)


ntk_laziness = claim(
    "lazy_to_rich.ntk_laziness",
    r"$\mathrm{NTK}(t) - \mathrm{NTK}(0) = O(1/|\lambda|)$ while $\|\mathrm{NTK}\| = \Theta(|\lambda|)$; the kernel distance decreases monotonically in $|\lambda|$, like $|\lambda|^{-4}$",
    Source(
        PAPER,
        "Sec. 5, App. C.4-C.5",
        r"Anguita (2024), Thm 4.1.3; Thms C.4/C.5 as cited by reviews. Per mode both blocks of $QQ^T$ move from "
        r"$\mu(s_0) \mp |\lambda|/2$ to $\mu(\tilde s) \mp |\lambda|/2$ ($\mu(s) = \sqrt{s^2 + \lambda^2/4}$): the "
        r"change and size are proven as sharp expansions; the $|\lambda|^{-4}$ law of the kernel distance is observed",
    ),
    statement=lambda: [
        equation(_mu(st_) - _mu(s0_), (st_**2 - s0_**2) / L_abs + sp.O(L_abs**-3, (L_abs, sp.oo))),
        equation(_mu(s0_) + L_abs / 2, L_abs + s0_**2 / L_abs + sp.O(L_abs**-3, (L_abs, sp.oo))),
        equation(S_dist, sp.O(L_abs**-4, (L_abs, sp.oo))),
    ],
    heuristic=True,
)


@ntk_laziness.symbolic_check
def block_change_and_size(statement):
    """The first two relations as sharp expansions (the third, the observed law, is the numeric check's)."""
    bad = [f for rel in statement[:2] for f in series_order_failures(rel, L_abs)]
    res = [sp.Symbol(b) for b in bad] or [sp.Integer(0)]
    return screened_proof(res)


def kernel_distance_of(K0, K1) -> float:
    """1 - cos(K0, K1) in the stable form |K0/|K0| - K1/|K1||^2 / 2."""
    d = K0 / np.linalg.norm(K0) - K1 / np.linalg.norm(K1)
    return float(np.sum(d * d) / 2)


_LAMS = (0.001, 1.0, 3.0, 10.0, 25.0, 50.0, 100.0)


def _laziness_case(lm):
    rng = seeded_rng(190)
    n = 3
    syx = random_task(rng, n, n)
    U, V, R = (random_orthogonal(n, rng) for _ in range(3))
    c0, d0 = split_singular_values(np.full(n, 0.05), lm)  # small absolute scale
    W1v, W2v = (R * c0) @ V.T, (U * d0) @ R.T
    if np.linalg.det(W2v @ W1v) * np.linalg.det(syx) < 0:
        W2v = np.diag([-1.0, 1.0, 1.0]) @ W2v  # flipping an output row keeps W2^T W2, fixes sgn det
    return syx, W1v, W2v, np.eye(n)


@functools.lru_cache(maxsize=1)
def _laziness_data():
    dist, change, size, engine = [], [], [], []
    for lm in _LAMS:
        syx, W1v, W2v, X = _laziness_case(lm)
        n = X.shape[0]
        K0 = ntk_np(W1v, W2v, X)
        lim = limit_qqt(syx, lm)
        Kinf = np.kron(np.eye(n), X.T @ lim[:n, :n] @ X) + np.kron(lim[n:, n:], X.T @ X)
        dist.append(kernel_distance_of(K0, Kinf))
        change.append(float(np.linalg.norm(Kinf - K0)))
        size.append(float(np.linalg.norm(K0)))
        if lm in (1.0, 10.0):  # the engine's kernel distance at a converged time
            net = lazyrich.TwoLayerExact(W1v, W2v, syx)
            q = net.qqt(200.0)
            K200 = np.kron(np.eye(n), X.T @ q[:n, :n] @ X) + np.kron(q[n:, n:], X.T @ X)
            # d = |K0^ - K^|^2/2 with K^ = K/|K|: |K200^ - Kinf^| <= 2|K200 - Kinf|/|Kinf| =: db moves d by at most
            # db (sqrt(2 d) + db/2); + the float64 rounding of the two sums of squares of unit vectors (4 flops an entry)
            db = 2 * float(np.linalg.norm(K200 - Kinf) / np.linalg.norm(Kinf))
            tol = db * (np.sqrt(2 * dist[-1]) + db / 2) + linalg_tolerance(1.0, 4 * K0.size)
            engine.append((lm, net.kernel_distance(0.0, 200.0, X), dist[-1], float(tol)))
    return dist, change, size, engine


@ntk_laziness.numeric_check
def laziness_orders(statement):
    """A 3x3 task, small initial scale: the orders of the change, the size and the kernel distance in lambda."""
    dist, change, size, engine = _laziness_data()
    out = [
        Measurement(
            abs(d_eng - d),
            tol,
            f"lambda={lm}: engine kernel_distance(0, 200) vs the limit's",
            "db (sqrt(2d) + db/2), db = 2|K(200) - K(inf)|/|K(inf)| (engine's QQ^T(200)), + n eps",
        )
        for lm, d_eng, d, tol in engine
    ]
    mono = sum(b >= a for a, b in itertools.pairwise(dist))
    out.append(Measurement(float(mono), 0.0, "kernel distance decreasing in lambda", "count of increases must be 0"))
    big = slice(4, None)
    lams = list(_LAMS[big])

    # each relation's leading power of |lambda| against the fitted law
    for rel, data, name in ((statement[0], change, "|NTK(inf) - NTK(0)|"), (statement[1], size, "|NTK(0)|")):
        want = sp.degree(sp.expand(sp.LT(sp.expand(rel.rhs.removeO() * L_abs), L_abs)), L_abs) - 1
        got = fit_order(lams, data[big])
        out.append(
            Measurement(abs(got - float(want)), 0.1, f"{name} ~ lambda^{got:.2f} (stated {want})", "integer orders")
        )
    o = statement[2].rhs.getO()
    want = float(sp.degree(1 / o.expr, L_abs)) if o is not None else float("nan")
    got = fit_order(lams, dist[big])
    out.append(Measurement(abs(got + want), 0.3, f"kernel distance ~ lambda^{got:.2f} (stated -{want:g})", "heuristic"))
    return out


@certified_check(ntk_laziness)
def ntk_laziness_certified():
    out, dists = [], []
    for lm in _LAMS:
        syx, W1v, W2v, X = _laziness_case(lm)
        n = X.shape[0]
        net = lazyrich.TwoLayerExact(W1v, W2v, syx)
        K0 = certified_ntk(certified_qqt(net, [0.0], bits=BITS), n, X).take(0)
        Kinf = certified_ntk(certified_qqt_limit(syx, lm, bits=BITS), n, X)
        d = certified_kernel_distance(K0, Kinf)
        dists.append(d.balls[0])
        lim = limit_qqt(syx, lm)
        dv = kernel_distance_of(
            ntk_np(W1v, W2v, X), np.kron(np.eye(n), X.T @ lim[:n, :n] @ X) + np.kron(lim[n:, n:], X.T @ X)
        )
        du = 3 * n * 16 * (2 * n) * FLOAT64_EPS  # |Delta u|_F <= sqrt(#entries) 16 n eps
        out.append(
            inside(
                d,
                dv,
                math.sqrt(2 * float(d.mid[0])) * du + du * du,
                f"lambda={lm}: kernel distance S(0, inf) (float64)",
                "sqrt(2S) |du| + |du|^2, |du| = 3n 16 (2n) eps",
            )
        )
        if lm in (1.0, 10.0):
            K = certified_ntk(certified_qqt(net, [0.0, 200.0], bits=BITS), n, X)
            d200 = certified_kernel_distance(K.take(0), K.take(1))
            out.append(
                inside(
                    d200,
                    net.kernel_distance(0.0, 200.0, X),
                    1e-9 * max(float(d200.mid[0]), 1e-3),
                    f"lambda={lm}: engine kernel_distance(0, 200)",
                    "1e-9 max(S, 1e-3) (claim's)",
                )
            )
    increases = sum(not (b < a) for a, b in itertools.pairwise(dists))  # arb <: certainly smaller
    out.append(
        Measurement(
            float(increases),
            0.0,
            f"certified kernel distance S(0, inf) decreasing in lambda: {[f'{float(x.mid()):.2g}' for x in dists]}",
            "count of pairs not certainly decreasing must be 0",
        )
    )
    return out
