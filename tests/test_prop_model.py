"""Laws of whole replications on generated scenarios.

Invariants of agreements and records, metamorphic relations (reordering, renaming,
an idle spoiler), reproducibility across executors, and comparative statics on common
random numbers. Replications are cheap (short horizons, low attack rates), and the
tests that need many of them run few examples.
"""

from __future__ import annotations

import copy
import math
import random
from typing import Any

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from strategies import (
    bounded,
    check_record,
    examples,
    names,
    outcome_key,
    pin_issue,
    plain_doc,
    rename_parties,
    reorder_parties,
    scenario_docs,
    seeds,
    set_all,
    spoiler_name,
    unit,
    without_later,
)

from sim import negotiation, rules
from sim.chunks import run_chunk
from sim.model import armed_parties, run_replication
from sim.records import Outcome, Results
from sim.runner import Runner
from sim.scenario import Scenario, scenario_from_dict
from sim.stats import tango_paired
from sim.world import World

pytestmark = pytest.mark.property

REPS = 12
"""Replications per example for the invariants (each example is a new scenario)."""

WEEK = 168.0
Z99 = 2.5758293035489004
SLACK = 1e-9
"""Relative tolerance for comparing agreed terms (in the issue's own units, after a
round trip through 0..1) with red lines written in the file."""


def replications(sc: Scenario, seed: int, n: int = REPS) -> list[Outcome]:
    return [run_replication(sc, seed, i) for i in range(n)]


def within(value: float, pos: dict[str, Any], width: float) -> bool:
    tol = SLACK * max(1.0, width)
    lo = pos.get("min")
    hi = pos.get("max")
    return (lo is None or value >= lo - tol) and (hi is None or value <= hi + tol)


# ---------------------------------------------------------------------------
# Agreements
# ---------------------------------------------------------------------------


@examples(40)
@given(scenario_docs(), seeds)
def test_agreed_package_respects_every_signatory_red_line(doc, seed):
    """An agreed package breaks no red line of any principal or client.

    Principals negotiate inside their own red lines and, where compatible, their
    clients' (``principal_box``); where a client's red line is incompatible with its
    patron's, the patron may still sign beyond it, but then the client never ratifies
    (probability zero beyond a red line), so no such package is ever *agreed*. Hence
    every agreed package lies within every principal's and every combatant's hard
    limits. Mediators and spoilers sign nothing, and their positions bind nobody.
    Agreed terms also lie within each issue's declared range.
    """
    sc = scenario_from_dict(doc)
    for o in replications(sc, seed):
        if not o.agreed:
            assert all(math.isnan(v) for v in o.terms)
            continue
        for k, issue in enumerate(sc.issues):
            spec = doc["issues"][issue]
            width = spec["high"] - spec["low"]
            assert within(o.terms[k], {"min": spec["low"], "max": spec["high"]}, width)
            for name, party in doc["parties"].items():
                if party["role"] not in ("patron", "combatant"):
                    continue
                pos = party.get("positions", {}).get(issue)
                if pos is not None:
                    assert within(o.terms[k], pos, width), (name, issue, o.terms[k], pos)


@examples(40)
@given(scenario_docs(), seeds)
def test_no_agreement_after_the_deadline(doc, seed):
    """A deal is struck at a round, never after the deadline; rounds are counted."""
    sc = scenario_from_dict(doc)
    neg = doc["negotiation"]
    max_rounds = math.floor(neg["deadline_hours"] / neg["round_interval_hours"] + 1e-9)
    for o in replications(sc, seed):
        assert o.rounds <= max_rounds
        if o.agreed:
            assert 0.0 < o.agreement_hour <= neg["deadline_hours"]
            assert o.agreement_hour == pytest.approx(o.rounds * neg["round_interval_hours"])
            assert o.rejections <= o.rounds - 1
        else:  # every round up to the deadline was held
            assert o.rounds == max_rounds
            assert math.isnan(o.agreement_hour)
            assert o.rejections <= o.rounds


