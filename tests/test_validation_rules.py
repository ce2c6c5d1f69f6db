"""The rules of :mod:`sim.validation`, one at a time, at the edge where each applies.

Each case changes :func:`helpers.minimal_doc` in one place. A refused document must
raise ScenarioError at the key to mend, saying what that key allows. A document at
the edge of a rule must still load. A rule that was dropped, or moved by one, would
let a bad scenario simulate or refuse a good one.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import pytest
from helpers import minimal_doc, with_keys

from sim.document import join_key
from sim.errors import ScenarioError
from sim.scenario import scenario_from_dict
from sim.validation import MAX_CONVOYS, MAX_ROUNDS


def refused(doc: dict[str, Any]) -> ScenarioError:
    """The error loading ``doc`` raises (the test fails if it loads)."""
    with pytest.raises(ScenarioError) as err:
        scenario_from_dict(doc, "case.toml")
    assert "case.toml" in err.value.message()
    return err.value


def without(doc: dict[str, Any], *keys: str) -> dict[str, Any]:
    """A deep copy of ``doc`` with the key at the end of the path ``keys`` removed."""
    out = copy.deepcopy(doc)
    node = out
    for key in keys[:-1]:
        node = node[key]
    del node[keys[-1]]
    return out


def three_combatants() -> dict[str, Any]:
    """``minimal_doc`` with a third combatant, ``green``: each one names whom it fights,
    as "the other side" no longer says who that is."""
    return with_keys(minimal_doc(),
                     parties__green={"role": "combatant", "patron": "east", "no_deal": 0.1,
                                     "opponent": "blue"},
                     parties__red__opponent="blue", parties__blue__opponent="red")


def no_issues() -> dict[str, Any]:
    """``minimal_doc`` with an empty issues table and no positions on the issue it had."""
    doc = with_keys(minimal_doc(), issues={})
    for party in doc["parties"].values():
        party.pop("positions", None)
    return doc


MILESTONES = minimal_doc()["ceasefire"]["milestones"]

REFUSED = {
    # [observed] is optional (Observed | None); its keys are named like any table's
    "observed: a misspelt key is named with the key meant": (
        with_keys(minimal_doc(), observed={"agred": True}),
        "observed.agred", "unknown key (did you mean agreed?)"),
    "observed: a value out of range says the range": (
        with_keys(minimal_doc(), observed={"hours_held": -1.0}),
        "observed.hours_held", "a number from 0 to 100,000"),
    "nan horizon": (with_keys(minimal_doc(), ceasefire__horizon_hours=math.nan),
                    "ceasefire.horizon_hours", "must be a finite number (no nan or inf)"),
    "infinite horizon": (with_keys(minimal_doc(), ceasefire__horizon_hours=math.inf),
                         "ceasefire.horizon_hours", "must be a finite number (no nan or inf)"),
    "no issues at all": (no_issues(), "issues", "declare at least one issue"),
    # two patrons and one combatant: there would be nobody for red to fight
    "one combatant": (
        without(minimal_doc(), "parties", "blue"),
        "parties", "two with role 'combatant'; found patrons east, west and combatants red"),
    "combatant without a patron": (
        without(minimal_doc(), "parties", "red", "patron"),
        "parties.red.patron", "name its patron, one of east or west"),
    "patron with a patron": (with_keys(minimal_doc(), parties__east__patron="west"),
                             "parties.east.patron", "only combatants have a patron"),
    "combatant fighting a patron": (with_keys(minimal_doc(), parties__red__opponent="east"),
                                    "parties.red.opponent", "a combatant: red or blue"),
    "combatant fighting itself": (with_keys(minimal_doc(), parties__red__opponent="red"),
                                  "parties.red.opponent", "a party other than itself"),
    "patron with an opponent": (with_keys(minimal_doc(), parties__east__opponent="red"),
                                "parties.east.opponent", "only armed parties fight"),
    # blame for a spoiler's attacks falls on its host: a negotiator cannot be it
    "spoiler hosted by a patron": (
        with_keys(minimal_doc(), parties__jfs={"role": "spoiler", "host": "east", "opponent": "red"}),
        "parties.jfs.host", "the combatant it is co-located with: red or blue"),
    # its opponent is inferred from its host: a missing host was reported as an opponent
    # that could not be told
    "spoiler without a host": (
        with_keys(minimal_doc(), parties__jfs={"role": "spoiler"}),
        "parties.jfs.host", "missing: a spoiler needs the combatant it is co-located with"),
    "shocks favouring a patron": (
        with_keys(minimal_doc(), negotiation__shocks={"rate_per_day": 0.5, "size": 0.2, "gainer": "east"}),
        "negotiation.shocks.gainer", "a combatant: red or blue"),
    # with two combatants a shock favours one or the other; with three, which?
    "shocks among three combatants without a gainer": (
        with_keys(three_combatants(), negotiation__shocks={"rate_per_day": 0.5}),
        "negotiation.shocks.gainer", "one of red, blue or green (with 3 combatants"),
    "milestone at hour 0": (
        with_keys(minimal_doc(), ceasefire__milestones={**MILESTONES, "zero": 0.0}),
        "ceasefire.milestones.zero", "hours in (0, horizon_hours=240.0]"),
    # sweep.csv's column 7d_high is the upper end of milestone 7d's interval
    "milestone named as another's interval end": (
        with_keys(minimal_doc(), ceasefire__milestones={"7d": 168.0, "7d_high": 10.0}),
        "ceasefire.milestones.7d_high", "a label other than milestone '7d''s with _high added"),
    "no milestones": (with_keys(minimal_doc(), ceasefire__milestones={}),
                      "ceasefire.milestones", "at least one milestone"),
    "observed range beyond 100,000 hours": (
        with_keys(minimal_doc(), observed={"agreed": True, "collapsed": True, "hours_held": 10.0,
                                           "hours_held_range": [5.0, 200_000.0]}),
        "observed.hours_held_range", "within 0..100000"),
    # the pause's own hours are 0..10000; one agreed through an issue was only capped,
    # and a pause of -100 h was agreed and traced
    "a pause agreed through an issue that reaches below 0 hours": (
        with_keys(minimal_doc(), issues__pause_hours={"low": -50.0, "high": 72.0}),
        "issues.pause_hours.low", "at least 0: the issue is the pause length in hours"),
    "observed withdrawal from a deal never agreed": (
        with_keys(minimal_doc(), observed={"agreed": False, "withdrew": "blue"}),
        "observed.withdrew", "it was never agreed (or correct agreed)"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_a_broken_rule_is_refused_at_the_key_to_mend(case):
    doc, path, allowed = REFUSED[case]
    err = refused(doc)
    assert err.path == path
    assert allowed in err.allowed


LOADS = {
    # only a label that is another milestone's name plus _low or _high is refused
    "a milestone ending in _low with no milestone of that name": with_keys(
        minimal_doc(), ceasefire__milestones={**MILESTONES, "x_low": 10.0}),
    "convoys needing calm as long as the whole horizon": with_keys(
        minimal_doc(), ceasefire__convoys={"calm_hours": 240.0}),
    "exactly the most rounds of talks allowed": with_keys(
        minimal_doc(), negotiation={"deadline_hours": 1000.0, "round_interval_hours": 0.001}),
    "a pause agreed through an issue from 0 hours": with_keys(
        minimal_doc(), issues__pause_hours={"low": 0.0, "high": 72.0}),
    "an observed range starting at hour 0": with_keys(
        minimal_doc(), observed={"agreed": True, "collapsed": True, "hours_held": 10.0,
                                "hours_held_range": [0.0, 20.0]}),
}


@pytest.mark.parametrize("case", sorted(LOADS))
def test_a_document_at_the_edge_of_a_rule_loads(case):
    scenario_from_dict(LOADS[case], "case.toml")


def test_the_most_rounds_case_is_exactly_at_the_limit():
    """The case above tests the bound only if its float division really hits it."""
    neg = LOADS["exactly the most rounds of talks allowed"]["negotiation"]
    assert neg["deadline_hours"] / neg["round_interval_hours"] == MAX_ROUNDS


def test_a_missing_required_key_is_not_hidden_by_an_unknown_key_elsewhere():
    """A misspelt required key is both missing and unknown, so the unknown key in the
    same table is reported in its place, with the name it was meant to have. A typo in
    another table is a separate problem. Reporting it alone would hide that ``issues`` is
    missing, and mending it would leave the file still refused: both are told, the key
    the file lacks after those it gives."""
    doc = without(with_keys(minimal_doc(), parties__red__behaviour__complience=0.5), "issues")
    err = refused(doc)
    told = [(e.path, e.allowed) for e in (err, *err.more)]
    assert told[-1] == ("issues", "required key is missing")
    assert told[0][0] == "parties.red.behaviour.complience"


@pytest.mark.parametrize("control", ["\x7f", "\x9f"], ids=["U+007F", "U+009F"])
def test_a_party_name_with_a_c1_control_character_is_refused(control):
    """DEL and the C1 controls (U+0080 to U+009F) are as invisible in a table as NUL or
    ESC, and a terminal may act on them (U+009B starts an escape sequence). The range is
    refused up to its last character, U+009F."""
    name = "x" + control
    err = refused(with_keys(minimal_doc(), **{f"parties__{name}": {"role": "mediator"}}))
    assert err.path == join_key(("parties", name))
    assert err.value == name
    assert "no control characters" in err.allowed



@pytest.mark.parametrize("name", ["\u200b", "\u0301", " \u200d ", "a\u202eb", "x\u2066",
                                  "\u2065", "\U000e0080", "\ue000", "\ufdd0"],
                         ids=["zero-width space", "a lone accent", "zero-width joiner",
                              "right-to-left override", "left-to-right isolate",
                              "a reserved invisible", "an unassigned tag", "private use",
                              "a noncharacter"])
def test_a_name_that_shows_nothing_or_turns_the_text_around_is_refused(name):
    """A zero-width space passed as a party name and printed a blank row under "who
    withdrew"; a right-to-left override reverses the text printed after it."""
    err = refused(with_keys(minimal_doc(), **{f"parties__{name}": {"role": "mediator"}}))
    assert err.path == join_key(("parties", name)) and err.value == name
    assert "a party name with a visible character" in err.allowed


