"""Sweeps: paired differences from the reference point, and ``start:stop:num`` ranges."""

from __future__ import annotations

import contextlib
import csv
import io
import itertools
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from helpers import DEFAULT, ROOT, oracle_doc, running
from hypothesis import given
from hypothesis import strategies as st

import run_sim
from sim.errors import ScenarioError
from sim.experiments import SweepPoint, parse_param, parse_params, reference_difference, sweep
from sim.output import read_run
from sim.runner import Runner
from sim.scenario import Scenario, load_scenario, with_overrides
from sim.stats import compare, milestones
from sim.sweep_report import sweep_text
from sim.toml_out import toml_dumps
from sim.validation import label_columns

RUNS = "200"
FIELDS = ("estimate", "low", "high")
OLD_HEAD = [  # sweep.csv before the difference columns: kept, in this order, for old readers
    "runs", "p_agreement", "p_agreement_low", "p_agreement_high",
    *(f"p_hold_{m}{s}" for m in ("48h", "7d", "30d") for s in ("", "_low", "_high")),
    *(f"p_hold_given_agreement_{m}{s}" for m in ("48h", "7d", "30d") for s in ("", "_low", "_high")),
]


def run_sweep(out: Path, *params: str, json_out: bool = True) -> Any:
    """``sweep`` on the default scenario into ``out``: the JSON points, or the table."""
    args = ["sweep", str(DEFAULT), "--runs", RUNS, "--workers", "1", "--no-progress",
            "--out", str(out)]
    for p in params:
        args += ["--param", p]
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert run_sim.main(args + (["--json"] if json_out else [])) == 0
    return json.loads(printed.getvalue()) if json_out else printed.getvalue()


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


def num(text: str) -> float:
    return float(text)


# -- paired differences from the reference -----------------------------------------


@pytest.fixture(scope="module")
def geneva() -> Scenario:
    return load_scenario(DEFAULT)


@pytest.fixture(scope="module")
def deterrence_sweep(tmp_path_factory) -> tuple[Path, list[dict]]:
    out = tmp_path_factory.mktemp("sweep")
    return out, run_sweep(out, "ceasefire.monitoring.deterrence=0.3,0.6,0.9")


def test_differences_are_those_stats_computes_from_the_saved_replications(deterrence_sweep):
    out, points = deterrence_sweep
    rows = read_csv(out / "sweep.csv")
    _, ref_results, _, _ = read_run(out / "points" / "000")
    assert len(points) == len(rows) == 3
    for k, (point, row) in enumerate(zip(points, rows, strict=True)):
        scenario, results, summary, _ = read_run(out / "points" / f"{k:03d}")
        assert summary["diff_from_reference"] == point["diff_from_reference"]
        diff = point["diff_from_reference"]
        assert diff["reference"] == {"ceasefire.monitoring.deterrence": 0.3}
        assert diff["runs"] == int(RUNS)
        if k == 0:
            continue
        want = compare(results, ref_results, scenario)
        got = [("agreement", diff["p_agreement"], want["p_agreement"])]
        got += [(f"hold_{m}", diff["p_hold"][m], want["p_hold"][m]) for m, _ in milestones(scenario)]
        for name, d, w in got:
            for f, suffix in zip(FIELDS, ("", "_low", "_high"), strict=True):
                assert d[f] == pytest.approx(w[f], abs=1e-12), (k, name, f)
                assert num(row[f"d_{name}{suffix}"]) == pytest.approx(w[f], abs=1e-12)
        # the paired estimate is the difference of the two points' own estimates
        for m, _ in milestones(scenario):
            assert diff["p_hold"][m]["estimate"] == pytest.approx(
                point["p_hold"][m]["estimate"] - points[0]["p_hold"][m]["estimate"], abs=1e-12)
        # monitoring acts after the talks: on common random numbers agreement is unchanged
        assert diff["p_agreement"]["estimate"] == 0


