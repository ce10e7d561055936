r"""Certified enclosures of the exact solutions with Arb ball arithmetic (python-flint).

Each closed form is evaluated by the *same* code as its float64/mpmath paths, with
``flint.arb`` balls as the numbers: Arb propagates a rigorous error bound through
every operation, so the returned ball is guaranteed to contain the exact value of the
closed form at the float inputs (taken as exact binary numbers). The working
precision is chosen automatically: it starts from the requested accuracy plus the
cancellation the formula is known to suffer, and doubles until the radius is below
``2^-bits`` relative to the value (or :class:`PrecisionError` past ``MAX_PREC`` bits).

The scalar closed forms (aligned, mixed, single neuron) are the very functions of their
float64/mpmath paths, called with :class:`ArbScalar` as the namespace and driven by
:func:`auto_precision`. The two-layer enclosure is the one deliberate exception: it uses the
basis-free Riccati solution (digest §3.3)
:math:`QQ^T = e^{Ft}Q_0\,(I + Q_0^T\!\int_0^t e^{2Fs}ds\,Q_0)^{-1}Q_0^Te^{Ft}` with
Arb's rigorous matrix exponential instead of the eigenbasis stable form. The stable form
needs the eigenvectors of ``F``, and ``F`` has repeated eigenvalues by construction
(``±lambda/2`` on the ``|N_i - N_o|``-dimensional complement; equal task singular values):
an eigenvector of a repeated eigenvalue is not a continuous function of the inputs, so no
ball can enclose it, whereas ``e^{Ft}`` is entire in ``F``. The price is cancellation of
about ``3 mu_max t / ln 2`` bits, so it is practical up to ``t ~ 1e4`` (the scalar forms,
with only decaying exponentials, at any t).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import mpmath
import numpy as np

from ._aligned import _s_of_t
from ._errors import InvalidParameterError, MissingDependencyError, PrecisionError
from ._mixed import _solution_mp
from ._single_neuron import _closed_form_integral, _ratios, _unit_constants
from ._validation import as_scalar, as_time_grid, nonnegative, positive

__all__ = [
    "ArbScalar",
    "Enclosure",
    "auto_precision",
    "certified_aligned_singular_value",
    "certified_mixed_aligned_singular_value",
    "certified_qqt",
    "certified_single_neuron",
    "require_flint",
    "stable_qqt_error_bound",
]

#: Largest working precision (bits) before giving up.
MAX_PREC = 1 << 18


def require_flint():
    """Import python-flint or raise :class:`MissingDependencyError` naming the extra to install."""
    try:
        import flint
    except ImportError:  # pragma: no cover - exercised with flint hidden in tests
        raise MissingDependencyError(
            "certified (Arb) evaluation needs python-flint: pip install 'lazyrich[fast]'"
        ) from None
    return flint


def exact_arb(x):
    """A float (or mpmath ``mpf``) as an *exact* Arb ball (python-flint rounds floats to ``ctx.prec`` otherwise)."""
    flint = require_flint()
    if isinstance(x, mpmath.mpf):
        sign, man, exp, _ = x._mpf_
        if man == 0:
            return flint.arb(0)
        return flint.arb((flint.fmpz(-int(man) if sign else int(man)), int(exp)))  # man * 2^exp, exact
    if isinstance(x, flint.arb):
        return x
    man, exp = math.frexp(float(x))
    return flint.arb((flint.fmpz(int(math.ldexp(man, 53))), exp - 53))  # exact at any ctx.prec


def _upper(b) -> float:
    """A float >= every point of the (non-negative) ball ``b``."""
    return math.nextafter(float(b.upper()), math.inf)


@dataclass(frozen=True)
class Enclosure:
    """Rigorous balls around the exact values, with float views.

    Attributes
    ----------
    balls : ndarray of ``flint.arb``
        Each ball contains the exact value.
    prec : int
        Working precision (bits) that produced them.
    """

    balls: np.ndarray
    prec: int

    @property
    def mid(self) -> np.ndarray:
        """Midpoints rounded to float64."""
        return np.vectorize(lambda b: float(b.mid()), otypes=[float])(self.balls)

    @property
    def rad(self) -> np.ndarray:
        """Radii (upper bounds, float64): the exact value is within ``rad`` of the full-precision midpoint."""
        return np.vectorize(lambda b: _upper(b.rad()), otypes=[float])(self.balls)

    def take(self, index) -> Enclosure:
        """The enclosure of ``balls[index]`` (e.g. a slice of times)."""
        return Enclosure(self.balls[index], self.prec)

    def distance_bound(self, x) -> np.ndarray:
        """Certified upper bound on ``|x - exact|`` entrywise (``x`` float or mpf, same shape as ``balls``)."""
        xs = np.asarray(x, dtype=object).reshape(self.balls.shape)
        return np.vectorize(lambda v, b: _upper(abs(exact_arb(v) - b)), otypes=[float])(xs, self.balls)

    def within(self, x, bound=0.0) -> bool:
        """True iff every entry of ``x`` is *certainly* within ``bound`` (its stated error) of the exact value.

        Uses ``|x - exact| <= |x - mid| + rad``, so it is conservative: False when undecidable.
        """
        return bool(np.all(self.distance_bound(x) <= np.asarray(bound, dtype=float)))

    def contains(self, x, slack=0.0) -> bool:
        """True iff every entry of ``x`` (float or mpf, exact) lies in its ball widened by ``slack``."""
        flint = require_flint()
        xs = np.asarray(x, dtype=object).reshape(self.balls.shape)
        widen = flint.arb(0, exact_arb(float(slack))) if slack else flint.arb(0)
        return all((b + widen).contains(exact_arb(v)) for v, b in zip(xs.flat, self.balls.flat))


def stable_qqt_error_bound(net, scale: float) -> float:
    """Stated error bound of the float64 stable ``qqt`` (max-norm): ``(4 (n + condition) + g) eps scale``.

    Measured errors against these enclosures are 2-3 ``eps * scale`` at condition <= 15 and
    grow like ``0.1 condition eps`` beyond (see :class:`TwoLayerExact`). ``g = (ell / s_min)^2``
    when ``N_i != N_o`` and the extra modes grow (``ell = sgn(N_o - N_i) lambda / 2 > 0``), else 0:
    there the error peaks at the transition time at ``0.02-0.08 (lambda / s_min)^2 eps scale``
    (measured over random 4-2-2 and 2-2-4 tasks, |lambda| = 30..100), a factor >= 3 below ``g``.
    Empirical, not rigorous.
    """
    n = net.n_in + net.n_out
    eps = float(np.finfo(float).eps)
    spec = net._spec
    growth = 0.0
    if spec.p_perp.shape[1] > 0 and float(spec.ell) > 0:
        s = np.asarray(spec.s, dtype=float)
        s_min = max(float(s.min()), eps * max(float(s.max()), 1.0))
        growth = (float(spec.ell) / s_min) ** 2
    return (4.0 * (n + max(float(net.condition), 1.0)) + growth) * eps * scale


def _bits_arg(bits) -> int:
    if isinstance(bits, bool) or not isinstance(bits, (int, np.integer)) or bits < 1:
        raise InvalidParameterError(f"bits must be a positive integer (relative accuracy 2^-bits); got {bits!r}")
    return int(bits)


def auto_precision(evaluate, bits: int, start: int) -> Enclosure:
    """Certified driver shared by every closed form: run ``evaluate()`` (returns an object array of arb) at rising ``ctx.prec`` until radii <= 2^-bits * scale."""
    flint = require_flint()
    prec = max(start, bits + 32)
    saved = flint.ctx.prec
    try:
        while True:
            if prec > MAX_PREC:
                raise PrecisionError(
                    f"could not certify {bits} bits below {MAX_PREC} bits of working precision; "
                    "ask for fewer bits or a smaller t"
                )
            flint.ctx.prec = prec
            balls = evaluate()
            finite = all(b.is_finite() for b in balls.flat)
            if finite:
                scale = max(float(abs(b).upper()) for b in balls.flat)
                worst = max(float(b.rad()) for b in balls.flat)
                if worst <= math.ldexp(max(scale, 1e-300), -bits):
                    return Enclosure(balls, prec)
            prec *= 2
    finally:
        flint.ctx.prec = saved


def _object_array(vals: list) -> np.ndarray:
    out = np.empty(len(vals), dtype=object)
    for i, v in enumerate(vals):
        out[i] = v
    return out


class ArbScalar:
    """Arb balls: the scalar namespace of the closed forms (same names as ``numpy`` / ``MpmathScalar``).

    ``mpf`` takes a float or ``mpf`` *exactly* (:func:`exact_arb`).
    """

    name = "arb"
    mpf = staticmethod(exact_arb)

    @staticmethod
    def exp(x):
        return x.exp()

    @staticmethod
    def expm1(x):
        return x.expm1()

    @staticmethod
    def sqrt(x):
        return x.sqrt()

    @staticmethod
    def hypot(a, b):
        return (a * a + b * b).sqrt()

    @staticmethod
    def root4(x):
        return x.root(4)

    @staticmethod
    def fsum(xs):
        return sum(xs, exact_arb(0.0))


def _times(t):
    grid, scalar = as_time_grid(t)
    return grid, scalar


def certified_aligned_singular_value(t, s0, s_target, lam, tau=1.0, bits: int = 100) -> Enclosure:
    r"""Certified enclosure of :func:`aligned_singular_value` (digest §3.7), same formula, in Arb.

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
    grid, _ = _times(t)
    s0, st, lam = as_scalar(s0, "s0"), as_scalar(s_target, "s_target"), as_scalar(lam, "lam")
    tau = positive(tau, "tau")
    bits = _bits_arg(bits)

    def evaluate():
        a = [exact_arb(v) for v in (st, s0, lam, tau)]
        vals = [_s_of_t(exact_arb(x), *a, ArbScalar) for x in grid]
        return _object_array(vals)

    return auto_precision(evaluate, bits, bits + 64)


