"""Stateful properties: sequences of events driven through the decision rules.

``TrustMachine`` plays one signatory's ceasefire: perceived violations of random
severity and calm periods of random length, in any order, updating trust with the
same rules (and in the same order: calm first, then the hit) as
:meth:`sim.ceasefire.Ceasefire.hurt`. ``TalksMachine`` plays one principal's talks:
rounds that advance the clock, and battlefield shocks that move its no-deal value.
Invariants are checked after every step.
"""

from __future__ import annotations

import pytest
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from strategies import bounded, exponents, severities, unit

from sim import rules

pytestmark = pytest.mark.property


class TrustMachine(RuleBasedStateMachine):
    """Trust and withdrawal of one signatory under perceived violations and calm."""

    @initialize(
        trust=unit,
        tolerance=unit,
        sensitivity=unit,
        recovery_per_day=bounded(0.0, 10.0),
    )
    def start(self, trust: float, tolerance: float, sensitivity: float,
              recovery_per_day: float) -> None:
        self.baseline = trust
        self.trust = trust
        self.tolerance = tolerance
        self.sensitivity = sensitivity
        self.rate = recovery_per_day / 24.0
        self.pending_calm = 0.0
        """Calm since the last hit, applied lazily at the next hit (as the model does)."""
        self.lowest = trust
        self.withdrawn = rules.withdraws(trust, tolerance)

    def observe(self, trust: float) -> None:
        self.trust = trust
        self.lowest = min(self.lowest, trust)
        self.withdrawn = self.withdrawn or rules.withdraws(trust, self.tolerance)

    @rule(severity=severities)
    def perceived_violation(self, severity: float) -> None:
        """A perceived violation: recover over the calm since the last one, then lose."""
        before = rules.trust_after_calm(self.trust, self.baseline, self.rate, self.pending_calm)
        assert before >= self.trust
        after = rules.trust_after_violation(before, self.sensitivity, severity)
        assert after <= before
        if self.sensitivity * severity > 1e-12 and before > 0:
            assert after < before
        self.pending_calm = 0.0
        self.observe(after)

    @rule(hours=bounded(0.0, 1000.0))
    def calm(self, hours: float) -> None:
        """Calm passes; checked eagerly too: calm alone never lowers trust."""
        self.pending_calm += hours
        recovered = rules.trust_after_calm(self.trust, self.baseline, self.rate, self.pending_calm)
        assert recovered >= self.trust
        assert recovered <= max(self.trust, self.baseline)

    @precondition(lambda self: self.pending_calm > 0)
    @rule()
    def settle(self) -> None:
        """Apply the pending calm now (the model does so at the next perceived act)."""
        recovered = rules.trust_after_calm(self.trust, self.baseline, self.rate, self.pending_calm)
        self.pending_calm = 0.0
        self.observe(recovered)

    @invariant()
    def trust_in_range(self) -> None:
        assert 0.0 <= self.trust <= 1.0

    @invariant()
    def withdrawn_iff_trust_ever_fell_below_tolerance(self) -> None:
        assert self.withdrawn == (self.lowest < self.tolerance)

    @invariant()
    def withdrawal_is_the_rule(self) -> None:
        if rules.withdraws(self.trust, self.tolerance):
            assert self.withdrawn


class TalksMachine(RuleBasedStateMachine):
    """One principal's aspiration over rounds, with shocks moving its no-deal value."""

    @initialize(deadline=bounded(1.0, 2000.0), no_deal=unit, concession=exponents)
    def start(self, deadline: float, no_deal: float, concession: float) -> None:
        self.deadline = deadline
        self.no_deal = no_deal
        self.concession = concession
        self.t = 0.0
        self.level = rules.aspiration(0.0, deadline, no_deal, concession)

    @rule(hours=bounded(0.0, 500.0))
    def next_round(self, hours: float) -> None:
        """Time passes with no shock: aspiration never rises."""
        self.t += hours
        level = rules.aspiration(self.t, self.deadline, self.no_deal, self.concession)
        assert level <= self.level
        self.level = level

    @rule(delta=bounded(-0.5, 0.5))
    def shock(self, delta: float) -> None:
        """A battlefield shock moves the no-deal value within 0..1; aspiration moves with
        it in the same direction (never beyond the new floor or the ideal)."""
        old_no_deal = self.no_deal
        self.no_deal = rules.shift_no_deal(self.no_deal, delta)
        assert 0.0 <= self.no_deal <= 1.0
        level = rules.aspiration(self.t, self.deadline, self.no_deal, self.concession)
        if self.no_deal >= old_no_deal:
            assert level >= self.level
        else:
            assert level <= self.level
        self.level = level

    @invariant()
    def aspiration_between_no_deal_and_ideal(self) -> None:
        assert self.no_deal <= self.level <= 1.0

    @invariant()
    def past_the_deadline_only_no_deal_is_asked(self) -> None:
        if self.t >= self.deadline:
            assert self.level == pytest.approx(self.no_deal, abs=1e-12)


TestTrust = TrustMachine.TestCase
TestTalks = TalksMachine.TestCase
