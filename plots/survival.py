"""How long agreed ceasefires hold: the survival curve with its pointwise 95% band.

The curve is the share of agreed ceasefires still holding against hours since the
ceasefire started (``sim.stats.survival``: the only censoring is at the horizon, so
this is the Kaplan-Meier estimate), with a pointwise Wilson 95% band. Milestones are
dotted lines; their values, among agreed runs and among all runs, are listed beside the
plot rather than on it, so no label can cover the curve however the milestones fall.
"""

from __future__ import annotations

import math
from typing import Any

from matplotlib.axes import Axes

from plots.marks import label_rows, mark_time
from plots.style import (
    BAND_ALPHA,
    HOLD_COLOUR,
    LATER_COLOUR,
    Drawn,
    new_figure,
    no_data,
    pct,
    pct_interval,
    percent_axis,
    run_caption,
    shorten,
    styled,
)
from sim.records import Results
from sim.scenario import Scenario
from sim.stats import interval, milestones, survival


def milestone_values(results: Results, scenario: Scenario) -> dict[str, dict[str, float]]:
    """P(still holding at each milestone | agreement) with Wilson 95% intervals."""
    n_agreed = int(results.columns["agreed"].sum())
    return {label: interval(int(results.held(hours).sum()), n_agreed)
            for label, hours in milestones(scenario)}


def plot_survival(ax: Axes, results: Results, scenario: Scenario) -> dict[str, Any]:
    """Draw the survival step curve, its band and the milestone lines on ``ax``.

    Returns the plotted curve (``sim.stats.survival``'s arrays), the milestone values
    and the number of agreed runs.
    """
    curve = survival(results, scenario)
    marks = milestone_values(results, scenario)
    horizon = scenario.spec.ceasefire.horizon_hours
    runs = max(len(results), 1)
    data: dict[str, Any] = {
        "curve": curve,
        "milestones": marks,
        "of_all_runs": {label: int(results.held(h).sum()) / runs
                        for label, h in milestones(scenario)},
        "agreed": int(results.columns["agreed"].sum()),
    }
    if data["agreed"] == 0:
        no_data(ax, "no replication reached agreement,\nso there is no ceasefire to follow")
        return data
    hours, share = curve["hours"], curve["share"]
    ax.fill_between(hours, curve["low"], curve["high"], step="post", color=HOLD_COLOUR,
                    alpha=BAND_ALPHA, linewidth=0, label="pointwise 95% interval")
    ax.step(hours, share, where="post", color=HOLD_COLOUR, linewidth=2, label="still holding")
    marked = milestones(scenario)
    rows = label_rows([at for _, at in marked], [label for label, _ in marked],
                      horizon * 1.01, PLOT_WIDTH_POINTS)
    for (label, at), row in zip(marked, rows, strict=True):
        mark_time(ax, at, label, place="above", row=row)
        ax.plot([at], [marks[label]["estimate"]], marker="o", color=HOLD_COLOUR, markersize=5)
    later = scenario.spec.ceasefire.later
    if later is not None:  # the curve may bend there: say why
        ax.axvline(later.after_hours, color=LATER_COLOUR, linestyle="-.", linewidth=1.2)
        ax.annotate("later terms", xy=(later.after_hours, 0.0), xycoords=("data", "axes fraction"),
                    xytext=(3, 3), textcoords="offset points", fontsize=8, color=LATER_COLOUR)
        data["later"] = later.after_hours
    ax.set_xlim(0, horizon * 1.01)
    ax.set_ylim(0, 1.04)
    percent_axis(ax)
    ax.set_xlabel("hours since the ceasefire started (24 h = 1 day)")
    ax.set_ylabel("agreed ceasefires still holding")
    ax.legend(loc="upper right")
    return data


def milestone_table(ax: Axes, data: dict[str, Any], runs: int) -> list[str]:
    """List each milestone's value beside the plot; returns the lines written."""
    ax.axis("off")
    share_agreed = data["agreed"] / runs if runs else math.nan
    lines = []
    # one precision for the whole list, its shares of all runs included, so the rows
    # compare at a glance (0.8% of agreed ceasefires read "1% of all runs")
    digits = max((_digits(v) for v in data["milestones"].values()), default=0)
    for label, value in data["milestones"].items():
        lines.append(f"{shorten(label)}\n  {pct_interval(value, digits)}\n"
                     f"  {pct(data['of_all_runs'][label], digits)} of all runs")
    ax.text(0.0, 1.0, "Still holding, of agreed\nceasefires (95% interval)",
            transform=ax.transAxes, ha="left", va="top", fontsize=9, fontweight="bold")
    # the list and the note below it flow from the heading in points, not in axes
    # fractions, so they cannot run into each other; the figure grows to fit them
    ax.annotate("\n\n".join(lines), xy=(0.0, 1.0), xycoords="axes fraction",
                xytext=(0, -LIST_TOP), textcoords="offset points", ha="left", va="top",
                fontsize=9, linespacing=LIST_SPACING, annotation_clip=False)
    ax.annotate(f"{data['agreed']:,} of {runs:,} runs\nreached agreement "
                f"({pct(share_agreed, digits)})", xy=(0.0, 1.0), xycoords="axes fraction",
                xytext=(0, -LIST_TOP - _list_points(len(lines)) - 12), textcoords="offset points",
                ha="left", va="top", fontsize=9, color="#444444", annotation_clip=False)
    return lines


PLOT_WIDTH_POINTS = 380.0
"""Approximate width of the survival plot in points (for spacing its milestone labels)."""
LIST_TOP = 30.0
"""Points from the top of the milestone list's panel to its first line (under the heading)."""
LIST_SPACING = 1.3


def _list_points(entries: int) -> float:
    """Height in points of the milestone list: three lines an entry and a blank between."""
    lines = max(4 * entries - 1, 0)
    return lines * 9.0 * LIST_SPACING


def _height(entries: int) -> float:
    """Figure height in inches: 4.4, or taller when the milestone list needs it (the
    title, axis label and caption take about 1.5 inches; the agreement note 40 points)."""
    return max(4.4, 1.5 + (LIST_TOP + _list_points(entries) + 40.0) / 72.0)


def _digits(p: dict[str, float]) -> int:
    """One decimal when the interval is too narrow to show in whole percent (the list
    then shows every milestone with one)."""
    return 1 if p["high"] - p["low"] < 0.03 else 0


def survival_figure(scenario: Scenario, results: Results, summary: dict[str, Any]) -> Drawn:
    """The survival figure of a run."""
    with styled():
        fig = new_figure(8.0, _height(len(milestones(scenario))))
        ax, side = fig.subplots(1, 2, width_ratios=[3.4, 1])
        data = plot_survival(ax, results, scenario)
        data["table"] = milestone_table(side, data, len(results))
        fig.suptitle("How long agreed ceasefires hold")
        data["caption"] = run_caption(fig, scenario, results, summary,
                                      f"median held {_median(summary)}")
    return Drawn(fig, "survival", data)


def _median(summary: dict[str, Any]) -> str:
    """The summary's median hours held, flagged when censored at the horizon."""
    med = summary.get("median_hold_hours")
    if med is None or (isinstance(med, float) and math.isnan(med)):
        return "n/a"
    return ("> " if summary.get("median_hold_censored") else "") + f"{med:.0f} h"
