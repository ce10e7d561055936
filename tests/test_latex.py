"""LaTeX export (issue 7): printer fixes, notation, snapshots, and real compilation with pdflatex.

The compile tests need ``pdflatex``. Outside CI they skip when it is missing (install it with
``apt-get install texlive-latex-base texlive-latex-recommended``); with ``CI=true`` they fail
instead, since ``.ci/run`` installs it.

Snapshots hold the rendered LaTeX of every claim's statement, one file per paper in
``tests/snapshots/``: ``<paper>.tex`` in the default notation and ``<paper>.<style>.tex`` in the
paper's own ``--style``. After a reviewed change of the claims or of the printer, rewrite them with
``LAZYRICH_UPDATE_SNAPSHOTS=1 pytest -n 0 tests/test_latex.py -k snapshot`` and review ``git diff tests/snapshots``.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import sympy as sp

from lazyrich import (
    DEFAULT_NOTATION,
    PAPERS,
    ClaimError,
    InvalidParameterError,
    Notation,
    Proof,
    Source,
    claim_latex,
    export_latex,
    expr_latex,
    load_claims,
    proof_latex,
    render_claim,
)
from lazyrich._claims.latex import latex_artefacts
from lazyrich._claims.model import Claim, Registry
from lazyrich._claims.notation import STYLES
from lazyrich._claims.printing import LINE_WIDTH, tidy
from lazyrich._claims.text import rich_text, tex_text
from lazyrich._tools.cli import main

SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE_SNAPSHOTS = os.environ.get("LAZYRICH_UPDATE_SNAPSHOTS") == "1"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
INSTALL_TEX = "apt-get install texlive-latex-base texlive-latex-recommended"

t = sp.Symbol("t", real=True)
N = sp.Symbol("N", positive=True, integer=True)
W1 = sp.MatrixSymbol("W_1", N, N)
W2 = sp.MatrixSymbol("W_2", N, N)
Syx = sp.MatrixSymbol("Sigma_yx", N, N)


# ------------------------------------------------------------------ helpers
def _pdflatex() -> str:
    exe = shutil.which("pdflatex")
    if exe is None:
        if IN_CI:
            pytest.fail(f"pdflatex is missing in CI (CI=true): .ci/run must install it ({INSTALL_TEX})")
        pytest.skip(f"pdflatex not found; install it with `{INSTALL_TEX}` to run the compile tests")
    return exe


def _compile(tex: str, workdir: Path, name: str = "claims", runs: int = 1) -> str:
    """Compile with ``pdflatex -halt-on-error`` ``runs`` times (as a user would: twice for the
    cross-references); return the .aux file (where the labels are). The log is ``<name>.log``."""
    exe = _pdflatex()
    (workdir / f"{name}.tex").write_text(tex, encoding="utf-8")
    for _ in range(runs):
        proc = subprocess.run(
            [exe, "-halt-on-error", "-interaction=nonstopmode", f"{name}.tex"],
            cwd=workdir,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=300,
        )
        assert proc.returncode == 0, f"pdflatex failed:\n{proc.stdout[-3000:]}"
    assert (workdir / f"{name}.pdf").stat().st_size > 0
    return (workdir / f"{name}.aux").read_text(errors="replace")


def _overfull(log: str) -> list[str]:
    """The ``Overfull \\hbox`` warnings of a pdflatex log (each names the claims.tex line)."""
    return [line for line in log.splitlines() if "Overfull \\hbox" in line]


def _labels(aux: str) -> list[str]:
    return re.findall(r"\\newlabel\{lazyrich:([^}]+)\}", aux)


def _math_lines(tex: str) -> list[str]:
    """The display-math blocks of an export: statements (equation, subequations) and derivations (align*)."""
    return [m.group(2) for m in re.finditer(r"\\begin\{(equation|subequations|align\*)\}(.*?)\\end\{\1\}", tex, re.S)]


def _statement_blocks(tex: str) -> list[str]:
    return [m.group(2) for m in re.finditer(r"\\begin\{(equation|subequations)\}(.*?)\\end\{\1\}", tex, re.S)]


# ------------------------------------------------------------------ printer
def test_matrix_symbol_names_with_underscores_print_as_subscripts():
    assert expr_latex(W1) == "W_{1}"
    assert expr_latex(Syx) == r"\Sigma_{yx}"
    assert expr_latex(W1.T * Syx) == r"W_{1}^{T} \Sigma_{yx}"
    assert expr_latex(sp.MatrixSymbol("Sigma_xx", N, N) ** -1) == r"\Sigma_{xx}^{-1}"


def test_bold_matrices_and_transpose_follow_the_notation():
    bold = Notation(bold_matrices=True, transpose=r"\top")
    assert expr_latex(W1.T * Syx, bold) == r"\bm{W}_{1}^{\top} \bm{\Sigma}_{yx}"
    a = sp.MatrixSymbol("a", 1, 1)  # 1x1 matrices are scalars in lazyrich: not bold
    assert expr_latex(a * W1, bold) == r"a \bm{W}_{1}"
    assert expr_latex(sp.Identity(N) + W1, bold).count(r"\bm{I}") == 1
    assert r"\mathbb{I}" not in expr_latex(sp.Identity(N) + W1)


def test_symbol_names_are_mapped_by_name_whatever_their_assumptions():
    lam_pos, lam = sp.Symbol("lam", positive=True), sp.Symbol("lam")
    assert lam_pos != lam and expr_latex(lam_pos) == expr_latex(lam) == r"\lambda"
    notation = DEFAULT_NOTATION.updated({"symbols": {"W_1": "W", "Sigma_yx": r"\Sigma"}})
    assert expr_latex(W1.T * Syx, notation) == r"W^{T} \Sigma"


def test_derivative_is_total_in_one_variable_and_parenthesizes_products():
    assert expr_latex(sp.Derivative(W2 * W1, t, evaluate=False)) == r"\frac{d}{d t} \left(W_{2} W_{1}\right)"
    assert expr_latex(sp.Derivative(W1, t, evaluate=False)) == r"\frac{d}{d t} W_{1}"
    x, y = sp.symbols("x y")
    f = sp.Function("f")(x, y)
    assert expr_latex(sp.Derivative(f, x)).startswith(r"\frac{\partial}{\partial x}")


def test_negative_symbolic_coefficient_prints_as_subtraction():
    # SymPy's own printer gives "\eta_{a} w^{T} w + - \eta_{w} a^{T} a" for this sum (a 1x1, w a column)
    eta_a, eta_w = sp.symbols("eta_a eta_w", positive=True)
    a, w = sp.MatrixSymbol("a", 1, 1), sp.MatrixSymbol("w", N, 1)
    assert expr_latex(eta_a * w.T * w - eta_w * a.T * a) == r"\eta_{a} w^{T} w - \eta_{w} a^{T} a"


def test_numeric_coefficient_of_a_matrix_is_not_parenthesized():
    assert expr_latex(sp.Rational(1, 2) * W1 * W2) == r"\frac{1}{2} W_{1} W_{2}"


def test_power_of_an_undefined_function_keeps_its_argument_next_to_the_name():
    A = sp.Function("A")(t)
    assert expr_latex(A**2) == r"A{\left(t \right)}^{2}"
    assert expr_latex(sp.sqrt(A)) == r"\sqrt{A{\left(t \right)}}"


def test_names_that_already_are_latex_print_verbatim_in_braces():
    s_tilde = sp.Symbol(r"\tilde{s}")
    q_inv = sp.MatrixSymbol("q_+^{-1}", N, N)
    assert expr_latex(s_tilde**2) == r"{\tilde{s}}^{2}"
    out = expr_latex(q_inv**2 + q_inv.T)
    assert "{q_+^{-1}}" in out and not latex_artefacts(out)


def test_artefact_detector_finds_the_glitches_it_names():
    assert latex_artefacts(r"\frac{d}{d t} \left(W_{2} W_{1}\right) = \operatorname{tr}\left(W\right)") == []
    assert latex_artefacts(r"\operatorname{Function}{\left(t \right)}")
    assert latex_artefacts(r"W^{T}^{2}")  # the MatPow glitch: a power of a superscripted name
    assert latex_artefacts(r"MatPow(W, 2)")
    assert latex_artefacts(r"\text{False}")
    assert latex_artefacts(r"\frac{1}{2")
    assert latex_artefacts(r"\left( x")
    assert latex_artefacts(r"\begin{matrix}a\\{b}\end{matrix}") == []  # ``\\`` is a line break, not ``\{``


def test_a_relation_sympy_decided_at_construction_is_reported_not_printed_as_false():
    decided = sp.Eq(sp.Derivative(W1, t, evaluate=False), W2)  # SymPy evaluates this Eq to False
    kept = sp.Eq(sp.Derivative(W1, t, evaluate=False), W2, evaluate=False)
    assert decided is sp.false
    c = Claim("demo.bool", "an Eq of a Derivative and a matrix", Source("demo", "none"), statement=[decided, kept])
    rc = render_claim(c, checks="none")
    assert any("evaluate=False" in p for p in rc.problems), rc.problems
    assert r"\text{False}" not in rc.equation() and r"\label{lazyrich:demo.bool}" in rc.equation()
    steps = proof_latex(Proof(residuals=[W1 - W1], steps=[decided, kept]))
    assert steps == "\\begin{align*}\n\\frac{d}{d t} W_{1} &= W_{2}\n\\end{align*}"


def test_long_sums_are_broken_into_aligned_lines():
    terms = sp.MatAdd(*[sp.MatrixSymbol(f"W_{i}", N, N) * sp.MatrixSymbol(f"V_{i}", N, N) for i in range(12)])
    rc_lines = render_claim(
        Claim("demo.long", "long", Source("demo", "x"), statement=[sp.Eq(W1, terms, evaluate=False)]), checks="none"
    ).statement
    assert len(rc_lines) > 1
    assert rc_lines[0].startswith("W_{1} &= ") and all(line.startswith(r"&\quad + ") for line in rc_lines[1:])


# ------------------------------------------------------------------ notation files
def test_notation_toml_is_laid_over_the_glossary(tmp_path):
    f = tmp_path / "notation.toml"
    f.write_text('bold_matrices = true\ntranspose = "\\\\top"\n[symbols]\nW_1 = "W"\nlam = "\\\\ell"\n')
    n = Notation.from_toml(f)
    assert n.bold_matrices and n.transpose == r"\top"
    assert n.symbols["W_1"] == "W" and n.symbols["lam"] == r"\ell"
    assert n.symbols["Lam"] == DEFAULT_NOTATION.symbols["Lam"]  # untouched glossary entries stay
    assert expr_latex(W1.T, n) == r"\bm{W}^{\top}"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("colour = 1\n", "unknown notation key"),
        ('[symbols]\nW_1 = "{W"\n', "unbalanced braces"),
        ('transpose = "t"\n', "transpose must be one of"),
        ("bold_matrices = 1\n", "bold_matrices must be true or false"),
        ("[symbols\n", "not valid TOML"),
        ('symbols = "W"\n', "must be a table"),
    ],
)
def test_bad_notation_files_raise_a_typed_error_saying_what_to_fix(tmp_path, content, message):
    f = tmp_path / "notation.toml"
    f.write_text(content)
    with pytest.raises(InvalidParameterError, match=message):
        Notation.from_toml(f)


def test_missing_notation_file_raises(tmp_path):
    with pytest.raises(InvalidParameterError, match="does not exist"):
        Notation.from_toml(tmp_path / "nope.toml")


# ------------------------------------------------------------------ all registered claims
OWN_STYLE = {"lazy_to_rich": "domine", "get_rich_quick": "kunin", "mixed_dynamics": "tu"}
PROJECT_PAPERS = ("lazy_to_rich", "get_rich_quick", "mixed_dynamics", "deep_linear")


def _project_registry() -> Registry:
    """The project's own claims: other tests in the same worker register demo claims, some invalid on purpose."""
    registry = Registry()
    for c in load_claims():
        if c.paper in PROJECT_PAPERS:
            registry.add(c)
    return registry


