"""Several comparisons against one scenario, side by side: which change moves the odds
most, each with its paired interval.

``plot DIR`` draws it from a folder of ``compare --out`` directories that share side B
and the seed (a loop of ``compare FILE --set ...``, one change at a time, gives them).
One panel per probability, one row per comparison: the paired difference A - B with its
95% interval, as in :mod:`plots.compare`. All rows of a panel are differences from the
same replications of B, so they can be read against each other; each change is read at
its own dose, which the figure cannot make equal.
"""

from __future__ import annotations

import math
from typing import Any

from plots.compare import DOT, forest_rows, legend_handles, plot_forest
from plots.names import param_name
from plots.style import HOLD_COLOUR, Drawn, caption, new_figure, styled, wrap
from sim.errors import ScenarioError
from sim.report import interval_decimals, points

LABEL_WIDTH = 34
"""Characters of a comparison's name on a line, beside its row."""


def shared_sets(results: list[dict[str, Any]]) -> list[str]:
    """The ``--set`` values every comparison gives both its sides (B's, in B's order):
    a loop of comparisons made under one judgement (``--set`` of a sensitivity on every
    ``compare``) gives each A and B that value, which is no part of any change."""
    if not results:
        return []
    b_sets = (results[0].get("b") or {}).get("sets") or []
    a_sets = [(r.get("a") or {}).get("sets") or [] for r in results]
    b_all = [(r.get("b") or {}).get("sets") or [] for r in results]
    return [s for s in b_sets if all(s in a for a in a_sets) and all(s in b for b in b_all)]


def change_parts(results: list[dict[str, Any]]) -> list[list[str]]:
    """What each comparison changed, part by part: side A's scenario where it is not
    B's (A a file of its own), then its ``--set`` values but those every side shares
    (:func:`shared_sets`). Results saved without their sets fall back to A's name less
    the words it shares with B's scenario (``kerry_lavrov_sep_2016 with
    ceasefire.imposed.verification=1.0`` is ``ceasefire.imposed.verification=1.0``)."""
    shared = shared_sets(results)
    out = []
    for r in results:
        a, b = r.get("a") or {}, r.get("b") or {}
        if a.get("sets") is None or not a.get("scenario"):
            name = str(r.get("a_name", "A"))
            prefix = f"{b.get('scenario')} with "
            out.append((name[len(prefix):] if b.get("scenario") and name.startswith(prefix)
                        else name).split("; "))
            continue
        own = [s for s in a["sets"] if s not in shared]
        base = [] if a["scenario"] == b.get("scenario") else [str(a["scenario"])]
        out.append(base + own or [str(a["scenario"])])
    return out


def _part_label(part: str) -> str:
    """A ``KEY=VALUE`` as the figures name a key (:func:`plots.names.param_name`:
    ``attack rate (jfs) = 1.5``, where the key broke across lines in the middle of its
    value); anything else (a file's name) as it is."""
    key, eq, value = part.partition("=")
    if not eq:
        return part
    try:
        return f"{param_name(key.strip())} = {value.strip()}"
    except ScenarioError:  # not a key
        return part


def row_label(parts: list[str], runs: int | None) -> str:
    """A row's name: each part of the change (:func:`change_parts`) on a line of its
    own, and the comparison's runs where the rows' differ."""
    text = "\n".join(wrap(_part_label(part), LABEL_WIDTH) for part in parts)
    return text + (f"\n({runs:,} runs)" if runs is not None else "")


def comparisons_figure(results: list[dict[str, Any]]) -> Drawn:
    """One forest per probability, one row per comparison (``results``: each a
    ``compare --json`` object, all against the same B on the same seed)."""
    runs = [int(r["runs"]) for r in results]
    parts = change_parts(results)
    changes = ["; ".join(p) for p in parts]
    names = [row_label(p, k if len(set(runs)) > 1 else None)
             for p, k in zip(parts, runs, strict=True)]
    table = [forest_rows(r) for r in results]  # per comparison, per quantity
    quantities = [row["name"] for row in table[0]]
    with styled():
        lines = sum(n.count("\n") + 1 for n in names)
        fig = new_figure(4.4 + 2.4 * len(quantities), 2.2 + 0.42 * max(lines, 2 * len(names)))
        axes = fig.subplots(1, len(quantities), sharey=True, squeeze=False)[0]
        shown: dict[str, list[str]] = {}
        for j, (ax, quantity) in enumerate(zip(axes, quantities, strict=True)):
            rows = [{**comparison[j], "name": name} for comparison, name in zip(table, names,
                                                                               strict=True)]
            plot_forest(ax, rows)
            ax.set_title(quantity, fontsize=10)
            ax.set_xlabel("A − B (pp)")
            if j:
                ax.tick_params(labelleft=False)
            shown[quantity] = [_value(ax, y, r) for y, r in enumerate(rows)]
        b_name = str(results[0].get("b_name", "B"))
        shared = shared_sets(results)
        if shared:  # named once, above the rows (B's name held them already)
            b_name = str((results[0].get("b") or {}).get("scenario") or b_name)
            b_name += "; both sides of every row with " + ", ".join(map(_part_label, shared))
        fig.suptitle(f"What each change does: A − B, paired on the same seeds\n"
                     f"{wrap('B = ' + b_name, 90)}")
        fig.legend(handles=legend_handles(), loc="outside right upper", fontsize=8, frameon=False)
        stopped = [n for n, r in zip(changes, results, strict=True) if r.get("partial")]
        text = caption(
            fig, str((results[0].get("b") or {}).get("scenario") or b_name),
            runs[0] if len(set(runs)) == 1 else None, results[0].get("seed"),
            ("" if len(set(runs)) == 1 else f"{min(runs):,}-{max(runs):,} runs per side; ")
            + "each change at its own dose", partial=(
                f"interrupted, {', '.join(stopped)} paired only the runs both sides finished"
                if stopped else ""), each="side")
    return Drawn(fig, "comparisons", {"names": names, "quantities": quantities,
                                      "values": shown, "caption": text})


def _value(ax: Any, y: int, row: dict[str, Any]) -> str:
    """The difference written above its dot, to the decimals its interval needs (as the
    comparison's text prints it); returns the text."""
    est = row["estimate"]
    text = "n/a" if math.isnan(est) else points(est, interval_decimals(row))
    x = 0.0 if math.isnan(est) else 100 * est
    # on a pale backing above the zero line, which ran through a difference near zero
    ax.annotate(text, xy=(x, y), xytext=(0, DOT), textcoords="offset points", ha="center",
                va="bottom", fontsize=7.5, color=HOLD_COLOUR, zorder=5,
                bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none",
                      "alpha": 0.85})
    return text
