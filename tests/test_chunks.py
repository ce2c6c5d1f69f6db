"""Work items: they cover the replications asked for exactly once, never span a gap,
and are sized from the time earlier items took, so a slow scenario's items stay short
(a Ctrl-C or a checkpoint waits only for those running)."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from sim.chunks import FIRST_SIZE, TARGET_SECONDS, Sizer, items


@given(st.sets(st.integers(0, 400), max_size=120), st.lists(st.floats(0.0, 2.0), max_size=40),
       st.integers(1, 300))
def test_items_cover_every_index_once_without_spanning_a_gap(indices, times, most):
    """Whatever the timings, the items are consecutive ranges within ``1 .. most`` long,
    in order, covering exactly the indices given."""
    sizer = Sizer(most)
    seconds = itertools.cycle(times or [0.01])
    covered = []
    for first, last in items(indices, sizer):
        assert 1 <= last - first <= most
        covered.extend(range(first, last))
        sizer.observe(last - first, next(seconds))
    assert covered == sorted(indices)


def test_items_are_sized_to_take_about_the_target_time():
    sizer = Sizer(250)
    assert sizer.size() == FIRST_SIZE  # nothing timed yet: a small first item
    sizer.observe(4, 4 * 0.001)  # a fast scenario: 1 ms a replication
    assert sizer.size() == 250  # the most, well under the target
    slow = Sizer(250)
    slow.observe(4, 4 * 0.2)  # 0.2 s a replication
    assert slow.size() == int(TARGET_SECONDS / 0.2)
    slow.observe(1, 30.0)  # a replication slower than the target: one at a time
    assert slow.size() == 1


def test_a_fixed_size_ignores_the_timings():
    sizer = Sizer(250, fixed=50)
    sizer.observe(50, 100.0)
    assert sizer.size() == 50


def test_enough_items_are_queued_for_the_time_asked():
    sizer = Sizer(250)
    assert sizer.items_for(2.0) == 2  # untimed: a couple per worker
    sizer.observe(4, 4 * 0.0005)  # items of 250 take 0.125 s
    assert sizer.items_for(2.0) == 16
    sizer.observe(1, 5.0)
    assert sizer.items_for(2.0) == 2  # never fewer than two per worker


def test_an_adaptive_run_keeps_the_item_size_it_learnt_across_batches(monkeypatch):
    """Every batch (and every point of a sweep) started again from one-replication
    items: for a slow scenario, a second start-up delay at each."""
    from helpers import DEFAULT

    import sim.chunks
    from sim.runner import Runner
    from sim.scenario import load_scenario

    real, firsts = sim.chunks.run_chunk, []

    def recording(scenario, root, first, last, *stopped):
        firsts.append((first, last - first))
        return real(scenario, root, first, last, *stopped)

    monkeypatch.setattr(sim.chunks, "run_chunk", recording)
    Runner(workers=1).run(load_scenario(DEFAULT), 0, seed=3, precision=1e-6, min_runs=100,
                          max_runs=300, batch=100)
    assert firsts[0] == (0, FIRST_SIZE)
    assert [size for first, size in firsts if first in (100, 200)] == [100, 100]
