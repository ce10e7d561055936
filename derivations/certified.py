"""Certified checks (``lazyrich verify --certified``) for the claims that have a closed form.

Each check encloses the exact value of the closed form with Arb balls
(:mod:`lazyrich.certified`, python-flint) and measures, for the float64 stable form and
for the simulation, a *certified* upper bound on the distance to the exact value,
``|x - mid| + rad``, against that value's own error bound. The enclosure radius is reported
as a measurement of its own (held to the requested ``2^-bits``). The checks attach to the
existing claims through :data:`lazyrich.REGISTRY` and reuse the paper modules' public helpers
(cases, independent references).

Coverage: every claim whose numeric check evaluates a closed form (an exact trajectory, its limit,
a quantity built from it such as the NTK or the kernel distance, or a closed-form spectrum) carries
a check here; ``tests/test_certified_verify.py`` lists them and fails when a claim module starts
calling an exact-solution evaluator without one. Quantities with no direct Arb evaluator come from
:mod:`lazyrich.certified` (``certified_qqt_limit``, ``certified_ntk``, ``certified_kernel_distance``) or are built below with Arb
arithmetic on the enclosures (at :data:`DERIVED_PREC`). Statements that are themselves limits or
rates (orders in lambda or delta, brackets of crossing times, signs) are checked on the enclosures,
so their inputs are exact to ``2^-bits``; the fitted orders remain the claim's stated heuristics.
"""

from __future__ import annotations

import functools
import itertools
import math

import mpmath
import numpy as np

import lazyrich
from lazyrich import (
    FLOAT64_EPS,
    REGISTRY,
    Measurement,
    SingleNeuronModel,
    fit_order,
    gradient_flow,
    linalg_tolerance,
    mp_tolerance,
    ode_global_tolerance,
    random_orthogonal,
)
from lazyrich.certified import (
    Enclosure,
    certified_aligned_singular_value,
    certified_kernel_distance,
    certified_mixed_aligned_singular_value,
    certified_ntk,
    certified_qqt,
    certified_qqt_limit,
    certified_single_neuron,
    exact_arb,
    require_flint,
    stable_qqt_error_bound,
)

from . import get_rich_quick as grq
from . import lazy_to_rich, mixed_dynamics
from .lazy_to_rich import (
    balanced_pair,
    braun_zero_balanced,
    f_matrix,
    flow_qqt,
    fukumizu_direct,
    fukumizu_mp,
    jacobian,
    kernel_distance_of,
    limit_qqt,
    ntk_np,
    random_task,
    scalar_ode,
    split_singular_values,
    thesis_s,
)

__all__: list[str] = []

#: Requested relative accuracy of the enclosures (bits); the radius must come out below 2^-BITS * scale.
BITS = 100


#: Working precision (bits) of the Arb arithmetic the checks do on enclosures (python-flint's default is 53):
#: well above BITS, so derived balls keep radii far below 2^-BITS relative.
DERIVED_PREC = 4 * BITS


def _certified(cid: str):
    """Register the decorated function as the certified check of claim ``cid``, run at :data:`DERIVED_PREC`."""

    def register(fn):
        @functools.wraps(fn)
        def run():
            flint = require_flint()
            saved = flint.ctx.prec
            flint.ctx.prec = DERIVED_PREC
            try:
                return fn()
            finally:
                flint.ctx.prec = saved

        REGISTRY[cid].certified_check(run)
        return run

    return register


def _radius(enc: Enclosure, scale: float, what: str) -> Measurement:
    return Measurement(
        float(enc.rad.max()),
        2.0**-BITS * scale,
        f"{what}: Arb enclosure radius (prec {enc.prec} bits)",
        f"requested 2^-{BITS} relative",
    )


def inside(enc: Enclosure, x, bound: float, what: str, bound_from: str) -> Measurement:
    """The certified distance ``|x - mid| + rad`` of float64 values ``x`` from the enclosure, held to ``bound``.

    Every float64-vs-exact comparison of the certified checks goes through here (the tests corrupt it).
    """
    return Measurement(float(enc.distance_bound(x).max()), bound, f"{what}: certified |x - exact|", bound_from)


def _lower_distance(enc: Enclosure, x) -> float:
    """A certified lower bound on ``max |x - exact|`` (0 when the balls are too wide to tell)."""
    xs = np.asarray(x, dtype=object).reshape(enc.balls.shape)
    return max(max(float(abs(exact_arb(v) - b).lower()), 0.0) for v, b in zip(xs.flat, enc.balls.flat))


def _certainly_wrong(enc: Enclosure, x, floor: float, what: str) -> Measurement:
    """Passes when ``x`` is *certainly* at least ``floor`` away from the exact value somewhere."""
    low = _lower_distance(enc, x)
    return Measurement(
        floor / max(low, 1e-300),
        1.0,
        f"{what}: floor {floor:g} / certified lower bound on |x - exact| {low:.3g}",
        "the failure must exceed the floor (certified)",
    )


@_certified("lazy_to_rich.transition_function")
def _():
    out = []
    ts = np.array([0.0, 0.5, 1.5, 4.0, 10.0, 1e6])
    for lm in (-5.0, 0.0, 0.3, 5.0):
        s0, st = 0.05, 1.7
        enc = certified_aligned_singular_value(ts, s0, st, lm, bits=BITS)
        out.append(_radius(enc, st, f"lambda={lm}"))
        out.append(
            inside(
                enc,
                lazyrich.aligned_singular_value(ts, s0, st, lm),
                64 * FLOAT64_EPS * st,
                f"lambda={lm}: aligned_singular_value (float64)",
                "64 eps s~ (float64 evaluation of a well-conditioned formula)",
            )
        )
        sim, tol = scalar_ode(s0, st, lm, ts[:-1])
        out.append(inside(enc.take(slice(0, -1)), sim, tol, f"lambda={lm}: scalar ODE (DOP853)", "ODE global bound"))
    return out


@_certified("mixed_dynamics.closed_form")
def _():
    out = []
    ts = np.array([0.0, 0.3, 1.0, 2.0, 1e6])
    for s0v, ssv, cv in [(0.1, 2.0, 0.5), (-1.0, 1.0, 0.3), (3.0, 1.0, 2.0), (1e-3, 5.0, 1e-9)]:
        scale = max(abs(s0v), ssv, cv)
        enc = certified_mixed_aligned_singular_value(ts, s0v, ssv, cv, bits=BITS)
        label = f"s0={s0v}, s*={ssv}, c={cv}"
        out.append(_radius(enc, scale, label))
        out.append(
            inside(
                enc,
                lazyrich.mixed_aligned_singular_value(ts, s0v, ssv, cv),
                64 * FLOAT64_EPS * scale,
                f"{label}: mixed_aligned_singular_value (float64)",
                "64 eps max(|s0|, s*, c)",
            )
        )
    # the simulation of eq. (1) from an aligned diagonal A(0)
    s0s, targets, cv = np.array([0.2, -0.5]), np.array([1.5, 0.8]), 0.4
    traj = lazyrich.self_consistent_flow(np.diag(s0s), np.diag(targets), cv, ts[:-1], rtol=1e-11)
    tol = ode_global_tolerance(traj.n_steps, traj.rtol, traj.atol, traj.scale)
    for k in range(2):
        enc = certified_mixed_aligned_singular_value(ts[:-1], s0s[k], targets[k], cv, bits=BITS)
        out.append(inside(enc, traj["A"][:, k, k], tol, f"mode {k}: self_consistent_flow (DOP853)", "ODE global bound"))
    return out


