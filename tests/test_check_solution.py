"""lazyrich.check_solution and solution claims: a correct candidate passes, a wrong one fails and says where.

Cases of issue 17: a scalar logistic, ``X(t) = exp(A t) X0`` for ``dX/dt = A X`` at general shape, and the
Fukumizu (1998) form of the solution of the matrix Riccati equation that Dominé et al. (2025) use for
``Q Q^T`` (with tau = 1), with ``exp(F t)`` declared by rules.
"""

import pytest
import sympy as sp
from sympy import Identity, Inverse, MatrixSymbol

import lazyrich
from lazyrich import InvalidParameterError, Registry, ShapeError, Source, check_solution, run_claim, solution_claim
from lazyrich.symbolic import Commute, matrix_exp, matrix_inverse

t = sp.Symbol("t", real=True)
n, h = sp.symbols("n h", integer=True, positive=True)
QUICK = {"instances": 1, "stability_times": 4, "stability_t_max": 10.0}

# ---------------------------------------------------------------- scalar logistic
r, K, x0 = sp.symbols("r K x_0", positive=True)
x = sp.Symbol("x")
LOGISTIC = {x: r * x * (1 - x / K)}
LOGISTIC_SOL = K * x0 * sp.exp(r * t) / (K + x0 * (sp.exp(r * t) - 1))


def test_logistic_correct_candidate_passes():
    rep = check_solution(LOGISTIC, {x: LOGISTIC_SOL}, {x: x0}, t, sample=QUICK)
    assert rep.passed and rep.stable
    assert [c.status for c in rep.checks] == ["pass"] * 4
    assert rep.numeric.max_error <= rep.numeric.tolerance == lazyrich.mp_tolerance(30)


def test_logistic_wrong_candidate_fails_with_its_residual():
    wrong = K * x0 * sp.exp(r * t) / (K + x0 * (sp.exp(2 * r * t) - 1))
    rep = check_solution(LOGISTIC, {x: wrong}, {x: x0}, t, sample=QUICK, checks=("symbolic", "initial", "numeric"))
    assert not rep.passed
    assert rep.symbolic.status == "fail" and rep.symbolic.residuals
    assert rep.initial.status == "pass"  # the wrong candidate still starts at x0
    assert rep.numeric.status == "fail" and rep.numeric.where["t"] is not None
    assert any("residual" in e for e in rep.errors)


# ---------------------------------------------------------------- X = exp(A t) X0
A, X0, X, E = (MatrixSymbol(s, n, n) for s in ("A", "X_0", "X", "E"))
EXP_A = matrix_exp(E, A, t)


def test_linear_matrix_ode_correct_candidate_passes_at_general_shape():
    rep = check_solution({X: A * X}, {X: E * X0}, {X: X0}, t, rules=[EXP_A], sample=QUICK)
    assert rep.passed, rep
    assert "general shape" in rep.symbolic.detail


def test_linear_matrix_ode_wrong_order_fails():
    rep = check_solution(
        {X: A * X}, {X: X0 * E}, {X: X0}, t, rules=[EXP_A], sample=QUICK, checks=("symbolic", "numeric")
    )
    assert rep.symbolic.status == "fail" and rep.numeric.status == "fail"
    assert not rep.passed


def test_power_without_a_rule_is_an_error_not_a_pass():
    half = sp.MatPow(E, sp.Rational(1, 2)) * X0  # d(E^{1/2}) has no rule: an error, never a silent 0
    rep = check_solution({X: A * X / 2}, {X: half}, {X: X0}, t, rules=[EXP_A], checks=("symbolic",))
    assert rep.symbolic.status == "fail" and "NoDerivativeRuleError" in rep.symbolic.detail


# ---------------------------------------------------------------- Fukumizu form of the Riccati equation
F, Finv, Ef = MatrixSymbol("F", n, n), MatrixSymbol("F^{-1}", n, n), MatrixSymbol("E_F", n, n)
Q0, P = MatrixSymbol("Q_0", n, h), MatrixSymbol("P", n, n)
M = Identity(h) + sp.Rational(1, 2) * Q0.T * (Ef * Finv * Ef - Finv) * Q0
FUKUMIZU = Ef * Q0 * Inverse(M) * Q0.T * Ef
RULES = [F, matrix_exp(Ef, F, t, symmetric=True), matrix_inverse(Finv, F, symmetric=True), Commute(Ef, Finv)]
SAMPLE = {**QUICK, "dims": {n: 3, h: 2}}


