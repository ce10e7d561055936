"""`lazyrich verify --certified`: the certified column, JSON keys, and detection of a corrupted value."""

from __future__ import annotations

import json

import numpy as np

import lazyrich
from lazyrich import FLOAT64_EPS, REGISTRY, run_claim
from lazyrich._arb_backend import certified_mixed_aligned_singular_value
from lazyrich._cli import main
from lazyrich._runner import load_claims

load_claims()
CLOSED_FORM_CLAIMS = [
    "lazy_to_rich.transition_function",
    "mixed_dynamics.closed_form",
    "lazy_to_rich.stable_closed_form",
]


def test_certified_checks_pass_and_report_the_radius():
    for cid in CLOSED_FORM_CLAIMS:
        r = run_claim(REGISTRY[cid], certified=True)
        assert r.certified is not None and r.certified.status == "pass", r.certified
        assert r.passed


def test_without_flag_the_certified_check_is_not_run():
    r = run_claim(REGISTRY["mixed_dynamics.closed_form"])
    assert r.certified is None
    assert "certified" not in r.as_dict()


def test_claim_without_certified_check_is_na():
    r = run_claim(REGISTRY["mixed_dynamics.dA_dt"], certified=True)
    assert r.certified.status == "n/a" and r.passed


def test_one_ulp_beyond_the_bound_is_reported(monkeypatch):
    """Replace the float64 engine by the exact value moved 2 ulp(scale) beyond its stated bound 64 eps scale."""

    def corrupted(t, s0, s_target, c, dps=None):
        enc = certified_mixed_aligned_singular_value(t, s0, s_target, c)
        scale = max(abs(s0), abs(s_target), c)
        # mid is within 0.5 ulp of the exact value; the sum rounds by <= 0.5 ulp: still > bound beyond
        return enc.mid + (64 * FLOAT64_EPS * scale + 2 * np.spacing(scale))

    r = run_claim(REGISTRY["mixed_dynamics.closed_form"], certified=True)
    assert r.certified.status == "pass"
    monkeypatch.setattr(lazyrich, "mixed_aligned_singular_value", corrupted)
    r = run_claim(REGISTRY["mixed_dynamics.closed_form"], certified=True)
    assert r.certified.status == "fail"
    assert "certified |x - exact|" in r.certified.detail
    assert not r.passed


def test_cli_certified_column_and_json(capsys):
    assert main(["verify", "mixed_dynamics.closed_form", "--certified", "--jobs", "1"]) == 0
    out = capsys.readouterr().out
    assert "certified" in out.splitlines()[0]
    assert main(["verify", "mixed_dynamics.closed_form", "--certified", "--jobs", "1", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["certified"] == "pass"
    assert "radius" in rows[0]["certified_detail"] or "certified" in rows[0]["certified_detail"]
    assert main(["verify", "mixed_dynamics.closed_form", "--jobs", "1", "--json"]) == 0
    assert "certified" not in json.loads(capsys.readouterr().out)[0]


def test_certified_verify_without_python_flint_stops_early_and_names_the_extra(monkeypatch, capsys):
    import sys

    from lazyrich._cli import main

    monkeypatch.setitem(sys.modules, "flint", None)  # import flint now raises ImportError
    assert main(["verify", "stable_closed_form", "--certified"]) == 2
    assert "pip install 'lazyrich[fast]'" in capsys.readouterr().err
