"""Why ceasefires collapse: who withdrew, whose act pushed them, whom they blamed.

The last panel makes the delineation problem visible: how often the act that ended the
ceasefire was blamed on someone other than its author, and how often it was a strike
aimed at a spoiler that landed on the spoiler's host.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from plots.fitting import fit_lines, legend_columns, whole_words_size
from plots.style import (
    GREY,
    Drawn,
    new_figure,
    no_data,
    party_colours,
    party_label,
    party_name,
    pct,
    percent_axis,
    run_caption,
    sorted_by_share,
    styled,
)
from sim.records import Results
from sim.scenario import Scenario
from sim.stats import wilson


def collapse_tables(results: Results) -> dict[str, Any]:
    """Counts over collapsed runs: withdrew, withdrew x trigger, trigger x blamed, flags."""
    collapsed = results.columns["collapsed"]
    idx = np.flatnonzero(collapsed)
    ended = results.among(results.columns["replication"][idx])  # decoded once, not per run
    withdrew, trigger, blamed = (ended.names(field) for field in ("withdrew", "trigger", "blamed"))
    return {
        "collapsed": int(idx.size),
        "withdrew": dict(Counter(withdrew)),
        "withdrew_trigger": dict(Counter(zip(withdrew, trigger, strict=True))),
        "trigger_blamed": dict(Counter(zip(trigger, blamed, strict=True))),
        "misattributed": int(results.columns["misattributed"][collapsed].sum()),
        "delineation_hit": int(results.columns["delineation_hit"][collapsed].sum()),
    }


def segments(data: dict[str, Any], scenario: Scenario, who: str) -> list[tuple[str, int]]:
    """The authors of the acts after which ``who`` withdrew, with their counts, most
    first (ties in the scenario's order): the bar's segments from the left, and its note
    (:func:`withdrawal_notes`) in the same order, which named the authors by count while
    the segments ran in the scenario's order."""
    counts = [(a, c) for (w, a), c in data["withdrew_trigger"].items() if w == who and c > 0]
    return sorted(counts, key=lambda ac: (-ac[1], scenario.order.index(ac[0])))


def plot_withdrawals(ax: Axes, data: dict[str, Any], scenario: Scenario,
                     colours: dict[str, str]) -> None:
    """Share of collapses by withdrawing party, each bar split by the act's true author."""
    n = data["collapsed"]
    parties = scenario.spec.parties
    order = list(reversed(sorted_by_share(data["withdrew"])))
    notes = withdrawal_notes(data, scenario)
    for y, who in enumerate(order):
        left = 0.0
        for author, count in segments(data, scenario, who):
            ax.barh(y, count / n, left=left, color=colours[author], edgecolor="white",
                    height=BAR_HEIGHT)
            left += count / n
        ax.annotate(f"{pct(left)} ({data['withdrew'][who]:,})", xy=(left, y), xytext=(3, 0),
                    textcoords="offset points", va="center", fontsize=9)
        if who in notes:
            ax.annotate(notes[who], xy=(0, y + BAR_HEIGHT / 2), xytext=(1, 2),
                        textcoords="offset points", va="bottom", ha="left", fontsize=NOTE_SIZE,
                        color="#444444")
    ax.set_yticks(range(len(order)), [fit_lines(party_label(parties, w), TICK_SIZE, WITHDREW_POINTS)
                                      for w in order], fontsize=TICK_SIZE)
    # the top bar's note needs the room above it that the others have below the next bar
    ax.set_ylim(-0.5, len(order) - 0.5 + (GAP - 0.2 if order and order[-1] in notes else 0.0))
    ax.set_xlim(0, 1.3)
    ax.set_xticks(np.linspace(0, 1, 5))
    percent_axis(ax, "x")
    ax.set_xlabel("share of collapses")
    ax.set_title("Who withdrew, after whose act", fontsize=10, loc="left")
    ax.grid(axis="y", visible=False)


BAR_HEIGHT = 0.6
"""Height of a withdrawal bar, in bars (one a unit)."""
GAP = 1.0 - BAR_HEIGHT
"""Room between two withdrawal bars, where the lower one's note goes."""
NOTE_SIZE = 7.5
"""Font size of a withdrawal bar's note, points."""
NOTE_POINTS = 150.0
"""Widest line of a withdrawal bar's note, points: about the panel's width."""
TICK_SIZE = 9.0
"""Font size of the withdrawing parties' names, points."""
WITHDREW_POINTS = 80.0
"""Widest line of a withdrawing party's name beside its bar, points."""
LINE = 1.25
"""Height of a line of text, in its font size (with the gap to the next)."""


def withdrawal_notes(data: dict[str, Any], scenario: Scenario) -> dict[str, str]:
    """The note over each withdrawal bar of several authors: a segment of a few acts is
    too thin to see, so the note names who they were, the first few with their counts
    and the rest in one sum, every name in full (a name cut short could not be told from
    another party's that begins alike); the note takes as many lines as it needs, and the
    panel grows until they fit between the bars (:func:`withdrawals_height`)."""
    parties = scenario.spec.parties
    notes = {}
    for who in data["withdrew"]:
        counts = [(c, a) for a, c in segments(data, scenario, who)]
        if len(counts) < 2:
            continue
        # one author past the few is named as the others are ('1 others 8' named
        # nobody); more are summed
        few = DETAIL_AUTHORS + (1 if len(counts) == DETAIL_AUTHORS + 1 else 0)
        shown, rest = counts[:few], counts[few:]
        detail = ", ".join(f"{party_label(parties, a)} {c:,}" for c, a in shown)
        if rest:
            detail += f", {len(rest)} others {sum(c for c, _ in rest):,}"
        # named: between two bars, the note over a bar too thin to see was read as the
        # one above it
        notes[who] = fit_lines(f"{party_label(parties, who)}: after acts by {detail}",
                               NOTE_SIZE, NOTE_POINTS)
    return notes


DETAIL_AUTHORS = 3
"""Authors named in a withdrawal bar's note; any others are summed."""


def author_legend(ax: Axes, data: dict[str, Any], scenario: Scenario,
                  colours: dict[str, str]) -> None:
    """The authors' colours of the left panel, in a row of their own under all three
    panels (under the left panel alone, many armed parties made a legend wider than the
    figure, and the layout gave up)."""
    ax.axis("off")
    authors = sorted({t for (_, t) in data["withdrew_trigger"]}, key=scenario.order.index)
    labels = [party_name(scenario.spec.parties, a) for a in authors]
    ax.legend(handles=[Patch(color=colours[a], label=label)
                       for a, label in zip(authors, labels, strict=True)],
              title="colour in the left panel: the act that pushed them out was by",
              loc="center", ncols=legend_shape(labels)[0], fontsize=8,
              title_fontsize=8, frameon=False)


LEGEND_COLUMNS = 4
FIG_WIDTH = 10.0
"""Width of the collapse-causes figure, inches."""


def legend_shape(labels: list[str]) -> tuple[int, float]:
    """Columns and height (inches) of the authors' legend: as many columns as the
    figure's width holds (up to four), each row as tall as the longest name's lines
    (names of ordinary length take two), a fifth of an inch a line."""
    if not labels:
        return 1, 0.1
    ncols = legend_columns(labels, 8, 0.95 * 72.0 * FIG_WIDTH, LEGEND_COLUMNS)
    lines = max(label.count("\n") + 1 for label in labels)
    rows = -(-len(labels) // ncols)
    return ncols, 0.25 + 0.19 * (1 + rows) + 0.135 * rows * (lines - 1)


def withdrawals_height(data: dict[str, Any], scenario: Scenario) -> float:
    """Inches of axes the withdrawal bars need for their notes to fit between the bars
    (and the top one under the title): each bar's room above it, ``GAP`` of a bar's
    spacing, must hold the longest note's lines, and the spacing itself the longest
    name's beside the bars."""
    notes = withdrawal_notes(data, scenario)
    lines = max((note.count("\n") + 1 for note in notes.values()), default=0)
    names = max(fit_lines(party_label(scenario.spec.parties, w), TICK_SIZE, WITHDREW_POINTS
                          ).count("\n") + 1 for w in data["withdrew"]) if data["withdrew"] else 0
    spacing = max((lines * LINE * NOTE_SIZE + 4.0) / GAP if notes else 0.0,
                  names * LINE * TICK_SIZE + 4.0) / 72.0
    return (len(data["withdrew"]) + (GAP - 0.2 if notes else 0.0)) * spacing


def panels_height(data: dict[str, Any], scenario: Scenario) -> float:
    """Inches of the row of panels: the axes as tall as the tallest of the three needs
    (:func:`withdrawals_height`, :func:`matrix_height`, :func:`delineation_height`), and
    under them room for as many lines of the blamed parties' names as the longest takes
    (the panels of a row share their margins, so those lines take room from all three)."""
    blamed = max((n.count("\n") + 1 for n in matrix_names(data, scenario)[0]), default=1)
    decoration = PANEL_DECORATION + max(blamed - 2, 0) * LINE * MATRIX_SIZE / 72.0
    need = max(withdrawals_height(data, scenario), matrix_height(data, scenario),
               delineation_height(scenario))
    return max(3.0, decoration + need)


PANEL_DECORATION = 1.0
"""Inches of a panel's height that its title, ticks and axis label take (two lines of
tick labels under the matrix)."""


def _matrix_parties(data: dict[str, Any], scenario: Scenario) -> tuple[list[str], list[str]]:
    """The matrix's true authors (rows) and the parties blamed (columns), in scenario order."""
    pairs = data["trigger_blamed"]
    return (sorted({a for a, _ in pairs}, key=scenario.order.index),
            sorted({b for _, b in pairs}, key=scenario.order.index))


def matrix_names(data: dict[str, Any], scenario: Scenario) -> tuple[list[str], list[str]]:
    """The names under the matrix's columns and beside its rows, in full: those under it
    share its width, those beside it take :data:`AUTHOR_POINTS`."""
    parties = scenario.spec.parties
    authors, blamed = _matrix_parties(data, scenario)
    size = below_size(data, scenario)
    return ([fit_lines(party_label(parties, b), size, _column_room(blamed)) for b in blamed],
            [fit_lines(party_label(parties, a), MATRIX_SIZE, AUTHOR_POINTS) for a in authors])


def _column_room(blamed: list[str]) -> float:
    """Points of width a name under one of the matrix's columns may take."""
    return max(MATRIX_POINTS / max(len(blamed), 1) - 8.0, 40.0)


def below_size(data: dict[str, Any], scenario: Scenario) -> float:
    """Font size of the names under the matrix: :data:`MATRIX_SIZE`, or smaller where a
    word of one would not fit its column whole ('Armed oppositio / n' under three)."""
    blamed = _matrix_parties(data, scenario)[1]
    return whole_words_size([party_label(scenario.spec.parties, b) for b in blamed],
                            MATRIX_SIZE, _column_room(blamed))


def matrix_height(data: dict[str, Any], scenario: Scenario) -> float:
    """Inches of axes the matrix needs: each row (an author) about a third of an inch,
    or as tall as the longest author's name where that takes more lines."""
    beside = matrix_names(data, scenario)[1]
    lines = max((n.count("\n") + 1 for n in beside), default=1)
    return 0.6 + len(beside) * max(0.36, (lines * LINE * MATRIX_SIZE + 4.0) / 72.0)


WRONG = "#B00000"
"""The colour of a count of wrong blame."""

MATRIX_SIZE = 8.0
"""Font size of the names around the matrix, points."""
MATRIX_POINTS = 120.0
"""About the matrix's width, points: the blamed parties' names share it."""
AUTHOR_POINTS = 70.0
"""Widest line of an author's name beside the matrix, points."""


def plot_attribution(ax: Axes, data: dict[str, Any], scenario: Scenario) -> np.ndarray:
    """Matrix of true author (rows) against the party blamed (columns); returns it."""
    pairs = data["trigger_blamed"]
    authors, blamed = _matrix_parties(data, scenario)
    matrix = np.array([[pairs.get((a, b), 0) for b in blamed] for a in authors])
    vmax = max(int(matrix.max()), 1) * 1.3
    ax.imshow(matrix, cmap="Greys", vmin=0, vmax=vmax, aspect="auto")
    for i, a in enumerate(authors):
        for j, b in enumerate(blamed):
            wrong = a != b and matrix[i, j] > 0
            dark = matrix[i, j] > 0.45 * vmax
            # wrong blame stays red on a dark cell, on a pale backing: it is darkest
            # exactly where wrong blame causes most collapses
            ax.text(j, i, f"{matrix[i, j]:,}", ha="center", va="center", fontsize=9,
                    color=WRONG if wrong else ("white" if dark else "black"),
                    fontweight="bold" if wrong else "normal",
                    bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "alpha": 0.85,
                          "linewidth": 0} if wrong and dark else None)
    below, beside = matrix_names(data, scenario)
    ax.set_xticks(range(len(blamed)), below, fontsize=below_size(data, scenario))
    ax.set_yticks(range(len(authors)), beside, fontsize=MATRIX_SIZE)
    ax.set_xlabel("blamed by the withdrawing party")
    ax.set_ylabel("true author of the act")
    ax.set_title("Who acted, who was blamed", fontsize=10, loc="left")
    ax.grid(False)
    for side in ("top", "right"):
        ax.spines[side].set_visible(True)
    return matrix


def delineation_labels(scenario: Scenario) -> list[str]:
    """The delineation panel's two bars' names, every party's name in full."""
    parties = scenario.spec.parties
    pairs = [(s, h) for s in scenario.spoilers if (h := scenario.parties[s].host)]
    if len(pairs) == 1:
        (s, h), = pairs
        strike = f"strike on {party_label(parties, s)} landed on {party_label(parties, h)}"
    else:  # several spoilers would make a label taller than the panel
        strike = "strike on a spoiler landed on its host"
    return [fit_lines(text, MATRIX_SIZE, DELINEATION_POINTS)
            for text in ("act blamed on the wrong party", strike)]


DELINEATION_POINTS = 85.0
"""Widest line of a delineation bar's name, points."""


def delineation_height(scenario: Scenario) -> float:
    """Inches of axes the delineation panel needs for its bars' names: the second, centred
    on its bar, must keep above the axis (0.6 of a bar's spacing below it) and clear the
    first (a spacing above it), the axes being 2.2 spacings tall."""
    first, second = (label.count("\n") + 1 for label in delineation_labels(scenario))
    line = LINE * MATRIX_SIZE
    spacing = max(second * line / 2 / 0.6 + 2.0, (first + second) * line / 2 + 6.0)
    return 2.2 * spacing / 72.0


def plot_delineation(ax: Axes, data: dict[str, Any], scenario: Scenario) -> dict[str, Any]:
    """Shares of collapses with a misattributed trigger or a strike landing on a host."""
    n = data["collapsed"]
    labels = delineation_labels(scenario)
    counts = [data["misattributed"], data["delineation_hit"]]
    bars = []
    for y, k in enumerate(counts):
        est, low, high = wilson(k, n)
        bars.append({"count": k, "estimate": est, "low": low, "high": high})
        ax.barh(y, est, color=GREY, height=0.55)
        ax.errorbar(est, y, xerr=[[est - low], [high - est]], color="black", capsize=4)
        ax.annotate(f"{pct(est, 1)} ({k:,})", xy=(high, y), xytext=(4, 0),
                    textcoords="offset points", ha="left", va="center", fontsize=9)
    top = max(b["high"] for b in bars)
    ax.set_xlim(0, min(1.0, top * 1.6) if top > 0 else 0.05)
    ax.set_ylim(1.6, -0.6)
    ax.set_yticks(range(2), labels, fontsize=MATRIX_SIZE)
    percent_axis(ax, "x")
    # four or five ticks, a step of 1, 2, 2.5 or 5 times a power of ten (MaxNLocator's
    # own steps include 8: ticks at 0.8%, 1.6%, 2.4%)
    ax.xaxis.set_major_locator(MaxNLocator(4, steps=[1, 2, 2.5, 5, 10]))
    ax.set_xlabel("share of collapses\n(95% interval)")
    ax.set_title("The delineation problem", fontsize=10, loc="left")
    ax.grid(axis="y", visible=False)
    return {"labels": labels, "bars": bars}


def causes_figure(scenario: Scenario, results: Results, summary: dict[str, Any]) -> Drawn:
    """The collapse-causes figure of a run."""
    data = collapse_tables(results)
    colours = party_colours(scenario.order)
    with styled():
        # each panel as tall as its names need, and the legend a fifth of an inch a line
        authors = _matrix_parties(data, scenario)[0]
        panels = panels_height(data, scenario)
        _, legend = legend_shape([party_name(scenario.spec.parties, a) for a in authors])
        fig = new_figure(FIG_WIDTH, panels + legend + 1.0)
        grid = fig.add_gridspec(2, 3, width_ratios=[1.3, 1.0, 1.1], height_ratios=[panels, legend])
        a, b, c = (fig.add_subplot(grid[0, k]) for k in range(3))
        key = fig.add_subplot(grid[1, :])
        agreed = int(results.columns["agreed"].sum())
        if data["collapsed"] == 0:
            # once, in the middle panel: three panels saying so read as three findings
            for ax in (a, c):
                ax.axis("off")
            no_data(b, "no replication reached agreement" if agreed == 0
                    else "no ceasefire collapsed")
            key.axis("off")
        else:
            plot_withdrawals(a, data, scenario, colours)
            data["attribution"] = plot_attribution(b, data, scenario)
            data["delineation"] = plot_delineation(c, data, scenario)
            author_legend(key, data, scenario, colours)
        fig.suptitle(f"Why ceasefires collapsed ({data['collapsed']:,} of {agreed:,} agreed)")
        data["caption"] = run_caption(fig, scenario, results, summary)
    return Drawn(fig, "collapse_causes", data)
