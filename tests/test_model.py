"""Each mechanism of the model, seen in whole replications.

Each test switches one mechanism on or off and checks the consequence it must have,
over enough replications that the direction is not noise.
"""

from __future__ import annotations

import math
import pickle

import numpy as np
import pytest
from helpers import DEFAULT, minimal_doc, oracle_doc, runaway_doc, with_keys

from sim.errors import ScenarioError
from sim.model import armed_parties, run_replication
from sim.runner import Runner
from sim.scenario import load_scenario, scenario_from_dict


def results(scenario, runs=300, seed=1):
    return Runner(workers=1).run(scenario, runs, seed).results


def test_replication_is_a_pure_function_of_scenario_seed_and_index():
    sc = load_scenario(DEFAULT)
    a = run_replication(sc, 7, 3)
    b = run_replication(sc, 7, 3)
    assert a == b
    assert run_replication(sc, 7, 4) != a


def test_hard_limits_are_respected_by_every_agreement():
    sc = load_scenario(DEFAULT)
    res = results(sc, 400)
    terms = res.columns["terms"][res.columns["agreed"]]
    assert len(terms) > 0
    for k, issue in enumerate(sc.issues):
        for name, party in sc.spec.parties.items():
            pos = party.positions.get(issue)
            if pos is None or party.role not in ("patron", "combatant"):
                continue
            if pos.min is not None:
                assert (terms[:, k] >= pos.min - 1e-9).all(), (name, issue)
            if pos.max is not None:
                assert (terms[:, k] <= pos.max + 1e-9).all(), (name, issue)


def test_incompatible_red_lines_mean_no_agreement():
    sc = load_scenario(DEFAULT, ["parties.russia.positions.delineation.min=0.9",
                                 "parties.opposition.positions.delineation.max=0.3"])
    res = results(sc, 100)
    assert not res.columns["agreed"].any()
    assert (res.columns["rounds"] == 12).all()  # every round until the 600 h deadline


def renamed(value, old: str, new: str):
    """A document with party ``old`` called ``new``: its table and every reference."""
    if isinstance(value, dict):
        return {(new if k == old else k): renamed(v, old, new) for k, v in value.items()}
    if isinstance(value, list):
        return [renamed(v, old, new) for v in value]
    return new if value == old else value


def test_where_red_lines_clash_the_mediator_s_text_does_not_depend_on_party_names():
    """With clashing red lines the mediator's room fell back to the alphabetically
    first principal's limits: renaming Russia moved the UN's text."""
    from sim.negotiation import _build_table

    sets = ["parties.russia.positions.delineation.min=0.9",
            "parties.opposition.positions.delineation.max=0.3"]
    base = load_scenario(DEFAULT, sets)
    other = scenario_from_dict(renamed(base.raw, "russia", "zz_russia"))
    assert base.principals != other.principals  # the order changed too
    box = _build_table(base).mediator, _build_table(other).mediator
    assert (box[0].lo, box[0].hi) == (box[1].lo, box[1].hi)
    k = base.issues.index("delineation")
    assert (box[0].lo[k], box[0].hi[k]) == pytest.approx((0.3, 0.9))


def test_counts_beyond_the_int16_range_are_recorded():
    """Hourly rounds for 40,000 hours: the round count must not wrap or overflow."""
    sc = load_scenario(DEFAULT, ["parties.russia.positions.delineation.min=0.9",
                                 "parties.opposition.positions.delineation.max=0.3",
                                 "negotiation.round_interval_hours=1.0",
                                 "negotiation.deadline_hours=40000.0"])
    assert results(sc, 1).columns["rounds"].tolist() == [40_000]


def test_a_round_due_on_the_deadline_is_held_whatever_the_rounding():
    """3 x 16.8 h is 50.400000000000006 h in floating point: the third round is still
    held, at the 50.4 h deadline. Without it, the talks lost the round at which
    aspirations reach the no-deal values, and P(agreement) fell from 85% to 28%."""
    sets = ["parties.russia.positions.delineation.min=0.9",
            "parties.opposition.positions.delineation.max=0.3",
            "negotiation.round_interval_hours=16.8", "negotiation.deadline_hours=50.4"]
    assert results(load_scenario(DEFAULT, sets), 3).columns["rounds"].tolist() == [3, 3, 3]
    res = results(load_scenario(DEFAULT, sets[2:]), 100)
    hours = res.columns["agreement_hour"][res.columns["agreed"]]
    assert (hours == 50.4).any() and (hours <= 50.4).all()


