r"""The delayed-rich regime (Dominé et al. (2025), Sec. 5, Fig. 5, App. C.6): funnels with the wrong sign of lambda.

In the stable form (Thm 4.3) the :math:`\perp` block decays as :math:`e^{-\rho t/\tau}` with
:math:`\rho = \sqrt{\tilde s^2 + \lambda^2/4} - \ell_\perp`, :math:`\ell_\perp = \operatorname{sgn}(N_o - N_i)\lambda/2`
(the eigenvalue of F on the extra dimensions): :math:`|\lambda|\rho \to \tilde s^2` for the wrong sign (a funnel with
:math:`\lambda < 0`, an inverted funnel with :math:`\lambda > 0`: delayed rich) and :math:`\rho/|\lambda| \to 1`
otherwise (derived here; the statement of Thm C.6 is unconfirmed). Checked against the decay of the perp Gram
block of :class:`lazyrich.TwoLayerExact` and, certified, of its Arb enclosure.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import sympy as sp

import lazyrich
from lazyrich import Measurement, Source, claim, definition, equation, random_orthogonal, split_statement
from lazyrich.certified import Enclosure, certified_qqt, exact_arb, stable_qqt_error_bound

from ..certify import BITS, certified_check, inside, radius_measurement
from .reference import seeded_rng
from .statement_tools import resolve, screened_proof
from .symbols import PAPER, N_i, N_o, lam, s_t

__all__ = ["delayed_rich_cases", "delayed_rich_rate"]

L_abs = sp.Symbol(r"|\lambda|", positive=True)

# ---------------------------------------------------------------- delayed-rich rate
ell = sp.Symbol(r"\ell_\perp", real=True)
rho = sp.Symbol(r"\rho", real=True)
k_ = sp.Symbol("k", positive=True)  # N_i - N_o > 0: a funnel

delayed_rich_rate = claim(
    "lazy_to_rich.delayed_rich_rate",
    r"The perp block decays at rate $\sqrt{\tilde s_\alpha^2 + \lambda^2/4} - \ell_\perp$ per factor: $\sim \tilde s_\alpha^2/|\lambda|$ for the wrong sign (funnel, $\lambda < 0$), $\sim |\lambda|$ otherwise",
    Source(
        PAPER,
        "Sec. 5 (delayed rich regime, Fig. 5), App. C.6",
        r"derived here from the stable form (Thm 4.3): $Z_\perp \sim e^{(\ell_\perp - \mu_\alpha) t/\tau}$; the "
        r"limits are proven for a funnel ($N_o = N_i - k$, both signs) and an inverted funnel ($N_o = N_i + k$, wrong sign); the rate is fitted on the exact solution; the "
        "statement of Thm C.6 is unconfirmed",
    ),
    statement=lambda: [
        definition(ell, sp.sign(N_o - N_i) * lam / 2),
        definition(rho, sp.sqrt(s_t**2 + lam**2 / 4) - ell),
        equation(sp.Limit(L_abs * sp.Subs(rho, (N_o, lam), (N_i - k_, -L_abs)), L_abs, sp.oo), s_t**2),
        equation(sp.Limit(sp.Subs(rho, (N_o, lam), (N_i - k_, L_abs)) / L_abs, L_abs, sp.oo), 1),
        equation(sp.Limit(L_abs * sp.Subs(rho, (N_o, lam), (N_i + k_, L_abs)), L_abs, sp.oo), s_t**2),
    ],
    heuristic=True,
)


@delayed_rich_rate.symbolic_check
def funnel_limits(statement):
    """The rate with the definitions substituted, in a funnel, for both signs of lambda: the two limits."""
    parts = split_statement(statement)
    res = []
    for rel in parts.relations:
        lim = resolve(rel.lhs, parts.definitions).doit()
        res.append(sp.simplify(lim - rel.rhs))
    return screened_proof(res)


def delayed_rich_cases():
    """The claim's cases (shared with its certified check): ``(lam, window, net, Vperp)``.

    A 4-2-2 net on a fixed random task; lambda = -20 with a late window (the slowest mode dominates) and
    lambda = 20 with an early one.
    """
    rng = seeded_rng(200)
    ni, nh, no = 4, 2, 2
    st = np.array([1.0, 0.6])
    U, V = random_orthogonal(no, rng), random_orthogonal(ni, rng)
    syx = (U * st) @ V[:, :2].T
    for lm, window in ((-20.0, (200.0, 400.0)), (20.0, (0.2, 0.5))):
        W1v, W2v = lazyrich.lambda_balanced_init(ni, nh, no, lm, sigma=0.5, seed=200)
        yield lm, window, lazyrich.TwoLayerExact(W1v, W2v, syx), V[:, 2:], st


@functools.lru_cache(maxsize=1)
def _fitted_rates():
    out = []
    for lm, window, net, Vperp, st in delayed_rich_cases():
        G = net.input_gram(np.array(window))
        perp = [float(np.trace(Vperp.T @ g @ Vperp)) for g in G]
        out.append((lm, window, st, -math.log(perp[1] / perp[0]) / (window[1] - window[0])))
    return tuple(out)


def _bracket(statement, lm, st):
    """``(lo, hi)``: twice the statement's rates rho of the modes (the Gram matrices decay at twice the Z rate)."""
    parts = split_statement(statement)
    f = resolve(rho, parts.definitions)
    pred = [2 * float(f.subs({lam: lm, s_t: x, N_o: 2, N_i: 4})) for x in st]
    return min(pred), max(pred)


@delayed_rich_rate.numeric_check
def perp_decay_on_exact_solution(statement):
    """A 4-2-2 funnel (lazyrich.TwoLayerExact): the perp Gram decay rate within the statement's modal rates."""
    out = []
    for lm, _window, st, rate in _fitted_rates():
        lo, hi = _bracket(statement, lm, st)
        err = max(0.0, lo - rate, rate - hi) / lo if lo > 0 else float("inf")
        out.append(
            Measurement(
                err, 0.02, f"lambda={lm}: fitted perp Gram decay {rate:.4g} in [{lo:.4g}, {hi:.4g}]", "heuristic"
            )
        )
    return out


@certified_check(delayed_rich_rate)
def delayed_rich_rate_certified(statement):
    out = []
    for lm, window, net, Vperp, st in delayed_rich_cases():
        lo, hi = _bracket(statement, lm, st)
        ni = net.n_in
        parts = [certified_qqt(net, [x], bits=BITS) for x in window]
        enc = Enclosure(np.concatenate([p.balls for p in parts]), max(p.prec for p in parts))
        scale = float(np.abs(enc.mid).max())
        out.append(radius_measurement(enc, scale, f"lambda={lm}"))
        G = Enclosure(enc.balls[..., :ni, :ni].copy(), enc.prec)
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
                f"lambda={lm}: certified perp Gram decay {float(rate.mid()):.4g} in [{lo:.4g}, {hi:.4g}]",
                "heuristic (2%)",
            )
        )
    return out
