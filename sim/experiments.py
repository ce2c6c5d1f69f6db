"""Sweeps on common random numbers.

Every point of a sweep, and both sides of a comparison, reuse the run's root seed. As
streams are keyed by replication and by party or source name, replication ``i`` of
each variant sees the same shocks, the same perception draws and the same party draws
wherever the variants agree, so differences between them are paired (as in a paired
comparison, :mod:`sim.comparison`): their intervals are narrower than independent
runs would give, by much for outcomes decided early (agreement, the first milestones)
and by less for late ones, where the paired replications have drifted apart.

A sweep therefore reports, beside each point's own estimates, its paired difference
from the reference point, the first point of the grid (every parameter at its first
value): ``diff_from_reference`` in each point's summary, ``d_*`` columns in
``sweep.csv``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np

from sim.defaults import DEFAULT_MAX_RUNS, DEFAULT_MIN_RUNS
from sim.document import join_key, refuse_replacing, split_key, value_at
from sim.errors import ScenarioError
from sim.params import MAX_POINTS, MAX_VALUES, Range, grid, parse_param, parse_params
from sim.precision import last_held, precision_record
from sim.reads import is_descriptive
from sim.records import Results
from sim.runner import DEFAULT_BATCH, Runner
from sim.scenario import Scenario, with_overrides
from sim.stats import milestones, paired_difference, summarize
from sim.sweep_files import met_before_saved_point, sweep_labels
from sim.toml_out import toml_value
from sim.validation import label_clash

__all__ = [
    "MAX_POINTS",
    "MAX_VALUES",
    "SweepPoint",
    "grid",
    "inert_keys",
    "inert_note",
    "parse_param",
    "parse_params",
    "reference_difference",
    "run_sweep",
    "sweep",
    "sweep_labels",
    "sweep_scenarios",
]


@dataclass
class SweepPoint:
    """One point of a sweep."""

    params: dict[str, Any]
    """The swept keys and their values at this point."""
    scenario: Scenario
    """The base scenario with those values set."""
    results: Results
    """Its replications, on the sweep's root seed."""
    summary: dict[str, Any]
    """Its summary (as ``run --json``) plus ``diff_from_reference``."""
    interrupted: bool = False
    """Stopped before all its replications ran (the sweep's last point): by Ctrl-C, a
    lost worker or a replication the scenario's limits refuse."""


def sweep_scenarios(
    base: Scenario, params: list[tuple[str, list[Any]]], table: str = "sweep"
) -> list[tuple[dict[str, Any], Scenario]]:
    """Every grid point's assignment and scenario, all built and validated before any runs,
    so a bad value in a late point costs no computation.

    Raises:
        ScenarioError: a bad value, a ``--param`` that would replace a value the base's
            ``--set`` gave (the same key, or a table holding it), or milestone labels of
            two points that would name one column of the sweep's ``table``
            (``sweep.csv``; a comparison sweep's ``compare_sweep``).
    """
    # a --set table replaced the file's whole, so what the document holds there it gave
    given = [("--set", k, value_at(base.raw, split_key(k))) for k, source in base.set_by.items()
             if source == "--set"]
    for key, values in params:
        text = ",".join(map(toml_value, values))
        if is_descriptive(split_key(key)):
            raise ScenarioError("--param", key, text, "a key the model reads (this one "
                                "would vary nothing: name, title, description, sources, issue "
                                "units and descriptions, party labels and [observed] describe "
                                "the scenario or score it, and no replication reads them)")
        refuse_replacing(given, key, "--param", f"{key}={text}")
    out = []
    for assignment in grid(params):
        # a key that cannot be set, or a value the scenario refuses, is named against --param
        try:
            out.append((assignment, with_overrides(base, assignment, "--param")))
        except ScenarioError as exc:
            steps = _steps_not_whole(exc, params)
            steps.more = exc.more  # the other problems the schema found
            raise steps from None
    _refuse_label_clash(out, table)
    return out


def _refuse_label_clash(points: list[tuple[dict[str, Any], Scenario]], table: str) -> None:
    """The points of a sweep share one table: a milestone label of one (7d_low) must not
    name a column another's (7d) names too, as within one scenario
    (:func:`sim.validation.label_clash`)."""
    labels = [label for _, sc in points for label in sc.spec.ceasefire.milestones]
    clash = label_clash(labels, table)
    if clash is not None:
        label, other, column = clash
        at = next(a for a, sc in points if label in sc.spec.ceasefire.milestones)
        values = " ".join(f"{k}={toml_value(v)}" for k, v in at.items())
        raise ScenarioError("--param", join_key(("ceasefire", "milestones", label)), values,
                            f"milestone labels whose columns in the table differ from "
                            f"milestone {other!r}'s at another point (both would name "
                            f"{column})")


