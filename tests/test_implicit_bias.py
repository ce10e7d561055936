"""Kunin et al. (2024), Thm 3.1 for low-rank X^T X by independent routes: float64 gradient flow of the
data-space model, scipy's constrained argmin of eq. (5), the null-space closed form, the notebook's
one-dimensional formula, and the delta -> +-inf endpoints.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from helpers import seeds
from lazyrich import (
    FLOAT64_EPS,
    InvalidParameterError,
    NonFiniteError,
    ShapeError,
    SingleNeuronModel,
    fit_order,
    gradient_flow,
    implicit_bias_argmin,
    implicit_bias_endpoints,
    implicit_bias_limit,
    implicit_bias_limit_1d,
    implicit_bias_objective,
    implicit_bias_potential,
    matrix_with_singular_values,
    ode_global_tolerance,
    random_orthogonal,
)

#: SLSQP stopping tolerance on the objective used by implicit_bias_argmin.
FTOL = 1e-15


def init_from(beta0, delta):
    """Unit-rate (a0 > 0, w0) with a0 w0 = beta0 and a0^2 - |w0|^2 = delta (Kunin et al. (2024), Sec. 3)."""
    b2 = float(beta0 @ beta0)
    k = np.hypot(delta, 2 * np.sqrt(b2))
    a0 = np.sqrt((k + delta) / 2 if delta >= 0 else 2 * b2 / (k - delta))
    return a0, beta0 / a0


def argmin_tolerance(X, beta, delta, objective_scale):
    r"""Error of an argmin whose objective is within ``FTOL * scale`` of the minimum: ``sqrt(2 eps / h_min)``.

    ``h_min`` is the smallest curvature of Psi_delta on ker X at the solution; Hessian of Psi:
    ``f'(r) bb^T + f(r)/r (I - bb^T)`` with ``f(r) = sqrt(kappa - delta)``. Factor 10 for SLSQP's
    constraint handling (it stops on the objective change, not the distance).
    """
    r = np.linalg.norm(beta)
    kappa = np.hypot(delta, 2 * r)
    f = np.sqrt(kappa - delta)
    b = beta / r
    H = 2 * r / (kappa * f) * np.outer(b, b) + f / r * (np.eye(beta.size) - np.outer(b, b))
    _, sv, vt = np.linalg.svd(X)
    N = vt[np.sum(sv > 1e-12 * sv[0]) :].T
    h_min = np.linalg.eigvalsh(N.T @ H @ N)[0]
    return 10 * np.sqrt(2 * FTOL * max(1.0, abs(objective_scale)) / h_min)


low_rank = dict(
    d=st.integers(2, 4),
    rank_deficit=st.integers(1, 3),
    delta=st.floats(-2.0, 4.0),
    beta0_norm=st.floats(0.2, 1.5),
    seed=seeds,
)


@settings(deadline=None)
@given(**low_rank)
@example(d=2, rank_deficit=1, delta=0.0, beta0_norm=0.5, seed=0)
def test_gradient_flow_limit_is_the_argmin_of_eq5(d, rank_deficit, delta, beta0_norm, seed):
    rng = np.random.default_rng(seed)
    n = max(d - rank_deficit, 1)
    X = matrix_with_singular_values((n, d), rng.uniform(0.7, 1.5, n), rng)
    y = rng.uniform(0.7, 1.5) * random_orthogonal(n, rng)[0]
    beta0 = beta0_norm * random_orthogonal(d, rng)[0]
    a0, w0 = init_from(beta0, delta)
    T = 400.0
    tr = gradient_flow(SingleNeuronModel(X, y), (np.array(a0), w0), [0.0, T / 2, T])
    beta_gf = tr["a"][-1] * tr["w"][-1]
    crossed = bool(np.sign(tr["a"][-1]) != np.sign(a0))
    if delta >= 0:
        assert not crossed  # a^2 = |w|^2 + delta > 0
    closed = implicit_bias_limit(X, y, beta0, delta, sign_change=crossed)
    # Tolerance: solver errors in the conserved directions (delta, P_ker w) are neither damped nor amplified,
    # so they add up (ode_global_tolerance, times sqrt(d + 1) for solve_ivp's RMS norm, times the scale for
    # beta = a w); plus twice the remaining convergence tail, bounded by the last half-interval's movement.
    tail = np.linalg.norm(beta_gf - tr["a"][1] * tr["w"][1])
    tol = 2 * tr.scale * np.sqrt(d + 1) * ode_global_tolerance(tr.n_steps, tr.rtol, tr.atol, tr.scale) + 2 * tail
    assert np.linalg.norm(beta_gf - closed) <= tol, (np.linalg.norm(beta_gf - closed), tol)
    assert np.linalg.norm(X @ closed - y) <= 1e-12 * np.linalg.norm(y)
    # null-space conservation along the simulated flow (the mechanism of the theorem)
    P = np.eye(d) - np.linalg.pinv(X) @ X
    assert np.abs(P @ tr["w"][-1] - P @ w0).max() <= tol
    if not crossed:  # Theorem 3.1's hypothesis beta(t) != 0 holds
        numeric = implicit_bias_argmin(X, y, beta0, delta, ftol=FTOL)
        scale = implicit_bias_objective(closed, beta0, delta)
        assert np.linalg.norm(numeric - closed) <= argmin_tolerance(X, closed, delta, scale)
        # and the closed form is at least as good as the numerical optimum
        assert scale <= implicit_bias_objective(numeric, beta0, delta) + 1e-13 * max(1.0, abs(scale))


@settings(deadline=None)
@given(d=st.integers(2, 5), delta=st.floats(-30.0, 30.0), beta0_norm=st.floats(0.05, 3.0), seed=seeds)
@example(d=2, delta=0.0, beta0_norm=1.0, seed=0)
def test_one_dimensional_null_space_formula(d, delta, beta0_norm, seed):
    """The notebook's alpha = k sqrt(kappa + sqrt(kappa^2 + c^2)) equals the general null-space closed form."""
    rng = np.random.default_rng(seed)
    X = matrix_with_singular_values((d - 1, d), rng.uniform(0.5, 2.0, d - 1), rng)
    y = rng.standard_normal(d - 1)
    beta0 = beta0_norm * random_orthogonal(d, rng)[0]
    one_d = implicit_bias_limit_1d(X, y, beta0, delta)
    general = implicit_bias_limit(X, y, beta0, delta)
    # both are a handful of float64 operations on O(1) quantities; pinv vs SVD differ by kappa(X) eps
    assert np.linalg.norm(one_d - general) <= 1e-12 * max(1.0, np.linalg.norm(general))


