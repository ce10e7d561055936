r"""Arb engine of the two-layer exact solution: rigorous set-up and t-evaluation on balls (python-flint).

Every ``dps=`` value and every enclosure of :class:`~lazyrich._exact.two_layer.TwoLayerExact` comes from here.

Set-up (once per working precision): the eigen-structure of F enclosed on balls and checked by its
residual, :mod:`lazyrich._exact.two_layer_arb_spectrum` (distinct task singular values through Arb's
``acb_mat.eig``, repeated ones through enclosed invariant subspaces of their clusters); a corrupted
set-up raises :class:`PrecisionError`.

t-evaluation (:func:`stable_qqt_balls`, Dominé et al. (2025), Thm 4.3, the same basis-free stable
form as :func:`~lazyrich._exact.two_layer_spectrum.stable_qqt`): only decaying exponentials, one
``arb_mat.solve`` with the centre matrix ``A`` per time, so the precision needed does not grow with
``t`` (enclosures at ``t = 1e6``). Where ``q+`` is singular or ``N_h > min(N_i, N_o)``,
:func:`fukumizu_qqt_balls` evaluates the Fukumizu (1998) form in the same eigenbasis (it cancels
about ``2 (f_max - f_min) t / ln 2`` bits, which the start precision includes). A rank-deficient task
(exact rank) takes the same two forms: its zero singular values are one more cluster of the set-up.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np

from .._base.errors import PrecisionError
from .._base.validation import as_bits, as_digits, as_time_grid
from .._numerics.arb import Enclosure, arb_matrix, auto_precision, exact_arb, require_flint
from .._numerics.precision import MAX_WORKING_DPS
from .two_layer_arb_spectrum import ArbSpectrum, arb_spectrum, check_spectrum

__all__ = [
    "MAX_DPS_BITS",
    "ArbTwoLayer",
    "balls_array",
    "certified_qqt_balls",
    "digits_reached",
    "dps_limit",
    "dps_qqt",
    "enclosure_qqt",
    "fukumizu_qqt_balls",
    "limit_balls",
    "stable_qqt_balls",
    "to_mpf",
]


def _diag(vals):
    flint = require_flint()
    D = flint.arb_mat(len(vals), len(vals))
    for i, v in enumerate(vals):
        D[i, i] = v
    return D


def _decay(x, t):
    """``(1 - e^{-2 x t}) / (2 x)`` (``= t`` at an exact 0), x >= 0."""
    return t if x.is_zero() else -((-2 * x * t).expm1()) / (2 * x)


def _growth(f, t):
    """``(e^{2 f t} - 1) / (2 f)`` (``= t`` at an exact 0), any real f."""
    return t if f.is_zero() else (2 * f * t).expm1() / (2 * f)


def stable_qqt_balls(spec: ArbSpectrum, Q0, times) -> list:
    r"""``arb_mat`` :math:`QQ^T(t)` per time (``times``: arb, already divided by tau) from the stable form.

    :math:`Z = P_+ + P_-\mathcal EK\mathcal E + e^{\ell t}\Pi_\perp Q_0q_+^{-1}\mathcal E`,
    :math:`A = \mathcal EG_0\mathcal E + \mathrm{diag}\,g + \mathcal EK^T\mathrm{diag}(g)K\mathcal E
    + g(|\ell|)e^{2\ell_+t}\mathcal EW^TW\mathcal E`, :math:`QQ^T = ZA^{-1}Z^T` (Dominé et al. (2025),
    Thm 4.3, basis-free as :func:`~lazyrich._exact.two_layer_spectrum.stable_qqt`). ``Q0`` is an
    ``arb_mat`` (n x m). Raises ``ZeroDivisionError`` if ``q+`` is not certified invertible.
    """
    qp = spec.p_plus.transpose() * Q0
    qm = spec.p_minus.transpose() * Q0
    qpt = qp.transpose()
    Kt = qpt.solve(qm.transpose())  # K^T = q+^{-T} q-^T
    m = qp.nrows()
    binv = qp.solve(_diag([1] * m))
    G0 = binv.transpose() * binv
    Pt, Mt = spec.p_plus.transpose(), spec.p_minus.transpose()
    Wt = WtW = None
    if spec.perp is not None:
        Wt = qpt.solve(Q0.transpose() * spec.perp)  # (Pi Q0 q+^{-1})^T, (m, n)
        WtW = Wt * Wt.transpose()
        ell = spec.ell
        ell_plus = ell if ell > 0 else ell * 0
    out = []
    for t in times:
        DE = spec.fmat(lambda mu, t=t: (-(mu * t)).exp())
        Dg = spec.fmat(lambda mu, t=t: _decay(mu, t))
        Zt = Pt + (DE * Kt * DE) * Mt
        A = DE * (G0 + Kt * Dg * Kt.transpose()) * DE + Dg
        if Wt is not None:
            Zt = Zt + spec.fmat(lambda mu, t=t: ((ell - mu) * t).exp()) * Wt
            DL = spec.fmat(lambda mu, t=t: ((ell_plus - mu) * t).exp())
            A = A + DL * WtW * DL * _decay(abs(ell), t)
        out.append(Zt.transpose() * A.solve(Zt))
    return out


def fukumizu_qqt_balls(spec: ArbSpectrum, Q0, times) -> list:
    r"""``arb_mat`` :math:`QQ^T(t)` per time from the Fukumizu (1998) form in the eigenbasis (any ``N_h``, any ``q+``).

    :math:`Y = P_+e^{\mu t}q_+ + P_-e^{-\mu t}q_- + e^{\ell t}\Pi_\perp Q_0`,
    :math:`M = I + q_+^T h(\mu)q_+ + q_-^T h(-\mu)q_- + h(\ell)Q_0^T\Pi_\perp Q_0` with
    :math:`h(f) = (e^{2ft} - 1)/(2f)`, :math:`QQ^T = YM^{-1}Y^T` (Fukumizu (1998); Dominé et al. (2025), Sec. 4).
    """
    qp = spec.p_plus.transpose() * Q0
    qm = spec.p_minus.transpose() * Q0
    h = Q0.ncols()
    eye = _diag([1] * h)
    PQ = QPQ = None
    if spec.perp is not None:
        PQ = spec.perp * Q0
        QPQ = Q0.transpose() * PQ
    out = []
    for t in times:
        Y = spec.p_plus * spec.fmat(lambda mu, t=t: (mu * t).exp()) * qp
        Y = Y + spec.p_minus * spec.fmat(lambda mu, t=t: (-(mu * t)).exp()) * qm
        M = eye + qp.transpose() * spec.fmat(lambda mu, t=t: _growth(mu, t)) * qp
        M = M + qm.transpose() * spec.fmat(lambda mu, t=t: _growth(-mu, t)) * qm
        if PQ is not None:
            Y = Y + PQ * (spec.ell * t).exp()
            M = M + QPQ * _growth(spec.ell, t)
        out.append(Y * M.solve(Y.transpose()))
    return out


def limit_balls(spec: ArbSpectrum):
    r""":math:`QQ^T(\infty) = 2P_+\,\mathrm{diag}(\mu)P_+^T` as an ``arb_mat`` (derived here (Dominé et al. (2025), Sec. 4))."""
    return spec.p_plus * spec.fmat(lambda mu: 2 * mu) * spec.p_plus.transpose()


def balls_array(mats: list) -> np.ndarray:
    """A list of ``arb_mat`` (all of one shape) as a ``(T, r, c)`` object array of ``arb``."""
    r, c = mats[0].nrows(), mats[0].ncols()
    out = np.empty((len(mats), r, c), dtype=object)
    for k, M in enumerate(mats):
        for i in range(r):
            for j in range(c):
                out[k, i, j] = M[i, j]
    return out


def digits_reached(balls: np.ndarray, dps: int) -> bool:
    r"""True if every ball (``(..., r, c)``, one matrix per leading index) has relative radius below ``10^-dps``.

    Relative radius ``rad / |mid|``, bounded through Arb's ``rel_accuracy_bits`` (``rad / |mid| < 2^-bits``).
    A ball containing 0 (an exact 0 cannot be certified relatively) needs a radius below ``10^-dps``
    times the matrix scale (the largest lower bound of ``|entry|`` in its matrix).
    """
    flint = require_flint()
    need = math.ceil(int(dps) * math.log2(10))
    tol = (flint.arb(10) ** (-int(dps))).lower()
    mats = balls.reshape(-1, balls.shape[-2] * balls.shape[-1])
    for row in mats:
        scale = None
        for b in row:
            if not b.is_finite():
                return False
            if b.rel_accuracy_bits() >= need:
                continue
            if not b.contains(0):
                return False
            if scale is None:
                scale = max(x.abs_lower() for x in row)
            if not b.rad() < tol * scale:
                return False
    return True


def to_mpf(balls: np.ndarray, dps: int) -> np.ndarray:
    """The midpoints of ``balls`` (object array of arb) as ``mpf`` rounded to ``dps`` significant digits (same shape).

    One rounding of the exact midpoint ``man 2^exp`` to the binary precision of ``dps`` digits, as
    ``mpmath.workdps(dps)`` rounds (round to nearest).
    """
    prec = mpmath.libmp.dps_to_prec(int(dps))
    make = mpmath.mp.make_mpf
    out = np.empty(balls.shape, dtype=object)
    flat = out.reshape(-1)
    for k, b in enumerate(balls.flat):
        man, exp = b.mid().man_exp()
        flat[k] = make(mpmath.libmp.from_man_exp(int(man), int(exp), prec, "n"))
    return out


# ---------------------------------------------------------------------------- drivers
#: Largest working precision (bits) of the ``dps=`` path: the 30000 digits of every ``dps=`` path.
MAX_DPS_BITS = math.ceil(MAX_WORKING_DPS * math.log2(10))


class ArbTwoLayer:
    """The Arb evaluation of one :class:`TwoLayerExact`: the form, its start precision and the precision loop.

    ``form`` is ``"stable"`` (``N_h = min(N_i, N_o)`` and ``q+`` well conditioned: ``net.mp_form``) or
    ``"fukumizu"`` (the eigenbasis Fukumizu form: ``q+`` singular or a wide hidden layer); both for any
    task, rank-deficient ones included.
    """

    def __init__(self, net) -> None:
        self.net = net
        self.form = "stable" if net.mp_form == "stable" else "fukumizu"
        self._spec: dict = {}

    def start(self, t_max: float, bits: int) -> int:
        """Start precision (bits) for ``bits`` accurate bits at times up to ``t_max`` (not divided by tau)."""
        net = self.net
        s = t_max / net.tau
        f = np.asarray(net.spectrum.eigenvalues, dtype=float)
        n = net.n_in + net.n_out
        extra = 2 * math.ceil(math.log2(n + 1))
        if self.form == "stable":
            extra += 2 * math.ceil(math.log2(max(net.condition, 1.0)))
        elif f.size:
            extra += math.ceil(2 * float(f.max() - f.min()) * s / math.log(2))
        return bits + 32 + extra

    def spectrum(self):
        """The :class:`ArbSpectrum` at the current precision (cached per precision), checked; ``None`` if not isolated."""
        flint = require_flint()
        prec = flint.ctx.prec
        if prec not in self._spec:
            spec = arb_spectrum(self.net.sigma_yx, self.net.lam, self.net.Q0)
            if spec is not None:
                check_spectrum(spec, self.net.F)
            self._spec[prec] = spec
        return self._spec[prec]

    def balls(self, grid) -> np.ndarray:
        """``(T, n, n)`` object array of arb at the current precision (non-finite balls where it fell short)."""
        flint = require_flint()
        net = self.net
        tau = exact_arb(net.tau)
        times = [_arb_time(x) / tau for x in grid]
        Q0 = arb_matrix(net.Q0)
        n = net.n_in + net.n_out
        nan = np.full((len(grid), n, n), flint.arb("nan"), dtype=object)
        spec = self.spectrum()
        if spec is None:
            return nan
        try:
            mats = (stable_qqt_balls if self.form == "stable" else fukumizu_qqt_balls)(spec, Q0, times)
        except ZeroDivisionError:  # q+ or the centre matrix not certified invertible at this precision
            return nan
        return balls_array(mats)

    def run(self, evaluate, done, start: int, limit: int, what: str):
        """Evaluate at ``start`` bits, doubling until ``done(balls)``; :class:`PrecisionError` past ``limit`` bits."""
        flint = require_flint()
        saved = flint.ctx.prec
        prec = start
        try:
            while prec <= limit:
                flint.ctx.prec = prec
                balls = evaluate()
                if done(balls):
                    return balls, prec
                prec *= 2
        finally:
            flint.ctx.prec = saved
        raise PrecisionError(
            f"{what} needs more than {limit} bits ({limit * math.log10(2):.0f} working digits; {self.form} form"
            f"{', which cancels 2 (f_max - f_min) t / ln 2 bits' if self.form != 'stable' else ''}); "
            "ask for fewer digits or a smaller t"
        )

    def dps_balls(self, grid, dps: int):
        """``(balls, prec)``: every ball of relative radius below ``10^-dps`` (:func:`digits_reached`)."""
        t_max = max(float(mpmath.mpf(x)) for x in grid)
        start = self.start(t_max, math.ceil(dps * math.log2(10)))
        return self.run(
            lambda: self.balls(grid),
            lambda b: digits_reached(b, dps),
            start,
            MAX_DPS_BITS,
            f"reaching {dps} digits at t = {t_max:g}",
        )


def _arb_time(x):
    """A time (float, ``mpf`` or decimal string) as an Arb ball: exact for binary numbers, else the decimal's ball."""
    flint = require_flint()
    return flint.arb(x) if isinstance(x, str) else exact_arb(x)


