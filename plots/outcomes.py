"""Where every replication ended: collapse times, holds to the horizon, no agreement."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.axes import Axes

from plots.marks import label_rows, mark_time
from plots.style import (
    GREY,
    HOLD_COLOUR,
    LIGHT_GREY,
    Drawn,
    count_axis,
    days_axis,
    new_figure,
    no_data,
    pct,
    run_caption,
    styled,
)
from sim.records import Results
from sim.scenario import Scenario
from sim.stats import milestones

NICE_WIDTHS = (1.0, 2.0, 3.0, 6.0, 12.0, 24.0, 48.0, 72.0, 168.0, 336.0, 720.0)
"""Bin widths in hours that read naturally (an hour up to a month)."""


def bin_edges(horizon: float, target_bins: int = 30) -> np.ndarray:
    """Edges from 0 to the horizon with a natural width giving about ``target_bins`` bins."""
    width = min(NICE_WIDTHS, key=lambda w: abs(horizon / w - target_bins))
    edges = np.arange(0.0, horizon, width)
    return np.append(edges, horizon)


def outcome_counts(results: Results, scenario: Scenario) -> dict[str, Any]:
    """Histogram of collapse times of agreed runs, and the counts of the other endings."""
    cols = results.columns
    agreed = cols["agreed"]
    collapsed = agreed & cols["collapsed"]
    horizon = scenario.spec.ceasefire.horizon_hours
    edges = bin_edges(horizon)
    counts, _ = np.histogram(cols["hours_held"][collapsed], bins=edges)
    return {
        "edges": edges,
        "counts": counts,
        "collapsed": int(collapsed.sum()),
        "held_to_horizon": int((agreed & ~cols["collapsed"]).sum()),
        "no_agreement": int((~agreed).sum()),
        "runs": len(results),
        "horizon": horizon,
    }


def plot_collapse_times(ax: Axes, data: dict[str, Any], scenario: Scenario) -> None:
    """Histogram of the hours agreed ceasefires held before collapsing."""
    if data["collapsed"] == 0:
        no_data(ax, "no replication reached agreement" if data["no_agreement"] == data["runs"]
                else "no agreed ceasefire collapsed\nbefore the horizon")
        return
    edges = data["edges"]
    ax.stairs(data["counts"], edges, fill=True, color=HOLD_COLOUR, alpha=0.85,
              label="collapsed (a party withdrew)")
    marked = [(label, at) for label, at in milestones(scenario) if at < data["horizon"]]
    rows = label_rows([at for _, at in marked], [label for label, _ in marked],
                      data["horizon"], PLOT_WIDTH_POINTS, place="right")
    for (label, at), row in zip(marked, rows, strict=True):
        mark_time(ax, at, label, place="right", row=row)
    ax.set_xlim(0, data["horizon"])
    # headroom above the tallest bar for the milestone labels, one row each
    ax.set_ylim(0, max(data["counts"]) * (1.1 + 0.06 * max(rows, default=0)))
    width = edges[1] - edges[0]
    ax.set_xlabel(f"hours held before collapse (bins of {width:g} h)")
    count_axis(ax)
    ax.set_title(f"{data['collapsed']:,} agreed ceasefires collapsed "
                 f"({pct(data['collapsed'] / data['runs'])} of all runs)", fontsize=10, loc="left")
    days_axis(ax)


PLOT_WIDTH_POINTS = 400.0
"""Approximate width of the histogram in points (for spacing its milestone labels)."""


def plot_endings(ax: Axes, data: dict[str, Any]) -> None:
    """Bars for runs that held to the horizon and runs that never reached agreement."""
    labels = [f"held to\n{data['horizon']:g} h", "no\nagreement"]
    values = [data["held_to_horizon"], data["no_agreement"]]
    if not any(values):  # every run agreed and collapsed: two bars of 0 on a bare axis said nothing
        no_data(ax, "no runs" if not data["runs"] else
                f"none: every run\nagreed, and every\nceasefire collapsed\nbefore {data['horizon']:g} h")
        # centred over the note: at the left, with no axis of its own, it ran into the
        # histogram's top axis
        ax.set_title("other endings", fontsize=10)
        return
    ax.set_title("other endings", fontsize=10, loc="left")
    bars = ax.bar(labels, values, color=["white", LIGHT_GREY], edgecolor=[HOLD_COLOUR, GREY],
                  hatch=["///", None], linewidth=1.2)
    for bar, v in zip(bars, values, strict=True):
        ax.annotate(f"{v:,}\n({pct(v / data['runs'])})", xy=(bar.get_x() + bar.get_width() / 2, v),
                    xytext=(0, 2), textcoords="offset points", ha="center", va="bottom", fontsize=9)
    ax.set_ylim(0, max(max(values), 1) * 1.3)
    count_axis(ax)
    ax.grid(axis="x", visible=False)


def outcomes_figure(scenario: Scenario, results: Results, summary: dict[str, Any]) -> Drawn:
    """The distribution of outcomes over all replications of a run."""
    data = outcome_counts(results, scenario)
    with styled():
        fig = new_figure(8.0, 4.2)
        left, right = fig.subplots(1, 2, width_ratios=[3.2, 1])
        plot_collapse_times(left, data, scenario)
        plot_endings(right, data)
        fig.suptitle("How each replication ended")
        data["caption"] = run_caption(fig, scenario, results, summary)
    return Drawn(fig, "outcomes", data)
