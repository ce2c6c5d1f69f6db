"""Each decision rule on worked examples (the property suite covers all inputs)."""

from __future__ import annotations

import math

import pytest
from helpers import DEFAULT

from sim import rules
from sim.rules import Seen
from sim.scenario import load_scenario

INF = math.inf


def test_utility_is_one_at_the_ideal_and_falls_with_weighted_distance():
    ideal, weight = (0.2, 0.8), (0.75, 0.25)
    assert rules.utility(ideal, ideal, weight) == 1.0
    assert rules.utility((0.6, 0.8), ideal, weight) == pytest.approx(1 - 0.75 * 0.4)
    assert rules.utility((1.0, 0.0), ideal, (0.0, 0.0)) == 1.0


def test_hard_limits():
    assert rules.within_limits((0.5, 0.5), (0.4, -INF), (INF, 0.6))
    assert not rules.within_limits((0.3, 0.5), (0.4, -INF), (INF, 0.6))
    assert not rules.within_limits((0.5, 0.7), (0.4, -INF), (INF, 0.6))


def test_aspiration_styles():
    # linear: halfway between ideal (1) and no-deal at half time
    assert rules.aspiration(50, 100, 0.4, 1.0) == pytest.approx(0.7)
    assert rules.aspiration(0, 100, 0.4, 0.5) == 1.0
    assert rules.aspiration(100, 100, 0.4, 0.5) == pytest.approx(0.4)
    boulware, conceder = rules.aspiration(50, 100, 0.4, 0.5), rules.aspiration(50, 100, 0.4, 2.0)
    assert boulware > 0.7 > conceder
    assert rules.aspiration(500, 100, 0.4, 2.0) == pytest.approx(0.4)


def test_offer_moves_toward_target_until_aspiration_then_respects_red_lines():
    ideal, weight, target = (0.0, 0.0), (0.5, 0.5), (1.0, 1.0)
    x = rules.offer(ideal, weight, target, 0.75, (-INF, -INF), (INF, INF))
    assert x == pytest.approx((0.25, 0.25))
    assert rules.utility(x, ideal, weight) == pytest.approx(0.75)
    capped = rules.offer(ideal, weight, target, 0.0, (-INF, -INF), (0.6, INF))
    assert capped == pytest.approx((0.6, 1.0))


def test_offer_concedes_from_the_ideal_projected_into_a_client_red_line():
    """A patron whose ideal lies beyond its client's red line starts conceding from the
    red line, and its offer still meets its aspiration exactly."""
    ideal, weight, target = (1.0, 0.0), (0.5, 0.5), (0.0, 1.0)
    box = ((-INF, -INF), (0.5, INF))
    x = rules.offer(ideal, weight, target, 0.6, *box)
    assert x == pytest.approx((0.4, 0.2))
    assert rules.utility(x, ideal, weight) == pytest.approx(0.6)
    assert rules.accepts(x, ideal, weight, *box, 0.6)
    # beyond what the box allows it offers the red line itself
    assert rules.offer(ideal, weight, target, 0.9, *box) == pytest.approx((0.5, 0.0))


def test_accepts_needs_both_aspiration_and_limits():
    ideal, weight = (0.0,), (1.0,)
    assert rules.accepts((0.2,), ideal, weight, (-INF,), (INF,), 0.8)
    assert not rules.accepts((0.3,), ideal, weight, (-INF,), (INF,), 0.8)
    assert not rules.accepts((0.2,), ideal, weight, (-INF,), (0.1,), 0.5)


def test_mediator_text_pulls_toward_its_ideal_on_its_issues_and_fits_the_box():
    offers = [(0.0, 0.0), (1.0, 1.0)]
    text = rules.mediator_text(offers, (1.0, 0.0), (1.0, 0.0), 0.5, (-INF, -INF), (INF, 0.3))
    assert text == pytest.approx((0.75, 0.3))


def test_concession_target_counts_only_the_principals_with_a_position():
    """A principal without a position on an issue has only a placeholder ideal there (0.5):
    it must not pull the others' concessions toward the middle of the range."""
    own = (0.9, 0.9, 0.9, 0.9)
    others = [(0.1, 0.1, 0.5, 0.2), (0.5, 0.3, 0.5, 0.2)]
    stated = [(True, True, False, False), (False, True, False, False)]
    # issue 0: only the first holds a position; issue 1: both; issue 2: no other, so its
    # own ideal; issue 3: nobody at all, so the middle of the range
    assert rules.concession_target(own, (True, True, True, False), others, stated) == \
        pytest.approx((0.1, 0.2, 0.9, 0.5))


def test_a_principal_without_a_position_starts_from_what_the_others_want():
    assert rules.indifferent_start((0.2, 0.5), (True, False), (0.7, 0.1)) == (0.2, 0.1)


