"""Input checks shared by the public entry points of the symbolic layer (issue 15: typed errors everywhere).

Each check accepts what the entry point documents and raises :class:`~lazyrich.InvalidParameterError`
with what was expected otherwise. They only look at the inputs: the algorithms behind the entry
points are never wrapped, so a genuine bug inside them still surfaces as itself.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from numbers import Number

import numpy as np
import sympy as sp
from sympy.matrices.expressions import MatrixExpr

from .._base.errors import InvalidParameterError
from .._base.validation import check_work, positive_int

__all__ = [
    "MAX_EXPLICIT_ENTRIES",
    "as_dims",
    "as_items",
    "as_mapping",
    "as_symbol",
    "as_sympy",
    "check_shapes",
    "dimension",
    "max_explicit_entries",
]

#: Default limit on the explicit entries of the explicit symbolic route (``explicit_matrix``,
#: ``explicit_residual``, ``explicit_time_derivative``): the entries of every distinct matrix
#: (sub)expression, each of which is formed as a matrix of SymPy expressions. Measured: a 20 x 20
#: commutator ``A B - B A`` (2000 entries) takes about 5 s and the time grows like the cube of the
#: side, so a request far above this runs for minutes to forever. Raise it with the environment
#: variable ``LAZYRICH_MAX_EXPLICIT_ENTRIES`` (read at each call, see :func:`max_explicit_entries`).
MAX_EXPLICIT_ENTRIES = 10_000


def _shown(x) -> str:
    return f"{type(x).__name__} {x!r:.60}"


def as_sympy(x, name: str, numbers: bool = True, scalar: bool = False):
    """``x`` if it is a SymPy object (expression, matrix expression, explicit matrix), else a typed error.

    ``numbers``: a Python or numpy number (not a ``bool``) is accepted and sympified. ``scalar``: a matrix
    (expression or explicit) is refused. Strings are refused: SymPy would parse them.

    >>> as_sympy(2, "rhs")
    2
    >>> as_sympy("x", "lhs")
    Traceback (most recent call last):
    ...
    lazyrich._base.errors.InvalidParameterError: lhs must be a SymPy expression or a number; got str 'x'
    """
    if numbers and isinstance(x, (Number, np.number)) and not isinstance(x, (bool, np.bool_)):
        x = sp.sympify(x)
    matrix = isinstance(x, (MatrixExpr, sp.MatrixBase))
    if (
        not isinstance(x, (sp.Basic, sp.MatrixBase))
        or isinstance(x, sp.logic.boolalg.BooleanAtom)
        or (scalar and matrix)
    ):
        kind = "a scalar SymPy expression" if scalar else "a SymPy expression"
        raise InvalidParameterError(f"{name} must be {kind}{' or a number' if numbers else ''}; got {_shown(x)}")
    return x


def as_symbol(x, name: str, optional: bool = False):
    """``x`` if it is a ``sympy.Symbol`` (or ``None`` when ``optional``), else a typed error.

    >>> as_symbol(None, "time", optional=True) is None
    True
    """
    if (x is None and optional) or isinstance(x, sp.Symbol):
        return x
    raise InvalidParameterError(f"{name} must be a sympy.Symbol{' or None' if optional else ''}; got {_shown(x)}")


def as_mapping(x, name: str, optional: bool = False) -> Mapping:
    """``x`` if it is a mapping (``{}`` for ``None`` when ``optional``), else a typed error.

    >>> as_mapping(None, "values", optional=True)
    {}
    """
    if x is None and optional:
        return {}
    if not isinstance(x, Mapping):
        raise InvalidParameterError(f"{name} must be a mapping (a dict {{symbol: value}}); got {_shown(x)}")
    return x


def as_items(x, name: str, kind: type | tuple = object, what: str = "") -> list:
    """``x`` (a list, tuple or other iterable, not a string or a single SymPy object) as a list whose entries are
    all ``kind``, else a typed error; ``what`` names the expected entries.

    >>> as_items((sp.Eq(sp.Symbol("x"), 1),), "relations", sp.core.relational.Relational, "equations")
    [Eq(x, 1)]
    """
    if isinstance(x, (str, bytes, sp.Basic, np.ndarray)) or not isinstance(x, Iterable):
        raise InvalidParameterError(f"{name} must be a list of {what or 'items'}; got {_shown(x)}")
    items = list(x)
    for item in items:
        if not isinstance(item, kind):
            raise InvalidParameterError(f"{name} must be a list of {what or kind}; an entry is {_shown(item)}")
    return items


def as_dims(x, name: str = "dims") -> dict:
    """Values of symbolic dimensions: a mapping to non-negative integers, keys sympified (``{n: 3}``).

    >>> n = sp.Symbol("n")
    >>> as_dims({"n": 3}) == {n: 3}
    True
    """
    out = {}
    for k, v in as_mapping(x, name, optional=True).items():
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer, sp.Integer)) or v < 0:
            raise InvalidParameterError(
                f"{name}: the value of the dimension {k} must be an integer >= 0; got {v!r:.60}"
            )
        if not isinstance(k, (str, sp.Basic)):
            raise InvalidParameterError(f"{name}: a key must be a dimension symbol; got {_shown(k)}")
        out[sp.sympify(k)] = v
    return out


def dimension(d, dims: Mapping, what: str) -> int:
    """The value of the dimension ``d`` (a number or an expression of symbols) under ``dims``, as an ``int``.

    >>> dimension(sp.Symbol("n") + 1, {sp.Symbol("n"): 2}, "evaluate")
    3
    """
    d = sp.sympify(sp.sympify(d).xreplace(dims))  # a bare symbol replaced by a Python int comes back as that int
    if not d.is_Integer:
        raise InvalidParameterError(f"{what}: the dimension {d} has no value; pass dims={{{d}: ...}}")
    return int(d)


def max_explicit_entries() -> int:
    """The explicit route's entry limit: ``LAZYRICH_MAX_EXPLICIT_ENTRIES`` if set, else :data:`MAX_EXPLICIT_ENTRIES`.

    >>> max_explicit_entries() >= 1
    True
    """
    raw = os.environ.get("LAZYRICH_MAX_EXPLICIT_ENTRIES")
    if raw is None:
        return MAX_EXPLICIT_ENTRIES
    try:
        value = int(raw)
    except ValueError:
        raise InvalidParameterError(f"LAZYRICH_MAX_EXPLICIT_ENTRIES must be an integer; got {raw!r}") from None
    return positive_int(value, "LAZYRICH_MAX_EXPLICIT_ENTRIES")


def check_shapes(expr, dims: Mapping, what: str, *more):
    """Check that every matrix in ``expr`` has a shape that ``dims`` gives a value (:func:`dimension`), and that
    their explicit entries are within :func:`max_explicit_entries` (default :data:`MAX_EXPLICIT_ENTRIES`).

    ``more``: further SymPy objects, or mappings such as ``rates`` (keys and values), checked with ``expr``.

    The entries counted are those of every distinct matrix (sub)expression, all formed explicitly;
    the count is refused before any of them is built. Returns ``expr``.

    >>> n = sp.Symbol("n", integer=True, positive=True)
    >>> check_shapes(sp.ZeroMatrix(n, n), {sp.Symbol("n"): 2}, "explicit_residual")  # not the same n
    Traceback (most recent call last):
    ...
    lazyrich._base.errors.InvalidParameterError: explicit_residual: the dimension n has no value; pass dims={n: ...}
    >>> check_shapes(sp.MatrixSymbol("A", n, n), {n: 10**6}, "explicit_matrix")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    lazyrich._base.errors.InvalidParameterError: explicit_matrix: 1000000000000 explicit matrix entries requested, ...
    """
    objs = [expr] + [x for m in more for x in ((*m, *m.values()) if isinstance(m, Mapping) else (m,))]
    nodes = dict.fromkeys(node for e in objs if isinstance(e, sp.Basic) for node in sp.preorder_traversal(e))
    entries = 0
    for node in nodes:
        if isinstance(node, MatrixExpr):
            rows, cols = (dimension(d, dims, what) for d in node.shape)
            entries += rows * cols
    try:
        check_work(entries, max_explicit_entries(), "explicit matrix entries", "LAZYRICH_MAX_EXPLICIT_ENTRIES")
    except InvalidParameterError as exc:
        raise InvalidParameterError(f"{what}: {exc} (an environment variable)") from None
    return expr