def test_fig4b_example_against_flow_and_argmin():
    """Fig. 4b set-up: x = (0.5, 1), y = 1.1, beta0 = 0.5 (0.6 (1, -0.5) + 0.4 x), the seven deltas."""
    X, y = np.array([[0.5, 1.0]]), np.array([1.1])
    beta0 = 0.5 * (0.6 * np.array([1.0, -0.5]) + 0.4 * X[0])
    for delta in [-4.0, -2.0, -1.0, 0.0, 1.0, 2.0, 4.0]:
        a0, w0 = init_from(beta0, delta)
        tr = gradient_flow(SingleNeuronModel(X, y), (np.array(a0), w0), [0.0, 300.0])
        closed = implicit_bias_limit_1d(X, y, beta0, delta)
        tol = 2 * tr.scale * np.sqrt(3) * ode_global_tolerance(tr.n_steps, tr.rtol, tr.atol, tr.scale)
        assert np.linalg.norm(tr["a"][-1] * tr["w"][-1] - closed) <= tol
        numeric = implicit_bias_argmin(X, y, beta0, delta, ftol=FTOL)
        assert np.linalg.norm(numeric - closed) <= argmin_tolerance(X, closed, delta, 1.0)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_delta_to_plus_and_minus_infinity(seed):
    """|beta_inf(delta) - endpoint| -> 0 like 1/delta^2 (Kunin et al. (2024), Thm 3.1 limits, Fig. 4b lines).

    Order 2: with a0^2 = delta + |beta0|^2/delta + ..., a_inf^2 / a0^2 = 1 + O(delta^-2) (and likewise for -inf).
    """
    rng = np.random.default_rng(seed)
    X = matrix_with_singular_values((1, 3), [rng.uniform(0.5, 2.0)], rng)
    y = np.array([rng.uniform(0.5, 2.0)])
    beta0 = random_orthogonal(3, rng)[0] * rng.uniform(0.3, 2.0)
    beta0 *= np.sign(X[0] @ beta0 * y[0])  # the ray {c beta0, c > 0} meets X beta = y
    plus, minus = implicit_bias_endpoints(X, y, beta0)
    assert minus is not None
    assert np.linalg.norm(X @ plus - y) <= 1e-12 and np.linalg.norm(X @ minus - y) <= 1e-12
    deltas = np.array([1e3, 1e4, 1e5])
    err_plus = [np.linalg.norm(implicit_bias_limit(X, y, beta0, dl) - plus) for dl in deltas]
    err_minus = [np.linalg.norm(implicit_bias_limit(X, y, beta0, -dl) - minus) for dl in deltas]
    assert abs(fit_order(1 / deltas, err_plus) - 2.0) <= 0.05
    assert abs(fit_order(1 / deltas, err_minus) - 2.0) <= 0.05


def test_objective_is_a_bregman_divergence_centred_at_beta0():
    """psi_delta beta0_hat = grad Psi(beta0): without the constraint the objective is minimised at beta0."""
    rng = np.random.default_rng(3)
    for delta in [-3.0, 0.0, 2.5]:
        beta0 = rng.standard_normal(3)
        f0 = implicit_bias_objective(beta0, beta0, delta)
        for _ in range(5):
            v = random_orthogonal(3, rng)[0]
            h = 1e-3
            fp, fm = (
                implicit_bias_objective(beta0 + h * v, beta0, delta),
                implicit_bias_objective(beta0 - h * v, beta0, delta),
            )
            assert fp >= f0 and fm >= f0
            # zero slope: the central first difference is O(h^2) times the third derivative (O(1) here)
            assert abs(fp - fm) / (2 * h) <= 10 * h**2


