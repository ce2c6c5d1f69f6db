"""Many replications: seeds, executors, adaptive stopping, interruption and resume.

Work is cut into chunks of consecutive replication indices (:mod:`sim.chunks`, sized
to take about half a second each). A work item is ``(scenario, root, first, last)``;
the worker rebuilds every seed from those numbers (:mod:`sim.streams`), so the results
are bit-identical whatever the executor, the number of workers or the chunk size. Any
:class:`concurrent.futures.Executor` will do: a local process pool by default, or a
dask.distributed cluster's executor, which :mod:`sim.dispatch` hands the items to a
few at a time: a stop drops those not started, and a local pool's workers end the ones
they run after their current replication (a cluster's items are not waited for).

With a precision target the run proceeds in fixed batches of replication indices and
checks the Wilson half-widths after each whole batch, so where it stops depends on
the seed alone, not on how the batches were spread over workers.
"""

from __future__ import annotations

import ctypes
import math
import numbers
import os
import sys
import time
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor

from tqdm import tqdm

from sim.argtypes import MAX_RUNS, MAX_WORKERS, MIN_PRECISION, SEED_LIMIT, whole_in
from sim.chunks import DEFAULT_CHUNK, Sizer, init_worker, items, run_here, stop_flag
from sim.defaults import DEFAULT_MAX_RUNS, DEFAULT_MIN_RUNS
from sim.dispatch import Dispatch
from sim.errors import ScenarioError
from sim.finished import Finished
from sim.model import armed_parties
from sim.precision import check_points, precision_reached
from sim.progress import bar_size, terminal_size
from sim.records import Results
from sim.run_outcome import RunOutcome, WorkerLostError
from sim.scenario import Scenario
from sim.signals import StopRequest, deferred_stop

EXTERNAL_WORKERS = 64
"""Items an external executor of unknown size is taken to run at once (a cluster may
be large, or grow): too few would leave its workers idle."""
DEFAULT_BATCH = 2000


def empty_results(scenario: Scenario) -> Results:
    """A results table with this scenario's layout and no runs."""
    return Results.empty(scenario.issues, armed_parties(scenario), scenario.order)


