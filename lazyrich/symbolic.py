"""The symbolic toolkit: a matrix calculus at general shape, and helpers to write claim statements.

Importing this module loads SymPy.
"""

from ._symbolic.declared import Commute as Commute
from ._symbolic.declared import Declared as Declared
from ._symbolic.declared import facts as facts
from ._symbolic.declared import matrix_exp as matrix_exp
from ._symbolic.declared import matrix_inverse as matrix_inverse
from ._symbolic.declared import matrix_power as matrix_power
from ._symbolic.declared import matrix_sqrt as matrix_sqrt
from ._symbolic.derivative import NoDerivativeRuleError as NoDerivativeRuleError
from ._symbolic.derivative import expand_time_derivatives as expand_time_derivatives
from ._symbolic.derivative import time_derivative as time_derivative
from ._symbolic.matrix_calculus import Canonical as Canonical
from ._symbolic.matrix_calculus import RewriteLoopError as RewriteLoopError
from ._symbolic.matrix_calculus import RewriteRule as RewriteRule
from ._symbolic.matrix_calculus import UnsupportedExpressionError as UnsupportedExpressionError
from ._symbolic.matrix_calculus import canonical_trace as canonical_trace
from ._symbolic.matrix_calculus import canonicalize as canonicalize
from ._symbolic.matrix_calculus import explicit_matrix as explicit_matrix
from ._symbolic.matrix_calculus import explicit_residual as explicit_residual
from ._symbolic.matrix_calculus import explicit_time_derivative as explicit_time_derivative
from ._symbolic.matrix_calculus import is_zero as is_zero
from ._symbolic.numeric import enclose as enclose
from ._symbolic.numeric import evaluate as evaluate
from ._symbolic.statements import TIME as TIME
from ._symbolic.statements import Definition as Definition
from ._symbolic.statements import Hypothesis as Hypothesis
from ._symbolic.statements import StatementParts as StatementParts
from ._symbolic.statements import ddt as ddt
from ._symbolic.statements import definition as definition
from ._symbolic.statements import equation as equation
from ._symbolic.statements import hypothesis as hypothesis
from ._symbolic.statements import rates_from as rates_from
from ._symbolic.statements import resolve_definitions as resolve_definitions
from ._symbolic.statements import rewrite_rules as rewrite_rules
from ._symbolic.statements import split_statement as split_statement
from ._symbolic.statements import substitutions as substitutions
from ._symbolic.zero_screen import certainly_nonzero as certainly_nonzero

__all__ = [
    "TIME",
    "Canonical",
    "Commute",
    "Declared",
    "Definition",
    "Hypothesis",
    "NoDerivativeRuleError",
    "RewriteLoopError",
    "RewriteRule",
    "StatementParts",
    "UnsupportedExpressionError",
    "canonical_trace",
    "canonicalize",
    "certainly_nonzero",
    "ddt",
    "definition",
    "enclose",
    "equation",
    "evaluate",
    "expand_time_derivatives",
    "explicit_matrix",
    "explicit_residual",
    "explicit_time_derivative",
    "facts",
    "hypothesis",
    "is_zero",
    "matrix_exp",
    "matrix_inverse",
    "matrix_power",
    "matrix_sqrt",
    "rates_from",
    "resolve_definitions",
    "rewrite_rules",
    "split_statement",
    "substitutions",
    "time_derivative",
]
