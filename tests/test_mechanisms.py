"""Mechanisms of the ceasefire and the talks, each pinned by a small case whose answer
is known.

Most tests build a :class:`sim.ceasefire.Ceasefire` on a hand-made scenario and drive it
directly (a convoy process, one act by a chosen party), so the expected trust, counts
and records follow from the scenario's numbers alone, whatever the random draws. The
rest run whole replications and check a property of every trace, or run the shock
process of the talks on its own. Nothing here depends on frozen outputs: each test
states the rule it checks.

The base scenario is :func:`helpers.oracle_doc`: ``red`` violates, ``blue`` notices
every act (notice 1, no monitors) and nobody's trust recovers, so an act of severity
``s`` costs ``blue`` exactly ``sensitivity * s`` of trust.
"""

from __future__ import annotations

from typing import Any

import pytest
from helpers import oracle_doc, with_keys

from sim import negotiation, rules
from sim.ceasefire import Ceasefire
from sim.model import run_replication
from sim.records import TraceEvent
from sim.scenario import scenario_from_dict
from sim.world import World

CALM = 6.0
"""Hours of calm a convoy needs to deliver (the schema's default, set explicitly)."""


def quiet_doc(**changes: Any) -> dict[str, Any]:
    """:func:`helpers.oracle_doc` with nobody acting on their own: ``blue`` starts at
    trust 0.9, loses 0.05 per unit of severity and never withdraws (tolerance 0); its
    patron ``west`` starts at 0.8 and loses 0.2 per unit of what it feels."""
    doc = oracle_doc(0.0, 0.9, 0.05, 0.0)
    doc["parties"]["west"]["behaviour"] = {"trust": 0.8, "sensitivity": 0.2}
    doc["ceasefire"]["convoys"] = {"interval_hours": 12.0, "calm_hours": CALM,
                                   "attack_probability": 0.0}
    return with_keys(doc, **changes)


def with_spoiler(doc: dict[str, Any], **behaviour: Any) -> dict[str, Any]:
    """``doc`` with a spoiler ``sp`` fully intermingled with ``red`` and fighting
    ``blue``; it never acts on its own (tests make it act)."""
    doc = with_keys(doc)
    doc["parties"]["sp"] = {"role": "spoiler", "host": "red", "opponent": "blue",
                            "behaviour": {"colocation": 1.0, **behaviour}}
    return doc


def ceasefire(doc: dict[str, Any], terms: tuple[float, ...] | None = None) -> Ceasefire:
    """A ceasefire at hour 0 of replication 0, on ``terms`` (normalised; default all 0),
    with the trace kept."""
    sc = scenario_from_dict(doc)
    world = World(sc, 1, 0, trace=True)
    world.agree(terms if terms is not None else (0.0,) * len(sc.issues))
    return Ceasefire(world)


def events(trace: tuple[TraceEvent, ...] | list[TraceEvent] | None, name: str) -> list[TraceEvent]:
    """The trace's entries of one kind, in time order."""
    assert trace is not None
    return [e for e in trace if e.event == name]


# ---------------------------------------------------------------------------
# Convoys
# ---------------------------------------------------------------------------


def test_a_convoy_on_the_road_when_any_act_happens_is_turned_back():
    """Convoys need calm: a convoy delivers exactly when no act (by anyone, hit or not)
    happened during its ``calm_hours`` on the road. Here no act ever hits a convoy
    (attack probability 0), so only the spoiled calm can turn one back."""
    doc = quiet_doc(parties__red__behaviour__attack_rate=3.0, ceasefire__pause={"hours": 96.0})
    sc = scenario_from_dict(doc)
    outcomes = {"convoy delivers": 0, "convoy turned back": 0}
    for i in range(20):
        out = run_replication(sc, 3, i, trace=True)
        acts = [e.time for e in events(out.trace, "violation")]
        departed = {e.detail: e.time for e in events(out.trace, "convoy departs")}
        assert len(departed) == 8  # every 12 h of the 96 h pause, each needing 6 h of calm
        for name in ("convoy delivers", "convoy turned back"):
            for e in events(out.trace, name):
                number = e.detail.split(":")[0]
                start = departed[number]
                assert e.time == pytest.approx(start + CALM)
                disturbed = any(start <= t <= start + CALM for t in acts)
                assert disturbed == (name == "convoy turned back"), (i, number)
                outcomes[name] += 1
        assert out.convoys_attacked == 0
    assert outcomes["convoy delivers"] > 0 and outcomes["convoy turned back"] > 0


