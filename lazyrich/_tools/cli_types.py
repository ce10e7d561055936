"""Argument types and output-path checks of the ``lazyrich`` command line (:mod:`lazyrich._tools.cli`).

Each rejects a bad value before any work starts, so that the command exits 2 with one line on stderr.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from .._base.errors import InvalidParameterError

__all__ = ["check_output_path", "jobs_count", "positive_count", "positive_number"]


def _integer_at_least(text: str, minimum: int, meaning: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer >= {minimum}{meaning}; got {text!r}") from None
    if value < minimum:
        raise argparse.ArgumentTypeError(f"must be an integer >= {minimum}{meaning}; got {value}")
    return value


def jobs_count(text: str) -> int:
    """argparse type of ``--jobs``: a non-negative integer (0 = every core)."""
    return _integer_at_least(text, 0, " (0 = every core, 1 = in-process)")


def positive_count(text: str) -> int:
    """argparse type of a count: a positive integer."""
    return _integer_at_least(text, 1, "")


def positive_number(text: str) -> float:
    """argparse type of a positive finite number."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number; got {text!r}") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive finite number; got {text}")
    return value


def check_output_path(path: str | None, option: str) -> None:
    """Refuse, before any work, an output FILE whose folder does not exist or that is a folder."""
    if path is None:
        return
    target = Path(path)
    if target.is_dir():
        raise InvalidParameterError(f"{option} {path!r} is a directory; give a file name")
    folder = target.parent
    if not folder.is_dir():
        raise InvalidParameterError(f"{option} {path!r}: the folder {str(folder)!r} does not exist; create it first")