def test_full_standalone_export_compiles_without_overfull_box_or_rerun_warning(tmp_path):
    # the standard document (`lazyrich latex -o claims.tex`) with every derivation; the numeric
    # checks only change the numbers of the status lines, so they are not run here
    registry = _project_registry()
    tex = export_latex(checks="symbolic", jobs=2, registry=registry)
    aux = _compile(tex, tmp_path, runs=2)  # a user runs pdflatex twice for the cross-references
    log = (tmp_path / "claims.log").read_text(errors="replace")
    overfull = _overfull(log)
    assert not overfull, "\n".join(overfull)
    assert "Rerun" not in log, "the second pdflatex run still asks for a rerun"
    labels = _labels(aux)
    assert sorted(labels) == sorted(c.id for c in registry), "one labelled display per claim"
    sections = re.findall(r"\\section\{(.*?)\}\n", tex)
    assert len(sections) == len({c.paper for c in registry})
    assert all(tex_text(PAPERS[p]) in sections for p in {c.paper for c in registry} if p in PAPERS)
    # the papers whose proofs display derivation steps (get_rich_quick's proofs reduce each relation of the
    # statement directly, without intermediate steps)
    for paper in ("lazy_to_rich", "mixed_dynamics", "deep_linear"):
        assert "Derivation" in tex.split(f"\\section{{{tex_text(PAPERS[paper])}}}")[1].split("\\section{")[0]
    # round trip of every statement: printed from the SymPy objects without artefacts
    assert len(_statement_blocks(tex)) == len(registry)
    bad = {i: latex_artefacts(b) for i, b in enumerate(_math_lines(tex)) if latex_artefacts(b)}
    assert not bad, bad


