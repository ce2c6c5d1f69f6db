#!/usr/bin/env python3
"""Command line of the ceasefire simulator: parse arguments, call the library, print.

Exit status: 0 success; 2 bad input (scenario file or arguments), with a one-line
message naming the file, key path, bad value and what is allowed; 1 internal error;
130 interrupted by Ctrl-C, 143 by SIGTERM (finished replications are kept in --out DIR).
"""

from __future__ import annotations

import sys

from sim.startup import guard_start, hand_stops_to_commands, ignore_stops

if __name__ == "__main__":  # first: the modules below take a few tenths of a second
    guard_start()

import argparse
import json
import time
import traceback
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import Any

from sim.arguments import (
    DEFAULT_SEED,
    build_parser,
    check_out_options,
    complete_run_options,
    fill_runs,
    resume_options,
)
from sim.defaults import DEFAULT_MIN_RUNS
from sim.errors import ScenarioError
from sim.signals import ClosedPipeGuard, StopExplained, TermGuard, Terminated, deferred_stop

NOT_INSTALLED: ModuleNotFoundError | None = None
try:  # the packages the runs need (--help and refused arguments need none of them)
    from sim.output import finish_with, jsonable, read_plottable_run
    from sim.run_outcome import WorkerLostError
    from sim.rundir import (
        FIGURES_UNSAVED,
        checkpointed,
        drawing,
        open_out,
        prepare_out,
        saving,
        stale_figures,
    )
except ModuleNotFoundError as missing:  # not installed yet: said once the arguments are read
    NOT_INSTALLED = missing

DEFAULT_SCENARIO = Path(__file__).resolve().parent / "scenarios" / "geneva_2016.toml"
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143
EXIT_FAILED = 1


def make_runner(args: argparse.Namespace, long_run: bool) -> Any:
    """A Runner on a local pool, or on a dask cluster with --dask."""
    from sim.cluster import make_runner as runner

    return runner(args.workers, getattr(args, "dask", None),
                  progress=long_run and not args.no_progress)


def draw(kind: str, directory: Path, fmt: str, command: str | None = None, **data: Any) -> list[Path]:
    """Draw figures for ``command`` (matplotlib is imported only by the commands that draw)."""
    with drawing(kind, directory, fmt, command, data.get("summary")):  # a stop says what to do
        import plots

        return plots.draw(kind, directory, fmt=fmt, **data)


def cmd_run(args: argparse.Namespace) -> int:
    from sim.output import write_run
    from sim.records import Results
    from sim.report import report_run
    from sim.rundir import resumable, saved_manifest, saving_so_far
    from sim.scenario import load_scenario
    from sim.stats import summarize

    note = resume_options(args, saved_manifest(args.out)) if args.resume else ""
    complete_run_options(args)
    fill_runs(args)
    scenario = load_scenario(args.scenario, args.sets)
    existing = None
    if args.resume:
        limit = ("--max-runs", args.max_runs) if args.precision is not None else ("--runs", args.runs)
        existing = resumable(args.out, scenario, str(args.scenario), args.seed, limit)
    resumed = open_out(args.out, "run", args.resume, ("runs.csv",), note)
    long_run = (args.precision is not None) or args.runs >= 2000
    extra = {"runs_requested": None if args.precision is not None else args.runs,
             "precision": args.precision, "min_runs": args.min_runs, "max_runs": args.max_runs}

    def checkpoint(results: Results) -> None:
        """Save the runs finished so far, marked partial, as an interrupted run is."""
        partial = jsonable(summarize(results, scenario, seed=args.seed, partial=True))
        with saving_so_far(args.out):
            write_run(args.out, results, partial, scenario, args.seed, extra, resumed)

    # a Ctrl-C or SIGTERM waits until the finished runs are reported and saved: the
    # runner acts on one that comes while it runs; one that comes later stops the
    # command once they are saved (and is moot when the run stopped already)
    with deferred_stop() as stop:
        with make_runner(args, long_run) as runner:
            out = runner.run(scenario, args.runs, args.seed, existing=existing,
                             precision=args.precision, max_runs=args.max_runs,
                             keep_on_error=True, checkpoint_every=args.checkpoint,
                             min_runs=min(DEFAULT_MIN_RUNS, args.max_runs)
                             if args.min_runs is None else args.min_runs,
                             checkpoint=checkpoint if args.out and args.checkpoint > 0 else None)
        stop.redeliver = not out.partial
        def save(summary: dict[str, Any]) -> None:
            with saving(args.out):
                write_run(args.out, out.results, summary, scenario, args.seed, extra, resumed)

        summary = report_run(out, scenario, args.seed, args.precision, args.out, args.json,
                             save if args.out is not None else None)
    drawn = args.format if args.out is not None and args.plot and len(out.results) else None
    if drawn:  # (stopped: marked PARTIAL)
        with saving(args.out, FIGURES_UNSAVED):
            draw("run", args.out, drawn, scenario=scenario, results=out.results, summary=summary)
    if args.resume and out.ran and (stale := stale_figures(args.out, drawn=drawn)):
        print(stale, file=sys.stderr)
    if args.resume and not out.ran and not out.partial:
        print(f"nothing to add: {args.out} already held all {len(out.results)} runs",
              file=sys.stderr)
    where = f"; finished runs kept in {args.out}" if args.out else ""
    if out.error is not None:
        print(f"stopped after {len(out.results)} finished runs{where}", file=sys.stderr)
        raise out.error
    if out.interrupted:
        how = f": finish with {finish_with('run', args.out)}" if args.out else ""
        print(f"interrupted after {len(out.results)} runs{where}{how}", file=sys.stderr)
        return EXIT_INTERRUPTED
    return 0


