"""The claim registry.

A *claim* is one checkable statement from a paper: an id ``paper.short_name``,
a title, its source, the statement as SymPy objects, and up to two checks.

* A **symbolic check** returns a :class:`Proof`: residual expressions that must
  be exactly zero, plus the intermediate identities (the derivation chain).
* A **numeric check** returns one or more :class:`Measurement` s: an error and
  the tolerance it is held to, with the tolerance derived (from the working
  precision or the solver tolerance), never guessed.

A check takes no argument, or one: the statement (the list :meth:`Claim.statements`
returns). A check that reads its statement can be run against a changed statement
(``run_claim(c, statement=...)``), which is how ``lazyrich mutate`` finds statements
that no check distinguishes. :func:`run_claim` times each check and turns it into a
:class:`CheckResult`.

The papers a claim cites are registered with :func:`register_paper` by the module that
defines the claims (this project's ``derivations`` registers its three papers); a claim
citing an unregistered paper is cited by its key.

Examples
--------
>>> import sympy as sp
>>> x = sp.Symbol("x")
>>> c = Claim(
...     id="demo.square", title="(x+1)^2 expands", source=Source("demo", "none"),
...     statement=lambda: [sp.Eq((x + 1) ** 2, x**2 + 2 * x + 1)],
... )
>>> @c.symbolic_check
... def _():
...     return Proof(residuals=[(x + 1) ** 2 - (x**2 + 2 * x + 1)])
>>> run_claim(c).symbolic.status
'pass'
"""

from __future__ import annotations

import fnmatch
import inspect
import math
import time
import traceback
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from .._base.errors import ClaimError
from .._symbolic.matrix_calculus import RewriteRule
from .papers import PAPERS, Source, citation, register_paper, require_text
from .printing import equation_latex, latex_lines, notebook_latex, statement_lines
from .proof_check import established_how, proof_failures

__all__ = [
    "PAPERS",
    "REGISTRY",
    "CheckResult",
    "Claim",
    "ClaimResult",
    "Measurement",
    "Proof",
    "Registry",
    "Source",
    "bind_statement",
    "citation",
    "claim",
    "register_paper",
    "run_claim",
    "run_numeric",
    "run_symbolic",
    "takes_statement",
]

PASS, FAIL, NA = "pass", "fail", "n/a"


@dataclass
class Proof:
    """Result of a symbolic check.

    Parameters
    ----------
    residuals : sequence
        Expressions (matrix or scalar) that must be identically zero.
    steps : sequence
        The derivation chain exported by ``lazyrich latex``: equations (``lazyrich.equation``), each
        checked like a residual (``lhs - rhs`` reduces to zero), its ``d/dt`` under ``rates``.
    symmetric, rules, commuting :
        Passed to :func:`lazyrich.symbolic.is_zero`: the declared symmetric symbols, rewrite rules
        (from the statement's hypotheses and definitions) and commuting pairs.
    lemmas : sequence
        Equations proven in order (each reduces to zero under the rules and the lemmas before it),
        then used as rewrite rules for the residuals and steps.
    rates : mapping
        The declared derivatives (``{W: W'}``, see :func:`lazyrich.symbolic.time_derivative`) for
        the steps that display a time derivative.
    """

    residuals: Sequence = ()
    steps: Sequence = ()
    symmetric: Iterable = ()
    rules: Sequence[RewriteRule] = ()
    lemmas: Sequence = ()
    rates: Mapping | None = None
    commuting: Iterable = ()

    def __post_init__(self) -> None:
        for name in ("residuals", "steps", "symmetric", "rules", "lemmas", "commuting"):
            if isinstance(getattr(self, name), (str, bytes)) or not isinstance(getattr(self, name), Iterable):
                raise ClaimError(f"Proof {name} must be a list of SymPy objects; got {getattr(self, name)!r:.60}")
        if self.rates is not None and not isinstance(self.rates, Mapping):
            raise ClaimError(f"Proof rates must be a mapping {{W: dW/dt}} or None; got {self.rates!r:.60}")

    def failing(self) -> list[str]:
        """What is not established (empty: the proof holds); see :mod:`lazyrich._claims.proof_check`."""
        return proof_failures(
            self.residuals, self.steps, self.lemmas, self.rates, self.symmetric, self.rules, self.commuting
        )

    def established(self) -> str:
        """``"general shape"`` or ``"explicit shapes"``: what the residuals, lemmas and steps are stated at."""
        return established_how([*self.residuals, *self.lemmas, *self.steps])

    def _repr_latex_(self) -> str:
        """The derivation steps for notebooks."""
        return notebook_latex(latex_lines(self.steps, None, "derivation step")[0])


