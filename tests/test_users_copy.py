"""A ``scenario.toml`` of the user's where a command writes its copy of the scenario,
but not one the command reads (a scenario kept beside the results, say), is kept: the
command is refused before anything runs (exit 2), naming the file. One a run wrote, as
it wrote it, is written over as before."""

from __future__ import annotations

import contextlib
import io
import shutil

from helpers import DEFAULT, ROOT

import run_sim

QUICK = ["--runs", "10", "--workers", "1", "--no-progress"]


def _main(args: list[str]) -> int:
    with contextlib.redirect_stdout(io.StringIO()):
        return run_sim.main(args)


def test_a_users_scenario_toml_in_out_is_not_written_over(tmp_path, capsys) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    mine = out / "scenario.toml"
    shutil.copy(ROOT / "scenarios" / "aleppo_48h_pause.toml", mine)
    text = mine.read_text(encoding="utf-8")
    capsys.readouterr()
    assert _main(["run", str(DEFAULT), *QUICK, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"error: --out: bad value '{out}'" in err
    assert f"over {mine.resolve()}, a file it did not write" in err
    assert mine.read_text(encoding="utf-8") == text
    assert sorted(p.name for p in out.iterdir()) == ["scenario.toml"]


def test_a_comparisons_side_folder_keeps_a_users_file(tmp_path, capsys) -> None:
    out = tmp_path / "cmp"
    (out / "a").mkdir(parents=True)
    (out / "a" / "scenario.toml").write_text("# notes\nname = 'x'\n", encoding="utf-8")
    capsys.readouterr()
    assert _main(["compare", str(DEFAULT), "--set", "ceasefire.monitoring.notice=0.5", *QUICK,
                  "--out", str(out)]) == 2
    assert "a file it did not write" in capsys.readouterr().err
    assert (out / "a" / "scenario.toml").read_text(encoding="utf-8") == "# notes\nname = 'x'\n"


def test_a_copy_a_run_wrote_is_written_over(tmp_path) -> None:
    """Left alone by a run stopped before its manifest: a fresh run may use the folder."""
    out = tmp_path / "left"
    assert _main(["run", str(DEFAULT), *QUICK, "--out", str(out)]) == 0
    for name in ("manifest.json", "runs.csv", "summary.json"):
        (out / name).unlink()
    assert _main(["run", str(DEFAULT), *QUICK, "--out", str(out)]) == 0
    assert _main(["run", str(DEFAULT), "--runs", "20", "--workers", "1", "--no-progress",
                  "--out", str(out), "--resume"]) == 0


def test_a_run_s_own_copy_is_left_to_the_run_s_checks(tmp_path, capsys) -> None:
    """Beside a run's own files the copy is the run's, edited or not: --resume finishes
    the run, and a fresh command is told of the earlier results, not of a file of the
    user's."""
    out = tmp_path / "run"
    assert _main(["run", str(DEFAULT), *QUICK, "--out", str(out)]) == 0
    copy = out / "scenario.toml"
    copy.write_text("# a note of mine\n" + copy.read_text(encoding="utf-8"), encoding="utf-8")
    capsys.readouterr()
    assert _main(["run", str(DEFAULT), *QUICK, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "use --resume to finish that run" in err and "did not write" not in err
    assert _main(["run", str(DEFAULT), "--runs", "20", "--workers", "1", "--no-progress",
                  "--out", str(out), "--resume"]) == 0
