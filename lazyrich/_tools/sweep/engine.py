"""Parameter sweeps on Dask: run a SPEC's grid points in parallel, store each as it finishes, resume.

The engine submits one task per grid point (:func:`_evaluate`, which calls the sweep function
and turns any exception into an error row) to a Dask ``distributed`` cluster, or to a thread
pool, and writes each result to the SQLite store (:mod:`lazyrich._tools.sweep.store`) as soon as it
completes. Schedulers:

- ``None`` / ``"local"``: a :class:`distributed.LocalCluster` with one single-threaded worker
  process per core (at most one per point); a sweep with at most ``THREADS_MAX_POINTS`` (4)
  points to compute runs on threads in this process instead (no cluster start-up).
- ``"processes:N"``: a LocalCluster of N single-threaded worker processes.
- ``"threads"`` / ``"threads:N"``: a thread pool in this process (no Dask needed).
- ``"tcp://HOST:PORT"`` (any Dask address): the cluster of that scheduler; its workers must be
  able to import lazyrich (and the module of an import-path sweep function).
- a :class:`distributed.Client`: used as is (not closed).
"""

from __future__ import annotations

import importlib
import math
import os
import signal
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..._base.errors import InvalidParameterError, MissingDependencyError, NonFiniteError
from .registry import SWEEP_FUNCTIONS, SweepFunction, get_sweep_function
from .spec import SweepSpec, load_spec
from .store import PointRecord, SweepStore

__all__ = ["THREADS_MAX_POINTS", "SweepSummary", "default_out", "load_sweep", "sweep"]

#: ``scheduler=None`` runs sweeps with at most this many points to compute on threads, not processes.
THREADS_MAX_POINTS = 4
_RESERVED = ("status", "error", "seconds")


def _require_pandas():
    try:
        import pandas
    except ImportError as exc:  # pragma: no cover - pandas is in the dist extra
        raise MissingDependencyError("sweeps need pandas: pip install 'lazyrich[dist]'") from exc
    return pandas


def _require_distributed():
    try:
        import distributed
    except ImportError as exc:  # pragma: no cover - distributed is in the dist extra
        raise MissingDependencyError(
            "this scheduler needs dask.distributed: pip install 'lazyrich[dist]' (or use scheduler='threads')"
        ) from exc
    return distributed


# --------------------------------------------------------------------------- worker side


def _function_ref(name: str, sf: SweepFunction) -> tuple:
    """What a worker needs to find the sweep function: by name where it can import it, else the object."""
    if ":" in name:
        return ("path", name)
    module = getattr(sf.func, "__module__", None)
    if module and module != "__main__":
        return ("registered", name, module)
    return ("object", sf)  # defined in a script: cloudpickle ships it by value


def _resolve(ref: tuple) -> SweepFunction:
    if ref[0] == "object":
        return ref[1]
    if ref[0] == "registered" and ref[1] not in SWEEP_FUNCTIONS:
        importlib.import_module(ref[2])  # registers it on this worker
    return get_sweep_function(ref[1])


def _clean_result(raw: Any, forbidden: tuple[str, ...]) -> dict[str, int | float | bool | str]:
    """Check a sweep function's return value: a mapping of column name to finite scalar."""
    if not isinstance(raw, Mapping):
        raise InvalidParameterError(f"a sweep function must return a dict of columns; got {type(raw).__name__}")
    out: dict[str, int | float | bool | str] = {}
    for col, value in raw.items():
        if not isinstance(col, str):
            raise InvalidParameterError(f"result column names must be strings; got {col!r}")
        if col in forbidden:
            raise InvalidParameterError(f"result column {col!r} clashes with a grid axis or {_RESERVED}")
        if isinstance(value, np.generic):
            value = value.item()
        if isinstance(value, float) and not math.isfinite(value):
            raise NonFiniteError(f"the sweep function returned {col} = {value}")
        if not isinstance(value, (bool, int, float, str)):
            raise InvalidParameterError(
                f"result column {col!r} is a {type(value).__name__}; columns must be numbers, booleans or strings"
            )
        out[col] = value
    return out


