r"""The one scalar ODE behind both aligned modes, solved once for every regime and every backend.

Both task-aligned closed forms solve

.. math::
    \dot s = 2\sqrt{s^2 + c^2}\,(s^* - s),\qquad c \ge 0,

with ``c = |lambda| / 2`` and time ``t / tau`` for the lambda-balanced mode (Dominé et al. (2025),
Thm 5.1: ``tau ds/dt = sqrt(lambda^2 + 4 s^2)(s~ - s)``) and ``c = sigma^2 w`` for Tu et al. (2024),
eq. (1) with aligned singular vectors. This module holds the solution once (derived here, from the
Riccati form of Tu et al. (2024), eq. (1): ``s = c sinh u``, ``v = e^u``, ``v' = -c v^2 + 2 s^* v + c``).

The form (derived here)
-----------------------
Mirror ``(s, s^*) -> (-s, -s^*)`` so that ``s^* >= 0``. With :math:`R = \sqrt{s^{*2} + c^2}`,
:math:`p(s) = s + \sqrt{s^2 + c^2}` (``p p~ = c^2``, ``p~ = sqrt(s^2 + c^2) - s``), :math:`p_* = p(s^*)`,
:math:`m = c^2 / p_*`, :math:`p_0 = p(s_0)`, :math:`e = e^{-2Rt}`, :math:`f = 1 - e`:

.. math::
    s(t) = \frac{\Delta\, S}{2 N d},\quad N = p_*p_0 + c^2 f + p_0 m e,\quad d = m + p_0 f + p_* e,\quad
    S = N + c\,d,\quad \Delta = N - c\,d,

and :math:`\Delta` has two exact expansions, :math:`\Delta = Z + fY = X - eY` with
:math:`X = (p_* - c)(p_0 + m)`, :math:`Y = (p_* - p_0)(c + m)`, :math:`Z = 2R(p_0 - c)`, where every
difference is taken from a product identity (``p - c = 2 s p / (p + c)``,
``p_* - p_0 = (s^* - s_0)(p_* + p_0) / (R + \sqrt{s_0^2 + c^2})``, ``p_0 = c^2 / (\sqrt{s_0^2+c^2} - s_0)``
for ``s_0 < 0``). ``N, d, S`` are sums of non-negative terms; of the two expansions of :math:`\Delta` one
has terms of one sign unless ``s`` crosses zero (``s_0 < 0 < s^*``), and the evaluation takes, at each
``t``, the one whose terms cancel least. ``c = 0`` is the logistic law (Saxe et al.):
``s = s^* s_0 / (s_0 f + s^* e)`` for ``s_0 > 0`` and ``s = s^* s_0 e / (s^* + |s_0| f)`` for ``s_0 < 0``
(the saddle side: ``s`` decays to 0 and keeps its relative accuracy), with ``e = e^{-2 s^* t}``;
``R = 0`` is ``s = s_0 / (1 + 2|s_0| t)``. Every form is ``(F_1 F_2) / (F_3 F_4)`` with each ``F`` a
linear form ``a + b f + c e`` in the two t-dependent numbers: :class:`ModeCoefficients`.

Float64 error bound (derived here)
----------------------------------
The coefficients ``a, b, c`` of the five linear forms are computed once on Arb balls (mpmath without
python-flint) at :data:`COEFFICIENT_BITS` bits from the exact inputs and rounded (0.5 ulp each); each triple is
scaled by a power of two (exact). ``x = 2Rt/tau`` is formed as a double-double (the rate's low part from
mpmath, the product ``k_hi t`` split exactly by Dekker's algorithm), so ``e = e^{-x_hi}(1 - x_lo)`` carries
<= 1.5 ulp at every ``t`` (not ``x`` ulp, as ``exp(-fl(2Rt))`` would) and ``f`` <= 2 ulp (``expm1`` below
``x = 1``, ``1 - e >= 0.63`` above). A linear form with terms of one sign is then within
``0.5 + 2 + 0.5 + 2 = 5`` ulp; one whose terms cancel by a factor ``r`` (``sum |terms| / |F_1|``) within
``5 r``. The value, three multiplications/divisions and a scaling by a power of two away, is within
``5 r + 15 + 3 = 5 r + 18`` ulp relative (worst case; measured <= 7 ulp over 12000 random cases
spanning 1e-300..1e300; ``r = 1`` except in the zero crossing, the one case without a one-signed
expansion, where ``F_1`` is chosen per t). Times where
``r > 2`` (within the zero crossing), where a form falls below ``2^-600`` after scaling (a term may then
have underflowed), where the value is not a normal number, or any time when a scaled coefficient is
below ``2^-500`` or the rate is outside ``[2^-900, 2^900]`` (extreme ratios such as ``|s0| / R > 2^500``),
are evaluated instead on the certified path (:func:`exact_values`, 17 digits, per value) and rounded:
there the result is within 0.6 ulp. Hence the float64 value is within 28 ulp relative at every
``t >= 0`` and every input, and an exact 0 only where the true value is below the float64 range.
"""

