"""``compare --out DIR`` keeps each side's finished replications, and ``compare
--resume`` finishes an interrupted comparison as if it had never been interrupted; a
resume that does not match the saved comparison is refused."""

from __future__ import annotations

import contextlib
import io
import json

import pytest
from helpers import DEFAULT, LostWorkerError, copy_sides, interrupt_chunk

import run_sim
from sim.errors import ScenarioError

COUNTERFACTUAL = "ceasefire.monitoring.coverage=0.5"


def compare(out, *extra: str, runs: str | None = "600", setting: str = COUNTERFACTUAL) -> int:
    args = ["compare", str(DEFAULT), "--set", setting, "--workers", "1", "--no-progress",
            "--out", str(out), *(["--runs", runs] if runs else []), *extra]
    with contextlib.redirect_stdout(io.StringIO()):
        return run_sim.main(args)


@pytest.fixture(scope="module")
def whole(tmp_path_factory):
    """The same comparison, never interrupted."""
    out = tmp_path_factory.mktemp("whole") / "compare"
    assert compare(out) == 0
    return out


def same_as(out, whole) -> None:
    for side in ("a", "b"):
        assert (out / side / "runs.csv").read_bytes() == (whole / side / "runs.csv").read_bytes()
    done, ref = (json.loads((d / "compare.json").read_text()) for d in (out, whole))
    assert done["diff"] == ref["diff"] and done["runs"] == ref["runs"] == 600
    assert not done["partial"]


@pytest.mark.parametrize(("at", "side_a", "side_b"), [(2, 250, None), (5, 600, 250)])
def test_a_resumed_comparison_equals_one_never_interrupted(tmp_path, monkeypatch, whole, at,
                                                           side_a, side_b, capsys):
    """Stopped in side A (its second work item) or in side B (its second):
    the finished replications are kept as run directories, marked partial, and the
    resumed comparison pairs exactly what an uninterrupted one does."""
    out = tmp_path / "compare"
    interrupt_chunk(monkeypatch, at, size=250)
    assert compare(out) == 130
    a = json.loads((out / "a" / "summary.json").read_text())
    assert a["runs"] == side_a and a["partial"] is (side_b is None)
    if side_b is None:
        assert not (out / "b").exists() and not (out / "compare.json").exists()
        assert (f"side A's finished runs are kept in {out / 'a'}: finish with 'compare ... "
                f"--resume --out {out}'") in capsys.readouterr().err
    else:
        b = json.loads((out / "b" / "summary.json").read_text())
        assert b["runs"] == side_b and b["partial"] is True
        assert (f"both sides finished: finish with 'compare ... --resume --out {out}'"
                in capsys.readouterr().err)
        saved = json.loads((out / "compare.json").read_text())
        assert saved["partial"] is True
        # side A summarised over the runs both finished: partial there too (its own
        # directory holds all 600, and is whole)
        assert saved["a"]["runs"] == side_b and saved["a"]["partial"] is True
    monkeypatch.undo()
    assert compare(out, "--resume", runs=None) == 0
    assert "resuming with the saved comparison's --runs 600" in capsys.readouterr().err
    same_as(out, whole)


@pytest.mark.parametrize(("extra", "setting", "says"), [
    (("--seed", "7"), COUNTERFACTUAL, "--seed: bad value 7"),
    ((), "ceasefire.monitoring.coverage=0.4", "ceasefire.monitoring.coverage: bad value 0.4"),
    (("--runs", "100"), COUNTERFACTUAL, "--runs: bad value 100; at least 600"),
])
def test_a_resume_that_does_not_match_the_saved_comparison_is_refused(
        tmp_path, whole, capsys, extra, setting, says):
    out = tmp_path / "copy"
    copy_sides(whole, out)
    before = (out / "a" / "runs.csv").read_bytes()
    assert compare(out, "--resume", *extra, runs=None, setting=setting) == 2
    assert says in capsys.readouterr().err
    assert (out / "a" / "runs.csv").read_bytes() == before


