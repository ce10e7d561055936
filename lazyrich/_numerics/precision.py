"""The one precision discipline of every ``dps=`` path (mpmath's ``autoprec`` habit).

A closed form written over :class:`~lazyrich._numerics.backend.MpmathScalar` (or the array namespace
:class:`~lazyrich._numerics.backend.Mpmath`) becomes an ``N``-correct-digits evaluation through
:func:`confirmed_mpmath`: the caller gives the guard digits the formula can lose at ``t`` (derived from
``t`` and the spectrum), the helper evaluates at two working precisions, accepts a value when both agree
to ``N + 3`` digits (:func:`agree`, the one agreement test), doubles the guard otherwise, stops at
:data:`MAX_WORKING_DPS` (the one limit) and returns the higher evaluation rounded to ``N`` digits.

The smallest accepted ``N`` is :data:`lazyrich._base.validation.MIN_DPS` (= 1): the lower working
precision is ``N + guard`` with ``guard >= 5`` and never below :data:`FLOOR_DPS` = 20 digits (> 53 bits,
so ``mpf(float)`` inputs are exact in both evaluations), the agreement test is relative to ``N``, and
the result is rounded to ``N`` digits; hence every ``N >= 1`` is meaningful.
"""

from __future__ import annotations

import mpmath

from .._base.errors import PrecisionError
from .._base.validation import as_digits

__all__ = ["FLOOR_DPS", "MAX_WORKING_DPS", "agree", "confirmed_mpmath", "rounded"]

#: The one working-precision limit (decimal digits) of every ``dps=`` path: beyond it, PrecisionError.
MAX_WORKING_DPS = 30_000
#: Smallest working precision (digits) of either evaluation: float inputs (53 bits) are then exact.
FLOOR_DPS = 20


def agree(lo, hi, dps: int) -> bool:
    """The one agreement test: ``max |lo - hi| <= 10^-(dps + 3) max |hi|`` (call at the higher precision).

    >>> with mpmath.workdps(40):
    ...     agree([mpmath.mpf(1)], [mpmath.mpf(1) + mpmath.mpf(10) ** -25], 20)
    True
    """
    scale = max((abs(x) for x in hi), default=mpmath.mpf(0))
    diff = max((abs(x - y) for x, y in zip(lo, hi)), default=mpmath.mpf(0))
    return bool(diff <= scale * mpmath.mpf(10) ** (-(dps + 3)))


def rounded(values, dps: int) -> list:
    """``values`` (mpf) rounded to ``dps`` significant digits."""
    with mpmath.workdps(dps):
        return [+x for x in values]


def confirmed_mpmath(prepare, items, dps: int, guard, max_dps: int = MAX_WORKING_DPS) -> list:
    r"""Values correct to ``dps`` significant digits, each confirmed by re-evaluation at a higher precision.

    Parameters
    ----------
    prepare : callable
        ``prepare()`` is called inside ``mpmath.workdps(wp)`` and returns ``evaluate(item) -> list of mpf``
        (so t-independent precomputation happens once per working precision).
    items : sequence
        What to evaluate (e.g. times); each is confirmed on its own.
    dps : int
        Requested significant digits (relative to the largest ``|value|`` of the item), ``>= 1``.
    guard : callable
        ``guard(item) -> int``: extra working digits, derived by the caller from ``t`` and the spectrum
        (the digits the formula can lose there).
    max_dps : int
        Largest working precision before :class:`PrecisionError` (:data:`MAX_WORKING_DPS`; smaller only in tests).

    Returns
    -------
    list
        Per item, the list of ``mpf`` (rounded to ``dps`` digits) from the higher of two working
        precisions ``wp = max(dps + guard, 20)`` and ``wp + max(10, wp // 2)`` that :func:`agree`;
        where they do not, the guard is doubled and the item re-evaluated.

    Examples
    --------
    >>> vals = confirmed_mpmath(lambda: (lambda x: [mpmath.exp(-x)]), [1, 50], 20, lambda x: 5)
    >>> [mpmath.nstr(v[0], 5) for v in vals]
    ['0.36788', '1.9287e-22']
    """
    dps = as_digits(dps)
    items = list(items)
    guards = [max(int(guard(x)), 5) for x in items]
    out: list = [None] * len(items)
    pending = list(range(len(items)))
    while pending:
        # items sharing a guard are evaluated together: one precomputation and one context per precision
        by_guard: dict = {}
        for i in pending:
            by_guard.setdefault(guards[i], []).append(i)
        retry = []
        for g, idx in by_guard.items():
            wp = max(dps + g, FLOOR_DPS)
            hi_wp = wp + max(10, wp // 2)
            if hi_wp > max_dps:
                raise PrecisionError(
                    f"could not confirm {dps} digits at {items[idx[0]]!r} below {max_dps} working digits; "
                    "the value is (numerically) zero or ill-conditioned there: ask for fewer digits or a smaller t"
                )
            with mpmath.workdps(wp):
                evaluate = prepare()
                lo = [list(evaluate(items[i])) for i in idx]
            with mpmath.workdps(hi_wp):
                evaluate = prepare()
                hi = [list(evaluate(items[i])) for i in idx]
                ok = [agree(u, v, dps) for u, v in zip(lo, hi)]
            for i, v, good in zip(idx, hi, ok):
                if good:
                    out[i] = rounded(v, dps)
                else:
                    guards[i] *= 2
                    retry.append(i)
        pending = retry
    return out
