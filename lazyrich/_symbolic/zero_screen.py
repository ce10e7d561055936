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

import numpy as np
import sympy as sp

from .._base.errors import InvalidParameterError
from .._base.validation import as_digits, positive_int
from .inputs import as_sympy

__all__ = ["MAX_POINTS", "certainly_nonzero", "nonzero_screen"]

#: working digits of the evaluation; a value is "clearly non-zero" above 10**-(DIGITS // 2) of its terms' size
DIGITS = 40
POINTS = 3
#: Most points one screen may try: each costs two ``evalf`` calls, and a screen is meant to be cheap beside the
#: exact test it precedes; a larger request is a typo or a runaway loop, refused before any evaluation.
MAX_POINTS = 1000


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
    r"""True only when the scalar ``expr`` is proven non-zero by its value at an admissible point.

    A fast, one-sided screen before an exact zero test (:func:`lazyrich.symbolic.is_zero` runs it before
    ``simplify``, which can take minutes on an expression that is not zero). At each of ``points`` points that
    respect every symbol's assumptions (positive, negative, integer, even, odd, ...), ``expr`` and each of its
    additive terms :math:`e_k` are evaluated with ``evalf`` at ``digits`` working digits (mpmath, accuracy
    tracked), and the answer is True as soon as

    .. math::
        |e(p)| > 10^{-\lfloor d/2 \rfloor}\,\max\big(1, \max_k |e_k(p)|\big),

    a value far above the evaluation's own round-off (``d`` = ``digits``): then ``expr`` is not identically zero.
    Only this answer is ever taken from the screen; False means "no evidence", never "zero". The screen is not a
    statement of a paper: it decides which expressions go on to the exact test.

    Parameters
    ----------
    expr : sympy.Expr or number
        A scalar expression (complex values allowed). A symbol whose assumptions the screen cannot honour
        (e.g. ``irrational``), an undefined function, a derivative, integral or limit, or an expression holding
        ``oo``/``nan`` gives False (no point is evaluated). A matrix expression is refused: use ``is_zero``.
    points : int
        Number of admissible points tried, ``1 <= points <= MAX_POINTS`` (two ``evalf`` calls each).
    digits : int
        Working decimal digits of ``evalf``, ``2 <= digits <= max_dps()`` (``LAZYRICH_MAX_DPS``, default 10000):
        the margin :math:`10^{-\lfloor d/2\rfloor}` needs at least one digit.
    seed : int
        Seed of the points (``random.Random``): the same seed gives the same points and the same answer.

    Returns
    -------
    bool
        True: ``expr`` is not identically zero (it is clearly non-zero at an admissible point). False: the screen
        found no such point.

    Raises
    ------
    InvalidParameterError
        ``expr`` is not a SymPy expression or a number (a string, ``None``, a list, a ``bool``) or is a matrix;
        or not a scalar expression (an equation); ``points``, ``digits`` or ``seed`` is not an integer (a ``bool``,
        a float, a string) or out of range.

    Examples
    --------
    >>> x = sp.Symbol("x", positive=True)
    >>> certainly_nonzero(sp.sqrt(x**2) - x), certainly_nonzero(sp.sqrt(x**2) - 2 * x)
    (False, True)
    >>> n = sp.Symbol("n", integer=True)
    >>> certainly_nonzero((-1) ** (2 * n) - 1), certainly_nonzero((-1) ** n - 1)
    (False, True)
    >>> certainly_nonzero(3), certainly_nonzero(sp.exp(sp.I * sp.pi) + 1)
    (True, False)
    >>> certainly_nonzero("x - 1")
    Traceback (most recent call last):
    ...
    lazyrich._base.errors.InvalidParameterError: expr must be a scalar SymPy expression or a number; got str 'x - 1'
    """
    expr = as_sympy(expr, "expr", scalar=True)
    if not isinstance(expr, sp.Expr):  # e.g. an equation or a tuple: no value to screen
        raise InvalidParameterError(f"expr must be a scalar SymPy expression; got {type(expr).__name__} {expr!s:.60}")
    points = positive_int(points, "points")
    if points > MAX_POINTS:
        raise InvalidParameterError(f"points={points} is above the limit MAX_POINTS={MAX_POINTS}; pass fewer points")
    digits = positive_int(digits, "digits", minimum=2)
    as_digits(digits, "digits")  # the upper limit of every mpmath evaluation (max_dps)
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)):
        raise InvalidParameterError(f"seed must be an integer; got {type(seed).__name__} {seed!r:.60}")
    return nonzero_screen(expr, points, digits, int(seed))


def nonzero_screen(expr, points: int = POINTS, digits: int = DIGITS, seed: int = 20261203) -> bool:
    """:func:`certainly_nonzero` without its input checks, for the calculus's own coefficients: anything that is
    not a scalar expression (a matrix, an equation) is simply "no evidence" (False)."""
    if not isinstance(expr, sp.Expr) or isinstance(expr, sp.MatrixExpr) or (expr.is_number and expr == 0):
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
