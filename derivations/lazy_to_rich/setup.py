r"""The setup of Dominé et al. (2025), Sec. 3: the loss and its gradient flow.

Identity: with :math:`\mathcal L = \operatorname{tr}\big((Y - W_2W_1X)(Y - W_2W_1X)^T\big)/(2P)`,
:math:`\Sigma_{xx} = XX^T/P`, :math:`\Sigma_{yx} = YX^T/P`, the gradient flow :math:`\tau\dot W_i = -\nabla_{W_i}\mathcal L`
reads :math:`\tau\dot W_1 = W_2^T(\Sigma_{yx} - W_2W_1\Sigma_{xx})`, :math:`\tau\dot W_2 = (\Sigma_{yx} - W_2W_1\Sigma_{xx})W_1^T`.
Proven at general shape through the directional derivative: for every direction :math:`D`,
:math:`\frac{d}{ds}\mathcal L(W_i + sD) = \operatorname{tr}(\nabla_{W_i}\mathcal L^T D) = -\operatorname{tr}(R_i^TD)/\tau`
where :math:`R_i` is the statement's right side.
"""

from __future__ import annotations

import numpy as np
from sympy import MatrixSymbol, Trace

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
    split_statement,
    substitutions,
)
from lazyrich.symbolic import evaluate, time_derivative

from .reference import seeded_rng
from .symbols import (
    P_,
    PAPER,
    W1,
    W2,
    L_sym,
    N_h,
    N_i,
    N_o,
    Sigma,
    derivative_target,
    exact_screen,
    expand_definitions,
    tau,
)

__all__ = ["gradient_flow_form"]

X = MatrixSymbol("X", N_i, P_)
Y = MatrixSymbol("Y", N_o, P_)
Sxx = MatrixSymbol("Sigma_xx", N_i, N_i)

gradient_flow_form = claim(
    "lazy_to_rich.gradient_flow_form",
    r"The layer dynamics are $\tau \dot W_i = -\nabla_{W_i} \mathcal{L}$ with $\mathcal{L} = \|Y - W_2 W_1 X\|_F^2/(2P)$",
    Source(
        PAPER,
        "Sec. 3 (setup: loss and gradient flow)",
        "proven at general shape through the directional derivative of the loss along an arbitrary direction",
    ),
    statement=lambda: [
        definition(L_sym, Trace((Y - W2 * W1 * X) * (Y - W2 * W1 * X).T) / (2 * P_)),
        definition(Sxx, X * X.T / P_),
        definition(Sigma, Y * X.T / P_),
        equation(tau * ddt(W1), W2.T * (Sigma - W2 * W1 * Sxx)),
        equation(tau * ddt(W2), (Sigma - W2 * W1 * Sxx) * W1.T),
    ],
    equivalent={
        "s3.transpose.1.1.0.3": "Sigma_xx := X X^T / P is symmetric by its definition",
        "s4.transpose.1.0.0.3": "Sigma_xx := X X^T / P is symmetric by its definition",
    },
)


def _rate_relations(parts):
    """``[(W, c, R)]`` for the relations ``c * d/dt W = R``."""
    out = []
    for rel in parts.relations:
        target = derivative_target(rel.lhs)
        if target is not None:
            out.append((target[0], target[1], rel.rhs))
    return out


@gradient_flow_form.symbolic_check
def gradient_is_minus_rate(statement):
    """For each layer ``W`` and an arbitrary direction ``D``: ``dL[D] + tr(R^T D) / (c / tau) = 0``, i.e. ``c dW/dt = -tau grad L``."""
    parts = split_statement(statement)
    subs = substitutions(parts.definitions)
    loss = subs[L_sym]
    residuals = []
    for W, c, R in _rate_relations(parts):
        D = MatrixSymbol(f"D_{{{W.name}}}", *W.shape)
        directional = time_derivative(loss, {W: D})  # d/ds L(W + s D) at s = 0
        rate = expand_definitions(R, subs)
        residuals.append(directional + Trace(rate.T * D) * tau / c)
    bad = exact_screen(residuals, {N_i: 2, N_h: 2, N_o: 1, P_: 3})
    return Proof(residuals=bad or residuals)


@gradient_flow_form.numeric_check
def rates_against_finite_differences(statement):
    """The statement's loss and rates on random data: central differences of its loss, and the engine's velocity."""
    parts = split_statement(statement)
    subs = substitutions(parts.definitions)
    rng = seeded_rng(1)
    ni, nh, no, P = 3, 2, 2, 5
    Xv, Yv = rng.standard_normal((ni, P)), rng.standard_normal((no, P))
    model = DeepLinearModel.from_data(Xv, Yv, tau=0.7)
    Wv = {W1: rng.standard_normal((nh, ni)), W2: rng.standard_normal((no, nh))}
    dims = {N_i: ni, N_h: nh, N_o: no, P_: P}

    def loss(ws):
        return float(evaluate(subs[L_sym], {X: Xv, Y: Yv, P_: P, **ws}, dims=dims, arithmetic="float64"))

    vals = {X: Xv, Y: Yv, P_: P, tau: model.tau, **Wv}
    vel = dict(zip((W1, W2), model.velocity((Wv[W1], Wv[W2]))))
    L0 = loss(Wv)
    resid = Yv - Wv[W2] @ Wv[W1] @ Xv
    out = [
        Measurement(
            abs(L0 - float(np.sum(resid * resid)) / (2 * P)),
            8 * FLOAT64_EPS * (L0 + 1),
            "statement's loss vs |Y - W2 W1 X|_F^2 / 2P",
            "8 eps |L|",
        )
    ]
    h = 1e-3
    for W, c, R in _rate_relations(parts):
        rate = np.asarray(evaluate(expand_definitions(R, subs) / c, vals, dims=dims, arithmetic="float64"))
        grad = np.zeros_like(Wv[W])
        for idx in np.ndindex(grad.shape):
            plus, minus = dict(Wv), dict(Wv)
            plus[W], minus[W] = Wv[W].copy(), Wv[W].copy()
            plus[W][idx] += h
            minus[W][idx] -= h
            grad[idx] = (loss(plus) - loss(minus)) / (2 * h)
        # L is quadratic in any single weight entry (W2 W1 is bilinear): the central difference is exact to round-off
        out.append(
            Measurement(
                float(np.abs(-grad - model.tau * rate).max()),
                16 * FLOAT64_EPS * (L0 + 1.0) / h,
                f"{W}: -dL/dW (central differences of the statement's L) vs tau x statement's rate",
                "16 eps |L| / h (central difference exact on quadratics)",
            )
        )
        out.append(
            Measurement(
                float(np.abs(rate - vel[W]).max()),
                16 * FLOAT64_EPS * (1 + np.abs(vel[W]).max()) * (ni + no),
                f"{W}: statement's rate vs DeepLinearModel.velocity",
                "16 n eps |v|",
            )
        )
    return out
