"""Input validation shared by every public function.

One place decides what "a finite real matrix" or "a time grid" means, so the
error messages are the same everywhere.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from numbers import Real

import mpmath
import numpy as np

from .errors import InvalidParameterError, NonFiniteError, ShapeError

__all__ = [
    "MAX_DPS",
    "MAX_ENTRIES",
    "MIN_DPS",
    "as_bits",
    "as_choice",
    "as_digits",
    "as_exact_scalar",
    "as_flag",
    "as_matrix",
    "as_model",
    "as_params",
    "as_rng",
    "as_scalar",
    "as_step_grid",
    "as_time_grid",
    "as_vector",
    "check_product_shapes",
    "check_work",
    "max_dps",
    "nonnegative",
    "positive",
    "positive_int",
]

#: Smallest ``dps=`` accepted anywhere. Every ``dps=N`` path returns the value of the higher of two
#: confirming evaluations, whose working precision is at least ``N + 15`` digits and never below 20
#: (:mod:`lazyrich._numerics.precision`), so float inputs are exact (>= 53 bits) and ``N`` digits are
#: confirmed for every ``N >= 1``: a smaller minimum would not be meaningful, a larger one would refuse
#: requests the driver answers correctly.
MIN_DPS = 1

#: Default largest ``dps=`` accepted anywhere (working digits of an mpmath evaluation). The cost of
#: one mpmath operation grows like ``dps^1.6`` or faster and a closed form runs thousands of them, so a
#: request far above this is a typo or a runaway loop, refused before any work starts. Raise it with
#: the environment variable ``LAZYRICH_MAX_DPS`` (read at each call, see :func:`max_dps`).
MAX_DPS = 10_000


def _as_float_array(x, name: str) -> np.ndarray:
    if type(x) is list and all(type(v) is float and math.isfinite(v) for v in x):
        return np.array(x, dtype=float)  # the common case, finite Python floats, without the checks below
    # numpy would parse strings and drop imaginary parts (with only a warning): refuse both up front
    raw = np.asarray(x) if not isinstance(x, np.ndarray) else x
    kinds = {raw.dtype.kind} if raw.dtype.kind != "O" else {np.asarray(v).dtype.kind for v in raw.reshape(-1)}
    if "c" in kinds:
        raise ShapeError(f"{name} must be real; got complex values (pass .real explicitly if that is what you mean)")
    if kinds & {"U", "S"}:
        raise ShapeError(f"{name} must hold numbers, not strings; got {x!r:.60}")
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
    """Return ``x`` as a finite Python float (a string such as ``"1"`` is refused, not parsed)."""
    if type(x) is float and math.isfinite(x):  # the common case, without numpy's per-call cost
        return x
    if isinstance(x, (str, bytes)):
        raise ShapeError(f"{name} must be a real number, not a string; got {x!r:.60}")
    if isinstance(x, bool) or not isinstance(x, (Real, np.floating, np.integer)):
        arr = np.asarray(x)
        if arr.dtype.kind in "USc":
            raise ShapeError(f"{name} must be a real scalar; got {x!r:.60}")
        if arr.ndim != 0:
            raise ShapeError(f"{name} must be a real scalar; got shape {arr.shape}")
        x = arr.item()
    try:
        val = float(x)
    except OverflowError:  # an int beyond float64
        raise NonFiniteError(
            f"{name} (an integer of about 10^{int(int(x).bit_length() * 0.30103)}) is beyond the float64 range"
        ) from None
    except (TypeError, ValueError):
        raise ShapeError(f"{name} must be a real scalar; got {x!r:.60}") from None
    if not np.isfinite(val):
        raise NonFiniteError(f"{name} must be finite; got {val}")
    return val


def as_exact_scalar(x, name: str):
    """A finite real scalar for the ``dps=`` paths: an ``mpf`` or decimal string is kept as given, else a float.

    >>> as_exact_scalar("0.1", "s0"), as_exact_scalar(2, "s0")
    ('0.1', 2.0)
    """
    if isinstance(x, (str, mpmath.mpf)):
        _exact_time(x, name)
        return x
    return as_scalar(x, name)


def positive_int(x, name: str, minimum: int = 1, error: type[Exception] = InvalidParameterError, hint: str = "") -> int:
    """An ``int`` (or numpy integer, not ``bool``) at least ``minimum``, returned as ``int``.

    ``error`` is the typed error to raise (e.g. :class:`ShapeError` for a dimension); ``hint`` is
    appended to its message in parentheses.

    >>> positive_int(3, "n"), positive_int(0, "seed", minimum=0)
    (3, 0)
    """
    if isinstance(x, bool) or not isinstance(x, (int, np.integer)) or x < minimum:
        kind = {1: "a positive integer", 0: "a non-negative integer"}.get(minimum, f"an integer >= {minimum}")
        raise error(f"{name} must be {kind}{f' ({hint})' if hint else ''}; got {x!r}")
    return int(x)


#: Default limit on the entries of one array a function allocates from size arguments (10^8 float64
#: entries = 800 MB); the functions that take sizes accept ``max_entries=`` to raise it.
MAX_ENTRIES = 10**8


def max_dps() -> int:
    """The largest ``dps=`` accepted: ``LAZYRICH_MAX_DPS`` from the environment, else :data:`MAX_DPS`.

    >>> max_dps() >= MIN_DPS
    True
    """
    raw = os.environ.get("LAZYRICH_MAX_DPS")
    if raw is None:
        return MAX_DPS
    try:
        value = int(raw)
    except ValueError:
        raise InvalidParameterError(f"LAZYRICH_MAX_DPS must be an integer; got {raw!r}") from None
    if value < MIN_DPS:
        raise InvalidParameterError(f"LAZYRICH_MAX_DPS must be >= {MIN_DPS}; got {value}")
    return value


def as_digits(dps, name: str = "dps") -> int:
    """Requested significant decimal digits of an mpmath result: an integer in ``[MIN_DPS, max_dps()]``.

    The upper limit (:data:`MAX_DPS` = 10000 by default) is checked before any work starts; raise it
    with the environment variable ``LAZYRICH_MAX_DPS``.

    >>> as_digits(30)
    30
    """
    if type(dps) is int and MIN_DPS <= dps <= MAX_DPS and "LAZYRICH_MAX_DPS" not in os.environ:
        return dps  # the common case: a plain int within the default limit
    if isinstance(dps, bool) or not isinstance(dps, (int, np.integer)) or dps < MIN_DPS:
        raise InvalidParameterError(
            f"{name} must be an integer >= {MIN_DPS} (significant digits; pass dps=None for float64); got {dps!r}"
        )
    limit = max_dps()
    if dps > limit:
        raise InvalidParameterError(
            f"{name}={dps} is above the limit of {limit} working digits (MAX_DPS); "
            "set the environment variable LAZYRICH_MAX_DPS to raise it"
        )
    return int(dps)


def as_bits(bits, name: str = "bits") -> int:
    """Requested relative accuracy ``2^-bits`` of a certified enclosure: an integer >= 1.

    >>> as_bits(100)
    100
    """
    if isinstance(bits, bool) or not isinstance(bits, (int, np.integer)) or bits < 1:
        raise InvalidParameterError(f"{name} must be an integer >= 1 (relative accuracy 2^-{name}); got {bits!r}")
    return int(bits)


def as_flag(x, name: str) -> bool:
    """A ``bool`` flag (``True``/``False`` or a numpy bool); anything else (``"no"``, ``1``) is refused.

    >>> as_flag(np.True_, "reduced")
    True
    """
    if not isinstance(x, (bool, np.bool_)):
        raise InvalidParameterError(f"{name} must be True or False; got {x!r:.60}")
    return bool(x)


def as_model(obj, name: str, kind: str, *methods: str):
    """``obj`` if it has every one of ``methods`` (duck-typed: a ``kind`` such as ``TwoLayerExact``), else a typed error.

    Lets a low layer check a high-layer object without importing its class.

    >>> as_model(None, "net", "TwoLayerExact", "qqt")
    Traceback (most recent call last):
    ...
    lazyrich._base.errors.InvalidParameterError: net must be a TwoLayerExact; got NoneType
    """
    if not all(callable(getattr(obj, m, None)) for m in methods):
        raise InvalidParameterError(f"{name} must be a {kind}; got {type(obj).__name__}")
    return obj


def as_choice(x, name: str, choices: Sequence[str]) -> str:
    """One of the strings ``choices``.

    >>> as_choice("RK45", "method", ("RK45", "DOP853"))
    'RK45'
    """
    if not isinstance(x, str) or x not in choices:
        raise InvalidParameterError(f"{name} must be one of {', '.join(map(repr, choices))}; got {x!r:.60}")
    return x


def as_rng(seed, name: str = "seed") -> np.random.Generator:
    """A :class:`numpy.random.Generator` from ``None``, a non-negative integer or a Generator (used as is).

    >>> float(as_rng(0).standard_normal()) == float(np.random.default_rng(0).standard_normal())
    True
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is not None:
        positive_int(seed, name, minimum=0, hint="or None, or a numpy Generator")
    return np.random.default_rng(seed)


