"""Files a run leaves behind, and reading them back.

``--out DIR`` holds ``runs.csv`` (one row per replication), ``summary.json``,
``scenario.toml`` (the resolved scenario, overrides applied) and ``manifest.json``
(version, root seed, command, package versions, and those of the sessions it
resumed). ``plot DIR`` and ``--resume`` read them back; the saved scenario makes a run
directory self-contained.

Each file is replaced atomically, so a failed write (a full disk) never truncates what
a run directory already holds; reading checks each file on its own and names the one at
fault in a ScenarioError.
"""

from __future__ import annotations

import contextlib
import csv
import json
import math
import os
import platform
import re
import shlex
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

from sim import __version__
from sim.csvio import atomic_writer, remove_leftovers
from sim.errors import ScenarioError
from sim.model import armed_parties
from sim.records import Results
from sim.saved_summary import check_summary
from sim.scenario import Scenario, load_scenario
from sim.toml_out import toml_dumps

PACKAGES = ("numpy", "simpy", "matplotlib", "pydantic", "tqdm")
OPTIONAL = ("dask", "distributed")
"""Listed in the manifest where installed: the cluster's side of a --dask run."""


def jsonable(value: Any) -> Any:
    """Replace NaN and infinities (not valid JSON) with null, recursively."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def package_versions() -> dict[str, str]:
    """Versions of the runtime dependencies, for the manifest."""
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    for name in OPTIONAL:
        with contextlib.suppress(metadata.PackageNotFoundError):
            out[name] = metadata.version(name)
    return out


def write_run(
    out: Path,
    results: Results,
    summary: dict[str, Any],
    scenario: Scenario,
    seed: int,
    extra: dict[str, Any] | None = None,
    resumed: Resumed | None = None,
) -> bool:
    """Write the four files of a run directory (creating it), each replaced atomically;
    returns whether it wrote them. A resume that added nothing leaves the directory as
    it was (:func:`holds_already`), so its manifest keeps naming the sessions that made
    the results, not one more that only read them.

    The manifest names the command, version and packages of this session and, for a
    run ``resumed``, under ``earlier`` those of the sessions that saved it before: a
    resumed run's results may come from several. A save also removes the temporary
    files a save killed outright left.

    The scenario and manifest go first and the runs before their summary. A failure
    before the runs leaves the old runs with their own summary or, in a new directory,
    no runs.csv, which ``--resume`` reads as nothing done yet; a failure between the runs
    and the summary leaves the new runs without their summary, which ``--resume``
    accepts (it rewrites the summary) and ``plot`` refuses. The saved scenario never holds
    ``extends``: it is the resolved document, and a parent path would be looked up
    relative to the run directory.
    """
    if resumed is not None and holds_already(out, len(results), summary, seed, extra or {}):
        return False
    out.mkdir(parents=True, exist_ok=True)
    manifest = {
        "version": __version__,
        "seed": seed,
        "command": sys.argv,
        "scenario_file": scenario.file,
        "packages": package_versions(),
        **(extra or {}),
    }
    if resumed is not None and (earlier := resumed.before(out)):
        manifest["earlier"] = earlier
    write_text(out / "scenario.toml", resolved_toml(scenario))
    write_text(out / "manifest.json", json.dumps(manifest, indent=2) + "\n")
    results.write_csv(out / "runs.csv")
    write_text(out / "summary.json", json.dumps(summary, indent=2) + "\n")
    for name in RUN_FILES:
        remove_leftovers(out / name)
    return True


SESSION_FIGURES = ("wall_seconds", "runs_this_session", "runs_per_second")
"""What a summary says of the session that wrote it rather than of its results."""


def holds_already(out: Path, runs: int, summary: dict[str, Any], seed: int,
                  extra: dict[str, Any]) -> bool:
    """Whether ``out`` already holds this result of ``runs`` replications, written by
    this version: as many rows in its runs.csv, the same summary (but for the session's
    own figures) and the same manifest entries. A resume starts from every row saved
    there (checked, in order), so as many rows means it added none; the same summary
    means the saved one is not marked partial, nor left from before a runs.csv cut
    short by hand."""
    try:
        saved = json.loads((out / "summary.json").read_text(encoding="utf-8"))
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        with (out / "runs.csv").open(newline="", encoding="utf-8") as fh:
            rows = sum(1 for _ in csv.reader(fh)) - 1  # (a header, then one per run)
    except (OSError, ValueError, csv.Error):
        return False
    if rows != runs:
        return False
    if not (isinstance(saved, dict) and isinstance(manifest, dict)):
        return False

    def timeless(record: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in record.items() if k not in SESSION_FIGURES}

    now = json.loads(json.dumps(summary))  # as it would read back (tuples as lists)
    entries = {"version": __version__, "seed": seed, **json.loads(json.dumps(extra))}
    for key in WHOLE_KEYS:  # (a resume that grew the grid has not changed this part)
        entries.pop(key, None)
    return timeless(saved) == timeless(now) and all(
        manifest.get(k) == v for k, v in entries.items())


WHOLE_KEYS = ("grid_points", "cases_planned")
"""Manifest entries of a part (a sweep's point, a backtest's case) that describe the
whole it belongs to: a resume that changes only these (a grid grown by a point, a part
saved before they were recorded) leaves a finished part as it was."""

SESSION_KEYS = ("version", "command", "packages")
"""What a manifest records of the session that wrote it."""


class Resumed:
    """A command resuming saved work: which sessions saved each of its run directories
    before it. Each is read at the directory's first save by this command, before that
    save replaces the manifest; later saves (checkpoints) keep what was read."""

    def __init__(self) -> None:
        self._before: dict[Path, list[dict[str, Any]]] = {}

    def before(self, out: Path) -> list[dict[str, Any]]:
        if out not in self._before:
            self._before[out] = sessions_before(out)
        return self._before[out]


def sessions_before(out: Path) -> list[dict[str, Any]]:
    """The sessions that saved the run in ``out``, oldest first, as its manifest records
    them ([] when nothing readable is saved there)."""
    try:
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    if not isinstance(manifest, dict):
        return []
    earlier = manifest.get("earlier")
    sessions = [e for e in earlier if isinstance(e, dict)] if isinstance(earlier, list) else []
    last = {key: manifest[key] for key in SESSION_KEYS if key in manifest}
    return [*sessions, last] if last else sessions


def resolved_toml(scenario: Scenario) -> str:
    """The scenario as run (its parents and ``--set`` values applied), as a TOML file
    that loads alone: without ``extends``, whose parent would be looked up relative to
    the copy."""
    return toml_dumps({k: v for k, v in scenario.raw.items() if k != "extends"})


def write_text(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` whole or not at all (a kill leaves the old file)."""
    with atomic_writer(path) as fh:
        fh.write(text)


