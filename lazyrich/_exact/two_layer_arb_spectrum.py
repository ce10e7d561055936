r"""Rigorous eigen-structure of the Riccati matrix F on Arb balls: the set-up of the two-layer Arb engine.

The eigenvectors of :math:`F` (Dominé et al. (2025), Lemma 4.2) are :math:`p_+ = (av; bu)`,
:math:`p_- = (bv; -au)` from the singular vectors of :math:`\Sigma_{yx}`. They are enclosed without an
SVD, from the ``m x m`` Gram matrix :math:`G` on the smaller side (:math:`\Sigma\Sigma^T` if
``N_o <= N_i``, else :math:`\Sigma^T\Sigma`), in one of two ways:

* distinct eigenvalues: Arb's ``acb_mat.eig`` certifies each eigenvalue isolated and encloses an exact
  eigenvector (the phase is removed by dividing by the largest entry: the exact real eigenvector is the
  real part);
* repeated (or unresolved) eigenvalues, where no eigenvector is a continuous function of the data:
  an exact orthonormal basis of each *cluster's* invariant subspace is enclosed instead
  (:func:`cluster_basis`: approximate eigenvectors from ``mpmath.eigsy``, made exactly orthonormal by
  :math:`(\tilde U^T\tilde U)^{-1/2}` with a series remainder bound, clusters from Gershgorin
  components, and Stewart's perturbation bound (Golub and Van Loan, *Matrix Computations*, 3rd ed.,
  Thm 8.1.10) for the exact invariant subspaces).

Within a cluster every function of :math:`G` (``mu``, the weights ``a, b``, :math:`e^{-\mu t}`, ...)
is enclosed from the ball ``x_c`` holding the cluster's eigenvalues: for a symmetric matrix with
spectrum in ``x_c`` and any orthonormal basis, :math:`f(G)` has diagonal entries in the ball
``f(x_c)`` (convex combinations of the :math:`f(\lambda_i)`) and off-diagonal entries within
``rad f(x_c)`` of 0 (:meth:`ArbSpectrum.fmat`); for a single eigenvalue this is the diagonal matrix.
So the stable form holds with ``diag(mu)`` replaced by the block matrix ``mu(G)``. The completion
enters only through its projector :math:`\Pi_\perp`.

A rank-deficient task (exact rank of the float entries, :func:`task_rank`) has ``k`` zero singular
values: they form one more cluster, ``mu = |lambda| / 2``, whose columns of ``P+`` and ``P-`` are
exactly orthonormal frames of the kernels of :math:`\Sigma_{yx}` and :math:`\Sigma_{yx}^T`, where F is
:math:`\mp\lambda/2` (:func:`_null_part`). :func:`check_spectrum` verifies the result on balls
(:math:`Fp_\pm = \pm p_\pm\mu`, orthonormality, :math:`F\Pi_\perp = \ell\Pi_\perp`, completeness).
"""

from __future__ import annotations

from dataclasses import dataclass

import mpmath
import numpy as np

from .._base.errors import PrecisionError
from .._numerics.arb import arb_matrix, exact_arb, require_flint

__all__ = ["ArbSpectrum", "arb_spectrum", "check_spectrum", "cluster_basis", "task_rank"]


@dataclass(frozen=True)
class ArbSpectrum:
    r"""Enclosed eigen-structure of :math:`F`: ``F = P+ mu P+^T - P- mu P-^T + ell Pi`` with ``mu`` a block matrix.

    ``p_plus``, ``p_minus``: ``arb_mat`` (n x m), exactly orthonormal columns in the enclosure; ``mu``:
    one ``arb`` per cluster (holding its values of :math:`\sqrt{s^2 + \lambda^2/4}`; the zero singular values'
    cluster, last, is exactly ``|lambda| / 2``); ``clusters``:
    the column indices of each cluster; ``perp``: the projector :math:`\Pi_\perp` (``arb_mat`` n x n)
    or ``None`` when ``N_i = N_o``; ``ell``: ``sgn(N_o - N_i) lambda / 2`` (exact).
    """

    p_plus: object
    p_minus: object
    mu: list
    perp: object
    ell: object
    clusters: tuple

    def fmat(self, f):
        """The ``m x m`` ``arb_mat`` of ``f(mu)`` in the basis of ``p_plus`` (``f`` maps an arb ball to a ball)."""
        return _cluster_function(self.clusters, [f(x) for x in self.mu])


