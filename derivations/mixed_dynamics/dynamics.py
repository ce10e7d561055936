r"""The exact weight-space identities behind eq. (1) of Tu, Aranguri, Jacot (2024), Secs. 2-3.

For ``A = W_2 W_1`` trained by gradient flow on any cost ``C(A)`` with gradient ``G`` at ``A``,
``dW_1/dt = -W_2^T G``, ``dW_2/dt = -G W_1^T`` (the statements' rate relations), with
``X = W_1^T W_1``, ``Y = W_2 W_2^T``, ``Lambda = W_1 W_1^T - W_2^T W_2`` (derived here; the paper states
eq. (1) and the role of ``Lambda``, these steps are this project's):

* ``dA/dt = -(Y G + G X)`` (:data:`dA_dt`), ``dLambda/dt = 0`` (:data:`conserved_lambda`);
* ``X^2 = A^T A + W_1^T Lambda W_1``, ``Y^2 = A A^T - W_2 Lambda W_2^T`` (:data:`squares`);
* ``dX/dt = -(A^T G + G^T A)``, ``dY/dt = -(G A^T + A G^T)`` (:data:`x_y_rates`);
* ``D := W_2 Lambda W_1 = A X - Y A`` drives the offsets:
  ``d/dt W_1^T Lambda W_1 = -(G^T D + D^T G)``, ``d/dt(-W_2 Lambda W_2^T) = G D^T + D G^T`` (:data:`offset_drift`);
* ``f(A A^T) A = A f(A^T A)`` for ``f(x) = (x + c^2)^{1/2}`` (:data:`intertwining`);
* one GD step changes ``Lambda`` by ``O(eta^2)`` (:data:`gd_step_lambda`, simultaneous and sequential updates).

Every symbolic check is :func:`exact_proof`: the statement's definitions substituted, its rate relations
as the derivative rules, each remaining relation reduced to zero at general shape. Every numeric check
(:func:`identities_at_random_weights`) evaluates the statement on random weights: the rate relations
against :meth:`lazyrich.DeepLinearModel.velocity`, each ``d/dt`` by the complex step along the statement's
own rates (no symbolic calculus), each other relation side by side.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import MatrixSymbol, ZeroMatrix

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
    gradient_descent,
    linalg_tolerance,
    matrix_with_singular_values,
)
from lazyrich.symbolic import canonicalize, time_derivative

from .reference import complex_step, value
from .symbols import (
    LAM,
    W1,
    W2,
    A,
    G,
    I_i,
    I_o,
    P,
    Q,
    X,
    Y,
    c,
    d_in,
    d_out,
    eta,
    gram_definitions,
    read,
    weight_flow,
    width,
)

__all__ = [
    "D",
    "W1p",
    "W2p",
    "W2s",
    "conserved_lambda",
    "dA_dt",
    "exact_proof",
    "gd_step_lambda",
    "identities_at_random_weights",
    "intertwining",
    "offset_drift",
    "squares",
    "x_y_rates",
]

PAPER = "mixed_dynamics"
D = MatrixSymbol("D", d_out, d_in)
SHAPES = ({d_in: 3, width: 5, d_out: 2}, {d_in: 2, width: 3, d_out: 4})


def exact_proof(statement) -> Proof:
    """Each relation of the statement (definitions substituted) reduced to zero under its hypotheses, its
    ``d/dt`` by :func:`lazyrich.time_derivative` under the statement's rate relations."""
    r = read(statement)
    residuals, steps = [], []
    for rel in r.claims:
        if isinstance(rel.lhs, sp.Derivative):
            inner = r.x(rel.lhs.expr)
            d = time_derivative(inner, r.rates)
            residuals.append(d - r.x(rel.rhs))
            steps.append(equation(ddt(inner), canonicalize(d, rules=r.rules).as_expr()))
        else:
            residuals.append(r.x(rel.lhs) - r.x(rel.rhs))
    return Proof(residuals=residuals, steps=steps, rules=r.rules, rates=r.rates)


