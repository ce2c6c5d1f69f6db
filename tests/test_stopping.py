"""Stopping a run without losing work: Ctrl-C, SIGTERM, a second signal while saving,
a scenario error part way, a worker killed outright, and checkpoints that let a run
killed outright resume."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from helpers import (
    DEFAULT,
    ROOT,
    alive,
    children,
    cli,
    counting_bar,
    descendants,
    interrupt_chunk,
    interrupt_cli,
    run_child,
    running,
    same_results,
)

import run_sim
from sim.errors import ScenarioError
from sim.runner import Runner
from sim.scenario import load_scenario

same = same_results


@pytest.fixture(scope="module")
def geneva():
    return load_scenario(DEFAULT)


def _wait_for(path, timeout=60.0):
    end = time.time() + timeout
    while time.time() < end:
        if path.exists():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.parametrize("workers", ["1", "2"])
def test_ctrl_c_keeps_finished_runs_and_resume_completes_them(tmp_path, workers):
    out = tmp_path / "run"
    proc = interrupt_cli(["run", str(DEFAULT), "--runs", "60000", "--seed", "5", "--workers",
                          workers, "--no-progress", "--out", str(out)])
    assert proc.returncode == 130, proc.stderr
    assert "Traceback" not in proc.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["partial"] is True
    with (out / "runs.csv").open() as fh:
        done = [int(r["replication"]) for r in csv.DictReader(fh)]
    assert 0 < len(done) < 60000
    assert summary["runs"] == len(done)
    # resume a smaller total so the test stays quick: it must equal an uninterrupted run
    target = max(done) + 300
    resumed = cli("run", str(DEFAULT), "--runs", str(target), "--seed", "5", "--workers", workers,
                  "--no-progress", "--out", str(out), "--resume")
    assert resumed.returncode == 0, resumed.stderr
    fresh = tmp_path / "fresh"
    direct = cli("run", str(DEFAULT), "--runs", str(target), "--seed", "5", "--workers", "2",
                 "--no-progress", "--out", str(fresh))
    assert direct.returncode == 0, direct.stderr
    assert (out / "runs.csv").read_bytes() == (fresh / "runs.csv").read_bytes()
    assert json.loads((out / "summary.json").read_text())["partial"] is False


SLOW = """
# a long, violent ceasefire nobody leaves: a replication takes about a tenth of a second
extends = "{parent}"
name = "slow"
[ceasefire]
horizon_hours = 2000.0
milestones = {{ "x" = 2000.0 }}
max_acts = 100000000
[parties.opposition.behaviour]
tolerance = 0.0
[parties.regime.behaviour]
tolerance = 0.0
[parties.us.behaviour]
tolerance = 0.0
[parties.russia.behaviour]
tolerance = 0.0
[parties.jfs.behaviour]
attack_rate = 1000.0
"""


@pytest.mark.parametrize("workers", ["1", "2"])
def test_ctrl_c_in_a_slow_scenario_keeps_the_replications_finished(tmp_path, workers):
    """Work items were 250 replications whatever they cost: a Ctrl-C in a scenario
    taking a second a replication waited minutes for the running items, then dropped
    them. Items are now sized from the time earlier ones took, so the replications
    finished before the Ctrl-C are kept, and resuming finishes the run exactly."""
    file = tmp_path / "slow.toml"
    file.write_text(SLOW.format(parent=DEFAULT.as_posix()))
    out = tmp_path / "run"
    proc = interrupt_cli(["run", str(file), "--runs", "200", "--workers", workers,
                          "--no-progress", "--out", str(out)], after=3.0)
    assert proc.returncode == 130, proc.stderr
    with (out / "runs.csv").open() as fh:
        kept = [int(r["replication"]) for r in csv.DictReader(fh)]
    assert 0 < len(kept) < 200 and len(kept) == len(set(kept))
    resumed = cli("run", str(file), "--runs", str(max(kept) + 3), "--workers", workers,
                  "--no-progress", "--out", str(out), "--resume")
    assert resumed.returncode == 0, resumed.stderr
    fresh = cli("run", str(file), "--runs", str(max(kept) + 3), "--workers", "2",
                "--no-progress", "--out", str(tmp_path / "fresh"))
    assert fresh.returncode == 0, fresh.stderr
    assert (out / "runs.csv").read_bytes() == (tmp_path / "fresh" / "runs.csv").read_bytes()


def test_ctrl_c_during_a_sweep_keeps_and_marks_the_points_run_so_far(tmp_path):
    out = tmp_path / "sweep"
    proc = interrupt_cli(["sweep", str(DEFAULT), "--param",
                          "ceasefire.monitoring.deterrence=0.1,0.2,0.3", "--runs", "60000",
                          "--workers", "1", "--no-progress", "--out", str(out)])
    assert proc.returncode == 130, proc.stderr
    assert "Traceback" not in proc.stderr and "interrupted during point" in proc.stderr
    assert "PARTIAL" in proc.stdout
    summaries = sorted((out / "points").glob("*/summary.json"))
    assert summaries and json.loads(summaries[-1].read_text())["partial"] is True
    with (out / "sweep.csv").open() as fh:
        assert len(list(csv.DictReader(fh))) == len(summaries)


def test_ctrl_c_during_a_comparison_pairs_the_replications_both_sides_finished(
        tmp_path, capsys, monkeypatch):
    """Ctrl-C while the second side runs: the comparison pairs the replications both
    sides finished, says so, keeps it in --out and exits 130."""
    interrupt_chunk(monkeypatch, 6)  # side A is 4 chunks of 250; stop B after its first chunk
    out = tmp_path / "cmp"
    status = run_sim.main(["compare", str(DEFAULT), "--set", "ceasefire.imposed.delineation=1",
                           "--runs", "1000", "--workers", "1", "--no-progress", "--json",
                           "--out", str(out)])
    captured = capsys.readouterr()
    assert status == 130
    assert "compared on the 250 replications both sides finished" in captured.err
    result = json.loads(captured.out)
    assert result["partial"] is True and result["runs"] == 250
    assert result["a"]["runs"] == result["b"]["runs"] == 250
    assert json.loads((out / "compare.json").read_text())["runs"] == 250


@pytest.mark.parametrize("workers", [1, 2])
def test_a_scenario_error_part_way_keeps_the_replications_finished_before_it(geneva, workers):
    """``ceasefire.max_acts`` set too low stops the run at replication 1089 (seed 2019);
    the replications finished before it are returned with the error, not thrown away.

    In one process that is every replication before 1089. On a pool the error also stops
    the item running beside the failing one after its current replication, so which of
    its replications finished depends on timing: the failing item's own first
    replications are kept, and every replication kept is the one a clean run gives."""
    low = load_scenario(DEFAULT, ["ceasefire.max_acts=120"])
    with Runner(workers=workers, chunk=250) as runner:
        with pytest.raises(ScenarioError):  # by default the error is raised
            runner.run(low, 3000, 2019)
        out = runner.run(low, 3000, 2019, keep_on_error=True)
    assert out.error is not None and out.error.path == "ceasefire.max_acts"
    assert out.partial and not out.interrupted
    kept = out.results.columns["replication"]
    assert 1089 not in set(kept.tolist())
    assert set(range(1000, 1089)) <= set(kept.tolist())  # the failing item's first runs
    if workers == 1:
        assert set(range(1089)) <= set(kept.tolist())
    with Runner(workers=1) as runner:
        fine = runner.run(geneva, 1000, 2019).results
    before = kept < 1000
    assert before.sum() >= 500  # the items finished well before the failure
    for name, column in out.results.columns.items():
        np.testing.assert_array_equal(column[before], fine.columns[name][kept[before]],
                                      err_msg=name)


def test_a_run_stopped_by_a_scenario_error_saves_its_finished_runs_marked_partial(tmp_path):
    out = tmp_path / "run"
    done = cli("run", str(DEFAULT), "--runs", "1500", "--workers", "1", "--no-progress",
               "--seed", "2019", "--set", "ceasefire.max_acts=120", "--out", str(out), timeout=300)
    assert done.returncode == 2, done.stderr
    assert "ceasefire.max_acts" in done.stderr and "Traceback" not in done.stderr
    assert f"finished runs kept in {out}" in done.stderr
    assert "--resume" not in done.stderr  # a resume would meet the same error
    summary = json.loads((out / "summary.json").read_text())
    assert summary["partial"] is True and "max_acts" in summary["error"]
    with open(out / "runs.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    # replication 1089 fails: every one before it is kept, those of its work item too
    assert sorted(int(r["replication"]) for r in rows) == list(range(1089))
    assert summary["runs"] == len(rows)


def test_a_second_ctrl_c_while_the_pool_winds_down_still_keeps_the_finished_runs(tmp_path):
    """The second of two quick SIGINTs used to land while the pool waited for its running
    chunks: nothing was saved, and the process could hang on its orphaned workers."""
    out = tmp_path / "run"
    proc = interrupt_cli(["run", str(DEFAULT), "--runs", "60000", "--workers", "2",
                          "--no-progress", "--out", str(out)], after=4.0, again=0.02)
    assert proc.returncode == 130, proc.stderr
    assert "Traceback" not in proc.stderr
    summary = json.loads((out / "summary.json").read_text())
    with (out / "runs.csv").open() as fh:
        assert summary["partial"] is True and summary["runs"] == len(list(csv.DictReader(fh)))


@pytest.mark.parametrize(("workers", "sig", "status"), [
    ("1", signal.SIGTERM, 143), ("2", signal.SIGTERM, 143), ("2", signal.SIGHUP, 129)])
def test_sigterm_keeps_the_finished_runs_like_ctrl_c(tmp_path, workers, sig, status):
    """``timeout``, ``kill`` and cluster schedulers send SIGTERM, which used to end the
    process with nothing saved; now it stops the run like Ctrl-C, exit 143. So does the
    hang-up of a closed terminal or a dropped SSH session (SIGHUP, exit 129), which lost
    every run since the last checkpoint."""
    out = tmp_path / "run"
    proc = interrupt_cli(["run", str(DEFAULT), "--runs", "60000", "--workers", workers,
                          "--no-progress", "--out", str(out)], after=4.0, sig=sig)
    assert proc.returncode == status, proc.stderr
    assert "Traceback" not in proc.stderr
    summary = json.loads((out / "summary.json").read_text())
    with (out / "runs.csv").open() as fh:
        rows = len(list(csv.DictReader(fh)))
    assert summary["partial"] is True and summary["runs"] == rows and 0 < rows < 60000


def test_stop_signals_are_held_back_while_shielded_then_delivered():
    from sim.signals import shielded

    before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    with shielded(redeliver=False) as held:
        os.kill(os.getpid(), signal.SIGTERM)  # held: the test process lives on
        os.kill(os.getpid(), signal.SIGINT)  # held: no KeyboardInterrupt here
        time.sleep(0.1)
    assert held == [signal.SIGTERM, signal.SIGINT]
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == before
    finished = False
    with pytest.raises(KeyboardInterrupt), shielded():
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.1)
        finished = True  # the save inside is not cut short ...
    assert finished  # ... and the Ctrl-C comes once it is done


def test_sigterm_is_raised_as_an_interrupt_only_inside_the_guard():
    from sim.signals import TermGuard, Terminated

    before = signal.getsignal(signal.SIGTERM)
    with TermGuard() as guard, pytest.raises(Terminated):
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(1)
    assert guard.terminated and signal.getsignal(signal.SIGTERM) == before


def test_a_sigterm_held_back_and_not_delivered_still_counts_as_terminated():
    """A SIGTERM held while the finished runs are collected stops the run without being
    delivered; the exit status must still be 143, not Ctrl-C's 130."""
    from sim.signals import TermGuard, shielded

    with TermGuard() as guard:
        with shielded(redeliver=False) as held:
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(0.1)
        assert held == [signal.SIGTERM] and guard.terminated
    with TermGuard() as guard:
        with shielded(redeliver=False) as held:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.1)
        assert held == [signal.SIGINT] and not guard.terminated


