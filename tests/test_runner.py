"""Monte Carlo at scale: workers, chunks, executors, adaptive stopping, interrupts,
resume, sweeps and paired comparisons."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from helpers import DEFAULT, ROOT, cli, interrupt_chunk, interrupt_cli

import run_sim
from sim.errors import ScenarioError
from sim.experiments import grid, parse_param
from sim.report import summary_text
from sim.runner import Runner, ranges
from sim.scenario import load_scenario
from sim.stats import half_width, summarize


def same(a, b) -> None:
    assert len(a) == len(b)
    for name, col in a.columns.items():
        np.testing.assert_array_equal(col, b.columns[name], err_msg=name)


@pytest.fixture(scope="module")
def geneva():
    return load_scenario(DEFAULT)


def test_ranges_cut_indices_into_bounded_consecutive_chunks():
    assert ranges([0, 1, 2, 3, 4], 2) == [(0, 2), (2, 4), (4, 5)]
    assert ranges([5, 1, 2, 9], 10) == [(1, 3), (5, 6), (9, 10)]
    assert ranges([], 3) == []


def test_results_identical_for_any_worker_count_and_chunk_size(geneva):
    serial = Runner(workers=1, chunk=500).run(geneva, 400, seed=21).results
    with Runner(workers=2, chunk=37) as r:
        parallel = r.run(geneva, 400, seed=21).results
    with ThreadPoolExecutor(max_workers=3) as ex:
        threaded = Runner(executor=ex, chunk=64).run(geneva, 400, seed=21).results
    same(serial, parallel)
    same(serial, threaded)
    assert list(serial.columns["replication"]) == list(range(400))


def test_runs_csv_identical_for_any_worker_count(tmp_path, capsys):
    outs = []
    for workers in ("1", "2"):
        out = tmp_path / f"w{workers}"
        assert run_sim.main(["run", str(DEFAULT), "--runs", "300", "--seed", "8", "--workers",
                             workers, "--no-progress", "--out", str(out)]) == 0
        outs.append(out)
    capsys.readouterr()
    assert (outs[0] / "runs.csv").read_bytes() == (outs[1] / "runs.csv").read_bytes()
    s0 = json.loads((outs[0] / "summary.json").read_text())
    s1 = json.loads((outs[1] / "summary.json").read_text())
    for s in (s0, s1):
        s.pop("wall_seconds")
        s.pop("runs_per_second")
    assert s0 == s1


def test_adaptive_precision_stops_at_the_target_whatever_the_workers(geneva):
    eps = 0.03
    one = Runner(workers=1).run(geneva, 0, seed=2, precision=eps, min_runs=200, batch=200)
    with Runner(workers=2, chunk=50) as r:
        two = r.run(geneva, 0, seed=2, precision=eps, min_runs=200, batch=200)
    assert one.precision_met and two.precision_met
    assert one.target == two.target == len(one.results)
    same(one.results, two.results)
    res = one.results
    n = len(res)
    assert half_width(int(res.columns["agreed"].sum()), n) <= eps
    for hours in (48.0, 168.0, 720.0):
        assert half_width(int(res.held(hours).sum()), n) <= eps
    # one batch fewer would not have been enough
    fewer = res.below(n - 200)
    widths = [half_width(int(fewer.columns["agreed"].sum()), n - 200)] + [
        half_width(int(fewer.held(h).sum()), n - 200) for h in (48.0, 168.0, 720.0)]
    assert n - 200 < 200 or max(widths) > eps


def test_adaptive_precision_respects_the_maximum(geneva):
    out = Runner(workers=1).run(geneva, 0, seed=2, precision=0.001, min_runs=100,
                                max_runs=300, batch=100)
    assert out.precision_met is False
    assert len(out.results) == 300


def test_resume_finishes_an_interrupted_run_exactly(geneva):
    full = Runner(workers=1).run(geneva, 500, seed=13).results
    partial = Runner(workers=1).run(geneva, 180, seed=13).results
    # pretend some chunks finished out of order: keep a non-contiguous subset
    resumed = Runner(workers=1).run(geneva, 500, seed=13, existing=gappy(partial)).results
    same(full, resumed)


def gappy(results):
    """Replications 0-59 and 120-179 of ``results``: chunks finished out of order."""
    keep = np.isin(results.columns["replication"], list(range(60)) + list(range(120, 180)))
    out = results.below(len(results))
    for name in out.columns:
        out.columns[name] = out.columns[name][keep]
    return out


def test_resume_with_a_precision_target_keeps_every_saved_replication(geneva):
    """An adaptive run resumed from an interrupted one ends exactly like an
    uninterrupted adaptive run: no saved replication is dropped between batches."""
    partial = Runner(workers=1).run(geneva, 180, seed=13).results
    kwargs = {"precision": 1e-6, "min_runs": 1, "max_runs": 300, "batch": 100}
    full = Runner(workers=1).run(geneva, 0, seed=13, **kwargs)
    resumed = Runner(workers=1).run(geneva, 0, seed=13, existing=gappy(partial), **kwargs)
    assert resumed.target == full.target == 300 and resumed.precision_met is False
    same(full.results, resumed.results)


def test_a_resumed_run_counts_only_its_own_runs_in_its_speed(geneva):
    saved = Runner(workers=1).run(geneva, 120, seed=13).results
    out = Runner(workers=1).run(geneva, 200, seed=13, existing=saved)
    assert out.ran == 80 and len(out.results) == 200
    summary = summarize(out.results, geneva, seed=13, wall_seconds=2.0, ran=out.ran)
    assert summary["runs_this_session"] == 80 and summary["runs_per_second"] == 40.0
    assert "this session ran 80 in 2.00 s (40 runs/s)" in summary_text(summary, geneva)


def test_a_resumed_run_returns_only_the_replications_asked_for(geneva):
    saved = Runner(workers=1).run(geneva, 120, seed=13).results
    out = Runner(workers=1).run(geneva, 80, seed=13, existing=saved).results
    same(out, saved.below(80))


def test_resume_refuses_to_drop_replications_already_saved(tmp_path, capsys):
    out = tmp_path / "run"
    common = [str(DEFAULT), "--seed", "3", "--workers", "1", "--no-progress", "--out", str(out)]
    assert run_sim.main(["run", *common, "--runs", "60"]) == 0
    capsys.readouterr()
    assert run_sim.main(["run", *common, "--runs", "40", "--resume"]) == 2
    err = capsys.readouterr().err
    assert "--runs" in err and "at least 60" in err and "up to 59" in err
    assert len((out / "runs.csv").read_text().splitlines()) == 61  # nothing was rewritten


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


def test_resume_refuses_a_different_scenario(tmp_path, capsys):
    out = tmp_path / "run"
    assert run_sim.main(["run", str(DEFAULT), "--runs", "50", "--workers", "1", "--no-progress",
                         "--out", str(out)]) == 0
    status = run_sim.main(["run", str(DEFAULT), "--runs", "80", "--workers", "1", "--no-progress",
                           "--out", str(out), "--resume", "--set", "parties.us.no_deal=0.1"])
    assert status == 2
    err = capsys.readouterr().err
    assert "same scenario" in err
    # the message names what differs: the key, the value asked for and the saved one
    saved = load_scenario(DEFAULT).raw["parties"]["us"]["no_deal"]
    assert err.startswith(f"error: {DEFAULT}: parties.us.no_deal: bad value 0.1; {saved!r} as "
                          f"in the run saved in {out}"), err
    assert "--seed" not in err.split(";")[0]


def test_resume_with_another_seed_names_the_seed(tmp_path, capsys):
    out = tmp_path / "run"
    common = ["run", str(DEFAULT), "--runs", "20", "--workers", "1", "--no-progress",
              "--out", str(out)]
    assert run_sim.main([*common, "--seed", "4"]) == 0
    capsys.readouterr()
    assert run_sim.main([*common, "--seed", "5", "--resume"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --seed: bad value 5; the seed of the run saved in "), err
    assert ", 4 (" in err


def test_parse_param_values_and_ranges():
    assert parse_param("a.b=1,2,3") == ("a.b", [1, 2, 3])
    key, values = parse_param("x=0:1:5")
    assert key == "x" and values == pytest.approx([0, 0.25, 0.5, 0.75, 1.0])
    assert parse_param('n="a","b"') == ("n", ["a", "b"])
    assert grid([("a", [1, 2]), ("b", [3, 4])]) == [
        {"a": 1, "b": 3}, {"a": 1, "b": 4}, {"a": 2, "b": 3}, {"a": 2, "b": 4}]


def test_sweep_writes_one_row_per_point_and_reuses_seeds(tmp_path, capsys):
    out = tmp_path / "sweep"
    key = "parties.jfs.behaviour.attack_rate"
    status = run_sim.main(["sweep", str(DEFAULT), "--param", f"{key}=0,6", "--param",
                           "ceasefire.monitoring.notice=0.5,0.9", "--runs", "150",
                           "--workers", "1", "--no-progress", "--out", str(out)])
    assert status == 0
    table = capsys.readouterr().out
    assert "P(hold 7d)" in table
    with (out / "sweep.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 4
    assert {"p_agreement", "p_hold_7d_low", "p_hold_given_agreement_30d_high", "runs"} <= set(rows[0])
    # negotiation does not depend on ceasefire parameters: with common random numbers
    # every point agrees in exactly the same replications
    agreed = []
    for k in range(4):
        with (out / "points" / f"{k:03d}" / "runs.csv").open() as fh:
            agreed.append([r["agreed"] for r in csv.DictReader(fh)])
    assert all(a == agreed[0] for a in agreed)


def test_sweep_bad_param_exits_2(capsys):
    status = run_sim.main(["sweep", str(DEFAULT), "--param", "parties.us.no_deal=0:1:one",
                           "--runs", "10", "--workers", "1", "--no-progress"])
    assert status == 2
    status = run_sim.main(["sweep", str(DEFAULT), "--param", "parties.us.no_deal=5",
                           "--runs", "10", "--workers", "1", "--no-progress"])
    assert status == 2
    assert "parties.us.no_deal" in capsys.readouterr().err


def test_paired_comparison_is_tighter_than_independent(capsys):
    status = run_sim.main(["compare", str(DEFAULT), "--set", "parties.jfs.behaviour.attack_rate=12",
                           "--runs", "600", "--workers", "1", "--no-progress", "--json"])
    assert status == 0
    result = json.loads(capsys.readouterr().out)
    paired = result["diff"]["p_hold"]["7d"]
    indep = result["diff"]["independent_p_hold"]["7d"]
    assert paired["estimate"] == pytest.approx(indep["estimate"])
    assert paired["high"] - paired["low"] < indep["high"] - indep["low"]
    # the counterfactual changes nothing in the talks: identical agreement
    assert result["diff"]["p_agreement"]["estimate"] == 0
    assert result["a"]["p_hold"]["7d"]["estimate"] - result["b"]["p_hold"]["7d"]["estimate"] \
        == pytest.approx(paired["estimate"])
    # the text says how much pairing buys
    run_sim.main(["compare", str(DEFAULT), "--set", "parties.jfs.behaviour.attack_rate=12",
                  "--runs", "600", "--workers", "1", "--no-progress"])
    row = next(line for line in capsys.readouterr().out.splitlines()
               if line.strip().startswith("P(hold 7d)") and line.count("pp") == 2).split()
    assert float(row[2]) == pytest.approx(100 * (paired["high"] - paired["low"]), abs=0.06)
    assert float(row[4]) == pytest.approx(100 * (indep["high"] - indep["low"]), abs=0.06)


def test_compare_needs_a_counterfactual(capsys):
    assert run_sim.main(["compare", str(DEFAULT), "--runs", "5", "--workers", "1"]) == 2
    assert "--set" in capsys.readouterr().err


def test_dask_cluster_gives_the_same_results(geneva):
    import distributed  # the 'distributed' extra, installed by the test set-up
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        res = Runner(executor=client.get_executor(), chunk=40).run(geneva, 200, seed=17).results
        # through the command line as well
        proc = cli("run", str(DEFAULT), "--runs", "200", "--seed", "17", "--json",
                   "--no-progress", "--dask", cluster.scheduler_address)
    local = Runner(workers=1).run(geneva, 200, seed=17).results
    same(local, res)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["p_agreement"]["estimate"] == local.columns["agreed"].mean()


def test_spawned_workers_give_the_same_results(geneva):
    """Work items carry everything they need: no state inherited by forking."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("spawn")) as ex:
        spawned = Runner(executor=ex, chunk=50).run(geneva, 150, seed=23).results
    same(Runner(workers=1).run(geneva, 150, seed=23).results, spawned)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_scenario_error_part_way_keeps_the_replications_finished_before_it(geneva, workers):
    """``ceasefire.max_acts`` set too low stops the run at replication 1155 (seed 2016);
    the chunks finished before it are returned with the error, not thrown away."""
    low = load_scenario(DEFAULT, ["ceasefire.max_acts=120"])
    with Runner(workers=workers, chunk=250) as runner:
        with pytest.raises(ScenarioError):  # by default the error is raised
            runner.run(low, 3000, 2016)
        out = runner.run(low, 3000, 2016, keep_on_error=True)
    assert out.error is not None and out.error.path == "ceasefire.max_acts"
    assert out.partial and not out.interrupted
    kept = set(out.results.columns["replication"].tolist())
    assert set(range(1000)) <= kept and 1155 not in kept
    with Runner(workers=1) as runner:
        fine = runner.run(geneva, 1000, 2016).results
    same(out.results.below(1000), fine)


