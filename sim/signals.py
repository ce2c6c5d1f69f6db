"""Stopping a run from outside: Ctrl-C (SIGINT), SIGTERM and a hang-up (SIGHUP).

A run that is stopped keeps every replication it finished. While replications run,
the runner records stop signals (:func:`deferred_stop`) and acts on them between
steps: it waits for the work items running, keeps them, and returns what finished. A
second signal drops the items still running. SIGTERM, which ``timeout``, ``kill``,
``docker stop`` and cluster schedulers send before they kill a job, stops a run the
same way; outside a run it is turned into an exception like Ctrl-C's
(:class:`Terminated`), so it too ends the command with its work saved and exit 143. So
does the hang-up of a closed terminal or a dropped SSH session (SIGHUP, exit 129).

Stopping is the parent's to handle: pool workers run in a session of their own, so a
signal sent to the command's process group (Ctrl-C at a terminal, ``timeout``, ``kill
-- -PGID``) reaches the parent alone, and they ignore Ctrl-C besides. They keep the
default SIGTERM, which is how the pool stops the workers left when one of them dies,
and exit by themselves when the parent is gone. While finished work is being saved, the
parent holds both signals back until the save is done (:func:`shielded`).

A reader that goes away (``| head``) is the third way out: Python ignores SIGPIPE, so a
print raises BrokenPipeError instead, and :class:`ClosedPipeGuard` lets the command go
on to save what it printed.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any, TextIO

from sim.startup import STOP_SIGNALS, TERMINATING


class Terminated(KeyboardInterrupt):
    """SIGTERM (or a hang-up, SIGHUP), raised where Ctrl-C would raise KeyboardInterrupt;
    ``signum`` says which, for the exit status (128 + it)."""

    def __init__(self, signum: int = signal.SIGTERM) -> None:
        super().__init__()
        self.signum = int(signum)


class StopExplained(KeyboardInterrupt):
    """A stop (Ctrl-C, SIGTERM or SIGHUP) whose message the user has been given already: what
    was saved and how to go on. The command line adds nothing to it."""


def detach_worker() -> None:
    """Pool worker initializer: stopping is the parent's to handle, not the workers'.

    Ignoring SIGTERM as well would be wrong: a pool that loses a worker stops the others
    with SIGTERM, and would wait for them for ever. In a session of its own, a worker
    also outlives a parent killed outright, so it watches for that and exits."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for stop in TERMINATING:  # not the parent's handlers, if forked
        signal.signal(stop, signal.SIG_DFL)
    os.setsid()
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_with_parent, args=(parent.sentinel,), daemon=True,
                         name="exit-with-parent").start()


def _exit_with_parent(sentinel: int) -> None:
    # a forked worker holds both ends of its work queue's pipe, so it would never see
    # the queue close: it would wait for work for ever once its parent is gone. The
    # parent's sentinel (the process that made the pool, whatever the start method: a
    # fork server is not it) becomes ready when that process ends.
    multiprocessing.connection.wait([sentinel])
    os._exit(1)


def _in_main_thread() -> bool:
    # signal handlers can only be set, and signals only arrive, in the main thread
    return threading.current_thread() is threading.main_thread()


REPEAT_SECONDS = 0.2
"""A second stop signal counts as the user insisting only this long after the first:
``timeout`` sends its signal twice at once (to the command, then to its group)."""


class StopRequest:
    """Stop signals (Ctrl-C, SIGTERM, SIGHUP) recorded as they come, to be acted on where that
    is safe.

    A handler that raises KeyboardInterrupt wherever the main thread happens to be can
    land inside the locks of ``concurrent.futures.wait`` (or tqdm's) and leave them
    half released; a second signal a moment later then ended the run as an internal
    error ("release unlocked lock") with nothing saved. So the runner records signals
    here and looks at them between steps. ``raise_on_repeat`` makes a repeated signal
    raise at once, for code with no locks to break (the model, running in-process),
    where waiting for a slow replication to end would ignore an impatient user.
    ``redeliver`` says whether the signals are delivered to the handlers of before
    when :func:`deferred_stop` ends (not when the caller has acted on them)."""

    def __init__(self, redeliver: bool = True) -> None:
        self.signals: list[int] = []
        self.times: list[float] = []
        self.raise_on_repeat = False
        self.redeliver = redeliver

    def record(self, signum: int, frame: FrameType | None) -> None:
        """The signal handler."""
        self.signals.append(signum)
        self.times.append(time.monotonic())
        if self.raise_on_repeat and self.insisted:
            raise self.interrupt()

    @property
    def requested(self) -> bool:
        """A stop signal came."""
        return bool(self.signals)

    @property
    def insisted(self) -> bool:
        """Another came :data:`REPEAT_SECONDS` or more after the first: the user will
        not wait for the work running to finish."""
        return bool(self.times) and self.times[-1] - self.times[0] >= REPEAT_SECONDS

    def interrupt(self) -> KeyboardInterrupt:
        """The exception a stop is raised as: :class:`Terminated` if SIGTERM or SIGHUP
        came (the first of them to come)."""
        ending = self.terminating
        return Terminated(ending) if ending else KeyboardInterrupt()

    @property
    def terminating(self) -> int:
        """The first SIGTERM or SIGHUP that came, or 0."""
        return next((s for s in self.signals if s in TERMINATING), 0)

    def check(self) -> None:
        """Raise the stop, if one came."""
        if self.signals:
            raise self.interrupt()

    def take(self, other: StopRequest) -> None:
        """Move ``other``'s signals into this one (``other`` gets new, empty lists: the
        ones it had may have been handed out, as :func:`shielded` does)."""
        self.signals.extend(other.signals)
        self.times.extend(other.times)
        other.signals, other.times = [], []