def test_titles_and_sources_of_every_claim_are_text_with_dollar_math():
    # the contract of titles and source notes: LaTeX math between $...$, no ASCII ^ _ \ { } outside
    problems = {}
    for c in load_claims():
        for what, text in (("title", c.title), ("source", c.source.cite())):
            try:
                rich_text(text, f"the {what} of {c.id}")
            except ClaimError as exc:
                problems[f"{c.id} ({what})"] = str(exc)
    assert not problems, "\n".join(problems.values())


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("conserves W2^T W2", r"'\^' outside"),
        ("eta_a and $x$", "'_' outside"),
        ("a \\lambda", "outside"),
        ("an odd $ dollar", "unpaired \\$"),
        ("$x^{2$ braces", "unbalanced braces"),
        ("an odd ` tick", "unpaired `"),
    ],
)
def test_text_with_ascii_math_outside_dollars_is_rejected(text, message):
    with pytest.raises(ClaimError, match=message):
        rich_text(text)


def test_text_with_dollar_math_and_code_compiles(tmp_path):
    text = (
        r"$\delta = \eta_w a^2 - \eta_a \|w\|^2$ is conserved (50% of `deep_aligned_time`, Dominé §2 – δ ≥ 0 & |x| < 1)"
    )
    tex = rich_text(text)
    assert tex.startswith(r"$\delta = \eta_w a^2") and r"\texttt{deep\_aligned\_time}" in tex
    doc = "\\documentclass{article}\n\\usepackage{amsmath,amssymb,bm}\n\\begin{document}\n%s\n\\end{document}\n"
    _compile(doc % tex, tmp_path, "rich")


