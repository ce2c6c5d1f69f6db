"""A paired comparison at every point of a grid: does a lever's effect hold up across
the judgements it rests on?

``compare A.toml B.toml --param KEY=V1,V2,...`` (or ``compare FILE --set ... --param
...``) sets each grid point's values on both sides and compares the two there. Every
side of every point reuses the run's root seed, so the difference A - B at a point is
paired replication by replication, as in one comparison (:mod:`sim.comparison`); the
points share their draws too, wherever the variants agree (:mod:`sim.experiments`).
An analyst whose two levers rank one way at one value of an unsourced judgement and the
other way at another sees it here, with an interval at each point, where a loop of
``compare`` by hand gave numbers to line up.

With ``--out DIR`` each point is saved as it finishes, as a comparison directory
``pairs/NNN`` (``a/``, ``b/``, ``compare.json``; ``plot`` draws each side as a run),
and ``compare_sweep.csv`` holds a row per point; ``--resume`` finishes an interrupted
one as a sweep's resume does.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from sim.comparison import check_comparable, paired, save_running_side, save_side
from sim.csvio import atomic_writer
from sim.defaults import DEFAULT_MAX_RUNS, DEFAULT_MIN_RUNS
from sim.document import refuse_replacing, split_key, value_at
from sim.errors import ScenarioError
from sim.experiments import sweep_scenarios
from sim.origin import first_difference
from sim.output import Resumed, finish_with, jsonable
from sim.precision import last_held
from sim.reads import is_descriptive
from sim.records import Results
from sim.report import (
    aligned,
    column_widths,
    paired_text,
    percent,
    short_keys,
    value_cells,
    why_partial,
)
from sim.run_outcome import RunOutcome
from sim.rundir import PAIRS, pair_directory
from sim.runner import DEFAULT_BATCH, Runner
from sim.scenario import Scenario
from sim.sweep_report import runs_cell, short_line
from sim.toml_out import toml_value

__all__ = [
    "PAIRS",
    "TABLE",
    "PairPoint",
    "compare_sweep_text",
    "pair_directory",
    "pair_rows",
    "pair_scenarios",
    "pairs_stopped",
    "run_pairs",
    "save_pair",
    "save_pair_side",
    "save_running_pair_side",
    "unpaired_part",
]

TABLE = "compare_sweep.csv"
"""The table of a comparison sweep, one row per point."""


@dataclass
class PairPoint:
    """One point of a comparison sweep."""

    params: dict[str, Any]
    """The swept keys and their values at this point."""
    a: Scenario
    """Side A with those values set."""
    b: Scenario
    """Side B with those values set."""
    result: dict[str, Any]
    """The comparison there, as ``compare --json`` gives it, plus ``params``."""
    held: tuple[Results, Results]
    """Each side's replications (all it holds, paired or not)."""
    interrupted: bool = False
    """Stopped before both sides finished (the sweep's last point): by Ctrl-C, a lost
    worker or a replication the scenario's limits refuse."""


def pair_scenarios(a: Scenario, b: Scenario, params: list[tuple[str, list[Any]]]
                   ) -> list[tuple[dict[str, Any], Scenario, Scenario]]:
    """Every grid point's values and both sides with them set, all built and checked
    before any runs, as a sweep's are (:func:`sim.experiments.sweep_scenarios`).

    Raises:
        ScenarioError: a value either side refuses, a ``--param`` that would replace a
            ``--set`` value, or values that make two different files the same scenario
            (sweeping the lever itself would make the sides the same), or a point at
            which the two sides' milestones differ.
    """
    _refuse_sweeping_the_change(a, b, params)
    todo = []
    apart = first_difference(model_of(a), model_of(b))
    for (assignment, sa), (_, sb) in zip(sweep_scenarios(a, params, "compare_sweep"),
                                         sweep_scenarios(b, params, "compare_sweep"), strict=True):
        check_comparable(sa, sb)
        if apart is not None and model_of(sa) == model_of(sb):  # every difference +0.0
            values = " ".join(f"{k}={toml_value(v)}" for k, v in assignment.items())
            raise ScenarioError("--param", "", values, f"values that leave A and B apart: "
                                f"with them A and B are the same scenario (they differ in "
                                f"{apart[0]}, which the --param sets)")
        todo.append((assignment, sa, sb))
    return todo


