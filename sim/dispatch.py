"""Work items in flight on an executor: handed out a few at a time, their results
taken back in any order, and what finished kept when the run stops.

A run's items go to the executor only a little ahead of the workers (``AHEAD_SECONDS``
of work each), so a stop has few to cancel. Whatever ends the run (a stop signal, a
replication the scenario refuses, a lost worker, a checkpoint that could not save),
the items that finished are handed to the run before the reason is raised: they are
the user's work.
"""

from __future__ import annotations

import ctypes
import time
from collections.abc import Callable, Iterator
from concurrent.futures import (
    FIRST_COMPLETED,
    BrokenExecutor,
    CancelledError,
    Executor,
    Future,
    wait,
)

from sim.chunks import Sizer, StoppedChunkError, run_timed_chunk
from sim.errors import ScenarioError
from sim.records import Results
from sim.run_outcome import RESUME_ADVICE, WorkerLostError, spawn_hint
from sim.scenario import Scenario
from sim.signals import StopRequest

__all__ = ["AHEAD_SECONDS", "POLL_SECONDS", "WATCH_SECONDS", "Dispatch"]

AHEAD_SECONDS = 2.0
"""Work kept queued per worker, in seconds: enough that no worker waits for work while
the main process saves a checkpoint. A stop cancels the items not yet handed to a
worker process; those a local pool handed on end at once (its stop flag)."""
POLL_SECONDS = 0.1
"""How often a run waiting on its workers looks for a stop signal."""
WATCH_SECONDS = 1.0
"""How often a run asks an executor that can watch its workers (a ``watch()`` method,
as :class:`sim.cluster.PortableExecutor` has) how they fare."""


