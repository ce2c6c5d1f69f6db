"""Terms that take effect while the ceasefire holds (``[ceasefire.later]``): the September
2016 deal's joint targeting, due after seven days of calm.

Each test states what the change must do: nothing before its hour (every draw the same
as without it), the new rates after it, nothing at all in a ceasefire that ended first,
and a clear refusal of terms that could not take effect.
"""

from __future__ import annotations

import math

import pytest
from helpers import ROOT, oracle_doc
from scipy.stats import poisson

import run_sim
from sim.errors import ScenarioError
from sim.model import run_replication
from sim.runner import Runner
from sim.scenario import load_scenario, scenario_from_dict
from sim.stats import wilson

KERRY = ROOT / "scenarios" / "kerry_lavrov_sep_2016.toml"
JIC = "ceasefire.later={after_hours=48, terms={joint_targeting=1.0}}"
"""Joint targeting from hour 48 of the ceasefire (the deal's was from day 7)."""
WHOLLY = "parties.jfs.behaviour.targeting_vulnerability=1.0"
"""Full joint targeting then removes the spoiler's every attack."""


def _start(trace) -> float:
    return next(e.time for e in trace if e.event == "ceasefire")


def test_nothing_before_their_hour_differs_and_the_spoiler_stops_after_it():
    """Before the hour every event is the one the ceasefire without later terms has;
    after it, a spoiler that full joint targeting disarms attacks no more."""
    base = load_scenario(KERRY, [WHOLLY])
    later = load_scenario(KERRY, [WHOLLY, JIC])
    changed = 0
    for i in range(40):
        a = run_replication(later, 2016, i, trace=True).trace or ()
        b = run_replication(base, 2016, i, trace=True).trace or ()
        if not any(e.event == "ceasefire" for e in b):
            continue
        hour = _start(b) + 48.0
        before = [(e.time, e.party, e.event, e.detail) for e in a if e.time < hour]
        assert before == [(e.time, e.party, e.event, e.detail) for e in b if e.time < hour]
        marks = [e for e in a if e.event == "later terms"]
        held = not any(e.event == "withdraws" and e.time < hour for e in b)
        assert len(marks) == held  # marked once, and only in a ceasefire still holding
        if held:
            changed += 1
            assert marks[0].time == pytest.approx(hour)
            assert not [e for e in a if e.party == "jfs" and e.event == "attack" and e.time > hour]
    assert changed >= 5


def test_a_rate_that_starts_at_nothing_begins_at_their_hour():
    """A spoiler disarmed from the start (joint targeting imposed) that later terms
    re-arm attacks only after their hour: its process waits for it."""
    sc = load_scenario(KERRY, [WHOLLY, "ceasefire.imposed.joint_targeting=1.0",
                               "ceasefire.later={after_hours=24, terms={joint_targeting=0.0}}"])
    attacks_after = 0
    for i in range(30):
        trace = run_replication(sc, 7, i, trace=True).trace or ()
        if not any(e.event == "ceasefire" for e in trace):
            continue
        hour = _start(trace) + 24.0
        attacks = [e.time for e in trace if e.party == "jfs" and e.event == "attack"]
        assert all(t >= hour for t in attacks)
        attacks_after += len(attacks)
    assert attacks_after > 10


def test_joint_targeting_after_the_hour_keeps_more_ceasefires_past_it():
    """Paired on the same seeds: the same ceasefires hold to the hour, and more hold
    to 30 days once the spoiler is disarmed."""
    base = load_scenario(KERRY, [WHOLLY])
    later = load_scenario(KERRY, [WHOLLY, JIC])
    with Runner(workers=1) as runner:
        a = runner.run(later, 400, 3).results
        b = runner.run(base, 400, 3).results
    assert (a.held(48.0) == b.held(48.0)).all()
    assert a.held(720.0).sum() > b.held(720.0).sum() + 10
    assert (a.held(720.0) >= b.held(720.0)).mean() > 0.95  # (nearly) replication by replication


def later_oracle(**ceasefire) -> dict:
    """:func:`helpers.oracle_doc` (``blue`` withdraws at its third perceived violation)
    with an ``air_restraint`` issue that both patrons want at 0, so the talks agree on
    0 for both issues and the ceasefire runs with what ``imposed`` and ``later`` set."""
    doc = oracle_doc(4.0, 0.5, 0.1, 0.25)
    doc["issues"]["air_restraint"] = {"low": 0.0, "high": 1.0}
    for party in doc["parties"].values():
        if "positions" in party:
            party["positions"]["air_restraint"] = {"ideal": 0.0}
    doc["ceasefire"].update(ceasefire)
    return doc


