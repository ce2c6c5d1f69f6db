"""Ceasefire phase: violations, perception, trust, withdrawal and aid convoys.

Each armed party commits acts as a mutually exciting point process (Hawkes with an
exponential kernel): a baseline rate that falls with compliance (valued terms, command
control, patron pressure, grounded aircraft, deterrence by verification), plus a
retaliation intensity that jumps by ``retaliation * severity`` after each violation the
party perceived against itself and halves every ``retaliation_half_life_hours``. The
opponent's acts excite a party's rate, and its acts excite the opponent's.

It is simulated through the cluster (immigration-birth) representation of the Hawkes
process, which is exact: one SimPy process draws the baseline Poisson acts, and each
perceived violation schedules its own Poisson number of retaliatory acts at
exponentially distributed delays. Retaliation needs no thinning and no interrupts; only
a baseline that settles over time (a falling rate) is drawn by thinning, so nearly every
SimPy event is an act.

Spoilers attack regardless of the deal, degraded by joint targeting. Victims perceive
acts imperfectly (:func:`sim.rules.perceive`): unverified spoiler attacks may be blamed
on the spoiler's host, and strikes aimed at the spoiler may land on the host. Perceived
violations lower trust; a party whose trust falls below its tolerance withdraws and the
ceasefire collapses. During the pause, convoys need calm hours to deliver; a violation
that hits one is grave (:mod:`sim.convoys`).
"""

from __future__ import annotations

import math
import random
from collections.abc import Generator
from functools import partial
from typing import TYPE_CHECKING, Any

from sim import rules
from sim.cast import Fighter, Signatory, cast
from sim.convoys import Convoys
from sim.runaway import runaway
from sim.streams import first_use
from sim.terms import Mechanisms, base_rates, mechanisms, with_values
from sim.world import trust_text

if TYPE_CHECKING:
    from sim.world import World


