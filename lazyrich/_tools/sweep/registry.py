"""Registry of sweep functions: the per-point computations a sweep SPEC may name.

A sweep function takes keyword parameters (one value per grid axis plus the SPEC's fixed
values) and returns a flat mapping of result columns to scalars (``int``, ``float``,
``bool`` or ``str``). It must be deterministic in its parameters (seeds are parameters),
so that a point computed on any Dask worker, or recomputed after a crash, gives the same row.

:func:`lazyrich.sweep.run` calls it once per grid point. Register one with :func:`sweep_function`
(public as ``lazyrich.sweep.sweep_function``). The built-in ones
(:mod:`lazyrich._tools.sweep.cells`) register when the package ``lazyrich._tools.sweep`` is
imported, which happens before this module is, so :func:`get_sweep_function` always finds them.
"""

from __future__ import annotations

import importlib
import inspect
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..._base.errors import InvalidParameterError, LazyrichError, NonFiniteError

#: A result column value: what a sweep function may return per column.
Scalar = int | float | bool | str

#: Columns the engine adds to every row of a sweep table (a sweep function's result may not use them).
ENGINE_COLUMNS = ("status", "error", "seconds")


def as_sweep_scalar(value: Any, where: str, nonfinite: type[LazyrichError] = NonFiniteError) -> Scalar:
    """``value`` as a plain, finite :data:`Scalar` (numpy scalars unwrapped): a SPEC value or a result cell.

    Parameters
    ----------
    value : object
        The value to check.
    where : str
        Names the value in the error message (e.g. ``"grid.x[1]"``, ``"result column 'y'"``).
    nonfinite : type
        The error raised for NaN or infinity (a SPEC's bad input is an :class:`InvalidParameterError`).

    Raises
    ------
    NonFiniteError
        NaN or infinity (or ``nonfinite``).
    InvalidParameterError
        Not a number, boolean or string.

    Examples
    --------
    >>> as_sweep_scalar(np.float64(0.5), "x"), as_sweep_scalar(True, "flag")
    (0.5, True)
    >>> as_sweep_scalar(float("inf"), "result column 'y'")
    Traceback (most recent call last):
    ...
    lazyrich._base.errors.NonFiniteError: result column 'y' = inf is not finite
    """
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        raise nonfinite(f"{where} = {value!r} is not finite")
    if not isinstance(value, (bool, int, float, str)):
        raise InvalidParameterError(
            f"{where} = {value!r} is a {type(value).__name__}; values must be numbers, booleans or strings"
        )
    return value


@dataclass(frozen=True)
class SweepFunction:
    """A named per-point computation of a sweep.

    Attributes
    ----------
    name : str
        The name a SPEC uses (``function = "<name>"``).
    func : callable
        ``func(**params) -> Mapping[str, Scalar]``.
    parameters : tuple of str
        Parameters that must be given (by the grid or by ``[fixed]``).
    defaults : mapping
        Optional parameters and their defaults (recorded with every row).
    description : str
        One line shown by ``lazyrich sweep --list``.
    value : str or None
        The result column a ``--plot`` heatmap shows by default.
    boundaries : callable or None
        ``boundaries(ax, x_name, y_name, params)`` draws reference lines (e.g. the phase
        diagram's region boundaries) on a heatmap whose axes are ``x_name``, ``y_name``.
    """

    name: str
    func: Callable[..., Mapping[str, Scalar]]
    parameters: tuple[str, ...]
    defaults: Mapping[str, Any] = field(default_factory=dict)
    description: str = ""
    value: str | None = None
    boundaries: Callable[..., None] | None = None

    def __call__(self, **params: Any) -> dict[str, Scalar]:
        return dict(self.func(**params))


#: Registered sweep functions by name.
SWEEP_FUNCTIONS: dict[str, SweepFunction] = {}


def _signature_parameters(func: Callable[..., Any]) -> tuple[tuple[str, ...], dict[str, Any]]:
    """Required parameter names and optional parameters with their defaults, from ``func``'s signature."""
    params = inspect.signature(func).parameters.values()
    required = tuple(p.name for p in params if p.default is inspect.Parameter.empty)
    return required, {p.name: p.default for p in params if p.default is not inspect.Parameter.empty}


