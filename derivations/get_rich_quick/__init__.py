r"""Claims of Kunin et al., "Get rich quick" (NeurIPS 2024, arXiv:2406.06158), one module per section.

Kunin, Raventós, Dominé, Chen, Klindt, Saxe, Ganguli, *Get rich quick: exact solutions reveal how unbalanced
initializations promote rapid feature learning*, cited by the paper's own numbering (page anchors from arXiv v2):

* :mod:`.conservation`: Sec. 3 and App. A.1, the conserved ``delta = eta_w a^2 - eta_a |w|^2``; Sec. 6, its
  exact one-step GD drift;
* :mod:`.single_neuron`: Sec. 3, eqs. (2)-(4), the limits of ``M``, the learning-rate reduction, the saddle set;
* :mod:`.solutions`: Sec. 3 and App. A.2, exact solutions for every ``delta`` (Riccati, closed form and its
  sign branches, ``|w|^2 = a^2 - delta``);
* :mod:`.regimes`: Sec. 3, steady state, basin, balanced case, upstream/downstream limits;
* :mod:`.implicit_bias`: Sec. 3, Thm 3.1 (eq. (5)), its potential, the conserved null-space component, and the
  one-dimensional null-space closed form (App. A.4);
* :mod:`.wide`: Sec. 4 and App. B, wide networks: Thms 4.1, 4.2, B.6;
* :mod:`.deep`: Sec. 4 and App. B, deep networks: Lemma B.8, Thm B.10;
* :mod:`.relu`: Sec. 5 and App. C, per-neuron conservation and GD drift, eq. (10), Prop. C.2;
* :mod:`.experiments`: notation (p. 3), Fig. 1 and App. D.1, the kernel distance and the figures' parametrisation;
* :mod:`.certified`: the Arb-certified checks (``lazyrich verify --certified``) of the closed forms of Sec. 3's
  solutions; the other sections' certified checks sit beside their claims.

Shared pieces: :mod:`.symbols`, :mod:`.reference` (independent numeric references), :mod:`.checking` (how a
check reads its statement), :mod:`.arb` (a statement's formulas on Arb balls, and in float64 with the derived
bound of the shared rounding model :mod:`derivations.rounding`, for the certified checks). Where the paper has a typo
(Lemma B.8 exponent ``d``, App. D.1 ``delta^2``, the notebook's kernel-distance normaliser) the claim states the
corrected form and says so in its source note; formulas the paper does not print are marked "derived here".
"""

# the paper's order: it is the order of the claims in the registry and in the LaTeX export
# isort: off
from . import conservation, single_neuron, solutions, regimes, implicit_bias, wide, deep, relu, experiments
from . import certified  # noqa: F401  (registers the certified checks)

# isort: on
from .conservation import *  # noqa: F403
from .deep import *  # noqa: F403
from .experiments import *  # noqa: F403
from .implicit_bias import *  # noqa: F403
from .regimes import *  # noqa: F403
from .relu import *  # noqa: F403
from .single_neuron import *  # noqa: F403
from .solutions import *  # noqa: F403
from .wide import *  # noqa: F403

__all__ = [
    *conservation.__all__,
    *single_neuron.__all__,
    *solutions.__all__,
    *regimes.__all__,
    *implicit_bias.__all__,
    *wide.__all__,
    *deep.__all__,
    *relu.__all__,
    *experiments.__all__,
]
