"""Rules of the talks: preferences, aspirations, offers, acceptance, the
mediator's text, the choice among packages and ratification by clients."""

from __future__ import annotations

import math
from collections.abc import Sequence

from sim.rules.base import Vector


def round_count(interval: float, deadline: float) -> int:
    """Rounds of talks held by the deadline, one every ``interval`` hours from the first
    interval on.

    The last round falls on the deadline itself when the deadline is a whole number of
    intervals, even where floating point puts it a rounding error above (3 x 16.8 is
    50.400000000000006): that round, at which aspirations reach the no-deal values, is
    the likeliest to agree, and losing it to rounding would make P(agreement) jump
    between neighbouring deadlines. (The tolerance is in rounds, not hours: the rounding
    error grows with the deadline.)"""
    return math.floor(deadline / interval + ROUND_TOLERANCE)


ROUND_TOLERANCE = 1e-9
"""Fraction of an interval by which a deadline may fall short of a round and still hold
it (far above the rounding error of up to ``MAX_ROUNDS`` intervals)."""


def distance(x: Vector, ideal: Vector, weight: Vector) -> float:
    """Salience-weighted distance ``sum_i w_i |x_i - x*_i|`` of ``x`` from an ideal
    (issues of weight zero ignored)."""
    loss = 0.0
    for xi, ii, wi in zip(x, ideal, weight, strict=True):
        if wi:
            loss += wi * abs(xi - ii)
    return loss


def utility(x: Vector, ideal: Vector, weight: Vector) -> float:
    """Value of package ``x`` to a party: 1 at its ideal, falling linearly with distance.

    A party with no positions (all weights zero) is indifferent and values every
    package at 1.
    """
    return 1.0 - distance(x, ideal, weight)


def within_limits(x: Vector, lo: Vector, hi: Vector) -> bool:
    """True when every issue of ``x`` lies inside the party's hard limits."""
    for xi, lo_i, hi_i in zip(x, lo, hi, strict=True):  # noqa: SIM110 - a loop is faster here
        if xi < lo_i or xi > hi_i:
            return False
    return True


def aspiration(t: float, deadline: float, no_deal: float, concession: float) -> float:
    """Utility a principal still insists on at time ``t`` (time-dependent tactic).

    Starts at 1 (its ideal) and reaches ``no_deal`` at the deadline. ``concession`` is
    the exponent ``e``: below 1 the party holds firm until late (Boulware), above 1 it
    gives ground early (conceder). Non-increasing in ``t`` and always within
    ``[no_deal, 1]``.
    """
    frac = min(max(t / deadline, 0.0), 1.0)
    return no_deal + (1.0 - no_deal) * (1.0 - frac ** (1.0 / concession))


def clip_box(x: Vector, lo: Vector, hi: Vector) -> tuple[float, ...]:
    """Project ``x`` onto the box ``[lo, hi]`` issue by issue, and onto 0..1.

    Each value is raised to ``max(lo, 0)`` and then lowered to ``min(hi, 1)``; the
    result lies in 0..1 when ``hi >= 0`` and ``lo <= 1``, as validated limits (within
    the issue's range, normalised to 0..1) always are.
    """
    return tuple([_clip(xi, lo_i, hi_i) for xi, lo_i, hi_i in zip(x, lo, hi, strict=True)])


def _clip(v: float, lo: float, hi: float) -> float:
    """One issue of :func:`clip_box`."""
    if v < lo:
        v = lo
    if v < 0.0:
        v = 0.0
    if v > hi:
        v = hi
    if v > 1.0:
        v = 1.0
    return v


def offer_along(start: Vector, goal: Vector, gap: float, top: float, level: float,
                lo: Vector, hi: Vector) -> tuple[float, ...]:
    """:func:`offer`, from its parts: the proposer's ``start`` and ``goal`` in its box,
    its utility ``top`` at ``start`` and the utility ``gap`` between start and goal.

    These are fixed per principal, so the talks compute them once per scenario. The
    final projection only guards against rounding.
    """
    step = 1.0 if gap <= 0 else min(max((top - level) / gap, 0.0), 1.0)
    out = []
    for s, g, lo_i, hi_i in zip(start, goal, lo, hi, strict=True):
        out.append(_clip(s + step * (g - s), lo_i, hi_i))
    return tuple(out)


def offer_path(ideal: Vector, weight: Vector, target: Vector, lo: Vector, hi: Vector
               ) -> tuple[tuple[float, ...], tuple[float, ...], float, float]:
    """Where a principal's concessions start and end, and what they cost it.

    Returns ``(start, goal, gap, top)``: its ideal and ``target`` projected into the box
    ``[lo, hi]``, the utility it loses going all the way from start to goal, and its
    utility at start (1 unless its clients' red lines exclude its ideal).
    """
    start = clip_box(ideal, lo, hi)
    goal = clip_box(target, lo, hi)
    return start, goal, distance(goal, start, weight), utility(start, ideal, weight)


