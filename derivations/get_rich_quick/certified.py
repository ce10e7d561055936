"""Arb-certified checks (``lazyrich verify --certified``) of the closed forms of Kunin et al. (2024), Sec. 3.

Each check encloses the exact single-neuron solution (:func:`lazyrich.certified.certified_single_neuron`) or a
quantity built from it with Arb balls and measures, for the float64 evaluation, the mpmath closed form of
:mod:`.reference` and the DOP853 simulation, a *certified* distance to the exact value (:func:`derivations.certify.inside`).
Statements that are limits or signs (orders in ``delta``, the basin) are checked on the enclosures.
"""

from __future__ import annotations

import math

import numpy as np

import lazyrich
from lazyrich import (
    FLOAT64_EPS,
    Measurement,
    SingleNeuronModel,
    gradient_flow,
    linalg_tolerance,
    mp_tolerance,
    random_orthogonal,
)
from lazyrich.certified import Enclosure, certified_single_neuron, exact_arb, require_flint

from ..certify import BITS, DERIVED_PREC, certified_check, inside, radius_measurement, symmetric_eigenvalues
from .experiments import kernel_distance
from .implicit_bias import one_dim_null_space
from .reference import (
    DPS,
    RTOL,
    UP_BETA0,
    UP_BSTAR,
    balanced_cases,
    balanced_mu_phi,
    beta0_init,
    beta_mp,
    closed_form,
    eq4_cases,
    init_with_delta,
    ode_tol,
    order_in_delta,
    whitened_model,
)
from .regimes import (
    balanced_closed_form,
    basin,
    downstream_limit,
    steady_state,
    upstream_deviation_bound,
    upstream_limit,
)
from .single_neuron import eq4_preconditioner
from .solutions import closed_form_branches, closed_form_flow, norm_identity, riccati

__all__: list[str] = []


def _sn_enclosures(a0v, w0v, bs, ts, ea=1.0, ew=1.0):
    """Enclosures (a, w, beta) of the exact single-neuron solution and the max |value| (>= 1) for the bounds."""
    sn = lazyrich.SingleNeuronExact(a0v, w0v, bs, ea, ew)
    a, w, beta = certified_single_neuron(sn, np.asarray(ts, dtype=float), bits=BITS)
    scale = max(1.0, float(np.abs(a.mid).max()), float(np.abs(w.mid).max()), float(np.abs(beta.mid).max()))
    return sn, a, w, beta, scale


def _mp_to_float(a_list, w_list):
    return np.array([float(x) for x in a_list]), np.array([[float(x) for x in row] for row in w_list])


def _arb_vec(v):
    return [exact_arb(x) for x in np.ravel(v)]


def _sq(x):
    """x^2 for a ball (arb ``**`` goes through exp/log and gives nan on a ball containing 0)."""
    return x * x


def _sqrt_nonneg(x):
    """sqrt of a ball known to enclose a non-negative number (Arb gives nan when the ball reaches below 0)."""
    flint = require_flint()
    if bool(x > 0):
        return x.sqrt()
    u = max(float(x.upper()), 0.0)
    top = math.nextafter(math.sqrt(u), math.inf) if u > 0 else 0.0
    return flint.arb(top / 2, top / 2)  # [0, top], top >= sqrt(upper(x))


def _dot(u, v):
    return sum((x * y for x, y in zip(u, v)), exact_arb(0.0))