@examples(40)
@given(st.data(), scenario_docs(), seeds)
def test_the_talks_never_miss_an_acceptable_package(data, doc, seed):
    """In any round, whatever the no-deal values shocks have led to, the talks pick a
    package exactly when some package on the table is acceptable to every principal,
    and the pick is one of those. (The talks skip drawing up offers when aspirations
    exceed a bound on what any package can give the principals together: the bound
    must never hide a deal.)"""
    sc = scenario_from_dict(doc)
    world = World(sc, seed, 0, False)
    for n in sc.principals:
        world.no_deal[n] = data.draw(unit, label=f"no_deal[{n}]")
    deadline = sc.spec.negotiation.deadline_hours
    tab = negotiation.table(sc)
    for _ in range(3):
        t = data.draw(bounded(0.0, 1.0), label="t") * deadline
        levels = negotiation.aspirations(world, t)
        acceptable = [
            x for _, x in negotiation.candidates(world, levels)
            if all(
                rules.accepts(x, seat.ideal, seat.weight, seat.lo, seat.hi, level)
                for seat, level in zip(tab.seats, levels, strict=True)
            )
        ]
        pick = negotiation.choose(world, t)
        assert (pick is None) == (not acceptable)
        if pick is not None:
            assert pick[1] in acceptable


# ---------------------------------------------------------------------------
# Records
# ---------------------------------------------------------------------------


# A ceasefire that held throughout, started at a fractional hour, reported
# (start + horizon) - start = 23.999999999999996 hours of a 24-hour horizon.
@example(doc=plain_doc(interval=12.348507109875246, deadline=24.7, horizon=24.0), seed=0)
@examples(60)
@given(scenario_docs(), seeds)
def test_records_are_consistent(doc, seed):
    """Hours held never exceed the horizon; collapsed exactly when someone withdrew;
    no ceasefire without agreement; holding 30 days implies 7 days implies 48 hours;
    a party never withdraws blaming itself."""
    sc = scenario_from_dict(doc)
    for o in replications(sc, seed):
        check_record(o, sc)


@examples(25)
@given(scenario_docs(spoiler=True), seeds, st.booleans())
def test_full_delineation_means_no_misattribution(doc, seed, imposed):
    """With delineation forced to 1, no collapse is ever misattributed or caused by a
    strike on the spoiler landing on its host. Forced either at the table (every
    principal and combatant insists on the top of the issue's range, so that is what
    is agreed) or by ``ceasefire.imposed`` (whatever was agreed)."""
    if imposed:
        forced = without_later(doc, "delineation")
        forced["issues"].setdefault("delineation", {"low": 0.0, "high": 1.0})
        forced["ceasefire"]["imposed"] = {"delineation": forced["issues"]["delineation"]["high"]}
    else:
        forced = pin_issue(doc, "delineation", 1.0)
    sc = scenario_from_dict(forced)
    k = sc.issues.index("delineation")
    for o in replications(sc, seed, 20):
        if o.agreed and not imposed:
            assert o.terms[k] == sc.highs[k]
        assert not o.misattributed
        assert not o.delineation_hit


# ---------------------------------------------------------------------------
# Metamorphic relations
# ---------------------------------------------------------------------------


@examples(30)
@given(scenario_docs(), seeds, st.integers(0, 2**32 - 1))
def test_party_order_in_the_file_changes_nothing(doc, seed, shuffle):
    """Parties act in canonical (sorted) order and draw from streams keyed by name, so
    the order in which the file lists them changes no record at all."""
    order = list(doc["parties"])
    random.Random(shuffle).shuffle(order)
    a = scenario_from_dict(doc)
    b = scenario_from_dict(reorder_parties(doc, order))
    for i in range(REPS):
        assert outcome_key(run_replication(a, seed, i)) == outcome_key(run_replication(b, seed, i))


def two_sample_z(x: np.ndarray, y: np.ndarray) -> float:
    """|difference of proportions| in pooled standard errors (0 when both are constant
    and equal)."""
    n, m = x.size, y.size
    p = (x.sum() + y.sum()) / (n + m)
    se = math.sqrt(p * (1 - p) * (1 / n + 1 / m))
    diff = abs(x.mean() - y.mean())
    if se == 0:
        return 0.0 if diff == 0 else math.inf
    return diff / se


