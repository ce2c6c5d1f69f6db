"""The bounds of the command line's options, at their edges: the largest value allowed is
taken and the next is refused, a refusal names the bad value, and the defaults filled
in later are the documented ones."""

from __future__ import annotations

import argparse
import json

import pytest
from helpers import DEFAULT, ROOT
from test_cli import no_runs

import run_sim
from sim.arguments import DEFAULT_CHECKPOINT, DEFAULT_RUNS, build_parser, check_out_options, fill_runs

QUIET = ["--workers", "1", "--no-progress"]


def recorded(monkeypatch, command: str = "run") -> list[argparse.Namespace]:
    """Replace ``command`` by one that only records the options it was given (after
    they passed the checks every command's options pass): nothing runs."""
    seen: list[argparse.Namespace] = []

    def record(args: argparse.Namespace) -> int:
        seen.append(args)
        return 0

    monkeypatch.setitem(run_sim.COMMANDS, command, record)
    return seen


def parsed(*args: str) -> argparse.Namespace:
    return build_parser().parse(list(args))


def refused(*args: str) -> None:
    """``run_sim.main(args)`` ends with argparse's exit 2 (a bad value is refused while
    the command line is read, before anything runs)."""
    with pytest.raises(SystemExit) as stop:
        run_sim.main(list(args))
    assert stop.value.code == 2


def test_a_value_that_is_not_a_number_is_named_in_the_refusal(monkeypatch, capsys):
    """The refusal quotes what was typed: in a long command line it says which value
    to fix."""
    no_runs(monkeypatch)
    refused("run", str(DEFAULT), "--runs", "abc")
    err = capsys.readouterr().err
    assert "argument --runs: bad value 'abc'; a whole number from 1 to 100,000,000" in err


@pytest.mark.parametrize(("text", "runs"), [
    ("0" * 59 + "5", 5),     # 60 characters: read
    ("0" * 60 + "5", None),  # 61: refused before Python converts it
])
def test_a_whole_number_may_be_written_in_up_to_60_characters(text, runs, monkeypatch, capsys):
    """Sixty characters are read as the number they write (leading zeros and all); one
    more is refused, as far longer text must be before int() meets its own limit and
    refuses with its own message."""
    args = ["run", str(DEFAULT), "--runs", text, "--json", *QUIET]
    if runs is None:
        no_runs(monkeypatch)
        refused(*args)
        assert f"argument --runs: bad value '{text}'" in capsys.readouterr().err
    else:
        assert run_sim.main(args) == 0, capsys.readouterr().err
        assert json.loads(capsys.readouterr().out)["runs"] == runs


def test_the_most_workers_and_runs_are_allowed(monkeypatch, capsys):
    """--workers 1024 and --runs 100,000,000 are the documented upper bounds, so they
    are allowed themselves."""
    seen = recorded(monkeypatch)
    assert run_sim.main(["run", str(DEFAULT), "--workers", "1024", "--runs", "100000000"]) == 0, \
        capsys.readouterr().err
    assert (seen[0].workers, seen[0].runs) == (1024, 100_000_000)


def test_replication_zero_can_be_traced(capsys):
    """Replications are counted from 0 (runs.csv's first row); the first is the one a
    trace shows by default and can be asked for by number."""
    assert run_sim.main(["trace", str(DEFAULT), "--replication", "0"]) == 0
    named = capsys.readouterr().out
    assert run_sim.main(["trace", str(DEFAULT)]) == 0
    assert "Outcome: " in named and named == capsys.readouterr().out


def test_a_checkpoint_of_a_whole_day_is_allowed(monkeypatch, tmp_path, capsys):
    """A day, 86400 s, is the longest checkpoint interval and is allowed itself."""
    seen = recorded(monkeypatch)
    assert run_sim.main(["run", str(DEFAULT), "--checkpoint", "86400",
                         "--out", str(tmp_path / "out")]) == 0, capsys.readouterr().err
    assert seen[0].checkpoint == 86400.0


@pytest.mark.parametrize("value", ["0", "0.0", "1e-300", "9e-7"])
def test_a_precision_of_zero_is_refused_with_the_range(value, monkeypatch, capsys):
    """A zero half-width can never be reached: the adaptive run would go on to
    --max-runs while seeming to aim at something; one of 1e-300 overflowed the run count
    computed for it (a traceback)."""
    no_runs(monkeypatch)
    refused("run", str(DEFAULT), "--precision", value)
    assert (f"argument --precision: bad value '{value}'; a number from 1e-06 to below 0.5"
            in capsys.readouterr().err)