@certified_check(closed_form_flow)
def certified_closed_form_flow():
    out = []
    for seed, dl, a0_, align in [(90, -3.0, 0.3, -2.0), (91, 0.0, 0.9, 0.3), (92, 2.0, 2.2, 0.3)]:
        rng = np.random.default_rng(seed)
        ea, ew = rng.uniform(0.5, 2.0, 2)
        bs = rng.standard_normal(3)
        a0v, w0v = init_with_delta(a0_, align * bs + rng.standard_normal(3), dl, ea, ew)
        grid = np.linspace(0.0, 4.0, 17)
        tr = gradient_flow(whitened_model(bs, ea, ew), (a0v, w0v), grid, rtol=RTOL)
        _, a, w, _, scale = _sn_enclosures(a0v, w0v, bs, grid, ea, ew)
        label = f"delta={dl}, eta=({ea:.3g}, {ew:.3g})"
        out.append(radius_measurement(a, scale, label))
        ac, wc = _mp_to_float(*closed_form(a0v, w0v, bs, grid, ea, ew))
        mp_bound = (mp_tolerance(DPS) + FLOAT64_EPS) * scale
        out.append(inside(a, ac, mp_bound, f"{label}: mpmath closed form a ({DPS} digits)", "(eps_30^0.8 + eps) scale"))
        out.append(inside(w, wc, mp_bound, f"{label}: mpmath closed form w ({DPS} digits)", "(eps_30^0.8 + eps) scale"))
        tol = ode_tol(tr)
        out.append(inside(a, tr["a"], tol, f"{label}: DOP853 a", "ODE global bound (claim's)"))
        out.append(inside(w, tr["w"], tol, f"{label}: DOP853 w", "ODE global bound (claim's)"))
    return out


def _zero_in_balls(balls, what: str) -> Measurement:
    """``max |mid| / rad`` over balls that enclose a quantity that is exactly 0 if the identity holds.

    Derived bound: the balls come from Arb arithmetic on enclosures of the exact values, so each contains the
    exact quantity; the identity holds only if 0 is in every ball, i.e. ``|mid| <= rad`` (ratio <= 1). The
    radii themselves are held to ``2^-BITS`` relative by the enclosures' :func:`radius_measurement`.
    """
    worst = max(float(abs(b.mid()).upper()) / max(float(b.rad()), 1e-300) for b in balls)
    widest = max(float(b.rad()) for b in balls)
    return Measurement(worst, 1.0, f"{what}: |mid| / rad (widest rad {widest:.2g})", "0 in the Arb ball: |mid| <= rad")


@certified_check(norm_identity)
def certified_norm_identity():
    out = []
    for seed, dl in ((100, -40.0), (101, 0.0), (102, 25.0)):
        rng = np.random.default_rng(seed)
        bs = rng.standard_normal(3)
        a0v, w0v = init_with_delta(np.sqrt(max(dl, 0) + 0.7), rng.standard_normal(3), dl)
        times = [0.0, 0.3, 10.0, 1e3, 1e6]
        _, a, w, _, scale = _sn_enclosures(a0v, w0v, bs, times)
        label = f"delta={dl}"
        out.append(radius_measurement(a, scale, label))
        dl_exact = _sq(exact_arb(float(a0v))) - _dot(_arb_vec(w0v), _arb_vec(w0v))
        res = []
        for k in range(len(times)):
            wk = list(w.balls[k])
            res.append((_dot(wk, wk) - _sq(a.balls[k]) + dl_exact) / (_sq(a.balls[k]) + abs(dl_exact) + 1))
        out.append(_zero_in_balls(res, f"{label}: certified (|w|^2 - a^2 + delta)/(a^2 + |delta| + 1), t <= 1e6"))
        ac, wc = _mp_to_float(*closed_form(a0v, w0v, bs, times, dps=2 * DPS))
        bound = (mp_tolerance(DPS) + FLOAT64_EPS) * scale
        out.append(inside(a, ac, bound, f"{label}: mpmath closed form a (60 digits)", "(eps_30^0.8 + eps) scale"))
        out.append(inside(w, wc, bound, f"{label}: mpmath closed form w (60 digits)", "(eps_30^0.8 + eps) scale"))
    return out


