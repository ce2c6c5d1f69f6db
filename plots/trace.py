"""One replication on a timeline: the talks, then the ceasefire event by event.

Top: the talks, one lane per party (rounds, refusals, battlefield advances, the
agreement), in hours since the talks opened. Middle: the ceasefire, one lane per party
(violations, spoiler attacks, strikes on spoilers, the withdrawal) and a lane of aid
convoys, in hours since the ceasefire started, with the humanitarian pause shaded.
Bottom: each signatory's trust in the deal, with its tolerance: the party withdraws when
its trust falls below that line. Trust is logged only at each perceived violation (a
marker); between them it is drawn as the model moves it, recovering in calm toward where
it started, and each logged value is reached by a drop.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from plots.fitting import legend_height
from plots.style import (
    GREY,
    HOLD_COLOUR,
    LEFT_ROOM,
    LIGHT_GREY,
    SYSTEM_COLOUR,
    YELLOW,
    Drawn,
    caption,
    new_figure,
    party_colours,
    party_name,
    styled,
    wrap,
)
from plots.trace_log import convoys, headline, phases, trust_path, trust_series
from plots.trace_trust import LEGEND_SIZE, ceasefire_marks, plot_trust, trust_inches
from sim.records import Outcome, TraceEvent
from sim.scenario import Scenario
from sim.trace_report import trace_name

MARKERS: dict[str, dict[str, Any]] = {
    "violation": {"marker": "x", "s": 22, "linewidths": 1.2},
    "attack": {"marker": "^", "s": 22},
    "strike": {"marker": "v", "s": 22},
    # (outlined in red, the colour of wrong blame elsewhere: black would vanish on a
    # spoiler drawn in black)
    "attack blamed on host": {"marker": "^", "s": 70, "edgecolors": "#a50f15", "linewidths": 1.6},
    "strike lands on host": {"marker": "v", "s": 70, "edgecolors": "black", "linewidths": 1.4},
    "withdraws": {"marker": "X", "s": 160, "edgecolors": "black", "linewidths": 0.8},
    "convoy attacked": {"marker": "*", "s": 150, "edgecolors": "black", "linewidths": 0.6},
    "refuses": {"marker": "x", "s": 50, "linewidths": 1.6},
    "advance": {"marker": "D", "s": 30},
    "agreement": {"marker": "*", "s": 220, "edgecolors": "black", "linewidths": 0.6},
    "round": {"marker": "|", "s": 120, "linewidths": 1.5},
}
"""How each event is drawn in its lane (colour: the party's, or grey for the system)."""

LEGEND_NAMES = {
    "violation": "violation",
    "attack": "spoiler attack",
    "strike": "strike on a spoiler",
    "attack blamed on host": "spoiler attack blamed on its host",
    "strike lands on host": "strike on a spoiler landing on its host",
    "withdraws": "withdraws: the ceasefire collapses",
    "convoy attacked": "attack on a convoy (grave)",
    "refuses": "client refuses the package",
    "advance": "battlefield advance",
    "agreement": "agreement (on the row of\nthe package's author)",
    "round": "round without agreement",
}
TALKS = "talks"
CONVOYS = "aid convoys"
CONVOY_DROP = 0.25
"""How far below its lane's line a convoy's journey is drawn, in lanes."""


def _kind(e: TraceEvent) -> str:
    """The drawing key of a lane event."""
    if e.event == "strike" and "lands on" in e.detail:
        return "strike lands on host"
    if e.event == "attack" and ", blamed on " in e.detail:  # (the delineation problem)
        return "attack blamed on host"
    return e.event


TALKS_EVENTS = frozenset({"round", "refuses", "advance", "agreement", "deadline"})
"""Events of the talks: drawn in the talks' panel even at the ceasefire's start hour (an
agreement with no start delay is logged at that hour, and was drawn in the ceasefire's
panel, on a lane of its own)."""


def lanes(events: tuple[TraceEvent, ...], start: float | None) -> dict[str, dict[str, list]]:
    """Lane events of the talks and of the ceasefire: {phase: {lane: [(time, kind)]}}.

    Ceasefire times are hours since the ceasefire started. Trust, milestones, the
    horizon and the ceasefire start are drawn otherwise (lines and spans), not in lanes.
    """
    talks: dict[str, list] = defaultdict(list)
    cease: dict[str, list] = defaultdict(list)
    for e in events:
        kind = _kind(e)
        if kind not in MARKERS:
            continue
        if start is None or e.time < start or e.event in TALKS_EVENTS:
            talks[e.party or TALKS].append((e.time, kind, e.party))
        elif kind == "convoy attacked":
            cease[CONVOYS].append((e.time - start, kind, e.party))
        else:
            cease[e.party or TALKS].append((e.time - start, kind, e.party))
    return {"talks": dict(talks), "ceasefire": dict(cease)}


def _lane_order(keys: list[str], scenario: Scenario) -> list[str]:
    """Parties in scenario order, then the convoys and the system lane."""
    parties = [p for p in scenario.order if p in keys]
    return parties + [k for k in (CONVOYS, TALKS) if k in keys]


def lane_labels(order: list[str], scenario: Scenario) -> list[str]:
    """The name of each lane: a party's name in full, in lines as wide as
    :data:`plots.style.NAME_POINTS`, or what the lane holds."""
    return [party_name(scenario.spec.parties, k) if k in scenario.parties else k for k in order]


def lanes_height(order: list[str], scenario: Scenario, least: float) -> float:
    """Inches of axes that ``order``'s lanes need, at least ``least``: each as tall as
    its longest name's lines (or the tallest marker), so a name broken over several
    lines does not run into the next lane's."""
    lines = max((label.count("\n") + 1 for label in lane_labels(order, scenario)), default=1)
    lane = max(LANE_INCHES, (lines * 1.2 * 9 + 6) / 72)
    return max(least, lane * len(order) + 0.2)


DEADLINE_ROOM = 1.25
"""How far past the deadline the talks' axis runs when no agreement came, so the label
that says so fits to the right of the deadline's line."""

LANE_INCHES = 0.25
"""Height of a lane whose name takes one line (the agreement's star is 15 points)."""


def plot_lanes(ax: Axes, lane_events: dict[str, list], order: list[str], scenario: Scenario,
               colours: dict[str, str]) -> set[str]:
    """Scatter every lane's events; returns the kinds drawn (for the legend)."""
    kinds = set()
    for y, lane in enumerate(order):
        by_kind: dict[tuple[str, str], list[float]] = defaultdict(list)
        for t, kind, party in lane_events.get(lane, []):
            by_kind[(kind, party)].append(t)
        for (kind, party), times in sorted(by_kind.items()):
            colour = colours.get(party, SYSTEM_COLOUR)
            style = dict(MARKERS[kind])
            if style["marker"] in ("x", "|"):
                style.pop("edgecolors", None)
            ax.scatter(times, [y] * len(times), color=colour, zorder=3, **style)
            kinds.add(kind)
    ax.set_yticks(range(len(order)), lane_labels(order, scenario), fontsize=9)
    ax.set_ylim(len(order) - 0.5, -0.5)
    ax.grid(axis="y", visible=False)
    return kinds


def plot_talks(ax: Axes, events: tuple[TraceEvent, ...], data: dict[str, Any],
               scenario: Scenario, colours: dict[str, str]) -> set[str]:
    """The talks lanes, and the ceasefire period shaded."""
    order = _lane_order(list(data["lanes"]["talks"]), scenario)
    kinds = plot_lanes(ax, data["lanes"]["talks"], order, scenario, colours)
    ph = data["phases"]
    right = ph["end"]
    if ph["start"] is not None:
        ax.axvspan(ph["start"], ph["end"], color=LIGHT_GREY, alpha=0.6, linewidth=0)
        ax.annotate("ceasefire\n(below)", xy=((ph["start"] + ph["end"]) / 2, 0.5),
                    xycoords=("data", "axes fraction"), ha="center", va="center", fontsize=8,
                    color="#444444")
    deadline = scenario.spec.negotiation.deadline_hours
    room = 1.01
    if ph["deadline"] is not None:  # logged at the last round; drawn at the deadline itself
        ax.axvline(deadline, color=GREY, linestyle="--", linewidth=1)
        # to the right of the line, where nothing happens: on its left it covered the
        # last rounds and advances (a government advance at 530 h of 600 vanished)
        ax.annotate(f"no agreement\nby the deadline\n({deadline:g} h)", xy=(deadline, 0.5),
                    xycoords=("data", "axes fraction"), xytext=(4, 0), textcoords="offset points",
                    ha="left", va="center", fontsize=9, color="#444444")
        room = DEADLINE_ROOM
    right = max(right, deadline if ph["start"] is None else 0.0)
    ax.set_xlim(-LEFT_ROOM * (right * room + 1), right * room + 1)
    ax.set_xlabel("hours since the talks opened")
    ax.set_title("The talks", fontsize=10, loc="left")
    return kinds


def plot_ceasefire(ax: Axes, events: tuple[TraceEvent, ...], data: dict[str, Any],
                   scenario: Scenario, colours: dict[str, str]) -> set[str]:
    """The ceasefire lanes, convoys, pause, milestones and withdrawal."""
    cease = data["lanes"]["ceasefire"]
    keys = list(cease) + ([CONVOYS] if data["convoys"] else [])
    order = _lane_order(keys, scenario)
    kinds = plot_lanes(ax, cease, order, scenario, colours)
    if data["convoys"]:
        # a quarter lane below the attacks on the lane's line: a convoy attacked and
        # turned back within hours was hidden under the star of its attack
        y = order.index(CONVOYS) + CONVOY_DROP
        for c in data["convoys"]:
            if "depart" not in c:
                continue
            end = c.get("end", c["depart"])
            ok = c.get("delivered", False)
            ax.plot([c["depart"], end], [y, y], color=HOLD_COLOUR if ok else GREY,
                    linewidth=4 if ok else 2, linestyle="-" if ok else (0, (2, 1)),
                    solid_capstyle="butt", zorder=2)
    ceasefire_marks(ax, data, events, label=True)
    ax.set_title("The ceasefire, event by event", fontsize=10, loc="left")
    return kinds


def _legend(ax: Axes, kinds: set[str], pause: float | None, with_convoys: bool) -> None:
    """Marker shapes (colour is always the acting party's) to the right of ``ax``."""
    handles: list[Any] = []
    for kind in MARKERS:
        if kind in kinds:
            style = MARKERS[kind]
            handles.append(Line2D([], [], linestyle="", marker=style["marker"], color=GREY,
                                  markeredgecolor=style.get("edgecolors", GREY),
                                  markersize=math.sqrt(style["s"]), label=LEGEND_NAMES[kind]))
    if pause:
        handles.append(Patch(color=YELLOW, alpha=0.35, label=f"humanitarian pause ({pause:.0f} h)"))
    if with_convoys:
        handles.append(Line2D([], [], color=HOLD_COLOUR, linewidth=4, label="convoy delivers"))
        handles.append(Line2D([], [], color=GREY, linewidth=2, linestyle=(0, (2, 1)),
                              label="convoy turned back"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=LEGEND_SIZE,
              title="colour: who acted", title_fontsize=LEGEND_SIZE)


def markers_inches(data: dict[str, Any]) -> float:
    """Height of the legend of event markers beside the ceasefire's lanes (its title, and
    a line for each kind of event drawn, the pause and the convoys): the ceasefire panel
    is made as tall, so the legend does not hang below it."""
    kinds = {kind for lanes in data["lanes"].values() for events in lanes.values()
             for _, kind, _ in events}
    entries = ["-"] + [LEGEND_NAMES.get(kind, "-") for kind in sorted(kinds)]
    entries += ["-"] * (bool(data["phases"]["pause"]) + 2 * bool(data.get("convoys")))
    return legend_height(entries, LEGEND_SIZE) / 72.0 + 0.1


def trace_data(scenario: Scenario, outcome: Outcome) -> dict[str, Any]:
    """Everything the trace figure draws, read off the outcome's event log."""
    if outcome.trace is None:
        raise ValueError("the outcome has no trace; run the replication with trace=True")
    events = outcome.trace
    ph = phases(events)
    start = ph["start"]
    data: dict[str, Any] = {"phases": ph, "lanes": lanes(events, start)}
    if start is not None:
        data["convoys"] = convoys(events, start)
        data["trust"] = trust_series(events, start)
        data["tolerance"] = {p: scenario.spec.parties[p].behaviour.tolerance for p in data["trust"]}
        rate = scenario.spec.ceasefire.trust_recovery_per_day / 24.0
        data["trust_path"] = {p: trust_path(times, values, rate, ph["end"] - start)
                              for p, (times, values) in data["trust"].items()}
    return data


DECORATION_INCHES = 2.85
"""What the trace figure's titles, axis labels and caption take of its height."""


def trace_figure(scenario: Scenario, outcome: Outcome, seed: int) -> Drawn:
    """The timeline of one traced replication."""
    data = trace_data(scenario, outcome)
    events = outcome.trace or ()
    colours = party_colours(scenario.order)
    ceasefire = data["phases"]["start"] is not None
    talks = lanes_height(_lane_order(list(data["lanes"]["talks"]), scenario), scenario, 1.35)
    with styled():
        if ceasefire:
            cease = lanes_height(_lane_order([*data["lanes"]["ceasefire"], CONVOYS], scenario),
                                 scenario, max(1.8, markers_inches(data)))
            # the panels' heights in inches, and as much again for titles and labels
            heights = [talks, cease, trust_inches(data, scenario)]
            fig = new_figure(9.5, sum(heights) + DECORATION_INCHES)
            talks_ax, cease_ax, trust_ax = fig.subplots(3, 1, height_ratios=heights)
            cease_ax.sharex(trust_ax)
            kinds = plot_talks(talks_ax, events, data, scenario, colours)
            kinds |= plot_ceasefire(cease_ax, events, data, scenario, colours)
            plot_trust(trust_ax, data, scenario, events, colours)
            cease_ax.tick_params(labelbottom=False)
            _legend(cease_ax, kinds, data["phases"]["pause"], bool(data["convoys"]))
        else:
            fig = new_figure(9.5, max(3.6, talks + 2.25))
            talks_ax = fig.subplots()
            kinds = plot_talks(talks_ax, events, data, scenario, colours)
            _legend(talks_ax, kinds, None, False)
        fig.suptitle(f"One replication, event by event\n{wrap(headline(outcome, scenario), 100)}",
                     fontsize=11)
        data["caption"] = caption(fig, scenario.label, None, seed,
                                  f"replication {outcome.replication}")
    return Drawn(fig, trace_name(seed, outcome.replication), data)
