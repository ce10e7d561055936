r"""Claim titles and source notes are plain text with inline LaTeX math in ``$...$`` (issue 18).

The contract: outside the dollars no ``^``, ``_``, ``\``, ``{``, ``}`` and no ASCII math (``Sigma_yx``,
``lambda``, ``eta_a``, ``->``, ...); inside them ASCII LaTeX with balanced braces and known commands.
The source's place (``where``) follows the same form, since the export prints the whole citation.
Every math segment of every registered claim is also compiled by pdflatex (one document, when installed).
"""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

import lazyrich

CLAIMS = list(lazyrich.load_claims())

# spelled-out math names (Greek letters, functions) that belong inside $...$ as LaTeX commands
_ASCII_NAMES = re.compile(
    r"\b(alpha|beta|gamma|Gamma|delta|Delta|epsilon|eps|eta|kappa|varkappa|lambda|lam|Lambda|mu|nu|xi|rho|"
    r"sigma|Sigma|tau|phi|psi|Psi|omega|Omega|Theta|sqrt|artanh|arctanh|asinh|tanh|sinh|cosh|argmin|inf|infty|oo)\b"
)
_ASCII_OPERATORS = re.compile(r"->|<=|>=|<->|\+-|!=")
_FORBIDDEN_OUTSIDE = set("^_\\{}")

# LaTeX commands allowed in math segments (amsmath, amssymb): a typo such as \lamda fails here even without pdflatex
_GREEK = (
    "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa varkappa lambda mu nu xi pi rho "
    "sigma tau upsilon phi varphi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega"
)
_COMMANDS = (
    set(_GREEK.split())
    | set(
        (
            "frac tfrac dfrac sqrt dot ddot hat tilde bar vec mathrm mathcal mathbb mathbf mathtt operatorname text "
            "left right big Big bigl bigr langle rangle lVert rVert Vert | { } , ; : ! quad qquad "
            "sum prod int lim sup inf max min arg argmin det dim ker exp log ln sin cos tanh sinh cosh "
            "to mapsto infty partial nabla pm mp times cdot cdots dots ldots otimes oplus circ "
            "le leq ge geq ne neq approx sim simeq propto equiv ll gg in notin subset subseteq succeq preceq "
            "Leftrightarrow Rightarrow leftrightarrow iff implies perp top intercal prime ell"
        ).split()
    )
    | {" "}
)


def split_math(text: str) -> tuple[list[str], list[str]]:
    """The plain-text pieces and the math segments of ``text`` (segments at odd positions of ``split('$')``)."""
    parts = text.split("$")
    return parts[0::2], parts[1::2]


def brace_problem(math: str) -> str | None:
    """Why the braces of a math segment do not balance (escaped ``\\{``/``\\}`` do not count), else None."""
    depth = 0
    for tok in re.findall(r"\\[{}]|\\.|[{}]", math):
        if tok == "{":
            depth += 1
        elif tok == "}":
            depth -= 1
            if depth < 0:
                return "'}' closes nothing"
    return "unclosed '{'" if depth else None


def text_problems(text: str) -> list[str]:
    """Every way ``text`` breaks the title/note contract (empty when it follows it)."""
    if text.count("$") % 2:
        return ["unbalanced '$'"]
    problems = []
    plain, maths = split_math(text)
    for piece in plain:
        if bad := sorted(_FORBIDDEN_OUTSIDE & set(piece)):
            problems.append(f"{''.join(bad)!r} outside math in {piece!r}")
        if m := _ASCII_NAMES.search(piece):
            problems.append(f"ASCII math name {m.group()!r} outside math in {piece!r}")
        if m := _ASCII_OPERATORS.search(piece):
            problems.append(f"ASCII operator {m.group()!r} outside math in {piece!r}")
    for math in maths:
        if not math.strip():
            problems.append("empty math segment ('$$')")
            continue
        if not math.isascii():
            problems.append(f"non-ASCII character in math (use a LaTeX command) in {math!r}")
        if (why := brace_problem(math)) is not None:
            problems.append(f"{why} in {math!r}")
        if len(re.findall(r"\\left(?![A-Za-z])", math)) != len(re.findall(r"\\right(?![A-Za-z])", math)):
            problems.append(rf"unmatched \left/\right in {math!r}")
        if re.search(r"[\^_]\s*$|[\^_]\s*[\^_]|\\$", math):
            problems.append(f"dangling '^', '_' or '\\' in {math!r}")
        unknown = sorted({c for c in re.findall(r"\\([A-Za-z]+|.)", math) if c not in _COMMANDS})
        if unknown:
            problems.append(f"unknown LaTeX command(s) {unknown} in {math!r}")
        if m := re.search(r"\b(lambda|Sigma|sigma|delta|eta|beta|sqrt|infty)\b", re.sub(r"\\[A-Za-z]+", " ", math)):
            problems.append(f"ASCII name {m.group()!r} inside math (write \\{m.group()}) in {math!r}")
    return problems


