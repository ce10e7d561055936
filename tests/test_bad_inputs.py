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
    # issue 15: TypeError / ValueError / MemoryError / silent acceptance from the init and the task
    "seed a string": (lambda: lazyrich.lambda_balanced_init(2, 2, 2, 1.0, seed="a"), InvalidParameterError),
    "seed a float": (lambda: lazyrich.lambda_balanced_init(2, 2, 2, 1.0, seed=1.5), InvalidParameterError),
    "seed negative": (lambda: lazyrich.lambda_balanced_init(2, 2, 2, 1.0, seed=-1), InvalidParameterError),
    "init beyond max_entries": (lambda: lazyrich.lambda_balanced_init(10**9, 1, 1, 1.0), InvalidParameterError),
    "init weights beyond float64": (
        lambda: lazyrich.lambda_balanced_init(4, 4, 4, 1.0, sigma=1e308, seed=0),
        lazyrich.NonFiniteError,
    ),
    "tie_break not a bool": (lambda: lazyrich.semantic_hierarchy_task(tie_break="x"), InvalidParameterError),
    "potential beyond float64": (
        lambda: lazyrich.implicit_bias_potential(1e250 * np.ones(3), 1.0),
        lazyrich.NonFiniteError,
    ),
    "mixed mode c < 0": (lambda: lazyrich.mixed_aligned_singular_value(1.0, 0.1, 2.0, -1.0), InvalidParameterError),
}


def _model():
    return lazyrich.DeepLinearModel(np.diag([2.0, 1.0]))


def _spec(grid):
    return {"function": "aligned_agreement", "fixed": {"s_target": 1.7, "lam": -0.3, "t": 1.0}, "grid": {"s0": grid}}


