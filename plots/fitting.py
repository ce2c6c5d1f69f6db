"""Fitting text to figures: measured text widths, text broken into lines that keep to
their room, legends that keep to theirs, and axis labels thinned until they clear each
other.

Widths come from the font's outlines, so they are the same on every machine and known
before anything is drawn; tick spacing is chosen when the figure is drawn, once the
layout has given each axis its length.
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Sequence
from functools import lru_cache

from matplotlib.axis import Axis, XAxis
from matplotlib.ticker import FixedLocator, FuncFormatter, Locator


@lru_cache(maxsize=4096)
def text_width(text: str, fontsize: float) -> float:
    """Width in points of the widest line of ``text`` in the figures' font, measured
    from the font's outlines: the same on every machine, and known before drawing."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    font = FontProperties(size=fontsize)
    return max(text_to_path.get_text_width_height_descent(line, font, ismath=False)[0]
               for line in text.split("\n"))


def _parts(word: str) -> list[str]:
    """A word's pieces between which a line may break: after each hyphen
    (``Turkish-`` ``backed``)."""
    return re.findall(r"[^-]*-+|[^-]+$", word) or [word]


def whole_words_size(texts: Sequence[str], fontsize: float, room: float,
                     smallest: float = 6.5) -> float:
    """The largest font size, from ``fontsize`` down to ``smallest`` in half points, at
    which no word of ``texts`` (nor piece of a hyphenated word) is wider than ``room``
    points, so :func:`fit_lines` need not break a word inside itself ('oppositio / n');
    ``smallest`` where none is."""
    size = fontsize
    pieces = [p for text in texts for word in text.split() for p in _parts(word)]
    while size > smallest and any(text_width(p, size) > room for p in pieces):
        size -= 0.5
    return max(size, smallest)


def fit_lines(text: str, fontsize: float, room: float) -> str:
    """``text`` broken at spaces into lines at most ``room`` points wide in the figures'
    font, none of it left out: a name cut short could not be told from another that
    begins alike. A word wider than ``room`` on its own is broken after a hyphen where
    it has one, and else inside itself."""
    lines: list[str] = []
    words: list[tuple[bool, str]] = []
    for word in text.split():
        pieces = _parts(word) if text_width(word, fontsize) > room else [word]
        words.extend((k > 0, piece) for k, piece in enumerate(pieces))
    for glued, word in words:
        joint = "" if glued else " "
        if lines and text_width(f"{lines[-1]}{joint}{word}", fontsize) <= room:
            lines[-1] += joint + word
            continue
        while len(word) > 1 and text_width(word, fontsize) > room:
            cut = max((k for k in range(1, len(word)) if text_width(word[:k], fontsize) <= room),
                      default=1)
            lines.append(word[:cut])
            word = word[cut:]
        lines.append(word)
    return "\n".join(lines) or text


def legend_columns(labels: Sequence[str], fontsize: float, room: float, most: int) -> int:
    """The most columns, up to ``most``, a legend of ``labels`` can have within ``room``
    points of width (each column taken as wide as the widest label, with the default
    handle, padding and spacing): a legend wider than its room ran off the figure or
    over the panel beside it."""
    em = fontsize
    column = max((text_width(label, fontsize) for label in labels), default=0.0) + 2.8 * em
    for n in range(max(most, 1), 1, -1):
        if n * column + (n - 1) * 2.0 * em + 2.0 * em <= room:
            return n
    return 1


def legend_height(labels: Sequence[str], fontsize: float) -> float:
    """About the height in points of a one-column legend of ``labels`` (each its lines
    tall, with the default spacing and padding), a little over rather than under: a
    panel at least this tall holds the legend beside it, which would otherwise hang
    below the panel into whatever is there."""
    more = sum(label.count("\n") for label in labels)
    return fontsize * (0.3 + 1.5 * len(labels) + 1.45 * more)


class FittingTicks(Locator):
    """Ticks at categories 0, k, 2k, ... of ``n`` (at 0, 1, ... n - 1 on the axis), ``k``
    the smallest step at which labels taking ``footprint`` points along the axis clear
    each other. The step is chosen when the figure is drawn, once the layout has given
    the axis its length, so it holds whatever the figure's size."""

    def __init__(self, n: int, footprint: float) -> None:
        self.n = n
        self.footprint = footprint

    def __call__(self) -> list[float]:
        if self.axis is None:
            return []
        low, high = self.axis.get_view_interval()
        return self.tick_values(low, high)

    def tick_values(self, vmin: float, vmax: float) -> list[float]:
        low, high = sorted((vmin, vmax))
        step = self.step(high - low)
        return [float(i) for i in range(0, self.n, step) if low - 1e-9 <= i <= high + 1e-9]

    def step(self, span: float) -> int:
        """Every how many categories a label fits, on an axis showing ``span`` of them."""
        axis = self.axis
        if not isinstance(axis, Axis) or span <= 0:
            return 1
        box = axis.axes.bbox
        length = (box.width if isinstance(axis, XAxis) else box.height) * 72.0 / axis.axes.figure.dpi
        if length <= 0:
            return 1
        return max(1, math.ceil(self.footprint * span / length))


TICK_CHARS = 24
"""Widest line of a category's tick label (a swept value written out, a table as TOML)."""
TICK_LINES = 3
"""Most lines of a category's tick label; a longer one ends in an ellipsis."""


