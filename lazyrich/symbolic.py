"""The symbolic toolkit: a matrix calculus at general shape, and helpers to write claim statements.

Importing this module loads SymPy.
"""

from ._symbolic.matrix_calculus import Canonical as Canonical
from ._symbolic.matrix_calculus import RewriteRule as RewriteRule
from ._symbolic.matrix_calculus import canonicalize as canonicalize
from ._symbolic.matrix_calculus import explicit_matrix as explicit_matrix
from ._symbolic.matrix_calculus import explicit_residual as explicit_residual
from ._symbolic.matrix_calculus import explicit_time_derivative as explicit_time_derivative
from ._symbolic.matrix_calculus import is_zero as is_zero
from ._symbolic.matrix_calculus import time_derivative as time_derivative
from ._symbolic.statements import TIME as TIME
from ._symbolic.statements import ddt as ddt
from ._symbolic.statements import equation as equation

__all__ = [
    "TIME",
    "Canonical",
    "RewriteRule",
    "canonicalize",
    "ddt",
    "equation",
    "explicit_matrix",
    "explicit_residual",
    "explicit_time_derivative",
    "is_zero",
    "time_derivative",
]
