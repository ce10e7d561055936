r"""Derived float64 error bound of the single-neuron closed form (:mod:`lazyrich._exact.single_neuron`).

A first-order running rounding analysis (derived here, Kunin et al. (2024), Sec. 3) of the float64 path of
:class:`~lazyrich._exact.single_neuron.SingleNeuronExact`: every operation of
:func:`~lazyrich._exact.single_neuron_formula.ratios` is replayed with an absolute error bound ``E``, so that each
cancellation is carried by the magnitudes of the terms that cancel (computed from the inputs), not by a
constant. The path evaluates, at the unit-rate time ``tau = g t``,

.. math::
    \hat A = K_+ Em_D(\tau) + a_0 e^{-D\tau},\quad \hat B = L_+ Em_D(\tau) + q_0 e^{-D\tau},\quad
    \hat m^2 = e^{-k_1\tau} + 2J(\tau),\quad (r_a, r_b, r_p) = (\hat A, \hat B, e^{-k_1\tau/2}) / \hat m,

with ``J = int_0^tau e^{-k_1(tau - u)} (c_+ + c_- e^{-Du})^2 du`` (the closed form in ``c_pm`` for
``D tau >= 2``, a 24-point Gauss-Legendre rule below), then ``a = r_a / rate_a``,
``w = (r_b beta_hat + r_p P_perp w_0) rate_a`` and ``beta = r_a (r_b beta_hat + r_p P_perp w_0)``.
Rules, with unit roundoff ``u = eps/2``, ``L = 4u`` (2 ulp) per libm ``exp``/``expm1`` and
``eta = 2^-1074`` for a result that may be subnormal:

* constants: ``delta_c = |c_float - c|`` measured against the constants' Arb enclosures
  (:func:`~lazyrich._exact.single_neuron_formula.unit_constants` on balls): ``u |c|`` plus the error of the
  40-digit evaluation, which the cancellation in ``K_+``, ``L_+``, ``c_-``, ``P_perp w_0`` or ``delta``
  can make larger than ``u |c|``;
* ``tau = fl(g t)``: ``t delta_g + u tau + eta`` (0 for ``g = 1``);
* ``e = exp(-fl(k tau))``: ``e (k E_tau + tau delta_k + u k tau + eta) + L e + eta`` (the argument's rounding
  ``u k tau`` costs ``k tau e^{-k tau} u <= u / e`` of the unit scale);
* ``Em_k = -expm1(-fl(k tau)) / k``: ``e^{-k tau} E_tau + min(tau Em_k, 1/k^2) delta_k + (2u + L) Em_k
  + 2 eta / k + eta`` (``|dEm_k/dk| = int_0^tau u e^{-ku} du``; the argument's rounding costs
  ``x e^{-x} / (1 - e^{-x}) u <= u`` relative; ``k = 0``: ``Em = tau``, ``E_tau + tau^2 delta_k / 2``);
* ``z = x y``, ``x / y``, ``x + y``, ``sqrt x``: the first-order rules ``|y| E_x + |x| E_y + u|z| + eta``,
  ``(E_x + |z| E_y) / |y| + u|z| + eta``, ``E_x + E_y + u|z|``, ``min(E_x / (2 sqrt x), sqrt E_x) + u sqrt x``:
  a sum's error is relative to ``|x| + |y|``, not to ``|x + y|``, which is where the cancellations of
  ``A_hat`` (the zero crossing of ``a``, ``delta < 0``), ``B_hat``, ``J`` (at most a factor 14.8 for
  ``D tau >= 2``: ``(1 + cos)/(1 - cos)`` of ``1`` and ``e^{-Du}`` under the weight ``e^{-k_1(tau - u)}``,
  ``k_1 / D`` in ``[0, 2]``) and ``w`` enter;
* the Gauss-Legendre rule: each node ``fl(0.5 fl(tau fl(x_i + 1)))`` off by
  ``tau |x_i - x_i^*| / 2 + E_tau (x_i + 1) / 2 + 2u + eta`` from the exact node (``x_i^*``, ``w_i^*``: the
  rule at 40 digits), the integrand ``e^{-k_1 (tau - u)} A_hat(u)^2`` by the rules above at that node, the
  weighted sum by ``25 u`` of itself (24 non-negative terms), the weights by ``sum |W_i - w_i^*| G_i``, and the
  truncation by ``tau (2 D tau)^{48} (24!)^4 / (49 (48!)^3) (|c_+| + |c_-|)^2`` (the ``48``-th derivative of the
  integrand's three exponentials, rates in ``[-2D, 2D]`` since ``0 <= k_1 <= 2D``; below ``1.3e-61`` of that
  scale at ``D tau < 2``);
* ``t = 0``: both paths return the rounded constants ``(a_0, q_0, 1)``, off by ``(delta_{a_0}, delta_{q_0}, 0)``;
* a time the float64 path hands to the certified path (``exact`` of
  :meth:`~lazyrich._exact.single_neuron.SingleNeuronExact.float64_ratios`): each ratio within ``10^-17``
  relative, then rounded, ``(u + 2e-17) |r| + eta``.

The bound is first order (second-order terms are ``O(eps^2)`` relative to it) and adds every source at its
worst: tests/test_single_neuron_accuracy.py checks it against certified Arb values (worst measured 0.96 of the
bound, over 1500 random cases with a0, |w0| from 1e-150 to 1e150 and t up to 1e6, at a t = 0 rounding of
``a_0 rate_a``; 0.1 to 0.45 on the float64 path), and that a relative 1e-12 perturbation of it fails.
"""