def test_a_title_breaking_the_contract_fails_the_export():
    c = Claim("demo.ascii", "conserves W2^T W2", Source("demo", "none"), statement=[sp.Eq(W1, W1, evaluate=False)])
    registry = Registry()
    registry.add(c)
    with pytest.raises(ClaimError, match=r"title of claim demo.ascii: '\^' outside"):
        export_latex(registry=registry, checks="none")


# ------------------------------------------------------------------ snapshots
# every registered paper in the default notation, and the three papers in their own style
SNAPSHOTS_CASES = [(paper, None) for paper in sorted({c.paper for c in load_claims()})] + sorted(OWN_STYLE.items())


# statements SymPy builds differently from one hash seed to the next (PYTHONHASHSEED)
UNSTABLE_STATEMENTS = {
    "lazy_to_rich.direct_form_instability": "SymPy's O() in several variables drops terms depending on the hash seed",
}


@pytest.mark.parametrize(("paper", "style"), SNAPSHOTS_CASES)
def test_latex_of_every_claim_matches_the_reviewed_snapshot(paper, style):
    """Regenerate with ``LAZYRICH_UPDATE_SNAPSHOTS=1`` (see the module docstring), then review the diff."""
    notation = Notation.style(style) if style else None
    claims = load_claims().select(f"{paper}.*")
    assert claims, f"no claim of {paper}"
    parts = []
    for c in claims:
        if c.id in UNSTABLE_STATEMENTS:
            parts.append(f"% {c.id}: not held ({UNSTABLE_STATEMENTS[c.id]})\n")
            continue
        rc = render_claim(c, notation, checks="none")
        parts.append(f"% {rc.id}\n" + "".join(f"% not printed: {p}\n" for p in rc.problems) + rc.equation() + "\n")
    got = "\n".join(parts)
    path = SNAPSHOTS / (f"{paper}.{style}.tex" if style else f"{paper}.tex")
    if UPDATE_SNAPSHOTS:
        path.parent.mkdir(exist_ok=True)
        path.write_text(got, encoding="utf-8")
    assert path.exists(), f"no snapshot {path}; create it with LAZYRICH_UPDATE_SNAPSHOTS=1"
    want = path.read_text(encoding="utf-8")
    diff = "".join(difflib.unified_diff(want.splitlines(True), got.splitlines(True), "snapshot", "now"))
    assert got == want, f"LaTeX changed (review, then LAZYRICH_UPDATE_SNAPSHOTS=1):\n{diff}"


