"""Conservation laws of gradient flow in linear (and ReLU) networks.

Identity: for any loss that depends on the weights only through the product
``W2 W1`` (or ``a w``), the rescaling symmetry ``W1 -> G W1``, ``W2 -> W2 G^{-1}``
makes the *imbalance* ``W2^T W2 - W1 W1^T`` a constant of gradient flow, for any
input statistics ``Sigma_xx``. Every exact solution in lazyrich rests on it:
lambda-balance (Dominé et al. (2025), Sec. 3, assumption A2) and the single-neuron ``delta`` (Kunin et al. (2024), Sec. 3)
are special cases. Gradient descent breaks the law at ``O(eta^2)`` per step.

Sources: Dominé et al. (2025), Sec. 3 (lambda-balance; conservation: Anguita (2024), Thm 2.2.1);
Kunin et al. (2024), Sec. 3 and App. A.1 (``delta``), Sec. 5 (per-neuron ReLU law) and Sec. 6 (discretisation).
The general matrix law, the deep-network laws and the GD drift formulas are derived here.

Each claim carries a symbolic proof at general shape (``MatrixSymbol`` with
symbolic dimensions, decided by :func:`lazyrich.canonicalize` and confirmed on
explicit small shapes) and a numeric check along float64 trajectories
integrated by DOP853 at ``rtol = 1e-12``, with the drift tolerance derived from
the solver's local error control (:func:`lazyrich.quadratic_invariant_tolerance`).
"""

from __future__ import annotations

import itertools

import numpy as np
import sympy as sp
from sympy import MatrixSymbol, ZeroMatrix

from lazyrich import (
    FLOAT64_EPS,
    DeepLinearModel,
    Measurement,
    Proof,
    ReluNetworkModel,
    SingleNeuronModel,
    Source,
    canonicalize,
    claim,
    explicit_residual,
    explicit_time_derivative,
    fit_order,
    gradient_descent,
    gradient_flow,
    matrix_with_singular_values,
    quadratic_invariant_tolerance,
    time_derivative,
)
from lazyrich import ddt as _ddt
from lazyrich import equation as _eq

RTOL = 1e-12
T_END = 3.0

# ----------------------------------------------------------------- symbols
t = sp.Symbol("t", real=True)
tau, eta, eta_a, eta_w = sp.symbols("tau eta eta_a eta_w", positive=True)
N_i, N_h, N_o, n, d = sp.symbols("N_i N_h N_o n d", positive=True, integer=True)
W1 = MatrixSymbol("W_1", N_h, N_i)
W2 = MatrixSymbol("W_2", N_o, N_h)
Sigma_xx = MatrixSymbol("Sigma_xx", N_i, N_i)
Sigma_yx = MatrixSymbol("Sigma_yx", N_o, N_i)
E = Sigma_yx - W2 * W1 * Sigma_xx
TWO_LAYER_RATES = {W1: W2.T * E / tau, W2: E * W1.T / tau}
IMBALANCE = W2.T * W2 - W1 * W1.T


def _explicit_check(expr, rates, dims) -> list:
    """Residuals of ``d/dt expr = 0`` on an explicit small shape (entry-wise chain rule)."""
    return [explicit_time_derivative(expr, rates, dims)]


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def _random_task(rng, n_in: int, n_out: int, whitened: bool = False):
    """A random ``Sigma_yx`` and a well-conditioned, non-whitened ``Sigma_xx``."""
    syx = matrix_with_singular_values((n_out, n_in), rng.uniform(0.5, 2.0, min(n_in, n_out)), rng)
    if whitened:
        return syx, np.eye(n_in)
    s = rng.uniform(0.5, 1.5, n_in)
    Q = matrix_with_singular_values((n_in, n_in), np.ones(n_in), rng)
    return syx, (Q * s) @ Q.T


