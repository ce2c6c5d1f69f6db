"""Memory of the results: bytes per replication and peak memory of a large run.

Usage: python bench/memory.py [RUNS]   (default 100,000)

Results are numpy columns, so their memory is linear in the number of runs; the target
is about 200 bytes per replication or less. Prints the column bytes at several sizes
(to show linearity) and the peak resident memory of the process after the big run.
"""

from __future__ import annotations

import resource
import sys

from common import default_scenario, timed

from sim.runner import Runner, default_workers


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    sc = default_scenario()
    with Runner(workers=default_workers()) as runner:
        sizes = [runs // 100, runs // 10, runs]
        for n in sizes:
            out, seconds = timed(runner.run, sc, n, 1)
            nbytes = out.results.nbytes
            print(f"{n:>8} runs: results {nbytes / 1e6:8.2f} MB = {nbytes / n:6.1f} bytes/run "
                  f"({seconds:.1f} s)")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory of the parent process: {peak:.0f} MB")
    print("target: linear in runs, about 200 bytes per replication or less")


if __name__ == "__main__":
    main()
