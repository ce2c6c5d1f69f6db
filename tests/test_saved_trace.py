"""``trace --out DIR`` keeps its scenario beside its record, and ``plot DIR`` draws the
figure ``trace --plot`` drew: from the replication run again on the saved scenario,
and only if it gives the saved events."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import DEFAULT, ROOT, quiet

import run_sim
from sim.drawable import plottable
from sim.scenario import load_scenario

KERRY = ROOT / "scenarios" / "kerry_lavrov_sep_2016.toml"
SET = "ceasefire.horizon_hours=800"


@pytest.fixture(scope="module")
def traces(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two traces in one folder, one with a --set value, each drawn by --plot."""
    out = tmp_path_factory.mktemp("traces") / "out"
    assert quiet(["trace", str(DEFAULT), "--seed", "5", "--replication", "3", "--set", SET,
                  "--out", str(out), "--plot"]) == 0
    assert quiet(["trace", str(KERRY), "--out", str(out), "--plot"]) == 0
    return out


def copy(traces: Path, tmp_path: Path) -> Path:
    out = tmp_path / "out"
    out.mkdir()
    for path in traces.iterdir():
        (out / path.name).write_bytes(path.read_bytes())
    return out


def test_plot_draws_each_trace_as_trace_plot_drew_it(traces: Path, tmp_path: Path) -> None:
    out = copy(traces, tmp_path)
    drawn = {path.name: path.read_bytes() for path in out.glob("*.png")}
    assert sorted(drawn) == ["trace_2016_0.png", "trace_5_3.png"]
    for name in drawn:
        (out / name).unlink()
    assert quiet(["plot", str(out)]) == 0
    assert {path.name: path.read_bytes() for path in out.glob("*.png")} == drawn


def test_the_saved_scenario_is_the_one_that_ran(traces: Path) -> None:
    """The copy holds the --set value and loads alone (no extends to look up)."""
    saved = load_scenario(traces / "trace_5_3.toml")
    assert saved.spec.ceasefire.horizon_hours == 800
    assert "extends" not in saved.raw
    assert saved.raw == load_scenario(DEFAULT, [SET]).raw
    kind, data = plottable(traces)
    assert kind == "traces"
    by_seed = {trace["seed"]: trace for trace in data["traces"]}
    assert by_seed[5]["scenario"].label == f"{saved.name} with {SET}"  # the caption's, as --plot's
    assert by_seed[5]["outcome"].replication == 3 and by_seed[2016]["outcome"].replication == 0


def test_the_record_says_which_replication_and_carries_each_value(traces: Path) -> None:
    record = json.loads((traces / "trace_5_3.json").read_text(encoding="utf-8"))
    assert (record["seed"], record["replication"], record["sets"]) == (5, 3, [SET])
    trust = [e for e in record["events"] if e["event"] == "trust"]
    assert trust and all(isinstance(e["value"], float) and 0 <= e["value"] <= 1 for e in trust)
    assert all(e["value"] is None for e in record["events"] if e["event"] == "violation")
    advances = [e for e in record["events"] if e["event"] == "advance"]
    assert advances and all(f"{e['party']}={e['value']:.2f}" in e["detail"] for e in advances)


