"""Built-in tasks: the semantic hierarchy (Saxe et al. (2019); Braun et al. (2022)) and random whitened regression.

Data follow the two-layer convention of Dominé et al.: ``X`` is ``N_i x P``
and ``Y`` is ``N_o x P`` (columns are samples), ``Sigma_yx = Y X^T / P`` and
``Sigma_xx = X X^T / P``.
"""

from __future__ import annotations

import numpy as np

from .._base.errors import NotWhitenedError, ShapeError
from .._base.validation import MAX_ENTRIES, as_flag, as_matrix, as_rng, check_work, positive, positive_int
from .._numerics.random_matrices import random_orthogonal

__all__ = ["random_regression_task", "semantic_hierarchy_task", "whitened_sigma_yx"]

#: Items x features (rows: 2 fish, 2 birds, 2 flowers, 2 trees; the ``Hierarchy`` dataset of the gooseberry package).
_HIERARCHY_LABELS = np.array(
    [
        [1, 1, 1, 0, 1, 0, 0, 0],
        [1, 1, 1, 0, -1, 0, 0, 0],
        [1, 1, -1, 0, 0, 1, 0, 0],
        [1, 1, -1, 0, 0, -1, 0, 0],
        [1, -1, 0, 1, 0, 0, 1, 0],
        [1, -1, 0, 1, 0, 0, -1, 0],
        [1, -1, 0, -1, 0, 0, 0, 1],
        [1, -1, 0, -1, 0, 0, 0, -1],
    ],
    dtype=float,
)


def semantic_hierarchy_task(tie_break: bool = False, reversal: bool = False) -> tuple[np.ndarray, np.ndarray]:
    r"""The hierarchical semantic task of Saxe et al. (2019) / Braun et al. (2022), as used by Dominé et al. (2025).

    Eight items (2 fish, 2 birds, 2 flowers, 2 trees) one-hot coded, ``X = I_8``,
    and eight features (living, animal/plant, fish/bird, flower/tree, four pairwise).
    :math:`Y^TY = \operatorname{diag}(8,8,4,4,2,2,2,2)` (columns of the label
    matrix are orthogonal), so the task singular values are :math:`2\sqrt2` (x2),
    2 (x2), :math:`\sqrt2` (x4): degenerate.

    Parameters
    ----------
    tie_break : bool
        Multiply feature ``j`` (1-based) by ``1 + 0.1/j`` (Braun's ``correct`` option),
        which makes the singular values distinct.
    reversal : bool
        Negate the last feature.

    Returns
    -------
    X : (8, 8) array
        Inputs, ``N_i x P`` (the identity).
    Y : (8, 8) array
        Targets, ``N_o x P``: the transpose of the items x features label matrix.

    Notes
    -----
    With the ``1/P`` convention :math:`\Sigma_{xx} = I/8` is not white. The
    dynamics equal the whitened ones with target :math:`8\Sigma_{yx} = Y X^T` and
    time constant :math:`8\tau` (the whitened setup of Dominé et al. (2025)); :func:`whitened_sigma_yx` does that
    rescaling and returns both.

    Examples
    --------
    >>> X, Y = semantic_hierarchy_task()
    >>> np.round(np.linalg.svd(Y @ X.T, compute_uv=False) ** 2, 12).tolist()
    [8.0, 8.0, 4.0, 4.0, 2.0, 2.0, 2.0, 2.0]
    """
    tie_break = as_flag(tie_break, "tie_break")
    reversal = as_flag(reversal, "reversal")
    labels = _HIERARCHY_LABELS.copy()
    if tie_break:
        labels = labels * (1.0 + 0.1 / np.arange(1, 9))[None, :]
    if reversal:
        labels[:, -1] = -labels[:, -1]
    return np.eye(8), labels.T.copy()


