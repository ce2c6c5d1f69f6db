"""Cost per SimPy event of the model against a bare SimPy loop, in the same run.

Usage: python bench/event_cost.py [RUNS] [REPEATS]

The model's cost per event is its wall time divided by the SimPy events it processed
(counted by the environment itself in a first, untimed pass, so set-up and rules are
charged to events). The bare loop processes the same number of timeouts in one
process doing nothing else. Each is timed REPEATS times, interleaved, and the fastest
kept. Target: at most 3x the bare loop.
"""

from __future__ import annotations

import random
import sys
import time

import simpy
from common import default_scenario

from sim.model import run_replication
from sim.streams import Streams

PlainEnvironment, PlainRandom = simpy.Environment, random.Random


class CountingEnvironment(simpy.Environment):
    """An environment that counts the events it processes (for this benchmark only)."""

    processed = 0

    def step(self) -> None:
        CountingEnvironment.processed += 1
        super().step()


def bare_loop(n: int, environment: type[simpy.Environment] = simpy.Environment) -> float:
    """Seconds for one SimPy process to wait on ``n`` timeouts."""
    env = environment()

    def proc(env):
        for _ in range(n):
            yield env.timeout(1.0)

    env.process(proc(env))
    start = time.perf_counter()
    env.run()
    return time.perf_counter() - start


def seeding(runs: int, streams: int) -> float:
    """Seconds to build ``runs`` replications' seeds and ``streams`` named streams
    between them, as the model did, with no model at all.

    This is the floor the design's randomness sets: one SeedSequence per replication
    and one Mersenne Twister per party and source of chance."""
    each, extra = divmod(streams, runs)
    names = [f"stream:{k}" for k in range(each + 1)]
    start = time.perf_counter()
    for i in range(runs):
        made = Streams(1, i)
        for name in names[: each + (1 if i < extra else 0)]:
            made.get(name)
    return time.perf_counter() - start


class CountingRandom(random.Random):
    """A Mersenne Twister that counts how many the model seeds (its named streams)."""

    created = 0

    def __init__(self, x=None) -> None:
        CountingRandom.created += 1
        super().__init__(x)


def model_time(sc, runs: int) -> float:
    """Seconds for the model to run replications 0..runs-1 of root seed 1."""
    start = time.perf_counter()
    for i in range(runs):
        run_replication(sc, 1, i)
    return time.perf_counter() - start


def count(sc, runs: int) -> tuple[int, int]:
    """SimPy events processed and named streams created by replications 0..runs-1 of
    root seed 1 (an untimed pass).

    The model's modules look up ``simpy.Environment`` and ``random.Random`` when they
    use them, compiled or not, so replacing the two classes counts what they make."""
    CountingEnvironment.processed = CountingRandom.created = 0
    simpy.Environment, random.Random = CountingEnvironment, CountingRandom
    try:
        model_time(sc, runs)
    finally:
        simpy.Environment, random.Random = PlainEnvironment, PlainRandom
    return CountingEnvironment.processed, CountingRandom.created


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    sc = default_scenario()
    events, streams = count(sc, runs)

    # timed passes, interleaved; the fastest of each is the least disturbed by a noisy
    # machine (as timeit does)
    model = bare = floor = float("inf")
    for _ in range(repeats):
        model = min(model, model_time(sc, runs))
        bare = min(bare, bare_loop(events))
        floor = min(floor, seeding(runs, streams))
    per_model, per_bare = model / events, bare / events
    print(f"replications            {runs} (best of {repeats} timings)")
    print(f"SimPy events processed  {events:,} ({events / runs:.1f} per replication)")
    print(f"model                   {1e6 * per_model:6.2f} us/event (set-up and rules included)")
    print(f"bare SimPy loop         {1e6 * per_bare:6.2f} us/event")
    print(f"ratio                   {per_model / per_bare:6.2f}x   (target <= 3x)")
    print()
    print("where the model's time goes, per event:")
    print(f"  SimPy itself                                  {1e6 * per_bare:5.2f} us")
    print(f"  seeding ({streams / runs:.1f} named streams per replication)   "
          f"{1e6 * floor / events:5.2f} us = {floor / model:4.0%} of the model's time")
    rest = per_model - per_bare - floor / events
    print(f"  the model's rules and bookkeeping             {1e6 * rest:5.2f} us")
    # what the target leaves for the rules once SimPy and the seeding are paid for
    budget = 3 * per_bare - per_bare - floor / events
    print(f"at 3x, the rules would have {1e6 * budget:5.2f} us/event: "
          f"{max(budget, 0.0) / rest:.0%} of what they take now")
    print("  (if SimPy cost the model no more per event than the bare loop; it costs more:")
    print("   the model also starts processes and waits on conditions, see where_time_goes.py)")


if __name__ == "__main__":
    main()
