"""Run directories: written atomically, read back strictly, self-contained.

``run --out DIR`` leaves ``runs.csv``, ``summary.json``, ``scenario.toml`` and
``manifest.json``; ``--resume`` and ``plot DIR`` read them back. A failed write (a full
disk) must leave the files already saved as they were; a damaged file must be bad input
(a ScenarioError naming that file, and the line and column of a bad ``runs.csv`` value),
never an internal error nor a silently different set of runs; and the saved scenario
must never point at a parent file (``extends``), which would be looked up relative to the
run directory. The ``--set`` keys that shape a saved scenario follow TOML's dotted-key
grammar, so quoted parts (``ceasefire.milestones."1.5d"``) mean what they say.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import io
import json
import os
import shutil
import sys
import tomllib
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from helpers import DEFAULT, ROOT, held_lock, minimal_doc, run_child, running
from hypothesis import example, given
from hypothesis import strategies as st

import run_sim
from sim import document
from sim.arguments import KINDS
from sim.document import apply_override, parse_override
from sim.errors import ScenarioError
from sim.output import jsonable, read_run, write_run
from sim.records import Outcome, Results
from sim.rundir import resumable
from sim.runner import Runner, empty_results
from sim.scenario import Scenario, load_scenario, scenario_from_dict, validate_document
from sim.stats import summarize
from sim.toml_out import _key

FILES = ("manifest.json", "runs.csv", "scenario.toml", "summary.json")
SEED = 7


def fragile_doc() -> dict[str, Any]:
    """The minimal scenario with combatants quick to withdraw: most ceasefires collapse."""
    doc = minimal_doc()
    for name in ("red", "blue"):
        doc["parties"][name]["behaviour"]["tolerance"] = 0.4
    return doc


def save(out: Path, scenario: Scenario, results: Results) -> None:
    summary = jsonable(summarize(results, scenario, seed=SEED))
    write_run(out, results, summary, scenario, SEED)


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A run directory of 20 replications of the fragile scenario (copy before changing)."""
    out = tmp_path_factory.mktemp("saved") / "run"
    scenario = scenario_from_dict(fragile_doc())
    save(out, scenario, Runner(workers=1).run(scenario, 20, SEED).results)
    return out


@pytest.fixture
def rundir(saved: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(saved, tmp_path / "run"))


def snapshot(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def same_results(a: Results, b: Results) -> None:
    assert (a.issues, a.armed, a.party_names) == (b.issues, b.armed, b.party_names)
    assert a.columns.keys() == b.columns.keys()
    for name, col in a.columns.items():
        assert col.dtype == b.columns[name].dtype, name
        np.testing.assert_array_equal(col, b.columns[name], err_msg=name)


def test_a_run_directory_reads_back_unchanged(rundir: Path):
    """Everything write_run writes, read_run accepts, and the columns are identical."""
    scenario, results, summary, manifest = read_run(rundir)
    assert sorted(p.name for p in rundir.iterdir()) == list(FILES)
    assert len(results) == 20 and summary["runs"] == 20 and manifest["seed"] == SEED
    assert any(results.names("withdrew")), "the check needs some collapses"
    again = rundir.parent / "again"
    save(again, scenario, results)
    same_results(read_run(again)[1], results)
    assert snapshot(again)["runs.csv"] == snapshot(rundir)["runs.csv"]


# ---------------------------------------------------------------------------
# Atomic writes (F3)
# ---------------------------------------------------------------------------


def test_a_rewrite_that_fails_midway_keeps_the_saved_runs(rundir: Path, monkeypatch):
    """A resumed run rewrites runs.csv; when that write fails after some rows (a full
    disk), the runs already saved are still there, whole, and no temporary file stays."""
    before = snapshot(rundir)
    scenario, results, summary, _ = read_run(rundir)
    bigger = Runner(workers=1).run(scenario, 30, SEED, existing=results).results
    real_rows = Results.rows

    def rows_then_full_disk(self: Results):
        for k, row in enumerate(real_rows(self)):
            if k == 25:
                raise OSError(errno.ENOSPC, "No space left on device")
            yield row

    monkeypatch.setattr(Results, "rows", rows_then_full_disk)
    with pytest.raises(OSError, match="No space"):
        write_run(rundir, bigger, summary, scenario, SEED)
    with pytest.raises(OSError, match="No space"):
        bigger.write_csv(rundir / "runs.csv")
    assert snapshot(rundir)["runs.csv"] == before["runs.csv"]
    assert sorted(p.name for p in rundir.iterdir()) == list(FILES)
    assert len(read_run(rundir)[1]) == 20


def test_every_file_of_a_run_directory_is_replaced_atomically(rundir: Path, monkeypatch):
    """Each file is written whole to a temporary file and synced before it replaces the
    old one: a failure at the sync leaves all four files as they were."""
    before = snapshot(rundir)
    scenario, results, summary, _ = read_run(rundir)
    summary = {**summary, "note": "rewritten"}

    def no_sync(fd: int) -> None:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(os, "fsync", no_sync)
    with pytest.raises(OSError, match="Input/output"):
        write_run(rundir, results, summary, scenario, SEED + 1)
    assert snapshot(rundir) == before
    monkeypatch.undo()
    write_run(rundir, results, summary, scenario, SEED + 1)  # and the same write succeeds
    assert sorted(p.name for p in rundir.iterdir()) == list(FILES)
    assert read_run(rundir)[2]["note"] == "rewritten" and read_run(rundir)[3]["seed"] == SEED + 1


@pytest.mark.skipif(sys.platform != "linux", reason="needs POSIX file-size limits")
def test_a_file_size_limit_during_the_rewrite_keeps_the_saved_runs(rundir: Path):
    """The tester's reproduction (``ulimit -f``): the rewrite hits the limit, fails with
    an error, and the saved runs.csv is still the old one, whole."""
    before = snapshot(rundir)
    limit = len(before["runs.csv"]) + 2000
    script = f"""
import resource, sys
from pathlib import Path
sys.path.insert(0, {str(ROOT)!r})
from sim.output import read_run, write_run
out = Path({str(rundir)!r})
scenario, results, summary, _ = read_run(out)
big = results
for _ in range(4):
    big = big.concat(big)
resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit}))
write_run(out, big, summary, scenario, {SEED})
"""
    proc = run_child([sys.executable, "-c", script], timeout=120)
    assert proc.returncode != 0 and "File too large" in proc.stderr, proc.stderr
    after = snapshot(rundir)
    assert sorted(after) == list(FILES)
    assert after["runs.csv"] == before["runs.csv"]
    assert after["summary.json"] == before["summary.json"]


# ---------------------------------------------------------------------------
# Damaged run directories (F12)
# ---------------------------------------------------------------------------


def edit_csv(out: Path, change) -> None:
    path = out / "runs.csv"
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    rows = change(rows)
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)


