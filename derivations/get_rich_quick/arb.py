r"""Arb and float64 evaluations of a statement's formulas, for the certified checks of Kunin et al. (2024).

A certified check of a pure formula (no engine) compares three things at concrete float inputs, each taken as an
exact binary number:

* :func:`arb_function`: the formula lambdified with python-flint balls as the numbers (constants exact), so the
  balls enclose its exact value; with :func:`derivatives` (Arb Taylor series) also the exact derivatives;
* :func:`float_function`: the same formula lambdified with numpy in float64, as the numeric checks evaluate it;
* :func:`rounding_bound`: a derived bound on the float64 rounding error of that evaluation. Each operation node
  ``n`` of the expression tree rounds its result by a relative ``|d_n| <= k_n u`` (the standard model
  ``fl(x op y) = (x op y)(1 + d)``, Higham, *Accuracy and Stability of Numerical Algorithms*, 2nd ed., Sec. 2.2;
  ``u = 2^-53``; ``k_n = 1`` for ``+ - * /`` and ``sqrt``, correctly rounded in IEEE 754; ``k_n = 4`` for a libm
  call such as ``pow``, ``asinh``, above the maximal errors glibc's manual lists for double on x86_64; an
  ``m``-term sum or product counts ``m - 1`` roundings of partial results bounded by ``sum |terms|``), so to first
  order ``|fl(f) - f| <= sum_n |df/dn| k_n u |n|``. The sensitivities ``df/dn`` are the adjoints of the tree,
  evaluated at 60 digits; the bound is doubled to cover the second-order terms (they are below the first-order
  ones while ``u`` times the condition of the evaluation is below 1/2, true at every instance used).
"""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import sympy as sp
from sympy.printing.pycode import MpmathPrinter

from lazyrich import Measurement
from lazyrich.certified import Enclosure, exact_arb, require_flint

from ..certify import BITS, DERIVED_PREC, arb_to_mpf, inside, radius_measurement, symmetric_eigenvalues
from .checking import resolve

__all__ = [
    "ROUNDING_FROM",
    "arb_function",
    "arb_matrix_value",
    "derivatives",
    "enclosure",
    "exact_ball",
    "float_function",
    "float_side",
    "formula_measurements",
    "psd_sqrt_enclosure",
    "relation_measurements",
    "rounding_bound",
]

#: how the float64 bound of a pure formula is derived (module docstring)
ROUNDING_FROM = "first-order running-error bound of the float64 evaluation (u per op, 4u per libm call), x2"

U = 2.0**-53  # unit roundoff of float64
LIBM_ULPS = 4  # roundings charged to one libm call (pow, asinh, exp, log, ...)


def _const(v):
    """The printer's constants (``mpf(3)``, ``mpf((sign, man, exp, bc))``) as exact Arb balls."""
    flint = require_flint()
    if isinstance(v, tuple):
        sign, man, exp, _ = v
        return flint.arb((flint.fmpz(-man if sign else man), exp))
    if isinstance(v, int):
        return flint.arb(flint.fmpz(v))
    return exact_arb(mp.mpf(v))


def _ball(x):
    """An integer constant of the printed code (``sqrt(2)``) as an exact ball; balls and series unchanged."""
    return require_flint().arb(x) if isinstance(x, int) else x


def _asinh(x):
    flint = require_flint()
    x = _ball(x)
    return x.asinh() if isinstance(x, flint.arb) else (x + (x * x + 1).sqrt()).log()


def _atanh(x):
    flint = require_flint()
    x = _ball(x)
    return x.atanh() if isinstance(x, flint.arb) else ((1 + x) / (1 - x)).log() / 2


def _tanh(x):
    x = _ball(x)
    return x.tanh() if hasattr(x, "tanh") else 1 - 2 / ((2 * x).exp() + 1)


#: the functions a statement's formula may use, on Arb balls and Arb series (anything else is a NameError)
ARB_NAMESPACE = {
    "mpf": _const,
    "sqrt": lambda x: _ball(x).sqrt(),
    "exp": lambda x: _ball(x).exp(),
    "log": lambda x: _ball(x).log(),
    "asinh": _asinh,
    "atanh": _atanh,
    "tanh": _tanh,
}


def arb_function(args, expr):
    """``expr`` as a function of ``args`` on Arb balls (or ``arb_series``); constants enter exactly."""
    printer = MpmathPrinter({"fully_qualified_modules": False, "inline": True, "allow_unknown_functions": True})
    return sp.lambdify(args, expr, modules=[ARB_NAMESPACE], printer=printer)


def float_function(args, expr):
    """``expr`` as a float64 (numpy) function of ``args``: the evaluation :func:`rounding_bound` is about."""
    return sp.lambdify(args, expr, "numpy")


