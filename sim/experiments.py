"""Sweeps and paired comparisons on common random numbers.

Every point of a sweep, and both sides of a comparison, reuse the run's root seed. As
streams are keyed by replication and by party or source name, replication ``i`` of
each variant sees the same shocks, the same perception draws and the same party draws
wherever the variants agree, so differences between them are paired and tight.
"""

from __future__ import annotations

import csv
import itertools
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.errors import ScenarioError
from sim.records import Results
from sim.runner import Runner
from sim.scenario import Scenario, parse_value, with_overrides
from sim.stats import compare, milestones, summarize


def parse_param(text: str) -> tuple[str, list[Any]]:
    """``KEY=V1,V2,...`` or ``KEY=start:stop:num`` (evenly spaced, both ends included)."""
    if "=" not in text:
        raise ScenarioError("--param", text, text, "KEY=V1,V2,... or KEY=start:stop:num")
    key, _, spec = text.partition("=")
    key, spec = key.strip(), spec.strip()
    if not key or not spec:
        raise ScenarioError("--param", key or text, text, "KEY=V1,V2,... or KEY=start:stop:num")
    if spec.count(":") == 2 and "," not in spec:
        a, b, c = spec.split(":")
        try:
            start, stop, num = float(a), float(b), int(c)
        except ValueError:
            raise ScenarioError("--param", key, spec, "start:stop:num with numbers, num an integer "
                                ">= 2") from None
        if num < 2 or not (math.isfinite(start) and math.isfinite(stop)):
            raise ScenarioError("--param", key, spec, "finite start and stop, num >= 2")
        step = (stop - start) / (num - 1)
        return key, [start + k * step for k in range(num)]
    values = [parse_value(v.strip()) for v in spec.split(",") if v.strip()]
    if not values:
        raise ScenarioError("--param", key, spec, "at least one value")
    return key, values


def grid(params: list[tuple[str, list[Any]]]) -> list[dict[str, Any]]:
    """Every combination of the parameters' values (the first parameter varies slowest)."""
    keys = [k for k, _ in params]
    return [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*(v for _, v in params))]


@dataclass
class SweepPoint:
    """One point of a sweep."""

    params: dict[str, Any]
    scenario: Scenario
    results: Results
    summary: dict[str, Any]


def sweep(
    base: Scenario,
    params: list[tuple[str, list[Any]]],
    runner: Runner,
    runs: int,
    seed: int,
) -> tuple[list[SweepPoint], bool]:
    """Run every grid point on the same seed; returns the points and whether interrupted."""
    points = []
    for assignment in grid(params):
        try:
            scenario = with_overrides(base, assignment)
        except ScenarioError as exc:
            raise ScenarioError(base.file, exc.path, exc.value, exc.allowed) from None
        out = runner.run(scenario, runs, seed)
        summary = summarize(out.results, scenario, seed=seed, wall_seconds=out.wall_seconds,
                            partial=out.interrupted)
        points.append(SweepPoint(assignment, scenario, out.results, summary))
        if out.interrupted:
            return points, True
    return points, False


def sweep_rows(points: list[SweepPoint]) -> tuple[list[str], list[list[Any]]]:
    """``sweep.csv``: parameter values, every summary probability with its interval, runs."""
    if not points:
        return [], []
    keys = list(points[0].params)
    labels = [lab for lab, _ in milestones(points[0].scenario)]
    head = [*keys, "runs", "p_agreement", "p_agreement_low", "p_agreement_high"]
    for prefix in ("p_hold", "p_hold_given_agreement"):
        for lab in labels:
            head += [f"{prefix}_{lab}", f"{prefix}_{lab}_low", f"{prefix}_{lab}_high"]
    rows = []
    for pt in points:
        s = pt.summary
        row = [pt.params[k] for k in keys] + [s["runs"]]
        row += [s["p_agreement"][f] for f in ("estimate", "low", "high")]
        for prefix in ("p_hold", "p_hold_given_agreement"):
            for lab in labels:
                row += [s[prefix][lab][f] for f in ("estimate", "low", "high")]
        rows.append(row)
    return head, rows


def write_sweep_csv(path: Path, points: list[SweepPoint]) -> None:
    """Write ``sweep.csv``, one row per point."""
    head, rows = sweep_rows(points)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(head)
        w.writerows(rows)


def paired(
    a: Scenario, b: Scenario, runner: Runner, runs: int, seed: int
) -> tuple[dict[str, Any], Results, Results, bool]:
    """Run two scenarios on the same seeds and difference them replication by replication."""
    ra = runner.run(a, runs, seed)
    if ra.interrupted:
        return {}, ra.results, Results.empty(b.issues, (), b.order), True
    rb = runner.run(b, runs, seed)
    if rb.interrupted:
        return {}, ra.results, rb.results, True
    if tuple(sorted(a.spec.ceasefire.milestones.items())) != tuple(
            sorted(b.spec.ceasefire.milestones.items())):
        raise ScenarioError(b.file, "ceasefire.milestones", b.spec.ceasefire.milestones,
                            "the same milestones as the other scenario, to compare them")
    diff = compare(ra.results, rb.results, a)
    result = {
        "runs": runs,
        "seed": seed,
        "a": summarize(ra.results, a, seed=seed, wall_seconds=ra.wall_seconds),
        "b": summarize(rb.results, b, seed=seed, wall_seconds=rb.wall_seconds),
        "diff": diff,
    }
    return result, ra.results, rb.results, False
