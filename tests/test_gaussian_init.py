"""gaussian_init: exact Wishart (Bartlett) reduction vs full matrices, and claims 20-21 by Monte Carlo.

Monte Carlo tolerances are CLT-derived: a sample mean of N i.i.d. draws is within
5 standard errors (sample std / sqrt(N)) of its expectation except with
probability < 1e-6 per statistic; the seeds are fixed, so the test is deterministic.
"""

from __future__ import annotations

import numpy as np
import pytest

from derivations.rounding import gamma
from lazyrich import InvalidParameterError, ShapeError, bartlett_factor, gaussian_init

Z = 5.0  # standard errors allowed per statistic


def _mean_roundoff(vals):
    """Round-off of the float64 sample mean over axis 0: a sum of N terms errs by <= gamma_N sum|v| in any order
    (Higham (2002), Lemma 3.1; numpy's pairwise sum is one such order), the division by N by one more rounding."""
    return gamma(vals.shape[0] + 1) * np.abs(vals).mean(axis=0)


def _stats(W1, W2):
    """Rotation-invariant statistics the training can see: X = W1^T W1, Y = W2 W2^T, A = W2 W1, W1^T Lambda W1."""
    X = W1.T @ W1
    Y = W2 @ W2.T
    A = W2 @ W1
    return X, Y, A, X @ X - A.T @ A, Y @ Y - A @ A.T


def test_shapes_and_fallback():
    W1, W2 = gaussian_init(3, 2, 1000, 0.1, seed=0)
    assert W1.shape == (5, 3) and W2.shape == (2, 5)
    # width below d_in + d_out: nothing to reduce, the full matrices come back
    W1, W2 = gaussian_init(3, 2, 4, 0.1, seed=0)
    assert W1.shape == (4, 3) and W2.shape == (2, 4)
    W1, W2 = gaussian_init(3, 2, 7, 0.1, seed=0, reduced=False)
    assert W1.shape == (7, 3) and W2.shape == (2, 7)


def test_deterministic_in_seed():
    a = gaussian_init(4, 3, 10**5, 1e-3, seed=11)
    b = gaussian_init(4, 3, 10**5, 1e-3, seed=11)
    c = gaussian_init(4, 3, 10**5, 1e-3, seed=12)
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert not np.array_equal(a[0], c[0])


@pytest.mark.parametrize(
    "args, err",
    [
        ((0, 2, 10, 1.0), ShapeError),
        ((2, 2, 10.5, 1.0), ShapeError),
        ((2, 2, 10, -1.0), InvalidParameterError),
        ((2, 2, 10, float("nan")), ValueError),
    ],
)
def test_bad_input(args, err):
    with pytest.raises(err):
        gaussian_init(*args)


def test_bartlett_factor_is_upper_triangular_with_positive_diagonal():
    R = bartlett_factor(6, 8, np.random.default_rng(0))
    assert np.array_equal(R, np.triu(R)) and np.all(np.diag(R) > 0)
    with pytest.raises(InvalidParameterError):
        bartlett_factor(6, 5, np.random.default_rng(0))


def test_reduced_has_the_distribution_of_the_full_matrices():
    """Moments of X, Y, A entries: reduced vs full samples agree within Z combined standard errors."""
    d_in, d_out, w, s2, N = 2, 3, 12, 0.7, 2000
    rng = np.random.default_rng(2024)
    red = [_stats(*gaussian_init(d_in, d_out, w, s2, seed=rng)) for _ in range(N)]
    full = [_stats(*gaussian_init(d_in, d_out, w, s2, seed=rng, reduced=False)) for _ in range(N)]
    for j in range(5):
        r = np.array([s[j] for s in red]).reshape(N, -1)
        f = np.array([s[j] for s in full]).reshape(N, -1)
        for power in (1, 2):  # means and second moments of every entry
            rp, fp = r**power, f**power
            se = np.sqrt(rp.var(axis=0, ddof=1) / N + fp.var(axis=0, ddof=1) / N)
            slack = _mean_roundoff(rp) + _mean_roundoff(fp)
            assert np.all(np.abs(rp.mean(axis=0) - fp.mean(axis=0)) <= Z * se + slack), (j, power)


@pytest.mark.parametrize("width", [10**2, 10**4, 10**6])
def test_claims_20_21_expectations_monte_carlo(width):
    """E[X] = s2 w I, E[X^2] = s2^2 w (w + d_in + 1) I, E||A||^2 = d_in d_out w s2^2, E[A^T A] = d_out w s2^2 I,
    E[W1^T Lambda W1] = s2^2 w (w + d_in + 1 - d_out) I, E[-W2 Lambda W2^T] = s2^2 w (w + d_out + 1 - d_in) I."""
    d_in, d_out, N = 3, 2, 2000
    s2 = 1.0 / width  # keeps every quantity O(1)
    rng = np.random.default_rng(width)
    samples = [_stats(*gaussian_init(d_in, d_out, width, s2, seed=rng)) for _ in range(N)]
    X = np.array([s[0] for s in samples])
    A = np.array([s[2] for s in samples])
    off1 = np.array([s[3] for s in samples])
    off2 = np.array([s[4] for s in samples])
    checks = [
        (X, s2 * width * np.eye(d_in)),
        (np.einsum("nij,njk->nik", X, X), s2**2 * width * (width + d_in + 1) * np.eye(d_in)),
        ((A**2).sum(axis=(1, 2)), d_in * d_out * width * s2**2),
        (np.einsum("nji,njk->nik", A, A), d_out * width * s2**2 * np.eye(d_in)),
        (off1, s2**2 * width * (width + d_in + 1 - d_out) * np.eye(d_in)),
        (off2, s2**2 * width * (width + d_out + 1 - d_in) * np.eye(d_out)),
    ]
    for k, (vals, expected) in enumerate(checks):
        se = vals.std(axis=0, ddof=1) / np.sqrt(N)
        # expected: at most 6 roundings (products and sums of s2, width, d and 1)
        slack = _mean_roundoff(vals) + gamma(6) * np.abs(expected)
        assert np.all(np.abs(vals.mean(axis=0) - expected) <= Z * se + slack), k
