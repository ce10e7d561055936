r"""A derived error bound for the float64 evaluation of a scalar closed form: its rounding model, in Arb balls.

:func:`lazyrich.symbolic.evaluate` with ``arithmetic="float64"`` walks a SymPy expression node by node: an
``Add`` sums its arguments left to right, a ``Mul`` multiplies them left to right, an integer power is a
``**``, ``sqrt`` is ``numpy.sqrt`` and any other function its numpy ufunc. :func:`float64_model` walks the
same tree in Arb balls and, after every operation, widens the ball by the error that operation may commit in
float64 (IEEE 754: ``+ - * /`` and ``sqrt`` correctly rounded, relative error at most ``u = 2^-53``; NumPy's
transcendental ufuncs and ``pow`` within 4 ulp, NumPy 1.22 release notes on its SIMD/SVML loops, so relative
``4 * 2^-52``; plus ``2^-1074`` absolute per operation for gradual underflow). The resulting ball contains
both the exact value and every value the float64 evaluation can return, so its diameter is a certified,
*derived* upper bound on ``|float64 - exact|``: the classical running error analysis (Higham, Accuracy and
Stability of Numerical Algorithms (2002), Sec. 3.3), done rigorously instead of to first order. It grows with
the conditioning of the formula at the instance (cancellation in ``1 - x``, ``mu - lambda/2``), so it is large
exactly where float64 is inaccurate: it is never a window picked to pass.

For sums of products (traces, Frobenius norms) evaluated by BLAS in an unknown order, :func:`gamma` gives
Higham's order-independent constant ``gamma_n = n u / (1 - n u)`` (Higham (2002), Lemma 3.1, eq. (3.5)).
"""

from __future__ import annotations

import math

import numpy as np
import sympy as sp

from lazyrich.certified import exact_arb, require_flint
from lazyrich.symbolic import enclose, evaluate

from ..certify import BITS, inside, radius_measurement

__all__ = ["LIBM_ULPS", "UNIT_ROUNDOFF", "float64_model", "gamma", "model_bound", "scalar_certified"]

#: Unit roundoff of IEEE 754 binary64 (round to nearest).
UNIT_ROUNDOFF = 2.0**-53

#: Largest error, in ulp, of NumPy's float64 transcendental ufuncs and ``pow`` (NumPy 1.22 release notes).
LIBM_ULPS = 4

_TINY = 2.0**-1074


def gamma(n: int) -> float:
    """Higham's ``gamma_n = n u / (1 - n u)``: a sum or inner product of ``n`` terms errs by <= ``gamma_n sum|terms|``."""
    nu = n * UNIT_ROUNDOFF
    return math.nextafter(nu / (1 - nu), math.inf)


def _widen(ball, rel: float):
    flint = require_flint()
    err = exact_arb(rel) * abs(ball).upper() + exact_arb(_TINY)
    return ball + flint.arb(0, err.upper())


def float64_model(expr, values: dict):
    """Arb ball holding the exact value of the scalar ``expr`` and every float64 value of it (see the module).

    ``values`` maps each symbol to a float (taken exactly) or an int.
    """
    flint = require_flint()
    basic, libm = UNIT_ROUNDOFF, LIBM_ULPS * 2.0**-52
    cache: dict = {}

    def num(e):
        q = sp.Rational(e) if e.is_Rational or e.is_Float else None
        if q is not None:
            ball = flint.arb(int(q.p)) / int(q.q)
            exact = q.q == 1 or float(q) == q
        else:
            ball, exact = {sp.pi: flint.arb.pi(), sp.E: flint.arb(1).exp()}[e], False
        return ball if exact and abs(q.p) < 2**53 else _widen(ball, basic)

    def walk(e):
        if e in cache:
            return cache[e]
        if e.is_Number or e in (sp.pi, sp.E):
            out = num(e)
        elif isinstance(e, sp.Symbol):
            v = values[e]
            out = flint.arb(int(v)) if isinstance(v, int | np.integer) else exact_arb(float(v))
        elif isinstance(e, sp.Add | sp.Mul):
            args = [walk(a) for a in e.args]
            out = args[0]
            for b in args[1:]:
                out = _widen(out + b if isinstance(e, sp.Add) else out * b, basic)
        elif isinstance(e, sp.Pow):
            b, p = e.args
            if p == sp.Rational(1, 2):
                out = _widen(walk(b).sqrt(), basic)
            elif p.is_Integer:
                out = _widen(walk(b) ** int(p), libm)
            else:
                out = _widen(walk(b) ** walk(p), libm)
        elif isinstance(e, sp.Function):
            args = [walk(a) for a in e.args]
            out = _widen(getattr(args[0], type(e).__name__)(), libm)
        else:
            raise TypeError(f"float64_model: no rounding rule for {type(e).__name__} {e}")
        cache[e] = out
        return out

    return walk(sp.sympify(expr))


def model_bound(expr, values: dict) -> float:
    """The diameter of :func:`float64_model` (rounded up): a certified bound on ``|float64 - exact|``."""
    ball = float64_model(expr, values)
    return math.nextafter(float((2 * ball.rad()).upper()), math.inf)


def scalar_certified(expr, values: dict, what: str) -> list:
    """The float64 value of a scalar closed form (``evaluate``) within its rounding-model bound, and the radius.

    Two measurements: :func:`derivations.certify.inside` of the float64 value against the Arb enclosure of
    ``expr`` at ``values`` (:func:`lazyrich.symbolic.enclose`) with the bound :func:`model_bound`, and the
    enclosure's radius against ``2^-BITS`` of the value.
    """
    enc = enclose(expr, values, bits=BITS)
    got = float(evaluate(expr, values, arithmetic="float64"))
    return [
        inside(enc, got, model_bound(expr, values), f"{what} (float64)", "float64 rounding model (derived)"),
        radius_measurement(enc, max(abs(float(enc.mid)), 2.0**-1074), what),
    ]
