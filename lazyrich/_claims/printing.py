r"""SymPy objects to LaTeX: the printer, display lines, and escaped text.

The statement of a claim (:meth:`Claim.statements`) and the derivation steps of
its symbolic proof (:attr:`Proof.steps`) are SymPy objects; this module prints
exactly those objects (never a hand-written string beside them), in the
notation of :mod:`lazyrich._claims.notation`, through a :class:`sympy.printing.latex.LatexPrinter`
configured with ``symbol_names`` and ``mat_symbol_style`` (what :func:`sympy.latex`
does) plus a few fixes of SymPy's printer for matrix expressions:

* ``d/dt`` (not ``\partial``) for derivatives in one variable, with the
  differentiated product in parentheses;
* ``A - B`` instead of ``A + - B`` in sums of matrix terms;
* ``\frac{1}{2} Q`` instead of ``\left(\frac{1}{2}\right) Q``;
* ``A(t)^{2}`` instead of ``A^{2}(t)`` for undefined functions;
* the identity as ``I`` and the transpose as the notation says;
* symbol names that already contain LaTeX (``\tilde{s}``, ``\|w_0\|``) are
  printed as written, in braces, instead of being split at ``_`` and ``^``.
* the terms of a matrix sum in the order of the statement (SymPy's ``order='none'``), and no
  sum opening with a minus sign when a positive term can lead (``W_2^T W_2 - W_1 W_1^T``);
* no substituted zero or identity left inside a product (:func:`tidy`);
* long lines broken at the terms of a sum, inside the parentheses of a wide product
  (``\left( ... \right.`` / ``\left. ... \right)``) or between its factors, and one equation
  number per statement (:func:`equation_latex`).

It knows nothing of claims or registries: :mod:`lazyrich._claims.model` uses it for
:meth:`Claim.latex` and the notebook reprs, :mod:`lazyrich._claims.latex` for the documents.

Examples
--------
>>> import sympy as sp
>>> W1 = sp.MatrixSymbol("W_1", 3, 2)
>>> Syx = sp.MatrixSymbol("Sigma_yx", 3, 2)
>>> print(expr_latex(sp.Eq(W1.T * Syx, sp.ZeroMatrix(2, 2))))
W_{1}^{T} \Sigma_{yx} = 0
>>> print(expr_latex(W1.T, Notation(transpose=r"\top", bold_matrices=True)))
\bm{W}_{1}^{\top}
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence

import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.logic.boolalg import BooleanAtom
from sympy.printing.latex import LatexPrinter
from sympy.printing.precedence import precedence_traditional

from .._symbolic.statements import Definition, Hypothesis
from .notation import DEFAULT_NOTATION, Notation

__all__ = [
    "LINE_WIDTH",
    "DisplayLine",
    "claim_label",
    "equation_latex",
    "expr_latex",
    "latex_lines",
    "notebook_latex",
    "retranspose",
    "statement_lines",
    "tidy",
]

# A symbol name holding any of these is LaTeX already (``\tilde{s}``, ``\|w_0\|``,
# ``K(t)``, ``v_+ v_-``): SymPy would split it at ``_``/``^`` and garble it.
_LATEX_NAME = re.compile(r"[\\{}()|\s/=,\[\]<>]")


# ------------------------------------------------------------------ printing
class _Printer(LatexPrinter):
    """SymPy's LaTeX printer with the notation and the matrix-expression fixes listed above."""

    def __init__(self, notation: Notation, symbol_names: Mapping) -> None:
        super().__init__(
            {"symbol_names": dict(symbol_names), "mat_symbol_style": "bold" if notation.bold_matrices else "plain"}
        )
        self._notation = notation

    def _bold(self, expr) -> bool:
        # 1x1 MatrixSymbols stand for scalars in this project (see canonicalize)
        return self._notation.bold_matrices and tuple(expr.shape) != (1, 1)

    def _print_MatrixSymbol(self, expr):
        mapped = self._settings["symbol_names"].get(expr)
        bold = self._bold(expr)
        if mapped is not None:
            return rf"\bm{{{mapped}}}" if bold else mapped
        if not bold:
            return self._deal_with_super_sub(expr.name)
        name, supers, subs = self._split_super_sub(expr.name)
        tex = rf"\bm{{{name}}}"
        if supers:
            tex += "^{" + " ".join(supers) + "}"
        if subs:
            tex += "_{" + " ".join(subs) + "}"
        return tex

    def _print_Identity(self, expr):
        ident = self._notation.identity
        return rf"\bm{{{ident}}}" if self._notation.bold_matrices else ident

    def _print_ZeroMatrix(self, expr):
        return r"\bm{0}" if self._notation.bold_matrices else "0"

    def _print_Transpose(self, expr):
        tex = super()._print_Transpose(expr)
        if self._notation.transpose != "T" and tex.endswith("^{T}"):
            tex = tex[: -len("^{T}")] + "^{" + self._notation.transpose + "}"
        return tex

    def _hprint_Function(self, func: str) -> str:
        mapped = self._notation.symbols.get(func)
        if mapped is not None:
            return retranspose(mapped, self._notation)
        if _LATEX_NAME.search(func):
            return "{" + retranspose(func, self._notation) + "}"
        return super()._hprint_Function(func)

    def _print_Pow(self, expr):
        # SymPy prints f(t)**2 as f^{2}(t); for an undefined function that reads as a new function
        base, exp = expr.base, expr.exp
        is_root = exp.is_Rational and (exp.is_negative or (abs(exp.p) == 1 and exp.q != 1))
        if isinstance(base, AppliedUndef) and not is_root:
            return self._print(base) + "^{" + self._print(exp) + "}"
        return super()._print_Pow(expr)

    def derivative_head(self, expr) -> str:
        r"""``\frac{d}{d t}`` (or with ``\partial``, or of higher order) of a Derivative."""
        inner = expr.expr
        variables = [v for v, _ in expr.variable_count]
        several = len(set(variables)) > 1 or (isinstance(inner, AppliedUndef) and len(inner.args) > 1)
        diff = r"\partial" if several else "d"
        denom, order = [], 0
        for var, num in reversed(expr.variable_count):
            order += num
            v = self._print(var)
            denom.append(f"{diff} {v}" if num == 1 else f"{diff} {self.parenthesize_super(v)}^{{{num}}}")
        top = diff if order == 1 else f"{diff}^{{{order}}}"
        return rf"\frac{{{top}}}{{{' '.join(denom)}}}"

    def _print_Derivative(self, expr):
        inner = expr.expr
        head = self.derivative_head(expr)
        body = self._print(inner)
        atomic = isinstance(inner, (sp.Symbol, sp.MatrixSymbol, sp.Function, sp.Indexed)) or (
            isinstance(inner, sp.Transpose) and isinstance(inner.arg, sp.MatrixSymbol)
        )
        return f"{head} {body}" if atomic else rf"{head} \left({body}\right)"

    def _as_ordered_terms(self, expr, order=None):
        # a matrix sum keeps the order of its arguments (the order written, when it was built
        # unevaluated); a scalar sum takes SymPy's order. Either way a sum does not open with a
        # minus sign when a term with a plus sign can lead: ``W_2^T W_2 - W_1 W_1^T`` (Dominé et al.
        # (2025), eq. (3)), not SymPy's ``- W_1 W_1^T + W_2^T W_2``.
        terms = list(expr.args) if isinstance(expr, sp.MatAdd) else list(super()._as_ordered_terms(expr, order))
        signs = [self._print(term).lstrip().startswith("-") for term in terms]
        if signs and signs[0]:
            lead = next((i for i, negative in enumerate(signs) if not negative), None)
            if lead is not None:
                terms.insert(0, terms.pop(lead))
        return terms

    def signed_terms(self, expr) -> list[str]:
        """The terms of a sum, each after the first with its sign: ``["a", "- b", "+ c"]``."""
        out = []
        for i, term in enumerate(self._as_ordered_terms(expr)):
            t = self._print(term)
            if self._needs_add_brackets(term):
                t = r"\left(" + t + r"\right)"
            if i == 0:
                out.append(t)
            elif t.startswith("-"):
                out.append("- " + t[1:].lstrip())
            else:
                out.append("+ " + t)
        return out

    def tokens(self, expr, width: int) -> list[str]:
        r"""The signed terms of ``expr`` for line breaking; a term wider than ``width`` is opened
        at its widest parenthesized sum: ``- c A``, ``\left(``, the sum's own tokens, ``\right)``, ``B``.
        """
        terms = self._as_ordered_terms(expr) if isinstance(expr, sp.Add) else [expr]
        out: list[str] = []
        for i, (term, tex) in enumerate(zip(terms, self.signed_terms(expr) if len(terms) > 1 else [self._print(expr)])):
            opened = self._opened(term, width) if _printed_width(tex) > width else None
            if opened is None:
                out.append(tex)
                continue
            sign, toks = opened
            lead = ("- " if sign else "") if i == 0 else ("- " if sign else "+ ")
            out.extend([lead + toks[0], *toks[1:]] if toks[0] != _OPEN else [lead.strip() or "", *toks])
        return [t for t in out if t]

    def _opened(self, term, width: int) -> tuple[bool, list[str]] | None:
        """``(negative, tokens)`` of a product opened at its widest sum factor (else between its
        factors), or of a derivative of a sum opened inside its parentheses; ``None`` if neither."""
        if isinstance(term, sp.Derivative) and isinstance(term.expr, sp.Add):
            return False, [self.derivative_head(term), _OPEN, *self.tokens(term.expr, width), _CLOSE]
        neg = term.could_extract_minus_sign()
        if isinstance(term, sp.MatMul):
            core = sp.MatMul(sp.S.NegativeOne, term).doit(deep=False) if neg else term
            factors = list(core.args) if isinstance(core, sp.MatMul) else [core]
        elif isinstance(term, sp.Mul) and not any(f.is_Pow and f.exp.is_negative for f in term.args):
            core = -term if neg else term
            factors = list(core.as_ordered_factors()) if isinstance(core, sp.Mul) else [core]
        else:
            return None

        def printed(f) -> str:
            if (f.is_Number and f.is_positive) or (isinstance(f, sp.Mul) and not isinstance(f, sp.MatMul)):
                return self._print(f)
            return self.parenthesize(f, precedence_traditional(core), False)

        sums = [f for f in factors if isinstance(f, sp.Add)]
        if not sums:  # a long product of powers: break between its factors
            return (neg, [printed(f) for f in factors]) if len(factors) > 1 else None
        big = max(sums, key=lambda f: _printed_width(self._print(f)))
        toks: list[str] = []
        pending: list[str] = []
        for f in factors:
            if f is big:
                toks += [" ".join(pending)] if pending else []
                toks += [_OPEN, *self.tokens(f, width), _CLOSE]
                pending = []
            else:
                pending.append(printed(f))
        toks += [" ".join(pending)] if pending else []
        return neg, toks

    def _print_MatAdd(self, expr):
        # SymPy writes ``A + - c B`` when the coefficient of a term is a negative symbol product
        return " ".join(self.signed_terms(expr))

    def _print_MatMul(self, expr):
        args = list(expr.args)
        sign = ""
        if expr.could_extract_minus_sign():
            sign = "- "
            args = args[1:] if args[0] == -1 else [-args[0], *args[1:]]
        level = precedence_traditional(expr)

        def factor(x):
            if x.is_Number and x.is_positive:  # a numeric coefficient needs no parentheses
                return self._print(x)
            if isinstance(x, sp.Mul) and not isinstance(x, sp.MatMul):
                return self._print(x)
            return self.parenthesize(x, level, False)

        return sign + " ".join(factor(a) for a in args)


