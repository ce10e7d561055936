"""The time derivative of matrix and scalar expressions: product and chain rules, never a silent zero.

Rules: sums, products (the scalar coefficient of a product is differentiated too, so a factor
``tr(W W^T)`` in front of ``W`` counts), transposes, integer powers, inverses
(``d(M^{-1}) = -M^{-1} dM M^{-1}``), traces, determinants (Jacobi's formula
``d det M = det M tr(M^{-1} dM)``), matrix entries, and scalar functions of time or of
time-dependent scalars (``sp.diff``). Anything else that depends on time (``exp`` of a matrix,
a fractional power, a function of a matrix) raises :class:`NoDerivativeRuleError`: declare it as a
symbol with its rate instead (:func:`lazyrich.symbolic.matrix_exp`, ``matrix_inverse``,
``matrix_power``, ``matrix_sqrt``).
"""

from __future__ import annotations

from collections.abc import Mapping

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
    Transpose,
    ZeroMatrix,
)
from sympy.matrices.expressions.matexpr import MatrixElement
from sympy.matrices.expressions.trace import Trace

from .._base.errors import LazyrichError
from .inputs import as_mapping, as_symbol, as_sympy
from .matrix_calculus import canonical_trace
from .statements import TIME

__all__ = ["NoDerivativeRuleError", "expand_time_derivatives", "time_derivative"]


class NoDerivativeRuleError(LazyrichError, TypeError):
    """A time-dependent sub-expression has no derivative rule (and no declared rate)."""


def _is_zero_rate(r) -> bool:
    if r is None or (callable(r) and not isinstance(r, sp.Basic)):
        return False
    if isinstance(r, MatrixExpr):
        return isinstance(r, ZeroMatrix) or bool(r.is_ZeroMatrix)
    return sp.sympify(r) == 0


def _outer_nodes(e, kinds) -> list:
    """The outermost sub-expressions of ``e`` of the given types (not those nested inside another)."""
    if isinstance(e, kinds):
        return [e]
    out = []
    for a in e.args:
        for n in _outer_nodes(a, kinds):
            if n not in out:
                out.append(n)
    return out


class _Differentiator:
    def __init__(self, rates: Mapping, time: sp.Symbol):
        self.rates = dict(rates)
        if time is not None and time not in self.rates:
            self.rates[time] = sp.Integer(1)
        self.live = tuple(k for k, v in self.rates.items() if not _is_zero_rate(v))

    def depends(self, e) -> bool:
        return any(e.has(k) for k in self.live)

    def __call__(self, e):
        if isinstance(e, MatrixExpr):
            return self.matrix(e)
        return self.scalar(sp.sympify(e))

    def matrix(self, e: MatrixExpr):
        if not self.depends(e):
            return ZeroMatrix(*e.shape)
        if isinstance(e, MatrixSymbol):
            r = self.rates[e]
            if r is None:
                raise NoDerivativeRuleError(f"{e} depends on time but its rate is not declared")
            if callable(r) and not isinstance(r, sp.Basic):
                return r(self)
            return ZeroMatrix(*e.shape) if not isinstance(r, MatrixExpr) and sp.sympify(r) == 0 else r
        if isinstance(e, Transpose):
            return Transpose(self.matrix(e.arg))
        if isinstance(e, MatAdd):
            return MatAdd(*[self(a) for a in e.args])
        if isinstance(e, Inverse):  # before MatPow: Inverse subclasses it
            return MatMul(-1, e, self.matrix(e.arg), e)
        if isinstance(e, MatPow):
            base, exp = e.args
            if exp.is_Integer and exp > 0:
                return self.matrix(MatMul(*([base] * int(exp)), evaluate=False))
            if exp.is_Integer and exp < 0:
                return self.matrix(MatMul(*([Inverse(base)] * int(-exp)), evaluate=False))
            raise NoDerivativeRuleError(
                f"no rule for the time derivative of the power {e}: declare it as a symbol with its rate "
                "(lazyrich.symbolic.matrix_power / matrix_sqrt)"
            )
        if isinstance(e, MatMul):
            coeff, mats = e.as_coeff_matrices()
            terms = []
            dcoeff = self.scalar(sp.sympify(coeff))
            if dcoeff != 0:
                terms.append(MatMul(dcoeff, *mats))
            for i, m in enumerate(mats):
                dm = self.matrix(m)
                if isinstance(dm, ZeroMatrix):
                    continue
                terms.append(
                    MatMul(coeff, *mats[:i], dm, *mats[i + 1 :])
                    if coeff != 1
                    else MatMul(*mats[:i], dm, *mats[i + 1 :])
                )
            if not terms:
                return ZeroMatrix(*e.shape)
            return MatAdd(*terms) if len(terms) > 1 else terms[0]
        if isinstance(e, Identity):
            return ZeroMatrix(*e.shape)
        raise NoDerivativeRuleError(
            f"no rule for the time derivative of {type(e).__name__} {e}, which depends on time; "
            "declare it as a symbol with its rate"
        )

    def node(self, n):
        """Derivative of a scalar made of matrices: trace, determinant, entry."""
        if isinstance(n, Trace):
            return canonical_trace(self.matrix(n.arg))
        if isinstance(n, Determinant):
            return n * canonical_trace(MatMul(Inverse(n.arg), self.matrix(n.arg)))
        parent, i, j = n.args
        d = self.matrix(parent)
        return sp.Integer(0) if isinstance(d, ZeroMatrix) else d[i, j]

    def scalar(self, e: sp.Expr):
        if not self.depends(e):
            return sp.Integer(0)
        nodes = _outer_nodes(e, (Trace, Determinant, MatrixElement))
        dummies = [sp.Dummy(f"m{k}") for k in range(len(nodes))]
        plain = e.xreplace(dict(zip(nodes, dummies)))
        for sub in sp.preorder_traversal(plain):
            if isinstance(sub, MatrixExpr) and self.depends(sub):
                raise NoDerivativeRuleError(
                    f"no rule for the time derivative of {plain.xreplace(dict(zip(dummies, nodes)))}: "
                    f"it applies a scalar function to the time-dependent matrix {sub}; declare it as a symbol "
                    "with its rate (e.g. lazyrich.symbolic.matrix_exp for exp(F t))"
                )
        back = dict(zip(dummies, nodes))
        out = sp.Integer(0)
        for s in self.live:
            if not isinstance(s, MatrixExpr) and plain.has(s):
                out += sp.diff(plain, s).xreplace(back) * sp.sympify(self.rates[s])
        for n, dm in zip(nodes, dummies):
            if self.depends(n):
                out += sp.diff(plain, dm).xreplace(back) * self.node(n)
        return out


