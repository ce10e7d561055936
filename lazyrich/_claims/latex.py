r"""LaTeX export of claims, printed from the SymPy objects that were verified.

The statement of a claim (:meth:`Claim.statements`) and the derivation steps of
its symbolic proof (:attr:`Proof.steps`) are SymPy objects; this module prints
exactly those objects (never a hand-written string beside them), in the
notation of :mod:`lazyrich._claims.model.notation`, through a :class:`sympy.printing.latex.LatexPrinter`
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

Three outputs: :func:`claim_latex` (one claim, as an ``equation`` labelled
``lazyrich:<claim id>``), :func:`export_latex` with ``fragment=True`` (those
equations only, for ``\input``) and the standalone document (one section per
paper; per claim its title, source, statement, derivation chain and
verification status). ``lazyrich latex`` is the command-line form.

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

import json
import math
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.logic.boolalg import BooleanAtom
from sympy.printing.latex import LatexPrinter
from sympy.printing.precedence import precedence_traditional

from .._base.errors import ClaimError, InvalidParameterError
from .model import NA, PAPERS, Claim, ClaimResult, Proof, _run_numeric, _run_symbolic
from .notation import DEFAULT_NOTATION, Notation

__all__ = [
    "RenderedClaim",
    "claim_latex",
    "export_latex",
    "expr_latex",
    "latex_artefacts",
    "proof_latex",
    "render_claim",
]

NOT_RUN = "not run"

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


def _lines(objs: Iterable, notation: Notation, what: str) -> tuple[list[str], list[str]]:
    """Aligned lines of the printable objects, and a note for each one left out."""
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


# ------------------------------------------------------------------ per claim
@dataclass
class RenderedClaim:
    """A claim printed to LaTeX: statement and derivation lines (``lhs &= rhs``) and its status.

    ``steps`` is ``None`` when the symbolic check was not run; ``problems`` lists
    what could not be printed and why (shown in the document and on stderr).
    """

    id: str
    title: str
    source: str
    paper: str
    statement: list[str]
    steps: list[str] | None = None
    symbolic: str = NOT_RUN
    numeric: str = NOT_RUN
    certified: str = NA
    max_error: float | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """No check reported ``fail`` (checks not run count as passed)."""
        return "fail" not in (self.symbolic, self.numeric)

    @property
    def label(self) -> str:
        return f"lazyrich:{self.id}"

    def equation(self) -> str:
        """The statement as one ``equation`` (``aligned`` inside for several lines), labelled."""
        lines = self.statement or [r"&\text{[statement not printable]}"]
        # ``aligned`` even for one line: a line's first ``&`` may belong to a matrix inside it
        body = "\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}"
        return f"\\begin{{equation}}\\label{{{self.label}}}\n{body}\n\\end{{equation}}"

    def status_line(self) -> str:
        """LaTeX text: ``symbolic: pass; numeric: pass; certified: n/a; max error: $2.1\\times 10^{-13}$``."""
        err = "--" if self.max_error is None else _tex_number(self.max_error)
        sym, num, cert = (tex_text(str(s)) for s in (self.symbolic, self.numeric, self.certified))
        return f"symbolic: {sym}; numeric: {num}; certified: {cert}; max error: {err}"


def _status(result: ClaimResult | Mapping | None, rc: RenderedClaim) -> None:
    if result is None:
        return
    if isinstance(result, ClaimResult):
        rc.symbolic, rc.numeric, rc.max_error = result.symbolic.status, result.numeric.status, result.max_error
    else:
        rc.symbolic = str(result.get("symbolic", NOT_RUN))
        rc.numeric = str(result.get("numeric", NOT_RUN))
        rc.certified = str(result.get("certified", NA))
        err = result.get("max_error")
        rc.max_error = None if err is None else float(err)


CHECKS = ("all", "symbolic", "none")


def render_claim(
    c: Claim,
    notation: Notation | None = None,
    *,
    checks: str = "all",
    result: ClaimResult | Mapping | None = None,
) -> RenderedClaim:
    """Print one claim: its statement and, from running its symbolic check, the derivation steps.

    Parameters
    ----------
    c : Claim
    notation : Notation, optional
    checks : {"all", "symbolic", "none"}
        Which checks to run. Running the symbolic check (once) gives both the
        derivation steps (:attr:`Proof.steps`) and the symbolic status; ``"none"``
        prints the statement only.
    result : ClaimResult or mapping, optional
        A stored outcome (a row of ``lazyrich verify --json``) to report instead of
        running checks for the status; the symbolic check still runs for its steps.

    Examples
    --------
    >>> from lazyrich import load_claims
    >>> rc = render_claim(load_claims()["get_rich_quick.conservation_delta"], checks="none")
    >>> rc.label, rc.symbolic, rc.steps
    ('lazyrich:get_rich_quick.conservation_delta', 'not run', None)
    """
    if checks not in CHECKS:
        raise InvalidParameterError(f"checks must be one of {CHECKS}, got {checks!r}")
    notation = DEFAULT_NOTATION if notation is None else notation
    rc = RenderedClaim(id=c.id, title=c.title, source=c.source.cite(), paper=c.paper, statement=[])
    try:
        objs = c.statements()
    except Exception as exc:  # a broken statement is reported in the document, not fatal for the export
        objs = []
        rc.problems.append(f"the statement could not be built: {type(exc).__name__}: {exc}")
    rc.statement, probs = _lines(objs, notation, "statement")
    rc.problems += probs
    _status(result, rc)
    if checks == "none":
        return rc
    own_status = result is None
    if c.symbolic is None:
        rc.symbolic = NA if own_status else rc.symbolic
    else:
        held: list[Proof] = []

        def capture():
            held.append(c.symbolic())
            return held[-1]

        if own_status:
            rc.symbolic = _run_symbolic(capture).status
        else:
            try:
                capture()
            except Exception as exc:
                rc.problems.append(f"the symbolic check raised {type(exc).__name__}: {exc}")
        proof_steps = getattr(held[0], "steps", ()) if held else ()
        rc.steps, probs = _lines(proof_steps, notation, "derivation step")
        rc.problems += probs
    if own_status and checks == "all":
        if c.numeric is None:
            rc.numeric = NA
        else:
            num = _run_numeric(c.numeric)
            rc.numeric, rc.max_error = num.status, num.max_error
    if own_status and rc.symbolic == "pass" and rc.max_error is None:
        rc.max_error = 0.0  # the symbolic check is exact
    return rc


def claim_latex(c: Claim, notation: Notation | None = None) -> str:
    r"""The statement of a claim as one labelled ``equation`` (what ``--fragment`` writes per claim).

    Examples
    --------
    >>> from lazyrich import load_claims
    >>> tex = claim_latex(load_claims()["get_rich_quick.conservation_delta"])
    >>> tex.splitlines()[0]
    '\\begin{equation}\\label{lazyrich:get_rich_quick.conservation_delta}'
    """
    return render_claim(c, notation, checks="none").equation()


def proof_latex(proof: Proof, notation: Notation | None = None) -> str:
    r"""The derivation steps of a :class:`Proof` as an ``align*`` chain.

    >>> import sympy as sp
    >>> x = sp.Symbol("x")
    >>> print(proof_latex(Proof(residuals=[x - x], steps=[sp.Eq((x + 1) ** 2, x**2 + 2 * x + 1)])))
    \begin{align*}
    \left(x + 1\right)^{2} &= x^{2} + 2 x + 1
    \end{align*}
    """
    lines, _ = _lines(proof.steps, DEFAULT_NOTATION if notation is None else notation, "derivation step")
    return "\\begin{align*}\n" + " \\\\\n".join(lines) + "\n\\end{align*}" if lines else ""


def _notebook(lines: Sequence[str]) -> str:
    """Notebook form: the lines in one ``aligned`` block between ``$$`` (MathJax and KaTeX render it)."""
    return "$$\\begin{aligned}" + " \\\\ ".join(lines) + "\\end{aligned}$$" if lines else ""


def claim_repr_latex(c: Claim) -> str:
    """``Claim._repr_latex_``: the statement for notebooks (no label, no check run)."""
    return _notebook(render_claim(c, checks="none").statement)


def proof_repr_latex(proof: Proof) -> str:
    """``Proof._repr_latex_``: the derivation steps for notebooks."""
    return _notebook(_lines(proof.steps, DEFAULT_NOTATION, "derivation step")[0])


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


def _tex_number(x: float) -> str:
    if not math.isfinite(x):
        return tex_text(str(x))
    if x == 0:
        return "$0$"
    mant, exp = f"{x:.1e}".split("e")
    return rf"${mant}\times 10^{{{int(exp)}}}$"


# ------------------------------------------------------------------ documents
def _paper_order(rendered: Sequence[RenderedClaim]) -> list[str]:
    papers = [p for p in PAPERS if any(r.paper == p for r in rendered)]
    return papers + sorted({r.paper for r in rendered} - set(papers))


def _notes(rc: RenderedClaim) -> str:
    if not rc.problems:
        return ""
    items = "\n".join(rf"  \item {tex_text(p)}" for p in rc.problems)
    return "\\textbf{Not printed:}\n\\begin{itemize}\n" + items + "\n\\end{itemize}\n"


def _standalone(rendered: Sequence[RenderedClaim], notation: Notation) -> str:
    parts = [
        "\\documentclass[11pt]{article}",
        "\\usepackage{amsmath,amssymb,bm}",
        "\\allowdisplaybreaks",
        "\\setlength{\\parindent}{0pt}",
        "\\addtolength{\\textwidth}{1.4in}",
        "\\addtolength{\\oddsidemargin}{-0.7in}",
        "\\addtolength{\\evensidemargin}{-0.7in}",
        "\\addtolength{\\textheight}{1.2in}",
        "\\addtolength{\\topmargin}{-0.6in}",
        "\\setlength{\\parskip}{4pt}",
        "\\begin{document}",
        "{\\Large\\bfseries Claims verified by lazyrich\\par}",
        "Every equation below is printed from the SymPy objects that lazyrich checked: the statement of "
        "each claim and the identities its symbolic proof used. Equation labels are "
        "\\texttt{lazyrich:<claim id>}.",
        "",
    ]
    for paper in _paper_order(rendered):
        parts.append(f"\\section{{{tex_text(PAPERS.get(paper, paper))}}}\n")
        for rc in (r for r in rendered if r.paper == paper):
            parts.append(f"\\subsection*{{{tex_text(rc.title)}}}")
            parts.append(f"\\texttt{{{tex_text(rc.id)}}}. \\textbf{{Source:}} {tex_text(rc.source)}.\n")
            parts.append(rc.equation())
            if rc.steps:
                parts.append("\\textbf{Derivation} (identities used by the symbolic proof, in order):")
                parts.append("\\begin{align*}\n" + " \\\\\n".join(rc.steps) + "\n\\end{align*}")
            parts.append(f"\\textbf{{Verification:}} {rc.status_line()}\n")
            parts.append(_notes(rc))
    parts.append("\\end{document}\n")
    return "\n".join(parts)


def _fragment(rendered: Sequence[RenderedClaim], notation: Notation) -> str:
    parts = [
        "% lazyrich LaTeX fragment: one equation per claim, labelled lazyrich:<claim id>,",
        "% printed from the verified SymPy objects. Needs \\usepackage{amsmath}"
        + (" and \\usepackage{bm}." if notation.bold_matrices else "."),
        "",
    ]
    for rc in rendered:
        parts.append(f"% {rc.id}: {rc.title}")
        parts.extend(f"% not printed: {p}" for p in rc.problems)
        parts.append(rc.equation() + "\n")
    return "\n".join(parts)


def _load_results(results) -> dict[str, ClaimResult | Mapping]:
    if results is None:
        return {}
    if isinstance(results, (str, os.PathLike)):
        path = Path(results)
        try:
            rows = json.loads(path.read_text())
        except FileNotFoundError:
            raise InvalidParameterError(f"results file {str(path)!r} does not exist") from None
        except json.JSONDecodeError as exc:
            raise InvalidParameterError(
                f"results file {str(path)!r} is not JSON ({exc}); write it with `lazyrich verify --json > FILE`"
            ) from None
    else:
        rows = list(results)
    out: dict[str, ClaimResult | Mapping] = {}
    for row in rows:
        rid = row.id if isinstance(row, ClaimResult) else row.get("id") if isinstance(row, Mapping) else None
        if rid is None:
            raise InvalidParameterError(
                "results must be `lazyrich verify --json` rows (objects with an 'id') or ClaimResult objects"
            )
        out[rid] = row
    return out


def _render_worker(cid: str, notation: Notation, checks: str, result) -> RenderedClaim:
    from .model import REGISTRY

    return render_claim(REGISTRY[cid], notation, checks=checks, result=result)


def _worker_init(modules: Sequence[str]) -> None:
    from .runner import load_claims

    load_claims(modules)


def export_latex(
    pattern: str | None = None,
    *,
    fragment: bool = False,
    notation: Notation | None = None,
    results=None,
    checks: str = "all",
    jobs: int = 1,
    modules: Sequence[str] = (),
    registry=None,
    on_claim: Callable[[RenderedClaim], None] | None = None,
) -> str:
    r"""LaTeX of every claim matching ``pattern``: a standalone document, or a fragment of equations.

    Parameters
    ----------
    pattern : str, optional
        Glob or substring of claim ids, as for ``lazyrich verify``.
    fragment : bool
        Only the labelled equations (for ``\input``); runs no check.
    notation : Notation, optional
        Default: the papers' glossary (:data:`lazyrich.DEFAULT_NOTATION`).
    results : path, or sequence of rows or ClaimResult, optional
        Outcomes of an earlier ``lazyrich verify --json``: the status lines report
        them and numeric checks are not rerun (symbolic checks still run, once,
        to print their derivation steps).
    checks : {"all", "symbolic", "none"}
        Checks to run for the standalone document: ``"symbolic"`` prints the
        derivations but leaves the numeric status ``not run``; ``"none"`` runs
        nothing (no derivations). A fragment never runs checks.
    jobs : int
        Worker processes (``0``: every core) for the default registry.
    modules, registry :
        As for :func:`lazyrich.verify`.
    on_claim : callable, optional
        Called with each :class:`RenderedClaim` (progress).

    Returns
    -------
    str
        The LaTeX source.

    Examples
    --------
    >>> tex = export_latex("conservation_delta", fragment=True)
    >>> tex.count("\\label{lazyrich:"), "\\text{False}" in tex
    (1, False)
    """
    from .runner import load_claims

    notation = DEFAULT_NOTATION if notation is None else notation
    own = registry is None
    registry = load_claims(modules) if own else registry
    selected: list[Claim] = registry.select(pattern)
    if not selected:
        raise ClaimError(f"no claim matches {pattern!r}; `lazyrich claims` lists the ids")
    stored = _load_results(results)
    if checks not in CHECKS:
        raise InvalidParameterError(f"checks must be one of {CHECKS}, got {checks!r}")
    checks = "none" if fragment else checks
    if jobs == 0:
        jobs = os.cpu_count() or 1
    done: dict[str, RenderedClaim] = {}
    if jobs <= 1 or len(selected) <= 1 or not own:
        for c in selected:
            done[c.id] = render_claim(c, notation, checks=checks, result=stored.get(c.id))
            if on_claim:
                on_claim(done[c.id])
    else:
        with ProcessPoolExecutor(
            max_workers=min(jobs, len(selected)), initializer=_worker_init, initargs=(tuple(modules),)
        ) as pool:
            futures = [pool.submit(_render_worker, c.id, notation, checks, stored.get(c.id)) for c in selected]
            for fut in as_completed(futures):
                rc = fut.result()
                done[rc.id] = rc
                if on_claim:
                    on_claim(rc)
    rendered = [done[c.id] for c in selected]
    return _fragment(rendered, notation) if fragment else _standalone(rendered, notation)


# ------------------------------------------------------------------ checks of the output
_SYMPY_REPR = re.compile(r"\b(?:MatPow|MatMul|MatAdd|Transpose|Inverse|MatrixSymbol|Symbol|Derivative|Function)\(")


def latex_artefacts(tex: str) -> list[str]:
    r"""Printing artefacts in LaTeX math: SymPy class names, Python reprs, bare Booleans,
    double super/subscripts (the ``MatPow`` glitch ``W^{T}^{2}``), unbalanced braces or ``\left``/``\right``.

    Returns a list of descriptions (empty when clean).

    Examples
    --------
    >>> latex_artefacts(r"\left(W^{T}\right)^{2} = \operatorname{tr}\left(W\right)")
    []
    >>> latex_artefacts(r"W^{T}^{2} + \operatorname{Function}{\left(t \right)} + {")
    ['SymPy class name printed: \\operatorname{Function}', 'double superscript or subscript', 'unbalanced braces']
    """
    found = []
    for name in re.findall(r"\\operatorname\{([A-Za-z]+)\}", tex):
        if name[0].isupper() and isinstance(getattr(sp, name, None), type):
            found.append(f"SymPy class name printed: \\operatorname{{{name}}}")
    if _SYMPY_REPR.search(tex):
        found.append(f"SymPy repr printed: {_SYMPY_REPR.search(tex).group(0)}")
    if re.search(r"\\text\{(?:True|False)\}", tex):
        found.append("a bare Boolean (True/False) printed instead of a relation")
    unescaped = re.sub(r"\\\\|\\[{}]", "", tex)  # drop ``\\`` (line breaks) first, then ``\{``, ``\}``
    collapsed = unescaped
    prev = None
    while prev != collapsed:  # collapse innermost groups to {} so that W^{a^{b}} is not flagged
        prev, collapsed = collapsed, re.sub(r"\{[^{}]*\}", "{}", collapsed)
    if re.search(r"([\^_])\s*(?:\{\}|\\?\w)\s*\1", collapsed):
        found.append("double superscript or subscript")
    depth = 0
    for ch in unescaped:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            break
    if depth != 0:
        found.append("unbalanced braces")
    if len(re.findall(r"\\left\b", tex)) != len(re.findall(r"\\right\b", tex)):
        found.append("unbalanced \\left/\\right")
    return found
