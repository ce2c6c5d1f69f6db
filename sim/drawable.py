"""What ``plot DIR`` draws: the figures of whatever result a command saved in ``DIR``.

A run directory gives a run's figures. The ``--out DIR`` of a sweep, a comparison or a
comparison sweep gives the figure that command draws with ``--plot``, and a backtest's
its calibration figure, rebuilt from the parts it saved (each point's, side's or
case's run directory, each comparison's ``compare.json``), so a figure can be drawn
later, or again in another format, without running anything or typing the command's
parameters again. The data are those the command itself hands to :func:`plots.draw`,
read back from the files it wrote. A folder of comparisons against one scenario, saved
one by one, gives them side by side (:func:`read_comparisons`). A folder of saved
traces gives each one's figure, from its replication run again on the saved scenario
and checked against the saved events (:mod:`sim.saved_trace`).

A whole's parts are saved in order, each as it finishes, so the parts one session
saved come first. The figure takes them up to the first that shows where the session
stopped: a part stopped part way (included, as the command draws it), one never saved
whole (killed during its first save), or one left from an earlier session, which asked
another number of runs (a resume that added runs and was stopped before reaching it).
Parts after that are not the session's, and the whole is drawn as stopped.
"""

from __future__ import annotations

import csv
import itertools
import json
import math
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from sim.argtypes import MAX_RUNS
from sim.backtest_table import BacktestTable
from sim.compare_sweep import PairPoint
from sim.errors import ScenarioError
from sim.experiments import SweepPoint, reference_difference
from sim.observed import scenario_row
from sim.output import jsonable, parts_inside, read_plottable_run, read_run, shell_path
from sim.params import MAX_POINTS, parse_params
from sim.records import Results
from sim.resuming import saved_pairs, saved_points
from sim.rundir import CASES, PAIRS, POINTS, SIDES
from sim.saved_summary import check_summary
from sim.saved_trace import read_traces
from sim.scenario import Scenario
from sim.scoring import compute_scores
from sim.stats import compare

__all__ = ["plottable"]

Part = tuple[Scenario, Results, dict[str, Any], dict[str, Any]]
"""A part's run directory as :func:`sim.output.read_run` reads it."""


def plottable(out: Path) -> tuple[str, dict[str, Any]]:
    """The kind of figure ``plot`` draws from ``out`` and the data
    :func:`plots.draw` takes for it.

    Raises:
        ScenarioError: ``out`` holds none of these results, or a file of one is damaged;
            the message names the file (as :func:`sim.output.read_run`'s do).
    """
    if not out.is_dir():
        raise ScenarioError(str(out), "", None, ("not a directory" if out.exists() else
                                                 "no such directory") + f": {WHAT_PLOT_DRAWS}")
    if (out / "runs.csv").is_file() or (out / "manifest.json").is_file():
        return "run", read_plottable_run(out)
    if (out / "compare.json").is_file() and all((out / s / "runs.csv").is_file() for s in SIDES):
        sides = [_saved(out / side) for side in SIDES]
        record = _comparison(out / "compare.json")
        if None not in sides:
            (a, held_a, _, _), (_, held_b, _, _) = sides  # type: ignore[misc]
            _check_differences(out / "compare.json", record, a, held_a, held_b)
        return "compare", {"result": record}
    if (out / POINTS).is_dir() and (points := read_sweep(out)):
        return "sweep", points
    if (out / PAIRS).is_dir() and (pairs := read_pairs(out)):
        return "compare_sweep", pairs
    if (out / CASES).is_dir() and (table := read_backtest(out)) is not None:
        return "backtest", {"table": table}
    if comparisons := read_comparisons(out):
        return "comparisons", {"results": comparisons}
    if traces := read_traces(out):
        return "traces", {"traces": traces}
    # a whole with nothing finished yet, or a folder of run directories: which to plot
    # (named as the folder: "runs.csv: missing" read as a run's damaged directory)
    raise ScenarioError(str(out), "", None, parts_inside(out) or
                        f"holds no results a command saved: {WHAT_PLOT_DRAWS}")


WHAT_PLOT_DRAWS = "give the --out DIR of a run, sweep, comparison, backtest or trace"
"""What ``plot`` takes, for its messages."""


