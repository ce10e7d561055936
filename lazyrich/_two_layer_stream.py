r"""Streaming evaluation of the two-layer solution for large networks: memory linear in the chunk, not in T.

:meth:`TwoLayerExact.qqt` returns a ``(T, n, n)`` array; for ``n = N_i + N_o = 2000`` and 100 times
that is 3.2 GB. :func:`iter_qqt` evaluates the same stable form (digest §3.5(b),
:meth:`TwoLayerExact.qqt`) on chunks of times and yields one ``(n, n)`` matrix, or only the block asked
for, per time point.

Cost model (``m = N_h = min(N_i, N_o)``, ``n = N_i + N_o``): once, at construction, one SVD of
:math:`\Sigma_{yx}` and one ``m x m`` solve with ``q_+`` (:math:`O(N_iN_o m + m^3)`); then per time
point the centre matrix :math:`A` (:math:`O(m^3)`), its Cholesky factor (:math:`m^3/3`), the
triangular solve with :math:`Z^T` (:math:`O(n m^2)`) and the product :math:`Y^TY` (:math:`O(n^2 m)`).
Memory: ``chunk`` times the per-time working set, :math:`O(\text{chunk}\,(n^2 + m^2))`.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ._errors import InvalidParameterError
from ._validation import as_time_grid

__all__ = ["iter_qqt"]

BLOCKS = ("full", "W1TW1", "network", "W2W2T")


def iter_qqt(net, t, block: str = "full", chunk: int = 4) -> Iterator[np.ndarray]:
    r"""Yield :math:`QQ^T(t_k)` (or one block of it) for each time, ``chunk`` times at a time.

    Parameters
    ----------
    net : TwoLayerExact
        Needs the float64 stable form (``N_h = min(N_i, N_o)`` and ``condition <= 1e5``).
    t : float or 1-D array, >= 0
    block : {"full", "W1TW1", "network", "W2W2T"}
        ``"full"``: the ``(n, n)`` matrix; ``"W1TW1"``: :math:`W_1^TW_1` ``(N_i, N_i)``;
        ``"network"``: :math:`W_2W_1` ``(N_o, N_i)``; ``"W2W2T"``: :math:`W_2W_2^T` ``(N_o, N_o)``.
    chunk : int
        Times evaluated together (memory grows linearly with it).

    Yields
    ------
    ndarray
        One block per time, in the order of ``t``.

    Examples
    --------
    >>> from lazyrich import TwoLayerExact, lambda_balanced_init
    >>> W1, W2 = lambda_balanced_init(3, 2, 2, lam=0.5, sigma=0.3, seed=1)
    >>> net = TwoLayerExact(W1, W2, np.array([[2.0, 0.0, 0.0], [0.0, 1.0, 0.0]]))
    >>> blocks = list(iter_qqt(net, [0.0, 1.0, 5.0], block="network", chunk=2))
    >>> bool(np.allclose(np.array(blocks), net.network([0.0, 1.0, 5.0])))
    True
    """
    if block not in BLOCKS:
        raise InvalidParameterError(f"block must be one of {BLOCKS}; got {block!r}")
    if isinstance(chunk, bool) or not isinstance(chunk, (int, np.integer)) or chunk < 1:
        raise InvalidParameterError(f"chunk must be a positive integer; got {chunk!r}")
    grid, _ = as_time_grid(t)
    ni = net.n_in
    rows, cols = {
        "full": (slice(None), slice(None)),
        "W1TW1": (slice(None, ni), slice(None, ni)),
        "network": (slice(ni, None), slice(None, ni)),
        "W2W2T": (slice(ni, None), slice(ni, None)),
    }[block]
    for start in range(0, len(grid), int(chunk)):
        out = net.qqt(grid[start : start + int(chunk)])  # the stable form on this chunk only
        for k in range(out.shape[0]):
            yield np.array(out[k, rows, cols])
