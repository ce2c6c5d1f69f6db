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
from pathlib import Path

import pytest
from helpers import ROOT, interrupt_chunk

import run_sim
from sim.errors import ScenarioError

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
            f"with 'backtest ... --resume --out {out}'") in err
    first = summary(out, FIRST)
    assert first["runs"] == 250 and first["partial"] is True
    assert not (out / "cases" / SECOND).exists() and not (out / "backtest.csv").exists()
    monkeypatch.undo()
    assert backtest(out, "--resume", runs=None) == 0
    assert "resuming with the saved backtest's --runs 600" in capsys.readouterr().err
    same_as(out, whole)
    manifest = json.loads((out / "cases" / FIRST / "manifest.json").read_text())
    assert len(manifest["earlier"]) == 1  # the first session's


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
        assert summary(out, SECOND)["partial"] is True  # a checkpoint is no finished case
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
            f"'backtest ... --resume --out {out}'") in capsys.readouterr().err
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


def test_a_scenario_error_keeps_the_running_scenario_s_runs(tmp_path, capsys):
    """A replication the scenario's limits refuse stopped the backtest and lost the
    running scenario's finished replications, although the message said they were
    kept."""
    out = tmp_path / "backtest"
    assert backtest(out, "--set", "ceasefire.max_acts=100") == 2
    err = capsys.readouterr().err
    assert f"the backtest stopped; finished runs kept in {out}\n" in err
    assert "ceasefire.max_acts: bad value 100" in err
    first = summary(out, FIRST)
    assert 0 < first["runs"] < 600 and first["partial"] is True and "max_acts" in first["error"]


def test_a_lost_worker_keeps_the_running_scenario_s_runs(tmp_path, monkeypatch, capsys):
    from sim.run_outcome import WorkerLostError

    out = tmp_path / "backtest"
    interrupt_chunk(monkeypatch, 5, size=250, raising=WorkerLostError)
    assert backtest(out) == 1
    assert (f"the backtest stopped; finished runs kept in {out}: finish with "
            f"'backtest ... --resume --out {out}'") in capsys.readouterr().err
    assert summary(out, FIRST)["runs"] == 600
    assert summary(out, SECOND)["runs"] == 250


def test_an_extension_stopped_part_way_leaves_no_table_that_looks_finished(
        tmp_path, monkeypatch, whole, capsys):
    """Resumed with more runs and stopped in the first scenario: the 600-run table and
    figure stayed beside cases holding more, marked neither partial nor stale."""
    out = tmp_path / "backtest"
    shutil.copytree(whole, out)
    interrupt_chunk(monkeypatch, 2, size=250)  # the first scenario's 850th-1099th runs
    assert backtest(out, "--resume", runs="1200") == 130
    assert not (out / "backtest.csv").exists() and not (out / "calibration.png").exists()
    assert summary(out, FIRST)["runs"] == 850
    monkeypatch.undo()
    assert backtest(out, "--resume", runs=None) == 0
    assert "resuming with the saved backtest's --runs 1200" in capsys.readouterr().err
    assert summary(out, SECOND)["runs"] == 1200 and (out / "backtest.csv").exists()


def test_the_saved_run_count_is_the_first_scenario_s_in_run_order(tmp_path, capsys):
    """Case folders sort by name, scenarios by file name: x-y.toml runs before x.toml,
    but cases/x sorts before cases/x-y. The count came from the first folder."""
    from sim.backtest import scored_cases
    from sim.resuming import resume_backtest

    directory = tmp_path / "cases"
    directory.mkdir()
    shutil.copy(SCENARIOS / "geneva_2016.toml", directory)
    for source, name in ((FIRST, "x-y"), (SECOND, "x")):
        text = (SCENARIOS / f"{source}.toml").read_text()
        (directory / f"{name}.toml").write_text(text.replace(f'name = "{source}"',
                                                             f'name = "{name}"'))
    out = tmp_path / "backtest"
    assert backtest(out, runs="40", directory=directory) == 0
    manifest = out / "cases" / "x-y" / "manifest.json"
    saved = json.loads(manifest.read_text())
    manifest.write_text(json.dumps({**saved, "runs_requested": 80}))  # as a later session
    cases = scored_cases(directory)
    assert [sc.name for sc in cases.scenarios] == ["x-y", "x"]
    runs, existing, note = resume_backtest(out, None, str(directory), cases.scenarios, 2016)
    assert runs == 80 and note == "resuming with the saved backtest's --runs 80"
    assert len(existing) == 2