def test_a_run_stopped_by_a_scenario_error_saves_its_finished_runs_marked_partial(tmp_path):
    out = tmp_path / "run"
    done = cli("run", str(DEFAULT), "--runs", "1500", "--workers", "1", "--no-progress",
               "--set", "ceasefire.max_acts=120", "--out", str(out), timeout=300)
    assert done.returncode == 2, done.stderr
    assert "ceasefire.max_acts" in done.stderr and "Traceback" not in done.stderr
    assert f"finished runs kept in {out}" in done.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["partial"] is True and "max_acts" in summary["error"]
    with open(out / "runs.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) >= 1000 and summary["runs"] == len(rows)


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


@pytest.mark.parametrize("workers", ["1", "2"])
def test_sigterm_keeps_the_finished_runs_like_ctrl_c(tmp_path, workers):
    """``timeout``, ``kill`` and cluster schedulers send SIGTERM, which used to end the
    process with nothing saved; now it stops the run like Ctrl-C, exit 143."""
    out = tmp_path / "run"
    proc = interrupt_cli(["run", str(DEFAULT), "--runs", "60000", "--workers", workers,
                          "--no-progress", "--out", str(out)], after=4.0, sig=signal.SIGTERM)
    assert proc.returncode == 143, proc.stderr
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


def test_adaptive_runs_check_at_min_runs_then_every_batch():
    from sim.runner import check_points

    assert check_points(1000, 200_000, 2000)[:4] == [1000, 2000, 4000, 6000]
    assert check_points(200, 1000, 2000) == [200, 1000]
    assert check_points(4000, 9000, 2000) == [4000, 6000, 8000, 9000]
    assert check_points(100, 100, 2000) == [100]


def test_an_adaptive_run_stops_at_min_runs_when_precise_enough(geneva):
    """``--min-runs 200`` had no effect below the first batch of 2000."""
    with Runner(workers=1) as runner:
        out = runner.run(geneva, 0, 3, precision=0.1, min_runs=200, max_runs=5000)
    assert out.precision_met and out.target == 200 and len(out.results) == 200


def test_resuming_with_a_precision_reached_before_the_saved_runs_is_refused(tmp_path):
    """Resuming 3000 saved runs with --precision 0.05 (reached at 1000) silently cut
    runs.csv down to 1000; now the directory is left as it was."""
    out = tmp_path / "run"
    assert cli("run", str(DEFAULT), "--runs", "3000", "--workers", "1", "--no-progress",
               "--out", str(out)).returncode == 0
    before = (out / "runs.csv").read_bytes()
    done = cli("run", str(DEFAULT), "--precision", "0.05", "--workers", "1", "--no-progress",
               "--out", str(out), "--resume")
    assert done.returncode == 2 and "--precision: bad value 0.05" in done.stderr, done.stderr
    assert "2000 replications beyond the 1000" in done.stderr
    assert (out / "runs.csv").read_bytes() == before


def test_a_worker_killed_mid_run_keeps_the_finished_runs_and_ends_the_run(tmp_path):
    """A worker killed outright (SIGKILL, or the out-of-memory killer) broke the pool:
    an internal-error traceback, and nothing saved. Now the finished runs are kept, the
    message says what happened, and the other worker is stopped (no hang, no orphan)."""
    out = tmp_path / "run"
    proc = subprocess.Popen([sys.executable, str(ROOT / "run_sim.py"), "run", str(DEFAULT),
                             "--runs", "60000", "--workers", "2", "--no-progress",
                             "--out", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    time.sleep(4.0)
    workers = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
    assert len(workers) == 2
    os.kill(int(workers[0]), signal.SIGKILL)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 1, stderr
    assert "a worker process died" in stderr and "Traceback" not in stderr
    summary = json.loads((out / "summary.json").read_text())
    with (out / "runs.csv").open() as fh:
        rows = len(list(csv.DictReader(fh)))
    assert summary["partial"] is True and "worker process died" in summary["error"]
    assert summary["runs"] == rows and rows > 0
    assert not [w for w in workers if Path(f"/proc/{w}").exists()]


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
    proc = subprocess.Popen([sys.executable, str(ROOT / "run_sim.py"), "run", str(DEFAULT),
                             "--runs", "60000", "--seed", "5", "--workers", "2",
                             "--no-progress", "--out", str(out), "--checkpoint", "0.5"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT,
                            start_new_session=True)
    time.sleep(4.0)
    workers = children(proc.pid)
    assert len(workers) == 2
    os.killpg(proc.pid, signal.SIGKILL)  # the parent alone: workers have their own session
    proc.wait(timeout=30)
    deadline = time.time() + 10
    while [w for w in workers if alive(w)] and time.time() < deadline:
        time.sleep(0.1)
    assert not [w for w in workers if alive(w)], "workers outlived their parent"
    summary = json.loads((out / "summary.json").read_text())
    with (out / "runs.csv").open() as fh:
        done = [int(r["replication"]) for r in csv.DictReader(fh)]
    assert summary["partial"] is True and summary["runs"] == len(done) > 0
    target = max(done) + 200
    resumed = cli("run", str(DEFAULT), "--runs", str(target), "--seed", "5", "--workers", "1",
                  "--no-progress", "--out", str(out), "--resume")
    assert resumed.returncode == 0, resumed.stderr
    fresh = cli("run", str(DEFAULT), "--runs", str(target), "--seed", "5", "--workers", "2",
                "--no-progress", "--out", str(tmp_path / "fresh"))
    assert fresh.returncode == 0, fresh.stderr
    assert (out / "runs.csv").read_bytes() == (tmp_path / "fresh" / "runs.csv").read_bytes()


def children(pid: int) -> list[int]:
    """The child processes of ``pid`` (Linux)."""
    return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def alive(pid: int) -> bool:
    """Whether ``pid`` is a running process (not gone, not a zombie)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


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