def welch_z(x: np.ndarray, y: np.ndarray) -> float:
    """|difference of means| in standard errors (differences below 1e-9 count as none:
    renaming may change the order of a sum, hence its rounding)."""
    diff = abs(x.mean() - y.mean())
    if diff <= 1e-9:
        return 0.0
    se = math.sqrt(x.var(ddof=1) / x.size + y.var(ddof=1) / y.size)
    return diff / se if se > 0 else math.inf


RENAMING_PIN = plain_doc(
    interval=24.0, deadline=240.0, horizon=240.0,
    shocks={"rate_per_day": 0.5, "size": 0.2},
    positions={"pa": {"delineation": {"ideal": 1.0}}, "pb": {"delineation": {"ideal": 0.0}}},
)
RENAMING_PIN["parties"]["pa"]["no_deal"] = 0.0
RENAMING_PIN["parties"]["pb"]["no_deal"] = 0.5

TIE_PIN = plain_doc(
    interval=36.0, deadline=220.0, horizon=360.0,
    positions={"ca": {"delineation": {"ideal": 0.6}}, "cb": {"delineation": {"ideal": 1.0}}},
)
TIE_PIN["parties"]["pc"] = {"role": "patron", "no_deal": 0.45,
                            "positions": {"delineation": {"ideal": 0.0, "min": 0.0, "salience": 0.0}}}
TIE_PIN["parties"]["cb"]["patron"] = "pc"


# Without a named gainer, shocks used to favour the alphabetically first combatant:
# renaming ``ca`` to ``zz`` moved P(agreement) from 0.94 to 0.71.
@example(doc=RENAMING_PIN, new_names=["pa", "pb", "zz", "cb", "e", "f", "g", "h"], seed=0)
# Principals indifferent between their offers: the first name's offer used to win.
@example(doc=TIE_PIN, new_names=["zz", "pb", "ca", "cb", "a", "f", "g", "h"], seed=0)
@examples(6)
@given(scenario_docs(min_horizon=WEEK), st.lists(names, min_size=8, max_size=8, unique=True), seeds)
def test_renaming_parties_changes_no_probability(doc, new_names, seed):
    """Renaming parties consistently (and every reference to them) leaves P(agreement),
    P(hold 7 days) and the mean agreed terms unchanged up to sampling noise. Draws
    differ (streams are keyed by name) and so may the order in which parties act, so
    records are compared in distribution: two-sample tests at a strict level
    (|diff| < 4.5 standard errors)."""
    old = list(doc["parties"])
    renamed = rename_parties(doc, dict(zip(old, new_names, strict=False)))
    runs = 300
    a = run_chunk(scenario_from_dict(doc), seed, 0, runs)
    b = run_chunk(scenario_from_dict(renamed), seed, 0, runs)
    assert two_sample_z(a.columns["agreed"], b.columns["agreed"]) < 4.5
    assert two_sample_z(a.held(WEEK), b.held(WEEK)) < 4.5
    agreed_a, agreed_b = a.columns["agreed"], b.columns["agreed"]
    if agreed_a.sum() > 1 and agreed_b.sum() > 1:
        for k in range(len(a.issues)):
            assert welch_z(a.columns["terms"][agreed_a, k], b.columns["terms"][agreed_b, k]) < 4.5


@examples(25)
@given(scenario_docs(spoiler=True), seeds)
def test_idle_spoiler_is_no_spoiler(doc, seed):
    """A spoiler that never attacks changes nothing: each replication agrees, holds,
    collapses and ends with the same withdrawal as without it."""
    name = spoiler_name(doc)
    idle = set_all(doc, "spoiler", "attack_rate", 0.0)
    gone = {**doc, "parties": {n: p for n, p in doc["parties"].items() if n != name}}
    a, b = scenario_from_dict(idle), scenario_from_dict(gone)
    for i in range(REPS):
        x, y = run_replication(a, seed, i), run_replication(b, seed, i)
        assert (x.agreed, x.hours_held, x.collapsed, x.withdrew) == (
            y.agreed, y.hours_held, y.collapsed, y.withdrew)
        assert outcome_key(x)[:7] == outcome_key(y)[:7]  # talks identical too


