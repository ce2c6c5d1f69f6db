"""What a scenario must satisfy beyond its per-field schema, and how failures read.

:mod:`sim.schema` checks each field on its own. The rules here relate fields to each
other: the roles a scenario needs, a combatant's patron and an armed party's opponent,
a spoiler's host, positions on declared issues and within their ranges, milestones
within the horizon, a bounded number of convoys (pydantic's own errors are turned into
:class:`sim.errors.ScenarioError` by :mod:`sim.schema_errors`). Kept apart from
compiling (:mod:`sim.scenario`) so that what a scenario author must get right reads in
one place, and compiling can assume it holds.
"""

from __future__ import annotations

from sim.document import join_key
from sim.errors import PairedError, ScenarioError, listing
from sim.printable import check_printable
from sim.reads import READ_BY
from sim.rules.talks import round_count
from sim.schema import Party, ScenarioSpec
from sim.schema_errors import unknown_issue
from sim.terms import check_later, check_values

GIVEN = "given_agreement_"
"""What sweep.csv puts before a milestone's label to name its P(hold) given agreement."""
OBSERVED_COLUMNS = ("agreed", "hours_held", "hours_low", "hours_high", "withdrew")
"""backtest.csv's columns of the record, each after ``observed_``, as a milestone's is."""


LABEL_COLUMNS = {"sweep": ("p_hold", f"p_hold_{GIVEN.rstrip('_')}", "d_hold"),
                 "compare_sweep": ("a_hold", "b_hold", "d_hold"),
                 "backtest": ("p_hold",)}
"""The prefixes of each table's columns named after a milestone's label (each with its
interval ends, ``_low`` and ``_high``); backtest.csv also has ``observed_<label>``.
The writers name their columns themselves; a test holds this list to what they write
(tests/test_sweep.py)."""


def label_columns(label: str, table: str | None = None) -> list[str]:
    """The columns a milestone's label names in ``table`` (``sweep``, ``compare_sweep``
    or ``backtest``), or in any of them."""
    tables = [table] if table is not None else list(LABEL_COLUMNS)
    prefixes = dict.fromkeys(p for t in tables for p in LABEL_COLUMNS[t])
    columns = [f"{prefix}_{label}{end}" for prefix in prefixes for end in ("", "_low", "_high")]
    return columns + ([f"observed_{label}"] if "backtest" in tables else [])


def label_clash(labels: list[str], table: str | None = None) -> tuple[str, str, str] | None:
    """The first label (in order) that would name a column of ``table`` (of any, when
    None) another already does: ``(label, the other, the column)``, or None. Labels
    tabled together (a backtest's scenarios, a sweep's points) are checked as one
    list."""
    seen: dict[str, str] = {}
    for label in dict.fromkeys(labels):
        for column in label_columns(label, table):
            other = seen.setdefault(column, label)
            if other != label:
                return label, other, column
    return None


