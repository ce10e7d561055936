r"""Derived float64 error bound of the deep aligned mode (:mod:`lazyrich._exact.deep_aligned`).

A first-order rounding analysis of the float64 path of ``deep_aligned_singular_value`` (implicit solution
``t(u)`` of the aligned-mode flow, Saxe et al. (2014), deep networks, inverted by a safeguarded Newton iteration
in the log-odds variable ``w``): every rounding source is carried to ``u`` by its condition number.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import mpmath
import numpy as np

from .._base.errors import PrecisionError
from .._base.tolerance import FLOAT64_EPS
from .._base.validation import as_scalar, as_time_grid, positive, positive_int
from .deep_aligned import MAX_DEPTH, deep_aligned_singular_value
from .deep_aligned_far import RHO, far_target

_MATH = SimpleNamespace(exp=math.exp, log=math.log, mpf=float)  # the float64 scalar functions far_target uses
_LN2 = math.log(2.0)
_LN_HALF_ULP = -1075 * _LN2  # ln 2^-1075: the absolute rounding error of a result below the normal range
_LN_EPS = math.log(FLOAT64_EPS)

#: Largest first-order bound (in units of eps) taken as it is: beyond it (2^-12 relative) the first-order analysis
#: no longer bounds the error (a value below the normal range, underflowed to 0, or cancelled), which is then
#: measured against the 17-digit value of ``deep_aligned_singular_value(..., dps=17)``.
A_POSTERIORI = 2.0**40

__all__ = ["A_POSTERIORI", "float64_error_bound"]


def float64_error_bound(t, u0: float, s: float, depth: int, tau: float = 1.0, max_depth: int = MAX_DEPTH):
    r"""Relative float64 error bound of :func:`~lazyrich.deep_aligned_singular_value`, in units of ``FLOAT64_EPS``.

    A first-order rounding analysis of how the float64 path computes ``u(t)`` (unit roundoff ``eps/2`` per
    operation), each source turned into a relative error of ``u`` by its condition number. With
    :math:`y = |u/s|`, :math:`\psi = |\epsilon - y|`, the scaled time :math:`T = t|s|^{2-2/N}/\tau`, the log-odds
    ``w`` (module docstring), :math:`g = |d\ln u/dT| = N y^{1-2/N}\psi`, the time condition number
    :math:`\kappa_t = T g` and the initial-value one :math:`\kappa_0 = |\partial\ln u/\partial w_0| =
    \psi\,(y/y_0)^{1-2/N}` (the flow is autonomous: :math:`\partial w/\partial w_0 = \dot w(t)/\dot w(0)`):

    * ``T = t exp(c ln|s|)/tau``, :math:`c = 2 - 2/N`: relative error :math:`(2 + 2|\ln|s||)\,\epsilon`, times
      :math:`\kappa_t`;
    * ``w0``: absolute error :math:`(1 + |\ln u_0| + |\ln(s - u_0)|)\,\epsilon` from two logarithms
      (``0 < u0 < s``), :math:`(|w_0| + 1/\psi_0)\,\epsilon` from ``-log1p(-s/u0)`` (``u0 > s > 0``: the
      argument's rounding over :math:`1 - s/u_0 = \psi_0/y_0`), :math:`(1 + |w_0|)\,\epsilon` from ``log1p(-s/u0)``
      (``s u0 < 0``), times :math:`\kappa_0`;
    * ``N >= 3``, the root of ``elapsed(w) = T``: each term of ``elapsed`` rounded to ``(N + 8) eps`` relative
      (a sequential sum of ``N/2`` root terms of :math:`R_\epsilon`, a few operations each), times ``g``:
      the power terms (:math:`g\,x^{2-N}/(N-2) = \frac{N}{N-2}\psi` and :math:`g\,x_0^{2-N}/(N-2) =
      \frac{N}{N-2}\kappa_0` where ``y, y0 <= 2``; the series :math:`\zeta^{2N-2}/(2N-2)` above, giving
      :math:`\frac{N}{(N-1)y}\psi`, :math:`\frac{N}{(N-1)y_0}\kappa_0`), and where ``y <= 2`` the logarithms
      :math:`\ln|1 - \epsilon y|/N`, ``w/N`` and :math:`R_\epsilon` (at most :math:`\ln 4 + \pi` in all):
      :math:`g\,(9 + 2(|\ln\psi| + |\ln\psi_0| + |\ln y| + |\ln y_0|)/N)`, all times :math:`2(N + 8)\,\epsilon`;
      the Newton/bisection stop (step or bracket below ``4 eps scale(w)``, ``scale`` = ``|w|`` or ``1 + |w|``)
      and the shift ``ln y - ln y0`` add :math:`(6\psi\,\mathrm{scale}(w) + \psi|w_0|)\,\epsilon`;
    * ``u = |s| exp(ln y)`` from ``w``: :math:`(|\ln y| + 2 + \psi|w|)\,\epsilon`.

    ``N = 1`` (:math:`u = u_0 e^x - s\,\mathrm{expm1}(x)`, :math:`x = -t/\tau`):
    :math:`(\kappa_t + 2(|u_0|e^x + |s\,\mathrm{expm1}\,x|)/|u|)\,\epsilon`; ``N = 2`` has no root-find
    (:math:`w = w_0 + 2T`: the elapsed-time terms drop, ``psi |w|`` for the sum stays); ``s = 0``:
    :math:`((2 + 2|\ln|u_0||)\kappa_t + |\ln|u/u_0|| + 3)\,\epsilon`; the fixed points are exact.
    The bound is a first-order one (second-order terms are ``O(eps^2)`` relative) and adds every source at
    its worst: measured errors (tests/test_deep_aligned.py, against ``dps=25``) stay below half of it, and are
    typically 100 to 1000 times smaller.

    Below the normal range and at the limit (terms that are not first-order roundings): a result ``u`` below
    :math:`2^{-1022}` adds its rounding :math:`2^{-1075}/|u|` (three for ``N = 1``), a scaled time ``T`` formed below
    the normal range adds :math:`g\,(1 + t + t/\tau)\,2^{-1075}`, and ``u = exp(ln|s| + ln y)`` (where
    :math:`|\ln y| \ge 700`) adds :math:`|\ln|s|| + |\ln u|`. Where ``u == s`` to the last bit the error is
    :math:`\psi/(1 - \psi)` with :math:`\psi \le e^{-w_{lo}}` (growth) or :math:`1/\mathrm{expm1}(w_{lo})`
    (decay to ``s``), :math:`w_{lo}` the root-find's lower bracket (:math:`w_0 + N y_0^{1-2/N} T`, resp.
    :math:`w_0 + N T`), bounded by twice that. Where the first-order bound exceeds :data:`A_POSTERIORI`
    (:math:`2^{40}`, relative error :math:`2^{-12}`: a value that underflowed to 0, lies below the normal range or
    cancelled, e.g. ``N = 1`` at its zero crossing) the first-order analysis no longer bounds the error: it is
    measured against the 17-digit value of ``deep_aligned_singular_value(..., dps=17)`` (relative accuracy
    :math:`5\cdot10^{-17}`), e.g. :math:`2^{52}` (relative error 1) for a value that underflowed to 0.

    Parameters
    ----------
    t : float or 1-D array, >= 0
        Times, as for :func:`~lazyrich.deep_aligned_singular_value` (the same grid gives the same values: where the
        float64 set-up of a grid leaves its range, every value comes from the 17-digit path, whose error the
        bound also covers).
    u0, s : float
        Initial and task singular values, any finite reals.
    depth : int
        Number of layers ``N >= 1``.
    tau : float
        Time constant, > 0.
    max_depth : int
        Largest ``depth`` accepted (default ``MAX_DEPTH``), as in :func:`~lazyrich.deep_aligned_singular_value`.

    Returns
    -------
    float or (T,) array
        ``B >= 0``, finite, with

        .. math::
            |u_{\mathrm{float64}}(t) - u(t)| \le B\,\epsilon\,|u(t)|,\qquad \epsilon = 2^{-52}
            \ (\texttt{FLOAT64\_EPS});

        ``B = 0`` where the value is exact (``t = 0``, the fixed points ``u0 = 0`` and ``u0 = s`` for ``N >= 2``).

    Raises
    ------
    InvalidParameterError
        ``depth`` not a positive integer (or above ``max_depth``), ``tau <= 0`` or ``t < 0``.
    NonFiniteError, ShapeError
        A NaN or infinite input, a string or complex input, ``t`` not a scalar or 1-D.
    PrecisionError
        The float64 value has no relative accuracy (not 0 where the exact value is, or off by more than
        :math:`10^{284}` relative, e.g. beyond the float range of an intermediate): use ``dps=``.

    Examples
    --------
    >>> b = float64_error_bound([0.0, 1.0, 1e6], 0.01, 2.0, depth=3)
    >>> bool(b[0] == 0 and b[1] < 1e4 and b[2] < 100)
    True
    >>> b = float64_error_bound(1e300, 1.0, -1.0, depth=3)  # u(t) ~ 1e-900 underflows to 0: relative error 1
    >>> round(b * FLOAT64_EPS, 12)
    1.0
    """
    grid, scalar = as_time_grid(t)
    u0 = as_scalar(u0, "u0")
    s = as_scalar(s, "s")
    N = positive_int(depth, "depth", hint="the number of layers N")
    tau = positive(tau, "tau")
    vals = deep_aligned_singular_value(grid, u0, s, N, tau=tau, max_depth=max_depth)
    out = []
    for t_, u_ in zip(grid.tolist(), vals.tolist()):
        b = _bound(t_, u_, u0, s, N, tau)
        out.append(b if b <= A_POSTERIORI else _measured(t_, u_, u0, s, N, tau))
    return out[0] if scalar else np.array(out)


def _exp(x: float) -> float:
    """``exp(x)`` of a log-space product: ``inf`` past the float range instead of ``OverflowError``."""
    return math.exp(x) if x < 709.0 else math.inf


def _log_gap(a: float, b: float) -> float:
    """``ln|a - b|`` without overflow (``-inf`` for ``a == b``)."""
    d = a - b
    if d == 0:
        return -math.inf
    return math.log(abs(d)) if math.isfinite(d) else math.log(abs(a / 2 - b / 2)) + _LN2


def _log_time_rounding(t: float, tau: float) -> float:
    """``ln`` of the absolute rounding of ``T = t |s|^c / tau`` below the normal range, in units of ``2^-1075``
    (three products or quotients, each with an input that may be subnormal): ``1 + t + t / tau``."""
    return math.log(3.0) + max(0.0, math.log(t), math.log(t) - math.log(tau))


def _measured(t, u, u0, s, N: int, tau) -> float:
    """The error of ``u`` measured against the 17-digit value (``dps=17``, relative accuracy ``5e-17``)."""
    ref = deep_aligned_singular_value(t, u0, s, N, tau=tau, dps=17)
    if ref == 0:
        if u == 0:
            return 0.0
        raise PrecisionError(
            f"the float64 value {u} of the deep aligned mode at t = {t} has no relative accuracy (the exact value "
            "is 0); use deep_aligned_singular_value(..., dps=N)"
        )
    rel = abs(mpmath.mpf(u) - ref) / abs(ref)
    bound = float((rel * (1 + mpmath.mpf(2) ** -52) + mpmath.mpf("5e-17")) / FLOAT64_EPS)
    if not bound < 1e300:  # off by more than 1e284 relative: no relative accuracy worth a bound
        raise PrecisionError(
            f"the float64 value {u} of the deep aligned mode at t = {t} is off by a factor {mpmath.nstr(rel, 3)} from "
            f"the exact {mpmath.nstr(ref, 5)}; use deep_aligned_singular_value(..., dps=N)"
        )
    return bound


def _bound(t, u, u0, s, N: int, tau) -> float:
    """The first-order bound of :func:`float64_error_bound` at one time, given the float64 value ``u`` (``inf``
    where a piece leaves the float range: the caller then measures the error). Products of condition numbers
    are summed in logarithms, so that no extreme scale overflows or meets ``0 * inf``."""
    if t == 0 or (N > 1 and (u0 == 0 or u0 == s)):  # the fixed points are returned exactly
        return 0.0
    if u == 0:  # underflow, or the zero crossing of N = 1: no relative accuracy to first order
        return math.inf
    ln_u, below = math.log(abs(u)), _LN_HALF_ULP - _LN_EPS
    if N == 1:
        x = t / tau  # kappa_t = x |u0 - s| e^-x / |u|; the products below the normal range add 2^-1075 each
        gap = _log_gap(u0, s) - ln_u
        kappa_t = _exp(math.log(x) - x + gap) if 0 < x < math.inf else 0.0  # x = 0: u = u0, covered below
        terms = abs(u0) * math.exp(-x) + abs(s * math.expm1(-x))
        return kappa_t + 2 * _exp(math.log(terms) - ln_u) + _exp(gap + below) + _exp(math.log(3.0) + below - ln_u)
    sign = -1.0 if u0 < 0 else 1.0
    u, u0, s = sign * u, sign * u0, sign * s
    if u <= 0:  # the mode never changes sign for N >= 2
        return math.inf
    ln_u0, ln_N, ln_t = math.log(u0), math.log(N), math.log(t) - math.log(tau)
    end = _exp(below - ln_u)  # the final rounding where u is below the normal range
    if s == 0:  # kappa_t = t N u^{2-2/N} / tau; c t below the normal range: N (1 + t + t/tau) 2^-1075
        kappa_t = _exp(ln_t + ln_N + (2 - 2 / N) * ln_u)
        return (
            (2 + 2 * abs(ln_u0)) * kappa_t
            + abs(ln_u - ln_u0)
            + 3
            + _exp(ln_N + below + _log_time_rounding(t, tau))
            + end
        )
    if 0 < abs(s) < RHO * u0:  # the series route (deep_aligned_far), then the implicit solution from (t1, u1)
        a = 2 - 2 / N
        kappa_t = _exp(ln_t + ln_N + (1 - 2 / N) * ln_u + _log_gap(s, u))
        # G(u0) + t/tau: <= 8 series terms (|s/u| <= RHO), the powers u^-a = exp(-a ln u) (a |ln u| eps each), a few
        # roundings; ln u moves by at most 1.01 times its relative error (R N u^a (1 - s/u) <= 1.01); Newton's
        # stop 4 eps and the final exp 1 eps
        far = 1.01 * (14 + a * (2 + abs(ln_u0))) + a * (1 + abs(ln_u)) + 5 + end
        u1 = abs(s) / RHO
        try:
            t1 = tau * (far_target(u1, s, N, _MATH, FLOAT64_EPS) - far_target(u0, s, N, _MATH, FLOAT64_EPS))
        except OverflowError:  # as in deep_aligned_far.far_values: every float time comes before t1
            t1 = math.inf
        if u >= u1 or not t > t1:
            return far
        return _bound(t - t1, u, u1, s, N, tau) + far * (1 + kappa_t) + 1  # t1 off by far eps: kappa_t far eps
    e = 1 if s > 0 else -1
    ln_s = math.log(abs(s))
    ln_T = ln_t + (2 - 2 / N) * ln_s
    lny, lny0 = ln_u - ln_s, ln_u0 - ln_s
    ln_psi, ln_psi0 = _log_gap(e * abs(s), u) - ln_s, _log_gap(e * abs(s), u0) - ln_s
    w0 = lny0 - ln_psi0
    if ln_psi == -math.inf:  # u == s to the last bit: the error is psi / (1 - psi), psi bounded by the bracket
        return _converged(ln_T, w0, lny0, u0 < s, N)
    y, y0, psi, psi0 = math.exp(lny), math.exp(lny0), math.exp(ln_psi), math.exp(ln_psi0)
    w = lny - ln_psi
    ln_g = ln_N + (1 - 2 / N) * lny + ln_psi  # g = |d ln u / dT|
    g, kappa_t = _exp(ln_g), _exp(ln_T + ln_g)
    kappa_0 = _exp(ln_psi + (1 - 2 / N) * (lny - lny0))
    if e < 0:  # w0 = log1p(-s/u0): the argument's rounding, relative to 1 + r >= 1; past 1e300, three logarithms
        dw0 = 1 + abs(w0) if -s / u0 < 1e300 else 2 + abs(ln_s) + abs(ln_u0) + abs(w0)
    elif y0 > 1:  # w0 = -log1p(-s/u0): the argument's rounding over 1 - s/u0 = psi0/y0
        dw0 = abs(w0) + 1 / psi0
    else:  # ln u0 - ln(s - u0)
        dw0 = 1 + abs(ln_u0) + abs(_log_gap(s, u0))
    total = (2 + 2 * abs(ln_s)) * kappa_t + dw0 * kappa_0 + abs(lny) + 2 + psi * abs(w) + end
    if abs(lny) >= 690:  # u = exp(ln|s| + ln y) where e^{ln y} would leave the normal range: the sum's rounding
        total += abs(ln_s) + abs(ln_u)
    total += _exp(ln_g + below + _log_time_rounding(t, tau))  # T below the normal range: absolute 2^-1075 each
    if N > 2:  # g times each term of elapsed(w): power terms (closed form for y <= 2, series above), logs, R
        roots = psi * (N / (N - 2) if y <= 2 else N / ((N - 1) * y))
        roots += kappa_0 * (N / (N - 2) if y0 <= 2 else N / ((N - 1) * y0))
        if y <= 2:
            roots += g * (9 + 2 * (abs(ln_psi) + abs(ln_psi0) + abs(lny) + abs(lny0)) / N)
        step = abs(w) if (e < 0 or y0 > 1) and abs(w) < 1 else 1 + abs(w)  # _Mode.scale
        total += 2 * (N + 8) * roots + 6 * psi * step + psi * abs(w0)
    return total


def _converged(ln_T: float, w0: float, lny0: float, up: bool, N: int) -> float:
    """Bound where ``u == s`` to the last bit: the relative error is ``psi / (1 -+ psi)`` with ``psi = |1 - y|``,
    and the bracket of the root-find (``dw/dT = N y^{1-2/N}``, ``y`` monotone) bounds ``w`` from below:
    ``w >= w0 + N y0^{1-2/N} T`` with ``psi <= e^-w`` (growth), ``w >= w0 + N T`` with ``psi = 1/expm1(w)``."""
    rise = ln_T + math.log(N) + ((1 - 2 / N) * lny0 if up else 0.0)
    if rise >= 709.0:  # psi below 2^-1074
        return 1.0
    w_lo = w0 + math.exp(rise)
    if w_lo <= 0:
        return math.inf
    if up:
        psi = math.exp(-w_lo)
    else:  # 1 / expm1(w_lo), without overflow
        psi = math.exp(-w_lo - math.log1p(-math.exp(-w_lo))) if w_lo > 1 else 1 / math.expm1(w_lo)
    return 2 * psi / (1 - psi) / FLOAT64_EPS + 1 if psi < 0.5 else math.inf
