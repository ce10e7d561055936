"""The claims lazyrich verifies, one module per paper.

Importing this package registers the three papers (:func:`lazyrich.register_paper`) and every
claim in :data:`lazyrich.REGISTRY`. lazyrich finds it through the ``lazyrich.claims`` entry point
this project declares in ``pyproject.toml`` (one entry for the package: the paper modules share
helpers, and the certified checks attach to claims of all three papers):

* :mod:`derivations.conservation`: conservation laws all exact solutions rest on;
* :mod:`derivations.lazy_to_rich`: Dominé et al., From Lazy to Rich (ICLR 2025);
* :mod:`derivations.get_rich_quick`: Kunin et al., Get rich quick (NeurIPS 2024);
* :mod:`derivations.mixed_dynamics`: Tu, Aranguri, Jacot, Mixed dynamics (NeurIPS 2024);
* :mod:`derivations.certified`: Arb-certified checks of the closed forms (``lazyrich verify --certified``).
"""

from lazyrich import register_paper

from . import certified, conservation, get_rich_quick, lazy_to_rich, mixed_dynamics

# the papers, in the order of the sections of the LaTeX document (keys are the claim-id prefixes)
register_paper("lazy_to_rich", "Dominé et al., From Lazy to Rich (ICLR 2025), arXiv:2409.14623")
register_paper("get_rich_quick", "Kunin et al., Get rich quick (NeurIPS 2024), arXiv:2406.06158")
register_paper(
    "mixed_dynamics", "Tu, Aranguri, Jacot, Mixed dynamics in linear networks (NeurIPS 2024), arXiv:2405.17580"
)
from . import deep_linear  # noqa: E402  (a package written as a user's: registers its own paper, after these)

__all__ = ["certified", "conservation", "deep_linear", "get_rich_quick", "lazy_to_rich", "mixed_dynamics"]