def _instance(dims: dict, seed: int):
    rng = np.random.default_rng(seed)
    T = rng.standard_normal((dims[d_out], dims[d_in]))
    w1 = rng.standard_normal((dims[width], dims[d_in])) / np.sqrt(dims[d_in])
    w2 = rng.standard_normal((dims[d_out], dims[width])) / np.sqrt(dims[width])
    return T, w1, w2


def identities_at_random_weights(statement, seed: int = 0) -> list:
    """The statement on random weights of two shapes, ``G = W_2 W_1 - T`` (the MSE cost of the paper).

    Tolerance of a relation: ``64 n eps s^k`` with ``s = max(1, |W|, |G|)``, ``k = 5`` (its words have
    at most five factors) and ``n`` the largest width (summation lengths).
    """
    r = read(statement)
    out = []
    for k, dims in enumerate(SHAPES):
        T, w1, w2 = _instance(dims, seed + k)
        Gv = w2 @ w1 - T
        vals = {W1: w1, W2: w2, G: Gv, c: 0.7, eta: 0.05}
        s = max(1.0, *(float(np.abs(v).max()) for v in (w1, w2, Gv)))
        tol = linalg_tolerance(s**5, 64 * max(dims.values()))
        label = f"{dims[d_out]}x{dims[width]}x{dims[d_in]}"
        if r.rates:
            vel = dict(zip((W1, W2), DeepLinearModel(T).velocity((w1, w2))))
            for atom, rate in r.rates.items():
                err = float(np.abs(value(rate, vals, dims) - vel[atom]).max())
                out.append(Measurement(err, tol, f"{label}: statement's d{atom}/dt vs DeepLinearModel.velocity"))
        dirs = {atom: value(rate, vals, dims) for atom, rate in r.rates.items()}
        for i, rel in enumerate(r.claims):
            rhs = value(r.x(rel.rhs), vals, dims)
            if isinstance(rel.lhs, sp.Derivative):
                lhs = complex_step(r.x(rel.lhs.expr), vals, dirs, dims)
                what = f"{label}: relation {i}: complex-step d/dt of the left side vs the right side"
            else:
                lhs = value(r.x(rel.lhs), vals, dims)
                what = f"{label}: relation {i}: left side vs right side"
            err = float(np.abs(np.asarray(lhs, dtype=float) - np.asarray(rhs, dtype=float)).max())
            out.append(Measurement(err, tol, what, "64 n eps max(1, |W|, |G|)^5"))
    return out


def _source(note: str = "derived here (weight-space identities behind eq. (1))") -> Source:
    return Source(PAPER, "Tu et al. (2024), Secs. 2-3 (identities behind eq. (1))", note)


# ---------------------------------------------------------------- dA/dt and the conserved Lambda
dA_dt = claim(
    "mixed_dynamics.dA_dt",
    r"Under gradient flow $\dot A = -(W_2 W_2^T G + G W_1^T W_1)$ for any cost",
    _source("derived here; not stated in the paper"),
    statement=lambda: [*gram_definitions("A", "X", "Y"), *weight_flow(), equation(ddt(A), -(Y * G + G * X))],
    equivalent={
        "s5.transpose.1.0.2": "X^T = X: X := W_1^T W_1 is symmetric",
        "s5.transpose.1.1.1": "Y^T = Y: Y := W_2 W_2^T is symmetric",
    },
)


@dA_dt.symbolic_check
def da_dt_by_product_rule(statement):
    return exact_proof(statement)


@dA_dt.numeric_check
def da_dt_at_random_weights(statement):
    return identities_at_random_weights(statement, seed=11)


conserved_lambda = claim(
    "mixed_dynamics.conserved_lambda",
    r"$\Lambda = W_1 W_1^T - W_2^T W_2$ is conserved by gradient flow for any cost",
    _source(),
    statement=lambda: [*gram_definitions("Lambda"), *weight_flow(), equation(ddt(LAM), ZeroMatrix(width, width))],
    equivalent={"s3.transpose.0.0": "Lambda^T = Lambda (a difference of Gram matrices)"},
)