from __future__ import annotations

import functools
import math
import operator
from typing import Any, NamedTuple

import mpmath
import numpy as np

from .._numerics.arb import ArbScalar, require_flint
from .._numerics.arb_digits import arb_number, certified_digits, flint_available, start_bits
from .._numerics.backend import MpmathScalar
from .._numerics.precision import confirmed_mpmath

__all__ = [
    "COEFFICIENT_BITS",
    "FLOAT64_ULPS",
    "FloatMode",
    "ModeCoefficients",
    "exact_values",
    "float_mode",
    "float_values",
    "mode_coefficients",
    "mode_evaluator",
]

#: Working bits of the coefficients the float64 path rounds (exact inputs; no cancellation).
COEFFICIENT_BITS = 160
#: The derived float64 error bound (ulp, relative; module docstring): ``5 r + 18`` at ``r <= 2``.
FLOAT64_ULPS = 28
_TINY = 2.0**-500  # smallest scaled coefficient the float64 form takes
_FLOOR = 2.0**-600  # smallest scaled |F(t)| it trusts
_CANCEL = 2.0  # largest cancellation sum |terms| / |F_1| it trusts
_SPLIT = 134217729.0  # 2^27 + 1: Dekker's splitter for float64


class ModeCoefficients(NamedTuple):
    """The t-independent part of the solution, all of one numeric type (mpf or arb).

    ``kind``: ``"zero"`` (``s = 0``), ``"fixed"`` (``s = s0``), ``"power"`` (``R = 0``:
    ``s = s0 / (1 + rate |s0| t)``) or ``"exp"`` (``s = sign F1 F2 / (F3 F4)`` with ``e = exp(-rate t)``;
    ``forms = (F1 as Z + fY, F1 as X - eY, F2, F3, F4)``, each ``(const, coefficient of f, coefficient of e)``;
    with ``full=False`` the expansion of F1 that :attr:`choice` does not take is ``None``).
    ``choice``: which expansion of F1 has terms of one sign (0: ``Z + fY``, 1: ``X - eY``); -1: the zero
    crossing, chosen per t. ``full=False`` with ``c > 0`` leaves ``F2 = S`` out (``None``) and keeps ``c``
    as ``coupling``: the exact evaluators use ``S / (2 N d) = (1 / d + 2c / F3) / 2`` (:func:`mode_evaluator`).
    """

    kind: str
    sign: int
    rate: Any
    s0: Any
    forms: tuple
    choice: int = 0
    coupling: Any = None


