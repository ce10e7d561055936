"""Kunin et al. (2024), Thm 3.1 for low-rank X^T X by independent routes: float64 gradient flow of the
data-space model, scipy's constrained argmin of eq. (5), the null-space closed form, the notebook's
one-dimensional formula, and the delta -> +-inf endpoints.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from helpers import assert_order, seeds
from lazyrich import (
    FLOAT64_EPS,
    InvalidParameterError,
    NonFiniteError,
    ShapeError,
    SingleNeuronModel,
    gradient_flow,
    implicit_bias_argmin,
    implicit_bias_endpoints,
    implicit_bias_limit,
    implicit_bias_limit_1d,
    implicit_bias_objective,
    implicit_bias_potential,
    linalg_tolerance,
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


def null_space(X):
    """(nonzero singular values, orthonormal basis of ker X); rank cut at numpy's ``matrix_rank`` default."""
    _, sv, vt = np.linalg.svd(X)
    rank = int(np.sum(sv > max(X.shape) * FLOAT64_EPS * sv[0]))
    return sv[:rank], vt[rank:].T


def rounding_tolerance(X, scale):
    """Float64 error of a vector formed by the SVD route (``X^+``, products with ``X``), on the ``scale`` of its parts.

    ``X^+`` by the SVD has forward error ``kappa(X) eps`` relative (``kappa`` = condition of the nonzero part);
    the round-off accumulates over the SVD (``d``), the products ``X b``, ``X^+ v`` (``n + d``), a test-side
    product ``X b`` (``d``) and a final sum and scaling (2): ``linalg_tolerance(kappa, 3 d + n + 2) * scale``.
    """
    sv, _ = null_space(X)
    n, d = X.shape
    return linalg_tolerance(sv[0] / sv[-1], 3 * d + n + 2) * scale


def residual_tolerance(X, scale):
    """Bound on ``|X b - y|`` for an interpolant ``b`` formed within :func:`rounding_tolerance` (times ``|X|``)."""
    return null_space(X)[0][0] * rounding_tolerance(X, scale)


def limit_scales(X, y, beta0, delta):
    """``(|beta_mn|, a_inf, a0, |w0|)`` in float64, only as the scales of error bounds: Kunin et al. (2024), Thm 3.1
    via null-space conservation, ``a_inf^2 = k + sqrt(k^2 + |beta_mn|^2)``, ``k = (|P_ker w0|^2 + delta) / 2``."""
    a0, w0 = init_from(beta0, delta)
    _, N = null_space(X)
    c2 = float(np.sum((np.linalg.pinv(X) @ y) ** 2))
    kap = (float(np.sum((N.T @ w0) ** 2)) + delta) / 2
    root = np.hypot(kap, np.sqrt(c2))
    a2 = kap + root if kap >= 0 else c2 / (root - kap)
    return np.sqrt(c2), np.sqrt(a2), a0, np.linalg.norm(w0)


def potential_hessian(beta, delta):
    """Hessian of Psi_delta: ``F'(r) bb^T + F(r)/r (I - bb^T)`` with ``F(r) = sqrt(kappa - delta)`` (its gradient norm)."""
    r = np.linalg.norm(beta)
    kappa = np.hypot(delta, 2 * r)
    f = np.sqrt(kappa - delta) if delta <= 0 else 2 * r / np.sqrt(kappa + delta)  # the same, without cancellation
    b = beta / r
    return 2 * r / (kappa * f) * np.outer(b, b) + f / r * (np.eye(beta.size) - np.outer(b, b))


def objective_rounding(beta, beta0, delta):
    """Error of eq. (5)'s objective as SLSQP sees it: Psi (120 bits, rounded once: u |Psi|) minus a float64 dot
    product ``lin @ b`` (``gamma_d |lin| |b|``, ``|lin| = psi_delta``), and the difference rounded (u |f|)."""
    d, u = beta.size, FLOAT64_EPS / 2
    lin = np.sqrt(2) * np.linalg.norm(init_from(beta0, delta)[1])  # psi_delta = sqrt(kappa0 - delta) = sqrt(2) |w0|
    f = implicit_bias_objective(beta, beta0, delta)
    return u * (abs(implicit_bias_potential(beta, delta)) + abs(f)) + d * u / (1 - d * u) * lin * np.linalg.norm(beta)


