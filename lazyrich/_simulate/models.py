"""Loss landscapes of the models lazyrich simulates, as gradient-flow vector fields.

Each model knows its parameter names and shapes, its loss, and its *velocity*:
the right-hand side of the gradient flow (minus the gradient, scaled by the
layer learning rates or by ``1/tau``). :mod:`lazyrich._simulate.flow` integrates it
(gradient flow) or steps along it (gradient descent).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .._base.errors import InvalidParameterError, ShapeError, SimulationDivergedError
from .._base.validation import (
    as_matrix,
    as_params,
    as_scalar,
    as_vector,
    check_product_shapes,
    positive,
    positive_int,
)

__all__ = ["MAX_DEPTH", "DeepLinearModel", "Model", "ReluNetworkModel", "SingleNeuronModel", "finite_result"]


#: Largest ``depth`` of a :class:`DeepLinearModel` unless ``max_depth=`` raises it (a depth is a list of
#: that many weight matrices; far above this it is a typo, refused before anything is allocated).
MAX_DEPTH = 10_000


def finite_result(value, what: str):
    """``value`` (an array, a tuple of arrays or a float) if every entry is finite, else a typed error.

    The models compute under ``np.errstate(all="ignore")`` and call this on what they return, so an
    overflow (weights too large for float64) surfaces as :class:`SimulationDivergedError`, never as a
    numpy warning or a NaN.
    """
    parts = value if isinstance(value, tuple) else (value,)
    if not all(np.isfinite(p).all() for p in parts):
        raise SimulationDivergedError(
            f"the {what} overflowed float64 at these parameters; rescale the weights (or the data) towards O(1)"
        )
    return value


class Model:
    """Interface: ``names``, ``check_params``, ``velocity`` and ``loss``."""

    names: tuple[str, ...] = ()

    def check_params(self, params: Sequence) -> tuple[np.ndarray, ...]:  # pragma: no cover - interface
        raise NotImplementedError

    def velocity(self, params: Sequence[np.ndarray]) -> tuple[np.ndarray, ...]:  # pragma: no cover
        raise NotImplementedError

    def loss(self, params: Sequence[np.ndarray]) -> float:  # pragma: no cover
        raise NotImplementedError


def _chain(mats: Sequence[np.ndarray], n: int) -> np.ndarray:
    """``mats[-1] @ ... @ mats[0]`` (identity of size n when empty)."""
    out = np.eye(n)
    for m in mats:
        out = m @ out
    return out


@dataclass(init=False)
class DeepLinearModel(Model):
    r"""Deep linear network ``W_L ... W_1`` trained on the squared loss.

    .. math::
        \mathcal L = \tfrac12 \operatorname{tr}(\Pi \Sigma_{xx} \Pi^T) - \operatorname{tr}(\Sigma_{yx}^T \Pi) + c,
        \qquad \Pi = W_L\cdots W_1,

    equal to :math:`\frac1{2P}\|Y - \Pi X\|_F^2` up to a constant, with gradient flow
    :math:`\tau \dot W_l = A_l^T(\Sigma_{yx} - \Pi\Sigma_{xx})B_l^T`, where
    :math:`A_l = W_L\cdots W_{l+1}` and :math:`B_l = W_{l-1}\cdots W_1`
    (the gradient flow of Dominé et al. (2025), set-up; for L = 2 the paper's equations for :math:`W_1, W_2`).

    Parameters
    ----------
    sigma_yx : (No, Ni) array
        Input-output correlation :math:`\Sigma_{yx} = \frac1P Y X^T`.
    sigma_xx : (Ni, Ni) array, optional
        Input correlation; the identity (whitened inputs) by default.
    tau : float
        Time constant (``tau = 1/eta``).
    depth : int
        Number of weight matrices L (2 for the two-layer network).
    max_depth : int, keyword-only
        Limit on ``depth`` (:data:`MAX_DEPTH` = 10000 by default), checked before anything is built;
        raise it to allow deeper networks.

    Raises
    ------
    InvalidParameterError
        ``sigma_xx`` is not positive semi-definite, or ``depth`` is above ``max_depth``.
    SimulationDivergedError
        (from ``velocity``/``loss``) the weights overflow float64: rescale them.

    Examples
    --------
    >>> import numpy as np
    >>> m = DeepLinearModel(np.array([[2.0]]))
    >>> v1, v2 = m.velocity((np.array([[1.0]]), np.array([[1.0]])))
    >>> float(v1[0, 0]), float(v2[0, 0])
    (1.0, 1.0)
    """

    sigma_yx: np.ndarray
    sigma_xx: np.ndarray
    tau: float
    depth: int

    def __init__(
        self, sigma_yx, sigma_xx=None, tau: float = 1.0, depth: int = 2, *, max_depth: int = MAX_DEPTH
    ) -> None:
        self.sigma_yx = as_matrix(sigma_yx, "sigma_yx")
        n_in = self.sigma_yx.shape[1]
        self.sigma_xx = np.eye(n_in) if sigma_xx is None else as_matrix(sigma_xx, "sigma_xx", (n_in, n_in))
        if sigma_xx is not None:
            _check_covariance(self.sigma_xx)
        self.tau = positive(tau, "tau")
        self.depth = positive_int(depth, "depth", error=ShapeError)
        limit = positive_int(max_depth, "max_depth")
        if self.depth > limit:
            raise InvalidParameterError(
                f"depth={self.depth} is above the limit max_depth={limit}; pass a larger max_depth= to allow it"
            )
        self.names = tuple(f"W{i + 1}" for i in range(self.depth))

    @classmethod
    def from_data(cls, X, Y, tau: float = 1.0, depth: int = 2) -> DeepLinearModel:
        """Build from data ``X`` (Ni x P, columns are samples) and ``Y`` (No x P)."""
        X = as_matrix(X, "X")
        Y = as_matrix(Y, "Y", (None, X.shape[1]))
        P = X.shape[1]
        with np.errstate(all="ignore"):
            syx, sxx = finite_result((Y @ X.T / P, X @ X.T / P), "data correlations")
        return cls(syx, sxx, tau=tau, depth=depth)

    def check_params(self, params) -> tuple[np.ndarray, ...]:
        params = as_params(params, f"the weights (W1..W{self.depth})", self.depth)
        mats = tuple(as_matrix(p, n) for p, n in zip(params, self.names))
        check_product_shapes(self.names, mats)
        n_out, n_in = self.sigma_yx.shape
        if mats[0].shape[1] != n_in:
            raise ShapeError(f"W1 has {mats[0].shape[1]} columns but sigma_yx has {n_in} inputs (columns)")
        if mats[-1].shape[0] != n_out:
            raise ShapeError(f"{self.names[-1]} has {mats[-1].shape[0]} rows but sigma_yx has {n_out} outputs (rows)")
        return mats

    def residual(self, params) -> np.ndarray:
        """``E = Sigma_yx - W_L ... W_1 Sigma_xx``."""
        with np.errstate(all="ignore"):
            return finite_result(self.sigma_yx - _chain(params, self.sigma_yx.shape[1]) @ self.sigma_xx, "residual")

    def velocity(self, params):
        n_in = self.sigma_yx.shape[1]
        with np.errstate(all="ignore"):  # one context and one check per call: this runs in every flow's inner loop
            E = self.sigma_yx - _chain(params, n_in) @ self.sigma_xx
            out = tuple(
                _chain(params[layer + 1 :], params[layer].shape[0]).T @ E @ _chain(params[:layer], n_in).T / self.tau
                for layer in range(self.depth)
            )
        return finite_result(out, "velocity")

    def loss(self, params) -> float:
        """Loss up to the data constant: ``1/2 tr(Pi Sxx Pi^T) - tr(Syx^T Pi)``."""
        with np.errstate(all="ignore"):
            Pi = _chain(params, self.sigma_yx.shape[1])
            return finite_result(
                float(0.5 * np.trace(Pi @ self.sigma_xx @ Pi.T) - np.trace(self.sigma_yx.T @ Pi)), "loss"
            )


def _check_covariance(sxx: np.ndarray) -> None:
    """``Sigma_xx = X X^T / P`` is symmetric positive semi-definite (a negative eigenvalue makes the flow diverge)."""
    scale = max(1.0, float(np.abs(sxx).max()))
    if not np.allclose(sxx, sxx.T, rtol=0, atol=1e-12 * scale):
        raise ShapeError("sigma_xx must be symmetric (it is X X^T / P)")
    # the smallest eigenvalue of a PSD matrix computed in float64 is >= -n eps |Sxx| (Weyl, backward stable eigh)
    low = float(np.linalg.eigvalsh((sxx + sxx.T) / 2)[0])
    if low < -sxx.shape[0] * np.finfo(float).eps * scale:
        raise InvalidParameterError(
            f"sigma_xx must be positive semi-definite (it is X X^T / P); its smallest eigenvalue is {low:.3g}"
        )


def _data(X, y) -> tuple[np.ndarray, np.ndarray]:
    X = as_matrix(X, "X")
    y = as_vector(y, "y", X.shape[0])
    return X, y


@dataclass(init=False)
class SingleNeuronModel(Model):
    r"""Single hidden neuron ``f(x) = a w^T x`` with layer learning rates (Kunin et al. (2024), Sec. 3, eq. (2)).

    .. math::
        \mathcal L = \tfrac12\|X a w - y\|^2,\qquad
        \dot a = -\eta_a w^T X^T(X\beta - y),\qquad \dot w = -\eta_w a X^T(X\beta - y).

    ``X`` is ``n x d`` (rows are samples), ``y`` has length ``n``. Parameters are
    ``(a, w)`` with ``a`` a 0-d array and ``w`` a length-d vector.

    Examples
    --------
    >>> import numpy as np
    >>> m = SingleNeuronModel(np.eye(2), [1.0, 0.0], eta_a=2.0)
    >>> va, vw = m.velocity((np.asarray(1.0), np.array([0.5, 0.0])))
    >>> float(va), (vw + 0.0).tolist()  # beta = (0.5, 0), gradient g = beta - y = (-0.5, 0)
    (0.5, [0.5, 0.0])
    """

    X: np.ndarray
    y: np.ndarray
    eta_a: float
    eta_w: float

    names = ("a", "w")

    def __init__(self, X, y, eta_a: float = 1.0, eta_w: float = 1.0) -> None:
        self.X, self.y = _data(X, y)
        self.eta_a = positive(eta_a, "eta_a")
        self.eta_w = positive(eta_w, "eta_w")

    def check_params(self, params):
        params = as_params(params, "the parameters (a, w)", 2)
        a = np.asarray(as_scalar(params[0], "a"))
        w = as_vector(params[1], "w", self.X.shape[1])
        return a, w

    def velocity(self, params):
        a, w = params
        with np.errstate(all="ignore"):
            g = self.X.T @ (self.X @ (a * w) - self.y)
            return finite_result((np.asarray(-self.eta_a * (w @ g)), -self.eta_w * a * g), "velocity")

    def loss(self, params) -> float:
        a, w = params
        with np.errstate(all="ignore"):
            r = self.X @ (a * w) - self.y
            return finite_result(float(0.5 * r @ r), "loss")


@dataclass(init=False)
class ReluNetworkModel(Model):
    r"""Two-layer (leaky) ReLU network ``f(x) = a^T sigma(W x)`` (Kunin et al. (2024), Sec. 5).

    ``sigma(z) = max(z, leak z)``; ``leak = 0`` is ReLU, ``leak = 1`` linear.

    .. math::
        \mathcal L = \tfrac12\sum_i (f(x_i) - y_i)^2,\quad
        \dot a_k = -\eta_a \sum_i \sigma(w_k^T x_i) r_i,\quad
        \dot w_k = -\eta_w a_k \sum_i \sigma'(w_k^T x_i) r_i x_i .

    Examples
    --------
    >>> import numpy as np
    >>> m = ReluNetworkModel(np.array([[1.0], [-1.0]]), [1.0, 0.0])
    >>> m.loss((np.array([1.0]), np.array([[2.0]])))  # f = (2, 0): residuals (1, 0)
    0.5
    """

    X: np.ndarray
    y: np.ndarray
    eta_a: float
    eta_w: float
    leak: float

    names = ("a", "W")

    def __init__(self, X, y, eta_a: float = 1.0, eta_w: float = 1.0, leak: float = 0.0) -> None:
        self.X, self.y = _data(X, y)
        self.eta_a = positive(eta_a, "eta_a")
        self.eta_w = positive(eta_w, "eta_w")
        self.leak = as_scalar(leak, "leak")
        if not 0.0 <= self.leak <= 1.0:
            raise ShapeError(f"leak must lie in [0, 1]; got {self.leak}")

    def check_params(self, params):
        params = as_params(params, "the parameters (a, W)", 2)
        W = as_matrix(params[1], "W", (None, self.X.shape[1]))
        a = as_vector(params[0], "a", W.shape[0])
        return a, W

    def _act(self, z):
        return np.where(z > 0, z, self.leak * z), np.where(z > 0, 1.0, self.leak)

    def velocity(self, params):
        a, W = params
        with np.errstate(all="ignore"):
            act, dact = self._act(self.X @ W.T)
            r = act @ a - self.y
            ga = act.T @ r
            gW = ((dact * r[:, None]) * a[None, :]).T @ self.X
            return finite_result((-self.eta_a * ga, -self.eta_w * gW), "velocity")

    def loss(self, params) -> float:
        a, W = params
        with np.errstate(all="ignore"):
            act, _ = self._act(self.X @ W.T)
            r = act @ a - self.y
            return finite_result(float(0.5 * r @ r), "loss")