@_certified("lazy_to_rich.stable_closed_form")
def _():
    out = []
    cases = [(3, 3, 3, -3.0), (3, 2, 2, 0.7), (2, 2, 3, -0.5)]
    ts = np.array([0.0, 1.0, 4.0])
    for seed, (ni, nh, no, lm) in enumerate(cases):
        rng = np.random.default_rng(60 + seed)
        syx = random_task(rng, ni, no)
        W1v, W2v = lazyrich.lambda_balanced_init(ni, nh, no, lm, sigma=0.6, seed=60 + seed)
        net = lazyrich.TwoLayerExact(W1v, W2v, syx)
        enc = certified_qqt(net, ts, bits=BITS)
        scale = float(np.abs(enc.mid).max())
        label = f"{ni}-{nh}-{no}, lambda={lm}"
        out.append(_radius(enc, scale, label))
        out.append(
            inside(
                enc,
                net.qqt(ts),
                stable_qqt_error_bound(net, scale),
                f"{label}: stable qqt (float64)",
                "4 (n + condition) eps |QQ^T|",
            )
        )
        _, qq_sim, tol = flow_qqt(syx, W1v, W2v, ts)
        out.append(inside(enc, qq_sim, tol, f"{label}: gradient-flow simulation", "quadratic invariant bound"))
    return out


@_certified("get_rich_quick.closed_form_branches")
def _():
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
        out.append(_radius(beta, scale, label))
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


def _two_layer_setup(rng_seed, ni, nh, no, lm, sigma, init_seed):
    rng = np.random.default_rng(rng_seed)
    syx = random_task(rng, ni, no)
    W1v, W2v = lazyrich.lambda_balanced_init(ni, nh, no, lm, sigma=sigma, seed=init_seed)
    return rng, syx, W1v, W2v


def _qqt_block(enc: Enclosure, rows: slice, cols: slice) -> Enclosure:
    return Enclosure(enc.balls[..., rows, cols].copy(), enc.prec)


@_certified("lazy_to_rich.fukumizu_solution")
def _():
    out = []
    for (ni, nh, no, lm), syx, W1v, W2v, ts, traj, qq, tol in lazy_to_rich.fukumizu_cases():
        net = lazyrich.TwoLayerExact(W1v, W2v, syx)
        enc = certified_qqt(net, ts, bits=BITS)
        lm = net.lam  # the closed forms below take the measured balance (the enclosure's), not the nominal one
        scale = float(np.abs(enc.mid).max())
        label = f"{ni}-{nh}-{no}, lambda={lm:.2g}"
        out.append(_radius(enc, scale, label))
        out.append(inside(enc, qq, tol, f"{label}: gradient-flow simulation", "quadratic invariant bound"))
        ev = np.linalg.eigvalsh(f_matrix(syx, lm))
        for i, tt in enumerate(ts):
            kappa = math.exp(2 * (ev[-1] - ev[0]) * tt)  # direct-form conditioning (Dominé et al. (2025), App. B.5)
            out.append(
                inside(
                    enc.take(i),
                    fukumizu_direct(syx, W1v, W2v, lm, tt),
                    linalg_tolerance(kappa, 8 * (ni + no)) * traj.scale**2,
                    f"{label}, t={tt}: direct Fukumizu form (float64)",
                    "kappa(t) n eps |W|^2 (the claim's bound without the flow part)",
                )
            )
        mp_vals = np.array([fukumizu_mp(syx, W1v, W2v, lm, tt, dps=40) for tt in ts[1:]])
        out.append(
            inside(
                enc.take(slice(1, None)),
                mp_vals,
                (mp_tolerance(40) + FLOAT64_EPS) * scale,
                f"{label}: mpmath Fukumizu form (40 digits, rounded to float64)",
                "(eps_40^0.8 + eps_64) |QQ^T|",
            )
        )
    return out


@_certified("lazy_to_rich.lambda_zero_limit")
def _():
    out = []
    for (ni, no), syx, W1v, W2v, ts, traj, qq_, tol in lazy_to_rich.lambda_zero_cases():
        net = lazyrich.TwoLayerExact(W1v, W2v, syx)
        enc = certified_qqt(net, ts, bits=BITS)
        scale = float(np.abs(enc.mid).max())
        kap = linalg_tolerance(net.condition**2, 16 * (ni + no)) * traj.scale**2
        label = f"({ni},{no}), lambda={net.lam:.2g}"
        out.append(_radius(enc, scale, label))
        braun = np.array([braun_zero_balanced(syx, W1v, W2v, x) for x in ts])
        out.append(
            inside(enc, braun, kap, f"{label}: Braun et al. zero-balanced form (float64)", "kappa^2 n eps |W|^2")
        )
        out.append(
            inside(
                enc,
                net.qqt(ts),
                stable_qqt_error_bound(net, scale),
                f"{label}: stable qqt (float64)",
                "4 (n + condition) eps |QQ^T|",
            )
        )
        out.append(inside(enc, qq_, tol, f"{label}: gradient-flow simulation", "quadratic invariant bound"))
    return out


@_certified("lazy_to_rich.direct_form_instability")
def _():
    _syx, _W1, _W2, lm, net, ev, mu_ = lazy_to_rich.direct_form_case()
    n = net.n_in + net.n_out
    ts = np.array([4.0, 8.0, 12.0, 25.0, 400.0 / ev[-1]])
    enc = certified_qqt(net, ts, bits=BITS)
    out = [_radius(enc, float(np.abs(enc.mid).max()), f"lambda={lm}, t <= {ts[-1]:.0f}")]
    for i, t_ in enumerate(ts):
        scale = float(np.abs(enc.take(i).mid).max())
        out.append(
            inside(
                enc.take(i),
                net.qqt(t_),
                linalg_tolerance(net.condition**2, 16 * n) * scale,
                f"t={t_:.4g}: stable form (float64)",
                "kappa(q+)^2 n eps |QQ^T| (the claim's relative bound)",
            )
        )
        if t_ < 20:
            out.append(
                inside(
                    enc.take(i),
                    net.qqt(t_, method="direct"),
                    FLOAT64_EPS * math.exp(2 * (mu_.max() - mu_.min()) * t_) * scale,
                    f"t={t_:.4g}: direct form (float64)",
                    "heuristic growth law eps e^(2(mu_max-mu_min)t) |QQ^T|",
                )
            )
        elif t_ < 100:
            out.append(
                _certainly_wrong(enc.take(i), net.qqt(t_, method="direct"), 1e-2 * scale, f"t={t_:.4g}: direct form")
            )
    return out


@_certified("lazy_to_rich.long_time_limit")
def _():
    out = []
    for (ni, nh, no, lm), syx, W1v, W2v, net in lazy_to_rich.long_time_cases():
        enc = certified_qqt_limit(syx, net.lam, bits=BITS)
        scale = float(np.abs(enc.mid).max())
        label = f"{ni}-{nh}-{no}, lambda={lm}"
        bound = linalg_tolerance(1.0, 16 * (ni + no)) * scale
        out.append(_radius(enc, scale, f"{label}: QQ^T(inf)"))
        out.append(
            inside(enc, net.qqt_limit(), bound, f"{label}: engine qqt_limit (float64)", "n eps |QQ^T| (claim's)")
        )
        ref = certified_qqt_limit(syx, lm, bits=BITS)  # the SVD formula is evaluated at the nominal lambda
        out.append(
            inside(ref, limit_qqt(syx, lm), bound, f"{label}: SVD formula 2 P+ S P+^T (float64)", "n eps |QQ^T|")
        )
        s = np.linalg.svd(syx, compute_uv=False)
        mu_ = np.sqrt(s**2 + lm**2 / 4)
        ellp = np.sign(no - ni) * lm / 2
        rate = min(2 * mu_.min(), mu_.min() - ellp if ni != no else np.inf)
        T = 40.0 / rate
        _, qq_, tol = flow_qqt(syx, W1v, W2v, [0.0, T])
        out.append(
            inside(
                enc,
                qq_[-1],
                tol + 100 * scale * math.exp(-rate * T),
                f"{label}: simulation at t={T:.0f} vs the limit",
                "flow bound + 100 |P| e^{-rate t} (linearised decay)",
            )
        )
    return out


