r"""Symbols shared by the mixed-dynamics claims (Tu, Aranguri, Jacot (2024)), and how a check reads a statement.

Shapes are general: ``W_1`` is ``w x d_in``, ``W_2`` is ``d_out x w``, the cost gradient ``G`` at ``A`` is
``d_out x d_in``. The weight-side matrices of the paper (``A = W_2 W_1``, ``X = W_1^T W_1``,
``Y = W_2 W_2^T``, ``\Lambda = W_1 W_1^T - W_2^T W_2``) enter the statements as named symbols with a
:func:`lazyrich.definition`, so a mutated definition changes what the checks prove.
"""

from __future__ import annotations

import sympy as sp
from sympy import Identity, MatrixSymbol

from lazyrich import TIME, ddt, definition, equation
from lazyrich.symbolic import canonicalize, rewrite_rules, split_statement, substitutions

__all__ = [
    "LAM",
    "TIME",
    "W1",
    "W2",
    "A",
    "G",
    "I_h",
    "I_i",
    "I_o",
    "P",
    "Q",
    "Read",
    "X",
    "Y",
    "c",
    "d_in",
    "d_out",
    "eta",
    "expand",
    "gram_definitions",
    "hypothesis_rules",
    "lam",
    "read",
    "sigma",
    "t",
    "weight_flow",
    "width",
]

t = TIME
eta, lam, c, sigma = sp.symbols("eta lambda c sigma", positive=True)
d_in, width, d_out = sp.symbols("d_in w d_out", positive=True, integer=True)
W1 = MatrixSymbol("W_1", width, d_in)
W2 = MatrixSymbol("W_2", d_out, width)
G = MatrixSymbol("G", d_out, d_in)  # the cost gradient at A, any cost
A = MatrixSymbol("A", d_out, d_in)
X = MatrixSymbol("X", d_in, d_in)
Y = MatrixSymbol("Y", d_out, d_out)
LAM = MatrixSymbol(r"\Lambda", width, width)
P = MatrixSymbol("P", d_out, d_out)
Q = MatrixSymbol("Q", d_in, d_in)
I_i, I_o, I_h = Identity(d_in), Identity(d_out), Identity(width)


def weight_flow() -> list:
    """Gradient flow of ``C(W_2 W_1)``: ``dW_1/dt = -W_2^T G``, ``dW_2/dt = -G W_1^T`` (Tu et al. (2024), Sec. 2)."""
    return [equation(ddt(W1), -W2.T * G), equation(ddt(W2), -G * W1.T)]


def gram_definitions(*names: str) -> list:
    """The definitions of ``A``, ``X``, ``Y``, ``Lambda`` (those named, in that order)."""
    defs = {
        "A": definition(A, W2 * W1),
        "X": definition(X, W1.T * W1),
        "Y": definition(Y, W2 * W2.T),
        "Lambda": definition(LAM, W1 * W1.T - W2.T * W2),
    }
    return [defs[n] for n in names]


def expand(e, subs: dict):
    """``e`` with the definitions ``subs`` substituted until none is left (definitions may use each other)."""
    for _ in range(6):
        new = e.xreplace(subs)
        if new == e:
            return e
        e = new
    return e


def hypothesis_rules(hyps, subs: dict) -> list:
    """The hypotheses as rewrite rules, after substituting the definitions and expanding into words."""
    rels = []
    for h in hyps:
        lhs = canonicalize(expand(h.lhs, subs)).as_expr()
        rels.append(equation(lhs, expand(h.rhs, subs)))
    return rewrite_rules(rels)


class Read:
    """A statement split for a check: ``subs`` (definitions), ``rules`` (hypotheses), ``rates``, ``claims``."""

    def __init__(self, statement, rate_atoms=(W1, W2)):
        parts = split_statement(statement)
        self.definitions = parts.definitions
        self.subs = substitutions(parts.definitions)
        self.rules = hypothesis_rules(parts.hypotheses, self.subs) if parts.hypotheses else []
        self.rates, self.claims = {}, []
        for rel in parts.relations:
            lhs = rel.lhs
            if isinstance(lhs, sp.Derivative) and lhs.expr in rate_atoms:
                self.rates[lhs.expr] = expand(rel.rhs, self.subs)
            else:
                self.claims.append(rel)

    def x(self, e):
        """``e`` with the definitions substituted."""
        return expand(e, self.subs)


def read(statement, rate_atoms=(W1, W2)) -> Read:
    """:class:`Read` of a statement."""
    return Read(statement, rate_atoms)
