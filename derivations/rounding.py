r"""A derived bound on the float64 error of a closed form: its rounding model, run rigorously in Arb balls.

The certified checks of every paper package that evaluate a scalar formula in float64 bound its error with this model.

The float64 evaluation is :func:`lazyrich.symbolic.evaluate` with ``arithmetic="float64"`` (:func:`float64_value`):
it walks the SymPy tree node by node, an ``Add`` summing its arguments left to right, a ``Mul`` multiplying them
left to right, a power ``x ** p`` by ``**`` (``pow`` of the C library or numpy), ``sqrt`` by ``numpy.sqrt`` and every
other function by its numpy ufunc. :func:`float64_model` walks the *same* tree in Arb balls: each node's exact
operation on its children's balls is :func:`lazyrich.symbolic.evaluate` with ``arithmetic="arb"`` (the two
arguments of a ``+`` or ``*`` step directly), and the result is then widened by the most that operation can err
in float64:

* ``+ - * /`` and ``sqrt`` (every step of an ``Add`` or ``Mul``, ``x ** (1/2)``) are correctly rounded in IEEE 754
  (round to nearest): relative error at most ``u = 2^-53`` (:data:`UNIT_ROUNDOFF`);
* every libm call (``x ** p`` through ``pow`` for any other ``p``, ``exp``, ``log``, ``asinh``, ``atanh``, ``tanh``,
  ...) within :data:`LIBM_ULPS` ``= 4`` ulp, i.e. relative ``4 * 2^-52``: numpy's float64 ufuncs are either its
  SVML loops (max. 4 ulp, NumPy 1.22.0 release notes, "Vectorize umath module using AVX-512") or glibc's libm, whose
  table lists at most 2 ulp on x86_64 for ``exp``, ``log``, ``pow`` and the hyperbolic functions and their inverses
  (GNU C Library manual, Sec. 19.7 "Known Maximum Errors in Math Functions");
* ``Abs`` is exact (charged nothing); a negation ``-1 * x``, exact too, is charged as a product (conservative);
* a constant that is not a binary64 number (``1/3``, ``pi``, a decimal) is one rounding, ``u``;
* gradual underflow adds an absolute ``k * 2^-1074`` to an operation of ``k`` ulp (``k = 1`` for a correctly
  rounded one: the subnormal spacing bounds its absolute error; :data:`UNDERFLOW`); overflow is not modelled (an
  infinite float64 value fails the comparison).

The resulting ball contains the exact value and every value the float64 evaluation can return, so its diameter is a
certified, *derived* upper bound on ``|float64 - exact|`` (:func:`model_bound`): the running error analysis of
Higham, *Accuracy and Stability of Numerical Algorithms*, 2nd ed. (2002), Sec. 3.3, done rigorously in interval
arithmetic (no first-order truncation, no safety factor). It grows with the conditioning of the formula at the
instance (cancellation in ``1 - x``, ``kappa - delta``), so it is large exactly where float64 is inaccurate.

For sums of products (traces, Frobenius norms) evaluated by BLAS in an unknown order, :func:`gamma` gives Higham's
order-independent constant ``gamma_n = n u / (1 - n u)`` (Higham (2002), Lemma 3.1, eq. (3.5)).
"""

from __future__ import annotations

import math

import numpy as np
import sympy as sp

from lazyrich.certified import exact_arb, require_flint
from lazyrich.symbolic import enclose, evaluate

from .certify import BITS, inside, radius_measurement

__all__ = [
    "LIBM_ULPS",
    "ROUNDING_FROM",
    "UNDERFLOW",
    "UNIT_ROUNDOFF",
    "float64_measurement",
    "float64_model",
    "float64_value",
    "gamma",
    "model_bound",
    "scalar_certified",
]

#: Unit roundoff of IEEE 754 binary64 (round to nearest).
UNIT_ROUNDOFF = 2.0**-53

#: Largest error, in ulp, charged to one float64 libm call (numpy ufunc or ``pow``; module docstring).
LIBM_ULPS = 4

#: Spacing of the subnormal float64 numbers: the absolute error of one ulp under gradual underflow.
UNDERFLOW = 2.0**-1074

#: What the bound of :func:`model_bound` is, as a measurement states it.
ROUNDING_FROM = "float64 rounding model (derived: u per + - * / sqrt, 4 ulp per libm call, in Arb)"

#: Functions that float64 evaluates exactly (no rounding).
_EXACT_FUNCTIONS = ("Abs",)