@certified_check(riccati)
def certified_riccati():
    out = []
    for seed, dl in ((80, 1.5), (81, -1.0), (82, 0.0)):
        rng = np.random.default_rng(seed)
        bs = rng.standard_normal(3)
        a0_, w0_ = init_with_delta(1.3, bs + 0.5 * rng.standard_normal(3), dl)
        grid = np.linspace(0.0, 3.0, 13)
        tr = gradient_flow(whitened_model(bs), (a0_, w0_), grid, rtol=RTOL)
        _, a, w, _, _scale = _sn_enclosures(a0_, w0_, bs, grid)
        label = f"delta={dl}"
        bsa = _arb_vec(bs)
        nu = np.empty(len(grid), dtype=object)
        for k in range(len(grid)):
            nu[k] = _dot(list(w.balls[k]), bsa) / a.balls[k]
        nu_enc = Enclosure(nu, a.prec)
        # the tanh formula in Arb, from the exact delta and nu0 of the float init
        dla = _sq(exact_arb(float(a0_))) - _dot(_arb_vec(w0_), _arb_vec(w0_))
        D = (dla * dla + 4 * _dot(bsa, bsa)).sqrt()
        phase = ((dla + 2 * nu[0]) / D).atanh()
        diffs = [(-dla + D * (D * exact_arb(x) / 2 + phase).tanh()) / 2 - nu[k] for k, x in enumerate(grid)]
        out.append(radius_measurement(nu_enc, float(np.abs(nu_enc.mid).max()), f"{label}: nu = w^T beta_*/a"))
        out.append(_zero_in_balls(diffs, f"{label}: certified tanh formula - exact nu (both in Arb)"))
        lip = (1 + float(np.linalg.norm(bs))) / np.abs(tr["a"]).min() ** 2 * (1 + tr.scale)
        out.append(
            inside(
                nu_enc,
                tr["w"] @ bs / tr["a"],
                ode_tol(tr, lip),
                f"{label}: nu from DOP853",
                "ODE bound (1+s)(1+|theta|)/min a^2 (claim's)",
            )
        )
    return out


@certified_check(steady_state)
def certified_steady_state():
    out = []
    for seed, dl in ((110, -2.0), (111, 0.0), (112, 1.5)):
        rng = np.random.default_rng(seed)
        ea, ew = rng.uniform(0.5, 2.0, 2)
        bs = rng.standard_normal(3)
        sv = float(np.linalg.norm(bs))
        a0v, w0v = init_with_delta(np.sqrt(max(dl, 0) / ew + 0.6), bs + rng.standard_normal(3), dl, ea, ew)
        tr = gradient_flow(whitened_model(bs, ea, ew), (a0v, w0v), [0.0, 80.0], rtol=RTOL)
        _, a, _w, beta, _scale = _sn_enclosures(a0v, w0v, bs, [80.0], ea, ew)
        label = f"delta={dl}"
        tol = ode_tol(tr, 2 * tr.scale)
        # the closed-form limit in Arb (exact delta of the float init)
        eaa, ewa = exact_arb(ea), exact_arb(ew)
        dla = ewa * _sq(exact_arb(float(a0v))) - eaa * _dot(_arb_vec(w0v), _arb_vec(w0v))
        lim = ((dla * dla + 4 * eaa * ewa * _dot(_arb_vec(bs), _arb_vec(bs))).sqrt() + dla) / (2 * ewa)
        lim_enc = Enclosure(np.array([lim], dtype=object), a.prec)
        pred = (np.sqrt(dl**2 + 4 * ea * ew * sv**2) + dl) / (2 * ew)
        out.append(radius_measurement(lim_enc, float(lim_enc.mid[0]), f"{label}: a_inf^2"))
        out.append(
            inside(
                lim_enc,
                pred,
                16 * FLOAT64_EPS * pred + 4 * abs(float(dla.mid()) - dl),
                f"{label}: (kappa + delta)/(2 eta_w) (float64)",
                "16 eps + 4 |delta - nominal delta|",
            )
        )
        a2 = _sq(a.balls[0])
        gap = float(abs(a2 - lim).upper())
        out.append(
            Measurement(
                gap,
                tol,
                f"{label}: certified |a(80)^2 - a_inf^2| (exact solution converged)",
                "the claim's ODE tolerance",
            )
        )
        out.append(
            inside(
                Enclosure(np.array([a2], dtype=object), a.prec),
                tr["a"][-1:] ** 2,
                tol,
                f"{label}: DOP853 a(80)^2",
                "ODE bound 2|theta| (claim's)",
            )
        )
        out.append(
            inside(beta, tr["a"][-1] * tr["w"][-1:], tol, f"{label}: DOP853 beta(80)", "ODE bound 2|theta| (claim's)")
        )
    return out


