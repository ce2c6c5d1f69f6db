"""What a resume reads of the saved parts before it runs anything: which part
directories count, which run count it takes when none is given, what it says when
nothing was saved, and which file or point it names when the saved result does not
match."""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import pytest
from helpers import DEFAULT, ROOT, quiet

from sim.errors import ScenarioError
from sim.resuming import resume_backtest, resume_comparison, resume_sweep_options
from sim.scenario import load_scenario

PARAM = "ceasefire.monitoring.deterrence=0.1,0.4,0.7"
COUNTERFACTUAL = "ceasefire.monitoring.coverage=0.5"



def sweep(out: Path, *extra: str, param: str = PARAM, runs: str | None = "30") -> int:
    return quiet(["sweep", str(DEFAULT), "--param", param, *(["--runs", runs] if runs else []),
                  "--workers", "1", "--no-progress", "--out", str(out), *extra])


def set_runs_requested(manifest: Path, value) -> None:
    doc = json.loads(manifest.read_text())
    doc["runs_requested"] = value
    manifest.write_text(json.dumps(doc))


# -- sweeps ---------------------------------------------------------------------------


def test_files_and_folders_that_are_no_point_are_left_alone(tmp_path, capsys):
    """Only folders named by a number are points: a stray file named like one was taken
    for a point beyond the grid, and a folder of another name would end in a traceback."""
    out = tmp_path / "sweep"
    assert sweep(out) == 0
    (out / "points" / "005").write_text("notes")
    (out / "points" / "backup").mkdir()
    capsys.readouterr()
    assert sweep(out, "--resume") == 0
    assert "Traceback" not in capsys.readouterr().err


def test_a_sweep_resumed_where_nothing_was_saved_starts_afresh_and_says_so(tmp_path, capsys):
    """Given --runs, it starts afresh with a note; given neither --runs nor --precision,
    there is nothing to take them from, and the defaults would pass for the sweep that
    was meant: refused."""
    out = tmp_path / "never"
    args = argparse.Namespace(out=out, runs=3, precision=None, min_runs=None, max_runs=None)
    assert resume_sweep_options(args) == f"nothing saved in {out} to resume: the sweep starts afresh"
    assert sweep(out, "--resume", param="ceasefire.monitoring.deterrence=0.1,0.2", runs="3") == 0
    assert f"nothing saved in {out} to resume: the sweep starts afresh" in capsys.readouterr().err
    blind = argparse.Namespace(out=tmp_path / "other", runs=None, precision=None,
                               min_runs=None, max_runs=None)
    with pytest.raises(ScenarioError, match=r"give its --runs \(or --precision\) and --seed"):
        resume_sweep_options(blind)


def test_a_smaller_grid_names_the_first_saved_point_beyond_it(tmp_path, capsys):
    out = tmp_path / "sweep"
    assert sweep(out, param="ceasefire.monitoring.deterrence=0.1,0.2,0.3,0.4") == 0
    capsys.readouterr()
    assert sweep(out, "--resume", param="ceasefire.monitoring.deterrence=0.1,0.2") == 2
    assert "which holds point 002 (points count from 000)" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["sweep", "compare"])
def test_a_param_left_out_or_added_on_resume_is_named_as_a_key(tmp_path, capsys, command):
    """With a --param left out, the refusal showed the values given, which matched the
    saved ones, as the bad value: it names the keys that differ."""
    out = tmp_path / command
    first, second = "ceasefire.monitoring.deterrence=0.3,0.6", "negotiation.shocks.rate_per_day=0.1,0.2"
    base = [command, str(DEFAULT), *(["--set", "ceasefire.monitoring.coverage=0.5"]
                                      if command == "compare" else []),
            "--runs", "20", "--workers", "1", "--no-progress", "--out", str(out)]
    assert quiet([*base, "--param", first, "--param", second]) == 0
    capsys.readouterr()
    assert quiet([*base, "--resume", "--param", first]) == 2
    assert "it also swept negotiation.shocks.rate_per_day (--resume needs the same --param " \
        "keys)" in capsys.readouterr().err
    assert quiet([*base, "--resume", "--param", first, "--param", second, "--param",
                  "ceasefire.monitoring.notice=0.1,0.2"]) == 2
    assert "it did not sweep ceasefire.monitoring.notice" in capsys.readouterr().err


def test_a_changed_value_is_shown_as_param_writes_it(tmp_path, capsys):
    """A string shown as Python writes it ('b') would not paste back into --param."""
    out = tmp_path / "sweep"
    assert sweep(out, param="negotiation.shocks.gainer=regime,opposition") == 0
    capsys.readouterr()
    assert sweep(out, "--resume", param="negotiation.shocks.gainer=opposition,regime") == 2
    assert 'the values of point 000 of the sweep saved in' in (err := capsys.readouterr().err)
    assert 'negotiation.shocks.gainer="regime"' in err and "'regime'" not in err


