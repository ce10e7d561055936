"""Running claims: load the claim modules, run checks (optionally in parallel)."""

from __future__ import annotations

import importlib
import os
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed

from .._base.errors import ClaimError
from .model import REGISTRY, Claim, ClaimResult, Registry, run_claim

__all__ = ["ProgressBar", "load_claims", "verify"]

DEFAULT_MODULES = ("derivations",)


def load_claims(modules: Sequence[str] = ()) -> Registry:
    """Import the built-in claim modules (``derivations``) and any extra ones.

    Extra modules register their claims in :data:`lazyrich.REGISTRY` on import;
    this is how a user adds claims without editing lazyrich.
    """
    for name in (*DEFAULT_MODULES, *modules):
        try:
            importlib.import_module(name)
        except ImportError as exc:
            raise ClaimError(f"cannot import claim module {name!r}: {exc}") from exc
    return REGISTRY


def _worker_init(modules: Sequence[str]) -> None:
    load_claims(modules)


def _worker_run(cid: str, certified: bool = False) -> ClaimResult:
    return run_claim(REGISTRY[cid], certified=certified)


class ProgressBar:
    """A one-line progress bar on stderr, shown only after ``delay`` seconds and on a TTY."""

    def __init__(self, total: int, delay: float = 1.0, stream=None, force: bool = False) -> None:
        self.total, self.done, self.failed = total, 0, 0
        self.start = time.monotonic()
        self.delay = delay
        self.stream = stream or sys.stderr
        self.enabled = force or (hasattr(self.stream, "isatty") and self.stream.isatty())
        self.shown = False

    def update(self, result: ClaimResult) -> None:
        self.done += 1
        self.failed += not result.passed
        if not self.enabled or time.monotonic() - self.start < self.delay:
            return
        width = 30
        filled = int(width * self.done / max(self.total, 1))
        bar = "#" * filled + "-" * (width - filled)
        el = time.monotonic() - self.start
        self.stream.write(f"\r[{bar}] {self.done}/{self.total}  failed {self.failed}  {el:5.1f}s  {result.id[:40]:<40}")
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            self.stream.write("\r" + " " * 110 + "\r")
            self.stream.flush()


def verify(
    pattern: str | None = None,
    jobs: int = 1,
    modules: Sequence[str] = (),
    registry: Registry | None = None,
    on_result: Callable[[ClaimResult], None] | None = None,
    certified: bool = False,
) -> list[ClaimResult]:
    """Run the checks of every claim matching ``pattern``.

    Parameters
    ----------
    pattern : str, optional
        Glob (``lazy_to_rich.*``) or substring of the claim id.
    jobs : int
        Worker processes; ``1`` runs in this process, ``0`` uses every core.
    modules : sequence of str
        Extra claim modules to import (see :func:`load_claims`).
    registry : Registry, optional
        Run these claims instead of the default registry (always in-process).
    certified : bool
        Also run each claim's certified (Arb enclosure) check; ``n/a`` where it has none.

    Returns
    -------
    list of ClaimResult, in registry order.
    """
    if registry is None:
        registry = load_claims(modules)
        own = True
    else:
        own = False
    selected: list[Claim] = registry.select(pattern)
    if jobs == 0:
        jobs = os.cpu_count() or 1
    results: dict[str, ClaimResult] = {}
    if jobs <= 1 or len(selected) <= 1 or not own:
        for c in selected:
            r = run_claim(c, certified=certified)
            results[c.id] = r
            if on_result:
                on_result(r)
    else:
        # slowest-first would balance better, but registry order keeps output stable
        with ProcessPoolExecutor(
            max_workers=min(jobs, len(selected)), initializer=_worker_init, initargs=(tuple(modules),)
        ) as pool:
            futures = {pool.submit(_worker_run, c.id, certified): c.id for c in selected}
            for fut in as_completed(futures):
                r = fut.result()
                results[r.id] = r
                if on_result:
                    on_result(r)
    return [results[c.id] for c in selected]
