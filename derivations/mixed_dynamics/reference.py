r"""Independent numeric references for the mixed-dynamics claims (Tu, Aranguri, Jacot (2024)): public API only.

* :func:`eq1_flow`: eq. (1) integrated with scipy's DOP853 (square roots by ``eigh``), an independent route to
  :func:`lazyrich.self_consistent_flow`; :func:`weight_flow_vs_eq1` compares it with the weights' gradient flow;
* :func:`manifold_init`, :func:`lambda_balanced_pair`: weights on which eq. (1) is exact (derived here);
* :func:`bartlett_init`: a reduced Gaussian initialisation by Bartlett's decomposition of the Wishart Gram
  matrix, independent of :func:`lazyrich.gaussian_init`;
* :func:`mp_aligned`, :func:`mp_time_to`: the aligned closed form and its inverse in mpmath;
* :func:`complex_step`: the derivative of a matrix expression along a direction by the complex step
  (no symbolic calculus, no cancellation);
* :func:`value`: :func:`lazyrich.symbolic.evaluate` of a statement's side in float64.

Mapping to lazyrich's models: the paper minimises ``C(A) = 1/2 |A - T|_F^2``, so ``G = A - T``;
:class:`lazyrich.DeepLinearModel` with ``sigma_yx = T`` (``sigma_xx = I``, ``tau = 1``) has the same
gradient flow, ``dW_1/dt = -W_2^T G``, ``dW_2/dt = -G W_1^T``.
"""

from __future__ import annotations

import mpmath as mp
import numpy as np
from scipy.integrate import solve_ivp

from lazyrich import DeepLinearModel, Measurement, gradient_flow, ode_global_tolerance, random_orthogonal
from lazyrich.symbolic import evaluate

__all__ = [
    "RTOL",
    "bartlett_init",
    "batched_bartlett",
    "complex_step",
    "eq1_flow",
    "eq1_velocity",
    "lambda_balanced_pair",
    "manifold_init",
    "mp_aligned",
    "mp_time_to",
    "psd_sqrt",
    "value",
    "weight_flow_vs_eq1",
]

RTOL = 1e-12


def psd_sqrt(M: np.ndarray) -> np.ndarray:
    """Square root of a symmetric PSD matrix by eigh (tiny negative eigenvalues clipped)."""
    w_, V_ = np.linalg.eigh((M + M.T) / 2)
    return (V_ * np.sqrt(np.clip(w_, 0.0, None))) @ V_.T


def eq1_velocity(Av: np.ndarray, T: np.ndarray, cv: float) -> np.ndarray:
    """Right-hand side of eq. (1) for the MSE cost (``G = A - T``), square roots by eigh."""
    Gv = Av - T
    P = psd_sqrt(Av @ Av.T + cv**2 * np.eye(Av.shape[0]))
    Q = psd_sqrt(Av.T @ Av + cv**2 * np.eye(Av.shape[1]))
    return -(P @ Gv + Gv @ Q)