def test_a_new_comparison_refuses_a_saved_one_and_commands_refuse_each_others(
        tmp_path, whole, capsys):
    assert compare(whole) == 2
    assert "use --resume to finish that comparison" in capsys.readouterr().err
    for command in (["run", str(DEFAULT)],
                    ["sweep", str(DEFAULT), "--param", "ceasefire.monitoring.coverage=0.1,0.2"]):
        assert run_sim.main([*command, "--runs", "10", "--out", str(whole), "--resume"]) == 2
        err = capsys.readouterr().err
        assert "holds a comparison" in err and "starts afresh" not in err
    run_dir = tmp_path / "run"
    assert run_sim.main(["run", str(DEFAULT), "--runs", "10", "--workers", "1",
                         "--no-progress", "--out", str(run_dir)]) == 0
    capsys.readouterr()
    assert compare(run_dir, "--resume") == 2
    assert (f"holds a run (runs.csv): resume it with 'run ... --resume --out {run_dir}'"
            in capsys.readouterr().err)
    assert run_sim.main(["compare", str(DEFAULT), "--set", COUNTERFACTUAL, "--resume"]) == 2
    assert "--resume needs --out DIR" in capsys.readouterr().err


def test_a_side_stopped_by_a_scenario_error_is_kept_before_the_error_is_reported(
        tmp_path, capsys):
    """As a run keeps its finished replications when one passes the scenario's limits."""
    out = tmp_path / "compare"
    assert compare(out, setting="ceasefire.max_acts=102") == 2
    assert "ceasefire.max_acts" in capsys.readouterr().err
    summary = json.loads((out / "a" / "summary.json").read_text())
    assert summary["partial"] is True and "max_acts" in summary["error"]
    assert 0 < summary["runs"] < 600 and not (out / "b").exists()


def test_fresh_commands_refuse_each_others_results_and_a_run_refuses_a_part(
        tmp_path, whole, capsys):
    """Mixed in one directory, neither result could be resumed; a side of a comparison
    (or a point of a sweep) finished as a run would no longer pair with the rest."""
    run_dir = tmp_path / "run"
    assert run_sim.main(["run", str(DEFAULT), "--runs", "10", "--workers", "1",
                         "--no-progress", "--out", str(run_dir)]) == 0
    capsys.readouterr()
    assert compare(run_dir) == 2
    assert "holds a run (runs.csv)" in capsys.readouterr().err
    assert run_sim.main(["run", str(DEFAULT), "--runs", "10", "--out", str(whole)]) == 2
    assert "holds a comparison (compare.json)" in capsys.readouterr().err
    assert run_sim.main(["run", str(DEFAULT), "--set", COUNTERFACTUAL, "--runs", "700",
                         "--out", str(whole / "a"), "--resume"]) == 2
    assert "a side of the comparison" in capsys.readouterr().err
    assert json.loads((whole / "a" / "manifest.json").read_text())["compare_side"] == "a"


def test_a_resume_refuses_another_second_scenario_before_it_was_saved(tmp_path, monkeypatch,
                                                                     capsys):
    """Stopped in side A, the comparison has nothing of B saved; A's manifest names the
    scenario it is paired with, so another B is refused, not silently compared."""
    out = tmp_path / "compare"
    interrupt_chunk(monkeypatch, 2, size=250)
    assert compare(out) == 130
    monkeypatch.undo()
    capsys.readouterr()
    # (A as saved: the --set of two files gives both sides)
    args = ["compare", str(DEFAULT), str(DEFAULT.parent / "geneva_full_delineation.toml"),
            "--set", COUNTERFACTUAL, "--workers", "1", "--no-progress", "--out", str(out),
            "--resume"]
    assert run_sim.main(args) == 2
    err = capsys.readouterr().err
    assert "whose side a was paired with it" in err
    # the file that differs is named: the second, not the one given first
    assert err.startswith(f"error: {DEFAULT.parent / 'geneva_full_delineation.toml'}: ")


