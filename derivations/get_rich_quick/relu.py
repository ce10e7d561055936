r"""Kunin et al. (2024), Sec. 5 and App. C: two-layer (leaky) ReLU networks, neuron by neuron.

On an activation region the slopes ``sigma'(w_k^T x_i)`` are fixed (1 or the leak ``gamma``, a diagonal ``D_k``),
and ``sigma'(z) z = sigma(z)`` makes each neuron a single neuron of Sec. 3 with the error signal
``xi_k = sum_i sigma'(w_k^T x_i) x_i (f(x_i) - y_i) = X^T D_k (f - y)``:

* the per-neuron imbalance ``delta_k = eta_w a_k^2 - eta_a |w_k|^2`` is conserved (Sec. 5; Du et al. (2018));
* one GD step changes it by exactly ``eta^2 eta_a eta_w (eta_a g_{a_k}^2 - eta_w |g_{w_k}|^2)`` (derived here);
* eq. (10): ``mu_k = a_k |w_k|``, ``beta_hat_k = w_k/|w_k|`` follow ``mu_k' = -kappa_k beta_hat_k^T xi_k`` and
  ``beta_hat_k' = -(kappa_k + delta_k)/(2 mu_k) (I - beta_hat_k beta_hat_k^T) xi_k`` (Sec. 5, eqs. (9)-(10));
* Prop. C.2: colouring the activation regions by the parity of the number of active neurons is a valid
  2-colouring (App. C).
"""

from __future__ import annotations

import itertools

import numpy as np
import sympy as sp
from sympy import Identity, MatrixSymbol, ZeroMatrix

from lazyrich import (
    FLOAT64_EPS,
    Measurement,
    ReluNetworkModel,
    Source,
    claim,
    ddt,
    definition,
    equation,
    gradient_descent,
    gradient_flow,
    hypothesis,
    linalg_tolerance,
    quadratic_invariant_tolerance,
)

from .checking import evaluate_matrix, expand_rates, resolve, statement_proof
from .reference import RTOL, rng
from .symbols import PAPER, X, a_s, d, delta, eta_a, eta_w, kappa, mu, n, one_by_one, q_s, y

__all__ = ["conservation_relu", "eq10_relu", "gd_relu_drift", "prop_c2"]

a1, a2 = MatrixSymbol("a_1", 1, 1), MatrixSymbol("a_2", 1, 1)
w1, w2 = MatrixSymbol("w_1", d, 1), MatrixSymbol("w_2", d, 1)
D1, D2 = MatrixSymbol("D_1", n, n), MatrixSymbol("D_2", n, n)  # the (diagonal) activation slopes on one region
O_S = MatrixSymbol("o", n, 1)  # the other neurons' outputs
DL1, DL2 = MatrixSymbol(r"\delta_1", 1, 1), MatrixSymbol(r"\delta_2", 1, 1)


def _relu_rates():
    # f - y on the region (sigma(X w_k) = D_k X w_k); o: the other neurons' outputs
    resid = a1 * D1 * X * w1 + a2 * D2 * X * w2 + O_S - y
    return [
        hypothesis(ddt(a1), -eta_a * w1.T * X.T * D1 * resid),
        hypothesis(ddt(a2), -eta_a * w2.T * X.T * D2 * resid),
        hypothesis(ddt(w1), -eta_w * X.T * D1 * resid * a1),
        hypothesis(ddt(w2), -eta_w * X.T * D2 * resid * a2),
    ]


def _relu_conservation_statement():
    return [
        *_relu_rates(),
        definition(DL1, eta_w * a1.T * a1 - eta_a * w1.T * w1),
        definition(DL2, eta_w * a2.T * a2 - eta_a * w2.T * w2),
        equation(ddt(DL1), ZeroMatrix(1, 1)),
        equation(ddt(DL2), ZeroMatrix(1, 1)),
    ]


