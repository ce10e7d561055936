r"""The single neuron's closed form, written once over a numeric namespace (Kunin et al. (2024), Sec. 3).

Derived here (Kunin et al. (2024), Sec. 3; the paper's App. A.2 forms are not used), as described in
:mod:`lazyrich._exact.single_neuron`: :func:`unit_constants` (the t-independent constants, for the
mpmath or Arb scalar namespace), :func:`ratios` (the stable t-evaluation) and :func:`direct_beta`
(the paper-style form with growing exponentials, kept to show its failure). The t-evaluation
namespaces are :class:`Float64Evaluation` (vectorised over tau), :class:`MpmathEvaluation` and
:class:`ArbEvaluation`: each is a numeric namespace plus ``em`` and this form's one ``integral``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import mpmath
import numpy as np

from .._numerics.arb import ArbScalar
from .._numerics.arb_digits import arb_module
from .._numerics.backend import Float64, Mpmath

__all__ = [
    "GL_NODES",
    "GL_WEIGHTS",
    "ArbEvaluation",
    "Float64Evaluation",
    "MpmathEvaluation",
    "UnitConstants",
    "closed_form_integral",
    "direct_beta",
    "hat_a",
    "ratios",
    "unit_constants",
]

#: A float below ``e^{-1} = 0.3679``: a decay certainly below it has ``1 - decay >= 0.64`` (no cancellation).
_BELOW_INV_E = 0.36
#: Gauss-Legendre rule for J(tau) when D tau < 2 (see :mod:`lazyrich._exact.single_neuron`).
GL_NODES, GL_WEIGHTS = np.polynomial.legendre.leggauss(24)


@dataclass
class UnitConstants:
    """Unit-rate constants of the closed form, all of one numeric type (float or mpf); read-only by convention.

    ``cp2, cpcm2, cm2`` (``c_+^2``, ``2 c_+ c_-``, ``c_-^2``) and ``dmd`` (``D - delta``) are the
    t-independent factors of :func:`closed_form_integral`, formed once.
    """

    a0: Any
    q0: Any
    s: Any
    delta: Any
    D: Any
    k1: Any
    Kp: Any
    Lp: Any
    cp: Any
    cm: Any
    bhat: list
    wperp: list
    wperp_sq: Any
    rate_a: Any  # abar = a * rate_a, wbar = w / rate_a
    g: Any
    cp2: Any = None
    cpcm2: Any = None
    cm2: Any = None
    dmd: Any = None

    #: The fields every backend's t-evaluation derives (not inputs of the float64 overflow check).
    DERIVED = ("cp2", "cpcm2", "cm2", "dmd")


class Float64Evaluation(Float64):
    """The float64 namespace plus this closed form's one integral (vectorised over tau)."""

    @classmethod
    def em(cls, k, tau, decay=None):
        """``(1 - e^{-k tau}) / k`` for ``k >= 0``, ``= tau`` at ``k = 0`` (entire in k); ``decay`` is not needed."""
        return cls.decay_integral(0.5 * k, tau)

    @classmethod
    def integral(cls, c: UnitConstants, tau, eD=None, ek=None):
        out = np.empty_like(tau)
        far = c.D * tau >= 2.0
        if np.any(far):
            out[far] = closed_form_integral(c, tau[far], cls)
        near = ~far
        if np.any(near):
            tn = tau[near][:, None]
            u = 0.5 * tn * (GL_NODES[None, :] + 1.0)
            vals = np.exp(-c.k1 * (tn - u)) * hat_a(c, u, cls) ** 2
            out[near] = 0.5 * tau[near] * (vals @ GL_WEIGHTS)
        return out


class MpmathEvaluation(Mpmath):
    """The mpmath namespace plus this closed form's one integral (one tau at a time)."""

    @classmethod
    def em(cls, k, tau, decay=None):
        return cls.decay_integral(k / 2, tau)

    @classmethod
    def integral(cls, c: UnitConstants, tau, eD=None, ek=None):
        if tau == 0:
            return mpmath.mpf(0)
        if c.D * tau >= 0.25:
            return closed_form_integral(c, tau, cls, eD, ek)
        return mpmath.quad(lambda u: mpmath.exp(-c.k1 * (tau - u)) * hat_a(c, u, cls) ** 2, [0, tau])