def sweep_function(
    name: str,
    *,
    parameters: tuple[str, ...] | None = None,
    defaults: Mapping[str, Any] | None = None,
    description: str = "",
    value: str | None = None,
    boundaries: Callable[..., None] | None = None,
) -> Callable[[Callable[..., Mapping[str, Scalar]]], Callable[..., Mapping[str, Scalar]]]:
    """Register ``func`` as the sweep function ``name`` (decorator).

    ``parameters`` and ``defaults`` default to the function's signature (parameters without and
    with defaults). The decorated function is returned unchanged (so it keeps its signature, docstring and
    doctests) with its :class:`SweepFunction` attached as ``func.__sweep_function__``; an import
    path ``"package.module:func"`` to it resolves to that registration.

    Examples
    --------
    >>> @sweep_function("demo_square", parameters=("x",), description="x squared")
    ... def _square(x):
    ...     return {"y": x * x}
    >>> SWEEP_FUNCTIONS["demo_square"](x=3.0), _square(2.0)
    ({'y': 9.0}, {'y': 4.0})
    >>> _square.__sweep_function__ is SWEEP_FUNCTIONS["demo_square"]
    True
    >>> del SWEEP_FUNCTIONS["demo_square"]
    >>> @sweep_function("demo_power")
    ... def _power(x, p=2):
    ...     return {"y": x**p}
    >>> SWEEP_FUNCTIONS["demo_power"].parameters, dict(SWEEP_FUNCTIONS["demo_power"].defaults)
    (('x',), {'p': 2})
    >>> del SWEEP_FUNCTIONS["demo_power"]
    """

    def register(func: Callable[..., Mapping[str, Scalar]]) -> Callable[..., Mapping[str, Scalar]]:
        if name in SWEEP_FUNCTIONS:
            raise InvalidParameterError(f"a sweep function named {name!r} is already registered")
        required, optional = _signature_parameters(func)
        sf = SweepFunction(
            name,
            func,
            required if parameters is None else tuple(parameters),
            optional if defaults is None else dict(defaults),
            description,
            value,
            boundaries,
        )
        SWEEP_FUNCTIONS[name] = sf
        func.__sweep_function__ = sf  # type: ignore[attr-defined]
        return func

    return register


def get_sweep_function(name: str) -> SweepFunction:
    """Look up a sweep function by registered name or by import path ``"package.module:attr"``.

    An import path may point at a :class:`SweepFunction` or at a plain callable (whose
    parameters are then taken from its signature's parameters without defaults).

    Examples
    --------
    >>> get_sweep_function("no_such_function")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    lazyrich._base.errors.InvalidParameterError: unknown sweep function 'no_such_function' ...
    """
    if not isinstance(name, str):
        raise InvalidParameterError(f"a sweep function name is a string; got {type(name).__name__}")
    if name in SWEEP_FUNCTIONS:
        return SWEEP_FUNCTIONS[name]
    if ":" in name:
        module_name, _, attr = name.partition(":")
        try:
            obj = getattr(importlib.import_module(module_name), attr)
        except (ImportError, AttributeError, ValueError) as exc:  # ValueError: an empty module name
            raise InvalidParameterError(
                f"cannot import sweep function {name!r} ({exc}); the module must be importable on every worker"
            ) from exc
        if isinstance(obj, SweepFunction):
            return obj
        if isinstance(getattr(obj, "__sweep_function__", None), SweepFunction):
            return obj.__sweep_function__
        if callable(obj):
            required, optional = _signature_parameters(obj)
            return SweepFunction(name, obj, required, optional, (obj.__doc__ or "").strip().split("\n")[0])
        raise InvalidParameterError(f"{name!r} is neither a SweepFunction nor callable")
    known = ", ".join(sorted(SWEEP_FUNCTIONS)) or "none"
    raise InvalidParameterError(
        f"unknown sweep function {name!r} (registered: {known}); or give an import path 'package.module:function'"
    )
