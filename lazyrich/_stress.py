"""The stability report (``lazyrich stress``): error of every evaluation path vs a certified reference.

For each exact solution and a set of hard cases, on a log-spaced time grid up to ``t_max``,
the error (max-norm, relative to the largest entry of the exact value) of: the paper's direct
float64 form (two-layer: ``qqt(method="direct")``), our stable float64 form, and mpmath at 15,
30 and 60 digits. The reference is an Arb enclosure (:mod:`lazyrich._arb_backend`; the error is
then a certified upper bound ``|x - mid| + rad``). For the two-layer net, whose basis-free
certified form needs about ``4 mu t / ln 2`` bits, times beyond :data:`ARB_MAX_BITS` use the
mpmath stable form at 80 digits instead (marked ``reference: mpmath80`` in the rows).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import mpmath
import numpy as np

from ._aligned import aligned_singular_value
from ._arb_backend import (
    certified_aligned_singular_value,
    certified_mixed_aligned_singular_value,
    certified_qqt,
    certified_single_neuron,
)
from ._errors import InvalidParameterError, LazyrichError, MissingDependencyError
from ._lambda_balanced import lambda_balanced_init
from ._mixed import mixed_aligned_singular_value
from ._random_matrices import matrix_with_singular_values
from ._single_neuron import SingleNeuronExact
from ._two_layer import TwoLayerExact

__all__ = ["MODELS", "StressReport", "stress"]

MODELS = ("two_layer", "aligned", "mixed", "single_neuron")
BACKENDS = ("direct", "stable", "mpmath15", "mpmath30", "mpmath60")
#: Largest working precision of the two-layer Arb reference; later times use mpmath at 80 digits.
ARB_MAX_BITS = 6000
#: An error above this is a failure (the direct form's "failure time").
FAIL_ERROR = 1e-3


@dataclass
class StressRow:
    """Errors of one backend on one case over the time grid (``None`` where it raised)."""

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
            "seconds": round(self.seconds, 2),
            "rows": [r.as_dict() for r in self.rows],
        }

    def table(self) -> str:
        w = max(len(f"{r.model}/{r.case}") for r in self.rows)
        head = f"{'model/case':<{w}}  {'backend':<9}  {'max error':>9}  {'fails at t':>10}"
        lines = [head, "-" * len(head)]
        for r in self.rows:
            me = r.max_error
            mes = "-" if me is None else ("raised" if me == math.inf else f"{me:.2e}")
            ft = r.failure_time
            lines.append(
                f"{r.model + '/' + r.case:<{w}}  {r.backend:<9}  {mes:>9}  {('never' if ft is None else f'{ft:.3g}'):>10}"
            )
        return "\n".join(lines)

    def plot(self, path: str) -> None:
        """Error vs t per backend, one panel per case (PNG; needs matplotlib: ``pip install 'lazyrich[plot]'``)."""
        try:
            import matplotlib

            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
        except ImportError:
            raise MissingDependencyError("--plot needs matplotlib: pip install 'lazyrich[plot]'") from None
        cases = list(dict.fromkeys((r.model, r.case) for r in self.rows))
        ncol = 3
        nrow = math.ceil(len(cases) / ncol)
        fig, axes = plt.subplots(nrow, ncol, figsize=(5 * ncol, 3.6 * nrow), squeeze=False)
        for ax, (model, case) in zip(axes.flat, cases):
            for r in self.rows:
                if (r.model, r.case) != (model, case):
                    continue
                ts = [x for x, e in zip(r.t, r.error) if e is not None and x > 0]
                es = [max(e, 1e-300) for x, e in zip(r.t, r.error) if e is not None and x > 0]
                color = f"C{BACKENDS.index(r.backend)}"
                ax.loglog(ts, np.clip(es, 1e-70, 1e3), marker=".", label=r.backend, color=color)
            ax.axhline(FAIL_ERROR, color="grey", lw=0.5, ls="--")
            ax.set_title(f"{model}: {case}", fontsize=9)
            ax.set_xlabel("t")
            ax.set_ylabel("error vs Arb enclosure")
        for ax in list(axes.flat)[len(cases) :]:
            ax.set_visible(False)
        axes.flat[0].legend(fontsize=7)
        fig.tight_layout()
        fig.savefig(path, dpi=110)
        plt.close(fig)


def _grid(t_max: float, n: int) -> list[float]:
    return [0.0, *np.logspace(-1, math.log10(t_max), n).tolist()]


def _rel_error(x, mid, rad, scale) -> float:
    """``(max |x - mid| + rad) / scale`` in mpmath at 90 digits (exact for float and mpf inputs)."""
    with mpmath.workdps(90):
        worst = max(abs(mpmath.mpf(a) - m) + r for a, m, r in zip(x, mid, rad))
        return float(worst / scale)


def _ball_parts(balls) -> tuple[list, list]:
    def exact(x):
        m, e = x.man_exp()
        return mpmath.mpf((int(m), int(e)))

    with mpmath.workdps(100):  # > the 230-bit reference midpoints: exact
        return [exact(b.mid()) for b in balls], [exact(b.rad()) for b in balls]


def _safe(fn):
    try:
        with np.errstate(all="ignore"):
            out = fn()
    except (LazyrichError, ArithmeticError, np.linalg.LinAlgError):
        return None
    arr = np.asarray(out, dtype=object).reshape(-1)
    if any(isinstance(v, float) and not math.isfinite(v) for v in arr):
        return None
    return list(arr)


def _two_layer_cases():
    rng = np.random.default_rng(6)

    def task(ni, no, s):
        return matrix_with_singular_values((no, ni), s, rng)

    out = []
    for name, (ni, nh, no), lam, s in [
        ("3-3-3 lambda=2 (stated case)", (3, 3, 3), 2.0, [2.0, 1.0, 0.5]),
        ("lambda=1e-6", (3, 3, 3), 1e-6, [2.0, 1.0, 0.5]),
        ("lambda=-25", (3, 3, 3), -25.0, [2.0, 1.0, 0.5]),
        ("unequal 5-2-2", (5, 2, 2), 0.5, [1.5, 0.7]),
        ("unequal 2-2-5", (2, 2, 5), -0.5, [1.5, 0.7]),
        ("near-degenerate s", (3, 3, 3), 0.3, [1.0 + 1e-9, 1.0, 0.4]),
    ]:
        for seed in range(20):  # the first init whose q+ is invertible in float64 (lambda ~ 0 needs the sign)
            W1, W2 = lambda_balanced_init(ni, nh, no, lam=lam, sigma=0.5, seed=seed)
            net = TwoLayerExact(W1, W2, task(ni, no, np.array(s)))
            if net.condition < 1e4:
                break
        out.append((name, net))
    return out


def _stress_two_layer(ts, rows):
    for case, net in _two_layer_cases():
        mu = float(np.abs(np.linalg.eigvalsh(_F(net))).max())
        refs, kinds = [], []
        for x in ts:
            if 4 * mu * x / math.log(2) + 300 <= ARB_MAX_BITS:
                enc = certified_qqt(net, x, bits=230)
                refs.append(_ball_parts(enc.balls.reshape(-1)))
                kinds.append("arb")
            else:
                with mpmath.workdps(80):
                    M = net.qqt(x, dps=80)
                    vals = [M[i, j] for i in range(M.rows) for j in range(M.cols)]
                refs.append((vals, [mpmath.mpf(10) ** -78] * len(vals)))
                kinds.append("mpmath80")
        paths = {
            "direct": lambda x, net=net: net.qqt(x, method="direct"),
            "stable": lambda x, net=net: net.qqt(x),
        }
        for d in (15, 30, 60):
            paths[f"mpmath{d}"] = lambda x, d=d, net=net: _mp_entries(net.qqt(x, dps=d))
        for backend, fn in paths.items():
            errs = []
            for x, (mid, rad) in zip(ts, refs):
                vals = _safe(lambda fn=fn, x=x: fn(x))
                scale = max(abs(m) for m in mid)
                errs.append(None if vals is None else _rel_error(vals, mid, rad, scale))
            rows.append(StressRow("two_layer", case, backend, list(ts), errs, kinds, f"condition {net.condition:.3g}"))


def _F(net) -> np.ndarray:
    n = net.n_in + net.n_out
    F = np.zeros((n, n))
    F[: net.n_in, : net.n_in] = -net.lam / 2 * np.eye(net.n_in)
    F[net.n_in :, net.n_in :] = net.lam / 2 * np.eye(net.n_out)
    F[net.n_in :, : net.n_in] = net.sigma_yx
    F[: net.n_in, net.n_in :] = net.sigma_yx.T
    return F


def _mp_entries(M) -> list:
    return [M[i, j] for i in range(M.rows) for j in range(M.cols)]


def _stress_scalar(model, ts, rows):
    if model == "aligned":
        cases = [
            ("lambda=0.5", (0.1, 2.0, 0.5)),
            ("lambda=1e-9", (0.01, 2.0, 1e-9)),
            ("lambda=-40", (0.3, 1.5, -40.0)),
            ("reversal s0<0", (-0.5, 1.0, 2.0)),
        ]
        fn, cert = aligned_singular_value, certified_aligned_singular_value
    else:
        cases = [("c=0.5", (0.3, 2.0, 0.5)), ("c=1e-8", (0.1, 1.0, 1e-8)), ("s0<0", (-1.0, 2.0, 0.5))]
        fn, cert = mixed_aligned_singular_value, certified_mixed_aligned_singular_value
    for case, args in cases:
        enc = cert(ts, *args, bits=230)
        mids, rads = _ball_parts(enc.balls)
        scale = max(abs(v) for v in args[:2])
        paths = {"stable": lambda x, args=args: fn(x, *args)}
        for d in (15, 30, 60):
            paths[f"mpmath{d}"] = lambda x, d=d, args=args: [fn(x, *args, dps=d)]
        for backend, f in paths.items():
            errs = []
            for x, m, r in zip(ts, mids, rads):
                vals = _safe(lambda f=f, x=x: f(x))
                errs.append(None if vals is None else _rel_error(vals, [m], [r], scale))
            rows.append(StressRow(model, case, backend, list(ts), errs, ["arb"] * len(ts)))


def _stress_single_neuron(ts, rows):
    """``beta(t)`` (the network function) of the single neuron, every branch of delta."""
    for case, args in [
        ("delta<0", (0.1, [1.0, 0.5], [1.0, -2.0])),
        ("delta=0", (0.3, [0.3, 0.0], [-1.0, 0.2])),
        ("delta>0", (2.0, [0.1, 0.3], [1.0, 0.5])),
        ("tiny init", (1e-4, [1e-4, 0.0], [1.0, 0.5])),
    ]:
        sn = SingleNeuronExact(*args)
        enc = certified_single_neuron(sn, ts, bits=230)[2]
        refs = [_ball_parts(enc.balls[i]) for i in range(len(ts))]
        paths = {"stable": lambda x, sn=sn: sn.beta(x)}
        for d in (15, 30, 60):
            paths[f"mpmath{d}"] = lambda x, d=d, sn=sn: list(sn.beta(x, dps=d))
        scale = max(1.0, float(np.abs(enc.mid).max()))
        for backend, f in paths.items():
            errs = []
            for x, (mid, rad) in zip(ts, refs):
                vals = _safe(lambda f=f, x=x: f(x))
                errs.append(None if vals is None else _rel_error(vals, mid, rad, scale))
            rows.append(StressRow("single_neuron", case, backend, list(ts), errs, ["arb"] * len(ts)))


def stress(model: str | None = None, t_max: float = 1e6, n_times: int = 16) -> StressReport:
    """Errors of every evaluation path of the exact solutions against certified references.

    Parameters
    ----------
    model : {"two_layer", "aligned", "mixed", "single_neuron"}, optional
        One exact solution (default: all).
    t_max : float
        Largest time of the log-spaced grid (``0`` and ``n_times`` points from 0.1 to ``t_max``).
    n_times : int
        Grid size.

    Returns
    -------
    StressReport

    Examples
    --------
    >>> rep = stress("aligned", t_max=100.0, n_times=3)
    >>> all(r.max_error < 1e-10 for r in rep.rows if r.backend == "stable")
    True
    """
    if model is not None and model not in MODELS:
        raise InvalidParameterError(f"model must be one of {MODELS}; got {model!r}")
    if not (isinstance(t_max, (int, float)) and math.isfinite(t_max) and t_max > 0.1):
        raise InvalidParameterError(f"t_max must be a finite number > 0.1; got {t_max!r}")
    t0 = time.perf_counter()
    ts = _grid(float(t_max), int(n_times))
    rep = StressReport(float(t_max))
    for m in [model] if model else MODELS:
        if m == "two_layer":
            _stress_two_layer(ts, rep.rows)
        elif m == "single_neuron":
            _stress_single_neuron(ts, rep.rows)
        else:
            _stress_scalar(m, ts, rep.rows)
    rep.seconds = time.perf_counter() - t0
    return rep