def objective_gradient(beta, beta0, delta):
    """Gradient of eq. (5)'s objective: ``F(|beta|) beta_hat - psi_delta beta0_hat`` (F as in :func:`potential_hessian`)."""
    r, kappa = np.linalg.norm(beta), np.hypot(delta, 2 * np.linalg.norm(beta))
    f = np.sqrt(kappa - delta) if delta <= 0 else 2 * r / np.sqrt(kappa + delta)
    lin = np.sqrt(2) * np.linalg.norm(init_from(beta0, delta)[1])
    return f * beta / r - lin * beta0 / np.linalg.norm(beta0)


def argmin_tolerance(X, beta, beta0, delta):
    r"""Distance of SLSQP's answer (``ftol = FTOL``) from the argmin ``beta`` of eq. (5), derived from its stopping rule.

    SLSQP stops when the last objective change, the QP's predicted decrease ``|g.s|`` or the step is below ``FTOL``
    (absolute) and the constraint violation sum is below ``FTOL``. Near the solution its quasi-Newton steps converge
    superlinearly (each at least halves the gap ``f - f*``), so the gap left is at most the last change:
    ``f - f* <= FTOL + 2 e_f`` with ``e_f`` the objective's rounding (:func:`objective_rounding`). On ``ker X``
    the objective grows like ``h_min |e|^2 / 2`` (``h_min`` the smallest eigenvalue of the Hessian restricted to
    ``ker X``): ``|e_ker| <= sqrt(2 (FTOL + 2 e_f) / h_min)``. A residual ``|X b - y| <= FTOL`` adds a row-space
    offset ``FTOL / s_min`` and moves the constrained minimiser by ``(h_max / h_min) FTOL / s_min``.
    """
    sv, N = null_space(X)
    H = potential_hessian(beta, delta)
    h = np.linalg.eigvalsh(H)
    h_min = np.linalg.eigvalsh(N.T @ H @ N)[0]
    gap = FTOL + 2 * objective_rounding(beta, beta0, delta)
    return np.sqrt(2 * gap / h_min) + (1 + h[-1] / h_min) * FTOL / sv[-1]


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
    beta_mn_norm, a_inf, a0_, _ = limit_scales(X, y, beta0, delta)
    # closed = X^+ y + (a_inf / a0) P_ker beta0: parts |beta_mn| and a_inf / a0 |beta0| (P_ker beta0 = beta0 - X^+ X beta0)
    closed_scale = beta_mn_norm + a_inf / a0_ * np.linalg.norm(beta0)
    assert np.linalg.norm(X @ closed - y) <= residual_tolerance(X, closed_scale)
    # null-space conservation along the simulated flow (the mechanism of the theorem)
    P = np.eye(d) - np.linalg.pinv(X) @ X
    assert np.abs(P @ tr["w"][-1] - P @ w0).max() <= tol
    if not crossed:  # Theorem 3.1's hypothesis beta(t) != 0 holds
        numeric = implicit_bias_argmin(X, y, beta0, delta, ftol=FTOL)
        assert np.linalg.norm(numeric - closed) <= argmin_tolerance(X, closed, beta0, delta)
        # and the closed form is at least as good as the numerical optimum. Psi is convex, so with g* = X^T lam the
        # gradient at the argmin: f(numeric) >= f* + lam.(X numeric - y) and f(closed) <= f* + lam.(X closed - y)
        # + h_max |e_c|^2 / 2 (e_c = closed's rounding); each residual as measured plus the product's gamma_d
        # |X| |b|, each objective value rounded once from 120 bits (u |f|)
        f_closed, f_numeric = (
            implicit_bias_objective(closed, beta0, delta),
            implicit_bias_objective(numeric, beta0, delta),
        )
        H = potential_hessian(closed, delta)
        lam = np.linalg.norm(np.linalg.pinv(X).T @ objective_gradient(closed, beta0, delta))  # g* = X^T lam
        sv_max, gamma_d = null_space(X)[0][0], d * FLOAT64_EPS / 2 / (1 - d * FLOAT64_EPS / 2)
        resid = sum(np.linalg.norm(X @ b - y) + gamma_d * sv_max * np.linalg.norm(b) for b in (closed, numeric))
        e_c = rounding_tolerance(X, closed_scale)
        rounding = FLOAT64_EPS / 2 * (abs(f_closed) + abs(f_numeric))
        assert f_closed <= f_numeric + lam * resid + np.linalg.eigvalsh(H)[-1] * e_c**2 / 2 + rounding


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
    # beta_inf = beta_mn + a_inf k n with k = w0.n: the routes share beta_mn (the same X^+ y) and differ in the null
    # direction n (SVD vector vs X^+ projection, each within eta = linalg_tolerance(kappa, 2 d + n) of the exact one).
    # A change dn moves P_ker w0 by <= 2 |w0| |dn| and k^2 by <= 2 |w0|^2 |dn|; d(a_inf^2)/d(k^2) = (1 + k_n/root)/2
    # <= 1, so a_inf moves by <= |w0|^2 |dn| / a_inf: |d beta| <= (2 a_inf |w0| + |w0|^3 / a_inf) |dn|. Plus the
    # 120-bit scalar rounded once and the scaling and sum (3 u) on each side, on |beta_mn| + a_inf |w0|
    sv, _ = null_space(X)
    beta_mn_norm, a_inf, _, w0_norm = limit_scales(X, y, beta0, delta)
    eta = linalg_tolerance(sv[0] / sv[-1], 2 * d + X.shape[0])
    tol = 2 * eta * (2 * a_inf * w0_norm + w0_norm**3 / a_inf) + 3 * FLOAT64_EPS * (beta_mn_norm + a_inf * w0_norm)
    assert np.linalg.norm(one_d - general) <= tol, (np.linalg.norm(one_d - general), tol)


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
        assert np.linalg.norm(numeric - closed) <= argmin_tolerance(X, closed, beta0, delta)


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
    # plus = beta0 + X^+ (y - X beta0) (parts |beta0| and |plus - beta0|), minus = c beta0 (one part)
    assert np.linalg.norm(X @ plus - y) <= residual_tolerance(X, np.linalg.norm(beta0) + np.linalg.norm(plus - beta0))
    assert np.linalg.norm(X @ minus - y) <= residual_tolerance(X, np.linalg.norm(minus))
    deltas = np.array([1e3, 1e4, 1e5])
    for sign, end in ((1.0, plus), (-1.0, minus)):
        err = np.array([np.linalg.norm(implicit_bias_limit(X, y, beta0, sign * dl) - end) for dl in deltas])
        # each side within rounding_tolerance of its parts (|beta_mn| + |beta0| both for the limit and the endpoint)
        scale = np.linalg.norm(np.linalg.pinv(X) @ y) + np.linalg.norm(beta0) + np.linalg.norm(end)
        rel_noise = 2 * rounding_tolerance(X, scale) / err
        # ratio^2 = a_inf^2 / a0^2 = 1 + (|beta_mn|^2 - |X^+ X beta0|^2) / delta^2 + O(delta^-4) (expanding both
        # roots in 1/delta): err = C delta^-2 (1 + O(delta^-2)), next term of relative order p = 2
        assert_order(1 / deltas, err, rel_noise, 2, 2.0)


