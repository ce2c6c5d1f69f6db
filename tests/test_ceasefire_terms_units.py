"""What the ceasefire runs with: imposed and later terms given in their issue's own
units, later terms that change the delineation of a spoiler from its host, and the act
limit's verdict on a chain of retaliation exactly at criticality."""

from __future__ import annotations

import math
from typing import Any

import pytest
from helpers import oracle_doc, runaway_doc, with_keys

from sim.ceasefire import Ceasefire
from sim.errors import ScenarioError
from sim.model import run_replication
from sim.scenario import scenario_from_dict
from sim.world import World


def ceasefire(doc: dict[str, Any]) -> Ceasefire:
    """A ceasefire at hour 0 of replication 0 on agreed terms all at the bottom of their
    ranges, with the trace kept."""
    sc = scenario_from_dict(doc)
    world = World(sc, 1, 0, trace=True)
    world.agree((0.0,) * len(sc.issues))
    return Ceasefire(world)


def after_later_terms(cf: Ceasefire, hour: float) -> Ceasefire:
    """``cf`` once its later terms took effect (due at ``hour``)."""
    cf.env.process(cf.change_terms())
    cf.env.run(until=hour + 1.0)
    return cf


def percent_doc(**ceasefire_keys: Any) -> dict[str, Any]:
    """:func:`helpers.oracle_doc` with verification on a 0..100 scale (both patrons
    want 0)."""
    doc = oracle_doc(0.0, 0.9, 0.05, 0.0)
    doc["issues"]["verification"] = {"low": 0.0, "high": 100.0}
    return with_keys(doc, **ceasefire_keys)


def test_imposed_and_later_terms_are_read_in_their_issue_s_units():
    """Verification imposed at 50 on a 0..100 scale is half the mechanism; later terms
    raising it to 100 make it complete."""
    cf = ceasefire(percent_doc(ceasefire__imposed={"verification": 50.0},
                               ceasefire__later={"after_hours": 10.0,
                                                 "terms": {"verification": 100.0}}))
    assert cf.verification == pytest.approx(0.5)
    assert cf.terms == pytest.approx((0.5,))
    assert after_later_terms(cf, 10.0).verification == pytest.approx(1.0)


def spoiler_doc() -> dict[str, Any]:
    """A spoiler ``sp`` fully intermingled with ``red`` attacks ``blue``, which notices
    every act, has no monitors, never strikes back, and withdraws at its first
    perceived violation; a ``delineation`` issue both patrons want at 0, which later
    terms raise to 1 from hour 10."""
    doc = oracle_doc(0.0, 0.5, 0.4, 0.2)
    doc["issues"]["delineation"] = {"low": 0.0, "high": 1.0}
    for party in doc["parties"].values():
        if "positions" in party:
            party["positions"]["delineation"] = {"ideal": 0.0}
    doc["parties"]["sp"] = {"role": "spoiler", "host": "red", "opponent": "blue",
                            "behaviour": {"colocation": 1.0, "attack_rate": 0.0}}
    doc["ceasefire"]["later"] = {"after_hours": 10.0, "terms": {"delineation": 1.0}}
    return doc


def test_later_delineation_stops_a_spoiler_s_attack_being_blamed_on_its_host():
    """Before the later terms, the spoiler's attack is taken for red's and blue
    withdraws over it; once they delineate the two, blue knows the spoiler did it, and
    a spoiler is party to no deal: its attack leaves blue's trust as it was."""
    before = ceasefire(spoiler_doc())
    assert before.delineation == 0.0
    before.commit("sp")
    assert (before.withdrew, before.blamed, before.misattributed) == ("blue", "red", True)

    after = after_later_terms(ceasefire(spoiler_doc()), 10.0)
    assert after.delineation == 1.0
    after.commit("sp")
    assert not after.withdrew and not after.misattributed
    assert after.trust["blue"] == 0.5


def test_later_delineation_keeps_a_strike_on_the_spoiler_off_its_host():
    """Blue always strikes a spoiler it knows attacked it (monitors see every act):
    without delineation the strike lands on the intermingled host red, which withdraws
    over it; after later terms delineate them, it never does."""
    doc = spoiler_doc()
    doc["parties"]["blue"]["behaviour"]["strike_response"] = 1.0
    doc["parties"]["red"]["behaviour"].update(
        {"trust": 0.5, "sensitivity": 0.4, "tolerance": 0.2})
    doc["ceasefire"]["monitoring"] = {"notice": 1.0, "coverage": 1.0, "deterrence": 0.0,
                                      "reassurance": 0.0}
    doc["ceasefire"]["imposed"] = {"verification": 1.0}
    before = ceasefire(doc)
    before.commit("sp")
    assert (before.withdrew, before.delineation_hit) == ("red", True)

    after = after_later_terms(ceasefire(doc), 10.0)
    for _ in range(5):
        after.commit("sp")
    assert not after.withdrew and after.violations["blue"] == 0
    assert after.trust["red"] == 0.5


def test_retaliation_exactly_at_criticality_is_said_to_feed_itself():
    """Each side provokes exactly one act per perceived violation (24 a day for a
    grievance halving every ln 2 hours, every act noticed): a branching ratio of 1 is
    critical, and the act limit's message must blame the spiral, not the limit."""
    doc = runaway_doc(60)
    for name in ("red", "blue"):
        doc["parties"][name]["behaviour"]["retaliation"] = 24.0
    doc["ceasefire"]["retaliation_half_life_hours"] = math.log(2)
    sc = scenario_from_dict(doc)
    with pytest.raises(ScenarioError) as info:
        for i in range(50):
            run_replication(sc, 1, i)
    assert "each act provokes 1.00 more" in info.value.allowed
    assert "so retaliation feeds itself" in info.value.allowed
    assert "does not feed itself" not in info.value.allowed
