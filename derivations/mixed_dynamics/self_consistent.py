r"""Eq. (1) of Tu, Aranguri, Jacot (2024), where it is exact, its NTK, and its lazy and balanced limits.

Eq. (1), the self-consistent dynamics, is :math:`\dot A = -P G - G Q` with
:math:`P = (A A^T + c^2 I)^{1/2}`, :math:`Q = (A^T A + c^2 I)^{1/2}`, :math:`c = \sigma^2 w` (the form of the
official code ``aranguri/phase-diagram``). Derived here (the project's own derivation extending eq. (1)):

* :data:`eq1`: when both offsets are ``c^2 I`` (``W_1^T Lambda W_1 = -W_2 Lambda W_2^T = c^2 I``), ``X^2 = A^T A + c^2 I``
  and ``Y^2 = A A^T + c^2 I``; ``X = W_1^T W_1`` and ``Y = W_2 W_2^T`` are PSD, so by uniqueness of the PSD square
  root ``X = Q``, ``Y = P``, and ``dA/dt = -(Y G + G X)`` (Secs. 2-3) is eq. (1). ``c = sigma^2 w`` is the scale of
  the offsets at Gaussian init: ``E[W_1^T Lambda W_1] / c^2 -> I`` as ``w -> oo``.
* :data:`exact_manifold`: on that manifold ``D = A X - Y A = A Q - P A = 0`` (intertwining), so the offsets' rates
  vanish: the manifold is invariant and eq. (1) holds at all times.
* :data:`lambda_balanced`: ``Lambda = lambda I`` (``w = d_in``) gives ``(X - lambda/2)^2 = A^T A + lambda^2/4`` and
  ``(Y + lambda/2)^2 = A A^T + lambda^2/4``; the shifted roots are PSD, the shifts cancel in ``-(Y G + G X)``,
  and eq. (1) holds with ``c = lambda/2``.
* its limits and NTK are in :mod:`.limits`.

The symbolic checks (:func:`self_consistent_proof`) read the statement: its hypotheses become rewrite rules, each
defined square root ``S := M^{1/2}`` is matched with its weight-side PSD candidate ``K`` (the base of a relation
``K^2 = M`` of the statement, else the Gram matrix ``X`` or ``Y`` of its shape), ``K^2 - M`` is reduced to zero (the
premise of the uniqueness of PSD roots, the one fact used beyond the calculus), and the remaining relations are
reduced with ``S -> K``.
"""

from __future__ import annotations

import functools

import numpy as np
import sympy as sp
from sympy import MatPow, MatrixSymbol, ZeroMatrix

import lazyrich
from lazyrich import (
    DeepLinearModel,
    Measurement,
    Proof,
    Source,
    claim,
    ddt,
    definition,
    equation,
    fit_order,
    hypothesis,
    linalg_tolerance,
    matrix_with_singular_values,
)
from lazyrich.symbolic import canonicalize, time_derivative

from .reference import RTOL, eq1_flow, eq1_velocity, manifold_init, value, weight_flow_vs_eq1
from .symbols import (
    LAM,
    W1,
    W2,
    A,
    G,
    I_h,
    I_i,
    I_o,
    P,
    Q,
    X,
    Y,
    c,
    d_in,
    d_out,
    gram_definitions,
    lam,
    read,
    sigma,
    weight_flow,
    width,
)

__all__ = [
    "eq1",
    "eq1_rhs",
    "exact_manifold",
    "flow_follows_statement",
    "lambda_balanced",
    "psd_roots",
    "roots",
    "self_consistent_proof",
]

PAPER = "mixed_dynamics"
HALF = sp.Rational(1, 2)


def _root(M):
    return MatPow(M, HALF)


def roots(cv=c) -> list:
    """``P := (A A^T + c^2 I)^{1/2}`` and ``Q := (A^T A + c^2 I)^{1/2}`` (``c = 0``: the balanced roots)."""
    grams = (A * A.T, A.T * A)
    if cv != 0:
        grams = (grams[0] + cv**2 * I_o, grams[1] + cv**2 * I_i)
    return [definition(P, _root(grams[0])), definition(Q, _root(grams[1]))]


def eq1_rhs():
    """The right-hand side of eq. (1), ``-P G - G Q``."""
    return -P * G - G * Q