def test_a_worker_killed_mid_run_keeps_the_finished_runs_and_ends_the_run(tmp_path):
    """A worker killed outright (SIGKILL, or the out-of-memory killer) broke the pool:
    an internal-error traceback, and nothing saved. Now the finished runs are kept, the
    message says what happened, and the other worker is stopped (no hang, no orphan)."""
    out = tmp_path / "run"
    with running([sys.executable, str(ROOT / "run_sim.py"), "run", str(DEFAULT), "--runs",
                  "60000", "--workers", "2", "--no-progress", "--out", str(out)],
                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT) as proc:
        time.sleep(4.0)
        workers = children(proc.pid)
        assert len(workers) == 2
        os.kill(workers[0], signal.SIGKILL)
        _, stderr = proc.communicate(timeout=120)
        # looked at before the clean-up, which would end them in any case
        ended = not [w for w in workers if Path(f"/proc/{w}").exists()]
    assert proc.returncode == 1, stderr
    assert "a worker process died" in stderr and "Traceback" not in stderr
    summary = json.loads((out / "summary.json").read_text())
    with (out / "runs.csv").open() as fh:
        rows = len(list(csv.DictReader(fh)))
    assert summary["partial"] is True and "worker process died" in summary["error"]
    assert summary["runs"] == rows and rows > 0
    assert ended


