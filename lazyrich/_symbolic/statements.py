"""Building blocks for claim statements and proof steps that SymPy must not evaluate.

``sp.Eq`` of matrix expressions is sometimes decided on the spot: a derivative
set equal to a zero matrix collapses to ``False``, a step like ``kappa = kappa``
to ``True``. A claim's statement must stay an equation so that it can be
exported as LaTeX. :func:`equation` and :func:`ddt` keep them symbolic.

A statement may also declare what its relations rest on: a :func:`definition` (``P := Y M^{-1} Y^T``)
names an expression, a :func:`hypothesis` (``W_2^T W_2 - W_1 W_1^T = lambda I``) is assumed. Both are
relations of the statement like the others (printed, mutated, passed to the checks); a check reads them
with :func:`split_statement` and uses them as rewrite rules (:func:`rewrite_rules`) or substitutions
(:func:`substitutions`), so a changed definition or hypothesis changes what the check proves.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from .._base.errors import InvalidParameterError
from .._base.validation import positive_int
from .inputs import as_items, as_symbol, as_sympy
from .matrix_calculus import RewriteRule

__all__ = [
    "TIME",
    "Definition",
    "Hypothesis",
    "StatementParts",
    "ddt",
    "definition",
    "equation",
    "hypothesis",
    "rates_from",
    "resolve_definitions",
    "rewrite_rules",
    "split_statement",
    "substitutions",
]

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
    return sp.Eq(as_sympy(lhs, "lhs"), as_sympy(rhs, "rhs"), evaluate=False)


def ddt(expr, t: sp.Symbol = TIME) -> sp.Derivative:
    """The display form ``d/dt expr`` for statements (proofs use :func:`lazyrich.time_derivative`).

    >>> W = sp.MatrixSymbol("W", 2, 2)
    >>> ddt(W.T * W)
    Derivative(W.T*W, t)
    """
    return sp.Derivative(as_sympy(expr, "expr"), as_symbol(t, "t"), evaluate=False)


class _Relation(sp.Equality):
    """An equation whose two sides are checked to be SymPy objects (or numbers) when it is built."""

    __slots__ = ()

    def __new__(cls, lhs, rhs, **kwargs):
        return super().__new__(cls, as_sympy(lhs, "lhs"), as_sympy(rhs, "rhs"), **kwargs)


class Definition(_Relation):
    """``lhs := rhs``: the statement names ``rhs`` (an unevaluated equation; see :func:`definition`)."""

    __slots__ = ()


class Hypothesis(_Relation):
    """``lhs = rhs``, assumed by the statement (an unevaluated equation; see :func:`hypothesis`)."""

    __slots__ = ()


#: What a statement's relations are: equations, definitions, hypotheses (any SymPy relation).
_RELATIONS = (sp.core.relational.Relational, "SymPy relations (lazyrich.equation, definition, hypothesis)")


def definition(lhs, rhs) -> Definition:
    """The definition ``lhs := rhs`` as a relation of a statement (printed with ``:=``).

    >>> P, Y = sp.MatrixSymbol("P", 2, 2), sp.MatrixSymbol("Y", 2, 2)
    >>> d = definition(P, Y * Y.T)
    >>> isinstance(d, sp.Eq), d.lhs, d.rhs
    (True, P, Y*Y.T)
    """
    return Definition(lhs, rhs, evaluate=False)


def hypothesis(lhs, rhs) -> Hypothesis:
    """The hypothesis ``lhs = rhs`` as a relation of a statement (printed with "assumed").

    >>> lam = sp.Symbol("lambda")
    >>> W1, W2 = sp.MatrixSymbol("W_1", 2, 3), sp.MatrixSymbol("W_2", 4, 2)
    >>> hypothesis(W2.T * W2 - W1 * W1.T, lam * sp.Identity(2)).rhs
    lambda*I
    """
    return Hypothesis(lhs, rhs, evaluate=False)


@dataclass(frozen=True)
class StatementParts:
    """A statement split by kind, each list in the statement's order."""

    definitions: list
    hypotheses: list
    relations: list


def split_statement(statement) -> StatementParts:
    """The definitions, hypotheses and the remaining relations (the claims proper) of a statement.

    >>> x, y = sp.symbols("x y")
    >>> parts = split_statement([definition(y, x**2), equation(y - x**2, 0)])
    >>> len(parts.definitions), len(parts.hypotheses), len(parts.relations)
    (1, 0, 1)
    """
    defs, hyps, rels = [], [], []
    for rel in as_items(statement, "statement", sp.Basic, "SymPy objects"):
        (defs if isinstance(rel, Definition) else hyps if isinstance(rel, Hypothesis) else rels).append(rel)
    return StatementParts(defs, hyps, rels)


