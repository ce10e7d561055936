"""The ``lazyrich`` command line: ``verify``, ``claims``, ``latex``, ``stress``, ``sweep``, ``check``, ``mutate``.

Every subcommand documents its options and examples (``lazyrich SUBCOMMAND --help``) and exits with the same
codes (:data:`EXIT_CODES`): 0 success, 1 a check failed, 2 usage error / no claim matches / bad file, 130
interrupted. ``verify``, ``stress`` and ``sweep`` report progress on stderr: a bar on a terminal, a status
line every 5 s on a pipe (``--progress``: at once and per item; ``--quiet``: none).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import textwrap
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version

from .._base.errors import LazyrichError
from .._base.progress import ProgressBar
from .._claims.runner import load_claims, verify
from .cli_types import check_output_path, jobs_count, positive_count, positive_number
from .results_table import report_failures, results_summary, results_table

__all__ = ["EXIT_CODES", "build_parser", "main"]

#: The exit status of every subcommand.
EXIT_CODES = {
    0: "success",
    1: "a check failed (verify/check: a claim; sweep: a point; mutate: an unexplained survivor; latex --strict)",
    2: "usage error, no claim matches the pattern, or a bad/missing file (SPEC, module, TOML, JSON)",
    130: "interrupted (Ctrl-C)",
    141: "standard output closed early (e.g. piped into head)",
}

_RAW = argparse.RawDescriptionHelpFormatter


def _package_version() -> str:
    try:
        return version("lazyrich")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "unknown (not installed)"


def _no_match(pattern: str | None) -> int:
    print(f"no claim matches {pattern!r}; `lazyrich claims` lists the ids", file=sys.stderr)
    return 2


def _cmd_verify(args: argparse.Namespace) -> int:
    if getattr(args, "certified", False):
        from .._numerics.arb import require_flint

        require_flint()  # fail before running anything: MissingDependencyError names the extra (exit 2)
    registry = load_claims(args.module)
    selected = registry.select(args.pattern)
    if not selected:
        return _no_match(args.pattern)
    with ProgressBar(len(selected), show=args.progress, label="verify", unit="claims") as bar:
        results = verify(
            args.pattern, jobs=args.jobs, modules=args.module, on_result=bar.update, certified=args.certified
        )
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
        print(results_table(results))
        print(results_summary(results, ""))
        if args.certified:
            n_cert = sum(has_cert.values())
            print(
                f"certified: {n_cert} of {len(results)} claims carry a certified (Arb enclosure) check; "
                "n/a marks claims without one (no closed form to enclose)"
            )
    report_failures(failed)
    return 1 if failed else 0


def _stable_failures(rows: list) -> list:
    """The check of ``stress``: rows of a stable form (what lazyrich's solutions evaluate) that fail or raise.

    The direct forms (the papers' formulas) are expected to fail at large t: the report shows where.
    """
    return [r for r in rows if r.backend.startswith("stable") and (r.failure_time is not None or None in r.error)]


def _cmd_stress(args: argparse.Namespace) -> int:
    from .stress import MODELS, case_names, stress

    check_output_path(args.plot, "--plot")
    # one hard case at a time, so that the progress can name it
    work = [(m, c) for m in ([args.model] if args.model else MODELS) for c in case_names(m)]
    rep = None
    with ProgressBar(len(work), show=args.progress, label="stress", unit="cases") as bar:
        for model, case in work:
            part = stress(model, t_max=args.t_max, n_times=args.n_times, case=case)
            if rep is None:
                rep = part
            else:
                rep.rows += part.rows
                rep.seconds += part.seconds
            bar.update(not _stable_failures(part.rows), f"{model}/{case}")
    if args.plot:
        rep.plot(args.plot, **({"style": args.style} if args.style != "default" else {}))
        print(f"wrote {args.plot}", file=sys.stderr)
    if args.json:
        print(json.dumps(rep.as_dict(), indent=1))
    else:
        print(rep.table())
        print(
            f"\n(error: max-norm relative to the exact value; fails at: first t with error > 1e-3; {rep.seconds:.1f} s)"
        )
    failed = _stable_failures(rep.rows)
    for r in failed:
        where = "raised or overflowed" if r.failure_time is None else f"error > 1e-3 from t = {r.failure_time:.3g}"
        print(f"FAILED {r.model}/{r.case} [{r.backend}]: {where}", file=sys.stderr)
    return 1 if failed else 0


def _cmd_claims(args: argparse.Namespace) -> int:
    registry = load_claims(args.module)
    selected = registry.select(args.pattern)
    if not selected:
        return _no_match(args.pattern)
    if args.json:
        rows = [
            {
                "id": c.id,
                "title": c.title,
                "source": c.source.cite(),
                "symbolic": c.symbolic is not None,
                "numeric": c.numeric is not None,
                "certified": c.certified is not None,
                "heuristic": c.heuristic,
            }
            for c in selected
        ]
        print(json.dumps(rows, indent=2))
        return 0
    w = max([2, *(len(c.id) for c in selected)])
    for c in selected:
        checks = "".join(
            [
                "S" if c.symbolic else "-",
                "N" if c.numeric else "-",
                "C" if c.certified else "-",
                "h" if c.heuristic else " ",
            ]
        )
        print(f"{c.id:<{w}}  {checks}  {c.title}")
    print(f"\n{len(selected)} claims (S: symbolic check, N: numeric check, C: certified check, h: heuristic)")
    return 0


def _wrap(text: str) -> str:
    """A ``--help`` description wrapped to the terminal (the raw formatter keeps the examples' lines as written)."""
    return textwrap.fill(text, width=min(100, shutil.get_terminal_size().columns - 2))


def _exit_codes_text() -> str:
    return "exit status (every subcommand):\n" + "\n".join(f"  {k:<3}  {v}" for k, v in EXIT_CODES.items())


def _epilog(*examples: str) -> str:
    """The ``--help`` epilog of a subcommand: its examples, then the exit codes."""
    return "examples:\n" + "\n".join(f"  {e}" for e in examples) + "\n\n" + _exit_codes_text()


def _style_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--style",
        choices=("default", "paper"),
        default="default",
        help="figure style of --plot: default (screen) or paper (sized for a two-column paper)",
    )


def _progress_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--progress",
        dest="progress",
        action="store_true",
        default=None,
        help="show progress at once: the bar on a terminal, else one status line per finished item on stderr "
        "(default: the bar after 1 s on a terminal, a status line every 5 s on a pipe or file)",
    )
    group.add_argument("--quiet", "-q", dest="progress", action="store_false", help="no progress output on stderr")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="lazyrich",
        description=_wrap(
            "Verify exact learning dynamics of linear networks: symbolically, at arbitrary precision, "
            "and against simulation. `lazyrich SUBCOMMAND --help` documents each subcommand."
        ),
        epilog=_epilog(
            "lazyrich verify 'conservation*'          # run the claims whose id matches",
            "lazyrich claims lazy_to_rich             # list claims",
            "lazyrich latex -o claims.tex             # the verified claims as a LaTeX document",
            "lazyrich stress aligned --plot err.png   # float64 / mpmath error vs certified references",
            "lazyrich sweep phase.toml --plot map.png # a resumable parameter sweep",
        ),
        formatter_class=_RAW,
    )
    p.add_argument("--version", action="version", version=f"lazyrich {_package_version()}")
    sub = p.add_subparsers(dest="command", required=True, metavar="SUBCOMMAND")

    v = sub.add_parser(
        "verify",
        help="run the symbolic and numeric checks of the claims",
        description=_wrap(
            "Run each matching claim's checks: the symbolic check (residuals that must be exactly 0) and "
            "the numeric check (measurements held to derived tolerances). The table shows, per claim, the error of its "
            "tightest measurement, the tolerance it is held to and their ratio (<= 1 passes), in the units the "
            "measurement states (e.g. std.err for Monte Carlo checks), and where the tolerance comes from."
        ),
        epilog=_epilog(
            "lazyrich verify                            # every claim, on every core",
            "lazyrich verify 'conservation*' | cat      # a glob over claim ids; status lines on stderr",
            "lazyrich verify lazy_to_rich. --json > results.json",
            "lazyrich verify --module my_claims -j 1    # also your own claim module, in-process",
            "lazyrich verify get_rich_quick --certified # also the Arb-enclosure checks",
        ),
        formatter_class=_RAW,
    )
    v.add_argument(
        "pattern", nargs="?", default=None, help="glob (lazy_to_rich.*) or substring of claim ids (default: all)"
    )
    v.add_argument(
        "--json",
        action="store_true",
        help="print a JSON list: per claim statuses, error, tolerance, ratio, unit, what, tolerance_from, details",
    )
    v.add_argument("--jobs", "-j", type=jobs_count, default=0, help="worker processes (0 = every core, 1 = in-process)")
    v.add_argument("--module", "-m", action="append", default=[], help="extra module of claims to import (repeatable)")
    v.add_argument(
        "--certified",
        action="store_true",
        help="also check float64 values against Arb enclosures (python-flint, a core dependency)",
    )
    _progress_options(v)
    v.set_defaults(func=_cmd_verify)

    st = sub.add_parser(
        "stress",
        help="error of every evaluation path of the exact solutions vs Arb enclosures",
        description=_wrap(
            "Evaluate each exact solution's hard cases with every backend (direct and stable forms; "
            "float64 and mpmath at 15, 30, 60 digits) on a log-spaced time grid, and bound the error against certified "
            "Arb references. The papers' direct forms are expected to fail at large t (the report shows where); the "
            "exit status is 1 only when a stable form (the one lazyrich's solutions evaluate) fails: error > 1e-3 or "
            "an overflow."
        ),
        epilog=_epilog(
            "lazyrich stress                                # every model (about 15 s)",
            "lazyrich stress aligned --t-max 1e3 --n-times 8",
            "lazyrich stress two_layer --plot err.png --style paper",
            "lazyrich stress mixed --json > mixed.json",
        ),
        formatter_class=_RAW,
    )
    st.add_argument(
        "model",
        nargs="?",
        default=None,
        choices=("two_layer", "aligned", "mixed", "single_neuron"),
        help="one exact solution (default: all four)",
    )
    st.add_argument(
        "--t-max", type=positive_number, default=1e6, help="largest time of the log-spaced grid (default 1e6)"
    )
    st.add_argument(
        "--n-times", type=positive_count, default=36, help="points of the log-spaced grid from 0.1 (default 36)"
    )
    st.add_argument("--json", action="store_true", help="print JSON instead of a table")
    st.add_argument("--plot", default=None, metavar="FILE", help="write a PNG of error vs t (needs matplotlib)")
    _style_option(st)
    _progress_options(st)
    st.set_defaults(func=_cmd_stress)

    c = sub.add_parser(
        "claims",
        help="list the registered claims",
        description=_wrap(
            "List the claims matching PATTERN: id, the checks each carries (S symbolic, N numeric, "
            "C certified; h marks a heuristic claim) and the title."
        ),
        epilog=_epilog(
            "lazyrich claims                     # every claim",
            "lazyrich claims 'mixed_dynamics.*'  # a glob over claim ids",
            "lazyrich claims conservation --json",
            "lazyrich claims demo. --module my_claims",
        ),
        formatter_class=_RAW,
    )
    c.add_argument(
        "pattern", nargs="?", default=None, help="glob (lazy_to_rich.*) or substring of claim ids (default: all)"
    )
    c.add_argument("--json", action="store_true", help="print a JSON list (id, title, source, checks, heuristic)")
    c.add_argument("--module", "-m", action="append", default=[], help="extra module of claims to import (repeatable)")
    c.set_defaults(func=_cmd_claims)

    x = sub.add_parser(
        "latex",
        help="export the claims as LaTeX printed from the verified SymPy objects",
        description=_wrap(
            "Print the claims' statements and derivations as LaTeX from the same SymPy objects the "
            "checks verify: a standalone document (one section per paper, with each claim's status) or a fragment of "
            "labelled equations for \\input."
        ),
        epilog=_epilog(
            "lazyrich latex -o claims.tex                           # a standalone document",
            "lazyrich latex 'lazy_to_rich.*' --fragment -o eqs.tex  # labelled equations only",
            "lazyrich latex --checks symbolic -o claims.tex         # skip the numeric checks",
            "lazyrich verify --json > r.json && lazyrich latex --results r.json -o claims.tex",
        ),
        formatter_class=_RAW,
    )
    x.add_argument("pattern", nargs="?", default=None, help="glob or substring of claim ids (default: all)")
    x.add_argument("-o", "--output", default=None, help="write to FILE (default: stdout)")
    mode = x.add_mutually_exclusive_group()
    mode.add_argument("--standalone", action="store_true", help="a complete document (default when FILE ends in .tex)")
    mode.add_argument("--fragment", action="store_true", help="only the labelled equations, for \\input")
    x.add_argument("--notation", default=None, help="TOML file mapping symbol names to LaTeX (see README)")
    x.add_argument(
        "--style",
        choices=("domine", "kunin", "tu"),
        default=None,
        help="a paper's own notation (transpose symbol, identity, symbol names); --notation is laid over it",
    )
    x.add_argument("--results", default=None, help="reuse the output of `lazyrich verify --json` for the statuses")
    x.add_argument(
        "--checks",
        choices=("all", "symbolic", "none"),
        default="all",
        help="checks to run for the standalone document (symbolic: derivations without numeric status)",
    )
    x.add_argument("--strict", action="store_true", help="exit 1 when some statement or step could not be printed")
    x.add_argument("--jobs", "-j", type=jobs_count, default=0, help="worker processes (0 = every core, 1 = in-process)")
    x.add_argument("--module", "-m", action="append", default=[], help="extra module of claims to import (repeatable)")
    x.set_defaults(func=_cmd_latex)

    sw = sub.add_parser(
        "sweep",
        help="run a parameter sweep (TOML SPEC) on Dask, storing each point as it finishes",
        description=_wrap(
            "Run the grid of a TOML SPEC in parallel (local Dask cluster by default), storing each "
            "point in SQLite as it finishes; --resume continues an interrupted sweep. A point that raises is stored "
            "as an error row (exit 1)."
        ),
        epilog=_epilog(
            "lazyrich sweep --list                                      # the sweep functions",
            "lazyrich sweep benchmarks/sweeps/phase_diagram_small.toml --plot map.png",
            "lazyrich sweep phase.toml --scheduler processes:4 --out phase.sqlite",
            "lazyrich sweep phase.toml --resume --retry-failed",
            "lazyrich sweep phase.toml --scheduler tcp://10.0.0.5:8786  # an existing Dask cluster",
        ),
        formatter_class=_RAW,
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
    _style_option(sw)
    _progress_options(sw)
    sw.set_defaults(func=_cmd_sweep)

    ck = sub.add_parser(
        "check",
        help="run the claims that one module or .py file of yours defines",
        description=_wrap(
            "Import MODULE_OR_FILE and run exactly the claims its import registers "
            "(lazyrich.claim with checks, or lazyrich.solution_claim), with the `verify` table."
        ),
        epilog=_epilog("lazyrich check my_claims.py", "lazyrich check my_package.claims --json"),
        formatter_class=_RAW,
    )
    ck.add_argument("target", metavar="MODULE_OR_FILE", help="a module name or a .py file that registers claims")
    ck.add_argument("--json", action="store_true", help="print a JSON list instead of a table")
    ck.set_defaults(func=_cmd_check)

    mu = sub.add_parser(
        "mutate",
        help="mutation testing: change each claim's statement, check that its checks fail",
        description=_wrap(
            "Change each matching claim's statement in small ways that make it false (negate or drop a "
            "term, scale a coefficient, remove a transpose, raise an exponent) and check that the claim's checks fail "
            "on each mutant. A survivor must be listed in the claim's `equivalent` with a reason."
        ),
        epilog=_epilog(
            "lazyrich mutate conservation_delta    # one claim",
            "lazyrich mutate 'lazy_to_rich.*' -j 2 --json > mutants.json",
            "lazyrich mutate --all                 # also list survivors of claims that ignore their statement",
        ),
        formatter_class=_RAW,
    )
    mu.add_argument("pattern", nargs="?", default=None, help="glob or substring of claim ids (default: all)")
    mu.add_argument("--json", action="store_true", help="print a JSON list instead of a table")
    mu.add_argument(
        "--jobs", "-j", type=jobs_count, default=0, help="worker processes (0 = every core, 1 = in-process)"
    )
    mu.add_argument("--module", "-m", action="append", default=[], help="extra module of claims to import (repeatable)")
    mu.add_argument("--all", action="store_true", help="also list the survivors of claims that ignore their statement")
    mu.set_defaults(func=_cmd_mutate)
    return p


def _cmd_latex(args: argparse.Namespace) -> int:
    from .._claims.latex import export_latex
    from .._claims.notation import DEFAULT_NOTATION, Notation

    check_output_path(args.output, "-o/--output")
    base = Notation.style(args.style) if args.style else DEFAULT_NOTATION
    notation = Notation.from_toml(args.notation, base) if args.notation else base
    fragment = args.fragment or not (args.standalone or (args.output or "").endswith(".tex"))
    selected = load_claims(args.module).select(args.pattern)
    if not selected:
        return _no_match(args.pattern)
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
        print("lazyrich sweep: error: give a SPEC file (or --list to see the sweep functions)", file=sys.stderr)
        return 2
    check_output_path(args.plot, "--plot")
    out = args.out or default_out(args.spec)
    try:
        df = sweep(
            args.spec,
            scheduler=args.scheduler,
            out=out,
            resume=args.resume,
            retry_failed=args.retry_failed,
            progress=args.progress,
        )
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

        style = {"style": args.style} if args.style != "default" else {}
        plot_sweep(df, args.plot, value=args.plot_value, x=args.plot_x, y=args.plot_y, **style)
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
        print(results_table(results))
        print(results_summary(results, f" from {args.target}"))
    report_failures(failed)
    return 1 if failed else 0


def _cmd_mutate(args: argparse.Namespace) -> int:
    from .mutate import mutate, mutation_text

    if args.command_line and os.environ.get("PYTHONHASHSEED") != "0":
        # SymPy orders the terms of some sums and products by hash, and a mutant's label is its path in the
        # tree: one fixed hash seed makes every label (and so every `equivalent` entry) the same in every run
        os.execve(
            sys.executable, [sys.executable, "-m", "lazyrich", *sys.argv[1:]], {**os.environ, "PYTHONHASHSEED": "0"}
        )
    if not load_claims(args.module).select(args.pattern):
        return _no_match(args.pattern)
    reports = mutate(args.pattern, jobs=args.jobs, modules=args.module)
    if args.json:
        print(json.dumps([r.as_dict() for r in reports], indent=2))
    else:
        print(mutation_text(reports, all_survivors=args.all))
    for r in reports:
        if not r.baseline:
            print(f"FAILED {r.id}: the claim fails on its own statement (`lazyrich verify {r.id}`)", file=sys.stderr)
        elif r.unexplained:
            print(f"FAILED {r.id}: {len(r.unexplained)} unexplained survivor(s)", file=sys.stderr)
    return 1 if any(r.unexplained or not r.baseline for r in reports) else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (:data:`EXIT_CODES`)."""
    args = build_parser().parse_args(argv)  # a usage error exits 2 (argparse)
    args.command_line = argv is None  # the process is this command (not a caller of main)
    try:
        return args.func(args)
    except LazyrichError as exc:
        print(f"lazyrich: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader went away (`| head`): stop quietly, as SIGPIPE would
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error when Python flushes stdout
        return 141
    except (OSError, json.JSONDecodeError) as exc:  # a missing or unreadable file, a --results that is not JSON
        print(f"lazyrich: error: {exc}", file=sys.stderr)
        return 2
    except UnicodeDecodeError as exc:  # a binary file where a text file (TOML, JSON, Python) was expected
        print(f"lazyrich: error: a file is not UTF-8 text ({exc.reason} at byte {exc.start})", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\nlazyrich: interrupted", file=sys.stderr)
        return 130