def test_rates_change_at_the_hour_so_that_acts_stay_poisson_with_the_settled_mean():
    """Red acts at 4/day times 1 - 0.5 verification (deterrence 0.5) times 1 - 0.75 air
    restraint, settling with a half-life of 48 h to a floor of 0.2; from hour 100 the
    later terms lift the air restraint (the verification imposed stays). Its acts are
    a Poisson process whose rate jumps at the hour, so the ceasefire holds to ``t``
    with probability P(Poisson(mean(t)) <= 2), the mean integrating the rate before
    and after the hour. A wait that crossed the hour drawn at the old rate, or later
    terms applied to the agreed terms rather than to the imposed ones, miss it."""
    half_life, floor, hour = 48.0, 0.2, 100.0
    doc = later_oracle(settling_half_life_hours=half_life, settling_floor=floor,
                       imposed={"verification": 1.0, "air_restraint": 1.0},
                       later={"after_hours": hour, "terms": {"air_restraint": 0.0}},
                       milestones={"48h": 48.0, "5d": 120.0, "7d": 168.0, "10d": 240.0})
    doc["parties"]["red"]["behaviour"]["air_share"] = 0.75
    doc["ceasefire"]["monitoring"]["deterrence"] = 0.5
    sc = scenario_from_dict(doc)
    res = Runner(workers=1).run(sc, 3000, seed=11).results
    assert res.columns["agreed"].all()

    def settled(t: float) -> float:  # the integral of the settling share from 0 to t
        return floor * t + (1 - floor) * half_life / math.log(2) * (1 - 2 ** (-t / half_life))

    before, after = 4.0 / 24 * 0.5 * 0.25, 4.0 / 24 * 0.5
    for hours in sc.spec.ceasefire.milestones.values():
        mean = before * settled(min(hours, hour)) + after * max(
            settled(hours) - settled(hour), 0.0)
        exact = poisson.cdf(2, mean)
        est, low, high = wilson(int(res.held(hours).sum()), len(res), z=3.29)
        assert low <= exact <= high, (hours, exact, (est, low, high))


def test_the_perception_of_acts_follows_the_later_terms():
    """Blue notices nothing by itself (notice 0) and red's acts are seen only by the
    monitors, whom the later terms bring in at hour 100 (verification 1, coverage 1,
    no reassurance nor deterrence): no ceasefire ends before the hour, and after it
    blue withdraws at the third act, which comes as a Poisson process at red's rate."""
    hour = 100.0
    doc = later_oracle(later={"after_hours": hour, "terms": {"verification": 1.0}},
                       milestones={"4d": 96.0, "5d": 120.0, "6d": 144.0, "7d": 168.0})
    doc["ceasefire"]["monitoring"] = {"notice": 0.0, "coverage": 1.0, "deterrence": 0.0,
                                      "reassurance": 0.0}
    sc = scenario_from_dict(doc)
    res = Runner(workers=1).run(sc, 2000, seed=5).results
    assert res.held(hour).all()
    for hours in sc.spec.ceasefire.milestones.values():
        exact = poisson.cdf(2, 4.0 / 24 * max(hours - hour, 0.0))
        est, low, high = wilson(int(res.held(hours).sum()), len(res), z=3.29)
        assert low <= exact <= high, (hours, exact, (est, low, high))


