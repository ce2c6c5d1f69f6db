"""``sweep --resume``: an interrupted sweep is finished where it stopped, and ends as if
it had never been interrupted; a resume that does not match the saved sweep is refused
without touching it."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import shutil

import pytest
from helpers import DEFAULT, LostWorkerError, contents, interrupt_chunk

import run_sim

PARAM = "ceasefire.monitoring.deterrence=0.1,0.4,0.7"


def sweep(out, *extra: str, param: str = PARAM, runs: str = "600") -> int:
    args = ["sweep", str(DEFAULT), "--param", param, "--runs", runs, "--workers", "1",
            "--no-progress", "--out", str(out), *extra]
    with contextlib.redirect_stdout(io.StringIO()):
        return run_sim.main(args)


@pytest.fixture(scope="module")
def whole(tmp_path_factory):
    """The same sweep, never interrupted."""
    out = tmp_path_factory.mktemp("whole") / "sweep"
    assert sweep(out) == 0
    return out


def test_a_resumed_sweep_equals_one_never_interrupted(tmp_path, monkeypatch, whole):
    out = tmp_path / "sweep"
    interrupt_chunk(monkeypatch, 5, size=250)  # point 000 is 3 items; stop in point 001
    assert sweep(out) == 130
    summary = json.loads((out / "points" / "001" / "summary.json").read_text())
    assert summary["partial"] is True and summary["runs"] == 250
    assert not (out / "points" / "002").exists()
    monkeypatch.undo()

    assert sweep(out, "--resume") == 0
    for k in ("000", "001", "002"):
        assert (out / "points" / k / "runs.csv").read_bytes() == (
            whole / "points" / k / "runs.csv").read_bytes()
        assert json.loads((out / "points" / k / "summary.json").read_text())["partial"] is False
    assert (out / "sweep.csv").read_bytes() == (whole / "sweep.csv").read_bytes()


def test_resuming_a_finished_sweep_runs_nothing_and_changes_no_result(tmp_path, monkeypatch,
                                                                       whole):
    out = tmp_path / "sweep"
    assert sweep(out) == 0
    import sim.chunks

    monkeypatch.setattr(sim.chunks, "run_chunk", lambda *a: pytest.fail("ran a replication"))
    assert sweep(out, "--resume") == 0
    assert (out / "sweep.csv").read_bytes() == (whole / "sweep.csv").read_bytes()


@pytest.mark.parametrize(("extra", "param", "message"), [
    (["--seed", "7"], PARAM, "--seed: bad value 7"),
    ([], "ceasefire.monitoring.deterrence=0.1,0.5,0.7",
     "--param: bad value 'ceasefire.monitoring.deterrence=0.5'; the values of point 001"),
    ([], "ceasefire.monitoring.deterrence=0.1,0.4", "holds point 002"),
    # fewer points, and another value: the value is named, the likelier slip
    ([], "ceasefire.monitoring.deterrence=0.2,0.4", "the values of point 000"),
    (["--runs", "100"], PARAM, "--runs: bad value 100; at least 600"),
])
def test_a_resume_that_does_not_match_the_saved_sweep_is_refused(tmp_path, capsys, extra, param,
                                                                  message):
    out = tmp_path / "sweep"
    assert sweep(out) == 0
    before = contents(out)
    args = ["sweep", str(DEFAULT), "--param", param, "--runs", "600", "--workers", "1",
            "--no-progress", "--out", str(out), "--resume", *extra]
    assert run_sim.main(args) == 2
    assert message in capsys.readouterr().err
    assert contents(out) == before


def test_a_resume_needs_out_and_a_new_sweep_refuses_a_saved_one(tmp_path, capsys):
    assert run_sim.main(["sweep", str(DEFAULT), "--param", PARAM, "--resume"]) == 2
    assert "--resume needs --out DIR of the earlier sweep" in capsys.readouterr().err
    out = tmp_path / "sweep"
    assert sweep(out, param="ceasefire.monitoring.deterrence=0.1,0.4", runs="50") == 0
    assert sweep(out, param="ceasefire.monitoring.deterrence=0.1,0.4", runs="50") == 2
    assert "use --resume to finish that sweep" in capsys.readouterr().err


def test_a_resume_with_values_added_to_the_first_param_extends_the_sweep(tmp_path, whole):
    out = tmp_path / "sweep"
    assert sweep(out, param="ceasefire.monitoring.deterrence=0.1,0.4") == 0
    assert sweep(out, "--resume") == 0
    assert (out / "sweep.csv").read_bytes() == (whole / "sweep.csv").read_bytes()


def test_a_resumed_sweep_without_runs_takes_the_saved_sweeps(tmp_path, whole):
    """It ran the default 4,000 replications a point, extending the finished points."""
    out = tmp_path / "sweep"
    assert sweep(out, param="ceasefire.monitoring.deterrence=0.1,0.4") == 0
    args = ["sweep", str(DEFAULT), "--param", PARAM, "--workers", "1", "--no-progress",
            "--out", str(out), "--resume"]
    with contextlib.redirect_stdout(io.StringIO()):
        assert run_sim.main(args) == 0
    assert (out / "sweep.csv").read_bytes() == (whole / "sweep.csv").read_bytes()


def test_a_run_and_a_sweep_do_not_resume_in_each_others_directory(tmp_path, capsys):
    """Each started afresh beside the other's files."""
    run_dir, sweep_dir = tmp_path / "run", tmp_path / "sweep"
    quick = ["--runs", "50", "--workers", "1", "--no-progress"]
    assert run_sim.main(["run", str(DEFAULT), *quick, "--out", str(run_dir)]) == 0
    assert sweep(sweep_dir, runs="50") == 0
    capsys.readouterr()
    before = sorted(p.name for p in run_dir.iterdir())
    assert sweep(run_dir, "--resume", runs="50") == 2
    assert "it holds a run (runs.csv)" in capsys.readouterr().err
    assert sorted(p.name for p in run_dir.iterdir()) == before
    assert run_sim.main(["run", str(DEFAULT), *quick, "--out", str(sweep_dir), "--resume"]) == 2
    err = capsys.readouterr().err
    assert "it holds a sweep" in err and "starts afresh" not in err
    assert not (sweep_dir / "runs.csv").exists()