# issue 15, items 2-3 (base, simulation, claims runner, sweeps): typed errors and work limits checked up front
BAD.update(
    {
        "tolerance of a NaN condition number": (lambda: lazyrich.linalg_tolerance(np.nan), lazyrich.NonFiniteError),
        "invariant tolerance of a NaN rtol": (
            lambda: lazyrich.quadratic_invariant_tolerance(10, np.nan, 0, 1),
            lazyrich.NonFiniteError,
        ),
        "ODE tolerance of a string scale": (lambda: lazyrich.ode_global_tolerance(10, 1e-12, 0, "1"), ShapeError),
        "mp tolerance at 0 digits": (lambda: lazyrich.mp_tolerance(0), InvalidParameterError),
        "fit_order of mismatched lengths": (lambda: lazyrich.fit_order([0.1, 0.05], [1.0, 0.5, 0.2]), ShapeError),
        "fit_order of a negative error": (lambda: lazyrich.fit_order([0.1, 0.05], [1.0, -0.5]), InvalidParameterError),
        "measurement with a NaN error": (lambda: lazyrich.Measurement(np.nan, 1e-10), lazyrich.NonFiniteError),
        "measurement with a negative tolerance": (lambda: lazyrich.Measurement(1, -1), InvalidParameterError),
        "canonicalize a number": (lambda: lazyrich.canonicalize(3), lazyrich.LazyrichError),
        "flow with an unknown method": (
            lambda: lazyrich.gradient_flow(_model(), (W1, W2), [0, 1], method="bogus"),
            InvalidParameterError,
        ),
        "flow of no model": (lambda: lazyrich.gradient_flow(None, (W1, W2), [0, 1]), InvalidParameterError),
        "flow of one weight for two layers": (lambda: lazyrich.gradient_flow(_model(), W1, [0, 1]), ShapeError),
        "stream of no network": (lambda: next(lazyrich.iter_qqt(None, 1.0)), InvalidParameterError),
        "certified QQ^T of no network": (lambda: lazyrich.certified.certified_qqt(None, 1.0), InvalidParameterError),
        "certified neuron of no neuron": (
            lambda: lazyrich.certified.certified_single_neuron(None, 1.0),
            InvalidParameterError,
        ),
        "tau a string": (lambda: lazyrich.DeepLinearModel(np.eye(2), tau="1"), ShapeError),
        "aligned mode tau a string": (lambda: lazyrich.aligned_singular_value(1.0, 0.1, 2.0, 1.0, tau="1"), ShapeError),
        "negative input covariance": (
            lambda: lazyrich.DeepLinearModel(np.eye(2), sigma_xx=-np.eye(2)),
            InvalidParameterError,
        ),
        "depth beyond max_depth": (lambda: lazyrich.DeepLinearModel(np.eye(2), depth=10**12), InvalidParameterError),
        "reduced not a bool": (lambda: lazyrich.gaussian_init(2, 2, 10, 0.1, reduced="no"), InvalidParameterError),
        "gaussian seed a string": (lambda: lazyrich.gaussian_init(2, 2, 10, 0.1, seed="a"), InvalidParameterError),
        "gaussian init beyond max_entries": (
            lambda: lazyrich.gaussian_init(10**5, 10**5, 10**9, 0.1, reduced=False),
            InvalidParameterError,
        ),
        "phase task beyond max_entries": (lambda: lazyrich.phase_task(10**6, 1, 0), InvalidParameterError),
        "phase point exponent beyond float64": (
            lambda: lazyrich.phase_diagram_point(8, 2, -1.0, 1e12, 0),
            InvalidParameterError,
        ),
        "descent update an array": (
            lambda: lazyrich.two_layer_descent(W1, W2, np.eye(2), 0.1, [0, 0.1], update=np.zeros(2)),
            InvalidParameterError,
        ),
        "verify on -1 jobs": (lambda: lazyrich.verify("no_such_claim", jobs=-1), InvalidParameterError),
        "verify of a module string": (lambda: lazyrich.verify("no_such_claim", modules="abc"), InvalidParameterError),
        "sweep function named by a number": (lambda: lazyrich.sweep.get_sweep_function(3), InvalidParameterError),
        "latex results with a wrong status": (
            lambda: lazyrich.export_latex("no_such_claim", results=[{"id": "x", "symbolic": "?", "numeric": "pass"}]),
            InvalidParameterError,
        ),
        # unbounded work, refused before it starts
        "descent of 1e12 steps": (
            lambda: lazyrich.gradient_descent(_model(), (W1, W2), 1e-6, [0, 1e6]),
            InvalidParameterError,
        ),
        "two-layer descent of 1e12 steps": (
            lambda: lazyrich.two_layer_descent(W1, W2, np.eye(2), 1e-6, [0, 1e6]),
            InvalidParameterError,
        ),
        "descent of a step below the float64 ratio": (
            lambda: lazyrich.gradient_descent(_model(), (W1, W2), 1e-300, [0, 1e300]),
            InvalidParameterError,
        ),
        "SPEC axis of 1e9 points": (
            lambda: lazyrich.sweep.load_spec(_spec({"linspace": [0, 1, 10**9]})),
            InvalidParameterError,
        ),
        "SPEC grid of 1e12 points": (
            lambda: lazyrich.sweep.load_spec(
                {**_spec({"range": [0, 10**6]}), "grid": {"s0": {"seeds": 10**6}, "t": {"seeds": 10**6}}}
            ),
            InvalidParameterError,
        ),
        "working digits beyond MAX_DPS": (
            lambda: lazyrich.aligned_singular_value(1.0, 0.1, 2.0, 1.0, dps=10**7),
            InvalidParameterError,
        ),
        # weights beyond float64: a numpy overflow warning and a NaN loss escaped
        "loss of weights scaled by 1e200": (
            lambda: _model().loss((1e200 * W1, 1e200 * W2)),
            lazyrich.SimulationDivergedError,
        ),
        "flow of weights scaled by 1e200": (
            lambda: lazyrich.gradient_flow(_model(), (1e200 * W1, 1e200 * W2), [0, 1]),
            lazyrich.SimulationDivergedError,
        ),
    }
)