@_certified("lazy_to_rich.thesis_aligned_formula")
def _():
    out = []
    ts = np.linspace(0, 5, 11)
    s0, st = 0.1, 1.5
    for lm in (-2.0, -0.5, 0.5, 2.0):
        enc = certified_aligned_singular_value(ts, s0, st, lm, bits=BITS)
        out.append(_radius(enc, st, f"lambda={lm}"))
        out.append(
            inside(
                enc,
                thesis_s(ts, s0, st, lm),
                1e3 * FLOAT64_EPS * st,
                f"lambda={lm}: corrected thesis formula (float64)",
                "1e3 eps s~ (claim's)",
            )
        )
        ode, tol = scalar_ode(s0, st, lm, ts)
        out.append(inside(enc, ode, tol, f"lambda={lm}: scalar ODE (DOP853)", "ODE global bound"))
    enc = certified_aligned_singular_value(ts, s0, st, -2.0, bits=BITS)
    out.append(_certainly_wrong(enc, thesis_s(ts, s0, st, -2.0, printed=True), 0.1, "lambda=-2: printed thesis T0"))
    return out


@_certified("lazy_to_rich.shallow_equivalence")
def _():
    rng = np.random.default_rng(160)
    n = 2
    syx = random_task(rng, n, n)
    U, V, R = (random_orthogonal(n, rng) for _ in range(3))
    s0 = np.array([0.5, 0.2])
    us = np.array([0.5, 1.0, 2.0, 4.0])
    out = []
    for sign in (1.0, -1.0):
        lams, errs = [20.0, 40.0, 80.0], []
        for L in lams:
            lm = sign * L
            c0, d0 = split_singular_values(s0, lm)
            W1v, W2v = (R * c0) @ V.T, (U * d0) @ R.T
            ts = np.concatenate([[0.0], us / L])
            enc = certified_qqt(lazyrich.TwoLayerExact(W1v, W2v, syx), ts, bits=BITS)
            M = enc.balls[:, n:, :n]  # exact W2 W1(t), M[0] = W2 W1(0)
            dev = [
                abs(M[k, i, j] - (exact_arb(syx[i, j]) + (M[0, i, j] - exact_arb(syx[i, j])) * (-exact_arb(u)).exp()))
                for k, u in enumerate(us, start=1)
                for i in range(n)
                for j in range(n)
            ]
            errs.append(max(float(d.mid()) for d in dev))
            _, qq_, tol = flow_qqt(syx, W1v, W2v, ts)
            out.append(inside(enc, qq_, tol, f"lambda={lm}: gradient-flow simulation", "quadratic invariant bound"))
        order = fit_order([1 / L for L in lams], errs)
        out.append(
            Measurement(
                abs(order - 2.0),
                0.15,
                f"sign {sign:+.0f}: certified deviation from the shallow trajectory ~ |lambda|^-{order:.3f} (expected 2)",
                "integer orders (deviations from enclosures with radius < 2^-100 relative)",
            )
        )
    return out


@_certified("lazy_to_rich.representation_limits")
def _():
    rng = np.random.default_rng(170)
    ni, no = 3, 2
    syx = random_task(rng, ni, no)
    out = []
    for lm in (10.0, 20.0, 40.0, -10.0, -20.0, -40.0):
        enc = certified_qqt_limit(syx, lm, bits=BITS)
        scale = float(np.abs(enc.mid).max())
        out.append(_radius(enc, scale, f"lambda={lm}: QQ^T(inf)"))
        # the small block is O(1/|lambda|): hold it to its own scale (the orders are fitted from it)
        for name, blk in (("input", slice(0, ni)), ("output", slice(ni, None))):
            sub = _qqt_block(enc, blk, blk)
            out.append(
                inside(
                    sub,
                    limit_qqt(syx, lm)[blk, blk],
                    linalg_tolerance(scale, 16 * (ni + no)),
                    f"lambda={lm}: SVD formula, {name} block (float64)",
                    "n eps |QQ^T|",
                )
            )
    return out


def _ntk_bound(delta: float, X: np.ndarray) -> float:
    """Max-norm error of an NTK built from a QQ^T with max-norm error ``delta`` (plus its own round-off)."""
    ni, P = X.shape
    x2 = float(np.abs(X).max()) ** 2
    return 2 * ni * ni * x2 * delta + 4 * ni * P * FLOAT64_EPS * x2


@_certified("lazy_to_rich.ntk_formula")
def _():
    out = []
    for (ni, nh, no, lm), _syx, _W1, _W2, X, net, traj, tol in lazy_to_rich.ntk_formula_cases():
        qenc = certified_qqt(net, traj.t, bits=BITS)
        qscale = float(np.abs(qenc.mid).max())
        K = certified_ntk(qenc, ni, X)
        label = f"{ni}-{nh}-{no}, lambda={lm}"
        kscale = float(np.abs(K.mid).max())
        out.append(_radius(K, kscale, f"{label}: NTK"))
        out.append(
            inside(
                K,
                net.ntk(traj.t, X),
                _ntk_bound(stable_qqt_error_bound(net, qscale) * qscale / max(qscale, 1.0), X) * max(qscale, 1.0),
                f"{label}: engine NTK (float64)",
                "2 N_i^2 |X|^2 (stable qqt bound) + N_i P eps |X|^2",
            )
        )
        for i, tt in enumerate(traj.t):
            J = jacobian(*traj.at(i), X)
            scale = np.abs(X).max() ** 2 * max(traj.scale, 1.0) ** 2
            out.append(
                inside(
                    K.take(i),
                    J @ J.T,
                    (tol + linalg_tolerance(net.condition**2, 16 * (ni + no))) * scale * ni * 4,
                    f"{label}, t={tt}: J J^T of simulated weights",
                    "(flow bound + kappa^2 n eps) |X|^2 |W|^2 P N_i (claim's)",
                )
            )
    return out


@_certified("lazy_to_rich.ntk_laziness")
def _():
    rng = np.random.default_rng(190)
    n = 3
    syx = random_task(rng, n, n)
    U, V, R = (random_orthogonal(n, rng) for _ in range(3))
    s0 = np.full(n, 0.05)
    X = np.eye(n)
    lams = [0.001, 1.0, 3.0, 10.0, 25.0, 50.0, 100.0]
    out, dists = [], []
    for lm in lams:
        c0, d0 = split_singular_values(s0, lm)
        W1v, W2v = (R * c0) @ V.T, (U * d0) @ R.T
        if np.linalg.det(W2v @ W1v) * np.linalg.det(syx) < 0:
            W2v = np.diag([-1.0, 1.0, 1.0]) @ W2v
        net = lazyrich.TwoLayerExact(W1v, W2v, syx)
        K0 = certified_ntk(certified_qqt(net, [0.0], bits=BITS), n, X).take(0)
        Kinf = certified_ntk(certified_qqt_limit(syx, lm, bits=BITS), n, X)
        d = certified_kernel_distance(K0, Kinf)
        dists.append(d.balls[0])
        # the float64 value the claim fits its power law to: normalised entries carry ~16 n eps each
        dv = kernel_distance_of(
            ntk_np(W1v, W2v, X),
            np.kron(np.eye(n), X.T @ limit_qqt(syx, lm)[:n, :n] @ X) + np.kron(limit_qqt(syx, lm)[n:, n:], X.T @ X),
        )
        du = 3 * n * 16 * (2 * n) * FLOAT64_EPS  # |Delta u|_F <= sqrt(#entries) 16 n eps
        out.append(
            inside(
                d,
                dv,
                math.sqrt(2 * float(d.mid[0])) * du + du * du,
                f"lambda={lm}: kernel distance S(0, inf) (float64)",
                "sqrt(2S) |du| + |du|^2, |du| = 3n 16 (2n) eps",
            )
        )
        if lm in (1.0, 10.0):
            K = certified_ntk(certified_qqt(net, [0.0, 200.0], bits=BITS), n, X)
            d200 = certified_kernel_distance(K.take(0), K.take(1))
            out.append(
                inside(
                    d200,
                    net.kernel_distance(0.0, 200.0, X),
                    1e-9 * max(float(d200.mid[0]), 1e-3),
                    f"lambda={lm}: engine kernel_distance(0, 200)",
                    "1e-9 max(S, 1e-3) (claim's)",
                )
            )
    increases = sum(not (b < a) for a, b in itertools.pairwise(dists))  # arb <: certainly smaller
    out.append(
        Measurement(
            float(increases),
            0.0,
            f"certified kernel distance S(0, inf) decreasing in lambda: {[f'{float(x.mid()):.2g}' for x in dists]}",
            "count of pairs not certainly decreasing must be 0",
        )
    )
    return out


