"""Small helpers the ``lazy_to_rich`` checks share to read their statements (public lazyrich API only).

* :func:`resolve`: an expression with the statement's definitions substituted (repeatedly: a definition may use
  an earlier one);
* :func:`expand_ddt`: every ``d/dt X`` of an expression replaced by :func:`lazyrich.time_derivative` of ``X``
  under the declared rates;
* :func:`rates_of`: the rates ``{W: W'}`` that the statement's ``ddt(W) = ...`` relations declare (``tau d/dt W``
  relations are divided by ``tau``);
* :func:`f64`: a matrix or scalar expression evaluated in float64 (:func:`lazyrich.symbolic.evaluate`), as an array;
* :func:`series_order_failures`: whether ``lhs = rhs + O(x^-k)`` holds sharply as ``x -> oo``;
* :func:`fast_fail`: residuals that are visibly nonzero at a random point replaced by a marker, so that a false
  statement fails at once instead of in SymPy's ``simplify`` (a residual that vanishes there is still reduced
  exactly by the proof: the screen can only make a proof fail, never pass).
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from lazyrich.symbolic import (
    canonical_trace,
    canonicalize,
    evaluate,
    expand_time_derivatives,
    rates_from,
    resolve_definitions,
)

from .symbols import t

__all__ = ["expand_ddt", "f64", "fast_fail", "rates_of", "resolve", "screened_proof", "series_order_failures"]


def resolve(expr, definitions):
    """``expr`` with every definition ``lhs := rhs`` substituted until nothing changes."""
    return resolve_definitions(expr, definitions)


def expand_ddt(expr, rates, time=t):
    """``expr`` with each ``Derivative(X, time)`` replaced by ``time_derivative(X, rates, time)``."""
    return expand_time_derivatives(expr, rates, time)


def rates_of(relations, time=t) -> dict:
    """``{X: rate}`` from relations ``ddt(X) = rhs`` or ``c ddt(X) = rhs`` (a scalar ``c``: the rate is ``rhs / c``)."""
    return rates_from(relations, time)


def f64(expr, values, dims=None):
    """Float64 value of ``expr`` (a scalar as a float, a matrix as a 2-D array)."""
    v = evaluate(expr, values, dims=dims or {}, arithmetic="float64")
    return np.asarray(v, dtype=float) if np.ndim(v) else float(v)


def series_order_failures(rel, x) -> list[str]:
    """``lhs = rhs + O(x^-k)`` as ``x -> oo``, sharply: ``(lhs - rhs) x^k`` tends to a finite *nonzero* limit.

    A relation without an order term must hold exactly. Returns what fails (empty: it holds).
    """
    rhs = rel.rhs
    orders = [o for o in sp.preorder_traversal(rhs) if isinstance(o, sp.Order)]
    diff = sp.expand(rel.lhs - rhs.removeO())
    if not orders:
        return [] if sp.simplify(diff) == 0 else [f"{rel}: not an identity"]
    (order,) = orders
    expo = order.expr.as_base_exp()
    if expo[0] != x:
        return [f"{rel}: the order term must be a power of {x}"]
    k = -expo[1]
    lim = sp.limit(sp.simplify(diff * x**k), x, sp.oo)
    if not lim.is_finite or lim == 0:
        return [f"{rel}: (lhs - rhs) {x}^{k} -> {lim}, not a finite nonzero limit"]
    return []


_SAMPLE_DIMS = (2, 3, 4, 5, 6, 7)


def _random_value(expr, rng):
    """Random values for the free symbols and matrix symbols of ``expr`` and sizes for its symbolic dimensions."""
    mats = sorted(expr.atoms(sp.MatrixSymbol), key=str)
    dim_syms = sorted({d for m in mats for x in m.shape for d in sp.sympify(x).free_symbols}, key=str)
    dims = {d: _SAMPLE_DIMS[i % len(_SAMPLE_DIMS)] for i, d in enumerate(dim_syms)}
    values = {d: float(v) for d, v in dims.items()}  # a dimension may also appear as a scalar (e.g. 1/P)
    for m in mats:
        r, c = (int(sp.sympify(x).xreplace(dims)) for x in m.shape)
        values[m] = rng.standard_normal((r, c))
    for x in sorted(expr.free_symbols - set(mats) - set(dim_syms), key=str):
        values[x] = float(rng.uniform(0.5, 1.5))
    return values, dims


def fast_fail(residuals, rules=(), seed: int = 0) -> list:
    """``residuals`` reduced under ``rules`` (canonical words and traces), each one still clearly nonzero at a
    random point replaced by a nonzero marker symbol; the proof then reduces what is left exactly."""
    rng = np.random.default_rng(seed)
    out = []
    for r in residuals:
        try:
            if isinstance(r, sp.MatrixExpr):
                can = canonicalize(r, rules=rules)
                r = can.as_expr() if len(can) else sp.ZeroMatrix(*r.shape)
            elif isinstance(r, sp.Basic) and r.has(sp.Trace):
                traces = [e for e in sp.preorder_traversal(r) if isinstance(e, sp.Trace)]
                r = sp.expand(r.xreplace({tr: canonical_trace(tr.arg, rules=rules) for tr in traces}))
            if isinstance(r, sp.ZeroMatrix) or r == 0:
                out.append(r)
                continue
            values, dims = _random_value(r, rng)
            terms = r.args if isinstance(r, (sp.Add, sp.MatAdd)) else (r,)
            vals = [np.asarray(evaluate(x, values, dims=dims, arithmetic="float64"), dtype=float) for x in terms]
            v = sum(vals)
            scale = sum(float(np.abs(x).max()) for x in vals)
            if np.all(np.isfinite(v)) and float(np.abs(v).max()) > 1e-8 * scale + 1e-300:
                out.append(sp.Symbol(f"nonzero at a random point: {sp.sstr(r)[:120]}"))
                continue
        except Exception:  # not evaluable numerically (e.g. a leftover Subs): left to the exact reduction
            pass
        out.append(r)
    return out


def screened_proof(residuals, rules=(), steps=(), **kw):
    """A :class:`lazyrich.Proof` of the :func:`fast_fail`-screened residuals; when one of them is visibly
    nonzero the proof fails on it, and its (then unchecked) steps are left out."""
    from lazyrich import Proof

    res = fast_fail(residuals, rules)
    failed = any(isinstance(r, sp.Symbol) and r.name.startswith("nonzero at a random point") for r in res)
    return Proof(residuals=res, rules=rules, steps=() if failed else steps, **kw)
