"""Work items: replications cut into items sized to take about the same time each, and
run, in whatever process, keeping what finished.

A work item is a range ``first .. last - 1`` of consecutive replication indices. Its
size changes nothing in the results (every replication rebuilds its own seeds), only
how long a worker is busy with it, and that matters twice: a Ctrl-C waits for the
items running, and a checkpoint can save only finished items. A fixed size is wrong
for some scenario: 250 replications of the default scenario take a tenth of a second,
250 of a long, violent ceasefire several minutes. So items are sized from the time
the finished ones took, to last about :data:`TARGET_SECONDS`, within ``1 .. most``.
"""

from __future__ import annotations

import ctypes
import math
import multiprocessing
import time
from collections.abc import Callable, Iterable, Iterator

from sim.errors import ScenarioError
from sim.model import armed_parties, run_replication
from sim.records import Outcome, Results
from sim.scenario import Scenario
from sim.signals import StopRequest, detach_worker

DEFAULT_CHUNK = 250
"""Most replications in one work item."""
TARGET_SECONDS = 0.5
"""How long a work item should keep a worker busy: short enough that a Ctrl-C or a
checkpoint waits little, long enough that sending the item costs little."""
FIRST_SIZE = 1
"""Replications in each item before any has been timed: one, since a replication of
some scenario takes seconds, and a checkpoint waits for the items running."""


_halt: ctypes.c_bool | None = None
"""In a local pool's worker: the pool's stop flag (:func:`stop_flag`)."""


def stop_flag() -> ctypes.c_bool:
    """A flag shared with a local pool's workers: once the parent sets it (a run is
    stopping), the items they run end after their current replication, and those not
    started end at once, keeping what they finished. Without it a stop waited for the
    items running and for those a local pool had queued, which cannot be cancelled: on
    a scenario whose replications take seconds, for many of them."""
    return multiprocessing.RawValue(ctypes.c_bool, False)


def init_worker(halt: ctypes.c_bool) -> None:
    """Pool worker initializer: stops are the parent's (:func:`sim.signals.detach_worker`),
    and it says so through ``halt``."""
    global _halt
    detach_worker()
    _halt = halt


def _halted() -> bool:
    return _halt is not None and _halt.value


def ranges(indices: Iterable[int], chunk: int) -> list[tuple[int, int]]:
    """Cut sorted replication indices into runs of consecutive ones, at most ``chunk`` long."""
    out: list[tuple[int, int]] = []
    start = prev = None
    for i in sorted(indices):
        if start is None:
            start = prev = i
        elif i == prev + 1 and i - start < chunk:  # type: ignore[operator]
            prev = i
        else:
            out.append((start, prev + 1))  # type: ignore[operator]
            start = prev = i
    if start is not None:
        out.append((start, prev + 1))  # type: ignore[operator]
    return out


class Sizer:
    """The size of the next work item: fixed, or (``fixed=None``) from the time per
    replication the finished items took, at most ``most``."""

    def __init__(self, most: int, fixed: int | None = None,
                 target: float = TARGET_SECONDS) -> None:
        self.most = max(1, most)
        self.fixed = fixed
        self.target = target
        self.per_run: float | None = None
        """Seconds per replication, a running mean weighted toward recent items."""

    def size(self) -> int:
        """Replications to put in the next item."""
        if self.fixed is not None:
            return max(1, self.fixed)
        if self.per_run is None:
            return min(FIRST_SIZE, self.most)
        if self.per_run * self.most <= self.target:  # (also a time too small to divide by)
            return self.most
        return max(1, int(self.target / self.per_run))

    def items_for(self, seconds: float, least: int = 2, most: int = 64) -> int:
        """How many items of the current size take about ``seconds``, within
        ``least .. most`` (``least`` before any item has been timed)."""
        if self.per_run is None:
            return least
        item = self.size() * self.per_run
        if item * most <= seconds:
            return most
        return max(least, math.ceil(seconds / item))

    def observe(self, runs: int, seconds: float) -> None:
        """An item of ``runs`` replications took ``seconds`` of a worker's time."""
        if runs <= 0:
            return
        now = seconds / runs
        self.per_run = now if self.per_run is None else 0.5 * (self.per_run + now)