def test_a_resume_names_the_case_figures_it_made_stale(tmp_path, monkeypatch, capsys):
    out = tmp_path / "backtest"
    interrupt_chunk(monkeypatch, 5, size=250)
    assert backtest(out) == 130
    monkeypatch.undo()
    for case in (FIRST, SECOND):
        assert run_sim.main(["plot", str(out / "cases" / case)]) == 0
    capsys.readouterr()
    assert backtest(out, "--resume") == 0
    err = capsys.readouterr().err
    second = out / "cases" / SECOND
    assert (f"note: agreement.png, collapse_causes.png, outcomes.png, survival.png in {second} "
            f"show the runs saved before this resume; redraw them with 'plot {second}'") in err
    assert str(out / "cases" / FIRST) not in err  # finished before: its figures are right


def test_odd_directories_and_names_are_refused_before_anything_runs(tmp_path, whole, capsys):
    out = tmp_path / "afile"
    out.write_text("")
    assert backtest(out, "--resume") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "it is a file" in err  # no 'nothing saved' note first
    out = tmp_path / "backtest"
    shutil.copytree(whole, out)
    shutil.rmtree(out / "cases")
    (out / "cases").write_text("")
    assert backtest(out, "--resume") == 2
    assert f"but {out / 'cases'} is a file" in capsys.readouterr().err


def test_hidden_files_are_left_out_of_the_backtest(tmp_path):
    """An editor's lock file beside a scenario being edited (.#name.toml, a link to
    nowhere) stopped the backtest; a file named ..toml would have had its runs saved in
    cases/.. . Hidden files are left out, as ls leaves them out."""
    cases = tmp_path / "cases"
    cases.mkdir()
    for name in (f"{SECOND}.toml", "geneva_2016.toml"):  # (the case and its parent)
        shutil.copy(SCENARIOS / name, cases)
    shutil.copy(SCENARIOS / f"{FIRST}.toml", cases / "..toml")
    (cases / f".#{SECOND}.toml").symlink_to("someone@host.1234:1700000000")
    out = tmp_path / "new"
    assert backtest(out, runs="50", directory=cases) == 0
    assert sorted(p.name for p in (out / "cases").iterdir()) == [SECOND]
    with (out / "backtest.csv").open() as fh:
        assert FIRST not in fh.read()


def test_an_empty_leftover_case_folder_is_not_a_stray_scenario(tmp_path, whole):
    out = tmp_path / "backtest"
    shutil.copytree(whole, out)
    (out / "cases" / "leftover").mkdir()
    assert backtest(out, "--resume") == 0


def test_plot_of_a_case_cut_short_while_saving_says_how_to_finish_it(tmp_path, whole, capsys):
    """It said 'run --resume', which refuses a backtest's case."""
    out = tmp_path / "backtest"
    shutil.copytree(whole, out)
    case = out / "cases" / FIRST
    saved = json.loads((case / "summary.json").read_text())
    (case / "summary.json").write_text(json.dumps({**saved, "runs": 250}))
    assert run_sim.main(["plot", str(case)]) == 2
    assert f"finish it with 'backtest ... --resume --out {out}'" in capsys.readouterr().err


def test_stopped_before_any_replication_finished_it_saves_no_case(tmp_path, monkeypatch,
                                                                 capsys):
    """Nothing finished, so nothing is kept: an empty case folder would be taken by a
    resume for saved work, and its --runs for the backtest's."""
    out = tmp_path / "backtest"
    interrupt_chunk(monkeypatch, 1, size=250)
    assert backtest(out) == 130
    assert "interrupted before a scenario finished\n" in capsys.readouterr().err
    assert not (out / "cases" / FIRST).exists()


def test_a_directory_this_user_cannot_list_is_said_so(tmp_path, monkeypatch):
    """It read as a directory holding no scenario. (The tests may run as root, whom no
    mode stops: the check is made to see it unlistable.)"""
    import os

    import sim.backtest
    from sim.backtest import scored_cases

    real = os.access
    monkeypatch.setattr(sim.backtest.os, "access",
                        lambda path, mode: False if Path(path) == tmp_path else real(path, mode))
    with pytest.raises(ScenarioError, match="its permissions do not let it be listed"):
        scored_cases(tmp_path)