@certified_check(balanced_closed_form)
def certified_balanced_closed_form():
    out = []
    for seed, ea, ew, bs, a0v, w0v, grid, tr in balanced_cases():
        sv = float(np.linalg.norm(bs))
        _, a, w, _, scale = _sn_enclosures(a0v, w0v, bs, grid, ea, ew)
        label = f"seed {seed}"
        bsa = _arb_vec(bs)
        mu = np.empty(len(grid), dtype=object)
        phi = np.empty(len(grid), dtype=object)
        for k in range(len(grid)):
            wk = list(w.balls[k])
            wn = _dot(wk, wk).sqrt()
            mu[k], phi[k] = a.balls[k] * wn, _dot(wk, bsa) / (wn * _dot(bsa, bsa).sqrt())
        mu_enc, phi_enc = Enclosure(mu, a.prec), Enclosure(phi, a.prec)
        out.append(radius_measurement(mu_enc, float(np.abs(mu_enc.mid).max()), f"{label}: mu"))
        # the float64 formulas from the float init (as the claim's, with mu0, phi0 of the init, not the simulation)
        wn0 = float(np.linalg.norm(w0v))
        mu0, phi0 = float(a0v) * wn0, float(w0v @ bs) / (wn0 * sv)
        mu_pred, phi_pred, x = balanced_mu_phi(mu0, phi0, sv, np.sqrt(ea * ew), grid)
        # delta of the float init is ~eps, not 0: the balanced formula is off by <= 100 |delta| (claim_branches' Lipschitz 100)
        dlv = abs(ew * float(a0v) ** 2 - ea * float(w0v @ w0v))
        bound = 64 * FLOAT64_EPS * scale * (1 + 1 / (1 - abs(phi0))) * (1 + float(np.abs(x).max())) + 100 * dlv
        out.append(
            inside(
                phi_enc,
                phi_pred,
                bound,
                f"{label}: phi = tanh(g s t + artanh phi0) (float64)",
                "64 eps scale (1 + 1/(1-|phi0|))(1 + |x|) + 100 |delta|",
            )
        )
        out.append(
            inside(mu_enc, mu_pred, bound * (1 + sv), f"{label}: mu formula (float64)", "the phi bound times (1 + s)")
        )
        wn = np.linalg.norm(tr["w"], axis=1)
        lip = 2 * (1 + tr.scale + 1 / wn.min()) * (1 + 1 / (1 - abs(phi0)))
        tol = ode_tol(tr, lip)
        out.append(inside(phi_enc, tr["w"] @ bs / (wn * sv), tol, f"{label}: phi from DOP853", "the claim's ODE bound"))
        out.append(inside(mu_enc, tr["a"] * wn, tol, f"{label}: mu from DOP853", "the claim's ODE bound"))
    return out


def _sn_kernel_distance(a, w, ea, ew, d):
    """Certified S(0, t) of a whitened single neuron from enclosures of a(t), w(t) (a[0], w[0] at t = 0)."""
    eaa, ewa = exact_arb(ea), exact_arb(ew)

    def unit_m(ak, wk):
        m = [[ewa * ak * ak * (1 if i == j else 0) + eaa * wk[i] * wk[j] for j in range(d)] for i in range(d)]
        nrm = sum((x * x for row in m for x in row), exact_arb(0.0)).sqrt()
        return [[x / nrm for x in row] for row in m]

    m0 = unit_m(a.balls[0], list(w.balls[0]))
    out = np.empty(len(a.balls), dtype=object)
    for k in range(len(a.balls)):
        mk = unit_m(a.balls[k], list(w.balls[k]))
        out[k] = sum((_sq(x - y) for rx, ry in zip(mk, m0) for x, y in zip(rx, ry)), exact_arb(0.0)) / 2
    return Enclosure(out, a.prec)


