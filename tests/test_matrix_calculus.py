"""The symbolic toolkit: product rule, canonical form, explicit-shape route.

The product rule (:func:`time_derivative` + :func:`canonicalize`) and the
entry-wise chain rule (:func:`explicit_time_derivative`) are independent
routes; they must agree on every expression, and both must report false
identities as false.
"""

import sympy as sp
from hypothesis import given
from hypothesis import strategies as st
from sympy import Identity, MatrixSymbol

from lazyrich import (
    RewriteRule,
    canonicalize,
    explicit_residual,
    explicit_time_derivative,
    is_zero,
    time_derivative,
)

n = sp.Symbol("n", positive=True, integer=True)
A, B = MatrixSymbol("A", n, n), MatrixSymbol("B", n, n)
dA, dB = MatrixSymbol("dA", n, n), MatrixSymbol("dB", n, n)
RATES = {A: dA, B: dB}


def test_product_rule_on_a_product_of_three():
    expr = A * B * A.T
    expected = dA * B * A.T + A * dB * A.T + A * B * dA.T
    assert canonicalize(time_derivative(expr, RATES) - expected).is_zero()


def test_false_identity_is_reported_false_by_both_routes():
    # d/dt (A A^T) = dA A^T + A dA^T, which is not 2 A dA^T for non-symmetric products
    wrong = time_derivative(A * A.T, RATES) - 2 * A * dA.T
    assert not canonicalize(wrong).is_zero()
    assert not is_zero(explicit_residual(wrong, {n: 2}))


def test_non_commutativity_is_respected():
    assert not canonicalize(A * B - B * A).is_zero()
    assert canonicalize(A * B - B * A + B * A - A * B).is_zero()


def test_transpose_of_products_reverses_order():
    assert canonicalize((A * B).T - B.T * A.T).is_zero()
    assert not canonicalize((A * B).T - A.T * B.T).is_zero()


def test_symmetric_declaration_is_needed_for_S_equals_S_transpose():
    S = MatrixSymbol("S", n, n)
    assert not canonicalize(S - S.T).is_zero()
    assert canonicalize(S - S.T, symmetric=[S]).is_zero()


def test_inverse_derivative_matches_explicit_inverse():
    expr = A.I
    general = canonicalize(time_derivative(expr, RATES) + A.I * dA * A.I)
    assert general.is_zero()
    explicit = explicit_time_derivative(expr, RATES, {n: 2})
    expected = explicit_residual(-A.I * dA * A.I, {n: 2})
    assert (explicit - expected).applyfunc(sp.simplify) == sp.zeros(2, 2)


def test_rewrite_rule_lambda_balance():
    Ni, Nh, No = sp.symbols("N_i N_h N_o", positive=True, integer=True)
    W1, W2 = MatrixSymbol("W1", Nh, Ni), MatrixSymbol("W2", No, Nh)
    lam = sp.Symbol("lambda", real=True)
    rule = RewriteRule(W2.T * W2, W1 * W1.T + lam * Identity(Nh))
    true_identity = W1.T * W2.T * W2 * W1 - (W1.T * W1) ** 2 - lam * W1.T * W1
    false_identity = W1.T * W2.T * W2 * W1 - (W1.T * W1) ** 2 + lam * W1.T * W1
    assert canonicalize(true_identity, rules=[rule]).is_zero()
    assert not canonicalize(false_identity, rules=[rule]).is_zero()
    assert not canonicalize(true_identity).is_zero()  # the rule is what makes it true


def test_one_by_one_words_are_identified_with_their_transpose():
    d = sp.Symbol("d", positive=True, integer=True)
    w, g = MatrixSymbol("w", d, 1), MatrixSymbol("g", d, 1)
    assert canonicalize(w.T * g - g.T * w).is_zero()
    assert not canonicalize(w * g.T - g * w.T).is_zero()  # d x d: not scalars


def test_scalar_coefficients_and_declared_scalar_rates():
    c = sp.Symbol("c")
    expr = c**2 * A
    assert canonicalize(time_derivative(expr, {c: 3, A: dA}) - (6 * c * A + c**2 * dA)).is_zero()


def test_canonical_form_round_trips():
    expr = (A + B) * (A - B) * A.T
    canon = canonicalize(expr)
    again = canonicalize(canon.as_expr())
    assert canon.terms == again.terms
    assert canonicalize(canon.as_expr() - expr).is_zero()


ATOMS = [A, B, A.T, B.T]


@given(
    st.lists(st.tuples(st.integers(-3, 3), st.lists(st.integers(0, 3), min_size=1, max_size=4)), min_size=1, max_size=3)
)
def test_product_rule_agrees_with_entrywise_chain_rule(terms):
    expr = sp.MatAdd(*[sp.MatMul(c, *[ATOMS[i] for i in word]) for c, word in terms if c != 0] or [sp.ZeroMatrix(n, n)])
    general = canonicalize(time_derivative(expr, RATES)).as_expr()
    route_a = explicit_residual(general, {n: 2})
    route_b = explicit_time_derivative(expr, RATES, {n: 2})
    assert (route_a - route_b).applyfunc(sp.expand) == sp.zeros(2, 2)