def test_snapshots_contain_no_substituted_zero_and_keep_the_papers_term_order():
    text = (SNAPSHOTS / "lazy_to_rich.tex").read_text() + (SNAPSHOTS / "get_rich_quick.tex").read_text()
    assert r"- W_{1} W_{1}^{T} + W_{2}^{T} W_{2}" not in text
    assert r"\frac{d}{d t} \left(W_{2}^{T} W_{2} - W_{1} W_{1}^{T}\right)" in text
    saddle = text.split("% get_rich_quick.saddle_set\n")[1].split("% ")[0]
    assert r"w^{T} X^{T} y &= 0" in saddle and " 0 -" not in saddle


# ------------------------------------------------------------------ printer: order, zeros, numbering, breaking
def test_matrix_sums_keep_their_order_and_do_not_open_with_a_minus_sign():
    assert expr_latex(sp.Derivative(W2.T * W2 - W1 * W1.T, t, evaluate=False)) == (
        r"\frac{d}{d t} \left(W_{2}^{T} W_{2} - W_{1} W_{1}^{T}\right)"
    )
    written = sp.MatAdd(W1 * W2, -W2.T, W2 * W1)  # built unevaluated: the order as written
    assert expr_latex(written) == r"W_{1} W_{2} - W_{2}^{T} + W_{2} W_{1}"


def test_a_substituted_zero_or_identity_does_not_stay_inside_a_product():
    a = sp.MatrixSymbol("a", 1, 1)
    x = sp.MatrixSymbol("x", N, 1)
    zeroed = (W1.T * (W2 * x * a - x)).subs(a, sp.ZeroMatrix(1, 1))
    assert expr_latex(zeroed) == r"- W_{1}^{T} x"
    unit = (W1 * sp.MatrixSymbol("B", N, N) * W2).subs(sp.MatrixSymbol("B", N, N), sp.Identity(N))
    assert expr_latex(unit) == r"W_{1} W_{2}"
    assert tidy(W1 + sp.Identity(N)) == W1 + sp.Identity(N)  # an identity in a sum stays


def test_each_statement_of_a_group_gets_its_own_number(tmp_path):
    many = [sp.Eq(W1, W2, evaluate=False), sp.Eq(W2, W1.T, evaluate=False)]
    c = Claim("demo.group", "two statements", Source("demo", "x"), statement=many)
    eq = render_claim(c, checks="none").equation()
    assert eq.startswith("\\begin{subequations}\\label{lazyrich:demo.group}\n\\begin{align}")
    doc = "\\documentclass{article}\\usepackage{amsmath}\\begin{document}\n%s\n(\\ref{lazyrich:demo.group})\n"
    assert eq.count(" \\\\\n") == 1 and "\\notag" not in eq  # two numbered rows
    aux = _compile(doc % eq + "\\end{document}\n", tmp_path, "group", runs=2)
    assert r"\newlabel{lazyrich:demo.group}{{1}" in aux  # the label names the group: (1)
    if shutil.which("pdftotext"):  # poppler-utils: the rows are (1a) and (1b)
        subprocess.run(["pdftotext", "group.pdf"], cwd=tmp_path, check=True, timeout=60)
        text = (tmp_path / "group.txt").read_text(errors="replace")
        assert "(1a)" in text and "(1b)" in text and "(1)" in text
    one = render_claim(Claim("demo.one", "one", Source("demo", "x"), statement=many[:1]), checks="none")
    assert one.equation().startswith("\\begin{equation}")