def test_the_reference_row_is_the_first_point_with_zero_difference(deterrence_sweep):
    out, points = deterrence_sweep
    ref_row = read_csv(out / "sweep.csv")[0]
    assert ref_row["ceasefire.monitoring.deterrence"] == "0.3"
    for name in ("agreement", "hold_48h", "hold_7d", "hold_30d"):
        assert num(ref_row[f"d_{name}"]) == 0
        assert ref_row[f"d_{name}_low"] == ref_row[f"d_{name}_high"] == ""
    diff = points[0]["diff_from_reference"]
    for d in (diff["p_agreement"], *diff["p_hold"].values()):
        assert d == {"estimate": 0.0, "low": None, "high": None}


def test_csv_keeps_the_old_columns_and_adds_the_differences(deterrence_sweep):
    out, _ = deterrence_sweep
    with (out / "sweep.csv").open(newline="") as fh:
        head = next(csv.reader(fh))
    assert head[:1 + len(OLD_HEAD)] == ["ceasefire.monitoring.deterrence", *OLD_HEAD]
    assert head[1 + len(OLD_HEAD):] == [
        f"d_{name}{s}" for name in ("agreement", "hold_48h", "hold_7d", "hold_30d")
        for s in ("", "_low", "_high")] + ["partial"]
    assert {row["partial"] for row in read_csv(out / "sweep.csv")} == {"0"}


def test_a_parameter_with_no_effect_gives_exactly_zero_difference(tmp_path):
    # a limit no replication comes near: it changes no draw and no decision
    points = run_sweep(tmp_path, "ceasefire.max_acts=50000,60000")
    assert [p["params"]["ceasefire.max_acts"] for p in points] == [50000, 60000]
    diff = points[1]["diff_from_reference"]
    assert diff["runs"] == int(RUNS)
    for d in (diff["p_agreement"], *diff["p_hold"].values()):
        assert d["estimate"] == 0
        assert d["low"] <= 0 <= d["high"]
    rows = read_csv(tmp_path / "sweep.csv")
    for name in ("agreement", "hold_48h", "hold_7d", "hold_30d"):
        assert num(rows[1][f"d_{name}"]) == 0


def test_the_table_shows_the_differences_under_the_estimates(tmp_path):
    table = run_sweep(tmp_path, "ceasefire.monitoring.deterrence=0.3,0.6", json_out=False)
    lines = table.splitlines()
    assert max(len(line) for line in lines) <= 100
    assert "deterrence: ceasefire.monitoring.deterrence" in table
    start = next(i for i, line in enumerate(lines) if line.startswith("Paired difference"))
    head, ref, other = lines[start + 1:start + 4]
    assert head.split() == ["deterrence", "P(agreement)", "P(hold", "48h)", "P(hold", "7d)",
                            "P(hold", "30d)"]
    assert ref.split() == ["0.3", "reference"]
    rows = read_csv(tmp_path / "sweep.csv")
    cells = [f"{100 * num(rows[1][f'd_{n}']):+.1f} [{100 * num(rows[1][f'd_{n}_low']):+.1f}, "
             f"{100 * num(rows[1][f'd_{n}_high']):+.1f}]"
             for n in ("agreement", "hold_48h", "hold_7d", "hold_30d")]
    assert other.split() == ["0.6", *" ".join(cells).split()]
    # each difference sits in the column of its estimate
    for cell, title in zip(cells, ("P(agreement)", "P(hold 48h)", "P(hold 7d)", "P(hold 30d)"),
                           strict=True):
        assert other.index(cell) + len(cell) == head.index(title) + len(title)


def test_table_names_keys_by_their_shortest_distinct_suffix():
    rows = [{"params": {"a.x.min": 0, "b.y.min": 1}, "summary": {
        "scenario": "s", "runs": 10, "seed": 1, "p_agreement": {"estimate": 0.5, "low": 0.2, "high": 0.8},
        "p_hold": {}, "diff_from_reference": None}}]
    text = sweep_text(rows, ["a.x.min", "b.y.min"], [])
    assert "x.min: a.x.min" in text and "y.min: b.y.min" in text
    assert sweep_text([], ["k"], ["7d"]) == "The sweep has no points."


