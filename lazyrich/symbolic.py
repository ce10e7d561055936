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
from ._symbolic.numeric import evaluate as evaluate
from ._symbolic.statements import TIME as TIME
from ._symbolic.statements import ddt as ddt
from ._symbolic.statements import equation as equation

__all__ = [
    "TIME",
    "Canonical",
    "Commute",
    "Declared",
    "NoDerivativeRuleError",
    "RewriteLoopError",
    "RewriteRule",
    "UnsupportedExpressionError",
    "canonical_trace",
    "canonicalize",
    "ddt",
    "equation",
    "evaluate",
    "explicit_matrix",
    "explicit_residual",
    "explicit_time_derivative",
    "facts",
    "is_zero",
    "matrix_exp",
    "matrix_inverse",
    "matrix_power",
    "matrix_sqrt",
    "time_derivative",
]
