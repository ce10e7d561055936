"""Tolerances derived from the working precision or the solver settings.

Every numeric check in lazyrich compares against one of these, so that a
tolerance is never a guessed constant.
"""

from __future__ import annotations

import numpy as np

from .errors import InvalidParameterError, NonFiniteError, ShapeError
from .validation import as_digits, as_vector, nonnegative, positive_int

__all__ = [
    "FLOAT64_EPS",
    "fit_order",
    "linalg_tolerance",
    "mp_tolerance",
    "ode_global_tolerance",
    "quadratic_invariant_tolerance",
]

#: Unit round-off of IEEE double precision (2**-52).
FLOAT64_EPS = float(np.finfo(float).eps)


def mp_tolerance(dps: int) -> float:
    """``eps**0.8`` at ``dps`` decimal digits: the mpmath habit for "equal to working precision".

    ``dps`` is an integer number of digits (>= 1, :func:`~lazyrich._base.validation.as_digits`).

    >>> mp_tolerance(50) == 10.0 ** -40
    True
    """
    return 10.0 ** (-0.8 * as_digits(dps))


def linalg_tolerance(kappa: float, n_ops: float = 1.0) -> float:
    """``kappa * n_ops * eps``: forward-error bound of float64 linear algebra.

    ``kappa`` is the condition number of the problem, ``n_ops`` the number of
    operations whose round-off accumulates (e.g. the matrix size).

    Both are finite and ``>= 0``; a bound that would overflow float64 raises
    :class:`~lazyrich.NonFiniteError` (no tolerance is meaningful there).

    >>> linalg_tolerance(100.0, 10) == 1000 * FLOAT64_EPS
    True
    """
    return _finite_bound(nonnegative(kappa, "kappa") * nonnegative(n_ops, "n_ops") * FLOAT64_EPS, "linalg_tolerance")


def _finite_bound(value: float, what: str) -> float:
    if not np.isfinite(value):
        raise NonFiniteError(f"{what} overflows float64 ({value}); the inputs are too large for a float64 bound")
    return float(value)


def ode_global_tolerance(n_steps: int, rtol: float, atol: float, scale: float) -> float:
    """Bound on the global error of an adaptive solver after ``n_steps`` steps.

    Each accepted step keeps its local error below ``atol + rtol * |y|``; for a
    flow that does not expand errors (gradient flows of these losses near their
    trajectories) the global error is at most the sum of the local ones.

    ``n_steps`` is a non-negative integer, ``rtol``, ``atol`` and ``scale`` finite and ``>= 0``.

    >>> ode_global_tolerance(100, 1e-12, 1e-14, 2.0)
    2.01e-10
    """
    n = positive_int(n_steps, "n_steps", minimum=0)
    local = nonnegative(atol, "atol") + nonnegative(rtol, "rtol") * nonnegative(scale, "scale")
    return _finite_bound(max(n, 1) * local, "ode_global_tolerance")


def quadratic_invariant_tolerance(n_steps: int, rtol: float, atol: float, scale: float) -> float:
    """Drift bound for a quadratic invariant ``Q(W) = W^T W - ...``.

    A perturbation ``dW`` of size ``e`` changes ``Q`` by at most ``2 |W| e + e**2``;
    with ``e`` from :func:`ode_global_tolerance` and ``|W| <= scale``.

    >>> bool(quadratic_invariant_tolerance(100, 1e-12, 0.0, 1.0) < 2.001e-10)
    True
    """
    e = ode_global_tolerance(n_steps, rtol, atol, scale)
    return _finite_bound(2.0 * nonnegative(scale, "scale") * e + e * e, "quadratic_invariant_tolerance")


def fit_order(steps, errors) -> float:
    """Least-squares slope of ``log(error)`` against ``log(step)``: the convergence order.

    ``steps`` and ``errors`` are 1-D, of the same length (>= 2), positive and finite.

    >>> round(fit_order([0.1, 0.05, 0.025], [0.2, 0.1, 0.05]), 12)
    1.0
    """
    steps = as_vector(steps, "steps")
    errors = as_vector(errors, "errors")
    if steps.size != errors.size:
        raise ShapeError(f"fit_order needs one error per step; got {steps.size} steps and {errors.size} errors")
    if steps.size < 2 or np.any(steps <= 0) or np.any(errors <= 0):
        raise InvalidParameterError("fit_order needs at least two positive, finite (step, error) pairs")
    h, e = np.log(steps), np.log(errors)
    if np.ptp(h) == 0:
        raise InvalidParameterError("fit_order needs at least two distinct step sizes")
    return _finite_bound(np.polyfit(h, e, 1)[0], "fit_order")
