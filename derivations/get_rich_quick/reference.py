r"""Independent numeric references for the claims of Kunin et al. (2024): instances, simulations, closed forms.

* :func:`closed_form`: the single-neuron closed form for whitened data (derived here; Kunin et al. (2024),
  Sec. 3 and App. A.2), evaluated in mpmath, independent of the package's engine;
* :func:`whitened_model`, :func:`init_with_delta`, :func:`beta0_init`: instances with a given conserved
  ``delta = eta_w a^2 - eta_a |w|^2`` (the authors' notebook's ``coordinates``);
* wide and deep instances satisfying the isotropy assumption of Kunin et al. (2024), Thm 4.2 / Assumption B.2;
* :func:`ode_tol`: the derived global error bound of a DOP853 trajectory.
"""

from __future__ import annotations

import mpmath as mp
import numpy as np

from lazyrich import (
    DeepLinearModel,
    Measurement,
    SingleNeuronModel,
    gradient_flow,
    ode_global_tolerance,
    random_orthogonal,
)

__all__ = [
    "DPS",
    "ODE_TOL_FROM",
    "RTOL",
    "UP_BETA0",
    "UP_BSTAR",
    "balanced_cases",
    "balanced_mu_phi",
    "beta0_init",
    "beta_mp",
    "closed_form",
    "eq4_cases",
    "init_with_delta",
    "isotropic_chain",
    "isotropic_wide",
    "ode_tol",
    "order_in_delta",
    "psd_sqrt",
    "psi_grad",
    "rank_one_balanced_chain",
    "rng",
    "whitened_model",
    "wide_beta_rate",
]

RTOL = 1e-12
DPS = 30


# ----------------------------------------------------------------- numeric helpers
def rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def init_with_delta(a0_: float, direction, dl: float, eta_a_: float = 1.0, eta_w_: float = 1.0):
    """``(a0, w0)`` with ``w0`` along ``direction`` and conserved ``eta_w a0^2 - eta_a |w0|^2 = dl``."""
    norm2 = (eta_w_ * a0_**2 - dl) / eta_a_
    if norm2 <= 0:
        raise ValueError("this (a0, delta) needs |w0|^2 <= 0; choose a larger |a0|")
    u = np.asarray(direction, dtype=float)
    return np.asarray(float(a0_)), u / np.linalg.norm(u) * np.sqrt(norm2)


def closed_form(a0_, w0_, beta_star, times, eta_a_=1.0, eta_w_=1.0, dps: int = DPS):
    """The closed form for whitened data (derived here; Sec. 3, App. A.2), evaluated in mpmath (``dps`` digits).

    An independent implementation used by the checks (it does not call the package's engine).
    Returns ``(a, w)`` as mpmath lists: ``a[i]`` and ``w[i]`` (a list of ``d`` mpf) at ``times[i]``.

    Examples
    --------
    >>> a, w = closed_form(1.0, [-1.0, 0.0], [0.0, 1.0], [0.0, 1e6])   # balanced, Fig. 2 set-up
    >>> [round(float(x), 12) for x in a], [round(float(x), 12) + 0.0 for x in w[1]]
    ([1.0, 1.0], [0.0, 1.0])
    """
    with mp.workdps(dps):
        ea, ew = mp.mpf(eta_a_), mp.mpf(eta_w_)
        gg = mp.sqrt(ea * ew)
        ca = (ew / ea) ** mp.mpf(0.25)  # learning-rate reduction (derived here, Sec. 3)
        b = [mp.mpf(float(v)) for v in np.ravel(beta_star)]
        ab0 = mp.mpf(float(a0_)) * ca
        wb0 = [mp.mpf(float(v)) / ca for v in np.ravel(w0_)]
        dl = ab0**2 - mp.fsum(v * v for v in wb0)
        s2 = mp.fsum(v * v for v in b)
        pp0 = mp.fsum(x * y_ for x, y_ in zip(wb0, b))
        perp = [wi - pp0 / s2 * bi for wi, bi in zip(wb0, b)]
        D = mp.sqrt(dl**2 + 4 * s2)
        lp, lm = (-dl + D) / 2, (-dl - D) / 2
        cp, cm = (pp0 - lm * ab0) / D, (lp * ab0 - pp0) / D

        def E(k, tt):
            return tt if k == 0 else mp.expm1(k * tt) / k

        a_out, w_out = [], []
        for t_ in np.ravel(np.asarray(times, dtype=object)):
            tt = (t_ if isinstance(t_, mp.mpf) else mp.mpf(float(t_))) * gg  # mpf times keep their digits
            A = cp * mp.exp(lp * tt) + cm * mp.exp(lm * tt)
            Ad = cp * lp * mp.exp(lp * tt) + cm * lm * mp.exp(lm * tt)
            Ii = cp**2 * E(dl + D, tt) + 2 * cp * cm * E(dl, tt) + cm**2 * E(dl - D, tt)
            m = mp.exp(-dl * tt) * mp.sqrt(1 + 2 * Ii)
            a_out.append(A / m / ca)
            w_out.append([(Ad / s2 * bi + mp.exp(-dl * tt) * ci) / m * ca for bi, ci in zip(b, perp)])
        return a_out, w_out


