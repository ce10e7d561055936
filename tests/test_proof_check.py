"""A Proof is established only when its lemmas, residuals and every displayed derivation step reduce to zero.

The steps are what ``lazyrich latex`` prints as the derivation; a wrong step must fail the symbolic check and
never be printed. The independent checker of the step rules is an explicit evaluation on random matrices.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from derivations.rounding import UNIT_ROUNDOFF, gamma
from lazyrich import (
    Claim,
    Proof,
    Registry,
    Source,
    ddt,
    definition,
    equation,
    hypothesis,
    rewrite_rules,
    run_claim,
    split_statement,
    substitutions,
    time_derivative,
)
from lazyrich._claims.latex import render_claim
from lazyrich._claims.model import run_symbolic
from lazyrich._claims.proof_check import EXPLICIT_SHAPES, GENERAL_SHAPE, proof_failures
from lazyrich.symbolic import evaluate, is_zero

n, m = sp.symbols("n m", integer=True, positive=True)
W1 = sp.MatrixSymbol("W_1", n, m)
W2 = sp.MatrixSymbol("W_2", m, n)
G = sp.MatrixSymbol("G", m, m)
lam = sp.Symbol("lambda")
x = sp.Symbol("x")


def _rates():
    # a gradient-like flow: W1' = W2^T G^T ... any expression works; the conservation law needs the true one
    E = sp.MatrixSymbol("E", m, m)
    return {W1: W2.T * E, W2: E * W1.T}, E


def test_a_wrong_step_fails_and_a_right_one_passes():
    good = Proof(residuals=[x - x], steps=[equation((x + 1) ** 2, x**2 + 2 * x + 1)])
    bad = Proof(residuals=[x - x], steps=[equation((x + 1) ** 2, x**2 + 1)])
    assert run_symbolic(lambda: good).status == "pass"
    res = run_symbolic(lambda: bad)
    assert res.status == "fail" and "derivation step 1" in res.detail


def test_a_step_with_a_derivative_needs_declared_rates():
    rates, _ = _rates()
    D = time_derivative(W2 * W2.T, rates)
    step = equation(ddt(W2 * W2.T), D)
    assert proof_failures([x - x], [step], rates=rates) == []
    assert "declares no rates" in proof_failures([x - x], [step])[0]
    wrong = equation(ddt(W2 * W2.T), 2 * D)
    assert proof_failures([x - x], [wrong], rates=rates)


def test_the_derivative_in_a_step_agrees_with_an_explicit_central_difference():
    """The step checker's d/dt (the calculus) against a central difference on random 3x2 matrices."""
    rates, E = _rates()
    expr = W2 * W2.T * W2
    d_sym = time_derivative(expr, rates)
    rng = np.random.default_rng(0)
    w1, w2, e = rng.standard_normal((2, 3)), rng.standard_normal((3, 2)), rng.standard_normal((3, 3))
    dims = {n: 2, m: 3}
    v1, v2 = w2.T @ e, e @ w1.T  # the rates at this point
    h = 1e-6
    f = lambda s: evaluate(expr, {W1: w1 + s * v1, W2: w2 + s * v2}, dims=dims, arithmetic="float64")  # noqa: E731
    fd = (f(h) - f(-h)) / (2 * h)
    exact = evaluate(d_sym, {W1: w1, W2: w2, E: e}, dims=dims, arithmetic="float64")
    assert np.all(np.abs(fd - exact) <= _central_difference_bound(w1, w2, e, h, fd)), np.abs(fd - exact).max()