def _is_unit(x) -> bool:
    return isinstance(x, sp.Identity) or (isinstance(x, sp.OneMatrix) and tuple(x.shape) == (1, 1))


def _rebuild(obj, args: list):
    if isinstance(obj, sp.MatMul):
        if any(isinstance(a, sp.ZeroMatrix) or a == 0 for a in args):
            return sp.ZeroMatrix(*obj.shape)
        kept = [a for a in args if not _is_unit(a)]
        if not any(getattr(a, "is_Matrix", False) for a in kept):
            return obj.func(*args) if args != list(obj.args) else obj
        return kept[0] if len(kept) == 1 else sp.MatMul(*kept).doit(deep=False)
    if isinstance(obj, sp.MatAdd):
        kept = [a for a in args if not isinstance(a, sp.ZeroMatrix)]
        if not kept:
            return sp.ZeroMatrix(*obj.shape)
        return kept[0] if len(kept) == 1 else sp.MatAdd(*kept)
    if args == list(obj.args):
        return obj
    try:
        return obj.func(*args, evaluate=False)
    except TypeError:
        return obj.func(*args)


def tidy(obj):
    """``obj`` without a substituted zero or identity left inside a product (or a zero inside a sum).

    A statement built with ``subs``/``xreplace`` keeps SymPy's unevaluated ``X w 0`` and ``W I``;
    this folds exactly those (a product with a zero matrix factor is zero, identity factors drop,
    zero terms of a sum drop) and leaves everything else, the term order included, as written.

    >>> import sympy as sp
    >>> X, w, y = sp.MatrixSymbol("X", 3, 2), sp.MatrixSymbol("w", 2, 1), sp.MatrixSymbol("y", 3, 1)
    >>> a = sp.MatrixSymbol("a", 1, 1)
    >>> print(expr_latex((X.T * (X * w * a - y)).subs(a, sp.ZeroMatrix(1, 1))))
    - X^{T} y
    """
    if not isinstance(obj, sp.Basic) or not obj.args or not obj.has(sp.ZeroMatrix, sp.Identity, sp.OneMatrix):
        return obj
    return _rebuild(obj, [tidy(a) for a in obj.args])


