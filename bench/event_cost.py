"""Cost per SimPy event of the model against a bare SimPy loop, in the same run.

Usage: python bench/event_cost.py [RUNS]

The model's cost per event is its wall time divided by the SimPy events it processed
(counted by the environment itself, so set-up and rules are charged to events). The
bare loop processes the same number of timeouts in one process doing nothing else.
Target: at most 3x the bare loop.
"""

from __future__ import annotations

import sys
import time

import simpy
from common import default_scenario

from sim.model import run_replication


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


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    sc = default_scenario()
    import sim.world as world_module

    world_module.simpy.Environment = CountingEnvironment  # count, without changing the model
    start = time.perf_counter()
    for i in range(runs):
        run_replication(sc, 1, i)
    model = time.perf_counter() - start
    world_module.simpy.Environment = simpy.Environment
    events = CountingEnvironment.processed
    # the counting subclass adds a Python call per event: subtract its own cost
    overhead = bare_loop(events, CountingEnvironment) - bare_loop(events)
    bare = bare_loop(events)
    per_model = (model - max(overhead, 0.0)) / events
    per_bare = bare / events
    print(f"replications            {runs}")
    print(f"SimPy events processed  {events:,} ({events / runs:.1f} per replication)")
    print(f"model                   {1e6 * per_model:6.2f} us/event (set-up and rules included)")
    print(f"bare SimPy loop         {1e6 * per_bare:6.2f} us/event")
    print(f"ratio                   {per_model / per_bare:6.2f}x   (target <= 3x)")


if __name__ == "__main__":
    main()
