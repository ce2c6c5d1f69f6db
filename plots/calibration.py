"""Calibration of the backtest: forecasts beside what happened, and their scores.

Three panels from a :class:`sim.backtest.BacktestTable`:

* forecasts against the record: for each scenario, the predicted P(agreement) and
  P(hold) at each milestone (dot, Wilson 95% interval), joined by a line, with what
  happened drawn at 0% or 100% in the same colour (square: it happened; cross: it did
  not). The vertical gap between a dot and its square or cross is the forecast's error;
* Brier scores per event, the model beside two base rates (lower is better): the one
  fitted in sample (every case gets the mean outcome of all, its own included: near
  perfect with few cases) and the leave-one-out one (the mean outcome of the other
  cases: a forecast that could have been made without the case's own outcome);
* where each observed duration falls in its scenario's predicted distribution of hours
  held (percentile; the whisker spans the record's uncertainty). A calibrated model
  puts these all over 0..100, not piled at one end.

Drawn without pyplot on the Agg canvas (see :mod:`plots.style`).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from plots.style import (
    BLUE,
    GREEN,
    GREY,
    LIGHT_GREY,
    ORANGE,
    PURPLE,
    SKY_BLUE,
    VERMILLION,
    Drawn,
    new_figure,
    no_data,
    percent_axis,
    save,
    styled,
    wrap,
)

SCENARIO_COLOURS = (BLUE, VERMILLION, GREEN, PURPLE, ORANGE, SKY_BLUE, GREY)
"""One colour per scenario, in the table's order (scenarios are not parties)."""

MODEL_COLOUR = "#3D4F63"
BASE_COLOUR = LIGHT_GREY
LOO_COLOUR = SKY_BLUE


def _nan(x: Any) -> float:
    return math.nan if x is None else float(x)


def events(table: Any) -> list[str]:
    """Event names on the x axis: agreement, then every milestone, shortest first."""
    return ["agreement", *table.labels()]


def forecast_points(table: Any) -> list[dict[str, Any]]:
    """Per scenario: predicted probability, interval and observed outcome per event."""
    out = []
    names = events(table)
    for row in table.rows:
        obs = row["observed"]
        points = []
        for k, name in enumerate(names):
            if name == "agreement":
                p, seen = row["p_agreement"], obs["agreed"]
            elif name in row["p_hold"]:
                p, seen = row["p_hold"][name], obs["held"].get(name)
            else:
                continue
            points.append({"x": k, "event": name, "estimate": _nan(p["estimate"]),
                           "low": _nan(p["low"]), "high": _nan(p["high"]), "observed": seen})
        out.append({"scenario": row["scenario"], "points": points})
    return out