def _drift_measurements(traj, invariants, what: str) -> list[Measurement]:
    """Max drift of each invariant along ``traj`` against the solver-derived bound."""
    tol = quadratic_invariant_tolerance(traj.n_steps, traj.rtol, traj.atol, traj.scale)
    out = []
    for name, fn in invariants:
        ref = fn(traj.at(0))
        drift = max(float(np.abs(fn(traj.at(i)) - ref).max()) for i in range(len(traj.t)))
        out.append(
            Measurement(
                drift,
                tol,
                f"{what}: max drift of {name}",
                "2 |W| n_steps (atol + rtol |W|) (DOP853 local error control)",
            )
        )
    return out


# ================================================================ two-layer
conservation_two_layer = claim(
    "lazy_to_rich.conservation_two_layer",
    r"Gradient flow conserves $W_2^T W_2 - W_1 W_1^T$ for any $\Sigma_{xx}$",
    Source("lazy_to_rich", "Sec. 3, assumption A2 (Anguita (2024), Thm 2.2.1)"),
    statement=lambda: [_eq(_ddt(IMBALANCE), ZeroMatrix(N_h, N_h))],
)


@conservation_two_layer.symbolic_check
def _():
    d_w2 = time_derivative(W2.T * W2, TWO_LAYER_RATES)
    d_w1 = time_derivative(W1 * W1.T, TWO_LAYER_RATES)
    steps = [
        _eq(_ddt(W1), TWO_LAYER_RATES[W1]),
        _eq(_ddt(W2), TWO_LAYER_RATES[W2]),
        _eq(_ddt(W2.T * W2), canonicalize(d_w2).as_expr()),
        _eq(_ddt(W1 * W1.T), canonicalize(d_w1).as_expr()),
    ]
    residuals = [d_w2 - d_w1, *_explicit_check(IMBALANCE, TWO_LAYER_RATES, {N_i: 2, N_h: 2, N_o: 2})]
    residuals += _explicit_check(IMBALANCE, TWO_LAYER_RATES, {N_i: 3, N_h: 1, N_o: 2})
    return Proof(residuals=residuals, steps=steps)


@conservation_two_layer.numeric_check
def _():
    out = []
    for seed, (ni, nh, no) in enumerate([(3, 2, 2), (2, 4, 3), (4, 3, 1)]):
        rng = _rng(100 + seed)
        syx, sxx = _random_task(rng, ni, no)
        model = DeepLinearModel(syx, sxx, tau=rng.uniform(0.5, 2.0))
        init = (rng.standard_normal((nh, ni)) * 0.7, rng.standard_normal((no, nh)) * 0.7)
        traj = gradient_flow(model, init, np.linspace(0, T_END, 31), rtol=RTOL)
        out += _drift_measurements(
            traj, [("W2^T W2 - W1 W1^T", lambda p: p[1].T @ p[1] - p[0] @ p[0].T)], f"{ni}-{nh}-{no} net"
        )
    return out


# ================================================================ deep linear
W3 = MatrixSymbol("W_3", N_o, N_h)
N_g = sp.Symbol("N_g", positive=True, integer=True)  # second hidden width
W2d = MatrixSymbol("W_2", N_g, N_h)
W3d = MatrixSymbol("W_3", N_o, N_g)
E3 = Sigma_yx - W3d * W2d * W1 * Sigma_xx
DEEP_RATES = {
    W1: (W3d * W2d).T * E3 / tau,
    W2d: W3d.T * E3 * W1.T / tau,
    W3d: E3 * (W2d * W1).T / tau,
}

conservation_deep = claim(
    "lazy_to_rich.conservation_deep",
    "Deep linear gradient flow conserves every $W_{l+1}^T W_{l+1} - W_l W_l^T$",
    Source("lazy_to_rich", "derived here (Sec. 3: general conserved quantity)"),
    statement=lambda: [
        _eq(_ddt(W2d.T * W2d - W1 * W1.T), ZeroMatrix(N_h, N_h)),
        _eq(_ddt(W3d.T * W3d - W2d * W2d.T), ZeroMatrix(N_g, N_g)),
    ],
)


