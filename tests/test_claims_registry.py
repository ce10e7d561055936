"""The claim registry and the check runner."""

import json

import pytest
import sympy as sp

import lazyrich
from lazyrich import Claim, ClaimError, Measurement, Proof, Registry, Source, load_claims, run_claim

x = sp.Symbol("x")


def _claim(cid="demo.c", **kw):
    return Claim(id=cid, title="t", source=Source(cid.split(".")[0], "nowhere"), **kw)


def test_symbolic_pass_and_fail():
    good, bad = _claim(), _claim()
    good.symbolic = lambda: Proof(residuals=[(x + 1) ** 2 - x**2 - 2 * x - 1])
    bad.symbolic = lambda: Proof(residuals=[(x + 1) ** 2 - x**2 - 1])
    assert run_claim(good).symbolic.status == "pass"
    r = run_claim(bad).symbolic
    assert r.status == "fail" and "not identically zero" in r.detail


def test_numeric_pass_fail_and_max_error():
    c = _claim()
    c.numeric = lambda: [Measurement(1e-12, 1e-10, "a"), Measurement(3e-11, 1e-10, "b")]
    r = run_claim(c).numeric
    assert r.status == "pass" and r.max_error == pytest.approx(3e-11)
    c.numeric = lambda: [Measurement(1e-12, 1e-10, "a"), Measurement(2e-9, 1e-10, "b", "kappa eps")]
    r = run_claim(c).numeric
    assert r.status == "fail" and "b: error 2e-09 > tolerance 1e-10" in r.detail


def test_non_finite_error_fails():
    c = _claim()
    c.numeric = lambda: Measurement(float("nan"), 1.0, "nan")
    assert run_claim(c).numeric.status == "fail"


def test_a_check_that_raises_is_a_failure_with_the_reason():
    c = _claim()

    def boom():
        raise ZeroDivisionError("division by zero in the check")

    c.symbolic = boom
    r = run_claim(c).symbolic
    assert r.status == "fail" and "ZeroDivisionError" in r.detail


def test_empty_proof_is_not_a_proof():
    c = _claim()
    c.symbolic = lambda: Proof(residuals=[])
    assert run_claim(c).symbolic.status == "fail"


def test_missing_checks_are_not_applicable():
    r = run_claim(_claim())
    assert (r.symbolic.status, r.numeric.status) == ("n/a", "n/a") and r.passed


@pytest.mark.parametrize("bad_id", ["nodot", "a.b.c", "demo.has space", "other.x"])
def test_claim_ids_are_validated(bad_id):
    with pytest.raises(ClaimError):
        Claim(id=bad_id, title="t", source=Source("demo", "x"))


def test_registry_select_and_duplicates():
    reg = Registry()
    a, b = reg.add(_claim("demo.alpha")), reg.add(_claim("demo.beta"))
    assert reg.select("demo.a*") == [a]
    assert reg.select("bet") == [b]
    assert reg.select(None) == [a, b]
    with pytest.raises(ClaimError):
        reg.add(_claim("demo.alpha"))
    with pytest.raises(ClaimError):
        reg["demo.gamma"]


def test_result_json_has_the_documented_keys():
    c = _claim()
    c.numeric = lambda: Measurement(0.0, 1.0)
    d = run_claim(c).as_dict()
    assert {"id", "symbolic", "numeric", "max_error", "seconds"} <= set(d)
    assert d["symbolic"] in {"pass", "fail", "n/a"} and json.dumps(d)


REG = load_claims()


def test_every_claim_has_a_check_a_source_and_sympy_statements():
    assert len(REG) > 0
    for c in REG:
        assert c.symbolic is not None or c.numeric is not None, c.id
        assert c.source.paper in lazyrich.PAPERS, c.id
        for s in c.statements():
            assert isinstance(s, sp.Basic), (c.id, s)


@pytest.mark.parametrize("cid", [c.id for c in REG])
def test_every_registered_claim_passes(cid):
    r = run_claim(REG[cid])
    assert r.passed, (r.symbolic.detail, r.numeric.detail)