def set_cell(out: Path, line: int, column: str, value: str) -> None:
    def change(rows: list[list[str]]) -> list[list[str]]:
        rows[line - 1][rows[0].index(column)] = value
        return rows
    edit_csv(out, change)


def read_error(out: Path) -> ScenarioError:
    with pytest.raises(ScenarioError) as err:
        read_run(out)
    return err.value


@pytest.mark.parametrize(
    ("line", "column", "value", "allowed"),
    [
        (2, "convoys_sent", "40000", "32767"),
        (3, "events", "9999999999", "2147483647"),
        (4, "replication", "99999999999999999999", "whole number"),
        (4, "replication", "1e20", "whole number"),
        (2, "replication", "-3", "whole number"),
        (2, "replication", "", "whole number"),
        (5, "rounds", "2.5", "whole number"),
        (2, "violations.red", "1.5", "whole number"),
        (3, "agreed", "yes", "1 or 0"),
        (3, "agreed", "true", "1 or 0"),
        (3, "collapsed", "", "1 or 0"),
        (6, "hours_held", "long", "number"),
        (2, "withdrew", "martians", "blue, east, red, west"),
        (2, "blamed", "Red", "blue, east, red, west"),
        (2, "convoys_delivered", "5", "at most convoys_sent"),
    ],
)
def test_a_bad_value_in_runs_csv_names_its_line_and_column(rundir, line, column, value, allowed):
    """Only what write_csv writes is read: booleans as 1 or 0, counts as whole numbers
    that fit their column, party names of the scenario (or empty for none)."""
    set_cell(rundir, line, column, value)
    err = read_error(rundir)
    assert err.file == str(rundir / "runs.csv")
    assert err.path == f"line {line}, column {column}"
    assert err.value == value and allowed in err.allowed


def test_a_replication_saved_twice_is_refused(rundir: Path):
    """Duplicated rows would make a resumed run hold more replications than asked for."""
    edit_csv(rundir, lambda rows: [*rows, *rows[1:6]])
    err = read_error(rundir)
    assert (err.file, err.path, err.value) == (str(rundir / "runs.csv"),
                                               "line 22, column replication", "0")
    assert "line 2" in err.allowed


@pytest.mark.parametrize(
    ("change", "path", "allowed"),
    [
        pytest.param(lambda rows: [rows[0][:-1], *rows[1:]], "line 1, column 20",
                     "missing column 'violations.red'", id="missing column"),
        pytest.param(lambda rows: [[*rows[0], "extra"], *rows[1:]], "line 1, column 21",
                     "'extra'", id="extra column"),
        pytest.param(lambda rows: [[rows[0][1], rows[0][0], *rows[0][2:]], *rows[1:]],
                     "line 1, column 1", "'replication'", id="swapped columns"),
        pytest.param(lambda rows: [rows[0], *rows[1:3], rows[3][:-2], *rows[4:]], "line 4",
                     "20 values", id="short row"),
        pytest.param(lambda rows: [], "", "empty", id="empty file"),
    ],
)
def test_columns_that_are_not_this_scenarios_are_refused(rundir, change, path, allowed):
    edit_csv(rundir, change)
    err = read_error(rundir)
    assert err.file == str(rundir / "runs.csv") and err.path == path
    assert allowed in str(err)


@pytest.mark.parametrize("name", ["summary.json", "manifest.json"])
@pytest.mark.parametrize(
    ("content", "path", "allowed"),
    [
        pytest.param(b"[1, 2]", "", "a JSON object", id="array"),
        pytest.param(b'"text"', "", "a JSON object", id="string"),
        pytest.param(b'{\n  "seed": 7,\n', "line 3, column 1", "valid JSON", id="cut"),
        pytest.param(b"", "line 1, column 1", "valid JSON", id="empty"),
        pytest.param(b"\xff\xfe{}", "", "UTF-8", id="binary"),
        pytest.param(b"[" * 100_000, "", "valid JSON", id="deep"),
    ],
)
def test_a_damaged_json_file_is_named(rundir, name, content, path, allowed):
    """Each JSON file is read on its own and named in the error, never as runs.csv."""
    (rundir / name).write_bytes(content)
    err = read_error(rundir)
    assert err.file == str(rundir / name) and err.path == path and allowed in err.allowed


