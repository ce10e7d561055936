r"""Eq. (1) of Tu, Aranguri and Jacot, the self-consistent (mixed lazy/active) dynamics, as a simulated flow.

For the cost :math:`C(A) = \tfrac12\|A - T\|_F^2` (so :math:`G = A - T`):

.. math::
    \dot A = -(AA^T + c^2 I)^{1/2} G - G (A^T A + c^2 I)^{1/2}, \qquad c = \sigma^2 w.

Two discretisations are provided: the official code's update of ``B`` (forward Euler with the
square roots from an SVD, :func:`self_consistent_descent`), and gradient descent on a
:func:`balanced_factors` pair, whose gradient flow *is* eq. (1) and whose square roots are the
Gram matrices of its factors (no factorisation per step).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._base.errors import ShapeError, SimulationDivergedError
from .._base.validation import as_matrix, as_params, nonnegative, positive
from .flow import MAX_DESCENT_STEPS, Trajectory, gradient_descent, gradient_flow
from .models import Model, finite_result

__all__ = [
    "SelfConsistentModel",
    "balanced_factors",
    "self_consistent_descent",
    "self_consistent_flow",
    "self_consistent_velocity",
    "velocity_unchecked",
]


def self_consistent_velocity(A, target, c) -> np.ndarray:
    r"""Right-hand side of eq. (1): :math:`-(AA^T + c^2 I)^{1/2} G - G (A^T A + c^2 I)^{1/2}`, :math:`G = A - T`.

    The square roots come from one full SVD :math:`A = U S V^T`: in that basis
    the operator multiplies :math:`\tilde G = U^T G V` entrywise by
    :math:`\sqrt{s_i^2+c^2} + \sqrt{s_j^2+c^2}` (the Kronecker-sum spectrum of
    Tu et al. (2024), eq. (1), derived here; singular values beyond the rank count as 0). ``c = 0`` gives
    the balanced (Arora et al.) limit, claim 12.

    >>> A = np.diag([1.0, 0.0]); T = np.eye(2)
    >>> V = self_consistent_velocity(A, T, 1.0)  # rate sqrt(0 + 1) + sqrt(0 + 1) = 2 on the zero direction
    >>> round(float(V[1, 1]), 12), round(float(abs(V).sum() - abs(V[1, 1])), 12)
    (2.0, 0.0)
    """
    A = as_matrix(A, "A")
    T = as_matrix(target, "target", A.shape)
    c = nonnegative(c, "c")
    return velocity_unchecked(A, T, c)


def velocity_unchecked(A: np.ndarray, T: np.ndarray, c: float) -> np.ndarray:
    """:func:`self_consistent_velocity` without input checks (one full SVD of ``A``).

    An overflow, or an SVD that does not converge (entries near the float64 limit), raises
    :class:`~lazyrich.SimulationDivergedError`.
    """
    with np.errstate(all="ignore"):
        try:
            U, s, Vt = np.linalg.svd(A, full_matrices=True)
        except np.linalg.LinAlgError as exc:
            raise SimulationDivergedError(
                f"the SVD of A failed ({exc}); rescale A and the target towards O(1)"
            ) from None
        d_out, d_in = A.shape
        s_out = np.zeros(d_out)
        s_out[: s.size] = s
        s_in = np.zeros(d_in)
        s_in[: s.size] = s
        p = np.hypot(s_out, c)
        q = np.hypot(s_in, c)
        Gt = U.T @ (A - T) @ Vt.T
        return finite_result(-(U @ ((p[:, None] + q[None, :]) * Gt) @ Vt), "velocity of eq. (1)")


def balanced_factors(A, c) -> tuple[np.ndarray, np.ndarray]:
    r"""A width-``d_in`` pair ``(F1, F2)`` whose gradient flow is exactly eq. (1) with threshold ``c``.

    With the full SVD :math:`A = U S V^T` (square ``A``) and :math:`r_i = \sqrt{s_i^2 + c^2}`,

    .. math::
        F_1 = \operatorname{diag}\big(\sqrt{c + r_i}\big) V^T, \qquad
        F_2 = U \operatorname{diag}\big(\sqrt{r_i - c}\big)

    (``r_i - c`` evaluated as :math:`s_i^2 / (c + r_i)`, without cancellation). Then
    :math:`F_2 F_1 = A` and :math:`F_1 F_1^T - F_2^T F_2 = 2c\,I`: the pair is
    λ-balanced with :math:`\lambda = 2c` (Dominé et al. (2025), assumption A2) at hidden width
    ``d_in``. Gradient flow conserves this imbalance, and on it
    :math:`F_1^T F_1 = c + (A^T A + c^2)^{1/2}`, :math:`F_2 F_2^T = (A A^T + c^2)^{1/2} - c`, so
    the weight-space velocity :math:`\dot A = -(F_2F_2^T G + G F_1^T F_1)` is eq. (1) of Tu et al.
    (2024) exactly, the shifts :math:`\pm c` cancelling (derived here). Gradient descent on the
    pair is therefore a first-order discretisation of eq. (1) whose square roots cost two
    products per step; it differs from the Euler update by :math:`O(\eta^2)` per step (the
    product term :math:`\eta^2 G A^T G` and the imbalance drift of gradient descent).

    Parameters
    ----------
    A : (d, d) array
    c : float
        The threshold :math:`c = \sigma^2 w > 0`.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> A, T = rng.standard_normal((3, 3)), rng.standard_normal((3, 3))
    >>> F1, F2 = balanced_factors(A, 0.7)
    >>> bool(np.allclose(F2 @ F1, A) and np.allclose(F1 @ F1.T - F2.T @ F2, 1.4 * np.eye(3)))
    True
    >>> G = A - T
    >>> bool(np.allclose(-(F2 @ F2.T @ G + G @ F1.T @ F1), self_consistent_velocity(A, T, 0.7)))
    True
    """
    A = as_matrix(A, "A")
    if A.shape[0] != A.shape[1]:
        raise ShapeError(f"balanced_factors needs a square A (d_in = d_out); got shape {A.shape}")
    c = positive(c, "c")
    with np.errstate(all="ignore"):
        try:
            U, s, Vt = np.linalg.svd(A)
        except np.linalg.LinAlgError as exc:
            raise SimulationDivergedError(f"the SVD of A failed ({exc}); rescale A towards O(1)") from None
        r = np.hypot(s, c)
        x = c + r
        F1 = np.sqrt(x)[:, None] * Vt
        F2 = U * np.sqrt(s * (s / x))[None, :]
        return finite_result((F1, F2), "balanced factors")


@dataclass(init=False)
class SelfConsistentModel(Model):
    r"""Eq. (1) as a :class:`Model` with the single parameter ``A``: ``gradient_flow``/``gradient_descent`` apply.

    Loss :math:`C(A) = \frac12\|A - T\|_F^2`; velocity :func:`self_consistent_velocity`.
    """

    target: np.ndarray
    c: float

    names = ("A",)

    def __init__(self, target, c: float) -> None:
        self.target = as_matrix(target, "target")
        self.c = nonnegative(c, "c")

    def check_params(self, params):
        params = as_params(params, "the parameters (A,)", 1)
        return (as_matrix(params[0], "A", self.target.shape),)

    def velocity(self, params):
        return (velocity_unchecked(params[0], self.target, self.c),)

    def loss(self, params) -> float:
        with np.errstate(all="ignore"):
            R = params[0] - self.target
            return finite_result(float(0.5 * np.sum(R * R)), "loss")


def self_consistent_flow(
    A0, target, c, t, rtol: float = 1e-12, atol: float | None = None, *, max_evaluations: int = 1_000_000
) -> Trajectory:
    r"""Integrate eq. (1) from ``A0`` (float64, DOP853) and sample at ``t``.

    .. math::
        \dot A = -(AA^T + c^2 I)^{1/2} (A - T) - (A - T)(A^T A + c^2 I)^{1/2}

    (Tu et al. (2024), eq. (1); cost :math:`\frac12\|A - T\|_F^2`). ``max_evaluations`` bounds
    the work as in :func:`~lazyrich.gradient_flow`. Returns a
    :class:`Trajectory` with the single parameter ``"A"`` (``traj["A"]`` has shape
    ``(len(t), d_out, d_in)``).

    Examples
    --------
    >>> tr = self_consistent_flow(np.array([[0.1]]), np.array([[2.0]]), 0.5, [0.0, 1.0])
    >>> from lazyrich import mixed_aligned_singular_value
    >>> x = mixed_aligned_singular_value(1.0, 0.1, 2.0, 0.5)
    >>> bool(abs(tr["A"][-1, 0, 0] - x) < 1e-10)
    True
    """
    model = SelfConsistentModel(target, c)
    return gradient_flow(model, (A0,), t, rtol=rtol, atol=atol, max_evaluations=max_evaluations)


def self_consistent_descent(A0, target, c, step: float, t, *, max_steps: int = MAX_DESCENT_STEPS) -> Trajectory:
    r"""Discretised eq. (1) with the gradient-descent step rule: :math:`A \leftarrow A - \eta\,[P G + G Q]`.

    ``step`` is the learning rate :math:`\eta` of the weight-space gradient
    descent it is compared with (the official code's update of ``B`` for
    Tu et al. (2024), Fig. 1); ``t`` must be whole multiples of ``step`` (``k`` steps sit at ``t = k step``),
    at most ``max_steps`` of them (as :func:`~lazyrich.gradient_descent`).

    >>> tr = self_consistent_descent(np.array([[0.0]]), np.array([[1.0]]), 1.0, 0.1, [0.0, 0.1])
    >>> round(float(tr["A"][-1, 0, 0]), 12)  # 0 - 0.1 * (1 + 1) * (0 - 1)
    0.2
    """
    model = SelfConsistentModel(target, c)
    return gradient_descent(model, (A0,), step, t, max_steps=max_steps)
