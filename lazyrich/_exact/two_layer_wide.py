r"""Float64 two-layer solution for any hidden width: a graded QR form of the Fukumizu solution.

The Fukumizu (1998) solution (Dominé et al. (2025), Sec. 4), in the eigenbasis ``P`` of ``F``
(eigenvalues ``f``, Dominé et al. (2025), Lemma 4.2) with ``q = P^T Q_0``, is

.. math::
    QQ^T(t) = Y M^{-1} Y^T,\qquad Y = P e^{ft} q,\qquad
    M = I + q^T\mathrm{diag}(h)\,q = C^TC,\quad C = \begin{bmatrix} I \\ \mathrm{diag}(\sqrt h)\,q\end{bmatrix},

with :math:`h = (e^{2ft} - 1)/(2f)` (``= t`` at ``f = 0``). It needs no inverse of ``q_+`` (the paper's B)
and holds for every ``N_h``; evaluated literally it overflows and cancels (the exponentials grow like
:math:`e^{\mu t}`). Derived here (Dominé et al. (2025), Sec. 4), the graded form evaluates it with only
bounded numbers:

1. Order the growing eigen-directions (``f > n eps max|f|``, ``g`` of them) by decreasing ``f`` and take the LQ
   factorisation of their rows, :math:`q_G = L\,H^T` (``H`` orthogonal ``N_h x N_h``, ``L`` lower
   trapezoidal). In the hidden basis ``H`` the rows of :math:`e^{f_Gt}q_G` stay lower trapezoidal for
   every ``t`` (a row scaling keeps the LQ factor ``H``), so hidden direction ``j < k = min(g, N_h)``
   grows like :math:`e^{f_jt}`.
2. Scale hidden column ``j < k`` by :math:`\tau_j = e^{-f_jt}`: with ``q' = qH`` and
   :math:`T = \mathrm{diag}(\tau)`, :math:`QQ^T = (YHT)(T H^TMHT)^{-1}(YHT)^T`, and every entry of
   :math:`C' = [T;\ \mathrm{diag}(\sqrt h)q'T]` and :math:`Y' = e^{ft}q'T` is bounded: on a growing row
   ``a >= j`` it is :math:`e^{(f_a - f_j)t}q'_{aj}` (times :math:`c_a = \sqrt{(1 - e^{-2f_at})/(2f_a)}`
   in ``C'``), with :math:`f_a \le f_j`; on the other rows :math:`e^{f_at} \le 1` and :math:`h_a \le t`.
   (The top block :math:`HT` of :math:`CHT` is replaced by ``T``: same Gram matrix, ``H`` orthogonal.)
3. Householder QR :math:`C' = Q_cR` (the square root of :math:`T H^TMHT = R^TR`, never formed), and
   :math:`QQ^T = \mathcal R\mathcal R^T` with the factor :math:`\mathcal R = P\,Y'R^{-1}` (``n x N_h``).

Accuracy: relative (max-norm) error about ``eps`` times :func:`graded_condition`, the sum of the
input condition :math:`\|Q_0\|_2/\sigma_{min}(L_{:k,:k})` (round-off in ``q`` and ``H``; it is
:math:`\|Q_0\|_2/\sigma_{min}(q_+)` when ``N_h = min(N_i, N_o)``), the condition of the column-equilibrated ``C'``
(the QR and the solve) and ``t |FP + PF - P^2|_max / |P|_max`` (``P = QQ^T``, ``t`` in units of the time
constant: round-off in the eigenvalues ``f`` shifts time by ``eps t``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .._base.errors import NonFiniteError, NotBalancedError, SingularFactorError
from .._base.tolerance import linalg_tolerance
from .two_layer_spectrum import BATCHED_MAX_HIDDEN, TaskSpectrum

__all__ = [
    "NARROW_FORM_MAX_CONDITION",
    "GradedFactors",
    "graded_blocks_float64",
    "graded_condition",
    "graded_factor_float64",
    "graded_factors",
    "graded_or_error",
    "rescale_error",
    "weight_balance",
]

#: Round-off of sigma_min(L[:k, :k]) in units of ``n N_h eps |Q0|_2``: the product ``P^T Q0`` (``n`` terms) and the
#: Householder LQ of the ``g x N_h`` rows (Higham (2002), Thm 19.4: ``c g N_h eps``, ``c`` a small constant).
_PIVOT_ROUNDOFF = 10

#: Up to this condition of q+ (``|Q0|_2 / sigma_min(q+)``, ``N_h = min(N_i, N_o)``) the narrow stable form (Dominé
#: et al. (2025), Thm 4.3) is as accurate as the graded form and about 2x faster; beyond, its error grows like
#: ``kappa^2 eps`` (it forms ``(q+ q+^T)^{-1}``). Measured on 400 random nets against mpmath: max error / (eps kappa)
#: 8.4 (stable) vs 7.8 (graded) for kappa < 10; 14 vs 2.2 for 10-100; 33 vs 0.4 for 1e2-1e3; 184 vs 0.009 above.
NARROW_FORM_MAX_CONDITION = 10.0

#: Times evaluated together: at most 64, and at most 16 MiB in each (T, n + N_h, N_h) work array.
_BLOCK, _BLOCK_BYTES = 64, 16 * 2**20


def _spans(gf: GradedFactors, n_t: int):
    """``(start, stop)`` of the blocks of times."""
    n, n_hidden = gf.q.shape
    step = max(1, min(_BLOCK, _BLOCK_BYTES // (8 * (n + n_hidden) * max(n_hidden, 1))))
    if n_hidden > BATCHED_MAX_HIDDEN:  # as the narrow form: one time at a time, O(n N_h) work memory
        step = 1
    return [(a, min(a + step, n_t)) for a in range(0, n_t, step)]


@dataclass(frozen=True)
class GradedFactors:
    r"""Time-independent part of the graded form: the reordered eigenbasis and the rotated projections.

    ``P`` (``n x n``) holds the eigenvectors of ``F`` with the ``g`` growing ones first (decreasing
    ``f``); ``q`` is :math:`P^TQ_0H` (``n x N_h``), its first ``g`` rows lower trapezoidal (exact zeros
    above the diagonal); ``rates`` (``N_h``) is ``f_j`` for the hidden column ``j < k`` and 0 beyond.
    """

    P: np.ndarray
    f: np.ndarray
    g: int
    k: int
    q: np.ndarray
    rates: np.ndarray
    gaps: np.ndarray
    input_condition: float
    #: ``N_h`` of the network: more than ``q``'s columns when hidden directions that ``Q_0`` does not see were dropped
    hidden: int = 0


def graded_factors(spec: TaskSpectrum, Q0: np.ndarray) -> GradedFactors:
    r"""The t-independent factors of the graded form (step 1 of the module notes), float64.

    Raises
    ------
    SingularFactorError
        :math:`\sigma_{min}(L_{:k,:k})` is at the round-off of forming it (``10 n N_h eps |Q_0|_2``): the
        growing directions of ``Q_0`` are linearly dependent up to round-off (e.g. ``lambda = 0`` with
        ``sign det W2W1(0) != sign det Sigma_yx``), so float64 cannot tell which way the flow leaves the
        saddle; the message points to ``dps=``.
    """
    hidden = Q0.shape[1]
    if hidden > 1 and Q0.size:
        # hidden directions Q0 does not see (lambda = 0 with N_h > min(N_i, N_o): rank Q0 <= min(N_i, N_o)) stay
        # unseen, and QQ^T(t) depends on Q0 Q0^T only: keep the column space, Q0 V_r (dropping sigma <= the
        # round-off changes Q0 Q0^T by sigma^2, below eps^2 |Q0|^2); the factor is padded back with zero columns
        U, sv, _ = np.linalg.svd(Q0, full_matrices=False)
        seen = sv > linalg_tolerance(float(sv[0]), _PIVOT_ROUNDOFF * Q0.shape[0] * hidden)
        if 0 < np.count_nonzero(seen) < hidden:
            Q0 = U[:, seen] * sv[seen]
    f_all = np.asarray(spec.eigenvalues, dtype=float)
    order = np.argsort(-f_all, kind="stable")
    f = f_all[order]
    P = spec.basis[:, order]
    n, n_hidden = Q0.shape
    # growing: f above its round-off (a lambda = 0 measured as 1e-17 gives ell ~ 1e-17, flat up to t ~ 1e16,
    # while Q0 then has rank m only); flat ones stay exact in the non-growing rows (growth_integral)
    g = int(np.count_nonzero(f > linalg_tolerance(float(np.abs(f).max()) if f.size else 0.0, n)))
    k = min(g, n_hidden)
    q = P.T @ Q0
    norm_q0 = float(np.linalg.norm(Q0, 2)) if Q0.size else 0.0
    if g:
        H, Rq = np.linalg.qr(q[:g].T, mode="complete")  # q_G^T = H Rq, so q_G H = Rq^T (lower trapezoidal)
        qh = q @ H
        qh[:g] = Rq.T
    else:
        qh = q
    # sigma_min of the leading k x k block of L: the smallest over j of sigma_min(L[:j+1, :j+1]) (interlacing), i.e.
    # ||Q0|| max_j ||L[:j+1, :j+1]^{-1}|| bounds the relative change of every graded pivot under a change eps ||Q0||
    smallest = float(np.linalg.svd(qh[:k, :k], compute_uv=False)[-1]) if k else norm_q0
    if norm_q0 == 0.0:
        input_condition = 1.0
    elif smallest <= linalg_tolerance(norm_q0, _PIVOT_ROUNDOFF * n * n_hidden):
        raise SingularFactorError(
            f"the growing directions of Q0 are linearly dependent up to round-off (sigma_min = {smallest:.3g} "
            f"<= {_PIVOT_ROUNDOFF} n N_h eps |Q0| = {linalg_tolerance(norm_q0, _PIVOT_ROUNDOFF * n * n_hidden):.3g}; for N_h = min(N_i, N_o) this is a "
            "singular q+ = P+^T Q0, the paper's B, e.g. lambda = 0 with sign(det W2W1(0)) != sign(det Sigma_yx)): "
            "float64 cannot resolve the escape from the saddle. Use dps= (e.g. qqt(t, dps=30)), which handles it"
        )
    else:
        input_condition = norm_q0 / smallest
    rates = np.zeros(n_hidden)
    rates[:k] = f[:k]
    # every growing eigenvalue is sqrt(sigma^2 + (lam/2)^2): sigma = s_alpha for mu_alpha, 0 for ell = |lam|/2
    sig = np.concatenate([np.asarray(spec.s, dtype=float), np.zeros(f_all.shape[0] - len(spec.s))])[order][:g]
    gaps = np.zeros((g, n_hidden))
    if k:
        # f_a - f_j = (sigma_a - sigma_j)(sigma_a + sigma_j)/(f_a + f_j): no cancellation when both are ~ |lam|/2
        gaps[:, :k] = (sig[:, None] - sig[None, :k]) * (sig[:, None] + sig[None, :k]) / (f[:g, None] + f[None, :k])
    return GradedFactors(P, f, g, k, qh, rates, np.minimum(gaps, 0.0), float(input_condition), hidden)


def graded_or_error(spec: TaskSpectrum, Q0: np.ndarray) -> GradedFactors | SingularFactorError:
    """:func:`graded_factors`, or the :class:`SingularFactorError` it raises (for the caller to raise on use)."""
    try:
        return graded_factors(spec, Q0)
    except SingularFactorError as exc:
        return exc


def _scaled(gf: GradedFactors, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(C', Y')`` of the module notes for the times ``t`` (already divided by tau): bounded entries only."""
    g, f, q, rates = gf.g, gf.f, gf.q, gf.rates
    n, n_hidden = q.shape
    T = t[:, None]
    tau = np.exp(-rates[None, :] * T)  # (T, N_h), <= 1
    C = np.zeros((t.shape[0], n_hidden + n, n_hidden))
    idx = np.arange(n_hidden)
    C[:, idx, idx] = tau
    Y = np.empty((t.shape[0], n, n_hidden))
    if g:
        # e^{(f_a - rate_j) t}; a >= j on the nonzero (lower trapezoidal) entries, where the exponent is <= 0
        Y[:, :g] = np.exp(gf.gaps[None] * t[:, None, None]) * q[None, :g]
        fg = f[:g]
        c = np.sqrt(-np.expm1(-2.0 * fg[None, :] * T) / (2.0 * fg[None, :]))  # (T, g), bounded
        C[:, n_hidden : n_hidden + g] = c[:, :, None] * Y[:, :g]
    if g < n:
        fn = f[g:]
        qt = q[None, g:] * tau[:, None, :]  # (T, n - g, N_h)
        Y[:, g:] = np.exp(fn[None, :] * T)[:, :, None] * qt  # e^{f t} <= 1 (or 1 + O(n eps t) when f is round-off)
        # (e^{2ft} - 1)/(2f) <= t (1 + O(n eps t)), = t at f = 0; the exponent uses f itself (never a stand-in 1,
        # which overflows at t ~ 355 in the discarded branch of np.where)
        fs = np.where(fn != 0, fn, 1.0)[None, :]
        h = np.where(fn[None, :] != 0, np.expm1(2.0 * fn[None, :] * T) / (2.0 * fs), T)
        C[:, n_hidden + g :] = np.sqrt(h)[:, :, None] * qt
    return C, Y