def mode_coefficients(s0, st, c, tau, num, full: bool = True) -> ModeCoefficients:
    """The coefficients from exact ``s0, s*, c >= 0, tau > 0`` (numbers of ``num``: mpmath or Arb).

    ``full=False`` (the exact evaluators) skips the expansion of F1 that the one-signed :attr:`~ModeCoefficients.choice`
    leaves unused, and ``F2`` (see :class:`ModeCoefficients`); the float64 path takes all five forms (the two
    expansions of F1 share one power-of-two scaling).
    """
    sign, zero = 1, 0 * st  # comparisons and doublings against numbers of ``num``: no int conversion per operation
    if st < zero:
        s0, st, sign = -s0, -st, -1
    if s0 == st:
        return ModeCoefficients("fixed", sign, zero, s0, ())
    if c == zero:
        if s0 == zero:
            return ModeCoefficients("zero", sign, zero, s0, ())
        if st == zero:
            return ModeCoefficients("power", sign, 2 / tau, s0, ())
        unit = (zero + 1, zero, zero)
        if s0 > zero:  # logistic growth or decay: s* s0 / (s0 f + s* e)
            f1, f3 = (st * s0, zero, zero), (zero, s0, st)
        else:  # saddle side: s* s0 e / (s* + |s0| f)
            f1, f3 = (zero, zero, st * s0), (st, -s0, zero)
        return ModeCoefficients("exp", sign, 2 * st / tau, s0, (f1, f1, unit, f3, unit))
    # one-signed expansion: Z, Y >= 0 for 0 <= s0 < s*; X, -Y >= 0 for s0 > s* (and X = 0 for s0 < 0 = s*)
    positive = s0 >= zero
    choice = (0 if s0 < st else 1) if positive else (-1 if st > zero else 1)
    R = num.hypot(st, c)
    p_star = st + R
    cc = c * c
    m = cc / p_star
    r0 = num.hypot(s0, c)
    p0 = s0 + r0 if positive else cc / (r0 - s0)
    R2 = R + R
    Y = (st - s0) * (p_star + p0) / (R + r0) * (c + m)  # (p* - p0)(c + m)
    f1a = (R2 * ((s0 + s0) * p0 / (p0 + c)), Y, zero) if full or choice != 1 else None  # Z = 2R (p0 - c)
    f1b = (
        ((st + st) * p_star / (p_star + c) * (p0 + m), zero, -Y) if full or choice != 0 else None
    )  # X = (p* - c)(p0 + m)
    N = (p_star * p0, cc, p0 * m)
    d = (m, p0, p_star)
    S = (N[0] + c * m, cc + c * p0, N[2] + c * p_star) if full else None  # N + c d
    forms = (f1a, f1b, S, (N[0] + N[0], cc + cc, N[2] + N[2]), d)
    return ModeCoefficients("exp", sign, R2 / tau, s0, forms, choice, None if full else c)


def _linear(form, e, f):
    a, b, c = form
    return a + b * f + c * e


def _weight(form, e, f):
    a, b, c = form
    return abs(a) + abs(b) * f + abs(c) * e


def _combine(forms, choice: int, e, f):
    """``(F1 F2 / (F3 F4), sum |terms of F1| or None, (F1, ..., F4))``, F1 from the expansion that cancels least.

    ``choice >= 0``: that expansion has terms of one sign (no cancellation, ``None``); ``-1``: compare per t.
    """
    f1a, f1b, f2, f3, f4 = forms
    if choice >= 0:
        vals = (_linear(forms[choice], e, f), _linear(f2, e, f), _linear(f3, e, f), _linear(f4, e, f))
        return vals[0] * vals[1] / (vals[2] * vals[3]), None, vals
    va, vb = _linear(f1a, e, f), _linear(f1b, e, f)
    wa, wb = _weight(f1a, e, f), _weight(f1b, e, f)
    if isinstance(va, np.ndarray):
        take_a = wa <= wb
        v1, w1 = np.where(take_a, va, vb), np.where(take_a, wa, wb)
    else:
        v1, w1 = (va, wa) if wa <= wb else (vb, wb)
    vals = (v1, _linear(f2, e, f), _linear(f3, e, f), _linear(f4, e, f))
    return vals[0] * vals[1] / (vals[2] * vals[3]), w1, vals


def _switch(forms) -> float:
    """The zero crossing: ``x = rate t`` up to which ``Z + fY`` cancels less than ``X - eY`` (a precision choice only).

    With ``Z < 0 < X, Y`` the weights are ``|Z| + fY`` and ``X + eY``: the first is the smaller iff
    ``e >= e_c = (Y - Z - X) / (2Y)``, i.e. ``x <= -log(e_c)``. Both expansions are exact identities,
    so a rounded threshold only moves which one is taken near the switch, where they cancel alike.
    """
    (z, y, _), (x, _, _) = forms[0], forms[1]
    ec = float((y - z - x) / (2 * y))
    if not ec > 0.0:
        return math.inf
    return -math.log(ec) if ec < 1.0 else 0.0