def as_params(params, name: str, count: int) -> tuple:
    """A sequence of exactly ``count`` parameter arrays (list, tuple, or an array's first axis), as a tuple (entries unchecked).

    >>> len(as_params(([[1.0]], [[2.0]]), "init", 2))
    2
    """
    if isinstance(params, (str, bytes)) or not (
        isinstance(params, Sequence) or (isinstance(params, np.ndarray) and params.ndim >= 1)
    ):
        raise ShapeError(f"{name} must be a list or tuple of {count} arrays; got {type(params).__name__}")
    if len(params) != count:
        raise ShapeError(f"{name} must hold {count} arrays; got {len(params)}")
    return tuple(params)


def check_work(count: int, limit: int, what: str, argument: str) -> None:
    """Refuse, before any work starts, a request of ``count`` units above ``limit``.

    The error names the limit and the argument that raises it.

    >>> check_work(10, 100, "descent steps", "max_steps")
    >>> check_work(10**12, 10**7, "descent steps", "max_steps")
    Traceback (most recent call last):
    ...
    lazyrich._base.errors.InvalidParameterError: 1000000000000 descent steps requested, above the limit max_steps=10000000; pass a larger max_steps= to allow it
    """
    if count > limit:
        shown = str(count) if count < 10**18 else "more than 1e18"
        raise InvalidParameterError(
            f"{shown} {what} requested, above the limit {argument}={limit}; pass a larger {argument}= to allow it"
        )


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


