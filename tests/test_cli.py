"""End-to-end command line: run, trace, validate, schema; outputs and reproducibility."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import tomllib

import matplotlib.pyplot as plt
import pytest
from helpers import DEFAULT, ROOT, cli

import run_sim
from plots.style import run_caption
from sim.output import read_plottable_run, read_run
from sim.scenario import load_scenario

NO_EFFECT = "ceasefire.max_acts=50000,60000"
"""A sweep that changes nothing (no replication comes near the limit)."""

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
    from importlib import metadata, util

    if util.find_spec("distributed") is not None:  # (the extra: listed where installed)
        assert manifest["packages"]["distributed"] == metadata.version("distributed")
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


def test_trace_says_when_talks_without_agreement_ended_and_what_it_counts(capsys):
    """The deadline was logged at the last round with no word of the deadline itself
    (576 h against 600), and 'Events: 19' under a longer table read as a miscount."""
    status = run_sim.main(["trace", str(DEFAULT), "--replication", "3"])
    out = capsys.readouterr().out
    assert status == 0 and "no agreement after 12 rounds" in out
    assert "no agreement by the deadline (600 h; the last round was at 576 h)" in out
    assert "SimPy events processed: " in out and "\nEvents:" not in out
    # talks that would hold no round at all are refused rather than traced
    assert run_sim.main(["trace", str(DEFAULT), "--set", "negotiation.deadline_hours=10"]) == 2
    assert "no round would be held" in capsys.readouterr().err


def test_a_figure_format_without_figures_to_draw_is_refused(monkeypatch, capsys):
    """--format svg without --plot was accepted and drew nothing, while --plot without
    --out is refused."""
    no_runs(monkeypatch)
    for command in (["run", str(DEFAULT)], ["sweep", str(DEFAULT), "--param", NO_EFFECT],
                    ["compare", str(DEFAULT), "--set", "title=x"], ["trace", str(DEFAULT)]):
        assert run_sim.main([*command, "--format", "svg"]) == 2
        assert "--format: bad value 'svg'; only with --plot" in capsys.readouterr().err
    assert run_sim.main(["backtest", str(DEFAULT.parent), "--format", "svg"]) == 2
    assert "--format: bad value 'svg'; only with --out DIR" in capsys.readouterr().err


def test_trace_json(capsys):
    assert run_sim.main(["trace", str(DEFAULT), "--seed", "1", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["events"] and {"time", "party", "event", "detail"} <= set(data["events"][0])


def test_trace_out_keeps_the_record(tmp_path, capsys):
    out = tmp_path / "trace"
    assert run_sim.main(["trace", str(DEFAULT), "--seed", "1", "--replication", "2", "--json",
                         "--out", str(out)]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert json.loads((out / "trace_1_2.json").read_text(encoding="utf-8")) == printed


def test_default_command_runs_the_default_scenario():
    proc = cli("--help")
    assert proc.returncode == 0 and "run" in proc.stdout
    proc = cli(env={"CI": "true"}, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "geneva_2016" in proc.stdout and "P(agreement)" in proc.stdout


# -- bad options end with exit 2 and one line, before any computation --------------

QUICK = ["--runs", "5", "--workers", "1", "--no-progress"]


def no_runs(monkeypatch):
    """Make any replication fail the test: the command must stop before running."""
    import sim.model
    from sim.runner import Runner

    def refuse(*_args, **_kwargs):
        raise AssertionError("ran replications before checking the options")

    monkeypatch.setattr(Runner, "run", refuse)
    monkeypatch.setattr(sim.model, "run_replication", refuse)


def test_an_out_that_cannot_be_a_directory_is_refused_before_running(tmp_path, monkeypatch,
                                                                      capsys):
    no_runs(monkeypatch)
    afile = tmp_path / "afile"
    afile.write_text("hi\n")
    commands = [["run", str(DEFAULT), *QUICK], ["sweep", str(DEFAULT), "--param", NO_EFFECT,
                                               *QUICK],
                ["compare", str(DEFAULT), "--set", "title=x", *QUICK],
                ["backtest", str(DEFAULT.parent), *QUICK], ["trace", str(DEFAULT), "--plot"]]
    for out in (afile, afile / "sub", "/proc/no/such/dir"):
        for command in commands:
            assert run_sim.main([*command, "--out", str(out)]) == 2, (command, out)
            err = capsys.readouterr().err
            assert err.startswith(f"error: --out: bad value {str(out)!r}"), err
            assert err.count("\n") == 1 and "Traceback" not in err
            if out == afile:  # it said "(File exists)"
                assert "a directory, but it is a file" in err
    assert afile.read_text() == "hi\n"


OUT_COMMANDS = [["run", str(DEFAULT), *QUICK],
                ["sweep", str(DEFAULT), "--param", NO_EFFECT, *QUICK],
                ["compare", str(DEFAULT), "--set", "title=x", *QUICK],
                ["backtest", str(DEFAULT.parent), *QUICK], ["trace", str(DEFAULT), "--plot"]]


def test_an_out_that_refuses_new_files_is_refused_before_running(tmp_path, monkeypatch,
                                                                   capsys):
    """Write permission was judged by ``os.access`` alone, which a root user, a read-only
    file system or a kernel directory (``/sys/kernel``) fools: the whole run went ahead
    and then failed to save. A file is now made and removed first."""
    import tempfile

    import sim.rundir

    no_runs(monkeypatch)

    def refused(*_args, **kwargs):
        raise PermissionError(13, "Permission denied", str(kwargs.get("dir")))

    real = tempfile.NamedTemporaryFile
    monkeypatch.setattr(sim.rundir.tempfile, "NamedTemporaryFile", refused)
    for command in OUT_COMMANDS:
        out = tmp_path / command[0]
        assert run_sim.main([*command, "--out", str(out)]) == 2, command
        err = capsys.readouterr().err
        assert err.startswith(f"error: --out: bad value {str(out)!r}") and "Permission" in err
    monkeypatch.setattr(sim.rundir.tempfile, "NamedTemporaryFile", real)
    sim.rundir.prepare_out(tmp_path / "fine")
    assert list((tmp_path / "fine").iterdir()) == []  # the probe is gone


@pytest.mark.parametrize("empty", ["", "  "])
def test_an_empty_out_is_refused_not_taken_for_the_current_directory(empty, monkeypatch,
                                                                       capsys, tmp_path):
    no_runs(monkeypatch)
    monkeypatch.chdir(tmp_path)
    for command in OUT_COMMANDS:
        with pytest.raises(SystemExit) as info:
            run_sim.main([*command, "--out", empty])
        assert info.value.code == 2
        assert "argument --out: bad value" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("command", "held"), [
    (["compare", str(DEFAULT), "--set", "title=x", *QUICK], "compare.json"),
    (["trace", str(DEFAULT), "--seed", "3", "--replication", "4"], "trace_3_4.json"),
])
def test_an_earlier_result_in_out_is_kept_not_overwritten(command, held, tmp_path, capsys):
    out = tmp_path / "out"
    assert run_sim.main([*command, "--out", str(out)]) == 0
    before = (out / held).read_bytes()
    capsys.readouterr()
    assert run_sim.main([*command, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: --out: bad value {str(out)!r}") and held in err
    assert (out / held).read_bytes() == before


def test_a_failed_write_prints_the_results_first_and_ends_cleanly(tmp_path, monkeypatch, capsys):
    import sim.output

    def full_disk(*_args, **_kwargs):
        raise OSError(28, "No space left on device", str(tmp_path / "run" / "runs.csv"))

    monkeypatch.setattr(sim.output, "write_run", full_disk)
    status = run_sim.main(["run", str(DEFAULT), *QUICK, "--json", "--out", str(tmp_path / "run")])
    captured = capsys.readouterr()
    assert status == 2
    assert json.loads(captured.out)["runs"] == 5  # the results are not lost
    assert captured.err.startswith("error: --out: ") and captured.err.count("\n") == 1
    assert "No space left on device" in captured.err and "not saved" in captured.err


def test_run_refuses_an_out_that_holds_a_run_unless_resumed(tmp_path, capsys):
    out = tmp_path / "run"
    assert run_sim.main(["run", str(DEFAULT), *QUICK, "--out", str(out)]) == 0
    before = (out / "runs.csv").read_bytes()
    capsys.readouterr()
    assert run_sim.main(["run", str(DEFAULT), "--runs", "3", "--workers", "1", "--no-progress",
                         "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "--out" in err and "runs.csv" in err and "--resume" in err
    assert (out / "runs.csv").read_bytes() == before
    # an empty directory is fine
    (tmp_path / "empty").mkdir()
    assert run_sim.main(["run", str(DEFAULT), *QUICK, "--out", str(tmp_path / "empty")]) == 0


def test_option_values_out_of_range_exit_2(monkeypatch, capsys):
    no_runs(monkeypatch)
    for args in (["--workers", "99999999999999999999"], ["--workers", "1025"],
                 ["--runs", "99999999999999999999999"], ["--runs", "100000001"],
                 ["--precision", "0.1", "--max-runs", "100000001"], ["--runs", "0"]):
        with pytest.raises(SystemExit) as stop:
            run_sim.main(["run", str(DEFAULT), "--no-progress", *args])
        assert stop.value.code == 2, args
        assert "bad value" in capsys.readouterr().err
    for args in (["--seed", str(2**128)], ["--seed", "-1"], ["--seed", "9" * 5000]):
        with pytest.raises(SystemExit) as stop:
            run_sim.main(["run", str(DEFAULT), "--no-progress", *args])
        err = capsys.readouterr().err
        assert stop.value.code == 2 and "an integer from 0 to 2**128 - 1" in err, args
        assert len(err) < 600  # a 5000-digit value is shown cut short
    for args in (["--checkpoint", "-1"], ["--checkpoint", "nan"], ["--checkpoint", "1e9"]):
        with pytest.raises(SystemExit) as stop:
            run_sim.main(["run", str(DEFAULT), "--no-progress", *args])
        assert stop.value.code == 2 and "seconds from 0 to 86400" in capsys.readouterr().err
    for args in (["--replication", "-1"], ["--replication", "100000000"]):
        with pytest.raises(SystemExit) as stop:
            run_sim.main(["trace", str(DEFAULT), *args])
        assert stop.value.code == 2 and "a replication index from 0" in capsys.readouterr().err
    for address in ("foo://x:1", "127.0.0.1:abc"):
        assert run_sim.main(["run", str(DEFAULT), *QUICK, "--dask", address]) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"error: --dask: bad value {address!r}") and "Traceback" not in err


def test_a_scheduler_port_that_cannot_exist_is_refused_without_connecting(monkeypatch,
                                                                          capsys):
    """Connecting to port 99999 waited out the whole 20-second timeout."""
    import sys
    import types

    def never(*_args, **_kwargs):
        raise AssertionError("connected to an impossible address")

    # a stand-in for the optional 'distributed' extra, which need not be installed
    monkeypatch.setitem(sys.modules, "distributed", types.SimpleNamespace(Client=never))
    for address in ("tcp://127.0.0.1:99999", "127.0.0.1:-1", "tcp://[::1]:abc"):
        assert run_sim.main(["run", str(DEFAULT), *QUICK, "--dask", address]) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"error: --dask: bad value {address!r}") and "port" in err.lower()


def test_min_runs_above_max_runs_is_refused(monkeypatch, capsys):
    no_runs(monkeypatch)
    assert run_sim.main(["run", str(DEFAULT), "--workers", "1", "--no-progress", "--precision",
                         "0.1", "--min-runs", "100", "--max-runs", "10"]) == 2
    assert "--min-runs: bad value 100; at most --max-runs (10)" in capsys.readouterr().err


def test_runs_with_precision_is_refused_not_ignored(monkeypatch, capsys):
    """--precision chose its own count and silently dropped --runs: a user who gave
    both could not tell which was meant. Also on a resume that names both."""
    no_runs(monkeypatch)
    for extra in ([], ["--resume", "--out", "never-made"]):
        assert run_sim.main(["run", str(DEFAULT), "--workers", "1", "--no-progress",
                             "--runs", "500", "--precision", "0.1", *extra]) == 2
        err = capsys.readouterr().err
        assert "--runs: bad value 500; only without --precision" in err, err


def test_bounds_of_an_adaptive_run_without_precision_are_refused_not_ignored(
        monkeypatch, capsys):
    no_runs(monkeypatch)
    for flag in ("--min-runs", "--max-runs"):
        assert run_sim.main(["run", str(DEFAULT), *QUICK, flag, "50"]) == 2
        assert f"{flag}: bad value 50; only with --precision" in capsys.readouterr().err
    assert run_sim.main(["run", str(DEFAULT), *QUICK, "--dask", ""]) == 2
    assert "--dask: bad value ''" in capsys.readouterr().err
    for command in (["run", str(DEFAULT)], ["sweep", str(DEFAULT), "--param", "seed=1,2"],
                    ["compare", str(DEFAULT), "--set", "seed=1"]):
        assert run_sim.main([*command, *QUICK, "--checkpoint", "5"]) == 2
        assert "--checkpoint: bad value 5.0; only with --out DIR" in capsys.readouterr().err


def test_plot_needs_out_in_every_command(monkeypatch, capsys):
    no_runs(monkeypatch)
    for command in (["run", str(DEFAULT)], ["sweep", str(DEFAULT), "--param", NO_EFFECT],
                    ["compare", str(DEFAULT), "--set", "title=x"],
                    ["backtest", str(DEFAULT.parent)]):
        assert run_sim.main([*command, *QUICK, "--plot"]) == 2, command
        assert "--plot needs --out DIR" in capsys.readouterr().err
    assert run_sim.main(["trace", str(DEFAULT), "--plot"]) == 2


def test_a_reader_that_goes_away_does_not_stop_the_results_being_saved(tmp_path):
    """``run ... --out DIR | head``: the results are printed before they are saved, and
    a print into a closed pipe ended the command with status 0 and nothing saved."""
    import subprocess
    import sys

    from helpers import ROOT, running

    out = tmp_path / "run"
    with running([sys.executable, str(ROOT / "run_sim.py"), "run", str(DEFAULT), "--runs", "50",
                  "--workers", "1", "--no-progress", "--out", str(out)],
                 stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.close()  # the reader is gone before anything is printed
        stderr = proc.stderr.read().decode()
        assert proc.wait(timeout=120) == 0, stderr
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr
    assert json.loads((out / "summary.json").read_text())["runs"] == 50


@pytest.mark.parametrize("argv", [
    ["run", str(DEFAULT), "--runs", "-5"], ["run", str(DEFAULT), "--runs", "abc"], ["trace"],
    ["bogus"], ["sweep", str(DEFAULT)], ["run", str(DEFAULT), "--bogus"],
    ["compare"], ["trace", str(DEFAULT), "--replication", "x"]])
def test_a_refused_argument_is_one_line_saying_where_the_usage_is(argv, capsys):
    """argparse printed its usage block (six lines for run) before the error, while
    every other bad input is one line."""
    with pytest.raises(SystemExit) as stop:
        run_sim.main(argv)
    err = capsys.readouterr().err
    assert stop.value.code == 2 and err.count("\n") == 1, err
    assert err.startswith("error: run_sim.py") and err.rstrip().endswith("--help')"), err


@pytest.mark.parametrize(("argv", "command"), [
    (["run", str(DEFAULT), "--bogus"], "run"), (["--bogus"], "run"),
    (["schema", "extra"], "schema"), (["validate", str(DEFAULT), "--bogus"], "validate")])
def test_an_unknown_argument_points_to_its_command_s_usage(argv, command, capsys):
    """It pointed to 'run_sim.py --help', which lists the commands, not their options."""
    with pytest.raises(SystemExit):
        run_sim.main(argv)
    assert capsys.readouterr().err.endswith(f"(usage: 'run_sim.py {command} --help')\n")


WITHOUT_PACKAGES = """
import runpy, sys