def _quotient(coef, u):
    """``F1 F2 / (F3 F4)`` from the ``(alpha, beta)`` pairs of the four forms in one variable ``u``."""
    a1, b1, a2, b2, a3, b3, a4, b4 = coef
    return (a1 + b1 * u) * (a2 + b2 * u) / ((a3 + b3 * u) * (a4 + b4 * u))


def _split(coef, u):
    """``F1 (h / F4 + hk / F3)`` (``h = sign / 2``, ``k = 2c``) from the pairs of ``F1, F3, F4`` in ``u``: both
    fractions positive (``d, N`` are sums of non-negative terms), ten operations."""
    a1, b1, a3, b3, a4, b4, h, hk = coef
    return (a1 + b1 * u) * (h / (a4 + b4 * u) + hk / (a3 + b3 * u))


def mode_evaluator(co: ModeCoefficients, lib, number=None):
    """``values(ts) -> [s(t) for t in ts]`` over an exact scalar namespace (``MpmathScalar`` or ``ArbScalar``).

    ``ts`` are numbers of ``lib`` (exact; with Arb also Python floats, taken exactly), or any item that
    ``number`` (given) turns into one: it is applied to every item that is not a float. The t-independent
    work is done here once: each form ``a + b f + c e`` in one variable, ``e = 1 - f``:

    - below ``x = rate t = 1`` in ``u = expm1(-x) = -f``: ``(a + c) + (c - b) u``; there ``f <= 0.64``
      and a one-signed triple cancels by at most ``(1 + f) / (1 - f) < 4.5`` (2.2 bits);
    - above it in ``e = exp(-x)``: ``(a + b) + (c - b) e``, cancelling by at most ``(1 + e) / (1 - e) < 2.2``;

    a few bits of the working precision, which the radius (Arb) or the confirmation (mpmath) accounts
    for (the float64 path keeps the triples). For ``c > 0`` (``F2`` left out, :class:`ModeCoefficients`)
    ``S = N + c d`` and ``F3 = 2N`` give ``F2 / (F3 F4) = (1 / d + 2c / F3) / 2``, two positive fractions,
    with the mirror sign and the half as ``h``; otherwise the mirror sign is carried by ``F2``. Each time
    then costs one transcendental and ten (eleven) operations. Which variable (and, in the zero crossing,
    which expansion of ``F1``) is taken is decided on the float value of ``x``: a precision choice, both
    are exact identities.
    """
    start = co.sign * co.s0
    if co.kind == "zero":
        return lambda ts: [0 * start for t in ts]
    if co.kind == "fixed":
        return lambda ts: [start for t in ts]
    if co.kind == "power":
        k = co.rate * abs(co.s0)
        exact = (lambda t: t) if number is None else (lambda t: t if type(t) is float else number(t))
        return lambda ts: [start if t == 0 else start / (1 + k * t) for t in map(exact, ts)]

    f1a, f1b, f2, f3, f4 = co.forms
    split = f2 is None
    if split:
        rest, quotient = (f3, f4), _split
    else:
        rest, quotient = ((-f2[0], -f2[1], -f2[2]) if co.sign < 0 else f2, f3, f4), _quotient
    near, far = [], []  # (alpha, beta) of F2, F3, F4 in u and in e: beta = c - b is shared by both variables
    for a, b, c in rest:
        beta = c - b
        near += (a + c, beta)
        far += (a + b, beta)
    if split:
        h = 0.5 * co.sign
        hk = h * (2 * co.coupling)
        near += (h, hk)
        far += (h, hk)

    def pairs(form):
        if form is None:
            return None
        a, b, c = form
        beta = c - b
        return (a + c, beta, *near), (a + b, beta, *far)

    choice, table_a, table_b = co.choice, pairs(f1a), pairs(f1b)
    near_a, far_a = table_b if choice == 1 else table_a
    near_b, far_b = table_a if choice == 0 else table_b
    x_switch = _switch(co.forms) if choice < 0 else math.inf
    neg_rate, expm1, exp = -co.rate, lib.expm1, lib.exp
    # Arb: below y_tail every e = exp(y) lies in one ball [0 +- 2^-k] (k above the working precision), so those
    # times share one enclosure of s(t), evaluated once per call (:meth:`~lazyrich._numerics.arb.ArbScalar.negligible_exp`)
    # (formed on first use; k >= 96 bits, so x > 60 is a safe float pre-test and ``y < y_tail`` decides)
    x_tail = 60.0 if hasattr(lib, "negligible_exp") else math.inf
    tails: dict = {}

    def values(ts):
        out = []
        for t in ts:
            if number is not None and type(t) is not float:
                t = number(t)
            y = neg_rate * t  # one transcendental, in the variable that stays away from 1
            x = -float(y)
            if not x >= 1.0:
                if x == 0.0 and t == 0:
                    out.append(start)
                    continue
                u = expm1(y)
                coef = near_a if x <= x_switch else near_b
            else:
                coef = far_a if x <= x_switch else far_b
                if x > x_tail:
                    if not tails:
                        tails["bound"] = lib.negligible_exp()
                    y_tail, e_tail, bits = tails["bound"]
                    if y < y_tail:
                        if id(coef) not in tails:  # kept only as accurate as a value at the working precision
                            shared = quotient(coef, e_tail)  # (not where s(t) itself vanishes with e, the saddle)
                            tails[id(coef)] = shared if shared.rel_accuracy_bits() >= bits - 16 else None
                        if tails[id(coef)] is not None:
                            out.append(tails[id(coef)])
                            continue
                u = exp(y)
            out.append(quotient(coef, u))
        return out

    return values


