r"""The built-in sweep functions: one grid point of a ``lazyrich sweep`` each (issue 9).

Each function takes scalar keyword parameters and returns a flat ``dict`` of finite scalars
(``int``, ``float``, ``bool``, ``str``); bad parameters raise the package's typed errors, which the
sweep engine records per point. All are deterministic in their parameters (seeds included), so a
point recomputed on another worker, or after a crash, gives the same row.

- ``phase_diagram``: one point of Tu, Aranguri & Jacot's Fig. 2 (:func:`phase_diagram_point`),
  with :func:`draw_phase_boundaries` as its heatmap overlay.
- ``stress_cell``: one ``(model, case, t, backend)`` cell of the stability report (:func:`stress`).
- ``two_layer_agreement``, ``single_neuron_agreement``, ``aligned_agreement``,
  ``mixed_aligned_agreement``: an exact solution against an independent simulation, with the
  error bound derived from the solver's tolerances (as the claims' numeric checks do).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..._base.errors import InvalidParameterError, NonFiniteError
from ..._base.tolerance import FLOAT64_EPS, linalg_tolerance, ode_global_tolerance, quadratic_invariant_tolerance
from ..._base.validation import as_scalar, nonnegative, positive, positive_int
from ..._exact.aligned import aligned_singular_value
from ..._exact.lambda_balanced import lambda_balanced_init
from ..._exact.mixed_aligned import mixed_aligned_singular_value
from ..._exact.single_neuron import SingleNeuronExact
from ..._exact.two_layer import TwoLayerExact
from ..._numerics.random_matrices import matrix_with_singular_values
from ..._simulate.flow import gradient_flow
from ..._simulate.models import DeepLinearModel, SingleNeuronModel
from ..._simulate.phase_diagram import (
    below_noise_line,
    in_theory_region,
    init_below_threshold,
    is_lazy,
    is_overparameterized,
    lazy_min_test_error,
    phase_diagram_point,
    phase_task,
)
from ..._simulate.self_consistent import self_consistent_flow
from .registry import sweep_function

__all__ = [
    "aligned_agreement",
    "draw_phase_boundaries",
    "mixed_aligned_agreement",
    "phase_diagram",
    "single_neuron_agreement",
    "stress_cell",
    "two_layer_agreement",
]

#: Round-off allowance of a float64 closed form, in units of eps times its scale (as in the claims).
ROUND_OFF_EPS = 64


def finite_row(row: dict[str, Any], what: str) -> dict[str, Any]:
    """Refuse to return NaN or inf (the sweep table must hold only finite numbers)."""
    for key, v in row.items():
        if isinstance(v, float) and not math.isfinite(v):
            raise NonFiniteError(f"{what}: column {key!r} is {v}; this point cannot be evaluated in float64")
    return row


def _time(t: Any) -> np.ndarray:
    """The grid ``[0, t]`` (or ``[0]`` at ``t = 0``)."""
    t = nonnegative(t, "t")
    return np.array([0.0, t]) if t > 0 else np.array([0.0])


def _rtol(rtol: Any) -> float:
    rtol = positive(rtol, "rtol")
    if not 1e-14 <= rtol <= 1e-2:
        raise InvalidParameterError(f"rtol must be in [1e-14, 1e-2] (DOP853 tolerances); got {rtol:g}")
    return rtol


def _agreement(error: float, tolerance: float, scale: float, n_steps: int) -> dict[str, Any]:
    return {
        "abs_error": float(error),
        "tolerance": float(tolerance),
        "relative_error": float(error / scale) if scale > 0 else float(error),
        "scale": float(scale),
        "passed": bool(error <= tolerance),
        "n_steps": int(n_steps),
    }


# ------------------------------------------------------------------------------------ phase diagram
def draw_phase_boundaries(ax: Any, x: str, y: str, params: dict[str, Any]) -> None:
    r"""Draw Tu et al.'s Fig. 2 region lines on a heatmap of ``(gamma_sigma2, gamma_w)`` (either orientation).

    Black :math:`\gamma_{\sigma^2} + \gamma_w = 1` (:func:`is_lazy` above it), red
    :math:`\gamma_w + 2\gamma_{\sigma^2} = 0` (:func:`below_noise_line` under it), orange
    :math:`\gamma_w = \log_d k` (:func:`is_overparameterized` above it; drawn when ``params`` has
    ``d`` and ``k``), and dashed grey :math:`\gamma_w = 1` for :math:`\gamma_{\sigma^2} < -1/2`, the lower
    edge of the region the theorems cover (:func:`in_theory_region`: above it and left of the red
    line), as drawn in Tu et al. (2024), Fig. 2. Other axis pairs draw nothing. The axes' limits are kept.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = ax.set(xlim=(-3, 0), ylim=(0, 2.8))
    >>> draw_phase_boundaries(ax, "gamma_sigma2", "gamma_w", {"d": 50, "k": 2})
    >>> len(ax.lines), tuple(float(v) for v in ax.get_xlim())
    (4, (-3.0, 0.0))
    >>> plt.close(fig)
    """
    names = {x, y}
    if names != {"gamma_sigma2", "gamma_w"}:
        return
    swap = x == "gamma_w"
    xlim, ylim = ax.get_xlim(), ax.get_ylim()
    gs_lim, gw_lim = (ylim, xlim) if swap else (xlim, ylim)
    lo = min(*gs_lim, *gw_lim) - 10.0
    hi = max(*gs_lim, *gw_lim) + 10.0
    gs = np.array([lo, hi])

    def line(gs_vals, gw_vals, **kw):
        if swap:
            ax.plot(gw_vals, gs_vals, **kw)
        else:
            ax.plot(gs_vals, gw_vals, **kw)

    line(gs, 1 - gs, color="black", lw=2, label=r"$\sigma^2 w = d$ (lazy above)")
    line(gs, -2 * gs, color="red", lw=2, label=r"$w\sigma^4 = 1$ (noise line)")
    d, k = params.get("d"), params.get("k")
    if d is not None and k is not None and float(d) > 1 and float(k) >= 1:
        level = math.log(float(k)) / math.log(float(d))
        line(gs, [level, level], color="orange", lw=2, label=r"$w = k$ (overparameterized above)")
    line(
        np.array([lo, -0.5]),
        [1.0, 1.0],
        color="0.35",
        lw=1.5,
        ls="--",
        label=r"$\gamma_w = 1$ (theory region: above it, left of red)",
    )
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2, frameon=False)


@sweep_function(
    "phase_diagram",
    description="one point of Tu et al.'s Fig. 2 phase diagram (gradient descent vs eq. (1))",
    value="min_test_error",
    boundaries=draw_phase_boundaries,
)
def phase_diagram(
    d: int,
    k: int,
    gamma_sigma2: float,
    gamma_w: float,
    seed: int,
    max_steps: int = 750,
    lr_factor: float = 50.0,
    update: str = "sequential",
    reduced: bool = True,
    compare: bool = True,
    eq1_scheme: str = "rk4",
) -> dict[str, Any]:
    r"""One point of the phase diagram of Tu, Aranguri & Jacot (2024), Fig. 2.

    Runs :func:`phase_diagram_point` (width :math:`w = \lfloor d^{\gamma_w}\rfloor`, variance
    :math:`\sigma^2 = d^{\gamma_{\sigma^2}}`, the official step rule and early stops) and returns
    its four Fig. 2 quantities with the official code's diagnostics, the run's diagnostics and
    the region flags of the figure's lines.

    Returns
    -------
    dict
        ``min_test_error`` (TL panel), ``stable_rank`` (TR), ``iterations`` (BL),
        ``max_distance`` (BR: GD vs discretised eq. (1), scheme ``eq1_scheme``; only with
        ``compare``), the official code's diagnostics at the minimum ``sv_ratio``
        (:math:`s_k/s_{k+1}`; only when ``k < d``) and ``numerical_rank`` (tolerance :math:`s_1/5`),
        its ``active`` diagnostic as coded (:math:`\|A\|_{op}\sigma^2/w`) and
        ``op_norm_over_c`` (:math:`\|A\|_{op}/(\sigma^2 w)`), ``width``, ``sigma2``, ``c``
        (:math:`\sigma^2 w`), ``step``, ``n_records``, ``stop_reason``, ``init_norm``
        (:math:`n_0`), ``lazy_prediction`` (the heuristic :func:`lazy_min_test_error`, claim 29),
        and the booleans ``is_lazy``, ``below_noise_line``, ``is_overparameterized``,
        ``in_theory_region``, ``init_below_threshold``.

    Examples
    --------
    >>> row = phase_diagram(d=20, k=2, gamma_sigma2=-2.0, gamma_w=1.5, seed=0, max_steps=50)
    >>> row["width"], row["is_lazy"], row["in_theory_region"], bool(row["min_test_error"] < 1.5)
    (89, False, True, True)
    """
    p = phase_diagram_point(
        d,
        k,
        gamma_sigma2,
        gamma_w,
        seed,
        max_steps=max_steps,
        lr_factor=lr_factor,
        update=update,
        reduced=bool(reduced),
        compare=bool(compare),
        eq1_scheme=eq1_scheme,
    )
    A_star, E = phase_task(d, k, seed)
    d2 = float(A_star.size)
    row: dict[str, Any] = {
        "min_test_error": p.min_test_error,
        "stable_rank": p.stable_rank,
        "iterations": p.iterations,
    }
    if compare:
        row["max_distance"] = p.max_distance
    if k < d:
        row["sv_ratio"] = p.sv_ratio
    row.update(
        numerical_rank=p.numerical_rank,
        active=p.active,
        op_norm_over_c=p.op_norm_over_c,
        width=p.width,
        sigma2=p.sigma2,
        c=p.c,
        step=p.step,
        n_records=p.n_records,
        stop_reason=p.stop_reason,
        init_norm=p.init_norm,
        lazy_prediction=lazy_min_test_error(float(np.sum(A_star**2)) / d2, float(np.sum(E**2)) / d2, p.init_norm),
        is_lazy=bool(is_lazy(gamma_sigma2, gamma_w)),
        below_noise_line=bool(below_noise_line(gamma_sigma2, gamma_w)),
        is_overparameterized=bool(is_overparameterized(gamma_w, d, k)),
        in_theory_region=bool(in_theory_region(gamma_sigma2, gamma_w)),
        init_below_threshold=bool(init_below_threshold(p.width, d)),
    )
    return finite_row(row, "phase_diagram")


# ------------------------------------------------------------------------------------ stress test
@sweep_function(
    "stress_cell",
    description="one (model, case, t, backend) cell of the precision stress test (lazyrich stress)",
    value="correct_digits",
)
def stress_cell(model: str, case: str | int, t: float, backend: str) -> dict[str, Any]:
    r"""Error of one evaluation path of an exact solution at one time, against its certified reference (issue 6).

    The cell ``(model, case, backend, t)`` of the stability report, computed by the report itself
    (``lazyrich.stress(model, case=case, backend=backend, times=[t])``). The error is
    :math:`(\max|x - m| + r)/\text{scale}` against an Arb ball :math:`m \pm r`: a certified upper
    bound. The solutions checked are two-layer :math:`QQ^T` (Dominé et al. (2025), Thm 4.3), the
    aligned :math:`s(t)` (Dominé et al. (2025), Thm 5.1), the aligned :math:`s(t)` of Tu et al. (2024),
    eq. (1), and the single-neuron :math:`\beta(t)` (Kunin et al. (2024), Sec. 3).

    Parameters
    ----------
    model : {"two_layer", "aligned", "mixed", "single_neuron"}
    case : str or int
        A hard case of the report (e.g. ``"lambda=0.5"``), or its index in the report's order.
    t : float
        Time, >= 0.
    backend : str
        ``"direct"`` / ``"stable"`` (float64) or ``"direct@N"`` / ``"stable@N"`` (mpmath at N
        digits), as in the report's rows (an unknown name is refused with the list).

    Returns
    -------
    dict
        ``case`` (the name), ``error_bound`` (the certified relative error; 1.0 when the backend
        raised or returned a non-finite value: no correct digit), ``correct_digits``
        (:math:`\max(0, -\log_{10}\text{error\_bound})`), ``raised``, ``failed`` (raised, or
        error above the report's failure threshold).

    Examples
    --------
    >>> row = stress_cell("aligned", "lambda=0.5", 100.0, "stable")
    >>> row["raised"], row["failed"], bool(row["correct_digits"] > 12)
    (False, False, True)
    """
    from ..stress import FAIL_ERROR, case_names, stress

    if isinstance(case, (int, np.integer)) and not isinstance(case, bool):
        names = case_names(model)
        if not 0 <= case < len(names):
            raise InvalidParameterError(f"case index {case} out of range for {model!r}: 0..{len(names) - 1}")
        case = names[int(case)]
    t = as_scalar(t, "t")
    (row,) = stress(model, case=case, backend=backend, times=[t]).rows
    err = row.error[0]
    raised = err is None
    error = 1.0 if raised else float(err)
    out = {
        "case": str(case),
        "error_bound": error,
        "correct_digits": 0.0 if error >= 1 else float(-math.log10(max(error, 1e-300))),
        "raised": raised,
        "failed": bool(raised or error > FAIL_ERROR),
    }
    return finite_row(out, "stress_cell")


# ------------------------------------------------------------------------------------ agreement cells
def _perturbation(p: Any) -> float:
    p = as_scalar(p, "perturbation")
    if abs(p) >= 1:
        raise InvalidParameterError(f"perturbation is a relative change of the simulation's start, |p| < 1; got {p}")
    return p


@sweep_function(
    "two_layer_agreement",
    description="TwoLayerExact QQ^T(t) vs gradient flow of the network (Dominé et al. (2025), Thm 4.3)",
    value="relative_error",
)
def two_layer_agreement(
    n_in: int,
    n_hidden: int,
    n_out: int,
    lam: float,
    t: float,
    seed: int,
    sigma: float = 0.6,
    tau: float = 1.0,
    rtol: float = 1e-10,
    perturbation: float = 0.0,
) -> dict[str, Any]:
    r"""Exact :math:`QQ^T(t)` of a lambda-balanced two-layer network vs its simulated gradient flow.

    Checks the closed form of the Riccati equation
    :math:`\tau\tfrac{d}{dt}QQ^T = FQQ^T + QQ^TF - (QQ^T)^2` (Dominé et al. (2025), Sec. 4)
    at ``t``: :class:`TwoLayerExact` against :func:`gradient_flow` (DOP853, ``rtol``) of
    :class:`DeepLinearModel`. Task: singular values uniform in [0.5, 2] (stream ``[seed, 2]``);
    init :func:`lambda_balanced_init` (``seed``); for a square net at :math:`\lambda = 0` the task's
    first row is negated if needed so that :math:`q_+` is invertible (claim 10). ``perturbation`` scales the simulation's
    ``W1(0)`` by ``1 + perturbation`` (a deliberately wrong start, to see the check fail).

    Tolerance (as the claim ``lazy_to_rich.stable_closed_form``): the flow's bound on a quadratic
    function of the weights, :func:`quadratic_invariant_tolerance`, plus the closed form's
    round-off :math:`\kappa(q_+)^2\, 8(N_i+N_o)\,\epsilon\,|W|^2`.

    Returns
    -------
    dict
        ``abs_error`` (max entry difference), ``tolerance`` (on ``abs_error``), ``relative_error``
        (``abs_error`` / ``scale``, the max entry of :math:`QQ^T`), ``scale``, ``passed``
        (``abs_error <= tolerance``), ``n_steps`` (solver steps), ``condition`` (:math:`\kappa(q_+)`).
        The other agreement cells return the same columns (without ``condition``).

    Examples
    --------
    >>> row = two_layer_agreement(3, 2, 2, lam=0.7, t=2.0, seed=0)
    >>> row["passed"], bool(row["relative_error"] < 1e-6)
    (True, True)
    """
    n_in, n_hidden, n_out = (positive_int(v, n) for v, n in ((n_in, "n_in"), (n_hidden, "n_hidden"), (n_out, "n_out")))
    seed = positive_int(seed, "seed", minimum=0)
    lam = as_scalar(lam, "lam")
    tau = positive(tau, "tau")
    ts, rtol, p = _time(t), _rtol(rtol), _perturbation(perturbation)
    rng = np.random.default_rng([seed, 2])
    m = min(n_in, n_out)
    syx = matrix_with_singular_values((n_out, n_in), rng.uniform(0.5, 2.0, m), rng)
    W1, W2 = lambda_balanced_init(n_in, n_hidden, n_out, lam, sigma=positive(sigma, "sigma"), seed=seed)
    if n_in == n_out == n_hidden and lam == 0 and np.linalg.det(W2 @ W1) * np.linalg.det(syx) < 0:
        syx[0] = -syx[0]  # lambda = 0 needs sign det W2W1(0) = sign det Sigma_yx for q+ invertible (claim 10)
    net = TwoLayerExact(W1, W2, syx, tau=tau)
    exact = np.asarray(net.qqt(ts), dtype=float).reshape(len(ts), n_in + n_out, n_in + n_out)
    traj = gradient_flow(DeepLinearModel(syx, tau=tau), (W1 * (1 + p), W2), ts, rtol=rtol)
    sim = np.array([_qqt(*traj.at(i)) for i in range(len(ts))])
    error = float(np.abs(exact - sim).max())
    scale_w = max(traj.scale, 1e-300)
    tol = quadratic_invariant_tolerance(traj.n_steps, traj.rtol, traj.atol, scale_w)
    if math.isfinite(net.condition):
        tol += linalg_tolerance(net.condition**2, 8 * (n_in + n_out)) * scale_w**2
    else:  # N_h > min(N_i, N_o): no q+ condition number; round-off of a well-scaled closed form
        tol += ROUND_OFF_EPS * FLOAT64_EPS * scale_w**2
    row = _agreement(error, tol, float(np.abs(exact).max()), traj.n_steps)
    row["condition"] = float(net.condition) if math.isfinite(net.condition) else -1.0
    return finite_row(row, "two_layer_agreement")


def _qqt(W1: np.ndarray, W2: np.ndarray) -> np.ndarray:
    Q = np.vstack([W1.T, W2])
    return Q @ Q.T


@sweep_function(
    "single_neuron_agreement",
    description="SingleNeuronExact (a, w)(t) vs gradient flow of f(x) = a w^T x (Kunin et al. (2024), Sec. 3)",
    value="relative_error",
)
def single_neuron_agreement(
    d: int,
    delta: float,
    t: float,
    seed: int,
    eta_a: float = 1.0,
    eta_w: float = 1.0,
    rtol: float = 1e-10,
    perturbation: float = 0.0,
) -> dict[str, Any]:
    r"""Exact single-neuron trajectory :math:`(a, w)(t)` vs its simulated gradient flow, at conserved ``delta``.

    Checks the closed form of :math:`\dot a = \eta_a(w^T\beta_* - a\|w\|^2)`,
    :math:`\dot w = \eta_w(a\beta_* - a^2 w)` (Kunin et al. (2024), Sec. 3; closed form derived here) with
    :math:`\delta = \eta_w a^2 - \eta_a\|w\|^2`: :class:`SingleNeuronExact` against
    :func:`gradient_flow` of :class:`SingleNeuronModel` on whitened data (``X = I``, ``y = beta*``).
    Random ``beta*``, direction of ``w0`` and sign of ``a0`` from stream ``[seed, 3]``;
    :math:`\|w_0\|^2 = (u + \max(0, -\delta))/\eta_a` with ``u`` uniform in [0.25, 1], and ``a0``
    from ``delta``. ``perturbation`` scales the simulation's ``w(0)`` by ``1 + perturbation``.

    Tolerance (as the claim ``get_rich_quick.closed_form_flow``): :func:`ode_global_tolerance`
    on the scale ``max(|theta|, 1)``, plus the engine's round-off ``64 eps |theta|`` (it is
    accurate to about 1e-15 relative).

    Examples
    --------
    >>> row = single_neuron_agreement(d=3, delta=-1.0, t=3.0, seed=0)
    >>> row["passed"], bool(row["relative_error"] < 1e-6)
    (True, True)
    """
    d = positive_int(d, "d")
    seed = positive_int(seed, "seed", minimum=0)
    delta = as_scalar(delta, "delta")
    eta_a, eta_w = positive(eta_a, "eta_a"), positive(eta_w, "eta_w")
    ts, rtol, p = _time(t), _rtol(rtol), _perturbation(perturbation)
    rng = np.random.default_rng([seed, 3])
    beta = rng.standard_normal(d)
    direction = rng.standard_normal(d)
    u = rng.uniform(0.25, 1.0)
    sign = 1.0 if rng.random() < 0.5 else -1.0
    w_norm2 = (u + max(0.0, -delta)) / eta_a
    a0 = sign * math.sqrt((u + max(delta, 0.0)) / eta_w)  # eta_w a0^2 - eta_a |w0|^2 = delta
    w0 = direction / np.linalg.norm(direction) * math.sqrt(w_norm2)
    sn = SingleNeuronExact(a0, w0, beta, eta_a, eta_w)
    a_ex = np.asarray(sn.a(ts), dtype=float).reshape(len(ts))
    w_ex = np.asarray(sn.w(ts), dtype=float).reshape(len(ts), d)
    traj = gradient_flow(
        SingleNeuronModel(np.eye(d), beta, eta_a, eta_w), (np.asarray(a0), w0 * (1 + p)), ts, rtol=rtol
    )
    error = max(float(np.abs(a_ex - traj["a"].reshape(-1)).max()), float(np.abs(w_ex - traj["w"]).max()))
    scale = max(float(np.abs(a_ex).max()), float(np.abs(w_ex).max()))
    tol = ode_global_tolerance(traj.n_steps, traj.rtol, traj.atol, max(traj.scale, 1.0))
    tol += ROUND_OFF_EPS * FLOAT64_EPS * scale
    return finite_row(_agreement(error, tol, scale, traj.n_steps), "single_neuron_agreement")


@sweep_function(
    "aligned_agreement",
    description="aligned_singular_value s(t) vs gradient flow of a 1-1-1 lambda-balanced network (Dominé et al. Thm 5.1)",
    value="relative_error",
)
def aligned_agreement(
    s0: float,
    s_target: float,
    lam: float,
    t: float,
    tau: float = 1.0,
    rtol: float = 1e-10,
    perturbation: float = 0.0,
) -> dict[str, Any]:
    r"""Exact aligned singular value :math:`s(t) = s_0 + \gamma(t;\lambda)(\tilde s - s_0)` vs a simulated network.

    Checks Dominé et al. (2025), Thm 5.1 (Eq. 17,
    :math:`\tau\dot s = \sqrt{\lambda^2 + 4s^2}(\tilde s - s)`): :func:`aligned_singular_value`
    against :func:`gradient_flow` of the scalar network ``y = w2 w1 x`` with target ``s_target``,
    started at :math:`w_1 w_2 = s_0`, :math:`w_2^2 - w_1^2 = \lambda` (a one-mode network is
    task-aligned). ``perturbation`` scales the simulation's ``w1(0)`` by ``1 + perturbation``.

    Tolerance (as the claim ``lazy_to_rich.transition_function``): the flow's bound on the
    product ``w2 w1`` (:func:`quadratic_invariant_tolerance`) plus ``64 eps max(|s0|, |s~|)``.

    Examples
    --------
    >>> row = aligned_agreement(s0=0.05, s_target=1.7, lam=-0.3, t=4.0)
    >>> row["passed"], bool(row["relative_error"] < 1e-7)
    (True, True)
    """
    s0, st, lam = as_scalar(s0, "s0"), as_scalar(s_target, "s_target"), as_scalar(lam, "lam")
    tau = positive(tau, "tau")
    ts, rtol, p = _time(t), _rtol(rtol), _perturbation(perturbation)
    root = math.hypot(lam, 2 * s0)
    w1 = (-1.0 if s0 < 0 else 1.0) * math.sqrt(max(root - lam, 0.0) / 2)
    w2 = math.sqrt(max(root + lam, 0.0) / 2)
    exact = np.asarray(aligned_singular_value(ts, s0, st, lam, tau=tau), dtype=float).reshape(len(ts))
    traj = gradient_flow(
        DeepLinearModel(np.array([[st]]), tau=tau), (np.array([[w1 * (1 + p)]]), np.array([[w2]])), ts, rtol=rtol
    )
    sim = (traj["W2"] @ traj["W1"]).reshape(len(ts))
    error = float(np.abs(exact - sim).max())
    scale = max(abs(s0), abs(st))
    tol = quadratic_invariant_tolerance(traj.n_steps, traj.rtol, traj.atol, max(traj.scale, 1e-300))
    tol += ROUND_OFF_EPS * FLOAT64_EPS * scale
    return finite_row(_agreement(error, tol, scale, traj.n_steps), "aligned_agreement")


@sweep_function(
    "mixed_aligned_agreement",
    description="mixed_aligned_singular_value s(t) vs self_consistent_flow of eq. (1) (Tu et al. (2024), eq. (1), aligned case derived here)",
    value="relative_error",
)
def mixed_aligned_agreement(
    s0: float,
    s_target: float,
    c: float,
    t: float,
    rtol: float = 1e-10,
    perturbation: float = 0.0,
) -> dict[str, Any]:
    r"""Exact aligned solution of eq. (1) of Tu et al. vs the simulated self-consistent dynamics.

    Checks :math:`\dot s = 2\sqrt{s^2 + c^2}(s^* - s)` (derived here from Tu et al. (2024), eq. (1); claims 15-16):
    :func:`mixed_aligned_singular_value` against :func:`self_consistent_flow` (the full matrix
    eq. (1), DOP853) from the ``1 x 1`` matrix ``A(0) = [[s0]]`` with target ``[[s_target]]``.
    ``perturbation`` scales the simulation's ``A(0)`` by ``1 + perturbation``.

    Tolerance (as the certified check of ``mixed_dynamics.closed_form``):
    :func:`ode_global_tolerance` plus ``64 eps max(|s0|, s*, c)``.

    Examples
    --------
    >>> row = mixed_aligned_agreement(s0=0.2, s_target=1.5, c=0.4, t=2.0)
    >>> row["passed"], bool(row["relative_error"] < 1e-7)
    (True, True)
    """
    s0, st = as_scalar(s0, "s0"), as_scalar(s_target, "s_target")
    c = positive(c, "c")
    ts, rtol, p = _time(t), _rtol(rtol), _perturbation(perturbation)
    exact = np.asarray(mixed_aligned_singular_value(ts, s0, st, c), dtype=float).reshape(len(ts))
    traj = self_consistent_flow(np.array([[s0 * (1 + p)]]), np.array([[st]]), c, ts, rtol=rtol)
    sim = traj["A"].reshape(len(ts))
    error = float(np.abs(exact - sim).max())
    scale = max(abs(s0), abs(st), c)
    tol = ode_global_tolerance(traj.n_steps, traj.rtol, traj.atol, max(traj.scale, 1e-300))
    tol += ROUND_OFF_EPS * FLOAT64_EPS * scale
    return finite_row(_agreement(error, tol, scale, traj.n_steps), "mixed_aligned_agreement")
