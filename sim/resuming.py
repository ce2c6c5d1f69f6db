"""What a resumed command keeps of the work saved in its ``--out DIR``.

``run --resume`` checks its run directory with :func:`sim.rundir.resumable`; a sweep,
a comparison and a backtest save each part (a point, a side, a scenario) as a run
directory of its own, and their resumes check every part the same way, plus what
binds the parts together: the sweep's grid, the scenario a side was paired with, the
scenarios of the backtest's directory. They also say which figures drawn before the
resume it made stale.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import Any

from sim.argtypes import DEFAULT_RUNS, DEFAULT_SEED, SEED_LIMIT
from sim.errors import ScenarioError, show
from sim.origin import first_difference
from sim.output import jsonable
from sim.precision import last_held, precision_reached, stop_within
from sim.records import Results
from sim.resume_grid import other_point, refuse_fewer_points
from sim.resume_options import nothing_to_resume, resume_options, saved_count, saved_precision
from sim.rundir import (
    CASES,
    PAIRS,
    SIDES,
    case_directory,
    holds_nothing,
    pair_directory,
    point_directory,
    refuse_others,
    resumable,
    saved_manifest,
    stale_figures,
)
from sim.scenario import Scenario
from sim.sweep_files import met_before_saved_point


def resumed_seed(command: str, out: Path | None, resume: bool) -> tuple[int, str]:
    """The ``--seed`` of a command that was given none: a resumed one takes the seed
    its saved work ran with (finishing it with the default would be refused, though
    the advice printed when it stopped gives no --seed), else the default. Returns the
    seed and what to tell the user ("" for the default)."""
    if not resume or out is None:
        return DEFAULT_SEED, ""
    homes = {"run": [out], "sweep": saved_points(out),
             "compare": [out / side for side in SIDES],
             "compare_sweep": [home / side for home in saved_pairs(out) for side in SIDES],
             "backtest": sorted(p for p in (out / CASES).glob("*") if p.is_dir())}
    for home in homes.get(command, []):
        seed = (saved_manifest(home) or {}).get("seed")
        if isinstance(seed, int) and not isinstance(seed, bool) and 0 <= seed < SEED_LIMIT:
            return seed, "" if seed == DEFAULT_SEED else f"resuming with the saved --seed {seed}"
    return DEFAULT_SEED, ""


def saved_points(out: Path) -> list[Path]:
    """The point directories of the sweep saved in ``out``, in order."""
    points = out / "points"
    if not points.is_dir():
        return []
    return sorted((p for p in points.iterdir() if p.is_dir() and p.name.isascii() and p.name.isdigit()),
                  key=lambda p: int(p.name))


def resume_sweep_options(args: Any) -> str:
    """Take the ``--runs`` of the sweep saved in ``args.out``, or its ``--precision``
    and bounds, when they are not given again, as a resumed run takes its own
    (:func:`sim.resume_options.resume_options`, from the first point whose manifest says
    them); returns what to tell the user (that nothing was saved, too)."""
    out = args.out
    refuse_others(out, "sweep", resuming=True)
    if holds_nothing(out):
        return nothing_to_resume(out, "sweep", args.runs is None and args.precision is None,
                                 getattr(args, "seed", None))
    if args.runs is not None:
        return ""
    for point in saved_points(out):
        saved = saved_manifest(point) or {}
        if saved_count(saved.get("runs_requested")) is not None \
                or saved_precision(saved.get("precision")) is not None:
            return resume_options(args, saved, "sweep")
    # finishing at the default would look finished and not be
    raise ScenarioError("--runs", "", None, f"give --runs (or --precision): the sweep saved in "
                        f"{out} does not say how far its points were to go (no point's "
                        "manifest.json holds a valid runs_requested or precision)")


def resumable_sweep(out: Path, points: list[tuple[dict[str, Any], Scenario]],
                    scenario_file: str, seed: int, limit: tuple[str, int]
                    ) -> list[Results | None]:
    """For each point of a sweep resumed from ``out`` (its parameter values and scenario),
    the replications it keeps (None for a point not saved yet), checked as
    :func:`resumable` checks a run; ``limit`` is the most a point may hold, and its
    option (``("--runs", 4000)``; an adaptive sweep's ``--max-runs``).

    Raises:
        ScenarioError: ``out`` holds a run, not a sweep; a point saved with other
            parameter values (the grid is not the saved one, nor the saved one extended
            by values added to the first ``--param``), another scenario, seed or more
            runs than ``limit``; or a point saved beyond this sweep's points.
    """
    refuse_others(out, "sweep", resuming=True)
    same = ("--resume needs the same --param values; only values added at the end of the "
            "first --param extend a saved sweep")
    # (a value that differs is named before a count that does: it is the likelier slip)
    for k, (assignment, _) in enumerate(points):
        saved = (saved_manifest(point_directory(out, k)) or {}).get("sweep_point")
        now = json.loads(json.dumps(jsonable(assignment)))
        if saved is not None and saved != now:
            raise other_point(k, now, saved, f"the sweep saved in {out}", same)
    beyond = [p.name for p in saved_points(out) if int(p.name) >= len(points)]
    if beyond:
        raise ScenarioError("--param", "", f"{len(points)} points", f"the grid of the sweep "
                            f"saved in {out}, which holds point {beyond[0]} (points count from "
                            f"000) ({same})")
    refuse_fewer_points(saved_points(out), len(points), f"the sweep saved in {out}", same)
    return [resumable(point_directory(out, k), sc, scenario_file, seed, limit, "sweep_point")
            for k, (_, sc) in enumerate(points)]


def refuse_points_met_early(existing: list[Results | None],
                            points: list[tuple[dict[str, Any], Scenario]], precision: float,
                            checks: list[int]) -> None:
    """Refuse, before anything runs, a resumed adaptive sweep with a point whose
    precision is met at a check point (``checks``) before its saved replications end:
    finishing it there would drop them. What was saved is left as it was.

    Raises:
        ScenarioError: the first such point (:func:`sim.sweep_files.met_before_saved_point`).
    """
    for k, (held, (_, scenario)) in enumerate(zip(existing, points, strict=True)):
        if held is None or not len(held):
            continue
        aim = stop_within([held], checks, partial(_reached, held, scenario, precision))
        if aim is not None:
            raise met_before_saved_point(k, len(points), aim, held, precision,
                                         last_held(existing), True)


def _reached(held: Results, scenario: Scenario, precision: float, n: int) -> bool:
    """Whether replications ``0 .. n-1`` of ``held`` meet ``precision``."""
    return precision_reached(held.below(n), scenario, precision)


def adaptive_resume(args: Any) -> str:
    """Take the ``--precision`` (and its bounds) of the adaptive comparison (or, with
    ``--param``, comparison sweep) saved in ``args.out`` when ``compare --resume`` is
    given neither ``--runs`` nor ``--precision``, as a resumed run takes its own
    (:func:`sim.resume_options.resume_options`); returns what to tell the user ("" when
    nothing is taken: a comparison of a fixed size, or options given, which
    resume_options leaves as they are)."""
    homes = saved_pairs(args.out) if args.param else [args.out]
    # the first part that says how far it was to go decides (side A of the first point,
    # as a sweep's first point does): a session that asked --runs and stopped part way
    # leaves later parts saved with the precision asked before
    for saved in (saved_manifest(home / side) or {} for home in homes for side in SIDES):
        if saved_precision(saved.get("precision")) is not None:
            return resume_options(args, saved, "comparison sweep" if args.param
                                  else "comparison")
        if saved_count(saved.get("runs_requested")) is not None:
            return ""  # a fixed count, which resume_comparison (or resume_pairs) takes
    return ""


def resume_comparison(out: Path, runs: int | None, scenarios: tuple[Scenario, Scenario],
                      files: list[Path], seed: int, part: str = "compare_side",
                      limit: tuple[str, int] | None = None,
                      ) -> tuple[int, tuple[Results | None, Results | None], str]:
    """What ``compare --resume`` keeps of the comparison saved in ``out``: the run count
    (``runs`` as given, or else the saved sides', as a resumed run does), each side's
    saved replications (None for a side not saved yet), checked as :func:`resumable`
    checks a run, and what to tell the user. ``part`` is ``pair_point`` for a point of
    a comparison sweep (:func:`resume_pairs`). ``limit`` is the option bounding an
    adaptive comparison and its value (``--max-runs``), which no side may hold more
    runs than; the run count is then not looked for.

    Raises:
        ScenarioError: ``out`` holds a run or a sweep; a side saved with another
            scenario, ``--set`` values or seed, or with more runs than ``runs``.
    """
    refuse_others(out, "compare", resuming=True)
    manifests = [saved_manifest(out / side) for side in SIDES]
    saved = [saved_count((m or {}).get("runs_requested")) for m in manifests]
    note = ""
    if all(m is None for m in manifests):  # (a side killed before its first save holds none)
        note = nothing_to_resume(out, "comparison", runs is None and limit is None, seed) \
            if out.is_dir() or not out.exists() else ""
    elif runs is None and limit is None:
        runs, note = _saved_runs(saved, "comparison", out, "it was")
    runs = DEFAULT_RUNS if runs is None else runs
    names = [files[0], files[-1]]  # one file with --set values gives both sides
    # each side saved is checked against its own scenario first, which names the
    # --set or file that differs ...
    existing = tuple(resumable(out / side, sc, str(name), seed, limit or ("--runs", runs), part)
                     for side, sc, name in zip(SIDES, scenarios, names, strict=True))
    for k, manifest in enumerate(manifests):  # ... then the scenario each was paired with
        other = (manifest or {}).get("paired_with")
        if isinstance(other, dict) and other != scenarios[1 - k].raw:
            path, was, now = first_difference(other, scenarios[1 - k].raw) or ("", None, None)
            raise ScenarioError(str(names[1 - k]), path, now, f"{show(was)} as in the "
                                f"comparison saved in {out}, whose side {SIDES[k]} was paired "
                                "with it (--resume needs the same scenarios)")
    return runs, (existing[0], existing[1]), note


def saved_pairs(out: Path) -> list[Path]:
    """The point directories of the comparison sweep saved in ``out``, in order."""
    pairs = out / PAIRS
    if not pairs.is_dir():
        return []
    return sorted((p for p in pairs.iterdir() if p.is_dir() and p.name.isascii() and p.name.isdigit()),
                  key=lambda p: int(p.name))


def resume_pairs(out: Path, runs: int | None,
                 points: list[tuple[dict[str, Any], Scenario, Scenario]], files: list[Path],
                 seed: int, limit: tuple[str, int] | None = None,
                 ) -> tuple[int, list[tuple[Results | None, Results | None]], str]:
    """What ``compare --param ... --resume`` keeps of the comparison sweep saved in
    ``out``: the run count (``runs`` as given, or else the saved sides', as a resumed
    run does), each point's saved sides (checked as :func:`resume_comparison` checks a
    comparison's, ``limit`` too), and what to tell the user.

    Raises:
        ScenarioError: ``out`` holds another command's results; a point saved with
            other parameter values (only values added at the end of the first
            ``--param`` extend a saved sweep) or beyond this grid; a side saved with
            another scenario, ``--set`` values or seed, or more runs than ``runs``.
    """
    refuse_others(out, "compare_sweep", resuming=True)
    homes = saved_pairs(out)
    note = "" if homes else nothing_to_resume(out, "comparison sweep",
                                               runs is None and limit is None, seed)
    if homes and runs is None and limit is None:
        runs, note = _saved_runs(_requested(home / side for home in homes for side in SIDES),
                                 "comparison sweep", out, "its points were")
    runs = DEFAULT_RUNS if runs is None else runs
    same = ("--resume needs the same --param values; only values added at the end of the "
            "first --param extend a saved sweep")
    # (a value that differs is named before a count that does: it is the likelier slip)
    for k, (assignment, _, _) in enumerate(points):
        now = json.loads(json.dumps(jsonable(assignment)))
        for side in SIDES:
            saved = (saved_manifest(pair_directory(out, k) / side) or {}).get("pair_point")
            if saved is not None and saved != now:
                raise other_point(k, now, saved, f"the comparison sweep saved in {out}", same)
    beyond = [p.name for p in homes if int(p.name) >= len(points)]
    if beyond:
        raise ScenarioError("--param", "", f"{len(points)} points", f"the grid of the "
                            f"comparison sweep saved in {out}, which holds point {beyond[0]} "
                            f"(points count from 000) ({same})")
    refuse_fewer_points([home / side for home in homes for side in SIDES], len(points),
                         f"the comparison sweep saved in {out}", same)
    existing = [resume_comparison(pair_directory(out, k), runs, (a, b), files, seed,
                                  "pair_point", limit)[1] for k, (_, a, b) in enumerate(points)]
    return runs, existing, note


def resume_backtest(out: Path, runs: int | None, directory: str, scenarios: list[Scenario],
                    seed: int) -> tuple[int, dict[str, Results], str]:
    """What ``backtest --resume`` keeps of the backtest saved in ``out`` when it scores
    ``scenarios`` of ``directory`` (as given on the command line): the run count
    (``runs`` as given, or else the saved scenarios', as a resumed run does), the
    replications saved for each scenario file, checked as :func:`resumable` checks a
    run, and what to tell the user.

    Scenarios added to the directory since are run afresh. The saved run count is that
    of the first scenario, in the order the backtest runs them, that records one: each
    session saves the scenarios in that order, so it is the latest session's.

    Raises:
        ScenarioError: ``out`` holds a run, a sweep or a comparison, or a ``cases``
            that is no directory; a scenario saved there that is not scored now (a
            file removed, renamed or without its ``[observed]`` section); one saved
            with another scenario, ``--set`` values or seed, or with more runs than
            ``runs``.
    """
    refuse_others(out, "backtest", resuming=True)
    if (out / CASES).exists() and not (out / CASES).is_dir():
        raise ScenarioError("--out", "", str(out), f"the directory of the backtest to resume, "
                            f"whose {CASES} holds each scenario's runs, but {out / CASES} is a "
                            "file")
    homes = {case_directory(out, sc): sc for sc in scenarios}
    saved = [p for p in sorted((out / CASES).glob("*")) if (p / "runs.csv").exists()]
    stray = next((p for p in saved if p not in homes), None)
    if stray is not None:
        raise ScenarioError("--out", "", str(out), f"the directory of a backtest of "
                            f"{directory}, but it holds the runs of {stray.name}.toml "
                            f"({stray}), which {directory} does not score now (removed, "
                            "renamed, or without an [observed] section of its own: a child no "
                            "longer inherits its parent's): --resume needs the "
                            "same scenarios, or another --out")
    note = "" if saved else nothing_to_resume(out, "backtest", runs is None, seed,
                                              precision=False)
    if saved and runs is None:
        runs, note = _saved_runs(_requested(homes), "backtest", out, "its scenarios were")
    runs = DEFAULT_RUNS if runs is None else runs
    existing = {}
    for home, sc in homes.items():
        held = resumable(home, sc, sc.file, seed, ("--runs", runs), "backtest_case")
        if held is not None:
            existing[sc.file] = held
    return runs, existing, note


def _requested(homes: Iterable[Path]) -> list[int | None]:
    """The ``--runs`` each part saved in ``homes`` was to have (None where unknown)."""
    return [saved_count((saved_manifest(home) or {}).get("runs_requested")) for home in homes]


def _saved_runs(counts: Iterable[int | None], what: str, out: Path, whose: str
                ) -> tuple[int, str]:
    """The ``--runs`` a resume given none takes from the ``what`` saved in ``out`` (the
    first of its parts' ``counts`` known), and what to tell the user.

    Raises:
        ScenarioError: no part says: finishing at the default would look finished and
            not be.
    """
    runs = next((n for n in counts if n is not None), None)
    if runs is None:
        raise ScenarioError("--runs", "", None, f"give --runs: the {what} saved in {out} does "
                            f"not say how many runs {whose} to have")
    return runs, f"resuming with the saved {what}'s --runs {runs}"


def stale_run_figures(parts: Iterable[tuple[Path, int, int]], drawn: str | None = None
                      ) -> list[str]:
    """What to tell the user when a resumed sweep, comparison or backtest added runs to
    parts whose run figures (drawn by ``plot`` of the part's directory, or for a
    backtest's scenarios by its ``--plot`` in the format ``drawn``) show only the runs
    saved before: ``parts`` holds each part's directory and the replications it held
    before the resume and holds now. Parts the resume did not reach, or found finished,
    are not named."""
    notes = (stale_figures(home, drawn=drawn) for home, before, now in parts if now > before)
    return [note for note in notes if note]


def stale_whole_figures(out: Path, figure: str, parts: list[tuple[Path, int, int]],
                        drawn: str | None) -> list[str]:
    """What to tell the user of the figures a resumed sweep or comparison in ``out``
    made stale, when it added runs to any part: its own figures (``figure``: ``sweep``,
    with the differences of a two-parameter one, ``compare`` or ``compare_sweep``, which
    ``plot`` of ``out`` redraws) but in the format ``drawn`` by ``--plot`` (None without
    it); and the run figures of the
    parts it added runs to (:func:`stale_run_figures`, whose ``parts`` these are;
    ``--plot`` does not draw them)."""
    notes = stale_run_figures(parts)
    added = any(now > before for _, before, now in parts)
    names = (figure, "sweep_differences") if figure == "sweep" else (figure,)
    if added and (note := stale_figures(out, names, drawn=drawn)):
        notes.insert(0, note)
    return notes


def point_parts(out: Path, existing: list[Results | None], now: list[int]
                ) -> list[tuple[Path, int, int]]:
    """The points of a sweep resumed in ``out`` as :func:`stale_run_figures` takes
    them: ``existing`` holds each point's replications saved before the resume (None
    for a point not saved), ``now`` how many each point the resume reached holds."""
    return [(point_directory(out, k), len(saved or ()), held)
            for k, (saved, held) in enumerate(zip(existing, now, strict=False))]


def side_parts(out: Path, existing: tuple[Results | None, Results | None],
               held: tuple[Results, Results]) -> list[tuple[Path, int, int]]:
    """The sides of a comparison resumed in ``out`` as :func:`stale_run_figures` takes
    them: ``existing`` holds each side's replications saved before the resume (None
    for a side not saved), ``held`` those it holds now."""
    return [(out / side, len(saved or ()), len(now))
            for side, saved, now in zip(SIDES, existing, held, strict=True)]
