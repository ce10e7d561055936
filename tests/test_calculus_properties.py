"""The sound matrix calculus against an independent route: central differences on explicit matrices.

Random expressions are built from time-dependent matrices ``A(t) = A0 + t A1``, ``B(t) = B0 + t B1``,
a declared ``E = exp(F t)``, transposes, products, sums, squares, inverses of ``I + X`` and scalar
factors ``tr(X)``, ``det(I + X)``, ``e^t``, ``sin t``, ``t``. The leaves have norm <= 1/4 by
construction, so every inverted ``I + X`` is well-conditioned (checked, not assumed, below).
``time_derivative`` of each expression, evaluated at 40 digits, must match the central difference
of the expression itself, within the error bound of the central difference (derived below).
"""

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sympy import Determinant, Identity, Inverse, MatrixSymbol, Trace

from lazyrich.symbolic import (
    Commute,
    NoDerivativeRuleError,
    RewriteLoopError,
    RewriteRule,
    canonicalize,
    evaluate,
    facts,
    matrix_exp,
    matrix_inverse,
    matrix_sqrt,
    time_derivative,
)

N = 3
t = sp.Symbol("t", real=True)
A, B, A0, A1, B0, B1, F, E = (MatrixSymbol(s, N, N) for s in ("A", "B", "A0", "A1", "B0", "B1", "F", "E"))
ID = Identity(N)
EXP = matrix_exp(E, F, t)
RATES = {A: A1, B: B1, **EXP.rates()}
DPS = 40


def _leaves():
    return st.sampled_from([A, B, E, A.T, B.T, ID])


def _matrix_expr(children):
    product = st.tuples(children, children).map(lambda ab: ab[0] * ab[1])
    total = st.tuples(children, children).map(lambda ab: ab[0] + ab[1])
    return st.one_of(
        product,  # products and sums drawn more often: the order of factors is what a calculus gets wrong
        product,
        product,
        total,
        total,
        children.map(lambda x: x.T),
        children.map(lambda x: x * x),
        children.map(lambda x: Inverse(ID + x)),
        st.tuples(children, children).map(lambda ab: Trace(ab[0]) * ab[1]),
        st.tuples(children, children).map(lambda ab: Determinant(ID + ab[0]) * ab[1]),
        children.map(lambda x: sp.exp(t) * x),
        children.map(lambda x: sp.sin(t) * x),
        children.map(lambda x: t * x),
    )


EXPRS = st.recursive(_leaves(), _matrix_expr, max_leaves=5)


def _values(seed: int) -> dict:
    rng = np.random.default_rng(seed)
    out = {}
    for s in (A0, A1, B0, B1, F):
        g = rng.standard_normal((N, N))
        out[s] = 0.25 * g / np.linalg.norm(g, 2)  # spectral norm 1/4 by construction
    return out


def _at(expr, vals, tv):
    """``expr`` at time ``tv`` with A, B on their straight paths (E from its definition)."""
    env = {k: mpmath.matrix(v.tolist()) for k, v in vals.items()}
    env[A] = env[A0] + tv * env[A1]
    env[B] = env[B0] + tv * env[B1]
    env[t] = tv
    return evaluate(expr, env, declared=[EXP])


def _flat(v):
    return [v[i, j] for i in range(v.rows) for j in range(v.cols)] if isinstance(v, mpmath.matrix) else [v]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expr=EXPRS, seed=st.integers(0, 10**6), t0=st.floats(0.05, 0.5))
def test_time_derivative_matches_central_difference(expr, seed, t0):
    assume(expr.has(A) or expr.has(B) or expr.has(E))
    vals = _values(seed)
    with mpmath.workdps(DPS):
        tv = mpmath.mpf(t0)
        for inv in [e for e in sp.preorder_traversal(expr) if isinstance(e, Inverse)]:
            m = _at(inv.arg, vals, tv)
            cond = mpmath.mnorm(m, 1) * mpmath.mnorm(mpmath.inverse(m), 1)
            assert cond < 1e6  # well-conditioned by construction (leaves of norm <= 1/4)
        exact = _flat(_at(time_derivative(expr, RATES, time=t), vals, tv))
        h, k = mpmath.mpf(10) ** -12, mpmath.mpf(10) ** -3
        f = {s: _flat(_at(expr, vals, tv + s * h)) for s in (-1, 1)}
        fd = [(a - b) / (2 * h) for a, b in zip(f[1], f[-1])]
        # error of the central difference: h^2/6 |f'''| (truncation) + eps |f| / h (rounding); |f'''| is
        # estimated by the third difference at step k, with a factor 10 for its own truncation error
        g = {s: _flat(_at(expr, vals, tv + s * k)) for s in (-2, -1, 1, 2)}
        f3 = max(abs(g[2][i] - 2 * g[1][i] + 2 * g[-1][i] - g[-2][i]) / (2 * k**3) for i in range(len(fd)))
        scale = max([1, *(abs(x) for x in f[1])])
        tol = 10 * (h**2 / 6 * (f3 + 1) + mpmath.eps * scale / h)
        err = max(abs(a - b) for a, b in zip(exact, fd))
        assert err <= tol, (expr, float(err), float(tol))