def test_a_record_whose_events_differ_is_refused(traces: Path, tmp_path: Path, capsys) -> None:
    """An edited record, or one an older model saved, would be drawn as another
    replication than it holds: refused, naming the file and how to draw it again."""
    out = copy(traces, tmp_path)
    path = out / "trace_5_3.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    record["events"][0]["time"] = record["events"][0]["time"] + 1.0
    path.write_text(json.dumps(record), encoding="utf-8")
    assert run_sim.main(["plot", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {path}: holds other events than replication 3 of seed 5 "
                          "gives now (it, or its scenario trace_5_3.toml, was edited after it "
                          "was saved)")
    assert "--seed 5 --replication 3 --out DIR --plot" in err and "Traceback" not in err


def test_a_record_an_older_model_saved_is_refused_as_such(traces, tmp_path, capsys) -> None:
    out = copy(traces, tmp_path)
    path = out / "trace_5_3.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    record["version"], record["events"] = "0.0.1", record["events"][1:]
    path.write_text(json.dumps(record), encoding="utf-8")
    assert run_sim.main(["plot", str(out)]) == 2
    assert "(it was saved by version 0.0.1, this is " in capsys.readouterr().err


def test_a_record_without_its_scenario_is_refused(traces: Path, tmp_path: Path, capsys) -> None:
    out = copy(traces, tmp_path)
    (out / "trace_2016_0.toml").unlink()
    assert run_sim.main(["plot", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {out / 'trace_2016_0.toml'}: missing: trace_2016_0.json is drawn")


@pytest.mark.parametrize(("change", "told"), [
    (lambda r: r.pop("seed"), "seed: present: this record was saved by a version"),
    (lambda r: r.update(replication=-1), "replication: bad value -1; a whole number from 0"),
    (lambda r: r.update(seed="5"), "seed: bad value '5'; a whole number from 0"),
    (lambda r: r.update(sets="x"), "sets: bad value 'x'; a list of the --set texts"),
])
def test_a_damaged_record_is_named_not_a_traceback(traces, tmp_path, capsys, change, told) -> None:
    out = copy(traces, tmp_path)
    path = out / "trace_5_3.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    change(record)
    path.write_text(json.dumps(record), encoding="utf-8")
    assert run_sim.main(["plot", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {path}: {told}") and "Traceback" not in err


def test_a_record_that_is_not_json_is_named(traces: Path, tmp_path: Path, capsys) -> None:
    out = copy(traces, tmp_path)
    (out / "trace_5_3.json").write_text("{not json", encoding="utf-8")
    assert run_sim.main(["plot", str(out)]) == 2
    assert "trace_5_3.json: a trace record as 'trace --out' writes it" in capsys.readouterr().err


def test_a_trace_is_not_saved_over_an_earlier_ones_scenario(tmp_path: Path, capsys) -> None:
    """The scenario is one of the trace's files: one left there is not replaced."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "trace_2016_0.toml").write_text("kept", encoding="utf-8")
    assert run_sim.main(["trace", str(DEFAULT), "--out", str(out)]) == 2
    assert "holds trace_2016_0.toml" in capsys.readouterr().err
    assert (out / "trace_2016_0.toml").read_text(encoding="utf-8") == "kept"
    assert not (out / "trace_2016_0.json").exists()


def test_other_json_files_beside_the_traces_are_left_alone(traces: Path, tmp_path: Path) -> None:
    """Only trace_<seed>_<replication>.json is a saved record: a note or a copy beside
    them is neither read nor drawn (a copy would have drawn over the original's figure)."""
    out = copy(traces, tmp_path)
    (out / "trace_notes.json").write_text('{"note": "x"}', encoding="utf-8")
    (out / "trace_5_3 copy.json").write_bytes((out / "trace_5_3.json").read_bytes())
    kind, data = plottable(out)
    assert kind == "traces" and sorted(t["seed"] for t in data["traces"]) == [5, 2016]


def test_an_edited_scenario_is_named_with_its_record(traces: Path, tmp_path: Path, capsys) -> None:
    out = copy(traces, tmp_path)
    scenario = out / "trace_5_3.toml"
    scenario.write_text(scenario.read_text(encoding="utf-8").replace(
        "attack_rate = 3.0", "attack_rate = 1.5", 1), encoding="utf-8")
    assert run_sim.main(["plot", str(out)]) == 2
    assert "(it, or its scenario trace_5_3.toml, was edited after it was saved)" in \
        capsys.readouterr().err


def test_traces_beside_a_run_are_said_not_drawn(tmp_path: Path, capsys) -> None:
    """trace --out may write into a run's directory: plot draws the run's figures, and
    says the traces there are not drawn, rather than leave the user to wonder why."""
    out = tmp_path / "run"
    assert quiet(["run", str(DEFAULT), "--runs", "20", "--workers", "1", "--no-progress",
                  "--out", str(out)]) == 0
    assert quiet(["trace", str(DEFAULT), "--out", str(out)]) == 0
    capsys.readouterr()
    assert quiet(["plot", str(out)]) == 0
    assert (f"note: {out} also holds trace_2016_0.json, not drawn with its results"
            in capsys.readouterr().err)
    assert not list(out.glob("trace_*.png"))
