r"""The limits of eq. (1) of Tu, Aranguri, Jacot (2024) and its NTK (derived here).

* :data:`balanced_limit`: ``c = 0`` and balanced weights (``Lambda = 0``): ``X^2 = A^T A``, ``Y^2 = A A^T``, so eq. (1)
  at ``c = 0`` is exact (the standard balanced dynamics, Arora et al. (2018)); proven as :data:`.self_consistent.eq1`;
* :data:`lazy_limit`: ``(A A^T + c^2)^{1/2} = c I + A A^T/(2c) + O(|A|^4/c^3)`` (the truncation squared differs from the
  base by words of degree 4 only), and the lazy MSE solution ``A = T + e^{-2ct}(A_0 - T)``;
* :data:`series_limits`: the scalar series of ``sqrt(s^2 + c^2)`` at ``c -> oo`` and ``c -> 0``, with sharp orders;
* :data:`ntk_spectrum`: the NTK ``G -> P G + G Q`` of eq. (1) has the eigenvectors ``u_i v_j^T``, eigenvalues ``p_i + q_j``.
"""

from __future__ import annotations

import mpmath as mp
import numpy as np
import sympy as sp
from sympy import MatrixSymbol, ZeroMatrix

import lazyrich
from lazyrich import (
    FLOAT64_EPS,
    Measurement,
    Proof,
    Source,
    claim,
    ddt,
    definition,
    equation,
    hypothesis,
    linalg_tolerance,
    matrix_with_singular_values,
    random_orthogonal,
)
from lazyrich.certified import exact_arb
from lazyrich.symbolic import canonicalize, enclose, evaluate, time_derivative

from ..certify import BITS, certified_check, certified_eigenvalues, inside, radius_measurement
from ..rounding import UNIT_ROUNDOFF, gamma
from .reference import psd_sqrt, value
from .self_consistent import HALF, eq1_rhs, flow_follows_statement, roots, self_consistent_proof
from .symbols import (
    LAM,
    W1,
    W2,
    A,
    I_o,
    P,
    Q,
    c,
    d_in,
    d_out,
    gram_definitions,
    read,
    t,
    weight_flow,
    width,
)

__all__ = ["balanced_limit", "lazy_limit", "ntk_spectrum", "series_limits"]

PAPER = "mixed_dynamics"


def _dims(d_o: int, h: int, d_i: int) -> dict:
    return {d_out: d_o, width: h, d_in: d_i}


# ---------------------------------------------------------------- the balanced limit c = 0
balanced_limit = claim(
    "mixed_dynamics.balanced_limit",
    r"$c = 0$: $\dot A = -(A A^T)^{1/2} G - G (A^T A)^{1/2}$; exact for balanced weights ($\Lambda = 0$)",
    Source(
        PAPER,
        "Tu et al. (2024), eq. (1) at c = 0 (derived here: balanced regime)",
        "proven at general shape (standard balanced dynamics, Arora et al. (2018)); X = Q, Y = P by uniqueness of "
        "PSD square roots",
    ),
    statement=lambda: [
        *gram_definitions("A", "X", "Y", "Lambda"),
        hypothesis(LAM, ZeroMatrix(width, width)),
        *roots(0),
        *weight_flow(),
        equation(ddt(A), eq1_rhs()),
    ],
    equivalent={
        "s4.transpose.0": "Lambda^T = Lambda (a difference of Gram matrices)",
        "s9.transpose.1.0.2": "Q^T = Q: the PSD root of a symmetric matrix",
        "s9.transpose.1.1.1": "P^T = P: the PSD root of a symmetric matrix",
    },
)


@balanced_limit.symbolic_check
def balanced_roots_and_rate(statement):
    return self_consistent_proof(statement)


@balanced_limit.numeric_check
def balanced_flow_against_eq1(statement):
    r = read(statement)
    rng = np.random.default_rng(120)
    d = 3
    T = matrix_with_singular_values((d, d), [2.0, 1.2, 0.6], rng)
    A0 = matrix_with_singular_values((d, d), [0.3, 0.2, 0.1], rng)
    Uv, Sv, Vt = np.linalg.svd(A0)
    Rv = random_orthogonal(d, rng)
    w1, w2 = Rv @ np.diag(np.sqrt(Sv)) @ Vt, Uv @ np.diag(np.sqrt(Sv)) @ Rv.T  # W1 W1^T = W2^T W2
    dims = _dims(d, d, d)
    out = []
    for h in statement:
        if isinstance(h, lazyrich.symbolic.Hypothesis):
            err = float(np.abs(value(r.x(h.lhs - h.rhs), {W1: w1, W2: w2}, dims)).max())
            out.append(Measurement(err, linalg_tolerance(1.0, 64 * d), f"hypothesis {h}", "64 d eps"))
    out += flow_follows_statement(r, T, w1, w2, 0.0, np.linspace(0.0, 1.0, 4), "balanced, c = 0")
    return out


