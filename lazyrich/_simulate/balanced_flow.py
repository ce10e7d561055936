r"""Eq. (1) of Tu, Aranguri and Jacot (2024) integrated accurately at equally spaced record times.

The gradient *flow* of a :func:`balanced_factors` pair ``(F1, F2)`` (width ``d``,
:math:`F_1F_1^T - F_2^TF_2 = 2cI`) is eq. (1) exactly for :math:`A = F_2F_1` (derived here,
Tu et al. (2024), eq. (1); see :func:`balanced_factors`), and its vector field costs three
``d x d x d`` products and no factorisation:

.. math::
    G = F_2F_1 - T,\qquad \dot F_1 = -F_2^T G,\qquad \dot F_2 = -G F_1^T .

:func:`balanced_flow_records` integrates it with the classical fourth-order Runge-Kutta method
at steps chosen by an embedded error estimate (not by the network's step), and returns ``A`` at
the record times ``t_i = i h`` by cubic Hermite interpolation of ``A`` and :math:`\dot A` between
the Runge-Kutta nodes. The step of eq. (1) is limited by its own accuracy and stability, not by the
gradient descent it is compared with, so one Runge-Kutta step spans many records.

No exact reduction to fewer than ``d`` dimensions exists for this cost (derived here, Tu et al.
(2024), eq. (1)): if :math:`\operatorname{col}(A) \subset \operatorname{range}\Pi` for an orthogonal
projector :math:`\Pi`, then :math:`(I-\Pi)(AA^T + c^2)^{1/2} = c(I-\Pi)` and
:math:`(I-\Pi)G = -(I-\Pi)T`, so :math:`(I-\Pi)\dot A = (I-\Pi)\,T\,(cI + (A^TA + c^2)^{1/2})`,
which vanishes only if :math:`\operatorname{col}(T) \subset \operatorname{range}\Pi`
(:math:`cI + (A^TA+c^2)^{1/2}` is invertible). The training target :math:`A^* + E` of Fig. 2 has
full rank (Gaussian noise ``E``), so the column space (and likewise the row space) of :math:`A(t)`
leaves every proper subspace at once; the integration is therefore at full ``d x d``, with fewer steps.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

from .._base.errors import SimulationDivergedError
from .._base.validation import positive

__all__ = ["MAX_STEP_RATE", "balanced_flow_records", "flow_rate_bound"]

#: Largest ``H * lambda_max`` of a step (``lambda_max = 2 sqrt(s_1^2 + c^2)``, the fastest rate of eq. (1)).
#: RK4 is stable up to 2.785; at 1 its factor on the fastest mode is ``R(-1) = 0.375`` against
#: ``exp(-1) = 0.3679``, an error of 7e-3 of that mode per step, damped by the mode itself.
MAX_STEP_RATE = 1.0


def flow_rate_bound(F1: np.ndarray, c: float, target: np.ndarray) -> float:
    r"""The ``rate_bound`` of :func:`balanced_flow_records` for a :func:`balanced_factors` pair.

    It is :math:`2\max(r_1(0), \sqrt{\|T\|_{op}^2 + c^2})`. The rows of :math:`F_1 = \operatorname{diag}(\sqrt{c + r_i})V^T` have squared norms :math:`c + r_i`,
    :math:`r_i = \sqrt{s_i^2 + c^2}`, so :math:`r_1(0)` costs no factorisation; with
    :math:`s_1(t) \le \max(s_1(0), \|T\|_{op})` on eq. (1) this bounds :math:`2\sqrt{s_1(t)^2 + c^2}`.

    >>> F1 = np.diag([np.sqrt(1.0 + np.hypot(3.0, 1.0)), np.sqrt(2.0)])  # s = (3, 0), c = 1
    >>> bool(abs(flow_rate_bound(F1, 1.0, np.eye(2)) - 2 * np.hypot(3.0, 1.0)) < 1e-12)
    True
    """
    r1 = float(np.max(np.sum(F1 * F1, axis=1))) - c
    return 2 * max(r1, math.hypot(float(np.linalg.norm(target, 2)), c))


def _gradient(F1, F2, T, A, G, ga, gb) -> None:
    """Into the buffers: ``A = F2 F1``, ``G = A - T``, ``ga = F2^T G``, ``gb = G F1^T`` (the flow is ``-(ga, gb)``)."""
    np.matmul(F2, F1, out=A)
    np.subtract(A, T, out=G)
    np.matmul(F2.T, G, out=ga)
    np.matmul(G, F1.T, out=gb)


def balanced_flow_records(
    F1: np.ndarray,
    F2: np.ndarray,
    target: np.ndarray,
    spacing: float,
    *,
    rate_bound: float,
    rtol: float = 1e-6,
    fixed_step: float | None = None,
) -> Iterator[np.ndarray]:
    r"""Yield :math:`A(t_i) = F_2(t_i)F_1(t_i)` on the pair's gradient flow at ``t_i = i * spacing``, ``i = 0, 1, ...``.

    The step ``H`` is controlled by the local error of the embedded third-order solution
    :math:`\hat y = y + \frac H6(k_1 + 2k_2 + 2k_3 + k_5)`, with :math:`k_5 = f(y_{n+1})` the first
    stage of the next step (first same as last: the estimate :math:`\frac H6(k_4 - k_5)` costs no
    evaluation). Its size in ``A`` is bounded without a product,
    :math:`\|\delta A\|_F \le \|\delta F_2\|_F\|F_1\|_{op} + \|F_2\|_{op}\|\delta F_1\|_F` with
    :math:`\|F_1\|_{op}^2 = c + r` and :math:`\|F_2\|_{op}^2 = r - c`, :math:`r = \sqrt{s_1^2 + c^2}`
    (:func:`balanced_factors`; the flow keeps the imbalance), bounded with ``rate_bound`` =
    :math:`2r`. A step is accepted when this bound is at most ``rtol * ||T||_F``; the next step is
    :math:`H\min(4, \max(0.2, 0.9(\text{tol}/\text{err})^{1/4}))` (the estimate is
    :math:`O(H^4)`), and never above ``MAX_STEP_RATE / rate_bound``. The accepted solution is the
    fourth-order one, whose local error is below the estimate's for small ``H``. Between nodes ``A``
    is the cubic Hermite interpolant of ``A`` and :math:`\dot A = \dot F_2F_1 + F_2\dot F_1`
    (two more products per step); its error,
    :math:`\le H^4\max\|A^{(4)}\|/384`, is of the same order as the controlled one. Cost:
    14 ``d x d x d`` products per step (four evaluations of three, and the derivative).

    The yielded array is one buffer, overwritten by the next record: copy what must be kept.

    Parameters
    ----------
    F1, F2 : (d, d) arrays
        The pair at ``t = 0`` (e.g. :func:`balanced_factors` of ``A_0``).
    target : (d, d) array
    spacing : float
        Time between records (the network's step ``eta``).
    rate_bound : float
        An upper bound on the fastest rate of eq. (1) along the flow, :math:`2\sqrt{s_1(A(t))^2 + c^2}`
        (Tu et al. (2024), eq. (1): the spectrum of :math:`G \mapsto PG + GQ`). With
        :math:`s_1 = u^TAv`, :math:`\dot s_1 = -2\sqrt{s_1^2+c^2}\,(s_1 - u^TTv)`, so
        :math:`s_1(t) \le \max(s_1(0), \|T\|_{op})` (derived here).
    rtol : float
        Local error per step, relative to :math:`\|T\|_F`.
    fixed_step : float, optional
        Take this constant step instead (no control; for convergence tests).

    Examples
    --------
    >>> T = np.array([[2.0]]); F1 = np.array([[1.0]]); F2 = np.array([[0.0]])  # A0 = 0, c = 1/2
    >>> recs = balanced_flow_records(F1, F2, T, 0.1, rate_bound=2 * np.hypot(2.0, 0.5))
    >>> A = [float(next(recs)[0, 0]) for _ in range(11)]
    >>> from lazyrich import mixed_aligned_singular_value
    >>> bool(abs(A[10] - mixed_aligned_singular_value(1.0, 0.0, 2.0, 0.5)) < 1e-5)
    True
    """
    F1 = np.array(F1, dtype=float)
    F2 = np.array(F2, dtype=float)
    T = np.asarray(target, dtype=float)
    spacing = positive(spacing, "spacing")
    rate_bound = positive(rate_bound, "rate_bound")
    tol = positive(rtol, "rtol") * float(np.linalg.norm(T))
    r = rate_bound / 2
    n1 = np.sqrt(2 * r)  # ||F1||_op^2 = c + r <= 2r (c <= r)
    n2 = np.sqrt(r)  # ||F2||_op^2 = r - c <= r
    h_max = MAX_STEP_RATE / rate_bound
    H = h_max if fixed_step is None else float(fixed_step)
    # Buffers allocated once (a fresh d x d array per operation costs page faults). Stage gradients
    # g_j (the flow is -g_j) of F1 and F2 in slots of Ga, Gb: k2..k4 in 1..3, k1 and k5 alternate in 0
    # and 4 (first same as last). X holds A and M = -dA/dt at the two ends of a step (slots e0, e0 + 1
    # and e1, e1 + 1, alternating), so new states and records are each one matrix-vector product.
    Ga, Gb = np.zeros((5, *F1.shape)), np.zeros((5, *F1.shape))
    X = np.empty((4, *F1.shape))
    N1, N2, Y1, Y2, G, scratch, out = (np.empty_like(F1) for _ in range(7))
    flat_a, flat_b, flat_x, flat_out = Ga.reshape(5, -1), Gb.reshape(5, -1), X.reshape(4, -1), out.reshape(-1)
    i1, i5, e0, e1 = 0, 4, 0, 2
    _gradient(F1, F2, T, X[e0], G, Ga[i1], Gb[i1])
    np.matmul(Gb[i1], F1, out=X[e0 + 1])
    X[e0 + 1] += np.matmul(F2, Ga[i1], out=scratch)
    factor, t0, i = 1.0, 0.0, 0
    # no np.errstate here: a context entered in a generator would stay active in the caller while it
    # is suspended, and be restored out of order when it closes; overflow is checked explicitly
    while True:
        # one accepted step [t0, t0 + H], retried with a smaller H while the estimate exceeds tol
        while True:
            for j, prev, a in ((1, i1, H / 2), (2, 1, H / 2), (3, 2, H)):
                np.multiply(Ga[prev], -a, out=Y1)
                Y1 += F1
                np.multiply(Gb[prev], -a, out=Y2)
                Y2 += F2
                _gradient(Y1, Y2, T, X[e1], G, Ga[j], Gb[j])
            w = np.array([0.0, -H / 3, -H / 3, -H / 6, 0.0])  # N = F - H/6 (k1 + 2 k2 + 2 k3 + k4)
            w[i1] = -H / 6
            np.dot(w, flat_a, out=N1.reshape(-1))
            N1 += F1
            np.dot(w, flat_b, out=N2.reshape(-1))
            N2 += F2
            _gradient(N1, N2, T, X[e1], G, Ga[i5], Gb[i5])
            if not np.isfinite(np.sum(X[e1])):
                raise SimulationDivergedError(f"the eq. (1) integration overflowed at t = {t0 + H:g}")
            if fixed_step is not None:
                break
            err_a = float(np.linalg.norm(np.subtract(Ga[3], Ga[i5], out=scratch)))
            err_b = float(np.linalg.norm(np.subtract(Gb[3], Gb[i5], out=scratch)))
            err = (H / 6) * (err_b * n1 + n2 * err_a)
            if not np.isfinite(err):
                raise SimulationDivergedError(f"the eq. (1) integration overflowed at t = {t0 + H:g}")
            factor = min(4.0, max(0.2, 0.9 * (tol / err) ** 0.25)) if err > 0 else 4.0
            if err <= tol:
                break
            H *= factor
            if H < 1e-12 * h_max:
                raise SimulationDivergedError(f"eq. (1): no step above {H:g} meets the tolerance at t = {t0:g}")
        np.matmul(Gb[i5], N1, out=X[e1 + 1])
        X[e1 + 1] += np.matmul(N2, Ga[i5], out=scratch)
        # cubic Hermite interpolant of A and dA/dt = -M on [t0, t1], s = (t - t0) / H
        t1 = t0 + H
        w = np.empty(4)
        while i * spacing <= t1:
            s = (i * spacing - t0) / H
            w[e0], w[e0 + 1] = (1 + 2 * s) * (1 - s) ** 2, -H * s * (1 - s) ** 2
            w[e1], w[e1 + 1] = s * s * (3 - 2 * s), -H * s * s * (s - 1)
            np.dot(w, flat_x, out=flat_out)
            yield out
            i += 1
        F1, N1, F2, N2 = N1, F1, N2, F2
        i1, i5, e0, e1, t0 = i5, i1, e1, e0, t1
        if fixed_step is None:
            H = min(h_max, H * factor)