# ---------------------------------------------------------------------------------------------- float64
def _two_product(a: float, b: np.ndarray):
    """``(p, err)`` with ``p + err = a b`` exactly (Dekker; no FMA in Python 3.11's math)."""
    p = a * b

    def split(x):
        y = _SPLIT * x
        hi = y - (y - x)
        return hi, x - hi

    ah, al = split(a)
    bh, bl = split(b)
    return p, ((ah * bh - p) + ah * bl + al * bh) + al * bl


def _scalar_ldexp(x: float, k: int) -> float:
    try:
        return math.ldexp(x, k)
    except OverflowError:
        return math.inf


class _Vector:
    """numpy over a time grid (``where`` selects per time)."""

    where, exp, expm1, ldexp, abs, logical_not = np.where, np.exp, np.expm1, np.ldexp, np.abs, np.logical_not


class _Scalar:
    """Python floats for a single time (numpy's per-call overhead dominates there)."""

    exp, expm1, ldexp, abs, logical_not = math.exp, math.expm1, _scalar_ldexp, abs, operator.not_

    @staticmethod
    def where(cond, a, b):
        return a if cond else b


def _exp_pair(k_hi: float, k_lo: float, t, lib):
    """``(e, f) = (e^{-kt}, 1 - e^{-kt})`` to <= 2 ulp each at every t, from the double-double ``x = k t``."""
    p, err = _two_product(k_hi, t)
    near = p < 1e4
    x_lo = lib.where(near, err + k_lo * t, 0.0)
    ep = lib.exp(-p)
    e = lib.where(near, ep * (1.0 - x_lo), 0.0)
    f = lib.where(p < 1.0, -lib.expm1(-p) + ep * x_lo, lib.where(near, 1.0 - e, 1.0))
    return e, f


def _man_exp(v) -> tuple[int, int]:
    """``v = man 2^exp`` exactly (an mpf, or the midpoint of an Arb ball)."""
    if isinstance(v, mpmath.mpf):
        return int(v.man), int(v.exp)
    man, exp = v.mid().man_exp()
    return int(man), int(exp)