def _offset_hypotheses(cv=c) -> list:
    return [hypothesis(W1.T * LAM * W1, cv**2 * I_i), hypothesis(-W2 * LAM * W2.T, cv**2 * I_o)]


def _is_square(e):
    """The base ``K`` of ``K^2`` or ``K K``, else None."""
    if isinstance(e, MatPow) and e.args[1] == 2:
        return e.args[0]
    if isinstance(e, sp.MatMul) and len(e.args) == 2 and e.args[0] == e.args[1]:
        return e.args[0]
    return None


def psd_roots(r) -> tuple[list, dict, list]:
    """``(premises, {S: K}, steps)`` for the defined square roots ``S := M^{1/2}`` of a read statement.

    ``K`` is the base of a relation ``K^2 = M`` of the statement, else the Gram matrix (``X`` or ``Y``) of
    ``S``'s shape. Each premise ``K^2 - M`` (definitions substituted) must reduce to zero under the hypotheses;
    then ``S = K`` by the uniqueness of the PSD square root (``K`` is PSD: the claims' Source notes say why).
    """
    squares = {rel.rhs: _is_square(rel.lhs) for rel in r.claims if _is_square(rel.lhs) is not None}
    grams = {X.shape: X, Y.shape: Y}
    premises, subs, steps = [], {}, []
    for d in r.definitions:
        if not isinstance(d.rhs, MatPow) or d.rhs.args[1].is_Integer:
            continue
        M, e = d.rhs.args
        if e != HALF:
            premises.append(e - HALF)  # only square roots are covered: a different power is not proven
            continue
        K = squares.get(M, grams.get(d.lhs.shape))
        premises.append(r.x(K * K - M))
        subs[d.lhs] = K
        steps.append(equation(r.x(K * K), r.x(M)))
    return premises, subs, steps


def self_consistent_proof(statement, extra=()) -> Proof:
    """Each relation of the statement reduced to zero, its square roots replaced by their PSD candidates."""
    r = read(statement)
    premises, subs, _ = psd_roots(r)
    residuals, steps = list(premises), []
    for rel in r.claims:
        if rel.lhs == c or rel in extra:
            continue
        rhs = r.x(rel.rhs.xreplace(subs))
        if isinstance(rel.lhs, sp.Derivative):
            inner = r.x(rel.lhs.expr)
            d = time_derivative(inner, r.rates)
            residuals.append(d - rhs)
            steps.append(equation(ddt(inner), canonicalize(d, rules=r.rules).as_expr()))
        else:
            residuals.append(r.x(rel.lhs.xreplace(subs)) - rhs)
    # the premises displayed: K^2 = M for each root, under the hypotheses
    steps += [
        equation(r.x(k * k), r.x(dfn.rhs.args[0])) for dfn in r.definitions for s_, k in subs.items() if dfn.lhs == s_
    ]
    return Proof(residuals=residuals, steps=steps, rules=r.rules, rates=r.rates)


def _dims(d_o: int, h: int, d_i: int) -> dict:
    return {d_out: d_o, width: h, d_in: d_i}


def _statement_velocity(r, cv: float, dims: dict):
    """``A -> rhs(A)`` of the statement's ``dA/dt`` relation (MSE gradient ``G = A - T``), for DOP853."""
    (rel,) = [x for x in r.claims if isinstance(x.lhs, sp.Derivative) and x.lhs.expr == A]
    from .symbols import expand

    rhs = expand(rel.rhs, {k: v for k, v in r.subs.items() if k != A})  # P, Q as functions of A

    def velocity(T):
        return lambda Av: value(rhs, {A: Av, G: Av - T, c: cv, lam: 2 * cv}, dims)

    return velocity


