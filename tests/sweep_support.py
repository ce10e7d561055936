"""Sweep functions for the sweep engine's tests (named by import path ``sweep_support:<name>``).

Workers import this module: a subprocess or a ``dask worker`` needs ``tests/`` on PYTHONPATH.
"""

from __future__ import annotations

import math
import os
import signal
import time


def expected_y(x: float, seed: int) -> float:
    """The value :func:`counting` returns, written out for the tests' independent expectation."""
    return x * x + math.sin(seed + x)


def counting(x: float, seed: int, counter: str, delay: float = 0.0) -> dict:
    """Append one line ``x seed`` to ``counter`` per evaluation (so tests count recomputations), sleep, return y."""
    fd = os.open(counter, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, f"{x!r} {seed!r}\n".encode())  # one write of a short line: atomic under O_APPEND
    finally:
        os.close(fd)
    time.sleep(delay)
    return {"y": x * x + math.sin(seed + x), "even": seed % 2 == 0, "label": f"x={x}"}


def read_counts(counter: str) -> dict[tuple[float, int], int]:
    """Evaluations per (x, seed) recorded by :func:`counting`."""
    counts: dict[tuple[float, int], int] = {}
    if not os.path.exists(counter):
        return counts
    with open(counter) as fh:
        for line in fh:
            x, seed = line.split()
            key = (float(x), int(seed))
            counts[key] = counts.get(key, 0) + 1
    return counts


def raising(x: float) -> dict:
    """Raise a ValueError for negative x (a point that fails), else return sqrt(x)."""
    if x < 0:
        raise ValueError(f"x = {x} is negative")
    return {"root": math.sqrt(x)}


def flaky(x: int, flag: str) -> dict:
    """Fail while the file ``flag`` exists (a failure that a later retry can fix)."""
    if os.path.exists(flag):
        raise RuntimeError("flag file present")
    return {"double": 2 * x}


def bad_output(kind: str) -> dict:
    """Return something a sweep function must not: inf, a list, a non-mapping."""
    if kind == "inf":
        return {"v": math.inf}
    if kind == "list":
        return {"v": [1, 2]}
    if kind == "scalar":
        return 1.0
    return {"v": 1.0}


def dying(x: int, marker: str) -> dict:
    """Kill the worker process the first time x == 0 runs (a dead worker that Dask must retry)."""
    if x == 0 and not os.path.exists(marker):
        with open(marker, "w") as fh:
            fh.write(str(os.getpid()))
        os.kill(os.getpid(), signal.SIGKILL)  # dies at once, as a crashed worker does
    return {"x2": x * x}
