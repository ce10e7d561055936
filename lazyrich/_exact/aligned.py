"""Task-aligned singular-value dynamics: the transition function gamma (Dominé et al. (2025), Thm 5.1, Eq. 17).

Under a task-aligned lambda-balanced init the modes decouple and each singular
value obeys ``tau ds/dt = sqrt(lambda^2 + 4 s^2) (s~ - s)``; its exact solution is
``s(t) = s0 + gamma(t; lambda) (s~ - s0)``. This is the ODE of Tu et al. (2024), eq. (1) (aligned)
with ``c = |lambda| / 2`` in time ``t / tau``, so the evaluation is the one of
:mod:`lazyrich._exact.scalar_mode` (regimes, float64 error bound and the certified ``dps=`` path are
derived there). :class:`AlignedMode` is that closed form behind the
:class:`~lazyrich._exact.closed_form.ClosedForm` interface; :func:`aligned_singular_value` is the
public function on top of it.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np

from .._base.validation import as_digits, as_scalar, as_time_grid, positive
from .._numerics.arb import ArbScalar
from .._numerics.arb_digits import arb_number
from .._numerics.backend import MpmathScalar
from .closed_form import ClosedForm
from .scalar_mode import FloatMode, exact_values, float_values, mode_coefficients, mode_evaluator

__all__ = ["AlignedMode", "aligned_direct", "aligned_singular_value"]


def aligned_direct(t, st, s0, lam, tau, lib):
    r"""The 2x2 Fukumizu form (Dominé et al. (2025), Sec. 4, one mode) literally (growing ``e^{2 mu t}``): kept to show its failure.

    .. math::
        s(t) = \frac{\tilde s\,(p_+^2e^{2\mu t/\tau} - p_-^2e^{-2\mu t/\tau}) + \lambda p_+p_-}
                    {2\mu + p_+^2(e^{2\mu t/\tau} - 1) + p_-^2(1 - e^{-2\mu t/\tau})},

    with ``(a, b)`` the unit eigenvector of ``F = [[-lambda/2, s~], [s~, lambda/2]]`` for ``+mu``,
    ``p_+ = a c_0 + b d_0``, ``p_- = b c_0 - a d_0`` and ``(c_0, d_0)`` the layer singular values
    (``c_0 d_0 = s_0``, ``d_0^2 - c_0^2 = lambda``). Overflows float64 once ``2 mu t / tau > 709``.
    """
    l2 = lam * lam / 4
    mu = lib.sqrt(st * st + l2)
    root0 = lib.sqrt(lam * lam + 4 * s0 * s0)
    d0 = lib.sqrt((root0 + lam) / 2)
    c0 = lib.sqrt((root0 - lam) / 2)
    c0 = c0 if s0 >= 0 else -c0
    norm = lib.sqrt(st * st + (mu + lam / 2) ** 2)
    a, b = st / norm, (mu + lam / 2) / norm
    pp, pm = a * c0 + b * d0, b * c0 - a * d0
    eg, ed = lib.exp(2 * mu * t / tau), lib.exp(-2 * mu * t / tau)
    return (st * (pp * pp * eg - pm * pm * ed) + lam * pp * pm) / (2 * mu + pp * pp * (eg - 1) + pm * pm * (1 - ed))


class AlignedMode(ClosedForm):
    """One task-aligned lambda-balanced mode ``s(t)`` (Dominé et al. (2025), Thm 5.1) as a :class:`ClosedForm`.

    Parameters
    ----------
    s0, s_target, lam : float
        Initial and task singular values and the balance lambda (taken as exact binary numbers).
    tau : float
        Time constant (> 0).

    Examples
    --------
    >>> mode = AlignedMode(0.1, 2.0, 0.5)
    >>> mode.stable([0.0])[0] == [0.1], mode.direct([1e3])[0]   # the direct form overflows float64
    (True, None)
    """

    description = "singular value s(t) of a task-aligned lambda-balanced mode (Dominé et al. (2025), Thm 5.1)"

    def __init__(self, s0: float, s_target: float, lam: float, tau: float = 1.0) -> None:
        self.s0 = as_scalar(s0, "s0")
        self.s_target = as_scalar(s_target, "s_target")
        self.lam = as_scalar(lam, "lam")
        self.tau = positive(tau, "tau")
        #: The decay rate mu = sqrt(s~^2 + lambda^2 / 4) of the exponentials.
        self.mu = math.hypot(self.s_target, self.lam / 2)

    def _c(self):
        """``c = |lambda| / 2`` exactly: a float (halving is exact above the subnormal range), else an mpf."""
        c = abs(self.lam)
        return c / 2 if c >= 2.0**-1021 or c == 0 else mpmath.ldexp(mpmath.mpf(c), -1)

    def exact_args(self):
        """``(s0, s*, c, tau)`` of :mod:`lazyrich._exact.scalar_mode`, exact (float, mpf or decimal string)."""
        return (self.s0, self.s_target, self._c(), self.tau)

    def stable_evaluator(self, digits):
        if digits is None:
            mode = FloatMode(*self.exact_args())
            return lambda t: [float(mode.values(np.array([float(t)]))[0])]
        values = mode_evaluator(
            mode_coefficients(*(MpmathScalar.mpf(v) for v in self.exact_args()), MpmathScalar, False), MpmathScalar
        )
        return lambda t: values([MpmathScalar.mpf(t)])

    def direct_evaluator(self, digits):
        lib, num = (np, np.float64) if digits is None else (MpmathScalar, MpmathScalar.mpf)
        st, s0, lam, tau = (num(v) for v in (self.s_target, self.s0, self.lam, self.tau))
        return lambda t: [aligned_direct(num(t), st, s0, lam, tau, lib)]

    def arb_evaluator(self):
        values = mode_evaluator(mode_coefficients(*map(arb_number, self.exact_args()), ArbScalar, False), ArbScalar)
        return lambda t: values([arb_number(t)])

    def values(self, grid, dps: int | None = None):
        """``s(t)`` on a time grid: float64 array (``dps=None``) or list of mpf correct to ``dps`` digits."""
        if dps is None:
            return float_values(np.asarray(grid, dtype=float), *self.exact_args())
        return exact_values(grid, *self.exact_args(), as_digits(dps))

    def guard_digits(self, t) -> int:
        """Working digits the stable form can lose at ``t``: the exponent ``2 mu t / tau`` carries its own rounding."""
        return 10 + math.ceil(math.log10(1.0 + 2.0 * self.mu * float(t) / self.tau))

    def error_scale(self, values):
        """``max(|s0|, |s~|, |s(t)|)``: the mode's own scale."""
        return max(abs(self.s0), abs(self.s_target), *(abs(v) for v in values))


