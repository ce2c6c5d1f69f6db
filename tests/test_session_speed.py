"""A resumed sweep's points and a resumed comparison's sides report the speed of the
runs their own session ran, as a resumed run does: ``runs_this_session`` counts the
replications added, not those saved before, and ``runs_per_second`` divides those by
the session's time."""

from __future__ import annotations

import pytest
from helpers import minimal_doc

from sim.comparison import paired
from sim.experiments import run_sweep, sweep_scenarios
from sim.runner import Runner
from sim.scenario import Scenario, scenario_from_dict, with_overrides

SAVED, RUNS = 6, 10


@pytest.fixture(scope="module")
def minimal() -> Scenario:
    return scenario_from_dict(minimal_doc())


def session_figures(summary: dict) -> tuple[int, float]:
    return summary["runs_this_session"], summary["runs_per_second"]


def test_a_resumed_sweep_point_counts_the_runs_of_its_own_session(minimal):
    todo = sweep_scenarios(minimal, [("ceasefire.monitoring.deterrence", [0.3, 0.6])])
    with Runner(workers=1) as runner:
        saved = [point.results for point in run_sweep(todo, runner, SAVED, seed=3)]
        points = list(run_sweep(todo, runner, RUNS, seed=3, existing=saved))
    for point in points:
        ran, speed = session_figures(point.summary)
        assert point.summary["runs"] == RUNS
        assert ran == RUNS - SAVED
        assert speed == pytest.approx((RUNS - SAVED) / point.summary["wall_seconds"])


def test_a_resumed_comparison_counts_the_runs_of_each_sides_own_session(minimal):
    changed = with_overrides(minimal, {"ceasefire.monitoring.deterrence": 0.9}, "--set")
    with Runner(workers=1) as runner:
        first, a, b, _ = paired(changed, minimal, runner, SAVED, seed=3)
        result, _, _, _ = paired(changed, minimal, runner, RUNS, seed=3, existing=(a, b))
    assert first["a"]["runs_this_session"] == first["b"]["runs_this_session"] == SAVED
    for side in ("a", "b"):
        ran, speed = session_figures(result[side])
        assert result[side]["runs"] == RUNS
        assert ran == RUNS - SAVED
        assert speed == pytest.approx((RUNS - SAVED) / result[side]["wall_seconds"])


def test_a_side_summarised_over_fewer_runs_than_it_ran_counts_no_more_than_those() -> None:
    """A partial comparison's side A is summarised over the replications both sides
    finished: its session count stops there, its speed stays its own."""
    from helpers import DEFAULT

    from sim.runner import Runner
    from sim.scenario import load_scenario
    from sim.stats import summarize

    sc = load_scenario(DEFAULT)
    with Runner(workers=1) as runner:
        res = runner.run(sc, 30, 1).results
    summary = summarize(res.below(20), sc, seed=1, wall_seconds=3.0, ran=30)
    assert summary["runs"] == 20 and summary["runs_this_session"] == 20
    assert summary["runs_per_second"] == 10.0
