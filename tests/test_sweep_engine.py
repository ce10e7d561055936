"""The sweep engine on threads (in-process): table shape/order/columns, error rows, resume, the CLI."""

import io
import os
from pathlib import Path

import pytest
from sweep_support import expected_y, read_counts

from lazyrich import IncompatibleSweepError, InvalidParameterError
from lazyrich._tools.cli import main
from lazyrich._tools.sweep.engine import default_out, load_sweep, sweep
from lazyrich._tools.sweep.progress import SweepProgress

XS = [-1.0, 0.5, 2.0]
SEEDS = [0, 1]


def counting_spec(counter, xs=XS, seeds=SEEDS, **run):
    spec = {"function": "sweep_support:counting", "fixed": {"counter": str(counter)}, "grid": {"x": xs, "seed": seeds}}
    return spec | ({"run": run} if run else {})


def test_table_has_one_row_per_point_in_grid_order_with_the_documented_columns(tmp_path):
    df = sweep(counting_spec(tmp_path / "c.txt"), scheduler="threads:2")
    assert list(df.columns) == ["x", "seed", "y", "even", "label", "status", "error", "seconds"]
    expected = [(x, s) for x in XS for s in SEEDS]  # last axis fastest
    assert list(zip(df["x"], df["seed"])) == expected
    # y from the formula written out independently in the test module (bitwise: same float operations)
    assert df["y"].tolist() == [expected_y(x, s) for x, s in expected]
    assert df["even"].tolist() == [s % 2 == 0 for _, s in expected]
    assert (df["status"] == "ok").all() and df["error"].isna().all() and (df["seconds"] >= 0).all()
    assert df.attrs["function"] == "sweep_support:counting"
    assert df.attrs["fixed"] == {"counter": str(tmp_path / "c.txt")}
    s = df.attrs["summary"]
    assert (s["total"], s["computed"], s["skipped"], s["failed"]) == (6, 6, 0, 0)
    assert "2 threads" in s["scheduler"] and s["out"] is None and df.attrs["out"] is None
    assert sum(read_counts(str(tmp_path / "c.txt")).values()) == 6


def test_a_point_that_raises_is_recorded_and_the_sweep_goes_on(tmp_path):
    spec = {"function": "sweep_support:raising", "grid": {"x": [4.0, -1.0, 9.0, -2.0]}}
    df = sweep(spec, scheduler="threads", out=tmp_path / "r.sqlite")
    assert df["status"].tolist() == ["ok", "error", "ok", "error"]
    assert df["error"].isna().tolist() == [True, False, True, False]
    assert df.loc[[1, 3], "error"].tolist() == ["ValueError: x = -1.0 is negative", "ValueError: x = -2.0 is negative"]
    assert df.loc[[0, 2], "root"].tolist() == [2.0, 3.0]
    assert df.loc[[1, 3], "root"].isna().all()
    assert df.attrs["summary"]["failed"] == 2
    stored = load_sweep(tmp_path / "r.sqlite")
    assert stored.drop(columns="seconds").equals(df.drop(columns="seconds"))
    assert stored.attrs["missing"] == 0


@pytest.mark.parametrize(
    ("kind", "error"),
    [
        ("inf", "NonFiniteError: result column 'v' = inf is not finite"),
        ("list", "result column 'v' = [1, 2] is a list"),
        ("scalar", "must return a dict"),
    ],
)
def test_results_that_are_not_finite_scalars_become_error_rows(kind, error):
    df = sweep({"function": "sweep_support:bad_output", "grid": {"kind": [kind, "fine"]}}, scheduler="threads")
    assert df["status"].tolist() == ["error", "ok"]
    assert error in df.loc[0, "error"]
    assert df.loc[1, "v"] == 1.0


def test_existing_out_is_never_overwritten_without_resume(tmp_path):
    out = tmp_path / "c.sqlite"
    sweep(counting_spec(tmp_path / "c.txt"), scheduler="threads", out=out)
    before = out.read_bytes()
    with pytest.raises(InvalidParameterError, match=r"already exists: pass --resume \(resume=True\)"):
        sweep(counting_spec(tmp_path / "c.txt"), scheduler="threads", out=out)
    assert out.read_bytes() == before