# ---------------------------------------------------------------- the lazy limit
A0_s = MatrixSymbol("A_0", d_out, d_in)
T_s = MatrixSymbol("T", d_out, d_in)
A_lazy = MatrixSymbol(r"A_{\mathrm{lazy}}", d_out, d_in)
REM = MatrixSymbol(r"O(\|A\|^4/c^3)", d_out, d_out)

lazy_limit = claim(
    "mixed_dynamics.lazy_limit",
    r"Lazy limit: $(A A^T + c^2)^{1/2} = c I + A A^T/(2c) + O(\|A\|^4/c^3)$, so $dA/d(2ct) = -G + O(\|A\|^2/c^2)$; "
    r"MSE solution $A = T + e^{-2ct} (A_0 - T)$",
    Source(
        PAPER,
        "Tu et al. (2024), eq. (1), lazy regime (derived here)",
        r"proven: the truncation squared differs from $A A^T + c^2 I$ by words of degree 4 in $A$ only, so the remainder "
        r"is (those words)(truncation + root)$^{-1} = O(\|A\|^4/c^3)$; numeric: the bound $\|A\|^4/(8c^3)$ on singular values",
    ),
    statement=lambda: [
        definition(A_lazy, T_s + sp.exp(-2 * c * t) * (A0_s - T_s)),
        roots()[0],
        equation(ddt(A_lazy), -2 * c * (A_lazy - T_s)),
        equation(sp.Subs(A_lazy, t, 0), A0_s),
        equation(P, c * I_o + A * A.T / (2 * c) + REM),
    ],
)


def _low_degree_words(expr) -> list:
    """The terms of ``expr`` (canonical words) with fewer than four factors ``A``/``A^T``: must vanish."""
    can = canonicalize(expr)
    return [coef for word, coef in can.terms.items() if len(word) < 4 and coef != 0]


@lazy_limit.symbolic_check
def lazy_solution_and_truncation(statement):
    r = read(statement, rate_atoms=())
    sol, init, trunc = r.claims
    d = time_derivative(r.x(sol.lhs.expr), {t: 1})
    at_zero = r.x(init.lhs.expr).subs(init.lhs.variables[0], init.lhs.point[0])
    approx = trunc.rhs.xreplace({REM: ZeroMatrix(d_out, d_out)})
    (root,) = [dfn for dfn in r.definitions if dfn.lhs == trunc.lhs]
    low = _low_degree_words(approx * approx - root.rhs.args[0]) if root.rhs.args[1] == HALF else [sp.Integer(1)]
    return Proof(
        residuals=[d - r.x(sol.rhs), at_zero - r.x(init.rhs), trunc.rhs - approx - REM, *low],
        steps=[equation(approx * approx, canonicalize(approx * approx).as_expr())],
        rates={},
    )