def _psi_derivative_bounds(r_lo, r_hi, delta):
    """Bounds ``(M2, M3)`` on the second and third derivatives of ``Psi_delta(beta + s v)`` in ``s`` (``|v| = 1``) for
    ``|beta + s v|`` in ``[r_lo, r_hi]`` (Kunin et al. (2024), Thm 3.1, eq. (5); derived here).

    ``Psi = phi(r)``, ``r = |beta|``, ``kappa = sqrt(delta^2 + 4 r^2)``: ``phi' = sqrt(kappa - delta) = 2 r / sqrt(kappa +
    delta)`` (the gradient's size), ``phi'' = sqrt(kappa + delta) / kappa`` and ``phi''' = -2 r (kappa + 2 delta) /
    (kappa^3 sqrt(kappa + delta))``. For a radial function along the line, with ``c = beta_hat . v``, the Hessian is
    ``phi'' c^2 + (phi' / r) (1 - c^2)`` and the third derivative ``phi''' c^3 + 3 c (1 - c^2) (phi'' / r - phi' / r^2)``
    with ``phi'' / r - phi' / r^2 = -4 r / (kappa (kappa + delta)^{3/2})`` and ``max c (1 - c^2) = 2 / (3 sqrt 3)``.
    ``r``, ``kappa`` and ``kappa + delta`` all grow with ``r``: numerators are taken at ``r_hi``, denominators at ``r_lo``.
    """

    def kappa_plus(r):  # kappa + delta without cancellation (4 r^2 / (kappa - delta) for delta < 0)
        kappa = np.hypot(delta, 2 * r)
        return kappa, (kappa + delta if delta >= 0 else 4 * r * r / (kappa - delta))

    (k_lo, p_lo), (k_hi, p_hi) = kappa_plus(r_lo), kappa_plus(r_hi)
    m2 = max(np.sqrt(p_hi) / k_lo, 2 / np.sqrt(p_lo))
    m3 = 2 * r_hi * (k_hi + 2 * abs(delta)) / (k_lo**3 * np.sqrt(p_lo)) + 2 / np.sqrt(3) * 4 * r_hi / (k_lo * p_lo**1.5)
    return m2, m3