def test_a_resume_with_nothing_saved_needs_runs_to_start_afresh(tmp_path, capsys):
    """Without --runs it started afresh at the default 4,000, which passed for the
    backtest that was meant; given --runs, it starts afresh and says so."""
    from sim.backtest import scored_cases
    from sim.resuming import resume_backtest

    out = tmp_path / "backtest"
    (out / "cases" / "leftover").mkdir(parents=True)  # a folder holding no runs
    cases = scored_cases(SCENARIOS)
    with pytest.raises(ScenarioError, match=r"give its --runs and --seed, or leave out --resume"):
        resume_backtest(out, None, cases.directory, cases.scenarios, 2016)
    runs, existing, note = resume_backtest(out, 300, cases.directory, cases.scenarios, 2016)
    assert (runs, existing) == (300, {})
    assert note == f"nothing saved in {out} to resume: the backtest starts afresh, on seed 2016"
    (tmp_path / "killed").mkdir()
    assert backtest(tmp_path / "killed", "--resume", runs=None) == 2
    assert "nothing is saved in" in capsys.readouterr().err


def test_a_resume_in_a_run_s_directory_says_to_resume_the_run(tmp_path):
    from sim.backtest import scored_cases
    from sim.errors import ScenarioError
    from sim.resuming import resume_backtest

    out = tmp_path / "run"
    out.mkdir()
    (out / "runs.csv").write_text("")
    cases = scored_cases(SCENARIOS)
    with pytest.raises(ScenarioError) as err:
        resume_backtest(out, None, cases.directory, cases.scenarios, 2016)
    assert err.value.allowed == ("the directory of the backtest to resume, but it holds a run "
                                 f"(runs.csv): resume it with 'run ... --resume --out {out}'")


def test_only_parts_given_runs_with_figures_drawn_before_are_named(tmp_path):
    """A part the resume added runs to but whose figures were never drawn has nothing to
    redraw: no note, not even an empty line."""
    from sim.resuming import stale_run_figures

    drawn, bare, done = tmp_path / "drawn", tmp_path / "bare", tmp_path / "done"
    for home in (drawn, bare, done):
        home.mkdir()
    for home in (drawn, done):
        (home / "survival.png").write_bytes(b"")
    notes = stale_run_figures([(drawn, 250, 600), (bare, 250, 600), (done, 600, 600),
                               (tmp_path / "new", 0, 600)])
    assert notes == [f"note: survival.png in {drawn} shows the runs saved before this resume; "
                     f"redraw it with 'plot {drawn}'"]


def test_an_extension_drops_the_table_s_svg_figure_too(tmp_path, monkeypatch, whole):
    out = tmp_path / "backtest"
    shutil.copytree(whole, out)
    assert backtest(out, "--resume", "--format", "svg") == 0  # finished: only redrawn
    assert (out / "calibration.svg").exists()
    interrupt_chunk(monkeypatch, 1, size=250)
    assert backtest(out, "--resume", runs="1200") == 130
    assert not (out / "calibration.svg").exists() and not (out / "calibration.png").exists()


def test_a_case_that_cannot_be_written_is_reported_against_out(tmp_path, monkeypatch, capsys):
    """A full disk while a scenario is saved is bad output (exit 2, one line naming
    --out), not an internal error."""
    import errno

    import sim.backtest

    def full(home, *rest):
        raise OSError(errno.ENOSPC, "No space left on device", str(home / "runs.csv"))

    monkeypatch.setattr(sim.backtest, "write_run", full)
    out = tmp_path / "backtest"
    assert backtest(out) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "internal error" not in err
    assert (f"error: --out: bad value '{out}'; a directory that can hold the results, but "
            f"writing {out / 'cases' / FIRST / 'runs.csv'} failed (No space left on "
            "device)") in err


def test_a_checkpoint_that_cannot_be_written_is_a_warning(tmp_path, monkeypatch, whole,
                                                          capsys):
    import errno

    import sim.backtest

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(sim.backtest, "save_running_case", full)
    out = tmp_path / "backtest"
    assert backtest(out, "--checkpoint", "0.000001") == 0
    err = capsys.readouterr().err
    assert (f"warning: could not save the runs so far in {out} (No space left on device); "
            "the run goes on") in err
    assert err.count("could not save the runs so far") == 1  # every save failed: said once
    same_as(out, whole)