def _refuse_sweeping_the_change(a: Scenario, b: Scenario,
                                params: list[tuple[str, list[Any]]]) -> None:
    """In the one-file form the ``--set`` values are the change compared (A) against the
    file as written (B): a ``--param`` on one of them (or on a table holding it) would
    make the sides the same at every point. Refused with that reason, where the
    two-file form's ``--set`` (on both sides) is refused as any value given twice."""
    given = [("--set", k, value_at(a.raw, split_key(k))) for k, s in a.set_by.items()
             if s == "--set"]
    if not given or any(s == "--set" for s in b.set_by.values()):
        return
    for key, values in params:
        text = f"{key}=" + ",".join(map(toml_value, values))
        try:
            refuse_replacing(given, key, "--param", text)
        except ScenarioError:
            raise ScenarioError("--param", key, text, "a key the --set does not give: the "
                                "--set values are the change compared (A) with the file as "
                                "written (B), and a --param on them would make A and B the same "
                                "at every point; sweep a value both sides share (a judgement), "
                                "or compare two files") from None


def model_of(scenario: Scenario) -> dict[str, Any]:
    """What the model reads of a scenario: its values, defaults filled in, without the
    keys that only describe it (two files differ in their names at least)."""
    def keep(doc: Any, parts: tuple[str, ...]) -> Any:
        if not isinstance(doc, dict):
            return doc
        return {k: keep(v, (*parts, str(k))) for k, v in doc.items()
                if not is_descriptive((*parts, str(k))) and (*parts, k) != ("extends",)}
    return keep(scenario.spec.model_dump(mode="json", by_alias=True), ())


def run_pairs(
    todo: list[tuple[dict[str, Any], Scenario, Scenario]], runner: Runner, runs: int, seed: int,
    existing: list[tuple[Results | None, Results | None]] | None = None,
    save: Callable[..., None] | None = None,
    checkpoint: Callable[..., None] | None = None,
    checkpoint_every: float = 60.0,
    precision: float | None = None,
    min_runs: int = DEFAULT_MIN_RUNS,
    max_runs: int = DEFAULT_MAX_RUNS,
    batch: int = DEFAULT_BATCH,
) -> Iterator[PairPoint]:
    """Compare the sides at each point in order, on the same seed, yielding each point
    as it finishes. An interrupted point is the last; it is not yielded when its sides
    hold no replication to pair. A lost worker or a replication its limits refuse stops
    the point as an interruption does: it is yielded, partial, before the error is
    raised, when its sides hold replications to pair (in side B, or in side A of a
    resumed point that adds runs).

    With ``precision`` (and its bounds and batch) each point runs as ``compare
    --precision`` would run it alone (:func:`sim.comparison.paired`): both sides in step
    until every paired difference there is that precise. The points' counts then
    differ; each point's result says where it stopped (``precision``).

    Args:
        existing: each point's sides saved by an interrupted sweep (kept, not rerun).
        save: called as ``save(k, params, side, scenario, run, other)`` as each side
            of point ``k`` stops with replications (:func:`save_pair_side`).
        checkpoint: called as ``checkpoint(k, params, side, scenario, results,
            other)`` about every ``checkpoint_every`` seconds while a side runs
            (:func:`save_running_pair_side`).
    """
    # a refusal found once a point has run names a --runs that keeps every point's runs,
    # those saved before and those this session ran
    keeps = last_held([side for pair in existing for side in pair]) if existing else 0
    for k, (assignment, a, b) in enumerate(todo):
        pair = paired(
            a, b, runner, runs, seed, existing[k] if existing else (None, None),
            None if save is None else partial(save, k, assignment),
            None if checkpoint is None else partial(checkpoint, k, assignment),
            checkpoint_every, label=f"point {k + 1}/{len(todo)}", keep_partial=True,
            precision=precision, min_runs=min_runs, max_runs=max_runs, batch=batch,
            keeps=keeps or None)
        result, ra, rb, interrupted = pair
        keeps = max(keeps, last_held((ra, rb)))
        if not result:
            return
        for side in ("a", "b"):  # (each side's figures, drawn alone, name the point)
            result[side]["params"] = dict(assignment)
        yield PairPoint(assignment, a, b, {"params": dict(assignment), **result}, (ra, rb),
                        interrupted)
        if pair.error is not None:  # (the point it stopped is saved by the caller first)
            raise pair.error
        if interrupted:
            return