@dataclass(frozen=True)
class Measurement:
    """One numeric comparison: ``error <= tolerance`` passes.

    ``what`` says what was compared; ``tolerance_from`` how the tolerance was
    derived (e.g. ``"2 n_steps rtol |W|^2"``).
    """

    error: float
    tolerance: float
    what: str = ""
    tolerance_from: str = ""

    def __post_init__(self) -> None:
        # issue 15: a finite real error and a finite tolerance >= 0; a check whose error is not finite raises (and fails)
        from .._base.errors import InvalidParameterError, NonFiniteError

        for name in ("error", "tolerance"):
            value = getattr(self, name)
            try:
                if isinstance(value, (str, bytes, bool)):
                    raise TypeError
                value = float(value)
            except (TypeError, ValueError):
                raise InvalidParameterError(f"Measurement {name} must be a real number; got {value!r:.60}") from None
            if not math.isfinite(value):
                raise NonFiniteError(f"Measurement {name} is {value} ({self.what or 'no what'}): not a finite number")
        if float(self.tolerance) < 0:
            raise InvalidParameterError(f"Measurement tolerance must be >= 0; got {self.tolerance}")

    @property
    def passed(self) -> bool:
        return math.isfinite(self.error) and self.error <= self.tolerance


@dataclass
class CheckResult:
    """Outcome of one check: status ``pass``/``fail``/``n/a``, error, seconds, detail.

    For a numeric (or certified) check, ``error``, ``tolerance``, ``what`` and ``tolerance_from`` are
    those of its tightest :class:`Measurement` (the largest ``error / tolerance``: the failing one, if
    any); ``max_error`` is the largest error over all its measurements (in their own units).

    Examples
    --------
    >>> r = CheckResult("pass", 1.83, error=1.83, tolerance=5.0, tolerance_from="5 standard errors (CLT)")
    >>> round(r.ratio, 3), r.unit
    (0.366, 'std.err')
    """

    status: str
    max_error: float | None = None
    seconds: float = 0.0
    detail: str = ""
    error: float | None = None
    tolerance: float | None = None
    what: str = ""
    tolerance_from: str = ""
    established: str = ""

    @property
    def passed(self) -> bool:
        return self.status != FAIL

    @property
    def ratio(self) -> float | None:
        """``error / tolerance`` of the tightest measurement (``<= 1`` passes); None without a measurement."""
        if self.error is None or self.tolerance is None:
            return None
        if not math.isfinite(self.error):
            return math.inf
        return self.error / self.tolerance if self.tolerance > 0 else (0.0 if self.error == 0 else math.inf)

    @property
    def unit(self) -> str:
        """The unit of ``error`` and ``tolerance``, read from the measurement's ``what``/``tolerance_from`` text.

        ``"std.err"`` (Monte Carlo, in standard errors), ``"orders"`` (convergence orders) or ``""`` (a plain number:
        an absolute or relative error, as ``what`` says).
        """
        text = f"{self.what} {self.tolerance_from}".lower()
        if "standard error" in text:
            return "std.err"
        if "orders" in text:
            return "orders"
        return ""


