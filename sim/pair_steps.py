"""The two sides of a paired comparison, run to a common number of replications, step
by step.

A comparison of a fixed size takes one step: side A runs all its replications, then
side B. An adaptive one (``compare --precision``) takes a step per check point, both
sides to the same count, until the difference is known well enough. Either way each
side keeps every replication it finished, across steps and sessions, and what stops
one side part way stops the comparison there, with both sides saved.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence

import numpy as np

from sim.errors import ScenarioError
from sim.precision import AS_SAVED, difference_reached, last_held, stop_within
from sim.records import Results
from sim.run_outcome import RunOutcome
from sim.runner import Runner, empty_results
from sim.scenario import Scenario

__all__ = ["Steps", "met_before_saved_end", "stops_within_saved"]

SIDES = ("a", "b")


class Steps:
    """Both sides of a comparison as they run, and what each has finished.

    Args:
        scenarios: sides A and B.
        runner, seed: what runs them, on which root seed.
        existing: each side's replications from an earlier session (``--resume``).
        save, checkpoint, checkpoint_every, label: as :func:`sim.comparison.paired`
            takes them.
        adaptive: the comparison takes a step per check point. Its sides are saved once
            it stops (:meth:`finish`), and checkpointed between steps when due, instead of
            as each side's step ends, which would write the runs again at every step.
        precision, keeps: its precision, and the ``--runs`` that keeps every replication
            saved, for a refusal to name (:func:`met_before_saved_end`).
    """

    def __init__(
        self, scenarios: tuple[Scenario, Scenario], runner: Runner, seed: int,
        existing: tuple[Results | None, Results | None],
        save: Callable[[str, Scenario, RunOutcome, Scenario], None] | None,
        checkpoint: Callable[[str, Scenario, Results, Scenario], None] | None,
        checkpoint_every: float, label: str, adaptive: bool,
        precision: float | None = None, keeps: int | None = None,
    ) -> None:
        self.scenarios = scenarios
        self.runner, self.seed = runner, seed
        self.held: list[Results] = [
            held if held is not None else empty_results(sc)
            for held, sc in zip(existing, scenarios, strict=True)]
        self.save, self.checkpoint, self.every = save, checkpoint, checkpoint_every
        self.label, self.adaptive = label, adaptive
        self.precision, self.keeps = precision, keeps
        self.last: list[RunOutcome | None] = [None, None]
        self.ran, self.wall = [0, 0], [0.0, 0.0]
        self.stopped = False
        self._due = time.perf_counter() + checkpoint_every if checkpoint else math.inf

    def run_to(self, aim: int) -> bool:
        """Run side A, then side B, to replications ``0 .. aim-1``; False when either
        stopped short (a stop signal, a lost worker, a replication its limits refuse),
        B then not started if A did."""
        for k in (0, 1):
            run = self.runner.run(
                self.scenarios[k], aim, self.seed, existing=self.held[k],
                label=f"{self.label} {SIDES[k].upper()}".lstrip(), keep_on_error=True,
                checkpoint_every=self.every,
                checkpoint=None if self.checkpoint is None else self._saver(k))
            self.last[k] = run
            self.ran[k] += run.ran
            self.wall[k] += run.wall_seconds
            self.held[k] = _with_beyond(run.results, self.held[k], aim)
            if not self.adaptive:
                self._persist(k, run)
            if run.partial:
                self.stopped = True
                return False
        if self.adaptive and time.perf_counter() >= self._due:
            began = time.perf_counter()
            for k in (0, 1):
                self._saver(k)(self.held[k])
            self._due = time.perf_counter() + max(self.every, 10 * (time.perf_counter() - began))
        return True

    def below(self, n: int) -> tuple[Results, Results]:
        """Each side's replications ``0 .. n-1``."""
        return self.held[0].below(n), self.held[1].below(n)

    def finish(self, target: int, met: bool | None) -> tuple[RunOutcome, RunOutcome]:
        """Each side's run as the comparison stopped at ``target`` replications (or
        short of them), saved, if adaptive, as the fixed comparison saves each side.

        Raises:
            ScenarioError: an adaptive comparison met at ``target`` whose sides hold
                replications beyond it from an earlier session, which finishing would
                drop: each side is saved with all it holds (those this session ran too),
                marked partial, and the refusal raised.
        """
        if not self.adaptive:  # (each side saved as its step ended; B, if it never ran, empty)
            a, b = (run if run is not None else self._outcome(k, target, None)
                    for k, run in enumerate(self.last))
            return a, b
        if not self.stopped and any(len(h) > len(h.below(target)) for h in self.held):
            self.stopped = True
            for k in (0, 1):
                self._persist(k, self._outcome(k, target, met))
            raise met_before_saved_end(target, self.held, f" at {self.label}" if self.label else "",
                                       self.keeps, precision=self.precision)
        outcomes = (self._outcome(0, target, met), self._outcome(1, target, met))
        for k, run in enumerate(outcomes):
            self._persist(k, run)
        return outcomes

    def _outcome(self, k: int, target: int, met: bool | None) -> RunOutcome:
        last = self.last[k]
        error = last.error if last is not None else None
        results = self.held[k] if self.stopped else self.held[k].below(target)
        return RunOutcome(results, self.stopped and error is None, self.wall[k], target, met,
                          self.ran[k], error)

    def _persist(self, k: int, run: RunOutcome) -> None:
        name, scenario, other = SIDES[k], self.scenarios[k], self.scenarios[1 - k]
        if self.save is not None and len(run.results):  # kept before any error is reported
            self.save(name, scenario, run, other)
        elif run.error is not None and self.checkpoint is not None:
            # nothing kept before the failure: a checkpoint saved before may hold runs
            # past it, which a resume would take for the side's own
            self.checkpoint(name, scenario, run.results, other)

    def _saver(self, k: int) -> Callable[[Results], None]:
        checkpoint = self.checkpoint
        assert checkpoint is not None
        name, scenario, other = SIDES[k], self.scenarios[k], self.scenarios[1 - k]
        return lambda results: checkpoint(name, scenario, results, other)