def _central_difference_bound(w1, w2, e, h, fd):
    """Entrywise error bound of ``(f(h) - f(-h)) / 2h`` for ``f(s) = W W^T W``, ``W = w2 + s v2``, against ``f'(0)``.

    Truncation: ``f`` is a cubic in ``s`` whose ``s^3`` coefficient is ``v2 v2^T v2``, so the central difference errs
    by exactly ``h^2 f'''(0) / 6 = h^2 v2 v2^T v2``. Round-off (Higham (2002), Sec. 3.5): each ``W = w2 + s v2`` is
    two roundings per entry, the products ``(W W^T) W`` have inner sizes 2 and 3, so each ``f(+-h)`` errs by at most
    ``gamma_11 |W||W^T||W|`` (three inputs at ``gamma_2``, ``+ 2 + 3``); their difference over ``2h`` by that over
    ``h``, plus the subtraction and division (``2u |fd|``). The float64 ``f'(0)`` (three terms ``V W^T W``, ``V = E
    W_1^T`` of inner size 3) errs by at most ``gamma_10`` of the sum of its terms' absolute products.
    The truncation uses ``v2`` in float64 (its rounding changes that term by a relative ``gamma_3``: negligible).
    """
    v2 = e @ w1.T
    a, b, dv = np.abs(w2) + h * np.abs(v2), np.abs(w2), np.abs(e) @ np.abs(w1).T
    truncation = h**2 * np.abs(v2 @ v2.T @ v2)
    f_round = gamma(11) * (a @ a.T @ a)
    exact_round = gamma(10) * (dv @ b.T @ b + b @ dv.T @ b + b @ b.T @ dv)
    return truncation + f_round / h + 2 * UNIT_ROUNDOFF * np.abs(fd) + exact_round


def test_lemmas_are_proven_in_order_then_used_as_rules():
    A = sp.MatrixSymbol("A", n, n)
    orth = hypothesis(A.T * A, sp.Identity(n))
    rules = rewrite_rules([orth])
    lemma = equation(A.T * A * A.T * A, sp.Identity(n))  # follows from the hypothesis
    # the residual needs the lemma's word as a rule (A^T A A^T A -> I is what it rewrites)
    residual = A.T * A * A.T * A - sp.Identity(n)
    assert proof_failures([residual], [], lemmas=[lemma], rules=rules) == []
    # a false lemma is reported and not used
    false = equation(A.T * A, 2 * sp.Identity(n))
    out = proof_failures([sp.ZeroMatrix(n, n)], [], lemmas=[false], rules=rules)
    assert out and "lemma 1" in out[0]
    # without the hypothesis the lemma is not proven
    assert proof_failures([sp.ZeroMatrix(n, n)], [], lemmas=[lemma])


def test_established_says_general_or_explicit_shape():
    A = sp.MatrixSymbol("A", n, n)
    assert Proof(residuals=[A.T.T - A]).established() == GENERAL_SHAPE
    B = sp.MatrixSymbol("B", 2, 2)
    assert Proof(residuals=[B * B.T - B.T * B]).established() == EXPLICIT_SHAPES  # (not zero: shape only)
    assert Proof(residuals=[sp.Matrix([[x - x]])]).established() == EXPLICIT_SHAPES


def test_definitions_and_hypotheses_are_relations_of_the_statement():
    P = sp.MatrixSymbol("P", m, m)
    st = [
        definition(P, W1 * W1.T),
        hypothesis(W2.T * W2 - W1 * W1.T, lam * sp.Identity(m)),
        equation(W2.T * W2, P + lam * sp.Identity(m)),
    ]
    parts = split_statement(st)
    assert (len(parts.definitions), len(parts.hypotheses), len(parts.relations)) == (1, 1, 1)
    [rule] = rewrite_rules(parts.hypotheses)
    rel = parts.relations[0]
    residual = (rel.lhs - rel.rhs).subs(substitutions(parts.definitions))
    assert is_zero(residual, rules=[rule])
    # a changed hypothesis no longer proves the relation
    [wrong] = rewrite_rules([hypothesis(W2.T * W2 - W1 * W1.T, 2 * lam * sp.Identity(m))])
    assert not is_zero(residual, rules=[wrong])


