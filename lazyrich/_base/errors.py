"""Typed errors raised by lazyrich.

Every public function validates its input and raises one of these, with a
message that says what is wrong and what to do. They subclass the matching
built-in exception so that generic handlers (``except ValueError``) still work.
"""

from __future__ import annotations

__all__ = [
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
]


class LazyrichError(Exception):
    """Base class of every error raised on purpose by lazyrich."""


class ShapeError(LazyrichError, ValueError):
    """Arrays whose shapes do not fit together (e.g. ``W2 @ W1`` undefined)."""


class NonFiniteError(LazyrichError, ValueError):
    """An input holds NaN or inf, or a computation would produce one."""


class InvalidParameterError(LazyrichError, ValueError):
    """A scalar parameter is outside its valid range (e.g. a negative learning rate)."""


class NotBalancedError(LazyrichError, ValueError):
    """Weights are not lambda-balanced (``W2^T W2 - W1 W1^T != lambda I``)."""


class NotWhitenedError(LazyrichError, ValueError):
    """Inputs are not whitened (``X^T X != I`` or ``Sigma_xx != I``)."""


class SingularFactorError(LazyrichError, ArithmeticError):
    """A factor that a closed form inverts is singular or too ill-conditioned."""


class PrecisionError(LazyrichError, ArithmeticError):
    """The requested accuracy cannot be reached at the given working precision."""


class SimulationDivergedError(LazyrichError, ArithmeticError):
    """A simulation left the finite range (step too large, or an unstable flow)."""


class MissingDependencyError(LazyrichError, ImportError):
    """An optional dependency is needed; the message names the extra to install."""


class ClaimError(LazyrichError, LookupError):
    """A claim id is unknown, duplicated or malformed."""


class IncompatibleSweepError(InvalidParameterError):
    """``--resume`` was asked with a SPEC whose function, fixed values or axes differ from the stored one."""
