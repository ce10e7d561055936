r"""The exact aligned solution of the self-consistent dynamics of Tu, Aranguri and Jacot.

Eq. (1) of Tu et al. (2024), for the cost
:math:`C(A) = \tfrac12\|A - T\|_F^2` (so :math:`G = \nabla C(A) = A - T`, the cost the
authors' official code minimises):

.. math::
    \dot A = -(AA^T + c^2 I)^{1/2} G - G (A^T A + c^2 I)^{1/2}, \qquad c = \sigma^2 w,

and its exact aligned solution, derived here (Tu et al. (2024), eq. (1) with aligned singular vectors):
the scalar ODE ``ds/dt = 2 sqrt(s^2 + c^2)(s* - s)`` per singular value, solved (regimes, float64 error
bound, certified ``dps=`` path) in :mod:`lazyrich._exact.scalar_mode`.
:class:`MixedAlignedMode` is that closed form behind the :class:`~lazyrich._exact.closed_form.ClosedForm`
interface; :func:`mixed_aligned_singular_value` is the public function on top of it.
"""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np

from .._base.errors import InvalidParameterError
from .._base.validation import as_digits, as_exact_scalar, as_time_grid
from .._numerics.arb import ArbScalar
from .._numerics.arb_digits import arb_number
from .._numerics.backend import MpmathScalar
from .closed_form import ClosedForm
from .scalar_mode import FloatMode, exact_values, float_values, mode_coefficients, mode_evaluator

__all__ = ["MixedAlignedMode", "mixed_aligned_singular_value", "mixed_direct"]


def mixed_direct(t, s0, st, c, lib):
    r"""The Riccati solution (derived here, Tu et al. (2024), eq. (1)) literally (kept to show where it fails; needs ``c > 0``).

    .. math::
        v(t) = \frac{v_+ - v_-K_0e^{-2Rt}}{1 - K_0e^{-2Rt}},\quad s = \frac c2\Big(v - \frac1v\Big),\quad
        v_\pm = \frac{s^*\pm R}{c},\ v_0 = \frac{s_0 + \sqrt{s_0^2 + c^2}}{c},\ K_0 = \frac{v_0 - v_+}{v_0 - v_-}.

    ``v_-`` and ``v - 1/v`` cancel when ``c`` is small against ``s*`` or ``s``.
    """
    R = lib.sqrt(st * st + c * c)
    vp, vm = (st + R) / c, (st - R) / c
    v0 = (s0 + lib.sqrt(s0 * s0 + c * c)) / c
    K0 = (v0 - vp) / (v0 - vm)
    e = lib.exp(-2 * R * t)
    v = (vp - vm * K0 * e) / (1 - K0 * e)
    return c / 2 * (v - 1 / v)


class MixedAlignedMode(ClosedForm):
    r"""One aligned singular value of Tu et al. (2024), eq. (1), as a :class:`ClosedForm`.

    Parameters
    ----------
    s0, s_target : float, mpf or decimal string
        Initial and target singular values (any real numbers; mpf and strings are kept exact for mpmath).
    c : float, mpf or decimal string, >= 0
        Threshold :math:`\sigma^2 w`.

    Examples
    --------
    >>> mode = MixedAlignedMode(0.3, 2.0, 0.5)
    >>> round(mode.stable([0.0])[0][0], 12), mode.guard_digits(0.0)
    (0.3, 10)
    """

    description = "aligned singular value s(t) of the self-consistent dynamics (Tu et al. (2024), eq. (1))"

    def __init__(self, s0, s_target, c) -> None:
        self.s0 = as_exact_scalar(s0, "s0")
        self.s_target = as_exact_scalar(s_target, "s_target")
        self.c = as_exact_scalar(c, "c")
        if type(self.c) is float and type(self.s_target) is float:  # the common case, without an mpmath context
            negative, rate = self.c < 0, math.hypot(self.s_target, self.c)
        else:
            with mp.workdps(30):
                negative, rate = mp.mpf(self.c) < 0, float(mp.hypot(mp.mpf(self.s_target), mp.mpf(self.c)))
        if negative:
            raise InvalidParameterError(f"c must be >= 0 (it is sigma^2 w); got {self.c}")
        #: The decay rate R = sqrt(s*^2 + c^2) of the exponentials.
        self.rate = rate

    def exact_args(self):
        """``(s0, s*, c, tau)`` of :mod:`lazyrich._exact.scalar_mode`, exact (float, mpf or decimal string)."""
        return (self.s0, self.s_target, self.c, 1.0)

    def stable_evaluator(self, digits):
        if digits is None:
            mode = FloatMode(*(float(mp.mpf(v)) for v in self.exact_args()))
            return lambda t: [float(mode.values(np.array([float(t)]))[0])]
        values = mode_evaluator(
            mode_coefficients(*(MpmathScalar.mpf(v) for v in self.exact_args()), MpmathScalar, False), MpmathScalar
        )
        return lambda t: values([MpmathScalar.mpf(t)])

    def direct_evaluator(self, digits):
        lib, num = (np, np.float64) if digits is None else (MpmathScalar, MpmathScalar.mpf)
        args = tuple(num(float(mp.mpf(v))) if digits is None else num(v) for v in self.exact_args()[:3])
        return lambda t: [mixed_direct(num(t), *args, lib)]

    def arb_evaluator(self):
        values = mode_evaluator(mode_coefficients(*map(arb_number, self.exact_args()), ArbScalar, False), ArbScalar)
        return lambda t: values([arb_number(t)])

    def guard_digits(self, t) -> int:
        """Working digits the stable form can lose at ``t``: the exponent ``2 R t`` carries its own rounding."""
        return 10 + math.ceil(math.log10(1.0 + 2.0 * self.rate * float(t)))

    def error_scale(self, values):
        """``max(|s0|, |s*|, |s(t)|)``."""
        return max(abs(mp.mpf(self.s0)), abs(mp.mpf(self.s_target)), *(abs(v) for v in values))


