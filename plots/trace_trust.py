"""The lower panels of a replication's timeline (:mod:`plots.trace`): each signatory's
trust in the deal with its tolerance, and the marks the ceasefire panels share (the
humanitarian pause, the milestones, the withdrawal).

Trust is logged only at each perceived violation (a marker); between them it is drawn
as the model moves it, recovering in calm toward where it started, and each logged
value is reached by a drop.
"""

from __future__ import annotations

from typing import Any

from matplotlib.axes import Axes
from matplotlib.legend_handler import HandlerTuple

from plots.fitting import fit_lines, legend_height
from plots.style import (
    GREY,
    LATER_COLOUR,
    LEFT_ROOM,
    NAME_POINTS,
    YELLOW,
    party_label,
    party_name,
)
from sim.records import TraceEvent
from sim.scenario import Scenario


def ceasefire_marks(ax: Axes, data: dict[str, Any], events: tuple[TraceEvent, ...],
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
        elif e.event == "later terms":  # (ceasefire.later): a change of the terms
            # dark and dash-dotted: no party's colour, nor a milestone's dotted grey
            ax.axvline(e.time - start, color=LATER_COLOUR, linestyle="-.", linewidth=1.2)
            if label:
                ax.annotate("later terms", xy=(e.time - start, 1.0), xycoords=("data", "axes fraction"),
                            xytext=(2, -2), textcoords="offset points", fontsize=8, va="top",
                            color=LATER_COLOUR, bbox={"boxstyle": "square,pad=0.1",
                                                      "facecolor": "white", "edgecolor": "none"})
    if ph["withdraw"] is not None:
        ax.axvline(ph["withdraw"].time - start, color="black", linewidth=1)
    span = max(ph["end"] - start, 1.0)
    ax.set_xlim(-LEFT_ROOM * span, span * 1.02)


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
    ceasefire_marks(ax, data, events, label=False)
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


TRUST_INCHES = 2.0
"""Height of the trust panel, unless its legend needs more (:func:`trust_inches`)."""

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