RUN_FILES = ("runs.csv", "summary.json", "scenario.toml", "manifest.json")


def parts_inside(out: Path) -> str:
    """What to tell the user who gave ``plot`` the ``--out`` of a sweep, a comparison or
    a backtest: where its run directories (points, sides or cases) are. "" if none."""
    homes = (("points", "a sweep", "its points"), ("cases", "a backtest", "its cases"),
             ("pairs", "a comparison sweep", "the sides of its points"),
             (".", "a comparison", "its sides"))
    for home, what, parts in homes:
        names = ("a", "b") if home == "." else sorted(
            p.name for p in (out / home).glob("*") if p.is_dir())
        if home == "pairs":
            names = [f"{n}/{side}" for n in names for side in ("a", "b")]
        found = [out / home / n for n in names if (out / home / n / "runs.csv").is_file()]
        if found:
            return (f"holds {what}, not a run: {parts} are the run directories to plot "
                    f"('plot {shell_path(os.path.normpath(found[0]))}')")
    compared = sorted(out.glob("*/compare.json"))  # one of the folders plot draws together
    if compared:
        return ("holds a comparison, not a run: plot it "
                f"('plot {shell_path(os.path.normpath(compared[0].parent))}'), or save another "
                "against the same scenario and seed beside it to draw them side by side")
    wholes = sorted(p for p in out.glob("*") if p.is_dir() and _whole_kind(p))
    if wholes:  # a folder of sweeps: only comparisons are drawn together
        kinds = sorted({_whole_kind(p) for p in wholes})
        what = (f"a {kinds[0]}" if len(wholes) == 1 else f"{len(wholes)} {kinds[0]}s"
                if len(kinds) == 1 else f"{len(wholes)} results ({', '.join(kinds)})")
        where = (f" in {wholes[0].name}/: plot it" if len(wholes) == 1 else
                 ", each in a folder of its own and drawn on its own: plot each")
        return (f"holds {what}{where} ('plot {shell_path(os.path.normpath(wholes[0]))}'); "
                "only comparisons are drawn side by side")
    inside = sorted(out.glob("*/runs.csv"))  # a sweep's points/, a backtest's cases/
    if inside:
        return ("holds run directories, not a run: plot one of them "
                f"('plot {shell_path(os.path.normpath(inside[0].parent))}')")
    return ""


def _whole_kind(home: Path) -> str:
    """Which command's ``--out`` ``home`` is, by the folder that marks it (a sweep's
    ``points/``, a comparison sweep's ``pairs/``, a backtest's ``cases/``); "" if none."""
    for part, kind in (("pairs", "comparison sweep"), ("points", "sweep"),
                       ("cases", "backtest")):
        if (home / part).is_dir():
            return kind
    return ""


def shell_path(path: Path | str) -> str:
    """``path`` as it can be pasted into a shell: in double quotes if it needs any."""
    text = str(path)
    return text if shlex.quote(text) == text else '"' + re.sub(r'(["\\$`])', r"\\\1", text) + '"'


PARTS = {"sweep_point": ("sweep", 2, "a point of the sweep"),
         # before compare_side: a point of a comparison sweep is a comparison of its own
         "pair_point": ("compare_sweep", 3, "a side of a point of the comparison sweep"),
         "compare_side": ("compare", 1, "a side of the comparison"),
         "backtest_case": ("backtest", 2, "a scenario of the backtest")}