@_certified("lazy_to_rich.delayed_rich_rate")
def _():
    out = []
    # the numeric check's cases and windows: at lambda = -20 the enclosure at t = 400 needs ~23000 bits (~1.6 s)
    for lm, window, net, Vperp, (lo, hi) in lazy_to_rich.delayed_rich_cases():
        ni = net.n_in
        # one call per time: each runs at the precision its own t needs (t = 400 needs ~23000 bits, t = 200 half)
        parts = [certified_qqt(net, [x], bits=BITS) for x in window]
        enc = Enclosure(np.concatenate([p.balls for p in parts]), max(p.prec for p in parts))
        scale = float(np.abs(enc.mid).max())
        out.append(_radius(enc, scale, f"lambda={lm}"))
        G = _qqt_block(enc, slice(0, ni), slice(0, ni))
        out.append(
            inside(
                G,
                net.input_gram(np.array(window)),
                stable_qqt_error_bound(net, scale),
                f"lambda={lm}: engine input_gram (float64)",
                "(4 (n + condition) + g) eps |QQ^T|",
            )
        )
        Vp = [[exact_arb(v) for v in row] for row in Vperp]
        perp = [
            sum(
                (
                    Vp[i][k] * G.balls[w, i, j] * Vp[j][k]
                    for i in range(ni)
                    for j in range(ni)
                    for k in range(Vperp.shape[1])
                ),
                exact_arb(0.0),
            )
            for w in range(2)
        ]
        rate = -(perp[1] / perp[0]).log() / exact_arb(window[1] - window[0])
        err = max(0.0, lo - float(rate.lower()), float(rate.upper()) - hi) / lo
        out.append(
            Measurement(
                err,
                0.02,
                f"lambda={lm}: certified perp Gram decay rate {float(rate.mid()):.4g} within [{lo:.4g}, {hi:.4g}]",
                "heuristic: window late enough for the slowest mode (claim's 2%)",
            )
        )
    return out


# ================================================================ get_rich_quick (single neuron, Kunin et al. (2024), Sec. 3)
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


@_certified("get_rich_quick.closed_form_flow")
def _():
    out = []
    for seed, dl, a0_, align in [(90, -3.0, 0.3, -2.0), (91, 0.0, 0.9, 0.3), (92, 2.0, 2.2, 0.3)]:
        rng = np.random.default_rng(seed)
        ea, ew = rng.uniform(0.5, 2.0, 2)
        bs = rng.standard_normal(3)
        a0v, w0v = grq.init_with_delta(a0_, align * bs + rng.standard_normal(3), dl, ea, ew)
        grid = np.linspace(0.0, 4.0, 17)
        tr = gradient_flow(grq.whitened_model(bs, ea, ew), (a0v, w0v), grid, rtol=grq.RTOL)
        _, a, w, _, scale = _sn_enclosures(a0v, w0v, bs, grid, ea, ew)
        label = f"delta={dl}, eta=({ea:.3g}, {ew:.3g})"
        out.append(_radius(a, scale, label))
        ac, wc = _mp_to_float(*grq.closed_form(a0v, w0v, bs, grid, ea, ew))
        mp_bound = (mp_tolerance(grq.DPS) + FLOAT64_EPS) * scale
        out.append(
            inside(a, ac, mp_bound, f"{label}: mpmath closed form a ({grq.DPS} digits)", "(eps_30^0.8 + eps) scale")
        )
        out.append(
            inside(w, wc, mp_bound, f"{label}: mpmath closed form w ({grq.DPS} digits)", "(eps_30^0.8 + eps) scale")
        )
        tol = grq.ode_tol(tr)
        out.append(inside(a, tr["a"], tol, f"{label}: DOP853 a", "ODE global bound (claim's)"))
        out.append(inside(w, tr["w"], tol, f"{label}: DOP853 w", "ODE global bound (claim's)"))
    return out


@_certified("get_rich_quick.norm_identity")
def _():
    out = []
    for seed, dl in ((100, -40.0), (101, 0.0), (102, 25.0)):
        rng = np.random.default_rng(seed)
        bs = rng.standard_normal(3)
        a0v, w0v = grq.init_with_delta(np.sqrt(max(dl, 0) + 0.7), rng.standard_normal(3), dl)
        times = [0.0, 0.3, 10.0, 1e3, 1e6]
        _, a, w, _, scale = _sn_enclosures(a0v, w0v, bs, times)
        label = f"delta={dl}"
        out.append(_radius(a, scale, label))
        dl_exact = _sq(exact_arb(float(a0v))) - _dot(_arb_vec(w0v), _arb_vec(w0v))
        worst = 0.0
        for k in range(len(times)):
            wk = list(w.balls[k])
            res = (_dot(wk, wk) - _sq(a.balls[k]) + dl_exact) / (_sq(a.balls[k]) + abs(dl_exact) + 1)
            worst = max(worst, float(abs(res).upper()))
        out.append(
            Measurement(
                worst,
                2.0**-BITS * 16,
                f"{label}: certified |(|w|^2 - a^2 + delta)/(a^2 + |delta| + 1)|, t <= 1e6",
                "16 2^-bits",
            )
        )
        ac, wc = _mp_to_float(*grq.closed_form(a0v, w0v, bs, times, dps=2 * grq.DPS))
        bound = (mp_tolerance(grq.DPS) + FLOAT64_EPS) * scale
        out.append(inside(a, ac, bound, f"{label}: mpmath closed form a (60 digits)", "(eps_30^0.8 + eps) scale"))
        out.append(inside(w, wc, bound, f"{label}: mpmath closed form w (60 digits)", "(eps_30^0.8 + eps) scale"))
    return out


@_certified("get_rich_quick.riccati")
def _():
    out = []
    for seed, dl in ((80, 1.5), (81, -1.0), (82, 0.0)):
        rng = np.random.default_rng(seed)
        bs = rng.standard_normal(3)
        a0_, w0_ = grq.init_with_delta(1.3, bs + 0.5 * rng.standard_normal(3), dl)
        grid = np.linspace(0.0, 3.0, 13)
        tr = gradient_flow(grq.whitened_model(bs), (a0_, w0_), grid, rtol=grq.RTOL)
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
        worst = 0.0
        for k, x in enumerate(grid):
            pred = (-dla + D * (D * exact_arb(x) / 2 + phase).tanh()) / 2
            worst = max(worst, float(abs(pred - nu[k]).upper()))
        out.append(_radius(nu_enc, float(np.abs(nu_enc.mid).max()), f"{label}: nu = w^T beta_*/a"))
        out.append(
            Measurement(
                worst,
                2.0**-BITS * 64 * max(1.0, float(np.abs(nu_enc.mid).max())),
                f"{label}: certified |tanh formula - exact nu| (both in Arb)",
                "64 2^-bits max(1, |nu|)",
            )
        )
        lip = (1 + float(np.linalg.norm(bs))) / np.abs(tr["a"]).min() ** 2 * (1 + tr.scale)
        out.append(
            inside(
                nu_enc,
                tr["w"] @ bs / tr["a"],
                grq.ode_tol(tr, lip),
                f"{label}: nu from DOP853",
                "ODE bound (1+s)(1+|theta|)/min a^2 (claim's)",
            )
        )
    return out


