"""The claims lazyrich verifies, one module per paper.

Importing this package registers every claim in :data:`lazyrich.REGISTRY`:

* :mod:`derivations.conservation`: conservation laws all exact solutions rest on;
* :mod:`derivations.lazy_to_rich`: Dominé et al., From Lazy to Rich (ICLR 2025);
* :mod:`derivations.get_rich_quick`: Kunin et al., Get rich quick (NeurIPS 2024);
* :mod:`derivations.mixed_dynamics`: Tu, Aranguri, Jacot, Mixed dynamics (NeurIPS 2024);
* :mod:`derivations.certified`: Arb-certified checks of the closed forms (``lazyrich verify --certified``).
"""

from . import certified, conservation, get_rich_quick, lazy_to_rich, mixed_dynamics

__all__ = ["certified", "conservation", "get_rich_quick", "lazy_to_rich", "mixed_dynamics"]
