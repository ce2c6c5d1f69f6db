"""A resumed run finishes the run that was started: without ``--runs`` or
``--precision`` it takes the saved run's, rather than the defaults (a 6,000-run job
resumed without ``--runs`` ended at 4,000 and looked finished)."""

from __future__ import annotations

import json

from helpers import DEFAULT, interrupt_chunk

import run_sim

QUIET = ["--workers", "1", "--no-progress"]


def run(*args: str) -> int:
    return run_sim.main(["run", str(DEFAULT), *QUIET, *args])


def test_a_resume_without_runs_finishes_the_saved_run_size(tmp_path, monkeypatch, capsys):
    out, fresh = tmp_path / "run", tmp_path / "fresh"
    interrupt_chunk(monkeypatch, 3, size=250)
    assert run("--runs", "1200", "--seed", "5", "--out", str(out)) == 130
    monkeypatch.undo()
    capsys.readouterr()
    assert run("--seed", "5", "--out", str(out), "--resume", "--json") == 0
    captured = capsys.readouterr()
    assert "resuming with the saved run's --runs 1200" in captured.err
    assert json.loads(captured.out)["runs"] == 1200
    assert run("--runs", "1200", "--seed", "5", "--out", str(fresh)) == 0
    assert (out / "runs.csv").read_bytes() == (fresh / "runs.csv").read_bytes()


def interrupted_adaptive(out, monkeypatch, capsys) -> None:
    """An adaptive run (--precision 0.04, checked at 600) stopped in its third work item."""
    interrupt_chunk(monkeypatch, 3, size=250)
    assert run("--precision", "0.04", "--min-runs", "600", "--max-runs", "5000",
               "--out", str(out)) == 130
    monkeypatch.undo()
    capsys.readouterr()


def test_a_resume_without_precision_stays_adaptive(tmp_path, monkeypatch, capsys):
    out = tmp_path / "run"
    interrupted_adaptive(out, monkeypatch, capsys)
    assert run("--out", str(out), "--resume", "--json") == 0
    captured = capsys.readouterr()
    assert "--precision 0.04 --min-runs 600 --max-runs 5000" in captured.err
    summary = json.loads(captured.out)
    assert summary["precision"]["target"] == 0.04 and summary["runs"] == 600


def test_a_resume_given_only_a_bound_stays_adaptive(tmp_path, monkeypatch, capsys):
    """'--resume --max-runs N' of an adaptive run was refused as a bound without
    --precision: the saved precision is taken, with the bound given."""
    out = tmp_path / "run"
    interrupted_adaptive(out, monkeypatch, capsys)
    assert run("--out", str(out), "--resume", "--max-runs", "4000", "--json") == 0
    captured = capsys.readouterr()
    assert ("resuming with the saved run's --precision 0.04 --min-runs 600 (and the "
            "--max-runs given)") in captured.err
    assert json.loads(captured.out)["precision"]["target"] == 0.04
    fixed = tmp_path / "fixed"
    assert run("--runs", "300", "--out", str(fixed)) == 0
    assert run("--out", str(fixed), "--resume", "--max-runs", "4000") == 2
    assert "only with --precision" in capsys.readouterr().err


def test_a_resume_given_a_new_precision_keeps_the_saved_bounds(tmp_path, monkeypatch, capsys):
    """'--resume --precision EPS' ran to the default bounds: a run saved with
    --min-runs 600 checked first at 1,000 and passed the 600 where it meets 0.045. It
    now finishes as a fresh run with the new precision and the saved bounds."""
    out, fresh = tmp_path / "run", tmp_path / "fresh"
    interrupted_adaptive(out, monkeypatch, capsys)
    assert run("--out", str(out), "--resume", "--precision", "0.045", "--json") == 0
    captured = capsys.readouterr()
    assert ("resuming with the saved run's --min-runs 600 --max-runs 5000 (and the "
            "--precision given)") in captured.err
    summary = json.loads(captured.out)
    assert summary["precision"] == {"target": 0.045, "met": True, "runs": 600}
    manifest = json.loads((out / "manifest.json").read_text())
    assert (manifest["min_runs"], manifest["max_runs"]) == (600, 5000)
    assert run("--precision", "0.045", "--min-runs", "600", "--max-runs", "5000",
               "--out", str(fresh)) == 0
    assert (out / "runs.csv").read_bytes() == (fresh / "runs.csv").read_bytes()

def test_options_given_again_are_the_resumes_own(tmp_path, capsys):
    out = tmp_path / "run"
    assert run("--runs", "300", "--out", str(out)) == 0
    capsys.readouterr()
    assert run("--runs", "500", "--out", str(out), "--resume", "--json") == 0
    captured = capsys.readouterr()
    assert "resuming with" not in captured.err and json.loads(captured.out)["runs"] == 500


