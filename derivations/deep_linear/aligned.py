r"""The aligned mode of a balanced deep linear network: reduction, implicit solution, and the engine.

With the task :math:`\Sigma_{yx} = U\,\mathrm{diag}(s)\,V^T` and a balanced aligned initialization
:math:`W_l = U_l\,\mathrm{diag}(a)\,U_{l-1}^T` (:math:`U_N = U`, :math:`U_0 = V`), every layer keeps the form
and each mode strength obeys :math:`\tau\dot a = a^{N-1}(s - a^N)`, so the product mode :math:`u = a^N`
obeys :math:`\tau\dot u = N u^{2-2/N}(s - u)` (Saxe et al. (2014), deep networks; derived here for
general ``N`` by the chain rule). Its implicit solution, derived here by partial fractions in
:math:`x = (u/s)^{1/N}` (:func:`lazyrich.deep_aligned_time`), is

.. math::
    \frac{s^{2-2/N}}{\tau}\,t = F(x) - F(x_0),\qquad F(x) = \frac{x^{2-N}}{2-N} - \frac1N\ln(1 - x^N)
    + \frac2N\sum_{0<\theta_k<\pi}\Big[\sin^2\theta_k\ln(x^2 - 2x\cos\theta_k + 1)
    + \sin 2\theta_k\,\arctan\frac{x - \cos\theta_k}{\sin\theta_k}\Big],

:math:`\theta_k = 2\pi k/N`, checked with :func:`lazyrich.check_solution` in the scaled variables, as the solution of
:math:`dT/dx = 1/(x^{N-1}(1 - x^N))` with :math:`T = s^{2-2/N}t/\tau`, in the displacement
:math:`\xi = x - x_0` (the checker's independent variable starts at 0), as a claim at depth 3 (the tests check depth 4).

Certified checks (``lazyrich verify --certified``): the exact ``u(t)`` is enclosed in Arb by a sign change of the
implicit solution written in the gap ``d = 1 - x`` (so ``t = 1e6``, where ``d ~ e^{-10^6}``, costs nothing), and
the statement's ``T(x_0, xi)`` by :func:`lazyrich.symbolic.enclose`.
"""

from __future__ import annotations

import mpmath
import numpy as np
import sympy as sp

from lazyrich import (
    FLOAT64_EPS,
    Measurement,
    PrecisionError,
    Proof,
    Source,
    ddt,
    deep_aligned_singular_value,
    equation,
    linalg_tolerance,
    ode_global_tolerance,
    solution_claim,
)
from lazyrich import claim as new_claim
from lazyrich.certified import Enclosure, exact_arb, require_flint
from lazyrich.symbolic import evaluate

from ..certify import DERIVED_PREC, arb_to_mpf, certified_check, inside, radius_measurement
from ..rounding import scalar_certified
from .reference import aligned_instance, chain, end_to_end_velocity, simulate
from .symbols import tau

__all__ = ["ALIGNED_SOLUTION", "SOLUTION_DEPTHS", "aligned_mode", "implicit_time", "solution_problem"]

RTOL = 1e-12
#: digits asked of the engine's high-precision path in the certified check
DPS = 20
SOLUTION_DEPTHS = (3,)  # depth 4 passes too (tests); each claim adds ~100 mutants of ~2 s to lazyrich mutate

a, s = sp.symbols("a s", positive=True)
u = sp.Symbol("u", positive=True)
N = sp.Symbol("N", integer=True, positive=True)


def _mode_statement():
    return [
        equation(ddt(a), a ** (N - 1) * (s - a**N) / tau),
        equation(u, a**N),
        equation(ddt(u), N * u ** (2 - 2 / N) * (s - u) / tau),
    ]


aligned_mode = new_claim(
    "deep_linear.aligned_mode",
    r"A balanced aligned depth-$N$ mode obeys $\tau \dot u = N u^{2-2/N} (s - u)$, solved by the deep aligned singular value",
    Source(
        "deep_linear",
        "Saxe et al. (2014), deep networks; Arora, Cohen, Hazan (2018), Thm 1 on one aligned mode",
        "reduction derived here for general $N$; checked against a simulated gradient flow at $N = 3, 4, 5$",
    ),
    statement=_mode_statement,
)


@aligned_mode.symbolic_check
def product_mode_rate(statement):
    """``d(a^N)/dt = N a^{N-1} da/dt`` equals the statement's rate at ``u = a^N`` (``a > 0``)."""
    layer, product, reduced = statement
    var = product.lhs
    chain_rule = sp.diff(product.rhs, layer.lhs.expr) * layer.rhs
    residual = sp.simplify(sp.powdenest(chain_rule - reduced.rhs.subs(var, product.rhs), force=True))
    return Proof(
        residuals=[residual], steps=[equation(ddt(product.rhs), chain_rule)], rates={layer.lhs.expr: layer.rhs}
    )