@pytest.mark.parametrize("seed", ['"7"', "true", "-1", "null"])
def test_the_manifest_must_hold_the_root_seed(rundir: Path, seed: str):
    manifest = json.loads((rundir / "manifest.json").read_text(encoding="utf-8"))
    text = json.dumps(manifest).replace('"seed": 7', f'"seed": {seed}')
    (rundir / "manifest.json").write_text(text, encoding="utf-8")
    err = read_error(rundir)
    assert err.file == str(rundir / "manifest.json") and err.path == "seed"


def test_a_missing_file_is_named(rundir: Path):
    (rundir / "summary.json").unlink()
    err = read_error(rundir)
    assert err.file == str(rundir / "summary.json")


@pytest.mark.parametrize(
    ("damage", "command", "named"),
    [
        ("manifest", "resume", "manifest.json"),
        ("duplicate", "resume", "runs.csv"),
        ("overflow", "plot", "runs.csv"),
        ("summary", "plot", "summary.json"),
    ],
)
def test_the_command_line_exits_2_on_a_damaged_run_directory(rundir, capsys, damage, command,
                                                              named):
    """Bad input, so exit status 2 with a one-line message and no traceback; a resumed
    run over duplicated rows must not silently hold more runs than asked for."""
    if damage == "manifest":
        (rundir / "manifest.json").write_text("[1, 2]\n", encoding="utf-8")
    elif damage == "duplicate":
        edit_csv(rundir, lambda rows: [*rows, *rows[1:6]])
    elif damage == "overflow":
        set_cell(rundir, 2, "convoys_sent", "40000")
    else:
        (rundir / "summary.json").write_text("{\n  'runs': 20\n}\n", encoding="utf-8")
    before = snapshot(rundir)
    if command == "resume":
        args = ["run", str(rundir / "scenario.toml"), "--runs", "25", "--seed", str(SEED),
                "--workers", "1", "--no-progress", "--out", str(rundir), "--resume"]
    else:
        args = ["plot", str(rundir)]
    assert run_sim.main(args) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert f"{rundir / named}:" in err
    assert snapshot(rundir) == before


# ---------------------------------------------------------------------------
# More parties than a byte can count (F5)
# ---------------------------------------------------------------------------


def many_parties_doc(extra: int) -> dict[str, Any]:
    """The fragile scenario plus ``extra`` idle spoilers named so that they sort before
    every original party: the parties that withdraw get codes above 127."""
    doc = fragile_doc()
    for k in range(extra):
        doc["parties"][f"a{k:03d}"] = {"role": "spoiler", "host": "red", "opponent": "blue",
                                       "behaviour": {"attack_rate": 0.0}}
    return doc


def test_party_codes_hold_hundreds_of_parties():
    """Results keep every party name, whatever its index, and read back from CSV."""
    parties = [f"p{k:03d}" for k in range(300)]
    outcomes = [
        Outcome(replication=i, agreed=True, agreement_hour=1.0, rounds=1, rejections=0,
                shocks=0, terms=(0.5,), hours_held=2.0, collapsed=True, withdrew=parties[-1 - i],
                trigger=parties[200 + i], blamed=parties[i], misattributed=False,
                delineation_hit=False, violations=(1,), convoys_sent=0, convoys_delivered=0,
                convoys_attacked=0, events=3)
        for i in range(3)
    ]
    res = Results.from_outcomes(outcomes, ["x"], ["p000"], parties)
    assert res.names("withdrew") == ["p299", "p298", "p297"]
    assert res.names("trigger") == ["p200", "p201", "p202"]
    assert res.names("blamed") == ["p000", "p001", "p002"]
    assert res.concat(Results.empty(["x"], ["p000"], parties)).names("withdrew")[0] == "p299"


def test_a_scenario_with_130_parties_runs_and_saves(tmp_path: Path):
    """The tester's crash: more than 127 parties overflowed the party-name codes."""
    scenario = scenario_from_dict(many_parties_doc(130))
    assert scenario.order.index("red") > 127
    results = Runner(workers=1).run(scenario, 6, SEED).results
    assert set(results.names("withdrew")) <= {"", "red", "blue"}
    assert any(results.names("withdrew")), "the check needs some collapses"
    save(tmp_path / "run", scenario, results)
    same_results(read_run(tmp_path / "run")[1], results)


def test_memory_per_replication_stays_small():
    """Party codes are 16-bit: the columns of the default scenario stay near 116 bytes a
    replication (the target is 200 or less)."""
    res = empty_results(load_scenario(DEFAULT))
    per_run = sum(c.dtype.itemsize * (c.shape[1] if c.ndim == 2 else 1)
                  for c in res.columns.values())
    assert {res.columns[n].dtype.itemsize for n in ("withdrew", "trigger", "blamed")} == {2}
    assert per_run <= 120


# ---------------------------------------------------------------------------
# extends is not an override, and never saved (F10)
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["extends=geneva_2016.toml", 'extends = "x.toml"',
                                  "extends.x=1", '"extends"=other.toml'])
def test_extends_is_refused_in_overrides(text: str):
    with pytest.raises(ScenarioError) as err:
        load_scenario(DEFAULT, [text])
    assert err.value.file == "--set" and err.value.path.strip('"').startswith("extends")
    assert "scenario file" in err.value.allowed
    with pytest.raises(ScenarioError):
        apply_override({}, text.partition("=")[0], "x")


