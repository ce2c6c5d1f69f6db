"""The test helpers that start the command line: a child, and whatever it started,
never outlive the test, whether it passes, fails or times out."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import alive, run_child, running

FAMILY = """
import os, subprocess, sys, time
from pathlib import Path
sleep = [sys.executable, "-c", "import time; time.sleep(600)"]
grouped = subprocess.Popen(sleep)  # in the child's process group
detached = subprocess.Popen(sleep, start_new_session=True)  # as the pool's workers are
Path(sys.argv[1] + ".new").write_text(f"{grouped.pid} {detached.pid}")
os.replace(sys.argv[1] + ".new", sys.argv[1])  # never read half written
time.sleep(600)
"""
"""A child that starts two grandchildren sleeping, one of them in a session of its own,
writes their ids to the file it is given and sleeps."""


def family(proc: subprocess.Popen[str], pids: Path) -> list[int]:
    """The child and its two grandchildren, once it has started them."""
    deadline = time.monotonic() + 60
    while not pids.exists() or len(pids.read_text().split()) < 2:
        assert proc.poll() is None and time.monotonic() < deadline, "no grandchildren"
        time.sleep(0.05)
    return [proc.pid, *map(int, pids.read_text().split())]


@pytest.mark.parametrize("failing", [True, False])
def test_a_child_and_all_it_started_end_with_the_block(tmp_path, failing):
    pids = tmp_path / "pids"
    started: list[int] = []
    expected = pytest.raises(AssertionError) if failing else contextlib.nullcontext()
    with expected, running([sys.executable, "-c", FAMILY, str(pids)], text=True) as proc:
        started = family(proc, pids)
        assert all(alive(pid) for pid in started)
        if failing:
            raise AssertionError("a test failing while its child runs")
    assert len(started) == 3
    assert not [pid for pid in started if alive(pid)]
    assert proc.returncode is not None  # reaped, not left a zombie


def test_a_timeout_ends_the_child_and_all_it_started(tmp_path):
    """``subprocess.run`` kills the child alone on a timeout: its grandchildren lived."""
    pids = tmp_path / "pids"
    with pytest.raises(subprocess.TimeoutExpired):
        run_child([sys.executable, "-c", FAMILY, str(pids)], timeout=5)
    assert pids.exists(), "the child was slower to start than the timeout"
    grandchildren = [int(pid) for pid in pids.read_text().split()]
    assert len(grandchildren) == 2
    assert not [pid for pid in grandchildren if alive(pid)]


def test_a_finished_child_gives_its_output_and_status():
    done = run_child([sys.executable, "-c", "import sys; print(sys.stdin.read().upper()); "
                      "sys.exit(3)"], input="abc", timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (3, "ABC\n", "")

