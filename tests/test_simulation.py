"""Float64 simulation against closed forms, finite differences and convergence order."""

import numpy as np
import pytest

from lazyrich import (
    FLOAT64_EPS,
    DeepLinearModel,
    InvalidParameterError,
    NonFiniteError,
    ReluNetworkModel,
    ShapeError,
    SimulationDivergedError,
    SingleNeuronModel,
    fit_order,
    gradient_descent,
    gradient_flow,
    matrix_with_singular_values,
    ode_global_tolerance,
)
from lazyrich._simulate.flow import pack


def saxe_logistic(t, s0, s_target):
    """Balanced scalar two-layer net: tau ds/dt = 2 s (s~ - s) (Saxe et al. 2014)."""
    e = np.exp(2 * s_target * t)
    return s_target * e / (e - 1 + s_target / s0)


def test_gradient_flow_matches_saxe_logistic():
    s0, st = 0.01, 2.0
    t = np.linspace(0, 5, 41)
    tr = gradient_flow(DeepLinearModel([[st]]), ([[np.sqrt(s0)]], [[np.sqrt(s0)]]), t)
    s = tr["W2"][:, 0, 0] * tr["W1"][:, 0, 0]
    tol = 2 * tr.scale * ode_global_tolerance(tr.n_steps, tr.rtol, tr.atol, tr.scale)  # product of two errors
    assert np.max(np.abs(s - saxe_logistic(t, s0, st))) <= tol


def test_one_layer_flow_matches_matrix_exponential_with_general_sigma_xx():
    from scipy.linalg import expm

    rng = np.random.default_rng(0)
    syx = rng.standard_normal((2, 3))
    Q = matrix_with_singular_values((3, 3), [1, 1, 1], rng)
    sxx = (Q * [0.5, 1.0, 1.7]) @ Q.T
    W0 = rng.standard_normal((2, 3))
    t = np.array([0.0, 0.7, 2.0])
    tr = gradient_flow(DeepLinearModel(syx, sxx, tau=1.3, depth=1), (W0,), t)
    W_star = syx @ np.linalg.inv(sxx)
    exact = np.stack([W_star + (W0 - W_star) @ expm(-sxx * ti / 1.3) for ti in t])
    assert np.max(np.abs(tr["W1"] - exact)) <= ode_global_tolerance(tr.n_steps, tr.rtol, tr.atol, tr.scale)


def _fd_velocity(model, params, h=1e-6):
    """Central finite differences of the loss: an independent route to the gradient."""
    x0 = pack(params)
    shapes = [np.shape(p) for p in params]
    sizes = [int(np.prod(s)) for s in shapes]

    def unpack(x):
        out, k = [], 0
        for s, n in zip(shapes, sizes):
            out.append(x[k : k + n].reshape(s))
            k += n
        return tuple(out)

    g = np.empty_like(x0)
    for i in range(x0.size):
        e = np.zeros_like(x0)
        e[i] = h
        g[i] = (model.loss(unpack(x0 + e)) - model.loss(unpack(x0 - e))) / (2 * h)
    return g


def test_velocities_are_minus_scaled_gradients_of_the_losses():
    rng = np.random.default_rng(1)
    X, y = rng.standard_normal((6, 3)), rng.standard_normal(6)
    cases = [
        (
            DeepLinearModel(rng.standard_normal((2, 3)), tau=1.0, depth=3),
            (rng.standard_normal((4, 3)), rng.standard_normal((2, 4)), rng.standard_normal((2, 2))),
            1.0,
        ),
        (SingleNeuronModel(X, y, eta_a=1.0, eta_w=1.0), (np.asarray(0.7), rng.standard_normal(3)), 1.0),
        (ReluNetworkModel(X, y, leak=0.1), (rng.standard_normal(4), rng.standard_normal((4, 3))), 1.0),
    ]
    for model, params, rate in cases:
        v = pack(model.velocity(params))
        g = _fd_velocity(model, params)
        # central differences: truncation O(h^2 |L'''|) ~ 1e-12, round-off eps |L| / h ~ 1e-9 |L|
        tol = 10 * FLOAT64_EPS * max(abs(model.loss(params)), 1.0) / 1e-6
        assert np.max(np.abs(v + rate * g)) <= tol, type(model).__name__


def test_learning_rates_scale_the_single_neuron_velocity():
    rng = np.random.default_rng(2)
    X, y = rng.standard_normal((4, 2)), rng.standard_normal(4)
    p = (np.asarray(0.4), rng.standard_normal(2))
    va, vw = SingleNeuronModel(X, y, eta_a=2.0, eta_w=3.0).velocity(p)
    ua, uw = SingleNeuronModel(X, y).velocity(p)
    assert np.allclose(va, 2 * ua, rtol=4 * FLOAT64_EPS) and np.allclose(vw, 3 * uw, rtol=4 * FLOAT64_EPS)