def test_a_resume_drops_the_stale_result_and_a_side_saved_empty_is_nothing(tmp_path, whole,
                                                                          monkeypatch):
    """Extending a finished comparison and stopped in side A: no compare.json claims the
    comparison is finished. A side killed before its first save holds nothing to resume."""
    from sim.resuming import resume_comparison
    from sim.scenario import load_scenario

    out = tmp_path / "copy"
    copy_sides(whole, out)
    (out / "compare.json").write_bytes((whole / "compare.json").read_bytes())
    interrupt_chunk(monkeypatch, 1, size=250)
    assert compare(out, "--resume", runs="900") == 130
    assert not (out / "compare.json").exists()
    empty = tmp_path / "empty"
    (empty / "a").mkdir(parents=True)
    (empty / "a" / ".runs.csv.1234.tmp").write_text("replication\n")
    sides = (load_scenario(DEFAULT, [COUNTERFACTUAL]), load_scenario(DEFAULT))
    runs, existing, note = resume_comparison(empty, 300, sides, [DEFAULT], 2016)
    assert runs == 300 and existing == (None, None) and "starts afresh" in note
    with pytest.raises(ScenarioError, match=r"give its --runs \(or --precision\) and --seed"):
        resume_comparison(empty, None, sides, [DEFAULT], 2016)


def test_a_side_stopped_before_any_replication_leaves_nothing_to_resume(tmp_path, monkeypatch):
    out = tmp_path / "compare"
    interrupt_chunk(monkeypatch, 1, size=250)
    assert compare(out) == 130
    assert not (out / "a").exists() and not (out / "compare.json").exists()


def test_a_resume_takes_the_runs_from_whichever_side_says(tmp_path, whole, capsys):
    """Side A's manifest damaged, side B's intact: B's count is the comparison's."""
    from sim.resuming import resume_comparison
    from sim.scenario import load_scenario

    out = tmp_path / "copy"
    copy_sides(whole, out)
    manifest = json.loads((out / "a" / "manifest.json").read_text())
    manifest["runs_requested"] = "many"
    (out / "a" / "manifest.json").write_text(json.dumps(manifest))
    sides = (load_scenario(DEFAULT, [COUNTERFACTUAL]), load_scenario(DEFAULT))
    runs, _, note = resume_comparison(out, None, sides, [DEFAULT], 2016)
    assert runs == 600 and "--runs 600" in note


def test_a_resume_says_which_figures_show_the_runs_saved_before_it(tmp_path, capsys):
    """Figures drawn by 'plot DIR' (or 'plot DIR/a') from a stopped run stayed beside the
    finished runs after a resume, as if they showed them. The resume now names them and
    says how to redraw them; a resume with --plot redraws a run's figures instead."""
    out = tmp_path / "run"
    common = ["run", str(DEFAULT), "--workers", "1", "--no-progress", "--out", str(out)]
    assert run_sim.main([*common, "--runs", "40"]) == 0
    assert run_sim.main(["plot", str(out)]) == 0
    capsys.readouterr()
    assert run_sim.main([*common, "--runs", "60", "--resume"]) == 0
    err = capsys.readouterr().err
    assert (f"note: agreement.png, collapse_causes.png, outcomes.png, survival.png in {out} "
            f"show the runs saved before this resume; redraw them with 'plot {out}'") in err
    assert run_sim.main([*common, "--runs", "80", "--resume", "--plot"]) == 0
    assert "the runs saved before" not in capsys.readouterr().err

    where = tmp_path / "compare"
    assert compare(where, runs="40") == 0
    assert run_sim.main(["plot", str(where / "b"), "--format", "svg"]) == 0
    capsys.readouterr()
    assert compare(where, "--resume", "--plot", runs="60") == 0
    err = capsys.readouterr().err
    assert f"survival.svg in {where / 'b'} show the runs saved before" in err
    assert str(where / "a") not in err


