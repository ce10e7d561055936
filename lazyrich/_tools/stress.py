"""The stability report (``lazyrich stress``): error of every evaluation path vs a certified reference.

For each exact solution and a set of hard cases, on a log-spaced time grid up to ``t_max``, the
error (max-norm, relative to the largest entry of the exact value) of the paper's *direct* form
and of our *stable* form, each evaluated

* in float64 (backends ``direct`` and ``stable``), and
* in mpmath at a **fixed** working precision of N = 15, 30, 60 digits (``direct@N``, ``stable@N``:
  no guard digits, no automatic precision, no confirmation), so the table shows how the direct
  form's failure time moves with the digits while the stable form's error stays flat near
  ``10^-N``.

The guaranteed ``dps=N`` paths (working precision chosen and confirmed) are tested elsewhere; here
the point is what a fixed arithmetic does. The reference is an Arb enclosure
(:mod:`lazyrich._numerics.arb`; the error is then a certified upper bound ``|x - mid| + rad``). For
the two-layer net, whose basis-free certified form needs about ``4 mu t / ln 2`` bits, times beyond
:data:`ARB_MAX_BITS` use the confirmed mpmath stable form at 80 digits instead (``reference:
mpmath80`` in the rows).

Direct forms: two-layer, the Fukumizu form of digest §3.3 (float64: ``expm(F t)``, ``F^{-1}`` and a
solve; mpmath: the same form in the eigenbasis, as ``TwoLayerExact._mp_once(..., stable=False)``);
aligned, the 2x2 Fukumizu form (:func:`lazyrich._exact.aligned.aligned_direct`); mixed, the Riccati
``v_pm, K_0`` form (:func:`lazyrich._exact.mixed_aligned.mixed_direct`); single neuron, the ``A(t) = c_+ e^{lambda_+ t}
+ c_- e^{lambda_- t}`` form of digest §3.2 (:func:`direct_single_neuron_beta`). Each is one formula
over a scalar namespace (``numpy`` or :class:`~lazyrich._numerics.backend.MpmathScalar`).

One cell (model, case, backend, t) is :func:`stress_cell`; :func:`stress` runs the grid.
"""

from __future__ import annotations

import functools
import math
import time
from dataclasses import dataclass, field

import mpmath
import numpy as np
from scipy.linalg import expm

from .._base.errors import InvalidParameterError, LazyrichError, MissingDependencyError
from .._exact.aligned import _s_of_t, aligned_direct, aligned_singular_value
from .._exact.certified import (
    certified_aligned_singular_value,
    certified_mixed_aligned_singular_value,
    certified_qqt,
    certified_single_neuron,
)
from .._exact.lambda_balanced import lambda_balanced_init, split_singular_values
from .._exact.mixed_aligned import _solution_mp, mixed_aligned_singular_value, mixed_direct
from .._exact.single_neuron import SingleNeuronExact, _Mp, _ratios
from .._exact.two_layer import TwoLayerExact
from .._exact.two_layer_spectrum import fukumizu_qqt, stable_factors, stable_qqt, task_spectrum
from .._numerics.backend import Mpmath, MpmathScalar
from .._numerics.random_matrices import matrix_with_singular_values, random_orthogonal

__all__ = ["BACKENDS", "MODELS", "StressReport", "case_names", "direct_single_neuron_beta", "stress", "stress_cell"]