conservation_relu = claim(
    f"{PAPER}.conservation_relu",
    r"Per-neuron $\eta_w a_k^2 - \eta_a \|w_k\|^2$ is conserved in (leaky) ReLU networks",
    Source(
        PAPER,
        "Sec. 5 (per-neuron law; Du et al. (2018))",
        r"follows from $\sigma'(z) z = \sigma(z)$: on each activation region $\sigma(X w_k) = D_k X w_k$ with "
        "$D_k$ diagonal (symmetric); general shape, two neurons (the others only add to the residual)",
    ),
    statement=_relu_conservation_statement,
    equivalent={
        **one_by_one(
            "s0.transpose.1.4.1.0",
            "s0.transpose.1.4.2.0",
            "s1.transpose.1.4.1.0",
            "s1.transpose.1.4.2.0",
            "s2.transpose.1.3.1.0",
            "s2.transpose.1.3.2.0",
            "s2.transpose.1.4",
            "s3.transpose.1.3.1.0",
            "s3.transpose.1.3.2.0",
            "s3.transpose.1.4",
            "s4.transpose.1.1.1",
            "s4.transpose.1.1.2",
            "s5.transpose.1.1.1",
            "s5.transpose.1.1.2",
            "s6.transpose.0.0",
            "s7.transpose.0.0",
        ),
        **{
            lab: "D_k is diagonal (symmetric)"
            for lab in (
                "s0.transpose.1.3",
                "s0.transpose.1.4.1.1",
                "s0.transpose.1.4.2.1",
                "s1.transpose.1.3",
                "s1.transpose.1.4.1.1",
                "s1.transpose.1.4.2.1",
                "s2.transpose.1.2",
                "s2.transpose.1.3.1.1",
                "s2.transpose.1.3.2.1",
                "s3.transpose.1.2",
                "s3.transpose.1.3.1.1",
                "s3.transpose.1.3.2.1",
            )
        },
    },
)


@conservation_relu.symbolic_check
def per_neuron_delta_conserved(statement):
    """``d/dt delta_k`` under the region's rates, ``D_k`` symmetric, at general shape."""
    return statement_proof(statement, symmetric=(D1, D2))


def _relu_values(model, av, W):
    z = model.X @ W.T
    slope = np.where(z > 0, 1.0, model.leak)
    outputs = (slope * z) * av
    return {
        O_S: outputs[:, 2:].sum(axis=1)[:, None],
        X: model.X,
        y: model.y[:, None],
        eta_a: model.eta_a,
        eta_w: model.eta_w,
        a1: float(av[0]),
        a2: float(av[1]),
        w1: W[0][:, None],
        w2: W[1][:, None],
        D1: np.diag(slope[:, 0]),
        D2: np.diag(slope[:, 1]),
    }