def check_references(spec: ScenarioSpec, file: str) -> None:
    """Cross-field rules pydantic cannot express per field."""
    if not spec.issues:
        raise ScenarioError(file, "issues", {}, "declare at least one issue")
    for name, scale in spec.issues.items():
        if not scale.high > scale.low:
            base = join_key(("issues", name))
            raise PairedError(file, f"{base}.high", scale.high, f"greater than low ({scale.low:g})",
                              (f"{base}.low", scale.low, f"less than high ({scale.high:g})"))
    check_printable(spec, file)
    roles: dict[str, list[str]] = {"patron": [], "combatant": [], "spoiler": [], "mediator": []}
    for name, party in spec.parties.items():
        roles[party.role].append(name)
    if len(roles["patron"]) < 2 or len(roles["combatant"]) < 2:
        raise ScenarioError(
            file,
            "parties",
            sorted(spec.parties),
            "a scenario needs at least two parties with role 'patron' (the negotiators) and "
            f"two with role 'combatant'; found patrons {listing(roles['patron'])} and "
            f"combatants {listing(roles['combatant'])}",
        )
    if len(roles["mediator"]) > 1:
        raise ScenarioError(file, "parties", roles["mediator"], "at most one mediator")
    combatants = roles["combatant"]
    # every party's patron and host first: a name that is wrong (a party not written, or
    # a combatant given a host) also hides who the others fight, and was reported as
    # another party's opponent that could not be told
    for name, party in spec.parties.items():
        _check_patron_and_host(file, join_key(("parties", name)), party, roles)
    for name, party in spec.parties.items():
        base = join_key(("parties", name))
        if party.role in ("combatant", "spoiler"):
            others = [c for c in combatants if c != name and c != party.host]
            if party.opponent is None and len(others) != 1:
                why = (f"with {len(others)} other combatants ({listing(others)}) it cannot be "
                       "told which") if others else "there is no other combatant"
                raise ScenarioError(
                    file, f"{base}.opponent", None,
                    f"name the combatant it fights (opponent = \"...\"): {why}",
                )
            if party.opponent is not None and party.opponent not in combatants:
                raise ScenarioError(
                    file, f"{base}.opponent", party.opponent, f"a combatant: {listing(combatants, 'or')}"
                    + case_hint(party.opponent, combatants)
                )
            if party.opponent == name:
                raise ScenarioError(file, f"{base}.opponent", name, "a party other than itself")
        elif party.opponent is not None:
            raise ScenarioError(file, f"{base}.opponent", party.opponent, "only armed parties fight")
        if party.role == "spoiler" and party.opponent is not None and party.opponent == party.host:
            # its attacks would be blamed on their own victim
            raise ScenarioError(file, f"{base}.opponent", party.opponent,
                                f"a combatant other than its host {party.host!r}")
        b = party.behaviour
        for key in sorted(b.model_fields_set):
            if party.role not in READ_BY[key]:
                readers = " and ".join(f"{r}s" for r in READ_BY[key])
                # (no value is shown: any value would be as wrong as this one)
                raise ScenarioError(
                    file, f"{base}.behaviour.{key}", None,
                    f"not read for a {party.role}: only {readers} use behaviour.{key}, so "
                    f"for a {party.role} the model would ignore it; remove it",
                )
        if party.role in ("patron", "combatant") and b.trust < b.tolerance:
            why = "a signatory whose trust starts below its tolerance would leave the " \
                  "ceasefire before it began"
            raise PairedError(
                file, f"{base}.behaviour.trust", b.trust,
                f"at least its tolerance ({b.tolerance}): {why}",
                (f"{base}.behaviour.tolerance", b.tolerance, f"at most its trust ({b.trust}): {why}"),
            )
        for issue, pos in party.positions.items():
            ppath = join_key(("parties", name, "positions", issue))
            if issue not in spec.issues:
                raise ScenarioError(file, ppath, None, unknown_issue(issue, spec.issues))
            rng = spec.issues[issue]
            scale_key = join_key(("issues", issue))
            for key in ("ideal", "min", "max"):
                value = getattr(pos, key)
                if value is not None and not rng.low <= value <= rng.high:
                    end, bound, side = ("low", rng.low, "most") if value < rng.low else \
                        ("high", rng.high, "least")
                    raise PairedError(
                        file, f"{ppath}.{key}", value, f"within the issue's range {rng.low}..{rng.high}",
                        (f"{scale_key}.{end}", bound, f"at {side} every position on the issue "
                         f"({ppath}.{key}={value:g} is outside it)"),
                    )
            if pos.min is not None and pos.max is not None and pos.min > pos.max:
                why = "the red lines must leave some value acceptable"
                raise PairedError(file, f"{ppath}.min", pos.min, f"at most max ({pos.max}): {why}",
                                  (f"{ppath}.max", pos.max, f"at least min ({pos.min}): {why}"))
            # a red line the party's own ideal crosses: the limit is named, as the ideal
            # (inside the issue's range) is the party's stance and the limit its bound,
            # unless the ideal is what the user just changed
            if pos.min is not None and pos.ideal < pos.min:
                raise PairedError(file, f"{ppath}.min", pos.min, f"at most the party's ideal "
                                  f"({pos.ideal}): min <= ideal <= max",
                                  (f"{ppath}.ideal", pos.ideal, f"at least the party's min "
                                   f"({pos.min}): min <= ideal <= max"))
            if pos.max is not None and pos.ideal > pos.max:
                raise PairedError(file, f"{ppath}.max", pos.max, f"at least the party's ideal "
                                  f"({pos.ideal}): min <= ideal <= max",
                                  (f"{ppath}.ideal", pos.ideal, f"at most the party's max "
                                   f"({pos.max}): min <= ideal <= max"))
    gainer = spec.negotiation.shocks.gainer
    if gainer is not None and gainer not in combatants:
        raise ScenarioError(file, "negotiation.shocks.gainer", gainer,
                            f"a combatant: {listing(combatants, 'or')}" + case_hint(gainer, combatants))
    if gainer is None and spec.negotiation.shocks.rate_per_day > 0 and len(combatants) != 2:
        raise ScenarioError(file, "negotiation.shocks.gainer", None,
                            f"one of {listing(combatants, 'or')} (with {len(combatants)} "
                            "combatants, the side that shocks favour must be named)")
    shocks = spec.negotiation.shocks
    if gainer is None and "gainer_share" in shocks.model_fields_set:
        # without a gainer the shocks favour each side equally: a share would be ignored
        raise ScenarioError(file, "negotiation.shocks.gainer_share", shocks.gainer_share,
                            f"a gainer to give it to: set negotiation.shocks.gainer to one of "
                            f"{listing(combatants, 'or')}, or drop gainer_share")
    cf = spec.ceasefire
    # the latest milestone: a horizon raised to it admits them all
    latest = max(cf.milestones.items(), key=lambda m: m[1], default=("", 0.0))
    for label, hours in cf.milestones.items():
        key = join_key(("ceasefire", "milestones", label))
        if not 0 < hours <= cf.horizon_hours:
            raise PairedError(file, key, hours, f"hours in (0, horizon_hours={cf.horizon_hours}]",
                              None if hours <= 0 else
                              ("ceasefire.horizon_hours", cf.horizon_hours,
                               f"at least every milestone (the latest: "
                               f"{join_key(('ceasefire', 'milestones', latest[0]))}={latest[1]:g})"))
        for end in ("_low", "_high"):
            # sweep.csv names a milestone's interval ends <label>_low and <label>_high
            if label.endswith(end) and label.removesuffix(end) in cf.milestones:
                raise ScenarioError(file, key, label, f"a label other than milestone "
                                    f"{label.removesuffix(end)!r}'s with {end} added (table "
                                    "columns name its interval ends so)")
        given = label.removeprefix(GIVEN)
        if given != label and given in cf.milestones:
            # sweep.csv has p_hold_<label> and p_hold_given_agreement_<label>
            raise ScenarioError(file, key, label, f"a label other than milestone {given!r}'s "
                                f"with {GIVEN} before it (sweep.csv names its conditional "
                                "column so)")
        if label in OBSERVED_COLUMNS:
            raise ScenarioError(file, key, label, f"a label other than {listing(OBSERVED_COLUMNS, 'or')} "
                                "(backtest.csv's columns observed_<label> would clash with the "
                                "record's own)")
    clash = label_clash(list(cf.milestones))
    if clash is not None:  # what the rules above do not name (given_agreement_7d_low)
        label, other, column = clash
        raise ScenarioError(file, join_key(("ceasefire", "milestones", label)), label,
                            f"a label whose table columns differ from milestone {other!r}'s "
                            f"(both would name a column {column})")
    if not cf.milestones:
        raise ScenarioError(file, "ceasefire.milestones", {}, "at least one milestone")
    for key in cf.links.model_fields_set:
        issue = getattr(cf.links, key)
        if issue is not None and issue not in spec.issues:
            raise ScenarioError(
                file, f"ceasefire.links.{key}", issue,
                f"a declared issue or omitted: {listing(sorted(spec.issues), 'or')}",
            )
    check_values(spec, file, ("ceasefire", "imposed"), cf.imposed)
    if cf.convoys.calm_hours > cf.horizon_hours:
        raise PairedError(
            file, "ceasefire.convoys.calm_hours", cf.convoys.calm_hours,
            f"at most horizon_hours ({cf.horizon_hours:g})",
            ("ceasefire.horizon_hours", cf.horizon_hours,
             f"at least ceasefire.convoys.calm_hours ({cf.convoys.calm_hours:g})"),
        )
    _check_convoys(spec, file)
    check_later(spec, file)
    check_observed(spec, file)
    neg = spec.negotiation
    # (rounds counted first: an interval of 5e-324 h made the count below overflow)
    if neg.deadline_hours / neg.round_interval_hours > MAX_ROUNDS:
        raise PairedError(
            file, "negotiation.round_interval_hours", neg.round_interval_hours,
            f"at least {neg.deadline_hours / MAX_ROUNDS:g} hours (a deadline of "
            f"{neg.deadline_hours:g} h allows at most {MAX_ROUNDS:,} rounds)",
            ("negotiation.deadline_hours", neg.deadline_hours,
             f"at most {neg.round_interval_hours * MAX_ROUNDS:g} hours (a round every "
             f"{neg.round_interval_hours:g} h allows at most {MAX_ROUNDS:,} rounds)"),
        )
    if round_count(neg.round_interval_hours, neg.deadline_hours) == 0:  # (no talks at all)
        why = "the first round is held one interval after the start, so no round would be held"
        raise PairedError(
            file, "negotiation.deadline_hours", neg.deadline_hours,
            f"at least round_interval_hours={neg.round_interval_hours:g}: {why}",
            ("negotiation.round_interval_hours", neg.round_interval_hours,
             f"at most deadline_hours={neg.deadline_hours:g}: {why}"),
        )

