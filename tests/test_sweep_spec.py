"""Sweep SPEC parsing: every grid form, grid order, point keys, and a typed error naming the key for each mistake."""

import itertools
import json
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lazyrich import InvalidParameterError
from lazyrich._tools.sweep.spec import SweepSpec, load_spec

FN = "sweep_support:counting"  # parameters x, seed, counter (required), delay (optional)


def make_spec(grid, fixed=None, **top):
    return {"function": FN, "fixed": {"counter": "c.txt", **(fixed or {})}, "grid": grid, **top}


def test_every_axis_form_from_a_toml_file(tmp_path):
    path = tmp_path / "forms.toml"
    path.write_text(
        """
function = "sweep_support:counting"
[fixed]
counter = "c.txt"
[grid]
x = { linspace = [-3.0, 1.0, 5] }
seed = { seeds = 3 }
delay = { logspace = [-3, 0, 4] }
[run]
retries = 5
scheduler = "threads"
"""
    )
    spec = load_spec(path)
    assert spec.source == str(path) and spec.function == FN and spec.fixed == {"counter": "c.txt"}
    # independent routes: linspace as start + i*step; logspace as powers of ten of integer exponents
    assert spec.grid["x"] == pytest.approx([-3.0 + i for i in range(5)], abs=0)
    assert spec.grid["seed"] == [0, 1, 2]
    assert spec.grid["delay"] == pytest.approx([1e-3, 1e-2, 1e-1, 1.0], rel=4 * np.finfo(float).eps)
    assert all(type(v) is float for v in spec.grid["x"] + spec.grid["delay"])
    assert spec.run == {"retries": 5, "scheduler": "threads", "max_points": 1_000_000}  # max_points: the default
    assert len(spec) == 5 * 3 * 4


def test_points_are_checked_against_run_max_points_before_any_axis_is_expanded():
    spec = {"function": "aligned_agreement", "fixed": {"s_target": 1.7, "lam": -0.3, "t": 1.0}}
    with pytest.raises(InvalidParameterError, match=r"grid.s0 has 1000000000 points, above the limit run.max_points"):
        load_spec({**spec, "grid": {"s0": {"linspace": [0, 1, 10**9]}}})
    with pytest.raises(InvalidParameterError, match=r"the grid \(the product of its axes\) has 12 points"):
        load_spec(
            {**spec, "grid": {"s0": {"seeds": 3}, "t": {"seeds": 4}}, "run": {"max_points": 10}}
            | {"fixed": {"s_target": 1.7, "lam": -0.3}}
        )
    raised = {**spec, "grid": {"s0": {"linspace": [0.1, 1, 20]}}, "run": {"max_points": 20}}
    assert len(load_spec(raised)) == 20


def test_range_and_plain_lists():
    spec = load_spec(make_spec({"x": [0.5, 2, True], "seed": {"range": [10, 3, -3]}}))
    assert spec.grid == {"x": [0.5, 2, True], "seed": [10, 7, 4]}
    assert load_spec(make_spec({"x": [1.0], "seed": {"range": [2, 5]}})).grid["seed"] == [2, 3, 4]


def test_points_are_the_cartesian_product_last_axis_fastest():
    spec = load_spec(make_spec({"x": [1.0, 2.0, 3.0], "seed": [7, 8], "delay": [0.0, 0.1]}))
    expected = []
    for x in [1.0, 2.0, 3.0]:
        for s in [7, 8]:
            for d in [0.0, 0.1]:
                expected.append({"x": x, "seed": s, "delay": d})
    assert spec.points() == expected
    assert spec.arguments(expected[3]) == {"counter": "c.txt", "x": 1.0, "seed": 8, "delay": 0.1}


@given(st.lists(st.floats(-1e300, 1e300, allow_nan=False), min_size=1, max_size=6, unique=True))
def test_point_keys_are_distinct_and_round_trip_exact_floats(xs):
    xs = [x + 0.0 for x in xs]  # unique=True treats -0.0 == 0.0 as one value; store it as 0.0
    spec = load_spec(make_spec({"x": xs, "seed": [0, 1]}))
    keys = [spec.point_key(p) for p in spec.points()]
    assert len(set(keys)) == len(keys) == 2 * len(spec.grid["x"])
    for p, k in zip(spec.points(), keys):
        assert json.loads(k) == p  # exact: JSON prints floats with repr
        assert spec.point_key(dict(reversed(list(p.items())))) == k  # independent of dict order


