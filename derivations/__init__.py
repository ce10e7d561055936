"""The claims lazyrich verifies: one package per paper, one module per section of the paper.

Importing this package registers the papers (:func:`lazyrich.register_paper`) and every claim in
:data:`lazyrich.REGISTRY`. lazyrich finds it through the ``lazyrich.claims`` entry point this project
declares in ``pyproject.toml``, the mechanism a user's claim package uses too.

* :mod:`derivations.lazy_to_rich`: Dominé et al., From Lazy to Rich (ICLR 2025);
* :mod:`derivations.get_rich_quick`: Kunin et al., Get rich quick (NeurIPS 2024);
* :mod:`derivations.mixed_dynamics`: Tu, Aranguri, Jacot, Mixed dynamics (NeurIPS 2024);
* :mod:`derivations.deep_linear`: deep linear networks (Saxe et al. (2014); Arora, Cohen, Hazan (2018)).

Each paper package holds ``symbols.py`` (shared symbols), ``reference.py`` (independent numeric references)
and its section modules; in a section module, a claim's statement, symbolic, numeric and certified checks sit
together, and every check reads the statement (``lazyrich mutate`` tests that). :mod:`derivations.certify`
holds what the certified checks of every paper share.
"""

from lazyrich import register_paper

from . import get_rich_quick, lazy_to_rich, mixed_dynamics

# the papers, in the order of the sections of the LaTeX document (keys are the claim-id prefixes)
register_paper("lazy_to_rich", "Dominé et al., From Lazy to Rich (ICLR 2025), arXiv:2409.14623")
register_paper("get_rich_quick", "Kunin et al., Get rich quick (NeurIPS 2024), arXiv:2406.06158")
register_paper(
    "mixed_dynamics", "Tu, Aranguri, Jacot, Mixed dynamics in linear networks (NeurIPS 2024), arXiv:2405.17580"
)
from . import deep_linear  # noqa: E402  (a package written as a user's: registers its own paper, after these)

__all__ = ["deep_linear", "get_rich_quick", "lazy_to_rich", "mixed_dynamics"]
