"""Matrix functions of time given as symbols with declared facts: ``exp(F t)``, inverses, powers, square roots.

SymPy has no exponential, square root or fractional power of a ``MatrixSymbol`` that a
non-commutative calculus can work with. A :class:`Declared` symbol stands for such a function:
it carries its definition (printed in LaTeX and evaluated numerically), its rate for
:func:`lazyrich.time_derivative`, whether it is symmetric, the pairs it commutes with, and the
rewrite rules it satisfies, which :func:`lazyrich.canonicalize` uses.

>>> import sympy as sp
>>> from lazyrich.symbolic import canonicalize, time_derivative
>>> n = sp.Symbol("n", integer=True, positive=True)
>>> F = sp.MatrixSymbol("F", n, n)
>>> E = matrix_exp(sp.MatrixSymbol("E", n, n), F, symmetric=True)
>>> d = time_derivative(E.symbol * F, E.rates())
>>> canonicalize(d - F * F * E.symbol, **facts([E])).is_zero()
True
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import sympy as sp
from sympy.matrices.expressions import Identity, MatrixExpr, MatrixSymbol

from .._base.errors import InvalidParameterError, ShapeError
from .._base.validation import as_flag
from .inputs import as_items, as_symbol, as_sympy
from .matrix_calculus import RewriteRule
from .statements import TIME

__all__ = [
    "Commute",
    "Declared",
    "facts",
    "matrix_exp",
    "matrix_inverse",
    "matrix_power",
    "matrix_sqrt",
]


@dataclass(frozen=True)
class Commute:
    """The fact ``A B = B A`` (used by :func:`lazyrich.canonicalize` as an ordering, so it never loops).

    >>> A, B = sp.MatrixSymbol("A", 2, 2), sp.MatrixSymbol("B", 2, 2)
    >>> Commute(A, B)
    Commute(a=A, b=B)
    """

    a: MatrixExpr
    b: MatrixExpr


@dataclass(frozen=True)
class Declared:
    """A matrix symbol standing for a function of time or of other matrices, with declared facts.

    Parameters
    ----------
    symbol : MatrixSymbol
        The symbol used in expressions (e.g. ``E``).
    definition : sympy.Basic
        What it stands for, for display (e.g. ``exp(F t)``).
    rate : MatrixExpr, callable, or None
        ``d symbol / dt``: an expression, a callable ``rate(d)`` of the differentiator ``d`` (see
        :func:`lazyrich.time_derivative`), ``None`` for "depends on time, no rule" (differentiating
        raises), or ``0`` for a constant.
    evaluate : callable
        ``evaluate(ev, ops)`` returns its value, where ``ev(expr)`` evaluates a sub-expression in the
        current arithmetic and ``ops`` gives ``expm``, ``inv``, ``powm``, ``sqrtm`` in it.
    symmetric : bool
    commutes : tuple
        Atoms it commutes with.
    rules : tuple of RewriteRule
        Algebraic facts (e.g. ``M^{-1} M = I``).
    at_zero : MatrixExpr, optional
        Its value at time 0 when the definition does not give it by substitution (``exp(F 0) = I``).
    """

    symbol: MatrixSymbol
    definition: sp.Basic
    rate: object
    evaluate: Callable = field(repr=False)
    symmetric: bool = False
    commutes: tuple = ()
    rules: tuple = ()
    at_zero: object = None

    def rates(self) -> dict:
        """``{symbol: rate}``, ready for :func:`lazyrich.time_derivative`."""
        return {self.symbol: self.rate}


def _check_square(M, what: str) -> None:
    if not isinstance(M, MatrixExpr):
        raise InvalidParameterError(f"{what}: expected a matrix expression, got {type(M).__name__}")
    if M.shape[0] != M.shape[1]:
        raise ShapeError(f"{what}: the matrix must be square, got shape {M.shape}")


def _check_symbol(S, M, what: str) -> None:
    if not isinstance(S, MatrixSymbol):
        raise InvalidParameterError(f"{what}: the declared symbol must be a MatrixSymbol, got {type(S).__name__}")
    if tuple(S.shape) != tuple(M.shape):
        raise ShapeError(f"{what}: symbol {S} has shape {S.shape}, its definition {M.shape}")


def matrix_exp(E: MatrixSymbol, F: MatrixExpr, t: sp.Symbol = TIME, scale=1, symmetric: bool = False) -> Declared:
    """Declare ``E = exp(scale F t)``: ``dE/dt = scale F E``, ``E F = F E``, ``E(0) = I``.

    ``symmetric=True`` declares ``E^T = E`` (true when ``F`` is symmetric).

    >>> F = sp.MatrixSymbol("F", 2, 2)
    >>> E = matrix_exp(sp.MatrixSymbol("E", 2, 2), F, scale=sp.Rational(1, 2))
    >>> E.rate
    (1/2)*F*E
    """
    _check_square(F, "matrix_exp")
    _check_symbol(E, F, "matrix_exp")
    t, scale = as_symbol(t, "matrix_exp: t"), as_sympy(scale, "matrix_exp: scale", scalar=True)
    symmetric = as_flag(symmetric, "symmetric")
    return Declared(
        symbol=E,
        definition=sp.exp(sp.MatMul(scale * t, F)),
        rate=scale * F * E,
        evaluate=lambda ev, ops: ops.expm(ev(scale * t * F)),
        symmetric=symmetric,
        commutes=(F,),
        at_zero=Identity(F.shape[0]),
    )


def matrix_inverse(Minv: MatrixSymbol, M: MatrixExpr, symmetric: bool = False) -> Declared:
    """Declare ``Minv = M^{-1}``: ``d(M^{-1}) = -M^{-1} dM M^{-1}`` and ``M^{-1} M = M M^{-1} = I`` when ``M`` is
    a product of atoms.

    >>> M = sp.MatrixSymbol("M", 2, 2)
    >>> inv = matrix_inverse(sp.MatrixSymbol("Minv", 2, 2), M)
    >>> [str(r.lhs) for r in inv.rules]
    ['Minv*M', 'M*Minv']
    """
    _check_square(M, "matrix_inverse")
    _check_symbol(Minv, M, "matrix_inverse")
    symmetric = as_flag(symmetric, "symmetric")
    rules = ()
    if isinstance(M, MatrixSymbol) or (isinstance(M, sp.MatMul) and all(isinstance(a, MatrixSymbol) for a in M.args)):
        rules = (RewriteRule(Minv * M, Identity(M.shape[0])), RewriteRule(M * Minv, Identity(M.shape[0])))
    return Declared(
        symbol=Minv,
        definition=sp.Inverse(M),
        rate=lambda d: -Minv * d(M) * Minv,
        evaluate=lambda ev, ops: ops.inv(ev(M)),
        symmetric=symmetric,
        commutes=(M,),
        rules=rules,
    )


def matrix_power(P: MatrixSymbol, M: MatrixExpr, exponent, rate=None, symmetric: bool = False) -> Declared:
    """Declare ``P = M^exponent`` (for a symmetric positive semi-definite ``M`` when the exponent is
    fractional): ``P M = M P``; the rate must be given (``rate=None``: differentiating ``P`` raises),
    since ``d(M^p)`` has no closed form unless ``dM`` commutes with ``M``.

    >>> M = sp.MatrixSymbol("M", 2, 2)
    >>> P = matrix_power(sp.MatrixSymbol("P", 2, 2), M, sp.Rational(1, 3), symmetric=True)
    >>> P.definition
    M**(1/3)
    """
    _check_square(M, "matrix_power")
    _check_symbol(P, M, "matrix_power")
    exponent = as_sympy(exponent, "matrix_power: exponent", scalar=True)
    symmetric = as_flag(symmetric, "symmetric")
    if not exponent.is_Rational:
        raise InvalidParameterError(f"matrix_power: the exponent must be rational, got {exponent}")
    return Declared(
        symbol=P,
        definition=sp.MatPow(M, exponent),
        rate=rate,
        evaluate=lambda ev, ops: ops.powm(ev(M), exponent),
        symmetric=symmetric,
        commutes=(M,),
    )


def matrix_sqrt(R: MatrixSymbol, M: MatrixExpr, rate=None, symmetric: bool = True) -> Declared:
    """Declare ``R = M^{1/2}`` (the principal square root): ``R R = M``, ``R M = M R``; see :func:`matrix_power`.

    >>> M = sp.MatrixSymbol("M", 2, 2)
    >>> R = matrix_sqrt(sp.MatrixSymbol("R", 2, 2), M)
    >>> str(R.rules[0].lhs), R.symmetric
    ('R**2', True)
    """
    p = matrix_power(R, M, sp.Rational(1, 2), rate=rate, symmetric=symmetric)
    return Declared(
        symbol=R,
        definition=p.definition,
        rate=rate,
        evaluate=p.evaluate,
        symmetric=symmetric,
        commutes=(M,),
        rules=(RewriteRule(R * R, M),),
    )


def facts(declared: Iterable) -> dict:
    """The keyword arguments of :func:`lazyrich.canonicalize` / :func:`lazyrich.is_zero` for a set of facts.

    ``declared`` holds :class:`Declared` symbols, :class:`Commute` facts, :class:`~lazyrich.RewriteRule` s
    and ``MatrixSymbol`` s (declared symmetric).

    >>> A, B = sp.MatrixSymbol("A", 2, 2), sp.MatrixSymbol("B", 2, 2)
    >>> sorted(facts([Commute(A, B), A]))
    ['commuting', 'rules', 'symmetric']
    """
    symmetric, commuting, rules = [], [], []
    for f in as_items(declared, "declared", object, "facts (Declared, Commute, RewriteRule, MatrixSymbol)"):
        if isinstance(f, Declared):
            if f.symmetric:
                symmetric.append(f.symbol)
            commuting += [(f.symbol, c) for c in f.commutes]
            rules += list(f.rules)
        elif isinstance(f, Commute):
            commuting.append((f.a, f.b))
        elif isinstance(f, RewriteRule):
            rules.append(f)
        elif isinstance(f, MatrixSymbol):
            symmetric.append(f)
        else:
            raise InvalidParameterError(
                f"a fact must be Declared, Commute, RewriteRule or a symmetric MatrixSymbol, got {type(f).__name__}"
            )
    return {"symmetric": tuple(symmetric), "commuting": tuple(commuting), "rules": tuple(rules)}
