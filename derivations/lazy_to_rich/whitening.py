r"""Whitened inputs (Dominé et al. (2025), Sec. 3, assumption A1): the loss, its rate, and scaled whitening.

For data :math:`X` (:math:`N_i\times P`), :math:`Y` (:math:`N_o\times P`) with :math:`XX^T = P\,I`
(whitened, A1) and :math:`YX^T = P\,\Sigma_{yx}`, the data loss is, at general shape (derived here),

.. math::
    \frac{1}{2P}\operatorname{tr}\big[(Y - W_2W_1X)(Y - W_2W_1X)^T\big]
    = \tfrac12\|W_2W_1 - \Sigma_{yx}\|_F^2 - \tfrac12\|\Sigma_{yx}\|_F^2 + \tfrac{1}{2P}\operatorname{tr}YY^T,

and along the gradient flow :math:`\tau\dot W_1 = W_2^TE`, :math:`\tau\dot W_2 = EW_1^T`
(:math:`E = \Sigma_{yx} - W_2W_1`) the loss decreases at the rate
:math:`\dot{\mathcal L} = -(\|W_2^TE\|_F^2 + \|EW_1^T\|_F^2)/\tau` (Anguita (2024), Thm 4.4.1).
With :math:`\Sigma_{xx} = cI` instead, the flow is the whitened flow with target :math:`\Sigma_{yx}/c` and
time constant :math:`\tau/c` (derived here). All three are proven by the matrix calculus at general shape.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import sympy as sp
from sympy import Identity, MatrixSymbol, Trace

from lazyrich import (
    DeepLinearModel,
    Measurement,
    Source,
    claim,
    ddt,
    equation,
    gradient_flow,
    hypothesis,
    linalg_tolerance,
    ode_global_tolerance,
    random_orthogonal,
    rewrite_rules,
    split_statement,
)

from .reference import balanced_pair, random_task, seeded_rng
from .statement_tools import expand_ddt, f64, rates_of, screened_proof
from .symbols import P_, PAPER, RTOL, W1, W2, N_h, N_i, N_o, Sigma, tau

__all__ = ["loss_identities", "scaled_whitening"]

X_s = MatrixSymbol("X", N_i, P_)
Y_s = MatrixSymbol("Y", N_o, P_)
c_sc = sp.Symbol("c", positive=True)
Sxx = MatrixSymbol("Sigma_xx", N_i, N_i)


def _fro2(A):
    return Trace(A * A.T)


def _loss_statement():
    M = W2 * W1
    E = Sigma - M
    whitened = _fro2(M - Sigma) / 2
    return [
        hypothesis(X_s * X_s.T, P_ * Identity(N_i)),
        hypothesis(Y_s * X_s.T, P_ * Sigma),
        equation(ddt(W1), W2.T * E / tau),
        equation(ddt(W2), E * W1.T / tau),
        equation(_fro2(Y_s - M * X_s) / (2 * P_), whitened - _fro2(Sigma) / 2 + _fro2(Y_s) / (2 * P_)),
        equation(ddt(whitened), sp.Add(-_fro2(W2.T * E) / tau, -_fro2(E * W1.T) / tau, evaluate=False)),
    ]


loss_identities = claim(
    "lazy_to_rich.loss_identities",
    r"Whitened loss $\mathcal{L} = \|W_2 W_1 - \Sigma_{yx}\|_F^2/2 + \mathrm{const}$, and $\dot{\mathcal{L}} = -(\|W_2^T (\Sigma_{yx} - W_2 W_1)\|_F^2 + \|(\Sigma_{yx} - W_2 W_1) W_1^T\|_F^2)/\tau \le 0$",
    Source(
        PAPER,
        "Sec. 3 (loss under A1)",
        "derived here at general shape; loss rate: Anguita (2024), Thm 4.4.1; the layer rates are checked "
        "against lazyrich.DeepLinearModel",
    ),
    statement=_loss_statement,
)


@loss_identities.symbolic_check
def loss_identities_by_calculus(statement):
    """The data loss under the whitening hypotheses, and the loss rate under the statement's layer rates."""
    parts = split_statement(statement)
    rules = rewrite_rules(parts.hypotheses)
    rates = rates_of(parts.relations[:2])
    data, rate = parts.relations[2:]
    res = [data.lhs - data.rhs, expand_ddt(rate.lhs, rates) - rate.rhs]
    return screened_proof(res, rules, steps=[data, rate], rates=rates)


