"""Negotiation phase: rounds of offers, ratification by clients, battlefield shocks.

Two SimPy processes share a :class:`sim.world.World`:

* :func:`talks` holds a round every ``round_interval_hours`` until the deadline. In a
  round each principal (patron) proposes a package at its current aspiration; a
  mediator, if present, tables a single text. A candidate is agreed when every
  principal accepts it; among several, the one with the largest Nash product wins.
  Each client (a combatant) of the principals then ratifies or not; one refusal sends
  the principals back to the next round.
* :func:`shocks` moves combatants' (and, partly, their patrons') value of no agreement
  at random instants: a regime advance makes the regime less eager and the
  opposition more.

All decisions are rules from :mod:`sim.rules`; this module only handles timing.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sim import rules
from sim.scenario import Scenario

if TYPE_CHECKING:
    from sim.world import World


Box = tuple[tuple[float, ...], tuple[float, ...]]


@dataclass(frozen=True)
class Seat:
    """A principal at the table: what its offers and its answers need, fixed per scenario."""

    name: str
    ideal: tuple[float, ...]
    weight: tuple[float, ...]
    lo: tuple[float, ...]
    hi: tuple[float, ...]
    """Red lines it negotiates within: its own and, where compatible with them, its
    clients' (a patron does not sign what its client must refuse)."""
    start: tuple[float, ...]
    """Where its concessions start: its ideal (on the issues it weighs; elsewhere its
    goal), projected into its box."""
    goal: tuple[float, ...]
    """Where they end: the mean of the other principals' ideals on each issue (of those
    weighing it), projected into its box (:func:`sim.rules.concession_target`)."""
    gap: float
    """Utility it loses going all the way from ``start`` to ``goal``."""
    top: float
    """Its utility at ``start`` (1 unless its clients' red lines exclude its ideal)."""
    concession: float
    """Its concession exponent (Boulware below 1, conceder above)."""


@dataclass(frozen=True)
class MediatorSeat:
    """The mediator's single negotiating text needs its ideal, its pull and a box."""

    name: str
    ideal: tuple[float, ...]
    weight: tuple[float, ...]
    pull: float
    lo: tuple[float, ...]
    hi: tuple[float, ...]
    """Red lines of everyone at or behind the table, where compatible."""


@dataclass(frozen=True)
class Table:
    """What the talks need that never changes during a replication, per scenario.

    Computed once and kept in the scenario's cache, so a round only evaluates what
    depends on time and on the no-deal values."""

    seats: tuple[Seat, ...]
    """The principals, in canonical order."""
    mediator: MediatorSeat | None
    limits: tuple[tuple[tuple[float, ...], float], ...]
    """Pairs (lam, b): no package gives the principals more than b in lam-weighted
    utility (:func:`sim.rules.joint_bound`, plus a rounding tolerance)."""
    deadline: float
    proposers: tuple[int, ...]
    """The seats that table offers: those holding a position they weigh on some issue
    (every seat, if none does). A principal with no positions has nothing to propose;
    it only answers."""
    counted: tuple[tuple[int, ...], ...]
    """For each issue, which offers (indices into ``proposers``) the mediator's text
    averages there: those of the proposers holding a position they weigh on it."""
    bargainers: tuple[int, ...]
    """The seats whose gains make the Nash product: those that weigh some issue (every
    seat, if none does). A principal that weighs nothing is as well off under any
    package; its constant factor would only zero every product when its no-deal value
    is 1."""


def table(scenario: Scenario) -> Table:
    """The scenario's talks table, computed once and kept in the scenario's cache."""
    return scenario.derived("talks", _build_table)


