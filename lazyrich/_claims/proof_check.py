r"""Checking a proof: its lemmas in order, then its residuals and every displayed derivation step.

A :class:`lazyrich.Proof` is established when

1. each lemma (an equation) reduces to zero under the proof's rules and the lemmas before it, and
   then becomes a rewrite rule for what follows (a lemma is never used before it is proven);
2. each residual reduces to exactly zero under the rules and lemmas;
3. each derivation step (an equation, the chain that ``lazyrich latex`` displays) reduces to zero
   the same way, its time derivatives ``d/dt X`` replaced by :func:`lazyrich.symbolic.time_derivative`
   under the proof's declared ``rates`` (a step with a derivative and no rates is not established;
   ``rates={}`` declares that nothing but the time variable itself depends on time).

What decides "reduces to zero" is :func:`lazyrich.symbolic.is_zero`: canonical expansion for matrix
expressions (at general shape when the matrix symbols have symbolic dimensions), entry by entry for
explicit matrices, ``expand``/``simplify`` for scalars. :func:`established_how` says which of these a
proof rests on: ``"general shape"`` (symbolic dimensions, or scalars) or ``"explicit shapes"``.

A failure report lists every part that is not established; inside :func:`first_failure_only` (what
``lazyrich mutate`` uses: it needs to know *that* a proof fails, not everything that does) the check stops
at the first one. Expressions in a report are shown in brief (:func:`brief`): printing a residual of
thousands of terms in full costs more than the test that found it non-zero.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Mapping, Sequence

import sympy as sp
from sympy.matrices.expressions import MatrixExpr

from .._symbolic.derivative import expand_time_derivatives
from .._symbolic.matrix_calculus import RewriteRule, is_zero

__all__ = [
    "EXPLICIT_SHAPES",
    "GENERAL_SHAPE",
    "brief",
    "established_how",
    "first_failure_only",
    "proof_failures",
    "relation_residual",
]

GENERAL_SHAPE = "general shape"
EXPLICIT_SHAPES = "explicit shapes"

_FIRST_ONLY = contextvars.ContextVar("first_failure_only", default=False)
_BRIEF_NODES = 300  # an expression with more nodes is shown by its first terms


@contextlib.contextmanager
def first_failure_only():
    """Within this block :func:`proof_failures` returns at the first part that is not established."""
    token = _FIRST_ONLY.set(True)
    try:
        yield
    finally:
        _FIRST_ONLY.reset(token)


def _nodes_above(expr, limit: int) -> bool:
    for k, _ in enumerate(sp.preorder_traversal(expr)):
        if k >= limit:
            return True
    return False


def brief(expr, width: int = 300) -> str:
    """``sstr(expr)`` cut to ``width`` characters, without printing a huge expression in full first.

    >>> x = sp.Symbol("x")
    >>> brief(x + 1)
    'x + 1'
    >>> brief(sp.Add(*[x**k for k in range(400)]))[-29:]
    '+ ... (398 more terms of 400)'
    """
    if not isinstance(expr, sp.Basic) or not _nodes_above(expr, _BRIEF_NODES):
        return sp.sstr(expr)[:width]
    if isinstance(expr, (sp.Add, sp.MatAdd, sp.Eq)):
        head = " + ".join(brief(a, width // 3) for a in expr.args[:2])
        return f"{head[:width]} + ... ({len(expr.args) - 2} more terms of {len(expr.args)})"
    names = ", ".join(sorted(str(v) for v in expr.free_symbols)[:8])
    return f"({type(expr).__name__} of more than {_BRIEF_NODES} nodes in {names})"


def relation_residual(rel):
    """``lhs - rhs`` of an equation, with a scalar 0 on either side of a matrix taken as the zero matrix.

    >>> A = sp.MatrixSymbol("A", 2, 2)
    >>> relation_residual(sp.Eq(A.T, A, evaluate=False))
    -A + A.T
    >>> relation_residual(sp.Eq(A - A.T, 0, evaluate=False))
    A - A.T
    """
    lhs, rhs = rel.lhs, rel.rhs
    if isinstance(lhs, (MatrixExpr, sp.MatrixBase)) and rhs == 0:
        return lhs
    if isinstance(rhs, (MatrixExpr, sp.MatrixBase)) and lhs == 0:
        return -rhs
    return lhs - rhs


def _zero(expr, symmetric, rules, commuting) -> bool:
    if isinstance(expr, MatrixExpr) and not isinstance(expr, sp.MatrixBase):
        expr = expr.doit() if isinstance(expr, sp.MatAdd) else expr
    return is_zero(expr, symmetric=symmetric, rules=rules, commuting=commuting)


def _is_equation(obj) -> bool:
    return isinstance(obj, sp.Equality)


def proof_failures(
    residuals: Sequence,
    steps: Sequence,
    lemmas: Sequence = (),
    rates: Mapping | None = None,
    symmetric=(),
    rules: Sequence[RewriteRule] = (),
    commuting=(),
) -> list[str]:
    """What is not established in a proof (empty: all of it is); see the module docstring for the order.

    >>> x = sp.Symbol("x")
    >>> proof_failures([x - x], [sp.Eq((x + 1) ** 2, x**2 + 2 * x + 1, evaluate=False)])
    []
    >>> proof_failures([x - x], [sp.Eq((x + 1) ** 2, x**2 + 1, evaluate=False)])
    ['derivation step 1 does not reduce to zero: Eq((x + 1)**2, x**2 + 1)']
    """
    out: list[str] = []
    symmetric = tuple(symmetric)
    commuting = tuple(commuting)
    known = list(rules)
    for i, lemma in enumerate(lemmas, 1):
        if not _is_equation(lemma):
            out.append(f"lemma {i} is not an equation: {brief(lemma, 200)}")
            if _FIRST_ONLY.get():
                return out
            continue
        if not _zero(relation_residual(lemma), symmetric, known, commuting):
            out.append(f"lemma {i} does not reduce to zero under the rules before it: {brief(lemma)}")
            if _FIRST_ONLY.get():
                return out
            continue
        known.append(RewriteRule(lemma.lhs, lemma.rhs))
    for i, r in enumerate(residuals, 1):
        if not _zero(r, symmetric, known, commuting):
            out.append(f"residual {i} is not identically zero: {brief(r)}")
            if _FIRST_ONLY.get():
                return out
    for i, step in enumerate(steps, 1):
        if not _is_equation(step):
            out.append(f"derivation step {i} is not an equation (a displayed step must be checked): {brief(step, 200)}")
            if _FIRST_ONLY.get():
                return out
            continue
        try:
            if step.has(sp.Derivative):
                if rates is None:
                    out.append(f"derivation step {i} holds a derivative but the proof declares no rates")
                    continue
                step = sp.Eq(
                    expand_time_derivatives(step.lhs, rates, None),
                    expand_time_derivatives(step.rhs, rates, None),
                    evaluate=False,
                )
            ok = _zero(relation_residual(step), symmetric, known, commuting)
        except Exception as exc:  # a step the calculus cannot reduce is not established
            out.append(f"derivation step {i} could not be reduced ({type(exc).__name__}: {exc})")
            if _FIRST_ONLY.get():
                return out
            continue
        if not ok:
            out.append(f"derivation step {i} does not reduce to zero: {brief(step)}")
            if _FIRST_ONLY.get():
                return out
    return out


def _explicit(obj) -> bool:
    if isinstance(obj, sp.MatrixBase):
        return True
    if not isinstance(obj, sp.Basic):
        return False
    if obj.atoms(sp.MatrixBase) or any(isinstance(a, sp.ImmutableMatrix) for a in sp.preorder_traversal(obj)):
        return True
    for m in obj.atoms(sp.MatrixSymbol):
        if all(sp.sympify(d).is_Integer for d in m.shape) and tuple(m.shape) != (1, 1):
            return True
    return False


def established_how(objs: Sequence) -> str:
    """:data:`EXPLICIT_SHAPES` when any object holds an explicit matrix or a matrix symbol of numeric
    shape (other than 1x1), else :data:`GENERAL_SHAPE`.

    >>> n = sp.Symbol("n", integer=True, positive=True)
    >>> established_how([sp.MatrixSymbol("A", n, n).T]), established_how([sp.MatrixSymbol("A", 2, 2)])
    ('general shape', 'explicit shapes')
    """
    return EXPLICIT_SHAPES if any(_explicit(o) for o in objs) else GENERAL_SHAPE