@conserved_lambda.symbolic_check
def lambda_derivative_vanishes(statement):
    return exact_proof(statement)


@conserved_lambda.numeric_check
def lambda_constant_along_flow(statement):
    """The statement at random weights, and Lambda (its definition) along a DOP853 flow of the model."""
    out = identities_at_random_weights(statement, seed=12)
    r = read(statement)
    rng = np.random.default_rng(12)
    T = matrix_with_singular_values((3, 3), [2.0, 1.0, 0.5], rng)
    init = (rng.standard_normal((6, 3)) * 0.5, rng.standard_normal((3, 6)) * 0.5)
    traj = lazyrich.gradient_flow(DeepLinearModel(T), init, np.linspace(0, 2.0, 11), rtol=1e-12)
    dims = {d_in: 3, width: 6, d_out: 3}
    lam_of = [value(r.x(LAM), {W1: traj.at(i)[0], W2: traj.at(i)[1]}, dims) for i in range(len(traj.t))]
    drift = max(float(np.abs(x - lam_of[0]).max()) for x in lam_of)
    tol = lazyrich.quadratic_invariant_tolerance(traj.n_steps, traj.rtol, traj.atol, traj.scale)
    out.append(Measurement(drift, tol, "max drift of Lambda along the DOP853 flow", "2 |W| n_steps (atol + rtol |W|)"))
    return out


# ---------------------------------------------------------------- squares and rates of X, Y
squares = claim(
    "mixed_dynamics.squares",
    r"$X^2 = A^T A + W_1^T \Lambda W_1$ and $Y^2 = A A^T - W_2 \Lambda W_2^T$",
    _source("derived here; exact for any weights"),
    statement=lambda: [
        *gram_definitions("A", "X", "Y", "Lambda"),
        equation(X * X, A.T * A + W1.T * LAM * W1),
        equation(Y * Y, A * A.T - W2 * LAM * W2.T),
    ],
    equivalent={
        "s4.transpose.0.0": "X^T X = X X: X is symmetric",
        "s5.transpose.0.0": "Y^T Y = Y Y: Y is symmetric",
        "s4.transpose.1.1.1": "Lambda^T = Lambda (a difference of Gram matrices)",
        "s5.transpose.1.1.2": "Lambda^T = Lambda (a difference of Gram matrices)",
    },
)


@squares.symbolic_check
def squares_by_expansion(statement):
    return exact_proof(statement)


@squares.numeric_check
def squares_at_random_weights(statement):
    return identities_at_random_weights(statement, seed=13)


x_y_rates = claim(
    "mixed_dynamics.x_y_rates",
    r"$\dot X = -(A^T G + G^T A)$ and $\dot Y = -(G A^T + A G^T)$",
    _source(),
    statement=lambda: [
        *gram_definitions("A", "X", "Y"),
        *weight_flow(),
        equation(ddt(X), -(A.T * G + G.T * A)),
        equation(ddt(Y), -(G * A.T + A * G.T)),
    ],
    equivalent={
        "s5.transpose.0.0": "d(X^T)/dt = (dX/dt)^T and the rate is symmetric: X is symmetric",
        "s6.transpose.0.0": "d(Y^T)/dt = (dY/dt)^T and the rate is symmetric: Y is symmetric",
    },
)


@x_y_rates.symbolic_check
def x_y_rates_by_product_rule(statement):
    return exact_proof(statement)


@x_y_rates.numeric_check
def x_y_rates_at_random_weights(statement):
    return identities_at_random_weights(statement, seed=14)