def test_spec_object_passes_through_and_to_dict_is_plain_data():
    spec = load_spec(make_spec({"x": {"linspace": [0, 1, 3]}, "seed": [0]}))
    assert load_spec(spec) is spec
    d = spec.to_dict()
    assert json.loads(json.dumps(d)) == d and d["grid"]["x"] == [0.0, 0.5, 1.0]
    assert isinstance(spec, SweepSpec)


@pytest.mark.parametrize(
    ("spec", "names"),
    [
        ({"function": "no_such_sweep_fn", "grid": {"x": [1]}}, ["no_such_sweep_fn"]),
        ({"grid": {"x": [1]}}, ["function"]),
        ({"function": FN, "fixed": {"counter": "c", "seed": 0}}, ["[grid]"]),
        (make_spec({"x": [1.0]}), ["needs seed"]),
        (make_spec({"x": [1.0], "seed": [0], "speed": [1]}), ["grid.speed"]),
        (make_spec({"x": [1.0]}, fixed={"seed": 0, "colour": "red"}), ["fixed.colour"]),
        (make_spec({"x": [], "seed": [0]}), ["grid.x", "empty"]),
        (make_spec({"x": [[1, 2]], "seed": [0]}), ["grid.x[0]"]),
        (make_spec({"x": [1.0, math.nan], "seed": [0]}), ["grid.x[1]", "finite"]),
        (make_spec({"x": [1.0, 2.0, 1.0], "seed": [0]}), ["grid.x", "more than once"]),
        (make_spec({"x": 1.0, "seed": [0]}), ["grid.x", "[fixed]"]),
        (make_spec({"x": {"linspace": [0, 1]}, "seed": [0]}), ["grid.x.linspace"]),
        (make_spec({"x": {"linspace": [0, 1, 0]}, "seed": [0]}), ["grid.x.linspace[2] (num)"]),
        (make_spec({"x": {"logspace": [0, "a", 3]}, "seed": [0]}), ["grid.x.logspace[1] (stop)"]),
        (make_spec({"x": {"logspace": [0, 400, 3]}, "seed": [0]}), ["grid.x.logspace", "overflows"]),
        (make_spec({"x": {"linspace": [0, 1, 2], "seeds": 2}, "seed": [0]}), ["grid.x", "exactly one"]),
        (make_spec({"x": {"steps": 2}, "seed": [0]}), ["grid.x", "steps"]),
        (make_spec({"x": [1.0], "seed": {"seeds": 0}}), ["grid.seed.seeds"]),
        (make_spec({"x": [1.0], "seed": {"range": [0.0, 3]}}), ["grid.seed.range"]),
        (make_spec({"x": [1.0], "seed": {"range": [0, 3, 0]}}), ["grid.seed.range", "step"]),
        (make_spec({"x": [1.0], "seed": {"range": [3, 0]}}), ["grid.seed", "empty"]),
        (make_spec({"x": [1.0], "seed": [0]}, fixed={"x": 2.0}), ["x given in both"]),
        (make_spec({"x": [1.0], "seed": [0]}, fixed={"delay": {"a": 1}}), ["fixed.delay"]),
        (make_spec({"x": [1.0], "seed": [0]}, extra=1), ["'extra'"]),
        (make_spec({"x": [1.0], "seed": [0]}, run={"chunks": 4}), ["run.chunks"]),
        (make_spec({"x": [1.0], "seed": [0]}, run={"retries": -1}), ["run.retries"]),
        (make_spec({"x": [1.0], "seed": [0]}, run={"scheduler": 3}), ["run.scheduler"]),
        (make_spec({"x": [1.0], "seed": [0]}, fixed=None) | {"fixed": [1]}, ["[fixed]"]),
    ],
)
def test_each_mistake_is_a_typed_error_naming_the_key(spec, names):
    with pytest.raises(InvalidParameterError) as info:
        load_spec(spec)
    for name in names:
        assert name in str(info.value), (name, str(info.value))


def test_file_errors(tmp_path):
    with pytest.raises(InvalidParameterError, match="does not exist"):
        load_spec(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("function = \n")
    with pytest.raises(InvalidParameterError, match="not valid TOML"):
        load_spec(bad)
    with pytest.raises(InvalidParameterError, match="TOML path, a dict or a SweepSpec"):
        load_spec(42)


def test_cartesian_size_matches_itertools():
    grid = {"x": {"linspace": [0, 1, 4]}, "seed": {"seeds": 3}, "delay": [0.0, 0.5]}
    spec = load_spec(make_spec(grid))
    assert len(spec) == len(spec.points()) == len(list(itertools.product(range(4), range(3), range(2))))
