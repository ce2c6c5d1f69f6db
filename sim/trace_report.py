"""A single replication for people: its events in order, how it ended, and what the
terms its trace uses mean; and the JSON record ``trace`` prints and saves."""

from __future__ import annotations

import json

from sim import __version__
from sim.output import jsonable
from sim.records import Outcome
from sim.scenario import Scenario
from sim.terms import imposed_text, later_text


def trace_record(outcome: Outcome, scenario: Scenario, seed: int) -> str:
    """A traced replication as the JSON ``trace`` prints and saves: which replication
    (version, seed, replication, the ``--set`` values), its events (each with the number
    it carries, such as a trust, or null) and how it ended."""
    events = [{"time": e.time, "party": e.party, "event": e.event, "detail": e.detail,
               "value": e.value} for e in outcome.trace or ()]
    return json.dumps(jsonable({
        "version": __version__, "seed": seed, "replication": outcome.replication,
        "sets": list(scenario.sets), "events": events, "agreed": outcome.agreed,
        "hours_held": outcome.hours_held, "collapsed": outcome.collapsed,
        "withdrew": outcome.withdrew}), indent=2)


def trace_name(seed: int, replication: int) -> str:
    """The stem of a saved trace's files (``trace --out``) and of its figure."""
    return f"trace_{seed}_{replication}"


OUTCOME_KEYS = ("events", "agreed", "hours_held", "collapsed", "withdrew")
"""The keys of a trace record that the replication gives (the others say which it is)."""


def trace_text(outcome: Outcome, scenario: Scenario, seed: int | None = None) -> str:
    """One replication, event by event, and how it ended, under a line that says which
    (scenario, ``--set`` values, seed), so a saved or pasted trace can be run again."""
    which = f"Replication {outcome.replication}" + (f" of seed {seed}" if seed is not None else "")
    lines = [f"Scenario: {scenario.spec.title or scenario.name} ({scenario.label})", which, ""]
    # the party column as wide as the longest name (northern_factions ran into the events)
    width = max((len(ev.party) for ev in outcome.trace or ()), default=0)
    width = max(width, len("party"), 10) + 1
    start = next((ev.time for ev in outcome.trace or () if ev.event == "ceasefire"), None)
    # two clocks: the table's from the opening of the talks, the ceasefire's own (its
    # milestones, its hours held) from its start; "day 10.1" at a withdrawal read as ten
    # days of ceasefire, which had held 6.6
    lines.append("Hour and day from the opening of the talks" + (
        f"; the ceasefire's milestones and hours held count from its start, at hour {start:.1f}"
        if start is not None else "") + ".")
    lines.append(f"{'hour':>8}  {'day':>5}  {'party':<{width}} {'event':<18} detail")
    for ev in outcome.trace or ():
        lines.append(f"{ev.time:8.1f}  {ev.time / 24:5.1f}  {ev.party:<{width}} {ev.event:<18} "
                     f"{ev.detail}")
    lines.append("")
    if not outcome.agreed:
        lines.append(f"Outcome: no agreement after {outcome.rounds} rounds "
                     f"({outcome.rejections} deals refused by a client).")
    elif outcome.collapsed:
        lines.append(
            f"Outcome: agreed at hour {outcome.agreement_hour:.0f}; ceasefire collapsed after "
            f"{outcome.hours_held:.1f} h ({outcome.hours_held / 24:.1f} days)"
            + (f", at hour {start + outcome.hours_held:.1f}" if start is not None else "")
            + f": {outcome.withdrew} withdrew after an act by "
            f"{outcome.trigger}" + (f" blamed on {outcome.blamed}" if outcome.misattributed else "")
            + (" (a strike on a spoiler that hit its host)" if outcome.delineation_hit else "")
            + "."
        )
    else:
        lines.append(f"Outcome: agreed at hour {outcome.agreement_hour:.0f}; ceasefire held to "
                     f"the horizon ({outcome.hours_held:.0f} h).")
    if outcome.agreed:
        terms = ", ".join(f"{n}={v:.3g}" for n, v in zip(scenario.issues, outcome.terms, strict=True))
        imposed = imposed_text(scenario)
        lines.append(f"Terms: {terms}" + (f" (the ceasefire ran with {imposed} imposed)"
                                          if imposed else ""))
        if later := later_text(scenario):
            lines.append(later)
    lines.append(f"SimPy events processed: {outcome.events} (the runs.csv column 'events')")
    lines += _trace_key(outcome)
    return "\n".join(lines)


PERCEIVED = {
    "own": "the victim noticed the act and blamed its true author",
    "verified": "monitors detected the act and named its true author (it weighs less)",
    "blamed_host": "a spoiler's attack the victim blamed on the spoiler's host",
    "unseen": "nobody noticed the act: no effect on trust or grievance",
}
"""What each ``perceived:`` of a trace means (:class:`sim.rules.Seen`)."""


EVENTS = {
    "round": "a round of talks in which no package was acceptable to all principals",
    "refuses": "a client would not ratify the package its patron accepted",
    "advance": "a battlefield gain during the talks: the winner's no-deal value rises, "
               "the loser's falls",
    "agreement": "its party is the author of the package agreed",
    "deadline": "the talks ended without agreement",
    "ceasefire": "the ceasefire starts, after the agreement's start delay",
    "violation": "an act of a combatant against its opponent",
    "attack": "an act of a spoiler against its opponent (blame may fall on its host)",
    "strike": "a combatant strikes a spoiler (it may land on the spoiler's host)",
    "trust": "a signatory's trust after an act it perceived",
    "withdraws": "a signatory's trust fell below its tolerance: the ceasefire collapses",
    "convoy departs": "an aid convoy leaves, in the pause",
    "convoy delivers": "an aid convoy had the calm hours it needed, and delivered",
    "convoy turned back": "an act while an aid convoy was on the road denied it its calm "
                          "hours",
    "convoy attacked": "an act struck the convoy itself, a grave violation",
    "milestone": "the ceasefire held to a milestone",
    "later terms": "the terms of ceasefire.later took effect, the ceasefire still holding: "
                   "the armed parties' rates and the perception of acts follow them from then",
    "horizon": "the ceasefire still held at the end of the horizon",
}
"""What each kind of event of a trace means."""


def _trace_key(outcome: Outcome) -> list[str]:
    """The meaning of the terms this trace uses, once each, under it: its kinds of
    event, in the order they first occur, then what each ``perceived:`` says."""
    trace = outcome.trace or ()
    kinds = dict.fromkeys(ev.event for ev in trace if ev.event in EVENTS)
    terms = [(kind, EVENTS[kind]) for kind in kinds]
    details = [ev.detail for ev in trace if "perceived: " in ev.detail]
    used = [term for term in PERCEIVED if any(f"perceived: {term}" in d for d in details)]
    terms += [(f"perceived: {term}", PERCEIVED[term]) for term in used]
    return ["", "Key:", *(f"  {label:<24}{meaning}" for label, meaning in terms)] if terms else []
