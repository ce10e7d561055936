"""``lazyrich mutate``: mutation testing of the claims' statements.

Each claim's statement is changed in small ways that make it false in general (a *mutant*), and
the claim's checks are run against each mutant through ``run_claim(claim, statement=mutant)``. A
check that proves what the statement says fails on the mutant (the mutant is *killed*); a
*survivor* shows a statement that no check reads, or a check too weak to tell. A survivor is
acceptable only when the claim lists it in ``Claim.equivalent`` with a one-line reason (e.g. the
mutant is the same expression).

Mutation operators (each applied at every place it fits, one place per mutant):

* ``negate``: negate one term of a sum;
* ``drop``: drop one term of a sum;
* ``scale``: multiply one numeric coefficient by 2 (``-1`` becomes ``-2``, ``1/2`` becomes ``1``);
* ``transpose``: remove one transpose, or transpose one square matrix symbol;
* ``exponent``: add 1 to one exponent.

A mutant whose checks run longer than :data:`MUTANT_SECONDS` (a mutated rate can make a simulation
stiff) is stopped: its check fails (the statement was not confirmed), so it counts as killed.

Labels are ``s<relation>.<operator>.<path>`` (the path is the argument indices from the relation
down to the changed node) and are what ``equivalent`` lists. SymPy orders the terms of some sums and
products by hash, so a path is stable for a given statement under one hash seed: the ``lazyrich mutate``
command runs under ``PYTHONHASHSEED=0`` (it restarts itself with it), and so do the recorded labels.
A sum holding an ``O(...)`` term is rebuilt unevaluated: whether SymPy absorbs a changed term into the ``O``
depends on a limit whose outcome varies between processes (``Dummy`` indices are random), and it decided
whether a mutant was a duplicate, so the count moved between runs.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import signal
import threading
import time
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field

import numpy as np
import sympy as sp
from sympy.matrices.expressions import MatAdd, MatMul, MatPow, MatrixExpr, MatrixSymbol, Transpose

from .._claims.model import Claim, run_claim, takes_statement
from .._claims.proof_check import first_failure_only
from .._claims.runner import load_claims

__all__ = [
    "MUTANT_SECONDS",
    "Mutant",
    "MutantTimeout",
    "MutationReport",
    "mutants",
    "mutate",
    "mutate_claim",
    "mutation_text",
]

#: Wall-clock limit of the checks on one mutant (the claim's own checks take seconds at most).
MUTANT_SECONDS = 10


class MutantTimeout(Exception):
    """Raised inside a check that ran past :data:`MUTANT_SECONDS` on a mutant (the check then fails)."""


@contextlib.contextmanager
def _time_limit(seconds: float):
    """Raise :class:`MutantTimeout` in this (main) thread after ``seconds``; a no-op elsewhere or without SIGALRM."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def expire(signum, frame):
        raise MutantTimeout(f"the checks ran past {seconds} s on this mutant")

    old = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


@dataclass(frozen=True)
class Mutant:
    """One changed statement: ``label`` (``s<i>.<op>.<path>``), what changed, and the full statement."""

    label: str
    description: str
    statement: tuple


@dataclass
class MutationReport:
    """Mutation testing of one claim.

    ``reads_statement`` is False when no check of the claim takes the statement: every mutant then
    survives without being run. ``baseline`` is False when the claim fails on its own statement
    (its mutants are then not run).
    """

    id: str
    mutants: int = 0
    killed: int = 0
    survivors: list = field(default_factory=list)  # [(label, description, reason or None)]
    reads_statement: bool = True
    baseline: bool = True
    seconds: float = 0.0

    @property
    def unexplained(self) -> list:
        return [s for s in self.survivors if s[2] is None]

    @property
    def kill_rate(self) -> float | None:
        return self.killed / self.mutants if self.mutants else None

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "mutants": self.mutants,
            "killed": self.killed,
            "survived": len(self.survivors),
            "unexplained": len(self.unexplained),
            "reads_statement": self.reads_statement,
            "baseline_passes": self.baseline,
            "survivors": [{"label": lb, "mutant": d, "equivalent": r} for lb, d, r in self.survivors],
            "seconds": round(self.seconds, 3),
        }


