r"""The Arb namespace: ball arithmetic (python-flint), enclosures and the automatic-precision driver.

Each closed form is evaluated by the *same* code as its float64/mpmath paths, with
``flint.arb`` balls as the numbers: Arb propagates a rigorous error bound through
every operation, so the returned ball is guaranteed to contain the exact value of the
closed form at the float inputs (taken as exact binary numbers). The working
precision is chosen automatically: it starts from the requested accuracy plus the
cancellation the formula is known to suffer, and doubles until the radius is below
``2^-bits`` relative to the value (or :class:`PrecisionError` past ``MAX_PREC`` bits).

The scalar closed forms (aligned, mixed, single neuron) are the very functions of their
float64/mpmath paths, called with :class:`ArbScalar` as the namespace and driven by
:func:`auto_precision`. The two-layer solution has its own engine
(:mod:`lazyrich._exact.two_layer_arb`): its stable form needs enclosures of the eigenvectors of ``F``
(or of its eigenspaces, for repeated task singular values, and of the kernels of the task for zero ones).
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass

import mpmath
import numpy as np

from .._base.errors import MissingDependencyError, PrecisionError
from .._base.validation import as_exact_scalar, as_scalar

__all__ = [
    "MAX_PREC",
    "ArbScalar",
    "Enclosure",
    "arb_matrix",
    "auto_precision",
    "exact_arb",
    "object_array",
    "require_flint",
]

#: Largest working precision (bits) before giving up.
MAX_PREC = 1 << 18


def require_flint():
    """Import python-flint (a core dependency) or raise :class:`MissingDependencyError` naming the package."""
    flint = sys.modules.get("flint")  # already imported (the common case): no import statement per call
    if flint is not None:
        return flint
    try:
        import flint
    except ImportError:  # pragma: no cover - exercised with flint hidden in tests
        raise MissingDependencyError(
            "certified (Arb) evaluation needs python-flint, a core dependency of lazyrich: pip install python-flint"
        ) from None
    return flint


def exact_arb(x):
    """A float (or mpmath ``mpf``) as an *exact* Arb ball (python-flint rounds floats to ``ctx.prec`` otherwise)."""
    flint = require_flint()
    if type(x) is float and math.isfinite(x) and flint.ctx.prec >= 53:
        return flint.arb(x)  # exact: a double has 53 bits (the common case, without the frexp round trip)
    if isinstance(x, mpmath.mpf):
        as_exact_scalar(x, "x")  # NaN and inf are refused (their man is 0 too)
        sign, man, exp, _ = x._mpf_
        if man == 0:
            return flint.arb(0)
        return flint.arb((flint.fmpz(-int(man) if sign else int(man)), int(exp)))  # man * 2^exp, exact
    if isinstance(x, flint.arb):
        return x
    man, exp = math.frexp(as_scalar(x, "x"))
    return flint.arb((flint.fmpz(int(math.ldexp(man, 53))), exp - 53))  # exact at any ctx.prec


def arb_matrix(a):
    """A float matrix as an exact ``flint.arb_mat`` (every entry taken exactly, as :func:`exact_arb` does)."""
    flint = require_flint()
    return flint.arb_mat([[exact_arb(v) for v in row] for row in np.asarray(a, dtype=float)])


def _upper(b) -> float:
    """A float >= every point of the (non-negative) ball ``b``."""
    return math.nextafter(float(b.upper()), math.inf)


@dataclass(frozen=True)
class Enclosure:
    """Rigorous balls around the exact values, with float views.

    Attributes
    ----------
    balls : ndarray of ``flint.arb``
        Each ball contains the exact value.
    prec : int
        Working precision (bits) that produced them.
    """

    balls: np.ndarray
    prec: int

    @property
    def mid(self) -> np.ndarray:
        """Midpoints rounded to float64."""
        return np.vectorize(lambda b: float(b.mid()), otypes=[float])(self.balls)

    @property
    def rad(self) -> np.ndarray:
        """Radii (upper bounds, float64): the exact value is within ``rad`` of the full-precision midpoint."""
        return np.vectorize(lambda b: _upper(b.rad()), otypes=[float])(self.balls)

    def take(self, index) -> Enclosure:
        """The enclosure of ``balls[index]`` (e.g. a slice of times)."""
        return Enclosure(self.balls[index], self.prec)

    def distance_bound(self, x) -> np.ndarray:
        """Certified upper bound on ``|x - exact|`` entrywise (``x`` float or mpf, same shape as ``balls``)."""
        xs = np.asarray(x, dtype=object).reshape(self.balls.shape)
        return np.vectorize(lambda v, b: _upper(abs(exact_arb(v) - b)), otypes=[float])(xs, self.balls)

    def within(self, x, bound=0.0) -> bool:
        """True iff every entry of ``x`` is *certainly* within ``bound`` (its stated error) of the exact value.

        Uses ``|x - exact| <= |x - mid| + rad``, so it is conservative: False when undecidable.
        """
        return bool(np.all(self.distance_bound(x) <= np.asarray(bound, dtype=float)))

    def contains(self, x, slack=0.0) -> bool:
        """True iff every entry of ``x`` (float or mpf, exact) lies in its ball widened by ``slack``."""
        flint = require_flint()
        xs = np.asarray(x, dtype=object).reshape(self.balls.shape)
        saved = flint.ctx.prec
        flint.ctx.prec = max(saved, self.prec)  # widening at a lower precision would round the midpoints
        try:
            widen = flint.arb(0, exact_arb(float(slack))) if slack else flint.arb(0)
            return all((b + widen).contains(exact_arb(v)) for v, b in zip(xs.flat, self.balls.flat))
        finally:
            flint.ctx.prec = saved


def auto_precision(evaluate, bits: int, start: int) -> Enclosure:
    """Certified driver shared by every closed form: run ``evaluate()`` (returns an object array of arb) at rising ``ctx.prec`` until radii <= 2^-bits * scale."""
    flint = require_flint()
    prec = max(start, bits + 32)
    saved = flint.ctx.prec
    try:
        while True:
            if prec > MAX_PREC:
                raise PrecisionError(
                    f"could not certify {bits} bits below {MAX_PREC} bits of working precision; "
                    "ask for fewer bits or a smaller t"
                )
            flint.ctx.prec = prec
            balls = evaluate()
            finite = all(b.is_finite() for b in balls.flat)
            if finite:
                scale = max(float(abs(b).upper()) for b in balls.flat)
                worst = max(float(b.rad()) for b in balls.flat)
                if worst <= math.ldexp(max(scale, 1e-300), -bits):
                    return Enclosure(balls, prec)
            prec *= 2
    finally:
        flint.ctx.prec = saved


def object_array(vals: list) -> np.ndarray:
    out = np.empty(len(vals), dtype=object)
    for i, v in enumerate(vals):
        out[i] = v
    return out


class ArbScalar:
    """Arb balls: the scalar namespace of the closed forms (same names as ``numpy`` / ``MpmathScalar``).

    ``mpf`` takes a float or ``mpf`` *exactly* (:func:`exact_arb`).
    """

    name = "arb"
    mpf = staticmethod(exact_arb)

    @staticmethod
    def exp(x):
        return x.exp()

    @staticmethod
    def expm1(x):
        return x.expm1()

    @staticmethod
    def sqrt(x):
        return x.sqrt()

    @staticmethod
    def hypot(a, b):
        return (a * a + b * b).sqrt()

    @staticmethod
    def root4(x):
        return x.root(4)

    @staticmethod
    def negligible_exp():
        """``(y0, e, prec)``: for every ``y < y0`` the ball ``e = [0 +- 2^-k]`` contains ``exp(y)``.

        ``k = prec + 32`` (``prec = ctx.prec``) and ``y0 = -(ceil(k log 2) + 1)``, an exact integer below
        ``-k log 2`` (the float product is within ``1e-10`` of it for every ``k`` used): decays far below the
        working precision are enclosed without an exponential each.
        """
        flint = require_flint()
        prec = flint.ctx.prec
        k = prec + 32
        bound = math.ldexp(1.0, -k) if k < 1000 else flint.arb((1, -k))  # 2^-k exactly (a radius rounds up)
        return flint.arb(-math.ceil(k * math.log(2.0)) - 1), flint.arb(0, bound), prec

    @staticmethod
    def fsum(xs):
        it = iter(xs)
        first = next(it, None)  # the sum starts from the first term (0 + x is exact: no conversion of a zero)
        return exact_arb(0.0) if first is None else sum(it, first)
