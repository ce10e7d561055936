r"""The self-consistent (mixed lazy/active) dynamics of Tu, Aranguri and Jacot.

Eq. (1) of the paper (digest §2.1), for the cost
:math:`C(A) = \tfrac12\|A - T\|_F^2` (so :math:`G = \nabla C(A) = A - T`, the cost the
official code minimises, digest §1.2):

.. math::
    \dot A = -(AA^T + c^2 I)^{1/2} G - G (A^T A + c^2 I)^{1/2}, \qquad c = \sigma^2 w,

and its exact aligned solution (digest §2.4).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import mpmath as mp
import numpy as np

from ._errors import InvalidParameterError, ShapeError
from ._models import Model
from ._numeric_backend import MpmathScalar, confirmed_mpmath
from ._simulate import Trajectory, gradient_descent, gradient_flow
from ._validation import as_matrix, as_scalar, as_time_grid, nonnegative

__all__ = [
    "SelfConsistentModel",
    "mixed_aligned_singular_value",
    "self_consistent_descent",
    "self_consistent_flow",
    "self_consistent_velocity",
]

# Below this ratio c / max(|s0|, |s*|, c), c**2 (and products of two such
# terms) would underflow in float64: evaluate the same formula in mpmath instead.
_TINY_RATIO = 1e-100


def _logistic(t, x0, a, lib):
    """Solution of ``dx/dt = 2 x (a - x)`` from ``x0 > 0`` (Saxe et al.), overflow-free for all ``t >= 0``."""
    if a > 0:
        e, phi = lib.exp(-2 * a * t), -lib.expm1(-2 * a * t) / a
        return x0 / (e + x0 * phi)
    if a == 0:
        return x0 / (1 + 2 * x0 * t)
    # a < 0: multiply numerator and denominator by exp(2 a t) <= 1
    e = lib.exp(2 * a * t)
    return x0 * e / (1 + x0 * lib.expm1(2 * a * t) / a)


def _mixed_closed_form(t, s0, st, c, lib):
    """``s(t)`` for ``c > 0`` from the Riccati solution, every sum of positive terms (no cancellation).

    With ``q = c v = c e^u`` (``s = c sinh u``) one gets ``q(t) = N / D`` where
    ``N = p* p0 + m (p* f + p0 e)``, ``D = p0 f + p* e + m``, ``e = exp(-2Rt)``,
    ``f = 1 - e``, ``p* = s* + R``, ``m = R - s* = c^2 / p*``, ``p0 = s0 + sqrt(s0^2 + c^2)``.
    """
    R = lib.hypot(st, c)
    if st >= 0:
        p_star = st + R
        m = c * c / p_star
    else:
        m = R - st
        p_star = c * c / m
    r0 = lib.hypot(s0, c)
    p0 = s0 + r0 if s0 >= 0 else c * c / (r0 - s0)
    e = lib.exp(-2 * R * t)
    f = -lib.expm1(-2 * R * t)
    q = (p_star * p0 + m * (p_star * f + p0 * e)) / (p0 * f + p_star * e + m)
    return (q - c * c / q) / 2


def _solution_mp(t, s0, st, c, lib=MpmathScalar):
    """The exact solution for every ``c >= 0`` over an exact-arithmetic namespace (mpmath or Arb)."""
    if c == 0:
        if s0 == 0:
            return 0 * t
        return _logistic(t, s0, st, lib) if s0 > 0 else -_logistic(t, -s0, -st, lib)
    return _mixed_closed_form(t, s0, st, c, lib)


def mixed_direct(t, s0, st, c, lib):
    r"""The Riccati solution of digest §2.4 literally (kept to show where it fails; needs ``c > 0``).

    .. math::
        v(t) = \frac{v_+ - v_-K_0e^{-2Rt}}{1 - K_0e^{-2Rt}},\quad s = \frac c2\Big(v - \frac1v\Big),\quad
        v_\pm = \frac{s^*\pm R}{c},\ v_0 = \frac{s_0 + \sqrt{s_0^2 + c^2}}{c},\ K_0 = \frac{v_0 - v_+}{v_0 - v_-}.

    ``v_-`` and ``v - 1/v`` cancel when ``c`` is small against ``s*`` or ``s``.
    """
    R = lib.sqrt(st * st + c * c)
    vp, vm = (st + R) / c, (st - R) / c
    v0 = (s0 + lib.sqrt(s0 * s0 + c * c)) / c
    K0 = (v0 - vp) / (v0 - vm)
    e = lib.exp(-2 * R * t)
    v = (vp - vm * K0 * e) / (1 - K0 * e)
    return c / 2 * (v - 1 / v)


def _guard_digits(R, t) -> int:
    """Working digits the stable form can lose at ``t``: the exponent ``2 R t`` carries its own rounding."""
    return 10 + math.ceil(math.log10(1.0 + 2.0 * R * float(t)))


def mixed_aligned_singular_value(t, s0, s_target, c, dps: int | None = None):
    r"""Exact aligned singular value of eq. (1): solves :math:`\dot s = 2\sqrt{s^2+c^2}\,(s^* - s)`.

    When :math:`A(0)` and the target share singular vectors, eq. (1) with
    :math:`C(A) = \frac12\|A - T\|_F^2` decouples into this scalar ODE per
    singular value (digest §2.4, claims 15-16). With :math:`s = c\sinh u` and
    :math:`v = e^u` it is a Riccati equation whose solution is

    .. math::
        v(t) = \frac{v_+ - v_- K_0 e^{-2Rt}}{1 - K_0 e^{-2Rt}},\quad
        s(t) = \frac c2\Big(v - \frac1v\Big),\quad R = \sqrt{s^{*2}+c^2},\
        v_\pm = \frac{s^* \pm R}{c},\ K_0 = \frac{v_0 - v_+}{v_0 - v_-}.

    It is evaluated in a rearranged form whose numerator and denominator are
    sums of positive terms, so it is accurate for every ``t >= 0``, any real
    ``s0`` and ``s_target``, and uniformly as ``c -> 0``; ``c = 0`` gives the Saxe
    logistic law :math:`s = s^* s_0 / (s_0 + (s^* - s_0)e^{-2s^*t})` (its
    mirror image for ``s0 < 0``). Very small ``c`` relative to ``s0, s*``
    (ratio below 1e-100, where ``c**2`` would underflow) is evaluated in mpmath.

    Parameters
    ----------
    t : float or 1-D array, >= 0
        Times.
    s0, s_target : float
        Initial and target singular values (any real numbers).
    c : float, >= 0
        Threshold :math:`\sigma^2 w`.
    dps : int, optional
        Return ``mpf`` values (a list for a sequence ``t``) correct to ``dps`` significant digits
        (``>= 15``): the same formula in mpmath at ``dps + 10 + log10(1 + 2 R t_max)`` working digits,
        confirmed by re-evaluation higher up; inputs may then be mpf or strings.

    Returns
    -------
    float or ndarray (float64), or mpf / list of mpf when ``dps`` is given.

    Examples
    --------
    >>> round(mixed_aligned_singular_value(0.0, 0.3, 2.0, 0.5), 12)
    0.3
    >>> round(float(mixed_aligned_singular_value(50.0, -1.0, 2.0, 0.5)), 12)
    2.0
    >>> # c -> 0 recovers the logistic law
    >>> x = mixed_aligned_singular_value(1.0, 0.1, 1.0, 1e-12)
    >>> bool(abs(x - 0.1 / (0.1 + 0.9 * np.exp(-2.0))) < 1e-12)
    True
    """
    if dps is not None:
        if isinstance(dps, bool) or not isinstance(dps, (int, np.integer)) or dps < 15:
            raise InvalidParameterError(f"dps must be an integer >= 15 (use dps=None for float64); got {dps!r}")
        with mp.workdps(int(dps) + 20):  # validation and the guard's rate only
            cm = mp.mpf(c)
            if cm < 0:
                raise InvalidParameterError(f"c must be >= 0 (it is sigma^2 w); got {cm}")
            items = [t] if np.ndim(t) == 0 else list(t)
            if any(mp.mpf(x) < 0 for x in items):
                raise InvalidParameterError("t must be >= 0 (the solution runs forward from t = 0)")
            rate = float(mp.hypot(mp.mpf(s_target), cm))

        def prepare():
            m = MpmathScalar.mpf
            a = m(s0), m(s_target), m(c)
            return lambda x: [_solution_mp(m(x), *a)]

        guard = _guard_digits(rate, max(mp.mpf(x) for x in items))  # one guard (from the largest t)
        vals = [v[0] for v in confirmed_mpmath(prepare, items, int(dps), lambda x: guard)]
        return vals[0] if np.ndim(t) == 0 else vals
    grid, scalar = as_time_grid(t)
    s0 = as_scalar(s0, "s0")
    st = as_scalar(s_target, "s_target")
    c = nonnegative(c, "c")
    # The ODE is invariant under (s, s*, c, t) -> (s/L, s*/L, c/L, L t): work at scale L = 1.
    scale = max(abs(s0), abs(st), c)
    if scale == 0.0:
        out = np.zeros_like(grid)
    elif c == 0.0 or c / scale < _TINY_RATIO:
        with mp.workdps(30):
            vals = [_solution_mp(mp.mpf(float(x)), mp.mpf(s0), mp.mpf(st), mp.mpf(c)) for x in grid]
            out = np.array([float(v) for v in vals])
    else:
        with np.errstate(under="ignore", over="ignore"):  # exp(-2Rt) -> 0 (t -> inf) is the intended limit
            out = scale * _mixed_closed_form(grid * scale, s0 / scale, st / scale, c / scale, np)
    return float(out[0]) if scalar else out


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
    return _velocity(A, T, c)


def _velocity(A: np.ndarray, T: np.ndarray, c: float) -> np.ndarray:
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
        return (_velocity(params[0], self.target, self.c),)

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