def _steps_not_whole(exc: ScenarioError, params: list[tuple[str, list[Any]]]) -> ScenarioError:
    """An integer field refusing swept values that are not whole: name the first (the
    first refused, 0.0 of 0:3:3, is whole but written as a float because 1.5 is not),
    and say how to write a range of integers; or leave the error as it was."""
    for key, values in params:
        # (a whole number refused for its range is reported as it is)
        if exc.path != key or "whole number" not in exc.allowed or not isinstance(exc.value,
                                                                                 float):
            continue
        broken = [v for v in values if isinstance(v, float) and not v.is_integer()]
        if broken and isinstance(values, Range):
            return ScenarioError(exc.file, exc.path, broken[0],
                                 f"a whole number (an integer field); the values "
                                 f"{', '.join(f'{v:g}' for v in values)} are not all whole: "
                                 "give start:stop:num whose steps are whole")
        if broken:
            return ScenarioError(exc.file, exc.path, broken[0], "a whole number (an integer "
                                 "field)")
        if isinstance(values, Range):  # 0.0:4.0:3, whole values written as floats
            return ScenarioError(exc.file, exc.path, exc.value, "a whole number (an integer "
                                 "field): write the range's ends as integers (0:4:3, not "
                                 "0.0:4.0:3) to sweep it")
    return exc


def run_sweep(
    scenarios: list[tuple[dict[str, Any], Scenario]], runner: Runner, runs: int, seed: int,
    existing: list[Results | None] | None = None,
    checkpoint: Callable[[int, dict[str, Any], Scenario, Results], None] | None = None,
    checkpoint_every: float = 60.0,
    precision: float | None = None,
    min_runs: int = DEFAULT_MIN_RUNS,
    max_runs: int = DEFAULT_MAX_RUNS,
    batch: int = DEFAULT_BATCH,
) -> Iterator[SweepPoint]:
    """Run the points in order on the same seed, yielding each as it finishes; an
    interrupted point is the last, and is not yielded if none of its replications
    finished (a stop that came between points). ``existing`` holds each point's
    replications saved by an earlier, interrupted sweep: they are kept, not rerun.
    ``checkpoint`` is called with the running point's index, parameters, scenario and
    finished replications about every ``checkpoint_every`` seconds (as
    :meth:`Runner.run` calls its own), to save them while the point runs.

    With ``precision`` (and its bounds and batch, as :meth:`Runner.run` takes them)
    each point runs until its own estimates are that precise, as ``run --precision``
    would run it alone, and its summary says where it stopped (``precision``). The
    points then hold different counts, on the same seeds: each difference pairs the
    replications both the point and the reference hold.

    Each point's summary carries ``diff_from_reference``: its paired difference from the
    first point (see :func:`reference_difference`).

    Raises:
        ScenarioError, WorkerLostError: a replication the scenario's limits refuse, or a
            lost worker; the point it stopped is yielded first, with the replications
            finished before it, so the caller saves them as an interrupted point's.
        ScenarioError: a resumed point whose precision is met before its saved
            replications end (:func:`met_before_saved_point`); it is not yielded, and
            what was saved of it is left as it was.
    """
    ref: SweepPoint | None = None
    # a refusal found once a point has run names a --runs that keeps every point's runs,
    # those saved before and those this session ran
    most = last_held(existing or [])
    for k, (assignment, scenario) in enumerate(scenarios):
        held = existing[k] if existing else None
        out = runner.run(scenario, runs, seed, existing=held, precision=precision,
                         min_runs=min_runs, max_runs=max_runs, batch=batch,
                         label=f"point {k + 1}/{len(scenarios)}", keep_on_error=True,
                         checkpoint=None if checkpoint is None
                         else partial(checkpoint, k, assignment, scenario),
                         checkpoint_every=checkpoint_every)
        if out.beyond and held is not None:  # (earlier points are saved by now)
            raise met_before_saved_point(k, len(scenarios), out.target, held, precision,
                                         most, untouched=False)
        most = max(most, last_held([out.results]))
        if out.partial and not len(out.results):
            if out.error is not None:
                if checkpoint is not None:  # a checkpoint saved before may hold runs past
                    checkpoint(k, assignment, scenario, out.results)  # the failure: none
                raise out.error
            return
        summary = summarize(out.results, scenario, seed=seed, wall_seconds=out.wall_seconds,
                            partial=out.partial, ran=out.ran)
        if precision is not None:
            summary["precision"] = precision_record(out, precision)
        summary["params"] = dict(assignment)  # (its figures, drawn alone, name them)
        if out.error is not None:
            summary["error"] = str(out.error)
        point = SweepPoint(assignment, scenario, out.results, summary, out.partial)
        if ref is None:
            ref = point
        diff = reference_difference(point, ref) if ref is not point else _reference_itself(point)
        summary["diff_from_reference"] = {"reference": dict(ref.params), **diff}
        yield point  # (saved by the caller before the error below is raised)
        if out.error is not None:
            raise out.error
        if out.interrupted:
            return


