"""The stability report (``lazyrich stress``): error of every evaluation path vs a certified reference.

For each exact solution and a set of hard cases, on a log-spaced time grid up to ``t_max``, the
error (max-norm, relative to the solution's :meth:`~lazyrich._exact.closed_form.ClosedForm.error_scale`)
of the paper's *direct* form and of our *stable* form, each evaluated

* in float64 (backends ``direct`` and ``stable``), and
* in mpmath at a **fixed** working precision of N = 15, 30, 60 digits (``direct@N``, ``stable@N``:
  no guard digits, no automatic precision, no confirmation), so the table shows how the direct
  form's failure time moves with the digits while the stable form's error stays flat near
  ``10^-N``.

Everything goes through the :class:`~lazyrich._exact.closed_form.ClosedForm` interface: the case table
maps each model name to its hard cases, each a closed-form object (:class:`TwoLayerExact`,
:class:`AlignedMode`, :class:`MixedAlignedMode`, :class:`SingleNeuronExact`), and a backend is
``form.stable(ts, digits)`` or ``form.direct(ts, digits)``. The guaranteed ``dps=N`` paths (working
precision chosen and confirmed) are tested elsewhere; here the point is what a fixed arithmetic does.
The reference is the object's Arb enclosure (``form.certified``; the error is then a certified upper
bound ``|x - mid| + rad``). Where that enclosure would need more than :data:`ARB_MAX_BITS` working bits
(the two-layer net's basis-free certified form needs about ``4 mu t / ln 2``), the reference is the
confirmed mpmath stable form at 80 digits instead (``reference: mpmath80`` in the rows).

Direct forms: two-layer, the Fukumizu form (Dominé et al. (2025), Sec. 4; float64: ``expm(F t)``,
``F^{-1}`` and a solve; mpmath: the same form in the eigenbasis); aligned, the 2x2 Fukumizu form;
mixed, the Riccati ``v_pm, K_0`` form; single neuron, the ``A(t) = c_+ e^{lambda_+ t} + c_- e^{lambda_- t}``
form. One cell (model, case, backend, t) is ``stress(model, case=..., backend=..., times=[t])``.
"""

from __future__ import annotations

import functools
import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import mpmath
import numpy as np
from scipy.linalg import expm

from .._base.errors import InvalidParameterError, MissingDependencyError
from .._base.validation import as_time_grid, check_work, positive, positive_int
from .._exact.aligned import AlignedMode
from .._exact.lambda_balanced import lambda_balanced_init, split_singular_values
from .._exact.mixed_aligned import MixedAlignedMode
from .._exact.single_neuron import SingleNeuronExact
from .._exact.two_layer import TwoLayerExact
from .._numerics.random_matrices import matrix_with_singular_values, random_orthogonal
from .figure_style import check_style, figure_size, math_text, style_context

__all__ = ["BACKENDS", "MODELS", "StressReport", "StressRow", "case_names", "hard_case", "stress"]

#: Fixed working precisions (decimal digits) of the mpmath rows.
DIGITS = (15, 30, 60)
BACKENDS = ("direct", "stable", *(f"{form}@{d}" for d in DIGITS for form in ("direct", "stable")))
#: Largest working precision (bits) of an Arb reference; later times use the confirmed mpmath form at 80 digits.
ARB_MAX_BITS = 6000
#: An error above this is a failure (the direct form's "failure time").
FAIL_ERROR = 1e-3
#: Bits of the Arb references (~69 digits: below every 60-digit error).
REFERENCE_BITS = 230
#: Digits of the confirmed mpmath reference beyond ARB_MAX_BITS (its error: 10^-78 relative).
REFERENCE_DPS = 80


@dataclass
class StressRow:
    """Errors of one backend on one case over the time grid (``None`` where it raised or was not finite)."""

    model: str
    case: str
    backend: str
    t: list
    error: list
    reference: list
    note: str = ""

    @property
    def max_error(self) -> float | None:
        vals = [e for e in self.error if e is not None]
        if any(e is None for e in self.error):
            return math.inf
        return max(vals) if vals else None

    @property
    def failure_time(self) -> float | None:
        """First time with error > FAIL_ERROR or an exception (``None``: never)."""
        for x, e in zip(self.t, self.error):
            if e is None or e > FAIL_ERROR:
                return x
        return None

    def as_dict(self) -> dict:
        return {
            "model": self.model,
            "case": self.case,
            "backend": self.backend,
            "t": self.t,
            "error": self.error,
            "reference": self.reference,
            "max_error": None if self.max_error in (None, math.inf) else self.max_error,
            "max_finite_error": max((e for e in self.error if e is not None), default=None),
            "raised": any(e is None for e in self.error),
            "failure_time": self.failure_time,
            "note": self.note,
        }


