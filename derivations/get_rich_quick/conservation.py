r"""Kunin et al. (2024), Sec. 3 and App. A.1: the conserved imbalance of the single neuron, and its GD drift.

* ``delta = eta_w a^2 - eta_a |w|^2`` has zero derivative under the gradient flow of ``|X w a - y|^2 / 2``
  with layer rates ``eta_a``, ``eta_w``, for any data (Sec. 3; derivation in App. A.1), at general shape;
* one gradient-descent step of size ``eta`` changes it by exactly
  ``eta^2 eta_a eta_w (eta_a g_a^2 - eta_w |g_w|^2)`` (``g_a = w^T G``, ``g_w = G a``, ``G = X^T (X w a - y)``):
  discretisation breaks conservation at ``O(eta^2)`` per step, ``O(eta)`` after a fixed time (Sec. 6, p. 10;
  the exact one-step change is derived here).
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import MatrixSymbol, ZeroMatrix

from lazyrich import (
    FLOAT64_EPS,
    Measurement,
    SingleNeuronModel,
    Source,
    claim,
    ddt,
    definition,
    equation,
    fit_order,
    gradient_descent,
    gradient_flow,
    quadratic_invariant_tolerance,
)
from lazyrich.symbolic import evaluate

from .checking import evaluate_with_velocity, rates_against_model, resolve, statement_proof
from .reference import RTOL, rng
from .symbols import PAPER, X, a, d, eta_a, eta_w, n, neuron_rate_hypotheses, one_by_one, w, y

__all__ = ["conservation_delta", "gd_delta_step"]

DELTA_M = MatrixSymbol(r"\delta", 1, 1)  # the imbalance as a 1x1 matrix
ETA = sp.Symbol("eta", positive=True)  # the step size


def _conservation_statement():
    return [
        *neuron_rate_hypotheses(),
        definition(DELTA_M, eta_w * a.T * a - eta_a * w.T * w),
        equation(ddt(DELTA_M), ZeroMatrix(1, 1)),
    ]


conservation_delta = claim(
    f"{PAPER}.conservation_delta",
    r"$\delta = \eta_w a^2 - \eta_a \|w\|^2$ is conserved by gradient flow for any $X, y$",
    Source(PAPER, "Sec. 3 (conserved quantity; derivation in App. A.1)", "general shape"),
    statement=_conservation_statement,
    equivalent=one_by_one(
        "s0.transpose.1.3.1.2",
        "s1.transpose.1.2.1.2",
        "s1.transpose.1.3",
        "s2.transpose.1.1.1",
        "s2.transpose.1.1.2",
        "s3.transpose.0.0",
    ),
)


@conservation_delta.symbolic_check
def delta_derivative_vanishes(statement):
    """``d/dt delta`` under the statement's layer rates, at general shape."""
    return statement_proof(statement)


@conservation_delta.numeric_check
def delta_constant_along_flow(statement):
    """Random data of three shapes: the statement's rates against the model, ``d/dt delta`` with the model's
    velocity, and the drift of the statement's ``delta`` along :func:`lazyrich.gradient_flow`."""
    out = []
    rel = statement[-1]
    for seed, (nn, dd) in enumerate([(5, 3), (2, 4), (6, 1)]):
        r = rng(300 + seed)
        model = SingleNeuronModel(
            r.standard_normal((nn, dd)), r.standard_normal(nn), eta_a=r.uniform(0.3, 3), eta_w=r.uniform(0.3, 3)
        )
        traj = gradient_flow(
            model, (np.asarray(r.standard_normal()), r.standard_normal(dd)), np.linspace(0, 3.0, 7), rtol=RTOL
        )
        dims = {n: nn, d: dd}
        base = {X: model.X, y: model.y[:, None], eta_a: model.eta_a, eta_w: model.eta_w}
        values = []
        for av, wv in zip(traj["a"], traj["w"]):
            vals = {**base, a: np.array([[av]]), w: wv[:, None]}
            va, vw = model.velocity((float(av), wv))
            rate = evaluate_with_velocity(rel.lhs, statement, vals, {a: np.array([[va]]), w: vw[:, None]}, dims)
            out.append(
                Measurement(
                    float(np.abs(rate).max()),
                    64 * FLOAT64_EPS * (1 + traj.scale) ** 4,
                    f"n={nn}, d={dd}: d/dt delta",
                    "64 eps (1 + |theta|)^4",
                )
            )
            values.append(float(evaluate(resolve(DELTA_M, statement), vals, dims=dims, arithmetic="float64")[0, 0]))
        out += rates_against_model(statement, model, float(traj["a"][0]), traj["w"][0])
        tol = quadratic_invariant_tolerance(traj.n_steps, traj.rtol, traj.atol, traj.scale)
        out.append(
            Measurement(
                max(abs(v - values[0]) for v in values),
                tol,
                f"n={nn}, d={dd}: drift of delta",
                "2 |W| n_steps (atol + rtol |W|)",
            )
        )
    return out


