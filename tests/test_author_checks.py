"""What a scenario author is told before anything runs: the name that is wrong rather
than what it hides, a name right but for case, an issue no one bargains over, and hard
limits that leave no deal."""

from __future__ import annotations

import copy

import pytest
from helpers import minimal_doc, with_keys

from sim.errors import ScenarioError
from sim.reads import deadlock_notes, idle_parties_notes, talks_only_notes, unweighed_notes
from sim.scenario import scenario_from_dict


def refused(doc) -> str:
    with pytest.raises(ScenarioError) as err:
        scenario_from_dict(doc, "case.toml")
    return err.value.message()


def test_a_new_combatant_with_a_patron_not_written_is_told_so_first():
    """A third combatant hides whom the others fight; the patron it names, missing from
    the file, was reported only after every opponent had been mended."""
    doc = with_keys(minimal_doc(), parties__green={"role": "combatant", "patron": "turkey",
                                                   "opponent": "red"})
    message = refused(doc)
    assert "parties.green.patron: bad value 'turkey'" in message
    assert "a party with role patron: east or west" in message


@pytest.mark.parametrize(("keys", "key", "hint"), [
    ({"parties__red__patron": "East"}, "parties.red.patron", "east"),
    ({"parties__red__opponent": "Blue"}, "parties.red.opponent", "blue"),
    ({"negotiation": {"round_interval_hours": 24.0, "deadline_hours": 240.0,
                      "shocks": {"rate_per_day": 1.0, "gainer": "RED"}}},
     "negotiation.shocks.gainer", "red"),
])
def test_a_name_right_but_for_case_says_so(keys, key, hint):
    message = refused(with_keys(minimal_doc(), **keys))
    assert key in message and f"(names are case-sensitive: {hint})" in message


def test_a_wrong_name_that_is_no_case_twin_gets_no_case_hint():
    assert "case-sensitive" not in refused(with_keys(minimal_doc(), parties__red__patron="us"))


def test_an_issue_no_signatory_weighs_is_noted():
    doc = copy.deepcopy(minimal_doc())
    doc["issues"]["prisoners"] = {"low": 0.0, "high": 1.0}
    scenario = scenario_from_dict(doc, "case.toml")
    notes = unweighed_notes(scenario)
    assert notes == ["note: no patron, combatant or mediator gives issues.prisoners salience "
                     "(no position on it above 0): the talks do not bargain over it, so its "
                     "agreed value (terms.prisoners) is where the offers start, not an outcome"]
    assert notes[0] in idle_parties_notes(scenario)  # (what validate and run print)
    weighed = copy.deepcopy(doc)
    weighed["parties"]["red"]["positions"] = {"prisoners": {"ideal": 0.3, "salience": 0.5}}
    assert unweighed_notes(scenario_from_dict(weighed, "case.toml")) == []
    # a mediator that weighs it pulls its text there: the agreed value is an outcome
    doc["parties"]["un"] = {"role": "mediator", "behaviour": {"leverage": 0.5},
                            "positions": {"prisoners": {"ideal": 0.9}}}
    assert unweighed_notes(scenario_from_dict(doc, "case.toml")) == []


def test_an_issue_only_the_talks_read_is_noted_with_the_links_that_would_read_it():
    """The scenario guide's first file bargained over 'monitoring', which the monitors
    never read (they read the issue ceasefire.links.verification names, 'verification'),
    and a sweep of the monitors' coverage gave +0.0 with no word of why. An issue that
    a mechanism reads, or that a combatant's compliance weighs, is not noted."""
    doc = copy.deepcopy(minimal_doc())
    doc["issues"]["monitoring"] = doc["issues"].pop("verification")
    for party in doc["parties"].values():
        if "verification" in party.get("positions", {}):
            party["positions"]["monitoring"] = party["positions"].pop("verification")
    weighers = [n for n, p in doc["parties"].items() if "monitoring" in p.get("positions", {})]
    for name in weighers:  # (the patrons alone weigh it)
        if doc["parties"][name]["role"] == "combatant":
            del doc["parties"][name]["positions"]["monitoring"]
    scenario = scenario_from_dict(doc, "case.toml")
    notes = talks_only_notes(scenario)
    assert notes == ["note: issues.monitoring shapes the talks alone: no ceasefire mechanism "
                     "reads it (ceasefire.links) and no combatant weighs it in its compliance, so "
                     "it changes whether and when a deal is struck, not how the ceasefire runs; to "
                     "make it drive one, name it in ceasefire.links, as its delineation, "
                     "verification, joint_targeting, air_restraint, aid_access or pause_hours "
                     "(verification = \"monitoring\", say)"]
    assert notes[0] in idle_parties_notes(scenario)
    linked = with_keys(doc, ceasefire__links__verification="monitoring")
    assert talks_only_notes(scenario_from_dict(linked, "case.toml")) == []
    complied = with_keys(doc, parties__red__positions={"monitoring": {"ideal": 0.5}})
    assert talks_only_notes(scenario_from_dict(complied, "case.toml")) == []
    assert talks_only_notes(scenario_from_dict(minimal_doc(), "case.toml")) == []