def _symbol_names(obj, notation: Notation) -> dict:
    """``symbol_names`` for :class:`LatexPrinter`: every Symbol/MatrixSymbol in ``obj`` whose name is mapped."""
    names: dict = {}
    if not isinstance(obj, sp.Basic):
        return names
    for atom in obj.atoms(sp.Symbol, sp.MatrixSymbol):
        name = atom.name
        if name in notation.symbols:
            names[atom] = retranspose(notation.symbols[name], notation)
        elif _LATEX_NAME.search(name):
            names[atom] = "{" + retranspose(name, notation) + "}"
    return names


_LITERAL_T = re.compile(r"\^(?:T|\{T\})")


def retranspose(tex: str, notation: Notation) -> str:
    r"""LaTeX written into a symbol name (``\hat\beta^T``) with its transposes in ``notation``'s symbol.

    >>> print(retranspose(r"\hat\beta\hat\beta^T + Y^{T}Y", Notation(transpose=r"\top")))
    \hat\beta\hat\beta^{\top} + Y^{\top}Y
    """
    if notation.transpose == "T":
        return tex
    return _LITERAL_T.sub(lambda _: "^{" + notation.transpose + "}", tex)


def expr_latex(obj, notation: Notation | None = None) -> str:
    r"""LaTeX of one SymPy object (expression, matrix expression or relation) in ``notation``.

    Parameters
    ----------
    obj : sympy.Basic
        What to print, e.g. an element of :meth:`Claim.statements` or of :attr:`Proof.steps`.
    notation : Notation, optional
        Default: :data:`lazyrich.DEFAULT_NOTATION` (the papers' glossary).

    Examples
    --------
    >>> import sympy as sp
    >>> t, lam = sp.Symbol("t"), sp.Symbol("lam")
    >>> Q = sp.MatrixSymbol("Q", 4, 4)
    >>> print(expr_latex(sp.Eq(sp.Derivative(Q * Q.T, t, evaluate=False), lam * Q * Q.T, evaluate=False)))
    \frac{d}{d t} \left(Q Q^{T}\right) = \lambda Q Q^{T}
    """
    notation = DEFAULT_NOTATION if notation is None else notation
    obj = tidy(obj)
    return _Printer(notation, _symbol_names(obj, notation)).doprint(obj)