def default_workers() -> int:
    """All cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def check_request(runs: int, seed: int, precision: float | None, min_runs: int,
                  max_runs: int, batch: int) -> None:
    """Refuse what the command line's options would refuse, for a caller from Python: a
    negative seed met numpy's own error, ``runs=-5`` ran nothing in silence, and a
    precision of 0 would run until ``max_runs`` (one of 0.5 or more, met by any run,
    which the command line refuses as a slip, is allowed: a test may want a run that
    stops at ``min_runs``).

    Raises:
        ScenarioError: naming ``Runner.run``, the argument, its value and what it allows.
    """
    checks: list[tuple[str, object, bool, str]] = [
        ("seed", seed, whole_in(seed, 0, SEED_LIMIT - 1), "an integer from 0 to 2**128 - 1")]
    if precision is None:  # (runs is ignored with a precision)
        checks += [("runs", runs, whole_in(runs, 0, MAX_RUNS),
                    f"a whole number from 0 to {MAX_RUNS:,}")]
    else:
        checks += [
            ("precision", precision, isinstance(precision, numbers.Real)
             and not isinstance(precision, bool) and MIN_PRECISION <= precision < math.inf,
             f"a number of at least {MIN_PRECISION:g}"),
            ("max_runs", max_runs, whole_in(max_runs, 1, MAX_RUNS), f"a whole number from 1 to {MAX_RUNS:,}"),
            ("min_runs", min_runs, whole_in(min_runs, 1, MAX_RUNS) and whole_in(max_runs, 1, MAX_RUNS)
             and min_runs <= max_runs,
             f"a whole number from 1 to max_runs ({max_runs})"),
            ("batch", batch, whole_in(batch, 1, MAX_RUNS), f"a whole number from 1 to {MAX_RUNS:,}")]
    for name, value, ok, allowed in checks:
        if not ok:
            raise ScenarioError("Runner.run", name, value, allowed)


class Runner:
    """Runs replications of scenarios on an executor.

    Args:
        workers: processes for the local pool (default: all cores); 1 runs in-process.
        executor: an existing executor to use instead of a local pool (e.g. dask's);
            ``workers`` is then how many items it can run at once.
        chunk: replications per work item; by default each item is sized from the
            time earlier ones took (about half a second), at most ``DEFAULT_CHUNK``.
        progress: show a progress bar on stderr.

    Raises:
        ScenarioError: ``workers`` below 1, or above 1,024 for a local pool.
    """

    def __init__(
        self,
        workers: int | None = None,
        executor: Executor | None = None,
        chunk: int | None = None,
        progress: bool = False,
    ) -> None:
        # 5,000 local processes on two cores were still starting after 100 s; a cluster
        # (``executor``) may run more items at once than a machine has cores
        most = MAX_WORKERS if executor is None else MAX_RUNS
        if workers is not None and not whole_in(workers, 1, most):
            raise ScenarioError("Runner", "workers", workers,
                                f"a whole number from 1 to {most:,}, or None for "
                                + ("all cores" if executor is None else "the executor's default"))
        self.workers = workers or (default_workers() if executor is None else EXTERNAL_WORKERS)
        self._external = executor
        self._pool: Executor | None = None
        self._halt: ctypes.c_bool | None = None
        """The local pool's stop flag (:func:`sim.chunks.stop_flag`)."""
        self.chunk = None if chunk is None else max(1, chunk)
        self._sized: tuple[Scenario, Sizer] | None = None
        """The last scenario run and its sizer: an adaptive run's batches (and a resumed
        run) go on with the item size learnt so far instead of starting small again."""
        self.progress = progress

    # -- executor lifecycle ----------------------------------------------------

    def executor(self) -> Executor | None:
        """The executor in use, or None for in-process execution."""
        if self._external is not None:
            return self._external
        if self.workers <= 1:
            return None
        if self._pool is None:
            self._halt = stop_flag()
            self._pool = ProcessPoolExecutor(max_workers=self.workers, initializer=init_worker,
                                             initargs=(self._halt,))
        return self._pool

    def close(self, cancel: bool = False) -> None:
        """Shut the local pool down (the external executor is the caller's).

        ``cancel`` drops the work items not yet started. The pool is always waited for
        (at most the chunks already running, about half a second each): leaving it to
        shut down on its own races with the interpreter's exit, which then prints a
        traceback from the pool's management thread."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=cancel)
            self._pool = None

    def _kill_pool(self) -> None:
        """Stop the local pool's workers at once, dropping the items they run (a second
        Ctrl-C: the user will not wait for them). Items already handed to a worker
        process cannot be cancelled, only ended with it."""
        # the pool's own table of its worker processes; no public API ends them
        processes = getattr(self._pool, "_processes", None) or {}
        for process in list(processes.values()):
            process.terminate()

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close(cancel=exc[0] is not None)

    # -- running ---------------------------------------------------------------

    def _execute(
        self,
        scenario: Scenario,
        root: int,
        indices: list[int],
        sink: Callable[[Results], None],
        stop: StopRequest,
        tick: Callable[[], None] | None = None,
    ) -> None:
        """Run the given replication indices, handing each finished chunk to ``sink``;
        a stop signal recorded in ``stop`` is raised once the finished work is kept.
        ``tick`` is called at every poll of the executor, chunks or none: a checkpoint
        comes due while a stalled cluster returns nothing."""
        if self._sized is None or self._sized[0] is not scenario:
            self._sized = (scenario, Sizer(DEFAULT_CHUNK, self.chunk))
        sizer = self._sized[1]
        work = items(indices, sizer)
        ex = self.executor()
        if self._halt is not None:
            self._halt.value = False  # nothing of an earlier run is still running
        if ex is None:
            run_here(scenario, root, work, sizer, sink, stop)
            return
        Dispatch(ex, scenario, root, work, sizer, self.workers, sink, stop, tick, self._halt,
                 self._kill_pool, self._external is not None).run()

    def run(
        self,
        scenario: Scenario,
        runs: int,
        seed: int,
        existing: Results | None = None,
        precision: float | None = None,
        min_runs: int = DEFAULT_MIN_RUNS,
        max_runs: int = DEFAULT_MAX_RUNS,
        batch: int = DEFAULT_BATCH,
        keep_on_error: bool = False,
        checkpoint: Callable[[Results], None] | None = None,
        checkpoint_every: float = 60.0,
        label: str = "",
    ) -> RunOutcome:
        """Run replications ``0 .. runs-1`` (or adaptively), keeping what finishes.

        Args:
            scenario: the scenario to simulate.
            runs: number of replications (ignored when ``precision`` is given).
            seed: the root seed.
            existing: replications already finished (from ``--resume``); not rerun.
            precision: stop when every Wilson half-width is at most this.
            min_runs, max_runs: bounds of an adaptive run.
            batch: replications between precision checks.
            keep_on_error: on a scenario error in a replication, or a worker process
                lost (:class:`WorkerLostError`), return what finished with the error
                (``RunOutcome.error``) instead of raising it. Raised, the replications
                finished before it are lost to the caller, unless ``checkpoint`` saved
                them (the command line's message, which says they are kept, is about
                ``--out``).
            checkpoint: called with every replication finished so far (``existing``
                included) about every ``checkpoint_every`` seconds, to save them while the
                run goes on: a crash then loses at most that much. Saving a large run
                takes time, so the interval grows to at least ten times the last save.
            label: what the progress bar calls this run (a sweep's point, a side).

        A Ctrl-C, SIGTERM or SIGHUP stops the run once the work items running have finished (a
        second one drops them); the finished replications are returned with
        ``interrupted=True``, unless the items it waited for completed the run. A
        scenario error in a replication stops it too, and is raised (or, with
        ``keep_on_error``, returned with the replications finished before it).

        Raises:
            ScenarioError: an argument out of the range the command line allows
                (:func:`check_request`); a replication the scenario refuses
                (``ceasefire.max_acts``), without ``keep_on_error``.
            WorkerLostError: a worker process died, or the cluster was lost, without
                ``keep_on_error``.
        """
        check_request(runs, seed, precision, min_runs, max_runs, batch)
        start = time.perf_counter()
        finished = Finished(lambda: empty_results(scenario), existing, checkpoint,
                            checkpoint_every)
        done = finished.held
        total = max_runs if precision is not None else runs
        interrupted = False
        error: ScenarioError | WorkerLostError | None = None
        met: bool | None = None
        target = aim = runs  # where the run stops; the run count it is working towards

        def keep(chunk: Results) -> None:
            finished.keep(chunk)  # first: a second Ctrl-C may raise inside the bar's update
            bar.update(len(chunk))

        # stop signals are recorded, and acted on between steps (see StopRequest); one
        # that comes while the finished replications are collected stops the run as if
        # it had come a moment earlier, and cannot lose them (nor break the bar's locks)
        with deferred_stop(redeliver=False) as stop:
            # shown on a terminal only: a log file would fill with the bar's redraws
            # (and sized as it says, unless it says 0 columns: sim.progress)
            bar = tqdm(total=total if precision is None else None, initial=len(done),
                       disable=None if self.progress else True, unit="run", file=None,
                       leave=False, desc=label or None, **bar_size(terminal_size(sys.stderr)))
            try:
                if precision is None:
                    todo = [i for i in range(runs) if i not in done]
                    self._execute(scenario, seed, todo, keep, stop, finished.save_if_due)
                else:
                    met = False
                    target = 0
                    for aim in check_points(min_runs, max_runs, batch):
                        todo = [i for i in range(target, aim) if i not in done]
                        self._execute(scenario, seed, todo, keep, stop, finished.save_if_due)
                        target = aim
                        if precision_reached(finished.collect().below(target), scenario,
                                             precision):
                            met = True
                            break
            except KeyboardInterrupt:
                interrupted = True
            except (ScenarioError, WorkerLostError) as exc:
                if not keep_on_error:
                    if isinstance(exc, WorkerLostError):
                        self.close(cancel=True)  # a broken pool takes no more work
                    raise
                error = exc
            finally:
                bar.close()
            if interrupted or isinstance(error, WorkerLostError):
                if stop.insisted:
                    self._kill_pool()
                self.close(cancel=True)
            results = finished.collect()
            if interrupted and len(results.below(aim)) == aim:
                # the wait for the items running let them finish what the stop cut short:
                # the whole run, or a whole batch that ends the adaptive run
                if precision is None:
                    interrupted = False
                else:
                    met = precision_reached(results.below(aim), scenario, precision)
                    if met or aim == max_runs:
                        interrupted, target = False, aim
            # a signal that came once every replication had finished stops nothing here: it
            # is handed to an enclosing deferred_stop (the command's, acting once saved)
        beyond = 0
        if not interrupted and error is None:
            # replications a resumed run holds beyond where this run stopped stay out
            beyond = len(results) - len(results.below(target))
            results = results.below(target)
        elif isinstance(error, ScenarioError) and error.replication is not None \
                and self._external is None:  # (a cluster may have left items unstarted)
            results = finished.before(error.replication)
        return RunOutcome(results, interrupted, time.perf_counter() - start, target, met,
                          finished.ran, error, beyond)
