"""Walk the public API with malformed arguments: only ``LazyrichError`` subclasses may come out, and no warning.

Every callable of ``lazyrich.__all__`` and of the public namespaces (``lazyrich.certified``,
``lazyrich.sweep``, ``lazyrich.symbolic``), every public class constructor and the main public
methods of the objects they build are called with one argument at a time replaced by a malformed
value (None, a string, a complex array, NaN, inf, a negative size, a wrong shape, a bad flag, a huge
size, an empty list), the other arguments valid. The call may succeed (a value that is then
finite) or raise a :class:`~lazyrich.LazyrichError`; anything else, or a warning, fails
(issue 15, Done when). Result records (dataclasses a function returns, never built by a user) are
not walked: their constructors take what the producing function computed.
"""

from __future__ import annotations

import inspect
import math
import signal
import warnings

import numpy as np
import pytest
import scipy.integrate  # noqa: F401 - imported once here: the walk times calls, not first imports

import lazyrich
import lazyrich.certified
import lazyrich.sweep
import lazyrich.symbolic
from lazyrich import LazyrichError

NAMESPACES = {
    "lazyrich": lazyrich,
    "lazyrich.certified": lazyrich.certified,
    "lazyrich.sweep": lazyrich.sweep,
    "lazyrich.symbolic": lazyrich.symbolic,
}

#: Dataclasses returned by lazyrich, never built from user input (their fields are computed results).
RECORDS = {
    "CheckResult",
    "ClaimResult",
    "PhaseDiagramPoint",
    "RenderedClaim",
    "SolutionReport",
    "StressReport",
    "SweepSummary",
    "Trajectory",
    "Enclosure",
    "Canonical",
    "ClosedForm",  # abstract interface
    "Model",  # abstract interface
    "Registry",  # no arguments
    "require_flint",  # no arguments
}

#: One malformed value of each kind (the walk's inputs).
MALFORMED = {
    "None": None,
    "string": "1",
    "complex array": np.array([1 + 1j, 2j]),
    "nan": math.nan,
    "inf": math.inf,
    "negative": -3,
    "wrong shape": np.zeros((2, 3, 4)),
    "bad flag": "no",
    "huge size": 10**12,
    "empty list": [],
}


