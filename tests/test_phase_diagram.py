"""Phase diagram (Fig. 2): boundary predicates (claims 24-28) and the qualitative result at d = 30 (claims 29-31)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from derivations.rounding import LIBM_ULPS, UNIT_ROUNDOFF, gamma
from lazyrich import (
    FLOAT64_EPS,
    InvalidParameterError,
    ShapeError,
    below_noise_line,
    gaussian_init,
    in_theory_region,
    init_below_threshold,
    is_lazy,
    is_overparameterized,
    lazy_min_test_error,
    linalg_tolerance,
    phase_diagram_point,
    phase_task,
    reduce_width,
)
from lazyrich._simulate.balanced_flow import balanced_flow_records, flow_rate_bound
from lazyrich._simulate.phase_diagram import EQ1_RTOL, phase_point_from_weights
from lazyrich._simulate.reduced import two_layer_descent
from lazyrich._simulate.self_consistent import balanced_factors, self_consistent_descent

gammas = st.floats(-3.0, 0.5)
widths = st.floats(0.0, 3.0)


@given(gs=gammas, gw=widths, logd=st.floats(1.0, 3.0))
def test_predicates_are_the_stated_inequalities_in_sigma2_and_w(gs, gw, logd):
    """Claims 24-25, 27: the gamma inequalities are the threshold statements sigma2 w > d and w sigma2^2 < 1."""
    d = 10.0**logd
    s2, w = d**gs, d**gw
    # near a line the float64 sides may round across it: each d**g is within LIBM_ULPS ulp (relative 4 eps), a product
    # or square adds U, so log_d of each side moves by <= (3 * 4 eps + 2 U) / ln d; the gamma sums add <= 2 U * 7
    margin = (3 * LIBM_ULPS * FLOAT64_EPS + 2 * UNIT_ROUNDOFF) / math.log(d) + 14 * UNIT_ROUNDOFF
    if abs(gs + gw - 1) > margin:
        assert is_lazy(gs, gw) == (s2 * w > d)
    if abs(gw + 2 * gs) > margin:
        assert below_noise_line(gs, gw) == (w * s2**2 < 1)
        assert in_theory_region(gs, gw) == (gw > 1 and w * s2**2 < 1)


def test_lines_meet_at_minus_one_two_and_orange_line():
    # black: gs + gw = 1, red: gw + 2 gs = 0 -> (-1, 2)
    assert not is_lazy(-1.0 - 1e-9, 2.0) and is_lazy(-1.0 + 1e-6, 2.0 + 1e-6)
    assert below_noise_line(-1.0 - 1e-9, 2.0) and not below_noise_line(-1.0 + 1e-9, 2.0)
    # claim 26: orange line at log_d k = log 5 / log 200 = 0.3038 (0.304 in the code): the printed decimals
    g = math.log(5) / math.log(200)
    assert round(g, 4) == 0.3038 and round(g, 3) == 0.304
    assert is_overparameterized(g + 1e-9, 200, 5) and not is_overparameterized(g - 1e-9, 200, 5)
    # claim 28: init below the threshold iff w > 4 d
    assert init_below_threshold(801, 200) and not init_below_threshold(800, 200)
    # claim 29 limits: 1/2 at n0 -> 0 and -> 1 as n0 -> infinity (a = b = 1)
    # at n0 = 1e12 the value is (1 + n0) / (2 + n0) = 1 - 1/(2 + n0): within 10 roundings (the function's scalings,
    # sums, product and quotient, and this reference's two) of it
    assert lazy_min_test_error(1, 1, 0) == 0.5
    assert abs(lazy_min_test_error(1, 1, 1e12) - (1 - 1 / (2 + 1e12))) <= gamma(10)


def test_claim_28_init_operator_norm_vs_threshold():
    """||A(0)||_op ~ 2 sigma2 sqrt(w d) (square case): below c = sigma2 w at w = 16 d, above at w = d."""
    d = 40
    for w, below in ((16 * d, True), (d, False)):
        W1, W2 = gaussian_init(d, d, w, 1.0, seed=0)
        assert (np.linalg.norm(W2 @ W1, 2) < w) == below == init_below_threshold(w, d)


def test_deterministic_in_seed():
    a = phase_diagram_point(20, 2, -1.5, 1.6, seed=3, max_steps=60)
    b = phase_diagram_point(20, 2, -1.5, 1.6, seed=3, max_steps=60)
    c = phase_diagram_point(20, 2, -1.5, 1.6, seed=4, max_steps=60)
    assert (a.min_test_error, a.stable_rank, a.iterations, a.max_distance) == (
        b.min_test_error,
        b.stable_rank,
        b.iterations,
        b.max_distance,
    )
    assert np.array_equal(a.test_errors, b.test_errors)
    assert a.min_test_error != c.min_test_error
    # the task does not depend on the grid point
    assert np.array_equal(phase_task(20, 2, 3)[0], phase_task(20, 2, 3)[0])


def test_reduced_point_equals_full_width_point_from_the_same_init():
    d, k, w, s2 = 12, 2, 3000, 12.0**-2
    A_star, E = phase_task(d, k, 0)
    step = 1.0 / (50 * np.linalg.norm(A_star, 2))
    W1, W2 = gaussian_init(d, d, w, s2, seed=1, reduced=False)
    V1, V2 = reduce_width(W1, W2)
    full = phase_point_from_weights(W1, W2, A_star, E, step, w, s2, max_steps=200)
    red = phase_point_from_weights(V1, V2, A_star, E, step, w, s2, max_steps=200)
    assert full.iterations == red.iterations and full.n_records == red.n_records
    # round-off only. The same descents (public pieces): A_i of the two differ by <= dA (derived, _descent_roundoff)
    T = A_star + E
    t = step * np.arange(full.n_records + 1)
    trs = [two_layer_descent(X1, X2, T, step, t) for X1, X2 in ((W1, W2), (V1, V2))]
    dA = _descent_roundoff(W1, W2, *trs)
    A = np.einsum("tij,tjk->tik", trs[0]["W2"], trs[0]["W1"])[:-1]
    d2 = float(d * d)
    # test_i = ||A_i - A*||_F^2 / d^2 moves by (2 ||A_i - A*|| dA + dA^2) / d^2; each side's evaluation (a subtraction,
    # d^2 squares summed, a division) errs by gamma_{d^2 + 2} of it
    test_dev = (2 * np.linalg.norm(A - A_star, axis=(1, 2)) * dA + dA**2) / d2
    test_dev += gamma(d * d + 2) * (full.test_errors + red.test_errors)
    assert np.all(np.abs(full.test_errors - red.test_errors) <= test_dev)
    # max_i ||A_i - B_i|| / ||T||: reverse triangle inequality with dA and the eq. (1) records' own difference (the
    # same scheme from the two A_0, recomputed here), plus each side's norm rounding (gamma_{d^2 + 3}, _distance_roundoff)
    B = [_rk4_records(A0, T, full.c, step, full.n_records) for A0 in (A[0], _first_product(trs[1]))]
    dB = float(np.max(np.linalg.norm(B[0] - B[1], axis=(1, 2))))
    dist_dev = (dA + dB) / np.linalg.norm(T) + _distance_roundoff(d, full.max_distance, red.max_distance)
    assert abs(full.max_distance - red.max_distance) <= dist_dev
    # stable rank ||A||_F^2 / s_1^2 at the argmin: moves by <= 2 dA (1/||A||_F + 1/s_1) relative; each side's s_1
    # (backward-stable SVD: d eps s_1, Weyl) and sum of squares (gamma_{d^2 + 2}) add their roundings, twice each
    Am = A[full.iterations]
    fro, s1 = np.linalg.norm(Am), np.linalg.norm(Am, 2)
    rel = 2 * dA * (1 / fro + 1 / s1) + 2 * (2 * linalg_tolerance(1.0, d) + gamma(d * d + 2))
    assert abs(full.stable_rank - red.stable_rank) <= rel * max(full.stable_rank, red.stable_rank)


D, K = 30, 2
ACTIVE = [(-2.0, 1.8), (-1.6, 1.3), (-2.5, 2.0)]  # theory region, below the black line
LAZY_WEDGE = [(-1.2, 2.3), (-1.3, 2.5)]  # above the black line, below the red one
LAZY_NOISY = [(-0.5, 2.0)]  # above both


def test_qualitative_phase_diagram_at_d30():
    A_star, E = phase_task(D, K, 0)
    a, b = np.sum(A_star**2) / D**2, np.sum(E**2) / D**2
    active = [phase_diagram_point(D, K, *g, seed=0) for g in ACTIVE]
    lazy = [phase_diagram_point(D, K, *g, seed=0) for g in LAZY_WEDGE + LAZY_NOISY]
    for g in ACTIVE:
        assert in_theory_region(*g) and not is_lazy(*g)
    for g in LAZY_WEDGE:
        assert in_theory_region(*g) and is_lazy(*g)
    # active: the noise is not fitted before the signal (error ~ 2 k / d + O(c/s*) at d = 30, k = 2: < 0.25)
    assert all(p.min_test_error < 0.25 for p in active)
    # lazy: early-stopped error near (a + n0) b / (a + n0 + b) >= 1/2 (claim 29, heuristic: asserted within 0.1)
    for p in lazy:
        assert p.min_test_error > 0.45
        assert abs(p.min_test_error - lazy_min_test_error(a, b, p.init_norm)) < 0.1
    # claim 31: low stable rank when active (rank-2 target: <= 2), larger when lazy
    assert max(p.stable_rank for p in active) < 2 < min(p.stable_rank for p in lazy)
    # lazy runs reach their minimum quickly (O(1) iterations in units of 1/(sigma2 w)), active ones slowly
    assert max(p.iterations for p in lazy[:2]) < min(p.iterations for p in active)
    # eq. (1) tracks gradient descent inside the theory region
    assert all(p.max_distance < 0.1 for p in active + lazy[:2])


@pytest.mark.parametrize(
    "kwargs, err",
    [
        ({"d": 1}, ShapeError),
        ({"k": 40}, ShapeError),
        ({"seed": -1}, InvalidParameterError),
        ({"update": "jacobi"}, InvalidParameterError),
        ({"max_steps": 0}, InvalidParameterError),
        ({"gamma_w": -0.5}, InvalidParameterError),
        ({"eq1_scheme": "midpoint"}, InvalidParameterError),
    ],
)
def test_bad_input(kwargs, err):
    args = {"d": 20, "k": 2, "gamma_sigma2": -1.5, "gamma_w": 1.5, "seed": 0, **kwargs}
    with pytest.raises(err):
        phase_diagram_point(**args)


def _trajectories(d, k, gs, gw, seed, n):
    """GD and the two eq. (1) schemes at steps eta and eta/2, recorded at t_i = i eta (public pieces only)."""
    p = phase_diagram_point(d, k, gs, gw, seed, max_steps=n, eq1_scheme="euler")
    A_star, E = phase_task(d, k, seed)
    T = A_star + E
    W1, W2 = gaussian_init(d, d, p.width, p.sigma2, seed=np.random.default_rng([seed, 1]))
    t = p.step * np.arange(p.n_records)
    gd = two_layer_descent(W1, W2, T, p.step, t)
    A = np.einsum("tij,tjk->tik", gd["W2"], gd["W1"])
    F1, F2 = balanced_factors(A[0], p.c)
    out = {"A": A, "T": T, "p": p}
    for h, tag in ((p.step, ""), (p.step / 2, "/2")):
        out["euler" + tag] = self_consistent_descent(A[0], T, p.c, h, t)["A"]
        bal = two_layer_descent(F1, F2, T, h, t)
        out["balanced" + tag] = np.einsum("tij,tjk->tik", bal["W2"], bal["W1"])
    return out


def _max_rel(X, Y, T):
    return float(np.max(np.linalg.norm(X - Y, axis=(1, 2)))) / float(np.linalg.norm(T))


#: Unit roundoff of float64 (round to nearest).
U = np.finfo(float).eps / 2


def _distance_roundoff(d, *distances):
    """Round-off of float64 distances ``max_i ||X_i - Y_i||_F / ||T||_F`` of ``d x d`` matrices, summed over them.

    Each is within ``gamma_n = n U / (1 - n U)`` relative of its exact value, ``n = d^2 + 3`` roundings along any
    path: the subtraction (U per entry), the sum of d^2 squares (gamma_{d^2}, Higham (2002), Lemma 3.1; all terms
    positive), the square root and the division (||T||_F is the same float in both routes). Two evaluations of
    the same quantity then differ by at most the sum of these bounds.
    """
    n_ops = d * d + 3
    return n_ops * U / (1 - n_ops * U) * sum(distances)


def _descent_roundoff(W1, W2, *trajectories) -> float:
    """Bound on ``max_i ||A_i^full - A_i^reduced||_F`` along two sequential descents from ``(W1, W2)`` and its reduction.

    In exact arithmetic the full iterates are B times the reduced ones (reduce_width), so only round-off separates
    them. Start: the Gram ``M^T M`` (gamma_w |M|_F^2) and its Cholesky factor (backward error gamma_{n+1}, Higham
    (2002), Thm 10.3). Each step of a network of hidden size h forms ``W2 W1`` (gamma_h) and updates both factors
    (a product of inner size d, two roundings), so a product of two factors moves by <= 2 gamma_{h+d+2} m^2, m the
    largest factor norm on the trajectory; the compared products are formed once more (gamma_h m^2). The steps'
    errors add, as for :func:`lazyrich.ode_global_tolerance` (a descent that does not expand errors).
    """
    M = np.hstack([W1, W2.T])
    d = W1.shape[1]
    total = (gamma(M.shape[0]) + gamma(M.shape[1] + 1)) * float(np.linalg.norm(M)) ** 2
    for tr in trajectories:
        h = tr["W1"].shape[1]
        m = max(float(np.linalg.norm(tr[k], axis=(1, 2)).max()) for k in ("W1", "W2"))
        total += (2 * tr.n_steps * gamma(h + d + 2) + gamma(h)) * m**2
    return total


def _first_product(tr):
    return tr["W2"][0] @ tr["W1"][0]


def _rk4_records(A0, T, c, step, n):
    """``eq1_scheme="rk4"``'s records from ``A0`` (the public pieces phase_point_from_weights combines)."""
    F1, F2 = balanced_factors(A0, c)
    gen = balanced_flow_records(F1, F2, T, step, rate_bound=flow_rate_bound(F1, c, T), rtol=EQ1_RTOL)
    return np.array([next(gen).copy() for _ in range(n)])


