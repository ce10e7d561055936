r"""Width-independent simulation of a wide two-layer linear network.

Under gradient flow and gradient descent (simultaneous or sequential) on any
cost of ``A = W2 W1``, the updates ``-W2^T G`` of ``W1`` and ``-W1 G^T`` of
``W2^T`` stay in the column span of ``M(0) = [W1(0), W2(0)^T]`` (``w x n``,
``n = d_in + d_out``). Writing ``M(0) = B R`` (``B`` orthonormal, ``R`` ``n x n``),
``W1(t) = B W1r(t)`` and ``W2(t)^T = B W2r(t)^T`` where ``(W1r, W2r)`` follows the
same updates from ``(R[:, :d_in], R[:, d_in:]^T)``; so ``A``, ``W1^T W1`` and
``W2 W2^T`` coincide at every step (issue 5; the training of Tu, Aranguri and Jacot (2024), Fig. 2).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from .._base.errors import SimulationDivergedError
from .._base.validation import as_choice, as_matrix, as_step_grid, check_product_shapes, positive
from .flow import MAX_DESCENT_STEPS, Trajectory
from .models import finite_result

__all__ = ["UPDATE_RULES", "reduce_width", "two_layer_descent"]

#: Gradient-descent update orders: ``"sequential"`` (the official code: ``W2`` is
#: updated with the already-updated ``W1``, ``G`` from before both updates) and
#: ``"simultaneous"`` (both from the same iterate; lazyrich's ``gradient_descent``).
UPDATE_RULES = ("sequential", "simultaneous")


def _check_pair(W1, W2) -> tuple[np.ndarray, np.ndarray]:
    W1 = as_matrix(W1, "W1")
    W2 = as_matrix(W2, "W2")
    check_product_shapes(("W1", "W2"), (W1, W2))
    return W1, W2


def reduce_width(W1, W2) -> tuple[np.ndarray, np.ndarray]:
    r"""The hidden-size ``d_in + d_out`` network with the same training dynamics as ``(W1, W2)``.

    With :math:`M = [W_1, W_2^T] = B R` (``B`` orthonormal ``w x n``) the pair
    ``(R[:, :d_in], R[:, d_in:]^T)`` has the same ``A = W2 W1``, ``W1^T W1`` and
    ``W2 W2^T``, now and after any number of gradient steps or any time of
    gradient flow (the full iterates are ``B`` times the reduced ones; the
    dynamics of these products depend on the weights only through the Gram
    matrix :math:`M^T M = R^T R`). ``R`` is the transposed Cholesky factor of
    the Gram matrix (one GEMM of cost ``w n^2``; Cholesky is backward stable, so
    the reduced Gram equals the full one to ``~ n eps |M|^2``); a rank-deficient
    Gram matrix falls back to a thin QR of ``M``. If the width is not larger
    than ``n = d_in + d_out`` nothing is gained and copies of the inputs are returned.

    Parameters
    ----------
    W1 : (w, d_in) array
    W2 : (d_out, w) array

    Returns
    -------
    W1r : (n, d_in) array
    W2r : (d_out, n) array

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> W1, W2 = rng.standard_normal((50, 2)), rng.standard_normal((3, 50))
    >>> V1, V2 = reduce_width(W1, W2)
    >>> V1.shape, V2.shape
    ((5, 2), (3, 5))
    >>> bool(np.allclose(V2 @ V1, W2 @ W1) and np.allclose(V1.T @ V1, W1.T @ W1))
    True
    """
    W1, W2 = _check_pair(W1, W2)
    w, d_in = W1.shape
    n = d_in + W2.shape[0]
    if w <= n:
        return W1.copy(), W2.copy()
    M = np.hstack([W1, W2.T])
    with np.errstate(all="ignore"):
        gram = finite_result(M.T @ M, "Gram matrix [W1, W2^T]^T [W1, W2^T]")
        try:
            R = np.linalg.cholesky(gram).T
        except np.linalg.LinAlgError:  # rank-deficient M: QR does not need a positive-definite Gram matrix
            _, R = np.linalg.qr(M, mode="reduced")
    return R[:, :d_in].copy(), R[:, d_in:].T.copy()


def descent_steps(W1: np.ndarray, W2: np.ndarray, target: np.ndarray, step: float, update: str) -> Iterator[tuple]:
    """Yield ``(A, W1, W2)`` before each step, then step (no validation; shared by the simulators).

    ``A = W2 W1`` is the product at the yielded iterate; ``G = A - target``. The iterates live in
    buffers allocated once and updated in place (the same floating-point operations as
    ``W1 - step * (W2.T @ G)``, without a fresh allocation, and its page faults, per product):
    the yielded arrays are overwritten by the next step, so copy what must be kept.
    """
    W1 = np.array(W1, dtype=float)
    W2 = np.array(W2, dtype=float)
    A = np.empty((W2.shape[0], W1.shape[1]))
    G = np.empty_like(A)
    D1 = np.empty_like(W1)
    D2 = np.empty_like(W2)
    while True:
        np.matmul(W2, W1, out=A)
        yield A, W1, W2
        np.subtract(A, target, out=G)
        np.matmul(W2.T, G, out=D1)
        D1 *= step
        if update == "sequential":
            W1 -= D1
            np.matmul(G, W1.T, out=D2)
        else:
            np.matmul(G, W1.T, out=D2)
            W1 -= D1
        D2 *= step
        W2 -= D2


def two_layer_descent(
    W1, W2, target, step: float, t, update: str = "sequential", *, max_steps: int = MAX_DESCENT_STEPS
) -> Trajectory:
    r"""Gradient descent on :math:`C(A) = \frac12\|W_2W_1 - T\|_F^2`, sampled at ``t`` (multiples of ``step``).

    ``update="sequential"`` is the official code's rule (Tu et al. (2024), the code of Figs. 1-2):

    .. math::
        G = W_2W_1 - T,\quad W_1 \leftarrow W_1 - \eta W_2^T G,\quad W_2 \leftarrow W_2 - \eta G W_1^T
        \ (\text{with the new } W_1);

    ``"simultaneous"`` uses the old ``W1`` in the second update (identical to
    ``gradient_descent(DeepLinearModel(T), ...)``). Pass the pair from
    :func:`reduce_width` or ``gaussian_init(..., reduced=True)`` to simulate any
    width at a cost independent of it. Gradient flow needs nothing new:
    ``gradient_flow(DeepLinearModel(T), (W1, W2), t)`` has the same vector field.
    At most ``max_steps`` steps (10^7 by default, as :func:`~lazyrich.gradient_descent`) are taken;
    a longer ``t`` is refused before the first step.

    Returns
    -------
    Trajectory
        Parameters ``"W1"`` and ``"W2"``; ``k`` steps sit at ``t = k * step``.

    Raises
    ------
    InvalidParameterError
        Unknown ``update``, a time that is not a whole number of steps, or more than ``max_steps`` steps.
    SimulationDivergedError
        The iterates overflowed: the step is above the stability limit.

    Examples
    --------
    >>> tr = two_layer_descent([[0.5]], [[0.5]], [[1.0]], 0.1, [0.0, 0.1])
    >>> # W1 = 0.5 + 0.1 * 0.5 * 0.75 = 0.5375, then W2 = 0.5 + 0.1 * 0.75 * 0.5375 = 0.5403125
    >>> round(float(tr["W2"][-1, 0, 0] * tr["W1"][-1, 0, 0]), 12)
    0.29041796875
    """
    W1, W2 = _check_pair(W1, W2)
    T = as_matrix(target, "target", (W2.shape[0], W1.shape[1]))
    h = positive(step, "step")
    update = as_choice(update, "update", UPDATE_RULES)
    grid, ks = as_step_grid(t, h, max_steps=max_steps)
    out1 = np.empty((grid.size, *W1.shape))
    out2 = np.empty((grid.size, *W2.shape))
    steps = descent_steps(W1, W2, T, h, update)
    k = 0
    with np.errstate(all="ignore"):
        _, cur1, cur2 = next(steps)
        for i, target_k in enumerate(ks):
            while k < target_k:
                _, cur1, cur2 = next(steps)
                k += 1
                if not (np.all(np.isfinite(cur1)) and np.all(np.isfinite(cur2))):
                    raise SimulationDivergedError(
                        f"gradient descent diverged at step {k}; step {h:g} is above the stability limit, reduce it"
                    )
            out1[i], out2[i] = cur1, cur2
    return Trajectory(grid, (out1, out2), ("W1", "W2"), int(k), "gd")