class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("numpy", "simpy", "tqdm", "pydantic", "matplotlib"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


sys.meta_path.insert(0, Block())
sys.argv = ["run_sim.py", *sys.argv[1:]]
runpy.run_path("run_sim.py", run_name="__main__")
"""


def test_help_and_argument_errors_need_none_of_the_packages_the_runs_do():
    """Before the simulator is installed, '--help' ended in a traceback (no tqdm); a
    command that runs says what to install instead."""
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-c", WITHOUT_PACKAGES, *args], cwd=ROOT,
                              capture_output=True, text=True, timeout=60)

    shown = run("--help")
    assert shown.returncode == 0 and "{run,sweep,compare" in shown.stdout, shown.stderr
    assert run("sweep", "--help").returncode == 0
    refused = run("run", "--runs", "-5")
    assert refused.returncode == 2 and "bad value '-5'" in refused.stderr
    missing = run("run", str(DEFAULT), "--runs", "5")
    assert missing.returncode == 1 and "Traceback" not in missing.stderr
    assert missing.stderr.startswith("error: the package ") and f"is missing from {sys.executable}: " \
        "install the simulator first (pip install -e ., see README.md)" in missing.stderr


def test_a_run_changed_by_set_is_labelled_with_its_changes_wherever_it_is_shown(tmp_path, capsys):
    """A counterfactual run was reported, saved and drawn as the file's own scenario:
    its results were easy to file as the baseline's."""
    change = "ceasefire.monitoring.deterrence=0.9"
    label = f"geneva_2016 with {change}"
    out = tmp_path / "run"
    assert run_sim.main(["run", str(DEFAULT), "--set", change, "--runs", "20", "--workers", "1",
                         "--no-progress", "--out", str(out)]) == 0
    assert f"({label})" in capsys.readouterr().out.splitlines()[0]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["scenario"] == "geneva_2016" and summary["sets"] == [change]
    # figures drawn later, from the directory alone, still say so
    run = read_plottable_run(out)
    fig = plt.figure()
    try:
        assert run_caption(fig, run["scenario"], run["results"], run["summary"]).startswith(
            f"scenario {label}")
    finally:
        plt.close(fig)
    assert run_sim.main(["trace", str(DEFAULT), "--set", change]) == 0
    assert capsys.readouterr().out.splitlines()[:2] == [
        f"Scenario: Kerry-Lavrov talks on Syria, Geneva, late August 2016 ({label})",
        "Replication 0 of seed 2016"]
    assert run_sim.main(["sweep", str(DEFAULT), "--set", change, "--param",
                         "ceasefire.horizon_hours=720,800", "--runs", "5", "--workers", "1",
                         "--no-progress"]) == 0
    assert capsys.readouterr().out.startswith(f"Sweep of {label}: 2 points")


def test_a_run_as_written_is_labelled_with_its_name_alone(capsys):
    assert run_sim.main(["run", str(DEFAULT), "--runs", "5", "--workers", "1", "--no-progress",
                         "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["scenario"] == "geneva_2016" and summary["sets"] == []


def test_run_without_a_scenario_runs_the_default_one(capsys):
    """Bare options ran the default scenario but 'run --runs 5' was refused."""
    assert run_sim.main(["run", "--runs", "5", "--workers", "1", "--no-progress", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["scenario"] == "geneva_2016"


def test_a_scenario_file_given_first_is_run(capsys):
    """'run_sim.py scenarios/x.toml' was refused as an unknown command; a file named first
    is that scenario's run, with the options that follow it."""
    args = ["--runs", "5", "--workers", "1", "--no-progress", "--json"]
    aleppo = str(ROOT / "scenarios" / "aleppo_48h_pause.toml")
    assert run_sim.main([aleppo, *args]) == 0
    short = json.loads(capsys.readouterr().out)
    assert run_sim.main(["run", aleppo, *args]) == 0
    full = json.loads(capsys.readouterr().out)
    for timing in ("runs_per_second", "wall_seconds"):
        del short[timing], full[timing]
    assert short == full
    assert short["scenario"] == "aleppo_48h_pause"


def test_the_readme_documents_every_column_of_runs_csv():
    from sim.records import CODED, SCALARS

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("* `runs.csv` has one row per replication")
    section = readme[start:readme.index("\n* ", start + 1)]
    for name in [*(n for n, _ in SCALARS), *CODED, "terms.ISSUE", "violations.PARTY"]:
        assert f"`{name}`" in section, name


def test_a_run_in_which_no_run_agrees_is_reported_and_saved(tmp_path, capsys):
    """The README's own example of clashing red lines ended in a TypeError, and --out
    kept nothing: the report, written first, had no acts to average."""
    out = tmp_path / "run"
    assert run_sim.main(["run", "--set", "parties.russia.positions.delineation.min=0.8",
                         "--runs", "20", "--workers", "1", "--no-progress", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "P(agreement)" in text and "0.0% [" in text and "Acts per" not in text
    assert (out / "runs.csv").exists() and (out / "summary.json").exists()


def test_the_runs_are_saved_even_if_the_report_fails(tmp_path, monkeypatch):
    """The report is printed before the runs are saved; a failure in it (a bug) lost
    the whole run."""
    import sim.report

    def broken(summary, scenario):
        raise RuntimeError("a bug in the report")

    monkeypatch.setattr(sim.report, "summary_text", broken)
    out = tmp_path / "run"
    assert run_sim.main(["run", "--runs", "5", "--workers", "1", "--no-progress",
                         "--out", str(out)]) == 1
    assert read_run(out)[1].columns["replication"].tolist() == [0, 1, 2, 3, 4]


def test_a_sweep_point_drawn_alone_is_labelled_with_its_parameter_values(tmp_path, capsys):
    """'plot DIR/points/001' was captioned with the sweep's --set values only, passing
    for the scenario without the point's own --param value."""
    out = tmp_path / "sweep"
    assert run_sim.main(["sweep", str(DEFAULT), "--set", "ceasefire.monitoring.deterrence=0.9",
                         "--param", "negotiation.deadline_hours=480,600", "--runs", "5",
                         "--workers", "1", "--no-progress", "--out", str(out)]) == 0
    run = read_plottable_run(out / "points" / "001")
    fig = plt.figure()
    try:
        text = run_caption(fig, run["scenario"], run["results"], run["summary"])
        assert " ".join(text.split()).startswith(
            "scenario geneva_2016 with ceasefire.monitoring.deterrence=0.9; "
            "negotiation.deadline_hours=600")
    finally:
        plt.close(fig)
    assert capsys.readouterr().out.startswith(
        "Sweep of geneva_2016 with ceasefire.monitoring.deterrence=0.9: 2 points")


def test_the_readme_example_output_is_what_the_default_run_prints(capsys):
    """The README shows the default run's output; it fell behind the report twice. Only
    the last line (speed) depends on the machine."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = readme.split("Example output (`python run_sim.py`):")[1].split("```")[1]
    shown_lines = shown.strip("\n").splitlines()
    assert run_sim.main(["--no-progress"]) == 0
    printed = capsys.readouterr().out.strip("\n").splitlines()
    assert printed[:-1] == shown_lines[:-1]
    assert printed[-1].split(" events")[0] == shown_lines[-1].split(" events")[0]


def test_the_readme_documents_every_column_of_backtest_csv(tmp_path):
    """backtest.csv and backtest --json were not described anywhere: a script reading
    them had to read the source."""
    out = tmp_path / "bt"
    assert run_sim.main(["backtest", str(ROOT / "scenarios"), "--runs", "20", "--workers", "1",
                         "--no-progress", "--out", str(out)]) == 0
    with (out / "backtest.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("* `backtest.csv` holds two tables in one")
    section = readme[start:readme.index("\n* ", start + 1)]
    labels = [c.removeprefix("p_hold_") for c in rows[0] if c.startswith("p_hold_")
              and not c.endswith(("_low", "_high"))]
    for column in rows[0]:
        generic = column
        for label in labels:
            generic = generic.replace(f"_{label}", "_<label>")
        generic = generic.removesuffix("_low").removesuffix("_high")
        assert f"`{column}`" in section or f"`{generic}`" in section, column
    scores = {r["scenario"] for r in rows if r["kind"] == "score"}
    assert all(f"`{name}`" in section for name in scores), scores


@pytest.mark.parametrize("where", ["scenario", "out", "extends"])
def test_a_path_too_long_for_the_file_system_is_bad_input(tmp_path, capsys, where):
    """A name over the file system's limit (255 bytes) ended in a traceback, 'File name
    too long', and 'internal error'."""
    long = "x" * 300
    scenario, out = str(DEFAULT), str(tmp_path / "out")
    if where == "scenario":
        scenario = str(tmp_path / f"{long}.toml")
    elif where == "out":
        out = str(tmp_path / long)
    else:
        child = tmp_path / "child.toml"
        child.write_text(f'extends = "{long}.toml"\nname = "c"\n', encoding="utf-8")
        scenario = str(child)
    assert run_sim.main(["run", scenario, "--runs", "5", "--workers", "1", "--no-progress",
                         "--out", out]) == 2
    err = capsys.readouterr().err
    assert "a path the file system can open (File name too long)" in err
    assert "Traceback" not in err and "internal error" not in err


@pytest.mark.parametrize("command", ["run", "backtest", "plot"])
def test_a_path_behind_a_directory_this_user_cannot_enter_is_said_not_a_traceback(
        tmp_path, monkeypatch, capsys, command):
    """'plot locked/sub', 'backtest locked/sub' and '--out locked/x' ended in a
    PermissionError traceback from the first look at the path. (The tests may run as
    root, whom no mode stops: the command meets the error.)"""
    locked = str(tmp_path / "locked" / "sub")

    def refused(args):
        raise PermissionError(13, "Permission denied", locked)

    monkeypatch.setitem(run_sim.COMMANDS, command, refused)
    args = {"run": ["run", str(DEFAULT), "--runs", "5", "--no-progress"],
            "backtest": ["backtest", locked, "--runs", "5", "--no-progress"],
            "plot": ["plot", locked]}[command]
    assert run_sim.main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: '{locked}': a path this user can reach, read and write where "
                          "output goes (Permission denied: a directory on the way may not be "
                          "entered")
    assert "Traceback" not in err and "internal error" not in err
