"""What changes the odds: P(hold) across the points of a parameter sweep.

One swept parameter gives lines of P(hold) at each milestone (and P(agreement)) against
the parameter, in order of its value, with Wilson 95% bands, above each point's paired
difference from the first point given with its interval (the sweep's common random
numbers make those far tighter than the bands). Two give one heat map per milestone,
numeric axes in order of value. More are shown as lines over the grid points in sweep
order, with their differences.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from plots.fitting import category_ticks, fit_tick, text_width, value_ticks
from plots.heatmap import (
    axis_values,
    cell_detail,
    cell_texts,
    column_width,
    heat_figure,
    heat_panels,
    numeric,
    plot_heatmap,
    tick_labels,
    widen_to_fit,
)
from plots.names import axis_label, param_name
from plots.quantities import MARKERS, legend_name, milestone_colour
from plots.style import (
    BAND_ALPHA,
    GREY,
    Drawn,
    caption,
    new_figure,
    no_data,
    pct,
    percent_axis,
    stopped_points,
    styled,
    wrap,
)
from sim.scenario import labelled
from sim.stats import milestones
from sim.sweep_report import caption_counts


def _value(p: dict[str, Any] | None) -> tuple[float, float, float]:
    """(estimate, low, high) with missing values as nan."""
    if not p or p.get("estimate") is None:
        return math.nan, math.nan, math.nan
    return tuple(math.nan if p.get(k) is None else float(p[k])  # type: ignore[return-value]
                 for k in ("estimate", "low", "high"))


def _labels(points: list[Any]) -> list[str]:
    """Every point's milestone labels, in order of first appearance (a sweep may change
    the milestones themselves)."""
    return list(dict.fromkeys(lab for pt in points for lab, _ in milestones(pt.scenario)))


def series(points: list[Any]) -> dict[str, dict[str, np.ndarray]]:
    """P(agreement) and P(hold) per milestone at every point, as arrays in point order."""
    return _arrays(points, [pt.summary for pt in points])


def _arrays(points: list[Any], summaries: list[dict[str, Any]]) -> dict[str, dict[str, np.ndarray]]:
    """``p_agreement`` and ``p_hold`` of each point's ``summaries`` entry (its summary, or
    its difference from the reference), as estimate, low and high arrays in point order."""
    keys: list[tuple[str, str, str | None]] = [("agreement", "p_agreement", None)]
    keys += [(f"hold {lab}", "p_hold", lab) for lab in _labels(points)]
    out: dict[str, dict[str, np.ndarray]] = {}
    for name, field, label in keys:
        vals = np.array([_value(_pick(summary, field, label)) for summary in summaries],
                        dtype=float).reshape(-1, 3)
        out[name] = {"estimate": vals[:, 0], "low": vals[:, 1], "high": vals[:, 2]}
    return out


def _pick(summary: dict[str, Any], field: str, label: str | None) -> dict[str, Any] | None:
    """``summary[field]``, or ``summary[field][label]`` for per-milestone fields."""
    value = summary.get(field)
    if label is None or value is None:
        return value
    return value.get(label)


def plot_lines(ax: Axes, x: np.ndarray, data: dict[str, dict[str, np.ndarray]],
               joined: bool = True) -> None:
    """One line with a band per quantity against ``x``; at a single point, which has
    no line or band to draw, or at points that are categories (``joined`` false: a line
    from 'regime' to 'opposition' read as values between them), a marker with its
    interval per quantity. (The points are named under the differences below, which
    share this axis.)"""
    if len(x) == 1 or not joined:
        _plot_point(ax, x, data)
    else:
        _plot_bands(ax, x, data)
    ax.set_ylim(-0.02, 1.02)
    percent_axis(ax)
    ax.set_ylabel("probability, all runs (95% interval)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))


def _plot_bands(ax: Axes, x: np.ndarray, data: dict[str, dict[str, np.ndarray]]) -> None:
    """Each P(hold) as a line in its band; P(agreement) dashed through open circles, its
    interval a capped whisker at each point: lines along its ends ran in and out of the
    48-hour band, which P(agreement) bounds from above and often touches."""
    holds = [name for name in data if name != "agreement"]
    for k, name in enumerate(holds):
        s, colour = data[name], milestone_colour(k, len(holds))
        ax.fill_between(x, s["low"], s["high"], color=colour, alpha=BAND_ALPHA, linewidth=0)
        ax.plot(x, s["estimate"], color=colour, marker=MARKERS[k % len(MARKERS)], markersize=5,
                linewidth=1.8, label=legend_name(name))
    if "agreement" in data:
        s = data["agreement"]
        # an open circle, white inside and above its whisker (which filled an unfilled
        # one, so that it read as solid)
        ax.plot(x, s["estimate"], color="black", linestyle="--", linewidth=1.2, marker="o",
                markersize=5, markerfacecolor="white", label="P(agreement)", zorder=4)
        # one line, broken between points, so the legend and the tests find it as one
        ax.plot(np.repeat(x, 3), np.column_stack([s["low"], s["high"], np.full(len(x), np.nan)])
                .ravel(), color="black", linewidth=1.0, marker="_", markersize=6,
                label="_P(agreement) interval", zorder=3)


def _plot_point(ax: Axes, x: np.ndarray, data: dict[str, dict[str, np.ndarray]]) -> None:
    """Each quantity as a marker with its interval, side by side in the order and at the
    offsets of the differences below, so each stands above its own difference; agreement
    is drawn last, so the legend lists it last, as beside the lines."""
    names = list(data)
    shifts = dict(zip(names, _side_by_side(x, len(names)), strict=True))
    for name in sorted(names, key=lambda n: n == "agreement"):
        _errorbar(ax, x + shifts[name], data[name], name, names, markersize=6,
                  label=legend_name(name))


def _side_by_side(x: np.ndarray, n: int) -> list[float]:
    """Offsets of ``n`` markers drawn side by side at each point: together they take a
    quarter of the distance between the closest points, or of the unit width a single
    point is given (see :func:`_single_point_axis`)."""
    step = float(np.min(np.diff(np.sort(x)))) if len(x) > 1 else 1.0
    width = 0.25 * step / max(n, 1)
    return [(k - (n - 1) / 2) * width for k in range(n)]


def _errorbar(ax: Axes, x: np.ndarray, s: dict[str, np.ndarray], name: str, names: list[str],
              markersize: float, label: str | None = None, open_agreement: bool = True) -> None:
    """``s`` as markers with their intervals, in the look of quantity ``name`` (a black
    circle for agreement, open unless ``open_agreement`` is false; the milestone's colour
    and marker for a hold)."""
    holds = [n for n in names if n != "agreement"]
    colour = "black" if name == "agreement" else milestone_colour(holds.index(name), len(holds))
    marker = "o" if name == "agreement" else MARKERS[holds.index(name) % len(MARKERS)]
    below = np.nan_to_num(s["estimate"] - s["low"])
    above = np.nan_to_num(s["high"] - s["estimate"])
    # agreement's open circle is white inside, drawn over its bar (an unfilled one let
    # the bar through, and read as solid)
    ax.errorbar(x, s["estimate"], yerr=[below, above], color=colour, marker=marker,
                markersize=markersize, linestyle="none", capsize=2, elinewidth=1.0,
                markerfacecolor="white" if name == "agreement" and open_agreement else colour,
                label=label,
                barsabove=False)


def _single_point_axis(ax: Axes, x: float) -> None:
    """One point on a unit-wide axis: autoscaling would spread the markers set side by
    side at it across the whole axis."""
    ax.set_xlim(x - 0.5, x + 0.5)


def differences(points: list[Any]) -> dict[str, dict[str, np.ndarray]]:
    """Each point's paired difference from the reference (the first point), as arrays in
    point order: P(agreement) and P(hold) per milestone, with their 95% intervals (nan
    where there is none: the reference itself has no interval)."""
    return _arrays(points, [pt.summary.get("diff_from_reference") or {} for pt in points])


def plot_differences(ax: Axes, x: np.ndarray, diffs: dict[str, dict[str, np.ndarray]],
                     reference: str = "the first point", what: str = "",
                     open_agreement: bool = True) -> None:
    """Paired differences from the reference with their intervals, side by side at each
    point: on common random numbers they are far tighter than the bands above.
    ``reference`` names it on the axis (points drawn in order of value may not start
    with it); ``what`` names the difference instead (``A − B``). Agreement's circle is
    open as in the sweep's lines above, or filled (``open_agreement`` false) where the
    panel above draws open markers for something else (a comparison's side B)."""
    names = list(diffs)
    for name, shift in zip(names, _side_by_side(x, len(names)), strict=True):
        _errorbar(ax, x + shift, diffs[name], name, names, markersize=4,
                  open_agreement=open_agreement)
    ax.axhline(0.0, color="black", linewidth=0.8)
    # at least +-1 pp, so that a null result does not fill the panel with its interval
    low, high = ax.get_ylim()
    ax.set_ylim(min(low, -0.01), max(high, 0.01))
    ax.yaxis.set_major_formatter(lambda v, _: _points(v, ax.yaxis.get_majorticklocs()))
    # what the panel shows goes above it, where a long reference has room (as the
    # axis label it was broken into three cramped lines)
    ax.set_ylabel("difference (pp)", fontsize=9)
    what = what or f"difference from {reference}"
    circle = "open" if open_agreement else "black"
    ax.set_title(wrap(f"Paired {what} (percentage points, 95% interval; {circle} circle: "
                      "agreement)", 80), fontsize=9, loc="left")


def values_text(values: dict[str, Any], params: list[str]) -> str:
    """A point's values as titles name them: 'sensitivity (regime) = 0.065, ...'."""
    return ", ".join(f"{param_name(k)} = {tick_labels([values[k]])[0]}" for k in params)


def last_runs(point: Any) -> int | None:
    """The runs a sweep's point holds if it stopped part way, else None."""
    return int(point.summary.get("runs", 0)) if point.interrupted else None


def _points(value: float, ticks: np.ndarray) -> str:
    """A tick of the differences panel in percentage points, with as many decimals as
    the ticks drawn need (0.25 pp is not +0.3)."""
    pp = 100 * np.asarray(ticks, dtype=float)
    decimals = next((d for d in range(4) if np.allclose(np.round(pp, d), pp, atol=1e-9)), 3)
    return "0" if round(100 * value, decimals) == 0 else f"{100 * value:+.{decimals}f}"


def _one_or_many(fig: Figure, points: list[Any], params: list[str],
                 data: dict[str, dict[str, np.ndarray]]) -> dict[str, Any]:
    """Line plot against one parameter, or against the grid points in order, above the
    paired differences from the first point.

    A numeric parameter is drawn in order of value; the returned ``x`` (each point's
    value) and the series stay in point order, and ``order`` says in which order the
    points are drawn."""
    ax, below = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 2]})
    diffs = differences(points)
    values = [pt.params[params[0]] for pt in points] if len(params) == 1 else []
    if len(params) == 1 and numeric(values):
        return _against_value(ax, below, values, params[0], data, diffs, points[0].scenario)
    return _against_points(ax, below, points, params, data, diffs)