@dataclass
class ClaimResult:
    """Both checks of one claim (and the certified check when it was run: ``certified`` is then not None)."""

    id: str
    symbolic: CheckResult
    numeric: CheckResult
    certified: CheckResult | None = None
    heuristic: bool = False

    @property
    def passed(self) -> bool:
        return self.symbolic.passed and self.numeric.passed and (self.certified is None or self.certified.passed)

    @property
    def established(self) -> str:
        """How the statement was established: ``"symbolic, general shape"``, ``"symbolic, explicit shapes"``,
        ``"numeric"``, ``"heuristic"`` (a numeric check against a stated tolerance) or ``"not established"``."""
        if not self.passed:
            return "not established"
        if self.symbolic.status == PASS:
            return f"symbolic, {self.symbolic.established or 'general shape'}"
        if self.numeric.status == PASS:
            return "heuristic" if self.heuristic else "numeric"
        return "not established"

    @property
    def max_error(self) -> float | None:
        errs = [r.max_error for r in (self.symbolic, self.numeric) if r.max_error is not None]
        return max(errs) if errs else None

    @property
    def tightest(self) -> CheckResult | None:
        """The numeric or certified check closest to (or furthest past) its tolerance; None if neither measured."""
        checks = [c for c in (self.numeric, self.certified) if c is not None and c.ratio is not None]
        return max(checks, key=lambda c: c.ratio) if checks else None

    @property
    def seconds(self) -> float:
        return self.symbolic.seconds + self.numeric.seconds + (self.certified.seconds if self.certified else 0.0)

    def as_dict(self) -> dict:
        """JSON-ready: statuses, errors and, of the tightest measurement, ``error``, ``tolerance``, ``ratio``,
        ``unit``, ``what`` and ``tolerance_from`` (None / ``""`` for a claim without a numeric check)."""
        t = self.tightest
        out = {
            "id": self.id,
            "symbolic": self.symbolic.status,
            "numeric": self.numeric.status,
            "max_error": self.max_error,
            "error": t.error if t else None,
            "tolerance": t.tolerance if t else None,
            "ratio": t.ratio if t else None,
            "unit": t.unit if t else "",
            "what": t.what if t else "",
            "tolerance_from": t.tolerance_from if t else "",
            "established": self.established,
            "seconds": round(self.seconds, 4),
            "symbolic_detail": self.symbolic.detail,
            "numeric_detail": self.numeric.detail,
        }
        if self.certified is not None:
            out.update(certified=self.certified.status, certified_detail=self.certified.detail)
        return out


