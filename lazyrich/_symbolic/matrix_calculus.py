"""Non-commutative matrix calculus over SymPy ``MatrixSymbol`` expressions.

SymPy cannot differentiate a product of time-dependent matrices correctly
(``Function`` arguments commute) and has no exponential of a ``MatrixSymbol``.
This module gives the three pieces every symbolic claim in lazyrich uses:

* :func:`lazyrich.time_derivative` (in ``derivative.py``): the product and chain rules;
* :func:`canonicalize`: expands an expression into a sum of coefficient times
  *word* (an ordered tuple of matrix atoms), merges equal words, optionally
  rewrites sub-words by rules (e.g. lambda-balance), so an identity reduces to
  an exact zero;
* :func:`explicit_residual`: the same identity on explicit small shapes, with
  symbolic entries, as an independent route.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import sympy as sp
from sympy.matrices.expressions import (
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
from sympy.polys.domains import QQ
from sympy.polys.fields import field
from sympy.polys.rings import ring

from .._base.errors import InvalidParameterError, LazyrichError
from .inputs import as_dims, as_mapping, as_sympy, check_shapes, dimension
from .zero_screen import nonzero_screen

__all__ = [
    "Canonical",
    "RewriteLoopError",
    "RewriteRule",
    "UnsupportedExpressionError",
    "canonical_trace",
    "canonicalize",
    "explicit_matrix",
    "explicit_residual",
    "explicit_time_derivative",
    "is_zero",
]

Word = tuple  # a tuple of matrix atoms, multiplied left to right


@dataclass(frozen=True)
class RewriteRule:
    """Replace every occurrence of the product ``lhs`` by ``rhs``.

    ``lhs`` is a product of atoms (e.g. ``W2.T * W2``); ``rhs`` any matrix
    expression of the same shape (e.g. ``W1 * W1.T + lam * Identity(Nh)``).
    The transposed rule is applied too.

    >>> import sympy as sp
    >>> W = sp.MatrixSymbol("W", 3, 3)
    >>> orth = RewriteRule(W.T * W, sp.Identity(3))
    >>> canonicalize(W * W.T * W - W, rules=[orth]).is_zero()
    True
    """

    lhs: MatrixExpr
    rhs: MatrixExpr


class RewriteLoopError(LazyrichError, RuntimeError):
    """Rewrite rules (with commutations) did not reach a normal form: some rule does not shorten words."""


def _commuting_pairs(commuting: Iterable, symmetric: frozenset) -> frozenset:
    """Unordered pairs of atoms that commute, closed under transposition (``AB = BA`` iff ``B^T A^T = A^T B^T``)."""
    out = set()
    for a, b in commuting:
        out.add(frozenset((a, b)))
        out.add(frozenset((_transpose_atom(a, symmetric), _transpose_atom(b, symmetric))))
    return frozenset(p for p in out if len(p) == 2)


def _sort_word(word: Word, pairs: frozenset) -> Word:
    """Bubble adjacent commuting atoms into a fixed order (by ``srepr``): terminates, never loops."""
    if not pairs:
        return word
    w = list(word)
    swapped = True
    while swapped:
        swapped = False
        for i in range(len(w) - 1):
            if frozenset((w[i], w[i + 1])) in pairs and _word_key((w[i],)) > _word_key((w[i + 1],)):
                w[i], w[i + 1] = w[i + 1], w[i]
                swapped = True
    return tuple(w)


def canonical_trace(
    expr: MatrixExpr, symmetric: Iterable = (), rules: Sequence = (), commuting: Iterable = ()
) -> sp.Expr:
    """Trace of a matrix expression in a canonical form: distributed over sums, each word's trace
    written with the least of its cyclic rotations and of those of its transpose (``tr(AB) = tr(BA)``,
    ``tr(X^T) = tr(X)``).

    >>> import sympy as sp
    >>> A = sp.MatrixSymbol("A", 2, 2); B = sp.MatrixSymbol("B", 2, 2)
    >>> canonical_trace(A * B) - canonical_trace(B.T * A.T)
    0
    """
    symmetric = frozenset(symmetric)
    pairs = _commuting_pairs(commuting, symmetric)
    can = canonicalize(expr, symmetric=symmetric, rules=rules, commuting=commuting)
    out = sp.Integer(0)
    for w, c in can.terms.items():
        if not w:
            out += c * expr.shape[0]
            continue
        tw = tuple(_transpose_atom(a, symmetric) for a in reversed(w))
        cands = [_sort_word(v[i:] + v[:i], pairs) for v in (w, tw) for i in range(len(v))]
        best = min(cands, key=_word_key)
        out += c * Trace(_word_expr(best, can.shape))
    return out


def _canonical_coefficient(c, symmetric, rules, commuting) -> sp.Expr:
    """``c`` with every trace in it replaced by its :func:`canonical_trace` form, expanded."""
    if not (isinstance(c, sp.Basic) and c.has(Trace)):
        return sp.expand(c)
    traces = [e for e in sp.preorder_traversal(c) if isinstance(e, Trace)]
    repl = {tr: canonical_trace(tr.arg, symmetric, rules, commuting) for tr in traces}
    return sp.expand(c.xreplace(repl))


def _transpose_atom(atom, symmetric: frozenset):
    if isinstance(atom, Transpose):
        return atom.arg
    if isinstance(atom, Inverse):
        return Inverse(_transpose_atom(atom.arg, symmetric)) if _is_atom(atom.arg) else Inverse(Transpose(atom.arg))
    if atom in symmetric:
        return atom
    return Transpose(atom)


def _is_atom(e) -> bool:
    return isinstance(e, MatrixSymbol) or (isinstance(e, Transpose) and isinstance(e.arg, MatrixSymbol))


def _word_key(word: Word) -> str:
    return " ".join(sp.srepr(a) for a in word)


@dataclass
class Canonical:
    """An expanded matrix polynomial: ``sum(coeff * product(word))``."""

    terms: dict
    shape: tuple

    def is_zero(self) -> bool:
        return all(c == 0 or (not nonzero_screen(c) and sp.simplify(c) == 0) for c in self.terms.values())

    def as_expr(self) -> MatrixExpr:
        parts = [
            c * _word_expr(w, self.shape)
            for w, c in sorted(self.terms.items(), key=lambda kv: _word_key(kv[0]))
            if c != 0
        ]
        if not parts:
            return ZeroMatrix(*self.shape)
        return MatAdd(*parts) if len(parts) > 1 else parts[0]

    def __len__(self) -> int:
        return sum(1 for c in self.terms.values() if c != 0)


def _word_expr(word: Word, shape) -> MatrixExpr:
    if not word:
        return Identity(shape[0])
    if len(word) == 1:
        return word[0]
    return MatMul(*word)


class _Expander:
    def __init__(self, symmetric: Iterable, scalar_symbols: Mapping, rules: Sequence = (), commuting: Iterable = ()):
        self.symmetric = frozenset(symmetric)
        self.scalars = dict(scalar_symbols)
        self.rules = tuple(rules)
        self.commuting = tuple(commuting)

    def atom(self, a) -> dict:
        if isinstance(a, MatrixSymbol) and a.shape == (1, 1):
            # 1x1 matrices are scalars: they commute, so move them into the coefficient
            return {(): self.scalars.setdefault(a, sp.Symbol(a.name))}
        return {(a,): sp.Integer(1)}

    def _inverse(self, arg) -> dict:
        inner = canonicalize(arg, symmetric=self.symmetric, rules=self.rules, commuting=self.commuting).as_expr()
        if isinstance(inner, Identity):
            return {(): sp.Integer(1)}
        return {(Inverse(inner),): sp.Integer(1)}

    def _transposed(self, a) -> dict:
        if isinstance(a, Inverse) and not _is_atom(a.arg):
            return self._inverse(Transpose(a.arg))  # (M^-1)^T = (M^T)^-1, with M^T put in canonical form
        return {(_transpose_atom(a, self.symmetric),): sp.Integer(1)}

    def __call__(self, e) -> dict:
        if isinstance(e, MatrixSymbol):
            return self.atom(e)
        if isinstance(e, Identity):
            return {(): sp.Integer(1)}
        if isinstance(e, ZeroMatrix) or (isinstance(e, MatrixExpr) and e.is_ZeroMatrix):
            return {}
        if isinstance(e, Transpose):
            out: dict = {}
            for w, c in self(e.arg).items():
                acc = {(): c}
                for a in reversed(w):
                    acc = self._mul(acc, self._transposed(a))
                for tw, tc in acc.items():
                    out[tw] = out.get(tw, 0) + tc
            return out
        if isinstance(e, MatAdd):
            out = {}
            for a in e.args:
                for w, c in self(a).items():
                    out[w] = out.get(w, 0) + c
            return out
        if isinstance(e, MatMul):
            coeff, mats = e.as_coeff_matrices()
            acc = {(): sp.sympify(coeff)}
            for m in mats:
                acc = self._mul(acc, self(m))
            return acc
        # Inverse subclasses MatPow in SymPy >= 1.13: test it first
        if isinstance(e, Inverse):
            return self._inverse(e.arg)
        if isinstance(e, MatPow):
            base, exp = e.args
            if exp.is_Integer and exp >= 0:
                acc = {(): sp.Integer(1)}
                for _ in range(int(exp)):
                    acc = self._mul(acc, self(base))
                return acc
            if exp.is_Integer:  # M^{-k} = (M^{-1})^k
                inv, acc = self(Inverse(base)), {(): sp.Integer(1)}
                for _ in range(int(-exp)):
                    acc = self._mul(acc, inv)
                return acc
            raise UnsupportedExpressionError(
                f"canonicalize: unsupported power {e}; declare it as a symbol (lazyrich.symbolic.matrix_power)"
            )
        raise UnsupportedExpressionError(f"canonicalize: unsupported matrix expression {type(e).__name__}: {e}")

    @staticmethod
    def _mul(a: dict, b: dict) -> dict:
        out: dict = {}
        for (w1, c1), (w2, c2) in itertools.product(a.items(), b.items()):
            w = w1 + w2
            out[w] = out.get(w, 0) + c1 * c2
        return out


class UnsupportedExpressionError(LazyrichError, TypeError):
    """An expression node the matrix calculus has no rule for (e.g. a fractional power not declared as a symbol)."""


def _find(word: Word, sub: Word) -> int:
    n, k = len(word), len(sub)
    for i in range(n - k + 1):
        if word[i : i + k] == sub:
            return i
    return -1


def _compile_rules(ex: _Expander, rules: Sequence[RewriteRule], symmetric: frozenset) -> list:
    compiled = []
    for r in rules:
        lhs_terms = ex(r.lhs)
        if len(lhs_terms) != 1 or next(iter(lhs_terms.values())) != 1:
            raise UnsupportedExpressionError(f"a rewrite rule's left side must be a product of atoms, got {r.lhs}")
        lw = tuple(next(iter(lhs_terms)))
        rhs_terms = ex(r.rhs)
        compiled.append((lw, rhs_terms))
        tl = tuple(_transpose_atom(a, symmetric) for a in reversed(lw))
        if tl != lw:
            rt: dict = {}
            for w, c in rhs_terms.items():
                tw = tuple(_transpose_atom(a, symmetric) for a in reversed(w))
                rt[tw] = rt.get(tw, 0) + c
            compiled.append((tl, rt))
    return compiled


def canonicalize(
    expr: MatrixExpr,
    symmetric: Iterable[MatrixSymbol] = (),
    rules: Sequence[RewriteRule] = (),
    max_rewrites: int = 10_000,
    commuting: Iterable[tuple] = (),
) -> Canonical:
    """Expand ``expr`` into a canonical sum of words.

    Parameters
    ----------
    expr : MatrixExpr
    symmetric : iterable of MatrixSymbol
        Symbols declared symmetric (``S.T == S``), e.g. ``Sigma_xx``.
    rules : sequence of RewriteRule
        Sub-word substitutions applied until none matches (e.g. the
        lambda-balance ``W2^T W2 -> W1 W1^T + lambda I``). Rules must strictly
        shorten or reorder words so that rewriting terminates; otherwise
        :class:`RewriteLoopError` is raised after ``max_rewrites`` rewrites.
    commuting : iterable of (atom, atom)
        Pairs declared to commute (``E F = F E``). Adjacent commuting atoms are
        put in a fixed order, so a commutation never loops (unlike a rule
        ``E F -> F E``, whose transpose undoes it when both are symmetric).

    Returns
    -------
    Canonical
        ``.is_zero()`` decides the identity ``expr == 0``; ``.as_expr()``
        rebuilds the normal form. 1x1 ``MatrixSymbol`` s become commuting
        scalars, and when ``expr`` itself is 1x1 each word is identified with
        its transpose. Traces in coefficients are put in :func:`canonical_trace` form.

    Examples
    --------
    >>> import sympy as sp
    >>> A = sp.MatrixSymbol("A", 3, 3); B = sp.MatrixSymbol("B", 3, 3)
    >>> canonicalize((A + B).T * A - A.T * A - B.T * A).is_zero()
    True
    >>> canonicalize(A * B - B * A).is_zero()
    False
    >>> canonicalize(A * B - B * A, commuting=[(A, B)]).is_zero()
    True
    """
    symmetric = frozenset(symmetric)
    commuting = tuple(commuting)
    pairs = _commuting_pairs(commuting, symmetric)
    ex = _Expander(symmetric, {}, rules, commuting)
    terms = ex(expr)
    compiled = _compile_rules(ex, rules, symmetric) if rules else []
    count = 0
    while True:
        if pairs:
            sorted_terms: dict = {}
            for w, c in terms.items():
                sw = _sort_word(w, pairs)
                sorted_terms[sw] = sorted_terms.get(sw, 0) + c
            terms = sorted_terms
        changed = False
        new: dict = {}
        for w, c in terms.items():
            for lw, rhs_terms in compiled:
                i = _find(w, lw)
                if i >= 0:
                    changed = True
                    count += 1
                    for rw, rc in rhs_terms.items():
                        nw = w[:i] + rw + w[i + len(lw) :]
                        new[nw] = new.get(nw, 0) + c * rc
                    break
            else:
                new[w] = new.get(w, 0) + c
        terms = new
        if not changed:
            break
        if count > max_rewrites:
            raise RewriteLoopError(
                f"canonicalize: the rewrite rules did not terminate after {max_rewrites} rewrites; "
                "each rule must shorten words (declare commutations with `commuting`, not as rules)"
            )
    if tuple(expr.shape) == (1, 1):
        merged: dict = {}
        for w, c in terms.items():
            tw = tuple(_transpose_atom(a, symmetric) for a in reversed(w))
            key = min(w, _sort_word(tw, pairs), key=_word_key)
            merged[key] = merged.get(key, 0) + c
        terms = merged
    terms = {w: _canonical_coefficient(c, symmetric, rules, commuting) for w, c in terms.items()}
    terms = {w: c for w, c in terms.items() if c != 0}
    return Canonical(terms=terms, shape=tuple(expr.shape))


def is_zero(
    expr, symmetric: Iterable[MatrixSymbol] = (), rules: Sequence[RewriteRule] = (), commuting: Iterable[tuple] = ()
) -> bool:
    """True when ``expr`` is identically zero (matrix or scalar expression).

    Matrix expressions go through :func:`canonicalize`; explicit matrices are
    checked entry by entry; scalars by putting their traces in canonical form,
    then ``expand`` and ``simplify``.

    >>> import sympy as sp
    >>> A = sp.MatrixSymbol("A", 2, 2)
    >>> is_zero((A.T * A).T - A.T * A), is_zero(A * A.T - A.T * A)
    (True, False)
    """
    expr = as_sympy(expr, "expr")
    if isinstance(expr, MatrixExpr) and not isinstance(expr, sp.MatrixBase):
        return canonicalize(expr, symmetric=symmetric, rules=rules, commuting=commuting).is_zero()
    if isinstance(expr, sp.MatrixBase):
        return all(sp.expand(e) == 0 or sp.simplify(e) == 0 for e in expr)
    e = _canonical_coefficient(sp.sympify(expr), frozenset(symmetric), rules, tuple(commuting))
    return e == 0 or (not nonzero_screen(e) and sp.simplify(e) == 0)  # a cheap, sound "no" first


# ---------------------------------------------------------------- explicit route
def explicit_matrix(sym: MatrixSymbol, dims: Mapping) -> sp.Matrix:
    """A ``sympy.Matrix`` of fresh real symbols standing for ``sym``.

    ``dims`` substitutes symbolic dimensions (``{Nh: 2, Ni: 3}``).

    >>> import sympy as sp
    >>> n = sp.Symbol("n", integer=True, positive=True)
    >>> explicit_matrix(sp.MatrixSymbol("W", n, 1), {n: 2})
    Matrix([
    [W_00],
    [W_10]])
    """
    if not isinstance(sym, MatrixSymbol):
        raise InvalidParameterError(f"explicit_matrix: sym must be a sympy.MatrixSymbol; got {type(sym).__name__}")
    dims = as_dims(dims)
    r, c = (dimension(d, dims, "explicit_matrix") for d in check_shapes(sym, dims, "explicit_matrix").shape)
    return sp.Matrix(r, c, lambda i, j: sp.Symbol(f"{sym.name}_{i}{j}", real=True))


def _explicit_values(expr, dims: Mapping, values: Mapping | None):
    values = dict(values or {})
    for s in expr.atoms(MatrixSymbol):
        if s not in values:
            values[s] = explicit_matrix(s, dims)
    return values


def _to_explicit(expr, dims, values):
    dims = {sp.sympify(k): v for k, v in dims.items()}
    subs = {}
    for s, v in values.items():
        subs[s] = sp.ImmutableMatrix(v)
    e = expr.xreplace(dims).xreplace({k.xreplace(dims) if hasattr(k, "xreplace") else k: v for k, v in subs.items()})
    if isinstance(e, MatrixExpr) or isinstance(e, sp.MatrixBase):
        e = sp.Matrix(e.doit().as_explicit()) if isinstance(e, MatrixExpr) else sp.Matrix(e)
    return e


def _coefficients(expr) -> list:
    return [e.as_coeff_matrices()[0] for e in sp.preorder_traversal(expr) if isinstance(e, MatMul)]


class _Unsupported(Exception):
    pass


def _explicit_in_ring(expr, dims: Mapping) -> sp.Matrix:
    """``expr`` on an explicit shape, evaluated in a polynomial ring (or fraction field) over QQ.

    Exact and much faster than SymPy's ``as_explicit`` (which builds symbolic
    sums); handles sums, products, transposes and positive integer powers.
    """
    mats = {s_: explicit_matrix(s_, dims) for s_ in expr.atoms(MatrixSymbol)}
    dim_syms = {d for s_ in mats for d in s_.free_symbols}
    scal = sorted(expr.free_symbols - set(mats) - set(dims) - dim_syms, key=str)
    gens = sorted({e for M in mats.values() for e in M}, key=str) + scal
    if not gens:
        raise _Unsupported
    try:  # polynomial ring when every coefficient is polynomial (fast), else the fraction field
        K, *_ = ring(gens, QQ)
        for c_ in _coefficients(expr):
            K.from_expr(c_)
    except (ValueError, TypeError, sp.polys.polyerrors.PolynomialError, sp.polys.polyerrors.CoercionFailed):
        try:
            K, *_ = field(gens, QQ)
        except Exception as exc:  # e.g. sqrt coefficients: not a rational function field
            raise _Unsupported from exc

    def conv(x):
        try:
            return K.from_expr(x)
        except Exception as exc:
            raise _Unsupported from exc

    table = {s_: np.array([[conv(e) for e in row] for row in M.tolist()], dtype=object) for s_, M in mats.items()}

    def size(d):
        return int(sp.sympify(d).xreplace(dims))

    def ev(e):
        if isinstance(e, MatrixSymbol):
            return table[e]
        if isinstance(e, Identity):
            n = size(e.shape[0])
            return np.array([[K.one if i == j else K.zero for j in range(n)] for i in range(n)], dtype=object)
        if isinstance(e, ZeroMatrix):
            return np.full((size(e.shape[0]), size(e.shape[1])), K.zero, dtype=object)
        if isinstance(e, Transpose):
            return ev(e.arg).T
        if isinstance(e, MatAdd):
            out = ev(e.args[0])
            for a in e.args[1:]:
                out = out + ev(a)
            return out
        if isinstance(e, MatMul):
            coeff, ms = e.as_coeff_matrices()
            out = ev(ms[0])
            for a in ms[1:]:
                out = out.dot(ev(a))
            return out * conv(coeff)
        if isinstance(e, MatPow) and not isinstance(e, Inverse) and e.args[1].is_Integer and e.args[1] > 0:
            base = ev(e.args[0])
            out = base
            for _ in range(int(e.args[1]) - 1):
                out = out.dot(base)
            return out
        raise _Unsupported

    return sp.Matrix([[x.as_expr() for x in row] for row in ev(expr)])


def explicit_residual(expr, dims: Mapping, values: Mapping | None = None) -> sp.Matrix:
    """Evaluate ``expr`` with explicit matrices of symbolic entries, expanded.

    Returns the expanded explicit matrix; the identity holds on this shape iff
    every entry is zero. Polynomial expressions are evaluated exactly in a
    polynomial ring over QQ (fast); inverses, traces and irrational
    coefficients go through SymPy's ``as_explicit``.

    Examples
    --------
    >>> import sympy as sp
    >>> A = sp.MatrixSymbol("A", 2, 2)
    >>> explicit_residual((A * A).T - A.T * A.T, {}) == sp.zeros(2, 2)
    True
    """
    expr, dims = as_sympy(expr, "expr"), as_dims(dims)
    as_mapping(values, "values", optional=True), check_shapes(expr, dims, "explicit_residual")
    if not values and isinstance(expr, MatrixExpr):
        try:
            return _explicit_in_ring(expr, dims)
        except _Unsupported:
            pass
    values = _explicit_values(expr, dims, values)
    e = _to_explicit(expr, dims, values)
    if isinstance(e, sp.MatrixBase):
        return e.applyfunc(lambda x: sp.expand(x))
    return sp.Matrix([[sp.expand(e)]])


def explicit_time_derivative(expr, rates: Mapping, dims: Mapping, values: Mapping | None = None) -> sp.Matrix:
    """Time derivative of ``expr`` computed entry-wise by the chain rule.

    Independent of :func:`time_derivative`: every entry of every matrix
    symbol becomes a scalar symbol ``x`` with ``dx/dt`` the corresponding entry
    of its declared rate; the derivative is ``sum(d expr / d x * dx/dt)``.

    >>> import sympy as sp
    >>> A, dA = sp.MatrixSymbol("A", 2, 2), sp.MatrixSymbol("dA", 2, 2)
    >>> lhs = explicit_time_derivative(A * A, {A: dA}, {})
    >>> lhs == explicit_residual(dA * A + A * dA, {})
    True
    """
    expr, rates, dims = as_sympy(expr, "expr"), as_mapping(rates, "rates"), as_dims(dims)
    as_mapping(values, "values", optional=True), check_shapes(expr, dims, "explicit_time_derivative", rates)
    every = set(expr.atoms(MatrixSymbol)) | {k for k in rates if isinstance(k, MatrixSymbol)}
    for r in rates.values():
        if isinstance(r, sp.Basic):
            every |= set(r.atoms(MatrixSymbol))
    values = dict(values or {})
    for s in every:
        if s not in values:
            values[s] = explicit_matrix(s, dims)
    e = _to_explicit(expr, dims, values)
    e = e if isinstance(e, sp.MatrixBase) else sp.Matrix([[e]])
    out = sp.zeros(*e.shape)
    for sym, rate in rates.items():
        if isinstance(sym, MatrixSymbol):
            xs = values[sym]
            rate_x = _to_explicit(rate, dims, values)
            rate_x = rate_x if isinstance(rate_x, sp.MatrixBase) else sp.Matrix([[rate_x]])
            for i in range(xs.rows):
                for j in range(xs.cols):
                    if rate_x[i, j] != 0:
                        out += e.diff(xs[i, j]) * rate_x[i, j]
        else:
            rate_x = _to_explicit(sp.sympify(rate), dims, values)
            if isinstance(rate_x, sp.MatrixBase):
                rate_x = rate_x[0, 0]
            out += e.diff(sym) * rate_x
    return out.applyfunc(sp.expand)
