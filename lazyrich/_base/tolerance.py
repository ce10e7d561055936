"""Tolerances derived from the working precision or the solver settings.

Every numeric check in lazyrich compares against one of these, so that a
tolerance is never a guessed constant.
"""

from __future__ import annotations

import numpy as np

from .errors import InvalidParameterError

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

    >>> mp_tolerance(50) == 10.0 ** -40
    True
    """
    return 10.0 ** (-0.8 * dps)


def linalg_tolerance(kappa: float, n_ops: float = 1.0) -> float:
    """``kappa * n_ops * eps``: forward-error bound of float64 linear algebra.

    ``kappa`` is the condition number of the problem, ``n_ops`` the number of
    operations whose round-off accumulates (e.g. the matrix size).

    >>> linalg_tolerance(100.0, 10) == 1000 * FLOAT64_EPS
    True
    """
    return float(kappa) * float(n_ops) * FLOAT64_EPS


def ode_global_tolerance(n_steps: int, rtol: float, atol: float, scale: float) -> float:
    """Bound on the global error of an adaptive solver after ``n_steps`` steps.

    Each accepted step keeps its local error below ``atol + rtol * |y|``; for a
    flow that does not expand errors (gradient flows of these losses near their
    trajectories) the global error is at most the sum of the local ones.

    >>> ode_global_tolerance(100, 1e-12, 1e-14, 2.0)
    2.01e-10
    """
    return max(int(n_steps), 1) * (atol + rtol * scale)


def quadratic_invariant_tolerance(n_steps: int, rtol: float, atol: float, scale: float) -> float:
    """Drift bound for a quadratic invariant ``Q(W) = W^T W - ...``.

    A perturbation ``dW`` of size ``e`` changes ``Q`` by at most ``2 |W| e + e**2``;
    with ``e`` from :func:`ode_global_tolerance` and ``|W| <= scale``.

    >>> bool(quadratic_invariant_tolerance(100, 1e-12, 0.0, 1.0) < 2.001e-10)
    True
    """
    e = ode_global_tolerance(n_steps, rtol, atol, scale)
    return 2.0 * scale * e + e * e


def fit_order(steps, errors) -> float:
    """Least-squares slope of ``log(error)`` against ``log(step)``: the convergence order.

    >>> round(fit_order([0.1, 0.05, 0.025], [0.2, 0.1, 0.05]), 12)
    1.0
    """
    h = np.log(np.asarray(steps, dtype=float))
    e = np.log(np.asarray(errors, dtype=float))
    if h.size < 2 or not (np.all(np.isfinite(h)) and np.all(np.isfinite(e))):
        raise InvalidParameterError("fit_order needs at least two positive, finite (step, error) pairs")
    if np.ptp(h) == 0:
        raise InvalidParameterError("fit_order needs at least two distinct step sizes")
    return float(np.polyfit(h, e, 1)[0])
