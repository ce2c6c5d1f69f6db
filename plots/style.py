"""Shared look of every figure: palette, party colours, captions, saving.

Each party keeps one colour in every figure. The six parties of the Syria scenarios
have fixed colours from the Okabe-Ito palette (distinguishable with the common forms
of colour blindness); any other party gets one of the remaining colours, handed out in
sorted order of the scenario's party names, so the assignment depends on the scenario
alone and never on which parties a particular panel happens to show.

Figures are built as :class:`matplotlib.figure.Figure` objects without pyplot, so
drawing never opens a window, needs no display and leaves no global figure state; they
are rendered by the Agg canvas when saved.
"""

from __future__ import annotations

import math
import textwrap
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import Formatter, MaxNLocator

from plots.fitting import fit_lines
from plots.fitting import wrap as wrap  # (figures import it from here, with the style)
from sim.precision import precision_words
from sim.report import percent
from sim.scenario import labelled
from sim.terms import imposed_text, later_text
from sim.toml_out import toml_value

if TYPE_CHECKING:
    from sim.records import Results
    from sim.scenario import Scenario

# Okabe & Ito (2008), "Color Universal Design".
BLACK = "#000000"
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
PURPLE = "#CC79A7"
GREY = "#7F7F7F"
LIGHT_GREY = "#D9D9D9"

PARTY_COLOURS: dict[str, str] = {
    "us": BLUE,
    "russia": VERMILLION,
    "opposition": GREEN,
    "regime": PURPLE,
    "jfs": BLACK,
    "un": SKY_BLUE,
}
"""Fixed colours of the parties every Syria scenario shares."""

FALLBACK_COLOURS: tuple[str, ...] = (ORANGE, "#882255", "#999933", "#44AA99", "#332288",
                                     "#CC6677", "#661100", "#AA4499")
"""Colours handed to other parties, in sorted order of their names: the unused
Okabe-Ito orange, then Paul Tol's wine, olive, teal, indigo, rose, brown and purple.
Eight, so that a scenario of seven renamed parties gives each a colour of its own (with
six, the seventh took one already given, by a hash of its name); no yellow, which was
faint on white and on the pause's shading."""

SYSTEM_COLOUR = GREY
"""Events that belong to no party (rounds, convoys, milestones)."""

HOLD_COLOUR = "#3D4F63"
"""The data colour of curves and bars that belong to no party (a neutral slate, so it
is never mistaken for a party's colour)."""

BAND_ALPHA = 0.25

RC: dict[str, Any] = {
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.labelsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#E6E6E6",
    "grid.linewidth": 0.8,
    "axes.axisbelow": True,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "figure.titlesize": 13,
    "figure.titleweight": "bold",
    "savefig.dpi": 150,
    # labels come from scenario files: a "$" in a party's or a milestone's name is text,
    # not mathematics (mathtext would fail on an unknown command such as "$\\foo$")
    "text.parse_math": False,
}
"""matplotlib settings applied while a figure is built and saved."""

DPI = 150


@dataclass
class Drawn:
    """A finished figure, the file name it will get, and the numbers it shows."""

    figure: Figure
    name: str
    """File stem, e.g. ``survival``."""
    data: dict[str, Any] = field(default_factory=dict)
    """The plotted numbers, keyed by what they are (for tests and for re-use)."""


@contextmanager
def styled() -> Iterator[None]:
    """Apply the shared matplotlib settings (artists read them when created)."""
    with matplotlib.rc_context(RC):  # type: ignore[arg-type]
        yield