def run_points(args: argparse.Namespace, points: list[Any], planned: int, what: str,
               report: Callable[[], None], start: Callable[[Any], Iterable[Any]],
               save: Callable[[], None]) -> bool:
    """Run the points of a sweep (or comparison sweep) that ``start(runner)`` yields
    into ``points``, saving each with ``save`` into ``--out`` as it finishes, so a
    crash keeps it; returns whether the sweep stopped before its end (``planned``
    points). A stop signal waits for the point running to be saved (see cmd_run); an
    error after some points finished shows them (``report``) before it is raised."""
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
            print(f"the {what} stopped after {len(points)} of {planned} points{where}",
                  file=sys.stderr)
        raise
    return stopped


def cmd_sweep(args: argparse.Namespace) -> int:
    from sim import experiments as ex
    from sim.report import sweep_stopped, sweep_text
    from sim.resuming import point_parts, resumable_sweep, resume_sweep_runs, stale_whole_figures
    from sim.scenario import load_scenario
    from sim.stats import milestones

    base = load_scenario(args.scenario, args.sets)
    params = ex.parse_params(args.param)
    todo = ex.sweep_scenarios(base, params)  # every point validated before any runs
    # without --runs, a resumed sweep takes the saved one's (as a run does, see resume_options)
    args.runs, note = resume_sweep_runs(args.out, args.runs) if args.resume else (args.runs, "")
    fill_runs(args)
    existing = resumable_sweep(args.out, todo, str(args.scenario), args.seed,
                               args.runs) if args.resume else None
    # (a resume that adds runs makes sweep.csv stale: it goes, and comes back as the
    # points are saved again)
    resumed = open_out(args.out, "sweep", args.resume, ("sweep.csv", "points"), note,
                       drop=("sweep.csv",))
    points: list[ex.SweepPoint] = []
    checkpoint = checkpointed(args.out, partial(ex.save_running_point, args.out, seed=args.seed,
                                                runs=args.runs, resumed=resumed))

    def report() -> None:
        if args.json:
            print(json.dumps(jsonable([{"params": p.params, **p.summary} for p in points]),
                             indent=2))
        else:
            rows = [{"params": p.params, "summary": p.summary} for p in points]
            print(sweep_text(rows, [k for k, _ in params], ex.sweep_labels(points), len(todo),
                             args.runs))

    stopped = run_points(
        args, points, len(todo), "sweep", report,
        lambda runner: ex.run_sweep(todo, runner, args.runs, args.seed, existing,
                                    checkpoint if args.out and args.checkpoint else None,
                                    args.checkpoint),
        lambda: ex.save_point(args.out, points, args.seed, args.runs, resumed))
    report()
    done = [(p.params, (p.results,), milestones(p.scenario)) for p in points if not p.interrupted]
    if note := ex.inert_note(ex.inert_keys(done), args.runs):
        print(note, file=sys.stderr)
    if args.plot and args.out is not None and points:
        with saving(args.out, FIGURES_UNSAVED):
            draw("sweep", args.out, args.format, points=points, params=[k for k, _ in params],
                 planned=len(todo), runs=args.runs)
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
        paired,
        same_outcomes_note,
        save_running_side,
        save_side,
        sides,
    )
    from sim.report import compare_text
    from sim.resuming import resume_comparison, side_parts, stale_whole_figures

    if args.param:
        return cmd_compare_sweep(args)
    a, b, name_a, name_b = sides(args.scenarios, args.sets)
    check_comparable(a, b)
    existing: tuple[Any, Any] = (None, None)
    note = ""
    if args.resume:
        args.runs, existing, note = resume_comparison(args.out, args.runs, (a, b),
                                                      args.scenarios, args.seed)
    fill_runs(args)
    out = args.out
    resumed = open_out(out, "compare", args.resume, ("compare.json", "a", "b"), note,
                       drop=("compare.json",))
    save = partial(save_side, out, seed=args.seed, runs=args.runs, resumed=resumed)
    checkpoint = checkpointed(out, partial(save_running_side, out, seed=args.seed,
                                           runs=args.runs, resumed=resumed))

    with deferred_stop() as stop:  # a stop signal waits for the result to be saved
        with make_runner(args, True) as runner:
            result, ra, rb, interrupted = paired(
                a, b, runner, args.runs, args.seed, existing, save if out else None,
                checkpoint if out and args.checkpoint else None, args.checkpoint)
        stop.redeliver = not interrupted
        how = f": finish with {finish_with('compare', out)}" if out else ""
        if not result:
            kept = f"; side A's finished runs are kept in {out / 'a'}{how}" if out and len(ra) else ""
            print(f"interrupted before the second side started; nothing compared{kept}",
                  file=sys.stderr)
            for stale in stale_whole_figures(out, "compare", side_parts(out, existing, (ra, rb)),
                                             None) if args.resume else []:
                print(stale, file=sys.stderr)
            return EXIT_INTERRUPTED
        result = jsonable({"a_name": name_a, "b_name": name_b, **result})
        print(json.dumps(result, indent=2) if args.json else compare_text(result, name_a, name_b))
        if not interrupted and ra.same_as(rb):
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
    if interrupted:
        print(f"interrupted: compared on the {result['runs']} replications both sides "
              f"finished{how}", file=sys.stderr)
        return EXIT_INTERRUPTED
    return 0