# issue 15, TwoLayerExact beyond float64's range: LinAlgError ("SVD did not converge") escaped at weights x 1e150;
# now a NonFiniteError giving the scale law that rescales the problem (tiny weights, e.g. x 1e-200, give values)
_W1, _W2 = lazyrich.lambda_balanced_init(3, 3, 3, 0.5, sigma=0.5, seed=1)


def _singular_q_plus_net():
    """lambda = 0, N_i = N_h = N_o, sign det W2W1(0) != sign det Sigma_yx: q+ singular (Dominé et al. (2025), Sec. 4)."""
    w1, w2 = lazyrich.lambda_balanced_init(2, 2, 2, 0.0, sigma=0.5, seed=0)
    return lazyrich.TwoLayerExact(w1, w2, np.diag([1.0, -np.sign(np.linalg.det(w2 @ w1))]))


BAD.update(
    {
        "two-layer weights scaled by 1e150": (
            lambda: lazyrich.TwoLayerExact(1e150 * _W1, 1e150 * _W2, np.eye(3)),
            lazyrich.NonFiniteError,
        ),
        "two-layer weights scaled by 1e100 (lambda^2 overflows)": (
            lambda: lazyrich.TwoLayerExact(1e100 * _W1, 1e100 * _W2, np.eye(3)),
            lazyrich.NonFiniteError,
        ),
        "two-layer task scaled by 1e200": (
            lambda: lazyrich.TwoLayerExact(_W1, _W2, 1e200 * np.eye(3)),
            lazyrich.NonFiniteError,
        ),
        "two-layer NTK of inputs scaled by 1e200": (
            lambda: lazyrich.TwoLayerExact(_W1, _W2, np.eye(3)).ntk(1.0, 1e200 * np.eye(3)),
            lazyrich.NonFiniteError,
        ),
        "two-layer float64 with q+ singular (lambda = 0, det signs differ)": (
            lambda: _singular_q_plus_net().qqt(1.0),
            lazyrich.SingularFactorError,
        ),
    }
)


# issue 15, the public-API walk (tests/test_public_api_fuzz.py): unbounded work, AttributeError/TypeError/SympifyError
from mpmath import inf as _MPF_INF  # noqa: E402

_N = sp.Symbol("n", integer=True, positive=True)
_A, _B = sp.MatrixSymbol("A", _N, _N), sp.MatrixSymbol("B", _N, _N)

