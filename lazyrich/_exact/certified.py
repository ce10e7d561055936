r"""Certified enclosures of the exact solutions with Arb ball arithmetic (python-flint).

Each closed form is evaluated by the *same* code as its float64/mpmath paths, with
``flint.arb`` balls as the numbers (:class:`ArbScalar`), driven by :func:`auto_precision`.
See :mod:`lazyrich._numerics.arb` for the namespace and the precision loop.
"""

from __future__ import annotations

import numpy as np

from .._base.validation import as_bits, as_model, as_time_grid, nonnegative
from .._numerics.arb import Enclosure, require_flint
from .aligned import AlignedMode
from .mixed_aligned import MixedAlignedMode
from .two_layer_arb import certified_qqt_balls

__all__ = [
    "certified_aligned_singular_value",
    "certified_mixed_aligned_singular_value",
    "certified_qqt",
    "certified_single_neuron",
    "stable_qqt_error_bound",
]


def stable_qqt_error_bound(net, scale: float) -> float:
    """Stated error bound of the float64 stable ``qqt`` (max-norm): ``(4 (n + condition) + g) eps scale``.

    Measured errors against these enclosures are 2-3 ``eps * scale`` at condition <= 15 and
    grow like ``0.1 condition eps`` beyond (see :class:`TwoLayerExact`). ``g = (ell / s_min)^2``
    when ``N_i != N_o`` and the extra modes grow (``ell = sgn(N_o - N_i) lambda / 2 > 0``), else 0:
    there the error peaks at the transition time at ``0.02-0.08 (lambda / s_min)^2 eps scale``
    (measured over random 4-2-2 and 2-2-4 tasks, ``|lambda|`` = 30..100), a factor >= 3 below ``g``.
    Empirical, not rigorous. ``net`` is a :class:`TwoLayerExact`, ``scale`` a finite number >= 0.
    """
    as_model(net, "net", "TwoLayerExact", "qqt")
    scale = nonnegative(scale, "scale")
    n = net.n_in + net.n_out
    eps = float(np.finfo(float).eps)
    spec = net.spectrum
    growth = 0.0
    if spec.p_perp.shape[1] > 0 and float(spec.ell) > 0:
        s = np.asarray(spec.s, dtype=float)
        s_min = max(float(s.min()), eps * max(float(s.max()), 1.0))
        growth = (float(spec.ell) / s_min) ** 2
    return (4.0 * (n + max(float(net.condition), 1.0)) + growth) * eps * scale


def certified_aligned_singular_value(t, s0, s_target, lam, tau=1.0, bits: int = 100) -> Enclosure:
    r"""Certified enclosure of :func:`aligned_singular_value` (Dominé et al. (2025), Thm 5.1), same formula, in Arb.

    Parameters
    ----------
    t : float or 1-D array, >= 0
    s0, s_target, lam, tau : float
        As in :func:`aligned_singular_value` (taken as exact binary numbers).
    bits : int
        Requested relative accuracy: radius <= ``2^-bits`` times the largest value.

    Returns
    -------
    Enclosure
        One ball per time (shape ``(T,)``; ``(1,)`` for scalar ``t``).

    Examples
    --------
    >>> from lazyrich import aligned_singular_value
    >>> enc = certified_aligned_singular_value([0.5, 1e6], 0.1, 2.0, lam=0.5)
    >>> enc.within(aligned_singular_value([0.5, 1e6], 0.1, 2.0, lam=0.5), bound=1e-14)
    True
    >>> bool(enc.rad.max() < 1e-29)
    True
    """
    return AlignedMode(s0, s_target, lam, tau).certified(t, bits).take((slice(None), 0))