def as_time_grid(t, name: str = "t", exact: bool = False):
    """Validate a scalar or 1-D grid of finite times ``>= 0``; return ``(grid, was_scalar)``.

    ``exact=False``: ``grid`` is a float array (``mpf`` entries are rounded to float64).
    ``exact=True`` (the ``dps=`` and certified paths): ``grid`` is a list keeping ``mpf`` and decimal
    string entries as given (other entries as floats), so that no time is rounded before the
    high-precision evaluation.

    >>> as_time_grid([0.0, 2.0])[0]
    array([0., 2.])
    >>> grid, scalar = as_time_grid(mpmath.mpf("0.1"), exact=True)  # kept as the mpf it is (printing depends on mp.dps)
    >>> type(grid[0]).__name__, scalar
    ('mpf', True)
    """
    if exact and type(t) in (list, tuple) and t and all(type(x) is float and 0.0 <= x < math.inf for x in t):
        return list(t), False  # the common case of the dps= paths: finite floats >= 0, kept as they are
    if not exact:
        arr = _as_float_array(t, name)
        grid, ndim = np.atleast_1d(arr), arr.ndim
    elif type(t) in (list, tuple) and all(type(x) is float and math.isfinite(x) for x in t):
        grid, ndim = list(t), 1  # the common case: finite floats, kept as they are
    elif _plain_numbers(t):  # no mpf or string to keep: validated as floats at numpy speed
        arr = _as_float_array(t, name)
        grid, ndim = np.atleast_1d(arr).tolist(), arr.ndim
    else:
        arr = np.asarray(t, dtype=object)
        items = [t] if arr.ndim == 0 else list(arr.reshape(-1))
        grid = [x if isinstance(x, (str, mpmath.mpf)) else as_scalar(x, name) for x in items]
        ndim = arr.ndim
    if ndim > 1:
        raise ShapeError(f"{name} must be a scalar or a 1-D array; got shape {np.shape(t)}")
    if len(grid) == 0:
        raise ShapeError(f"{name} is empty; pass at least one time")
    if not exact:
        low = float(grid.min())
    else:  # only the sign matters: floats as they are, mpf and strings through mpmath
        low = min(x if type(x) is float else _exact_time(x, name) for x in grid)
    if low < 0:
        raise InvalidParameterError(f"{name} must be >= 0 (the solutions run forward from t = 0); got min {low}")
    return grid, ndim == 0