def _valid_values():
    """A valid value for every parameter name of the public API (the base call each bad value edits)."""
    import sympy as sp

    W1, W2 = lazyrich.lambda_balanced_init(2, 2, 2, 0.5, sigma=0.5, seed=0)
    S = np.diag([2.0, 1.0])
    n = sp.Symbol("n", integer=True, positive=True)
    A = sp.MatrixSymbol("A", n, n)
    B = sp.MatrixSymbol("B", n, n)
    x = sp.Symbol("x")
    t = sp.Symbol("t")
    src = lazyrich.Source("domine2025", "Thm 5.1")
    return {
        "A": np.array([[0.5, 0.1], [0.0, 0.3]]),
        "A0": np.array([[0.5, 0.1], [0.0, 0.3]]),
        "target": S,
        "W1": W1,
        "W2": W2,
        "X": np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]),
        "Y": np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]]),
        "y": np.array([1.0, -1.0, 0.0]),
        "sigma_yx": S,
        "t": 1.0,
        "s0": 0.1,
        "s_target": 2.0,
        "s": 2.0,
        "lam": 0.5,
        "c": 0.5,
        "tau": 1.0,
        "u": 1.0,
        "u0": 0.1,
        "depth": 3,
        "a0": 0.1,
        "w0": np.array([0.1, 0.2]),
        "beta_star": np.array([1.0, -1.0]),
        "beta": np.array([0.5, -0.5]),
        "beta0": np.array([0.1, 0.2]),
        "delta": 0.5,
        "n_in": 2,
        "n_hidden": 2,
        "n_out": 2,
        "n_samples": 4,
        "d_in": 2,
        "d_out": 2,
        "width": 10,
        "sigma2": 0.1,
        "n": 3,
        "dof": 5,
        "rng": np.random.default_rng(0),
        "shape": (3, 2),
        "singular_values": [2.0, 1.0],
        "steps": [0.1, 0.05, 0.025],
        "errors": [0.2, 0.1, 0.05],
        "kappa": 10.0,
        "dps": 20,
        "n_steps": 10,
        "rtol": 1e-12,
        "atol": 1e-14,
        "scale": 1.0,
        "step": 0.1,
        "d": 8,
        "k": 2,
        "gamma_sigma2": -1.0,
        "gamma_w": 1.5,
        "seed": 0,
        "a": 1.0,
        "b": 1.0,
        "n0": 2.0,
        "error": 1e-12,
        "tolerance": 1e-10,
        "paper": "domine2025",
        "where": "Thm 5.1",
        "source": src,
        "id": "fuzz_claim",
        "title": "a title",
        "key": "fuzzkey",
        "citation": "A. Author (2025)",
        "expr": A * B - B * A,
        "lhs": A,
        "rhs": B,
        "sym": A,
        "dims": {n: 2},
        "rates": {A: B},
        "values": {},
        "E": sp.MatrixSymbol("E", n, n),
        "F": A,
        "M": A,
        "Minv": sp.MatrixSymbol("Minv", n, n),
        "P": sp.MatrixSymbol("P", n, n),
        "R": sp.MatrixSymbol("R", n, n),
        "exponent": sp.Rational(1, 2),
        "obj": A * B,
        "ode": {x: x},
        "solution": {x: sp.exp(t)},
        "initial": {x: 1},
        "time": t,
        "name": "fuzz_function",
        "spec": {"function": "aligned_agreement", "fixed": {"s_target": 1.7, "lam": -0.3}, "grid": {"s0": [0.05]}},
        "spec_path": "phase.toml",
        "function": "aligned_agreement",
        "fixed": {"s_target": 1.7, "lam": -0.3},
        "grid": {"s0": [0.05], "t": [1.0]},
        "x": 0.5,
        "bits": 60,
        "block": "full",
        "chunk": 2,
        "method": "DOP853",
        "update": "sequential",
        "reduced": True,
        "tie_break": False,
        "reversal": False,
        "sign_change": False,
        "leak": 0.0,
        "eta_a": 1.0,
        "eta_w": 1.0,
        "sigma": 0.5,
        "ftol": 1e-15,
        "maxiter": 200,
        "max_steps": 20,
        "max_evaluations": 200,
        "max_rewrites": 100,
        "n_ops": 2.0,
        "points": 3,
        "digits": 40,
    }


def _overrides():
    """Valid values that differ by callable (the table above is by parameter name)."""
    import sympy as sp

    x = sp.Symbol("x", positive=True)
    # a scalar expression that is zero but not to SymPy's automatic simplification, so that the screen tries
    # every point: certainly_nonzero refuses a matrix expression (the table's expr), which would hide the walk
    return {"lazyrich.symbolic.certainly_nonzero": {"expr": sp.atan(x) + sp.atan(1 / x) - sp.pi / 2}}


def _models(v):
    try:
        qqt = lazyrich.certified.certified_qqt(lazyrich.TwoLayerExact(v["W1"], v["W2"], v["sigma_yx"]), 1.0, bits=40)
    except lazyrich.MissingDependencyError:  # no python-flint: the certified functions then raise that typed error
        qqt = None
    return {
        "model": lazyrich.DeepLinearModel(v["sigma_yx"]),
        "init": (v["W1"], v["W2"]),
        "net": lazyrich.TwoLayerExact(v["W1"], v["W2"], v["sigma_yx"]),
        "sn": lazyrich.SingleNeuronExact(0.1, [0.1, 0.2], [1.0, -1.0]),
        "qqt": qqt,
        "K1": qqt,
        "K2": qqt,
        "declared": [lazyrich.symbolic.matrix_sqrt(v["R"], v["M"])],
    }


#: Work limits the base call sets small (the walk checks malformed input, not the default budgets).
BUDGETS = {"max_evaluations", "max_steps", "maxiter", "max_rewrites"}

#: Parameters a walk never replaces: callbacks, registries and output sinks (not data).
NOT_WALKED = {"on_result", "on_claim", "on_point", "progress", "registry", "func", "evaluate", "boundaries", "path"}