def certified_mixed_aligned_singular_value(t, s0, s_target, c, bits: int = 100) -> Enclosure:
    r"""Certified enclosure of :func:`mixed_aligned_singular_value` (digest §2.4), same formula, in Arb.

    Examples
    --------
    >>> from lazyrich import mixed_aligned_singular_value
    >>> enc = certified_mixed_aligned_singular_value([1.0, 1e6], -1.0, 2.0, 0.5)
    >>> enc.within(mixed_aligned_singular_value([1.0, 1e6], -1.0, 2.0, 0.5), bound=1e-14)
    True
    """
    grid, _ = _times(t)
    s0, st = as_scalar(s0, "s0"), as_scalar(s_target, "s_target")
    c = nonnegative(c, "c")
    bits = _bits_arg(bits)

    def evaluate():
        a = [exact_arb(v) for v in (s0, st, c)]
        vals = [_solution_mp(exact_arb(x), *a, lib=ArbScalar) for x in grid]
        return _object_array(vals)

    return auto_precision(evaluate, bits, bits + 64)


def certified_qqt(net, t, bits: int = 100) -> Enclosure:
    r"""Certified enclosure of :math:`QQ^T(t)` of a :class:`TwoLayerExact` (digest §3.3, basis-free).

    .. math::
        QQ^T(t) = e^{Ft}Q_0\Big(I + Q_0^T\!\int_0^t e^{2Fs}\,ds\;Q_0\Big)^{-1}Q_0^Te^{Ft},

    with ``t`` divided by ``tau`` and the integral read off the block exponential
    :math:`\exp\big([[2F, I], [0, 0]]\,t\big)`; every step is Arb's rigorous
    ``arb_mat.exp`` / ``solve``. Valid for every ``N_h`` and lambda. The precision
    grows like ``3 mu_max t / ln 2`` bits (the form cancels), so large ``t`` is slow.

    Returns
    -------
    Enclosure
        Balls of shape ``(T, n, n)`` (``n = N_i + N_o``).

    Examples
    --------
    >>> from lazyrich import TwoLayerExact, lambda_balanced_init
    >>> W1, W2 = lambda_balanced_init(3, 2, 2, lam=0.5, sigma=0.3, seed=1)
    >>> net = TwoLayerExact(W1, W2, np.array([[2.0, 0.0, 0.0], [0.0, 1.0, 0.0]]))
    >>> enc = certified_qqt(net, [1.0, 30.0])
    >>> enc.within(net.qqt([1.0, 30.0]), bound=1e-12)
    True
    """
    flint = require_flint()
    grid, _ = _times(t)
    bits = _bits_arg(bits)
    n = net.n_in + net.n_out
    F = np.zeros((n, n))
    F[: net.n_in, : net.n_in] = -net.lam / 2 * np.eye(net.n_in)
    F[net.n_in :, net.n_in :] = net.lam / 2 * np.eye(net.n_out)
    F[net.n_in :, : net.n_in] = net.sigma_yx
    F[: net.n_in, net.n_in :] = net.sigma_yx.T
    # lam is a float from a trace; F holds it exactly (lam/2 is a power-of-two scaling)
    mu_max = float(np.abs(np.linalg.eigvalsh(F)).max())
    t_max = float(grid.max()) / net.tau

    def mat(a):
        return flint.arb_mat([[exact_arb(v) for v in row] for row in a])

    def evaluate():
        Fa, Q0 = mat(F), mat(net.Q0)
        tau = exact_arb(net.tau)
        big = flint.arb_mat(2 * n, 2 * n)
        for i in range(n):
            big[i, n + i] = 1
            for j in range(n):
                big[i, j] = 2 * Fa[i, j]
        out = np.empty((len(grid), n, n), dtype=object)
        eye = flint.arb_mat(net.n_hidden, net.n_hidden)
        for k in range(net.n_hidden):
            eye[k, k] = 1
        for idx, x in enumerate(grid):
            s = exact_arb(x) / tau
            Y = (Fa * s).exp() * Q0
            block = (big * s).exp()
            integral = flint.arb_mat([[block[i, n + j] for j in range(n)] for i in range(n)])
            M = eye + Q0.transpose() * integral * Q0
            X = Y * M.solve(Y.transpose())
            for i in range(n):
                for j in range(n):
                    out[idx, i, j] = X[i, j]
        return out

    return auto_precision(evaluate, bits, bits + 64 + math.ceil(4 * mu_max * t_max / math.log(2)))