def test_an_interrupted_point_is_paired_on_the_replications_both_ran(geneva):
    other = with_overrides(geneva, {"ceasefire.monitoring.deterrence": 0.9})
    with Runner(workers=1) as runner:
        ref_results = runner.run(geneva, 80, 5).results
        full = runner.run(other, 80, 5).results
    ref = SweepPoint({}, geneva, ref_results, {})
    part = full.below(50)
    diff = reference_difference(SweepPoint({}, other, part, {}), ref)
    want = compare(part, ref_results.below(50), geneva)
    assert diff["runs"] == 50
    assert diff["p_agreement"] == pytest.approx(want["p_agreement"])
    for m in want["p_hold"]:
        assert diff["p_hold"][m] == pytest.approx(want["p_hold"][m])


def test_sweeping_a_milestone_compares_each_side_at_its_own_hours(geneva):
    with Runner(workers=1) as runner:
        points, interrupted = sweep(geneva, [("ceasefire.milestones.7d", [168.0, 96.0])],
                                    runner, 120, 3)
    assert not interrupted
    ref, moved = points
    d = moved.summary["diff_from_reference"]["p_hold"]["7d"]
    want = (moved.results.held(96.0).astype(float) - ref.results.held(168.0)).mean()
    assert d["estimate"] == pytest.approx(want)
    assert d["estimate"] >= 0  # holding 96 h is never rarer than holding 168 h


# -- ranges ----------------------------------------------------------------------


def test_integer_ends_give_integers_when_every_value_is_whole():
    for spec, want in [("0:4:3", [0, 2, 4]), ("-2:2:5", [-2, -1, 0, 1, 2]),
                       ("10:0:3", [10, 5, 0])]:
        _, values = parse_param(f"k={spec}")
        assert values == want and all(type(v) is int for v in values), spec


def test_float_ends_or_fractional_steps_give_floats():
    for spec, want in [("0:1:3", [0.0, 0.5, 1.0]), ("0.0:4.0:3", [0.0, 2.0, 4.0]),
                       ("0:4.0:3", [0.0, 2.0, 4.0]), ("0:1:11", [k / 10 for k in range(11)]),
                       ("0:0.9:4", [0.0, 0.3, 0.6, 0.9]), ("0:4:4", [0.0, 4 / 3, 8 / 3, 4.0])]:
        _, values = parse_param(f"k={spec}")
        assert values == want and all(type(v) is float for v in values), spec


@given(start=st.integers(-50, 50), stop=st.integers(-50, 50), num=st.integers(2, 12))
def test_integer_range_is_evenly_spaced_with_both_ends(start, stop, num):
    if start == stop:  # every point the same: refused, not run num times
        with pytest.raises(ScenarioError, match="distinct values"):
            parse_param(f"k={start}:{stop}:{num}")
        return
    _, values = parse_param(f"k={start}:{stop}:{num}")
    assert len(values) == num
    assert values[0] == start and values[-1] == stop
    whole = (stop - start) % (num - 1) == 0
    assert all(type(v) is (int if whole else float) for v in values)
    steps = [b - a for a, b in itertools.pairwise(values)]
    assert max(steps) - min(steps) <= 1e-9 * max(1, abs(stop - start))


def test_bad_ranges_are_refused():
    for spec in ("0:1:1", "0:one:3", "0:1:2.5", "inf:1:3"):
        with pytest.raises(ScenarioError):
            parse_param(f"k={spec}")


@pytest.mark.parametrize("spec", ["0:1", "0:1:2:3", "0.3:0.6,0.9"])
def test_numbers_joined_by_colons_but_not_three_are_a_malformed_range(spec):
    """``0:1`` (a range missing its count) was read as the text '0:1', and refused as
    not a number, with no word of ranges."""
    with pytest.raises(ScenarioError) as err:
        parse_param(f"k={spec}")
    assert err.value.allowed.startswith("a range of three parts, start:stop:num")


def test_text_with_a_colon_is_still_a_value():
    assert parse_param('k="a:b",c:d') == ("k", ["a:b", "c:d"])


