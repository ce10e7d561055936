r"""How the claims of Kunin et al. (2024) read their statements: definitions, hypotheses, rates, reduction to zero.

A statement is a list of relations (:func:`lazyrich.equation`, :func:`lazyrich.definition`,
:func:`lazyrich.hypothesis`). Here

* a *definition* ``x := e`` is substituted (to a fixed point: definitions may use earlier ones);
* a *hypothesis* ``d/dt x = e`` is a rate of the flow (read by :func:`rates`); a hypothesis ``x = e`` with a
  symbol ``x`` is a substitution; a matrix hypothesis ``word - rest = e`` is a rewrite rule
  (:func:`lazyrich.rewrite_rules`);
* every other relation is reduced to zero by :func:`relation_residual`: its time derivatives replaced by
  :func:`lazyrich.time_derivative` under the statement's rates, its definitions substituted, ``Limit`` and
  ``Subs`` evaluated, square roots of perfect squares collapsed (:func:`collapse_roots`, the hyperbolic
  coordinates of Kunin et al. (2024), Sec. 3 make every root rational).

:func:`statement_proof` builds the :class:`lazyrich.Proof` of a whole statement; :func:`lambdified` and
:func:`numeric_residuals` evaluate the same relations numerically (the numeric checks).
"""

from __future__ import annotations

import mpmath as mp
import numpy as np
import sympy as sp
from sympy.matrices.expressions import MatrixExpr

from lazyrich import TIME, Measurement, Proof, RewriteRule, rewrite_rules, split_statement, time_derivative
from lazyrich.symbolic import canonicalize, evaluate

from .symbols import X, a, d, eta_a, eta_w, n, w, y

__all__ = [
    "collapse_roots",
    "evaluate_matrix",
    "evaluate_with_velocity",
    "expand_rates",
    "hypothesis_rules",
    "lambdified",
    "nonzero_value",
    "numeric_residuals",
    "rates",
    "rates_against_model",
    "reduce_scalar",
    "relation_residual",
    "resolve",
    "statement_proof",
]


def rates(statement) -> dict:
    """``{x: e}`` for each hypothesis ``d/dt x = e`` of the statement (the flow it assumes)."""
    return {
        rel.lhs.expr: rel.rhs for rel in split_statement(statement).hypotheses if isinstance(rel.lhs, sp.Derivative)
    }


def _value_hypotheses(statement) -> list:
    return [rel for rel in split_statement(statement).hypotheses if not isinstance(rel.lhs, sp.Derivative)]


def hypothesis_rules(statement) -> tuple[dict, list]:
    """The statement's non-rate hypotheses: ``(substitutions, rewrite rules)``.

    A hypothesis whose left side is a symbol (``x = e``) substitutes ``x``; a matrix hypothesis becomes a
    :class:`lazyrich.RewriteRule` (``word - rest = e`` -> ``word -> e + rest``).
    """
    subs, matrix = {}, []
    for rel in _value_hypotheses(statement):
        if isinstance(rel.lhs, (sp.Symbol, sp.MatrixSymbol)):
            subs[rel.lhs] = rel.rhs
        else:
            matrix.append(rel)
    defs = {rel.lhs: rel.rhs for rel in split_statement(statement).definitions}

    def defined(e, depth=12):
        for _ in range(depth):
            e, old = e.xreplace(defs), e
            if e == old:
                break
        return e

    rules = rewrite_rules(matrix) if matrix else []
    return subs, [RewriteRule(r.lhs, defined(r.rhs)) for r in rules]


def resolve(expr, statement, depth: int = 12, values: bool = True, keep=()):
    """``expr`` with the statement's definitions (and, with ``values``, its symbol hypotheses) substituted.

    Definitions may use earlier ones: they are substituted to a fixed point. Symbol hypotheses (``a = 0``)
    hold at the point the statement is about, so they are substituted only after time derivatives are taken.
    """
    subs = {rel.lhs: rel.rhs for rel in split_statement(statement).definitions if rel.lhs not in keep}
    if values:
        subs.update(hypothesis_rules(statement)[0])
    expr = sp.sympify(expr)
    for _ in range(depth):
        new = expr.xreplace(subs)
        if new == expr:
            return new
        expr = new
    raise ValueError(f"definitions of the statement do not resolve (a cycle?): {expr}")


