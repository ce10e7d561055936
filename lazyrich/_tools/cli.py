"""The ``lazyrich`` command line.

``lazyrich verify [PATTERN] [--json] [--jobs N] [--module M] [--certified]`` runs claims;
``lazyrich claims [PATTERN] [--json]`` lists them;
``lazyrich latex [PATTERN] [-o FILE] [--standalone|--fragment] [--notation FILE]`` exports them as LaTeX;
``lazyrich stress [MODEL] [--t-max T] [--n-times N] [--json] [--plot FILE]`` prints the stability report;
``lazyrich sweep SPEC [--scheduler ADDRESS|local|processes:N|threads] [--out PATH] [--resume] [--plot PNG]`` runs
a resumable parameter sweep (``lazyrich sweep --list`` lists the sweep functions);
``lazyrich check MODULE_OR_FILE [--json]`` runs the claims one user module defines;
``lazyrich mutate [PATTERN] [--json] [--jobs N]`` mutation-tests the claims' statements.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from .._base.errors import LazyrichError
from .._claims.model import ClaimResult
from .._claims.runner import ProgressBar, load_claims, verify

__all__ = ["main"]


def _fmt_err(x: float | None) -> str:
    return "-" if x is None else f"{x:.2e}"


def _table(results: Sequence[ClaimResult]) -> str:
    w = max([len("id"), *(len(r.id) for r in results)])
    cert = any(r.certified is not None for r in results)
    head = f"  {'certified':<9}" if cert else ""
    lines = [f"{'id':<{w}}  {'symbolic':<8}  {'numeric':<8}{head}  {'max error':>9}  {'seconds':>7}"]
    lines.append("-" * len(lines[0]))
    for r in results:
        col = f"  {(r.certified.status if r.certified else 'n/a'):<9}" if cert else ""
        lines.append(
            f"{r.id:<{w}}  {r.symbolic.status:<8}  {r.numeric.status:<8}{col}  {_fmt_err(r.max_error):>9}  {r.seconds:7.2f}"
        )
    return "\n".join(lines)


def _cmd_verify(args: argparse.Namespace) -> int:
    if getattr(args, "certified", False):
        from .._numerics.arb import require_flint

        require_flint()  # fail before running anything: MissingDependencyError names the extra (exit 2)
    registry = load_claims(args.module)
    selected = registry.select(args.pattern)
    if not selected:
        print(f"no claim matches {args.pattern!r}; `lazyrich claims` lists the ids", file=sys.stderr)
        return 2
    bar = ProgressBar(len(selected))
    try:
        results = verify(
            args.pattern, jobs=args.jobs, modules=args.module, on_result=bar.update, certified=args.certified
        )
    finally:
        bar.close()
    failed = [r for r in results if not r.passed]
    # per claim: does it carry a certified check at all (n/a below means "none registered", not "skipped")
    has_cert = {c.id: c.certified is not None for c in selected}
    if args.json:
        rows = [r.as_dict() for r in results]
        if args.certified:
            for row in rows:
                row["certified_check"] = has_cert[row["id"]]
        print(json.dumps(rows, indent=2))
    else:
        print(_table(results))
        total = sum(r.seconds for r in results)
        print(
            f"\n{len(results) - len(failed)} passed, {len(failed)} failed ({len(results)} claims, {total:.1f} s of checks)"
        )
        if args.certified:
            n_cert = sum(has_cert.values())
            print(
                f"certified: {n_cert} of {len(results)} claims carry a certified (Arb enclosure) check; "
                "n/a marks claims without one (no closed form to enclose)"
            )
    for r in failed:
        for kind, check in (("symbolic", r.symbolic), ("numeric", r.numeric), ("certified", r.certified)):
            if check is not None and check.status == "fail":
                print(f"FAILED {r.id} [{kind}]: {check.detail}", file=sys.stderr)
    return 1 if failed else 0


def _cmd_stress(args: argparse.Namespace) -> int:
    from .stress import stress

    rep = stress(args.model, t_max=args.t_max, n_times=args.n_times)
    if args.plot:
        rep.plot(args.plot)
        print(f"wrote {args.plot}", file=sys.stderr)
    if args.json:
        print(json.dumps(rep.as_dict(), indent=1))
    else:
        print(rep.table())
        print(
            f"\n(error: max-norm relative to the exact value; fails at: first t with error > 1e-3; {rep.seconds:.1f} s)"
        )
    return 0


def _cmd_claims(args: argparse.Namespace) -> int:
    registry = load_claims(args.module)
    selected = registry.select(args.pattern)
    if args.json:
        rows = [
            {
                "id": c.id,
                "title": c.title,
                "source": c.source.cite(),
                "symbolic": c.symbolic is not None,
                "numeric": c.numeric is not None,
                "heuristic": c.heuristic,
            }
            for c in selected
        ]
        print(json.dumps(rows, indent=2))
        return 0
    w = max([2, *(len(c.id) for c in selected)])
    for c in selected:
        checks = "".join(["S" if c.symbolic else "-", "N" if c.numeric else "-", "h" if c.heuristic else " "])
        print(f"{c.id:<{w}}  {checks}  {c.title}")
    print(f"\n{len(selected)} claims (S: symbolic check, N: numeric check, h: heuristic)")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="lazyrich", description="Verify exact learning dynamics of linear networks.")
    sub = p.add_subparsers(dest="command", required=True)

    v = sub.add_parser("verify", help="run the symbolic and numeric checks of the claims")
    v.add_argument("pattern", nargs="?", default=None, help="glob or substring of claim ids (default: all)")
    v.add_argument("--json", action="store_true", help="print a JSON list instead of a table")
    v.add_argument("--jobs", "-j", type=int, default=0, help="worker processes (0 = every core, 1 = in-process)")
    v.add_argument("--module", "-m", action="append", default=[], help="extra module of claims to import (repeatable)")
    v.add_argument(
        "--certified",
        action="store_true",
        help="also check float64 values against Arb enclosures (needs python-flint: pip install 'lazyrich[fast]')",
    )
    v.set_defaults(func=_cmd_verify)

    st = sub.add_parser("stress", help="error of every evaluation path of the exact solutions vs Arb enclosures")
    st.add_argument("model", nargs="?", default=None, choices=("two_layer", "aligned", "mixed", "single_neuron"))
    st.add_argument("--t-max", type=float, default=1e6, help="largest time of the log-spaced grid (default 1e6)")
    st.add_argument("--n-times", type=int, default=36, help="points of the log-spaced grid from 0.1 (default 36)")
    st.add_argument("--json", action="store_true", help="print JSON instead of a table")
    st.add_argument("--plot", default=None, metavar="FILE", help="write a PNG of error vs t (needs matplotlib)")
    st.set_defaults(func=_cmd_stress)

    c = sub.add_parser("claims", help="list the registered claims")
    c.add_argument("pattern", nargs="?", default=None)
    c.add_argument("--json", action="store_true")
    c.add_argument("--module", "-m", action="append", default=[])
    c.set_defaults(func=_cmd_claims)

    x = sub.add_parser("latex", help="export the claims as LaTeX printed from the verified SymPy objects")
    x.add_argument("pattern", nargs="?", default=None, help="glob or substring of claim ids (default: all)")
    x.add_argument("-o", "--output", default=None, help="write to FILE (default: stdout)")
    mode = x.add_mutually_exclusive_group()
    mode.add_argument("--standalone", action="store_true", help="a complete document (default when FILE ends in .tex)")
    mode.add_argument("--fragment", action="store_true", help="only the labelled equations, for \\input")
    x.add_argument("--notation", default=None, help="TOML file mapping symbol names to LaTeX (see README)")
    x.add_argument("--results", default=None, help="reuse the output of `lazyrich verify --json` for the statuses")
    x.add_argument(
        "--checks",
        choices=("all", "symbolic", "none"),
        default="all",
        help="checks to run for the standalone document (symbolic: derivations without numeric status)",
    )
    x.add_argument("--strict", action="store_true", help="exit 1 when some statement or step could not be printed")
    x.add_argument("--jobs", "-j", type=int, default=0, help="worker processes (0 = every core, 1 = in-process)")
    x.add_argument("--module", "-m", action="append", default=[], help="extra module of claims to import (repeatable)")
    x.set_defaults(func=_cmd_latex)

    sw = sub.add_parser(
        "sweep",
        help="run a parameter sweep (TOML SPEC) on Dask, storing each point as it finishes",
        description="Run the grid of a TOML SPEC in parallel (local Dask cluster by default). Exit status: "
        "0 all points ok, 1 some points failed (recorded with their error), 2 bad SPEC/arguments, 130 interrupted.",
    )
    sw.add_argument("spec", nargs="?", default=None, metavar="SPEC", help="the sweep SPEC (TOML)")
    sw.add_argument(
        "--scheduler",
        default=None,
        metavar="S",
        help="local (default: one worker process per core), processes:N, threads[:N], or a Dask address tcp://HOST:PORT",
    )
    sw.add_argument(
        "--out", "-o", default=None, metavar="PATH", help="SQLite result file (default: SPEC's <stem>.sweep.sqlite)"
    )
    sw.add_argument(
        "--resume", action="store_true", help="continue the sweep stored in --out: skip its finished points"
    )
    sw.add_argument("--retry-failed", action="store_true", help="with --resume, recompute the points stored as errors")
    sw.add_argument("--plot", default=None, metavar="PNG", help="write a heatmap of a 2-D grid (seeds averaged)")
    sw.add_argument(
        "--plot-value", default=None, metavar="COL", help="result column of the heatmap (default: the function's)"
    )
    sw.add_argument("--plot-x", default=None, metavar="AXIS", help="horizontal axis of the heatmap")
    sw.add_argument("--plot-y", default=None, metavar="AXIS", help="vertical axis of the heatmap")
    sw.add_argument("--list", action="store_true", help="list the registered sweep functions and exit")
    sw.set_defaults(func=_cmd_sweep)

    ck = sub.add_parser("check", help="run the claims that one module or .py file of yours defines")
    ck.add_argument("target", metavar="MODULE_OR_FILE", help="a module name or a .py file that registers claims")
    ck.add_argument("--json", action="store_true", help="print a JSON list instead of a table")
    ck.set_defaults(func=_cmd_check)

    mu = sub.add_parser(
        "mutate",
        help="mutation testing: change each claim's statement, check that its checks fail",
        description="Exit status: 0 every mutant killed or listed as equivalent, 1 an unexplained survivor, 2 no match.",
    )
    mu.add_argument("pattern", nargs="?", default=None, help="glob or substring of claim ids (default: all)")
    mu.add_argument("--json", action="store_true", help="print a JSON list instead of a table")
    mu.add_argument("--jobs", "-j", type=int, default=0, help="worker processes (0 = every core, 1 = in-process)")
    mu.add_argument("--module", "-m", action="append", default=[], help="extra module of claims to import (repeatable)")
    mu.add_argument("--all", action="store_true", help="also list the survivors of claims that ignore their statement")
    mu.set_defaults(func=_cmd_mutate)
    return p


def _cmd_latex(args: argparse.Namespace) -> int:
    from .._claims.latex import export_latex
    from .._claims.notation import DEFAULT_NOTATION, Notation

    notation = Notation.from_toml(args.notation) if args.notation else DEFAULT_NOTATION
    fragment = args.fragment or not (args.standalone or (args.output or "").endswith(".tex"))
    selected = load_claims(args.module).select(args.pattern)
    if not selected:
        print(f"no claim matches {args.pattern!r}; `lazyrich claims` lists the ids", file=sys.stderr)
        return 2
    rendered = []
    bar = ProgressBar(len(selected))
    try:
        tex = export_latex(
            args.pattern,
            fragment=fragment,
            notation=notation,
            results=args.results,
            checks=args.checks,
            jobs=args.jobs,
            modules=args.module,
            on_claim=lambda rc: (rendered.append(rc), bar.update(rc)),
        )
    finally:
        bar.close()
    if args.output:
        with open(args.output, "w", encoding="utf-8") as fh:
            fh.write(tex)
        kind = "fragment" if fragment else "standalone document"
        print(f"wrote {args.output}: {kind}, {len(selected)} claims", file=sys.stderr)
    else:
        sys.stdout.write(tex)
    by_reason: dict[str, list[str]] = {}
    for rc in rendered:
        for problem in rc.problems:
            where, _, reason = problem.partition(": ")
            by_reason.setdefault(reason or where, []).append(f"{rc.id} ({where})" if reason else rc.id)
    for reason, places in by_reason.items():
        shown = ", ".join(places[:6]) + (f", ... ({len(places)} in all)" if len(places) > 6 else "")
        print(f"not printed: {shown}: {reason}", file=sys.stderr)
    return 1 if (args.strict and by_reason) else 0


def _cmd_sweep(args: argparse.Namespace) -> int:
    from .sweep.engine import SweepSummary, default_out, sweep

    if args.list:
        from .sweep.registry import SWEEP_FUNCTIONS, get_sweep_function

        get_sweep_function("phase_diagram")  # imports the built-in sweep functions
        w = max([4, *(len(n) for n in SWEEP_FUNCTIONS)])
        for name, sf in sorted(SWEEP_FUNCTIONS.items()):
            print(f"{name:<{w}}  {sf.description}")
            print(f"{'':<{w}}  needs: {', '.join(sf.parameters)}; optional: {', '.join(sf.defaults) or '-'}")
        return 0
    if args.spec is None:
        print("lazyrich sweep: give a SPEC file (or --list to see the sweep functions)", file=sys.stderr)
        return 2
    out = args.out or default_out(args.spec)
    try:
        df = sweep(args.spec, scheduler=args.scheduler, out=out, resume=args.resume, retry_failed=args.retry_failed)
    except KeyboardInterrupt:
        print(
            f"\ninterrupted: finished points are stored in {out}; run the same command with --resume to continue",
            file=sys.stderr,
        )
        return 130
    summary = SweepSummary(**df.attrs["summary"])
    print(f"sweep {df.attrs['function']}: {summary.text()}")
    errors = df.loc[df["status"] != "ok", "error"].value_counts()
    for message, count in errors.head(5).items():
        print(f"FAILED {count} point{'s' * (count > 1)}: {message}", file=sys.stderr)
    if len(errors) > 5:
        print(f"... and {len(errors) - 5} other errors (see the error column: lazyrich.load_sweep)", file=sys.stderr)
    if args.plot:
        from .sweep.plot import plot_sweep

        plot_sweep(df, args.plot, value=args.plot_value, x=args.plot_x, y=args.plot_y)
        print(f"wrote {args.plot}", file=sys.stderr)
    return 1 if summary.failed else 0


def _cmd_check(args: argparse.Namespace) -> int:
    from .._claims.model import Registry
    from .check_command import load_user_claims

    claims = load_user_claims(args.target)
    if not claims:
        print(f"{args.target} registers no claim (lazyrich.claim or lazyrich.solution_claim)", file=sys.stderr)
        return 2
    registry = Registry()
    for c in claims:
        registry.add(c)
    results = verify(registry=registry)
    failed = [r for r in results if not r.passed]
    if args.json:
        print(json.dumps([r.as_dict() for r in results], indent=2))
    else:
        print(_table(results))
        print(f"\n{len(results) - len(failed)} passed, {len(failed)} failed ({len(results)} claims from {args.target})")
    for r in failed:
        for kind, check in (("symbolic", r.symbolic), ("numeric", r.numeric)):
            if check.status == "fail":
                print(f"FAILED {r.id} [{kind}]: {check.detail}", file=sys.stderr)
    return 1 if failed else 0


def _cmd_mutate(args: argparse.Namespace) -> int:
    from .mutate import mutate

    if not load_claims(args.module).select(args.pattern):
        print(f"no claim matches {args.pattern!r}; `lazyrich claims` lists the ids", file=sys.stderr)
        return 2
    reports = mutate(args.pattern, jobs=args.jobs, modules=args.module)
    if args.json:
        print(json.dumps([r.as_dict() for r in reports], indent=2))
    else:
        w = max([2, *(len(r.id) for r in reports)])
        print(f"{'id':<{w}}  {'mutants':>7}  {'killed':>6}  {'survived':>8}  {'unexplained':>11}  statement")
        for r in reports:
            how = "read" if r.reads_statement else "IGNORED"
            how = how if r.baseline else "claim fails on its own statement"
            print(f"{r.id:<{w}}  {r.mutants:>7}  {r.killed:>6}  {len(r.survivors):>8}  {len(r.unexplained):>11}  {how}")
        for r in reports:
            if r.reads_statement or args.all:
                for label, desc, reason in r.survivors:
                    print(f"SURVIVED {r.id} {label}: {desc}" + (f"  [equivalent: {reason}]" if reason else ""))
        total, killed = sum(r.mutants for r in reports), sum(r.killed for r in reports)
        reading = [r for r in reports if r.reads_statement]
        rt, rk = sum(r.mutants for r in reading), sum(r.killed for r in reading)
        print(
            f"\nkilled {killed} of {total} mutants ({100 * killed / max(total, 1):.1f}%) over {len(reports)} claims; "
            f"{len(reading)} claims read their statement: {rk} of {rt} killed ({100 * rk / max(rt, 1):.1f}%); "
            f"unexplained survivors: {sum(len(r.unexplained) for r in reports)}"
        )
    bad = any(r.unexplained or not r.baseline for r in reports)
    return 1 if bad else 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except LazyrichError as exc:
        print(f"lazyrich: error: {exc}", file=sys.stderr)
        return 2