@conservation_deep.symbolic_check
def _():
    c12 = W2d.T * W2d - W1 * W1.T
    c23 = W3d.T * W3d - W2d * W2d.T
    residuals = [time_derivative(c12, DEEP_RATES), time_derivative(c23, DEEP_RATES)]
    dims = {N_i: 2, N_h: 2, N_g: 1, N_o: 2}
    residuals += [explicit_time_derivative(c12, DEEP_RATES, dims), explicit_time_derivative(c23, DEEP_RATES, dims)]
    steps = [_eq(_ddt(w), r) for w, r in DEEP_RATES.items()]
    return Proof(residuals=residuals, steps=steps)


@conservation_deep.numeric_check
def _():
    out = []
    for depth in (2, 3, 4, 5):
        rng = _rng(200 + depth)
        widths = [3, *rng.integers(1, 4, depth - 1).tolist(), 2]
        syx, sxx = _random_task(rng, widths[0], widths[-1])
        model = DeepLinearModel(syx, sxx, depth=depth)
        init = tuple(rng.standard_normal((widths[i + 1], widths[i])) * 0.8 for i in range(depth))
        traj = gradient_flow(model, init, np.linspace(0, T_END, 31), rtol=RTOL)
        inv = [
            (f"W{i + 2}^T W{i + 2} - W{i + 1} W{i + 1}^T", lambda p, i=i: p[i + 1].T @ p[i + 1] - p[i] @ p[i].T)
            for i in range(depth - 1)
        ]
        if not inv:  # depth 1 has no pair
            continue
        out += _drift_measurements(traj, inv, f"depth {depth} widths {widths}")
    return out


# ================================================================ single neuron
a = MatrixSymbol("a", 1, 1)  # 1x1: canonicalize treats it as a commuting scalar
w = MatrixSymbol("w", d, 1)
X = MatrixSymbol("X", n, d)
y = MatrixSymbol("y", n, 1)
G_BETA = X.T * (X * w * a - y)  # gradient of 1/2 |X a w - y|^2 with respect to beta
NEURON_RATES = {a: -eta_a * w.T * G_BETA, w: -eta_w * G_BETA * a}
DELTA = eta_w * a.T * a - eta_a * w.T * w

conservation_delta = claim(
    "get_rich_quick.conservation_delta",
    r"$\delta = \eta_w a^2 - \eta_a \|w\|^2$ is conserved by gradient flow for any $X, y$",
    Source("get_rich_quick", "Sec. 3 (conserved quantity; derivation in App. A.1)"),
    statement=lambda: [_eq(_ddt(DELTA), ZeroMatrix(1, 1))],
)


@conservation_delta.symbolic_check
def _():
    residuals = [time_derivative(DELTA, NEURON_RATES), explicit_time_derivative(DELTA, NEURON_RATES, {n: 2, d: 2})]
    steps = [_eq(_ddt(a), NEURON_RATES[a]), _eq(_ddt(w), NEURON_RATES[w])]
    return Proof(residuals=residuals, steps=steps)


def _delta(model):
    return lambda p: np.asarray(model.eta_w * p[0] ** 2 - model.eta_a * p[1] @ p[1])


@conservation_delta.numeric_check
def _():
    out = []
    for seed, (nn, dd) in enumerate([(5, 3), (2, 4), (6, 1)]):
        rng = _rng(300 + seed)
        model = SingleNeuronModel(
            rng.standard_normal((nn, dd)), rng.standard_normal(nn), eta_a=rng.uniform(0.3, 3), eta_w=rng.uniform(0.3, 3)
        )
        init = (np.asarray(rng.standard_normal()), rng.standard_normal(dd))
        traj = gradient_flow(model, init, np.linspace(0, T_END, 31), rtol=RTOL)
        out += _drift_measurements(traj, [("delta", _delta(model))], f"n={nn}, d={dd}")
    return out


# ================================================================ ReLU
a1, a2 = MatrixSymbol("a_1", 1, 1), MatrixSymbol("a_2", 1, 1)
w1, w2 = MatrixSymbol("w_1", d, 1), MatrixSymbol("w_2", d, 1)
D1, D2 = MatrixSymbol("D_1", n, n), MatrixSymbol("D_2", n, n)  # activation slopes on one piece
RESID = a1 * D1 * X * w1 + a2 * D2 * X * w2 - y  # f - y on a fixed activation region
RELU_RATES = {
    a1: -eta_a * w1.T * X.T * D1 * RESID,
    a2: -eta_a * w2.T * X.T * D2 * RESID,
    w1: -eta_w * X.T * D1 * RESID * a1,
    w2: -eta_w * X.T * D2 * RESID * a2,
}

