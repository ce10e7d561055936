"""A fast, sound "no" for zero tests: a scalar expression that is clearly non-zero at one admissible point is
not identically zero.

:func:`lazyrich.symbolic.is_zero` decides a scalar identity with ``expand`` and then ``simplify``; on an
expression that is *not* zero (a mutated statement, a wrong step) ``simplify`` can take minutes before it
gives up. :func:`certainly_nonzero` first evaluates the expression with ``evalf`` (mpmath, precision
tracked) at a few points that respect every symbol's assumptions (positive, negative, integer, even, odd,
...). A value far above the evaluation's own round-off proves the expression is not identically zero, and
only the answer "non-zero" is ever taken from it: an expression it cannot evaluate, or one that is small at
every point, goes on to the exact test.
"""

from __future__ import annotations

import random

import sympy as sp
from sympy.matrices.expressions import MatrixExpr

__all__ = ["certainly_nonzero"]

#: working digits of the evaluation; a value is "clearly non-zero" above 10**-(DIGITS // 2) of its terms' size
DIGITS = 40
POINTS = 3


def _value(sym: sp.Symbol, rng: random.Random):
    """A value admissible for every assumption of ``sym`` that this screen knows (None: unknown, do not screen)."""
    if sym.is_integer:
        k = rng.randint(2, 6)
        if sym.is_even:
            k = 2 * k
        elif sym.is_odd:
            k = 2 * k + 1
        return -k if sym.is_negative or sym.is_nonpositive else k
    if sym.is_zero:
        return 0
    # a rational with a small denominator, in [0.3, 2.3): admissible for real, complex, positive, nonzero...
    x = sp.Rational(rng.randint(30, 230), rng.choice((97, 101, 103)))
    if sym.is_negative or sym.is_nonpositive:
        return -x
    if sym.is_rational is False or sym.is_irrational or sym.is_algebraic is False or sym.is_transcendental:
        return None
    return x


def _magnitude(expr, subs, digits: int) -> float:
    """The size of the terms that could cancel in ``expr``: the largest absolute value of its additive terms."""
    terms = expr.args if isinstance(expr, sp.Add) else (expr,)
    best = 0.0
    for term in terms:
        v = complex(term.evalf(digits, subs=subs))
        best = max(best, abs(v))
    return best


def certainly_nonzero(expr, points: int = POINTS, digits: int = DIGITS, seed: int = 20261203) -> bool:
    """True only when ``expr`` (a scalar) is proven non-zero by its value at an admissible point.

    >>> x = sp.Symbol("x", positive=True)
    >>> certainly_nonzero(sp.sqrt(x**2) - x), certainly_nonzero(sp.sqrt(x**2) - 2 * x)
    (False, True)
    >>> n = sp.Symbol("n", integer=True)
    >>> certainly_nonzero((-1) ** (2 * n) - 1), certainly_nonzero((-1) ** n - 1)
    (False, True)
    """
    if not isinstance(expr, sp.Expr) or isinstance(expr, MatrixExpr) or (expr.is_number and expr == 0):
        return False
    if expr.atoms(sp.MatrixSymbol) or expr.atoms(sp.Derivative, sp.Integral, sp.Limit, sp.Subs, sp.Order):
        return False
    if any(isinstance(f, sp.core.function.AppliedUndef) for f in expr.atoms(sp.Function)):
        return False
    symbols = sorted(expr.free_symbols, key=sp.default_sort_key)
    if not all(isinstance(s, sp.Symbol) for s in symbols):
        return False
    rng = random.Random(seed)
    for _ in range(points):
        subs = {}
        for s in symbols:
            v = _value(s, rng)
            if v is None:
                return False
            subs[s] = v
        try:
            value = complex(expr.evalf(digits, subs=subs))
            scale = _magnitude(expr, subs, digits)
        except (TypeError, ValueError, ZeroDivisionError, OverflowError, ArithmeticError):
            continue  # not a number at this point (a pole, an unevaluated function): no evidence
        if not all(map(_finite, (value.real, value.imag, scale))):
            continue
        if abs(value) > 10.0 ** (-(digits // 2)) * max(1.0, scale):
            return True
    return False


def _finite(x: float) -> bool:
    return x == x and abs(x) != float("inf")
