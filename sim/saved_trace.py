"""A trace saved by ``trace --out DIR``, and read back for ``plot DIR``.

A trace is saved as two files: ``trace_<seed>_<replication>.json``, the record
``trace --json`` prints, and ``trace_<seed>_<replication>.toml``, the scenario as it ran
(parents and ``--set`` values applied). The figure needs more than the record holds
(every party's tolerance, the pause, each event's place in the talks), so ``plot``
runs the replication again from the saved scenario, which is cheap and exact (the seed
and replication fix every draw), and draws it only if it gives the saved events: the
figure then shows what the record says, or the user is told why it cannot.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from sim import __version__
from sim.errors import ScenarioError
from sim.model import run_replication
from sim.output import resolved_toml, write_text
from sim.scenario import Scenario, load_scenario
from sim.trace_report import OUTCOME_KEYS, trace_name, trace_record

SAVED = re.compile(r"trace_\d+_\d+\.json")
"""The name of a saved record: other ``trace_*.json`` files (notes, copies) are not
traces and are left alone."""


def trace_files(seed: int, replication: int) -> tuple[str, str]:
    """The files ``trace --out`` writes, which an earlier trace must not hold."""
    stem = trace_name(seed, replication)
    return f"{stem}.json", f"{stem}.toml"


def save_trace(out: Path, scenario: Scenario, record: str, seed: int, replication: int) -> None:
    """Write a trace's scenario, then its record: ``plot`` looks for the record, so a
    save stopped between the two leaves no trace it would read without its scenario."""
    record_file, scenario_file = trace_files(seed, replication)
    write_text(out / scenario_file, resolved_toml(scenario))
    write_text(out / record_file, record + "\n")


def read_traces(out: Path) -> list[dict[str, Any]]:
    """Every trace saved in ``out``, as ``plots.draw("trace", ...)`` takes it
    (``scenario``, ``outcome``, ``seed``), in the order of their file names.

    Raises:
        ScenarioError: a record or its scenario is missing, unreadable or not as
            ``trace --out`` writes it, or the replication no longer gives the saved
            events (the model changed since); the message names the file.
    """
    return [_read_trace(path) for path in _records(out)]


def _records(out: Path) -> list[Path]:
    """The saved records in ``out``, in the order of their names."""
    return sorted(p for p in out.glob("trace_*.json") if SAVED.fullmatch(p.name))


def traces_beside(out: Path) -> str:
    """A note for ``plot`` of a directory that holds another result and traces too
    (``trace --out`` may write into a run's directory): their figures are not drawn
    with the result's, and the user should not take their absence for a failure. ""
    when there are none."""
    saved = [p.name for p in _records(out)]
    if not saved:
        return ""
    return (f"note: {out} also holds {saved[0]}" + (f" and {len(saved) - 1} more traces"
                                                    if len(saved) > 1 else "")
            + ", not drawn with its results: 'plot' draws traces from a folder of their own "
            "(or 'trace ... --out DIR --plot' draws one)")


def _read_trace(path: Path) -> dict[str, Any]:
    record = _record(path)
    seed, replication = record["seed"], record["replication"]
    scenario_path = path.with_suffix(".toml")
    if not scenario_path.is_file():
        raise ScenarioError(str(scenario_path), "", None, f"missing: {path.name} is drawn from "
                            f"its scenario ({_again(seed, replication, path.parent)})")
    scenario = load_scenario(scenario_path)
    sets = record.get("sets") or []
    if not isinstance(sets, list) or not all(isinstance(s, str) for s in sets):
        raise ScenarioError(str(path), "sets", sets, "a list of the --set texts, as 'trace --out' "
                            "writes it")
    scenario = replace(scenario, sets=tuple(sets))
    outcome = run_replication(scenario, seed, replication, trace=True)
    if not _same(json.loads(trace_record(outcome, scenario, seed)), record):
        saved_by = record.get("version")
        why = (f"it was saved by version {saved_by}, this is {__version__}" if saved_by != __version__
               else f"it, or its scenario {scenario_path.name}, was edited after it was saved")
        raise ScenarioError(str(path), "", None, (
            f"holds other events than replication {replication} of seed {seed} gives now "
            f"({why}): {_again(seed, replication, path.parent)}"))
    return {"scenario": scenario, "outcome": outcome, "seed": seed}


def _record(path: Path) -> dict[str, Any]:
    """A saved record, with the seed and replication a trace of this version saves."""
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ScenarioError(str(path), "", None, "a trace record as 'trace --out' writes it "
                            f"(it cannot be read as JSON: {exc})") from None
    if not isinstance(record, dict):
        raise ScenarioError(str(path), "", None, "a JSON object, as 'trace --out' writes it")
    for key in ("seed", "replication"):
        value = record.get(key)
        if key not in record:
            raise ScenarioError(str(path), key, None, "present: this record was saved by a version "
                                "that did not keep its scenario; draw it by running the trace "
                                "again with --plot")
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ScenarioError(str(path), key, value, "a whole number from 0, as 'trace --out' "
                                "writes it")
    return record


def _same(now: dict[str, Any], saved: dict[str, Any]) -> bool:
    """The replication gives the saved outcome, event by event (the keys that say
    which replication it is aside: they were used to run it)."""
    return all(now[key] == saved.get(key) for key in OUTCOME_KEYS)


def _again(seed: int, replication: int, out: Path) -> str:
    return (f"draw it by running the trace again, into another directory than {out}: 'trace "
            f"SCENARIO.toml --seed {seed} --replication {replication} --out DIR --plot'")

