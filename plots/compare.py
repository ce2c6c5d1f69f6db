"""Paired comparison of two scenarios (or a counterfactual) as a forest plot.

Each row is one probability; the dot and thick bar are the paired difference A - B in
percentage points with its 95% interval (both sides ran on the same seeds). The thin
grey bar is the interval the same runs would give if they were independent samples:
the gap between the two shows what common random numbers buy.
"""

from __future__ import annotations

import math
from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from plots.style import (
    GREY,
    HOLD_COLOUR,
    Drawn,
    caption,
    new_figure,
    no_data,
    pct,
    styled,
    wrap,
)
from sim.precision import precision_words
from sim.report import PCT_DIGITS, interval_decimals, points
from sim.toml_out import toml_value


def _num(x: Any) -> float:
    return math.nan if x is None else float(x)


NAME_CHARS = 26
"""Widest line of a row's name (a probability), beside its row or over its panel."""


def forest_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per probability: paired and independent differences (in shares), A and B."""
    diff = result.get("diff") or result
    a, b = result.get("a") or {}, result.get("b") or {}
    rows = []

    def row(name: str, d: dict[str, Any] | None, ind: dict[str, Any] | None,
            pa: dict[str, Any] | None, pb: dict[str, Any] | None) -> None:
        d = d or {}
        rows.append({
            "name": name,
            "estimate": _num(d.get("estimate")), "low": _num(d.get("low")),
            "high": _num(d.get("high")),
            "independent": None if not ind else (_num(ind.get("low")), _num(ind.get("high"))),
            "a": _num((pa or {}).get("estimate")), "b": _num((pb or {}).get("estimate")),
        })

    row("P(agreement)", diff.get("p_agreement"), diff.get("independent_p_agreement"),
        a.get("p_agreement"), b.get("p_agreement"))
    for label, d in (diff.get("p_hold") or {}).items():
        # at most three lines of a row's width: a milestone label of 64 characters on one
        # line took the room of the values beside the rows, which ran into each other
        row(wrap(f"P(holds {label})", NAME_CHARS, lines=3), d,
            (diff.get("independent_p_hold") or {}).get(label),
            (a.get("p_hold") or {}).get(label), (b.get("p_hold") or {}).get(label))
    return rows



def plot_forest(ax: Axes, rows: list[dict[str, Any]]) -> None:
    """Paired differences with intervals, one row each, zero marked."""
    for y, r in enumerate(rows):
        if r["independent"] is not None:
            lo, hi = r["independent"]
            ax.plot([100 * lo, 100 * hi], [y + 0.22] * 2, color=GREY, linewidth=1.2)
            ax.plot([100 * lo, 100 * hi], [y + 0.22] * 2, color=GREY, marker="|", linestyle="",
                    markersize=6)
        ax.plot([100 * r["low"], 100 * r["high"]], [y, y], color=HOLD_COLOUR, linewidth=3,
                solid_capstyle="butt")
        ax.plot([100 * r["estimate"]], [y], marker="o", color=HOLD_COLOUR, markersize=DOT,
                markeredgecolor="white", zorder=3)
        # the interval's ends stand above and below the dot, so that they show even
        # where the interval is no wider than the dot
        ax.plot([100 * r["low"], 100 * r["high"]], [y, y], color=HOLD_COLOUR, marker="|",
                linestyle="", markersize=2.2 * DOT, markeredgewidth=1.5, zorder=4)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(range(len(rows)), [r["name"] for r in rows])
    ax.set_ylim(len(rows) - 0.4, -0.6)
    ax.set_xlabel("difference A − B (percentage points)")
    ax.grid(axis="y", visible=False)
    lows = [100 * r["low"] for r in rows] + [100 * r["independent"][0] for r in rows
                                             if r["independent"]]
    highs = [100 * r["high"] for r in rows] + [100 * r["independent"][1] for r in rows
                                               if r["independent"]]
    # zero and the data, with a margin: a symmetric axis left half the panel empty and
    # squeezed large effects' intervals under their dots; at least 2 pp wide
    finite = [v for v in lows + highs if math.isfinite(v)] + [0.0]
    low, high = min(finite), max(finite)
    if high - low < 2.0:
        middle = (low + high) / 2.0
        low, high = min(low, middle - 1.0), max(high, middle + 1.0)
    pad = 0.06 * (high - low)
    ax.set_xlim(low - pad, high + pad)


DOT = 6.0
"""Diameter of a paired difference's dot, points."""

NARROW_NOTE = "95% interval narrower than the dot"


