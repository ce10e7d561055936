"""Sweep SPECs: the TOML description of a parameter sweep, parsed, validated and expanded to grid points.

A SPEC names a sweep function, constants passed to every point (``[fixed]``), the grid axes
(``[grid]``, whose Cartesian product is the sweep, the last axis varying fastest) and optional
engine settings (``[run]``)::

    function = "phase_diagram"
    [fixed]
    d = 50
    k = 1
    [grid]
    gamma_sigma2 = { linspace = [-3.0, 1.0, 12] }
    gamma_w = { linspace = [0.0, 3.0, 12] }
    seed = { seeds = 2 }
    [run]
    retries = 2             # Dask retries of a point whose worker died (default 2)
    scheduler = "local"     # default scheduler (the CLI's --scheduler overrides it)
    max_points = 1000000    # limit on the grid points (default 10^6), checked before any work

Axis forms: a plain list ``[a, b, c]``; ``{ linspace = [start, stop, num] }`` (:func:`numpy.linspace`);
``{ logspace = [start, stop, num] }`` (:func:`numpy.logspace`, base-10 exponents);
``{ seeds = n }`` (``0, 1, ..., n-1``); ``{ range = [start, stop] }`` or ``[start, stop, step]``
(Python :func:`range`, integers).
"""

from __future__ import annotations

import itertools
import json
import math
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..._base.errors import InvalidParameterError
from ..._base.validation import positive_int
from .registry import SweepFunction, as_sweep_scalar, get_sweep_function

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

__all__ = ["MAX_POINTS", "SweepSpec", "load_spec"]

#: Default limit on the points of a SPEC (``run.max_points`` raises it): checked on each axis before it
#: is expanded and on the grid's product, before any point runs or any file is written.
MAX_POINTS = 1_000_000

#: Settings accepted in ``[run]`` and their defaults.
RUN_DEFAULTS: dict[str, Any] = {"retries": 2, "scheduler": None, "max_points": MAX_POINTS}
_TOP_LEVEL = ("function", "fixed", "grid", "run")
_AXIS_FORMS = ("linspace", "logspace", "seeds", "range")


def _scalar(value: Any, where: str) -> int | float | bool | str:
    """A TOML / Python value as a plain, finite Python scalar (numpy scalars are unwrapped)."""
    return as_sweep_scalar(value, where, nonfinite=InvalidParameterError)


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise InvalidParameterError(f"{where} must be a number; got {value!r}")
    return float(_scalar(value, where))


def _count(value: Any, where: str) -> int:
    return positive_int(value, where)


def _points_limit(count: int, limit: int, where: str) -> None:
    if count > limit:
        raise InvalidParameterError(
            f"{where} has {count} points, above the limit run.max_points = {limit}; "
            "set a larger max_points in the SPEC's [run] table to allow it"
        )


def _expand_axis(name: str, value: Any, limit: int = MAX_POINTS) -> list[int | float | bool | str]:
    """The values of one ``[grid]`` axis (see the module docstring for the forms), at most ``limit``."""
    where = f"grid.{name}"
    if isinstance(value, Mapping):
        forms = [k for k in value if k in _AXIS_FORMS]
        unknown = [k for k in value if k not in _AXIS_FORMS]
        if unknown or len(forms) != 1:
            raise InvalidParameterError(
                f"{where} must be a list or a table with exactly one of {', '.join(_AXIS_FORMS)}; got keys {sorted(value)}"
            )
        form = forms[0]
        arg = value[form]
        if form in ("linspace", "logspace"):
            if not isinstance(arg, (list, tuple)) or len(arg) != 3:
                raise InvalidParameterError(f"{where}.{form} must be [start, stop, num]; got {arg!r}")
            start = _number(arg[0], f"{where}.{form}[0] (start)")
            stop = _number(arg[1], f"{where}.{form}[1] (stop)")
            num = _count(arg[2], f"{where}.{form}[2] (num)")
            _points_limit(num, limit, where)
            with np.errstate(over="raise"):
                try:
                    raw = (np.linspace if form == "linspace" else np.logspace)(start, stop, num)
                except FloatingPointError as exc:
                    raise InvalidParameterError(f"{where}.{form} = {arg!r} overflows float64") from exc
            values: list[Any] = [_scalar(float(x), where) for x in raw]
        elif form == "seeds":
            n_seeds = _count(arg, f"{where}.seeds")
            _points_limit(n_seeds, limit, where)
            values = list(range(n_seeds))
        else:
            if (
                not isinstance(arg, (list, tuple))
                or len(arg) not in (2, 3)
                or any(isinstance(a, bool) or not isinstance(a, int) for a in arg)
            ):
                raise InvalidParameterError(f"{where}.range must be [start, stop] or [start, stop, step] of integers")
            if len(arg) == 3 and arg[2] == 0:
                raise InvalidParameterError(f"{where}.range step must not be 0")
            _points_limit(len(range(*arg)), limit, where)
            values = list(range(*arg))
    elif isinstance(value, (list, tuple)):
        _points_limit(len(value), limit, where)
        values = [_scalar(v, f"{where}[{i}]") for i, v in enumerate(value)]
    else:
        raise InvalidParameterError(
            f"{where} = {value!r}: an axis is a list [a, b, ...] or a table "
            "{ linspace = [start, stop, num] } / { logspace = ... } / { seeds = n } / { range = [start, stop] }; "
            "put a single constant in [fixed]"
        )
    if not values:
        raise InvalidParameterError(f"{where} is empty; an axis needs at least one value")
    keys = [json.dumps(v) for v in values]
    if len(set(keys)) != len(keys):
        dup = next(v for v, k in zip(values, keys) if keys.count(k) > 1)
        raise InvalidParameterError(f"{where} holds {dup!r} more than once; each grid point must be distinct")
    return values


