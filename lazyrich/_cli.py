"""The ``lazyrich`` command line.

``lazyrich verify [PATTERN] [--json] [--jobs N] [--module M]`` runs claims;
``lazyrich claims [PATTERN] [--json]`` lists them.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from ._claims import ClaimResult
from ._errors import LazyrichError
from ._runner import ProgressBar, load_claims, verify

__all__ = ["main"]


def _fmt_err(x: float | None) -> str:
    return "-" if x is None else f"{x:.2e}"


def _table(results: Sequence[ClaimResult]) -> str:
    w = max([len("id"), *(len(r.id) for r in results)])
    lines = [f"{'id':<{w}}  {'symbolic':<8}  {'numeric':<8}  {'max error':>9}  {'seconds':>7}"]
    lines.append("-" * len(lines[0]))
    for r in results:
        lines.append(
            f"{r.id:<{w}}  {r.symbolic.status:<8}  {r.numeric.status:<8}  {_fmt_err(r.max_error):>9}  {r.seconds:7.2f}"
        )
    return "\n".join(lines)


def _cmd_verify(args: argparse.Namespace) -> int:
    registry = load_claims(args.module)
    selected = registry.select(args.pattern)
    if not selected:
        print(f"no claim matches {args.pattern!r}; `lazyrich claims` lists the ids", file=sys.stderr)
        return 2
    bar = ProgressBar(len(selected))
    try:
        results = verify(args.pattern, jobs=args.jobs, modules=args.module, on_result=bar.update)
    finally:
        bar.close()
    failed = [r for r in results if not r.passed]
    if args.json:
        print(json.dumps([r.as_dict() for r in results], indent=2))
    else:
        print(_table(results))
        total = sum(r.seconds for r in results)
        print(
            f"\n{len(results) - len(failed)} passed, {len(failed)} failed ({len(results)} claims, {total:.1f} s of checks)"
        )
    for r in failed:
        for kind, check in (("symbolic", r.symbolic), ("numeric", r.numeric)):
            if check.status == "fail":
                print(f"FAILED {r.id} [{kind}]: {check.detail}", file=sys.stderr)
    return 1 if failed else 0


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
    v.set_defaults(func=_cmd_verify)

    c = sub.add_parser("claims", help="list the registered claims")
    c.add_argument("pattern", nargs="?", default=None)
    c.add_argument("--json", action="store_true")
    c.add_argument("--module", "-m", action="append", default=[])
    c.set_defaults(func=_cmd_claims)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except LazyrichError as exc:
        print(f"lazyrich: error: {exc}", file=sys.stderr)
        return 2