conservation_relu = claim(
    "get_rich_quick.conservation_relu",
    r"Per-neuron $\eta_w a_k^2 - \eta_a \|w_k\|^2$ is conserved in (leaky) ReLU networks",
    Source("get_rich_quick", "Sec. 5 (per-neuron law; Du et al. (2018))", r"follows from $\sigma'(z) z = \sigma(z)$"),
    statement=lambda: [
        _eq(_ddt(eta_w * ak.T * ak - eta_a * wk.T * wk), ZeroMatrix(1, 1)) for ak, wk in ((a1, w1), (a2, w2))
    ],
)


@conservation_relu.symbolic_check
def _():
    # On each activation region sigma(X w_k) = D_k X w_k with D_k diagonal (entries 1 or leak),
    # so the region's flow is that of a linear net with fixed diagonal D_k.
    residuals = []
    for ak, wk in ((a1, w1), (a2, w2)):
        inv = eta_w * ak.T * ak - eta_a * wk.T * wk
        residuals.append(time_derivative(inv, RELU_RATES))
    steps = [_eq(_ddt(k), v) for k, v in RELU_RATES.items()]
    return Proof(residuals=residuals, steps=steps, symmetric=(D1, D2))


@conservation_relu.numeric_check
def _():
    out = []
    # Seeds chosen so that activation patterns change (kinks are crossed) without the flow
    # sliding along a kink, where no ODE solver reaches rtol 1e-12 in finite steps.
    for seed, leak in ((28, 0.0), (15, 0.2)):
        rng = _rng(seed)
        nn, dd, h = 8, 3, 4
        model = ReluNetworkModel(
            rng.standard_normal((nn, dd)),
            rng.standard_normal(nn),
            eta_a=rng.uniform(0.5, 2),
            eta_w=rng.uniform(0.5, 2),
            leak=leak,
        )
        init = (rng.standard_normal(h), rng.standard_normal((h, dd)))
        traj = gradient_flow(model, init, np.linspace(0, 2.0, 201), rtol=RTOL)
        patterns = [tuple((model.X @ W.T > 0).ravel()) for W in traj["W"]]
        crossings = sum(p != q for p, q in itertools.pairwise(patterns))
        if crossings == 0:
            raise AssertionError("no activation pattern changed: the check would only cover one linear piece")
        inv = [("delta_k", lambda p, m=model: m.eta_w * p[0] ** 2 - m.eta_a * np.sum(p[1] ** 2, axis=1))]
        out += _drift_measurements(traj, inv, f"leak={leak}, {crossings} pattern changes")
    return out


# ================================================================ gradient descent
E_sym = MatrixSymbol("E", N_o, N_i)  # the residual Sigma_yx - W2 W1 Sigma_xx, frozen during one step
W1_next = W1 + eta * W2.T * E_sym
W2_next = W2 + eta * E_sym * W1.T
GD_CHANGE = eta**2 * (W1 * E_sym.T * E_sym * W1.T - W2.T * E_sym * E_sym.T * W2)

gd_imbalance_step = claim(
    "lazy_to_rich.gd_imbalance_step",
    r"One GD step changes $W_2^T W_2 - W_1 W_1^T$ by exactly $\eta^2 (W_1 E^T E W_1^T - W_2^T E E^T W_2)$; drift after fixed time is $O(\eta)$",
    Source("lazy_to_rich", "derived here (Sec. 3: discrete GD)"),
    statement=lambda: [_eq((W2_next.T * W2_next - W1_next * W1_next.T) - IMBALANCE, GD_CHANGE)],
)


