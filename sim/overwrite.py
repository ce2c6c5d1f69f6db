"""What a command must not write over in its ``--out DIR``: the scenario files it reads.

A run directory keeps a copy of its scenario, ``scenario.toml``, and a command wrote it
over a user's file of that name when ``--out`` was that file's folder: comments,
citations and ``extends`` gone. Each command's copies go to known folders
(:data:`COPIES`); a scenario file it reads that is the file a copy would replace is
refused before anything runs.
"""

from __future__ import annotations

import argparse
import os
import tomllib
from pathlib import Path
from typing import Any

from sim.arguments import KINDS
from sim.errors import ScenarioError
from sim.origin import chain
from sim.rundir import CASES, PAIRS, POINTS, SIDES
from sim.toml_out import toml_dumps

__all__ = ["COPIES", "input_files", "refuse_writing_over"]

COPIES = {"run": ((),), "sweep": ((POINTS, "#"),), "compare": tuple((side,) for side in SIDES),
          "compare_sweep": tuple((PAIRS, "#", side) for side in SIDES),
          "backtest": ((CASES, "*"),)}
"""Where each command writes the copy of a scenario it keeps (``scenario.toml``), as
folders inside ``--out DIR``: ``#`` is a point's number, ``*`` any name."""


def refuse_writing_over(out: Path | None, command: str, inputs: list[Path]) -> None:
    """Refuse an ``--out DIR`` where ``command`` would write its copy of a scenario
    (``scenario.toml``) over a scenario file it reads: the copy replaced the user's
    file, its comments, citations and ``extends`` gone. A copy a run wrote itself (as
    it wrote it, beside its ``manifest.json``) may be run again. Every file of each input's
    ``extends`` chain counts; a name that differs only in case counts where the file
    system makes it the same file.

    Raises:
        ScenarioError: naming ``--out`` and the file it would overwrite.
    """
    if out is None or command not in COPIES:
        return
    root = out.resolve()
    for given in inputs:
        for path, doc in chain(given):
            where = path.resolve()
            if not where.is_relative_to(root) or _own_copy(where, doc):
                continue
            folders = where.parent.relative_to(root).parts
            copy = where.parent / "scenario.toml"
            if any(_fits(folders, pattern) for pattern in COPIES[command]) and copy.exists() \
                    and os.path.samefile(copy, where):
                raise ScenarioError("--out", "", str(out), f"a directory where the {KINDS[command]} "
                                    f"does not write its copy of the scenario over the file "
                                    f"{path} it reads (move or rename the file, or use "
                                    "another directory)")
    for pattern in COPIES[command]:  # a file of the user's where a copy goes, not read
        if any(p in ("#", "*") for p in pattern):
            continue  # (inside a result's own folders: refused as earlier results)
        copy = root.joinpath(*pattern, "scenario.toml")
        # beside a run's own files it is that run's copy, edited or saved by another
        # version: what --resume, or the refusal of earlier results, says of the run
        ran = any((copy.parent / name).exists() for name in ("manifest.json", "runs.csv"))
        if copy.is_file() and not ran and not _written_copy(copy):
            raise ScenarioError("--out", "", str(out), f"a directory where the {KINDS[command]} "
                                f"does not write its copy of the scenario over {copy}, "
                                "a file it did not write (move or rename the file, or use "
                                "another directory)")


def _written_copy(path: Path) -> bool:
    """Whether ``path`` reads as a run writes its copy of a scenario (no comments, no
    ``extends``, its own layout): a file of the user's there is kept."""
    try:
        text = path.read_text(encoding="utf-8")
        doc = tomllib.loads(text)
        return "extends" not in doc and text == toml_dumps(doc)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, TypeError, ValueError,
            RecursionError):
        return False


def _own_copy(path: Path, doc: dict[str, Any]) -> bool:
    """Whether ``path`` (read as ``doc``) is a copy a run wrote, unchanged: beside its
    manifest, with no ``extends``, and written as a run writes it (a comment added to
    it, or a file of one's own put in a run's directory, is the user's, and kept)."""
    if not (path.parent / "manifest.json").exists() or "extends" in doc:
        return False
    try:
        return path.read_text(encoding="utf-8") == toml_dumps(doc)
    except (OSError, UnicodeDecodeError, TypeError):
        return False


def input_files(args: argparse.Namespace) -> list[Path]:
    """The scenario files a command reads (a backtest's: every ``.toml`` of its
    directory), for the check that ``--out`` writes over none of them."""
    files = [getattr(args, "scenario", None), *(getattr(args, "scenarios", None) or [])]
    if args.command == "backtest" and args.directory.is_dir():
        files += sorted(args.directory.glob("*.toml"))
    return [f for f in files if f is not None]


def _fits(folders: tuple[str, ...], pattern: tuple[str, ...]) -> bool:
    """Whether ``folders`` (inside --out) are where :data:`COPIES` says a copy goes."""
    return len(folders) == len(pattern) and all(
        p == "*" or (p == "#" and f.isascii() and f.isdigit()) or p == f
        for f, p in zip(folders, pattern, strict=True))