def test_a_title_may_hold_direction_marks_but_not_what_reorders_the_text_after_it():
    """Plain marks (U+200F) fix how mixed Hebrew and Latin text shows; an isolate
    (U+2068) reorders what follows, and the refusal names it."""
    marked = "\u05d7\u05dc\u05d1\u200f (2016)"
    assert scenario_from_dict(with_keys(minimal_doc(), title=marked), "c").spec.title == marked
    err = refused(with_keys(minimal_doc(), title="Talks \u2068x\u2069"))
    assert err.path == "title"
    assert err.allowed == ("one line of text without control characters (new lines, tabs, NUL, "
                           "ESC, or direction embeddings, overrides and isolates)")


@pytest.mark.parametrize("name", ["\u0627\u0644\u0634\u0645\u0627\u0644\u061c",
                                  "\u05d7\u05dc\u05d1\u200f (2016)", "\U0001fae8", "x\u00b2"],
                         ids=["Arabic with its letter mark", "Hebrew with a right-to-left mark",
                              "an emoji newer than Python 3.11's tables", "a superscript"])
def test_names_in_any_script_with_their_direction_marks_load(name):
    """Plain direction marks are what mixed Arabic or Hebrew and Latin text needs to show
    right, and a character this Python does not know yet may well show: neither is
    refused; nor is x² beside x2, which do not look alike."""
    doc = with_keys(minimal_doc(), **{f"issues__{name}": {"low": 0.0, "high": 1.0},
                                      "issues__x2": {"low": 0.0, "high": 1.0}})
    assert name in scenario_from_dict(doc, "case.toml").issues


