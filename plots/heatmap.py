"""Heat maps of a two-parameter sweep, and how a swept parameter's values are written
on an axis.

A cell carries the estimate and its interval while the grid is small enough to read
them, the estimate alone on a larger grid, and colour only beyond (the numbers are in
``sweep.csv``). Tick labels are the sweep table's: as many digits as tell the values
apart.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from matplotlib.axes import Axes

from plots.fitting import category_ticks
from plots.style import pct
from sim.report import interval_ends, value_cells

FULL_LABELS = 6
"""Largest grid side whose cells show the estimate and its interval."""
SHORT_LABELS = 14
"""Largest grid side whose cells show the estimate alone; beyond, colour only (the
numbers are in sweep.csv)."""


def cell_detail(rows: int, cols: int) -> str:
    """What a heat map's cells can carry legibly: ``full`` (estimate and interval),
    ``estimate``, or ``none``."""
    side = max(rows, cols)
    return "full" if side <= FULL_LABELS else "estimate" if side <= SHORT_LABELS else "none"


def plot_heatmap(ax: Axes, values: np.ndarray, xs: list[Any], ys: list[Any], title: str,
                 lows: np.ndarray, highs: np.ndarray) -> Any:
    """One heat map of a probability over two parameters, cells labelled as far as
    they legibly can be (:func:`cell_detail`)."""
    image = ax.imshow(values, cmap="cividis", vmin=0.0, vmax=1.0, origin="lower", aspect="auto")
    detail = cell_detail(*values.shape)
    for i in range(values.shape[0]) if detail != "none" else ():
        for j in range(values.shape[1]):
            v = values[i, j]
            if math.isnan(v):
                text = "n/a"
            elif detail == "full":
                # an estimate shown as >99% or <1% takes ends to a decimal, rounded
                # outward: '[100, 100]' put it outside its own interval
                d = 1 if pct(v)[0] in "<>" else 0
                low, high = interval_ends({"estimate": v, "low": lows[i, j],
                                           "high": highs[i, j]}, d)
                text = f"{pct(v)}\n[{low}, {high}]"
            else:
                text = pct(v).removesuffix("%")
            ax.text(j, i, text, ha="center", va="center",
                    fontsize=8 if detail == "full" else 6.5,
                    color="black" if not math.isnan(v) and v > 0.55 else "white")
    category_ticks(ax.xaxis, tick_labels(xs), 8 if len(xs) <= 8 else 6.5)
    category_ticks(ax.yaxis, tick_labels(ys), 8 if len(ys) <= 8 else 6.5)
    if detail == "estimate":
        title += " (%)"
    ax.set_title(title, fontsize=10)
    ax.grid(False)
    return image


def tick_labels(values: list[Any]) -> list[str]:
    """A swept parameter's values as tick labels, as the sweep's table writes them: with
    as many digits as tell them apart (0.12341 and 0.12342 are not both 0.123), a table
    as TOML; but a large number written out (hours: 10080, not 1.008e+04)."""
    return [_written_out(v, cell) for v, cell in zip(values, value_cells(values), strict=True)]


def _written_out(value: Any, cell: str) -> str:
    """``cell``, the float ``value`` rounded to a few digits, without a power of ten
    where the number is at least 1 (a small one keeps it: 1e-05 reads better than
    0.00001)."""
    if not isinstance(value, float) or "e" not in cell or abs(float(cell)) < 1:
        return cell
    return str(np.format_float_positional(float(cell), trim="-"))
