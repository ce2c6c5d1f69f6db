"""Checking a saved summary (``summary.json``, a comparison's sides) as far as the
figures and ``--resume`` read it.

``plot`` draws a sweep's curves, a run's median and every caption from the saved
summaries, so a summary edited by hand or damaged must be refused with the file, key
and value at fault, not met as a Python error half way through a figure.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from sim.errors import ScenarioError
from sim.toml_out import toml_value

__all__ = ["check_summary"]

INTERVALS = ("p_agreement",)
"""Keys holding one interval (estimate, low, high)."""
PER_MILESTONE = ("p_hold", "p_hold_given_agreement")
"""Keys holding one interval per milestone label."""
HOURS = ("median_hold_hours", "median_agreement_hours")
"""Keys holding a number of hours, or null where there is none."""
FLAGS = ("partial", "median_hold_censored")
"""Keys holding true or false."""


def check_summary(path: Path | str, summary: dict[str, Any], where: str = "",
                  difference: bool = False) -> None:
    """Refuse a summary whose keys the figures read are not what a command writes.

    ``where`` is the summary's own key path inside the file (``a`` for a comparison's
    side), prefixed to the keys named; ``difference``: its estimates are differences
    of probabilities (-1 to 1), as a comparison's ``diff`` holds.

    Raises:
        ScenarioError: naming the file, the key, the bad value and what is allowed.
    """
    def bad(key: str, value: Any, allowed: str) -> ScenarioError:
        return ScenarioError(str(path), f"{where}.{key}" if where else key, value,
                             f"{allowed}, as the command that saved it writes it")

    for key in FLAGS:
        if key in summary and not isinstance(summary[key], bool):
            raise bad(key, summary[key], "true or false")
    for key in HOURS:
        value = summary.get(key)
        if value is not None and not _number(value, 0.0, math.inf):
            raise bad(key, value, "a number of hours >= 0, or null")
    if "seed" in summary and not (_whole(summary["seed"]) and summary["seed"] >= 0):
        raise bad("seed", summary["seed"], "a whole number >= 0")
    sets = summary.get("sets")
    if sets is not None and not (isinstance(sets, list)
                                 and all(isinstance(s, str) for s in sets)):
        raise bad("sets", sets, "a list of the --set texts (KEY=VALUE)")
    params = summary.get("params")
    if params is not None and not (isinstance(params, dict) and all(
            _toml(v) for v in params.values())):
        raise bad("params", params, "a table of the point's --param values")
    error = summary.get("error")
    if error is not None and not isinstance(error, str):
        raise bad("error", error, "the text of the error that stopped the run, or null")
    _intervals(summary, bad, "", -1.0 if difference else 0.0, 1.0)
    diff = summary.get("diff_from_reference")
    if diff is not None:
        if not isinstance(diff, dict):
            raise bad("diff_from_reference", diff, "a table of differences from the reference")
        _intervals(diff, bad, "diff_from_reference.", -1.0, 1.0)


def _intervals(table: dict[str, Any], bad: Any, prefix: str, low: float, high: float) -> None:
    """The interval keys of ``table``: each estimate within ``low``..``high``."""
    for key in INTERVALS:
        if key in table:
            _interval(table[key], bad, prefix + key, low, high)
    for key in PER_MILESTONE:
        if key not in table:
            continue
        value = table[key]
        if not isinstance(value, dict):
            raise bad(prefix + key, value, "a table of one interval per milestone label")
        for label, each in value.items():
            _interval(each, bad, f"{prefix}{key}.{label}", low, high)


def _interval(value: Any, bad: Any, key: str, low: float, high: float) -> None:
    """An estimate with its 95% interval: numbers, or null where there is none."""
    span = f"{low:g} to {high:g}"
    if not isinstance(value, dict):
        raise bad(key, value, f"a table of estimate, low and high (numbers from {span}, or null)")
    for part in ("estimate", "low", "high"):
        number = value.get(part)
        if number is not None and not _number(number, low - 1e-9, high + 1e-9):
            raise bad(f"{key}.{part}", number, f"a number from {span}, or null")


def _number(value: Any, low: float, high: float) -> bool:
    return (isinstance(value, int | float) and not isinstance(value, bool)
            and math.isfinite(value) and low <= value <= high)


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _toml(value: Any) -> bool:
    try:
        toml_value(value)
    except (TypeError, ValueError):
        return False
    return True