"""Manifest keys of a run directory that is part of a larger result: the command that
saved it, how many levels up that command's ``--out DIR`` is, and what the part is.
A part of a part holds both keys: the first of them here names the whole."""


def part_of(manifest: dict[str, Any]) -> tuple[str, int, str] | None:
    """What larger result a run directory (its ``manifest``) is part of, as
    :data:`PARTS` says (the outermost, for a part of a part), or None for a run alone."""
    return next((PARTS[key] for key in PARTS if key in manifest), None)


def resume_advice(out: Path, manifest: dict[str, Any]) -> str:
    """How to finish the run saved in ``out`` (its ``manifest``): the command that saved
    it with ``--resume`` and its ``--out``. A sweep's point, a comparison's side or a
    backtest's scenario is finished by its whole."""
    part = part_of(manifest)
    return finish_with(part[0], whole_of(out, part[1])) if part else finish_with("run", out)


def finish_with(command: str, out: Path) -> str:
    """The command line that finishes ``command`` saved in ``out``, quoted."""
    given = "compare ... --param ..." if command == "compare_sweep" else f"{command} ..."
    return f"'{given} --resume --out {shell_path(out)}'"


def whole_of(part: Path, up: int) -> Path:
    """The ``--out DIR`` of the result a part's run directory lies ``up`` levels inside
    (a relative ``003`` has no ``parents[1]``, and its ``parent.parent`` is ``.``, not
    ``..``)."""
    return Path(os.path.normpath(part.joinpath(*[".."] * up)))


def read_plottable_run(out: Path) -> dict[str, Any]:
    """A saved run to draw (:func:`read_run`): its ``scenario``, ``results`` and
    ``summary``, keyed as ``plots.draw("run", ...)`` takes them.

    Raises:
        ScenarioError: as :func:`read_run`, or no replication finished yet.
    """
    scenario, results, summary, manifest = read_run(out)
    if not len(results):
        raise ScenarioError(str(out / "runs.csv"), "", None, "at least one finished "
                            "replication to plot (this run was stopped before any "
                            f"finished: finish it with {resume_advice(out, manifest)})")
    return {"scenario": scenario, "results": results, "summary": summary}


def read_run(out: Path, summary_needed: bool = True
             ) -> tuple[Scenario, Results, dict[str, Any], dict[str, Any]]:
    """Read a run directory back: scenario, results, summary and manifest.

    ``summary_needed=False`` (for ``--resume``, which rewrites the summary) accepts a
    directory whose summary was never written: ``write_run`` writes it last, so a
    failure just before leaves the finished runs without one. Its summary is then {}.

    Raises:
        ScenarioError: a file is missing, unreadable or not what ``write_run`` writes,
            naming that file (and, within runs.csv, the line and column).
    """
    if not out.is_dir():
        raise ScenarioError(str(out), "", None, ("not a directory" if out.exists() else
                                                 "no such directory")
                            + ": give a run directory, as 'run --out DIR' writes it")
    for name in RUN_FILES:
        if name == "summary.json" and not summary_needed:
            continue
        if not (out / name).is_file():
            raise ScenarioError(str(out / name), "", None, f"missing; {out} " + (
                parts_inside(out) or "is not a run directory written by 'run --out'"))
    scenario = load_scenario(out / "scenario.toml")
    results = Results.read_csv(
        out / "runs.csv", scenario.issues, armed_parties(scenario), scenario.order,
        horizon=scenario.spec.ceasefire.horizon_hours,
        ranges=tuple(zip(scenario.lows, scenario.highs, strict=True)),
    )
    summary = (_read_object(out / "summary.json")
               if summary_needed or (out / "summary.json").exists() else {})
    check_summary(out / "summary.json", summary)
    counted = summary.get("runs")
    manifest = _read_object(out / "manifest.json")
    if summary_needed and counted is not None and counted != len(results):
        # runs.csv is written before summary.json: a kill between the two (a checkpoint
        # included) leaves new runs beside an older summary
        raise ScenarioError(str(out / "summary.json"), "runs", counted,
                            f"{len(results)}, the replications in runs.csv (the run was "
                            f"stopped while saving them): finish it with "
                            f"{resume_advice(out, manifest)}")
    seed = manifest.get("seed")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ScenarioError(str(out / "manifest.json"), "seed", seed,
                            "the run's root seed, a whole number >= 0")
    return scenario, results, summary, manifest


def _read_object(path: Path) -> dict[str, Any]:
    """A JSON file holding one object, or a ScenarioError naming the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(str(path), "", None, f"cannot be read as UTF-8 text ({exc})") from None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ScenarioError(str(path), f"line {exc.lineno}, column {exc.colno}", None,
                            f"valid JSON, as 'run --out' writes it ({exc.msg})") from None
    except (RecursionError, ValueError) as exc:  # ValueError: a number of 4300+ digits
        reason = ("nested too deeply to read" if isinstance(exc, RecursionError)
                  else "holds a number too long to read")
        raise ScenarioError(str(path), "", None, "valid JSON, as 'run --out' writes it "
                            f"({reason})") from None
    if not isinstance(value, dict):
        raise ScenarioError(str(path), "", value, "a JSON object ({...}), as 'run --out' "
                            "writes it")
    return value
