"""Figures drawn from saved results only (matplotlib, rendered off-screen by Agg).

``draw(kind, directory, fmt, **data)`` is the one entry point the command line uses; it
writes the figures of one kind into ``directory`` and returns their paths:

- ``"run"``: ``scenario``, ``results``, ``summary`` -> survival, outcomes,
  collapse_causes, agreement;
- ``"sweep"``: ``points`` (``sim.experiments.SweepPoint``), ``params``, ``planned``
  (the grid's size) and ``runs`` (asked of each point), both optional -> sweep, and
  for two parameters sweep_differences (the paired differences as heat maps);
- ``"compare"``: ``result`` (the ``compare --json`` object) -> compare;
- ``"compare_sweep"``: ``points`` (``sim.compare_sweep.PairPoint``), ``params``,
  ``names`` (the two sides'), ``planned`` and ``runs``, both optional -> compare_sweep;
- ``"comparisons"``: ``results`` (``compare --json`` objects against one side B, on
  one seed; drawn by ``plot`` only) -> comparisons;
- ``"trace"``: ``scenario``, ``outcome`` (traced), ``seed`` -> trace_<seed>_<replication>;
- ``"traces"``: ``traces`` (each the data of ``"trace"``; drawn by ``plot`` from a
  folder of saved traces) -> one figure each;
- ``"backtest"``: ``table`` -> the calibration figure of :mod:`plots.calibration`.

Each figure family lives in its own module with a ``*_figure`` function that returns a
:class:`plots.style.Drawn` (the figure and the numbers it shows) without writing it.
The simulator never imports this package.
"""

from __future__ import annotations

import re
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from plots.style import Drawn, save


def _run(scenario: Any, results: Any, summary: dict[str, Any]) -> list[Drawn]:
    from plots.agreement import agreement_figure
    from plots.causes import causes_figure
    from plots.outcomes import outcomes_figure
    from plots.survival import survival_figure

    return [f(scenario, results, summary or {})
            for f in (survival_figure, outcomes_figure, causes_figure, agreement_figure)]


def _sweep(points: list[Any], params: list[str], planned: int | None = None,
           runs: int | None = None) -> list[Drawn]:
    from plots.sweep import sweep_figure
    from plots.sweep_diff import differences_figure

    drawn = [sweep_figure(points, params, planned, runs)]
    if len(params) == 2 and points:  # its heat maps show estimates: the differences apart
        drawn.append(differences_figure(points, params, planned, runs))
    return drawn


def _compare(result: dict[str, Any]) -> list[Drawn]:
    from plots.compare import compare_figure

    return [compare_figure(result)]


def _compare_sweep(points: list[Any], params: list[str], names: tuple[str, str],
                   planned: int | None = None, runs: int | None = None) -> list[Drawn]:
    from plots.compare_sweep import compare_sweep_figure

    return [compare_sweep_figure(points, params, names, planned, runs)]


def _comparisons(results: list[dict[str, Any]]) -> list[Drawn]:
    from plots.comparisons import comparisons_figure

    return [comparisons_figure(results)]


def _trace(scenario: Any, outcome: Any, seed: int) -> list[Drawn]:
    from plots.trace import trace_figure

    return [trace_figure(scenario, outcome, seed)]


def _traces(traces: list[dict[str, Any]]) -> list[Drawn]:
    return [drawn for trace in traces for drawn in _trace(**trace)]


BUILDERS: dict[str, Callable[..., list[Drawn]]] = {
    "run": _run,
    "sweep": _sweep,
    "compare": _compare,
    "compare_sweep": _compare_sweep,
    "comparisons": _comparisons,
    "trace": _trace,
    "traces": _traces,
}


def figures(kind: str, **data: Any) -> list[Drawn]:
    """Build (without saving) the figures of ``kind``; see :func:`draw` for the data."""
    if kind not in BUILDERS:
        raise ValueError(f"unknown figure kind {kind!r}; expected one of "
                         f"{', '.join([*BUILDERS, 'backtest'])}")
    return BUILDERS[kind](**data)


def draw(kind: str, directory: Path, fmt: str = "png", **data: Any) -> list[Path]:
    """Write the figures of ``kind`` into ``directory`` and return their paths.

    Args:
        kind: ``run``, ``sweep``, ``compare``, ``compare_sweep``, ``comparisons``,
            ``trace`` or ``backtest``.
        directory: where the files go (created if missing).
        fmt: ``png`` or ``svg``.
        **data: what the kind needs (see the module docstring).
    """
    directory = Path(directory)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if kind == "backtest":
            try:
                from plots.calibration import draw_calibration
            except ModuleNotFoundError as exc:
                if exc.name != "plots.calibration":
                    raise
                return []
            paths = [draw_calibration(data["table"], directory, fmt)]
        else:
            paths = [save(d, directory, fmt) for d in figures(kind, **data)]
    _report(caught)
    return paths


def missing_glyphs(messages: list[str]) -> list[str]:
    """The characters matplotlib's font could not draw, from its warnings
    (``Glyph 128330 (\\N{DOVE OF PEACE}) missing from font(s) DejaVu Sans.``)."""
    codes = {int(m.group(1)) for text in messages
             if (m := re.match(r"Glyph (\d+) .*missing from", text))}
    return [chr(c) for c in sorted(codes)]


def _report(caught: list[warnings.WarningMessage]) -> None:
    """One line for the characters of names the font lacks (matplotlib warns once per
    figure and character, with a path into its own code); other warnings as they were."""
    glyphs = missing_glyphs([str(w.message) for w in caught])
    if glyphs:
        print(f"note: the figures' font has no glyph for {' '.join(glyphs)} (in a name or "
              "label); drawn as boxes", file=sys.stderr)
    for w in caught:
        if not missing_glyphs([str(w.message)]):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)


__all__ = ["Drawn", "draw", "figures"]