def test_checkpoints_hand_over_every_replication_finished_so_far(geneva):
    saved: list[list[int]] = []
    with Runner(workers=1, chunk=100) as runner:
        out = runner.run(geneva, 500, 3, checkpoint=lambda r: saved.append(
            r.columns["replication"].tolist()), checkpoint_every=0.0)
    assert len(saved) == 5  # after every chunk, with an interval of 0
    assert saved == [list(range(100 * (k + 1))) for k in range(5)]
    same(out.results, Runner(workers=1).run(geneva, 500, 3).results)


def test_a_run_killed_outright_resumes_from_its_last_checkpoint(tmp_path):
    """SIGKILL (or a power cut) leaves no chance to save: the checkpoints taken while
    running are what --resume finishes, and the result equals an uninterrupted run."""
    out = tmp_path / "run"
    with running([sys.executable, str(ROOT / "run_sim.py"), "run", str(DEFAULT), "--runs",
                  "60000", "--seed", "5", "--workers", "2", "--no-progress", "--out", str(out),
                  "--checkpoint", "0.5"],
                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT) as proc:
        time.sleep(4.0)
        workers = children(proc.pid)
        assert len(workers) == 2
        os.killpg(proc.pid, signal.SIGKILL)  # the parent alone: workers have their own session
        proc.wait(timeout=30)
        deadline = time.time() + 10
        while [w for w in workers if alive(w)] and time.time() < deadline:
            time.sleep(0.1)
        assert not [w for w in workers if alive(w)], "workers outlived their parent"
    with (out / "runs.csv").open() as fh:
        done = [int(r["replication"]) for r in csv.DictReader(fh)]
    assert done
    # runs.csv is saved before summary.json, so the kill may land between them: the
    # summary then still describes the save before (or none), which --resume accepts
    if (out / "summary.json").exists():
        summary = json.loads((out / "summary.json").read_text())
        assert summary["partial"] is True and 0 < summary["runs"] <= len(done)
    target = max(done) + 200
    resumed = cli("run", str(DEFAULT), "--runs", str(target), "--seed", "5", "--workers", "1",
                  "--no-progress", "--out", str(out), "--resume")
    assert resumed.returncode == 0, resumed.stderr
    fresh = cli("run", str(DEFAULT), "--runs", str(target), "--seed", "5", "--workers", "2",
                "--no-progress", "--out", str(tmp_path / "fresh"))
    assert fresh.returncode == 0, fresh.stderr
    assert (out / "runs.csv").read_bytes() == (tmp_path / "fresh" / "runs.csv").read_bytes()


def test_a_failing_checkpoint_neither_duplicates_nor_loses_replications(geneva):
    """The chunk whose checkpoint failed was kept twice: once by the sink, once more by
    the clean-up of the error."""
    calls = []

    def failing(results):
        calls.append(len(results))
        if len(calls) == 2:
            raise ScenarioError("--out", "", "x", "a directory that can hold the results")

    with Runner(workers=2, chunk=50) as runner:
        out = runner.run(geneva, 600, 3, checkpoint=failing, checkpoint_every=0.0,
                         keep_on_error=True)
    reps = out.results.columns["replication"].tolist()
    assert out.error is not None and len(reps) == len(set(reps)) >= 100


def test_a_pool_broken_while_idle_is_a_lost_worker_with_the_runs_kept(geneva):
    """A worker that died between two runs (or two batches) made the next submission
    raise BrokenProcessPool out of the runner: an internal error."""
    from sim.runner import WorkerLostError

    others = set(children(os.getpid()))  # processes earlier tests left to this one
    with Runner(workers=2, chunk=50) as runner:
        first = runner.run(geneva, 100, 3)
        pool = [c for c in children(os.getpid()) if alive(c) and c not in others]
        assert len(pool) == 2
        os.kill(pool[0], signal.SIGKILL)
        time.sleep(0.5)
        with pytest.raises(WorkerLostError):
            runner.run(geneva, 200, 3)
        again = runner.run(geneva, 200, 3, existing=first.results)  # on a new pool
    assert again.error is None
    same(again.results, Runner(workers=1).run(geneva, 200, 3).results)


def test_a_ctrl_c_held_through_a_checkpoint_keeps_the_chunks_finished_meanwhile(geneva):
    """The signal a checkpoint held back is raised when its save ends; the chunks the
    workers finished during the save were then dropped (thousands, for a large run)."""
    saved: list[int] = []

    def slow_save_then_ctrl_c(results):
        saved.append(len(results))
        time.sleep(1.0)  # a large save: the workers go on meanwhile
        raise KeyboardInterrupt  # the Ctrl-C it held back

    # far more runs than two workers finish during the save (4000 sometimes all did)
    with Runner(workers=2, chunk=50) as runner:
        out = runner.run(geneva, 40_000, 3, checkpoint=slow_save_then_ctrl_c,
                         checkpoint_every=0.0)
    reps = out.results.columns["replication"].tolist()
    assert out.interrupted and len(reps) == len(set(reps))
    # at least a chunk (50 runs) finished in the second the save took, however busy
    # the machine (a fixed count failed under load: 450 of 500)
    assert len(reps) >= saved[0] + 50, "the chunks finished during the save were dropped"


