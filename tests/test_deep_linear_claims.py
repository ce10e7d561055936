"""The deep-linear claims (derivations.deep_linear): they pass, they read their statement, mutants fail.

The package is written as a user's claim package would be: it imports only lazyrich's public API.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import sympy as sp
from sympy.matrices.expressions import MatPow

import derivations.deep_linear as deep_linear
from lazyrich import REGISTRY, equation, run_claim

PACKAGE = Path(deep_linear.__file__).parent
PUBLIC = {"lazyrich", "lazyrich.symbolic", "lazyrich.certified", "lazyrich.sweep"}
IDS = sorted(c.id for c in REGISTRY.select("deep_linear.*"))


def test_claims_registered_with_their_paper():
    assert {
        "deep_linear.imbalance_conservation",
        "deep_linear.balanced_manifold",
        "deep_linear.end_to_end_depth3",
        "deep_linear.end_to_end_depth4",
        "deep_linear.end_to_end_depth5",
        "deep_linear.aligned_mode",
        "deep_linear.aligned_solution_depth3",
    } <= set(IDS)
    for cid in IDS:
        assert "Arora" in REGISTRY[cid].source.cite()


@pytest.mark.parametrize("cid", IDS)
def test_claim_passes(cid):
    res = run_claim(REGISTRY[cid])
    assert res.passed, res.as_dict()
    assert res.symbolic.status == "pass" and res.numeric.status == "pass"


def test_package_imports_only_the_public_api():
    for path in PACKAGE.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module.startswith("lazyrich"):
                assert node.module in PUBLIC, (path.name, node.module)
                assert not any(a.name.startswith("_") for a in node.names), (path.name, node.module)
            if isinstance(node, ast.Import):
                for a in node.names:
                    assert not a.name.startswith("lazyrich") or a.name in PUBLIC, (path.name, a.name)


def _replace(statement, i, rel):
    out = list(statement)
    out[i] = rel
    return out


def test_conservation_mutants_fail():
    c = REGISTRY["deep_linear.imbalance_conservation"]
    st = c.statements()
    # a layer rate twice too fast: the imbalance is no longer conserved
    assert not run_claim(c, statement=_replace(st, 1, equation(st[1].lhs, 2 * st[1].rhs))).passed
    # the sum W_{l+1}^T W_{l+1} + W_l W_l^T is not conserved
    W_b, W_a = st[1].lhs.expr, st[0].lhs.expr
    assert not run_claim(
        c,
        statement=_replace(st, 2, equation(st[2].lhs.func(W_b.T * W_b + W_a * W_a.T, *st[2].lhs.variables), st[2].rhs)),
    ).passed
    b = REGISTRY["deep_linear.balanced_manifold"]
    sb = b.statements()
    assert not run_claim(b, statement=_replace(sb, 2, equation(2 * sb[2].lhs, sb[2].rhs))).passed


@pytest.mark.parametrize("depth", [3, 4, 5])
def test_end_to_end_exponent_mutant_fails(depth):
    c = REGISTRY[f"deep_linear.end_to_end_depth{depth}"]
    st = c.statements()
    main = st[-1]
    powers = sorted(main.rhs.atoms(MatPow), key=sp.default_sort_key)
    bumped = main.rhs.xreplace({powers[0]: MatPow(powers[0].args[0], powers[0].args[1] + sp.Rational(1, depth))})
    res = run_claim(c, statement=_replace(st, len(st) - 1, equation(main.lhs, bumped)))
    assert not res.passed
    assert res.symbolic.status == "fail" and res.numeric.status == "fail"


def test_aligned_mode_mutants_fail():
    c = REGISTRY["deep_linear.aligned_mode"]
    layer, product, reduced = c.statements()
    N = next(s for s in reduced.rhs.free_symbols if s.name == "N")
    u = product.lhs
    wrong_rate = reduced.rhs.xreplace({u ** (2 - 2 / N): u ** (2 - 3 / N)})
    assert wrong_rate != reduced.rhs
    res = run_claim(c, statement=[layer, product, equation(reduced.lhs, wrong_rate)])
    assert res.symbolic.status == "fail" and res.numeric.status == "fail"
    # a wrong layer rate is caught by the model's velocity (numeric) as well
    res = run_claim(c, statement=[equation(layer.lhs, 2 * layer.rhs), product, reduced])
    assert res.numeric.status == "fail"


def test_aligned_solution_wrong_candidate_fails():
    c = REGISTRY["deep_linear.aligned_solution_depth3"]
    st = c.statements()
    i = next(k for k, rel in enumerate(st) if rel.rhs.has(sp.atan))
    wrong = st[i].rhs.replace(sp.atan, lambda z: 0 * z)  # the reader forgot the arctan terms
    res = run_claim(c, statement=_replace(st, i, equation(st[i].lhs, wrong)))
    assert not res.passed
    assert res.symbolic.status == "fail"


@pytest.mark.parametrize("depth", [4])
def test_aligned_solution_other_depths(depth):
    """The same candidate at depth 4 (no claim: each solution claim costs ~100 mutants in lazyrich mutate)."""
    from lazyrich import check_solution

    ode, solution, initial, xi, sample = deep_linear.aligned.solution_problem(depth)
    rep = check_solution(ode, solution, initial, xi, sample=sample, checks=("symbolic", "initial", "numeric"))
    assert rep.passed, rep.errors


def test_mutation_testing_kills_every_mutant_of_the_cheap_claims():
    from lazyrich._tools.mutate import mutate_claim

    for cid in ["deep_linear.imbalance_conservation", "deep_linear.balanced_manifold", "deep_linear.end_to_end_depth3"]:
        rep = mutate_claim(REGISTRY[cid])
        assert rep.reads_statement
        assert rep.mutants > 0 and not rep.unexplained, (cid, rep.survivors)
