"""The Arb ball arithmetic of the statement interpreter and ``lazyrich.symbolic.enclose``.

The property test builds random statements from every operation the interpreter supports and
checks the Arb balls against an independent arithmetic: mpmath at 60 digits (about 199 bits).
The balls are computed at 100 bits: whenever one is not exact, its radius covers at least the
rounding of one operation at 100 bits, far above the mpmath error (the rounding at 199 bits times
the growth of these well-conditioned statements), and whenever it is exact the same operations are
exact at 199 bits; containment of the mpmath value is then what the ball guarantees, with no window
to pick. ``enclose`` may go far beyond 199 bits (a cancellation such as ``log(1 + x^2)`` at
``x = 1e-56``), so its enclosure is checked against the 100-bit ball: both contain the exact value,
so they must overlap.
"""

from __future__ import annotations

import math

import flint
import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from sympy.matrices.expressions import Adjoint, HadamardProduct, KroneckerProduct

from lazyrich import InvalidParameterError, LazyrichError, NonFiniteError, PrecisionError, ShapeError
from lazyrich.certified import exact_arb
from lazyrich.symbolic import (
    NoDerivativeRuleError,
    enclose,
    evaluate,
    matrix_exp,
    matrix_inverse,
    matrix_power,
    matrix_sqrt,
)

N = 2
x, y, t = sp.symbols("x y t")
A, B = sp.MatrixSymbol("A", N, N), sp.MatrixSymbol("B", N, N)
E, AINV, R = sp.MatrixSymbol("E", N, N), sp.MatrixSymbol("Ainv", N, N), sp.MatrixSymbol("R", N, N)
I2 = sp.Identity(N)
DECLARED = (matrix_exp(E, A, t, scale=sp.Rational(1, 4)), matrix_inverse(AINV, A), matrix_sqrt(R, A.T * A))


def _scalars(depth: int):
    leaves = st.sampled_from([x, y, sp.pi, sp.E, sp.Rational(3, 7), sp.Integer(-2)])
    if depth == 0:
        return leaves
    sub = _scalars(depth - 1)
    positive = sub.map(lambda s: 1 + s**2)
    return st.one_of(
        leaves,
        st.tuples(sub, sub).map(lambda p: p[0] + p[1]),
        st.tuples(sub, sub).map(lambda p: p[0] * p[1]),
        sub.map(lambda s: sp.exp(sp.tanh(s))),
        sub.map(sp.sinh),
        sub.map(sp.cosh),
        sub.map(sp.asinh),
        sub.map(sp.Abs),
        sub.map(lambda s: sp.atanh(sp.tanh(s) / 2)),
        positive.map(sp.log),
        positive.map(sp.sqrt),
        positive.map(lambda s: s ** sp.Rational(-2, 3)),
        _matrices(depth - 1).map(sp.Trace),
    )


def _matrices(depth: int):
    leaves = st.sampled_from([A, B, E, AINV, R, I2])
    if depth == 0:
        return leaves
    sub = _matrices(depth - 1)
    return st.one_of(
        leaves,
        st.tuples(sub, sub).map(lambda p: p[0] * p[1]),
        st.tuples(sub, sub).map(lambda p: p[0] + p[1]),
        st.tuples(_scalars(depth - 1), sub).map(lambda p: p[0] * p[1]),
        sub.map(lambda m: m.T),
        sub.map(lambda m: sp.Inverse(I2 + m.T * m)),  # symmetric, eigenvalues >= 1
        sub.map(lambda m: sp.MatPow(m, 2)),
        sub.map(lambda m: sp.MatPow(I2 + m.T * m, sp.Rational(1, 2))),
        sub.map(lambda m: sp.MatPow(I2 + m * m.T, sp.Rational(-3, 4))),
        st.just(sp.MatPow(A, -2)),
    )


def _dominant(data):
    """A 2x2 matrix with entries in [-1, 1] plus 3 I: diagonally dominant, condition number below 5."""
    return np.array(data).reshape(N, N) + 3 * np.eye(N)


_floats = st.floats(-1, 1, allow_nan=False, allow_subnormal=False)


def _mp(v):
    return np.array(v.tolist(), dtype=object) if isinstance(v, mpmath.matrix) else v


@settings(deadline=None)
@given(
    expr=st.one_of(_scalars(2), _matrices(2)),
    xy=st.tuples(_floats, _floats),
    a=st.lists(_floats, min_size=4, max_size=4),
    b=st.lists(_floats, min_size=4, max_size=4),
    tv=st.floats(0, 2, allow_nan=False),
)
def test_enclosure_contains_the_mpmath_value(expr, xy, a, b, tv):
    values = {x: xy[0], y: xy[1], t: tv, A: _dominant(a), B: np.array(b).reshape(N, N)}
    with mpmath.workdps(60):
        ref = _mp(evaluate(expr, values, declared=DECLARED, arithmetic="mpmath"))
    flint.ctx.prec = 100
    try:
        ball = evaluate(expr, values, declared=DECLARED, arithmetic="arb")
    finally:
        flint.ctx.prec = 53
    balls = ball.entries() if isinstance(ball, flint.arb_mat) else [ball]
    assert all(b.contains(exact_arb(r)) for b, r in zip(balls, np.asarray(ref, dtype=object).flat, strict=True))
    enc = enclose(expr, values, declared=DECLARED, bits=64)
    assert all(e.overlaps(b) for e, b in zip(enc.balls.flat, balls, strict=True))
    scale = float(np.max(np.abs(enc.mid)))
    assert np.all(enc.rad <= math.ldexp(max(scale, 1e-300), -64))


