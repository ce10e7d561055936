"""Progress on stderr for long runs (``lazyrich verify``, ``stress``, ``sweep``), and the one rate they report.

On a terminal a bar is redrawn in place; on a pipe or a file a one-line status is written every few
seconds (a background thread, so that it comes even while one item runs for minutes).
"""

from __future__ import annotations

import shutil
import sys
import threading
import time
import weakref

__all__ = ["ProgressBar", "duration", "rate"]


def rate(done: int, seconds: float) -> float:
    """Items per second of wall time: the one rate every progress line and summary reports.

    >>> rate(6, 3.0), rate(0, 0.0)
    (2.0, 0.0)
    """
    return done / seconds if seconds > 0 else 0.0


def duration(seconds: float) -> str:
    """``"4.2s"``, ``"3m07s"`` or ``"1h05m"``.

    >>> duration(4.21), duration(187), duration(3900)
    ('4.2s', '3m07s', '1h05m')
    """
    seconds = max(0.0, seconds)
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, sec = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{sec:02d}s"


class ProgressBar:
    """Progress on stderr: a redrawn bar on a terminal, a periodic one-line status on a pipe or file.

    Parameters
    ----------
    total : int
        Items to finish (claims, stress cases, sweep points).
    delay : float
        Seconds before the bar first appears on a terminal (short runs stay quiet).
    stream : file, optional
        Where to write (default ``sys.stderr``).
    force : bool
        Draw the bar even when ``stream`` is not a terminal (tests).
    show : bool, optional
        ``None`` (default): the bar on a terminal, else a status line every ``interval`` seconds;
        ``True`` (``--progress``): the bar at once, else a status line per finished item (and every
        ``interval`` seconds while one runs); ``False`` (``--quiet``): nothing.
    interval : float
        Seconds between two status lines when ``stream`` is not a terminal.
    label : str
        What runs, at the start of each status line (e.g. ``"verify"``).
    unit : str
        What is counted (``"claims"``, ``"points"``), for the rate.
    start : float, optional
        ``time.monotonic()`` at which the work started (default: now); rates count from it.

    Examples
    --------
    >>> import io
    >>> bar = ProgressBar(4, stream=io.StringIO(), force=True, delay=0.0, unit="points")
    >>> bar.update(True, "a"); bar.update(False, "b")
    >>> parts = bar.line().split("  ")
    >>> parts[:2], parts[-1]
    (['[###############---------------] 2/4', 'failed 1'], 'last: b')
    >>> bar.close()
    """

    def __init__(
        self,
        total: int,
        delay: float = 1.0,
        stream=None,
        force: bool = False,
        *,
        show: bool | None = None,
        interval: float = 5.0,
        label: str = "",
        unit: str = "items",
        start: float | None = None,
    ) -> None:
        self.total, self.done, self.failed, self.current = total, 0, 0, ""
        self.start = time.monotonic() if start is None else start
        self.last_update = self.start  # when the last item finished
        self.delay = 0.0 if show else delay
        self.stream = stream or sys.stderr
        self.label, self.unit, self.interval = label, unit, interval
        tty = force or bool(getattr(self.stream, "isatty", lambda: False)())
        self.mode = "off" if show is False else ("bar" if tty else "lines")
        self.enabled = self.mode == "bar"  # a redrawn bar (the status lines need no redraw)
        self.every_item = bool(show)
        self.shown = False
        self._width = shutil.get_terminal_size().columns - 1
        self._lock = threading.Lock()
        self._stop = threading.Event()
        if self.mode == "lines":  # periodic even while one item runs for minutes
            threading.Thread(target=_tick, args=(weakref.ref(self), self._stop), daemon=True).start()

    def elapsed(self) -> float:
        """Seconds since ``start``."""
        return time.monotonic() - self.start

    def rate(self) -> float:
        """Finished items per second from ``start`` to the last finished item (:func:`rate`)."""
        return rate(self.done, self.last_update - self.start)

    def line(self) -> str:
        """The current status: bar, done/total, failures, rate, elapsed, ETA and the last finished item."""
        width = 30
        filled = int(width * self.done / max(self.total, 1))
        speed = self.rate()
        eta = duration((self.total - self.done) / speed) if speed > 0 else "?"
        return (
            f"[{'#' * filled}{'-' * (width - filled)}] {self.done}/{self.total}  failed {self.failed}  "
            f"{speed:.2f} {self.unit}/s  {duration(self.elapsed())}  ETA {eta}{'  last: ' if self.current else ''}"
            f"{self.current[:50]}"
        )

    def update(self, result=True, name: str = "") -> None:
        """Count one finished item: ``result`` is a ClaimResult, a status string (``"ok"``) or a bool (passed)."""
        passed = getattr(result, "passed", result == "ok" if isinstance(result, str) else bool(result))
        with self._lock:
            self.last_update = time.monotonic()
            self.done += 1
            self.failed += not passed
            self.current = name or getattr(result, "id", "")
            if self.mode == "bar" and self.elapsed() >= self.delay:
                self.stream.write(
                    "\r" + self.line()[: self._width].ljust(self._width)
                )  # one terminal line: \r redraws it
                self.stream.flush()
                self.shown = True
        if self.mode == "lines" and self.every_item:
            self.tick()

    def tick(self) -> None:
        """Write one status line (on a pipe: called every ``interval`` seconds)."""
        with self._lock:
            if self.mode == "lines":
                self.stream.write(f"{self.label}{': ' if self.label else ''}{self.line()}\n")
                self.stream.flush()

    def close(self) -> None:
        """Stop the status lines and erase the bar (the summary follows)."""
        self._stop.set()
        with self._lock:
            if self.shown:
                self.stream.write("\r" + " " * self._width + "\r")
                self.stream.flush()
                self.shown = False

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _tick(ref: weakref.ref, stop: threading.Event) -> None:
    while True:
        bar = ref()
        if bar is None:
            return
        interval = bar.interval
        del bar  # hold no reference while waiting: a bar nobody closes is collected and the thread ends
        if stop.wait(interval):
            return
        bar = ref()
        if bar is None:
            return
        bar.tick()
        del bar