class Ceasefire:
    """The ceasefire of one replication: its state and its processes."""

    def __init__(self, world: World) -> None:
        self.world = world
        sc = world.scenario
        cf = sc.spec.ceasefire
        self.env = world.env
        self.start = world.env.now
        self.horizon = cf.horizon_hours
        start = mechanisms(sc, with_values(sc, world.terms, cf.imposed))
        self.terms = start.terms
        """Terms the ceasefire starts with: the agreed ones, except where imposed (the
        later ones, ``ceasefire.later``, act through :attr:`later`)."""
        self.delineation = start.delineation
        self.verification = start.verification
        self.aid_access = start.aid_access
        links = cf.links
        pause_idx = sc.issue_index(links.pause_hours)
        self.pause_hours = (
            sc.denormalise(pause_idx, self.terms[pause_idx]) if pause_idx is not None
            else cf.pause.hours
        )
        mon = cf.monitoring
        self.notice, self.coverage = mon.notice, mon.coverage
        self.reassurance = mon.reassurance
        self.half_life = cf.retaliation_half_life_hours
        self.recovery = cf.trust_recovery_per_day / 24.0
        self.patron_share = cf.patron_share

        roles = cast(sc)
        self.armed = roles.armed
        self.fighters = roles.fighters
        self.signatories = roles.signatories
        self.patrons = roles.patrons
        self.strike_response = roles.strike_response
        self.base = base_rates(sc, start, world.no_deal)
        self.retaliation = {name: 0.0 if sc.parties[name].role == "spoiler"
                            else sc.spec.parties[name].behaviour.retaliation for name in self.armed}
        self.later: tuple[float, Mechanisms, dict[str, float]] | None = None
        """When the later terms take effect, what they set and the rates under them."""
        if cf.later is not None:
            then = mechanisms(sc, with_values(sc, self.terms, cf.later.terms))
            self.later = (cf.later.after_hours, then, base_rates(sc, then, world.no_deal))

        self.trust = {n: sc.spec.parties[n].behaviour.trust for n in self.signatories}
        self.baseline = dict(self.trust)
        self.trust_at = dict.fromkeys(self.signatories, self.start)

        self.violations = dict.fromkeys(self.armed, 0)
        self.acts = 0
        self.max_acts = cf.max_acts
        self.collapse = self.env.event()
        self.withdrew = ""
        self.trigger = ""
        self.blamed = ""
        self.misattributed = False
        self.delineation_hit = False
        self.hours_held = 0.0
        self.convoys = Convoys(world)
        # each party's acts, and its answers to acts, draw from streams of their own,
        # made as first needed (:func:`sim.streams.first_use`; the convoys' hits too): a
        # change to one party's acts leaves the other parties' draws as they were, so
        # paired replications stay paired
        self.perceptions: dict[str, random.Random] = {}
        """Per author: whether and how its acts are perceived."""
        self.strikes: dict[str, random.Random] = {}
        """Per spoiler: whether its victim strikes back at it, where the strike lands, how
        it is seen (a spoiler attacks one victim; keyed by victim, two spoilers attacking
        one would shift each other's strikes)."""
        self.grievances: dict[str, random.Random] = {}
        """Per victim: its retaliatory acts, how many and when."""

    # -- processes -----------------------------------------------------------

    def run(self) -> Generator[Any, Any, None]:
        """Start the actors and convoys; end at collapse or at the horizon."""
        world, env = self.world, self.env
        world.log("", "ceasefire", f"starts; pause {self.pause_hours:.0f} h, delineation "
                  f"{self.delineation:.2f}, verification {self.verification:.2f}",
                  self.pause_hours)
        if world.trace is not None:
            for name in self.signatories:
                b = world.scenario.spec.parties[name].behaviour
                world.log(name, "trust", f"{trust_text(self.trust[name], b.tolerance)} "
                          "at the start", self.trust[name])
        for name in self.armed:
            if self.base[name] > 0 or (self.later is not None and self.later[2][name] > 0):
                env.process(self.actor(name))
        if self.later is not None:
            env.process(self.change_terms())
        cv = world.scenario.spec.ceasefire.convoys
        n = rules.convoy_count(self.pause_hours, cv.interval_hours, cv.calm_hours,
                               self.aid_access, cv.max_per_pause)
        for k in range(n):
            env.process(self.convoys.convoy(k + 1, k * cv.interval_hours, cv.calm_hours))
        yield env.timeout(self.horizon) | self.collapse
        world.events += 1
        # censored exactly at the horizon: (start + horizon) - start can round below it,
        # and a ceasefire that held throughout must count as holding to the last milestone
        self.hours_held = min(env.now - self.start, self.horizon) if self.withdrew else self.horizon
        if not self.withdrew:
            world.log("", "horizon", f"ceasefire still holding after {self.horizon:.0f} h")

    def actor(self, name: str) -> Generator[Any, Any, None]:
        """An armed party's baseline acts: a Poisson process at its restrained rate.

        With settling, a combatant's rate falls over time; it is drawn by thinning, the
        current rate bounding every later one. With later terms, the rate changes when
        they take effect: a wait that would cross that hour ends there, and what is left
        of it runs at the new rate (the same draw, scaled: the process is memoryless). So
        every draw is the one the ceasefire without later terms makes, and an actor whose
        rate they leave as it was acts exactly as without them."""
        env, world = self.env, self.world
        rng = world.streams.party(name)
        rate = self.base[name]
        cf = world.scenario.spec.ceasefire
        settles = cf.settling_half_life_hours is not None and self.world.scenario.parties[
            name].role == "combatant"
        half_life, floor = cf.settling_half_life_hours, cf.settling_floor
        share = rules.settling(env.now - self.start, half_life, floor) if settles else 1.0
        later = None if self.later is None else (self.start + self.later[0], self.later[2][name])
        wait: float | None = None  # drawn and not yet waited
        while True:
            bound = rate * share
            if wait is None:
                wait = rng.expovariate(bound) if bound > 0 else math.inf
            if later is not None and env.now + wait > later[0]:  # the later terms come first
                hour, new_rate = later
                later = None
                if new_rate == rate:  # the wait runs on as drawn
                    continue
                left = wait - (hour - env.now)
                yield env.timeout(hour - env.now)
                world.events += 1
                rate = new_rate
                if settles:
                    share = rules.settling(env.now - self.start, half_life, floor)
                if rate * share <= 0:
                    return
                # the rest of the wait, drawn at the old bound, run at the new one: the same
                # draw (exact: the wait is memoryless), so two ceasefires stay paired
                wait = left * bound / (rate * share) if math.isfinite(left) else None
                continue
            if bound <= 0:
                return
            yield env.timeout(wait)
            wait = None
            world.events += 1
            if settles:
                # the share now both thins this candidate and bounds the next wait
                # (committing an act takes no time)
                then, share = share, rules.settling(env.now - self.start, half_life, floor)
                if rng.random() * then > share:
                    continue
            self.commit(name)

    def change_terms(self) -> Generator[Any, Any, None]:
        """The later terms take effect, if the ceasefire still holds."""
        assert self.later is not None
        after, then, _ = self.later
        yield self.env.timeout(after)
        self.world.events += 1
        if self.withdrew:  # (the run ends at a collapse: only one at this very hour)
            return
        # what acts read as they happen; joint targeting, grounded aircraft and the terms'
        # value to each combatant act through the rates, which each actor takes from
        # ``self.later`` at this hour
        self.delineation, self.verification = then.delineation, then.verification
        if self.world.trace is not None:
            changed = ", ".join(f"{k}={v:g}" for k, v in
                                self.world.scenario.spec.ceasefire.later.terms.items())  # type: ignore[union-attr]
            self.world.log("", "later terms", f"take effect after {after:g} h: {changed}")

    def retaliate(self, name: str, _event: object) -> None:
        """A retaliatory act scheduled by an earlier grievance comes due."""
        self.world.events += 1
        self.commit(name)

    # -- state ---------------------------------------------------------------

    def commit(self, author: str) -> None:
        """An armed party acts: convoys, perception by the victim, consequences."""
        self.count(author)
        f = self.fighters[author]
        severity = self.convoys.hit(author) if self.convoys.on_road else 1.0
        u = (self.perceptions.get(author)
             or first_use(self.perceptions, self.world.streams, "perception", author)).random
        seen = rules.perceive(
            author_is_spoiler=f.spoiler, colocation=f.colocation,
            delineation=self.delineation, verification=self.verification,
            notice=self.notice, coverage=self.coverage,
            u_detect=u(), u_notice=u(), u_blame=u(),
        )
        if self.world.trace is not None:
            self.world.log(author, "attack" if f.spoiler else "violation",
                           f"against {f.victim}; perceived: {seen.value}"
                           + (f", blamed on {f.host}" if seen is rules.Seen.BLAMED_HOST else ""))
        if seen is rules.Seen.UNSEEN:
            return
        if seen is rules.Seen.BLAMED_HOST:
            blamed, at_spoiler = f.blamed, f.blamed_is_spoiler
        else:
            blamed, at_spoiler = author, f.spoiler
        if at_spoiler:
            self.respond_to_spoiler(f.victim, f)
            return
        if seen is rules.Seen.VERIFIED:
            severity = rules.verified_severity(severity, self.reassurance)
        self.perceived_violation(f.victim, author, blamed, severity, delineation_hit=False)

    def count(self, author: str) -> None:
        """One more act by ``author``; too many means retaliation is feeding itself."""
        self.violations[author] += 1
        self.acts += 1
        if self.acts > self.max_acts:
            raise runaway(self)

    def respond_to_spoiler(self, victim: str, spoiler: Fighter) -> None:
        """The victim of a correctly attributed spoiler attack may strike the spoiler;
        with incomplete delineation the strike can land on the spoiler's host.

        Strikes on the spoiler were allowed by the terms (the February and September
        2016 deals both excluded Nusra/JFS), so they do not spoil the convoys' calm, even
        one that lands on the host: that host counts it as a violation against it, and
        its trust and grievance follow."""
        world = self.world
        response = self.strike_response[victim]
        if response <= 0:
            return
        name = spoiler.name
        rng = self.strikes.get(name) or first_use(self.strikes, world.streams, "strikes", name)
        if rng.random() >= response:
            return
        host = spoiler.host
        landed = rng.random() < rules.strike_hits_host(spoiler.colocation, self.delineation)
        if not (landed and host):
            if world.trace is not None:
                world.log(victim, "strike", f"on {spoiler.name}")
            return
        # on the host's positions the strike is a violation by the striker, counted and
        # seen like any other (and verified, and so softened, like any other)
        self.count(victim)
        seen = rules.perceive_strike(self.verification, self.coverage, rng.random())
        if world.trace is not None:
            world.log(victim, "strike", f"on {spoiler.name}, lands on {host}; "
                      f"perceived: {seen.value}")
        severity = 1.0
        if seen is rules.Seen.VERIFIED:
            severity = rules.verified_severity(severity, self.reassurance)
        self.perceived_violation(host, victim, victim, severity, delineation_hit=True)

    def perceived_violation(
        self, victim: str, author: str, blamed: str, severity: float, *, delineation_hit: bool
    ) -> None:
        """A victim perceives a violation by ``blamed`` (truly by ``author``)."""
        if self.retaliation.get(victim, 0.0) > 0:
            self.schedule_retaliation(victim, severity)
        signatory = self.signatories.get(victim)
        if signatory is not None:
            self.hurt(signatory, severity, author, blamed, delineation_hit)
        patron = self.patrons.get(victim)
        if patron is not None:
            self.hurt(self.signatories[patron], severity * self.patron_share, author, blamed,
                      delineation_hit)

    def schedule_retaliation(self, victim: str, severity: float) -> None:
        """The grievance's offspring: a Poisson number of acts at exponential delays."""
        rng = (self.grievances.get(victim)
               or first_use(self.grievances, self.world.streams, "retaliation", victim))
        mean = rules.retaliation_mean(self.retaliation[victim], severity, self.half_life)
        decay = rules.LN2 / self.half_life
        for _ in range(poisson(rng, mean)):
            event = self.env.timeout(rng.expovariate(decay))
            event.callbacks.append(partial(self.retaliate, victim))

    def hurt(self, signatory: Signatory, severity: float, author: str, blamed: str,
             delineation_hit: bool) -> None:
        """Lower a signatory's trust; withdraw it if trust fell below its tolerance."""
        if self.withdrew:
            return
        name = signatory.name
        now = self.env.now
        trust = rules.trust_after_calm(
            self.trust[name], self.baseline[name], self.recovery, now - self.trust_at[name]
        )
        trust = rules.trust_after_violation(trust, signatory.sensitivity, severity)
        self.trust[name], self.trust_at[name] = trust, now
        if self.world.trace is not None:  # the act is the one it blames, said as such
            act = f"an act by {author}" if author == blamed else \
                f"an act blamed on {blamed} (truly by {author})"
            self.world.log(name, "trust", f"{trust_text(trust, signatory.tolerance)} after {act}",
                           trust)
        if rules.withdraws(trust, signatory.tolerance):
            self.withdrew, self.trigger, self.blamed = name, author, blamed
            self.misattributed = author != blamed
            self.delineation_hit = delineation_hit
            self.world.log(name, "withdraws", f"blames {blamed}; act by {author}"
                           + (" (misattributed)" if self.misattributed else ""))
            self.collapse.succeed()


def poisson(rng: random.Random, mean: float) -> int:
    """A Poisson count drawn by counting unit-rate arrivals before ``mean`` (exact)."""
    count, clock = 0, rng.expovariate(1.0)
    while clock < mean:
        count += 1
        clock += rng.expovariate(1.0)
    return count