def test_resume_skips_stored_points_and_computes_only_new_ones(tmp_path):
    counter, out = tmp_path / "c.txt", tmp_path / "c.sqlite"
    first = sweep(counting_spec(counter), scheduler="threads", out=out)
    again = sweep(counting_spec(counter), scheduler="threads", out=out, resume=True)
    assert again.attrs["summary"]["computed"] == 0 and again.attrs["summary"]["skipped"] == 6
    assert again.drop(columns="seconds").equals(first.drop(columns="seconds"))
    assert set(read_counts(str(counter)).values()) == {1}
    # an extended grid: only the new points run; the table follows the new grid
    wider = sweep(counting_spec(counter, xs=[*XS, 3.0], seeds=[0, 1, 2]), scheduler="threads", out=out, resume=True)
    assert wider.attrs["summary"]["computed"] == 12 - 6 and len(wider) == 12
    counts = read_counts(str(counter))
    assert len(counts) == 12 and set(counts.values()) == {1}
    assert wider["y"].tolist() == [expected_y(x, s) for x in [*XS, 3.0] for s in [0, 1, 2]]
    # a narrower grid: stored points outside it stay in the file and come last in load_sweep
    narrow = sweep(counting_spec(counter, xs=[0.5], seeds=[1]), scheduler="threads", out=out, resume=True)
    assert len(narrow) == 1 and narrow.attrs["summary"]["computed"] == 0
    stored = load_sweep(out)
    assert len(stored) == 12 and (stored.loc[0, "x"], stored.loc[0, "seed"]) == (0.5, 1)


def test_resume_with_an_incompatible_spec_is_refused(tmp_path):
    out = tmp_path / "c.sqlite"
    sweep(counting_spec(tmp_path / "c.txt"), scheduler="threads", out=out)
    with pytest.raises(IncompatibleSweepError, match=r"\[fixed\]"):
        sweep(counting_spec(tmp_path / "other.txt"), scheduler="threads", out=out, resume=True)


def test_failed_points_are_kept_on_resume_and_recomputed_with_retry_failed(tmp_path):
    flag, out = tmp_path / "flag", tmp_path / "f.sqlite"
    flag.touch()
    spec = {"function": "sweep_support:flaky", "fixed": {"flag": str(flag)}, "grid": {"x": [1, 2, 3]}}
    assert (sweep(spec, scheduler="threads", out=out)["status"] == "error").all()
    flag.unlink()
    kept = sweep(spec, scheduler="threads", out=out, resume=True)
    assert (kept["status"] == "error").all() and kept.attrs["summary"]["computed"] == 0
    retried = sweep(spec, scheduler="threads", out=out, resume=True, retry_failed=True)
    assert retried["double"].tolist() == [2, 4, 6] and retried.attrs["summary"]["computed"] == 3
    assert len(load_sweep(out)) == 3
    with pytest.raises(InvalidParameterError, match="retry_failed only applies with resume"):
        sweep(spec, scheduler="threads", retry_failed=True)


def test_a_spec_file_defaults_its_result_file_next_to_it(tmp_path):
    path = tmp_path / "phase.toml"
    path.write_text('function = "sweep_support:raising"\n[grid]\nx = [1.0, 4.0]\n[run]\nscheduler = "threads"\n')
    df = sweep(path)
    assert df.attrs["out"] == str(tmp_path / "phase.sweep.sqlite") == str(default_out(path))
    assert load_sweep(tmp_path / "phase.sweep.sqlite")["root"].tolist() == [1.0, 2.0]
    with pytest.raises(InvalidParameterError, match="resume=True needs the result file"):
        sweep({"function": "sweep_support:raising", "grid": {"x": [1.0]}}, resume=True)


def test_resume_of_a_missing_file_starts_afresh(tmp_path):
    df = sweep(counting_spec(tmp_path / "c.txt"), scheduler="threads", out=tmp_path / "new.sqlite", resume=True)
    assert df.attrs["summary"]["computed"] == 6


def test_tiny_grids_run_on_threads_by_default(tmp_path):
    df = sweep({"function": "sweep_support:raising", "grid": {"x": [1.0, 4.0]}})
    assert "thread" in df.attrs["summary"]["scheduler"]


@pytest.mark.parametrize("scheduler", ["bogus", "processes:0", "threads:x", 3])
def test_unknown_schedulers_are_typed_errors_and_leave_no_file(scheduler, tmp_path):
    with pytest.raises(InvalidParameterError, match="scheduler"):
        sweep({"function": "sweep_support:raising", "grid": {"x": [1.0]}}, scheduler=scheduler, out=tmp_path / "o")
    assert list(tmp_path.iterdir()) == []


def test_a_sweep_that_fails_before_storing_anything_removes_its_new_file(tmp_path, monkeypatch):
    import lazyrich._tools.sweep.engine as engine

    def unreachable(*args):
        raise InvalidParameterError("cannot connect to the Dask scheduler")

    monkeypatch.setattr(engine, "start_runner", unreachable)
    with pytest.raises(InvalidParameterError, match="cannot connect"):
        sweep({"function": "sweep_support:raising", "grid": {"x": [1.0]}}, out=tmp_path / "o.sqlite")
    assert list(tmp_path.iterdir()) == []


