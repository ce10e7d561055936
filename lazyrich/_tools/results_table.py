"""The table of claim results that ``lazyrich verify`` and ``lazyrich check`` print.

Per claim: the statuses of its checks, ``error / tolerance = ratio`` of its tightest measurement (in the
units the measurement states, e.g. standard errors), the seconds, and how the tolerance is derived.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from .._claims.model import ClaimResult

__all__ = ["held_to", "report_failures", "results_summary", "results_table"]


def _num(x: float) -> str:
    """3 significant digits; exponent form only outside [1e-3, 1e4)."""
    return f"{x:.3g}" if x == 0 or 1e-3 <= abs(x) < 1e4 else f"{x:.2e}"


def held_to(r: ClaimResult) -> str:
    """``"error unit / tolerance unit = ratio"`` of the claim's tightest measurement (``exact`` for a proof alone).

    >>> from lazyrich import CheckResult
    >>> num = CheckResult("pass", 1.83, error=1.83, tolerance=5.0, tolerance_from="5 standard errors (CLT)")
    >>> held_to(ClaimResult("demo.mc", CheckResult("n/a"), num))
    '1.83 std.err / 5 std.err = 0.37'
    >>> held_to(ClaimResult("demo.proof", CheckResult("pass", 0.0), CheckResult("n/a")))
    'exact (symbolic)'
    """
    t = r.tightest
    if t is None:
        return "exact (symbolic)" if r.symbolic.status == "pass" else "-"
    unit = f" {t.unit}" if t.unit else ""
    if t.tolerance == 0 and t.error == 0:
        return "0 (exact: tolerance 0)"
    ratio = t.ratio
    shown = f"{ratio:.2f}" if 0.01 <= ratio < 1000 else ("0" if ratio == 0 else f"{ratio:.1e}")
    return f"{_num(t.error)}{unit} / {_num(t.tolerance)}{unit} = {shown}"


def results_table(results: Sequence[ClaimResult]) -> str:
    """Per claim: statuses, error / tolerance = ratio (of the tightest measurement), seconds, how the tolerance is derived."""
    w = max([len("id"), *(len(r.id) for r in results)])
    cert = any(r.certified is not None for r in results)
    head = f"  {'certified':<9}" if cert else ""
    held = [held_to(r) for r in results]
    hw = max([len("error / tolerance = ratio"), *map(len, held)])
    lines = [
        f"{'id':<{w}}  {'symbolic':<8}  {'numeric':<8}{head}  {'error / tolerance = ratio':<{hw}}  {'seconds':>7}  "
        "tolerance from"
    ]
    lines.append("-" * len(lines[0]))
    for r, h in zip(results, held):
        col = f"  {(r.certified.status if r.certified else 'n/a'):<9}" if cert else ""
        t = r.tightest
        source = (t.tolerance_from or t.what) if t else ""
        source = source if len(source) <= 60 else source[:57] + "..."
        lines.append(
            f"{r.id:<{w}}  {r.symbolic.status:<8}  {r.numeric.status:<8}{col}  {h:<{hw}}  {r.seconds:7.2f}  {source}"
        )
    return "\n".join(lines)


def results_summary(results: Sequence[ClaimResult], where: str) -> str:
    """``N passed, M failed (...)`` and the claim closest to its tolerance."""
    failed = sum(not r.passed for r in results)
    total = sum(r.seconds for r in results)
    text = f"\n{len(results) - failed} passed, {failed} failed ({len(results)} claims{where}, {total:.1f} s of checks)"
    measured = [r for r in results if r.tightest is not None and r.passed]
    if measured:
        closest = max(measured, key=lambda r: r.tightest.ratio)
        text += f"\nclosest to its tolerance: {closest.id} ({held_to(closest)})"
    return text


def report_failures(results: Sequence[ClaimResult]) -> None:
    """One ``FAILED id [check]: detail`` line on stderr per failed check."""
    for r in results:
        for kind, check in (("symbolic", r.symbolic), ("numeric", r.numeric), ("certified", r.certified)):
            if check is not None and check.status == "fail":
                print(f"FAILED {r.id} [{kind}]: {check.detail}", file=sys.stderr)