def cmd_compare_sweep(args: argparse.Namespace) -> int:
    from sim import compare_sweep as cs
    from sim.comparison import same_outcomes_note, sides
    from sim.experiments import inert_keys, inert_note, parse_params
    from sim.resuming import resume_pairs, side_parts, stale_whole_figures
    from sim.stats import milestones

    a, b, name_a, name_b = sides(args.scenarios, args.sets)
    params = parse_params(args.param)
    todo = cs.pair_scenarios(a, b, params)  # every point checked before any runs
    existing, note = None, ""
    if args.resume:
        args.runs, existing, note = resume_pairs(args.out, args.runs, todo, args.scenarios,
                                                 args.seed)
    fill_runs(args)
    # a resume that adds runs makes the table and each point's compare.json stale: they
    # go at once, and each comes back as its point is compared again
    resumed = open_out(args.out, "compare_sweep", args.resume, (cs.TABLE, cs.PAIRS), note,
                       drop=(cs.TABLE, *(str(cs.pair_directory(Path(), k) / "compare.json")
                                         for k in range(len(todo)))))
    save = partial(cs.save_pair_side, args.out, seed=args.seed, runs=args.runs, resumed=resumed)
    checkpoint = checkpointed(args.out, partial(cs.save_running_pair_side, args.out,
                                                seed=args.seed, runs=args.runs, resumed=resumed))
    points: list[cs.PairPoint] = []
    keys = [k for k, _ in params]

    def report() -> None:
        records = [{"a_name": name_a, "b_name": name_b, **p.result} for p in points]
        print(json.dumps(jsonable(records), indent=2) if args.json else
              cs.compare_sweep_text(records, keys, (name_a, name_b), len(todo), args.runs))

    stopped = run_points(
        args, points, len(todo), "comparison sweep", report,
        lambda runner: cs.run_pairs(todo, runner, args.runs, args.seed, existing,
                                    save if args.out else None,
                                    checkpoint if args.out and args.checkpoint else None,
                                    args.checkpoint),
        lambda: cs.save_pair(args.out, points, (name_a, name_b)))
    if points:
        report()
    done = [p for p in points if not p.interrupted]
    if done and all(held_a.same_as(held_b) for held_a, held_b in (p.held for p in done)):
        print(same_outcomes_note(args.runs, "at every point"), file=sys.stderr)
    elif note := inert_note(inert_keys([(p.params, p.held, milestones(p.a)) for p in done]),
                            args.runs):
        print(note, file=sys.stderr)
    if args.plot and args.out is not None and points:
        with saving(args.out, FIGURES_UNSAVED):
            draw("compare_sweep", args.out, args.format, points=points, params=keys,
                 names=(name_a, name_b), planned=len(todo), runs=args.runs)
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