@dataclass(frozen=True)
class SweepSpec:
    """A validated sweep: function name, fixed parameters, grid axes (expanded) and run settings.

    Build one with :func:`load_spec` (from a TOML file or a dict); the constructor does not validate.

    Attributes
    ----------
    function : str
        Registered sweep function name, or import path ``"package.module:callable"``.
    fixed : dict
        Parameters passed unchanged to every point.
    grid : dict
        Axis name -> list of values, in SPEC order; the points are their Cartesian product.
    run : dict
        Engine settings (``retries``, ``scheduler``, ``max_points``).
    source : str or None
        The TOML file it was read from.

    Examples
    --------
    >>> spec = load_spec({"function": "phase_diagram", "fixed": {"d": 10, "k": 1, "gamma_w": 1.0},
    ...                   "grid": {"gamma_sigma2": {"linspace": [-2.0, 0.0, 3]}, "seed": {"seeds": 2}}})
    >>> len(spec), spec.points()[:2]
    (6, [{'gamma_sigma2': -2.0, 'seed': 0}, {'gamma_sigma2': -2.0, 'seed': 1}])
    >>> spec.point_key(spec.points()[1])
    '{"gamma_sigma2":-2.0,"seed":1}'
    """

    function: str
    fixed: dict[str, Any]
    grid: dict[str, list[Any]]
    run: dict[str, Any] = field(default_factory=lambda: dict(RUN_DEFAULTS))
    source: str | None = None

    def __len__(self) -> int:
        return math.prod(len(v) for v in self.grid.values())

    def points(self) -> list[dict[str, Any]]:
        """Grid points (axis name -> value) in grid order: the last axis varies fastest."""
        names = list(self.grid)
        return [dict(zip(names, combo)) for combo in itertools.product(*self.grid.values())]

    def point_key(self, params: Mapping[str, Any]) -> str:
        """A stable string identifying a grid point: compact JSON of its axis values (exact floats)."""
        return json.dumps({name: params[name] for name in self.grid}, sort_keys=True, separators=(",", ":"))

    def arguments(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """The keyword arguments of the sweep function at a grid point: fixed values, then the point's."""
        return {**self.fixed, **{name: params[name] for name in self.grid}}

    def sweep_function(self) -> SweepFunction:
        """The :class:`~lazyrich._tools.sweep.registry.SweepFunction` this SPEC names."""
        return get_sweep_function(self.function)

    def to_dict(self) -> dict[str, Any]:
        """The SPEC as plain data (expanded axes), e.g. for storing next to the results."""
        return {
            "function": self.function,
            "fixed": dict(self.fixed),
            "grid": {k: list(v) for k, v in self.grid.items()},
        }


def _read_toml(path: Path) -> dict[str, Any]:
    if path.is_dir():
        raise InvalidParameterError(f"sweep SPEC {str(path)!r} is a directory; give the TOML file")
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError as exc:
        raise InvalidParameterError(f"sweep SPEC {str(path)!r} does not exist") from exc
    except UnicodeDecodeError as exc:
        raise InvalidParameterError(f"sweep SPEC {str(path)!r} is not a UTF-8 text file (TOML): {exc.reason}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise InvalidParameterError(f"sweep SPEC {str(path)!r} is not valid TOML: {exc}") from exc
    except OSError as exc:
        raise InvalidParameterError(f"cannot read sweep SPEC {str(path)!r}: {exc.strerror or exc}") from exc


def load_spec(spec: str | os.PathLike[str] | Mapping[str, Any] | SweepSpec) -> SweepSpec:
    """Parse and validate a sweep SPEC (TOML file path, dict of the same structure, or a SweepSpec).

    Checks that the function exists, that every parameter it requires is given (in ``[fixed]`` or
    ``[grid]``), that no parameter is unknown to it, that every value is a finite scalar, and that
    the grid has at most ``run.max_points`` points (:data:`MAX_POINTS` = 10^6 by default; each axis
    is checked before it is expanded); each problem raises :class:`~lazyrich.InvalidParameterError`
    naming the SPEC key.

    Parameters
    ----------
    spec : path, mapping or SweepSpec

    Returns
    -------
    SweepSpec

    Examples
    --------
    >>> spec = load_spec({"function": "phase_diagram", "fixed": {"d": 10, "k": 1, "seed": 0},
    ...                   "grid": {"gamma_sigma2": [-1.0, 0.0], "gamma_w": {"logspace": [0, 1, 2]}}})
    >>> spec.grid["gamma_w"], len(spec)
    ([1.0, 10.0], 4)
    >>> load_spec({"function": "phase_diagram", "fixed": {"d": 10, "k": 1}, "grid": {"seed": {"seeds": 2}}})
    Traceback (most recent call last):
    ...
    lazyrich._base.errors.InvalidParameterError: sweep function 'phase_diagram' needs gamma_sigma2, gamma_w: give them in [fixed] or [grid]
    """
    if isinstance(spec, SweepSpec):
        return spec
    source = None
    if isinstance(spec, (str, os.PathLike)):
        source = str(spec)
        data: Mapping[str, Any] = _read_toml(Path(spec))
    elif isinstance(spec, Mapping):
        data = spec
    else:
        raise InvalidParameterError(f"a sweep SPEC is a TOML path, a dict or a SweepSpec; got {type(spec).__name__}")
    unknown = [k for k in data if k not in _TOP_LEVEL]
    if unknown:
        raise InvalidParameterError(
            f"unknown SPEC key(s) {', '.join(map(repr, unknown))}; the SPEC has {', '.join(_TOP_LEVEL)}"
        )
    function = data.get("function")
    if not isinstance(function, str) or not function:
        raise InvalidParameterError(
            'the SPEC needs function = "<name>" (see `lazyrich sweep --list`) or "package.module:callable"'
        )
    tables = {}
    for name in ("fixed", "grid", "run"):
        table = data.get(name, {})
        if not isinstance(table, Mapping):
            raise InvalidParameterError(f"[{name}] must be a table; got {table!r}")
        tables[name] = table
    run = dict(RUN_DEFAULTS)
    for k, v in tables["run"].items():
        if k not in RUN_DEFAULTS:
            raise InvalidParameterError(f"unknown setting run.{k}; [run] accepts {', '.join(RUN_DEFAULTS)}")
        run[k] = v
    run["retries"] = positive_int(run["retries"], "run.retries", minimum=0)
    run["max_points"] = positive_int(run["max_points"], "run.max_points")
    if run["scheduler"] is not None and not isinstance(run["scheduler"], str):
        raise InvalidParameterError(f"run.scheduler must be a string; got {run['scheduler']!r}")
    fixed = {k: _scalar(v, f"fixed.{k}") for k, v in tables["fixed"].items()}
    if not tables["grid"]:
        raise InvalidParameterError("[grid] is missing or empty; a sweep needs at least one axis")
    grid = {k: _expand_axis(k, v, run["max_points"]) for k, v in tables["grid"].items()}
    _points_limit(math.prod(len(v) for v in grid.values()), run["max_points"], "the grid (the product of its axes)")
    both = [k for k in grid if k in fixed]
    if both:
        raise InvalidParameterError(f"{', '.join(both)} given in both [fixed] and [grid]; keep one")
    sf = get_sweep_function(function)
    given = set(fixed) | set(grid)
    missing = [p for p in sf.parameters if p not in given]
    if missing:
        raise InvalidParameterError(
            f"sweep function {function!r} needs {', '.join(missing)}: give them in [fixed] or [grid]"
        )
    accepted = set(sf.parameters) | set(sf.defaults)
    extra = [p for p in given if p not in accepted]
    if extra:
        where = ", ".join(f"{'grid' if p in grid else 'fixed'}.{p}" for p in extra)
        raise InvalidParameterError(
            f"sweep function {function!r} does not take {where}; it accepts {', '.join(sorted(accepted))}"
        )
    return SweepSpec(function, fixed, grid, run, source)