def test_names_that_look_alike_but_are_written_differently_are_refused():
    """'café' with a precomposed é and with e + a combining accent were two parties,
    printed alike; a name accepted elsewhere in scripts with marks still loads."""
    composed, decomposed = "caf\u00e9", "cafe\u0301"
    doc = with_keys(minimal_doc(), **{f"parties__{composed}": {"role": "mediator"},
                                      f"parties__{decomposed}": {"role": "mediator"}})
    err = refused(doc)
    assert err.path == join_key(("parties", decomposed))
    assert "look alike but are written with different characters" in err.allowed
    hindi = "\u0938\u0940\u0930\u093f\u092f\u093e"  # (a word with vowel signs)
    scenario_from_dict(with_keys(minimal_doc(), **{f"parties__{hindi}": {"role": "mediator"}}),
                       "case.toml")

@pytest.mark.parametrize("where", ["party", "label", "milestone"])
def test_a_name_of_hundreds_of_characters_is_refused_with_its_start_and_length(where):
    """A 300-character issue or party name ran, and garbled the figures (titles and
    legend over each other). Names stop at 64 characters, a party's label at 120; the
    message shows the name's start and its length, not all of it."""
    from sim.printable import MAX_LABEL, MAX_NAME

    long = "x" * 300
    doc = minimal_doc()
    if where == "party":
        doc = with_keys(doc, **{f"parties__{long}": {"role": "mediator"}})
    elif where == "label":
        first = next(iter(doc["parties"]))
        doc = with_keys(doc, **{f"parties__{first}__label": long})
    else:
        doc = with_keys(doc, **{f"ceasefire__milestones__{long}": 1.0})
    err = refused(doc)
    assert err.value == "x" * 60 + "... (300 characters)"
    longest = MAX_LABEL if where == "label" else MAX_NAME
    assert f"at most {longest} characters (this one has 300)" in err.allowed
    assert len(str(err)) < 400
    # at the limit, accepted
    fits = "y" * longest
    if where == "label":
        assert scenario_from_dict(with_keys(minimal_doc(), **{f"parties__{first}__label": fits}), "c")
    elif where == "milestone":
        assert scenario_from_dict(with_keys(minimal_doc(), **{f"ceasefire__milestones__{fits}": 1.0}), "c")


