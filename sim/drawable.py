"""What ``plot DIR`` draws: the figures of whatever result a command saved in ``DIR``.

A run directory gives a run's figures. The ``--out DIR`` of a sweep, a comparison or a
comparison sweep gives the figure that command draws with ``--plot``, and a backtest's
its calibration figure, rebuilt from the parts it saved (each point's, side's or
case's run directory, each comparison's ``compare.json``), so a figure can be drawn
later, or again in another format, without running anything or typing the command's
parameters again. The data are those the command itself hands to :func:`plots.draw`,
read back from the files it wrote.
"""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path
from typing import Any

from sim.backtest_table import BacktestTable
from sim.compare_sweep import PairPoint
from sim.errors import ScenarioError
from sim.experiments import SweepPoint, reference_difference
from sim.observed import scenario_row
from sim.output import read_plottable_run, read_run
from sim.params import parse_params
from sim.resuming import saved_pairs, saved_points
from sim.rundir import CASES, PAIRS, POINTS, SIDES
from sim.scoring import compute_scores

__all__ = ["plottable"]


def plottable(out: Path) -> tuple[str, dict[str, Any]]:
    """The kind of figure ``plot`` draws from ``out`` and the data
    :func:`plots.draw` takes for it.

    Raises:
        ScenarioError: ``out`` holds none of these results, or a file of one is damaged;
            the message names the file (as :func:`sim.output.read_run`'s do).
    """
    if not (out / "runs.csv").is_file() and not (out / "manifest.json").is_file():
        if (out / "compare.json").is_file() and all((out / s / "runs.csv").is_file() for s in SIDES):
            return "compare", {"result": _json(out / "compare.json")}
        if (out / POINTS).is_dir() and (points := read_sweep(out)):
            return "sweep", points
        if (out / PAIRS).is_dir() and (pairs := read_pairs(out)):
            return "compare_sweep", pairs
        if (out / CASES).is_dir() and (table := read_backtest(out)) is not None:
            return "backtest", {"table": table}
    return "run", read_plottable_run(out)  # (its error says what a directory is not)


def read_sweep(out: Path) -> dict[str, Any]:
    """A saved sweep's points, as ``sweep --plot`` draws them (empty if none finished a
    replication). Only the run directories a sweep saved count (their manifests name
    their point). A point a checkpoint saved (the sweep was killed while it ran) has no
    difference from the reference yet: it is computed here, as the sweep would have."""
    points: list[SweepPoint] = []
    manifest: dict[str, Any] = {}
    for home in saved_points(out):
        scenario, results, summary, manifest = read_run(home)
        params = manifest.get("sweep_point")
        if not len(results) or not isinstance(params, dict):
            continue  # (a run directory put there by hand is not one of its points)
        point = SweepPoint(params, scenario, results, summary, bool(summary.get("partial")))
        if "diff_from_reference" not in summary and points:
            summary["diff_from_reference"] = {"reference": dict(points[0].params),
                                              **reference_difference(point, points[0])}
        points.append(point)
    if not points:
        return {}
    return {"points": points, "params": list(points[0].params),
            "planned": _planned(manifest), "runs": manifest.get("runs_requested")}


def read_pairs(out: Path) -> dict[str, Any]:
    """A saved comparison sweep's points, as ``compare --param ... --plot`` draws them
    (empty if no point was compared)."""
    points: list[PairPoint] = []
    manifest: dict[str, Any] = {}
    names = ("A", "B")
    for home in saved_pairs(out):
        if not (home / "compare.json").is_file():
            continue  # stopped before its comparison: the table leaves it out too
        record = _json(home / "compare.json")
        a, held_a, _, manifest = read_run(home / SIDES[0])
        b, held_b, _, _ = read_run(home / SIDES[1])
        names = (record.get("a_name", names[0]), record.get("b_name", names[1]))
        points.append(PairPoint(record.get("params") or manifest.get("pair_point") or {}, a, b,
                                record, (held_a, held_b), bool(record.get("partial"))))
    if not points:
        return {}
    return {"points": points, "params": list(points[0].params), "names": names,
            "planned": _planned(manifest), "runs": manifest.get("runs_requested")}


def read_backtest(out: Path) -> BacktestTable | None:
    """A saved backtest's table, as the backtest scored it (None if no case holds a
    replication): its cases in file-name order, up to the first stopped part way,
    which it did not score. The figure needs no more than the table's scenarios and
    scores; the files it skipped are not saved, and are left out."""
    cases = []
    for home in sorted(p for p in (out / CASES).iterdir() if p.is_dir()):
        scenario, results, summary, manifest = read_run(home)
        if isinstance(manifest.get("backtest_case"), str) and len(results):
            cases.append((manifest["backtest_case"], scenario, results, summary, manifest))
    if not cases:
        return None
    cases.sort(key=lambda case: case[0])
    rows: list[dict[str, Any]] = []
    stopped = False
    for _, scenario, results, summary, manifest in cases:
        if summary.get("partial"):
            stopped = True
            break
        row = scenario_row(scenario, results)
        row["file"] = str(manifest.get("scenario_file") or row["file"])  # (not the copy's)
        rows.append(row)
    first = cases[0][4]
    planned = first.get("cases_planned")
    planned = planned if isinstance(planned, int) and not isinstance(planned, bool) else len(cases)
    table = BacktestTable(str(Path(str(first.get("scenario_file") or out)).parent),
                          int(first.get("runs_requested") or len(cases[0][2])),
                          int(first.get("seed") or 0),
                          overrides=list(cases[0][3].get("sets") or []),
                          partial=stopped or len(rows) < planned, planned=planned)
    table.rows = rows
    table.scores = compute_scores(rows)
    return table


def _json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ScenarioError(str(path), "", None, f"a comparison as the command saved it ({exc})"
                            ) from None
    if not isinstance(data, dict) or not {"a", "b", "diff"} <= set(data):
        raise ScenarioError(str(path), "", None, "a comparison as the command saved it (with "
                            "'a', 'b' and 'diff')")
    return data


def _planned(manifest: dict[str, Any]) -> int | None:
    """The grid's size (the figure of a sweep stopped part way says how many points it
    had), as the last point's manifest gives it, or else (saved by an earlier version)
    from the ``--param`` options of the command that saved it; None if neither can be
    read."""
    size = manifest.get("grid_points")
    if isinstance(size, int) and not isinstance(size, bool) and size > 0:
        return size
    command = manifest.get("command")
    if not isinstance(command, list):
        return None
    texts = [str(after) for before, after in itertools.pairwise(command)
             if before == "--param"]
    texts += [str(t).removeprefix("--param=") for t in command if str(t).startswith("--param=")]
    try:
        params = parse_params(texts)
    except ScenarioError:
        return None
    return math.prod(len(values) for _, values in params) if params else None
