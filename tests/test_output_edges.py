"""Edges of the files a run leaves behind: values TOML and JSON cannot hold as they are,
resume bookkeeping over damaged or foreign manifests, and the messages ``plot`` gives for
a directory that is not a run.

Each helper of ``sim.output`` is called directly on files written by hand (or on a run
of a few replications), so these stay fast; the end-to-end paths that reach them are
covered in test_rundir, test_resume_nothing and test_backtest_resume.
"""

from __future__ import annotations

import json
import math
import shutil
import tomllib
from pathlib import Path

import pytest
from helpers import ROOT, minimal_doc

from sim import __version__
from sim.errors import ScenarioError
from sim.output import holds_already, jsonable, parts_inside, read_run, sessions_before, write_run
from sim.runner import Runner
from sim.scenario import scenario_from_dict
from sim.stats import summarize
from sim.toml_out import toml_dumps

SEED = 7


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A run directory of 3 replications of the minimal scenario (copy before changing)."""
    out = tmp_path_factory.mktemp("saved") / "run"
    scenario = scenario_from_dict(minimal_doc())
    results = Runner(workers=1).run(scenario, 3, SEED).results
    write_run(out, results, jsonable(summarize(results, scenario, seed=SEED)), scenario, SEED)
    return out


@pytest.fixture
def rundir(saved: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(saved, tmp_path / "run"))


def held(tmp_path: Path, summary: object, manifest: object, rows: int = 2) -> Path:
    """A directory as ``holds_already`` reads it: a runs.csv of ``rows`` rows beside the
    given summary and manifest (written as JSON)."""
    out = tmp_path / "held"
    out.mkdir(parents=True)
    (out / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    (out / "runs.csv").write_text("replication\n" + "".join(f"{k}\n" for k in range(rows)),
                                  encoding="utf-8")
    return out


# ---------------------------------------------------------------------------
# TOML and JSON of values that are not finite
# ---------------------------------------------------------------------------


def test_nan_and_both_infinities_round_trip_through_toml() -> None:
    """A saved scenario (or a sweep's value) may hold nan or an infinity; TOML spells them
    ``nan``, ``inf`` and ``-inf``, and a wrong sign or a nan read back as infinite would
    change the scenario ``--resume`` and ``plot`` load."""
    text = toml_dumps({"up": math.inf, "down": -math.inf, "odd": math.nan, "all": [math.inf, -math.inf]})
    back = tomllib.loads(text)
    assert back["up"] == math.inf
    assert back["down"] == -math.inf
    assert math.isnan(back["odd"])
    assert back["all"] == [math.inf, -math.inf]


def test_jsonable_replaces_every_non_finite_number_however_deep() -> None:
    """summary.json must be strict JSON (``Infinity`` and ``NaN`` are not): an infinite
    interval bound, or one inside a list or tuple, is written as null like a NaN."""
    value = {"ci": [math.inf, -math.inf, math.nan, 0.5], "pair": (1.0, math.inf),
             "deep": {"x": [[math.nan]]}, "n": 3, "text": "inf"}
    made = jsonable(value)
    assert made == {"ci": [None, None, None, 0.5], "pair": [1.0, None], "deep": {"x": [[None]]},
                    "n": 3, "text": "inf"}
    json.dumps(made, allow_nan=False)


# ---------------------------------------------------------------------------
# Resume bookkeeping
# ---------------------------------------------------------------------------


def test_a_summary_or_manifest_that_is_not_an_object_is_not_held_already(tmp_path: Path) -> None:
    """A damaged summary.json or manifest.json (an array, say) beside the right number of
    rows means the resume must save its results again, not crash comparing them."""
    summary = {"runs": 2}
    manifest = {"version": __version__, "seed": SEED}
    assert holds_already(held(tmp_path / "good", summary, manifest), 2, summary, SEED, {})
    assert not holds_already(held(tmp_path / "list", [summary], manifest), 2, summary, SEED, {})
    assert not holds_already(held(tmp_path / "array", summary, [manifest]), 2, summary, SEED, {})


def test_results_saved_by_another_version_are_not_held_already(tmp_path: Path) -> None:
    """The same rows and summary written by another version are saved again, so the
    manifest names the version that made what the directory holds."""
    summary = {"runs": 2}
    out = held(tmp_path, summary, {"version": "0.0.0-other", "seed": SEED})
    assert not holds_already(out, 2, summary, SEED, {})


def test_sessions_before_a_manifest_that_is_not_an_object_are_none(tmp_path: Path) -> None:
    """A resume over a damaged manifest (valid JSON, not an object) records no earlier
    sessions rather than failing to save."""
    (tmp_path / "manifest.json").write_text("[1, 2]\n", encoding="utf-8")
    assert sessions_before(tmp_path) == []


def test_sessions_before_keep_only_the_sessions_a_manifest_records(tmp_path: Path) -> None:
    """Entries of ``earlier`` that are not sessions (edited by hand) are dropped, and a
    manifest naming no version, command or packages adds no empty session of its own."""
    manifest = {"earlier": [1, "x", {"version": "0.1"}, None], "seed": SEED}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert sessions_before(tmp_path) == [{"version": "0.1"}]
    manifest["version"] = "0.2"
    (tmp_path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert sessions_before(tmp_path) == [{"version": "0.1"}, {"version": "0.2"}]


# ---------------------------------------------------------------------------
# Directories that are not a run
# ---------------------------------------------------------------------------


def test_a_comparison_with_only_its_second_side_saved_is_named_a_comparison(tmp_path: Path) -> None:
    """``plot`` of a comparison's --out points at a side even when only side b holds runs."""
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "runs.csv").write_text("replication\n", encoding="utf-8")
    message = parts_inside(tmp_path)
    assert message.startswith("holds a comparison, not a run: its sides")
    assert f"'plot {tmp_path / 'b'}'" in message