def test_agreement_never_after_the_deadline():
    sc = load_scenario(DEFAULT)
    res = results(sc, 300)
    hours = res.columns["agreement_hour"][res.columns["agreed"]]
    assert (hours <= sc.spec.negotiation.deadline_hours).all()


def test_client_refusal_sends_principals_back():
    # a client whose alternative beats any deal refuses; its patron's deal is not ratified
    doc = with_keys(minimal_doc(), parties__red__no_deal=1.0,
                    parties__red__positions={"verification": {"ideal": 0.0}},
                    parties__red__behaviour__ratification_noise=0.01)
    res = results(scenario_from_dict(doc), 50)
    assert not res.columns["agreed"].any()
    assert (res.columns["rejections"] > 1).all()
    base = results(scenario_from_dict(minimal_doc()), 50)
    assert base.columns["agreed"].all() and (base.columns["rejections"] == 0).all()


def test_patron_pressure_makes_ratification_likelier():
    doc = with_keys(minimal_doc(), parties__red__no_deal=0.95,
                    parties__red__positions={"verification": {"ideal": 0.0}},
                    parties__red__behaviour__ratification_noise=0.1)
    weak = results(scenario_from_dict(doc), 300)
    strong = results(scenario_from_dict(with_keys(doc, parties__east__behaviour={"leverage": 0.5})),
                     300)
    assert strong.columns["agreed"].mean() > weak.columns["agreed"].mean() + 0.1


def test_shocks_happen_and_move_the_odds_of_agreement():
    calm = load_scenario(DEFAULT, ["negotiation.shocks.rate_per_day=0"])
    stormy = load_scenario(DEFAULT, ["negotiation.shocks.rate_per_day=1.0",
                                     "negotiation.shocks.gainer_share=1.0",
                                     "negotiation.shocks.size=0.1"])
    a, b = results(calm, 300), results(stormy, 300)
    assert (a.columns["shocks"] == 0).all()
    assert b.columns["shocks"].mean() > 5
    # government gains raise Russia's value of fighting on: fewer deals
    assert b.columns["agreed"].mean() < a.columns["agreed"].mean() - 0.1


def test_retaliation_feeds_violations():
    quiet = load_scenario(DEFAULT, ["parties.regime.behaviour.retaliation=0",
                                    "parties.opposition.behaviour.retaliation=0"])
    angry = load_scenario(DEFAULT, ["parties.regime.behaviour.retaliation=3",
                                    "parties.opposition.behaviour.retaliation=3"])
    a, b = results(quiet, 200), results(angry, 200)
    rate_a = a.columns["violations"].sum() / a.columns["hours_held"].sum()
    rate_b = b.columns["violations"].sum() / b.columns["hours_held"].sum()
    assert rate_b > 1.3 * rate_a


def test_compliance_and_command_control_lower_violations():
    lax = load_scenario(DEFAULT, ["parties.regime.behaviour.compliance=0"])
    firm = load_scenario(DEFAULT, ["parties.regime.behaviour.compliance=1",
                                   "parties.regime.behaviour.command_control=1",
                                   "parties.regime.behaviour.retaliation=0",
                                   "parties.regime.behaviour.strike_response=0",
                                   "ceasefire.terms_effect=0"])
    col = armed_index(lax, "regime")
    a, b = results(lax, 200), results(firm, 200)
    assert b.columns["violations"][:, col].sum() == 0
    assert a.columns["violations"][:, col].sum() > 0


def armed_index(sc, name):
    return [n for n in sc.order if sc.parties[n].role in ("combatant", "spoiler")].index(name)


