"""Crash-safe storage of sweep results: one SQLite file, one transaction per finished point.

The file holds a ``meta`` table (format version, the SPEC as JSON) and a ``points`` table with
one row per finished grid point (its key, parameters, status, error, result columns as JSON, and
seconds). SQLite runs in WAL mode: a commit is atomic and survives the writing process being
killed (SIGKILL) at any moment, so a killed sweep loses only the points still in flight. (With
``synchronous=NORMAL`` a power failure may lose the last few commits, never corrupt the file.)
Only one process (the sweep's client) writes; workers never touch the file.
"""

from __future__ import annotations

import json
import math
import os
import sqlite3
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..._base.errors import IncompatibleSweepError, InvalidParameterError

__all__ = ["FORMAT_VERSION", "DamagedRowError", "PointRecord", "SweepStore"]

FORMAT_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS points (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    params TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('ok', 'error')),
    error TEXT,
    result TEXT NOT NULL,
    seconds REAL NOT NULL,
    finished REAL NOT NULL
);
"""


@dataclass(frozen=True)
class PointRecord:
    """One finished grid point as stored.

    Attributes
    ----------
    key : str
        :meth:`SweepSpec.point_key` of the point.
    params : dict
        Grid axis values.
    status : str
        ``"ok"`` or ``"error"``.
    error : str or None
        ``"ErrorType: message"`` when the point raised.
    result : dict
        Result columns (empty for an error).
    seconds : float
        Time the evaluation took on its worker.
    """

    key: str
    params: dict[str, Any]
    status: str
    error: str | None
    result: dict[str, Any]
    seconds: float


class DamagedRowError(InvalidParameterError):
    """A stored row of a sweep result file cannot be read (its JSON is damaged); ``key`` names the point."""

    def __init__(self, path: Path, key: str, reason: str) -> None:
        self.key = key
        super().__init__(
            f"sweep results {str(path)!r}: the row of point {key} is damaged ({reason}); recompute it with "
            f"`lazyrich sweep SPEC --out {path} --resume` (a resume recomputes damaged rows)"
        )


def _loads(text: Any, path: Path, key: str) -> Any:
    try:
        value = json.loads(text)
    except (TypeError, ValueError) as exc:  # JSONDecodeError is a ValueError; a NULL or a blob is a TypeError
        raise DamagedRowError(path, key, f"{type(exc).__name__}: {exc}") from None
    if not isinstance(value, dict):
        raise DamagedRowError(path, key, f"expected a JSON object, got {type(value).__name__}")
    return value


def _dumps(obj: Any) -> str:
    # allow_nan=False: a non-finite number never enters the store (the engine turns it into an error row)
    return json.dumps(obj, sort_keys=False, separators=(",", ":"), allow_nan=False)


def _compatible(stored: Mapping[str, Any], spec: Mapping[str, Any]) -> str | None:
    """Why ``spec`` cannot resume a sweep stored with ``stored`` (None when it can)."""
    if stored["function"] != spec["function"]:
        return f"function {spec['function']!r} differs from the stored {stored['function']!r}"
    if stored["fixed"] != spec["fixed"]:
        return f"[fixed] {spec['fixed']} differs from the stored {stored['fixed']}"
    if list(stored["grid"]) != list(spec["grid"]):
        return f"grid axes {list(spec['grid'])} differ from the stored {list(stored['grid'])}"
    return None


class SweepStore:
    """The SQLite result file of a sweep (see the module docstring).

    Use :meth:`create` for a new file and :meth:`open` for an existing one (several readers may
    open a file while its sweep runs); close it, or use it as a context manager.

    Examples
    --------
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "demo.sqlite")
    >>> spec = {"function": "f", "fixed": {}, "grid": {"x": [1, 2]}}
    >>> with SweepStore.create(path, spec) as store:
    ...     store.add('{"x":1}', {"x": 1}, "ok", None, {"y": 1.0}, 0.01)
    >>> with SweepStore.open(path) as store:
    ...     [(r.params, r.result) for r in store.records()]
    [({'x': 1}, {'y': 1.0})]
    """

    def __init__(self, path: Path, conn: sqlite3.Connection, *, lock: bool = False) -> None:
        self.path = path
        self._conn = conn
        self._lock_fd: int | None = None
        if lock:
            self._lock()

    def _lock(self) -> None:
        """Take an exclusive advisory lock (flock, released when the process dies) so one sweep writes at a time."""
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX: no protection against two writers
            return
        fd = os.open(self.path, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            self._conn.close()
            raise InvalidParameterError(
                f"another sweep is writing to {str(self.path)!r}; wait for it to finish (or stop it) before resuming"
            ) from exc
        self._lock_fd = fd

    @staticmethod
    def _connect(path: Path) -> sqlite3.Connection:
        conn = sqlite3.connect(path, isolation_level=None, timeout=30.0)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        return conn

    @classmethod
    def create(cls, path: str | os.PathLike[str], spec: Mapping[str, Any]) -> SweepStore:
        """Create a new result file for ``spec`` (a :meth:`SweepSpec.to_dict`); it must not exist."""
        path = Path(path)
        if path.exists():
            raise InvalidParameterError(
                f"{str(path)!r} already exists: pass --resume (resume=True) to continue that sweep, "
                "or remove the file (or choose another --out) to start over"
            )
        if not path.parent.is_dir():
            raise InvalidParameterError(f"the directory of {str(path)!r} does not exist")
        # built under a temporary name and renamed, so a file at ``path`` always has its SPEC
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        conn = sqlite3.connect(tmp, isolation_level=None)
        try:
            conn.executescript(_SCHEMA)
            conn.execute("BEGIN")
            conn.executemany(
                "INSERT INTO meta (name, value) VALUES (?, ?)",
                [("format_version", str(FORMAT_VERSION)), ("spec", _dumps(spec)), ("created", repr(time.time()))],
            )
            conn.execute("COMMIT")
        finally:
            conn.close()
        os.replace(tmp, path)
        return cls(path, cls._connect(path), lock=True)

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, lock: bool = False) -> SweepStore:
        """Open an existing result file: to read it, or with ``lock=True`` to resume it (one writer at a time)."""
        path = Path(path)
        if not path.is_file():
            raise InvalidParameterError(f"sweep results {str(path)!r} do not exist")
        try:
            conn = cls._connect(path)
            rows = dict(conn.execute("SELECT name, value FROM meta").fetchall())
        except sqlite3.DatabaseError as exc:
            raise InvalidParameterError(f"{str(path)!r} is not a lazyrich sweep result file ({exc})") from exc
        if "spec" not in rows or "format_version" not in rows:
            conn.close()
            raise InvalidParameterError(f"{str(path)!r} is not a lazyrich sweep result file (no stored SPEC)")
        if int(rows["format_version"]) != FORMAT_VERSION:
            conn.close()
            raise InvalidParameterError(
                f"{str(path)!r} has sweep format {rows['format_version']}; this lazyrich reads {FORMAT_VERSION}"
            )
        return cls(path, conn, lock=lock)

    @property
    def spec(self) -> dict[str, Any]:
        """The stored SPEC (function, fixed, grid of the last run)."""
        (value,) = self._conn.execute("SELECT value FROM meta WHERE name = 'spec'").fetchone()
        try:
            spec = json.loads(value)
            if not all(isinstance(spec.get(k), dict) for k in ("fixed", "grid")) or "function" not in spec:
                raise ValueError("function, fixed or grid missing")
        except (TypeError, ValueError, AttributeError) as exc:
            raise InvalidParameterError(
                f"sweep results {str(self.path)!r}: the stored SPEC is damaged ({exc}); the points cannot be "
                "matched to a grid: rerun the sweep into a new --out"
            ) from None
        return spec

    def check_compatible(self, spec: Mapping[str, Any]) -> None:
        """Raise :class:`IncompatibleSweepError` unless ``spec`` may resume this sweep.

        The function, the fixed values and the axis names (in order) must be equal; the axis values
        may differ (a refined or extended grid reuses the stored points it contains).
        """
        reason = _compatible(self.spec, spec)
        if reason:
            raise IncompatibleSweepError(
                f"cannot resume {str(self.path)!r} with this SPEC: {reason}; "
                "use another --out, or remove the file to start over"
            )

    def set_spec(self, spec: Mapping[str, Any]) -> None:
        """Record ``spec`` as the sweep's SPEC (after :meth:`check_compatible`)."""
        self._conn.execute("BEGIN")
        self._conn.execute("UPDATE meta SET value = ? WHERE name = 'spec'", (_dumps(spec),))
        self._conn.execute("COMMIT")

    def add(
        self,
        key: str,
        params: Mapping[str, Any],
        status: str,
        error: str | None,
        result: Mapping[str, Any],
        seconds: float,
    ) -> None:
        """Store one finished point in its own transaction (replacing an earlier row of the same key)."""
        if status not in ("ok", "error"):
            raise InvalidParameterError(f"status must be 'ok' or 'error'; got {status!r}")
        if not math.isfinite(seconds):
            raise InvalidParameterError(f"seconds must be finite; got {seconds!r}")
        row = (key, _dumps(dict(params)), status, error, _dumps(dict(result)), float(seconds), time.time())
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            self._conn.execute("DELETE FROM points WHERE key = ?", (key,))
            self._conn.execute(
                "INSERT INTO points (key, params, status, error, result, seconds, finished) VALUES (?, ?, ?, ?, ?, ?, ?)",
                row,
            )
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    def records(self, damaged: str = "raise") -> Iterator[PointRecord]:
        """Stored points in the order they finished.

        A row whose JSON cannot be read raises :class:`DamagedRowError` (naming its key and the
        command that recomputes it) with ``damaged="raise"``; ``damaged="skip"`` leaves it out
        (what a resume does: the point is then computed again and its row replaced).
        """
        if damaged not in ("raise", "skip"):
            raise InvalidParameterError(f"damaged must be 'raise' or 'skip'; got {damaged!r}")
        for key, params, status, error, result, seconds in self._conn.execute(
            "SELECT key, params, status, error, result, seconds FROM points ORDER BY seq"
        ):
            try:
                record = PointRecord(
                    key, _loads(params, self.path, key), status, error, _loads(result, self.path, key), seconds
                )
            except DamagedRowError:
                if damaged == "skip":
                    continue
                raise
            yield record

    def statuses(self) -> dict[str, str]:
        """Point key -> status of every stored point."""
        return dict(self._conn.execute("SELECT key, status FROM points"))

    def close(self) -> None:
        """Close the file (the last connection to close folds the write-ahead log back into it)."""
        self._conn.close()
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    def __enter__(self) -> SweepStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
