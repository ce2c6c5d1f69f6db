"""The per-event benchmarks again, with the model's modules compiled by mypyc.

Usage: python bench/compiled.py [RUNS] [--keep]

An experiment, not a way to run the simulator: it answers "would compiling the rules
meet the per-event target?". It copies the model's source, the benchmarks and the
scenarios to a temporary directory, compiles the modules a replication spends its
time in (the rules, the two phases, the world, the streams) with mypyc, checks with
the golden files that the compiled model gives the same results, and runs
``event_cost.py`` and ``where_time_goes.py`` there. ``--keep`` keeps the copy.

Needs mypy and py-spy (the ``dev`` extra), pytest (the ``test`` extra) and a C compiler.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

from common import ROOT

from sim.toml_out import toml_dumps

HOT = [
    "sim/rules/__init__.py", "sim/rules/base.py", "sim/rules/convoys.py",
    "sim/rules/perception.py", "sim/rules/talks.py", "sim/rules/trust.py",
    "sim/rules/violations.py", "sim/ceasefire.py", "sim/negotiation.py", "sim/world.py",
    "sim/model.py", "sim/streams.py", "sim/cast.py",
]
"""Modules a replication spends its time in (from the profile)."""

COPIED = ["sim", "bench", "scenarios", "tests"]


def tool_settings() -> str:
    """The project's pytest and mypy settings alone, as the copy's pyproject.toml: mypyc
    builds with the setuptools of this environment, which reads the whole [project]
    table and may be older than the one ``build-system`` asks for (setuptools 65
    refused the licence as an SPDX string, and nothing was compiled)."""
    doc = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return toml_dumps({"tool": {k: v for k, v in doc["tool"].items() if k in ("pytest", "mypy")}})


def main() -> None:
    args = [a for a in sys.argv[1:] if a != "--keep"]
    runs = args[0] if args else "5000"
    tmp = Path(tempfile.mkdtemp(prefix="compiled-"))
    try:
        for name in COPIED:
            source = ROOT / name
            if source.is_dir():
                shutil.copytree(source, tmp / name,
                                ignore=shutil.ignore_patterns("__pycache__", "*.so"))
            else:
                shutil.copy(source, tmp / name)
        (tmp / "pyproject.toml").write_text(tool_settings(), encoding="utf-8")
        print(f"compiling {len(HOT)} modules with mypyc in {tmp} ...", flush=True)
        built = subprocess.run([sys.executable, "-m", "mypyc", *HOT], cwd=tmp,
                               capture_output=True, text=True, check=False)
        if built.returncode != 0:
            sys.exit(f"mypyc failed (status {built.returncode}):\n{built.stdout[-3000:]}"
                     f"{built.stderr[-3000:]}")
        print("\n$ python -m pytest tests/test_golden.py   (compiled: same results?)", flush=True)
        golden = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                                 "tests/test_golden.py"], cwd=tmp, check=False)
        if golden.returncode != 0:  # timings of a model that is not this one mean nothing
            sys.exit("the compiled model does not pass the golden files (or pytest is "
                     "missing: pip install -e '.[dev,test]'); no timings")
        for script in ("event_cost.py", "where_time_goes.py"):
            print(f"\n$ python bench/{script} {runs}   (compiled)", flush=True)
            subprocess.run([sys.executable, f"bench/{script}", runs], cwd=tmp, check=False)
    finally:
        if "--keep" in sys.argv:
            print(f"\nthe compiled copy is kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