@gd_imbalance_step.symbolic_check
def _():
    change = (W2_next.T * W2_next - W1_next * W1_next.T) - IMBALANCE
    residuals = [change - GD_CHANGE, explicit_residual(change - GD_CHANGE, {N_i: 2, N_h: 2, N_o: 1})]
    steps = [_eq(MatrixSymbol("W_1^+", N_h, N_i), W1_next), _eq(MatrixSymbol("W_2^+", N_o, N_h), W2_next)]
    return Proof(residuals=residuals, steps=steps)


def _order_measurement(drift_at, steps, what: str) -> list[Measurement]:
    """Fit the order of the drift after a fixed time; orders are integers, so 0.1 separates 1 from 0 and 2."""
    drifts = [drift_at(h) for h in steps]
    order = fit_order(steps, drifts)
    return [
        Measurement(
            abs(order - 1.0),
            0.1,
            f"{what}: |fitted order - 1| (order {order:.3f})",
            "integer orders 1 apart; steps with eta * |curvature| <= 0.05",
        )
    ]


@gd_imbalance_step.numeric_check
def _():
    rng = _rng(500)
    syx, sxx = _random_task(rng, 3, 2)
    model = DeepLinearModel(syx, sxx)
    init = (rng.standard_normal((2, 3)) * 0.5, rng.standard_normal((2, 2)) * 0.5)
    W1v, W2v = init
    # exact one-step change, in float64, to round-off
    h = 0.05
    (n1, n2) = gradient_descent(model, init, h, [0.0, h]).at(1)
    Ev = model.residual(init)
    predicted = h**2 * (W1v @ Ev.T @ Ev @ W1v.T - W2v.T @ Ev @ Ev.T @ W2v)
    actual = (n2.T @ n2 - n1 @ n1.T) - (W2v.T @ W2v - W1v @ W1v.T)
    scale = max(np.abs(W1v).max(), np.abs(W2v).max(), 1.0) ** 2
    out = [
        Measurement(
            float(np.abs(actual - predicted).max()),
            64 * FLOAT64_EPS * scale,
            "one GD step: actual vs eta^2 formula",
            "64 eps |W|^2 (a few products of 2-3 matrices)",
        )
    ]

    def drift(step):
        tr = gradient_descent(model, init, step, [0.0, 1.0])
        p0, p1 = tr.at(0), tr.at(1)
        return float(np.abs((p1[1].T @ p1[1] - p1[0] @ p1[0].T) - (p0[1].T @ p0[1] - p0[0] @ p0[0].T)).max())

    out += _order_measurement(drift, [0.01, 0.005, 0.0025, 0.00125], "two-layer GD imbalance drift at t = 1")
    return out


a_next = a - eta * eta_a * w.T * G_BETA
w_next = w - eta * eta_w * G_BETA * a
DELTA_CHANGE = (
    eta**2 * eta_a * eta_w * (eta_a * (w.T * G_BETA).T * (w.T * G_BETA) - eta_w * (G_BETA * a).T * (G_BETA * a))
)

gd_delta_step = claim(
    "get_rich_quick.gd_delta_step",
    r"One GD step changes $\delta$ by exactly $\eta^2 \eta_a \eta_w (\eta_a g_a^2 - \eta_w \|g_w\|^2)$; drift after fixed time is $O(\eta)$",
    Source(
        "get_rich_quick", "Sec. 6 (discretisation breaks conservation, p. 10)", "exact one-step change derived here"
    ),
    statement=lambda: [_eq((eta_w * a_next.T * a_next - eta_a * w_next.T * w_next) - DELTA, DELTA_CHANGE)],
)


@gd_delta_step.symbolic_check
def _():
    change = (eta_w * a_next.T * a_next - eta_a * w_next.T * w_next) - DELTA
    return Proof(residuals=[change - DELTA_CHANGE, explicit_residual(change - DELTA_CHANGE, {n: 2, d: 2})])


@gd_delta_step.numeric_check
def _():
    rng = _rng(600)
    model = SingleNeuronModel(rng.standard_normal((5, 3)) / 2, rng.standard_normal(5), eta_a=0.7, eta_w=1.6)
    init = (np.asarray(0.8), rng.standard_normal(3) * 0.5)
    dfun = _delta(model)

    def drift(step):
        tr = gradient_descent(model, init, step, [0.0, 1.0])
        return float(abs(dfun(tr.at(1)) - dfun(tr.at(0))))

    return _order_measurement(drift, [0.01, 0.005, 0.0025, 0.00125], "single-neuron GD delta drift at t = 1")