def eq1_flow(A0: np.ndarray, T: np.ndarray, cv: float, times, rtol: float = RTOL, velocity=None):
    """Integrate eq. (1) (or ``velocity(A)``) with DOP853: ``(A(times), n_steps, atol, scale)``."""
    shape = A0.shape
    scale = max(float(np.abs(A0).max()), float(np.abs(T).max()))
    atol = rtol * scale
    vel = velocity or (lambda Av: eq1_velocity(Av, T, cv))
    sol = solve_ivp(
        lambda _t, y: np.asarray(vel(y.reshape(shape)), dtype=float).ravel(),
        (0.0, float(times[-1])),
        A0.ravel(),
        method="DOP853",
        t_eval=times,
        rtol=rtol,
        atol=atol,
    )
    if sol.status != 0:
        raise RuntimeError(sol.message)
    return sol.y.T.reshape(len(times), *shape), max(sol.nfev // 12, 1), atol, scale


def weight_flow_vs_eq1(T, w1, w2, cv: float, times, what: str, velocity=None) -> Measurement:
    """Max |W2 W1(t) - A(t)| between the weights' gradient flow and eq. (1) (or ``velocity``) from A0 = W2 W1(0).

    Tolerance: 2 |W| e_weights + e_eq1, both DOP853 global error bounds.
    """
    traj = gradient_flow(DeepLinearModel(T), (w1, w2), times, rtol=RTOL)
    A_w = np.einsum("kij,kjl->kil", traj["W2"], traj["W1"])
    A_e, n_e, atol_e, sc_e = eq1_flow(w2 @ w1, T, cv, times, velocity=velocity)
    e_w = ode_global_tolerance(traj.n_steps, traj.rtol, traj.atol, traj.scale)
    tol = 2 * traj.scale * e_w + ode_global_tolerance(n_e, RTOL, atol_e, sc_e)
    return Measurement(float(np.abs(A_w - A_e).max()), tol, what, "2 |W| e_weights + e_eq1 (DOP853 global bounds)")


def manifold_init(A0: np.ndarray, cv: float) -> tuple[np.ndarray, np.ndarray]:
    """Width-2d weights with both offsets ``c^2 I`` and ``W2 W1 = A0`` (derived here: ``W_1 = Omega_1 X^{1/2}``,
    ``W_2 = Y^{1/2} Omega_2^T`` with ``X = (A^T A + c^2)^{1/2}``, ``Y = (A A^T + c^2)^{1/2}``)."""
    d = A0.shape[0]
    Uv, Sv, Vt = np.linalg.svd(A0)
    K = Sv / np.sqrt(Sv**2 + cv**2)
    root4 = (Sv**2 + cv**2) ** 0.25
    X_half = (Vt.T * root4) @ Vt
    Y_half = (Uv * root4) @ Uv.T
    Om1 = np.vstack([np.eye(d), np.zeros((d, d))]) @ Vt
    Om2 = np.vstack([K[:, None] * Uv.T, np.sqrt(1 - K**2)[:, None] * Uv.T])
    return Om1 @ X_half, Y_half @ Om2.T


def lambda_balanced_pair(Av: np.ndarray, lv: float, rng) -> tuple[np.ndarray, np.ndarray]:
    """``W1 W1^T - W2^T W2 = lam I`` with ``w = d_in``: ``W1 = R X^{1/2}``, ``X = lam/2 + (A^T A + lam^2/4)^{1/2}``,
    ``W2 = A W1^{-1}``."""
    d_in = Av.shape[1]
    Xv = lv / 2 * np.eye(d_in) + psd_sqrt(Av.T @ Av + lv**2 / 4 * np.eye(d_in))
    w1 = random_orthogonal(d_in, rng) @ psd_sqrt(Xv)
    return w1, Av @ np.linalg.inv(w1)


def bartlett_init(d_in: int, d_out: int, width: int, sigma2: float, rng) -> tuple[np.ndarray, np.ndarray]:
    """Reduced Gaussian init: ``[W1, W2^T] = B R`` with ``R^T R`` Wishart(width, sigma2 I) by Bartlett.

    The Gram matrix of ``n = d_in + d_out`` i.i.d. N(0, sigma2) columns of length ``width`` is
    ``sigma2 L L^T`` with ``L`` lower triangular, ``L_ii^2 ~ chi^2(width - i)``, ``L_ij ~ N(0, 1)`` below.
    """
    W1b, W2b = batched_bartlett(d_in, d_out, width, sigma2, 1, rng)
    return W1b[0], W2b[0]


def batched_bartlett(d_in: int, d_out: int, width: int, sigma2: float, n: int, rng):
    """``n`` reduced Gaussian inits at once (as :func:`bartlett_init`), shapes (n, m, d_in), (n, d_out, m)."""
    m = d_in + d_out
    L = np.tril(rng.standard_normal((n, m, m)), -1)
    idx = np.arange(m)
    L[:, idx, idx] = np.sqrt(rng.chisquare(width - idx, size=(n, m)))
    Rm = np.sqrt(sigma2) * np.swapaxes(L, 1, 2)
    return Rm[:, :, :d_in], np.swapaxes(Rm[:, :, d_in:], 1, 2)


def mp_aligned(tv, s0v, sstar, cv):
    """Closed form of ``ds/dt = 2 sqrt(s^2+c^2)(s* - s)`` (derived here from eq. (1)), in mpmath at the current
    precision; the rearrangements avoid cancellation."""
    tv, s0v, sstar, cv = (mp.mpf(x) for x in (tv, s0v, sstar, cv))
    Rv = mp.sqrt(sstar**2 + cv**2)
    vp, vm = (sstar + Rv) / cv, -cv / (sstar + Rv)
    r0 = mp.sqrt(s0v**2 + cv**2)
    v0 = (s0v + r0) / cv if s0v >= 0 else cv / (r0 - s0v)
    K = (v0 - vp) / (v0 - vm)
    e = K * mp.exp(-2 * Rv * tv)
    vt = (vp - vm * e) / (1 - e)
    return cv / 2 * (vt - 1 / vt)


def mp_time_to(s_value, s0v, sstar, cv):
    """Exact time at which the aligned solution reaches ``s_value`` (inverting the closed form), mpmath."""
    s_value, s0v, sstar, cv = (mp.mpf(x) for x in (s_value, s0v, sstar, cv))
    Rv = mp.sqrt(sstar**2 + cv**2)
    vp, vm = (sstar + Rv) / cv, -cv / (sstar + Rv)

    def v_of(x):
        r = mp.sqrt(x**2 + cv**2)
        return (x + r) / cv if x >= 0 else cv / (r - x)

    K = (v_of(s0v) - vp) / (v_of(s0v) - vm)
    vt = v_of(s_value)
    return -mp.log((vt - vp) / (K * (vt - vm))) / (2 * Rv)


def value(expr, values: dict, dims: dict):
    """``expr`` (a side of a statement, definitions substituted) evaluated in float64."""
    return evaluate(expr, values, dims=dims, arithmetic="float64")


def complex_step(expr, values: dict, directions: dict, dims: dict, h: float = 1e-30) -> np.ndarray:
    """``d/dh expr(values + h directions)`` at 0 by the complex step ``Im f(x + i h v)/h`` (exact for polynomials
    up to rounding: no difference is taken)."""
    shifted = {
        k: (np.asarray(v, dtype=complex) + 1j * h * np.asarray(directions[k])) if k in directions else v
        for k, v in values.items()
    }
    return np.imag(np.asarray(evaluate(expr, shifted, dims=dims, arithmetic="float64"))) / h