def save_pair_side(out: Path, k: int, params: dict[str, Any], side: str, scenario: Scenario,
                   run: RunOutcome, other: Scenario, seed: int, runs: int,
                   resumed: Resumed | None = None, planned: int | None = None,
                   asked: dict[str, Any] | None = None) -> None:
    """Save one side of point ``k`` as it stops (:func:`sim.comparison.save_side`), its
    manifest naming the point's values, which a resume checks, the grid's size
    (``planned``), which ``plot`` of a sweep stopped part way reports, and, for an
    adaptive sweep, its precision and bounds (``asked``), which a resume takes back."""
    save_side(pair_directory(out, k), side, scenario, run, other, seed, runs, resumed,
              {**_pair_record(params, planned), **(asked or {})})


def save_running_pair_side(out: Path, k: int, params: dict[str, Any], side: str,
                           scenario: Scenario, results: Results, other: Scenario, seed: int,
                           runs: int, resumed: Resumed | None = None,
                           planned: int | None = None,
                           asked: dict[str, Any] | None = None) -> None:
    """Save the side of point ``k`` running, marked partial (a checkpoint)."""
    save_running_side(pair_directory(out, k), side, scenario, results, other, seed, runs,
                      resumed, {**_pair_record(params, planned), **(asked or {})})


def _pair_record(params: dict[str, Any], planned: int | None) -> dict[str, Any]:
    """What a side's manifest says of its point: its values, and the number of points in
    the grid (when known)."""
    return {"pair_point": params, **({} if planned is None else {"grid_points": planned})}


def save_pair(out: Path, points: list[PairPoint], names: tuple[str, str]) -> None:
    """Save the newest point's ``compare.json`` beside its sides (saved as they ran),
    then the table with every point so far."""
    point = points[-1]
    record = jsonable({"a_name": names[0], "b_name": names[1], **point.result})
    home = pair_directory(out, len(points) - 1)
    home.mkdir(parents=True, exist_ok=True)
    (home / "compare.json").write_text(json.dumps(record, indent=2) + "\n")
    head, rows = pair_rows([p.result for p in points])
    with atomic_writer(out / TABLE) as fh:
        writer = csv.writer(fh)
        writer.writerow(head)
        writer.writerows(rows)


def _labels(results: Sequence[dict[str, Any]]) -> list[str]:
    """The milestone labels of every point, in order of first appearance."""
    return list(dict.fromkeys(lab for r in results for lab in r["diff"]["p_hold"]))


def pair_rows(results: Sequence[dict[str, Any]]) -> tuple[list[str], list[list[Any]]]:
    """``compare_sweep.csv``: the parameter values, the paired runs, then for
    P(agreement) (``agreement``) and each milestone's P(hold) (``hold_<label>``) side
    A's estimate and 95% interval (``a_*``, ``*_low``, ``*_high``), side B's (``b_*``)
    and the paired difference A - B (``d_*``), then whether the point was stopped part
    way (``partial``) and, for an adaptive sweep, whether its precision was met
    (``precision_met``)."""
    if not results:
        return [], []
    keys = list(results[0]["params"])
    labels = _labels(results)
    names = ["agreement", *(f"hold_{lab}" for lab in labels)]
    head = [*keys, "runs"]
    for name in names:
        for side in ("a", "b", "d"):
            head += [f"{side}_{name}", f"{side}_{name}_low", f"{side}_{name}_high"]
    head.append("partial")
    adaptive = "precision" in results[0]
    if adaptive:  # (a comparison sweep of a fixed size has no such column)
        head.append("precision_met")
    rows = []
    for r in results:
        row: list[Any] = [toml_value(v) if isinstance(v, dict | list) else v
                          for v in (r["params"][k] for k in keys)]
        row.append(r["runs"])
        cells = [(r["a"]["p_agreement"], r["b"]["p_agreement"], r["diff"]["p_agreement"])]
        cells += [(r["a"]["p_hold"].get(lab), r["b"]["p_hold"].get(lab),
                   r["diff"]["p_hold"].get(lab)) for lab in labels]
        for triple in cells:
            for p in triple:
                row += [jsonable(p[f]) if p else None for f in ("estimate", "low", "high")]
        row.append(int(bool(r.get("partial"))))
        if adaptive:  # (empty for a point stopped part way: it had not reached its end)
            met = None if r.get("partial") else (r.get("precision") or {}).get("met")
            row.append(None if met is None else int(met))
        rows.append(row)
    return head, rows


