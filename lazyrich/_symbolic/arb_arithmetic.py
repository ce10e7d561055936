"""Arb ball arithmetic for the statement interpreter (:func:`lazyrich.symbolic.evaluate` with ``arithmetic="arb"``).

Every number is a python-flint ``arb`` ball and every matrix an ``arb_mat``, at the current
``flint.ctx.prec``: each operation returns a ball that contains the exact result for every point of
its input balls, so the value of a whole statement is enclosed rigorously (the inputs are taken
exactly: floats and ``mpf`` as the binary numbers they are, decimal strings as the balls Arb parses
at the working precision). A ball that is not finite (``sqrt`` or ``log`` of a ball that reaches
below 0, an inverse of a matrix that is not certainly invertible) raises :class:`PrecisionError`
naming the node, never a NaN. Matrix square roots (and powers ``k / 2^m``) are enclosed for
symmetric positive definite matrices (:meth:`ArbOps.sqrtm`); the operations with no rigorous Arb
routine here (other fractional matrix powers, functions with no Arb rule) raise a typed error
instead of an unproven ball.

>>> import flint
>>> ArbOps.function("exp")(ArbOps.convert(0.5, None, "x")).contains(flint.arb(0.5).exp())
True
"""

from __future__ import annotations

import mpmath
import numpy as np
import sympy as sp

from .._base.errors import InvalidParameterError, NonFiniteError, PrecisionError, ShapeError
from .._numerics.arb import arb_matrix, exact_arb, require_flint
from .derivative import NoDerivativeRuleError

__all__ = ["ArbOps"]

#: sympy function name -> name of the ``flint.arb`` method (``Abs`` is ``abs``).
_FUNCTIONS = {
    name: name
    for name in (
        "exp",
        "log",
        "sqrt",
        "sin",
        "cos",
        "tan",
        "asin",
        "acos",
        "atan",
        "sinh",
        "cosh",
        "tanh",
        "asinh",
        "acosh",
        "atanh",
        "expm1",
        "log1p",
    )
}


def _shown(node) -> str:
    return f"{node!s:.80}"