@_certified("get_rich_quick.steady_state")
def _():
    out = []
    for seed, dl in ((110, -2.0), (111, 0.0), (112, 1.5)):
        rng = np.random.default_rng(seed)
        ea, ew = rng.uniform(0.5, 2.0, 2)
        bs = rng.standard_normal(3)
        sv = float(np.linalg.norm(bs))
        a0v, w0v = grq.init_with_delta(np.sqrt(max(dl, 0) / ew + 0.6), bs + rng.standard_normal(3), dl, ea, ew)
        tr = gradient_flow(grq.whitened_model(bs, ea, ew), (a0v, w0v), [0.0, 80.0], rtol=grq.RTOL)
        _, a, _w, beta, _scale = _sn_enclosures(a0v, w0v, bs, [80.0], ea, ew)
        label = f"delta={dl}"
        tol = grq.ode_tol(tr, 2 * tr.scale)
        # the closed-form limit in Arb (exact delta of the float init)
        eaa, ewa = exact_arb(ea), exact_arb(ew)
        dla = ewa * _sq(exact_arb(float(a0v))) - eaa * _dot(_arb_vec(w0v), _arb_vec(w0v))
        lim = ((dla * dla + 4 * eaa * ewa * _dot(_arb_vec(bs), _arb_vec(bs))).sqrt() + dla) / (2 * ewa)
        lim_enc = Enclosure(np.array([lim], dtype=object), a.prec)
        pred = (np.sqrt(dl**2 + 4 * ea * ew * sv**2) + dl) / (2 * ew)
        out.append(_radius(lim_enc, float(lim_enc.mid[0]), f"{label}: a_inf^2"))
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


@_certified("get_rich_quick.balanced_closed_form")
def _():
    out = []
    for seed, ea, ew, bs, a0v, w0v, grid, tr in grq.balanced_cases():
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
        out.append(_radius(mu_enc, float(np.abs(mu_enc.mid).max()), f"{label}: mu"))
        # the float64 formulas from the float init (as the claim's, with mu0, phi0 of the init, not the simulation)
        wn0 = float(np.linalg.norm(w0v))
        mu0, phi0 = float(a0v) * wn0, float(w0v @ bs) / (wn0 * sv)
        mu_pred, phi_pred, x = grq.balanced_mu_phi(mu0, phi0, sv, np.sqrt(ea * ew), grid)
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
        tol = grq.ode_tol(tr, lip)
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


@_certified("get_rich_quick.kernel_distance")
def _():
    out = []
    for seed, dl in ((170, -3.0), (171, 0.0), (172, 2.0)):
        rng = np.random.default_rng(seed)
        ea, ew = rng.uniform(0.5, 2.0, 2)
        Q = random_orthogonal(3, rng)
        bs = rng.standard_normal(3)
        a0v, w0v = grq.init_with_delta(np.sqrt(max(dl, 0) / ew + 0.5), rng.standard_normal(3), dl, ea, ew)
        grid = np.linspace(0.0, 4.0, 9)
        tr = gradient_flow(SingleNeuronModel(Q, Q @ bs, ea, ew), (a0v, w0v), grid, rtol=grq.RTOL)
        sn, a, w, _, _ = _sn_enclosures(a0v, w0v, bs, grid, ea, ew)
        S = _sn_kernel_distance(a, w, ea, ew, 3)
        label = f"delta={dl}"
        out.append(_radius(S, 1.0, f"{label}: S(0, t)"))
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
        tol = grq.ode_tol(tr, 8 * tr.scale**3 / np.linalg.norm(K[0]) * max(ea, ew)) + 64 * FLOAT64_EPS
        out.append(inside(S, S_sim, tol, f"{label}: S from simulated NTKs", "the claim's ODE bound + 64 eps"))
    return out


def _sn_beta_at(beta0, beta_star, dl, ts):
    """Enclosure of beta(t) from the notebook's init with beta(0) = beta0 and conserved delta (unit rates)."""
    a0v, w0v = grq.beta0_init(beta0, dl)
    _, _, _, beta, scale = _sn_enclosures(a0v, w0v, beta_star, ts)
    return a0v, w0v, beta, scale


@_certified("get_rich_quick.upstream_limit")
def _():
    out, errs = [], []
    deltas = np.array([100.0, 200.0, 400.0])
    for dl in deltas:
        ts = np.linspace(0.0, 6.0 / dl, 25)
        _, _, beta, scale = _sn_beta_at(grq.UP_BETA0, grq.UP_BSTAR, dl, ts)
        out.append(_radius(beta, scale, f"delta={dl:g}"))
        out.append(
            inside(
                beta,
                grq.beta_mp(grq.UP_BETA0, grq.UP_BSTAR, dl, ts),
                (mp_tolerance(grq.DPS) + FLOAT64_EPS) * scale,
                f"delta={dl:g}: mpmath closed form beta ({grq.DPS} digits)",
                "(eps_30^0.8 + eps) scale",
            )
        )
        # sup_t |beta - linear-regression flow| with the flow in Arb too
        worst = 0.0
        for k, x in enumerate(ts):
            decay = (-exact_arb(dl) * exact_arb(x)).exp()
            for j in range(2):
                b0, bs_ = exact_arb(grq.UP_BETA0[j]), exact_arb(grq.UP_BSTAR[j])
                worst = max(worst, float(abs(beta.balls[k, j] - (bs_ + (b0 - bs_) * decay)).mid()))
        errs.append(worst)
    out.append(grq.order_in_delta(errs, deltas, "certified sup_t |beta - linear-regression flow|"))
    out.append(
        Measurement(
            errs[1], 1e-4, "delta = 200: certified sup deviation", "5e-6 measured at delta = 200; 1e-4 (claim's)"
        )
    )
    return out


@_certified("get_rich_quick.downstream_limit")
def _():
    out, e_mu, e_phi = [], [], []
    deltas = np.array([-100.0, -200.0, -400.0])
    bsa = _arb_vec(grq.UP_BSTAR)
    for dl in deltas:
        t1 = 20.0 / abs(dl)
        ts = np.linspace(t1, 10.0 * abs(dl), 40)
        a0v, w0v = grq.beta0_init(grq.UP_BETA0, dl)
        _, a, w, _, scale = _sn_enclosures(a0v, w0v, grq.UP_BSTAR, ts)
        out.append(_radius(a, scale, f"delta={dl:g}"))
        ac, wc = _mp_to_float(*grq.closed_form(a0v, w0v, grq.UP_BSTAR, ts))
        bound = (mp_tolerance(grq.DPS) + FLOAT64_EPS) * scale
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
    out.append(grq.order_in_delta(e_mu, deltas, "certified |mu - phi s| after t1 = 20/|delta|"))
    out.append(grq.order_in_delta(e_phi, deltas, "certified |phi - slow-phase formula|"))
    return out


@_certified("get_rich_quick.basin")
def _():
    """The basin formula's sign against the certified sign of the exact a(40) (and of the simulation)."""
    rng = np.random.default_rng(120)
    out, mismatches, tried = [], 0, 0
    for dl in (-4.0, -2.5, -1.0, -1.0, -0.3, -0.3, 0.0, 0.8, 3.0):
        bs = rng.standard_normal(2)
        sv = float(np.linalg.norm(bs))
        a_mag = rng.uniform(0.2, 1.5) + np.sqrt(max(dl, 0.0))
        a0v, w0v = grq.init_with_delta(a_mag * rng.choice([-1.0, 1.0]), rng.standard_normal(2), dl)
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
        tr = gradient_flow(grq.whitened_model(bs), (a0v, w0v), [0.0, 40.0], rtol=1e-9)
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


@_certified("get_rich_quick.one_dim_null_space")
def _():
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
        a0v, w0v = grq.beta0_init(beta0, dl)
        dla = _sq(exact_arb(float(a0v))) - _dot(_arb_vec(w0v), _arb_vec(w0v))
        k_a = (1 if a0v > 0 else -1) * _dot(_arb_vec(w0v), nh_a)
        vk = (k_a * k_a + dla) / 2
        alpha_a = k_a * (vk + (vk * vk + c_a * c_a).sqrt()).sqrt()
        lim = np.array([bmn_a[i] + alpha_a * nh_a[i] for i in range(2)], dtype=object)
        enc = Enclosure(lim, DERIVED_PREC)
        out.append(_radius(enc, float(np.abs(enc.mid).max()), f"delta={dl}: beta_inf"))
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
        tr = gradient_flow(SingleNeuronModel(Xd, yd), (a0v, w0v), [0.0, 40.0, 80.0], rtol=grq.RTOL)
        b_gf = tr["a"][-1] * tr["w"][-1]
        moved = float(np.abs(b_gf - tr["a"][-2] * tr["w"][-2]).max())
        out.append(
            inside(
                enc,
                b_gf,
                grq.ode_tol(tr, 2 * tr.scale) + moved,
                f"delta={dl}: GF limit (DOP853, t=80)",
                "the claim's bound",
            )
        )
    return out