def plot_forecasts(ax: Axes, table: Any) -> None:
    """Predicted probabilities per event and scenario, with the observed outcomes."""
    names = events(table)
    series = forecast_points(table)
    n = max(len(series), 1)
    handles = []
    for i, s in enumerate(series):
        colour = SCENARIO_COLOURS[i % len(SCENARIO_COLOURS)]
        dx = (i - (n - 1) / 2) * min(0.12, 0.5 / n)  # side by side within an event
        xs = [p["x"] + dx for p in s["points"]]
        # joined only between neighbouring events: across an event the case lacks (a
        # milestone of another scenario), a line would read as a forecast it never made
        line_x: list[float] = []
        line_y: list[float] = []
        for k, p in enumerate(s["points"]):
            if k and p["x"] - s["points"][k - 1]["x"] > 1:
                line_x.append(math.nan)
                line_y.append(math.nan)
            line_x.append(xs[k])
            line_y.append(p["estimate"])
        ax.plot(line_x, line_y, color=colour, linewidth=1.2, alpha=0.6)
        for x, p in zip(xs, s["points"], strict=True):
            ax.plot([x, x], [p["low"], p["high"]], color=colour, linewidth=2.5,
                    solid_capstyle="butt")
            ax.plot([x], [p["estimate"]], marker="o", color=colour, markersize=7,
                    markeredgecolor="white", linestyle="")
            seen = p["observed"]
            if seen is None:
                continue
            ax.plot([x], [1.0 if seen else 0.0], linestyle="", color=colour, markersize=9,
                    marker="s" if seen else "X", markeredgecolor="black",
                    markeredgewidth=0.6, clip_on=False, zorder=5)
        handles.append(Line2D([], [], color=colour, marker="o", markeredgecolor="white",
                              label=s["scenario"]))
    handles += [
        Line2D([], [], color=GREY, marker="s", linestyle="", markeredgecolor="black",
               label="observed: happened (100%)"),
        Line2D([], [], color=GREY, marker="X", linestyle="", markeredgecolor="black",
               label="observed: did not (0%)"),
    ]
    if any(p["observed"] is None for s in series for p in s["points"]):
        # a forecast without a mark of what happened: the record cannot tell
        handles.append(Line2D([], [], linestyle="", label="no mark: outcome unknown,\nnot scored"))
    ax.set_xticks(range(len(names)),
                  ["agreement" if e == "agreement" else wrap(f"holds {e}", EVENT_CHARS, lines=3)
                   for e in names])
    ax.set_xlim(-0.5, len(names) - 0.5)
    ax.set_ylim(-0.06, 1.06)
    percent_axis(ax)
    ax.set_ylabel("predicted probability (%)\n(dot, 95% interval)")
    ax.set_xlabel("event: agreement, or ceasefire still holding at the milestone "
                  "(hours or days after its start)")
    ax.set_title("Forecasts against the record", loc="left")
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)


def brier_bars(table: Any) -> list[dict[str, Any]]:
    """Brier scores per event and pooled: the model and both base rates, with case
    counts. The pooled leave-one-out score covers only the holds another case has, so
    it gets a group of its own, beside the model scored on those same holds."""
    sc = table.scores
    bars = [{"event": "agreement", **_brier(sc["agreement"], sc["agreement"]["cases"])}]
    for label, s in sc["milestones"].items():
        bars.append({"event": f"holds {label}", **_brier(s, s["cases"])})
    pooled = sc["all_milestones"]
    loo = pooled["leave_one_out"]
    bars.append({"event": "all holds", **_brier(pooled, pooled["pairs"]), "loo": math.nan})
    if loo["pairs"] and loo["pairs"] < pooled["pairs"]:
        bars.append({"event": "holds another case has", "model": _nan(loo["brier"]["model"]),
                     "base_rate": math.nan, "loo": _nan(loo["brier"]["base_rate"]),
                     "cases": loo["pairs"]})
    elif loo["pairs"]:
        bars[-1]["loo"] = _nan(loo["brier"]["base_rate"])
    return bars


def _tick(event: str, width: int = 9) -> str:
    """An event's tick label: a milestone by its label alone ('7d', in lines of at most
    ``width``), the pooled groups over two lines."""
    if event == "holds another case has":
        return "holds\nanother\ncase has"
    if event == "all holds":
        return "all\nholds"
    if event == "agreement":
        return event
    return wrap(event.removeprefix("holds "), width, lines=3)


EVENT_CHARS = 11
"""Widest line of an event's tick label: labels of two cases' milestones side by side,
each on one line, ran into one another."""


def _brier(s: dict[str, Any], cases: int) -> dict[str, Any]:
    return {"model": _nan(s["brier"]["model"]), "base_rate": _nan(s["brier"]["base_rate"]),
            "loo": _nan(s["leave_one_out"]["brier"]["base_rate"]), "cases": cases}


def bar_labels(bars: list[tuple[float, float]], width: float) -> list[tuple[list[float], float]]:
    """The value labels of one event's bars (``(x, score)`` from left to right): bars
    side by side whose scores read the same share one label, centred over them (a row of
    perfect scores had a "0.00" on each bar, set edge to edge), as ``(xs, score)``. Three
    decimals, as the table prints them (0.125 read 0.12 here and 0.125 there)."""
    out: list[tuple[list[float], float]] = []
    for x, v in bars:
        last = out[-1] if out else None
        if last and f"{last[1]:.3f}" == f"{v:.3f}" and x - last[0][-1] <= width * 1.01:
            last[0].append(x)
        else:
            out.append(([x], v))
    return out