def test_float64_value_within_its_rounding_bound_of_the_enclosure():
    """A product of exact inputs: the float64 value is within the classical ``n u |A||B|`` bound (Higham (2002), eq. (3.13))."""
    a = np.array([[0.1, 0.7], [1e-3, 3.0]])
    b = np.array([[2.0, -0.3], [0.25, 1e5]])
    enc = enclose(A * B, {A: a, B: b}, bits=80)
    u = 2.0**-53
    bound = N * u / (1 - N * u) * (np.abs(a) @ np.abs(b))
    assert enc.within(a @ b, bound)
    assert not enc.within(a @ b + 4 * bound, bound)


def test_scalars_and_matrices_match_the_direct_arb_routines():
    flint.ctx.prec = 200
    try:
        m = evaluate(sp.exp(x) * I2 + A.T * A, {x: 0.5, A: [[1, 2], [3, 4]]}, arithmetic="arb")
        assert isinstance(m, flint.arb_mat)
        assert m[0, 0].overlaps(flint.arb(0.5).exp() + 10) and m[0, 1].overlaps(flint.arb(14))
        ex = evaluate(E, {t: 1.0, A: [[0, 1], [1, 0]]}, declared=DECLARED, arithmetic="arb")
        assert ex[0, 0].overlaps(flint.arb(0.25).cosh()) and ex[0, 1].overlaps(flint.arb(0.25).sinh())
        det = evaluate(sp.Determinant(A) + sp.Trace(A) + A[1, 0], {A: [[1, 2], [3, 4]]}, arithmetic="arb")
        assert det.overlaps(flint.arb(-2 + 5 + 3))
        assert evaluate(sp.pi * sp.E, {}, arithmetic="arb").overlaps(flint.arb.pi() * flint.arb(1).exp())
    finally:
        flint.ctx.prec = 53


@pytest.mark.parametrize(
    ("expr", "error"),
    [
        (HadamardProduct(A, B), NoDerivativeRuleError),
        (KroneckerProduct(A, B), NoDerivativeRuleError),
        (A[0:1, :], NoDerivativeRuleError),
        (Adjoint(A), NoDerivativeRuleError),
        (sp.floor(x), NoDerivativeRuleError),
        (sp.gamma(x), NoDerivativeRuleError),
        (sp.sign(x), NoDerivativeRuleError),
        (sp.Max(x, y), InvalidParameterError),
        (sp.I * x, InvalidParameterError),
        (sp.EulerGamma * x, InvalidParameterError),
        (sp.MatPow(A, sp.Rational(1, 3)), InvalidParameterError),
        (sp.Symbol("z") + x, InvalidParameterError),
    ],
)
def test_every_unsupported_node_raises_a_typed_error(expr, error):
    with pytest.raises(error):
        evaluate(expr, {x: 1.0, y: 2.0, A: np.eye(N) * 2, B: np.eye(N)}, arithmetic="arb")


def test_square_roots_of_symmetric_positive_definite_matrices():
    spd = np.array([[4.0, 1.0, 0.0], [1.0, 3.0, 1.0], [0.0, 1.0, 2.0]])
    M, P = sp.MatrixSymbol("M", 3, 3), sp.MatrixSymbol("P", 3, 3)
    declared = [matrix_sqrt(P, M)]
    prec = 200
    flint.ctx.prec = prec
    try:
        residual = evaluate(P * P - M, {M: spd}, declared=declared, arithmetic="arb")
    finally:
        flint.ctx.prec = 53
    # not vacuous: the radius is "equal to working precision", eps**0.8 at 2^-prec relative to |M| (mp_tolerance's rule)
    rad_bound = 2.0 ** (-0.8 * prec) * float(np.abs(spd).max())
    assert all(b.contains(0) and float(b.rad()) <= rad_bound for b in residual.entries())
    enc = enclose(sp.MatPow(M, sp.Rational(-3, 4)), {M: spd}, bits=120)
    with mpmath.workdps(80):
        ref = mpmath.powm(mpmath.matrix(spd.tolist()), mpmath.mpf(-3) / 4)
        assert enc.contains(np.array(ref.tolist(), dtype=object))
    with pytest.raises(InvalidParameterError, match="symmetric"):
        evaluate(P, {M: np.triu(spd)}, declared=declared, arithmetic="arb")
    with pytest.raises(PrecisionError, match="positive definite"):
        evaluate(P, {M: spd - 3 * np.eye(3)}, declared=declared, arithmetic="arb")


