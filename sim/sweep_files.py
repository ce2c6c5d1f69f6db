"""What a sweep saves in its ``--out DIR``: each point as a run directory of its own,
``points/NNN``, with what was asked of it in its manifest, and ``sweep.csv``, a row per
point, rewritten as each point finishes."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.csvio import atomic_writer
from sim.errors import ScenarioError
from sim.output import Resumed, jsonable, write_run
from sim.precision import AS_SAVED
from sim.records import Results
from sim.rundir import point_directory
from sim.scenario import Scenario
from sim.stats import milestones, summarize
from sim.toml_out import toml_value

if TYPE_CHECKING:
    from sim.experiments import SweepPoint

__all__ = [
    "met_before_saved_point",
    "point_asked",
    "save_point",
    "save_running_point",
    "sweep_labels",
    "sweep_rows",
    "write_sweep_csv",
]


def sweep_labels(points: list[SweepPoint]) -> list[str]:
    """The milestone labels of every point, in order of first appearance (points may
    sweep the milestones themselves)."""
    return list(dict.fromkeys(lab for pt in points for lab, _ in milestones(pt.scenario)))


def sweep_rows(points: list[SweepPoint]) -> tuple[list[str], list[list[Any]]]:
    """``sweep.csv``: parameter values, every summary probability with its interval, runs,
    the paired differences from the reference (the first row), then whether the point
    was stopped part way (``partial``) and, for an adaptive sweep, whether it met its
    precision (``precision_met``).

    The difference columns are ``d_agreement`` and ``d_hold_<label>`` with ``_low`` and
    ``_high`` (95% interval); the reference row has 0 and empty interval ends. The
    milestone columns are those of every point (:func:`sweep_labels`); a point without a
    milestone, or whose reference lacks it, has empty cells there.
    """
    if not points:
        return [], []
    keys = list(points[0].params)
    labels = sweep_labels(points)
    head = [*keys, "runs", "p_agreement", "p_agreement_low", "p_agreement_high"]
    for prefix in ("p_hold", "p_hold_given_agreement"):
        for lab in labels:
            head += [f"{prefix}_{lab}", f"{prefix}_{lab}_low", f"{prefix}_{lab}_high"]
    for name in ("d_agreement", *(f"d_hold_{lab}" for lab in labels)):
        head += [name, f"{name}_low", f"{name}_high"]
    head.append("partial")  # last: the columns before keep their places for old readers
    adaptive = "precision" in points[0].summary
    if adaptive:  # (a sweep of a fixed size has no such column)
        head.append("precision_met")
    rows = []
    for pt in points:
        s = pt.summary
        # a table or an array as TOML writes it, as the scenario and the table show it
        row = [toml_value(v) if isinstance(v, dict | list) else v
               for v in (pt.params[k] for k in keys)]
        row += [s["runs"]]
        row += [s["p_agreement"][f] for f in ("estimate", "low", "high")]
        for prefix in ("p_hold", "p_hold_given_agreement"):
            row += _cells(s[prefix].get(lab) for lab in labels)
        diff = s.get("diff_from_reference") or {"p_agreement": None, "p_hold": {}}
        row += _cells([diff["p_agreement"], *(diff["p_hold"].get(lab) for lab in labels)])
        row.append(int(bool(s.get("partial"))))  # the point an interruption stopped part way
        if adaptive:  # (empty for a point stopped part way: it had not reached its end)
            met = None if s.get("partial") else s.get("precision", {}).get("met")
            row.append(None if met is None else int(met))
        rows.append(row)
    return head, rows


def _cells(intervals: Iterable[dict[str, Any] | None]) -> list[Any]:
    """Estimate, low and high of each interval; three empty cells for a missing one, and
    an empty cell for an estimate that does not exist (P(hold) given agreement where
    nothing was agreed), as ``summary.json`` writes null."""
    return [jsonable(d[f]) if d else None for d in intervals for f in ("estimate", "low", "high")]


def write_sweep_csv(path: Path, points: list[SweepPoint]) -> None:
    """Write ``sweep.csv``, one row per point (replaced atomically)."""
    head, rows = sweep_rows(points)
    with atomic_writer(path) as fh:
        w = csv.writer(fh)
        w.writerow(head)
        w.writerows(rows)


def save_point(out: Path, points: list[SweepPoint], seed: int, asked: dict[str, Any],
               resumed: Resumed | None = None, planned: int | None = None) -> None:
    """Save the newest of a sweep's points as the run directory ``points/NNN``, then
    ``sweep.csv`` with every point so far, so a table on disk always has its points
    beside it. A sweep saves each point as it finishes: one killed outright keeps those
    it finished (and, from its checkpoints, part of the one running). ``planned``, the
    grid's size, goes into the point's manifest: ``plot`` of a sweep stopped part way
    says how many points it had (:mod:`sim.drawable`). ``asked`` is what the manifest
    says was asked of each point (:func:`point_asked`)."""
    k = len(points) - 1
    point = points[k]
    write_run(point_directory(out, k), point.results, jsonable(point.summary),
              point.scenario, seed, _point_record(point.params, asked, planned), resumed)
    write_sweep_csv(out / "sweep.csv", points)


def save_running_point(out: Path, k: int, params: dict[str, Any], scenario: Scenario,
                       results: Results, seed: int, asked: dict[str, Any],
                       resumed: Resumed | None = None, planned: int | None = None) -> None:
    """Save the point running, ``points/NNN``, marked partial (a checkpoint): its row
    joins ``sweep.csv`` when it finishes, and ``sweep --resume`` finishes it."""
    summary = summarize(results, scenario, seed=seed, partial=True)
    if asked.get("precision") is not None:  # (not stopped yet: nor met, nor missed)
        summary["precision"] = {"target": asked["precision"], "met": None, "runs": len(results)}
    summary = jsonable({**summary, "params": params})
    write_run(point_directory(out, k), results, summary, scenario, seed,
              _point_record(params, asked, planned), resumed)


def point_asked(runs: int, precision: float | None = None, min_runs: int | None = None,
                max_runs: int | None = None) -> dict[str, Any]:
    """What a point's manifest says was asked of it: ``runs_requested``, or, for an
    adaptive sweep, the precision and its bounds (``min_runs`` None for the default), as
    a run's manifest says them (a resume takes them back: :mod:`sim.resuming`)."""
    if precision is None:
        return {"runs_requested": runs}
    return {"runs_requested": None, "precision": precision, "min_runs": min_runs,
            "max_runs": max_runs}