@dataclass
class Claim:
    """A checkable statement from one of the papers.

    ``statement`` is a zero-argument callable returning SymPy objects (kept
    lazy so that importing the claims stays fast), or the objects themselves.
    ``heuristic=True`` marks statements the paper argues but does not prove:
    their numeric check compares against a stated tolerance. ``equivalent`` maps
    a mutant label of the statement (see ``lazyrich mutate``) to a one-line reason
    why that mutant is equivalent to the statement, so no check can tell them apart.
    """

    id: str
    title: str
    source: Source
    statement: Callable[[], Sequence] | Sequence = ()
    heuristic: bool = False
    symbolic: Callable[..., Proof] | None = field(default=None, repr=False)
    numeric: Callable[..., Measurement | Sequence[Measurement]] | None = field(default=None, repr=False)
    certified: Callable[..., Measurement | Sequence[Measurement]] | None = field(default=None, repr=False)
    equivalent: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        parts = require_text(self.id, "claim id ('paper.short_name')").split(".")
        if len(parts) != 2 or not all(p.isidentifier() for p in parts):
            raise ClaimError(f"claim id must look like 'paper.short_name' (two identifiers); got {self.id!r}")
        require_text(self.title, f"claim {self.id!r}: the title")
        if not isinstance(self.source, Source):
            raise ClaimError(f"claim {self.id!r}: source must be a lazyrich.Source; got {type(self.source).__name__}")
        if not callable(self.statement) and (
            isinstance(self.statement, (str, bytes)) or not isinstance(self.statement, Sequence)
        ):
            raise ClaimError(f"claim {self.id!r}: statement must be a callable or a sequence of SymPy objects")
        if not isinstance(self.heuristic, bool) or any(
            f is not None and not callable(f) for f in (self.symbolic, self.numeric, self.certified)
        ):
            raise ClaimError(f"claim {self.id!r}: heuristic must be True/False and each check a callable or None")
        if not isinstance(self.equivalent, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) and v.strip() and "\n" not in v.strip()
            for k, v in self.equivalent.items()
        ):
            raise ClaimError(
                f"claim {self.id!r}: equivalent must map mutant labels to one-line reasons (str -> str); got {self.equivalent!r}"
            )
        self.equivalent = dict(self.equivalent)
        if parts[0] != self.source.paper:
            raise ClaimError(f"claim {self.id!r}: id prefix must be the source paper {self.source.paper!r}")

    @property
    def paper(self) -> str:
        return self.id.split(".")[0]

    def statements(self) -> list:
        """The statement as a list of SymPy objects.

        Raises ClaimError for a statement that SymPy already evaluated to
        ``True``/``False`` (``sp.Eq`` of matrix expressions does that unless
        built with ``evaluate=False``): it would print as a bare boolean.
        """
        st = self.statement() if callable(self.statement) else self.statement
        out = list(st)
        for s in out:
            if isinstance(s, (bool, sp.logic.boolalg.BooleanAtom)) or not isinstance(s, sp.Basic):
                raise ClaimError(
                    f"claim {self.id}: a statement is {s!r}, not a SymPy expression; build equations with lazyrich.equation(lhs, rhs), i.e. sp.Eq(lhs, rhs, evaluate=False)"
                )
        return out

    def symbolic_check(self, fn: Callable[..., Proof]) -> Callable[..., Proof]:
        """Decorator: register ``fn`` as this claim's symbolic check: ``fn()``, or ``fn(statement)`` (see :func:`run_claim`)."""
        self.symbolic = fn
        return fn

    def numeric_check(self, fn: Callable[..., Measurement | Sequence[Measurement]]):
        """Decorator: register ``fn`` as this claim's numeric check: ``fn()``, or ``fn(statement)`` (see :func:`run_claim`)."""
        self.numeric = fn
        return fn

    def certified_check(self, fn: Callable[..., Measurement | Sequence[Measurement]]):
        """Decorator: register ``fn`` as this claim's certified check (run by ``lazyrich verify --certified``).

        It returns Measurements whose error is a certified bound on the distance from a float64
        value to an Arb enclosure of the exact value, and names the enclosure radius in ``what``.
        """
        self.certified = fn
        return fn

    def latex(self, notation=None) -> str:
        """The statement as LaTeX: one ``equation`` labelled ``lazyrich:<id>`` (see :func:`lazyrich.claim_latex`)."""
        return equation_latex(self.id, statement_lines(self.statements, notation)[0])

    def _repr_latex_(self) -> str:
        """The statement for notebooks (no label, no check run)."""
        return notebook_latex(statement_lines(self.statements)[0])