def test_the_sweep_figure_is_named_before_the_points_figures(tmp_path, capsys):
    out = tmp_path / "sweep"
    assert sweep(out, "--plot") == 0
    assert quiet(["plot", str(out / "points" / "000")]) == 0
    capsys.readouterr()
    assert sweep(out, "--resume", runs="40") == 0
    notes = [line for line in capsys.readouterr().err.splitlines() if line.startswith("note:")]
    assert [note.split(" in ")[0] for note in notes] == [
        "note: sweep.png", "note: agreement.png, collapse_causes.png, outcomes.png, survival.png"]


# -- comparisons ----------------------------------------------------------------------


def compare(out: Path, *extra: str, runs: str | None = "30", b: Path | None = None) -> int:
    sides = [str(DEFAULT), str(b)] if b else [str(DEFAULT), "--set", COUNTERFACTUAL]
    return quiet(["compare", *sides, *(["--runs", runs] if runs else []), "--workers", "1",
                  "--no-progress", "--out", str(out), *extra])


def test_a_comparison_resumed_into_a_directory_not_made_yet_starts_afresh_and_says_so(
        tmp_path, capsys):
    out = tmp_path / "not" / "yet"
    assert compare(out, "--resume") == 0
    assert f"nothing saved in {out} to resume: the comparison starts afresh" in \
        capsys.readouterr().err


@pytest.fixture
def saved_comparison(tmp_path) -> Path:
    out = tmp_path / "compare"
    assert compare(out) == 0
    return out


def sides() -> tuple:
    return load_scenario(DEFAULT, [COUNTERFACTUAL]), load_scenario(DEFAULT)


def test_without_runs_a_comparison_takes_its_first_side_s(saved_comparison):
    set_runs_requested(saved_comparison / "a" / "manifest.json", 50)
    set_runs_requested(saved_comparison / "b" / "manifest.json", 70)
    runs, _, note = resume_comparison(saved_comparison, None, sides(), [DEFAULT], 2016)
    assert runs == 50 and note == "resuming with the saved comparison's --runs 50"


def test_without_runs_a_comparison_that_records_none_is_refused(saved_comparison):
    """Finishing at the default would look finished and not be."""
    for side in ("a", "b"):
        set_runs_requested(saved_comparison / side / "manifest.json", "x")
    with pytest.raises(ScenarioError) as err:
        resume_comparison(saved_comparison, None, sides(), [DEFAULT], 2016)
    assert err.value.path == "" and err.value.file == "--runs"
    assert err.value.allowed.startswith("give --runs: the comparison saved in")


def test_a_second_scenario_changed_since_is_named_not_the_first(tmp_path, capsys):
    second = tmp_path / "b.toml"
    shutil.copy(DEFAULT, second)
    text = second.read_text()
    out = tmp_path / "compare"
    assert compare(out, b=second) == 0
    second.write_text(text.replace('name = "geneva_2016"', 'name = "geneva_changed"', 1))
    capsys.readouterr()
    assert compare(out, "--resume", b=second) == 2
    assert capsys.readouterr().err.startswith(f"error: {second}: name: bad value")


# -- backtests ------------------------------------------------------------------------


@pytest.fixture
def saved_backtest(tmp_path) -> tuple[Path, Path]:
    cases = tmp_path / "cases"
    cases.mkdir()
    for name in ("cessation_feb_2016", "kerry_lavrov_sep_2016"):
        shutil.copy(ROOT / "scenarios" / f"{name}.toml", cases / f"{name}.toml")
    for parent in ("geneva_2016", "aleppo_48h_pause"):  # what they extend
        shutil.copy(ROOT / "scenarios" / f"{parent}.toml", cases / f"{parent}.toml")
    out = tmp_path / "backtest"
    assert quiet(["backtest", str(cases), "--runs", "30", "--workers", "1", "--no-progress",
                  "--out", str(out)]) == 0
    return cases, out


def scored(cases: Path) -> list:
    from sim.backtest import scored_cases

    return scored_cases(cases, []).scenarios


def test_without_runs_a_backtest_takes_a_saved_count_past_a_scenario_added_since(
        saved_backtest):
    """A scenario added to the directory has nothing saved; the count comes from the
    first that has, and the backtest was not refused for want of one."""
    cases, out = saved_backtest
    added = (cases / "cessation_feb_2016.toml").read_text()
    added = added.replace('name = "cessation_feb_2016"', 'name = "aaa_added"', 1)
    assert 'name = "aaa_added"' in added
    (cases / "aaa_added.toml").write_text(added)
    runs, existing, note = resume_backtest(out, None, str(cases), scored(cases), 2016)
    assert runs == 30 and note == "resuming with the saved backtest's --runs 30"
    assert len(existing) == 2


def test_without_runs_a_backtest_that_records_none_is_refused(saved_backtest):
    cases, out = saved_backtest
    for manifest in (out / "cases").glob("*/manifest.json"):
        set_runs_requested(manifest, 0)
    with pytest.raises(ScenarioError) as err:
        resume_backtest(out, None, str(cases), scored(cases), 2016)
    assert err.value.allowed.startswith("give --runs: the backtest saved in")


