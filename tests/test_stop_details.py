"""Stopping and saving, in the details a mutation of the runner showed untested: what a
stop cancels, submits and waits for; a second Ctrl-C while results are collected; the
progress bar of a resumed run; workers in a session of their own; durable, strict run
files (flushed before synced, blank lines, counts that overflow 16 bits)."""

from __future__ import annotations

import os
import signal
import threading
import time
from concurrent.futures import Executor, Future, ThreadPoolExecutor

import pytest
from helpers import DEFAULT, counting_bar
from test_rundir import edit_row, save

from sim.chunks import Sizer
from sim.output import read_run
from sim.runner import Runner
from sim.scenario import load_scenario


@pytest.fixture(scope="module")
def geneva():
    return load_scenario(DEFAULT)


def test_an_item_that_finished_nothing_teaches_the_sizer_nothing():
    s = Sizer(250)
    s.observe(0, 0.3)
    assert s.per_run is None and s.size() == 1


def test_convoy_counts_whose_sum_overflows_16_bits_are_refused(tmp_path):
    from sim.errors import ScenarioError
    scenario = load_scenario(DEFAULT)
    out = tmp_path / "run"
    save(out, scenario, Runner(workers=1).run(scenario, 30, 2016).results)
    edit_row(out / "runs.csv", True, convoys_sent="30000", convoys_delivered="20000",
             convoys_attacked="20000")
    with pytest.raises(ScenarioError) as err:
        read_run(out)
    assert err.value.path.endswith("column convoys_delivered")


def test_a_blank_line_in_runs_csv_is_no_replication(tmp_path):
    scenario = load_scenario(DEFAULT)
    out = tmp_path / "run"
    save(out, scenario, Runner(workers=1).run(scenario, 10, 2016).results)
    with open(out / "runs.csv", "a", newline="") as fh:
        fh.write("\r\n")
    assert len(read_run(out)[1]) == 10


def test_read_run_without_needing_the_summary_still_returns_it(tmp_path):
    scenario = load_scenario(DEFAULT)
    out = tmp_path / "run"
    save(out, scenario, Runner(workers=1).run(scenario, 10, 2016).results)
    assert read_run(out, summary_needed=False)[2] == read_run(out)[2] != {}


def test_the_text_is_flushed_before_it_is_synced(tmp_path, monkeypatch):
    import sim.csvio
    real, sizes = os.fsync, []

    def sync(fd):
        sizes.append(os.fstat(fd).st_size)
        real(fd)

    monkeypatch.setattr(sim.csvio.os, "fsync", sync)
    with sim.csvio.atomic_writer(tmp_path / "f.txt") as fh:
        fh.write("x" * 100)
    assert sizes == [100]


def test_a_resumed_runs_progress_bar_ends_at_the_runs_asked_for(geneva, monkeypatch):
    first = Runner(workers=1).run(geneva, 30, 3).results
    counted = counting_bar(monkeypatch)
    Runner(workers=1, progress=True).run(geneva, 50, 3, existing=first)
    assert sum(counted) == 50


def test_a_second_ctrl_c_while_an_in_process_run_collects_its_results_loses_nothing(geneva, monkeypatch):
    import sim.chunks
    import sim.runner
    real, real_empty = sim.chunks.run_replication, sim.runner.empty_results

    def ctrl_c_during_300(scenario, root, i, *rest):
        if i == 300:
            os.kill(os.getpid(), signal.SIGINT)
        return real(scenario, root, i, *rest)

    def again(scenario):
        time.sleep(0.25)
        os.kill(os.getpid(), signal.SIGINT)
        return real_empty(scenario)

    monkeypatch.setattr(sim.chunks, "run_replication", ctrl_c_during_300)
    monkeypatch.setattr(sim.runner, "empty_results", again)
    out = Runner(workers=1, chunk=250).run(geneva, 1000, 3)
    assert out.interrupted and len(out.results) == 301


def _sid(_):
    return os.getsid(0)


def test_pool_workers_run_in_a_session_of_their_own(geneva):
    with Runner(workers=2) as runner:
        sid = runner.executor().submit(_sid, 0).result()
    assert sid != os.getsid(0)


