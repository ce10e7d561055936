"""SingleNeuronExact against float64 simulation of the data-space model (issue 4, item 4).

The simulated model is lazyrich.SingleNeuronModel on whitened data X (n x d, X^T X = I, n >= d), so
the comparison also checks the reduction to beta_* = X^T y. Gradient flow must match within the
solver's own error bound; gradient descent must converge to the flow at order 1 in the step.
"""

from __future__ import annotations

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st

from helpers import seeds
from lazyrich import (
    SingleNeuronExact,
    SingleNeuronModel,
    fit_order,
    gradient_descent,
    gradient_flow,
    ode_global_tolerance,
    random_orthogonal,
)


def whitened_problem(d, extra, delta_bar, log_rates, beta0_norm, sign, seed):
    """Whitened X (QR columns), y, rates and an init with a0 w0 = beta0 and delta = sqrt(eta_a eta_w) delta_bar."""
    rng = np.random.default_rng(seed)
    n = d + extra
    X = random_orthogonal(n, rng)[:, :d]
    y = rng.standard_normal(n) * rng.uniform(0.3, 2.0)
    eta_a, eta_w = 10.0 ** log_rates[0], 10.0 ** log_rates[1]
    beta0 = beta0_norm * random_orthogonal(d, rng)[0]
    b2 = float(beta0 @ beta0)
    k = np.hypot(delta_bar, 2 * np.sqrt(b2))
    abar = np.sqrt((k + delta_bar) / 2 if delta_bar >= 0 else 2 * b2 / (k - delta_bar))
    a0 = sign * abar * (eta_a / eta_w) ** 0.25
    return X, y, eta_a, eta_w, a0, beta0 / a0


def gronwall_amplification(sn: SingleNeuronExact, T: float, n: int = 1001) -> float:
    r"""``exp(int_0^T max(mu_2(J), 0) dt)``: how much the flow can amplify errors made along the way.

    ``J`` is the Jacobian of the vector field at the exact solution and ``mu_2`` its logarithmic
    2-norm (largest eigenvalue of the symmetric part); upper Riemann sum on an n-point grid.
    """
    ts = np.linspace(0.0, T, n)
    a, w = sn.a(ts), sn.w(ts)
    bs, ea, ew = sn.beta_star, sn.eta_a, sn.eta_w
    d = bs.size
    g = bs[None, :] - 2 * a[:, None] * w  # (n, d)
    J = np.zeros((n, d + 1, d + 1))
    J[:, 0, 0] = -ea * np.sum(w * w, axis=1)
    J[:, 0, 1:] = ea * g
    J[:, 1:, 0] = ew * g
    J[:, 1:, 1:] = -ew * (a**2)[:, None, None] * np.eye(d)
    mus = np.linalg.eigvalsh(0.5 * (J + np.swapaxes(J, 1, 2)))[:, -1]
    mus = np.maximum(mus, 0.0)
    return float(np.exp(np.sum(np.maximum(mus[1:], mus[:-1])) * (ts[1] - ts[0])))


problems = dict(
    d=st.integers(1, 6),
    extra=st.integers(0, 2),
    delta_bar=st.floats(-20.0, 20.0),
    log_rates=st.tuples(st.floats(-0.5, 0.5), st.floats(-0.5, 0.5)),
    beta0_norm=st.floats(0.01, 2.0),
    sign=st.sampled_from([-1.0, 1.0]),
    seed=seeds,
)


@settings(deadline=None)
@given(**problems)
@example(d=2, extra=1, delta_bar=0.0, log_rates=(0.0, 0.0), beta0_norm=1.0, sign=1.0, seed=0)
@example(d=1, extra=0, delta_bar=-20.0, log_rates=(0.3, -0.3), beta0_norm=0.05, sign=-1.0, seed=1)
def test_exact_matches_gradient_flow(d, extra, delta_bar, log_rates, beta0_norm, sign, seed):
    X, y, ea, ew, a0, w0 = whitened_problem(d, extra, delta_bar, log_rates, beta0_norm, sign, seed)
    sn = SingleNeuronExact.from_data(a0, w0, X, y, ea, ew)
    T = 4.0
    t = np.linspace(0.0, T, 9)
    tr = gradient_flow(SingleNeuronModel(X, y, ea, ew), (np.array(a0), w0), t)
    err = max(np.abs(tr["a"] - sn.a(t)).max(), np.abs(tr["w"] - sn.w(t)).max())
    # Tolerance: per-step local error <= atol + rtol |y| in solve_ivp's RMS norm, so <= sqrt(d + 1) times
    # that per component; summed over steps (ode_global_tolerance) and amplified at most by the Gronwall
    # factor of the flow. The exact solution's own error (~1e-15) is negligible.
    tol = np.sqrt(d + 1) * ode_global_tolerance(tr.n_steps, tr.rtol, tr.atol, tr.scale) * gronwall_amplification(sn, T)
    assert err <= tol, (err, tol)
    # conservation along the simulated trajectory, the invariant the closed form is built on
    drift = np.abs(ew * tr["a"] ** 2 - ea * np.sum(tr["w"] ** 2, axis=1) - sn.delta).max()
    assert drift <= 2 * max(ew, ea) * tr.scale * tol + tol**2


@settings(deadline=None)
@given(**problems)
@example(d=3, extra=0, delta_bar=0.0, log_rates=(0.0, 0.0), beta0_norm=0.5, sign=1.0, seed=2)
def test_gradient_descent_converges_at_order_one(d, extra, delta_bar, log_rates, beta0_norm, sign, seed):
    X, y, ea, ew, a0, w0 = whitened_problem(d, extra, delta_bar, log_rates, beta0_norm, sign, seed)
    sn = SingleNeuronExact.from_data(a0, w0, X, y, ea, ew)
    # stable steps: the Hessian norm is at most eta_w a^2 + eta_a |w|^2 + 2 sqrt(eta_a eta_w) |beta_*| (+ margin)
    curvature = ew * a0**2 + ea * (w0 @ w0) + 2 * np.sqrt(ea * ew) * np.linalg.norm(sn.beta_star)
    h0 = 1.0 / (4 * np.ceil(5.0 * max(1.0, curvature)))  # divides 0.25
    steps = [h0, h0 / 2, h0 / 4]
    times = [0.25, 0.5]
    exact = np.concatenate([np.atleast_2d(sn.a(times)).T, sn.w(times)], axis=1)
    errors = []
    for h in steps:
        gd = gradient_descent(SingleNeuronModel(X, y, ea, ew), (np.array(a0), w0), h, times)
        sim = np.concatenate([gd["a"][:, None], gd["w"]], axis=1)
        errors.append(np.abs(sim - exact).max())
    # explicit Euler: global error C h + O(h^2); with h <= 1/(20 curvature) the O(h^2) part moves the
    # fitted slope by well under 0.1
    assert abs(fit_order(steps, errors) - 1.0) <= 0.1, errors