def _error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _evaluate(ref: tuple, arguments: dict[str, Any], axes: tuple[str, ...]) -> dict[str, Any]:
    """Run one grid point (on a worker); an exception becomes an error outcome, not a task failure."""
    start = time.perf_counter()
    try:
        # .func, not the SweepFunction's __call__ (which would coerce the output with dict() before it is checked)
        result = _clean_result(_resolve(ref).func(**arguments), (*axes, *_RESERVED))
        status, error = "ok", None
    except Exception as exc:
        result, status, error = {}, "error", _error_text(exc)
    return {"status": status, "error": error, "result": result, "seconds": time.perf_counter() - start}


# --------------------------------------------------------------------------- executors


class _ThreadRunner:
    def __init__(self, n: int) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self._pool = ThreadPoolExecutor(max_workers=n, thread_name_prefix="lazyrich-sweep")
        self.description = f"{n} thread{'s' * (n > 1)} in this process"

    def submit(self, args: tuple, index: int):
        return self._pool.submit(_evaluate, *args)

    def as_completed(self, futures) -> Iterator:
        from concurrent.futures import as_completed

        return as_completed(futures)

    def cancel(self, futures) -> None:
        for f in futures:
            f.cancel()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class _DaskRunner:
    def __init__(self, client, cluster, description: str, retries: int, own_client: bool = True) -> None:
        self._client, self._cluster, self._own_client = client, cluster, own_client
        self._token = uuid.uuid4().hex[:12]
        self.description = description
        self.retries = retries

    def submit(self, args: tuple, index: int):
        return self._client.submit(
            _evaluate, *args, key=f"lazyrich-sweep-{self._token}-{index}", pure=False, retries=self.retries
        )

    def as_completed(self, futures) -> Iterator:
        from distributed import as_completed

        return as_completed(futures, loop=self._client.loop)

    def cancel(self, futures) -> None:
        self._client.cancel(list(futures))

    def close(self) -> None:
        if self._own_client:
            self._client.close()
        if self._cluster is not None:  # a LocalCluster we started (a remote cluster keeps running)
            self._cluster.close()


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def _count_suffix(text: str, prefix: str) -> int | None:
    rest = text[len(prefix) :]
    if not rest:
        return None
    if not rest.startswith(":") or not rest[1:].isdigit() or int(rest[1:]) < 1:
        raise InvalidParameterError(f"scheduler {text!r}: write {prefix}:N with N a positive integer")
    return int(rest[1:])


def _check_scheduler(scheduler: Any) -> None:
    """Raise for a scheduler that :func:`_start` would not accept (without starting anything)."""
    if scheduler is None or (not isinstance(scheduler, str) and type(scheduler).__name__ == "Client"):
        return
    if not isinstance(scheduler, str):
        raise InvalidParameterError(f"scheduler must be a string or a distributed.Client; got {scheduler!r}")
    text = scheduler.strip()
    for prefix in ("threads", "processes"):
        if text.startswith(prefix):
            _count_suffix(text, prefix)
            return
    if text != "local" and "://" not in text:
        raise InvalidParameterError(
            f"unknown scheduler {text!r}: use local, processes:N, threads[:N] or a Dask address tcp://HOST:PORT"
        )