def _scaled(triples):
    """The triples times one power of two ``2^-k`` (exact) as floats, ``k``, and whether every nonzero entry is >= 2^-500."""
    floats = [[float(v) for v in tri] for tri in triples]
    big = max(abs(x) for tri in floats for x in tri)
    if 0 < big < 2.0**400 and all(x == 0 or abs(x) > 2.0**-400 for tri in floats for x in tri):
        k = math.frexp(big)[1]  # the common case: correctly rounded floats, scaled exactly
        return [tuple(math.ldexp(x, -k) for x in tri) for tri in floats], k, True
    parts = [[_man_exp(v) for v in tri] for tri in triples]
    tops = [e + abs(m).bit_length() for tri in parts for m, e in tri if m]
    if not tops:
        return [tuple(0.0 for _ in tri) for tri in triples], 0, True
    k = max(tops)
    out = [
        tuple(math.ldexp(float(m), e - k) if m and e - k + abs(m).bit_length() > -1020 else 0.0 for m, e in tri)
        for tri in parts
    ]
    ok = all(m == 0 or e - k + abs(m).bit_length() > -500 for tri in parts for m, e in tri)
    return out, k, ok


def _hi_lo(v) -> tuple[float, float]:
    """``v = hi + lo`` to about 106 bits (``hi = fl(v)``; both 0 where ``v`` is outside ``[2^-900, 2^900]``)."""
    man, exp = _man_exp(v)
    if man == 0 or not -900 < exp + man.bit_length() < 900:
        return 0.0, 0.0
    hi = math.ldexp(float(man), exp)
    h_man, h_exp = math.frexp(hi)
    h_int, h_e = int(math.ldexp(h_man, 53)), h_exp - 53
    e0 = min(exp, h_e)
    rest = (man << (exp - e0)) - (h_int << (h_e - e0))
    return hi, math.ldexp(float(rest), e0)


class FloatMode:
    """The float64 evaluation, prepared once from exact ``s0, s*, c, tau`` (float, mpf or decimal string).

    The coefficients come from Arb balls at :data:`COEFFICIENT_BITS` bits (mpmath without python-flint),
    each rounded to the nearest float after an exact power-of-two scaling.
    """

    def __init__(self, s0, st, c, tau) -> None:
        self.args = (s0, st, c, tau)
        if flint_available():
            flint = require_flint()
            saved = flint.ctx.prec
            try:
                flint.ctx.prec = COEFFICIENT_BITS
                co = mode_coefficients(*(arb_number(v) for v in self.args), ArbScalar)
            finally:
                flint.ctx.prec = saved
        else:
            with mpmath.workprec(COEFFICIENT_BITS):
                co = mode_coefficients(*(MpmathScalar.mpf(v) for v in self.args), MpmathScalar)
        self.kind, self.sign, self.choice = co.kind, co.sign, co.choice
        self.s0 = float(mpmath.mpf(s0))
        self.rate = _hi_lo(co.rate) if co.kind != "fixed" else (0.0, 0.0)
        self.trusted = True
        if co.kind == "exp":
            f1, k1, ok1 = _scaled(co.forms[:2])
            rest = [_scaled([tri]) for tri in co.forms[2:]]
            self.forms = (f1[0], f1[1], *(r[0][0] for r in rest))
            self.shift = k1 + rest[0][1] - rest[1][1] - rest[2][1]
            self.trusted = ok1 and all(r[2] for r in rest) and self.rate[0] != 0.0

    def _at(self, t, lib):
        """``(value, untrusted)`` at ``t`` (a float with :class:`_Scalar`, a grid with :class:`_Vector`)."""
        if self.kind == "power":
            a, k = abs(self.s0), self.rate[0]
            y = k * a * t
            value = lib.where(y <= 1.0, self.s0 / (1.0 + y), math.copysign(1.0, self.s0) / (1.0 / a + k * t))
            bad = k == 0.0
        elif not self.trusted:
            return 0.0 * t, t == t
        else:
            e, f = _exp_pair(*self.rate, t, lib)
            ratio, w1, vals = _combine(self.forms, self.choice, e, f)
            value = lib.ldexp(self.sign * ratio, self.shift)
            bad = False if w1 is None else w1 > _CANCEL * lib.abs(vals[0])
            for v in vals:
                bad = bad | (lib.abs(v) < _FLOOR)
        # not a normal number (or NaN): the value or a term left the float64 range
        normal = (lib.abs(value) >= 2.0**-1000) & (lib.abs(value) < math.inf)
        return value, bad | lib.logical_not(normal)

    def _scalar_at(self, t: float):
        try:
            return self._at(t, _Scalar)
        except (ZeroDivisionError, OverflowError, ValueError):  # Python floats raise where numpy gives inf/nan
            return math.nan, True

    def values(self, grid: np.ndarray) -> np.ndarray:
        """``s(t)`` to <= 28 ulp relative at each time (module docstring)."""
        grid = np.asarray(grid, dtype=float)
        if self.kind == "zero":
            return np.zeros_like(grid)
        if self.kind == "fixed":
            return np.full_like(grid, self.s0)
        if grid.size <= 4:
            pairs = [self._scalar_at(x) if x != 0 else (self.s0, False) for x in grid.tolist()]
            value = np.array([v for v, _ in pairs], dtype=float)
            bad = np.array([bool(b) for _, b in pairs], dtype=bool)
        else:
            with np.errstate(all="ignore"):
                value, bad = self._at(grid, _Vector)
            value = np.where(grid == 0, self.s0, value)  # t = 0: the initial value itself
            bad &= grid != 0
        if np.any(bad):
            exact = exact_values([float(x) for x in grid[bad]], *self.args, 17)
            value[bad] = [float(v) for v in exact]
        return value