def test_mediator_text_averages_only_the_offers_of_principals_with_a_position():
    offers = [(0.0, 0.0), (1.0, 1.0), (0.5, 0.5)]
    counted = [(0, 1), (0, 1, 2)]  # the third holds a position on issue 1 only
    free = ((-INF, -INF), (INF, INF))
    none = (0.0, 0.0)
    assert rules.mediator_text(offers, (0.5, 0.5), none, 0.0, *free, counted) == pytest.approx(
        (0.5, 0.5))
    offers[2] = (0.9, 0.9)
    assert rules.mediator_text(offers, (0.5, 0.5), none, 0.0, *free, counted) == pytest.approx(
        (0.5, (0.0 + 1.0 + 0.9) / 3))
    nobody = [(), ()]  # an issue nobody holds a position on: every offer counts
    assert rules.mediator_text(offers, (0.5, 0.5), none, 0.0, *free, nobody) == pytest.approx(
        ((0.0 + 1.0 + 0.9) / 3,) * 2)


def test_box_intersection_falls_back_where_red_lines_clash():
    lo, hi = rules.box_intersection([((0.6, 0.0), (1.0, 1.0)), ((0.0, 0.2), (0.5, 0.8))],
                                    ((0.6, 0.0), (1.0, 1.0)))
    assert lo == (0.6, 0.2) and hi == (1.0, 0.8)


def test_box_intersection_without_a_fallback_takes_the_gap_between_clashing_limits():
    """Where one side demands at least 0.6 and the other allows at most 0.5, the gap
    0.5..0.6 is left; the box is the same whichever side is listed first."""
    a, b = ((0.6, 0.0), (1.0, 1.0)), ((0.0, 0.2), (0.5, 0.8))
    assert rules.box_intersection([a, b]) == ((0.5, 0.2), (0.6, 0.8))
    assert rules.box_intersection([b, a]) == ((0.5, 0.2), (0.6, 0.8))


def test_ratification():
    args = ((0.5,), (0.5,), (1.0,), (-INF,), (INF,))
    assert rules.ratify_probability(*args, no_deal=1.0, leverage=0.0, noise=0.1) == \
        pytest.approx(0.5)
    assert rules.ratify_probability(*args, no_deal=0.2, leverage=0.0, noise=0.1) > 0.99
    assert rules.ratify_probability((0.5,), (0.5,), (1.0,), (0.6,), (INF,), 0.0, 1.0, 0.1) == 0.0
    low = rules.ratify_probability(*args, no_deal=1.2, leverage=0.0, noise=0.1)
    assert rules.ratify_probability(*args, no_deal=1.2, leverage=0.3, noise=0.1) > low


def test_violation_rates():
    full = rules.violation_rate(24.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0)
    assert full == pytest.approx(1.0)
    assert rules.violation_rate(24.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0) == 0.0
    # units outside command fight on whatever the leadership orders
    assert rules.violation_rate(24.0, 1.0, 0.75, 0.0, 0.0, 0.0, 0.0) == pytest.approx(0.25)
    assert rules.violation_rate(24.0, 0.0, 1.0, 0.5, 1.0, 0.0, 0.0) == pytest.approx(0.5)
    assert rules.violation_rate(24.0, 0.0, 1.0, 0.0, 0.0, 0.4, 1.0) == pytest.approx(0.6)
    assert rules.spoiler_rate(48.0, 0.5, 1.0) == pytest.approx(1.0)
    assert rules.effective_compliance(0.5, 0.8, 0.4, 0.5, 0.0) == pytest.approx(0.7)
    assert rules.effective_compliance(0.5, 0.8, 0.4, 0.5, 0.5) == pytest.approx(0.85)


def test_retaliation_is_the_integral_of_a_grievance_that_halves_every_half_life():
    """The mean of a violation's offspring is the area under its grievance term,
    rho/24 * severity * 2^(-t/h), summed here in steps of 0.01 h over a year."""
    rho, severity, half_life = 24.0, 0.5, 12.0
    step = 0.01
    area = sum(rho / 24.0 * severity * 2.0 ** (-(k + 0.5) * step / half_life) * step
               for k in range(int(8760 / step)))
    assert rules.retaliation_mean(rho, severity, half_life) == pytest.approx(area, rel=1e-6)


@pytest.mark.parametrize(
    ("u", "spoiler", "expected"),
    [
        ((0.1, 0.0, 0.0), False, Seen.VERIFIED),   # monitors see it
        ((0.9, 0.9, 0.0), False, Seen.UNSEEN),     # nobody notices
        ((0.9, 0.1, 0.0), False, Seen.OWN),        # victim notices, author known
        ((0.9, 0.1, 0.1), True, Seen.BLAMED_HOST),  # spoiler attack blamed on host
        ((0.9, 0.1, 0.9), True, Seen.OWN),         # spoiler correctly identified
    ],
)
def test_perception(u, spoiler, expected):
    seen = rules.perceive(author_is_spoiler=spoiler, colocation=0.8, delineation=0.5,
                          verification=0.5, notice=0.5, coverage=0.6,
                          u_detect=u[0], u_notice=u[1], u_blame=u[2])
    assert seen is expected


def test_a_strike_on_the_host_is_always_seen_and_verified_as_often_as_any_act():
    assert rules.perceive_strike(0.0, 1.0, 0.0) is Seen.OWN
    assert rules.perceive_strike(0.5, 0.8, 0.39) is Seen.VERIFIED
    assert rules.perceive_strike(0.5, 0.8, 0.41) is Seen.OWN


