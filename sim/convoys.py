"""The aid convoys of a ceasefire's humanitarian pause.

During the pause, convoys leave at intervals and need ``calm_hours`` without an act to
deliver. An act while one is on the road spoils its calm (it turns back), and may hit it
(``attack_probability``), which makes the act grave for its victim. A convoy is hit at
most once: a signatory's act on a convoy a spoiler already hit is an ordinary act.
"""

from __future__ import annotations

import random
from collections.abc import Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sim.streams import first_use

if TYPE_CHECKING:
    from sim.world import World


@dataclass(slots=True)
class Convoy:
    """One aid convoy on the road."""

    number: int
    spoiled: bool = False
    attacked: bool = False


class Convoys:
    """The convoys of one ceasefire: those on the road, and how many left, delivered
    and were attacked (the replication's record)."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.spec = world.scenario.spec.ceasefire.convoys
        self.on_road: list[Convoy] = []
        self.sent = 0
        self.delivered = 0
        self.attacked = 0
        self.hits: dict[str, random.Random] = {}
        """Per author: whether its acts hit the convoys on the road (``convoys:NAME``)."""

    def convoy(self, number: int, depart: float, calm: float) -> Generator[Any, Any, None]:
        """One convoy: leaves at ``depart`` after the start, delivers after ``calm``
        hours if no violation happened meanwhile."""
        world = self.world
        env = world.env
        yield env.timeout(depart)
        world.events += 1
        convoy = Convoy(number)
        self.on_road.append(convoy)
        self.sent += 1
        world.log("", "convoy departs", f"convoy {number}")
        yield env.timeout(calm)
        world.events += 1
        self.on_road.remove(convoy)
        if convoy.spoiled:
            world.log("", "convoy turned back", f"convoy {number}: no calm")
        else:
            self.delivered += 1
            world.log("", "convoy delivers", f"convoy {number}")

    def hit(self, author: str) -> float:
        """An act while convoys are on the road spoils their calm and may hit them;
        returns the act's severity (grave if it hit one)."""
        hits = self.hits.get(author) or first_use(self.hits, self.world.streams, "convoys", author)
        severity = 1.0
        for convoy in self.on_road:
            convoy.spoiled = True
            if hits.random() < self.spec.attack_probability and not convoy.attacked:
                convoy.attacked = True
                self.attacked += 1
                severity = self.spec.grave_severity
                self.world.log(author, "convoy attacked", f"convoy {convoy.number} (grave)")
        return severity