def _modes(M, U, V):
    return np.diag(U.T @ M @ V)


@aligned_mode.numeric_check
def aligned_mode_against_gradient_flow(statement):
    """Depth 3, 4, 5 networks of width 3: the statement's rates against the model, the engine against the flow."""
    layer, product, reduced = statement
    out = []
    s_vals, a0 = np.array([2.0, 1.0, 0.5]), np.array([0.45, 0.6, 0.3])
    ts = np.array([0.0, 0.5, 2.0, 8.0, 30.0])
    for depth in (3, 4, 5):
        model, params, bases = aligned_instance(depth, 3, s_vals, a0, seed=depth)
        U, V, U1 = bases[-1], bases[0], bases[1]
        traj = simulate(model, params, ts, rtol=RTOL)
        u0 = a0**depth
        exact = np.array([deep_aligned_singular_value(ts, u0[i], s_vals[i], depth, tau=model.tau) for i in range(3)]).T
        scale = max(float(np.abs(s_vals).max()), 1.0)
        # the product of layers carries the solver's global error of each factor (depth of them)
        tol_flow = depth * ode_global_tolerance(traj.n_steps, RTOL, traj.atol, scale)
        for j, t in enumerate(ts):
            ps = tuple(traj[n][j] for n in traj.names)
            prod = chain(ps, 3)
            u_flow = _modes(prod, U, V)
            a_flow = _modes(ps[0], U1, V)
            env = {N: depth, tau: model.tau}
            for i in range(3):
                env_i = {**env, s: s_vals[i], a: a_flow[i], u: u_flow[i]}
                # the layer mode rate of the statement against the model's velocity of W_1
                rate_a = float(layer.rhs.subs(env_i))
                vel_a = _modes(model.velocity(ps)[0], U1, V)[i]
                out.append(
                    Measurement(abs(rate_a - vel_a), linalg_tolerance(1.0, 8 * depth * 3), f"N={depth} t={t}: da/dt")
                )
                # u = a^N along the flow
                out.append(
                    Measurement(
                        abs(float(product.rhs.subs(env_i)) - u_flow[i]), tol_flow, f"N={depth} t={t}: u = a^N", "flow"
                    )
                )
                # the reduced rate of the statement against the product rule on the model's velocities
                du = _modes(end_to_end_velocity(model, ps), U, V)[i]
                out.append(
                    Measurement(
                        abs(float(reduced.rhs.subs(env_i)) - du),
                        linalg_tolerance(1.0, 8 * depth * 3) * max(1.0, abs(du)),
                        f"N={depth} t={t}: du/dt",
                        "8 N n eps",
                    )
                )
                # the engine against the simulation
                out.append(
                    Measurement(
                        abs(exact[j, i] - u_flow[i]),
                        tol_flow,
                        f"N={depth} t={t}: deep_aligned_singular_value vs gradient_flow",
                        "N x ode_global_tolerance",
                    )
                )
    return out


def implicit_time(x, depth: int):
    """``F(x)`` (``x < 1``) in the partial-fraction form, one term per root of ``omega^N = 1``: the candidate.

    ``x/(1 - x^N) = (1/N) sum_omega omega^2/(omega - x)``; the roots ``1`` and (``N`` even) ``-1`` give
    logarithms, each conjugate pair ``e^{+-i theta}`` a logarithm and an arctangent.
    """
    terms = -sp.log(1 - x) - (sp.log(1 + x) if depth % 2 == 0 else 0)
    for k in range(1, depth):
        if 0 < 2 * k < depth:
            th = 2 * sp.pi * k / depth
            c, sn = sp.cos(th), sp.sin(th)
            terms += -sp.cos(2 * th) * sp.log(x**2 - 2 * c * x + 1) + 2 * sp.sin(2 * th) * sp.atan((x - c) / sn)
    return x ** (2 - depth) / (2 - depth) + terms / depth


def solution_problem(depth: int):
    """``(ode, solution, initial, xi, sample)`` of the implicit solution at ``depth``, for :func:`lazyrich.check_solution`.

    In the scaled variables ``x = (u/s)^{1/N}`` and ``T = s^{2-2/N} t / tau`` the aligned mode reads
    ``dT/dx = 1 / (x^{N-1} (1 - x^N))`` (chain rule: ``dx/du = x / (N u)``); the state ``T`` is the scaled time at
    which ``x = x_0 + xi`` is reached, ``xi`` the checker's independent variable (it starts at 0).
    """
    xi = sp.Symbol("xi", nonnegative=True)
    x0 = sp.Symbol("x_0", positive=True)
    T = sp.Symbol("T")
    x = x0 + xi
    ode = {T: 1 / (x ** (depth - 1) * (1 - x**depth))}
    solution = {T: implicit_time(x, depth) - implicit_time(x0, depth)}
    # x0 in [0.3, 0.6] and xi <= 0.39: x stays below 1
    sample = {
        "values": {x0: lambda rng: 0.3 + 0.3 * rng.uniform()},
        "t_max": 0.3,
        "stability_t_max": 0.39,
        "instances": 1,
    }
    return ode, solution, {T: 0}, xi, sample