@functools.lru_cache(maxsize=256)
def float_mode(s0, st, c, tau) -> FloatMode:
    """:class:`FloatMode` for these exact inputs, kept for repeated calls (e.g. one time at a time in a loop)."""
    return FloatMode(s0, st, c, tau)


def float_values(grid: np.ndarray, s0, st, c, tau) -> np.ndarray:
    """``s(t)`` on a float grid to <= 28 ulp relative (module docstring); inputs exact (float, mpf or str)."""
    return float_mode(s0, st, c, tau).values(grid)


# ---------------------------------------------------------------------------------------------- dps = N
def _lost_bits(s0, st, c, tau, items) -> float:
    """An upper bound of ``log2(1 + 2 R t_max / tau)`` (``R <= sqrt 2 max(|s*|, c)``): the bits the exponent costs."""
    top = max(abs(float(st)), abs(float(c)))
    t_max = max(map(abs, map(float, items)))
    if not math.isfinite(top * t_max / float(tau)):  # beyond float64: the same bound in mpmath
        with mpmath.workprec(24):
            rate = 2 * max(abs(mpmath.mpf(st)), abs(mpmath.mpf(c))) / mpmath.mpf(tau)
            return float(mpmath.log(1 + rate * max(abs(mpmath.mpf(x)) for x in items), 2)) + 1.0
    if top == 0 or t_max == 0:
        return 1.0
    l2 = 1.5 + math.log2(top) + math.log2(t_max) - math.log2(float(tau))  # log2 of 2 sqrt(2) max(|s*|, c) t / tau
    return max(l2, 0.0) + 1.0


def exact_values(items, s0, st, c, tau, dps: int) -> list:
    """``s(t)`` as ``mpf`` correct to ``dps`` significant digits at each item (float, ``mpf`` or decimal string).

    Arb balls with the precision raised until the radius is below ``10**-dps`` relative to the value itself
    (:func:`~lazyrich._numerics.arb_digits.certified_digits`); without python-flint, mpmath confirmed by
    re-evaluation (:func:`~lazyrich._numerics.precision.confirmed_mpmath`). Never an exact 0 for a
    non-zero value: neither backend underflows.
    """
    items = list(items)
    lost = _lost_bits(s0, st, c, tau, items)
    if flint_available():

        def prepare_arb():
            # a float time goes in as it is: python-flint takes it exactly into the product rate * t
            co = mode_coefficients(*map(arb_number, (s0, st, c, tau)), ArbScalar, False)
            return mode_evaluator(co, ArbScalar, arb_number)

        return certified_digits(prepare_arb, items, dps, start_bits(dps, lost + 8), single=True)

    def prepare_mp():
        values = mode_evaluator(
            mode_coefficients(*map(MpmathScalar.mpf, (s0, st, c, tau)), MpmathScalar, False), MpmathScalar
        )
        return lambda t: values([MpmathScalar.mpf(t)])

    guard = 10 + math.ceil(lost / math.log2(10))
    return [v[0] for v in confirmed_mpmath(prepare_mp, items, dps, lambda _: guard)]
