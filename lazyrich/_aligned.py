"""Task-aligned singular-value dynamics: the transition function gamma (digest §3.7).

Under a task-aligned lambda-balanced init the modes decouple and each singular
value obeys ``tau ds/dt = sqrt(lambda^2 + 4 s^2) (s~ - s)``; its exact solution is
``s(t) = s0 + gamma(t; lambda) (s~ - s0)``.
"""

from __future__ import annotations

import mpmath
import numpy as np

from ._errors import InvalidParameterError
from ._validation import as_scalar, as_time_grid, positive

__all__ = ["aligned_singular_value"]


def _gamma_pieces(st, s0, lam, sqrt):
    """``(mu, P, M)`` of digest §3.7, each without cancellation.

    ``P M = (lambda^2/4) (s~ - s0)^2``, so the one of ``P, M`` that would cancel
    is computed from the other (``P`` cancels when ``s~ s0 < 0``, ``M`` when ``>= 0``).
    """
    l2 = lam * lam / 4
    mu = sqrt(st * st + l2)
    mu0 = sqrt(s0 * s0 + l2)
    prod = l2 * (st - s0) ** 2
    if st * s0 >= 0:
        P = mu * mu0 + l2 + st * s0
        M = prod / P if P != 0 else 0 * P
    else:
        M = mu * mu0 - l2 - st * s0
        P = prod / M
    return mu, P, M


def _s_of_t(t, st, s0, lam, tau, sqrt, exp):
    mu, P, M = _gamma_pieces(st, s0, lam, sqrt)
    if P == 0 and M == 0 and st == 0:
        # lambda = 0 and target 0: tau ds/dt = -2 |s| s, gamma is 0/0 there
        return s0 / (1 + 2 * abs(s0) * t / tau)
    E = exp(-2 * mu * t / tau)
    num = P - (lam * lam / 2 + 2 * st * s0) * E - M * E * E
    den = P + 2 * st * (st - s0) * E - M * E * E
    if den == 0:  # only at s~ = s0 = 0 with lambda = 0: the saddle stays put
        return s0
    return s0 + (num / den) * (st - s0)


def aligned_singular_value(t, s0: float, s_target: float, lam: float, tau: float = 1.0, dps: int | None = None):
    r"""Singular value ``s(t)`` of a task-aligned lambda-balanced mode (Dominé et al. Thm 5.1; digest §3.7).

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
        If given, evaluate in mpmath with ``dps + 10`` digits and return ``mpf`` (a list for array ``t``).

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
    grid, scalar = as_time_grid(t)
    s0 = as_scalar(s0, "s0")
    st = as_scalar(s_target, "s_target")
    lam = as_scalar(lam, "lam")
    tau = positive(tau, "tau")
    if dps is not None:
        if isinstance(dps, bool) or not isinstance(dps, (int, np.integer)) or dps < 1:
            raise InvalidParameterError(f"dps must be a positive integer; got {dps!r}")
        with mpmath.workdps(int(dps) + 10):
            mp = mpmath.mpf
            vals = [_s_of_t(mp(float(x)), mp(st), mp(s0), mp(lam), mp(tau), mpmath.sqrt, mpmath.exp) for x in grid]
        return vals[0] if scalar else vals
    vals = np.array([_s_of_t(float(x), st, s0, lam, tau, np.sqrt, np.exp) for x in grid], dtype=float)
    return float(vals[0]) if scalar else vals