def offer(
    ideal: Vector, weight: Vector, target: Vector, level: float, lo: Vector, hi: Vector
) -> tuple[float, ...]:
    """The package a principal proposes when its aspiration is ``level``.

    It starts from its ideal projected into the box ``[lo, hi]`` (its own red lines and
    its clients', where compatible; the ideal itself when it lies inside) and moves
    straight toward ``target`` (the other side's ideal, :func:`concession_target`)
    projected into the box, just far
    enough that its own utility falls to ``level``. On every issue that move leads away
    from the ideal, so utility falls linearly along the way and the step is exact: the
    proposer always accepts its own offer when any point of the path meets its
    aspiration. When even the start falls short, it offers the start, the best it can
    do within its box (or, where start and goal are worth the same to it, ``gap`` 0,
    the goal: a package it values exactly as much).
    """
    return offer_along(*offer_path(ideal, weight, target, lo, hi), level, lo, hi)


def acceptable_utility(x: Vector, ideal: Vector, weight: Vector, lo: Vector, hi: Vector,
                       level: float) -> float | None:
    """The principal's utility of ``x`` if it accepts ``x`` (see :func:`accepts`), else
    None: the talks need the value of every acceptable package for the Nash product.

    It is :func:`within_limits` and :func:`utility` in one pass over the issues (the
    talks call it some 25 times a replication); the loss adds up in the same order, so
    the value is the same to the last bit.
    """
    loss = 0.0
    for xi, ii, wi, lo_i, hi_i in zip(x, ideal, weight, lo, hi, strict=True):
        if xi < lo_i or xi > hi_i:
            return None
        if wi:
            loss += wi * abs(xi - ii)
    u = 1.0 - loss
    return u if u >= level - 1e-12 else None


def accepts(x: Vector, ideal: Vector, weight: Vector, lo: Vector, hi: Vector, level: float) -> bool:
    """A principal accepts ``x`` iff it breaks no red line and meets its aspiration,
    to within 1e-12: an offer built to meet ``level`` exactly can fall short of it by
    rounding alone, and must still be accepted by the party that made it."""
    return acceptable_utility(x, ideal, weight, lo, hi, level) is not None


def dot(a: Vector, b: Vector) -> float:
    """``sum_k a_k b_k``, added in order (so it equals ``sum`` of the products)."""
    total = 0.0
    for ak, bk in zip(a, b, strict=True):
        total += ak * bk
    return total


def concession_target(own: Vector, own_stated: Sequence[bool], others: Sequence[Vector],
                      stated: Sequence[Sequence[bool]]) -> tuple[float, ...]:
    """Where a principal's concessions lead: on each issue, the mean ideal of the other
    principals that hold a position they weigh on it (``stated``).

    A principal without such a position on an issue has only a placeholder ideal there
    (0.5), or one it does not care about, so it must not pull anybody toward it. On an
    issue no other principal weighs, the target is the principal's own ideal if it
    weighs the issue (nobody asks it to move), and the middle of the range if nobody
    at the table does (where every offer then stands, whoever sits there).
    """
    out = []
    for k, mine in enumerate(own):
        held = [ideal[k] for ideal, holds in zip(others, stated, strict=True) if holds[k]]
        if not held:
            out.append(mine if own_stated[k] else NOBODY_S)
            continue
        # summed exactly (math.fsum): the parties' order, which follows their names, must
        # not move the target by a rounding error (two ideals add exactly either way); and
        # kept within the ideals, which the division can leave by one (three of 0.249...)
        out.append(min(max(math.fsum(held) / len(held), min(held)), max(held)))
    return tuple(out)


NOBODY_S = 0.5
"""Where an issue no principal weighs stands in every offer: the middle of its range."""


def indifferent_start(ideal: Vector, stated: Sequence[bool], target: Vector) -> tuple[float, ...]:
    """A principal's ideal with the issues it holds no position on set to its concession
    target: it has no ideal there, and giving the others what they want costs it nothing
    (its weight there is 0), so it proposes that from the start, not the placeholder."""
    return tuple(i if holds else t for i, holds, t in zip(ideal, stated, target, strict=True))


