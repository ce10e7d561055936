"""The project's list of guarantees for bad input: each row is a call and the typed error it must raise.

Every row must raise exactly that ``LazyrichError`` subclass, with no numpy warning escaping first
(warnings are errors in this module). Add a row whenever a new bad input is found.
"""

import warnings

import numpy as np
import pytest
import sympy as sp

import lazyrich
from lazyrich import InvalidParameterError, PrecisionError, ShapeError

W1, W2 = lazyrich.lambda_balanced_init(2, 2, 2, 0.5, sigma=0.5, seed=0)
X = sp.Symbol("x")
T = sp.Symbol("t")

BAD = {
    # complex input was truncated to its real part with only a ComplexWarning
    "complex weights": (lambda: lazyrich.TwoLayerExact(W1 + 1j * W1, W2, np.eye(2)), ShapeError),
    "complex time grid": (lambda: lazyrich.aligned_singular_value(np.array([1j]), 0.1, 2.0, 1.0), ShapeError),
    "complex target vector": (lambda: lazyrich.SingleNeuronExact(0.1, [1.0, 0.0], [1j, 0.0]), ShapeError),
    # numpy parses strings as numbers: a time given as text was accepted
    "string time": (lambda: lazyrich.aligned_singular_value("1", 0.1, 2.0, 1.0), ShapeError),
    "string time, deep mode": (lambda: lazyrich.deep_aligned_singular_value("1", 0.1, 2.0, 3), ShapeError),
    # float64 range: a math range/domain error escaped from the deep aligned mode
    "deep mode beyond float64": (lambda: lazyrich.deep_aligned_singular_value(1e300, 1e-300, 1e300, 6), PrecisionError),
    "deep time beyond float64": (lambda: lazyrich.deep_aligned_time(1.0, 1e300, 1e-300, 4), PrecisionError),
    # check_solution: its own error path crashed on a non-mapping
    "solution not a mapping": (lambda: lazyrich.check_solution({X: X}, None, {X: 1}, T), InvalidParameterError),
    "unknown sample key": (
        lambda: lazyrich.check_solution({X: X}, {X: sp.exp(T)}, {X: 1}, T, sample={"size": 3}),
        InvalidParameterError,
    ),
    "reference digits below float64": (
        lambda: lazyrich.check_solution({X: X}, {X: sp.exp(T)}, {X: 1}, T, dps=10),
        InvalidParameterError,
    ),
    "reference digits not an integer": (
        lambda: lazyrich.check_solution({X: X}, {X: sp.exp(T)}, {X: 1}, T, dps=30.5),
        InvalidParameterError,
    ),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_input_raises_its_typed_error_and_no_warning(name):
    call, error = BAD[name]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(error):
            call()


def test_the_same_extreme_deep_mode_is_answered_with_digits():
    # what the PrecisionError above points to: at t = 1e300 the mode sits at its limit s (an independent
    # route: the flow converges monotonically to s), and dps= gives it to the requested digits
    u = lazyrich.deep_aligned_singular_value(1e300, 1e-300, 1e300, 6, dps=20)
    assert abs(u / 1e300 - 1) < 1e-19