# ---------------------------------------------------------------- generating mutants
_LEAVES = (sp.Symbol, sp.Number, MatrixSymbol, sp.NumberSymbol)


def _children(e) -> list[int]:
    """Indices of the arguments of ``e`` that mutations may enter."""
    if isinstance(e, _LEAVES) or (isinstance(e, MatrixExpr) and not e.args) or not e.args:
        return []
    if isinstance(e, MatrixExpr) and type(e).__name__ in ("Identity", "ZeroMatrix", "OneMatrix"):
        return []
    if isinstance(e, (sp.Derivative, sp.Subs, sp.Integral)):
        return [0]  # not the variables or the point
    if isinstance(e, sp.Tuple) or isinstance(e, sp.core.containers.Tuple):
        return []
    return list(range(len(e.args)))


def _sites(e, path=()):
    yield path, e
    for i in _children(e):
        yield from _sites(e.args[i], (*path, i))


def _at(e, path):
    for i in path:
        e = e.args[i]
    return e


def _replace(e, path, new):
    if not path:
        return new
    args = list(e.args)
    args[path[0]] = _replace(args[path[0]], path[1:], new)
    if isinstance(e, (sp.Eq, sp.Derivative, sp.Subs)) or _holds_order(e):  # never let SymPy decide or evaluate
        return e.func(*args, evaluate=False)
    return e.func(*args)


def _holds_order(e) -> bool:
    """A sum with an ``O(...)`` term: SymPy's absorption of a term into it runs limits whose outcome varies
    between processes (``Dummy`` indices are random), so such sums are rebuilt unevaluated."""
    return isinstance(e, sp.Add) and any(isinstance(a, sp.Order) for a in e.args)


def _is_square(e) -> bool:
    r, c = e.shape
    return sp.simplify(sp.sympify(r) - sp.sympify(c)) == 0


def _local(node) -> list[tuple[str, str, object]]:
    """``(op, description, new node)`` for every mutation of ``node`` itself."""
    out = []
    if isinstance(node, (sp.Add, MatAdd)) and len(node.args) > 1:
        for j, term in enumerate(node.args):
            rest = [a for k, a in enumerate(node.args) if k != j]
            neg = MatMul(-1, term) if isinstance(term, MatrixExpr) else -term
            kw = {"evaluate": False} if _holds_order(node) else {}
            out.append((f"negate{j}", f"negate term {sp.sstr(term)}", node.func(*rest, neg, **kw)))
            out.append((f"drop{j}", f"drop term {sp.sstr(term)}", node.func(*rest, **kw) if len(rest) > 1 else rest[0]))
    if isinstance(node, sp.Number) and node != 0:
        out.append(("scale", f"{node} -> {2 * node}", 2 * node))
    if isinstance(node, Transpose):
        out.append(("transpose", f"{sp.sstr(node)} -> {sp.sstr(node.arg)}", node.arg))
    elif isinstance(node, MatrixSymbol) and _is_square(node):
        out.append(("transpose", f"{node} -> {node}^T", Transpose(node)))
    if isinstance(node, (sp.Pow, MatPow)) and not isinstance(node, sp.Inverse):
        b, p = node.args
        out.append(("exponent", f"exponent {p} -> {p + 1}", node.func(b, p + 1)))
    return out