def test_joint_targeting_degrades_the_spoiler():
    none = load_scenario(DEFAULT, ["ceasefire.imposed.joint_targeting=0.0"])
    full = load_scenario(DEFAULT, ["ceasefire.imposed.joint_targeting=1.0"])
    col = armed_index(none, "jfs")
    a, b = results(none, 200), results(full, 200)
    rate_a = a.columns["violations"][:, col].sum() / a.columns["hours_held"].sum()
    rate_b = b.columns["violations"][:, col].sum() / b.columns["hours_held"].sum()
    assert rate_b < 0.6 * rate_a


def test_imposed_terms_change_the_ceasefire_not_the_talks():
    a = results(load_scenario(DEFAULT, ["ceasefire.imposed.delineation=0.0"]), 200)
    b = results(load_scenario(DEFAULT, ["ceasefire.imposed.delineation=1.0"]), 200)
    np.testing.assert_array_equal(a.columns["agreed"], b.columns["agreed"])
    np.testing.assert_array_equal(a.columns["terms"], b.columns["terms"])
    assert not np.array_equal(a.columns["hours_held"], b.columns["hours_held"])


def test_incomplete_delineation_causes_misattribution_and_host_hits():
    sets = ["parties.jfs.behaviour.attack_rate=20", "parties.jfs.behaviour.colocation=1.0",
            "parties.regime.behaviour.strike_response=1.0"]
    poor = load_scenario(DEFAULT, [*sets, "ceasefire.imposed.delineation=0.0"])
    full = load_scenario(DEFAULT, [*sets, "ceasefire.imposed.delineation=1.0"])
    a, b = results(poor, 300), results(full, 300)
    collapsed_a = a.columns["collapsed"]
    assert (a.columns["misattributed"][collapsed_a] | a.columns["delineation_hit"][collapsed_a]
            ).mean() > 0.1
    assert not b.columns["misattributed"].any()
    assert not b.columns["delineation_hit"].any()


def test_strikes_landing_on_the_host_are_counted_seen_and_verified_like_violations():
    """Only the spoiler attacks; half the regime's strikes on it land on the
    opposition. Each landed strike is a regime violation in the record, and monitors
    verify such strikes as they verify any act."""
    sets = ["parties.regime.behaviour.attack_rate=0", "parties.opposition.behaviour.attack_rate=0",
            "parties.jfs.behaviour.attack_rate=20", "parties.jfs.behaviour.colocation=0.5",
            "parties.regime.behaviour.strike_response=1.0", "ceasefire.imposed.delineation=0.0",
            "ceasefire.monitoring.coverage=1.0", "parties.regime.behaviour.retaliation=0",
            "parties.opposition.behaviour.retaliation=0"]
    for verification, seen in ((0.0, "perceived: own"), (1.0, "perceived: verified")):
        sc = load_scenario(DEFAULT, [*sets, f"ceasefire.imposed.verification={verification}"])
        landed = regime_violations = 0
        for i in range(40):
            out = run_replication(sc, 5, i, trace=True)
            strikes = [e for e in out.trace if e.event == "strike" and "lands on" in e.detail]
            assert all(seen in e.detail for e in strikes)
            landed += len(strikes)
            regime_violations += out.violations[armed_parties(sc).index("regime")]
        assert landed > 0 and regime_violations == landed


def test_convoys_need_calm_and_attacks_on_them_are_grave():
    calm = scenario_from_dict(with_keys(oracle_doc(0.0, 0.5, 0.1, 0.2),
                                        ceasefire__pause={"hours": 48.0}))
    res = results(calm, 20)
    assert (res.columns["convoys_sent"] == 4).all()
    assert (res.columns["convoys_delivered"] == 4).all()
    # the trace numbers them from 1, leaving every interval_hours (12) from the start
    trace = run_replication(calm, 1, 0, trace=True).trace
    assert trace is not None
    start = next(e.time for e in trace if e.event == "ceasefire")
    departures = [(e.time - start, e.detail) for e in trace if e.event == "convoy departs"]
    assert departures == [(12.0 * k, f"convoy {k + 1}") for k in range(4)]
    busy = scenario_from_dict(with_keys(
        oracle_doc(48.0, 0.9, 0.01, 0.05), ceasefire__pause={"hours": 48.0},
        ceasefire__convoys={"attack_probability": 1.0, "grave_severity": 50.0}))
    res = results(busy, 50)
    assert res.columns["convoys_delivered"].sum() < res.columns["convoys_sent"].sum()
    assert res.columns["convoys_attacked"].sum() > 0
    # with severity 50 a single attack on a convoy makes blue withdraw at once
    attacked = res.columns["convoys_attacked"] > 0
    assert res.columns["collapsed"][attacked].all()


