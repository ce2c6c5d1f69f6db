"""The README's example of the package used from Python runs as written, as a script
(its main guard is what lets worker processes import it afresh), from the project's
directory, and gives what the command line gives on the same seed."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys

from helpers import ROOT

from sim.defaults import DEFAULT_MAX_RUNS, DEFAULT_MIN_RUNS
from sim.precision import check_points
from sim.runner import DEFAULT_BATCH

README = (ROOT / "README.md").read_text(encoding="utf-8")
SECTION = README[README.index("## From Python"):]
BLOCK = re.search(r"```python\n(.*?)```", SECTION, re.S).group(1)  # type: ignore[union-attr]


def test_the_python_example_runs_and_agrees_with_the_command_line():
    done = subprocess.run([sys.executable, "-c", BLOCK], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    first, second, adaptive, counts, third = done.stdout.strip().splitlines()
    cli = subprocess.run([sys.executable, "run_sim.py", "--runs", "1000", "--workers", "1",
                          "--no-progress", "--json"], cwd=ROOT, capture_output=True, text=True,
                         timeout=300)
    summary = json.loads(cli.stdout)
    assert ast.literal_eval(first) == summary["p_agreement"]  # (a dict as Python prints it)
    diff = ast.literal_eval(second)
    assert diff["low"] <= diff["estimate"] <= diff["high"] < 0  # halved monitors: fewer hold
    stopped = ast.literal_eval(adaptive)  # at a check point: 1000, then every 2000
    assert stopped["target"] == 0.02 and stopped["met"] is True
    assert stopped["runs"] in check_points(DEFAULT_MIN_RUNS, DEFAULT_MAX_RUNS, DEFAULT_BATCH)
    assert stopped["runs"] < DEFAULT_MAX_RUNS  # (met, not stopped by the bound)
    # each point of the adaptive sweep stops where run --precision stops it alone
    for value, count in zip(("0.3", "0.6"), ast.literal_eval(counts), strict=True):
        alone = subprocess.run([sys.executable, "run_sim.py", "--set",
                                f"ceasefire.monitoring.deterrence={value}", "--precision", "0.03",
                                "--workers", "1", "--no-progress", "--json"], cwd=ROOT,
                               capture_output=True, text=True, timeout=300)
        assert json.loads(alone.stdout)["precision"]["runs"] == count
    agreed, hours, events = third.split()
    assert agreed in ("True", "False") and float(hours) >= 0 and int(events) > 0


def test_results_are_written_to_a_path_given_as_text(tmp_path):
    """The README's 'out.results.write_csv(path)' failed for a path given as a string;
    read_csv then took only a Path."""
    from sim.records import Results
    from sim.runner import Runner
    from sim.scenario import load_scenario

    sc = load_scenario(ROOT / "scenarios" / "geneva_2016.toml")
    res = Runner(workers=1).run(sc, 20, 3).results
    res.write_csv(str(tmp_path / "runs.csv"))
    back = Results.read_csv(str(tmp_path / "runs.csv"), sc.issues,
                            tuple(n for n in sc.order if n in res.armed), sc.order,
                            sc.spec.ceasefire.horizon_hours)
    assert back.same_as(res)


def test_the_whole_scenario_of_the_scenario_guide_is_valid_and_cited(tmp_path, capsys):
    """docs/scenarios.md opens with a whole file to start from: it must load, pass
    --citations and run, as it says."""
    import run_sim

    text = (ROOT / "docs" / "scenarios.md").read_text(encoding="utf-8")
    section = text.split("## A whole scenario", 1)[1]
    toml = re.search(r"```toml\n(.*?)```", section, re.S)
    assert toml is not None
    path = tmp_path / "truce.toml"
    path.write_text(toml.group(1), encoding="utf-8")
    assert run_sim.main(["validate", str(path), "--citations"]) == 0
    assert run_sim.main(["run", str(path), "--runs", "20", "--workers", "1", "--no-progress"]) == 0
    assert "P(agreement)" in capsys.readouterr().out


def test_the_runs_as_a_table_hold_what_runs_csv_holds(tmp_path):
    """pandas.DataFrame(results.columns) failed (two 2-D columns, party codes), and
    through CSV an empty party name read as NaN: table() gives runs.csv's columns."""
    import csv

    from sim.csvio import csv_cell
    from sim.runner import Runner
    from sim.scenario import load_scenario

    sc = load_scenario(ROOT / "scenarios" / "geneva_2016.toml")  # some never agree
    res = Runner(workers=1).run(sc, 60, 5).results
    res.write_csv(tmp_path / "runs.csv")
    with (tmp_path / "runs.csv").open(newline="", encoding="utf-8") as fh:
        header, *rows = list(csv.reader(fh))
    table = res.table()
    assert list(table) == header
    assert all(len(column) == 60 and column.ndim == 1 for column in table.values())
    shown = [[v if isinstance(v, str) else csv_cell(v) for v in row]
             for row in zip(*table.values(), strict=True)]
    assert shown == rows
    assert "" in set(table["withdrew"]) and set(table["withdrew"]) - {""} <= set(sc.order)
    table["agreed"][:] = False  # the table is the caller's: the results stay as they were
    table[header[-1]][:] = -1
    assert res.columns["agreed"].any() and (res.columns["violations"] >= 0).all()
