"""Small scenario documents and command runners shared by the example-based tests."""

from __future__ import annotations

import contextlib
import copy
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from sim.run_outcome import RESUME_ADVICE, WorkerLostError

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT / "scenarios" / "geneva_2016.toml"


def minimal_doc() -> dict[str, Any]:
    """A small valid scenario: two patrons, two combatants, one issue, no spoiler."""
    return {
        "name": "minimal",
        "issues": {"verification": {"low": 0.0, "high": 1.0}},
        "parties": {
            "east": {"role": "patron", "no_deal": 0.2,
                     "positions": {"verification": {"ideal": 0.2}}},
            "west": {"role": "patron", "no_deal": 0.2,
                     "positions": {"verification": {"ideal": 0.8}}},
            "red": {"role": "combatant", "patron": "east", "no_deal": 0.1,
                    "behaviour": {"attack_rate": 2.0, "trust": 0.5, "tolerance": 0.2}},
            "blue": {"role": "combatant", "patron": "west", "no_deal": 0.1,
                     "behaviour": {"attack_rate": 2.0, "trust": 0.5, "tolerance": 0.2}},
        },
        "negotiation": {"round_interval_hours": 24.0, "deadline_hours": 240.0},
        "ceasefire": {"horizon_hours": 240.0,
                      "milestones": {"48h": 48.0, "7d": 168.0, "10d": 240.0}},
    }


def oracle_doc(rate_per_day: float, trust: float, sensitivity: float, tolerance: float,
               horizon: float = 720.0) -> dict[str, Any]:
    """One Poisson violation source and a fixed withdrawal threshold.

    Principals want the same package, so they agree in round one; clients ratify with
    certainty. Only ``red`` violates, at exactly ``rate_per_day`` (no command, so no
    restraint; no retaliation, deterrence, convoys or spoiler), and ``blue`` notices
    every violation and loses ``sensitivity`` of trust each time with no recovery. So
    the ceasefire holds to ``t`` iff fewer than ``k`` violations happened by ``t``,
    where ``k`` is the first count that takes trust below ``tolerance``.
    """
    return {
        "name": "oracle",
        "issues": {"verification": {"low": 0.0, "high": 1.0}},
        "parties": {
            "east": {"role": "patron", "no_deal": 0.0,
                     "positions": {"verification": {"ideal": 0.0}}},
            "west": {"role": "patron", "no_deal": 0.0,
                     "positions": {"verification": {"ideal": 0.0}}},
            "red": {"role": "combatant", "patron": "east", "no_deal": 0.0,
                    "behaviour": {"attack_rate": rate_per_day, "command_control": 0.0,
                                  "ratification_noise": 0.001}},
            "blue": {"role": "combatant", "patron": "west", "no_deal": 0.0,
                     "behaviour": {"attack_rate": 0.0, "trust": trust,
                                   "sensitivity": sensitivity, "tolerance": tolerance,
                                   "ratification_noise": 0.001}},
        },
        "negotiation": {"round_interval_hours": 1.0, "deadline_hours": 10.0},
        "ceasefire": {
            "horizon_hours": horizon,
            "milestones": {"48h": 48.0, "7d": 168.0, "30d": 720.0},
            "trust_recovery_per_day": 0.0,
            "patron_share": 0.0,
            "pause": {"hours": 0.0},
            "monitoring": {"notice": 1.0, "coverage": 0.0, "deterrence": 0.0},
        },
    }


def runaway_doc(max_acts: int) -> dict[str, Any]:
    """Both combatants retaliate about 1.4 acts per perceived violation (a Hawkes
    process above criticality) and nobody's trust ever falls, so nobody withdraws."""
    doc = minimal_doc()
    for name in ("red", "blue"):
        doc["parties"][name]["behaviour"].update(
            {"retaliation": 2.0, "sensitivity": 0.0, "command_control": 0.0})
    for name in ("east", "west"):
        doc["parties"][name]["behaviour"] = {"sensitivity": 0.0}
    return with_keys(doc, ceasefire__max_acts=max_acts,
                     ceasefire__monitoring={"notice": 1.0, "coverage": 0.0})


