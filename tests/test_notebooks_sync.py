"""Each jupytext ``py:percent`` notebook has a paired ``.ipynb`` equal to its conversion.

The ``.py`` file is the source of truth; ``--nbmake`` executes the ``.ipynb``.
Regenerate with ``jupytext --to ipynb notebooks/NAME.py``.
"""

from pathlib import Path

import jupytext
import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
SOURCES = sorted(p for p in NOTEBOOKS.glob("*.py") if p.name != "conftest.py")


def _cells(nb):
    return [(c.cell_type, c.source) for c in nb.cells]


def test_there_are_notebooks():
    assert SOURCES, f"no notebooks in {NOTEBOOKS}"


@pytest.mark.parametrize("source", SOURCES, ids=[p.stem for p in SOURCES])
def test_paired_ipynb_matches_its_source(source):
    paired = source.with_suffix(".ipynb")
    assert paired.exists(), f"missing {paired.name}: run `jupytext --to ipynb notebooks/{source.name}`"
    expected = jupytext.read(source)
    actual = jupytext.read(paired)
    assert _cells(actual) == _cells(expected), f"{paired.name} is out of sync with {source.name}: re-run jupytext"
    assert all(not c.get("outputs") for c in actual.cells if c.cell_type == "code"), "commit notebooks without outputs"


@pytest.mark.parametrize("source", SOURCES, ids=[p.stem for p in SOURCES])
def test_notebook_uses_only_the_public_api(source):
    text = source.read_text()
    assert "lazyrich._" not in text and "from lazyrich._" not in text, "notebooks use the public API only"