def flow_follows_statement(r, T, w1, w2, cv: float, times, label: str, hypothesis_error: float = 0.0) -> list:
    """The weights' gradient flow against the statement's eq. (1): at each sampled time, the model's ``dA/dt``
    (``V_2 W_1 + W_2 V_1``, :meth:`lazyrich.DeepLinearModel.velocity`) against the statement's right-hand side at
    ``A(t)``; and the whole flow against eq. (1) integrated independently (:func:`weight_flow_vs_eq1`).

    Pointwise tolerance: ``64 n eps |G| (|M| / sqrt(lambda_min(M)) + |W_1|^2 + |W_2|^2)``: the roots of
    ``M = A A^T + c^2 I`` (the square root's condition at the smallest eigenvalue) and the model's products.
    """
    dims = _dims(T.shape[0], w1.shape[0], T.shape[1])
    velocity = _statement_velocity(r, cv, dims)(T)
    model = DeepLinearModel(T)
    traj = lazyrich.gradient_flow(model, (w1, w2), times, rtol=RTOL)
    # the hypotheses hold to delta at t = 0 and Lambda drifts by the solver's invariant bound after that
    delta = hypothesis_error + lazyrich.quadratic_invariant_tolerance(traj.n_steps, traj.rtol, traj.atol, traj.scale)
    out = []
    for k in range(len(times)):
        a1, a2 = traj.at(k)
        v1, v2 = model.velocity((a1, a2))
        Av = a2 @ a1
        M = Av @ Av.T + cv**2 * np.eye(Av.shape[0])
        ev = np.linalg.eigvalsh(M)
        g = max(1.0, float(np.abs(Av - T).max()))
        wsq = np.linalg.norm(a1, 2) ** 2 + np.linalg.norm(a2, 2) ** 2
        kappa = g * (max(1.0, ev[-1]) / np.sqrt(max(ev[0], 1e-300)) + wsq)
        tol = linalg_tolerance(kappa, 64 * max(dims.values())) + g * delta * wsq / np.sqrt(max(ev[0], 1e-300))
        err = float(np.abs(v2 @ a1 + a2 @ v1 - velocity(Av)).max())
        out.append(
            Measurement(
                err,
                tol,
                f"{label}, t={times[k]:.2f}: model dA/dt vs the statement",
                "64 n eps |G| (|M|/sqrt(lmin) + |W|^2)",
            )
        )
    out.append(weight_flow_vs_eq1(T, w1, w2, cv, times, f"{label}: weight flow vs eq. (1) (DOP853 reference)"))
    return out


# ---------------------------------------------------------------- eq. (1)
eq1 = claim(
    "mixed_dynamics.eq1",
    r"Eq. (1): $\dot A = -(A A^T + c^2 I)^{1/2} G - G (A^T A + c^2 I)^{1/2}$ holds exactly when both offsets are "
    r"$c^2 I$; $c = \sigma^2 w$ is the offsets' scale at Gaussian init; eq. (1) is the continuous limit of the code's update",
    Source(
        PAPER,
        "Tu et al. (2024), eq. (1)",
        "form from the official code; proven at general shape from the offsets hypothesis: the calculus reduces "
        r"$X^2 = A^T A + c^2 I$, $Y^2 = A A^T + c^2 I$ and $\dot A$; $X = Q$, $Y = P$ is the uniqueness of PSD square roots; "
        r"$c = \sigma^2 w$: $\mathbb{E}[W_1^T \Lambda W_1]/c^2 \to I$ (claim init offsets)",
    ),
    statement=lambda: [
        *gram_definitions("A", "X", "Y", "Lambda"),
        *_offset_hypotheses(),
        *roots(),
        *weight_flow(),
        equation(ddt(A), eq1_rhs()),
        equation(c, sigma**2 * width),
    ],
    equivalent={
        "s4.transpose.0.1": "Lambda^T = Lambda (a difference of Gram matrices)",
        "s5.transpose.0.2": "Lambda^T = Lambda (a difference of Gram matrices)",
        "s10.transpose.1.0.2": "Q^T = Q: the PSD root of a symmetric matrix",
        "s10.transpose.1.1.1": "P^T = P: the PSD root of a symmetric matrix",
    },
)


def _offset_scale_residuals(rel) -> list:
    """``E[W_1^T Lambda W_1] / c^2 -> 1`` and ``E[-W_2 Lambda W_2^T] / c^2 -> 1`` as ``w -> oo``, with the
    expectations of :data:`mixed_dynamics.init_offsets` (``sigma^4 w (w + d_in + 1 - d_out)`` and its mirror)."""
    out = []
    for a, b in ((d_in, d_out), (d_out, d_in)):
        expectation = sigma**4 * width * (width + a + 1 - b)
        out.append(sp.limit(expectation / rel.rhs**2, width, sp.oo) - 1)
    return out


