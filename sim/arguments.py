"""The command line's grammar: its subcommands and their options, each checked by a
value type of :mod:`sim.argtypes` (a bad value is refused by argparse with exit 2
before anything runs), and the checks between options once they are read.

Kept apart from ``run_sim.py``, which only dispatches the parsed arguments to the
library and prints, so the options and their bounds can be read in one place.
"""

from __future__ import annotations

import argparse
import itertools
import re
from collections.abc import Mapping
from difflib import get_close_matches
from pathlib import Path
from typing import Any, NoReturn

from sim.argtypes import (
    DEFAULT_CHECKPOINT,
    DEFAULT_RUNS,
    DEFAULT_SEED,
    MAX_RUNS,
    MAX_WORKERS,
    count,
    in_dir,
    out_dir,
    precision_float,
    replication_int,
    seconds,
    seed_int,
)
from sim.defaults import DEFAULT_MAX_RUNS, DEFAULT_MIN_RUNS
from sim.errors import ScenarioError


class Parser(argparse.ArgumentParser):
    """An argument parser whose refusals are one line, as every other bad input's is
    (argparse's own printed its usage block first, six lines for ``run``); the line
    says where the usage is. Subcommands' parsers are of this class too."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # no abbreviations: "--ru 10 --runs 20" quietly ran 20, and an abbreviation that
        # works today would become ambiguous when an option is added
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)
        self.commands: Mapping[str, argparse.ArgumentParser] = {}
        """The subcommands' parsers, by name (on the top-level parser)."""

    def error(self, message: str) -> NoReturn:
        # "invalid choice: 'rum' (choose from ...)": argparse names no near command
        bad = re.match(r"argument command: invalid choice: '([^']*)'", message)
        near = get_close_matches(bad.group(1), list(self.commands), n=1) if bad else []
        meant = f"; did you mean {near[0]}?" if near else ""
        if bad and Path(bad.group(1)).is_file():  # a scenario file not named .toml
            meant = (f"; {bad.group(1)} is a file: to run it as a scenario, write "
                     f"'{self.prog} run {bad.group(1)}'")
        self.exit(2, f"error: {self.prog}: {message}{meant} (usage: '{self.prog} --help')\n")

    def parse(self, args: list[str]) -> argparse.Namespace:
        """As ``parse_args``, but arguments no option takes are refused by the subcommand
        given, whose usage lists its options (the top level's lists only commands)."""
        parsed, extra = self.parse_known_args(args)
        if extra:
            command = getattr(parsed, "command", None) or ""
            owner = self.commands.get(command, self)
            owner.error(f"unrecognized arguments: {' '.join(extra)}"
                        + self._meant(command, owner, extra, args))
        return parsed

    def _meant(self, command: str, owner: argparse.ArgumentParser, extra: list[str],
               args: list[str]) -> str:
        """What the first unknown option was probably meant to be: an option of this
        command spelt alike (--seeds), or one of another command (--param is sweep's)."""
        named = next((e for e in extra if e in self.commands), None)
        if named is not None:  # options before the command went to the default run
            return f"; give the command first, then its options: 'run_sim.py {named} ...'"
        given = next((e.split("=", 1)[0] for e in extra if e.startswith("--")), None)
        if given is None:
            # --param KEY V1,V2: argparse took KEY for the option's value, and V1,V2 is left
            spaced = any(a in ("--set", "--param") and "=" not in b
                         for a, b in itertools.pairwise(args))
            return "; --set and --param take KEY=VALUE in one argument" if spaced else ""
        own = [o for a in owner._actions for o in a.option_strings if o.startswith("--")]
        near = get_close_matches(given, own, n=1, cutoff=0.7)
        # --progress (or --progres): the positive form of a --no- option is the default
        positive = f"--{near[0][5:]}" if near and near[0].startswith("--no-") \
            and not given.startswith("--no-") else None
        if positive and get_close_matches(given, [positive], n=1, cutoff=0.8):
            return f"; {positive} is the default ({near[0]} turns it off)"
        if near:
            return f"; did you mean {near[0]}?"
        others = [name for name, p in self.commands.items() if name != command
                  and any(given in a.option_strings for a in p._actions)]
        if others:
            return f"; {given} is an option of {' and '.join(others)}, not of {command or 'this command'}"
        return ""


