"""A time marked on a figure: a vertical line at a milestone or deadline, labelled at
the axes' top edge, with close labels lifted into rows so none overlaps another."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from matplotlib.axes import Axes

from plots.style import GREY, shorten

MARK_PLACES: dict[str, tuple[tuple[float, float], str, str]] = {
    "right": ((3, -3), "left", "top"),
    "left": ((-3, -3), "right", "top"),
    "above": ((0, 3), "center", "bottom"),
}
"""Where :func:`mark_time` puts its label: offset in points, then ``ha`` and ``va``."""



def mark_time(ax: Axes, at: float, label: str, *,
              place: Literal["right", "left", "above"] = "right",
              linestyle: str = ":", text_colour: str = "#444444", row: int = 0) -> None:
    """A grey vertical line at ``at`` (a milestone, a deadline) labelled at the top edge.

    The label is pinned to the top of the axes rather than to a data height, so it
    stays clear of the data whatever the y range. ``place`` puts it inside the axes to
    the right or left of the line, or centred above the axes; ``row`` lifts it by as
    many lines (or, inside the axes, lowers it), so close labels need not overlap (see
    :func:`label_rows`).
    """
    (dx, dy), ha, va = MARK_PLACES[place]
    dy += (LABEL_ROW if place == "above" else -LABEL_ROW) * row
    ax.axvline(at, color=GREY, linestyle=linestyle, linewidth=1)
    # inside the axes, a label can fall on a bar or a curve: a pale backing keeps it legible
    backing = None if place == "above" else {"boxstyle": "square,pad=0.1", "facecolor": "white",
                                             "edgecolor": "none", "alpha": 0.75}
    ax.annotate(shorten(label), xy=(at, 1.0), xycoords=("data", "axes fraction"),
                xytext=(dx, dy), textcoords="offset points", ha=ha, va=va, fontsize=9,
                color=text_colour, bbox=backing)


LABEL_ROW = 11.0
"""Height in points of one row of :func:`mark_time` labels (9-point text)."""


def label_rows(at: Sequence[float], labels: Sequence[str], span: float, width_points: float,
               place: Literal["right", "above"] = "above") -> list[int]:
    """The row of each :func:`mark_time` label placed at ``place``, so that no two in a
    row overlap: labels go, from left to right, in the lowest row where they clear the
    one before. ``span`` is the x range of the axes and ``width_points`` its width.

    Widths are estimated (0.62 em a character at 9 points, plus a gap): exact extents
    need a drawn figure, and a layout that depended on the renderer would differ
    between machines."""
    scale = width_points / span if span > 0 else 0.0
    ends: list[float] = []
    rows = [0] * len(at)
    for i in sorted(range(len(at)), key=lambda i: at[i]):
        width = 0.62 * 9.0 * len(shorten(labels[i])) + 6.0
        left = at[i] * scale - (width / 2.0 if place == "above" else 0.0)
        row = next((r for r, end in enumerate(ends) if left >= end), len(ends))
        if row == len(ends):
            ends.append(left + width)
        else:
            ends[row] = left + width
        rows[i] = row
    return rows