def test_trust_recovers_in_calm_so_sparse_violations_are_survived():
    sparse = oracle_doc(0.5, 0.5, 0.1, 0.25)
    no_recovery = results(scenario_from_dict(sparse), 300)
    recovery = results(scenario_from_dict(with_keys(sparse, ceasefire__trust_recovery_per_day=2.0)),
                       300)
    assert recovery.held(720.0).mean() > no_recovery.held(720.0).mean() + 0.2


def test_verification_deters_violations():
    # without retaliation, so that more violations being seen cannot feed more of them
    calm = ["parties.regime.behaviour.retaliation=0", "parties.opposition.behaviour.retaliation=0"]
    lo = load_scenario(DEFAULT, [*calm, "ceasefire.imposed.verification=0.0"])
    hi = load_scenario(DEFAULT, [*calm, "ceasefire.imposed.verification=1.0"])
    col = armed_index(lo, "regime")
    a, b = results(lo, 300), results(hi, 300)
    base_a = a.columns["violations"][:, col].sum() / a.columns["hours_held"].sum()
    base_b = b.columns["violations"][:, col].sum() / b.columns["hours_held"].sum()
    assert base_b < base_a


def test_collapse_is_recorded_consistently():
    res = results(load_scenario(DEFAULT), 300)
    withdrew = np.array(res.names("withdrew"))
    assert ((withdrew != "") == res.columns["collapsed"]).all()
    assert (res.columns["hours_held"] <= 720.0).all()
    assert (res.columns["hours_held"][~res.columns["agreed"]] == 0).all()


def test_self_feeding_retaliation_stops_with_a_scenario_error():
    """A retaliation spiral nobody can leave would never end; past ``max_acts`` the
    replication stops with an error naming the key, the limit and the spiral."""
    sc = scenario_from_dict(runaway_doc(300))
    with pytest.raises(ScenarioError) as info:
        for i in range(20):
            run_replication(sc, 1, i)
    err = info.value
    assert err.path == "ceasefire.max_acts" and err.value == 300
    assert "red 1.44" in err.allowed and "blue 1.44" in err.allowed
    # the same error survives the trip from a worker process to the parent
    again = pickle.loads(pickle.dumps(err))
    assert (again.file, again.path, again.value, again.allowed) == (
        err.file, err.path, err.value, err.allowed)


def test_a_low_act_limit_stops_with_a_scenario_error_from_any_process():
    """The limit can be crossed in an actor's own process, whose exception SimPy copies
    as ``type(e)(*e.args)``, or in a retaliation callback: either way the run stops
    with the scenario error (replication 64 crosses it in an actor), and the message
    does not blame retaliation that is not self-sustaining."""
    sc = load_scenario(DEFAULT, ["ceasefire.max_acts=100"])
    with pytest.raises(ScenarioError) as info:
        run_replication(sc, 2016, 64)
    assert info.value.path == "ceasefire.max_acts"
    assert "does not feed itself" in info.value.allowed and "raise ceasefire.max_acts" in str(
        info.value)
    copy = type(info.value)(*info.value.args)
    assert str(copy) == str(info.value) and copy.allowed == info.value.allowed


