r"""A statement's formulas enclosed in Arb and evaluated in float64, for the certified checks of Kunin et al. (2024).

A certified check of a pure formula compares, at concrete float inputs (each taken as an exact binary number):

* :func:`exact_ball`: one side of a relation read through the statement's definitions, enclosed by
  :func:`lazyrich.symbolic.evaluate` with ``arithmetic="arb"`` (constants exact); a derivative ``d^k F / dx^k`` of a
  defined ``F`` is SymPy's exact derivative of the definition, enclosed the same way, and ``Subs(F, x, x0)`` is ``F``
  at ``x = x0``;
* :func:`float_side`: the same side in float64 (:func:`derivations.rounding.float64_value`, the tree the numeric
  checks evaluate) with its derived error bound, the rigorous rounding model :func:`derivations.rounding.model_bound`
  shared by every paper's certified checks (its docstring gives the model and its sources).
"""

from __future__ import annotations

import sympy as sp

from lazyrich import Measurement
from lazyrich.certified import exact_arb
from lazyrich.symbolic import evaluate

from ..certify import BITS, enclosure, inside, radius_measurement
from ..rounding import ROUNDING_FROM, float64_value, model_bound
from .checking import resolve

__all__ = ["exact_ball", "float_side", "formula_measurements", "relation_measurements"]


def _enclose(expr, env: dict):
    """``expr`` on the balls ``env`` at the current precision (:func:`lazyrich.symbolic.evaluate` in Arb)."""
    return evaluate(expr, {s: env[s] for s in expr.free_symbols}, arithmetic="arb")


def exact_ball(side, statement, env: dict):
    """An Arb ball enclosing the exact value of one side of a relation of ``statement`` at the balls ``env``.

    The side is read through the statement's definitions; ``d^k/dx^k F`` is the exact derivative of the defined ``F``
    in ``x`` (the other variables held at ``env``; ``x`` at its own ball, or its definition's), ``Subs(F, x, x0)``
    evaluates ``F`` at ``x = x0``.
    """
    if isinstance(side, sp.Subs):
        env = dict(env)
        for var, pt in zip(side.variables, side.point):
            env[var] = exact_ball(pt, statement, env)
        return exact_ball(side.expr, statement, env)
    if isinstance(side, sp.Derivative):
        ((var, order),) = side.variable_count
        inner = resolve(side.expr, statement, keep=(var,))
        at = env[var] if var in env else exact_ball(var, statement, env)
        return _enclose(sp.diff(inner, var, order), {**env, var: at})
    return _enclose(resolve(side, statement), env)


def float_side(side, statement, point: dict):
    """``(float64 value, derived rounding bound)`` of one side (no derivative) read through the statement."""
    expr = resolve(side, statement)
    if expr.has(sp.Derivative, sp.Subs, sp.Limit):
        raise ValueError(f"only a formula has a float64 evaluation here: {side}")
    return float64_value(expr, point), model_bound(expr, point)


def relation_measurements(rel, statement, point: dict, label: str) -> list:
    """The float64 right side of ``rel`` within its rounding bound of the exact left side (Arb), the enclosure's
    radius, and the certified agreement of the two exact sides, at the float ``point`` (taken as exact)."""
    env = {k: exact_arb(v) for k, v in point.items()}
    lhs, rhs = exact_ball(rel.lhs, statement, env), exact_ball(rel.rhs, statement, env)
    enc = enclosure([lhs])
    scale = max(abs(float(lhs.mid())), 1e-270)  # an exact 0 still reports one subnormal ulp of radius
    what = f"{label}: {sp.sstr(rel.lhs)[:30]} = {sp.sstr(rel.rhs)[:40]}"
    out = []
    if resolve(rel.rhs, statement).free_symbols:  # a constant right side has no float64 evaluation to measure
        x, bound = float_side(rel.rhs, statement, point)
        out.append(inside(enc, x, bound, f"{what}, right side in float64", ROUNDING_FROM))
    return [
        *out,
        radius_measurement(enc, scale, what),
        Measurement(
            float(abs(lhs - rhs).upper()),
            2.0**-BITS * scale,
            f"{what}: certified |lhs - rhs| of the exact sides",
            f"2^-{BITS} |lhs|",
        ),
    ]


def formula_measurements(expr, statement, point: dict, label: str) -> list:
    """A formula of the statement (a defined symbol, or an expression) in float64 within its derived rounding bound
    of its Arb enclosure, and that enclosure's radius, at the float ``point``."""
    env = {k: exact_arb(v) for k, v in point.items()}
    ball = exact_ball(expr, statement, env)
    x, bound = float_side(expr, statement, point)
    enc = enclosure([ball])
    what = f"{label}: {sp.sstr(expr)[:40]}"
    return [
        inside(enc, x, bound, f"{what} in float64", ROUNDING_FROM),
        radius_measurement(enc, max(abs(float(ball.mid())), 1e-270), what),
    ]