def test_a_resumed_sweep_takes_its_runs_from_any_saved_point(tmp_path, capsys, whole):
    out = tmp_path / "sweep"
    assert sweep(out) == 0
    for name in ("000", "001"):
        for f in (out / "points" / name).iterdir():
            f.unlink()
        (out / "points" / name).rmdir()
    capsys.readouterr()
    args = ["sweep", str(DEFAULT), "--param", PARAM, "--workers", "1", "--no-progress",
            "--out", str(out), "--resume"]
    with contextlib.redirect_stdout(io.StringIO()):
        assert run_sim.main(args) == 0
    assert "resuming with the saved sweep's --runs 600" in capsys.readouterr().err
    assert (out / "sweep.csv").read_bytes() == (whole / "sweep.csv").read_bytes()


def test_a_resume_with_fewer_points_than_saved_is_refused_beyond_999(tmp_path, capsys):
    """Point directories from 1000 on were not seen, and were left orphaned."""
    out = tmp_path / "sweep"
    assert sweep(out, param="ceasefire.monitoring.deterrence=0.1,0.4") == 0
    (out / "points" / "001").rename(out / "points" / "1000")
    assert sweep(out, "--resume", param="ceasefire.monitoring.deterrence=0.1") == 2
    assert "holds point 1000" in capsys.readouterr().err


def test_a_resume_that_drops_points_never_started_is_refused_as_one_that_drops_saved_ones(
        tmp_path, monkeypatch, capsys):
    """Stopped in point 001 of three, a resume with two values was taken (and ended a
    two-point sweep), though stopped in point 002 the same command was refused: the
    manifests say how many points the sweep was started with."""
    out = tmp_path / "sweep"
    interrupt_chunk(monkeypatch, 5, size=250)  # in point 001; point 002 never started
    assert sweep(out) == 130
    monkeypatch.undo()
    capsys.readouterr()
    before = contents(out)
    assert sweep(out, "--resume", param="ceasefire.monitoring.deterrence=0.1,0.4") == 2
    assert ("--param: bad value '2 points'; the grid of the sweep saved in "
            f"{out}, last run as a grid of 3 points") in capsys.readouterr().err
    assert contents(out) == before
    assert sweep(out, "--resume") == 0


def test_a_sweep_whose_saved_runs_cannot_be_read_asks_for_runs(tmp_path, capsys):
    """It went on with the default 4,000 a point, extending the saved points silently."""
    out = tmp_path / "sweep"
    assert sweep(out) == 0
    for point in (out / "points").iterdir():
        manifest = json.loads((point / "manifest.json").read_text())
        (point / "manifest.json").write_text(json.dumps({**manifest, "runs_requested": "600"}))
    capsys.readouterr()
    args = ["sweep", str(DEFAULT), "--param", PARAM, "--workers", "1", "--no-progress",
            "--out", str(out), "--resume"]
    assert run_sim.main(args) == 2
    assert "give --runs" in capsys.readouterr().err
    assert sweep(out, "--resume") == 0  # with --runs given, it resumes


