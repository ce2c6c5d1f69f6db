"""Closed-form oracles: a single Poisson violation source and a fixed tolerance, and the
mean number of acts of mutually exciting retaliation.

In :func:`helpers.oracle_doc` the ceasefire holds to ``t`` exactly when fewer than
``k`` violations have happened by ``t``; violations are Poisson with rate ``lam``, so
P(hold t) = P(Poisson(lam t) <= k - 1). The simulated estimate must contain the exact
value within its interval at every milestone. The run reports 95% intervals; with
fifteen such checks in this file a 95% level would fail one in three correct runs, so the test
widens each to 99.9% (Wilson, z = 3.29), which keeps the family-wise level near 1%.
"""

from __future__ import annotations

import math

import pytest
from helpers import oracle_doc
from scipy.stats import poisson

from sim import rules
from sim.model import run_replication
from sim.runner import Runner
from sim.scenario import scenario_from_dict
from sim.stats import summarize, wilson


def violations_to_withdraw(trust: float, sensitivity: float, tolerance: float) -> int:
    """Smallest k with trust - k * sensitivity < tolerance."""
    k = 0
    level = trust
    while not level < tolerance:
        k += 1
        level = max(0.0, level - sensitivity)
    return k


@pytest.mark.parametrize(
    ("rate_per_day", "trust", "sensitivity", "tolerance"),
    [(0.5, 0.5, 0.1, 0.25), (1.0, 0.9, 0.1, 0.35), (0.2, 0.5, 0.15, 0.3)],
)
def test_hold_probability_matches_poisson(rate_per_day, trust, sensitivity, tolerance):
    sc = scenario_from_dict(oracle_doc(rate_per_day, trust, sensitivity, tolerance))
    res = Runner(workers=1).run(sc, 3000, seed=11).results
    assert res.columns["agreed"].all()
    summary = summarize(res, sc, seed=11)
    k = violations_to_withdraw(trust, sensitivity, tolerance)
    lam = rate_per_day / 24.0
    n = len(res)
    for label, hours in sc.spec.ceasefire.milestones.items():
        exact = poisson.cdf(k - 1, lam * hours)
        held = int(res.held(hours).sum())
        est, low, high = wilson(held, n, z=3.29)
        assert summary["p_hold_given_agreement"][label]["estimate"] == est
        assert low <= exact <= high, (label, exact, (est, low, high))


def test_with_settling_violations_are_poisson_with_the_settled_mean():
    """With settling, red's acts are a Poisson process whose rate falls as
    ``floor + (1 - floor) 2^(-t/h)`` of the initial one, so by ``t`` their number is
    Poisson with mean ``lam (floor t + (1 - floor) h / ln 2 (1 - 2^(-t/h)))``."""
    rate_per_day, trust, sensitivity, tolerance = 1.0, 0.5, 0.1, 0.25
    half_life, floor = 48.0, 0.2
    doc = oracle_doc(rate_per_day, trust, sensitivity, tolerance)
    doc["ceasefire"].update(settling_half_life_hours=half_life, settling_floor=floor)
    sc = scenario_from_dict(doc)
    res = Runner(workers=1).run(sc, 3000, seed=11).results
    k = violations_to_withdraw(trust, sensitivity, tolerance)
    lam = rate_per_day / 24.0
    for hours in sc.spec.ceasefire.milestones.values():
        mean = lam * (floor * hours + (1 - floor) * half_life / math.log(2)
                      * (1 - 2 ** (-hours / half_life)))
        exact = poisson.cdf(k - 1, mean)
        est, low, high = wilson(int(res.held(hours).sum()), len(res), z=3.29)
        assert low <= exact <= high, (hours, exact, (est, low, high))
        # without settling the ceasefire would hold far less often
        assert poisson.cdf(k - 1, lam * hours) < low or hours < 24


@pytest.mark.parametrize(("leverage", "no_deal"), [(0.0, 0.0), (0.8, 0.0), (0.8, 0.6)])
def test_restraint_follows_the_patrons_leverage_and_the_clients_stake(leverage, no_deal):
    """Red's leadership controls every unit (command_control 1), so it violates at
    ``rate (1 - c_eff)`` with ``c_eff = 1 - (1 - intent)(1 - leverage)`` and ``intent =
    compliance + terms_effect (u(terms) - no_deal)``: its patron's pressure and the terms'
    worth over fighting on, both. Nobody withdraws, so the count is Poisson."""
    doc = oracle_doc(6.0, 0.5, 0.0, 0.0)
    red = doc["parties"]["red"]
    red["behaviour"].update(command_control=1.0, compliance=0.1)
    red["no_deal"] = no_deal
    doc["parties"]["east"]["behaviour"] = {"leverage": leverage}
    doc["ceasefire"]["terms_effect"] = 0.5
    sc = scenario_from_dict(doc)
    res = Runner(workers=1).run(sc, 1000, seed=11).results
    intent = 0.1 + 0.5 * (1.0 - no_deal)  # red has no positions: every package is worth 1
    mean = 6.0 / 24.0 * (1 - intent) * (1 - leverage) * 720.0
    counts = res.columns["violations"][:, list(res.armed).index("red")]
    assert abs(counts.mean() - mean) < 4 * math.sqrt(mean / len(counts)), (counts.mean(), mean)