def certified_mixed_aligned_singular_value(t, s0, s_target, c, bits: int = 100) -> Enclosure:
    r"""Certified enclosure of :func:`mixed_aligned_singular_value` (derived here, Tu et al. (2024), eq. (1)), same formula, in Arb.

    Examples
    --------
    >>> from lazyrich import mixed_aligned_singular_value
    >>> enc = certified_mixed_aligned_singular_value([1.0, 1e6], -1.0, 2.0, 0.5)
    >>> enc.within(mixed_aligned_singular_value([1.0, 1e6], -1.0, 2.0, 0.5), bound=1e-14)
    True
    """
    return MixedAlignedMode(s0, s_target, c).certified(t, bits).take((slice(None), 0))


def certified_qqt(net, t, bits: int = 100) -> Enclosure:
    r"""Certified enclosure of :math:`QQ^T(t)` of a :class:`TwoLayerExact` (Dominé et al. (2025), Thm 4.3: the stable form in Arb).

    The stable form on Arb balls with a rigorous eigendecomposition of ``F`` (only decaying
    exponentials: the precision does not grow with ``t``, so ``t = 1e6`` costs what ``t = 1`` does);
    the eigenbasis Fukumizu form where ``q+`` is singular or ``N_h > min(N_i, N_o)`` (repeated task
    singular values through a basis of each eigenspace); the basis-free Fukumizu form with Arb's matrix
    exponential for a rank-deficient task (its precision grows like ``4 mu_max t / ln 2`` bits).
    See :mod:`lazyrich._exact.two_layer_arb`.

    Returns
    -------
    Enclosure
        Balls of shape ``(T, n, n)`` (``n = N_i + N_o``), radius <= ``2^-bits`` times the largest entry.

    Examples
    --------
    >>> from lazyrich import TwoLayerExact, lambda_balanced_init
    >>> W1, W2 = lambda_balanced_init(3, 2, 2, lam=0.5, sigma=0.3, seed=1)
    >>> net = TwoLayerExact(W1, W2, np.array([[2.0, 0.0, 0.0], [0.0, 1.0, 0.0]]))
    >>> enc = certified_qqt(net, [1.0, 30.0, 1e6])
    >>> enc.within(net.qqt([1.0, 30.0, 1e6]), bound=1e-12)
    True
    """
    require_flint()
    as_model(net, "net", "TwoLayerExact", "qqt")
    grid, _ = as_time_grid(t)
    return certified_qqt_balls(net, grid, as_bits(bits))


def certified_single_neuron(sn, t, bits: int = 100) -> tuple[Enclosure, Enclosure, Enclosure]:
    r"""Certified enclosures of ``a(t)``, ``w(t)`` and ``beta(t)`` of a :class:`SingleNeuronExact` (derived here, Kunin et al. (2024), Sec. 3).

    The same constants and t-evaluation (:mod:`lazyrich._exact.single_neuron_formula`) as the float64
    and mpmath paths, on Arb balls (:meth:`SingleNeuronExact.arb_state_evaluator`); the closed form of the integral is used at every ``tau``
    (its small-``tau`` cancellation only widens the balls, which the automatic precision absorbs).

    Returns
    -------
    (a, w, beta) : Enclosure
        Shapes ``(T,)``, ``(T, d)``, ``(T, d)``.

    Examples
    --------
    >>> from lazyrich import SingleNeuronExact
    >>> sn = SingleNeuronExact(0.1, [1.0, 0.5], [1.0, -2.0])
    >>> a, w, beta = certified_single_neuron(sn, [0.0, 3.0, 1e6])
    >>> beta.within(sn.beta([0.0, 3.0, 1e6]), bound=1e-13) and a.within(sn.a([0.0, 3.0, 1e6]), bound=1e-13)
    True
    """
    as_model(sn, "sn", "SingleNeuronExact", "arb_state_evaluator", "certified")
    enc = sn.certified(t, bits, make=sn.arb_state_evaluator)
    b, d = enc.balls, sn.d
    return (
        Enclosure(b[:, 0].copy(), enc.prec),
        Enclosure(b[:, 1 : 1 + d].copy(), enc.prec),
        Enclosure(b[:, 1 + d :].copy(), enc.prec),
    )
