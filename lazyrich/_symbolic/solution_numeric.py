"""The numeric half of :func:`lazyrich.check_solution`: sampled instances, the integrated ODE, float64 stability.

* :func:`numeric_check`: on sampled instances, the candidate (mpmath at ``dps`` digits) against
  mpmath's Taylor-series integration of the ODE (``mpmath.odefun``), to ``eps^0.8`` at ``dps`` digits;
* :func:`stability_check`: the candidate in float64 against its own value at a confirmed high
  precision on a log grid of times, reporting where float64 breaks (relative error above ``1e-3``,
  the criterion of ``lazyrich stress``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import mpmath
import numpy as np
import sympy as sp
from sympy.matrices.expressions import MatrixSymbol

from .._base.errors import InvalidParameterError, LazyrichError
from .._base.tolerance import mp_tolerance
from .numeric import evaluate, to_float_array

__all__ = ["BREAK_ERROR", "SolutionCheck", "SolutionProblem", "SolutionSample", "numeric_check", "stability_check"]

PASS, FAIL, NA = "pass", "fail", "n/a"

#: Relative error above which float64 is said to break (the criterion of ``lazyrich stress``).
BREAK_ERROR = 1e-3


@dataclass(frozen=True)
class SolutionSample:
    """How :func:`check_solution` draws concrete instances.

    Parameters
    ----------
    dims : mapping
        Values of symbolic dimensions (``{n: 3}``); each one not given is 3.
    values : mapping
        Fixed values, or callables ``rng -> value``, for parameters and constant matrices. Others are
        drawn: a scalar uniformly in ``[0.5, 1.5]`` (``[-1.5, -0.5]`` if declared negative), a matrix
        with standard normal entries divided by ``sqrt(columns)`` (symmetrised when declared symmetric).
    instances : int
        Number of instances.
    seed : int
    t_max : float
        The numeric check compares at ``t_max/4, t_max/2, t_max``.
    stability_t_max : float
        Largest time of the stability grid (log-spaced from ``1e-2``).
    stability_times : int
        Points of the stability grid.
    """

    dims: Mapping = field(default_factory=dict)
    values: Mapping = field(default_factory=dict)
    instances: int = 2
    seed: int = 0
    t_max: float = 1.0
    stability_t_max: float = 1e3
    stability_times: int = 11

    def __post_init__(self) -> None:
        if int(self.instances) < 1 or int(self.stability_times) < 1:
            raise InvalidParameterError("sample: instances and stability_times must be >= 1")
        if not (self.t_max > 0 and self.stability_t_max > 1e-2):
            raise InvalidParameterError(f"sample: t_max must be > 0 and stability_t_max > 0.01, got {self}")


@dataclass
class SolutionCheck:
    """One check of :func:`check_solution`: ``status`` is ``pass``, ``fail`` or ``n/a``.

    ``residuals`` are the expressions that did not reduce to zero (symbolic, initial); ``max_error``
    and ``tolerance`` the numeric comparison, ``where`` the instance and time of the largest error
    (for ``stability``: of the first break), ``rows`` the stability grid as
    ``{"instance", "t", "error"}`` dicts (the table ``lazyrich stress`` prints for the built-in forms).
    """

    name: str
    status: str = NA
    detail: str = ""
    residuals: list = field(default_factory=list)
    #: residuals that reduce to zero on explicit shapes only (the symbolic check's evidence there)
    explicit: list = field(default_factory=list)
    max_error: float | None = None
    tolerance: float | None = None
    where: dict = field(default_factory=dict)
    seconds: float = 0.0
    rows: list = field(default_factory=list)

    def as_dict(self) -> dict:
        out = {k: getattr(self, k) for k in ("status", "detail", "max_error", "tolerance", "where", "rows")}
        out["residuals"] = [sp.sstr(r) for r in self.residuals]
        out["seconds"] = round(self.seconds, 4)
        return out


# ---------------------------------------------------------------- the problem
@dataclass
class SolutionProblem:
    """A checked ODE problem: states, their rates, the candidate, the initial values, facts, sampling."""

    states: list
    ode: dict
    solution: dict
    initial: dict
    time: sp.Symbol
    declared: list
    kw: dict  # symmetric / commuting / rules for canonicalize
    sample: SolutionSample
    dps: int


# ---------------------------------------------------------------- numeric
def _draw(p: SolutionProblem, rng: np.random.Generator) -> tuple[dict, dict]:
    """One instance: ``(dims, values)`` for every constant of the problem."""
    exprs = [*p.ode.values(), *p.solution.values(), *p.initial.values()]
    for d in p.declared:
        exprs.append(d.definition)
    dims_syms = set()
    mats, scalars = set(), set()
    for e in exprs:
        for m in e.atoms(MatrixSymbol):
            mats.add(m)
            dims_syms |= {s for s in m.shape if isinstance(s, sp.Basic) and s.free_symbols}
    mats |= {X for X in p.states if isinstance(X, MatrixSymbol)}
    for m in list(mats):
        dims_syms |= set().union(*[sp.sympify(s).free_symbols for s in m.shape])
    dims = {s: 3 for s in dims_syms}
    dims.update({sp.sympify(k): int(v) for k, v in p.sample.dims.items()})
    for e in exprs:
        scalars |= {s for s in e.free_symbols if not isinstance(s, MatrixSymbol)}
    scalars -= dims_syms | {p.time} | set(p.states)
    skip = set(p.states) | {d.symbol for d in p.declared}
    symmetric = set(p.kw["symmetric"])
    values: dict = {}
    for s in sorted(scalars, key=str):
        values[s] = -rng.uniform(0.5, 1.5) if s.is_negative else rng.uniform(0.5, 1.5)
    for m in sorted(mats - skip, key=str):
        r, c = (int(sp.sympify(x).xreplace(dims)) for x in m.shape)
        g = rng.standard_normal((r, c)) / math.sqrt(c)
        values[m] = (g + g.T) / 2 if m in symmetric and r == c else g
    for k, v in p.sample.values.items():
        values[k] = v(rng) if callable(v) else v
    return dims, values


def _flat(v) -> list:
    if isinstance(v, mpmath.matrix):
        return [v[i, j] for i in range(v.rows) for j in range(v.cols)]
    return [v]


def _unflat(X, ys, dims):
    if isinstance(X, MatrixSymbol):
        r, c = (int(sp.sympify(x).xreplace(dims)) for x in X.shape)
        return mpmath.matrix([[ys[i * c + j] for j in range(c)] for i in range(r)])
    return ys[0]


def _rel_err(a: list, b: list, floor: float = 1.0) -> float:
    """Max-norm of ``a - b`` relative to the largest entry of ``b`` (at least ``floor``)."""
    scale = max([floor, *(abs(float(x)) for x in b)]) or 1.0
    return max(abs(float(x - y)) for x, y in zip(a, b)) / scale


def numeric_check(p: SolutionProblem) -> SolutionCheck:
    t0 = time.perf_counter()
    chk = SolutionCheck("numeric")
    rng = np.random.default_rng(p.sample.seed)
    tol = mp_tolerance(p.dps)
    times = [p.sample.t_max / 4, p.sample.t_max / 2, p.sample.t_max]
    worst = (-1.0, None, None)
    try:
        with mpmath.workdps(p.dps):
            for inst in range(p.sample.instances):
                dims, values = _draw(p, rng)
                y0 = []
                sizes = []
                for X in p.states:
                    v = _flat(evaluate(p.initial[X], {**values, p.time: 0}, p.declared, dims))
                    sizes.append(len(v))
                    y0 += v

                def split(ys, sizes=sizes, dims=dims):
                    out, k = {}, 0
                    for X, n in zip(p.states, sizes):
                        out[X] = _unflat(X, ys[k : k + n], dims)
                        k += n
                    return out

                def rhs(tv, ys, values=values, dims=dims, split=split):
                    env = {**values, **split(ys), p.time: tv}
                    out = []
                    for X in p.states:
                        out += _flat(evaluate(p.ode[X], env, p.declared, dims))
                    return out

                sol = mpmath.odefun(rhs, 0, y0)
                for tv in times:
                    ref = sol(mpmath.mpf(tv))
                    cand = []
                    for X in p.states:
                        cand += _flat(evaluate(p.solution[X], {**values, p.time: mpmath.mpf(tv)}, p.declared, dims))
                    err = _rel_err(cand, list(ref))
                    if not err <= worst[0]:
                        worst = (err, inst, tv)
        chk.max_error, chk.tolerance = worst[0], tol
        chk.where = {"instance": worst[1], "t": worst[2]}
        ok = math.isfinite(worst[0]) and worst[0] <= tol
        chk.status = PASS if ok else FAIL
        chk.detail = (
            f"candidate vs mpmath.odefun at {p.dps} digits on {p.sample.instances} instance(s), t in {times}: "
            f"largest relative error {worst[0]:.3g} (instance {worst[1]}, t = {worst[2]}) "
            f"{'<=' if ok else '>'} eps^0.8 = {tol:.3g}"
        )
    except (LazyrichError, ArithmeticError, ValueError, ZeroDivisionError) as exc:
        chk.status, chk.detail = FAIL, f"{type(exc).__name__}: {exc}"
    chk.seconds = time.perf_counter() - t0
    return chk


def _confirmed(expr, env, p: SolutionProblem, dims, max_dps: int = 1200) -> list | None:
    """The value of ``expr`` at a precision confirmed by a second evaluation with 20 more digits."""
    dps = p.dps
    while dps <= max_dps:
        with mpmath.workdps(dps):
            a = _flat(evaluate(expr, env, p.declared, dims))
        with mpmath.workdps(dps + 20):
            b = _flat(evaluate(expr, env, p.declared, dims))
            if _rel_err(a, b) <= 10.0 ** (-p.dps // 2):
                return b
        dps *= 2
    return None


def stability_check(p: SolutionProblem) -> SolutionCheck:
    t0 = time.perf_counter()
    chk = SolutionCheck("stability")
    rng = np.random.default_rng(p.sample.seed)
    grid = np.geomspace(1e-2, p.sample.stability_t_max, p.sample.stability_times)
    breaks, worst, unconfirmed = None, (-1.0, None, None), 0
    try:
        for inst in range(p.sample.instances):
            dims, values = _draw(p, rng)
            for tv in grid:
                env = {**values, p.time: float(tv)}
                try:  # a float64 failure (overflow, a singular solve) is a break, not an error of the check
                    with np.errstate(all="ignore"):
                        f64 = np.concatenate(
                            [
                                to_float_array(evaluate(p.solution[X], env, p.declared, dims, "float64")).ravel()
                                for X in p.states
                            ]
                        )
                except (ArithmeticError, ValueError, np.linalg.LinAlgError):
                    f64 = np.array([math.nan])
                ref = []
                for X in p.states:
                    r = _confirmed(p.solution[X], env, p, dims)
                    if r is None:
                        break
                    ref += r
                else:
                    err = (
                        _rel_err(list(f64), ref, floor=0.0)
                        if np.all(np.isfinite(f64)) and len(f64) == len(ref)
                        else math.inf
                    )
                    chk.rows.append({"instance": inst, "t": float(tv), "error": err})
                    if not err <= worst[0]:
                        worst = (err, inst, float(tv))
                    if not err <= BREAK_ERROR and (breaks is None or tv < breaks[1]):
                        breaks = (inst, float(tv), err)
                    continue
                unconfirmed += 1
        chk.max_error, chk.tolerance = worst[0], BREAK_ERROR
        chk.where = {"instance": worst[1], "t": worst[2]}
        grid_txt = f"log grid of {len(grid)} times in [0.01, {p.sample.stability_t_max:g}]"
        if breaks is None:
            chk.status = PASS
            chk.detail = f"float64 within {worst[0]:.3g} of the confirmed high-precision value on a {grid_txt}"
        else:
            chk.status = FAIL
            chk.where = {"instance": breaks[0], "t": breaks[1]}
            chk.detail = (
                f"float64 breaks at t = {breaks[1]:.3g} (instance {breaks[0]}: relative error {breaks[2]:.3g} > "
                f"{BREAK_ERROR:g}) on a {grid_txt}"
            )
        if unconfirmed:
            chk.detail += f"; {unconfirmed} point(s) skipped: no confirmed reference up to 1200 digits"
    except (LazyrichError, ArithmeticError, ValueError, ZeroDivisionError) as exc:
        chk.status, chk.detail = FAIL, f"{type(exc).__name__}: {exc}"
    chk.seconds = time.perf_counter() - t0
    return chk
