"""Evaluate matrix expressions on concrete matrices: in float64, in mpmath at a chosen precision, or in Arb balls.

One interpreter for every arithmetic, so that a float64 value and its high-precision reference come
from the same formula, operation by operation (what ``sympy.lambdify`` would run), and declared
matrix functions (:class:`~lazyrich.symbolic.Declared`: ``exp(F t)``, inverses, powers) are
evaluated by their definitions. The Arb arithmetic (:class:`ArbOps`) encloses the exact value of
the statement at the given inputs; :func:`enclose` drives its precision until the enclosure is tight.

>>> import sympy as sp
>>> A = sp.MatrixSymbol("A", 2, 2)
>>> v = evaluate(sp.Trace(A.T * A) * sp.Identity(2), {A: [[1, 2], [3, 4]]}, arithmetic="float64")
>>> v.tolist()
[[30.0, 0.0], [0.0, 30.0]]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import mpmath
import numpy as np
import scipy.linalg
import sympy as sp
from sympy.matrices.expressions import (
    Determinant,
    Identity,
    Inverse,
    MatAdd,
    MatMul,
    MatPow,
    MatrixExpr,
    MatrixSymbol,
    Trace,
    Transpose,
    ZeroMatrix,
)
from sympy.matrices.expressions.matexpr import MatrixElement

from .._base.errors import InvalidParameterError, NonFiniteError, PrecisionError
from .._base.validation import positive_int
from .._numerics.arb import Enclosure, auto_precision, object_array, require_flint
from .arb_arithmetic import ArbOps
from .declared import Declared
from .derivative import NoDerivativeRuleError
from .inputs import as_dims, as_items, as_mapping, as_sympy, dimension

__all__ = ["ArbOps", "Float64Ops", "MpmathOps", "enclose", "evaluate", "to_float_array"]


class Float64Ops:
    """float64 arithmetic: numpy arrays, ``scipy.linalg.expm``, ``np.linalg.inv``."""

    name = "float64"

    @staticmethod
    def num(x):
        return float(x)

    @staticmethod
    def matrix(rows):
        return np.array(rows, dtype=float).reshape(len(rows), -1) if len(rows) else np.zeros((0, 0))

    @staticmethod
    def eye(n):
        return np.eye(n)

    @staticmethod
    def zeros(r, c):
        return np.zeros((r, c))

    @staticmethod
    def matmul(a, b):
        return a @ b

    @staticmethod
    def T(a):
        return a.T

    expm = staticmethod(scipy.linalg.expm)
    inv = staticmethod(np.linalg.inv)

    @staticmethod
    def powm(a, p):
        return np.real(scipy.linalg.fractional_matrix_power(a, float(p)))

    trace = staticmethod(np.trace)
    det = staticmethod(np.linalg.det)

    @staticmethod
    def function(name):
        return {"Abs": np.abs, "atan": np.arctan, "asin": np.arcsin, "acos": np.arccos}.get(name) or getattr(np, name)


class MpmathOps:
    """mpmath arithmetic at the current working precision: ``mp.matrix``, ``mp.expm``, ``mp.powm``."""

    name = "mpmath"

    @staticmethod
    def num(x):
        x = sp.sympify(x)
        if x.is_Rational:
            return mpmath.mpf(int(x.p)) / int(x.q)
        return mpmath.mpmathify(sp.N(x, mpmath.mp.dps + 5)) if isinstance(x, sp.Basic) else mpmath.mpmathify(x)

    @staticmethod
    def matrix(rows):
        return mpmath.matrix([[mpmath.mpmathify(v) for v in row] for row in rows])

    @staticmethod
    def eye(n):
        return mpmath.eye(n)

    @staticmethod
    def zeros(r, c):
        return mpmath.zeros(r, c)

    @staticmethod
    def matmul(a, b):
        return a * b

    @staticmethod
    def T(a):
        return a.T

    @staticmethod
    def expm(a):
        return mpmath.expm(a, method="taylor")

    @staticmethod
    def inv(a):
        return mpmath.inverse(a)

    @staticmethod
    def powm(a, p):
        p = sp.Rational(p)
        if p == sp.Rational(1, 2):
            return mpmath.sqrtm(a)
        return mpmath.powm(a, mpmath.mpf(int(p.p)) / int(p.q))

    @staticmethod
    def trace(a):
        return mpmath.fsum(a[i, i] for i in range(a.rows))

    @staticmethod
    def det(a):
        return mpmath.det(a)

    @staticmethod
    def function(name):
        return {"Abs": abs, "exp": mpmath.exp, "log": mpmath.log}.get(name) or getattr(mpmath, name)


_ARITHMETIC = {"float64": Float64Ops, "mpmath": MpmathOps, "arb": ArbOps}


class _Interpreter:
    def __init__(self, env: Mapping, ops, declared: Iterable, dims: Mapping):
        self.ops = ops
        self.dims = {sp.sympify(k): sp.Integer(int(v)) for k, v in dict(dims).items()}
        self.env = {}
        for k, v in env.items():
            self.env[k] = self._value(k, v)
        self.declared = {d.symbol: d for d in declared}
        self.cache: dict = {}

    def _value(self, k, v):
        if self.ops is ArbOps:
            shape = (self.size(k.shape[0]), self.size(k.shape[1])) if isinstance(k, MatrixSymbol) else None
            return ArbOps.convert(v, shape, str(k))
        if (
            isinstance(v, mpmath.matrix if self.ops is MpmathOps else np.ndarray) and v.dtype != object
            if isinstance(v, np.ndarray)
            else isinstance(v, mpmath.matrix if self.ops is MpmathOps else np.ndarray)
        ):
            return v
        if isinstance(k, MatrixSymbol):
            if isinstance(v, sp.MatrixBase):
                v = v.tolist()
            if isinstance(v, mpmath.matrix):
                v = v.tolist()
            arr = v if isinstance(v, np.ndarray) else np.array(v, dtype=object)
            arr = arr.reshape(self.size(k.shape[0]), self.size(k.shape[1]))
            return self.ops.matrix(
                [[self.ops.num(x) if isinstance(x, sp.Basic) else x for x in row] for row in arr.tolist()]
            )
        return (
            self.ops.num(v)
            if isinstance(v, sp.Basic)
            else (float(v) if self.ops is Float64Ops else mpmath.mpmathify(v))
        )

    def size(self, d) -> int:
        return dimension(d, self.dims, "evaluate")

    def __call__(self, e):
        if e in self.cache:
            return self.cache[e]
        v = self._eval(e)
        if self.ops is ArbOps:
            ArbOps.check(v, e)
        self.cache[e] = v
        return v

    def _eval(self, e):
        ops = self.ops
        if isinstance(e, MatrixSymbol):
            if e in self.env:
                return self.env[e]
            if e in self.declared:
                return self.declared[e].evaluate(self, ops)
            raise InvalidParameterError(f"evaluate: no value for the matrix {e}")
        if isinstance(e, Identity):
            return ops.eye(self.size(e.shape[0]))
        if isinstance(e, ZeroMatrix):
            return ops.zeros(self.size(e.shape[0]), self.size(e.shape[1]))
        if isinstance(e, Transpose):
            return ops.T(self(e.arg))
        if isinstance(e, MatAdd):
            vals = [self(a) for a in e.args]
            out = vals[0]
            for v in vals[1:]:
                out = out + v
            return out
        if isinstance(e, MatMul):
            coeff, mats = e.as_coeff_matrices()
            out = self(mats[0])
            for m in mats[1:]:
                out = ops.matmul(out, self(m))
            return out if coeff == 1 else out * self(sp.sympify(coeff))
        if isinstance(e, Inverse):
            return ops.inv(self(e.arg))
        if isinstance(e, MatPow):
            base, p = e.args
            if p.is_Integer:
                b = self(base) if p > 0 else ops.inv(self(base))
                out = b
                for _ in range(abs(int(p)) - 1):
                    out = ops.matmul(out, b)
                return out if p != 0 else ops.eye(self.size(e.shape[0]))
            return ops.powm(self(base), p)
        if isinstance(e, MatrixExpr):
            raise NoDerivativeRuleError(f"evaluate: no numeric rule for {type(e).__name__} {e}")
        if isinstance(e, Trace):
            return ops.trace(self(e.arg))
        if isinstance(e, Determinant):
            return ops.det(self(e.arg))
        if isinstance(e, MatrixElement):
            parent, i, j = e.args
            return self(parent)[self.size(i), self.size(j)]
        if e.is_Number or e in (sp.pi, sp.E):
            return ops.num(e)
        if isinstance(e, sp.Symbol):
            if e in self.env:
                return self.env[e]
            raise InvalidParameterError(f"evaluate: no value for the symbol {e}")
        if isinstance(e, sp.Add):
            vals = [self(a) for a in e.args]
            out = vals[0]
            for v in vals[1:]:
                out = out + v
            return out
        if isinstance(e, sp.Mul):
            out = self(e.args[0])
            for a in e.args[1:]:
                out = out * self(a)
            return out
        if isinstance(e, sp.Pow):
            b, p = e.args
            if p.is_Integer:
                return ArbOps.ipow(self(b), int(p)) if self.ops is ArbOps else self(b) ** int(p)
            if p == sp.Rational(1, 2):
                return ops.function("sqrt")(self(b))
            return self(b) ** self(p)
        if isinstance(e, sp.Function):
            return ops.function(type(e).__name__)(*[self(a) for a in e.args])
        raise InvalidParameterError(f"evaluate: cannot evaluate {type(e).__name__} {e}")


def evaluate(expr, values: Mapping, declared: Iterable = (), dims: Mapping | None = None, arithmetic: str = "mpmath"):
    """Value of ``expr`` for concrete ``values`` of its symbols.

    Parameters
    ----------
    expr : sympy expression (matrix or scalar)
    values : mapping
        ``{symbol: value}``; matrices as nested lists, numpy arrays or ``mpmath.matrix``.
    declared : iterable of Declared
        Declared matrix functions, evaluated from their definitions when not in ``values``.
    dims : mapping, optional
        Values of symbolic dimensions (``{n: 3}``).
    arithmetic : {"mpmath", "float64", "arb"}
        ``mpmath`` runs at the current ``mpmath.mp.dps``; ``arb`` in python-flint balls at the current
        ``flint.ctx.prec`` (inputs: floats, ints and ``mpf`` taken exactly, decimal strings, arrays,
        ``flint.arb`` / ``arb_mat``), see :func:`enclose`.

    Returns
    -------
    ``numpy.ndarray`` / float, ``mpmath.matrix`` / ``mpf``, or ``flint.arb_mat`` / ``flint.arb``.

    Raises
    ------
    PrecisionError
        (arb) A ball is not finite (e.g. the square root of a ball reaching below 0); the message names the node.
    NoDerivativeRuleError, InvalidParameterError
        A node (matrix operation, function) with no rule in the arithmetic.

    Examples
    --------
    >>> import flint
    >>> x = sp.Symbol("x")
    >>> flint.ctx.prec = 200  # the caller sets the precision (enclose chooses it)
    >>> ball = evaluate(sp.exp(x) - 1, {x: 1e-20}, arithmetic="arb")
    >>> flint.ctx.prec = 53
    >>> ball.contains(flint.arb(1e-20)), float(ball.mid()) == 1e-20, float(ball.rad()) < 1e-58
    (False, True, True)
    """
    if not isinstance(arithmetic, str) or arithmetic not in _ARITHMETIC:
        raise InvalidParameterError(f"arithmetic must be 'mpmath', 'float64' or 'arb', got {arithmetic!r:.60}")
    expr, values = as_sympy(expr, "expr"), as_mapping(values, "values")
    if expr.has(sp.oo, -sp.oo, sp.zoo, sp.nan):
        raise NonFiniteError(f"evaluate: expr holds an infinite or NaN number ({expr!s:.60}); pass a finite expression")
    declared = as_items(declared, "declared", Declared, "Declared (lazyrich.symbolic.matrix_exp, matrix_inverse, ...)")
    return _Interpreter(values, _ARITHMETIC[arithmetic], declared, as_dims(dims))(expr)


def enclose(expr, values: Mapping, declared: Iterable = (), dims: Mapping | None = None, bits: int = 100) -> Enclosure:
    r"""Certified enclosure of ``expr`` at ``values``: :func:`evaluate` in Arb, precision raised until it is tight.

    The working precision starts at ``bits + 32`` and doubles (the driver of the certified closed forms,
    :class:`lazyrich.certified.Enclosure` is the result) until every radius is at most ``2^-bits`` times the
    largest magnitude of the value; a non-finite ball at some precision (a square root of a ball that still
    reaches below 0, a matrix not yet certainly invertible) just moves on to the next one. Floats, ints and
    ``mpf`` inputs are taken as the exact numbers they are; decimal strings (``"1e-30"``) as the decimal value,
    re-read at each precision. A value that is exactly 0 without Arb getting it exactly (a residual such as
    ``sqrt(x) sqrt(y) - sqrt(x y)``) has no relative accuracy: the precision rises until the radius is below the
    float64 range (about 2000 bits), an absolute bound; enclosing the two sides and comparing them with
    ``Enclosure.distance_bound`` is cheaper.

    The enclosure is rigorous: every entry of the exact value :math:`v` of ``expr`` lies in its ball, and

    .. math::
        \operatorname{rad}(v_{ij}) \le 2^{-\mathrm{bits}} \max_{kl} |v_{kl}|.

    Parameters
    ----------
    expr : sympy expression (matrix or scalar) or number
        What to enclose; strings, ``None`` and other objects are refused, and so is an expression holding
        ``oo``/``nan``.
    values : mapping
        ``{symbol: value}`` for every symbol and matrix symbol of ``expr`` (the SymPy objects themselves as keys):
        finite real numbers (floats, ints, ``mpf``, SymPy rationals, decimal strings), matrices as nested lists,
        numpy arrays or ``mpmath.matrix`` of those, ``flint.arb`` / ``arb_mat``. A missing value, a complex or
        non-finite one, or a matrix of the wrong shape is refused.
    declared : iterable of Declared
        Declared matrix functions (:func:`lazyrich.symbolic.matrix_exp`, ...), evaluated from their definitions
        when not in ``values``.
    dims : mapping, optional
        Values of symbolic dimensions (``{n: 3}``), integers >= 0.
    bits : int
        Relative accuracy asked, an integer >= 1 (radius <= ``2^-bits`` times the largest magnitude); above
        ``MAX_PREC - 32`` bits (262112) it cannot be certified.

    Returns
    -------
    Enclosure
        ``balls`` is a 0-d object array for a scalar, the matrix of balls for a matrix; ``mid``, ``rad``,
        ``distance_bound(x)``, ``contains(x)``.

    Raises
    ------
    InvalidParameterError
        ``expr``, ``values``, ``declared`` or ``dims`` of the wrong type, a symbol without a value, a complex or
        unreadable value, ``bits`` not an integer >= 1 (a ``bool``, a float, a string).
    NonFiniteError
        A NaN or infinite value, or ``expr`` holding ``oo``/``nan``.
    ShapeError
        A matrix value of the wrong shape, or a matrix where a scalar is expected.
    MissingDependencyError
        python-flint is not installed.
    PrecisionError
        The accuracy cannot be reached below ``MAX_PREC`` bits (the last failure of a node is chained): ``expr``
        is not finite at ``values`` (a pole, the logarithm of 0, the square root of a negative number) or
        ``bits`` is too large.

    Examples
    --------
    >>> x = sp.Symbol("x")
    >>> enc = enclose(sp.exp(x) - 1, {x: 1e-20})
    >>> float(enc.mid), bool(enc.rad <= 2.0**-100 * 1e-20)
    (1e-20, True)
    >>> f64 = float(evaluate(sp.exp(x) - 1, {x: 1e-20}, arithmetic="float64"))
    >>> f64, bool(enc.distance_bound(f64) >= 1e-20)  # the float64 value lost every digit
    (0.0, True)
    >>> A = sp.MatrixSymbol("A", 2, 2)
    >>> enc = enclose(A.T * A + sp.Identity(2), {A: [[1.0, 2.0], [0.5, "0.1"]]})
    >>> enc.mid.tolist()
    [[2.25, 2.05], [2.05, 5.01]]
    >>> enc.contains(np.array([[2.25, 2.05], [2.05, 5.01]]))  # 0.1 is no float: 2.05 and 5.01 are not the values
    False
    """
    bits = positive_int(bits, "bits")
    flint = require_flint()
    failures: list[PrecisionError] = []

    def run():
        try:
            v = evaluate(expr, values, declared=declared, dims=dims, arithmetic="arb")
        except PrecisionError as err:
            failures.append(err)
            return object_array([flint.arb.nan()])
        if isinstance(v, flint.arb_mat):
            out = np.empty((v.nrows(), v.ncols()), dtype=object)
            for i in range(v.nrows()):
                for j in range(v.ncols()):
                    out[i, j] = v[i, j]
            return out
        out = np.empty((), dtype=object)
        out[()] = v
        return out

    try:
        return auto_precision(run, bits, bits + 32)
    except PrecisionError as err:
        if failures:
            raise PrecisionError(f"{err}; last failure: {failures[-1]}") from failures[-1]
        raise


def to_float_array(v) -> np.ndarray:
    """A value of :func:`evaluate` (either arithmetic) as a 2-D float64 array (a scalar as 1x1).

    >>> to_float_array(mpmath.mpf(2)).tolist()
    [[2.0]]
    """
    if isinstance(v, mpmath.matrix):
        return np.array([[float(v[i, j]) for j in range(v.cols)] for i in range(v.rows)])
    if isinstance(v, np.ndarray):
        return v.astype(float).reshape(v.shape if v.ndim == 2 else (1, -1))
    return np.array([[float(v)]])