def test_an_integer_field_can_be_swept_by_range(tmp_path):
    points = run_sweep(tmp_path, "ceasefire.convoys.max_per_pause=0:4:3")
    assert [p["params"]["ceasefire.convoys.max_per_pause"] for p in points] == [0, 2, 4]
    saved = load_scenario(tmp_path / "points" / "002" / "scenario.toml")
    assert saved.spec.ceasefire.convoys.max_per_pause == 4
    assert [r["ceasefire.convoys.max_per_pause"] for r in read_csv(tmp_path / "sweep.csv")] == [
        "0", "2", "4"]


def test_an_integer_field_refuses_a_range_naming_the_value_that_is_not_whole(geneva):
    """``0:3:3`` is 0.0, 1.5, 3.0: the error named 0.0, a whole number, as the bad value."""
    from sim.experiments import parse_params, sweep_scenarios

    with pytest.raises(ScenarioError) as err:
        sweep_scenarios(geneva, parse_params(["ceasefire.convoys.max_per_pause=0:3:3"]))
    assert (err.value.path, err.value.value) == ("ceasefire.convoys.max_per_pause", 1.5)
    assert "whole" in err.value.allowed and "0, 1.5, 3" in err.value.allowed


# -- checked before running, and nothing computed is lost ---------------------------


def refuse_runs(monkeypatch, allowed: int = 0) -> list[int]:
    """Let ``allowed`` runs through, then fail the test; returns the list of run sizes."""
    real = Runner.run
    calls: list[int] = []

    def run(self, scenario, runs, *args, **kwargs):
        calls.append(runs)
        assert len(calls) <= allowed, "ran a point before every point was checked"
        return real(self, scenario, runs, *args, **kwargs)

    monkeypatch.setattr(Runner, "run", run)
    return calls


def sweep_status(out: Path, *params: str) -> int:
    args = ["sweep", str(DEFAULT), "--runs", "20", "--workers", "1", "--no-progress",
            "--out", str(out)]
    for p in params:
        args += ["--param", p]
    with contextlib.redirect_stdout(io.StringIO()):
        return run_sim.main(args)


def test_a_bad_value_in_a_later_point_is_refused_before_any_point_runs(tmp_path, monkeypatch,
                                                                       capsys):
    refuse_runs(monkeypatch)
    out = tmp_path / "sweep"
    assert sweep_status(out, "ceasefire.monitoring.deterrence=0.3,0.5,7") == 2
    err = capsys.readouterr().err
    assert "ceasefire.monitoring.deterrence: bad value 7" in err
    assert not out.exists()


def test_a_point_failing_while_it_runs_keeps_the_points_before_it(tmp_path, monkeypatch, capsys):
    real = Runner.run

    def run(self, scenario, runs, *args, **kwargs):
        if scenario.spec.ceasefire.max_acts == 20:  # as a runaway replication would
            raise ScenarioError(scenario.file, "ceasefire.max_acts", 20, "a larger limit")
        return real(self, scenario, runs, *args, **kwargs)

    monkeypatch.setattr(Runner, "run", run)
    out = tmp_path / "sweep"
    args = ["sweep", str(DEFAULT), "--runs", "20", "--workers", "1", "--no-progress",
            "--param", "ceasefire.max_acts=100000,50000,20,10", "--out", str(out), "--json"]
    assert run_sim.main(args) == 2
    printed = capsys.readouterr()
    assert [p["params"]["ceasefire.max_acts"] for p in json.loads(printed.out)] == [100000, 50000]
    assert f"stopped after 2 of 4 points (saved in {out})" in printed.err
    assert printed.err.splitlines()[-1].startswith("error: ")
    assert "ceasefire.max_acts: bad value 20" in printed.err
    rows = read_csv(out / "sweep.csv")
    assert [r["ceasefire.max_acts"] for r in rows] == ["100000", "50000"]
    assert sorted(p.name for p in (out / "points").iterdir()) == ["000", "001"]
    assert read_run(out / "points" / "001")[2]["runs"] == 20