@dataclass
class StressReport:
    """Rows of :func:`stress`, with a table, JSON and a plot."""

    t_max: float
    rows: list = field(default_factory=list)
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return {
            "t_max": self.t_max,
            "fail_error": FAIL_ERROR,
            "backends": list(BACKENDS),
            "seconds": round(self.seconds, 2),
            "rows": [r.as_dict() for r in self.rows],
        }

    def table(self) -> str:
        w = max(len(f"{r.model}/{r.case}") for r in self.rows)
        head = f"{'model/case':<{w}}  {'backend':<10}  {'max error':>16}  {'fails at t':>10}  note"
        lines = [head, "-" * len(head)]
        for r in self.rows:
            # the largest finite error, then "+raised" when the backend raised or overflowed later on
            finite = [e for e in r.error if e is not None]
            mes = f"{max(finite):.2e}" if finite else "-"
            if any(e is None for e in r.error):
                mes += " +raised"
            ft = r.failure_time
            fts = "never" if ft is None else f"{ft:.3g}"
            lines.append(f"{r.model + '/' + r.case:<{w}}  {r.backend:<10}  {mes:>16}  {fts:>10}  {r.note}")
        return "\n".join(lines)

    def plot(self, path, *, style: str = "default", by: str = "model") -> Path:
        """Error vs time of every backend, one panel per model (or per case); needs matplotlib.

        Each backend has its own colour, marker and dash, so coinciding curves stay visible: colour and
        marker give the arithmetic (float64: black circles, drawn wider underneath; 15, 30, 60 digits:
        blue crosses, orange squares, green triangles), the dash the form (dashed: the paper's direct
        form, solid: our stable form). One legend is shared by all panels. The dotted line is the
        failure threshold :data:`FAIL_ERROR`; a time where a backend raised or returned a non-finite
        value is drawn in the grey "raised / overflow" band at the top; finite errors are clipped to
        ``[10^-70, 10]`` (10 decades below the 60-digit round-off; above 10 no digit is right).

        Parameters
        ----------
        path : str or Path
            The file to write; matplotlib picks the format from the suffix (``.png``, or ``.pdf`` /
            ``.svg`` for a paper).
        style : {"default", "paper"}
            ``"paper"`` sizes the figure for a two-column paper (one column, 3.3 in, for a single panel;
            the text width, 6.9 in, otherwise), with 8 pt serif text and 300 dpi.
        by : {"model", "case"}
            ``"model"``: one panel per model, each curve the worst error over the model's hard cases at
            each time (a raise in any case counts); ``"case"``: one panel per (model, case).

        Returns
        -------
        Path
            ``path``.

        Raises
        ------
        InvalidParameterError
            Unknown ``style`` or ``by``, or a report without rows.
        MissingDependencyError
            matplotlib is not installed (``pip install 'lazyrich[plot]'``).
        """
        style = check_style(style)
        if by not in ("model", "case"):
            raise InvalidParameterError(f"by must be 'model' or 'case'; got {by!r}")
        if not self.rows:
            raise InvalidParameterError("the report has no rows: nothing to plot")
        try:
            import matplotlib

            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
        except ImportError:
            raise MissingDependencyError("--plot needs matplotlib: pip install 'lazyrich[plot]'") from None
        key = (lambda r: r.model) if by == "model" else (lambda r: (r.model, r.case))
        panels = list(dict.fromkeys(key(r) for r in self.rows))
        ncol = min(len(panels), 2 if by == "model" else 3)
        nrow = math.ceil(len(panels) / ncol)
        with style_context(style):
            size = figure_size(style, ncol, nrow, aspect=0.62 if style == "paper" else 0.7, extra=0.45)
            fig, axes = plt.subplots(nrow, ncol, figsize=size, squeeze=False, layout="constrained")
            series = [_panel_series([r for r in self.rows if key(r) == p]) for p in panels]
            finite = [e for s in series for _, (_, es) in s.items() for e in es if e is not None]
            ymin = 10.0 ** (math.floor(math.log10(max(min(finite, default=1e-16), _FLOOR))) - 2)
            for i, (ax, panel, curves) in enumerate(zip(axes.flat, panels, series)):
                for backend, (ts, es) in curves.items():
                    _draw_backend(ax, backend, ts, es)
                _decorate(ax, ymin, self.t_max, style)
                if by == "model":
                    cases = list(dict.fromkeys(r.case for r in self.rows if r.model == panel))
                    worst = f": worst of {len(cases)} cases" if len(cases) > 1 else f": {math_text(cases[0])}"
                    ax.set_title(_MODEL_TITLES.get(panel, panel) + worst)
                else:
                    ax.set_title(f"{_MODEL_TITLES.get(panel[0], panel[0])}: {math_text(panel[1])}")
                if i % ncol == 0:
                    ax.set_ylabel("relative error (max-norm)")
                if i + ncol >= len(panels):  # the lowest panel of its column
                    ax.set_xlabel(r"time $t$ (units of $\tau$)")
            for ax in list(axes.flat)[len(panels) :]:
                ax.set_visible(False)
            # one shared legend, factorised: colour + marker = arithmetic, dash = form
            wide = ncol > 1
            fig.legend(
                handles=_legend_handles(),
                loc="outside upper center",
                ncol=6 if wide else 3,
                frameon=False,
                columnspacing=1.2,
                handlelength=2.6,
            )
            out = Path(path)
            fig.savefig(out)
            plt.close(fig)
        return out


