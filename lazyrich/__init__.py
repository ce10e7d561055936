"""lazyrich: verified exact learning dynamics of linear neural networks.

The public API is what this module and its three namespaces export:
:mod:`lazyrich.certified` (Arb enclosures), :mod:`lazyrich.sweep` (parameter sweeps) and
:mod:`lazyrich.symbolic` (the matrix calculus and statement helpers). The underscored
subpackages behind them are private; they form layers that import only downwards:

``_base`` (errors, validation, tolerances) -> ``_numerics`` (float64 / mpmath / Arb
namespaces, the precision helper) -> ``_exact`` (closed forms) and ``_simulate``
(models, flows, descent) -> ``_symbolic`` (matrix calculus) -> ``_claims`` (claims,
runner, LaTeX) -> ``_tools`` (command line, stress report, sweeps).

SymPy is loaded only when a name that needs it (a claim, the calculus, LaTeX) is first used,
so ``import lazyrich`` stays light for workers and kernels.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

# --- base: errors and tolerances
from ._base.errors import ClaimError as ClaimError
from ._base.errors import IncompatibleSweepError as IncompatibleSweepError
from ._base.errors import InvalidParameterError as InvalidParameterError
from ._base.errors import LazyrichError as LazyrichError
from ._base.errors import MissingDependencyError as MissingDependencyError
from ._base.errors import NonFiniteError as NonFiniteError
from ._base.errors import NotBalancedError as NotBalancedError
from ._base.errors import NotWhitenedError as NotWhitenedError
from ._base.errors import PrecisionError as PrecisionError
from ._base.errors import ShapeError as ShapeError
from ._base.errors import SimulationDivergedError as SimulationDivergedError
from ._base.errors import SingularFactorError as SingularFactorError
from ._base.tolerance import FLOAT64_EPS as FLOAT64_EPS
from ._base.tolerance import fit_order as fit_order
from ._base.tolerance import linalg_tolerance as linalg_tolerance
from ._base.tolerance import mp_tolerance as mp_tolerance
from ._base.tolerance import ode_global_tolerance as ode_global_tolerance
from ._base.tolerance import quadratic_invariant_tolerance as quadratic_invariant_tolerance

# --- numerics: random matrices built by construction
from ._numerics.random_matrices import matrix_with_singular_values as matrix_with_singular_values
from ._numerics.random_matrices import random_orthogonal as random_orthogonal

# --- exact solutions
from ._exact.aligned import AlignedMode as AlignedMode
from ._exact.aligned import aligned_singular_value as aligned_singular_value
from ._exact.deep_aligned import deep_aligned_singular_value as deep_aligned_singular_value
from ._exact.deep_aligned import deep_aligned_time as deep_aligned_time
from ._exact.closed_form import ClosedForm as ClosedForm
from ._exact.implicit_bias import implicit_bias_argmin as implicit_bias_argmin
from ._exact.implicit_bias import implicit_bias_endpoints as implicit_bias_endpoints
from ._exact.implicit_bias import implicit_bias_limit as implicit_bias_limit
from ._exact.implicit_bias import implicit_bias_limit_1d as implicit_bias_limit_1d
from ._exact.implicit_bias import implicit_bias_objective as implicit_bias_objective
from ._exact.implicit_bias import implicit_bias_potential as implicit_bias_potential
from ._exact.lambda_balanced import lambda_balanced_init as lambda_balanced_init
from ._exact.mixed_aligned import MixedAlignedMode as MixedAlignedMode
from ._exact.mixed_aligned import mixed_aligned_singular_value as mixed_aligned_singular_value
from ._exact.single_neuron import SingleNeuronExact as SingleNeuronExact
from ._exact.tasks import random_regression_task as random_regression_task
from ._exact.tasks import semantic_hierarchy_task as semantic_hierarchy_task
from ._exact.tasks import whitened_sigma_yx as whitened_sigma_yx
from ._exact.two_layer import TwoLayerExact as TwoLayerExact
from ._exact.two_layer_stream import iter_qqt as iter_qqt

# --- simulation
from ._simulate.flow import Trajectory as Trajectory
from ._simulate.flow import gradient_descent as gradient_descent
from ._simulate.flow import gradient_flow as gradient_flow
from ._simulate.gaussian_init import bartlett_factor as bartlett_factor
from ._simulate.gaussian_init import gaussian_init as gaussian_init
from ._simulate.models import DeepLinearModel as DeepLinearModel
from ._simulate.models import Model as Model
from ._simulate.models import ReluNetworkModel as ReluNetworkModel
from ._simulate.models import SingleNeuronModel as SingleNeuronModel
from ._simulate.phase_diagram import PhaseDiagramPoint as PhaseDiagramPoint
from ._simulate.phase_diagram import below_noise_line as below_noise_line
from ._simulate.phase_diagram import in_theory_region as in_theory_region
from ._simulate.phase_diagram import init_below_threshold as init_below_threshold
from ._simulate.phase_diagram import is_lazy as is_lazy
from ._simulate.phase_diagram import is_overparameterized as is_overparameterized
from ._simulate.phase_diagram import lazy_min_test_error as lazy_min_test_error
from ._simulate.phase_diagram import phase_diagram_point as phase_diagram_point
from ._simulate.phase_diagram import phase_task as phase_task
from ._simulate.reduced import UPDATE_RULES as UPDATE_RULES
from ._simulate.reduced import reduce_width as reduce_width
from ._simulate.reduced import two_layer_descent as two_layer_descent
from ._simulate.self_consistent import SelfConsistentModel as SelfConsistentModel
from ._simulate.self_consistent import self_consistent_descent as self_consistent_descent
from ._simulate.self_consistent import self_consistent_flow as self_consistent_flow
from ._simulate.self_consistent import self_consistent_velocity as self_consistent_velocity

# --- tools: the stress report; the sweep engine is the lazyrich.sweep namespace
from ._tools.stress import StressReport as StressReport
from ._tools.stress import stress as stress
from ._tools.sweep.engine import load_sweep as load_sweep
from ._tools.sweep.plot import plot_sweep as plot_sweep
from ._tools.sweep.registry import sweep_function as sweep_function

# --- public namespaces
from . import certified as certified
from . import sweep as sweep

# --- loaded on first use (they import SymPy): claims, LaTeX, the symbolic toolkit
_LAZY = {
    "PAPERS": "lazyrich._claims.model",
    "REGISTRY": "lazyrich._claims.model",
    "CheckResult": "lazyrich._claims.model",
    "Claim": "lazyrich._claims.model",
    "ClaimResult": "lazyrich._claims.model",
    "Measurement": "lazyrich._claims.model",
    "Proof": "lazyrich._claims.model",
    "Registry": "lazyrich._claims.model",
    "Source": "lazyrich._claims.model",
    "claim": "lazyrich._claims.model",
    "register_paper": "lazyrich._claims.model",
    "run_claim": "lazyrich._claims.model",
    "load_claims": "lazyrich._claims.runner",
    "verify": "lazyrich._claims.runner",
    "RenderedClaim": "lazyrich._claims.latex",
    "claim_latex": "lazyrich._claims.latex",
    "export_latex": "lazyrich._claims.latex",
    "expr_latex": "lazyrich._claims.printing",
    "proof_latex": "lazyrich._claims.latex",
    "render_claim": "lazyrich._claims.latex",
    "DEFAULT_NOTATION": "lazyrich._claims.notation",
    "Notation": "lazyrich._claims.notation",
    "TIME": "lazyrich._symbolic.statements",
    "ddt": "lazyrich._symbolic.statements",
    "equation": "lazyrich._symbolic.statements",
    "Definition": "lazyrich._symbolic.statements",
    "Hypothesis": "lazyrich._symbolic.statements",
    "StatementParts": "lazyrich._symbolic.statements",
    "definition": "lazyrich._symbolic.statements",
    "hypothesis": "lazyrich._symbolic.statements",
    "rewrite_rules": "lazyrich._symbolic.statements",
    "split_statement": "lazyrich._symbolic.statements",
    "substitutions": "lazyrich._symbolic.statements",
    "Canonical": "lazyrich._symbolic.matrix_calculus",
    "RewriteRule": "lazyrich._symbolic.matrix_calculus",
    "canonicalize": "lazyrich._symbolic.matrix_calculus",
    "explicit_matrix": "lazyrich._symbolic.matrix_calculus",
    "explicit_residual": "lazyrich._symbolic.matrix_calculus",
    "explicit_time_derivative": "lazyrich._symbolic.matrix_calculus",
    "is_zero": "lazyrich._symbolic.matrix_calculus",
    "time_derivative": "lazyrich._symbolic.derivative",
    "expand_time_derivatives": "lazyrich._symbolic.derivative",
    "rates_from": "lazyrich._symbolic.statements",
    "resolve_definitions": "lazyrich._symbolic.statements",
    "SolutionReport": "lazyrich._claims.solution",
    "SolutionSample": "lazyrich._claims.solution",
    "check_solution": "lazyrich._claims.solution",
    "solution_claim": "lazyrich._claims.solution",
    "symbolic": "lazyrich.symbolic",
}

if TYPE_CHECKING:  # what the lazy names are, for type checkers and readers
    from . import symbolic as symbolic
    from ._claims.latex import RenderedClaim as RenderedClaim
    from ._claims.latex import claim_latex as claim_latex
    from ._claims.latex import export_latex as export_latex
    from ._claims.latex import proof_latex as proof_latex
    from ._claims.latex import render_claim as render_claim
    from ._claims.model import PAPERS as PAPERS
    from ._claims.model import REGISTRY as REGISTRY
    from ._claims.model import CheckResult as CheckResult
    from ._claims.model import Claim as Claim
    from ._claims.model import ClaimResult as ClaimResult
    from ._claims.model import Measurement as Measurement
    from ._claims.model import Proof as Proof
    from ._claims.model import Registry as Registry
    from ._claims.model import Source as Source
    from ._claims.model import claim as claim
    from ._claims.model import register_paper as register_paper
    from ._claims.model import run_claim as run_claim
    from ._claims.notation import DEFAULT_NOTATION as DEFAULT_NOTATION
    from ._claims.notation import Notation as Notation
    from ._claims.printing import expr_latex as expr_latex
    from ._claims.runner import load_claims as load_claims
    from ._claims.runner import verify as verify
    from ._symbolic.matrix_calculus import Canonical as Canonical
    from ._symbolic.matrix_calculus import RewriteRule as RewriteRule
    from ._symbolic.matrix_calculus import canonicalize as canonicalize
    from ._symbolic.matrix_calculus import explicit_matrix as explicit_matrix
    from ._symbolic.matrix_calculus import explicit_residual as explicit_residual
    from ._symbolic.matrix_calculus import explicit_time_derivative as explicit_time_derivative
    from ._symbolic.matrix_calculus import is_zero as is_zero
    from ._symbolic.derivative import time_derivative as time_derivative
    from ._symbolic.derivative import expand_time_derivatives as expand_time_derivatives
    from ._symbolic.statements import rates_from as rates_from
    from ._symbolic.statements import resolve_definitions as resolve_definitions
    from ._claims.solution import SolutionReport as SolutionReport
    from ._claims.solution import SolutionSample as SolutionSample
    from ._claims.solution import check_solution as check_solution
    from ._claims.solution import solution_claim as solution_claim
    from ._symbolic.statements import TIME as TIME
    from ._symbolic.statements import ddt as ddt
    from ._symbolic.statements import equation as equation
    from ._symbolic.statements import Definition as Definition
    from ._symbolic.statements import Hypothesis as Hypothesis
    from ._symbolic.statements import StatementParts as StatementParts
    from ._symbolic.statements import definition as definition
    from ._symbolic.statements import hypothesis as hypothesis
    from ._symbolic.statements import rewrite_rules as rewrite_rules
    from ._symbolic.statements import split_statement as split_statement
    from ._symbolic.statements import substitutions as substitutions


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'lazyrich' has no attribute {name!r}")
    value = importlib.import_module(module)
    if name != "symbolic":
        value = getattr(value, name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__version__ = "0.1.0"

__all__ = [
    # base
    "ClaimError",
    "IncompatibleSweepError",
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
    "FLOAT64_EPS",
    "fit_order",
    "linalg_tolerance",
    "mp_tolerance",
    "ode_global_tolerance",
    "quadratic_invariant_tolerance",
    # numerics
    "matrix_with_singular_values",
    "random_orthogonal",
    # exact solutions: the one closed-form interface
    "ClosedForm",
    # exact solutions: two-layer lambda-balanced (Dominé et al.)
    "TwoLayerExact",
    "AlignedMode",
    "iter_qqt",
    "lambda_balanced_init",
    "aligned_singular_value",
    "semantic_hierarchy_task",
    "whitened_sigma_yx",
    "random_regression_task",
    # exact solutions: single neuron (Kunin et al.)
    "SingleNeuronExact",
    "implicit_bias_potential",
    "implicit_bias_objective",
    "implicit_bias_argmin",
    "implicit_bias_limit",
    "implicit_bias_limit_1d",
    "implicit_bias_endpoints",
    # exact solutions: mixed dynamics (Tu, Aranguri, Jacot)
    "MixedAlignedMode",
    "mixed_aligned_singular_value",
    # exact solutions: deep linear networks (Saxe et al.; Arora, Cohen, Hazan)
    "deep_aligned_singular_value",
    "deep_aligned_time",
    # simulation
    "Model",
    "DeepLinearModel",
    "SingleNeuronModel",
    "ReluNetworkModel",
    "Trajectory",
    "gradient_descent",
    "gradient_flow",
    "gaussian_init",
    "bartlett_factor",
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
    # claims (loaded on first use)
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
    "register_paper",
    "run_claim",
    "load_claims",
    "verify",
    # LaTeX export (loaded on first use)
    "DEFAULT_NOTATION",
    "Notation",
    "RenderedClaim",
    "claim_latex",
    "export_latex",
    "expr_latex",
    "proof_latex",
    "render_claim",
    # symbolic toolkit (loaded on first use; also lazyrich.symbolic)
    "TIME",
    "ddt",
    "equation",
    "Definition",
    "Hypothesis",
    "StatementParts",
    "definition",
    "hypothesis",
    "rewrite_rules",
    "split_statement",
    "substitutions",
    "Canonical",
    "RewriteRule",
    "canonicalize",
    "explicit_matrix",
    "explicit_residual",
    "explicit_time_derivative",
    "is_zero",
    "time_derivative",
    "expand_time_derivatives",
    "rates_from",
    "resolve_definitions",
    # checking a candidate solution of an ODE (loaded on first use)
    "SolutionReport",
    "SolutionSample",
    "check_solution",
    "solution_claim",
    # tools
    "StressReport",
    "stress",
    "load_sweep",
    "plot_sweep",
    "sweep_function",
    # public namespaces
    "certified",
    "sweep",
    "symbolic",
]