def test_blame_and_strike_probabilities():
    assert rules.blame_probability(0.8, 0.5) == pytest.approx(0.4)
    assert rules.strike_hits_host(0.8, 1.0) == 0.0


def test_trust_falls_on_violation_and_recovers_in_calm():
    assert rules.trust_after_violation(0.5, 0.1, 3.0) == pytest.approx(0.2)
    assert rules.trust_after_violation(0.1, 0.1, 3.0) == 0.0
    back = rules.trust_after_calm(0.2, 0.5, math.log(2) / 24, 24.0)
    assert back == pytest.approx(0.35)
    assert rules.withdraws(0.149, 0.15) and not rules.withdraws(0.15, 0.15)


def test_convoy_count():
    assert rules.convoy_count(48.0, 12.0, 6.0, 1.0, 0) == 4
    assert rules.convoy_count(48.0, 12.0, 6.0, 0.5, 0) == 2


def test_convoys_too_many_to_count_are_refused_unless_capped():
    """An interval of the smallest normal float met int(inf) (OverflowError) without a
    cap; capped, the count is the cap."""
    tiny = 2.2250738585072014e-308
    with pytest.raises(ValueError, match="too many to count; set a cap"):
        rules.convoy_count(5.0, tiny, 1.0, 0.0, 0)
    assert rules.convoy_count(5.0, tiny, 1.0, 1.0, 7) == 7
    assert rules.convoy_count(48.0, 12.0, 6.0, 1.0, 3) == 3
    assert rules.convoy_count(4.0, 12.0, 6.0, 1.0, 0) == 0
    # a pause exactly as long as the calm a convoy needs sends one; a cap of 1 is a cap
    assert rules.convoy_count(6.0, 12.0, 6.0, 1.0, 0) == 1
    assert rules.convoy_count(6.5, 12.0, 6.0, 1.0, 0) == 1
    assert rules.convoy_count(48.0, 12.0, 6.0, 1.0, 1) == 1


def test_ratification_is_the_logistic_on_both_sides_of_indifference():
    """``P = 1 / (1 + exp(-z))`` with ``z = (u + leverage - no_deal) / noise``; the two
    branches (computed apart to avoid overflow) meet it on either side."""
    x = ideal = (0.5,)
    args = (x, ideal, (1.0,), (-INF,), (INF,))
    for no_deal, z in ((1.2, -2.0), (0.8, 2.0), (1.0, 0.0), (1.5, -5.0)):
        p = rules.ratify_probability(*args, no_deal=no_deal, leverage=0.0, noise=0.1)
        assert p == pytest.approx(1.0 / (1.0 + math.exp(-z)), rel=1e-9), no_deal
    low = rules.ratify_probability(*args, no_deal=1.2, leverage=0.0, noise=0.1)
    high = rules.ratify_probability(*args, no_deal=0.8, leverage=0.0, noise=0.1)
    assert low + high == pytest.approx(1.0)


def test_dot_and_the_frontier_weights_of_two_parties():
    assert rules.dot((1.0, 2.0, 3.0), (4.0, 5.0, 6.0)) == 32.0
    # two parties: equal weights plus one weighting per issue where their saliences
    # trade off (lam_1 w_1k = lam_2 w_2k); more parties: equal weights alone
    two = rules.frontier_weights([(0.75, 0.25), (0.25, 0.75)])
    assert two == [(0.25, 0.75), (0.5, 0.5), (0.75, 0.25)]
    assert rules.frontier_weights([(1.0, 0.0), (0.0, 1.0), (0.5, 0.5)]) == [(1 / 3,) * 3]


def test_settling_starts_at_one_and_halves_its_excess_every_half_life():
    assert rules.settling(0.0, 24.0, 0.25) == 1.0
    assert rules.settling(24.0, 24.0, 0.25) == pytest.approx(0.25 + 0.75 / 2)
    assert rules.settling(48.0, 24.0, 0.25) == pytest.approx(0.25 + 0.75 / 4)
    assert rules.settling(1e6, 24.0, 0.25) == pytest.approx(0.25)
    assert rules.settling(100.0, None, 0.25) == 1.0


def test_a_pause_read_back_from_the_issue_scale_keeps_its_convoys():
    """102 h on a 0..168 h issue comes back as 101.99999999999999 h; the ninth
    departure (at 96 h, needing 6 h of calm) still fits."""
    sc = load_scenario(DEFAULT)
    k = sc.issues.index("pause_hours")
    pause = sc.denormalise(k, sc.normalise(k, 102.0))
    assert pause < 102.0  # the rounding this test is about
    assert rules.convoy_count(pause, 12.0, 6.0, 1.0, 0) == 9


def test_an_offer_concedes_at_once_what_costs_the_proposer_nothing():
    """Moving toward the target only on issues the proposer gives no weight costs it
    nothing (the path's utility gap is 0): it offers the whole way at any aspiration."""
    for level in (1.0, 0.6, 0.0):
        assert rules.offer((0.0, 0.5), (0.0, 1.0), (1.0, 0.5), level, (-INF, -INF),
                           (INF, INF)) == (1.0, 0.5)