#: Per fixed precision (None: float64): colour (Okabe-Ito, colour-blind safe) and marker.
_ARITHMETIC = {None: ("black", "o"), 15: ("#0072B2", "x"), 30: ("#E69F00", "s"), 60: ("#009E73", "^")}
_MODEL_TITLES = {
    "two_layer": "two-layer net",
    "aligned": "aligned mode",
    "mixed": "mixed aligned mode",
    "single_neuron": "single neuron",
}
#: Finite errors are drawn clipped to [_FLOOR, _CLIP]; a raise or non-finite value at _RAISED_Y, in the grey
#: band [_BAND, _TOP] (the floor is 10 decades below the 60-digit round-off: any error below it is exact enough)
_FLOOR = 1e-70
_CLIP = 1e1
_BAND = 1e2
_RAISED_Y = 1e4
_TOP = 1e10


def _legend_handles() -> list:
    """Legend entries: one per arithmetic (colour, marker, width), then one per form (dash)."""
    from matplotlib.lines import Line2D

    ms, lw = _rc("lines.markersize"), _rc("lines.linewidth")
    out = []
    for digits, (color, marker) in _ARITHMETIC.items():
        w = 1.8 if digits is None else 1.0
        name = "float64" if digits is None else f"{digits} digits"
        out.append(Line2D([], [], color=color, marker=marker, mfc="none", ms=w * ms, lw=w * lw, label=name))
    out.append(Line2D([], [], color="0.35", ls="--", lw=lw, label="direct form (paper)"))
    out.append(Line2D([], [], color="0.35", ls="-", lw=lw, label="stable form"))
    return out


def _panel_series(rows: list) -> dict:
    """Per backend, (times > 0, worst error over the rows at each time; ``None`` if any row raised there)."""
    out = {}
    for backend in dict.fromkeys(r.backend for r in rows):
        mine = [r for r in rows if r.backend == backend]
        ts = [x for x in mine[0].t if x > 0]
        es = []
        for x in ts:
            errs = [e for r in mine for t, e in zip(r.t, r.error) if t == x]
            es.append(None if any(e is None for e in errs) else max(errs))
        out[backend] = (ts, es)
    return out


def _draw_backend(ax, backend: str, ts: list, es: list) -> None:
    form, _, digits = backend.partition("@")
    color, marker = _ARITHMETIC[int(digits) if digits else None]
    ys = [_RAISED_Y if e is None else min(max(e, _FLOOR), _CLIP) for e in es]
    float64 = not digits
    ax.plot(
        ts,
        ys,
        ls="--" if form == "direct" else "-",
        color=color,
        marker=marker,
        mfc="none",
        ms=(1.6 if float64 else 1.0) * _rc("lines.markersize"),
        lw=(1.8 if float64 else 1.0) * _rc("lines.linewidth"),
        alpha=0.75 if float64 else 1.0,
        zorder=2 if float64 else 3,  # float64 underneath, wider: a 15-digit curve on top leaves it visible
        label=backend,
    )


def _rc(name: str):
    """The current value of a matplotlib rc setting (inside :func:`style_context`: the style's)."""
    import matplotlib

    return matplotlib.rcParams[name]


