"""How the time to draw a run's figures grows with its runs.

Usage: python bench/plot_cost.py [RUNS]

Runs the default scenario RUNS times (default 50,000) and a tenth as many, draws each
run's four figures (as ``run --plot`` and ``plot DIR`` do) into a temporary directory,
and prints both times and their ratio. Drawing should grow about linearly with the runs
(ratio near 10, or below: a figure has fixed costs); the collapse-causes figure once
decoded the party columns afresh for every collapsed run, which made the ratio near 100
(a 60,000-run figure took minutes). Both are drawn in the same process, alternately
three times, and the fastest of each kept.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from common import default_scenario, timed

from plots import draw
from sim.report import run_summary
from sim.runner import Runner, default_workers


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    sc = default_scenario()
    with Runner(workers=default_workers()) as runner:
        small, large = (runner.run(sc, n, 2016) for n in (runs // 10, runs))
    best = {runs // 10: float("inf"), runs: float("inf")}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(3):
            for out in (small, large):
                data = {"scenario": sc, "results": out.results,
                        "summary": run_summary(out, sc, 2016, None)}
                _, seconds = timed(draw, "run", Path(tmp), "png", **data)
                best[len(out.results)] = min(best[len(out.results)], seconds)
    low, high = best[runs // 10], best[runs]
    print(f"{runs // 10:>8,} runs: figures drawn in {low:.2f} s")
    print(f"{runs:>8,} runs: figures drawn in {high:.2f} s")
    print(f"ratio {high / low:.1f} for 10x the runs   (linear: about 10 or below)")


if __name__ == "__main__":
    main()
