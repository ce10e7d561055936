r"""Independent numeric references for the ``lazy_to_rich.*`` claims (Dominé et al. (2025)); public API only.

Own float64/mpmath implementations that never call the engine's closed forms: the block matrix F of the
Riccati equation (Sec. 4), lambda-balanced initialisations (Algorithm 1 structure), DOP853 gradient-flow
simulations with derived tolerances, the Fukumizu form in float64 and mpmath (Sec. 4), the t -> infinity
limit from the task SVD, the zero-balanced solution of Braun et al. (2022) (Thm 4.3 at lambda = 0), and
the aligned scalar ODE of Thm 5.1 integrated by DOP853.
"""

from __future__ import annotations

import functools
import math

import mpmath
import numpy as np
import sympy as sp
from scipy.integrate import solve_ivp

from lazyrich import (
    DeepLinearModel,
    Measurement,
    gradient_flow,
    matrix_with_singular_values,
    ode_global_tolerance,
    quadratic_invariant_tolerance,
    random_orthogonal,
)
from lazyrich.symbolic import evaluate

from .symbols import RTOL, expand_definitions, replace_derivatives

__all__ = [
    "aligned_fukumizu_mp",
    "balanced_flow_case",
    "balanced_pair",
    "braun_zero_balanced",
    "evaluate_blocks",
    "expanded_sides",
    "f_matrix",
    "flow_qqt",
    "fukumizu_direct",
    "fukumizu_mp",
    "limit_qqt",
    "must_fail",
    "psd_sqrt",
    "q_plus",
    "qqt_of",
    "random_task",
    "rel_err",
    "relation_sides",
    "scalar_ode",
    "seeded_rng",
    "split_singular_values",
]


def seeded_rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def must_fail(observed: float, floor: float, what: str) -> Measurement:
    """A measurement that passes when ``observed >= floor``: a demonstrated failure (error = floor / observed)."""
    return Measurement(
        floor / max(observed, 1e-300),
        1.0,
        f"{what}: floor {floor:g} / observed {observed:.3g}",
        "the failure must exceed the floor",
    )


def f_matrix(syx: np.ndarray, lam_: float) -> np.ndarray:
    """The block matrix F of the Riccati equation for ``Sigma_yx`` and ``lambda`` (float64)."""
    no, ni = syx.shape
    return np.block([[-lam_ / 2 * np.eye(ni), syx.T], [syx, lam_ / 2 * np.eye(no)]])


def qqt_of(W1v: np.ndarray, W2v: np.ndarray) -> np.ndarray:
    """``Q Q^T`` with ``Q = [W1^T; W2]``."""
    Q = np.vstack([W1v.T, W2v])
    return Q @ Q.T


def split_singular_values(s: np.ndarray, lam_: float) -> tuple[np.ndarray, np.ndarray]:
    """Layer singular values (s1, s2): s2^2 - s1^2 = lambda, s1 s2 = s (Thm 5.2, Eq. 18; Anguita (2024), Thm 4.1.1)."""
    root = np.sqrt(lam_**2 + 4 * s**2)
    return np.sqrt((root - lam_) / 2), np.sqrt((root + lam_) / 2)


def balanced_pair(rng, ni: int, nh: int, no: int, lam_: float, svals=None):
    """A lambda-balanced pair built from a random product ``U S V^T`` (Algorithm 1 structure, own code)."""
    m = min(ni, no)
    s = rng.uniform(0.3, 1.5, m) if svals is None else np.asarray(svals, float)
    U, V, R = random_orthogonal(no, rng), random_orthogonal(ni, rng), random_orthogonal(nh, rng)
    s1, s2 = split_singular_values(s, lam_)
    S1, S2 = np.zeros((nh, ni)), np.zeros((no, nh))
    S1[np.arange(m), np.arange(m)] = s1
    S2[np.arange(m), np.arange(m)] = s2
    for j in range(m, nh):  # extra hidden units: singular value sqrt(|lambda|) on the wider side
        if no > ni:
            S2[j, j] = math.sqrt(max(lam_, 0.0))
        else:
            S1[j, j] = math.sqrt(max(-lam_, 0.0))
    return R @ S1 @ V.T, U @ S2 @ R.T


def flow_qqt(syx, W1v, W2v, ts, tau_: float = 1.0):
    """Gradient-flow QQ^T on ``ts`` and the derived tolerance for a quadratic function of the weights."""
    traj = gradient_flow(DeepLinearModel(syx, tau=tau_), (W1v, W2v), ts, rtol=RTOL)
    qq = np.array([qqt_of(*traj.at(i)) for i in range(len(traj.t))])
    tol = quadratic_invariant_tolerance(traj.n_steps, traj.rtol, traj.atol, traj.scale)
    return traj, qq, tol


