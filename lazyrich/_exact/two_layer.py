"""Exact dynamics of two-layer lambda-balanced linear networks for all time (Dominé et al. (2025), Sec. 4-5).

:class:`TwoLayerExact` evaluates :math:`QQ^T(t)` (input Gram, network function,
output Gram) in float64 from the numerically stable closed form, or in mpmath
to any number of digits; the NTK, the loss and the long-time limit follow.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
from scipy.linalg import expm

from .._base.errors import InvalidParameterError, NonFiniteError, PrecisionError, ShapeError, SingularFactorError
from .._base.validation import as_digits, as_matrix, as_scalar, as_time_grid, check_product_shapes, positive
from .._numerics.arb import Enclosure
from .._numerics.backend import Float64, Mpmath
from .._numerics.precision import MAX_WORKING_DPS, confirmed_mpmath
from .closed_form import ClosedForm
from .two_layer_arb import ArbTwoLayer, dps_limit, dps_qqt, enclosure_qqt
from .two_layer_spectrum import (
    TaskSpectrum,
    check_full_rank_task,
    fukumizu_qqt,
    limit_qqt,
    projections,
    riccati_matrix,
    stable_blocks_float64,
    stable_factor_float64,
    stable_factors,
    stable_qqt,
    task_spectrum,
)
from .two_layer_wide import (
    NARROW_FORM_MAX_CONDITION,
    graded_blocks_float64,
    graded_condition,
    graded_factor_float64,
    graded_or_error,
    rescale_error,
    weight_balance,
)

__all__ = ["TwoLayerExact"]

#: Above this condition kappa = |Q0|_2 / sigma_min(q+) qqt_limit raises (the flow may stall near a saddle); qqt in
#: float64 uses the narrow stable form up to NARROW_FORM_MAX_CONDITION and the graded form beyond (any kappa).
MAX_FLOAT64_CONDITION = 1e5
#: Above this condition of q+ the dps= path leaves the stable form (2 log10(condition) guard digits) for the
#: Fukumizu form, which needs no inverse of q+.
MAX_MP_STABLE_CONDITION = 1e10


#: The whole of an axis of QQ^T.
_ALL = slice(None)


def _to_mp_matrices(arr: np.ndarray) -> list:
    return [mpmath.matrix(a.tolist()) for a in arr]


class TwoLayerExact(ClosedForm):
    r"""Exact gradient-flow dynamics of ``x -> W2 W1 x`` from a lambda-balanced init (Dominé et al. (2025), Sec. 4).

    With whitened inputs, :math:`\tau\dot W_1 = W_2^T(\Sigma_{yx} - W_2W_1)`,
    :math:`\tau\dot W_2 = (\Sigma_{yx} - W_2W_1)W_1^T` and
    :math:`W_2^TW_2 - W_1W_1^T = \lambda I`, the matrix
    :math:`QQ^T = [[W_1^TW_1, W_1^TW_2^T], [W_2W_1, W_2W_2^T]]` obeys the Riccati ODE
    :math:`\tau\tfrac{d}{dt}QQ^T = FQQ^T + QQ^TF - (QQ^T)^2` with
    :math:`F = [[-\tfrac\lambda2 I, \Sigma_{yx}^T], [\Sigma_{yx}, \tfrac\lambda2 I]]` (:attr:`F`), solved exactly here.

    Parameters
    ----------
    W1 : (N_h, N_i) array
    W2 : (N_o, N_h) array
        Initial weights, lambda-balanced (e.g. from :func:`lambda_balanced_init`).
    sigma_yx : (N_o, N_i) array
        Input-output correlation of whitened data (:func:`whitened_sigma_yx` rescales
        :math:`\Sigma_{xx} = cI`).
    tau : float
        Time constant (``tau = 1 / learning rate``).

    Attributes
    ----------
    lam : float
        The balance :math:`\lambda = \operatorname{tr}(W_2^TW_2 - W_1W_1^T)/N_h`.
    imbalance : float
        Measured :math:`\max|W_2^TW_2 - W_1W_1^T - \lambda I|`.
    condition : float
        :math:`\kappa = \|Q_0\|_2/\sigma_{min}(q_+)` with :math:`q_+ = P_+^TQ_0` (the paper's B);
        ``inf`` if ``N_h > min(N_i, N_o)`` or ``q+`` is singular.
    spectrum : TaskSpectrum
        The eigendecomposition of :attr:`F` in float64 (Dominé et al. (2025), Lemma 4.2).

    Raises
    ------
    NotBalancedError
        The imbalance exceeds ``10 (N_i + N_o + N_h) eps max(|W1|_2, |W2|_2)^2``,
        the round-off of forming the two Gram matrices (the message gives it).
    ShapeError, NonFiniteError
        Shapes do not fit, or an input holds NaN/inf.

    Notes
    -----
    Evaluation paths of :meth:`qqt`:

    * ``dps=None, method="stable"`` (default): the stable form of Dominé et al. (2025), Thm 4.3
      (Eqs. 13-15), derived here in a basis-free version valid for
      ``N_i != N_o`` and every lambda (``(e^{2 ell t} - 1)/ell -> 2t`` at 0 via an
      entire function); only decaying exponentials, batched over ``t`` (one
      Cholesky factorisation of the SPD centre matrix per time, never an explicit
      inverse of it), when ``N_h = min(N_i, N_o)`` and ``condition <= 10``; otherwise (any ``N_h``, any
      ``condition``) the graded QR form of the Fukumizu solution (:mod:`lazyrich._exact.two_layer_wide`, no
      inverse of ``q_+``). Relative (max-norm) error ``<~ N kappa eps`` at every ``t`` (tested to ``1e6 tau``),
      ``kappa`` = :meth:`float64_condition`; :class:`SingularFactorError` (to ``dps=``) if q+ is singular to round-off.
    * ``dps=N``: Arb balls (:mod:`lazyrich._exact.two_layer_arb`), returned as mpmath numbers rounded
      to ``N`` digits: every entry certified to ``N`` significant digits (relative radius below
      ``10^-N``; a ball containing 0 to ``10^-N`` times the largest entry), at any ``t``, for the float
      inputs taken as exact (with ``lam`` the measured trace above). The eigenvectors of F (eigenspaces for
      repeated task singular values) are enclosed rigorously and checked by their residual; the stable
      form when ``N_h = min`` and ``q_+`` is well conditioned (``condition < 1e10``), else the
      Fukumizu form in the same eigenbasis (Fukumizu (1998); Dominé et al. (2025), Sec. 4: any ``N_h``).
      The precision doubles until every ball is small enough; ``certified(t, dps=N)`` gives those balls.
      :class:`PrecisionError` beyond ``MAX_WORKING_DPS`` (30000) digits. Rank-deficient tasks included (their
      zero singular values are one more cluster). Without python-flint: mpmath, confirmed by re-evaluation
      (:meth:`confirmed`, :meth:`guard_digits`). The same holds for :meth:`network`, :meth:`input_gram`,
      :meth:`output_gram` and :meth:`qqt_limit` with ``dps=``.
      ``t`` may then hold ``mpf`` or decimal strings, taken exactly (a decimal string as its Arb ball).
    * ``method="direct"``: the paper's Fukumizu form in float64, kept to show its
      failure: ``scipy.linalg.expm(F t)``, ``F^{-1}`` (the eigenbasis entire function
      when F is singular) and a dense solve. It returns what it computes when finite and
      raises :class:`PrecisionError` on overflow (``mu t / tau >~ 350``) or a singular
      bracket; it is inaccurate well before that (e.g. error O(1) by ``t = 20`` on a
      3-3-3 net with ``lambda = 2``).

    The long-time limit is :meth:`qqt_limit` (``qqt`` itself takes finite ``t``).

    Cost model of the float64 stable form (``m = N_h = min(N_i, N_o)``, ``n = N_i + N_o``):
    construction does one full SVD of :math:`\Sigma_{yx}`, the projections of :math:`Q_0` and one
    ``m x m`` solve with ``q+`` (:math:`O(n^3)`, once). Each time point then costs
    :math:`O(m^3 + nm^2) = O(nm^2)`: :math:`K^T\mathrm{diag}(g)K` as a symmetric rank-``m`` update, the
    Cholesky factor of ``A``, one ``n x m x m`` product for ``Z`` and one triangular solve, giving the
    factor ``R(t)`` of :meth:`qqt_factor` (:math:`QQ^T = RR^T`). A block adds one product:
    :meth:`network` :math:`N_oN_im \le nm^2` (as ``m = min``), :meth:`input_gram` :math:`N_i^2m`,
    :meth:`output_gram` :math:`N_o^2m`; the full :meth:`qqt` :math:`n^2m` and ``n^2`` floats per time.
    Memory is the requested output (linear in the number of times) plus :math:`O(nm + m^2)` of work;
    only the requested block is formed, never the ``(T, n, n)`` array (for ``m <= 48`` times are
    batched, up to 100 at a time with at most 16 MiB of work). :func:`iter_qqt` streams one time at a time.

    Examples
    --------
    >>> from lazyrich import lambda_balanced_init
    >>> W1, W2 = lambda_balanced_init(3, 2, 2, lam=0.5, sigma=0.3, seed=1)
    >>> S = np.array([[2.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    >>> net = TwoLayerExact(W1, W2, S)
    >>> round(net.lam, 12)
    0.5
    >>> bool(np.allclose(net.network(0.0), W2 @ W1))
    True
    >>> bool(np.allclose(net.network(40.0), S))
    True
    """

    def __init__(self, W1, W2, sigma_yx, tau: float = 1.0) -> None:
        W1 = as_matrix(W1, "W1")
        W2 = as_matrix(W2, "W2")
        check_product_shapes(("W1", "W2"), (W1, W2))
        n_hidden, n_in = W1.shape
        n_out = W2.shape[0]
        syx = as_matrix(sigma_yx, "sigma_yx")
        if syx.shape != (n_out, n_in):
            raise ShapeError(f"sigma_yx must be (N_o, N_i) = ({n_out}, {n_in}) to match W2 @ W1; got {syx.shape}")
        self.tau = positive(tau, "tau")
        self.W1, self.W2, self.sigma_yx = W1, W2, syx
        self.n_in, self.n_hidden, self.n_out = n_in, n_hidden, n_out
        lam, self.imbalance, norm_q0 = weight_balance(W1, W2)  # NotBalancedError; NonFiniteError out of range
        self.lam = lam
        self.Q0 = np.concatenate([W1.T, W2], axis=0)
        with np.errstate(over="raise", invalid="raise", under="ignore"):
            try:
                self._spec = task_spectrum(Float64, syx, lam)
            except FloatingPointError:
                raise rescale_error("the spectrum of F, sqrt(s^2 + lambda^2 / 4),") from None
        self._m = min(n_in, n_out)
        self._fac = self._graded = None  # the narrow stable form's factors; the graded form's (or its error)
        self.condition = math.inf
        if n_hidden == self._m:
            proj = projections(self._spec, self.Q0)
            smin = np.linalg.svd(proj[0], compute_uv=False)[-1]
            # relative to |Q0| (not to |q+|): a uniformly small q+ is as harmful as an ill-conditioned one
            self.condition = float(norm_q0 / smin) if smin > 0 else math.inf
            if self.condition <= NARROW_FORM_MAX_CONDITION:  # else the graded form: kappa eps, not kappa^2 eps
                with np.errstate(over="raise", invalid="raise", under="ignore"):
                    try:  # (q+ q+^T)^{-1} overflows for tiny weights (~1e-155): the graded form takes those
                        self._fac = stable_factors(Float64, self._spec, self.Q0, proj)
                    except FloatingPointError:
                        pass
        if self._fac is None:  # built here, not on first use: construction carries the O(n^3) set-up
            self._graded = graded_or_error(self._spec, self.Q0)

    # ------------------------------------------------------------------ core
    @property
    def n(self) -> int:
        """Size ``N_i + N_o`` of :math:`QQ^T`."""
        return self.n_in + self.n_out

    @property
    def spectrum(self) -> TaskSpectrum:
        """The float64 eigendecomposition of :attr:`F` (``mu``, ``P_+``, ``P_-``, ``P_perp``, ...)."""
        return self._spec

    @property
    def F(self) -> np.ndarray:
        r"""The Riccati matrix :math:`F = [[-\tfrac\lambda2 I, \Sigma_{yx}^T], [\Sigma_{yx}, \tfrac\lambda2 I]]` (float64, exact)."""
        return riccati_matrix(self.sigma_yx, self.lam)

    @property
    def mp_form(self) -> str:
        """The closed form the ``dps=`` path evaluates: ``"stable"`` or ``"fukumizu"`` (see the class notes)."""
        stable = self.n_hidden == self._m and self.condition < MAX_MP_STABLE_CONDITION
        return "stable" if stable else "fukumizu"

    def guard_digits(self, t) -> int:
        r"""Working digits beyond the requested ones that the mpmath ``dps=`` fallback starts from at time ``t``.

        Stable form: ``15 + 2 ceil(log10 condition)`` (one solve with ``q_+`` and its Gram, independent
        of ``t``: only decaying exponentials). Fukumizu form: ``25 + ceil(2 (f_max - f_min) t / (tau ln 10))``,
        the cancellation between :math:`e^{f_{max}t}` and :math:`e^{f_{min}t}` in its bracket.
        The confirmation (:meth:`confirmed`) doubles it where it falls short.
        """
        if self.mp_form == "stable":
            return 15 + 2 * math.ceil(math.log10(max(self.condition, 1.0)))
        f = self._spec.eigenvalues
        span = float(f.max() - f.min()) if f.size else 0.0
        return 25 + math.ceil(2 * span * float(t) / self.tau / math.log(10))

    def mp_evaluator(self, form: str):
        r"""At the current mpmath precision: ``evaluate(t)``, the ``(n, n)`` object array of :math:`QQ^T(t)`.

        The spectrum (and for ``form="stable"`` the factors of ``q_+``) is computed once, here, in
        mpmath at the working precision of the caller's ``mpmath.workdps``; ``t`` is a float, an
        ``mpf`` or a decimal string (divided by ``tau`` inside). No confirmation: that is what ``dps=`` adds.

        Parameters
        ----------
        form : {"stable", "fukumizu"}
            The stable form (Dominé et al. (2025), Thm 4.3; needs ``q_+`` invertible and
            ``N_h = min(N_i, N_o)``) or the Fukumizu form (any ``Q_0``).
        """
        if form not in ("stable", "fukumizu"):
            raise InvalidParameterError(f"form must be 'stable' or 'fukumizu'; got {form!r}")
        spec = task_spectrum(Mpmath, self.sigma_yx, mpmath.mpf(self.lam))
        Q0 = Mpmath.asarray(self.Q0)
        tau = mpmath.mpf(self.tau)
        fac = stable_factors(Mpmath, spec, Q0) if form == "stable" else None

        def evaluate(t) -> np.ndarray:
            ts = np.array([mpmath.mpf(t) / tau], dtype=object)
            return (stable_qqt(Mpmath, spec, fac, ts) if fac is not None else fukumizu_qqt(Mpmath, spec, Q0, ts))[0]

        return evaluate

    # ------------------------------------------------------------------ the ClosedForm interface (values: QQ^T, flat)
    description = "QQ^T(t) of a two-layer lambda-balanced linear network (Dominé et al. (2025), Thm 4.3)"

    def stable_evaluator(self, digits):
        if digits is None:
            return lambda t: list(self.qqt(float(t)).reshape(-1))
        at = self.mp_evaluator("stable")
        return lambda t: list(at(t).reshape(-1))

    def direct_evaluator(self, digits):
        if digits is None:
            return lambda t: list(self.qqt(float(t), method="direct").reshape(-1))
        at = self.mp_evaluator("fukumizu")
        return lambda t: list(at(t).reshape(-1))

    def certified_bits(self, t, bits: int) -> int:
        """Start precision of :func:`certified_qqt` at ``t``: independent of ``t`` for the stable form in Arb."""
        return ArbTwoLayer(self).start(float(t), bits)

    def certified(self, t, bits: int = 100, make=None, dps: int | None = None) -> Enclosure:
        """Arb enclosure of :math:`QQ^T` at each time, flat: balls of shape ``(T, n^2)`` (:func:`certified_qqt`).

        ``dps=N``: the balls ``qqt(t, dps=N)`` rounds, its rigorous bound (:func:`enclosure_qqt`; ``bits`` ignored).
        """
        enc = enclosure_qqt(self, t, bits, dps)
        return Enclosure(enc.balls.reshape(enc.balls.shape[0], -1), enc.prec)

    def error_scale(self, values):
        """The largest entry of :math:`QQ^T(t)`."""
        return max(abs(v) for v in values)

    def _graded_factors(self):
        if self._graded is None:
            self._graded = graded_or_error(self._spec, self.Q0)
        if isinstance(self._graded, SingularFactorError):  # q+ singular up to round-off: the message points to dps=
            raise SingularFactorError(str(self._graded))
        return self._graded

    def float64_condition(self, t) -> np.ndarray | float:
        """Condition number of the float64 :meth:`qqt` at ``t``: its relative max-norm error is ``~ kappa eps``.

        The graded form's (:func:`lazyrich._exact.two_layer_wide.graded_condition`) for any ``N_h``;
        on the narrow stable form's path the error is ``~ 0.1 condition eps`` (class notes).
        """
        grid, scalar = as_time_grid(t)
        with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
            out = graded_condition(self._graded_factors(), self.F, grid / self.tau)
        return float(out[0]) if scalar else out

    def _require_stable_float64(self) -> None:  # qqt_limit: the limit formula needs a square, invertible q+
        if self.n_hidden != self._m:
            raise SingularFactorError(
                f"the limit formula needs N_h = min(N_i, N_o) (assumption A3); got N_h = {self.n_hidden} > "
                f"{self._m}, where q+ = P+^T Q0 is not square. Use qqt at a large t (float64, any N_h) or dps="
            )
        if self.condition > MAX_FLOAT64_CONDITION:
            raise SingularFactorError(
                f"q+ = P+^T Q0 (the paper's B) has condition number {self.condition:.3g} > {MAX_FLOAT64_CONDITION:.0g}: "
                "the float64 stable form would lose too many digits (e.g. lambda = 0 with sign(det W2W1(0)) != "
                "sign(det Sigma_yx), or reversal learning). Use dps= (e.g. qqt(t, dps=30)), which handles it"
            )

    def _float64(self, grid: np.ndarray, method: str, rows: slice = _ALL, cols: slice = _ALL) -> np.ndarray:
        ts = grid / self.tau
        if method == "stable":
            with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
                if self._fac is None:  # N_h > min(N_i, N_o) or q+ ill-conditioned: the graded form (any N_h)
                    out = graded_blocks_float64(self._graded_factors(), ts, rows, cols)
                else:
                    out = stable_blocks_float64(self._spec, self._fac, ts, rows, cols)
        elif method == "direct":
            try:
                with np.errstate(over="raise", invalid="raise", divide="raise"):
                    out = self._direct_float64(ts)
            except FloatingPointError as exc:
                raise PrecisionError(
                    f"the direct (Fukumizu) form overflows float64 at t = {grid.max():g} ({exc}); this is the "
                    "instability the stable form avoids: use method='stable' or dps="
                ) from None
            except (SingularFactorError, np.linalg.LinAlgError):
                raise PrecisionError(
                    "the direct (Fukumizu) form hit a numerically singular bracket in float64 (round-off of the "
                    "growing exponentials); use method='stable' or dps="
                ) from None
            out = out[:, rows, cols]
        else:
            raise InvalidParameterError(f"method must be 'stable' or 'direct'; got {method!r}")
        if not np.all(np.isfinite(out)):  # pragma: no cover - guarded by errstate above
            raise PrecisionError("non-finite QQ^T in float64; use dps=")
        return out

    def _direct_float64(self, ts: np.ndarray) -> np.ndarray:
        """The paper's direct form literally: ``expm(F t)``, ``F^{-1}`` and a solve (Dominé et al. (2025), Sec. 4).

        ``F`` is singular for ``lambda = 0`` with ``N_i != N_o``; then ``(e^{2Ft} - I) F^{-1}``
        is taken in the eigenbasis with the entire function ``(e^{2ft} - 1)/f -> 2t``.
        """
        F = self.F
        eF = expm(F[None] * ts[:, None, None])
        if not np.all(np.isfinite(eF)):
            raise FloatingPointError("overflow in expm(F t)")
        Y = eF @ self.Q0
        if np.linalg.cond(F) < 1.0 / np.finfo(float).eps:
            R = (eF @ eF - np.eye(self.n)) @ np.linalg.solve(F, self.Q0)
            M = np.eye(self.n_hidden) + 0.5 * self.Q0.T @ R
        else:
            return fukumizu_qqt(Float64, self._spec, self.Q0, ts)
        if not (np.all(np.isfinite(M)) and np.all(np.isfinite(Y))):
            raise FloatingPointError("overflow in the direct form's bracket")
        return Y @ np.linalg.solve(M, np.swapaxes(Y, -1, -2))

    def _mp(self, grid: list, dps: int) -> np.ndarray:
        """``(T, n, n)`` object array of :math:`QQ^T` to ``dps`` digits: Arb (:func:`dps_qqt`), else :meth:`confirmed`."""
        out = dps_qqt(self, grid, dps)
        if out is not None:
            return out
        form = self.mp_form
        n = self.n
        try:
            rows = self.confirmed(grid, dps, self.stable_evaluator if form == "stable" else self.direct_evaluator)
        except PrecisionError:
            hint = (
                "Fukumizu form: q+ singular or N_h > min(N_i, N_o); it loses 2 (f_max - f_min) t / ln 10 digits"
                if form == "fukumizu"
                else f"stable form: q+ has condition {self.condition:.3g}"
            )
            raise PrecisionError(
                f"reaching {dps} digits at t = {max(float(x) for x in grid):g} needs more than {MAX_WORKING_DPS} "
                f"working digits ({hint}); ask for fewer digits or a smaller t"
            ) from None
        out = np.empty((len(rows), n * n), dtype=object)
        for i, row in enumerate(rows):
            out[i] = row
        return out.reshape(-1, n, n)

    def _qqt_array(self, t, dps, method: str, rows: slice = _ALL, cols: slice = _ALL):
        grid, scalar = as_time_grid(t, exact=dps is not None)  # dps=: mpf and decimal-string times kept exact
        if dps is None:
            return self._float64(grid, method, rows, cols), scalar, False
        dps = as_digits(dps)
        if method != "stable":
            raise InvalidParameterError(
                "method='direct' is the float64 demonstration; with dps= the path is chosen automatically"
            )
        return self._mp(grid, dps)[:, rows, cols], scalar, True

    @staticmethod
    def _finish(arr, scalar: bool, is_mp: bool):
        if is_mp:
            mats = _to_mp_matrices(arr)
            return mats[0] if scalar else mats
        return arr[0] if scalar else arr

    # ------------------------------------------------------------------ public
    def qqt(self, t, dps: int | None = None, method: str = "stable"):
        r"""The matrix :math:`QQ^T(t)` (Dominé et al. (2025), Sec. 4 and Thm 4.3), shape ``(N_i+N_o, N_i+N_o)``.

        Parameters
        ----------
        t : float or 1-D array, >= 0, finite
            With ``dps=``, entries may also be ``mpf`` or decimal strings (taken exactly, never rounded to float).
        dps : int, optional
            Significant digits: return mpmath matrices correct to ``dps`` digits
            (relative to the largest entry), the working precision chosen automatically.
        method : {"stable", "direct"}
            float64 only: the stable form (default) or the paper's direct
            Fukumizu form (unstable on purpose; see the class notes).

        Returns
        -------
        (N, N) or (T, N, N) float array; or an mpmath matrix (a list of them for array ``t``).
        For wide networks ask only for what is needed: :meth:`network`, :meth:`input_gram`,
        :meth:`output_gram` or :meth:`qqt_factor` form just that (cost model in the class notes),
        and :func:`iter_qqt` streams one time point at a time.

        Raises
        ------
        SingularFactorError
            float64 with ``q+`` singular up to round-off (e.g. ``lambda = 0``, ``sign det W2W1(0) != sign det S``).
        PrecisionError
            ``method="direct"`` overflowed or failed; or ``dps=`` needs too many digits.
        """
        arr, scalar, is_mp = self._qqt_array(t, dps, method)
        return self._finish(arr, scalar, is_mp)

    def _block(self, t, dps, rows: slice, cols: slice, method: str = "stable"):
        # float64: only this block is formed from the factor (never the (T, n, n) array)
        arr, scalar, is_mp = self._qqt_array(t, dps, method, rows, cols)
        return self._finish(arr, scalar, is_mp)

    def qqt_factor(self, t) -> np.ndarray:
        r"""A factor :math:`R(t)` (``(N_i+N_o) x N_h``) with :math:`QQ^T(t) = R(t)R(t)^T` (float64 stable form).

        ``R = Z L^{-T}`` with :math:`A = LL^T` (stable form), or ``P Y' R_c^{-1}`` (graded form); it equals :math:`Q(t)`
        up to an orthogonal rotation of the hidden layer, so ``R[:N_i].T`` and ``R[N_i:]`` are weights
        with the same input/output Grams and network function as the trained ones (and the same
        balance :math:`R_{o}^TR_{o} - R_{i}^TR_{i} = \lambda I`). Costs :math:`O(nN_h^2)` per time
        point and ``T n N_h`` floats in all: use it (or :meth:`network`) instead of :meth:`qqt` for
        wide networks, where the ``(T, n, n)`` array is the bottleneck.

        Returns
        -------
        (N, N_h) or (T, N, N_h) float array.

        Raises
        ------
        SingularFactorError
            ``q+`` singular up to round-off (see :meth:`qqt`).

        Examples
        --------
        >>> from lazyrich import lambda_balanced_init
        >>> W1, W2 = lambda_balanced_init(3, 2, 2, lam=0.5, sigma=0.3, seed=1)
        >>> net = TwoLayerExact(W1, W2, np.array([[2.0, 0.0, 0.0], [0.0, 1.0, 0.0]]))
        >>> R = net.qqt_factor(3.0)
        >>> bool(np.allclose(R @ R.T, net.qqt(3.0)))
        True
        >>> bool(np.allclose(R[3:].T @ R[3:] - R[:3].T @ R[:3], 0.5 * np.eye(2)))
        True
        """
        grid, scalar = as_time_grid(t)
        with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
            if self._fac is None:
                out = graded_factor_float64(self._graded_factors(), grid / self.tau)
            else:
                out = stable_factor_float64(self._spec, self._fac, grid / self.tau)
        return out[0] if scalar else out

    def network(self, t, dps: int | None = None):
        """The network function :math:`W_2W_1(t)` (``N_o x N_i``), the lower-left block of :math:`QQ^T`."""
        return self._block(t, dps, slice(self.n_in, None), slice(0, self.n_in))

    def input_gram(self, t, dps: int | None = None):
        """The input-side representation :math:`W_1^TW_1(t)` (``N_i x N_i``)."""
        return self._block(t, dps, slice(0, self.n_in), slice(0, self.n_in))

    def output_gram(self, t, dps: int | None = None):
        """The output-side representation :math:`W_2W_2^T(t)` (``N_o x N_o``)."""
        return self._block(t, dps, slice(self.n_in, None), slice(self.n_in, None))

    def loss(self, t):
        r"""Whitened loss :math:`\tfrac12\|\Sigma_{yx} - W_2W_1(t)\|_F^2` (float64; derived here from the blocks of :math:`QQ^T`).

        This is the loss :math:`\frac1{2P}\|Y - W_2W_1X\|_F^2` minus the data constant
        :math:`\tfrac12\operatorname{tr}\Sigma_{yy} - \tfrac12\|\Sigma_{yx}\|_F^2`, so it is 0 at the global
        minimum; it equals ``DeepLinearModel(sigma_yx).loss + |sigma_yx|_F^2 / 2``.
        """
        M = self.network(t)
        R = M - self.sigma_yx
        return 0.5 * np.sum(R * R, axis=(-1, -2))

    def ntk(self, t, X) -> np.ndarray:
        r"""Neural tangent kernel :math:`I_{N_o}\otimes X^TW_1^TW_1X + W_2W_2^T\otimes X^TX` (Dominé et al. (2025), eq. (5)).

        ``X`` is ``N_i x P`` (columns are samples). Ordering: (output, sample), the
        output index is the outer Kronecker factor: entry ``[o*P + p, o'*P + p']`` is
        the kernel between output ``o`` at sample ``p`` and output ``o'`` at ``p'``.
        Returns ``(N_o P, N_o P)``, or ``(T, N_o P, N_o P)`` for array ``t``.
        """
        X = as_matrix(X, "X", (self.n_in, None))
        G = self.qqt(t)
        batched = G.ndim == 3
        G = G if batched else G[None]
        P, eye = X.shape[1], np.eye(self.n_out)
        with np.errstate(over="raise", invalid="raise", under="ignore"):
            try:
                K1 = X.T[None] @ G[:, : self.n_in, : self.n_in] @ X[None]  # (T, P, P)
                G2, XX = G[:, self.n_in :, self.n_in :], X.T @ X  # (T, No, No), (P, P)
                out = eye[None, :, None, :, None] * K1[:, None, :, None, :]
                out = out + G2[:, :, None, :, None] * XX[None, None, :, None, :]
            except FloatingPointError:
                raise NonFiniteError("the NTK overflows float64 (|X|^2 |QQ^T| > 1e308): rescale X") from None
        out = out.reshape(G.shape[0], self.n_out * P, self.n_out * P)
        return out if batched else out[0]

    def kernel_distance(self, t1, t2, X):
        r"""NTK movement :math:`1 - \langle K(t_1), K(t_2)\rangle_F / (\|K(t_1)\|_F\|K(t_2)\|_F)` (Fort et al. (2020)).

        ``t1`` scalar; ``t2`` scalar or 1-D array (returns float or array).
        """
        as_scalar(t1, "t1")
        K1, K2 = self.ntk(t1, X), self.ntk(t2, X)
        s1, s2 = np.abs(K1).max(), np.abs(K2).max(axis=(-1, -2), keepdims=True)  # scale-free: no over/underflow
        if s1 == 0 or np.any(s2 == 0):
            raise InvalidParameterError("the NTK is 0 (or below 1e-308) at t1 or t2: the kernel distance is undefined")
        K1, K2 = K1 / s1, K2 / s2
        n1, n2 = np.linalg.norm(K1), np.linalg.norm(K2, axis=(-1, -2))
        inner = np.sum(K1 * K2, axis=(-1, -2))
        d = 1.0 - inner / (n1 * n2)
        return float(d) if np.ndim(d) == 0 else d

    def qqt_limit(self, dps: int | None = None):
        r"""The limit :math:`QQ^T(\infty) = 2P_+\tilde S_\lambda P_+^T` (derived here (Dominé et al. (2025), Sec. 4), claim 9).

        Blocks: :math:`\tilde V_m(\tilde S_\lambda - \tfrac\lambda2)\tilde V_m^T`,
        :math:`\tilde U_m\tilde S\tilde V_m^T` (so :math:`W_2W_1\to\Sigma_{yx}`) and
        :math:`\tilde U_m(\tilde S_\lambda + \tfrac\lambda2)\tilde U_m^T`.

        Parameters
        ----------
        dps : int, optional
            Significant digits: an mpmath matrix correct to ``dps`` digits (relative to its largest
            entry), through the same precision helper as :meth:`qqt`; float64 if ``None``.

        Raises
        ------
        SingularFactorError
            ``q+`` singular or ill-conditioned (the flow may stall at a saddle), or ``N_h > min(N_i, N_o)``.
        InvalidParameterError
            ``Sigma_yx`` is rank deficient (the limit then depends on the initialization).
        """
        self._require_stable_float64()
        check_full_rank_task(self._spec.s, self.n, "evaluate qqt at a large finite t")
        if dps is None:
            return limit_qqt(self._spec)
        lim = dps_limit(self, as_digits(dps))  # Arb, certified; None: no python-flint or an inseparable spectrum
        if lim is not None:
            return mpmath.matrix(lim.tolist())

        def prepare():
            value = limit_qqt(task_spectrum(Mpmath, self.sigma_yx, mpmath.mpf(self.lam))).reshape(-1)
            return lambda _: value

        # guard: the base guard of the stable form (an SVD and products; no t); the confirmation raises it if short
        (row,) = confirmed_mpmath(prepare, ["t = inf"], as_digits(dps), lambda _: 15)
        return mpmath.matrix(np.array(row, dtype=object).reshape(self.n, self.n).tolist())
