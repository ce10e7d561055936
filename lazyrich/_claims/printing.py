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

import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence

import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.logic.boolalg import BooleanAtom
from sympy.printing.latex import LatexPrinter
from sympy.printing.precedence import precedence_traditional

from .notation import DEFAULT_NOTATION, Notation

__all__ = [
    "LINE_WIDTH",
    "claim_label",
    "equation_latex",
    "expr_latex",
    "latex_lines",
    "notebook_latex",
    "statement_lines",
    "tex_number",
    "tex_text",
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
            return mapped
        if _LATEX_NAME.search(func):
            return "{" + func + "}"
        return super()._hprint_Function(func)

    def _print_Pow(self, expr):
        # SymPy prints f(t)**2 as f^{2}(t); for an undefined function that reads as a new function
        base, exp = expr.base, expr.exp
        is_root = exp.is_Rational and (exp.is_negative or (abs(exp.p) == 1 and exp.q != 1))
        if isinstance(base, AppliedUndef) and not is_root:
            return self._print(base) + "^{" + self._print(exp) + "}"
        return super()._print_Pow(expr)

    def _print_Derivative(self, expr):
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
        head = rf"\frac{{{top}}}{{{' '.join(denom)}}}"
        body = self._print(inner)
        atomic = isinstance(inner, (sp.Symbol, sp.MatrixSymbol, sp.Function, sp.Indexed)) or (
            isinstance(inner, sp.Transpose) and isinstance(inner.arg, sp.MatrixSymbol)
        )
        return f"{head} {body}" if atomic else rf"{head} \left({body}\right)"

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


def _symbol_names(obj, notation: Notation) -> dict:
    """``symbol_names`` for :class:`LatexPrinter`: every Symbol/MatrixSymbol in ``obj`` whose name is mapped."""
    names: dict = {}
    if not isinstance(obj, sp.Basic):
        return names
    for atom in obj.atoms(sp.Symbol, sp.MatrixSymbol):
        name = atom.name
        if name in notation.symbols:
            names[atom] = notation.symbols[name]
        elif _LATEX_NAME.search(name):
            names[atom] = "{" + name + "}"
    return names


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
    return _Printer(notation, _symbol_names(obj, notation)).doprint(obj)


_REL_OPS = {"==": "=", "!=": r"\neq", "<": "<", ">": ">", "<=": r"\leq", ">=": r"\geq"}

#: Display lines longer than this (in printed characters, roughly) are broken at the terms of a sum.
LINE_WIDTH = 64


def _printed_width(tex: str) -> int:
    """Rough printed width of LaTeX math: commands count as one glyph, sub/superscripts as half."""
    tex = re.sub(r"\\(?:left|right|begin\{\w+\}|end\{\w+\}|mathrm|operatorname|bm|mathbf|tilde|hat|bar)", "", tex)
    tex = re.sub(r"\\[A-Za-z]+", "x", tex)
    scripts = sum(len(m) for m in re.findall(r"[_^]\{([^{}]*)\}", tex))
    return len(re.sub(r"[{}\s]", "", tex)) - scripts // 2


def _chunks(terms: list[str], width: int) -> list[str]:
    """Greedy packing of signed terms into lines of at most ``width`` printed characters."""
    lines: list[str] = []
    for term in terms:
        if lines and _printed_width(lines[-1] + term) <= width:
            lines[-1] += " " + term
        else:
            lines.append(term)
    return lines


def _side(side, notation: Notation) -> tuple[str, list[str]]:
    """One side of a relation: its LaTeX and, for a sum, its signed terms (else ``[tex]``)."""
    printer = _Printer(notation, _symbol_names(side, notation))
    tex = printer.doprint(side)
    return tex, printer.signed_terms(side) if isinstance(side, sp.Add) else [tex]


def _aligned_lines(obj, notation: Notation) -> list[str]:
    """Display lines for ``aligned``: ``lhs &= rhs``; long sums are broken at their terms.

    A short left side stays in the first column with the right side's continuation
    lines indented under it; a long left side moves to the second column as well,
    so that it does not push the relation off the page.
    """
    if not (isinstance(obj, sp.core.relational.Relational) and not isinstance(obj, BooleanAtom)):
        tex, terms = _side(obj, notation)
        lines = [tex] if _printed_width(tex) <= LINE_WIDTH else _chunks(terms, LINE_WIDTH)
        return ["&" + lines[0], *(rf"&\quad {line}" for line in lines[1:])]
    op = _REL_OPS.get(obj.rel_op, obj.rel_op)
    (lhs, lhs_terms), (rhs, rhs_terms) = _side(obj.lhs, notation), _side(obj.rhs, notation)
    lhs_w = _printed_width(lhs)
    if lhs_w + _printed_width(rhs) <= LINE_WIDTH:
        return [f"{lhs} &{op} {rhs}"]
    if lhs_w <= LINE_WIDTH // 3:
        right = _chunks(rhs_terms, LINE_WIDTH - lhs_w)
        return [f"{lhs} &{op} {right[0]}", *(rf"&\quad {r}" for r in right[1:])]
    left, right = _chunks(lhs_terms, LINE_WIDTH), _chunks(rhs_terms, LINE_WIDTH)
    return [
        "&" + left[0],
        *(rf"&\quad {line}" for line in left[1:]),
        f"&{op} {right[0]}",
        *(rf"&\quad {r}" for r in right[1:]),
    ]


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
    r"""Display lines as one ``equation`` labelled :func:`claim_label` (``aligned`` inside).

    >>> print(equation_latex("demo.x", ["x &= 1"]))
    \begin{equation}\label{lazyrich:demo.x}
    \begin{aligned}
    x &= 1
    \end{aligned}
    \end{equation}
    """
    lines = list(lines) or [r"&\text{[statement not printable]}"]
    # ``aligned`` even for one line: a line's first ``&`` may belong to a matrix inside it
    body = "\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}"
    return f"\\begin{{equation}}\\label{{{claim_label(claim_id)}}}\n{body}\n\\end{{equation}}"


def notebook_latex(lines: Sequence[str]) -> str:
    """Notebook form: the lines in one ``aligned`` block between ``$$`` (MathJax and KaTeX render it)."""
    return "$$\\begin{aligned}" + " \\\\ ".join(lines) + "\\end{aligned}$$" if lines else ""


# ------------------------------------------------------------------ text
_GREEK_CAPITALS = {"Gamma", "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma", "Upsilon", "Phi", "Psi", "Omega"}
_UNICODE_MATH = {
    "≥": r"\geq",
    "≤": r"\leq",
    "≠": r"\neq",
    "→": r"\to",
    "←": r"\leftarrow",
    "⇒": r"\Rightarrow",
    "∞": r"\infty",
    "±": r"\pm",
    "∓": r"\mp",
    "·": r"\cdot",
    "×": r"\times",
    "≈": r"\approx",
    "∼": r"\sim",
    "√": r"\surd",
    "∈": r"\in",
    "‖": r"\|",
    "⊥": r"\perp",
    "⊗": r"\otimes",
    "∗": "*",
    "′": "'",
    "ℓ": r"\ell",
    "∂": r"\partial",
    "∇": r"\nabla",
    "≪": r"\ll",
    "≫": r"\gg",
    "∝": r"\propto",
    "∑": r"\sum",
    "²": "^2",
    "³": "^3",
    "¹": "^1",
    "⁻": "^-",
    "⁴": "^4",
    "₀": "_0",
    "₁": "_1",
    "₂": "_2",
}
_UNICODE_TEXT = {
    "–": "--",
    "—": "---",
    "‘": "`",
    "’": "'",
    "“": "``",
    "”": "''",
    "…": r"\dots{}",
    "§": r"\S{}",
    "\u00a0": "~",
}
_ASCII_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "#": r"\#",
    "%": r"\%",
    "_": r"\_",
    "^": r"\textasciicircum{}",
    "~": r"\textasciitilde{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
}