@certified_check(kernel_distance)
def certified_kernel_distance():
    out = []
    for seed, dl in ((170, -3.0), (171, 0.0), (172, 2.0)):
        rng = np.random.default_rng(seed)
        ea, ew = rng.uniform(0.5, 2.0, 2)
        Q = random_orthogonal(3, rng)
        bs = rng.standard_normal(3)
        a0v, w0v = init_with_delta(np.sqrt(max(dl, 0) / ew + 0.5), rng.standard_normal(3), dl, ea, ew)
        grid = np.linspace(0.0, 4.0, 9)
        tr = gradient_flow(SingleNeuronModel(Q, Q @ bs, ea, ew), (a0v, w0v), grid, rtol=RTOL)
        sn, a, w, _, _ = _sn_enclosures(a0v, w0v, bs, grid, ea, ew)
        S = _sn_kernel_distance(a, w, ea, ew, 3)
        label = f"delta={dl}"
        out.append(radius_measurement(S, 1.0, f"{label}: S(0, t)"))
        out.append(
            inside(
                S,
                sn.kernel_distance(grid),
                64 * FLOAT64_EPS,
                f"{label}: SingleNeuronExact.kernel_distance (float64)",
                "64 eps (claim's cosine round-off)",
            )
        )
        K = [ew * av**2 * Q @ Q.T + ea * np.outer(Q @ wv, Q @ wv) for av, wv in zip(tr["a"], tr["w"])]
        S_sim = np.array([1 - np.sum(K[0] * k) / (np.linalg.norm(K[0]) * np.linalg.norm(k)) for k in K])
        tol = ode_tol(tr, 8 * tr.scale**3 / np.linalg.norm(K[0]) * max(ea, ew)) + 64 * FLOAT64_EPS
        out.append(inside(S, S_sim, tol, f"{label}: S from simulated NTKs", "the claim's ODE bound + 64 eps"))
    return out


def _sn_beta_at(beta0, beta_star, dl, ts):
    """Enclosure of beta(t) from the notebook's init with beta(0) = beta0 and conserved delta (unit rates)."""
    a0v, w0v = beta0_init(beta0, dl)
    _, _, _, beta, scale = _sn_enclosures(a0v, w0v, beta_star, ts)
    return a0v, w0v, beta, scale


@certified_check(upstream_limit)
def certified_upstream_limit():
    out, errs = [], []
    deltas = np.array([100.0, 200.0, 400.0])
    for dl in deltas:
        ts = np.linspace(0.0, 6.0 / dl, 25)
        _, _, beta, scale = _sn_beta_at(UP_BETA0, UP_BSTAR, dl, ts)
        out.append(radius_measurement(beta, scale, f"delta={dl:g}"))
        out.append(
            inside(
                beta,
                beta_mp(UP_BETA0, UP_BSTAR, dl, ts),
                (mp_tolerance(DPS) + FLOAT64_EPS) * scale,
                f"delta={dl:g}: mpmath closed form beta ({DPS} digits)",
                "(eps_30^0.8 + eps) scale",
            )
        )
        # sup_t |beta - linear-regression flow| with the flow in Arb too
        worst = 0.0
        for k, x in enumerate(ts):
            decay = (-exact_arb(dl) * exact_arb(x)).exp()
            for j in range(2):
                b0, bs_ = exact_arb(UP_BETA0[j]), exact_arb(UP_BSTAR[j])
                worst = max(worst, float(abs(beta.balls[k, j] - (bs_ + (b0 - bs_) * decay)).mid()))
        errs.append(worst)
    out.append(order_in_delta(errs, deltas, "certified sup_t |beta - linear-regression flow|"))
    out.append(
        Measurement(
            errs[1],
            upstream_deviation_bound(deltas[1]),
            "delta = 200: certified sup deviation",
            "Duhamel: 2 r^2 |beta_0 - beta_*| / (e delta^2) (regimes.upstream_deviation_bound)",
        )
    )
    return out