# active (theory region), active w < d, lazy wedge, lazy above the red line, near the black line
SCHEME_POINTS = [(-1.5, 1.5), (-2.5, 0.8), (-1.3, 2.5), (-0.5, 2.0), (-1.0, 1.8)]


@pytest.mark.parametrize(("gs", "gw"), SCHEME_POINTS)
def test_balanced_scheme_changes_the_distance_by_at_most_the_discretisation_errors(gs, gw):
    """Issue 19: the cheap eq. (1) scheme moves the BR panel by no more than the two schemes' own errors.

    Both are first-order discretisations of the flow B(t) of eq. (1): ||B_scheme(t_i) - B(t_i)|| = e_scheme,i.
    The distances differ by at most max_i ||B_bal,i - B_eul,i|| / ||T|| (reverse triangle inequality, exact),
    which is at most e_bal + e_eul. Each global error is estimated by step halving (Richardson for a first-order
    method: e(eta) = 2 max_i ||B_eta(t_i) - B_eta/2(t_i)|| + O(eta^2)).
    """
    d, k, seed, n = 20, 2, 0, 300
    tr = _trajectories(d, k, gs, gw, seed, n)
    p, T, A = tr["p"], tr["T"], tr["A"]
    pb = phase_diagram_point(d, k, gs, gw, seed, max_steps=n, eq1_scheme="balanced")
    assert pb.eq1_scheme == "balanced" and pb.n_records == p.n_records and pb.min_test_error == p.min_test_error
    # the reconstructed trajectories are the ones inside phase_diagram_point (the same operations on the same
    # floats): only the distances' norms are evaluated differently, each within gamma_{d^2 + 3} of the exact value
    assert abs(_max_rel(A, tr["euler"], T) - p.max_distance) <= _distance_roundoff(d, p.max_distance)
    assert abs(_max_rel(A, tr["balanced"], T) - pb.max_distance) <= _distance_roundoff(d, pb.max_distance)
    change = abs(pb.max_distance - p.max_distance)
    gap = _max_rel(tr["balanced"], tr["euler"], T)
    assert change <= gap + _distance_roundoff(d, p.max_distance, pb.max_distance, gap)
    e = {s: 2 * _max_rel(tr[s], tr[s + "/2"], T) for s in ("euler", "balanced")}
    tol = e["euler"] + e["balanced"]
    assert gap <= tol, (gap, e)