def collapse_roots(expr):
    """Every ``sqrt(e)`` with ``e`` factored, so ``sqrt((x + y)^2)`` becomes ``x + y`` when SymPy knows the sign."""
    return expr.replace(
        lambda x: isinstance(x, sp.Pow) and x.exp.is_Rational and x.exp.q == 2 and x.base.is_Add,
        lambda x: sp.factor(sp.expand(x.base)) ** x.exp,
    )


def nonzero_value(expr, seeds=tuple(range(1, 13)), allow_complex: bool = False):
    """A value of ``expr`` at a random rational point (30 digits) when it is real and clearly nonzero, else None.

    A real nonzero value at one point proves that ``expr`` is not identically zero (so the expensive reduction
    of a false relation is skipped: its residual is that value). Points where a value is complex are skipped.
    """
    expr = sp.sympify(expr)
    syms = sorted(expr.free_symbols, key=str)
    try:
        f = sp.lambdify(syms, expr, "mpmath")
    except Exception:  # an expression lambdify cannot print: no quick answer
        return None
    for seed in seeds:
        r = np.random.default_rng(seed)
        point = [mp.mpf(int(r.integers(1, 25))) / 10 for _ in syms]
        try:
            with mp.workdps(30):
                v = f(*point)
        except (TypeError, ValueError, ZeroDivisionError, OverflowError):
            continue
        if isinstance(v, mp.mpf) and mp.isfinite(v) and abs(v) > mp.mpf("1e-20"):
            return sp.Float(float(v))
        if allow_complex and isinstance(v, mp.mpc) and mp.isfinite(v) and abs(v) > mp.mpf("1e-20"):
            return sp.Float(float(abs(v)))
    return None


def reduce_scalar(expr):
    """A scalar reduced towards 0: roots collapsed, then ``cancel(together(expand))``.

    A scalar with a real nonzero value at a random point is returned as that value (it is not zero).
    """
    quick = nonzero_value(expr)
    if quick is not None:
        return quick
    e = collapse_roots(sp.expand(collapse_roots(sp.sympify(expr))))
    out = sp.cancel(sp.together(sp.powsimp(sp.expand(e), force=True)))
    if out != 0:  # not reduced to zero: not proven; a nonzero value at a point (complex allowed) says so quickly
        quick = nonzero_value(out, allow_complex=True)
        return out if quick is None else quick
    return out


def expand_rates(expr, statement, given_rates=None):
    """Each ``d/dt X`` in ``expr`` replaced by :func:`lazyrich.time_derivative` of ``X`` (definitions substituted).

    The rates are the statement's hypotheses, or ``given_rates`` (e.g. placeholders for an engine's velocity).
    """
    rt = (
        {k: resolve(v, statement, values=False) for k, v in rates(statement).items()}
        if given_rates is None
        else given_rates
    )

    def go(e):
        if isinstance(e, sp.Derivative):
            (var, order), *more = e.variable_count
            if more:
                raise ValueError(f"only derivatives in one variable are read from a statement; got {e}")
            if var == TIME:
                out = resolve(go(e.expr), statement, values=False)
                for _ in range(order):
                    out = time_derivative(out, rt)
                return out
            # d/dx at fixed other variables: x itself is not substituted before differentiating
            return sp.diff(resolve(go(e.expr), statement, values=False, keep=(var,)), (var, order))
        if not e.args or not e.has(sp.Derivative):
            return e
        return e.func(*(go(a) for a in e.args))

    return go(sp.sympify(expr))


def _read(expr, statement):
    """Derivatives expanded and definitions substituted, again while definitions bring new derivatives in."""
    for _ in range(4):
        expr = resolve(expand_rates(expr, statement), statement)
        if not expr.has(sp.Derivative):
            break
    return expr


