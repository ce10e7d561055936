r"""LaTeX documents of the claims: one claim rendered, the standalone document, the fragment.

The statement of a claim (:meth:`Claim.statements`) and the derivation steps of its symbolic
proof (:attr:`Proof.steps`) are printed by :mod:`lazyrich._claims.printing` from the very
SymPy objects that were verified. This module assembles them, with each claim's verification
status, into three outputs: :func:`claim_latex` (one claim, as an ``equation`` labelled
``lazyrich:<claim id>``), :func:`export_latex` with ``fragment=True`` (those equations only,
for ``\input``) and the standalone document (one section per paper; per claim its title,
source, statement, derivation chain and verification status). ``lazyrich latex`` is the
command-line form.

Examples
--------
>>> import sympy as sp
>>> from lazyrich import Claim, Source
>>> x = sp.Symbol("x")
>>> c = Claim("demo.square", "$(x+1)^2$ expands", Source("demo", "none"), [sp.Eq((x + 1) ** 2, x**2 + 2 * x + 1)])
>>> rc = render_claim(c, checks="none")
>>> rc.label, rc.statement
('lazyrich:demo.square', ['\\left(x + 1\\right)^{2} &= x^{2} + 2 x + 1'])
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import sympy as sp

from .._base.errors import ClaimError, InvalidParameterError
from .model import NA, PAPERS, REGISTRY, Claim, ClaimResult, Proof, bind_statement, citation, run_numeric, run_symbolic
from .notation import DEFAULT_NOTATION, Notation
from .printing import (
    claim_label,
    equation_latex,
    latex_lines,
    statement_lines,
)
from .runner import load_claims
from .text import rich_text, tex_number, tex_text

__all__ = [
    "RenderedClaim",
    "claim_latex",
    "export_latex",
    "latex_artefacts",
    "proof_latex",
    "render_claim",
]

NOT_RUN = "not run"


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
    established: str = ""

    @property
    def passed(self) -> bool:
        """No check reported ``fail`` (checks not run count as passed)."""
        return "fail" not in (self.symbolic, self.numeric)

    @property
    def label(self) -> str:
        return claim_label(self.id)

    def equation(self) -> str:
        """The statement as one ``equation`` (``aligned`` inside for several lines), labelled."""
        return equation_latex(self.id, self.statement)

    def status_line(self) -> str:
        """LaTeX text: ``symbolic: pass; numeric: pass; certified: n/a; max error: $2.1\\times 10^{-13}$``."""
        err = "--" if self.max_error is None else tex_number(self.max_error)
        sym, num, cert = (tex_text(str(s)) for s in (self.symbolic, self.numeric, self.certified))
        how = f"established: {tex_text(self.established)}; " if self.established else ""
        return f"{how}symbolic: {sym}; numeric: {num}; certified: {cert}; max error: {err}"


def _status(result: ClaimResult | Mapping | None, rc: RenderedClaim) -> None:
    if result is None:
        return
    if isinstance(result, ClaimResult):
        rc.symbolic, rc.numeric, rc.max_error = result.symbolic.status, result.numeric.status, result.max_error
        rc.established = result.established
    else:
        rc.established = str(result.get("established", ""))
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
    rc.statement, rc.problems = statement_lines(c.statements, notation)
    _status(result, rc)
    if checks == "none":
        return rc
    own_status = result is None
    if c.symbolic is None:
        rc.symbolic = NA if own_status else rc.symbolic
    else:
        held: list[Proof] = []
        check = bind_statement(c.symbolic, c.statements)

        def capture():
            held.append(check())
            return held[-1]

        checked = False
        if own_status:
            sym = run_symbolic(capture)
            rc.symbolic, how = sym.status, sym.established
            checked = sym.status == "pass"
        else:
            try:
                proof = capture()
                checked = isinstance(proof, Proof) and not proof.failing()
                how = proof.established() if checked else ""
            except Exception as exc:
                rc.problems.append(f"the symbolic check raised {type(exc).__name__}: {exc}")
        # only checked derivations are displayed
        proof_steps = getattr(held[0], "steps", ()) if held and checked else ()
        if held and not checked and getattr(held[0], "steps", ()):
            rc.problems.append("derivation not shown: the symbolic check did not establish every step")
        rc.steps, probs = latex_lines(proof_steps, notation, "derivation step")
        rc.problems += probs
        if own_status and checked:
            rc.established = f"symbolic, {how}"
    if own_status and checks == "all":
        if c.numeric is None:
            rc.numeric = NA
        else:
            num = run_numeric(bind_statement(c.numeric, c.statements))
            rc.numeric, rc.max_error = num.status, num.max_error
    if own_status and not rc.established and rc.numeric == "pass" and rc.symbolic != "fail":
        rc.established = "heuristic" if c.heuristic else "numeric"
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
    '\\begin{subequations}\\label{lazyrich:get_rich_quick.conservation_delta}'
    """
    return c.latex(notation)


