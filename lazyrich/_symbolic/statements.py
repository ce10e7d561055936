"""Building blocks for claim statements and proof steps that SymPy must not evaluate.

``sp.Eq`` of matrix expressions is sometimes decided on the spot: a derivative
set equal to a zero matrix collapses to ``False``, a step like ``kappa = kappa``
to ``True``. A claim's statement must stay an equation so that it can be
exported as LaTeX. :func:`equation` and :func:`ddt` keep them symbolic.
"""

from __future__ import annotations

import sympy as sp

__all__ = ["TIME", "ddt", "equation"]

#: The time variable of every gradient flow in the claims.
TIME = sp.Symbol("t", real=True)


def equation(lhs, rhs) -> sp.Eq:
    """An unevaluated equation ``lhs = rhs`` (never collapsed to True/False).

    >>> A = sp.MatrixSymbol("A", 2, 2)
    >>> sp.Eq(ddt(A.T * A), sp.ZeroMatrix(2, 2))
    False
    >>> equation(ddt(A.T * A), sp.ZeroMatrix(2, 2))
    Eq(Derivative(A.T*A, t), 0)
    """
    return sp.Eq(lhs, rhs, evaluate=False)


def ddt(expr, t: sp.Symbol = TIME) -> sp.Derivative:
    """The display form ``d/dt expr`` for statements (proofs use :func:`lazyrich.time_derivative`).

    >>> W = sp.MatrixSymbol("W", 2, 2)
    >>> ddt(W.T * W)
    Derivative(W.T*W, t)
    """
    return sp.Derivative(expr, t, evaluate=False)