class Dispatch:
    """One call's work items on an executor, from the first handed out to the last
    taken back.

    Args:
        executor: runs the items (a local pool, or a cluster's executor).
        scenario, root: what every item simulates, and the root seed.
        work: the items, as ``(first, last)`` replication indices, in order.
        sizer: learns from the items' timings how large later items should be.
        workers: how many items the executor runs at once.
        sink: takes every finished item's replications.
        stop: the stop signals recorded while the run goes on.
        tick: called at every poll of the executor, items back or none: a checkpoint
            comes due while a stalled cluster returns nothing.
        halt: a local pool's stop flag (:func:`sim.chunks.stop_flag`), None otherwise.
        kill: ends a local pool's workers at once (a second stop signal).
        external: the executor is the caller's (a cluster): a failure of its own is
            not a bug of the model, and its running items are not waited for.
    """

    def __init__(
        self,
        executor: Executor,
        scenario: Scenario,
        root: int,
        work: Iterator[tuple[int, int]],
        sizer: Sizer,
        workers: int,
        sink: Callable[[Results], None],
        stop: StopRequest,
        tick: Callable[[], None] | None,
        halt: ctypes.c_bool | None,
        kill: Callable[[], None],
        external: bool,
    ) -> None:
        self._ex = executor
        self._scenario = scenario
        self._root = root
        self._work = work
        self._sizer = sizer
        self._workers = workers
        self._sink = sink
        self._stop = stop
        self._tick = tick
        self._halt = halt
        self._kill = kill
        self._external = external
        self._pending: set[Future[tuple[Results, float]]] = set()
        self._received = 0  # work items back from the workers

    def run(self) -> None:
        """Run every item, handing each finished one to the sink; a stop signal is
        raised once the finished work is kept, and so is whatever else ended the run."""
        stop = self._stop
        watch = getattr(self._ex, "watch", None)  # raises to stop the run, keeping finished work
        watched = time.monotonic()
        try:
            stop.check()  # a signal that came before: none of this run's work starts
            # submitted inside: a pool that broke while idle (between the batches of an
            # adaptive run) refuses new work, and that too is a lost worker
            self._refill()
            while self._pending:
                # a stop signal only sets a flag (raising inside wait's locks breaks
                # them), so the wait is short and the flag looked at after it
                done, _ = wait(self._pending, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
                for fut in done:
                    if fut.exception() is None:
                        res, seconds = fut.result()
                        self._sizer.observe(len(res), seconds)
                        self._received += 1
                # the workers get their next items before the sink, which may take a
                # while (a checkpoint's save)
                if not stop.requested:
                    self._refill()
                for fut in done:
                    res, _ = fut.result()
                    self._pending.discard(fut)  # before the sink, which may raise once it kept it
                    self._sink(res)
                if self._tick is not None:
                    self._tick()
                stop.check()
                if watch is not None and time.monotonic() - watched >= WATCH_SECONDS:
                    watch()
                    watched = time.monotonic()
            if next(self._work, None) is not None:  # never silently fewer runs than asked
                raise RuntimeError("work items were left unsubmitted")
        except StoppedChunkError as stop_error:  # a replication the scenario refuses
            # the items running finish whole (not halted): a local pool hands items out
            # in order, so those before the replication stopped were all running, and
            # the run keeps every replication before the first that fails, for any
            # number of workers (Finished.before); another that fails meanwhile may be
            # the first. A second stop signal while they finish makes it a stop.
            others = self._keep_finished(wait_running=True, halt=False)
            if stop.insisted:
                raise stop.interrupt() from None
            first = min([stop_error, *others], key=lambda e: e.failed)
            raise first.raised() from None
        except ScenarioError:  # a checkpoint that could not save
            self._keep_finished(wait_running=True)
            raise
        except (BrokenExecutor, CancelledError):
            # a local worker died, or a cluster cancelled the work (its scheduler lost)
            self._keep_finished(wait_running=False)
            what = ("the cluster was lost (its scheduler stopped answering, or cancelled the "
                    "run's work)" if self._external else
                    "a worker process died (killed by a signal, or by the system for lack of "
                    f"memory{spawn_hint(self._received)})")
            raise WorkerLostError(f"{what}; the replications finished before it are kept, and "
                                  f"{RESUME_ADVICE}") from None
        except Exception as exc:
            if not self._external:
                raise  # a bug of the model, shown as one
            # a cluster's own failures (dask: a task whose workers keep dying, a closed
            # client) are not bugs of the model: the finished work is kept the same way
            self._keep_finished(wait_running=False)
            raise WorkerLostError(f"the cluster failed ({type(exc).__name__}: {exc}); the "
                                  f"replications finished before it are kept, and {RESUME_ADVICE}"
                                  ) from None
        except BaseException:
            # stopping (Ctrl-C, SIGTERM, SIGHUP): the items running are short and a local
            # pool is waited for anyway, so theirs are kept too (a second signal drops
            # them); a cluster's are not waited for
            self._keep_finished(wait_running=not self._external)
            raise

    def _refill(self) -> None:
        """Hand out items until each worker has about ``AHEAD_SECONDS`` of work.

        Counts the items not yet finished: finished ones still waiting for the sink
        must not stand in for work, or a slow save that let every item in flight
        finish would end the run early."""
        flying = sum(not fut.done() for fut in self._pending)
        while flying < self._workers * self._sizer.items_for(AHEAD_SECONDS):
            item = next(self._work, None)
            if item is None:
                return
            self._pending.add(self._ex.submit(run_timed_chunk, self._scenario, self._root, *item))
            flying += 1

    def _keep_finished(self, wait_running: bool, halt: bool = True) -> list[StoppedChunkError]:
        """Start nothing more, and keep the items already finished (and, when
        ``wait_running``, those still running, unless a second stop signal says not to);
        with ``halt``, a local pool's items end after their current replication.
        Returns the other items a replication stopped."""
        if self._halt is not None and halt:
            self._halt.value = True
        for fut in self._pending:
            fut.cancel()
        running = [fut for fut in self._pending if not fut.cancelled()]
        while wait_running and not all(fut.done() for fut in running):
            wait(running, timeout=POLL_SECONDS)
            if self._stop.insisted:
                self._kill()
                break
        stopped = []
        for fut in running:
            if not fut.done():
                continue
            failed = fut.exception()
            if failed is not None and not isinstance(failed, StoppedChunkError):
                continue
            self._pending.discard(fut)  # before the sink, which may raise once it kept it
            if isinstance(failed, StoppedChunkError):
                stopped.append(failed)
            self._sink(failed.finished if isinstance(failed, StoppedChunkError) else fut.result()[0])
        return stopped
