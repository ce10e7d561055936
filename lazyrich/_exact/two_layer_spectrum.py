"""Closed forms of QQ^T(t) for two-layer lambda-balanced networks, written against a numeric backend.

(0) :func:`riccati_matrix`: the matrix F of the Riccati equation, assembled here and nowhere else.
(a) :func:`task_spectrum` and :func:`stable_factors`: everything that does not
depend on ``t`` (eigenvectors of F, Dominé et al. (2025), Lemma 4.2, and the projections of ``Q0``).
(b) :func:`stable_qqt` (the stable form of Dominé et al. (2025), Thm 4.3, Eqs. 13-15, derived here
basis-free for any ``N_i, N_o``) and :func:`fukumizu_qqt` (Fukumizu (1998); Dominé et al. (2025), Sec. 4):
the t-evaluations, batched over the leading time axis.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from scipy.linalg import blas, lapack

from .._base.errors import InvalidParameterError, SingularFactorError
from .._base.tolerance import linalg_tolerance
from .._numerics.backend import Float64

__all__ = [
    "StableFactors",
    "TaskSpectrum",
    "check_full_rank_task",
    "fukumizu_qqt",
    "limit_qqt",
    "riccati_matrix",
    "stable_blocks_float64",
    "stable_factor_chunks_float64",
    "stable_factor_float64",
    "stable_factors",
    "stable_qqt",
    "task_spectrum",
]


# F is assembled only here: wherever F is needed (TwoLayerExact.F and its direct form, certified_qqt in
# lazyrich._exact.certified, the stability report in lazyrich._tools.stress), call this function or net.F.
def riccati_matrix(sigma_yx, lam) -> np.ndarray:
    r"""The matrix :math:`F = [[-\tfrac\lambda2 I_{N_i}, \Sigma_{yx}^T], [\Sigma_{yx}, \tfrac\lambda2 I_{N_o}]]`.

    :math:`\tau\tfrac{d}{dt}QQ^T = FQQ^T + QQ^TF - (QQ^T)^2` (Dominé et al. (2025), Sec. 4). In float64,
    and exact: ``lam / 2`` is a power-of-two scaling of the float ``lam`` (so Arb or mpmath can take
    the entries as exact binary numbers).

    Parameters
    ----------
    sigma_yx : (N_o, N_i) array
    lam : float

    Returns
    -------
    (N_i + N_o, N_i + N_o) float array, symmetric.

    Examples
    --------
    >>> riccati_matrix(np.array([[2.0, 0.0]]), 0.5)
    array([[-0.25,  0.  ,  2.  ],
           [ 0.  , -0.25,  0.  ],
           [ 2.  ,  0.  ,  0.25]])
    """
    syx = np.asarray(sigma_yx, dtype=float)
    n_out, n_in = syx.shape
    half = float(lam) / 2
    F = np.zeros((n_in + n_out, n_in + n_out))
    F[:n_in, n_in:] = syx.T
    F[n_in:, :n_in] = syx
    diag = np.full(n_in + n_out, half)
    diag[:n_in] = -half
    F[np.diag_indices_from(F)] = diag
    return F


def check_full_rank_task(s, n: int, remedy: str) -> None:
    r"""Raise :class:`InvalidParameterError` unless the task singular values ``s`` (decreasing) are all > 0.

    "Zero" is below ``n eps s_max`` (:func:`linalg_tolerance`, the round-off of an SVD of an ``n``-sized
    problem): there the long-time limit :math:`QQ^T(\infty)` depends on the initialization.
    """
    s = np.asarray(s, dtype=float)
    if s[0] == 0 or s[-1] <= linalg_tolerance(1.0, n) * s[0]:
        raise InvalidParameterError(
            f"Sigma_yx is rank deficient: the limit depends on the initialization there; {remedy}"
        )


@dataclass(frozen=True)
class TaskSpectrum:
    r"""Eigendecomposition of :math:`F` (:func:`riccati_matrix`; Dominé et al. (2025), Lemma 4.2).

    ``F = P_+ diag(mu) P_+^T - P_- diag(mu) P_-^T + ell P_perp P_perp^T``.
    """

    n_in: int
    n_out: int
    lam: object
    s: np.ndarray  # (m,) task singular values
    mu: np.ndarray  # (m,) sqrt(s^2 + lam^2/4)
    U: np.ndarray  # (No, No)
    V: np.ndarray  # (Ni, Ni)
    p_plus: np.ndarray  # (n, m)
    p_minus: np.ndarray  # (n, m)
    p_perp: np.ndarray  # (n, |No - Ni|)
    ell: object  # sgn(No - Ni) lam / 2: eigenvalue on the extra dimensions

    @property
    def eigenvalues(self) -> np.ndarray:
        k = self.p_perp.shape[1]
        return np.concatenate([self.mu, -self.mu, np.array([self.ell] * k, dtype=self.mu.dtype)])

    @property
    def basis(self) -> np.ndarray:
        return np.concatenate([self.p_plus, self.p_minus, self.p_perp], axis=1)


def task_spectrum(bk, sigma_yx, lam) -> TaskSpectrum:
    """Eigenvectors ``p+ = (a v; b u)``, ``p- = (b v; -a u)`` of F and the extra ones, in backend ``bk``.

    ``a^2 = (mu - lam/2)/(2 mu)``, ``b^2 = (mu + lam/2)/(2 mu)``; the smaller of
    ``mu -+ lam/2`` is ``s^2 / (larger)`` so neither cancels at large ``|lam|``.
    At ``s = lam = 0`` the 2x2 block is zero and ``a = b = 1/sqrt(2)`` is one valid choice.
    """
    syx = bk.asarray(sigma_yx)
    n_out, n_in = syx.shape
    m = min(n_in, n_out)
    U, s, V = bk.svd_full(syx)
    half = lam / 2
    mu = bk.sqrt(s * s + half * half)
    if bk is Float64:
        a, b = _float64_eigvec_weights(s, mu, lam)
    else:
        a, b = _eigvec_weights(bk, s, mu, lam)
    Vm, Um = V[:, :m], U[:, :m]
    p_plus = np.concatenate([Vm * a, Um * b], axis=0)
    p_minus = np.concatenate([Vm * b, -(Um * a)], axis=0)
    if n_in > n_out:
        p_perp = np.concatenate([V[:, m:], bk.zeros((n_out, n_in - m))], axis=0)
        ell = -half
    elif n_out > n_in:
        p_perp = np.concatenate([bk.zeros((n_in, n_out - m)), U[:, m:]], axis=0)
        ell = half
    else:
        p_perp = bk.zeros((n_in + n_out, 0))
        ell = 0 * half
    return TaskSpectrum(n_in, n_out, lam, s, mu, U, V, p_plus, p_minus, p_perp, ell)


def _eigvec_weights(bk, s, mu, lam):
    """``(a, b)`` of :func:`task_spectrum`, entry by entry (any backend)."""
    half = lam / 2
    m = mu.shape[0]
    a = np.empty(m, dtype=mu.dtype)
    b = np.empty(m, dtype=mu.dtype)
    for i in range(m):
        if mu[i] == 0:
            a[i] = b[i] = bk.sqrt(bk.asarray([0.5]))[0]
            continue
        big = mu[i] + abs(half)
        small = s[i] * s[i] / big
        am, bp = (small, big) if lam >= 0 else (big, small)
        a[i] = bk.sqrt(bk.asarray([am / (2 * mu[i])]))[0]
        b[i] = bk.sqrt(bk.asarray([bp / (2 * mu[i])]))[0]
    return a, b


def _float64_eigvec_weights(s, mu, lam):
    """``(a, b)`` of :func:`task_spectrum` in float64, vectorised (the same operations as :func:`_eigvec_weights`)."""
    half = lam / 2
    zero = mu == 0
    big = mu + abs(half)
    safe_big = np.where(zero, 1.0, big)
    safe_mu = np.where(zero, 1.0, mu)
    small = s * s / safe_big
    am, bp = (small, big) if lam >= 0 else (big, small)
    a = np.where(zero, np.sqrt(0.5), np.sqrt(am / (2 * safe_mu)))
    b = np.where(zero, np.sqrt(0.5), np.sqrt(bp / (2 * safe_mu)))
    return a, b


@dataclass(frozen=True)
class StableFactors:
    """Time-independent factors of the stable form: ``K = q- q+^{-1}``, ``Kp = q_perp q+^{-1}``, ``G0 = (q+ q+^T)^{-1}``.

    ``perp_rows = Kp^T P_perp^T`` (``m x n``, float64 only, else ``None``) turns the ``P_perp`` term of
    ``Z^T`` into a row scaling per time instead of an ``m x |N_o - N_i| x n`` product.
    """

    K: np.ndarray
    K_perp: np.ndarray
    G0: np.ndarray
    KpKp: np.ndarray
    perp_rows: np.ndarray | None = None


def limit_qqt(spec: TaskSpectrum) -> np.ndarray:
    r""":math:`QQ^T(\infty) = 2P_+\tilde S_\lambda P_+^T` in the spectrum's backend (derived here (Dominé et al. (2025), Sec. 4)).

    Valid when ``q+`` is invertible and every task singular value is > 0 (:func:`check_full_rank_task`).
    """
    return 2 * (spec.p_plus * spec.mu[None, :]) @ spec.p_plus.T


def projections(spec: TaskSpectrum, Q0):
    """``(q+, q-, q_perp) = (P+^T Q0, P-^T Q0, P_perp^T Q0)``."""
    return spec.p_plus.T @ Q0, spec.p_minus.T @ Q0, spec.p_perp.T @ Q0


def stable_factors(bk, spec: TaskSpectrum, Q0, proj=None) -> StableFactors:
    """Solve with ``q+`` once (it must be square and invertible: assumption A3 and B invertible).

    ``proj``: the :func:`projections` of ``Q0`` if the caller has them already.
    """
    qp, qm, qperp = projections(spec, Q0) if proj is None else proj
    binv = bk.solve(qp, bk.eye(qp.shape[0]))
    K = qm @ binv
    Kp = qperp @ binv
    perp_rows = None
    if bk is Float64:
        perp_rows = np.ascontiguousarray(Kp.T @ spec.p_perp.T) if Kp.shape[0] else np.zeros((K.shape[0], 0))
    return StableFactors(K, Kp, binv.T @ binv, Kp.T @ Kp, perp_rows)


def _times_right(X, PT):
    """``X[i] @ PT`` for every ``i`` as one 2-D product (``X`` is (T, m, k), ``PT`` is (k, n))."""
    T, m, k = X.shape
    return (X.reshape(T * m, k) @ PT).reshape(T, m, PT.shape[1])


def stable_qqt(bk, spec: TaskSpectrum, fac: StableFactors, t) -> np.ndarray:
    r"""The stable form :math:`QQ^T(t) = Z A^{-1} Z^T` with only decaying exponentials.

    Dominé et al. (2025), Thm 4.3 (Eqs. 13-15, the paper's B is ``q+``), derived here basis-free,
    for any ``N_i, N_o`` and lambda:

    .. math::
        Z = P_+ + P_-\,\mathcal E K\mathcal E + P_\perp e^{\ell t} K_\perp \mathcal E,\quad
        A = \mathcal E G_0\mathcal E + \mathrm{diag}\,g(\mu) + \mathcal E K^T\mathrm{diag}\,g(\mu) K\mathcal E
            + g(|\ell|)\,e^{\ell_+ t}\mathcal E K_\perp^TK_\perp\mathcal E e^{\ell_+ t},

    :math:`\mathcal E = e^{-\mu t}`, :math:`g(x) = (1 - e^{-2xt})/(2x)` (``= t`` at 0),
    :math:`\ell_+ = \max(\ell, 0) \le \mu`. ``t`` is a 1-D array (already divided by tau).
    Products over all times are single 2-D GEMMs; ``A`` is factored, never inverted.
    """
    if bk is Float64:
        return stable_blocks_float64(spec, fac, t, slice(None), slice(None))
    T = t[:, None]
    mu = spec.mu[None, :]
    E = bk.exp(-mu * T)  # (T, m)
    EE = E[:, :, None] * E[:, None, :]
    g = bk.decay_integral(mu, T)  # (T, m)
    m = spec.mu.shape[0]
    eye = bk.eye(m)
    # Z^T (T, m, n); E K E transposed is E K^T E since E is diagonal
    Zt = spec.p_plus.T[None] + _times_right(fac.K.T[None] * EE, spec.p_minus.T)
    # K^T diag(g_t) K for every t as one product: sum_k g_tk K_ki K_kj
    outer = (fac.K[:, :, None] * fac.K[:, None, :]).reshape(m, m * m)
    KgK = (g @ outer).reshape(-1, m, m)
    A = (fac.G0[None] + KgK) * EE + g[:, :, None] * eye[None]
    if spec.p_perp.shape[1]:
        ell = spec.ell
        EL = bk.exp((ell - mu) * T)  # e^{ell t} E, <= 1 since mu >= |lam|/2 >= ell
        ell_plus = ell if ell > 0 else 0 * ell
        ELp = bk.exp((ell_plus - mu) * T)
        gl = bk.decay_integral(abs(ell) + 0 * t, t)  # (T,)
        Zt = Zt + _times_right(fac.K_perp.T[None] * EL[:, :, None], spec.p_perp.T)
        A = A + gl[:, None, None] * fac.KpKp[None] * (ELp[:, :, None] * ELp[:, None, :])
    return bk.sandwich_inverse(Zt, A)


#: Time points per block of the batched float64 evaluation: the block's (T, m, n) temporaries stay in cache.
_FLOAT64_BLOCK = 100
#: Bytes of the per-block work arrays above which the batched blocks get fewer time points.
_FLOAT64_BLOCK_BYTES = 16 * 2**20
#: Largest ``m = N_h`` evaluated batched over times: that path keeps the lower triangles of the ``m + 1``
#: matrices ``[G0; K_k K_k^T]`` (``m^3 / 2`` floats, 4 GB at ``m = 1000``); above it, one time at a time
#: (measured crossover of the two paths, one BLAS thread: m ~ 48).
BATCHED_MAX_HIDDEN = 48


@functools.lru_cache(maxsize=8)
def _lower_triangle(m: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row, column and row-major flat indices of the lower triangle of an m x m matrix."""
    rows, cols = np.tril_indices(m)
    return rows, cols, rows * m + cols


def stable_factor_chunks_float64(
    spec: TaskSpectrum, fac: StableFactors, t: np.ndarray
) -> Iterator[tuple[int, np.ndarray]]:
    r"""Yield ``(start, Y)`` with ``Y`` of shape ``(c, m, n)`` such that :math:`QQ^T(t_k) = Y_k^TY_k`.

    ``Y = L^{-1}Z^T`` with :math:`A = LL^T` (the stable form of :func:`stable_qqt`), for the times
    ``t[start:start + c]``. For ``m <= BATCHED_MAX_HIDDEN`` the times come in batches of up to
    ``_FLOAT64_BLOCK`` (a few batched LAPACK calls, at most ``_FLOAT64_BLOCK_BYTES`` of work);
    otherwise one at a time, each costing :math:`O(m^3 + n m^2)` (the ``syrk`` of
    :math:`K^T\mathrm{diag}(g)K`, a Cholesky factorisation, one ``n x m x m`` GEMM for :math:`Z^T`
    and one triangular solve) with :math:`O(m^2 + nm)` memory.
    """
    n_t, m = t.shape[0], spec.mu.shape[0]
    if m > BATCHED_MAX_HIDDEN:
        for k in range(n_t):
            yield k, _stable_y_one_float64(spec, fac, float(t[k]))[None]
        return
    n = spec.p_plus.shape[0]
    mu = spec.mu
    rows, cols, flat = _lower_triangle(m)
    basis = np.concatenate([fac.G0[None], fac.K[:, :, None] * fac.K[:, None, :]])[:, rows, cols]
    E = np.exp(-mu[None, :] * t[:, None])  # (T, m)
    coef = np.empty((n_t, m + 1))  # [1, g(mu)]
    coef[:, 0] = 1.0
    if np.all(mu > 0):
        np.expm1(-2.0 * mu[None, :] * t[:, None], out=coef[:, 1:])
        coef[:, 1:] *= -0.5 / mu  # (1 - e^{-2 mu t}) / (2 mu)
    else:
        coef[:, 1:] = Float64.decay_integral(mu[None, :], t[:, None])
    block = max(1, min(_FLOAT64_BLOCK, n_t, _FLOAT64_BLOCK_BYTES // (8 * m * (n + 2 * m))))
    work = (np.zeros((block, m * m)), np.empty((block, m, m)))
    for start in range(0, n_t, block):
        stop = min(start + block, n_t)
        Zt = np.empty(((stop - start) * m, n))  # becomes Y in place; yielded, so not reused
        yield start, _stable_y_float64(spec, fac, basis, flat, work, Zt, t[start:stop], E[start:stop], coef[start:stop])


def stable_blocks_float64(
    spec: TaskSpectrum, fac: StableFactors, t: np.ndarray, rows: slice, cols: slice
) -> np.ndarray:
    """The block ``QQ^T(t)[:, rows, cols]`` for all times, formed from :math:`Y^TY` chunk by chunk.

    Only the requested block is ever materialised (memory ``T * rows * cols`` plus one chunk of ``Y``).
    """
    n = spec.p_plus.shape[0]
    r = range(n)[rows]
    c = range(n)[cols]
    out = np.empty((t.shape[0], len(r), len(c)))
    for start, Y in stable_factor_chunks_float64(spec, fac, t):
        np.matmul(np.swapaxes(Y[:, :, rows], -1, -2), Y[:, :, cols], out=out[start : start + Y.shape[0]])
    return out


def stable_factor_float64(spec: TaskSpectrum, fac: StableFactors, t: np.ndarray) -> np.ndarray:
    """``R(t)``, ``(T, n, m)``, with :math:`QQ^T = RR^T` (``R = Y^T`` of :func:`stable_factor_chunks_float64`)."""
    n, m = spec.p_plus.shape
    out = np.empty((t.shape[0], n, m))
    for start, Y in stable_factor_chunks_float64(spec, fac, t):
        out[start : start + Y.shape[0]] = np.swapaxes(Y, -1, -2)
    return out


def _stable_y_one_float64(spec: TaskSpectrum, fac: StableFactors, t: float) -> np.ndarray:
    """``Y = L^{-1} Z^T`` (``m x n``) at one time: the same formula as :func:`stable_qqt`, BLAS-3 per term.

    LAPACK/BLAS are called directly (``dpotrf``, ``dtrsm``) on Fortran-order views, so nothing is copied
    and the per-time overhead stays small next to the :math:`O(nm^2)` work.
    """
    mu, K = spec.mu, fac.K
    E = np.exp(-mu * t)
    if mu[-1] > 0:  # mu is sorted decreasingly
        g = np.expm1(-2.0 * t * mu)
        g *= -0.5 / mu  # (1 - e^{-2 mu t}) / (2 mu)
    else:
        g = Float64.decay_integral(mu, t)
    sK = np.sqrt(g)[:, None] * K
    A = sK.T @ sK  # K^T diag(g) K (g >= 0): numpy uses syrk for this product
    A += fac.G0
    A *= E[:, None]
    A *= E[None, :]
    A.flat[:: A.shape[0] + 1] += g
    X = E[:, None] * K.T
    X *= E[None, :]  # E K^T E
    Zt = X @ spec.p_minus.T
    Zt += spec.p_plus.T
    if spec.p_perp.shape[1]:
        ell = float(spec.ell)
        ELp = np.exp((max(ell, 0.0) - mu) * t)  # e^{ell_+ t} E <= 1
        gl = float(Float64.decay_integral(abs(ell), t))
        A += (gl * ELp[:, None]) * fac.KpKp * ELp[None, :]
        Zt += np.exp((ell - mu) * t)[:, None] * fac.perp_rows  # e^{ell t} E K_perp^T P_perp^T, e^{ell t} E <= 1
    # A.T is Fortran-ordered; potrf reads one triangle of the symmetric A and factors it in place
    L, info = lapack.dpotrf(A.T, 1, 0, 1)
    if info != 0:
        raise SingularFactorError("the centre matrix lost positive definiteness in float64")
    # Zt.T is Z (n x m) in Fortran order: Z <- Z L^{-T} in place, i.e. Zt <- L^{-1} Zt (side=1 right, lower,
    # trans_a=1, non-unit diagonal, overwrite_b=1; positional for speed)
    Z = Zt.T
    res = blas.dtrsm(1.0, L, Z, 1, 1, 1, 0, 1)
    if res is not Z:  # pragma: no cover - f2py returned a copy instead of writing in place
        Zt[...] = res.T
    return Zt


def _stable_y_float64(spec, fac, basis, flat, work, Zt, t, E, coef):
    """``Y = L^{-1} Z^T`` with ``A = L L^T`` for the times ``t``, so that ``QQ^T = Y^T Y``.

    ``basis`` is the lower triangle (indices ``flat`` into the row-major m x m) of
    ``[G0; K_k K_k^T]``; ``work`` holds reusable buffers, the first (for ``A``) with a zero
    upper triangle that is never written; ``Zt`` ((T m, n)) receives ``Z^T`` and then ``Y``.
    ``G0 + K^T diag(g) K`` for all times is one GEMM of ``[1, g]`` with ``basis`` (the Cholesky
    factorisation reads only the lower triangle), scaled by ``E_i E_j``.
    """
    n_t, m = t.shape[0], spec.mu.shape[0]
    mu = spec.mu
    A, EE = work[0][:n_t], work[1][:n_t]
    np.multiply(E[:, :, None], E[:, None, :], out=EE)  # E_i E_j
    packed = coef @ basis  # lower triangle of G0 + K^T diag(g) K, (T, m (m + 1) / 2)
    packed *= EE.reshape(n_t, m * m)[:, flat]
    A[:, flat] = packed
    A[:, :: m + 1] += coef[:, 1:]
    A = A.reshape(n_t, m, m)
    if spec.p_perp.shape[1]:
        ell = float(spec.ell)
        ELp = np.exp((max(ell, 0.0) - mu[None, :]) * t[:, None])  # e^{ell_+ t} E <= 1
        gl = Float64.decay_integral(abs(ell) + 0.0 * t, t)
        Ap = fac.KpKp[None] * (gl[:, None] * ELp)[:, :, None]
        Ap *= ELp[:, None, :]
        A = A + Ap
    # Z^T = P+^T + E K^T E P-^T (+ e^{ell t} E K_perp^T P_perp^T): one 2-D GEMM over all times
    EE *= fac.K.T[None]  # E K^T E
    np.matmul(EE.reshape(n_t * m, m), spec.p_minus.T, out=Zt)
    Zt = Zt.reshape(n_t, m, -1)
    Zt += spec.p_plus.T[None]
    if spec.p_perp.shape[1]:
        EL = np.exp((float(spec.ell) - mu[None, :]) * t[:, None])  # e^{ell t} E <= 1 since mu >= ell
        Zt += EL[:, :, None] * fac.perp_rows[None]
    return Float64.cholesky_solve_factor(A, Zt, overwrite_zt=True)


def fukumizu_qqt(bk, spec: TaskSpectrum, Q0, t) -> np.ndarray:
    r"""The Fukumizu (1998) solution (Dominé et al. (2025), Sec. 4) in the eigenbasis of F: :math:`Y M^{-1} Y^T`.

    Valid for any ``N_h`` and any ``Q0``:

    :math:`Y = P e^{ft} q`, :math:`M = I + q^T\mathrm{diag}\big((e^{2ft}-1)/(2f)\big) q`, :math:`q = P^TQ_0`.
    Exponentials grow like :math:`e^{\mu_{max}t}` and the result is O(1): cancellation costs
    about :math:`2(f_{max}-f_{min})t/\ln 10` digits, so float64 fails at moderate t.
    """
    f = spec.eigenvalues
    P = spec.basis
    q = P.T @ Q0
    T = t[:, None]
    D = bk.exp(f[None, :] * T)  # (T, n)
    H = bk.growth_integral(f[None, :], T)  # (T, n)
    M = bk.eye(q.shape[1])[None] + q.T[None] @ (H[:, :, None] * q[None])
    Yt = _times_right(q.T[None] * D[:, None, :], P.T)  # (P e^{ft} q)^T
    return bk.sandwich_inverse(Yt, M)