def _solution_claim(depth: int):
    ode, solution, initial, xi, sample = solution_problem(depth)
    return solution_claim(
        f"deep_linear.aligned_solution_depth{depth}",
        f"The implicit solution $T(x)$ of the depth-{depth} aligned mode solves $dT/dx = 1/(x^{{N-1}} (1 - x^N))$",
        Source(
            "deep_linear",
            "Saxe et al. (2014), deep networks; derived here by partial fractions",
            r"$x = (u/s)^{1/N}$, $T = s^{2-2/N} t/\tau$; the closed form that the deep aligned time evaluates "
            "stably (its numerically stable rearrangement); depth 5 passes too but is slow (nested radicals)",
        ),
        ode,
        solution,
        initial,
        xi,
        sample=sample,
    )


#: the check_solution claims, by depth
ALIGNED_SOLUTION = {d: _solution_claim(d) for d in SOLUTION_DEPTHS}


# ---------------------------------------------------------------- certified checks (lazyrich verify --certified)
def _implicit_time_of_gap(depth: int):
    """``(d, F(1 - d))``: the implicit time in the gap ``d = 1 - x`` (``log(1 - x)`` becomes ``log d``, exact at any d)."""
    d = sp.Symbol("d", positive=True)
    return d, implicit_time(1 - d, depth)


def _enclose_mode(F_gap, d, depth: int, t: float, u0: float, s_: float, tau_: float, guess: float):
    """Enclosure of ``u(t)`` (``0 < u0 < s``): the root of the implicit solution, certified by a sign change.

    The exact gap ``d* = 1 - (u/s)^{1/N}`` solves ``F(1 - d) = s^{2-2/N} t / tau + F(x_0)``, ``F`` strictly
    decreasing in ``d`` (``dF/dx = 1/(x^{N-1}(1 - x^N)) > 0``): ``F(1 - d_lo) > target > F(1 - d_hi)`` in Arb
    proves ``d* in [d_lo, d_hi]``, hence ``u in s [(1 - d_hi)^N, (1 - d_lo)^N]``.
    """
    flint = require_flint()
    x = sp.Symbol("x", positive=True)
    x0 = (exact_arb(u0) / exact_arb(s_)) ** (flint.arb(1) / depth)
    F0 = evaluate(implicit_time(x, depth), {x: x0}, arithmetic="arb")
    target = exact_arb(s_) ** (2 - flint.arb(2) / depth) * exact_arb(t) / exact_arb(tau_) + F0
    f = sp.lambdify(d, F_gap, "mpmath")
    with mpmath.workdps(60):
        T = arb_to_mpf(target)
        if guess > 1e-8:
            y = mpmath.log(guess)
        else:  # near x = 1: F(1 - d) = -ln(d)/N + C + O(d)
            tiny = mpmath.mpf(10) ** -40
            y = -depth * (T - f(tiny) - mpmath.log(tiny) / depth)
        y = mpmath.findroot(lambda v: f(mpmath.exp(v)) - T, y)
        step = mpmath.mpf(2) ** -120 * max(1, abs(y))
        y_lo, y_hi = y - step, y + step
    d_lo, d_hi = exact_arb(y_lo).exp(), exact_arb(y_hi).exp()
    F_lo = evaluate(F_gap, {d: d_lo}, arithmetic="arb")
    F_hi = evaluate(F_gap, {d: d_hi}, arithmetic="arb")
    if not (F_lo > target and F_hi < target):
        raise PrecisionError(f"deep aligned mode N={depth} t={t}: the root bracket is not certified")
    lo = exact_arb(s_) * (1 - d_hi) ** depth
    hi = exact_arb(s_) * (1 - d_lo) ** depth
    return lo.union(hi)