def test_a_resume_of_a_directory_holding_nothing_says_it_starts_afresh(tmp_path, capsys):
    """A mistyped --out started a fresh run without a word."""
    out = tmp_path / "typo"
    assert run("--runs", "50", "--seed", "5", "--out", str(out), "--resume") == 0
    assert (f"nothing saved in {out} to resume: the run starts afresh, on seed 5"
            in capsys.readouterr().err)
    # given nothing to go on, it ran 4,000 runs on seed 2016 in place of the run meant
    killed = tmp_path / "killed"
    killed.mkdir()
    assert run("--out", str(killed), "--resume") == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: --resume: a directory holding a run to resume, but nothing "
                          f"is saved in {killed} (a run stopped before its first save holds "
                          "nothing): to start it afresh there, give its --runs (or --precision) "
                          "and --seed, or leave out --resume")
    assert not any(killed.iterdir())
    assert run("--out", str(tmp_path / "typed"), "--resume") == 2
    assert (f"a directory holding a run to resume, but {tmp_path / 'typed'} does not exist: "
            "to start it afresh there") in capsys.readouterr().err
    # a file: said first, or giving the --runs advised would meet it next
    (tmp_path / "afile").write_text("")
    assert run("--out", str(tmp_path / "afile"), "--resume") == 2
    assert "a directory, but it is a file (left as it is)" in capsys.readouterr().err


def test_an_edited_manifest_is_not_trusted_for_the_resumes_options(tmp_path, capsys):
    """A damaged count was passed over, and the run finished at the default 4,000 without
    a word: it looked finished and was not."""
    out = tmp_path / "run"
    assert run("--runs", "300", "--out", str(out)) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    for bad in (True, "300", -5, 1.5, None, 10**400):
        (out / "manifest.json").write_text(json.dumps({**manifest, "runs_requested": bad}))
        capsys.readouterr()
        assert run("--out", str(out), "--resume", "--json") == 2
        err = capsys.readouterr().err
        assert err.startswith("error: --runs: give --runs (or --precision)"), err
        assert "Traceback" not in err and "resuming with" not in err
    assert run("--runs", "300", "--out", str(out), "--resume", "--json") == 0
    for bad in (0.0, 0.5, 2.0, -0.01):  # a precision no run could have been started with
        (out / "manifest.json").write_text(json.dumps({**manifest, "precision": bad}))
        assert run("--out", str(out), "--resume", "--json") == 0
        assert "resuming with the saved run's --runs 300" in capsys.readouterr().err


def test_the_saved_options_are_told_only_once_the_run_is_known_to_be_resumable(tmp_path,
                                                                               capsys):
    out = tmp_path / "run"
    assert run("--runs", "300", "--seed", "3", "--out", str(out)) == 0
    capsys.readouterr()
    assert run("--seed", "4", "--out", str(out), "--resume") == 2
    err = capsys.readouterr().err
    assert "--seed: bad value 4" in err and "resuming with" not in err


def test_a_resume_mismatch_names_the_file_of_the_chain_that_changed(tmp_path, capsys):
    """A change in a parent file was reported against the child that only extends it."""
    parent = tmp_path / "parent.toml"
    parent.write_text(DEFAULT.read_text())
    child = tmp_path / "child.toml"
    child.write_text('extends = "parent.toml"\nname = "child"\ntitle = "Child"\n')
    out = tmp_path / "run"
    quick = ["--runs", "50", "--workers", "1", "--no-progress", "--out", str(out)]
    assert run_sim.main(["run", str(child), *quick]) == 0
    text = parent.read_text()
    assert "deterrence = 0.3" in text
    parent.write_text(text.replace("deterrence = 0.3", "deterrence = 0.4"))
    capsys.readouterr()
    assert run_sim.main(["run", str(child), *quick, "--resume"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {parent}: ceasefire.monitoring.deterrence: bad value 0.4")


def test_every_resume_without_seed_takes_the_saved_seed(tmp_path, capsys):
    """'finish with run ... --resume --out DIR' was refused for a run started with
    --seed 5 ('the seed of the run saved ... 5'): the default seed does not match."""
    sweep = ["--param", "ceasefire.monitoring.deterrence=0.3,0.6"]
    commands = {"run": ["run", str(DEFAULT)], "sweep": ["sweep", str(DEFAULT), *sweep],
                "compare": ["compare", str(DEFAULT), "--set", "ceasefire.monitoring.deterrence=0.9"],
                "backtest": ["backtest", str(DEFAULT.parent)]}
    for name, command in commands.items():
        out = tmp_path / name
        assert run_sim.main([*command, *QUIET, "--runs", "6", "--seed", "5", "--out", str(out)]) == 0
        capsys.readouterr()
        assert run_sim.main([*command, *QUIET, "--runs", "8", "--out", str(out), "--resume"]) == 0
        assert "resuming with the saved --seed 5" in capsys.readouterr().err, name
        fresh = tmp_path / f"{name}-fresh"
        assert run_sim.main([*command, *QUIET, "--runs", "8", "--seed", "5", "--out", str(fresh)]) == 0
        made = sorted(p.relative_to(out) for p in out.rglob("runs.csv"))
        assert made and made == sorted(p.relative_to(fresh) for p in fresh.rglob("runs.csv"))
        for part in made:
            assert (out / part).read_bytes() == (fresh / part).read_bytes(), (name, part)


def test_a_fresh_command_without_seed_uses_the_default(tmp_path, capsys):
    out = tmp_path / "run"
    assert run("--runs", "3", "--out", str(out)) == 0
    assert json.loads((out / "manifest.json").read_text())["seed"] == 2016
    assert "saved --seed" not in capsys.readouterr().err
