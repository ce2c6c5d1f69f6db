"""What a resumed command takes from the work saved in its ``--out DIR`` when it is not
given again: the run count, or the precision and its bounds; and what it is told when
nothing was saved there.

A manifest may have been edited, so each value read from one is checked first.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from sim.argtypes import MAX_RUNS, MIN_PRECISION
from sim.errors import ScenarioError


def resume_options(args: argparse.Namespace, saved: dict[str, Any] | None,
                   what: str = "run") -> str:
    """Options a resumed run takes from the run it finishes (``saved``, its manifest)
    when they are not given again: its ``--runs``, or its ``--precision`` with those of
    its bounds not given. Finishing a 6,000-run job at the default 4,000, or an
    adaptive one as a fixed run, would look finished and not be; a bound alone
    (``--max-runs``) changes where an adaptive one may stop. A new ``--precision`` for
    an adaptive run keeps its saved bounds, as the seed and scenario are kept: a target
    changed on resume left a saved ``--max-runs 20000`` at the default 200,000.
    Returns what to tell the user: the options taken, or that nothing was saved to
    resume (``saved`` is None: a mistyped ``--out``, say)."""
    if saved is None:
        return nothing_to_resume(args.out, "run", args.runs is None and args.precision is None,
                                 getattr(args, "seed", None))
    if args.runs is not None or not saved:
        return ""  # (none saved: the run is refused later)
    taken: list[str] = []
    given = [flag for flag, value in (("--precision", args.precision), ("--min-runs", args.min_runs),
                                      ("--max-runs", args.max_runs)) if value is not None]
    if (precision := saved_precision(saved.get("precision"))) is not None:
        if args.precision is None:
            args.precision = precision
            taken.append(f"--precision {precision:g}")
        taken += _saved_bounds(args, saved, given)
        if taken and given:
            taken.append(f"(and the {' and '.join(given)} given)")
    elif given:  # a fixed run made adaptive (its bounds the defaults), or a bound for a
        return ""  # fixed run, refused by complete_run_options
    elif (runs := saved_count(saved.get("runs_requested"))) is not None:
        args.runs = runs
        taken.append(f"--runs {runs}")
    else:  # an edited manifest: finishing at the default would look finished and not be
        raise ScenarioError("--runs", "", None, f"give --runs (or --precision): the {what} "
                            f"saved in {args.out} does not say how far it was to go (its "
                            "manifest.json has no valid runs_requested or precision)")
    if not taken:
        return ""
    return f"resuming with the saved {what}'s {' '.join(taken)}"


def nothing_to_resume(out: Path, what: str, blind: bool, seed: int | None,
                      precision: bool = True) -> str:
    """What to tell a resume that finds nothing saved in ``out`` (a ``--out`` mistyped,
    or a command killed before its first save): it starts afresh, on ``seed`` (said: a
    resume takes the saved seed, and here none was saved). Refused when ``blind``,
    given no ``--runs`` (nor ``--precision``, where ``precision``): there is nothing to
    take them from, and the defaults ran 4,000 runs on seed 2016 in place of the 20,000
    on seed 5 that were killed.

    Raises:
        ScenarioError: ``blind``.
    """
    if out.exists() and not out.is_dir():  # (said first: giving --runs would meet it next)
        raise ScenarioError("--out", "", str(out), "a directory, but it is a file (left as it is)")
    if blind:
        where = (f"{out} does not exist" if not out.exists() else
                 f"nothing is saved in {out} (a {what} stopped before its first save holds "
                 "nothing)")
        raise ScenarioError("--resume", "", None, f"a directory holding a {what} to resume, but "
                            f"{where}: to start it afresh there, give its --runs"
                            f"{' (or --precision)' if precision else ''} and --seed, or leave "
                            "out --resume")
    on = "" if seed is None else f", on seed {seed}"
    return f"nothing saved in {out} to resume: the {what} starts afresh{on}"


def _saved_bounds(args: argparse.Namespace, saved: dict[str, Any], given: list[str]) -> list[str]:
    """Set the bounds of an adaptive run that ``saved`` gives and ``args`` does not, and
    return them as options. A saved bound that would cross one given (a saved
    ``--min-runs 5000`` with ``--max-runs 2000`` given) is left to its default."""
    taken = []
    for flag, key in (("--min-runs", "min_runs"), ("--max-runs", "max_runs")):
        value = saved_count(saved.get(key))
        if flag in given or value is None:
            continue
        low, high = (value, args.max_runs) if key == "min_runs" else (args.min_runs, value)
        if low is not None and high is not None and low > high:
            continue
        setattr(args, key, value)
        taken.append(f"{flag} {value}")
    return taken


def saved_count(value: Any) -> int | None:
    """A run count read from a manifest, if it is one (the file may have been edited)."""
    ok = isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_RUNS
    return value if ok else None


def saved_precision(value: Any) -> float | None:
    """A ``--precision`` read from a manifest, if it is one (the file may have been
    edited)."""
    return value if isinstance(value, float) and MIN_PRECISION <= value < 0.5 else None