def whitened_model(beta_star, eta_a_=1.0, eta_w_=1.0) -> SingleNeuronModel:
    """``X = I`` (so ``X^T X = I`` and ``X^T y = beta_*``)."""
    bs = np.asarray(beta_star, dtype=float)
    return SingleNeuronModel(np.eye(bs.size), bs, eta_a=eta_a_, eta_w=eta_w_)


def ode_tol(traj, factor: float = 1.0) -> float:
    """The derived global error bound of a DOP853 trajectory, times a Lipschitz ``factor``."""
    return factor * ode_global_tolerance(traj.n_steps, traj.rtol, traj.atol, max(traj.scale, 1.0))


ODE_TOL_FROM = "n_steps (atol + rtol |theta|) (DOP853 local error control), times the Lipschitz factor shown"


def eq4_cases():
    """The claim's cases (shared with its certified check): ``(d, eta_a, eta_w, a, w, delta, beta, kappa)``."""
    for seed, dd in ((40, 2), (41, 4), (42, 6)):
        rng = np.random.default_rng(seed)
        ea, ew = rng.uniform(0.3, 3.0, 2)
        av, wv = rng.standard_normal(), rng.standard_normal(dd)
        dl = ew * av**2 - ea * wv @ wv
        beta = av * wv
        yield dd, ea, ew, av, wv, dl, beta, np.sqrt(dl**2 + 4 * ea * ew * beta @ beta)


def balanced_cases():
    """The claim's cases (shared with its certified check): ``(seed, ea, ew, bs, a0, w0, grid, trajectory)``."""
    for seed in (130, 131):
        rng = np.random.default_rng(seed)
        ea, ew = rng.uniform(0.5, 2.0, 2)
        bs = rng.standard_normal(3)
        a0v, w0v = init_with_delta(0.6, rng.standard_normal(3), 0.0, ea, ew)
        grid = np.linspace(0.0, 3.0, 13)
        yield seed, ea, ew, bs, a0v, w0v, grid, gradient_flow(whitened_model(bs, ea, ew), (a0v, w0v), grid, rtol=RTOL)


def balanced_mu_phi(mu0, phi0, s, g, t):
    """The balanced closed form ``(mu(t), phi(t), x(t))`` from ``(mu0, phi0)``, ``x = g s t + artanh phi0``."""
    c = np.arctanh(phi0)
    x = g * s * t + c
    mu = s * (1 + np.cosh(2 * x)) / (s * (1 + np.cosh(2 * c)) / mu0 + 2 * x + np.sinh(2 * x) - 2 * c - np.sinh(2 * c))
    return mu, np.tanh(x), x


def beta0_init(beta0, dl):
    """The notebook's ``coordinates``: a0 > 0 and w0 with a0 w0 = beta0 and a0^2 - |w0|^2 = dl (unit rates)."""
    b0 = np.asarray(beta0, dtype=float)
    root_ = np.hypot(dl, 2 * np.linalg.norm(b0))
    # (delta + root)/2 cancels for delta << 0; use 2|b0|^2 / (root - delta) there
    a0sq = (dl + root_) / 2 if dl >= 0 else 2 * (b0 @ b0) / (root_ - dl)
    a0v = np.sqrt(a0sq)
    return np.asarray(a0v), b0 / a0v


def beta_mp(beta0, beta_star, dl, times):
    """``beta(t) = a w`` of the mpmath closed form from ``beta0`` at imbalance ``dl``, as float64 rows."""
    A, W = closed_form(*beta0_init(beta0, dl), beta_star, times)
    return np.array([[float(av * x) for x in wv] for av, wv in zip(A, W)])


UP_BETA0, UP_BSTAR = np.array([-1.0, 0.3]), np.array([0.0, 1.0])


def order_in_delta(errors, deltas, what):
    """A measurement that passes when ``errors`` decay like ``1/|delta|`` or faster (fitted log-log order >= 0.9)."""
    order = -np.polyfit(np.log(np.abs(deltas)), np.log(errors), 1)[0]
    return Measurement(
        max(0.0, 1.0 - order),
        0.1,
        f"{what}: decay order in 1/|delta| is {order:.2f} (>= 1 required)",
        "the limit holds at rate O(1/|delta|) or faster; orders are 1 apart",
    )