GRAVE = quiet_doc(ceasefire__convoys__attack_probability=1.0,
                  ceasefire__convoys__grave_severity=4.0)
"""Every act hits every convoy on the road, and a hit weighs four ordinary acts."""


def convoy_on_road() -> Ceasefire:
    """A ceasefire of :data:`GRAVE` one hour after convoy 1 left, still on the road."""
    cf = ceasefire(GRAVE)
    cf.env.process(cf.convoys.convoy(1, 0.0, CALM))
    cf.env.run(until=1.0)
    return cf


def test_an_act_that_hits_a_convoy_is_grave():
    """An act that hits a convoy on the road weighs ``grave_severity`` times an ordinary
    one for its victim: blue loses 4 x 0.05 of trust instead of 0.05."""
    cf = convoy_on_road()
    cf.commit("red")
    assert cf.convoys.attacked == 1
    assert cf.trust["blue"] == pytest.approx(0.9 - 4.0 * 0.05)
    # the same act with no convoy on the road costs the ordinary severity
    plain = ceasefire(GRAVE)
    plain.commit("red")
    assert plain.trust["blue"] == pytest.approx(0.9 - 0.05)


def test_a_convoy_is_attacked_at_most_once():
    """A convoy already hit is not hit again: with every act hitting any convoy in
    reach, the second act against the same convoy counts no second attack and is
    an ordinary act (severity 1), not another grave one."""
    cf = convoy_on_road()
    cf.commit("red")
    cf.commit("red")
    assert cf.convoys.attacked == 1
    assert cf.trust["blue"] == pytest.approx(0.9 - 4.0 * 0.05 - 0.05)
    cf.env.run()
    assert cf.convoys.sent == 1 and cf.convoys.delivered == 0
    assert len(events(cf.world.trace, "convoy attacked")) == 1


def test_a_delivered_convoy_leaves_the_road():
    """Once a convoy has delivered it is off the road: later acts can neither spoil nor
    hit it, so an act after its arrival is ordinary and no convoy is attacked."""
    doc = quiet_doc(ceasefire__convoys__attack_probability=1.0,
                    ceasefire__convoys__grave_severity=4.0)
    cf = ceasefire(doc)
    cf.env.process(cf.convoys.convoy(1, 0.0, CALM))
    cf.env.run()
    assert cf.env.now == CALM and cf.convoys.delivered == 1
    assert cf.convoys.on_road == []
    cf.commit("red")
    assert cf.convoys.attacked == 0
    assert cf.trust["blue"] == pytest.approx(0.9 - 0.05)


def test_aid_access_sends_the_nearest_whole_number_of_convoys():
    """A 48-hour pause fits 4 departures (every 12 h, each with 6 h of calm); the agreed
    share of besieged areas reached scales that to the nearest whole convoy: 70% of
    4 is 2.8, so 3 convoys leave, and 60% (2.4) sends 2."""
    for access, expected in ((0.7, 3), (0.6, 2), (1.0, 4)):
        doc = quiet_doc(ceasefire__pause={"hours": 48.0})
        doc["issues"]["aid_access"] = {"low": 0.0, "high": 1.0}
        for patron in ("east", "west"):
            doc["parties"][patron]["positions"]["aid_access"] = {"ideal": access}
        out = run_replication(scenario_from_dict(doc), 1, 0, trace=True)
        assert out.agreed and out.terms[1] == pytest.approx(access)
        assert out.convoys_sent == expected == len(events(out.trace, "convoy departs"))
        assert rules.convoy_count(48.0, 12.0, CALM, access, 0) == expected


def test_a_negotiated_pause_sets_the_pause_length():
    """When the scenario declares the pause as an issue, the ceasefire runs the agreed
    pause, not the fallback ``ceasefire.pause.hours``: an agreed 96-hour pause sends 8
    convoys (every 12 h, each with 6 h of calm) where the 48-hour fallback sends 4."""
    doc = quiet_doc(ceasefire__pause={"hours": 48.0})
    doc["issues"]["pause_hours"] = {"low": 0.0, "high": 240.0}
    for patron in ("east", "west"):
        doc["parties"][patron]["positions"]["pause_hours"] = {"ideal": 96.0}
    out = run_replication(scenario_from_dict(doc), 1, 0, trace=True)
    assert out.agreed and out.terms[1] == pytest.approx(96.0)
    (start,) = events(out.trace, "ceasefire")
    assert start.value == pytest.approx(96.0)
    assert out.convoys_sent == 8 == len(events(out.trace, "convoy departs"))
    # unlinked, the same agreement runs the fallback pause
    fallback = run_replication(scenario_from_dict(
        with_keys(doc, ceasefire__links__pause_hours=None)), 1, 0)
    assert fallback.convoys_sent == 4


