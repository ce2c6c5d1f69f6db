"""Heat maps of a two-parameter sweep: one quantity's map, the panels that lay one out
per quantity with a shared colour bar, and how a swept parameter's values are written
on an axis.

A cell carries the estimate and its interval while the grid is small enough to read
them, the estimate alone on a larger grid, and colour only beyond (the numbers are in
``sweep.csv``). Tick labels are the sweep table's: as many digits as tell the values
apart.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from numbers import Real
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from plots.fitting import category_ticks
from plots.names import axis_label
from plots.style import new_figure, pct, wrap
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


CHAR_WIDTH = 0.058
"""Inches a character of a cell's text takes at its size (8 points), on average over
digits, signs, brackets and spaces."""


def column_width(texts: Iterable[str], floor: float) -> float:
    """Inches per column of a heat map that its widest cell text (of ``texts``, each of
    one or more lines) needs, and at least ``floor``."""
    longest = max((len(line) for text in texts for line in text.split("\n")), default=0)
    return max(floor, CHAR_WIDTH * longest + 0.12)


def widen_to_fit(fig: Figure, columns: int) -> None:
    """Widen ``fig`` until the widest cell text of its heat maps fits its column with a
    margin, as measured in the font it is drawn in (the estimate of :data:`CHAR_WIDTH`
    sets the first size; fonts differ between machines)."""
    fig.draw_without_rendering()  # lays the panels out
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    heat = [ax for ax in fig.axes if ax.texts]
    if not heat:
        return
    need = max(t.get_window_extent(renderer).width for ax in heat for t in ax.texts)
    have = min(ax.get_window_extent(renderer).width for ax in heat) / columns
    short = (need * 1.08 + 6 - have) / fig.dpi  # inches each column lacks
    if short > 0:
        width, height = fig.get_size_inches()
        panels = len({round(ax.get_position().x0, 3) for ax in heat})
        fig.set_size_inches(width + short * columns * panels * 1.05, height)


def plot_heatmap(ax: Axes, values: np.ndarray, xs: list[Any], ys: list[Any], title: str,
                 lows: np.ndarray, highs: np.ndarray) -> Any:
    """One heat map of a probability over two parameters, cells labelled as far as
    they legibly can be (:func:`cell_detail`)."""
    image = ax.imshow(values, cmap="cividis", vmin=0.0, vmax=1.0, origin="lower", aspect="auto")
    detail = cell_detail(*values.shape)
    texts = cell_texts(values, lows, highs) if detail == "full" else None
    for i in range(values.shape[0]) if detail != "none" else ():
        for j in range(values.shape[1]):
            v = values[i, j]
            text = texts[i][j] if texts is not None else pct(v).removesuffix("%")
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


def cell_texts(values: np.ndarray, lows: np.ndarray, highs: np.ndarray) -> list[list[str]]:
    """Each cell's estimate and interval as the sweep's table writes them (one decimal,
    :func:`sim.report.interval_ends`), with more decimals for the whole panel where an
    interval would print as a point: rounded to whole per cent, 0.9% [0.5, 1.4] read
    '1% [1, 1]', certainty the runs do not give, and 4.5% [3.7, 5.5] read '4% [4, 5]',
    ends inside the true ones."""
    cells = [({"estimate": float(v), "low": float(lo), "high": float(hi)}
              if not math.isnan(v) else None)
             for v, lo, hi in zip(values.ravel(), lows.ravel(), highs.ravel(), strict=True)]
    digits = 1
    while digits < 4 and any(p is not None and not math.isnan(p["low"]) and p["low"] < p["high"]
                             and len(set(interval_ends(p, digits))) == 1 for p in cells):
        digits += 1
    texts = []
    for p in cells:
        if p is None:
            texts.append("n/a")
        elif math.isnan(p["low"]) or math.isnan(p["high"]):
            texts.append(pct(p["estimate"], digits))
        else:
            low, high = interval_ends(p, digits)
            texts.append(f"{pct(p['estimate'], digits)}\n[{low}, {high}]")
    return [texts[k:k + values.shape[1]] for k in range(0, len(texts), values.shape[1])]


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


def numeric(values: list[Any]) -> bool:
    return all(isinstance(v, Real) and not isinstance(v, bool) for v in values)


def quantity_title(name: str) -> str:
    """'agreement' -> 'P(agreement)', 'hold 7d' -> 'P(holds 7d)'."""
    return "P(agreement)" if name == "agreement" else f"P(holds {name.split(' ', 1)[1]})"


def axis_values(points: list[Any], key: str) -> list[Any]:
    """The values a swept parameter takes: numbers in ascending order, so a heat map's
    axis runs one way even when the values were not given in order (a sweep extended on
    resume appends its new values); anything else in order of first appearance (tables
    and arrays among them, which cannot be hashed)."""
    values: list[Any] = []
    for pt in points:
        if pt.params[key] not in values:
            values.append(pt.params[key])
    return sorted(values) if numeric(values) else values


def grid_of(points: list[Any], params: list[str], s: dict[str, np.ndarray]) -> tuple[
        list[Any], list[Any], np.ndarray, np.ndarray, np.ndarray]:
    """Arrange one quantity of a two-parameter sweep as (rows: second, columns: first)."""
    xs, ys = axis_values(points, params[0]), axis_values(points, params[1])
    grids = [np.full((len(ys), len(xs)), np.nan) for _ in range(3)]
    for k, pt in enumerate(points):
        i, j = ys.index(pt.params[params[1]]), xs.index(pt.params[params[0]])
        for g, key in zip(grids, ("estimate", "low", "high"), strict=True):
            g[i, j] = s[key][k]
    return xs, ys, grids[0], grids[1], grids[2]


def panel_layout(quantities: int) -> tuple[int, int]:
    """Columns and rows of the heat maps of ``quantities`` quantities (2 x 2 for four)."""
    ncols = 2 if quantities == 4 else min(quantities, 3)
    return ncols, math.ceil(quantities / ncols)


def heat_figure(points: list[Any], params: list[str], quantities: int, cell: tuple[float, float],
                extra_height: float) -> Figure:
    """A figure for one heat map per quantity: panels grow with the grid, so cells and
    tick labels keep their room (``cell``: inches per column and per row of the grid)."""
    ncols, nrows = panel_layout(quantities)
    nx, ny = len(axis_values(points, params[0])), len(axis_values(points, params[1]))
    width, height = max(3.6, cell[0] * nx + 1.2), max(2.9, cell[1] * ny + 1.2)
    return new_figure(width * ncols + 1.2, height * nrows + extra_height)


def heat_panels(fig: Figure, points: list[Any], params: list[str],
                data: dict[str, dict[str, np.ndarray]],
                plot_one: Callable[..., Any], bar_label: str,
                bar_format: Callable[[float, np.ndarray], str]) -> dict[str, Any]:
    """One heat map per quantity of ``data`` over two parameters, each drawn by
    ``plot_one(ax, estimate, low, high, xs, ys, title)``, the axes named on the outer
    panels, with a colour bar shared by all, its ticks written by ``bar_format(value,
    ticks)``. Returns each quantity's grid."""
    names = list(data)
    ncols, nrows = panel_layout(len(names))
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax in axes[len(names):]:
        ax.set_visible(False)
    image = None
    grids = {}
    scenario = getattr(points[0], "scenario", None) if points else None
    for k, name in enumerate(names):
        ax = axes[k]
        xs, ys, est, low, high = grid_of(points, params, data[name])
        image = plot_one(ax, est, low, high, xs, ys, quantity_title(name))
        if k // ncols == nrows - 1 or k + ncols >= len(names):
            ax.set_xlabel(wrap(axis_label(params[0], scenario), 40), fontsize=9)
        if k % ncols == 0:
            ax.set_ylabel(wrap(axis_label(params[1], scenario), 24), fontsize=9)
        grids[name] = {"x": xs, "y": ys, "estimate": est, "low": low, "high": high}
    if image is not None:
        bar = fig.colorbar(image, ax=list(axes[: len(names)]), shrink=0.9)
        bar.set_label(bar_label)
        # the formatter sees the ticks drawn, to write them all to the decimals they need
        ticks = bar.ax.yaxis
        bar.ax.yaxis.set_major_formatter(
            lambda v, _: bar_format(v, ticks.get_majorticklocs()))
    return grids