@conservation_relu.numeric_check
def per_neuron_delta_along_flow(statement):
    """Four-neuron ReLU networks (neurons 1, 2 as ``a_1, w_1``, ``a_2, w_2``, the others in ``o``) whose activation patterns change along :func:`lazyrich.gradient_flow`: the
    statement's rates against :meth:`lazyrich.ReluNetworkModel.velocity` (on each state's region) and the drift
    of the statement's ``delta_k``."""
    out = []
    for seed, leak in ((28, 0.0), (15, 0.2)):
        r = rng(seed)
        nn, dd = 8, 3
        model = ReluNetworkModel(
            r.standard_normal((nn, dd)),
            r.standard_normal(nn),
            eta_a=r.uniform(0.5, 2),
            eta_w=r.uniform(0.5, 2),
            leak=leak,
        )
        init = (r.standard_normal(4), r.standard_normal((4, dd)))
        # the statement's rates against the model at the initial state first: a wrong flow fails before simulating
        rates0 = {
            rel.lhs.expr: rel.rhs
            for rel in statement
            if isinstance(rel.lhs, sp.Derivative) and type(rel).__name__ == "Hypothesis"
        }
        vals0, (va0, vW0) = _relu_values(model, *init), model.velocity(init)
        for var, engine in ((a1, va0[0]), (a2, va0[1]), (w1, vW0[0][:, None]), (w2, vW0[1][:, None])):
            err = float(np.abs(evaluate_matrix(rates0[var], vals0, dims={n: nn, d: dd}) - engine).max())
            if err > linalg_tolerance(1.0, 16 * nn * dd) * (1 + float(np.abs(init[1]).max())) ** 3:
                return [
                    Measurement(err, 0.0, f"leak={leak}: statement rate of {var} vs the model at t = 0", "must agree")
                ]
        traj = gradient_flow(model, init, np.linspace(0, 2.0, 201), rtol=RTOL)
        patterns = [tuple((model.X @ W.T > 0).ravel()) for W in traj["W"]]
        crossings = sum(p != q for p, q in itertools.pairwise(patterns))
        if crossings == 0:
            raise AssertionError("no activation pattern changed: the check would only cover one linear piece")
        dims = {n: nn, d: dd}
        rates = {
            rel.lhs.expr: rel.rhs
            for rel in statement
            if isinstance(rel.lhs, sp.Derivative) and type(rel).__name__ == "Hypothesis"
        }
        deltas = []
        for i in range(0, len(traj.t), 50):
            av, W = traj["a"][i], traj["W"][i]
            vals = _relu_values(model, av, W)
            va, vW = model.velocity((av, W))
            for var, engine in ((a1, va[0]), (a2, va[1]), (w1, vW[0][:, None]), (w2, vW[1][:, None])):
                got = evaluate_matrix(rates[var], vals, dims=dims)
                out.append(
                    Measurement(
                        float(np.abs(got - engine).max()),
                        linalg_tolerance(1.0, 16 * nn * dd) * (1 + traj.scale) ** 3,
                        f"leak={leak}, t={traj.t[i]:.1f}: rate of {var} vs the model",
                        "16 n d eps (1 + |theta|)^3",
                    )
                )
        for i in range(len(traj.t)):
            vals = _relu_values(model, traj["a"][i], traj["W"][i])
            deltas.append([float(evaluate_matrix(resolve(x, statement), vals, dims=dims)[0, 0]) for x in (DL1, DL2)])
        drift = float(np.abs(np.array(deltas) - deltas[0]).max())
        tol = quadratic_invariant_tolerance(traj.n_steps, traj.rtol, traj.atol, traj.scale)
        out.append(
            Measurement(
                drift,
                tol,
                f"leak={leak}, {crossings} pattern changes: drift of delta_k",
                "2 |W| n_steps (atol + rtol |W|)",
            )
        )
    return out


# ================================================================ ReLU GD drift
ETA = sp.Symbol("eta", positive=True)
R_S = MatrixSymbol("r", n, 1)  # f - y
GA, GW = MatrixSymbol("g_a", 1, 1), MatrixSymbol("g_w", d, 1)
A_N, W_N = MatrixSymbol("a^+", 1, 1), MatrixSymbol("w^+", d, 1)
DN = MatrixSymbol(r"\delta^+", 1, 1)


def _gd_relu_statement():
    return [
        definition(R_S, a1 * D1 * X * w1 + O_S - y),
        definition(GA, w1.T * X.T * D1 * R_S),  # dL/da_1
        definition(GW, X.T * D1 * R_S * a1),  # dL/dw_1
        definition(A_N, a1 - ETA * eta_a * GA),
        definition(W_N, w1 - ETA * eta_w * GW),
        definition(DL1, eta_w * a1.T * a1 - eta_a * w1.T * w1),
        definition(DN, eta_w * A_N.T * A_N - eta_a * W_N.T * W_N),
        equation(DN - DL1, ETA * ETA * eta_a * eta_w * (eta_a * GA.T * GA - eta_w * GW.T * GW)),
    ]