@examples(25)
@given(scenario_docs(spoiler=True), seeds, bounded(0.5, 3.0))
def test_a_spoiler_far_from_its_host_leaves_every_replication_as_it_was(doc, seed, rate):
    """A spoiler with ``colocation`` 0 is never taken for its host and strikes on it never
    land there; with convoys it cannot hit, it reaches no signatory at all. However often
    it attacks, each replication then ends as it does when it never attacks: its acts,
    and its victim's strikes on it, draw from streams of their own, so they shift no
    other party's draws (a shared perception stream shifted them in most replications)."""
    name = spoiler_name(doc)
    doc = copy.deepcopy(doc)
    doc["parties"][name]["behaviour"]["colocation"] = 0.0
    doc["ceasefire"]["convoys"]["attack_probability"] = 0.0
    active = copy.deepcopy(doc)
    active["parties"][name]["behaviour"]["attack_rate"] = rate
    a, b = scenario_from_dict(active), scenario_from_dict(set_all(doc, "spoiler", "attack_rate", 0.0))
    others = [k for k, armed in enumerate(armed_parties(a)) if armed != name]
    for i in range(REPS):
        x, y = run_replication(a, seed, i), run_replication(b, seed, i)
        assert (x.agreed, x.hours_held, x.collapsed, x.withdrew, x.trigger, x.blamed,
                x.misattributed, x.delineation_hit) == (
            y.agreed, y.hours_held, y.collapsed, y.withdrew, y.trigger, y.blamed,
            y.misattributed, y.delineation_hit)
        assert [x.violations[k] for k in others] == [y.violations[k] for k in others]


@examples(25)
@given(scenario_docs(), seeds, st.sampled_from(["aaa_patron", "zzz_patron"]),
       st.sampled_from([0.0, 0.6, 1.0]), st.booleans(), unit)
@example(doc=plain_doc(), seed=7, name="aaa_patron", no_deal=1.0, weighless=False, spread=0.0)
def test_a_patron_that_cares_about_nothing_changes_nothing(doc, seed, name, no_deal, weighless,
                                                           spread):
    """A patron with no client that weighs no issue (no positions, or only positions of
    salience 0) accepts any package and offers nothing of its own: the talks and the
    ceasefire go exactly as without it, whatever its value of no deal. It used to pull
    every concession toward the placeholder ideal 0.5 of the issues it leaves out, and
    a value of no deal of 1 zeroed every Nash product."""
    idle: dict[str, Any] = {"role": "patron", "no_deal": no_deal, "no_deal_spread": spread / 2}
    if weighless:
        idle["positions"] = {issue: {"ideal": spec["high"], "salience": 0.0}
                             for issue, spec in doc["issues"].items()}
    with_it = {**doc, "parties": {**doc["parties"], name: idle}}
    a, b = scenario_from_dict(with_it), scenario_from_dict(doc)
    for i in range(REPS):
        x, y = run_replication(a, seed, i), run_replication(b, seed, i)
        assert outcome_key(x) == outcome_key(y)


# ---------------------------------------------------------------------------
# Reproducibility
# ---------------------------------------------------------------------------


def assert_same_results(a: Results, b: Results) -> None:
    assert (a.issues, a.armed, a.party_names) == (b.issues, b.armed, b.party_names)
    assert set(a.columns) == set(b.columns)
    for name, col in a.columns.items():
        other = b.columns[name]
        assert col.dtype == other.dtype, name
        assert np.array_equal(col, other, equal_nan=col.dtype.kind == "f"), name


@examples(30)
@given(scenario_docs(), seeds)
def test_same_seed_same_records(doc, seed):
    """A replication is a pure function of (scenario, root seed, index)."""
    sc = scenario_from_dict(doc)
    again = scenario_from_dict(doc)
    for i in range(5):
        assert outcome_key(run_replication(sc, seed, i)) == outcome_key(run_replication(again, seed, i))