_REL_OPS = {"==": "=", "!=": r"\neq", "<": "<", ">": ">", "<=": r"\leq", ">=": r"\geq"}

#: Display lines longer than this (in printed characters, roughly) are broken at the terms of a sum.
LINE_WIDTH = 60


def _printed_width(tex: str) -> int:
    """Rough printed width of LaTeX math: commands count as one glyph, sub/superscripts as half."""
    tex = re.sub(r"\\(?:left|right|begin\{\w+\}|end\{\w+\}|mathrm|operatorname|bm|mathbf|tilde|hat|bar)", "", tex)
    tex = re.sub(r"\\[A-Za-z]+", "x", tex)
    scripts = sum(len(m) for m in re.findall(r"[_^]\{([^{}]*)\}", tex))
    return len(re.sub(r"[{}\s]", "", tex)) - scripts // 2


_OPEN, _CLOSE = r"\left(", r"\right)"


def _chunks(tokens: list[str], width: int) -> list[str]:
    r"""Greedy packing of tokens (signed terms, ``\left(``, ``\right)``) into lines of about ``width``.

    A line broken inside parentheses is closed by ``\right.`` and the next one opened by
    ``\left.``, so that every line is balanced on its own.
    """
    rows: list[tuple[int, list[str], int]] = []
    cur: list[str] = []
    start = depth = 0
    for tok in tokens:
        can_break = cur and tok not in (_OPEN, _CLOSE) and cur[-1] != _OPEN
        if can_break and _printed_width(" ".join([*cur, tok])) > width:
            rows.append((start, cur, depth))
            cur, start = [], depth
        cur.append(tok)
        depth += (tok == _OPEN) - (tok == _CLOSE)
    rows.append((start, cur, depth))
    return [" ".join([r"\left."] * a + toks + [r"\right."] * b) for a, toks, b in rows]