def _greek(ch: str) -> str | None:
    try:
        name = unicodedata.name(ch)
    except ValueError:
        return None
    m = re.fullmatch(r"(?:MATHEMATICAL ITALIC )?GREEK (SMALL|CAPITAL) LETTER (FINAL )?(\w+)", name)
    if not m:
        return None
    letter = m.group(3).capitalize().replace("Lamda", "Lambda")
    if m.group(1) == "SMALL":
        return r"\varsigma" if m.group(2) else "\\" + letter.lower()
    return "\\" + letter if letter in _GREEK_CAPITALS else {"Alpha": "A", "Beta": "B"}.get(letter, letter[0])


def tex_text(text: str) -> str:
    r"""Escape plain text (titles, sources) for LaTeX; Greek and math symbols become inline math.

    >>> print(tex_text("δ = η_w a^2 ≥ 0 (§2)"))
    $\delta$ = $\eta$\_w a\textasciicircum{}2 $\geq$ 0 (\S{}2)
    """
    out = []
    for ch in " ".join(text.split()):  # a blank line would end the paragraph inside a \section{...}
        if ch in _ASCII_ESCAPES:
            out.append(_ASCII_ESCAPES[ch])
        elif ch.isascii():
            out.append(ch)
        elif ch in _UNICODE_TEXT:
            out.append(_UNICODE_TEXT[ch])
        elif ch in _UNICODE_MATH:
            out.append(f"${_UNICODE_MATH[ch]}$")
        elif (g := _greek(ch)) is not None:
            out.append(f"${g}$")
        elif unicodedata.normalize("NFKD", ch)[0].isascii() and unicodedata.category(ch).startswith("L"):
            out.append(ch)  # accented Latin letters: LaTeX's default utf8 input handles them
        else:
            out.append("?")
    return "".join(out)


def tex_number(x: float) -> str:
    r"""A number as inline math with one decimal: ``$2.1\times 10^{-13}$``."""
    if not math.isfinite(x):
        return tex_text(str(x))
    if x == 0:
        return "$0$"
    mant, exp = f"{x:.1e}".split("e")
    return rf"${mant}\times 10^{{{int(exp)}}}$"