# ================================================================ mixed_dynamics (aligned closed form, derived from Tu et al. (2024), eq. (1))
@_certified("mixed_dynamics.logistic_limit")
def _():
    out = []
    for s0v, ssv in [(0.01, 2.0), (3.0, 1.0)]:
        ts = np.array([0.5, 2.0])
        enc = certified_mixed_aligned_singular_value(ts, s0v, ssv, 1e-25, bits=BITS)
        out.append(_radius(enc, max(s0v, ssv), f"s0={s0v}, s*={ssv}, c=1e-25"))
        a_, b_ = exact_arb(s0v), exact_arb(ssv)
        gap = 0.0
        for k, tv in enumerate(ts):
            e = (2 * b_ * exact_arb(tv)).exp()
            gap = max(gap, float(abs(enc.balls[k] - b_ * a_ * e / (b_ + a_ * (e - 1))).upper()))
        out.append(
            Measurement(
                gap,
                mp_tolerance(50),
                f"s0={s0v}, s*={ssv}: certified |closed form at c = 1e-25 - logistic|",
                "eps^0.8 at 50 digits (claim's; the O(c^2) gap is 1e-50)",
            )
        )
    ts = np.array([0.0, 0.5, 2.0])
    for cv in (0.0, 1e-300, 1e-12):
        try:
            got = np.asarray(lazyrich.mixed_aligned_singular_value(ts, 0.01, 2.0, cv), dtype=float)
        except lazyrich.InvalidParameterError:
            continue
        enc = certified_mixed_aligned_singular_value(ts, 0.01, 2.0, cv, bits=BITS)
        out.append(
            inside(
                enc,
                got,
                64 * FLOAT64_EPS * float(np.abs(enc.mid).max()),
                f"c={cv}: mixed_aligned_singular_value (float64)",
                "64 eps |s| (claim's relative bound)",
            )
        )
    return out


@_certified("mixed_dynamics.aligned_decoupling")
def _():
    Uv, Vv, sv0, svs, cv, times, (A_e, n_e, atol_e, sc_e), closed = mixed_dynamics.aligned_decoupling_case()
    d = Uv.shape[0]
    modes = [certified_mixed_aligned_singular_value(times, a_, b_, cv, bits=BITS) for a_, b_ in zip(sv0, svs)]
    out = [_radius(m, 2.0, f"mode {i}") for i, m in enumerate(modes)]
    Ua, Va = [_arb_vec(r) for r in Uv], [_arb_vec(r) for r in Vv]
    A_c = np.empty((len(times), d, d), dtype=object)
    for k in range(len(times)):
        for i in range(d):
            for j in range(d):
                A_c[k, i, j] = sum((Ua[i][m] * modes[m].balls[k] * Va[j][m] for m in range(d)), exact_arb(0.0))
    enc = Enclosure(A_c, DERIVED_PREC)
    tol = ode_global_tolerance(n_e, mixed_dynamics.RTOL, atol_e, sc_e)
    out.append(inside(enc, A_e, tol, "matrix eq. (1) flow (DOP853)", "DOP853 global bound"))
    out.append(
        inside(
            enc,
            np.einsum("ij,kj,lj->kil", Uv, closed, Vv),
            linalg_tolerance(sc_e, 16 * d) + mp_tolerance(20) * sc_e,
            "U diag(mpmath closed form, 20 digits) V^T (float64)",
            "16 d eps |A| + eps_20^0.8 |A|",
        )
    )
    return out


def _mixed_time(enc_fn, t: float, s0v, ssv, cv):
    return enc_fn(np.array([t]), s0v, ssv, cv, bits=BITS).balls[0]


@_certified("mixed_dynamics.tail_asymptotics")
def _():
    out = []
    for s0v, ssv, cv in [(0.1, 2.0, 0.5), (3.0, 1.0, 2.0), (-1.0, 1.0, 0.3)]:
        a_, b_, c_ = exact_arb(s0v), exact_arb(ssv), exact_arb(cv)
        Rv = (b_ * b_ + c_ * c_).sqrt()
        v0 = (a_ + (a_ * a_ + c_ * c_).sqrt()) / c_
        K = (v0 - (b_ + Rv) / c_) / (v0 - (b_ - Rv) / c_)
        tv = float((12 / Rv).mid())  # a float time: the ratio is evaluated exactly there
        s_t = _mixed_time(certified_mixed_aligned_singular_value, tv, s0v, ssv, cv)
        scale = max(abs(s0v), ssv, cv)
        out.append(
            inside(
                Enclosure(np.array([s_t], dtype=object), DERIVED_PREC),
                lazyrich.mixed_aligned_singular_value([tv], s0v, ssv, cv),
                64 * FLOAT64_EPS * scale,
                f"s0={s0v}, s*={ssv}, t={tv:.3g}: mixed_aligned_singular_value (float64)",
                "64 eps max(|s0|, s*, c)",
            )
        )
        q = K * (-2 * Rv * exact_arb(tv)).exp()
        ratio = (b_ - s_t) / (-2 * Rv * Rv / (b_ + Rv) * q)
        out.append(
            Measurement(
                float(abs(ratio - 1).upper()),
                10 * float(abs(q).upper()) + mp_tolerance(40) * 1e12,
                f"s0={s0v}, s*={ssv}: certified (s* - s)/(-(2R^2/(s*+R)) K0 e^-2Rt) - 1",
                "O(q) next term (claim's)",
            )
        )
    # t_delta: s(t) increases, so s(t_a - D) < s*(1 - delta) < s(t_a + D) certifies |t_delta - t_a| < D
    s_star, cv, delta = 3.0, 1e-4, 1e-3
    t_a = math.log(2 * s_star / (cv * delta)) / (2 * s_star)
    half = 2 * (delta + cv / s_star) / (2 * s_star)
    level = exact_arb(s_star) * (1 - exact_arb(delta))
    lo = _mixed_time(certified_mixed_aligned_singular_value, t_a - half, 0.0, s_star, cv)
    hi = _mixed_time(certified_mixed_aligned_singular_value, t_a + half, 0.0, s_star, cv)
    bracketed = bool(lo < level) and bool(level < hi)
    out.append(
        Measurement(
            float(not bracketed),
            0.0,
            f"s(t_a -+ D) certainly brackets s*(1 - delta): |t_delta - ln(2s*/(c delta))/(2s*)| < D = {half:.3g}",
            "D = 2 (delta + c/s*)/(2 s*) (claim's)",
        )
    )
    return out