def _texts(c):
    """The texts of a claim that the LaTeX export prints as text with math: title, source place and note."""
    yield "title", c.title
    yield "where", c.source.where
    if c.source.note:
        yield "note", c.source.note


def test_every_claim_has_a_title_and_the_registry_is_loaded():
    assert len(CLAIMS) >= 97
    assert all(c.title.strip() for c in CLAIMS)


_CONTRACT_CASES = [pytest.param(c, id=c.id) for c in CLAIMS]


@pytest.mark.parametrize("c", _CONTRACT_CASES)
def test_title_and_note_follow_the_contract(c):
    problems = [f"{what}: {p}" for what, text in _texts(c) for p in text_problems(text)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    "text",
    [
        "Gradient flow conserves $W_2^T W_2 - W_1 W_1^T$ for any $\\Sigma_{xx}$",
        r"$\nu = w^T\beta_*/a$ obeys $\dot\nu = \dots$",
        r"CORRECTION: the diagonal variance is $2 (N_o \sigma_2^4 + N_i \sigma_1^4)$, checked within 30%",
        "Prop. C.2: colouring activation regions by parity is a valid 2-colouring",
    ],
)
def test_contract_accepts_plain_text_with_latex_math(text):
    assert text_problems(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "Gradient flow conserves W2^T W2 - W1 W1^T for any Sigma_xx",  # the ASCII title of issue 18
        "nu = w^T beta_*/a obeys nu' = s^2 - delta nu",
        "Under whitening and lambda-balance the flow closes",  # ASCII Greek name, no ^ or _
        "M/delta -> I as $\\delta \\to +\\infty$",  # ASCII arrow and name outside math
        "unbalanced $x^2",
        r"braces $\frac{1}{2$ do not close",
        r"a typo $\lamda I$ in a command",
        r"Unicode inside math $λ I$",
        r"ASCII inside math $sqrt{x} + lambda$",
        "an empty segment $$ here",
        r"dangling $x^$ superscript",
        r"unmatched $\left( x$ delimiter",
    ],
)
def test_contract_rejects_ascii_math(text):
    assert text_problems(text), f"{text!r} should break the contract"


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not installed")
def test_every_math_segment_compiles(tmp_path):
    segments = [(c.id, m) for c in CLAIMS for _, text in _texts(c) for m in split_math(text)[1]]
    head = [r"\documentclass{article}", r"\usepackage{amsmath,amssymb,bm}", r"\begin{document}"]
    body = [rf"\noindent\({m}\)\par" for _, m in segments]
    (tmp_path / "math.tex").write_text("\n".join([*head, *body, r"\end{document}", ""]))
    run = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "-file-line-error", "math.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    log = run.stdout
    m = re.search(r"math\.tex:(\d+): (.*)", log)
    if m:  # name the claim whose segment broke the document (body line i is at file line len(head) + 1 + i)
        cid, seg = segments[int(m.group(1)) - len(head) - 1]
        pytest.fail(f"{cid}: ${seg}$ does not compile: {m.group(2)}")
    assert run.returncode == 0, log[-2000:]