@lazy_limit.numeric_check
def lazy_truncation_bound(statement):
    """On random ``A`` with ``|A|/c`` small: ``|P - (c I + A A^T/(2c))| <= |A|^4/(8 c^3)`` (on singular values
    ``0 <= s^2/(2c) - (sqrt(s^2+c^2) - c) <= s^4/(8c^3)``), and the stated solution against eq. (1) in the lazy
    regime is not needed: its rate relation is evaluated by the complex step at random points."""
    r = read(statement, rate_atoms=())
    sol, _init, trunc = r.claims
    out = []
    for seed, ratio in enumerate([0.3, 0.1]):
        rng = np.random.default_rng(110 + seed)
        cv = 5.0
        Av = matrix_with_singular_values((3, 4), np.array([1.0, 0.6, 0.2]) * ratio * cv, rng)
        dims = {d_out: 3, d_in: 4}
        vals = {A: Av, c: cv, REM: np.zeros((3, 3))}
        a = np.linalg.norm(Av, 2)
        gap = np.linalg.norm(value(r.x(trunc.lhs) - trunc.rhs, vals, dims), 2)
        out.append(
            Measurement(
                gap,
                a**4 / (8 * cv**3) + linalg_tolerance(2 * cv, 64),
                f"|A|/c={ratio}: |P - (cI + AA^T/(2c))|",
                "|A|^4/(8c^3) + 64 eps c",
            )
        )
    rng = np.random.default_rng(112)
    dims = {d_out: 2, d_in: 3}
    vals = {A0_s: rng.standard_normal((2, 3)), T_s: rng.standard_normal((2, 3)), c: 0.8, t: 0.6}
    lhs = r.x(sol.lhs.expr)
    h = 1e-4
    d_num = (value(lhs, {**vals, t: 0.6 + h}, dims) - value(lhs, {**vals, t: 0.6 - h}, dims)) / (2 * h)
    rhs = value(r.x(sol.rhs), vals, dims)
    size = float(np.abs(vals[A0_s] - vals[T_s]).max()) + float(np.abs(vals[T_s]).max())
    tol = (2 * 0.8) ** 3 * size * h**2 / 6 + 8 * FLOAT64_EPS * size / h
    out.append(
        Measurement(
            float(np.abs(d_num - rhs).max()),
            tol,
            "central difference d/dt of the stated solution",
            "(2c)^3 |A_0 - T| h^2/6 + 8 eps |A|/h",
        )
    )
    return out


@certified_check(lazy_limit)
def lazy_solution_certified(statement):
    """The stated lazy solution ``T + e^{-2ct}(A_0 - T)`` (float64) within its derived bound, up to ``t = 1e6``.

    Entrywise, float64 rounds ``-2ct`` (relative ``gamma_2``, which ``exp`` turns into the factor
    ``e^{gamma_2 |2ct|}``), ``exp`` (4 ulp), ``A_0 - T``, the product and the sum (``u`` each):
    ``|error| <= u (|T| + K e |A_0 - T|) + (K - 1) e |A_0 - T|``, ``K = (1 + 2^-50) e^{gamma_2 |2ct|} (1 + u)^2``,
    plus ``(|A_0 - T| + 2) 2^-1074`` for underflow (``e^{-2ct}`` underflows to 0 at ``t = 1e6``), evaluated in Arb
    with ``e = e^{-2ct}`` exact (Higham (2002), Sec. 2.2 model of floating-point arithmetic).
    """
    sol = next(rel for rel in statement if rel.lhs == A_lazy)
    rng = np.random.default_rng(113)
    u = exact_arb(UNIT_ROUNDOFF)
    out = []
    for cv, tv in ((0.8, 0.6), (0.8, 30.0), (5.0, 1e6), (1e-3, 1e6)):
        A0v, Tv = rng.standard_normal((2, 3)), rng.standard_normal((2, 3))
        vals, dims = {A0_s: A0v, T_s: Tv, c: cv, t: tv}, {d_out: 2, d_in: 3}
        enc = enclose(sol.rhs, vals, dims=dims, bits=BITS)
        got = np.asarray(evaluate(sol.rhs, vals, dims=dims, arithmetic="float64"), dtype=float)
        x = 2 * exact_arb(cv) * exact_arb(tv)
        e = (-x).exp()
        K = (1 + exact_arb(2.0**-50)) * (exact_arb(gamma(2)) * x).exp() * (1 + u) ** 2
        bound = 0.0
        for a0, tt in zip(A0v.ravel(), Tv.ravel()):
            D = abs(exact_arb(a0) - exact_arb(tt))
            b = u * (abs(exact_arb(tt)) + K * e * D) + (K - 1) * e * D + (D + 2) * exact_arb(2.0**-1074)
            bound = max(bound, float(b.upper()))
        bound = float(np.nextafter(bound, np.inf))
        what = f"c={cv!r}, t={tv!r}: stated lazy solution"
        out.append(
            inside(enc, got, bound, f"{what} (float64)", "derived: u |T| + (K - 1) e |A_0 - T| (+ u K e |A_0 - T|)")
        )
        out.append(radius_measurement(enc, float(np.abs(enc.mid).max()), what))
    return out


# ---------------------------------------------------------------- the scalar series
s_pos = sp.Symbol("s", positive=True)