def fukumizu_mp(syx, W1v, W2v, lam_, t_, tau_=1.0, dps=40) -> np.ndarray:
    """The Fukumizu form (Fukumizu (1998); Sec. 4) in mpmath through the eigendecomposition of F (any lambda, any N_h)."""
    with mpmath.workdps(dps):
        F = mpmath.matrix(f_matrix(syx, lam_).tolist())
        ev, Ov = mpmath.eigsy(F)
        Q0 = mpmath.matrix(np.vstack([W1v.T, W2v]).tolist())
        n = F.rows
        x = mpmath.mpf(t_) / tau_
        e = [mpmath.exp(ev[i] * x) for i in range(n)]
        g = [2 * x if ev[i] == 0 else mpmath.expm1(2 * ev[i] * x) / ev[i] for i in range(n)]
        D = mpmath.diag(e)
        G = mpmath.diag(g)
        Y = Ov * D * Ov.T * Q0
        M = mpmath.eye(Q0.cols) + Q0.T * Ov * G * Ov.T * Q0 / 2
        P = Y * mpmath.inverse(M) * Y.T
        return np.array(P.tolist(), dtype=float)


def fukumizu_direct(syx, W1v, W2v, lam_, t_, tau_=1.0) -> np.ndarray:
    """The Fukumizu form (Fukumizu (1998); Sec. 4) directly in float64 (own implementation, eigh of F)."""
    ev, Ov = np.linalg.eigh(f_matrix(syx, lam_))
    x = t_ / tau_
    with np.errstate(over="ignore", invalid="ignore"):
        g = np.where(ev == 0, 2 * x, np.expm1(2 * ev * x) / np.where(ev == 0, 1.0, ev))
        Q0 = np.vstack([W1v.T, W2v])
        Y = (Ov * np.exp(ev * x)) @ Ov.T @ Q0
        M = np.eye(Q0.shape[1]) + 0.5 * Q0.T @ (Ov * g) @ Ov.T @ Q0
        return Y @ np.linalg.solve(M, Y.T)


def limit_qqt(syx, lam_) -> np.ndarray:
    """QQ^T(infinity) from the SVD of Sigma_yx (derived here: the t -> infinity limit of Thm 4.3)."""
    U, s, Vt = np.linalg.svd(syx, full_matrices=False)
    sl = np.sqrt(s**2 + lam_**2 / 4)
    A = (Vt.T * (sl - lam_ / 2)) @ Vt
    B = (U * s) @ Vt
    C = (U * (sl + lam_ / 2)) @ U.T
    return np.block([[A, B.T], [B, C]])


def random_task(rng, ni, no, lo=0.5, hi=2.0):
    """A random ``Sigma_yx`` (``no x ni``) with sorted singular values drawn from ``[lo, hi]``."""
    return matrix_with_singular_values((no, ni), np.sort(rng.uniform(lo, hi, min(ni, no)))[::-1], rng)


def rel_err(a, b) -> float:
    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(np.abs(a - b).max() / max(np.abs(b).max(), 1e-300))


def braun_zero_balanced(syx, W1v, W2v, t_, tau_=1.0) -> np.ndarray:
    """Braun et al. (2022) zero-balanced closed form, own float64 implementation."""
    no, ni = syx.shape
    m = min(ni, no)
    Ut, st, Vth = np.linalg.svd(syx)
    Um_, Up_, Vm_, Vp_ = Ut[:, :m], Ut[:, m:], Vth.T[:, :m], Vth.T[:, m:]
    U, s, Vh = np.linalg.svd(W2v @ W1v, full_matrices=False)
    V = Vh.T
    B, C = U.T @ Um_ + V.T @ Vm_, U.T @ Um_ - V.T @ Vm_
    x = t_ / tau_
    E = np.diag(np.exp(-st[:m] * x))
    Bi = np.linalg.inv(B)
    Im = np.eye(m)
    Si = np.diag(1 / st[:m])
    center = (
        4 * E @ Bi @ np.diag(1 / s) @ Bi.T @ E + (Im - E @ E) @ Si - E @ Bi @ C @ (E @ E - Im) @ Si @ C.T @ Bi.T @ E
    )
    center += 4 * x * E @ Bi @ (V.T @ Vp_ @ Vp_.T @ V + U.T @ Up_ @ Up_.T @ U) @ Bi.T @ E
    Z = np.vstack(
        [
            Vm_ @ (Im - E @ C.T @ Bi.T @ E) + 2 * Vp_ @ Vp_.T @ V @ Bi.T @ E,
            Um_ @ (Im + E @ C.T @ Bi.T @ E) + 2 * Up_ @ Up_.T @ U @ Bi.T @ E,
        ]
    )
    return Z @ np.linalg.solve(center, Z.T)


