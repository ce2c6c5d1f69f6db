"""``compare --param ... --precision EPS``: each point of a comparison sweep runs as
``compare --precision`` would run it alone, both sides in step until every paired
difference there is that precise. The points' counts then differ. Where each stops does
not depend on the workers, and an interrupted one resumes to the one never stopped."""

from __future__ import annotations

import csv
import json

import pytest
from helpers import DEFAULT, captured, contents, interrupt_chunk, same_results

from sim.compare_sweep import compare_sweep_text, pair_scenarios, run_pairs
from sim.comparison import paired
from sim.errors import ScenarioError
from sim.runner import Runner
from sim.scenario import load_scenario

LEVER = "ceasefire.monitoring.coverage=0.5"
LIMIT = "parties.russia.positions.delineation.min"
"""At 0.6 (as written) a deal can be struck; at 0.8 none can, on either side, so every
difference is exactly 0, its interval as narrow as no pair differing allows: met at the
second check point (200 runs: about +-1.9 pp; at 100, +-3.7)."""
EPS = 0.035
"""Met at 600 runs of the lever against the default scenario (widest half-width 0.0336,
at 30 days), not at 500 (0.0364)."""
BOUNDS = {"min_runs": 100, "max_runs": 2000, "batch": 100}
CLI_BOUNDS = ["--min-runs", "200", "--max-runs", "600"]
"""The command line checks at 200 and 600: the lever is met at 600, the deadlock at 200."""


def points(values=(0.6, 0.8)):
    a, b = load_scenario(DEFAULT, [LEVER]), load_scenario(DEFAULT)
    return pair_scenarios(a, b, [(LIMIT, list(values))])


def test_each_point_stops_where_compare_precision_would_stop_it_alone():
    todo = points()
    with Runner(workers=1, progress=False) as runner:
        swept = list(run_pairs(todo, runner, 0, 2016, precision=EPS, **BOUNDS))
        alone = [paired(a, b, runner, 0, 2016, precision=EPS, **BOUNDS) for _, a, b in todo]
    assert [p.result["runs"] for p in swept] == [600, 200]  # the counts differ
    for point, (result, held_a, held_b, _) in zip(swept, alone, strict=True):
        assert point.result["precision"] == result["precision"]
        assert point.result["diff"] == result["diff"]
        same_results(point.held[0], held_a)
        same_results(point.held[1], held_b)


def test_where_each_point_stops_does_not_depend_on_the_workers():
    with Runner(workers=1, progress=False) as runner:
        one = list(run_pairs(points(), runner, 0, 2016, precision=EPS, **BOUNDS))
    with Runner(workers=2, chunk=37, progress=False) as runner:
        two = list(run_pairs(points(), runner, 0, 2016, precision=EPS, **BOUNDS))
    for x, y in zip(one, two, strict=True):
        assert x.result["diff"] == y.result["diff"]
        for held_x, held_y in zip(x.held, y.held, strict=True):
            same_results(held_x, held_y)


def test_a_resumed_point_met_before_its_saved_runs_end_names_the_point():
    """Found only once a gap below the stopping point is filled."""
    todo = points([0.8])
    with Runner(workers=1, progress=False) as runner:
        (full,) = run_pairs(todo, runner, 300, 2016)
        held = tuple(h.among(h.columns["replication"][50:]) for h in full.held)  # 0-49 missing
        with pytest.raises(ScenarioError) as err:
            list(run_pairs(todo, runner, 0, 2016, existing=[held], precision=EPS, **BOUNDS))
    assert "met at point 1/1 at 200 replications" in str(err.value)
    assert "--runs 300" in str(err.value)


def test_the_table_gives_each_points_count_and_stars_one_cut_short():
    with Runner(workers=1, progress=False) as runner:
        swept = list(run_pairs(points(), runner, 0, 2016, precision=EPS, min_runs=100,
                               max_runs=300, batch=100))
    text = compare_sweep_text([p.result for p in swept], [LIMIT], ("lever", "as written"), 2, None)
    assert "each run until every paired difference's precision is 0.035" in text
    assert "NOT reached at point 1 (hit --max-runs; marked *)" in text
    rows = [line.split()[:2] for line in text.splitlines() if line.startswith(("0.6", "0.8"))]
    assert rows == [["0.6", "300*"], ["0.8", "200"]] * 2  # in both tables


# -- the command line ---------------------------------------------------------------


def compare_args(out, *more: str) -> list[str]:
    return ["compare", str(DEFAULT), "--set", LEVER, "--param", f"{LIMIT}=0.6,0.8",
            "--workers", "1", "--no-progress", "--out", str(out), *more]


def saved(out) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and p.name in ("runs.csv", "compare_sweep.csv")}


