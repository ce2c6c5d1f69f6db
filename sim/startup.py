"""The program's stop signals around its command: while it starts, as the command
takes them over, and once it is done.

Loading the command line's modules takes a few tenths of a second, during which a
Ctrl-C printed Python's traceback from deep inside an import. Nothing has run then, so a
stop simply ends the program, in one line. The commands then handle stops themselves
(:mod:`sim.signals`), and once one is done a stop can stop nothing: it is ignored, so
the exit status stays the command's. This module loads nothing but the standard
library's signal handling, so the guard is in place a millisecond after the program's
first line.
"""

from __future__ import annotations

import contextlib
import signal
import sys
from types import FrameType


def _hang_up() -> int | None:
    """SIGHUP, where the platform has it and the program was not started to ignore it
    (``nohup``, or a parent that set it so): such a run is meant to outlive its
    terminal, and a hang-up must not stop it."""
    hup = getattr(signal, "SIGHUP", None)
    return None if hup is None or signal.getsignal(hup) == signal.SIG_IGN else hup


TERMINATING = tuple(s for s in (signal.SIGTERM, _hang_up()) if s is not None)
"""Stops that end the command as SIGTERM does (exit 128 + the signal): SIGTERM, and the
hang-up a closed terminal or a dropped SSH session sends, where the platform has it and
the program was not started under ``nohup``. Decided once, as this module loads (the
program's first line), before any handler of the program's own is set."""
STOP_SIGNALS = (signal.SIGINT, *TERMINATING)


def _stopped_while_starting(signum: int, frame: FrameType | None) -> None:
    ignore_stops()  # the program is going: a second signal changes nothing
    with contextlib.suppress(OSError):  # (after a hang-up the terminal may be gone)
        print("interrupted while starting; nothing was run", file=sys.stderr)
    raise SystemExit(128 + signum)


def guard_start() -> None:
    """Until the command starts, Ctrl-C, SIGTERM or a hang-up ends the program with one
    line and status 128 + the signal (130, 143, 129)."""
    for stop in STOP_SIGNALS:
        signal.signal(stop, _stopped_while_starting)


def hand_stops_to_commands() -> None:
    """Python's own handling of Ctrl-C again (it raises KeyboardInterrupt), which the
    commands build on: they defer stops while they run and save, and act on them after.
    (SIGTERM and SIGHUP are the command's :class:`sim.signals.TermGuard`'s.)"""
    signal.signal(signal.SIGINT, signal.default_int_handler)


def ignore_stops() -> None:
    """Ignore Ctrl-C, SIGTERM and SIGHUP from now on: the command has saved and printed
    everything, and a stop can stop nothing. Ignored, not handled: as Python shuts down
    it puts the default handlers back in place of its own, and a late SIGTERM then
    killed the process (status -15) after a complete run."""
    for stop in STOP_SIGNALS:
        signal.signal(stop, signal.SIG_IGN)