def _point_record(params: dict[str, Any], asked: dict[str, Any], planned: int | None
                  ) -> dict[str, Any]:
    """What a point's manifest says of it: its values, what was asked of it (its runs,
    or its precision) and the number of points in the grid (when known)."""
    record: dict[str, Any] = {"sweep_point": params, **asked}
    if planned is not None:
        record["grid_points"] = planned
    return record


def met_before_saved_point(k: int, points: int, target: int, held: Results,
                           precision: float | None, most: int, untouched: bool
                           ) -> ScenarioError:
    """The refusal of a resumed adaptive point (``k`` of ``points``, counted from 0 as
    its directory is) whose precision is met at ``target``
    replications while it holds more (``held``, saved by an earlier session), which
    finishing it there would drop.

    The ways on keep them all: ``--runs`` up to the last replication any point holds
    (``most``: it sets every point's count); and, when the refusal came before anything
    was saved (``untouched``), the options the sweep was saved with. Once points have
    run, they are saved with this session's options, which would be refused again."""
    beyond = len(held) - len(held.below(target))
    way = f"{AS_SAVED}, or with --runs {most} or more" if untouched else f"--runs {most} or more"
    return ScenarioError("--resume", "", None, f"a precision not met before the runs saved "
                         f"for point {k + 1}/{points} (points/{k:03d}) end: --precision "
                         f"{precision:g} with these bounds is "
                         f"met there at {target} replications, and the point holds {beyond} "
                         f"more, which finishing here would drop (they are left as they were); "
                         f"resume with {way}, which keeps every point's runs")
