"""CI gate of issue 14: ``lazyrich mutate --json`` over every registered claim kills every mutant of every
statement, except those listed as equivalent (with a reason) beside their claim.

This is the slowest test of the suite (the whole mutation run, in 2 worker processes, as the README says);
it runs once, in a subprocess, exactly as a user would run the command.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

#: wall-clock limit of the whole mutation run (issue 14: under 10 minutes on 2 cores)
LIMIT_SECONDS = 600

# Opt-in until the whole run is measured under LIMIT_SECONDS on 2 idle cores (issue 14 stays open for it):
# `LAZYRICH_MUTATION_CI=1 pytest tests/test_mutation_ci.py`.
pytestmark = pytest.mark.skipif(
    os.environ.get("LAZYRICH_MUTATION_CI") != "1", reason="the full mutation run is opt-in: LAZYRICH_MUTATION_CI=1"
)


@pytest.fixture(scope="module")
def mutation_report():
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "lazyrich", "mutate", "--json", "--jobs", "2"],
        capture_output=True,
        text=True,
        timeout=LIMIT_SECONDS * 2,
        env=env,
    )
    assert proc.stdout.strip(), proc.stderr[-3000:]
    return proc.returncode, json.loads(proc.stdout)


def _rows(report):
    return report["claims"] if isinstance(report, dict) else report


def test_every_claim_reads_its_statement_and_passes_on_it(mutation_report):
    _, report = mutation_report
    rows = _rows(report)
    assert rows, "no claim was mutated"
    assert [r["id"] for r in rows if not r["reads_statement"]] == []
    assert [r["id"] for r in rows if not r["baseline_passes"]] == []


def test_every_mutant_is_killed_or_listed_as_equivalent(mutation_report):
    code, report = mutation_report
    unexplained = {r["id"]: [s["mutant"] for s in r["survivors"] if not s["equivalent"]] for r in _rows(report)}
    unexplained = {k: v for k, v in unexplained.items() if v}
    assert unexplained == {}
    assert code == 0