def dps_qqt(net, grid, dps: int):
    """``(T, n, n)`` object array of ``mpf``: :math:`QQ^T` with every entry certified to ``dps`` digits, rounded.

    ``None`` without python-flint: the caller then uses its mpmath path (confirmed by re-evaluation).
    """
    try:
        require_flint()
    except ImportError:
        return None
    engine = ArbTwoLayer(net)
    balls, _ = engine.dps_balls(grid, dps)
    # QQ^T is symmetric: round one triangle and mirror it (each ball encloses the same exact entry)
    rows, cols = np.triu_indices(balls.shape[-1])
    upper = to_mpf(balls[:, rows, cols], dps)
    out = np.empty(balls.shape, dtype=object)
    out[:, rows, cols] = upper
    out[:, cols, rows] = upper
    return out


def dps_limit(net, dps: int):
    r""":math:`QQ^T(\infty)` as an ``(n, n)`` object array of ``mpf``, every entry certified to ``dps`` digits; or ``None``.

    ``None`` as :func:`dps_qqt` (no python-flint).
    """
    try:
        require_flint()
    except ImportError:
        return None
    engine = ArbTwoLayer(net)

    def evaluate():
        spec = engine.spectrum()
        if spec is None:
            return np.full((1, net.n, net.n), require_flint().arb("nan"), dtype=object)
        return balls_array([limit_balls(spec)])

    start = math.ceil(dps * math.log2(10)) + 32 + 2 * math.ceil(math.log2(net.n + 1))
    balls, _ = engine.run(evaluate, lambda b: digits_reached(b, dps), start, MAX_DPS_BITS, f"QQ^T(inf) to {dps} digits")
    return to_mpf(balls[0], dps)


