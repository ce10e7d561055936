r"""The exact aligned solution of the self-consistent dynamics of Tu, Aranguri and Jacot.

Eq. (1) of Tu et al. (2024), for the cost
:math:`C(A) = \tfrac12\|A - T\|_F^2` (so :math:`G = \nabla C(A) = A - T`, the cost the
authors' official code minimises):

.. math::
    \dot A = -(AA^T + c^2 I)^{1/2} G - G (A^T A + c^2 I)^{1/2}, \qquad c = \sigma^2 w,

and its exact aligned solution, derived here (Tu et al. (2024), eq. (1) with aligned singular vectors).
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
from .._numerics.backend import MpmathScalar
from .closed_form import ClosedForm

__all__ = ["MixedAlignedMode", "mixed_aligned_singular_value", "mixed_direct", "mixed_solution"]

# Below this ratio c / max(|s0|, |s*|, c), c**2 (and products of two such
# terms) would underflow in float64: evaluate the same formula in mpmath instead.
_TINY_RATIO = 1e-100


def _logistic(t, x0, a, lib):
    """Solution of ``dx/dt = 2 x (a - x)`` from ``x0 > 0`` (Saxe et al.), overflow-free for all ``t >= 0``."""
    if a > 0:
        e, phi = lib.exp(-2 * a * t), -lib.expm1(-2 * a * t) / a
        return x0 / (e + x0 * phi)
    if a == 0:
        return x0 / (1 + 2 * x0 * t)
    # a < 0: multiply numerator and denominator by exp(2 a t) <= 1
    e = lib.exp(2 * a * t)
    return x0 * e / (1 + x0 * lib.expm1(2 * a * t) / a)


def _mixed_closed_form(t, s0, st, c, lib):
    """``s(t)`` for ``c > 0`` from the Riccati solution, every sum of positive terms (no cancellation).

    With ``q = c v = c e^u`` (``s = c sinh u``) one gets ``q(t) = N / D`` where
    ``N = p* p0 + m (p* f + p0 e)``, ``D = p0 f + p* e + m``, ``e = exp(-2Rt)``,
    ``f = 1 - e``, ``p* = s* + R``, ``m = R - s* = c^2 / p*``, ``p0 = s0 + sqrt(s0^2 + c^2)``.
    """
    R = lib.hypot(st, c)
    if st >= 0:
        p_star = st + R
        m = c * c / p_star
    else:
        m = R - st
        p_star = c * c / m
    r0 = lib.hypot(s0, c)
    p0 = s0 + r0 if s0 >= 0 else c * c / (r0 - s0)
    e = lib.exp(-2 * R * t)
    f = -lib.expm1(-2 * R * t)
    q = (p_star * p0 + m * (p_star * f + p0 * e)) / (p0 * f + p_star * e + m)
    return (q - c * c / q) / 2


def mixed_solution(t, s0, st, c, lib=MpmathScalar):
    """The exact solution for every ``c >= 0`` over an exact-arithmetic namespace (mpmath or Arb)."""
    if c == 0:
        if s0 == 0:
            return 0 * t
        return _logistic(t, s0, st, lib) if s0 > 0 else -_logistic(t, -s0, -st, lib)
    return _mixed_closed_form(t, s0, st, c, lib)


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
        with mp.workdps(30):
            if mp.mpf(self.c) < 0:
                raise InvalidParameterError(f"c must be >= 0 (it is sigma^2 w); got {self.c}")
            #: The decay rate R = sqrt(s*^2 + c^2) of the exponentials.
            self.rate = float(mp.hypot(mp.mpf(self.s_target), mp.mpf(self.c)))

    def _exact(self, num):
        return tuple(num(v) for v in (self.s0, self.s_target, self.c))

    def stable_evaluator(self, digits):
        if digits is None:
            s0, st, c = (float(mp.mpf(v)) for v in (self.s0, self.s_target, self.c))
            return lambda t: [float(_float64_values(np.array([float(t)]), s0, st, c)[0])]
        args = self._exact(MpmathScalar.mpf)
        return lambda t: [mixed_solution(MpmathScalar.mpf(t), *args)]

    def direct_evaluator(self, digits):
        lib, num = (np, np.float64) if digits is None else (MpmathScalar, MpmathScalar.mpf)
        args = self._exact(lambda v: num(float(mp.mpf(v))) if digits is None else num(v))
        return lambda t: [mixed_direct(num(t), *args, lib)]

    def arb_evaluator(self):
        args = self._exact(lambda v: ArbScalar.mpf(mp.mpf(v)) if isinstance(v, str) else ArbScalar.mpf(v))
        return lambda t: [mixed_solution(ArbScalar.mpf(t), *args, lib=ArbScalar)]

    def guard_digits(self, t) -> int:
        """Working digits the stable form can lose at ``t``: the exponent ``2 R t`` carries its own rounding."""
        return 10 + math.ceil(math.log10(1.0 + 2.0 * self.rate * float(t)))

    def error_scale(self, values):
        """``max(|s0|, |s*|, |s(t)|)``."""
        return max(abs(mp.mpf(self.s0)), abs(mp.mpf(self.s_target)), *(abs(v) for v in values))


def _float64_values(grid: np.ndarray, s0: float, st: float, c: float) -> np.ndarray:
    """The stable form in float64 on a grid (rescaled to unit scale; ``c / scale < 1e-100`` in mpmath)."""
    # The ODE is invariant under (s, s*, c, t) -> (s/L, s*/L, c/L, L t): work at scale L = 1.
    scale = max(abs(s0), abs(st), c)
    if scale == 0.0:
        return np.zeros_like(grid)
    if c == 0.0 or c / scale < _TINY_RATIO:
        with mp.workdps(30):
            vals = [mixed_solution(mp.mpf(float(x)), mp.mpf(s0), mp.mpf(st), mp.mpf(c)) for x in grid]
            return np.array([float(v) for v in vals])
    with np.errstate(under="ignore", over="ignore"):  # exp(-2Rt) -> 0 (t -> inf) is the intended limit
        return scale * _mixed_closed_form(grid * scale, s0 / scale, st / scale, c / scale, np)


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

    It is evaluated in a rearranged form whose numerator and denominator are
    sums of positive terms, so it is accurate for every ``t >= 0``, any real
    ``s0`` and ``s_target``, and uniformly as ``c -> 0``; ``c = 0`` gives the Saxe
    logistic law :math:`s = s^* s_0 / (s_0 + (s^* - s_0)e^{-2s^*t})` (its
    mirror image for ``s0 < 0``). Very small ``c`` relative to ``s0, s*``
    (ratio below 1e-100, where ``c**2`` would underflow) is evaluated in mpmath.

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
        (``>= 1``, :data:`lazyrich._base.validation.MIN_DPS`): the same formula in mpmath at ``dps + 10 + log10(1 + 2 R t_max)`` working digits,
        confirmed by re-evaluation higher up; inputs may then be mpf or strings.

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
        vals = [v[0] for v in mode.confirmed(items, as_digits(dps))]
        return vals[0] if scalar else vals
    grid, scalar = as_time_grid(t)
    s0, st, c = (float(mp.mpf(v)) for v in (mode.s0, mode.s_target, mode.c))
    out = _float64_values(grid, s0, st, c)
    return float(out[0]) if scalar else out
