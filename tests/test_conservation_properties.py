"""Hypothesis: conservation laws hold along random float64 gradient-flow trajectories.

Random shapes up to 6, random data (non-whitened), random learning rates; the
drift is held to :func:`lazyrich.quadratic_invariant_tolerance`, derived from
the solver's local error control.
"""

import numpy as np
from hypothesis import example, given
from hypothesis import strategies as st

from helpers import seeds, spd_matrices, well_conditioned
from lazyrich import DeepLinearModel, SingleNeuronModel, gradient_flow, quadratic_invariant_tolerance

dims = st.integers(1, 6)


def _max_drift(traj, fn):
    ref = fn(traj.at(0))
    return max(float(np.max(np.abs(fn(traj.at(i)) - ref))) for i in range(len(traj.t)))


def _tol(traj):
    return quadratic_invariant_tolerance(traj.n_steps, traj.rtol, traj.atol, traj.scale)


@given(st.data(), dims, dims, dims, seeds, st.floats(0.3, 3.0))
@example(data=None, ni=1, nh=1, no=1, seed=0, tau=1.0).via("scalar network")
def test_two_layer_imbalance_is_conserved(data, ni, nh, no, seed, tau):
    rng = np.random.default_rng(seed)
    if data is None:
        syx, sxx = np.array([[1.0]]), np.array([[1.0]])
    else:
        syx = data.draw(well_conditioned((no, ni)))
        sxx = data.draw(spd_matrices(ni))
    init = (rng.standard_normal((nh, ni)) * 0.5, rng.standard_normal((no, nh)) * 0.5)
    traj = gradient_flow(DeepLinearModel(syx, sxx, tau=tau), init, np.linspace(0, 2.0, 11))
    assert _max_drift(traj, lambda p: p[1].T @ p[1] - p[0] @ p[0].T) <= _tol(traj)


@given(st.integers(2, 4), st.lists(dims, min_size=5, max_size=5), seeds)
def test_deep_linear_imbalances_are_conserved(depth, widths, seed):
    rng = np.random.default_rng(seed)
    widths = widths[: depth + 1]
    syx = rng.standard_normal((widths[-1], widths[0])) * 0.7
    init = tuple(rng.standard_normal((widths[i + 1], widths[i])) * 0.5 for i in range(depth))
    traj = gradient_flow(DeepLinearModel(syx, depth=depth), init, np.linspace(0, 1.5, 7))
    for i in range(depth - 1):
        assert _max_drift(traj, lambda p, i=i: p[i + 1].T @ p[i + 1] - p[i] @ p[i].T) <= _tol(traj)


@given(st.integers(1, 6), st.integers(1, 6), seeds, st.floats(0.1, 5.0), st.floats(0.1, 5.0))
@example(n=1, d=1, seed=0, eta_a=1.0, eta_w=1.0).via("scalar neuron")
def test_single_neuron_delta_is_conserved(n, d, seed, eta_a, eta_w):
    rng = np.random.default_rng(seed)
    model = SingleNeuronModel(rng.standard_normal((n, d)) / np.sqrt(n), rng.standard_normal(n), eta_a, eta_w)
    init = (np.asarray(rng.standard_normal()), rng.standard_normal(d))
    traj = gradient_flow(model, init, np.linspace(0, 1.0, 6))
    delta = lambda p: np.asarray(eta_w * p[0] ** 2 - eta_a * p[1] @ p[1])  # noqa: E731
    assert _max_drift(traj, delta) <= _tol(traj)