def unit_constants(num, a0_in, w0_in, beta_in, eta_a, eta_w) -> UnitConstants:
    """Unit-rate constants from the exact float inputs, written once for every exact backend.

    ``num`` provides ``mpf`` (a float as an exact number of the backend), ``sqrt``, ``root4``
    and ``fsum``: :class:`~lazyrich._numerics.backend.MpmathScalar` (at the caller's working
    precision) or :class:`~lazyrich._numerics.arb.ArbScalar`. Branches on signs pick the cancellation-free
    root; both branches are exact identities, so a ball straddling a branch point stays valid.
    """
    mpf = num.mpf
    ea, ew = mpf(eta_a), mpf(eta_w)
    if eta_a == eta_w:  # equal rates (the common case): g = eta and rate_a = 1 exactly
        g, rate_a = ea, mpf(1.0)
        a0 = mpf(a0_in)
        w0 = [mpf(x) for x in map(float, w0_in)]
    else:
        g = num.sqrt(ea * ew)
        rate_a = num.root4(ew / ea)
        a0 = mpf(a0_in) * rate_a
        w0 = [mpf(x) / rate_a for x in map(float, w0_in)]
    bs = [mpf(x) for x in map(float, beta_in)]
    s = num.sqrt(num.fsum(b * b for b in bs))
    delta = a0**2 - num.fsum(x * x for x in w0)
    if s > 0:
        bhat = [b / s for b in bs]
        q0 = num.fsum(x * b for x, b in zip(w0, bhat))
        wperp = [x - q0 * b for x, b in zip(w0, bhat)]
    else:
        bhat, q0, wperp = [mpf(0)] * len(w0_in), mpf(0), list(w0)
    D = num.sqrt(delta**2 + 4 * s**2)
    # lambda_+ lambda_- = -s^2: take the root without cancellation from the other.
    if delta >= 0:
        lm = -(delta + D) / 2
        lp = 2 * s**2 / (delta + D) if D > 0 else mpf(0)
        k1 = delta + D
    else:
        lp = (D - delta) / 2
        lm = -2 * s**2 / (D - delta)
        k1 = 4 * s**2 / (D - delta)
    Kp = s * q0 - lm * a0
    cp = Kp / D if D > 0 else mpf(0)
    cm = a0 - cp
    return UnitConstants(
        a0=a0,
        q0=q0,
        s=s,
        delta=delta,
        D=D,
        k1=k1,
        Kp=Kp,
        Lp=a0 * s + q0 * lp,
        cp=cp,
        cm=cm,
        bhat=bhat,
        wperp=wperp,
        wperp_sq=num.fsum(x * x for x in wperp),
        rate_a=rate_a,
        g=g,
        cp2=cp * cp,
        cpcm2=2 * cp * cm,
        cm2=cm * cm,
        dmd=D - delta,
    )


def hat_a(c: UnitConstants, tau, ns):
    """``A(tau) e^{-lambda_+ tau} = K_+ Em_D(tau) + a_0 e^{-D tau}``."""
    return c.Kp * ns.em(c.D, tau) + c.a0 * ns.exp(-c.D * tau)


def closed_form_integral(c: UnitConstants, tau, ns, eD=None, ek=None):
    r"""``J = c_+^2 Em_{k1} + 2 c_+ c_- e^{-k1 tau} E_dbar + c_-^2 e^{-k1 tau} E_{dbar - D}``, no positive exponent.

    ``eD = e^{-D tau}`` and ``ek = e^{-k1 tau}`` may be passed when the caller has them (each computed once);
    with both, the decays of the other two ``Em`` follow from them without a transcendental
    (``k1 = delta + D``: ``e^{delta tau} = eD / ek``), for a namespace whose ``em`` takes them.
    """
    ek = ns.exp(-c.k1 * tau) if ek is None else ek
    both = eD is not None
    if c.delta <= 0:
        cross = ek * ns.em(-c.delta, tau, eD / ek if both else None)
    else:  # e^{-k1 tau} E_delta = e^{-D tau} Em_delta
        cross = (ns.exp(-c.D * tau) if eD is None else eD) * ns.em(c.delta, tau, ek / eD if both else None)
    tail = ns.em(c.dmd, tau, eD * eD / ek if both else None)  # e^{-(D - delta) tau} = e^{-D tau} e^{delta tau}
    return c.cp2 * ns.em(c.k1, tau, ek) + c.cpcm2 * cross + c.cm2 * ek * tail