@eq1.symbolic_check
def eq1_from_the_offsets(statement):
    (scale,) = [rel for rel in read(statement).claims if rel.lhs == c]
    proof = self_consistent_proof(statement)
    return Proof(
        residuals=[*proof.residuals, *_offset_scale_residuals(scale)],
        steps=proof.steps,
        rules=proof.rules,
        rates=proof.rates,
    )


def _code_discrete(A0, velocity, step, n_steps):
    """The official code's discretisation of eq. (1): ``B <- B + eta rhs(B)``."""
    B = A0.copy()
    for _ in range(n_steps):
        B = B + step * velocity(B)
    return B


@functools.lru_cache(maxsize=1)
def _discrete_case():
    rng = np.random.default_rng(100)
    T = matrix_with_singular_values((2, 2), [2.0, 0.3], rng)
    return T, 0.05 * rng.standard_normal((2, 2))


@eq1.numeric_check
def eq1_on_the_manifold_and_as_the_code_limit(statement):
    """(a) The statement's hypotheses on the width-2d construction; (b) the weights' gradient flow against the
    statement's eq. (1) integrated by DOP853; (c) the code's update converges at order 1 to that flow."""
    r = read(statement)
    out = []
    d, cv = 2, 0.5
    rng = np.random.default_rng(130)
    T = matrix_with_singular_values((d, d), [1.5, 0.7], rng)
    A0 = matrix_with_singular_values((d, d), [0.4, 0.1], rng)
    w1, w2 = manifold_init(A0, cv)
    dims = _dims(d, 2 * d, d)
    for h in statement:
        if isinstance(h, lazyrich.symbolic.Hypothesis):
            err = float(np.abs(value(r.x(h.lhs - h.rhs), {W1: w1, W2: w2, c: cv}, dims)).max())
            out.append(
                Measurement(err, linalg_tolerance((cv**2 + 1) ** 2, 64 * d), f"hypothesis {h} on the construction")
            )
    out += flow_follows_statement(r, T, w1, w2, cv, np.linspace(0.0, 1.0, 4), "w = 2d")
    # the code's update B <- B + eta v(B) (v: the code's eq. (1)) converges at order 1 to the flow of eq. (1)
    T2, B0 = _discrete_case()
    code_velocity = lambda Bv: eq1_velocity(Bv, T2, cv)  # noqa: E731
    ref = eq1_flow(B0, T2, cv, np.array([0.0, 0.5]))[0][-1]
    steps = [0.02, 0.01]
    errs = [float(np.abs(_code_discrete(B0, code_velocity, h, round(0.5 / h)) - ref).max()) for h in steps]
    order = fit_order(steps, errs)
    out.append(Measurement(abs(order - 1.0), 0.1, f"order {order:.3f} of the code's update", "integer orders 1 apart"))
    return out


# ---------------------------------------------------------------- the exact invariant manifold
D_ = MatrixSymbol("D", d_out, d_in)

exact_manifold = claim(
    "mixed_dynamics.exact_manifold",
    r"On $W_1^T \Lambda W_1 = -W_2 \Lambda W_2^T = c^2 I$ (width-$2d$ construction) the offsets stay $c^2 I$ and "
    r"weight gradient flow follows eq. (1) exactly",
    Source(
        PAPER,
        "Tu et al. (2024), eq. (1) (derived here: exact invariant manifold of eq. (1))",
        r"proven at general shape: the offsets' rates are $-(G^T D + D^T G)$, $G D^T + D G^T$ with "
        r"$D = A X - Y A = A Q - P A$ (PSD roots), zero by intertwining ($M A = A N \Rightarrow f(M) A = A f(N)$); "
        r"construction $W_1 = \Omega_1 X^{1/2}$, $W_2 = Y^{1/2} \Omega_2^T$",
    ),
    statement=lambda: [
        *gram_definitions("A", "X", "Y", "Lambda"),
        *_offset_hypotheses(),
        *roots(),
        *weight_flow(),
        equation(ddt(W1.T * LAM * W1), ZeroMatrix(d_in, d_in)),
        equation(ddt(-W2 * LAM * W2.T), ZeroMatrix(d_out, d_out)),
        equation(ddt(A), eq1_rhs()),
    ],
    equivalent={
        "s4.transpose.0.1": "Lambda^T = Lambda (a difference of Gram matrices)",
        "s5.transpose.0.2": "Lambda^T = Lambda (a difference of Gram matrices)",
        "s10.transpose.0.0.1": "Lambda^T = Lambda (a difference of Gram matrices)",
        "s11.transpose.0.0.2": "Lambda^T = Lambda (a difference of Gram matrices)",
        "s11.scale.0.0.0": "d/dt(-2 W_2 Lambda W_2^T) = 0 iff d/dt(-W_2 Lambda W_2^T) = 0",
        "s12.transpose.1.0.2": "Q^T = Q: the PSD root of a symmetric matrix",
        "s12.transpose.1.1.1": "P^T = P: the PSD root of a symmetric matrix",
    },
)


