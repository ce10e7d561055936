r"""The exact aligned solution of the self-consistent dynamics of Tu, Aranguri and Jacot.

Eq. (1) of the paper (digest §2.1), for the cost
:math:`C(A) = \tfrac12\|A - T\|_F^2` (so :math:`G = \nabla C(A) = A - T`, the cost the
official code minimises, digest §1.2):

.. math::
    \dot A = -(AA^T + c^2 I)^{1/2} G - G (A^T A + c^2 I)^{1/2}, \qquad c = \sigma^2 w,

and its exact aligned solution (digest §2.4).
"""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np

from .._base.errors import InvalidParameterError
from .._base.validation import as_scalar, as_time_grid, nonnegative
from .._numerics.backend import MpmathScalar, confirmed_mpmath

__all__ = ["mixed_aligned_singular_value", "mixed_direct"]

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


def _solution_mp(t, s0, st, c, lib=MpmathScalar):
    """The exact solution for every ``c >= 0`` over an exact-arithmetic namespace (mpmath or Arb)."""
    if c == 0:
        if s0 == 0:
            return 0 * t
        return _logistic(t, s0, st, lib) if s0 > 0 else -_logistic(t, -s0, -st, lib)
    return _mixed_closed_form(t, s0, st, c, lib)


def mixed_direct(t, s0, st, c, lib):
    r"""The Riccati solution of digest §2.4 literally (kept to show where it fails; needs ``c > 0``).

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


def _guard_digits(R, t) -> int:
    """Working digits the stable form can lose at ``t``: the exponent ``2 R t`` carries its own rounding."""
    return 10 + math.ceil(math.log10(1.0 + 2.0 * R * float(t)))


def mixed_aligned_singular_value(t, s0, s_target, c, dps: int | None = None):
    r"""Exact aligned singular value of eq. (1): solves :math:`\dot s = 2\sqrt{s^2+c^2}\,(s^* - s)`.

    When :math:`A(0)` and the target share singular vectors, eq. (1) with
    :math:`C(A) = \frac12\|A - T\|_F^2` decouples into this scalar ODE per
    singular value (digest §2.4, claims 15-16). With :math:`s = c\sinh u` and
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
        (``>= 15``): the same formula in mpmath at ``dps + 10 + log10(1 + 2 R t_max)`` working digits,
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
    if dps is not None:
        if isinstance(dps, bool) or not isinstance(dps, (int, np.integer)) or dps < 15:
            raise InvalidParameterError(f"dps must be an integer >= 15 (use dps=None for float64); got {dps!r}")
        with mp.workdps(int(dps) + 20):  # validation and the guard's rate only
            cm = mp.mpf(c)
            if cm < 0:
                raise InvalidParameterError(f"c must be >= 0 (it is sigma^2 w); got {cm}")
            items = [t] if np.ndim(t) == 0 else list(t)
            if any(mp.mpf(x) < 0 for x in items):
                raise InvalidParameterError("t must be >= 0 (the solution runs forward from t = 0)")
            rate = float(mp.hypot(mp.mpf(s_target), cm))

        def prepare():
            m = MpmathScalar.mpf
            a = m(s0), m(s_target), m(c)
            return lambda x: [_solution_mp(m(x), *a)]

        guard = _guard_digits(rate, max(mp.mpf(x) for x in items))  # one guard (from the largest t)
        vals = [v[0] for v in confirmed_mpmath(prepare, items, int(dps), lambda x: guard)]
        return vals[0] if np.ndim(t) == 0 else vals
    grid, scalar = as_time_grid(t)
    s0 = as_scalar(s0, "s0")
    st = as_scalar(s_target, "s_target")
    c = nonnegative(c, "c")
    # The ODE is invariant under (s, s*, c, t) -> (s/L, s*/L, c/L, L t): work at scale L = 1.
    scale = max(abs(s0), abs(st), c)
    if scale == 0.0:
        out = np.zeros_like(grid)
    elif c == 0.0 or c / scale < _TINY_RATIO:
        with mp.workdps(30):
            vals = [_solution_mp(mp.mpf(float(x)), mp.mpf(s0), mp.mpf(st), mp.mpf(c)) for x in grid]
            out = np.array([float(v) for v in vals])
    else:
        with np.errstate(under="ignore", over="ignore"):  # exp(-2Rt) -> 0 (t -> inf) is the intended limit
            out = scale * _mixed_closed_form(grid * scale, s0 / scale, st / scale, c / scale, np)
    return float(out[0]) if scalar else out
