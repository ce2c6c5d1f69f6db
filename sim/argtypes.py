"""The command line's value types: what each option accepts, checked as argparse reads
it, so a bad value is refused (exit 2) with the range it must lie in before anything
runs; and the bounds those types enforce.
"""

from __future__ import annotations

import argparse
import math
import numbers
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from sim.errors import show

T = TypeVar("T")

DEFAULT_RUNS = 4000
DEFAULT_SEED = 2016
DEFAULT_CHECKPOINT = 60.0
"""Seconds between saves of a running run's finished replications (``--checkpoint``)."""
MAX_RUNS = 100_000_000
MAX_WORKERS = 1024


def checked(convert: Callable[[str], T], ok: Callable[[T], bool], allowed: str
            ) -> Callable[[str], T]:
    """argparse type: ``convert`` the text, and refuse it unless ``ok``, saying ``allowed``."""
    def parse(text: str) -> T:
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"bad value {show(text)}; {allowed}") from None
        if not ok(value):
            raise argparse.ArgumentTypeError(f"bad value {show(text)}; {allowed}")
        return value
    return parse


def whole(text: str) -> int:
    """An integer written in at most 60 characters (longer text is refused before Python
    converts it: beyond 4,300 digits it refuses with its own, unrelated, message)."""
    if len(text) > 60:
        raise ValueError(text)
    return int(text)


def whole_in(value: object, low: int, high: int) -> bool:
    """Whether ``value``, given from Python, is an integer (numpy's too, not a bool)
    from ``low`` to ``high``."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool) \
        and low <= int(value) <= high


def count(high: int) -> Callable[[str], int]:
    """argparse type: a whole number from 1 to ``high``."""
    return checked(whole, lambda v: 1 <= v <= high, f"a whole number from 1 to {high:,}")


SEED_LIMIT = 2**128
"""Seeds are below this: SeedSequence keeps 128 bits of a run's entropy in its pool."""

seed_int = checked(whole, lambda v: 0 <= v < SEED_LIMIT, "an integer from 0 to 2**128 - 1")
"""argparse type: a root seed."""

replication_int = checked(whole, lambda v: 0 <= v < MAX_RUNS,
                          f"a replication index from 0 to {MAX_RUNS - 1:,}")
"""argparse type: the index of one replication."""

seconds = checked(float, lambda v: math.isfinite(v) and 0 <= v <= 86_400,
                  "a number of seconds from 0 to 86400")
"""argparse type: a time interval, 0 to a day."""

def out_dir(text: str) -> Path:
    """argparse type: an output directory. Empty text is refused: it is usually a shell
    variable left unset, and would write into the current directory."""
    if not text.strip():
        raise argparse.ArgumentTypeError(
            f"bad value {show(text)}; a directory path (empty text would write into the "
            "current directory; give . for that)")
    return Path(text)


MIN_PRECISION = 1e-6
"""The smallest --precision: it needs about a trillion runs already (a smaller one
overflowed the run count computed for it)."""

def in_dir(text: str) -> Path:
    """argparse type: a directory to read (backtest's scenarios, a run to plot). Empty
    text is refused, as for --out: it is usually a shell variable left unset, and would
    read the current directory."""
    if not text.strip():
        raise argparse.ArgumentTypeError(
            f"bad value {show(text)}; a directory path (empty text would read the current "
            "directory; give . for that)")
    return Path(text)


precision_float = checked(float, lambda v: math.isfinite(v) and MIN_PRECISION <= v < 0.5,
                          f"a number from {MIN_PRECISION:g} to below 0.5")
"""argparse type: a half-width in [MIN_PRECISION, 0.5)."""