def read_sweep(out: Path) -> dict[str, Any]:
    """A saved sweep's points, as ``sweep --plot`` draws them (empty if none finished a
    replication). Only the run directories a sweep saved count (their manifests name
    their point). A point a checkpoint saved (the sweep was killed while it ran) has no
    difference from the reference yet: it is computed here, as the sweep would have."""
    points: list[SweepPoint] = []
    manifests: list[dict[str, Any]] = []
    homes = saved_points(out)
    for home, (scenario, results, summary, manifest) in _sessions_parts(homes, "sweep_point"):
        params = _params(home / "manifest.json", manifest["sweep_point"],
                         points[0].params if points else None)
        point = SweepPoint(params, scenario, results, summary, bool(summary.get("partial")))
        if "diff_from_reference" not in summary and points:
            summary["diff_from_reference"] = {"reference": dict(points[0].params),
                                              **reference_difference(point, points[0])}
        points.append(point)
        manifests.append(manifest)
    if not points:
        return {}
    _refuse_unread(out / "sweep.csv", len(points), out / POINTS / f"{len(points):03d}")
    return {"points": points, "params": list(points[0].params),
            "planned": _planned(manifests, len(homes)),
            "runs": _count(manifests[0].get("runs_requested"))}


def read_pairs(out: Path) -> dict[str, Any]:
    """A saved comparison sweep's points, as ``compare --param ... --plot`` draws them
    (empty if no point was compared). A point is compared once both its sides are
    saved: one without its ``compare.json`` is where the sweep stopped."""
    points: list[PairPoint] = []
    manifests: list[dict[str, Any]] = []
    names = ("A", "B")
    homes = saved_pairs(out)
    for home in homes:
        sides = [_saved(home / side) for side in SIDES]
        if not (home / "compare.json").is_file() or None in sides \
                or any("pair_point" not in side[3] for side in sides if side):
            break
        (a, held_a, _, manifest), (b, held_b, _, _) = sides  # type: ignore[misc]
        if manifests and _count(manifest.get("runs_requested")) != _count(
                manifests[0].get("runs_requested")):
            break  # left from an earlier session
        record = _comparison(home / "compare.json")
        _check_differences(home / "compare.json", record, a, held_a, held_b)
        names = (str(record.get("a_name", names[0])), str(record.get("b_name", names[1])))
        params = _params(home / "compare.json", record.get("params", manifest["pair_point"]),
                         points[0].params if points else None)
        points.append(PairPoint(params, a, b, record, (held_a, held_b), bool(record.get("partial"))))
        manifests.append(manifest)
        if points[-1].interrupted:
            break
    if not points:
        return {}
    _refuse_unread(out / "compare_sweep.csv", len(points), out / PAIRS / f"{len(points):03d}")
    return {"points": points, "params": list(points[0].params), "names": names,
            "planned": _planned(manifests, len(homes)),
            "runs": _count(manifests[0].get("runs_requested"))}


def read_comparisons(out: Path) -> list[dict[str, Any]]:
    """The comparisons saved in ``out``'s folders (each a ``compare --out``), in the
    order of their names, as one figure draws them side by side: empty unless there are
    two or more. They must share side B (the same resolved scenario) and the seed, so
    that every difference is paired with the same replications of B.

    Raises:
        ScenarioError: a comparison against another B or on another seed than the
            first; a point of a comparison sweep; a damaged ``compare.json``.
    """
    homes = sorted(p for p in out.iterdir() if p.is_dir() and (p / "compare.json").is_file()
                   and all((p / side / "runs.csv").is_file() for side in SIDES))
    if len(homes) < 2:
        return []
    others = sorted(p for p in out.iterdir() if p.is_dir() and p not in homes and any(
        (p / part).exists() for part in ("manifest.json", "runs.csv", POINTS, PAIRS, CASES)))
    if others:  # left out in silence, a row would be missing from the figure unsaid
        raise ScenarioError(str(others[0]), "", None, (
            f"a result that is not a comparison, among the comparisons of {out}: plot it "
            f"alone ('plot {shell_path(str(others[0]))}'), or move it out of {out}"))
    results = [_comparison(home / "compare.json") for home in homes]
    swept = [home for home, result in zip(homes, results, strict=True) if "params" in result]
    if swept:  # a compare --param's pairs/: its points change B too
        whole = out.parent if out.name == PAIRS else out
        raise ScenarioError(str(swept[0]), "", None, (
            "a point of a comparison sweep, whose side B changes from point to point: "
            f"plot the sweep ('plot {shell_path(str(whole))}') or one point "
            f"('plot {shell_path(str(swept[0]))}')"))

    def b_scenario(home: Path) -> bytes | None:
        try:
            return (home / "b" / "scenario.toml").read_bytes()
        except OSError:
            return None

    first, b_first, seed = homes[0], b_scenario(homes[0]), results[0].get("seed")
    for home, result in zip(homes[1:], results[1:], strict=True):
        # (one B has one set of milestones: compare refuses sides whose milestones differ)
        for what, theirs, differs in (
                ("side B (its scenario.toml)", "", b_scenario(home) != b_first),
                (f"seed ({result.get('seed')})", f" ({seed})", result.get("seed") != seed)):
            if differs:
                raise ScenarioError(str(home), "", None, (
                    f"a comparison with another {what} than {first.name}'s{theirs}: "
                    "comparisons drawn together are differences from the same replications "
                    f"of one side B, on one seed; draw {shell_path(str(home))} alone, or move "
                    f"it out of {out}"))
    return results