offset_drift = claim(
    "mixed_dynamics.offset_drift",
    r"$D = W_2 \Lambda W_1 = A X - Y A$ drives the offsets: $\frac{d}{dt} W_1^T \Lambda W_1 = -(G^T D + D^T G)$, "
    r"$\frac{d}{dt} (-W_2 \Lambda W_2^T) = G D^T + D G^T$",
    _source(),
    statement=lambda: [
        *gram_definitions("A", "X", "Y", "Lambda"),
        definition(D, W2 * LAM * W1),
        *weight_flow(),
        equation(D, A * X - Y * A),
        equation(ddt(W1.T * LAM * W1), -(G.T * D + D.T * G)),
        equation(ddt(-W2 * LAM * W2.T), G * D.T + D * G.T),
    ],
    equivalent={
        "s4.transpose.1.1": "Lambda^T = Lambda (a difference of Gram matrices)",
        "s7.transpose.1.0.1": "X^T = X: X := W_1^T W_1 is symmetric",
        "s7.transpose.1.1.1": "Y^T = Y: Y := W_2 W_2^T is symmetric",
        "s8.transpose.0.0.1": "Lambda^T = Lambda (a difference of Gram matrices)",
        "s9.transpose.0.0.2": "Lambda^T = Lambda (a difference of Gram matrices)",
    },
)


@offset_drift.symbolic_check
def offset_rates_by_product_rule(statement):
    return exact_proof(statement)


@offset_drift.numeric_check
def offset_rates_at_random_weights(statement):
    return identities_at_random_weights(statement, seed=15)


# ---------------------------------------------------------------- intertwining
intertwining = claim(
    "mixed_dynamics.intertwining",
    r"$f(A A^T) A = A f(A^T A)$ for $f(x) = \sqrt{x + c^2}$ (and any polynomial $f$)",
    Source(
        PAPER,
        "Tu et al. (2024), eq. (1) (derived here: exact invariant manifold of eq. (1))",
        r"proven at general shape: $(A A^T + c^2 I) A = A (A^T A + c^2 I)$, and $M A = A N$ implies "
        r"$f(M) A = A f(N)$ for every function $f$ of the spectrum (interpolation by a polynomial)",
    ),
    statement=lambda: [
        definition(P, sp.MatPow(A * A.T + c**2 * I_o, sp.Rational(1, 2))),
        definition(Q, sp.MatPow(A.T * A + c**2 * I_i, sp.Rational(1, 2))),
        equation(P * A, A * Q),
    ],
    equivalent={
        "s2.transpose.0.0": "P^T = P: a square root of a symmetric matrix, symmetric",
        "s2.transpose.1.1": "Q^T = Q: a square root of a symmetric matrix, symmetric",
    },
)


def _function_of(defn):
    """``(base, exponent)`` of a definition ``S := base^exponent``."""
    rhs = defn.rhs
    if not isinstance(rhs, sp.MatPow):
        raise ValueError(f"{defn.lhs} is not defined as a matrix power: {rhs}")
    return rhs.args


@intertwining.symbolic_check
def intertwining_of_the_bases(statement):
    """``f(M) A = A f(N)`` follows from ``M A = A N`` when both sides apply the same ``f``: the check reduces the
    relation with each defined power replaced by its base, and requires equal exponents."""
    r = read(statement)
    (rel,) = r.claims
    bases = {d.lhs: _function_of(d)[0] for d in r.definitions}
    exps = [_function_of(d)[1] for d in r.definitions]
    residual = (rel.lhs - rel.rhs).xreplace(bases)
    return Proof(
        residuals=[residual, *(e - exps[0] for e in exps[1:])],
        steps=[equation((A * A.T + c**2 * I_o) * A, A * (A.T * A + c**2 * I_i))],
    )


@intertwining.numeric_check
def intertwining_at_random_matrices(statement):
    r = read(statement)
    (rel,) = r.claims
    out = []
    for seed, (m, n, cv) in enumerate([(3, 5, 0.1), (4, 4, 1.0), (5, 2, 30.0)]):
        rng = np.random.default_rng(60 + seed)
        Av = matrix_with_singular_values((m, n), rng.uniform(0.2, 3.0, min(m, n)), rng)
        dims = {d_out: m, d_in: n}
        vals = {A: Av, c: cv}
        err = float(np.abs(value(r.x(rel.lhs), vals, dims) - value(r.x(rel.rhs), vals, dims)).max())
        scale = np.sqrt(9 + cv**2) * 3
        out.append(
            Measurement(
                err,
                linalg_tolerance(scale * max(m, n), 64),
                f"{m}x{n}, c={cv}: |P A - A Q| (fractional_matrix_power)",
                "64 n eps |A| sqrt(|A|^2 + c^2) (Schur-based root)",
            )
        )
    return out


