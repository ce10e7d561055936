r"""Conservation of the imbalance (Dominé et al. (2025), Sec. 3, assumption A2) and its breaking by gradient descent.

Identities:

* two layers, any input covariance: under :math:`\tau\dot W_1 = W_2^TE`, :math:`\tau\dot W_2 = EW_1^T`,
  :math:`E = \Sigma_{yx} - W_2W_1\Sigma_{xx}`, the imbalance :math:`W_2^TW_2 - W_1W_1^T` is constant
  (Sec. 3, assumption A2; Anguita (2024), Thm 2.2.1), so lambda-balance holds for all time;
* three layers: every adjacent imbalance is constant (derived here, Sec. 3);
* one gradient-descent step :math:`W_1^+ = W_1 + \eta W_2^TE`, :math:`W_2^+ = W_2 + \eta EW_1^T` changes the imbalance by
  exactly :math:`\eta^2(W_1E^TEW_1^T - W_2^TEE^TW_2)` (derived here, Sec. 3), so after a fixed time the drift is
  :math:`O(\eta)` (measured, also at depth 3).
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import MatrixSymbol, ZeroMatrix

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
    fit_order,
    gradient_descent,
    gradient_flow,
    matrix_with_singular_values,
    quadratic_invariant_tolerance,
    split_statement,
    substitutions,
)
from lazyrich.symbolic import evaluate, time_derivative

from .reference import seeded_rng
from .symbols import PAPER, RTOL, W1, W2, N_h, N_i, N_o, exact_screen, expand_definitions, statement_rates, tau

__all__ = ["conservation_deep", "conservation_two_layer", "gd_deep_drift", "gd_imbalance_step"]

eta = sp.Symbol("eta", positive=True)
N_g = sp.Symbol("N_g", positive=True, integer=True)  # second hidden width
Sxx = MatrixSymbol("Sigma_xx", N_i, N_i)
Syx = MatrixSymbol("Sigma_yx", N_o, N_i)
W2d = MatrixSymbol("W_2", N_g, N_h)
W3d = MatrixSymbol("W_3", N_o, N_g)
E_sym = MatrixSymbol("E", N_o, N_i)  # the residual, frozen during one step
W1p = MatrixSymbol("W_1^+", N_h, N_i)
W2p = MatrixSymbol("W_2^+", N_o, N_h)
DRIFT = sp.Symbol(r"\|C_l(1) - C_l(0)\|")
SCREEN_DIMS = {N_i: 2, N_h: 2, N_o: 2, N_g: 1}


def _task(rng, n_in: int, n_out: int):
    """A random ``Sigma_yx`` and a well-conditioned, non-whitened ``Sigma_xx``."""
    syx = matrix_with_singular_values((n_out, n_in), rng.uniform(0.5, 2.0, min(n_in, n_out)), rng)
    s = rng.uniform(0.5, 1.5, n_in)
    Q = matrix_with_singular_values((n_in, n_in), np.ones(n_in), rng)
    return syx, (Q * s) @ Q.T


def _conserved_residuals(statement):
    """``d/dt C - rhs`` for every relation ``d/dt C = rhs`` whose ``C`` is not a layer, under the statement's rates."""
    parts = split_statement(statement)
    rates = statement_rates(parts.relations)
    residuals = []
    for rel in parts.relations:
        if isinstance(rel.lhs, sp.Derivative) and rel.lhs.expr not in rates:
            residuals.append(sp.MatAdd(time_derivative(rel.lhs.expr, rates), sp.MatMul(-1, rel.rhs)))
    return residuals, rates


def _prove_conserved(statement):
    residuals, rates = _conserved_residuals(statement)
    bad = exact_screen(residuals, SCREEN_DIMS)
    steps = [equation(ddt(w), r) for w, r in rates.items()]
    return Proof(residuals=bad or residuals, steps=steps, rates=rates, symmetric=(Sxx,))