@contextmanager
def deferred_stop(redeliver: bool = True) -> Iterator[StopRequest]:
    """Record Ctrl-C, SIGTERM and SIGHUP for the duration instead of acting on them (see
    :class:`StopRequest`).

    Deferrals nest: an inner one takes over the signals the enclosing one recorded
    (the inner code acts on them) and hands back all it holds when it ends. The
    outermost delivers them to the handlers of before when it ends, or, if its
    request's ``redeliver`` is false (the caller has acted on them), only tells a
    :class:`TermGuard` that SIGTERM (or SIGHUP) came, so that the exit status still
    says so."""
    request = StopRequest(redeliver)
    if not _in_main_thread():
        yield request
        return
    previous = [signal.signal(sig, request.record) for sig in STOP_SIGNALS]
    outer = getattr(previous[STOP_SIGNALS.index(signal.SIGINT)], "__self__", None)
    if isinstance(outer, StopRequest):
        request.take(outer)
    try:
        yield request
    finally:
        for sig, handler in zip(STOP_SIGNALS, previous, strict=True):
            signal.signal(sig, handler)
        if isinstance(outer, StopRequest):
            outer.take(request)
        elif request.redeliver:
            for signum in dict.fromkeys(request.signals):
                signal.raise_signal(signum)
        elif request.terminating:
            guard = getattr(previous[STOP_SIGNALS.index(signal.SIGTERM)], "__self__", None)
            if isinstance(guard, TermGuard):
                guard.terminated = request.terminating


@contextmanager
def shielded(redeliver: bool = True) -> Iterator[list[int]]:
    """Hold Ctrl-C, SIGTERM and SIGHUP back for the duration: what runs inside saves finished
    work and must not be cut short (a second Ctrl-C, or ``timeout`` following its
    SIGTERM). Signals that came are delivered when it ends, or with ``redeliver=False``
    (the caller is stopping already) only listed in the value it yields."""
    with deferred_stop(redeliver) as request:
        yield request.signals


class TermGuard:
    """Within ``with TermGuard() as guard``, SIGTERM (or SIGHUP) raises
    :class:`Terminated`; ``guard.terminated`` then holds the signal that came (else 0),
    so the exit status can say so (143, or 129 for a hang-up).

    With ``restore=False`` the handlers are left as they are at the end (a program
    ending with it, which may have chosen to ignore stops by then)."""

    def __init__(self, restore: bool = True) -> None:
        self.restore = restore
        self.terminated = 0
        self._previous: list[Callable[[int, FrameType | None], Any] | int | None] = []
        self._active = False

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self.terminated = signum
        raise Terminated(signum)

    def __enter__(self) -> TermGuard:
        if _in_main_thread():
            self._previous = [signal.signal(sig, self._handle) for sig in TERMINATING]
            self._active = True
        return self

    def __exit__(self, *exc: object) -> None:
        if self._active:
            if self.restore:
                for sig, handler in zip(TERMINATING, self._previous, strict=True):
                    signal.signal(sig, handler)
            self._active = False


class ClosedPipeGuard:
    """Standard output (or error) that a failing write cannot stop.

    Results are printed before they are saved, so a print that raised BrokenPipeError
    (``| head``, ``| true``) ended the command before ``--out`` was written; so did a
    full disk (``> /dev/full``), or a terminal gone after a hang-up (EIO). Once a write
    fails, the rest of the output goes to the null device and the command goes on to
    save. ``failed`` keeps a failure other than a closed pipe (whose reader simply
    wanted no more), for the program to report once it is done."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self.failed: OSError | None = None

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except OSError as exc:
            self._failed(exc)
            return len(text)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError as exc:
            self._failed(exc)

    def _failed(self, exc: OSError) -> None:
        if not isinstance(exc, BrokenPipeError) and self.failed is None:
            self.failed = exc
        self._discard()

    def _discard(self) -> None:
        # the interpreter flushes stdout again at exit: point its descriptor at nothing
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, self._stream.fileno())
        os.close(devnull)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)
