"""A resume that adds nothing changes nothing: a finished run, sweep, comparison or
backtest resumed again keeps its run directories as they were (its manifests still name
the sessions that made the results, not one more that only read them), and names no
figure stale. A resume that adds runs still rewrites them and records itself."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

from helpers import DEFAULT, ROOT, interrupt_chunk

import run_sim
from sim.output import holds_already

COMMON = ["--workers", "1", "--no-progress"]


def main(*args: str) -> int:
    with contextlib.redirect_stdout(io.StringIO()):
        return run_sim.main([*args, *COMMON])


def snapshot(*directories: Path) -> dict[str, bytes]:
    """Every file of the run directories, with its bytes and modification time."""
    return {f"{f} {f.stat().st_mtime_ns}": f.read_bytes()
            for d in directories for f in sorted(d.iterdir())}


def sessions(out: Path) -> int:
    return len(json.loads((out / "manifest.json").read_text()).get("earlier", [])) + 1


def test_a_finished_run_resumed_is_left_as_it_was_and_says_so(tmp_path, capsys):
    out = tmp_path / "run"
    assert main("run", str(DEFAULT), "--runs", "300", "--out", str(out)) == 0
    assert run_sim.main(["plot", str(out)]) == 0
    before = snapshot(out)
    capsys.readouterr()
    assert main("run", str(DEFAULT), "--out", str(out), "--resume") == 0
    err = capsys.readouterr().err
    assert f"nothing to add: {out} already held all 300 runs" in err
    assert "the runs saved before this resume" not in err  # the figures are right
    assert snapshot(out) == before and sessions(out) == 1
    # an extension adds runs: rewritten, the figures named stale, the session recorded
    assert main("run", str(DEFAULT), "--runs", "400", "--out", str(out), "--resume") == 0
    err = capsys.readouterr().err
    assert "nothing to add" not in err and "show the runs saved before this resume" in err
    assert sessions(out) == 2


def test_a_finished_sweep_resumed_keeps_its_points_and_figure(tmp_path, capsys):
    out = tmp_path / "sweep"
    sweep = ["sweep", str(DEFAULT), "--param", "ceasefire.monitoring.deterrence=0.1,0.7",
             "--runs", "200", "--out", str(out)]
    assert main(*sweep, "--plot") == 0
    points = [out / "points" / k for k in ("000", "001")]
    assert run_sim.main(["plot", str(points[1])]) == 0
    before = snapshot(*points)
    capsys.readouterr()
    assert main(*sweep, "--resume") == 0
    assert "redraw" not in capsys.readouterr().err
    assert snapshot(*points) == before
    assert main(*sweep[:-4], "--runs", "300", "--out", str(out), "--resume") == 0
    err = capsys.readouterr().err
    assert "sweep.png in" in err and f"in {points[1]} show the runs saved before" in err
    assert [sessions(p) for p in points] == [2, 2]


def test_a_finished_comparison_resumed_keeps_its_sides(tmp_path, capsys):
    out = tmp_path / "compare"
    compare = ["compare", str(DEFAULT), "--set", "ceasefire.monitoring.coverage=0.5",
               "--runs", "200", "--out", str(out)]
    assert main(*compare, "--plot") == 0
    sides = [out / "a", out / "b"]
    for side in sides:
        assert run_sim.main(["plot", str(side)]) == 0
    before = snapshot(*sides)
    capsys.readouterr()
    assert main(*compare, "--resume") == 0
    assert "the runs saved before" not in capsys.readouterr().err
    assert snapshot(*sides) == before
    assert main(*compare[:-4], "--runs", "300", "--out", str(out), "--resume") == 0
    err = capsys.readouterr().err
    assert all(f"in {side} show the runs saved before" in err for side in sides)
    # its own figure too (it was never named), unless --plot redraws it
    assert (f"note: compare.png in {out} shows the runs saved before this resume; redraw "
            f"it with 'plot {out}'") in err
    assert main(*compare[:-4], "--runs", "400", "--out", str(out), "--resume", "--plot") == 0
    assert f"compare.png in {out}" not in capsys.readouterr().err


def test_a_finished_backtest_resumed_keeps_its_cases(tmp_path, capsys):
    out = tmp_path / "backtest"
    backtest = ["backtest", str(ROOT / "scenarios"), "--runs", "200", "--out", str(out)]
    assert main(*backtest) == 0
    cases = sorted((out / "cases").iterdir())
    before, table = snapshot(*cases), (out / "backtest.csv").read_bytes()
    assert main(*backtest, "--resume") == 0
    assert snapshot(*cases) == before and (out / "backtest.csv").read_bytes() == table


def test_a_saved_summary_marked_partial_or_of_another_seed_is_not_held_already(tmp_path):
    out = tmp_path / "run"
    assert main("run", str(DEFAULT), "--runs", "100", "--out", str(out)) == 0
    summary = json.loads((out / "summary.json").read_text())
    extra = {k: json.loads((out / "manifest.json").read_text())[k]
             for k in ("runs_requested", "precision", "min_runs", "max_runs")}
    seed = summary["seed"]
    assert holds_already(out, 100, {**summary, "wall_seconds": 9.0}, seed, extra)
    assert not holds_already(out, 101, summary, seed, extra)
    assert not holds_already(out, 100, {**summary, "partial": True}, seed, extra)
    assert not holds_already(out, 100, summary, seed + 1, extra)
    assert not holds_already(out, 100, summary, seed, {**extra, "runs_requested": 200})
    (out / "summary.json").unlink()
    assert not holds_already(out, 100, summary, seed, extra)


def test_a_resume_into_runs_cut_short_by_hand_saves_the_runs_it_made(tmp_path, capsys):
    """The saved summary still said 400 runs: the resume ran the missing 200, found the
    same summary, and kept the cut runs.csv, which plot then refused for ever."""
    out = tmp_path / "run"
    assert main("run", str(DEFAULT), "--runs", "400", "--out", str(out)) == 0
    whole = (out / "runs.csv").read_bytes()
    lines = whole.splitlines(keepends=True)
    (out / "runs.csv").write_bytes(b"".join(lines[:201]))
    capsys.readouterr()
    assert main("run", str(DEFAULT), "--out", str(out), "--resume") == 0
    assert "nothing to add" not in capsys.readouterr().err
    assert (out / "runs.csv").read_bytes() == whole and sessions(out) == 2
    assert run_sim.main(["plot", str(out)]) == 0


def test_a_resume_saved_by_its_checkpoints_still_says_it_added_runs(tmp_path, monkeypatch,
                                                                     capsys):
    """Stopped just after a checkpoint, the resume's last save found the checkpoint's
    summary and was skipped: it then said 'nothing to add' and named no stale figure."""
    out = tmp_path / "run"
    run = ["run", str(DEFAULT), "--runs", "1000", "--out", str(out)]
    with monkeypatch.context() as stopping:
        interrupt_chunk(stopping, 2, size=250)
        assert main(*run) == 130
    assert run_sim.main(["plot", str(out)]) == 0
    capsys.readouterr()
    with monkeypatch.context() as stopping:
        interrupt_chunk(stopping, 2, size=250)  # after one more item, checkpointed
        assert main(*run, "--resume", "--checkpoint", "0") == 130
    err = capsys.readouterr().err
    assert "nothing to add" not in err and "show the runs saved before this resume" in err
    assert json.loads((out / "summary.json").read_text())["runs"] == 500
    assert sessions(out) == 2  # the checkpoint recorded the session that added runs


def test_a_resume_that_only_changes_a_bound_names_no_figure_stale(tmp_path, capsys):
    """An adaptive run resumed with a larger --max-runs it does not need adds nothing:
    its figures were named stale."""
    out = tmp_path / "run"
    adaptive = ["run", str(DEFAULT), "--precision", "0.1", "--out", str(out)]
    assert main(*adaptive) == 0
    assert run_sim.main(["plot", str(out)]) == 0
    capsys.readouterr()
    assert main(*adaptive, "--resume", "--max-runs", "300000") == 0
    err = capsys.readouterr().err
    assert "the runs saved before" not in err and "nothing to add" in err