def test_min_runs_may_equal_max_runs(capsys):
    """Equal bounds fix the adaptive run's size: allowed (only --min-runs above
    --max-runs contradicts itself)."""
    assert run_sim.main(["run", str(DEFAULT), "--precision", "0.1", "--min-runs", "10",
                         "--max-runs", "10", *QUIET]) == 0, capsys.readouterr().err
    assert "precision 0.1: NOT reached (hit --max-runs) after 10 runs" in capsys.readouterr().out


@pytest.mark.parametrize(("args", "kind"), [
    (["run", str(DEFAULT)], "run"),
    (["sweep", str(DEFAULT), "--param", "ceasefire.max_acts=50000"], "sweep"),
    (["compare", str(DEFAULT)], "comparison"),
    (["backtest", str(ROOT / "scenarios")], "backtest"),
])
def test_resume_without_out_says_which_directory_it_needs(args, kind, monkeypatch, capsys):
    """There is nothing to finish without the directory of the earlier run: each
    command says so in its own words, before anything runs."""
    no_runs(monkeypatch)
    assert run_sim.main([*args, "--resume", *QUIET]) == 2
    err = capsys.readouterr().err
    assert f"error: --resume: --resume needs --out DIR of the earlier {kind} to finish" in err


def test_the_checkpoint_defaults_to_a_minute_with_out(tmp_path):
    """With --out, the finished runs are saved every 60 s by default: a crash loses at
    most a minute (0 would save only at the end)."""
    args = parsed("run", str(DEFAULT), "--out", str(tmp_path))
    check_out_options(args)
    assert args.checkpoint == DEFAULT_CHECKPOINT == 60.0


def test_runs_default_to_4000_once_filled_in():
    """--runs is left unset until a resumed run could take its saved count; then it is
    the documented 4000."""
    args = parsed("run", str(DEFAULT))
    assert args.runs is None
    fill_runs(args)
    assert args.runs == DEFAULT_RUNS == 4000


def test_resuming_a_run_whose_manifest_is_gone_names_the_manifest(tmp_path, capsys):
    """Without a manifest there is no saved run to take options from: the refusal says
    the manifest is missing (the real problem), not to give --runs (which would not
    help)."""
    out = tmp_path / "out"
    assert run_sim.main(["run", str(DEFAULT), "--runs", "20", "--out", str(out), *QUIET]) == 0
    (out / "manifest.json").unlink()
    capsys.readouterr()
    before = sorted(p.name for p in out.iterdir())
    assert run_sim.main(["run", str(DEFAULT), "--out", str(out), "--resume", *QUIET]) == 2
    err = capsys.readouterr().err
    assert f"{out / 'manifest.json'}: missing" in err and "give --runs" not in err, err
    assert sorted(p.name for p in out.iterdir()) == before


# -- run counts read back from a saved manifest ----------------------------------------


def test_a_saved_run_count_is_taken_only_when_it_is_one_the_options_allow():
    """A manifest may have been edited: a count the options would refuse is not taken."""
    from sim.argtypes import MAX_RUNS
    from sim.resume_options import saved_count

    assert saved_count(1) == 1 and saved_count(MAX_RUNS) == MAX_RUNS
    for bad in (0, -5, MAX_RUNS + 1, True, 12.0, "600", None):
        assert saved_count(bad) is None, bad


def test_a_resumed_adaptive_run_takes_only_the_valid_bounds_it_saved(tmp_path):
    from sim.resume_options import resume_options

    args = argparse.Namespace(out=tmp_path, runs=None, precision=None, min_runs=None,
                              max_runs=None)
    note = resume_options(args, {"precision": 0.01, "min_runs": "x", "max_runs": 5000})
    assert (args.precision, args.min_runs, args.max_runs) == (0.01, None, 5000)
    assert note == "resuming with the saved run's --precision 0.01 --max-runs 5000"



def test_a_new_precision_keeps_the_saved_bounds_unless_they_cross_one_given(tmp_path):
    """A resume given a new ``--precision`` keeps the bounds saved with the old one (they
    were left at the defaults); a saved bound that would cross one given is not taken."""
    from sim.resume_options import resume_options

    saved = {"precision": 0.04, "min_runs": 5000, "max_runs": 9000}
    args = argparse.Namespace(out=tmp_path, runs=None, precision=0.03, min_runs=None,
                              max_runs=None)
    note = resume_options(args, saved)
    assert (args.precision, args.min_runs, args.max_runs) == (0.03, 5000, 9000)
    assert note == ("resuming with the saved run's --min-runs 5000 --max-runs 9000 (and the "
                    "--precision given)")
    args = argparse.Namespace(out=tmp_path, runs=None, precision=0.03, min_runs=None,
                              max_runs=2000)
    assert resume_options(args, saved) == ""
    assert (args.min_runs, args.max_runs) == (None, 2000)
    fixed = argparse.Namespace(out=tmp_path, runs=None, precision=0.03, min_runs=None,
                               max_runs=None)  # a fixed run made adaptive: the defaults
    assert resume_options(fixed, {"runs_requested": 600, "precision": None}) == ""
    assert (fixed.precision, fixed.min_runs, fixed.max_runs) == (0.03, None, None)

