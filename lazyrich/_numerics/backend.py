"""Small numeric namespaces the closed forms are written against: float64 (numpy) and mpmath.

A closed form is written once, as (a) a spectral precomputation and (b) a
t-evaluation using only the operations below, on arrays whose leading axis is
time. :class:`Float64` works on float arrays (batched LAPACK); :class:`Mpmath`
on numpy object arrays of ``mpf`` (entry-wise mpmath, loops over time). A later
backend (e.g. Arb balls) implements the same few methods.

Scalar closed forms (the aligned and mixed singular values, the single neuron) are
written once as ``formula(..., lib)`` over the scalar namespace ``lib``: ``numpy`` for
float64, :class:`MpmathScalar` for mpmath and ``ArbScalar`` (:mod:`lazyrich._numerics.arb`)
for Arb balls. Two drivers turn such a formula into the guaranteed-precision paths:
:func:`lazyrich._numerics.precision.confirmed_mpmath` (``dps=N``: N correct digits, working precision from a guard the
caller derives from ``t`` and the spectrum, confirmed by re-evaluation higher up) and
``lazyrich._numerics.arb.auto_precision`` (certified balls). A new closed form therefore needs
one formula plus a guard rule, and gets all three backends.
"""

from __future__ import annotations

import mpmath
import numpy as np
from scipy.linalg import blas

from .._base.errors import SingularFactorError

__all__ = ["Float64", "Mpmath", "MpmathScalar"]


class Float64:
    """numpy float64; every function accepts arrays with leading batch axes."""

    name = "float64"
    exp = staticmethod(np.exp)
    sqrt = staticmethod(np.sqrt)

    @staticmethod
    def asarray(x) -> np.ndarray:
        return np.asarray(x, dtype=float)

    @staticmethod
    def eye(n: int) -> np.ndarray:
        return np.eye(n)

    @staticmethod
    def zeros(shape) -> np.ndarray:
        return np.zeros(shape)

    @staticmethod
    def decay_integral(x, t):
        """``(1 - e^{-2 x t}) / (2 x)`` for ``x >= 0`` (``= t`` at ``x = 0``): entire, bounded by ``t``."""
        x, t = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(t, dtype=float))
        safe = np.where(x > 0, x, 1.0)
        return np.where(x > 0, -np.expm1(-2.0 * safe * t) / (2.0 * safe), t)

    @staticmethod
    def growth_integral(f, t):
        """``(e^{2 f t} - 1) / (2 f)`` for any real ``f`` (``= t`` at ``f = 0``); overflows for large ``f t``."""
        f, t = np.broadcast_arrays(np.asarray(f, dtype=float), np.asarray(t, dtype=float))
        safe = np.where(f != 0, f, 1.0)
        return np.where(f != 0, np.expm1(2.0 * safe * t) / (2.0 * safe), t)

    @staticmethod
    def svd_full(A):
        """Full SVD ``A = U diag(s) V^T``; returns ``(U, s, V)``."""
        U, s, Vt = np.linalg.svd(A, full_matrices=True)
        return U, s, Vt.T

    @staticmethod
    def solve(A, B):
        return np.linalg.solve(A, B)

    @staticmethod
    def sandwich_inverse(Zt, A):
        """``Zt^T A^{-1} Zt`` for SPD ``A`` (batched): Cholesky ``A = L L^T``, ``Y = L^{-1} Zt``, ``Y^T Y``.

        ``A`` itself is never inverted: ``Y`` comes from a triangular solve with the
        Cholesky factor (BLAS ``trsm``, backward stable). The result is symmetric positive
        semi-definite by construction.
        """
        Y = Float64.cholesky_solve_factor(A, Zt)
        return np.swapaxes(Y, -1, -2) @ Y

    @staticmethod
    def cholesky_solve_factor(A, Zt, overwrite_zt: bool = False):
        """``Y = L^{-1} Zt`` with ``A = L L^T`` (batched), so ``Zt^T A^{-1} Zt = Y^T Y``; in place if ``overwrite_zt``.

        Raises :class:`SingularFactorError` when ``A`` is not numerically positive definite.
        """
        try:
            L = np.linalg.cholesky(A)
        except np.linalg.LinAlgError:
            raise SingularFactorError("the centre matrix lost positive definiteness in float64") from None
        # LAPACK potrf fails on any pivot <= 0 or NaN, so L has a positive diagonal here
        return _triangular_solve(L, Zt, overwrite_zt)


def _triangular_solve(L: np.ndarray, B: np.ndarray, overwrite_b: bool) -> np.ndarray:
    """``L^{-1} B`` for a batch of lower-triangular ``L`` with positive diagonals."""
    if L.shape[-1] < 10:  # numpy's batched LU is faster than a Python loop of BLAS calls here
        return np.linalg.inv(L) @ B
    Y = B if overwrite_b and B.flags.c_contiguous and B.dtype == np.float64 else np.array(B, dtype=float, order="C")
    # row-major Y[i] (m, k) is column-major Y^T: solve Y^T L^T = B^T from the right, where the row-major
    # L[i] is column-major L^T (upper triangular); both are passed without copies and Y is written in place.
    # Positional arguments (side=1, lower=0, trans_a=0, diag=0, overwrite_b=1): f2py keyword parsing costs
    # more than the 20 x 40 solve itself.
    trsm = blas.dtrsm
    m, k = L.shape[-1], Y.shape[-1]
    Lt = np.swapaxes(L.reshape(-1, m, m), -1, -2)
    Yt = np.swapaxes(Y.reshape(-1, m, k), -1, -2)
    for lt, yt in zip(Lt, Yt):
        res = trsm(1.0, lt, yt, 1, 0, 0, 0, 1)
        if res is not yt:  # pragma: no cover - f2py returned a copy instead of writing in place
            yt[...] = res
    return Y