def items(indices: Iterable[int], sizer: Sizer) -> Iterator[tuple[int, int]]:
    """Work items over ``indices`` (any order, no repeats), each as long as ``sizer``
    says at the moment it is taken, never spanning a gap in the indices."""
    for first, last in ranges(indices, 1 << 62):
        while first < last:
            end = min(last, first + sizer.size())
            yield first, end
            first = end


class StoppedChunkError(Exception):
    """A work item stopped by a replication its scenario refuses (``error``; its index
    ``failed``), with the replications it finished before that one (``finished``),
    which are the user's."""

    def __init__(self, finished: Results, error: ScenarioError, failed: int) -> None:
        super().__init__(finished, error, failed)  # as args: it crosses to the parent pickled
        self.finished, self.error, self.failed = finished, error, failed

    def raised(self) -> ScenarioError:
        """The error, naming the replication that raised it (``error.replication``), as
        the run stops on it."""
        self.error.replication = self.failed
        return self.error

    def __str__(self) -> str:
        """The error, not the replications: a dask worker rebuilds an exception whose
        text runs past 10,000 characters as a string of it, losing both."""
        return f"{self.error.message()} (after {len(self.finished)} replications of the item)"


class InterruptedChunkError(KeyboardInterrupt):
    """A work item run in the main process and stopped at once (a repeated Ctrl-C,
    raised by :class:`~sim.signals.StopRequest`), with the replications it finished."""

    def __init__(self, finished: Results, stop: KeyboardInterrupt) -> None:
        super().__init__()
        self.finished, self.stop = finished, stop


def run_chunk(scenario: Scenario, root: int, first: int, last: int,
              stopped: Callable[[], bool] | None = None) -> Results:
    """Replications ``first`` .. ``last - 1`` of root seed ``root`` (the work item).

    ``stopped`` is asked before each replication (in a pool's worker, by default, its
    stop flag): once it says a stop was asked for, the item ends early with the
    replications it finished.

    Raises:
        StoppedChunkError: a replication raised a :class:`ScenarioError`.
        InterruptedChunkError: a repeated stop signal, in the main process.
    """
    outcomes: list[Outcome] = []
    if stopped is None and _halt is not None:
        stopped = _halted

    def table() -> Results:
        return Results.from_outcomes(outcomes, scenario.issues, armed_parties(scenario),
                                     scenario.order)

    i = first
    try:
        for i in range(first, last):
            if stopped is not None and stopped():
                break
            outcomes.append(run_replication(scenario, root, i))
    except ScenarioError as exc:
        raise StoppedChunkError(table(), exc, i) from None
    except KeyboardInterrupt as stop:  # (in the main process only: workers ignore it)
        raise InterruptedChunkError(table(), stop) from None
    return table()


def run_timed_chunk(scenario: Scenario, root: int, first: int, last: int,
                    stopped: Callable[[], bool] | None = None) -> tuple[Results, float]:
    """:func:`run_chunk` and the seconds it took the worker, to size later items."""
    began = time.perf_counter()
    return run_chunk(scenario, root, first, last, stopped), time.perf_counter() - began


def run_here(scenario: Scenario, root: int, work: Iterable[tuple[int, int]], sizer: Sizer,
             sink: Callable[[Results], None], stop: StopRequest) -> None:
    """Run work items in this process, handing each finished one to ``sink``.

    A stop signal recorded in ``stop`` ends the item running after its current
    replication (kept, with the others that finished) and is then raised; a second one
    is raised at once, for a user who will not wait for a slow replication."""
    stop.raise_on_repeat = True
    try:
        for first, last in work:
            stop.check()
            try:
                res, seconds = run_timed_chunk(scenario, root, first, last,
                                               lambda: stop.requested)
            except StoppedChunkError as stopped:
                sink(stopped.finished)
                raise stopped.raised() from None
            except InterruptedChunkError as stopped:
                sink(stopped.finished)
                raise stopped.stop from None
            sizer.observe(len(res), seconds)
            sink(res)
        stop.check()
    finally:
        stop.raise_on_repeat = False
