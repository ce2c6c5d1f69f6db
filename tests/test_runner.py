"""Monte Carlo at scale: workers, chunks, executors, adaptive stopping, resume, sweeps
and paired comparisons (stopping a run without losing work: test_stopping.py)."""

from __future__ import annotations

import csv
import json
import threading
from concurrent.futures import Executor, Future, ThreadPoolExecutor

import numpy as np
import pytest
from helpers import DEFAULT, cli, optional_extra, same_results

import run_sim
from sim.chunks import ranges
from sim.cluster import PortableExecutor
from sim.experiments import grid, parse_param
from sim.report import summary_text
from sim.runner import Runner
from sim.scenario import load_scenario
from sim.stats import half_width, summarize

same = same_results


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
    slow = {**summary, "runs_this_session": summary["runs"], "wall_seconds": 98.0,
            "runs_per_second": 20 / 98.0}
    assert "(0.2 runs/s)" in summary_text(slow, geneva)


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
    # one fewer is one dropped; exactly as many finishes nothing and drops nothing
    assert run_sim.main(["run", *common, "--runs", "59", "--resume"]) == 2
    assert "at least 60" in capsys.readouterr().err
    assert run_sim.main(["run", *common, "--runs", "60", "--resume"]) == 0
    assert len((out / "runs.csv").read_text().splitlines()) == 61


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
    assert err.startswith(f"error: {DEFAULT} with --set: parties.us.no_deal: bad value 0.1; "
                          f"{saved!r} as in the run saved in {out}"), err
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


@pytest.mark.parametrize("spec", ["0.5:0.5:2", "1,2,1", "1,1.0", '"a","a"'])
def test_sweep_refuses_a_value_given_twice(spec, capsys):
    status = run_sim.main(["sweep", str(DEFAULT), "--param", f"parties.us.no_deal={spec}",
                           "--runs", "10", "--workers", "1", "--no-progress"])
    assert status == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --param: parties.us.no_deal: bad value"), err
    assert "distinct values" in err and "more than once" in err


def test_paired_comparison_is_tighter_than_independent(capsys):
    status = run_sim.main(["compare", str(DEFAULT), "--set", "parties.jfs.behaviour.attack_rate=12",
                           "--runs", "600", "--workers", "1", "--no-progress", "--json"])
    assert status == 0
    result = json.loads(capsys.readouterr().out)
    paired = result["diff"]["p_hold"]["7d"]
    indep = result["diff"]["independent_p_hold"]["7d"]
    assert paired["estimate"] == pytest.approx(indep["estimate"])
    assert paired["high"] - paired["low"] < indep["high"] - indep["low"]
    # the counterfactual changes nothing in the talks: identical agreement, and a paired
    # interval far tighter than two independent runs' would be
    assert result["diff"]["p_agreement"]["estimate"] == 0
    agreement, indep_agreement = (result["diff"][k] for k in ("p_agreement",
                                                              "independent_p_agreement"))
    assert agreement["high"] - agreement["low"] < (indep_agreement["high"]
                                                   - indep_agreement["low"]) / 4
    assert result["a"]["p_hold"]["7d"]["estimate"] - result["b"]["p_hold"]["7d"]["estimate"] \
        == pytest.approx(paired["estimate"])
    # the text says how much pairing buys
    run_sim.main(["compare", str(DEFAULT), "--set", "parties.jfs.behaviour.attack_rate=12",
                  "--runs", "600", "--workers", "1", "--no-progress"])
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines()
               if line.strip().startswith("P(hold 7d)") and line.count("pp") == 2).split()
    assert float(row[2]) == pytest.approx(100 * (paired["high"] - paired["low"]), abs=0.06)
    assert float(row[4]) == pytest.approx(100 * (indep["high"] - indep["low"]), abs=0.06)
    assert any(line.split()[:1] == ["P(agreement)"] and line.count("pp") == 2
               for line in out.splitlines())


