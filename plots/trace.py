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
from matplotlib.legend_handler import HandlerTuple
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from plots.fitting import fit_lines, legend_height
from plots.style import (
    GREY,
    HOLD_COLOUR,
    LIGHT_GREY,
    NAME_POINTS,
    SYSTEM_COLOUR,
    YELLOW,
    Drawn,
    caption,
    new_figure,
    party_colours,
    party_label,
    party_name,
    styled,
    wrap,
)
from plots.trace_log import convoys, headline, phases, trust_path, trust_series
from sim.records import Outcome, TraceEvent
from sim.scenario import Scenario

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


def _kind(e: TraceEvent) -> str:
    """The drawing key of a lane event."""
    if e.event == "strike" and "lands on" in e.detail:
        return "strike lands on host"
    if e.event == "attack" and ", blamed on " in e.detail:  # (the delineation problem)
        return "attack blamed on host"
    return e.event


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
        if start is None or e.time < start:
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
    ax.set_xlim(0, right * room + 1)
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
        y = order.index(CONVOYS)
        for c in data["convoys"]:
            if "depart" not in c:
                continue
            end = c.get("end", c["depart"])
            ok = c.get("delivered", False)
            ax.plot([c["depart"], end], [y, y], color=HOLD_COLOUR if ok else GREY,
                    linewidth=4 if ok else 2, linestyle="-" if ok else (0, (2, 1)),
                    solid_capstyle="butt", zorder=2)
    _ceasefire_marks(ax, data, events, label=True)
    ax.set_title("The ceasefire, event by event", fontsize=10, loc="left")
    return kinds


def _ceasefire_marks(ax: Axes, data: dict[str, Any], events: tuple[TraceEvent, ...],
                     label: bool) -> None:
    """Pause window, milestones and the withdrawal on a ceasefire axis."""
    ph = data["phases"]
    start = ph["start"]
    if ph["pause"]:
        ax.axvspan(0, ph["pause"], color=YELLOW, alpha=0.18, linewidth=0, zorder=0)
    for e in events:
        if e.event == "milestone":
            ax.axvline(e.time - start, color=GREY, linestyle=":", linewidth=1)
            if label:
                ax.annotate(e.detail.split()[0], xy=(e.time - start, 0.0),
                            xycoords=("data", "axes fraction"), xytext=(2, 2),
                            textcoords="offset points", fontsize=8, color="#444444")
    if ph["withdraw"] is not None:
        ax.axvline(ph["withdraw"].time - start, color="black", linewidth=1)
    ax.set_xlim(0, max(ph["end"] - start, 1.0) * 1.02)


def plot_trust(ax: Axes, data: dict[str, Any], scenario: Scenario, events: tuple[TraceEvent, ...],
               colours: dict[str, str]) -> None:
    """Each signatory's trust, with its tolerance as a dashed line of the same colour
    (parties sharing a level take turns along one line), named in the legend."""
    # Clients and patrons often share a trust path; clients are drawn first and wider,
    # so a patron's line on top leaves its client's visible as a halo.
    signatories = [p for p in scenario.order if p in data["trust"]]
    signatories.sort(key=lambda p: scenario.parties[p].role != "combatant")
    for party in signatories:
        times, values = data["trust"][party]
        c = colours[party]
        wide = scenario.parties[party].role == "combatant"
        ax.plot(*data["trust_path"][party], color=c, linewidth=3.2 if wide else 1.4,
                label=trust_label(scenario, party, values))
        ax.plot(times, values, color=c, linestyle="", marker="o", markersize=3 if wide else 2)
    withdrew = next((e.party for e in events if e.event == "withdraws"), None)
    levels = tolerance_levels(data["tolerance"], signatories, withdrew)
    handles, labels = ax.get_legend_handles_labels()
    entries: list[Any] = list(handles)
    for level, parties in levels.items():
        lines = [ax.axhline(level, color=colours[p], linestyle=dashes(k, len(parties)),
                            linewidth=1.1, alpha=0.9) for k, p in enumerate(parties)]
        entries.append(tuple(lines))
        labels.append(tolerance_label(parties, scenario, level))
    data["tolerance_levels"] = levels
    _ceasefire_marks(ax, data, events, label=False)
    top = max([max(v) for _, v in data["trust"].values()] + [0.1])
    # a little below 0, so that a tolerance of 0 (never withdraws) shows its line
    ax.set_ylim(-0.02 * top, min(1.0, top * 1.15 + 0.02))
    ax.set_xlabel("hours since the ceasefire started")
    ax.set_ylabel("trust in the deal")
    # a shared level's entry overlays its parties' lines, dashes taking turns as drawn
    ax.legend(entries, labels, handler_map={tuple: HandlerTuple(ndivide=None, pad=0.0)},
              loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=LEGEND_SIZE)


