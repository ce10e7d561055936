"""Independent numeric references for the deep-linear claims: instances and simulations (public API only)."""

from __future__ import annotations

import numpy as np

from lazyrich import DeepLinearModel, gradient_flow, random_orthogonal

__all__ = ["aligned_instance", "balanced_instance", "chain", "end_to_end_velocity", "random_instance", "simulate"]


def chain(mats, n: int) -> np.ndarray:
    """``M_k ... M_1`` (the identity of size ``n`` for no factor)."""
    out = np.eye(n)
    for M in mats:
        out = M @ out
    return out


def random_instance(widths, seed: int = 0):
    """A generic (unbalanced) depth-N instance: ``(model, params)`` with ``W_l`` of shape ``widths[l] x widths[l-1]``."""
    rng = np.random.default_rng(seed)
    params = tuple(
        rng.standard_normal((widths[i], widths[i - 1])) / np.sqrt(widths[i - 1]) for i in range(1, len(widths))
    )
    sigma_yx = rng.standard_normal((widths[-1], widths[0]))
    return DeepLinearModel(sigma_yx, depth=len(params)), params


def balanced_instance(widths, seed: int = 0, scale=(0.6, 1.4)):
    """A balanced instance ``W_l = U_l diag(sigma) U_{l-1}^T`` (orthonormal columns, rank ``min(widths)``).

    ``W_{l+1}^T W_{l+1} = U_l diag(sigma)^2 U_l^T = W_l W_l^T`` by construction.
    """
    rng = np.random.default_rng(seed)
    rank = min(widths)
    U = [random_orthogonal(w, rng)[:, :rank] for w in widths]
    sig = np.diag(rng.uniform(*scale, size=rank))
    params = tuple(U[i] @ sig @ U[i - 1].T for i in range(1, len(widths)))
    sigma_yx = rng.standard_normal((widths[-1], widths[0]))
    return DeepLinearModel(sigma_yx, depth=len(params)), params


def aligned_instance(N: int, n: int, s, a0, seed: int = 0):
    """A balanced task-aligned depth-N instance: ``Sigma_yx = U diag(s) V^T``, ``W_l = U_l diag(a0) U_{l-1}^T``.

    Returns ``(model, params, bases)`` with ``bases = [U_0 = V, U_1, ..., U_N = U]``; the product mode values
    are ``u_i = a0_i^N``.
    """
    rng = np.random.default_rng(seed)
    U = [random_orthogonal(n, rng) for _ in range(N + 1)]
    params = tuple(U[i] @ np.diag(a0) @ U[i - 1].T for i in range(1, N + 1))
    model = DeepLinearModel(U[N] @ np.diag(s) @ U[0].T, depth=N)
    return model, params, U


def end_to_end_velocity(model, params) -> np.ndarray:
    """``dW/dt`` of the product ``W = W_N ... W_1`` by the product rule with the model's layer velocities."""
    vel = model.velocity(params)
    n_in = params[0].shape[1]
    return sum(
        chain(params[i + 1 :], params[i].shape[0]) @ vel[i] @ chain(params[:i], n_in) for i in range(len(params))
    )


def simulate(model, params, ts, rtol: float = 1e-12):
    """``lazyrich.gradient_flow`` of the model (DOP853)."""
    return gradient_flow(model, params, ts, rtol=rtol)
