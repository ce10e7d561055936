"""Certified enclosures: rigorous Arb balls (python-flint, a core dependency) for the exact solutions.

Every function returns an :class:`Enclosure` whose balls contain the exact value of the closed form
at the given float inputs; the working precision is raised automatically until the requested
relative accuracy ``2^-bits`` is reached (:class:`~lazyrich.PrecisionError` past the limit).
"""

from ._exact.certified import certified_aligned_singular_value as certified_aligned_singular_value
from ._exact.certified import certified_mixed_aligned_singular_value as certified_mixed_aligned_singular_value
from ._exact.certified import certified_qqt as certified_qqt
from ._exact.certified import certified_single_neuron as certified_single_neuron
from ._exact.certified import stable_qqt_error_bound as stable_qqt_error_bound
from ._exact.certified_two_layer import certified_kernel_distance as certified_kernel_distance
from ._exact.certified_two_layer import certified_ntk as certified_ntk
from ._exact.certified_two_layer import certified_qqt_limit as certified_qqt_limit
from ._exact.single_neuron_accuracy import float64_error_bound as single_neuron_error_bound
from ._numerics.arb import Enclosure as Enclosure
from ._numerics.arb import exact_arb as exact_arb
from ._numerics.arb import require_flint as require_flint

__all__ = [
    "Enclosure",
    "certified_aligned_singular_value",
    "certified_kernel_distance",
    "certified_mixed_aligned_singular_value",
    "certified_ntk",
    "certified_qqt",
    "certified_qqt_limit",
    "certified_single_neuron",
    "exact_arb",
    "require_flint",
    "single_neuron_error_bound",
    "stable_qqt_error_bound",
]