def test_an_interrupt_after_a_stored_point_keeps_the_file(tmp_path):
    def boom(record):
        raise KeyboardInterrupt  # as if Ctrl-C arrived while the first point was being stored

    out = tmp_path / "o.sqlite"
    with pytest.raises(KeyboardInterrupt):
        sweep({"function": "sweep_support:raising", "grid": {"x": [1.0]}}, scheduler="threads", out=out, on_point=boom)
    assert out.exists()  # the point was stored before the interrupt: the file stays, and resumes
    assert len(load_sweep(out)) == 1


def test_progress_bar_shows_done_total_failures_and_rate():
    stream = io.StringIO()
    bar = SweepProgress(4, enabled=True, stream=stream, delay=0.0)
    bar.update("ok")
    bar.update("error")
    text = stream.getvalue()
    assert "2/4" in text and "failed 1" in text and "points/s" in text and "ETA" in text
    bar.close()
    quiet = io.StringIO()
    SweepProgress(4, stream=quiet, delay=0.0).update("ok")  # StringIO is not a TTY: nothing shown
    assert quiet.getvalue() == ""


def test_on_point_sees_each_stored_point(tmp_path):
    seen = []
    sweep(counting_spec(tmp_path / "c.txt"), scheduler="threads", on_point=seen.append)
    assert sorted((r.params["x"], r.params["seed"]) for r in seen) == sorted((x, s) for x in XS for s in SEEDS)


# ---------------------------------------------------------------- CLI


def write_spec(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / name
    path.write_text(body)
    return path


def test_cli_runs_resumes_and_refuses_to_overwrite(tmp_path, capsys):
    spec = write_spec(
        tmp_path,
        "sq.toml",
        f'function = "sweep_support:counting"\n[fixed]\ncounter = "{tmp_path / "c.txt"}"\n'
        "[grid]\nx = { linspace = [0.0, 1.0, 2] }\nseed = { seeds = 2 }\n",
    )
    assert main(["sweep", str(spec), "--scheduler", "threads"]) == 0
    out = capsys.readouterr().out
    assert "sweep sweep_support:counting: 4 points: 4 computed, 0 skipped (resumed), 0 failed" in out
    assert f"results in {tmp_path / 'sq.sweep.sqlite'}" in out and "points/s" in out
    assert main(["sweep", str(spec), "--scheduler", "threads"]) == 2
    assert "already exists: pass --resume" in capsys.readouterr().err
    assert main(["sweep", str(spec), "--scheduler", "threads", "--resume"]) == 0
    assert "4 points: 0 computed, 4 skipped (resumed), 0 failed" in capsys.readouterr().out
    assert set(read_counts(str(tmp_path / "c.txt")).values()) == {1}


def test_cli_exit_status_1_when_points_fail(tmp_path, capsys):
    spec = write_spec(tmp_path, "r.toml", 'function = "sweep_support:raising"\n[grid]\nx = [-1.0, 1.0, -2.0]\n')
    assert main(["sweep", str(spec), "--scheduler", "threads", "--out", str(tmp_path / "o.sqlite")]) == 1
    captured = capsys.readouterr()
    assert "3 points: 3 computed, 0 skipped (resumed), 2 failed" in captured.out
    assert "FAILED 1 point: ValueError: x = -1.0 is negative" in captured.err
    assert os.path.exists(tmp_path / "o.sqlite") and not os.path.exists(tmp_path / "r.sweep.sqlite")


def test_cli_spec_errors_exit_2_and_list_shows_the_builtins(tmp_path, capsys):
    spec = write_spec(tmp_path, "bad.toml", 'function = "phase_diagram"\n[grid]\nseed = { seeds = 2 }\n')
    assert main(["sweep", str(spec)]) == 2
    assert "needs d, k, gamma_sigma2, gamma_w" in capsys.readouterr().err
    assert main(["sweep"]) == 2
    assert main(["sweep", "--list"]) == 0
    listing = capsys.readouterr().out
    assert "phase_diagram" in listing and "needs: d, k, gamma_sigma2, gamma_w, seed" in listing


def test_cli_plot_writes_a_heatmap_png(tmp_path, capsys):
    spec = write_spec(
        tmp_path,
        "phase.toml",
        'function = "phase_diagram"\n[fixed]\nd = 8\nk = 1\nmax_steps = 20\ncompare = false\n'
        "[grid]\ngamma_sigma2 = [-2.0, 0.0]\ngamma_w = [1.0, 1.5]\nseed = { seeds = 1 }\n",
    )
    png = tmp_path / "phase.png"
    assert main(["sweep", str(spec), "--scheduler", "threads", "--plot", str(png)]) == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f"wrote {png}" in capsys.readouterr().err
