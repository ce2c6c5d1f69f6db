"""Historical backtest: score the scenarios that say what really happened.

``run_backtest(DIR, runner, runs, seed)`` runs every scenario file in ``DIR`` (sorted
by name) that has an ``[observed]`` section, on the same root seed, and compares its
forecasts with the record:

* per scenario (:mod:`sim.observed`): P(agreement), P(hold) at each milestone, the
  median hours held over agreed runs, and the percentile of the observed duration
  within the predicted hours held of agreed runs;
* across scenarios, per event (:mod:`sim.scoring`): the Brier score and the mean log
  score, for the model and for a base-rate forecast.

The result is a :class:`BacktestTable` (:mod:`sim.backtest_table`), written as
``backtest.csv`` and printed by :func:`backtest_text`. This module is the entry point:
the names of those modules that callers use are importable from here too.

With ``--out DIR`` each scenario's replications are saved as it runs, as the run
directory ``DIR/cases/<file name without .toml>`` (:func:`save_case`): a backtest
stopped, or killed outright, keeps them, and ``backtest --resume`` finishes it from
there, scoring the same table as a backtest never interrupted.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from sim.backtest_table import BacktestTable, backtest_text
from sim.document import join_key
from sim.errors import ScenarioError
from sim.observed import observed_outcomes, scenario_row
from sim.output import Resumed, finish_with, jsonable, write_run
from sim.records import Results
from sim.report import run_summary
from sim.resuming import stale_run_figures
from sim.run_outcome import RunOutcome
from sim.rundir import case_directory, saving
from sim.runner import Runner
from sim.scenario import Scenario, load_scenario
from sim.scoring import CLIP, brier, compute_scores, event_labels, log_score, percentile_of
from sim.validation import label_clash

__all__ = [
    "CLIP",
    "BacktestSaver",
    "BacktestTable",
    "Cases",
    "backtest_text",
    "brier",
    "compute_scores",
    "event_labels",
    "log_score",
    "observed_outcomes",
    "percentile_of",
    "run_backtest",
    "save_case",
    "save_running_case",
    "scenario_row",
    "score_cases",
    "scored_cases",
]


@dataclass(frozen=True)
class Cases:
    """The scenarios of a backtest directory: those scored, in file-name order, and the
    files skipped (no ``[observed]`` section), each loaded with ``overrides``."""

    directory: str
    scenarios: list[Scenario]
    skipped: list[str]
    overrides: list[str]


def _refuse_label_clash(scored: list[Scenario], scenario: Scenario) -> None:
    """backtest.csv tables every scored scenario's milestones together: a label of one
    (30d_low) must not name a column another's (30d) names too, as within one scenario
    (:func:`sim.validation.label_clash`), nor stand for other hours than another's (7d
    at 100 h beside 7d at 168 h would be scored as one event)."""
    before = [label for sc in scored for label in sc.spec.ceasefire.milestones]
    clash = label_clash([*before, *scenario.spec.ceasefire.milestones], "backtest")
    if clash is not None:  # (the scenarios before agree: the new one's label it is)
        label, other, column = clash
        owner = next(sc.file for sc in scored if other in sc.spec.ceasefire.milestones)
        raise ScenarioError(scenario.file, join_key(("ceasefire", "milestones", label)), label,
                            f"a label whose columns in backtest.csv differ from those of "
                            f"milestone {other!r} of {owner} (both would name {column})")
    # the scores pool each label's forecasts across the cases: one label, one event
    for label, hours in scenario.spec.ceasefire.milestones.items():
        case = next((sc for sc in scored if sc.spec.ceasefire.milestones.get(label, hours) != hours),
                    None)
        if case is not None:
            theirs = case.spec.ceasefire.milestones[label]
            raise ScenarioError(scenario.file, join_key(("ceasefire", "milestones", label)), hours,
                                f"{theirs:g}, as in {case.file}, or another label: the backtest "
                                f"pools each milestone's forecasts across its cases by label, "
                                f"so one label must be one number of hours")


def scored_cases(directory: Path, overrides: list[str] | None = None) -> Cases:
    """Load and check every scenario of ``directory`` before any runs, so a bad file or
    record late in the directory costs no computation.

    Raises:
        ScenarioError: the directory is missing or holds no scenario with an
            ``[observed]`` section, a scenario file in it is invalid, or two scored
            scenarios share a name.
    """
    directory = Path(directory)
    for override in overrides or []:
        key = override.partition("=")[0].strip()
        if key.split(".")[0] == "observed":
            # it would make a record for every scenario, those with none of their own too
            raise ScenarioError("--set", key, override.partition("=")[2].strip(),
                                "no key of [observed]: a record is what happened, written in a "
                                "scenario's file (a --set would give every scenario one, and "
                                "score those that have none); set the model's keys only")
    if not directory.is_dir():
        raise ScenarioError(str(directory), "", str(directory), "a directory of scenario "
                            ".toml files, but it " + ("is a file (give the directory that "
                                                      "holds it)" if directory.exists()
                                                      else "does not exist"))
    if not os.access(directory, os.R_OK | os.X_OK):  # (it read as holding no scenario)
        raise ScenarioError(str(directory), "", str(directory), "a directory of scenario .toml "
                            "files this user can read, but its permissions do not let it be "
                            "listed")
    # hidden files are left out, as ls leaves them: an editor's lock file (.#case.toml, a
    # link to nowhere) stopped a backtest while its scenario was open; and a name of dots
    # alone would be saved as cases/..
    files = sorted(p for p in directory.glob("*.toml") if not p.name.startswith("."))
    scenarios: list[Scenario] = []
    skipped: list[str] = []
    for path in files:
        scenario = load_scenario(path)  # first as written: a file with no record is skipped
        if scenario.spec.observed is None:  # before the --set values, which it may not take
            skipped.append(str(path))
            continue
        if overrides:
            scenario = load_scenario(path, overrides)
        observed_outcomes(scenario)  # check the record before spending time on runs
        twin = next((sc for sc in scenarios if sc.name == scenario.name), None)
        if twin is not None:  # the table, the text and the figure tell cases by name
            raise ScenarioError(str(path), "name", scenario.name, f"a name no other scored "
                                f"scenario has, but {twin.file} has it too")
        _refuse_label_clash(scenarios, scenario)
        scenarios.append(scenario)
    if not scenarios:
        which = ("it holds no scenario file (*.toml) with an" if not files else
                 "its one scenario file has no" if len(files) == 1 else
                 f"none of its {len(files)} scenario files has an")
        raise ScenarioError(
            str(directory), "", None,
            f"no scenario to score: {which} [observed] section (what happened historically: "
            "agreed, hours_held, ...) for the backtest to score its predictions against",
        )
    return Cases(str(directory), scenarios, skipped, list(overrides or []))


def run_backtest(directory: Path, runner: Runner, runs: int, seed: int,
                 overrides: list[str] | None = None) -> BacktestTable:
    """Run and score every scenario in ``directory`` that has an ``[observed]`` section
    (:func:`scored_cases`, then :func:`score_cases`).

    Args:
        directory: a folder of scenario files (``*.toml``, taken in name order).
        runner: the runner to use (its executor, progress bar).
        runs: replications per scenario.
        seed: the root seed, the same for every scenario.
        overrides: ``KEY=VALUE`` settings applied to every scenario (to see how the
            scores move with a parameter the scenarios share).
    """
    return score_cases(scored_cases(directory, overrides), runner, runs, seed)


def score_cases(
    cases: Cases, runner: Runner, runs: int, seed: int, *,
    existing: dict[str, Results] | None = None,
    save: Callable[[Scenario, RunOutcome], None] | None = None,
    checkpoint: Callable[[Scenario, Results], None] | None = None,
    checkpoint_every: float = 60.0,
) -> BacktestTable:
    """Run the scenarios in order on the same seed and score them.

    Args:
        cases: the scenarios to score (:func:`scored_cases`).
        runner, runs, seed: as :func:`run_backtest`.
        existing: replications an earlier, interrupted backtest saved, by scenario
            file: kept, not rerun.
        save: called with each scenario and its outcome as it finishes or is stopped
            part way (by a stop signal, a scenario error or a lost worker; with at least
            one replication), so a backtest stopped, or killed outright, keeps them for
            ``--resume``.
        checkpoint: called with the running scenario and its finished replications
            about every ``checkpoint_every`` seconds (as :meth:`Runner.run` calls its own).

    Raises:
        KeyboardInterrupt: interrupted before any scenario finished (nothing to score);
            interrupted later, the scenarios that finished are scored and the table is
            marked ``partial``.
        ScenarioError, WorkerLostError: a replication the scenario's limits refuse, or a
            lost worker, once the scenario's finished replications are saved.
    """
    table = BacktestTable(cases.directory, runs, seed, skipped=list(cases.skipped),
                          overrides=list(cases.overrides), planned=len(cases.scenarios))
    for k, scenario in enumerate(cases.scenarios):
        run = runner.run(scenario, runs, seed, existing=(existing or {}).get(scenario.file),
                         label=f"scenario {k + 1}/{len(cases.scenarios)}", keep_on_error=True,
                         checkpoint=None if checkpoint is None else partial(checkpoint, scenario),
                         checkpoint_every=checkpoint_every)
        if save is not None and len(run.results):
            save(scenario, run)
        if run.error is not None:
            raise run.error
        if run.interrupted:
            if not table.rows:
                raise KeyboardInterrupt
            table.partial = True
            break
        table.rows.append(scenario_row(scenario, run.results))
    table.scores = compute_scores(table.rows)
    return table


class BacktestSaver:
    """What a backtest writes into its ``--out DIR``: each scenario as a run directory in
    ``cases/`` while it runs, and the table once scored. It remembers what each scenario
    holds, so the command can say what it kept and which figures a resume made stale."""

    def __init__(self, out: Path, seed: int, runs: int, resumed: Resumed | None = None,
                 existing: dict[str, Results] | None = None, planned: int | None = None) -> None:
        self.out, self.seed, self.runs, self.resumed = out, seed, runs, resumed
        self.planned = planned
        """Scenarios the backtest is to score: each case's manifest records it, so that
        ``plot`` of a backtest stopped between scenarios draws it as stopped."""
        self.before = {file: len(results) for file, results in (existing or {}).items()}
        """Replications each scenario file held before this session."""
        self.held: dict[str, int] = dict(self.before)
        """Replications each scenario file holds now, as saved."""

    def save(self, scenario: Scenario, run: RunOutcome) -> None:
        """Save a scenario that finished or stopped (see :func:`save_case`)."""
        save_case(self.out, scenario, run, self.seed, self.runs, self.resumed, self.planned)
        self.held[scenario.file] = len(run.results)

    def checkpoint(self, scenario: Scenario, results: Results) -> None:
        """Save the scenario running (see :func:`save_running_case`)."""
        save_running_case(self.out, scenario, results, self.seed, self.runs, self.resumed,
                          self.planned)

    def kept(self, resumable: bool = True) -> str:
        """What a stopped backtest tells the user it kept ("" if nothing), and, when the
        same command can finish it (not after a scenario error), how."""
        if not any(self.held.values()):
            return ""
        how = f": finish with {finish_with('backtest', self.out)}" if resumable else ""
        return f"; finished runs kept in {self.out}{how}"

    def write_table(self, table: BacktestTable) -> None:
        """Write ``backtest.csv`` (a failure to write is a ScenarioError naming --out)."""
        with saving(self.out):
            table.write_csv(self.out / "backtest.csv")

    def drawable(self, cases: Cases) -> list[Path]:
        """The run directories of ``cases`` holding a replication, in the order scored:
        those whose run figures ``backtest --plot`` draws."""
        return [case_directory(self.out, sc) for sc in cases.scenarios
                if self.held.get(sc.file, 0)]

    def stale_notes(self, cases: Cases, drawn: str | None) -> list[str]:
        """What to tell the user of the run figures of ``cases`` drawn before this
        session that show only the runs saved then; ``drawn`` is the format ``--plot``
        redrew them in, if it did (:func:`sim.resuming.stale_run_figures`)."""
        return stale_run_figures(((case_directory(self.out, sc), self.before.get(sc.file, 0),
                                   self.held.get(sc.file, 0)) for sc in cases.scenarios), drawn)


def save_case(out: Path, scenario: Scenario, run: RunOutcome, seed: int, runs: int,
              resumed: Resumed | None = None, planned: int | None = None) -> None:
    """Save a scenario's replications as the run directory ``out/cases/<file name without .toml>``,
    marked partial when stopped early: ``backtest --resume`` finishes it, and ``plot``
    draws it as any run. A failure to write is a ScenarioError naming ``--out``."""
    with saving(out):
        _write_case(out, scenario, run, seed, runs, resumed, planned)


def save_running_case(out: Path, scenario: Scenario, results: Results, seed: int, runs: int,
                      resumed: Resumed | None = None, planned: int | None = None) -> None:
    """Save the scenario running, marked partial (a checkpoint), as :func:`save_case`
    saves one stopped; a failure to write is the OSError itself, for the checkpoint to
    report while the backtest goes on."""
    _write_case(out, scenario, RunOutcome(results, True, 0.0, runs), seed, runs, resumed,
                planned)


def _write_case(out: Path, scenario: Scenario, run: RunOutcome, seed: int, runs: int,
                resumed: Resumed | None, planned: int | None = None) -> None:
    summary = run_summary(run, scenario, seed, None)
    record: dict[str, Any] = {"backtest_case": Path(scenario.file).name, "runs_requested": runs}
    if planned is not None:
        record["cases_planned"] = planned
    write_run(case_directory(out, scenario), run.results, jsonable(summary), scenario, seed,
              record, resumed)