def psi_grad(beta, dl):
    r = np.linalg.norm(beta)
    return np.sqrt(np.sqrt(dl**2 + 4 * r * r) - dl) * beta / r


def wide_beta_rate(X_, Y_, W, A, ea, ew):
    """vec beta' from DeepLinearModel's velocity (W1 = W, W2 = A^T), scaled per layer by the learning rates."""
    model = DeepLinearModel(Y_.T @ X_, X_.T @ X_)
    vW, vA_T = model.velocity((W, A.T))
    Wd, Ad = ew * vW, ea * vA_T.T
    return (Wd.T @ A + W.T @ Ad).flatten(order="F")


def isotropic_wide(rng, dd, hh, cc, dl, ea, ew):
    """W = R diag(sw) V^T, A = R diag(sa) U^T with eta_w sa^2 - eta_a sw^2 = dl: eta_w A A^T - eta_a W W^T = dl I_h."""
    lam = rng.uniform(0.5, 2.0, hh)  # singular values of beta = sw sa
    kap = np.sqrt(dl**2 + 4 * ea * ew * lam**2)
    sa, sw = np.sqrt((kap + dl) / (2 * ew)), np.sqrt((kap - dl) / (2 * ea))
    R = random_orthogonal(hh, rng)
    V = random_orthogonal(dd, rng)[:, :hh]
    U = random_orthogonal(cc, rng)[:, :hh]
    return R @ np.diag(sw) @ V.T, R @ np.diag(sa) @ U.T


def psd_sqrt(S):
    ev, Q = np.linalg.eigh((S + S.T) / 2)
    return (Q * np.sqrt(np.clip(ev, 0, None))) @ Q.T


def isotropic_chain(rng, hh, L, dl):
    """a and W_1..W_L (h x h) with W_{l+1}^T W_{l+1} = W_l W_l^T and W_L W_L^T = a a^T - dl I (dl <= 0)."""
    av = rng.standard_normal(hh)
    ev, Q = np.linalg.eigh(np.outer(av, av) - dl * np.eye(hh))
    S = (Q * np.sqrt(ev)) @ Q.T  # symmetric root of W_L W_L^T
    Ws = []
    left = S
    for _ in range(L):
        rot = random_orthogonal(hh, rng)
        Ws.append(left @ rot)  # W W^T = left left^T; W^T W = O^T left^T left O
        left = psd_sqrt(Ws[-1].T @ Ws[-1])  # the next layer down must satisfy W W^T = this layer's W^T W
    return av, Ws[::-1]  # Ws[0] = W_1


def rank_one_balanced_chain(rng, dd, L, sigma):
    """W_l = sigma u_l u_(l-1)^T, a = sigma u_L: every W_(l+1)^T W_(l+1) - W_l W_l^T and a a^T - W_L W_L^T vanish."""
    us = [v / np.linalg.norm(v) for v in rng.standard_normal((L + 1, dd))]
    Ws = [sigma * np.outer(us[i + 1], us[i]) for i in range(L)]
    return Ws, sigma * us[L][None, :]


def whitened_samples(cases, unit: bool = False, times=(0.0, 0.7, 2.0)) -> list:
    """States of whitened single neurons along :func:`lazyrich.gradient_flow` with the engine's velocity.

    ``cases`` are ``(seed, delta)``. Each sample is ``(a, q, p, s, eta_a, eta_w, da, dq, dp)`` with
    ``q = |w|^2``, ``p = w^T beta_*``, ``s = |beta_*|`` and ``(da, dq, dp)`` the time derivatives of
    ``(a, q, p)`` from :meth:`lazyrich.SingleNeuronModel.velocity` (chain rule in float64).
    """
    out = []
    for seed, dl in cases:
        r = np.random.default_rng(seed)
        ea, ew = (1.0, 1.0) if unit else tuple(r.uniform(0.5, 2.0, 2))
        bs = r.standard_normal(3)
        a0, w0 = init_with_delta(1.2 * np.sqrt(max(dl, 0.0) / ew + 0.5), bs + r.standard_normal(3), dl, ea, ew)
        model = whitened_model(bs, ea, ew)
        tr = gradient_flow(model, (a0, w0), np.asarray(times), rtol=RTOL)
        for av, wv in zip(tr["a"], tr["w"]):
            va, vw = model.velocity((np.asarray(av), wv))
            out.append((float(av), wv @ wv, wv @ bs, np.linalg.norm(bs), ea, ew, float(va), 2 * wv @ vw, vw @ bs))
    return out
