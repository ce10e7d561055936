r"""Plain text for LaTeX: escaped titles and sources, text with ``$...$`` math, numbers.

Claim titles and source notes are plain text with inline math in ``$...$`` (LaTeX between the
dollars, no ``^``, ``_``, ``\`` or braces outside them): :func:`rich_text` checks that form and
escapes the text parts with :func:`tex_text`; :func:`tex_number` prints a number as inline math.
"""

from __future__ import annotations

import math
import re
import unicodedata

from .._base.errors import ClaimError

__all__ = ["rich_text", "tex_number", "tex_text"]

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
    "<": "$<$",
    ">": "$>$",
    "|": "$|$",
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


def rich_text(text: str, where: str = "text") -> str:
    r"""Text with inline math for LaTeX: ``$...$`` parts pass verbatim, the rest goes through :func:`tex_text`.

    This is the form of claim titles and source notes: plain text with the math as LaTeX
    between dollars. ASCII math outside them (``W2^T``, ``eta_a``) is an error, not escaped;
    a name in backticks (```lazyrich.deep_aligned_time```) prints as code.

    Raises
    ------
    ClaimError
        When the dollars or backticks do not pair up, a math part is empty or its braces do not balance, or
        a text part holds ``^``, ``_``, ``\`` or a brace. ``where`` names the text in the message.

    Examples
    --------
    >>> print(rich_text(r"conserves $W_2^T W_2 - W_1 W_1^T$ for any $\Sigma_{xx}$ (50%)"))
    conserves $W_2^T W_2 - W_1 W_1^T$ for any $\Sigma_{xx}$ (50\%)
    >>> print(rich_text("closed form of `deep_aligned_time`"))
    closed form of \texttt{deep\_aligned\_time}
    >>> rich_text("conserves W2^T W2", "title of demo.x")
    Traceback (most recent call last):
    ...
    lazyrich._base.errors.ClaimError: title of demo.x: '^' outside $...$ in 'conserves W2^T W2': write math as LaTeX between dollars
    """
    parts = text.split("$")
    if len(parts) % 2 == 0:
        raise ClaimError(f"{where}: an unpaired $ in {text!r}: math goes between two dollars")
    out = []
    for i, part in enumerate(parts):
        if i % 2:
            math = " ".join(part.split())
            depth = 0
            for ch in re.sub(r"\\[{}]", "", math):
                depth += {"{": 1, "}": -1}.get(ch, 0)
                if depth < 0:
                    break
            if not math or depth != 0:
                raise ClaimError(f"{where}: empty math or unbalanced braces in ${part}$ of {text!r}")
            out.append(f"${math}$")
            continue
        if part.count("`") % 2:
            raise ClaimError(f"{where}: an unpaired ` in {text!r}: code goes between two backticks")
        plain = re.sub(r"`[^`]*`", "", part)  # `code` (a function name) may hold underscores
        bad = sorted(set(re.findall(r"[\^_\\{}]", plain)))
        if bad:
            shown = ", ".join(repr(b) for b in bad)
            raise ClaimError(f"{where}: {shown} outside $...$ in {text!r}: write math as LaTeX between dollars")
        for j, piece in enumerate(part.split("`")):
            body = tex_text(piece) if j % 2 == 0 else rf"\texttt{{{tex_text(piece)}}}"
            out.append((" " if piece[:1].isspace() else "") + body + (" " if piece[-1:].isspace() else ""))
    return re.sub(r"\s+", " ", "".join(out)).strip()


def tex_number(x: float) -> str:
    r"""A number as inline math with one decimal: ``$2.1\times 10^{-13}$``."""
    if not math.isfinite(x):
        return tex_text(str(x))
    if x == 0:
        return "$0$"
    mant, exp = f"{x:.1e}".split("e")
    return rf"${mant}\times 10^{{{int(exp)}}}$"
