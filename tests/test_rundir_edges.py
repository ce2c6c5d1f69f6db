"""Edges of output directories that the broader tests pass over: which session a fresh
run's manifest names, what a run resumed in another command's directory is told, and
what a stop while drawing says for the commands that draw a run's figures without being
``run`` (``plot``, ``backtest``) or for a run that ended on an error.

Each message here is the user's only guide to what was kept and how to go on, so it
must name the command that finishes the work, not a neighbouring one.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import DEFAULT, quiet

from sim.rundir import drawing
from sim.signals import StopExplained

QUICK = ["--runs", "3", "--workers", "1", "--no-progress"]



def stopped_while_drawing(kind: str, out: Path, command: str | None = None,
                          summary: dict | None = None) -> None:
    with pytest.raises(StopExplained), drawing(kind, out, "png", command, summary):
        raise KeyboardInterrupt


# -- manifests -------------------------------------------------------------------------


def test_a_fresh_run_beside_a_leftover_manifest_names_no_earlier_session(tmp_path):
    """A save that failed before runs.csv leaves a manifest alone, and a fresh run may use
    the directory; it resumes nothing, so its manifest must not claim the session of that
    leftover among those that made its results."""
    out = tmp_path / "run"
    out.mkdir()
    (out / "manifest.json").write_text(json.dumps(
        {"version": "0.0", "seed": 1, "command": ["an", "old", "session"], "packages": {}}))
    assert quiet(["run", str(DEFAULT), *QUICK, "--out", str(out)]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert "earlier" not in manifest
    assert manifest["command"] != ["an", "old", "session"]


# -- resuming in another command's directory -------------------------------------------


def test_a_run_resumed_in_a_sweep_s_directory_is_told_to_resume_the_sweep(tmp_path, capsys):
    """The user asked to resume: the message must say this directory is a sweep's to
    resume with 'sweep ... --resume', not suggest another directory as for a fresh run."""
    out = tmp_path / "sweep"
    out.mkdir()
    (out / "sweep.csv").write_text("")
    assert quiet(["run", str(DEFAULT), *QUICK, "--out", str(out), "--resume"]) == 2
    err = capsys.readouterr().err
    assert (f"the directory of the run to resume, but it holds a sweep (sweep.csv): resume it "
            f"with 'sweep ... --resume --out {out}'") in err
    assert "use another directory" not in err
    assert not (out / "runs.csv").exists()


# -- a stop while drawing ---------------------------------------------------------------


def test_a_stop_while_a_backtest_draws_a_case_says_to_resume_the_backtest(tmp_path, capsys):
    """A backtest draws each scenario's run figures after its own: stopped then, it is the
    backtest resumed with --plot that draws them all again, not 'plot' of one case."""
    case = tmp_path / "bt" / "cases" / "geneva_2016"
    stopped_while_drawing("run", case, "backtest", {"runs": 20, "partial": False})
    assert capsys.readouterr().err == (
        f"interrupted while drawing the figures in {case} (the results are saved): draw them "
        "with the same command with --resume and --plot\n")


def test_a_stop_while_plotting_a_partial_run_only_says_how_to_draw_it(tmp_path, capsys):
    """``plot`` of a run stopped part way draws it as it is: a stop then only says how to
    draw it again. Telling the user to finish the run belongs to ``run --plot``, which
    was finishing it."""
    out = tmp_path / "run"
    stopped_while_drawing("run", out, "plot", {"runs": 250, "partial": True})
    assert capsys.readouterr().err == (
        f"interrupted while drawing the figures in {out} (the results are saved): draw them "
        f"with 'plot {out}'\n")


def test_a_stop_while_drawing_a_run_ended_by_an_error_does_not_offer_to_finish_it(
        tmp_path, capsys):
    """A run stopped by an error in a replication is partial too, but resuming it would
    meet the same error: the advice is to draw its figures, not to finish it."""
    out = tmp_path / "run"
    stopped_while_drawing("run", out, "run", {"runs": 250, "partial": True, "error": "boom"})
    err = capsys.readouterr().err
    assert err == (f"interrupted while drawing the figures in {out} (the results are saved): "
                   f"draw them with 'plot {out}'\n")
    assert "--resume" not in err


def test_a_stop_while_a_two_parameter_sweep_draws_speaks_of_its_two_figures(tmp_path, capsys):
    """A sweep of two parameters draws its estimates and their paired differences: a stop
    then must not speak of 'the figure' and 'it', as for a sweep of one."""
    out = tmp_path / "sweep"
    for swept, what in ((1, "the figure in"), (2, "the figures in")):
        with pytest.raises(StopExplained), drawing("sweep", out, "png", swept=swept):
            raise KeyboardInterrupt
        err = capsys.readouterr().err
        assert f"interrupted while drawing {what} {out}" in err
        assert err.endswith(f"draw {'them' if swept == 2 else 'it'} with 'plot {out}'\n")


# -- resuming another scenario ----------------------------------------------------------


def test_a_key_the_saved_run_lacks_is_named_as_having_no_value_there(tmp_path, capsys):
    """A value added to the scenario since the run was saved has no saved counterpart:
    the message says so in words ('None' reads as a value TOML cannot even hold)."""
    scenario = tmp_path / "geneva.toml"
    full = DEFAULT.read_text(encoding="utf-8")
    scenario.write_text("".join(line for line in full.splitlines(keepends=True)
                                if not line.startswith("settling_floor")), encoding="utf-8")
    out = tmp_path / "run"
    assert quiet(["run", str(scenario), *QUICK, "--out", str(out)]) == 0
    scenario.write_text(full, encoding="utf-8")
    capsys.readouterr()
    assert quiet(["run", str(scenario), *QUICK, "--out", str(out), "--resume"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {scenario}: ceasefire.settling_floor: bad value 0.2; no value as "
                          f"in the run saved in {out}"), err
    assert "None" not in err


# -- what a directory holds ----------------------------------------------------------


def test_a_run_whose_save_left_only_its_manifest_resumes_with_the_saved_run_count(tmp_path, capsys):
    """A manifest without runs.csv is still the run to finish: its --runs is kept, and the
    user is not told that nothing was saved."""
    out = tmp_path / "run"
    assert quiet(["run", str(DEFAULT), *QUICK, "--out", str(out)]) == 0
    (out / "runs.csv").unlink()
    capsys.readouterr()
    assert quiet(["run", str(DEFAULT), "--workers", "1", "--no-progress", "--out", str(out),
                  "--resume"]) == 0
    err = capsys.readouterr().err
    assert "resuming with the saved run's --runs 3" in err
    assert "nothing saved" not in err


@pytest.mark.parametrize("text, problem", [("{bad", "valid JSON"), ("[]", "a JSON object")])
def test_an_unreadable_manifest_is_the_one_thing_a_resume_reports(tmp_path, capsys, text, problem):
    """A damaged manifest is refused, naming it; the run is not first said to hold
    nothing (which would contradict the error that follows)."""
    out = tmp_path / "run"
    assert quiet(["run", str(DEFAULT), *QUICK, "--out", str(out)]) == 0
    (out / "manifest.json").write_text(text)
    capsys.readouterr()
    assert quiet(["run", str(DEFAULT), *QUICK, "--out", str(out), "--resume"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith(f"error: {out / 'manifest.json'}") and problem in err[0]


def test_a_sweep_stopped_before_its_table_resumes_its_points(tmp_path, capsys):
    """Until sweep.csv is written, the points are all a sweep has saved: a resume
    finishes them instead of starting afresh beside them."""
    out = tmp_path / "sweep"
    sweep = ["sweep", str(DEFAULT), "--param", "ceasefire.horizon_hours=720,800", *QUICK,
             "--out", str(out)]
    assert quiet(sweep) == 0
    (out / "sweep.csv").unlink()
    capsys.readouterr()
    assert quiet([*sweep, "--resume"]) == 0
    assert "nothing saved" not in capsys.readouterr().err
    assert (out / "sweep.csv").exists()


def test_a_fresh_sweep_refuses_a_directory_holding_a_run_s_manifest_alone(tmp_path, capsys):
    """The manifest is the run's as much as runs.csv is: a sweep written beside it would
    leave neither resumable."""
    out = tmp_path / "run"
    out.mkdir()
    (out / "manifest.json").write_text("{}")
    assert quiet(["sweep", str(DEFAULT), "--param", "ceasefire.horizon_hours=720,800", *QUICK,
                  "--out", str(out)]) == 2
    assert "holds a run (manifest.json)" in capsys.readouterr().err
    assert not (out / "sweep.csv").exists()