def _engine_bound(rate, t, u_, u0, s_, depth) -> float:
    """The float64 error bound documented by ``deep_aligned_singular_value`` (its Notes, ``float64_error_bound``),
    relative, in units of eps, for growth ``0 < u0 < s``; the condition numbers read from the statement's rate.

    ``kappa_t = t |du/dt| / u`` (rounding of the scaled time, ``2 + 2|ln s|`` eps), ``kappa_0 = d ln u / d w0 =
    (u0 rate(u) / (u rate(u0))) (1 - u0/s)`` (rounding of ``w0 = ln u0 - ln(s - u0)``), ``g = |d ln u/dT|`` times
    each term of the implicit time rounded to ``2 (N + 8)`` eps, the root-finder's stop and the final ``exp``.
    """
    N, y, y0 = depth, u_ / s_, u0 / s_
    psi, psi0 = max(1 - y, 5e-324), 1 - y0
    r, r0 = abs(rate(u_, s_, depth, 1.0)), abs(rate(u0, s_, depth, 1.0))
    kappa_t, kappa_0 = t * r / u_, u0 * r / (u_ * r0) * psi0
    g = r / u_ / s_ ** (2 - 2 / N)
    lny, lny0, lnpsi, lnpsi0 = np.log(y), np.log(y0), np.log(psi), np.log(psi0)
    w, w0 = lny - lnpsi, lny0 - lnpsi0
    terms = N / (N - 2) * (psi + kappa_0) + g * (9 + 2 * (abs(lnpsi) + abs(lnpsi0) + abs(lny) + abs(lny0)) / N)
    total = (2 + 2 * abs(np.log(s_))) * kappa_t + (1 + abs(np.log(u0)) + abs(np.log(s_ - u0))) * kappa_0
    return float(total + abs(lny) + 2 + psi * abs(w) + 2 * (N + 8) * terms + 6 * psi * (1 + abs(w)) + psi * abs(w0))


@certified_check(aligned_mode)
def aligned_mode_certified(statement):
    """Depths 3, 4, 5 up to ``t = 1e6``: ``deep_aligned_singular_value`` (float64) within its derived error bound.

    The exact ``u(t)`` is enclosed by the implicit solution (the ``aligned_solution`` claims check it solves the
    statement's rate); the bound, at each time, is the engine's documented first-order rounding bound
    (:func:`_engine_bound`), its condition numbers read from the statement's rate.
    Its ``dps=20`` path must be correct to its documented 20 significant digits.
    """
    reduced = statement[2]
    rate = sp.lambdify((u, s, N, tau), reduced.rhs, "math")
    out = []
    ts = np.array([0.0, 0.5, 3.0, 40.0, 1e6])
    for depth, u0, s_ in ((3, 1e-4, 1.0), (4, 0.01, 2.0), (5, 0.05, 0.7)):
        got = deep_aligned_singular_value(ts, u0, s_, depth)
        d, F_gap = _implicit_time_of_gap(depth)
        guesses = 1 - (got / s_) ** (1 / depth)
        balls = [_enclose_mode(F_gap, d, depth, t, u0, s_, 1.0, g) for t, g in zip(ts, guesses)]
        enc = Enclosure(np.array(balls, dtype=object), DERIVED_PREC)
        for t, ball, m, x in zip(ts, balls, enc.mid, got):
            one = Enclosure(np.array([ball], dtype=object), DERIVED_PREC)
            bound = _engine_bound(rate, t, m, u0, s_, depth) * FLOAT64_EPS * abs(m)
            out.append(
                inside(
                    one,
                    np.array([x]),
                    bound,
                    f"N={depth}, t={t:g}: deep_aligned_singular_value (float64)",
                    "its documented first-order rounding bound, condition numbers from the statement's rate",
                )
            )
        digits = deep_aligned_singular_value(ts, u0, s_, depth, dps=DPS)
        out.append(
            inside(
                enc,
                digits,
                0.5 * 10.0 ** (1 - DPS) * float(np.abs(enc.mid).max()),
                f"N={depth}: deep_aligned_singular_value (dps={DPS})",
                f"its documented {DPS} significant digits: half a unit in the last",
            )
        )
        out.append(radius_measurement(enc, s_, f"N={depth}: u(t)"))
    return out


def aligned_solution_certified(statement):
    """The statement's ``T(x_0, xi)`` in float64 within its rounding-model bound of the Arb enclosure.

    Instances from the plateau (``x_0 = 1e-6``, ``T ~ 1e6``) to the approach of ``x = 1`` (``1 - x ~ 1e-7``),
    where ``log(1 - x)`` cancels: the bound is the derived float64 rounding model of the same expression tree
    (:mod:`derivations.rounding`), so it widens exactly where float64 loses digits.
    """
    solution = statement[1]
    x0, xi = sorted(solution.rhs.free_symbols, key=lambda v: v.name != "x_0")
    out = []
    for a, b in ((0.3, 0.2), (1e-3, 0.5), (0.5, 0.4999999), (0.999, 0.000999), (1e-6, 0.999)):
        out += scalar_certified(solution.rhs, {x0: a, xi: b}, f"x_0={a!r}, xi={b!r}: statement's T")
    return out


for _claim in ALIGNED_SOLUTION.values():
    certified_check(_claim)(aligned_solution_certified)