def met_before_saved_end(target: int, held: Sequence[Results], where: str = "",
                         most: int | None = None, untouched: bool = False,
                         precision: float | None = None) -> ScenarioError:
    """The refusal of an adaptive comparison met at ``target`` replications while its
    sides (``held``) hold more, saved by an earlier session: finishing it there would
    drop them. ``where`` names the point of a comparison sweep (" at point 2/5").

    The ways on it names keep them all: ``--runs`` up to the last one held (``most``:
    for a comparison sweep, the last any point holds, as ``--runs`` sets every point's
    count); and, when the refusal came before anything was saved (``untouched``), the
    options the comparison was saved with. Once the sides have run, they are saved with
    this session's options, so those would be refused again. ``precision`` is named
    with the bounds that stop it there."""
    beyond = max(len(h) - len(h.below(target)) for h in held)
    most = last_held(held) if most is None else most
    way = f"{AS_SAVED}, or with --runs {most} or more" if untouched else f"--runs {most} or more"
    this = "this one" if precision is None else f"--precision {precision:g} with these bounds"
    return ScenarioError("--resume", "", None, f"a precision that is not met before "
                         f"the saved runs end: {this} is met{where} at {target} replications, and "
                         f"a side holds {beyond} more, which finishing here would drop (all "
                         f"are kept); resume with {way}, which keeps them")


def stops_within_saved(saved: tuple[Results | None, Results | None], scenario: Scenario,
                       precision: float, points: list[int], where: str = "",
                       most: int | None = None) -> ScenarioError | None:
    """The refusal :meth:`Steps.finish` would give, found before anything runs (so a
    resume refused leaves even the saved comparison's result in place): the first
    check point in ``points`` where both sides hold every replication below it and the
    difference is precise enough, if a side holds replications past it. None when no
    check point the saved sides reach stops the comparison early (one that needs runs
    not saved yet is known only once they run)."""
    if saved[0] is None or saved[1] is None:
        return None
    held = (saved[0], saved[1])
    aim = stop_within(held, points, lambda n: difference_reached(
        held[0].below(n), held[1].below(n), scenario, precision))
    return None if aim is None else met_before_saved_end(aim, held, where, most, untouched=True,
                                                         precision=precision)


def _with_beyond(results: Results, before: Results, aim: int) -> Results:
    """``results`` (a side's replications below ``aim``) with those ``before`` held at
    or past ``aim`` (saved by an earlier session): kept for the steps to come, not
    rerun."""
    reps = before.columns["replication"]
    # (a run stopped part way already holds them: it returns all it was given)
    later = reps[(reps >= aim) & ~np.isin(reps, results.columns["replication"])]
    return results.concat(before.among(later)).sorted() if len(later) else results