def test_a_fractional_declared_power_raises_a_typed_error():
    P = sp.MatrixSymbol("P", N, N)
    with pytest.raises(InvalidParameterError):
        evaluate(P, {A: np.eye(N) * 2}, declared=[matrix_power(P, A, sp.Rational(1, 3))], arithmetic="arb")


@pytest.mark.parametrize(
    ("expr", "value"),
    [
        (sp.sqrt(x), flint.arb(0, 1e-10)),
        (sp.log(x), flint.arb(0, 1e-10)),
        (sp.log(x), -1.0),
        (1 / x, flint.arb(0, 1e-10)),
        (sp.atanh(x), 1.0),
    ],
)
def test_a_ball_that_is_not_finite_raises_precision_error_naming_the_node(expr, value):
    with pytest.raises(PrecisionError, match=str(expr).replace("(", r"\(").replace(")", r"\)")):
        evaluate(expr, {x: value}, arithmetic="arb")
    with pytest.raises(PrecisionError, match="last failure"):
        enclose(expr, {x: value})


def test_a_matrix_not_certainly_invertible_raises_precision_error():
    with pytest.raises(PrecisionError, match="invertible"):
        evaluate(sp.Inverse(A), {A: [[1, 2], [2, 4]]}, arithmetic="arb")


def test_enclose_resolves_cancellation():
    bits = 100
    enc = enclose((x + y) ** 2 - y**2, {x: "1e-30", y: 1})
    assert enc.balls.shape == ()
    assert float(enc.mid) == 2e-30
    assert enc.rad <= math.ldexp(2e-30, -bits)
    exact = flint.arb("1e-30") * (2 + flint.arb("1e-30"))
    assert enc.balls[()].overlaps(exact)


def test_enclose_matrix_and_declared():
    a = np.array([[2.0, 1.0], [0.0, 0.5]])
    enc = enclose(A.T * AINV * A + E, {A: [[2.0, 1.0], [0.0, "0.5"]], t: 0.0}, declared=DECLARED, bits=120)
    assert enc.balls.shape == (N, N)
    assert enc.contains(a.T + np.eye(N))  # A^T A^{-1} A + exp(0) = A^T + I, and "0.5" is read exactly
    assert not enc.contains(a + np.eye(N))


@pytest.mark.parametrize(
    ("values", "error"),
    [
        ({x: float("nan")}, NonFiniteError),
        ({x: math.inf}, NonFiniteError),
        ({x: mpmath.mpf("nan")}, NonFiniteError),
        ({x: "inf"}, NonFiniteError),
        ({x: flint.arb.nan()}, NonFiniteError),
        ({x: 1 + 2j}, InvalidParameterError),
        ({x: mpmath.mpc(1, 2)}, InvalidParameterError),
        ({x: "1+2j"}, InvalidParameterError),
        ({x: "abc"}, InvalidParameterError),
        ({x: True}, InvalidParameterError),
        ({x: [1.0, 2.0]}, ShapeError),
        ({A: [[1.0, 2.0, 3.0]]}, ShapeError),
        ({A: flint.arb_mat(3, 3)}, ShapeError),
        ({A: np.array([[1j, 0], [0, 1]])}, InvalidParameterError),
        ({A: [[1.0, float("nan")], [0, 1]]}, NonFiniteError),
        ({A: np.array([[1.0, np.inf], [0, 1]])}, NonFiniteError),
        ({A: [[1.0, 2j], [0, 1]]}, InvalidParameterError),
    ],
)
def test_bad_inputs_raise_typed_errors(values, error):
    expr = x if x in values else sp.Trace(A)
    with pytest.raises(error):
        evaluate(expr, values, arithmetic="arb")
    with pytest.raises(LazyrichError):
        enclose(expr, values)


@pytest.mark.parametrize("bits", [0, -1, 2.5, True, "100"])
def test_enclose_refuses_bad_bits(bits):
    with pytest.raises(InvalidParameterError):
        enclose(x, {x: 1.0}, bits=bits)


def test_unknown_arithmetic_is_refused():
    with pytest.raises(InvalidParameterError, match="arb"):
        evaluate(x, {x: 1.0}, arithmetic="interval")


def test_symbolic_dimensions_and_declared_exponential():
    n = sp.Symbol("n", integer=True, positive=True)
    F, Ex = sp.MatrixSymbol("F", n, n), sp.MatrixSymbol("Ex", n, n)
    f = np.diag([1.0, 2.0, 3.0])
    enc = enclose(sp.Trace(Ex * F.T) * sp.Identity(n), {F: f, t: 0.5}, declared=[matrix_exp(Ex, F, t)], dims={n: 3})
    exact = sum((flint.arb(k) / 2).exp() * k for k in (1, 2, 3))
    assert enc.balls.shape == (3, 3) and all(enc.balls[i, i].overlaps(exact) for i in range(3))
    assert enc.contains(np.zeros((3, 3)), slack=0.0) is False and enc.balls[0, 1].is_zero()
