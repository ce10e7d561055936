r"""``N`` certified significant digits from Arb balls: the ``dps=N`` driver of the scalar closed forms.

A closed form written over :class:`~lazyrich._numerics.arb.ArbScalar` is evaluated once per item at a
working precision that starts from the accuracy asked for plus the bits the caller knows the formula
loses (e.g. ``log2(1 + rate t)`` for an exponent); an item is accepted when every ball is finite and
its radius is below ``10**-N`` times a *lower* bound of the item's scale (the largest ``|value|`` of the
item, or each value itself with ``per_value=True``), both compared in ball arithmetic, so the test itself
is rigorous. Items that fail are re-evaluated at twice the precision (up to
:data:`MAX_BITS`, the ``MAX_WORKING_DPS`` digits of every ``dps=`` path, then :class:`PrecisionError`). The midpoints are returned
as ``mpf`` rounded to ``N`` digits: the exact value lies within the radius (``< 10^-N`` relative) of the
midpoint, so the rounded value is off by less than one unit in its ``N``-th significant digit. There is
no second evaluation to confirm anything: the radius *is* the proof. An exact zero (radius 0 and
midpoint 0) is accepted as such; a ball that merely contains 0 is never accepted as 0.
"""

from __future__ import annotations

import math

import mpmath
from mpmath import libmp

from .._base.errors import PrecisionError
from .arb import exact_arb, require_flint
from .precision import MAX_WORKING_DPS

__all__ = ["MAX_BITS", "arb_module", "arb_number", "certified_digits", "flint_available", "start_bits"]

#: Below Arb's relative accuracy of an exact ball (``ARF_PREC_EXACT``, about ``2^60``): a ball with fewer bits has a
#: nonzero finite radius and a finite midpoint (``rel_accuracy_bits`` of a NaN or infinite midpoint is negative).
_EXACT_BITS = 1 << 40
#: Largest working precision (bits): the :data:`~lazyrich._numerics.precision.MAX_WORKING_DPS` digits of every ``dps=`` path.
MAX_BITS = math.ceil(MAX_WORKING_DPS * math.log2(10))


_FLINT: list = []  # python-flint (or None), imported on first use: ``import`` costs ~1 us per call


def _flint():
    """python-flint, imported once (``None`` without it)."""
    if not _FLINT:
        try:
            import flint
        except ImportError:  # pragma: no cover - exercised with flint hidden in tests
            flint = None
        _FLINT.append(flint)
    return _FLINT[0]


def flint_available() -> bool:
    """True if python-flint imports (the Arb engine); the ``dps=`` paths fall back to mpmath otherwise."""
    return _flint() is not None


def arb_number(x):
    """A float, ``mpf`` or decimal string as an Arb ball: exact for binary numbers, enclosing for decimals.

    A Python float goes straight to ``flint.arb`` (exact at every ``ctx.prec >= 53``, python-flint's
    default and below every precision used here).
    """
    if type(x) is float:
        flint = _flint()
        if flint is not None and flint.ctx.prec >= 53:
            return flint.arb(x)
    if isinstance(x, str):
        return require_flint().arb(x)
    return exact_arb(x)


def arb_module():
    """python-flint (imported once), or :class:`MissingDependencyError` naming the extra to install."""
    return _flint() or require_flint()


def start_bits(dps: int, lost_bits: float = 0.0) -> int:
    """First working precision: ``(N + 3) log2(10)`` bits plus ``lost_bits`` the formula is known to lose, plus 16."""
    return math.ceil((dps + 3) * math.log2(10) + max(lost_bits, 0.0)) + 16


def _accepted(vals, need: int, tol, per_value: bool) -> bool:
    """Every ball finite, and its radius below ``10**-N`` times a lower bound of the scale.

    Per value first (it implies the scaled test): Arb's ``rel_accuracy_bits`` is ``k`` with
    ``rad / |mid| < 2^-k`` (the top bit of the radius against that of the midpoint), so
    ``rad / (|mid| - rad) < 2^(1-k)``, and ``k >= need = ceil(N log2 10) + 2`` gives
    ``rad <= 10^-N (|mid| - rad)``: one integer per value.
    """
    if all(v.is_finite() and (v.is_exact() or v.rel_accuracy_bits() >= need) for v in vals):
        return True  # each value within 10^-N of itself: within 10^-N of the largest too
    if per_value or len(vals) == 1:
        return False
    if not all(v.is_finite() for v in vals):
        return False
    if all(v.is_exact() for v in vals):
        return True
    scale = max((v.abs_lower() for v in vals), key=lambda b: b.upper())
    return all(v.rad() <= tol * scale for v in vals)