def _obj(fn, nin: int):
    return np.frompyfunc(fn, nin, 1)


def _mp_expm1(x):
    """``e^x - 1``: mpmath's ``expm1`` only where ``exp(x) - 1`` would cancel (``|x| <= 1/2``: it loses at most
    ``log10(1 / (1 - e^{-1/2})) < 0.5`` digit beyond); elsewhere one ``exp``, several times cheaper."""
    return mpmath.exp(x) - 1 if abs(x) > 0.5 else mpmath.expm1(x)


def _mp_decay(x, t):
    return t if x == 0 else -_mp_expm1(-2 * x * t) / (2 * x)


def _mp_growth(f, t):
    return t if f == 0 else _mp_expm1(2 * f * t) / (2 * f)


def _to_mp(a: np.ndarray) -> mpmath.matrix:
    return mpmath.matrix(a.tolist())


def _from_mp(M: mpmath.matrix) -> np.ndarray:
    out = np.empty((M.rows, M.cols), dtype=object)
    for i in range(M.rows):
        for j in range(M.cols):
            out[i, j] = M[i, j]
    return out


class Mpmath:
    """mpmath at the *current* working precision, on numpy object arrays of ``mpf``.

    Callers set the precision with ``mpmath.workdps``; inputs from float64 are exact.
    """

    name = "mpmath"
    exp = staticmethod(_obj(mpmath.exp, 1))
    sqrt = staticmethod(_obj(mpmath.sqrt, 1))
    _decay = staticmethod(_obj(_mp_decay, 2))
    _growth = staticmethod(_obj(_mp_growth, 2))

    @staticmethod
    def asarray(x) -> np.ndarray:
        a = np.asarray(x)
        if a.dtype == object:
            return _obj(mpmath.mpf, 1)(a) if a.ndim else mpmath.mpf(a.item())
        return _obj(mpmath.mpf, 1)(a.astype(float)).astype(object) if a.ndim else mpmath.mpf(float(a))

    @staticmethod
    def eye(n: int) -> np.ndarray:
        out = np.full((n, n), mpmath.mpf(0), dtype=object)
        for i in range(n):
            out[i, i] = mpmath.mpf(1)
        return out

    @staticmethod
    def zeros(shape) -> np.ndarray:
        return np.full(shape, mpmath.mpf(0), dtype=object)

    @classmethod
    def decay_integral(cls, x, t):
        return cls._decay(x, t)

    @classmethod
    def growth_integral(cls, f, t):
        return cls._growth(f, t)

    @staticmethod
    def svd_full(A):
        U, s, Vt = mpmath.svd_r(_to_mp(A), full_matrices=True, compute_uv=True)
        k = min(A.shape)
        return _from_mp(U), np.array([s[i] for i in range(k)], dtype=object), _from_mp(Vt).T

    @staticmethod
    def solve(A, B):
        """``A^{-1} B`` (small precomputations only; the working precision carries guard digits)."""
        return _from_mp(mpmath.inverse(_to_mp(A)) * _to_mp(B))

    @staticmethod
    def sandwich_inverse(Zt, A):
        """``Zt^T A^{-1} Zt`` per time point via mpmath's Cholesky factor."""
        out = np.empty((*Zt.shape[:-2], Zt.shape[-1], Zt.shape[-1]), dtype=object)
        for idx in np.ndindex(*Zt.shape[:-2]):
            try:
                L = mpmath.cholesky(_to_mp(A[idx]))
            except ZeroDivisionError:
                raise SingularFactorError("the centre matrix is not positive definite at this precision") from None
            except ValueError:
                raise SingularFactorError("the centre matrix is not positive definite at this precision") from None
            Y = _from_mp(mpmath.inverse(L) * _to_mp(Zt[idx]))
            out[idx] = Y.T @ Y
        return out


class MpmathScalar:
    """mpmath scalars at the current working precision: the namespace the scalar closed forms are written over.

    ``mpf`` takes a float (exactly: ``mpf(float)`` is exact at >= 53 bits), an ``mpf`` or a decimal string.
    """

    name = "mpmath"
    exp = staticmethod(mpmath.exp)
    expm1 = staticmethod(_mp_expm1)
    sqrt = staticmethod(mpmath.sqrt)
    hypot = staticmethod(mpmath.hypot)
    fsum = staticmethod(mpmath.fsum)

    @staticmethod
    def mpf(x):
        return mpmath.mpf(x) if isinstance(x, (str, mpmath.mpf)) else mpmath.mpf(float(x))

    @staticmethod
    def root4(x):
        return mpmath.root(x, 4)
