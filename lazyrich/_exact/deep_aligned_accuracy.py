r"""Derived float64 error bound of the deep aligned mode (:mod:`lazyrich._exact.deep_aligned`).

A first-order rounding analysis of the float64 path of ``deep_aligned_singular_value`` (implicit solution
``t(u)`` of the aligned-mode flow, Saxe et al. (2014), deep networks, inverted by a safeguarded Newton iteration
in the log-odds variable ``w``): every rounding source is carried to ``u`` by its condition number.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np

from .._base.tolerance import FLOAT64_EPS
from .._base.validation import as_scalar, as_time_grid, positive, positive_int
from .deep_aligned import MAX_DEPTH, deep_aligned_singular_value
from .deep_aligned_far import RHO, far_target

_MATH = SimpleNamespace(exp=math.exp, log=math.log, mpf=float)  # the float64 scalar functions far_target uses

__all__ = ["float64_error_bound"]


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

    Parameters
    ----------
    t : float or 1-D array, >= 0
    u0, s : float
    depth : int
    tau : float
    max_depth : int

    Returns
    -------
    float or (T,) array
        ``B`` with ``|u_float64 - u| <= B * FLOAT64_EPS * |u|``.

    Examples
    --------
    >>> b = float64_error_bound([0.0, 1.0, 1e6], 0.01, 2.0, depth=3)
    >>> bool(b[0] < 100 and b[2] < 100)
    True
    """
    grid, scalar = as_time_grid(t)
    u0 = as_scalar(u0, "u0")
    s = as_scalar(s, "s")
    N = positive_int(depth, "depth", hint="the number of layers N")
    tau = positive(tau, "tau")
    vals = deep_aligned_singular_value(grid, u0, s, N, tau=tau, max_depth=max_depth)
    out = [_bound(t_, u_, u0, s, N, tau) for t_, u_ in zip(grid.tolist(), vals.tolist())]
    return out[0] if scalar else np.array(out)


def _bound(t, u, u0, s, N: int, tau) -> float:
    """The bound of :func:`float64_error_bound` at one time, given the (float64) value ``u``."""
    if t == 0 or (N > 1 and (u0 == 0 or u0 == s)):  # the fixed points are returned exactly
        return 0.0
    if u == 0:  # underflow, or the exact zero crossing of N = 1: no relative accuracy claimed
        return math.inf
    if N == 1:
        x = -t / tau
        return t / tau * abs(s - u) / abs(u) + 2 * (abs(u0) * math.exp(x) + abs(s * math.expm1(x))) / abs(u)
    sign = -1.0 if u0 < 0 else 1.0
    u, u0, s = sign * u, sign * u0, sign * s
    if u <= 0:  # underflow: no relative accuracy claimed
        return math.inf
    kappa_t = t * N * u ** (1 - 2 / N) * abs(s - u) / tau
    if 0 < abs(s) < RHO * u0:  # the series route (deep_aligned_far), then the implicit solution from (t1, u1)
        a = 2 - 2 / N
        # G(u0) + t/tau: <= 8 series terms (|s/u| <= RHO), the powers u^-a = exp(-a ln u) (a |ln u| eps each), a few
        # roundings; ln u moves by at most 1.01 times its relative error (R N u^a (1 - s/u) <= 1.01); Newton's
        # stop 4 eps and the final exp 1 eps
        far = 1.01 * (14 + a * (2 + abs(math.log(u0)))) + a * (1 + abs(math.log(u))) + 5
        u1 = abs(s) / RHO
        if u >= u1:
            return far
        t1 = tau * (far_target(u1, s, N, _MATH, FLOAT64_EPS) - far_target(u0, s, N, _MATH, FLOAT64_EPS))
        return _bound(t - t1, u, u1, s, N, tau) + far * (1 + kappa_t) + 1  # t1 off by far eps: kappa_t far eps
    if s == 0:
        return (2 + 2 * abs(math.log(u0))) * kappa_t + abs(math.log(u / u0)) + 3
    e = 1 if s > 0 else -1
    y, y0 = u / abs(s), u0 / abs(s)
    psi, psi0 = abs(e - y), abs(e - y0)
    if psi == 0:  # converged to s to the last bit
        psi = FLOAT64_EPS
    lny, lny0 = math.log(y), math.log(y0)
    w, w0 = lny - math.log(psi), lny0 - math.log(psi0)
    g = N * math.exp((1 - 2 / N) * lny) * psi
    kappa_0 = psi * math.exp((1 - 2 / N) * (lny - lny0))
    if e < 0:  # w0 = log1p(-s/u0): the argument's rounding, relative to 1 + r >= 1
        dw0 = 1 + abs(w0)
    elif y0 > 1:  # w0 = -log1p(-s/u0): the argument's rounding over 1 - s/u0 = psi0/y0
        dw0 = abs(w0) + 1 / psi0
    else:  # ln u0 - ln(s - u0)
        dw0 = 1 + abs(math.log(u0)) + abs(math.log(s - u0))
    total = (2 + 2 * abs(math.log(abs(s)))) * kappa_t + dw0 * kappa_0 + abs(lny) + 2 + psi * abs(w)
    if N > 2:  # g times each term of elapsed(w): power terms (closed form for y <= 2, series above), logs, R
        roots = psi * (N / (N - 2) if y <= 2 else N / ((N - 1) * y))
        roots += kappa_0 * (N / (N - 2) if y0 <= 2 else N / ((N - 1) * y0))
        if y <= 2:
            roots += g * (9 + 2 * (abs(math.log(psi)) + abs(math.log(psi0)) + abs(lny) + abs(lny0)) / N)
        step = abs(w) if (e < 0 or y0 > 1) and abs(w) < 1 else 1 + abs(w)  # _Mode.scale
        total += 2 * (N + 8) * roots + 6 * psi * step + psi * abs(w0)
    return total
