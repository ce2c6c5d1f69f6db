"""Rules of perception: whether a victim notices an act, whom it blames, and what
verification changes."""

from __future__ import annotations

import enum


class Seen(enum.Enum):
    """How a victim perceives a violation against it."""

    UNSEEN = "unseen"
    """Nobody noticed it: no effect on trust or grievance."""
    VERIFIED = "verified"
    """Monitors detected it and attributed it to its true author."""
    OWN = "own"
    """The victim noticed it and attributed it to its true author."""
    BLAMED_HOST = "blamed_host"
    """A spoiler's attack the victim blamed on the spoiler's host (misattribution)."""


def blame_probability(colocation: float, delineation: float) -> float:
    """Chance that an unverified spoiler attack is blamed on its host.

    Spoilers fighting from inside the host's lines are indistinguishable from it to the
    extent they are intermingled and not delineated.
    """
    return colocation * (1.0 - delineation)


def perceive(
    *,
    author_is_spoiler: bool,
    colocation: float,
    delineation: float,
    verification: float,
    notice: float,
    coverage: float,
    u_detect: float,
    u_notice: float,
    u_blame: float,
) -> Seen:
    """Perception of one violation, given three uniforms drawn by the caller.

    Monitors detect with probability ``coverage * verification`` and then always name
    the true author. Otherwise the victim notices with probability ``notice``; a
    spoiler's attack it notices is blamed on the spoiler's host with
    :func:`blame_probability`. Hence: full verification (with full coverage) means every
    violation is seen and correctly attributed; full delineation means no spoiler attack
    is blamed on the host.
    """
    if u_detect < coverage * verification:
        return Seen.VERIFIED
    if u_notice >= notice:
        return Seen.UNSEEN
    if author_is_spoiler and u_blame < blame_probability(colocation, delineation):
        return Seen.BLAMED_HOST
    return Seen.OWN


def perceive_strike(verification: float, coverage: float, u_detect: float) -> Seen:
    """Perception of a strike aimed at a spoiler that landed on its host's positions.

    The host always notices being hit and knows who struck; monitors detect it with
    probability ``coverage * verification``, as they detect any act.
    """
    return Seen.VERIFIED if u_detect < coverage * verification else Seen.OWN


def verified_severity(severity: float, reassurance: float) -> float:
    """Weight of a violation the monitors verified: part of its cost is absorbed by the
    mechanism (recorded, attributed, answered), so the victim feels less of it."""
    return severity * (1.0 - reassurance)


def expected_felt_severity(verification: float, coverage: float, notice: float,
                           reassurance: float) -> float:
    """Mean severity a combatant's act of severity 1 carries for its victim, unseen acts
    counting 0: verified with probability ``coverage * verification`` (and softened by
    ``reassurance``), otherwise noticed with probability ``notice`` (as in
    :func:`perceive`). In 0..1; the share of retaliation the act provokes on average."""
    verified = coverage * verification
    return verified * (1.0 - reassurance) + (1.0 - verified) * notice


def strike_hits_host(colocation: float, delineation: float) -> float:
    """Chance that a strike aimed at a spoiler lands on its host's positions."""
    return colocation * (1.0 - delineation)
