"""Laws of one replication's record against its own trace: what the summary says
happened (agreement, milestones, the withdrawal, acts, convoys) is what the event log
shows, for generated scenarios, including behaviour at the ends of the schema's ranges
(the generated scenarios otherwise keep behaviour in a comfortable band)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import check_record, examples, outcome_key, scenario_docs, seeds, set_all

from sim import rules
from sim.model import run_replication
from sim.scenario import scenario_from_dict

pytestmark = pytest.mark.property


@examples(60)
@given(scenario_docs(), seeds)
def test_the_record_agrees_with_its_trace(doc, seed):
    """The talks end on a round, within the deadline and the issues' ranges; each
    milestone held is logged; one withdrawal per collapse, by the party recorded, at
    the hour held, below its tolerance; every act counted is logged once; convoys add
    up; events run in time order."""
    sc = scenario_from_dict(doc)
    o = run_replication(sc, seed, 0, trace=True)
    check_record(o, sc)  # (the laws of a record alone; those against its trace follow)
    neg, cf = sc.spec.negotiation, sc.spec.ceasefire
    n_rounds = rules.round_count(neg.round_interval_hours, neg.deadline_hours)
    ev = o.trace
    # talks
    assert o.agreed == (not math.isnan(o.agreement_hour))
    assert 1 <= o.rounds <= n_rounds
    assert 0 <= o.rejections <= o.rounds
    assert o.shocks >= 0
    if o.agreed:
        assert 0 < o.agreement_hour <= neg.deadline_hours
        k = o.rounds
        assert o.agreement_hour == min(k * neg.round_interval_hours, neg.deadline_hours)
        for name, v in zip(sc.issues, o.terms, strict=True):
            spec = sc.spec.issues[name]
            assert spec.low - 1e-9 <= v <= spec.high + 1e-9
    else:
        assert o.rounds == n_rounds and all(math.isnan(v) for v in o.terms)
    # ceasefire against the trace
    for label, hours in cf.milestones.items():
        logged = any(e.event == "milestone" and e.detail == f"{label} held" for e in ev)
        assert logged == o.held(hours), label
    withdrawals = [e for e in ev if e.event == "withdraws"]
    assert len(withdrawals) == int(o.collapsed)
    if o.collapsed:
        w = withdrawals[0]
        assert w.party == o.withdrew
        assert w.time >= o.agreement_hour + cf.start_delay_hours
        assert math.isclose(w.time - (o.agreement_hour + cf.start_delay_hours), o.hours_held,
                            rel_tol=1e-9, abs_tol=1e-6)
        # the withdrawing party's last trust is below its tolerance, every trust is in 0..1
        trust = [e.value for e in ev if e.event == "trust" and e.party == o.withdrew]
        assert trust and trust[-1] < sc.spec.parties[o.withdrew].behaviour.tolerance
        assert all(e.time <= w.time for e in ev if e.event in ("violation", "attack", "strike"))
    for e in ev:
        if e.event == "trust":
            assert 0.0 <= e.value <= 1.0
    # acts: every counted act is logged once
    acts = sum(1 for e in ev if e.event in ("violation", "attack")) + sum(
        1 for e in ev if e.event == "strike" and "lands on" in e.detail)
    assert sum(o.violations) == acts
    assert o.convoys_delivered + o.convoys_attacked <= o.convoys_sent
    # events in time order, nothing after the end of the ceasefire (at the withdrawal or
    # the horizon) or, without agreement, after the last round
    times = [e.time for e in ev]
    assert times == sorted(times)
    if o.agreed:
        end = o.agreement_hour + cf.start_delay_hours + o.hours_held
    else:
        end = min(n_rounds * neg.round_interval_hours, neg.deadline_hours)
    late = [e for e in ev if e.time > end and not math.isclose(e.time, end, rel_tol=1e-9, abs_tol=1e-6)]
    assert not late, f"events after the end at {end} h: {late[:3]}"
    # nobody acts, and no trust changes, once a party has withdrawn (events at the same
    # hour stay in the order they happened)
    if o.collapsed:
        at = next(i for i, e in enumerate(ev) if e.event == "withdraws")
        assert not [e for e in ev[at + 1:] if e.event in AFTER_WITHDRAWAL]


AFTER_WITHDRAWAL = ("violation", "attack", "strike", "convoy attacked", "trust")
"""Trace events of an act, or of its effect on trust, which end with a withdrawal."""


EXTREMES = st.fixed_dictionaries({
    "concession": st.sampled_from([1e-6, 20.0]),
    "ratification_noise": st.sampled_from([1e-6, 10.0]),
    "sensitivity": st.sampled_from([0.0, 1.0]),
    "leverage": st.sampled_from([0.0, 1.0]),
})


@examples(60)
@given(scenario_docs(), seeds, EXTREMES, st.sampled_from([1.0, 100.0]))
def test_records_stay_consistent_at_the_schema_edges(doc, seed, extreme, grave):
    """The strategies keep behaviour in a comfortable band; the schema allows the ends."""
    doc = set_all(doc, "patron", "concession", extreme["concession"])
    doc = set_all(doc, "patron", "leverage", extreme["leverage"])
    doc = set_all(doc, "combatant", "ratification_noise", extreme["ratification_noise"])
    doc = set_all(doc, "combatant", "sensitivity", extreme["sensitivity"])
    doc = set_all(doc, "patron", "sensitivity", extreme["sensitivity"])
    doc["ceasefire"]["convoys"]["grave_severity"] = grave
    sc = scenario_from_dict(doc)
    o = run_replication(sc, seed, 1)
    check_record(o, sc)
    assert outcome_key(o) == outcome_key(run_replication(sc, seed, 1))
