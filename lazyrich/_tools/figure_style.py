"""Shared look of the package's figures (``lazyrich stress --plot``, sweep heatmaps): styles and a name table.

Two styles: ``"default"`` (screen: matplotlib's fonts, roomy panels) and ``"paper"`` (a two-column
paper: figures :data:`COLUMN_WIDTH` or :data:`PAGE_WIDTH` inches wide, 8 pt Times-like text with STIX
mathtext, 300 dpi). :func:`label` turns a parameter name (``lam``, ``gamma_sigma2``) into its mathtext
symbol, :func:`math_text` rewrites the ASCII math of a case name (``lambda=1e-6``) as mathtext.
"""

from __future__ import annotations

import contextlib
import math
import re
from collections.abc import Iterator
from typing import Any

from .._base.errors import InvalidParameterError

__all__ = [
    "COLUMN_WIDTH",
    "PAGE_WIDTH",
    "STYLES",
    "check_style",
    "figure_size",
    "label",
    "math_text",
    "style_context",
    "value_text",
]

#: Figure widths (inches) of a two-column paper: one column, the full text width.
COLUMN_WIDTH = 3.3
PAGE_WIDTH = 6.9
STYLES = ("default", "paper")

_RC = {
    "default": {"font.size": 9, "axes.titlesize": 9, "legend.fontsize": 8, "savefig.dpi": 130},
    "paper": {
        "font.size": 8,
        "axes.titlesize": 8,
        "axes.labelsize": 8,
        "legend.fontsize": 7,
        "xtick.labelsize": 7,
        "ytick.labelsize": 7,
        "font.family": "STIXGeneral",
        "mathtext.fontset": "stix",
        "lines.linewidth": 1.0,
        "lines.markersize": 3.5,
        "axes.linewidth": 0.6,
        "xtick.major.width": 0.6,
        "ytick.major.width": 0.6,
        "savefig.dpi": 300,
        "pdf.fonttype": 42,  # TrueType in PDFs (journals reject Type 3 fonts)
    },
}

#: Parameter and column names -> axis labels (mathtext).
NAMES = {
    "lam": r"$\lambda$",
    "lambda": r"$\lambda$",
    "gamma_sigma2": r"$\gamma_{\sigma^2}$",
    "gamma_w": r"$\gamma_w$",
    "delta": r"$\delta$",
    "tau": r"$\tau$",
    "sigma": r"$\sigma$",
    "eta_a": r"$\eta_a$",
    "eta_w": r"$\eta_w$",
    "lr_factor": "learning-rate factor",
    "s_target": r"$\tilde{s}$",
    "s0": r"$s_0$",
    "c": r"$c$",
    "d": r"$d$",
    "k": r"$k$",
    "t": r"time $t$ (units of $\tau$)",
    "n_in": r"$N_i$",
    "n_hidden": r"$N_h$",
    "n_out": r"$N_o$",
    "rtol": "rtol",
    "perturbation": "perturbation",
    "max_steps": "max. steps",
    "min_test_error": "min. test error",
    "relative_error": "relative error",
    "correct_digits": "correct digits",
    "iterations": "iterations",
}

# symbols of the ASCII math in case names, and their relations
_SYMBOLS = {
    "lambda": r"\lambda",
    "delta": r"\delta",
    "mu": r"\mu",
    "s0": r"s_0",
    "s~": r"\tilde{s}",
    "s*": r"s^*",
    "c": "c",
    "d": "d",
    "s": "s",
}
_RELATIONS = {"=": "=", "~": r"\approx", "<": "<", ">": ">"}
_SYM = r"lambda|delta|mu|s0|s~|s\*|c|d"
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?"
_TERM = rf"(?:-?(?:{_SYM})|{_NUMBER})"
_LONE = re.compile(r"(?<![\w-])(B|s)(?![\w-])")
_PATTERN = re.compile(rf"(?<![\w$])({_SYM})\s*([=~<>])\s*({_TERM})(?![\w])")


