"""Rules of ceasefire violations: compliance, baseline and spoiler rates, settling,
and the grievance that drives retaliation (a Hawkes process)."""

from __future__ import annotations

import math
from collections.abc import Mapping

from sim.rules.base import LN2


def effective_compliance(compliance: float, terms_value: float, no_deal: float,
                         terms_effect: float, patron_leverage: float) -> float:
    """Restraint a combatant's leadership orders: its intent, raised by terms it values
    above fighting on, and by its patron's pressure. In 0..1; non-decreasing in
    ``compliance`` and in ``patron_leverage``."""
    intent = min(max(compliance + terms_effect * (terms_value - no_deal), 0.0), 1.0)
    return 1.0 - (1.0 - intent) * (1.0 - patron_leverage)


def violation_rate(
    attack_rate_per_day: float,
    compliance_eff: float,
    command_control: float,
    air_share: float,
    air_restraint: float,
    deterrence: float,
    verification: float,
) -> float:
    """Baseline ceasefire violations per hour of a combatant (before grievance).

    Units under command violate as far as the leadership does not restrain them;
    units outside command fight at war-time tempo. Grounded aircraft remove the air
    share; verification deters. Non-increasing in compliance, command control, air
    restraint and verification; zero when ``attack_rate_per_day`` is zero.
    """
    command = command_control * (1.0 - compliance_eff) + (1.0 - command_control)
    air = 1.0 - air_share * air_restraint
    deter = 1.0 - deterrence * verification
    return attack_rate_per_day / 24.0 * command * air * deter


def settling(hours: float, half_life: float | None, floor: float) -> float:
    """Share of its initial baseline a combatant's violation rate keeps after ``hours``
    of ceasefire: ``floor + (1 - floor) 2^(-hours/half_life)``; 1 without settling.

    Non-increasing in ``hours``, within ``[floor, 1]``: as the ceasefire holds, orders
    take hold and local commanders settle (Fortna, *Peace Time*, 2004: the risk of
    renewed war falls the longer peace lasts).
    """
    if half_life is None:
        return 1.0
    return floor + (1.0 - floor) * math.exp(-LN2 * hours / half_life)


def spoiler_rate(attack_rate_per_day: float, vulnerability: float, joint_targeting: float) -> float:
    """Spoiler attacks per hour: unaffected by the deal, degraded by joint targeting."""
    return attack_rate_per_day / 24.0 * (1.0 - vulnerability * joint_targeting)


def retaliation_mean(retaliation_per_day: float, severity: float, half_life: float) -> float:
    """Expected retaliatory acts one perceived violation provokes: the whole of
    retaliation in the model.

    A party's violation intensity is its baseline plus ``rho/24 * E(t)``, its grievance
    ``E`` jumping by ``severity`` at each violation it perceives and halving every
    ``half_life`` hours. The model never evaluates that intensity: it draws, for each
    perceived violation, a Poisson number of acts with this mean, the integral of the
    jump's term (``rho/24 * severity * half_life / ln 2``), at exponential delays of that
    half-life (the cluster representation of the Hawkes process, which is exact). So a
    change to retaliation is a change here, or to those delays in
    :meth:`sim.ceasefire.Ceasefire.schedule_retaliation`.
    """
    return retaliation_per_day / 24.0 * severity * half_life / LN2


def branching_ratio(offspring: Mapping[str, float], victim: Mapping[str, str]) -> float:
    """Acts an act provokes per generation of retaliation, in the long run.

    ``offspring[p]`` is the mean number of acts one act by ``p`` provokes from its
    victim ``victim[p]`` (who retaliates against its own victim in turn). Retaliation
    is mutually exciting, not self-exciting: red's grievances drive red's acts, but
    blue's acts cause them. The ratio is the spectral radius of the offspring matrix;
    each party hits one victim, so it is the largest geometric mean of offspring around
    a cycle of the victim graph (0 without a cycle). At 1 or more the process is
    critical and acts multiply without end; one party provoking 1.6 and its opponent
    0.5 is subcritical (ratio 0.89).
    """
    best = 0.0
    for start in offspring:
        seen: list[str] = []
        party = start
        while party in offspring and party not in seen:
            seen.append(party)
            party = victim.get(party, "")
        if party not in seen:  # the chain ends at a party that does not fight
            continue
        cycle = seen[seen.index(party):]
        product = math.prod(offspring[p] for p in cycle)
        best = max(best, product ** (1.0 / len(cycle)))
    return best