def time_derivative(expr, rates: Mapping, time: sp.Symbol | None = TIME) -> sp.Basic:
    """Time derivative of a matrix (or scalar) expression by the product and chain rules.

    Parameters
    ----------
    expr : MatrixExpr or sympy.Expr
        Built from ``MatrixSymbol`` s, transposes, products, sums, integer powers,
        inverses, traces, determinants, matrix entries and scalar functions.
    rates : mapping
        Declared derivatives, ``{W1: W2.T * E, W2: E * W1.T, lam: 0, ...}``. A value may be a
        callable ``rate(d)`` that receives the differentiator ``d`` (so a rate can use other
        derivatives, as the inverse rule ``-M^{-1} d(M) M^{-1}`` does), or ``None`` for "depends on
        time, rate unknown" (differentiating it raises). Symbols absent from ``rates`` are constant.
    time : sympy.Symbol or None
        The time variable, with rate 1 unless ``rates`` says otherwise (default :data:`TIME`).

    Returns
    -------
    The derivative as an (unsimplified) expression of the same shape.

    Raises
    ------
    NoDerivativeRuleError
        For a time-dependent sub-expression without a rule (``exp`` of a matrix, a fractional
        power, a function of a matrix): never a silent zero.

    Examples
    --------
    >>> import sympy as sp
    >>> A = sp.MatrixSymbol("A", 2, 2); B = sp.MatrixSymbol("B", 2, 2)
    >>> dA = sp.MatrixSymbol("dA", 2, 2)
    >>> time_derivative(A * B, {A: dA})
    dA*B
    >>> W = sp.MatrixSymbol("W", 3, 3)
    >>> from lazyrich.symbolic import canonicalize
    >>> canonicalize(time_derivative(sp.Trace(W * W.T) * W, {W: -W})).as_expr()
    (-3*Trace(W*W.T))*W
    >>> time_derivative(sp.exp(A), {A: dA})
    Traceback (most recent call last):
    ...
    lazyrich._symbolic.derivative.NoDerivativeRuleError: no rule for the time derivative of exp(A): ...
    """
    expr, rates, time = as_sympy(expr, "expr"), as_mapping(rates, "rates"), as_symbol(time, "time", optional=True)
    return _Differentiator(rates, time)(expr)


def expand_time_derivatives(expr, rates: Mapping, time: sp.Symbol | None = TIME):
    """``expr`` with every displayed ``d/dt X`` (:func:`lazyrich.ddt`) replaced by :func:`time_derivative` of ``X``.

    Only first derivatives in ``time`` are expanded (``time=None``: each derivative in its own variable); another
    derivative raises :class:`NoDerivativeRuleError`.

    >>> W = sp.MatrixSymbol("W", 2, 2)
    >>> expand_time_derivatives(sp.Derivative(W.T * W, TIME, evaluate=False), {W: -W})
    (-W).T*W + W.T*(-W)
    """
    expr, rates, time = as_sympy(expr, "expr"), as_mapping(rates, "rates"), as_symbol(time, "time", optional=True)
    if isinstance(expr, sp.Derivative):
        (var, order), *more = expr.variable_count
        if more or order != 1 or (time is not None and var != time):
            raise NoDerivativeRuleError(
                f"only first derivatives in {time or 'one variable'} can be expanded; got {expr}"
            )
        return time_derivative(expand_time_derivatives(expr.expr, rates, time), rates, time=var)
    if not getattr(expr, "args", ()) or not expr.has(sp.Derivative):
        return expr
    return expr.func(*(expand_time_derivatives(a, rates, time) for a in expr.args))