def test_fukumizu_correct_candidate_passes():
    rep = check_solution({P: F * P + P * F - P * P}, {P: FUKUMIZU}, {P: Q0 * Q0.T}, t, rules=RULES, sample=SAMPLE)
    assert rep.passed, rep
    assert rep.symbolic.status == rep.initial.status == rep.numeric.status == "pass"
    tex = rep.latex()
    assert "\\begin{align*}" in tex and "checked derivation (pass)" in tex


def test_fukumizu_wrong_candidate_fails():
    wrong = Ef * Q0 * Inverse(M) * Q0.T * Ef * 2
    rep = check_solution(
        {P: F * P + P * F - P * P},
        {P: wrong},
        {P: Q0 * Q0.T},
        t,
        rules=RULES,
        sample=SAMPLE,
        checks=("symbolic", "initial", "numeric"),
    )
    assert not rep.passed
    assert {rep.symbolic.status, rep.initial.status, rep.numeric.status} == {"fail"}


def test_fukumizu_needs_the_inverse_rule():
    # without F^{-1} declared as the inverse of F, F F^{-1} = I is unknown: the residual stays
    rules = [F, matrix_exp(Ef, F, t, symmetric=True), Finv, Commute(Ef, Finv)]
    rep = check_solution(
        {P: F * P + P * F - P * P}, {P: FUKUMIZU}, {P: Q0 * Q0.T}, t, rules=rules, sample=SAMPLE, checks=("symbolic",)
    )
    assert rep.symbolic.status == "fail" and rep.symbolic.residuals


def test_stability_reports_where_float64_breaks():
    # e^{-a t} written as cosh(a t) - sinh(a t): float64 cancels all its digits once e^{2 a t} > 1/eps
    a = sp.Symbol("a", positive=True)
    y = sp.Symbol("y")
    cand = sp.cosh(a * t) - sp.sinh(a * t)
    rep = check_solution(
        {y: -a * y}, {y: cand}, {y: 1}, t, sample={"instances": 1, "stability_t_max": 100.0, "stability_times": 6}
    )
    assert rep.passed and not rep.stable
    assert rep.stability.where["t"] > 1 and "breaks at" in rep.stability.detail
    assert [r["t"] for r in rep.stability.rows] == sorted(r["t"] for r in rep.stability.rows)
    assert len(rep.stability.rows) == 6 and rep.stability.rows[0]["error"] <= 1e-3


# ---------------------------------------------------------------- as a claim
def _claim():
    lazyrich.register_paper("demo_solutions", "Demo paper (test)")
    return solution_claim(
        "demo_solutions.linear",
        "X = e^{At} X_0",
        Source("demo_solutions", "eq. (1)"),
        {X: A * X},
        {X: E * X0},
        {X: X0},
        t,
        rules=[EXP_A],
        sample={"instances": 1, "dims": {n: 2}},
        registry=Registry(),
    )


def test_solution_claim_passes_and_its_checks_read_the_statement():
    c = _claim()
    assert run_claim(c).passed
    st = c.statements()
    for i, rel in [
        (0, sp.Eq(st[0].lhs, -A * X, evaluate=False)),
        (1, sp.Eq(X, E * X0 * 2, evaluate=False)),
        (2, sp.Eq(st[2].lhs, 2 * X0, evaluate=False)),
    ]:
        bad = list(st)
        bad[i] = rel
        res = run_claim(c, statement=bad)
        assert res.symbolic.status == "fail" and res.numeric.status == "fail", (i, res)


def test_bad_input_raises_typed_errors():
    with pytest.raises(InvalidParameterError):
        check_solution({}, {}, {}, t)
    with pytest.raises(InvalidParameterError):
        check_solution({x: x}, {x: x0}, {}, t)
    with pytest.raises(ShapeError):
        check_solution({X: A * X}, {X: Q0}, {X: X0}, t)
    with pytest.raises(InvalidParameterError):
        check_solution({x: x}, {x: x0}, {x: x0}, t, sample={"instances": 0})
