"""Progress of a running sweep (on stderr) and the summary of a finished one.

Both report the rate as :func:`lazyrich._base.progress.rate` of the points computed and the seconds since the
first point was submitted (the summary states the start-up before it), so the last progress line and the
summary agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..._base.progress import ProgressBar, duration, rate

__all__ = ["SweepProgress", "SweepSummary"]


class SweepProgress(ProgressBar):
    """Progress of a sweep: done/total, failures, points/s, ETA (:class:`~lazyrich._base.progress.ProgressBar`).

    Parameters
    ----------
    total : int
        Points to compute.
    enabled : bool, optional
        ``None`` (default): a bar on a terminal, else a status line every 5 s; ``True``: also a line
        per finished point off a terminal; ``False``: nothing.
    stream : file, optional
        Where to write (default ``sys.stderr``).
    delay : float
        Seconds before the bar first appears on a terminal (short sweeps stay quiet).
    start : float, optional
        ``time.monotonic()`` from which the rate counts (default: now, before the first point is submitted).

    Examples
    --------
    >>> import io
    >>> stream = io.StringIO()
    >>> bar = SweepProgress(4, enabled=True, stream=stream, delay=0.0)
    >>> bar.update("ok"); bar.update("error")
    >>> stream.getvalue().splitlines()[-1].split("  ")[:2]
    ['sweep: [###############---------------] 2/4', 'failed 1']
    >>> bar.close()
    """

    def __init__(
        self, total: int, enabled: bool | None = None, stream=None, delay: float = 0.5, start: float | None = None
    ) -> None:
        super().__init__(total, delay, stream, show=enabled, label="sweep", unit="points", start=start)


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
        Wall time of this run (with the start of the cluster and the opening of the store).
    scheduler : str
        Where the points ran.
    out : str or None
        The result file.
    computing : float
        Seconds from the first submitted point to the last stored one: the clock of the progress
        (0: not measured; the rate then counts the whole wall time).

    Examples
    --------
    >>> s = SweepSummary(total=8, computed=6, skipped=2, failed=1, seconds=3.0, scheduler="2 threads", out=None)
    >>> s.rate, s.text()
    (2.0, '8 points: 6 computed, 2 skipped (resumed), 1 failed in 3.0s (2.00 points/s on 2 threads)')
    >>> SweepSummary(6, 6, 0, 0, seconds=10.0, scheduler="2 processes", out=None, computing=4.0).text()
    '6 points: 6 computed, 0 skipped (resumed), 0 failed in 10.0s (1.50 points/s for 4.0s + 6.0s start-up/shutdown on 2 processes)'
    """

    total: int
    computed: int
    skipped: int
    failed: int
    seconds: float
    scheduler: str
    out: str | None
    computing: float = 0.0

    @property
    def rate(self) -> float:
        """Computed points per second while computing: the last rate the progress showed (:func:`rate`)."""
        return rate(self.computed, self.computing if self.computing > 0 else self.seconds)

    def text(self) -> str:
        """One line for humans (the CLI prints it)."""
        where = f"; results in {self.out}" if self.out else ""
        phases = (
            f" for {duration(self.computing)} + {duration(self.seconds - self.computing)} start-up/shutdown"
            if self.computing > 0
            else ""
        )
        how = f" ({self.rate:.2f} points/s{phases} on {self.scheduler})" if self.computed else ""
        return (
            f"{self.total} points: {self.computed} computed, {self.skipped} skipped (resumed), {self.failed} failed "
            f"in {duration(self.seconds)}{how}{where}"
        )