class Registry:
    """An ordered collection of claims, keyed by id."""

    def __init__(self) -> None:
        self._claims: dict[str, Claim] = {}

    def add(self, c: Claim) -> Claim:
        if c.id in self._claims and self._claims[c.id] is not c:
            raise ClaimError(f"claim id {c.id!r} is registered twice")
        self._claims[c.id] = c
        return c

    def __getitem__(self, cid: str) -> Claim:
        try:
            return self._claims[cid]
        except KeyError:
            raise ClaimError(f"no claim with id {cid!r}; `lazyrich claims` lists them") from None

    def __contains__(self, cid: str) -> bool:
        return cid in self._claims

    def __iter__(self):
        return iter(self._claims.values())

    def __len__(self) -> int:
        return len(self._claims)

    def select(self, pattern: str | None = None) -> list[Claim]:
        """Claims whose id matches ``pattern``.

        A glob (``lazy_to_rich.*``, ``*riccati*``) is matched against the full id and
        against its short name (``conservation_*``); anything else is a substring.
        """
        if not pattern:
            return list(self)
        if any(ch in pattern for ch in "*?["):
            return [
                c
                for c in self
                if fnmatch.fnmatchcase(c.id, pattern) or fnmatch.fnmatchcase(c.id.split(".", 1)[1], pattern)
            ]
        return [c for c in self if pattern in c.id]


#: The default registry that ``derivations`` fills and ``lazyrich verify`` runs.
REGISTRY = Registry()


def claim(
    id: str,
    title: str,
    source: Source,
    statement=(),
    heuristic: bool = False,
    registry: Registry | None = None,
    equivalent: Mapping[str, str] | None = None,
) -> Claim:
    """Create a :class:`Claim` and add it to the default registry (or to ``registry``)."""
    c = Claim(id=id, title=title, source=source, statement=statement, heuristic=heuristic, equivalent=equivalent or {})
    return (REGISTRY if registry is None else registry).add(c)


def takes_statement(fn: Callable) -> bool:
    """Whether the check ``fn`` takes the statement: it has exactly one positional parameter.

    ``def check(statement)`` (or ``def check(statement=None)``) does; ``def check()`` does not.
    The signature is read as :func:`inspect.signature` reads it (through ``functools.wraps``);
    a callable without a readable signature is called with no argument.

    >>> takes_statement(lambda statement: None), takes_statement(lambda: None)
    (True, False)
    """
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return False
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return sum(p.kind in positional for p in params) == 1


def bind_statement(fn: Callable, statement: Callable[[], Sequence]) -> Callable[[], Any]:
    """``fn`` as a zero-argument check: called with a fresh list ``statement()`` if :func:`takes_statement`.

    ``statement`` is only called when the check runs, so an error building it is the check's failure.
    """
    if not takes_statement(fn):
        return fn
    return lambda: fn(list(statement()))


def run_symbolic(fn: Callable[[], Proof]) -> CheckResult:
    """Run a zero-argument symbolic check: ``pass`` when every residual of its :class:`Proof` is zero.

    A check that raises, or returns anything but a non-empty Proof, fails with the reason in ``detail``.
    """
    t0 = time.perf_counter()
    try:
        proof = fn()
        if not isinstance(proof, Proof):
            raise TypeError(f"a symbolic check must return Proof, got {type(proof).__name__}")
        if not proof.residuals:
            raise ValueError("a symbolic check returned no residuals: nothing was proven")
        if any(isinstance(st, (bool, sp.logic.boolalg.BooleanAtom)) for st in proof.steps):
            raise ValueError(
                "a proof step evaluated to True/False; build steps with lazyrich.equation(lhs, rhs), i.e. sp.Eq(lhs, rhs, evaluate=False)"
            )
        bad = proof.failing()
    except Exception as exc:  # a check that raises is a failed check, reported
        return CheckResult(
            FAIL, None, time.perf_counter() - t0, f"raised {type(exc).__name__}: {exc}\n{traceback.format_exc(limit=3)}"
        )
    dt = time.perf_counter() - t0
    if bad:
        return CheckResult(FAIL, None, dt, f"{len(bad)} part(s) of the proof not established: " + "; ".join(bad[:3]))
    how = proof.established()
    parts = f"{len(proof.residuals)} residual(s), {len(proof.lemmas)} lemma(s) and {len(proof.steps)} step(s)"
    return CheckResult(PASS, 0.0, dt, f"{parts} reduce to exactly 0 at {how}", established=how)


