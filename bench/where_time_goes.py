"""Where the model's time goes per SimPy event, from a sampling profile (py-spy).

Usage: python bench/where_time_goes.py [RUNS]

``event_cost.py`` compares the model's whole cost per event with a bare SimPy loop.
This script splits that cost, to show what the target (at most 3x the bare loop)
leaves room for. It runs RUNS replications of the default scenario (default 20,000)
under py-spy and files each sample by the innermost frame it was in:

* **SimPy**: SimPy's own code as the model uses it. That is more than the bare loop's
  timeouts: processes and their start events, the ceasefire's "horizon or collapse"
  condition, callbacks on retaliation timeouts.
* **seeding**: the ``SeedSequence`` of each replication and the seeding of its named
  streams, which the design's reproducibility rules require.
* **rules and bookkeeping**: everything else the model does (random draws included).

SimPy and seeding together are a floor that no rewrite of the rules goes below. Each
share is turned into microseconds per event with the model's unprofiled time, measured
in the same run. When the model's modules are compiled (``bench/compiled.py``), py-spy
samples native frames too, so time in compiled code is not charged to SimPy, which
calls it.

Needs py-spy (``pip install py-spy``) and permission to trace a child process.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from common import default_scenario
from event_cost import bare_loop, count, model_time

import sim.ceasefire

CATEGORIES = ("SimPy", "seeding", "rules and bookkeeping")
SEEDING = ("make_stream", "replication_entropy", "Streams.__init__", "Streams_____init__",
           "Random.seed", "Random.__init__")


def compiled() -> bool:
    """True when the model's modules are compiled extensions, not Python source."""
    return Path(sim.ceasefire.__file__).suffix in (".so", ".pyd")


def category(frames: list[str]) -> str | None:
    """The category of one sampled stack (outermost frame first), or None for a sample
    outside the replications (start-up, loading the scenario)."""
    if not any("run_replication" in f for f in frames):
        return None
    for frame in reversed(frames):
        compiled_frame = "CPyDef_" in frame or "CPyPy_" in frame
        if not compiled_frame and ".py:" not in frame:
            continue  # a C function: charge it to the code that called it
        if any(name in frame for name in SEEDING) or "numpy/" in frame:
            return "seeding"
        if "simpy/" in frame:
            return "SimPy"
        return "rules and bookkeeping"
    return "rules and bookkeeping"


def shares(raw: Path) -> Counter[str]:
    """Samples per category in a py-spy ``raw`` (collapsed stacks) file."""
    counts: Counter[str] = Counter()
    for line in raw.read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        kind = category(stack.split(";"))
        if kind is not None:
            counts[kind] += int(n)
    return counts


def profile(runs: int) -> Counter[str]:
    """Run ``runs`` replications in a child process under py-spy; samples per category."""
    spy = shutil.which("py-spy")
    if spy is None:
        sys.exit("this benchmark needs py-spy: pip install py-spy")
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "samples.txt"
        command = [spy, "record", "--rate", "250", "--format", "raw", "--output", str(raw)]
        if compiled():
            command.append("--native")
        command += ["--", sys.executable, __file__, "--child", str(runs)]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0 or not raw.exists():
            sys.exit(f"py-spy failed (status {done.returncode}):\n{done.stderr.strip()}")
        return shares(raw)


def child(runs: int) -> None:
    """The profiled process: just the replications."""
    model_time(default_scenario(), runs)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    sc = default_scenario()
    events, _ = count(sc, runs // 4)
    model = bare = float("inf")
    for _ in range(3):
        model = min(model, model_time(sc, runs // 4))
        bare = min(bare, bare_loop(events))
    per_model, per_bare = model / events, bare / events
    start = time.perf_counter()
    samples = profile(runs)
    total = sum(samples.values())
    print(f"modules                 {'compiled' if compiled() else 'Python source'}")
    print(f"replications            {runs // 4} timed, {runs} profiled "
          f"({total:,} samples in {time.perf_counter() - start:.0f} s)")
    print(f"model                   {1e6 * per_model:6.2f} us/event "
          f"({per_model / per_bare:.2f}x the bare SimPy loop's {1e6 * per_bare:.2f} us)")
    print()
    print("share of the model's time        per event   x bare loop")
    for kind in CATEGORIES:
        share = samples[kind] / total
        print(f"  {kind:<28} {share:5.1%}   {1e6 * share * per_model:6.2f} us   "
              f"{share * per_model / per_bare:5.2f}x")
    floor = (samples["SimPy"] + samples["seeding"]) / total * per_model
    print(f"with rules costing nothing, SimPy and seeding alone would cost "
          f"{1e6 * floor:.2f} us/event: {floor / per_bare:.2f}x the bare loop (target <= 3x)")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(int(sys.argv[2]))
    else:
        main()