gd_relu_drift = claim(
    f"{PAPER}.gd_relu_drift",
    r"ReLU GD changes each $\delta_k$ by exactly $\eta^2 \eta_a \eta_w (\eta_a g_{a_k}^2 - \eta_w \|g_{w_k}\|^2)$ per step",
    Source(
        PAPER,
        "derived here (Sec. 5: per-neuron GD drift)",
        r"the linear terms cancel by $a_k g_{a_k} = w_k^T g_{w_k}$ ($\sigma'(z) z = \sigma(z)$); general shape",
    ),
    statement=_gd_relu_statement,
    equivalent={
        **one_by_one(
            "s0.transpose.1.1.0",
            "s2.transpose.1.3",
            "s3.transpose.1.1",
            "s5.transpose.1.1.1",
            "s5.transpose.1.1.2",
            "s7.transpose.0.0.1",
            "s7.transpose.0.1",
        ),
        **{
            lab: "D_1 is diagonal (symmetric)" for lab in ("s0.transpose.1.1.1", "s1.transpose.1.2", "s2.transpose.1.1")
        },
    },
)


@gd_relu_drift.symbolic_check
def relu_one_step_change(statement):
    """``delta^+ - delta`` from the statement's definitions, ``D_1`` symmetric, at general shape."""
    return statement_proof(statement, symmetric=(D1,))


@gd_relu_drift.numeric_check
def relu_gd_step(statement):
    """One step of :func:`lazyrich.gradient_descent` on ReLU networks (4 neurons): each neuron's change of
    ``delta_k`` against the statement (the neuron as ``a_1, w_1``, the others in ``o``)."""
    out = []
    for leak in (0.0, 0.3):
        r = rng(800)
        model = ReluNetworkModel(r.standard_normal((7, 3)), r.standard_normal(7), eta_a=0.8, eta_w=1.3, leak=leak)
        av, W = r.standard_normal(4), r.standard_normal((4, 3))
        h = 0.02
        a_new, W_new = gradient_descent(model, (av, W), h, [0.0, h]).at(1)
        z = model.X @ W.T
        slope = np.where(z > 0, 1.0, leak)
        outputs = (slope * z) * av  # each neuron's contribution to f
        for k in range(4):
            vals = {
                X: model.X,
                y: model.y[:, None],
                eta_a: 0.8,
                eta_w: 1.3,
                ETA: h,
                a1: float(av[k]),
                w1: W[k][:, None],
                D1: np.diag(slope[:, k]),
                O_S: (outputs.sum(axis=1) - outputs[:, k])[:, None],
            }
            dims = {n: 7, d: 3}
            rel = statement[-1]
            pred = evaluate_matrix(resolve(rel.rhs, statement), vals, dims=dims)
            lhs = evaluate_matrix(resolve(rel.lhs, statement), vals, dims=dims)
            actual = (1.3 * a_new[k] ** 2 - 0.8 * W_new[k] @ W_new[k]) - (1.3 * av[k] ** 2 - 0.8 * W[k] @ W[k])
            scale = max(np.abs(av).max(), np.abs(W).max(), 1.0) ** 2
            tol = 64 * FLOAT64_EPS * scale * 1.3
            out.append(
                Measurement(
                    float(np.abs(pred - actual).max()),
                    tol,
                    f"leak={leak}, neuron {k}: GD step vs formula",
                    "64 eps |theta|^2 max(eta)",
                )
            )
            out.append(
                Measurement(
                    float(np.abs(lhs - actual).max()),
                    tol,
                    f"leak={leak}, neuron {k}: the statement's delta^+ - delta",
                    "64 eps |theta|^2 max(eta)",
                )
            )
    return out


# ================================================================ eq. (10)
W_K, XI = MatrixSymbol("w_k", d, 1), MatrixSymbol(r"\xi_k", d, 1)
B_K = MatrixSymbol(r"\hat\beta_k", d, 1)
P_K = sp.Symbol("p", real=True)  # w_k^T xi_k


def _eq10_statement():
    return [
        # the neuron's flow on a region: a_k' = -eta_a w_k^T xi_k, w_k' = -eta_w a_k xi_k (q = |w_k|^2)
        hypothesis(ddt(a_s), -eta_a * P_K),
        hypothesis(ddt(W_K), -eta_w * a_s * XI),
        hypothesis(ddt(q_s), -2 * eta_w * a_s * P_K),
        hypothesis(W_K.T * XI, P_K * Identity(1)),
        definition(delta, eta_w * a_s**2 - eta_a * q_s),
        definition(mu, a_s * sp.sqrt(q_s)),
        definition(kappa, sp.sqrt(delta**2 + 4 * eta_a * eta_w * mu**2)),
        definition(B_K, W_K / sp.sqrt(q_s)),
        equation(ddt(mu), -kappa * P_K / sp.sqrt(q_s)),  # beta_hat_k^T xi_k = p / |w_k|
        equation(ddt(B_K), -(kappa + delta) / (2 * mu) * (XI - B_K * B_K.T * XI)),
    ]


