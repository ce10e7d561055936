"""Running claims: find the claim modules (entry points), run their checks (optionally in parallel)."""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from importlib.metadata import entry_points

from .._base.errors import ClaimError, InvalidParameterError
from .._base.validation import as_flag, positive_int
from .model import REGISTRY, Claim, ClaimResult, Registry, run_claim

__all__ = ["ENTRY_POINT_GROUP", "load_claims", "verify"]

#: The entry-point group through which installed packages provide claim modules.
ENTRY_POINT_GROUP = "lazyrich.claims"


def load_claims(modules: Sequence[str] = ()) -> Registry:
    """Import every installed claim module, and ``modules``; return :data:`lazyrich.REGISTRY`.

    Claim modules are found through the ``lazyrich.claims`` entry-point group: each entry
    names a module (or package) whose import registers its claims in :data:`lazyrich.REGISTRY`
    (and its papers with :func:`lazyrich.register_paper`). This project registers its
    ``derivations`` package; another package adds its claims, without editing lazyrich, by
    declaring in its ``pyproject.toml``::

        [project.entry-points."lazyrich.claims"]
        my_claims = "my_package.claims"

    and being installed (``pip install -e .`` after editing the entry points). ``modules``
    (``lazyrich verify --module M``) are imported as well, for claim modules not installed.

    Raises
    ------
    ClaimError
        When an entry point or a module cannot be imported; the message names it.
    """
    modules = _module_names(modules)
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            ep.load()
        except Exception as exc:  # any failure while importing the claims, named by its entry point
            dist = getattr(ep.dist, "name", None) or "an installed package"
            raise ClaimError(
                f"cannot load claim entry point {ep.name!r} = {ep.value!r} (group {ENTRY_POINT_GROUP!r}, from {dist}): "
                f"{type(exc).__name__}: {exc}"
            ) from exc
    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError as exc:
            raise ClaimError(f"cannot import claim module {name!r}: {exc}") from exc
    return REGISTRY


def _module_names(modules) -> tuple[str, ...]:
    """``modules`` as a tuple of module names (a bare string would be read as its characters)."""
    if isinstance(modules, (str, bytes)) or not isinstance(modules, (list, tuple)):
        raise InvalidParameterError(f"modules must be a list or tuple of module names; got {modules!r:.60}")
    for name in modules:
        if not isinstance(name, str) or not name:
            raise InvalidParameterError(f"a claim module name is a non-empty string; got {name!r:.60}")
    return tuple(modules)


def _worker_run(cid: str, certified: bool = False) -> ClaimResult:
    return run_claim(REGISTRY[cid], certified=certified)


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
        Worker processes (a non-negative integer); ``1`` runs in this process, ``0`` uses every core.
    modules : sequence of str
        Extra claim modules to import besides the installed ones (see :func:`load_claims`).
    registry : Registry, optional
        Run these claims instead of the default registry (always in-process).
    certified : bool
        Also run each claim's certified (Arb enclosure) check; ``n/a`` where it has none.

    Returns
    -------
    list of ClaimResult, in registry order.
    """
    if pattern is not None and not isinstance(pattern, str):
        raise InvalidParameterError(f"pattern must be a string (a glob or substring of claim ids); got {pattern!r:.60}")
    jobs = positive_int(jobs, "jobs", minimum=0, hint="0 = every core, 1 = in-process")
    modules = _module_names(modules)
    certified = as_flag(certified, "certified")
    if on_result is not None and not callable(on_result):
        raise InvalidParameterError(f"on_result must be a callable or None; got {on_result!r:.60}")
    if registry is not None and not isinstance(registry, Registry):
        raise InvalidParameterError(f"registry must be a lazyrich Registry or None; got {type(registry).__name__}")
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
            max_workers=min(jobs, len(selected)), initializer=load_claims, initargs=(tuple(modules),)
        ) as pool:
            futures = {pool.submit(_worker_run, c.id, certified): c.id for c in selected}
            for fut in as_completed(futures):
                r = fut.result()
                results[r.id] = r
                if on_result:
                    on_result(r)
    return [results[c.id] for c in selected]
