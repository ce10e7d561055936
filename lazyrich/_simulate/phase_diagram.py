r"""One point of the phase diagram of Tu, Aranguri and Jacot (Fig. 2), and its boundary lines.

The axes are :math:`\sigma^2 = d^{\gamma_{\sigma^2}}` and :math:`w = d^{\gamma_w}` (Tu et al.
(2024), Fig. 2). The task, step rule and early stops follow the paper's official sweep code
(``main.ipynb`` of its repository): :math:`A^* = C D^T` with ``C, D`` ``d x k`` of i.i.d.
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
from .._base.validation import (
    MAX_ENTRIES,
    as_choice,
    as_flag,
    as_matrix,
    as_scalar,
    check_product_shapes,
    check_work,
    nonnegative,
    positive,
    positive_int,
)
from .balanced_flow import balanced_flow_records, flow_rate_bound
from .gaussian_init import gaussian_init
from .reduced import UPDATE_RULES, descent_steps
from .self_consistent import balanced_factors, velocity_unchecked

__all__ = [
    "EQ1_RTOL",
    "EQ1_SCHEMES",
    "PhaseDiagramPoint",
    "below_noise_line",
    "in_theory_region",
    "init_below_threshold",
    "is_lazy",
    "is_overparameterized",
    "lazy_min_test_error",
    "phase_diagram_point",
    "phase_point_from_weights",
    "phase_task",
]


#: Discretisations of eq. (1) for the distance panel: ``"balanced"`` (gradient descent, with the
#: descent's own update rule and step, on the :func:`balanced_factors` pair: three products per
#: record), ``"euler"`` (the official code's update ``B <- B - eta [P G + G Q]``, one SVD per step)
#: and ``"rk4"`` (the gradient flow of the same pair, error-controlled RK4 whose steps span many
#: records, Hermite interpolation at the records: 14 products per step).
EQ1_SCHEMES = ("balanced", "euler", "rk4")

#: Local error per Runge-Kutta step of ``eq1_scheme="rk4"``, relative to ``||A* + E||_F``. Its global error
#: at d = 200 (the issue's three points, against a fixed-step RK4 at eta/2) is 2.5e-4 to 6.9e-4 of ``||T||_F``,
#: a third or less of the balanced scheme's own step error there (2.1e-3 to 7.6e-2), the panel's tolerance.
EQ1_RTOL = 1e-3


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
    :math:`x = e^{-2ct}`, minimised over ``x`` (derived here, Tu et al. (2024), Fig. 2).

    >>> lazy_min_test_error(1.0, 1.0, 0.0)
    0.5
    """
    a = nonnegative(a, "a")
    b = nonnegative(b, "b")
    n0 = nonnegative(n0, "n0")
    scale = max(a, b, n0)  # the formula is homogeneous of degree 1: scaled, no sum overflows
    if scale == 0:
        return 0.0
    a, b, n0 = a / scale, b / scale, n0 / scale
    return scale * ((a + n0) * b / (a + n0 + b))


def _dims(d, k) -> tuple[int, int]:
    for name, v in (("d", d), ("k", k)):
        positive_int(v, name, error=ShapeError)
    if k > d:
        raise ShapeError(f"the target rank k = {k} cannot exceed d = {d}")
    if d < 2:
        raise ShapeError("d must be >= 2 (the axes are powers of d)")
    return int(d), int(k)


def _seed(seed) -> int:
    return positive_int(seed, "seed", minimum=0, hint="results are deterministic in it")


