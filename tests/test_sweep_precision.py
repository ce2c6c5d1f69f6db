"""``sweep --precision EPS``: each point runs until its own estimates are that precise,
as ``run --precision`` would run it alone, on the sweep's common seeds; the points'
counts then differ, and each difference pairs the replications both hold. Where each
point stops does not depend on the workers, and an interrupted adaptive sweep resumes
to the one never interrupted."""

from __future__ import annotations

import csv
import json

import pytest
from helpers import DEFAULT, captured, contents, interrupt_chunk, same_results

from sim.errors import ScenarioError
from sim.experiments import reference_difference, run_sweep, sweep, sweep_scenarios
from sim.output import read_run
from sim.runner import Runner
from sim.scenario import load_scenario
from sim.sweep_report import sweep_text

LIMIT = "parties.russia.positions.delineation.min"
"""Russia's hard limit on delineation: at 0.6 (as written) a deal can be struck; at 0.8,
above the opposition's 0.7, none can, so every probability is 0 and its interval
narrow at once."""
EPS = 0.05
BOUNDS = {"min_runs": 100, "max_runs": 1000, "batch": 100}
"""Check points 100, 200, ..., 1000: the default scenario meets EPS at 400 runs (its
30-day P(hold), near 45%, is the widest), the deadlocked point at the first check."""
CLI_BOUNDS = ["--min-runs", "200", "--max-runs", "600"]
"""The command line checks at --min-runs, then each 2,000 (here none), then
--max-runs: 200 and 600. At EPS the default scenario is met at 600, the deadlock at 200."""


@pytest.fixture(scope="module")
def geneva():
    return load_scenario(DEFAULT)


def adaptive_sweep(geneva, runner, values=(0.6, 0.8), **kwargs):
    bounds = {**BOUNDS, **kwargs}
    return sweep(geneva, [(LIMIT, list(values))], runner, 0, 2016,
                 precision=bounds.pop("precision", EPS), **bounds)


def test_each_point_stops_where_run_precision_would_stop_it_alone(geneva):
    with Runner(workers=1, progress=False) as runner:
        points, interrupted = adaptive_sweep(geneva, runner)
        alone = [runner.run(p.scenario, 0, 2016, precision=EPS, **BOUNDS) for p in points]
    assert not interrupted
    assert [len(p.results) for p in points] == [400, 100]  # the counts differ
    for point, run in zip(points, alone, strict=True):
        same_results(point.results, run.results)
        assert point.summary["precision"] == {"target": EPS, "met": True, "runs": run.target}


def test_where_each_point_stops_does_not_depend_on_the_workers(geneva):
    with Runner(workers=1, progress=False) as runner:
        one, _ = adaptive_sweep(geneva, runner)
    with Runner(workers=2, chunk=37, progress=False) as runner:
        two, _ = adaptive_sweep(geneva, runner)
    for a, b in zip(one, two, strict=True):
        same_results(a.results, b.results)
        assert a.summary["diff_from_reference"] == b.summary["diff_from_reference"]


def test_a_difference_pairs_the_replications_both_points_hold(geneva):
    """The reference ran 400, the deadlocked point 100: its difference is that of the
    first 100 of each, replication for replication."""
    with Runner(workers=1, progress=False) as runner:
        points, _ = adaptive_sweep(geneva, runner)
    ref, deadlocked = points
    diff = deadlocked.summary["diff_from_reference"]
    assert diff["runs"] == 100
    first = type(ref)(ref.params, ref.scenario, ref.results.below(100), ref.summary)
    assert {k: v for k, v in diff.items() if k != "reference"} == reference_difference(
        deadlocked, first)