eq10_relu = claim(
    f"{PAPER}.eq10_relu",
    r"Eq. (10): $\dot\mu_k = -\sqrt{\delta_k^2 + 4 g^2 \mu_k^2} \, \hat\beta_k^T \xi_k$, $\dot{\hat\beta}_k = -(\sqrt{\delta_k^2 + 4 g^2 \mu_k^2} + \delta_k)/(2 \mu_k) \, (I - \hat\beta_k \hat\beta_k^T) \xi_k$",
    Source(
        PAPER,
        "Sec. 5, eqs. (9)-(10)",
        r"general shape: $\xi_k = X^T D_k (f - y)$ on an activation region (the rates are checked against "
        r"the ReLU model); $\mu_k = a_k \|w_k\|$, $\hat\beta_k = w_k/\|w_k\|$, $q = \|w_k\|^2$, $p = w_k^T \xi_k$",
    ),
    statement=_eq10_statement,
)


@eq10_relu.symbolic_check
def eq10_from_the_neuron_flow(statement):
    """``d/dt mu_k`` and ``d/dt beta_hat_k`` under the neuron's rates, ``w_k^T w_k = q``, ``w_k^T xi_k = p``."""
    return statement_proof(statement)


@eq10_relu.numeric_check
def eq10_against_the_model(statement):
    """Random (leaky) ReLU networks: ``xi_k`` from the activations, the statement's rates against
    :meth:`lazyrich.ReluNetworkModel.velocity`, and eq. (10) with the model's velocity."""
    out = []
    for seed, leak in ((220, 0.0), (221, 0.25)):
        r = rng(seed)
        Xd, yd = r.standard_normal((6, 3)), r.standard_normal(6)
        model = ReluNetworkModel(Xd, yd, *r.uniform(0.5, 2.0, 2), leak=leak)
        av, W = r.standard_normal(4), r.standard_normal((4, 3))
        va, vW = model.velocity((av, W))
        z = Xd @ W.T
        slope = np.where(z > 0, 1.0, leak)
        res = (slope * z) @ av - yd
        for k in range(4):
            xi = Xd.T @ (slope[:, k] * res)
            vals = {
                a_s: av[k],
                q_s: W[k] @ W[k],
                P_K: W[k] @ xi,
                W_K: W[k][:, None],
                XI: xi[:, None],
                eta_a: model.eta_a,
                eta_w: model.eta_w,
            }
            engine = {a_s: va[k], W_K: vW[k][:, None], q_s: 2 * W[k] @ vW[k]}
            tol = linalg_tolerance(1.0, 64 * 6 * 3) * (1 + float(np.abs(vW).max()) + abs(va[k]))
            for rel in statement:
                if type(rel).__name__ == "Hypothesis" and isinstance(rel.lhs, sp.Derivative):
                    got = np.asarray(evaluate_matrix(rel.rhs, vals, dims={d: 3}), dtype=float)
                    err = float(np.abs(got - engine[rel.lhs.expr]).max())
                    out.append(
                        Measurement(
                            err, tol, f"leak={leak}, neuron {k}: rate of {rel.lhs.expr} vs the model", "64 n d eps"
                        )
                    )
            # eq. (10) with the model's velocity: chain rule through the statement's definitions
            place = {a_s: sp.Symbol("Va"), q_s: sp.Symbol("Vq"), W_K: MatrixSymbol("Vw", d, 1)}

            for rel in statement[-2:]:
                lhs = resolve(expand_rates(rel.lhs, statement, given_rates=place), statement, values=False)
                rhs = resolve(rel.rhs, statement, values=False)
                pv = {
                    **vals,
                    sp.Symbol("Va"): va[k],
                    sp.Symbol("Vq"): 2 * W[k] @ vW[k],
                    MatrixSymbol("Vw", d, 1): vW[k][:, None],
                }
                lv, rv = (np.asarray(evaluate_matrix(x, pv, dims={d: 3}), dtype=float) for x in (lhs, rhs))
                out.append(
                    Measurement(
                        float(np.abs(lv - rv).max()),
                        tol,
                        f"leak={leak}, neuron {k}: {sp.sstr(rel.lhs)[:30]}",
                        "64 n d eps",
                    )
                )
    return out


