"""``plot DIR`` of a sweep's, a comparison's, a comparison sweep's or a backtest's
``--out``: the figure the command draws (with ``--plot``), rebuilt from what it saved.

The oracle is the command itself: drawn from the same numbers, matplotlib writes the
same bytes, so ``plot`` later must give files identical to those ``--plot`` gave.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from helpers import DEFAULT, ROOT, interrupt_chunk, quiet

import plots
import run_sim
from sim.drawable import _grid_of, plottable
from sim.output import jsonable

QUICK = ["--runs", "40", "--workers", "1", "--no-progress"]
SWEEP = ["sweep", str(DEFAULT), "--param", "ceasefire.monitoring.coverage=0.2,0.4",
         "--param", "ceasefire.monitoring.notice=0.5,0.7"]
COMPARE = ["compare", str(DEFAULT), "--set", "ceasefire.monitoring.notice=0.5"]
COMPARE_SWEEP = [*COMPARE, "--param", "ceasefire.monitoring.coverage=0.2,0.4,0.6"]



@pytest.mark.parametrize(("command", "drawn"), [
    (["backtest", str(ROOT / "scenarios"), "--set", "parties.opposition.behaviour.sensitivity=0.05"],
     ["calibration.png"]),
    (SWEEP, ["sweep.png", "sweep_differences.png"]),
    (COMPARE, ["compare.png"]),
    (COMPARE_SWEEP, ["compare_sweep.png"]),
])
def test_plot_later_draws_the_files_the_command_drew(tmp_path: Path, command, drawn) -> None:
    out = tmp_path / "out"
    assert quiet([*command, *QUICK, "--out", str(out), "--plot"]) == 0
    before = {name: (out / name).read_bytes() for name in drawn}
    for name in drawn:
        (out / name).unlink()
    assert quiet(["plot", str(out)]) == 0
    assert sorted(p.name for p in out.glob("*.png")) == sorted(drawn)
    for name in drawn:
        assert (out / name).read_bytes() == before[name], name


@pytest.fixture(scope="module")
def saved_sweep(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A sweep of three points of one parameter, saved (copy before changing)."""
    out = tmp_path_factory.mktemp("saved") / "sweep"
    assert quiet(["sweep", str(DEFAULT), "--param", "ceasefire.monitoring.coverage=0.2,0.4,0.6",
                  *QUICK, "--out", str(out)]) == 0
    return out


def table_of_first(table: Path, n: int) -> None:
    """Keep the header and the first ``n`` rows of a whole's CSV table, as a sweep that
    saved ``n`` points left it (it writes the table as each point is saved)."""
    table.write_text("".join(table.read_text().splitlines(keepends=True)[:n + 1]))


def test_a_sweep_missing_its_last_points_is_drawn_as_stopped(saved_sweep, tmp_path) -> None:
    """A sweep killed between points has fewer point directories than its grid: the
    figure says how many it had, from the --param options the command was given."""
    out = tmp_path / "sweep"
    shutil.copytree(saved_sweep, out)
    shutil.rmtree(out / "points" / "002")
    table_of_first(out / "sweep.csv", 2)
    kind, data = plottable(out)
    assert kind == "sweep" and len(data["points"]) == 2 and data["planned"] == 3
    assert data["runs"] == 40 and data["params"] == ["ceasefire.monitoring.coverage"]
    (drawn,) = plots.figures(kind, **data)
    assert "interrupted, 2 of 3 points" in str(drawn.data["caption"])


def test_a_point_a_checkpoint_saved_gets_its_difference_from_the_reference(
        saved_sweep, tmp_path) -> None:
    """A point saved by a checkpoint (its sweep killed while it ran) has no difference
    from the first point in its summary; the figure needs one, computed as the sweep
    computes it."""
    out = tmp_path / "sweep"
    shutil.copytree(saved_sweep, out)
    path = out / "points" / "001" / "summary.json"
    summary = json.loads(path.read_text())
    saved = summary.pop("diff_from_reference")
    path.write_text(json.dumps(summary))
    _, data = plottable(out)
    assert jsonable(data["points"][1].summary["diff_from_reference"]) == saved