def _cluster_function(clusters, values):
    """Block matrix: ``values[c]`` on the diagonal of cluster ``c``, ``+-rad(values[c])`` off its diagonal."""
    flint = require_flint()
    m = sum(len(c) for c in clusters)
    out = flint.arb_mat(m, m)
    for idx, v in zip(clusters, values):
        off = flint.arb(0, v.rad()) if len(idx) > 1 else None
        for i in idx:
            for j in idx:
                out[i, j] = v if i == j else off
    return out


def _real_unit_columns(flint, R, m: int):
    """The acb eigenvector enclosure ``R`` as an ``arb_mat`` of real unit columns, phase removed."""
    out = flint.arb_mat(m, m)
    for a in range(m):
        col = [R[i, a] for i in range(m)]
        k = max(range(m), key=lambda i: float(abs(col[i].mid())))
        real = [(c / col[k]).real for c in col]  # the exact eigenvector divided by its k-th entry is real
        norm = sum((x * x for x in real), flint.arb(0)).sqrt()
        for i in range(m):
            out[i, a] = real[i] / norm
    return out


def _upper_norm(entries):
    """An arb upper bound of the Frobenius norm of the given balls."""
    flint = require_flint()
    ups = [x.abs_upper() for x in entries]  # abs() of a ball around 0 reaches below 0: its square root is nan
    return sum((u * u for u in ups), flint.arb(0)).sqrt().upper()


def _gershgorin(L, idx, row=None):
    """``(lo, hi)`` (arb) holding every eigenvalue of the symmetric ball matrix ``L`` restricted to rows/cols ``idx``.

    ``row``: only that row's disc (centre ``L[row, row]``, radius over the columns ``idx``).
    """
    lo = hi = None
    for i in idx if row is None else (row,):
        r = sum((abs(L[i, j]) for j in idx if j != i), 0 * L[i, i]).upper()
        a, b = (L[i, i] - r).lower(), (L[i, i] + r).upper()
        lo = a if lo is None else lo.min(a)
        hi = b if hi is None else hi.max(b)
    return lo, hi


