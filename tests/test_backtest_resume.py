"""``backtest --out DIR`` keeps each scenario's finished replications as it runs, and
``backtest --resume`` finishes an interrupted backtest as if it had never been
interrupted; a resume that does not match the saved backtest is refused.

The shipped scenarios directory holds two scenarios with an ``[observed]`` section
(cessation_feb_2016, kerry_lavrov_sep_2016, in that order); at 600 runs in work items
of 250, items 1-3 run the first and items 4-6 the second."""

from __future__ import annotations

import contextlib
import io
import json
import shutil

import pytest
from helpers import ROOT, interrupt_chunk

import run_sim

SCENARIOS = ROOT / "scenarios"
FIRST, SECOND = "cessation_feb_2016", "kerry_lavrov_sep_2016"


def backtest(out, *extra: str, runs: str | None = "600", directory=SCENARIOS) -> int:
    args = ["backtest", str(directory), "--workers", "1", "--no-progress", "--out", str(out),
            *(["--runs", runs] if runs else []), *extra]
    with contextlib.redirect_stdout(io.StringIO()):
        return run_sim.main(args)


@pytest.fixture(scope="module")
def whole(tmp_path_factory):
    """The same backtest, never interrupted."""
    out = tmp_path_factory.mktemp("whole") / "backtest"
    assert backtest(out) == 0
    return out


def summary(out, case: str) -> dict:
    return json.loads((out / "cases" / case / "summary.json").read_text())


def same_as(out, whole) -> None:
    """The same table and the same replications of every scenario, to the byte."""
    assert (out / "backtest.csv").read_bytes() == (whole / "backtest.csv").read_bytes()
    for case in (FIRST, SECOND):
        assert (out / "cases" / case / "runs.csv").read_bytes() == \
            (whole / "cases" / case / "runs.csv").read_bytes()
        assert summary(out, case)["partial"] is False


def test_each_scenario_is_saved_as_a_run_directory_that_plot_draws(whole, capsys):
    for case in (FIRST, SECOND):
        assert summary(whole, case)["runs"] == 600
        manifest = json.loads((whole / "cases" / case / "manifest.json").read_text())
        assert manifest["backtest_case"] == f"{case}.toml"
        assert manifest["runs_requested"] == 600
    rows = (whole / "backtest.csv").read_text().splitlines()
    assert sum(row.startswith("scenario,") for row in rows) == 2
    assert run_sim.main(["plot", str(whole / "cases" / SECOND)]) == 0
    assert (whole / "cases" / SECOND / "survival.png").exists()


def test_stopped_in_the_first_scenario_it_keeps_its_runs_and_resumes(tmp_path, monkeypatch,
                                                                      whole, capsys):
    """Before, a backtest stopped in a scenario lost that scenario's finished
    replications, and could only start again from nothing."""
    out = tmp_path / "backtest"
    interrupt_chunk(monkeypatch, 2, size=250)
    assert backtest(out) == 130
    err = capsys.readouterr().err
    assert (f"interrupted before a scenario finished; finished runs kept in {out}: finish "
            "with 'backtest --resume'") in err
    first = summary(out, FIRST)
    assert first["runs"] == 250 and first["partial"] is True
    assert not (out / "cases" / SECOND).exists() and not (out / "backtest.csv").exists()
    monkeypatch.undo()
    assert backtest(out, "--resume", runs=None) == 0
    assert "resuming with the saved backtest's --runs 600" in capsys.readouterr().err
    same_as(out, whole)
    manifest = json.loads((out / "cases" / FIRST / "manifest.json").read_text())
    assert "--resume" not in manifest["earlier"][0]["command"]  # the first session's


def test_stopped_in_the_second_scenario_it_scores_the_first_and_resumes(tmp_path, monkeypatch,
                                                                        whole, capsys):
    out = tmp_path / "backtest"
    interrupt_chunk(monkeypatch, 5, size=250)
    assert backtest(out) == 130
    assert "interrupted: 1 scenario(s) scored; finished runs kept in" in capsys.readouterr().err
    assert summary(out, FIRST)["partial"] is False
    second = summary(out, SECOND)
    assert second["runs"] == 250 and second["partial"] is True
    table = (out / "backtest.csv").read_text()
    assert FIRST in table and SECOND not in table
    monkeypatch.undo()
    assert backtest(out, "--resume") == 0
    same_as(out, whole)


