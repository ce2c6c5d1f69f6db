"""Intervals and the median in :mod:`sim.stats`: published worked examples, invariants
over every 2x2 table, coverage by simulation, and the median read off survival."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from helpers import minimal_doc
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.strategies import DrawFn, composite
from scipy.stats import binomtest

from sim.precision import precision_reached
from sim.records import Outcome, Results
from sim.scenario import Scenario, scenario_from_dict
from sim.stats import (
    Z95,
    compare,
    half_width,
    independent_difference,
    lower_median,
    median_hold,
    milestones,
    newcombe_unpaired,
    paired_difference,
    summarize,
    survival,
    tango_paired,
    wilson,
)

# ---------------------------------------------------------------------------
# Builders
# ---------------------------------------------------------------------------


@composite
def paired_tables(draw: DrawFn, max_cell: int = 2000) -> tuple[int, int, int, int]:
    """Counts ``(n11, n10, n01, n00)`` of a paired 2x2 table with at least one pair.

    Cells are drawn one at a time, the last one raised to 1 if all else is empty
    (built, not filtered)."""
    cells = [draw(st.integers(0, max_cell)) for _ in range(4)]
    if sum(cells) == 0:
        cells[draw(st.integers(0, 3))] = 1
    n11, n10, n01, n00 = cells
    return n11, n10, n01, n00


def arms(n11: int, n10: int, n01: int, n00: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-replication indicators of arms A and B with the given 2x2 table."""
    a = np.array([True] * (n11 + n10) + [False] * (n01 + n00))
    b = np.array([True] * n11 + [False] * n10 + [True] * n01 + [False] * n00)
    return a, b