@pytest.mark.parametrize(("red", "blue", "notice", "ratio", "verdict"), [
    (1.6, 0.5, 1.0, 0.89, "does not feed itself"),  # one party above 1 is not enough
    (1.44, 1.44, 0.5, 0.72, "does not feed itself"),  # half the acts go unnoticed
    (1.44, 1.44, 1.0, 1.44, "so retaliation feeds itself"),
])
def test_the_act_limit_message_judges_the_chain_of_retaliation(red, blue, notice, ratio,
                                                               verdict):
    """Each side retaliates for the other's acts it perceives: the spiral sustains itself
    when the geometric mean of what each provokes, times the share of acts noticed,
    reaches 1, whatever one party alone provokes."""
    doc = runaway_doc(60)
    for name, mean in (("red", red), ("blue", blue)):  # half-life 12 h
        doc["parties"][name]["behaviour"]["retaliation"] = mean * 24 * math.log(2) / 12
    doc["ceasefire"]["monitoring"]["notice"] = notice
    sc = scenario_from_dict(doc)
    with pytest.raises(ScenarioError) as info:
        for i in range(50):
            run_replication(sc, 1, i)
    assert verdict in info.value.allowed
    assert f"each act provokes {ratio:.2f} more" in info.value.allowed
    assert f"red {red:.2f}" in info.value.allowed and f"blue {blue:.2f}" in info.value.allowed


def test_the_act_limit_changes_nothing_below_it():
    """A replication that stays under the limit is the same whatever the limit."""
    doc = minimal_doc()
    low = scenario_from_dict(with_keys(doc, ceasefire__max_acts=400))
    high = scenario_from_dict(with_keys(doc, ceasefire__max_acts=100_000_000))
    outs = [run_replication(high, 3, i) for i in range(60)]
    assert max(sum(o.violations) for o in outs) <= 400
    assert outs == [run_replication(low, 3, i) for i in range(60)]


def test_the_act_limit_is_exact():
    """A replication of T acts passes with ``max_acts = T`` and stops at ``T - 1``."""
    sc = load_scenario(DEFAULT)
    out = next(o for o in (run_replication(sc, 7, i) for i in range(40))
               if sum(o.violations) > 5)
    acts = sum(out.violations)
    at = load_scenario(DEFAULT, [f"ceasefire.max_acts={acts}"])
    assert run_replication(at, 7, out.replication) == out
    below = load_scenario(DEFAULT, [f"ceasefire.max_acts={acts - 1}"])
    with pytest.raises(ScenarioError):
        run_replication(below, 7, out.replication)


def test_the_mediators_text_stays_inside_everyones_red_lines():
    """The mediator's box is the intersection of every principal's and combatant's red
    lines: Russia's delineation floor, the opposition's ceiling and aid floor, the US
    verification floor (geneva_2016)."""
    from sim import negotiation

    sc = load_scenario(DEFAULT)
    med = negotiation.table(sc).mediator
    assert med is not None
    k = {name: sc.issues.index(name) for name in sc.issues}
    assert (med.lo[k["delineation"]], med.hi[k["delineation"]]) == (0.6, 0.7)
    assert med.lo[k["aid_access"]] == 0.5 and med.lo[k["verification"]] == 0.4


def test_with_three_principals_each_concedes_toward_the_mean_of_the_others():
    from strategies import plain_doc

    from sim import negotiation

    doc = plain_doc(positions={"pa": {"delineation": {"ideal": 0.0}},
                               "pb": {"delineation": {"ideal": 0.9}}})
    doc["parties"]["pc"] = {"role": "patron", "positions": {"delineation": {"ideal": 0.3}}}
    seats = {s.name: s for s in negotiation.table(scenario_from_dict(doc)).seats}
    assert seats["pa"].goal == pytest.approx((0.6,))
    assert seats["pb"].goal == pytest.approx((0.15,))
    assert seats["pc"].goal == pytest.approx((0.45,))


# -- exact choices of the talks --------------------------------------------------------


def _tie_doc(mediator_ideal: float | None = None) -> dict:
    """Two principals at opposite ends of one issue, equally weighted, with no-deal value
    0 and linear concession: at hour 180 of 240 both insist on exactly 0.25, offer 0.75
    and 0.25, and both packages give Nash product 0.75 * 0.25, an exact tie."""
    doc = with_keys(minimal_doc(),
                    parties__east__positions={"verification": {"ideal": 0.0}},
                    parties__west__positions={"verification": {"ideal": 1.0}},
                    parties__east__no_deal=0.0, parties__west__no_deal=0.0)
    if mediator_ideal is not None:
        doc["parties"]["un"] = {"role": "mediator", "no_deal": 0.0, "behaviour": {"leverage": 1.0},
                                "positions": {"verification": {"ideal": mediator_ideal}}}
    return doc