def _claim(steps):
    reg = Registry()
    c = Claim("demo.steps", "A demo", Source("demo", "none"), [equation((x + 1) ** 2, x**2 + 2 * x + 1)])
    c.symbolic = lambda st: Proof(residuals=[sp.expand(r.lhs - r.rhs) for r in st], steps=steps)
    del reg
    return c


def test_latex_prints_only_checked_steps_and_how_each_claim_was_established():
    good = _claim([equation((x + 1) ** 2, (x + 1) * (x + 1))])
    rc = render_claim(good)
    assert rc.steps and rc.established == "symbolic, general shape"
    assert "established: symbolic, general shape" in rc.status_line()
    bad = _claim([equation((x + 1) ** 2, x**2 + 1)])
    rc = render_claim(bad)
    assert rc.symbolic == "fail" and rc.steps == [] and not rc.established
    assert any("derivation not shown" in p for p in rc.problems)
    assert run_claim(bad).established == "not established"


@pytest.mark.parametrize("heuristic, expected", [(False, "numeric"), (True, "heuristic")])
def test_a_claim_without_symbolic_check_is_established_numerically_or_heuristically(heuristic, expected):
    from lazyrich import Measurement

    c = Claim("demo.num", "A demo", Source("demo", "none"), [equation(x, x)], heuristic=heuristic)
    c.numeric = lambda: Measurement(0.0, 1.0, "demo")
    assert run_claim(c).established == expected
    assert render_claim(c).established == expected


def test_definitions_print_with_colon_equals_and_hypotheses_as_assumed():
    P = sp.MatrixSymbol("P", m, m)
    c = Claim(
        "demo.defs",
        "A demo",
        Source("demo", "none"),
        [definition(P, W1 * W1.T), hypothesis(W2.T * W2 - W1 * W1.T, lam * sp.Identity(m))],
    )
    rc = render_claim(c, checks="none")
    assert r"\mathrel{:=}" in rc.statement[0] and r"\text{(assumed)}" in rc.statement[1]


@pytest.mark.parametrize(
    "identity",
    [
        lambda x, n: sp.sqrt(x**2) - x,
        lambda x, n: sp.exp(sp.log(x)) - x,
        lambda x, n: (-1) ** (2 * n) - 1,
        lambda x, n: sp.cosh(x) ** 2 - sp.sinh(x) ** 2 - 1,
        lambda x, n: (x + 1) ** 20 - sp.expand((x + 1) ** 20),  # heavy cancellation
    ],
)
def test_the_zero_screen_never_calls_an_identity_nonzero(identity):
    from lazyrich._symbolic.zero_screen import certainly_nonzero

    x, n = sp.Symbol("x", positive=True), sp.Symbol("n", integer=True)
    e = identity(x, n)
    assert not certainly_nonzero(e)
    assert is_zero(e)  # and the exact test still proves it


@pytest.mark.parametrize(
    "wrong",
    [
        lambda x, n: sp.sqrt(x**2) + x,
        lambda x, n: (-1) ** n - 1,
        lambda x, n: sp.cosh(x) ** 2 - sp.sinh(x) ** 2 - 1 - 10**-15 * x,
        lambda x, n: (x + 1) ** 20 - sp.expand((x + 1) ** 20) + 1,
    ],
)
def test_the_zero_screen_rejects_non_identities(wrong):
    from lazyrich._symbolic.zero_screen import certainly_nonzero

    x, n = sp.Symbol("x", positive=True), sp.Symbol("n", integer=True)
    e = wrong(x, n)
    assert certainly_nonzero(e)
    assert not is_zero(e)


def test_the_zero_screen_leaves_identities_simplify_cannot_prove_to_the_exact_test():
    from lazyrich._symbolic.zero_screen import certainly_nonzero

    x = sp.Symbol("x", positive=True)
    assert not certainly_nonzero(sp.atan(x) + sp.atan(1 / x) - sp.pi / 2)  # true for x > 0
    assert certainly_nonzero(sp.atan(x) + sp.atan(1 / x) + sp.pi / 2)