series_limits = claim(
    "mixed_dynamics.series_limits",
    r"$\sqrt{s^2 + c^2} = c + s^2/(2c) - s^4/(8c^3) + O(c^{-5})$ as $c \to \infty$, "
    r"$= s + c^2/(2s) - c^4/(8s^3) + O(c^6)$ as $c \to 0$ ($s > 0$)",
    Source(
        PAPER,
        "Tu et al. (2024), eq. (1), lazy and balanced reductions (derived here)",
        "proven; the orders are sharp (remainder / order has a finite nonzero limit): $O(c^{-5})$ and $O(c^6)$, "
        "sharper than $O(c^{-4})$, $O(c^5)$",
    ),
    statement=lambda: [
        equation(sp.sqrt(s_pos**2 + c**2), c + s_pos**2 / (2 * c) - s_pos**4 / (8 * c**3) + sp.O(c**-5, (c, sp.oo))),
        equation(sp.sqrt(s_pos**2 + c**2), s_pos + c**2 / (2 * s_pos) - c**4 / (8 * s_pos**3) + sp.O(c**6)),
    ],
)


@series_limits.symbolic_check
def sharp_remainders(statement):
    """For each relation ``f = p + O(g)`` at ``c -> c_0``: ``L = lim (f - p)/g`` is finite and nonzero; the
    residual ``[L finite and nonzero] - 1`` is shown with the limit as a checked step."""
    residuals, steps = [], []
    for rel in statement:
        order = rel.rhs.getO()
        if order is None:
            residuals.append(sp.Integer(1))
            continue
        remainder = rel.lhs - rel.rhs.removeO()
        point = order.point[0]
        L = sp.limit(remainder / order.expr, c, point, "-" if point == sp.oo else "+")
        residuals.append(sp.Integer(int(bool(L.is_finite) and L != 0)) - 1)
        steps.append(equation(sp.Limit(remainder / order.expr, c, point), L))
    return Proof(residuals=residuals, steps=steps)


@series_limits.numeric_check
def remainders_at_the_stated_order(statement):
    """mpmath at 40 digits: ``|f - p| / |g|`` stays within a factor 2 of its value one decade closer to the
    limit point (a stated order that is off by one power changes it by 10)."""
    out = []
    with mp.workdps(40):
        for rel in statement:
            order = rel.rhs.getO()
            f = sp.lambdify((s_pos, c), rel.lhs - rel.rhs.removeO(), "mpmath")
            g = sp.lambdify((s_pos, c), order.expr, "mpmath")
            far = order.point[0] == sp.oo
            c1, c2 = (mp.mpf(100), mp.mpf(1000)) if far else (mp.mpf("0.01"), mp.mpf("0.001"))
            q1, q2 = f(mp.mpf("1.3"), c1) / g(mp.mpf("1.3"), c1), f(mp.mpf("1.3"), c2) / g(mp.mpf("1.3"), c2)
            out.append(
                Measurement(
                    float(abs(mp.log(abs(q2 / q1)))),
                    float(mp.log(2)),
                    f"log of the remainder/order ratio between c = {c1} and {c2}",
                    "the next term changes it by O(1/c^2) or O(c^2): far below log 2; a wrong power by log 10",
                )
            )
    return out


# ---------------------------------------------------------------- the NTK of eq. (1)
U_ = MatrixSymbol("u", d_out, 1)
V_ = MatrixSymbol("v", d_in, 1)
p_i, q_j = sp.symbols("p_i q_j", positive=True)

ntk_spectrum = claim(
    "mixed_dynamics.ntk_spectrum",
    r"The unified NTK $G \mapsto P G + G Q$ has eigenvalues $p_i + q_j$; $\lambda_{\max} = 2 \sqrt{s_{\max}^2 + c^2}$, "
    r"$\lambda_{\min} \ge 2c$",
    Source(
        PAPER,
        "Tu et al. (2024), eq. (1), its NTK operator (derived here)",
        r"proven at general shape for the eigenvectors $u_i v_j^T$ ($P u_i = p_i u_i$, $Q v_j = q_j v_j$); they span, "
        r"and $p_i, q_j \in \{\sqrt{s_k^2 + c^2}, c\}$ give the extremes (numeric)",
    ),
    statement=lambda: [
        hypothesis(P * U_, p_i * U_),
        hypothesis(V_.T * Q, q_j * V_.T),
        equation(P * (U_ * V_.T) + (U_ * V_.T) * Q, (p_i + q_j) * U_ * V_.T),
    ],
)


@ntk_spectrum.symbolic_check
def eigenvector_under_the_hypotheses(statement):
    r = read(statement, rate_atoms=())
    (rel,) = r.claims
    return Proof(residuals=[rel.lhs - rel.rhs], rules=r.rules, steps=[])