def test_objective_is_a_bregman_divergence_centred_at_beta0():
    """psi_delta beta0_hat = grad Psi(beta0): without the constraint the objective is minimised at beta0."""
    rng = np.random.default_rng(3)
    u = FLOAT64_EPS / 2
    for delta in [-3.0, 0.0, 2.5]:
        beta0 = rng.standard_normal(3)
        r0 = float(np.linalg.norm(beta0))
        f0 = implicit_bias_objective(beta0, beta0, delta)
        # the step that balances truncation h^2 M3 / 6 against round-off ~ eps |f| / h (M3, |f| ~ 1 at |beta0| ~ 1)
        h = np.cbrt(FLOAT64_EPS) * r0
        m2, m3 = _psi_derivative_bounds(r0 - h, r0 + h, delta)
        for _ in range(5):
            v = random_orthogonal(3, rng)[0]
            fs, psis = [], []
            for sign in (1.0, -1.0):
                x = beta0 + sign * h * v
                fs.append(implicit_bias_objective(x, beta0, delta))
                psis.append(implicit_bias_potential(x, delta))
            fp, fm = fs
            assert fp >= f0 and fm >= f0
            # zero slope: (f(b0 + h v) - f(b0 - h v)) / 2h = f'(b0) + h^2/12 (f'''(x1) + f'''(x2)), f'(b0) = 0 and
            # f''' = the third derivative of Psi (the rest of eq. (5) is linear): <= h^2 M3 / 6.
            # Round-off: each value is Psi - psi beta0_hat . x at 120 bits rounded once, charged u per term and u
            # for the rounding; the difference and the division (u); the points x = b0 +- h v are off by
            # u (|b0| + 2 h), where the gradient is <= M2 (h + that): M2 u (|b0| + 2 h) on the quotient.
            values = sum(u * (abs(f) + abs(p) + abs(p - f)) for f, p in zip(fs, psis)) + u * abs(fp - fm)
            tol = h**2 * m3 / 6 + values * (1 + u) / (2 * h) + m2 * u * (r0 + 2 * h)
            assert abs(fp - fm) / (2 * h) <= tol


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
    psi = implicit_bias_potential(beta, delta)
    rel = (psi - psi0) / (r**2 / np.sqrt(2 * delta)) - 1
    # series in e = |beta| / delta (sympy): rel = -e^2/4 + 7 e^4/24 - 33 e^6/64 + ..., alternating with decreasing
    # terms at e ~ 1e-4, so the remainder after -e^2/4 is <= 7 e^4 / 24. Rounding: Psi and Psi0 rounded once each
    # (u (|Psi| + |Psi0|) on their difference, which is then exact by Sterbenz), r^2 (2 (d + 2) u), sqrt(2 delta), the
    # quotient and e^2/4 (3 u)
    e = r / delta
    rounding = FLOAT64_EPS / 2 * ((abs(psi) + abs(psi0)) / (psi - psi0) + 2 * (beta.size + 2) + 3)
    assert abs(rel + e**2 / 4) <= 7 * e**4 / 24 + rounding


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


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_interpolation_is_decided_at_round_off(seed):
    """A tall X: y in its range is accepted; y moved off it by 1e-10 |y| (far above round-off) has no interpolant."""
    rng = np.random.default_rng(seed)
    X = matrix_with_singular_values((4, 2), [2.0, 0.5], rng)
    y = X @ rng.standard_normal(2)
    beta0 = rng.standard_normal(2)
    # round-off: kappa(X) = 4, m + n = 6 operations, on |X| |beta| + |y| <= 2 |y| / 0.5 + |y| = 5 |y|
    tol = linalg_tolerance(4.0, 6) * 5 * np.linalg.norm(y)
    assert np.linalg.norm(X @ implicit_bias_limit(X, y, beta0, 1.0) - y) <= tol
    Q, _ = np.linalg.qr(X, mode="complete")
    off = y + 1e-10 * np.linalg.norm(y) * Q[:, 3]  # orthogonal to the range of X
    with pytest.raises(InvalidParameterError, match="no solution"):
        implicit_bias_limit(X, off, beta0, 1.0)
    plus, minus = implicit_bias_endpoints(X, y, beta0)
    assert np.linalg.norm(X @ plus - y) <= tol
    assert minus is None or np.linalg.norm(X @ minus - y) <= tol