def test_a_wide_product_is_broken_inside_its_parentheses():
    wide = sp.MatAdd(*[sp.MatrixSymbol(f"V_{i}", N, N) * sp.MatrixSymbol(f"U_{i}", N, N) for i in range(14)])
    rc = render_claim(
        Claim("demo.wide", "wide", Source("demo", "x"), statement=[sp.Eq(W1, W2 * wide * W2, evaluate=False)]),
        checks="none",
    )
    assert len(rc.statement) > 1 and rc.statement[0].endswith(r"\right.")
    assert rc.statement[1].startswith(r"&\quad \left.")
    assert not latex_artefacts(rc.equation())
    assert all(len(re.sub(r"\\[a-z]+|[{}_^ ]", "", line)) <= 2 * LINE_WIDTH for line in rc.statement)


# ------------------------------------------------------------------ styles
def test_paper_styles_set_the_papers_transpose_and_identity():
    assert expr_latex(W1.T * Syx, Notation.style("tu")) == r"W_{1}^{\top} \Sigma_{yx}"
    assert expr_latex(W1.T + sp.Identity(N), Notation.style("kunin")) == r"\mathbf{I} + W_{1}^{\intercal}"
    assert expr_latex(W1.T, Notation.style("domine")) == r"W_{1}^{T}"
    hat = sp.MatrixSymbol(r"\hat\beta\hat\beta^T", N, N)  # LaTeX written into a name follows the style too
    assert expr_latex(hat, Notation.style("tu")) == r"{\hat\beta\hat\beta^{\top}}"
    assert set(STYLES) == {"domine", "kunin", "tu"}
    with pytest.raises(InvalidParameterError, match="unknown style"):
        Notation.style("nature")


@pytest.mark.parametrize("style", STYLES)
def test_export_in_each_paper_style_compiles_without_overfull_box(tmp_path, style):
    tex = export_latex(checks="none", notation=Notation.style(style), registry=_project_registry())
    _compile(tex, tmp_path)
    overfull = _overfull((tmp_path / "claims.log").read_text(errors="replace"))
    assert not overfull, "\n".join(overfull)


def test_cli_style_with_a_notation_file_laid_over_it(tmp_path):
    notation = tmp_path / "n.toml"
    notation.write_text('[symbols]\nW_1 = "W"\n')
    out = tmp_path / "eqs.tex"
    args = ["latex", "gd_imbalance_step", "--fragment", "-o", str(out), "--style", "tu"]
    assert main([*args, "--notation", str(notation)]) == 0
    tex = out.read_text()
    assert r"W^{\top}" in tex and "^{T}" not in tex and "W_{1}" not in tex


# ------------------------------------------------------------------ text, notebooks, CLI
def test_text_escaping_compiles(tmp_path):
    text = "δ ≥ 0, λ→∞, Σ_yx^T & 50% #1 $x$ {a} ~b | <c> \\ Dominé §2 – ‖w‖² ∈ ℓ"
    doc = "\\documentclass{article}\n\\usepackage{amsmath,amssymb,bm}\n\\begin{document}\n%s\n\\end{document}\n"
    _compile(doc % tex_text(text), tmp_path, "text")