MODELS = ("two_layer", "aligned", "mixed", "single_neuron")
#: Fixed working precisions (decimal digits) of the mpmath rows.
DIGITS = (15, 30, 60)
BACKENDS = ("direct", "stable", *(f"{form}@{d}" for d in DIGITS for form in ("direct", "stable")))
#: Largest working precision of the two-layer Arb reference; later times use mpmath at 80 digits.
ARB_MAX_BITS = 6000
#: An error above this is a failure (the direct form's "failure time").
FAIL_ERROR = 1e-3
#: Bits of the Arb references (~69 digits: below every 60-digit error).
REFERENCE_BITS = 230


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

    def plot(self, path: str) -> None:
        """Error vs t per backend, one panel per case (PNG; needs matplotlib: ``pip install 'lazyrich[plot]'``).

        Colour: arithmetic (float64, 15, 30, 60 digits); dashed: the direct form, solid: the stable form.
        A time where a backend raised or overflowed is drawn at the top of the panel (error 1e3).
        """
        try:
            import matplotlib

            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
        except ImportError:
            raise MissingDependencyError("--plot needs matplotlib: pip install 'lazyrich[plot]'") from None
        cases = list(dict.fromkeys((r.model, r.case) for r in self.rows))
        ncol = 3
        nrow = math.ceil(len(cases) / ncol)
        fig, axes = plt.subplots(nrow, ncol, figsize=(5 * ncol, 3.4 * nrow), squeeze=False)
        for ax, (model, case) in zip(axes.flat, cases):
            for r in self.rows:
                if (r.model, r.case) != (model, case):
                    continue
                ts = [x for x in r.t if x > 0]
                es = [1e3 if e is None else min(max(e, 1e-75), 1e3) for x, e in zip(r.t, r.error) if x > 0]
                form, _, digits = r.backend.partition("@")
                color = f"C{(0, *DIGITS).index(int(digits or 0))}"
                ax.loglog(ts, es, ls="--" if form == "direct" else "-", marker=".", ms=3, label=r.backend, color=color)
            ax.axhline(FAIL_ERROR, color="grey", lw=0.5, ls=":")
            ax.set_ylim(1e-75, 1e4)
            ax.set_title(f"{model}: {case}", fontsize=9)
            ax.set_xlabel("t")
            ax.set_ylabel("error vs certified ref.")
        for ax in list(axes.flat)[len(cases) :]:
            ax.set_visible(False)
        axes.flat[0].legend(fontsize=6, ncol=2)
        fig.tight_layout()
        fig.savefig(path, dpi=100)
        plt.close(fig)


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
    """Reversal learning (digest §3.6): trained to convergence on ``S``, then given ``-S``.

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
    # (s0, s_target, lambda); one mode, so "unequal sizes" does not apply
    "aligned": {
        "lambda=0.5": lambda: (0.1, 2.0, 0.5),
        "lambda=1e-9": lambda: (0.01, 2.0, 1e-9),
        "lambda=-40": lambda: (0.3, 1.5, -40.0),
        "reversal s0<0": lambda: (-0.5, 1.0, 2.0),
        "nearly singular B (s0=-s~, lambda=1e-4)": lambda: (-1.0, 1.0, 1e-4),
        "near-degenerate s0~s~": lambda: (2.0 - 1e-12, 2.0, 0.5),
    },
    # (s0, s_target, c)
    "mixed": {
        "c=0.5": lambda: (0.3, 2.0, 0.5),
        "c=1e-8": lambda: (0.1, 1.0, 1e-8),
        "c=1e3 (lazy)": lambda: (0.1, 1.0, 1e3),
        "s0<0": lambda: (-1.0, 2.0, 0.5),
        "near-degenerate s0~s*": lambda: (2.0 - 1e-12, 2.0, 0.5),
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


def case_names(model: str) -> list[str]:
    """Names of the hard cases of ``model`` (the ``case`` argument of :func:`stress_cell`).

    >>> case_names("aligned")[:2]
    ['lambda=0.5', 'lambda=1e-9']
    """
    _check_model(model)
    return list(_CASES[model])


@functools.cache
def _problem(model: str, case: str):
    _check_model(model)
    if case not in _CASES[model]:
        raise InvalidParameterError(f"unknown {model} case {case!r}; choose one of {list(_CASES[model])}")
    return _CASES[model][case]()


def _check_model(model) -> None:
    if model not in MODELS:
        raise InvalidParameterError(f"model must be one of {MODELS}; got {model!r}")


def _note(model: str, problem) -> str:
    if model == "two_layer":
        return f"condition of B (q+) {problem.condition:.3g}"
    if model == "single_neuron":
        return f"delta {problem.delta:.3g}"
    return ""


# ---------------------------------------------------------------------------------------------- references
def _ball_parts(balls) -> tuple[list, list]:
    def exact(x):
        m, e = x.man_exp()
        return mpmath.mpf((int(m), int(e)))

    with mpmath.workdps(100):  # > the 230-bit reference midpoints: exact
        return [exact(b.mid()) for b in balls], [exact(b.rad()) for b in balls]


def _F(net) -> np.ndarray:
    n = net.n_in + net.n_out
    F = np.zeros((n, n))
    F[: net.n_in, : net.n_in] = -net.lam / 2 * np.eye(net.n_in)
    F[net.n_in :, net.n_in :] = net.lam / 2 * np.eye(net.n_out)
    F[net.n_in :, : net.n_in] = net.sigma_yx
    F[: net.n_in, net.n_in :] = net.sigma_yx.T
    return F


def _references(model: str, problem, ts: list) -> list[tuple[list, list, str]]:
    """Per time: (midpoints, radii, kind) of the certified reference, as exact mpf."""
    if model == "two_layer":
        mu = float(np.abs(np.linalg.eigvalsh(_F(problem))).max())
        out = {}
        late = [x for x in ts if 4 * mu * x / math.log(2) + 300 > ARB_MAX_BITS]
        if late:  # one confirmed 80-digit call shares the spectral precomputation over the late times
            with mpmath.workdps(80):
                for x, M in zip(late, problem.qqt(late, dps=80)):
                    vals = _mp_entries(M)
                    out[x] = (vals, [mpmath.mpf(10) ** -78] * len(vals), "mpmath80")
        for x in ts:
            if x not in out:
                enc = certified_qqt(problem, x, bits=REFERENCE_BITS)
                out[x] = (*_ball_parts(enc.balls.reshape(-1)), "arb")
        return [out[x] for x in ts]
    if model == "single_neuron":
        enc = certified_single_neuron(problem, ts, bits=REFERENCE_BITS)[2]
        return [(*_ball_parts(enc.balls[i]), "arb") for i in range(len(ts))]
    cert = certified_aligned_singular_value if model == "aligned" else certified_mixed_aligned_singular_value
    mids, rads = _ball_parts(cert(ts, *problem, bits=REFERENCE_BITS).balls)
    return [([m], [r], "arb") for m, r in zip(mids, rads)]


def _mp_entries(M) -> list:
    return [M[i, j] for i in range(M.rows) for j in range(M.cols)]


def _scale(model: str, problem, mids) -> mpmath.mpf:
    largest = max(abs(m) for m in mids)
    if model in ("aligned", "mixed"):
        return max(abs(mpmath.mpf(problem[0])), abs(mpmath.mpf(problem[1])), largest)
    if model == "single_neuron":  # beta(t) may start tiny: relative to the task's scale |beta_*| as well
        return max(mpmath.mpf(float(np.linalg.norm(problem.beta_star))), largest)
    return largest


# ---------------------------------------------------------------------------------------------- evaluation
def direct_single_neuron_beta(c, tau, lib) -> list:
    r"""``beta = a w`` from the closed form of digest §3.2 literally (growing exponentials; kept to show its failure).

    .. math::
        A = c_+e^{\lambda_+\tau} + c_-e^{\lambda_-\tau},\quad
        m = e^{-\delta\tau}\sqrt{1 + 2(c_+^2E_{\delta+D} + 2c_+c_-E_\delta + c_-^2E_{\delta-D})},\quad
        a = \frac Am,\quad w = \frac1m\Big[\frac{\dot A}{s}\hat\beta_* + e^{-\delta\tau}P_\perp w_0\Big],

    with ``E_k = (e^{k tau} - 1)/k`` and the unit-rate constants ``c`` of
    :func:`lazyrich._exact.single_neuron._unit_constants` (``tau = g t``); ``lib`` is ``numpy`` or
    :class:`~lazyrich._numerics.backend.MpmathScalar`. Overflows float64 once ``|delta| tau >~ 700``.
    """
    lp, lm = (c.D - c.delta) / 2, -(c.delta + c.D) / 2
    ep, en = lib.exp(lp * tau), lib.exp(lm * tau)
    A = c.cp * ep + c.cm * en
    A_dot = c.cp * lp * ep + c.cm * lm * en

    def E(k):
        return tau if k == 0 else lib.expm1(k * tau) / k

    integral = c.cp**2 * E(c.delta + c.D) + 2 * c.cp * c.cm * E(c.delta) + c.cm**2 * E(c.delta - c.D)
    decay = lib.exp(-c.delta * tau)
    m = decay * lib.sqrt(1 + 2 * integral)
    a = A / m
    return [a * (A_dot / c.s * b + decay * p) / m for b, p in zip(c.bhat, c.wperp)]


def _evaluate(model: str, problem, backend: str, t: float) -> list:
    """The values of ``backend`` at one time (floats or mpf); may raise or return non-finite floats."""
    form, _, digits = backend.partition("@")
    if not digits:  # float64
        if model == "two_layer":
            return list(problem.qqt(t, method="direct" if form == "direct" else "stable").reshape(-1))
        if model == "single_neuron":
            if form == "stable":
                return list(problem.beta(t))
            c = problem._c64
            return [float(v) for v in direct_single_neuron_beta(c, c.g * np.float64(t), np)]
        s0, st, p = problem
        if model == "aligned":
            if form == "stable":
                return [aligned_singular_value(t, s0, st, p)]
            return [aligned_direct(np.float64(t), st, s0, p, 1.0, np)]
        if form == "stable":
            return [mixed_aligned_singular_value(t, s0, st, p)]
        return [mixed_direct(np.float64(t), s0, st, p, np)]
    n = int(digits)
    if model == "two_layer":  # the stable form or the Fukumizu (direct) form at exactly n working digits
        (vals,) = _two_layer_mp_rows(problem, [t], n, form == "stable")
        if vals is None:
            raise ArithmeticError(f"the {form} form broke down at {n} digits")
        return vals
    with mpmath.workdps(n):
        m = MpmathScalar.mpf
        if model == "single_neuron":
            c = problem._constants(n)
            tau = c.g * m(t)
            if form == "stable":
                ra, rb, rp = _ratios(c, tau, _Mp)
                return [ra * (rb * b + rp * p) for b, p in zip(c.bhat, c.wperp)]
            return direct_single_neuron_beta(c, tau, MpmathScalar)
        s0, st, p = (m(v) for v in problem)
        if model == "aligned":
            if form == "stable":
                return [_s_of_t(m(t), st, s0, p, m(1), MpmathScalar)]
            return [aligned_direct(m(t), st, s0, p, m(1), MpmathScalar)]
        if form == "stable":
            return [_solution_mp(m(t), s0, st, p)]
        return [mixed_direct(m(t), s0, st, p, MpmathScalar)]


_FAILURES = (LazyrichError, ArithmeticError, np.linalg.LinAlgError, ValueError)


def _values(model: str, problem, backend: str, t: float) -> list | None:
    try:
        with np.errstate(all="ignore"):
            return _evaluate(model, problem, backend, t)
    except _FAILURES:
        return None


def _values_over(model: str, problem, backend: str, ts: list) -> list:
    """:func:`_values` at every time; the two-layer mpmath rows share one spectral precomputation when they can."""
    form, _, digits = backend.partition("@")
    if model == "two_layer" and digits:
        return _two_layer_mp_rows(problem, ts, int(digits), form == "stable")
    return [_values(model, problem, backend, x) for x in ts]


def _two_layer_mp_rows(net, ts: list, digits: int, stable: bool) -> list:
    """What ``net._mp_once(t, digits, stable)`` computes, per time, with the spectrum computed once.

    Same calls as :meth:`TwoLayerExact._mp_once` (the stable form of §3.5(b) or the Fukumizu form of
    §3.3 at exactly ``digits`` working digits); a time where the form breaks down gives ``None``.
    """
    with mpmath.workdps(digits):
        try:
            spec = task_spectrum(Mpmath, net.sigma_yx, mpmath.mpf(net.lam))
            Q0 = Mpmath.asarray(net.Q0)
            fac = stable_factors(Mpmath, spec, Q0) if stable else None
        except _FAILURES:
            return [None] * len(ts)
        out = []
        for x in ts:
            t = Mpmath.asarray(np.array([x])) / mpmath.mpf(net.tau)
            try:
                X = stable_qqt(Mpmath, spec, fac, t) if stable else fukumizu_qqt(Mpmath, spec, Q0, t)
                out.append(list(X.reshape(-1)))
            except _FAILURES:
                out.append(None)
        return out


_NOT_YET = object()


def _error(model: str, problem, backend: str, t: float, ref, vals=_NOT_YET) -> float | None:
    """``(max |x - mid| + rad) / scale`` (exact in mpmath at 90 digits), or ``None`` if the backend failed.

    ``vals``: the backend's values at ``t`` if already computed (``None``: it failed).
    """
    if vals is _NOT_YET:
        vals = _values(model, problem, backend, t)
    if vals is None:
        return None
    if any(isinstance(v, float) and not math.isfinite(v) for v in vals):
        return None
    mids, rads, _ = ref
    with mpmath.workdps(90):
        if any(not mpmath.isfinite(mpmath.mpf(v)) for v in vals):
            return None
        worst = max(abs(mpmath.mpf(v) - mid) + r for v, mid, r in zip(vals, mids, rads))
        return float(worst / _scale(model, problem, mids))


def stress_cell(model: str, case: str, backend: str, t: float) -> float | None:
    """Error of one evaluation path on one hard case at one time: one cell of :func:`stress`.

    Parameters
    ----------
    model : {"two_layer", "aligned", "mixed", "single_neuron"}
    case : str
        One of :func:`case_names` ``(model)``.
    backend : str
        One of :data:`BACKENDS`: ``"direct"`` / ``"stable"`` (float64) or ``"direct@N"`` /
        ``"stable@N"`` (mpmath at a fixed working precision of N digits, N in 15, 30, 60).
    t : float
        Time (``>= 0``).

    Returns
    -------
    float or None
        Certified upper bound on the max-norm error relative to the largest entry of the exact value
        (two-layer: of ``QQ^T``; single neuron: of ``beta`` and ``|beta_*|``; scalar forms: of
        ``s(t)``, ``|s0|`` and ``|s~|``); ``None`` if the path raised or returned a non-finite value.

    Examples
    --------
    >>> stress_cell("aligned", "lambda=0.5", "direct", 500.0) is None   # the 2x2 Fukumizu form overflows
    True
    >>> bool(stress_cell("aligned", "lambda=0.5", "stable", 500.0) < 1e-15)
    True
    """
    _check_model(model)
    if backend not in BACKENDS:
        raise InvalidParameterError(f"backend must be one of {BACKENDS}; got {backend!r}")
    if not (isinstance(t, (int, float)) and math.isfinite(t) and t >= 0):
        raise InvalidParameterError(f"t must be a finite number >= 0; got {t!r}")
    problem = _problem(model, case)
    (ref,) = _references(model, problem, [float(t)])
    return _error(model, problem, backend, float(t), ref)


def _grid(t_max: float, n: int) -> list[float]:
    return [0.0, *np.logspace(-1, math.log10(t_max), n).tolist()]


def stress(model: str | None = None, t_max: float = 1e6, n_times: int = 36) -> StressReport:
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
        One row per (model, case, backend) with the error at every time (see :func:`stress_cell`).

    Examples
    --------
    >>> rep = stress("aligned", t_max=100.0, n_times=3)
    >>> all(r.max_error < 1e-10 for r in rep.rows if r.backend == "stable")
    True
    """
    if model is not None:
        _check_model(model)
    if not (isinstance(t_max, (int, float)) and math.isfinite(t_max) and t_max > 0.1):
        raise InvalidParameterError(f"t_max must be a finite number > 0.1; got {t_max!r}")
    if isinstance(n_times, bool) or not isinstance(n_times, (int, np.integer)) or n_times < 2:
        raise InvalidParameterError(f"n_times must be an integer >= 2; got {n_times!r}")
    t0 = time.perf_counter()
    ts = _grid(float(t_max), int(n_times))
    rep = StressReport(float(t_max))
    for m in [model] if model else MODELS:
        for case in _CASES[m]:
            problem = _problem(m, case)
            refs = _references(m, problem, ts)
            kinds = [r[2] for r in refs]
            for backend in BACKENDS:
                vals = _values_over(m, problem, backend, ts)
                errs = [_error(m, problem, backend, x, ref, v) for x, ref, v in zip(ts, refs, vals)]
                rep.rows.append(StressRow(m, case, backend, list(ts), errs, kinds, _note(m, problem)))
    rep.seconds = time.perf_counter() - t0
    return rep