def phase_task(d: int, k: int, seed: int, *, max_entries: int = MAX_ENTRIES) -> tuple[np.ndarray, np.ndarray]:
    r"""The paper's task ``(A*, E)``: :math:`A^* = C D^T`, entries of ``C, D`` i.i.d. with std :math:`k^{-1/4}`; ``E`` standard normal.

    Deterministic in ``seed`` and independent of the grid point, so a whole
    diagram shares one task per seed, as in the official sweep code. A ``d x d`` task above
    ``max_entries`` entries (10^8 by default) is refused before anything is allocated.

    >>> A_star, E = phase_task(50, 2, 0)
    >>> int(np.linalg.matrix_rank(A_star)), E.shape
    (2, (50, 50))
    """
    d, k = _dims(d, k)
    check_work(d * d, positive_int(max_entries, "max_entries"), "matrix entries (d x d task)", "max_entries")
    rng = np.random.default_rng([_seed(seed), 0])
    C = k ** (-0.25) * rng.standard_normal((d, k))
    D = k ** (-0.25) * rng.standard_normal((d, k))
    E = rng.standard_normal((d, d))
    return C @ D.T, E


@dataclass(frozen=True)
class PhaseDiagramPoint:
    r"""The four quantities of Fig. 2 at one grid point, the official code's diagnostics, and the run.

    Attributes
    ----------
    min_test_error : float
        :math:`\min_i \|A_i - A^*\|_F^2 / d^2` over the recorded iterations (TL panel).
    stable_rank : float
        :math:`\|A\|_F^2/\|A\|_{op}^2` at that iteration (TR panel).
    iterations : int
        Iteration of the minimum (number of updates before it; BL panel).
    max_distance : float
        :math:`\max_i \|A_i - B_i\|_F / \|A^*+E\|_F` between gradient descent and a discretised
        eq. (1) from the same :math:`B_0 = A_0` (BR panel; NaN if not computed). ``eq1_scheme``
        says which discretisation (see :func:`phase_diagram_point`).
    width, sigma2, c, step : int, float, float, float
        ``w = int(d**gamma_w)``, :math:`\sigma^2`, :math:`c = \sigma^2 w`, :math:`\eta`.
    n_records : int
        Iterations recorded before an early stop (or the cap).
    stop_reason : str
        ``"train<1e-3"``, ``"test increasing"``, ``"train plateau"`` or ``"max_steps"``.
    init_norm : float
        :math:`n_0 = \|A_0\|_F^2 / d^2`.
    sv_ratio : float
        :math:`s_k / s_{k+1}` of :math:`A` at the minimum (``k`` the target rank; ``inf`` when
        :math:`s_{k+1} = 0`, NaN when ``k = d``). The official code records it at every iteration
        (``ratios``) and its distance-panel notebook plots the log of its maximum over the run
        (``log(max z[3])``); here it is taken where the TR panel takes the stable rank.
    numerical_rank : int
        Number of singular values of :math:`A` at the minimum above :math:`s_1/5`: the official
        code's ``torch.linalg.matrix_rank(A, atol=s_1/5)`` (its ``ranks``, also recorded there per
        iteration).
    active : float
        The official code's ``active`` diagnostic *as coded*:
        ``norm(W2 @ W1, ord=2) / w * sigma_sq`` = :math:`\|A\|_{op}\,\sigma^2 / w`, on the weights
        after the last update (the code steps before its early-stop test). No published panel uses it.
    op_norm_over_c : float
        The same norm divided by the threshold, :math:`\|A\|_{op} / (\sigma^2 w)`: what the name
        (singular values above the threshold :math:`c = \sigma^2 w`) suggests the code meant; the
        two differ by the factor :math:`\sigma^4`.
    eq1_scheme : str
        Discretisation of eq. (1) behind ``max_distance`` (``""`` without ``compare``).
    train_errors, test_errors : arrays
        The recorded errors (``/ d^2``).
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
    sv_ratio: float
    numerical_rank: int
    active: float
    op_norm_over_c: float
    eq1_scheme: str
    train_errors: np.ndarray = field(repr=False)
    test_errors: np.ndarray = field(repr=False)


def _check_run(update, max_steps, compare, eq1_scheme) -> str:
    as_choice(update, "update", UPDATE_RULES)
    positive_int(max_steps, "max_steps")
    as_choice(eq1_scheme, "eq1_scheme", EQ1_SCHEMES)
    return eq1_scheme if as_flag(compare, "compare") else ""


def _power(d: int, gamma: float, name: str) -> float:
    """``d**gamma`` as a finite positive float, or a typed error naming the exponent."""
    try:
        value = float(d) ** gamma
    except OverflowError:
        value = math.inf
    if not (0.0 < value < math.inf):
        raise InvalidParameterError(f"{name} = {gamma} puts d**{name} = {d}**{gamma} outside the float64 range")
    return value


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
    eq1_scheme: str = "rk4",
    max_entries: int = MAX_ENTRIES,
) -> PhaseDiagramPoint:
    r"""Train one network of the phase diagram and return the four Fig. 2 quantities.

    Width :math:`w = \lfloor d^{\gamma_w}\rfloor`, variance :math:`\sigma^2 = d^{\gamma_{\sigma^2}}`,
    task :func:`phase_task` (``seed``), initialisation :func:`gaussian_init`
    (``reduced=True``: width-independent cost, exact in distribution), step
    :math:`\eta = 1/(\text{lr\_factor}\cdot\sigma^2 w)` if :func:`is_lazy` else
    :math:`1/(\text{lr\_factor}\,\|A^*\|_{op})`. Each iteration records
    ``train = ||A - (A*+E)||^2/d^2`` and ``test = ||A - A*||^2/d^2`` then steps;
    it stops (as the official sweep code) when train < 1e-3, or after iteration 4 when test
    increased on the last two records, or when ``|Δ train| < 2e-4`` after a total
    decrease above 1e-2, or after ``max_steps`` iterations.

    With ``compare`` a discretised eq. (1) of Tu et al. (2024) runs alongside from
    :math:`B_0 = A_0` with the same step, and ``max_distance`` is recorded:

    - ``eq1_scheme="balanced"``: gradient descent, with the same ``update`` rule, on
      the width-``d`` pair :func:`balanced_factors` of :math:`A_0`, whose gradient *flow* is
      eq. (1) exactly; the square roots are its Gram matrices, so a step costs the three
      ``d x d x d`` products of a descent step (no SVD).
    - ``eq1_scheme="euler"``: the official code's update :math:`B \leftarrow B - \eta[PG + GQ]`
      with :math:`P, Q` from a full SVD of ``B`` per step (4-16x the descent's cost at ``d = 200``).
    - ``eq1_scheme="rk4"`` (default): the gradient *flow* of the same pair, by :func:`balanced_flow_records`
      (classical RK4, local error per step at most ``EQ1_RTOL`` :math:`\|T\|_F` by an embedded
      third-order estimate, steps at most :math:`1/\lambda_{\max}` with
      :math:`\lambda_{\max} = 2\sqrt{s_1^2 + c^2}`, :math:`s_1 \le \max(\|A_0\|_{op}, \|T\|_{op})`
      on the flow), ``A`` at each record by cubic Hermite interpolation. A step spans about
      :math:`1/(\eta\lambda_{\max}) \approx 25` records at the paper's step rule, so where
      ``w < d`` (a descent record costs :math:`3d^2w`, any per-record update of eq. (1) at least
      :math:`2d^3`) it is the only scheme within 2x of the descent (``benchmarks/phase_diagram_compare.py``).

    ``"balanced"`` and ``"euler"`` are first-order discretisations of the same flow: each differs
    from it by its own global error :math:`e_{\text{scheme}} = O(\eta)`; ``"rk4"`` by
    :math:`e_{\text{rk4}} = O(H^4)` with ``H`` its step. Any two schemes' distances differ by at most
    :math:`\max_i\|B^{(1)}_i - B^{(2)}_i\|_F/\|T\|_F \le e^{(1)} + e^{(2)}` (reverse triangle
    inequality; the tests estimate the first-order errors by step halving and :math:`e_{\text{rk4}}`
    against a fine fixed-step integration). The default ``"rk4"`` is the closest of the three to the
    flow (at ``d = 200`` its error is at most a third of the balanced scheme's, :data:`EQ1_RTOL`), and
    the cheapest. Where the Euler error dominates (the active side) the balanced scheme is closer to
    the flow than Euler, because it shares the descent's discretisation.

    Deterministic in ``seed``: the task uses stream ``[seed, 0]``, the
    initialisation stream ``[seed, 1]`` of :func:`numpy.random.default_rng`.

    Parameters
    ----------
    d, k : int
        Dimension (``d_in = d_out = d``) and target rank.
    gamma_sigma2, gamma_w : float
        The diagram's coordinates.
    seed : int
    max_steps, lr_factor, update, reduced, compare, eq1_scheme
        Iteration cap (750), learning-rate factor (50 for Fig. 2, 5 for Fig. 1),
        GD order (``"sequential"`` as the official code), width reduction, whether to run
        eq. (1) alongside, and its discretisation (:data:`EQ1_SCHEMES`).
    max_entries : int
        Limit on the entries of one allocated matrix (10^8 by default: the ``d x d`` task, and
        the ``width x d`` weights when ``reduced=False``), checked before any work; raise it for
        larger networks.

    Examples
    --------
    >>> p = phase_diagram_point(20, 2, -2.0, 1.5, seed=0, max_steps=50)
    >>> p.width, bool(p.min_test_error < 1.5), bool(p.max_distance < 0.5), p.eq1_scheme
    (89, True, True, 'rk4')
    """
    d, k = _dims(d, k)
    seed = _seed(seed)
    gs = as_scalar(gamma_sigma2, "gamma_sigma2")
    gw = as_scalar(gamma_w, "gamma_w")
    _check_run(update, max_steps, compare, eq1_scheme)
    reduced = as_flag(reduced, "reduced")
    lr_factor = positive(lr_factor, "lr_factor")
    width = int(_power(d, gw, "gamma_w")) if gw >= 0 else 0
    if width < 1:
        raise InvalidParameterError(f"gamma_w = {gw} gives width int(d**gamma_w) = 0; use gamma_w >= 0")
    sigma2 = _power(d, gs, "gamma_sigma2")
    if not np.isfinite(width * sigma2):
        raise InvalidParameterError(f"the threshold c = sigma2 * width = {d}**({gs} + {gw}) overflows float64")
    A_star, E = phase_task(d, k, seed, max_entries=max_entries)
    lazy = is_lazy(gs, gw)
    step = 1.0 / (lr_factor * width * sigma2) if lazy else 1.0 / (lr_factor * np.linalg.norm(A_star, 2))
    W1, W2 = gaussian_init(
        d, d, width, sigma2, seed=np.random.default_rng([seed, 1]), reduced=reduced, max_entries=max_entries
    )
    return phase_point_from_weights(
        W1,
        W2,
        A_star,
        E,
        step,
        width,
        sigma2,
        max_steps=int(max_steps),
        update=update,
        compare=compare,
        eq1_scheme=eq1_scheme,
        k=k,
    )


def phase_point_from_weights(
    W1,
    W2,
    A_star,
    E,
    step: float,
    width: int,
    sigma2: float,
    *,
    max_steps: int = 750,
    update: str = "sequential",
    compare: bool = True,
    eq1_scheme: str = "rk4",
    k: int | None = None,
) -> PhaseDiagramPoint:
    r"""The official sweep's loop (record, step, early stops) from given weights ``(W1, W2)``.

    :func:`phase_diagram_point` draws the task and the weights and calls this; use it directly
    to run the loop on a full-width pair and on its :func:`reduce_width` image, or with another
    step (e.g. Fig. 1: ``lr_factor = 5``, 100 steps). ``width`` and ``sigma2`` give the threshold
    :math:`c = \sigma^2 w` (``width`` need not be ``W1.shape[0]``: a reduced pair stands for the
    full width). ``k`` (default: the rank of ``A_star``) selects the ratio :math:`s_k/s_{k+1}`.

    Examples
    --------
    >>> A_star, E = phase_task(20, 2, 0)
    >>> W1, W2 = gaussian_init(20, 20, 400, 20.0**-2, seed=1)
    >>> p = phase_point_from_weights(W1, W2, A_star, E, 0.005, 400, 20.0**-2, max_steps=30)
    >>> p.n_records <= 30, p.numerical_rank >= 1
    (True, True)
    """
    W1 = as_matrix(W1, "W1")
    W2 = as_matrix(W2, "W2")
    check_product_shapes(("W1", "W2"), (W1, W2))
    A_star = as_matrix(A_star, "A_star", (W2.shape[0], W1.shape[1]))
    E = as_matrix(E, "E", A_star.shape)
    step = positive(step, "step")
    width = positive_int(width, "width")
    sigma2 = positive(sigma2, "sigma2")
    scheme = _check_run(update, max_steps, compare, eq1_scheme)
    if k is None:
        k = int(np.linalg.matrix_rank(A_star))
    return _loop(W1, W2, A_star, A_star + E, step, width, sigma2, int(max_steps), update, scheme, int(k))


def _rk4_records(A0, T, c, step):
    """``eq1_scheme="rk4"``: eq. (1) from ``A0`` at ``t_i = i * step`` (:func:`balanced_flow_records`)."""
    F1, F2 = balanced_factors(A0, c)
    return balanced_flow_records(F1, F2, T, step, rate_bound=flow_rate_bound(F1, c, T), rtol=EQ1_RTOL)


def _loop(W1, W2, A_star, T, step, width, sigma2, max_steps, update, scheme, k) -> PhaseDiagramPoint:
    d2 = float(A_star.size)
    c = sigma2 * width
    t_norm = float(np.linalg.norm(T))
    train, test = [], []
    best_A, best = np.empty_like(A_star), np.inf
    R = np.empty_like(A_star)  # scratch: no allocation per record
    init_norm = 0.0
    max_dist = 0.0 if scheme else float("nan")
    B = eq1 = None
    reason = "max_steps"
    steps = descent_steps(W1, W2, T, step, update)
    try:
        with np.errstate(over="raise", invalid="raise"):
            for i in range(max_steps):
                A, _, _ = next(steps)
                if scheme == "rk4":
                    if eq1 is None:
                        eq1 = _rk4_records(A, T, c, step)
                    B = next(eq1)
                elif scheme == "balanced":
                    if eq1 is None:
                        eq1 = descent_steps(*balanced_factors(A, c), T, step, update)
                    B, _, _ = next(eq1)
                elif scheme == "euler":
                    B = A.copy() if B is None else B + step * velocity_unchecked(B, T, c)
                if scheme:
                    np.subtract(A, B, out=R)
                    max_dist = max(max_dist, float(np.linalg.norm(R)) / t_norm)
                if i == 0:
                    init_norm = float(np.sum(A**2)) / d2
                np.subtract(A, T, out=R)
                train.append(float(np.sum(np.multiply(R, R, out=R))) / d2)
                np.subtract(A, A_star, out=R)
                test.append(float(np.sum(np.multiply(R, R, out=R))) / d2)
                if test[-1] < best:
                    np.copyto(best_A, A)
                    best = test[-1]
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
            A_last, _, _ = next(steps)  # the official code steps before its early-stop test
    except FloatingPointError:
        raise SimulationDivergedError(
            f"gradient descent overflowed after {len(test)} iterations with step {step:g}; "
            "increase lr_factor (smaller step)"
        ) from None
    test_arr = np.asarray(test)
    i_min = int(np.argmin(test_arr))
    s = np.linalg.svd(best_A, compute_uv=False)
    op = float(s[0])
    stable = float(np.sum((best_A / op) ** 2)) if op > 0 else 0.0  # scaled: op**2 may underflow
    if k < s.size:
        ratio = float(s[k - 1] / s[k]) if s[k] > 0 else math.inf
    else:
        ratio = math.nan
    last_op = float(np.linalg.norm(A_last, 2)) if np.all(np.isfinite(A_last)) else math.inf
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
        sv_ratio=ratio,
        numerical_rank=int(np.sum(s > op / 5)),
        active=last_op / width * sigma2,
        op_norm_over_c=last_op / c,
        eq1_scheme=scheme,
        train_errors=np.asarray(train),
        test_errors=test_arr,
    )