@certified_check(downstream_limit)
def certified_downstream_limit():
    out, e_mu, e_phi = [], [], []
    deltas = np.array([-100.0, -200.0, -400.0])
    bsa = _arb_vec(UP_BSTAR)
    for dl in deltas:
        t1 = 20.0 / abs(dl)
        ts = np.linspace(t1, 10.0 * abs(dl), 40)
        a0v, w0v = beta0_init(UP_BETA0, dl)
        _, a, w, _, scale = _sn_enclosures(a0v, w0v, UP_BSTAR, ts)
        out.append(radius_measurement(a, scale, f"delta={dl:g}"))
        ac, wc = _mp_to_float(*closed_form(a0v, w0v, UP_BSTAR, ts))
        bound = (mp_tolerance(DPS) + FLOAT64_EPS) * scale
        out.append(inside(a, ac, bound, f"delta={dl:g}: mpmath closed form a", "(eps_30^0.8 + eps) scale"))
        out.append(inside(w, wc, bound, f"delta={dl:g}: mpmath closed form w", "(eps_30^0.8 + eps) scale"))
        # |mu - phi s| and |phi - slow-phase formula| (s = |beta_*| = 1), all in Arb
        mu, ph = [], []
        for k in range(len(ts)):
            wk = list(w.balls[k])
            wn = _dot(wk, wk).sqrt()
            mu.append(a.balls[k] * wn)
            ph.append(_dot(wk, bsa) / wn)
        sign = 1 if float(ph[0].mid()) > 0 else -1
        inv2 = 1 / (ph[0] * ph[0]) - 1
        e_mu.append(max(float(abs(m_ - p_).mid()) for m_, p_ in zip(mu, ph)))
        e_phi.append(
            max(
                float(
                    abs(
                        p_ - sign / (1 + inv2 * (-2 * (exact_arb(x) - exact_arb(t1)) / exact_arb(abs(dl))).exp()).sqrt()
                    ).mid()
                )
                for p_, x in zip(ph, ts)
            )
        )
    out.append(order_in_delta(e_mu, deltas, "certified |mu - phi s| after t1 = 20/|delta|"))
    out.append(order_in_delta(e_phi, deltas, "certified |phi - slow-phase formula|"))
    return out


@certified_check(basin)
def certified_basin():
    """The basin formula's sign against the certified sign of the exact a(40) (and of the simulation)."""
    rng = np.random.default_rng(120)
    out, mismatches, tried = [], 0, 0
    for dl in (-4.0, -2.5, -1.0, -1.0, -0.3, -0.3, 0.0, 0.8, 3.0):
        bs = rng.standard_normal(2)
        sv = float(np.linalg.norm(bs))
        a_mag = rng.uniform(0.2, 1.5) + np.sqrt(max(dl, 0.0))
        a0v, w0v = init_with_delta(a_mag * rng.choice([-1.0, 1.0]), rng.standard_normal(2), dl)
        score = float(w0v @ bs + a0v / 2 * (dl + np.sqrt(dl**2 + 4 * sv**2)))
        if abs(score) < 0.05:
            continue
        # the score in Arb (exact delta of the float init), its sign certified
        dla = _sq(exact_arb(float(a0v))) - _dot(_arb_vec(w0v), _arb_vec(w0v))
        sc = _dot(_arb_vec(w0v), _arb_vec(bs)) + exact_arb(float(a0v)) / 2 * (
            dla + (dla * dla + 4 * _dot(_arb_vec(bs), _arb_vec(bs))).sqrt()
        )
        sn, a, _, _, sc_a = _sn_enclosures(a0v, w0v, bs, [40.0])
        ball = a.balls[0]
        out.append(
            inside(
                a,
                sn.a([40.0]),
                16 * FLOAT64_EPS * sc_a,
                f"delta={dl}: SingleNeuronExact.a(40) (float64)",
                "16 eps max(1, |a|, |w|)",
            )
        )
        certain = not ball.contains(0) and not sc.contains(0)
        mismatches += int(not certain or (float(ball.mid()) > 0) != (float(sc.mid()) > 0))
        tr = gradient_flow(whitened_model(bs), (a0v, w0v), [0.0, 40.0], rtol=1e-9)
        mismatches += int(np.sign(tr["a"][-1]) != np.sign(float(ball.mid())))
        tried += 1
    out.append(
        Measurement(
            float(mismatches),
            0.0,
            f"certified sign of the exact a(40) vs the basin formula and vs DOP853, {tried} inits",
            "signs must agree and be certain",
        )
    )
    return out