def test_the_command_saves_each_points_count_and_precision(tmp_path):
    out = tmp_path / "cs"
    code, text, _ = captured(*compare_args(out, "--precision", str(EPS), *CLI_BOUNDS, "--plot"))
    assert code == 0 and "each run until every paired difference's precision is 0.035" in text
    with (out / "compare_sweep.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["runs"], r["precision_met"]) for r in rows] == [("600", "1"), ("200", "1")]
    for k, runs in (("000", 600), ("001", 200)):
        record = json.loads((out / "pairs" / k / "compare.json").read_text())
        assert record["precision"] == {"target": EPS, "met": True, "runs": runs}
        manifest = json.loads((out / "pairs" / k / "a" / "manifest.json").read_text())
        assert (manifest["runs_requested"], manifest["precision"], manifest["min_runs"],
                manifest["max_runs"]) == (None, EPS, 200, 600)
    from plots.compare_sweep import compare_sweep_figure
    from sim.drawable import read_pairs

    again = read_pairs(out)  # as plot reads it back, and as the sweep drew it
    drawn = compare_sweep_figure(again["points"], again["params"], again["names"],
                                 again["planned"], again.get("runs"))
    assert "precision 0.035 on each point's differences (200 to 600 runs)" in \
        drawn.data["caption"]
    assert "runs per side" not in drawn.data["caption"]


def test_an_interrupted_one_resumes_with_its_precision_to_the_one_never_stopped(
        tmp_path, monkeypatch):
    whole = tmp_path / "whole"
    assert captured(*compare_args(whole, "--precision", str(EPS), *CLI_BOUNDS))[0] == 0
    out = tmp_path / "stopped"
    interrupt_chunk(monkeypatch, 3, size=100)  # side B of the first point's first batch
    code, _, _ = captured(*compare_args(out, "--precision", str(EPS), *CLI_BOUNDS))
    assert code == 130
    monkeypatch.undo()
    code, _, err = captured(*compare_args(out, "--resume"))  # no --runs: the saved precision
    assert code == 0
    assert ("resuming with the saved comparison sweep's --precision 0.035 --min-runs 200 "
            "--max-runs 600") in err
    assert saved(out) == saved(whole) and len(saved(out)) == 5


def test_a_resume_that_would_drop_saved_runs_is_refused_before_anything_is_touched(tmp_path):
    """A sweep of 600 runs a side, resumed to a precision the deadlocked point meets at
    200: finishing it would drop 400 of each side's runs."""
    out = tmp_path / "cs"
    assert captured(*compare_args(out, "--runs", "600"))[0] == 0
    before = contents(out)
    code, _, err = captured(*compare_args(out, "--resume", "--precision", str(EPS), *CLI_BOUNDS))
    assert code == 2 and "Traceback" not in err
    assert "met at point 2/2 at 200 replications" in err and "--runs 600 or more" in err
    assert contents(out) == before
    assert "give none of --runs, --precision, --min-runs and --max-runs" in err
    runs = saved(out)
    assert captured(*compare_args(out, "--resume"))[0] == 0  # the options it was saved with
    assert saved(out) == runs


def test_a_resume_with_other_bounds_names_a_count_that_covers_every_point(tmp_path):
    """Saved adaptive (600 and 200 runs a side), resumed with a coarser precision and a
    check at 100, where the deadlocked point would stop (+-3.7 pp): --runs must cover
    the first point's 600 too."""
    out = tmp_path / "cs"
    assert captured(*compare_args(out, "--precision", str(EPS), *CLI_BOUNDS))[0] == 0
    code, _, err = captured(*compare_args(out, "--resume", "--precision", "0.04", "--min-runs",
                                      "100", "--max-runs", "2000"))
    assert code == 2 and "met at point 2/2 at 100 replications" in err
    assert "--runs 600 or more" in err
    assert captured(*compare_args(out, "--resume", "--runs", "600"))[0] == 0


def test_a_refusal_found_once_points_have_run_names_a_count_that_keeps_them_all():
    """The first point, saved at 300, runs to 600 in the resumed session; the second,
    saved at 300 with a gap below 200, would stop at 200: only then is it refused, and
    the --runs it names must keep the 600 the first point now holds."""
    todo = points()
    with Runner(workers=1, progress=False) as runner:
        first, second = run_pairs(todo, runner, 300, 2016)
        gap = tuple(h.among(h.columns["replication"][50:]) for h in second.held)
        with pytest.raises(ScenarioError) as err:
            list(run_pairs(todo, runner, 0, 2016, existing=[first.held, gap], precision=EPS,
                           **BOUNDS))
    assert "--precision 0.035 with these bounds is met at point 2/2 at 200" in str(err.value)
    assert "--runs 600 or more" in str(err.value)


def test_a_session_of_a_fixed_count_stopped_part_way_is_resumed_with_that_count(
        tmp_path, monkeypatch):
    """An adaptive sweep resumed with --runs 700 and stopped in its second point: the
    first point is saved with --runs 700, the second still with the precision. A bare
    resume took the precision, and was refused for holding more than its --max-runs."""
    out, fixed = tmp_path / "cs", tmp_path / "fixed"
    assert captured(*compare_args(out, "--precision", str(EPS), *CLI_BOUNDS))[0] == 0
    interrupt_chunk(monkeypatch, 5, size=50)  # the second point's first work item
    assert captured(*compare_args(out, "--resume", "--runs", "700"))[0] == 130
    monkeypatch.undo()
    code, _, err = captured(*compare_args(out, "--resume"))
    assert code == 0 and "resuming with the saved comparison sweep's --runs 700" in err
    assert captured(*compare_args(fixed, "--runs", "700"))[0] == 0
    assert saved(out) == saved(fixed)


def test_one_comparison_stopped_in_side_a_of_a_fixed_count_is_resumed_with_that_count(
        tmp_path, monkeypatch):
    out, fixed = tmp_path / "c", tmp_path / "fixed"
    one = ["compare", str(DEFAULT), "--set", LEVER, "--workers", "1", "--no-progress"]
    assert captured(*one, "--out", str(out), "--precision", str(EPS), *CLI_BOUNDS)[0] == 0
    interrupt_chunk(monkeypatch, 2, size=50)  # side A's second work item of the 100 added
    assert captured(*one, "--out", str(out), "--resume", "--runs", "700")[0] == 130
    monkeypatch.undo()
    code, _, err = captured(*one, "--out", str(out), "--resume")
    assert code == 0 and "--runs 700" in err
    assert captured(*one, "--out", str(fixed), "--runs", "700")[0] == 0
    for side in ("a", "b"):
        assert (out / side / "runs.csv").read_bytes() == (fixed / side / "runs.csv").read_bytes()
