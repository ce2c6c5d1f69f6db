"""The ceasefire's cast: who fights and who signs, with the fixed facts each act needs.

Every act of a replication asks the same questions of the scenario: whom does this
party hit, is it a spoiler, who gets blamed when its attacks are taken for its host's,
how sensitive is the victim and where does it withdraw. The answers never change within
a scenario, so they are worked out once and kept in the scenario's cache.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.scenario import Scenario


@dataclass(frozen=True, slots=True)
class Fighter:
    """An armed party as its acts need it; fixed per scenario, so looked up once."""

    name: str
    victim: str
    """Whom its acts hit: its opponent ("" when it has none)."""
    spoiler: bool
    colocation: float
    """How intermingled a spoiler is with its host (0 for a combatant)."""
    host: str
    """The spoiler's host ("" when none)."""
    blamed: str
    """Who is held responsible when a victim blames the act on the host: the host, or
    the party itself when it has none."""
    blamed_is_spoiler: bool
    """Whether an act blamed on the host is answered as a spoiler's attack (a strike)
    rather than as a violation of the deal (a correctly attributed act is, exactly when
    the party is a spoiler)."""


@dataclass(frozen=True, slots=True)
class Signatory:
    """A party whose trust holds the ceasefire together; fixed per scenario."""

    name: str
    sensitivity: float
    tolerance: float


@dataclass(frozen=True)
class Cast:
    """Who fights and who signs, as the ceasefire's processes need it.

    Computed once per scenario and kept in its cache: the per-act rules then read plain
    fields instead of walking the scenario's tables on every act."""

    armed: tuple[str, ...]
    """Combatants and spoilers in canonical order (also the violation columns)."""
    fighters: dict[str, Fighter]
    signatories: dict[str, Signatory]
    patrons: dict[str, str]
    """Each party's patron, which feels a share of every violation the party suffers."""
    strike_response: dict[str, float]
    """Each party's chance of striking a spoiler that attacked it."""


def cast(scenario: Scenario) -> Cast:
    """The scenario's cast, computed once and kept in the scenario's cache."""
    return scenario.derived("ceasefire", _build_cast)


def _build_cast(sc: Scenario) -> Cast:
    parties = sc.parties
    armed = tuple(n for n in sc.order if parties[n].role in ("combatant", "spoiler"))
    fighters = {}
    for name in armed:
        pm = parties[name]
        spoiler = pm.role == "spoiler"
        blamed = pm.host or name
        fighters[name] = Fighter(
            name=name, victim=pm.opponent or "", spoiler=spoiler,
            colocation=pm.behaviour.colocation if spoiler else 0.0, host=pm.host or "",
            blamed=blamed, blamed_is_spoiler=parties[blamed].role == "spoiler",
        )
    signatories = {
        n: Signatory(n, parties[n].behaviour.sensitivity, parties[n].behaviour.tolerance)
        for n in sc.order if parties[n].role in ("patron", "combatant")
    }
    patrons = {n: p.patron for n, p in parties.items() if p.patron is not None}
    strike_response = {n: p.behaviour.strike_response for n, p in parties.items()}
    return Cast(armed, fighters, signatories, patrons, strike_response)
