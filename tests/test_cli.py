"""End-to-end command line: run, trace, validate, schema; outputs and reproducibility."""

from __future__ import annotations

import csv
import json
import tomllib

from helpers import DEFAULT, cli

import run_sim
from sim.output import read_run
from sim.scenario import load_scenario


def run_json(capsys, *args: str) -> dict:
    assert run_sim.main(["run", str(DEFAULT), "--workers", "1", "--no-progress", "--json",
                         *args]) == 0
    return json.loads(capsys.readouterr().out)


def test_run_json_has_the_documented_keys(capsys):
    summary = run_json(capsys, "--runs", "200", "--seed", "3")
    for key in ("scenario", "runs", "seed", "p_agreement", "p_hold", "p_hold_given_agreement",
                "median_hold_hours", "collapse_causes", "events", "wall_seconds"):
        assert key in summary, key
    assert summary["scenario"] == "geneva_2016"
    assert summary["runs"] == 200 and summary["seed"] == 3
    assert set(summary["p_hold"]) == {"48h", "7d", "30d"}
    for p in [summary["p_agreement"], *summary["p_hold"].values(),
              *summary["p_hold_given_agreement"].values()]:
        assert set(p) == {"estimate", "low", "high"}
        assert 0 <= p["low"] <= p["estimate"] <= p["high"] <= 1
    # holding longer is never more likely
    holds = [summary["p_hold"][m]["estimate"] for m in ("48h", "7d", "30d")]
    assert holds == sorted(holds, reverse=True)
    assert summary["p_hold"]["48h"]["estimate"] <= summary["p_agreement"]["estimate"]
    if summary["collapse_causes"]:
        assert abs(sum(summary["collapse_causes"].values()) - 1) < 1e-9
    assert summary["events"] > 0


def test_same_seed_same_output_different_seed_differs(capsys):
    a = run_json(capsys, "--runs", "150", "--seed", "9")
    b = run_json(capsys, "--runs", "150", "--seed", "9")
    c = run_json(capsys, "--runs", "150", "--seed", "10")
    for s in (a, b, c):
        s.pop("wall_seconds")
        s.pop("runs_per_second")
    assert a == b
    assert a != c


def test_human_summary_mentions_every_estimate(capsys):
    assert run_sim.main(["run", str(DEFAULT), "--runs", "100", "--workers", "1",
                         "--no-progress"]) == 0
    out = capsys.readouterr().out
    for text in ("P(agreement)", "48h", "7d", "30d", "given agreement", "median hours held"):
        assert text in out


def test_out_dir_holds_runs_summary_scenario_manifest(tmp_path, capsys):
    out = tmp_path / "run"
    assert run_sim.main(["run", str(DEFAULT), "--runs", "120", "--seed", "4", "--workers", "1",
                         "--no-progress", "--out", str(out),
                         "--set", "parties.jfs.behaviour.attack_rate=2.0"]) == 0
    capsys.readouterr()
    for name in ("runs.csv", "summary.json", "scenario.toml", "manifest.json"):
        assert (out / name).exists(), name
    with (out / "runs.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 120
    assert [int(r["replication"]) for r in rows] == list(range(120))
    saved = tomllib.loads((out / "scenario.toml").read_text())
    assert saved["parties"]["jfs"]["behaviour"]["attack_rate"] == 2.0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 4
    assert {"numpy", "simpy", "pydantic"} <= set(manifest["packages"])
    # the directory reads back to the same numbers
    scenario, results, summary, _ = read_run(out)
    assert scenario.spec.parties["jfs"].behaviour.attack_rate == 2.0
    assert int(results.columns["agreed"].sum()) == round(
        summary["p_agreement"]["estimate"] * 120)


def test_saved_scenario_reloads_identically(tmp_path, capsys):
    out = tmp_path / "run"
    assert run_sim.main(["run", str(DEFAULT), "--runs", "20", "--workers", "1",
                         "--no-progress", "--out", str(out)]) == 0
    capsys.readouterr()
    assert load_scenario(out / "scenario.toml").spec == load_scenario(DEFAULT).spec


def test_trace_prints_events_in_time_order_and_the_ending(capsys):
    # search a few seeds for one that reaches a ceasefire, so every part is exercised
    for seed in range(20):
        assert run_sim.main(["trace", str(DEFAULT), "--seed", str(seed)]) == 0
        out = capsys.readouterr().out
        if "ceasefire" in out:
            break
    lines = [ln for ln in out.splitlines() if ln[:8].strip().replace(".", "").isdigit()]
    times = [float(ln.split()[0]) for ln in lines]
    assert times == sorted(times)
    assert "round" in out and "ceasefire" in out and "Outcome:" in out
    assert "trust" in out


def test_trace_json(capsys):
    assert run_sim.main(["trace", str(DEFAULT), "--seed", "1", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["events"] and {"time", "party", "event", "detail"} <= set(data["events"][0])


def test_default_command_runs_the_default_scenario():
    proc = cli("--help")
    assert proc.returncode == 0 and "run" in proc.stdout
    proc = cli(env={"CI": "true"}, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "geneva_2016" in proc.stdout and "P(agreement)" in proc.stdout