def test_a_point_that_cannot_be_met_stops_at_max_runs_and_is_marked(geneva):
    with Runner(workers=1, progress=False) as runner:
        points, _ = adaptive_sweep(geneva, runner, max_runs=300)
    assert points[0].summary["precision"] == {"target": EPS, "met": False, "runs": 300}
    assert points[1].summary["precision"]["met"] is True
    rows = [{"params": p.params, "summary": p.summary} for p in points]
    text = sweep_text(rows, [LIMIT], ["48h", "7d", "30d"], 2)
    assert "each run until its precision is 0.05" in text
    assert "NOT reached at point 1 (hit --max-runs; marked *)" in text
    body = text.splitlines()
    assert body[3].split()[:2] == ["min", "runs"] and body[8].split()[:2] == ["min", "pairs"]
    assert body[4].split()[:2] == ["0.6", "300*"] and body[5].split()[:2] == ["0.8", "100"]
    assert [line.split()[:2] for line in body[9:11]] == [["0.6", "300"], ["0.8", "100"]]


def test_a_resumed_point_met_before_its_saved_runs_end_is_refused(geneva):
    """Found only once a gap below the stopping point is filled: the point is not
    yielded, so nothing saved of it is replaced."""
    todo = sweep_scenarios(geneva, [(LIMIT, [0.8])])
    with Runner(workers=1, progress=False) as runner:
        (full,) = run_sweep(todo, runner, 300, 2016)
        held = full.results.among(full.results.columns["replication"][50:])  # 0-49 missing
        with pytest.raises(ScenarioError) as err:
            list(run_sweep(todo, runner, 0, 2016, existing=[held], precision=EPS, **BOUNDS))
    assert "point 1/1 (points/000)" in str(err.value) and "met there at 100 replications" in str(err.value)
    assert "holds 200 more" in str(err.value) and "--runs 300" in str(err.value)


# -- the command line ---------------------------------------------------------------


def sweep_args(out, *more: str) -> list[str]:
    return ["sweep", str(DEFAULT), "--param", f"{LIMIT}=0.6,0.8", "--workers", "1",
            "--no-progress", "--out", str(out), *more]


