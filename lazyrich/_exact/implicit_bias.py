r"""Implicit bias of a single neuron on low-rank data: Kunin et al. (2024), Thm 3.1 (eq. (5)).

For any ``X`` (``X^T X`` possibly singular) and unit learning rates, if gradient
flow interpolates, its limit is

.. math::
    \beta(\infty) = \arg\min_{X\beta = y}\ \Psi_\delta(\beta) - \psi_\delta\,\hat\beta_0^T\beta,\qquad
    \Psi_\delta(\beta) = \tfrac13\big(\kappa - 2\delta\big)\sqrt{\kappa + \delta},\quad
    \kappa = \sqrt{\delta^2 + 4\|\beta\|^2},\quad \psi_\delta = \sqrt{\kappa_0 - \delta}. \tag{5}

With layer learning rates, pass ``delta / sqrt(eta_a eta_w)`` (the learning-rate
reduction derived here from Kunin et al. (2024), Sec. 3). Three routes are provided, each independent of the others:

* :func:`implicit_bias_argmin` solves (5) numerically (scipy SLSQP with the
  constraint ``X beta = y``).
* :func:`implicit_bias_limit` is the closed form that follows from conservation
  of the null-space part of ``w`` (``P_ker w(t) = P_ker w_0``, since
  ``dw/dt`` lies in the row space of ``X``):
  ``beta_inf = beta_mn + a_inf P_ker w_0`` with
  ``a_inf^2 = kappa_n + sqrt(kappa_n^2 + |beta_mn|^2)``,
  ``kappa_n = (|P_ker w_0|^2 + delta)/2``.
* :func:`implicit_bias_limit_1d` is the notebook's formula for a one-dimensional
  null space, ``alpha = k sqrt(kappa + sqrt(kappa^2 + c^2))``.

:func:`implicit_bias_endpoints` gives the ``delta -> +-inf`` limits.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np

from .._base.errors import InvalidParameterError, NonFiniteError, ShapeError, SimulationDivergedError
from .._base.tolerance import linalg_tolerance
from .._base.validation import as_flag, as_matrix, as_scalar, as_vector, positive, positive_int

__all__ = [
    "implicit_bias_argmin",
    "implicit_bias_endpoints",
    "implicit_bias_limit",
    "implicit_bias_limit_1d",
    "implicit_bias_objective",
    "implicit_bias_potential",
]


#: Working bits of the scalar parts (mpmath: no overflow or underflow at any input magnitude).
_WORK_BITS = 120


def _norm2(v):
    """``|v|^2`` as an mpf (each square exact at the working precision, one rounding per sum)."""
    return mpmath.fsum(mpmath.mpf(float(x)) ** 2 for x in v)


def _dot(u, v):
    return mpmath.fsum(mpmath.mpf(float(a)) * mpmath.mpf(float(b)) for a, b in zip(u, v))


def _kappa_plus_minus(r2, delta):
    """``(kappa, kappa + delta, kappa - delta)`` for ``kappa = sqrt(delta^2 + 4 r2)`` as mpf, without cancellation."""
    delta = mpmath.mpf(delta)
    kappa = mpmath.sqrt(delta * delta + 4 * r2)
    if delta >= 0:
        plus = kappa + delta
        minus = 4 * r2 / plus if delta > 0 else kappa
    else:
        minus = kappa - delta
        plus = 4 * r2 / minus
    return kappa, plus, minus


def _as_float(x, what: str) -> float:
    """An mpf as a float, or :class:`NonFiniteError` (saying what to rescale) beyond the float64 range."""
    v = float(x)
    if not math.isfinite(v):
        raise NonFiniteError(
            f"{what} = {mpmath.nstr(x, 5)} is beyond the float64 range; rescale the inputs (beta, or X, y and beta0; "
            "the quantities are homogeneous in them) and scale the result back"
        )
    return v


def _finite_vector(v: np.ndarray, what: str) -> np.ndarray:
    if not np.all(np.isfinite(v)):
        raise NonFiniteError(f"{what} overflows float64; rescale the data (X, y) and beta0 and scale the result back")
    return v


def implicit_bias_potential(beta, delta: float) -> float:
    r"""The potential ``Psi_delta(beta) = (kappa - 2 delta) sqrt(kappa + delta) / 3`` of Theorem 3.1 (eq. 5).

    Its gradient is ``sqrt(kappa - delta) beta / |beta|`` (``= sqrt(2) |w| beta_hat``). The scalars
    are formed in mpmath (no overflow for ``|beta|`` or ``|delta|`` up to 1e300); the value is returned as a
    float, or :class:`NonFiniteError` where it exceeds the float64 range.

    Examples
    --------
    >>> round(implicit_bias_potential([3.0, 4.0], 0.0), 12)   # delta = 0: (2/3) sqrt(2) |beta|^{3/2}
    10.540925533895
    """
    beta = as_vector(beta, "beta")
    delta = as_scalar(delta, "delta")
    with mpmath.workprec(_WORK_BITS):
        kappa, plus, _ = _kappa_plus_minus(_norm2(beta), delta)
        return _as_float((kappa - 2 * delta) * mpmath.sqrt(plus) / 3, "Psi_delta(beta)")


def _potential_gradient(beta: np.ndarray, delta: float) -> np.ndarray:
    with mpmath.workprec(_WORK_BITS):
        r2 = _norm2(beta)
        _, plus, minus = _kappa_plus_minus(r2, delta)
        if delta > 0:  # smooth at beta = 0: sqrt(kappa - delta)/|beta| = 2/sqrt(kappa + delta)
            return _as_float(2 / mpmath.sqrt(plus), "2 / sqrt(kappa + delta)") * beta
        if r2 == 0:
            return np.zeros_like(beta)
        return _as_float(mpmath.sqrt(minus / r2), "sqrt(kappa - delta) / |beta|") * beta


def implicit_bias_objective(beta, beta0, delta: float) -> float:
    r"""The objective of eq. (5): ``Psi_delta(beta) - psi_delta beta0_hat^T beta``.

    Examples
    --------
    >>> round(implicit_bias_objective([1.0, 0.0], [1.0, 0.0], 0.0), 12)   # (2/3 - 1) sqrt(2)
    -0.471404520791
    """
    beta = as_vector(beta, "beta")
    beta0 = _nonzero_beta0(beta0, beta.size)
    delta = as_scalar(delta, "delta")
    with mpmath.workprec(_WORK_BITS):
        r2_0 = _norm2(beta0)
        _, _, minus0 = _kappa_plus_minus(r2_0, delta)
        kappa, plus, _ = _kappa_plus_minus(_norm2(beta), delta)
        psi = (kappa - 2 * delta) * mpmath.sqrt(plus) / 3
        return _as_float(psi - mpmath.sqrt(minus0 / r2_0) * _dot(beta0, beta), "the objective of eq. (5)")


def _nonzero_beta0(beta0, d: int | None = None) -> np.ndarray:
    beta0 = as_vector(beta0, "beta0", d)
    if not np.any(beta0):
        raise InvalidParameterError(
            "beta0 = 0: Theorem 3.1 needs beta(t) != 0 for all t >= 0 (its direction enters eq. 5); "
            "start from a nonzero a0 w0"
        )
    return beta0


def _rounding(kappa: float, n_ops: int, size: float, y) -> float:
    """Round-off bound of a residual ``X b - y`` whose first term has norm up to ``size``."""
    return linalg_tolerance(kappa, n_ops) * (float(size) + float(np.linalg.norm(y)))


def _problem(X, y, beta0):
    X = as_matrix(X, "X")
    y = as_vector(y, "y", X.shape[0])
    beta0 = _nonzero_beta0(beta0, X.shape[1])
    # one SVD for X^+ (numpy's pinv cut-off, max(m, n) eps s_1) and for the condition of the kept part
    U, sv, Vt = np.linalg.svd(X, full_matrices=False)
    keep = sv > sv[0] * max(X.shape) * np.finfo(float).eps
    pinv = (Vt[keep].T / sv[keep]) @ U[:, keep].T
    beta_mn = pinv @ y
    resid = float(np.linalg.norm(X @ beta_mn - y))
    # round-off of X X^+ y for a consistent system: kappa(X) eps per operation, over the m + n terms of each product
    kappa = float(sv[0] / sv[keep][-1]) if np.any(keep) else 1.0
    if resid > _rounding(kappa, sum(X.shape), sv[0] * np.linalg.norm(beta_mn), y):
        raise InvalidParameterError(
            f"X beta = y has no solution (least-squares residual {resid:.3g}); Theorem 3.1 is about interpolating limits"
        )
    return X, y, beta0, pinv, beta_mn


def implicit_bias_argmin(X, y, beta0, delta: float, ftol: float = 1e-15, maxiter: int = 2000) -> np.ndarray:
    r"""Solve eq. (5) numerically: ``argmin Psi_delta(beta) - psi_delta beta0_hat^T beta`` s.t. ``X beta = y``.

    scipy SLSQP with the analytic gradient, started at the minimum-norm
    interpolant; independent of the gradient flow and of the conservation law.

    Parameters
    ----------
    X : (n, d) array, y : (n,) array
        Data (``X^T X`` may be singular; ``X beta = y`` must be solvable).
    beta0 : (d,) array
        The initial function ``a0 w0`` (nonzero).
    delta : float
        ``delta / sqrt(eta_a eta_w)`` (unit-rate conserved quantity).
    ftol : float, > 0
        SLSQP's stopping tolerance on the objective.
    maxiter : int, >= 1
        Largest number of SLSQP iterations.

    Raises
    ------
    SimulationDivergedError
        SLSQP did not converge.

    Examples
    --------
    >>> import numpy as np
    >>> b = implicit_bias_argmin([[0.5, 1.0]], [1.1], [0.5, 0.2], 1.0)
    >>> bool(abs(b @ [0.5, 1.0] - 1.1) < 1e-12)
    True
    """
    X, y, beta0, _, beta_mn = _problem(X, y, beta0)
    delta = as_scalar(delta, "delta")
    ftol, maxiter = positive(ftol, "ftol"), positive_int(maxiter, "maxiter")
    with mpmath.workprec(_WORK_BITS):
        r2_0 = _norm2(beta0)
        _, _, minus0 = _kappa_plus_minus(r2_0, delta)
        lin = _as_float(mpmath.sqrt(minus0 / r2_0), "psi_delta / |beta0|") * beta0
    from scipy.optimize import minimize  # deferred: scipy.optimize loads scipy.integrate

    def fun(b):
        return implicit_bias_potential(b, delta) - float(lin @ b)

    def jac(b):
        return _potential_gradient(b, delta) - lin

    res = minimize(
        fun,
        beta_mn,
        jac=jac,
        method="SLSQP",
        constraints=[{"type": "eq", "fun": lambda b: X @ b - y, "jac": lambda b: X}],
        options={"ftol": ftol, "maxiter": maxiter},
    )
    if not res.success:
        raise SimulationDivergedError(f"SLSQP did not solve eq. (5): {res.message}")
    return np.asarray(res.x, dtype=float)


def _unit_a0(beta0: np.ndarray, delta: float):
    """``a0 > 0`` (mpf) with ``a0 w0 = beta0`` and ``a0^2 - |w0|^2 = delta`` (Kunin et al. (2024), Sec. 3): ``a0^2 = (kappa + delta) / 2``."""
    _, plus, _ = _kappa_plus_minus(_norm2(beta0), delta)
    return mpmath.sqrt(plus / 2)


def implicit_bias_limit(X, y, beta0, delta: float, sign_change: bool = False) -> np.ndarray:
    r"""Closed-form gradient-flow limit for any ``X`` (Theorem 3.1 via null-space conservation).

    .. math::
        \beta_\infty = \beta_{mn} + a_\infty P_{\ker X} w_0,\qquad
        a_\infty^2 = \varkappa + \sqrt{\varkappa^2 + \|\beta_{mn}\|^2},\quad
        \varkappa = \tfrac12(\|P_{\ker X} w_0\|^2 + \delta),

    with ``beta_mn = X^+ y`` and ``(a0 > 0, w0)`` the initialisation with
    ``a0 w0 = beta0`` and conserved ``delta`` (the limit depends on ``beta0`` and
    ``delta`` only). Under the theorem's hypothesis ``beta(t) != 0``, ``a`` keeps its
    sign and this is the argmin of eq. (5). With ``sign_change=True`` it is the limit
    of a flow along which ``a`` crosses zero once (possible only for ``delta < 0``;
    the theorem does not apply then, but null-space conservation still fixes the
    limit, with ``a_inf`` of the opposite sign).

    Examples
    --------
    >>> import numpy as np
    >>> b = implicit_bias_limit([[0.5, 1.0]], [1.1], [0.5, 0.2], 1.0)
    >>> bool(np.allclose(b, implicit_bias_argmin([[0.5, 1.0]], [1.1], [0.5, 0.2], 1.0), atol=1e-6))
    True
    """
    X, y, beta0, pinv, beta_mn = _problem(X, y, beta0)
    delta, sign_change = as_scalar(delta, "delta"), as_flag(sign_change, "sign_change")
    if sign_change and delta >= 0:
        raise InvalidParameterError(f"a cannot change sign for delta = {delta} >= 0 (a^2 = |w|^2 + delta)")
    row = pinv @ (X @ beta0)
    ker = beta0 - row  # P_ker beta0 = a0 P_ker w0
    with mpmath.workprec(_WORK_BITS):
        a0 = _unit_a0(beta0, delta)
        a0_2 = a0 * a0
        n2, p2 = _norm2(ker) / a0_2, _norm2(row) / a0_2  # |P_ker w0|^2, |P_row w0|^2
        # 2 kappa_n = |P_ker w0|^2 + delta = a0^2 - |P_row w0|^2 (|w0|^2 = a0^2 - delta): the pair with smaller terms
        two_kap = n2 + delta if delta >= 0 or max(n2, abs(delta)) <= max(a0_2, p2) else a0_2 - p2
        kap, c2 = two_kap / 2, _norm2(beta_mn)
        root = mpmath.sqrt(kap * kap + c2)
        a2 = kap + root if kap >= 0 else c2 / (root - kap)
        ratio = _as_float(mpmath.sqrt(a2) / a0, "a_inf / a0")  # beta_inf = beta_mn + a_inf P_ker w0
    with np.errstate(over="ignore", invalid="ignore"):
        out = beta_mn + (-1.0 if sign_change else 1.0) * ratio * ker
    return _finite_vector(out, "beta_inf")


def implicit_bias_limit_1d(X, y, beta0, delta: float) -> np.ndarray:
    r"""Notebook closed form for a one-dimensional null space of ``X`` (the authors' notebook; Kunin et al. (2024), Thm 3.1).

    .. math::
        \beta_\infty = \beta_{mn} + \alpha\hat n,\qquad
        \alpha = k\sqrt{\varkappa + \sqrt{\varkappa^2 + c^2}},\quad
        \varkappa = \tfrac{k^2 + \delta}{2},\quad k = \|w_0\|\,\hat\beta_0^T\hat n,\quad c = \|\beta_{mn}\|.

    Raises
    ------
    ShapeError
        The null space of ``X`` is not one-dimensional.

    Examples
    --------
    >>> import numpy as np
    >>> X, y, b0 = [[0.5, 1.0]], [1.1], [0.5, 0.2]
    >>> bool(np.allclose(implicit_bias_limit_1d(X, y, b0, -2.0), implicit_bias_limit(X, y, b0, -2.0), atol=1e-12))
    True
    """
    X, y, beta0, _, beta_mn = _problem(X, y, beta0)
    delta = as_scalar(delta, "delta")
    _, sv, vt = np.linalg.svd(X)
    rank = int(np.sum(sv > max(X.shape) * np.finfo(float).eps * sv[0]))
    if X.shape[1] - rank != 1:
        raise ShapeError(
            f"implicit_bias_limit_1d needs a one-dimensional null space of X; it has dimension {X.shape[1] - rank}"
        )
    n_hat = vt[-1]
    with mpmath.workprec(_WORK_BITS):
        k = _dot(beta0, n_hat) / _unit_a0(beta0, delta)  # |w0| beta0_hat^T n_hat with |w0| = |beta0| / a0
        kap, c2 = (k * k + delta) / 2, _norm2(beta_mn)
        root = mpmath.sqrt(kap * kap + c2)
        alpha = _as_float(k * mpmath.sqrt(kap + root if kap >= 0 else c2 / (root - kap)), "alpha")
    with np.errstate(over="ignore", invalid="ignore"):
        return _finite_vector(beta_mn + alpha * n_hat, "beta_inf")


def implicit_bias_endpoints(X, y, beta0) -> tuple[np.ndarray, np.ndarray | None]:
    r"""The ``delta -> +inf`` and ``delta -> -inf`` limits of Theorem 3.1 (Kunin et al. (2024), Thm 3.1, Fig. 4b).

    * ``+inf`` (lazy): the interpolant nearest to ``beta0``, ``beta0 + X^+ (y - X beta0)``.
    * ``-inf``: the point of the ray ``{c beta0, c > 0}`` that interpolates,
      ``None`` when the ray does not meet ``{X beta = y}``.

    Examples
    --------
    >>> import numpy as np
    >>> plus, minus = implicit_bias_endpoints([[0.5, 1.0]], [1.1], [0.5, 0.2])
    >>> np.round(plus, 10).tolist(), (9 * minus).round(10).tolist()
    ([0.76, 0.72], [11.0, 4.4])
    """
    X, y, beta0, pinv, _ = _problem(X, y, beta0)
    plus = beta0 + pinv @ (y - X @ beta0)
    xb = X @ beta0
    denom = float(xb @ xb)
    c = float(xb @ y) / denom if denom > 0 else 0.0
    # on the ray when c X beta0 = y up to the round-off of X beta0 (n terms), of c (2 m) and of the product
    size = c * np.linalg.norm(np.abs(X) @ np.abs(beta0)) if c > 0 else 0.0
    ok = c > 0 and np.linalg.norm(c * xb - y) <= _rounding(1.0, X.shape[1] + 2 * X.shape[0] + 1, size, y)
    return plus, (c * beta0 if ok else None)