def test_notebook_reprs_are_aligned_math():
    registry = load_claims()
    c = registry["lazy_to_rich.gd_imbalance_step"]
    assert c._repr_latex_().startswith("$$\\begin{aligned}") and c._repr_latex_().endswith("$$")
    assert c.latex() == claim_latex(c)
    x = sp.Symbol("x")
    proof = Proof(residuals=[x - x], steps=[sp.Eq((x + 1) ** 2, x**2 + 2 * x + 1)])
    assert proof._repr_latex_() == r"$$\begin{aligned}\left(x + 1\right)^{2} &= x^{2} + 2 x + 1\end{aligned}$$"


def test_cli_fragment_with_notation(tmp_path, capsys):
    notation = tmp_path / "n.toml"
    notation.write_text('transpose = "\\\\top"\n[symbols]\nW_1 = "W"\n')
    out = tmp_path / "eqs.tex"
    assert main(["latex", "gd_imbalance_step", "--fragment", "-o", str(out), "--notation", str(notation)]) == 0
    tex = out.read_text()
    assert tex.count(r"\label{lazyrich:") == 1 and r"W^{\top}" in tex and "W_{1}" not in tex
    assert "\\documentclass" not in tex
    paper = "\\documentclass{article}\\usepackage{amsmath}\\begin{document}\\input{eqs.tex}\n"
    paper += "See (\\ref{lazyrich:lazy_to_rich.gd_imbalance_step}).\\end{document}\n"
    assert _labels(_compile(paper, tmp_path, "paper")) == ["lazy_to_rich.gd_imbalance_step"]


def test_cli_standalone_reuses_verify_results(tmp_path, capsys):
    rows = [{"id": "deep_linear.imbalance_conservation", "symbolic": "pass", "numeric": "pass", "max_error": 1.5e-13}]
    results = tmp_path / "results.json"
    results.write_text(json.dumps(rows))
    out = tmp_path / "claims.tex"
    assert (
        main(["latex", "deep_linear.imbalance_conservation", "-o", str(out), "--results", str(results), "--jobs", "1"])
        == 0
    )
    tex = out.read_text()
    assert "\\documentclass" in tex  # .tex output defaults to a standalone document
    assert r"numeric: pass; certified: n/a; max error: $1.5\times 10^{-13}$" in tex
    assert tex.count(r"\label{lazyrich:") == 1 and "Derivation" in tex
    _compile(tex, tmp_path)


def test_standalone_export_runs_the_checks_for_the_status_line():
    tex = export_latex("get_rich_quick.conservation_delta", checks="all")
    status = re.search(r"Verification:\}\s*(.*)", tex).group(1)
    assert status.startswith(
        "established: symbolic, general shape; symbolic: pass; numeric: pass; certified: n/a; max error: $"
    )


def test_cli_reports_unknown_pattern(capsys):
    assert main(["latex", "no_such_claim_anywhere", "--fragment"]) == 2
    assert "no claim matches" in capsys.readouterr().err


USER_CLAIMS = """
import sympy as sp
from lazyrich import Proof, Source, claim

t = sp.Symbol("t")
W = sp.MatrixSymbol("W", 2, 2)
ok = claim("demo.ok", "a user claim", Source("demo", "notes"), statement=lambda: [sp.Eq(W.T.T, W, evaluate=False)])
ok.symbolic_check(lambda: Proof(residuals=[W.T.T - W], steps=[sp.Eq(W.T.T, W, evaluate=False)]))
lost = claim("demo.lost", "an evaluated Eq", Source("demo", "notes"), statement=[sp.Eq(W.T.T, W)])
"""


def test_cli_exports_user_claim_modules_and_strict_flags_unprintable_statements(tmp_path):
    # a subprocess, so that the demo claims do not enter this process's registry
    (tmp_path / "user_claims.py").write_text(USER_CLAIMS)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])}
    run = [sys.executable, "-m", "lazyrich", "latex", "demo.", "--module", "user_claims", "--jobs", "1"]
    out = tmp_path / "demo.tex"
    r = subprocess.run([*run, "-o", str(out), "--strict"], capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 1, r.stderr  # --strict: the document is written, but the lost statement fails the run
    assert "demo.lost" in r.stderr and "not printed" in r.stderr
    tex = out.read_text()
    assert "\\section{demo}" in tex and tex.count("\\label{lazyrich:demo.") == 2
    assert "symbolic: pass" in tex and "W^{T}" not in tex  # (W^T)^T printed as the verified object: W