from __future__ import annotations

import functools
import math
from typing import NamedTuple

import mpmath
import numpy as np

from .._base.errors import InvalidParameterError
from .._base.tolerance import FLOAT64_EPS
from .._numerics.arb import ArbScalar, Enclosure, require_flint
from .single_neuron import SingleNeuronExact
from .single_neuron_formula import GL_NODES, GL_WEIGHTS, unit_constants

__all__ = ["SingleNeuronBound", "float64_error_bound"]

_U = FLOAT64_EPS / 2  # unit roundoff
_LIBM = 4 * _U  # exp, expm1: 2 ulp
_ETA = 2.0**-1074  # absolute error of a subnormal result
_CERTIFIED = _U + 2e-17  # a ratio of the certified path: 10^-17 relative (plus its 60-bit midpoint), then rounded
_N_GL = GL_NODES.size
#: ``(n!)^4 / ((2n + 1) ((2n)!)^3)``: the Gauss-Legendre error constant (times ``(b - a)^{2n+1} f^{(2n)}``).
_GL_CONSTANT = math.factorial(_N_GL) ** 4 / ((2 * _N_GL + 1) * math.factorial(2 * _N_GL) ** 3)
_CONSTANT_BITS = 320  # Arb precision of the exact constants (their radii only add to the bound)


class SingleNeuronBound(NamedTuple):
    """Absolute float64 error bounds, shaped like ``a(t)``, ``w(t)`` and ``beta(t)``."""

    a: np.ndarray
    w: np.ndarray
    beta: np.ndarray


def float64_error_bound(sn: SingleNeuronExact, t) -> SingleNeuronBound:
    r"""Absolute float64 error bounds of ``sn.a(t)``, ``sn.w(t)`` and ``sn.beta(t)`` (Kunin et al. (2024), Sec. 3).

    The closed form of the single neuron's flow (derived here from Kunin et al. (2024), Sec. 3 and App. A.2),
    :math:`a = \hat A/\hat m`, :math:`w = (\hat B \hat\beta_* + e^{-k_1\tau/2} P_\perp w_0)/\hat m`, is replayed
    operation by operation with a first-order absolute error (``u = eps/2`` per ``+ - * / sqrt``, 2 ulp per
    ``exp``/``expm1``), each cancellation sized by its actual terms (details in the module docstring).

    Parameters
    ----------
    sn : SingleNeuronExact
        The solution.
    t : float or 1-D array
        Times ``>= 0``, as for :meth:`~lazyrich._exact.single_neuron.SingleNeuronExact.a`.

    Returns
    -------
    SingleNeuronBound
        ``(a, w, beta)`` with ``|a_float64(t) - a(t)| <= a`` entrywise (float for scalar ``t``, else ``(T,)``),
        likewise ``w`` and ``beta`` (``(d,)`` or ``(T, d)``), ``a(t)`` the exact trajectory from the exact
        float inputs.

    Raises
    ------
    InvalidParameterError
        ``sn`` is not a :class:`~lazyrich.SingleNeuronExact`.
    MissingDependencyError
        python-flint is not installed (the constants' errors are measured on Arb balls).

    Examples
    --------
    >>> sn = SingleNeuronExact(0.1, [1.0, 0.5], [1.0, -2.0])
    >>> b = float64_error_bound(sn, [0.0, 3.0, 1e6])
    >>> bool(b.beta.max() < 1e-14 and b.a[0] <= 2 * FLOAT64_EPS)
    True
    """
    if not isinstance(sn, SingleNeuronExact):
        raise InvalidParameterError(f"sn must be a SingleNeuronExact; got {type(sn).__name__}")
    c, scalar, ra, rb, rp, exact = sn.float64_ratios(t)
    grid = np.atleast_1d(np.asarray(t, dtype=float))
    dc = _constant_errors(sn, c)
    era, erb, erp = (_CERTIFIED * np.abs(r) + _ETA for r in (ra, rb, rp))
    fast = ~exact & (grid > 0)
    if np.any(fast):
        for e, v in zip((era, erb, erp), _ratio_errors(c, dc, grid[fast])):
            e[fast] = v
    # t = 0: both paths give the rounded constants (a_0, q_0, 1) exactly
    era[grid == 0], erb[grid == 0], erp[grid == 0] = dc["a0"], dc["q0"], 0.0
    bhat, wperp = np.asarray(c.bhat, dtype=float), np.asarray(c.wperp, dtype=float)
    y1 = _mul(rb[:, None], erb[:, None], bhat, dc["bhat"])
    y2 = _mul(rp[:, None], erp[:, None], wperp, dc["wperp"])
    s, es = _add(*y1, *y2)
    ea = _div(ra, era, c.rate_a, dc["rate_a"])[1]
    ew = _mul(s, es, c.rate_a, dc["rate_a"])[1]
    eb = _mul(ra[:, None], era[:, None], s, es)[1]
    return SingleNeuronBound(float(ea[0]), ew[0], eb[0]) if scalar else SingleNeuronBound(ea, ew, eb)