def test_euler_scheme_is_the_official_update_and_balanced_is_cheaper_per_step():
    """eq1_scheme="euler" is B <- B + eta * velocity (one SVD per step); the two agree exactly at B_0 = A_0."""
    tr = _trajectories(12, 1, -1.2, 1.6, 2, 40)
    assert np.array_equal(tr["euler"][0], tr["A"][0])
    # F_2 F_1 = U S V^T: the SVD's backward error and U, V's orthogonality (d eps |A| each), the factors' 6
    # roundings (r, c + r, s^2/(c + r), two sqrt, their product), and the two products F_2 F_1 (gamma_d |F_2||F_1|)
    A0 = tr["A"][0]
    F1, F2 = balanced_factors(A0, tr["p"].c)
    d0 = A0.shape[0]
    bound = (2 * d0 * FLOAT64_EPS + 6 * UNIT_ROUNDOFF) * np.linalg.norm(A0) + 2 * gamma(d0) * np.linalg.norm(
        F2
    ) * np.linalg.norm(F1)
    assert np.linalg.norm(tr["balanced"][0] - A0) <= bound
    p = phase_diagram_point(12, 1, -1.2, 1.6, 2, max_steps=40, compare=False)
    assert math.isnan(p.max_distance) and p.eq1_scheme == ""


