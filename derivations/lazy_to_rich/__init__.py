r"""Dominé, Anguita, Proca, Braun, Kunin, Mediano, Saxe, *From Lazy to Rich: Exact Learning Dynamics in Deep
Linear Networks*, ICLR 2025 (arXiv:2409.14623): the claims ``lazy_to_rich.*``.

Modules, in the paper's order (claims 1-14 and the conservation laws):

* :mod:`.setup`: Sec. 3, the loss and its gradient flow (``gradient_flow_form``);
* :mod:`.conservation`: Sec. 3, assumption A2: the conserved imbalance, and its drift under gradient descent;
* :mod:`.riccati`: Sec. 4, the Riccati closure and the Fukumizu solution;
* :mod:`.spectrum`: Sec. 4, Lemma 4.2: the spectrum of F (and the rational parametrisation of a mode);
* :mod:`.solution`: Sec. 4, Thm 4.3 (Eqs. 13-15): the stable form, lambda -> 0, the direct form's instability;
* :mod:`.limits`: Thm 4.3 as t -> infinity, and the singular ``q_+`` (App. D.2);
* :mod:`.aligned`: Sec. 5, Thms 5.1-5.2 (Eqs. 17-18): singular values, the square case, aligned modes, gamma;
* :mod:`.symbols` (shared symbols and statement readers), :mod:`.reference` (independent numeric references).
"""

from . import setup, conservation, riccati, spectrum, solution, limits, aligned  # noqa: I001  (paper order: Sec. 3-5)
from . import reference, symbols
from . import whitening, initialization, regimes, delayed_rich, ntk, applications  # noqa: F401  (registers the claims)
from .limits import long_time_cases
from .solution import direct_form_case, lambda_zero_cases
from .riccati import fukumizu_cases
from .reference import (
    aligned_fukumizu_mp,
    q_plus,
    balanced_pair,
    braun_zero_balanced,
    f_matrix,
    flow_qqt,
    fukumizu_direct,
    fukumizu_mp,
    limit_qqt,
    qqt_of,
    random_task,
    scalar_ode,
    split_singular_values,
)

__all__ = [
    "aligned",
    "aligned_fukumizu_mp",
    "balanced_pair",
    "braun_zero_balanced",
    "conservation",
    "direct_form_case",
    "f_matrix",
    "flow_qqt",
    "fukumizu_cases",
    "fukumizu_direct",
    "fukumizu_mp",
    "lambda_zero_cases",
    "limit_qqt",
    "limits",
    "long_time_cases",
    "q_plus",
    "qqt_of",
    "random_task",
    "reference",
    "riccati",
    "scalar_ode",
    "setup",
    "solution",
    "spectrum",
    "split_singular_values",
    "symbols",
]