def _factor_block(gf: GradedFactors, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(R_fac, R)`` for the times ``t``: the factor ``P Y' R^{-1}`` (``(T, n, N_h)``) and the QR factor ``R``."""
    C, Y = _scaled(gf, t)
    R = np.linalg.qr(C, mode="r")  # (T, N_h, N_h), upper triangular: C'^T C' = R^T R
    diag = np.abs(np.diagonal(R, axis1=-2, axis2=-1))
    if not np.all(diag > 0):
        raise SingularFactorError("the graded square-root factor is singular in float64; use dps=")
    # Y' R^{-1}: solve R^T X = Y'^T (R^T lower triangular; LU without row exchanges on a triangular matrix)
    X = np.linalg.solve(np.swapaxes(R, -1, -2), np.swapaxes(Y, -1, -2))  # (T, N_h, n) = (Y' R^{-1})^T
    return np.swapaxes(X @ gf.P.T, -1, -2), R


def graded_factor_float64(gf: GradedFactors, t: np.ndarray) -> np.ndarray:
    r"""``(T, n, N_h)`` factors :math:`\mathcal R(t)` with :math:`QQ^T(t) = \mathcal R\mathcal R^T` (``t`` divided by tau)."""
    n, n_hidden = gf.q.shape
    out = np.zeros((t.shape[0], n, max(gf.hidden, n_hidden)))  # the dropped unseen directions: zero columns
    for start, stop in _spans(gf, t.shape[0]):
        out[start:stop, :, :n_hidden] = _factor_block(gf, t[start:stop])[0]
    return out


def graded_condition(gf: GradedFactors, F: np.ndarray, t: np.ndarray) -> np.ndarray:
    r"""Condition number :math:`\kappa(t)` of the graded form: relative max-norm error ``~ kappa eps``.

    The sum of (module notes) the input condition :math:`\|Q_0\|_2/\sigma_{min}(L_{:k,:k})`, the 2-norm condition
    of the column-equilibrated ``C'`` (that of its QR factor ``R``) and
    :math:`t\,\|F P + P F - P^2\|_{max}/\|P\|_{max}` with :math:`P = QQ^T(t)` (``t`` divided by tau):
    the Riccati right-hand side, i.e. the change of :math:`QQ^T` under a relative change ``eps`` of
    the time scale, which is what round-off in the eigenvalues of ``F`` amounts to.
    """
    out = np.empty(t.shape[0])
    for start, stop in _spans(gf, t.shape[0]):
        ts = t[start:stop]
        fac, R = _factor_block(gf, ts)
        cols = np.abs(R).max(axis=-2)  # max-norm equilibration (a 2-norm would square 1e-200 entries to 0)
        sv = np.linalg.svd(R / cols[:, None, :], compute_uv=False)
        kappa_qr = np.where(sv[:, -1] > 0, sv[:, 0] / np.where(sv[:, -1] > 0, sv[:, -1], 1.0), np.inf)
        facT = np.swapaxes(fac, -1, -2)
        P = fac @ facT
        FR = F[None] @ fac  # FP + PF - P^2 = (F R) R^T + R ((F R)^T - (R^T R) R^T): O(n^2 N_h), never n^3
        rhs = FR @ facT + fac @ (np.swapaxes(FR, -1, -2) - (facT @ fac) @ facT)
        scale = np.abs(P).max(axis=(-1, -2))
        drift = ts * np.abs(rhs).max(axis=(-1, -2)) / np.where(scale > 0, scale, 1.0)
        out[start:stop] = gf.input_condition + kappa_qr + drift
    return out


def graded_blocks_float64(gf: GradedFactors, t: np.ndarray, rows: slice, cols: slice) -> np.ndarray:
    """The block ``QQ^T(t)[:, rows, cols]`` from the graded factor, block of times by block (``t`` divided by tau)."""
    n = gf.q.shape[0]
    out = np.empty((t.shape[0], len(range(n)[rows]), len(range(n)[cols])))
    for start, stop in _spans(gf, t.shape[0]):
        fac = _factor_block(gf, t[start:stop])[0]
        np.matmul(fac[:, rows], np.swapaxes(fac[:, cols], -1, -2), out=out[start:stop])
    return out


def rescale_error(what: str) -> NonFiniteError:
    r"""The typed error for a problem outside float64's range, with the scale law that brings it back.

    :math:`\tau\dot P = FP + PF - P^2` is invariant under :math:`P \to P/c`, :math:`F \to F/c`,
    :math:`\tau \to \tau/c` (derived here (Dominé et al. (2025), Sec. 4)): ``F/c`` is the ``F`` of
    ``(sigma_yx / c, lam / c)`` and ``W / sqrt(c)`` has balance ``lam / c``.
    """
    return NonFiniteError(
        f"{what} overflows float64. Rescale: QQ^T(t) = c * TwoLayerExact(W1 / sqrt(c), W2 / sqrt(c), sigma_yx / c, "
        "tau / c).qqt(t) for any c > 0 (the Riccati equation's scale law); take c ~ max(|lam|, |Sigma_yx|_2)"
    )


def weight_balance(W1: np.ndarray, W2: np.ndarray) -> tuple[float, float, float]:
    r"""``(lam, imbalance, |Q0|_2)`` of :math:`W_2^TW_2 - W_1W_1^T`, at any magnitude of the weights.

    The Grams are formed from the weights divided by a power of two ``s`` (exact), so neither overflow nor
    underflow changes the test: ``imbalance`` (:math:`\max|W_2^TW_2 - W_1W_1^T - \lambda I|`) is compared in
    the scaled units with ``10 (N_i + N_o + N_h) eps max(|W1|_2, |W2|_2)^2`` (each Gram entry is a dot product of
    length ``N_i`` or ``N_o``: round-off ``n eps |W|^2``; factor 10 for the SVD in the init).

    Raises
    ------
    NotBalancedError
        The imbalance exceeds that tolerance.
    NonFiniteError
        ``lam`` or :math:`\|Q_0\|_2` overflows float64 (the message gives the rescaling, :func:`rescale_error`).
    """
    n_hidden = W1.shape[0]
    big = max(float(np.abs(W1).max(initial=0.0)), float(np.abs(W2).max(initial=0.0)))
    s = 2.0 ** math.frexp(big)[1] if big > 0 else 1.0
    V1, V2 = W1 / s, W2 / s
    G1, G2 = V1 @ V1.T, V2.T @ V2
    D = G2 - G1
    # |W1|_2^2, |W2|_2^2, |Q0|_2^2 (Q0^T Q0 = G1 + G2): the largest eigenvalues of the N_h x N_h Grams, one call
    sq = np.maximum(np.linalg.eigvalsh(np.stack([G1, G2, G1 + G2]))[:, -1], 0.0)
    lam = float(np.trace(D)) / n_hidden
    imbalance = float(np.abs(D - lam * np.eye(n_hidden)).max())
    tol = linalg_tolerance(float(max(sq[0], sq[1])), 10 * (W1.shape[1] + W2.shape[0] + n_hidden))
    with np.errstate(over="ignore", under="ignore"):
        lam_s, imb_s, tol_s, norm = lam * s * s, imbalance * s * s, tol * s * s, math.sqrt(sq[2]) * s
    if imbalance > tol:
        raise NotBalancedError(
            f"W2^T W2 - W1 W1^T is not a multiple of the identity: max |W2^T W2 - W1 W1^T - lam I| = "
            f"{imb_s:.3g} with lam = {lam_s:.6g} exceeds the round-off tolerance {tol_s:.3g}; "
            "use lambda_balanced_init or re-balance the weights"
        )
    if not (math.isfinite(lam_s) and math.isfinite(norm) and math.isfinite(lam_s * lam_s)):
        log10 = math.log10(max(abs(lam), max(sq[0], sq[1]), 1e-300)) + 2 * math.frexp(big)[1] * math.log10(2.0)
        raise rescale_error(f"|lambda| or |W|^2 ~ 1e{log10:.0f} (lambda^2 / 4 is formed)")
    return lam_s, imb_s, norm
