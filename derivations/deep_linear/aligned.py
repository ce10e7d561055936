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
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from lazyrich import (
    Measurement,
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

from .reference import aligned_instance, chain, end_to_end_velocity, simulate
from .symbols import tau

__all__ = ["ALIGNED_SOLUTION", "SOLUTION_DEPTHS", "aligned_mode", "implicit_time", "solution_problem"]

RTOL = 1e-12
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
