"""Done-when: SIGKILL a running `lazyrich sweep` (whole process group), resume it, and check no finished point ran twice
and the final table equals an uninterrupted run."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from sweep_support import read_counts

from lazyrich._tools.sweep.engine import load_sweep, sweep

TESTS = Path(__file__).resolve().parent
XS = [0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 1.75]
SEEDS = [0, 1]
DELAY = 0.3  # seconds per point: 16 points on 2 workers take ~2.4 s, so the kill lands mid-sweep
WORKERS = 2
# In flight at the kill: per single-threaded worker, the point it is running plus at most one finished result on its
# way to the store (0.3 s per point against a millisecond commit leaves no longer backlog).
IN_FLIGHT_MAX = 2 * WORKERS


def worker_env():
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")])}


def stored_count(path: Path) -> int:
    if not path.exists():
        return 0
    try:
        conn = sqlite3.connect(path, timeout=5)
        try:
            return conn.execute("SELECT count(*) FROM points").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.OperationalError:  # the file exists but its tables are not visible yet
        return 0


def group_gone(pgid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


def test_sigkill_then_resume_loses_only_points_in_flight(tmp_path):
    counter, out = tmp_path / "counter.txt", tmp_path / "kill.sweep.sqlite"
    spec = tmp_path / "kill.toml"
    spec.write_text(
        f'function = "sweep_support:counting"\n[fixed]\ncounter = "{counter}"\ndelay = {DELAY}\n'
        f"[grid]\nx = {XS}\nseed = {{ seeds = {len(SEEDS)} }}\n"
    )
    cmd = [sys.executable, "-m", "lazyrich", "sweep", str(spec), "--scheduler", f"processes:{WORKERS}"]
    log = open(tmp_path / "killed.log", "w")
    proc = subprocess.Popen(cmd, env=worker_env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while stored_count(out) < 3 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert proc.poll() is None, (
            "the sweep ended before it could be killed: " + (tmp_path / "killed.log").read_text()
        )
        os.killpg(proc.pid, signal.SIGKILL)  # the CLI and its LocalCluster's nannies and workers
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
        log.close()
    assert group_gone(proc.pid, timeout=20), "processes of the killed sweep survived"

    evaluated = read_counts(str(counter))  # every point whose evaluation started before the kill
    before = load_sweep(out)  # readable right after the kill (SQLite recovers the write-ahead log)
    total = len(XS) * len(SEEDS)
    assert 3 <= len(before) < total and (before["status"] == "ok").all()
    finished = set(zip(before["x"], before["seed"]))
    assert before.attrs["missing"] == total - len(finished)
    in_flight = set(evaluated) - finished  # started before the kill, never stored
    assert finished <= set(evaluated) and all(evaluated[p] == 1 for p in evaluated)
    assert len(in_flight) <= IN_FLIGHT_MAX

    # resumed in this process on threads: the store, not the scheduler, carries a sweep across runs (and this saves
    # a cluster start-up); the CLI's --resume makes the same call (tests/test_sweep_engine.py)
    resumed = sweep(spec, scheduler="threads:2", resume=True)
    summary = resumed.attrs["summary"]
    assert (summary["computed"], summary["skipped"], summary["failed"]) == (total - len(finished), len(finished), 0)

    counts = read_counts(str(counter))
    assert all(counts[p] == 1 for p in finished)  # finished points were never recomputed
    assert set(counts) == {(x, s) for x in XS for s in SEEDS}
    # exactly the points in flight at the kill ran twice; every other point ran once
    assert {p for p, n in counts.items() if n == 2} == in_flight and max(counts.values()) <= 2

    final = load_sweep(out)
    reference = sweep(
        {
            "function": "sweep_support:counting",
            "fixed": {"counter": str(tmp_path / "reference.txt"), "delay": 0.0},
            "grid": {"x": XS, "seed": SEEDS},
        },
        scheduler="threads",
    )
    columns = ["x", "seed", "y", "even", "label", "status"]
    assert final.attrs["missing"] == 0
    assert final[columns].equals(reference[columns])  # exact: the function is deterministic


def test_sigint_stops_cleanly_with_exit_130_and_the_stored_points_resume(tmp_path):
    counter, out = tmp_path / "counter.txt", tmp_path / "int.sweep.sqlite"
    spec = tmp_path / "int.toml"
    spec.write_text(
        f'function = "sweep_support:counting"\n[fixed]\ncounter = "{counter}"\ndelay = 0.2\n'
        f"[grid]\nx = {XS}\nseed = {{ seeds = {len(SEEDS)} }}\n"
    )
    cmd = [sys.executable, "-m", "lazyrich", "sweep", str(spec), "--scheduler", "threads:2"]
    proc = subprocess.Popen(
        cmd, env=worker_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 120
        while stored_count(out) < 2 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert "interrupted: finished points are stored in" in err and "--resume" in err
    assert "Traceback" not in err
    stored = len(load_sweep(out))
    assert 2 <= stored < len(XS) * len(SEEDS)
    resumed = sweep(spec, scheduler="threads:2", resume=True)
    assert resumed.attrs["summary"]["skipped"] == stored and (resumed["status"] == "ok").all()
    assert load_sweep(out).attrs["missing"] == 0