#: Callables a walk skips, with the reason (each is exercised with bad input elsewhere).
SKIPPED = {
    # long-running drivers: their bad inputs are rows of tests/test_bad_inputs.py and tests/test_cli*.py
    "verify": "runs every claim",
    "export_latex": "runs every claim",
    "load_claims": "imports every claim module",
    "stress": "runs the stability report",
    "run": "runs a sweep (its SPEC checks are in tests/test_sweep_spec.py)",
    "run_claim": "needs a Claim",
    "claim_latex": "needs a Claim",
    "render_claim": "needs a Claim",
    "proof_latex": "needs a Proof",
    "plot_sweep": "needs a result DataFrame",
    "load_sweep": "reads a file (damaged stores: tests/test_sweep_store.py)",
    "default_out": "a path helper",
    "sweep_function": "a decorator factory",
    "claim": "a decorator factory",
    "register_paper": "edits the paper registry",
    "Declared": "built by matrix_exp/inverse/power/sqrt",
    "SweepFunction": "built by sweep_function",
    "SweepSpec": "built by load_spec",
    "solution_claim": "a decorator factory",
}


def _callables():
    seen = {}
    for prefix, mod in NAMESPACES.items():
        for name in mod.__all__:
            obj = getattr(mod, name)
            if not callable(obj) or (inspect.isclass(obj) and issubclass(obj, BaseException)):
                continue
            if name in RECORDS or name in SKIPPED or id(obj) in {id(o) for o, _ in seen.values()}:
                continue
            seen[f"{prefix}.{name}"] = (obj, name)
    return seen


MISSING = []


def _cases():
    common = _valid_values()
    common.update(_models(common))
    overrides = _overrides()
    cases = []
    for qual, (obj, _name) in sorted(_callables().items()):
        v = {**common, **overrides.get(qual, {})}
        params = [
            p
            for p in inspect.signature(obj).parameters.values()
            if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD) and p.name not in NOT_WALKED
        ]
        base = {p.name: v[p.name] for p in params if (p.default is p.empty or p.name in BUDGETS) and p.name in v}
        missing = [p.name for p in params if p.default is p.empty and p.name not in v]
        if missing:  # a name added since this table was written: walk it with None there
            MISSING.append((qual, missing))
            base.update(dict.fromkeys(missing))
        for p in params:
            if p.default is not p.empty and p.name not in v:
                continue
            for bad in MALFORMED:
                cases.append((qual, obj, base, p.name, bad))
    return cases


def _methods():
    """Main public methods of the objects the constructors build: (label, bound method, base kwargs)."""
    v = _valid_values()
    m = _models(v)
    net, sn, model = m["net"], m["sn"], m["model"]
    mode = lazyrich.AlignedMode(0.1, 2.0, 0.5)
    mixed = lazyrich.MixedAlignedMode(0.1, 2.0, 0.5)
    relu = lazyrich.ReluNetworkModel(v["X"], v["y"])
    neuron = lazyrich.SingleNeuronModel(v["X"], v["y"])
    out = []
    for label, form in (
        ("TwoLayerExact", net),
        ("SingleNeuronExact", sn),
        ("AlignedMode", mode),
        ("MixedAlignedMode", mixed),
    ):
        out.append((f"{label}.stable", form.stable, {"ts": [1.0]}))
        out.append((f"{label}.confirmed", form.confirmed, {"ts": [1.0], "dps": 20}))
    for name in ("qqt", "loss", "qqt_factor"):
        out.append((f"TwoLayerExact.{name}", getattr(net, name), {"t": 1.0}))
    out.append(("TwoLayerExact.ntk", net.ntk, {"t": 1.0, "X": np.eye(2)}))
    for name in ("beta", "a", "w"):
        out.append((f"SingleNeuronExact.{name}", getattr(sn, name), {"t": 1.0}))
    for label, mdl, params in (
        ("DeepLinearModel", model, (v["W1"], v["W2"])),
        ("ReluNetworkModel", relu, (np.ones(2), np.eye(2))),
        ("SingleNeuronModel", neuron, (1.0, np.ones(2))),
    ):
        out.append((f"{label}.check_params", mdl.check_params, {"params": params}))
    out.append(("DeepLinearModel.from_data", lazyrich.DeepLinearModel.from_data, {"X": v["X"].T, "Y": v["Y"]}))
    out.append(("SingleNeuronExact.from_data", lazyrich.SingleNeuronExact.from_data, None))
    cases = []
    for label, meth, base in out:
        if base is None:
            continue
        for pname in base:
            for bad in MALFORMED:
                cases.append((label, meth, base, pname, bad))
    return cases


CASES = _cases() + _methods()
BY_CALLABLE: dict[str, list] = {}
for _case in CASES:
    BY_CALLABLE.setdefault(_case[0], []).append(_case)