def test_a_ctrl_c_while_the_finished_runs_are_collected_does_not_lose_them(
        geneva, monkeypatch):
    import sim.runner
    from sim.signals import deferred_stop

    real = sim.runner.empty_results

    def ctrl_c_now(scenario):
        os.kill(os.getpid(), signal.SIGINT)
        return real(scenario)

    monkeypatch.setattr(sim.runner, "empty_results", ctrl_c_now)
    with deferred_stop(redeliver=False) as command, Runner(workers=1) as runner:
        out = runner.run(geneva, 300, 3)
    # every replication had finished: nothing was stopped, and the signal is the
    # command's to act on once it has saved them
    assert not out.interrupted and len(out.results) == 300
    assert command.signals == [signal.SIGINT]


@pytest.mark.parametrize("method", ["spawn", "forkserver"])
def test_workers_exit_with_their_parent_whatever_the_start_method(method, tmp_path):
    """Under a fork server a worker's own parent is the server, which outlives the run:
    the workers watch the process that made the pool instead."""
    script = tmp_path / "pool.py"
    script.write_text(f"""
import multiprocessing, sys
sys.path.insert(0, {str(ROOT)!r})
if __name__ == "__main__":
    multiprocessing.set_start_method({method!r})
    from sim.runner import Runner
    from sim.scenario import load_scenario
    with Runner(workers=2) as runner:
        runner.run(load_scenario({str(DEFAULT)!r}), 10**6, 1)
""")
    with running([sys.executable, str(script)], stderr=subprocess.DEVNULL) as proc:
        deadline = time.time() + 60
        while len(descendants(proc.pid)) < 2 and time.time() < deadline:
            time.sleep(0.2)
        time.sleep(1.0)  # the workers are at work
        family = descendants(proc.pid)
        assert len(family) >= 2
        proc.kill()
        proc.wait(timeout=30)
        deadline = time.time() + 10
        while [p for p in family if alive(p)] and time.time() < deadline:
            time.sleep(0.1)
        assert not [p for p in family if alive(p)], "workers outlived their parent"


def test_a_resumed_adaptive_run_checks_precision_on_the_runs_below_each_check_point(geneva):
    """Saved replications past a check point must not count towards its precision:
    the resumed run stops where an uninterrupted one does, the rest reported beyond."""
    kwargs = {"precision": 0.04, "min_runs": 100, "max_runs": 5000, "batch": 100}
    fresh = Runner(workers=1).run(geneva, 0, seed=13, **kwargs)
    assert fresh.precision_met and fresh.target > 100
    saved = Runner(workers=1).run(geneva, fresh.target + 300, seed=13).results
    resumed = Runner(workers=1).run(geneva, 0, seed=13, existing=saved, **kwargs)
    assert resumed.target == fresh.target and resumed.beyond == 300
    same(resumed.results, fresh.results)


def test_an_adaptive_run_interrupted_mid_batch_keeps_the_batchs_finished_chunks(
        geneva, monkeypatch):
    """Ctrl-C during the second batch: the chunks of that batch that finished are the
    user's work and are kept, though they lie past the last check point."""
    from helpers import interrupt_chunk

    interrupt_chunk(monkeypatch, at=4)  # chunks 0-50, 50-100 | 100-150, then Ctrl-C
    out = Runner(workers=1, chunk=50).run(geneva, 0, seed=3, precision=1e-6, min_runs=100,
                                          max_runs=1000, batch=100)
    assert out.interrupted
    assert out.results.columns["replication"].tolist() == list(range(150))


def test_a_slow_checkpoint_pushes_the_next_one_back(geneva):
    """Saving a large run takes time: the next save waits at least ten times as long as
    the last took, so checkpoints cannot eat the run (here 0.2 s each, 2 s apart)."""
    import time

    saves = []

    def slow(results):
        saves.append(len(results))
        time.sleep(0.2)

    with Runner(workers=1, chunk=20) as runner:
        out = runner.run(geneva, 400, 3, checkpoint=slow, checkpoint_every=0.0)
    assert len(out.results) == 400
    assert saves[0] == 20 and len(saves) <= 3, saves


def test_a_scenario_error_in_a_pool_keeps_the_chunks_still_running_when_it_came(
        geneva, monkeypatch):
    """Chunk 0 fails at once while chunk 1 is still running: chunk 1 is waited for and
    kept (the failed chunk itself is not, and does not stop the others being kept)."""
    import time
    from concurrent.futures import ThreadPoolExecutor

    import sim.chunks
    from sim.errors import ScenarioError

    real = sim.chunks.run_chunk

    def first_fails_second_is_slow(scenario, root, first, last, *stopped):
        if first == 0:
            time.sleep(0.2)  # chunk 1 has started meanwhile
            raise ScenarioError("x.toml", "ceasefire.max_acts", 1, "more acts")
        time.sleep(0.6)
        return real(scenario, root, first, last)

    monkeypatch.setattr(sim.chunks, "run_chunk", first_fails_second_is_slow)
    with ThreadPoolExecutor(max_workers=2) as ex:
        out = Runner(executor=ex, chunk=10).run(geneva, 20, 3, keep_on_error=True)
    assert out.error is not None and out.error.path == "ceasefire.max_acts"
    assert out.results.columns["replication"].tolist() == list(range(10, 20))


def test_an_interrupted_adaptive_runs_summary_counts_the_runs_it_holds(geneva, monkeypatch):
    from helpers import interrupt_chunk

    from sim.report import precision_line, run_summary

    interrupt_chunk(monkeypatch, at=4)
    out = Runner(workers=1, chunk=50).run(geneva, 0, seed=3, precision=1e-6, min_runs=100,
                                          max_runs=1000, batch=100)
    summary = run_summary(out, geneva, 3, 1e-6)
    assert summary["partial"] is True and summary["runs"] == 150
    assert summary["precision"] == {"target": 1e-6, "met": False, "runs": 150}
    assert "not reached when interrupted after 150 runs" in precision_line(out, 1e-6)


def test_checkpoint_zero_saves_only_at_the_end(tmp_path, monkeypatch, capsys):
    import run_sim
    import sim.output

    real, calls = sim.output.write_run, []

    def counting(*args, **kwargs):
        calls.append(len(args[1]))
        return real(*args, **kwargs)

    monkeypatch.setattr(sim.output, "write_run", counting)
    assert run_sim.main(["run", str(DEFAULT), "--runs", "600", "--workers", "1",
                         "--no-progress", "--checkpoint", "0", "--out", str(tmp_path / "r")]) == 0
    assert calls == [600]


