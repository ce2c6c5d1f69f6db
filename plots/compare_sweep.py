"""Does a lever's effect hold up across a judgement? A comparison sweep's figure.

Above, each side's P(agreement) and P(hold) at every point with its 95% interval (A
solid, B dashed with open markers, in the colours of the sweep figure); below, the
paired difference A - B at each point with its 95% interval, the answer the figure is
for. One numeric parameter is drawn in order of its value; anything else against the
grid points in order, each named under the axis, the lines broken wherever a parameter
but the last changes.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from plots.fitting import category_ticks, fit_tick, text_width, value_ticks
from plots.heatmap import numeric, tick_labels
from plots.names import axis_label
from plots.quantities import MARKERS, legend_name, milestone_colour
from plots.style import (
    Drawn,
    caption,
    new_figure,
    no_data,
    percent_axis,
    stopped_points,
    styled,
    wrap,
)
from plots.sweep import (
    LINE_AXIS,
    TICK_SIZE,
    _arrays,
    _single_point_axis,
    _taken,
    broken,
    grid_breaks,
    mark_breaks,
    param_name,
    plot_differences,
    values_text,
)
from sim.scenario import labelled
from sim.sweep_report import caption_counts

__all__ = ["compare_sweep_figure"]


def _sides(points: list[Any]) -> tuple[list[Any], list[Any]]:
    """Each point's sides as the sweep figure's helpers take points."""
    return ([SimpleNamespace(params=p.params, scenario=p.a, summary=p.result["a"]) for p in points],
            [SimpleNamespace(params=p.params, scenario=p.b, summary=p.result["b"]) for p in points])


SIDE_STEP = 0.035
"""How far apart each quantity's sides are drawn around a point, as a share of the
spacing of the points (eight estimates take a quarter of it)."""


def plot_sides(ax: Axes, x: np.ndarray, a: dict[str, dict[str, np.ndarray]],
               b: dict[str, dict[str, np.ndarray]], joined: bool = True) -> None:
    """Each quantity of side A as a solid line, of side B dashed, in one colour each,
    B's markers open, each estimate with its 95% interval as a thin bar (bands of both
    sides would hide one another; without them the estimates looked exact). The legend
    names each quantity once, then, under a heading, the two sides' line and marker
    styles. Points that are categories (``joined`` false) are markers alone: a line
    between two parties read as values between them."""
    holds = [name for name in a if name != "agreement"]
    handles = []
    # each quantity's A and B a little apart around each point, in a fixed order: where
    # the sides and quantities meet, their interval bars stood in one column, each
    # hiding the others
    finite = np.unique(x[np.isfinite(x)])
    step = SIDE_STEP * (float(np.median(np.diff(finite))) if len(finite) > 1 else 1.0)
    slots = 2 * len(a)
    for j, name in enumerate(a):
        k = holds.index(name) if name in holds else -1
        colour = "black" if k < 0 else milestone_colour(k, len(holds))
        marker = "o" if k < 0 else MARKERS[k % len(MARKERS)]
        at_a, at_b = (x + (2 * j + side - (slots - 1) / 2) * step for side in (0, 1))
        for side, at in ((b, at_b), (a, at_a)):
            est = side[name]["estimate"]
            ax.errorbar(at, est, yerr=[est - side[name]["low"], side[name]["high"] - est],
                        fmt="none", ecolor=colour, elinewidth=0.9, capsize=2.0, zorder=1.5)
        ax.plot(at_b, b[name]["estimate"], color=colour, marker=marker, markersize=4,
                linewidth=1.2, linestyle="--" if joined else "none", markerfacecolor="white")
        ax.plot(at_a, a[name]["estimate"], color=colour, marker=marker, markersize=5,
                linewidth=1.8, linestyle="-" if joined else "none")
        handles.append(Line2D([], [], color=colour, marker=marker, markersize=5,
                              linewidth=1.8, label=legend_name(name)))
    ax.set_ylim(-0.02, 1.02)
    percent_axis(ax)
    ax.set_ylabel("probability, all runs (95% interval)")
    # then the sides' line and marker styles, under a heading, in black: drawn in a
    # quantity's grey among the quantities, they read as two more quantities. The
    # marker shows B's open face, which a line alone left unexplained.
    handles += [Line2D([], [], linestyle="none", label="\nline and marker:"),
                Line2D([], [], color="black", marker="o", markersize=5, linewidth=1.8, label="A"),
                Line2D([], [], color="black", marker="o", markersize=4, linewidth=1.2,
                       linestyle="--", markerfacecolor="white", label="B")]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0))


def compare_sweep_figure(points: list[Any], params: list[str], names: tuple[str, str],
                         planned: int | None = None, runs: int | None = None) -> Drawn:
    """The figure of a comparison sweep (``points``: :class:`sim.compare_sweep.PairPoint`,
    ``names``: the two sides'). ``planned`` is the grid's size: a sweep stopped before
    its end is marked so in the caption."""
    with styled():
        if not points:
            fig = new_figure(7.0, 3.0)
            no_data(fig.add_subplot(), "the comparison sweep has no points")
            return Drawn(fig, "compare_sweep", {})
        side_a, side_b = _sides(points)
        a = _arrays(side_a, [p.summary for p in side_a])
        b = _arrays(side_b, [p.summary for p in side_b])
        diffs = _arrays(side_a, [p.result["diff"] for p in points])
        fig = new_figure(8.0, 7.2)
        ax, below = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 2]})
        values = [p.params[params[0]] for p in points]
        if len(params) == 1 and numeric(values):
            x = np.array(values, dtype=float)
            order = np.argsort(x, kind="stable")
            plot_sides(ax, x[order], _taken(a, order), _taken(b, order))
            plot_differences(below, x[order], _taken(diffs, order), what="difference A − B",
                             open_agreement=False)
            if len(x) == 1:
                _single_point_axis(below, float(x[0]))
            value_ticks(below.xaxis, [float(v) for v in values], tick_labels(values), TICK_SIZE)
            below.set_xlabel(wrap(axis_label(params[0], points[0].a), 70))
        else:
            x = np.arange(len(points), dtype=float)
            columns = [tick_labels([p.params[k] for p in points]) for k in params]
            labels = [", ".join(cells) for cells in zip(*columns, strict=True)]
            # lines stop where a parameter but the last changes: a grid is not a series
            breaks = grid_breaks(points, params)
            gapped, gapped_a = broken(x, a, breaks)
            plot_sides(ax, gapped, gapped_a, broken(x, b, breaks)[1],
                       joined=numeric([p.params[params[-1]] for p in points]))
            plot_differences(below, x, diffs, what="difference A − B",
                             open_agreement=False)
            mark_breaks((ax, below), breaks)
            below.set_xlim(-0.5, len(points) - 0.5)
            upright = len(points) * (1.1 * max(text_width(fit_tick(lab), 8) for lab in labels)
                                    + 4) <= LINE_AXIS
            category_ticks(below.xaxis, labels, 8, upright)
            below.set_xlabel(wrap(", ".join(axis_label(k, points[0].a) for k in params), 80))
        what = ", ".join(param_name(k) for k in params)
        lines = [f"How A − B changes with {what}", f"A: {names[0]}", f"B: {names[1]}"]
        fig.suptitle("\n".join(wrap(line, 80) for line in lines), fontsize=10)
        last = points[-1].result.get("runs", 0) if points[-1].interrupted else None
        stopped = stopped_points(len(points), planned, last, "paired runs",
                                 values_text(points[-1].params, params))
        first = points[0].result
        a_name, b_name = points[0].a.name, points[0].b.name
        scenario = labelled(b_name, first["b"].get("sets")) if a_name == b_name \
            else f"{a_name} vs {b_name}"
        runs, note = caption_counts([p.result for p in points], runs,
                                    "both sides of every point on the same seeds",
                                    " on each point's differences")
        text = caption(fig, scenario, runs, first.get("seed"), note, stopped, each="side")
    return Drawn(fig, "compare_sweep", {"x": x, "a": a, "b": b, "differences": diffs,
                                        "caption": text})