BAD.update(
    {
        "deep mode with 10^12 layers (ran without end)": (
            lambda: lazyrich.deep_aligned_singular_value(1.0, 0.1, 2.0, 10**12),
            InvalidParameterError,
        ),
        "deep time above max_depth": (
            lambda: lazyrich.deep_aligned_time(1.0, 0.1, 2.0, 101, max_depth=100),
            InvalidParameterError,
        ),
        "closed form at ts=None": (lambda: lazyrich.AlignedMode(0.1, 2.0, 0.5).stable(None), ShapeError),
        "closed form confirmed at a text time": (
            lambda: lazyrich.AlignedMode(0.1, 2.0, 0.5).confirmed(["no"], 20),
            ShapeError,
        ),
        "closed form at a negative time": (
            lambda: lazyrich.MixedAlignedMode(0.1, 2.0, 0.5).stable([-1.0]),
            InvalidParameterError,
        ),
        "random_orthogonal of 10^12 rows": (lambda: lazyrich.random_orthogonal(10**12), InvalidParameterError),
        "random_orthogonal with a text seed": (lambda: lazyrich.random_orthogonal(3, "1"), InvalidParameterError),
        "matrix_with_singular_values of shape None": (
            lambda: lazyrich.matrix_with_singular_values(None, [1.0]),
            ShapeError,
        ),
        "exact_arb of NaN": (lambda: lazyrich.certified.exact_arb(float("nan")), lazyrich.NonFiniteError),
        "exact_arb of an mpf infinity (its mantissa is 0: it became the ball 0)": (
            lambda: lazyrich.certified.exact_arb(_MPF_INF),
            lazyrich.NonFiniteError,
        ),
        "claim id None": (
            lambda: lazyrich.Claim(None, "a title", lazyrich.Source("demo", "none")),
            lazyrich.ClaimError,
        ),
        "claim source a string": (lambda: lazyrich.Claim("demo.x", "a title", "demo"), lazyrich.ClaimError),
        "claim statement a string": (
            lambda: lazyrich.Claim("demo.x", "a title", lazyrich.Source("demo", "none"), statement="x = 1"),
            lazyrich.ClaimError,
        ),
        "source paper not an identifier": (lambda: lazyrich.Source(3, "Thm 1"), lazyrich.ClaimError),
        "proof residuals a string": (lambda: lazyrich.Proof(residuals="x"), lazyrich.ClaimError),
        "certified NTK of a non-Enclosure": (
            lambda: lazyrich.certified.certified_ntk(None, 2, np.eye(2)),
            InvalidParameterError,
        ),
        "kernel distance of arrays": (
            lambda: lazyrich.certified.certified_kernel_distance(np.eye(2), np.eye(2)),
            InvalidParameterError,
        ),
        "equation of None (SympifyError)": (lambda: lazyrich.equation(None, 0), InvalidParameterError),
        "definition of a string (parsed by SymPy)": (lambda: lazyrich.definition("x", 1), InvalidParameterError),
        "ddt in a number": (lambda: lazyrich.ddt(X, 3), InvalidParameterError),
        "time_derivative with rates a list": (lambda: lazyrich.time_derivative(_A * _B, [_A]), InvalidParameterError),
        "rates_from of a string": (lambda: lazyrich.rates_from("W"), InvalidParameterError),
        "rewrite_rules of non-relations": (lambda: lazyrich.rewrite_rules([_A]), InvalidParameterError),
        "split_statement of a number": (lambda: lazyrich.split_statement(3), InvalidParameterError),
        "resolve_definitions of None": (lambda: lazyrich.resolve_definitions(None, []), InvalidParameterError),
        "explicit_matrix without its dimension": (lambda: lazyrich.explicit_matrix(_A, {}), InvalidParameterError),
        "explicit_residual with dims a list": (
            lambda: lazyrich.explicit_residual(_A * _B, [(_N, 2)]),
            InvalidParameterError,
        ),
        "explicit dimension negative": (lambda: lazyrich.explicit_matrix(_A, {_N: -3}), InvalidParameterError),
        "is_zero of a list": (lambda: lazyrich.is_zero([]), InvalidParameterError),
        "evaluate of an infinite number": (
            lambda: lazyrich.symbolic.evaluate(sp.oo * X, {X: 1.0}),
            lazyrich.NonFiniteError,
        ),
        "evaluate with declared a string": (
            lambda: lazyrich.symbolic.evaluate(_A, {}, declared="R"),
            InvalidParameterError,
        ),
        "facts of a number": (lambda: lazyrich.symbolic.facts(3), InvalidParameterError),
        "matrix_exp with scale None": (
            lambda: lazyrich.symbolic.matrix_exp(sp.MatrixSymbol("E", _N, _N), _A, scale=None),
            InvalidParameterError,
        ),
        "matrix_exp declared symmetric by a string": (
            lambda: lazyrich.symbolic.matrix_exp(sp.MatrixSymbol("E", _N, _N), _A, symmetric="no"),
            InvalidParameterError,
        ),
        "matrix_power with exponent None": (
            lambda: lazyrich.symbolic.matrix_power(sp.MatrixSymbol("P", _N, _N), _A, None),
            InvalidParameterError,
        ),
        # issue 15: the last four callables of the public-API walk, and the unbounded explicit route
        "implicit_bias_argmin with maxiter a string": (
            lambda: lazyrich.implicit_bias_argmin([[0.5, 1.0]], [1.1], [0.5, 0.2], 1.0, maxiter="no"),
            InvalidParameterError,
        ),
        "implicit_bias_limit with sign_change an array": (
            lambda: lazyrich.implicit_bias_limit([[0.5, 1.0]], [1.1], [0.5, 0.2], -1.0, sign_change=np.zeros(2)),
            InvalidParameterError,
        ),
        "random_regression_task of 10^12 outputs": (
            lambda: lazyrich.random_regression_task(2, 10**12, 4, seed=0),
            InvalidParameterError,
        ),
        "random_regression_task with a negative seed": (
            lambda: lazyrich.random_regression_task(2, 2, 4, seed=-3),
            InvalidParameterError,
        ),
        "stable_qqt_error_bound of None": (
            lambda: lazyrich.certified.stable_qqt_error_bound(None, 1.0),
            InvalidParameterError,
        ),
        "explicit_residual of a 10^6 x 10^6 matrix": (
            lambda: lazyrich.symbolic.explicit_residual(_A * _B, {_N: 10**6}),
            InvalidParameterError,
        ),
    }
)