def enclosure_qqt(net, t, bits: int = 100, dps: int | None = None) -> Enclosure:
    """Enclosure of :math:`QQ^T` of ``net``, balls of shape ``(T, n, n)``.

    ``dps=None``: radius <= ``2^-bits`` times the largest entry. ``dps=N``: the very balls that
    ``net.qqt(t, dps=N)`` rounds (every ball of relative radius below ``10^-N``, absolute for a ball
    containing 0), so ``rad + |qqt(t, dps=N) - mid|`` entrywise (:meth:`Enclosure.distance_bound`) is the
    rigorous bound of that result.

    Examples
    --------
    >>> from lazyrich import TwoLayerExact, lambda_balanced_init
    >>> W1, W2 = lambda_balanced_init(3, 2, 2, lam=0.5, sigma=0.3, seed=1)
    >>> net = TwoLayerExact(W1, W2, np.array([[2.0, 0.0, 0.0], [0.0, 1.0, 0.0]]))
    >>> enc = enclosure_qqt(net, [1.0, 1e6], dps=30)
    >>> got = net.qqt([1.0, 1e6], dps=30)
    >>> vals = np.array([np.array(M.tolist(), dtype=object) for M in got])
    >>> bound = enc.distance_bound(vals)  # certified |qqt(t, dps=30) - exact|, entrywise
    >>> bool(np.all(bound <= 1e-29 * np.abs(enc.mid).max()))
    True
    """
    grid, _ = as_time_grid(t, exact=dps is not None)
    if dps is None:
        return certified_qqt_balls(net, grid, as_bits(bits))
    balls, prec = ArbTwoLayer(net).dps_balls(grid, as_digits(dps))
    return Enclosure(balls, prec)


def certified_qqt_balls(net, grid, bits: int) -> Enclosure:
    """Enclosure of :math:`QQ^T` (``(T, n, n)``), radius <= ``2^-bits`` times the largest entry (:func:`auto_precision`)."""
    engine = ArbTwoLayer(net)
    start = engine.start(max(float(mpmath.mpf(x)) for x in grid), bits)
    return auto_precision(lambda: engine.balls(grid), bits, start)