@loss_identities.numeric_check
def loss_identities_on_whitened_data(statement):
    """A whitened data set (6 samples), a balanced net along lazyrich.gradient_flow: every relation evaluated."""
    parts = split_statement(statement)
    rng = seeded_rng(250)
    ni, nh, no, P, lm = 3, 2, 2, 6, 0.4
    X = math.sqrt(P) * random_orthogonal(P, rng)[:ni]  # rows orthonormal: X X^T / P = I (whitened)
    Y = rng.standard_normal((no, P))
    syx = Y @ X.T / P
    model = DeepLinearModel(syx, tau=1.3)
    dims = {N_i: ni, N_h: nh, N_o: no, P_: P}
    W1v, W2v = balanced_pair(rng, ni, nh, no, lm)
    traj = gradient_flow(model, (W1v, W2v), np.linspace(0, 4, 5), rtol=RTOL)
    out = []
    base = {X_s: X, Y_s: Y, Sigma: syx, tau: model.tau, P_: P}
    for h in parts.hypotheses:  # the data set satisfies the hypotheses
        err = float(np.abs(f64(h.lhs - h.rhs, base, dims)).max())
        out.append(Measurement(err, linalg_tolerance(1.0, 4 * P) * P * max(1.0, np.abs(Y).max()), f"{h}", "n eps"))
    losses = []
    for i in range(len(traj.t)):
        A, B = traj.at(i)
        vals = {**base, W1: A, W2: B}
        scale = max(1.0, np.abs(A).max(), np.abs(B).max()) ** 4 * (1 + np.abs(Y).max() ** 2)
        tol = linalg_tolerance(1.0, 32 * P) * scale
        for rel, v in zip(parts.relations[:2], model.velocity((A, B))):
            out.append(
                Measurement(float(np.abs(f64(rel.rhs, vals, dims) - v).max()), tol, f"{rel.lhs} vs model", "n eps")
            )
        data = parts.relations[2]
        lhs = f64(data.lhs, vals, dims)
        losses.append((lhs, tol))
        out.append(Measurement(abs(lhs - float(np.sum((Y - B @ A @ X) ** 2)) / (2 * P)), tol, "data loss", "n eps"))
        out.append(Measurement(abs(lhs - f64(data.rhs, vals, dims)), tol, f"t={traj.t[i]:g}: whitened loss", "n eps"))
        dA, dB = model.velocity((A, B))  # chain rule on the model's velocities: d/dt 1/2|M - S|^2
        chain = float(np.sum((dB @ A + B @ dA) * (B @ A - syx)))
        rate = parts.relations[3]
        out.append(Measurement(abs(f64(rate.rhs, vals, dims) - chain), tol, f"t={traj.t[i]:g}: loss rate", "n eps"))
    # an increase beyond both values' rounding bounds (each loss is within its tol of the exact one)
    increases = sum(b > a + ta + tb for (a, ta), (b, tb) in itertools.pairwise(losses))
    out.append(Measurement(float(increases), 0.0, "the loss never increases along the flow", "exact count"))
    return out


# ---------------------------------------------------------------- scaled whitening
def _scaled_statement():
    E = Sigma - W2 * W1 * Sxx
    Ec = Sigma / c_sc - W2 * W1
    return [
        hypothesis(Sxx, c_sc * Identity(N_i)),
        equation(tau * ddt(W1), W2.T * E),
        equation(tau * ddt(W2), E * W1.T),
        equation(tau / c_sc * ddt(W1), W2.T * Ec),
        equation(tau / c_sc * ddt(W2), Ec * W1.T),
    ]