def mediator_text(
    offers: Sequence[Vector], ideal: Vector, weight: Vector, pull: float, lo: Vector, hi: Vector,
    counted: Sequence[Sequence[int]] | None = None,
) -> tuple[float, ...]:
    """A mediator's single negotiating text.

    The mean of the principals' current offers, pulled by ``pull`` toward the
    mediator's ideal on the issues it cares about, then projected into ``[lo, hi]``
    (the red lines of everyone at or behind the table, where they are compatible).
    With ``counted`` (for each issue, the offers of the principals holding a position
    on it), an issue's mean counts only those offers (all, where the list is empty): a
    principal without one only echoes the others there.
    """
    out = []
    for k in range(len(ideal)):
        which = counted[k] if counted is not None and counted[k] else range(len(offers))
        # three offers or more are summed exactly, so that the parties' order cannot move
        # the text by a rounding error (:func:`concession_target`); two add exactly
        # either way, and the loop is faster (this runs every round)
        if len(which) > 2:
            total = math.fsum(offers[j][k] for j in which)
        else:
            total = 0.0
            for j in which:
                total += offers[j][k]
        mean = total / len(which)
        if weight[k] > 0:
            mean = (1.0 - pull) * mean + pull * ideal[k]
        out.append(mean)
    return clip_box(out, lo, hi)


def joint_bound(lam: Vector, ideals: Sequence[Vector], weights: Sequence[Vector]) -> float:
    """Upper bound of ``sum_p lam_p u_p(x)`` over all packages ``x``.

    Issue by issue, ``sum_p lam_p w_p |x - ideal_p|`` is convex and piecewise linear in
    ``x``, so its minimum lies at one of the ideals. Red lines only lower the true
    maximum. If the principals' aspirations ``a`` satisfy ``lam . a > bound`` for any
    ``lam >= 0``, no package can meet all of them: the talks can skip drawing up offers.
    """
    total_loss = 0.0
    for k in range(len(ideals[0])):
        total_loss += min(
            sum(lp * w[k] * abs(x - ideal[k])
                for lp, ideal, w in zip(lam, ideals, weights, strict=True))
            for x in (ideal[k] for ideal in ideals)
        )
    return sum(lam) - total_loss


def frontier_weights(weights: Sequence[Vector]) -> list[tuple[float, ...]]:
    """Weightings ``lam`` whose :func:`joint_bound` together trace the utility frontier.

    For two parties the frontier of the unconstrained problem is piecewise linear with
    kinks where ``lam_1 w_1k = lam_2 w_2k`` on some issue, so those weightings (and
    equal weights) make the bound test exact. For more parties equal weights are used.
    """
    n = len(weights)
    out = [tuple([1.0 / n] * n)]
    if n == 2:
        for w1, w2 in zip(weights[0], weights[1], strict=True):
            if w1 + w2 > 0:
                lam = w2 / (w1 + w2)
                out.append((lam, 1.0 - lam))
    return sorted(set(out))


def nash_product(utilities: Sequence[float], no_deals: Sequence[float]) -> float:
    """Product of gains over no agreement; used to choose among acceptable packages.

    Three gains or more are multiplied smallest first: a floating-point product depends
    on its order by a rounding error, and the parties' order is their names', so an
    exact tie between two packages (broken toward the smaller one) could become a
    rounding error apart under other names. Two gains commute exactly."""
    prod = 1.0
    if len(utilities) > 2:
        for g in sorted(max(u - d, 0.0) for u, d in zip(utilities, no_deals, strict=True)):
            prod *= g
        return prod
    for u, d in zip(utilities, no_deals, strict=True):  # (no list: it runs for every package)
        prod *= max(u - d, 0.0)
    return prod


def ratify_probability(
    x: Vector,
    ideal: Vector,
    weight: Vector,
    lo: Vector,
    hi: Vector,
    no_deal: float,
    leverage: float,
    noise: float,
) -> float:
    """Chance a client ratifies its patron's deal: zero beyond a red line, else logistic.

    Patron pressure (``leverage``) adds to the deal's value, which is compared with the
    client's value of fighting on (``no_deal``); ``noise`` spreads the decision.
    """
    if not within_limits(x, lo, hi):
        return 0.0
    z = (utility(x, ideal, weight) + leverage - no_deal) / noise
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    ez = math.exp(z)
    return ez / (1.0 + ez)


def box_intersection(
    boxes: Sequence[tuple[Vector, Vector]], fallback: tuple[Vector, Vector] | None = None
) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Per issue, the intersection of several ``(lo, hi)`` boxes; where it is empty (red
    lines that cannot all be met), the ``fallback`` box's bounds for that issue or,
    without one, the gap between the limits that conflict: from the lowest maximum to
    the highest minimum, which depends on no party's name or order."""
    n = len(boxes[0][0])
    lo_out, hi_out = [], []
    for k in range(n):
        lo_k = max(b[0][k] for b in boxes)
        hi_k = min(b[1][k] for b in boxes)
        if lo_k > hi_k:
            lo_k, hi_k = (fallback[0][k], fallback[1][k]) if fallback else (hi_k, lo_k)
        lo_out.append(lo_k)
        hi_out.append(hi_k)
    return tuple(lo_out), tuple(hi_out)


def shift_no_deal(value: float, delta: float) -> float:
    """A no-deal value after a battlefield shock, kept within 0..1."""
    return min(max(value + delta, 0.0), 1.0)