@exact_manifold.symbolic_check
def offsets_constant_on_the_manifold(statement):
    """``Y A = A X`` on the manifold, then every relation reduces to zero.

    Premises reduced by the calculus: ``K^2 = M`` for each root (``X^2 = A^T A + c^2 I``, ``Y^2 = A A^T + c^2 I``
    under the hypotheses) and the intertwining of the bases, ``M_P A = A M_Q``. Then ``Y = M_P^{1/2}``,
    ``X = M_Q^{1/2}`` (PSD roots) and ``f(M_P) A = A f(M_Q)`` for ``f = sqrt`` give the rule ``Y A -> A X``
    (and its transpose), under which the calculus reduces the offsets' rates to the stated ones.
    """
    r = read(statement)
    premises, subs, _ = psd_roots(r)
    bases = {d.lhs: d.rhs.args[0] for d in r.definitions if d.lhs in subs}
    by_shape = {s_.shape: s_ for s_ in subs}
    KP, KQ = subs[by_shape[(d_out, d_out)]], subs[by_shape[(d_in, d_in)]]
    MP, MQ = bases[by_shape[(d_out, d_out)]], bases[by_shape[(d_in, d_in)]]
    Ax = r.x(A)
    residuals = [*premises, r.x(MP * A - A * MQ)]
    lhs_word = canonicalize(r.x(KP * A)).as_expr()
    rhs_word = canonicalize(r.x(A * KQ)).as_expr()
    from lazyrich.symbolic import RewriteRule

    derived = [RewriteRule(lhs_word, rhs_word), RewriteRule(lhs_word.T.doit(), rhs_word.T.doit())]
    for rel in r.claims:
        inner = r.x(rel.lhs.expr)
        d = time_derivative(inner, r.rates)
        residuals.append(d - r.x(rel.rhs.xreplace(subs)))
    steps = [equation(r.x(KP * KP), r.x(MP)), equation(r.x(KQ * KQ), r.x(MQ)), equation(r.x(MP) * Ax, Ax * r.x(MQ))]
    return Proof(residuals=residuals, steps=steps, rules=[*r.rules, *derived], rates=r.rates)


@exact_manifold.numeric_check
def manifold_flow_against_eq1(statement):
    """The construction satisfies the hypotheses, the offsets stay on them along the weights' flow, and the flow
    follows the statement's eq. (1)."""
    r = read(statement)
    out = []
    for seed, (d, cv) in enumerate([(3, 0.5), (2, 2.0)]):
        rng = np.random.default_rng(130 + seed)
        T = matrix_with_singular_values((d, d), rng.uniform(0.5, 2.0, d), rng)
        A0 = matrix_with_singular_values((d, d), rng.uniform(0.05, 0.5, d), rng)
        w1, w2 = manifold_init(A0, cv)
        dims = _dims(d, 2 * d, d)
        times = np.linspace(0.0, 2.0, 5)
        traj = lazyrich.gradient_flow(DeepLinearModel(T), (w1, w2), times, rtol=RTOL)
        e_w = lazyrich.quadratic_invariant_tolerance(traj.n_steps, traj.rtol, traj.atol, traj.scale)
        for h in statement:
            if isinstance(h, lazyrich.symbolic.Hypothesis):
                err = max(
                    float(np.abs(value(r.x(h.lhs - h.rhs), {W1: traj.at(i)[0], W2: traj.at(i)[1], c: cv}, dims)).max())
                    for i in range(len(times))
                )
                tol = linalg_tolerance((cv**2 + 1) ** 2, 64 * d) + 2 * traj.scale**2 * e_w
                out.append(Measurement(err, tol, f"d={d}: hypothesis along the flow: {h}", "construction + drift"))
        out += flow_follows_statement(r, T, w1, w2, cv, times, f"d={d}, c={cv}")
    return out