def relation_residual(rel, statement, coordinates=None, rules=None):
    """``lhs - rhs`` of ``rel`` read through the statement (rates, definitions, limits), reduced.

    ``coordinates`` (``{symbol: expression}``, or a sequence of them applied in turn) is substituted last, before
    the reduction: a change of variables in which the roots are rational (e.g. the hyperbolic coordinates ``delta = (u^2 - v^2)/2``, ``|beta| = u v/2``
    of Kunin et al. (2024), Sec. 3). It must be a bijection onto the domain of the statement's variables.
    """
    lhs, rhs = (_read(side, statement) for side in (rel.lhs, rel.rhs))
    for change in [coordinates] if isinstance(coordinates, dict) else coordinates or ():
        lhs, rhs = (sp.sympify(x).doit().xreplace(change) for x in (lhs, rhs))
    if isinstance(lhs, MatrixExpr) or isinstance(rhs, MatrixExpr):
        if lhs == 0:
            lhs = sp.ZeroMatrix(*rhs.shape)
        if rhs == 0:
            rhs = sp.ZeroMatrix(*lhs.shape)
        return _matrix_reduce(lhs - rhs, hypothesis_rules(statement)[1] if rules is None else rules)
    res = (lhs - rhs).doit()
    return reduce_scalar(res)


def _matrix_reduce(expr, rules):
    """A matrix expression canonicalized, the scalar coefficient of each word reduced by :func:`reduce_scalar`."""
    canon = canonicalize(collapse_roots(expr.doit()), rules=rules).as_expr()
    if canon.is_ZeroMatrix or canon == 0:
        return canon
    terms = []
    for term in sp.MatAdd.make_args(canon):
        coeff, word = term.as_coeff_mmul() if isinstance(term, sp.MatMul) else (sp.S.One, term)
        coeff = reduce_scalar(coeff) if isinstance(term, sp.MatMul) else coeff
        if coeff != 0:
            terms.append(coeff * word.doit() if isinstance(word, sp.MatMul) else coeff * word)
    return sp.MatAdd(*terms).doit() if terms else sp.ZeroMatrix(*canon.shape)


def statement_proof(statement, steps=(), lemmas=(), symmetric=(), commuting=(), coordinates=None) -> Proof:
    """The :class:`lazyrich.Proof` that every relation of the statement reduces to zero (see the module docstring)."""
    parts = split_statement(statement)
    residuals = [relation_residual(rel, statement, coordinates) for rel in parts.relations]
    rules = hypothesis_rules(statement)[1]
    return Proof(
        residuals=residuals,
        steps=list(steps),
        lemmas=list(lemmas),
        rates=rates(statement),
        rules=rules,
        symmetric=symmetric,
        commuting=commuting,
    )


def lambdified(expr, statement, args, module="numpy", given_rates=None):
    """``sp.lambdify(args, expr)`` of ``expr`` read through the statement (definitions, rates substituted)."""
    return sp.lambdify(args, resolve(expand_rates(expr, statement, given_rates), statement).doit(), module)


def rate_symbols(statement) -> dict:
    """A placeholder symbol ``d<x>`` for the rate of each variable the statement gives a rate for."""
    return {k: sp.Symbol(f"d{k}") for k in rates(statement)}


def numeric_residuals(statement, args, points, module="numpy", engine_rates: bool = False) -> list:
    """``[(relation, max |lhs - rhs|, max |rhs|)]`` of the statement's relations (and rate hypotheses) over ``points``.

    ``points`` are tuples of values of ``args``. With ``engine_rates`` the last ``len(rates)`` values of each
    point are an engine's velocity of the rated variables (in the order of the statement's rate hypotheses):
    time derivatives are then taken with them, and each rate hypothesis is compared with them.
    """
    placeholders = rate_symbols(statement) if engine_rates else None
    args = list(args) + (list(placeholders.values()) if engine_rates else [])
    pairs = [(rel, rel.lhs, rel.rhs) for rel in split_statement(statement).relations]
    if engine_rates:
        pairs += [
            (rel, placeholders[rel.lhs.expr], rel.rhs)
            for rel in split_statement(statement).hypotheses
            if isinstance(rel.lhs, sp.Derivative)
        ]
    out = []
    for rel, lhs, rhs in pairs:
        fl, fr = (lambdified(x, statement, args, module, placeholders) for x in (lhs, rhs))
        # the scale of the rounding: the sum of the magnitudes of each side's terms
        sl, sr = (
            lambdified(
                sp.Add(*(sp.Abs(u) for u in sp.Add.make_args(_flat(x, statement, placeholders)))),
                statement,
                args,
                module,
                placeholders,
            )
            for x in (lhs, rhs)
        )
        err = scale = 0.0
        for p in points:
            vl, vr = (np.asarray(f(*p), dtype=float) for f in (fl, fr))
            err = max(err, float(np.max(np.abs(vl - vr))))
            scale = max(scale, float(np.max(np.abs(sl(*p)))), float(np.max(np.abs(sr(*p)))))
        out.append((rel, err, scale))
    return out


