"""Phase diagram (Fig. 2): boundary predicates (claims 24-28) and the qualitative result at d = 30 (claims 29-31)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lazyrich import (
    InvalidParameterError,
    ShapeError,
    below_noise_line,
    gaussian_init,
    in_theory_region,
    init_below_threshold,
    is_lazy,
    is_overparameterized,
    lazy_min_test_error,
    phase_diagram_point,
    phase_task,
    reduce_width,
)
from lazyrich._simulate.phase_diagram import _run_point

gammas = st.floats(-3.0, 0.5)
widths = st.floats(0.0, 3.0)


@given(gs=gammas, gw=widths, logd=st.floats(1.0, 3.0))
def test_predicates_are_the_stated_inequalities_in_sigma2_and_w(gs, gw, logd):
    """Claims 24-25, 27: the gamma inequalities are the threshold statements sigma2 w > d and w sigma2^2 < 1."""
    d = 10.0**logd
    s2, w = d**gs, d**gw
    margin = 1e-9
    if abs(gs + gw - 1) > margin:
        assert is_lazy(gs, gw) == (s2 * w > d)
    if abs(gw + 2 * gs) > margin:
        assert below_noise_line(gs, gw) == (w * s2**2 < 1)
        assert in_theory_region(gs, gw) == (gw > 1 and w * s2**2 < 1)


def test_lines_meet_at_minus_one_two_and_orange_line():
    # black: gs + gw = 1, red: gw + 2 gs = 0 -> (-1, 2)
    assert not is_lazy(-1.0 - 1e-9, 2.0) and is_lazy(-1.0 + 1e-6, 2.0 + 1e-6)
    assert below_noise_line(-1.0 - 1e-9, 2.0) and not below_noise_line(-1.0 + 1e-9, 2.0)
    # claim 26: orange line at log_d k = log 5 / log 200 = 0.3038 (0.304 in the code)
    g = math.log(5) / math.log(200)
    assert abs(g - 0.3038) < 5e-5
    assert is_overparameterized(g + 1e-9, 200, 5) and not is_overparameterized(g - 1e-9, 200, 5)
    # claim 28: init below the threshold iff w > 4 d
    assert init_below_threshold(801, 200) and not init_below_threshold(800, 200)
    # claim 29 limits: 1/2 at n0 -> 0 and -> 1 as n0 -> infinity (a = b = 1)
    assert lazy_min_test_error(1, 1, 0) == 0.5 and lazy_min_test_error(1, 1, 1e12) > 1 - 1e-11


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
    full = _run_point(W1, W2, A_star, A_star + E, step, w, s2, 200, "sequential", True)
    red = _run_point(*reduce_width(W1, W2), A_star, A_star + E, step, w, s2, 200, "sequential", True)
    assert full.iterations == red.iterations and full.n_records == red.n_records
    # round-off only: ~ n_steps * w * eps relative on errors of size O(1)
    assert np.max(np.abs(full.test_errors - red.test_errors)) <= 1e-12
    assert abs(full.max_distance - red.max_distance) <= 1e-12
    assert abs(full.stable_rank - red.stable_rank) <= 1e-10


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
    ],
)
def test_bad_input(kwargs, err):
    args = {"d": 20, "k": 2, "gamma_sigma2": -1.5, "gamma_w": 1.5, "seed": 0, **kwargs}
    with pytest.raises(err):
        phase_diagram_point(**args)