def wrap(text: str, width: int = 60, lines: int | None = None) -> str:
    """Break a long title or name into lines of at most ``width`` characters (and at most
    ``lines`` of them, the last ending in an ellipsis where text was cut)."""
    return "\n".join(textwrap.wrap(text, width, max_lines=lines, placeholder=" \u2026")) or text


def fit_tick(label: str) -> str:
    """``label`` in at most :data:`TICK_LINES` lines of :data:`TICK_CHARS`: a swept table
    written on one line of 90 characters took most of a figure's height, on end, and
    ran across the cells of a heat map beside it. The table prints each value whole."""
    lines = label.split("\n")
    if len(lines) <= TICK_LINES and all(len(line) <= TICK_CHARS for line in lines):
        return label
    return wrap(" ".join(lines), TICK_CHARS, TICK_LINES)


def category_ticks(axis: Axis, labels: Sequence[str], fontsize: float,
                   upright: bool = True) -> None:
    """Name the categories at 0 .. n - 1 on ``axis`` with ``labels``: all of them where
    they fit, else every k-th (:class:`FittingTicks`, starting with the first, the
    reference of a sweep), with an unlabelled tick at each of the others. ``upright``
    False turns an x axis's labels on end, so each takes only a line's height of it.
    A long label is wrapped and, past three lines, cut (:func:`fit_tick`)."""
    labels = [fit_tick(label) for label in labels]
    lines = max(label.count("\n") + 1 for label in labels) if labels else 1
    if isinstance(axis, XAxis) and upright:
        footprint = 1.1 * max((text_width(label, fontsize) for label in labels), default=0.0) + 4.0
    else:
        footprint = lines * 1.25 * fontsize + 2.0
    n = len(labels)
    axis.set_major_locator(FittingTicks(n, footprint))
    axis.set_major_formatter(FuncFormatter(lambda v, _: _category(labels, v)))
    axis.set_minor_locator(FixedLocator([float(i) for i in range(n)]))
    axis.set_tick_params(which="major", labelsize=fontsize,
                         labelrotation=0 if upright or not isinstance(axis, XAxis) else 90)


def _category(labels: Sequence[str], at: float) -> str:
    """The label of the category at ``at`` ('' between categories and beyond them)."""
    k = round(at)
    return labels[k] if 0 <= k < len(labels) and abs(at - k) < 1e-6 else ""


class ValueTicks(Locator):
    """Ticks at the given values on a numeric axis, as many of them as can be labelled
    without their labels (``widths`` points along the axis) running into each other:
    the first value given (a sweep's reference) first, then the others from the lowest
    up, each where it clears those already taken. Chosen when the figure is drawn, once
    the layout has given the axis its length."""

    def __init__(self, values: Sequence[float], widths: Sequence[float]) -> None:
        self.values = [float(v) for v in values]
        self.widths = list(widths)

    def __call__(self) -> list[float]:
        if self.axis is None:
            return sorted(self.values)
        low, high = self.axis.get_view_interval()
        return self.tick_values(low, high)

    def tick_values(self, vmin: float, vmax: float) -> list[float]:
        low, high = sorted((vmin, vmax))
        slack = 1e-9 * (high - low)
        inside = [k for k, v in enumerate(self.values) if low - slack <= v <= high + slack]
        scale = self.scale(high - low)
        taken: list[int] = []
        for k in sorted(inside, key=lambda k: (k != 0, self.values[k])):
            if all(abs(self.values[k] - self.values[j]) * scale >= (self.widths[k] + self.widths[j]) / 2
                   for j in taken):
                taken.append(k)
        return sorted(self.values[k] for k in taken)

    def scale(self, span: float) -> float:
        """Points along the axis per unit of value (infinite while the axis has no length
        yet: then every value is taken)."""
        axis = self.axis
        if not isinstance(axis, Axis) or span <= 0:
            return math.inf
        box = axis.axes.bbox
        length = (box.width if isinstance(axis, XAxis) else box.height) * 72.0 / axis.axes.figure.dpi
        return length / span if length > 0 else math.inf


def value_ticks(axis: Axis, values: Sequence[float], labels: Sequence[str], fontsize: float) -> None:
    """Label ``axis`` at ``values`` themselves with ``labels`` (written with as many digits
    as tell the values apart), as many as fit (:class:`ValueTicks`), with an unlabelled
    tick at each of the others. matplotlib's own ticks fall between the values and, for
    values that differ only in the fifth digit, are written as an offset (1e-5+1e-1)
    that the reader must add up."""
    if isinstance(axis, XAxis):
        widths = [text_width(label, fontsize) + 6.0 for label in labels]
    else:
        widths = [(label.count("\n") + 1) * 1.25 * fontsize + 2.0 for label in labels]
    axis.set_major_locator(ValueTicks(values, widths))
    axis.set_major_formatter(FuncFormatter(lambda v, _: _value_label(values, labels, v)))
    axis.set_minor_locator(FixedLocator([float(v) for v in values]))
    axis.set_tick_params(which="major", labelsize=fontsize)


def _value_label(values: Sequence[float], labels: Sequence[str], at: float) -> str:
    """The label of the value at ``at`` ('' where no value is)."""
    return next((label for v, label in zip(values, labels, strict=True)
                 if math.isclose(float(v), at, rel_tol=1e-9, abs_tol=1e-300)), "")
