"""The claim registry, the check runner, the statement contract and the papers' registration."""

import json

import pytest
import sympy as sp

import lazyrich
from lazyrich import (
    Claim,
    ClaimError,
    Measurement,
    Proof,
    Registry,
    Source,
    claim,
    load_claims,
    register_paper,
    run_claim,
)

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


# ------------------------------------------------------------------ the statement contract
def _square_claim(**kw):
    """(x + 1)^2 = x^2 + 2x + 1, whose checks read the statement they are given."""
    return _claim(statement=lambda: [sp.Eq((x + 1) ** 2, x**2 + 2 * x + 1, evaluate=False)], **kw)


def _residuals(statement):
    return [sp.expand(rel.lhs - rel.rhs) for rel in statement]


def test_checks_that_read_the_statement_pass_the_right_one_and_fail_a_wrong_one():
    c = _square_claim()
    c.symbolic_check(lambda statement: Proof(residuals=_residuals(statement)))

    @c.numeric_check
    def numeric(statement):
        err = max(abs(float(r.subs(x, 0.75))) for r in _residuals(statement))
        return Measurement(err, 1e-12, "residual at x = 3/4")

    c.certified_check(numeric)
    right = run_claim(c, certified=True)
    assert right.passed and (right.symbolic.status, right.numeric.status, right.certified.status) == ("pass",) * 3
    assert run_claim(c, statement=c.statements()).passed
    wrong = run_claim(c, certified=True, statement=[sp.Eq((x + 1) ** 2, x**2 + x + 1, evaluate=False)])
    assert not wrong.passed
    assert (wrong.symbolic.status, wrong.numeric.status, wrong.certified.status) == ("fail",) * 3


def test_the_own_statement_is_passed_when_none_is_given():
    seen = []
    c = _square_claim()
    c.numeric_check(lambda statement: seen.append(statement) or Measurement(0.0, 1.0))
    assert run_claim(c).passed
    assert seen == [c.statements()]


def test_zero_argument_checks_ignore_a_replacement_statement():
    c = _square_claim()
    c.symbolic_check(lambda: Proof(residuals=[(x + 1) ** 2 - x**2 - 2 * x - 1]))
    c.numeric_check(lambda: Measurement(0.0, 1.0))
    wrong = [sp.Eq(x, x + 1, evaluate=False)]
    assert run_claim(c).passed and run_claim(c, statement=wrong).passed


def test_a_replacement_statement_of_the_wrong_length_raises():
    c = _square_claim()
    c.numeric_check(lambda statement: Measurement(0.0, 1.0))
    with pytest.raises(ClaimError, match=r"has 0 relation.*has 1"):
        run_claim(c, statement=[])
    with pytest.raises(ClaimError):
        run_claim(c, statement=c.statements() * 2)


def test_a_statement_that_cannot_be_built_fails_the_checks_that_read_it():
    c = _claim(statement=lambda: [sp.Eq(x, x)])  # SymPy evaluates this Eq to True: not a statement
    c.numeric_check(lambda statement: Measurement(0.0, 1.0))
    c.symbolic_check(lambda: Proof(residuals=[x - x]))
    r = run_claim(c)
    assert r.symbolic.status == "pass" and r.numeric.status == "fail" and "ClaimError" in r.numeric.detail


def test_equivalent_mutants_are_recorded_with_their_reason():
    reg = Registry()
    c = claim(
        "demo.equiv", "t", Source("demo", "x"), registry=reg, equivalent={"swap_sides": "an equation is symmetric"}
    )
    assert c.equivalent == {"swap_sides": "an equation is symmetric"}
    assert claim("demo.plain", "t", Source("demo", "x"), registry=reg).equivalent == {}
    assert "demo.equiv" in reg and "demo.equiv" not in lazyrich.REGISTRY  # an empty registry is still the one given
    for bad in ({"m": ""}, {"m": "two\nlines"}, {"m": 1}, ["m"]):
        with pytest.raises(ClaimError, match="equivalent"):
            _claim(equivalent=bad)


# ------------------------------------------------------------------ papers
def test_a_registered_paper_is_cited_in_full_and_an_unregistered_one_by_its_key():
    assert register_paper("registry_test_paper", "A. Author, A test paper (2025)") == "registry_test_paper"
    assert lazyrich.PAPERS["registry_test_paper"] == "A. Author, A test paper (2025)"
    assert Source("registry_test_paper", "Thm 1").cite() == "A. Author, A test paper (2025), Thm 1"
    register_paper("registry_test_paper", "A. Author, A test paper (2025)")  # the same again: nothing happens
    with pytest.raises(ClaimError, match="already registered"):
        register_paper("registry_test_paper", "Someone else, Another paper")
    assert "unregistered_test_paper" not in lazyrich.PAPERS
    assert Source("unregistered_test_paper", "Sec. 2", "derived").cite() == "unregistered_test_paper, Sec. 2 (derived)"


@pytest.mark.parametrize(("key", "citation"), [("not an id", "x"), ("ok_key", ""), ("ok_key", None)])
def test_bad_paper_registrations_raise(key, citation):
    with pytest.raises(ClaimError):
        register_paper(key, citation)


def test_papers_are_registered_by_the_claim_modules_and_read_only():
    load_claims()
    assert {"lazy_to_rich", "get_rich_quick", "mixed_dynamics"} <= set(lazyrich.PAPERS)
    assert "Dominé" in lazyrich.PAPERS["lazy_to_rich"]
    with pytest.raises(TypeError):
        lazyrich.PAPERS["lazy_to_rich"] = "changed"


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