def _is_word(term) -> bool:
    """A product of matrix symbols and their transposes, with coefficient 1."""
    factors = term.args if isinstance(term, sp.MatMul) else (term,)
    return all(
        isinstance(f, sp.MatrixSymbol) or (isinstance(f, sp.Transpose) and isinstance(f.arg, sp.MatrixSymbol))
        for f in factors
    )


def rewrite_rules(relations) -> list[RewriteRule]:
    """Matrix relations as :class:`lazyrich.symbolic.RewriteRule` s: ``lhs - rest = rhs`` becomes ``word -> rhs + rest``.

    The first term of a ``MatAdd`` left side that is a product of matrices (``W_2^T W_2`` in
    ``W_2^T W_2 - W_1 W_1^T = lambda I``) is the rewritten word; the other terms move to the right.
    A relation whose left side has no such term raises :class:`lazyrich.InvalidParameterError`.

    >>> lam = sp.Symbol("lambda")
    >>> W1, W2 = sp.MatrixSymbol("W_1", 2, 3), sp.MatrixSymbol("W_2", 4, 2)
    >>> [r] = rewrite_rules([hypothesis(W2.T * W2 - W1 * W1.T, lam * sp.Identity(2))])
    >>> r.lhs, r.rhs
    (W_2.T*W_2, lambda*I + W_1*W_1.T)
    """
    rules = []
    for rel in as_items(relations, "relations", *_RELATIONS):
        lhs, rhs = rel.lhs, rel.rhs
        terms = list(lhs.args) if isinstance(lhs, sp.MatAdd) else [lhs]
        word = next((t for t in terms if _is_word(t)), None)
        if word is None:
            raise InvalidParameterError(
                f"rewrite_rules: the left side of {rel} has no product of matrices to rewrite; "
                "write the relation as word - rest = rhs"
            )
        rest = [t for t in terms if t is not word]
        new_rhs = sp.MatAdd(rhs, *(-t for t in rest)).doit() if rest else rhs
        rules.append(RewriteRule(word, new_rhs))
    return rules


def substitutions(definitions) -> dict:
    """``{lhs: rhs}`` of definitions (or any relations), for ``expr.subs`` / ``xreplace``.

    >>> x, y = sp.symbols("x y")
    >>> (y + 1).subs(substitutions([definition(y, x**2)]))
    x**2 + 1
    """
    return {rel.lhs: rel.rhs for rel in as_items(definitions, "definitions", *_RELATIONS)}


def resolve_definitions(expr, definitions, max_rounds: int = 32):
    """``expr`` with every definition ``lhs := rhs`` substituted until nothing changes (a definition may use another).

    Raises :class:`lazyrich.InvalidParameterError` when the definitions are circular (no fixed point).

    >>> x, y, z = sp.symbols("x y z")
    >>> resolve_definitions(z + 1, [definition(y, x**2), definition(z, 2 * y)])
    2*x**2 + 1
    """
    expr, subs = as_sympy(expr, "expr"), substitutions(definitions)
    for _ in range(positive_int(max_rounds, "max_rounds")):
        new = expr.xreplace(subs)
        if new == expr:
            return new
        expr = new
    raise InvalidParameterError(f"the definitions do not resolve after {max_rounds} substitutions: are they circular?")


def rates_from(relations, time: sp.Symbol = TIME) -> dict:
    """The declared rates ``{X: dX/dt}`` of relations ``d/dt X = rhs`` or ``c d/dt X = rhs`` (then ``rhs / c``).

    Other relations are skipped, so a whole statement may be passed.

    >>> W = sp.MatrixSymbol("W", 2, 2)
    >>> tau = sp.Symbol("tau", positive=True)
    >>> rates_from([equation(tau * ddt(W), -W), equation(W, W.T)])
    {W: (-1/tau)*W}
    """
    out, time = {}, as_symbol(time, "time")
    for rel in as_items(relations, "relations", *_RELATIONS):
        lhs, coeff = rel.lhs, sp.Integer(1)
        if isinstance(lhs, (sp.Mul, sp.MatMul)):
            ders = [a for a in lhs.args if isinstance(a, sp.Derivative)]
            if len(ders) == 1:
                coeff = sp.Mul(*(a for a in lhs.args if a is not ders[0]))
                lhs = ders[0]
        if isinstance(lhs, sp.Derivative) and lhs.variables == (time,):
            out[lhs.expr] = rel.rhs / coeff if coeff != 1 else rel.rhs
    return out
