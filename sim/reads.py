"""What the model reads of a scenario, and so what it makes sense to vary.

Validation refuses a behaviour key given to a role that never reads it (it would change
nothing, silently), and a sweep refuses a key that only describes the scenario (it would
vary nothing): both from the tables here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sim.errors import listing

if TYPE_CHECKING:
    from sim.scenario import Scenario
    from sim.schema import Party

READ_BY: dict[str, tuple[str, ...]] = {
    "concession": ("patron",),
    "compliance": ("combatant",),
    "command_control": ("combatant",),
    "attack_rate": ("combatant", "spoiler"),
    "air_share": ("combatant",),
    "retaliation": ("combatant",),
    "strike_response": ("combatant",),
    "trust": ("patron", "combatant"),
    "tolerance": ("patron", "combatant"),
    "sensitivity": ("patron", "combatant"),
    "leverage": ("patron", "mediator"),
    "ratification_noise": ("combatant",),
    "targeting_vulnerability": ("spoiler",),
    "colocation": ("spoiler",),
}
"""The roles whose :class:`Behaviour` key the model reads. Patrons negotiate, press their
clients and sign; combatants ratify, fight, retaliate, strike spoilers and sign;
spoilers attack from among their hosts; the mediator pulls its text. A key given to any
other role would change nothing, silently (50 attacks a day for a patron), so
validation refuses it."""


DESCRIPTIVE = ("name", "title", "description", "sources", "observed", "issues.*.unit",
               "issues.*.description", "parties.*.label")
"""Keys that describe a scenario, or (``observed``) record what happened for the
backtest: no replication reads them, so a sweep of one would vary nothing."""


def is_descriptive(parts: Sequence[str]) -> bool:
    """Whether the key of these parts is, or lies within, one of :data:`DESCRIPTIVE`."""
    for pattern in DESCRIPTIVE:
        want = pattern.split(".")
        head = parts[: len(want)]
        if len(head) == len(want) and all(w in ("*", p) for w, p in zip(want, head, strict=True)):
            return True
    return False


THROUGH_CLIENT = ("leverage", "trust", "tolerance", "sensitivity")
"""A patron's keys that act only through its client: leverage presses the client to
ratify and comply; trust falls with the client's losses (``ceasefire.patron_share``),
and below its tolerance the patron withdraws."""


def idle_parties_notes(scenario: Scenario) -> list[str]:
    """What to tell the user of keys the model never reads for a party: a spoiler's or
    the mediator's ``no_deal`` and ``no_deal_spread``; and of a patron no combatant
    names as its patron, whose behaviour keys in :data:`THROUGH_CLIENT` change
    nothing, and which weighing no issue either changes nothing at all. Not refused,
    as a role's unread behaviour keys are: a child file that gives the parent's client
    to another patron cannot remove the keys the parent wrote, and saved runs'
    scenarios hold the values of no deal their files gave. Then the combatants nothing
    reaches (:func:`unreached_notes`), a ceasefire nobody attacks (:func:`unarmed_notes`)
    and later terms that cannot act (:func:`later_notes`)."""
    clients = {p.patron for p in scenario.parties.values() if p.patron is not None}
    notes = []
    for name in (*scenario.spoilers, *([scenario.mediator] if scenario.mediator else [])):
        party = scenario.spec.parties[name]
        unread = sorted({"no_deal", "no_deal_spread"} & party.model_fields_set)
        if unread:
            # noted, not refused: saved runs' scenarios (and files written before) have it
            notes.append(f"note: parties.{name}.{' and '.join(unread)} change"
                         f"{'s' if len(unread) == 1 else ''} nothing: a {party.role} neither "
                         "accepts nor ratifies a deal (only patrons and combatants weigh one "
                         "against none)")
        notes.extend(_unread_positions(name, party))
    for name in scenario.principals:
        if name in clients:
            continue
        party = scenario.spec.parties[name]
        if not any(scenario.parties[name].stated):
            notes.append(f"note: {name} weighs no issue (it holds no position of salience above "
                         "0) and is no combatant's patron: it changes nothing (give it positions, "
                         "or make it the patron of a combatant)")
            continue
        idle = [k for k in THROUGH_CLIENT if k in party.behaviour.model_fields_set]
        if idle:
            keys = " and ".join([", ".join(idle[:-1]), idle[-1]] if len(idle) > 1 else idle)
            notes.append(f"note: {name} is no combatant's patron, so its behaviour.{keys} "
                         f"change{'s' if len(idle) == 1 else ''} nothing (they act through a "
                         "client); it still negotiates, and as a signatory must accept the "
                         "deal, so its positions and no_deal can move the terms and whether "
                         "one is struck")
    return notes + unreached_notes(scenario) + unarmed_notes(scenario) + later_notes(scenario) \
        + unweighed_notes(scenario) + talks_only_notes(scenario) + deadlock_notes(scenario) \
        + unread_answer_notes(scenario)


def _unread_positions(name: str, party: Party) -> list[str]:
    """A spoiler is not at the table, so none of its positions is read; the mediator's
    ideals pull its text (on the issues it gives salience), but its hard limits do not
    bound it: the text is kept within the patrons' and combatants' limits only. A red
    line given there reads as binding and binds nothing."""
    if party.role == "spoiler":
        return [f"note: parties.{name}.positions change nothing: a spoiler is not at the "
                "table (it neither proposes, accepts nor ratifies)"] if party.positions else []
    limits = [f"parties.{name}.positions.{issue}.{bound}"
              for issue, pos in party.positions.items() for bound in ("min", "max")
              if getattr(pos, bound) is not None]
    if not limits:
        return []
    return [f"note: {listing(limits, 'and')} change{'s' if len(limits) == 1 else ''} nothing: the "
            "mediator's text is kept within the patrons' and combatants' hard limits, not its "
            "own (its ideals still pull the text)"]


def unread_answer_notes(scenario: Scenario) -> list[str]:
    """Keys that answer something the scenario never makes happen: a combatant's
    ``strike_response`` when no spoiler attacks it (it strikes back only at a spoiler
    that attacked it), and a spoiler's ``targeting_vulnerability`` when no issue drives
    joint targeting (``ceasefire.links.joint_targeting`` names none of the scenario's
    issues). Set above 0, they read as levers; a comparison of them gives +0.0."""
    attacked = {scenario.parties[s].opponent for s in scenario.spoilers}
    notes = []
    for name in scenario.combatants:
        b = scenario.spec.parties[name].behaviour
        if "strike_response" in b.model_fields_set and b.strike_response > 0 \
                and name not in attacked:
            notes.append(f"note: parties.{name}.behaviour.strike_response changes nothing: no "
                         f"spoiler attacks {name} (a combatant strikes back only at a spoiler "
                         "that attacked it)")
    link = scenario.spec.ceasefire.links.joint_targeting
    if scenario.issue_index(link) is None:
        for name in scenario.spoilers:
            b = scenario.spec.parties[name].behaviour
            if "targeting_vulnerability" in b.model_fields_set and b.targeting_vulnerability > 0:
                notes.append(f"note: parties.{name}.behaviour.targeting_vulnerability changes "
                             "nothing: no issue drives joint targeting (ceasefire.links."
                             f"joint_targeting names {'none' if link is None else repr(link)}, "
                             "not one of the scenario's issues)")
    return notes


def unweighed_notes(scenario: Scenario) -> list[str]:
    """An issue no patron, combatant or mediator gives salience is not bargained over:
    no offer moves it for anyone's sake (a mediator that weighs it pulls its text there,
    which is an outcome), and its agreed value (``terms.ISSUE`` in ``runs.csv``) comes
    from where offers start, which reads as a negotiated outcome."""
    weighing = [*scenario.principals, *scenario.combatants,
                *([scenario.mediator] if scenario.mediator else [])]
    return [f"note: no patron, combatant or mediator gives issues.{issue} salience (no "
            f"position on it above 0): the talks do not bargain over it, so its agreed value "
            f"(terms.{issue}) is where the offers start, not an outcome"
            for k, issue in enumerate(scenario.issues)
            if not any(scenario.parties[n].weight[k] > 0 for n in weighing)]


def talks_only_notes(scenario: Scenario) -> list[str]:
    """An issue bargained over that no ceasefire mechanism reads (``ceasefire.links``
    names issues by name: an issue called ``monitoring`` drives nothing while the
    monitors read ``verification``) and no combatant weighs in its compliance shapes
    the talks alone: whether and when a deal is struck, not whether it holds. A sweep
    of it then moves P(hold) only through P(agreement), which is easy to misread as
    the issue keeping the peace. Issues nobody weighs are noted by
    :func:`unweighed_notes` instead."""
    cf = scenario.spec.ceasefire
    links = cf.links.model_dump()
    linked = {issue for issue in links.values() if issue is not None}
    free = [m for m, issue in links.items() if scenario.issue_index(issue) is None]
    weighing = [*scenario.principals, *scenario.combatants,
                *([scenario.mediator] if scenario.mediator else [])]
    notes = []
    for k, issue in enumerate(scenario.issues):
        weighed = [n for n in weighing if scenario.parties[n].weight[k] > 0]
        complied = cf.terms_effect > 0 and any(n in scenario.combatants for n in weighed)
        if issue in linked or complied or not weighed:
            continue
        hint = (f"; to make it drive one, name it in ceasefire.links, as its "
                f"{listing(free, 'or')} (verification = \"{issue}\", say)"
                if "verification" in free else
                f"; to make it drive one, name it in ceasefire.links, as its {listing(free, 'or')}"
                ) if free else ""
        notes.append(f"note: issues.{issue} shapes the talks alone: no ceasefire mechanism "
                     "reads it (ceasefire.links) and no combatant weighs it in its compliance, "
                     "so it changes whether and when a deal is struck, not how the ceasefire "
                     f"runs{hint}")
    return notes


def deadlock_notes(scenario: Scenario) -> list[str]:
    """Hard limits of two parties that must both sign (patrons accept, combatants
    ratify) that leave no value of an issue between them: no deal can be struck, and
    P(agreement) is 0 however the rest is set. Said before anything runs, with the two
    limits, rather than left to a table of zeros."""
    signers = [*scenario.principals, *scenario.combatants]
    notes = []
    for k, issue in enumerate(scenario.issues):
        high = max(signers, key=lambda n: scenario.parties[n].lo[k])
        low = min(signers, key=lambda n: scenario.parties[n].hi[k])
        if scenario.parties[high].lo[k] > scenario.parties[low].hi[k]:
            floor = scenario.spec.parties[high].positions[issue].min
            ceiling = scenario.spec.parties[low].positions[issue].max
            notes.append(f"note: no deal can be struck: on {issue}, {high}'s min ({floor:g}) "
                         f"is above {low}'s max ({ceiling:g}), and a deal must lie within the "
                         "hard limits of every patron and combatant, who all sign; "
                         "P(agreement) will be 0")
    return notes


def unarmed_notes(scenario: Scenario) -> list[str]:
    """No armed party attacks (every ``attack_rate`` 0, the default): nothing can violate
    the ceasefire, so every one agreed holds to the horizon. A P(hold) of 100% that is
    only the defaults at work reads as a finding."""
    armed = [p for p in scenario.spec.parties.values() if p.role in ("combatant", "spoiler")]
    if any(p.behaviour.attack_rate > 0 for p in armed):
        return []
    return ["note: no armed party attacks (every combatant's and spoiler's behaviour."
            "attack_rate is 0, its default): nothing can violate the ceasefire, so every one "
            "agreed holds to the horizon"]


def unreached_notes(scenario: Scenario) -> list[str]:
    """A combatant no armed party acts against (no one's opponent, no spoiler's host)
    never perceives a violation: its trust never falls, so it never withdraws, and its
    ``trust``, ``tolerance``, ``sensitivity`` and ``retaliation`` change nothing. Its own
    acts still reach its opponent. Noted, as a scenario may seat such a party on purpose
    (one that signs but is never attacked)."""
    armed = [p for p in scenario.parties.values() if p.role in ("combatant", "spoiler")]
    reached = {p.opponent for p in armed} | {p.host for p in armed if p.role == "spoiler"}
    return [f"note: no party acts against {p.name} (it is no armed party's opponent and no "
            "spoiler's host): it never perceives a violation, so it never withdraws, and its "
            "behaviour.trust, tolerance, sensitivity and retaliation change nothing"
            for p in armed if p.role == "combatant" and p.name not in reached]


def later_notes(scenario: Scenario) -> list[str]:
    """Later terms that cannot change the ceasefire: an issue ``ceasefire.imposed``
    already holds at that value, or one no mechanism reads (``ceasefire.links``) and no
    combatant's compliance weighs (salience 0, or ``terms_effect`` 0). Their comparison
    would show +0.0 after the hour, which reads as a finding that the change does not
    matter rather than as a change the model does not make."""
    cf = scenario.spec.ceasefire
    if cf.later is None:
        return []
    linked = {issue for issue in cf.links.model_dump().values() if issue is not None}
    weighed = {issue for k, issue in enumerate(scenario.issues) if cf.terms_effect > 0
               and any(scenario.parties[c].weight[k] > 0 for c in scenario.combatants)}
    notes = []
    for issue, value in cf.later.terms.items():
        key = f"note: ceasefire.later.terms.{issue} changes nothing:"
        if cf.imposed.get(issue) == value:
            notes.append(f"{key} ceasefire.imposed already holds {issue} at {value:g} for the "
                         "whole ceasefire")
        elif issue not in linked and issue not in weighed:
            why = ("ceasefire.terms_effect is 0, so no combatant's compliance weighs the terms"
                   if cf.terms_effect == 0 else "no combatant gives it salience")
            notes.append(f"{key} no mechanism reads {issue} (ceasefire.links) and no "
                         f"combatant weighs it in its compliance ({why})")
    return notes
