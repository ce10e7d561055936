"""The worker side of a sweep: find the sweep function, evaluate one grid point, check its row.

:func:`evaluate` is the task a runner (:mod:`lazyrich._tools.sweep.runners`) submits per grid
point. It runs on a Dask worker or a thread, so it gets the sweep function as a picklable
reference (:func:`function_ref`) and turns any exception into an error outcome instead of a
failed task.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Mapping
from typing import Any

from ..._base.errors import InvalidParameterError
from .registry import ENGINE_COLUMNS, SWEEP_FUNCTIONS, Scalar, SweepFunction, as_sweep_scalar, get_sweep_function

__all__ = ["clean_result", "error_text", "evaluate", "function_ref", "resolve_function"]


def function_ref(name: str, sf: SweepFunction) -> tuple:
    """What a worker needs to find the sweep function: by name where it can import it, else the object.

    Examples
    --------
    >>> from lazyrich._tools.sweep.registry import get_sweep_function
    >>> function_ref("phase_diagram", get_sweep_function("phase_diagram"))
    ('registered', 'phase_diagram', 'lazyrich._tools.sweep.cells')
    """
    if ":" in name:
        return ("path", name)
    module = getattr(sf.func, "__module__", None)
    if module and module != "__main__":
        return ("registered", name, module)
    return ("object", sf)  # defined in a script: cloudpickle ships it by value


def resolve_function(ref: tuple) -> SweepFunction:
    """The sweep function of a :func:`function_ref` (importing its module on this worker if needed)."""
    if ref[0] == "object":
        return ref[1]
    if ref[0] == "registered" and ref[1] not in SWEEP_FUNCTIONS:
        importlib.import_module(ref[2])  # registers it on this worker
    return get_sweep_function(ref[1])


def clean_result(raw: Any, forbidden: tuple[str, ...]) -> dict[str, Scalar]:
    """Check a sweep function's return value: a mapping of column name to finite scalar.

    Examples
    --------
    >>> import numpy as np
    >>> clean_result({"y": np.float64(2.5), "ok": True}, ("x",))
    {'y': 2.5, 'ok': True}
    >>> clean_result({"x": 1.0}, ("x",))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    lazyrich._base.errors.InvalidParameterError: result column 'x' clashes with a grid axis or ...
    """
    if not isinstance(raw, Mapping):
        raise InvalidParameterError(f"a sweep function must return a dict of columns; got {type(raw).__name__}")
    out: dict[str, Scalar] = {}
    for col, value in raw.items():
        if not isinstance(col, str):
            raise InvalidParameterError(f"result column names must be strings; got {col!r}")
        if col in forbidden:
            raise InvalidParameterError(f"result column {col!r} clashes with a grid axis or {ENGINE_COLUMNS}")
        out[col] = as_sweep_scalar(value, f"result column {col!r}")
    return out


def error_text(exc: BaseException) -> str:
    """The ``error`` column of a failed point: ``"ErrorType: message"``."""
    return f"{type(exc).__name__}: {exc}"


def evaluate(ref: tuple, arguments: dict[str, Any], axes: tuple[str, ...]) -> dict[str, Any]:
    """Run one grid point (on a worker); an exception becomes an error outcome, not a task failure.

    Returns
    -------
    dict
        ``status`` (``"ok"``/``"error"``), ``error`` (:func:`error_text` or None), ``result``
        (the checked columns) and ``seconds`` (time taken).
    """
    start = time.perf_counter()
    try:
        # .func, not the SweepFunction's __call__ (which would coerce the output with dict() before it is checked)
        result = clean_result(resolve_function(ref).func(**arguments), (*axes, *ENGINE_COLUMNS))
        status, error = "ok", None
    except Exception as exc:
        result, status, error = {}, "error", error_text(exc)
    return {"status": status, "error": error, "result": result, "seconds": time.perf_counter() - start}