# ================================================================ Proposition C.2: parity 2-colouring
N_ACT, N_NEXT = sp.Symbol("n", integer=True, nonnegative=True), sp.Symbol("n'", integer=True, nonnegative=True)
S_K = sp.Symbol("s_k", integer=True, nonnegative=True)  # 1 if neuron k is active before the crossing, else 0


def _c2_statement():
    return [
        # adjacent regions share a facet of exactly one hyperplane w_k^T x = 0 (no redundant neurons):
        # crossing it flips neuron k only
        definition(N_NEXT, N_ACT + (1 - S_K) - S_K),
        equation((-1) ** N_NEXT, -((-1) ** N_ACT)),
    ]


prop_c2 = claim(
    f"{PAPER}.prop_c2",
    "Prop. C.2: with no redundant neurons, colouring activation regions by the parity of the number of active neurons is a valid 2-colouring",
    Source(
        PAPER,
        "Prop. C.2 (App. C, p. 35; ReLU networks of Sec. 5)",
        r"bias-free two-layer ReLU net. Proven: the active count after crossing the facet of neuron $k$ is "
        r"$n' = n + (1 - s_k) - s_k$, whose parity differs ($s_k$ an integer); checked numerically: a generic "
        "facet point lies on one hyperplane only, so crossing flips exactly one neuron",
    ),
    statement=_c2_statement,
    equivalent={
        "s0.scale.1.2.0": "still odd: 1 - 2 s_k and 1 - 3 s_k ... n' - n = 1 - (c + 1) s_k keeps parity for even c"
    },
)


@prop_c2.symbolic_check
def parity_flips_across_a_facet(statement):
    """``(-1)^{n'} + (-1)^n`` with the statement's ``n'``, for integer ``s_k``."""
    return statement_proof(statement)


@prop_c2.numeric_check
def parity_of_adjacent_regions(statement):
    """Random bias-free nets: points pushed across each facet ``w_k^T x = 0``: the active count on the other
    side against the statement's ``n'``, and the statement's parity relation there."""
    out = []
    n_next = sp.lambdify((N_ACT, S_K), resolve(N_NEXT, statement))
    rel = statement[-1]
    lhs, rhs = (sp.lambdify((N_ACT, S_K), resolve(x, statement)) for x in (rel.lhs, rel.rhs))
    for seed, (dd, hh) in enumerate([(2, 6), (3, 8), (4, 10)]):
        r = rng(250 + seed)
        W = r.standard_normal((hh, dd))
        wrong = 0
        for k in range(hh):
            for _ in range(20):
                x = r.standard_normal(dd)
                x -= (W[k] @ x) / (W[k] @ W[k]) * W[k]
                margin = np.min(np.abs(np.delete(W, k, axis=0) @ x))
                step = 0.5 * margin / np.linalg.norm(W, axis=1).max() / np.linalg.norm(W[k]) * W[k]
                for side in (1.0, -1.0):
                    before, after = W @ (x - side * step) > 0, W @ (x + side * step) > 0
                    n0, s0 = int(before.sum()), int(before[k])
                    wrong += int(n_next(n0, s0) != int(after.sum()))
                    wrong += int(lhs(n0, s0) != rhs(n0, s0))
        out.append(
            Measurement(
                float(wrong),
                0.0,
                f"d={dd}, h={hh}: facet crossings against the statement (of {40 * hh})",
                "exact counts",
            )
        )
    return out