def gamma(n: int) -> float:
    """Higham's ``gamma_n = n u / (1 - n u)``: a sum or inner product of ``n`` terms errs by <= ``gamma_n sum|terms|``."""
    nu = n * UNIT_ROUNDOFF
    return math.nextafter(nu / (1 - nu), math.inf)


def _widen(ball, ulps: float):
    """``ball`` widened by ``ulps`` ulp of its largest point (``ulps = 1/2``: a correctly rounded operation)."""
    flint = require_flint()
    err = exact_arb(2 * ulps * UNIT_ROUNDOFF) * abs(ball).upper() + exact_arb(max(ulps, 1.0) * UNDERFLOW)
    return ball + flint.arb(0, err.upper())


def _exact_node(func, args: list, *fixed):
    """``func(*args, *fixed)`` exactly, on the balls ``args`` (``fixed``: SymPy numbers), by
    :func:`lazyrich.symbolic.evaluate` in Arb."""
    dummies = [sp.Dummy() for _ in args]
    return evaluate(func(*dummies, *fixed, evaluate=False), dict(zip(dummies, args)), arithmetic="arb")


def float64_model(expr, values: dict):
    """Arb ball holding the exact value of the scalar ``expr`` and every float64 value of it (module docstring).

    ``values`` maps each symbol to a float (taken exactly) or an int; the balls are computed at the current
    ``flint.ctx.prec``.
    """
    flint = require_flint()
    cache: dict = {}

    def walk(e):
        if e in cache:
            return cache[e]
        if e.is_Number or e in (sp.pi, sp.E):
            out = evaluate(e, {}, arithmetic="arb")
            if not (e.is_Rational or e.is_Float) or sp.Rational(float(e)) != sp.Rational(e):
                out = _widen(out, 0.5)  # not a binary64 number: one rounding
        elif isinstance(e, sp.Symbol):
            v = values[e]
            out = flint.arb(int(v)) if isinstance(v, int | np.integer) else exact_arb(float(v))
        elif isinstance(e, sp.Add | sp.Mul):
            args = [walk(a) for a in e.args]
            out = args[0]
            for b in args[1:]:
                out = _widen(out + b if isinstance(e, sp.Add) else out * b, 0.5)
        elif isinstance(e, sp.Pow):
            b, p = e.args
            if p.is_Integer or p == sp.S.Half:  # float64 uses the exact exponent
                out = _widen(_exact_node(sp.Pow, [walk(b)], p), 0.5 if p == sp.S.Half else LIBM_ULPS)
            else:  # float64 uses fl(p): the exponent's ball holds both
                out = _widen(_exact_node(sp.Pow, [walk(b), walk(p)]), LIBM_ULPS)
        elif isinstance(e, sp.Function):
            exact = _exact_node(e.func, [walk(a) for a in e.args])
            out = exact if type(e).__name__ in _EXACT_FUNCTIONS else _widen(exact, LIBM_ULPS)
        else:
            raise TypeError(f"float64_model: no rounding rule for {type(e).__name__} {e}")
        cache[e] = out
        return out

    return walk(sp.sympify(expr))


def model_bound(expr, values: dict) -> float:
    """The diameter of :func:`float64_model` (rounded up): a certified bound on ``|float64 - exact|``."""
    ball = float64_model(expr, values)
    return math.nextafter(float((2 * ball.rad()).upper()), math.inf)


def float64_value(expr, values: dict) -> float:
    """The float64 evaluation that :func:`float64_model` is about (:func:`lazyrich.symbolic.evaluate`)."""
    return float(evaluate(expr, values, arithmetic="float64"))


def float64_measurement(enc, expr, values: dict, what: str):
    """:func:`derivations.certify.inside`: :func:`float64_value` of ``expr`` within :func:`model_bound` of ``enc``."""
    return inside(enc, float64_value(expr, values), model_bound(expr, values), f"{what} (float64)", ROUNDING_FROM)


def scalar_certified(expr, values: dict, what: str) -> list:
    """The float64 value of a scalar closed form within its rounding-model bound, and the enclosure's radius.

    Two measurements: :func:`float64_measurement` against the Arb enclosure of ``expr`` at ``values``
    (:func:`lazyrich.symbolic.enclose`), and that enclosure's radius against ``2^-BITS`` of the value.
    """
    enc = enclose(expr, values, bits=BITS)
    return [
        float64_measurement(enc, expr, values, what),
        radius_measurement(enc, max(abs(float(enc.mid)), UNDERFLOW), what),
    ]