# lazyrich.symbolic.certainly_nonzero: a non-expression was answered False (3, a certainly non-zero number, too),
# points/seed of the wrong type escaped as TypeError, and points=10^12 or digits=10^9 on an expression the screen
# cannot refute ran without end
_POS = sp.Symbol("p", positive=True)
_ZERO = sp.atan(_POS) + sp.atan(1 / _POS) - sp.pi / 2  # zero for p > 0: the screen tries every point

BAD.update(
    {
        "certainly_nonzero of a string": (
            lambda: lazyrich.symbolic.certainly_nonzero("x - 1"),
            InvalidParameterError,
        ),
        "certainly_nonzero of None": (lambda: lazyrich.symbolic.certainly_nonzero(None), InvalidParameterError),
        "certainly_nonzero of a matrix symbol": (
            lambda: lazyrich.symbolic.certainly_nonzero(_A),
            InvalidParameterError,
        ),
        "certainly_nonzero of an equation": (
            lambda: lazyrich.symbolic.certainly_nonzero(sp.Eq(X, 1)),
            InvalidParameterError,
        ),
        "certainly_nonzero at 1.5 points (TypeError)": (
            lambda: lazyrich.symbolic.certainly_nonzero(_ZERO, points=1.5),
            InvalidParameterError,
        ),
        "certainly_nonzero at 0 points": (
            lambda: lazyrich.symbolic.certainly_nonzero(_ZERO, points=0),
            InvalidParameterError,
        ),
        "certainly_nonzero at 10^12 points (ran without end)": (
            lambda: lazyrich.symbolic.certainly_nonzero(_ZERO, points=10**12),
            InvalidParameterError,
        ),
        "certainly_nonzero at 10^9 digits (ran without end)": (
            lambda: lazyrich.symbolic.certainly_nonzero(_ZERO, digits=10**9),
            InvalidParameterError,
        ),
        "certainly_nonzero at 1 digit (no margin below the terms)": (
            lambda: lazyrich.symbolic.certainly_nonzero(_ZERO, digits=1),
            InvalidParameterError,
        ),
        "certainly_nonzero with a list seed (TypeError)": (
            lambda: lazyrich.symbolic.certainly_nonzero(_ZERO, seed=[1]),
            InvalidParameterError,
        ),
        "certainly_nonzero with a float seed": (
            lambda: lazyrich.symbolic.certainly_nonzero(_ZERO, seed=1.5),
            InvalidParameterError,
        ),
    }
)


def test_certainly_nonzero_answers_numbers():
    # a number was not a sp.Expr: 3 was answered False ("no evidence"), now it is screened
    assert lazyrich.symbolic.certainly_nonzero(3) is True
    assert lazyrich.symbolic.certainly_nonzero(0) is False
    assert lazyrich.symbolic.certainly_nonzero(np.float64(2.5)) is True


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
