r"""Conservation of every adjacent imbalance of a deep linear network, and the invariant balanced manifold.

For :math:`W = W_N\cdots W_1` trained by gradient flow on any loss of :math:`W`,
:math:`\dot W_l = -A_l^T\nabla L(W)B_l^T` with :math:`A_l = W_N\cdots W_{l+1}`, :math:`B_l = W_{l-1}\cdots W_1`
(Arora, Cohen, Hazan (2018), Sec. 5; Saxe et al. (2014)). For an adjacent pair write :math:`A` for the
layers above :math:`W_{l+1}` and :math:`B` for those below :math:`W_l`: then
:math:`A_l = A W_{l+1}` and :math:`B_{l+1} = W_l B`, and the two layer rates are the statement's first two
relations, at *general depth* (``A`` and ``B`` are arbitrary products) and *general shape* (every width is a
symbol). The imbalance :math:`W_{l+1}^TW_{l+1} - W_lW_l^T` has zero derivative (Arora, Cohen, Hazan (2018),
Thm 1's balancedness assumption is preserved; proven here by the calculus), so the balanced manifold
:math:`W_{l+1}^TW_{l+1} = W_lW_l^T` (all ``l``) is invariant.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from lazyrich import (
    FLOAT64_EPS,
    Measurement,
    Proof,
    Source,
    claim,
    ddt,
    equation,
    linalg_tolerance,
    quadratic_invariant_tolerance,
)
from lazyrich.symbolic import evaluate, time_derivative

from .reference import balanced_instance, chain, random_instance, simulate
from .symbols import A, B, G, W_a, W_b, k, m, p, q, r, tau

__all__ = ["balanced_manifold", "imbalance_conservation"]

RTOL = 1e-12


def _rate_relations():
    """``dW_l/dt`` and ``dW_{l+1}/dt`` of an adjacent pair, at general depth (``A``, ``B``) and shape."""
    return [
        equation(ddt(W_a), -(W_b.T * A.T * G * B.T) / tau),
        equation(ddt(W_b), -(A.T * G * B.T * W_a.T) / tau),
    ]


def _rates(statement) -> dict:
    """The layer rates as the statement gives them (its first two relations)."""
    return {rel.lhs.expr: rel.rhs for rel in statement[:2]}


def _pairs(model, params):
    """Per adjacent pair ``l, l+1``: the values of ``W_a, W_b, A, B, G, tau`` and the widths."""
    n_in = params[0].shape[1]
    grad = -model.residual(params)  # nabla L(W) = -(Sigma_yx - W Sigma_xx)
    for i in range(len(params) - 1):
        Wa, Wb = params[i], params[i + 1]
        above = chain(params[i + 2 :], Wb.shape[0])
        below = chain(params[:i], n_in)
        values = {W_a: Wa, W_b: Wb, A: above, B: below, G: grad, tau: model.tau}
        dims = {k: Wa.shape[1], m: Wa.shape[0], p: Wb.shape[0], q: above.shape[0], r: n_in}
        yield i, values, dims


def _check_rates(statement, model, params) -> list:
    """The statement's layer rates against :meth:`lazyrich.DeepLinearModel.velocity` (the engine) at every pair."""
    vel = model.velocity(params)
    out = []
    for i, values, dims in _pairs(model, params):
        for rel, v in zip(statement[:2], (vel[i], vel[i + 1])):
            got = evaluate(rel.rhs, values, dims=dims, arithmetic="float64")
            err = float(np.abs(got - v).max())
            tol = linalg_tolerance(1.0, 4 * len(params) * max(dims.values())) * max(1.0, float(np.abs(v).max()))
            out.append(
                Measurement(err, tol, f"pair {i + 1}: statement rate of {rel.lhs.expr} vs the model", "4 N n eps")
            )
    return out


imbalance_conservation = claim(
    "deep_linear.imbalance_conservation",
    "Every adjacent imbalance $W_{l+1}^T W_{l+1} - W_l W_l^T$ is conserved, at general depth and shape",
    Source(
        "deep_linear",
        "Arora, Cohen, Hazan (2018), Sec. 5 (balancedness); derived here at general depth",
        "A and B stand for the products of the layers above and below the pair, so the proof holds at every depth",
    ),
    statement=lambda: [*_rate_relations(), equation(ddt(W_b.T * W_b - W_a * W_a.T), sp.ZeroMatrix(m, m))],
)