def test_an_interrupted_run_with_plot_draws_its_figures_marked_partial(tmp_path, monkeypatch,
                                                                       capsys):
    """It drew nothing and said nothing, while a stopped sweep, comparison or backtest
    draws its figures marked PARTIAL."""
    out = tmp_path / "run"
    interrupt_chunk(monkeypatch, at=2, size=250)
    assert run_sim.main(["run", str(DEFAULT), "--runs", "600", "--workers", "1",
                         "--no-progress", "--out", str(out), "--plot"]) == 130
    assert (f"interrupted after 250 runs; finished runs kept in {out}: finish with 'run ... "
            f"--resume --out {out}'") in capsys.readouterr().err
    assert sorted(p.name for p in out.glob("*.png")) == [
        "agreement.png", "collapse_causes.png", "outcomes.png", "survival.png"]
    import plots
    from sim.output import read_run

    scenario, results, summary, _ = read_run(out)
    assert len(results) == 250
    caption = plots.figures("run", scenario=scenario, results=results,
                            summary=summary)[0].data["caption"]
    assert caption.startswith("PARTIAL")


def test_resuming_an_adaptive_run_is_bounded_by_max_runs_not_runs(tmp_path, capsys):
    """--runs is ignored with --precision: 4100 saved runs (more than the default
    --runs 4000) resume under --max-runs 5000."""
    import run_sim

    out = tmp_path / "run"
    common = ["run", str(DEFAULT), "--workers", "1", "--no-progress", "--out", str(out)]
    assert run_sim.main([*common, "--runs", "4100"]) == 0
    capsys.readouterr()
    assert run_sim.main([*common, "--resume", "--precision", "0.2", "--min-runs", "4100",
                         "--max-runs", "5000", "--json"]) == 0, capsys.readouterr().err


def test_compare_interrupted_before_its_second_side_ends_as_interrupted(monkeypatch, capsys):
    """Ctrl-C while side A runs leaves nothing to pair: exit 130 with a one-line message,
    not an internal error from printing an empty comparison."""
    import run_sim
    import sim.comparison

    monkeypatch.setattr(sim.comparison, "paired", lambda *a, **k: ({}, None, None, True))
    status = run_sim.main(["compare", str(DEFAULT), "--set", "parties.us.no_deal=0.1",
                           "--runs", "10", "--workers", "1", "--no-progress"])
    err = capsys.readouterr().err
    assert status == 130 and "nothing compared" in err and "Traceback" not in err


def test_a_run_stopped_by_a_scenario_error_still_prints_its_summary(capsys):
    """``--json`` printed nothing (and the text nothing) when an error stopped the run,
    though the finished replications' summary, with the error, is the user's."""
    status = run_sim.main(["run", str(DEFAULT), "--runs", "1200", "--workers", "1",
                           "--no-progress", "--json", "--set", "ceasefire.max_acts=120"])
    captured = capsys.readouterr()
    assert status == 2
    summary = json.loads(captured.out)
    assert summary["partial"] is True and "ceasefire.max_acts" in summary["error"]
    assert summary["runs"] > 0 and f"stopped after {summary['runs']} finished runs" in captured.err
    run_sim.main(["run", str(DEFAULT), "--runs", "1200", "--workers", "1", "--no-progress",
                  "--set", "ceasefire.max_acts=120"])
    assert "(PARTIAL: stopped by the error below)" in capsys.readouterr().out


def test_a_stop_request_records_signals_and_raises_only_when_asked():
    """Stop signals are recorded, not raised where they land: raising inside the locks
    of concurrent.futures.wait broke them ("release unlocked lock")."""
    from sim.signals import Terminated, deferred_stop

    with deferred_stop(redeliver=False) as stop:
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.05)
        assert stop.requested and not stop.insisted
        with pytest.raises(KeyboardInterrupt) as raised:
            stop.check()
        assert not isinstance(raised.value, Terminated)
        stop.raise_on_repeat = True
        os.kill(os.getpid(), signal.SIGINT)  # as timeout sends its signal twice at once
        time.sleep(0.05)
        assert not stop.insisted
        time.sleep(0.2)
        with pytest.raises(Terminated):  # one that comes later raises at once, as what it is
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(1)
        assert stop.insisted


def test_a_stop_signal_landing_inside_the_wait_for_workers_is_not_raised_there(
        geneva, monkeypatch):
    import sim.dispatch

    real, raised_inside = sim.dispatch.wait, []

    def wait_hit_by_ctrl_c(*args, **kwargs):
        try:
            if not raised_inside:
                os.kill(os.getpid(), signal.SIGINT)  # lands while the runner waits
            return real(*args, **kwargs)
        except BaseException as exc:
            raised_inside.append(exc)
            raise

    monkeypatch.setattr(sim.dispatch, "wait", wait_hit_by_ctrl_c)
    with Runner(workers=2, chunk=50) as runner:
        out = runner.run(geneva, 4000, 3)
    assert raised_inside == [], "the signal was raised inside concurrent.futures.wait"
    reps = out.results.columns["replication"].tolist()
    assert out.interrupted and 0 < len(reps) < 4000 and len(reps) == len(set(reps))


def test_ctrl_c_in_process_keeps_the_replications_of_the_item_running(geneva, monkeypatch):
    """With one worker a Ctrl-C used to drop the work item it landed in (up to half a
    second of replications); the item now ends after its current replication."""
    import sim.chunks

    real = sim.chunks.run_replication

    def ctrl_c_during_300(scenario, root, i, *rest):
        if i == 300:
            os.kill(os.getpid(), signal.SIGINT)
        return real(scenario, root, i, *rest)

    monkeypatch.setattr(sim.chunks, "run_replication", ctrl_c_during_300)
    out = Runner(workers=1, chunk=250).run(geneva, 1000, 3)
    assert out.interrupted
    assert out.results.columns["replication"].tolist() == list(range(301))