def _plain_numbers(t) -> bool:
    """True for a float, or a list, tuple or real numeric array of floats (no ``mpf``, string, int or object).

    Python ints go the per-item way (one beyond the float64 range must raise :class:`NonFiniteError`).
    """
    if type(t) is float:
        return True
    if isinstance(t, np.ndarray):
        return t.dtype.kind in "fiu"
    return isinstance(t, (list, tuple)) and all(type(x) is float for x in t)


def _exact_time(x, name: str):
    """``x`` as a finite ``mpf`` (at the current precision: only its sign is used)."""
    try:
        v = mpmath.mpf(x)
    except (TypeError, ValueError):
        raise ShapeError(f"{name} must hold real numbers; got {x!r}") from None
    if not mpmath.isfinite(v):
        raise NonFiniteError(f"{name} must be finite; got {x!r}")
    return v


def _whole(x: float) -> int:
    """``round(x)`` as an ``int``, ``10**400`` standing in for an infinite count."""
    return round(x) if np.isfinite(x) else 10**400


def check_product_shapes(names: Sequence[str], mats: Sequence[np.ndarray]) -> None:
    """Check that ``mats[-1] @ ... @ mats[0]`` is defined (layer order, input first)."""
    for (n_lo, lo), (n_hi, hi) in zip(zip(names, mats), zip(names[1:], mats[1:])):
        if hi.shape[1] != lo.shape[0]:
            raise ShapeError(
                f"{n_hi} @ {n_lo} is undefined: {n_hi} has {hi.shape[1]} columns but {n_lo} has {lo.shape[0]} rows ({n_hi}.shape={hi.shape}, {n_lo}.shape={lo.shape})"
            )


def as_step_grid(t, step: float, name: str = "t", max_steps: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``(grid, k)`` for a non-decreasing time grid whose times are whole numbers ``k`` of ``step``.

    Used by every gradient-descent driver: after ``k`` steps of size ``step`` (in
    time units) the iterate sits at ``t = k * step``. With ``max_steps``, a grid needing more
    steps than that is refused (:func:`check_work`) before any step is taken.
    """
    grid, _ = as_time_grid(t, name)
    if np.any(np.diff(grid) < 0):
        raise InvalidParameterError(f"{name} must be non-decreasing")
    n_last = float(grid[-1]) / step  # a Python float: inf (no warning) when the ratio overflows
    if max_steps is not None:
        check_work(_whole(n_last), positive_int(max_steps, "max_steps"), "descent steps", "max_steps")
    if not n_last < 2.0**62:
        raise InvalidParameterError(f"{name} = {grid[-1]:g} needs more than 2^62 steps of size {step:g}")
    ks = np.rint(grid / step).astype(np.int64)
    if np.any(np.abs(ks * step - grid) > 1e-9 * np.maximum(grid, 1.0)):
        bad = grid[np.argmax(np.abs(ks * step - grid))]
        raise InvalidParameterError(f"{name} = {bad} is not a whole number of steps of size {step}; use times k * step")
    return grid, ks