def q_plus(syx, W1v, W2v, lm):
    """``q_+ = P_+^T Q_0``: the projection of ``Q_0`` on the growing eigenvectors of F (the paper's B up to normalisation)."""
    Ov = np.linalg.eigh(f_matrix(syx, lm))[1]
    m = min(syx.shape)
    return Ov[:, -m:].T @ np.vstack([W1v.T, W2v])


def psd_sqrt(A):
    w, V = np.linalg.eigh(A)
    return (V * np.sqrt(np.clip(w, 0, None))) @ V.T


def scalar_ode(s0, st, lm, ts, tau_=1.0):
    """The task-aligned mode ``tau ds/dt = sqrt(lambda^2 + 4 s^2)(s~ - s)`` integrated by DOP853 on ``ts``; returns the values and a tolerance."""
    sol = solve_ivp(
        lambda _t, y: np.sqrt(lm**2 + 4 * y**2) * (st - y) / tau_,
        (0, ts[-1]),
        [s0],
        method="DOP853",
        t_eval=ts,
        rtol=RTOL,
        atol=RTOL * max(abs(s0), abs(st)),
    )
    return sol.y[0], ode_global_tolerance(sol.nfev // 12, RTOL, RTOL * max(abs(s0), abs(st)), max(abs(s0), abs(st)))


def aligned_fukumizu_mp(t_, s0, st, lm, dps=40):
    """s(t) from the 2x2 Fukumizu form (derived here for Thm 5.1), in mpmath."""
    with mpmath.workdps(dps):
        s0, st, lm, x = (mpmath.mpf(v) for v in (s0, st, lm, t_))
        mu_ = mpmath.sqrt(st**2 + lm**2 / 4)
        a, b = mpmath.sqrt((mu_ - lm / 2) / (2 * mu_)), mpmath.sqrt((mu_ + lm / 2) / (2 * mu_))
        root = mpmath.sqrt(lm**2 + 4 * s0**2)
        c0, d0 = mpmath.sqrt((root - lm) / 2), mpmath.sqrt((root + lm) / 2)
        pp, pm = a * c0 + b * d0, b * c0 - a * d0
        ep, em = mpmath.exp(2 * mu_ * x), mpmath.exp(-2 * mu_ * x)
        return float((st * (pp**2 * ep - pm**2 * em) + lm * pp * pm) / (2 * mu_ + pp**2 * (ep - 1) + pm**2 * (1 - em)))


def evaluate_blocks(expr, values: dict, dims: dict) -> np.ndarray:
    """:func:`lazyrich.symbolic.evaluate` in float64, with every ``BlockMatrix`` assembled by ``np.block``."""
    reps, vals = {}, dict(values)
    walk = sp.preorder_traversal(expr)
    for node in walk:
        if isinstance(node, sp.BlockMatrix) and node not in reps:
            sym = sp.MatrixSymbol(f"block_{len(reps)}", *node.shape)
            reps[node] = sym
            vals[sym] = np.block(
                [[np.atleast_2d(evaluate_blocks(b, values, dims)) for b in row] for row in node.blocks.tolist()]
            )
            walk.skip()
    return np.asarray(evaluate(expr.xreplace(reps), vals, dims=dims, arithmetic="float64"), dtype=float)


def expanded_sides(rel, rates: dict, subs: dict) -> tuple:
    """Both sides of a statement's relation as expressions: ``d/dt X`` by the statement's rates, definitions substituted."""
    return tuple(expand_definitions(replace_derivatives(side, rates, subs), subs) for side in (rel.lhs, rel.rhs))


def relation_sides(rel, values: dict, dims: dict, rates: dict, subs: dict) -> tuple[np.ndarray, np.ndarray]:
    """Both sides of a statement's relation in float64 (see :func:`expanded_sides`)."""
    lhs, rhs = expanded_sides(rel, rates, subs)
    return evaluate_blocks(lhs, values, dims), evaluate_blocks(rhs, values, dims)


@functools.lru_cache(maxsize=64)
def balanced_flow_case(seed: int, ni: int, nh: int, no: int, lam_: float, ts: tuple, tau_: float = 1.0):
    """``(syx, W1, W2, traj, qq, tol)``: a random task, a lambda-balanced pair and its simulated flow (cached).

    ``random_task`` then ``balanced_pair`` draw from ``seeded_rng(seed)``; the flow is :func:`flow_qqt` on ``ts``.
    """
    rng = seeded_rng(seed)
    syx = random_task(rng, ni, no)
    W1v, W2v = balanced_pair(rng, ni, nh, no, lam_)
    return (syx, W1v, W2v, *flow_qqt(syx, W1v, W2v, np.asarray(ts, float), tau_))
