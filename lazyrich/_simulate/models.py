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

from .._base.errors import ShapeError
from .._base.validation import as_matrix, as_scalar, as_vector, check_product_shapes, positive

__all__ = ["DeepLinearModel", "Model", "ReluNetworkModel", "SingleNeuronModel"]


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

    def __init__(self, sigma_yx, sigma_xx=None, tau: float = 1.0, depth: int = 2) -> None:
        self.sigma_yx = as_matrix(sigma_yx, "sigma_yx")
        n_in = self.sigma_yx.shape[1]
        self.sigma_xx = np.eye(n_in) if sigma_xx is None else as_matrix(sigma_xx, "sigma_xx", (n_in, n_in))
        if sigma_xx is not None and not np.allclose(
            self.sigma_xx, self.sigma_xx.T, rtol=0, atol=1e-12 * max(1.0, np.abs(self.sigma_xx).max())
        ):
            raise ShapeError("sigma_xx must be symmetric (it is X X^T / P)")
        self.tau = positive(tau, "tau")
        if not isinstance(depth, (int, np.integer)) or depth < 1:
            raise ShapeError(f"depth must be an integer >= 1; got {depth!r}")
        self.depth = int(depth)
        self.names = tuple(f"W{i + 1}" for i in range(self.depth))

    @classmethod
    def from_data(cls, X, Y, tau: float = 1.0, depth: int = 2) -> DeepLinearModel:
        """Build from data ``X`` (Ni x P, columns are samples) and ``Y`` (No x P)."""
        X = as_matrix(X, "X")
        Y = as_matrix(Y, "Y", (None, X.shape[1]))
        P = X.shape[1]
        return cls(Y @ X.T / P, X @ X.T / P, tau=tau, depth=depth)

    def check_params(self, params) -> tuple[np.ndarray, ...]:
        if len(params) != self.depth:
            raise ShapeError(f"expected {self.depth} weight matrices (W1..W{self.depth}); got {len(params)}")
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
        return self.sigma_yx - _chain(params, self.sigma_yx.shape[1]) @ self.sigma_xx

    def velocity(self, params):
        E = self.residual(params)
        out = []
        for layer in range(self.depth):
            above = _chain(params[layer + 1 :], params[layer].shape[0])
            below = _chain(params[:layer], params[0].shape[1])
            out.append(above.T @ E @ below.T / self.tau)
        return tuple(out)

    def loss(self, params) -> float:
        """Loss up to the data constant: ``1/2 tr(Pi Sxx Pi^T) - tr(Syx^T Pi)``."""
        Pi = _chain(params, self.sigma_yx.shape[1])
        return float(0.5 * np.trace(Pi @ self.sigma_xx @ Pi.T) - np.trace(self.sigma_yx.T @ Pi))


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
        if len(params) != 2:
            raise ShapeError(f"expected (a, w); got {len(params)} arrays")
        a = np.asarray(as_scalar(params[0], "a"))
        w = as_vector(params[1], "w", self.X.shape[1])
        return a, w

    def velocity(self, params):
        a, w = params
        g = self.X.T @ (self.X @ (a * w) - self.y)
        return np.asarray(-self.eta_a * (w @ g)), -self.eta_w * a * g

    def loss(self, params) -> float:
        a, w = params
        r = self.X @ (a * w) - self.y
        return float(0.5 * r @ r)


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
        if len(params) != 2:
            raise ShapeError(f"expected (a, W); got {len(params)} arrays")
        W = as_matrix(params[1], "W", (None, self.X.shape[1]))
        a = as_vector(params[0], "a", W.shape[0])
        return a, W

    def _act(self, z):
        return np.where(z > 0, z, self.leak * z), np.where(z > 0, 1.0, self.leak)

    def velocity(self, params):
        a, W = params
        act, dact = self._act(self.X @ W.T)
        r = act @ a - self.y
        ga = act.T @ r
        gW = ((dact * r[:, None]) * a[None, :]).T @ self.X
        return -self.eta_a * ga, -self.eta_w * gW

    def loss(self, params) -> float:
        a, W = params
        act, _ = self._act(self.X @ W.T)
        r = act @ a - self.y
        return float(0.5 * r @ r)