def with_keys(doc: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A deep copy of ``doc`` with dotted keys (``a__b__c``) replaced."""
    out = copy.deepcopy(doc)
    for key, value in changes.items():
        node = out
        parts = key.split("__")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return out


FAMILY_VAR = "CEASEFIRE_TEST_FAMILY"
"""Set, to a value of its own, in the environment of every child a test starts: its
descendants inherit it, so they can be found when they are in a session of their own
(the command's pool workers are) or have lost their parent."""


@contextlib.contextmanager
def running(args: Sequence[str], env: dict[str, str] | None = None,
            **popen: Any) -> Iterator[subprocess.Popen[Any]]:
    """Start ``args`` (``subprocess.Popen`` with ``popen``), and end it and everything
    it started when the block is left, however it is left.

    A test that fails (an assertion, a timeout, Ctrl-C of pytest) while its child runs
    would otherwise leave the child, and the child's pool workers, running. The child
    leads a process group of its own, so what it leaves in that group is killed with
    it, and the processes holding its :data:`FAMILY_VAR` (the workers, which leave the
    group) are killed too. Signals sent to ``proc.pid`` reach the child alone, as
    before: this only changes what happens once the test is done with it."""
    tag = uuid.uuid4().hex
    full_env = dict(os.environ if env is None else env)
    full_env[FAMILY_VAR] = tag
    proc = subprocess.Popen(args, env=full_env, start_new_session=True, **popen)
    try:
        yield proc
    finally:
        end_family(proc, tag)


@contextlib.contextmanager
def held_lock(path: Path) -> Iterator[None]:
    """Another process holding ``path`` (an exclusive ``flock`` on it, as a command holds
    its --out DIR, or a cron job's ``flock .`` its directory) until the block is left."""
    with running([sys.executable, "-c", "import sys, time, fcntl, os; "
                  "fd = os.open(sys.argv[1], os.O_RDONLY); fcntl.flock(fd, fcntl.LOCK_EX); "
                  "print('held', flush=True); time.sleep(60)", str(path)],
                 stdout=subprocess.PIPE, text=True) as proc:
        assert proc.stdout is not None and proc.stdout.readline() == "held\n"
        yield


def quiet(args: list[str]) -> int:
    """``run_sim.main(args)`` with what it prints to standard output dropped."""
    import io

    import run_sim

    with contextlib.redirect_stdout(io.StringIO()):
        return run_sim.main(args)


def captured(*args: str) -> tuple[int, str, str]:
    """``run_sim.main(args)`` in this process: its exit status, standard output and
    standard error."""
    import io

    import run_sim

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = run_sim.main(list(args))
    return code, out.getvalue(), err.getvalue()


def end_family(proc: subprocess.Popen[Any], tag: str, timeout: float = 10.0) -> None:
    """Kill ``proc``'s process group and every process holding ``tag`` as its
    :data:`FAMILY_VAR`, wait until they are gone, and reap ``proc``."""
    deadline = time.monotonic() + timeout
    while True:
        # the group outlives its leader while members are left, so its id is not reused
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        family = tagged(tag)
        for pid in family:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        if not family or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    proc.wait(timeout=timeout)
    for stream in (proc.stdin, proc.stdout, proc.stderr):
        if stream is not None:
            stream.close()


def tagged(tag: str) -> list[int]:
    """The running processes (Linux: read from /proc; none elsewhere) whose environment
    holds ``tag`` as :data:`FAMILY_VAR`. A zombie's environment reads empty: it is gone."""
    marker = f"\0{FAMILY_VAR}={tag}\0".encode()
    found = []
    with contextlib.suppress(FileNotFoundError):
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit() or int(entry.name) == os.getpid():
                continue
            try:
                environ = Path(entry.path, "environ").read_bytes()
            except OSError:  # gone meanwhile, or another user's
                continue
            if marker in b"\0" + environ:
                found.append(int(entry.name))
    return found


def run_child(args: Sequence[str], timeout: float, input: str | None = None,
              env: dict[str, str] | None = None,
              cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``subprocess.run(args, capture_output=True, text=True, ...)``, but a timeout (or
    any other way out) also ends what the child started: ``subprocess.run`` kills the
    child alone, and its pool workers went on."""
    with running(args, env=env, cwd=cwd, text=True, stdout=subprocess.PIPE,
                 stderr=subprocess.PIPE,
                 stdin=subprocess.PIPE if input is not None else None) as proc:
        stdout, stderr = proc.communicate(input, timeout=timeout)
    return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)


def cli(*args: str, timeout: float = 300, env: dict[str, str] | None = None,
        cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python run_sim.py ARGS`` in a subprocess and capture its output."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    return run_child([sys.executable, str(ROOT / "run_sim.py"), *args], timeout=timeout,
                     env=full_env, cwd=cwd or ROOT)


class LostWorkerError(WorkerLostError):
    """A lost worker's error as the runner raises it (its message advises ``--resume``),
    made with no arguments, as :func:`interrupt_chunk` raises a class."""

    def __init__(self, message: str = f"a worker process died; {RESUME_ADVICE}") -> None:
        super().__init__(message)


def interrupt_chunk(monkeypatch: Any, at: int, size: int = 250,
                    raising: type[BaseException] = KeyboardInterrupt) -> None:
    """Make the ``at``-th work item of an in-process run raise KeyboardInterrupt, as a
    Ctrl-C would, so interruption is tested at a known point rather than after a sleep
    (or ``raising``: a BaseException nothing handles stands for a kill outright).

    Work items are then ``size`` replications each (or fewer, where a run ends), not
    sized from how long earlier ones took, so the point is known exactly."""
    import sim.chunks

    monkeypatch.setattr(sim.chunks.Sizer, "size", lambda self: self.fixed or size)
    real, calls = sim.chunks.run_chunk, []

    def interrupting(*args: Any) -> Any:
        calls.append(args)
        if len(calls) == at:
            raise raising
        return real(*args)

    monkeypatch.setattr(sim.chunks, "run_chunk", interrupting)


def interrupt_cli(args: list[str], after: float = 4.0, again: float | None = None,
                  sig: int = signal.SIGINT) -> subprocess.CompletedProcess[str]:
    """Run ``python run_sim.py ARGS``, send it ``sig`` (Ctrl-C's SIGINT by default) after
    ``after`` seconds (and once more ``again`` seconds later, as an impatient user or
    ``timeout`` does), and return what it printed and its exit status."""
    with running([sys.executable, str(ROOT / "run_sim.py"), *args], stdout=subprocess.PIPE,
                 stderr=subprocess.PIPE, text=True, cwd=ROOT) as proc:
        time.sleep(after)
        proc.send_signal(sig)  # the command alone, as before: its workers are not told
        if again is not None:
            time.sleep(again)
            proc.send_signal(sig)
        stdout, stderr = proc.communicate(timeout=120)
    return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)


def children(pid: int) -> list[int]:
    """The child processes of ``pid`` (Linux; none once it is gone)."""
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except (FileNotFoundError, ProcessLookupError):
        return []


def descendants(pid: int) -> set[int]:
    """Children, grandchildren and so on of ``pid``."""
    out: set[int] = set()
    todo = children(pid)
    while todo:
        kid = todo.pop()
        if kid not in out:
            out.add(kid)
            todo.extend(children(kid))
    return out


def alive(pid: int) -> bool:
    """Whether ``pid`` is a running process (not gone, not a zombie)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


def same_results(a: Any, b: Any) -> None:
    """Two :class:`sim.records.Results` hold the same runs, column by column, exactly."""
    import numpy as np

    assert len(a) == len(b)
    for name, col in a.columns.items():
        np.testing.assert_array_equal(col, b.columns[name], err_msg=name)


def counting_bar(monkeypatch: Any) -> list[int]:
    """Replace the runner's progress bar by one that records its ``initial`` count and
    each update, in the list returned."""
    import sim.runner

    counted: list[int] = []

    class Bar:
        def __init__(self, *args: Any, initial: int = 0, **kwargs: Any) -> None:
            counted.append(initial)

        def update(self, n: int) -> None:
            counted.append(n)

        def close(self) -> None:
            pass

    monkeypatch.setattr(sim.runner, "tqdm", Bar)
    return counted


def on_ci() -> bool:
    """Whether the suite runs under CI: ``CI`` set to anything but empty, 0, false, no or
    off (CI services set ``CI=true``; ``CI=false`` selected the CI profile too)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no", "off")


def optional_extra(module: str) -> Any:
    """The module of an optional extra (``distributed``), or a skip of the tests that need
    it where it is not installed, so the rest of the suite still runs: except under CI,
    which installs every extra, where its absence must fail, not skip."""
    import importlib

    import pytest

    if on_ci():
        return importlib.import_module(module)
    return pytest.importorskip(module, reason=f"the '{module}' extra is not installed "
                               "(pip install -e '.[test,distributed]')")


def contents(out: Path, pattern: str = "*") -> dict[Path, bytes]:
    """Every file under ``out`` matching ``pattern``, with its bytes: what a refused
    command must leave as it was."""
    return {p: p.read_bytes() for p in sorted(out.rglob(pattern)) if p.is_file()}


def copy_sides(whole: Path, out: Path) -> None:
    """Copy a finished comparison's two side directories into ``out``."""
    for side in ("a", "b"):
        (out / side).mkdir(parents=True)
        for f in (whole / side).iterdir():
            (out / side / f.name).write_bytes(f.read_bytes())