class Killed(BaseException):
    """Stands for SIGKILL: nothing catches it, so no save runs after it."""


def test_a_sweep_killed_outright_resumes_from_its_checkpoints(tmp_path, monkeypatch, whole):
    """Killing the process outright lost the point running: a sweep saved a point only
    when it finished. It now saves it every --checkpoint seconds too (here at every
    work item), and the resume equals a sweep never interrupted."""
    out = tmp_path / "sweep"
    interrupt_chunk(monkeypatch, 5, size=250, raising=Killed)  # point 001's second item
    with pytest.raises(Killed):
        sweep(out, "--checkpoint", "0.000001")
    monkeypatch.undo()
    running = json.loads((out / "points" / "001" / "summary.json").read_text())
    assert running["partial"] is True and running["runs"] == 250
    with (out / "sweep.csv").open() as fh:  # its row joins the table once it finishes
        assert len(fh.read().splitlines()) == 2
    assert sweep(out, "--resume") == 0
    for k in ("000", "001", "002"):
        assert (out / "points" / k / "runs.csv").read_bytes() == (
            whole / "points" / k / "runs.csv").read_bytes()
    assert (out / "sweep.csv").read_bytes() == (whole / "sweep.csv").read_bytes()


def test_an_interrupted_sweep_says_how_much_of_the_grid_it_ran(tmp_path, monkeypatch, capsys):
    """The header read 'Sweep: 2 points, 250 replications each' for a sweep of three
    points of 600 stopped in its second; and sweep.csv did not flag the point stopped
    part way."""
    out = tmp_path / "sweep"
    interrupt_chunk(monkeypatch, 5, size=250)
    assert run_sim.main(["sweep", str(DEFAULT), "--param", PARAM, "--runs", "600",
                         "--workers", "1", "--no-progress", "--out", str(out)]) == 130
    text = capsys.readouterr().out
    assert text.startswith("Sweep of geneva_2016: 2 of 3 points, 600 replications each on the same seeds")
    with (out / "sweep.csv").open() as fh:
        assert [row["partial"] for row in csv.DictReader(fh)] == ["0", "1"]


def test_a_resume_without_plot_says_the_sweep_figure_shows_the_points_before_it(
        tmp_path, monkeypatch, capsys):
    out = tmp_path / "sweep"
    interrupt_chunk(monkeypatch, 5, size=250)
    assert sweep(out, "--plot") == 130
    monkeypatch.undo()
    capsys.readouterr()
    assert sweep(out, "--resume") == 0
    assert (f"note: sweep.png in {out} shows the runs saved before this resume; redraw it "
            f"with 'plot {out}'") in capsys.readouterr().err
    assert sweep(out, "--resume", "--plot") == 0
    assert "saved before this resume" not in capsys.readouterr().err


def test_a_two_parameter_sweep_resumed_names_both_its_figures(tmp_path, monkeypatch, capsys):
    out = tmp_path / "sweep"
    grid = ("ceasefire.monitoring.deterrence=0.1,0.4", "--param",
            "ceasefire.monitoring.coverage=0.5,0.9")
    interrupt_chunk(monkeypatch, 5, size=250)
    assert sweep(out, *grid[1:], "--plot", param=grid[0], runs="300") == 130
    assert (out / "sweep_differences.png").exists()
    monkeypatch.undo()
    capsys.readouterr()
    assert sweep(out, *grid[1:], "--resume", param=grid[0], runs="300") == 0
    assert (f"note: sweep.png, sweep_differences.png in {out} show the runs saved before this "
            f"resume; redraw them with 'plot {out}'") in capsys.readouterr().err


def test_a_resume_names_the_run_figures_of_the_points_it_added_runs_to(tmp_path, monkeypatch,
                                                                       capsys):
    """Figures drawn by 'plot DIR/points/NNN' of a point the resume finished showed only
    the runs saved before it, without a word; those of a point finished before the
    interruption are still right, and are not named."""
    out = tmp_path / "sweep"
    interrupt_chunk(monkeypatch, 5, size=250)  # the second point's second work item
    assert sweep(out) == 130
    monkeypatch.undo()
    for k in ("000", "001"):
        assert run_sim.main(["plot", str(out / "points" / k)]) == 0
    capsys.readouterr()
    assert sweep(out, "--resume", "--plot") == 0
    err = capsys.readouterr().err
    assert (f"note: agreement.png, collapse_causes.png, outcomes.png, survival.png in "
            f"{out / 'points' / '001'} show the runs saved before this resume; redraw them "
            f"with 'plot {out / 'points' / '001'}'") in err
    assert str(out / "points" / "000") not in err