def test_a_verified_violation_costs_trust_softened_by_reassurance():
    """Monitors see every act (verification agreed at 1, full coverage), and the mechanism
    absorbs ``reassurance`` of each: blue loses ``sensitivity (1 - reassurance)`` of
    trust an act, so it withdraws after twice as many acts as unmonitored."""
    rate_per_day, trust, sensitivity, tolerance = 1.0, 0.5, 0.1, 0.25
    doc = oracle_doc(rate_per_day, trust, sensitivity, tolerance)
    for patron in ("east", "west"):
        doc["parties"][patron]["positions"] = {"verification": {"ideal": 1.0}}
    doc["ceasefire"]["monitoring"].update(coverage=1.0, reassurance=0.5)
    sc = scenario_from_dict(doc)
    res = Runner(workers=1).run(sc, 3000, seed=11).results
    k = violations_to_withdraw(trust, sensitivity * 0.5, tolerance)
    assert k == 2 * violations_to_withdraw(trust, sensitivity, tolerance)
    for hours in sc.spec.ceasefire.milestones.values():
        exact = poisson.cdf(k - 1, rate_per_day / 24.0 * hours)
        est, low, high = wilson(int(res.held(hours).sum()), len(res), z=3.29)
        assert low <= exact <= high, (hours, exact, (est, low, high))


def test_hold_hours_are_gamma_distributed():
    """Time to the k-th violation is Gamma(k, lam): its mean matches where not censored."""
    rate_per_day, trust, sensitivity, tolerance = 2.0, 0.5, 0.1, 0.25
    sc = scenario_from_dict(oracle_doc(rate_per_day, trust, sensitivity, tolerance))
    res = Runner(workers=1).run(sc, 3000, seed=5).results
    k = violations_to_withdraw(trust, sensitivity, tolerance)
    held = res.columns["hours_held"]
    assert res.columns["collapsed"].all(), "k violations in 30 days at this rate is near-certain"
    mean, sd = k / (rate_per_day / 24.0), math.sqrt(k) / (rate_per_day / 24.0)
    se = sd / math.sqrt(held.size)
    assert abs(held.mean() - mean) < 4 * se


def mean_acts(base_per_hour: float, offspring: float, half_life: float, hours: float) -> float:
    """Expected acts in ``hours`` of a Hawkes process with a constant baseline, mean
    ``offspring`` acts per act and an exponential kernel of this half-life.

    The mean intensity obeys ``L(t) = mu + m beta int_0^t exp(-beta (t - s)) L(s) ds``;
    solved, ``E N(T) = mu T / (1 - m) - mu m (1 - exp(-beta (1 - m) T)) / (beta (1 -
    m)^2)``. Two parties retaliating for each other's acts with the same mean count as
    one such process: each act begets ``m`` acts, whoever commits them."""
    beta = math.log(2) / half_life
    decay = beta * (1 - offspring)
    return (base_per_hour * hours / (1 - offspring)
            - base_per_hour * offspring * (1 - math.exp(-decay * hours)) / (beta * (1 - offspring)
                                                                            ** 2))


@pytest.mark.parametrize(("retaliation_mean", "notice"), [(0.6, 1.0), (0.9, 0.6)])
def test_acts_of_mutual_retaliation_match_the_hawkes_mean(retaliation_mean, notice):
    """``red`` acts at a constant baseline, and each side retaliates for the other's acts
    it notices, nobody ever withdrawing: the mean acts over a 240-hour ceasefire is the
    Hawkes process's, with ``notice`` scaling each act's offspring."""
    half_life, hours, rate_per_day = 12.0, 240.0, 2.0
    doc = oracle_doc(rate_per_day, 0.5, 0.0, 0.0, horizon=hours)
    doc["ceasefire"].update(retaliation_half_life_hours=half_life, milestones={"end": hours})
    doc["ceasefire"]["monitoring"]["notice"] = notice
    per_day = retaliation_mean * 24 * math.log(2) / half_life
    for name in ("red", "blue"):
        doc["parties"][name]["behaviour"].update(retaliation=per_day, sensitivity=0.0)
    sc = scenario_from_dict(doc)
    acts = [sum(run_replication(sc, 7, i).violations) for i in range(1500)]
    offspring = rules.branching_ratio(
        {p: retaliation_mean * rules.expected_felt_severity(0.0, 0.0, notice, 0.0)
         for p in ("red", "blue")}, {"red": "blue", "blue": "red"})
    assert offspring == pytest.approx(retaliation_mean * notice)
    exact = mean_acts(rate_per_day / 24, offspring, half_life, hours)
    mean = sum(acts) / len(acts)
    sd = math.sqrt(sum((a - mean) ** 2 for a in acts) / (len(acts) - 1))
    assert abs(mean - exact) < 4 * sd / math.sqrt(len(acts)), (mean, exact)