def test_only_the_points_a_sweep_saved_are_drawn(saved_sweep, tmp_path) -> None:
    """A run directory copied into points/ by hand names no point of the sweep."""
    out = tmp_path / "sweep"
    shutil.copytree(saved_sweep, out)
    manifest = out / "points" / "002" / "manifest.json"
    record = json.loads(manifest.read_text())
    del record["sweep_point"]
    manifest.write_text(json.dumps(record))
    table_of_first(out / "sweep.csv", 2)  # (a sweep of two points, and the copy)
    _, data = plottable(out)
    assert [p.params for p in data["points"]] == [{"ceasefire.monitoring.coverage": 0.2},
                                                  {"ceasefire.monitoring.coverage": 0.4}]


def test_a_sweep_is_drawn_in_the_format_asked(saved_sweep, tmp_path, capsys) -> None:
    out = tmp_path / "sweep"
    shutil.copytree(saved_sweep, out)
    assert run_sim.main(["plot", str(out), "--format", "svg"]) == 0
    assert capsys.readouterr().out.split() == [str(out / "sweep.svg")]
    assert (out / "sweep.svg").read_text(encoding="utf-8").lstrip().startswith("<?xml")


def test_a_damaged_comparison_record_is_named_not_a_traceback(tmp_path, capsys) -> None:
    out = tmp_path / "cmp"
    assert quiet([*COMPARE, *QUICK, "--out", str(out)]) == 0
    (out / "compare.json").write_text("{")
    assert run_sim.main(["plot", str(out)]) == 2
    err = capsys.readouterr().err
    assert str(out / "compare.json") in err and "Traceback" not in err
    (out / "compare.json").write_text("[]")
    assert run_sim.main(["plot", str(out)]) == 2
    assert "'a', 'b' and 'diff' tables" in capsys.readouterr().err


@pytest.mark.parametrize(("command", "planned"), [
    (["run_sim.py", "sweep", "f.toml", "--param=a.b=1,2,3", "--param", "c.d=0:1:4"], 12),
    (["run_sim.py", "sweep", "f.toml", "--param", "a.b"], None),  # not KEY=VALUES
    (["run_sim.py", "run", "f.toml"], None),
    ("sweep f.toml", None),
])
def test_the_grid_size_is_read_from_the_saved_command(command, planned) -> None:
    assert _grid_of(command) == planned


def test_a_backtest_stopped_before_its_last_case_is_drawn_as_stopped(tmp_path) -> None:
    """A backtest stopped in its second scenario scored the first alone, and its figure
    says it was interrupted; drawn later, it says the same."""
    out = tmp_path / "bt"
    assert quiet(["backtest", str(ROOT / "scenarios"), *QUICK, "--out", str(out)]) == 0
    cases = sorted((out / "cases").iterdir())
    summary = json.loads((cases[1] / "summary.json").read_text())
    (cases[1] / "summary.json").write_text(json.dumps({**summary, "partial": True}))
    (out / "backtest.csv").unlink()  # (killed in its second case: nothing scored yet)
    kind, data = plottable(out)
    table = data["table"]
    assert kind == "backtest" and table.partial and table.planned == 2
    assert [row["scenario"] for row in table.rows] == [cases[0].name]
    assert table.rows[0]["file"] == str(ROOT / "scenarios" / f"{cases[0].name}.toml")
    shutil.rmtree(cases[1])
    assert plottable(out)[1]["table"].partial  # (its manifest said two were planned)


def test_a_resume_stopped_part_way_is_drawn_as_the_resume_drew_it(tmp_path, monkeypatch) -> None:
    """A resume that raised the runs and was stopped in the third of four points left the
    fourth as an earlier session saved it (fewer runs): 'plot' drew four points, not
    stopped, captioned with the earlier session's runs."""
    out = tmp_path / "sweep"
    args = ["sweep", str(DEFAULT), "--param", "ceasefire.monitoring.coverage=0.2,0.4,0.6,0.8",
            "--workers", "1", "--no-progress", "--out", str(out)]
    assert quiet([*args, "--runs", "20"]) == 0
    interrupt_chunk(monkeypatch, 5, size=100)  # in the third point, of 200 runs each
    assert quiet([*args, "--runs", "200", "--resume", "--plot"]) == 130
    monkeypatch.undo()
    drawn = (out / "sweep.png").read_bytes()
    (out / "sweep.png").unlink()
    _, data = plottable(out)
    assert [len(p.results) for p in data["points"]] == [200, 200, 20]  # (the third stopped)
    assert data["points"][-1].interrupted and data["planned"] == 4 and data["runs"] == 200
    assert quiet(["plot", str(out)]) == 0
    assert (out / "sweep.png").read_bytes() == drawn