def _ntk_case(m, n, cv, seed):
    rng = np.random.default_rng(seed)
    sv = rng.uniform(0.3, 3.0, min(m, n))
    Av = matrix_with_singular_values((m, n), sv, rng)
    Pv = psd_sqrt(Av @ Av.T + cv**2 * np.eye(m))
    Qv = psd_sqrt(Av.T @ Av + cv**2 * np.eye(n))
    return sv, Pv, Qv


@ntk_spectrum.numeric_check
def eigenpairs_of_the_kronecker_sum(statement):
    """Every eigenpair ``(p_i, u_i)`` of ``P(A)`` and ``(q_j, v_j)`` of ``Q(A)`` in the statement; the sorted
    ``p_i + q_j`` (read from the statement) against ``eigvalsh(I kron P + Q^T kron I)``; the extremes."""
    r = read(statement, rate_atoms=())
    (rel,) = r.claims
    out = []
    for seed, (m, n, cv) in enumerate([(3, 4, 0.5), (4, 2, 2.0)]):
        sv, Pv, Qv = _ntk_case(m, n, cv, 90 + seed)
        pw, Uw = np.linalg.eigh(Pv)
        qw, Vw = np.linalg.eigh(Qv)
        dims = {d_out: m, d_in: n}
        tol = linalg_tolerance(2 * np.sqrt(9 + cv**2), 16 * m * n)
        worst, eig_pred = 0.0, []
        for i in range(m):
            for j in range(n):
                vals = {P: Pv, Q: Qv, U_: Uw[:, i : i + 1], V_: Vw[:, j : j + 1], p_i: pw[i], q_j: qw[j]}
                lhs, rhs = value(rel.lhs, vals, dims), value(rel.rhs, vals, dims)
                worst = max(worst, float(np.abs(lhs - rhs).max()))
                eig_pred.append(float(np.sum(rhs * (Uw[:, i : i + 1] @ Vw[:, j : j + 1].T))))
        out.append(Measurement(worst, tol, f"{m}x{n}, c={cv}: the relation on every eigenpair", "16 mn eps lambda_max"))
        K = np.kron(np.eye(n), Pv) + np.kron(Qv.T, np.eye(m))
        ev = np.sort(np.linalg.eigvalsh(K))
        out.append(
            Measurement(
                float(np.abs(ev - np.sort(eig_pred)).max()), tol, f"{m}x{n}: Kronecker-sum eigenvalues vs the stated"
            )
        )
        out.append(Measurement(max(0.0, 2 * cv - float(ev[0])), tol, f"{m}x{n}: 2c - lambda_min <= round-off"))
        out.append(
            Measurement(
                abs(float(ev[-1]) - 2 * np.sqrt(sv.max() ** 2 + cv**2)), tol, "lambda_max vs 2 sqrt(s_max^2+c^2)"
            )
        )
    return out


@certified_check(ntk_spectrum)
def certified_ntk_eigenvalues():
    out = []
    for seed, (m, n, cv) in enumerate([(3, 4, 0.5), (4, 2, 2.0)]):
        sv, Pv, Qv = _ntk_case(m, n, cv, 90 + seed)
        K = np.kron(np.eye(n), Pv) + np.kron(Qv.T, np.eye(m))
        Ks = (K + K.T) / 2  # symmetrised exactly: K is symmetric up to round-off
        enc = certified_eigenvalues(Ks)
        tol = linalg_tolerance(2 * np.sqrt(9 + cv**2), 16 * m * n)
        label = f"{m}x{n}, c={cv}"
        asym = float(np.abs(K - Ks).max())  # eigenvalues move by at most |K - Ks|_2 <= mn max|entry|
        out.append(radius_measurement(enc, float(np.abs(enc.mid).max()), f"{label}: eigenvalues of K"))
        out.append(
            inside(enc, np.sort(np.linalg.eigvalsh(K)), tol + m * n * asym, f"{label}: eigvalsh(K)", "16 mn eps + asym")
        )
        p = np.concatenate([np.sqrt(sv**2 + cv**2), np.full(m - len(sv), cv)])
        q = np.concatenate([np.sqrt(sv**2 + cv**2), np.full(n - len(sv), cv)])
        pred = np.sort((p[:, None] + q[None, :]).ravel())
        out.append(inside(enc, pred, tol + m * n * asym, f"{label}: p_i + q_j (float64)", "16 mn eps + asym"))
    return out