MAX_ROUNDS = 1_000_000
"""Most rounds of talks before the deadline: each is a SimPy event, so a tiny interval
would make every replication run for hours."""
MAX_PAUSE_HOURS = 10_000.0
"""Longest pause, agreed or not (the bound of ``ceasefire.pause.hours``)."""
MAX_CONVOYS = 10_000
"""Most convoys one pause may dispatch (the bound of ``ceasefire.convoys.max_per_pause``):
each is a process started with the ceasefire, so without a bound a long pause or a
tiny interval makes a replication run out of time and memory."""


OBSERVED_NEEDS = {
    "agreed": "missing: true or false, whether the deal was reached; the record is scored "
              "against it, so it is not left to a default",
    "hours_held": "missing, and needed once agreed: the hours from the ceasefire's start to its collapse, "
                  "or that it was seen to hold (without it the record says it collapsed at "
                  "once)",
    "collapsed": "missing, and needed once agreed: true or false, whether the ceasefire broke down "
                 "within hours_held",
}
"""What an ``[observed]`` record must say itself, and why."""


def _check_patron_and_host(file: str, base: str, party: Party, roles: dict[str, list[str]]
                           ) -> None:
    """A combatant names a patron, a spoiler a combatant as its host, and no other role
    either."""
    combatants = roles["combatant"]
    if party.host is not None and party.role != "spoiler":
        raise ScenarioError(file, f"{base}.host", party.host, "only spoilers have a host")
    if party.role == "combatant":
        if party.patron is None:
            raise ScenarioError(file, f"{base}.patron", None,
                                f"name its patron, one of {listing(roles['patron'], 'or')}")
        if party.patron not in roles["patron"]:
            raise ScenarioError(file, f"{base}.patron", party.patron,
                                f"a party with role patron: {listing(roles['patron'], 'or')}"
                                + case_hint(party.patron, roles["patron"]))
    elif party.patron is not None:
        raise ScenarioError(file, f"{base}.patron", party.patron, "only combatants have a patron")
    if party.role == "spoiler" and (party.host is None or party.host not in combatants):
        raise ScenarioError(
            file, f"{base}.host", party.host,
            ("missing: a spoiler needs " if party.host is None else "")
            + f"the combatant it is co-located with: {listing(combatants, 'or')}"
            + case_hint(party.host, combatants),
        )


