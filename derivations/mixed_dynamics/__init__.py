"""Tu, Aranguri, Jacot, Mixed dynamics in linear networks (NeurIPS 2024), arXiv:2405.17580: the claims ``mixed_dynamics.*``.

One module per part of the paper (paper order):

* :mod:`.dynamics`: the exact weight-space identities behind eq. (1) (Secs. 2-3): ``dA/dt``, the conserved
  ``Lambda``, the squares of ``X`` and ``Y``, their rates, the offsets' drift, the intertwining, one GD step;
* :mod:`.self_consistent`: eq. (1) where it is exact (offsets ``c^2 I``, the invariant manifold, lambda-balanced
  nets);
* :mod:`.limits`: its balanced and lazy limits, the scalar series, and its NTK;
* :mod:`.aligned`: aligned solutions: decoupling into modes and the closed form;
* :mod:`.aligned_limits`: the tail, the early phase and the ``c -> 0`` logistic limit of the closed form (Fig. 1);
* :mod:`.initialization`: Gaussian initialisation: moments, offsets, concentration, distance to eq. (1) (Fig. 2);
* :mod:`.phase_diagram`: the lines, regions, thresholds and measured regimes of Fig. 2, and the settings of Figs. 1-2.

Shared symbols live in :mod:`.symbols`, independent numeric references in :mod:`.reference`.
"""

# the import order is the paper's order: the claims register in it
from . import dynamics  # noqa: I001
from . import self_consistent
from . import limits
from . import aligned
from . import aligned_limits
from . import initialization
from . import phase_diagram

__all__ = ["aligned", "aligned_limits", "dynamics", "initialization", "limits", "phase_diagram", "self_consistent"]
