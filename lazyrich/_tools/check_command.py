"""``lazyrich check MODULE_OR_FILE``: run the claims that one user module defines.

A user writes claims (:func:`lazyrich.claim` with checks, or :func:`lazyrich.solution_claim`) in a
module or a plain ``.py`` file; ``lazyrich check`` imports it and runs exactly the claims that its
import registered, with the ``lazyrich verify`` table.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from pathlib import Path

from .._base.errors import ClaimError
from .._claims.model import REGISTRY, Claim
from .._claims.runner import load_claims

__all__ = ["load_user_claims"]


def _import(target: str) -> None:
    path = Path(target)
    if target.endswith(".py") or path.is_file():
        if not path.is_file():
            raise ClaimError(f"no such file: {target}")
        name = f"lazyrich_user_{path.stem}_{abs(hash(str(path.resolve()))) % 10**8}"
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise ClaimError(f"cannot import {target}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        folder = str(path.resolve().parent)
        if folder not in sys.path:
            sys.path.insert(0, folder)  # so the file can import its neighbours
        try:
            spec.loader.exec_module(module)
        except Exception as exc:
            sys.modules.pop(name, None)
            raise ClaimError(f"importing {target} failed: {type(exc).__name__}: {exc}") from exc
        return
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        importlib.import_module(target)
    except ImportError as exc:
        raise ClaimError(f"cannot import claim module {target!r}: {exc}") from exc


def load_user_claims(target: str) -> list[Claim]:
    """The claims that importing ``target`` (a module name or a ``.py`` file) adds to :data:`lazyrich.REGISTRY`.

    The installed claim modules are loaded first, so that only the user's own claims are returned.
    For a module imported before (e.g. part of an installed ``lazyrich.claims`` package), the claims
    whose checks are defined in it (or in its submodules) are returned.

    >>> load_user_claims("no_such_module_xyz")
    Traceback (most recent call last):
    ...
    lazyrich._base.errors.ClaimError: cannot import claim module 'no_such_module_xyz': No module named 'no_such_module_xyz'
    """
    load_claims()
    if target in sys.modules and not target.endswith(".py"):  # imported already (e.g. an installed claim package)
        return [c for c in REGISTRY if any(_defined_in(fn, target) for fn in (c.symbolic, c.numeric, c.certified))]
    before = {c.id for c in REGISTRY}
    _import(target)
    return [c for c in REGISTRY if c.id not in before]


def _defined_in(fn, module: str) -> bool:
    name = getattr(fn, "__module__", None) or ""
    return name == module or name.startswith(module + ".")