def test_hard_limits_that_leave_no_deal_are_noted_with_the_two_limits():
    doc = with_keys(minimal_doc(), parties__east__positions__verification__max=0.3,
                    parties__blue__positions={"verification": {"ideal": 0.8, "min": 0.5}})
    notes = deadlock_notes(scenario_from_dict(doc, "case.toml"))
    assert notes == ["note: no deal can be struck: on verification, blue's min (0.5) is "
                     "above east's max (0.3), and a deal must lie within the hard limits of "
                     "every patron and combatant, who all sign; P(agreement) will be 0"]
    touching = with_keys(doc, parties__blue__positions__verification__min=0.3)
    assert deadlock_notes(scenario_from_dict(touching, "case.toml")) == []


def test_the_note_is_true_no_run_agrees():
    from sim.runner import Runner

    doc = with_keys(minimal_doc(), parties__east__positions__verification__max=0.3,
                    parties__blue__positions={"verification": {"ideal": 0.8, "min": 0.5}})
    scenario = scenario_from_dict(doc, "case.toml")
    with Runner(workers=1, progress=False) as runner:
        results = runner.run(scenario, 200, 1).results
    assert deadlock_notes(scenario) and results.columns["agreed"].sum() == 0
    assert deadlock_notes(scenario_from_dict(minimal_doc(), "case.toml")) == []


def test_answers_to_what_never_happens_are_noted():
    """A combatant's strike_response when no spoiler attacks it, and a spoiler's
    targeting_vulnerability with no issue driving joint targeting, change nothing."""
    from helpers import DEFAULT

    from sim.reads import unread_answer_notes
    from sim.scenario import load_scenario

    geneva = load_scenario(DEFAULT)
    assert unread_answer_notes(geneva) == []  # (the regime, which JFS attacks, strikes back)
    idle = load_scenario(DEFAULT, ["parties.opposition.behaviour.strike_response=0.9"])
    assert unread_answer_notes(idle) == [
        "note: parties.opposition.behaviour.strike_response changes nothing: no spoiler "
        "attacks opposition (a combatant strikes back only at a spoiler that attacked it)"]
    unlinked = load_scenario(DEFAULT, ["ceasefire.links.joint_targeting=\"verification\""])
    assert unread_answer_notes(unlinked) == []  # (linked to another issue: it is read)
    doc = with_keys(minimal_doc(), parties__jfs={
        "role": "spoiler", "host": "red", "behaviour": {"targeting_vulnerability": 0.6}})
    notes = unread_answer_notes(scenario_from_dict(doc, "case.toml"))
    assert notes == ["note: parties.jfs.behaviour.targeting_vulnerability changes nothing: "
                     "no issue drives joint targeting (ceasefire.links.joint_targeting names "
                     "'joint_targeting', not one of the scenario's issues)"]


def test_validate_checks_a_file_with_values_set(capsys):
    """An author checked a --set value only by running it (or tracing): validate takes
    --set as run does, and says what it checked."""
    from helpers import DEFAULT

    import run_sim

    key = "parties.russia.positions.delineation.min"
    assert run_sim.main(["validate", str(DEFAULT), "--set", f"{key}=0.8"]) == 0
    captured = capsys.readouterr()
    assert f"ok: {DEFAULT} with --set {key}=0.8 (geneva_2016:" in captured.out
    assert "no deal can be struck: on delineation" in captured.err
    assert run_sim.main(["validate", str(DEFAULT), "--set", f"{key}=1.8"]) == 2
    assert f"error: {DEFAULT} with --set: {key}: bad value 1.8" in capsys.readouterr().err
