"""The commands that run many variants of a scenario on the same seeds: ``sweep``,
``compare`` and ``compare --param``.

Each loads and checks every variant before anything runs, saves its parts into
``--out DIR`` as they finish (a point, a side), resumes them with ``--resume``, and
prints its table. The simulator's modules are imported with the call, so that
``--help`` works before they are installed.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import Any

from cli_support import EXIT_INTERRUPTED, draw, make_runner, note_idle_parties
from sim.arguments import complete_run_options, fill_runs, first_check
from sim.signals import deferred_stop

__all__ = ["cmd_compare", "cmd_compare_sweep", "cmd_sweep", "run_points"]


def run_points(args: argparse.Namespace, points: list[Any], planned: int, what: str,
               report: Callable[[], None], start: Callable[[Any], Iterable[Any]],
               save: Callable[[], None]) -> bool:
    """Run the points of a sweep (or comparison sweep) that ``start(runner)`` yields
    into ``points``, saving each with ``save`` into ``--out`` as it finishes, so a
    crash keeps it; returns whether the sweep stopped before its end (``planned``
    points). A stop signal waits for the point running to be saved (see cmd_run); an
    error after some replications finished shows the points so far (``report``; the
    point it stopped is among them, partial) before it is raised."""
    from sim.rundir import saving

    try:
        with deferred_stop() as stop, make_runner(args, True) as runner:
            for point in start(runner):
                points.append(point)
                if args.out is not None:
                    with saving(args.out):
                        save()
            stopped = len(points) < planned or points[-1].interrupted
            stop.redeliver = not stopped
    except BaseException:
        if points:
            report()
            where = f" (saved in {args.out})" if args.out is not None else ""
            at = (f"during point {len(points)} of {planned}, with its finished runs"
                  if points[-1].interrupted else f"after {len(points)} of {planned} points")
            print(f"the {what} stopped {at}{where}", file=sys.stderr)
        raise
    return stopped


def cmd_sweep(args: argparse.Namespace) -> int:
    from sim import experiments as ex
    from sim.output import jsonable
    from sim.precision import check_points, precision_note
    from sim.resuming import (
        point_parts,
        refuse_points_met_early,
        resumable_sweep,
        resume_sweep_options,
        stale_whole_figures,
    )
    from sim.rundir import FIGURES_UNSAVED, checkpointed, open_out, saving
    from sim.runner import DEFAULT_BATCH
    from sim.scenario import load_scenario
    from sim.stats import milestones
    from sim.sweep_files import point_asked, save_point, save_running_point
    from sim.sweep_report import sweep_stopped, sweep_text

    base = load_scenario(args.scenario, args.sets)
    note_idle_parties(base)
    params = ex.parse_params(args.param)
    todo = ex.sweep_scenarios(base, params)  # every point validated before any runs
    # without --runs or --precision, a resumed sweep takes the saved one's (as a run does)
    note = resume_sweep_options(args) if args.resume else ""
    complete_run_options(args)
    fill_runs(args)
    adaptive = args.precision is not None
    existing = None
    if args.resume:
        limit = ("--max-runs", args.max_runs) if adaptive else ("--runs", args.runs)
        existing = resumable_sweep(args.out, todo, str(args.scenario), args.seed, limit)
        if adaptive:  # refused before anything is touched
            refuse_points_met_early(existing, todo, args.precision,
                                    check_points(first_check(args), args.max_runs, DEFAULT_BATCH))
    if adaptive and (short := precision_note(args.precision, args.max_runs, "each point")):
        print(short, file=sys.stderr)  # (once nothing is refused)
    # (a resume that adds runs makes sweep.csv stale: it goes, and comes back as the
    # points are saved again)
    resumed = open_out(args.out, "sweep", args.resume, ("sweep.csv", "points"), note,
                       drop=("sweep.csv",))
    asked = point_asked(args.runs, args.precision, args.min_runs, args.max_runs)
    checkpoint = checkpointed(args.out, partial(save_running_point, args.out, seed=args.seed,
                                                asked=asked, resumed=resumed,
                                                planned=len(todo)))
    runs_each = None if adaptive else args.runs
    points: list[ex.SweepPoint] = []

    def report() -> None:
        if args.json:
            print(json.dumps(jsonable([{"params": p.params, **p.summary} for p in points]),
                             indent=2))
        else:
            rows = [{"params": p.params, "summary": p.summary} for p in points]
            print(sweep_text(rows, [k for k, _ in params], ex.sweep_labels(points), len(todo),
                             runs_each))

    stopped = run_points(
        args, points, len(todo), "sweep", report,
        lambda runner: ex.run_sweep(todo, runner, args.runs, args.seed, existing,
                                    checkpoint if args.out and args.checkpoint else None,
                                    args.checkpoint, args.precision, first_check(args),
                                    args.max_runs),
        lambda: save_point(args.out, points, args.seed, asked, resumed, len(todo)))
    report()
    # (a sweep stopped part way has not tried every value: no note from part of the grid)
    done = [(p.params, (p.results,), milestones(p.scenario)) for p in points if not stopped]
    if note := ex.inert_note(ex.inert_keys(done), runs_each):
        print(note, file=sys.stderr)
    if args.plot and args.out is not None and points:
        with saving(args.out, FIGURES_UNSAVED):
            draw("sweep", args.out, args.format, points=points, params=[k for k, _ in params],
                 planned=len(todo), runs=runs_each)
    held = [len(p.results) for p in points]
    for stale in stale_whole_figures(args.out, "sweep", point_parts(args.out, existing or [], held),
                                     args.format if args.plot else None) if args.resume else []:
        print(stale, file=sys.stderr)
    if stopped:
        print(sweep_stopped(points, len(todo), args.out), file=sys.stderr)
        return EXIT_INTERRUPTED
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from sim.comparison import (
        check_comparable,
        difference_precision_line,
        paired,
        same_outcomes_note,
        same_scenario_note,
        save_running_side,
        save_side,
        sides,
    )
    from sim.output import finish_with, jsonable
    from sim.pair_steps import stops_within_saved
    from sim.precision import check_points
    from sim.report import compare_text
    from sim.resuming import adaptive_resume, resume_comparison, side_parts, stale_whole_figures
    from sim.rundir import FIGURES_UNSAVED, checkpointed, open_out, saving
    from sim.runner import DEFAULT_BATCH

    taken = adaptive_resume(args) if args.resume else ""
    complete_run_options(args)
    if args.param:
        return cmd_compare_sweep(args, taken)
    a, b, name_a, name_b = sides(args.scenarios, args.sets)
    check_comparable(a, b)
    note_idle_parties(a, b)
    if same := same_scenario_note(a, b, len(args.scenarios)):
        print(same, file=sys.stderr)
    existing: tuple[Any, Any] = (None, None)
    note = ""
    if args.resume:
        limit = ("--max-runs", args.max_runs) if args.precision is not None else None
        args.runs, existing, note = resume_comparison(args.out, args.runs, (a, b),
                                                      args.scenarios, args.seed, limit=limit)
        note = note or taken
        if args.precision is not None:
            # refused before the saved result is dropped (open_out), not after the run
            points = check_points(first_check(args), args.max_runs, DEFAULT_BATCH)
            if early := stops_within_saved(existing, a, args.precision, points):
                raise early
    fill_runs(args)
    out = args.out
    resumed = open_out(out, "compare", args.resume, ("compare.json", "a", "b"), note,
                       drop=("compare.json",))
    # an adaptive comparison's sides say how it was to stop, for --resume to take it up
    record = None if args.precision is None else {
        "runs_requested": None, "precision": args.precision, "min_runs": args.min_runs,
        "max_runs": args.max_runs}
    save = partial(save_side, out, seed=args.seed, runs=args.runs, resumed=resumed,
                   extra=record)
    checkpoint = checkpointed(out, partial(save_running_side, out, seed=args.seed,
                                           runs=args.runs, resumed=resumed, extra=record))

    with deferred_stop() as stop:  # a stop signal waits for the result to be saved
        with make_runner(args, True) as runner:
            pair = paired(a, b, runner, args.runs, args.seed, existing, save if out else None,
                          checkpoint if out and args.checkpoint else None, args.checkpoint,
                          keep_partial=True, precision=args.precision,
                          min_runs=first_check(args), max_runs=args.max_runs)
        result, ra, rb, interrupted = pair
        stop.redeliver = not interrupted
        how = f": finish with {finish_with('compare', out)}" if out else ""
        if not result:
            kept = f"; side A's finished runs are kept in {out / 'a'}{how}" if out and len(ra) else ""
            print(f"interrupted before both sides had a replication to pair; nothing "
                  f"compared{kept}",
                  file=sys.stderr)
            for stale in stale_whole_figures(out, "compare", side_parts(out, existing, (ra, rb)),
                                             None) if args.resume else []:
                print(stale, file=sys.stderr)
            return EXIT_INTERRUPTED
        result = jsonable({"a_name": name_a, "b_name": name_b, **result})
        print(json.dumps(result, indent=2) if args.json else compare_text(result, name_a, name_b))
        if args.precision is not None and not args.json:
            print(difference_precision_line(result))
        if not interrupted and not same and ra.same_as(rb):
            print(same_outcomes_note(len(ra)), file=sys.stderr)
        if args.out is not None:
            with saving(args.out):
                (args.out / "compare.json").write_text(json.dumps(result, indent=2) + "\n")
    if args.out is not None and args.plot:
        with saving(args.out, FIGURES_UNSAVED):
            draw("compare", args.out, args.format, result=result)
    for stale in stale_whole_figures(out, "compare", side_parts(out, existing, (ra, rb)),
                                     args.format if args.plot else None) if args.resume else []:
        print(stale, file=sys.stderr)
    if pair.error is not None:  # reported once the replications both sides finished are
        raise pair.error
    if interrupted:
        print(f"interrupted: compared on the {result['runs']} replications both sides "
              f"finished{how}", file=sys.stderr)
        return EXIT_INTERRUPTED
    return 0


def cmd_compare_sweep(args: argparse.Namespace, taken: str = "") -> int:
    """``compare --param``: ``taken`` is what a resume took of the saved sweep's options
    (its precision), said unless there is more to say."""
    from sim import compare_sweep as cs
    from sim.comparison import same_outcomes_note, same_scenario_note, sides
    from sim.experiments import inert_keys, inert_note, parse_params
    from sim.output import jsonable
    from sim.pair_steps import stops_within_saved
    from sim.precision import check_points, last_held
    from sim.resuming import resume_pairs, side_parts, stale_whole_figures
    from sim.rundir import FIGURES_UNSAVED, checkpointed, open_out, saving
    from sim.runner import DEFAULT_BATCH
    from sim.stats import milestones
    from sim.sweep_files import point_asked

    a, b, name_a, name_b = sides(args.scenarios, args.sets)
    params = parse_params(args.param)
    todo = cs.pair_scenarios(a, b, params)  # every point checked before any runs
    note_idle_parties(a, b)
    if same := same_scenario_note(a, b, len(args.scenarios)):  # (--param sets both alike)
        print(same, file=sys.stderr)
    adaptive = args.precision is not None
    existing, note = None, ""
    if args.resume:
        limit = ("--max-runs", args.max_runs) if adaptive else None
        args.runs, existing, note = resume_pairs(args.out, args.runs, todo, args.scenarios,
                                                 args.seed, limit)
        note = note or taken
        if adaptive:  # refused before anything saved is dropped (open_out), not after the run
            checks = check_points(first_check(args), args.max_runs, DEFAULT_BATCH)
            most = last_held([side for pair in existing for side in pair])  # (--runs: every point)
            for k, ((_, a_k, _), saved) in enumerate(zip(todo, existing, strict=True)):
                if early := stops_within_saved(saved, a_k, args.precision, checks,
                                               f" at point {k + 1}/{len(todo)}", most):
                    raise early
    fill_runs(args)
    # a resume that adds runs makes the table and each point's compare.json stale: they
    # go at once, and each comes back as its point is compared again
    resumed = open_out(args.out, "compare_sweep", args.resume, (cs.TABLE, cs.PAIRS), note,
                       drop=(cs.TABLE, *(str(cs.pair_directory(Path(), k) / "compare.json")
                                         for k in range(len(todo)))))
    # an adaptive sweep's sides say how it was to stop, for --resume to take it up
    asked = point_asked(args.runs, args.precision, args.min_runs, args.max_runs) \
        if adaptive else None
    save = partial(cs.save_pair_side, args.out, seed=args.seed, runs=args.runs, resumed=resumed,
                   planned=len(todo), asked=asked)
    checkpoint = checkpointed(args.out, partial(cs.save_running_pair_side, args.out,
                                                seed=args.seed, runs=args.runs, resumed=resumed,
                                                planned=len(todo), asked=asked))
    runs_each = None if adaptive else args.runs
    points: list[cs.PairPoint] = []
    keys = [k for k, _ in params]

    def report() -> None:
        records = [{"a_name": name_a, "b_name": name_b, **p.result} for p in points]
        print(json.dumps(jsonable(records), indent=2) if args.json else
              cs.compare_sweep_text(records, keys, (name_a, name_b), len(todo), runs_each))

    stopped = run_points(
        args, points, len(todo), "comparison sweep", report,
        lambda runner: cs.run_pairs(todo, runner, args.runs, args.seed, existing,
                                    save if args.out else None,
                                    checkpoint if args.out and args.checkpoint else None,
                                    args.checkpoint, args.precision, first_check(args),
                                    args.max_runs),
        lambda: cs.save_pair(args.out, points, (name_a, name_b)))
    if points:
        report()
    done = [p for p in points if not stopped]  # (as a sweep's: no note from part of the grid)
    if done and not same and all(held_a.same_as(held_b) for held_a, held_b in (p.held for p in done)):
        print(same_outcomes_note(runs_each, "at every point"), file=sys.stderr)
    elif note := inert_note(inert_keys([(p.params, p.held, milestones(p.a)) for p in done]),
                            runs_each):
        print(note, file=sys.stderr)
    if args.plot and args.out is not None and points:
        with saving(args.out, FIGURES_UNSAVED):
            draw("compare_sweep", args.out, args.format, points=points, params=keys,
                 names=(name_a, name_b), planned=len(todo), runs=runs_each)
    if existing is not None:  # resumed
        parts = [part for k, p in enumerate(points)
                 for part in side_parts(cs.pair_directory(args.out, k), existing[k], p.held)]
        if len(points) < len(todo):  # stopped in a point's side A: it may have grown
            parts += cs.unpaired_part(args.out, len(points), existing[len(points)][0])
        for stale in stale_whole_figures(args.out, "compare_sweep", parts,
                                         args.format if args.plot else None):
            print(stale, file=sys.stderr)
    if stopped:
        print(cs.pairs_stopped(points, len(todo), args.out), file=sys.stderr)
        return EXIT_INTERRUPTED
    return 0
