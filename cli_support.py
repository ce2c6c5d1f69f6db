"""What every command of the command line shares: its exit statuses, the runner it runs
on and how it draws its figures.

Imported before the arguments are read, so it imports nothing that needs the
simulator's packages (``--help`` works without them): those come with the call.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

__all__ = ["EXIT_BAD_INPUT", "EXIT_FAILED", "EXIT_INTERRUPTED", "draw",
           "make_runner", "note_idle_parties"]

EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130
EXIT_FAILED = 1


def make_runner(args: argparse.Namespace, long_run: bool) -> Any:
    """A Runner on a local pool, or on a dask cluster with --dask."""
    from sim.cluster import make_runner as runner

    return runner(args.workers, getattr(args, "dask", None),
                  progress=long_run and not args.no_progress)


def draw(kind: str, directory: Path, fmt: str, command: str | None = None, **data: Any) -> list[Path]:
    """Draw figures for ``command`` (matplotlib is imported only by the commands that draw)."""
    from sim.rundir import drawing

    with drawing(kind, directory, fmt, command, data.get("summary"),  # a stop says what to do
                 swept=len(data.get("params") or ())):
        import plots

        return plots.draw(kind, directory, fmt=fmt, **data)


def note_idle_parties(*scenarios: Any, where: str = "") -> None:
    """Say on stderr what parties or keys of these scenarios change nothing (sim.reads:
    idle parties, later terms that cannot act), each note once: an effect of +0.0 from
    one of them would otherwise read as a finding; and of a
    scenario that takes its name from its parent (sim.origin), whose results would read
    as the parent's. ``where`` (a file) heads each note, for ``validate`` of several
    files: a note printed beside another file's line read as that file's."""
    from sim.origin import borrowed_name_note
    from sim.reads import idle_parties_notes

    seen: list[str] = []
    for scenario in scenarios:
        notes = [borrowed_name_note(scenario), *idle_parties_notes(scenario)]
        seen.extend(n for n in notes if n and n not in seen)
    for note in seen:
        print(note.replace("note: ", f"note: {where}: ", 1) if where else note, file=sys.stderr)