def sweep(
    base: Scenario,
    params: list[tuple[str, list[Any]]],
    runner: Runner,
    runs: int,
    seed: int,
    precision: float | None = None,
    min_runs: int = DEFAULT_MIN_RUNS,
    max_runs: int = DEFAULT_MAX_RUNS,
    batch: int = DEFAULT_BATCH,
) -> tuple[list[SweepPoint], bool]:
    """Run every grid point on the same seed; returns the points and whether interrupted
    (some point did not run, or did not finish). With ``precision``, each point runs
    until its own estimates are that precise (``runs`` is then ignored).

    Every point is validated before the first runs (:func:`sweep_scenarios`); the points
    are those of :func:`run_sweep`.
    """
    todo = sweep_scenarios(base, params)
    points = list(run_sweep(todo, runner, runs, seed, precision=precision, min_runs=min_runs,
                            max_runs=max_runs, batch=batch))
    return points, len(points) < len(todo) or points[-1].interrupted


def inert_keys(points: Sequence[tuple[dict[str, Any], Sequence[Results], Any]]) -> list[str]:
    """The swept keys that changed no replication: wherever the other keys stand, every
    value of such a key gave the same outcomes, replication for replication (on each
    side, for a comparison sweep), measured the same way. ``points`` holds each finished
    point's values, replications and measures (its milestones: a key that changes them
    changes what is reported, not what happened). A point stopped part way holds fewer
    replications: leave it out.

    A key the scenario never reads (a spoiler's targeting where no issue covers joint
    targeting) sweeps to rows of +0.0 that read as a finding; this tells them apart."""
    inert = []
    for key in (list(points[0][0]) if points else []):
        groups: dict[str, list[tuple[Sequence[Results], Any]]] = {}
        for params, held, measures in points:
            rest = repr([(k, v) for k, v in params.items() if k != key])
            groups.setdefault(rest, []).append((held, measures))
        compared = [g for g in groups.values() if len(g) > 1]
        if compared and all(measures == g[0][1] and all(
                r.same_as(f) for r, f in zip(held, g[0][0], strict=True))
                for g in compared for held, measures in g[1:]):
            inert.append(key)
    return inert


def inert_note(keys: list[str], runs: int | None) -> str:
    """What to tell the user of swept keys that changed no replication (``runs`` is
    each point's count; None for an adaptive sweep's, which may differ)."""
    if not keys:
        return ""
    which = " and ".join(keys)
    each = "as many runs as each point took" if runs is None else f"{runs} runs each"
    return (f"note: {which} changed no replication's outcome at any point ({each}, "
            "on the same seeds): the scenario may not use it (a key of an issue it leaves "
            "out, say), or it changes too little to alter any replication (a hard limit no "
            "offer reaches: offers lie between the patrons' ideals)")


def reference_difference(point: SweepPoint, ref: SweepPoint) -> dict[str, Any]:
    """Paired differences ``point - ref`` in P(agreement) and each milestone's P(hold).

    Both ran on the same seeds, so replication ``i`` of one is paired with replication
    ``i`` of the other; the intervals come from :func:`sim.stats.paired_difference`.
    Only replications both hold are paired (all of them, unless the sweep was
    interrupted). Each side's P(hold) at a milestone label uses its own hours for that
    label, as in its summary; labels the reference lacks are left out.

    Returns:
        ``runs`` (pairs) and, as ``{"estimate", "low", "high"}`` objects, ``p_agreement``
        and ``p_hold`` keyed by milestone label.
    """
    _, i, j = np.intersect1d(point.results.columns["replication"],
                             ref.results.columns["replication"], return_indices=True)
    ref_hours = dict(milestones(ref.scenario))
    p_hold = {
        label: paired_difference(point.results.held(hours)[i], ref.results.held(ref_hours[label])[j])
        for label, hours in milestones(point.scenario) if label in ref_hours
    }
    return {
        "runs": int(i.size),
        "p_agreement": paired_difference(point.results.columns["agreed"][i],
                                         ref.results.columns["agreed"][j]),
        "p_hold": p_hold,
    }


def _reference_itself(ref: SweepPoint) -> dict[str, Any]:
    """The reference's difference from itself: exactly zero, no interval to report."""
    zero = {"estimate": 0.0, "low": None, "high": None}
    return {"runs": len(ref.results), "p_agreement": dict(zero),
            "p_hold": {label: dict(zero) for label, _ in milestones(ref.scenario)}}
