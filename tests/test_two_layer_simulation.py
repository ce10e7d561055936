"""TwoLayerExact against float64 simulation: gradient flow (Hypothesis) and gradient descent (order 1)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from helpers import balanced_problem, qqt_of, seeds
from lazyrich import (
    DeepLinearModel,
    TwoLayerExact,
    fit_order,
    gradient_descent,
    gradient_flow,
    linalg_tolerance,
    quadratic_invariant_tolerance,
)
from lazyrich._exact.two_layer import MAX_FLOAT64_CONDITION


def _exact(net: TwoLayerExact, ts):
    # a random init can (rarely) give an ill-conditioned q+: then the float64 path raises and dps= is the path
    if net.condition <= MAX_FLOAT64_CONDITION:
        return net.qqt(ts)
    return np.array([np.array(M.tolist(), dtype=float) for M in net.qqt(ts, dps=20)])


@given(st.integers(1, 6), st.integers(1, 6), st.floats(-5, 5), st.floats(0.1, 1.0), seeds)
@example(3, 3, 0.0, 0.5, 0)
@example(4, 2, 0.0, 0.5, 1)
@example(1, 5, -5.0, 0.2, 2)
@example(6, 6, 5.0, 1.0, 3)
def test_exact_matches_gradient_flow(ni, no, lam, sigma, seed):
    W1, W2, syx = balanced_problem(ni, min(ni, no), no, lam, seed=seed, sigma=sigma)
    net = TwoLayerExact(W1, W2, syx)
    ts = np.linspace(0.0, 4.0, 5)
    tr = gradient_flow(DeepLinearModel(syx), (W1, W2), ts, rtol=1e-12)
    ref = qqt_of(tr["W1"], tr["W2"])
    # QQ^T is quadratic in Q: the solver's global error e gives 2|Q| e + e^2; plus the exact form's
    # own error (kappa eps relative, kappa = net.condition)
    tol = quadratic_invariant_tolerance(tr.n_steps, tr.rtol, tr.atol, tr.scale)
    tol += linalg_tolerance(min(net.condition, MAX_FLOAT64_CONDITION), ni + no) * max(1.0, np.abs(ref).max())
    assert np.abs(_exact(net, ts) - ref).max() <= tol


@pytest.mark.parametrize(
    ("ni", "no", "lam", "seed"),
    [(3, 3, 0.0, 30), (4, 2, -1.5, 31), (2, 3, 2.0, 32), (1, 1, 0.7, 33)],
)
def test_gradient_descent_converges_at_order_one(ni, no, lam, seed):
    # diffrax-style order test: error at a fixed time for halving steps; GD is the explicit Euler method
    W1, W2, syx = balanced_problem(ni, min(ni, no), no, lam, seed=seed, sigma=0.5)
    net = TwoLayerExact(W1, W2, syx)
    t_end = 2.0
    exact = net.qqt(t_end)
    steps = [0.02, 0.01, 0.005, 0.0025]
    errors = []
    for h in steps:
        tr = gradient_descent(DeepLinearModel(syx), (W1, W2), h, [t_end])
        errors.append(np.abs(qqt_of(tr["W1"][-1], tr["W2"][-1]) - exact).max())
    order = fit_order(steps, errors)
    # Euler's local error is O(h^2) with an O(h^3) remainder: at these steps the fitted order is 1 +- 0.1
    assert abs(order - 1.0) <= 0.1, (order, errors)
    assert errors[-1] < errors[0]