class _ArbNamespace:
    """The single-neuron t-evaluation namespace (``exp``, ``sqrt``, ``em``, ``integral``) on Arb balls."""

    exp = staticmethod(ArbScalar.exp)
    sqrt = staticmethod(ArbScalar.sqrt)

    @staticmethod
    def em(k, tau):
        r"""``(1 - e^{-k tau}) / k = tau e^{-x/2} sinh(x/2) / (x/2)``, ``x = k tau``: entire, so a ball of ``k``
        around 0 (e.g. ``delta`` of a balanced init through an inexact rate) stays finite."""
        flint = require_flint()
        half = k * tau / 2
        return tau * (-half).exp() * flint.acb(0, half).sinc().real

    @classmethod
    def integral(cls, c, tau):
        return _closed_form_integral(c, tau, cls)  # every em above is entire: no small-tau special case


def certified_single_neuron(sn, t, bits: int = 100) -> tuple[Enclosure, Enclosure, Enclosure]:
    r"""Certified enclosures of ``a(t)``, ``w(t)`` and ``beta(t)`` of a :class:`SingleNeuronExact` (digest §3.2).

    The same constants (:func:`_unit_constants`) and t-evaluation (:func:`_ratios`) as the float64
    and mpmath paths, on Arb balls; the closed form of the integral is used at every ``tau``
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
    grid, _ = _times(t)
    bits = _bits_arg(bits)
    d = sn.d

    def evaluate():
        c = _unit_constants(ArbScalar, sn.a0, sn.w0, sn.beta_star, sn.eta_a, sn.eta_w)
        out = np.empty((len(grid), 1 + 2 * d), dtype=object)
        for i, x in enumerate(grid):
            ra, rb, rp = _ratios(c, c.g * exact_arb(x), _ArbNamespace)
            w = [(rb * b + rp * p) * c.rate_a for b, p in zip(c.bhat, c.wperp)]
            out[i, 0] = ra / c.rate_a
            for j in range(d):
                out[i, 1 + j] = w[j]
                out[i, 1 + d + j] = ra * (rb * c.bhat[j] + rp * c.wperp[j])
        return out

    enc = auto_precision(evaluate, bits, bits + 64)
    b = enc.balls
    return (
        Enclosure(b[:, 0].copy(), enc.prec),
        Enclosure(b[:, 1 : 1 + d].copy(), enc.prec),
        Enclosure(b[:, 1 + d :].copy(), enc.prec),
    )
