r"""Eq. (1) of Tu, Aranguri and Jacot, the self-consistent (mixed lazy/active) dynamics, as a simulated flow.

For the cost :math:`C(A) = \tfrac12\|A - T\|_F^2` (so :math:`G = A - T`):

.. math::
    \dot A = -(AA^T + c^2 I)^{1/2} G - G (A^T A + c^2 I)^{1/2}, \qquad c = \sigma^2 w.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._base.errors import ShapeError
from .._base.validation import as_matrix, nonnegative
from .flow import Trajectory, gradient_descent, gradient_flow
from .models import Model

__all__ = [
    "SelfConsistentModel",
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
    digest §2.5; singular values beyond the rank count as 0). ``c = 0`` gives
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
    U, s, Vt = np.linalg.svd(A, full_matrices=True)
    d_out, d_in = A.shape
    s_out = np.zeros(d_out)
    s_out[: s.size] = s
    s_in = np.zeros(d_in)
    s_in[: s.size] = s
    p = np.hypot(s_out, c)
    q = np.hypot(s_in, c)
    Gt = U.T @ (A - T) @ Vt.T
    return -(U @ ((p[:, None] + q[None, :]) * Gt) @ Vt)


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
        if len(params) != 1:
            raise ShapeError(f"the self-consistent model has one parameter (A); got {len(params)}")
        return (as_matrix(params[0], "A", self.target.shape),)

    def velocity(self, params):
        return (velocity_unchecked(params[0], self.target, self.c),)

    def loss(self, params) -> float:
        R = params[0] - self.target
        return float(0.5 * np.sum(R * R))


def self_consistent_flow(A0, target, c, t, rtol: float = 1e-12, atol: float | None = None) -> Trajectory:
    r"""Integrate eq. (1) from ``A0`` (float64, DOP853) and sample at ``t``.

    .. math::
        \dot A = -(AA^T + c^2 I)^{1/2} (A - T) - (A - T)(A^T A + c^2 I)^{1/2}

    (digest §2.1; cost :math:`\frac12\|A - T\|_F^2`). Returns a
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
    return gradient_flow(model, (A0,), t, rtol=rtol, atol=atol)


def self_consistent_descent(A0, target, c, step: float, t) -> Trajectory:
    r"""Discretised eq. (1) with the gradient-descent step rule: :math:`A \leftarrow A - \eta\,[P G + G Q]`.

    ``step`` is the learning rate :math:`\eta` of the weight-space gradient
    descent it is compared with (the official code's update of ``B``, digest
    §2.1); ``t`` must be whole multiples of ``step`` (``k`` steps sit at ``t = k step``).

    >>> tr = self_consistent_descent(np.array([[0.0]]), np.array([[1.0]]), 1.0, 0.1, [0.0, 0.1])
    >>> round(float(tr["A"][-1, 0, 0]), 12)  # 0 - 0.1 * (1 + 1) * (0 - 1)
    0.2
    """
    model = SelfConsistentModel(target, c)
    return gradient_descent(model, (A0,), step, t)
