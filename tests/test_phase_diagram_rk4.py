"""Issue 19: eq. (1) by RK4 on the balanced pair's gradient flow (``eq1_scheme="rk4"``), its order and its distance panel.

The scheme integrates the flow of Tu et al. (2024), eq. (1), with steps spanning many records and reads ``A`` at
the records by Hermite interpolation; these tests check (1) the rate bound its step cap rests on, (2) that the
records converge to eq. (1) (an independent SVD-based DOP853 integration) at order 4, (3) that its distance values
differ from the balanced scheme's by at most the two schemes' own errors, derived below, and (4) that it is the
default of ``phase_diagram_point`` and of the ``phase_diagram`` sweep cell.
"""

from __future__ import annotations

import gc
import inspect

import numpy as np
import pytest

from lazyrich import (
    gaussian_init,
    linalg_tolerance,
    ode_global_tolerance,
    phase_diagram_point,
    phase_task,
    self_consistent_flow,
)
from lazyrich._simulate.balanced_flow import MAX_STEP_RATE, balanced_flow_records, flow_rate_bound
from lazyrich._simulate.phase_diagram import EQ1_RTOL, EQ1_SCHEMES, phase_point_from_weights
from lazyrich._simulate.reduced import two_layer_descent
from lazyrich._simulate.self_consistent import balanced_factors

EPS = np.finfo(float).eps


def _max_rel(X, Y, T):
    return float(np.max(np.linalg.norm(X - Y, axis=(1, 2)))) / float(np.linalg.norm(T))


#: Unit roundoff of float64 (round to nearest).
U = EPS / 2


def _distance_roundoff(d, *distances):
    """Round-off of float64 distances ``max_i ||X_i - Y_i||_F / ||T||_F`` of ``d x d`` matrices, summed over them.

    Each is within ``gamma_n = n U / (1 - n U)`` relative of its exact value, ``n = d^2 + 3`` roundings along any
    path: the subtraction, the sum of d^2 squares (gamma_{d^2}, Higham (2002), Lemma 3.1; all terms positive), the
    square root and the division (||T||_F is the same float in both routes).
    """
    n_ops = d * d + 3
    return n_ops * U / (1 - n_ops * U) * sum(distances)


def _flow_error(tr, d, T):
    """The DOP853 reference's own error, relative to ``||T||_F``: its global bound per entry, d times it in Frobenius."""
    return d * ode_global_tolerance(tr.n_steps, tr.rtol, tr.atol, tr.scale) / float(np.linalg.norm(T))


def _records(F1, F2, T, spacing, n, rate, **kw):
    gen = balanced_flow_records(F1, F2, T, spacing, rate_bound=rate, **kw)
    return np.array([next(gen).copy() for _ in range(n)])


def test_rate_bound_from_the_rows_of_the_balanced_factor():
    """flow_rate_bound reads r_1 = sqrt(s_1^2 + c^2) of A0 off the rows of F1 (squared norms c + r_i), no SVD."""
    rng = np.random.default_rng(7)
    for c in (1e-4, 0.3, 50.0):
        A0, T = rng.standard_normal((9, 9)) * 3, rng.standard_normal((9, 9))
        F1, _ = balanced_factors(A0, c)
        want = 2 * np.hypot(max(np.linalg.norm(A0, 2), np.linalg.norm(T, 2)), c)
        # a 9-term sum of squares (relative error 9 eps), minus c <= r (at most doubling it), and the SVDs of `want`
        assert flow_rate_bound(F1, c, T) == pytest.approx(want, rel=4 * 9 * EPS)


@pytest.mark.parametrize("seed", range(4))
def test_top_singular_value_of_eq1_stays_below_max_of_start_and_target(seed):
    """The step cap's premise: on eq. (1), d s_1/dt = -2 sqrt(s_1^2 + c^2) (s_1 - u^T T v), so s_1 <= max(s_1(0), ||T||)."""
    rng = np.random.default_rng(seed)
    d = 5
    A0 = rng.standard_normal((d, d)) * [0.1, 3.0, 0.5, 2.0][seed]
    T = rng.standard_normal((d, d))
    c = [0.01, 0.3, 2.0, 0.05][seed]
    tr = self_consistent_flow(A0, T, c, np.linspace(0, 3, 61), rtol=1e-11)
    s1 = np.array([np.linalg.norm(A, 2) for A in tr["A"]])
    bound = max(np.linalg.norm(A0, 2), np.linalg.norm(T, 2))
    # the solver's global error e per entry moves ||A||_2 by <= ||E||_F <= d e; each of the three 2-norms (SVDs,
    # backward stable) errs by <= d eps of itself
    e = ode_global_tolerance(tr.n_steps, tr.rtol, tr.atol, tr.scale)
    assert s1.max() <= bound + d * e + linalg_tolerance(1.0, d) * (s1.max() + bound)


def test_records_converge_to_eq1_at_order_four():
    """Fixed steps H = z / lambda_max, records at t_i = i eta between the nodes: log error vs log H has slope 4.

    RK4 has global error O(H^4) and the cubic Hermite interpolant of A and dA/dt local error O(H^4); the reference
    is eq. (1) itself (SVD square roots, DOP853 at rtol 1e-12), so the test also checks that the pair's flow is eq. (1).
    """
    d, k, seed, gs, gw, n = 20, 2, 0, -2.5, 0.8, 120  # active, w = 10 < d
    p = phase_diagram_point(d, k, gs, gw, seed, max_steps=n, compare=False)
    A_star, E = phase_task(d, k, seed)
    T = A_star + E
    W1, W2 = gaussian_init(d, d, p.width, p.sigma2, seed=np.random.default_rng([seed, 1]))
    A0 = W2 @ W1
    t = p.step * np.arange(n)
    ref_tr = self_consistent_flow(A0, T, p.c, t, rtol=1e-12, atol=1e-12 * np.linalg.norm(T))
    ref = ref_tr["A"]
    F1, F2 = balanced_factors(A0, p.c)
    rate = flow_rate_bound(F1, p.c, T)
    zs = np.array([0.4, 0.2, 0.1])
    errs = np.array([_max_rel(_records(F1, F2, T, p.step, n, rate, fixed_step=z / rate), ref, T) for z in zs])
    slopes = np.diff(np.log(errs)) / np.diff(np.log(zs))
    assert np.all(np.abs(slopes - 4) < 0.5), (errs, slopes)
    # still above the reference's own error (its global error bound, per entry: d times it in Frobenius norm), so
    # the slope is the scheme's
    assert errs[-1] > _flow_error(ref_tr, d, T)