scaled_whitening = claim(
    "lazy_to_rich.scaled_whitening",
    r"$\Sigma_{xx} = c I$ gives the whitened dynamics with target $\Sigma_{yx}/c$ and time constant $\tau/c$",
    Source(
        PAPER,
        "derived here (Sec. 3, assumption A1)",
        "e.g. $X = I_8$ with the $1/P$ convention: $c = 1/8$; proven at general shape; the flow with a general "
        "$\\Sigma_{xx}$ is checked against lazyrich.DeepLinearModel",
    ),
    statement=_scaled_statement,
    equivalent={
        label: "Sigma_xx = X X^T / P is symmetric: Sigma_xx^T is the same matrix"
        for label in ("s0.transpose.0", "s1.transpose.1.1.0.3", "s2.transpose.1.0.0.3")
    },
)


@scaled_whitening.symbolic_check
def scaled_flow_is_whitened_flow(statement):
    """The rates of the Sigma_xx flow, Sigma_xx -> c I, times 1/c equal the scaled relations' right sides."""
    parts = split_statement(statement)
    rules = rewrite_rules(parts.hypotheses)
    rates = rates_of(parts.relations[:2])
    res = []
    for rel in parts.relations[2:]:
        coeff = rel.lhs / rel.lhs.atoms(sp.Derivative).pop()
        res.append(sp.MatAdd(coeff * rates[rel.lhs.atoms(sp.Derivative).pop().expr], sp.MatMul(-1, rel.rhs)))
    return screened_proof(res, rules)


@scaled_whitening.numeric_check
def scaled_flow_against_simulation(statement):
    """The statement's rates against DeepLinearModel (Sigma_xx = c I), then both flows simulated."""
    parts = split_statement(statement)
    rng = seeded_rng(280)
    ni, nh, no, c, tau_ = 3, 2, 2, 0.3, 1.3
    syx = random_task(rng, ni, no) * c
    init = (rng.standard_normal((nh, ni)) * 0.5, rng.standard_normal((no, nh)) * 0.5)
    dims = {N_i: ni, N_h: nh, N_o: no}
    sxx = f64(parts.hypotheses[0].rhs, {c_sc: c}, dims)
    model = DeepLinearModel(syx, sxx, tau=tau_)
    scaled = DeepLinearModel(syx / c, tau=tau_ / c)
    vals = {W1: init[0], W2: init[1], Sigma: syx, Sxx: sxx, c_sc: c, tau: tau_}
    out = []
    tol_v = linalg_tolerance(1.0, 32 * ni) * max(1.0, np.abs(syx).max() / c)
    for rel, v in zip(parts.relations, [*model.velocity(init), *model.velocity(init)]):
        coeff = f64(rel.lhs / rel.lhs.atoms(sp.Derivative).pop(), vals)
        got = f64(rel.rhs, vals, dims) / coeff
        out.append(Measurement(float(np.abs(got - v).max()), tol_v, f"{rel.lhs}: rate vs model", "n eps"))
    ts = np.linspace(0, 20, 5)
    a = gradient_flow(model, init, ts, rtol=RTOL)
    b = gradient_flow(scaled, init, ts, rtol=RTOL)
    tol = ode_global_tolerance(a.n_steps, RTOL, a.atol, a.scale) + ode_global_tolerance(
        b.n_steps, RTOL, b.atol, b.scale
    )
    out.append(
        Measurement(
            max(float(np.abs(x - y).max()) for x, y in zip(a.params, b.params)),
            tol,
            "flow with Sigma_xx = cI vs whitened flow with Sigma/c, tau/c",
            "sum of both solvers' global bounds",
        )
    )
    return out
