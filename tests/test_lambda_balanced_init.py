"""lambda_balanced_init (Dominé et al. (2025), Algorithm 1): balance, product preservation, constraints."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from helpers import seeds
from lazyrich import (
    InvalidParameterError,
    NonFiniteError,
    ShapeError,
    lambda_balanced_init,
    linalg_tolerance,
)


def _weight_ops(W1, W2) -> int:
    """Relative error of a weight ``R S V^T`` in units of eps: ``2N`` (N = N_i + N_h + N_o).

    Two product sums of at most ``N`` terms, with factors (the SVD's ``U``, ``V`` and the QR's ``R``)
    orthogonal to within ``N`` eps.
    """
    return 2 * (W1.shape[1] + W1.shape[0] + W2.shape[0])


def _balance_tolerance(W1, W2) -> float:
    """Bound on ``max |W2^T W2 - W1 W1^T - lambda I|`` for the output of Algorithm 1 (counted in float64 ops).

    Each Gram carries its weight's relative error twice (``2 * _weight_ops``) plus its own sum (``<= N`` terms);
    ``s2^2 - s1^2 = lambda`` holds to 6 eps of ``s2^2 + s1^2`` (hypot, add, sqrt: 2 eps in ``s2``; three
    products/quotients: 3 eps in ``s1``; doubled by the squares); all relative to ``max |W|_2^2``.
    """
    n = W1.shape[1] + W1.shape[0] + W2.shape[0]
    n_ops = 2 * (2 * _weight_ops(W1, W2) + n) + 2 * 6
    scale2 = max(np.linalg.norm(W1, 2), np.linalg.norm(W2, 2)) ** 2
    return linalg_tolerance(1.0, n_ops) * scale2


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
    # |lambda| <= max |W|_2^2 (lambda = s2^2 - s1^2), so the bound relative to |W|^2 covers the lambda I term
    assert np.abs(W2.T @ W2 - W1 @ W1.T - lam * np.eye(nh)).max() <= _balance_tolerance(W1, W2)


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
    # W2 W1 = U S2 (R^T R) S1 V^T: the weights' relative errors (twice _weight_ops), R^T R = I to N eps and the
    # product's sum (N terms), all on |W2|_2 |W1|_2; S2 S1 = S exactly up to the 3 eps of s1 (inside N); U S V^T
    # is G2 G1 up to the SVD's backward error N eps, the reference product its own N eps, on |G2|_2 |G1|_2
    n = ni + nh + no
    tol = linalg_tolerance(1.0, 2 * _weight_ops(W1, W2) + 2 * n) * np.linalg.norm(W2, 2) * np.linalg.norm(W1, 2)
    tol += linalg_tolerance(1.0, 2 * n) * np.linalg.norm(G2, 2) * np.linalg.norm(G1, 2)
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
    # W2 = U S2 R^T carries _weight_ops eps relative (of |W2|_2), its SVD a backward error of N eps of |W2|_2,
    # sqrt(0.9) one rounding
    n = 2 + 4 + 5
    atol = linalg_tolerance(1.0, _weight_ops(W1, W2) + n + 1) * np.linalg.norm(W2, 2)
    assert np.sum(np.isclose(s2, np.sqrt(0.9), rtol=0, atol=atol)) >= 2
    assert np.linalg.matrix_rank(W1) == 2


# ---------------------------------------------------------------------------------------------- issue 15 reproducers
def test_huge_lambda_is_finite_and_balanced():
    # issue 15: lambda = 1e300 gave NaN (lambda^2 overflowed); layer singular values ~ 1e150 and 1e-150
    W1, W2 = lambda_balanced_init(2, 2, 2, 1e300, seed=0)
    assert np.all(np.isfinite(W1)) and np.all(np.isfinite(W2))
    np.testing.assert_allclose(W2.T @ W2 - W1 @ W1.T, 1e300 * np.eye(2), rtol=0, atol=_balance_tolerance(W1, W2))
    rng = np.random.default_rng(0)
    G1, G2 = rng.standard_normal((2, 2)), rng.standard_normal((2, 2))  # the same draws
    # as in test_product_preserved_when_no_bottleneck_excess (|W2|_2 |W1|_2 ~ |G2 G1|: 1e150 times 1e-150), plus
    # the two SVDs' backward errors (N eps of the largest singular value each)
    n = 6
    atol = linalg_tolerance(1.0, 2 * _weight_ops(W1, W2) + 2 * n) * np.linalg.norm(W2, 2) * np.linalg.norm(W1, 2)
    atol += linalg_tolerance(1.0, 2 * n) * np.linalg.norm(G2, 2) * np.linalg.norm(G1, 2)
    atol += 2 * linalg_tolerance(1.0, n) * np.linalg.norm(G2 @ G1, 2)
    np.testing.assert_allclose(
        np.linalg.svd(W2 @ W1, compute_uv=False), np.linalg.svd(G2 @ G1, compute_uv=False), rtol=0, atol=atol
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