def test_traces_are_identified_up_to_rotation_and_transposition():
    from lazyrich.symbolic import canonical_trace

    C = MatrixSymbol("C", n, n)
    assert sp.expand(canonical_trace(A * B * C) - canonical_trace(C * A * B)) == 0
    assert sp.expand(canonical_trace(A * B) - canonical_trace(B.T * A.T)) == 0
    assert sp.expand(canonical_trace(A * B * C) - canonical_trace(B * A * C)) != 0  # not any permutation
    # in coefficients: tr(AB) X - tr(BA) X reduces to zero
    assert canonicalize(sp.Trace(A * B) * A - sp.Trace(B * A) * A).is_zero()


def test_entry_points_check_their_inputs_and_keep_accepting_numbers():
    # issue 15: SympifyError / AttributeError / TypeError from malformed input are now InvalidParameterError,
    # raised by the entry points' input checks (lazyrich._symbolic.inputs), never by the algorithms
    import pytest

    import lazyrich
    from lazyrich import InvalidParameterError

    x = sp.Symbol("x")
    # what stays valid: numbers as sides and expressions, string dimension keys, Definition rebuilt by SymPy
    assert lazyrich.equation(x, 0).rhs == 0
    assert is_zero(0) and time_derivative(3, {}) == 0
    d = lazyrich.definition(A, B.T)
    assert isinstance(d.xreplace({B: dA}), lazyrich.Definition)
    m = sp.Symbol("m")
    assert explicit_residual(MatrixSymbol("C", m, m) * 0, {"m": 2}) == sp.zeros(2, 2)
    for call in (
        lambda: lazyrich.equation("x", 1),  # SymPy would parse the string
        lambda: lazyrich.Hypothesis(None, x),
        lambda: lazyrich.ddt(A, "t"),
        lambda: time_derivative(A, RATES, time=[]),
        lambda: lazyrich.rates_from([A]),
        lambda: lazyrich.substitutions(x),
        lambda: lazyrich.resolve_definitions(x, [], max_rounds=0),
        lambda: explicit_residual(A, {n: 2.0}),
        lambda: explicit_residual(A - A, {"n": 2}),  # "n" is not the positive-integer n of A's shape
        lambda: explicit_time_derivative(A, [A], {n: 2}),
        lambda: lazyrich.explicit_matrix(None, {n: 2}),
    ):
        with pytest.raises(InvalidParameterError):
            call()


def test_the_explicit_route_refuses_too_many_entries_before_any_work(monkeypatch):
    # dims={n: 10**6} used to run for ever: the entries of every matrix (sub)expression are counted and
    # checked against MAX_EXPLICIT_ENTRIES (LAZYRICH_MAX_EXPLICIT_ENTRIES raises it) before any is built
    import pytest

    import lazyrich
    from helpers import python_calls
    from lazyrich import InvalidParameterError
    from lazyrich._symbolic.inputs import MAX_EXPLICIT_ENTRIES

    calls = {
        "matrix": lambda size: lazyrich.explicit_matrix(A, {n: size}),
        "residual": lambda size: explicit_residual(A * B - B * A, {n: size}),
        "derivative": lambda size: explicit_time_derivative(A * A, RATES, {n: size}),
    }
    for what, call in calls.items():
        with pytest.raises(InvalidParameterError, match="LAZYRICH_MAX_EXPLICIT_ENTRIES=10000") as info:
            call(10**6)
        assert "explicit matrix entries" in str(info.value)
        # before any work: refusing n = 10**6 makes no more calls than refusing n = 101 (just over the limit)
        huge, small = (python_calls(lambda c=call, size=size: c(size)) for size in (10**6, 101))
        assert huge <= small, (what, huge, small)
    assert MAX_EXPLICIT_ENTRIES == 10_000
    # A, B, A B, -B A and A B - B A at n = 3: 5 * 9 = 45 entries, at the limit; A^T more is 54, above it
    monkeypatch.setenv("LAZYRICH_MAX_EXPLICIT_ENTRIES", "45")
    assert explicit_residual(A * B - B * A, {n: 3}) != sp.zeros(3, 3)
    with pytest.raises(InvalidParameterError, match="54 explicit matrix entries"):
        explicit_residual(A * B - B * A + A.T, {n: 3})
    # the derivative also counts its rates: A^2, A and the rates' A, B, dA, dB at n = 3, 5 * 9 = 45 entries
    assert explicit_time_derivative(A * A, RATES, {n: 3}) == explicit_residual(dA * A + A * dA, {n: 3})
    monkeypatch.setenv("LAZYRICH_MAX_EXPLICIT_ENTRIES", "44")
    with pytest.raises(InvalidParameterError, match="45 explicit matrix entries"):
        explicit_time_derivative(A * A, RATES, {n: 3})
    monkeypatch.setenv("LAZYRICH_MAX_EXPLICIT_ENTRIES", "many")
    with pytest.raises(InvalidParameterError, match="must be an integer"):
        lazyrich.explicit_matrix(A, {n: 2})
