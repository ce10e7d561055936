r"""Streaming evaluation of the two-layer solution for large networks: memory linear in the chunk, not in T.

:meth:`TwoLayerExact.qqt` returns a ``(T, n, n)`` array; for ``n = N_i + N_o = 2000`` and 100 times
that is 3.2 GB. :func:`iter_qqt` evaluates the same stable form (Dominé et al. (2025), Thm 4.3,
as in :meth:`TwoLayerExact.qqt`) on chunks of times and yields, per time point, only what is asked for:
the full ``(n, n)`` matrix, one block of it, or the factor ``R`` with :math:`QQ^T = RR^T`.

Cost model (``m = N_h = min(N_i, N_o)``, ``n = N_i + N_o``): once, at construction, one SVD of
:math:`\Sigma_{yx}` and one ``m x m`` solve with ``q_+``; then per time point :math:`O(m^3 + nm^2)` for
the factor (the centre matrix :math:`A`, its Cholesky factor, :math:`Z` and a triangular solve), plus
one product for the block: :math:`N_oN_im` for ``"network"`` (at most :math:`nm^2`), :math:`n^2m` for
``"full"``. Memory: ``chunk`` times the requested output plus :math:`O(nm + m^2)` of work.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from .._base.errors import InvalidParameterError
from .._base.validation import as_model, as_time_grid, positive_int

__all__ = ["iter_qqt"]

BLOCKS = ("full", "W1TW1", "network", "W2W2T", "factor")


def iter_qqt(net, t, block: str = "full", chunk: int = 4) -> Iterator[np.ndarray]:
    r"""Yield :math:`QQ^T(t_k)` (or one block of it, or its factor) for each time, ``chunk`` times at a time.

    Parameters
    ----------
    net : TwoLayerExact
        Needs the float64 stable form (``N_h = min(N_i, N_o)`` and ``condition <= 1e5``).
    t : float or 1-D array, >= 0
    block : {"full", "W1TW1", "network", "W2W2T", "factor"}
        ``"full"``: the ``(n, n)`` matrix; ``"W1TW1"``: :math:`W_1^TW_1` ``(N_i, N_i)``;
        ``"network"``: :math:`W_2W_1` ``(N_o, N_i)``; ``"W2W2T"``: :math:`W_2W_2^T` ``(N_o, N_o)``;
        ``"factor"``: ``R`` ``(n, N_h)`` with :math:`QQ^T = RR^T` (:meth:`TwoLayerExact.qqt_factor`).
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
    as_model(net, "net", "TwoLayerExact", "qqt", "network")
    if block not in BLOCKS:
        raise InvalidParameterError(f"block must be one of {BLOCKS}; got {block!r}")
    chunk = positive_int(chunk, "chunk")
    grid, _ = as_time_grid(t)
    evaluate = {
        "full": net.qqt,
        "W1TW1": net.input_gram,
        "network": net.network,
        "W2W2T": net.output_gram,
        "factor": net.qqt_factor,
    }[block]
    for start in range(0, len(grid), chunk):
        out = evaluate(grid[start : start + chunk])  # the stable form on this chunk, only this block
        yield from out
