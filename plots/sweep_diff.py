"""The paired differences of a two-parameter sweep, as heat maps.

The sweep figure's heat maps show each point's estimates, whose intervals are as wide
as a run of that size gives. The difference of each point from the reference (every
parameter at its first value) is measured on common random numbers, replication by
replication, and is far tighter: this figure shows it, one heat map per quantity on a
diverging scale centred on zero, each cell with its difference in percentage points
and, on a small grid, its 95% interval.
"""

from __future__ import annotations

import math
from functools import partial
from typing import Any

import numpy as np
from matplotlib.axes import Axes

from plots.fitting import category_ticks
from plots.heatmap import (
    FULL_LABELS,
    SHORT_LABELS,
    axis_values,
    column_width,
    heat_figure,
    heat_panels,
    tick_labels,
    widen_to_fit,
)
from plots.style import Drawn, caption, stopped_points, styled, wrap
from plots.sweep import _points, differences, last_runs, values_text
from sim.report import interval_decimals, points
from sim.scenario import labelled
from sim.sweep_report import caption_counts

__all__ = ["differences_figure"]

DIVERGING = "PuOr"
"""Orange below zero, purple above: a diverging map readable with colour blindness."""


def _cell(estimate: float, low: float, high: float, full: bool) -> str:
    """A cell's text: the difference in percentage points, with its interval on a small
    grid; ``ref`` for the reference itself (no interval: it is its own baseline)."""
    if math.isnan(estimate):
        return "n/a"
    if math.isnan(low) or math.isnan(high):
        return "ref"
    d = interval_decimals({"estimate": estimate, "low": low, "high": high})
    text = points(estimate, d)
    return f"{text}\n[{points(low, d)}, {points(high, d)}]" if full else text


def _column_width(diffs: dict[str, dict[str, np.ndarray]]) -> float:
    """Inches per column of the grid that the widest cell text needs (an interval such
    as ``[-14.2, -7.3]`` overflowed into its neighbours at a fixed half inch), and at
    least half an inch."""
    return column_width((_cell(float(est), float(low), float(high), full=True)
                         for d in diffs.values()
                         for est, low, high in zip(d["estimate"], d["low"], d["high"], strict=True)),
                        0.5)


def plot_difference_map(ax: Axes, est: np.ndarray, low: np.ndarray, high: np.ndarray,
                        xs: list[Any], ys: list[Any], title: str, span: float) -> Any:
    """One heat map of paired differences over two parameters, on a scale of
    ``-span .. span`` shared by every panel."""
    image = ax.imshow(est, cmap=DIVERGING, vmin=-span, vmax=span, origin="lower", aspect="auto")
    side = max(est.shape)
    full = side <= FULL_LABELS
    for i in range(est.shape[0]) if side <= SHORT_LABELS else ():
        for j in range(est.shape[1]):
            v = est[i, j]
            dark = not math.isnan(v) and abs(v) > 0.6 * span
            ax.text(j, i, _cell(v, low[i, j], high[i, j], full), ha="center", va="center",
                    fontsize=8 if full else 6.5, color="white" if dark else "black")
    category_ticks(ax.xaxis, tick_labels(xs), 8 if len(xs) <= 8 else 6.5)
    category_ticks(ax.yaxis, tick_labels(ys), 8 if len(ys) <= 8 else 6.5)
    ax.set_title(title + ("" if full else " (pp)"), fontsize=10)
    ax.grid(False)
    return image


def differences_figure(points_: list[Any], params: list[str], planned: int | None = None,
                       runs: int | None = None) -> Drawn:
    """The paired differences of a two-parameter sweep's points from its reference
    (``points_``: :class:`sim.experiments.SweepPoint`). ``planned`` is the grid's size:
    a sweep stopped before its end is marked so in the caption."""
    with styled():
        diffs = differences(points_)
        side = max(len(axis_values(points_, k)) for k in params)
        width = _column_width(diffs) if side <= FULL_LABELS else 0.5  # (estimates alone fit)
        fig = heat_figure(points_, params, len(diffs), (width, 0.34), 1.2)
        estimates = np.concatenate([d["estimate"] for d in diffs.values()])
        span = max(float(np.nanmax(np.abs(estimates))) if np.isfinite(estimates).any() else 0.0,
                   0.01)  # at least 1 pp: a null result is not painted at full strength
        grids = heat_panels(fig, points_, params, diffs,
                            partial(plot_difference_map, span=span),
                            # to the decimals the ticks need: +-2.5 read "+3" and "-2"
                            "difference from the reference (pp)", _points)
        widen_to_fit(fig, len(next(iter(grids.values()))["x"]))
        first = points_[0]
        reference = values_text(first.params, params)
        full = side <= FULL_LABELS  # (a larger grid's cells hold the estimates alone)
        fig.suptitle(f"Paired difference from the reference point (pp{', 95% interval' if full else ''})\n"
                     + wrap(f"reference: {reference}", 90), fontsize=11)
        stopped = stopped_points(len(points_), planned, last_runs(points_[-1]),
                                 where=values_text(points_[-1].params, params))
        name = labelled(first.scenario.name, first.summary.get("sets"))
        runs, note = caption_counts([p.summary for p in points_], runs,
                                    "every point on the same seeds" + ("" if full else
                                                                       "; intervals in sweep.csv"))
        text = caption(fig, name, runs, first.summary.get("seed"), note, stopped, each="point")
    return Drawn(fig, "sweep_differences", {"grids": grids, "span": span, "caption": text})
