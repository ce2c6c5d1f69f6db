"""When the parties agree, and on what: time to agreement and the agreed terms.

The terms panel has one row per issue, in the issue's own units. The grey histogram is
the spread of agreed values over agreed runs; above it each negotiating party has its
own lane with its ideal point (a shape of its own) and its hard limits (a bar at the limit and a line
over the values it rejects whatever else a package offers).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure, SubFigure
from matplotlib.lines import Line2D
from matplotlib.transforms import blended_transform_factory

from plots.fitting import fit_lines, legend_columns
from plots.marks import mark_time
from plots.style import (
    GREY,
    HOLD_COLOUR,
    LIGHT_GREY,
    NAME_POINTS,
    Drawn,
    count_axis,
    days_axis,
    new_figure,
    no_data,
    party_colours,
    party_name,
    pct,
    run_caption,
    styled,
)
from sim.records import Results
from sim.scenario import Scenario

HIST_TOP = 0.35
"""Axes fraction reached by the tallest histogram bar; party lanes sit above it."""


def agreement_times(results: Results, scenario: Scenario) -> dict[str, Any]:
    """Counts of agreement hours in bins centred on the negotiation rounds."""
    hours = results.columns["agreement_hour"]
    agreed = results.columns["agreed"]
    neg = scenario.spec.negotiation
    step = neg.round_interval_hours
    last = max(neg.deadline_hours, float(np.nanmax(hours)) if agreed.any() else 0.0)
    # bins centred on the rounds up to the one holding the last hour, and no further:
    # a bin more left the axis running a round and a half past the deadline
    edges = (np.arange(0, math.ceil(last / step - 0.5) + 1) + 0.5) * step
    edges = np.concatenate([[0.0], edges])
    counts, _ = np.histogram(hours[agreed], bins=edges)
    return {"edges": edges, "counts": counts, "agreed": int(agreed.sum()),
            "no_agreement": int((~agreed).sum()), "runs": len(results),
            "deadline": neg.deadline_hours}


def plot_agreement_times(ax: Axes, data: dict[str, Any]) -> None:
    """Bars of runs agreeing at each round, with the deadline."""
    if data["agreed"] == 0:
        no_data(ax, f"no agreement in any of\n{data['runs']:,} runs")
        return
    edges = data["edges"]
    # one bar per round, ending at the round's hour: the last round falls on the
    # deadline itself, and a bar centred there read as deals struck after it. Bars are
    # spaced, not outlined (a white outline hid bars narrower than itself).
    step = edges[2] - edges[1] if len(edges) > 2 else 2 * edges[1]
    rounds = (edges[:-1] + edges[1:]) / 2
    rounds[0] = 0.0
    ax.bar(rounds, data["counts"], width=-0.7 * step, align="edge", color=HOLD_COLOUR,
           alpha=0.85, linewidth=0)
    mark_time(ax, data["deadline"], "deadline", place="left", linestyle="--",
              text_colour="black")
    ax.set_xlim(0, data["edges"][-1])
    ax.set_xlabel("hours from the opening of talks to a\nratified deal (a bar per round, ending at it)")
    count_axis(ax)
    ax.set_title(f"Time to agreement\n{data['agreed']:,} of {data['runs']:,} runs agreed "
                 f"({pct(data['agreed'] / data['runs'])})", fontsize=10, loc="left")
    days_axis(ax)


def issue_data(results: Results, scenario: Scenario, k: int, bins: int = 30) -> dict[str, Any]:
    """Histogram of agreed values of issue ``k`` and every party's position on it."""
    issue = scenario.issues[k]
    low, high = scenario.lows[k], scenario.highs[k]
    values = results.columns["terms"][results.columns["agreed"], k]
    values = values[~np.isnan(values)]
    # bins centred on low, low + w, ..., high: terms often sit exactly on a bound (a
    # clipped offer) or a round share, and an edge there would draw the bar beside it
    half = (high - low) / bins / 2
    counts, edges = np.histogram(values, bins=np.linspace(low - half, high + half, bins + 2))
    centres = bar_centres(values, edges)
    positions = {}
    for name in scenario.order:
        pos = scenario.spec.parties[name].positions.get(issue)
        if pos is not None:
            positions[name] = {"ideal": pos.ideal, "min": pos.min, "max": pos.max}
    return {"issue": issue, "low": low, "high": high, "values": values, "counts": counts,
            "edges": edges, "centres": centres, "positions": positions,
            "median": float(np.median(values)) if values.size else None,
            # what the ceasefire ran with, whatever was agreed (a counterfactual's lever)
            "imposed": scenario.spec.ceasefire.imposed.get(issue)}