class ArbOps:
    """Arb ball arithmetic at ``flint.ctx.prec``: ``arb`` scalars, ``arb_mat`` matrices, ``arb_mat.exp``, ``inv``."""

    name = "arb"

    @staticmethod
    def num(x):
        """A SymPy number (rational, float, ``pi``, ``E``) as a ball containing it."""
        flint = require_flint()
        x = sp.sympify(x)
        if x is sp.pi:
            return flint.arb.pi()
        if x is sp.E:
            return flint.arb(1).exp()
        if isinstance(x, (sp.Rational, sp.Float)):
            q = sp.Rational(x)  # a Float is a binary number: its exact rational
            return flint.arb(int(q.p)) / int(q.q)
        raise InvalidParameterError(f"evaluate (arb): no exact value for the number {_shown(x)}")

    @classmethod
    def convert(cls, v, shape, name: str):
        """An input as an exact ball (``shape=None``) or an ``arb_mat`` of ``shape``; typed errors for bad input."""
        flint = require_flint()
        if shape is None:
            return cls._scalar(v, name)
        rows, cols = shape
        if isinstance(v, flint.arb_mat):
            if (v.nrows(), v.ncols()) != (rows, cols):
                raise ShapeError(f"evaluate: {name} must be {rows}x{cols}; got an arb_mat {v.nrows()}x{v.ncols()}")
            _finite_input(v.entries(), name)
            return v
        if isinstance(v, (sp.MatrixBase, mpmath.matrix)):
            v = v.tolist()
        arr = v if isinstance(v, np.ndarray) else np.array(v, dtype=object)
        if arr.size != rows * cols:
            raise ShapeError(f"evaluate: {name} must be {rows}x{cols}; got shape {arr.shape}")
        arr = arr.reshape(rows, cols)
        if arr.dtype.kind == "f":
            if not np.all(np.isfinite(arr)):
                raise NonFiniteError(f"evaluate: {name} holds NaN or inf")
            return arb_matrix(arr)
        if arr.dtype.kind == "c":
            raise InvalidParameterError(f"evaluate: {name} must be real; got a complex array")
        return flint.arb_mat(
            [[cls._scalar(x, f"{name}[{i}, {j}]") for j, x in enumerate(r)] for i, r in enumerate(arr)]
        )

    @classmethod
    def _scalar(cls, v, name: str):
        flint = require_flint()
        if isinstance(v, flint.arb):
            _finite_input([v], name)
            return v
        if isinstance(v, bool | np.bool_):
            raise InvalidParameterError(f"evaluate: {name} must be a real number; got a bool")
        if isinstance(v, int | np.integer):
            return flint.arb(int(v))  # exact at any precision
        if isinstance(v, str):
            try:
                ball = flint.arb(v)
            except ValueError:
                raise InvalidParameterError(f"evaluate: {name} must be a decimal real number; got {v!r:.60}") from None
            if not ball.is_finite():
                raise NonFiniteError(f"evaluate: {name} must be finite; got {v!r:.60}")
            return ball
        if isinstance(v, sp.Basic):
            if not v.is_Number:
                raise InvalidParameterError(f"evaluate: {name} must be a number; got {_shown(v)}")
            if not v.is_finite:
                raise NonFiniteError(f"evaluate: {name} must be finite; got {v}")
            return cls.num(v)
        return exact_arb(v if isinstance(v, mpmath.mpf) else _real(v, name))

    @staticmethod
    def check(v, node) -> None:
        """Raise :class:`PrecisionError` naming ``node`` if the ball (or a ball of the matrix) ``v`` is not finite."""
        flint = require_flint()
        balls = v.entries() if isinstance(v, flint.arb_mat) else [v]
        if not all(b.is_finite() for b in balls):
            raise PrecisionError(
                f"evaluate (arb): the ball of {_shown(node)} is not finite at {flint.ctx.prec} bits (a square root or "
                "logarithm of a ball reaching below 0, a division by a ball containing 0, or an overflow); raise "
                "flint.ctx.prec or use lazyrich.symbolic.enclose, which raises it for you"
            )

    @staticmethod
    def eye(n):
        flint = require_flint()
        return flint.arb_mat([[int(i == j) for j in range(n)] for i in range(n)]) if n else flint.arb_mat(0, 0)

    @staticmethod
    def zeros(r, c):
        return require_flint().arb_mat(r, c)

    @staticmethod
    def matmul(a, b):
        return a * b

    @staticmethod
    def T(a):
        return a.transpose()

    @staticmethod
    def expm(a):
        return a.exp()

    @staticmethod
    def inv(a):
        try:
            return a.inv()
        except ZeroDivisionError:
            raise PrecisionError(
                f"evaluate (arb): a {a.nrows()}x{a.ncols()} matrix is not certainly invertible at "
                f"{require_flint().ctx.prec} bits (singular, or too close to singular for this precision)"
            ) from None

    @classmethod
    def powm(cls, a, p):
        """``a^p`` for an integer ``p``, or ``p = k / 2^m`` of a symmetric positive definite ``a`` (``m`` square roots)."""
        p = sp.Rational(p)
        q = int(p.q)
        if q & (q - 1):
            raise InvalidParameterError(
                f"evaluate (arb): the fractional matrix power M^({p}) has no rigorous Arb enclosure here (only "
                "exponents k / 2^m of a symmetric positive definite M, through square roots); use arithmetic='mpmath'"
            )
        for _ in range(q.bit_length() - 1):
            a = cls.sqrtm(a)
        p = int(p.p)
        return cls.ipow(a if p > 0 else cls.inv(a), abs(p)) if p else cls.eye(a.nrows())

    @classmethod
    def sqrtm(cls, a):
        """Enclosure of the principal square root of a symmetric positive definite ball matrix ``a``.

        ``a`` stands for a symmetric matrix (the hypothesis of :func:`lazyrich.symbolic.matrix_sqrt`): balls
        ``a_ij`` and ``a_ji`` that do not overlap raise :class:`InvalidParameterError`; the symmetric part
        ``(a + a^T) / 2`` is used, certified positive definite by a Cholesky factorization in balls. A symmetric
        candidate ``S`` (Denman-Beavers iteration on the midpoints) with ``lambda_min(S) >= sigma > 0`` (certified the
        same way) is widened by ``||M - S^2||_F / sigma``, which bounds ``||M^(1/2) - S||_2`` for every symmetric
        positive semi-definite ``M`` in the ball: with ``D = M^(1/2) - S`` and ``D v = delta v``,
        ``|v^T (M - S^2) v| = |delta| v^T (M^(1/2) + S) v >= |delta| sigma`` (Bhatia (1997), *Matrix Analysis*,
        proof of Thm X.3.8).
        """
        flint = require_flint()
        n = a.nrows()
        if n != a.ncols():
            raise InvalidParameterError(f"evaluate (arb): a square root needs a square matrix, got {n}x{a.ncols()}")
        if not all(a[i, j].overlaps(a[j, i]) for i in range(n) for j in range(i)):
            raise InvalidParameterError(
                "evaluate (arb): the matrix square root is enclosed for a symmetric matrix; this one is certainly not"
            )
        m = (a + a.transpose()) / 2
        if not _positive_definite(m):
            raise PrecisionError(
                f"evaluate (arb): the matrix under a square root is not certainly positive definite at "
                f"{flint.ctx.prec} bits"
            )
        s = _symmetric_mid(_newton_sqrt(m.mid()))
        lam = float(min(np.linalg.eigvalsh(np.array([[float(s[i, j]) for j in range(n)] for i in range(n)]))))
        sigma = flint.arb(lam / 2) if lam > 0 else None
        if sigma is None or not _positive_definite(s - sigma * cls.eye(n)):
            raise PrecisionError(f"evaluate (arb): no certified square root at {flint.ctx.prec} bits")
        squares = sum((r * r for r in (s * s - m).entries()), flint.arb(0))
        frob = flint.arb(squares.upper()).sqrt()  # >= ||M - S^2||_F (the ball of squares may reach below 0)
        delta = flint.arb(0, (frob / sigma).upper())
        return flint.arb_mat([[s[i, j] + delta for j in range(n)] for i in range(n)])

    @staticmethod
    def ipow(x, p: int):
        """``x ** p`` (a ball, or a matrix for ``p >= 1``) for an integer ``p`` by products (python-flint's ``**``
        goes through ``log`` and returns NaN for a ball containing 0)."""
        out, base, k = require_flint().arb(1), x, abs(p)
        while k:
            if k & 1:
                out = base * out
            base, k = base * base, k >> 1
        return out if p >= 0 else 1 / out

    @staticmethod
    def trace(a):
        return a.trace()

    @staticmethod
    def det(a):
        return a.det()

    @staticmethod
    def function(name):
        if name == "Abs":
            return abs
        if name in ("re", "im"):  # every value is a real ball (complex inputs are refused)
            return (lambda v: v) if name == "re" else (lambda v: v * 0)
        if name in _FUNCTIONS:
            method = _FUNCTIONS[name]
            return lambda x: getattr(x, method)()
        raise NoDerivativeRuleError(f"evaluate (arb): no Arb rule for the function {name}")


