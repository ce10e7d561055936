"""`lazyrich stress`: the direct form fails early on the stated case while the stable form stays flat to 1e6.

The errors come from the report itself (each against an Arb enclosure, or mpmath at 80 digits for the
two-layer net beyond ARB_MAX_BITS), so these tests read the JSON the CLI prints.
"""

from __future__ import annotations

import json

import pytest

from lazyrich import InvalidParameterError
from lazyrich._cli import main
from lazyrich._stress import stress

STATED_CASE = "3-3-3 lambda=2 (stated case)"


@pytest.fixture(scope="module")
def two_layer_rows():
    return [r.as_dict() for r in stress("two_layer", t_max=1e6).rows]


def test_direct_form_fails_below_t_100_on_the_stated_case(two_layer_rows):
    (row,) = [r for r in two_layer_rows if r["case"] == STATED_CASE and r["backend"] == "direct"]
    early = [e for t, e in zip(row["t"], row["error"]) if t < 100]
    assert any(e is None or e > 1e-3 for e in early)
    assert row["failure_time"] is not None and row["failure_time"] < 100


def test_stable_form_stays_below_1e_10_up_to_1e6(two_layer_rows):
    for row in two_layer_rows:
        if row["backend"] == "stable":
            assert max(row["t"]) == pytest.approx(1e6)
            assert not row["raised"], row["case"]
            assert row["max_error"] < 1e-10, row["case"]


def test_mpmath_rows_meet_their_digits(two_layer_rows):
    for row in two_layer_rows:
        for d in (15, 30, 60):
            if row["backend"] == f"mpmath{d}":
                assert row["max_error"] < 10.0 ** -(d - 1), row["case"]


def test_cli_json_and_plot(tmp_path, capsys):
    png = tmp_path / "stress.png"
    assert main(["stress", "aligned", "--t-max", "1000", "--json", "--plot", str(png)]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert rep["t_max"] == 1000.0
    assert {r["backend"] for r in rep["rows"]} == {"stable", "mpmath15", "mpmath30", "mpmath60"}
    assert all(r["max_error"] < 1e-10 for r in rep["rows"])
    assert png.stat().st_size > 1000
    assert main(["stress", "mixed", "--t-max", "100"]) == 0
    assert "mixed/" in capsys.readouterr().out


def test_bad_arguments():
    with pytest.raises(InvalidParameterError):
        stress("nope")
    with pytest.raises(InvalidParameterError):
        stress(t_max=-1.0)


def test_single_neuron_rows_are_flat():
    rows = stress("single_neuron", t_max=1e6, n_times=6).rows
    assert {r.case for r in rows} >= {"delta<0", "delta=0", "delta>0"}
    for r in rows:
        assert r.max_error < 1e-10, (r.case, r.backend)