def derivatives(f, x0, order: int) -> list:
    """Enclosures of ``f(x0), f'(x0), ..., f^(order)(x0)`` from the Arb Taylor series of ``f`` at the ball ``x0``."""
    flint = require_flint()
    coeffs = f(flint.arb_series([x0, 1], prec=order + 1)).coeffs()
    coeffs += [flint.arb(0)] * (order + 1 - len(coeffs))
    return [coeffs[k] * flint.arb.fac_ui(k) for k in range(order + 1)]


def enclosure(balls) -> Enclosure:
    """An :class:`lazyrich.certified.Enclosure` of a list of balls (computed at :data:`DERIVED_PREC`)."""
    out = np.empty(len(balls), dtype=object)
    for i, b in enumerate(balls):
        out[i] = b
    return Enclosure(out, DERIVED_PREC)


_DERIV = {
    sp.asinh: lambda x: 1 / mp.sqrt(1 + x * x),
    sp.atanh: lambda x: 1 / (1 - x * x),
    sp.tanh: lambda x: 1 - mp.tanh(x) ** 2,
    sp.exp: mp.exp,
    sp.log: lambda x: 1 / x,
}
_MP = {sp.asinh: mp.asinh, sp.atanh: mp.atanh, sp.tanh: mp.tanh, sp.exp: mp.exp, sp.log: mp.log}


def _forward(e, values, tape) -> int:
    """Append ``(value, [(child, d value / d child)], local rounding error)`` of node ``e`` to ``tape``; its index."""
    if e.is_Symbol:
        tape.append((mp.mpf(values[e]), [], mp.mpf(0)))
    elif e.is_Integer:
        tape.append((mp.mpf(int(e)), [], mp.mpf(0)))
    elif e.is_Rational or e.is_Float or e.is_NumberSymbol:
        v = mp.mpf(e.p) / e.q if e.is_Rational else mp.mpf(sp.N(e, 40))
        tape.append((v, [], U * abs(v)))  # 1/3 or a decimal: one rounding
    elif e.is_Add or e.is_Mul:
        kids = [_forward(x, values, tape) for x in e.args]
        vals = [tape[k][0] for k in kids]
        if e.is_Add:
            v = mp.fsum(vals)
            parts = [(k, mp.mpf(1)) for k in kids]
            local = (len(kids) - 1) * U * mp.fsum(abs(x) for x in vals)
        else:
            v = mp.fprod(vals)
            parts = [(k, mp.fprod(vals[:i] + vals[i + 1 :])) for i, k in enumerate(kids)]
            local = (len(kids) - 1) * U * abs(v)
        tape.append((v, parts, local))
    elif e.is_Pow:
        kb, ke = _forward(e.base, values, tape), _forward(e.exp, values, tape)
        b, x = tape[kb][0], tape[ke][0]
        v = b**x
        parts = [(kb, x * b ** (x - 1))]
        if not e.exp.is_Integer:
            parts.append((ke, v * mp.log(b)))
        ulps = 1 if e.exp in (sp.S.Half, sp.S.NegativeOne) else LIBM_ULPS
        tape.append((v, parts, ulps * U * abs(v)))
    elif isinstance(e, sp.Abs):  # exact in floating point
        (k,) = (_forward(x, values, tape) for x in e.args)
        tape.append((abs(tape[k][0]), [(k, mp.sign(tape[k][0]))], mp.mpf(0)))
    elif e.func in _DERIV:
        (k,) = (_forward(x, values, tape) for x in e.args)
        v = _MP[e.func](tape[k][0])
        tape.append((v, [(k, _DERIV[e.func](tape[k][0]))], LIBM_ULPS * U * abs(v)))
    else:
        raise TypeError(f"no rounding model for {e.func} in {e}")
    return len(tape) - 1


def rounding_bound(expr, values: dict) -> float:
    """A derived bound on ``|float64 evaluation of expr - exact value|`` at the float ``values`` (module docstring)."""
    with mp.workdps(60):
        tape: list = []
        root = _forward(sp.sympify(expr), values, tape)
        adjoint = [mp.mpf(0)] * len(tape)
        adjoint[root] = mp.mpf(1)
        for k in range(root, -1, -1):
            for child, partial in tape[k][1]:
                adjoint[child] += adjoint[k] * partial
        first_order = mp.fsum(abs(adj) * node[2] for adj, node in zip(adjoint, tape))
        # + one subnormal: a certified distance is rounded up to the next float (an exact 0 reports 5e-324)
        return 2 * float(first_order) + math.ulp(0.0)