def _choice(doc: dict) -> tuple[str, tuple[float, ...]] | None:
    from sim import negotiation
    from sim.world import World

    world = World(scenario_from_dict(doc), 1, 0, False)
    return negotiation.choose(world, 180.0)


def test_an_exact_tie_between_offers_goes_to_the_smaller_package():
    """Not to whichever principal is listed first: renaming parties must not change the
    deal."""
    assert _choice(_tie_doc()) == ("west", (0.25,))
    renamed = _tie_doc()
    renamed["parties"]["aaa"] = renamed["parties"].pop("west")
    renamed["parties"]["blue"]["patron"] = "aaa"
    assert _choice(renamed) == ("aaa", (0.25,))


def test_the_mediators_text_keeps_an_exact_tie_with_a_principals_offer():
    """A mediator pulled all the way to 0.75 tables east's offer as its text, which ties
    with west's 0.25: the text, listed first, keeps the tie although 0.25 is smaller."""
    assert _choice(_tie_doc(mediator_ideal=0.75)) == ("un", (0.75,))


def test_a_shock_hurts_the_declared_opponent_not_the_first_other_combatant():
    """Three combatants: a's opponent is c. A shock that a gains must lower c's no-deal
    value, not b's (the first other name)."""
    from sim import negotiation

    doc = minimal_doc()
    doc["parties"]["green"] = {"role": "combatant", "patron": "east", "no_deal": 0.1,
                               "opponent": "red"}
    doc["parties"]["red"]["opponent"] = "green"
    doc["parties"]["blue"]["opponent"] = "red"
    sc = scenario_from_dict(doc)
    assert next(c for c in sc.combatants if c != "red") == "blue"
    assert negotiation._side(sc, "red") == "green"
    assert negotiation._side(sc, "blue") == "red"


@pytest.mark.parametrize(("trust", "tolerance", "text"), [
    (0.1504, 0.15, "0.1504 (tolerance 0.15)"),
    (0.1496, 0.15, "0.1496 (tolerance 0.15)"),
    (0.15, 0.15, "0.150 (tolerance 0.15)"),
    (0.62, 0.2, "0.620 (tolerance 0.2)"),
    (0.3, 0.155, "0.300 (tolerance 0.155)"),
    (0.1234569, 0.1234567, "0.1234569 (tolerance 0.1234567)"),  # above, not cut to 0.123457
    (0.15 - 1e-14, 0.15, "0.14999999999999 (tolerance 0.15)"),  # below, by a hair
])
def test_a_trust_near_its_tolerance_is_printed_apart_from_it(trust, tolerance, text):
    """'trust 0.150 (tolerance 0.15)' with no withdrawal after it read as a party at its
    limit that stayed; a tolerance of 0.155 printed as 0.15 (or 0.16)."""
    from sim.world import trust_text

    assert trust_text(trust, tolerance) == text


def test_every_traced_trust_reads_on_the_side_of_its_tolerance_it_lies():
    """In the trace, a party that stays prints a trust above its tolerance, and one that
    withdraws a trust below it, however close the two are."""
    sc = load_scenario("scenarios/kerry_lavrov_sep_2016.toml")
    seen = 0
    for i in range(40):
        for e in run_replication(sc, 2016, i, trace=True).trace or ():
            if e.event != "trust":
                continue
            shown, _, rest = e.detail.partition(" (tolerance ")
            tolerance = sc.spec.parties[e.party].behaviour.tolerance
            assert float(rest.partition(")")[0]) == tolerance
            assert (float(shown) > tolerance) == (e.value > tolerance)
            assert (float(shown) < tolerance) == (e.value < tolerance)
            seen += 1
    assert seen > 100
