"""Float64 simulation: gradient flow (scipy ``solve_ivp``) and full-batch gradient descent.

Both return a :class:`Trajectory` on a requested time grid. Gradient descent
with step ``h`` (in time units, ``h = eta * tau``) after ``k`` steps sits at
``t = k h``, the time mapping every exact solution is compared at.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .._base.errors import InvalidParameterError, LazyrichError, SimulationDivergedError
from .._base.validation import as_choice, as_step_grid, as_time_grid, positive, positive_int
from .models import Model

__all__ = ["MAX_DESCENT_STEPS", "SOLVERS", "Trajectory", "check_model", "gradient_descent", "gradient_flow"]

#: Default limit on the steps one gradient-descent call may take (``max_steps=`` raises it). A step of a
#: small model costs about 10 us, so this is minutes of work; ``t`` far beyond it (e.g. 1e12 steps) is a
#: mistaken step or time, refused before the first step.
MAX_DESCENT_STEPS = 10_000_000

#: The ``solve_ivp`` methods :func:`gradient_flow` accepts.
SOLVERS = ("DOP853", "RK45", "RK23", "Radau", "BDF", "LSODA")


def check_model(model) -> Model:
    """``model`` if it is a :class:`Model` (a typed error instead of an ``AttributeError`` later)."""
    if not isinstance(model, Model):
        raise InvalidParameterError(
            f"model must be a lazyrich Model (e.g. DeepLinearModel(sigma_yx)); got {type(model).__name__}"
        )
    return model


@dataclass(frozen=True)
class Trajectory:
    """Parameters along time: ``traj["W1"]`` has shape ``(len(t), *W1.shape)``.

    Attributes
    ----------
    t : (T,) array
    params : tuple of arrays, one per parameter, each ``(T, ...)``
    names : parameter names, in the model's order
    n_steps : solver steps (gradient flow) or descent steps taken
    method : ``"DOP853"``, ``"RK45"``, ... or ``"gd"``
    rtol, atol : solver tolerances (0 for gradient descent)

    Examples
    --------
    >>> from lazyrich import DeepLinearModel, gradient_descent
    >>> tr = gradient_descent(DeepLinearModel([[1.0]]), ([[0.5]], [[0.5]]), 0.1, [0.0, 0.2])
    >>> tr["W1"].shape, tr.n_steps, tr.method
    ((2, 1, 1), 2, 'gd')
    """

    t: np.ndarray
    params: tuple
    names: tuple
    n_steps: int
    method: str
    rtol: float = 0.0
    atol: float = 0.0

    def __getitem__(self, name: str) -> np.ndarray:
        try:
            return self.params[self.names.index(name)]
        except ValueError:
            raise KeyError(f"no parameter {name!r}; this trajectory has {self.names}") from None

    def at(self, i: int) -> tuple[np.ndarray, ...]:
        """Parameters at the ``i``-th time point."""
        return tuple(p[i] for p in self.params)

    @property
    def scale(self) -> float:
        """Largest absolute parameter entry over the whole trajectory."""
        return float(max(np.abs(p).max() for p in self.params))


def pack(params: Sequence[np.ndarray]) -> np.ndarray:
    """Concatenate the parameters into one flat float vector (the ODE state of :func:`gradient_flow`)."""
    return np.concatenate([np.asarray(p, dtype=float).ravel() for p in params])


def _unpacker(shapes):
    sizes = [int(np.prod(s)) for s in shapes]
    offsets = np.cumsum([0, *sizes])

    def unpack(y):
        lead = tuple(y.shape[:-1])
        return tuple(y[..., offsets[i] : offsets[i + 1]].reshape(lead + tuple(shapes[i])) for i in range(len(shapes)))

    return unpack


class _TooManyEvaluations(Exception):
    pass


def gradient_flow(
    model: Model,
    init: Sequence,
    t,
    rtol: float = 1e-12,
    atol: float | None = None,
    method: str = "DOP853",
    max_evaluations: int = 1_000_000,
) -> Trajectory:
    """Integrate the gradient flow of ``model`` from ``init`` and sample it at ``t``.

    Parameters
    ----------
    model : Model
        E.g. :class:`DeepLinearModel` (``tau dW1/dt = W2^T (Sigma_yx - W2 W1 Sigma_xx)``).
    init : sequence of arrays
        Initial parameters in the model's order.
    t : float or 1-D array, increasing, >= 0
        Output times; integration starts at 0.
    rtol, atol : float
        Solver tolerances; ``atol`` defaults to ``rtol`` times the largest
        initial entry (so the test is relative to the problem's scale).
    method : str
        A ``solve_ivp`` method (:data:`SOLVERS`); DOP853 by default.
    max_evaluations : int
        Give up after this many right-hand-side evaluations (a ReLU flow that
        slides along an activation kink, or a very long ``t``, would otherwise
        run for a very long time): the limit on the work of one call.

    Returns
    -------
    Trajectory

    Raises
    ------
    SimulationDivergedError
        The solver failed or the state left the finite range.

    Examples
    --------
    >>> import numpy as np
    >>> from lazyrich import DeepLinearModel
    >>> m = DeepLinearModel(np.array([[1.0]]))
    >>> tr = gradient_flow(m, (np.array([[0.1]]), np.array([[0.1]])), [0.0, 20.0])
    >>> round(float(tr["W2"][-1, 0, 0] * tr["W1"][-1, 0, 0]), 8)
    1.0
    """
    params = check_model(model).check_params(init)
    grid, _ = as_time_grid(t)
    if np.any(np.diff(grid) <= 0):
        raise InvalidParameterError("t must be strictly increasing")
    rtol = positive(rtol, "rtol")
    method = as_choice(method, "method", SOLVERS)
    max_evaluations = positive_int(max_evaluations, "max_evaluations")
    shapes = [np.shape(p) for p in params]
    unpack = _unpacker(shapes)
    y0 = pack(params)
    scale0 = max(float(np.abs(y0).max()), 1e-300)
    atol = rtol * scale0 if atol is None else positive(atol, "atol")

    from scipy.integrate import solve_ivp  # deferred: heavy, and most users never integrate

    calls = [0]

    def rhs(_t, y):
        calls[0] += 1
        if calls[0] > max_evaluations:
            raise _TooManyEvaluations
        return pack(model.velocity(unpack(y)))

    if grid[-1] == 0.0:
        ys = np.repeat(y0[None, :], grid.size, axis=0)
        return Trajectory(grid, unpack(ys), tuple(model.names), 0, method, rtol, atol)
    with np.errstate(over="raise", invalid="raise"):
        try:
            sol = solve_ivp(rhs, (0.0, float(grid[-1])), y0, method=method, t_eval=grid, rtol=rtol, atol=atol)
        except (FloatingPointError, SimulationDivergedError) as exc:
            raise SimulationDivergedError(
                f"gradient flow overflowed ({exc}); the trajectory diverges or t is too long for float64"
            ) from None
        except LazyrichError:
            raise
        except (ArithmeticError, ValueError, np.linalg.LinAlgError) as exc:  # e.g. an SVD that did not converge
            raise SimulationDivergedError(f"gradient flow failed: {type(exc).__name__}: {exc}") from None
        except _TooManyEvaluations:
            raise SimulationDivergedError(
                f"gradient flow needed more than {max_evaluations} evaluations before t = {grid[-1]:g}: the vector field is "
                "stiff or discontinuous there (e.g. a ReLU pre-activation stuck at 0); loosen rtol or shorten t"
            ) from None
    if sol.status != 0 or not np.all(np.isfinite(sol.y)):
        raise SimulationDivergedError(f"gradient flow integration failed: {sol.message}")
    stages = {"DOP853": 12, "RK45": 6, "RK23": 3}.get(method, 1)
    n_steps = max(int(sol.nfev) // stages, 1)
    return Trajectory(grid, unpack(sol.y.T.copy()), tuple(model.names), n_steps, method, rtol, atol)


def gradient_descent(model: Model, init: Sequence, step: float, t, *, max_steps: int = MAX_DESCENT_STEPS) -> Trajectory:
    """Full-batch gradient descent ``theta <- theta + step * velocity(theta)``, sampled at ``t``.

    ``step`` is in time units (``step = eta * tau`` for a model with time
    constant ``tau``; the per-layer learning rates of a model stay inside its
    velocity). Every requested time must be a whole number of steps. At most
    ``max_steps`` steps (:data:`MAX_DESCENT_STEPS` = 10^7 by default) are taken: a
    ``t[-1] / step`` above it is refused before the first step; pass a larger
    ``max_steps=`` to allow it.

    Raises
    ------
    InvalidParameterError
        A requested time is not a multiple of ``step``, or needs more than ``max_steps`` steps.
    SimulationDivergedError
        The iterates overflowed: the step exceeds the stability limit; reduce it.

    Examples
    --------
    >>> import numpy as np
    >>> from lazyrich import DeepLinearModel
    >>> m = DeepLinearModel(np.array([[1.0]]))
    >>> tr = gradient_descent(m, (np.array([[0.1]]), np.array([[0.1]])), 0.01, [0.0, 0.5])
    >>> tr.n_steps
    50
    """
    params = check_model(model).check_params(init)
    h = positive(step, "step")
    grid, ks = as_step_grid(t, h, max_steps=max_steps)
    names = tuple(model.names)
    out = [np.empty((grid.size, *np.shape(p))) for p in params]
    cur = tuple(np.array(p, dtype=float) for p in params)
    k = 0
    diverged = (
        f"gradient descent diverged at step {{k}} (t = {{t:g}}); step {h:g} is above the stability limit, reduce it"
    )
    with np.errstate(all="ignore"):
        for i, target in enumerate(ks):
            while k < target:
                try:
                    vel = model.velocity(cur)
                except SimulationDivergedError:
                    raise SimulationDivergedError(diverged.format(k=k + 1, t=(k + 1) * h)) from None
                cur = tuple(p + h * v for p, v in zip(cur, vel))
                k += 1
                if not all(np.all(np.isfinite(p)) for p in cur):
                    raise SimulationDivergedError(diverged.format(k=k, t=k * h))
            for o, p in zip(out, cur):
                o[i] = p
    return Trajectory(grid, tuple(out), names, int(k), "gd")
