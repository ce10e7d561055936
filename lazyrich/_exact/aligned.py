"""Task-aligned singular-value dynamics: the transition function gamma (digest §3.7).

Under a task-aligned lambda-balanced init the modes decouple and each singular
value obeys ``tau ds/dt = sqrt(lambda^2 + 4 s^2) (s~ - s)``; its exact solution is
``s(t) = s0 + gamma(t; lambda) (s~ - s0)``.
"""

from __future__ import annotations

import math

import numpy as np

from .._base.errors import InvalidParameterError
from .._base.validation import as_scalar, as_time_grid, positive
from .._numerics.backend import MpmathScalar, confirmed_mpmath

__all__ = ["aligned_singular_value"]


def _gamma_pieces(st, s0, lam, lib):
    """``(mu, P, M, 2 mu^2)`` of digest §3.7, each without cancellation (``lib``: numpy, MpmathScalar or ArbScalar).

    ``P M = (lambda^2/4) (s~ - s0)^2``, so the one of ``P, M`` that would cancel
    is computed from the other (``P`` cancels when ``s~ s0 < 0``, ``M`` when ``>= 0``).
    """
    l2 = lam * lam / 4
    mu = lib.sqrt(st * st + l2)
    mu0 = lib.sqrt(s0 * s0 + l2)
    prod = l2 * (st - s0) ** 2
    if st * s0 >= 0:
        P = mu * mu0 + l2 + st * s0
        M = prod / P if P != 0 else 0 * P
    else:
        M = mu * mu0 - l2 - st * s0
        P = prod / M
    return mu, P, M, 2 * (st * st + l2)


def _aligned_at(t, pieces, st, s0, lam, tau, lib):
    r"""``s(t)`` from the t-independent ``pieces = _gamma_pieces(...)``: the stable closed form, written once.

    With :math:`F = 1 - E = -\mathrm{expm1}(-2\mu t/\tau)` and the identities
    :math:`\mathcal P - \mathcal M = \lambda^2/2 + 2\tilde s s_0` and
    :math:`2\mu^2 = \lambda^2/2 + 2\tilde s^2`, digest §3.7's gamma is

    .. math::
        \gamma = \frac{F(\mathcal P + \mathcal M E)}{2\mu^2E + F(\mathcal P + \mathcal M E)},

    a ratio of sums of non-negative terms: no cancellation at any t, including ``mu t ~ 0``
    near the ``lambda = s~ = 0`` saddle, where ``1 - E`` would be lost in ``E`` itself.
    """
    mu, P, M, two_mu2 = pieces
    if two_mu2 == 0:
        # lambda = 0 and target 0: tau ds/dt = -2 |s| s, gamma is 0/0 there
        return s0 / (1 + 2 * abs(s0) * t / tau)
    x = -2 * mu * t / tau
    E = lib.exp(x)
    # F = 1 - E: expm1 only where 1 - E would cancel (x > -1/2); below, 1 - E >= 0.39 loses at most 2 ulp
    F = -lib.expm1(x) if x > -0.5 else 1 - E
    if P == 0:  # lambda = 0 with s~ s0 <= 0 (the flow ends at the saddle s = 0): E cancels, so no 0/0 once E underflows
        a = F * M
        den = two_mu2 + a
    else:
        a = F * (P + M * E)
        den = two_mu2 * E + a
    if den == 0:  # only at s~ = s0 = 0 with lambda = 0: the saddle stays put
        return s0
    return s0 + a / den * (st - s0)


def _s_of_t(t, st, s0, lam, tau, lib):
    """``s(t)`` of digest §3.7 (one time), the stable form over the scalar namespace ``lib``."""
    return _aligned_at(t, _gamma_pieces(st, s0, lam, lib), st, s0, lam, tau, lib)


def aligned_direct(t, st, s0, lam, tau, lib):
    r"""The 2x2 Fukumizu form of digest §3.7 literally (growing ``e^{2 mu t}``): kept to show its failure.

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


def _guard_digits(mu, t, tau) -> int:
    """Working digits the stable form can lose at ``t``: the exponent ``2 mu t / tau`` carries its own rounding."""
    return 10 + math.ceil(math.log10(1.0 + 2.0 * float(mu) * float(t) / float(tau)))


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
        If given, return ``mpf`` values (a list for array ``t``) correct to ``dps`` significant digits:
        the same formula in mpmath at ``dps + 10 + log10(1 + 2 mu t_max / tau)`` working digits, confirmed
        by re-evaluation at a higher precision (:func:`lazyrich._numerics.backend.confirmed_mpmath`).

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
        mu = math.sqrt(st * st + lam * lam / 4)

        def prepare():
            m = MpmathScalar.mpf
            a = m(st), m(s0), m(lam), m(tau)
            pieces = _gamma_pieces(a[0], a[1], a[2], MpmathScalar)
            return lambda x: [_aligned_at(m(x), pieces, *a, MpmathScalar)]

        guard = _guard_digits(mu, grid.max(), tau)  # one guard (from the largest t): one precomputation per precision
        vals = [v[0] for v in confirmed_mpmath(prepare, grid.tolist(), int(dps), lambda x: guard)]
        return vals[0] if scalar else vals
    pieces = _gamma_pieces(st, s0, lam, np)
    vals = np.array([_aligned_at(float(x), pieces, st, s0, lam, tau, np) for x in grid], dtype=float)
    return float(vals[0]) if scalar else vals