def run_numeric(fn: Callable[[], Measurement | Sequence[Measurement]]) -> CheckResult:
    """Run a zero-argument numeric (or certified) check: ``pass`` when every :class:`Measurement` passes.

    A check that raises, or returns no Measurement, fails with the reason in ``detail``.
    """
    t0 = time.perf_counter()
    try:
        out = fn()
        ms = [out] if isinstance(out, Measurement) else list(out)
        if not ms or not all(isinstance(m, Measurement) for m in ms):
            raise TypeError("a numeric check must return a Measurement or a non-empty list of them")
    except Exception as exc:
        return CheckResult(
            FAIL, None, time.perf_counter() - t0, f"raised {type(exc).__name__}: {exc}\n{traceback.format_exc(limit=3)}"
        )
    dt = time.perf_counter() - t0
    failed = [m for m in ms if not m.passed]
    errs = [m.error for m in ms if math.isfinite(m.error)]
    max_err = max(errs) if errs else None
    # the tightest measurement: the first failing one, else the largest error / tolerance
    worst = failed[0] if failed else max(ms, key=lambda m: m.error / m.tolerance if m.tolerance > 0 else 0.0)
    held = {
        "error": worst.error,
        "tolerance": worst.tolerance,
        "what": worst.what,
        "tolerance_from": worst.tolerance_from,
    }
    if failed:
        m = failed[0]
        return CheckResult(
            FAIL,
            max_err,
            dt,
            f"{len(failed)} of {len(ms)} measurement(s) out of tolerance; first: {m.what}: error {m.error:.3g} > tolerance {m.tolerance:.3g} ({m.tolerance_from})",
            **held,
        )
    return CheckResult(
        PASS,
        max_err,
        dt,
        f"{len(ms)} measurement(s) within tolerance; tightest: {worst.what}: {worst.error:.3g} <= {worst.tolerance:.3g}",
        **held,
    )


def run_claim(c: Claim, certified: bool = False, statement: Sequence | None = None) -> ClaimResult:
    """Run both checks of a claim (an absent check is ``n/a``), and its certified check if ``certified``.

    Parameters
    ----------
    c : Claim
    certified : bool
        Also run the certified check (``n/a`` when the claim has none).
    statement : sequence, optional
        A replacement for the claim's statement: as many relations as :meth:`Claim.statements`
        returns (else :class:`ClaimError`). Each check that takes the statement
        (:func:`takes_statement`) is called with it; default: the claim's own statement.
        Checks that take no argument run as they are.

    Examples
    --------
    >>> import sympy as sp
    >>> x = sp.Symbol("x")
    >>> c = Claim("demo.double", "x + x = 2x", Source("demo", "none"), [sp.Eq(x + x, 2 * x, evaluate=False)])
    >>> c.symbolic = lambda st: Proof(residuals=[r.lhs - r.rhs for r in st])
    >>> run_claim(c).passed, run_claim(c, statement=[sp.Eq(x + x, 3 * x, evaluate=False)]).passed
    (True, False)
    """
    if statement is None:
        held: list[list] = []

        def own() -> list:  # built once, and only if a check reads it
            if not held:
                held.append(c.statements())
            return held[0]

        get = own
    else:
        replacement = list(statement)
        expected = len(c.statements())
        if len(replacement) != expected:
            raise ClaimError(
                f"claim {c.id}: the replacement statement has {len(replacement)} relation(s), the claim's has {expected}"
            )

        def get() -> list:
            return replacement

    def run(fn, runner: Callable[[Callable], CheckResult]) -> CheckResult:
        return runner(bind_statement(fn, get)) if fn is not None else CheckResult(NA)

    sym = run(c.symbolic, run_symbolic)
    num = run(c.numeric, run_numeric)
    cert = run(c.certified, run_numeric) if certified else None
    return ClaimResult(c.id, sym, num, cert, heuristic=c.heuristic)