def note_narrow(fig: Figure, ax: Axes, rows: list[dict[str, Any]]) -> list[str]:
    """Say so above each dot that hides its interval (once the figure is complete: it
    is laid out here); returns the rows noted."""
    fig.draw_without_rendering()
    left, right = ax.get_xlim()
    noted = []
    for y, r in enumerate(rows):
        if not all(math.isfinite(r[k]) for k in ("estimate", "low", "high")):
            continue
        (x0, _), (x1, _) = ax.transData.transform([(100 * r["low"], y), (100 * r["high"], y)])
        if abs(x1 - x0) < DOT * fig.dpi / 72.0:
            # beginning at the dot, or ending at it in the right half: inside the panel
            at = (100 * r["estimate"] - left) / (right - left)
            ax.annotate(NARROW_NOTE, xy=(100 * r["estimate"], y), xytext=(0, DOT + 1),
                        textcoords="offset points", ha="left" if at < 0.5 else "right",
                        va="bottom", fontsize=7, color=GREY,
                        bbox={"boxstyle": "square,pad=0.1", "facecolor": "white",
                              "edgecolor": "none", "alpha": 0.8})
            noted.append(r["name"])
    return noted


def plot_values(ax: Axes, rows: list[dict[str, Any]]) -> None:
    """The two sides' estimates, written as the printed table writes them
    (:func:`sim.report.pct`), and the difference, as a small table aligned with the rows."""
    ax.set_ylim(len(rows) - 0.4, -0.6)
    ax.set_xlim(0, 1)
    ax.axis("off")
    for x, head in ((0.0, "A"), (0.3, "B"), (0.6, "A − B")):
        ax.text(x, -0.55, head, ha="left", va="bottom", fontsize=9, fontweight="bold")
    for y, r in enumerate(rows):
        # to the table's decimals: rounded to whole percents, 99.9% in the table read
        # '>99%' here
        ax.text(0.0, y, pct(r["a"], PCT_DIGITS), ha="left", va="center", fontsize=9)
        ax.text(0.3, y, pct(r["b"], PCT_DIGITS), ha="left", va="center", fontsize=9)
        est = r["estimate"]
        d = 1 if math.isnan(est) else interval_decimals(r)
        text = "n/a" if math.isnan(est) else (f"{points(est, d)} pp\n"
                                              f"[{points(r['low'], d)}, {points(r['high'], d)}]")
        ax.text(0.6, y, text, ha="left", va="center", fontsize=9)
    ax.legend(handles=legend_handles(), loc="upper left", bbox_to_anchor=(0.0, 0.0), fontsize=8)


def legend_handles() -> list[Line2D]:
    """What a forest's marks mean: the paired difference and the independent interval."""
    return [Line2D([], [], color=HOLD_COLOUR, linewidth=3, marker="o", markeredgecolor="white",
                   markersize=DOT, label="paired difference,\n95% interval"),
            Line2D([], [], color=GREY, linewidth=1.2, label="interval if the runs\nwere independent")]


def compare_figure(result: dict[str, Any]) -> Drawn:
    """The forest plot of a paired comparison."""
    rows = forest_rows(result)
    a_name, b_name = result.get("a_name", "A"), result.get("b_name", "B")
    with styled():
        fig = new_figure(8.5, 1.0 + 0.75 * max(len(rows), 2) + 1.2)
        ax, side = fig.subplots(1, 2, width_ratios=[2.3, 1])
        noted: list[str] = []
        if rows:
            plot_forest(ax, rows)
            plot_values(side, rows)
        else:
            no_data(ax, "nothing to compare")
            side.axis("off")
        fig.suptitle("What the change does: A − B, paired on the same seeds")
        ax.set_title(f"{wrap('A = ' + a_name, 70)}\n{wrap('B = ' + b_name, 70)}",
                     loc="left", fontsize=9, fontweight="normal")
        # both sides' scenarios (one, for a counterfactual of one file)
        named = [(result.get(side) or {}).get("scenario") for side in ("a", "b")]
        scenario = " vs ".join(dict.fromkeys(n for n in named if n)) or a_name
        seed = result.get("seed", (result.get("a") or {}).get("seed"))
        # a point of a comparison sweep drawn alone says at which values it was made,
        # as a sweep's point does
        swept = "; ".join(f"{k}={toml_value(v)}" for k, v in (result.get("params") or {}).items())
        reached = precision_words(result.get("precision"), bool(result.get("partial")),
                                  " on every paired difference")
        parts = ["paired on the same seeds", f"both sides with {swept}" if swept else "", reached]
        extra = "; ".join(x for x in parts if x)
        text = caption(fig, scenario, result.get("runs"), seed, extra,
                       "interrupted, the runs both sides finished" if result.get("partial")
                       else "", each="side")
        if rows:
            noted = note_narrow(fig, ax, rows)
    return Drawn(fig, "compare", {"rows": rows, "caption": text, "narrow": noted})
