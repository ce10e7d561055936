"""Parameter sweeps: run a SPEC's grid points in parallel, store each as it finishes, resume.

:func:`sweep` (public as :func:`lazyrich.sweep.run`) submits one task per grid point
(:func:`~lazyrich._tools.sweep.worker.evaluate`, which calls the sweep function and turns any
exception into an error row) to a runner (:mod:`lazyrich._tools.sweep.runners`: a thread pool or
a Dask ``distributed`` cluster, chosen by the scheduler), and writes each result to the SQLite
store (:mod:`lazyrich._tools.sweep.store`) as soon as it completes. :func:`load_sweep` reads a
store back as a table.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ..._base.errors import InvalidParameterError, MissingDependencyError
from .progress import SweepProgress, SweepSummary
from .registry import ENGINE_COLUMNS
from .runners import check_scheduler, start_runner
from .spec import SweepSpec, load_spec
from .store import PointRecord, SweepStore
from .worker import error_text, function_ref

__all__ = ["SweepSummary", "default_out", "load_sweep", "sweep"]


def _require_pandas():
    try:
        import pandas
    except ImportError as exc:  # pragma: no cover - pandas is in the dist extra
        raise MissingDependencyError("sweeps need pandas: pip install 'lazyrich[dist]'") from exc
    return pandas


# --------------------------------------------------------------------------- tables


def _frame(spec: SweepSpec, records: Mapping[str, PointRecord], extra: list[PointRecord] = ()):
    """Rows of ``spec``'s grid present in ``records`` in grid order, then ``extra`` rows; see :func:`lazyrich.sweep.run`."""
    pd = _require_pandas()
    axes = list(spec.grid)
    ordered = [records[k] for k in map(spec.point_key, spec.points()) if k in records]
    ordered += list(extra)
    result_cols: dict[str, None] = {}
    for r in ordered:
        result_cols.update(dict.fromkeys(r.result))
    columns = [*axes, *result_cols, *ENGINE_COLUMNS]
    rows = [
        [*(r.params.get(a) for a in axes), *(r.result.get(c) for c in result_cols), r.status, r.error, r.seconds]
        for r in ordered
    ]
    df = pd.DataFrame.from_records(rows, columns=columns) if rows else pd.DataFrame(columns=columns)
    df.attrs["function"] = spec.function
    df.attrs["fixed"] = dict(spec.fixed)
    df.attrs["grid"] = axes
    return df


def default_out(spec_path: str | os.PathLike[str]) -> Path:
    """The default result file of a SPEC file: ``<stem>.sweep.sqlite`` next to it.

    Examples
    --------
    >>> default_out("runs/phase.toml").as_posix()
    'runs/phase.sweep.sqlite'
    """
    p = Path(spec_path)
    return p.with_name(p.stem + ".sweep.sqlite")


