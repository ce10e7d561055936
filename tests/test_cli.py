"""The ``lazyrich`` command line: verify, claims, exit codes, JSON."""

import json
import os
import subprocess
import sys
import textwrap

from lazyrich._tools.cli import main

BROKEN = textwrap.dedent(
    '''
    """A deliberately broken claim: (x + 1)^2 = x^2 + 1 is false."""
    import sympy as sp
    from lazyrich import Measurement, Proof, Source, claim

    x = sp.Symbol("x")
    broken = claim("demo.broken_square", "a false expansion", Source("demo", "test"),
                   statement=lambda: [sp.Eq((x + 1) ** 2, x**2 + 1)])
    broken.symbolic_check(lambda: Proof(residuals=[(x + 1) ** 2 - (x**2 + 1)]))
    fine = claim("demo.fine", "a true bound", Source("demo", "test"))
    fine.numeric_check(lambda: Measurement(1e-3, 1e-2, "fine"))
    '''
)


def _run(args, tmp_path):
    (tmp_path / "broken_claims.py").write_text(BROKEN)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run(
        [sys.executable, "-m", "lazyrich", *args], capture_output=True, text=True, env=env, timeout=300
    )


def test_broken_claim_fails_verify_and_names_the_claim_and_reason(tmp_path):
    import lazyrich

    assert "demo" not in lazyrich.PAPERS  # the demo paper is unregistered; ids only need the prefix to match
    r = _run(["verify", "demo.", "--module", "broken_claims", "--jobs", "2"], tmp_path)
    assert r.returncode == 1, r.stderr
    assert "FAILED demo.broken_square [symbolic]" in r.stderr
    assert "not identically zero" in r.stderr
    assert "demo.fine" in r.stdout and "1 passed, 1 failed" in r.stdout


def test_json_output(tmp_path):
    r = _run(["verify", "demo.fine", "--module", "broken_claims", "--json"], tmp_path)
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert rows[0]["id"] == "demo.fine"
    assert rows[0]["symbolic"] == "n/a" and rows[0]["numeric"] == "pass"
    assert rows[0]["max_error"] == 1e-3 and rows[0]["seconds"] >= 0


def test_unknown_module_is_a_clear_error(tmp_path):
    r = _run(["verify", "--module", "no_such_claims_module"], tmp_path)
    assert r.returncode == 2 and "cannot import claim module 'no_such_claims_module'" in r.stderr


def _install_entry_point(tmp_path, name, value):
    """A minimal installed distribution in ``tmp_path`` declaring ``name = value`` in the ``lazyrich.claims`` group."""
    dist = tmp_path / "demo_claims-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: demo-claims\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(f"[lazyrich.claims]\n{name} = {value}\n")


def test_claim_modules_are_found_through_the_entry_point(tmp_path):
    _install_entry_point(tmp_path, "demo", "broken_claims")
    r = _run(["claims", "demo."], tmp_path)  # no --module: the entry point names the module
    assert r.returncode == 0, r.stderr
    assert "demo.broken_square" in r.stdout and "demo.fine" in r.stdout
    r = _run(["verify", "demo.", "--jobs", "2"], tmp_path)  # the worker processes find it the same way
    assert r.returncode == 1 and "1 passed, 1 failed" in r.stdout, r.stderr
    r = _run(["claims", "conservation_delta"], tmp_path)  # this project's own entry point still loads
    assert "get_rich_quick.conservation_delta" in r.stdout, r.stderr


def test_a_broken_entry_point_is_a_clear_error_naming_it(tmp_path):
    _install_entry_point(tmp_path, "broken", "no_such_claims_package")
    r = _run(["claims"], tmp_path)
    assert r.returncode == 2
    assert "claim entry point 'broken' = 'no_such_claims_package'" in r.stderr and "demo-claims" in r.stderr


def test_this_project_registers_its_claims_through_the_entry_point():
    from importlib.metadata import entry_points

    from lazyrich._claims.runner import ENTRY_POINT_GROUP

    assert ENTRY_POINT_GROUP == "lazyrich.claims"
    assert ("derivations", "derivations") in [(ep.name, ep.value) for ep in entry_points(group=ENTRY_POINT_GROUP)]


def test_pattern_matching_nothing_exits_2(capsys):
    assert main(["verify", "no.such.claim.anywhere"]) == 2
    assert "no claim matches" in capsys.readouterr().err


def test_claims_lists_the_conservation_laws(capsys):
    assert main(["claims", "conservation"]) == 0
    out = capsys.readouterr().out
    assert "lazy_to_rich.conservation_two_layer" in out and "get_rich_quick.conservation_delta" in out