def test_the_command_saves_each_points_count_and_precision(tmp_path):
    out = tmp_path / "sweep"
    code, text, _ = captured(*sweep_args(out, "--precision", str(EPS), *CLI_BOUNDS, "--plot"))
    assert code == 0
    assert "each run until its precision is 0.05" in text and "pairs" in text
    with (out / "sweep.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["runs"], r["precision_met"]) for r in rows] == [("600", "1"), ("200", "1")]
    for k, runs in (("000", 600), ("001", 200)):
        _, results, summary, manifest = read_run(out / "points" / k)
        assert len(results) == runs
        assert summary["precision"] == {"target": EPS, "met": True, "runs": runs}
        assert (manifest["runs_requested"], manifest["precision"], manifest["min_runs"],
                manifest["max_runs"]) == (None, EPS, 200, 600)
    caption = "precision 0.05 per point (200 to 600 runs)"
    code, _, _ = captured("plot", str(out))
    assert code == 0 and (out / "sweep.png").exists()
    from plots.sweep import sweep_figure
    from sim.drawable import read_sweep

    saved = read_sweep(out)  # as plot reads it back, and as the sweep drew it
    drawn = sweep_figure(saved["points"], saved["params"], saved["planned"], saved["runs"])
    assert caption in drawn.data["caption"] and "runs per point" not in drawn.data["caption"]


def test_the_json_output_gives_each_points_precision(tmp_path):
    code, text, _ = captured("sweep", str(DEFAULT), "--param", f"{LIMIT}=0.6,0.8", "--workers", "1",
                         "--no-progress", "--json", "--precision", str(EPS), *CLI_BOUNDS)
    assert code == 0
    points = json.loads(text)
    assert [p["precision"] for p in points] == [{"target": EPS, "met": True, "runs": 600},
                                                {"target": EPS, "met": True, "runs": 200}]


def test_an_interrupted_adaptive_sweep_resumes_with_its_precision_to_the_one_never_stopped(
        tmp_path, monkeypatch):
    whole = tmp_path / "whole"
    assert captured(*sweep_args(whole, "--precision", str(EPS), *CLI_BOUNDS))[0] == 0
    out = tmp_path / "stopped"
    interrupt_chunk(monkeypatch, 3, size=100)  # the first point's third work item
    code, _, err = captured(*sweep_args(out, "--precision", str(EPS), *CLI_BOUNDS))
    assert code == 130 and "interrupted during point 1 of 2" in err
    with (out / "sweep.csv").open() as fh:  # a point stopped part way neither met nor missed it
        assert [(r["partial"], r["precision_met"]) for r in csv.DictReader(fh)] == [("1", "")]
    monkeypatch.undo()
    code, _, err = captured(*sweep_args(out, "--resume"))  # no --runs: the saved precision
    assert code == 0
    assert "resuming with the saved sweep's --precision 0.05 --min-runs 200 --max-runs 600" in err
    assert (out / "sweep.csv").read_text() == (whole / "sweep.csv").read_text()
    for k in ("000", "001"):
        assert (out / "points" / k / "runs.csv").read_bytes() == \
            (whole / "points" / k / "runs.csv").read_bytes()


def test_a_resume_that_would_drop_saved_runs_is_refused_before_anything_is_touched(tmp_path):
    """A sweep of 600 runs a point, resumed to a precision the deadlocked point meets
    at 200: finishing it would drop 400 of its runs."""
    out = tmp_path / "sweep"
    assert captured(*sweep_args(out, "--runs", "600"))[0] == 0
    before = contents(out)
    code, _, err = captured(*sweep_args(out, "--resume", "--precision", str(EPS), *CLI_BOUNDS))
    assert code == 2 and "Traceback" not in err
    assert "saved for point 2/2 (points/001)" in err and "met there at 200 replications" in err
    assert "holds 400 more" in err and "--runs 600 or more" in err
    assert contents(out) == before
    # the way on it names first: the options it was saved with, which keep every run
    assert "give none of --runs, --precision, --min-runs and --max-runs" in err
    runs = contents(out, "runs.csv")
    assert captured(*sweep_args(out, "--resume"))[0] == 0
    assert contents(out, "runs.csv") == runs


def test_a_resume_with_other_bounds_names_the_ways_on_that_keep_every_point(tmp_path):
    """An adaptive sweep (600 and 200 runs) resumed with --min-runs 100: the deadlocked
    point would stop at 100. The refusal names the option changed, not the precision,
    and a --runs that covers every point (600), not this one's 200; both ways work."""
    out = tmp_path / "sweep"
    assert captured(*sweep_args(out, "--precision", str(EPS), *CLI_BOUNDS))[0] == 0
    runs = contents(out, "runs.csv")
    code, _, err = captured(*sweep_args(out, "--resume", "--min-runs", "100"))
    assert code == 2 and err.startswith("error: --resume: a precision not met before the runs "
                                        "saved for point 2/2 (points/001) end")
    assert "met there at 100 replications, and the point holds 100 more" in err
    assert "--runs 600 or more, which keeps every point's runs" in err
    assert "note:" not in err  # (nothing said of a run that is refused)
    assert captured(*sweep_args(out, "--resume"))[0] == 0  # the options it was saved with
    assert contents(out, "runs.csv") == runs
    assert captured(*sweep_args(out, "--resume", "--runs", "600"))[0] == 0
    assert contents(out, "runs.csv") != runs  # (extended)
    with (out / "sweep.csv").open() as fh:
        assert [r["runs"] for r in csv.DictReader(fh)] == ["600", "600"]


def test_a_resume_given_a_new_precision_keeps_each_points_saved_bounds(tmp_path):
    """At 0.06 the points still stop at the saved check points, 600 and 200; with the
    default bounds the first point would have run on to 1,000."""
    out = tmp_path / "sweep"
    assert captured(*sweep_args(out, "--precision", str(EPS), *CLI_BOUNDS))[0] == 0
    code, _, err = captured(*sweep_args(out, "--resume", "--precision", "0.06"))
    assert code == 0
    assert ("resuming with the saved sweep's --min-runs 200 --max-runs 600 (and the "
            "--precision given)") in err
    with (out / "sweep.csv").open() as fh:
        assert [(r["runs"], r["precision_met"]) for r in csv.DictReader(fh)] == [
            ("600", "1"), ("200", "1")]
    assert json.loads((out / "points" / "000" / "summary.json").read_text())["precision"] == {
        "target": 0.06, "met": True, "runs": 600}

@pytest.mark.parametrize(("more", "message"), [
    (["--runs", "300", "--precision", "0.05"], "--runs: bad value 300; only without --precision"),
    (["--max-runs", "300"], "--max-runs: bad value 300; only with --precision"),
    (["--precision", "0.05", "--min-runs", "700", "--max-runs", "600"],
     "--min-runs: bad value 700; at most --max-runs (600)"),
])
def test_options_that_contradict_one_another_are_refused(tmp_path, more, message):
    code, _, err = captured(*sweep_args(tmp_path / "sweep", *more))
    assert code == 2 and message in err and "Traceback" not in err
    assert not (tmp_path / "sweep").exists()


def test_a_key_that_changes_nothing_is_noted_with_each_points_own_count():
    """The Aleppo scenario has no joint targeting for JFS's vulnerability to meet."""
    aleppo = str(DEFAULT.parent / "aleppo_48h_pause.toml")
    code, _, err = captured("sweep", aleppo, "--param",
                        "parties.jfs.behaviour.targeting_vulnerability=0,1", "--workers", "1",
                        "--no-progress", "--precision", str(EPS), *CLI_BOUNDS)
    assert code == 0
    assert ("targeting_vulnerability changed no replication's outcome at any point (as many "
            "runs as each point took, on the same seeds)") in err


def test_both_figures_of_a_grid_give_the_precision_and_the_span_of_counts(geneva):
    from plots.sweep import sweep_figure
    from plots.sweep_diff import differences_figure

    grid = [(LIMIT, [0.6, 0.8]), ("ceasefire.monitoring.deterrence", [0.3, 0.6])]
    with Runner(workers=1, progress=False) as runner:
        points, _ = sweep(geneva, grid, runner, 0, 2016, precision=EPS, **BOUNDS)
    assert sorted({len(p.results) for p in points}) == [100, 400]
    keys = [k for k, _ in grid]
    for drawn in (sweep_figure(points, keys, 4), differences_figure(points, keys, 4)):
        assert "precision 0.05 per point (100 to 400 runs)" in drawn.data["caption"]
        assert "runs per point" not in drawn.data["caption"]


def test_a_precision_max_runs_cannot_reach_is_noted_for_each_point():
    code, _, err = captured("sweep", str(DEFAULT), "--param", f"{LIMIT}=0.6,0.8", "--workers", "1",
                        "--no-progress", "--precision", "0.01", "--min-runs", "100",
                        "--max-runs", "200")
    assert code == 0
    assert "more than --max-runs 200: each point will stop there" in err


def test_a_fresh_sweep_into_a_saved_one_is_told_how_to_finish_or_extend_it(tmp_path):
    out = tmp_path / "sweep"
    assert captured(*sweep_args(out, "--precision", str(EPS), *CLI_BOUNDS))[0] == 0
    code, _, err = captured(*sweep_args(out, "--precision", "0.04", *CLI_BOUNDS))
    assert code == 2 and ("use --resume to finish that sweep (or, with a larger --runs or a "
                          "smaller --precision, to extend it)") in err


def test_a_refusal_found_once_points_have_run_names_a_count_that_keeps_them_all(geneva):
    """The first point, saved at 100, runs to 400 in the resumed session; the second,
    saved at 300 with a gap, stops at 100: the --runs named must keep the first's 400."""
    todo = sweep_scenarios(geneva, [(LIMIT, [0.6, 0.8])])
    with Runner(workers=1, progress=False) as runner:
        first, second = run_sweep(todo, runner, 300, 2016)
        gap = second.results.among(second.results.columns["replication"][50:])
        with pytest.raises(ScenarioError) as err:
            list(run_sweep(todo, runner, 0, 2016, existing=[first.results.below(100), gap],
                           precision=EPS, **BOUNDS))
    assert "point 2/2 (points/001)" in str(err.value) and "--runs 400 or more" in str(err.value)