def bar_centres(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Where each histogram bar is drawn: on the value its replications agreed where they
    all agreed one value (a term every run settles on, such as a 48-hour pause, was drawn
    from 47.6 to 53.2 hours, as if it were longer), else at the middle of its bin."""
    centres = (edges[:-1] + edges[1:]) / 2
    if values.size:
        # the bin np.histogram puts each value in (its last bin holds its right edge)
        k = np.clip(np.searchsorted(edges, values, side="right") - 1, 0, len(centres) - 1)
        lows = np.full(len(centres), np.inf)
        highs = np.full(len(centres), -np.inf)
        np.minimum.at(lows, k, values)
        np.maximum.at(highs, k, values)
        one = lows == highs
        centres[one] = lows[one]
    return centres


MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*", "h", "<", ">")
"""Each negotiating party's shape for its ideal point, by lane: colours alone were too
alike to tell apart for some pairs (the UN's sky blue and the US's blue)."""


def marker(lane: int) -> str:
    """The shape of the ideal point in lane ``lane``."""
    return MARKERS[lane % len(MARKERS)]


def plot_issue(ax: Axes, data: dict[str, Any], lanes: dict[str, int],
               colours: dict[str, str], unit: str) -> None:
    """One issue row: agreed-term histogram below, one lane per party above."""
    blend = blended_transform_factory(ax.transData, ax.transAxes)
    counts, edges = data["counts"], data["edges"]
    if counts.sum() > 0:
        heights = counts / counts.max() * HIST_TOP
        centres = data.get("centres", (edges[:-1] + edges[1:]) / 2)
        ax.bar(centres, heights, width=np.diff(edges), color=GREY, alpha=0.6, linewidth=0,
               transform=blend)
        ax.plot([data["median"]] * 2, [0, HIST_TOP + 0.05], color="black", linewidth=1.2,
                transform=blend)
    if data["imposed"] is not None:
        ax.plot([data["imposed"]] * 2, [0, 1], color=IMPOSED_COLOUR, linewidth=1.6,
                linestyle=(0, (4, 2)), transform=blend, clip_on=False)
    step = (1.0 - HIST_TOP - 0.08) / max(len(lanes), 1)
    for name, pos in data["positions"].items():
        y = HIST_TOP + 0.08 + step * (lanes[name] + 0.5)
        c = colours[name]
        # a limit at the end of the issue's range rejects nothing ("no such condition"):
        # drawn, it was a stub at the axis that read as a limit
        if pos["min"] is not None and pos["min"] > data["low"]:
            ax.plot([data["low"], pos["min"]], [y, y], color=c, linewidth=1.6,
                    transform=blend, solid_capstyle="butt")
            ax.plot([pos["min"]], [y], marker="|", markersize=9, mew=2, color=c, transform=blend)
        if pos["max"] is not None and pos["max"] < data["high"]:
            ax.plot([pos["max"], data["high"]], [y, y], color=c, linewidth=1.6,
                    transform=blend, solid_capstyle="butt")
            ax.plot([pos["max"]], [y], marker="|", markersize=9, mew=2, color=c, transform=blend)
        ax.plot([pos["ideal"]], [y], marker=marker(lanes[name]), markersize=5.5, color=c,
                transform=blend, markeredgecolor="white", markeredgewidth=0.6, clip_on=False)
    pad = 0.02 * (data["high"] - data["low"])
    ax.set_xlim(data["low"] - pad, data["high"] + pad)
    ax.set_ylim(0, 1)
    ax.set_yticks([])
    ax.grid(axis="y", visible=False)
    ax.spines["left"].set_visible(False)
    name = data["issue"].replace("_", " ")
    # a unit the name already says ('pause hours') is not said again ('(hours)')
    label = name + (f"\n({unit})" if unit and unit.lower() not in name.lower().split() else "")
    ax.set_ylabel(label, rotation=0, ha="right", va="center", fontsize=9)
    ax.tick_params(axis="x", labelsize=8, pad=1)


def plot_terms(sub: Figure | SubFigure, results: Results, scenario: Scenario,
               colours: dict[str, str]) -> list[dict[str, Any]]:
    """All issue rows in ``sub``; returns each row's data."""
    n = len(scenario.issues)
    axes = sub.subplots(n, 1, squeeze=False)[:, 0]
    rows = [issue_data(results, scenario, k) for k in range(n)]
    negotiators = [p for p in scenario.order if any(p in r["positions"] for r in rows)]
    lanes = {p: i for i, p in enumerate(negotiators)}
    for ax, row in zip(axes, rows, strict=True):
        plot_issue(ax, row, lanes, colours, scenario.spec.issues[row["issue"]].unit)
    agreed = int(results.columns["agreed"].sum())
    sub.suptitle(f"Agreed terms ({agreed:,} agreed runs) against each party's position",
                 fontsize=10, fontweight="bold")
    handles = [Line2D([], [], marker=marker(lanes[p]), linestyle="", color=colours[p],
                      label=party_name(scenario.spec.parties, p, 8)) for p in negotiators]
    handles += [
        Line2D([], [], color=LIGHT_GREY, linewidth=6, label="agreed terms (histogram)"),
        Line2D([], [], color="black", linewidth=1.2, label="median agreed"),
        Line2D([], [], marker="o", linestyle="", color=GREY,
               label=fit_lines("ideal point (each party its own shape)", 8, NAME_POINTS)),
        Line2D([], [], marker="|", markersize=9, mew=2, color=GREY, linewidth=1.6,
               label=fit_lines("hard limit and the values it rejects", 8, NAME_POINTS)),
    ]
    if any(r["imposed"] is not None for r in rows):
        handles.append(Line2D([], [], color=IMPOSED_COLOUR, linewidth=1.6, linestyle=(0, (4, 2)),
                              label=fit_lines("imposed on the ceasefire, whatever was agreed",
                                              8, NAME_POINTS)))
    # as many columns as the terms' half of the figure holds: a wider legend ran off its
    # right edge and over the time panel's axis label
    room = 0.95 * 72.0 * FIG_WIDTH * TERMS_SHARE
    ncols = legend_columns([str(h.get_label()) for h in handles], 8, room, 3)
    sub.legend(handles=handles, loc="outside lower center", ncols=ncols, fontsize=8)
    return rows


IMPOSED_COLOUR = "#a50f15"
"""The dashed line of a term imposed on the ceasefire (dark red: it overrides the deal)."""
FIG_WIDTH = 10.0
"""Width of the agreement figure, inches."""
TERMS_SHARE = 1.4 / 2.15
"""The terms panel's share of it (its subfigure's width ratio)."""


def agreement_figure(scenario: Scenario, results: Results, summary: dict[str, Any]) -> Drawn:
    """Time to agreement and agreed terms of a run."""
    colours = party_colours(scenario.order)
    data = agreement_times(results, scenario)
    with styled():
        fig = new_figure(FIG_WIDTH, 7.0)
        left, right = np.asarray(fig.subfigures(
            1, 2, width_ratios=[1.0 - TERMS_SHARE, TERMS_SHARE])).ravel()
        plot_agreement_times(left.subplots(), data)
        data["issues"] = plot_terms(right, results, scenario, colours)
        fig.suptitle("When the parties agree, and on what")
        data["caption"] = run_caption(fig, scenario, results, summary)
    return Drawn(fig, "agreement", data)