def test_a_point_never_saved_whole_is_where_the_sweep_stopped(saved_sweep, tmp_path) -> None:
    """A sweep killed during a point's first save leaves its directory without runs.csv:
    'plot' refused the whole sweep ('runs.csv: missing'), which --resume finishes."""
    out = tmp_path / "sweep"
    shutil.copytree(saved_sweep, out)
    (out / "points" / "001" / "runs.csv").unlink()
    shutil.rmtree(out / "points" / "002")  # (never reached)
    table_of_first(out / "sweep.csv", 1)
    _, data = plottable(out)
    assert len(data["points"]) == 1 and data["planned"] == 3
    (drawn,) = plots.figures("sweep", **data)
    assert "interrupted, 1 of 3 points" in str(drawn.data["caption"])


def test_a_finished_part_is_not_rewritten_by_a_resume_that_grows_the_grid(tmp_path) -> None:
    """The points' manifests record the grid's size, and a resume that only grew the grid
    rewrote every finished point (a new session in its manifest, its runs counted as
    run again)."""
    out = tmp_path / "sweep"
    args = ["sweep", str(DEFAULT), *QUICK, "--out", str(out)]
    assert quiet([*args, "--param", "ceasefire.monitoring.coverage=0.2,0.4"]) == 0
    before = (out / "points" / "000" / "manifest.json").read_bytes()
    assert quiet([*args, "--param", "ceasefire.monitoring.coverage=0.2,0.4,0.6", "--resume"]) == 0
    assert (out / "points" / "000" / "manifest.json").read_bytes() == before
    assert json.loads((out / "points" / "002" / "manifest.json").read_text())["grid_points"] == 3
    _, data = plottable(out)
    assert data["planned"] == 3 and len(data["points"]) == 3