@certified_check(one_dim_null_space)
def certified_one_dim_null_space():
    out = []
    Xd, yd = np.array([[0.5, 1.0]]), np.array([1.1])
    x = Xd[0]
    beta0 = 0.5 * (0.6 * np.array([1.0, -0.5]) + 0.4 * x)
    b_mn = x * yd[0] / (x @ x)
    c = float(np.linalg.norm(b_mn))
    nh = np.array([1.0, -0.5]) / np.linalg.norm([1.0, -0.5])
    # exact data in Arb: b_mn = x y / |x|^2, n_hat = (1, -1/2)/|.|, c = |b_mn|
    xa, ya = _arb_vec(x), exact_arb(yd[0])
    bmn_a = [xi * ya / _dot(xa, xa) for xi in xa]
    nraw = [exact_arb(1.0), exact_arb(-0.5)]
    nh_a = [v / _dot(nraw, nraw).sqrt() for v in nraw]
    c_a = _dot(bmn_a, bmn_a).sqrt()
    for dl in (-2.0, 0.0, 2.0):
        a0v, w0v = beta0_init(beta0, dl)
        dla = _sq(exact_arb(float(a0v))) - _dot(_arb_vec(w0v), _arb_vec(w0v))
        k_a = (1 if a0v > 0 else -1) * _dot(_arb_vec(w0v), nh_a)
        vk = (k_a * k_a + dla) / 2
        alpha_a = k_a * (vk + (vk * vk + c_a * c_a).sqrt()).sqrt()
        lim = np.array([bmn_a[i] + alpha_a * nh_a[i] for i in range(2)], dtype=object)
        enc = Enclosure(lim, DERIVED_PREC)
        out.append(radius_measurement(enc, float(np.abs(enc.mid).max()), f"delta={dl}: beta_inf"))
        k = float(np.sign(a0v) * (w0v @ nh))
        vkf = (k * k + dl) / 2
        alpha = k * np.sqrt(vkf + np.sqrt(vkf * vkf + c * c))
        out.append(
            inside(
                enc,
                b_mn + alpha * nh,
                64 * FLOAT64_EPS * (1 + abs(alpha)) + 4 * abs(float(dla.mid()) - dl),
                f"delta={dl}: 1-D closed form (float64)",
                "64 eps (1 + |alpha|) + 4 |delta - nominal delta|",
            )
        )
        tr = gradient_flow(SingleNeuronModel(Xd, yd), (a0v, w0v), [0.0, 40.0, 80.0], rtol=RTOL)
        b_gf = tr["a"][-1] * tr["w"][-1]
        moved = float(np.abs(b_gf - tr["a"][-2] * tr["w"][-2]).max())
        out.append(
            inside(
                enc,
                b_gf,
                ode_tol(tr, 2 * tr.scale) + moved,
                f"delta={dl}: GF limit (DOP853, t=80)",
                "the claim's bound",
            )
        )
    return out