def test_verify_in_process_and_in_parallel_agree(capsys):
    assert main(["verify", "conservation_delta", "--json", "--jobs", "1"]) == 0
    one = json.loads(capsys.readouterr().out)
    assert main(["verify", "conservation_*", "--json", "--jobs", "2"]) == 0
    many = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    assert many[one[0]["id"]]["numeric"] == one[0]["numeric"] == "pass"


def test_progress_bar_appears_only_after_its_delay():
    import io

    from lazyrich import CheckResult, ClaimResult
    from lazyrich._base.progress import ProgressBar

    r = ClaimResult("demo.x", CheckResult("pass"), CheckResult("fail"))
    quiet, shown = io.StringIO(), io.StringIO()
    bar = ProgressBar(2, delay=3600, stream=quiet, force=True)
    bar.update(r)
    assert quiet.getvalue() == ""
    bar = ProgressBar(2, delay=0.0, stream=shown, force=True)
    bar.update(r)
    assert "1/2" in shown.getvalue() and "failed 1" in shown.getvalue()


# ---------------------------------------------------------------- the table: error, tolerance, ratio
def test_verify_table_and_json_show_error_tolerance_and_ratio(tmp_path):
    r = _run(["verify", "demo.fine", "--module", "broken_claims", "-j", "1"], tmp_path)
    assert r.returncode == 0, r.stderr
    assert "error / tolerance = ratio" in r.stdout.splitlines()[0]
    assert "0.001 / 0.01 = 0.10" in r.stdout  # Measurement(1e-3, 1e-2, "fine")
    r = _run(["verify", "demo.fine", "--module", "broken_claims", "--json"], tmp_path)
    row = json.loads(r.stdout)[0]
    assert (row["error"], row["tolerance"], row["unit"], row["what"]) == (1e-3, 1e-2, "", "fine")
    assert abs(row["ratio"] - 0.1) < 1e-12


def test_a_monte_carlo_row_reads_in_standard_errors():
    from lazyrich import CheckResult, ClaimResult, Measurement
    from lazyrich._claims.model import run_numeric
    from lazyrich._tools.results_table import held_to

    m = Measurement(1.83, 4.0, "mean vs E, in standard errors", "4 standard errors (CLT)")
    row = ClaimResult("demo.mc", CheckResult("n/a"), run_numeric(lambda: [m, Measurement(1e-9, 1.0, "tiny")]))
    assert held_to(row) == "1.83 std.err / 4 std.err = 0.46"  # the tightest of the two measurements
    assert row.as_dict()["tolerance_from"] == "4 standard errors (CLT)"


# ---------------------------------------------------------------- progress on a pipe
def test_progress_on_a_pipe_prints_status_lines_and_quiet_prints_none(tmp_path):
    r = _run(["verify", "demo.", "--module", "broken_claims", "-j", "1", "--progress"], tmp_path)
    lines = [x for x in r.stderr.splitlines() if x.startswith("verify: [")]
    assert lines and "2/2" in lines[-1] and "failed 1" in lines[-1] and "claims/s" in lines[-1]
    r = _run(["verify", "demo.", "--module", "broken_claims", "-j", "1", "--quiet"], tmp_path)
    assert "verify: [" not in r.stderr and "FAILED demo.broken_square" in r.stderr


def test_status_lines_are_periodic_off_a_terminal_and_stop_on_close():
    import io
    import time

    from lazyrich._base.progress import ProgressBar

    stream = io.StringIO()
    bar = ProgressBar(3, stream=stream, interval=0.05, label="verify")  # StringIO: not a terminal
    time.sleep(0.5)  # no item finished: the status still comes, every interval
    bar.close()
    lines = stream.getvalue().splitlines()
    assert len(lines) >= 2 and all(x.startswith("verify: [") and "0/3" in x for x in lines)
    time.sleep(0.2)
    assert stream.getvalue().splitlines() == lines


def test_sweep_progress_and_summary_report_one_rate(tmp_path, capsys):
    """The last progress line and the summary count from the same start with the same formula."""
    import re

    spec = tmp_path / "s.toml"
    spec.write_text(
        f'function = "sweep_support:counting"\n[fixed]\ncounter = "{tmp_path / "c.txt"}"\ndelay = 0.3\n'
        "[grid]\nx = [1.0, 2.0, 3.0]\nseed = [0]\n"
    )
    assert main(["sweep", str(spec), "--scheduler", "threads:1", "--progress"]) == 0
    captured = capsys.readouterr()
    last = [x for x in captured.err.splitlines() if x.startswith("sweep: [")][-1]
    bar_rate = float(re.search(r"([0-9.]+) points/s", last).group(1))
    summary_rate = float(re.search(r"([0-9.]+) points/s", captured.out).group(1))
    assert "3/3" in last and abs(bar_rate - summary_rate) <= 0.15 * summary_rate
