#!/usr/bin/env python3
"""Command line of the ceasefire simulator: parse arguments, call the library, print.

Exit status: 0 success; 2 bad input (scenario file or arguments), with a one-line
message naming the file, key path, bad value and what is allowed; 1 internal error;
130 interrupted by Ctrl-C, 143 by SIGTERM, 129 by a hang-up (SIGHUP) (finished
replications are kept in --out DIR).
"""

from __future__ import annotations

import sys

from sim.startup import guard_start, hand_stops_to_commands, ignore_stops

if __name__ == "__main__":  # first: the modules below take a few tenths of a second
    guard_start()

import argparse
import errno
import json
import time
import traceback
from pathlib import Path
from typing import Any

from cli_support import (
    EXIT_BAD_INPUT,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    draw,
    make_runner,
    note_idle_parties,
)
from cli_variants import cmd_compare, cmd_sweep
from sim.arguments import (
    DEFAULT_SEED,
    build_parser,
    check_out_options,
    complete_run_options,
    fill_runs,
    first_check,
)
from sim.errors import ScenarioError, show
from sim.resume_options import resume_options
from sim.signals import ClosedPipeGuard, StopExplained, TermGuard, Terminated, deferred_stop

NOT_INSTALLED: ModuleNotFoundError | None = None
try:  # the packages the runs need (--help and refused arguments need none of them)
    from sim.output import finish_with, jsonable, read_plottable_run
    from sim.run_outcome import WorkerLostError
    from sim.rundir import (
        FIGURES_UNSAVED,
        checkpointed,
        open_out,
        prepare_out,
        saving,
        stale_figures,
    )
except ModuleNotFoundError as missing:  # not installed yet: said once the arguments are read
    NOT_INSTALLED = missing

DEFAULT_SCENARIO = Path(__file__).resolve().parent / "scenarios" / "geneva_2016.toml"


def cmd_run(args: argparse.Namespace) -> int:
    from sim.output import write_run
    from sim.precision import precision_note
    from sim.records import Results
    from sim.report import report_run
    from sim.rundir import resumable, saved_manifest, saving_so_far
    from sim.scenario import load_scenario
    from sim.stats import summarize

    note = resume_options(args, saved_manifest(args.out)) if args.resume else ""
    complete_run_options(args)
    fill_runs(args)
    scenario = load_scenario(args.scenario, args.sets)
    note_idle_parties(scenario)
    existing = None
    if args.resume:
        limit = ("--max-runs", args.max_runs) if args.precision is not None else ("--runs", args.runs)
        existing = resumable(args.out, scenario, str(args.scenario), args.seed, limit)
    if args.precision is not None and (short := precision_note(args.precision, args.max_runs)):
        print(short, file=sys.stderr)  # (once the resume is not refused)
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
                             min_runs=first_check(args),
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


def cmd_trace(args: argparse.Namespace) -> int:
    from sim.model import run_replication
    from sim.saved_trace import save_trace, trace_files
    from sim.scenario import load_scenario
    from sim.trace_report import trace_record, trace_text

    scenario = load_scenario(args.scenario, args.sets)
    prepare_out(args.out, trace_files(args.seed, args.replication))
    outcome = run_replication(scenario, args.seed, args.replication, trace=True)
    record = trace_record(outcome, scenario, args.seed)
    print(record if args.json else trace_text(outcome, scenario, args.seed))
    if args.out is not None:
        with saving(args.out):
            save_trace(args.out, scenario, record, args.seed, args.replication)
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
            sc = load_scenario(path, args.sets)
            if sc.spec.observed is not None:  # what backtest will ask of the record
                observed_outcomes(sc)
        except ScenarioError as exc:
            print(*(f"error: {line}" for line in exc.messages()), sep="\n", file=sys.stderr)
            status = EXIT_BAD_INPUT
            continue
        missing = citation_errors(path) if args.citations else []
        print("".join(f"error: {message}\n" for message in missing), end="", file=sys.stderr)
        status = EXIT_BAD_INPUT if missing else status
        note_idle_parties(sc, where=str(path) if len(args.scenarios) > 1 else "")
        given = f" with {' '.join(f'--set {v}' for v in args.sets)}" if args.sets else ""
        print(f"{'uncited' if missing else 'ok'}: {path}{given} ({sc.name}: {len(sc.issues)} "
              f"issues, {len(sc.order)} parties)")
    return status


def cmd_schema(args: argparse.Namespace) -> int:
    from sim.file_schema import scenario_file_schema

    print(json.dumps(scenario_file_schema(), indent=2))
    return 0