def test_two_versions_of_one_scenario_are_told_apart_by_their_files(tmp_path, capsys):
    other = tmp_path / "geneva_2016.toml"
    other.write_text(DEFAULT.read_text())  # a copy kept elsewhere, perhaps then edited
    assert run_sim.main(["compare", str(DEFAULT), str(other), "--runs", "10", "--workers", "1",
                         "--no-progress", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["a_name"] == f"geneva_2016 ({DEFAULT})"
    assert result["b_name"] == f"geneva_2016 ({other})"
    # --set with two files changes both sides, and both names say so
    assert run_sim.main(["compare", str(DEFAULT), str(other), "--runs", "10", "--workers", "1",
                         "--no-progress", "--json", "--set", "ceasefire.max_acts=5000"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["a_name"].endswith(" with ceasefire.max_acts=5000")
    assert result["b_name"].endswith(" with ceasefire.max_acts=5000")


def test_compare_needs_a_counterfactual(capsys):
    assert run_sim.main(["compare", str(DEFAULT), "--runs", "5", "--workers", "1"]) == 2
    assert "--set" in capsys.readouterr().err


def test_dask_cluster_gives_the_same_results(geneva):
    distributed = optional_extra("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        res = Runner(executor=client.get_executor(), chunk=40).run(geneva, 200, seed=17).results
        # and as the command line sends each item (see sim.cluster.PortableExecutor)
        portable = Runner(executor=PortableExecutor(client.get_executor(), client),
                          chunk=40).run(
            geneva, 200, seed=17).results
        # through the command line as well
        proc = cli("run", str(DEFAULT), "--runs", "200", "--seed", "17", "--json",
                   "--no-progress", "--dask", cluster.scheduler_address)
    local = Runner(workers=1).run(geneva, 200, seed=17).results
    same(local, res)
    same(local, portable)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["p_agreement"]["estimate"] == local.columns["agreed"].mean()


class LosingExecutor(Executor):
    """Runs the first ``ok`` items, then cancels the rest, as a dask cluster does when
    its scheduler is lost (or, given ``failure``, fails them with it, as dask does with
    KilledWorker when a task's workers keep dying)."""

    def __init__(self, ok: int, failure: Exception | None = None) -> None:
        self.ok, self.sent, self.failure = ok, 0, failure

    def submit(self, fn, /, *args, **kwargs):
        fut: Future = Future()
        self.sent += 1
        if self.sent <= self.ok:
            fut.set_result(fn(*args, **kwargs))
        elif self.failure is not None:
            fut.set_exception(self.failure)
        else:
            fut.cancel()
            fut.set_running_or_notify_cancel()
        return fut


class StallingExecutor(Executor):
    """Runs the first ``ok`` items at once and the rest only after ``stall`` seconds, as a
    cluster whose workers were all lost does until a worker joins it again."""

    def __init__(self, ok: int, stall: float) -> None:
        self.ok, self.sent, self.stall = ok, 0, stall
        self.released = threading.Event()
        self.timers: list[threading.Timer] = []

    def submit(self, fn, /, *args, **kwargs):
        fut: Future = Future()
        self.sent += 1
        if self.sent <= self.ok:
            fut.set_result(fn(*args, **kwargs))
            return fut

        def finish() -> None:
            self.released.set()
            fut.set_result(fn(*args, **kwargs))

        timer = threading.Timer(self.stall, finish)
        self.timers.append(timer)
        timer.start()
        return fut


def test_a_checkpoint_comes_due_while_a_stalled_cluster_returns_nothing(geneva):
    """The save every --checkpoint seconds was looked at only when a chunk came back: a
    cluster that lost its workers held the runs finished before it unsaved until it came
    back (or for ever, until a crash lost them)."""
    ex = StallingExecutor(ok=2, stall=1.5)
    saves: list[tuple[int, bool]] = []
    out = Runner(workers=1, executor=ex, chunk=20).run(
        geneva, 80, seed=17, checkpoint=lambda res: saves.append((len(res), ex.released.is_set())),
        checkpoint_every=0.2)
    for timer in ex.timers:
        timer.join()
    assert (40, False) in saves  # the two chunks back before the stall, saved during it
    same(out.results, Runner(workers=1).run(geneva, 80, seed=17).results)


@pytest.mark.parametrize(("args", "finish"), [
    (["run", str(DEFAULT)], "'run ... --resume --out {out}' finishes it"),
    (["compare", str(DEFAULT), "--set", "ceasefire.monitoring.coverage=0.5", "--param",
      "parties.jfs.behaviour.colocation=0.2,0.8"],
     "'compare ... --param ... --resume --out {out}' finishes it"),
])
def test_a_cluster_lost_mid_command_names_the_command_that_finishes_it(
        args, finish, tmp_path, monkeypatch, capsys):
    """A lost cluster advised '--resume with --out finishes the run' even for a
    comparison sweep, where Ctrl-C names the very command line."""
    import cli_variants

    def losing(*_: object) -> Runner:
        return Runner(workers=1, executor=LosingExecutor(2), chunk=20)

    monkeypatch.setattr(run_sim, "make_runner", losing)
    monkeypatch.setattr(cli_variants, "make_runner", losing)
    out = tmp_path / "out"
    assert run_sim.main([*args, "--runs", "200", "--no-progress", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "the cluster was lost" in err and finish.format(out=out) in err
    assert "--resume with --out finishes the run" not in err


def test_a_cluster_lost_mid_run_is_a_lost_worker_with_the_finished_runs_kept(geneva):
    """A lost dask scheduler cancels the work: that was an internal error with a
    traceback, and every finished replication lost."""
    from sim.runner import WorkerLostError

    out = Runner(workers=1, executor=LosingExecutor(2), chunk=20).run(
        geneva, 200, seed=17, keep_on_error=True)
    assert isinstance(out.error, WorkerLostError) and "cluster was lost" in str(out.error)
    same(out.results, Runner(workers=1).run(geneva, 40, seed=17).results)
    with pytest.raises(WorkerLostError):
        Runner(workers=1, executor=LosingExecutor(2), chunk=20).run(geneva, 200, seed=17)


def test_a_cluster_s_own_failure_is_a_lost_worker_not_a_model_bug(geneva):
    """dask's KilledWorker (a task whose workers keep dying) is a plain Exception: it
    ended as an internal error with a traceback and every finished replication lost."""
    from sim.runner import WorkerLostError

    class KilledWorker(Exception):  # noqa: N818 - named as dask names it
        pass

    out = Runner(workers=1, executor=LosingExecutor(2, KilledWorker("task x")), chunk=20).run(
        geneva, 200, seed=17, keep_on_error=True)
    assert isinstance(out.error, WorkerLostError) and "KilledWorker: task x" in str(out.error)
    same(out.results, Runner(workers=1).run(geneva, 40, seed=17).results)


def test_spawned_workers_give_the_same_results(geneva):
    """Work items carry everything they need: no state inherited by forking."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("spawn")) as ex:
        spawned = Runner(executor=ex, chunk=50).run(geneva, 150, seed=23).results
    same(Runner(workers=1).run(geneva, 150, seed=23).results, spawned)


def test_adaptive_runs_check_at_min_runs_then_every_batch():
    from sim.precision import check_points

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
    assert done.returncode == 2 and "--resume: a precision not met" in done.stderr, done.stderr
    assert "a precision not met before the runs saved in" in done.stderr
    assert ("--precision 0.05 with these bounds is met at 1000 replications, and the run holds "
            "2000 more") in done.stderr
    assert (out / "runs.csv").read_bytes() == before
    # each way on it names finishes the run with every saved replication kept
    assert "give none of --runs, --precision, --min-runs and --max-runs" in done.stderr
    assert cli("run", str(DEFAULT), "--workers", "1", "--no-progress", "--out", str(out),
               "--resume").returncode == 0
    assert (out / "runs.csv").read_bytes() == before
    assert "--runs 3000 or more" in done.stderr
    assert cli("run", str(DEFAULT), "--runs", "3000", "--workers", "1", "--no-progress",
               "--out", str(out), "--resume").returncode == 0
    assert (out / "runs.csv").read_bytes() == before


def test_the_summary_lists_who_withdrew_most_often_first(geneva):
    from sim.report import summary_text
    from sim.stats import summarize

    res = Runner(workers=1).run(geneva, 400, seed=5).results
    summary = summarize(res, geneva, seed=5)
    causes = summary["collapse_causes"]
    assert len(set(causes.values())) > 1
    lines = summary_text(summary, geneva).splitlines()
    start = lines.index("Collapses (shares of the ceasefires that collapsed): who withdrew") + 1
    shown = [line.split()[0] for line in lines[start:start + len(causes)]]
    assert shown == sorted(causes, key=lambda p: -causes[p])


def test_a_fresh_run_does_not_claim_to_be_a_resumed_session(geneva):
    from sim.report import summary_text
    from sim.stats import summarize

    out = Runner(workers=1).run(geneva, 50, seed=3)
    summary = summarize(out.results, geneva, seed=3, wall_seconds=1.0, ran=out.ran)
    text = summary_text(summary, geneva)
    assert "this session" not in text and "events in 1.00 s" in text


def test_compare_with_set_puts_the_counterfactual_on_side_a(capsys):
    """``compare FILE --set K=V``: A is the file with the change, B the file as written,
    and the difference is A - B (more attacks by jfs: the ceasefire holds less)."""
    import json

    import run_sim

    assert run_sim.main(["compare", str(DEFAULT), "--set", "parties.jfs.behaviour.attack_rate=12",
                         "--runs", "300", "--workers", "1", "--no-progress", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert "with parties.jfs.behaviour.attack_rate=12" in result["a_name"]
    assert result["b_name"].endswith("as written")
    assert result["diff"]["p_hold"]["7d"]["estimate"] < 0
    assert result["a"]["p_hold"]["7d"]["estimate"] < result["b"]["p_hold"]["7d"]["estimate"]


def test_a_precision_of_one_half_is_refused(capsys):
    """Every Wilson half-width is at most 0.5: such a "target" would stop at once."""
    import run_sim

    with pytest.raises(SystemExit) as exc:
        run_sim.main(["run", str(DEFAULT), "--workers", "1", "--precision", "0.5"])
    assert exc.value.code == 2
    assert "--precision: bad value '0.5'" in capsys.readouterr().err


def test_min_runs_may_equal_max_runs(capsys):
    import run_sim

    assert run_sim.main(["run", str(DEFAULT), "--workers", "1", "--no-progress", "--json",
                         "--precision", "0.2", "--min-runs", "50", "--max-runs", "50"]) == 0
    assert capsys.readouterr().out


def test_an_adaptive_run_with_json_prints_only_json(capsys):
    import json

    import run_sim

    assert run_sim.main(["run", str(DEFAULT), "--workers", "1", "--no-progress", "--json",
                         "--precision", "0.2", "--min-runs", "50", "--max-runs", "200"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["precision"]["target"] == 0.2


def test_a_long_milestone_label_widens_the_tables_instead_of_breaking_them(tmp_path):
    """Every estimate of a column starts where its heading says, in the run's summary
    and in a comparison, however long the milestone labels are."""
    from sim.comparison import paired
    from sim.report import compare_text, summary_text
    from sim.stats import summarize

    path = tmp_path / "long.toml"
    path.write_text(f'extends = "{DEFAULT.as_posix()}"\nname = "long"\n[ceasefire]\n'
                    'milestones = { "48h" = 48.0, "30 days after the start" = 720.0 }\n')
    long = load_scenario(path)
    with Runner(workers=1) as runner:
        res = runner.run(long, 60, seed=5).results
        result, *_ = paired(load_scenario(path, ["ceasefire.monitoring.coverage=0.5"]), long,
                            runner, 60, 5)
    def offsets(text: str, labels: list[str]) -> set[int]:
        """Where each row's first estimate ends, measured from its column's heading."""
        lines = text.splitlines()
        head = next(line for line in lines if line.startswith("Ceasefire holds at"))
        rows = [line for line in lines if line.strip().split("  ")[0] in labels]
        assert len(rows) == len(labels)
        return {row.index("%") - head.index("unconditional") for row in rows}

    long_text = summary_text(summarize(res, long, seed=5), long)
    default_text = summary_text(summarize(res, load_scenario(DEFAULT), seed=5),
                                load_scenario(DEFAULT))
    assert offsets(long_text, ["48h", "30 days after the start"]) == offsets(
        default_text, ["48h", "7d", "30d"])
    lines = compare_text(result, "a", "b").splitlines()
    table = [line for line in lines if line.startswith("P(")]
    assert len({line.index("%") for line in table}) == 1
    widths = [line for line in lines if line.startswith("  P(")]
    assert len({line.index(" pp") for line in widths}) == 1


def test_workers_lost_at_the_start_under_spawn_are_said_to_maybe_lack_a_main_guard(monkeypatch):
    """A script using the library under 'spawn' (the default off Linux) without a main
    guard saw only 'a worker process died (killed by a signal...)'."""
    import multiprocessing

    from sim.run_outcome import spawn_hint

    monkeypatch.setattr(multiprocessing, "get_start_method", lambda allow_none=False: "spawn")
    assert "if __name__ == '__main__':" in spawn_hint(0)
    assert spawn_hint(3) == ""  # items came back: the workers started well
    monkeypatch.setattr(multiprocessing, "get_start_method", lambda allow_none=False: "fork")
    assert spawn_hint(0) == ""


def test_a_run_stopped_by_a_replication_keeps_the_same_runs_for_any_worker_count(geneva):
    """It kept whichever replications after the failing one the workers happened to
    finish, and, its pool halted, not always all those before: 64, 26, 42 or 24 runs of
    the same seed. It keeps every replication before the first that fails, and only
    those, so a resume stops at the same one again."""
    from sim.scenario import with_overrides

    tight = with_overrides(geneva, {"ceasefire.max_acts": 100})
    with Runner(workers=1, chunk=7) as one, Runner(workers=2, chunk=7) as two:
        runs = [runner.run(tight, 600, 2016, keep_on_error=True) for runner in (one, two, two)]
    failed = runs[0].error.replication
    assert 0 < failed < 600 and all(run.error.replication == failed for run in runs)
    assert all(run.results.columns["replication"].tolist() == list(range(failed)) for run in runs)
    for run in runs[1:]:
        same_results(run.results, runs[0].results)


@pytest.mark.parametrize(("kwargs", "says"), [
    ({"runs": -5, "seed": 1}, "Runner.run: runs: bad value -5; a whole number from 0 to 100,000,000"),
    ({"runs": 5, "seed": -1}, "Runner.run: seed: bad value -1; an integer from 0 to 2**128 - 1"),
    ({"runs": 5, "seed": 2**128}, "Runner.run: seed: bad value"),
    ({"runs": 5, "seed": 1.5}, "Runner.run: seed: bad value 1.5"),
    ({"runs": 5, "seed": 1, "precision": 0.0},
     "Runner.run: precision: bad value 0.0; a number of at least 1e-06"),
    ({"runs": 5, "seed": 1, "precision": float("inf")}, "Runner.run: precision: bad value"),
    ({"runs": 5, "seed": 1, "precision": float("nan")}, "Runner.run: precision: bad value"),
    ({"runs": 5, "seed": 1, "precision": 0.1, "min_runs": 50, "max_runs": 10},
     "Runner.run: min_runs: bad value 50; a whole number from 1 to max_runs (10)"),
    ({"runs": 5, "seed": 1, "precision": 0.1, "max_runs": 0}, "Runner.run: max_runs: bad value 0"),
    ({"runs": 5, "seed": 1, "precision": True}, "Runner.run: precision: bad value true"),
])
def test_the_python_api_refuses_what_the_command_line_refuses(kwargs, says):
    """From Python, a negative seed met numpy's own error, runs=-5 ran nothing in
    silence and a precision of 0 ran to max_runs."""
    from sim.errors import ScenarioError

    scenario = load_scenario(DEFAULT)
    with Runner(workers=1) as runner, pytest.raises(ScenarioError) as caught:
        runner.run(scenario, **kwargs)
    assert str(caught.value).startswith(says)



@pytest.mark.parametrize(("args", "says"), [
    ((-1, 0), "run_replication: root: bad value -1; an integer from 0 to 2**128 - 1"),
    ((2**128, 0), "run_replication: root: bad value 340282366920938463463374607431768211456"),
    ((1.0, 0), "run_replication: root: bad value 1.0"),
    ((1, -1), "run_replication: replication: bad value -1; a replication index from 0 to 99,999,999"),
    ((1, True), "run_replication: replication: bad value true"),
])
def test_one_replication_from_python_takes_the_seeds_the_command_line_takes(args, says):
    """run_replication(sc, 2**128, 0) ran, where --seed and Runner.run refuse that seed,
    and a negative one met numpy's own error; numpy's integers are taken."""
    from sim.errors import ScenarioError
    from sim.model import run_replication

    scenario = load_scenario(DEFAULT)
    with pytest.raises(ScenarioError) as caught:
        run_replication(scenario, *args)
    assert str(caught.value).startswith(says)
    assert run_replication(scenario, np.uint64(2016), np.int32(3)) == \
        run_replication(scenario, 2016, 3)

@pytest.mark.parametrize("workers", [0, -2, 5000, 2.0, True])
def test_a_local_pool_of_no_or_too_many_workers_is_refused(workers):
    """Runner(workers=5000) on two cores was still starting processes after 100 s;
    0 and -2 quietly meant all cores."""
    from sim.errors import ScenarioError

    with pytest.raises(ScenarioError, match=r"Runner: workers: bad value .*from 1 to 1,024"):
        Runner(workers=workers)


def test_an_executor_may_run_more_items_at_once_than_a_local_pool():
    with ThreadPoolExecutor(max_workers=1) as pool:
        assert Runner(workers=2000, executor=pool).workers == 2000
    scenario = load_scenario(DEFAULT)
    with Runner(workers=1) as runner:  # a NumPy integer is a whole number too
        assert runner.run(scenario, np.int64(3), np.int64(7)).results.same_as(
            runner.run(scenario, 3, 7).results)


def test_runs_are_ignored_with_a_precision_as_the_docstring_says():
    """Runner.run's runs is 'ignored when precision is given', yet runs=None was refused."""
    scenario = load_scenario(DEFAULT)
    with Runner(workers=1) as runner:
        out = runner.run(scenario, None, 1, precision=0.3, min_runs=20, max_runs=40,  # type: ignore[arg-type]
                         batch=20)
    assert len(out.results) == 20