def test_potential_limits():
    """delta = 0: Psi = (2/3) sqrt(2) |beta|^{3/2}; delta -> +inf: Psi - Psi(0) = |beta|^2 / sqrt(2 delta) (1 + O(delta^-2))."""
    beta = np.array([0.3, -1.2, 0.4])
    r = np.linalg.norm(beta)
    # rounding only: the engine's 120-bit value rounded once (u); here |beta| ((d + 2) u, 1.5 times that after
    # ** 1.5), pow (8u), sqrt(2), 2/3 and two products (4u): 21 u relative
    ref0 = 2 / 3 * np.sqrt(2) * r**1.5
    assert abs(implicit_bias_potential(beta, 0.0) - ref0) <= 21 * FLOAT64_EPS / 2 * ref0
    delta = 1e4
    psi0 = implicit_bias_potential([0.0, 0.0, 0.0], delta)
    # (|delta| - 2 delta) sqrt(2 delta) / 3; rounding only: engine u, here pow (8u), sqrt(2), * and / 3 (3u): 12 u
    ref_psi0 = delta**1.5 * np.sqrt(2) / 3
    assert abs(psi0 + ref_psi0) <= 12 * FLOAT64_EPS / 2 * ref_psi0
    rel = (implicit_bias_potential(beta, delta) - psi0) / (r**2 / np.sqrt(2 * delta)) - 1
    # O(r^2/delta^2) = 1e-8 model error plus eps |Psi| / (Psi - Psi0) ~ 5e-9 cancellation
    assert abs(rel) <= 1e-7


def test_bad_input():
    X, y = np.array([[1.0, 0.0, 0.0]]), np.array([1.0])
    with pytest.raises(InvalidParameterError, match="beta0 = 0"):
        implicit_bias_limit(X, y, [0.0, 0.0, 0.0], 1.0)
    with pytest.raises(InvalidParameterError, match="no solution"):
        implicit_bias_limit(np.array([[1.0, 0.0], [2.0, 0.0]]), [1.0, 0.0], [1.0, 1.0], 0.0)
    with pytest.raises(ShapeError, match="one-dimensional"):
        implicit_bias_limit_1d(X, y, [1.0, 1.0, 1.0], 0.0)
    with pytest.raises(NonFiniteError):
        implicit_bias_argmin(X, [np.nan], [1.0, 1.0, 1.0], 0.0)
    with pytest.raises(InvalidParameterError, match="cannot change sign"):
        implicit_bias_limit(X, y, [1.0, 1.0, 1.0], 0.5, sign_change=True)
    with pytest.raises(ShapeError):
        implicit_bias_limit(X, y, [1.0, 1.0], 0.5)


# ---------------------------------------------------------------------------------------------- issue 15 reproducers
def test_extreme_delta_gives_the_endpoint_limits():
    # issue 15: delta = -1e300 gave NaN; delta -> -inf is the interpolating point of the ray {c beta0}
    X, y, b0 = [[0.5, 1.0]], [1.1], [0.5, 0.2]
    plus, minus = implicit_bias_endpoints(X, y, b0)
    # at |delta| = 1e300 the limit is the endpoint up to O(delta^-2) (far below float64), so only rounding is left:
    # each side forms X^+ y and the null direction by SVD (n eps kappa(X) each, n = 2 columns), its scalars in
    # 120 bits or a few float64 operations (3 roundings), so |limit - endpoint| <= 2 (2 n kappa + 3) eps S, on the
    # scale S = |X^+ y| + |endpoint - X^+ y| of the two orthogonal parts
    sv = np.linalg.svd(np.asarray(X), compute_uv=False)
    mn = np.linalg.pinv(X) @ y
    for got, end in (
        (implicit_bias_limit(X, y, b0, -1e300), minus),
        (implicit_bias_limit(X, y, b0, 1e300), plus),
        (implicit_bias_limit_1d(X, y, b0, -1e300), minus),
    ):
        scale = np.linalg.norm(mn) + np.linalg.norm(end - mn)
        assert np.linalg.norm(got - end) <= 2 * (2 * 2 * sv[0] / sv[-1] + 3) * FLOAT64_EPS * scale


def test_potential_at_huge_beta_is_finite_or_typed():
    # issue 15: implicit_bias_potential(1e200 * ones(3), 1) gave NaN; kappa ~ 2|beta|: Psi ~ kappa^{3/2} / 3
    r = 1e200 * np.sqrt(3.0)
    # kappa = 2 r (1 + O(r^-2)), Psi = kappa^{3/2} (1 + O(1/kappa)) / 3: the model error is 1e-200, only rounding is
    # left: the engine's 120-bit value rounded once (u); here r (2 roundings, 3u after ** 1.5), pow (4 ulp = 8u), / 3
    psi = implicit_bias_potential(1e200 * np.ones(3), 1.0)
    assert abs(psi / ((2 * r) ** 1.5 / 3) - 1) <= 13 * FLOAT64_EPS / 2
    with pytest.raises(NonFiniteError, match="rescale"):
        implicit_bias_potential(1e250 * np.ones(3), 1.0)