def cmd_trace(args: argparse.Namespace) -> int:
    from sim.model import run_replication
    from sim.scenario import load_scenario
    from sim.trace_report import trace_record, trace_text

    scenario = load_scenario(args.scenario, args.sets)
    name = f"trace_{args.seed}_{args.replication}"
    prepare_out(args.out, (f"{name}.json",))
    outcome = run_replication(scenario, args.seed, args.replication, trace=True)
    record = trace_record(outcome)
    print(record if args.json else trace_text(outcome, scenario, args.seed))
    if args.out is not None:
        with saving(args.out):
            (args.out / f"{name}.json").write_text(record + "\n", encoding="utf-8")
        if args.plot:
            with saving(args.out, FIGURES_UNSAVED):
                draw("trace", args.out, args.format, scenario=scenario, outcome=outcome, seed=args.seed)
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from sim.citations import citation_errors
    from sim.observed import observed_outcomes
    from sim.scenario import load_scenario

    status = 0
    for path in args.scenarios:
        try:
            sc = load_scenario(path)
            if sc.spec.observed is not None:  # what backtest will ask of the record
                observed_outcomes(sc)
        except ScenarioError as exc:
            print(f"error: {exc.message()}", file=sys.stderr)
            status = EXIT_BAD_INPUT
            continue
        missing = citation_errors(path) if args.citations else []
        print("".join(f"error: {message}\n" for message in missing), end="", file=sys.stderr)
        status = EXIT_BAD_INPUT if missing else status
        print(f"{'uncited' if missing else 'ok'}: {path} ({sc.name}: {len(sc.issues)} issues, "
              f"{len(sc.order)} parties)")
    return status


def cmd_schema(args: argparse.Namespace) -> int:
    from sim.file_schema import scenario_file_schema

    print(json.dumps(scenario_file_schema(), indent=2))
    return 0


def cmd_plot(args: argparse.Namespace) -> int:
    data = read_plottable_run(args.directory)
    with saving(args.directory, "the figures were not all drawn", option="plot"):
        paths = draw("run", args.directory, args.format, "plot", **data)
    print(*paths, sep="\n")
    return 0


def cmd_backtest(args: argparse.Namespace) -> int:
    from sim.backtest import BacktestSaver, backtest_text, score_cases, scored_cases
    from sim.resuming import resume_backtest

    cases = scored_cases(args.directory, args.sets)  # every file checked before any runs
    existing: dict[str, Any] = {}
    note, out = "", args.out
    if args.resume:
        args.runs, existing, note = resume_backtest(out, args.runs, cases.directory,
                                                    cases.scenarios, args.seed)
    fill_runs(args)
    resumed = open_out(out, "backtest", args.resume, ("backtest.csv", "cases"), note,
                       drop=("backtest.csv", "calibration.png", "calibration.svg"))
    saver = BacktestSaver(out, args.seed, args.runs, resumed, existing) if out else None
    kept = saver.kept if saver is not None else (lambda resumable=True: "")
    with deferred_stop() as stop:  # a stop signal waits for the table to be saved
        try:
            with make_runner(args, True) as runner:
                table = score_cases(
                    cases, runner, args.runs, args.seed, existing=existing,
                    save=saver.save if saver else None, checkpoint_every=args.checkpoint or 0,
                    checkpoint=checkpointed(out, saver.checkpoint)
                    if saver and args.checkpoint else None)
        except KeyboardInterrupt:  # before any scenario finished
            stop.redeliver = False  # acted on here: not again as the command ends
            print(f"interrupted before a scenario finished{kept()}", file=sys.stderr)
            return EXIT_INTERRUPTED
        except (ScenarioError, WorkerLostError) as exc:
            print(f"the backtest stopped{kept(isinstance(exc, WorkerLostError))}", file=sys.stderr)
            raise
        stop.redeliver = not table.partial
        print(json.dumps(jsonable(table.as_dict()), indent=2) if args.json
              else backtest_text(table))
        if saver is not None:
            saver.write_table(table)
    if saver is not None:
        with saving(out, FIGURES_UNSAVED):
            draw("backtest", out, args.format, table=table)
            for case in saver.drawable(cases) if args.plot else []:  # (stopped: PARTIAL)
                draw("run", case, args.format, "backtest", **read_plottable_run(case))
    for stale in saver.stale_notes(cases, args.format if args.plot else None) \
            if saver and args.resume else []:
        print(stale, file=sys.stderr)
    if table.partial:
        print(f"interrupted: {len(table.rows)} scenario(s) scored{kept()}", file=sys.stderr)
        return EXIT_INTERRUPTED
    return 0


