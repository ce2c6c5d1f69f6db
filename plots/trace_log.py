"""What a traced replication's event log says, as the trace figure draws it: when the
ceasefire started and ended, each convoy's journey, each signatory's trust over time,
and a one-line account of how the replication went."""

from __future__ import annotations

import math
import re
from typing import Any

from plots.style import party_label
from sim import rules
from sim.records import Outcome, TraceEvent
from sim.scenario import Scenario


def phases(events: tuple[TraceEvent, ...]) -> dict[str, Any]:
    """Ceasefire start, pause length, end and withdrawal read off the event log."""
    start = next((e for e in events if e.event == "ceasefire"), None)
    withdraw = next((e for e in events if e.event == "withdraws"), None)
    horizon = next((e for e in events if e.event == "horizon"), None)
    end_event = withdraw or horizon
    return {
        "start": start.time if start else None,
        "pause": (start.value if start and not math.isnan(start.value) else 0.0) if start else None,
        "end": end_event.time if end_event else (events[-1].time if events else 0.0),
        "withdraw": withdraw,
        "agreement": next((e for e in events if e.event == "agreement"), None),
        "deadline": next((e for e in events if e.event == "deadline"), None),
    }


def convoys(events: tuple[TraceEvent, ...], start: float) -> list[dict[str, Any]]:
    """Each convoy's departure, arrival or turning back, in hours since the start."""
    out: dict[int, dict[str, Any]] = {}
    for e in events:
        if not e.event.startswith("convoy ") or e.event == "convoy attacked":
            continue
        m = re.search(r"convoy (\d+)", e.detail)
        if m is None:
            continue
        c = out.setdefault(int(m.group(1)), {"number": int(m.group(1))})
        if e.event == "convoy departs":
            c["depart"] = e.time - start
        else:
            c["end"] = e.time - start
            c["delivered"] = e.event == "convoy delivers"
    return [out[k] for k in sorted(out)]


def trust_series(events: tuple[TraceEvent, ...], start: float) -> dict[str, tuple[list, list]]:
    """Trust of each signatory at each 'trust' event: {party: (hours since start, trust)}."""
    out: dict[str, tuple[list, list]] = {}
    for e in events:
        if e.event == "trust" and not math.isnan(e.value):
            times, values = out.setdefault(e.party, ([], []))
            times.append(e.time - start)
            values.append(e.value)
    return out


def trust_path(times: list[float], values: list[float], rate_per_hour: float, end: float,
               samples: int = 24) -> tuple[list[float], list[float]]:
    """Trust as the model moves it, from the values logged at ``times``.

    The first logged value is the starting level, to which trust recovers in calm
    (:func:`sim.rules.trust_after_calm`); every later one was logged just after a drop.
    Joining the logged values with straight lines would draw each drop as a slow slope
    and hide the recovery, so between two values the path follows the recovery curve
    (``samples`` points) and then falls straight down; after the last value it recovers
    until ``end`` (hours since the ceasefire started)."""
    if not times:
        return [], []
    baseline = values[0]
    xs, ys = [times[0]], [values[0]]
    for k, (t, v) in enumerate(zip(times, values, strict=True)):
        until = times[k + 1] if k + 1 < len(times) else max(end, t)
        for j in range(1, samples + 1):
            x = t + (until - t) * j / samples
            xs.append(x)
            ys.append(rules.trust_after_calm(v, baseline, rate_per_hour, x - t))
        if k + 1 < len(times):
            xs.append(times[k + 1])
            ys.append(values[k + 1])
    return xs, ys


def days_text(hour: float) -> str:
    """' (day N)' after an hour since the talks began: whole days as they are, others
    to a decimal; nothing below a day (hour 12 was written 'day 0', as if the start)."""
    days = hour / 24.0
    if days < 1:
        return ""
    return f" (day {days:.0f})" if days == round(days) else f" (day {days:.1f})"


def headline(outcome: Outcome, scenario: Scenario) -> str:
    """One line saying how this replication went."""
    parties = scenario.spec.parties
    if not outcome.agreed:
        return f"No agreement after {outcome.rounds} rounds"
    hour = float(f"{outcome.agreement_hour:.0f}")  # the hour as written
    text = f"Agreed at hour {hour:.0f}{days_text(hour)}; "
    if outcome.collapsed:
        blamed = party_label(parties, outcome.blamed)
        text += (f"{party_label(parties, outcome.withdrew)} withdrew after "
                 f"{outcome.hours_held:.0f} h, blaming {blamed}")
        if outcome.misattributed:
            text += f" for an act by {party_label(parties, outcome.trigger)}"
        if outcome.delineation_hit:
            text += " for a strike on a spoiler that landed on it"
    else:
        text += f"the ceasefire held to the horizon ({outcome.hours_held:.0f} h)"
    return text