def _side(side, notation: Notation, width: int = LINE_WIDTH) -> tuple[str, list[str]]:
    """One side of a relation: its LaTeX and its tokens for :func:`_chunks` (signed terms, wide ones opened)."""
    printer = _Printer(notation, _symbol_names(side, notation))
    tex = printer.doprint(side)
    return tex, printer.tokens(side, width)


class DisplayLine(str):
    """A display line (``lhs &= rhs``) that knows whether it opens a statement or continues one.

    :func:`equation_latex` numbers the lines that open a statement and only those; a plain
    ``str`` counts as opening one.
    """

    opens: bool = True

    @classmethod
    def continuing(cls, text: str) -> DisplayLine:
        line = cls(text)
        line.opens = False
        return line

    def __reduce__(self):  # keep ``opens`` across processes (``lazyrich latex --jobs``)
        return (_display_line, (str(self), self.opens))


def _display_line(text: str, opens: bool) -> DisplayLine:
    return DisplayLine(text) if opens else DisplayLine.continuing(text)


def _aligned_lines(obj, notation: Notation) -> list[str]:
    """Display lines for ``aligned``: ``lhs &= rhs``; long sums are broken at their terms.

    A short left side stays in the first column with the right side's continuation
    lines indented under it; a long left side moves to the second column as well,
    so that it does not push the relation off the page.
    """
    obj = tidy(obj)
    if not (isinstance(obj, sp.core.relational.Relational) and not isinstance(obj, BooleanAtom)):
        tex, terms = _side(obj, notation)
        lines = [tex] if _printed_width(tex) <= LINE_WIDTH else _chunks(terms, LINE_WIDTH)
        out = ["&" + lines[0], *(rf"&\quad {line}" for line in lines[1:])]
    else:
        op = r"\mathrel{:=}" if isinstance(obj, Definition) else _REL_OPS.get(obj.rel_op, obj.rel_op)
        (lhs, lhs_terms), (rhs, rhs_terms) = _side(obj.lhs, notation), _side(obj.rhs, notation)
        lhs_w = _printed_width(lhs)
        if lhs_w + _printed_width(rhs) <= LINE_WIDTH:
            out = [f"{lhs} &{op} {rhs}"]
        elif lhs_w <= LINE_WIDTH // 3:
            right = _chunks(rhs_terms, LINE_WIDTH - lhs_w)
            out = [f"{lhs} &{op} {right[0]}", *(rf"&\quad {r}" for r in right[1:])]
        else:
            left, right = _chunks(lhs_terms, LINE_WIDTH), _chunks(rhs_terms, LINE_WIDTH)
            out = [
                "&" + left[0],
                *(rf"&\quad {line}" for line in left[1:]),
                f"&{op} {right[0]}",
                *(rf"&\quad {r}" for r in right[1:]),
            ]
    if isinstance(obj, Hypothesis):
        out[-1] += r" \quad \text{(assumed)}"
    return [DisplayLine(out[0]), *(DisplayLine.continuing(line) for line in out[1:])]