def test_a_second_ctrl_c_does_not_wait_for_the_items_running(geneva, monkeypatch):
    """The first Ctrl-C waits for the items the workers run, to keep them; a second
    one ends them, and the run returns with what had finished."""
    import sim.chunks

    real = sim.chunks.run_chunk

    def stuck_after_the_first_items(scenario, root, first, last, *stopped):
        if first >= 4:
            time.sleep(60)  # (in the forked workers, which inherit this patch)
        return real(scenario, root, first, last, *stopped)

    def two_ctrl_c(results):
        for _ in range(2):  # apart, as a user presses twice (not as timeout sends twice)
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.25)

    monkeypatch.setattr(sim.chunks, "run_chunk", stuck_after_the_first_items)
    began = time.monotonic()
    with Runner(workers=2, chunk=2) as runner:
        out = runner.run(geneva, 100, 3, checkpoint=two_ctrl_c, checkpoint_every=0.0)
    assert time.monotonic() - began < 30, "the stop waited for the stuck items"
    assert out.interrupted
    # the signals come at the first item's save, while the second may still run
    assert out.results.columns["replication"].tolist() in ([0, 1], [0, 1, 2, 3])


@pytest.mark.parametrize("workers", [1, 2])
def test_the_progress_bar_counts_every_replication_kept(geneva, monkeypatch, workers):
    """Items finished while a run stops are kept, and the bar counts them too."""
    def stop_at_first_save(results):
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.05)

    counted = counting_bar(monkeypatch)
    with Runner(workers=workers, chunk=20, progress=True) as runner:
        out = runner.run(geneva, 5000, 3, checkpoint=stop_at_first_save, checkpoint_every=0.0)
    assert out.interrupted and 0 < len(out.results) < 5000
    assert sum(counted) == len(out.results)


def test_a_save_long_enough_for_every_item_in_flight_to_finish_does_not_end_the_run(
        geneva, monkeypatch):
    """The items finished during a slow checkpoint were counted as work in flight; if
    the number of items to keep in flight had meanwhile fallen (it follows the time
    items take), none was sent, nothing was left running once they were handed on,
    and the run ended part way as if complete (exit 0, not partial)."""
    import sim.chunks

    slept = []

    def slow_save_once(results):
        if len(results) >= 200 and not slept:
            slept.append(len(results))
            time.sleep(1.0)  # every item in flight finishes meanwhile

    # items are now timed as slower: fewer are to be kept in flight than are
    monkeypatch.setattr(sim.chunks.Sizer, "items_for", lambda self, *a, **k: 1 if slept else 4)
    with Runner(workers=2, chunk=50) as runner:
        out = runner.run(geneva, 3000, 3, checkpoint=slow_save_once, checkpoint_every=0.0)
    assert slept and not out.partial
    assert out.results.columns["replication"].tolist() == list(range(3000))


def test_a_second_ctrl_c_in_process_keeps_the_items_finished_replications(geneva, monkeypatch):
    """A second Ctrl-C stops a replication at once; those its work item finished
    before are kept (they used to go with the item)."""
    import sim.chunks

    real = sim.chunks.run_replication

    def twice_during_300(scenario, root, i, *rest):
        if i == 300:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.25)
            os.kill(os.getpid(), signal.SIGINT)  # raised here, inside the replication
            time.sleep(1)
        return real(scenario, root, i, *rest)

    monkeypatch.setattr(sim.chunks, "run_replication", twice_during_300)
    out = Runner(workers=1, chunk=250).run(geneva, 1000, 3)
    assert out.interrupted
    assert out.results.columns["replication"].tolist() == list(range(300))


def test_a_ctrl_c_as_the_pool_shuts_down_after_a_run_waits_for_the_save(
        tmp_path, monkeypatch, capsys):
    """A signal landing while the pool shut down after the last replication ended the
    command with nothing saved; it now stops the command once the runs are saved."""
    import sim.runner

    real = sim.runner.Runner.close

    def ctrl_c_then_close(self, cancel=False):
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.05)
        real(self, cancel)

    monkeypatch.setattr(sim.runner.Runner, "close", ctrl_c_then_close)
    out = tmp_path / "run"
    status = run_sim.main(["run", str(DEFAULT), "--runs", "400", "--workers", "2",
                           "--no-progress", "--out", str(out)])
    assert status == 130
    summary = json.loads((out / "summary.json").read_text())
    assert summary["partial"] is False and summary["runs"] == 400  # all ran, all kept
    with (out / "runs.csv").open() as fh:
        assert len(list(csv.DictReader(fh))) == 400


def test_a_ctrl_c_after_a_sweep_point_finished_keeps_that_point(tmp_path, monkeypatch,
                                                                capsys):
    """A signal between a point's last replication and its save lost the point; the
    point is now saved whole, and the next one does not start (it was saved as an
    empty point, with no runs)."""
    import sim.experiments

    real, calls = sim.experiments.summarize, []

    def ctrl_c_while_summarizing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.05)
        return real(*args, **kwargs)

    monkeypatch.setattr(sim.experiments, "summarize", ctrl_c_while_summarizing)
    out = tmp_path / "sweep"
    status = run_sim.main(["sweep", str(DEFAULT), "--param",
                           "ceasefire.monitoring.deterrence=0.1,0.2,0.3", "--runs", "300",
                           "--workers", "1", "--no-progress", "--out", str(out)])
    assert status == 130
    first = json.loads((out / "points" / "000" / "summary.json").read_text())
    assert first["partial"] is False and first["runs"] == 300
    assert sorted(p.name for p in (out / "points").iterdir()) == ["000"]
    with (out / "sweep.csv").open() as fh:
        assert [row["runs"] for row in csv.DictReader(fh)] == ["300"]
    assert (f"interrupted after point 1 of 3; finished points kept in {out}: finish with "
            f"'sweep ... --resume --out {out}'") in capsys.readouterr().err


