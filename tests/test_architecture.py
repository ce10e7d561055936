"""The package's shape, checked from its source: layers, import cycles, private names, file sizes.

The engine is a stack of layers that import only downwards::

    _base -> _numerics -> _exact | _simulate -> _symbolic -> _claims -> _tools -> public facade

(``_exact`` and ``_simulate`` are siblings and never import each other; the facade is
``lazyrich/__init__.py`` and the public namespaces ``certified``, ``sweep``, ``symbolic``.)
Every ``import`` statement counts, wherever it stands: a deferred import inside a function
closes a cycle just as well as one at the top of a module.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "lazyrich"
MAX_LINES = 600

LAYERS = {"_base": 0, "_numerics": 1, "_exact": 2, "_simulate": 2, "_symbolic": 3, "_claims": 4, "_tools": 5}
FACADE = 6
SIBLINGS = {frozenset({"_exact", "_simulate"})}

# Underscore attributes that belong to other libraries' protocols, not to lazyrich's privacy.
# (``_mpf_`` is mpmath's raw number, the documented way to build an mpf exactly.)
FOREIGN_PROTOCOL = ("_repr_latex_", "_asdict", "_replace", "_fields", "_make", "_print_", "_hprint_", "_latex", "_mpf_")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def package_modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


@cache
def parsed(path: Path) -> ast.Module:
    return ast.parse(path.read_text(), filename=str(path))


def absolute(mod: str, path: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = mod if path.name == "__init__.py" else mod.rpartition(".")[0]
    base = package.split(".")
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def imports(mod: str, path: Path):
    """``(target module, imported name or None, line)`` for every import in the file."""
    known = package_modules()
    for node in ast.walk(parsed(path)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, None, node.lineno
        elif isinstance(node, ast.ImportFrom):
            target = absolute(mod, path, node)
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                if sub in known:
                    yield sub, None, node.lineno
                else:
                    yield target, alias.name, node.lineno


def internal_edges() -> dict[str, set[str]]:
    known = package_modules()
    graph: dict[str, set[str]] = {m: set() for m in known}
    for mod, path in known.items():
        for target, _, _ in imports(mod, path):
            if target in known and target != mod:
                graph[mod].add(target)
    return graph


def layer(mod: str) -> tuple[int, str | None]:
    parts = mod.split(".")
    if len(parts) >= 2 and parts[1] in LAYERS:
        return LAYERS[parts[1]], parts[1]
    return FACADE, None


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm; the components with more than one module are the cycles."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(max(10_000, sys.getrecursionlimit()))
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def defined_here(tree: ast.Module) -> set[str]:
    """Names a file defines itself: functions, classes, assignment targets and attributes it sets."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            names.add(node.attr)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


def own_receiver(node: ast.expr) -> bool:
    """``self._x``, ``cls._x``, ``super()._x``: a class's own (or inherited framework) attributes."""
    if isinstance(node, ast.Name):
        return node.id in {"self", "cls"}
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "super"


def foreign_private_attributes(path: Path) -> list[str]:
    """``x._name`` where ``_name`` is not defined in this file (so it is another module's private name)."""
    tree = parsed(path)
    own = defined_here(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and is_private(node.attr) and node.attr not in own:
            if node.attr.startswith(FOREIGN_PROTOCOL) or own_receiver(node.value):
                continue
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}: .{node.attr}")
    return found


def python_files(*folders: str) -> list[Path]:
    return [p for f in folders for p in sorted((ROOT / f).rglob("*.py")) if ".ipynb_checkpoints" not in p.parts]


# ------------------------------------------------------------------------------------------ the tests
def test_the_walker_sees_the_whole_package():
    mods = package_modules()
    assert "lazyrich._exact.aligned" in mods and "lazyrich._tools.sweep.engine" in mods
    assert len(mods) > 30


def test_no_import_cycle_module_level_or_deferred():
    cycles = strongly_connected(internal_edges())
    assert not cycles, "import cycles (every import counts, deferred ones too):\n" + "\n".join(map(str, cycles))


def test_cycle_detector_finds_a_planted_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert strongly_connected(graph) == [["a", "b", "c"]]


def test_layers_import_only_downwards():
    bad = []
    for mod, targets in internal_edges().items():
        lm, nm = layer(mod)
        for target in targets:
            lt, nt = layer(target)
            if lt > lm or (nm != nt and frozenset({nm, nt}) in SIBLINGS):
                bad.append(f"{mod} -> {target}")
    assert not bad, "imports against the layer order:\n" + "\n".join(sorted(bad))


def test_engine_never_depends_on_its_content():
    bad = [
        f"{mod}:{line} imports {target}"
        for mod, path in package_modules().items()
        for target, _, line in imports(mod, path)
        if target.split(".")[0] in {"derivations", "tests", "benchmarks", "notebooks"}
    ]
    assert not bad, "\n".join(bad)


def test_no_private_name_imported_across_modules():
    bad = []
    for folder in ("lazyrich", "derivations", "tests", "benchmarks"):
        for path in python_files(folder):
            mod = module_name(path)
            for target, name, line in imports(mod, path):
                if name is not None and is_private(name):
                    bad.append(f"{path.relative_to(ROOT)}:{line}: from {target} import {name}")
    assert not bad, "private names imported across modules:\n" + "\n".join(bad)


def test_no_private_attribute_of_another_module_is_read():
    bad = [hit for folder in ("lazyrich", "derivations", "tests", "benchmarks") for hit in _attribute_hits(folder)]
    assert not bad, "private attributes read outside the module that defines them:\n" + "\n".join(bad)


def _attribute_hits(folder: str) -> list[str]:
    return [hit for path in python_files(folder) for hit in foreign_private_attributes(path)]


def test_content_uses_only_the_public_api():
    public = {"lazyrich", "lazyrich.certified", "lazyrich.sweep", "lazyrich.symbolic"}
    bad = []
    for folder in ("derivations", "benchmarks", "notebooks"):
        for path in python_files(folder):
            mod = module_name(path)
            for target, _, line in imports(mod, path):
                if target.startswith("lazyrich") and target not in public:
                    bad.append(f"{path.relative_to(ROOT)}:{line}: {target}")
    assert not bad, "derivations, benchmarks and notebooks use only the public API:\n" + "\n".join(bad)


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_file_over_the_size_limit(path):
    lines = path.read_text().splitlines()
    if len(lines) > MAX_LINES:
        assert lines[0].startswith("# size:"), f"{len(lines)} lines; split it, or give a one-line '# size:' reason"


def test_docstrings_cite_the_papers_not_the_digests():
    hits = [
        f"{path.relative_to(ROOT)}:{i}"
        for path in python_files("lazyrich", "derivations")
        for i, line in enumerate(path.read_text().splitlines(), 1)
        if "digest" in line.lower()
    ]
    assert not hits, "the digests are not part of the project; cite the paper's own numbering:\n" + "\n".join(hits)


def test_import_is_light():
    code = (
        "import sys, lazyrich\n"
        "heavy = [m for m in ('sympy', 'scipy.integrate') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
        "lazyrich.canonicalize  # a lazy name loads on first use\n"
        "assert 'sympy' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_every_public_name_resolves():
    import lazyrich

    missing = [name for name in lazyrich.__all__ if not hasattr(lazyrich, name)]
    assert not missing
    for namespace in (lazyrich.certified, lazyrich.sweep, lazyrich.symbolic):
        assert all(hasattr(namespace, name) for name in namespace.__all__)