class Never(Executor):
    """A cluster whose first item is handed to a worker and never finishes, and whose
    others wait; a Ctrl-C comes 0.3 s in (and a second, insisting one at 5 s)."""

    def __init__(self):
        self.futures = []
        self.timers = []

    def submit(self, fn, *a, **k):
        f = Future()
        self.futures.append(f)
        if len(self.futures) == 1:
            f.set_running_or_notify_cancel()  # handed to a worker: cannot be cancelled
            self.timers = [threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT)),
                           # a second, insisting stop ends a wait for it, if the run waits
                           threading.Timer(5.0, os.kill, (os.getpid(), signal.SIGINT))]
            for t in self.timers:
                t.start()
        return f

    def cancel_timers(self):
        for t in self.timers:
            t.cancel()


def test_a_stop_does_not_wait_for_a_clusters_running_items(geneva):
    """A cluster's items are not waited for on a stop (a local pool's are, being short):
    the run returns at once, not when a second Ctrl-C insists."""
    ex = Never()
    began = time.monotonic()
    try:
        out = Runner(workers=2, executor=ex).run(geneva, 100, 3)
    finally:
        ex.cancel_timers()
    assert out.interrupted and time.monotonic() - began < 3


def test_a_stop_cancels_the_items_not_started(geneva):
    """A local pool's stop flag empties the items waiting; a cluster runs them to the
    end unless they are cancelled."""
    ex = Never()
    try:
        Runner(workers=2, executor=ex).run(geneva, 100, 3)
    finally:
        ex.cancel_timers()
    assert len(ex.futures) > 1 and all(f.cancelled() for f in ex.futures[1:])


class Counting(ThreadPoolExecutor):
    """An executor that counts the items submitted once ``stopped`` is set."""

    def __init__(self):
        super().__init__(max_workers=1)
        self.submitted_after_stop = 0
        self.stopped = False

    def submit(self, fn, *a, **k):
        if self.stopped:
            self.submitted_after_stop += 1
        return super().submit(fn, *a, **k)


def test_nothing_is_submitted_once_a_stop_came(geneva, monkeypatch):
    import sim.dispatch
    ex = Counting()
    real = sim.dispatch.run_timed_chunk

    def first_item_stops(scenario, root, first, last, *rest):
        res = real(scenario, root, first, last, *rest)
        if first == 0:
            time.sleep(0.3)  # the first refill is done
            ex.stopped = True
            os.kill(os.getpid(), signal.SIGINT)
        return res

    monkeypatch.setattr(sim.dispatch, "run_timed_chunk", first_item_stops)
    out = Runner(workers=1, executor=ex, chunk=5).run(geneva, 100, 3)
    ex.shutdown(wait=True, cancel_futures=True)
    assert out.interrupted and ex.submitted_after_stop == 0


def test_no_work_item_starts_once_an_in_process_run_stopped(geneva, monkeypatch):
    import sim.chunks
    real = sim.chunks.run_replication
    items = []
    real_chunk = sim.chunks.run_timed_chunk

    def ctrl_c_during_300(scenario, root, i, *rest):
        if i == 300:
            os.kill(os.getpid(), signal.SIGINT)
        return real(scenario, root, i, *rest)

    def counting(scenario, root, first, last, *rest):
        items.append(first)
        return real_chunk(scenario, root, first, last, *rest)

    monkeypatch.setattr(sim.chunks, "run_replication", ctrl_c_during_300)
    monkeypatch.setattr(sim.chunks, "run_timed_chunk", counting)
    out = Runner(workers=1, chunk=250).run(geneva, 1000, 3)
    assert out.interrupted and len(out.results) == 301
    assert items == [0, 250], "work items were started after the stop"


def test_a_stop_raised_inside_the_progress_bar_keeps_the_chunk_it_counted(geneva, monkeypatch):
    """A second Ctrl-C raises at once in-process, wherever the main thread is: landing
    in the bar's update, it lost the chunk being counted when the chunk was kept after
    the bar was updated."""
    import sim.chunks
    import sim.runner

    monkeypatch.setattr(sim.chunks.Sizer, "size", lambda self: self.fixed or 100)
    real, calls = sim.runner.tqdm, []

    class Bar(real):  # type: ignore[misc, valid-type]
        def update(self, n=1):
            calls.append(n)
            if len(calls) == 3:
                raise KeyboardInterrupt
            return super().update(n)

    monkeypatch.setattr(sim.runner, "tqdm", Bar)
    with Runner(workers=1) as runner:
        out = runner.run(geneva, 500, 2016)
    assert out.interrupted and len(out.results) == 300
