"""How figures name a swept parameter: in titles by what it is (``sensitivity
(regime)``), on axes with its unit where the scenario declares one."""

from __future__ import annotations

from typing import Any

from sim.document import split_key

PLAIN_TABLES = frozenset({"ceasefire", "negotiation", "issues", "behaviour", "positions",
                          "terms"})
"""Tables whose name adds nothing to a key's: ``ceasefire.horizon_hours`` is 'horizon
hours'."""


def param_name(key: str) -> str:
    """A swept key as titles and axes name it: its last part after the table that holds
    it, and the party's name for a party's key, so that it says what changed
    (``parties.russia.positions.delineation.min`` is 'delineation min (russia)',
    ``ceasefire.imposed.delineation`` 'imposed delineation'; a sweep of the former was
    titled 'change with min')."""
    parts = split_key(key)
    party = parts[1] if parts[0] == "parties" and len(parts) > 2 else None
    rest = parts[2:] if party is not None else parts
    tables = [p for p in rest[:-1] if p not in PLAIN_TABLES]
    last = PROSE_NAMES.get(rest[-1], rest[-1])
    name = " ".join([*tables[-1:], last]).replace("_", " ")
    return f"{name} ({party})" if party is not None else name


PROSE_NAMES = {"no_deal": "no-deal value", "no_deal_spread": "no-deal spread",
               "after_hours": "terms' hour"}
"""Keys whose words, read as prose, say something else: a sweep 'with no deal (iran)'
read as one run without a deal; ``ceasefire.later.after_hours`` is 'later terms'
hour' (the hour they take effect), not 'later after hours', nor 'later start hours',
which read as a later start of the ceasefire."""


UNIT_KEYS = {"attack_rate": "per day"}
"""Keys whose unit no scenario declares and whose name does not say it."""

POSITION_ENDS = frozenset({"ideal", "min", "max"})
"""The parts of a party's position on an issue that are values of the issue."""


def axis_label(key: str, scenario: Any = None) -> str:
    """A swept key as an axis names it: :func:`param_name`, with its unit where one is
    known: the unit ``scenario`` declares for an issue (its range, a party's position
    on it or a value imposed on the ceasefire), hours for a ``*_hours`` key, per day for
    an attack rate. An axis named ``parties.regime.behaviour\\n.sensitivity`` (the key,
    broken at a dot) said less than the title above it."""
    parts = split_key(key)
    name, unit = param_name(key), UNIT_KEYS.get(parts[-1], "")
    issue = _issue(parts)
    issues = getattr(getattr(scenario, "spec", None), "issues", None) or {}
    if issue is not None and issue in issues:
        unit = getattr(issues[issue], "unit", "") or ""
    if parts[-1].endswith("_hours") and not unit:
        unit = "hours"
    if unit == "hours" and " hours" in name:  # 'horizon hours (hours)'
        name = name.replace(" hours", "", 1)
    if not unit:
        return name
    return f"{name}, {unit}" if name.endswith(")") else f"{name} ({unit})"


def _issue(parts: tuple[str, ...]) -> str | None:
    """The issue whose values ``parts`` (a key's) set, if any."""
    if len(parts) == 3 and parts[0] == "issues" and parts[2] in ("low", "high"):
        return parts[1]
    if len(parts) == 5 and parts[0] == "parties" and parts[2] == "positions" \
            and parts[4] in POSITION_ENDS:
        return parts[3]
    if len(parts) == 3 and parts[:2] == ("ceasefire", "imposed"):
        return parts[2]
    if len(parts) == 4 and parts[:3] == ("ceasefire", "later", "terms"):
        return parts[3]
    return None