def plot_brier(ax: Axes, table: Any) -> None:
    """Grouped bars: Brier score of the model and of both base rates for each event."""
    bars = brier_bars(table)
    width = 0.27
    # a score missing where its kind is drawn elsewhere is written 'n/a': an empty slot
    # looked like a bar of 0.00
    shown = {key for b in bars for key in ("model", "base_rate", "loo") if not math.isnan(b[key])}
    for k, b in enumerate(bars):
        drawn = []
        for off, key, colour in ((-width, "model", MODEL_COLOUR), (0.0, "base_rate", BASE_COLOUR),
                                 (width, "loo", LOO_COLOUR)):
            v = b[key]
            if math.isnan(v):
                if key in shown:
                    ax.text(k + off, 0.015, "n/a", ha="center", va="bottom", fontsize=7,
                            rotation=90, color=GREY)
                continue
            ax.bar(k + off, v, width, color=colour, edgecolor="black", linewidth=0.5)
            drawn.append((k + off, v))
        for xs, v in bar_labels(drawn, width):
            ax.text(sum(xs) / len(xs), v + 0.015, f"{v:.3f}", ha="center", va="bottom",
                    fontsize=7, rotation=90)
    # narrower and smaller where many events share the panel
    many = len(bars) > 8
    ax.set_xticks(range(len(bars)), [f"{_tick(b['event'], 7 if many else 9)}\nn={b['cases']}"
                                     for b in bars], fontsize=7 if many else 8)
    uninformed = (getattr(table, "scores", None) or {}).get("uninformed")
    if uninformed:  # the bar a forecast must clear: an even chance for every event
        ax.axhline(uninformed["brier"], color="black", linestyle="--", linewidth=1.0, zorder=3)
    ax.set_ylim(0, 1.3)
    ax.set_yticks([0, 0.25, 0.5, 0.75, 1.0])
    ax.set_ylabel("Brier score (0 = perfect, 1 = worst)")
    ax.set_xlabel("event (n = forecasts scored)")
    ax.set_title("Brier scores: lower is better", loc="left")
    handles: list[Artist] = [
        Patch(facecolor=MODEL_COLOUR, edgecolor="black", label="model"),
        Patch(facecolor=BASE_COLOUR, edgecolor="black", label="base rate, fitted in sample")]
    if any(not math.isnan(b["loo"]) for b in bars):  # (one case has no other to learn from)
        handles.append(Patch(facecolor=LOO_COLOUR, edgecolor="black",
                             label="base rate of the other cases"))
    if uninformed:
        handles.append(Line2D([], [], color="black", linestyle="--", linewidth=1.0,
                              label=f"an even chance for every event ({uninformed['brier']:.3f})"))
    ax.legend(handles=handles, loc="upper left", ncols=2, fontsize=8)


def percentile_points(table: Any) -> list[dict[str, Any]]:
    """Percentile of each observed duration, with its range and censoring."""
    out = []
    for row in table.rows:
        if row["percentile"] is None:
            continue
        span = row["percentile_range"] or [row["percentile"], row["percentile"]]
        out.append({"scenario": row["scenario"], "percentile": row["percentile"],
                    "low": span[0], "high": span[1], "censored": row["percentile_censored"],
                    "hours": row["observed"]["hours_held"],
                    "median": row["median_hold_hours"],
                    "median_censored": bool(row.get("median_hold_censored"))})
    return out