# ---------------------------------------------------------------- lambda-balanced networks
lambda_balanced = claim(
    "mixed_dynamics.lambda_balanced",
    r"$\lambda$-balanced nets ($\Lambda = \lambda I$, $w = d_{\mathrm{in}}$, $\lambda > 0$) satisfy eq. (1) exactly "
    r"with $c = \lambda/2$",
    Source(
        PAPER,
        r"Tu et al. (2024), eq. (1) (derived here for $\lambda$-balanced nets; Dominé et al. (2025), Sec. 3)",
        r"proven at general shape: the calculus reduces the shifted squares under $\Lambda = \lambda I$ and the "
        r"rate; $X - \lambda/2 = Q$ and $Y + \lambda/2 = P$ by uniqueness of PSD roots ($X \succeq \lambda I$ "
        r"when $w = d_{\mathrm{in}}$); the bridge to Dominé et al. ($\sigma^4 w^2 \leftrightarrow \lambda^2/4$)",
    ),
    statement=lambda: [
        *gram_definitions("A", "X", "Y", "Lambda"),
        hypothesis(LAM, lam * I_h),
        *roots(lam / 2),
        *weight_flow(),
        equation((X - lam / 2 * I_i) ** 2, A.T * A + lam**2 / 4 * I_i),
        equation((Y + lam / 2 * I_o) ** 2, A * A.T + lam**2 / 4 * I_o),
        equation(ddt(A), eq1_rhs()),
    ],
    equivalent={
        "s4.transpose.0": "Lambda^T = Lambda (a difference of Gram matrices)",
        "s9.transpose.0.0.1": "X^T = X: X := W_1^T W_1 is symmetric",
        "s10.transpose.0.0.1": "Y^T = Y: Y := W_2 W_2^T is symmetric",
        "s11.transpose.1.0.2": "Q^T = Q: the PSD root of a symmetric matrix",
        "s11.transpose.1.1.1": "P^T = P: the PSD root of a symmetric matrix",
    },
)


@lambda_balanced.symbolic_check
def shifted_roots_and_eq1(statement):
    return self_consistent_proof(statement)


@lambda_balanced.numeric_check
def lambda_balanced_flow_against_eq1(statement):
    """lazyrich.lambda_balanced_init (Dominé's convention, ``W_2^T W_2 - W_1 W_1^T = lambda I``, mirrored) and
    the construction ``W_1 = R X^{1/2}``: the hypothesis, the shifted squares, and the flow vs eq. (1) with c = lambda/2."""
    from .reference import lambda_balanced_pair

    r = read(statement)
    out = []
    for seed, (d_o, d_i, lv) in enumerate([(3, 3, 1.0), (4, 2, 3.0)]):
        rng = np.random.default_rng(140 + seed)
        T = matrix_with_singular_values((d_o, d_i), rng.uniform(0.5, 2.0, min(d_i, d_o)), rng)
        A0 = matrix_with_singular_values((d_o, d_i), rng.uniform(0.05, 0.5, min(d_i, d_o)), rng)
        w1, w2 = lambda_balanced_pair(A0, lv, rng)
        dims = _dims(d_o, d_i, d_i)
        vals = {W1: w1, W2: w2, lam: lv, A: A0}
        tol = linalg_tolerance((1 + lv) ** 2, 256)
        delta = 0.0
        for h in statement:
            if isinstance(h, lazyrich.symbolic.Hypothesis):
                err = float(np.abs(value(r.x(h.lhs - h.rhs), vals, dims)).max())
                delta = max(delta, d_i * err)  # max entry -> spectral norm
                out.append(Measurement(err, tol, f"{d_o}x{d_i}: hypothesis {h}", "256 eps (1 + lambda)^2"))
        for i, rel in enumerate(r.claims[:2]):
            err = float(np.abs(value(r.x(rel.lhs - rel.rhs), vals, dims)).max())
            out.append(Measurement(err, tol * (1 + lv), f"{d_o}x{d_i}: relation {i}", "256 eps (1 + lambda)^3"))
        out += flow_follows_statement(
            r, T, w1, w2, lv / 2, np.linspace(0.0, 1.0, 4), f"{d_o}x{d_i}, lambda={lv}", delta
        )
    return out