def cmd_plot(args: argparse.Namespace) -> int:
    from sim.drawable import plottable
    from sim.rundir import lock_run
    from sim.saved_trace import traces_beside

    lock_run(args.directory)  # not while a command writes there (or into its whole)
    kind, data = plottable(args.directory)
    with saving(args.directory, "the figures were not all drawn", option="plot"):
        paths = draw(kind, args.directory, args.format, "plot", **data)
    print(*paths, sep="\n")
    if kind != "traces" and (note := traces_beside(args.directory)):
        print(note, file=sys.stderr)
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
    saver = BacktestSaver(out, args.seed, args.runs, resumed, existing,
                          len(cases.scenarios)) if out else None
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
    elif argv[0].lower().endswith(".toml"):
        argv = ["run", *argv]  # a scenario file first: that scenario's run
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
    # stopped by SIGTERM (or SIGHUP) rather than Ctrl-C: the shell's convention, 128 + it
    return 128 + guard.terminated if guard.terminated and status == EXIT_INTERRUPTED else status


def command_name(args: argparse.Namespace) -> str:
    """The command as saved work names it: ``compare`` with ``--param`` is
    ``compare_sweep``."""
    if args.command == "compare" and getattr(args, "param", None):
        return "compare_sweep"
    return str(args.command)


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
            if getattr(args, "out", None) is not None:
                from sim.overwrite import input_files, refuse_writing_over

                refuse_writing_over(args.out, command_name(args), input_files(args))
            if getattr(args, "seed", DEFAULT_SEED) is None:  # (trace's has its default)
                from sim.resuming import resumed_seed

                args.seed, note = resumed_seed(command_name(args), args.out, args.resume)
                if note:
                    print(note, file=sys.stderr)
            return COMMANDS[args.command](args)
    except ScenarioError as exc:
        print(*(f"error: {line}" for line in exc.messages()), sep="\n", file=sys.stderr)
        return EXIT_BAD_INPUT
    except WorkerLostError as exc:
        out = getattr(args, "out", None)
        print(f"error: {exc.advised(finish_with(command_name(args), out)) if out else exc}",
              file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt as stop:
        if not isinstance(stop, StopExplained):  # (one that said what was kept says no more)
            print(f"interrupted after {time.perf_counter() - started:.1f} s", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return 0
    except Exception as exc:  # internal error: a bug, so show where it happened
        if isinstance(exc, OSError) and exc.errno == errno.ENAMETOOLONG:
            # a path given (--out, a directory) that no file system takes: bad input
            print(f"error: {show(str(exc.filename))}: a path the file system can open "
                  f"({exc.strerror})", file=sys.stderr)
            return EXIT_BAD_INPUT
        if isinstance(exc, OSError) and exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS) \
                and exc.filename is not None:
            # a path given (--out, a scenario's folder) behind a directory this user may
            # not enter, or on a read-only disk: said, as the commands' own checks say it
            print(f"error: {show(str(exc.filename))}: a path this user can reach, read and "
                  f"write where output goes ({exc.strerror}: a directory on the way may not "
                  "be entered, or the file or disk is not writable)", file=sys.stderr)
            return EXIT_BAD_INPUT
        traceback.print_exc()
        print("internal error (exit 1): please report it with the command above",
              file=sys.stderr)
        return 1
    finally:
        if program:
            ignore_stops()
        if "sim.outlock" in sys.modules:  # (the command made an output directory ready)
            sys.modules["sim.outlock"].release_out_locks()


def _output_failed(out: ClosedPipeGuard, status: int) -> int:
    """The exit status once standard output has failed (a full disk, a terminal gone):
    the results in --out are saved, but what was printed is incomplete, so it is said,
    in one line, and the status is no longer 0."""
    if out.failed is None:
        return status
    print(f"error: standard output could not be written ({out.failed.strerror or out.failed}); "
          "what it lacks is in --out DIR where one was given", file=sys.stderr)
    return status or EXIT_FAILED


if __name__ == "__main__":
    stdout = sys.stdout = ClosedPipeGuard(sys.stdout)  # type: ignore[assignment]
    sys.stderr = ClosedPipeGuard(sys.stderr)  # type: ignore[assignment]
    try:
        try:
            status = main(sys.argv[1:], program=True)
        except SystemExit as done:  # --help, or arguments refused: argparse exits itself
            status = done.code if isinstance(done.code, int) else 0 if done.code is None \
                else EXIT_BAD_INPUT
        sys.exit(_output_failed(stdout, status))  # type: ignore[arg-type]
    except KeyboardInterrupt as stop:  # in the instant the command ended (it is done)
        ignore_stops()
        sys.exit(128 + stop.signum if isinstance(stop, Terminated) else EXIT_INTERRUPTED)
    finally:
        ignore_stops()  # (also after --help, or arguments refused before any command)