# -- options mistyped ------------------------------------------------------------------


@pytest.mark.parametrize(("given", "said"), [
    (["--seeds", "3"], "unrecognized arguments: --seeds 3; did you mean --seed?"),
    (["--outdir", "x"], "unrecognized arguments: --outdir x; did you mean --out?"),
    (["--param", "a=1,2"], "--param is an option of sweep and compare, not of run"),
    (["--bogus"], "unrecognized arguments: --bogus (usage: 'run_sim.py run --help')"),
    (["--progress"], "--progress; --progress is the default (--no-progress turns it off)"),
    (["--progres"], "--progres; --progress is the default (--no-progress turns it off)"),
    (["--no-progres"], "--no-progres; did you mean --no-progress?"),
])
def test_a_mistyped_option_is_refused_with_what_was_probably_meant(monkeypatch, capsys, given, said):
    seen = recorded(monkeypatch)
    with pytest.raises(SystemExit) as stop:
        run_sim.main(["run", str(DEFAULT), *given])
    assert stop.value.code == 2 and not seen
    assert said in capsys.readouterr().err


def test_an_abbreviated_option_is_refused_not_taken_for_the_full_one(monkeypatch, capsys):
    """``--ru 10 --runs 20`` ran 20 without a word, and ``--run 10`` ran 10: an
    abbreviation that works today breaks when an option sharing its start is added."""
    seen = recorded(monkeypatch)
    for given in (["--run", "10"], ["--ru", "10", "--runs", "20"]):
        with pytest.raises(SystemExit):
            run_sim.main(["run", str(DEFAULT), *given])
        assert "did you mean --runs?" in capsys.readouterr().err
    assert not seen


def test_options_before_the_command_are_told_to_follow_it(monkeypatch, capsys):
    """'run_sim.py --runs 5 sweep ...' gave the options to the default run and then
    said --param was sweep's, though the user had typed sweep."""
    seen = recorded(monkeypatch)
    with pytest.raises(SystemExit):
        run_sim.main(["--runs", "5", "sweep", str(DEFAULT), "--param", "a=1,2"])
    assert "give the command first, then its options: 'run_sim.py sweep ...'" in \
        capsys.readouterr().err
    assert not seen


def test_a_mistyped_command_is_given_the_near_one(capsys):
    with pytest.raises(SystemExit):
        run_sim.main(["rum"])
    assert "invalid choice: 'rum'" in (err := capsys.readouterr().err) and "did you mean run?" in err


def test_an_assignment_written_with_a_space_is_refused_as_such(monkeypatch, capsys):
    """'run --set KEY 800' took 800 for the scenario file ('800: file does not exist');
    'sweep FILE --param KEY 0.8,0.4' left '0.8,0.4' unexplained."""
    seen = recorded(monkeypatch)
    assert run_sim.main(["run", "--set", "ceasefire.horizon_hours", "800"]) == 2
    assert ("--set: bad value 'ceasefire.horizon_hours'; KEY=VALUE in one argument"
            in capsys.readouterr().err)
    with pytest.raises(SystemExit):
        run_sim.main(["sweep", str(DEFAULT), "--param", "parties.jfs.behaviour.colocation",
                      "0.8,0.4"])
    assert "--set and --param take KEY=VALUE in one argument" in capsys.readouterr().err
    assert not seen


@pytest.mark.parametrize("command", ["backtest", "plot"])
def test_an_empty_directory_to_read_is_refused_as_out_is(command, capsys):
    """'backtest ""' (an unset shell variable) read the current directory, though an
    empty --out was refused."""
    refused(command, "")
    assert (f"run_sim.py {command}: argument directory: bad value ''; a directory path (empty "
            "text would read the current directory; give . for that)") in capsys.readouterr().err


def test_a_scenario_file_without_toml_given_as_the_command_says_how_to_run_it(tmp_path, capsys):
    """'run_sim.py ./sweep' (a scenario saved without .toml) was told 'did you mean
    sweep?', which reads the file as a misspelt command."""
    import shutil

    shutil.copy(DEFAULT, tmp_path / "sweep")
    refused(str(tmp_path / "sweep"))
    err = capsys.readouterr().err
    assert f"{tmp_path / 'sweep'} is a file: to run it as a scenario, write 'run_sim.py run " in err
    assert "did you mean" not in err
