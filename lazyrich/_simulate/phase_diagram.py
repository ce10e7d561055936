r"""One point of the phase diagram of Tu, Aranguri and Jacot (Fig. 2), and its boundary lines.

The axes are :math:`\sigma^2 = d^{\gamma_{\sigma^2}}` and :math:`w = d^{\gamma_w}` (digest
§1.1, §3). The task, step rule and early stops follow the official sweep
(digest §5.2): :math:`A^* = C D^T` with ``C, D`` ``d x k`` of i.i.d.
:math:`N(0, k^{-1/2})` entries, noise ``E`` with i.i.d. :math:`N(0,1)` entries,
training target ``A* + E``, cost :math:`\frac12\|A - (A^*+E)\|_F^2`, sequential
gradient descent with :math:`\eta = 1/(50 w\sigma^2)` on the lazy side and
:math:`1/(50\|A^*\|_{op})` otherwise, at most 750 iterations.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .._base.errors import InvalidParameterError, ShapeError, SimulationDivergedError
from .._base.validation import as_scalar, nonnegative, positive
from .gaussian_init import gaussian_init
from .reduced import UPDATE_RULES, descent_steps
from .self_consistent import velocity_unchecked

__all__ = [
    "PhaseDiagramPoint",
    "below_noise_line",
    "in_theory_region",
    "init_below_threshold",
    "is_lazy",
    "is_overparameterized",
    "lazy_min_test_error",
    "phase_diagram_point",
    "phase_task",
]


def is_lazy(gamma_sigma2: float, gamma_w: float) -> bool:
    r"""Black line (claim 24): lazy iff :math:`\gamma_{\sigma^2} + \gamma_w > 1`, i.e. :math:`\sigma^2 w > d`.

    The threshold :math:`c = \sigma^2 w` exceeds the scale ``d`` of the target's
    singular values; the official code switches the learning rate on the same test.

    >>> is_lazy(-1.2, 2.5), is_lazy(-2.0, 1.5)
    (True, False)
    """
    return as_scalar(gamma_sigma2, "gamma_sigma2") + as_scalar(gamma_w, "gamma_w") > 1


def below_noise_line(gamma_sigma2: float, gamma_w: float) -> bool:
    r"""Red line (claim 25): below it iff :math:`\gamma_w + 2\gamma_{\sigma^2} < 0`, i.e. :math:`w\sigma^4 < 1`.

    :math:`\mathbb E\|A(0)\|_F^2 / d^2 = w\sigma^4`: the initial product is smaller than the signal.

    >>> below_noise_line(-1.2, 2.0), below_noise_line(-0.5, 2.0)
    (True, False)
    """
    return as_scalar(gamma_w, "gamma_w") + 2 * as_scalar(gamma_sigma2, "gamma_sigma2") < 0


def is_overparameterized(gamma_w: float, d: int, k: int) -> bool:
    r"""Orange line (claim 26): :math:`w = d^{\gamma_w} \ge k = \operatorname{Rank} A^*`, i.e. :math:`\gamma_w \ge \log_d k`.

    >>> is_overparameterized(0.3, 200, 5), is_overparameterized(0.31, 200, 5)
    (False, True)
    """
    d, k = _dims(d, k)
    return as_scalar(gamma_w, "gamma_w") >= math.log(k) / math.log(d)


def in_theory_region(gamma_sigma2: float, gamma_w: float) -> bool:
    r"""Region covered by the paper's theorems (claim 27): :math:`\gamma_w > 1` and below the red line.

    >>> in_theory_region(-1.5, 2.0), in_theory_region(-1.5, 0.8)
    (True, False)
    """
    return as_scalar(gamma_w, "gamma_w") > 1 and below_noise_line(gamma_sigma2, gamma_w)


def init_below_threshold(width: int, d: int) -> bool:
    r"""Claim 28: :math:`\|A(0)\|_{op} \approx 2\sigma^2\sqrt{wd} < \sigma^2 w` iff :math:`w > 4d`.

    >>> init_below_threshold(1000, 200), init_below_threshold(700, 200)
    (True, False)
    """
    return positive(width, "width") > 4 * positive(d, "d")


def lazy_min_test_error(a: float, b: float, n0: float) -> float:
    r"""Heuristic early-stopped lazy test error (claim 29): :math:`(a + n_0) b / (a + n_0 + b)`.

    ``a = ||A*||_F^2/d^2``, ``b = ||E||_F^2/d^2``, ``n0 = ||A(0)||_F^2/d^2`` (about
    :math:`w\sigma^4`). From :math:`A(t) - A^* = -xA^* + (1-x)E + xA(0)`,
    :math:`x = e^{-2ct}`, minimised over ``x`` (digest §3.2).

    >>> lazy_min_test_error(1.0, 1.0, 0.0)
    0.5
    """
    a = nonnegative(a, "a")
    b = nonnegative(b, "b")
    n0 = nonnegative(n0, "n0")
    total = a + n0 + b
    return 0.0 if total == 0 else (a + n0) * b / total


def _dims(d, k) -> tuple[int, int]:
    for name, v in (("d", d), ("k", k)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise ShapeError(f"{name} must be a positive integer; got {v!r}")
    if k > d:
        raise ShapeError(f"the target rank k = {k} cannot exceed d = {d}")
    if d < 2:
        raise ShapeError("d must be >= 2 (the axes are powers of d)")
    return int(d), int(k)


def _seed(seed) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InvalidParameterError(
            f"seed must be a non-negative integer (results are deterministic in it); got {seed!r}"
        )
    return int(seed)


def phase_task(d: int, k: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    r"""The paper's task ``(A*, E)``: :math:`A^* = C D^T`, entries of ``C, D`` i.i.d. with std :math:`k^{-1/4}`; ``E`` standard normal.

    Deterministic in ``seed`` and independent of the grid point, so a whole
    diagram shares one task per seed, as in the official sweep (digest §1.2).

    >>> A_star, E = phase_task(50, 2, 0)
    >>> int(np.linalg.matrix_rank(A_star)), E.shape
    (2, (50, 50))
    """
    d, k = _dims(d, k)
    rng = np.random.default_rng([_seed(seed), 0])
    C = k ** (-0.25) * rng.standard_normal((d, k))
    D = k ** (-0.25) * rng.standard_normal((d, k))
    E = rng.standard_normal((d, d))
    return C @ D.T, E


@dataclass(frozen=True)
class PhaseDiagramPoint:
    """The four quantities of Fig. 2 at one grid point, and the run that produced them.

    Attributes
    ----------
    min_test_error : float
        :math:`\\min_i \\|A_i - A^*\\|_F^2 / d^2` over the recorded iterations (TL panel).
    stable_rank : float
        :math:`\\|A\\|_F^2/\\|A\\|_{op}^2` at that iteration (TR panel).
    iterations : int
        Iteration of the minimum (number of updates before it; BL panel).
    max_distance : float
        :math:`\\max_i \\|A_i - B_i\\|_F / \\|A^*+E\\|_F` between gradient descent and
        discretised eq. (1) from the same :math:`B_0 = A_0` (BR panel; NaN if not computed).
    width, sigma2, c, step : int, float, float, float
        ``w = int(d**gamma_w)``, :math:`\\sigma^2`, :math:`c = \\sigma^2 w`, :math:`\\eta`.
    n_records : int
        Iterations recorded before an early stop (or the cap).
    stop_reason : str
        ``"train<1e-3"``, ``"test increasing"``, ``"train plateau"`` or ``"max_steps"``.
    train_errors, test_errors : arrays
        The recorded errors (``/ d^2``).
    init_norm : float
        :math:`n_0 = \\|A_0\\|_F^2 / d^2`.
    """

    min_test_error: float
    stable_rank: float
    iterations: int
    max_distance: float
    width: int
    sigma2: float
    c: float
    step: float
    n_records: int
    stop_reason: str
    init_norm: float
    train_errors: np.ndarray = field(repr=False)
    test_errors: np.ndarray = field(repr=False)


def phase_diagram_point(
    d: int,
    k: int,
    gamma_sigma2: float,
    gamma_w: float,
    seed: int,
    *,
    max_steps: int = 750,
    lr_factor: float = 50.0,
    update: str = "sequential",
    reduced: bool = True,
    compare: bool = True,
) -> PhaseDiagramPoint:
    r"""Train one network of the phase diagram and return the four Fig. 2 quantities.

    Width :math:`w = \lfloor d^{\gamma_w}\rfloor`, variance :math:`\sigma^2 = d^{\gamma_{\sigma^2}}`,
    task :func:`phase_task` (``seed``), initialisation :func:`gaussian_init`
    (``reduced=True``: width-independent cost, exact in distribution), step
    :math:`\eta = 1/(\text{lr\_factor}\cdot\sigma^2 w)` if :func:`is_lazy` else
    :math:`1/(\text{lr\_factor}\,\|A^*\|_{op})`. Each iteration records
    ``train = ||A - (A*+E)||^2/d^2`` and ``test = ||A - A*||^2/d^2`` then steps;
    it stops (digest §5.2) when train < 1e-3, or after iteration 4 when test
    increased on the last two records, or when ``|Δ train| < 2e-4`` after a total
    decrease above 1e-2, or after ``max_steps`` iterations. With ``compare`` the
    discretised eq. (1) (:func:`self_consistent_descent`, same step) runs
    alongside and ``max_distance`` is recorded.

    Deterministic in ``seed``: the task uses stream ``[seed, 0]``, the
    initialisation stream ``[seed, 1]`` of :func:`numpy.random.default_rng`.

    Parameters
    ----------
    d, k : int
        Dimension (``d_in = d_out = d``) and target rank.
    gamma_sigma2, gamma_w : float
        The diagram's coordinates.
    seed : int
    max_steps, lr_factor, update, reduced, compare
        Iteration cap (750), learning-rate factor (50 for Fig. 2, 5 for Fig. 1),
        GD order (``"sequential"`` as the official code), width reduction, and
        whether to run eq. (1) alongside.

    Examples
    --------
    >>> p = phase_diagram_point(20, 2, -2.0, 1.5, seed=0, max_steps=50)
    >>> p.width, bool(p.min_test_error < 1.5), bool(p.max_distance < 0.5)
    (89, True, True)
    """
    d, k = _dims(d, k)
    seed = _seed(seed)
    gs = as_scalar(gamma_sigma2, "gamma_sigma2")
    gw = as_scalar(gamma_w, "gamma_w")
    if update not in UPDATE_RULES:
        raise InvalidParameterError(f"update must be one of {UPDATE_RULES}; got {update!r}")
    if isinstance(max_steps, bool) or not isinstance(max_steps, (int, np.integer)) or max_steps < 1:
        raise InvalidParameterError(f"max_steps must be a positive integer; got {max_steps!r}")
    lr_factor = positive(lr_factor, "lr_factor")
    width = int(d**gw)
    if width < 1:
        raise InvalidParameterError(f"gamma_w = {gw} gives width int(d**gamma_w) = 0; use gamma_w >= 0")
    sigma2 = float(d**gs)
    A_star, E = phase_task(d, k, seed)
    T = A_star + E
    lazy = is_lazy(gs, gw)
    step = 1.0 / (lr_factor * width * sigma2) if lazy else 1.0 / (lr_factor * np.linalg.norm(A_star, 2))
    W1, W2 = gaussian_init(d, d, width, sigma2, seed=np.random.default_rng([seed, 1]), reduced=reduced)
    return _run_point(W1, W2, A_star, T, step, width, sigma2, int(max_steps), update, compare)


def _run_point(W1, W2, A_star, T, step, width, sigma2, max_steps, update, compare) -> PhaseDiagramPoint:
    """The official sweep's loop (record, step, early stops), on any pair ``(W1, W2)``."""
    d2 = float(A_star.size)
    c = sigma2 * width
    t_norm = float(np.linalg.norm(T))
    train, test = [], []
    best_A, best = None, np.inf
    init_norm = 0.0
    max_dist = 0.0 if compare else float("nan")
    B = None
    reason = "max_steps"
    steps = descent_steps(W1, W2, T, step, update)
    try:
        with np.errstate(over="raise", invalid="raise"):
            for i in range(max_steps):
                A, _, _ = next(steps)
                if compare:
                    B = A.copy() if B is None else B + step * velocity_unchecked(B, T, c)
                    max_dist = max(max_dist, float(np.linalg.norm(A - B)) / t_norm)
                if i == 0:
                    init_norm = float(np.sum(A**2)) / d2
                train.append(float(np.sum((A - T) ** 2)) / d2)
                test.append(float(np.sum((A - A_star) ** 2)) / d2)
                if test[-1] < best:
                    best_A, best = A.copy(), test[-1]
                if train[-1] < 1e-3:
                    reason = "train<1e-3"
                    break
                if i > 3:
                    if test[-3] < test[-2] < test[-1]:
                        reason = "test increasing"
                        break
                    if abs(train[-1] - train[-2]) < 2e-4 and train[0] - train[-1] > 1e-2:
                        reason = "train plateau"
                        break
    except FloatingPointError:
        raise SimulationDivergedError(
            f"gradient descent overflowed after {len(test)} iterations with step {step:g}; "
            "increase lr_factor (smaller step)"
        ) from None
    test_arr = np.asarray(test)
    i_min = int(np.argmin(test_arr))
    op = float(np.linalg.norm(best_A, 2))
    stable = float(np.sum(best_A**2)) / op**2 if op > 0 else 0.0
    return PhaseDiagramPoint(
        min_test_error=float(test_arr[i_min]),
        stable_rank=stable,
        iterations=i_min,
        max_distance=max_dist,
        width=int(width),
        sigma2=float(sigma2),
        c=float(c),
        step=float(step),
        n_records=len(test),
        stop_reason=reason,
        init_norm=init_norm,
        train_errors=np.asarray(train),
        test_errors=test_arr,
    )