def mutants(statement: Sequence) -> list[Mutant]:
    """Every mutant of a statement (a list of SymPy relations), each differing from it in one place.

    Mutants that SymPy rebuilds into the same relation, or cannot build (shapes), are left out.

    >>> x, y = sp.symbols("x y")
    >>> [m.label for m in mutants([sp.Eq(x, 2 * y, evaluate=False)])]
    ['s0.scale.1.0']
    >>> [m.description for m in mutants([sp.Eq(x, y + 1, evaluate=False)])][:2]
    ['relation 0: negate term 1', 'relation 0: drop term 1']
    """
    out, seen = [], set()
    statement = list(statement)
    for i, rel in enumerate(statement):
        for path, node in _sites(rel):
            parent = _at(rel, path[:-1]) if path else None
            for op, desc, new in _local(node):
                if op == "transpose" and isinstance(parent, (Transpose, sp.Trace)):
                    continue  # (X^T)^T = X and tr(X^T) = tr(X): equivalent by construction
                try:
                    changed = _replace(rel, path, new)
                except Exception:  # SymPy refuses the rebuilt node (e.g. a shape mismatch): no mutant here
                    continue
                if changed == rel or isinstance(changed, (bool, sp.logic.boolalg.BooleanAtom)):
                    continue
                key = (i, sp.srepr(changed))
                if key in seen:
                    continue
                seen.add(key)
                label = f"s{i}.{''.join(ch for ch in op if ch.isalpha())}.{'.'.join(map(str, path)) or 'root'}"
                if op.startswith(("negate", "drop")):
                    label += ".t" + "".join(ch for ch in op if ch.isdigit())
                new_st = tuple([*statement[:i], changed, *statement[i + 1 :]])
                out.append(Mutant(label, f"relation {i}: {desc}", new_st))
    return out


# ---------------------------------------------------------------- running them
def _kills(c: Claim, statement) -> bool:
    """True when the claim's checks fail on ``statement``: the symbolic check first, then the numeric one.

    Each check runs once: the numeric check runs only on a mutant the symbolic check let through.
    """
    try:
        # a mutant may well produce NaN or overflow in a lambdified check: that is its failure, not news
        with _time_limit(MUTANT_SECONDS), first_failure_only(), warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            if c.symbolic is not None and c.numeric is not None:
                if not run_claim(dataclasses.replace(c, numeric=None), statement=statement).passed:
                    return True
                return not run_claim(dataclasses.replace(c, symbolic=None), statement=statement).passed
            return not run_claim(c, statement=statement).passed
    except MutantTimeout:  # raised between two checks rather than inside one
        return True


def _reads_statement(c: Claim) -> bool:
    return any(fn is not None and takes_statement(fn) for fn in (c.symbolic, c.numeric))


_CACHE: dict = {}


def _claim_mutants(c: Claim) -> list[Mutant]:
    if c.id not in _CACHE:
        _CACHE[c.id] = mutants(c.statements())
    return _CACHE[c.id]


def _worker_init(modules: Sequence[str]) -> None:
    load_claims(modules)


def _worker_task(cid: str, k: int | None, modules: Sequence[str] = ()):
    """``k = None``: does the claim pass on its own statement; else: is mutant ``k`` killed."""
    from .._claims.model import REGISTRY

    c = REGISTRY[cid]
    t0 = time.perf_counter()
    if k is None:
        value = run_claim(c).passed
    else:
        value = _kills(c, list(_claim_mutants(c)[k].statement))
    return cid, k, value, time.perf_counter() - t0


def mutate_claim(c: Claim) -> MutationReport:
    """Mutation testing of one claim, in this process.

    >>> import sympy as sp
    >>> from lazyrich import Claim, Proof, Source
    >>> x = sp.Symbol("x")
    >>> c = Claim("demo.square", "(x+1)^2", Source("demo", "none"), [sp.Eq((x + 1) ** 2, x**2 + 2 * x + 1)])
    >>> c.symbolic = lambda st: Proof(residuals=[sp.expand(r.lhs - r.rhs) for r in st])
    >>> rep = mutate_claim(c)
    >>> rep.mutants == rep.killed, rep.survivors
    (True, [])
    """
    t0 = time.perf_counter()
    ms = mutants(c.statements())
    rep = MutationReport(c.id, mutants=len(ms), reads_statement=_reads_statement(c))
    if not rep.reads_statement:
        rep.survivors = [(m.label, m.description, c.equivalent.get(m.label)) for m in ms]
    elif not run_claim(c).passed:
        rep.baseline = False
    else:
        for m in ms:
            if _kills(c, list(m.statement)):
                rep.killed += 1
            else:
                rep.survivors.append((m.label, m.description, c.equivalent.get(m.label)))
    rep.seconds = time.perf_counter() - t0
    return rep