class Killed(BaseException):
    """Stands for SIGKILL: nothing catches it, so no save runs after it."""


def test_a_comparison_killed_outright_resumes_from_its_checkpoints(tmp_path, monkeypatch,
                                                                    whole):
    """Killing the process outright lost the side running: compare saved a side only
    when it stopped. It now saves it every --checkpoint seconds too (here at every work
    item), and the resume equals a comparison never interrupted."""
    out = tmp_path / "compare"
    interrupt_chunk(monkeypatch, 5, size=250, raising=Killed)  # side B's second item
    with pytest.raises(Killed):
        compare(out, "--checkpoint", "0.000001")
    monkeypatch.undo()
    b = json.loads((out / "b" / "summary.json").read_text())
    assert b["runs"] == 250 and b["partial"] is True
    assert json.loads((out / "a" / "summary.json").read_text())["runs"] == 600
    assert not (out / "compare.json").exists()
    assert compare(out, "--resume") == 0
    same_as(out, whole)


def test_without_checkpoints_a_comparison_killed_outright_keeps_only_finished_sides(
        tmp_path, monkeypatch):
    out = tmp_path / "compare"
    interrupt_chunk(monkeypatch, 5, size=250, raising=Killed)
    with pytest.raises(Killed):
        compare(out, "--checkpoint", "0")
    assert (out / "a" / "runs.csv").exists() and not (out / "b").exists()


def test_a_checkpoint_that_cannot_save_warns_and_the_comparison_goes_on(tmp_path, monkeypatch,
                                                                         capsys, whole):
    import errno

    import sim.comparison

    real, calls = sim.comparison.write_run, []

    def full_disk_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(*args, **kwargs)

    monkeypatch.setattr(sim.comparison, "write_run", full_disk_once)
    out = tmp_path / "compare"
    assert compare(out, "--checkpoint", "0.000001") == 0
    assert (f"warning: could not save the runs so far in {out} (No space left on device); "
            "the run goes on") in capsys.readouterr().err
    same_as(out, whole)


def test_plot_of_a_side_cut_short_while_saving_says_how_to_finish_it(tmp_path, whole,
                                                                    capsys):
    """A side is finished by resuming its comparison, not by 'run --resume' (which
    refuses it)."""
    out = tmp_path / "compare"
    copy_sides(whole, out)
    side = out / "b"
    saved = json.loads((side / "summary.json").read_text())
    (side / "summary.json").write_text(json.dumps({**saved, "runs": 250}))
    assert run_sim.main(["plot", str(side)]) == 2
    assert f"finish it with 'compare ... --resume --out {out}'" in capsys.readouterr().err


def test_a_lost_worker_in_side_b_keeps_the_pairs_both_sides_finished(tmp_path, monkeypatch,
                                                                     whole, capsys):
    """As Ctrl-C does: side B's finished replications are saved and the comparison of
    what both sides finished is shown and written, marked partial, before the error."""
    out = tmp_path / "compare"
    interrupt_chunk(monkeypatch, 5, size=250, raising=LostWorkerError)  # side B's second item
    args = ["compare", str(DEFAULT), "--set", COUNTERFACTUAL, "--workers", "1", "--no-progress",
            "--out", str(out), "--runs", "600"]
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert run_sim.main(args) == 1
    assert ("Paired comparison on 250 common-random-number replications" in printed.getvalue()
            and "(PARTIAL: stopped by the error below;" in printed.getvalue())
    assert (f"error: a worker process died; 'compare ... --resume --out {out}' finishes it"
            in capsys.readouterr().err)
    assert json.loads((out / "compare.json").read_text())["partial"] is True
    assert json.loads((out / "b" / "summary.json").read_text())["runs"] == 250
    monkeypatch.undo()
    assert compare(out, "--resume", runs=None) == 0
    same_as(out, whole)