def case_hint(given: str | None, names: list[str]) -> str:
    """``" (names are case-sensitive: us)"`` when ``given`` is one of ``names`` but for case."""
    same = [n for n in names if given is not None and n.lower() == given.lower()]
    return f" (names are case-sensitive: {same[0]})" if same else ""


def check_observed(spec: ScenarioSpec, file: str) -> None:
    """The ``[observed]`` record must be one thing that happened: its range contains its
    best estimate, nothing holds without agreement, and only a collapse has an author.
    (What it says of the scenario's milestones is checked by ``observed_outcomes``.)"""
    obs = spec.observed
    if obs is None:
        return
    # the defaults (agreed, collapsed, 0 hours) make a record of their own, a collapse at
    # hour 0: a section that says less must not be scored as that
    written = obs.model_fields_set
    needed = ["agreed"] + (["hours_held", "collapsed"] if obs.agreed else [])
    for key in needed:
        if key not in written:
            raise ScenarioError(file, f"observed.{key}", None, OBSERVED_NEEDS[key])
    if obs.hours_held_range is not None:
        low, high = obs.hours_held_range
        if not 0 <= low <= obs.hours_held <= high <= 100_000:
            raise ScenarioError(file, "observed.hours_held_range", list(obs.hours_held_range),
                                f"[low, high], ordered, within 0..100000 and containing "
                                f"hours_held ({obs.hours_held})")
    if not obs.agreed:
        if obs.hours_held != 0:
            raise ScenarioError(file, "observed.hours_held", obs.hours_held,
                                "0 without agreement (agreed = false)")
        reached = next((label for label, held in obs.milestones_reached.items() if held), None)
        if reached is not None:
            raise ScenarioError(file, join_key(("observed", "milestones_reached", reached)),
                                True, "false without agreement (agreed = false)")
    if obs.withdrew is not None and not (obs.agreed and obs.collapsed):
        happened = "was never agreed" if not obs.agreed else "did not collapse"
        raise ScenarioError(file, "observed.withdrew", obs.withdrew,
                            f"\"\" (none): it says who ended the ceasefire, but the record says "
                            f"it {happened} (or correct {'agreed' if not obs.agreed else 'collapsed'})")