def _flat(expr, statement, given_rates):
    """A scalar side read through the statement and expanded one level (its terms, for the rounding scale)."""
    e = resolve(expand_rates(expr, statement, given_rates), statement).doit()
    return sp.expand(e, deep=False, mul=True, multinomial=False, power_exp=False, power_base=False, log=False)


def evaluate_with_velocity(expr, statement, values: dict, velocity: dict, dims: dict):
    """``expr`` (a matrix expression, possibly with ``d/dt``) evaluated with time derivatives from ``velocity``.

    ``velocity`` maps each rated matrix symbol to an engine's value of its time derivative: the statement's
    definitions are substituted, the derivatives taken with placeholders for the rates, then evaluated.
    """
    place = {k: sp.MatrixSymbol(f"V_{{{k.name}}}", *k.shape) for k in velocity}
    e = resolve(expand_rates(expr, statement, given_rates=place), statement)
    vals = {**values, **{place[k]: v for k, v in velocity.items()}}
    return np.asarray(evaluate(e.doit(), vals, dims=dims, arithmetic="float64"), dtype=float)


def rates_against_model(statement, model, av, wv) -> list:
    """The statement's layer-rate hypotheses (unit or general rates) against ``model.velocity`` at ``(a, w)``."""
    va, vw = model.velocity((av, wv))
    nn, dd = model.X.shape
    vals = {X: model.X, y: model.y[:, None], a: np.array([[av]]), w: wv[:, None]}
    vals.update({eta_a: model.eta_a, eta_w: model.eta_w})
    out = []
    for var, engine in ((a, np.array([[va]])), (w, vw[:, None])):
        got = np.asarray(evaluate(rates(statement)[var], vals, dims={n: nn, d: dd}, arithmetic="float64"), float)
        tol = 64 * 2.0**-52 * nn * dd * (1 + float(np.abs(engine).max())) * (1 + float(np.abs(model.X).max())) ** 2
        out.append(
            Measurement(float(np.abs(got - engine).max()), tol, f"statement rate of {var} vs the model", "64 n d eps")
        )
    return out


def evaluate_matrix(expr, values: dict, dims: dict) -> np.ndarray:
    """A matrix expression in float64 (numpy), each 1x1 matrix (``a``, ``a^T a``) multiplying as a scalar.

    In the calculus a 1x1 matrix symbol commutes like a scalar (``a D X w`` with ``D`` ``n x n``); this
    evaluator follows it. ``values`` maps matrix symbols to arrays (1x1 ones may be floats) and scalar
    symbols to numbers; ``dims`` gives the symbolic dimensions.
    """
    scalars = {k: v for k, v in values.items() if not isinstance(k, sp.MatrixSymbol)}
    scalars.update(dims)

    def shape(m):
        return tuple(int(sp.sympify(x).xreplace(dims)) for x in m.shape)

    def mul(x, y):
        if np.ndim(x) == 0 or np.shape(x) == (1, 1):
            return np.asarray(x).item() * y if np.ndim(y) else np.asarray(x) * y
        if np.ndim(y) == 0 or np.shape(y) == (1, 1):
            return x * np.asarray(y).item()
        return x @ y

    def go(e):
        if not isinstance(e, MatrixExpr):
            traces = {tr: sp.Float(float(np.trace(go(tr.arg)))) for tr in sp.sympify(e).atoms(sp.Trace)}
            return float(sp.sympify(e).xreplace(traces).xreplace(scalars))
        if isinstance(e, sp.MatrixSymbol):
            return np.asarray(values[e], dtype=float).reshape(shape(e))
        if isinstance(e, sp.Transpose):
            return go(e.arg).T
        if isinstance(e, sp.Identity):
            return np.eye(shape(e)[0])
        if isinstance(e, sp.ZeroMatrix):
            return np.zeros(shape(e))
        if isinstance(e, sp.MatMul):
            out = 1.0
            for f in e.args:
                out = mul(out, go(f))
            return out
        if isinstance(e, sp.MatAdd):
            return sum(go(f) for f in e.args)
        return np.asarray(evaluate(e, values, dims=dims, arithmetic="float64"), dtype=float)

    return np.asarray(go(sp.sympify(expr)), dtype=float)
