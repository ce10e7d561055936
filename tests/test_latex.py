"""LaTeX export (issue 7): printer fixes, notation, snapshots, and real compilation with pdflatex.

The compile tests need ``pdflatex``. Outside CI they skip when it is missing (install it with
``apt-get install texlive-latex-base texlive-latex-recommended``); with ``CI=true`` they fail
instead, since ``.ci/run`` installs it.

Snapshots of key claims live in ``tests/snapshots/*.tex``; after a reviewed change of the claims
or of SymPy's printer, rewrite them with ``LAZYRICH_UPDATE_SNAPSHOTS=1 pytest tests/test_latex.py``.
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
from lazyrich._claims.model import Claim
from lazyrich._claims.printing import tex_text
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


def _compile(tex: str, workdir: Path, name: str = "claims") -> str:
    """Compile with ``pdflatex -halt-on-error``; return the .aux file (where the labels are)."""
    exe = _pdflatex()
    (workdir / f"{name}.tex").write_text(tex, encoding="utf-8")
    proc = subprocess.run(
        [exe, "-halt-on-error", "-interaction=nonstopmode", f"{name}.tex"],
        cwd=workdir,
        capture_output=True,
        text=True,
        errors="replace",
        timeout=120,
    )
    assert proc.returncode == 0, f"pdflatex failed:\n{proc.stdout[-3000:]}"
    assert (workdir / f"{name}.pdf").stat().st_size > 0
    return (workdir / f"{name}.aux").read_text(errors="replace")


def _labels(aux: str) -> list[str]:
    return re.findall(r"\\newlabel\{lazyrich:([^}]+)\}", aux)


def _math_lines(tex: str) -> list[str]:
    """The display-math blocks of an export (equation and align* bodies)."""
    return re.findall(r"\\begin\{(?:equation|align\*)\}(.*?)\\end\{(?:equation|align\*)\}", tex, flags=re.S)


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
def test_full_standalone_export_compiles_with_one_labelled_equation_per_claim(tmp_path):
    registry = load_claims()
    tex = export_latex(checks="none")
    aux = _compile(tex, tmp_path)
    labels = _labels(aux)
    assert len(labels) == len(registry), "one labelled equation per claim"
    assert sorted(labels) == sorted(c.id for c in registry)
    sections = re.findall(r"\\section\{(.*?)\}\n", tex)
    assert len(sections) == len({c.paper for c in registry})
    assert all(tex_text(PAPERS[p]) in sections for p in {c.paper for c in registry} if p in PAPERS)
    # round trip of every statement: printed from the SymPy objects without artefacts
    blocks = _math_lines(tex)
    assert len(blocks) == len(registry)
    bad = {i: latex_artefacts(b) for i, b in enumerate(blocks) if latex_artefacts(b)}
    assert not bad, bad


@pytest.mark.parametrize("paper", sorted({c.paper for c in load_claims()}))
def test_derivation_steps_of_each_paper_compile_and_are_free_of_artefacts(tmp_path, paper):
    claims = load_claims().select(f"{paper}.*")
    if not claims:
        pytest.skip(f"no claim of {paper} is registered")
    tex = export_latex(f"{paper}.*", checks="symbolic")
    assert "Derivation" in tex  # at least one proof contributed steps
    bad = {i: latex_artefacts(b) for i, b in enumerate(_math_lines(tex)) if latex_artefacts(b)}
    assert not bad, bad
    assert sorted(_labels(_compile(tex, tmp_path))) == sorted(c.id for c in claims)


# ------------------------------------------------------------------ snapshots
SNAPSHOT_CLAIMS = {
    # name: claim-id glob (exactly one claim must match)
    "riccati_ode": "lazy_to_rich.*riccati*",
    "lambda_balanced_solution": "lazy_to_rich.fukumizu*",
    "lambda_balanced_stable_solution": "lazy_to_rich.stable_closed_form",
    "delta_conservation": "get_rich_quick.conservation_delta",
    "tu_eq1": "mixed_dynamics.eq1",
}


@pytest.mark.parametrize("name", sorted(SNAPSHOT_CLAIMS))
def test_latex_of_key_claims_matches_the_reviewed_snapshot(name):
    matches = load_claims().select(SNAPSHOT_CLAIMS[name])
    assert len(matches) == 1, f"{SNAPSHOT_CLAIMS[name]!r} should select one claim, got {[c.id for c in matches]}"
    rc = render_claim(matches[0], checks="none")
    assert not rc.problems, f"{rc.id}: the statement of a key claim must print: {rc.problems}"
    got = f"% {rc.id}\n{rc.equation()}\n"
    path = SNAPSHOTS / f"{name}.tex"
    if UPDATE_SNAPSHOTS:
        path.parent.mkdir(exist_ok=True)
        path.write_text(got, encoding="utf-8")
    assert path.exists(), f"no snapshot {path}; create it with LAZYRICH_UPDATE_SNAPSHOTS=1"
    want = path.read_text(encoding="utf-8")
    diff = "".join(difflib.unified_diff(want.splitlines(True), got.splitlines(True), "snapshot", "now"))
    assert got == want, f"LaTeX changed (review, then LAZYRICH_UPDATE_SNAPSHOTS=1):\n{diff}"


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
    rows = [{"id": "lazy_to_rich.gd_imbalance_step", "symbolic": "pass", "numeric": "pass", "max_error": 1.5e-13}]
    results = tmp_path / "results.json"
    results.write_text(json.dumps(rows))
    out = tmp_path / "claims.tex"
    assert main(["latex", "gd_imbalance_step", "-o", str(out), "--results", str(results), "--jobs", "1"]) == 0
    tex = out.read_text()
    assert "\\documentclass" in tex  # .tex output defaults to a standalone document
    assert r"numeric: pass; certified: n/a; max error: $1.5\times 10^{-13}$" in tex
    assert tex.count(r"\label{lazyrich:") == 1 and "Derivation" in tex
    _compile(tex, tmp_path)


def test_standalone_export_runs_the_checks_for_the_status_line():
    tex = export_latex("get_rich_quick.conservation_delta", checks="all")
    status = re.search(r"Verification:\}\s*(.*)", tex).group(1)
    assert status.startswith("symbolic: pass; numeric: pass; certified: n/a; max error: $")


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
