"""Check a candidate closed-form solution of an ODE: :func:`check_solution` and :func:`solution_claim`.

Four checks, each saying where it fails:

* ``symbolic``: ``d(solution)/dt - ode(solution)`` reduces to zero with the sound matrix calculus
  (:func:`lazyrich.time_derivative`, :func:`lazyrich.canonicalize`) at general shape, using only
  the declared ``rules`` and ``assume`` facts; when that leaves a residual and no declared matrix
  function is involved, on explicit small shapes (symbolic entries);
* ``initial``: ``solution(0) - initial`` reduces to zero the same way;
* ``numeric``: on sampled instances, the candidate (mpmath at ``dps`` digits) agrees with mpmath's
  Taylor-series integration of the ODE itself (``mpmath.odefun``) to ``eps^0.8`` at ``dps``
  digits (:func:`lazyrich.mp_tolerance`);
* ``stability``: the candidate in float64 against its own value at a confirmed high precision on
  a log grid of times: where float64 breaks (first relative error above ``1e-3``, the criterion of
  ``lazyrich stress``). It does not enter ``.passed``: a correct formula can be unstable.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import sympy as sp
from sympy.matrices.expressions import MatrixExpr, MatrixSymbol

from .._base.errors import InvalidParameterError, LazyrichError, ShapeError
from .._base.validation import as_digits, positive_int
from .._symbolic.declared import Declared, facts
from .._symbolic.derivative import time_derivative
from .._symbolic.matrix_calculus import RewriteRule, canonicalize, explicit_residual, is_zero
from .._symbolic.solution_numeric import (
    SolutionCheck,
    SolutionProblem,
    SolutionSample,
    numeric_check,
    stability_check,
)
from .._symbolic.statements import ddt, equation
from .model import FAIL, PASS, Claim, Measurement, Proof, Registry, Source, claim
from .proof_check import brief

__all__ = ["SolutionCheck", "SolutionReport", "SolutionSample", "check_solution", "solution_claim"]


@dataclass
class SolutionReport:
    """The result of :func:`check_solution`."""

    symbolic: SolutionCheck
    initial: SolutionCheck
    numeric: SolutionCheck
    stability: SolutionCheck
    statement: list
    derivation: list

    @property
    def checks(self) -> tuple:
        return (self.symbolic, self.initial, self.numeric, self.stability)

    @property
    def passed(self) -> bool:
        """Symbolic, initial and numeric checks did not fail (stability is reported, not required)."""
        return all(c.status != FAIL for c in (self.symbolic, self.initial, self.numeric))

    @property
    def stable(self) -> bool:
        """float64 evaluation stayed within ``1e-3`` on the whole stability grid."""
        return self.stability.status == PASS

    @property
    def errors(self) -> list[str]:
        """The detail of every failed check."""
        return [f"{c.name}: {c.detail}" for c in self.checks if c.status == FAIL]

    def as_dict(self) -> dict:
        return {"passed": self.passed, **{c.name: c.as_dict() for c in self.checks}}

    def __str__(self) -> str:
        lines = [f"check_solution: {'passed' if self.passed else 'FAILED'}"]
        lines += [f"  {c.name:<9} {c.status:<4}  {c.detail}" for c in self.checks]
        return "\n".join(lines)

    def latex(self, notation=None) -> str:
        """LaTeX of the statement and of its checked derivation (an ``align*`` of each)."""
        from .printing import expr_latex

        def block(rows):
            body = " \\\\\n".join(f"{expr_latex(r.lhs, notation)} &= {expr_latex(r.rhs, notation)}" for r in rows)
            return "\\begin{align*}\n" + body + "\n\\end{align*}"

        out = block(self.statement)
        if self.derivation:
            out += "\n% checked derivation (" + self.symbolic.status + ")\n" + block(self.derivation)
        return out

    def _repr_latex_(self) -> str:
        return self.latex()


def _as_rule(a):
    if isinstance(a, RewriteRule):
        return a
    if isinstance(a, sp.Eq) and isinstance(a.lhs, MatrixExpr):
        return RewriteRule(a.lhs, a.rhs)
    raise InvalidParameterError(f"assume: a hypothesis must be a RewriteRule or Eq(product, expr), got {a!r}")


def _problem(ode, solution, initial, time, rules, assume, sample, dps) -> SolutionProblem:
    if not isinstance(ode, Mapping) or not ode:
        raise InvalidParameterError("ode must be a non-empty mapping {state symbol: rate expression}")
    states = list(ode)
    for name, m in (("solution", solution), ("initial", initial)):
        if not isinstance(m, Mapping) or set(m) != set(states):
            got = list(m) if isinstance(m, Mapping) else type(m).__name__
            raise InvalidParameterError(f"{name} must map exactly the states of ode ({states}); got {got}")
    for X in states:
        if not isinstance(X, (sp.Symbol, MatrixSymbol)):
            raise InvalidParameterError(f"a state must be a Symbol or MatrixSymbol, got {X!r}")
        for name, m in (("ode", ode), ("solution", solution), ("initial", initial)):
            v = sp.sympify(m[X])
            shape = tuple(v.shape) if isinstance(v, MatrixExpr) else (1, 1)
            want = tuple(X.shape) if isinstance(X, MatrixSymbol) else (1, 1)
            if shape != want and not (v == 0):
                raise ShapeError(f"{name}[{X}] has shape {shape}, the state {want}")
    if not isinstance(time, sp.Symbol):
        raise InvalidParameterError(f"time must be a sympy Symbol, got {time!r}")
    if isinstance(sample, Mapping):
        unknown = set(sample) - set(SolutionSample.__dataclass_fields__)
        if unknown:
            known = sorted(SolutionSample.__dataclass_fields__)
            raise InvalidParameterError(f"sample has unknown keys {sorted(unknown)}; known: {known}")
        sample = SolutionSample(**sample)
    elif sample is None:
        sample = SolutionSample()
    elif not isinstance(sample, SolutionSample):
        raise InvalidParameterError(f"sample must be a SolutionSample, a mapping or None, got {type(sample).__name__}")
    # the oracle's digits must exceed float64's for the numeric and stability checks to mean anything
    dps = as_digits(positive_int(dps, "dps", minimum=15, hint="digits of the reference integration"))  # <= MAX_DPS
    rules = list(rules)
    kw = facts([*rules, *(_as_rule(a) for a in assume)])
    declared = [r for r in rules if isinstance(r, Declared)]
    return SolutionProblem(
        states,
        {X: sp.sympify(ode[X]) for X in states},
        {X: sp.sympify(solution[X]) for X in states},
        {X: sp.sympify(initial[X]) for X in states},
        time,
        declared,
        kw,
        sample,
        int(dps),
    )


def _initial_display(X, t):
    return sp.Subs(X, t, 0)


def _statement(p: SolutionProblem) -> list:
    return (
        [equation(ddt(X, p.time), p.ode[X]) for X in p.states]
        + [equation(X, p.solution[X]) for X in p.states]
        + [equation(_initial_display(X, p.time), p.initial[X]) for X in p.states]
        + [equation(d.symbol, d.definition) for d in p.declared]
    )


# ---------------------------------------------------------------- symbolic
def _reduce(expr, p: SolutionProblem):
    """``(is_zero, expr in canonical form)`` of a residual under the declared facts.

    A scalar is returned as it is: ``simplify`` of a non-zero residual (a wrong candidate) can take minutes,
    and the zero test does not need it; :func:`_normal` simplifies what is displayed.
    """
    if isinstance(expr, MatrixExpr):
        can = canonicalize(expr, **p.kw)
        return can.is_zero(), can.as_expr()
    return is_zero(expr, **p.kw), expr


def _normal(expr, p: SolutionProblem):
    """The displayed form of a proven step: canonical (matrix) or simplified (scalar)."""
    return canonicalize(expr, **p.kw).as_expr() if isinstance(expr, MatrixExpr) else sp.simplify(expr)


def _explicit(expr, p: SolutionProblem):
    """``expr`` on explicit 2x2 shapes (an explicit matrix), or None when that route does not apply."""
    if not isinstance(expr, MatrixExpr) or p.declared:
        return None
    dims = {d: 2 for d in expr.free_symbols if getattr(d, "is_integer", False)}
    dims.update({sp.sympify(k): 2 for k in p.sample.dims})
    return explicit_residual(expr, dims)


def _explicit_zero(expr, p: SolutionProblem) -> bool:
    r = _explicit(expr, p)
    return r is not None and is_zero(r)


def _rates(p: SolutionProblem) -> dict:
    rates: dict = {}
    for d in p.declared:
        rates.update(d.rates())
    return rates


def _symbolic(p: SolutionProblem) -> tuple[SolutionCheck, list]:
    t0 = time.perf_counter()
    chk, steps = SolutionCheck("symbolic"), []
    try:
        subs = {X: p.solution[X] for X in p.states}
        rates = _rates(p)
        for X in p.states:
            lhs = time_derivative(p.solution[X], rates, time=p.time)
            rhs = p.ode[X].xreplace(subs)
            ok, normal = _reduce(lhs - rhs, p)
            how = "general shape"
            if not ok and _explicit_zero(lhs - rhs, p):
                # established on explicit shapes only: that residual is what the proof shows
                ok, how = True, "explicit 2x2 shapes"
                chk.explicit.append(_explicit(lhs - rhs, p))
                steps.append(equation(ddt(p.solution[X], p.time), _normal(lhs, p)))
            elif ok:  # displayed only when proven (a failing proof shows its residual, not its steps)
                lhs_n = _normal(lhs, p)
                steps += [equation(ddt(p.solution[X], p.time), lhs_n), equation(lhs_n, rhs)]
            if not ok:
                chk.residuals.append(normal)
        chk.status = FAIL if chk.residuals else PASS
        chk.detail = (
            f"{len(chk.residuals)} of {len(p.states)} residual(s) d(solution)/dt - ode(solution) do not reduce to 0: "
            + "; ".join(brief(r) for r in chk.residuals)
            if chk.residuals
            else f"d(solution)/dt - ode(solution) reduces to exactly 0 ({how})"
        )
    except LazyrichError as exc:
        chk.status, chk.detail = FAIL, f"{type(exc).__name__}: {exc}"
    chk.seconds = time.perf_counter() - t0
    return chk, steps


def _at_zero(expr, p: SolutionProblem):
    """``expr`` at time 0: declared symbols replaced by their value at 0 (``exp(F 0) = I``) or their definition."""
    out = expr.xreplace({p.time: 0})
    for _ in range(len(p.declared) + 1):  # declared symbols inside declared definitions
        repl = {}
        for d in p.declared:
            if out.has(d.symbol):
                repl[d.symbol] = d.at_zero if d.at_zero is not None else d.definition.xreplace({p.time: 0})
        if not repl:
            break
        out = out.xreplace(repl)
    return out


def _initial(p: SolutionProblem) -> tuple[SolutionCheck, list]:
    t0 = time.perf_counter()
    chk, steps = SolutionCheck("initial"), []
    try:
        for X in p.states:
            at0 = _at_zero(p.solution[X], p)
            r = at0 - p.initial[X]
            ok, normal = _reduce(r, p)
            if not ok and not _explicit_zero(r, p):
                chk.residuals.append(normal)
            if ok:  # displayed when it holds at general shape: the value at 0 reduces to the initial value
                steps.append(equation(_normal(at0, p), p.initial[X]))
        chk.status = FAIL if chk.residuals else PASS
        chk.detail = (
            "solution(0) - initial does not reduce to 0: " + "; ".join(brief(r) for r in chk.residuals)
            if chk.residuals
            else "solution(0) - initial reduces to exactly 0"
        )
    except LazyrichError as exc:
        chk.status, chk.detail = FAIL, f"{type(exc).__name__}: {exc}"
    chk.seconds = time.perf_counter() - t0
    return chk, steps


def check_solution(
    ode: Mapping,
    solution: Mapping,
    initial: Mapping,
    time: sp.Symbol,
    rules: Sequence = (),
    assume: Sequence = (),
    sample: SolutionSample | Mapping | None = None,
    dps: int = 30,
    checks: Sequence[str] = ("symbolic", "initial", "numeric", "stability"),
) -> SolutionReport:
    """Check that ``solution`` solves ``dX/dt = ode[X]`` with ``X(0) = initial[X]``.

    Parameters
    ----------
    ode : mapping
        Each state symbol (``Symbol`` or ``MatrixSymbol``) to its rate, an expression in the states,
        ``time`` and constants.
    solution : mapping
        Each state to the candidate, an expression in ``time`` and constants.
    initial : mapping
        Each state to its value at time 0.
    time : sympy.Symbol
    rules : sequence
        Declared facts: :class:`~lazyrich.symbolic.Declared` matrix functions
        (:func:`~lazyrich.symbolic.matrix_exp`, ``matrix_inverse``, ``matrix_power``,
        ``matrix_sqrt``), :class:`~lazyrich.symbolic.Commute` pairs, :class:`~lazyrich.RewriteRule` s,
        and ``MatrixSymbol`` s declared symmetric (sampled symmetric too).
    assume : sequence
        Hypotheses as rewrite rules (``RewriteRule`` or ``Eq(product, expr)``). The sampled instances
        do not enforce them: give such constants through ``sample.values``.
    sample : SolutionSample or mapping, optional
        How to draw instances (see :class:`SolutionSample`).
    dps : int
        Working precision (decimal digits) of the numeric and stability references.
    checks : sequence of str
        The checks to run (the others are ``n/a``).

    Returns
    -------
    SolutionReport
        ``.passed``; ``.symbolic``, ``.initial``, ``.numeric``, ``.stability`` with ``status``,
        ``detail``, ``residuals``, ``max_error``, ``where``; ``.errors``; ``.latex()``.

    Examples
    --------
    >>> import sympy as sp
    >>> t, r, K, x0 = sp.symbols("t r K x_0", positive=True)
    >>> x = sp.Symbol("x")
    >>> cand = K * x0 * sp.exp(r * t) / (K + x0 * (sp.exp(r * t) - 1))
    >>> rep = check_solution({x: r * x * (1 - x / K)}, {x: cand}, {x: x0}, t,
    ...                      sample={"instances": 1, "stability_times": 3}, checks=("symbolic", "initial", "numeric"))
    >>> rep.passed, rep.symbolic.status, rep.numeric.status
    (True, 'pass', 'pass')
    >>> check_solution({x: r * x * (1 - x / K)}, {x: 2 * cand}, {x: x0}, t, checks=("symbolic",)).symbolic.status
    'fail'
    """
    p = _problem(ode, solution, initial, time, rules, assume, sample, dps)
    unknown = set(checks) - {"symbolic", "initial", "numeric", "stability"}
    if unknown:
        raise InvalidParameterError(f"unknown checks {sorted(unknown)}")
    sym, steps = _symbolic(p) if "symbolic" in checks else (SolutionCheck("symbolic"), [])
    ini, steps0 = _initial(p) if "initial" in checks else (SolutionCheck("initial"), [])
    num = numeric_check(p) if "numeric" in checks else SolutionCheck("numeric")
    stab = stability_check(p) if "stability" in checks else SolutionCheck("stability")
    return SolutionReport(sym, ini, num, stab, _statement(p), steps + steps0)


# ---------------------------------------------------------------- as a claim
def _parse(statement: Sequence, p0: SolutionProblem) -> tuple[dict, dict, dict]:
    """ODE, candidate and initial values read from a solution statement; its definitions must be the declared ones."""
    states, t = p0.states, p0.time
    k = len(states)
    want = 3 * k + len(p0.declared)
    if len(statement) != want:
        raise InvalidParameterError(
            f"a solution statement has 3 relations per state and one per declared symbol ({want}), got {len(statement)}"
        )
    ode, sol, ini = {}, {}, {}
    for i, X in enumerate(states):
        for rel, lhs, out in (
            (statement[i], ddt(X, t), ode),
            (statement[k + i], X, sol),
            (statement[2 * k + i], _initial_display(X, t), ini),
        ):
            if not isinstance(rel, sp.Eq) or rel.lhs != lhs:
                raise InvalidParameterError(f"relation {rel} must read {lhs} = ...")
            out[X] = rel.rhs
    for rel, d in zip(statement[3 * k :], p0.declared):
        if rel != equation(d.symbol, d.definition):
            raise InvalidParameterError(f"relation {rel} must be the declared definition {d.symbol} = {d.definition}")
    return ode, sol, ini


def solution_claim(
    id: str,
    title: str,
    source: Source,
    ode: Mapping,
    solution: Mapping,
    initial: Mapping,
    time: sp.Symbol,
    rules: Sequence = (),
    assume: Sequence = (),
    sample: SolutionSample | Mapping | None = None,
    dps: int = 30,
    registry: Registry | None = None,
    equivalent: Mapping[str, str] | None = None,
) -> Claim:
    """Register a claim that ``solution`` solves the ODE: :func:`check_solution` as a claim.

    The statement is ``dX/dt = ode[X]``, ``X = solution[X]``, ``X|_{t=0} = initial[X]`` for each
    state, in this order, then ``S = definition`` for each declared symbol of ``rules`` (which must
    stay as declared: the checks use the declared facts). Both checks read it (so ``run_claim(c, statement=mutant)`` and
    ``lazyrich mutate`` test the statement itself): the symbolic check returns the residuals of the
    ODE and of the initial value in normal form, the numeric check compares the candidate with the
    integrated ODE on the sampled instances.

    Examples
    --------
    >>> import sympy as sp
    >>> from lazyrich import Registry, Source, run_claim
    >>> t, a = sp.symbols("t a", positive=True)
    >>> x = sp.Symbol("x")
    >>> c = solution_claim("demo.decay", "x = e^{-a t}", Source("demo", "eq. (1)"), {x: -a * x},
    ...                    {x: sp.exp(-a * t)}, {x: 1}, t, sample={"instances": 1}, registry=Registry())
    >>> run_claim(c).passed
    True
    >>> bad = list(c.statements()); bad[1] = sp.Eq(x, sp.exp(-2 * a * t), evaluate=False)
    >>> run_claim(c, statement=bad).passed
    False
    """
    p0 = _problem(ode, solution, initial, time, rules, assume, sample, dps)
    c = claim(id, title, source, statement=lambda: _statement(p0), registry=registry, equivalent=equivalent)

    def problem(statement) -> SolutionProblem:
        o, s, i = _parse(statement, p0)
        return _problem(o, s, i, time, rules, assume, sample, dps)

    def derivative_and_initial_reduce_to_zero(statement):
        p = problem(statement)
        sym, steps = _symbolic(p)
        ini, steps0 = _initial(p)
        for chk in (sym, ini):
            if chk.status == FAIL and not chk.residuals:
                raise LazyrichError(chk.detail)
        residuals = sym.residuals + ini.residuals + sym.explicit
        if not residuals:
            residuals = [sp.Integer(0)]
        return Proof(residuals=residuals, steps=steps + steps0, rates=_rates(p), **p.kw)

    def candidate_matches_integrated_ode(statement):
        chk = numeric_check(problem(statement))
        if chk.max_error is None:
            raise LazyrichError(chk.detail)
        return Measurement(
            chk.max_error,
            chk.tolerance,
            f"candidate vs mpmath.odefun, worst at instance {chk.where.get('instance')}, t = {chk.where.get('t')}",
            f"eps^0.8 at {dps} digits",
        )

    frame = inspect.currentframe()
    caller = (
        frame.f_back.f_globals.get("__name__") if frame is not None and frame.f_back is not None else None
    )  # the checks belong to the module that wrote the claim
    for fn in (derivative_and_initial_reduce_to_zero, candidate_matches_integrated_ode):
        fn.__module__ = caller or fn.__module__
    c.symbolic_check(derivative_and_initial_reduce_to_zero)
    c.numeric_check(candidate_matches_integrated_ode)
    return c