@_certified("mixed_dynamics.early_phase")
def _():
    out = []
    for s0v, ssv, cv in [(0.0, 5.0, 0.01), (0.001, 2.0, 0.05), (-0.01, 3.0, 0.02)]:
        with mpmath.workdps(30):
            t_hi = float(mixed_dynamics.mp_time_to(ssv / 10, s0v, ssv, cv))
        ts = np.array([0.25, 0.5, 1.0]) * t_hi
        enc = certified_mixed_aligned_singular_value(ts, s0v, ssv, cv, bits=BITS)
        out.append(
            inside(
                enc,
                lazyrich.mixed_aligned_singular_value(ts, s0v, ssv, cv),
                64 * FLOAT64_EPS * max(abs(s0v), ssv, cv),
                f"s0={s0v}, s*={ssv}, c={cv}: mixed_aligned_singular_value (float64)",
                "64 eps max(|s0|, s*, c)",
            )
        )
        a_, b_, c_ = exact_arb(s0v), exact_arb(ssv), exact_arb(cv)
        worst = 0.0
        for k, tv in enumerate(ts):
            s_t = enc.balls[k]
            du = 2 * b_ * exact_arb(tv) + (a_ / c_).asinh() - (s_t / c_).asinh()
            bound = 2 * exact_arb(tv) * max(abs(a_).upper(), abs(s_t).upper())
            worst = max(worst, float((du - bound).upper()), float((-du).upper()))
        out.append(
            Measurement(
                max(worst, 0.0),
                mp_tolerance(30),
                f"s0={s0v}, s*={ssv}, c={cv}: certified u-error outside [0, 2 t max|s|]",
                "eps^0.8 at 30 digits (claim's)",
            )
        )
    # threshold crossing from s0 = 0: s(lo) <= c <= s(hi) certifies t_c in [lo, hi]
    b_, c_ = 4.0, 0.01
    lo, hi = math.asinh(1) / (2 * b_), math.asinh(1) / (2 * (b_ - c_))
    s_lo = _mixed_time(certified_mixed_aligned_singular_value, lo * (1 - 4 * FLOAT64_EPS), 0.0, b_, c_)
    s_hi = _mixed_time(certified_mixed_aligned_singular_value, hi * (1 + 4 * FLOAT64_EPS), 0.0, b_, c_)
    ok = bool(s_lo < exact_arb(c_)) and bool(exact_arb(c_) < s_hi)
    out.append(
        Measurement(
            float(not ok),
            0.0,
            "s(asinh(1)/(2s*)) < c < s(asinh(1)/(2(s*-c))) certified (threshold crossing bracket)",
            "4 eps of slack for the float endpoints",
        )
    )
    return out


@_certified("mixed_dynamics.ntk_spectrum")
def _():
    out = []
    for seed, (m, n, cv) in enumerate([(3, 4, 0.5), (4, 2, 2.0)]):
        rng = np.random.default_rng(90 + seed)
        sv = rng.uniform(0.3, 3.0, min(m, n))
        Av = lazyrich.matrix_with_singular_values((m, n), sv, rng)
        P = mixed_dynamics.psd_sqrt(Av @ Av.T + cv**2 * np.eye(m))
        Q = mixed_dynamics.psd_sqrt(Av.T @ Av + cv**2 * np.eye(n))
        K = np.kron(np.eye(n), P) + np.kron(Q.T, np.eye(m))
        # certified eigenvalues of the float matrix K (symmetrised exactly: K is symmetric up to round-off)
        Ks = (K + K.T) / 2
        enc = _certified_eigenvalues(Ks)
        tol = linalg_tolerance(2 * np.sqrt(9 + cv**2), 16 * m * n)
        label = f"{m}x{n}, c={cv}"
        asym = float(np.abs(K - Ks).max())  # eigenvalues move by at most |K - Ks|_2 <= mn max|entry|
        out.append(_radius(enc, float(np.abs(enc.mid).max()), f"{label}: eigenvalues of K"))
        out.append(
            inside(
                enc,
                np.sort(np.linalg.eigvalsh(K)),
                tol + m * n * asym,
                f"{label}: eigvalsh(K) (float64)",
                "16 mn eps lambda_max + mn |K - K^T|/2",
            )
        )
        p = np.concatenate([np.sqrt(sv**2 + cv**2), np.full(m - len(sv), cv)])
        q = np.concatenate([np.sqrt(sv**2 + cv**2), np.full(n - len(sv), cv)])
        pred = np.sort((p[:, None] + q[None, :]).ravel())
        out.append(
            inside(
                enc,
                pred,
                tol + m * n * asym,
                f"{label}: p_i + q_j (float64 closed form)",
                "16 mn eps lambda_max (claim's) + asymmetry",
            )
        )
    return out


# ================================================================ closed-form spectra (Arb eigenvalues of exact matrices)
def _symmetric_eigenvalues(m) -> list:
    """Sorted enclosures of the eigenvalues of a real symmetric ``arb_mat`` (repeated eigenvalues allowed).

    Arb's ``eig`` cannot isolate repeated eigenvalues, so: V = mpmath eigenvectors of the midpoint (60 digits,
    exact binary numbers), B = V^{-1} M V (rigorous, similar to M), and Gershgorin discs of B. A connected
    union of k discs holds exactly k eigenvalues; each of them gets the union's hull (real: M is symmetric).
    """
    flint = require_flint()
    n = m.nrows()
    with mpmath.workdps(60):
        mid = mpmath.matrix([[_arb_to_mpf(m[i, j]) for j in range(n)] for i in range(n)])
        mid = (mid + mid.T) / 2
        _, V = mpmath.eigsy(mid)
        Va = flint.arb_mat([[exact_arb(V[i, j]) for j in range(n)] for i in range(n)])
    B = Va.solve(m * Va)
    discs = []  # exact endpoints (arb balls of radius 0) of the real Gershgorin intervals
    for i in range(n):
        r = (sum((abs(B[i, j]) for j in range(n) if j != i), exact_arb(0.0)) + B[i, i].rad()).upper()
        c = B[i, i].mid()
        discs.append(((c - r).lower(), (c + r).upper()))
    discs.sort(key=lambda d: float(d[0].mid()))
    out, k = [], 0
    while k < n:
        lo, hi, j = discs[k][0], discs[k][1], k + 1
        while j < n and bool(discs[j][0] <= hi):
            hi = discs[j][1] if bool(discs[j][1] > hi) else hi
            j += 1
        half = (hi - lo) / 2
        centre = (lo + hi) / 2
        hull = flint.arb(centre.mid(), (half.upper() + centre.rad()).upper())
        out += [hull] * (j - k)
        k = j
    return out


def _arb_to_mpf(b):
    """The midpoint of a ball as an mpmath number (exact conversion through its decimal string at 60 digits)."""
    return mpmath.mpf(b.mid().str(60, radius=False))


def _certified_eigenvalues(a: np.ndarray) -> Enclosure:
    """Sorted real enclosures of the eigenvalues of a symmetric float matrix taken as exact."""
    flint = require_flint()
    balls = _symmetric_eigenvalues(flint.arb_mat([[exact_arb(v) for v in row] for row in a]))
    return Enclosure(np.array(balls, dtype=object), DERIVED_PREC)


def _arb_eigenvalues(m) -> list:
    """Sorted enclosures of the eigenvalues of a symmetric ``arb_mat`` (see :func:`_symmetric_eigenvalues`)."""
    return _symmetric_eigenvalues(m)


@_certified("lazy_to_rich.spectrum_of_F")
def _():
    flint = require_flint()
    out = []
    for seed, (ni, no) in enumerate([(3, 3), (4, 2), (2, 5)]):
        for lm in (-1.3, 0.0, 0.7):
            rng = np.random.default_rng(50 + seed)
            syx = random_task(rng, ni, no)
            F = f_matrix(syx, lm)
            enc = _certified_eigenvalues(F)
            label = f"({ni},{no}) lambda={lm}"
            out.append(_radius(enc, float(np.abs(enc.mid).max()), f"{label}: eigenvalues of F"))
            tol = linalg_tolerance(1.0, 4 * (ni + no)) * np.abs(F).max()
            out.append(
                inside(enc, np.linalg.eigvalsh(F), tol, f"{label}: eigvalsh(F) (float64)", "n eps |F| (claim's)")
            )
            s = np.linalg.svd(syx, compute_uv=False)
            mu_ = np.sqrt(s**2 + lm**2 / 4)
            pred = np.sort(np.concatenate([mu_, -mu_, np.full(abs(no - ni), np.sign(no - ni) * lm / 2)]))
            out.append(inside(enc, pred, tol, f"{label}: +-sqrt(s^2 + l^2/4), sgn(No-Ni) l/2 (float64)", "n eps |F|"))
            # the closed form itself in Arb: s_a^2 are the eigenvalues of the m x m Gram of the exact task
            S = flint.arb_mat([[exact_arb(v) for v in row] for row in syx])
            G = S * S.transpose() if no <= ni else S.transpose() * S
            half = exact_arb(lm) / 2
            mus = [(e + half * half).sqrt() for e in _arb_eigenvalues(G)]
            closed = sorted(
                [*mus, *(-x for x in mus), *([half * int(np.sign(no - ni))] * abs(no - ni))],
                key=lambda b: float(b.mid()),
            )
            gap = max(float(abs(x - y).upper()) for x, y in zip(closed, enc.balls))
            out.append(
                Measurement(
                    gap,
                    2.0**-BITS * float(np.abs(enc.mid).max()),
                    f"{label}: certified |eig(F) - closed form|",
                    "2^-bits |F|",
                )
            )
    return out