def test_a_folder_of_sweeps_says_to_plot_each(tmp_path: Path, capsys) -> None:
    """A folder of comparison sweeps (one per lever, under one judgement) began
    'runs.csv: missing', as if it were a damaged run: it now says what it holds."""
    import run_sim

    for name, part in (("aid", "pairs"), ("cc", "pairs"), ("del", "points")):
        (tmp_path / "levers" / name / part).mkdir(parents=True)
    message = parts_inside(tmp_path / "levers")
    assert message == ("holds 3 results (comparison sweep, sweep), each in a folder of its own "
                       f"and drawn on its own: plot each ('plot {tmp_path / 'levers' / 'aid'}'); "
                       "only comparisons are drawn side by side")
    (tmp_path / "levers" / "del" / "points").rmdir()
    assert parts_inside(tmp_path / "levers").startswith("holds 2 comparison sweeps, each in ")
    (tmp_path / "one" / "aid" / "cases").mkdir(parents=True)
    assert parts_inside(tmp_path / "one").startswith(
        f"holds a backtest in aid/: plot it ('plot {tmp_path / 'one' / 'aid'}')")
    assert run_sim.main(["plot", str(tmp_path / "levers")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {tmp_path / 'levers'}: holds 2 comparison sweeps")
    assert "runs.csv" not in err


def test_the_point_to_plot_is_named_without_dot_dot(tmp_path: Path) -> None:
    """``plot sweep/points/..`` names the point to plot as a plain path, not one through
    ``..`` that is only right from where the user stands in it."""
    (tmp_path / "sweep" / "points" / "000").mkdir(parents=True)
    (tmp_path / "sweep" / "points" / "000" / "runs.csv").write_text("replication\n", encoding="utf-8")
    message = parts_inside(tmp_path / "sweep" / "points" / "..")
    assert f"'plot {tmp_path / 'sweep' / 'points' / '000'}'" in message
    assert ".." not in message


@pytest.mark.parametrize("name", ["summary.json", "manifest.json", "scenario.toml"])
def test_a_missing_file_is_said_to_be_missing(rundir: Path, name: str) -> None:
    """A run directory without one of its files says that file is missing (and what the
    directory is), rather than that it cannot be read."""
    (rundir / name).unlink()
    with pytest.raises(ScenarioError) as err:
        read_run(rundir)
    assert err.value.file == str(rundir / name)
    assert "missing; " in str(err.value)


@pytest.mark.parametrize("name", ["manifest.json", "scenario.toml"])
def test_a_resume_still_needs_every_file_but_the_summary(rundir: Path, name: str) -> None:
    """``--resume`` reads a run without its summary (written last), but not one without
    its manifest or scenario: those are reported missing too."""
    (rundir / name).unlink()
    with pytest.raises(ScenarioError) as err:
        read_run(rundir, summary_needed=False)
    assert err.value.file == str(rundir / name)
    assert "missing; " in str(err.value)


def test_a_resume_reads_the_summary_when_there_is_one(rundir: Path) -> None:
    """``summary_needed=False`` only excuses a summary never written: one that is there is
    read back as saved, not replaced by {}."""
    saved = json.loads((rundir / "summary.json").read_text(encoding="utf-8"))
    assert read_run(rundir, summary_needed=False)[2] == saved != {}
    (rundir / "summary.json").unlink()
    assert read_run(rundir, summary_needed=False)[2] == {}


def test_the_package_and_the_manifests_give_one_version() -> None:
    """Manifests (and so ``--resume``) read ``sim.__version__``; the package metadata
    comes from pyproject.toml. Raised in one place alone, the two would disagree."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["version"] == __version__
