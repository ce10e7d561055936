"""Width-independent simulation: reduced == full width (same init), and the sqrt(d/w) law of claim 23."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given

from derivations.rounding import gamma
from helpers import seeds, shapes
from lazyrich import (
    FLOAT64_EPS,
    DeepLinearModel,
    InvalidParameterError,
    SimulationDivergedError,
    fit_order,
    gaussian_init,
    gradient_descent,
    gradient_flow,
    linalg_tolerance,
    matrix_with_singular_values,
    ode_global_tolerance,
    reduce_width,
    self_consistent_flow,
    self_consistent_velocity,
    two_layer_descent,
)
from lazyrich._simulate.reduced import descent_steps


def _descent_roundoff(W1, W2, *trajectories) -> float:
    """Bound on ``max |P_full - P_reduced|`` for P = W2 W1, W1^T W1, W2 W2^T along two descents from one init.

    In exact arithmetic the full iterates are B times the reduced ones, so only round-off separates them.
    Start: A and the Grams come from ``M^T M`` (gamma_w |M|_F^2) and its Cholesky factor (backward error
    gamma_{n+1} |R^T||R|, Higham (2002), Thm 10.3). Each step of a network of hidden size h forms ``W2 W1``
    (gamma_h) and updates both factors (a product of inner size d <= 3 and two roundings), so each weight moves
    by <= gamma_{h+3} of its norm and a product of two by <= 2 gamma_{h+3} m^2, m the largest factor norm on the
    trajectory; the products compared here are formed once more (gamma_h m^2). The steps' errors add, as for
    :func:`lazyrich.ode_global_tolerance` (a descent that does not expand errors). Frobenius norms bound entries.
    """
    M = np.hstack([W1, W2.T])
    total = (gamma(M.shape[0]) + gamma(M.shape[1] + 1)) * float(np.linalg.norm(M)) ** 2
    for tr in trajectories:
        h = tr["W1"].shape[1]
        m = max(float(np.linalg.norm(tr[k], axis=(1, 2)).max()) for k in ("W1", "W2"))
        total += (2 * tr.n_steps * gamma(h + 3) + gamma(h)) * m**2
    return total


def _products(tr):
    W1, W2 = tr["W1"], tr["W2"]
    return (
        np.einsum("tij,tjk->tik", W2, W1),
        np.einsum("tji,tjk->tik", W1, W1),
        np.einsum("tij,tkj->tik", W2, W2),
    )


@given(dims=shapes(max_dim=4, n=3), seed=seeds)
def test_reduce_width_keeps_A_X_Y(dims, seed):
    d_in, d_out, extra = dims
    w = d_in + d_out + 3 * extra
    W1, W2 = gaussian_init(d_in, d_out, w, 0.5, seed=seed, reduced=False)
    V1, V2 = reduce_width(W1, W2)
    assert V1.shape == (d_in + d_out, d_in) and V2.shape == (d_out, d_in + d_out)
    scale = max(np.abs(W1).max(), np.abs(W2).max()) ** 2
    tol = linalg_tolerance(1, w) * scale * 4  # Householder QR: backward error ~ w eps |M| in each Gram entry
    for full, red in zip((W2 @ W1, W1.T @ W1, W2 @ W2.T), (V2 @ V1, V1.T @ V1, V2 @ V2.T)):
        assert np.max(np.abs(full - red)) <= tol


@pytest.mark.parametrize("update", ["sequential", "simultaneous"])
def test_gradient_descent_reduced_equals_full_width(update):
    """Same init, 300 steps: A, W1^T W1, W2 W2^T agree to round-off (:func:`_descent_roundoff`, derived).

    Why they can: the full iterates are exactly B times the reduced ones; only round-off differs."""
    d_in, d_out, w = 3, 4, 2000
    W1, W2 = gaussian_init(d_in, d_out, w, 1.0 / w, seed=7, reduced=False)
    T = matrix_with_singular_values((d_out, d_in), [3.0, 1.0, 0.3], 8)
    t = np.arange(0, 301) * 0.02
    full_tr = two_layer_descent(W1, W2, T, 0.02, t, update=update)
    red_tr = two_layer_descent(*reduce_width(W1, W2), T, 0.02, t, update=update)
    tol = _descent_roundoff(W1, W2, full_tr, red_tr)
    for f, r in zip(_products(full_tr), _products(red_tr)):
        assert np.max(np.abs(f - r)) <= tol


def test_simultaneous_descent_matches_lazyrich_gradient_descent():
    W1, W2 = gaussian_init(2, 3, 9, 0.3, seed=1, reduced=False)
    T = np.arange(6.0).reshape(3, 2) / 6
    t = [0.0, 0.5, 1.0]
    a = two_layer_descent(W1, W2, T, 0.05, t, update="simultaneous")
    b = gradient_descent(DeepLinearModel(T), (W1, W2), 0.05, t)
    assert np.max(np.abs(a["W1"] - b["W1"])) <= 20 * 4 * FLOAT64_EPS  # 20 steps, O(1) entries
    assert np.max(np.abs(a["W2"] - b["W2"])) <= 20 * 4 * FLOAT64_EPS


def test_gradient_flow_reduced_equals_full_width():
    d_in, d_out, w = 3, 2, 200
    W1, W2 = gaussian_init(d_in, d_out, w, 1.0 / w, seed=3, reduced=False)
    T = matrix_with_singular_values((d_out, d_in), [2.0, 0.5], 4)
    t = np.linspace(0, 4, 9)
    full = gradient_flow(DeepLinearModel(T), (W1, W2), t, rtol=1e-13)
    red = gradient_flow(DeepLinearModel(T), reduce_width(W1, W2), t, rtol=1e-13)

    # both adaptive solvers stay within their global error bounds e of the same exact weights (up to B): an entry
    # of a product of two h-wide factors then errs by <= h (2 scale e + e^2), and forming it by gamma_h h scale^2
    def product_tolerance(tr):
        h, e = tr["W1"].shape[1], ode_global_tolerance(tr.n_steps, tr.rtol, tr.atol, tr.scale)
        return h * (2 * tr.scale * e + e * e) + gamma(h) * h * tr.scale**2

    tol = product_tolerance(full) + product_tolerance(red)
    for f, r in zip(_products(full), _products(red)):
        assert np.max(np.abs(f - r)) <= tol


def test_bad_input():
    with pytest.raises(InvalidParameterError):
        two_layer_descent([[1.0]], [[1.0]], [[1.0]], 0.1, [0.1], update="random")
    with pytest.raises(InvalidParameterError):
        two_layer_descent([[1.0]], [[1.0]], [[1.0]], 0.1, [0.15])
    with pytest.raises(SimulationDivergedError):
        two_layer_descent([[1.0]], [[1.0]], [[100.0]], 1.0, [50.0])


# --- claim 23: max relative distance to eq. (1) ~ sqrt(d / w) at fixed c ------------------------------------

D, C = 10, 1.0
TARGET = matrix_with_singular_values((D, D), np.linspace(0.3, 5.0, D), 123)  # singular values on both sides of c
WIDTHS = [10**2, 10**3, 10**4, 10**5, 10**6]
SEEDS = range(3)


def _flow_distance(w, seed):
    """max_t ||A_GF(t) - A_eq1(t)||_F / ||T||_F on [0, 3] (decay rate >= 2c = 2: converged), reduced weights."""
    t = np.linspace(0, 3, 31)
    W1, W2 = gaussian_init(D, D, w, C / w, seed=seed)
    gf = gradient_flow(DeepLinearModel(TARGET), (W1, W2), t, rtol=1e-9)
    sc = self_consistent_flow(W2 @ W1, TARGET, C, t, rtol=1e-9)
    A = np.einsum("tij,tjk->tik", gf["W2"], gf["W1"])
    return np.max(np.linalg.norm(A - sc["A"], axis=(1, 2))) / np.linalg.norm(TARGET)


def _descent_distance(w, seed, eta=0.005, n=600):
    W1, W2 = gaussian_init(D, D, w, C / w, seed=seed)
    B, m = None, 0.0
    for _, (A, _, _) in zip(range(n + 1), descent_steps(W1, W2, TARGET, eta, "sequential")):
        B = A.copy() if B is None else B + eta * self_consistent_velocity(B, TARGET, C)
        m = max(m, np.linalg.norm(A - B) / np.linalg.norm(TARGET))
    return m


def test_claim_23_flow_distance_scales_like_sqrt_d_over_w():
    """Fit the exponent over w = 1e2..1e6 (reduced simulation, cost independent of w).

    Band 0.15 around -1/2: the leading term is the CLT fluctuation O(sqrt(d/w)) of the
    Wishart offsets W1^T Lambda W1 / c^2 - I (claim 22); the next order O(d/w) is 0.1 at
    the smallest width and moves a 4-decade log-log slope by ~0.1/ln(1e4) ~ 0.01; the
    seed-to-seed scatter of the slope is asserted below 0.05 (3 of its standard errors fit in the band).
    """
    slopes = [fit_order(WIDTHS, [_flow_distance(w, s) for w in WIDTHS]) for s in SEEDS]
    mean = float(np.mean(slopes))
    se = float(np.std(slopes, ddof=1) / np.sqrt(len(slopes)))
    assert 3 * se < 0.15
    assert abs(mean + 0.5) <= 0.15, (mean, slopes)


def test_claim_23_descent_distance_before_the_discretisation_floor():
    """Gradient descent vs discretised eq. (1), eta = 0.005: the same exponent on w = 1e2..1e4, where the
    O(eta) discretisation floor (~0.2 eta = 1e-3 relative, measured at w = 1e8) is below the distance."""
    widths = WIDTHS[:3]
    dist = [np.mean([_descent_distance(w, s) for s in range(2)]) for w in widths]
    assert abs(fit_order(widths, dist) + 0.5) <= 0.15


def test_rank_deficient_init_falls_back_to_qr():
    """A zero column makes the Gram matrix singular (no Cholesky factor): the QR route still reduces exactly."""
    rng = np.random.default_rng(0)
    W1 = np.hstack([rng.standard_normal((30, 1)), np.zeros((30, 1))])
    W2 = rng.standard_normal((2, 30))
    V1, V2 = reduce_width(W1, W2)
    assert V1.shape == (4, 2)
    tol = linalg_tolerance(1, 30) * 4 * max(np.abs(W1).max(), np.abs(W2).max()) ** 2
    assert np.max(np.abs(V2 @ V1 - W2 @ W1)) <= tol
    assert np.max(np.abs(V1.T @ V1 - W1.T @ W1)) <= tol
    assert np.max(np.abs(V2 @ V2.T - W2 @ W2.T)) <= tol
