"""Paired comparisons: two scenarios, or a scenario and its counterfactual, on the
same seeds.

Both sides reuse the run's root seed, so replication ``i`` of each sees the same shocks,
perception draws and party draws wherever the two agree (see :mod:`sim.experiments`),
and the difference between them is measured replication by replication: its interval
is narrower than that of two independent runs of the same size (far narrower for
agreement and early milestones; less for late ones, by when paired replications have
drifted apart). ``compare --out``
saves each side as a run directory (``a/``, ``b/``), which ``compare --resume`` finishes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from sim.defaults import DEFAULT_MAX_RUNS, DEFAULT_MIN_RUNS
from sim.errors import ScenarioError, show
from sim.output import Resumed, jsonable, write_run
from sim.pair_steps import Steps
from sim.precision import check_points, difference_reached
from sim.records import Results
from sim.report import run_summary
from sim.run_outcome import RunOutcome, WorkerLostError
from sim.rundir import saving
from sim.runner import DEFAULT_BATCH, Runner, check_request
from sim.scenario import Scenario, labelled, load_scenario
from sim.signals import deferred_stop
from sim.stats import compare, summarize

__all__ = ["Paired", "check_comparable", "difference_precision_line", "paired",
           "same_outcomes_note", "same_scenario_note", "save_running_side", "save_side",
           "sides"]


class Paired(tuple[dict[str, Any], Results, Results, bool]):
    """What :func:`paired` produced: ``(result, a, b, interrupted)``, unpacked as four
    (the comparison, as ``compare --json`` gives it, or empty when nothing could be
    paired; each side's replications, all it holds; whether it stopped before both
    sides finished), and :attr:`error`."""

    error: ScenarioError | WorkerLostError | None
    """What stopped a side part way (a replication its limits refuse, a lost worker)
    while both held replications to pair, for the caller to raise once it has reported
    and saved the partial comparison."""

    def __new__(cls, result: dict[str, Any], a: Results, b: Results, interrupted: bool,
                error: ScenarioError | WorkerLostError | None = None) -> Paired:
        made = super().__new__(cls, (result, a, b, interrupted))
        made.error = error
        return made

    def __getnewargs__(self) -> tuple[Any, ...]:  # (copy and pickle call __new__ with these)
        return (*self, self.error)


def paired(
    a: Scenario, b: Scenario, runner: Runner, runs: int, seed: int,
    existing: tuple[Results | None, Results | None] = (None, None),
    save: Callable[[str, Scenario, RunOutcome, Scenario], None] | None = None,
    checkpoint: Callable[[str, Scenario, Results, Scenario], None] | None = None,
    checkpoint_every: float = 60.0,
    label: str = "",
    keep_partial: bool = False,
    precision: float | None = None,
    min_runs: int = DEFAULT_MIN_RUNS,
    max_runs: int = DEFAULT_MAX_RUNS,
    batch: int = DEFAULT_BATCH,
    keeps: int | None = None,
) -> Paired:
    """Run two scenarios on the same seeds and difference them replication by replication.

    With ``runs``, side A runs them all, then side B. With ``precision``, the two run
    in step, batch by batch (:func:`sim.precision.check_points`: ``min_runs``, then every
    ``batch``, at most ``max_runs``), until the paired 95% interval of A - B in
    P(agreement) and in every milestone's P(hold) has a half-width of at most
    ``precision`` (:func:`sim.precision.difference_reached`). Pairing is what makes
    that cheap: the interval depends on the replications where A and B differ, so it
    is reached with far fewer runs than the sides' own intervals would be. As the
    check points depend on the arguments alone, where it stops does not depend on the
    workers, and a resumed comparison stops where an uninterrupted one does.

    Stopped by a stop signal, the comparison pairs the replications both sides finished
    and is marked ``partial``; with nothing to pair (stopped in side A of a fixed
    comparison, or of an adaptive one's first batch), the result is empty. Stopped by an
    error (a lost worker, a replication its limits refuse), it raises it, or with
    ``keep_partial`` returns the partial comparison of what both sides finished with the
    error as its ``.error``, for the caller to report and save before raising it (as the
    command line does); with nothing to pair, it raises it.

    Args:
        existing: each side's replications kept from an interrupted comparison
            (``compare --resume``); not rerun.
        save: called with the side (``"a"`` or ``"b"``), its scenario, its run and the
            other side's scenario as each side stops with replications (finished,
            interrupted, or stopped by an error), before anything else runs: a stop keeps
            what either side finished (:func:`save_side`). An adaptive comparison saves
            both sides once it stops: the batches are short, and saving after each
            would write the runs again and again.
        checkpoint: called likewise, with the side's finished replications, about every
            ``checkpoint_every`` seconds while it runs (:func:`save_running_side`): a
            comparison killed outright keeps most of the side it was running (an
            adaptive one, of both sides).
        label: what the progress bar calls the comparison (``point 2/5``), before the
            side's name.
        keep_partial: return a comparison an error stopped part way, with the error
            (see above), instead of raising it.
        precision, min_runs, max_runs, batch: an adaptive comparison (``runs`` is then
            ignored), as :meth:`Runner.run` takes them for a run.
        keeps: the ``--runs`` that keeps every replication saved, for a refusal to name
            (below), where the comparison is one point of a sweep whose ``--runs`` sets
            every point's count; by default, the last replication either side holds.

    Raises:
        ScenarioError: the two have different milestones (checked before running either);
            a replication passed its scenario's limits (once the side is saved, as a lost
            worker is raised); an adaptive comparison resumed from sides holding
            replications beyond where it stops (each side saved with all it holds).
        WorkerLostError: a worker process died (once the side is saved), with nothing
            to pair or without ``keep_partial``.
    """
    check_comparable(a, b)
    if precision is not None:
        check_request(runs, seed, precision, min_runs, max_runs, batch)
    steps = Steps((a, b), runner, seed, existing, save, checkpoint, checkpoint_every, label,
                  adaptive=precision is not None, precision=precision, keeps=keeps)
    met = None if precision is None else False
    target = runs
    # a stop signal between steps (or sides) is taken up by the next step's run, which
    # stops at once, keeping what both sides finished; one after the last, as the sides
    # are saved, stops nothing: it goes to an enclosing deferral (the command's), if any,
    # as a run's does
    with deferred_stop(redeliver=False):
        for aim in [runs] if precision is None else check_points(min_runs, max_runs, batch):
            if not steps.run_to(aim):
                break
            target = aim
            if precision is not None and difference_reached(*steps.below(aim), a, precision):
                met = True
                break
        ra, rb = steps.finish(target, met)
    error = ra.error or rb.error
    common = np.intersect1d(ra.results.columns["replication"], rb.results.columns["replication"])
    if error is not None and (not keep_partial or not len(common)):
        raise error
    if not len(common) or (ra.interrupted and precision is None):
        return Paired({}, ra.results, rb.results, True)
    partial = ra.partial or rb.partial
    results_a, results_b = ra.results.among(common), rb.results.among(common)
    summaries = [summarize(results, sc, seed=seed, wall_seconds=run.wall_seconds, ran=run.ran,
                           partial=partial)
                 for results, sc, run in ((results_a, a, ra), (results_b, b, rb))]
    for summary, run in zip(summaries, (ra, rb), strict=True):
        if run.error is not None:  # the side's summary says what stopped it, as its file does
            summary["error"] = str(run.error)
    result = {
        "runs": len(results_a),
        "seed": seed,
        "partial": partial,
        # side A of a stopped comparison is summarised over the runs both sides finished:
        # partial too, as side B is (it said false, though it held fewer than planned)
        "a": summaries[0],
        "b": summaries[1],
        "diff": compare(results_a, results_b, a),
        **({"precision": {"target": precision, "met": met, "runs": len(results_a)}}
           if precision is not None else {}),
        **({"error": str(error)} if error is not None else {}),
    }
    return Paired(result, ra.results, rb.results, partial, error)


def difference_precision_line(result: dict[str, Any]) -> str:
    """Whether an adaptive comparison reached its precision, and after how many runs."""
    done = result["precision"]
    where = (f"precision {done['target']} (a 95% half-width of {100 * done['target']:g} pp) "
             "on every paired difference")
    if result.get("error"):
        return f"{where}: not reached when an error stopped it after {done['runs']} runs"
    if result.get("partial"):
        return f"{where}: not reached when interrupted after {done['runs']} runs"
    state = "reached" if done["met"] else "NOT reached (hit --max-runs)"
    return f"{where}: {state} after {done['runs']} runs"


def same_outcomes_note(runs: int | None, where: str = "") -> str:
    """What to tell the user when both sides gave the same outcome in every replication
    (:meth:`Results.same_as`): a difference of +0.0 that reads as a finding may be a
    change the scenario never reads. ``runs`` None: each point's own count (an
    adaptive comparison sweep's)."""
    at = f" {where}" if where else ""
    each = "every replication" if runs is None else f"every one of the {runs} replications"
    return (f"note: A and B gave the same outcome in {each}"
            f"{at} (on the same seeds): what differs between them may not be used by the "
            "scenario (a key of an issue it leaves out, say), or changes too little to alter "
            "any replication (a hard limit no offer reaches: offers lie between the "
            "patrons' ideals)")