def _decorate(ax, ymin: float, t_max: float, style: str) -> None:
    """Log axes, limits, the labelled failure threshold and the raised band."""
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_ylim(ymin, _TOP)
    lo = math.ceil(math.log10(ymin))
    step = 10 if style == "default" and lo >= -80 else 20
    ax.set_yticks([10.0**k for k in range(0, lo - 1, -step)][::-1])
    small = 6 if style == "paper" else 7.5
    ax.axhline(FAIL_ERROR, color="0.3", lw=0.8, ls=":", zorder=1)
    ax.text(
        0.02,
        FAIL_ERROR * 0.5,
        r"failure threshold $10^{-3}$",
        transform=ax.get_yaxis_transform(),
        fontsize=small,
        color="0.3",
        va="top",
    )
    ax.axhspan(_BAND, _TOP, color="0.9", zorder=0, lw=0)
    ax.text(
        0.02, 3e7, "raised / overflow", transform=ax.get_yaxis_transform(), fontsize=small, color="0.3", va="center"
    )
    ax.grid(True, which="major", lw=0.3, alpha=0.5)
    ax.tick_params(which="minor", left=False)  # the decades of 1e-75..1e4 are ticks enough


# ---------------------------------------------------------------------------------------------- cases
def _two_layer_random(ni, nh, no, lam, s, seed=6):
    rng = np.random.default_rng(seed)
    S = matrix_with_singular_values((no, ni), np.array(s), rng)
    for init_seed in range(20):  # the first init whose q+ is invertible in float64 (lambda ~ 0 needs the sign)
        W1, W2 = lambda_balanced_init(ni, nh, no, lam=lam, sigma=0.5, seed=init_seed)
        net = TwoLayerExact(W1, W2, S)
        if net.condition < 1e4:
            return net
    raise AssertionError("no well-conditioned init found")  # pragma: no cover - fixed seeds


def _two_layer_nearly_singular_b(lam=1e-4, tilt=1e-2, seed=7):
    """Reversal learning (Dominé et al. (2025), Sec. 6): trained to convergence on ``S``, then given ``-S``.

    There the singular values of ``B = q_+`` are exactly ``|lambda| / sqrt(2 mu_alpha)``, so a small lambda
    makes B nearly singular on purpose; a small rotation ``W1 <- W1 expm(tilt A)`` (A skew) keeps
    ``W1 W1^T`` (the balance) and breaks the task alignment.
    """
    rng = np.random.default_rng(seed)
    S = matrix_with_singular_values((3, 3), np.array([2.0, 1.0, 0.5]), rng)
    U, s, Vt = np.linalg.svd(S)
    s1, s2 = split_singular_values(s, lam)
    R = random_orthogonal(3, rng)
    A = rng.standard_normal((3, 3))
    W1 = R @ np.diag(s1) @ Vt @ expm(tilt * (A - A.T))
    W2 = U @ np.diag(s2) @ R.T
    return TwoLayerExact(W1, W2, -S)


