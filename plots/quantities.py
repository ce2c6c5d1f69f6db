"""How the figures of sweeps and comparisons draw each quantity: P(agreement) in black,
each milestone's P(hold) in a colour of its own from a colour map readable with colour
blindness, with a marker of its own, under a legend name of bounded width."""

from __future__ import annotations

from typing import Any

from matplotlib import colormaps

from plots.contrast import readable
from plots.heatmap import quantity_title
from plots.style import wrap

__all__ = ["MARKERS", "legend_name", "milestone_colour"]

MARKERS = ("o", "s", "D", "^", "v", "P", "X")
"""Each milestone's marker, in order (agreement takes a circle in black)."""


def legend_name(name: str) -> str:
    """A quantity as a legend names it, in lines of at most 32 characters: a milestone
    label of 64 on one line took two thirds of the figure's width from the plot."""
    return wrap(quantity_title(name), 32, lines=3)


def milestone_colour(k: int, n: int) -> Any:
    """The k-th of n milestone colours from cividis (readable with colour blindness),
    darkened where it is too light to read on white (:func:`plots.contrast.readable`)."""
    return readable(colormaps["cividis"](0.1 + 0.75 * k / max(n - 1, 1)))
