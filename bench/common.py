"""Shared set-up for the benchmark scripts (run them from the repository root)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sim.scenario import Scenario, load_scenario  # noqa: E402

DEFAULT = ROOT / "scenarios" / "geneva_2016.toml"


def default_scenario() -> Scenario:
    """The default scenario, as the command line loads it."""
    return load_scenario(DEFAULT)


def timed(fn, *args, **kwargs):
    """Call ``fn`` and return (its result, wall seconds)."""
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - start