#: Callables with known failures, with where they lie: strict xfail, so a fix shows up as XPASS and the
#: entry must then leave this table (empty: every walked callable passes, issue 15).
KNOWN: dict[str, str] = {}


def _check_finite(value) -> None:
    if isinstance(value, (float, np.floating)):
        assert math.isfinite(value), f"returned {value}"
    elif isinstance(value, np.ndarray) and value.dtype.kind in "fc":
        assert np.all(np.isfinite(value)), "returned a non-finite array"
    elif isinstance(value, tuple):
        for item in value:
            _check_finite(item)


class _TooSlow(Exception):
    pass


def _alarm(signum, frame):
    raise _TooSlow


#: Seconds one malformed call may take: every bad input must be refused before any real work starts.
CALL_BUDGET = 3


def _call(obj, base, pname, bad):
    """What went wrong with one malformed call (None: a typed error, or a finite value, and no warning)."""
    kwargs = dict(base)
    kwargs[pname] = MALFORMED[bad]
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(CALL_BUDGET)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            value = obj(**kwargs)
        except LazyrichError:
            value = None
        except _TooSlow:
            return f"still running after {CALL_BUDGET} s (unbounded work?)"
        except Exception as exc:
            return f"{type(exc).__name__}: {str(exc)[:120]}"
        finally:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, old)
    try:
        _check_finite(value)
    except AssertionError as exc:
        return f"non-finite value: {exc}"
    real = [w for w in caught if not issubclass(w.category, (DeprecationWarning, PendingDeprecationWarning))]
    if real:
        return f"warning {real[0].category.__name__}: {str(real[0].message)[:120]}"
    return None


def _failures(cases) -> dict:
    out = {}
    for qual, obj, base, pname, bad in cases:
        problem = _call(obj, base, pname, bad)
        if problem:
            out[(qual, pname, bad)] = problem
    return out


@pytest.fixture(autouse=True)
def _in_a_scratch_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # nothing a walked call writes lands in the tree


def test_the_walk_covers_the_public_api():
    assert len(BY_CALLABLE) >= 100, sorted(BY_CALLABLE)
    assert len(CASES) >= 3000
    assert set(KNOWN) <= set(BY_CALLABLE), sorted(set(KNOWN) - set(BY_CALLABLE))


@pytest.mark.parametrize(
    "qual",
    [
        pytest.param(q, marks=pytest.mark.xfail(strict=True, reason=KNOWN[q])) if q in KNOWN else q
        for q in sorted(BY_CALLABLE)
    ],
)
def test_malformed_arguments_raise_only_typed_errors_and_no_warning(qual):
    failures = _failures(BY_CALLABLE[qual])
    assert not failures, "\n".join(f"{k}: {v}" for k, v in sorted(failures.items()))


if __name__ == "__main__":  # pragma: no cover - a report for developers: every failure, one per line
    import time

    start = time.perf_counter()
    fails = _failures(CASES)
    print(f"{len(CASES)} calls over {len(BY_CALLABLE)} callables in {time.perf_counter() - start:.1f} s")
    for key, problem in sorted(fails.items()):
        print(key, "->", problem)
    print(len(fails), "failures in", len({k[0] for k in fails}), "callables")


# The float64 error bound of the deep aligned mode over the whole parameter range: it returned NaN (N >= 3 at
# |s| = 1e300, t = 1e300), inf (a value that underflowed or cancelled to 0) and raised ValueError (math domain
# error where u0 / s underflows), and the bound did not cover the value where e^{ln y} left the normal range
# (N = 2, u0 = 1e-300 below s = 1e20: u was off by 1e-5 relative against a bound of 2e3 eps).
_RANGE_T = [0.0, 1e-300, 1.0, 1e6, 1e300]


@pytest.mark.parametrize(
    ("depth", "u0", "s"),
    [
        (3, 1.0, 1e300),  # NaN at t = 1e300 (u == s to the last bit; T beyond float64)
        (4, 1.0, 1e20),  # NaN at t = 1e300
        (3, -1e-300, -1e300),  # ValueError: math domain error (u0 / s underflows to 0)
        (2, 5e-324, 1e300),  # ValueError
        (5, 5e-324, -1e20),
        (3, 1.0, -1.0),  # inf: u(1e300) ~ 1e-900 underflows to 0
        (1, 1.0, -1e300),  # inf: cancels to 0 at t = 1e-300
        (1, 5e-324, 0.0),
    ],
)
def test_deep_aligned_error_bound_over_the_whole_range(depth, u0, s):
    """Finite and >= 0 at t from 0 to 1e300, with warnings as errors."""
    from lazyrich._exact.deep_aligned_accuracy import float64_error_bound

    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        bound = float64_error_bound(_RANGE_T, u0, s, depth)
    assert np.all(np.isfinite(bound)) and np.all(bound >= 0), bound


