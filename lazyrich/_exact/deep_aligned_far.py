r"""The deep aligned mode far above its target, ``|s| << u``: a series in ``s/u`` (derived here).

For ``u > 0`` (the mirror ``u -> -u, s -> -s`` gives the rest) and ``|s/u| < 1``, divide
:math:`\tau\dot u = N u^{a}(s - u)`, :math:`a = 2 - 2/N`, by its leading term and expand
:math:`1/(1 - s/u) = \sum_k (s/u)^k`. Each term integrates exactly
(:math:`\frac{d}{du}\,\frac{u^{-a}(s/u)^k}{2N - 2 + kN} = -\frac{u^{-(a+1)}(s/u)^k}{N}`), so

.. math::
    \frac t\tau = G(u) - G(u_0),\qquad G(u) = u^{-a}\sum_{k\ge0}\frac{(s/u)^k}{2N - 2 + kN}.

``k = 0`` alone is the ``s = 0`` law. On ``|s/u| <= RHO`` every term of ``G(u0) + t/tau`` is positive for
``s > 0``, and for ``s < 0`` the alternating series is dominated by its first term, so the target has no
cancellation. The implicit solution in ``x = (u/s)^{1/N}`` does cancel here: its time increment
``s^{2-2/N} t / tau`` drowns in its O(1) logarithms once ``|s/u|`` is below about ``1e-12``, and it then returned
``u0`` itself. ``u`` solves ``G(u) = G(u0) + t/tau`` by Newton's method in ``ln u`` from the ``s = 0`` law
(``dG/d ln u = -u^{-a} / (N (1 - s/u))``); the series is summed until a term is below ``eps / 16`` of the sum
(``|s/u| <= RHO`` makes the remainder at most ``1/(1 - RHO)`` times that term).
"""

from __future__ import annotations

import math

__all__ = ["RHO", "far_target", "far_value", "far_values"]

#: Largest ``|s/u|`` the series route takes (beyond it the implicit solution is accurate).
RHO = 1e-3


def _series(u, s, N: int, lib, eps):
    """``G(u)`` and ``a`` (see the module docstring)."""
    a = 2 - lib.mpf(2) / N
    rho = s / u
    total, term, k = 0 * rho, 1 + 0 * rho, 0
    while True:
        part = term / (2 * N - 2 + k * N)
        total += part
        if abs(part) <= eps * abs(total) / 16:
            break
        k += 1
        term *= rho
    return lib.exp(-a * lib.log(u)) * total, a


def far_target(u0, s, N: int, lib, eps):
    """``G(u0)``: the value ``G(u(t)) - t/tau`` keeps along the flow."""
    return _series(u0, s, N, lib, eps)[0]


def far_value(target, s, N: int, lib, eps, u_start):
    """``u > 0`` with ``G(u) = target`` (Newton in ``ln u`` from ``u_start``, at most 100 steps)."""
    L = lib.log(u_start)
    for _ in range(100):
        u = lib.exp(L)
        g, a = _series(u, s, N, lib, eps)
        step = (g - target) / (-lib.exp(-a * L) / (N * (1 - s / u)))
        L -= step
        if abs(step) <= 4 * eps:
            break
    return lib.exp(L)


def far_values(times, u0, s, N: int, tau, lib, eps, implicit) -> list:
    """``u(t)`` for ``0 < |s| < RHO u0`` (``u0 > 0``): the series up to ``u1 = |s| / RHO`` (reached at ``t1``), then
    ``implicit(t - t1, u1)``, the implicit solution restarted there (the flow is autonomous)."""
    g0 = far_target(u0, s, N, lib, eps)
    u1 = abs(s) / RHO
    try:
        t1 = tau * (far_target(u1, s, N, lib, eps) - g0)
    except OverflowError:  # G(u1) beyond float64: every float time comes before t1
        t1 = math.inf
    a = 2 - lib.mpf(2) / N
    out = []
    for t in times:
        if t == 0:
            out.append(u0)
        elif t <= t1:
            start = u0 * lib.exp(-lib.log1p((2 * N - 2) * t / tau * lib.exp(a * lib.log(u0))) / a)  # the s = 0 law
            out.append(far_value(g0 + t / tau, s, N, lib, eps, start))
        else:
            out.append(implicit(t - t1, u1))
    return out