def _against_value(ax: Axes, below: Axes, values: list[Any], key: str,
                   data: dict[str, dict[str, np.ndarray]],
                   diffs: dict[str, dict[str, np.ndarray]], scenario: Any = None
                   ) -> dict[str, Any]:
    """Lines against a numeric parameter, drawn in order of value; the differences are
    still from the first point given, which the axis names. The axis is labelled at the
    swept values, written as the sweep's table writes them (an integer field gets no
    tick at 1.5; values that differ in the fifth digit are written out in full, with no
    offset to add up)."""
    x = np.array(values, dtype=float)
    order = np.argsort(x, kind="stable")
    plot_lines(ax, x[order], _taken(data, order))
    labels = tick_labels(values)
    reference = f"{param_name(key)} = {labels[0]}"
    plot_differences(below, x[order], _taken(diffs, order), reference)
    if len(x) == 1:
        _single_point_axis(below, float(x[0]))
    value_ticks(below.xaxis, [float(v) for v in values], labels, TICK_SIZE)
    below.set_xlabel(wrap(axis_label(key, scenario), 70))
    return {"x": x, "order": order, "differences": diffs}


def _against_points(ax: Axes, below: Axes, points: list[Any], params: list[str],
                    data: dict[str, dict[str, np.ndarray]],
                    diffs: dict[str, dict[str, np.ndarray]]) -> dict[str, Any]:
    """Lines against the grid points in sweep order, each named under the lower panel,
    broken wherever a parameter but the last changes (:func:`grid_breaks`)."""
    x = np.arange(len(points), dtype=float)
    columns = [tick_labels([pt.params[k] for pt in points]) for k in params]
    labels = [", ".join(cells) for cells in zip(*columns, strict=True)]
    breaks = grid_breaks(points, params)
    # a line runs along the last parameter's values only where they are numbers
    plot_lines(ax, *broken(x, data, breaks), joined=numeric([pt.params[params[-1]]
                                                             for pt in points]))
    plot_differences(below, x, diffs)
    mark_breaks((ax, below), breaks)
    below.set_xlim(-0.5, len(points) - 0.5)
    upright = len(points) * (1.1 * max(text_width(fit_tick(lab), 8) for lab in labels)
                                    + 4) <= LINE_AXIS
    category_ticks(below.xaxis, labels, 8, upright)
    below.set_xlabel(wrap(", ".join(axis_label(k, points[0].scenario) for k in params), 80))
    return {"x": x, "order": np.arange(len(points)), "differences": diffs}