def _unprintable_reason(obj) -> str | None:
    if isinstance(obj, BooleanAtom):
        return (
            f"SymPy evaluated it to {obj} when it was built (as it does for an Eq between a matrix and a "
            "Derivative, Limit or Symbol); build it with Eq(..., evaluate=False)"
        )
    if not isinstance(obj, sp.Basic):
        return f"it is a {type(obj).__name__}, not a SymPy object"
    return None


def latex_lines(objs: Iterable, notation: Notation | None, what: str) -> tuple[list[str], list[str]]:
    """Aligned lines (``lhs &= rhs``) of the printable objects, and a note for each one left out.

    ``what`` names the objects in the notes (``"statement"``, ``"derivation step"``): ``"statement 2: ..."``.
    """
    notation = DEFAULT_NOTATION if notation is None else notation
    lines, problems = [], []
    for i, obj in enumerate(objs):
        reason = _unprintable_reason(obj)
        if reason is None:
            try:
                lines.extend(_aligned_lines(obj, notation))
                continue
            except Exception as exc:  # a printer failure is reported, not fatal for the export
                reason = f"the LaTeX printer raised {type(exc).__name__}: {exc}"
        problems.append(f"{what} {i + 1}: {reason}")
    return lines, problems


def statement_lines(build: Callable[[], Iterable], notation: Notation | None = None) -> tuple[list[str], list[str]]:
    """:func:`latex_lines` of the statement ``build()`` returns; a statement that raises is a note, not an error."""
    try:
        objs = build()
    except Exception as exc:  # a broken statement is reported in the document, not fatal for the export
        return [], [f"the statement could not be built: {type(exc).__name__}: {exc}"]
    return latex_lines(objs, notation, "statement")


def claim_label(claim_id: str) -> str:
    """The LaTeX label of a claim's equation: ``lazyrich:<claim id>``."""
    return f"lazyrich:{claim_id}"


def equation_latex(claim_id: str, lines: Sequence[str]) -> str:
    r"""Display lines as one labelled (:func:`claim_label`) display, one number per statement.

    One statement is an ``equation`` (``aligned`` inside, for its continuation lines); several
    are ``subequations`` of an ``align``: each statement gets its own number (3a), (3b), ...,
    its continuation lines none, and the label refers to the group (3).

    >>> print(equation_latex("demo.x", ["x &= 1"]))
    \begin{equation}\label{lazyrich:demo.x}
    \begin{aligned}
    x &= 1
    \end{aligned}
    \end{equation}
    >>> print(equation_latex("demo.xy", ["x &= 1", "y &= 2"]))
    \begin{subequations}\label{lazyrich:demo.xy}
    \begin{align}
    x &= 1 \\
    y &= 2
    \end{align}
    \end{subequations}
    """
    lines = list(lines) or [r"&\text{[statement not printable]}"]
    label = rf"\label{{{claim_label(claim_id)}}}"
    if sum(getattr(line, "opens", True) for line in lines) <= 1:
        # ``aligned`` even for one line: a line's first ``&`` may belong to a matrix inside it
        body = "\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}"
        return f"\\begin{{equation}}{label}\n{body}\n\\end{{equation}}"
    rows = [line if getattr(line, "opens", True) else line + r" \notag" for line in lines]
    body = "\\begin{align}\n" + " \\\\\n".join(rows) + "\n\\end{align}"
    return f"\\begin{{subequations}}{label}\n{body}\n\\end{{subequations}}"


def notebook_latex(lines: Sequence[str]) -> str:
    """Notebook form: the lines in one ``aligned`` block between ``$$`` (MathJax and KaTeX render it)."""
    return "$$\\begin{aligned}" + " \\\\ ".join(lines) + "\\end{aligned}$$" if lines else ""
