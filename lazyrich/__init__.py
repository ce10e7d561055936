"""lazyrich: verified exact learning dynamics of linear neural networks.

The public API is exactly what this module exports; the underscored modules
behind it are private.
"""

from ._claims import (
    PAPERS,
    REGISTRY,
    CheckResult,
    Claim,
    ClaimResult,
    Measurement,
    Proof,
    Registry,
    Source,
    claim,
    run_claim,
)
from ._errors import (
    ClaimError,
    IncompatibleSweepError,
    InvalidParameterError,
    LazyrichError,
    MissingDependencyError,
    NonFiniteError,
    NotBalancedError,
    NotWhitenedError,
    PrecisionError,
    ShapeError,
    SimulationDivergedError,
    SingularFactorError,
)
from ._matrix_calculus import (
    Canonical,
    RewriteRule,
    canonicalize,
    explicit_matrix,
    explicit_residual,
    explicit_time_derivative,
    is_zero,
    time_derivative,
)
from ._models import DeepLinearModel, Model, ReluNetworkModel, SingleNeuronModel
from ._random_matrices import matrix_with_singular_values, random_orthogonal
from ._runner import load_claims, verify
from ._simulate import Trajectory, gradient_descent, gradient_flow
from ._statements import TIME, ddt, equation

# --- exact solutions: each issue adds its import lines below this marker ---
from ._gaussian_init import bartlett_factor, gaussian_init
from ._mixed import (
    SelfConsistentModel,
    mixed_aligned_singular_value,
    self_consistent_descent,
    self_consistent_flow,
    self_consistent_velocity,
)
from ._phase_diagram import (
    PhaseDiagramPoint,
    below_noise_line,
    in_theory_region,
    init_below_threshold,
    is_lazy,
    is_overparameterized,
    lazy_min_test_error,
    phase_diagram_point,
    phase_task,
)
from ._reduced_simulation import UPDATE_RULES, reduce_width, two_layer_descent
from ._aligned import aligned_singular_value
from ._lambda_balanced import lambda_balanced_init
from ._tasks import random_regression_task, semantic_hierarchy_task, whitened_sigma_yx
from ._two_layer import TwoLayerExact
from ._single_neuron import SingleNeuronExact
from ._implicit_bias import (
    implicit_bias_argmin,
    implicit_bias_endpoints,
    implicit_bias_limit,
    implicit_bias_limit_1d,
    implicit_bias_objective,
    implicit_bias_potential,
)
from ._latex import RenderedClaim, claim_latex, export_latex, expr_latex, proof_latex, render_claim
from ._notation import DEFAULT_NOTATION, Notation
from ._arb_backend import (
    Enclosure,
    certified_aligned_singular_value,
    certified_mixed_aligned_singular_value,
    certified_qqt,
    certified_single_neuron,
)
from ._certified_quantities import certified_kernel_distance, certified_ntk, certified_qqt_limit
from ._stress import StressReport, stress
from ._two_layer_stream import iter_qqt
from ._sweep_plot import plot_sweep
from ._sweep_registry import SWEEP_FUNCTIONS, SweepFunction, get_sweep_function, sweep_function
from . import _sweep_cells  # noqa: F401  (registers the built-in sweep functions)
from ._sweep import SweepSummary, load_sweep, sweep
from ._sweep_spec import SweepSpec, load_spec

# --- end exact solutions ---
from ._tolerance import (
    FLOAT64_EPS,
    fit_order,
    linalg_tolerance,
    mp_tolerance,
    ode_global_tolerance,
    quadratic_invariant_tolerance,
)

__version__ = "0.1.0"

__all__ = [
    # --- exact solutions: names below this marker ---
    # mixed dynamics (Tu, Aranguri, Jacot; issue 5)
    "gaussian_init",
    "bartlett_factor",
    "mixed_aligned_singular_value",
    "SelfConsistentModel",
    "self_consistent_velocity",
    "self_consistent_flow",
    "self_consistent_descent",
    "reduce_width",
    "two_layer_descent",
    "UPDATE_RULES",
    "PhaseDiagramPoint",
    "phase_diagram_point",
    "phase_task",
    "is_lazy",
    "below_noise_line",
    "is_overparameterized",
    "in_theory_region",
    "init_below_threshold",
    "lazy_min_test_error",
    # two-layer lambda-balanced networks (Dominé et al.; issue 3)
    "TwoLayerExact",
    "lambda_balanced_init",
    "aligned_singular_value",
    "semantic_hierarchy_task",
    "whitened_sigma_yx",
    "random_regression_task",
    # single neuron (Kunin et al.; issue 4)
    "SingleNeuronExact",
    "implicit_bias_potential",
    "implicit_bias_objective",
    "implicit_bias_argmin",
    "implicit_bias_limit",
    "implicit_bias_limit_1d",
    "implicit_bias_endpoints",
    # LaTeX export (issue 7)
    "DEFAULT_NOTATION",
    "Notation",
    "RenderedClaim",
    "claim_latex",
    "export_latex",
    "expr_latex",
    "proof_latex",
    "render_claim",
    # certified enclosures (issue 6)
    "Enclosure",
    "certified_aligned_singular_value",
    "certified_mixed_aligned_singular_value",
    "certified_qqt",
    "certified_single_neuron",
    "certified_qqt_limit",
    "certified_ntk",
    "certified_kernel_distance",
    "StressReport",
    "stress",
    "iter_qqt",
    # parameter sweeps: built-in functions and heatmap (issue 9)
    "SWEEP_FUNCTIONS",
    "SweepFunction",
    "get_sweep_function",
    "plot_sweep",
    "sweep_function",
    # parameter sweeps: the engine (issue 9)
    "sweep",
    "load_sweep",
    "SweepSpec",
    "load_spec",
    "SweepSummary",
    "IncompatibleSweepError",
    # --- end exact solutions names ---
    # claims
    "PAPERS",
    "REGISTRY",
    "CheckResult",
    "Claim",
    "ClaimResult",
    "Measurement",
    "Proof",
    "Registry",
    "Source",
    "claim",
    "run_claim",
    "load_claims",
    "verify",
    # errors
    "ClaimError",
    "InvalidParameterError",
    "LazyrichError",
    "MissingDependencyError",
    "NonFiniteError",
    "NotBalancedError",
    "NotWhitenedError",
    "PrecisionError",
    "ShapeError",
    "SimulationDivergedError",
    "SingularFactorError",
    # symbolic toolkit
    "TIME",
    "ddt",
    "equation",
    "Canonical",
    "RewriteRule",
    "canonicalize",
    "explicit_matrix",
    "explicit_residual",
    "explicit_time_derivative",
    "is_zero",
    "time_derivative",
    # simulation
    "Model",
    "DeepLinearModel",
    "SingleNeuronModel",
    "ReluNetworkModel",
    "Trajectory",
    "gradient_descent",
    "gradient_flow",
    # random matrices
    "matrix_with_singular_values",
    "random_orthogonal",
    # tolerances
    "FLOAT64_EPS",
    "fit_order",
    "linalg_tolerance",
    "mp_tolerance",
    "ode_global_tolerance",
    "quadratic_invariant_tolerance",
]
