"""Rewrite the golden runs after a deliberate change to the model.

Usage (from the repository root): python tests/golden/regenerate.py

Only run this when the model is meant to behave differently; a speed-up or a
refactoring must leave the golden files as they are (``tests/test_golden.py``).
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from sim.chunks import run_chunk  # noqa: E402
from sim.model import run_replication  # noqa: E402
from sim.scenario import load_scenario  # noqa: E402

CASES = {
    # the default scenario, and the pause scenario, which exercises the convoys
    "geneva_2016": ("scenarios/geneva_2016.toml", 2016, 80),
    "aleppo_48h_pause": ("scenarios/aleppo_48h_pause.toml", 7, 80),
}
"""Golden file stem: (scenario file, root seed, replications)."""

TRACED = ("geneva_2016", 2016, 6)
"""Stem, root seed and replications whose event logs are pinned too: every number the
model carries (trust after each act, no-deal values after shocks), not only the
outcomes, so a change that moves trust without changing who withdraws still shows."""


def golden_path(stem: str) -> Path:
    """Where the golden runs of a case are kept."""
    return HERE / f"{stem}.csv"


def trace_path() -> Path:
    """Where the pinned event logs are kept."""
    return HERE / f"{TRACED[0]}_trace.csv"


def trace_lines(stem: str, seed: int, runs: int) -> list[str]:
    """The event logs of replications ``0..runs-1``: replication, time, party, event and
    value (written with ``repr``, so every bit shows). Details are prose and left out."""
    root = HERE.parent.parent
    scenario = load_scenario(root / CASES[stem][0])
    lines = ["replication,time,party,event,value"]
    for i in range(runs):
        for e in run_replication(scenario, seed, i, trace=True).trace or ():
            lines.append(f"{i},{e.time!r},{e.party},{e.event},{e.value!r}")
    return lines


def regenerate() -> None:
    root = HERE.parent.parent
    for stem, (file, seed, runs) in CASES.items():
        results = run_chunk(load_scenario(root / file), seed, 0, runs)
        results.write_csv(golden_path(stem))
        print(f"wrote {golden_path(stem).relative_to(root)}: {runs} runs of {file}, seed {seed}")
    trace_path().write_text("\n".join(trace_lines(*TRACED)) + "\n")
    print(f"wrote {trace_path().relative_to(root)}: event logs of {TRACED[2]} replications")


if __name__ == "__main__":
    regenerate()