def sweep(
    spec: str | os.PathLike[str] | Mapping[str, Any] | SweepSpec,
    *,
    scheduler: Any = None,
    out: str | os.PathLike[str] | None = None,
    resume: bool = False,
    retry_failed: bool = False,
    progress: bool | None = None,
    on_point: Callable[[PointRecord], None] | None = None,
):
    """Run a parameter sweep in parallel on Dask, storing every point as it finishes.

    Public as :func:`lazyrich.sweep.run` (``lazyrich sweep SPEC`` on the command line). Each grid point of the SPEC (see :mod:`lazyrich._tools.sweep.spec`) is one task: the sweep
    function is called with the ``[fixed]`` values and the point's axis values. A point that
    raises is recorded as an error row (``"ErrorType: message"``) and the sweep goes on; a
    point whose worker dies is resubmitted by Dask (``[run] retries``, default 2) and recorded
    as an error (e.g. ``KilledWorker``) only when it keeps killing workers.

    Parameters
    ----------
    spec : path, mapping or SweepSpec
        A TOML SPEC file, a dict of the same structure, or a parsed :class:`SweepSpec`.
    scheduler : str or distributed.Client, optional
        ``None``/``"local"`` (default, or the SPEC's ``run.scheduler``), ``"processes:N"``,
        ``"threads[:N]"``, a Dask address ``"tcp://HOST:PORT"``, or a Client.
    out : path, optional
        SQLite result file, written one transaction per finished point. Default: for a SPEC
        file, ``<stem>.sweep.sqlite`` next to it; for a dict, no file (results kept in memory).
        An existing file is never overwritten: pass ``resume=True`` or remove it.
    resume : bool
        Continue the sweep stored in ``out``: stored points are not recomputed (failed ones
        neither, unless ``retry_failed``). The SPEC must have the stored function, ``[fixed]``
        values and axis names; axis values may change (new points are computed, stored points
        outside the new grid stay in the file and in :func:`load_sweep`). A missing file starts afresh.
    retry_failed : bool
        With ``resume``, recompute the points stored as errors.
    progress : bool, optional
        Progress on stderr: ``None`` (default) a bar on a terminal, else a status line every 5 s;
        ``True`` also a line per finished point off a terminal; ``False`` none.
    on_point : callable, optional
        Called with each :class:`~lazyrich._tools.sweep.store.PointRecord` as it is stored.

    Returns
    -------
    pandas.DataFrame
        One row per grid point, in grid order (the last axis varies fastest). Columns: the grid
        axes, the result columns, ``status`` (``"ok"``/``"error"``), ``error``
        (``"ErrorType: message"``; missing for ok rows) and ``seconds`` (worker time). Result
        cells of error rows are missing values (NaN/None: the table's marker for "no value",
        never a computed NaN, which is itself recorded as an error). ``attrs``: ``"function"``, ``"fixed"``, ``"summary"`` (a
        :class:`SweepSummary` as dict), ``"out"`` and ``"grid"`` (the axis names).

    Raises
    ------
    InvalidParameterError
        Invalid SPEC, unknown scheduler, unreachable cluster, existing ``out`` without ``resume``,
        or a SPEC that cannot resume the stored sweep (:class:`IncompatibleSweepError`).
    MissingDependencyError
        pandas or dask.distributed missing (``pip install 'lazyrich[dist]'``).

    Examples
    --------
    >>> import os, tempfile
    >>> import lazyrich.sweep
    >>> @lazyrich.sweep.sweep_function("doc_power", parameters=("x", "p"))
    ... def power(x, p):
    ...     if x < 0 and p < 1:
    ...         raise ValueError("negative base with a fractional power")
    ...     return {"y": x**p}
    >>> spec = {"function": "doc_power", "grid": {"x": [-1.0, 2.0], "p": [0.5, 2]}}
    >>> out = os.path.join(tempfile.mkdtemp(), "power.sweep.sqlite")
    >>> df = lazyrich.sweep.run(spec, scheduler="threads", out=out)
    >>> list(df.columns)
    ['x', 'p', 'y', 'status', 'error', 'seconds']
    >>> df["x"].tolist(), df["p"].tolist(), df["y"].round(6).tolist(), df["status"].tolist()
    ([-1.0, -1.0, 2.0, 2.0], [0.5, 2.0, 0.5, 2.0], [nan, 1.0, 1.414214, 4.0], ['error', 'ok', 'ok', 'ok'])
    >>> df.loc[0, "error"]
    'ValueError: negative base with a fractional power'
    >>> lazyrich.sweep.run(spec, scheduler="threads", out=out, resume=True).attrs["summary"]["skipped"]
    4
    >>> lazyrich.sweep.load_sweep(out).shape
    (4, 6)
    >>> del lazyrich.sweep.SWEEP_FUNCTIONS["doc_power"]
    """
    start = time.monotonic()
    _require_pandas()
    spec = load_spec(spec)
    sf = spec.sweep_function()
    if out is None and spec.source is not None:
        out = default_out(spec.source)
    if resume and out is None:
        raise InvalidParameterError("resume=True needs the result file: give out=PATH")
    if retry_failed and not resume:
        raise InvalidParameterError("retry_failed only applies with resume=True (--resume)")
    scheduler = scheduler if scheduler is not None else spec.run["scheduler"]
    check_scheduler(scheduler)  # before any file is written
    records: dict[str, PointRecord] = {}
    store, created = None, False
    if out is not None:
        out = Path(out)
        if out.exists() and resume:
            store = SweepStore.open(out, lock=True)
            try:
                store.check_compatible(spec.to_dict())
                store.set_spec(spec.to_dict())
            except BaseException:
                store.close()
                raise
            keys = set(map(spec.point_key, spec.points()))
            records.update((r.key, r) for r in store.records(damaged="skip") if r.key in keys)
        else:
            store, created = SweepStore.create(out, spec.to_dict()), True  # refuses an existing file
    try:
        skipped = {k for k, r in records.items() if r.status == "ok" or not retry_failed}
        todo = [p for p in spec.points() if spec.point_key(p) not in skipped]
        description, computing = "nothing to compute", 0.0
        if todo:
            description, computing = _run(spec, sf, todo, scheduler, store, records, progress, on_point)
    except BaseException:
        if store is not None:
            store.close()
            if created and not records:  # e.g. an unreachable cluster: leave no empty file behind
                store.path.unlink(missing_ok=True)
            store = None
        raise
    finally:
        if store is not None:
            store.close()
    df = _frame(spec, records)
    summary = SweepSummary(
        total=len(spec),
        computed=len(todo),
        skipped=len(skipped),
        failed=int((df["status"] != "ok").sum()),
        seconds=time.monotonic() - start,
        scheduler=description,
        computing=computing,
        out=str(out) if out is not None else None,
    )
    df.attrs["summary"] = asdict(summary)
    df.attrs["out"] = summary.out
    return df