# the hard cases: model name -> case name -> a ClosedForm object (built on first use)
_CASES = {
    "two_layer": {
        "3-3-3 lambda=2 (stated case)": lambda: _two_layer_random(3, 3, 3, 2.0, [2.0, 1.0, 0.5]),
        "lambda=1e-6": lambda: _two_layer_random(3, 3, 3, 1e-6, [2.0, 1.0, 0.5]),
        "lambda=-25": lambda: _two_layer_random(3, 3, 3, -25.0, [2.0, 1.0, 0.5]),
        "unequal 5-2-2": lambda: _two_layer_random(5, 2, 2, 0.5, [1.5, 0.7]),
        "unequal 2-2-5": lambda: _two_layer_random(2, 2, 5, -0.5, [1.5, 0.7]),
        "near-degenerate s": lambda: _two_layer_random(3, 3, 3, 0.3, [1.0 + 1e-9, 1.0, 0.4]),
        "nearly singular B (reversal, lambda=1e-4)": _two_layer_nearly_singular_b,
    },
    # AlignedMode(s0, s_target, lambda); one mode, so "unequal sizes" does not apply
    "aligned": {
        "lambda=0.5": lambda: AlignedMode(0.1, 2.0, 0.5),
        "lambda=1e-9": lambda: AlignedMode(0.01, 2.0, 1e-9),
        "lambda=-40": lambda: AlignedMode(0.3, 1.5, -40.0),
        "reversal s0<0": lambda: AlignedMode(-0.5, 1.0, 2.0),
        "nearly singular B (s0=-s~, lambda=1e-4)": lambda: AlignedMode(-1.0, 1.0, 1e-4),
        "near-degenerate s0~s~": lambda: AlignedMode(2.0 - 1e-12, 2.0, 0.5),
    },
    # MixedAlignedMode(s0, s_target, c)
    "mixed": {
        "c=0.5": lambda: MixedAlignedMode(0.3, 2.0, 0.5),
        "c=1e-8": lambda: MixedAlignedMode(0.1, 1.0, 1e-8),
        "c=1e3 (lazy)": lambda: MixedAlignedMode(0.1, 1.0, 1e3),
        "s0<0": lambda: MixedAlignedMode(-1.0, 2.0, 0.5),
        "near-degenerate s0~s*": lambda: MixedAlignedMode(2.0 - 1e-12, 2.0, 0.5),
    },
    # SingleNeuronExact(a0, w0, beta_star): every branch of delta, |delta| large, delta ~ 0, d = 6
    "single_neuron": {
        "delta<0": lambda: SingleNeuronExact(0.1, [1.0, 0.5], [1.0, -2.0]),
        "delta=0": lambda: SingleNeuronExact(0.3, [0.3, 0.0], [-1.0, 0.2]),
        "delta~1e-12": lambda: SingleNeuronExact(1.0, [0.6, 0.8 - 1e-12], [1.0, 0.5]),
        "delta>0": lambda: SingleNeuronExact(2.0, [0.1, 0.3], [1.0, 0.5]),
        "delta=+225 (lazy)": lambda: SingleNeuronExact(15.0, [0.1, 0.0], [1.0, 0.5]),
        "delta=-200 (rich)": lambda: SingleNeuronExact(0.1, [10.0, -10.0], [1.0, 0.5]),
        "tiny init": lambda: SingleNeuronExact(1e-4, [1e-4, 0.0], [1.0, 0.5]),
        "unequal d=6": lambda: SingleNeuronExact(0.5, [0.2, -0.1, 0.3, 0.0, 0.1, 0.2], [1.0, 0.5, -0.3, 2.0, 0.0, 0.7]),
    },
}
MODELS = tuple(_CASES)
#: Per model, the note of each row: what makes the case hard.
_NOTES = {
    "two_layer": lambda net: f"condition of B (q+) {net.condition:.3g}",
    "single_neuron": lambda sn: f"delta {sn.delta:.3g}",
}


def case_names(model: str) -> list[str]:
    """Names of the hard cases of ``model`` (the ``case`` option of :func:`stress`).

    >>> case_names("aligned")[:2]
    ['lambda=0.5', 'lambda=1e-9']
    """
    _check_model(model)
    return list(_CASES[model])


def hard_case(model: str, case: str):
    """The closed-form object that :func:`stress` evaluates for one hard case of ``model``.

    >>> hard_case("single_neuron", "delta=0").delta
    0.0
    """
    return _problem(model, case)


@functools.cache
def _problem(model: str, case: str):
    _check_model(model)
    if case not in _CASES[model]:
        raise InvalidParameterError(f"unknown {model} case {case!r}; choose one of {list(_CASES[model])}")
    return _CASES[model][case]()


def _check_model(model) -> None:
    if model not in MODELS:
        raise InvalidParameterError(f"model must be one of {MODELS}; got {model!r}")


# ---------------------------------------------------------------------------------------------- references
def _ball_parts(balls) -> tuple[list, list]:
    def exact(x):
        m, e = x.man_exp()
        return mpmath.mpf((int(m), int(e)))

    with mpmath.workdps(100):  # > the 230-bit reference midpoints: exact
        return [exact(b.mid()) for b in balls], [exact(b.rad()) for b in balls]


def _references(form, ts: list) -> list[tuple[list, list, str]]:
    """Per time: (midpoints, radii, kind) of the reference, as exact mpf (one Arb enclosure per time)."""
    out = {}
    late = [x for x in ts if form.certified_bits(x, REFERENCE_BITS) > ARB_MAX_BITS]
    if late:  # one confirmed call shares the t-independent precomputation over the late times
        for x, vals in zip(late, form.confirmed(late, REFERENCE_DPS)):
            out[x] = (vals, [mpmath.mpf(10) ** -(REFERENCE_DPS - 2)] * len(vals), f"mpmath{REFERENCE_DPS}")
    for x in ts:
        if x not in out:
            enc = form.certified([x], bits=REFERENCE_BITS)
            out[x] = (*_ball_parts(enc.balls.reshape(-1)), "arb")
    return [out[x] for x in ts]


