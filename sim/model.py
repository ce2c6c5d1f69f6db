"""One replication: talks, then (if agreed) the ceasefire, in one SimPy environment.

``run_replication(scenario, root, i)`` is a pure function of its arguments: the same
scenario, root seed and index always give the same :class:`Outcome`, whichever
process or machine runs it.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import Any

from sim import negotiation
from sim.cast import cast
from sim.ceasefire import Ceasefire
from sim.records import Outcome, TraceEvent
from sim.scenario import Scenario
from sim.world import World


def armed_parties(scenario: Scenario) -> tuple[str, ...]:
    """Armed parties (combatants and spoilers) in canonical order: the violation columns."""
    return cast(scenario).armed


def run_replication(scenario: Scenario, root: int, replication: int,
                    trace: bool = False) -> Outcome:
    """Simulate replication ``replication`` of root seed ``root``.

    Args:
        scenario: the validated scenario.
        root: the run's root seed.
        replication: index of this replication (its seed's spawn key).
        trace: keep every event in ``Outcome.trace``.
    """
    world = World(scenario, root, replication, trace)
    env = world.env
    holder: dict[str, Ceasefire] = {}

    def main() -> Generator[Any, Any, None]:
        env.process(negotiation.shocks(world))
        yield env.process(negotiation.talks(world))
        world.events += 1
        if not world.agreed:
            return
        delay = scenario.spec.ceasefire.start_delay_hours
        if delay > 0:
            yield env.timeout(delay)
            world.events += 1
        cf = holder["cf"] = Ceasefire(world)
        yield env.process(cf.run())
        world.events += 1

    env.run(until=env.process(main()))
    armed = armed_parties(scenario)
    cf = holder.get("cf")
    nan_terms = (math.nan,) * len(scenario.issues)
    terms = (
        tuple(scenario.denormalise(k, v) for k, v in enumerate(world.terms))
        if world.agreed else nan_terms
    )
    events: tuple[TraceEvent, ...] | None = None
    if world.trace is not None:
        if cf is not None:
            for label, hours in sorted(scenario.spec.ceasefire.milestones.items(),
                                       key=lambda kv: kv[1]):
                if cf.hours_held >= hours:
                    world.trace.append(TraceEvent(cf.start + hours, "", "milestone",
                                                  f"{label} held"))
        events = tuple(sorted(world.trace, key=lambda e: e.time))
    return Outcome(
        replication=replication,
        agreed=world.agreed,
        agreement_hour=world.agreement_hour,
        rounds=world.rounds,
        rejections=world.rejections,
        shocks=world.shocks,
        terms=terms,
        hours_held=cf.hours_held if cf else 0.0,
        collapsed=bool(cf and cf.withdrew),
        withdrew=cf.withdrew if cf else "",
        trigger=cf.trigger if cf else "",
        blamed=cf.blamed if cf else "",
        misattributed=bool(cf and cf.misattributed),
        delineation_hit=bool(cf and cf.delineation_hit),
        violations=tuple(cf.violations[a] for a in armed) if cf else (0,) * len(armed),
        convoys_sent=cf.convoys.sent if cf else 0,
        convoys_delivered=cf.convoys.delivered if cf else 0,
        convoys_attacked=cf.convoys.attacked if cf else 0,
        events=world.events,
        trace=events,
    )
