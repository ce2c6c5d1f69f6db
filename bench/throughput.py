"""Runs per second on the default scenario with 1 worker and with all cores.

Usage: python bench/throughput.py [RUNS] [REPEATS]

Prints runs/s for each, the parallel speed-up (target >= 1.8x on 2 cores) and the wall
time of 10,000 runs on all cores (target < 10 s on a 2-core machine). Both are measured
in the same process, alternately REPEATS times (default 3), and the fastest of each is
kept, so the ratio is meaningful on a shared machine whose speed drifts.
"""

from __future__ import annotations

import sys

from common import default_scenario, timed

from sim.runner import Runner, default_workers


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    sc = default_scenario()
    cores = default_workers()
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    Runner(workers=1).run(sc, 200, seed=1)  # warm caches and imports
    t1 = tn = float("inf")
    with Runner(workers=cores) as runner:
        runner.run(sc, cores * 250, seed=2)  # start the pool outside the timing
        for _ in range(repeats):
            serial, seconds = timed(Runner(workers=1).run, sc, runs, 1)
            t1 = min(t1, seconds)
            parallel, seconds = timed(runner.run, sc, runs, 1)
            tn = min(tn, seconds)
    assert (serial.results.columns["hours_held"] == parallel.results.columns["hours_held"]).all()
    events = int(serial.results.columns["events"].sum())
    print(f"runs                 {runs} (best of {repeats} timings each)")
    print(f"1 worker             {runs / t1:8.0f} runs/s  ({t1:.2f} s, {events / t1:,.0f} events/s)")
    print(f"{cores} workers            {runs / tn:8.0f} runs/s  ({tn:.2f} s)")
    print(f"speed-up             {t1 / tn:8.2f}x   (target >= 1.8x on 2 cores)")
    print(f"{runs} runs on {cores} cores: {tn:.2f} s   (target < 10 s for 10,000 runs)")
    print("results identical across worker counts: yes")


if __name__ == "__main__":
    main()
