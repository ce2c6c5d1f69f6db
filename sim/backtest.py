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
"""

from __future__ import annotations

from pathlib import Path

from sim.backtest_table import BacktestTable, backtest_text
from sim.errors import ScenarioError
from sim.observed import observed_outcomes, scenario_row
from sim.runner import Runner
from sim.scenario import Scenario, load_scenario
from sim.scoring import CLIP, brier, compute_scores, event_labels, log_score, percentile_of

__all__ = [
    "CLIP",
    "BacktestTable",
    "backtest_text",
    "brier",
    "compute_scores",
    "event_labels",
    "log_score",
    "observed_outcomes",
    "percentile_of",
    "run_backtest",
    "scenario_row",
]


def run_backtest(directory: Path, runner: Runner, runs: int, seed: int,
                 overrides: list[str] | None = None) -> BacktestTable:
    """Run and score every scenario in ``directory`` that has an ``[observed]`` section.

    Args:
        directory: a folder of scenario files (``*.toml``, taken in name order).
        runner: the runner to use (its executor, progress bar).
        runs: replications per scenario.
        seed: the root seed, the same for every scenario.
        overrides: ``KEY=VALUE`` settings applied to every scenario (to see how the
            scores move with a parameter the scenarios share).

    Raises:
        ScenarioError: the directory is missing or holds no scenario with an
            ``[observed]`` section, a scenario file in it is invalid, or two scored
            scenarios share a name.
        KeyboardInterrupt: interrupted before any scenario finished (nothing to score);
            interrupted later, the scenarios that finished are scored and the table is
            marked ``partial``.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise ScenarioError(str(directory), "", str(directory),
                            "a directory of scenario .toml files")
    files = sorted(directory.glob("*.toml"))
    scenarios: list[Scenario] = []
    skipped: list[str] = []
    for path in files:
        scenario = load_scenario(path, overrides or [])
        if scenario.spec.observed is None:
            skipped.append(str(path))
            continue
        observed_outcomes(scenario)  # check the record before spending time on runs
        twin = next((sc for sc in scenarios if sc.name == scenario.name), None)
        if twin is not None:  # the table, the text and the figure tell cases by name
            raise ScenarioError(str(path), "name", scenario.name, f"a name no other scored "
                                f"scenario has, but {twin.file} has it too")
        scenarios.append(scenario)
    if not scenarios:
        raise ScenarioError(
            str(directory), "observed", f"{len(files)} scenario file(s)",
            "at least one scenario with an [observed] section (what happened "
            "historically: agreed, hours_held, ...) to score",
        )
    table = BacktestTable(str(directory), runs, seed, skipped=skipped,
                          overrides=list(overrides or []))
    for scenario in scenarios:
        out = runner.run(scenario, runs, seed)
        if out.interrupted:
            if not table.rows:
                raise KeyboardInterrupt
            table.partial = True
            break
        table.rows.append(scenario_row(scenario, out.results))
    table.scores = compute_scores(table.rows)
    return table