# ---------------------------------------------------------------------------
# Perception, trust and withdrawal
# ---------------------------------------------------------------------------


def test_a_patron_feels_patron_share_of_a_violation_against_its_client():
    """A violation against a client also lowers its patron's trust, by the patron's
    sensitivity times ``patron_share`` of the severity; the author's patron feels
    nothing. Here blue loses 0.05, its patron west 0.2 x 0.4 = 0.08."""
    cf = ceasefire(quiet_doc(ceasefire__patron_share=0.4))
    east = cf.trust["east"]
    cf.commit("red")
    assert cf.trust["blue"] == pytest.approx(0.9 - 0.05)
    assert cf.trust["west"] == pytest.approx(0.8 - 0.2 * 0.4)
    assert cf.trust["east"] == east


def test_a_withdrawal_records_who_acted_and_who_was_blamed():
    """A spoiler fully intermingled with red, with no delineation and no monitors, is
    always taken for red: blue withdraws blaming red for the spoiler's act, and the
    record keeps both (trigger: the true author; blamed: red) and calls it
    misattributed. A withdrawal over red's own act is not misattributed."""
    doc = with_spoiler(quiet_doc(parties__blue__behaviour={
        "trust": 0.5, "sensitivity": 0.4, "tolerance": 0.2, "ratification_noise": 0.001}))
    cf = ceasefire(doc)
    cf.commit("sp")
    assert cf.collapse.triggered
    assert (cf.withdrew, cf.trigger, cf.blamed) == ("blue", "sp", "red")
    assert cf.misattributed and not cf.delineation_hit
    (withdrawal,) = events(cf.world.trace, "withdraws")
    assert withdrawal.detail == "blames red; act by sp (misattributed)"
    # its trust fell after the act it blamed on red, which the trace says was sp's
    (fall,) = [e for e in events(cf.world.trace, "trust") if e.party == "blue"]
    assert fall.detail.endswith("after an act blamed on red (truly by sp)")

    own = ceasefire(doc)
    own.commit("red")
    assert (own.withdrew, own.trigger, own.blamed) == ("blue", "red", "red")
    assert not own.misattributed


def strike_doc(reassurance: float) -> dict[str, Any]:
    """Monitors verify every act; blue always strikes a spoiler that attacks it; red,
    the spoiler's host, loses 0.4 of trust per unit of severity and withdraws below 0.2."""
    return with_spoiler(quiet_doc(
        parties__blue__behaviour__strike_response=1.0,
        parties__red__behaviour={"trust": 0.5, "sensitivity": 0.4, "tolerance": 0.2,
                                 "command_control": 0.0, "ratification_noise": 0.001},
        ceasefire__monitoring={"notice": 1.0, "coverage": 1.0, "deterrence": 0.0,
                               "reassurance": reassurance},
    ))


def test_a_strike_on_a_spoiler_that_lands_on_its_host_is_a_delineation_hit():
    """With full verification blue correctly blames the spoiler and strikes back; with
    no delineation the strike lands on the intermingled host red, which takes it as
    blue's violation and withdraws. The record marks the collapse as a delineation hit
    (an ordinary violation's collapse is not one)."""
    doc = strike_doc(reassurance=0.0)
    cf = ceasefire(doc, terms=(1.0,))  # verification 1
    assert cf.verification == 1.0 and cf.delineation == 0.0
    cf.commit("sp")
    assert (cf.withdrew, cf.trigger, cf.blamed) == ("red", "blue", "blue")
    assert cf.delineation_hit and not cf.misattributed
    assert cf.violations == {"blue": 1, "red": 0, "sp": 1}

    ordinary = ceasefire(doc, terms=(1.0,))
    ordinary.commit("blue")
    assert ordinary.withdrew == "red" and not ordinary.delineation_hit