_make_mpf, _from_man_exp = mpmath.mp.make_mpf, libmp.from_man_exp


def _to_mpf(v, prec: int):
    """The midpoint rounded to ``prec`` bits (as ``+x`` under ``mpmath.workdps(dps)`` would; no context switch)."""
    man, exp = v.mid().man_exp()  # (python-flint's ``_mpf_`` is slower: it goes through a string)
    return _make_mpf(_from_man_exp(int(man), int(exp), prec, "n"))


def certified_digits(prepare, items, dps: int, bits: int, per_value: bool = False, single: bool = False) -> list:
    """Per item, the list of ``mpf`` values correct to ``dps`` significant digits, certified by Arb radii.

    Parameters
    ----------
    prepare : callable
        ``prepare()`` is called at each working precision (``flint.ctx.prec`` set) and returns
        ``evaluate(item) -> list of flint.arb`` (t-independent work happens once per precision).
    items : sequence
        What to evaluate (e.g. times).
    dps : int
        Requested significant digits (``>= 1``).
    bits : int
        Starting working precision (:func:`start_bits`).
    per_value : bool
        Relative to each value (True) or to the largest ``|value|`` of the item (False, the default).
    single : bool
        ``prepare()`` returns ``evaluate(items) -> list of flint.arb``, one ball per item (the loop over the
        items inside the closed form), and the result is one ``mpf`` per item: the scalar closed forms,
        where the per-item overhead of calls and lists is a visible part of the cost.

    Examples
    --------
    >>> vals = certified_digits(lambda: (lambda x: [(-arb_number(x)).exp()]), [1.0, 200.0], 20, start_bits(20))
    >>> [mpmath.nstr(v[0], 5) for v in vals]
    ['0.36788', '1.3839e-87']
    """
    flint, to_mpf = arb_module(), _to_mpf
    items = list(items)
    out_prec = libmp.dps_to_prec(int(dps))
    need = math.ceil(int(dps) * math.log2(10)) + 2
    out: list = [None] * len(items)
    pending = list(range(len(items)))
    saved = flint.ctx.prec
    prec = max(int(bits), 64)
    try:
        while pending:
            if prec > MAX_BITS:
                raise PrecisionError(
                    f"could not certify {dps} digits at {items[pending[0]]!r} below {MAX_BITS} bits of working "
                    "precision: the value is (numerically) zero or ill-conditioned there; ask for fewer digits or a smaller t"
                )
            flint.ctx.prec = prec
            evaluate = prepare()
            retry = []
            if single:  # _accepted for one ball: rel_accuracy_bits is huge for an exact ball, so is_finite decides then
                balls = evaluate(items if len(pending) == len(items) else [items[i] for i in pending])
                last, last_mpf = None, None  # an evaluator may return one ball for several items (e.g. t -> inf)
                for i, v in zip(pending, balls):
                    if v is last:
                        out[i] = last_mpf
                        continue
                    acc = v.rel_accuracy_bits()
                    if need <= acc < _EXACT_BITS or (acc >= need and v.is_finite()):
                        last, last_mpf = v, to_mpf(v, out_prec)
                        out[i] = last_mpf
                    else:
                        retry.append(i)
                pending = retry
                prec *= 2
                continue
            tol = None  # 10^-N as a ball, formed only if some item needs the scaled test
            for i in pending:
                vals = evaluate(items[i])
                # the first test of _accepted, inline: each value finite with a nonzero radius below 10^-N of itself
                row = []
                for v in vals:
                    if not need <= v.rel_accuracy_bits() < _EXACT_BITS:
                        break
                    row.append(to_mpf(v, out_prec))
                else:
                    out[i] = row
                    continue
                tol = flint.arb(10) ** (-int(dps)) if tol is None else tol
                if _accepted(vals, need, tol, per_value):
                    out[i] = [to_mpf(v, out_prec) for v in vals]
                else:
                    retry.append(i)
            pending = retry
            prec *= 2
    finally:
        flint.ctx.prec = saved
    return out
