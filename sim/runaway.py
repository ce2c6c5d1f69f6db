"""The error that stops a replication whose acts passed ``ceasefire.max_acts``, with
why: retaliation that feeds itself, or a limit lower than the scenario needs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim import rules
from sim.errors import ScenarioError

if TYPE_CHECKING:
    from sim.ceasefire import Ceasefire


def runaway(cf: Ceasefire) -> ScenarioError:
    """The error for a replication whose acts passed ``ceasefire.max_acts``.

    Each perceived violation provokes on average ``retaliation_mean`` acts (at
    severity 1) from its victim, whose acts provoke its own victim in turn: when the
    :func:`~sim.rules.branching_ratio` of that chain reaches 1, retaliation sustains
    itself and only withdrawal ends it; below 1, the limit is simply lower than this
    scenario needs. (Convoy hits are grave but last only the pause: they can hasten
    a spiral, not sustain one.)"""
    sc = cf.world.scenario
    means = {n: rules.retaliation_mean(cf.retaliation[n], 1.0, cf.half_life)
             for n in cf.armed if cf.retaliation[n] > 0}
    felt = rules.expected_felt_severity(cf.verification, cf.coverage, cf.notice,
                                        cf.reassurance)
    victims = {n: f.victim for n, f in cf.fighters.items() if not f.spoiler}
    ratio = rules.branching_ratio(
        {n: means.get(v, 0.0) * felt for n, v in victims.items()}, victims)
    offspring = ", ".join(f"{n} {m:.2f}" for n, m in means.items()) or "none"
    chain = (f"each act provokes {ratio:.2f} more per round of retaliation, as seen "
             f"by its victim; acts provoked per perceived violation: {offspring}")
    where = (f"replication {cf.world.replication} passed this many acts "
             f"{cf.env.now - cf.start:.0f} h into the ceasefire without anyone "
             "withdrawing")
    if ratio >= 1:
        advice = (f"so retaliation feeds itself ({chain}). Lower behaviour.retaliation "
                  "or ceasefire.retaliation_half_life_hours, let parties withdraw "
                  "(behaviour.sensitivity and tolerance above 0), or raise "
                  "ceasefire.max_acts")
    else:
        advice = (f"although retaliation does not feed itself ({chain}): raise "
                  "ceasefire.max_acts")
    return ScenarioError(sc.where("ceasefire.max_acts"), "ceasefire.max_acts", cf.max_acts,
                         f"{where}, {advice}")
