"""Small scenario documents and command runners shared by the example-based tests."""

from __future__ import annotations

import copy
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

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


def cli(*args: str, timeout: float = 300, env: dict[str, str] | None = None,
        cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python run_sim.py ARGS`` in a subprocess and capture its output."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, str(ROOT / "run_sim.py"), *args],
        capture_output=True, text=True, timeout=timeout, env=full_env, cwd=cwd or ROOT,
    )


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
    proc = subprocess.Popen([sys.executable, str(ROOT / "run_sim.py"), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    time.sleep(after)
    proc.send_signal(sig)
    if again is not None:
        time.sleep(again)
        proc.send_signal(sig)
    stdout, stderr = proc.communicate(timeout=120)
    return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)


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