def trust_label(scenario: Scenario, party: str, values: Any) -> str:
    """A party's entry in the trust legend: its name, and "(unchanged)" where its trust
    never moved, as a line that lies under others at the same level (several parties
    at their starting trust) cannot be seen to."""
    name = party_name(scenario.spec.parties, party, LEGEND_SIZE)
    return f"{name}\n(unchanged)" if len(set(values)) <= 1 else name


def tolerance_label(parties: list[str], scenario: Scenario, level: float | None = None) -> str:
    """The legend's entry for a tolerance line: every party at that level, in scenario
    order and in full, under a line saying what the line is, broken into lines as wide
    as a party's name. A level of 0 says the parties never withdraw (trust cannot fall
    below 0), as its line lies along the axis."""
    names = ", ".join(party_label(scenario.spec.parties, p)
                      for p in sorted(parties, key=scenario.order.index))
    what = "tolerance 0 (never withdraws)" if level == 0 else "tolerance (withdraws below)"
    return f"{what}:\n{fit_lines(names, LEGEND_SIZE, NAME_POINTS)}"


LEGEND_SIZE = 9.0
"""Font size of the trace figure's legends, points."""


def trust_inches(data: dict[str, Any], scenario: Scenario) -> float:
    """Height of the trust panel: :data:`TRUST_INCHES`, or as tall as its legend (a line
    per signatory and per tolerance level, every name in full) where that is taller, so
    the legend does not hang below the panel into the caption."""
    signatories = [p for p in scenario.order if p in data["trust"]]
    labels = [trust_label(scenario, p, data["trust"][p][1]) for p in signatories]
    labels += [tolerance_label(parties, scenario, level) for level, parties
               in tolerance_levels(data["tolerance"], signatories, None).items()]
    return max(TRUST_INCHES, legend_height(labels, LEGEND_SIZE) / 72.0 + 0.1)


def tolerance_levels(tolerance: dict[str, float], signatories: list[str],
                     withdrew: str | None) -> dict[float, list[str]]:
    """The signatories at each tolerance level, highest level first but the level of the
    party that withdrew (if any) last, and that party last in it: drawn last, on top, the
    line its trust crossed shows in its colour where the dashes meet."""
    levels: dict[float, list[str]] = {}
    for party in sorted(signatories, key=lambda p: p == withdrew):
        levels.setdefault(tolerance[party], []).append(party)
    return dict(sorted(levels.items(), key=lambda lp: (withdrew in lp[1], -lp[0])))


DASH = 4.0
"""Length of one party's dash on a tolerance line, in line widths."""


def dashes(k: int, n: int) -> str | tuple[float, tuple[float, float]]:
    """The dash pattern of the ``k``-th of ``n`` parties sharing a tolerance line: their
    dashes take turns along it, so every party's colour shows (one line drawn over the
    others hid whose tolerance it also was); a line of its own is plainly dashed."""
    if n == 1:
        return "--"
    return (k * DASH, (DASH, (n - 1) * DASH))


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


TRUST_INCHES = 2.0
"""Height of the trust panel, unless its legend needs more (:func:`trust_inches`)."""
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
    return Drawn(fig, f"trace_{seed}_{outcome.replication}", data)