def _build_table(sc: Scenario) -> Table:
    def box_of(names: list[str], own: bool = True) -> Box:
        """The packages the limits of ``names`` allow; where they conflict, the first
        party's own limits (a principal's over its clients') or, with ``own`` false,
        the gap between the conflicting limits."""
        first = sc.parties[names[0]]
        return rules.box_intersection([(sc.parties[n].lo, sc.parties[n].hi) for n in names],
                                      (first.lo, first.hi) if own else None)

    seats = []
    for name in sc.principals:
        p = sc.parties[name]
        others = [sc.parties[o] for o in sc.principals if o != name]
        target = rules.concession_target(p.ideal, p.stated, [o.ideal for o in others],
                                         [o.stated for o in others])
        lo, hi = box_of([name, *(c for c in sc.combatants if sc.parties[c].patron == name)])
        seats.append(Seat(name, p.ideal, p.weight, lo, hi,
                          *rules.offer_path(rules.indifferent_start(p.ideal, p.stated, target),
                                            p.weight, target, lo, hi),
                          p.behaviour.concession))
    mediator = None
    if sc.mediator is not None:
        m = sc.parties[sc.mediator]
        # (red lines that conflict: no principal's name may decide where the text goes)
        lo, hi = box_of([*sc.principals, *sc.combatants], own=False)
        mediator = MediatorSeat(m.name, m.ideal, m.weight,
                                sc.spec.parties[m.name].behaviour.leverage, lo, hi)
    ideals = [s.ideal for s in seats]
    weights = [s.weight for s in seats]
    stated = [sc.parties[s.name].stated for s in seats]
    proposers = tuple(k for k, holds in enumerate(stated) if any(holds)) or tuple(range(len(seats)))
    return Table(
        seats=tuple(seats),
        mediator=mediator,
        limits=tuple((lam, rules.joint_bound(lam, ideals, weights) + 1e-9)
                     for lam in rules.frontier_weights(weights)),
        deadline=sc.spec.negotiation.deadline_hours,
        proposers=proposers,
        counted=tuple(tuple(j for j, k in enumerate(proposers) if stated[k][i])
                      for i in range(len(sc.issues))),
        bargainers=tuple(k for k, w in enumerate(weights) if any(w)) or tuple(range(len(seats))),
    )


def aspirations(world: World, t: float) -> tuple[float, ...]:
    """Each principal's aspiration at time ``t`` given its current no-deal value
    (principals in canonical order)."""
    return _aspirations(table(world.scenario), world.no_deal, t)


def _aspirations(tab: Table, no_deal: dict[str, float], t: float) -> tuple[float, ...]:
    return tuple(rules.aspiration(t, tab.deadline, no_deal[s.name], s.concession)
                 for s in tab.seats)


def candidates(world: World, levels: tuple[float, ...]) -> list[tuple[str, tuple[float, ...]]]:
    """The packages on the table: the mediator's text first, then each principal's offer
    at its aspiration ``levels[k]`` (principals in canonical order; one that holds no
    position on any issue offers nothing)."""
    return _candidates(table(world.scenario), levels)


def _candidates(tab: Table, levels: tuple[float, ...]) -> list[tuple[str, tuple[float, ...]]]:
    offers = []
    for k in tab.proposers:
        s = tab.seats[k]
        offers.append((s.name, rules.offer_along(s.start, s.goal, s.gap, s.top, levels[k],
                                                 s.lo, s.hi)))
    med = tab.mediator
    if med is None:
        return offers
    text = rules.mediator_text([o for _, o in offers], med.ideal, med.weight, med.pull,
                               med.lo, med.hi, tab.counted)
    return [(med.name, text), *offers]


def choose(world: World, t: float) -> tuple[str, tuple[float, ...]] | None:
    """The package every principal accepts at ``t`` with the largest Nash product.

    When the principals' aspirations lie beyond what any package can give them
    together (:func:`sim.rules.joint_bound`), no package can be acceptable and the
    offers are not even drawn up.
    """
    tab = table(world.scenario)
    no_deal = world.no_deal
    levels = _aspirations(tab, no_deal, t)
    for lam, limit in tab.limits:
        if rules.dot(lam, levels) > limit:
            return None
    bargainers = tab.bargainers if len(tab.bargainers) < len(tab.seats) else None
    no_deals = [no_deal[tab.seats[k].name] for k in tab.bargainers]
    mediator = tab.mediator.name if tab.mediator is not None else None
    best: tuple[str, tuple[float, ...]] | None = None
    best_score = -1.0
    for author, x in _candidates(tab, levels):
        utils = []
        for s, level in zip(tab.seats, levels, strict=True):
            u = rules.acceptable_utility(x, s.ideal, s.weight, s.lo, s.hi, level)
            if u is None:
                break
            utils.append(u)
        else:
            score = rules.nash_product(
                utils if bargainers is None else [utils[k] for k in bargainers], no_deals)
            # An exact tie between principals' offers goes to the smaller package, not
            # to the first name, so renaming parties cannot change the deal; the
            # mediator's text, listed first, keeps its ties.
            if score > best_score or (
                score == best_score and best is not None and best[0] != mediator
                and x < best[1]
            ):
                best, best_score = (author, x), score
    return best


