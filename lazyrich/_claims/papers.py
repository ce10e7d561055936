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

__all__ = ["PAPERS", "Source", "citation", "register_paper"]

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
    if not isinstance(key, str) or not key.isidentifier():
        raise ClaimError(f"a paper key must be an identifier (the claim-id prefix); got {key!r}")
    if not isinstance(citation, str) or not citation.strip():
        raise ClaimError(f"paper {key!r}: the citation must be a non-empty string; got {citation!r}")
    known = _PAPERS.setdefault(key, citation)
    if known != citation:
        raise ClaimError(f"paper {key!r} is already registered as {known!r}; cannot re-register it as {citation!r}")
    return key


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

    def cite(self) -> str:
        """``<citation of the paper>, <where> (<note>)``; see :func:`citation` for unregistered papers."""
        return f"{citation(self.paper)}, {self.where}" + (f" ({self.note})" if self.note else "")