def plot_percentiles(ax: Axes, table: Any) -> None:
    """Where each observed duration falls among its scenario's predicted durations."""
    points = percentile_points(table)
    if not points:
        no_data(ax, "no agreed case with predicted agreements")
        return
    order = {row["scenario"]: i for i, row in enumerate(table.rows)}
    ax.axvspan(25, 75, color=LIGHT_GREY, alpha=0.5, linewidth=0)
    ax.axvline(50, color=GREY, linewidth=0.8, linestyle="--")
    for y, p in enumerate(points):
        colour = SCENARIO_COLOURS[order[p["scenario"]] % len(SCENARIO_COLOURS)]
        # (above the labels: a label may cross a wide range, and must not hide it)
        ax.plot([p["low"], p["high"]], [y, y], color=colour, linewidth=3,
                solid_capstyle="butt", zorder=5)
        ax.plot([p["percentile"]], [y], marker=">" if p["censored"] else "o", color=colour,
                markersize=8, markeredgecolor="black", markeredgewidth=0.5, linestyle="",
                clip_on=False, zorder=6)
        # beyond the horizon when more than half held to it, as the text says ('> 720 h')
        med = "n/a" if p["median"] is None else \
            f"{'> ' if p['median_censored'] else ''}{p['median']:.0f} h"
        # one line just above its own bar, mid-panel, in its case's colour: beside the
        # point, a label near the edge ran over the axis; on two lines above the row,
        # with ten cases, it sat between two rows and read as either's; beside the
        # bar, a wide range crossed it
        ax.annotate(f"observed {p['hours']:.0f} h, predicted median {med}", xy=(50, y),
                    xytext=(0, 3), textcoords="offset points", ha="center", va="bottom",
                    fontsize=7 if len(points) <= 6 else 6.5, zorder=4, color=colour,
                    bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "alpha": 0.7,
                          "edgecolor": "none"})
    ax.set_yticks(range(len(points)), [wrap(p["scenario"], 22) for p in points], fontsize=8)
    # room above the first row for its label, whatever the rows' height
    ax.set_ylim(len(points) - 0.4, -0.3 - max(0.5, 0.07 * (len(points) + 1.3)))
    ax.set_xlim(-2, 102)
    # on two lines: on one, it was wider than the panel and ran under the Brier scores'
    # labels when the scenarios' names are short
    ax.set_xlabel("percentile of the observed duration\namong predicted hours held "
                  "(agreed runs, %)\ngrey: the middle half of the predictions")
    ax.set_title("Observed duration in the predicted distribution", loc="left")
    ax.grid(axis="y", visible=False)


def calibration_figure(table: Any) -> Drawn:
    """The backtest's calibration figure (not yet saved)."""
    with styled():
        # wider for many events (two cases' milestones side by side), so each keeps room
        fig = new_figure(max(12.0, 4.0 + 0.8 * (len(events(table)) + 2)), 9.0)
        # the Brier scores' panel takes the room its groups of bars need
        groups = len(events(table)) + 2
        grid = fig.add_gridspec(2, 2, height_ratios=[1.25, 1.0],
                                width_ratios=[max(1.4, 0.26 * groups), 1.0])
        top = fig.add_subplot(grid[0, :])
        left = fig.add_subplot(grid[1, 0])
        right = fig.add_subplot(grid[1, 1])
        if table.rows:
            plot_forecasts(top, table)
            plot_brier(left, table)
            plot_percentiles(right, table)
        else:
            for ax in (top, left, right):
                no_data(ax, "no scenario with an [observed] section")
        fig.suptitle("Backtest: predicted ceasefire outcomes against the historical record")
        stopped = "PARTIAL: interrupted, the cases scored before it  ·  " if table.partial else ""
        # the --set values every case ran with: a tuned backtest looked like the shipped one
        sets = getattr(table, "overrides", None) or []
        with_sets = f" with {', '.join(sets)}" if sets else ""
        fig.supxlabel(wrap(
            f"{stopped}{len(table.rows)} historical case(s) from {table.directory}{with_sets}"
            f"  ·  {table.runs:,} runs each  ·  seed {table.seed}  ·  interval: Wilson 95%  ·  "
            "a right-pointing marker: observed duration censored", 190),
                      fontsize=8, color="#555555", fontweight="normal")
    return Drawn(fig, "calibration", {
        "forecasts": forecast_points(table) if table.rows else [],
        "brier": brier_bars(table) if table.rows else [],
        "percentiles": percentile_points(table) if table.rows else [],
    })


def draw_calibration(table: Any, directory: Path, fmt: str) -> Path:
    """Write ``calibration.<fmt>`` into ``directory`` and return its path."""
    return save(calibration_figure(table), Path(directory), fmt)