def wald(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """The normal interval on per-replication differences (what the paired interval was)."""
    d = a.astype(float) - b.astype(float)
    sd = float(d.std(ddof=1)) if d.size > 1 else 0.0
    half = Z95 * sd / math.sqrt(d.size)
    return float(d.mean()) - half, float(d.mean()) + half


# ---------------------------------------------------------------------------
# Paired differences: Tango's score interval, against closed forms and its definition
# ---------------------------------------------------------------------------


def score_statistic(b: int, c: int, n: int, d: float) -> float:
    """Tango's score statistic for ``p1 - p2 = d``, written from the paper's formulas
    (the constrained maximum-likelihood cell, then the standardised difference)."""
    big_a = 2 * n
    big_b = -b - c + (2 * n - b + c) * d
    big_c = -c * d * (1 - d)
    p21 = (math.sqrt(big_b**2 - 4 * big_a * big_c) - big_b) / (2 * big_a)
    return (b - c - n * d) / math.sqrt(n * (2 * p21 + d * (1 - d)))


@pytest.mark.parametrize("n", [1, 60, 1000, 4000, 200_000])
def test_no_discordant_pairs_give_plus_or_minus_z_squared_over_n_plus_z_squared(n):
    """Identical outcomes in every pair (common random numbers, a change that never
    bites) say the difference is small, not that it is exactly zero: in closed form,
    the limits are where ``n d / (1 - d) = z**2``."""
    half = Z95**2 / (n + Z95**2)
    for table in ((n, 0, 0, 0), (0, 0, 0, n), (n // 2, 0, 0, n - n // 2)):
        assert tango_paired(*table) == pytest.approx((0.0, -half, half), rel=1e-12)
        a, b = arms(*table)
        assert wald(a, b) == (0.0, 0.0)  # what the normal interval said


def test_paired_interval_matches_a_published_worked_example():
    """Airway hyper-responsiveness before and after stem cell transplantation (Bentur
    et al., 2009), as analysed by Fagerland, Lydersen & Laake (2017), Statistical
    Analysis of Contingency Tables, chapter 8: Tango's interval -0.517 to -0.026."""
    assert tango_paired(1, 1, 7, 12) == pytest.approx((-6 / 21, -0.5172, -0.0260), abs=5e-5)


def test_limits_near_minus_one_keep_their_precision_at_a_hundred_million_pairs():
    """Computed directly, the limits of a difference near -1 lost about 4% of the
    interval's width to cancellation; the references are 60-digit bisections."""
    est, low, high = tango_paired(0, 1, 99_999_999, 0)
    assert low == pytest.approx(-0.9999999964695, abs=1e-12)
    assert high == pytest.approx(-0.9999998867013, abs=1e-12)
    assert tango_paired(0, 99_999_999, 1, 0) == (-est, -high, -low)


@given(paired_tables())
def test_with_pairs_disagreeing_one_way_a_limit_is_wilsons(table):
    """With no pair succeeding in the second arm alone the upper limit solves
    ``(n d - n10)**2 = z**2 n d (1 - d)``: the Wilson upper limit of ``n10 / n``."""
    n11, n10, _, n00 = table
    n = n11 + n10 + n00
    _, _, upper = wilson(n10, n)
    assert tango_paired(n11, n10, 0, n00)[2] == pytest.approx(upper, abs=1e-12)
    assert tango_paired(n11, 0, n10, n00)[1] == pytest.approx(-upper, abs=1e-12)


@given(paired_tables())
@example((1976, 0, 4, 2020))  # McNemar 4.0: rejected
@example((1976, 0, 3, 2021))  # McNemar 3.0: not
def test_the_interval_excludes_zero_exactly_when_mcnemars_test_rejects(table):
    _, n10, n01, _ = table
    _, low, high = tango_paired(*table)
    if n10 + n01 == 0:
        assert low < 0.0 < high
        return
    mcnemar = (n10 - n01) ** 2 / (n10 + n01)
    if abs(mcnemar - Z95**2) > 1e-9:
        assert (low <= 0.0 <= high) == (mcnemar < Z95**2)


@given(paired_tables())
def test_the_limits_are_where_the_score_test_just_rejects(table):
    _, n10, n01, _ = table
    n = sum(table)
    est, low, high = tango_paired(*table)
    if -1.0 < low < est:
        assert score_statistic(n10, n01, n, low) == pytest.approx(Z95, abs=1e-6)
    if est < high < 1.0:
        assert score_statistic(n10, n01, n, high) == pytest.approx(-Z95, abs=1e-6)


def test_four_discordant_pairs_in_one_direction_get_an_interval_wider_than_normal():
    """The 7-day row of ``compare geneva_2016 --set parties.regime.behaviour.
    tolerance=0.17 --runs 4000``: 1976 held in both arms, 4 only in B, none only in A.

    The normal interval on the differences (-0.198 to -0.002 pp) takes its standard
    error from the same four pairs, and shrinks with them. The score interval is
    wider, reaching up to the Wilson limit of 4 in 4000, and excludes 0 only just, as
    McNemar's test (statistic 4.0 against 3.84) does; an exact McNemar test would
    not (p = 0.125). In simulation of such tables it still covers the true
    difference at least 95% of the time (below)."""
    table = (1976, 0, 4, 2020)
    assert binomtest(0, 4, 0.5).pvalue == pytest.approx(0.125)
    a, b = arms(*table)
    w_low, w_high = wald(a, b)
    d = paired_difference(a, b)
    assert d["estimate"] == pytest.approx(-0.001)
    assert d["high"] - d["low"] > w_high - w_low
    assert d["low"] == pytest.approx(-wilson(4, 4000)[2], abs=1e-12)
    assert -1e-4 < d["high"] < 0.0


# ---------------------------------------------------------------------------
# Paired differences: properties over every table
# ---------------------------------------------------------------------------


@given(paired_tables())
@example((0, 0, 0, 1))
@example((0, 0, 1, 0))  # estimate -1: the interval touches -1
@example((0, 1, 0, 0))
@example((2000, 0, 0, 2000))
@example((1976, 0, 4, 2020))
def test_paired_interval_holds_the_estimate_within_minus_one_to_one(table):
    est, low, high = tango_paired(*table)
    _, n10, n01, _ = table
    assert est == pytest.approx((n10 - n01) / sum(table), abs=1e-15)
    assert -1.0 <= low <= est <= high <= 1.0
    assert low < high


@given(paired_tables())
def test_swapping_the_arms_mirrors_the_interval(table):
    n11, n10, n01, n00 = table
    est, low, high = tango_paired(n11, n10, n01, n00)
    assert tango_paired(n11, n01, n10, n00) == (-est, -high, -low)


@given(paired_tables())
def test_only_the_discordant_pairs_and_their_number_matter(table):
    """How the concordant pairs split between both-succeed and both-fail changes nothing."""
    n11, n10, n01, n00 = table
    assert tango_paired(n11, n10, n01, n00) == tango_paired(n11 + n00, n10, n01, 0)


@given(paired_tables())
def test_paired_difference_of_indicators_is_the_interval_of_their_table(table):
    a, b = arms(*table)
    d = paired_difference(a, b)
    assert (d["estimate"], d["low"], d["high"]) == tango_paired(*table)
    assert d["estimate"] == pytest.approx(float(np.mean(a.astype(int) - b.astype(int))))
    # 0/1 integers are indicators too
    assert paired_difference(a.astype(int), b.astype(np.int8)) == d


def test_no_pairs_say_nothing():
    assert all(math.isnan(v) for v in paired_difference(np.array([]), np.array([])).values())
    est, low, high = tango_paired(0, 0, 0, 0)
    assert math.isnan(est) and (low, high) == (-1.0, 1.0)


def test_values_that_are_not_indicators_keep_the_normal_interval():
    a, b = np.array([1.5, 2.0, 3.5, 4.0]), np.array([1.0, 2.5, 3.0, 3.0])
    d = paired_difference(a, b)
    low, high = wald(a, b)
    assert (d["estimate"], d["low"], d["high"]) == pytest.approx((0.375, low, high))


def test_one_side_of_indicators_is_not_enough_for_the_indicator_interval():
    """Only when both sides are 0/1 is the 2x2 table meaningful; counts on one side
    (mean violations, say) give the normal interval of the differences."""
    a, b = np.array([0, 1, 1]), np.array([2, 3, 0])
    d = paired_difference(a, b)
    low, high = wald(a, b)
    assert (d["estimate"], d["low"], d["high"]) == pytest.approx((-1.0, low, high))


@pytest.mark.parametrize(
    ("counts", "want"),
    [
        # Newcombe (1998), Stat Med 17:873, Table II, method 10: 56/70 - 48/80 and
        # 9/10 - 3/10.
        ((56, 70, 48, 80), (0.2000, 0.0524, 0.3339)),
        ((9, 10, 3, 10), (0.6000, 0.1705, 0.8090)),
    ],
)
def test_unpaired_interval_matches_published_worked_examples(counts, want):
    assert newcombe_unpaired(*counts) == pytest.approx(want, abs=5e-5)
    k1, n1, k2, n2 = counts
    a = np.array([1] * k1 + [0] * (n1 - k1))
    b = np.array([1] * k2 + [0] * (n2 - k2))
    d = independent_difference(a, b)
    assert (d["estimate"], d["low"], d["high"]) == pytest.approx(want, abs=5e-5)


def test_independent_values_get_the_unpooled_normal_interval():
    a, b = np.array([1.0, 2.0, 3.0]), np.array([2.0, 4.0, 6.0])
    d = independent_difference(a, b)
    half = Z95 * math.sqrt(1.0 / 3 + 4.0 / 3)  # sample variances 1 and 4 (ddof=1)
    assert (d["estimate"], d["low"], d["high"]) == pytest.approx((-2.0, -2.0 - half, -2.0 + half))


def test_the_paired_interval_takes_numpy_counts_of_any_size():
    """Counts of a large run, as numpy integers, give the interval of the same Python
    integers, and limits that still bracket the estimate at 10^8 pairs."""
    big = [np.int64(100_000_000 - 3000), np.int64(1_000), np.int64(2_000), np.int64(0)]
    est, low, high = tango_paired(*big)
    assert est == pytest.approx(-1e-5) and low < est < high
    assert (est, low, high) == tango_paired(*(int(v) for v in big))


# ---------------------------------------------------------------------------
# Paired differences: coverage by simulation
# ---------------------------------------------------------------------------

COVERAGE_SAMPLES = 2000
COVERAGE_PAIRS = 200


@pytest.mark.parametrize(
    ("joint", "seed"),
    [
        # P(both), P(only A), P(only B), P(neither): moderate correlation
        ((0.40, 0.10, 0.05, 0.45), 20160909),
        # common-random-number-like: strongly correlated, about 6 discordant pairs
        ((0.45, 0.02, 0.01, 0.52), 20160912),
    ],
)
def test_paired_interval_covers_the_true_difference_95_percent_of_the_time(joint, seed):
    """2000 paired samples of 200 pairs from a known joint distribution: the share of
    95% intervals holding the true difference is within 0.93..0.97 (the binomial
    sampling error of the share is 0.005, so the band is about four standard errors)."""
    rng = np.random.default_rng(seed)
    truth = joint[1] - joint[2]
    cells = rng.choice(4, size=(COVERAGE_SAMPLES, COVERAGE_PAIRS), p=joint)
    a_all = (cells == 0) | (cells == 1)
    b_all = (cells == 0) | (cells == 2)
    covered = 0
    for a, b in zip(a_all, b_all, strict=True):
        d = paired_difference(a, b)
        covered += d["low"] <= truth <= d["high"]
    coverage = covered / COVERAGE_SAMPLES
    assert 0.93 <= coverage <= 0.97, coverage


def test_paired_interval_covers_when_few_pairs_disagree_all_one_way():
    """What a counterfactual that bites rarely gives: 1% of 200 pairs succeed in A
    alone and none in B alone (about 2 discordant pairs). Newcombe's hybrid interval,
    used before, covered the true difference 88% of the time here; this one must
    cover at least 93% (being discrete, it covers more than 95% here)."""
    rng = np.random.default_rng(20160913)
    joint = (0.50, 0.01, 0.0, 0.49)
    tables = rng.multinomial(COVERAGE_PAIRS, joint, size=COVERAGE_SAMPLES)
    covered = sum(low <= joint[1] - joint[2] <= high
                  for _, low, high in (tango_paired(*t) for t in tables))
    assert covered / COVERAGE_SAMPLES >= 0.93, covered / COVERAGE_SAMPLES


# ---------------------------------------------------------------------------
# Median hours held
# ---------------------------------------------------------------------------

HORIZON = 240.0


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    """The minimal scenario: horizon 240 h."""
    sc = scenario_from_dict(minimal_doc())
    assert sc.spec.ceasefire.horizon_hours == HORIZON
    return sc


def outcome(i: int, *, agreed: bool = True, collapse_at: float | None = None) -> Outcome:
    """One replication: agreed and holding to the horizon unless it collapses."""
    collapsed = agreed and collapse_at is not None
    return Outcome(
        replication=i, agreed=agreed, agreement_hour=24.0 if agreed else math.nan, rounds=1,
        rejections=0, shocks=0, terms=(0.5,) if agreed else (math.nan,),
        hours_held=(collapse_at if collapsed else HORIZON) if agreed else 0.0,
        collapsed=collapsed, withdrew="red" if collapsed else "", trigger="blue" if collapsed else "",
        blamed="blue" if collapsed else "", misattributed=False, delineation_hit=False,
        violations=(0, 0), convoys_sent=0, convoys_delivered=0, convoys_attacked=0, events=1,
    )


def results(collapses: list[float | None], not_agreed: int = 0) -> Results:
    """Agreed runs collapsing at the given hours (None: held to the horizon), then
    ``not_agreed`` runs without a deal."""
    rows = [outcome(i, collapse_at=t) for i, t in enumerate(collapses)]
    rows += [outcome(len(rows) + j, agreed=False) for j in range(not_agreed)]
    return Results.from_outcomes(rows, ("verification",), ("red", "blue"),
                                 ("east", "west", "red", "blue"))


def test_median_is_the_collapse_that_brings_the_share_holding_to_half(scenario):
    """Five agreed: after the third collapse (30 h) two of five still hold."""
    res = results([30.0, 10.0, None, 20.0, None], not_agreed=4)
    assert median_hold(res, scenario) == (30.0, False)
    summary = summarize(res, scenario, seed=0)
    assert (summary["median_hold_hours"], summary["median_hold_censored"]) == (30.0, False)


def test_median_beyond_the_horizon_is_the_horizon_flagged_censored(scenario):
    """Five agreed, two collapse: three in five outlast the horizon."""
    res = results([10.0, None, None, 20.0, None])
    assert median_hold(res, scenario) == (HORIZON, True)
    summary = summarize(res, scenario, seed=0)
    assert (summary["median_hold_hours"], summary["median_hold_censored"]) == (HORIZON, True)


def test_exactly_half_collapsed_gives_the_last_collapse_not_an_average(scenario):
    """Four agreed, two collapse (10 h, 50 h): the share holding is 1/2 from 50 h on, so
    the median is 50 h, observed. ``np.median`` would have said (50 + 240) / 2 = 145 h,
    a duration no run had, and called it uncensored."""
    res = results([None, 50.0, 10.0, None], not_agreed=3)
    assert float(np.median(res.columns["hours_held"][res.columns["agreed"]])) == 145.0
    assert median_hold(res, scenario) == (50.0, False)
    summary = summarize(res, scenario, seed=0)
    assert (summary["median_hold_hours"], summary["median_hold_censored"]) == (50.0, False)


def test_no_agreement_no_median(scenario):
    res = results([], not_agreed=3)
    assert median_hold(res, scenario) == (None, False)
    summary = summarize(res, scenario, seed=0)
    assert (summary["median_hold_hours"], summary["median_hold_censored"]) == (None, False)


@given(st.lists(st.one_of(st.none(), st.floats(0.0, HORIZON, exclude_max=True)), min_size=1,
                max_size=40))
@example([None, 50.0, 10.0, None])
@example([5.0, 5.0, None, None])  # tied collapses
def test_median_is_where_the_survival_curve_first_reaches_one_half(scenario, collapses):
    res = results(collapses)
    curve = survival(res, scenario)
    median, censored = median_hold(res, scenario)
    if curve["share"][-1] > 0.5:
        assert (median, censored) == (HORIZON, True)
    else:
        first = int(np.argmax(curve["share"] <= 0.5))
        assert (median, censored) == (float(curve["hours"][first]), False)
        assert median in {t for t in collapses if t is not None}


@given(st.lists(st.sampled_from([12.0, 24.0, 36.0, 48.0]), max_size=30))
@example([12.0, 24.0])  # np.median would say 18 h, a time no deal was struck
def test_median_time_to_agreement_is_a_time_some_run_agreed(hours):
    """The lower middle value: one of the values, with at least half of them at or
    below it and more than half at or above it."""
    values = np.array(hours)
    median = lower_median(values)
    if not hours:
        assert median is None
        return
    assert median in hours
    assert 2 * np.sum(values <= median) >= len(hours)
    assert 2 * np.sum(values >= median) > len(hours)


def test_summary_median_time_to_agreement_is_over_agreed_runs_only(scenario):
    res = results([None, None], not_agreed=5)  # agreed runs struck their deal at 24 h
    assert summarize(res, scenario, seed=0)["median_agreement_hours"] == 24.0
    assert summarize(results([], not_agreed=2), scenario, seed=0)[
        "median_agreement_hours"] is None


def test_the_summary_text_says_which_runs_each_median_is_over(scenario):
    """Both medians are over agreed runs, and a censored one reads as a lower bound."""
    from sim.report import summary_text

    censored = summary_text(summarize(results([10.0, None, None]), scenario, seed=0), scenario)
    assert "median time to agreement (agreed runs) 24 h" in censored
    assert f"median hours held (agreed runs) > {HORIZON:.0f} h" in censored
    observed = summary_text(summarize(results([10.0, 20.0, None]), scenario, seed=0), scenario)
    assert "median hours held (agreed runs) 20 h\n" in observed + "\n"


@given(st.floats(-1.0, 1.0))
@example(-0.0)
@example(-0.0004)
@example(-0.000158)
@example(1e-300)
def test_a_difference_in_points_that_rounds_to_nothing_shows_its_first_digit(share):
    """``compare`` printed intervals such as ``[-0.0, +10.0]``, and a sweep printed an
    interval whose upper end was -0.0158 pp as ``[-1.0, +0.0]``, as if it held zero."""
    from sim.report import points

    text = points(share)
    assert not text.startswith("-0.0") or float(text) < 0
    assert float(text) == pytest.approx(100 * share, abs=0.05 + 1e-9)
    if 1e-9 <= abs(100 * share) < 0.05:  # nonzero, and one decimal would show it as 0.0
        assert float(text) != 0 and (float(text) < 0) == (share < 0)
        assert float(text) == pytest.approx(100 * share, rel=0.5)


def test_an_interval_end_just_below_zero_reads_below_zero():
    from sim.report import paired_text, points

    assert points(-1e-14) == points(1e-14) == "+0.0"  # float noise is no difference

    assert paired_text({"estimate": -0.004, "low": -0.0099, "high": -0.000158}) == "-0.4 [-1.0, -0.02]"


@given(st.floats(0.0, 0.5), st.floats(1e-7, 0.5))
@example(0.0, 0.0000019)
def test_an_interval_never_prints_as_a_point(low, width):
    """With no pair disagreeing in 20,000 replications, a paired interval of +-0.019 pp
    printed as '+0.0 pp [+0.0, +0.0]': a point, which it is not."""
    from sim.report import paired_text, signed

    p = {"estimate": low + width / 2, "low": low, "high": low + width}
    for text in (signed(p), paired_text(p)):
        ends = text.split("[")[1].rstrip("]").split(", ")
        assert ends[0] != ends[1], text
        assert float(ends[0]) <= 100 * low + 1e-9 + 0.05 and float(ends[1]) >= 0


def test_precision_needs_p_agreement_as_tight_as_every_milestone(scenario):
    """Half the runs agree and every agreed ceasefire collapses within the hour: P(hold)
    is 0 with a narrow interval, P(agreement) a half with a wide one; EPS 0.05 is not
    reached until both are within it."""
    res = results([1.0] * 50, not_agreed=50)
    assert all(half_width(int(res.held(h).sum()), 100) <= 0.05 for _, h in milestones(scenario))
    assert not precision_reached(res, scenario, 0.05)
    assert precision_reached(res, scenario, 0.1)


def test_mean_violations_are_over_agreed_runs_only(scenario):
    """Runs without agreement have no ceasefire to violate; counting their zeros would
    halve the mean here."""
    agreed = [replace(outcome(i), violations=(4, 2)) for i in range(10)]
    rows = agreed + [outcome(10 + j, agreed=False) for j in range(10)]
    res = Results.from_outcomes(rows, ("verification",), ("red", "blue"),
                                ("east", "west", "red", "blue"))
    assert summarize(res, scenario, seed=1)["mean_violations"] == {"red": 4.0, "blue": 2.0}


def test_a_comparison_refuses_sides_of_different_replications(scenario):
    a = results([None] * 10)
    b = Results.from_outcomes([outcome(i + 1) for i in range(10)], ("verification",),
                              ("red", "blue"), ("east", "west", "red", "blue"))
    with pytest.raises(ValueError, match="same replications"):
        compare(a, b, scenario)


def test_an_adaptive_run_says_before_it_starts_when_max_runs_may_stop_it_short(capsys):
    """--precision 1e-9 ran all 200,000 runs and only then said 'NOT reached'."""
    import run_sim
    from sim.precision import precision_note, runs_at_even_odds
    from sim.stats import half_width

    need = runs_at_even_odds(0.01)
    assert need == 9604 and half_width(need // 2, need) <= 0.01  # enough at even odds
    assert half_width((need - 100) // 2, need - 100) > 0.01  # and about no more than enough
    assert precision_note(0.01, 10_000) == ""
    assert precision_note(0.01, 5_000).startswith(
        "note: --precision 0.01 needs about 9,604 runs for a probability near 50%")
    assert run_sim.main(["--precision", "0.2", "--max-runs", "30", "--min-runs", "30",
                         "--workers", "1", "--no-progress", "--json"]) == 0
    err = capsys.readouterr().err
    assert "note: --precision" not in err  # 25 runs at even odds <= 30: nothing to say
    assert run_sim.main(["--precision", "0.05", "--max-runs", "30", "--min-runs", "30",
                         "--workers", "1", "--no-progress", "--json"]) == 0
    assert "note: --precision 0.05 needs about 385 runs for a probability near 50% (the " \
        "widest interval), more than --max-runs 30" in capsys.readouterr().err


def test_acts_per_day_are_the_acts_of_agreed_ceasefires_over_the_days_they_held(scenario):
    """A total per ceasefire grows with how long it held (a spoiler attacking less can
    count more acts in ceasefires that last longer): the rate divides by the days held,
    of agreed ceasefires only."""
    rows = [replace(outcome(0, collapse_at=48.0), violations=(6, 1)),  # 2 days
            replace(outcome(1, collapse_at=96.0), violations=(12, 2)),  # 4 days
            outcome(2, agreed=False)]
    res = Results.from_outcomes(rows, ("verification",), ("red", "blue"),
                                ("east", "west", "red", "blue"))
    summary = summarize(res, scenario, seed=1)
    assert summary["mean_violations"] == {"red": 9.0, "blue": 1.5}
    assert summary["violations_per_day"] == {"red": 3.0, "blue": 0.5}
    never = Results.from_outcomes([outcome(0, agreed=False)], ("verification",), ("red", "blue"),
                                  ("east", "west", "red", "blue"))
    assert summarize(never, scenario, seed=1)["violations_per_day"] == {"red": None, "blue": None}