def build_parser() -> Parser:
    """All subcommands and their options."""
    parser = Parser(
        prog="run_sim.py",
        description="Estimate whether a Syrian ceasefire is agreed and whether it holds.",
        epilog="Without a command, or with a scenario file first, the command is 'run' (of "
               "scenarios/geneva_2016.toml by default): 'run_sim.py --runs 10000', "
               "'run_sim.py scenarios/aleppo_48h_pause.toml --plot --out aleppo'.",
    )
    sub = parser.add_subparsers(dest="command")
    parser.commands = sub.choices

    def common(p: argparse.ArgumentParser, runs: bool = True, resumable: bool = False) -> None:
        if runs and resumable:
            # None until filled in (fill_runs): a resumed run takes its saved size
            p.add_argument("--runs", type=count(MAX_RUNS), default=None,
                           help=f"replications (default {DEFAULT_RUNS}; with --resume, "
                                "as saved)")
        elif runs:
            p.add_argument("--runs", type=count(MAX_RUNS), default=DEFAULT_RUNS,
                           help=f"replications (default {DEFAULT_RUNS})")
        # None until filled in (sim.resuming.resumed_seed): a resume takes the saved seed
        p.add_argument("--seed", type=seed_int, default=None,
                       help=f"root seed (default {DEFAULT_SEED}; with --resume, as saved)")
        p.add_argument("--workers", type=count(MAX_WORKERS), default=None,
                       help="worker processes (default: all cores; 1 runs in-process)")
        p.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE",
                       help="override a scenario value by dotted key (repeatable)")
        p.add_argument("--out", type=out_dir, default=None, metavar="DIR",
                       help="write results into DIR")
        command = p.prog.rsplit(" ", 1)[-1]  # "run_sim.py sweep": the help differs a little
        p.add_argument("--json", action="store_true",
                       help="print JSON" + (" (a list, one object per point)"
                                            if command == "sweep" else ""))
        p.add_argument("--no-progress", action="store_true",
                       help="no progress bar (one shows on stderr for long runs by default)")
        p.add_argument("--dask", default=None, metavar="ADDRESS",
                       help="run on a dask.distributed scheduler (extra 'distributed')")
        draws = command == "backtest"  # its figure is drawn with --out alone
        p.add_argument("--plot", action="store_true",
                       help="also draw each scenario's run figures into --out "
                       "DIR/cases/NAME (the calibration figure is drawn without it)" if draws
                       else "draw figures into --out DIR")
        p.add_argument("--format", choices=("png", "svg"), default=None,
                       help=f"with {'--out' if draws else '--plot'}: figure format (default png)")
        if resumable:
            p.add_argument("--checkpoint", type=seconds, default=None, metavar="SECONDS",
                           help="with --out: save the finished runs this often while "
                                "running, so a crash loses at most this much (default "
                                f"{DEFAULT_CHECKPOINT:g}; 0: only as each part ends)")

    run = sub.add_parser("run", help="estimate P(agreement) and P(hold) for a scenario")
    run.add_argument("scenario", type=Path, nargs="?", default=None,
                     help="scenario file (default: scenarios/geneva_2016.toml)")
    common(run, resumable=True)
    adaptive(run, "run until the Wilson 95%% half-width of P(agreement) and of each "
                  "milestone's P(hold) is <= EPS (instead of --runs; see --min-runs and "
                  "--max-runs; the given-agreement column is wider)")
    run.add_argument("--resume", action="store_true",
                     help="finish an interrupted run saved in --out DIR")

    sw = sub.add_parser("sweep", help="vary parameters on common random numbers")
    sw.add_argument("scenario", type=Path)
    sw.add_argument("--param", action="append", default=[], required=True,
                    metavar="KEY=V1,V2,...|KEY=start:stop:num",
                    help="a scenario key and its values: listed, or num evenly spaced from "
                         "start to stop (repeatable: several make a grid; the first value "
                         "of each is the reference)")
    common(sw, resumable=True)
    adaptive(sw, "run each point until the Wilson 95%% half-width of its P(agreement) and "
                 "of each milestone's P(hold) is <= EPS, as run --precision would run it "
                 "(instead of --runs; see --min-runs and --max-runs)")
    sw.add_argument("--resume", action="store_true",
                    help="finish an interrupted sweep saved in --out DIR (its finished "
                         "points are kept, the interrupted one finished, the rest run)")

    cmp_ = sub.add_parser("compare", help="paired difference of two scenarios or a counterfactual")
    cmp_.add_argument("scenarios", type=Path, nargs="+")
    cmp_.add_argument("--param", action="append", default=[],
                      metavar="KEY=V1,V2,...|KEY=start:stop:num",
                      help="compare at each of these values, set on both sides (repeatable: "
                           "several make a grid): does the difference hold up across a "
                           "judgement?")
    common(cmp_, resumable=True)
    adaptive(cmp_, "run both sides in step until the paired 95%% interval of A - B in "
                   "P(agreement) and in each milestone's P(hold) has a half-width <= EPS "
                   "(instead of --runs; see --min-runs and --max-runs; with --param, at each "
                   "point)")
    cmp_.add_argument("--resume", action="store_true",
                      help="finish an interrupted comparison saved in --out DIR (each side's "
                           "finished replications are kept)")

    bt = sub.add_parser("backtest", help="score scenarios with an [observed] section")
    bt.add_argument("directory", type=in_dir)
    common(bt, resumable=True)
    bt.add_argument("--resume", action="store_true",
                    help="finish an interrupted backtest saved in --out DIR (each scenario's "
                         "finished replications are kept)")

    pl = sub.add_parser("plot", help="figures from a saved run, sweep, comparison(s), backtest or trace")
    pl.add_argument("directory", type=in_dir,
                    help="a command's --out DIR (or a run directory inside one), or a folder "
                         "of comparisons' --out DIRs against one scenario on one seed")
    pl.add_argument("--format", choices=("png", "svg"), default="png")

    tr = sub.add_parser("trace", help="one replication, event by event")
    tr.add_argument("scenario", type=Path)
    tr.add_argument("--seed", type=seed_int, default=DEFAULT_SEED,
                    help=f"root seed of the run it belongs to (default {DEFAULT_SEED})")
    tr.add_argument("--replication", type=replication_int, default=0,
                    help="which replication of that run (default 0)")
    tr.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE",
                    help="override a scenario value by dotted key (repeatable)")
    tr.add_argument("--json", action="store_true", help="print the event log as JSON")
    tr.add_argument("--out", type=out_dir, default=None, metavar="DIR",
                    help="write trace_<seed>_<replication>.json into DIR")
    tr.add_argument("--plot", action="store_true", help="draw the trace figure into --out DIR")
    tr.add_argument("--format", choices=("png", "svg"), default=None,
                    help="with --plot: figure format (default png)")

    va = sub.add_parser("validate", help="check scenario files")
    va.add_argument("scenarios", type=Path, nargs="+")
    va.add_argument("--citations", action="store_true",
                    help="also require every number (and true/false) to have a comment, on "
                         "its line or heading its paragraph, citing its source (a quote and "
                         "where it is from) or saying JUDGEMENT, as the shipped scenarios do; "
                         "only the comment's presence is checked")
    va.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE",
                    help="check each file with this value set, as run would set it "
                         "(repeatable)")

    sub.add_parser("schema", help="print the JSON Schema of the scenario format")
    return parser


