"""Estimates with honest intervals from many replications.

Probabilities get Wilson score intervals (good coverage even near 0 and 1, where the
normal approximation fails); survival curves get a pointwise Wilson band (the only
censoring is at the horizon, so the empirical survival is the Kaplan-Meier estimate);
paired differences of two runs on common random numbers get a normal interval from
the per-replication differences.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from sim.records import Results
from sim.scenario import Scenario

Z95 = 1.959963984540054


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float, float]:
    """Estimate and Wilson score interval for ``k`` successes in ``n`` trials.

    With ``n == 0`` nothing is known: the estimate is nan and the interval 0..1.
    """
    if n <= 0:
        return math.nan, 0.0, 1.0
    p = k / n
    z2 = z * z
    denom = 1.0 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom
    low = 0.0 if k == 0 else max(0.0, centre - half)  # exact ends, not rounding residue
    high = 1.0 if k == n else min(1.0, centre + half)
    return p, low, high


def interval(k: int, n: int) -> dict[str, float]:
    """A probability as the summary's ``{"estimate", "low", "high"}`` object."""
    est, low, high = wilson(k, n)
    return {"estimate": est, "low": low, "high": high}


def half_width(k: int, n: int) -> float:
    """Half the width of the Wilson 95% interval."""
    _, low, high = wilson(k, n)
    return (high - low) / 2.0


def milestones(scenario: Scenario) -> list[tuple[str, float]]:
    """Milestone labels and hours, shortest first."""
    return sorted(scenario.spec.ceasefire.milestones.items(), key=lambda kv: kv[1])


def precision_reached(results: Results, scenario: Scenario, eps: float) -> bool:
    """True when P(agreement) and every milestone's P(hold) have half-width <= eps."""
    n = len(results)
    if n == 0:
        return False
    agreed = int(results.columns["agreed"].sum())
    if half_width(agreed, n) > eps:
        return False
    return all(half_width(int(results.held(h).sum()), n) <= eps for _, h in milestones(scenario))


def survival(results: Results, scenario: Scenario) -> dict[str, np.ndarray]:
    """Share of agreed ceasefires still holding against hours since the start.

    Returns arrays ``hours`` (0, each distinct collapse time, the horizon), ``share``,
    ``low`` and ``high`` (pointwise Wilson 95%), and ``at_risk`` (agreed runs).
    """
    agreed = results.columns["agreed"]
    held = results.columns["hours_held"][agreed]
    collapsed = results.columns["collapsed"][agreed]
    n = int(agreed.sum())
    horizon = scenario.spec.ceasefire.horizon_hours
    times = np.unique(np.concatenate([[0.0], held[collapsed], [horizon]]))
    share, low, high = [], [], []
    for t in times:
        k = int(np.sum(held > t)) if t < horizon else int(np.sum(~collapsed))
        est, lo, hi = wilson(k, n)
        share.append(est)
        low.append(lo)
        high.append(hi)
    return {
        "hours": times,
        "share": np.array(share),
        "low": np.array(low),
        "high": np.array(high),
        "at_risk": np.array([n] * len(times)),
    }


def paired_difference(a: np.ndarray, b: np.ndarray) -> dict[str, float]:
    """Mean of ``a - b`` over paired replications with a normal 95% interval.

    ``a`` and ``b`` are per-replication indicators (or values) from runs on the same
    seeds. The interval uses the variance of the differences, so the shared noise
    cancels: the point of common random numbers.
    """
    d = a.astype(float) - b.astype(float)
    n = d.size
    if n == 0:
        return {"estimate": math.nan, "low": math.nan, "high": math.nan}
    mean = float(d.mean())
    sd = float(d.std(ddof=1)) if n > 1 else 0.0
    half = Z95 * sd / math.sqrt(n)
    return {"estimate": mean, "low": mean - half, "high": mean + half}


def independent_difference(a: np.ndarray, b: np.ndarray) -> dict[str, float]:
    """As :func:`paired_difference`, but as if the runs were independent samples."""
    a, b = a.astype(float), b.astype(float)
    mean = float(a.mean() - b.mean())
    var = a.var(ddof=1) / a.size + b.var(ddof=1) / b.size
    half = Z95 * math.sqrt(var)
    return {"estimate": mean, "low": mean - half, "high": mean + half}


def summarize(
    results: Results,
    scenario: Scenario,
    *,
    seed: int,
    wall_seconds: float = 0.0,
    partial: bool = False,
) -> dict[str, Any]:
    """The summary object of a run (the ``--json`` output and ``summary.json``)."""
    cols = results.columns
    n = len(results)
    agreed = cols["agreed"]
    n_agreed = int(agreed.sum())
    p_hold, p_given = {}, {}
    for label, hours in milestones(scenario):
        k = int(results.held(hours).sum())
        p_hold[label] = interval(k, n)
        p_given[label] = interval(k, n_agreed)
    held = cols["hours_held"][agreed]
    horizon = scenario.spec.ceasefire.horizon_hours
    median = float(np.median(held)) if n_agreed else None
    collapsed = cols["collapsed"]
    n_collapsed = int(collapsed.sum())

    def shares(field: str) -> dict[str, float]:
        names = [x for x in results.names(field) if x]
        return {p: names.count(p) / n_collapsed for p in sorted(set(names))}

    violations = cols["violations"][agreed]
    return {
        "scenario": scenario.name,
        "runs": n,
        "seed": seed,
        "partial": partial,
        "p_agreement": interval(n_agreed, n),
        "p_hold": p_hold,
        "p_hold_given_agreement": p_given,
        "median_hold_hours": median,
        "median_hold_censored": bool(median is not None and median >= horizon),
        "median_agreement_hours": float(np.median(cols["agreement_hour"][agreed]))
        if n_agreed else None,
        "collapse_causes": shares("withdrew"),
        "collapse_triggers": shares("trigger"),
        "misattributed_share": (int(cols["misattributed"].sum()) / n_collapsed)
        if n_collapsed else None,
        "delineation_hit_share": (int(cols["delineation_hit"].sum()) / n_collapsed)
        if n_collapsed else None,
        "mean_violations": {
            a: float(violations[:, i].mean()) if n_agreed else None
            for i, a in enumerate(results.armed)
        },
        "convoys": {
            "sent": int(cols["convoys_sent"].sum()),
            "delivered": int(cols["convoys_delivered"].sum()),
            "attacked": int(cols["convoys_attacked"].sum()),
        },
        "events": int(cols["events"].sum()),
        "wall_seconds": wall_seconds,
        "runs_per_second": (n / wall_seconds) if wall_seconds > 0 else None,
    }


def compare(a: Results, b: Results, scenario: Scenario) -> dict[str, Any]:
    """Paired differences A - B in P(agreement) and each milestone's P(hold)."""
    if len(a) != len(b) or not np.array_equal(a.columns["replication"], b.columns["replication"]):
        raise ValueError("paired comparison needs the same replications in both runs")
    out: dict[str, Any] = {
        "runs": len(a),
        "p_agreement": paired_difference(a.columns["agreed"], b.columns["agreed"]),
        "p_hold": {},
        "independent_p_hold": {},
    }
    for label, hours in milestones(scenario):
        out["p_hold"][label] = paired_difference(a.held(hours), b.held(hours))
        out["independent_p_hold"][label] = independent_difference(a.held(hours), b.held(hours))
    return out
