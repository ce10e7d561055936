r"""Certified enclosures of quantities derived from the two-layer exact solution (Arb, python-flint).

:func:`lazyrich.certified_qqt` encloses :math:`QQ^T(t)` at finite ``t``. The claims also use
quantities with no direct Arb evaluator: the long-time limit :math:`QQ^T(\infty) = 2P_+\tilde
S_\lambda P_+^T` (derived here (Dominé et al. (2025), Sec. 4)), the NTK built from :math:`QQ^T`
(Dominé et al. (2025), eq. (5)) and the kernel distance (Fort et al. (2020))
between two NTKs. This module encloses them with Arb ball arithmetic on top of the enclosures of
:mod:`lazyrich._numerics.arb`, so every returned ball contains the exact value for the float inputs
(taken as exact binary numbers).

The limit is :math:`2P_+\tilde S_\lambda P_+^T` with the eigenvectors :math:`p_+` of ``F`` (or, for
repeated task singular values, a basis of each cluster's eigenspace) enclosed by
:func:`lazyrich._exact.two_layer_arb_spectrum.arb_spectrum` and checked by its residual.
"""

from __future__ import annotations

import numpy as np

from .._base.errors import InvalidParameterError, PrecisionError, ShapeError
from .._base.validation import as_bits, as_matrix, as_scalar, positive_int
from .._numerics.arb import MAX_PREC, Enclosure, arb_matrix, auto_precision, require_flint
from .two_layer_arb import balls_array, limit_balls
from .two_layer_arb_spectrum import arb_spectrum, check_spectrum
from .two_layer_spectrum import check_full_rank_task, riccati_matrix

__all__ = ["certified_kernel_distance", "certified_ntk", "certified_qqt_limit"]


def certified_qqt_limit(sigma_yx, lam: float, bits: int = 100) -> Enclosure:
    r"""Certified enclosure of :math:`QQ^T(\infty) = 2P_+\tilde S_\lambda P_+^T` (derived here (Dominé et al. (2025), Sec. 4), claim 9).

    The limit of :meth:`TwoLayerExact.qqt_limit` (pass ``net.sigma_yx, net.lam`` for a network).

    Parameters
    ----------
    sigma_yx : (N_o, N_i) array
        The task, full rank ``m = min(N_i, N_o)`` (repeated singular values allowed); taken as exact.
    lam : float
        The balance lambda, taken as exact.
    bits : int
        Requested relative accuracy: radius <= ``2^-bits`` times the largest entry.

    Returns
    -------
    Enclosure
        Balls of shape ``(n, n)``, ``n = N_i + N_o``.

    Raises
    ------
    InvalidParameterError
        ``sigma_yx`` is rank deficient (the limit then depends on the initialization).
    PrecisionError
        The requested bits need more than ``MAX_PREC`` bits of working precision.

    Examples
    --------
    >>> from lazyrich import TwoLayerExact, lambda_balanced_init
    >>> W1, W2 = lambda_balanced_init(3, 2, 2, lam=0.5, sigma=0.3, seed=1)
    >>> net = TwoLayerExact(W1, W2, np.array([[2.0, 0.0, 0.0], [0.0, 1.0, 0.0]]))
    >>> enc = certified_qqt_limit(net.sigma_yx, net.lam)
    >>> enc.within(net.qqt_limit(), bound=1e-14)
    True
    >>> bool(enc.rad.max() < 1e-29)
    True
    """
    require_flint()
    bits = as_bits(bits)
    syx = as_matrix(sigma_yx, "sigma_yx")
    lam_value = as_scalar(lam, "lam")
    no, ni = syx.shape
    check_full_rank_task(np.linalg.svd(syx, compute_uv=False), ni + no, "use certified_qqt at a finite t")

    def evaluate():
        spec = arb_spectrum(syx, lam_value)
        if spec is None:  # eigenvalues not isolated at this precision: non-finite balls make the driver double it
            return np.full((ni + no, ni + no), require_flint().arb("nan"), dtype=object)
        check_spectrum(spec, riccati_matrix(syx, lam_value))
        return balls_array([limit_balls(spec)])[0]

    try:
        return auto_precision(evaluate, bits, bits + 64)
    except PrecisionError:
        raise PrecisionError(
            f"could not certify {bits} bits of QQ^T(inf) below {MAX_PREC} bits of working precision"
        ) from None