def adaptive(parser: argparse.ArgumentParser, what: str) -> None:
    """Add ``--precision EPS`` (described by ``what``) and the bounds of the adaptive run
    it asks for, ``--min-runs`` and ``--max-runs``."""
    parser.add_argument("--precision", type=precision_float, default=None, metavar="EPS",
                        help=f"{what}; with --resume, as saved unless --runs is given")
    parser.add_argument("--min-runs", type=count(MAX_RUNS), default=None,
                        help=f"with --precision: fewest runs (default {DEFAULT_MIN_RUNS}, "
                        "or --max-runs if less; with --resume, as saved)")
    parser.add_argument("--max-runs", type=count(MAX_RUNS), default=None,
                        help=f"with --precision: most runs (default {DEFAULT_MAX_RUNS}; "
                        "with --resume, as saved)")


def first_check(args: argparse.Namespace) -> int:
    """Where an adaptive run or comparison first checks its precision: ``--min-runs``,
    or the default (or ``--max-runs``, if less)."""
    return min(DEFAULT_MIN_RUNS, args.max_runs) if args.min_runs is None else args.min_runs


def complete_run_options(args: argparse.Namespace) -> None:
    """Check the options of ``run`` that depend on one another, and fill in the defaults
    that depend on others.

    Raises:
        ScenarioError: ``--min-runs`` or ``--max-runs`` without ``--precision``,
            ``--runs`` with it, or ``--min-runs`` above ``--max-runs``.
    """
    if args.runs is not None and args.precision is not None:  # which count was meant?
        raise ScenarioError("--runs", "", args.runs, "only without --precision, whose adaptive "
                            "run sets its own count (bound it with --min-runs and --max-runs)")
    for flag, given in (("--min-runs", args.min_runs), ("--max-runs", args.max_runs)):
        if given is not None and args.precision is None:
            raise ScenarioError(flag, "", given, "only with --precision, whose adaptive run it "
                                "bounds; a fixed run takes --runs")
    if args.max_runs is None:
        args.max_runs = DEFAULT_MAX_RUNS
    if args.min_runs is not None and args.min_runs > args.max_runs:
        raise ScenarioError("--min-runs", "", args.min_runs, f"at most --max-runs ({args.max_runs})")