def new_figure(width: float, height: float) -> Figure:
    """A pyplot-free figure with constrained layout (no overlapping labels)."""
    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def save(drawn: Drawn, directory: Path, fmt: str = "png") -> Path:
    """Write ``drawn`` into ``directory`` as ``<name>.<fmt>`` and return the path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{drawn.name}.{fmt}"
    with styled():
        drawn.figure.savefig(path, format=fmt, dpi=DPI, metadata=_metadata(fmt))
    return path


def _metadata(fmt: str) -> dict[str, Any] | None:
    """Drop the creation date so the same results give byte-identical files."""
    if fmt == "png":
        return {"Software": None}
    if fmt == "svg":
        return {"Date": None}
    return None


# -- parties ------------------------------------------------------------------


def party_colours(names: Iterable[str]) -> dict[str, str]:
    """Colour of every party in ``names`` (pass all the scenario's parties).

    Known parties keep their fixed colour; the others get the unused fallback colours
    in sorted order of name, then a colour chosen by a stable hash of the name.
    """
    names = sorted(set(names))
    out = {n: PARTY_COLOURS[n] for n in names if n in PARTY_COLOURS}
    spare = [c for c in FALLBACK_COLOURS if c not in out.values()]
    for name in (n for n in names if n not in PARTY_COLOURS):
        out[name] = spare.pop(0) if spare else FALLBACK_COLOURS[zlib.crc32(name.encode()) %
                                                                len(FALLBACK_COLOURS)]
    return out


def party_label(spec_parties: Mapping[str, Any], name: str) -> str:
    """Display name of a party: its scenario label, else its key ('' -> 'nobody')."""
    if not name:
        return "nobody"
    party = spec_parties.get(name)
    label = getattr(party, "label", "") if party is not None else ""
    return label or name


NAME_POINTS = 125.0
"""Widest line of a party's name in a legend or beside a lane, in points (about 24
characters at 9 points): a name of ordinary length (a government's or an alliance's)
takes two lines rather than widening the legend past the figure's edge or squeezing
the plot, and a long one takes as many as it needs."""


def party_name(spec_parties: Mapping[str, Any], name: str, fontsize: float = 9.0,
               room: float = NAME_POINTS) -> str:
    """:func:`party_label` in full, broken into lines at most ``room`` points wide at
    ``fontsize`` (measured from the font): a name cut short could not be told from
    another party's that begins alike."""
    return fit_lines(party_label(spec_parties, name), fontsize, room)


# -- text ---------------------------------------------------------------------


def pct(value: float | None, digits: int = 0) -> str:
    """A share as a percentage ('n/a' for missing), as :func:`sim.report.percent`
    writes it: '<1%' or '>99%' for one that is neither none nor all but rounds so."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return percent(value, digits)


def pct_interval(p: Mapping[str, float | None] | None, digits: int = 0) -> str:
    """``{"estimate", "low", "high"}`` as ``41% [38, 45]``."""
    if not p or p.get("estimate") is None or _isnan(p["estimate"]):
        return "n/a"
    low, high = p.get("low"), p.get("high")
    if low is None or high is None:
        return pct(p["estimate"], digits)
    return f"{pct(p['estimate'], digits)} [{100 * low:.{digits}f}, {100 * high:.{digits}f}]"


def _isnan(x: Any) -> bool:
    return isinstance(x, float) and math.isnan(x)


LEFT_ROOM = 0.012
"""Room left of hour 0 on a trace's time axes, as a share of the span: a convoy attacked
in the first hour was drawn half outside the axes."""

LATER_COLOUR = "#333333"
"""The hour later terms take effect ([ceasefire.later]), dash-dotted: no party's colour."""

PARTIAL_COLOUR = "#a50f15"
"""The caption's colour on a figure drawn from a stopped run."""


def caption(fig: Figure, scenario: str, runs: int | None = None, seed: Any = None,
            extra: str = "", partial: str = "", each: str = "") -> str:
    """Put 'scenario · runs · seed' under the figure, inside the layout; returns the text.

    ``partial`` says what an interrupted run's figure lacks; it leads the caption, so a
    figure drawn from a run later finished cannot pass for the finished run's. ``each``
    names what ``runs`` counts the runs of ('500 runs per point').
    """
    parts = [f"PARTIAL: {partial}"] if partial else []
    parts.append(f"scenario {scenario}")
    if runs is not None:
        parts.append(f"{runs:,} runs" + (f" per {each}" if each else ""))
    if seed is not None:
        parts.append(f"seed {seed}")
    if extra:
        parts.append(extra)
    # as many parts to a line as the figure's width holds (about 5 points a character
    # at this size: a stopped sweep's caption ran off both edges); a part longer than a
    # line (a scenario with long --set values) is itself wrapped, on three lines at most
    # (the rest is in the run's manifest.json): the figure keeps its room
    room, lines = int(fig.get_figwidth() * 72 / 5.0), [""]
    for part in parts:
        pieces = textwrap.wrap(part, room, break_on_hyphens=False, max_lines=3, placeholder=" \u2026")
        for k, piece in enumerate(pieces or [part]):
            joined = f"{lines[-1]}  ·  {piece}" if lines[-1] else piece
            if lines[-1] and (k or len(joined) > room):
                lines.append(piece)
            else:
                lines[-1] = joined
    text = "\n".join(lines)
    # a partial figure's caption is dark red and bold: it must not pass unnoticed
    fig.supxlabel(text, fontsize=8, color=PARTIAL_COLOUR if partial else "#555555",
                  fontweight="bold" if partial else "normal")
    return text