def same_scenario_note(a: Scenario, b: Scenario, files: int) -> str:
    """What to tell the user, before anything runs, when A and B are one scenario (the
    ``--set`` values give the file's own values, or two files say the same): every
    difference will be +0.0 because nothing was changed, not because the change does
    not matter. "" when they differ."""
    if a.raw != b.raw:
        return ""
    how = ("the --set values give the values the file has already" if files == 1 else
           "the two files, with their parents and --set values, say the same")
    return f"note: A and B are the same scenario ({how}): every difference will be +0.0"


def save_side(out: Path, side: str, scenario: Scenario, run: RunOutcome, other: Scenario,
              seed: int, runs: int, resumed: Resumed | None = None,
              extra: dict[str, Any] | None = None) -> None:
    """Save one side of a comparison as the run directory ``out/side``, marked partial
    when stopped early: ``compare --resume`` finishes it, and ``plot`` draws it as any
    run. Its manifest names the scenario it is paired with, so a resume with another
    is refused even while the other side has nothing saved; ``extra`` adds to it (a
    point of a comparison sweep names its parameter values). A failure to write is a
    ScenarioError naming ``--out``."""
    with saving(out):
        _write_side(out, side, scenario, run, other, seed, runs, resumed, extra)


def save_running_side(out: Path, side: str, scenario: Scenario, results: Results,
                      other: Scenario, seed: int, runs: int,
                      resumed: Resumed | None = None,
                      extra: dict[str, Any] | None = None) -> None:
    """Save the side running as ``out/side``, marked partial (a checkpoint), as
    :func:`save_side` saves one stopped; a failure to write is the OSError itself, for
    the checkpoint to report while the run goes on."""
    _write_side(out, side, scenario, RunOutcome(results, True, 0.0, runs), other, seed, runs,
                resumed, extra)


