"""Scoring probability forecasts against what happened: Brier, log score, percentiles.

Across scenarios, per event (agreement, and each milestone label): the Brier score
``mean((p - o)^2)`` and the mean log score ``mean(ln P(observed outcome))`` with
probabilities clipped to ``[1e-6, 1 - 1e-6]``, for the model and for a base-rate
forecast that gives every case the same probability, the mean observed outcome of the
event over the cases. Brier: 0 is perfect, 1 the worst; log score: 0 is perfect, lower
is worse. That base rate is fitted to the very cases it scores, so with few cases it is
near perfect by construction: with one case of an event it is that case's outcome, and
scores 0 whatever happened. Beside it, a leave-one-out base rate gives each case the
mean outcome of the other cases of the event, a forecast that could have been made
without knowing the case's own outcome; it is scored, with the model on the same pairs,
wherever another case exists (``leave_one_out``). Both are set beside an uninformed
forecast of an even chance for every event (``uninformed``), which scores Brier 0.25 and
log ln 0.5 whatever happens: with two cases, the leave-one-out base rate is the other
case's outcome, 0 or 1, and scores 1 wherever the two differ, so any hedged forecast
beats it; the uninformed one is the bar a forecast must clear.

The percentile of an observed duration within predicted durations is the probability
integral transform: over many well-calibrated cases these percentiles are uniform on
0..100.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

CLIP = 1e-6
"""Probabilities are clipped to [CLIP, 1 - CLIP] before taking logarithms."""

UNINFORMED = 0.5
"""The uninformed forecast: the same even chance for every event. It scores Brier 0.25
and log ln 0.5 whatever happened, the bar a forecast must clear to say anything; with
two cases the leave-one-out base rate, the other case's 0 or 1, cannot be beaten by
less."""


# ---------------------------------------------------------------------------
# Scoring rules
# ---------------------------------------------------------------------------


def brier(p: float, outcome: bool) -> float:
    """Squared error of a probability forecast against a 0/1 outcome."""
    return (p - float(outcome)) ** 2


def log_score(p: float, outcome: bool) -> float:
    """Natural log of the probability given to what happened (clipped; 0 is perfect)."""
    q = min(max(p, CLIP), 1.0 - CLIP)
    return math.log(q if outcome else 1.0 - q)


def percentile_of(value: float, sample: np.ndarray) -> float:
    """Mid-rank percentile (0..100) of ``value`` within ``sample``.

    Sample values below ``value`` count fully, ties count half, so a value equal to
    every sample value (e.g. an observation censored at the horizon against runs that
    all held to it) sits at 50. Ties are judged with a relative tolerance of 1e-9, as
    durations come from floating-point clocks.
    """
    if sample.size == 0:
        return math.nan
    tol = 1e-9 * max(1.0, abs(value))
    below = int(np.sum(sample < value - tol))
    ties = int(np.sum(np.abs(sample - value) <= tol))
    return 100.0 * (below + 0.5 * ties) / sample.size


# ---------------------------------------------------------------------------
# Scores across scenarios
# ---------------------------------------------------------------------------


def _score(pairs: list[tuple[float, bool]], base: float | None = None) -> dict[str, Any]:
    """Brier and log scores of (probability, outcome) pairs, model and base rate."""
    if not pairs:
        return {"cases": 0, "base_rate": None,
                "brier": {"model": None, "base_rate": None},
                "log_score": {"model": None, "base_rate": None}}
    rate = base if base is not None else sum(o for _, o in pairs) / len(pairs)
    return {
        "cases": len(pairs),
        "base_rate": rate,
        "brier": {
            "model": float(np.mean([brier(p, o) for p, o in pairs])),
            "base_rate": float(np.mean([brier(rate, o) for _, o in pairs])),
        },
        "log_score": {
            "model": float(np.mean([log_score(p, o) for p, o in pairs])),
            "base_rate": float(np.mean([log_score(rate, o) for _, o in pairs])),
        },
    }


def _leave_one_out(pairs: list[tuple[float, bool]]) -> list[tuple[float, bool, float]]:
    """Each (probability, outcome) pair that has other cases of its event, with the mean
    outcome of those others: the base rate it would have been given without its own."""
    total = sum(o for _, o in pairs)
    return [(p, o, (total - o) / (len(pairs) - 1)) for p, o in pairs] if len(pairs) > 1 else []


def _loo_score(triples: list[tuple[float, bool, float]], pairs: int) -> dict[str, Any]:
    """Brier and log scores of the model and of the leave-one-out base rate, on the
    ``triples`` (of ``pairs`` in all) that have one."""
    def mean(values: list[float]) -> float | None:
        return float(np.mean(values)) if values else None

    return {
        "pairs": len(triples),
        "of": pairs,
        "brier": {"model": mean([brier(p, o) for p, o, _ in triples]),
                  "base_rate": mean([brier(b, o) for _, o, b in triples])},
        "log_score": {"model": mean([log_score(p, o) for p, o, _ in triples]),
                      "base_rate": mean([log_score(b, o) for _, o, b in triples])},
    }


def event_labels(rows: list[dict[str, Any]]) -> list[tuple[str, float]]:
    """Every milestone label of the rows, shortest first (hours where first seen)."""
    seen: dict[str, float] = {}
    for row in rows:
        for label, hours in row["milestones"].items():
            seen.setdefault(label, hours)
    return sorted(seen.items(), key=lambda kv: (kv[1], kv[0]))


def compute_scores(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Brier and log scores per event, and pooled over every (case, milestone) pair."""
    agreement = [(r["p_agreement"]["estimate"], bool(r["observed"]["agreed"])) for r in rows]
    per_milestone: dict[str, Any] = {}
    pooled_model: list[tuple[float, bool]] = []
    pooled_base: list[tuple[float, bool]] = []
    pooled_loo: list[tuple[float, bool, float]] = []
    for label, hours in event_labels(rows):
        pairs = [
            (r["p_hold"][label]["estimate"], bool(r["observed"]["held"][label]))
            for r in rows
            if label in r["p_hold"] and r["observed"]["held"].get(label) is not None
        ]
        score = _score(pairs)
        score["hours"] = hours
        loo = _leave_one_out(pairs)
        score["leave_one_out"] = _loo_score(loo, len(pairs))
        per_milestone[label] = score
        pooled_model += pairs
        pooled_base += [(score["base_rate"], o) for _, o in pairs]
        pooled_loo += loo
    pooled = _score(pooled_model)
    pooled["leave_one_out"] = _loo_score(pooled_loo, len(pooled_model))
    if pooled_base:
        pooled["base_rate"] = None  # one base rate per milestone, not one overall
        pooled["brier"]["base_rate"] = float(np.mean([brier(p, o) for p, o in pooled_base]))
        pooled["log_score"]["base_rate"] = float(
            np.mean([log_score(p, o) for p, o in pooled_base]))
    pooled["pairs"] = pooled.pop("cases")
    # the leave-one-out base rate gives 0 or 1 where the other cases agree: its log
    # score is then the clip's wherever the case differs, as the model's can be
    pooled["leave_one_out"]["clipped"] = sum(
        1 for _, o, b in pooled_loo if b == (0.0 if o else 1.0))
    return {
        "cases": len(rows),
        "uninformed": {"forecast": UNINFORMED, "brier": brier(UNINFORMED, True),
                       "log_score": log_score(UNINFORMED, True)},
        "agreement": {**_score(agreement),
                      "leave_one_out": _loo_score(_leave_one_out(agreement), len(agreement))},
        "milestones": per_milestone,
        "all_milestones": pooled,
        "clipped": clipped(rows),
    }


def clipped(rows: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The forecasts that gave what happened none of the runs (an estimate of 0 for an
    outcome that came, or of 1 for one that did not): each log score is the clip's,
    ln(CLIP), not the model's, and such a term outweighs the rest of a mean and moves
    with the run count (no probability below 1/runs can be estimated). One entry per
    forecast: its ``scenario`` and ``event`` (``agreement``, ``hold <label>``)."""
    out = []
    for r in rows:
        forecasts = [("agreement", r["p_agreement"]["estimate"], r["observed"]["agreed"])]
        forecasts += [(f"hold {label}", p["estimate"], r["observed"]["held"].get(label))
                      for label, p in r["p_hold"].items()]
        for event, p, outcome in forecasts:
            if outcome is not None and p is not None and p == (0.0 if outcome else 1.0):
                out.append({"scenario": r["scenario"], "event": event})
    return out