@imbalance_conservation.symbolic_check
def imbalance_derivative_vanishes(statement):
    rel = statement[2]
    d = time_derivative(rel.lhs.expr, _rates(statement))
    return Proof(residuals=[d - rel.rhs], steps=[equation(rel.lhs, d)], rates=_rates(statement))


@imbalance_conservation.numeric_check
def imbalance_constant_along_flow(statement):
    """Unbalanced random depth-4 network of mixed widths: the rates are the model's, the imbalance is constant."""
    model, params = random_instance((3, 4, 2, 5, 3), seed=1)
    out = _check_rates(statement, model, params)
    ts = np.linspace(0.0, 2.0, 5)
    traj = simulate(model, params, ts, rtol=RTOL)
    rel = statement[2]
    for i, _values, dims in _pairs(model, params):
        layer = [traj[n] for n in traj.names]
        scale = max(float(np.abs(x).max()) for x in layer)
        start = None
        for j, t in enumerate(ts):
            vals = {W_a: layer[i][j], W_b: layer[i + 1][j]}
            imb = evaluate(rel.lhs.expr, vals, dims=dims, arithmetic="float64")
            rate = evaluate(rel.rhs, vals, dims=dims, arithmetic="float64")
            if start is None:
                start = imb
                continue
            # d/dt imbalance = rhs (a constant matrix for every mutant that keeps it constant): D(t) = D(0) + t rhs
            err = float(np.abs(imb - start - t * rate).max())
            tol = quadratic_invariant_tolerance(traj.n_steps, RTOL, traj.atol, scale)
            out.append(Measurement(err, tol, f"pair {i + 1}, t = {t}: imbalance drift", "2 |W| e + e^2"))
    return out


balanced_manifold = claim(
    "deep_linear.balanced_manifold",
    "The balanced manifold $W_{l+1}^T W_{l+1} = W_l W_l^T$ is invariant under gradient flow",
    Source(
        "deep_linear",
        "Arora, Cohen, Hazan (2018), Sec. 5 (balanced initialization); derived here at general depth",
        "the relation holds at every t when it holds at t = 0: its derivative vanishes under the layer rates",
    ),
    statement=lambda: [*_rate_relations(), equation(W_b.T * W_b, W_a * W_a.T)],
)


@balanced_manifold.symbolic_check
def balance_derivative_vanishes(statement):
    rel = statement[2]
    d = time_derivative(rel.lhs - rel.rhs, _rates(statement))
    return Proof(residuals=[d], steps=[equation(ddt(rel.lhs - rel.rhs), d)], rates=_rates(statement))


@balanced_manifold.numeric_check
def balance_kept_along_flow(statement):
    """Balanced depth-3, 4 and 5 networks of mixed widths stay balanced along lazyrich.gradient_flow."""
    rel = statement[2]
    out = []
    for widths in [(3, 2, 4, 3), (2, 3, 3, 4, 2), (3, 3, 4, 2, 3, 3)]:
        model, params = balanced_instance(widths, seed=len(widths))
        out += _check_rates(statement, model, params)
        ts = np.array([0.0, 0.5, 2.0])
        traj = simulate(model, params, ts, rtol=RTOL)
        layer = [traj[n] for n in traj.names]
        scale = max(float(np.abs(x).max()) for x in layer)
        for i, _values, dims in _pairs(model, params):
            for j, t in enumerate(ts):
                vals = {W_a: layer[i][j], W_b: layer[i + 1][j]}
                gap = evaluate(rel.lhs - rel.rhs, vals, dims=dims, arithmetic="float64")
                err = float(np.abs(gap).max())
                # at t = 0 the construction's own rounding (a few products of orthonormal factors)
                tol = quadratic_invariant_tolerance(traj.n_steps, RTOL, traj.atol, scale) + 16 * FLOAT64_EPS * scale**2
                out.append(
                    Measurement(err, tol, f"depth {len(params)}, pair {i + 1}, t = {t}: balance", "2 |W| e + e^2")
                )
    return out