def whitened_sigma_yx(X, Y, tau: float = 1.0) -> tuple[np.ndarray, float]:
    r"""Whitened-equivalent target and time constant for inputs with :math:`\Sigma_{xx} = cI`.

    With :math:`\Sigma_{xx} = XX^T/P = cI` the gradient flow equals the whitened one with
    target :math:`\Sigma_{yx}/c` and time constant :math:`\tau/c` (the whitened setup of Dominé et al. (2025); claim 28).

    Returns
    -------
    sigma_yx : (N_o, N_i) array
        :math:`\Sigma_{yx}/c = YX^T/(Pc)`.
    tau : float
        :math:`\tau/c`.

    Raises
    ------
    NotWhitenedError
        :math:`\Sigma_{xx}` is not a multiple of the identity (to ``1e3 * N_i * eps``
        relative): whiten the inputs first (e.g. PCA + rescaling).

    Examples
    --------
    >>> X, Y = semantic_hierarchy_task()
    >>> syx, tau8 = whitened_sigma_yx(X, Y)
    >>> tau8, bool(np.array_equal(syx, Y))
    (8.0, True)
    """
    X = as_matrix(X, "X")
    Y = as_matrix(Y, "Y", (None, X.shape[1]))
    tau = positive(tau, "tau")
    P = X.shape[1]
    sxx = X @ X.T / P
    c = float(np.trace(sxx)) / sxx.shape[0]
    off = float(np.abs(sxx - c * np.eye(sxx.shape[0])).max())
    # Gram round-off is ~ P eps |X|^2; 1e3 N_i eps relative leaves room for that
    if c <= 0 or off > 1e3 * sxx.shape[0] * np.finfo(float).eps * max(c, 1.0):
        raise NotWhitenedError(
            f"Sigma_xx = X X^T / P is not a multiple of the identity (max deviation from {c:.3g} I is {off:.3g}); "
            "whiten the inputs first"
        )
    return (Y @ X.T / P) / c, tau / c


def random_regression_task(
    n_in: int,
    n_out: int,
    n_samples: int,
    seed: int | np.random.Generator | None = None,
    *,
    max_entries: int = MAX_ENTRIES,
) -> tuple[np.ndarray, np.ndarray]:
    """Random regression data with exactly whitened inputs (``X X^T / P = I``), by construction.

    ``X = sqrt(P) * (first n_in rows of a Haar orthogonal P x P matrix)`` and
    ``Y`` has i.i.d. standard normal entries (the thesis' ``get_random_regression_task``,
    with exact rather than estimated whitening).

    Parameters
    ----------
    n_in, n_out, n_samples : int, >= 1
        Input and output dimensions and the number of samples ``P >= n_in``.
    seed : int >= 0, numpy Generator or None
    max_entries : int, keyword-only
        Largest array allowed (default :data:`~lazyrich._base.validation.MAX_ENTRIES` = 10^8 entries):
        the ``P x P`` orthogonal matrix or ``Y`` (``n_out x P``) above it is refused before anything
        is allocated.

    Returns
    -------
    X : (n_in, n_samples) array
    Y : (n_out, n_samples) array

    Examples
    --------
    >>> X, Y = random_regression_task(3, 2, 10, seed=0)
    >>> bool(np.allclose(X @ X.T / 10, np.eye(3)))
    True
    """
    for name, v in (("n_in", n_in), ("n_out", n_out), ("n_samples", n_samples)):
        positive_int(v, name, error=ShapeError)
    if n_samples < n_in:
        raise ShapeError(f"whitening needs n_samples >= n_in; got n_samples = {n_samples} < n_in = {n_in}")
    entries = int(n_samples) * max(int(n_samples), int(n_out))  # the largest array: Q (P x P) or Y (n_out x P)
    check_work(entries, positive_int(max_entries, "max_entries"), "matrix entries", "max_entries")
    rng = as_rng(seed)
    X = np.sqrt(n_samples) * random_orthogonal(n_samples, rng, max_entries=max_entries)[:n_in, :]
    Y = rng.standard_normal((n_out, n_samples))
    return X, Y
