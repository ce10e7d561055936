"""Random matrices that are well conditioned by construction.

Tests and numeric checks draw singular values and orthogonal factors instead
of filtering random draws, so every case is usable and the condition number
is known in advance.
"""

from __future__ import annotations

import numpy as np

from .._base.errors import InvalidParameterError, ShapeError
from .._base.validation import as_vector

__all__ = ["matrix_with_singular_values", "random_orthogonal"]


def random_orthogonal(n: int, rng: np.random.Generator | int | None = None) -> np.ndarray:
    """A Haar-distributed ``n x n`` orthogonal matrix (QR of a Gaussian, sign-fixed).

    >>> Q = random_orthogonal(3, 0)
    >>> bool(np.allclose(Q.T @ Q, np.eye(3)))
    True
    """
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ShapeError(f"n must be a positive integer; got {n!r}")
    rng = np.random.default_rng(rng)
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    return q * np.sign(np.diag(r))


def matrix_with_singular_values(
    shape: tuple[int, int], singular_values, rng: np.random.Generator | int | None = None
) -> np.ndarray:
    """A random ``shape`` matrix ``U diag(s) V^T`` with the given singular values.

    ``singular_values`` must have ``min(shape)`` non-negative entries; the
    condition number is ``max(s) / min(s)`` exactly (up to round-off).

    >>> A = matrix_with_singular_values((3, 2), [2.0, 0.5], 1)
    >>> np.round(np.linalg.svd(A, compute_uv=False), 12).tolist()
    [2.0, 0.5]
    """
    r, c = shape
    s = as_vector(singular_values, "singular_values", min(r, c))
    if np.any(s < 0):
        raise InvalidParameterError("singular values must be >= 0")
    rng = np.random.default_rng(rng)
    U = random_orthogonal(r, rng)[:, : len(s)]
    V = random_orthogonal(c, rng)[:, : len(s)]
    return (U * s) @ V.T