@_certified("get_rich_quick.eq4_preconditioner")
def _():
    flint = require_flint()
    out = []
    for dd, ea, ew, av, wv, dl, beta, kap in grq.eq4_cases():
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
            np.array(sorted(_arb_eigenvalues(Ma), key=lambda b: float(b.mid())), dtype=object), DERIVED_PREC
        )
        out.append(_radius(ev_enc, kap, f"{label}: eigenvalues of M"))
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


@_certified("lazy_to_rich.hierarchy_spectrum")
def _():
    flint = require_flint()
    _, Yt = lazyrich.semantic_hierarchy_task(tie_break=True)
    Ya = flint.arb_mat([[exact_arb(v) for v in row] for row in Yt])
    sq = sorted(_arb_eigenvalues(Ya.transpose() * Ya), key=lambda b: -float(b.mid()))
    enc = Enclosure(np.array([x.sqrt() for x in sq], dtype=object), DERIVED_PREC)
    sv = np.linalg.svd(Yt, compute_uv=False)
    tol = linalg_tolerance(1.0, 64) * sv.max()
    exact = np.sort(
        [
            math.sqrt(float((lazy_to_rich.HIERARCHY.T * lazy_to_rich.HIERARCHY)[j, j])) * (1 + 0.1 / (j + 1))
            for j in range(8)
        ]
    )[::-1]
    return [
        _radius(enc, float(sv.max()), "tie-broken singular values"),
        inside(enc, sv, tol, "numpy svd of the tie-broken labels (float64)", "n eps |Y| (claim's)"),
        inside(enc, exact, tol, "column norms (1 + 0.1/j) |Y_j| (float64 closed form)", "n eps |Y| (claim's)"),
        inside(
            enc,
            np.array(lazy_to_rich.TIE_BREAK_3DP),
            5e-4 + 1e-12,
            "their 3-decimal values (TIE_BREAK_3DP)",
            "rounding to 3 decimals",
        ),
    ]


@_certified("lazy_to_rich.noise_sensitivity")
def _():
    rng = np.random.default_rng(270)
    ni, no, lm = 3, 2, 1.5
    syx = random_task(rng, ni, no)
    enc = certified_qqt_limit(syx, lm, bits=BITS)
    scale = float(np.abs(enc.mid).max())
    m = min(ni, no)
    U, s, Vt = np.linalg.svd(syx, full_matrices=False)
    s1, s2 = split_singular_values(s, lm)
    R = random_orthogonal(m, rng)
    W1v, W2v = (R * s1) @ Vt, (U * s2) @ R.T
    bound = linalg_tolerance(1.0, 16 * (ni + no)) * scale
    return [
        _radius(enc, scale, "QQ^T(inf)"),
        inside(enc, limit_qqt(syx, lm), bound, "SVD formula of the limit (float64)", "n eps |P|"),
        inside(enc, lazy_to_rich.qqt_of(W1v, W2v), bound, "converged weights' QQ^T (float64)", "n eps |P| (claim's)"),
    ]


@_certified("lazy_to_rich.b_singularity")
def _():
    """Reversal part: sigma(q+)^2 = eig(R+^* L R+) with L the certified limit on Sigma and R+ Arb eigenvectors of F(-Sigma)."""
    flint = require_flint()
    rng = np.random.default_rng(100)
    for _ in range(30):  # replay the numeric check's draws, so the tasks below are the same
        rng.standard_normal((3, 3))
        balanced_pair(rng, 3, 3, 3, 0.0)
    for lm in (0.3, -2.0):
        for _ in range(15):
            rng.standard_normal((3, 3))
            balanced_pair(rng, 3, 3, 3, lm)
    out = []
    for lm in (0.6, -1.5, 0.0):
        syx = random_task(rng, 3, 3)
        L = certified_qqt_limit(syx, lm, bits=BITS)
        label = f"reversal lambda={lm}"
        out.append(_radius(L, float(np.abs(L.mid).max()), f"{label}: limit on Sigma"))
        out.append(
            inside(
                L,
                limit_qqt(syx, lm),
                linalg_tolerance(1.0, 16 * 6) * float(np.abs(L.mid).max()),
                f"{label}: SVD formula of the limit (float64)",
                "n eps |QQ^T|",
            )
        )
        E, Rv = flint.acb_mat(flint.arb_mat([[exact_arb(v) for v in row] for row in f_matrix(-syx, lm)])).eig(
            right=True
        )
        cols = [a for a in range(6) if float(E[a].real.mid()) > 0]
        # real unit eigenvectors: fix the phase on the largest component (the true vector is then real), normalise
        P = flint.arb_mat(6, len(cols))
        for k, a in enumerate(cols):
            v = [Rv[i, a] for i in range(6)]
            big = max(range(6), key=lambda i: float(abs(v[i]).mid()))
            phase = v[big].conjugate() / abs(v[big])
            v = [(x * phase).real for x in v]
            nrm = sum((x * x for x in v), exact_arb(0.0)).sqrt()
            for i in range(6):
                P[i, k] = v[i] / nrm
        La = flint.arb_mat([[L.balls[i, j] for j in range(6)] for i in range(6)])
        sig2 = _symmetric_eigenvalues(P.transpose() * La * P)  # sigma(q+)^2, q+ = P+^T Q with QQ^T = L
        enc = Enclosure(np.array([_sqrt_nonneg(x) for x in sig2], dtype=object), DERIVED_PREC)
        # the claim's closed form |lambda| / sqrt(2 mu_a) in Arb (mu_a from the Gram of the exact task)
        S = flint.arb_mat([[exact_arb(v) for v in row] for row in syx])
        half2 = exact_arb(lm) * exact_arb(lm) / 4
        pred = sorted(
            ((4 * half2) / (2 * (e + half2).sqrt()) for e in _arb_eigenvalues(S * S.transpose())),
            key=lambda b: float(b.mid()),
        )
        gap = max(float(abs(x - y).upper()) for x, y in zip(sig2, pred))
        out.append(
            Measurement(
                gap,
                2.0 ** -(BITS // 2),
                f"{label}: certified |sigma(q+)^2 - lambda^2/(2 mu)|",
                "2^-(bits/2) (eigenvector enclosures)",
            )
        )
        # the float64 values the numeric check compares
        lim = limit_qqt(syx, lm)
        w, V = np.linalg.eigh(lim)
        Q = V[:, -3:] * np.sqrt(np.clip(w[-3:], 0, None))
        sv = np.sort(np.linalg.svd(np.linalg.eigh(f_matrix(-syx, lm))[1][:, -3:].T @ Q, compute_uv=False))
        out.append(
            inside(
                enc,
                sv,
                linalg_tolerance(10.0, 36),
                f"{label}: sigma(q+) (float64, eigh + svd)",
                "n eps |Q|^2 (claim's)",
            )
        )
        mu_ = np.sqrt(np.linalg.svd(syx, compute_uv=False) ** 2 + lm**2 / 4)
        out.append(
            inside(
                enc,
                np.sort(abs(lm) / np.sqrt(2 * mu_)),
                linalg_tolerance(10.0, 36),
                f"{label}: |lambda|/sqrt(2 mu) (float64)",
                "n eps |Q|^2",
            )
        )
    return out