def exact_ball(side, statement, env: dict):
    """An Arb ball enclosing the exact value of one side of a relation of ``statement`` at the balls ``env``.

    The side is read through the statement's definitions; ``d^k/dx^k F`` is the Arb Taylor coefficient of the
    defined ``F`` in ``x`` (the other variables held at ``env``; ``x`` at its own ball, or its definition's),
    ``Subs(F, x, x0)`` evaluates ``F`` at ``x = x0``.
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
        rest = sorted(inner.free_symbols - {var}, key=str)
        f = arb_function([var, *rest], inner)
        others = [env[s] for s in rest]
        return derivatives(lambda x: f(x, *others), at, order)[order]
    expr = resolve(side, statement)
    syms = sorted(expr.free_symbols, key=str)
    return arb_function(syms, expr)(*(env[s] for s in syms)) if syms else _const_expr(expr)


def _const_expr(expr):
    return arb_function([], expr)()


def float_side(side, statement, point: dict):
    """``(float64 value, derived rounding bound)`` of one side (no derivative) read through the statement."""
    expr = resolve(side, statement)
    if expr.has(sp.Derivative, sp.Subs, sp.Limit):
        raise ValueError(f"only a formula has a float64 evaluation here: {side}")
    syms = sorted(expr.free_symbols, key=str)
    value = float(float_function(syms, expr)(*(point[s] for s in syms)))
    return value, rounding_bound(expr, point)


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


def arb_matrix_value(expr, values: dict, scalars: dict, dims: dict | None = None):
    """A matrix expression (``+``, ``*``, powers, transposes, scalar coefficients) on ``flint.arb_mat`` values;
    ``dims`` gives the symbolic sizes of identities."""

    def go(e):
        if isinstance(e, sp.MatrixSymbol):
            return values[e]
        if isinstance(e, (sp.Identity, sp.ZeroMatrix)):
            n = int(sp.sympify(e.shape[0]).xreplace(dims or {}))
            one = isinstance(e, sp.Identity)
            return require_flint().arb_mat([[int(one and i == j) for j in range(n)] for i in range(n)])
        if isinstance(e, sp.Transpose):
            return go(e.arg).transpose()
        if isinstance(e, sp.MatAdd):
            terms = [go(x) for x in e.args]
            out = terms[0]
            for t in terms[1:]:
                out = out + t
            return out
        if isinstance(e, sp.MatMul):
            coeff, factors = e.as_coeff_matrices()
            out = go(factors[0])
            for f in factors[1:]:
                out = out * go(f)
            syms = sorted(coeff.free_symbols, key=str)
            return arb_function(syms, coeff)(*(scalars[x] for x in syms)) * out
        if isinstance(e, sp.MatPow) and e.exp.is_Integer and e.exp > 0:
            base = go(e.base)
            out = base
            for _ in range(int(e.exp) - 1):
                out = out * base
            return out
        raise TypeError(f"no Arb evaluation of {type(e).__name__}: {e}")

    return go(expr)


def psd_sqrt_enclosure(S):
    """Balls around the entries of the positive definite square root of a symmetric positive definite ``arb_mat``.

    ``Y`` is an 80-digit ``mpmath.sqrtm`` of the midpoint, made exactly symmetric. With ``X = S^(1/2)`` and ``v`` a
    unit eigenvector of ``X - Y`` for its eigenvalue ``m`` of largest modulus, ``v^T (X^2 - Y^2) v =
    v^T (X (X - Y) + (X - Y) Y) v = m v^T (X + Y) v``, so ``|X - Y|_2 <= |S - Y^2|_2 / (lambda_min(S)^(1/2) +
    lambda_min(Y))`` for positive definite ``Y``; ``|.|_2 <= |.|_F`` and the eigenvalue bounds are certified
    (:func:`derivations.certify.symmetric_eigenvalues`).
    """
    flint = require_flint()
    n = S.nrows()
    with mp.workdps(80):
        mid = mp.matrix([[arb_to_mpf(S[i, j]) for j in range(n)] for i in range(n)])
        Y0 = mp.sqrtm((mid + mid.T) / 2)
        Y = flint.arb_mat([[exact_arb(mp.mpf(mp.re(Y0[min(i, j), max(i, j)]))) for j in range(n)] for i in range(n)])
    R = Y * Y - S
    fro = sum((R[i, j] * R[i, j] for i in range(n) for j in range(n)), flint.arb(0)).sqrt()
    # lower bounds as floats (1 - 2^-50 absorbs the conversion's rounding)
    lam_s = max(float(min(b.lower() for b in symmetric_eigenvalues(S))) * (1 - 2**-50), 0.0)
    lam_y = float(min(b.lower() for b in symmetric_eigenvalues(Y))) * (1 - 2**-50)
    if lam_y <= 0:
        raise ValueError("the candidate square root is not certified positive definite")
    e = (fro / (exact_arb(math.sqrt(lam_s) * (1 - 2**-50)) + exact_arb(lam_y))).upper()
    return flint.arb_mat([[Y[i, j] + flint.arb(0, e) for j in range(n)] for i in range(n)])