def test_stopped_while_starting_a_resume_says_what_is_kept(tmp_path, monkeypatch, whole,
                                                           capsys):
    """Ctrl-C before this session saved anything: the runs saved by the sessions before
    are still there to finish."""
    out = tmp_path / "backtest"
    shutil.copytree(whole, out)

    def stopped(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(run_sim, "make_runner", stopped)
    assert backtest(out, "--resume", runs="1200") == 130
    assert (f"interrupted before a scenario finished; finished runs kept in {out}: finish "
            f"with 'backtest ... --resume --out {out}'") in capsys.readouterr().err


def test_a_resume_s_checkpoints_keep_the_sessions_before_it(tmp_path, monkeypatch):
    """The manifest of a scenario a resume saved while it ran (a checkpoint) still
    records the session that saved it first."""
    import sys

    out = tmp_path / "backtest"
    monkeypatch.setattr(sys, "argv", ["run_sim.py", "backtest", "first"])
    interrupt_chunk(monkeypatch, 2, size=250)
    assert backtest(out) == 130
    monkeypatch.undo()
    monkeypatch.setattr(sys, "argv", ["run_sim.py", "backtest", "--resume"])
    assert backtest(out, "--resume", "--checkpoint", "0.000001") == 0
    manifest = json.loads((out / "cases" / FIRST / "manifest.json").read_text())
    assert [session["command"][-1] for session in manifest["earlier"]] == ["first"]
    assert manifest["command"][-1] == "--resume"


def test_a_backtest_stopped_before_its_table_is_refused_by_fresh_commands(tmp_path,
                                                                          monkeypatch, capsys):
    """Its cases/ alone is a backtest to finish: a fresh backtest would start over it,
    and a run would be mixed with it."""
    out = tmp_path / "backtest"
    interrupt_chunk(monkeypatch, 2, size=250)
    assert backtest(out) == 130
    monkeypatch.undo()
    assert not (out / "backtest.csv").exists()
    capsys.readouterr()
    assert backtest(out) == 2
    assert "but it holds cases: use --resume to finish that backtest" in capsys.readouterr().err
    run = ["run", str(SCENARIOS / f"{FIRST}.toml"), "--runs", "600", "--workers", "1",
           "--no-progress", "--out", str(out)]
    assert run_sim.main(run) == 2
    assert "it holds a backtest (cases)" in capsys.readouterr().err
    assert summary(out, FIRST)["runs"] == 250 and not (out / "runs.csv").exists()


def test_without_runs_a_fresh_backtest_takes_the_default(tmp_path, monkeypatch):
    import sim.arguments

    monkeypatch.setattr(sim.arguments, "DEFAULT_RUNS", 40)
    out = tmp_path / "backtest"
    assert backtest(out, runs=None) == 0
    for case in (FIRST, SECOND):
        assert summary(out, case)["runs"] == 40


def real_ctrl_c_in(monkeypatch, name: str) -> None:
    """Send this process a real SIGINT as the first replication of scenario ``name``
    starts (so the runner acts on a signal, not on a raised KeyboardInterrupt)."""
    import os
    import signal

    import sim.chunks

    real, sent = sim.chunks.run_replication, []

    def ctrl_c(scenario, root, i, *rest):
        if scenario.name == name and not sent:
            sent.append(i)
            os.kill(os.getpid(), signal.SIGINT)
        return real(scenario, root, i, *rest)

    monkeypatch.setattr(sim.chunks, "run_replication", ctrl_c)


def test_a_stop_signal_in_the_second_scenario_scores_the_first(tmp_path, monkeypatch, capsys):
    """A real Ctrl-C, which the runner acts on: the table of the first scenario is
    printed, saved and drawn, and the signal does not end the command a second time."""
    real_ctrl_c_in(monkeypatch, SECOND)
    out = tmp_path / "backtest"
    assert backtest(out) == 130
    err = capsys.readouterr().err
    assert f"interrupted: 1 scenario(s) scored; finished runs kept in {out}" in err
    assert "interrupted after" not in err
    assert (out / "backtest.csv").exists() and (out / "calibration.png").exists()
    assert summary(out, SECOND)["partial"] is True


def test_a_stop_signal_in_the_first_scenario_is_reported_once(tmp_path, monkeypatch, capsys):
    """The signal the runner had acted on was delivered again as the command ended,
    which printed a second line ('interrupted after 1.9 s')."""
    real_ctrl_c_in(monkeypatch, FIRST)
    out = tmp_path / "backtest"
    assert backtest(out) == 130
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("interrupted before a scenario finished")


def test_plot_draws_each_scored_scenario_s_run_figures_marked_partial_when_stopped(
        tmp_path, monkeypatch, capsys):
    """``backtest --plot`` had no effect; it now draws each case's run figures, as
    ``plot DIR/cases/NAME`` would, so a resume with it leaves no figure stale."""
    drawn: list[tuple[str, str, bool | None]] = []
    real = run_sim.draw

    def recording(kind, directory, fmt, command=None, **data):
        drawn.append((kind, directory.name, data.get("summary", {}).get("partial")))
        return real(kind, directory, fmt, command, **data)

    monkeypatch.setattr(run_sim, "draw", recording)
    out = tmp_path / "backtest"
    with monkeypatch.context() as stopping:
        interrupt_chunk(stopping, 5, size=250)
        assert backtest(out, "--plot") == 130
    assert drawn == [("backtest", "backtest", None), ("run", FIRST, False), ("run", SECOND, True)]
    second = out / "cases" / SECOND
    assert sorted(p.name for p in second.glob("*.png")) == [
        "agreement.png", "collapse_causes.png", "outcomes.png", "survival.png"]
    drawn.clear()
    capsys.readouterr()
    assert backtest(out, "--resume", "--plot") == 0
    assert drawn == [("backtest", "backtest", None), ("run", FIRST, False), ("run", SECOND, False)]
    assert "the runs saved before this resume" not in capsys.readouterr().err
    drawn.clear()
    assert backtest(tmp_path / "bare") == 0  # without --plot: the calibration figure only
    assert drawn == [("backtest", "bare", None)]
    assert not list((tmp_path / "bare" / "cases" / FIRST).glob("*.png"))


def test_plot_of_a_whole_names_a_run_directory_inside_it(tmp_path, whole, capsys):
    """'plot' of a sweep's, comparison's or backtest's --out said only that it was not
    a run directory; the run directories are inside it. (Those the command saved draw
    its figure: tests/test_plot_saved.py.)"""
    cases = tmp_path / "backtest" / "cases"
    shutil.copytree(whole / "cases", cases)
    for manifest in cases.glob("*/manifest.json"):  # run directories, not its cases
        record = json.loads(manifest.read_text())
        del record["backtest_case"]
        manifest.write_text(json.dumps(record))
    assert run_sim.main(["plot", str(cases.parent)]) == 2
    assert (f"{cases.parent}: holds a backtest, not a run: its cases are the run directories "
            f"to plot ('plot {cases / FIRST}')") in capsys.readouterr().err
    side = tmp_path / "compare" / "a"
    shutil.copytree(whole / "cases" / FIRST, side)
    assert run_sim.main(["plot", str(side.parent)]) == 2
    assert f"holds a comparison, not a run: its sides are the run directories to plot ('plot {side}')" \
        in capsys.readouterr().err
    point = tmp_path / "sweep" / "points" / "000"
    shutil.copytree(whole / "cases" / FIRST, point)
    assert run_sim.main(["plot", str(point.parent.parent)]) == 2
    assert f"its points are the run directories to plot ('plot {point}')" in capsys.readouterr().err
    assert run_sim.main(["plot", str(whole / "cases")]) == 2
    assert (f"{whole / 'cases'}: holds run directories, not a run: plot one of them ('plot "
            f"{whole / 'cases' / FIRST}')") in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert run_sim.main(["plot", str(tmp_path / "empty")]) == 2
    assert capsys.readouterr().err.endswith("holds no results a command saved: give the --out "
                                            "DIR of a run, sweep, comparison, backtest or trace\n")


def test_a_directory_to_score_that_is_missing_or_a_file_says_which(tmp_path, capsys):
    missing, file = tmp_path / "nowhere", SCENARIOS / f"{FIRST}.toml"
    assert backtest(tmp_path / "o1", directory=missing) == 2
    assert "a directory of scenario .toml files, but it does not exist" in capsys.readouterr().err
    assert backtest(tmp_path / "o2", directory=file) == 2
    assert "but it is a file (give the directory that holds it)" in capsys.readouterr().err
