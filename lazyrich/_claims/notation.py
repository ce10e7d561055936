"""Notation for the LaTeX export: how symbol names print.

A :class:`Notation` maps SymPy symbol names (``Sigma_yx``, ``lam``) to LaTeX
(``\\Sigma_{yx}``, ``\\lambda``) and switches bold matrices on or off. The
default follows the notation the three papers share (Dominé et al. (2025), Kunin et al.
(2024), Tu et al. (2024)): plain (not bold) matrices, ``W_1`` and ``W_2``, the
correlation :math:`\\Sigma_{yx}`, transposes as :math:`^T` and the identity as
:math:`I`. Users load their own notation from a small TOML file::

    # notation.toml
    bold_matrices = true      # W_1 -> \\bm{W}_{1}; 1x1 matrices stay scalars
    transpose = "\\\\top"       # W^\\top instead of W^T
    identity = "I"

    [symbols]                 # symbol name -> LaTeX
    Sigma_yx = "\\\\Sigma_{yx}"
    lam = "\\\\lambda"

Names not in ``[symbols]`` print as SymPy prints them (``W_1`` as ``W_{1}``).

:meth:`Notation.style` gives the papers' own notations (``lazyrich latex --style NAME``), kept
as TOML files of the same form in ``lazyrich/_claims/styles/``: ``domine`` (Dominé et al. (2025):
``W^T``), ``kunin`` (Kunin et al. (2024): ``w^\\intercal``, :math:`\\mathbf{I}`) and ``tu``
(Tu et al. (2024): ``A^\\top``). A notation file given as well is laid over the style.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from .._base.errors import InvalidParameterError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

__all__ = ["DEFAULT_NOTATION", "STYLES", "Notation"]

#: The papers' notations shipped as styles (``lazyrich/_claims/styles/<name>.toml``).
STYLES = ("domine", "kunin", "tu")

#: Glossary names SymPy would not print as the papers do (it already prints
#: ``Sigma_yx`` as ``\Sigma_{yx}``, ``delta`` as ``\delta`` and ``W_1`` as ``W_{1}``).
_GLOSSARY_SYMBOLS: dict[str, str] = {
    "lam": r"\lambda",
    "Lam": r"\Lambda",
    "beta_star": r"\beta_*",
    "beta_0": r"\beta_0",
    "s_tilde": r"\tilde{s}",
    "S_tilde": r"\tilde{S}",
    "NTK": r"\mathrm{NTK}",
    "QQT": r"QQ^T",
}

_TRANSPOSES = ("T", r"\top", r"\intercal", r"\mathsf{T}", r"\mathrm{T}", r"\prime")
_KEYS = ("bold_matrices", "transpose", "identity", "symbols")


@dataclass(frozen=True)
class Notation:
    """How the LaTeX export prints symbols (see the module docstring for the TOML form).

    Parameters
    ----------
    symbols : mapping of str to str
        Symbol (or undefined function) name to its LaTeX, e.g. ``{"lam": r"\\lambda"}``.
    bold_matrices : bool
        Print matrix symbols bold (``\\bm``); 1x1 matrix symbols (scalars in this
        project) stay plain.
    transpose : str
        Superscript for transposes: ``T`` (Dominé et al.), ``\\top`` (Tu et al.) or
        ``\\intercal`` (Kunin et al.).
    identity : str
        How the identity matrix prints (``I``; SymPy's default is ``\\mathbb{I}``).

    Examples
    --------
    >>> n = Notation(symbols={"lam": r"\\lambda"}, transpose=r"\\top")
    >>> n.symbols["lam"], n.bold_matrices
    ('\\\\lambda', False)
    >>> DEFAULT_NOTATION.symbols["lam"]
    '\\\\lambda'
    """

    symbols: Mapping[str, str] = field(default_factory=dict)
    bold_matrices: bool = False
    transpose: str = "T"
    identity: str = "I"

    def __post_init__(self) -> None:
        if not isinstance(self.bold_matrices, bool):
            raise InvalidParameterError(f"bold_matrices must be true or false, got {self.bold_matrices!r}")
        if self.transpose not in _TRANSPOSES:
            raise InvalidParameterError(f"transpose must be one of {', '.join(_TRANSPOSES)}; got {self.transpose!r}")
        if not isinstance(self.identity, str) or not self.identity.strip():
            raise InvalidParameterError(f"identity must be a non-empty LaTeX string, got {self.identity!r}")
        bad = {k: v for k, v in self.symbols.items() if not (isinstance(k, str) and isinstance(v, str) and v.strip())}
        if bad:
            raise InvalidParameterError(f"symbols must map names to non-empty LaTeX strings; bad entries: {bad!r}")
        unbalanced = [k for k, v in self.symbols.items() if not _braces_balanced(v)]
        if unbalanced:
            raise InvalidParameterError(f"unbalanced braces in the LaTeX of symbol(s) {unbalanced}: fix the notation")
        object.__setattr__(self, "symbols", dict(self.symbols))

    def updated(self, other: Notation | Mapping) -> Notation:
        """This notation with the symbols and switches of ``other`` laid over it.

        >>> DEFAULT_NOTATION.updated({"symbols": {"W_1": "W"}}).symbols["W_1"]
        'W'
        """
        if isinstance(other, Notation):
            table = {
                "symbols": other.symbols,
                "bold_matrices": other.bold_matrices,
                "transpose": other.transpose,
                "identity": other.identity,
            }
        else:
            table = dict(other)
        unknown = sorted(set(table) - set(_KEYS))
        if unknown:
            raise InvalidParameterError(
                f"unknown notation key(s) {unknown}: allowed are {', '.join(_KEYS)} "
                "(put symbol names under a [symbols] table)"
            )
        symbols = table.get("symbols", {})
        if not isinstance(symbols, Mapping):
            raise InvalidParameterError('the [symbols] entry of a notation must be a table of name = "LaTeX"')
        changes = {k: table[k] for k in ("bold_matrices", "transpose", "identity") if k in table}
        return replace(self, symbols={**self.symbols, **symbols}, **changes)

    @classmethod
    def from_toml(cls, path: str | Path, base: Notation | None = None) -> Notation:
        """Read a notation file (TOML) and lay it over ``base`` (default: :data:`DEFAULT_NOTATION`).

        Raises
        ------
        InvalidParameterError
            When the file is missing, is not valid TOML, or has unknown keys.
        """
        p = Path(path)
        try:
            with p.open("rb") as fh:
                table = tomllib.load(fh)
        except FileNotFoundError:
            raise InvalidParameterError(f"notation file {str(p)!r} does not exist") from None
        except tomllib.TOMLDecodeError as exc:
            raise InvalidParameterError(
                f'notation file {str(p)!r} is not valid TOML ({exc}); write e.g. lam = "\\\\lambda" under [symbols]'
            ) from None
        return (base if base is not None else DEFAULT_NOTATION).updated(table)

    @classmethod
    def style(cls, name: str) -> Notation:
        """The notation of one paper (one of :data:`STYLES`), laid over :data:`DEFAULT_NOTATION`.

        >>> Notation.style("tu").transpose, Notation.style("kunin").transpose
        ('\\\\top', '\\\\intercal')
        """
        if name not in STYLES:
            raise InvalidParameterError(f"unknown style {name!r}: choose one of {', '.join(STYLES)}")
        return cls.from_toml(Path(__file__).with_name("styles") / f"{name}.toml")


def _braces_balanced(text: str) -> bool:
    depth = 0
    escaped = False
    for ch in text:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


#: The papers' shared notation: plain matrices, ``^T``, ``I``, Greek names as Greek letters.
DEFAULT_NOTATION = Notation(symbols=_GLOSSARY_SYMBOLS)