# ------------------------------------------------------------------ the running rules (value, absolute error)
def _mul(x, ex, y, ey):
    z = x * y
    return z, np.abs(y) * ex + np.abs(x) * ey + _U * np.abs(z) + _ETA


def _add(x, ex, y, ey):
    z = x + y
    return z, ex + ey + _U * np.abs(z)


def _div(x, ex, y, ey):
    z = x / y
    return z, (ex + np.abs(z) * ey) / np.abs(y) + _U * np.abs(z) + _ETA


def _sqrt(x, ex):
    z = np.sqrt(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        first = np.where(z > 0, ex / (2 * np.where(z > 0, z, 1.0)), np.inf)
    return z, np.minimum(first, np.sqrt(ex)) + _U * z


def _decay(k, dk, tau, etau):
    """``exp(-fl(k tau))`` and its error."""
    e = np.exp(-(k * tau))
    return e, e * (k * etau + tau * dk + _U * k * tau + _ETA) + _LIBM * e + _ETA


def _em(k, dk, tau, etau):
    """``Em_k(tau) = -expm1(-fl(k tau)) / k`` (``tau`` at ``k = 0``) and its error."""
    if k > 0:  # |dEm_k/dk| = int_0^tau u e^{-k u} du <= min(tau Em_k, 1 / k^2)
        em = -np.expm1(-(k * tau)) / k
        slope, underflow = np.minimum(tau * em, 1 / k**2), 2 * _ETA / k
    else:
        em, slope, underflow = tau, tau * tau / 2, 0.0
    return em, np.exp(-(k * tau)) * etau + slope * dk + (2 * _U + _LIBM) * em + underflow + _ETA


def _hat(coef, dcoef, a0, da0, k, dk, tau, etau):
    """``coef Em_k(tau) + a0 e^{-k tau}`` (``A_hat``, ``B_hat``) and its error."""
    return _add(*_mul(coef, dcoef, *_em(k, dk, tau, etau)), *_mul(a0, da0, *_decay(k, dk, tau, etau)))


# ------------------------------------------------------------------ the float64 path
def _ratio_errors(c, dc, grid):
    """Errors of ``(r_a, r_b, r_p)`` at times of the float64 path."""
    tau = c.g * grid
    etau = grid * dc["g"] + (0.0 if c.g == 1.0 else _U * tau + _ETA)  # fl(1 t) = t exactly
    hat_a = _hat(c.Kp, dc["Kp"], c.a0, dc["a0"], c.D, dc["D"], tau, etau)
    hat_b = _hat(c.Lp, dc["Lp"], c.q0, dc["q0"], c.D, dc["D"], tau, etau)
    ek = _decay(c.k1, dc["k1"], tau, etau)
    J, eJ = np.empty_like(tau), np.empty_like(tau)
    far = c.D * tau >= 2.0
    if np.any(far):
        J[far], eJ[far] = _closed_form_integral(c, dc, tau[far], etau[far])
    if np.any(~far):
        J[~far], eJ[~far] = _quadrature(c, dc, tau[~far], etau[~far])
    m_hat = _sqrt(*_add(*ek, 2 * J, 2 * eJ))
    return (_div(*hat_a, *m_hat)[1], _div(*hat_b, *m_hat)[1], _div(*_sqrt(*ek), *m_hat)[1])


def _closed_form_integral(c, dc, tau, etau):
    """``J`` as :func:`~lazyrich._exact.single_neuron_formula.closed_form_integral` forms it, and its error."""
    ek = _decay(c.k1, dc["k1"], tau, etau)
    if c.delta <= 0:
        cross = _mul(*ek, *_em(-c.delta, dc["delta"], tau, etau))
    else:
        cross = _mul(*_decay(c.D, dc["D"], tau, etau), *_em(c.delta, dc["delta"], tau, etau))
    t1 = _mul(c.cp2, dc["cp2"], *_em(c.k1, dc["k1"], tau, etau))
    t2 = _mul(c.cpcm2, dc["cpcm2"], *cross)
    t3 = _mul(*_mul(c.cm2, dc["cm2"], *ek), *_em(c.dmd, dc["dmd"], tau, etau))
    return _add(*_add(*t1, *t2), *t3)


def _quadrature(c, dc, tau, etau):
    """``J`` by the 24-point Gauss-Legendre rule (``D tau < 2``), and its error against the exact integral."""
    dx, dw = _rule_errors()
    tn, etn = tau[:, None], etau[:, None]
    u = 0.5 * tn * (GL_NODES[None, :] + 1.0)
    eu = tn * dx / 2 + etn * (GL_NODES + 1.0) / 2 + 2 * _U * u + _ETA
    hat_a = _hat(c.Kp, dc["Kp"], c.a0, dc["a0"], c.D, dc["D"], u, eu)
    d = tn - u
    ed = etn + eu + _U * d
    vals, evals = _mul(*_decay(c.k1, dc["k1"], d, ed), *_mul(*hat_a, *hat_a))
    total = vals @ GL_WEIGHTS
    etotal = evals @ GL_WEIGHTS + vals @ dw + (_N_GL + 1) * _U * total
    half = 0.5 * tau
    out, eout = _mul(half, etau / 2 + _ETA, total, etotal)
    with np.errstate(under="ignore"):
        rate = 2 * (c.D + dc["D"]) * tau
        trunc = tau * rate ** (2 * _N_GL) * _GL_CONSTANT * (abs(c.cp) + dc["cp"] + abs(c.cm) + dc["cm"]) ** 2
    return out, eout + trunc


@functools.cache
def _rule_errors() -> tuple:
    """``(|x_i - x_i^*|, |W_i - w_i^*|)``: the float64 Gauss-Legendre rule against the exact one (its nodes by
    Newton at 40 digits from the float64 nodes, ``w = 2 / ((1 - x^2) P_n'(x)^2)``), rounded up."""
    n = _N_GL
    with mpmath.workdps(40):
        xs = [mpmath.findroot(lambda x: mpmath.legendre(n, x), mpmath.mpf(float(x0))) for x0 in GL_NODES]
        dp = [n * (x * mpmath.legendre(n, x) - mpmath.legendre(n - 1, x)) / (x**2 - 1) for x in xs]
        ws = [2 / ((1 - x**2) * p**2) for x, p in zip(xs, dp)]
        dx = [float(abs(mpmath.mpf(float(a)) - b)) * (1 + _U) for a, b in zip(GL_NODES, xs)]
        dw = [float(abs(mpmath.mpf(float(a)) - b)) * (1 + _U) for a, b in zip(GL_WEIGHTS, ws)]
    return np.array(dx), np.array(dw)


def _constant_errors(sn: SingleNeuronExact, c) -> dict:
    """``|c_float64 - c|`` for every constant the float64 path uses, from their Arb enclosures."""
    flint = require_flint()
    saved = flint.ctx.prec
    flint.ctx.prec = _CONSTANT_BITS
    try:
        exact = unit_constants(ArbScalar, sn.a0, sn.w0, sn.beta_star, sn.eta_a, sn.eta_w)
        out = {}
        for name in (
            "g",
            "D",
            "Kp",
            "a0",
            "Lp",
            "q0",
            "k1",
            "delta",
            "dmd",
            "cp2",
            "cpcm2",
            "cm2",
            "cp",
            "cm",
            "rate_a",
        ):
            out[name] = _distance(getattr(c, name), [getattr(exact, name)])[0]
        for name in ("bhat", "wperp"):
            out[name] = _distance(getattr(c, name), list(getattr(exact, name)))
    finally:
        flint.ctx.prec = saved
    return out


def _distance(values, balls) -> np.ndarray:
    """Certified ``|value - exact|`` (``inf`` for a value that overflowed: the path then never uses it)."""
    vals = np.atleast_1d(np.asarray(values, dtype=float))
    finite = np.isfinite(vals)
    arr = np.empty(len(balls), dtype=object)
    arr[:] = balls
    out = np.full(vals.shape, np.inf)
    out[finite] = Enclosure(arr[finite], _CONSTANT_BITS).distance_bound(vals[finite])
    return out
