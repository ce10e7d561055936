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

# --- exact solutions: each issue adds its import lines below this marker ---
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