def _check_flow(statement, model, init, dims_of, label) -> list:
    """The statement's rates against the engine, and each conserved quantity along a DOP853 flow: C(t) = C(0) + t rhs."""
    parts = split_statement(statement)
    rates = statement_rates(parts.relations)
    layers = list(rates)
    syx, sxx = model.sigma_yx, model.sigma_xx
    traj = gradient_flow(model, init, np.linspace(0.0, 3.0, 7), rtol=RTOL)
    scale = traj.scale
    tol = quadratic_invariant_tolerance(traj.n_steps, traj.rtol, traj.atol, scale)
    dims = dims_of(init)
    out = []
    vals0 = {**dict(zip(layers, init)), Syx: syx, Sxx: sxx, tau: model.tau}
    for W, v in zip(layers, model.velocity(init)):
        got = evaluate(rates[W], vals0, dims=dims, arithmetic="float64")
        out.append(
            Measurement(
                float(np.abs(got - v).max()),
                16 * FLOAT64_EPS * len(layers) * max(dims.values()) * max(1.0, float(np.abs(v).max())),
                f"{label}: statement's rate of {W} vs the model",
                "16 N n eps |v|",
            )
        )
    for rel in parts.relations:
        if not (isinstance(rel.lhs, sp.Derivative) and rel.lhs.expr not in rates):
            continue
        start, worst = None, 0.0
        for j, t_ in enumerate(traj.t):
            vals = {**dict(zip(layers, traj.at(j))), Syx: syx, Sxx: sxx, tau: model.tau}
            c = evaluate(rel.lhs.expr, vals, dims=dims, arithmetic="float64")
            rhs = evaluate(rel.rhs, vals, dims=dims, arithmetic="float64")
            start = c if start is None else start
            worst = max(worst, float(np.abs(c - start - t_ * rhs).max()))
        out.append(Measurement(worst, tol, f"{label}: drift of {rel.lhs.expr}", "2 |W| n_steps (atol + rtol |W|)"))
    return out


# ================================================================ claim 2: two-layer conservation
conservation_two_layer = claim(
    "lazy_to_rich.conservation_two_layer",
    r"Gradient flow conserves $W_2^T W_2 - W_1 W_1^T$ for any $\Sigma_{xx}$",
    Source(PAPER, "Sec. 3, assumption A2 (Anguita (2024), Thm 2.2.1)", "proven at general shape"),
    statement=lambda: [
        equation(tau * ddt(W1), W2.T * (Syx - W2 * W1 * Sxx)),
        equation(tau * ddt(W2), (Syx - W2 * W1 * Sxx) * W1.T),
        equation(ddt(W2.T * W2 - W1 * W1.T), ZeroMatrix(N_h, N_h)),
    ],
    equivalent={
        "s0.transpose.1.1.0.3": "Sigma_xx is symmetric (a covariance)",
        "s1.transpose.1.0.0.3": "Sigma_xx is symmetric (a covariance)",
    },
)


@conservation_two_layer.symbolic_check
def two_layer_imbalance_constant(statement):
    return _prove_conserved(statement)


@conservation_two_layer.numeric_check
def two_layer_imbalance_along_flow(statement):
    out = []
    for seed, (ni, nh, no) in enumerate([(3, 2, 2), (2, 4, 3)]):
        rng = seeded_rng(100 + seed)
        syx, sxx = _task(rng, ni, no)
        model = DeepLinearModel(syx, sxx, tau=rng.uniform(0.5, 2.0))
        init = (rng.standard_normal((nh, ni)) * 0.7, rng.standard_normal((no, nh)) * 0.7)
        out += _check_flow(
            statement,
            model,
            init,
            lambda p: {N_i: p[0].shape[1], N_h: p[0].shape[0], N_o: p[1].shape[0]},
            f"{ni}-{nh}-{no}",
        )
    return out


