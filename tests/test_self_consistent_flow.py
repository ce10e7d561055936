"""Eq. (1), dA/dt = -(AA^T + c^2)^{1/2} G - G (A^T A + c^2)^{1/2}, G = A - T: flow, descent and exact cases."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from derivations.rounding import LIBM_ULPS, UNIT_ROUNDOFF
from helpers import seeds, shapes
from lazyrich import (
    FLOAT64_EPS,
    DeepLinearModel,
    InvalidParameterError,
    SelfConsistentModel,
    ShapeError,
    gradient_flow,
    linalg_tolerance,
    matrix_with_singular_values,
    mixed_aligned_singular_value,
    ode_global_tolerance,
    random_orthogonal,
    self_consistent_descent,
    self_consistent_flow,
    self_consistent_velocity,
)


def _psd_sqrt(M):
    """Square root of a symmetric PSD matrix by eigh (an independent route from the SVD used by the library)."""
    ev, Q = np.linalg.eigh((M + M.T) / 2)
    return (Q * np.sqrt(np.clip(ev, 0, None))) @ Q.T


@given(shape=shapes(max_dim=5, n=2), seed=seeds, c=st.floats(0.0, 3.0))
def test_velocity_matches_eigh_square_roots(shape, seed, c):
    rng = np.random.default_rng(seed)
    d_out, d_in = shape
    A = matrix_with_singular_values((d_out, d_in), rng.uniform(0.2, 2.0, min(shape)), rng)
    T = rng.standard_normal((d_out, d_in))
    G = A - T
    ref = -(_psd_sqrt(A @ A.T + c**2 * np.eye(d_out)) @ G + G @ _psd_sqrt(A.T @ A + c**2 * np.eye(d_in)))
    assert np.max(np.abs(self_consistent_velocity(A, T, c) - ref)) <= _velocity_tolerance(A, G, c)


def _sqrt_error(A, c, n):
    """2-norm bound on the difference of the two routes' ``(M)^{1/2}``, ``M = A A^T + c^2 I`` (or ``A^T A``), size n.

    eigh route: M is formed (inner size <= n) and diagonalised backward stably, ``dM = 2 n eps ||M||``
    (:func:`lazyrich.linalg_tolerance`); the square root moves by <= dM / (2c) (the derivative of the matrix square
    root is bounded by 1 / (2 sqrt(lambda_min)), lambda_min >= c^2) and by <= sqrt(dM) (it is 1/2-Hoelder: the c = 0
    bound), and ``Q diag Q^T`` adds ``2 n eps ||M^{1/2}||``. SVD route (the library): a backward error ``n eps ||A||``
    moves ``(A A^T)^{1/2} = |A^T|`` by <= sqrt 2 times it (Lipschitz constant of the absolute value, Frobenius), and
    ``U diag U^T`` adds the same reconstruction term.
    """
    a = np.linalg.norm(A, 2)
    dM = linalg_tolerance(1.0, 2 * n) * (a * a + c * c)
    eig = min(np.sqrt(dM), dM / (2 * c)) if c * c > dM else np.sqrt(dM)  # (no overflow for a tiny c)
    recon = linalg_tolerance(1.0, 2 * n) * np.hypot(a, c)
    return eig + 2 * recon + np.sqrt(2) * linalg_tolerance(1.0, n) * a


def _velocity_tolerance(A, G, c):
    """Bound on ``|v_library - v_eigh|`` for ``v = -(P G + G Q)``: the square roots' errors times ``||G||_2``, and
    each route's two products (inner size <= n: ``2 n eps ||P|| ||G||``, as for the square roots' reconstruction)."""
    d_out, d_in = A.shape
    n = max(d_out, d_in)
    a, g = np.linalg.norm(A, 2), np.linalg.norm(G, 2)
    products = 2 * linalg_tolerance(1.0, 2 * n) * 2 * np.hypot(a, c) * g
    return (_sqrt_error(A, c, d_out) + _sqrt_error(A, c, d_in)) * g + products


def test_aligned_flow_matches_closed_form():
    """Claim 15-16: shared singular vectors are kept and each singular value follows the closed form."""
    d, c = 4, 0.7
    U, V = random_orthogonal(d, 1), random_orthogonal(d, 2)
    s0 = np.array([0.05, -0.3, 1.0, 3.0])  # a negative entry: the ODE is solved for any real s
    s_star = np.array([2.5, 1.5, 0.2, 1.0])
    A0, T = (U * s0) @ V.T, (U * s_star) @ V.T
    t = np.linspace(0, 3, 7)
    tr = self_consistent_flow(A0, T, c, t)
    s_t = np.stack([mixed_aligned_singular_value(t, a, b, c) for a, b in zip(s0, s_star)], axis=1)  # (len(t), d)
    exact = np.einsum("ik,tk,jk->tij", U, s_t, V)
    tol = ode_global_tolerance(tr.n_steps, tr.rtol, tr.atol, tr.scale) * d
    assert np.max(np.abs(tr["A"] - exact)) <= tol


def _manifold_weights(A0, c):
    """Claim 13 construction (derived here for Tu et al. (2024), eq. (1)): width 2d, W1^T Lambda W1 = -W2 Lambda W2^T = c^2 I."""
    d = A0.shape[0]
    U, s, Vt = np.linalg.svd(A0)
    V = Vt.T
    r = np.hypot(s, c)
    X_half = (V * np.sqrt(r)) @ V.T
    Y_half = (U * np.sqrt(r)) @ U.T
    K = s / r
    Omega1 = np.vstack([np.eye(d), np.zeros((d, d))]) @ V.T
    Omega2 = np.vstack([K[:, None] * U.T, np.sqrt(1 - K**2)[:, None] * U.T])
    return Omega1 @ X_half, Y_half @ Omega2.T


def test_claim_13_width_2d_manifold_is_exact():
    d, c = 3, 0.8
    rng = np.random.default_rng(5)
    A0 = matrix_with_singular_values((d, d), [0.1, 0.5, 1.3], rng)
    T = matrix_with_singular_values((d, d), [3.0, 1.0, 0.2], rng)
    W1, W2 = _manifold_weights(A0, c)
    # the construction is what it claims: A = W2 W1 and the offsets equal c^2 I
    Lam = W1 @ W1.T - W2.T @ W2
    kappa = 4 * (1 + c**2)
    assert np.max(np.abs(W2 @ W1 - A0)) <= linalg_tolerance(kappa, 2 * d)
    assert np.max(np.abs(W1.T @ Lam @ W1 - c**2 * np.eye(d))) <= linalg_tolerance(kappa**2, 2 * d)
    assert np.max(np.abs(-W2 @ Lam @ W2.T - c**2 * np.eye(d))) <= linalg_tolerance(kappa**2, 2 * d)
    t = np.linspace(0, 3, 13)
    gf = gradient_flow(DeepLinearModel(T), (W1, W2), t, rtol=1e-12)
    sc = self_consistent_flow(A0, T, c, t, rtol=1e-12)
    A_gf = np.einsum("tij,tjk->tik", gf["W2"], gf["W1"])
    # both solvers' global error bounds; the product of W's doubles the weight error (|A| <= scale^2)
    tol = 2 * gf.scale * ode_global_tolerance(gf.n_steps, gf.rtol, gf.atol, gf.scale) + ode_global_tolerance(
        sc.n_steps, sc.rtol, sc.atol, sc.scale
    )
    assert np.max(np.abs(A_gf - sc["A"])) <= tol


def test_lazy_limit_of_the_flow():
    """c >> ||A||, ||T||: A(t) = T + exp(-2ct)(A0 - T) up to the relative rate change O(||A||^2 / c^2) (claim 11)."""
    rng = np.random.default_rng(3)
    A0 = 0.1 * rng.standard_normal((3, 2))
    T = 0.2 * rng.standard_normal((3, 2))
    c = 100.0
    t = np.linspace(0, 0.02, 5)
    tr = self_consistent_flow(A0, T, c, t)
    lazy = T + np.exp(-2 * c * t)[:, None, None] * (A0 - T)
    m = max(np.linalg.norm(A0, 2), np.linalg.norm(T, 2))
    # derived: ||A(s)||_2 <= m on the flow, so P = (AA^T + c^2)^{1/2} = c I + dP with 0 <= dP <= m^2 / (2c) (and Q);
    # ||G||_F decays at rate >= 2c (P, Q >= c I), and e = A - lazy obeys e' = -2c e - (dP G + G dQ), hence
    # ||e(t)||_F <= int_0^t e^{-2c(t-s)} (m^2 / c) e^{-2cs} ||G_0||_F ds = (m^2 / c) t e^{-2ct} ||G_0||_F
    model = (m * m / c) * t * np.exp(-2 * c * t) * np.linalg.norm(A0 - T)
    # plus the solver's global error and the float64 lazy formula (exp within LIBM_ULPS ulp, three roundings)
    numeric = ode_global_tolerance(tr.n_steps, tr.rtol, tr.atol, tr.scale)
    numeric += (LIBM_ULPS * FLOAT64_EPS + 3 * UNIT_ROUNDOFF) * (np.abs(T).max() + np.abs(A0 - T).max())
    assert np.all(np.max(np.abs(tr["A"] - lazy), axis=(1, 2)) <= model + numeric)


def test_descent_step_rule():
    """One step is A - eta (P G + G Q), P, Q from eigh square roots; k steps sit at t = k eta."""
    rng = np.random.default_rng(4)
    A0, T, c, eta = rng.standard_normal((3, 4)), rng.standard_normal((3, 4)), 0.9, 0.01
    tr = self_consistent_descent(A0, T, c, eta, [0.0, eta, 5 * eta])
    G = A0 - T
    v = -(_psd_sqrt(A0 @ A0.T + c**2 * np.eye(3)) @ G + G @ _psd_sqrt(A0.T @ A0 + c**2 * np.eye(4)))
    one = A0 + eta * v
    # eta times the two velocities' difference, and each side's update A0 + eta v (two roundings of its terms)
    step_tol = eta * _velocity_tolerance(A0, G, c) + 2 * 2 * UNIT_ROUNDOFF * (np.abs(A0) + eta * np.abs(v)).max()
    assert np.max(np.abs(tr["A"][1] - one)) <= step_tol
    assert tr.n_steps == 5
    # small steps converge to the flow at first order
    fl = self_consistent_flow(A0, T, c, [0.2])
    errs = [np.abs(self_consistent_descent(A0, T, c, h, [0.2])["A"][-1] - fl["A"][-1]).max() for h in (0.004, 0.002)]
    assert 1.7 < errs[0] / errs[1] < 2.3  # ratio 2 for a first-order method


def test_model_interface_and_errors():
    m = SelfConsistentModel(np.eye(2), 1.0)
    assert m.loss((np.zeros((2, 2)),)) == 1.0
    with pytest.raises(ShapeError):
        self_consistent_velocity(np.eye(2), np.eye(3), 1.0)
    with pytest.raises(InvalidParameterError):
        self_consistent_velocity(np.eye(2), np.eye(2), -1.0)
    with pytest.raises(InvalidParameterError):
        self_consistent_descent(np.eye(2), np.eye(2), 1.0, 0.1, [0.15])


def test_balanced_factors_width_d_flow_is_eq1():
    """Width-d lambda-balanced pair (lambda = 2c): product, imbalance, Grams, and the flow equal eq. (1)."""
    from lazyrich._simulate.self_consistent import balanced_factors

    d, c = 4, 0.6
    rng = np.random.default_rng(11)
    A0 = matrix_with_singular_values((d, d), [0.0, 0.2, 0.9, 2.5], rng)  # one zero singular value
    T = matrix_with_singular_values((d, d), [3.0, 1.5, 0.4, 0.1], rng)
    F1, F2 = balanced_factors(A0, c)
    kappa = 2 * (2.5 + 2 * c)  # |F|^2 <= c + sqrt(s_max^2 + c^2) <= s_max + 2c
    assert np.max(np.abs(F2 @ F1 - A0)) <= linalg_tolerance(kappa, 2 * d)
    assert np.max(np.abs(F1 @ F1.T - F2.T @ F2 - 2 * c * np.eye(d))) <= linalg_tolerance(kappa, 2 * d)
    U, s, Vt = np.linalg.svd(A0)
    Q = (Vt.T * np.hypot(s, c)) @ Vt
    P = (U * np.hypot(s, c)) @ U.T
    assert np.max(np.abs(F1.T @ F1 - (c * np.eye(d) + Q))) <= linalg_tolerance(kappa, 4 * d)
    assert np.max(np.abs(F2 @ F2.T - (P - c * np.eye(d)))) <= linalg_tolerance(kappa, 4 * d)
    t = np.linspace(0, 2, 9)
    gf = gradient_flow(DeepLinearModel(T), (F1, F2), t, rtol=1e-12)
    sc = self_consistent_flow(A0, T, c, t, rtol=1e-12)
    A_gf = np.einsum("tij,tjk->tik", gf["W2"], gf["W1"])
    tol = 2 * gf.scale * ode_global_tolerance(gf.n_steps, gf.rtol, gf.atol, gf.scale) + ode_global_tolerance(
        sc.n_steps, sc.rtol, sc.atol, sc.scale
    )
    assert np.max(np.abs(A_gf - sc["A"])) <= tol


def test_balanced_factors_bad_input():
    from lazyrich._simulate.self_consistent import balanced_factors

    with pytest.raises(ShapeError):
        balanced_factors(np.ones((2, 3)), 1.0)
    with pytest.raises(InvalidParameterError):
        balanced_factors(np.eye(2), 0.0)