def test_a_sweep_stopped_between_points_is_interrupted_with_no_empty_point(geneva, monkeypatch):
    """A stop that comes after one point finished ends the sweep there: the library's
    sweep reports it interrupted, and lists no point that ran nothing."""
    import sim.experiments
    from sim.experiments import sweep
    from sim.signals import deferred_stop

    real, calls = sim.experiments.summarize, []

    def ctrl_c_after_the_first_point(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            os.kill(os.getpid(), signal.SIGINT)
        return real(*args, **kwargs)

    monkeypatch.setattr(sim.experiments, "summarize", ctrl_c_after_the_first_point)
    with deferred_stop(redeliver=False), Runner(workers=1) as runner:
        points, interrupted = sweep(geneva, [("ceasefire.monitoring.deterrence", [0.1, 0.2])],
                                    runner, 50, 3)
    assert interrupted
    assert [len(p.results) for p in points] == [50] and not points[0].interrupted


def _ctrl_c_during(monkeypatch, index: int) -> None:
    """Send a Ctrl-C while replication ``index`` runs (in this process)."""
    import sim.chunks

    real = sim.chunks.run_replication

    def signalling(scenario, root, i, *rest):
        if i == index:
            os.kill(os.getpid(), signal.SIGINT)
        return real(scenario, root, i, *rest)

    monkeypatch.setattr(sim.chunks, "run_replication", signalling)


def test_a_stop_during_the_last_replication_leaves_the_run_complete(geneva, monkeypatch):
    """The stop lets the replication running finish; when that was the last, nothing is
    missing and the run is not marked partial (``--resume`` would have nothing to do)."""
    _ctrl_c_during(monkeypatch, 599)
    out = Runner(workers=1, chunk=250).run(geneva, 600, 3)
    assert not out.interrupted and not out.partial
    assert out.results.columns["replication"].tolist() == list(range(600))


def test_a_stop_once_the_pool_finished_the_run_leaves_it_complete(geneva):
    """Both items are with the workers from the start; a Ctrl-C at the first one's save,
    once the second has finished too, stops a run that has nothing left to do: the
    second item is kept and the run is complete, not partial."""
    def ctrl_c(results):
        time.sleep(0.5)  # the second item (100 replications, about 0.05 s) finishes
        os.kill(os.getpid(), signal.SIGINT)

    with Runner(workers=2, chunk=100) as runner:
        out = runner.run(geneva, 200, 3, checkpoint=ctrl_c, checkpoint_every=0.0)
    assert not out.interrupted
    assert out.results.columns["replication"].tolist() == list(range(200))


@pytest.mark.parametrize(("precision", "complete"), [(0.5, True), (0.001, False)])
def test_a_stop_during_an_adaptive_runs_last_needed_replication(geneva, monkeypatch,
                                                                 precision, complete):
    """A stop in a batch's last replication completes the batch; the run is complete
    if that batch meets the precision, and interrupted (at that batch) if more were due."""
    _ctrl_c_during(monkeypatch, 999)
    out = Runner(workers=1, chunk=250).run(geneva, 0, 3, precision=precision, min_runs=1000,
                                           max_runs=5000)
    assert out.interrupted is not complete
    assert out.precision_met is complete
    assert out.results.columns["replication"].tolist() == list(range(1000))
    assert out.target == (1000 if complete else 0)


def test_a_stop_in_the_last_replication_an_adaptive_run_may_run_completes_it(geneva,
                                                                            monkeypatch):
    """At --max-runs nothing more is due, whatever the precision: a stop in the last
    replication leaves the run complete (precision not met), not interrupted."""
    _ctrl_c_during(monkeypatch, 999)
    out = Runner(workers=1, chunk=250).run(geneva, 0, 3, precision=0.001, min_runs=1000,
                                           max_runs=1000)
    assert not out.interrupted and out.precision_met is False and out.target == 1000
    assert out.results.columns["replication"].tolist() == list(range(1000))


STARTUP_STOP = """
import atexit, importlib.abc, os, runpy, signal, sys

class SignalOnImport(importlib.abc.MetaPathFinder):
    # sends the signal as the command line's modules load, after run_sim's first lines
    def find_spec(self, name, path, target=None):
        if name == "sim.arguments":
            os.kill(os.getpid(), signal.{sig})
        return None

# the same signal once more as the program ends (timeout, or an impatient user)
atexit.register(os.kill, os.getpid(), signal.{sig})
sys.meta_path.insert(0, SignalOnImport())
sys.argv = ["run_sim.py", "run", "--runs", "10", "--no-progress"]
runpy.run_path({path!r}, run_name="__main__")
"""


@pytest.mark.parametrize(("sig", "status"), [("SIGINT", 130), ("SIGTERM", 143)])
def test_a_stop_while_the_modules_load_ends_in_one_line(sig, status):
    """Ctrl-C during start-up printed Python's traceback from inside an import; a second
    signal as the program ended then killed it."""
    proc = run_child([sys.executable, "-c", STARTUP_STOP.format(
        sig=sig, path=str(ROOT / "run_sim.py"))], cwd=ROOT, timeout=60)
    assert proc.returncode == status, proc.stderr
    assert proc.stderr == "interrupted while starting; nothing was run\n"
    assert proc.stdout == ""


LATE_STOP = """
import os, runpy, signal, sys, time

class LateSignal:
    # a global of this __main__ module, torn down as Python shuts down: after it has put
    # the default handlers back in place of its own
    def __del__(self):
        os.kill(os.getpid(), signal.{sig})
        time.sleep(0.5)

late = LateSignal()
sys.argv = ["run_sim.py", *{args!r}]
runpy.run_path({path!r}, run_name="__main__")
"""


@pytest.mark.parametrize(("args", "status"), [
    (["run", str(DEFAULT), "--runs", "5", "--workers", "1", "--no-progress"], 0),
    (["run", "missing.toml"], 2),
    (["run", "--no-such-option"], 2),
])
@pytest.mark.parametrize("sig", ["SIGINT", "SIGTERM"])
def test_a_stop_signal_as_the_program_shuts_down_leaves_its_exit_status(args, status, sig):
    """Once the command is done (everything saved and printed), a stop signal can stop
    nothing; one during Python's shutdown killed the process (status -15 or -2)."""
    proc = run_child([sys.executable, "-c", LATE_STOP.format(
        sig=sig, args=args, path=str(ROOT / "run_sim.py"))], cwd=ROOT, timeout=120)
    assert proc.returncode == status, proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_stop_ends_the_pools_items_after_their_current_replication(geneva, monkeypatch):
    """Items a local pool had already queued cannot be cancelled, so a single Ctrl-C
    waited for them and for every replication of the items running (on a slow
    scenario, many seconds). The pool's stop flag now ends each item after its current
    replication, and the queued ones before their first; every finished one is kept."""
    import threading

    import sim.chunks

    real = sim.chunks.run_replication

    def slow(scenario, root, i, *rest):
        time.sleep(0.1)  # (in the forked workers, which inherit this patch)
        return real(scenario, root, i, *rest)

    monkeypatch.setattr(sim.chunks, "run_replication", slow)
    timer = threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGINT))
    with Runner(workers=2, chunk=20) as runner:
        timer.start()
        out = runner.run(geneva, 200, 3)
    reps = out.results.columns["replication"].tolist()
    assert out.interrupted
    # each worker had begun one item of 20 and held another queued: parts of the first
    # two are kept, nothing of the queued ones, and no replication twice
    assert 0 < len(reps) < 40 and len(reps) == len(set(reps))
    assert all(i < 40 for i in reps)