PAUSE = {"hours": 10_000.0}


@pytest.mark.parametrize(
    ("pause", "convoys", "too_many"),
    [
        # (10,000 - 1) / 0.99995 gaps make 10,000.5 departures with the first: one too many
        (PAUSE, {"interval_hours": 0.99995, "calm_hours": 1.0}, True),
        # the last departure must leave calm_hours before the pause ends: 9,990 gaps, 9,991 convoys
        (PAUSE, {"interval_hours": 1.0, "calm_hours": 10.0}, False),
        # max_per_pause caps the count, however short the interval
        ({"hours": 48.0}, {"interval_hours": 0.001, "calm_hours": 1.0, "max_per_pause": 10}, False),
    ],
    ids=["one convoy too many", "last convoy leaves calm_hours early", "capped by max_per_pause"],
)
def test_convoys_in_one_pause_are_counted_as_dispatched(pause, convoys, too_many):
    """A pause dispatches a convoy at its start and one every interval_hours until
    calm_hours before its end: (hours - calm_hours) / interval_hours + 1 of them, unless
    max_per_pause caps them. Past MAX_CONVOYS a replication would run out of time and
    memory, so the file is refused. A pause that stays within it must still load."""
    doc = with_keys(minimal_doc(), ceasefire__pause=pause, ceasefire__convoys=convoys)
    if too_many:
        err = refused(doc)
        assert err.path == "ceasefire.convoys.interval_hours"
        assert f"may dispatch at most {MAX_CONVOYS} convoys" in err.allowed
    else:
        scenario_from_dict(doc, "case.toml")
