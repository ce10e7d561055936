# size: one solution (implicit t(u), its float64 and mpmath inversions) around the private _Mode it shares
r"""The aligned mode of a depth-N balanced linear network, solved exactly (implicit ``t(u)``, certified root).

A balanced depth-N linear network :math:`W = W_N\cdots W_1` whose modes are aligned with the task
has, per mode, the product singular value :math:`u = \prod_l a_l` of the layers' equal mode strengths
:math:`|a_l| = |u|^{1/N}`, and gradient flow reduces to

.. math::
    \tau \dot u = N |u|^{2 - 2/N} (s - u)

(Saxe et al. (2014), deep networks; Arora, Cohen, Hazan (2018), Thm 1 restricted to one aligned mode).
With :math:`y = |u/s|`, :math:`\epsilon = \operatorname{sign}(s u_0)`, :math:`x = y^{1/N}` and the scaled
time :math:`T = t |s|^{2-2/N}/\tau` it reads :math:`dx/dT = x^{N-1}(\epsilon - x^N)`, so

.. math::
    T = \epsilon\,[F_\epsilon(x) - F_\epsilon(x_0)],\qquad
    F_\epsilon(x) = \frac{x^{2-N}}{2-N} + \epsilon\Big[-\frac1N\ln|1 - \epsilon x^N| + R_\epsilon(x)\Big],

derived here by partial fractions over the roots :math:`\omega = e^{i\theta}` of :math:`\omega^N = \epsilon`
(:math:`x/(1 - \epsilon x^N) = \frac1N\sum_\omega \omega^2/(\omega - x)`), with

.. math::
    R_\epsilon(x) = \frac2N \sum_{0<\theta<\pi} \Big[\sin^2\theta\,\ln(1 - 2x\cos\theta + x^2)
        + \sin 2\theta\,\operatorname{atan2}(x\sin\theta,\ 1 - x\cos\theta)\Big].

For :math:`x > 1` the same integral in :math:`\zeta = 1/x` (:math:`dF_\epsilon = \epsilon\zeta^{2N-3}/(1 - \epsilon
\zeta^N)\,d\zeta`) avoids the cancellation of the large logarithms: a power series for :math:`\zeta^N \le 1/2`,
the conjugate closed form above it. Time is inverted by a safeguarded Newton iteration in the log-odds variable
``w`` (``ln(y/(1-y))``, ``ln(y/(y-1))`` or ``ln((1+y)/y)``), in which :math:`dw/dT = N y^{1-2/N}` and the
bracket comes from monotonicity of ``y`` along the flow. Far above the target (``|s| < 10^-3 |u0|``) the time
increment ``T`` drowns in the O(1) logarithms of :math:`F_\epsilon`: there a series in ``s/u`` without cancellation
takes over (:mod:`lazyrich._exact.deep_aligned_far`) until ``|s/u| = 10^-3``, and the implicit solution restarts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import mpmath
import numpy as np

from .._base.errors import InvalidParameterError, PrecisionError
from .._base.validation import as_digits, as_scalar, as_time_grid, check_work, positive, positive_int
from .._numerics.precision import confirmed_mpmath
from .deep_aligned_far import RHO, far_values

__all__ = ["MAX_DEPTH", "deep_aligned_singular_value", "deep_aligned_time"]

_MAX_ITER = 2000

#: Default largest ``depth`` accepted by :func:`deep_aligned_singular_value` and :func:`deep_aligned_time`.
#: One evaluation of :math:`F_\epsilon` sums ``N/2`` root terms, so the cost grows linearly with ``N``
#: (about 0.06 s per time in float64 and 7 s with ``dps=20`` at ``N = 10^4``): a deeper request is a typo or
#: a runaway loop, refused before any work starts. Both functions take ``max_depth=`` to raise it.
MAX_DEPTH = 10_000


class _F64:
    """float64 scalar functions (``math``) the formulas are written over."""

    exp, log, log1p, expm1 = math.exp, math.log, math.log1p, math.expm1
    sin, cos, atan2 = math.sin, math.cos, math.atan2
    mpf = float
    eps = 2.0**-52

    @staticmethod
    def pi():
        return math.pi


class _MP:
    """mpmath scalar functions at the current working precision."""

    exp, log, log1p, expm1 = mpmath.exp, mpmath.log, mpmath.log1p, mpmath.expm1
    sin, cos, atan2 = mpmath.sin, mpmath.cos, mpmath.atan2

    @staticmethod
    def mpf(x):
        return mpmath.mpf(x) if isinstance(x, (str, mpmath.mpf)) else mpmath.mpf(float(x))

    @staticmethod
    def pi():
        return +mpmath.pi


def _softplus(w, lib):
    """``ln(1 + e^w)`` without overflow."""
    return (w if w > 0 else 0) + lib.log1p(lib.exp(-abs(w)))


def _log_expm1(w, lib):
    """``ln(e^w - 1)`` for ``w > 0`` without overflow."""
    return w + lib.log1p(-lib.exp(-w)) if w > 1 else lib.log(lib.expm1(w))


@dataclass
class _Mode:
    """One normalized problem: ``dy/dT = N y^{2-2/N} (eps - y)`` from ``y0 = |u0/s|`` (``N >= 3``).

    ``case`` is ``"up"`` (eps = 1, y0 < 1), ``"down"`` (eps = 1, y0 > 1) or ``"decay"`` (eps = -1).
    """

    N: int
    case: str
    w0: object
    lny0: object
    angles: list
    lib: object

    @property
    def eps(self) -> int:
        return -1 if self.case == "decay" else 1

    # --- the log-odds variable
    def lny(self, w):
        lib = self.lib
        if self.case == "up":
            return -_softplus(-w, lib)
        if self.case == "down":
            return -lib.log(-lib.expm1(-w))
        return -_log_expm1(w, lib)

    def y(self, w):
        return self.lib.exp(self.lny(w))

    def log_gap(self, w):
        """``ln|1 - eps y|``."""
        lib = self.lib
        if self.case == "up":
            return -_softplus(w, lib)
        if self.case == "down":
            return -_log_expm1(w, lib)
        return w + self.lny(w)  # ln(1 + y) = w + ln y

    def rate(self, w):
        """``dT/dw = 1 / (N y^{1-2/N})``."""
        N = self.N
        return self.lib.exp(-(N - 2) * self.lny(w) / N) / N

    # --- anchored pieces of F
    def _pdiff(self, dlnx, lnx_b):
        """``P(x_a) - P(x_b)`` for ``P(x) = x^{2-N}/(2-N)`` and ``dlnx = ln x_a - ln x_b`` (no cancellation)."""
        k = 2 - self.N
        lib = self.lib
        return lib.exp(k * lnx_b) * lib.expm1(k * dlnx) / k

    def _r(self, x, flip):
        """``R_eps(x) - R_eps(0)`` (``flip``: the ``zeta`` form, ``sin 2 theta -> -sin 2 theta``)."""
        lib = self.lib
        total = 0 * x
        for c, s, s2, sin2 in self.angles:
            total += s2 * lib.log1p(x * (x - 2 * c)) + (-sin2 if flip else sin2) * lib.atan2(x * s, 1 - x * c)
        return 2 * total / self.N

    def small(self, w):
        """``F_eps(x) - P(x) - F_eps-part at 0``: the non-power part of the small-``x`` form."""
        lny = self.lny(w)
        x = self.lib.exp(lny / self.N)
        return self.eps * (-self.log_gap(w) / self.N + self._r(x, False))

    def large(self, w):
        """``Lambda(zeta) = F(1/zeta) - F(infinity)``, ``zeta = 1/x``: series for ``zeta^N <= 1/2``, else closed.

        Closed: ``Lambda = -zeta^(N-2)/(N-2) + w/N + eps (R~(zeta) - R~(0))`` (``ln|1 - eps zeta^N| = -eps w``).
        Series: ``eps sum_j eps^j zeta^((j+2)N-2) / ((j+2)N-2)``, without the closed form's cancellation.
        """
        lib, N, e = self.lib, self.N, self.eps
        lny = self.lny(w)
        r = lib.exp(-lny)  # zeta^N
        zk = lib.exp(-(N - 2) * lny / N)  # zeta^(N-2)
        if r <= 0.5:
            tol = self.unit / 8
            total, term, j = 0 * r, zk, 0
            while True:
                term = term * r * (e if j else 1)
                add = term / ((j + 2) * N - 2)
                total += add
                j += 1
                if abs(add) <= tol * abs(total):
                    return e * total
        x = lib.exp(-lny / N)  # zeta
        return -zk / (N - 2) + w / N + e * self._r(x, True)

    @property
    def unit(self):
        return _F64.eps if self.lib is _F64 else mpmath.eps

    # --- elapsed scaled time from w0 to w
    def prepare(self):
        """Precompute the ``w0`` pieces (once per mode and working precision)."""
        if self.case == "up":
            self.base0 = self.small(self.w0)
        elif self.case == "down":
            self.base0 = self.large(self.w0)
        else:
            self.ln2 = self.lib.log(self.lib.mpf(2))
            if self.w0 < self.ln2:  # x0 > 1: the large form until x = 1, the small one after
                self.base0 = self.large(self.w0)
                self.cross = self.base0 - self.large(self.ln2) + self.small(self.ln2)
            else:
                self.base0 = self.small(self.w0)
        return self

    def elapsed(self, w):
        """``T(w) - T(w0)``, each term without cancellation against the others."""
        N, lib, w0 = self.N, self.lib, self.w0
        if self.case == "up":
            if w <= 0:  # ln y - ln y0, from whichever softplus is small
                d = (w - w0) - (_softplus(w, lib) - _softplus(w0, lib))
            else:
                d = _softplus(-w0, lib) - _softplus(-w, lib)
            return self._pdiff(d / N, self.lny0 / N) + self.small(w) - self.base0
        if self.case == "down":
            return self.large(w) - self.base0
        lnx = self.lny(w) / N
        if self.w0 >= self.ln2:  # x0 <= 1
            return self._pdiff(self.lny0 / N - lnx, lnx) + self.base0 - self.small(w)
        if w <= self.ln2:  # still x >= 1
            return self.base0 - self.large(w)
        return self._pdiff(-lnx, lnx) + self.cross - self.small(w)

    def bracket(self, T):
        """``[lo, hi]`` holding ``w(T)``: ``dw/dT = N y^{1-2/N}`` with ``y`` monotone along the flow."""
        N, lib, w0, lny0 = self.N, self.lib, self.w0, self.lny0
        a = (N - 2) / self.lib.mpf(N)
        r0 = N * lib.exp(a * lny0) * T  # N y0^{1-2/N} T
        if self.case == "up":  # y0 <= y < 1, and y <= the eps-free power law
            lo, hi = w0 + r0, w0 + N * T
            b = lib.exp(-a * lny0) - (N - 2) * T
            if b > 1:
                lnyp = -lib.log(b) / a
                hi = min(hi, lnyp - lib.log(-lib.expm1(lnyp)))
        elif self.case == "down":  # 1 < y <= y0, and y >= the s = 0 solution
            lo, hi = w0 + N * T, w0 + r0
            c = (2 * N - 2) / self.lib.mpf(N)
            lnys = -lib.log(lib.exp(-c * lny0) + (2 * N - 2) * T) / c
            if lnys > 0:
                hi = min(hi, -lib.log(-lib.expm1(-lnys)))
        else:  # 0 < y <= y0, below the eps-free power law
            lnyp = -lib.log(lib.exp(-a * lny0) + (N - 2) * T) / a
            lo = max(w0, _softplus(-lnyp, lib))
            hi = min(w0 + r0, w0 + lib.log1p((N - 2) * T * lib.exp(a * lny0)) / a)
        widen = 8 * self.unit
        return lo - widen * self.scale(lo), hi + widen * self.scale(hi)

    def scale(self, w):
        """Size of ``w`` that a rounding error is relative to: ``|w|`` where ``y`` is large (then
        ``|dy/y| = |dw/w|``), else ``1 + |w|`` (``|dy/y| <= |dw|``)."""
        return abs(w) if self.case != "up" and abs(w) < 1 else 1 + abs(w)

    def solve(self, T, guess=None):
        """``w`` with ``elapsed(w) = T``: Newton safeguarded by bisection inside the certified bracket."""
        if T == 0:
            return self.w0
        lo, hi = self.bracket(T)
        if lo == math.inf:  # only for t * |s|^{2-2/N} / tau beyond the float range: the limit
            return lo
        if not lo < hi:
            return lo
        f_lo, f_hi = self.elapsed(lo) - T, self.elapsed(hi) - T
        if f_lo >= 0:
            return lo
        if f_hi <= 0:
            return hi
        w = guess if guess is not None and lo < guess < hi else lo
        f, df = self.elapsed(w) - T, self.rate(w)
        step_old = step = hi - lo
        tol = 4 * self.unit
        for _ in range(_MAX_ITER):
            newton = w - f / df
            if not (lo < newton < hi) or abs(2 * f) > abs(step_old * df):
                # bisect; geometrically where the bracket spans orders of magnitude (w > 0 there)
                mid = lo**0.5 * hi**0.5 if lo > 0 and hi > 4 * lo else (lo + hi) / 2
                step_old, step = step, hi - lo
                w = mid
            else:
                step_old, step = step, f / df
                w = newton
            if abs(step) <= tol * self.scale(w) or hi - lo <= tol * self.scale(w):
                return w
            f, df = self.elapsed(w) - T, self.rate(w)
            if f == 0:
                return w
            if f < 0:
                lo = w
            else:
                hi = w
        return w  # pragma: no cover - the bracket halves at least every other step


def _angles(N: int, eps: int, lib) -> list:
    """``(cos, sin, sin^2, sin 2 theta)`` of the roots ``e^{i theta}`` of ``omega^N = eps`` with ``0 < theta < pi``."""
    out = []
    for k in range(N):
        num = 2 * k if eps == 1 else 2 * k + 1  # theta = num pi / N
        if 0 < num < N:
            th = num * lib.pi() / N
            c, s = lib.cos(th), lib.sin(th)
            out.append((c, s, s * s, 2 * s * c))
    return out


def _mode(u0, s, N: int, lib) -> _Mode:
    """The normalized problem for ``u0 > 0``, ``s != 0``, ``u0 != s``."""
    if s > 0 and u0 < s:
        case, w0 = "up", lib.log(u0) - lib.log(s - u0)
    elif s > 0:
        case, w0 = "down", -lib.log1p(-s / u0)  # small when u0 >> s: relative accuracy matters
    else:
        r = -s / u0  # beyond the float range when u0 is subnormal: then ln((u0 - s)/u0) from the logarithms
        case, w0 = "decay", lib.log1p(r) if r < 1e300 else lib.log(-s) - lib.log(u0) + lib.log1p(u0 / -s)
    m = _Mode(N, case, w0, None, _angles(N, -1 if case == "decay" else 1, lib), lib)
    m.lny0 = m.lny(w0)
    return m


def _depth(depth, max_depth) -> int:
    """``depth`` as an ``int``, checked against ``max_depth`` (the work grows like ``depth``) before any work."""
    N = positive_int(depth, "depth", hint="the number of layers N")
    check_work(N, positive_int(max_depth, "max_depth"), "layers", "max_depth")
    return N


def _time_scale(s, N: int, tau, lib):
    """``|s|^{2-2/N} / tau``: scaled time ``T`` per unit ``t``."""
    return lib.exp((2 * N - 2) * lib.log(abs(s)) / N) / tau


def _evaluate(times, u0, s, N: int, tau, lib, guesses=None) -> tuple[list, list]:
    """``(u(t), w(t))`` at each time, over the scalar namespace ``lib`` (``w`` is None where unused)."""
    sign = -1 if u0 < 0 else 1  # u -> -u, s -> -s maps the flow to itself
    u0, s = sign * u0, sign * s
    out, ws = [], [None] * len(times)
    if N == 1:  # tau du/dt = s - u
        for t in times:
            x = -t / tau
            out.append(sign * (u0 * lib.exp(x) - s * lib.expm1(x)))
        return out, ws
    if u0 == 0 or u0 == s:  # fixed points
        return [sign * u0 for _ in times], ws
    if s == 0:  # tau du/dt = -N u^{3-2/N}: u^{-(2-2/N)} grows linearly
        c = (2 * N - 2) * lib.exp((2 * N - 2) * lib.log(u0) / N) / tau  # inf when tau is subnormal
        ln_c = lib.log(2 * N - 2) + (2 * N - 2) * lib.log(u0) / N - lib.log(tau)

        def log1p_ct(t):  # log(1 + c t); in logs where c t leaves the float range (e.g. a subnormal tau)
            ct = c * t
            if ct < math.inf:
                return lib.log1p(ct)
            ln_ct = ln_c + lib.log(t)
            return ln_ct + lib.log1p(lib.exp(-ln_ct))

        return [sign * u0 * lib.exp(-N * log1p_ct(t) / (2 * N - 2)) if t else sign * u0 for t in times], ws
    if abs(s) < RHO * u0:  # far above the target: the series route while |s/u| <= RHO (deep_aligned_far)
        eps = lib.eps if lib is _F64 else mpmath.eps
        out = far_values(times, u0, s, N, tau, lib, eps, lambda t, u1: _evaluate([t], u1, s, N, tau, lib)[0][0])
        return [sign * v for v in out], ws
    mode = _mode(u0, s, N, lib)
    if N > 2:
        mode.prepare()
    scale = _time_scale(s, N, tau, lib)
    w = None
    for i, t in enumerate(times):
        if t == 0:
            out.append(sign * u0)
            continue
        T = t * scale if scale < math.inf else lib.exp(lib.log(t) + (2 * N - 2) * lib.log(abs(s)) / N - lib.log(tau))
        if T == math.inf:  # beyond the float range: the limit (y(inf) is 1 or 0 in every case)
            w = T
        elif N == 2:  # dw/dT = 2: the logistic
            w = mode.w0 + 2 * T
        else:
            guess = guesses[i] if guesses is not None else w
            w = mode.solve(T, None if guess is None else lib.mpf(guess))
        ws[i] = w
        lny = mode.lny(w)  # y = |u/s| can exceed the float range when |s| is subnormal: then u = e^{ln|s| + ln y}
        out.append(sign * (abs(s) * lib.exp(lny) if abs(lny) < 700 else lib.exp(lib.log(abs(s)) + lny)))
    return out, ws


def _guard(t, u0, s, N: int, tau) -> int:
    """Working digits the formula can lose: the size of the cancelling terms (``T``, ``x0^{2-N}``, ``ln y0``)."""
    if u0 == 0 or s == 0 or N == 1:
        return 10 + math.ceil(math.log10(3.0) + max(0.0, math.log10(float(t) or 1.0) - math.log10(float(tau))))
    lny0 = math.log(abs(u0)) - math.log(abs(s))
    ln_T = math.log(max(float(t), 1e-300)) + (2 * N - 2) * math.log(abs(s)) / N - math.log(float(tau))
    # the largest cancelling term, in logs so that no scale of s or t overflows (4 bounds the sum of the 4 terms)
    ln_size = max(math.log(2.0), math.log(N) + ln_T, math.log(abs(lny0) or 1.0), min(-(N - 2) * lny0 / N, 700.0))
    return 10 + math.ceil((ln_size + math.log(4.0)) / math.log(10.0))


def deep_aligned_singular_value(
    t, u0: float, s: float, depth: int, tau: float = 1.0, dps: int | None = None, max_depth: int = MAX_DEPTH
):
    r"""Product singular value ``u(t)`` of a task-aligned mode of a balanced depth-N linear network.

    Solves, exactly,

    .. math::
        \tau\,\dot u = N\,|u|^{2-2/N}\,(s - u),\qquad u(0) = u_0,

    the aligned-mode dynamics of a balanced deep linear network :math:`W = W_N\cdots W_1`
    (Saxe et al. (2014), deep networks; the one-mode case of Arora, Cohen, Hazan (2018), Thm 1).
    Closed forms for ``N = 1`` (:math:`u = s + (u_0 - s)e^{-t/\tau}`) and ``N = 2`` (the logistic
    :math:`u/s = \sigma(w_0 + 2st/\tau)`, the ``lambda = 0`` case of
    :func:`lazyrich.aligned_singular_value`); for ``N >= 3`` the implicit
    :math:`t(u) = \tau\,\epsilon\,[F_\epsilon(x) - F_\epsilon(x_0)]/|s|^{2-2/N}` with
    :math:`x = |u/s|^{1/N}` (derived here by partial fractions, see the module docstring and
    :func:`deep_aligned_time`) inverted by Newton's method safeguarded by bisection inside a bracket
    that the flow's monotonicity certifies, in a log-odds variable: stable in float64 at every ``t``.

    Parameters
    ----------
    t : float or 1-D array, >= 0
    u0 : float
        Initial product singular value :math:`u_0 = \prod_l a_l(0)`. Any real: ``u0 = 0`` is a fixed
        point for ``N >= 2``; a negative ``u0`` (an odd number of sign-flipped layer modes) follows
        from :math:`u \to -u, s \to -s`, which maps the flow to itself (as in
        :func:`lazyrich.aligned_singular_value`). For ``s u0 < 0`` and ``N >= 2`` the mode decays to the
        saddle ``u = 0`` and never changes sign.
    s : float
        Task singular value (``s = 0``: :math:`u = u_0(1 + (2N-2)|u_0|^{2-2/N}t/\tau)^{-N/(2N-2)}`).
    depth : int
        Number of layers ``N >= 1``.
    tau : float
        Time constant, > 0.
    dps : int, optional
        If given, return ``mpf`` values (a list for array ``t``) correct to ``dps`` significant digits: the
        same formulas and root-find in mpmath at ``dps`` plus guard digits (the size of the cancelling terms),
        confirmed by re-evaluation at a higher precision.
    max_depth : int
        Largest ``depth`` accepted (default :data:`MAX_DEPTH` = 10000): the work grows linearly with
        ``depth``, so a larger one is refused before any work starts; pass a larger value to allow it.

    Returns
    -------
    float, (T,) array, mpf or list of mpf

    Raises
    ------
    InvalidParameterError
        ``depth`` not a positive integer or above ``max_depth``, ``tau <= 0``, ``t < 0`` or a bad ``dps``.
    NonFiniteError
        A NaN or infinite input.

    Notes
    -----
    Limits: ``N = 1`` exponential, ``N = 2`` logistic; for ``N >= 3`` the time to reach ``s/2`` from a
    small ``u0 > 0`` (the plateau, :func:`deep_aligned_time`) grows like
    :math:`\tau/((N-2)\,s\,u_0^{1-2/N})`, against :math:`(\tau/2s)\ln(s/u_0)` for ``N = 2`` and
    :math:`\tau\ln 2` for ``N = 1``. For ``t -> inf``, ``u -> s`` (``s u0 > 0``) or ``u -> 0`` (``s u0 <= 0``).

    Accuracy (float64): ``|u - u_exact| <= B eps |u|`` with ``B = float64_error_bound(t, u0, s, depth, tau)``
    (``lazyrich._exact.deep_aligned_accuracy``), derived by a first-order rounding analysis of the steps above:
    the rounding of ``T`` times the condition number :math:`\kappa_t = t|\dot u|/|u|`, of ``w0`` times
    :math:`\kappa_0 = |\partial\ln u/\partial w_0|`, of the terms of ``t(u)`` times :math:`|d\ln u/dT|`, the
    root-finder's stop and the final ``exp``; ``B`` is tens to thousands (:math:`10^{-14}` to :math:`10^{-12}`).

    Examples
    --------
    >>> round(deep_aligned_singular_value(0.0, 0.01, 2.0, depth=3), 12)
    0.01
    >>> round(deep_aligned_singular_value(1e6, 0.01, 2.0, depth=4), 12)
    2.0
    >>> t = deep_aligned_time(1.0, 0.01, 2.0, depth=3)
    >>> round(deep_aligned_singular_value(t, 0.01, 2.0, depth=3), 12)
    1.0
    """
    grid, scalar = as_time_grid(t)
    u0 = as_scalar(u0, "u0")
    s = as_scalar(s, "s")
    N = _depth(depth, max_depth)
    tau = positive(tau, "tau")
    times = grid.tolist()
    if dps is None:
        if not any(times):  # u(0) = u0 exactly, also where the mode's set-up leaves float64 (e.g. |u0 / s| > 1e308)
            vals = [u0] * len(times)
        else:
            try:
                vals, _ = _in_float64(lambda: _evaluate(times, u0, s, N, tau, _F64), "the aligned mode")
            except PrecisionError as exc:
                # the float64 set-up left its range (e.g. |s / u0| below 2^-1074, where the log-odds w0 underflows)
                # while u(t) itself may be an ordinary number: the same closed form in mpmath, correct to 17 digits
                vals = [float(v) for v in _mp_values(times, u0, s, N, tau, 17)]
                if not all(math.isfinite(v) for v in vals):
                    raise exc from None
        return vals[0] if scalar else np.array(vals, dtype=float)
    out = _mp_values(times, u0, s, N, tau, as_digits(dps))
    return out[0] if scalar else out


def _mp_values(times: list, u0: float, s: float, N: int, tau: float, dps: int) -> list:
    """``u(t)`` as mpf correct to ``dps`` digits (mpmath, confirmed by re-evaluation at a higher precision)."""
    try:  # float64 roots seed the high-precision Newton iteration; without them it starts from its bracket
        _, ws = _in_float64(lambda: _evaluate(times, u0, s, N, tau, _F64), "the aligned mode")
    except PrecisionError:
        ws = [None] * len(times)

    def prepare():
        m = _MP.mpf
        a = m(u0), m(s), m(tau)
        return lambda i: [_evaluate([m(times[i])], *a[:2], N, a[2], _MP, [ws[i]])[0][0]]

    guard = max(_guard(x, u0, s, N, tau) for x in times)
    return [v[0] for v in confirmed_mpmath(prepare, range(len(times)), dps, lambda i: guard)]


def _in_float64(evaluate, what: str):
    """``evaluate()`` in float64, with a range or domain failure turned into a typed error that says what to do."""
    try:
        out = evaluate()
    except (OverflowError, ValueError, ZeroDivisionError, FloatingPointError) as exc:
        out, cause = None, exc
    else:
        cause = None
        if all(math.isfinite(v) for v in np.ravel(np.asarray(out[0] if isinstance(out, tuple) else out, dtype=float))):
            return out
    raise PrecisionError(
        f"{what} leaves the float64 range ({cause or 'non-finite value'}); pass dps=N, or rescale: "
        "u(t; c u0, c s) = c u(c^(2-2/N) t; u0, s)"
    ) from cause


def _w_of(u, mode: _Mode, lib):
    if mode.case == "up":
        return lib.log(u) - lib.log(mode.s - u)
    if mode.case == "down":
        return lib.log(u) - lib.log(u - mode.s)
    return lib.log1p(-mode.s / u)


def _time_to(u, u0, s, N: int, tau, lib):
    """Time for the flow from ``u0`` to reach ``u`` (validated by the caller), over ``lib``."""
    if u == u0:
        return 0 * u
    if N == 1:
        return tau * (lib.log(u0 - s) - lib.log(u - s)) if u0 > s else tau * (lib.log(s - u0) - lib.log(s - u))
    sign = -1 if u0 < 0 else 1
    u, u0, s = sign * u, sign * u0, sign * s
    c = (2 * N - 2) / lib.mpf(N)
    if s == 0:
        return tau * lib.expm1(-c * (lib.log(u) - lib.log(u0))) / ((2 * N - 2) * lib.exp(c * lib.log(u0)))
    mode = _mode(u0, s, N, lib)
    mode.s = s
    w = _w_of(u, mode, lib)
    T = (w - mode.w0) / 2 if N == 2 else mode.prepare().elapsed(w)
    return T / _time_scale(s, N, tau, lib)


def deep_aligned_time(
    u: float, u0: float, s: float, depth: int, tau: float = 1.0, dps: int | None = None, max_depth: int = MAX_DEPTH
):
    r"""Time ``t`` at which the deep aligned mode of :func:`deep_aligned_singular_value` reaches ``u``.

    The implicit solution itself, derived here by partial fractions in :math:`x = |u/s|^{1/N}`
    (``N >= 3``; the module docstring gives :math:`F_\epsilon` and :math:`R_\epsilon`):

    .. math::
        t = \frac{\tau}{|s|^{2-2/N}}\,\epsilon\,[F_\epsilon(x) - F_\epsilon(x_0)],\qquad
        F_\epsilon(x) = \frac{x^{2-N}}{2-N} + \epsilon\Big[-\frac1N\ln|1-\epsilon x^N| + R_\epsilon(x)\Big],

    :math:`\epsilon = \operatorname{sign}(s u_0)`; ``N = 1``: :math:`t = \tau\ln\frac{u_0-s}{u-s}`;
    ``N = 2``: :math:`t = \frac{\tau}{2|s|}(w - w_0)` in the log-odds :math:`w = \ln\frac{u}{s-u}`.
    The **plateau length** is ``deep_aligned_time(s / 2, u0, s, N)``; as ``u0 -> 0`` it grows like
    :math:`\tau/((N-2)\,s\,u_0^{1-2/N})` for ``N >= 3`` (the leading term :math:`x_0^{2-N}/(N-2)`),
    :math:`(\tau/2s)\ln(s/u_0)` for ``N = 2`` and tends to :math:`\tau\ln 2` for ``N = 1``.

    Parameters
    ----------
    u, u0, s : float
        Target value, initial value and task singular value; ``u`` must lie on the trajectory, between
        ``u0`` (included) and its limit ``s`` (``s u0 > 0``) or ``0`` (excluded). With ``dps``, an ``mpf``
        ``u`` is used exactly (not rounded to float64).
    depth : int
        Number of layers ``N >= 1``.
    tau : float
        Time constant, > 0.
    dps : int, optional
        Return an ``mpf`` correct to ``dps`` significant digits.
    max_depth : int
        Largest ``depth`` accepted (default :data:`MAX_DEPTH`), as in :func:`deep_aligned_singular_value`.

    Returns
    -------
    float or mpf

    Raises
    ------
    InvalidParameterError
        ``u`` is never reached from ``u0``, or a bad ``depth`` (also above ``max_depth``), ``tau`` or ``dps``.

    Examples
    --------
    >>> round(deep_aligned_time(1.0, 0.5, 2.0, depth=1), 12) == round(math.log(1.5), 12)
    True
    >>> t_half = deep_aligned_time(0.5, 1e-12, 1.0, depth=3)  # the plateau: about 1 / u0^(1/3)
    >>> round(t_half * 1e-4, 3)
    1.0
    """
    exact_u = u if isinstance(u, mpmath.mpf) else None  # an mpf target is used exactly on the dps path
    u = as_scalar(u, "u")
    u0 = as_scalar(u0, "u0")
    s = as_scalar(s, "s")
    N = _depth(depth, max_depth)
    tau = positive(tau, "tau")
    if N == 1:
        ok = u == u0 or ((u0 - s) * (u - s) > 0 and abs(u - s) <= abs(u0 - s))
    else:
        limit = s if s * u0 > 0 else 0.0
        ok = u == u0 or (u0 != 0 and u0 != s and min(u0, limit) <= u <= max(u0, limit) and u != limit)
    if not ok:
        raise InvalidParameterError(
            f"u = {u} is never reached from u0 = {u0} (depth {N}, s = {s}): it must lie between u0 and the limit "
            f"{s if N == 1 or s * u0 > 0 else 0.0} of the flow, the limit excluded"
        )
    if dps is None:
        return float(_in_float64(lambda: _time_to(u, u0, s, N, tau, _F64), "the time to reach u"))
    dps = as_digits(dps)

    def prepare():
        m = _MP.mpf
        return lambda _: [_time_to(m(u if exact_u is None else exact_u), m(u0), m(s), N, m(tau), _MP)]

    return confirmed_mpmath(prepare, [0], dps, lambda _: _guard(0.0, u0, s, N, tau) + 5)[0][0]
