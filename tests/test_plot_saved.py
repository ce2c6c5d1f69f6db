"""``plot DIR`` of a sweep's, a comparison's, a comparison sweep's or a backtest's
``--out``: the figure the command draws (with ``--plot``), rebuilt from what it saved.

The oracle is the command itself: drawn from the same numbers, matplotlib writes the
same bytes, so ``plot`` later must give files identical to those ``--plot`` gave.
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from pathlib import Path

import pytest
from helpers import DEFAULT, ROOT

import plots
import run_sim
from sim.drawable import _planned, plottable
from sim.output import jsonable

QUICK = ["--runs", "40", "--workers", "1", "--no-progress"]
SWEEP = ["sweep", str(DEFAULT), "--param", "ceasefire.monitoring.coverage=0.2,0.4",
         "--param", "ceasefire.monitoring.notice=0.5,0.7"]
COMPARE = ["compare", str(DEFAULT), "--set", "ceasefire.monitoring.notice=0.5"]
COMPARE_SWEEP = [*COMPARE, "--param", "ceasefire.monitoring.coverage=0.2,0.4,0.6"]


def quiet(args: list[str]) -> int:
    with contextlib.redirect_stdout(io.StringIO()):
        return run_sim.main(args)


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


def test_a_sweep_missing_its_last_points_is_drawn_as_stopped(saved_sweep, tmp_path) -> None:
    """A sweep killed between points has fewer point directories than its grid: the
    figure says how many it had, from the --param options the command was given."""
    out = tmp_path / "sweep"
    shutil.copytree(saved_sweep, out)
    shutil.rmtree(out / "points" / "002")
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
    _, data = plottable(out)
    assert [p.params for p in data["points"]] == [{"ceasefire.monitoring.coverage": 0.2},
                                                  {"ceasefire.monitoring.coverage": 0.4}]


def test_a_sweep_is_drawn_in_the_format_asked(saved_sweep, tmp_path, capsys) -> None:
    out = tmp_path / "sweep"
    shutil.copytree(saved_sweep, out)
    assert run_sim.main(["plot", str(out), "--format", "svg"]) == 0
    assert capsys.readouterr().out.split() == [str(out / "sweep.svg")]


def test_a_damaged_comparison_record_is_named_not_a_traceback(tmp_path, capsys) -> None:
    out = tmp_path / "cmp"
    assert quiet([*COMPARE, *QUICK, "--out", str(out)]) == 0
    (out / "compare.json").write_text("{")
    assert run_sim.main(["plot", str(out)]) == 2
    err = capsys.readouterr().err
    assert str(out / "compare.json") in err and "Traceback" not in err
    (out / "compare.json").write_text("[]")
    assert run_sim.main(["plot", str(out)]) == 2
    assert "with 'a', 'b' and 'diff'" in capsys.readouterr().err


@pytest.mark.parametrize(("command", "planned"), [
    (["run_sim.py", "sweep", "f.toml", "--param=a.b=1,2,3", "--param", "c.d=0:1:4"], 12),
    (["run_sim.py", "sweep", "f.toml", "--param", "a.b"], None),  # not KEY=VALUES
    (["run_sim.py", "run", "f.toml"], None),
    ("sweep f.toml", None),
])
def test_the_grid_size_is_read_from_the_saved_command(command, planned) -> None:
    assert _planned({"command": command}) == planned


def test_a_backtest_stopped_before_its_last_case_is_drawn_as_stopped(tmp_path) -> None:
    """A backtest stopped in its second scenario scored the first alone, and its figure
    says it was interrupted; drawn later, it says the same."""
    out = tmp_path / "bt"
    assert quiet(["backtest", str(ROOT / "scenarios"), *QUICK, "--out", str(out)]) == 0
    cases = sorted((out / "cases").iterdir())
    summary = json.loads((cases[1] / "summary.json").read_text())
    (cases[1] / "summary.json").write_text(json.dumps({**summary, "partial": True}))
    kind, data = plottable(out)
    table = data["table"]
    assert kind == "backtest" and table.partial and table.planned == 2
    assert [row["scenario"] for row in table.rows] == [cases[0].name]
    assert table.rows[0]["file"] == str(ROOT / "scenarios" / f"{cases[0].name}.toml")
    shutil.rmtree(cases[1])
    assert plottable(out)[1]["table"].partial  # (its manifest said two were planned)