def proof_latex(proof: Proof, notation: Notation | None = None) -> str:
    r"""The derivation steps of a :class:`Proof` as an ``align*`` chain.

    >>> import sympy as sp
    >>> x = sp.Symbol("x")
    >>> print(proof_latex(Proof(residuals=[x - x], steps=[sp.Eq((x + 1) ** 2, x**2 + 2 * x + 1)])))
    \begin{align*}
    \left(x + 1\right)^{2} &= x^{2} + 2 x + 1
    \end{align*}
    """
    lines, _ = latex_lines(proof.steps, notation, "derivation step")
    return "\\begin{align*}\n" + " \\\\\n".join(lines) + "\n\\end{align*}" if lines else ""


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
        # ragged right: ids, citations and arXiv numbers are long unbreakable words
        "\\raggedright",
        "\\begin{document}",
        "{\\Large\\bfseries Claims verified by lazyrich\\par}",
        "Every equation below is printed from the SymPy objects that lazyrich checked: the statement of "
        "each claim and the identities its symbolic proof used. Equation labels are "
        "\\texttt{lazyrich:<claim id>}; the equations of a claim with several statements are numbered "
        "(1a), (1b), \\dots",
        "",
    ]
    for paper in _paper_order(rendered):
        parts.append(f"\\section{{{tex_text(citation(paper))}}}\n")
        for rc in (r for r in rendered if r.paper == paper):
            title = rich_text(rc.title, f"the title of claim {rc.id}")
            source = rich_text(rc.source, f"the source of claim {rc.id}")
            parts.append(f"\\subsection*{{\\boldmath {title}}}")
            parts.append(f"\\texttt{{{tex_text(rc.id)}}}\\\\\n\\textbf{{Source:}} {source}.\n")
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


#: The statuses a ``lazyrich verify --json`` row may carry (``CheckResult.status``).
_ROW_STATUSES = ("pass", "fail", "n/a")
_HOW = "write it with `lazyrich verify --json > FILE`"


def _check_row(row: Mapping, where: str) -> str:
    """The id of one ``lazyrich verify --json`` row, after checking the fields :func:`render_claim` reads."""
    rid = row.get("id")
    if not isinstance(rid, str) or not rid:
        raise InvalidParameterError(f"{where} has no claim id (a string 'id'); {_HOW}")
    for key in ("symbolic", "numeric"):
        if row.get(key) not in _ROW_STATUSES:
            raise InvalidParameterError(
                f"{where} (claim {rid}): {key!r} must be one of {', '.join(_ROW_STATUSES)}; got {row.get(key)!r}; {_HOW}"
            )
    if "certified" in row and row["certified"] not in _ROW_STATUSES:
        raise InvalidParameterError(f"{where} (claim {rid}): 'certified' must be one of {', '.join(_ROW_STATUSES)}")
    err = row.get("max_error")
    if err is not None and (isinstance(err, bool) or not isinstance(err, (int, float))):
        raise InvalidParameterError(f"{where} (claim {rid}): 'max_error' must be a number or null; got {err!r}")
    return rid


def _load_results(results) -> dict[str, ClaimResult | Mapping]:
    if results is None:
        return {}
    if isinstance(results, (str, os.PathLike)):
        path = Path(results)
        try:
            rows = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise InvalidParameterError(f"results file {str(path)!r} does not exist") from None
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise InvalidParameterError(f"results file {str(path)!r} is not JSON ({exc}); {_HOW}") from None
        except OSError as exc:
            raise InvalidParameterError(f"cannot read results file {str(path)!r}: {exc.strerror or exc}") from None
        if not isinstance(rows, list):
            raise InvalidParameterError(f"results file {str(path)!r} must hold a JSON list of rows; {_HOW}")
    elif isinstance(results, (Mapping, str, bytes)) or not hasattr(results, "__iter__"):
        raise InvalidParameterError(
            "results must be a path, or a sequence of `lazyrich verify --json` rows or ClaimResult objects"
        )
    else:
        rows = list(results)
    out: dict[str, ClaimResult | Mapping] = {}
    for i, row in enumerate(rows):
        if isinstance(row, ClaimResult):
            out[row.id] = row
        elif isinstance(row, Mapping):
            out[_check_row(row, f"results row {i}")] = row
        else:
            raise InvalidParameterError(
                "results must be `lazyrich verify --json` rows (objects with an 'id') or ClaimResult objects"
            )
    return out


def _render_worker(cid: str, notation: Notation, checks: str, result) -> RenderedClaim:
    return render_claim(REGISTRY[cid], notation, checks=checks, result=result)


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
    notation = DEFAULT_NOTATION if notation is None else notation
    stored = _load_results(results)  # a bad results file is refused before any claim is loaded or run
    own = registry is None
    registry = load_claims(modules) if own else registry
    selected: list[Claim] = registry.select(pattern)
    if not selected:
        raise ClaimError(f"no claim matches {pattern!r}; `lazyrich claims` lists the ids")
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
            max_workers=min(jobs, len(selected)), initializer=load_claims, initargs=(tuple(modules),)
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
