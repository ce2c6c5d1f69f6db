"""What the model reads of a scenario, and so what it makes sense to vary.

Validation refuses a behaviour key given to a role that never reads it (it would change
nothing, silently), and a sweep refuses a key that only describes the scenario (it would
vary nothing): both from the tables here.
"""

from __future__ import annotations

from collections.abc import Sequence

READ_BY: dict[str, tuple[str, ...]] = {
    "concession": ("patron",),
    "compliance": ("combatant",),
    "command_control": ("combatant",),
    "attack_rate": ("combatant", "spoiler"),
    "air_share": ("combatant",),
    "retaliation": ("combatant",),
    "strike_response": ("combatant",),
    "trust": ("patron", "combatant"),
    "tolerance": ("patron", "combatant"),
    "sensitivity": ("patron", "combatant"),
    "leverage": ("patron", "mediator"),
    "ratification_noise": ("combatant",),
    "targeting_vulnerability": ("spoiler",),
    "colocation": ("spoiler",),
}
"""The roles whose :class:`Behaviour` key the model reads. Patrons negotiate, press their
clients and sign; combatants ratify, fight, retaliate, strike spoilers and sign;
spoilers attack from among their hosts; the mediator pulls its text. A key given to any
other role would change nothing, silently (50 attacks a day for a patron), so
validation refuses it."""


DESCRIPTIVE = ("name", "title", "description", "sources", "observed", "issues.*.unit",
               "issues.*.description", "parties.*.label")
"""Keys that describe a scenario, or (``observed``) record what happened for the
backtest: no replication reads them, so a sweep of one would vary nothing."""


def is_descriptive(parts: Sequence[str]) -> bool:
    """Whether the key of these parts is, or lies within, one of :data:`DESCRIPTIVE`."""
    for pattern in DESCRIPTIVE:
        want = pattern.split(".")
        head = parts[: len(want)]
        if len(head) == len(want) and all(w in ("*", p) for w, p in zip(want, head, strict=True)):
            return True
    return False
