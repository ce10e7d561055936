"""Where a sweep's points run: a thread pool in this process or a Dask ``distributed`` cluster.

:func:`start_runner` turns a scheduler into a :class:`Runner`, which submits
:func:`~lazyrich._tools.sweep.worker.evaluate` once per grid point. Schedulers:

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

import logging
import os
import signal
import threading
import uuid
from collections.abc import Iterable, Iterator
from typing import Any, Protocol

from ..._base.errors import InvalidParameterError, MissingDependencyError
from .worker import evaluate

__all__ = ["THREADS_MAX_POINTS", "Runner", "check_scheduler", "start_runner"]

#: ``scheduler=None`` runs sweeps with at most this many points to compute on threads, not processes.
THREADS_MAX_POINTS = 4

_SCHEDULER_HELP = "use local, processes:N, threads[:N] or a Dask address tcp://HOST:PORT"


class Runner(Protocol):
    """What the engine needs of an executor (a thread pool or a Dask client)."""

    #: Where the points run, for humans (e.g. ``"2 threads in this process"``).
    description: str

    def submit(self, args: tuple, index: int) -> Any:
        """Submit ``evaluate(*args)`` for the ``index``-th point to compute; a future."""

    def as_completed(self, futures: Iterable[Any]) -> Iterator[Any]:
        """The futures in the order they finish."""

    def cancel(self, futures: Iterable[Any]) -> None:
        """Cancel the futures not finished yet."""

    def close(self) -> None:
        """Release the executor (a cluster this runner started is stopped)."""


def _require_distributed():
    try:
        import distributed
    except ImportError as exc:  # pragma: no cover - distributed is in the dist extra
        raise MissingDependencyError(
            "this scheduler needs dask.distributed: pip install 'lazyrich[dist]' (or use scheduler='threads')"
        ) from exc
    return distributed


class _ThreadRunner:
    def __init__(self, n: int) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self._pool = ThreadPoolExecutor(max_workers=n, thread_name_prefix="lazyrich-sweep")
        self.description = f"{n} thread{'s' * (n > 1)} in this process"

    def submit(self, args: tuple, index: int):
        return self._pool.submit(evaluate, *args)

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
            evaluate, *args, key=f"lazyrich-sweep-{self._token}-{index}", pure=False, retries=self.retries
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


def check_scheduler(scheduler: Any) -> None:
    """Raise for a scheduler that :func:`start_runner` would not accept (without starting anything).

    Examples
    --------
    >>> check_scheduler("threads:2"), check_scheduler("tcp://127.0.0.1:8786")
    (None, None)
    >>> check_scheduler("processes:0")
    Traceback (most recent call last):
    ...
    lazyrich._base.errors.InvalidParameterError: scheduler 'processes:0': write processes:N with N a positive integer
    """
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
        raise InvalidParameterError(f"unknown scheduler {text!r}: {_SCHEDULER_HELP}")


def start_runner(scheduler: Any, n_points: int, retries: int) -> Runner:
    """A runner for ``scheduler`` (see the module docstring) sized for ``n_points`` points.

    ``retries`` is how often Dask resubmits a point whose worker died.

    Examples
    --------
    >>> runner = start_runner("threads:2", 10, retries=2)
    >>> runner.description
    '2 threads in this process'
    >>> runner.close()
    """
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
    raise InvalidParameterError(f"unknown scheduler {text!r}: {_SCHEDULER_HELP}")


def _local_cluster(n: int, retries: int) -> _DaskRunner:
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
