r"""Exact gradient-flow trajectory of a single hidden neuron on whitened data (Kunin et al. (2024), Sec. 3).

The model is ``f(x) = a w^T x`` trained on ``L = 1/2 |X a w - y|^2`` with
``X^T X = I`` and layer learning rates ``eta_a, eta_w``; the task is
``beta_* = X^T y`` and ``delta = eta_w a^2 - eta_a |w|^2`` is conserved
(Kunin et al. (2024), Sec. 3, Fig. 2).

How the closed form is evaluated (derived here, Kunin et al. (2024), Sec. 3)
----------------------------------------------------------------------------
1. *Learning-rate reduction.* With ``g = sqrt(eta_a eta_w)`` the rescaled
   ``abar = a (eta_w/eta_a)^(1/4)``, ``wbar = w (eta_a/eta_w)^(1/4)`` follow the
   unit-rate flow in time ``tau = g t`` with conserved ``dbar = delta / g``.
2. *Linearisation.* ``A = m a`` with ``m = exp(int |w|^2)`` solves
   ``A'' + dbar A' - s^2 A = 0`` (``s = |beta_*|``), roots
   ``lambda_pm = (-dbar pm D)/2``, ``D = sqrt(dbar^2 + 4 s^2)``, and
   ``m^2 = e^{-2 dbar tau} (1 + 2 int_0^tau e^{2 dbar u} A(u)^2 du)``.
3. *Stable form.* Every quantity is divided by the dominant exponential
   ``e^{lambda_+ tau}`` before it is formed, so that only ``e^{-x}`` with
   ``x >= 0`` and the entire functions ``Em_k(tau) = (1 - e^{-k tau}) / k``
   (``= tau`` at ``k = 0``, via ``expm1``) appear:

   .. math::
       \hat A = K_+ \,Em_D(\tau) + a_0 e^{-D\tau},\qquad
       \hat B = L_+ \,Em_D(\tau) + q_0 e^{-D\tau},\qquad
       \hat m^2 = e^{-k_1\tau} + 2 J(\tau),

   with ``K_+ = s q_0 - lambda_- a_0`` (``= D c_+``), ``L_+ = a_0 s + q_0 lambda_+``,
   ``q_0 = w_0^T beta_*/s``, ``k_1 = dbar + D >= 0`` and
   ``J(tau) = int_0^tau e^{-k_1 (tau - u)} \hat A(u)^2 du``. Then
   ``a = \hat A / \hat m`` and ``w = (\hat B \hat\beta_* + e^{-k_1 tau/2} P_perp w_0) / \hat m``.
   ``J`` is the closed form in ``c_pm`` when ``D tau >= 2`` (the two exponential
   modes are then well separated: its three terms cancel by at most a factor 14.8)
   and a 24-point Gauss-Legendre rule on its positive integrand otherwise (all
   rates are at most ``2D``, so its truncation is below ``1.3e-61`` of the scale).
   The float64 rounding error is bounded per value by the derived running bound
   :func:`~lazyrich._exact.single_neuron_accuracy.float64_error_bound`.
   No exponent is ever positive: no overflow at any ``t``, and ``delta = 0``,
   ``beta_* = 0`` and a zero crossing of ``a`` (``delta < 0``) need no special case.
   Only on the basin boundary ``c_+ = 0`` (to within ~1e-145) can ``m_hat``
   underflow; those times are evaluated by the same formula in mpmath.

The t-evaluation (:func:`~lazyrich._exact.single_neuron_formula.ratios`) is written once against a
numeric namespace (:mod:`lazyrich._exact.single_neuron_formula`: the backend plus ``em`` and
``integral``); the constants
are computed with mpmath from the exact float inputs and rounded for float64;
``dps=N`` evaluates the same expressions on Arb balls at ``(N + 3) log2(10) + log2(1 + rate t)``
bits plus a margin, raised until the relative radius is below ``10**-N``
(:func:`~lazyrich._numerics.arb_digits.certified_digits`; mpmath confirmed by re-evaluation
without python-flint); float64 constants beyond ``2^150`` (where products could overflow) and
times where ``m_hat`` underflows are evaluated on that path too (17 digits, then rounded); the certified path
(:func:`lazyrich.certified.certified_single_neuron`) runs them on Arb balls. :class:`SingleNeuronExact`
implements the :class:`~lazyrich._exact.closed_form.ClosedForm` interface with ``beta(t)`` as its values.
"""