def grid_breaks(points: list[Any], params: list[str]) -> list[int]:
    """Where, in point order, a run of points that share the values of every parameter
    but the last begins (the first run excepted). A line joining the points of a grid
    in order ran from (0.04, 0.1) to (0.085, 0.03) as if that were a trend."""
    outer = [[pt.params[k] for k in params[:-1]] for pt in points]
    return [k for k in range(1, len(points)) if outer[k] != outer[k - 1]]


def broken(x: np.ndarray, data: dict[str, dict[str, np.ndarray]], breaks: list[int]
           ) -> tuple[np.ndarray, dict[str, dict[str, np.ndarray]]]:
    """``x`` and ``data`` with a gap (nan) before each of ``breaks``, so that a line
    drawn through them stops there."""
    if not breaks:
        return x, data
    gaps = np.asarray(breaks)
    xs = np.insert(x.astype(float), gaps, (x[gaps - 1] + x[gaps]) / 2.0)
    return xs, {name: {key: np.insert(a.astype(float), gaps, np.nan) for key, a in s.items()}
                for name, s in data.items()}


def mark_breaks(axes: tuple[Axes, ...], breaks: list[int]) -> None:
    """A thin grey line between the runs of grid points (:func:`grid_breaks`)."""
    for ax in axes:
        for k in breaks:
            ax.axvline(k - 0.5, color=GREY, linewidth=0.8, linestyle=":", zorder=0)


