"""Random matrices that are well conditioned by construction.

Tests and numeric checks draw singular values and orthogonal factors instead
of filtering random draws, so every case is usable and the condition number
is known in advance.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .._base.errors import InvalidParameterError, ShapeError
from .._base.validation import MAX_ENTRIES, as_rng, as_vector, check_work, positive_int

__all__ = ["matrix_with_singular_values", "random_orthogonal"]


def random_orthogonal(
    n: int, rng: np.random.Generator | int | None = None, max_entries: int = MAX_ENTRIES
) -> np.ndarray:
    """A Haar-distributed ``n x n`` orthogonal matrix (QR of a Gaussian, sign-fixed).

    ``rng``: a numpy Generator, a non-negative integer seed or None. ``n^2`` above ``max_entries``
    (default :data:`~lazyrich._base.validation.MAX_ENTRIES`) is refused before anything is allocated.

    >>> Q = random_orthogonal(3, 0)
    >>> bool(np.allclose(Q.T @ Q, np.eye(3)))
    True
    """
    n = positive_int(n, "n", error=ShapeError)
    check_work(n * n, positive_int(max_entries, "max_entries"), "matrix entries", "max_entries")
    rng = as_rng(rng, "rng")
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    return q * np.sign(np.diag(r))


def matrix_with_singular_values(
    shape: tuple[int, int],
    singular_values,
    rng: np.random.Generator | int | None = None,
    max_entries: int = MAX_ENTRIES,
) -> np.ndarray:
    """A random ``shape`` matrix ``U diag(s) V^T`` with the given singular values.

    ``singular_values`` must have ``min(shape)`` non-negative entries; the
    condition number is ``max(s) / min(s)`` exactly (up to round-off). ``shape`` is a pair of
    positive integers whose larger side squared must not exceed ``max_entries`` (the orthogonal factors).

    >>> A = matrix_with_singular_values((3, 2), [2.0, 0.5], 1)
    >>> np.round(np.linalg.svd(A, compute_uv=False), 12).tolist()
    [2.0, 0.5]
    """
    if isinstance(shape, (str, bytes)) or not isinstance(shape, (Sequence, np.ndarray)) or len(shape) != 2:
        raise ShapeError(f"shape must be a pair (rows, columns) of positive integers; got {shape!r:.60}")
    r, c = (positive_int(x, "shape entries", error=ShapeError) for x in shape)
    check_work(max(r, c) ** 2, positive_int(max_entries, "max_entries"), "matrix entries", "max_entries")
    s = as_vector(singular_values, "singular_values", min(r, c))
    if np.any(s < 0):
        raise InvalidParameterError("singular values must be >= 0")
    rng = as_rng(rng, "rng")
    U = random_orthogonal(r, rng, max_entries)[:, : len(s)]
    V = random_orthogonal(c, rng, max_entries)[:, : len(s)]
    return (U * s) @ V.T