def _positive_definite(m) -> bool:
    """True iff the Cholesky factorization of ``m`` (its lower triangle) has certainly positive pivots in balls:
    every symmetric matrix with that lower triangle in the balls is positive definite."""
    n = m.nrows()
    low = [[None] * n for _ in range(n)]
    for j in range(n):
        d = m[j, j] - sum((low[j][k] * low[j][k] for k in range(j)), 0)
        if not d > 0:
            return False
        low[j][j] = d.sqrt()
        for i in range(j + 1, n):
            low[i][j] = (m[i, j] - sum((low[i][k] * low[j][k] for k in range(j)), 0)) / low[j][j]
    return True


def _symmetric_mid(s):
    """The exactly symmetric matrix of midpoints of ``(s + s^T) / 2``."""
    return ((s + s.transpose()) / 2).mid()


def _newton_sqrt(m, steps: int = 100):
    """Midpoint Denman-Beavers iteration (Higham (2008), *Functions of Matrices*, eq. (6.15)): ``Y -> M^(1/2)``."""
    flint = require_flint()
    y, z = m, ArbOps.eye(m.nrows())
    tol = flint.arb(2) ** (8 - flint.ctx.prec) * (max(abs(v) for v in m.entries()).sqrt() + 1)
    for _ in range(steps):
        y, z = _symmetric_mid((y + z.inv().mid()) / 2), _symmetric_mid((z + y.inv().mid()) / 2)
        if max(abs(v) for v in (y * y - m).entries()) < tol:
            break
    return y


def _finite_input(balls, name: str) -> None:
    if not all(b.is_finite() for b in balls):
        raise NonFiniteError(f"evaluate: {name} holds a ball that is not finite (NaN or infinite)")


def _real(v, name: str):
    """A float for :func:`exact_arb`, refusing complex numbers with a typed error (``as_scalar`` checks the rest)."""
    if isinstance(v, complex | np.complexfloating | mpmath.mpc):
        raise InvalidParameterError(f"evaluate: {name} must be real; got {v!r:.60}")
    return v