COMMANDS = {"run": cmd_run, "sweep": cmd_sweep, "compare": cmd_compare, "trace": cmd_trace,
            "validate": cmd_validate, "schema": cmd_schema, "plot": cmd_plot, "backtest": cmd_backtest}


def main(argv: list[str] | None = None, program: bool = False) -> int:
    """Entry point; returns the exit status. ``program``: this is the program, which
    ends with the command (a stop signal after the command cannot stop anything)."""
    parser = build_parser()
    argv = list(argv or [])
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help")):
        argv = ["run", str(DEFAULT_SCENARIO), *argv]  # bare options apply to the default run
    args = parser.parse(argv)
    if args.command == "run" and args.scenario is None:
        args.scenario = DEFAULT_SCENARIO
    if NOT_INSTALLED is not None:
        # (naming the Python: another one than the install's is the usual cause)
        print(f"error: the package {NOT_INSTALLED.name!r} is missing from {sys.executable}: "
              "install the simulator first (pip install -e ., see README.md)", file=sys.stderr)
        return EXIT_FAILED
    guard = TermGuard(restore=not program)
    status = _dispatch(args, guard, program)
    # stopped by SIGTERM rather than Ctrl-C: the shell's convention, 128 + 15
    return EXIT_TERMINATED if guard.terminated and status == EXIT_INTERRUPTED else status


def _dispatch(args: argparse.Namespace, guard: TermGuard, program: bool = False) -> int:
    """Run the command within ``guard``; bad input, interruption and broken pipes become
    exit statuses. The ``program``'s stops (until now the start-up's) go to the command
    inside this function's handlers, and are ignored once it is done (sim.startup)."""
    started = time.perf_counter()
    try:
        with guard:  # (the command's own start: SIGTERM, then Ctrl-C, are the command's)
            if program:
                hand_stops_to_commands()
            check_out_options(args)
            if getattr(args, "seed", DEFAULT_SEED) is None:  # (trace's has its default)
                from sim.resuming import resumed_seed

                command = "compare_sweep" if getattr(args, "param", None) and \
                    args.command == "compare" else args.command
                args.seed, note = resumed_seed(command, args.out, args.resume)
                if note:
                    print(note, file=sys.stderr)
            return COMMANDS[args.command](args)
    except ScenarioError as exc:
        print(f"error: {exc.message()}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except WorkerLostError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt as stop:
        if not isinstance(stop, StopExplained):  # (one that said what was kept says no more)
            print(f"interrupted after {time.perf_counter() - started:.1f} s", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return 0
    except Exception:  # internal error: a bug, so show where it happened
        traceback.print_exc()
        print("internal error (exit 1): please report it with the command above",
              file=sys.stderr)
        return 1
    finally:
        if program:
            ignore_stops()


if __name__ == "__main__":
    sys.stdout = ClosedPipeGuard(sys.stdout)  # type: ignore[assignment]
    try:
        sys.exit(main(sys.argv[1:], program=True))
    except KeyboardInterrupt as stop:  # in the instant the command ended (it is done)
        ignore_stops()
        sys.exit(EXIT_TERMINATED if isinstance(stop, Terminated) else EXIT_INTERRUPTED)
    finally:
        ignore_stops()  # (also after --help, or arguments refused before any command)
