"""The mutable state of one replication, shared by its SimPy processes.

A :class:`World` holds the SimPy environment, the scenario, the named random streams,
the parties' current no-deal values, the agreed terms and the counters that end up in
the :class:`sim.records.Outcome`. It carries no behaviour of its own beyond bookkeeping
and the optional trace.
"""

from __future__ import annotations

import math

import simpy

from sim import rules
from sim.records import TraceEvent
from sim.scenario import Scenario
from sim.streams import Streams


class World:
    """State of one replication."""

    def __init__(self, scenario: Scenario, root: int, replication: int, trace: bool) -> None:
        self.scenario = scenario
        self.env = simpy.Environment()
        self.streams = Streams(root, replication)
        self.replication = replication
        spec = scenario.spec
        self.no_deal: dict[str, float] = {}
        """Current value of no agreement per party (drawn within its spread, moved by shocks)."""
        for n in scenario.order:
            party = spec.parties[n]
            value = party.no_deal
            if party.no_deal_spread > 0 and party.role in ("patron", "combatant"):
                u = self.streams.party(n).random()
                value = rules.shift_no_deal(value, party.no_deal_spread * (2.0 * u - 1.0))
            self.no_deal[n] = value
        self.agreed = False
        self.agreement_hour = math.nan
        self.terms: tuple[float, ...] = ()
        """Agreed package, normalised 0..1 per issue."""
        self.rounds = 0
        self.rejections = 0
        self.shocks = 0
        self.events = 0
        """Process resumptions (one per SimPy event our processes waited for)."""
        self.trace: list[TraceEvent] | None = [] if trace else None

    def agree(self, x: tuple[float, ...]) -> None:
        """Record a ratified deal at the current time."""
        self.agreed = True
        self.agreement_hour = self.env.now
        self.terms = x

    def log(self, party: str, event: str, detail: str, value: float = math.nan) -> None:
        """Append to the trace when one is kept (callers guard costly details)."""
        if self.trace is not None:
            self.trace.append(TraceEvent(self.env.now, party, event, detail, value))

    def describe(self, x: tuple[float, ...]) -> str:
        """A package in the issues' own units, for the trace."""
        sc = self.scenario
        if self.trace is None:
            return ""
        return ", ".join(
            f"{name}={sc.denormalise(k, v):.3g}" for k, (name, v) in enumerate(
                zip(sc.issues, x, strict=True))
        )


def trust_text(trust: float, tolerance: float) -> str:
    """A trust beside its tolerance for the trace: to three decimals, or as many more as
    it takes to tell the two apart. Rounded alike, 'trust 0.150 (tolerance 0.15)' with no
    withdrawal read as a party at its limit that did not leave."""
    digits = 3
    while trust != tolerance and f"{trust:.{digits}f}" == f"{tolerance:.{digits}f}":
        digits += 1
        if digits > 17:  # closer than any fixed number of decimals shows
            return f"{float(trust)!r} (tolerance {_exact(tolerance)})"
    return f"{trust:.{digits}f} (tolerance {_exact(tolerance)})"


def _exact(value: float) -> str:
    """``value`` as ':g' writes it where that is exact, else in full: ':g' cut a tolerance
    of 0.1234567 to 0.123457, and a trust of 0.1234569, above it, read as below it."""
    short = f"{value:g}"
    return short if float(short) == value else repr(float(value))