def certified_ntk(qqt: Enclosure, n_in: int, X) -> Enclosure:
    r"""Certified NTK :math:`I_{N_o}\otimes X^TW_1^TW_1X + W_2W_2^T\otimes X^TX` from an enclosure of :math:`QQ^T` (Dominé et al. (2025), eq. (5)).

    Same ordering as :meth:`TwoLayerExact.ntk` (output index outer). Arb arithmetic at the
    enclosure's precision; the radius grows only by the round-off of the products.

    Parameters
    ----------
    qqt : Enclosure
        Balls of shape ``(n, n)`` or ``(T, n, n)`` (e.g. :func:`certified_qqt`, :func:`certified_qqt_limit`).
    n_in : int
        ``N_i`` (the first block size).
    X : (N_i, P) array
        Inputs (columns are samples), taken as exact.

    Returns
    -------
    Enclosure
        Balls of shape ``(N_o P, N_o P)`` or ``(T, N_o P, N_o P)``.

    Examples
    --------
    >>> from lazyrich import TwoLayerExact, lambda_balanced_init
    >>> from lazyrich.certified import certified_qqt
    >>> W1, W2 = lambda_balanced_init(3, 2, 2, lam=0.5, sigma=0.3, seed=1)
    >>> net = TwoLayerExact(W1, W2, np.array([[2.0, 0.0, 0.0], [0.0, 1.0, 0.0]]))
    >>> X = np.arange(6.0).reshape(3, 2)
    >>> K = certified_ntk(certified_qqt(net, [0.5]), 3, X)
    >>> K.within(net.ntk([0.5], X), bound=1e-12)
    True
    """
    flint = require_flint()
    balls = _enclosure(qqt, "qqt").balls
    batched = balls.ndim == 3
    B = balls if batched else balls[None]
    n = B.shape[-1]
    if balls.ndim not in (2, 3) or B.shape[-2] != n:
        raise ShapeError(f"qqt must hold balls of shape (n, n) or (T, n, n); got {balls.shape}")
    n_in = positive_int(n_in, "n_in", error=ShapeError, hint=f"the first block size, below n = {n}")
    if n_in >= n:
        raise ShapeError(f"n_in must be below n = {n} (the size of QQ^T); got {n_in}")
    X = as_matrix(X, "X", (n_in, None))
    n_out, P = n - n_in, X.shape[1]
    saved = flint.ctx.prec
    flint.ctx.prec = qqt.prec
    try:
        Xa = arb_matrix(X)
        XX = Xa.transpose() * Xa
        out = np.empty((B.shape[0], n_out * P, n_out * P), dtype=object)
        for k in range(B.shape[0]):
            G1 = flint.arb_mat([[B[k, i, j] for j in range(n_in)] for i in range(n_in)])
            K1 = Xa.transpose() * G1 * Xa
            for o in range(n_out):
                for o2 in range(n_out):
                    g2 = B[k, n_in + o, n_in + o2]
                    for p in range(P):
                        for p2 in range(P):
                            v = g2 * XX[p, p2]
                            out[k, o * P + p, o2 * P + p2] = v + K1[p, p2] if o == o2 else v
    finally:
        flint.ctx.prec = saved
    return Enclosure(out if batched else out[0], qqt.prec)


def certified_kernel_distance(K1: Enclosure, K2: Enclosure) -> Enclosure:
    r"""Certified kernel distance :math:`1 - \langle K_1, K_2\rangle_F/(\|K_1\|_F\|K_2\|_F)` (Fort et al. (2020)).

    Evaluated as :math:`\tfrac12\|K_1/\|K_1\| - K_2/\|K_2\|\|_F^2`, which is the same number without
    the cancellation of ``1 - cos`` (so small distances keep their relative accuracy).

    Parameters
    ----------
    K1, K2 : Enclosure
        Two NTK enclosures of the same shape (e.g. from :func:`certified_ntk`).

    Returns
    -------
    Enclosure
        One ball, shape ``(1,)``.

    Raises
    ------
    InvalidParameterError
        A kernel may be zero (its norm ball contains 0): the distance is undefined.

    Examples
    --------
    >>> from lazyrich import TwoLayerExact, lambda_balanced_init
    >>> from lazyrich.certified import certified_qqt
    >>> W1, W2 = lambda_balanced_init(3, 2, 2, lam=0.5, sigma=0.3, seed=1)
    >>> net = TwoLayerExact(W1, W2, np.array([[2.0, 0.0, 0.0], [0.0, 1.0, 0.0]]))
    >>> X = np.eye(3)
    >>> K = certified_ntk(certified_qqt(net, [0.0, 2.0]), 3, X)
    >>> d = certified_kernel_distance(K.take(0), K.take(1))
    >>> d.within(net.kernel_distance(0.0, 2.0, X), bound=1e-12)
    True
    """
    flint = require_flint()
    _enclosure(K1, "K1"), _enclosure(K2, "K2")
    if K1.balls.shape != K2.balls.shape:
        raise InvalidParameterError(f"the kernels must have the same shape; got {K1.balls.shape} and {K2.balls.shape}")
    saved = flint.ctx.prec
    flint.ctx.prec = min(K1.prec, K2.prec)
    try:
        zero = flint.arb(0)
        n1 = sum((b * b for b in K1.balls.flat), zero).sqrt()
        n2 = sum((b * b for b in K2.balls.flat), zero).sqrt()
        if n1.contains(0) or n2.contains(0):
            raise InvalidParameterError("an NTK may be zero (zero weights): the kernel distance is undefined")
        diffs = [a / n1 - b / n2 for a, b in zip(K1.balls.flat, K2.balls.flat)]
        d = sum((x * x for x in diffs), zero) / 2  # x * x, not x ** 2: arb pow gives nan on a ball containing 0
    finally:
        flint.ctx.prec = saved
    out = np.empty(1, dtype=object)
    out[0] = d
    return Enclosure(out, min(K1.prec, K2.prec))


def _enclosure(x, name: str) -> Enclosure:
    """``x`` if it is an :class:`Enclosure` (what the ``certified_*`` functions return), else a typed error."""
    if not isinstance(x, Enclosure):
        raise InvalidParameterError(
            f"{name} must be an Enclosure (e.g. from certified_qqt or certified_ntk); got {type(x).__name__}"
        )
    return x
