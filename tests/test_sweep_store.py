"""The sweep result store: transactional append, reopening, refusing overwrites and incompatible SPECs, SIGKILL mid-write."""

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from lazyrich import IncompatibleSweepError, InvalidParameterError
from lazyrich._tools.sweep.store import SweepStore

SPEC = {"function": "f", "fixed": {"a": 1}, "grid": {"x": [1.0, 2.0, 3.0], "seed": [0, 1]}}


def point_key(x, seed):
    return f'{{"seed":{seed},"x":{x!r}}}'


def test_append_reopen_and_replace(tmp_path):
    path = tmp_path / "s.sqlite"
    with SweepStore.create(path, SPEC) as store:
        store.add(point_key(2.0, 1), {"x": 2.0, "seed": 1}, "ok", None, {"y": 0.1, "n": 3, "b": True, "s": "a"}, 0.5)
        store.add(point_key(1.0, 0), {"x": 1.0, "seed": 0}, "error", "ValueError: boom", {}, 0.25)
    # the WAL is checkpointed into the single file on close
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.sqlite"]
    with SweepStore.open(path) as store:
        assert store.spec == SPEC
        recs = list(store.records())
        assert [r.key for r in recs] == [point_key(2.0, 1), point_key(1.0, 0)]  # finish order
        assert recs[0].result == {"y": 0.1, "n": 3, "b": True, "s": "a"} and recs[0].seconds == 0.5
        assert recs[1].status == "error" and recs[1].error == "ValueError: boom" and recs[1].result == {}
        assert store.statuses() == {point_key(2.0, 1): "ok", point_key(1.0, 0): "error"}
        # a retried point replaces its row
        store.add(point_key(1.0, 0), {"x": 1.0, "seed": 0}, "ok", None, {"y": 2.0}, 0.1)
        assert store.statuses()[point_key(1.0, 0)] == "ok"
        assert len(list(store.records())) == 2


def test_create_refuses_an_existing_file(tmp_path):
    path = tmp_path / "s.sqlite"
    path.write_bytes(b"precious")
    with pytest.raises(InvalidParameterError, match="already exists: pass --resume"):
        SweepStore.create(path, SPEC)
    assert path.read_bytes() == b"precious"
    with pytest.raises(InvalidParameterError, match="directory"):
        SweepStore.create(tmp_path / "no" / "s.sqlite", SPEC)


def test_open_rejects_files_that_are_not_sweeps(tmp_path):
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(InvalidParameterError, match="not a lazyrich sweep result file"):
        SweepStore.open(junk)
    other = tmp_path / "other.sqlite"
    conn = sqlite3.connect(other)
    conn.executescript("CREATE TABLE meta (name TEXT, value TEXT);")
    conn.close()
    with pytest.raises(InvalidParameterError, match="no stored SPEC"):
        SweepStore.open(other)
    with pytest.raises(InvalidParameterError, match="do not exist"):
        SweepStore.open(tmp_path / "missing.sqlite")


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"function": "g"}, "function 'g' differs"),
        ({"fixed": {"a": 2}}, "[fixed]"),
        ({"grid": {"seed": [0, 1], "x": [1.0]}}, "grid axes"),
        ({"grid": {"x": [1.0]}}, "grid axes"),
    ],
)
def test_incompatible_specs_are_refused(tmp_path, change, reason):
    with SweepStore.create(tmp_path / "s.sqlite", SPEC) as store:
        with pytest.raises(IncompatibleSweepError) as info:
            store.check_compatible({**SPEC, **change})
        assert reason in str(info.value) and "cannot resume" in str(info.value)
        assert isinstance(info.value, InvalidParameterError)


def test_changed_axis_values_may_resume(tmp_path):
    with SweepStore.create(tmp_path / "s.sqlite", SPEC) as store:
        wider = {**SPEC, "grid": {"x": [1.0, 2.0, 3.0, 4.0], "seed": [0, 1, 2]}}
        store.check_compatible(wider)
        store.set_spec(wider)
        assert store.spec == wider


def test_non_finite_results_never_enter_the_store(tmp_path):
    with SweepStore.create(tmp_path / "s.sqlite", SPEC) as store:
        with pytest.raises(ValueError):
            store.add(point_key(1.0, 0), {"x": 1.0, "seed": 0}, "ok", None, {"y": float("nan")}, 0.1)
        with pytest.raises(InvalidParameterError):
            store.add(point_key(1.0, 0), {"x": 1.0, "seed": 0}, "done", None, {}, 0.1)
        assert store.statuses() == {}


WRITER = textwrap.dedent(
    """
    import sqlite3, sys, time
    from lazyrich._tools.sweep.store import SweepStore
    store = SweepStore.open(sys.argv[1])
    store.add('{"seed":0,"x":1.0}', {"x": 1.0, "seed": 0}, "ok", None, {"y": 1.0}, 0.1)  # committed
    conn = sqlite3.connect(sys.argv[1], isolation_level=None)  # a second writer, in the store's WAL mode
    conn.execute("BEGIN IMMEDIATE")  # a point being written when the process is killed
    conn.execute("INSERT INTO points (key, params, status, error, result, seconds, finished) "
                 "VALUES ('k', '{}', 'ok', NULL, '{}', 0.0, 0.0)")
    print("in transaction", flush=True)
    time.sleep(60)
    """
)


def test_sigkill_in_the_middle_of_a_write_keeps_committed_points_only(tmp_path):
    path = tmp_path / "s.sqlite"
    SweepStore.create(path, SPEC).close()
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "in transaction"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stdout.close()
    with SweepStore.open(path) as store:
        assert store.statuses() == {'{"seed":0,"x":1.0}': "ok"}
    with contextlib.closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_one_writer_at_a_time_but_readers_are_welcome(tmp_path):
    path = tmp_path / "s.sqlite"
    with SweepStore.create(path, SPEC) as writer:
        writer.add(point_key(1.0, 0), {"x": 1.0, "seed": 0}, "ok", None, {"y": 1.0}, 0.1)
        with pytest.raises(InvalidParameterError, match="another sweep is writing"):
            SweepStore.open(path, lock=True)
        with SweepStore.open(path) as reader:  # e.g. load_sweep while the sweep runs
            assert reader.statuses() == {point_key(1.0, 0): "ok"}
    SweepStore.open(path, lock=True).close()  # free again once the writer closed