def test_a_verified_strike_on_the_host_is_softened_like_any_verified_act():
    """Reassurance 0.5: the strike that lands on red, verified, costs red half its
    sensitivity of trust (0.4 * 0.5), not all of it, so red stays in."""
    doc = strike_doc(reassurance=0.5)
    cf = ceasefire(doc, terms=(1.0,))
    cf.commit("sp")
    assert cf.violations["blue"] == 1 and not cf.withdrew
    assert cf.trust["red"] == pytest.approx(0.5 - 0.4 * 0.5)


# ---------------------------------------------------------------------------
# Battlefield shocks during the talks
# ---------------------------------------------------------------------------


def shock_doc(**changes: Any) -> dict[str, Any]:
    """Hourly shocks, every one a gain for red, of size 0.01; everyone's no-deal value
    starts at 0.5 so no shift is clipped at 0 or 1."""
    doc = oracle_doc(0.0, 0.9, 0.05, 0.0)
    for party in doc["parties"].values():
        party["no_deal"] = 0.5
    doc["negotiation"]["shocks"] = {"rate_per_day": 24.0, "size": 0.01, "gainer": "red",
                                    "gainer_share": 1.0, "patron_coupling": 0.3}
    return with_keys(doc, **changes)


def shocks_for_20_hours(doc: dict[str, Any]) -> tuple[int, dict[str, float]]:
    """The shocks of the talks' first 20 hours alone (at least one), and how far each
    party's no-deal value moved."""
    world = World(scenario_from_dict(doc), 1, 0, trace=True)
    start = dict(world.no_deal)
    world.env.process(negotiation.shocks(world))
    world.env.run(until=20.0)
    assert world.shocks > 0
    return world.shocks, {name: world.no_deal[name] - start[name] for name in start}


def test_a_shock_moves_a_patron_by_patron_coupling_times_its_client():
    """Each shock moves the winner's no-deal value up by ``size`` and the loser's down,
    and each client's patron by ``patron_coupling`` times its client's change."""
    n, change = shocks_for_20_hours(shock_doc(negotiation__deadline_hours=20.0))
    assert change["red"] == pytest.approx(0.01 * n)
    assert change["blue"] == pytest.approx(-0.01 * n)
    assert change["east"] == pytest.approx(0.3 * change["red"])
    assert change["west"] == pytest.approx(0.3 * change["blue"])


def test_with_three_sides_a_shock_is_between_the_gainer_and_its_opponent():
    """Three combatants each fighting the next (red against blue, blue against green,
    green against red): a shock the gainer loses goes to its opponent, at its own
    expense, and leaves the third side alone, whoever that side's opponent is."""
    doc = shock_doc(negotiation__deadline_hours=20.0, negotiation__shocks__gainer_share=0.0)
    doc["parties"]["green"] = {"role": "combatant", "patron": "east", "no_deal": 0.5,
                               "opponent": "red", "behaviour": {"attack_rate": 0.0}}
    doc["parties"]["red"]["opponent"] = "blue"
    doc["parties"]["blue"]["opponent"] = "green"
    n, change = shocks_for_20_hours(doc)
    change = {name: change[name] for name in ("red", "blue", "green")}
    assert change == pytest.approx({"red": -0.01 * n, "blue": 0.01 * n, "green": 0.0})


def test_shocks_stop_at_the_deadline_on_their_own():
    """Shocks are events of the talks: the shock process ends by the negotiation
    deadline by itself, even when nothing else ends the simulation then."""
    deadline = 20.0
    sc = scenario_from_dict(shock_doc(negotiation__deadline_hours=deadline))
    world = World(sc, 1, 0, trace=True)
    process = world.env.process(negotiation.shocks(world))
    world.env.run(until=10 * deadline)
    assert not process.is_alive
    advances = events(world.trace, "advance")
    assert len(advances) == world.shocks > 0
    assert all(e.time <= deadline for e in advances)


def test_shocks_stop_once_a_deal_is_agreed():
    """Once the talks agree, battlefield shocks stop: no advance after the agreement,
    although the deadline (200 h) is far beyond it and the ceasefire runs on."""
    sc = scenario_from_dict(shock_doc(negotiation__deadline_hours=200.0,
                                      negotiation__round_interval_hours=10.0))
    before = 0
    for i in range(5):
        out = run_replication(sc, 2, i, trace=True)
        assert out.agreed and out.agreement_hour == 10.0
        advances = events(out.trace, "advance")
        assert all(e.time < out.agreement_hour for e in advances)
        assert out.shocks == len(advances)
        before += len(advances)
    assert before > 0