class Killed(BaseException):
    """Stands for SIGKILL: nothing catches it, so no save runs after it."""


@pytest.mark.parametrize(("every", "second_runs"), [("0.000001", 250), ("0", None)])
def test_killed_outright_it_keeps_what_its_checkpoints_saved(tmp_path, monkeypatch, whole,
                                                             every, second_runs):
    """Checkpoints save the running scenario every --checkpoint seconds (here at every
    work item); with none, only the scenarios that finished survive a kill."""
    out = tmp_path / "backtest"
    interrupt_chunk(monkeypatch, 5, size=250, raising=Killed)
    with pytest.raises(Killed):
        backtest(out, "--checkpoint", every)
    monkeypatch.undo()
    assert summary(out, FIRST)["runs"] == 600
    if second_runs is None:
        assert not (out / "cases" / SECOND).exists()
    else:
        assert summary(out, SECOND)["runs"] == second_runs
    assert backtest(out, "--resume") == 0
    same_as(out, whole)


@pytest.mark.parametrize(("extra", "says"), [
    (("--seed", "7"), "--seed: bad value 7"),
    (("--set", "ceasefire.monitoring.coverage=0.4"),
     "ceasefire.monitoring.coverage: bad value 0.4"),
    (("--runs", "100"), "--runs: bad value 100; at least 600"),
])
def test_a_resume_that_does_not_match_the_saved_backtest_is_refused(tmp_path, whole, capsys,
                                                                    extra, says):
    out = tmp_path / "backtest"
    shutil.copytree(whole, out)
    assert backtest(out, "--resume", *extra, runs=None) == 2
    assert says in capsys.readouterr().err


def test_a_saved_scenario_no_longer_scored_is_refused(tmp_path, whole, capsys):
    """A resume with a directory that lost a scenario would drop its saved runs from
    the table without a word."""
    alone = tmp_path / "alone"
    alone.mkdir()
    for name in (SECOND, "geneva_2016"):  # (the parent it extends)
        shutil.copy(SCENARIOS / f"{name}.toml", alone)
    out = tmp_path / "backtest"
    shutil.copytree(whole, out)
    assert backtest(out, "--resume", directory=alone) == 2
    err = capsys.readouterr().err
    assert str(out / "cases" / FIRST) in err and f"{FIRST}.toml" in err


def test_fresh_commands_refuse_a_saved_backtest_and_a_case_is_resumed_by_backtest(
        tmp_path, whole, capsys):
    out = tmp_path / "backtest"
    shutil.copytree(whole, out)
    assert backtest(out) == 2
    assert "use --resume to finish that backtest" in capsys.readouterr().err
    run = ["run", str(SCENARIOS / f"{FIRST}.toml"), "--runs", "600", "--workers", "1",
           "--no-progress"]
    assert run_sim.main([*run, "--out", str(out)]) == 2
    assert "it holds a backtest (backtest.csv)" in capsys.readouterr().err
    assert run_sim.main([*run, "--out", str(out / "cases" / FIRST), "--resume"]) == 2
    assert (f"it holds a scenario of the backtest in {out}: resume that with "
            "'backtest --resume'") in capsys.readouterr().err
    ran = tmp_path / "run"
    assert run_sim.main([*run, "--out", str(ran)]) == 0
    assert backtest(ran, "--resume") == 2
    assert "it holds a run" in capsys.readouterr().err


def test_a_resume_with_nothing_saved_starts_afresh(tmp_path, whole, capsys):
    out = tmp_path / "backtest"
    assert backtest(out, "--resume") == 0
    assert f"nothing saved in {out} to resume: the backtest starts afresh" in \
        capsys.readouterr().err
    same_as(out, whole)
