"""Progress of a running sweep (a one-line bar on stderr) and the summary of a finished one."""

from __future__ import annotations

import math
import sys
import time
from dataclasses import dataclass

__all__ = ["SweepProgress", "SweepSummary"]


class SweepProgress:
    """A one-line progress bar on stderr (only on a TTY unless forced): done/total, failures, rate, ETA.

    Parameters
    ----------
    total : int
        Points to compute.
    enabled : bool, optional
        Draw the bar (default: only when ``stream`` is a terminal).
    stream : file, optional
        Where to draw it (default ``sys.stderr``).
    delay : float
        Seconds before the bar first appears (short sweeps stay quiet).

    Examples
    --------
    >>> import io
    >>> bar = SweepProgress(4, enabled=True, stream=io.StringIO(), delay=0.0)
    >>> bar.update("ok"); bar.update("error")
    >>> bar.line().split("  ")[:2]
    ['[###############---------------] 2/4', 'failed 1']
    >>> bar.close()
    """

    def __init__(self, total: int, enabled: bool | None = None, stream=None, delay: float = 0.5) -> None:
        self.total, self.done, self.failed = total, 0, 0
        self.stream = stream or sys.stderr
        self.enabled = enabled if enabled is not None else bool(getattr(self.stream, "isatty", lambda: False)())
        self.start = time.monotonic()
        self.delay = delay
        self.shown = False

    def line(self) -> str:
        """The bar's current text."""
        elapsed = time.monotonic() - self.start
        rate = self.done / elapsed if elapsed > 0 else 0.0
        eta = (self.total - self.done) / rate if rate > 0 else float("inf")
        width = 30
        filled = int(width * self.done / max(self.total, 1))
        bar = "#" * filled + "-" * (width - filled)
        eta_text = _duration(eta) if math.isfinite(eta) else "?"
        return f"[{bar}] {self.done}/{self.total}  failed {self.failed}  {rate:.2f} points/s  ETA {eta_text}"

    def update(self, status: str) -> None:
        """Count one finished point (``status`` ``"ok"`` or ``"error"``) and redraw."""
        self.done += 1
        self.failed += status != "ok"
        if self.enabled and time.monotonic() - self.start >= self.delay:
            self.stream.write("\r" + self.line())
            self.stream.flush()
            self.shown = True

    def close(self) -> None:
        """Erase the bar (the summary line follows)."""
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