# ------------------------------------------------------------------ the two unsound cases of issue 14
def test_trace_coefficient_is_differentiated():
    W = MatrixSymbol("W", N, N)
    d = time_derivative(Trace(W * W.T) * W, {W: -W})
    assert canonicalize(d + 3 * Trace(W * W.T) * W).is_zero()
    assert not canonicalize(d + Trace(W * W.T) * W).is_zero()  # the old, wrong answer


def test_exp_of_a_time_dependent_matrix_raises_unless_declared():
    with pytest.raises(NoDerivativeRuleError):
        time_derivative(sp.exp(A), {A: A1})
    with pytest.raises(NoDerivativeRuleError):
        time_derivative(sp.exp(F * t), {})  # depends on time through t
    d = time_derivative(E, EXP.rates())
    assert canonicalize(d - F * E).is_zero()


def test_fractional_power_raises_and_a_declared_sqrt_works():
    with pytest.raises(NoDerivativeRuleError):
        time_derivative(sp.MatPow(A, sp.Rational(1, 2)), {A: A1})
    R = MatrixSymbol("R", N, N)
    sq = matrix_sqrt(R, A, rate=None)
    with pytest.raises(NoDerivativeRuleError):  # no rate declared: never a silent zero
        time_derivative(R * B, {A: A1, **sq.rates()})
    assert canonicalize(R * R * B - A * B, rules=sq.rules).is_zero()


def test_declared_inverse_rate_uses_the_rate_of_its_argument():
    Minv = MatrixSymbol("Minv", N, N)
    inv = matrix_inverse(Minv, A)
    d = time_derivative(Minv, {A: A1, **inv.rates()})
    assert canonicalize(d + Minv * A1 * Minv).is_zero()


def test_determinant_follows_jacobi_formula():
    d = time_derivative(Determinant(A), {A: A1})
    assert sp.simplify(d - Determinant(A) * Trace(Inverse(A) * A1)) == 0


def test_commutation_never_loops_where_a_rule_does():
    S, T = MatrixSymbol("S", N, N), MatrixSymbol("T", N, N)
    with pytest.raises(RewriteLoopError):  # E F -> F E and its transpose F E -> E F for symmetric S, T
        canonicalize(S * T * S, symmetric=[S, T], rules=[RewriteRule(S * T, T * S)])
    assert canonicalize(S * T * S - S * S * T, symmetric=[S, T], commuting=[(S, T)]).is_zero()
    assert canonicalize(S * T - T * S, **facts([Commute(S, T)])).is_zero()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    expr=st.recursive(st.sampled_from([A, B, E, F, A.T, E.T, ID]), _matrix_expr, max_leaves=6),
    seed=st.integers(0, 10**6),
)
def test_canonical_form_has_the_value_of_the_expression(expr, seed):
    """Expansion, trace rotation and the E F = F E ordering never change the value (E = exp(F t) commutes with F)."""
    vals = _values(seed)
    normal = canonicalize(expr, commuting=[(E, F)]).as_expr()
    with mpmath.workdps(DPS):
        tv = mpmath.mpf("0.3")
        a, b = _flat(_at(expr, vals, tv)), _flat(_at(normal, vals, tv))
        scale = max([1, *(abs(x) for x in a)])
        # both sides are sums of at most a few hundred products of norm-<=1 factors: 1e3 eps of the scale
        assert max(abs(x - y) for x, y in zip(a, b)) <= 1e3 * mpmath.eps * scale


def test_canonical_form_of_every_short_product_has_its_value():
    """Every ordered product of two or three leaves, and E F = F E as the only commutation: a wrong
    ordering rule (e.g. letting A and B commute) changes the value of some product."""
    import itertools

    leaves = [A, B, E, F, A.T, E.T]
    vals = _values(7)
    with mpmath.workdps(DPS):
        tv = mpmath.mpf("0.3")
        for k in (2, 3):
            for word in itertools.product(leaves, repeat=k):
                expr = sp.MatMul(*word) + sp.Trace(sp.MatMul(*word)) * A
                normal = canonicalize(expr, commuting=[(E, F)]).as_expr()
                a, b = _flat(_at(expr, vals, tv)), _flat(_at(normal, vals, tv))
                assert max(abs(x - y) for x, y in zip(a, b)) <= 1e3 * mpmath.eps, word
