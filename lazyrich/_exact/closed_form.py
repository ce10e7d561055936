"""The one interface every exact solution implements: :class:`ClosedForm`.

Each closed form is written once over a numeric namespace (``numpy`` for float64,
:class:`~lazyrich._numerics.backend.MpmathScalar` for mpmath, :class:`~lazyrich._numerics.arb.ArbScalar`
for Arb balls). A subclass supplies

* :meth:`ClosedForm.stable_evaluator` (and :meth:`ClosedForm.direct_evaluator` where the paper has a
  direct form): ``digits -> (t -> flat list of values)``, float64 for ``digits=None``, else mpmath at the
  current working precision;
* :meth:`ClosedForm.arb_evaluator`: the same formula on Arb balls (or override :meth:`ClosedForm.certified`);
* :meth:`ClosedForm.guard_digits`: the working digits the stable form can lose at ``t`` (and, where the
  certified form cancels, :meth:`ClosedForm.certified_bits`);
* :meth:`ClosedForm.error_scale` and :attr:`ClosedForm.description`;

and inherits the drivers: :meth:`ClosedForm.stable` / :meth:`ClosedForm.direct` at exactly ``N``
working digits (no confirmation: what the stability report needs), :meth:`ClosedForm.confirmed`
(``dps=N``: ``N`` correct digits via :func:`lazyrich._numerics.precision.confirmed_mpmath`) and
:meth:`ClosedForm.certified` (:func:`lazyrich._numerics.arb.auto_precision`).
"""

from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod
from collections.abc import Callable

import mpmath
import numpy as np

from .._base.errors import InvalidParameterError, LazyrichError
from .._base.validation import as_bits, as_digits, as_time_grid
from .._numerics.arb import Enclosure, auto_precision, exact_arb
from .._numerics.precision import confirmed_mpmath

__all__ = ["BREAKDOWNS", "ClosedForm"]

#: What a form raises where it breaks down (overflow, singular bracket, lost definiteness, ...).
BREAKDOWNS = (LazyrichError, ArithmeticError, np.linalg.LinAlgError, ValueError)

Evaluator = Callable[[object], list]


class ClosedForm(ABC):
    """An exact solution written once over a numeric namespace (float64, mpmath, Arb).

    Values are *flat* per time: a list of numbers (one for a singular value, ``d`` for the single
    neuron's ``beta``, ``n^2`` for the two-layer ``QQ^T``).
    """

    #: One line: what the values are and which paper item they solve.
    description: str = ""

    # ------------------------------------------------------------------ what a closed form supplies
    @abstractmethod
    def stable_evaluator(self, digits: int | None) -> Evaluator:
        """``t -> values`` of the stable form: float64 (``digits=None``) or mpmath at the current precision.

        Called inside ``mpmath.workdps(digits)``; ``t`` may be a float, an ``mpf`` or a decimal string.
        t-independent precomputation happens here, once.
        """

    def direct_evaluator(self, digits: int | None) -> Evaluator | None:
        """``t -> values`` of the paper's direct form (as :meth:`stable_evaluator`); ``None``: there is none."""
        return None

    def arb_evaluator(self) -> Evaluator:
        """``t -> values`` of the stable form on Arb balls at the current ``flint.ctx.prec``."""
        raise NotImplementedError(f"{type(self).__name__} overrides certified() instead")

    def certified_bits(self, t, bits: int) -> int:
        """Working bits the certified evaluation starts from at time ``t`` (default ``bits + 64``: no cancellation)."""
        return bits + 64

    @abstractmethod
    def guard_digits(self, t) -> int:
        """Working digits the stable form can lose at time ``t`` (the ``dps=`` paths add them)."""

    @abstractmethod
    def error_scale(self, values):
        """The scale errors at one time are relative to, from the exact ``values`` there."""

    # ------------------------------------------------------------------ inherited drivers
    @property
    def has_direct(self) -> bool:
        """True if the paper's direct form is implemented (:meth:`direct`)."""
        return type(self).direct_evaluator is not ClosedForm.direct_evaluator

    def stable(self, ts, digits: int | None = None) -> list:
        """The stable form at each time: float64 (``digits=None``) or mpmath at exactly ``digits`` working digits.

        No guard digits and no confirmation. Returns one flat list per time, ``None`` where the form
        broke down (raised, or returned a non-finite value). ``ts``: a time or 1-D grid of finite
        times ``>= 0`` (``mpf`` and decimal-string entries are kept as given).
        """
        return _values(self.stable_evaluator, _times(ts), digits)

    def direct(self, ts, digits: int | None = None) -> list:
        """The paper's direct form, as :meth:`stable` (kept to show where it fails)."""
        if not self.has_direct:
            raise InvalidParameterError(f"{type(self).__name__} has no direct form; use stable()")
        return _values(self.direct_evaluator, _times(ts), digits)

    def confirmed(self, ts, dps: int, make: Callable[[int], Evaluator] | None = None) -> list:
        """Values correct to ``dps`` digits at each time (``make``: the evaluator factory, default the stable form).

        One guard for all times, from the largest (:meth:`guard_digits`): the t-independent part is then
        computed at two precisions only; :func:`~lazyrich._numerics.precision.confirmed_mpmath` raises it
        where the two evaluations disagree.
        """
        ts = _times(ts)
        dps = as_digits(dps)
        make = make or self.stable_evaluator
        guard = self.guard_digits(max(float(mpmath.mpf(x)) for x in ts))
        return confirmed_mpmath(lambda: make(mpmath.mp.dps), ts, dps, lambda _: guard)

    def certified(self, t, bits: int = 100, make: Callable[[], Evaluator] | None = None) -> Enclosure:
        """Arb enclosure of the stable form at each time: balls of shape ``(T, k)`` (radius <= ``2^-bits`` relative).

        ``make``: the Arb evaluator factory (default :meth:`arb_evaluator`), e.g. one with more quantities.
        """
        grid, _ = as_time_grid(t)
        bits = as_bits(bits)
        make = make or self.arb_evaluator

        def evaluate():
            at = make()
            rows = [at(exact_arb(x)) for x in grid]
            out = np.empty((len(rows), len(rows[0])), dtype=object)
            for i, row in enumerate(rows):
                for j, v in enumerate(row):
                    out[i, j] = v
            return out

        return auto_precision(evaluate, bits, self.certified_bits(float(grid.max()), bits))


def _times(ts) -> list:
    """``ts`` as a list of finite times ``>= 0`` (a scalar is one time; ``mpf`` and decimal strings kept exact)."""
    return as_time_grid(ts, "ts", exact=True)[0]


def _finite(v) -> bool:
    return bool(mpmath.isfinite(v))


def _values(make: Callable[[int | None], Evaluator | None], ts, digits: int | None) -> list:
    digits = None if digits is None else as_digits(digits, "digits")
    ctx = contextlib.nullcontext() if digits is None else mpmath.workdps(int(digits))
    with ctx, np.errstate(all="ignore"):
        try:
            at = make(digits)
        except BREAKDOWNS:
            return [None] * len(ts)
        out = []
        for t in ts:
            try:
                vals = list(at(t))
            except BREAKDOWNS:
                vals = None
            out.append(vals if vals is not None and all(_finite(v) for v in vals) else None)
        return out