# ================================================================ gradient descent
G_B = MatrixSymbol("G", d, 1)  # X^T (X w a - y): the gradient of the loss with respect to beta
A_NEXT, W_NEXT = MatrixSymbol("a^+", 1, 1), MatrixSymbol("w^+", d, 1)


def _gd_statement():
    return [
        definition(G_B, X.T * (X * w * a - y)),
        definition(A_NEXT, a - ETA * eta_a * w.T * G_B),
        definition(W_NEXT, w - ETA * eta_w * G_B * a),
        definition(DELTA_M, eta_w * a.T * a - eta_a * w.T * w),
        equation(
            eta_w * A_NEXT.T * A_NEXT - eta_a * W_NEXT.T * W_NEXT - DELTA_M,
            ETA * ETA * eta_a * eta_w * (eta_a * (w.T * G_B).T * (w.T * G_B) - eta_w * (G_B * a).T * (G_B * a)),
        ),
    ]


gd_delta_step = claim(
    f"{PAPER}.gd_delta_step",
    r"One GD step changes $\delta$ by exactly $\eta^2 \eta_a \eta_w (\eta_a g_a^2 - \eta_w \|g_w\|^2)$; drift after fixed time is $O(\eta)$",
    Source(
        PAPER, "Sec. 6 (discretisation breaks conservation, p. 10)", "exact one-step change derived here; general shape"
    ),
    statement=_gd_statement,
    equivalent=one_by_one(
        "s0.transpose.1.1.1.2",
        "s1.transpose.1.1",
        "s2.transpose.1.0.2",
        "s3.transpose.1.1.1",
        "s3.transpose.1.1.2",
        "s4.transpose.1.1.1.1",
        "s4.transpose.1.1.1.4",
        "s4.transpose.0.0.1",
    ),
)


@gd_delta_step.symbolic_check
def one_step_change(statement):
    """The imbalance after one step minus before, expanded at general shape."""
    return statement_proof(statement)


@gd_delta_step.numeric_check
def gd_step_and_drift(statement):
    """One step of :func:`lazyrich.gradient_descent` against the statement's ``a^+``, ``w^+`` and change of
    ``delta``; the drift after ``t = 1`` is ``O(eta)`` (fitted order)."""
    r = rng(600)
    model = SingleNeuronModel(r.standard_normal((5, 3)) / 2, r.standard_normal(5), eta_a=0.7, eta_w=1.6)
    a0, w0 = np.asarray(0.8), r.standard_normal(3) * 0.5
    h = 0.02
    a1, w1 = gradient_descent(model, (a0, w0), h, [0.0, h]).at(1)
    vals = {
        X: model.X,
        y: model.y[:, None],
        eta_a: 0.7,
        eta_w: 1.6,
        a: np.array([[a0]]),
        w: w0[:, None],
        ETA: h,
    }
    dims = {n: 5, d: 3}
    out = []
    for sym, got in ((A_NEXT, np.array([[a1]])), (W_NEXT, np.asarray(w1)[:, None])):
        pred = evaluate(resolve(sym, statement), vals, dims=dims, arithmetic="float64")
        out.append(Measurement(float(np.abs(pred - got).max()), 64 * FLOAT64_EPS, f"one GD step: {sym}", "64 eps"))
    rel = statement[-1]
    lhs, rhs = (evaluate(resolve(x, statement), vals, dims=dims, arithmetic="float64") for x in (rel.lhs, rel.rhs))
    out.append(
        Measurement(
            float(np.abs(lhs - rhs).max()), 64 * FLOAT64_EPS, "one GD step: change of delta vs formula", "64 eps"
        )
    )

    def drift(step):
        tr = gradient_descent(model, (a0, w0), step, [0.0, 1.0])
        d_of = [
            float(
                evaluate(
                    resolve(DELTA_M, statement),
                    {**vals, a: np.array([[p[0]]]), w: np.asarray(p[1])[:, None]},
                    dims=dims,
                    arithmetic="float64",
                )[0, 0]
            )
            for p in (tr.at(0), tr.at(1))
        ]
        return abs(d_of[1] - d_of[0])

    steps = [0.01, 0.005, 0.0025]
    order = fit_order(steps, [drift(s_) for s_ in steps])
    out.append(
        Measurement(
            abs(order - 1.0),
            0.1,
            f"GD delta drift at t = 1: fitted order {order:.2f} in eta (1 expected)",
            "orders are 1 apart",
        )
    )
    return out