AS_IT_ENDS = """
import os, runpy, signal, sys, time
import sim.startup

real, calls = sim.startup.ignore_stops, []

def stop_first(*args):
    calls.append(1)
    if len(calls) == 1:  # the signal comes just before the stops are ignored
        os.kill(os.getpid(), signal.{sig})
        time.sleep(0.5)
    real()

sim.startup.ignore_stops = stop_first
sys.argv = ["run_sim.py", "run", {scenario!r}, "--runs", "5", "--workers", "1",
            "--no-progress", "--out", {out!r}]
runpy.run_path({path!r}, run_name="__main__")
"""


@pytest.mark.parametrize(("sig", "status"), [("SIGINT", 130), ("SIGTERM", 143)])
def test_a_stop_in_the_instant_the_command_ends_exits_without_a_traceback(tmp_path, sig,
                                                                           status):
    """The command is done and saved, but its stops are not yet ignored: the stop
    escapes it, and the program exits as stopped, with no traceback."""
    out = tmp_path / "run"
    proc = run_child([sys.executable, "-c", AS_IT_ENDS.format(
        sig=sig, scenario=str(DEFAULT), out=str(out), path=str(ROOT / "run_sim.py"))],
        cwd=ROOT, timeout=120)
    assert proc.returncode == status, proc.stderr
    assert "Traceback" not in proc.stderr
    assert json.loads((out / "summary.json").read_text())["partial"] is False


@pytest.mark.parametrize(("command", "again"), [
    (["run", str(DEFAULT), "--runs", "30"], "the figures in {out} (the results are saved): "
     "draw them with 'plot {out}'"),
    (["run", str(DEFAULT), "--runs", "30", "--format", "svg"], "the figures in {out} (the "
     "results are saved): draw them with 'plot {out} --format svg'"),
    (["sweep", str(DEFAULT), "--param", "ceasefire.monitoring.deterrence=0.1,0.3", "--runs", "20"],
     "the figure in {out} (the results are saved): draw it with 'plot {out}'"),
    (["trace", str(DEFAULT)], "the figure in {out} (the results are saved): draw it with the "
     "same command with another --out"),
    (["backtest", str(ROOT / "scenarios"), "--runs", "20"], "the figures in {out} (the results "
     "are saved): draw them with the same command with --resume and --plot")])
def test_a_stop_while_drawing_says_the_results_are_saved_and_how_to_draw_them(
        tmp_path, monkeypatch, capsys, command, again):
    """It said only 'interrupted after 1.6 s', with some figures missing; then both that
    and the advice. Now the advice alone."""
    import plots

    def stopped(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(plots, "draw", stopped)
    out = tmp_path / "out"
    quick = [] if command[0] == "trace" else ["--workers", "1", "--no-progress"]
    assert run_sim.main([*command, *quick, "--out", str(out), "--plot"]) == 130
    err = capsys.readouterr().err
    assert err.endswith(f"interrupted while drawing {again.format(out=out)}\n")
    assert "interrupted after" not in err


def test_a_stop_while_drawing_a_stopped_run_s_figures_says_how_to_finish_it(
        tmp_path, monkeypatch, capsys):
    """A run stopped part way, then stopped again while its PARTIAL figures were drawn,
    said only how to draw them: the line saying how to finish the run was cut off."""
    import plots

    def stopped(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(plots, "draw", stopped)
    interrupt_chunk(monkeypatch, 2, size=250)
    out = tmp_path / "out"
    assert run_sim.main(["run", str(DEFAULT), "--runs", "1000", "--workers", "1",
                         "--no-progress", "--out", str(out), "--plot"]) == 130
    assert capsys.readouterr().err.endswith(
        f"interrupted while drawing the figures in {out} (the finished runs are saved): finish "
        f"the run with 'run ... --resume --out {out}' and --plot, or draw them with 'plot {out}' "
        "as they are\n")


def test_a_standard_output_that_cannot_be_written_is_one_line_with_the_results_saved(tmp_path):
    """A full disk behind standard output (> /dev/full) ended the command with a
    traceback and 'internal error'; the results are saved, and the failure said."""
    if not os.path.exists("/dev/full"):
        pytest.skip("needs /dev/full (Linux)")
    out = tmp_path / "run"
    with open("/dev/full", "w") as full:
        proc = subprocess.run([sys.executable, str(ROOT / "run_sim.py"), "run", "--runs", "30",
                               "--workers", "1", "--out", str(out)], stdout=full,
                              stderr=subprocess.PIPE, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines()[-1] == (
        "error: standard output could not be written (No space left on device); what it "
        "lacks is in --out DIR where one was given")
    assert json.loads((out / "summary.json").read_text())["runs"] == 30
    with open("/dev/full", "w") as full:  # the help, which argparse prints and exits on
        proc = subprocess.run([sys.executable, str(ROOT / "run_sim.py"), "--help"], stdout=full,
                              stderr=subprocess.PIPE, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 1 and "standard output could not be written" in proc.stderr


def test_a_run_started_to_ignore_hang_ups_outlives_one(tmp_path):
    """Under nohup (SIGHUP ignored from the start) a run is meant to outlive its
    terminal: the handler for hang-ups replaced nohup's, and a closed terminal stopped
    it (exit 129)."""
    out = tmp_path / "run"
    args = [sys.executable, str(ROOT / "run_sim.py"), "run", str(DEFAULT), "--runs", "60000",
            "--workers", "1", "--no-progress", "--out", str(out)]
    with running(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                 preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_IGN)) as proc:
        time.sleep(3.0)
        proc.send_signal(signal.SIGHUP)
        time.sleep(1.0)
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        proc.send_signal(signal.SIGINT)  # still stoppable, as any run
        _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr
    assert json.loads((out / "summary.json").read_text())["partial"] is True
