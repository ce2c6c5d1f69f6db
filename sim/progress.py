"""How the progress bar is sized on the terminal it is drawn on, and how a warning is
written while it is drawn.

A pseudo-terminal whose size was never set (some container consoles) reports 0 columns
and 0 rows. tqdm takes the reported size less one as its own, so it trims every line
to -1 columns and finds no row free to draw in: the bar is silently never drawn. A
size of 0 means "unknown", so the bar is then drawn as on a terminal of the usual
default size instead.
"""

from __future__ import annotations

import os
import sys
from typing import TextIO

FALLBACK_SIZE = os.terminal_size((80, 24))
"""The size taken for a terminal that reports 0: the usual default of terminals."""


def bar_size(reported: os.terminal_size | None) -> dict[str, int | bool]:
    """tqdm's sizing arguments for a terminal that reported ``reported`` (None: no
    size could be read, or not a terminal).

    Normally the bar follows the terminal as it is resized (``dynamic_ncols``), as it
    always has. Only a reported 0 (in either dimension) gives a fixed size, that of
    :data:`FALLBACK_SIZE` where it was 0, less one as tqdm counts (so that the line
    does not wrap at the last column)."""
    if reported is None or (reported.columns > 0 and reported.lines > 0):
        return {"dynamic_ncols": True}
    columns = reported.columns if reported.columns > 0 else FALLBACK_SIZE.columns
    lines = reported.lines if reported.lines > 0 else FALLBACK_SIZE.lines
    return {"ncols": columns - 1, "nrows": lines - 1}


def terminal_size(stream: TextIO) -> os.terminal_size | None:
    """The size ``stream``'s terminal reports, or None when it is none (a file, a pipe,
    a stream without a descriptor, as under pytest's capture)."""
    try:
        return os.get_terminal_size(stream.fileno())
    except (AttributeError, OSError, ValueError):
        return None


def warn(text: str) -> None:
    """Write ``text`` as a line on stderr while a run goes on: a progress bar drawn
    there is cleared first and drawn again below it, not cut in two by the line.
    (tqdm is imported here: the command line's start, and ``--help``, need none of the
    packages the runs do.)"""
    from tqdm import tqdm

    with tqdm.external_write_mode(file=sys.stderr):
        print(text, file=sys.stderr)
