"""Output directories of the command line: made (or refused) before any computation,
written without losing what is printed, and checked before a run is resumed.

A long run must not fail at the end because its ``--out DIR`` cannot be written, nor
silently replace an earlier run kept there; and ``--resume`` must only finish a run of
the same scenario and seed without dropping replications already saved.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sim import __version__
from sim.arguments import KINDS
from sim.document import split_key
from sim.errors import ScenarioError, show
from sim.origin import defining_file, first_difference
from sim.outlock import lock_out
from sim.output import (
    PARTS,
    Resumed,
    finish_with,
    part_of,
    read_run,
    resume_advice,
    shell_path,
    whole_of,
)
from sim.progress import warn
from sim.records import Results
from sim.scenario import Scenario
from sim.signals import StopExplained, shielded

CASES = "cases"
"""The folder of a backtest's ``--out DIR`` that holds each scenario's replications."""

PAIRS = "pairs"
"""The folder of a comparison sweep's ``--out DIR`` that holds each point's comparison."""

POINTS = "points"
"""The folder of a sweep's ``--out DIR`` that holds each point's replications."""

RESULTS = {"run": ("runs.csv", "manifest.json"), "sweep": ("sweep.csv", POINTS),
           "compare": ("compare.json", "a/runs.csv", "b/runs.csv"),
           "compare_sweep": ("compare_sweep.csv", PAIRS),
           "backtest": ("backtest.csv", CASES)}
"""What each resumable command leaves in its ``--out DIR``."""


def prepare_out(out: Path | None, holds: tuple[str, ...] = (), advice: str = "",
                command: str | None = None) -> None:
    """Create ``--out DIR`` before any computation, or refuse it: not a directory we can
    write into, written into by another command running now (:mod:`sim.outlock`), or
    already holding one of ``holds`` (an earlier result to keep) or, for a fresh
    ``command`` (run, sweep, compare, backtest), another command's result: mixed in one
    directory, neither could be resumed. The directory is this command's until it
    ends."""
    if out is None:
        return
    _WARNED.clear()  # (a command of its own: its failed saves are said anew)
    if out.is_dir():  # another command writing here: refused before anything is judged
        lock_out(out)
    if command is not None:
        refuse_others(out, command, resuming=False)
    held = next((name for name in holds if (out / name).exists()), None)
    if held is not None:
        raise ScenarioError("--out", "", str(out), f"a directory without earlier results, but it "
                            f"holds {held}: {advice or 'use another directory'}")
    if out.exists() and not out.is_dir():
        raise ScenarioError("--out", "", str(out), "a directory, but it is a file (left as it is)")
    try:
        out.mkdir(parents=True, exist_ok=True)
        # a file made and removed: permissions alone do not tell (a root user, a
        # read-only or kernel file system, a full disk)
        with tempfile.NamedTemporaryFile(dir=out, prefix=".probe-"):
            pass
    except OSError as exc:
        raise ScenarioError("--out", "", str(out), "a directory that can be created and written "
                            f"into ({exc.strerror or exc})") from None
    lock_out(out)  # (one just made: no other command can have held it before)


def open_out(out: Path | None, command: str, resume: bool, holds: tuple[str, ...],
             note: str = "", drop: tuple[str, ...] = ()) -> Resumed | None:
    """Make ``--out DIR`` ready for ``command`` (run, sweep, compare, backtest), as
    :func:`prepare_out` does: a fresh command refuses a directory holding earlier
    results (``holds``) or another command's; a resumed one writes beside its own, and
    tells the user its ``note`` (what it took from the saved work), once the saved work
    is known to be the one to finish and ``out`` to be usable. A resumed one also
    removes at once the files in ``drop``: made from all its parts (a comparison's
    result, a backtest's table and figure), they go stale as the resume adds runs, and
    are written again once it has them all. Returns the record of earlier sessions a
    resumed command's saves keep (None for a fresh one)."""
    finer = "" if command == "backtest" else " or a smaller --precision"  # (backtest has none)
    prepare_out(out, () if resume else holds,
                f"use --resume to finish that {KINDS[command]} (or, with a larger --runs{finer}, "
                "to extend it), or another directory",
                None if resume else command)
    if note:
        print(note, file=sys.stderr)
    if not resume or out is None:
        return None
    with saving(out):
        for name in drop:
            (out / name).unlink(missing_ok=True)
    return Resumed()


def lock_run(run: Path) -> None:
    """Hold a run directory that ``plot`` draws into, and the result it is part of (a
    sweep's point, a comparison's side, a backtest's case: their command holds the
    whole's ``--out DIR``), as :func:`prepare_out` holds a command's.

    Raises:
        ScenarioError: a command is writing there now.
    """
    if not run.is_dir():
        return  # (reading it says what is wrong)
    run = run.resolve()  # (a link to a sweep's point: its sweep is where the link points)
    manifest = saved_manifest(run) or {}
    part = part_of(manifest)
    if part is not None:
        lock_out(whole_of(run, part[1]), "plot")
    lock_out(run, "plot")


def refuse_others(out: Path, command: str, resuming: bool) -> None:
    """Refuse ``out`` for ``command`` (run, sweep, compare, backtest) when it holds another of these
    commands' results: mixed in one directory, neither could be resumed, and a resume
    there would start afresh beside the other's files."""
    for other, names in RESULTS.items():
        held = next((n for n in names if (out / n).exists()), None)
        if other == command or held is None:
            continue
        what, finish = f"a {KINDS[other]}", finish_with(other, out)
        if other == "run":  # a sweep's point, a comparison's side: its whole finishes it
            manifest = saved_manifest(out) or {}
            part = part_of(manifest)
            if part is not None:
                what = f"{part[2]} in {whole_of(out, part[1])}"
                finish = resume_advice(out, manifest)
        if resuming:
            raise ScenarioError("--out", "", str(out), f"the directory of the {KINDS[command]} "
                                f"to resume, but it holds {what} ({held}): resume it "
                                f"with {finish}")
        raise ScenarioError("--out", "", str(out), f"a directory without another command's "
                            f"results, but it holds {what} ({held}): use another "
                            f"directory, or {finish} to finish it")


SIDES = ("a", "b")
"""The run directories of a comparison's two sides inside its ``--out DIR``."""

RUN_FIGURES = ("survival", "outcomes", "collapse_causes", "agreement")
"""The figures ``plot DIR`` draws of a run directory (without their extension)."""


def stale_figures(out: Path, names: tuple[str, ...] = RUN_FIGURES, redraw: str = "",
                  drawn: str | None = None) -> str:
    """What to tell the user when a resume added runs beside figures drawn before it
    (``names``), which show only the runs saved then: "" if there are none. ``drawn`` is
    the format (png, svg) the command has just redrawn them in with ``--plot``: those
    it drew are current, those in the other format are still stale. ``redraw`` says how
    to redraw them (by default, ``plot`` of ``out``), with the ``--format`` each needs."""
    stale = sorted((p for p in out.glob("*.*") if p.stem in names
                    and p.suffix in (".png", ".svg") and p.suffix != f".{drawn}"),
                   key=lambda p: p.name)
    if not stale:
        return ""
    formats = sorted({p.suffix[1:] for p in stale})  # png is the default format
    option = "" if formats[0] == "png" and drawn is None else f" --format {formats[0]}"
    how = redraw + option if redraw else f"'plot {shell_path(out)}{option}'"
    if len(formats) > 1:
        how += f", and again with --format {formats[1]}"
    verb, them = ("show", "them") if len(stale) > 1 else ("shows", "it")
    return (f"note: {', '.join(p.name for p in stale)} in {out} {verb} the runs saved "
            f"before this resume; redraw {them} with {how}")


SINGLE_FIGURE = ("sweep", "compare", "compare_sweep", "trace")
"""The kinds of figure of which a command draws one (but a sweep of two parameters
draws two: its estimates and their paired differences)."""


def redraw_advice(command: str, out: Path, fmt: str) -> str:
    """How to draw again the figures ``command`` was drawing into ``out`` in the format
    ``fmt`` when a stop came: ``plot`` of a run directory, or of a sweep's or a
    comparison's (:mod:`sim.drawable`); the command resumed with ``--plot`` for a
    backtest (which finishes too, if the stop came before its runs did); a trace afresh,
    into another directory (its own holds the trace, which a new one would not
    replace)."""
    option = "" if fmt == "png" else f" --format {fmt}"
    if command in ("run", "plot", "sweep", "compare", "compare_sweep"):
        return f"'plot {shell_path(out)}{option}'"
    if command == "trace":
        return "the same command with another --out"
    return "the same command with --resume and --plot"


@contextmanager
def drawing(kind: str, out: Path, fmt: str, command: str | None = None,
            summary: dict[str, Any] | None = None, swept: int = 1) -> Iterator[None]:
    """Drawing the figures of ``kind`` into ``out`` in the format ``fmt`` for
    ``command`` (by default, the command of that name), the results already saved: a
    stop meanwhile says so, and how to draw them again (it said only 'interrupted').
    A run's ``summary`` says whether it was stopped before all its runs were done, and
    the advice then says how to finish it, as the message the stop cut off would have.
    A sweep of ``swept`` parameters draws two figures when there are two.

    Raises:
        StopExplained: from the stop, once it is explained (so nothing more is said).
    """
    command = command or kind
    try:
        yield
    except KeyboardInterrupt as stop:
        single = kind in SINGLE_FIGURE and command in (kind, "plot") \
            and not (kind == "sweep" and swept == 2)
        what, them = ("figure", "it") if single else ("figures", "them")
        advice = f"draw {them} with {redraw_advice(command, out, fmt)}"
        saved = "the results are saved"
        if command == "run" and summary and summary.get("partial") and "error" not in summary:
            saved = "the finished runs are saved"
            advice = (f"finish the run with {finish_with('run', out)} and --plot, or {advice} "
                      "as they are")
        print(f"interrupted while drawing the {what} in {out} ({saved}): {advice}",
              file=sys.stderr)
        raise StopExplained from stop


RESULTS_UNSAVED = "the results printed above were not saved"
FIGURES_UNSAVED = "the results were saved; the figures were not all drawn"


@contextmanager
def saving_so_far(out: Path) -> Iterator[None]:
    """A checkpoint's save, while the run goes on: stop signals wait until it is done,
    and a save that fails is one warning line, not the end of the run (the next save,
    or the last, may succeed)."""
    try:
        with shielded():
            yield
    except OSError as exc:
        why = exc.strerror or str(exc)
        if (out, why) not in _WARNED:  # once: a directory gone unwritable fails every save
            _WARNED.add((out, why))
            warn(f"warning: could not save the runs so far in {out} ({why}); the run goes "
                 "on (later saves that fail alike are not said again)")


_WARNED: set[tuple[Path, str]] = set()
"""Checkpoint failures already said (the directory and why), in this process."""


def checkpointed(out: Path, save: Callable[..., None]) -> Callable[..., None]:
    """``save`` (of the runs finished so far into ``out``) made a checkpoint's save, as
    :func:`saving_so_far` makes it."""
    def checkpoint(*args: Any) -> None:
        with saving_so_far(out):
            save(*args)
    return checkpoint


@contextmanager
def saving(out: Path, lost: str = RESULTS_UNSAVED, option: str = "--out") -> Iterator[None]:
    """Report a failure to write into ``out`` as one line saying what was ``lost``."""
    try:
        yield
    except OSError as exc:
        raise ScenarioError(option, "", str(out), f"a directory that can hold the results, but "
                            f"writing {exc.filename or 'into it'} failed ({exc.strerror or exc}); "
                            f"{lost}") from None


def resumable(out: Path, scenario: Scenario, scenario_file: str, seed: int,
              limit: tuple[str, int], part: str = "") -> Results | None:
    """The replications saved in ``out`` that a resumed run keeps (None if none yet).

    Args:
        out: the run directory given with ``--resume``.
        scenario: the scenario as resolved now (file, ``--set`` values).
        scenario_file: how the user named it, for messages.
        seed: the root seed given now.
        limit: the option bounding the run and its value (``--runs`` or ``--max-runs``).
        part: ``sweep_point``, ``compare_side``, ``pair_point`` or ``backtest_case``
            when ``out`` is one of a sweep's points, a comparison's sides, a side of a
            comparison sweep's points or a backtest's scenarios (its manifest says
            which it is), "" for a run.

    Raises:
        ScenarioError: another seed or scenario than the saved run's (naming the first
            key that differs), or fewer runs asked for than are already saved.
    """
    refuse_others(out, "run", resuming=True)
    if not (out / "runs.csv").exists():
        return None
    saved, existing, _, manifest = read_run(out, summary_needed=False)
    whole = next((key for key in PARTS if key in manifest), part)  # the outermost
    if whole != part:  # finished alone, it would no longer pair
        command, up, what = PARTS[whole]
        raise ScenarioError("--out", "", str(out), f"the directory of the run to resume, "
                            f"but it holds {what} in {whole_of(out, up)}: resume that with "
                            f"{finish_with(command, whole_of(out, up))}")
    same = "(--resume needs the same scenario, --set values and --seed)"
    if manifest.get("seed") != seed:
        raise ScenarioError("--seed", "", seed, f"the seed of the run saved in "
                            f"{out}, {show(manifest.get('seed'))} {same}")
    if manifest.get("version") != __version__:
        # the model may have changed between versions: the runs added would not be those
        # an uninterrupted run gives, and the estimates would mix two models
        raise ScenarioError("--out", "", str(out), f"a run saved by this version of the "
                            f"simulator ({__version__}), but the runs in it were made by "
                            f"version {show(manifest.get('version'))}, whose model may differ; "
                            "start afresh in another directory (or finish it with that "
                            "version)")
    if saved.raw != scenario.raw:
        path, was, now = first_difference(saved.raw, scenario.raw) or ("", None, None)
        was = "no value" if was is None else repr(was)
        source = scenario.setter(path)
        origin = defining_file(Path(scenario_file), split_key(path)) if path else None
        given = scenario_file if origin is None or origin == Path(scenario_file) else str(origin)
        where = given if source is None else f"{scenario_file} with {source}"
        raise ScenarioError(where, path, now, f"{was} as in the run saved in {out} {same}")
    held = int(existing.columns["replication"].max()) + 1 if len(existing) else 0
    flag, most = limit
    if held > most:  # finishing would drop replications already computed
        raise ScenarioError(flag, "", most, f"at least {held}: {out} already holds "
                            f"replications up to {held - 1}")
    return existing


def holds_nothing(out: Path) -> bool:
    """Whether ``out`` holds no run and no sweep to resume (a mistyped ``--out``, say)."""
    return not any((out / name).exists() for name in ("runs.csv", "manifest.json",
                                                       "sweep.csv", POINTS))


def saved_manifest(out: Path) -> dict[str, Any] | None:
    """The manifest of the run saved in ``out`` (its options): None when ``out`` holds
    nothing to resume, {} when there is no manifest to read (the run itself is then
    refused, naming what is wrong, when it is read)."""
    if holds_nothing(out):
        return None
    try:
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return manifest if isinstance(manifest, dict) else {}


def case_directory(out: Path, scenario: Scenario) -> Path:
    """Where a backtest with ``--out out`` keeps a scenario's replications: a run
    directory named after its file (unique within the backtest's directory), which
    ``plot`` draws as any run and ``backtest --resume`` finishes."""
    return out / CASES / Path(scenario.file).stem


def pair_directory(out: Path, k: int) -> Path:
    """The comparison directory of point ``k`` (from 0) of the comparison sweep saved in
    ``out``."""
    return out / PAIRS / f"{k:03d}"


def point_directory(out: Path, k: int) -> Path:
    """The run directory of point ``k`` (from 0) of the sweep saved in ``out``."""
    return out / POINTS / f"{k:03d}"