def aligned_singular_value(t, s0: float, s_target: float, lam: float, tau: float = 1.0, dps: int | None = None):
    r"""Singular value ``s(t)`` of a task-aligned lambda-balanced mode (Dominé et al. (2025), Thm 5.1).

    .. math::
        s(t) = s_0 + \gamma(t;\lambda)(\tilde s - s_0),\qquad
        \gamma = \frac{\mathcal P - (\tfrac{\lambda^2}{2} + 2\tilde s s_0)E - \mathcal M E^2}
                      {\mathcal P + 2\tilde s(\tilde s - s_0)E - \mathcal M E^2},

    with :math:`\mu = \sqrt{\tilde s^2 + \lambda^2/4}`, :math:`\mu_0 = \sqrt{s_0^2 + \lambda^2/4}`,
    :math:`\mathcal P = \mu\mu_0 + \lambda^2/4 + \tilde s s_0`,
    :math:`\mathcal M = \mu\mu_0 - \lambda^2/4 - \tilde s s_0` and
    :math:`E = e^{-2\mu t/\tau}`. It solves
    :math:`\tau\dot s = \sqrt{\lambda^2 + 4s^2}(\tilde s - s)`. Exact for every
    lambda (0 gives the Saxe sigmoid, ``|lambda| -> inf`` the exponential
    ``1 - e^{-|lambda| t}``). Only the decaying ``E <= 1`` appears, and
    :math:`\mathcal P\mathcal M = \tfrac{\lambda^2}{4}(\tilde s - s_0)^2` gives whichever of the two
    would cancel, so float64 is accurate and overflow-free at every ``t``.

    Parameters
    ----------
    t : float or 1-D array, >= 0
    s0 : float
        Initial singular value (``s0 = c0 d0``; a negative value is allowed, e.g. reversal).
    s_target : float
        Task singular value ``s~``.
    lam : float
        Balance lambda.
    tau : float
        Time constant.
    dps : int, optional
        If given, return ``mpf`` values (a list for array ``t``) correct to ``dps`` significant digits,
        also where they underflow float64: the same formula on Arb balls, the precision raised until the
        relative radius is below ``10**-dps`` (mpmath confirmed by re-evaluation without python-flint).

    Returns
    -------
    float, (T,) array, mpf or list of mpf

    Examples
    --------
    >>> round(float(aligned_singular_value(0.0, 0.1, 2.0, lam=0.5)), 12)
    0.1
    >>> round(float(aligned_singular_value(60.0, 0.1, 2.0, lam=0.0)), 12)
    2.0
    """
    grid, scalar = as_time_grid(t, exact=dps is not None)  # dps: mpf and decimal-string times kept exact
    mode = AlignedMode(s0, s_target, lam, tau)
    vals = mode.values(grid, dps)
    return (float(vals[0]) if dps is None else vals[0]) if scalar else vals