def _start(scheduler: Any, n_points: int, retries: int):
    """A runner for ``scheduler`` (see the module docstring) sized for ``n_points`` points."""
    try:
        from distributed import Client
    except ImportError:
        Client = None
    if Client is not None and isinstance(scheduler, Client):
        return _DaskRunner(scheduler, None, f"Dask client {scheduler.scheduler.address}", retries, own_client=False)
    if scheduler is not None and not isinstance(scheduler, str):
        raise InvalidParameterError(f"scheduler must be a string or a distributed.Client; got {scheduler!r}")
    text = (scheduler or "local").strip()
    cores = _cpu_count()
    if text == "local":
        if n_points <= THREADS_MAX_POINTS or cores == 1:
            return _ThreadRunner(max(1, min(cores, n_points)))
        return _local_cluster(min(cores, n_points), retries)
    if text.startswith("threads"):
        return _ThreadRunner(_count_suffix(text, "threads") or max(1, min(cores, n_points)))
    if text.startswith("processes"):
        return _local_cluster(_count_suffix(text, "processes") or max(1, min(cores, n_points)), retries)
    if "://" in text:
        distributed = _require_distributed()
        try:
            client = distributed.Client(text, timeout="10s", set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise InvalidParameterError(
                f"cannot connect to the Dask scheduler at {text} ({exc}); start one with `dask scheduler` "
                "and workers with `dask worker ADDRESS`"
            ) from exc
        return _DaskRunner(client, None, f"Dask cluster {text}", retries)
    raise InvalidParameterError(
        f"unknown scheduler {text!r}: use local, processes:N, threads[:N] or a Dask address tcp://HOST:PORT"
    )


def _local_cluster(n: int, retries: int) -> _DaskRunner:
    import logging

    distributed = _require_distributed()
    # Worker processes inherit an ignored SIGINT: Ctrl-C (sent to the whole terminal process group) then
    # interrupts only this process, which stops the cluster cleanly, instead of every worker printing a traceback.
    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main_thread else None
    try:
        cluster = distributed.LocalCluster(
            n_workers=n,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
    finally:
        if main_thread:
            signal.signal(signal.SIGINT, previous)
    try:
        client = distributed.Client(cluster, set_as_default=False)
    except BaseException:
        cluster.close()
        raise
    return _DaskRunner(client, cluster, f"Dask LocalCluster of {n} worker process{'es' * (n > 1)}", retries)


# --------------------------------------------------------------------------- progress and summary


class SweepProgress:
    """A one-line progress bar on stderr (only on a TTY unless forced): done/total, failures, rate, ETA."""

    def __init__(self, total: int, enabled: bool | None = None, stream=None, delay: float = 0.5) -> None:
        self.total, self.done, self.failed = total, 0, 0
        self.stream = stream or sys.stderr
        self.enabled = enabled if enabled is not None else bool(getattr(self.stream, "isatty", lambda: False)())
        self.start = time.monotonic()
        self.delay = delay
        self.shown = False

    def line(self) -> str:
        elapsed = time.monotonic() - self.start
        rate = self.done / elapsed if elapsed > 0 else 0.0
        eta = (self.total - self.done) / rate if rate > 0 else float("inf")
        width = 30
        filled = int(width * self.done / max(self.total, 1))
        bar = "#" * filled + "-" * (width - filled)
        eta_text = _duration(eta) if math.isfinite(eta) else "?"
        return f"[{bar}] {self.done}/{self.total}  failed {self.failed}  {rate:.2f} points/s  ETA {eta_text}"

    def update(self, status: str) -> None:
        self.done += 1
        self.failed += status != "ok"
        if self.enabled and time.monotonic() - self.start >= self.delay:
            self.stream.write("\r" + self.line())
            self.stream.flush()
            self.shown = True

    def close(self) -> None:
        if self.shown:
            self.stream.write("\r" + " " * 90 + "\r")
            self.stream.flush()


def _duration(seconds: float) -> str:
    seconds = max(0.0, seconds)
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, sec = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{sec:02d}s"


@dataclass(frozen=True)
class SweepSummary:
    """What a sweep did (``df.attrs["summary"]`` holds it as a dict).

    Attributes
    ----------
    total : int
        Grid points of the SPEC.
    computed : int
        Points evaluated in this run.
    skipped : int
        Points found in the store and not recomputed (``--resume``).
    failed : int
        Points whose row is an error (computed now or earlier).
    seconds : float
        Wall time of this run.
    scheduler : str
        Where the points ran.
    out : str or None
        The result file.

    Examples
    --------
    >>> s = SweepSummary(total=8, computed=6, skipped=2, failed=1, seconds=3.0, scheduler="2 threads", out=None)
    >>> s.rate, s.text()
    (2.0, '8 points: 6 computed, 2 skipped (resumed), 1 failed in 3.0s (2.00 points/s on 2 threads)')
    """

    total: int
    computed: int
    skipped: int
    failed: int
    seconds: float
    scheduler: str
    out: str | None

    @property
    def rate(self) -> float:
        """Computed points per second of wall time."""
        return self.computed / self.seconds if self.seconds > 0 else 0.0

    def text(self) -> str:
        """One line for humans (the CLI prints it)."""
        where = f"; results in {self.out}" if self.out else ""
        how = f" ({self.rate:.2f} points/s on {self.scheduler})" if self.computed else ""
        return (
            f"{self.total} points: {self.computed} computed, {self.skipped} skipped (resumed), {self.failed} failed "
            f"in {_duration(self.seconds)}{how}{where}"
        )


# --------------------------------------------------------------------------- tables


def _frame(spec: SweepSpec, records: Mapping[str, PointRecord], extra: list[PointRecord] = ()):
    """Rows of ``spec``'s grid present in ``records`` in grid order, then ``extra`` rows; see :func:`sweep`."""
    pd = _require_pandas()
    axes = list(spec.grid)
    ordered = [records[k] for k in map(spec.point_key, spec.points()) if k in records]
    ordered += list(extra)
    result_cols: dict[str, None] = {}
    for r in ordered:
        result_cols.update(dict.fromkeys(r.result))
    columns = [*axes, *result_cols, *_RESERVED]
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

    Each grid point of the SPEC (see :mod:`lazyrich._tools.sweep.spec`) is one task: the sweep
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
        Show a progress bar on stderr (default: only when stderr is a terminal).
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
    >>> from lazyrich._tools.sweep.registry import SWEEP_FUNCTIONS, sweep_function
    >>> @sweep_function("doc_power", parameters=("x", "p"))
    ... def _power(x, p):
    ...     if x < 0 and p < 1:
    ...         raise ValueError("negative base with a fractional power")
    ...     return {"y": x**p}
    >>> spec = {"function": "doc_power", "grid": {"x": [-1.0, 2.0], "p": [0.5, 2]}}
    >>> out = os.path.join(tempfile.mkdtemp(), "power.sweep.sqlite")
    >>> df = sweep(spec, scheduler="threads", out=out)
    >>> list(df.columns)
    ['x', 'p', 'y', 'status', 'error', 'seconds']
    >>> df["x"].tolist(), df["p"].tolist(), df["y"].round(6).tolist(), df["status"].tolist()
    ([-1.0, -1.0, 2.0, 2.0], [0.5, 2.0, 0.5, 2.0], [nan, 1.0, 1.414214, 4.0], ['error', 'ok', 'ok', 'ok'])
    >>> df.loc[0, "error"]
    'ValueError: negative base with a fractional power'
    >>> sweep(spec, scheduler="threads", out=out, resume=True).attrs["summary"]["skipped"]
    4
    >>> load_sweep(out).shape
    (4, 6)
    >>> del SWEEP_FUNCTIONS["doc_power"]
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
    _check_scheduler(scheduler)  # before any file is written
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
            records.update((r.key, r) for r in store.records() if r.key in keys)
        else:
            store, created = SweepStore.create(out, spec.to_dict()), True  # refuses an existing file
    try:
        skipped = {k for k, r in records.items() if r.status == "ok" or not retry_failed}
        todo = [p for p in spec.points() if spec.point_key(p) not in skipped]
        description = "nothing to compute"
        if todo:
            description = _run(spec, sf, todo, scheduler, store, records, progress, on_point)
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
        out=str(out) if out is not None else None,
    )
    df.attrs["summary"] = asdict(summary)
    df.attrs["out"] = summary.out
    return df


def _run(spec, sf, todo, scheduler, store, records, progress, on_point) -> str:
    """Evaluate ``todo`` on the scheduler, storing each point as it completes; the runner's description."""
    ref = _function_ref(spec.function, sf)
    axes = tuple(spec.grid)
    runner = _start(scheduler, len(todo), spec.run["retries"])
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
                outcome = {"status": "error", "error": _error_text(exc), "result": {}, "seconds": 0.0}
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
    return runner.description


def load_sweep(path: str | os.PathLike[str]):
    """Read a sweep's result file (complete, interrupted or running) as a DataFrame.

    Rows of the stored SPEC's grid come first, in grid order (points not finished yet are
    absent), then rows of points outside that grid (kept from an earlier grid on ``--resume``).
    Columns and ``attrs`` as for :func:`sweep`, plus ``attrs["missing"]``: grid points not stored.
    The sweep function need not be importable.

    Parameters
    ----------
    path : path
        The SQLite file written by :func:`sweep` / ``lazyrich sweep``.

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> import os, tempfile
    >>> from lazyrich._tools.sweep.store import SweepStore
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
