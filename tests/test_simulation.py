"""Float64 simulation against closed forms, finite differences and convergence order."""

from fractions import Fraction

import numpy as np
import pytest

from derivations.rounding import gamma
from helpers import assert_order
from lazyrich import (
    FLOAT64_EPS,
    DeepLinearModel,
    InvalidParameterError,
    NonFiniteError,
    ReluNetworkModel,
    ShapeError,
    SimulationDivergedError,
    SingleNeuronModel,
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


#: A power of two: ``x0 +- H`` is exact wherever it is a multiple of ``ulp(x0)`` in ``x0``'s binade or below (every
#: ``2^-10 <= |x0| < 2^42`` not next to a binade's top); checked exactly per coordinate (``Fraction``).
FD_STEP = 2.0**-10


def _rounding_model(model, params):
    """``(K, L_abs, v_abs)``: the loss and the velocity evaluated in float64 err by at most ``gamma_K`` times the same
    formulas on absolute values (``L_abs``, ``v_abs``; Higham (2002), Lemma 3.1 and Sec. 3.5: no cancellation
    there), ``K`` the longest chain of roundings (inner dimensions of the products, the sums and scalings).
    """
    if isinstance(model, DeepLinearModel):
        # Pi = W_L ... W_1 (W_1 @ I is exact): the hidden sizes; Pi Sxx Pi^T: 2 N_i (and Pi's error twice); the
        # trace: N_o; the difference of the two traces: 1. Velocity: E = Syx - Pi Sxx (hidden + N_i + 1), A^T E B^T
        # (N_o + N_i and the chains A, B: at most the hidden sizes again), / tau (1)
        mats = [np.abs(p) for p in params]
        n_out, n_in = model.sigma_yx.shape
        hidden = sum(p.shape[0] for p in params[:-1])
        k = 2 * hidden + 2 * n_in + n_out + 2

        def chain(ms, n):
            out = np.eye(n)
            for m in ms:
                out = m @ out
            return out

        Pi = chain(mats, n_in)
        sxx, syx = np.abs(model.sigma_xx), np.abs(model.sigma_yx)
        loss = 0.5 * np.trace(Pi @ sxx @ Pi.T) + np.trace(syx.T @ Pi)
        E = syx + Pi @ sxx
        vel = [
            chain(mats[layer + 1 :], mats[layer].shape[0]).T @ E @ chain(mats[:layer], n_in).T / model.tau
            for layer in range(len(mats))
        ]
    elif isinstance(model, SingleNeuronModel):
        # r = X (a w) - y: 1 + d + 1, squared (twice that) and summed (n); g = X^T r (n more), w . g (d) and
        # eta (1) or eta a g (2)
        a, w = abs(float(params[0])), np.abs(params[1])
        n, d = model.X.shape
        k = 2 * d + n + 4
        r = np.abs(model.X) @ (a * w) + np.abs(model.y)
        g = np.abs(model.X).T @ r
        loss, vel = 0.5 * r @ r, [np.asarray(model.eta_a * (w @ g)), model.eta_w * a * g]
    else:
        # z = X W^T (d), leak z (1), r = act a - y (k + 1), squared and summed (2 (d + k + 2) + n); velocity: act^T r
        # and (dact r a)^T X (<= 2 d + k + n + 5); |act| <= |z| and dact <= 1
        a, W = np.abs(params[0]), np.abs(params[1])
        n, d = model.X.shape
        k = 2 * d + 2 * W.shape[0] + n + 5
        act = np.abs(model.X) @ W.T
        r = act @ a + np.abs(model.y)
        loss = 0.5 * r @ r
        vel = [model.eta_a * act.T @ r, model.eta_w * (r[:, None] * a[None, :]).T @ np.abs(model.X)]
    return k, float(loss), pack(vel)


def _fd_velocity(model, params, h=FD_STEP):
    """Central finite differences of the loss: an independent route to the gradient, and their error bound.

    Along one coordinate each loss is a quadratic polynomial (every weight enters W_L ... W_1, a w or act(X W^T) a
    linearly; for the ReLU net while no pre-activation changes sign, checked), so the central difference is the
    derivative exactly: no truncation. Its error is the round-off of the two losses (gamma_K L_abs each, over 2h),
    of their difference and of the division (u each).
    """
    x0 = pack(params)
    shapes = [np.shape(p) for p in params]
    sizes = [int(np.prod(s)) for s in shapes]

    def unpack(x):
        out, k = [], 0
        for s, n in zip(shapes, sizes):
            out.append(x[k : k + n].reshape(s))
            k += n
        return tuple(out)

    u = FLOAT64_EPS / 2
    g, err = np.empty_like(x0), np.empty_like(x0)
    for i in range(x0.size):
        e = np.zeros_like(x0)
        e[i] = h
        xp, xm = x0 + e, x0 - e
        assert Fraction(xp[i]) - Fraction(x0[i]) == Fraction(h) == Fraction(x0[i]) - Fraction(xm[i])
        lp, lm = model.loss(unpack(xp)), model.loss(unpack(xm))
        g[i] = (lp - lm) / (2 * h)
        (kp, ap, _), (km, am, _) = _rounding_model(model, unpack(xp)), _rounding_model(model, unpack(xm))
        err[i] = (gamma(kp) * ap + gamma(km) * am + u * abs(lp - lm)) / (2 * h) + u * abs(g[i])
    return g, err


def _no_sign_change(model, params, h=FD_STEP):
    """No pre-activation ``w_k . x_i`` of the ReLU net changes sign when one weight moves by ``h``: ``|z_ik|`` (less
    its round-off ``gamma_d |X| |W|^T``) above ``h max_j |X_ij|``."""
    z = model.X @ params[1].T
    z_err = gamma(model.X.shape[1]) * (np.abs(model.X) @ np.abs(params[1]).T)
    return bool(np.all(np.abs(z) - z_err > h * np.abs(model.X).max(axis=1)[:, None]))


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
        if isinstance(model, ReluNetworkModel):
            assert _no_sign_change(model, params)
        v = pack(model.velocity(params))
        g, fd_err = _fd_velocity(model, params)
        # the finite difference's bound and the velocity's own round-off (gamma_K v_abs); rate = 1 is exact
        k, _, v_abs = _rounding_model(model, params)
        tol = rate * fd_err + gamma(k) * v_abs
        assert np.all(np.abs(v + rate * g) <= tol), type(model).__name__


def test_learning_rates_scale_the_single_neuron_velocity():
    rng = np.random.default_rng(2)
    X, y = rng.standard_normal((4, 2)), rng.standard_normal(4)
    p = (np.asarray(0.4), rng.standard_normal(2))
    va, vw = SingleNeuronModel(X, y, eta_a=2.0, eta_w=3.0).velocity(p)
    ua, uw = SingleNeuronModel(X, y).velocity(p)
    # v_a = -eta_a (w . g) with the same g: scaling by 2 (and by -1) is exact. v_w = ((-eta_w) a) g against
    # 3 ((-a) g): two roundings each (gamma_2) around the exact -3 a g, and |3 a g| <= |3 u_w| / (1 - gamma_2)
    assert np.array_equal(va, 2 * ua)
    assert np.all(np.abs(vw - 3 * uw) <= 2 * gamma(2) / (1 - gamma(2)) * np.abs(3 * uw))


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
    ode_err = ode_global_tolerance(ref_tr.n_steps, ref_tr.rtol, ref_tr.atol, ref_tr.scale)
    steps = [0.01, 0.005, 0.0025]
    errs, noise = [], []
    for h in steps:
        tr = gradient_descent(model, init, h, h * np.arange(round(T / h) + 1))
        errs.append(max(float(np.abs(a - b).max()) for a, b in zip(tr.at(len(tr.t) - 1), ref)))
        # each step theta + h v rounds the velocity (gamma_K v_abs, _rounding_model), the product and the sum
        # (gamma_{K+2} on |theta| + h v_abs); summed over the steps like the ODE's local errors (non-expanding flow)
        rounding = 0.0
        for i in range(len(tr.t) - 1):
            k, _, v_abs = _rounding_model(model, tr.at(i))
            rounding += gamma(k + 2) * (max(float(np.abs(p).max()) for p in tr.at(i)) + h * float(v_abs.max()))
        noise.append((ode_err + rounding) / errs[-1])
    # GD's global error is C h (1 + b_1 h + ...) (Euler's error expansion: p = 1): the fitted order is 1 within the
    # window the errors' own curvature and noise derive (helpers.order_window)
    assert_order(steps, errs, noise, 1, 1.0)
    assert errs[-1] > ode_err  # the slope is the descent's, not the reference's


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