def check_style(style: Any) -> str:
    """``style`` if it is one of :data:`STYLES`, else :class:`InvalidParameterError`.

    >>> check_style("paper")
    'paper'
    """
    if not isinstance(style, str) or style not in STYLES:
        raise InvalidParameterError(f"style must be one of {STYLES}; got {style!r}")
    return style


def label(name: str) -> str:
    """The axis label of a parameter or column name (the name itself when it is not in the table).

    >>> label("lam"), label("gamma_sigma2"), label("my_column")
    ('$\\\\lambda$', '$\\\\gamma_{\\\\sigma^2}$', 'my_column')
    """
    return NAMES.get(str(name), str(name))


def _number(text: str) -> str:
    """A number as mathtext: ``1e-6`` -> ``10^{-6}``, ``2.5e3`` -> ``2.5 \\cdot 10^{3}``, else unchanged."""
    mant, e, exp = text.lower().partition("e")
    if not e:
        return text
    exp_i = int(exp)
    if mant.lstrip("+-") in ("1", "1.0"):
        return ("-" if mant.startswith("-") else "") + f"10^{{{exp_i}}}"
    return rf"{mant} \cdot 10^{{{exp_i}}}"


def _term(text: str) -> str:
    sign = "-" if text.startswith("-") else ""
    body = text[1:] if sign else text
    return sign + (_SYMBOLS[body] if body in _SYMBOLS else _number(body))


def math_text(text: str) -> str:
    """Rewrite the ASCII relations of a case name (``lambda=1e-6``, ``s0~s~``, ``delta<0``) as mathtext.

    >>> math_text("3-3-3 lambda=2 (stated case)")
    '3-3-3 $\\\\lambda = 2$ (stated case)'
    >>> math_text("lambda=1e-6"), math_text("near-degenerate s0~s*"), math_text("nearly singular B")
    ('$\\\\lambda = 10^{-6}$', 'near-degenerate $s_0 \\\\approx s^*$', 'nearly singular $B$')
    """

    def repl(m: re.Match) -> str:
        return f"${_SYMBOLS[m.group(1)]} {_RELATIONS[m.group(2)]} {_term(m.group(3))}$"

    parts = _PATTERN.sub(repl, text).split("$")
    # outside math, a lone matrix or singular-value letter (``nearly singular B``) is a symbol too
    parts[::2] = [_LONE.sub(r"$\1$", p) for p in parts[::2]]
    return "$".join(parts)


def value_text(name: str, value: Any) -> str:
    """``name = value`` with the name's symbol when it has one (``$\\lambda$ = 2``).

    >>> value_text("lam", 2.0), value_text("model", "aligned")
    ('$\\\\lambda = 2$', 'model = aligned')
    """
    sym = label(name)
    shown = f"{value:.4g}" if isinstance(value, float) and math.isfinite(value) else str(value)
    if sym.startswith("$") and sym.endswith("$") and sym.count("$") == 2:
        return f"${sym[1:-1]} = {_number(shown)}$" if isinstance(value, (int, float)) else f"{sym} = {shown}"
    return f"{sym} = {shown}"


def figure_size(style: str, ncols: int = 1, nrows: int = 1, *, aspect: float = 0.72, extra: float = 0.0) -> tuple:
    """(width, height) in inches of a grid of ``nrows x ncols`` panels.

    ``"paper"``: one column (:data:`COLUMN_WIDTH`) for a single panel column, else the text width
    (:data:`PAGE_WIDTH`); each panel ``aspect`` times as high as wide. ``"default"``: 4.8 in per panel.
    ``extra`` inches are added to the height (a legend row).

    >>> figure_size("paper", 2, 2, aspect=0.6)
    (6.9, 4.14)
    """
    width = (COLUMN_WIDTH if ncols == 1 else PAGE_WIDTH) if check_style(style) == "paper" else 4.8 * ncols
    return width, round(width / ncols * aspect * nrows + extra, 3)


@contextlib.contextmanager
def style_context(style: str) -> Iterator[None]:
    """matplotlib rc settings of ``style`` for the duration of the block (global settings are restored)."""
    import matplotlib.pyplot as plt

    with plt.rc_context(_RC[check_style(style)]):
        yield