@pytest.mark.parametrize("which", ["two_layer", "single_neuron"])
def test_gradient_descent_converges_to_gradient_flow_at_order_one(which):
    rng = np.random.default_rng(3)
    if which == "two_layer":
        model = DeepLinearModel(matrix_with_singular_values((2, 3), [1.5, 0.7], rng))
        init = (rng.standard_normal((2, 3)) * 0.3, rng.standard_normal((2, 2)) * 0.3)
    else:
        X = np.linalg.qr(rng.standard_normal((5, 3)))[0]
        model = SingleNeuronModel(X, rng.standard_normal(5), eta_a=0.5, eta_w=2.0)
        init = (np.asarray(0.3), rng.standard_normal(3) * 0.3)
    T = 2.0
    ref_tr = gradient_flow(model, init, [0.0, T])
    ref = ref_tr.at(1)
    steps = [0.02, 0.01, 0.005, 0.0025]
    errs = [
        max(float(np.abs(a - b).max()) for a, b in zip(gradient_descent(model, init, h, [0.0, T]).at(1), ref))
        for h in steps
    ]
    # the slope is the descent's: its smallest error is above the ODE reference's global error bound
    assert abs(fit_order(steps, errs) - 1.0) < 0.1
    assert errs[-1] > ode_global_tolerance(ref_tr.n_steps, ref_tr.rtol, ref_tr.atol, ref_tr.scale)


def test_gradient_descent_grid_must_be_whole_steps():
    m = DeepLinearModel([[1.0]])
    with pytest.raises(InvalidParameterError, match="whole number of steps"):
        gradient_descent(m, ([[0.1]], [[0.1]]), 0.1, [0.0, 0.25])


def test_divergence_is_a_typed_error():
    m = DeepLinearModel([[1.0]])
    with pytest.raises(SimulationDivergedError, match="reduce it"):
        gradient_descent(m, ([[3.0]], [[3.0]]), 5.0, [0.0, 500.0])


def test_bad_inputs_raise_typed_errors():
    with pytest.raises(ShapeError, match="W2 @ W1"):
        gradient_flow(DeepLinearModel(np.ones((2, 3))), (np.ones((2, 3)), np.ones((2, 4))), [1.0])
    with pytest.raises(NonFiniteError):
        DeepLinearModel([[np.nan]])
    with pytest.raises(InvalidParameterError):
        SingleNeuronModel(np.eye(2), [1.0, 2.0], eta_a=-1.0)
    with pytest.raises(InvalidParameterError):
        DeepLinearModel([[1.0]], tau=0.0)
    with pytest.raises(InvalidParameterError, match=">= 0"):
        gradient_flow(DeepLinearModel([[1.0]]), ([[0.1]], [[0.1]]), [-1.0])
    with pytest.raises(ShapeError, match="symmetric"):
        DeepLinearModel(np.ones((1, 2)), sigma_xx=[[1.0, 0.5], [0.0, 1.0]])
    with pytest.raises(ShapeError):
        SingleNeuronModel(np.eye(3), [1.0, 2.0])
    with pytest.raises(InvalidParameterError, match="strictly increasing"):
        gradient_flow(DeepLinearModel([[1.0]]), ([[0.1]], [[0.1]]), [1.0, 0.5])


def test_trajectory_indexing():
    tr = gradient_descent(DeepLinearModel([[1.0]]), ([[0.1]], [[0.2]]), 0.1, [0.0, 0.1, 0.3])
    assert tr["W1"].shape == (3, 1, 1) and tr.n_steps == 3
    with pytest.raises(KeyError, match="no parameter"):
        tr["W3"]


def test_descent_steps_are_checked_against_max_steps_before_any_step():
    m, init = DeepLinearModel([[1.0]]), ([[0.1]], [[0.2]])
    with pytest.raises(InvalidParameterError, match="max_steps=5; pass a larger max_steps="):
        gradient_descent(m, init, 0.1, [0.0, 1.0], max_steps=5)
    assert gradient_descent(m, init, 0.1, [0.0, 1.0], max_steps=10).n_steps == 10


def test_extreme_weight_scales_give_a_value_or_a_typed_error_and_no_warning():
    import warnings

    from lazyrich import SimulationDivergedError

    m = DeepLinearModel(np.diag([2.0, 1.0]))
    W = np.array([[0.5, 0.1], [0.2, 0.4]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # tiny weights: W2 W1 ~ 1e-400 underflows to 0 exactly, so the velocity is W2^T Sigma_yx; every remaining
        # product is by 0, 1 or 2 (exact in binary), so it equals the reference bit for bit
        v1, _ = m.velocity((1e-200 * W, 1e-200 * W))
        assert np.array_equal(v1, 1e-200 * W.T @ np.diag([2.0, 1.0]))
        assert m.loss((1e-200 * W, 1e-200 * W)) == 0.0
        for call in (
            lambda: m.loss((1e200 * W, 1e200 * W)),
            lambda: m.velocity((1e200 * W, 1e200 * W)),
            lambda: gradient_flow(m, (1e200 * W, 1e200 * W), [0.0, 1.0]),
            lambda: gradient_descent(m, (1e200 * W, 1e200 * W), 0.1, [0.0, 1.0]),
        ):
            with pytest.raises(SimulationDivergedError, match=r"rescale|reduce"):
                call()