def test_a_replication_past_the_limits_keeps_the_runs_its_point_finished(tmp_path, capsys):
    """The point whose replication a low ``max_acts`` refuses is saved, partial, with
    the replications finished before it, as a run keeps them: it used to be dropped."""
    out = tmp_path / "sweep"
    args = ["sweep", str(DEFAULT), "--runs", "600", "--workers", "1", "--no-progress",
            "--param", "ceasefire.max_acts=100000,102", "--out", str(out)]
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        assert run_sim.main(args) == 2
    assert "(PARTIAL: stopped by the error below; the last point has" in printed.getvalue()
    err = capsys.readouterr().err
    assert f"the sweep stopped during point 2 of 2, with its finished runs (saved in {out})" in err
    assert "ceasefire.max_acts: bad value 102" in err
    kept = json.loads((out / "points" / "001" / "summary.json").read_text())
    assert kept["partial"] is True and 0 < kept["runs"] < 600 and "max_acts" in kept["error"]
    assert [r["partial"] for r in read_csv(out / "sweep.csv")] == ["0", "1"]


def test_points_may_sweep_the_milestones_themselves(tmp_path):
    points = run_sweep(tmp_path, 'ceasefire.milestones={"48h"=48.0},{"7d"=168.0}')
    assert [list(p["p_hold"]) for p in points] == [["48h"], ["7d"]]
    rows = read_csv(tmp_path / "sweep.csv")
    assert rows[0]["p_hold_48h"] != "" and rows[0]["p_hold_7d"] == ""
    assert rows[1]["p_hold_48h"] == "" and rows[1]["p_hold_7d"] != ""
    assert rows[1]["d_agreement"] != "" and rows[1]["d_hold_7d"] == ""  # no 7d in the reference
    for k in range(2):
        assert (tmp_path / "points" / f"{k:03d}" / "runs.csv").exists()
    table = run_sweep(tmp_path / "again", 'ceasefire.milestones={"48h"=48.0},{"7d"=168.0}',
                      json_out=False)
    assert "P(hold 48h)" in table and "P(hold 7d)" in table and "n/a" in table


def test_sweep_refuses_an_out_that_holds_an_earlier_sweep(tmp_path, monkeypatch, capsys):
    refuse_runs(monkeypatch)
    for name, make in (("sweep.csv", Path.touch), ("points", Path.mkdir)):
        out = tmp_path / name.replace(".", "_")
        out.mkdir()
        make(out / name)
        assert sweep_status(out, "ceasefire.max_acts=50000,60000") == 2
        err = capsys.readouterr().err
        assert f"--out: bad value {str(out)!r}" in err and name in err


def test_a_key_given_twice_is_refused(tmp_path, monkeypatch, capsys):
    refuse_runs(monkeypatch)
    key = "ceasefire.monitoring.deterrence"
    with pytest.raises(ScenarioError, match="each KEY once"):
        parse_params([f"{key}=0.1,0.2", f"{key}=0.3,0.9"])
    assert sweep_status(tmp_path / "sweep", f"{key}=0.1,0.2", f"{key}=0.3,0.9") == 2
    assert f"--param: {key}: bad value '{key}=0.3,0.9'" in capsys.readouterr().err


def test_too_many_values_or_points_are_refused_before_building_them():
    with pytest.raises(ScenarioError, match="num from 2 to 10,000"):
        parse_param("k=0:1:100000000000")
    with pytest.raises(ScenarioError, match="at most 10,000 values"):
        parse_param("k=" + ",".join(["1"] * 10_001))
    assert len(parse_param("k=0:1:10000")[1]) == 10_000
    with pytest.raises(ScenarioError, match="at most 10,000 points"):
        parse_params(["a=0:1:200", "b=0:1:200"])
    assert [k for k, _ in parse_params(["a=0:1:100", "b=0:1:100"])] == ["a", "b"]


def test_compare_checks_the_milestones_before_running(monkeypatch, capsys):
    refuse_runs(monkeypatch)
    other = DEFAULT.parent / "aleppo_48h_pause.toml"
    assert run_sim.main(["compare", str(DEFAULT), str(other), "--runs", "50", "--workers", "1",
                         "--no-progress"]) == 2
    assert "ceasefire.milestones" in capsys.readouterr().err


