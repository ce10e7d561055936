"""Certified checks (``lazyrich verify --certified``) for the claims that have a closed form.

Each check encloses the exact value of the closed form with Arb balls
(:mod:`lazyrich._arb_backend`, python-flint) and measures, for the float64 stable form and
for the simulation, a *certified* upper bound on the distance to the exact value,
``|x - mid| + rad``, against that value's own error bound. The enclosure radius is reported
as a measurement of its own (held to the requested ``2^-bits``). The checks attach to the
existing claims through :data:`lazyrich.REGISTRY`; the paper modules are not changed.
"""

from __future__ import annotations

import numpy as np

import lazyrich
from lazyrich import FLOAT64_EPS, REGISTRY, Measurement, ode_global_tolerance
from lazyrich._arb_backend import (
    Enclosure,
    certified_aligned_singular_value,
    certified_mixed_aligned_singular_value,
    certified_qqt,
    certified_single_neuron,
    stable_qqt_error_bound,
)

from . import get_rich_quick, lazy_to_rich, mixed_dynamics  # noqa: F401  (registers the claims first)
from .lazy_to_rich import _flow, _random_task, _scalar_ode

__all__: list[str] = []

#: Requested relative accuracy of the enclosures (bits); the radius must come out below 2^-BITS * scale.
BITS = 100


def _radius(enc: Enclosure, scale: float, what: str) -> Measurement:
    return Measurement(
        float(enc.rad.max()),
        2.0**-BITS * scale,
        f"{what}: Arb enclosure radius (prec {enc.prec} bits)",
        f"requested 2^-{BITS} relative",
    )


def _inside(enc: Enclosure, x, bound: float, what: str, bound_from: str) -> Measurement:
    return Measurement(float(enc.distance_bound(x).max()), bound, f"{what}: certified |x - exact|", bound_from)


@REGISTRY["lazy_to_rich.transition_function"].certified_check
def _():
    out = []
    ts = np.array([0.0, 0.5, 1.5, 4.0, 10.0, 1e6])
    for lm in (-5.0, 0.0, 0.3, 5.0):
        s0, st = 0.05, 1.7
        enc = certified_aligned_singular_value(ts, s0, st, lm, bits=BITS)
        out.append(_radius(enc, st, f"lambda={lm}"))
        out.append(
            _inside(
                enc,
                lazyrich.aligned_singular_value(ts, s0, st, lm),
                64 * FLOAT64_EPS * st,
                f"lambda={lm}: aligned_singular_value (float64)",
                "64 eps s~ (float64 evaluation of a well-conditioned formula)",
            )
        )
        sim, tol = _scalar_ode(s0, st, lm, ts[:-1])
        out.append(_inside(enc.take(slice(0, -1)), sim, tol, f"lambda={lm}: scalar ODE (DOP853)", "ODE global bound"))
    return out


@REGISTRY["mixed_dynamics.closed_form"].certified_check
def _():
    out = []
    ts = np.array([0.0, 0.3, 1.0, 2.0, 1e6])
    for s0v, ssv, cv in [(0.1, 2.0, 0.5), (-1.0, 1.0, 0.3), (3.0, 1.0, 2.0), (1e-3, 5.0, 1e-9)]:
        scale = max(abs(s0v), ssv, cv)
        enc = certified_mixed_aligned_singular_value(ts, s0v, ssv, cv, bits=BITS)
        label = f"s0={s0v}, s*={ssv}, c={cv}"
        out.append(_radius(enc, scale, label))
        out.append(
            _inside(
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
        out.append(
            _inside(enc, traj["A"][:, k, k], tol, f"mode {k}: self_consistent_flow (DOP853)", "ODE global bound")
        )
    return out


@REGISTRY["lazy_to_rich.stable_closed_form"].certified_check
def _():
    out = []
    cases = [(3, 3, 3, -3.0), (3, 2, 2, 0.7), (2, 2, 3, -0.5)]
    ts = np.array([0.0, 1.0, 4.0])
    for seed, (ni, nh, no, lm) in enumerate(cases):
        rng = np.random.default_rng(60 + seed)
        syx = _random_task(rng, ni, no)
        W1v, W2v = lazyrich.lambda_balanced_init(ni, nh, no, lm, sigma=0.6, seed=60 + seed)
        net = lazyrich.TwoLayerExact(W1v, W2v, syx)
        enc = certified_qqt(net, ts, bits=BITS)
        scale = float(np.abs(enc.mid).max())
        label = f"{ni}-{nh}-{no}, lambda={lm}"
        out.append(_radius(enc, scale, label))
        out.append(
            _inside(
                enc,
                net.qqt(ts),
                stable_qqt_error_bound(net, scale),
                f"{label}: stable qqt (float64)",
                "4 (n + condition) eps |QQ^T|",
            )
        )
        _, qq_sim, tol = _flow(syx, W1v, W2v, ts)
        out.append(_inside(enc, qq_sim, tol, f"{label}: gradient-flow simulation", "quadratic invariant bound"))
    return out


@REGISTRY["get_rich_quick.closed_form_branches"].certified_check
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
                _inside(
                    enc,
                    vals,
                    16 * FLOAT64_EPS * scale,
                    f"{label}: SingleNeuronExact.{name} (float64)",
                    "16 eps max(1, |a|, |w|, |beta|) (measured <= 2 eps)",
                )
            )
    return out