def run_caption(fig: Figure, scenario: Scenario, results: Results,
                summary: Mapping[str, Any], extra: str = "") -> str:
    """:func:`caption` for a figure of one run, so all of a run's figures name it alike.

    The seed comes from the run's summary, because the results do not carry it.
    """
    # a sweep's point is its scenario with the --set values and the point's --param values
    changes = [*(summary.get("sets") or ()),
               *(f"{k}={toml_value(v)}" for k, v in (summary.get("params") or {}).items())]
    imposed = imposed_text(scenario, changes)
    later = later_text(scenario, changes)
    reached = precision_words(summary.get("precision"), bool(summary.get("partial")))
    extra = "; ".join(x for x in (f"imposed on the ceasefire: {imposed}" if imposed else "",
                                  later[:1].lower() + later[1:], extra, reached) if x)
    return caption(fig, labelled(scenario.name, changes), len(results),
                   summary.get("seed"), extra,
                   (PARTIAL_BY_ERROR if summary.get("error") else PARTIAL_RUN)
                   if summary.get("partial") else "")


def stopped_points(done: int, planned: int | None, last_runs: int | None, each: str = "runs",
                   where: str = "") -> str:
    """What a stopped sweep's caption leads with: ``done`` of the ``planned`` points,
    and, where the last stopped part way (``last_runs`` not None), which it is
    (``where``: its values) and how many runs it holds, since the caption's runs per
    point are not its own; '' for a finished sweep."""
    if last_runs is None and done >= (planned or 0):
        return ""
    text = f"interrupted, {done} of {max(planned or 0, done)} points"
    if last_runs is None:
        return text
    return text + f", the last{f', at {where},' if where else ''} unfinished with {last_runs:,} {each}"


PARTIAL_RUN = "interrupted, the runs finished so far"
"""What the caption of a stopped run's figure says it shows."""
PARTIAL_BY_ERROR = "stopped by an error, the runs finished before it"
"""What the caption of a run stopped by an error (a lost worker, a replication past the
scenario's limits) says it shows."""


LABEL_CHARS = 16
"""Longest label a figure shows in full; scenario files may name things at any length."""


def shorten(label: str, limit: int = LABEL_CHARS) -> str:
    """``label``, cut to ``limit`` characters with an ellipsis so a long name cannot
    squeeze the plot."""
    return label if len(label) <= limit else label[: limit - 1] + "\u2026"


def no_data(ax: Axes, message: str) -> None:
    """Mark an empty panel with why it is empty, instead of leaving it blank."""
    ax.text(0.5, 0.5, message, transform=ax.transAxes, ha="center", va="center",
            color=GREY, fontsize=10, wrap=True)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)


def count_axis(ax: Axes, label: str = "replications") -> None:
    """A y axis counting replications: ticks at whole numbers only (bars of one run
    each were given ticks at 0.2, 0.4, ...)."""
    ax.set_ylabel(label)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))


def percent_axis(ax: Axes, axis: str = "y") -> None:
    """Show a 0..1 axis as percentages, each tick written exactly (:class:`PercentTicks`)."""
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(PercentTicks())


class PercentTicks(Formatter):
    """A share's tick as a percentage with as many decimals as it has, and no more: '0%,
    0.5%, 1%, 1.5%'. Rounded to whole percents, ticks half a percent apart on an axis of
    small shares read '0%, 1%, 1%, 2%', one label for two ticks."""

    def __call__(self, x: float, pos: int | None = None) -> str:
        # to 6 decimals: a tick of 0.015 is 1.5000000000000002 percent (float noise);
        # adding 0.0 makes -0.0 read 0
        text = f"{round(100 * float(x), 6) + 0.0:.6f}".rstrip("0").rstrip(".")
        return self.fix_minus(f"{text}%")


def _to_days(hours: Any) -> Any:
    return np.asarray(hours, dtype=float) / 24.0


def _to_hours(days: Any) -> Any:
    return np.asarray(days, dtype=float) * 24.0


def days_axis(ax: Axes) -> None:
    """Add a secondary x axis in days on top of an axis in hours."""
    sec = ax.secondary_xaxis("top", functions=(_to_days, _to_hours))
    sec.set_xlabel("days", fontsize=9)
    sec.tick_params(labelsize=8)


def wrap_key(key: str, width: int = 30) -> str:
    """Break a dotted scenario key into lines at its dots, each at most about ``width``."""
    lines: list[str] = []
    for part in key.split("."):
        if lines and len(lines[-1]) + 1 + len(part) <= width:
            lines[-1] += "." + part
        else:
            lines.append(part if not lines else "." + part)
    return "\n".join(lines)


def sorted_by_share(counts: Mapping[str, int]) -> Sequence[str]:
    """Keys by decreasing count, ties by name (a deterministic order)."""
    return sorted(counts, key=lambda k: (-counts[k], k))
