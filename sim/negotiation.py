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
from typing import TYPE_CHECKING, Any

from sim import rules

if TYPE_CHECKING:
    from sim.world import World


def red_line_box(world: World, names: list[str]) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Intersection of the named parties' red lines (issue by issue, where compatible)."""
    sc = world.scenario
    boxes = [(sc.parties[n].lo, sc.parties[n].hi) for n in names]
    first = boxes[0]
    return rules.box_intersection(boxes, first)


def principal_box(world: World, name: str) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """The red lines a principal negotiates within: its own and, where compatible with
    them, its clients' (a patron does not sign what its client must refuse).

    Red lines never move, so the box is computed once per replication."""
    box = world.boxes.get(name)
    if box is None:
        box = world.boxes[name] = _principal_box(world, name)
    return box


def _principal_box(world: World, name: str) -> tuple[tuple[float, ...], tuple[float, ...]]:
    sc = world.scenario
    p = sc.parties[name]
    names = [name, *world.clients[name]]
    return rules.box_intersection([(sc.parties[c].lo, sc.parties[c].hi) for c in names],
                                  (p.lo, p.hi))


def candidates(world: World, t: float) -> list[tuple[str, tuple[float, ...]]]:
    """The packages on the table at time ``t``: the mediator's text first, then each
    principal's offer (principals in canonical order)."""
    sc = world.scenario
    deadline = sc.spec.negotiation.deadline_hours
    offers: list[tuple[str, tuple[float, ...]]] = []
    for name in sc.principals:
        p = sc.parties[name]
        others = [sc.parties[o].ideal for o in sc.principals if o != name]
        target = tuple(sum(col) / len(others) for col in zip(*others, strict=True))
        level = rules.aspiration(t, deadline, world.no_deal[name], world.concession[name])
        lo, hi = principal_box(world, name)
        offers.append((name, rules.offer(p.ideal, p.weight, target, level, lo, hi)))
    if sc.mediator is None:
        return offers
    med = sc.parties[sc.mediator]
    box = world.boxes.get("")
    if box is None:
        box = world.boxes[""] = red_line_box(world, [*sc.principals, *sc.combatants])
    lo, hi = box
    text = rules.mediator_text(
        [o for _, o in offers], med.ideal, med.weight, world.leverage[sc.mediator], lo, hi
    )
    return [(sc.mediator, text), *offers]


def choose(world: World, t: float) -> tuple[str, tuple[float, ...]] | None:
    """The package every principal accepts at ``t`` with the largest Nash product."""
    sc = world.scenario
    deadline = sc.spec.negotiation.deadline_hours
    levels = {
        n: rules.aspiration(t, deadline, world.no_deal[n], world.concession[n])
        for n in sc.principals
    }
    boxes = {n: principal_box(world, n) for n in sc.principals}
    best: tuple[str, tuple[float, ...]] | None = None
    best_score = -1.0
    for author, x in candidates(world, t):
        ok = True
        utils = []
        for n in sc.principals:
            p = sc.parties[n]
            lo, hi = boxes[n]
            if not rules.accepts(x, p.ideal, p.weight, lo, hi, levels[n]):
                ok = False
                break
            utils.append(rules.utility(x, p.ideal, p.weight))
        if not ok:
            continue
        score = rules.nash_product(utils, [world.no_deal[n] for n in sc.principals])
        if score > best_score:
            best, best_score = (author, x), score
    return best


def ratify(world: World, x: tuple[float, ...]) -> str | None:
    """Each client decides in canonical order; returns the first to refuse, or None."""
    sc = world.scenario
    for name in sc.combatants:
        c = sc.parties[name]
        patron = c.patron
        leverage = world.leverage[patron] if patron is not None else 0.0
        prob = rules.ratify_probability(
            x, c.ideal, c.weight, c.lo, c.hi, world.no_deal[name], leverage,
            sc.spec.parties[name].behaviour.ratification_noise,
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
    k = 1
    while k * neg.round_interval_hours <= neg.deadline_hours:
        yield env.timeout(k * neg.round_interval_hours - env.now)
        world.events += 1
        world.rounds += 1
        pick = choose(world, env.now)
        if pick is None:
            world.log("", "round", f"round {k}: no package acceptable to all principals")
            k += 1
            continue
        author, x = pick
        refuser = ratify(world, x)
        if refuser is not None:
            world.rejections += 1
            world.log(refuser, "refuses", f"round {k}: rejects {author}'s package "
                      f"{world.describe(x)}")
            k += 1
            continue
        world.agree(x)
        world.log(author, "agreement", f"round {k}: {world.describe(x)}")
        return
    world.log("", "deadline", "no agreement by the deadline")


def shocks(world: World) -> Generator[Any, Any, None]:
    """Battlefield shocks during the talks (Poisson), until agreement or the deadline."""
    sc = world.scenario
    spec = sc.spec.negotiation.shocks
    if spec.rate_per_day <= 0:
        return
    env = world.env
    rng = world.streams.get("shocks")
    rate = spec.rate_per_day / 24.0
    gainer = spec.gainer or sc.combatants[0]
    while True:
        dt = rng.expovariate(rate)
        if env.now + dt > sc.spec.negotiation.deadline_hours:
            return
        yield env.timeout(dt)
        world.events += 1
        if world.agreed:
            return
        winner = gainer if rng.random() < spec.gainer_share else _other(sc.combatants, gainer)
        loser = _other(sc.combatants, winner)
        world.shocks += 1
        for name, delta in ((winner, spec.size), (loser, -spec.size)):
            world.no_deal[name] = rules.shift_no_deal(world.no_deal[name], delta)
            patron = sc.parties[name].patron
            if patron is not None:
                world.no_deal[patron] = rules.shift_no_deal(
                    world.no_deal[patron], spec.patron_coupling * delta
                )
        world.log(winner, "advance", f"battlefield gain; no-deal values now "
                  f"{winner}={world.no_deal[winner]:.2f} {loser}={world.no_deal[loser]:.2f}")


def _other(combatants: tuple[str, ...], name: str) -> str:
    """The first combatant that is not ``name`` (the other side of a two-sided war)."""
    return next(c for c in combatants if c != name)