def _write_side(out: Path, side: str, scenario: Scenario, run: RunOutcome, other: Scenario,
                seed: int, runs: int, resumed: Resumed | None,
                extra: dict[str, Any] | None = None) -> None:
    summary = run_summary(run, scenario, seed, None)
    if (extra or {}).get("pair_point"):  # a comparison sweep's point: its figures name it
        summary["params"] = extra["pair_point"]  # type: ignore[index]
    write_run(out / side, run.results, jsonable(summary), scenario, seed,
              {"compare_side": side, "runs_requested": runs, "paired_with": other.raw,
               **(extra or {})}, resumed)


def sides(files: list[Path], sets: list[str]) -> tuple[Scenario, Scenario, str, str]:
    """The two sides of a comparison and their names: one file with ``--set`` values (A)
    against the file as written (B), or two files, each with the ``--set`` values.

    Raises:
        ScenarioError: no ``--set`` with one file, or other than one or two files.
    """
    if len(files) == 1:
        if not sets:
            raise ScenarioError("compare", "", str(files[0]),
                                "two scenario files, or one file with --set KEY=VALUE")
        b = load_scenario(files[0])
        a = load_scenario(files[0], sets)
        return a, b, a.label, f"{b.name} as written"
    if len(files) != 2:
        raise ScenarioError("compare", "", [str(s) for s in files], "one or two scenario files")
    a, b = load_scenario(files[0], sets), load_scenario(files[1], sets)
    name_a, name_b = a.name, b.name
    if name_a == name_b:  # two versions of one scenario: the files tell them apart
        name_a, name_b = (f"{name_a} ({path})" for path in files)
    if sets:  # applied to both sides
        name_a, name_b = (labelled(name, sets) for name in (name_a, name_b))
    return a, b, name_a, name_b


def check_comparable(a: Scenario, b: Scenario) -> None:
    """Refuse to pair two scenarios whose milestones differ: their P(hold) would not match.

    Raises:
        ScenarioError: naming ``b``'s file and milestones, or ``a``'s when an option set
            them there.
    """
    key = "ceasefire.milestones"
    if a.setter(key) is not None and b.setter(key) is None:
        a, b = b, a
    if a.spec.ceasefire.milestones != b.spec.ceasefire.milestones:
        raise ScenarioError(b.where(key), key, b.spec.ceasefire.milestones,
                            f"the same milestones as {a.where(key)} "
                            f"({show(a.spec.ceasefire.milestones)}), to compare them")
