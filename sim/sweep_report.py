"""A sweep as plain text: its points' estimates, then each point's paired difference
from the reference point, one row per point.

A sweep of a fixed size runs every point to the same count. An adaptive one (``sweep
--precision EPS``) runs each point until its own estimates are precise enough, so the
points' counts differ: the tables then give each point's runs, and the pairs behind
each difference (the replications both the point and the reference hold).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sim.output import finish_with
from sim.report import aligned, column_widths, paired_text, pct, short_keys, value_cells, why_partial
from sim.scenario import labelled

__all__ = ["caption_counts", "runs_cell", "runs_span", "short_line", "sweep_stopped", "sweep_text"]


def sweep_text(rows: Sequence[dict[str, Any]], params: Sequence[str], labels: Sequence[str],
               planned: int | None = None, runs: int | None = None) -> str:
    """A sweep as two tables, one row per point: the estimates, then each point's paired
    difference from the reference (the first row), in the same columns. ``planned`` (the
    grid's points) and ``runs`` (each point's replications) describe the sweep asked
    for, which an interrupted one's rows fall short of. An adaptive sweep (its points'
    summaries hold ``precision``) has a column of runs in each table instead.

    Each parameter's column is headed by the shortest dotted suffix of its key that tells
    it from the others; the full keys are listed above the tables when they differ. A
    point without one of the ``labels`` (a sweep of the milestones) shows ``n/a`` there.

    Args:
        rows: ``{"params": point.params, "summary": point.summary}`` for each
            :class:`sim.experiments.SweepPoint` of :func:`sim.experiments.sweep` (the
            point's summary holds its ``diff_from_reference``).
        params: the swept keys, in the grid's order.
        labels: the milestone labels (:func:`sim.sweep_files.sweep_labels`).
    """
    if not rows:
        return "The sweep has no points."
    names = short_keys(params)
    first = rows[0]["summary"]
    planned = max(planned or 0, len(rows))
    points = (f"{len(rows)} of " if len(rows) < planned else "") + f"{planned} point" + (
        "s" if planned > 1 else "")
    target = first.get("precision")
    if target is not None:
        each = f"each run until its precision is {target['target']:g}"
    else:
        runs = first["runs"] if runs is None else runs
        each = f"{runs} replication" + ("s" if runs != 1 else "") + " each"
    scenario = labelled(first["scenario"], first.get("sets"))
    lines = [f"Sweep of {scenario}: {points}, {each} on the same seeds (seed {first['seed']})"]
    lines += [f"  {name}: {key}" for name, key in zip(names, params, strict=True) if name != key]
    partial = [r for r in rows if r["summary"].get("partial")]
    if partial:
        lines.append(f"  (PARTIAL: {why_partial(partial[-1]['summary'])}; the last point has "
                     f"{partial[-1]['summary']['runs']} runs, and its differences pair only those)")
    heads = ["P(agreement)", *(f"P(hold {lab})" for lab in labels)]
    columns = [value_cells([r["params"][p] for r in rows]) for p in params]
    values = [list(cells) for cells in zip(*columns, strict=True)] if columns else [[] for _ in rows]
    estimates = [[pct(r["summary"]["p_agreement"]).strip(),
                  *(pct(r["summary"]["p_hold"].get(lab)).strip() for lab in labels)] for r in rows]
    diffs = [_diff_cells(r["summary"].get("diff_from_reference"), labels) for r in rows]
    diff_heads = heads
    if target is not None:  # each point's own count, and the pairs of each difference
        heads, diff_heads = ["runs", *heads], ["pairs", *heads]
        estimates = [[runs_cell(r["summary"]), *e] for r, e in zip(rows, estimates, strict=True)]
        diffs = [[str((r["summary"].get("diff_from_reference") or {}).get("runs", "")), *d]
                 for r, d in zip(rows, diffs, strict=True)]
    widths = column_widths(names, values) + [max(a, b) for a, b in zip(
        column_widths(heads, estimates), column_widths(diff_heads, diffs), strict=True)]

    def line(cells: Sequence[str]) -> str:
        return aligned(cells, widths)

    lines += ["", line([*names, *heads]), *(line([*v, *e]) for v, e in zip(values, estimates,
                                                                           strict=True))]
    lines += ["", "Paired difference from the first row, percentage points [95% interval]",
              line([*names, *diff_heads]), *(line([*v, *d]) for v, d in zip(values, diffs,
                                                                             strict=True))]
    if target is not None and (short := short_line([r["summary"] for r in rows])):
        lines += ["", short]
    return "\n".join(lines)


def short_line(records: Sequence[dict[str, Any]]) -> str:
    """The line under an adaptive sweep's table naming the points (counted from 1) that
    ``--max-runs`` stopped short of their precision ("" if none): ``records`` are their
    summaries, or a comparison sweep's results, as :func:`runs_cell` reads them."""
    short = [str(k + 1) for k, r in enumerate(records) if cut_short(r)]
    if not short:
        return ""
    return (f"precision {records[0]['precision']['target']:g}: NOT reached at point"
            f"{'s' if len(short) > 1 else ''} {', '.join(short)} (hit --max-runs; marked *)")


def cut_short(record: dict[str, Any]) -> bool:
    """Whether an adaptive point (its summary, or a comparison sweep's result at the
    point: each holds ``runs``, ``partial`` and ``precision``) stopped at --max-runs
    short of its precision; one stopped part way had not reached its end."""
    return record["precision"]["met"] is False and not record.get("partial")


def runs_cell(record: dict[str, Any]) -> str:
    """An adaptive point's runs, starred where it was cut short (:func:`cut_short`)."""
    return f"{record['runs']}" + ("*" if cut_short(record) else "")


def runs_span(summaries: Sequence[dict[str, Any]], of: str = " per point") -> str:
    """What an adaptive sweep's points ran, for a caption: ``precision 0.01 per point
    (2,000 to 8,000 runs)``, or ``(8,000 runs each)`` when all stopped alike, and at
    how many points ``--max-runs`` stopped it short. ``of`` says what was targeted (a
    comparison sweep's: " on each point's differences")."""
    counts = [int(s["runs"]) for s in summaries]
    eps = summaries[0]["precision"]["target"]
    low, high = min(counts), max(counts)
    ran = f"{low:,} runs each" if low == high else f"{low:,} to {high:,} runs"
    short = sum(1 for s in summaries if cut_short(s))
    missed = f"; NOT reached at {short} point{'s' if short > 1 else ''} (hit --max-runs)"
    return f"precision {eps:g}{of} ({ran})" + (missed if short else "")


def caption_counts(summaries: Sequence[dict[str, Any]], runs: int | None, note: str,
                   of: str = " per point") -> tuple[int | None, str]:
    """The runs a sweep figure's caption gives per point (``runs``, asked of each, or the
    first point's), and its ``note``; for an adaptive sweep, no one count, and the
    precision with the points' counts (:func:`runs_span`, ``of``) leading the note."""
    if "precision" in summaries[0]:
        return None, f"{runs_span(summaries, of)}; {note}"
    return runs or summaries[0].get("runs"), note


def sweep_stopped(points: Sequence[Any], planned: int, out: Path | None) -> str:
    """The line that says where an interrupted sweep stopped and what it kept."""
    at = "during" if not points or points[-1].interrupted else "after"
    where = (f"; finished points kept in {out}: finish with {finish_with('sweep', out)}"
             if out is not None else "")
    if not points:
        where = "; no replication had finished"
    return f"interrupted {at} point {max(len(points), 1)} of {planned}{where}"


def _diff_cells(diff: dict[str, Any] | None, labels: Sequence[str]) -> list[str]:
    """Table cells of a point's ``diff_from_reference``: ``reference`` on the first row."""
    if diff is None:
        return ["n/a"] * (1 + len(labels))
    cells = [diff["p_agreement"], *(diff["p_hold"].get(lab) for lab in labels)]
    if cells[0] is not None and all(c["low"] is None for c in cells if c is not None):
        return ["reference", *([""] * len(labels))]
    return [paired_text(c) for c in cells]