@certified_check(closed_form_branches)
def certified_closed_form_branches():
    out = []
    ts = np.array([0.0, 0.5, 3.0, 1e3, 1e6])
    # delta < 0, delta = 0, delta > 0, unequal learning rates
    for a0v, w0v, bs, ea, ew in [
        (0.1, [1.0, 0.5], [1.0, -2.0], 1.0, 1.0),
        (0.3, [0.3, 0.0], [-1.0, 0.2], 1.0, 1.0),
        (2.0, [0.1, 0.3], [1.0, 0.5], 1.0, 1.0),
        (1.0, [0.5, -0.5], [1.0, 2.0], 0.5, 2.0),
    ]:
        sn = lazyrich.SingleNeuronExact(a0v, w0v, bs, ea, ew)
        a, w, beta = certified_single_neuron(sn, ts, bits=BITS)
        scale = max(1.0, float(np.abs(beta.mid).max()), float(np.abs(a.mid).max()), float(np.abs(w.mid).max()))
        label = f"delta={sn.delta:.3g}, eta=({ea}, {ew})"
        out.append(radius_measurement(beta, scale, label))
        for name, enc, vals in (("a", a, sn.a(ts)), ("w", w, sn.w(ts)), ("beta", beta, sn.beta(ts))):
            out.append(
                inside(
                    enc,
                    vals,
                    16 * FLOAT64_EPS * scale,
                    f"{label}: SingleNeuronExact.{name} (float64)",
                    "16 eps max(1, |a|, |w|, |beta|) (measured <= 2 eps)",
                )
            )
    return out


@certified_check(eq4_preconditioner)
def certified_eq4_preconditioner():
    flint = require_flint()
    out = []
    for dd, ea, ew, av, wv, dl, beta, kap in eq4_cases():
        # eq. (3) M = eta_w a^2 I + eta_a w w^T from the float a, w taken as exact
        eaa, ewa, aa, wa = exact_arb(ea), exact_arb(ew), exact_arb(av), _arb_vec(wv)
        Ma = flint.arb_mat(
            [[ewa * aa * aa * (1 if i == j else 0) + eaa * wa[i] * wa[j] for j in range(dd)] for i in range(dd)]
        )
        M_enc = Enclosure(np.array([[Ma[i, j] for j in range(dd)] for i in range(dd)], dtype=object), DERIVED_PREC)
        label = f"d={dd}"
        M = ew * av**2 * np.eye(dd) + ea * np.outer(wv, wv)
        bh = beta / np.linalg.norm(beta)
        M4 = (kap + dl) / 2 * np.eye(dd) + (kap - dl) / 2 * np.outer(bh, bh)
        out.append(
            inside(M_enc, M4, 8 * dd * FLOAT64_EPS * kap, f"{label}: eq. (4) M (float64)", "8 d eps kappa (claim's)")
        )
        ev_enc = Enclosure(
            np.array(sorted(symmetric_eigenvalues(Ma), key=lambda b: float(b.mid())), dtype=object), DERIVED_PREC
        )
        out.append(radius_measurement(ev_enc, kap, f"{label}: eigenvalues of M"))
        tol = linalg_tolerance(kap / max((kap + dl) / 2, 1e-300), 4 * dd) * kap
        out.append(
            inside(
                ev_enc,
                np.sort(np.linalg.eigvalsh(M)),
                tol,
                f"{label}: eigvalsh(M) (float64)",
                "4 d cond(M) eps kappa (claim's)",
            )
        )
        pred = np.sort(np.r_[kap, np.full(dd - 1, (kap + dl) / 2)])
        out.append(
            inside(ev_enc, pred, tol, f"{label}: (kappa, (kappa+delta)/2) (float64)", "4 d cond(M) eps kappa (claim's)")
        )
    return out