# ---------------------------------------------------------------- one GD step
W1p = MatrixSymbol("W_1'", width, d_in)  # W1 after the step (both orders update W1 first)
W2s = MatrixSymbol(r"W_2^{\mathrm{sim}}", d_out, width)  # W2 after the simultaneous step
W2p = MatrixSymbol("W_2'", d_out, width)  # W2 after the sequential step (uses W_1')

gd_step_lambda = claim(
    "mixed_dynamics.gd_step_lambda",
    r"One GD step changes $\Lambda$ by $\eta^2 (W_2^T G G^T W_2 - W_1 G^T G W_1^T)$ (simultaneous) or "
    r"$-\eta^2 (W_2^T G G^T W_2 + W_1' G^T G W_1'^T)$ (sequential, as coded)",
    Source(
        PAPER,
        "Tu et al. (2024), Fig. 1 (GD of the official code; derived here)",
        r"proven at general shape; $G = \nabla C(A)$ computed once before both updates; $W_1'$ is the updated $W_1$",
    ),
    statement=lambda: [
        *gram_definitions("Lambda"),
        definition(W1p, W1 - eta * W2.T * G),
        definition(W2s, W2 - eta * G * W1.T),
        definition(W2p, W2 - eta * G * W1p.T),
        equation(W1p * W1p.T - W2s.T * W2s - LAM, eta**2 * (W2.T * G * G.T * W2 - W1 * G.T * G * W1.T)),
        equation(W1p * W1p.T - W2p.T * W2p - LAM, -(eta**2) * (W2.T * G * G.T * W2 + W1p * G.T * G * W1p.T)),
    ],
    equivalent={
        "s4.transpose.0.0.1": "Lambda^T = Lambda (a difference of Gram matrices)",
        "s5.transpose.0.0.1": "Lambda^T = Lambda (a difference of Gram matrices)",
    },
)


@gd_step_lambda.symbolic_check
def gd_step_by_expansion(statement):
    return exact_proof(statement)


@gd_step_lambda.numeric_check
def gd_step_against_the_engines(statement):
    """The statement at random weights; its updates against :func:`lazyrich.gradient_descent` (simultaneous)
    and :func:`lazyrich.two_layer_descent` (sequential, the official code's order)."""
    out = identities_at_random_weights(statement, seed=70)
    r = read(statement)
    rng = np.random.default_rng(70)
    T = rng.standard_normal((2, 3))
    w1, w2 = rng.standard_normal((4, 3)), rng.standard_normal((2, 4))
    h = 0.05
    dims = {d_in: 3, width: 4, d_out: 2}
    vals = {W1: w1, W2: w2, G: w2 @ w1 - T, eta: h}
    tol = linalg_tolerance(max(1.0, np.abs(w1).max(), np.abs(w2).max(), np.abs(T).max()) ** 3, 64 * 4)
    sim = gradient_descent(DeepLinearModel(T), (w1, w2), h, [0.0, h]).at(1)
    seq = lazyrich.two_layer_descent(w1, w2, T, h, [0.0, h], update="sequential").at(1)
    for name, got, sym in [("gradient_descent W1", sim[0], W1p), ("gradient_descent W2", sim[1], W2s)]:
        out.append(Measurement(float(np.abs(value(r.x(sym), vals, dims) - got).max()), tol, f"{name} vs {sym}"))
    for name, got, sym in [("two_layer_descent W1", seq[0], W1p), ("two_layer_descent W2", seq[1], W2p)]:
        out.append(Measurement(float(np.abs(value(r.x(sym), vals, dims) - got).max()), tol, f"{name} vs {sym}"))
    return out