def test_a_param_key_that_cannot_be_set_is_reported_against_param(capsys):
    for key in ("parties.x..y", "parties.russia.role.x"):
        status = run_sim.main(["sweep", str(DEFAULT), "--param", f"{key}=1,2", "--runs", "5",
                               "--workers", "1", "--no-progress"])
        err = capsys.readouterr().err
        assert status == 2 and err.startswith("error: --param: ") and key in err


def test_a_sweep_killed_outright_keeps_the_points_it_finished(tmp_path):
    """Points used to be written when the sweep ended: a SIGKILL lost all of them."""
    out = tmp_path / "sweep"
    def saved_points() -> int:  # sweep.csv is replaced whole, so it is never half written
        with contextlib.suppress(FileNotFoundError), (out / "sweep.csv").open() as fh:
            return len(list(csv.DictReader(fh)))
        return 0

    with running(
            [sys.executable, str(ROOT / "run_sim.py"), "sweep", str(DEFAULT), "--param",
             "ceasefire.imposed.delineation=0,0.25,0.5,0.75,1", "--runs", "3000", "--workers",
             "1", "--no-progress", "--out", str(out)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT) as proc:
        deadline = time.time() + 120
        while saved_points() < 2 and time.time() < deadline:
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    with (out / "sweep.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    assert 2 <= len(rows) < 5
    for k in range(len(rows)):
        assert json.loads((out / "points" / f"{k:03d}" / "summary.json").read_text())["runs"] == 3000


def test_huge_and_nearly_equal_integers_are_distinct_values():
    _, values = parse_param("k=9007199254740992,9007199254740993")
    assert values == [9007199254740992, 9007199254740993]
    big = "1" + "0" * 400
    _, values = parse_param(f"k={big},2")
    assert values == [int(big), 2]


def test_a_huge_integer_in_a_sweep_is_refused_by_name(capsys):
    import run_sim

    status = run_sim.main(["sweep", str(DEFAULT), "--param",
                           "ceasefire.max_acts=1" + "0" * 400 + ",2", "--runs", "5",
                           "--workers", "1", "--no-progress"])
    assert status == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "ceasefire.max_acts" in err and "Traceback" not in err


def test_one_key_spelt_two_ways_is_one_key():
    from sim.experiments import parse_params

    for other in ('"ceasefire".max_acts=7000', "ceasefire . max_acts=7000"):
        with pytest.raises(ScenarioError, match="each KEY once"):
            parse_params(["ceasefire.max_acts=5000,6000", other])


def test_a_param_may_list_exactly_the_most_values_allowed():
    from sim.errors import ScenarioError
    from sim.experiments import MAX_VALUES, parse_param

    values = ",".join(str(v) for v in range(MAX_VALUES))
    assert len(parse_param(f"x={values}")[1]) == MAX_VALUES
    with pytest.raises(ScenarioError):
        parse_param(f"x={values},{MAX_VALUES}")


def test_sweep_csv_holds_each_points_estimate_between_its_interval_ends(tmp_path, capsys):
    import csv
    import json

    import run_sim

    out = tmp_path / "sweep"
    assert run_sim.main(["sweep", str(DEFAULT), "--param", "parties.us.no_deal=0.1,0.3",
                         "--runs", "100", "--workers", "1", "--no-progress", "--json",
                         "--out", str(out)]) == 0
    points = json.loads(capsys.readouterr().out)
    with (out / "sweep.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    for row, point in zip(rows, points, strict=True):
        for name, interval in [("p_agreement", point["p_agreement"]),
                               *((f"p_hold_{m}", p) for m, p in point["p_hold"].items())]:
            assert [float(row[name + s]) for s in ("", "_low", "_high")] == pytest.approx(
                [interval["estimate"], interval["low"], interval["high"]])
            assert float(row[name + "_low"]) <= float(row[name]) <= float(row[name + "_high"])


def test_sweep_points_remember_which_option_set_the_base_scenarios_values():
    """A problem found while a sweep point runs (ceasefire.max_acts too low) must be
    reported against --set when --set gave that value, not against the file."""
    from sim.scenario import with_overrides

    base = load_scenario(DEFAULT, ["ceasefire.max_acts=5"])
    point = with_overrides(base, {"ceasefire.monitoring.notice": 0.5}, "--param")
    assert point.setter("ceasefire.max_acts") == "--set"
    assert point.setter("ceasefire.monitoring.notice") == "--param"
    assert point.where("ceasefire.max_acts") == f"{DEFAULT} with --set"


def test_a_table_swept_is_labelled_as_toml_writes_it(capsys):
    """Rows of a sweep over a table were labelled in Python's spelling, {'48h': 48.0}."""
    import run_sim

    assert run_sim.main(["sweep", str(DEFAULT), "--param",
                         'ceasefire.milestones={"48h"=48.0},{"48h"=24.0}', "--runs", "20",
                         "--workers", "1", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "{ 48h = 48.0 }" in out and "{ 48h = 24.0 }" in out and "'48h'" not in out


def test_a_range_extended_by_a_step_gives_the_same_values():
    """0.02:0.14:7 and 0.02:0.16:8 share their first seven values exactly (a resume
    extending the first with the second was refused over 0.12000000000000002), and no
    value is a float-noise neighbour of a short decimal."""
    _, seven = parse_param("k=0.02:0.14:7")
    _, eight = parse_param("k=0.02:0.16:8")
    assert eight[:7] == seven and seven[5] == 0.12
    for a, b, num in [(0.1, 0.9, 9), (0.0, 0.3, 4), (0.05, 0.35, 7), (-0.3, 0.3, 7)]:
        _, values = parse_param(f"k={a}:{b}:{num}")
        assert all(v == float(f"{v:.12g}") for v in values), values


@pytest.mark.parametrize(("command", "values", "column"), [
    (["sweep"], '{"7d"=168.0},{"7d_low"=100.0}', "p_hold_7d_low"),
    (["sweep"], '{"7d"=168.0},{"given_agreement_7d"=100.0}', "p_hold_given_agreement_7d"),
    (["compare", "--set", "ceasefire.monitoring.coverage=0.5"], '{"7d"=168.0},{"7d_high"=100.0}',
     "a_hold_7d_high"),
])
def test_milestone_labels_of_two_points_that_would_name_one_column_are_refused(
        command, values, column, capsys):
    """Each point's labels passed alone, and sweep.csv (or compare_sweep.csv) got two
    columns of one name: one point's interval end and another's estimate."""
    args = [command[0], str(DEFAULT), *command[1:], "--param", f"ceasefire.milestones={values}",
            "--runs", "10", "--workers", "1", "--no-progress"]
    assert run_sim.main(args) == 2
    err = capsys.readouterr().err
    assert "at another point" in err and f"(both would name {column})" in err


@pytest.mark.parametrize("table", ["sweep", "compare_sweep", "backtest"])
def test_the_columns_a_label_is_checked_for_are_the_columns_the_table_writes(table, tmp_path):
    """The clash check (sim.validation.label_columns) keeps its own list of how each
    table names a milestone's columns; this holds it to what the writers write, so a
    column added to a table without it would let a label clash unchecked."""
    doc = oracle_doc(0.0, 0.5, 0.1, 0.25)
    doc["ceasefire"]["milestones"] = {"zz": 48.0}
    doc["name"] = "labelled"
    doc["observed"] = {"agreed": True, "hours_held": 720.0, "collapsed": False}
    (tmp_path / "cases").mkdir()
    path = tmp_path / "cases" / "labelled.toml"
    path.write_text(toml_dumps(doc), encoding="utf-8")
    out = tmp_path / "out"
    sweep_param = ["--param", "ceasefire.monitoring.coverage=0.2,0.4"]
    command = {"sweep": ["sweep", str(path), *sweep_param],
               "compare_sweep": ["compare", str(path), "--set", "ceasefire.monitoring.notice=0.5",
                                 *sweep_param],
               "backtest": ["backtest", str(tmp_path / "cases")]}[table]
    assert run_sim.main([*command, "--runs", "5", "--workers", "1", "--no-progress",
                         "--out", str(out)]) == 0
    with (out / f"{table}.csv").open(newline="", encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    assert sorted(c for c in header if "zz" in c) == sorted(label_columns("zz", table))