from __future__ import annotations

import functools
import math
from fractions import Fraction

import mpmath
import numpy as np

from .._base.errors import InvalidParameterError, NotWhitenedError
from .._base.validation import as_digits, as_matrix, as_scalar, as_time_grid, as_vector, positive
from .._numerics.arb import ArbScalar
from .._numerics.arb_digits import arb_number, certified_digits, flint_available, start_bits
from .._numerics.backend import MpmathScalar
from .closed_form import ClosedForm
from .single_neuron_formula import (
    ArbEvaluation,
    Float64Evaluation,
    MpmathEvaluation,
    UnitConstants,
    direct_beta,
    ratios,
    unit_constants,
)

__all__ = ["SingleNeuronExact"]

#: Digits of the mpmath evaluation that fixes the float64 constants.
_CONSTANT_DPS = 40
#: Smallest m_hat^2 the float64 path trusts (far enough above the subnormal range 2.2e-308).
_SMALLEST_M2 = 1e-290


class SingleNeuronExact(ClosedForm):
    r"""Exact trajectory of ``f(x) = a w^T x`` under gradient flow on whitened data (Kunin et al. (2024), Sec. 3).

    .. math::
        \dot a = \eta_a (w^T\beta_* - a\|w\|^2),\qquad
        \dot w = \eta_w (a\beta_* - a^2 w),\qquad
        \delta = \eta_w a^2 - \eta_a\|w\|^2 \ \text{conserved},

    solved by the linearisation ``A'' + delta A' - s^2 A = 0`` (derived here, Kunin et al. (2024), Sec. 3)
    after the learning-rate reduction, in a form that factors out the
    dominant exponential (see the module docstring), for any ``t >= 0`` and any ``delta``, including
    ``delta = 0`` and a zero crossing of ``a`` when ``delta < 0``. The float64 error of each value has a
    derived bound, :func:`~lazyrich._exact.single_neuron_accuracy.float64_error_bound` (a few dozen unit
    roundoffs of the scale away from cancellation; measured <= 0.97 of it against Arb).

    Parameters
    ----------
    a0 : float
        Initial readout weight.
    w0 : (d,) array
        Initial input weights.
    beta_star : (d,) array
        The task ``X^T y`` (the least-squares solution for ``X^T X = I``); use
        :meth:`from_data` to start from ``X, y``.
    eta_a, eta_w : float
        Layer learning rates (> 0).

    Raises
    ------
    InvalidParameterError
        ``a0 = 0`` and ``w0 = 0`` (the saddle at the origin), or a learning rate ``<= 0``.
    NonFiniteError, ShapeError
        Non-finite or mis-shaped inputs.

    Examples
    --------
    >>> import numpy as np
    >>> sn = SingleNeuronExact(1.0, [-1.0, 0.0], [0.0, 1.0])
    >>> sn.delta
    0.0
    >>> np.round(sn.beta([0.0, 50.0]), 10) + 0.0
    array([[-1.,  0.],
           [ 0.,  1.]])
    >>> round(float(sn.a(1e6, dps=30)) ** 2, 12)   # a_inf^2 = (delta + sqrt(delta^2 + 4 s^2)) / 2
    1.0
    """

    def __init__(self, a0: float, w0, beta_star, eta_a: float = 1.0, eta_w: float = 1.0) -> None:
        self.a0 = as_scalar(a0, "a0")
        self.w0 = as_vector(w0, "w0")
        self.beta_star = as_vector(beta_star, "beta_star", self.w0.size)
        self.eta_a = positive(eta_a, "eta_a")
        self.eta_w = positive(eta_w, "eta_w")
        if self.a0 == 0.0 and not np.any(self.w0):
            raise InvalidParameterError(
                "a0 = 0 and w0 = 0 is the saddle at the origin: gradient flow never leaves it; "
                "start from a nonzero a0 or w0 (e.g. a small random initialisation)"
            )
        self.d = int(self.w0.size)
        self._mp_cache: dict[int, UnitConstants] = {}
        self._float_cache: tuple | None = None

    @functools.cached_property
    def delta(self):
        """``eta_w a0^2 - eta_a |w0|^2`` (a float; an exact ``mpf`` where it exceeds the float64 range).

        From the exact binary values of the inputs (no cancellation), on first use: the ``dps=`` path needs none.
        """
        fa, fw = Fraction(self.a0), [Fraction(float(x)) for x in self.w0]
        return _as_float_or_mpf(Fraction(self.eta_w) * fa * fa - Fraction(self.eta_a) * sum(x * x for x in fw))

    @property
    def _c64(self) -> UnitConstants:
        """The unit-rate constants rounded to float64 (computed once, on first use: the ``dps=`` path needs none)."""
        return self._float_constants()[0]

    @property
    def _float_ok(self) -> bool:
        """False where float64 products of the constants could overflow: every time then takes the certified path."""
        return self._float_constants()[1]

    def _float_constants(self) -> tuple:
        if self._float_cache is None:
            c = self._constants(_CONSTANT_DPS)
            c64 = UnitConstants(
                **{k: ([float(x) for x in v] if isinstance(v, list) else float(v)) for k, v in c.__dict__.items()}
            )
            c64 = UnitConstants(**{**c64.__dict__, "bhat": np.array(c64.bhat), "wperp": np.array(c64.wperp)})
            # float64 takes products of up to four constants: outside [2^-240, 2^150] they may overflow (e.g.
            # a0 = 1e140, |w0| = 1e154) or underflow (a0 = w0 = 1e-104: K_+ ~ delta a0 ~ 1e-312 is subnormal);
            # every time then goes through the certified path (the answer stays finite: a huge a0 converges
            # to beta* at once)
            values = np.abs(
                np.r_[
                    [v for k, v in c64.__dict__.items() if k not in ("bhat", "wperp", *UnitConstants.DERIVED)],
                    c64.bhat,
                    c64.wperp,
                ]
            )
            ok = bool(np.all((values == 0) | ((values >= 2.0**-240) & (values < 2.0**150))))
            self._float_cache = (c64, ok)
        return self._float_cache

    @classmethod
    def from_data(
        cls, a0: float, w0, X, y, eta_a: float = 1.0, eta_w: float = 1.0, tol: float = 1e-10
    ) -> SingleNeuronExact:
        r"""Build from data ``X`` (n x d, rows are samples) and ``y`` (n,), checking ``X^T X = I``.

        Parameters
        ----------
        tol : float
            Largest accepted ``max |X^T X - I|``. The closed form is exact for
            ``X^T X = I``; a whitening residual ``r`` changes the trajectory by ``O(r)``.

        Raises
        ------
        NotWhitenedError
            ``X^T X`` differs from the identity by more than ``tol``.

        Examples
        --------
        >>> import numpy as np
        >>> X = np.linalg.qr(np.random.default_rng(0).standard_normal((5, 2)))[0]
        >>> sn = SingleNeuronExact.from_data(0.5, [0.1, 0.2], X, X @ [1.0, -1.0])
        >>> np.round(sn.beta_star, 12)
        array([ 1., -1.])
        """
        X = as_matrix(X, "X")
        y = as_vector(y, "y", X.shape[0])
        tol = positive(tol, "tol")
        n, d = X.shape
        err = float(np.max(np.abs(X.T @ X - np.eye(d))))
        if err > tol:
            rank_note = (
                f" X has only {n} rows for {d} features, so X^T X is singular and cannot be whitened; "
                "for low-rank X^T X use lazyrich.implicit_bias_limit (Theorem 3.1)."
                if n < d
                else ""
            )
            raise NotWhitenedError(
                f"X is not whitened: max |X^T X - I| = {err:.3g} > tol = {tol:.3g}. The exact solution needs X^T X = I; "
                "whiten first, e.g. X <- X (X^T X)^(-1/2) (ZCA: with X^T X = V diag(ev) V^T use X @ V @ diag(ev**-0.5) @ V.T) "
                "or PCA whitening X <- X V diag(ev**-0.5), and keep y." + rank_note
            )
        return cls(a0, w0, X.T @ y, eta_a=eta_a, eta_w=eta_w)

    # ------------------------------------------------------------------ constants
    def _constants(self, dps: int) -> UnitConstants:
        """Unit-rate constants as mpf at ``dps`` digits, from the exact float inputs."""
        if dps in self._mp_cache:
            return self._mp_cache[dps]
        with mpmath.workdps(dps):
            c = unit_constants(MpmathScalar, self.a0, self.w0, self.beta_star, self.eta_a, self.eta_w)
        self._mp_cache[dps] = c
        return c

    # ------------------------------------------------------------------ evaluation
    def float64_ratios(self, t) -> tuple:
        """The float64 path at times ``t``: ``(constants, was_scalar, r_a, r_b, r_p, exact)``.

        ``constants``: the unit-rate constants rounded to float64; ``r_a, r_b, r_p``: the ratios of
        :func:`~lazyrich._exact.single_neuron_formula.ratios` (``a = r_a / rate_a``,
        ``w = (r_b beta_hat + r_p P_perp w0) rate_a``, ``beta = r_a (r_b beta_hat + r_p P_perp w0)``);
        ``exact``: True where a time took the certified path (17 digits per ratio, then rounded).
        :func:`~lazyrich._exact.single_neuron_accuracy.float64_error_bound` bounds their rounding errors.

        Examples
        --------
        >>> c, scalar, ra, rb, rp, exact = SingleNeuronExact(1.0, [0.0], [1.0]).float64_ratios([0.0, 2.0])
        >>> bool(ra[0] == 1.0 and rp[0] == 1.0), exact.tolist()
        (True, [False, False])
        """
        grid, scalar = as_time_grid(t)
        c = self._c64
        if not self._float_ok:
            return (c, scalar, *self._exact_ratios(grid), np.ones(grid.shape, dtype=bool))
        tau = c.g * grid
        with np.errstate(all="ignore"):
            # m_hat^2 below ~1e-290 would carry subnormal round-off from its terms: fall back then
            m_ok = np.exp(-c.k1 * tau) + 2 * Float64Evaluation.integral(c, tau) > _SMALLEST_M2
            ra, rb, rp = (np.where(m_ok, r, 0.0) for r in ratios(c, tau, Float64Evaluation))
            m_ok &= np.isfinite(ra) & np.isfinite(rb) & np.isfinite(rp)
        if not np.all(m_ok):
            # m_hat underflowed: only on (or within ~1e-145 of) the basin boundary c_+ = 0, where the
            # dominant exponential is e^{lambda_- t}; the certified path has no underflow.
            bad = np.flatnonzero(~m_ok)
            ra[bad], rb[bad], rp[bad] = self._exact_ratios(grid[bad])
        return c, scalar, ra, rb, rp, ~m_ok

    def _exact_ratios(self, grid):
        """``(r_a, r_b, r_p)`` as float arrays from the certified path (17 digits each, then rounded).

        ``t = 0`` is ``(a_0, q_0, 1)`` (the rounded constants): there an exact ``q_0 = 0`` (``w_0`` orthogonal to
        ``beta_*``) is a ball around 0 that no precision certifies to 17 relative digits."""
        grid = np.asarray(grid, dtype=float)
        c, out = self._c64, np.ones((3, grid.size))
        out[0, grid == 0], out[1, grid == 0] = c.a0, c.q0
        if np.any(grid > 0):
            rows, _ = self._mp_evaluate(grid[grid > 0].tolist(), 17, lambda c, tau, ns: list(ratios(c, tau, ns)), True)
            out[:, grid > 0] = np.array([[float(v) for v in r] for r in rows], dtype=float).T
        return tuple(out)

    def _lost_bits(self, items) -> float:
        """``log2(1 + (|dbar| + D) g t_max)``: the bits the exponents cost (each carries its own rounding)."""
        t_max = max(map(abs, map(float, items)))
        fa, fw = abs(self.a0), max(map(abs, self.w0.tolist()))
        ea, ew, s = self.eta_a, self.eta_w, max(map(abs, self.beta_star.tolist()))
        # (|delta| + D) g <= 2 |delta| + 2 s g <= 2 (eta_w a0^2 + eta_a |w0|^2) + 2 sqrt(d eta_a eta_w) |beta*|, in logs
        # (Python floats: an overflow gives inf, not an exception)
        bound = 2 * (ew * fa * fa + ea * self.d * fw * fw) + 2 * math.sqrt(self.d * ea * ew) * s
        if math.isfinite(bound * t_max):
            return math.log2(1.0 + bound * t_max) + 2.0
        with mpmath.workprec(24):
            c = self._constants(_CONSTANT_DPS)
            return float(mpmath.log(1 + (abs(c.delta) + c.D) * c.g * max(abs(mpmath.mpf(x)) for x in items), 2)) + 2.0

    def _mp_evaluate(self, t, dps: int, quantity, per_value: bool = False):
        """Evaluate ``quantity(c, tau, ns) -> list`` correct to ``dps`` digits at each time.

        Arb balls (``ns = ArbEvaluation``) with the precision raised until the relative radius is below
        ``10**-dps`` (:func:`~lazyrich._numerics.arb_digits.certified_digits`); without python-flint, mpmath
        (``ns = MpmathEvaluation``) confirmed by re-evaluation (:meth:`confirmed`).
        """
        dps = as_digits(dps)
        items, scalar = as_time_grid(t, exact=True)
        if flint_available():
            unit_time = self.eta_a == self.eta_w == 1.0  # tau = t

            def prepare():
                c = unit_constants(ArbScalar, self.a0, self.w0, self.beta_star, self.eta_a, self.eta_w)
                if unit_time:  # a float time goes in as it is: python-flint takes it exactly into each product
                    return lambda x: quantity(c, x if type(x) is float else arb_number(x), ArbEvaluation)
                return lambda x: quantity(c, c.g * arb_number(x), ArbEvaluation)

            rows = certified_digits(prepare, items, dps, start_bits(dps, self._lost_bits(items)), per_value)
        else:

            def make(digits):
                c = self._constants(digits)
                return lambda x: quantity(c, c.g * mpmath.mpf(x), MpmathEvaluation)

            rows = self.confirmed(items, dps, make)
        return np.array(rows, dtype=object), scalar  # (items, values): mpf entries (never sequences)

    # ------------------------------------------------------------------ the ClosedForm interface (values: beta)
    description = "beta(t) = a(t) w(t) of a single neuron on whitened data (derived here, Kunin et al. (2024), Sec. 3)"

    def stable_evaluator(self, digits):
        if digits is None:
            return lambda t: list(self.beta(float(t)))
        c = self._constants(digits)
        return lambda t: _beta_of(c, c.g * mpmath.mpf(t), MpmathEvaluation)

    def direct_evaluator(self, digits):
        if digits is None:
            c = self._c64
            return lambda t: [float(v) for v in direct_beta(c, c.g * np.float64(t), np)]
        c = self._constants(digits)
        return lambda t: direct_beta(c, c.g * mpmath.mpf(t), MpmathScalar)

    def arb_evaluator(self):
        c = unit_constants(ArbScalar, self.a0, self.w0, self.beta_star, self.eta_a, self.eta_w)
        return lambda t: _beta_of(c, c.g * ArbScalar.mpf(t), ArbEvaluation)

    def arb_state_evaluator(self):
        """``t -> [a, *w, *beta]`` on Arb balls (the evaluator :func:`~lazyrich.certified.certified_single_neuron` uses)."""
        c = unit_constants(ArbScalar, self.a0, self.w0, self.beta_star, self.eta_a, self.eta_w)

        def at(t):
            ra, rb, rp = ratios(c, c.g * ArbScalar.mpf(t), ArbEvaluation)
            w = [(rb * b + rp * p) * c.rate_a for b, p in zip(c.bhat, c.wperp)]
            return [ra / c.rate_a, *w, *(ra * (rb * b + rp * p) for b, p in zip(c.bhat, c.wperp))]

        return at

    def guard_digits(self, t) -> int:
        """``15 + log10(1 + (|dbar| + D) g t)`` working digits: the exponents carry their own rounding."""
        c = self._c64
        return 15 + math.ceil(math.log10(1.0 + (abs(c.delta) + c.D) * c.g * float(t)))

    def error_scale(self, values):
        """``max(|beta_*|, max |beta(t)|)``: ``beta`` may start tiny, so also the task's scale."""
        return max(float(np.linalg.norm(self.beta_star)), *(abs(v) for v in values))

    def a(self, t, dps: int | None = None):
        r"""Readout weight ``a(t) = A(t) / m(t)`` (derived here, Kunin et al. (2024), Sec. 3).

        Parameters
        ----------
        t : float or 1-D array
            Times ``>= 0``.
        dps : int, optional
            ``None``: float64 (array like ``t``). ``N``: mpmath values correct to
            ``N`` significant digits (an ``mpf``, or an object array of them).

        Examples
        --------
        >>> sn = SingleNeuronExact(0.1, [1.0], [1.0])   # downstream, delta = -0.99
        >>> bool(abs(sn.a(40.0) ** 2 - (sn.delta + (sn.delta**2 + 4) ** 0.5) / 2) < 1e-12)   # a_inf^2
        True
        """
        if dps is not None:

            def q(c, tau, ns):
                return [ratios(c, tau, ns)[0] / c.rate_a]

            out, scalar = self._mp_evaluate(t, dps, q)
            return out[0, 0] if scalar else out[:, 0]
        c, scalar, ra, *_ = self.float64_ratios(t)
        out = ra / c.rate_a
        return float(out[0]) if scalar else out

    def w(self, t, dps: int | None = None):
        r"""Input weights ``w(t) = (A'(t)/s^2 beta_* + e^{-delta t} P_perp w_0) / m(t)`` (derived here, Kunin et al. (2024), Sec. 3).

        Returns shape ``(d,)`` for scalar ``t``, else ``(T, d)``; ``dps`` as in :meth:`a`
        (mpmath vectors are correct to ``N`` digits relative to their norm).

        Examples
        --------
        >>> import numpy as np
        >>> sn = SingleNeuronExact(2.0, [0.0, 1.0], [1.0, 0.0])
        >>> w = sn.w(3.0)
        >>> bool(abs(w @ w - (sn.a(3.0) ** 2 - sn.delta)) < 1e-12)   # |w|^2 = a^2 - delta
        True
        """
        if dps is not None:

            def q(c, tau, ns):
                _, rb, rp = ratios(c, tau, ns)
                return [(rb * b + rp * p) * c.rate_a for b, p in zip(c.bhat, c.wperp)]

            out, scalar = self._mp_evaluate(t, dps, q)
            return out[0] if scalar else out
        c, scalar, _, rb, rp, _ = self.float64_ratios(t)
        out = (rb[:, None] * c.bhat[None, :] + rp[:, None] * c.wperp[None, :]) * c.rate_a
        return out[0] if scalar else out

    def beta(self, t, dps: int | None = None):
        r"""Network function ``beta(t) = a(t) w(t)`` (``f(x) = beta^T x``).

        Examples
        --------
        >>> import numpy as np
        >>> sn = SingleNeuronExact(1.0, [0.5, -0.5], [1.0, 2.0], eta_a=0.5, eta_w=2.0)
        >>> np.round(sn.beta(1e6), 10)
        array([1., 2.])
        """
        if dps is not None:
            out, scalar = self._mp_evaluate(t, dps, _beta_of)
            return out[0] if scalar else out
        c, scalar, ra, rb, rp, _ = self.float64_ratios(t)
        out = ra[:, None] * (rb[:, None] * c.bhat[None, :] + rp[:, None] * c.wperp[None, :])
        return out[0] if scalar else out

    def mu(self, t, dps: int | None = None):
        r"""Signed magnitude ``mu = a |w|`` (= ``±|beta|``, sign of ``a``; Kunin et al. (2024), Sec. 3).

        Examples
        --------
        >>> sn = SingleNeuronExact(1.0, [-1.0, 0.0], [0.0, 1.0])
        >>> round(sn.mu(0.0), 12), round(sn.mu(60.0), 12)
        (1.0, 1.0)
        """
        if dps is not None:

            def q(c, tau, ns):
                ra, rb, rp = ratios(c, tau, ns)
                return [ra * ns.sqrt(rb**2 + rp**2 * c.wperp_sq)]

            out, scalar = self._mp_evaluate(t, dps, q)
            return out[0, 0] if scalar else out[:, 0]
        c, scalar, ra, rb, rp, _ = self.float64_ratios(t)
        out = ra * np.sqrt(rb**2 + rp**2 * c.wperp_sq)
        return float(out[0]) if scalar else out

    def phi(self, t, dps: int | None = None):
        r"""Alignment cosine ``phi = w^T beta_* / (|w| |beta_*|)`` (Kunin et al. (2024), Sec. 3).

        At ``t = 0`` with ``w0 = 0`` it is the limit ``sign(a0)`` (``w`` leaves 0 along ``a0 beta_*``).

        Raises
        ------
        InvalidParameterError
            ``beta_* = 0``: there is no direction to align to.

        Examples
        --------
        >>> sn = SingleNeuronExact(1.0, [-1.0, 0.0], [0.0, 1.0])   # balanced: phi = tanh(s t + artanh phi0)
        >>> round(sn.phi(0.7), 12) == round(float(np.tanh(0.7)), 12)
        True
        """
        if not np.any(self.beta_star):
            raise InvalidParameterError("phi is undefined for beta_star = 0 (no task direction); use mu or w instead")
        at_zero = float(np.sign(self.a0))
        if dps is not None:

            def q(c, tau, ns):
                _, rb, rp = ratios(c, tau, ns)
                norm = ns.sqrt(rb**2 + rp**2 * c.wperp_sq)
                return [rb / norm if norm != 0 else rb * 0 + at_zero]

            out, scalar = self._mp_evaluate(t, dps, q)
            return out[0, 0] if scalar else out[:, 0]
        c, scalar, _, rb, rp, _ = self.float64_ratios(t)
        norm = np.sqrt(rb**2 + rp**2 * c.wperp_sq)
        safe = np.where(norm > 0, norm, 1.0)
        out = np.where(norm > 0, rb / safe, at_zero)
        return float(out[0]) if scalar else out

    @property
    def basin_sign(self) -> int:
        r"""``sign(a(inf))``: ``sign(w_0^T beta_* + a_0 (delta + sqrt(delta^2 + 4 s^2)) / 2)`` (Kunin et al. (2024), Sec. 3, footnote 4).

        0 on the separating surface (the flow then ends at a saddle with ``a = 0``).

        Examples
        --------
        >>> SingleNeuronExact(0.5, [-2.0], [1.0]).basin_sign   # delta < 0: a crosses zero
        -1
        """
        c = self._constants(_CONSTANT_DPS)
        return int(mpmath.sign(c.Kp))

    def _param_matrices(self, t):
        a = np.atleast_1d(self.a(t))
        w = np.atleast_2d(self.w(t))
        return a, w

    def kernel_distance(self, t):
        r"""Kernel distance ``S(0, t) = 1 - <K_0, K_t> / (|K_0|_F |K_t|_F)`` on the whitened training set.

        With ``X^T X = I``, ``<K_0, K_t> = tr(M_0 M_t)`` for ``M = eta_w a^2 I + eta_a w w^T``
        (Kunin et al. (2024), eqs. (3)-(4), with ``a_t^2`` in the second normaliser: the authors' notebook has
        ``a_0^2`` there, a typo). Evaluated as ``|M_0/|M_0| - M_t/|M_t||_F^2 / 2`` to
        avoid the cancellation of ``1 - cos`` when ``S`` is small.

        Examples
        --------
        >>> sn = SingleNeuronExact(20.0, [0.1, 0.0], [0.0, 1.0])   # upstream: lazy, S stays ~ 0
        >>> bool(sn.kernel_distance(10.0) < 1e-3)
        True
        """
        grid, scalar = as_time_grid(t)
        a, w = self._param_matrices(grid)
        eye = np.eye(self.d)

        def unit_m(a_, w_):
            m = self.eta_w * a_[:, None, None] ** 2 * eye + self.eta_a * w_[:, :, None] * w_[:, None, :]
            return m / np.sqrt(np.sum(m * m, axis=(1, 2)))[:, None, None]

        m0 = unit_m(np.array([self.a0]), self.w0[None, :])
        diff = unit_m(a, w) - m0
        out = 0.5 * np.sum(diff * diff, axis=(1, 2))
        return float(out[0]) if scalar else out

    def ntk(self, t, X):
        r"""Neural tangent kernel ``K(t) = X M(t) X^T`` with ``M = eta_w a^2 I + eta_a w w^T`` (Kunin et al. (2024), eqs. (3)-(4)).

        Parameters
        ----------
        X : (n, d) array
            Inputs (rows), e.g. the training set or test points.

        Returns
        -------
        (n, n) array for scalar ``t``, else (T, n, n).

        Examples
        --------
        >>> import numpy as np
        >>> sn = SingleNeuronExact(1.0, [1.0, 0.0], [1.0, 0.0])   # a fixed point
        >>> sn.ntk(5.0, np.eye(2)).round(12)
        array([[2., 0.],
               [0., 1.]])
        """
        grid, scalar = as_time_grid(t)
        X = as_matrix(X, "X", (None, self.d))
        a, w = self._param_matrices(grid)
        xw = w @ X.T  # (T, n)
        out = self.eta_w * a[:, None, None] ** 2 * (X @ X.T)[None] + self.eta_a * xw[:, :, None] * xw[:, None, :]
        return out[0] if scalar else out

    def __repr__(self) -> str:
        return (
            f"SingleNeuronExact(a0={self.a0!r}, w0={self.w0.tolist()!r}, beta_star={self.beta_star.tolist()!r}, "
            f"eta_a={self.eta_a!r}, eta_w={self.eta_w!r})"
        )


def _as_float_or_mpf(x: Fraction):
    """``x`` as a float, or as an exact ``mpf`` where it exceeds the float64 range."""
    try:
        return float(x)
    except OverflowError:  # the inputs are floats: the denominator is a power of two, so this is exact
        with mpmath.workprec(abs(x.numerator).bit_length() + x.denominator.bit_length() + 53):
            return mpmath.mpf(x.numerator) / x.denominator


def _beta_of(c: UnitConstants, tau, ns) -> list:
    """``beta = a w`` at unit-rate time ``tau`` over the t-evaluation namespace ``ns``."""
    ra, rb, rp = ratios(c, tau, ns)
    return [ra * (rb * b + rp * p) for b, p in zip(c.bhat, c.wperp)]