@pytest.mark.parametrize(("setting", "says"), [
    ("ceasefire.later={after_hours=720, terms={joint_targeting=1.0}}",
     "ceasefire.later.after_hours: bad value 720.0; below horizon_hours (720): later terms "
     "would never take effect"),
    ("ceasefire.later={after_hours=48, terms={joint_targetting=1.0}}",
     "ceasefire.later.terms.joint_targetting: unknown issue"),
    ("ceasefire.later={after_hours=48, terms={joint_targeting=1.5}}",
     "ceasefire.later.terms.joint_targeting: bad value 1.5; within the issue's range 0.0..1.0"),
    ("ceasefire.later={after_hours=48, terms={pause_hours=72}}",
     "ceasefire.later.terms.pause_hours: bad value 72.0; an issue other than aid_access and "
     "pause_hours: the pause's convoys leave at the ceasefire's start"),
    ("ceasefire.later={after_hours=48, terms={}}",
     "ceasefire.later.terms: bad value {}; at least one issue and its value"),
    ("ceasefire.later={terms={joint_targeting=1.0}}",
     "ceasefire.later.after_hours: required key is missing"),
    ("ceasefire.later={after_hours=48, terms={joint_targeting=1.0}, verification=1}",
     "ceasefire.later.verification: unknown key (an issue's value goes in its table: "
     "ceasefire.later.terms.verification)"),
])
def test_later_terms_that_could_not_take_effect_are_refused(setting, says, capsys):
    with pytest.raises(ScenarioError):
        load_scenario(KERRY, [setting])
    assert run_sim.main(["run", str(KERRY), "--set", setting, "--runs", "5", "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert says in err and "Traceback" not in err


def test_the_report_and_the_trace_say_when_the_terms_change(capsys):
    assert run_sim.main(["run", str(KERRY), "--set", JIC, "--runs", "20", "--workers", "1",
                         "--no-progress"]) == 0
    assert "From hour 48 of a ceasefire that still holds: joint_targeting=1" in \
        capsys.readouterr().out
    assert run_sim.main(["trace", str(KERRY), "--set", JIC, "--replication", "0"]) == 0
    out = capsys.readouterr().out
    assert "later terms        take effect after 48 h: joint_targeting=1" in out
    assert "From hour 48 of a ceasefire that still holds" in out


def test_later_terms_that_leave_a_rate_as_it_was_leave_its_acts_as_they_were():
    """Joint targeting 'changed' to the value in force changes no rate: every outcome is
    the one without later terms (only the SimPy event of their hour is added). A wait
    crossing the hour used to be drawn anew there, and 40 of 300 replications differed
    after it."""
    import numpy as np

    same = load_scenario(KERRY, ["ceasefire.later={after_hours=48, terms={joint_targeting=0.0}}"])
    with Runner(workers=1) as runner:
        a = runner.run(same, 300, 5).results
        b = runner.run(load_scenario(KERRY), 300, 5).results
    assert [n for n in a.columns if n != "events"
            and not np.array_equal(a.columns[n], b.columns[n], equal_nan=True)] == []


def test_a_rate_that_changes_keeps_its_draws_paired():
    """Past the hour the rest of a wait runs at the new rate, scaled, not drawn anew:
    the same draws, later or sooner. A small change of rate moves the end of a ceasefire
    that held past the hour a little; drawn anew, its course after the hour would be
    another one altogether, as with a large change."""
    import numpy as np

    base = load_scenario(KERRY)
    with Runner(workers=1) as runner:
        b = runner.run(base, 300, 5).results
        held = b.columns["hours_held"] > 48.0

        def shift(value: float) -> float:
            later = f"ceasefire.later={{after_hours=48, terms={{joint_targeting={value}}}}}"
            a = runner.run(load_scenario(KERRY, [later]), 300, 5).results
            return float(np.median(np.abs(a.columns["hours_held"] - b.columns["hours_held"])[held]))

        small, large = shift(0.05), shift(1.0)
    assert held.sum() > 100
    assert small < 5.0 and small < large / 10


def test_later_terms_the_model_cannot_act_on_are_noted(capsys):
    """A comparison of later terms that change nothing shows +0.0 after the hour, which
    would read as a finding: an issue imposed at that value already, or one no
    mechanism reads and no combatant weighs, is noted (not refused: a sweep may pass
    through such a value)."""
    from helpers import oracle_doc

    from sim.reads import later_notes

    imposed = load_scenario(KERRY, ["ceasefire.imposed.joint_targeting=1.0", JIC])
    assert later_notes(imposed) == [
        "note: ceasefire.later.terms.joint_targeting changes nothing: ceasefire.imposed already "
        "holds joint_targeting at 1 for the whole ceasefire"]
    assert later_notes(load_scenario(KERRY, ["ceasefire.imposed.joint_targeting=0.5", JIC])) == []
    assert later_notes(load_scenario(KERRY, [JIC])) == []
    doc = oracle_doc(1.0, 0.9, 0.1, 0.5)
    doc["issues"]["elections"] = {"low": 0.0, "high": 1.0}
    doc["ceasefire"]["later"] = {"after_hours": 10.0, "terms": {"elections": 1.0, "verification": 1.0}}
    unread = later_notes(scenario_from_dict(doc))
    assert unread == ["note: ceasefire.later.terms.elections changes nothing: no mechanism reads "
                      "elections (ceasefire.links) and no combatant weighs it in its compliance "
                      "(no combatant gives it salience)"]
    doc["parties"]["red"]["positions"] = {"elections": {"ideal": 1.0}}
    assert later_notes(scenario_from_dict(doc)) == []  # red's compliance weighs it
    doc["ceasefire"]["terms_effect"] = 0.0  # unless the terms move no compliance at all
    assert later_notes(scenario_from_dict(doc))[0].endswith(
        "(ceasefire.terms_effect is 0, so no combatant's compliance weighs the terms)")
    assert run_sim.main(["validate", str(KERRY)]) == 0
    assert "later.terms" not in capsys.readouterr().err
    assert run_sim.main(["run", str(KERRY), "--set", "ceasefire.imposed.joint_targeting=1.0",
                         "--set", JIC, "--runs", "20", "--workers", "1", "--no-progress"]) == 0
    assert "note: ceasefire.later.terms.joint_targeting changes nothing" in capsys.readouterr().err