@pytest.mark.parametrize(("where", "change", "says"), [
    ("points/001/manifest.json", {"sweep_point": {"other.key": 1}}, "sweep_point"),
    ("points/001/manifest.json", {"sweep_point": []}, "sweep_point"),
])
def test_a_point_that_names_other_parameters_is_named_not_a_traceback(
        saved_sweep, tmp_path, capsys, where, change, says) -> None:
    out = tmp_path / "sweep"
    shutil.copytree(saved_sweep, out)
    path = out / where
    path.write_text(json.dumps({**json.loads(path.read_text()), **change}))
    assert run_sim.main(["plot", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"{path}: {says}" in err and "Traceback" not in err


@pytest.mark.parametrize("value", ["40", [1], True, -5, 10**30])
def test_a_run_count_that_is_not_one_is_not_drawn(saved_sweep, tmp_path, value) -> None:
    """A hand-edited runs_requested of '40' ended in a traceback; one of -5 was printed
    as '-5 runs per point'."""
    out = tmp_path / "sweep"
    shutil.copytree(saved_sweep, out)
    for path in out.glob("points/*/manifest.json"):
        path.write_text(json.dumps({**json.loads(path.read_text()), "runs_requested": value,
                                    "grid_points": value}))
    _, data = plottable(out)
    assert data["runs"] is None and data["planned"] == 3
    (drawn,) = plots.figures("sweep", **data)
    assert "40 runs per point" in str(drawn.data["caption"])  # (the points' own count)


@pytest.mark.parametrize("record", [{"a": [], "b": {}, "diff": {}}, {"a": {}, "b": {}, "diff": {
    "p_hold": {}}, "runs": "x"}])
def test_a_comparison_record_without_what_the_figure_reads_is_refused(tmp_path, capsys, record):
    out = tmp_path / "cmp"
    assert quiet([*COMPARE, *QUICK, "--out", str(out)]) == 0
    (out / "compare.json").write_text(json.dumps(record))
    assert run_sim.main(["plot", str(out)]) == 2
    assert "'runs', and 'a', 'b' and 'diff' tables" in capsys.readouterr().err


def test_a_backtest_resumed_with_more_runs_and_killed_draws_only_what_the_resume_scored(
        tmp_path, monkeypatch) -> None:
    """Its second case, left from the first session with fewer runs, was scored beside
    the first as if the backtest had finished."""
    out = tmp_path / "bt"
    args = ["backtest", str(ROOT / "scenarios"), "--workers", "1", "--no-progress",
            "--out", str(out)]
    assert quiet([*args, "--runs", "20"]) == 0
    interrupt_chunk(monkeypatch, 3, size=100)  # in the second case, of 200 runs each
    assert quiet([*args, "--runs", "200", "--resume"]) == 130
    monkeypatch.undo()
    table = plottable(out)[1]["table"]
    assert table.partial and [row["runs"] for row in table.rows] == [200] and table.runs == 200


def test_a_folder_named_with_a_non_latin_digit_is_no_point(saved_sweep, tmp_path) -> None:
    """'²' is a digit to str.isdigit() but not to int(): a folder so named in points/
    ended 'plot' (and a resume) in a traceback."""
    out = tmp_path / "sweep"
    shutil.copytree(saved_sweep, out)
    (out / "points" / "\u00b2").mkdir()
    assert len(plottable(out)[1]["points"]) == 3


@pytest.fixture(scope="module")
def saved_levers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three comparisons against the default scenario, one change each, as the README's
    loop saves them (copy before changing)."""
    home = tmp_path_factory.mktemp("levers") / "levers"
    for name, change in (("coverage", "ceasefire.monitoring.coverage=0.5"),
                         ("notice", "ceasefire.monitoring.notice=0.3"),
                         ("verified", "ceasefire.imposed.verification=1.0")):
        assert quiet(["compare", str(DEFAULT), "--set", change, *QUICK,
                      "--out", str(home / name)]) == 0
    return home


def test_a_folder_of_comparisons_against_one_scenario_is_drawn_side_by_side(saved_levers) -> None:
    """Which change moves the odds most took a figure per comparison and a table by
    hand: one figure now shows every comparison's paired differences, from the files."""
    kind, data = plottable(saved_levers)
    assert kind == "comparisons"
    saved = [json.loads((saved_levers / n / "compare.json").read_text())
             for n in ("coverage", "notice", "verified")]
    assert data["results"] == saved
    drawn = plots.figures(kind, **data)[0]
    assert drawn.data["names"] == ["monitoring coverage = 0.5", "monitoring notice = 0.3",
                                   "imposed verification = 1.0"]
    assert drawn.data["quantities"] == ["P(agreement)", "P(holds 48h)", "P(holds 7d)",
                                        "P(holds 30d)"]
    from sim.report import interval_decimals, points

    for result, *values in zip(saved, *drawn.data["values"].values(), strict=True):
        d = result["diff"]
        expected = [d["p_agreement"], *(d["p_hold"][lab] for lab in ("48h", "7d", "30d"))]
        assert values == [points(p["estimate"], interval_decimals(p)) for p in expected]
    assert "each change at its own dose" in drawn.data["caption"]
    assert "40 runs per side" in drawn.data["caption"] and "seed 2016" in drawn.data["caption"]
    assert quiet(["plot", str(saved_levers)]) == 0
    assert (saved_levers / "comparisons.png").is_file()


def test_comparisons_against_another_scenario_or_seed_are_not_drawn_together(
        saved_levers, tmp_path, capsys) -> None:
    """Differences from other replications of B (another scenario, another seed) are
    not paired with each other: the figure would rank what it cannot."""
    from sim.errors import ScenarioError

    for extra, says in ((["--seed", "7"], "another seed (7) than coverage's (2016)"),
                        (["--set", "ceasefire.monitoring.deterrence=0.5"],
                         "another side B (its scenario.toml) than coverage's")):
        home = tmp_path / says.split()[1]
        shutil.copytree(saved_levers, home)
        cmd = ["compare", str(DEFAULT), "--set", "ceasefire.monitoring.notice=0.6", *QUICK,
               "--out", str(home / "other"), *extra]
        if extra[0] == "--set":  # a file with the change as written: B differs
            child = tmp_path / "child.toml"
            child.write_text(f'extends = "{DEFAULT.as_posix()}"\nname = "geneva_2016"\n'
                             'title = "Deterrence 0.5"\n[ceasefire.monitoring]\ndeterrence = 0.5\n',
                             encoding="utf-8")
            cmd = ["compare", str(child), "--set", "ceasefire.monitoring.notice=0.6", *QUICK,
                   "--out", str(home / "other")]
        assert quiet(cmd) == 0
        with pytest.raises(ScenarioError, match=re.escape(says)):
            plottable(home)
        assert run_sim.main(["plot", str(home)]) == 2
        assert f"{home / 'other'}: a comparison with {says}" in capsys.readouterr().err
    alone = tmp_path / "alone"
    shutil.copytree(saved_levers / "coverage", alone / "coverage")
    with pytest.raises(ScenarioError, match=r"holds a comparison, not a run: plot it \('plot "
                                            + re.escape(str(alone / "coverage"))):
        plottable(alone)  # one comparison is no ranking: plot it


def test_the_pairs_of_a_comparison_sweep_are_not_taken_for_comparisons_to_draw_together(
        tmp_path) -> None:
    """plot DIR/pairs told the user to move a point out of the folder, as if it were a
    comparison against another scenario saved there by mistake."""
    from sim.errors import ScenarioError

    out = tmp_path / "swept"
    assert quiet(["compare", str(DEFAULT), "--set", "ceasefire.imposed.verification=1.0",
                  "--param", "ceasefire.monitoring.coverage=0.5,0.9", *QUICK,
                  "--out", str(out)]) == 0
    with pytest.raises(ScenarioError, match=r"a point of a comparison sweep.*'plot "
                                            + re.escape(str(out)) + "'"):
        plottable(out / "pairs")


def test_a_result_among_the_comparisons_that_is_not_one_is_named(saved_levers, tmp_path) -> None:
    """A run or a comparison sweep saved beside the comparisons was left out of the
    figure without a word: a row the reader expected was missing."""
    from sim.errors import ScenarioError

    home = tmp_path / "levers"
    shutil.copytree(saved_levers, home)
    (home / "comparisons.png").unlink(missing_ok=True)
    assert quiet(["run", str(DEFAULT), *QUICK, "--out", str(home / "plain")]) == 0
    with pytest.raises(ScenarioError, match=re.escape(f"{home / 'plain'}: a result that is not "
                                                      "a comparison, among the comparisons of")):
        plottable(home)


def test_comparisons_of_different_sizes_give_each_row_its_runs(saved_levers, tmp_path) -> None:
    """Only the caption said '40-80 runs per side': each row now says its own."""
    home = tmp_path / "levers"
    shutil.copytree(saved_levers, home)
    shutil.rmtree(home / "notice")
    assert quiet(["compare", str(DEFAULT), "--set", "ceasefire.monitoring.notice=0.3",
                  "--runs", "80", "--workers", "1", "--no-progress", "--out", str(home / "notice")]) == 0
    kind, data = plottable(home)
    names = plots.figures(kind, **data)[0].data["names"]
    assert names == ["monitoring coverage = 0.5\n(40 runs)", "monitoring notice = 0.3\n(80 runs)",
                     "imposed verification = 1.0\n(40 runs)"]


def test_a_judgement_set_on_every_side_is_named_once_not_in_every_row(tmp_path) -> None:
    """Levers as files of their own, compared under one judgement (the same --set on
    each compare): rows read 'kl_aid with parties.opposition.beh / aviour...', the raw
    key broken mid-word beside the readable form. Each row now names its own change,
    and the judgement every side shares is named once, above."""
    home = tmp_path / "levers"
    judgement = "parties.opposition.behaviour.sensitivity=0.04"
    for name, table, line in (("lever_cover", "ceasefire.monitoring", "coverage = 0.5"),
                              ("lever_notice", "ceasefire.monitoring", "notice = 0.3")):
        child = tmp_path / f"{name}.toml"
        child.write_text(f'extends = "{DEFAULT.as_posix()}"\nname = "{name}"\ntitle = "{name}"\n'
                         f"[{table}]\n{line}\n", encoding="utf-8")
        assert quiet(["compare", str(child), str(DEFAULT), "--set", judgement, *QUICK,
                      "--out", str(home / name)]) == 0
    kind, data = plottable(home)
    drawn = plots.figures(kind, **data)[0]
    assert drawn.data["names"] == ["lever_cover", "lever_notice"]
    title = " ".join(drawn.figure.get_suptitle().split())
    assert "B = geneva_2016; both sides of every row with sensitivity (opposition) = 0.04" in title


def test_only_what_every_side_is_given_is_taken_out_of_the_rows() -> None:
    """A value one comparison changes (another sensitivity on side A) stays in its row."""
    from plots.comparisons import change_parts, shared_sets

    j, k = "parties.opposition.behaviour.sensitivity=0.04", "ceasefire.monitoring.coverage=0.5"

    def result(a: str, a_sets: list[str]) -> dict:
        return {"a": {"scenario": a, "sets": a_sets},
                "b": {"scenario": "geneva_2016", "sets": [j]}}

    results = [result("lever", [j]), result("geneva_2016", [j, k]),
               result("geneva_2016", ["parties.opposition.behaviour.sensitivity=0.05"])]
    assert shared_sets(results) == []
    assert change_parts(results) == [["lever", j], [j, k],
                                     ["parties.opposition.behaviour.sensitivity=0.05"]]
    assert change_parts(results[:2]) == [["lever"], [k]]
    # a result saved without its sets: A's name less B's scenario, as before
    old = {"a_name": f"geneva_2016 with {k}", "b": {"scenario": "geneva_2016"}}
    assert change_parts([old]) == [[k]]


def test_a_point_removed_from_a_finished_sweep_is_refused_not_drawn_as_stopped(
        saved_sweep, tmp_path, capsys) -> None:
    """A point whose runs.csv was deleted read as where the sweep stopped: the complete
    points after it were left out of a figure captioned 'interrupted'. sweep.csv, saved
    with each point, lists the points saved."""
    out = tmp_path / "sweep"
    shutil.copytree(saved_sweep, out)
    (out / "points" / "001" / "runs.csv").unlink()
    assert run_sim.main(["plot", str(out)]) == 2
    assert (f"error: {out / 'points' / '001'}: a point saved whole, as sweep.csv lists 3 points "
            "and only 1 read back") in capsys.readouterr().err
    assert not (out / "sweep.png").exists()


def test_a_case_removed_from_a_finished_backtest_is_refused(tmp_path, capsys) -> None:
    """Drawn as a backtest stopped before it, it scored much better than the one run."""
    out = tmp_path / "bt"
    assert quiet(["backtest", str(ROOT / "scenarios"), *QUICK, "--out", str(out)]) == 0
    first = sorted((out / "cases").iterdir())[0]
    shutil.rmtree(first)
    assert run_sim.main(["plot", str(out)]) == 2
    assert (f"the runs of every case backtest.csv scores, but those of {first.name} do not "
            "read back") in capsys.readouterr().err


def test_an_edited_comparison_is_refused_where_its_sides_say_otherwise(tmp_path, capsys) -> None:
    """An estimate set by hand was drawn as it stood, outside its own interval and off
    the chart; the sides' runs say what the differences are."""
    out = tmp_path / "cmp"
    assert quiet([*COMPARE, *QUICK, "--out", str(out)]) == 0
    assert run_sim.main(["plot", str(out)]) == 0
    record = json.loads((out / "compare.json").read_text())
    record["diff"]["p_hold"]["7d"]["estimate"] = 0.3
    (out / "compare.json").write_text(json.dumps(record))
    assert run_sim.main(["plot", str(out)]) == 2
    assert (f"{out / 'compare.json'}: diff: the paired differences of the runs saved in a/ and "
            "b/, which it does not hold") in capsys.readouterr().err