def _run(spec, sf, todo, scheduler, store, records, progress, on_point) -> tuple[str, float]:
    """Evaluate ``todo`` on the scheduler, storing each point as it completes.

    Returns the runner's description and the seconds from the first submission to the last stored point (the
    progress's clock: the summary's rate is the progress's last rate).
    """
    ref = function_ref(spec.function, sf)
    axes = tuple(spec.grid)
    runner = start_runner(scheduler, len(todo), spec.run["retries"])
    bar = SweepProgress(len(todo), enabled=progress)
    futures: dict[Any, dict[str, Any]] = {}
    try:
        for i, params in enumerate(todo):
            futures[runner.submit((ref, spec.arguments(params), axes), i)] = params
        for fut in runner.as_completed(list(futures)):
            params = futures.pop(fut)
            try:
                outcome = fut.result()
            except Exception as exc:  # the task itself failed: e.g. KilledWorker after the retries
                outcome = {"status": "error", "error": error_text(exc), "result": {}, "seconds": 0.0}
            key = spec.point_key(params)
            record = PointRecord(
                key, dict(params), outcome["status"], outcome["error"], outcome["result"], outcome["seconds"]
            )
            if store is not None:
                store.add(key, record.params, record.status, record.error, record.result, record.seconds)
            records[key] = record
            bar.update(record.status)
            if on_point is not None:
                on_point(record)
    except BaseException:
        runner.cancel(list(futures))
        raise
    finally:
        bar.close()
        runner.close()
    return runner.description, bar.last_update - bar.start


def load_sweep(path: str | os.PathLike[str]):
    """Read a sweep's result file (complete, interrupted or running) as a DataFrame.

    Rows of the stored SPEC's grid come first, in grid order (points not finished yet are
    absent), then rows of points outside that grid (kept from an earlier grid on ``--resume``).
    Columns and ``attrs`` as for :func:`lazyrich.sweep.run`, plus ``attrs["missing"]``: grid points not stored.
    The sweep function need not be importable.

    Parameters
    ----------
    path : path
        The SQLite file written by :func:`lazyrich.sweep.run` / ``lazyrich sweep``.

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    InvalidParameterError
        The file is not a sweep result file, or a stored row is damaged (unreadable JSON): the
        message names the point's key and the command that recomputes it (``--resume``).

    Examples
    --------
    >>> import os, tempfile
    >>> from lazyrich._tools.sweep.store import SweepStore
    >>> from lazyrich.sweep import load_sweep
    >>> path = os.path.join(tempfile.mkdtemp(), "half.sweep.sqlite")
    >>> with SweepStore.create(path, {"function": "f", "fixed": {"a": 1}, "grid": {"x": [1, 2, 3]}}) as s:
    ...     s.add('{"x":3}', {"x": 3}, "ok", None, {"y": 9}, 0.1)
    >>> df = load_sweep(path)
    >>> df[["x", "y", "status"]].values.tolist(), df.attrs["missing"], df.attrs["fixed"]
    ([[3, 9, 'ok']], 2, {'a': 1})
    """
    with SweepStore.open(path) as store:
        stored = store.spec
        spec = SweepSpec(stored["function"], stored["fixed"], stored["grid"])
        keys = set(map(spec.point_key, spec.points()))
        records, extra = {}, []
        for r in store.records():
            if r.key in keys:
                records[r.key] = r
            else:
                extra.append(r)
    df = _frame(spec, records, extra)
    df.attrs["missing"] = len(spec) - len(records)
    df.attrs["out"] = str(path)
    return df