def _check_convoys(spec: ScenarioSpec, file: str) -> None:
    """An agreed pause is bounded like a default one, and so are the convoys it holds."""
    cf = spec.ceasefire
    longest = cf.pause.hours
    link = cf.links.pause_hours
    if link is not None and link in spec.issues:
        rng = spec.issues[link]
        if rng.low < 0:  # (a pause of -100 h was agreed, and traced as such)
            raise ScenarioError(
                file, join_key(("issues", link, "low")), rng.low,
                "at least 0: the issue is the pause length in hours (ceasefire.links.pause_hours)",
            )
        if rng.high > MAX_PAUSE_HOURS:
            raise ScenarioError(
                file, join_key(("issues", link, "high")), rng.high,
                f"at most {MAX_PAUSE_HOURS:g}: the issue is the pause length in hours "
                "(ceasefire.links.pause_hours)",
            )
        longest = max(longest, rng.high)
    cv = cf.convoys
    if cv.max_per_pause == 0 and (longest - cv.calm_hours) / cv.interval_hours + 1 > MAX_CONVOYS:
        raise ScenarioError(
            file, "ceasefire.convoys.interval_hours", cv.interval_hours,
            f"at least {longest / MAX_CONVOYS:g} hours (a pause of up to {longest:g} h may "
            f"dispatch at most {MAX_CONVOYS} convoys), or set max_per_pause",
        )

