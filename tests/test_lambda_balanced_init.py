"""lambda_balanced_init (Dominé et al. (2025), Algorithm 1): balance, product preservation, constraints."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from helpers import seeds
from lazyrich import (
    FLOAT64_EPS,
    InvalidParameterError,
    NonFiniteError,
    ShapeError,
    lambda_balanced_init,
)


@st.composite
def allowed_configurations(draw):
    """(n_in, n_hidden, n_out, lam) that the theory allows, by construction (derived from the lambda-balanced definition)."""
    ni = draw(st.integers(1, 6))
    no = draw(st.integers(1, 6))
    m = min(ni, no)
    nh = draw(st.integers(m, max(ni, no)))
    if nh == m:
        lam = draw(st.floats(-5, 5))
    elif ni == no:  # only reachable when nh == m
        lam = 0.0
    else:  # n_hidden > min forces sign(lam) = sign(N_o - N_i) (or 0)
        mag = draw(st.floats(0, 5))
        lam = mag if no > ni else -mag
    return ni, nh, no, lam


@given(allowed_configurations(), st.floats(0.1, 3.0), seeds)
@example((3, 3, 3, 0.0), 1.0, 0)
@example((2, 4, 4, 0.0), 1.0, 1)
@example((1, 1, 1, -5.0), 1.0, 2)
def test_output_is_lambda_balanced(config, sigma, seed):
    ni, nh, no, lam = config
    W1, W2 = lambda_balanced_init(ni, nh, no, lam, sigma=sigma, seed=seed)
    assert W1.shape == (nh, ni) and W2.shape == (no, nh)
    scale2 = max(np.linalg.norm(W1, 2), np.linalg.norm(W2, 2)) ** 2
    # SVD + two Gram products: round-off <= (a few) * n * eps * |W|^2
    tol = 10 * (ni + nh + no) * FLOAT64_EPS * max(scale2, 1.0)
    assert np.abs(W2.T @ W2 - W1 @ W1.T - lam * np.eye(nh)).max() <= tol


@given(st.integers(1, 5), st.integers(1, 5), st.floats(-5, 5), seeds)
@example(3, 2, 0.0, 0)
def test_product_preserved_when_no_bottleneck_excess(ni, no, lam, seed):
    # Algorithm 1 refactors the Gaussian product: W2 W1 equals (sigma G2)(sigma G1) drawn in that order
    nh = min(ni, no)
    sigma = 0.7
    W1, W2 = lambda_balanced_init(ni, nh, no, lam, sigma=sigma, seed=seed)
    rng = np.random.default_rng(seed)
    G1 = sigma * rng.standard_normal((nh, ni))
    G2 = sigma * rng.standard_normal((no, nh))
    ref = G2 @ G1
    tol = 20 * (ni + no) * FLOAT64_EPS * max(1.0, np.linalg.norm(ref, 2), abs(lam))
    assert np.abs(W2 @ W1 - ref).max() <= tol


def test_seed_reproducible_and_generator_accepted():
    a = lambda_balanced_init(3, 2, 2, 0.5, seed=7)
    b = lambda_balanced_init(3, 2, 2, 0.5, seed=7)
    np.testing.assert_array_equal(a[0], b[0])
    W1, _ = lambda_balanced_init(3, 2, 2, 0.5, seed=np.random.default_rng(1))
    assert W1.shape == (2, 3)


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ((2, 3, 2, 0.5), "n_hidden <= n_out"),  # lam > 0 needs N_h <= N_o
        ((2, 3, 4, -0.5), "n_hidden <= n_in"),  # lam < 0 needs N_h <= N_i
        ((3, 1, 3, 0.0), "bottleneck"),
        ((2, 5, 3, 0.1), "n_hidden <= n_out"),
    ],
)
def test_violated_constraint_is_named(args, match):
    with pytest.raises(InvalidParameterError, match=match):
        lambda_balanced_init(*args)


def test_bad_inputs():
    with pytest.raises(NonFiniteError):
        lambda_balanced_init(2, 2, 2, float("nan"))
    with pytest.raises(InvalidParameterError):
        lambda_balanced_init(2, 2, 2, 0.0, sigma=0.0)
    with pytest.raises(ShapeError):
        lambda_balanced_init(2, 0, 2, 0.0)
    with pytest.raises(ShapeError):
        lambda_balanced_init(2.5, 2, 2, 0.0)


def test_extra_hidden_units_carry_sqrt_abs_lambda():
    # N_h > min: the extra singular values of the wider layer are sqrt(|lam|) (Algorithm 1, step 5)
    W1, W2 = lambda_balanced_init(2, 4, 5, 0.9, seed=3)
    s2 = np.linalg.svd(W2, compute_uv=False)
    assert np.sum(np.isclose(s2, np.sqrt(0.9), rtol=1e-12)) >= 2
    assert np.linalg.matrix_rank(W1) == 2


# ---------------------------------------------------------------------------------------------- issue 15 reproducers
def test_huge_lambda_is_finite_and_balanced():
    # issue 15: lambda = 1e300 gave NaN (lambda^2 overflowed); layer singular values ~ 1e150 and 1e-150
    W1, W2 = lambda_balanced_init(2, 2, 2, 1e300, seed=0)
    assert np.all(np.isfinite(W1)) and np.all(np.isfinite(W2))
    np.testing.assert_allclose(W2.T @ W2 - W1 @ W1.T, 1e300 * np.eye(2), rtol=1e-14, atol=1e300 * 1e-14)
    rng = np.random.default_rng(0)
    G1, G2 = rng.standard_normal((2, 2)), rng.standard_normal((2, 2))  # the same draws
    np.testing.assert_allclose(
        np.linalg.svd(W2 @ W1, compute_uv=False), np.linalg.svd(G2 @ G1, compute_uv=False), rtol=1e-13
    )


@pytest.mark.parametrize("seed", ["a", 1.5, -1, True])
def test_bad_seed_is_typed(seed):
    with pytest.raises(InvalidParameterError, match="seed"):
        lambda_balanced_init(2, 2, 2, 1.0, seed=seed)


def test_size_is_checked_before_any_work():
    # issue 15: MemoryError; the limit names itself and how to raise it
    with pytest.raises(InvalidParameterError, match="max_entries="):
        lambda_balanced_init(10**9, 1, 1, 1.0)
    W1, _ = lambda_balanced_init(3, 3, 3, 1.0, seed=0, max_entries=100)
    assert W1.shape == (3, 3)
    with pytest.raises(InvalidParameterError, match="max_entries"):
        lambda_balanced_init(3, 3, 3, 1.0, seed=0, max_entries=10)