def cluster_basis(G):
    r"""``(W, clusters, xs)``: an exact orthonormal basis of the clusters' invariant subspaces of the symmetric ``G``.

    ``W`` (``arb_mat`` m x m) encloses an exactly orthogonal matrix whose columns ``clusters[c]`` span the
    invariant subspace of the eigenvalues in the ball ``xs[c]``; ``None`` if the precision does not
    separate the Gershgorin components enough (the caller raises the precision).
    """
    flint = require_flint()
    m = G.nrows()
    prec = flint.ctx.prec
    with mpmath.workprec(prec):
        mids = [[mpmath.mpf(tuple(int(v) for v in G[i, j].mid().man_exp())) for j in range(m)] for i in range(m)]
        _, Q = mpmath.eigsy(mpmath.matrix(mids))
        Ut = flint.arb_mat([[exact_arb(Q[i, j]) for j in range(m)] for i in range(m)])
    eye = flint.arb_mat([[1 if i == j else 0 for j in range(m)] for i in range(m)])
    Ec = Ut.transpose() * Ut - eye
    eta = _upper_norm([Ec[i, j] for i in range(m) for j in range(m)])
    if not eta < 0.25:
        return None
    # (I + Ec)^{-1/2} = I - Ec/2 + R, |R|_2 <= sum_{k>=2} |binom(-1/2, k)| eta^k <= (3/8) eta^2 / (1 - eta)
    rho = flint.arb(0, (3 * eta * eta / (8 * (1 - eta))).upper())
    half_inv = eye - Ec * flint.arb(0.5)
    for i in range(m):
        for j in range(m):
            half_inv[i, j] += rho
    Uh = Ut * half_inv  # encloses the exactly orthogonal Ut (Ut^T Ut)^{-1/2}
    L = Uh.transpose() * G * Uh
    # clusters: the connected components of the Gershgorin discs of L widened by 2^(-prec/2) |G|, so that values
    # split only by the round-off of eigsy (e.g. an exactly repeated or zero eigenvalue) form one cluster; merging
    # distinct eigenvalues is still valid (a wider ball), and a higher precision separates them
    widen = (flint.arb(2) ** (-(prec // 2)) * _upper_norm([G[i, j] for i in range(m) for j in range(m)])).upper()
    discs = sorted(((*_gershgorin(L, range(m), i), i) for i in range(m)), key=lambda d: float(d[0].mid()))
    comps, tops = [], []
    for lo, hi, i in discs:
        if comps and not lo - widen > tops[-1] + widen:  # overlapping (or undecided): one cluster
            comps[-1].append(i)
            tops[-1] = tops[-1].max(hi)
        else:
            comps.append([i])
            tops.append(hi)
    spans = [_gershgorin(L, idx) for idx in comps]  # hold the spectra of the diagonal blocks of L (for sep)
    X = flint.arb_mat(m, m)
    for c, idx in enumerate(comps):
        others = [k for k in range(m) if k not in idx]
        if not others:
            for i in idx:
                X[i, i] = 1
            continue
        gaps = [spans[d][0] - spans[c][1] for d in range(len(comps)) if d > c]
        gaps += [spans[c][0] - spans[d][1] for d in range(len(comps)) if d < c]
        sep = min(gaps, key=lambda g: float(g.mid())).lower()
        e = _upper_norm([L[k, j] for k in others for j in idx])
        if not (sep > 0 and 5 * e < sep):
            return None
        # Golub & Van Loan, Thm 8.1.10 (E11 = E22 = 0): the exact invariant subspace is spanned by the orthonormal
        # [I; P] (I + P^T P)^{-1/2} with |P|_2 <= p = 4 e / sep, so its entries are within p^2/2 of I and p of 0
        p = (4 * e / sep).upper()
        near, far = flint.arb(0, (p * p / 2).upper()), flint.arb(0, p)
        for j in idx:
            for i in idx:
                X[i, j] = (1 if i == j else 0) + near
            for k in others:
                X[k, j] = far
    W = Uh * X
    xs = []
    for idx in comps:
        cols = flint.arb_mat([[W[i, j] for j in idx] for i in range(m)])
        lo, hi = _gershgorin(cols.transpose() * G * cols, range(len(idx)))
        xs.append(lo.union(hi))
    return W, tuple(tuple(c) for c in comps), xs


def task_rank(sigma_yx) -> int:
    """The exact rank of ``sigma_yx`` (float entries taken as exact binary rationals; ``fmpq_mat.rank``)."""
    flint = require_flint()
    syx = np.asarray(sigma_yx, dtype=float)
    if syx.size == 0:
        return 0
    return flint.fmpq_mat([[flint.fmpq(*float(v).as_integer_ratio()) for v in row] for row in syx]).rank()


def _subcolumns(W, idx):
    """The columns ``idx`` of the ``arb_mat`` ``W``."""
    flint = require_flint()
    return flint.arb_mat([[W[i, j] for j in idx] for i in range(W.nrows())]) if idx else flint.arb_mat(W.nrows(), 0)


def _hstack(A, B):
    flint = require_flint()
    out = flint.arb_mat(A.nrows(), A.ncols() + B.ncols())
    for i in range(A.nrows()):
        for j in range(A.ncols()):
            out[i, j] = A[i, j]
        for j in range(B.ncols()):
            out[i, A.ncols() + j] = B[i, j]
    return out


def _mid(A) -> np.ndarray:
    """Float64 midpoints of an ``arb_mat``."""
    return np.array([[float(A[i, j].mid()) for j in range(A.ncols())] for i in range(A.nrows())]).reshape(
        A.nrows(), A.ncols()
    )


def _orthonormal(M):
    """Gram-Schmidt of the columns of ``M`` on balls: encloses an exactly orthonormal basis of their span; ``None`` if undecided."""
    flint = require_flint()
    n, k = M.nrows(), M.ncols()
    cols = []
    for j in range(k):
        v = [M[i, j] for i in range(n)]
        for e in cols:
            d = sum((a * b for a, b in zip(e, v)), flint.arb(0))
            v = [a - d * b for a, b in zip(v, e)]
        norm = sum((a * a for a in v), flint.arb(0)).sqrt()
        if not norm > 0:
            return None
        cols.append([a / norm for a in v])
    out = flint.arb_mat(n, k)
    for j, col in enumerate(cols):
        for i in range(n):
            out[i, j] = col[i]
    return out


def _frame_guess(space, p_plus, q0, k: int) -> np.ndarray:
    """Float ``(n, k)``: an approximate orthonormal ``k``-frame in the range of the projector ``space``.

    With ``q0`` (and ``N_h = m``), the frame that makes ``q+ = [p_plus, frame]^T Q0`` best conditioned:
    the top left singular vectors of the part of ``Q0`` that ``p_plus`` leaves undetermined.
    """
    w, E = np.linalg.eigh(_mid(space))
    E = E[:, np.argsort(w)[::-1][: max(k, int(np.sum(w > 0.5)))]]  # the eigenvalue-1 eigenvectors of the projector
    if q0 is None or E.shape[1] == k:
        return E[:, :k]
    q0 = np.asarray(q0, dtype=float)
    B = _mid(p_plus).T @ q0  # (r, N_h)
    free = np.linalg.svd(B)[2][B.shape[0] :].T if B.shape[0] else np.eye(q0.shape[1])
    C = E.T @ q0 @ free
    u = np.linalg.svd(C)[0]
    return E @ u[:, :k]


def _embed(A, off: int, n: int):
    """The ``arb_mat`` ``A`` (square) placed at rows/cols ``off:`` of an ``n x n`` zero matrix."""
    flint = require_flint()
    out = flint.arb_mat(n, n)
    for i in range(A.nrows()):
        for j in range(A.ncols()):
            out[off + i, off + j] = A[i, j]
    return out


def _null_part(St, W, inv_x, output_side: bool, lam, q0, pp, pm, k: int):
    r"""``(Fp, Fm, perp)`` for ``k`` zero task singular values, or ``None`` where the precision does not resolve them.

    With :math:`\Pi_i, \Pi_o` the projectors on :math:`\ker\Sigma_{yx}` and :math:`\ker\Sigma_{yx}^T`, F is
    :math:`-\lambda/2` on :math:`(\ker\Sigma; 0)` and :math:`+\lambda/2` on :math:`(0; \ker\Sigma^T)` (derived
    here from :math:`F`, Dominé et al. (2025), Sec. 4). The growing eigenspace (output side for
    :math:`\lambda > 0`, input side for :math:`\lambda < 0`, both for :math:`\lambda = 0`) gives ``k``
    columns ``Fp`` of ``P+`` (chosen so that ``q+`` is best conditioned), the decaying one ``k`` columns
    ``Fm`` of ``P-``; the rest is the completion :math:`\Pi_\perp`. Both frames are the Gram-Schmidt of an
    exact projection, so they are exactly orthonormal and exactly in their eigenspaces.
    """
    flint = require_flint()
    n_in, n_out = St.nrows(), St.ncols()
    n = n_in + n_out
    small, big = (n_out, n_in) if output_side else (n_in, n_out)
    SW = St * W if output_side else St.transpose() * W
    eye = [[1 if i == j else 0 for j in range(max(small, big))] for i in range(max(small, big))]
    null_small = flint.arb_mat([r[:small] for r in eye[:small]]) - W * W.transpose()
    null_big = flint.arb_mat([r[:big] for r in eye[:big]]) - SW * inv_x * SW.transpose()
    null_in, null_out = (null_big, null_small) if output_side else (null_small, null_big)
    pin, pout = _embed(null_in, 0, n), _embed(null_out, n_in, n)
    grow = pout if lam > 0 else (pin if lam < 0 else pin + pout)
    Fp = _orthonormal(grow * arb_matrix(_frame_guess(grow, pp, q0, k)))
    if Fp is None:
        return None
    dec = pin if lam > 0 else (pout if lam < 0 else grow - Fp * Fp.transpose())
    Fm = _orthonormal(dec * arb_matrix(_frame_guess(dec, pm, None, k)))
    if Fm is None:
        return None
    perp = None if n_in == n_out else pin + pout - Fp * Fp.transpose() - Fm * Fm.transpose()
    return Fp, Fm, perp


def arb_spectrum(sigma_yx, lam, q0=None):
    """The :class:`ArbSpectrum` at the current ``flint.ctx.prec``, or ``None`` where this precision does not resolve it.

    Inputs are floats taken as exact binary numbers. A rank-deficient task (exact rank, :func:`task_rank`)
    gets its zero singular values as one more cluster, ``mu = |lambda| / 2`` (:func:`_null_part`);
    ``q0`` (the init ``Q0``, optional) then picks the growing frame that keeps ``q+`` best conditioned.
    """
    flint = require_flint()
    syx = np.asarray(sigma_yx, dtype=float)
    n_out, n_in = syx.shape
    m = min(n_in, n_out)
    rank = task_rank(syx)
    S = arb_matrix(syx)
    St = S.transpose()
    half = exact_arb(float(lam)) / 2
    output_side = n_out <= n_in
    G = S * St if output_side else St * S  # (m, m)
    try:
        E, R = flint.acb_mat(G).eig(right=True)
        W, clusters, xs = _real_unit_columns(flint, R, m), tuple((a,) for a in range(m)), [e.real for e in E]
    except ValueError:  # an eigenvalue not isolated (repeated, or too close at this precision)
        got = cluster_basis(G)
        if got is None:
            return None
        W, clusters, xs = got
    if rank < m:  # the k = m - rank zero eigenvalues of G must form one cluster of exactly k, the rest > 0
        zero = [c for c, x in enumerate(xs) if not x > 0]
        if len(zero) != 1 or len(clusters[zero[0]]) != m - rank or not xs[zero[0]].contains(0):
            return None
        keep = [c for c in range(len(clusters)) if c != zero[0]]
        cols = [i for c in keep for i in clusters[c]]
        W = _subcolumns(W, cols)
        pos = {i: a for a, i in enumerate(cols)}
        clusters = tuple(tuple(pos[i] for i in clusters[c]) for c in keep)
        xs = [xs[c] for c in keep]
    if any(not (x > 0) for x in xs):
        return None
    r = len(cols) if rank < m else m
    mu = [(x + half * half).sqrt() for x in xs]

    def weights(x, mu_c):
        # a^2 = (mu - lam/2) / (2 mu), b^2 = (mu + lam/2) / (2 mu); the smaller is s^2 / (2 mu (mu + |lam|/2))
        big = mu_c + abs(half)
        am, bp = (x / big, big) if lam >= 0 else (big, x / big)
        return (am / (2 * mu_c)).sqrt(), (bp / (2 * mu_c)).sqrt(), x.sqrt()

    ws = [weights(x, mu_c) for x, mu_c in zip(xs, mu)]
    fa = _cluster_function(clusters, [a for a, _, _ in ws])
    fb = _cluster_function(clusters, [b for _, b, _ in ws])
    fa_s = _cluster_function(clusters, [a / s for a, _, s in ws])
    fb_s = _cluster_function(clusters, [b / s for _, b, s in ws])
    inv_x = _cluster_function(clusters, [1 / x for x in xs])
    if output_side:  # U = W; V = S^T U G^{-1/2}: p+ = (S^T U a/s; U b), p- = (S^T U b/s; -U a)
        SW = St * W
        top_p, top_m, bot_p, bot_m = SW * fa_s, SW * fb_s, W * fb, -(W * fa)
        big, proj = n_in, SW * inv_x * SW.transpose()  # V V^T on the input side
    else:  # V = W; U = S V G^{-1/2}: p+ = (V a; S V b/s), p- = (V b; -S V a/s)
        SW = S * W
        top_p, top_m, bot_p, bot_m = W * fa, W * fb, SW * fb_s, -(SW * fa_s)
        big, proj = n_out, SW * inv_x * SW.transpose()  # U U^T on the output side
    n = n_in + n_out
    p_plus, p_minus = flint.arb_mat(n, r), flint.arb_mat(n, r)
    for j in range(r):
        for i in range(n_in):
            p_plus[i, j], p_minus[i, j] = top_p[i, j], top_m[i, j]
        for i in range(n_out):
            p_plus[n_in + i, j], p_minus[n_in + i, j] = bot_p[i, j], bot_m[i, j]
    ell = half if n_out > n_in else (-half if n_in > n_out else flint.arb(0))
    if r < m:
        got = _null_part(St, W, inv_x, output_side, float(lam), q0, p_plus, p_minus, m - r)
        if got is None:
            return None
        Fp, Fm, perp = got
        zero_cluster = tuple(range(r, m))
        return ArbSpectrum(
            _hstack(p_plus, Fp), _hstack(p_minus, Fm), [*mu, abs(half)], perp, ell, (*clusters, zero_cluster)
        )
    perp = None
    if n_in != n_out:
        off = 0 if output_side else n_in
        perp = flint.arb_mat(n, n)
        for i in range(big):
            for j in range(big):
                perp[off + i, off + j] = (1 if i == j else 0) - proj[i, j]
    return ArbSpectrum(p_plus, p_minus, mu, perp, ell, clusters)


def check_spectrum(spec: ArbSpectrum, F) -> None:
    r"""Verify on balls ``F P+ = P+ mu``, ``F P- = -P- mu``, ``[P+ P-]^T [P+ P-] = I``, ``F Pi = ell Pi``, ``P P^T + Pi = I``.

    The set-up is rigorous by construction; this check catches a wrong one (a bug, or a corrupted
    intermediate): :class:`PrecisionError` if a residual ball excludes 0.
    """
    flint = require_flint()
    Fa = arb_matrix(F)
    m = spec.p_plus.ncols()
    M = spec.fmat(lambda x: x)
    P = flint.arb_mat(
        [
            [*(spec.p_plus[i, j] for j in range(m)), *(spec.p_minus[i, j] for j in range(m))]
            for i in range(spec.p_plus.nrows())
        ]
    )
    gram = P.transpose() * P
    for i in range(2 * m):
        gram[i, i] -= 1
    complete = P * P.transpose()  # [P+ P-] [P+ P-]^T + Pi = I: nothing of R^n is left out
    for i in range(complete.nrows()):
        complete[i, i] -= 1
    checks = [Fa * spec.p_plus - spec.p_plus * M, Fa * spec.p_minus + spec.p_minus * M, gram]
    if spec.perp is not None:
        checks += [Fa * spec.perp - spec.perp * spec.ell, spec.perp * P, complete + spec.perp]
    else:
        checks.append(complete)
    for R in checks:
        if not all(R[i, j].contains(0) for i in range(R.nrows()) for j in range(R.ncols())):
            raise PrecisionError("the Arb eigendecomposition of F fails its residual check (a wrong set-up)")