def read_backtest(out: Path) -> BacktestTable | None:
    """A saved backtest's table, as the backtest scored it (None if no scenario was
    scored): its cases in the order scored (their files' names), up to the first
    stopped part way, which it did not score. The figure needs no more than the table's
    scenarios and scores; the files it skipped are not saved, and are left out."""
    homes = []
    for home in (p for p in (out / CASES).iterdir() if p.is_dir()):
        try:
            name = json.loads((home / "manifest.json").read_text(encoding="utf-8"))["backtest_case"]
        except (OSError, ValueError, TypeError, KeyError):
            continue  # not a case of the backtest (or never saved whole: stopped there)
        if isinstance(name, str):
            homes.append((name, home))
    homes.sort()
    rows: list[dict[str, Any]] = []
    first: dict[str, Any] = {}
    sets: list[Any] = []
    for _, (scenario, results, summary, manifest) in _sessions_parts(
            [home for _, home in homes], "backtest_case"):
        if summary.get("partial"):  # (stopped there: not scored)
            break
        first, sets = first or manifest, sets or list(summary.get("sets") or [])
        row = scenario_row(scenario, results)
        row["file"] = str(manifest.get("scenario_file") or row["file"])  # (not the copy's)
        rows.append(row)
    if not rows:
        return None
    missing = sorted(_listed(out / "backtest.csv") - {str(r["scenario"]) for r in rows})
    if missing:  # (a case removed read as a backtest stopped before it, and scored better)
        raise ScenarioError(str(out / CASES), "", None, f"the runs of every case backtest.csv "
                            f"scores, but those of {missing[0]} do not read back (removed or "
                            "damaged): run the backtest again, or --resume it")
    planned = _size(first.get("cases_planned")) or len(homes)
    table = BacktestTable(str(Path(str(first.get("scenario_file") or out)).parent),
                          _count(first.get("runs_requested")) or rows[0]["runs"],
                          first["seed"] if isinstance(first.get("seed"), int) else 0,
                          overrides=sets, partial=len(rows) < max(planned, len(homes)),
                          planned=planned)
    table.rows = rows
    table.scores = compute_scores(rows)
    return table


def _saved(home: Path) -> Part | None:
    """A part's run directory, read; None for one never saved whole (killed during its
    first save: no runs.csv or summary.json yet). Damaged files raise, naming the
    file."""
    if not (home / "runs.csv").is_file() or not (home / "summary.json").is_file():
        return None
    return read_run(home)


def _walk(homes: Iterable[Path], key: str) -> Iterator[tuple[Path, Part | None]]:
    """Each part's run directory, read (:func:`_saved`); a run directory put there by
    hand (its manifest names no ``key``) is passed over."""
    for home in homes:
        part = _saved(home)
        if part is None or key in part[3]:
            yield home, part


def _sessions_parts(homes: Iterable[Path], key: str) -> Iterator[tuple[Path, Part]]:
    """The parts the latest session saved, up to where it stopped (module docstring):
    all ask the first one's number of runs, and the last may be partial."""
    asked = None
    for k, (home, part) in enumerate(_walk(homes, key)):
        if part is None or not len(part[1]):
            return
        runs = _count(part[3].get("runs_requested"))
        if k and runs != asked:
            return
        asked = runs
        yield home, part
        if part[2].get("partial"):
            return


def _params(path: Path, params: Any, first: dict[str, Any] | None) -> dict[str, Any]:
    """A point's parameter values, which must name the keys the first point names."""
    if not isinstance(params, dict) or (first is not None and list(params) != list(first)):
        expected = f"the keys of the first point ({', '.join(first)})" if first else "keys"
        raise ScenarioError(str(path), "sweep_point" if path.name == "manifest.json" else "params",
                            params, f"the point's parameter values, a table of {expected}")
    return params