def ratios(c: UnitConstants, tau, ns):
    """``(A_hat / m_hat, B_hat / m_hat, e^{-k1 tau / 2} / m_hat)`` at unit-rate time tau: all O(1).

    Unit-rate ``a = r_a``, ``w = r_b beta_hat + r_p P_perp w0``.
    """
    back = -tau  # (-D) tau = D (-tau) exactly: one negation for both exponents
    eD = ns.exp(c.D * back)
    em = ns.em(c.D, tau, eD)
    hat_a = c.Kp * em + c.a0 * eD
    hat_b = c.Lp * em + c.q0 * eD
    ek = ns.exp(c.k1 * back)
    m_hat = ns.sqrt(ek + 2 * ns.integral(c, tau, eD, ek))
    return hat_a / m_hat, hat_b / m_hat, ns.sqrt(ek) / m_hat


class ArbEvaluation:
    """The single-neuron t-evaluation namespace (``exp``, ``sqrt``, ``em``, ``integral``) on Arb balls."""

    exp = staticmethod(ArbScalar.exp)
    sqrt = staticmethod(ArbScalar.sqrt)

    @staticmethod
    def em(k, tau, decay=None):
        r"""``(1 - e^{-k tau}) / k = tau e^{-x/2} sinh(x/2) / (x/2)``, ``x = k tau``: entire, so a ball of ``k``
        around 0 (e.g. ``delta`` of a balanced init through an inexact rate) stays finite.

        ``decay = e^{-k tau}``, when the caller has it, saves the exponential of the plain form (and, when it is
        certainly below ``e^{-1}``, the test on ``x``: then ``k tau > 1`` and ``k`` is certainly nonzero)."""
        if decay is not None and decay < _BELOW_INV_E:
            return (1 - decay) / k
        x = k * tau
        if x > 1:  # certainly away from 0: the plain form, 1 - e^{-x} >= 0.63 (no cancellation, cheaper than sinc)
            return (1 - ((-x).exp() if decay is None else decay)) / k
        if k > 0:  # certainly positive: expm1 has no cancellation either, and is cheaper than the complex sinc
            return -(-x).expm1() / k
        flint = arb_module()
        half = x / 2
        return tau * (-half).exp() * flint.acb(0, half).sinc().real

    @classmethod
    def integral(cls, c, tau, eD=None, ek=None):
        return closed_form_integral(c, tau, cls, eD, ek)  # every em above is entire: no small-tau special case


def direct_beta(c, tau, lib) -> list:
    r"""``beta = a w`` from the closed form (derived here, Kunin et al. (2024), Sec. 3) literally (growing exponentials; kept to show its failure).

    .. math::
        A = c_+e^{\lambda_+\tau} + c_-e^{\lambda_-\tau},\quad
        m = e^{-\delta\tau}\sqrt{1 + 2(c_+^2E_{\delta+D} + 2c_+c_-E_\delta + c_-^2E_{\delta-D})},\quad
        a = \frac Am,\quad w = \frac1m\Big[\frac{\dot A}{s}\hat\beta_* + e^{-\delta\tau}P_\perp w_0\Big],

    with ``E_k = (e^{k tau} - 1)/k`` and the unit-rate constants ``c`` of
    :func:`unit_constants` (``tau = g t``); ``lib`` is ``numpy`` or
    :class:`~lazyrich._numerics.backend.MpmathScalar`. Overflows float64 once ``|delta| tau >~ 700``.
    """
    lp, lm = (c.D - c.delta) / 2, -(c.delta + c.D) / 2
    ep, en = lib.exp(lp * tau), lib.exp(lm * tau)
    A = c.cp * ep + c.cm * en
    A_dot = c.cp * lp * ep + c.cm * lm * en

    def E(k):
        return tau if k == 0 else lib.expm1(k * tau) / k

    integral = c.cp**2 * E(c.delta + c.D) + 2 * c.cp * c.cm * E(c.delta) + c.cm**2 * E(c.delta - c.D)
    decay = lib.exp(-c.delta * tau)
    m = decay * lib.sqrt(1 + 2 * integral)
    a = A / m
    return [a * (A_dot / c.s * b + decay * p) / m for b, p in zip(c.bhat, c.wperp)]
