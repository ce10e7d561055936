"""The built-in sweep functions (issue 9): each against an independent route.

- ``phase_diagram``: its columns equal the fields of ``phase_diagram_point`` and the region predicates
  called directly; the lazy heuristic is recomputed from ``phase_task``.
- ``stress_cell``: equal to the corresponding entry of a full ``stress`` report (its time-grid path).
- agreement cells: pass at good settings with a non-trivial tolerance; fail when the simulation starts from a
  deliberately wrong point (``perturbation``), where the error is known in closed form at ``t = 0``; and a
  coarse ``rtol`` makes the error grow while the derived bound still covers it.
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import lazyrich
from lazyrich import InvalidParameterError, NonFiniteError, ShapeError, sweep_function
from lazyrich._tools.stress import stress
from lazyrich._tools.sweep.cells import (
    ROUND_OFF_EPS,
    aligned_agreement,
    draw_phase_boundaries,
    finite_row,
    mixed_aligned_agreement,
    phase_diagram,
    single_neuron_agreement,
    stress_cell,
    two_layer_agreement,
)
from lazyrich.sweep import SWEEP_FUNCTIONS, SweepFunction, get_sweep_function

#: Relative change of a simulation's start that every agreement cell must detect (its tolerance must be below it).
WRONG_START = 1e-5

BUILT_INS = (
    "phase_diagram",
    "stress_cell",
    "two_layer_agreement",
    "single_neuron_agreement",
    "aligned_agreement",
    "mixed_aligned_agreement",
)


# ------------------------------------------------------------------------------------ registry
def test_built_ins_are_registered_with_their_parameters():
    for name in BUILT_INS:
        sf = get_sweep_function(name)
        assert isinstance(sf, SweepFunction) and sf.name == name and sf.value
    assert get_sweep_function("phase_diagram").boundaries is draw_phase_boundaries
    assert set(get_sweep_function("phase_diagram").parameters) == {"d", "k", "gamma_sigma2", "gamma_w", "seed"}


def test_import_path_to_a_decorated_function_resolves_to_its_registration():
    assert get_sweep_function("lazyrich._tools.sweep.cells:phase_diagram") is SWEEP_FUNCTIONS["phase_diagram"]


def test_import_path_to_a_plain_callable_takes_parameters_from_its_signature():
    sf = get_sweep_function("lazyrich._simulate.phase_diagram:lazy_min_test_error")
    assert sf.parameters == ("a", "b", "n0") and sf.value is None


@pytest.mark.parametrize("name", ["no_such_function", "lazyrich._tools.sweep.cells:nope", "no_such_module_xyz:f"])
def test_unknown_functions_raise_typed_errors(name):
    with pytest.raises(InvalidParameterError):
        get_sweep_function(name)


def test_registering_a_name_twice_is_refused():
    with pytest.raises(InvalidParameterError, match="already registered"):
        sweep_function("phase_diagram", parameters=("x",))(lambda x: {"y": x})


def test_decorated_functions_stay_plain_functions_with_docs():
    assert callable(phase_diagram) and "Fig. 2" in phase_diagram.__doc__
    assert phase_diagram.__sweep_function__ is SWEEP_FUNCTIONS["phase_diagram"]


# ------------------------------------------------------------------------------------ phase diagram
@pytest.mark.parametrize(("gs", "gw"), [(-2.0, 1.5), (-0.5, 2.0), (-1.2, 2.5), (-2.5, 0.2)])
def test_phase_diagram_columns_equal_phase_diagram_point(gs, gw):
    d, k, seed = 16, 2, 1
    row = SWEEP_FUNCTIONS["phase_diagram"](d=d, k=k, gamma_sigma2=gs, gamma_w=gw, seed=seed, max_steps=60)
    p = lazyrich.phase_diagram_point(d, k, gs, gw, seed, max_steps=60)
    assert p.eq1_scheme == "rk4" == SWEEP_FUNCTIONS["phase_diagram"].defaults["eq1_scheme"]  # the same default
    for name in ("min_test_error", "stable_rank", "iterations", "max_distance", "width", "sigma2", "c", "step"):
        assert row[name] == getattr(p, name), name
    assert (row["n_records"], row["stop_reason"], row["init_norm"]) == (p.n_records, p.stop_reason, p.init_norm)
    assert row["is_lazy"] == lazyrich.is_lazy(gs, gw)
    assert row["below_noise_line"] == lazyrich.below_noise_line(gs, gw)
    assert row["is_overparameterized"] == lazyrich.is_overparameterized(gw, d, k)
    assert row["in_theory_region"] == lazyrich.in_theory_region(gs, gw)
    assert row["init_below_threshold"] == lazyrich.init_below_threshold(p.width, d)
    A_star, E = lazyrich.phase_task(d, k, seed)
    a, b = np.sum(A_star**2) / d**2, np.sum(E**2) / d**2
    # the cell computes the same floats by the same operations: equal bit for bit
    assert row["lazy_prediction"] == lazyrich.lazy_min_test_error(a, b, p.init_norm)
    assert all(isinstance(v, (int, float, bool, str)) for v in row.values())
    assert all(math.isfinite(v) for v in row.values() if isinstance(v, float))


def test_phase_diagram_is_deterministic_and_compare_false_drops_the_distance():
    kw = dict(d=12, k=1, gamma_sigma2=-1.5, gamma_w=1.2, seed=3, max_steps=30)
    assert phase_diagram(**kw) == phase_diagram(**kw)
    row = phase_diagram(**kw, compare=False)
    assert "max_distance" not in row and row["min_test_error"] == phase_diagram(**kw)["min_test_error"]


@pytest.mark.parametrize(
    ("kw", "error"),
    [
        (dict(d=0), ShapeError),
        (dict(k=20), ShapeError),
        (dict(seed=-1), InvalidParameterError),
        (dict(gamma_w=-1.0), InvalidParameterError),
        (dict(update="random"), InvalidParameterError),
        (dict(max_steps=0), InvalidParameterError),
    ],
)
def test_phase_diagram_bad_parameters_raise_typed_errors(kw, error):
    base = dict(d=10, k=1, gamma_sigma2=-1.0, gamma_w=1.0, seed=0, max_steps=5)
    with pytest.raises(error):
        phase_diagram(**{**base, **kw})


def _lines(x, y, params):
    fig, ax = plt.subplots()
    lim = ((-3.0, 0.0), (0.0, 2.8)) if x == "gamma_sigma2" else ((0.0, 2.8), (-3.0, 0.0))
    ax.set(xlim=lim[0], ylim=lim[1])
    draw_phase_boundaries(ax, x, y, params)
    out = {ln.get_color(): np.column_stack(ln.get_data()) for ln in ax.lines}
    limits = (ax.get_xlim(), ax.get_ylim())
    plt.close(fig)
    return out, limits


def test_boundaries_lie_on_the_papers_lines():
    lines, limits = _lines("gamma_sigma2", "gamma_w", {"d": 50, "k": 2})
    assert set(lines) == {"black", "red", "orange", "0.35"}
    # the lines are drawn through their defining formulas, so each point is the formula's float64 value exactly
    gs, gw = lines["black"].T
    np.testing.assert_array_equal(gw, 1 - gs)  # sigma^2 w = d
    gs, gw = lines["red"].T
    np.testing.assert_array_equal(gw, -2 * gs)  # w sigma^4 = 1
    np.testing.assert_array_equal(lines["orange"][:, 1], math.log(2) / math.log(50))  # w = k
    gs, gw = lines["0.35"].T
    np.testing.assert_array_equal(gw, 1.0)
    assert gs.max() == -0.5  # the theory region's lower edge ends on the red line
    assert limits == ((-3.0, 0.0), (0.0, 2.8))  # drawing keeps the heatmap's limits


def test_boundaries_follow_swapped_axes_and_skip_other_axes():
    lines, _ = _lines("gamma_w", "gamma_sigma2", {})
    assert set(lines) == {"black", "red", "0.35"}  # no d, k: no orange line
    gw, gs = lines["red"].T
    np.testing.assert_array_equal(gw, -2 * gs)  # exact, as above
    fig, ax = plt.subplots()
    draw_phase_boundaries(ax, "gamma_w", "seed", {})
    assert len(ax.lines) == 0
    plt.close(fig)


# ------------------------------------------------------------------------------------ stress cell
@pytest.fixture(scope="module")
def aligned_report():
    # the report's grid path (every backend over a time grid) vs the cell's per-point path; 100 = 10**2 is the
    # grid's last point exactly
    return stress("aligned", t_max=100.0, n_times=4)


def test_stress_cell_equals_the_stress_report(aligned_report):
    cases = list(dict.fromkeys(r.case for r in aligned_report.rows))
    for r in aligned_report.rows:
        assert r.t[-1] == 100.0
        row = stress_cell("aligned", r.case, 100.0, r.backend)
        if r.error[-1] is None:  # the backend raised at t = 100
            assert row["raised"] and row["failed"] and (row["error_bound"], row["correct_digits"]) == (1.0, 0.0)
        else:
            assert row["error_bound"] == r.error[-1] and not row["raised"]
            assert row["correct_digits"] == max(0.0, -math.log10(r.error[-1]))  # the same float operations
            assert row["failed"] == (r.error[-1] > 1e-3)
        by_index = stress_cell("aligned", cases.index(r.case), 100.0, r.backend)
        assert by_index == row


def test_stress_cell_marks_a_raising_backend(aligned_report):
    raised = [r for r in aligned_report.rows if r.error[-1] is None]
    assert raised, "a direct form is expected to raise at t = 100 on some aligned case (lambda = -40)"
    r = raised[0]
    row = stress_cell("aligned", r.case, 100.0, r.backend)
    assert row == {**row, "raised": True, "failed": True, "error_bound": 1.0, "correct_digits": 0.0}


@pytest.mark.parametrize(
    "kw",
    [
        dict(model="three_layer"),
        dict(case="no such case"),
        dict(case=99),
        dict(backend="float16"),
        dict(t=-1.0),
    ],
)
def test_stress_cell_bad_parameters_raise(kw):
    base = dict(model="aligned", case=0, t=10.0, backend="stable")
    with pytest.raises(InvalidParameterError):
        stress_cell(**{**base, **kw})
    with pytest.raises(NonFiniteError):
        stress_cell(**{**base, "t": float("inf")})


# ------------------------------------------------------------------------------------ agreement cells
GOOD = [
    (two_layer_agreement, dict(n_in=3, n_hidden=2, n_out=2, lam=0.7, t=3.0, seed=0)),
    (two_layer_agreement, dict(n_in=3, n_hidden=3, n_out=3, lam=-3.0, t=4.0, seed=1)),
    (two_layer_agreement, dict(n_in=2, n_hidden=2, n_out=3, lam=-0.5, t=2.0, seed=2, tau=2.0)),
    (single_neuron_agreement, dict(d=3, delta=-2.5, t=3.0, seed=0)),
    (single_neuron_agreement, dict(d=2, delta=0.0, t=10.0, seed=1)),
    (single_neuron_agreement, dict(d=4, delta=1.7, t=3.0, seed=2, eta_a=0.5, eta_w=2.0)),
    (aligned_agreement, dict(s0=0.05, s_target=1.7, lam=-5.0, t=4.0)),
    (aligned_agreement, dict(s0=-0.5, s_target=1.0, lam=0.0, t=6.0)),
    (aligned_agreement, dict(s0=0.3, s_target=1.2, lam=2.0, t=3.0, tau=0.5)),
    (mixed_aligned_agreement, dict(s0=0.2, s_target=1.5, c=0.4, t=2.0)),
    (mixed_aligned_agreement, dict(s0=-1.0, s_target=1.0, c=0.3, t=5.0)),
    (mixed_aligned_agreement, dict(s0=3.0, s_target=1.0, c=2.0, t=1.0)),
]


@pytest.mark.parametrize(("cell", "kw"), GOOD, ids=lambda v: getattr(v, "__name__", ""))
def test_agreement_cells_pass_at_good_settings(cell, kw):
    row = cell(**kw)
    assert row["passed"] and row["abs_error"] <= row["tolerance"]
    # the bound is not vacuous: it resolves the wrong start that test_a_wrong_start_fails_the_check must detect
    assert row["tolerance"] < WRONG_START * row["scale"]
    assert row["relative_error"] == row["abs_error"] / row["scale"]  # the same division
    assert row == cell(**kw)  # deterministic


@pytest.mark.parametrize(("cell", "kw"), GOOD[::3], ids=lambda v: getattr(v, "__name__", ""))
def test_a_wrong_start_fails_the_check(cell, kw):
    row = cell(**kw, perturbation=WRONG_START)
    assert not row["passed"] and row["abs_error"] > row["tolerance"]


def test_wrong_start_error_at_t0_is_the_perturbation():
    # at t = 0 the simulation is its start: the error is |s0| p exactly (independent of any solver)
    # up to round-off: the closed form at t = 0 and the start w2 w1 (1 + p) are each within the cells' closed-form
    # allowance ROUND_OFF_EPS eps * scale of s0 and s0 (1 + p), and the difference adds one rounding
    for row in (
        mixed_aligned_agreement(s0=0.8, s_target=1.5, c=0.4, t=0.0, perturbation=1e-3),
        aligned_agreement(s0=0.8, s_target=1.5, lam=0.3, t=0.0, perturbation=1e-3),  # w2 w1 (1 + p) - w2 w1
    ):
        tol = 2 * ROUND_OFF_EPS * lazyrich.FLOAT64_EPS * row["scale"] + lazyrich.FLOAT64_EPS * 0.8e-3
        assert abs(row["abs_error"] - 0.8e-3) <= tol


@pytest.mark.parametrize(("cell", "kw"), GOOD[1::3], ids=lambda v: getattr(v, "__name__", ""))
def test_a_coarse_rtol_grows_the_error_and_the_bound_covers_it(cell, kw):
    fine, coarse = cell(**kw, rtol=1e-12), cell(**kw, rtol=1e-4)
    assert coarse["abs_error"] > 100 * fine["abs_error"]
    assert coarse["passed"] and coarse["tolerance"] > 100 * fine["tolerance"]


nonzero = st.floats(0.05, 2.0) | st.floats(-2.0, -0.05)
near_zero = st.floats(-2.0, 2.0) | st.sampled_from([0.0, 1e-20, -1e-20, 1e-9, -1e-9])


@given(s0=nonzero, s_target=near_zero, lam=near_zero, c=st.floats(0.01, 3.0), t=st.floats(0.0, 5.0))
def test_aligned_cells_pass_over_the_parameter_box(s0, s_target, lam, c, t):
    assert aligned_agreement(s0, s_target, lam, t)["passed"]
    assert mixed_aligned_agreement(s0, s_target, c, t)["passed"]


@pytest.mark.parametrize("t", [0.0, 1.0])
def test_aligned_cell_near_zero_target_and_lambda(t):
    # found by the property test above: s~ = -lambda = -1e-20, s0 = -1 is within 1e-20 of the lambda = s~ = 0
    # saddle flow s(t) = s0 / (1 + 2 |s0| t); aligned_singular_value returned 0 at t = 0 and -1 at t = 1 (its
    # denominator 2 mu^2 ~ 1e-40 was a difference of O(mu |s0|) terms) until it was fixed during issue 9
    row = aligned_agreement(s0=-1.0, s_target=-1e-20, lam=1e-20, t=t)
    # passed, and the tolerance is no wider than the wrong start that the cell must detect (a wrong 0 or -1 is not)
    assert row["passed"] and row["abs_error"] <= row["tolerance"] < WRONG_START * row["scale"]


@pytest.mark.parametrize(
    ("cell", "kw", "error"),
    [
        (two_layer_agreement, dict(n_in=0, n_hidden=2, n_out=2, lam=0.0, t=1.0, seed=0), InvalidParameterError),
        (two_layer_agreement, dict(n_in=3, n_hidden=3, n_out=2, lam=0.5, t=1.0, seed=0), InvalidParameterError),
        (two_layer_agreement, dict(n_in=2, n_hidden=2, n_out=2, lam=0.0, t=1.0, seed=-1), InvalidParameterError),
        (single_neuron_agreement, dict(d=2, delta=0.0, t=-1.0, seed=0), InvalidParameterError),
        (single_neuron_agreement, dict(d=2, delta=0.0, t=1.0, seed=0, eta_a=0.0), InvalidParameterError),
        (aligned_agreement, dict(s0=0.1, s_target=1.0, lam=0.0, t=1.0, rtol=0.5), InvalidParameterError),
        (aligned_agreement, dict(s0=0.1, s_target=1.0, lam=0.0, t=1.0, perturbation=2.0), InvalidParameterError),
        (mixed_aligned_agreement, dict(s0=0.1, s_target=1.0, c=0.0, t=1.0), InvalidParameterError),
        (mixed_aligned_agreement, dict(s0=float("nan"), s_target=1.0, c=1.0, t=1.0), NonFiniteError),
    ],
)
def test_agreement_cells_bad_parameters_raise_typed_errors(cell, kw, error):
    with pytest.raises(error):
        cell(**kw)


def test_a_non_finite_column_is_refused():
    with pytest.raises(NonFiniteError, match="'x'"):
        finite_row({"x": float("nan"), "y": 1.0}, "demo")


# ------------------------------------------------------------------------------------ example SPEC files
SPECS = sorted((Path(__file__).resolve().parents[1] / "benchmarks" / "sweeps").glob("*.toml"))


@pytest.mark.parametrize("path", SPECS, ids=[p.stem for p in SPECS])
def test_example_specs_are_valid_and_the_small_ones_run(path, tmp_path):
    spec = lazyrich.sweep.load_spec(path)
    assert spec.function in BUILT_INS
    if len(spec) > 60:  # the d = 50 and paper-scale benchmarks: parsed only (run by benchmarks/, stored results)
        assert (len(spec), spec.fixed["d"]) in {(288, 50), (900, 200)}
        return
    df = lazyrich.sweep.run(path, scheduler="threads", out=tmp_path / "s.sqlite")
    assert len(df) == len(spec) and (df["status"] == "ok").all(), df.loc[df["status"] != "ok", "error"].tolist()
    if "passed" in df.columns:
        assert df["passed"].all()