def compare_sweep_text(results: Sequence[dict[str, Any]], params: Sequence[str],
                       names: tuple[str, str], planned: int, runs: int | None) -> str:
    """A comparison sweep as two tables, one row per point: the paired difference
    A - B with its interval, then each side's estimate. ``planned`` (the grid's
    points) and ``runs`` (each side's replications) describe the sweep asked for,
    which an interrupted one's rows fall short of. An adaptive sweep's points (their
    results hold ``precision``) each have their own count: a column of them leads
    each table."""
    if not results:
        return "The comparison sweep has no points."
    short = short_keys(params)
    labels = _labels(results)
    count = (f"{len(results)} of " if len(results) < planned else "") + f"{planned} point" + (
        "s" if planned > 1 else "")
    target = results[0].get("precision")
    each = (f"each run until every paired difference's precision is {target['target']:g}, "
            "on common random numbers" if target is not None
            else f"{runs} common-random-number replications each")
    lines = [f"Paired comparison at {count}, {each} (seed {results[0]['seed']})",
             f"  A: {names[0]}",
             f"  B: {names[1]}"]
    lines += [f"  {name}: {key}" for name, key in zip(short, params, strict=True) if name != key]
    if results[-1].get("partial"):
        lines.append(f"  (PARTIAL: {why_partial(results[-1])}; the last point pairs only the "
                     f"{results[-1]['runs']} replications both sides finished)")
    heads = ["P(agreement)", *(f"P(hold {lab})" for lab in labels)]
    columns = [value_cells([r["params"][p] for r in results]) for p in params]
    values = [list(cells) for cells in zip(*columns, strict=True)]

    def quantities(r: dict[str, Any], side: str) -> list[Any]:
        return [r[side]["p_agreement"], *(r[side]["p_hold"].get(lab) for lab in labels)]

    diffs = [[paired_text(d) for d in quantities(r, "diff")] for r in results]
    sides = [[f"{_estimate(a)} / {_estimate(b)}"
              for a, b in zip(quantities(r, "a"), quantities(r, "b"), strict=True)]
             for r in results]
    if target is not None:  # each point's own count, starred where --max-runs cut it short
        heads = ["runs", *heads]
        counts = [runs_cell(r) for r in results]
        diffs = [[c, *d] for c, d in zip(counts, diffs, strict=True)]
        sides = [[c, *s] for c, s in zip(counts, sides, strict=True)]
    widths = column_widths(short, values) + column_widths(heads, diffs, sides)

    def line(cells: Sequence[str]) -> str:
        return aligned(cells, widths)

    header = line([*short, *heads])
    lines += ["", "A - B, percentage points [paired 95% interval]", header,
              *(line([*v, *d]) for v, d in zip(values, diffs, strict=True))]
    lines += ["", "Each side's estimate, A / B", header,
              *(line([*v, *s]) for v, s in zip(values, sides, strict=True))]
    if target is not None and (missed := short_line(results)):
        lines += ["", missed]
    return "\n".join(lines)


def _estimate(p: dict[str, Any] | None) -> str:
    """A side's estimate alone (its interval is in the table and in its directory)."""
    if p is None or p["estimate"] is None or math.isnan(p["estimate"]):
        return "n/a"
    return percent(p["estimate"], 1)


def unpaired_part(out: Path, k: int, before: Results | None) -> list[tuple[Path, int, int]]:
    """Side A of point ``k``, stopped before side B began, as the stale-figure notes take
    a part (its directory, the replications it held before the resume and holds now),
    or nothing if it holds none: no point yielded tells what it grew to."""
    try:
        now = json.loads((pair_directory(out, k) / "a" / "summary.json").read_text())["runs"]
    except (OSError, ValueError, KeyError, TypeError):
        return []
    return [(pair_directory(out, k) / "a", len(before or ()), int(now))]


def pairs_stopped(points: Sequence[PairPoint], planned: int, out: Path | None) -> str:
    """The line that says where an interrupted comparison sweep stopped and what it kept.
    A point stopped in its side A is not among ``points`` (nothing was paired), but its
    side A is saved in ``out``."""
    started = out is not None and len(points) < planned and (
        pair_directory(out, len(points)) / "a" / "runs.csv").exists()
    during = not points or points[-1].interrupted or started
    at = len(points) + 1 if started else max(len(points), 1)
    line = f"interrupted {'during' if during else 'after'} point {at} of {planned}"
    if not points:
        line += "; no point was compared"
    if out is not None:
        line += f"; finished runs kept in {out}: finish with {finish_with('compare_sweep', out)}"
    return line