def _comparison(path: Path) -> dict[str, Any]:
    """A ``compare.json``, checked as far as the figure reads it."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ScenarioError(str(path), "", None, f"a comparison as the command saved it ({exc})"
                            ) from None
    sides = all(isinstance(data.get(k), dict) for k in ("a", "b", "diff")) \
        if isinstance(data, dict) else False
    if not sides or not isinstance(data["diff"].get("p_hold"), dict) \
            or _count(data.get("runs")) is None:
        raise ScenarioError(str(path), "", None, "a comparison as the command saved it (with "
                            "'runs', and 'a', 'b' and 'diff' tables, the last with 'p_hold')")
    for key in ("a_name", "b_name"):
        if key in data and not isinstance(data[key], str):
            raise ScenarioError(str(path), key, data[key], "the name of that side of the "
                                "comparison, in quotes, as the command saved it")
    for side in ("a", "b"):
        check_summary(path, data[side], side)
    check_summary(path, data["diff"], "diff", difference=True)
    return data


def _refuse_unread(table: Path, drawn: int, first_unread: Path) -> None:
    """Refuse to draw fewer points than the whole's table (``sweep.csv``,
    ``compare_sweep.csv``) lists: a point whose files were removed read as where the
    sweep stopped, and the complete points after it were left out of a figure marked
    as interrupted. (The table of a stopped sweep lists the points it saved, and a
    resume removes it at once.)"""
    listed = len(_rows(table))
    if listed > drawn:
        raise ScenarioError(str(first_unread), "", None, f"a point saved whole, as {table.name} "
                            f"lists {listed} points and only {drawn} read back (its runs.csv or "
                            "summary.json removed or damaged): run the sweep again, or --resume "
                            "it")


def _listed(table: Path) -> set[str]:
    """The scenarios ``backtest.csv`` scores (its rows of kind ``scenario``)."""
    return {row.get("scenario", "") for row in _rows(table) if row.get("kind") == "scenario"}


def _rows(table: Path) -> list[dict[str, str]]:
    """The rows of a whole's CSV table; none if it is missing or cannot be read (it is
    a summary of the parts, which are what is drawn)."""
    try:
        with table.open(newline="", encoding="utf-8") as fh:
            return list(csv.DictReader(fh))
    except (OSError, UnicodeDecodeError, csv.Error):
        return []


def _check_differences(path: Path, record: dict[str, Any], a: Scenario, held_a: Results,
                       held_b: Results) -> None:
    """Refuse a ``compare.json`` (``record``) whose paired differences are not those of
    the replications both sides saved (``held_a``, ``held_b``; ``a`` side A's
    scenario): an edited estimate was drawn as it stood, outside its own interval and
    off the chart."""
    common = np.intersect1d(held_a.columns["replication"], held_b.columns["replication"])
    again = json.loads(json.dumps(jsonable(compare(held_a.among(common), held_b.among(common), a))))
    if again != record["diff"] or record["runs"] != len(common):
        raise ScenarioError(str(path), "diff", None, "the paired differences of the runs saved "
                            "in a/ and b/, which it does not hold (edited?): compare them again")


def _count(value: Any) -> int | None:
    """A run count read from a saved file, or None where it is not one."""
    return value if isinstance(value, int) and not isinstance(value, bool) \
        and 0 < value <= MAX_RUNS else None


def _size(value: Any) -> int | None:
    """A number of points or cases read from a saved file, or None where it is not one."""
    return value if isinstance(value, int) and not isinstance(value, bool) \
        and 0 < value <= MAX_POINTS else None


def _planned(manifests: list[dict[str, Any]], saved: int) -> int:
    """The grid's size (the figure of a sweep stopped part way says how many points it
    had): the largest any point's manifest gives (a resume may have grown the grid), or
    else (saved by an earlier version) that of the ``--param`` options of the command
    that saved it; at least the number of point directories saved."""
    sizes = [_size(m.get("grid_points")) or _grid_of(m.get("command")) for m in manifests]
    return max([saved, *(s for s in sizes if s is not None)])


def _grid_of(command: Any) -> int | None:
    """The grid size of the ``--param`` options of a saved command line."""
    if not isinstance(command, list):
        return None
    texts = [str(after) for before, after in itertools.pairwise(command) if before == "--param"]
    texts += [str(t).removeprefix("--param=") for t in command if str(t).startswith("--param=")]
    try:
        params = parse_params(texts)
    except ScenarioError:
        return None
    return math.prod(len(values) for _, values in params) if params else None
