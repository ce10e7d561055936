"""Done-when: a real `dask scheduler` and two `dask worker` processes on 127.0.0.1 (random ports) run a phase-diagram
SPEC with results equal to a local run; a worker that dies mid-point is replaced and its point retried."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lazyrich._tools.cli import main
from lazyrich._tools.sweep.engine import load_sweep, sweep

TESTS = Path(__file__).resolve().parent

PHASE_SPEC = """
function = "phase_diagram"
[fixed]
d = 10
k = 1
max_steps = 40
[grid]
gamma_sigma2 = { linspace = [-2.0, 0.0, 2] }
gamma_w = [1.0, 1.5]
seed = { seeds = 2 }
"""


def spawn(args, log: Path):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")])}
    with open(log, "w") as fh:
        # own session: the teardown can signal each process together with its children (nanny -> worker)
        return subprocess.Popen(
            [sys.executable, "-m", "dask", *args], stdout=fh, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )


def stop_all(procs) -> None:
    for p in procs:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    for p in procs:
        try:
            p.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait(timeout=10)
    for p in procs:  # children (the worker processes under each nanny) too
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


@pytest.fixture
def cluster(tmp_path_factory):
    """The address of a scheduler with two single-threaded workers, started with the `dask` command."""
    tmp = tmp_path_factory.mktemp("dask")
    sched_file = tmp / "scheduler.json"
    procs = [
        spawn(
            ["scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard", "--scheduler-file", str(sched_file)],
            tmp / "scheduler.log",
        )
    ]
    try:
        deadline = time.monotonic() + 60
        while not sched_file.exists() and time.monotonic() < deadline:
            assert procs[0].poll() is None, (tmp / "scheduler.log").read_text()
            time.sleep(0.1)
        address = json.loads(sched_file.read_text())["address"]
        assert address.startswith("tcp://127.0.0.1:")
        for i in range(2):
            worker = ["worker", address, "--nthreads", "1", "--nworkers", "1", "--no-dashboard", "--host", "127.0.0.1"]
            procs.append(spawn(worker, tmp / f"worker{i}.log"))
        from distributed import Client

        with Client(address, set_as_default=False) as client:
            client.wait_for_workers(2, timeout=90)
        yield address
    finally:
        stop_all(procs)


def test_a_dask_cluster_runs_the_spec_like_a_local_run_and_survives_a_dying_worker(cluster, tmp_path, capsys):
    spec = tmp_path / "phase.toml"
    spec.write_text(PHASE_SPEC)
    assert main(["sweep", str(spec), "--scheduler", cluster]) == 0  # the same SPEC file, unchanged
    assert "8 points: 8 computed, 0 skipped (resumed), 0 failed" in capsys.readouterr().out
    remote = load_sweep(tmp_path / "phase.sweep.sqlite")
    local = sweep(spec, scheduler="threads", out=tmp_path / "local.sqlite")
    assert len(remote) == 8 and (remote["status"] == "ok").all()
    assert list(remote.columns) == list(local.columns)
    assert "min_test_error" in remote.columns and remote.attrs["fixed"] == {"d": 10, "k": 1, "max_steps": 40}
    # exactly equal: the computation is deterministic in its parameters wherever it runs
    assert remote.drop(columns="seconds").equals(local.drop(columns="seconds"))

    # a worker process that dies in the middle of a point: Dask reschedules the point on another worker
    # (same test, so that pytest-xdist cannot start a second cluster for it in another process)
    marker = tmp_path / "died"
    spec = {"function": "sweep_support:dying", "fixed": {"marker": str(marker)}, "grid": {"x": [0, 1, 2, 3]}}
    df = sweep(spec, scheduler=cluster)
    assert marker.exists()  # a worker process really exited in the middle of point x = 0
    assert (df["status"] == "ok").all() and df["x2"].tolist() == [0, 1, 4, 9]