def test_extends_via_the_command_line_exits_2(tmp_path: Path, capsys):
    out = tmp_path / "run"
    assert run_sim.main(["run", str(DEFAULT), "--runs", "3", "--workers", "1",
                         "--no-progress", "--set", "extends=geneva_2016.toml",
                         "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "--set" in err and "extends" in err and "Traceback" not in err
    assert not out.exists()


def test_the_saved_scenario_never_names_a_parent(tmp_path: Path):
    """A scenario read from a child file is saved resolved; one built from a document
    that still names a parent (scenario_from_dict refuses it; validate_document, below
    it, does not) is saved without it, so the directory stands alone."""
    parent = tmp_path / "parent.toml"
    parent.write_text(f'extends = "{DEFAULT.as_posix()}"\nname = "parent"\n', encoding="utf-8")
    child = tmp_path / "sub" / "child.toml"
    child.parent.mkdir()
    child.write_text('extends = "../parent.toml"\nname = "child"\n', encoding="utf-8")
    doc = {**minimal_doc(), "extends": "parent.toml"}
    for k, scenario in enumerate([load_scenario(child), validate_document(doc, "<memory>")]):
        out = tmp_path / f"run{k}"
        save(out, scenario, empty_results(scenario))
        saved_doc = tomllib.loads((out / "scenario.toml").read_text(encoding="utf-8"))
        assert "extends" not in saved_doc
        assert read_run(out)[0].name == scenario.name


# ---------------------------------------------------------------------------
# --set keys follow TOML's dotted-key grammar (F13)
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "parts", "value"),
    [
        ('ceasefire.milestones."48h"=50.0', ("ceasefire", "milestones", "48h"), 50.0),
        ('ceasefire.milestones."1.5d"=36', ("ceasefire", "milestones", "1.5d"), 36),
        ("ceasefire.milestones.'1.5d'=36", ("ceasefire", "milestones", "1.5d"), 36),
        ('parties."russia".no_deal=0.3', ("parties", "russia", "no_deal"), 0.3),
        ("parties . russia . no_deal = 0.3", ("parties", "russia", "no_deal"), 0.3),
        ('name."a=b"=1', ("name", "a=b"), 1),
        (r'parties."say \"hi\"".x=1', ("parties", 'say "hi"', "x"), 1),
        (r'parties."caf\u00e9".x=1', ("parties", "café", "x"), 1),
        ('parties."".x=1', ("parties", "", "x"), 1),
        ("ceasefire.horizon_hours=1000", ("ceasefire", "horizon_hours"), 1000),
    ],
)
def test_quoted_key_parts_are_read_as_toml_reads_them(text, parts, value):
    key, parsed = parse_override(text)
    assert document.split_key(key) == parts and parsed == value
    node: Any = apply_override({"ceasefire": {"milestones": {"7d": 168.0}}}, key, parsed)
    for part in parts:
        node = node[part]
    assert node == value


def test_a_quoted_milestone_label_replaces_the_unquoted_one():
    sc = load_scenario(DEFAULT, ['ceasefire.milestones."48h"=50.0',
                                 'parties."russia".no_deal=0.3'])
    assert sc.spec.ceasefire.milestones["48h"] == 50.0 and '"48h"' not in sc.spec.ceasefire.milestones
    assert sc.spec.parties["russia"].no_deal == 0.3


@pytest.mark.parametrize("text", ["a..b=1", ".a=1", "a.=1", "=1", "a b.c=1", '"unclosed.x=1',
                                  'a."b"c=1', "a.'b\nc'=1", 'a."\\q"=1', "a.[b]=1", "a#b=1",
                                  'a."""b"""=1', "a.b c=1"])
def test_a_key_toml_cannot_read_is_refused(text: str):
    with pytest.raises(ScenarioError) as err:
        load_scenario(DEFAULT, [text])
    assert err.value.file == "--set" and "dotted TOML key" in err.value.allowed


@given(st.lists(st.text(max_size=8), min_size=1, max_size=5)
       .filter(lambda parts: parts[0] != "extends"))  # never an override, by design
@example(["ceasefire", "milestones", "1.5d"])
@example(["a b", "'", '"', ".", "="])
def test_any_key_written_as_toml_reads_back(parts: list[str]):
    """Quoting each part as ``scenario.toml`` does and joining with dots gives a key
    that splits back into the same parts."""
    key = ".".join(_key(p) for p in parts)
    assert document.split_key(key) == tuple(parts)
    assert parse_override(f"{key}=1") == (key, 1)


