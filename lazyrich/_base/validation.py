"""Input validation shared by every public function.

One place decides what "a finite real matrix" or "a time grid" means, so the
error messages are the same everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Real

import numpy as np

from .errors import InvalidParameterError, NonFiniteError, ShapeError

__all__ = [
    "as_matrix",
    "as_scalar",
    "as_time_grid",
    "as_vector",
    "check_product_shapes",
    "nonnegative",
    "positive",
]


def _as_float_array(x, name: str) -> np.ndarray:
    try:
        arr = np.asarray(x, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ShapeError(f"{name} must be a real array; got {type(x).__name__}: {exc}") from None
    if not np.all(np.isfinite(arr)):
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise NonFiniteError(
            f"{name} has {bad} non-finite entr{'y' if bad == 1 else 'ies'} (NaN or inf); pass finite values"
        )
    return arr


def as_matrix(x, name: str, shape: tuple[int | None, int | None] | None = None) -> np.ndarray:
    """Return ``x`` as a finite 2-D float array, checking an optional shape.

    ``None`` in ``shape`` leaves that dimension free.
    """
    arr = _as_float_array(x, name)
    if arr.ndim != 2:
        raise ShapeError(f"{name} must be a 2-D matrix; got an array with shape {arr.shape}")
    if shape is not None:
        for axis, (want, got) in enumerate(zip(shape, arr.shape)):
            if want is not None and want != got:
                raise ShapeError(
                    f"{name} must have shape {tuple('*' if s is None else s for s in shape)}; got {arr.shape} (axis {axis} differs)"
                )
    if arr.size == 0:
        raise ShapeError(f"{name} is empty (shape {arr.shape}); every dimension must be at least 1")
    return arr


def as_vector(x, name: str, size: int | None = None) -> np.ndarray:
    """Return ``x`` as a finite 1-D float array (a column or row matrix is flattened)."""
    arr = _as_float_array(x, name)
    if arr.ndim == 2 and 1 in arr.shape:
        arr = arr.reshape(-1)
    if arr.ndim != 1:
        raise ShapeError(f"{name} must be a vector; got an array with shape {arr.shape}")
    if size is not None and arr.shape[0] != size:
        raise ShapeError(f"{name} must have length {size}; got {arr.shape[0]}")
    if arr.size == 0:
        raise ShapeError(f"{name} is empty; it needs at least one entry")
    return arr


def as_scalar(x, name: str) -> float:
    """Return ``x`` as a finite Python float."""
    if isinstance(x, bool) or not isinstance(x, (Real, np.floating, np.integer)):
        arr = np.asarray(x)
        if arr.ndim != 0:
            raise ShapeError(f"{name} must be a real scalar; got shape {arr.shape}")
        x = arr.item()
    try:
        val = float(x)
    except (TypeError, ValueError):
        raise ShapeError(f"{name} must be a real scalar; got {x!r}") from None
    if not np.isfinite(val):
        raise NonFiniteError(f"{name} must be finite; got {val}")
    return val


def positive(x, name: str) -> float:
    """A finite scalar strictly greater than 0."""
    val = as_scalar(x, name)
    if val <= 0:
        raise InvalidParameterError(f"{name} must be > 0; got {val}")
    return val


def nonnegative(x, name: str) -> float:
    """A finite scalar greater than or equal to 0."""
    val = as_scalar(x, name)
    if val < 0:
        raise InvalidParameterError(f"{name} must be >= 0; got {val}")
    return val


def as_time_grid(t, name: str = "t") -> tuple[np.ndarray, bool]:
    """Return ``(grid, was_scalar)`` for a scalar or 1-D array of times ``>= 0``."""
    arr = _as_float_array(t, name)
    if arr.ndim > 1:
        raise ShapeError(f"{name} must be a scalar or a 1-D array; got shape {arr.shape}")
    scalar = arr.ndim == 0
    grid = np.atleast_1d(arr)
    if grid.size == 0:
        raise ShapeError(f"{name} is empty; pass at least one time")
    if np.any(grid < 0):
        raise InvalidParameterError(f"{name} must be >= 0 (the solutions run forward from t = 0); got min {grid.min()}")
    return grid, scalar


def check_product_shapes(names: Sequence[str], mats: Sequence[np.ndarray]) -> None:
    """Check that ``mats[-1] @ ... @ mats[0]`` is defined (layer order, input first)."""
    for (n_lo, lo), (n_hi, hi) in zip(zip(names, mats), zip(names[1:], mats[1:])):
        if hi.shape[1] != lo.shape[0]:
            raise ShapeError(
                f"{n_hi} @ {n_lo} is undefined: {n_hi} has {hi.shape[1]} columns but {n_lo} has {lo.shape[0]} rows ({n_hi}.shape={hi.shape}, {n_lo}.shape={lo.shape})"
            )


def as_step_grid(t, step: float, name: str = "t") -> tuple[np.ndarray, np.ndarray]:
    """``(grid, k)`` for a non-decreasing time grid whose times are whole numbers ``k`` of ``step``.

    Used by every gradient-descent driver: after ``k`` steps of size ``step`` (in
    time units) the iterate sits at ``t = k * step``.
    """
    grid, _ = as_time_grid(t, name)
    if np.any(np.diff(grid) < 0):
        raise InvalidParameterError(f"{name} must be non-decreasing")
    ks = np.rint(grid / step).astype(np.int64)
    if np.any(np.abs(ks * step - grid) > 1e-9 * np.maximum(grid, 1.0)):
        bad = grid[np.argmax(np.abs(ks * step - grid))]
        raise InvalidParameterError(f"{name} = {bad} is not a whole number of steps of size {step}; use times k * step")
    return grid, ks
