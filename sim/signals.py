"""Stopping a run from outside: Ctrl-C (SIGINT) and SIGTERM.

A run that is stopped keeps every replication it finished. Ctrl-C raises
KeyboardInterrupt, which the runner catches. SIGTERM, which ``timeout``, ``kill``,
``docker stop`` and cluster schedulers send before they kill a job, is turned into the
same exception (:class:`Terminated`), so it is handled the same way instead of ending
the process with nothing saved.

Stopping is the parent's to handle: pool workers run in a session of their own, so a
signal sent to the command's process group (Ctrl-C at a terminal, ``timeout``, ``kill
-- -PGID``) reaches the parent alone, and they ignore Ctrl-C besides. They keep the
default SIGTERM, which is how the pool stops the workers left when one of them dies.
While finished work is being saved, the parent ignores both signals
(:func:`shielded`).
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where Ctrl-C would raise KeyboardInterrupt."""


def detach_worker() -> None:
    """Pool worker initializer: stopping is the parent's to handle, not the workers'.

    Ignoring SIGTERM as well would be wrong: a pool that loses a worker stops the others
    with SIGTERM, and would wait for them for ever."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the parent's handler, if forked
    os.setsid()


def _in_main_thread() -> bool:
    # signal handlers can only be set, and signals only arrive, in the main thread
    return threading.current_thread() is threading.main_thread()


@contextmanager
def shielded() -> Iterator[None]:
    """Ignore Ctrl-C and SIGTERM for the duration: what runs inside saves finished work
    and must not be cut short (a second Ctrl-C, or ``timeout`` following its SIGTERM)."""
    if not _in_main_thread():
        yield
        return
    previous = [signal.signal(sig, signal.SIG_IGN) for sig in STOP_SIGNALS]
    try:
        yield
    finally:
        for sig, handler in zip(STOP_SIGNALS, previous, strict=True):
            signal.signal(sig, handler)


class TermGuard:
    """Within ``with TermGuard() as guard``, SIGTERM raises :class:`Terminated`;
    ``guard.terminated`` then says it came, so the exit status can say so (143)."""

    def __init__(self) -> None:
        self.terminated = False
        self._previous: Callable[[int, FrameType | None], Any] | int | None = None
        self._active = False

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self.terminated = True
        raise Terminated

    def __enter__(self) -> TermGuard:
        if _in_main_thread():
            self._previous = signal.signal(signal.SIGTERM, self._handle)
            self._active = True
        return self

    def __exit__(self, *exc: object) -> None:
        if self._active:
            signal.signal(signal.SIGTERM, self._previous)
            self._active = False
