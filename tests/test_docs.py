"""The reference documentation (``docs/``): it builds with warnings as errors, and its examples run.

One Sphinx build (``sphinx-build -W -b html``, in a subprocess, into a temporary folder) serves all the
checks of the generated pages: the claims catalogue lists every registered claim, the API reference
every public name, the command-line reference every subcommand, and every notebook has its page with
its figure. The ``>>>`` examples of the hand-written pages run as doctests.
"""

from __future__ import annotations

import doctest
import html
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import lazyrich

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = sorted(p for p in DOCS.rglob("*.rst") if "_build" not in p.parts)

if not os.environ.get("CI"):  # CI installs the docs extra (in .[test]) and must not skip
    pytest.importorskip("sphinx")
    pytest.importorskip("numpydoc")
    pytest.importorskip("myst_parser")


def _text(path: Path) -> str:
    return html.unescape(path.read_text(encoding="utf-8"))


def _check_claims_catalogue(out: Path) -> None:
    page = _text(out / "claims.html")
    headings = re.findall(r'<h3><code class="docutils literal notranslate"><span class="pre">([\w.]+)</span>', page)
    # the registered claims as a fresh interpreter sees them (this process may hold toy claims of other tests)
    listing = subprocess.run(
        [sys.executable, "-c", "import lazyrich; print(*(c.id for c in lazyrich.load_claims()))"],
        capture_output=True,
        text=True,
        check=True,
    )
    ids = listing.stdout.split()
    assert sorted(headings) == sorted(ids)  # every registered claim, once
    assert page.count('class="math notranslate nohighlight"') >= len(ids)  # each statement as display math
    assert page.count("Established by") == len(ids)


def _check_api_reference(out: Path, module: str) -> None:
    page = _text(out / "api" / f"{module}.html")
    namespace = importlib.import_module(module)
    missing = [
        name
        for name in namespace.__all__
        if not isinstance(getattr(namespace, name), type(lazyrich)) and f'id="{module}.{name}"' not in page
    ]
    if module != "lazyrich":  # names that are also lazyrich.NAME are indexed there, documented here too
        missing = [n for n in missing if f'<span class="sig-name descname"><span class="pre">{n}</span>' not in page]
    assert not missing, (module, missing)


def _check_cli_and_notebooks(out: Path) -> None:
    cli = _text(out / "cli.html")
    for cmd in ("verify", "stress", "claims", "latex", "sweep", "check", "mutate"):
        assert f"usage: lazyrich {cmd}" in cli, cmd
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        page = _text(out / "notebooks" / f"{nb.stem}.html")
        assert f"notebooks/{nb.name}" in page
        if (ROOT / "notebooks" / "figures" / f"{nb.stem}.png").is_file():
            assert f'src="../_images/{nb.stem}.png"' in page, nb.stem


@pytest.mark.slow
def test_docs_build_with_warnings_as_errors(tmp_path):
    """One build (about 15 s of CPU) for all the checks: a test per page would build once per xdist worker."""
    out = tmp_path / "html"
    cmd = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html", str(DOCS), str(out)]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=400)
    assert proc.returncode == 0, f"sphinx-build -W failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-6000:]}"
    assert "WARNING" not in proc.stderr, proc.stderr
    _check_claims_catalogue(out)
    for module in ("lazyrich", "lazyrich.certified", "lazyrich.sweep", "lazyrich.symbolic"):
        _check_api_reference(out, module)
    _check_cli_and_notebooks(out)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(DOCS)))
def test_docs_pages_doctests(page):
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    result = doctest.testfile(str(page), module_relative=False, optionflags=flags, verbose=False)
    assert result.failed == 0


def test_docs_extension_doctests():
    spec = importlib.util.spec_from_file_location("lazyrich_docs", DOCS / "_ext" / "lazyrich_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, verbose=False)
    assert result.failed == 0 and result.attempted > 0