def test_plot_of_a_run_stopped_before_any_replication_finished_is_bad_input(
        rundir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    runs = rundir / "runs.csv"
    runs.write_text(runs.read_text().splitlines()[0] + "\n")
    summary = json.loads((rundir / "summary.json").read_text())
    (rundir / "summary.json").write_text(json.dumps({**summary, "runs": 0}))
    assert run_sim.main(["plot", str(rundir)]) == 2
    err = capsys.readouterr().err
    assert "runs.csv" in err and "at least one finished replication" in err
    assert not list(rundir.glob("*.png"))


def test_a_figure_that_cannot_be_written_is_one_line_saying_what_was_kept(
        rundir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (rundir / "survival.png").mkdir()
    assert run_sim.main(["plot", str(rundir)]) == 2
    assert "survival.png" in capsys.readouterr().err
    out = rundir.parent / "new"
    (out / "survival.png").mkdir(parents=True)
    assert run_sim.main(["run", str(DEFAULT), "--runs", "5", "--workers", "1", "--no-progress",
                         "--out", str(out), "--plot"]) == 2
    err = capsys.readouterr().err
    assert "the results were saved; the figures were not all drawn" in err
    assert "Traceback" not in err and (out / "runs.csv").is_file()


def test_runs_beside_an_older_summary_are_refused_by_plot_and_resumed(
        rundir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A kill between writing runs.csv and summary.json (a checkpoint included) left new
    runs beside an older summary, which plot drew as if they matched."""
    summary = json.loads((rundir / "summary.json").read_text())
    (rundir / "summary.json").write_text(json.dumps({**summary, "runs": 12}))
    assert run_sim.main(["plot", str(rundir)]) == 2
    err = capsys.readouterr().err
    assert "summary.json: runs: bad value 12; 20, the replications in runs.csv" in err
    scenario = load_scenario(rundir / "scenario.toml")
    assert len(resumable(rundir, scenario, "scenario.toml", SEED, ("--runs", 30)) or ()) == 20


def test_a_number_too_long_for_python_in_a_saved_json_file_is_a_damaged_file(
        rundir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (rundir / "summary.json").write_text('{"a": ' + "9" * 5000 + "}\n")
    assert run_sim.main(["plot", str(rundir)]) == 2
    err = capsys.readouterr().err
    assert "summary.json" in err and "number too long" in err


def test_a_set_value_with_more_after_a_new_line_is_refused_whole() -> None:
    """Only the first line of ``0.5\\nother = 1`` used to be applied, silently."""
    with pytest.raises(ScenarioError) as err:
        load_scenario(DEFAULT, ['ceasefire.monitoring.deterrence=0.5\nbogus = "x"'])
    assert err.value.path == "ceasefire.monitoring.deterrence"
    assert parse_override("a=[1, 2]") == ("a", [1, 2])


def test_keys_nested_hundreds_deep_are_bad_input(tmp_path: Path) -> None:
    deep = tmp_path / "deep.toml"
    deep.write_text(f'extends = "{DEFAULT}"\n' + "x." * 600 + "y = 1\n", encoding="utf-8")
    for path, sets in ((deep, []), (DEFAULT, ["a." * 600 + "b=1", "x=1"]),
                       (DEFAULT, ["ceasefire.imposed=" + "[" * 3000 + "]" * 3000])):
        with pytest.raises(ScenarioError) as err:
            load_scenario(path, sets)
        assert str(path) in str(err.value)


def edit_row(runs: Path, agreed: bool, **cells: str) -> None:
    """Change some cells of the first row whose ``agreed`` is as given."""
    with open(runs, newline="") as fh:
        rows = list(csv.DictReader(fh))
    row = next(r for r in rows if r["agreed"] == ("1" if agreed else "0"))
    row.update(cells)
    with open(runs, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


@pytest.mark.parametrize(("agreed", "cells", "column"), [
    (True, {"hours_held": "inf"}, "hours_held"),
    (True, {"hours_held": "-50.0"}, "hours_held"),
    (True, {"hours_held": "nan"}, "hours_held"),
    (True, {"hours_held": "1e9"}, "hours_held"),
    (False, {"hours_held": "12.0"}, "hours_held"),
    (True, {"agreement_hour": "-1e300"}, "agreement_hour"),
    (False, {"agreement_hour": "48.0"}, "agreement_hour"),
    (True, {"terms.delineation": "55.0"}, "terms.delineation"),
    (False, {"terms.delineation": "0.5"}, "terms.delineation"),
    (False, {"collapsed": "1"}, "collapsed"),
    (True, {"collapsed": "1", "withdrew": ""}, "withdrew"),
])
def test_a_saved_row_no_replication_could_produce_is_refused(
        tmp_path_factory, agreed, cells, column):
    """Hand-edited values used to pass ``--resume`` and ``plot`` and move the results."""
    rundir = tmp_path_factory.mktemp("edited") / "run"
    scenario = load_scenario(DEFAULT)
    save(rundir, scenario, Runner(workers=1).run(scenario, 30, 2016).results)
    read_run(rundir)  # as written, it reads back
    edit_row(rundir / "runs.csv", agreed, **cells)
    with pytest.raises(ScenarioError) as err:
        read_run(rundir)
    assert err.value.file == str(rundir / "runs.csv")
    assert err.value.path.startswith("line ") and err.value.path.endswith(f"column {column}")


def test_resume_finishes_a_run_whose_summary_was_never_written(rundir: Path) -> None:
    """``write_run`` writes the summary last: a failure just before it left runs.csv
    alone, which neither --resume nor a fresh run would accept."""
    (rundir / "summary.json").unlink()
    scenario = load_scenario(rundir / "scenario.toml")
    existing = resumable(rundir, scenario, "scenario.toml", SEED, ("--runs", 30))
    assert existing is not None and len(existing) == 20
    with pytest.raises(ScenarioError) as err:
        read_run(rundir)
    assert err.value.file == str(rundir / "summary.json")


def test_plot_of_a_directory_that_does_not_exist_says_so(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """It said ``runs.csv: missing``, as if the directory were there but incomplete."""
    assert run_sim.main(["plot", str(tmp_path / "nowhere")]) == 2
    assert capsys.readouterr().err == (f"error: {tmp_path / 'nowhere'}: no such directory: give "
                                       "the --out DIR of a run, sweep, comparison, backtest or "
                                       "trace\n")
    (tmp_path / "afile").write_text("x")
    assert run_sim.main(["plot", str(tmp_path / "afile")]) == 2
    assert ": not a directory: give the --out DIR" in capsys.readouterr().err


def test_runs_csv_leaves_missing_values_empty(tmp_path, capsys):
    """A run without agreement has no agreement hour and no terms: empty cells, as the
    format says ("empty for none"), not 'nan'."""
    import csv

    import run_sim

    out = tmp_path / "run"
    assert run_sim.main(["run", str(DEFAULT), "--runs", "40", "--workers", "1",
                         "--no-progress", "--out", str(out)]) == 0
    capsys.readouterr()
    with (out / "runs.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    unagreed = [r for r in rows if r["agreed"] == "0"]
    assert unagreed, "the seed gives at least one run without agreement"
    for r in unagreed:
        assert r["agreement_hour"] == ""
        assert all(v == "" for k, v in r.items() if k.startswith("terms."))
    assert "nan" not in (out / "runs.csv").read_text()


def test_resume_of_a_finished_run_with_the_same_runs_rewrites_its_summary(tmp_path, capsys):
    """A run killed after writing runs.csv but before summary.json holds all it asked
    for: resuming it with the same --runs is allowed and only writes the summary."""
    import json

    import run_sim

    out = tmp_path / "run"
    common = ["run", str(DEFAULT), "--runs", "60", "--seed", "3", "--workers", "1",
              "--no-progress", "--out", str(out)]
    assert run_sim.main(common) == 0
    before = (out / "runs.csv").read_bytes()
    (out / "summary.json").unlink()
    assert run_sim.main([*common, "--resume"]) == 0, capsys.readouterr().err
    assert (out / "runs.csv").read_bytes() == before
    assert json.loads((out / "summary.json").read_text())["runs"] == 60


def test_a_19_digit_count_that_fits_its_column_is_read():
    from sim.csvio import Parser

    top = str(2**63 - 1)  # 19 digits, the largest replication index an i8 column holds
    assert Parser.of("i8").column([top, "0"]).tolist() == [2**63 - 1, 0]


def test_a_run_with_seed_zero_can_be_plotted_and_resumed(tmp_path, capsys):
    """0 is a valid root seed (--seed takes 0 .. 2**128 - 1): its run directory reads back."""
    import run_sim
    from sim.output import read_run

    out = tmp_path / "run"
    common = ["run", str(DEFAULT), "--seed", "0", "--workers", "1", "--no-progress",
              "--out", str(out)]
    assert run_sim.main([*common, "--runs", "20"]) == 0
    assert read_run(out)[3]["seed"] == 0
    assert run_sim.main([*common, "--runs", "30", "--resume"]) == 0, capsys.readouterr().err


def test_agreed_terms_at_the_end_of_a_range_read_back(tmp_path):
    """A term at its issue's end comes back from 0..1 a rounding error past it
    (0.3 + 1.0 * (0.9 - 0.3) is 0.9000000000000001): runs.csv must still be accepted."""
    from sim.records import Outcome, Results

    high = 0.3 + 1.0 * (0.9 - 0.3)  # Scenario.denormalise of the range's top
    assert high > 0.9
    row = Outcome(replication=0, agreed=True, agreement_hour=5.0, rounds=1, rejections=0,
                  shocks=0, terms=(high,), hours_held=10.0, collapsed=False, withdrew="",
                  trigger="", blamed="", misattributed=False, delineation_hit=False,
                  violations=(0, 0), convoys_sent=0, convoys_delivered=0, convoys_attacked=0,
                  events=1)
    res = Results.from_outcomes([row], ("x",), ("a", "b"), ("a", "b", "c", "d"))
    res.write_csv(tmp_path / "runs.csv")
    back = Results.read_csv(tmp_path / "runs.csv", ("x",), ("a", "b"), ("a", "b", "c", "d"),
                            horizon=240.0, ranges=((0.3, 0.9),))
    same_results(back, res)


def test_a_rewrite_whose_runs_fail_to_save_leaves_the_old_runs_with_their_own_summary(
        tmp_path, monkeypatch):
    """runs.csv is written before summary.json: when the runs cannot be written, the
    directory keeps the old runs beside the summary that describes them."""
    import errno

    from sim.output import read_run, write_run
    from sim.records import Results
    from sim.stats import summarize

    geneva = load_scenario(DEFAULT)
    out = tmp_path / "run"
    first = Runner(workers=1).run(geneva, 20, 3).results
    write_run(out, first, summarize(first, geneva, seed=3), geneva, 3)
    more = Runner(workers=1).run(geneva, 30, 3, existing=first).results

    def full_disk(self, path):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Results, "write_csv", full_disk)
    with pytest.raises(OSError, match="No space"):
        write_run(out, more, summarize(more, geneva, seed=3), geneva, 3)
    monkeypatch.undo()
    _, results, summary, _ = read_run(out)  # plot would read it: still consistent
    assert len(results) == summary["runs"] == 20


def test_a_resumed_run_keeps_the_sessions_that_ran_it(tmp_path, capsys, monkeypatch):
    """Resuming rewrote the manifest with the resuming command alone: the command that
    started the run, and the versions it ran under, were lost. Each resume now keeps the
    sessions before it, oldest first; and sweep points and comparison sides do too."""
    out = tmp_path / "run"
    common = ["run", str(DEFAULT), "--seed", "3", "--workers", "1", "--no-progress",
              "--out", str(out)]
    commands = [[*common, "--runs", "40"], [*common, "--runs", "80", "--resume"],
                [*common, "--runs", "120", "--resume"]]  # each adds runs
    for k, argv in enumerate(commands):
        monkeypatch.setattr(sys, "argv", ["run_sim.py", *argv, f"session {k}"])
        assert run_sim.main(argv) == 0, capsys.readouterr().err
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["command"][-1] == "session 2"
    assert [e["command"][-1] for e in manifest["earlier"]] == ["session 0", "session 1"]
    assert all(e["version"] == manifest["version"] and e["packages"] == manifest["packages"]
               for e in manifest["earlier"])
    assert read_run(out)[3]["earlier"] == manifest["earlier"]

    for command, part in (("sweep", "points/000"), ("compare", "a")):
        where = tmp_path / command
        argv = [command, str(DEFAULT), "--runs", "30", "--workers", "1", "--no-progress",
                "--out", str(where), *(["--param", "parties.us.no_deal=0.1"]
                                       if command == "sweep" else ["--set",
                                                                   "parties.us.no_deal=0.1"])]
        for k, extra in enumerate(([], ["--resume", "--runs", "60"])):
            monkeypatch.setattr(sys, "argv", ["run_sim.py", *argv, *extra, f"{command} {k}"])
            assert run_sim.main([*argv, *extra]) == 0, capsys.readouterr().err
        manifest = json.loads((where / part / "manifest.json").read_text())
        assert manifest["command"][-1] == f"{command} 1", command
        assert [e["command"][-1] for e in manifest["earlier"]] == [f"{command} 0"], command


def test_a_fresh_run_has_no_earlier_sessions(rundir: Path):
    assert "earlier" not in read_run(rundir)[3]


def test_a_save_removes_temporary_files_a_killed_save_left(rundir: Path):
    """A save killed outright (SIGKILL) leaves its temporary file beside the run; the
    next save removes such files, and only those."""
    scenario, results, _, _ = read_run(rundir)
    leftovers = [rundir / f".{name}.0123456789ab.tmp" for name in FILES]
    kept = [rundir / ".runs.csv.notes.tmp", rundir / ".runs.csv.0123456789AB.tmp",
            rundir / "runs.csv.0123456789ab.tmp", rundir / ".other.0123456789ab.tmp"]
    for path in leftovers + kept:
        path.write_text("x")
    save(rundir, scenario, results)
    assert not any(p.exists() for p in leftovers)
    assert all(p.exists() for p in kept)


@pytest.mark.parametrize("command", [["run", str(DEFAULT)],
                                     ["sweep", str(DEFAULT), "--param",
                                      "parties.jfs.behaviour.colocation=0.2,0.8"]])
def test_runs_saved_by_another_version_are_not_finished_by_this_one(command, tmp_path, capsys):
    """The model may change between versions (a patron without a position no longer
    pulls the talks): a resume mixed the replications of two models without a word."""
    out = tmp_path / "out"
    args = [*command, "--workers", "1", "--no-progress", "--out", str(out)]
    assert run_sim.main([*args, "--runs", "40"]) == 0
    capsys.readouterr()
    manifests = sorted(out.rglob("manifest.json"))
    for path in manifests:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        path.write_text(json.dumps({**manifest, "version": "0.1.0"}), encoding="utf-8")
    before = {p: p.read_bytes() for p in out.rglob("runs.csv")}
    assert run_sim.main([*args, "--runs", "80", "--resume"]) == 2
    err = capsys.readouterr().err
    assert "but the runs in it were made by version '0.1.0', whose model may differ; start " \
        "afresh in another directory" in err
    assert {p: p.read_bytes() for p in out.rglob("runs.csv")} == before


@pytest.mark.parametrize(("command", "home", "refused"), [
    (["run"], (), True),
    (["sweep", "--param", "ceasefire.monitoring.deterrence=0.2,0.4"], ("points", "000"), True),
    (["sweep", "--param", "ceasefire.monitoring.deterrence=0.2,0.4"], (), False),
    (["compare", "--set", "ceasefire.monitoring.coverage=0.5"], ("a",), True),
    (["compare", "--set", "ceasefire.monitoring.coverage=0.5"], (), False),
    (["trace"], (), False),
])
def test_out_refuses_to_write_over_a_scenario_file_it_reads(tmp_path, capsys, command, home,
                                                             refused):
    """A file called scenario.toml run with --out set to its own folder was replaced by
    the filled-in copy a run keeps: comments, citations and extends gone. Only where the
    command writes its copy is refused (a sweep's in points/NNN, a comparison's in a/
    and b/; trace writes none)."""
    out = tmp_path / "out"
    folder = out.joinpath(*home)
    folder.mkdir(parents=True)
    shutil.copy(DEFAULT, tmp_path / "base.toml")
    mine = folder / "scenario.toml"
    text = f'extends = "{(tmp_path / "base.toml").as_posix()}"\nname = "mine"\n# my comments\n'
    mine.write_text(text, encoding="utf-8")
    runs = [] if command[0] == "trace" else ["--runs", "10", "--workers", "1", "--no-progress"]
    args = [command[0], str(mine), *command[1:], *runs, "--out", str(out)]
    with contextlib.redirect_stdout(io.StringIO()):
        status = run_sim.main(args)
    err = capsys.readouterr().err
    if refused:
        assert status == 2
        assert (f"error: --out: bad value '{out}'; a directory where the {KINDS[command[0]]} "
                f"does not write its copy of the scenario over the file {mine} it reads") in err
    else:
        assert status == 0, err
    assert mine.read_text(encoding="utf-8") == text


def test_a_run_s_own_copy_of_its_scenario_may_be_run_into_its_folder(tmp_path, capsys):
    """As the run wrote it, yes; edited (a comment, an extends), it is the user's file,
    and a manifest beside it no longer lets the run write over it."""
    out = tmp_path / "kept"
    assert run_sim.main(["run", str(DEFAULT), "--runs", "10", "--workers", "1", "--no-progress",
                         "--out", str(out)]) == 0
    again = ["run", str(out / "scenario.toml"), "--runs", "20", "--workers", "1",
             "--no-progress", "--out", str(out), "--resume"]
    assert run_sim.main(again) == 0
    mine = "# my notes\n" + (out / "scenario.toml").read_text(encoding="utf-8")
    (out / "scenario.toml").write_text(mine, encoding="utf-8")
    capsys.readouterr()
    assert run_sim.main([*again[:3], "40", *again[4:]]) == 2
    assert "does not write its copy of the scenario over the file" in capsys.readouterr().err
    assert (out / "scenario.toml").read_text(encoding="utf-8") == mine


def test_two_commands_cannot_write_into_one_directory_at_once(tmp_path, capsys):
    """Both finished with status 0 and the directory kept one's results, the other's
    silently replaced. The second is refused while the first runs; once it has ended
    (its pool workers too), the directory is free again."""
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "race"
    args = ["run", str(DEFAULT), "--runs", "100000", "--workers", "2", "--no-progress",
            "--out", str(out)]
    with running([sys.executable, str(ROOT / "run_sim.py"), *args], stdout=subprocess.DEVNULL,
                 stderr=subprocess.PIPE, text=True, cwd=ROOT) as proc:
        deadline = time.monotonic() + 60
        while not out.is_dir() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)
        assert run_sim.main(["run", str(DEFAULT), "--runs", "10", "--workers", "1",
                             "--no-progress", "--seed", "7", "--out", str(out)]) == 2
        assert ("another is running there now: wait for it to end, or use another directory"
                in capsys.readouterr().err)
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=120) == 130
    from sim.outlock import lock_out, release_out_locks

    try:
        lock_out(out)  # free again: no error
    finally:
        release_out_locks()


def test_another_command_refused_in_a_sweep_s_point_names_the_sweep_to_finish(tmp_path, capsys):
    """It advised 'run ... --resume --out DIR/points/001', which is refused: a point is
    finished by its sweep."""
    out = tmp_path / "sweep"
    assert run_sim.main(["sweep", str(DEFAULT), "--param", "ceasefire.monitoring.deterrence=0.1,0.3",
                         "--runs", "10", "--workers", "1", "--no-progress", "--out", str(out)]) == 0
    capsys.readouterr()
    point = out / "points" / "001"
    assert run_sim.main(["compare", str(DEFAULT), "--set", "ceasefire.monitoring.coverage=0.5",
                         "--runs", "10", "--workers", "1", "--no-progress", "--out", str(point),
                         "--resume"]) == 2
    assert (f"but it holds a point of the sweep in {out} (runs.csv): resume it with "
            f"'sweep ... --resume --out {out}'") in capsys.readouterr().err


def test_plot_is_refused_while_a_command_writes_into_the_run_or_its_whole(tmp_path, capsys):
    """plot drew into a run directory a resume was writing into, unlocked; a sweep's
    point is the sweep's, whose command holds the sweep's directory."""
    from sim.outlock import lock_out, release_out_locks

    out = tmp_path / "sweep"
    assert run_sim.main(["sweep", str(DEFAULT), "--param", "ceasefire.monitoring.deterrence=0.1,0.3",
                         "--runs", "10", "--workers", "1", "--no-progress", "--out", str(out)]) == 0
    with held_lock(out):
        capsys.readouterr()
        assert run_sim.main(["plot", str(out / "points" / "001")]) == 2
        assert (f"error: plot: bad value '{out}'; a directory no other command is writing into"
                in capsys.readouterr().err)
    assert run_sim.main(["plot", str(out / "points" / "001")]) == 0
    try:
        lock_out(out)  # released when plot ended
    finally:
        release_out_locks()


def test_a_command_writing_inside_another_s_directory_is_refused(tmp_path, capsys):
    """A run into a running sweep's points/002 (or into its points/) was not refused:
    both exited 0, and the sweep's point replaced the run's results."""
    out = tmp_path / "sweep"
    (out / "points" / "002").mkdir(parents=True)
    with held_lock(out):
        for inside in (out / "points" / "002", out / "points"):
            assert run_sim.main(["run", str(DEFAULT), "--runs", "10", "--workers", "1",
                                 "--no-progress", "--out", str(inside)]) == 2
            assert (f"another is running there now: wait for it to end, or use another "
                    f"directory (it writes into {out}, which holds this one)"
                    in capsys.readouterr().err)
        link = tmp_path / "link"
        link.symlink_to(out / "points" / "002")
        assert run_sim.main(["plot", str(link)]) == 2  # the link's target is the sweep's
        assert f"(it writes into {out}, which holds this one)" in capsys.readouterr().err
    assert not (out / "points" / "002" / "runs.csv").exists()


def test_a_parent_locked_by_another_program_does_not_refuse_a_command(tmp_path):
    """'flock . python run_sim.py run ... --out res' (a cron job's usual guard) was
    refused as if another command were writing into the directory holding res."""
    project = tmp_path / "project"
    project.mkdir()
    with held_lock(project), contextlib.redirect_stdout(io.StringIO()):
        assert run_sim.main(["run", str(DEFAULT), "--runs", "10", "--workers", "1",
                             "--no-progress", "--out", str(project / "res")]) == 0