def test_official_diagnostics_at_the_minimum_and_after_the_last_step():
    """sv_ratio = s_k/s_{k+1} and numerical_rank = #{s_i > s_1/5} at the argmin; active = ||A||_op sigma2 / w."""
    d, k, seed, gs, gw = 20, 2, 1, -1.8, 1.6
    p = phase_diagram_point(d, k, gs, gw, seed)
    A_star, E = phase_task(d, k, seed)
    W1, W2 = gaussian_init(d, d, p.width, p.sigma2, seed=np.random.default_rng([seed, 1]))
    gd = two_layer_descent(W1, W2, A_star + E, p.step, p.step * np.array([p.iterations, p.n_records]))
    A_min, A_last = (gd["W2"][i] @ gd["W1"][i] for i in range(2))
    s = np.linalg.svd(A_min, compute_uv=False)
    assert p.numerical_rank == int(np.sum(s > s[0] / 5))
    # derived: each side forms W_2 W_1 (gamma_w |W_2|_F |W_1|_F, w = p.width) and its SVD (d eps |A|_2, the SVD
    # backward error, Weyl): every singular value moves by <= dev; the ratios and sums below add their roundings
    dev_min, dev_last = (
        2 * gamma(p.width) * np.linalg.norm(gd["W2"][i]) * np.linalg.norm(gd["W1"][i]) + 2 * d * FLOAT64_EPS * sv
        for i, sv in ((0, s[0]), (1, np.linalg.norm(A_last, 2)))
    )
    assert abs(p.sv_ratio / (s[k - 1] / s[k]) - 1) <= dev_min * (1 / s[k - 1] + 1 / s[k]) + 2 * FLOAT64_EPS
    stable_dev = 2 * dev_min * (np.sum(s) / np.sum(s**2) + 1 / s[0]) + gamma(d + 2)
    assert abs(p.stable_rank / (np.sum(s**2) / s[0] ** 2) - 1) <= stable_dev
    op = np.linalg.norm(A_last, 2)
    assert abs(p.active / (op * p.sigma2 / p.width) - 1) <= dev_last / op + 4 * UNIT_ROUNDOFF
    assert abs(p.op_norm_over_c / (op / p.c) - 1) <= dev_last / op + 4 * UNIT_ROUNDOFF
    # the code's `active` and the intended ratio differ by sigma2^2 exactly: 2 roundings (active), c = w / sigma2
    # (<= 2), op / c and sigma2^2 and the product (3): relative 7 u
    assert abs(p.active / (p.op_norm_over_c * p.sigma2**2) - 1) <= gamma(7)
    assert 1 <= p.numerical_rank <= d and p.sv_ratio >= 1


def test_phase_point_from_weights_validates():
    A_star, E = phase_task(10, 1, 0)
    W1, W2 = gaussian_init(10, 10, 50, 0.01, seed=0)
    with pytest.raises(ShapeError):
        phase_point_from_weights(W1[:, :5], W2, A_star, E, 0.01, 50, 0.01)
    with pytest.raises(InvalidParameterError):
        phase_point_from_weights(W1, W2, A_star, E, 0.01, 50, 0.01, eq1_scheme="midpoint")