def test_a_resume_stopped_early_names_only_the_points_it_reached(tmp_path, monkeypatch,
                                                                 whole, capsys):
    """Extending a finished sweep and stopped in its first point: the notes named every
    point with fewer runs than asked for, reached or not."""
    out = tmp_path / "sweep"
    shutil.copytree(whole, out)
    for k in ("000", "001", "002"):
        assert run_sim.main(["plot", str(out / "points" / k)]) == 0
    capsys.readouterr()
    interrupt_chunk(monkeypatch, 2, size=250)
    assert sweep(out, "--resume", runs="1200") == 130
    err = capsys.readouterr().err
    assert f"in {out / 'points' / '000'} show the runs saved before this resume" in err
    assert str(out / "points" / "001") not in err and str(out / "points" / "002") not in err


def test_a_resume_that_adds_values_to_a_later_param_names_the_points_that_moved(
        tmp_path, capsys):
    """Adding a value to the second --param moves every later point; the refusal blamed
    the first key that differed in a point's scenario (the first --param's), which had
    not changed."""
    out = tmp_path / "sweep"
    first = "ceasefire.imposed.delineation=0,1"
    assert sweep(out, "--param", "ceasefire.imposed.verification=0,0.5", param=first,
                 runs="20") == 0
    before = {p.name: (p / "runs.csv").read_bytes() for p in (out / "points").iterdir()}
    capsys.readouterr()
    assert sweep(out, "--param", "ceasefire.imposed.verification=0,0.5,0.75", "--resume",
                 param=first, runs="20") == 2
    err = capsys.readouterr().err
    assert ("--param: bad value 'ceasefire.imposed.delineation=0 "
            "ceasefire.imposed.verification=0.75'; the values of point 002") in err
    assert "only values added at the end of the first --param extend" in err
    assert {p.name: (p / "runs.csv").read_bytes() for p in (out / "points").iterdir()} == before


def test_plot_of_a_point_cut_short_while_saving_says_how_to_finish_it(tmp_path, whole,
                                                                     capsys):
    """A point is finished by resuming its sweep, not by 'run --resume' (which refuses
    it)."""
    out = tmp_path / "sweep"
    shutil.copytree(whole, out)
    point = out / "points" / "001"
    saved = json.loads((point / "summary.json").read_text())
    (point / "summary.json").write_text(json.dumps({**saved, "runs": 250}))
    assert run_sim.main(["plot", str(point)]) == 2
    assert f"finish it with 'sweep ... --resume --out {out}'" in capsys.readouterr().err


def test_a_resume_that_adds_runs_drops_the_stale_table_at_once(tmp_path, monkeypatch, whole):
    """Interrupted at once, a resume asking for more runs leaves no sweep.csv still
    showing every point finished at the old count: it shows the point it reached."""
    out = tmp_path / "sweep"
    shutil.copytree(whole, out)
    interrupt_chunk(monkeypatch, 1, size=250)
    assert sweep(out, "--resume", runs="1000") == 130
    with (out / "sweep.csv").open() as fh:  # the point it reached, unfinished; no other
        assert [(row["runs"], row["partial"]) for row in csv.DictReader(fh)] == [("600", "1")]
    monkeypatch.undo()
    assert sweep(out, "--resume", runs="1000") == 0
    with (out / "sweep.csv").open() as fh:
        assert [row["runs"] for row in csv.DictReader(fh)] == ["1000"] * 3


def test_a_lost_worker_keeps_the_running_point_s_finished_runs(tmp_path, monkeypatch, whole,
                                                              capsys):
    """A lost worker (a cluster gone, a worker killed) used to drop every replication
    of the point running since its last checkpoint: only a stop signal saved it."""
    out = tmp_path / "sweep"
    interrupt_chunk(monkeypatch, 5, size=250, raising=LostWorkerError)  # point 001's second item
    assert sweep(out) == 1
    assert f"the sweep stopped during point 2 of 3, with its finished runs (saved in {out})" in (
        capsys.readouterr().err)
    summary = json.loads((out / "points" / "001" / "summary.json").read_text())
    assert summary["partial"] is True and summary["runs"] == 250
    with open(out / "sweep.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [row["partial"] for row in rows] == ["0", "1"]
    monkeypatch.undo()
    assert sweep(out, "--resume") == 0
    assert (out / "sweep.csv").read_bytes() == (whole / "sweep.csv").read_bytes()
