"""The papers that claims cite, and where in a paper a claim comes from (:class:`Source`).

The papers are registered with :func:`register_paper` by the module that defines the claims
(this project's ``derivations`` registers its papers); a claim citing an unregistered paper is
cited by its key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from .._base.errors import ClaimError

__all__ = ["PAPERS", "Source", "citation", "register_paper", "require_text"]

_PAPERS: dict[str, str] = {}

#: The registered papers, by the key used as the claim-id prefix: key -> bibliographic citation.
#: Read-only: :func:`register_paper` fills it (``derivations`` does, when the claims load).
PAPERS: Mapping[str, str] = MappingProxyType(_PAPERS)


def register_paper(key: str, citation: str) -> str:
    """Register a paper that claims cite: ``key`` is their id prefix, ``citation`` the bibliographic line.

    Registering the same key again with the same citation does nothing; with another one it
    raises :class:`ClaimError`. Returns ``key``.

    Examples
    --------
    >>> register_paper("example_paper", "A. Author, An example (2025)")
    'example_paper'
    >>> Source("example_paper", "Thm 1").cite()
    'A. Author, An example (2025), Thm 1'
    """
    require_text(key, "a paper key (the claim-id prefix)", identifier=True)
    require_text(citation, f"paper {key!r}: the citation")
    known = _PAPERS.setdefault(key, citation)
    if known != citation:
        raise ClaimError(f"paper {key!r} is already registered as {known!r}; cannot re-register it as {citation!r}")
    return key


def require_text(value, what: str, identifier: bool = False) -> str:
    """``value`` if it is a non-empty string (a Python identifier with ``identifier``), else :class:`ClaimError`.

    >>> require_text("domine2025", "paper", identifier=True)
    'domine2025'
    >>> require_text(None, "claim title")
    Traceback (most recent call last):
    ...
    lazyrich._base.errors.ClaimError: claim title must be a non-empty string; got None
    """
    if not (isinstance(value, str) and (value.isidentifier() if identifier else bool(value.strip()))):
        kind = "an identifier" if identifier else "a non-empty string"
        raise ClaimError(f"{what} must be {kind}; got {value!r:.60}")
    return value


def citation(paper: str) -> str:
    """The citation of a registered paper; an unregistered paper is cited by its key.

    >>> citation("no_such_paper")
    'no_such_paper'
    """
    return _PAPERS.get(paper, paper)


@dataclass(frozen=True)
class Source:
    """Where a claim comes from: paper key, section/equation, optional note.

    ``where`` uses the paper's own numbering (e.g. ``"Sec. 3.2, Thm 3.1"``, ``"eq. (5)"``).
    ``note`` records corrections (typos in the paper, derived vs stated).
    """

    paper: str
    where: str
    note: str = ""

    def __post_init__(self) -> None:
        require_text(self.paper, "Source paper (a registered paper key)", identifier=True)
        require_text(self.where, "Source where (the paper's section or equation)")
        if not isinstance(self.note, str):
            raise ClaimError(f"Source note must be a string; got {self.note!r:.60}")

    def cite(self) -> str:
        """``<citation of the paper>, <where> (<note>)``; see :func:`citation` for unregistered papers."""
        return f"{citation(self.paper)}, {self.where}" + (f" ({self.note})" if self.note else "")