def _error(form, vals, ref) -> float | None:
    """``(max |x - mid| + rad) / scale`` (exact in mpmath at 90 digits), or ``None`` if the backend failed."""
    if vals is None:
        return None
    mids, rads, _ = ref
    with mpmath.workdps(90):
        worst = max(abs(mpmath.mpf(v) - mid) + r for v, mid, r in zip(vals, mids, rads))
        return float(worst / form.error_scale(mids))


def _backend_values(form, backend: str, ts: list) -> list:
    """The values of ``backend`` at every time (``None`` where the form broke down)."""
    name, _, digits = backend.partition("@")
    evaluate = form.stable if name == "stable" else form.direct
    return evaluate(ts, int(digits) if digits else None)


def _grid(t_max: float, n: int) -> list[float]:
    return [0.0, *np.logspace(-1, math.log10(t_max), n).tolist()]


def stress(
    model: str | None = None,
    t_max: float = 1e6,
    n_times: int = 36,
    *,
    case: str | None = None,
    backend: str | None = None,
    times=None,
    max_times: int = 1000,
) -> StressReport:
    """Errors of every evaluation path of the exact solutions against certified references.

    Parameters
    ----------
    model : {"two_layer", "aligned", "mixed", "single_neuron"}, optional
        One exact solution (default: all).
    t_max : float
        Largest time of the log-spaced grid (``0`` and ``n_times`` points from 0.1 to ``t_max``).
    n_times : int
        Grid size.
    case : str, optional
        Only this hard case of ``model`` (one of :func:`case_names`; needs ``model``).
    backend : str, optional
        Only this backend: ``"direct"`` / ``"stable"`` (float64) or ``"direct@N"`` / ``"stable@N"``
        (mpmath at a fixed working precision of N digits, N in 15, 30, 60).
    times : float or 1-D array, optional
        These times (``>= 0``) instead of the log-spaced grid. One cell of the report is
        ``stress(model, case=case, backend=backend, times=[t]).rows[0].error[0]``.
    max_times : int, keyword-only
        Limit on the times of the grid (1000 by default; each time costs certified references),
        checked before any work; raise it for a finer grid.

    Returns
    -------
    StressReport
        One row per (model, case, backend) with the error at every time: a certified upper bound on the
        max-norm error relative to the solution's ``error_scale`` (two-layer: the largest entry of
        ``QQ^T``; single neuron: of ``beta`` and ``|beta_*|``; scalar forms: of ``s(t)``, ``|s0|`` and
        ``|s~|``), ``None`` where the path raised or returned a non-finite value.

    Examples
    --------
    >>> rep = stress("aligned", t_max=100.0, n_times=3)
    >>> all(r.max_error < 1e-10 for r in rep.rows if r.backend == "stable")
    True
    >>> cell = stress("aligned", case="lambda=0.5", backend="direct", times=[500.0])
    >>> cell.rows[0].error   # the 2x2 Fukumizu form overflows float64
    [None]
    """
    if model is not None:
        _check_model(model)
    if case is not None and model is None:
        raise InvalidParameterError("case needs a model: e.g. stress('aligned', case='lambda=0.5')")
    if backend is not None and backend not in BACKENDS:
        raise InvalidParameterError(f"backend must be one of {BACKENDS}; got {backend!r}")
    if times is None:
        t_max = positive(t_max, "t_max")
        if t_max <= 0.1:
            raise InvalidParameterError(f"t_max must be > 0.1 (the grid starts at 0.1); got {t_max!r}")
        n_times = positive_int(n_times, "n_times", minimum=2)
        check_work(n_times, positive_int(max_times, "max_times"), "times (n_times)", "max_times")
        ts = _grid(t_max, n_times)
    else:
        ts = as_time_grid(times, "times")[0].tolist()
        check_work(len(ts), positive_int(max_times, "max_times"), "times", "max_times")
        t_max = max(ts)
    t0 = time.perf_counter()
    rep = StressReport(float(t_max))
    for m in [model] if model else MODELS:
        for c in [case] if case is not None else _CASES[m]:
            form = _problem(m, c)
            refs = _references(form, ts)
            kinds = [r[2] for r in refs]
            note = _NOTES[m](form) if m in _NOTES else ""
            for b in [backend] if backend else BACKENDS:
                vals = _backend_values(form, b, ts)
                errs = [_error(form, v, ref) for v, ref in zip(vals, refs)]
                rep.rows.append(StressRow(m, c, b, list(ts), errs, kinds, note))
    rep.seconds = time.perf_counter() - t0
    return rep
