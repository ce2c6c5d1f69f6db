"""Decision rules at the edges of their contracts: a package below a party's no-deal
value gains it nothing, a chance of noticing of 0 means never, and the weightings of
the joint bound trace the frontier of two parties whose saliences differ."""

from __future__ import annotations

import itertools

import pytest

from sim import rules
from sim.rules import Seen


@pytest.mark.parametrize(("utilities", "no_deals"), [
    ((0.2, 0.3), (0.5, 0.6)),        # both below their no-deal values
    ((0.9, 0.3), (0.5, 0.6)),        # one above, one below
    ((0.2, 0.3, 0.9), (0.5, 0.6, 0.1)),
])
def test_a_party_below_its_no_deal_value_makes_the_nash_product_zero(utilities, no_deals):
    """Gains are counted from no agreement and never below 0: a package that leaves a
    party worse off than fighting on scores 0, however the losses would multiply."""
    assert rules.nash_product(utilities, no_deals) == 0.0


def test_the_nash_product_multiplies_the_gains_over_no_agreement():
    assert rules.nash_product((0.9, 0.8), (0.5, 0.6)) == pytest.approx(0.4 * 0.2)
    assert rules.nash_product((0.9, 0.8, 0.7), (0.5, 0.6, 0.2)) == pytest.approx(0.4 * 0.2 * 0.5)


def test_a_victim_with_no_chance_of_noticing_never_notices():
    """Notice 0: no draw makes the victim notice, not even a uniform of exactly 0 (which
    ``random.random`` can return); notice 1: every draw in 0..1 does."""
    common = {"author_is_spoiler": False, "colocation": 0.0, "delineation": 0.0,
              "verification": 0.0, "coverage": 0.0, "u_detect": 0.5, "u_blame": 0.5}
    assert rules.perceive(notice=0.0, u_notice=0.0, **common) is Seen.UNSEEN
    assert rules.perceive(notice=0.0, u_notice=0.5, **common) is Seen.UNSEEN
    assert rules.perceive(notice=1.0, u_notice=0.0, **common) is Seen.OWN
    assert rules.perceive(notice=1.0, u_notice=0.9999999999, **common) is Seen.OWN
    # the same edge for the monitors: coverage x verification 0 verifies nothing
    assert rules.perceive(notice=0.0, u_notice=0.5, **{**common, "u_detect": 0.0}) is Seen.UNSEEN


WEIGHTS = [(0.6, 0.4), (0.2, 0.8)]
"""Two parties whose saliences trade off differently on each issue."""
IDEALS = [(0.0, 0.0), (1.0, 1.0)]


def test_the_frontier_weights_of_two_parties_equalise_their_weighted_saliences():
    """Besides equal weights, one weighting per issue with ``lam_1 w_1k = lam_2 w_2k``:
    for saliences that are not mirror images of each other, which party gets which
    share matters."""
    lams = rules.frontier_weights(WEIGHTS)
    assert len(lams) == 3
    for lam, expected in zip(lams, [(0.25, 0.75), (0.5, 0.5), (2 / 3, 1 / 3)], strict=True):
        assert lam == pytest.approx(expected)
    for lam in lams:
        assert sum(lam) == pytest.approx(1.0)
        if lam != (0.5, 0.5):
            assert any(lam[0] * w1 == pytest.approx(lam[1] * w2) for w1, w2 in zip(*WEIGHTS, strict=True))


def test_the_bound_test_of_two_parties_rules_out_aspirations_no_package_meets():
    """Aspirations of 0.7 each lie beyond the two parties' frontier (no package on a fine
    grid meets both), though equal weights cannot tell (their bound is exactly 0.7):
    one of the frontier weightings must, or the talks would draw up offers in vain."""
    levels = (0.7, 0.7)
    grid = [k / 20 for k in range(21)]
    parties = list(zip(IDEALS, WEIGHTS, levels, strict=True))
    assert not any(all(rules.utility(x, ideal, w) >= level for ideal, w, level in parties)
                   for x in itertools.product(grid, grid))
    assert rules.dot((0.5, 0.5), levels) <= rules.joint_bound((0.5, 0.5), IDEALS, WEIGHTS) + 1e-12
    assert any(rules.dot(lam, levels) > rules.joint_bound(lam, IDEALS, WEIGHTS) + 1e-9
               for lam in rules.frontier_weights(WEIGHTS))