def _closed_form(t, u0, s, depth):
    """The mode by a closed form independent of the engine, in mpmath at 700 digits (``1 - s`` exact for any two
    floats): ``N = 1`` exponential, ``N = 2`` logistic (Saxe et al. (2014)), ``s = 0`` power law."""
    import mpmath

    with mpmath.workdps(700):
        t, u0, s = mpmath.mpf(t), mpmath.mpf(u0), mpmath.mpf(s)
        if depth == 1:  # u0 + (s - u0)(1 - e^-t)
            return u0 - (s - u0) * mpmath.expm1(-t)
        if s == 0:
            c = (2 * depth - 2) * abs(u0) ** (2 - mpmath.mpf(2) / depth)
            return u0 * (1 + c * t) ** (-mpmath.mpf(depth) / (2 * depth - 2))
        if u0 < 0:  # u -> -u, s -> -s maps the flow to itself
            return -_closed_form(t, -u0, -s, depth)
        return s * u0 / (u0 + (s - u0) * mpmath.exp(-2 * s * t))  # tau du/dt = 2 u (s - u), u > 0


@pytest.mark.parametrize(
    ("depth", "u0", "s", "t"),
    [
        (2, 1e-300, 1e20, 1e-300),  # e^{ln y} below the normal range: the value was off by 1e-5 relative
        (2, 1e-20, 1e300, 1e-300),
        (2, -1e-300, -1e20, 1e-300),
        (1, 1.0, -1e300, 1e-300),  # cancels to 0 at the zero crossing: the bound was inf
        (2, 1.0, -1.0, 1e300),  # underflows to 0: the bound was inf
        (2, 5e-324, 1e300, 1.0),  # ln(u0 / s) of an underflowed quotient: ValueError
        (2, 1.0, -1.0, 370.0),  # below the normal range: the final rounding is absolute
        (1, 1.0, 0.0, 740.0),
        (3, 1e300, 0.0, 1e300),  # the s = 0 law at the extremes
    ],
)
def test_deep_aligned_error_bound_covers_the_error(depth, u0, s, t):
    """The bound against an independent closed form, with warnings as errors (no NaN, inf or numpy warning)."""
    import mpmath

    from lazyrich._exact.deep_aligned_accuracy import float64_error_bound

    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        got = lazyrich.deep_aligned_singular_value(t, u0, s, depth)
        bound = float64_error_bound(t, u0, s, depth)
    ref = _closed_form(t, u0, s, depth)
    assert math.isfinite(bound) and bound >= 0
    with mpmath.workdps(60):
        assert abs(mpmath.mpf(got) - ref) <= mpmath.mpf(bound) * 2.0**-52 * abs(ref), (got, ref, bound)


def test_deep_aligned_mode_at_an_extreme_tau():
    """``t |s|^{2-2/N} / tau`` formed as ``t * (|s|^{2-2/N} / tau)`` overflowed at a subnormal ``tau``: the mode
    returned its limit ``s`` (-1.0 for -7.4e-300); the ``dps=`` path's guard digits raised OverflowError."""
    import mpmath

    from lazyrich._exact.deep_aligned_accuracy import float64_error_bound

    got = lazyrich.deep_aligned_singular_value(5e-324, -1e-300, -1.0, 2, tau=5e-324)
    bound = float64_error_bound(5e-324, -1e-300, -1.0, 2, tau=5e-324)
    ref = _closed_form(1.0, -1e-300, -1.0, 2)  # t / tau = 1
    with mpmath.workdps(60):
        assert abs(mpmath.mpf(got) - ref) <= mpmath.mpf(bound) * 2.0**-52 * abs(ref), (got, ref, bound)
    far = lazyrich.deep_aligned_singular_value(1e300, 1.0, 0.0, 1, tau=1e-300, dps=20)  # e^{-1e600}
    assert 0 < far < 1e-300