def mutate(
    pattern: str | None = None,
    jobs: int = 1,
    modules: Sequence[str] = (),
    on_result: Callable[[MutationReport], None] | None = None,
) -> list[MutationReport]:
    """Mutation testing of every claim matching ``pattern`` (``jobs`` worker processes; 0 = every core).

    Claims whose checks do not take the statement are not run: all their mutants survive.
    """
    registry = load_claims(modules)
    selected = registry.select(pattern)
    jobs = (os.cpu_count() or 1) if jobs == 0 else jobs
    reports = {c.id: MutationReport(c.id, reads_statement=_reads_statement(c)) for c in selected}
    tasks = []
    for c in selected:
        ms = _claim_mutants(c)
        rep = reports[c.id]
        rep.mutants = len(ms)
        if not rep.reads_statement:
            rep.survivors = [(m.label, m.description, c.equivalent.get(m.label)) for m in ms]
        else:
            tasks.append((c.id, None))
            tasks += [(c.id, k) for k in range(len(ms))]
    outcome: dict = {}
    if jobs <= 1 or len(tasks) <= 1:
        for cid, k in tasks:
            _, _, outcome[(cid, k)], seconds = _worker_task(cid, k)
            reports[cid].seconds += seconds
    else:
        with ProcessPoolExecutor(max_workers=jobs, initializer=_worker_init, initargs=(tuple(modules),)) as pool:
            futs = [pool.submit(_worker_task, cid, k) for cid, k in tasks]
            for fut in as_completed(futs):
                cid, k, value, seconds = fut.result()
                outcome[(cid, k)] = value
                reports[cid].seconds += seconds
    out = []
    for c in selected:
        rep = reports[c.id]
        if rep.reads_statement:
            rep.baseline = outcome[(c.id, None)]
            if rep.baseline:
                for k, m in enumerate(_claim_mutants(c)):
                    if outcome[(c.id, k)]:
                        rep.killed += 1
                    else:
                        rep.survivors.append((m.label, m.description, c.equivalent.get(m.label)))
        out.append(rep)
        if on_result:
            on_result(rep)
    return out


def mutation_text(reports: Sequence[MutationReport], all_survivors: bool = False) -> str:
    """The ``lazyrich mutate`` table: per claim mutants, killed, survivors; the survivors; the totals.

    ``all_survivors`` also lists the survivors of claims whose checks ignore their statement.
    """
    w = max([2, *(len(r.id) for r in reports)])
    lines = [f"{'id':<{w}}  {'mutants':>7}  {'killed':>6}  {'survived':>8}  {'unexplained':>11}  statement"]
    for r in reports:
        how = ("read" if r.reads_statement else "IGNORED") if r.baseline else "claim fails on its own statement"
        lines.append(
            f"{r.id:<{w}}  {r.mutants:>7}  {r.killed:>6}  {len(r.survivors):>8}  {len(r.unexplained):>11}  {how}"
        )
    for r in reports:
        if r.reads_statement or all_survivors:
            for label, desc, reason in r.survivors:
                lines.append(f"SURVIVED {r.id} {label}: {desc}" + (f"  [equivalent: {reason}]" if reason else ""))
    total, killed = sum(r.mutants for r in reports), sum(r.killed for r in reports)
    reading = [r for r in reports if r.reads_statement]
    rt, rk = sum(r.mutants for r in reading), sum(r.killed for r in reading)
    lines.append(
        f"\nkilled {killed} of {total} mutants ({100 * killed / max(total, 1):.1f}%) over {len(reports)} claims; "
        f"{len(reading)} claims read their statement: {rk} of {rt} killed ({100 * rk / max(rt, 1):.1f}%); "
        f"unexplained survivors: {sum(len(r.unexplained) for r in reports)}"
    )
    return "\n".join(lines)