# ================================================================ deep conservation (three layers)
conservation_deep = claim(
    "lazy_to_rich.conservation_deep",
    "Deep linear gradient flow conserves every $W_{l+1}^T W_{l+1} - W_l W_l^T$",
    Source(PAPER, "derived here (Sec. 3: general conserved quantity)", "proven at general shape for three layers"),
    statement=lambda: [
        equation(tau * ddt(W1), (W3d * W2d).T * (Syx - W3d * W2d * W1 * Sxx)),
        equation(tau * ddt(W2d), W3d.T * (Syx - W3d * W2d * W1 * Sxx) * W1.T),
        equation(tau * ddt(W3d), (Syx - W3d * W2d * W1 * Sxx) * (W2d * W1).T),
        equation(ddt(W2d.T * W2d - W1 * W1.T), ZeroMatrix(N_h, N_h)),
        equation(ddt(W3d.T * W3d - W2d * W2d.T), ZeroMatrix(N_g, N_g)),
    ],
    equivalent={
        "s0.transpose.1.1.0.4": "Sigma_xx is symmetric (a covariance)",
        "s1.transpose.1.1.0.4": "Sigma_xx is symmetric (a covariance)",
        "s2.transpose.1.0.0.4": "Sigma_xx is symmetric (a covariance)",
        "s0.transpose.1.2.0.4": "Sigma_xx is symmetric (a covariance)",
    },
)


@conservation_deep.symbolic_check
def deep_imbalances_constant(statement):
    return _prove_conserved(statement)


@conservation_deep.numeric_check
def deep_imbalances_along_flow(statement):
    rng = seeded_rng(203)
    syx, sxx = _task(rng, 3, 2)
    model = DeepLinearModel(syx, sxx, depth=3)
    init = (rng.standard_normal((2, 3)) * 0.8, rng.standard_normal((3, 2)) * 0.8, rng.standard_normal((2, 3)) * 0.8)
    return _check_flow(
        statement,
        model,
        init,
        lambda p: {N_i: p[0].shape[1], N_h: p[0].shape[0], N_g: p[1].shape[0], N_o: p[2].shape[0]},
        "depth 3, widths 3-2-3-2",
    )


# ================================================================ gradient descent
def _order_measurements(statement, drift_at, what: str) -> list:
    """The fitted order of the drift after a fixed time against the order ``p`` of the statement's ``O(eta^p)``.

    Orders are integers, so 0.1 separates p from p - 1 and p + 1 (steps with eta |curvature| <= 0.05).
    """
    out = []
    for rel in split_statement(statement).relations:
        if isinstance(rel.rhs, sp.Order):
            p = sp.Poly(rel.rhs.expr, eta).degree()
            steps = [0.01, 0.005, 0.0025, 0.00125]
            order = fit_order(steps, [drift_at(h) for h in steps])
            out.append(
                Measurement(
                    abs(order - p), 0.1, f"{what}: |fitted order - {p}| (order {order:.3f})", "integer orders 1 apart"
                )
            )
    return out


gd_imbalance_step = claim(
    "lazy_to_rich.gd_imbalance_step",
    r"One GD step changes $W_2^T W_2 - W_1 W_1^T$ by exactly $\eta^2 (W_1 E^T E W_1^T - W_2^T E E^T W_2)$; drift after fixed time is $O(\eta)$",
    Source(PAPER, "derived here (Sec. 3: discrete GD)", "the one-step change at general shape; the order is measured"),
    statement=lambda: [
        definition(W1p, W1 + eta * W2.T * E_sym),
        definition(W2p, W2 + eta * E_sym * W1.T),
        definition(E_sym, Syx - W2 * W1 * Sxx),
        equation(
            (W2p.T * W2p - W1p * W1p.T) - (W2.T * W2 - W1 * W1.T),
            eta**2 * (W1 * E_sym.T * E_sym * W1.T - W2.T * E_sym * E_sym.T * W2),
        ),
        equation(DRIFT, sp.O(eta)),
    ],
    equivalent={"s2.transpose.1.0.3": "Sigma_xx is symmetric (a covariance)"},
)


@gd_imbalance_step.symbolic_check
def gd_step_change_exact(statement):
    """The change with ``W^+`` substituted reduces to the statement's right side for ANY ``E`` (frozen residual)."""
    parts = split_statement(statement)
    subs = {k: v for k, v in substitutions(parts.definitions).items() if k != E_sym}
    residuals = []
    for rel in parts.relations:
        if getattr(rel.lhs, "is_Matrix", False):
            residuals.append(sp.MatAdd(expand_definitions(rel.lhs, subs), sp.MatMul(-1, rel.rhs)))
    bad = exact_screen(residuals, SCREEN_DIMS)
    return Proof(residuals=bad or residuals)