def ratify(world: World, x: tuple[float, ...]) -> str | None:
    """Each client decides in canonical order; returns the first to refuse, or None."""
    sc = world.scenario
    for name in sc.combatants:
        c = sc.parties[name]
        patron = c.patron
        leverage = sc.parties[patron].behaviour.leverage if patron is not None else 0.0
        prob = rules.ratify_probability(
            x, c.ideal, c.weight, c.lo, c.hi, world.no_deal[name], leverage,
            c.behaviour.ratification_noise,
        )
        draw = world.streams.party(name).random()
        if draw >= prob:
            return name
    return None


def talks(world: World) -> Generator[Any, Any, None]:
    """Rounds until a ratified deal or the deadline; then hands over to the ceasefire."""
    sc = world.scenario
    neg = sc.spec.negotiation
    env = world.env
    interval, deadline = neg.round_interval_hours, neg.deadline_hours
    for k in range(1, rules.round_count(interval, deadline) + 1):
        # (a last round a rounding error past the deadline is held at the deadline)
        yield env.timeout(min(k * interval, deadline) - env.now)
        world.events += 1
        world.rounds += 1
        pick = choose(world, env.now)
        if pick is None:
            world.log("", "round", f"round {k}: no package acceptable to all principals")
            continue
        author, x = pick
        refuser = ratify(world, x)
        if refuser is not None:
            world.rejections += 1
            world.log(refuser, "refuses", f"round {k}: rejects {author}'s package "
                      f"{world.describe(x)}")
            continue
        world.agree(x)
        world.log(author, "agreement", f"round {k}: {world.describe(x)}")
        return
    # logged when the talks end, at the last round (validation leaves at least one): the
    # deadline itself is no event
    world.log("", "deadline", f"no agreement by the deadline ({neg.deadline_hours:g} h; "
              f"the last round was at {env.now:g} h)")


def shocks(world: World) -> Generator[Any, Any, None]:
    """Battlefield shocks during the talks (Poisson), until agreement or the deadline."""
    sc = world.scenario
    spec = sc.spec.negotiation.shocks
    if spec.rate_per_day <= 0:
        return
    env = world.env
    rng = world.streams.get("shocks")
    rate = spec.rate_per_day / 24.0
    # Without a named gainer the shocks favour neither side; the sides of a shock are a
    # combatant and its opponent, never "the first other name" (renaming parties must
    # not change who gains).
    gainer = spec.gainer or sc.combatants[0]
    share = spec.gainer_share if spec.gainer is not None else 0.5
    # the gainer against its opponent, whichever wins (the opponent's own opponent need
    # not be the gainer when more than two parties fight)
    rival = _side(sc, gainer)
    while True:
        dt = rng.expovariate(rate)
        if env.now + dt > sc.spec.negotiation.deadline_hours:
            return
        yield env.timeout(dt)
        world.events += 1
        if world.agreed:
            return
        winner, loser = (gainer, rival) if rng.random() < share else (rival, gainer)
        world.shocks += 1
        for name, delta in ((winner, spec.size), (loser, -spec.size)):
            world.no_deal[name] = rules.shift_no_deal(world.no_deal[name], delta)
            patron = sc.parties[name].patron
            if patron is not None:
                world.no_deal[patron] = rules.shift_no_deal(
                    world.no_deal[patron], spec.patron_coupling * delta
                )
        if world.trace is not None:
            world.log(winner, "advance", f"battlefield gain; no-deal values now "
                      f"{winner}={world.no_deal[winner]:.2f} {loser}={world.no_deal[loser]:.2f}",
                      world.no_deal[winner])


def _side(sc: Scenario, name: str) -> str:
    """The other side of a shock favouring or hurting combatant ``name``: its opponent
    (in a two-sided war, the other combatant)."""
    opponent = sc.parties[name].opponent
    return opponent if opponent is not None else next(c for c in sc.combatants if c != name)