@examples(3)
@given(scenario_docs(), seeds, st.integers(1, 17), st.integers(1, 40))
def test_results_do_not_depend_on_workers_or_chunks(doc, seed, chunk, runs):
    """The same Results, column for column, in-process or on two worker processes and
    with any chunk size."""
    sc = scenario_from_dict(doc)
    serial = Runner(workers=1, chunk=250).run(sc, runs, seed).results
    with Runner(workers=2, chunk=chunk) as runner:
        parallel = runner.run(sc, runs, seed).results
    chunked = Runner(workers=1, chunk=max(1, chunk // 2)).run(sc, runs, seed).results
    assert_same_results(serial, parallel)
    assert_same_results(serial, chunked)


# ---------------------------------------------------------------------------
# Comparative statics on common random numbers
# ---------------------------------------------------------------------------

STATIC_RUNS = 200


def not_lower(high: Results, low: Results) -> dict[str, float]:
    """Paired difference in P(hold 7 days), ``high - low``, with its 99% interval (the
    paired interval of ``sim.stats`` at z = 2.576; it is not symmetric, so it cannot
    be had by stretching the 95% one)."""
    a, b = high.held(WEEK), low.held(WEEK)
    est, lo, hi = tango_paired(int(np.sum(a & b)), int(np.sum(a & ~b)),
                              int(np.sum(~a & b)), int(np.sum(~a & ~b)), z=Z99)
    return {"estimate": est, "low": lo, "high": hi}


def paired_runs(a: dict[str, Any], b: dict[str, Any], seed: int) -> tuple[Results, Results]:
    return (
        run_chunk(scenario_from_dict(a), seed, 0, STATIC_RUNS),
        run_chunk(scenario_from_dict(b), seed, 0, STATIC_RUNS),
    )


CONFIRM_SEED = 7919
"""Added to a seed to run again a comparison that found a law broken."""


def not_lowered(high_doc: dict[str, Any], low_doc: dict[str, Any], seed: int,
                first: tuple[Results, Results]) -> bool:
    """Whether P(hold 7 days) with ``high_doc`` is not below that with ``low_doc``
    beyond noise (``first``: their paired runs at ``seed``).

    A 99% interval below zero when the true difference is zero happens once in a
    hundred comparisons, and the laws are checked over many generated scenarios, some
    where the change has no effect at all (a spoiler attacking nobody who minds):
    a break is believed only if the runs at a second seed show it too. A real effect
    repeats; a false alarm (found once in a local run) rarely does."""
    if not_lower(*first)["high"] >= 0.0:
        return True
    return not_lower(*paired_runs(high_doc, low_doc, seed + CONFIRM_SEED))["high"] >= 0.0


@examples(5)
@given(scenario_docs(min_horizon=WEEK, spoiler=True), bounded(0.0, 1.0), bounded(0.0, 1.0), seeds)
def test_more_delineation_does_not_lower_the_chance_of_holding(doc, d1, d2, seed):
    """Raising delineation does not lower P(hold 7 days), beyond sampling noise.

    Two mechanisms are held fixed so that delineation acts alone. (1) It is pinned
    (every signatory insists on the value), so the talks run identically and only the
    ceasefire mechanism changes; were it negotiated, a different agreed delineation
    comes with different other terms. (2) Nobody strikes back at the spoiler. The
    model legitimately breaks the wider law when strikes back are possible: with
    heavy co-location (``q = colocation * (1 - delineation) > 1/2``) more delineation
    means more spoiler attacks are correctly attributed, which draws strikes back at
    the spoiler, and each still lands on the host with probability ``q``: the host's
    expected losses ``q (1 - q)`` *rise* as ``q`` falls toward 1/2 (shown by
    test_delineation_can_lower_the_chance_of_holding_when_strikes_go_astray). The
    rule-level law (blame and stray strikes never rise with delineation) is in
    test_prop_rules.py.
    """
    lo, hi = min(d1, d2), max(d1, d2)
    base = set_all(doc, "combatant", "strike_response", 0.0)
    docs = pin_issue(base, "delineation", hi), pin_issue(base, "delineation", lo)
    r_hi, r_lo = paired_runs(*docs, seed)
    assert np.array_equal(r_hi.columns["agreed"], r_lo.columns["agreed"])
    assert not_lowered(*docs, seed, (r_hi, r_lo))


@examples(5)
@given(scenario_docs(min_horizon=WEEK), bounded(0.0, 1.0), bounded(0.0, 1.0), seeds)
def test_more_verification_does_not_lower_the_chance_of_holding(doc, v1, v2, seed):
    """Raising verification does not lower P(hold 7 days), beyond sampling noise,
    when victims notice every act anyway and nobody strikes back at spoilers.

    Verification deters violations (fewer acts), attributes acts correctly (less blame
    on a spoiler's host), absorbs part of a verified act's cost (reassurance), and
    *detects* acts a victim would have missed. The last makes more violations
    perceived, so with ``notice < 1`` the model legitimately lets better verification
    lower trust and the chance of holding (shown by
    test_verification_can_lower_the_chance_of_holding_by_revealing_violations);
    correct attribution of spoiler attacks also draws more strikes back that may land
    on the host (see the delineation test). With ``notice = 1`` and no strikes back
    only the helpful effects remain. Verification is pinned, as above.
    """
    lo, hi = min(v1, v2), max(v1, v2)
    base = set_all(doc, "combatant", "strike_response", 0.0)
    base["ceasefire"]["monitoring"]["notice"] = 1.0
    docs = pin_issue(base, "verification", hi), pin_issue(base, "verification", lo)
    r_hi, r_lo = paired_runs(*docs, seed)
    assert np.array_equal(r_hi.columns["agreed"], r_lo.columns["agreed"])
    assert not_lowered(*docs, seed, (r_hi, r_lo))


@examples(5)
@given(scenario_docs(min_horizon=WEEK, spoiler=True), bounded(0.0, 3.0), bounded(0.0, 3.0), seeds)
def test_more_spoiler_attacks_do_not_raise_the_chance_of_holding(doc, r1, r2, seed):
    """Raising the spoiler's attack rate does not raise P(hold 7 days), beyond noise.
    The talks do not involve the spoiler, so agreement is identical replication by
    replication."""
    lo, hi = min(r1, r2), max(r1, r2)
    docs = set_all(doc, "spoiler", "attack_rate", hi), set_all(doc, "spoiler", "attack_rate", lo)
    r_hi, r_lo = paired_runs(*docs, seed)
    assert np.array_equal(r_hi.columns["agreed"], r_lo.columns["agreed"])
    assert not_lowered(docs[1], docs[0], seed, (r_lo, r_hi))  # fewer attacks, not less calm


# Where the wider laws legitimately fail: one hand-built scenario each, so the
# restrictions above are seen to be needed (these are oracles, not searches).


def test_delineation_can_lower_the_chance_of_holding_when_strikes_go_astray():
    """Only the spoiler acts; its victim ``cb`` shrugs off blame (sensitivity 0) but
    always strikes back at a spoiler it identifies; the host ``ca`` is fragile. With
    no delineation every noticed attack is blamed on ``ca`` and nobody strikes; with
    half delineation half are attributed to the spoiler, and half of the strikes they
    draw land on ``ca``, which withdraws. So more delineation, less calm."""
    doc = plain_doc(horizon=240.0, spoiler={"attack_rate": 2.0, "colocation": 1.0},
                    ceasefire={"monitoring": {"notice": 1.0, "coverage": 0.0}})
    doc["parties"]["ca"]["behaviour"] = {"attack_rate": 0.0, "sensitivity": 0.2, "tolerance": 0.3}
    doc["parties"]["cb"]["behaviour"] = {"attack_rate": 0.0, "sensitivity": 0.0, "strike_response": 1.0}
    for patron in ("pa", "pb"):
        doc["parties"][patron]["behaviour"] = {"sensitivity": 0.0}
    half, none = paired_runs(pin_issue(doc, "delineation", 0.5), pin_issue(doc, "delineation", 0.0), 0)
    assert not_lower(half, none)["high"] < 0.0


def test_verification_can_lower_the_chance_of_holding_by_revealing_violations():
    """Victims notice one violation in ten on their own; monitors at full verification
    see them all and, with no deterrence and no reassurance, each costs the same trust.
    So more verification, more perceived violations, less calm."""
    doc = plain_doc(horizon=240.0, ceasefire={"monitoring": {
        "notice": 0.1, "coverage": 1.0, "deterrence": 0.0, "reassurance": 0.0}})
    for c in ("ca", "cb"):
        doc["parties"][c]["behaviour"] = {"attack_rate": 1.0, "sensitivity": 0.1, "tolerance": 0.3}
    full, none = paired_runs(pin_issue(doc, "verification", 1.0), pin_issue(doc, "verification", 0.0), 0)
    assert not_lower(full, none)["high"] < 0.0