gd_deep_drift = claim(
    "lazy_to_rich.gd_deep_drift",
    r"Deep linear GD drifts each imbalance $W_{l+1}^T W_{l+1} - W_l W_l^T$ by $O(\eta)$ after a fixed time",
    Source("lazy_to_rich", "derived here (Sec. 3: discrete GD, deeper networks)"),
    statement=lambda: [_eq(sp.Symbol(r"\|C_l(1) - C_l(0)\|"), sp.O(eta))],
)


@gd_deep_drift.numeric_check
def _():
    rng = _rng(700)
    syx, sxx = _random_task(rng, 3, 2)
    model = DeepLinearModel(syx, sxx, depth=3)
    init = (rng.standard_normal((3, 3)) * 0.6, rng.standard_normal((2, 3)) * 0.6, rng.standard_normal((2, 2)) * 0.6)

    def drift(step):
        tr = gradient_descent(model, init, step, [0.0, 1.0])
        p0, p1 = tr.at(0), tr.at(1)
        return max(
            float(np.abs((q[i + 1].T @ q[i + 1] - q[i] @ q[i].T) - (p0[i + 1].T @ p0[i + 1] - p0[i] @ p0[i].T)).max())
            for i in range(2)
            for q in (p1,)
        )

    return _order_measurement(drift, [0.01, 0.005, 0.0025, 0.00125], "depth-3 GD imbalance drift at t = 1")


DELTA_K, DELTA_K_NEXT, G_AK, G_WK2 = sp.symbols(r"delta_k delta_k^+ g_{a_k} \|g_{w_k}\|^2", real=True)

gd_relu_drift = claim(
    "get_rich_quick.gd_relu_drift",
    r"ReLU GD changes each $\delta_k$ by exactly $\eta^2 \eta_a \eta_w (\eta_a g_{a_k}^2 - \eta_w \|g_{w_k}\|^2)$ per step",
    Source("get_rich_quick", "derived here (Sec. 5: per-neuron GD drift)"),
    statement=lambda: [_eq(DELTA_K_NEXT - DELTA_K, eta**2 * eta_a * eta_w * (eta_a * G_AK**2 - eta_w * G_WK2))],
)


@gd_relu_drift.numeric_check
def _():
    out = []
    for leak in (0.0, 0.3):
        rng = _rng(800)
        model = ReluNetworkModel(rng.standard_normal((7, 3)), rng.standard_normal(7), eta_a=0.8, eta_w=1.3, leak=leak)
        a0, W0 = rng.standard_normal(4), rng.standard_normal((4, 3))
        h = 0.02
        a1v, W1v = gradient_descent(model, (a0, W0), h, [0.0, h]).at(1)
        va, vW = model.velocity((a0, W0))  # velocity = -eta * gradient
        ga, gW = -va / model.eta_a, -vW / model.eta_w
        predicted = h**2 * model.eta_a * model.eta_w * (model.eta_a * ga**2 - model.eta_w * np.sum(gW**2, axis=1))
        delta = lambda a_, W_, m=model: m.eta_w * a_**2 - m.eta_a * np.sum(W_**2, axis=1)  # noqa: E731
        actual = delta(a1v, W1v) - delta(a0, W0)
        scale = max(np.abs(a0).max(), np.abs(W0).max(), 1.0) ** 2
        out.append(
            Measurement(
                float(np.abs(actual - predicted).max()),
                64 * FLOAT64_EPS * scale * max(model.eta_a, model.eta_w),
                f"leak={leak}: one ReLU GD step vs formula",
                "64 eps |theta|^2 max(eta)",
            )
        )
    return out


__all__ = [
    "conservation_deep",
    "conservation_delta",
    "conservation_relu",
    "conservation_two_layer",
    "gd_deep_drift",
    "gd_delta_step",
    "gd_imbalance_step",
    "gd_relu_drift",
]
