"""Closed-form oracle: a single Poisson violation source and a fixed tolerance.

In :func:`helpers.oracle_doc` the ceasefire holds to ``t`` exactly when fewer than
``k`` violations have happened by ``t``; violations are Poisson with rate ``lam``, so
P(hold t) = P(Poisson(lam t) <= k - 1). The simulated estimate must contain the exact
value within its interval at every milestone. The run reports 95% intervals; with
nine checks in this file a 95% level would fail one in three correct runs, so the test
widens each to 99.9% (Wilson, z = 3.29), which keeps the family-wise level near 1%.
"""

from __future__ import annotations

import math

import pytest
from helpers import oracle_doc
from scipy.stats import poisson

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
