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
from sim.argtypes import MAX_RUNS, SEED_LIMIT, whole_in
from sim.cast import cast
from sim.ceasefire import Ceasefire
from sim.errors import ScenarioError
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

    Raises:
        ScenarioError: a seed or index the command line would refuse (numpy refused a
            negative seed with its own message, and a seed of 2**128 ran).
    """
    if not (whole_in(root, 0, SEED_LIMIT - 1) and whole_in(replication, 0, MAX_RUNS - 1)):
        raise _refused(root, replication)
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


def _refused(root: object, replication: object) -> ScenarioError:
    """The refusal of a seed or replication index out of the command line's range."""
    if not whole_in(root, 0, SEED_LIMIT - 1):
        return ScenarioError("run_replication", "root", root, "an integer from 0 to 2**128 - 1")
    return ScenarioError("run_replication", "replication", replication,
                         f"a replication index from 0 to {MAX_RUNS - 1:,}")