def mixed_aligned_singular_value(t, s0, s_target, c, dps: int | None = None):
    r"""Exact aligned singular value of eq. (1): solves :math:`\dot s = 2\sqrt{s^2+c^2}\,(s^* - s)`.

    When :math:`A(0)` and the target share singular vectors, eq. (1) with
    :math:`C(A) = \frac12\|A - T\|_F^2` decouples into this scalar ODE per
    singular value (derived here from Tu et al. (2024), eq. (1); claims 15-16). With :math:`s = c\sinh u` and
    :math:`v = e^u` it is a Riccati equation whose solution is

    .. math::
        v(t) = \frac{v_+ - v_- K_0 e^{-2Rt}}{1 - K_0 e^{-2Rt}},\quad
        s(t) = \frac c2\Big(v - \frac1v\Big),\quad R = \sqrt{s^{*2}+c^2},\
        v_\pm = \frac{s^* \pm R}{c},\ K_0 = \frac{v_0 - v_+}{v_0 - v_-}.

    It is evaluated in a rearranged form whose factors are sums of terms of one sign
    (:mod:`lazyrich._exact.scalar_mode`), with scaled coefficients and a double-double exponent,
    so float64 is within 28 ulp relative (measured <= 7) for every ``t >= 0``, any real
    ``s0`` and ``s_target`` and every ``c`` from 0 to 1e300; ``c = 0`` gives the Saxe
    logistic law :math:`s = s^* s_0 / (s_0 + (s^* - s_0)e^{-2s^*t})` (its
    mirror image for ``s0 < 0``). Extreme ratios and the zero crossing go through the certified path.

    Parameters
    ----------
    t : float or 1-D array, >= 0
        Times.
    s0, s_target : float
        Initial and target singular values (any real numbers).
    c : float, >= 0
        Threshold :math:`\sigma^2 w`.
    dps : int, optional
        Return ``mpf`` values (a list for a sequence ``t``) correct to ``dps`` significant digits
        (``>= 1``, :data:`lazyrich._base.validation.MIN_DPS`), also where they underflow float64: the same
        formula on Arb balls, the precision raised until the relative radius is below ``10**-dps``
        (mpmath confirmed by re-evaluation without python-flint); inputs may then be mpf or strings.

    Returns
    -------
    float or ndarray (float64), or mpf / list of mpf when ``dps`` is given.

    Examples
    --------
    >>> round(mixed_aligned_singular_value(0.0, 0.3, 2.0, 0.5), 12)
    0.3
    >>> round(float(mixed_aligned_singular_value(50.0, -1.0, 2.0, 0.5)), 12)
    2.0
    >>> # c -> 0 recovers the logistic law
    >>> x = mixed_aligned_singular_value(1.0, 0.1, 1.0, 1e-12)
    >>> bool(abs(x - 0.1 / (0.1 + 0.9 * np.exp(-2.0))) < 1e-12)
    True
    """
    mode = MixedAlignedMode(s0, s_target, c)
    if dps is not None:
        items, scalar = as_time_grid(t, exact=True)
        vals = exact_values(items, *mode.exact_args(), as_digits(dps))
        return vals[0] if scalar else vals
    grid, scalar = as_time_grid(t)
    out = float_values(grid, *(float(mp.mpf(v)) for v in mode.exact_args()))
    return float(out[0]) if scalar else out