def check_out_options(args: argparse.Namespace) -> None:
    """Refuse an option given without the one it needs (``--out DIR`` to write into,
    ``--plot`` to draw), and fill in the defaults that wait for that check: the figure
    format, and the checkpoint interval of a command that saves as it goes (run, sweep,
    compare, backtest).

    Raises:
        ScenarioError: ``--plot``, ``--resume`` or ``--checkpoint`` without ``--out``, or
            ``--format`` without ``--plot`` (or, for ``backtest``, without ``--out``).
    """
    for option, given in (("--set", getattr(args, "sets", [])), ("--param", getattr(args, "param", []))):
        # refused before any file is read: 'run --set KEY 800' made 800 the scenario file
        # and was refused as a missing file
        bare = next((g for g in given if "=" not in g), None)
        if bare is not None:
            raise ScenarioError(option, "", bare, "KEY=VALUE in one argument (the shell splits "
                                "KEY VALUE, or KEY = VALUE, into several: quote it)")
    if getattr(args, "plot", False) and args.out is None:
        raise ScenarioError("--plot", "", None, "--plot needs --out DIR to write figures into")
    if getattr(args, "resume", False) and args.out is None:
        kind = KINDS["compare_sweep" if args.command == "compare" and args.param
                     else args.command]
        raise ScenarioError("--resume", "", None, f"--resume needs --out DIR of the earlier "
                            f"{kind} to finish")
    if args.command in ("backtest", "plot"):  # backtest draws with --out alone
        if args.command == "backtest" and args.format is not None and args.out is None:
            raise ScenarioError("--format", "", args.format, "only with --out DIR, where the "
                                "backtest draws its figure")
    elif getattr(args, "format", None) is not None and not args.plot:
        raise ScenarioError("--format", "", args.format, "only with --plot, whose figures "
                            "it sets")
    if hasattr(args, "format"):
        args.format = args.format or "png"
    if not hasattr(args, "checkpoint"):
        return
    if args.checkpoint is not None and args.out is None:
        raise ScenarioError("--checkpoint", "", args.checkpoint, "only with --out DIR, where "
                            "the finished runs are saved")
    if args.checkpoint is None:
        args.checkpoint = DEFAULT_CHECKPOINT


KINDS = {"run": "run", "sweep": "sweep", "compare": "comparison",
         "compare_sweep": "comparison sweep", "backtest": "backtest"}
"""What each command that saves as it goes leaves: a run, a sweep, a comparison, a
backtest."""


def fill_runs(args: argparse.Namespace) -> None:
    """``--runs`` as given, or its default (a command with ``--resume``, once it has
    taken a resumed run's own)."""
    if args.runs is None:
        args.runs = DEFAULT_RUNS