TICK_SIZE = 9.0
"""Font size of the swept values under the line plot, points."""

LINE_AXIS = 340.0
"""About the length in points of the line plot's x axis (the figure's 8 inches less the
y labels and the legend): grid points whose names all fit along it are named upright,
more are turned on end. Which names are shown is decided on the axis as drawn."""


def _taken(data: dict[str, dict[str, np.ndarray]], order: np.ndarray
           ) -> dict[str, dict[str, np.ndarray]]:
    """``data`` (arrays in point order) rearranged into ``order``: lines and bands drawn
    in the order the values were given would fold back wherever the values do not
    ascend (the reference, given first, is often mid-range)."""
    return {name: {key: a[order] for key, a in s.items()} for name, s in data.items()}


def _two(fig: Figure, points: list[Any], params: list[str],
         data: dict[str, dict[str, np.ndarray]]) -> dict[str, Any]:
    """One heat map per quantity over two parameters, with a shared colour bar."""
    def one(ax: Axes, est: np.ndarray, low: np.ndarray, high: np.ndarray, xs: list[Any],
            ys: list[Any], title: str) -> Any:
        return plot_heatmap(ax, est, xs, ys, title, low, high)

    grids = heat_panels(fig, points, params, data, one, "probability, all runs",
                        lambda v, _ticks: pct(v))
    if _full_cells(points, params):
        widen_to_fit(fig, len(axis_values(points, params[0])))
    return {"grids": grids}


def _full_cells(points: list[Any], params: list[str]) -> bool:
    """Whether the heat maps' cells carry their intervals (:func:`cell_detail`)."""
    return cell_detail(len(axis_values(points, params[1])),
                       len(axis_values(points, params[0]))) == "full"


def _cell_width(points: list[Any], params: list[str], data: dict[str, dict[str, np.ndarray]]
                ) -> float:
    """Inches per column of a heat map: what its widest cell text needs where cells carry
    their intervals ('99.8% [99.7, 100.0]' does not fit the 0.42 inches that hold an
    estimate), and at least 0.42."""
    if not _full_cells(points, params):
        return 0.42
    return column_width((text for s in data.values()
                         for row in cell_texts(s["estimate"][None, :], s["low"][None, :],
                                               s["high"][None, :])
                         for text in row), 0.42)


def sweep_figure(points: list[Any], params: list[str], planned: int | None = None,
                 runs: int | None = None) -> Drawn:
    """The figure of a sweep: lines for one parameter, heat maps for two. ``planned``
    is the grid's size: a sweep stopped before its end is marked so in the caption.
    ``runs`` is the runs asked of each point (by default, the first point's: one
    stopped holds fewer); an adaptive sweep's caption gives its precision and counts."""
    with styled():
        if not points:
            fig = new_figure(7.0, 3.0)
            no_data(fig.add_subplot(), "the sweep has no points")
            return Drawn(fig, "sweep", {})
        data = series(points)
        two = len(params) == 2
        fig = heat_figure(points, params, len(data), (_cell_width(points, params, data), 0.3),
                          1.0) if two \
            else new_figure(8.0, 6.8)
        extra = _two(fig, points, params, data) if two else _one_or_many(fig, points, params, data)
        first = points[0]
        names = [param_name(p) for p in params]
        what = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        fig.suptitle(wrap(f"How the odds of agreement and of holding change with {what}", 60))
        result = {"series": data, **extra}
        note = "the same seeds at every point"
        if two and not _full_cells(points, params):
            note += "; intervals in sweep.csv"
        stopped = stopped_points(len(points), planned, last_runs(points[-1]), where=values_text(
            points[-1].params, params))
        name = labelled(first.scenario.name, first.summary.get("sets"))
        runs, note = caption_counts([p.summary for p in points], runs, note)
        result["caption"] = caption(fig, name, runs, first.summary.get("seed"), note, stopped,
                                    each="point")
    return Drawn(fig, "sweep", result)
