"""Adaptive precision: when a run with ``--precision EPS`` has run enough.

It runs fixed batches and stops once the Wilson 95% half-width of P(agreement) and of
every milestone's P(hold) is at most EPS; a comparison (``compare --precision EPS``)
stops once the paired interval of each difference A - B is. The run counts at which it
checks depend on the options alone, so where it stops does not depend on the workers.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from sim.records import Results
from sim.scenario import Scenario
from sim.stats import Z95, half_width, milestones, paired_difference


def precision_reached(results: Results, scenario: Scenario, eps: float) -> bool:
    """True when P(agreement) and every milestone's P(hold) have half-width <= eps."""
    n = len(results)
    if n == 0:
        return False
    agreed = int(results.columns["agreed"].sum())
    if half_width(agreed, n) > eps:
        return False
    return all(half_width(int(results.held(h).sum()), n) <= eps for _, h in milestones(scenario))


def difference_reached(a: Results, b: Results, scenario: Scenario, eps: float) -> bool:
    """True when the paired 95% interval of A - B (:func:`sim.stats.paired_difference`,
    over the same replications of both) has a half-width of at most ``eps`` in
    P(agreement) and in every milestone's P(hold): what an adaptive comparison
    (``compare --precision``) runs until."""
    if not np.array_equal(a.columns["replication"], b.columns["replication"]):
        raise ValueError("a paired precision needs the same replications on both sides")
    pairs = [(a.columns["agreed"], b.columns["agreed"])]
    pairs += [(a.held(h), b.held(h)) for _, h in milestones(scenario)]
    for x, y in pairs:
        d = paired_difference(x, y)
        if not (d["high"] - d["low"]) / 2.0 <= eps:  # (no runs: nan, not reached)
            return False
    return True


def runs_at_even_odds(eps: float) -> int:
    """Runs a probability near 50% (the widest interval) needs for a Wilson 95%
    half-width of at most ``eps``: about ``(z / 2 eps)^2``."""
    return math.ceil((Z95 / (2.0 * eps)) ** 2)


def precision_note(eps: float, max_runs: int, what: str = "the run") -> str:
    """What to say before an adaptive run (or ``what`` else: "each point" of a sweep)
    that ``max_runs`` may stop short of ``eps`` ("" when it cannot): a tiny --precision
    ran to --max-runs and only then said so."""
    need = runs_at_even_odds(eps)
    if need <= max_runs:
        return ""
    return (f"note: --precision {eps:g} needs about {need:,} runs for a probability near 50% "
            f"(the widest interval), more than --max-runs {max_runs:,}: {what} will stop there "
            "unless every probability is far from 50%")


def check_points(min_runs: int, max_runs: int, batch: int) -> list[int]:
    """Run counts at which an adaptive run checks its precision: ``min_runs``, then each
    multiple of ``batch`` above it, and ``max_runs`` last. They depend on the options
    only, so the stopping point does not depend on the workers."""
    first = min(max(min_runs, 1), max_runs)
    points = [first, *range((first // batch + 1) * batch, max_runs, batch)]
    return points if points[-1] == max_runs else [*points, max_runs]


def precision_record(out: Any, eps: float) -> dict[str, Any]:
    """What a summary says of an adaptive run (a :class:`sim.runner.RunOutcome`): the
    target, whether it was met, and the runs it took (or holds, stopped part way)."""
    return {"target": eps, "met": out.precision_met,
            "runs": len(out.results) if out.partial else out.target}


def precision_words(record: dict[str, Any] | None, partial: bool, of: str = "") -> str:
    """Whether an adaptive result met its precision, for a figure's caption: ``precision
    0.01: reached`` (``of`` names what was targeted: " on every paired difference").
    "" for a result of a fixed size, or one stopped part way, which its caption marks
    partial already."""
    if not record or partial:
        return ""
    state = "reached" if record.get("met") else "NOT reached (hit --max-runs)"
    return f"precision {record['target']:g}{of}: {state}"


AS_SAVED = "the options it was saved with (give none of --runs, --precision, --min-runs and --max-runs)"
"""The way on from a resume refused for stopping before the saved runs end, while what
was saved is untouched: its own options stop it where it stopped before."""


def last_held(held: Sequence[Results | None]) -> int:
    """One past the last replication any of ``held`` holds: the ``--runs`` that keeps
    them all."""
    return max((int(h.columns["replication"].max()) + 1 for h in held if h is not None and len(h)),
               default=0)


def stop_within(held: Sequence[Results], points: Sequence[int],
                reached: Callable[[int], bool]) -> int | None:
    """The first check point in ``points`` at which an adaptive run (or comparison)
    resumed from ``held`` (its saved replications: one run's, or each side's) would
    stop, if they hold replications past it, which stopping there would drop; None when
    no check point they reach stops it early. ``reached(n)`` says whether replications
    ``0 .. n-1`` are precise enough. Found before anything runs, so a resume refused
    for it leaves what was saved as it was; one stopped at a check point whose runs are
    not all saved yet is known only once they run."""
    most = last_held(held)
    for aim in points:
        if aim >= most or any(len(h.below(aim)) < aim for h in held):
            return None
        if reached(aim):
            return aim
    return None