def test_rk4_is_an_eq1_scheme_and_deterministic():
    assert "rk4" in EQ1_SCHEMES and MAX_STEP_RATE < 2.785  # inside RK4's real stability interval
    kw = dict(max_steps=60, eq1_scheme="rk4")
    before = np.geterr()
    a, b = phase_diagram_point(16, 2, -2.0, 0.9, 3, **kw), phase_diagram_point(16, 2, -2.0, 0.9, 3, **kw)
    gc.collect()  # closes the suspended integrators
    assert a.max_distance == b.max_distance and a.eq1_scheme == "rk4"
    assert np.geterr() == before  # no floating-point error state leaks out of the generator


def test_rk4_is_the_default_scheme():
    """Issue 19: the default eq. (1) scheme is the one within 2x of the descent (benchmarks/phase_diagram_compare.py)."""
    for f in (phase_diagram_point, phase_point_from_weights):
        assert inspect.signature(f).parameters["eq1_scheme"].default == "rk4", f
    kw = dict(max_steps=40)
    p = phase_diagram_point(12, 1, -1.8, 1.4, 2, **kw)
    assert p.eq1_scheme == "rk4"
    assert p.max_distance == phase_diagram_point(12, 1, -1.8, 1.4, 2, eq1_scheme="rk4", **kw).max_distance


# active (theory region), active w < d, lazy wedge, lazy above the red line, near the black line
SCHEME_POINTS = [(-1.5, 1.5), (-2.5, 0.8), (-1.3, 2.5), (-0.5, 2.0), (-1.0, 1.8)]


@pytest.mark.parametrize(("gs", "gw"), SCHEME_POINTS)
def test_rk4_changes_the_distance_by_at_most_the_schemes_own_errors(gs, gw):
    """|dist_rk4 - dist_bal| <= max_i ||B_rk4,i - B_bal,i|| / ||T|| <= e_bal + e_rk4 (reverse triangle inequality).

    e_bal: the balanced descent's global error against the flow, by step halving (Richardson for a first-order
    method: e(eta) = 2 max_i ||B_eta(t_i) - B_eta/2(t_i)|| + O(eta^2)); e_rk4: against eq. (1) integrated by DOP853
    (rtol 1e-12) from the SVD form, plus that reference's own error (its global error bound, ``_flow_error``).
    RK4 is also the closer of the two to the flow (e_rk4 <= e_bal): making it the default moved the panel by at
    most the former default's (the balanced scheme's) own step error.
    """
    d, k, seed, n = 20, 2, 0, 300
    pb = phase_diagram_point(d, k, gs, gw, seed, max_steps=n, eq1_scheme="balanced")
    pr = phase_diagram_point(d, k, gs, gw, seed, max_steps=n, eq1_scheme="rk4")
    assert (pr.n_records, pr.min_test_error, pr.eq1_scheme) == (pb.n_records, pb.min_test_error, "rk4")
    A_star, E = phase_task(d, k, seed)
    T = A_star + E
    W1, W2 = gaussian_init(d, d, pb.width, pb.sigma2, seed=np.random.default_rng([seed, 1]))
    t = pb.step * np.arange(pb.n_records)
    gd = two_layer_descent(W1, W2, T, pb.step, t)
    A = np.einsum("tij,tjk->tik", gd["W2"], gd["W1"])
    F1, F2 = balanced_factors(A[0], pb.c)
    bal = {}
    for h in (pb.step, pb.step / 2):
        tr = two_layer_descent(F1, F2, T, h, t)
        bal[h] = np.einsum("tij,tjk->tik", tr["W2"], tr["W1"])
    rk = _records(F1, F2, T, pb.step, pb.n_records, flow_rate_bound(F1, pb.c, T), rtol=EQ1_RTOL)
    ref_tr = self_consistent_flow(A[0], T, pb.c, t, rtol=1e-12, atol=1e-12 * np.linalg.norm(T))
    ref = ref_tr["A"]
    # the reconstructed trajectories are the ones inside phase_diagram_point (the same operations on the same
    # floats): only the distances' norms are evaluated differently, each within gamma_{d^2 + 3} of the exact value
    assert abs(_max_rel(A, rk, T) - pr.max_distance) <= _distance_roundoff(d, pr.max_distance)
    assert abs(_max_rel(A, bal[pb.step], T) - pb.max_distance) <= _distance_roundoff(d, pb.max_distance)
    gap = _max_rel(rk, bal[pb.step], T)
    assert abs(pr.max_distance - pb.max_distance) <= gap + _distance_roundoff(d, pr.max_distance, pb.max_distance, gap)
    e_bal = 2 * _max_rel(bal[pb.step], bal[pb.step / 2], T)
    e_rk = _max_rel(rk, ref, T) + _flow_error(ref_tr, d, T)
    assert gap <= e_bal + e_rk, (gap, e_bal, e_rk)
    assert e_rk <= e_bal, (e_rk, e_bal)
