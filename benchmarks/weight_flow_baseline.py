"""The baseline the two-layer benchmarks share: scipy's DOP853 on the weight flow, then ``QQ^T``.

The weight flow ``W1' = W2^T E``, ``W2' = E W1^T`` with ``E = Sigma_yx - W2 W1`` (Dominé et al. (2025), Sec. 2,
whitened inputs) has ``2 N^2`` states and costs ``3 N^3`` per right-hand side, cheaper than the Riccati ODE for
``QQ^T``. ``QQ^T`` of every output state is formed in one batched product. The importing script sets the BLAS
threads before numpy loads; this module does not import numpy first.
"""

from __future__ import annotations

import numpy as np
from scipy.integrate import solve_ivp


def dop853_qqt(sigma_yx, W1, W2, grid, rtol: float, atol_rel: float):
    """DOP853 (``rtol``, ``atol = atol_rel max|y0|``, ``t_eval = grid``) on the weight flow; ``(QQ^T, evaluations)``."""
    nh, ni = W1.shape
    no = W2.shape[0]

    def rhs(_t, y):
        w1 = y[: nh * ni].reshape(nh, ni)
        w2 = y[nh * ni :].reshape(no, nh)
        E = sigma_yx - w2 @ w1
        return np.concatenate([(w2.T @ E).ravel(), (E @ w1.T).ravel()])

    y0 = np.concatenate([W1.ravel(), W2.ravel()])
    sol = solve_ivp(rhs, (0.0, grid[-1]), y0, method="DOP853", t_eval=grid, rtol=rtol, atol=atol_rel * np.abs(y0).max())
    T = sol.y.shape[1]
    w1 = sol.y[: nh * ni].T.reshape(T, nh, ni)
    w2 = sol.y[nh * ni :].T.reshape(T, no, nh)
    Q = np.concatenate([np.swapaxes(w1, 1, 2), w2], axis=1)
    return Q @ np.swapaxes(Q, 1, 2), sol.nfev