@gd_imbalance_step.numeric_check
def gd_step_against_engine(statement):
    """One engine GD step against the statement's definitions and change; the fitted order of the drift."""
    parts = split_statement(statement)
    subs = substitutions(parts.definitions)
    rng = seeded_rng(500)
    syx, sxx = _task(rng, 3, 2)
    model = DeepLinearModel(syx, sxx)
    init = (rng.standard_normal((2, 3)) * 0.5, rng.standard_normal((2, 2)) * 0.5)
    h = 0.05
    n1, n2 = gradient_descent(model, init, h, [0.0, h]).at(1)
    vals = {W1: init[0], W2: init[1], Syx: syx, Sxx: sxx, eta: h}
    dims = {N_i: 3, N_h: 2, N_o: 2}
    scale = max(np.abs(init[0]).max(), np.abs(init[1]).max(), 1.0) ** 2
    tol = 64 * FLOAT64_EPS * scale
    out = []
    for W, new in ((W1p, n1), (W2p, n2)):
        got = evaluate(expand_definitions(W, subs), vals, dims=dims, arithmetic="float64")
        out.append(
            Measurement(float(np.abs(got - new).max()), tol, f"statement's {W} vs one engine GD step", "64 eps |W|^2")
        )
    for rel in parts.relations:
        if getattr(rel.lhs, "is_Matrix", False):
            lhs = evaluate(expand_definitions(rel.lhs, subs), vals, dims=dims, arithmetic="float64")
            rhs = evaluate(expand_definitions(rel.rhs, subs), vals, dims=dims, arithmetic="float64")
            actual = (n2.T @ n2 - n1 @ n1.T) - (init[1].T @ init[1] - init[0] @ init[0].T)
            out.append(
                Measurement(float(np.abs(lhs - rhs).max()), tol, "statement's change: lhs vs rhs", "64 eps |W|^2")
            )
            out.append(
                Measurement(
                    float(np.abs(rhs - actual).max()), tol, "statement's change vs engine GD step", "64 eps |W|^2"
                )
            )

    def drift(step):
        tr = gradient_descent(model, init, step, [0.0, 1.0])
        p0, p1 = tr.at(0), tr.at(1)
        return float(np.abs((p1[1].T @ p1[1] - p1[0] @ p1[0].T) - (p0[1].T @ p0[1] - p0[0] @ p0[0].T)).max())

    return out + _order_measurements(statement, drift, "two-layer GD imbalance drift at t = 1")


gd_deep_drift = claim(
    "lazy_to_rich.gd_deep_drift",
    r"Deep linear GD drifts each imbalance $W_{l+1}^T W_{l+1} - W_l W_l^T$ by $O(\eta)$ after a fixed time",
    Source(
        PAPER, "derived here (Sec. 3: discrete GD, deeper networks)", "measured: fitted order of the drift at depth 3"
    ),
    statement=lambda: [equation(DRIFT, sp.O(eta))],
)


@gd_deep_drift.numeric_check
def gd_deep_drift_order(statement):
    rng = seeded_rng(700)
    syx, sxx = _task(rng, 3, 2)
    model = DeepLinearModel(syx, sxx, depth=3)
    init = (rng.standard_normal((3, 3)) * 0.6, rng.standard_normal((2, 3)) * 0.6, rng.standard_normal((2, 2)) * 0.6)

    def drift(step):
        tr = gradient_descent(model, init, step, [0.0, 1.0])
        p0, p1 = tr.at(0), tr.at(1)
        return max(
            float(
                np.abs((p1[i + 1].T @ p1[i + 1] - p1[i] @ p1[i].T) - (p0[i + 1].T @ p0[i + 1] - p0[i] @ p0[i].T)).max()
            )
            for i in range(2)
        )

    return _order_measurements(statement, drift, "depth-3 GD imbalance drift at t = 1")
