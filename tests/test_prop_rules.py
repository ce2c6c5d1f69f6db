"""Laws of the decision rules (sim.rules), checked over generated inputs.

Each test states one law in its docstring. The rules are pure functions, so these run
without SimPy and can afford many examples.
"""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st
from strategies import bounded, exponents, noises, positive, preferences, severities, uniforms, unit
from strategies import weights as weights_of

from sim import rules
from sim.validation import MAX_CONVOYS

pytestmark = pytest.mark.property


@st.composite
def package_and_party(draw: st.DrawFn) -> tuple[tuple[float, ...], dict[str, tuple[float, ...]]]:
    """A party's preferences and a package on the same issues (anywhere in 0..1)."""
    pref = draw(preferences())
    x = tuple(draw(unit) for _ in pref["ideal"])
    return x, pref


@st.composite
def better_package(draw: st.DrawFn, x: tuple[float, ...], ideal: tuple[float, ...]) -> tuple[float, ...]:
    """A package at least as good as ``x`` on every issue: each value moved from ``x``
    toward the ideal (and kept between the two, whatever the rounding)."""
    out = []
    for xi, ii in zip(x, ideal, strict=True):
        s = draw(unit)
        yi = xi + s * (ii - xi)
        out.append(min(max(yi, min(xi, ii)), max(xi, ii)))
    return tuple(out)


# ---------------------------------------------------------------------------
# Acceptance
# ---------------------------------------------------------------------------


@given(package_and_party(), unit)
def test_no_acceptance_beyond_red_lines(case, level):
    """A principal never accepts a package outside its hard limits, at any aspiration."""
    x, p = case
    if rules.accepts(x, p["ideal"], p["weight"], p["lo"], p["hi"], level):
        assert rules.within_limits(x, p["lo"], p["hi"])


@given(package_and_party(), unit, bounded(0.0, 1.0), noises)
def test_no_ratification_beyond_red_lines(case, no_deal, leverage, noise):
    """A client ratifies a package beyond its hard limits with probability exactly zero,
    whatever the pressure; within them the probability is a probability."""
    x, p = case
    prob = rules.ratify_probability(x, p["ideal"], p["weight"], p["lo"], p["hi"],
                                    no_deal, leverage, noise)
    assert 0.0 <= prob <= 1.0
    if not rules.within_limits(x, p["lo"], p["hi"]):
        assert prob == 0.0
    if prob > 0.0:
        assert rules.within_limits(x, p["lo"], p["hi"])


@st.composite
def accepted_package(draw: st.DrawFn) -> tuple[tuple[float, ...], dict[str, tuple[float, ...]], float]:
    """Preferences, a package inside the party's red lines and an aspiration it meets
    (built so, rather than filtered)."""
    pref = draw(preferences())
    x = tuple(
        draw(bounded(max(lo, 0.0), min(hi, 1.0)))
        for lo, hi in zip(pref["lo"], pref["hi"], strict=True)
    )
    u = rules.utility(x, pref["ideal"], pref["weight"])
    level = draw(bounded(0.0, max(u, 0.0)))
    return x, pref, level


@given(st.data(), accepted_package())
def test_acceptance_is_monotone_in_every_issue(data, case):
    """If a principal accepts ``x``, it accepts every package that is at least as close
    to its ideal on each issue (such a package is within its limits too, as the box
    of red lines contains the ideal)."""
    x, p, level = case
    assume(rules.accepts(x, p["ideal"], p["weight"], p["lo"], p["hi"], level))
    y = data.draw(better_package(x, p["ideal"]))
    assert rules.accepts(y, p["ideal"], p["weight"], p["lo"], p["hi"], level)
    assert rules.utility(y, p["ideal"], p["weight"]) >= rules.utility(x, p["ideal"], p["weight"])


@given(st.data(), package_and_party(), unit, bounded(0.0, 1.0), noises)
def test_ratification_is_monotone_in_every_issue(data, case, no_deal, leverage, noise):
    """A package at least as good for the client on every issue is ratified at least as
    often."""
    x, p = case
    y = data.draw(better_package(x, p["ideal"]))
    px = rules.ratify_probability(x, p["ideal"], p["weight"], p["lo"], p["hi"],
                                  no_deal, leverage, noise)
    py = rules.ratify_probability(y, p["ideal"], p["weight"], p["lo"], p["hi"],
                                  no_deal, leverage, noise)
    assert py >= px


@given(st.data(), unit)
def test_offer_stays_in_box_and_concedes_exactly_to_the_aspiration(data, level):
    """A principal's offer lies inside its negotiating box; it accepts its own offer
    whenever its box lets it reach its aspiration at all; it concedes no less than its
    aspiration allows; and projection toward a box holding its ideal never costs it
    utility against the unconstrained offer."""
    p = data.draw(preferences())
    n = len(p["ideal"])
    target = tuple(data.draw(unit) for _ in range(n))
    lo, hi = list(p["lo"]), list(p["hi"])
    if data.draw(st.booleans(), label="box excludes the ideal"):
        # a client's red line that the patron's own ideal lies beyond
        k = data.draw(st.integers(0, n - 1), label="issue")
        cut = data.draw(unit, label="cut")
        if cut < p["ideal"][k]:
            hi[k], lo[k] = cut, min(lo[k], cut)
        else:
            lo[k], hi[k] = cut, max(hi[k], cut)
    x = rules.offer(p["ideal"], p["weight"], target, level, lo, hi)
    assert rules.within_limits(x, lo, hi)
    assert all(0.0 <= xi <= 1.0 for xi in x)
    _, goal, _, top = rules.offer_path(p["ideal"], p["weight"], target, lo, hi)
    u = rules.utility(x, p["ideal"], p["weight"])
    if top >= level:
        assert rules.accepts(x, p["ideal"], p["weight"], lo, hi, level)
    assert u <= max(level, rules.utility(goal, p["ideal"], p["weight"]), top) + 1e-9
    if rules.within_limits(p["ideal"], lo, hi):
        raw = rules.offer(p["ideal"], p["weight"], target, level, (-math.inf,) * n,
                          (math.inf,) * n)
        assert u >= rules.utility(raw, p["ideal"], p["weight"]) - 1e-12


@given(st.data(), st.integers(2, 3), st.integers(1, 4))
def test_joint_bound_bounds_what_any_package_gives_the_principals(data, parties, n):
    """No package gives the principals more lam-weighted utility than joint_bound, for
    every weighting the talks test (frontier_weights) and any other."""
    ideals = [tuple(data.draw(unit) for _ in range(n)) for _ in range(parties)]
    weights = [data.draw(weights_of(n)) for _ in range(parties)]
    x = tuple(data.draw(unit) for _ in range(n))
    lams = [*rules.frontier_weights(weights), tuple(data.draw(unit) for _ in range(parties))]
    for lam in lams:
        total = sum(lp * rules.utility(x, i, w) for lp, i, w in zip(lam, ideals, weights, strict=True))
        assert total <= rules.joint_bound(lam, ideals, weights) + 1e-9


# ---------------------------------------------------------------------------
# Concession
# ---------------------------------------------------------------------------


@given(
    bounded(-10.0, 1000.0), bounded(-10.0, 1000.0), bounded(1.0, 1000.0), unit, exponents
)
def test_aspiration_never_rises_and_stays_between_no_deal_and_ideal(t1, t2, deadline, no_deal, e):
    """Aspiration is non-increasing in time and within ``[no_deal, 1]``, including
    before the talks open and after the deadline."""
    t1, t2 = min(t1, t2), max(t1, t2)
    a1 = rules.aspiration(t1, deadline, no_deal, e)
    a2 = rules.aspiration(t2, deadline, no_deal, e)
    assert a2 <= a1
    for a in (a1, a2):
        assert no_deal <= a <= 1.0
    assert rules.aspiration(0.0, deadline, no_deal, e) == pytest.approx(1.0, abs=1e-12)
    assert rules.aspiration(deadline, deadline, no_deal, e) == pytest.approx(no_deal, abs=1e-12)


@given(
    bounded(0.0, 1000.0),
    bounded(1.0, 1000.0),
    unit,
    positive(1.0),
    st.floats(min_value=1.0, max_value=20.0, allow_subnormal=False),
)
def test_boulware_never_concedes_faster_than_a_conceder(t, deadline, no_deal, e_boulware, e_conceder):
    """With the same ends, a Boulware party (e <= 1) insists on at least as much as a
    conceder (e >= 1) at every moment."""
    boulware = rules.aspiration(t, deadline, no_deal, e_boulware)
    conceder = rules.aspiration(t, deadline, no_deal, e_conceder)
    assert boulware >= conceder


@given(unit, bounded(-1.0, 1.0))
def test_shocks_keep_no_deal_values_in_range(value, delta):
    """A battlefield shock moves a no-deal value by ``delta`` but never out of 0..1."""
    moved = rules.shift_no_deal(value, delta)
    assert 0.0 <= moved <= 1.0
    if 0.0 <= value + delta <= 1.0:
        assert moved == value + delta


# ---------------------------------------------------------------------------
# Violations
# ---------------------------------------------------------------------------

rates = bounded(0.0, 1000.0)


@given(rates, unit, unit, unit, unit, unit, unit)
def test_violation_rate_is_finite_and_non_negative(r0, c, cc, air, restraint, deter, ver):
    """The baseline violation rate is a finite non-negative number of acts per hour."""
    lam = rules.violation_rate(r0, c, cc, air, restraint, deter, ver)
    assert math.isfinite(lam)
    assert lam >= 0.0


@given(rates, unit, unit, unit, unit, unit, unit, unit, unit, unit, bounded(0.0, 5.0), unit)
def test_violations_never_rise_with_compliance(r0, c1, c2, cc, air, restraint, deter, ver,
                                               terms, no_deal, effect, leverage):
    """More intent to comply never raises the violation rate; effective compliance is
    non-decreasing in compliance (and stays in 0..1)."""
    lo_c, hi_c = min(c1, c2), max(c1, c2)
    eff_lo = rules.effective_compliance(lo_c, terms, no_deal, effect, leverage)
    eff_hi = rules.effective_compliance(hi_c, terms, no_deal, effect, leverage)
    assert 0.0 <= eff_lo <= eff_hi <= 1.0
    lam_lo = rules.violation_rate(r0, eff_lo, cc, air, restraint, deter, ver)
    lam_hi = rules.violation_rate(r0, eff_hi, cc, air, restraint, deter, ver)
    assert lam_hi <= lam_lo


@given(rates, unit, unit, unit, unit, unit, unit, unit, unit)
def test_violations_never_rise_with_restraint_or_verification(r0, c, cc, air, deter, restraint,
                                                              ver, a, b):
    """Grounded aircraft never raise the violation rate, whatever the verification, and
    verification never raises it, whatever the restraint."""
    lo, hi = min(a, b), max(a, b)
    assert rules.violation_rate(r0, c, cc, air, hi, deter, ver) <= rules.violation_rate(
        r0, c, cc, air, lo, deter, ver)
    assert rules.violation_rate(r0, c, cc, air, restraint, deter, hi) <= rules.violation_rate(
        r0, c, cc, air, restraint, deter, lo)


@given(rates, unit, unit, unit, unit, unit, unit, unit)
def test_violations_never_rise_with_command_control(r0, c, air, restraint, deter, ver, a, b):
    """Units under command violate only as far as their leadership fails to restrain
    them, units outside it at war-time tempo: more command control never raises the
    rate, at any compliance."""
    lo, hi = min(a, b), max(a, b)
    assert rules.violation_rate(r0, c, hi, air, restraint, deter, ver) <= rules.violation_rate(
        r0, c, lo, air, restraint, deter, ver)


@given(rates, unit, unit, unit, unit, unit, unit, unit)
def test_grounded_aircraft_remove_the_air_share(r0, c, cc, restraint, deter, ver, a, b):
    """Restrained aircraft take their share of the attacks with them: a larger air share
    never raises the rate (at any restraint), and a party fighting wholly from the air
    with its aircraft wholly grounded commits no violations; nor does one whose war-time
    tempo is zero."""
    lo, hi = min(a, b), max(a, b)
    assert rules.violation_rate(r0, c, cc, hi, restraint, deter, ver) <= rules.violation_rate(
        r0, c, cc, lo, restraint, deter, ver)
    assert rules.violation_rate(r0, c, cc, 1.0, 1.0, deter, ver) == 0.0
    assert rules.violation_rate(0.0, c, cc, a, restraint, deter, ver) == 0.0


@given(rates, unit, unit, unit)
def test_spoiler_rate_never_rises_with_joint_targeting(r0, vulnerability, j1, j2):
    """Spoiler attacks are finite, non-negative and non-increasing in joint targeting."""
    lo, hi = min(j1, j2), max(j1, j2)
    s_lo = rules.spoiler_rate(r0, vulnerability, lo)
    s_hi = rules.spoiler_rate(r0, vulnerability, hi)
    assert math.isfinite(s_lo) and math.isfinite(s_hi)
    assert 0.0 <= s_hi <= s_lo


@given(bounded(0.0, 100.0), severities,
       positive(1e4),
       bounded(1.0, 10.0))
def test_retaliation_is_finite_and_grows_with_each_of_its_factors(rho, severity, half_life,
                                                                  factor):
    """The offspring of a violation: finite, non-negative, and proportional to the
    retaliation rate, the severity and the grievance's half-life alike."""
    mean = rules.retaliation_mean(rho, severity, half_life)
    assert math.isfinite(mean) and mean >= 0.0
    for scaled in (rules.retaliation_mean(rho * factor, severity, half_life),
                   rules.retaliation_mean(rho, severity * factor, half_life),
                   rules.retaliation_mean(rho, severity, half_life * factor)):
        assert scaled == pytest.approx(mean * factor, rel=1e-9, abs=1e-300)


@given(bounded(0.0, 100_000.0), bounded(0.0, 100_000.0),
       positive(100_000.0), unit)
def test_settling_never_rises_and_stays_between_floor_and_one(h1, h2, half_life, floor):
    """The share of its baseline a combatant keeps never rises as the ceasefire holds,
    stays within ``[floor, 1]``, is 1 at the start, and is 1 throughout without settling."""
    early, late = min(h1, h2), max(h1, h2)
    s_early = rules.settling(early, half_life, floor)
    s_late = rules.settling(late, half_life, floor)
    assert s_late <= s_early
    for share in (s_early, s_late):
        assert floor <= share <= 1.0
    assert rules.settling(0.0, half_life, floor) == pytest.approx(1.0, abs=1e-15)
    assert rules.settling(late, None, floor) == 1.0


# ---------------------------------------------------------------------------
# Perception
# ---------------------------------------------------------------------------


@given(unit, unit, unit, unit, uniforms, uniforms, uniforms, st.booleans())
def test_full_delineation_means_no_blame_on_the_host(colocation, verification, notice, coverage,
                                                     u1, u2, u3, spoiler):
    """With full delineation a strike on a spoiler never lands on its host and no
    spoiler attack is ever blamed on the host."""
    assert rules.strike_hits_host(colocation, 1.0) == 0.0
    seen = rules.perceive(
        author_is_spoiler=spoiler, colocation=colocation, delineation=1.0,
        verification=verification, notice=notice, coverage=coverage,
        u_detect=u1, u_notice=u2, u_blame=u3,
    )
    assert seen is not rules.Seen.BLAMED_HOST


@given(unit, unit, unit, uniforms, uniforms, uniforms, st.booleans())
def test_full_verification_attributes_every_act(colocation, delineation, notice, u1, u2, u3, spoiler):
    """With full verification and full coverage every act is seen and attributed to
    its true author."""
    seen = rules.perceive(
        author_is_spoiler=spoiler, colocation=colocation, delineation=delineation,
        verification=1.0, notice=notice, coverage=1.0,
        u_detect=u1, u_notice=u2, u_blame=u3,
    )
    assert seen is rules.Seen.VERIFIED


@given(unit, unit, unit, unit, unit, uniforms, uniforms, uniforms)
def test_only_spoiler_attacks_are_misattributed(colocation, delineation, verification, notice,
                                                coverage, u1, u2, u3):
    """A combatant's own violation is never blamed on someone else."""
    seen = rules.perceive(
        author_is_spoiler=False, colocation=colocation, delineation=delineation,
        verification=verification, notice=notice, coverage=coverage,
        u_detect=u1, u_notice=u2, u_blame=u3,
    )
    assert seen is not rules.Seen.BLAMED_HOST


@given(unit, unit, unit)
def test_misattribution_never_rises_with_delineation(colocation, d1, d2):
    """Blame on the host and strikes landing on it are probabilities, non-increasing in
    delineation."""
    lo, hi = min(d1, d2), max(d1, d2)
    for f in (rules.blame_probability, rules.strike_hits_host):
        assert 0.0 <= f(colocation, hi) <= f(colocation, lo) <= 1.0


@given(severities, severities, unit, unit)
def test_verification_never_makes_a_violation_weigh_more(s1, s2, r1, r2):
    """A verified violation weighs no more than its severity and no less than nothing;
    more reassurance never makes it weigh more, nor a graver act less (severities up to
    the schema's grave_severity, 100); no reassurance leaves it whole, full reassurance
    absorbs it."""
    light, grave = min(s1, s2), max(s1, s2)
    low, high = min(r1, r2), max(r1, r2)
    for severity in (light, grave):
        assert 0.0 <= rules.verified_severity(severity, r1) <= severity
        assert rules.verified_severity(severity, high) <= rules.verified_severity(severity, low)
        assert rules.verified_severity(severity, 0.0) == severity
        assert rules.verified_severity(severity, 1.0) == 0.0
    assert rules.verified_severity(light, r1) <= rules.verified_severity(grave, r1)


# ---------------------------------------------------------------------------
# Trust
# ---------------------------------------------------------------------------


@given(unit, unit, severities)
def test_trust_after_violation_stays_in_range_and_falls(trust, sensitivity, severity):
    """Trust after a perceived violation is in 0..1, never higher than before, and
    strictly lower whenever there was trust to lose and the act hurt (by more than
    rounding: a loss below 1e-12 may vanish in ``1.0 - loss``)."""
    after = rules.trust_after_violation(trust, sensitivity, severity)
    assert 0.0 <= after <= trust
    if sensitivity * severity > 1e-12 and trust > 0:
        assert after < trust


@example(trust=0.08253770386876781, baseline=1.0, rate=0.0, hours=0.0)  # rounding lowered trust
@example(trust=0.19200926509771127, baseline=0.7245026076044138, rate=0.0, hours=0.0)  # raised it
@given(unit, unit, bounded(0.0, 100.0), bounded(0.0, 1e5))
def test_calm_never_lowers_trust(trust, baseline, rate, hours):
    """Calm never lowers trust, keeps it in 0..1 and never carries it past the baseline
    it recovers toward (unless it already was above); no calm at all (no hours, or no
    recovery) leaves it exactly as it was."""
    after = rules.trust_after_calm(trust, baseline, rate, hours)
    assert 0.0 <= after <= 1.0
    assert after >= trust
    assert after <= max(trust, baseline)
    if rate * hours == 0:
        assert after == trust


@given(unit, unit, unit, unit)
def test_withdrawal_never_at_tolerance_zero_and_monotone(t1, t2, tol1, tol2):
    """A tolerance of 0 means the party never withdraws, whatever its trust; a party
    that stays at some trust stays at any higher trust, and a party that withdraws at
    some tolerance withdraws at any higher one. At its tolerance it stays (a signatory
    may start there), and a rounding error below it, it leaves."""
    low_t, high_t = min(t1, t2), max(t1, t2)
    low_tol, high_tol = min(tol1, tol2), max(tol1, tol2)
    assert not rules.withdraws(t1, 0.0)
    if not rules.withdraws(low_t, tol1):
        assert not rules.withdraws(high_t, tol1)
    if rules.withdraws(t1, low_tol):
        assert rules.withdraws(t1, high_tol)
    assert not rules.withdraws(tol1, tol1)
    if tol1 > 0:
        assert rules.withdraws(math.nextafter(tol1, -math.inf), tol1)


@given(bounded(0.001, 10_000.0), st.integers(1, 10_000), bounded(0.0, 0.999))
@example(16.8, 3, 0.0)  # 3 x 16.8 is 50.400000000000006, above a deadline of 50.4
@example(3.6, 13, 0.0)
def test_every_whole_interval_up_to_the_deadline_is_a_round(interval, n, part):
    """A deadline of ``n`` intervals and a part of one more holds ``n`` rounds, whatever
    rounding ``n * interval`` suffers in floating point: the last round falls on the
    deadline, not a rounding error past it."""
    deadline = n * interval + part * interval
    assume(deadline / interval < n + 0.999)  # the part is not a rounding error short of one
    assert rules.round_count(interval, deadline) == n
    assert rules.round_count(interval, n * interval) == n


# ---------------------------------------------------------------------------
# Convoys
# ---------------------------------------------------------------------------


hours = positive(10_000.0)
"""Intervals and calm of convoys (schema: 0 < hours <= 10,000)."""

def _convoy_case(pause: float, interval: float, calm: float, cap: int) -> float:
    """The interval, raised where an uncapped pause would dispatch more convoys than the
    loader allows (:data:`sim.validation.MAX_CONVOYS`: the rule is never asked about such a
    pause)."""
    if cap == 0:
        return max(interval, (pause - calm) / (MAX_CONVOYS - 1))
    return interval


@given(bounded(0.0, 10_000.0), hours, hours, unit, st.integers(0, 10_000))
@example(102.0, 12.0, 6.0, 1.0, 0)  # 9 departures, the last at 96 h delivering at 102 h exactly
def test_convoys_fit_in_the_pause(pause, interval, calm, access, cap):
    """Convoys are a non-negative count, zero when the pause is shorter than the calm
    they need, capped when a cap is set, and never more at lower aid access. At full
    access the last convoy (departing ``(n - 1) * interval`` after the start) still has
    its calm hours inside the pause, and one more would not, unless the cap stopped it."""
    interval = _convoy_case(pause, interval, calm, cap)
    n = rules.convoy_count(pause, interval, calm, access, cap)
    assert n >= 0
    if pause < calm - rules.HOUR_TOLERANCE:
        assert n == 0
    if cap > 0:
        assert n <= cap
    assert rules.convoy_count(pause, interval, calm, access / 2, cap) <= n
    full = rules.convoy_count(pause, interval, calm, 1.0, cap)
    assert n <= full
    slack = 8 * math.ulp(max(pause, calm, 1.0))  # rounding of the sums below
    if full > 0:
        assert (full - 1) * interval + calm <= pause + rules.HOUR_TOLERANCE + slack
    if cap == 0 or full < cap:
        assert full * interval + calm > pause + rules.HOUR_TOLERANCE - slack


@given(bounded(0.0, 10_000.0), bounded(0.0, 10_000.0), hours, hours, hours, unit,
       st.integers(0, 10_000))
def test_a_longer_pause_or_a_shorter_interval_never_sends_fewer_convoys(p1, p2, i1, i2, calm,
                                                                        access, cap):
    """A longer pause never dispatches fewer convoys, and convoys sent further apart are
    never more, whatever the calm, the access and the cap."""
    short, long = min(p1, p2), max(p1, p2)
    close, apart = min(i1, i2), max(i1, i2)
    close = _convoy_case(long, close, calm, cap)
    apart = max(apart, close)
    for interval in (close, apart):
        assert rules.convoy_count(short, interval, calm, access, cap) <= rules.convoy_count(
            long, interval, calm, access, cap)
    for pause in (short, long):
        assert rules.convoy_count(pause, apart, calm, access, cap) <= rules.convoy_count(
            pause, close, calm, access, cap)


@given(unit, unit, unit, unit)
@example(0.5, 0.5, 0.3, 0.0)  # the thresholds equal: a rectangle of zero width
def test_expected_felt_severity_is_the_mean_over_what_perceive_decides(verification, coverage,
                                                                       notice, reassurance):
    """``perceive`` is constant on the four rectangles its two thresholds cut from the
    unit square of (u_detect, u_notice): its mean weight (1 seen, 1 - reassurance
    verified, 0 unseen) over them, weighted by area, is the expected felt severity."""
    cuts = {"u_detect": [0.0, coverage * verification, 1.0], "u_notice": [0.0, notice, 1.0]}
    total = 0.0
    for d0, d1 in itertools.pairwise(cuts["u_detect"]):
        for n0, n1 in itertools.pairwise(cuts["u_notice"]):
            area = (d1 - d0) * (n1 - n0)
            if area == 0:
                continue
            seen = rules.perceive(
                author_is_spoiler=False, colocation=0.0, delineation=0.0,
                verification=verification, notice=notice, coverage=coverage,
                u_detect=(d0 + d1) / 2, u_notice=(n0 + n1) / 2, u_blame=0.5)
            weight = {rules.Seen.UNSEEN: 0.0, rules.Seen.OWN: 1.0,
                      rules.Seen.VERIFIED: 1.0 - reassurance}[seen]
            total += area * weight
    felt = rules.expected_felt_severity(verification, coverage, notice, reassurance)
    assert felt == pytest.approx(total, abs=1e-12)
    assert 0.0 <= felt <= 1.0


@st.composite
def retaliation_graphs(draw: st.DrawFn) -> tuple[dict[str, float], dict[str, str]]:
    """Up to five parties, each hitting one victim (maybe itself, maybe nobody), each
    act provoking a mean number of acts from that victim."""
    names = [f"p{i}" for i in range(draw(st.integers(1, 5)))]
    victim = {n: draw(st.sampled_from([*names, ""])) for n in names}
    offspring = {n: draw(bounded(0.0, 3.0)) for n in names}
    return offspring, victim


@given(retaliation_graphs())
@example(({"red": 1.6, "blue": 0.5}, {"red": "blue", "blue": "red"}))
def test_branching_ratio_is_the_spectral_radius_of_the_offspring_matrix(graph):
    """Acts by ``p`` beget ``offspring[p]`` acts by ``victim[p]`` on average: the long-run
    growth per generation is the largest eigenvalue's modulus of that matrix (so one
    party at 1.6 against another at 0.5 is subcritical, 0.89)."""
    import numpy as np

    offspring, victim = graph
    names = list(offspring)
    matrix = np.zeros((len(names), len(names)))
    for i, p in enumerate(names):
        if victim[p]:
            matrix[i, names.index(victim[p])] = offspring[p]
    radius = float(max(abs(np.linalg.eigvals(matrix))))
    # abs: a chain into a cycle makes zero a repeated eigenvalue, which eigvals returns
    # only to about (machine epsilon)^(1/5) for five parties
    assert rules.branching_ratio(offspring, victim) == pytest.approx(radius, rel=1e-6, abs=5e-3)
    if len(names) == 2 and victim == {names[0]: names[1], names[1]: names[0]}:
        assert rules.branching_ratio(offspring, victim) == pytest.approx(
            math.sqrt(offspring[names[0]] * offspring[names[1]]))


@st.composite
def box_without_the_ideal(draw: st.DrawFn) -> tuple[tuple[float, ...], ...]:
    """A proposer's preferences and a box of limits that need not hold its ideal: the
    clients' red lines can exclude what their patron wants (``preferences()`` always
    draws limits around the ideal)."""
    n = draw(st.integers(1, 4))
    ideal = tuple(draw(unit) for _ in range(n))
    ends = [sorted((draw(unit), draw(unit))) for _ in range(n)]
    return (ideal, draw(weights_of(n)), tuple(lo for lo, _ in ends), tuple(hi for _, hi in ends),
            tuple(draw(unit) for _ in range(n)))


@given(box_without_the_ideal(), unit)
def test_an_offer_meets_the_aspiration_even_where_the_box_excludes_the_ideal(case, level):
    """An offer stays inside the limits; the proposer accepts it whenever some point of
    its path does (else it offers the start, or a package worth as much to it)."""
    ideal, weight, lo, hi, target = case
    start, goal, gap, top = rules.offer_path(ideal, weight, target, lo, hi)
    x = rules.offer(ideal, weight, target, level, lo, hi)
    assert rules.within_limits(x, lo, hi)
    if top >= level:
        assert rules.accepts(x, ideal, weight, lo, hi, level)
    else:
        assert x == start or (gap == 0 and rules.utility(x, ideal, weight) == top)
    assert math.isclose(rules.utility(goal, ideal, weight), top - gap, abs_tol=1e-12)


def _trust_after(trust: float, baseline: float, sensitivity: float, rate: float,
                 history: list[tuple[float, float]]) -> float:
    """Trust after a history of (calm hours, then a violation of this severity), as the
    ceasefire applies the two rules."""
    for hours, severity in history:
        trust = rules.trust_after_calm(trust, baseline, rate, hours)
        trust = rules.trust_after_violation(trust, sensitivity, severity)
    return trust


@given(unit, unit, bounded(0.0, 100.0 / 24),
       st.lists(st.tuples(bounded(0.0, 200.0), severities), max_size=12), st.data())
def test_one_more_violation_never_leaves_more_trust(baseline, sensitivity, rate, history, data):
    """A perceived violation added anywhere in a history (splitting its calm in two)
    never leaves a signatory trusting more at the end: recovery cannot outrun a blow."""
    k = data.draw(st.integers(0, len(history)))
    severity, split = data.draw(severities), data.draw(unit)
    if k < len(history):
        hours, old = history[k]
        more = [*history[:k], (hours * split, severity), (hours - hours * split, old),
                *history[k + 1:]]
    else:
        more = [*history, (0.0, severity)]
    plain = _trust_after(baseline, baseline, sensitivity, rate, history)
    assert _trust_after(baseline, baseline, sensitivity, rate, more) <= plain + 1e-12


@given(st.lists(st.tuples(unit, unit), min_size=1, max_size=6), st.randoms(use_true_random=False))
def test_the_nash_product_does_not_depend_on_the_parties_order(pairs, rng):
    """The same gains in any order give the same product, to the last bit: the parties'
    order is their names', and renaming them must not turn an exact tie between two
    packages into a rounding error's difference (nor the reverse)."""
    shuffled = list(pairs)
    rng.shuffle(shuffled)
    product = rules.nash_product([u for u, _ in pairs], [d for _, d in pairs])
    assert rules.nash_product([u for u, _ in shuffled], [d for _, d in shuffled]) == product


@given(st.lists(unit, min_size=1, max_size=6), st.randoms(use_true_random=False))
@example([0.7, 0.9608055720711792, 0.34634987319802574], None)
def test_a_concession_target_does_not_depend_on_the_parties_order(ideals, rng):
    """The mean of the others' ideals, summed as they come, differed in the last bit
    with their order (0.669051815089735 against 0.6690518150897349 for the example)."""
    shuffled = list(reversed(ideals)) if rng is None else rng.sample(ideals, len(ideals))
    target = rules.concession_target((0.5,), (True,), [(i,) for i in ideals], [(True,)] * len(ideals))
    again = rules.concession_target((0.5,), (True,), [(i,) for i in shuffled],
                                    [(True,)] * len(shuffled))
    assert again == target
    assert min(ideals) <= target[0] <= max(ideals)


@given(st.lists(unit, min_size=1, max_size=6), unit, bounded(0.0, 1.0), st.booleans(),
       st.randoms(use_true_random=False))
@example([0.0, 0.21501388026130047, 1.0, 1.0], 0.5, 0.0, False, None)
def test_a_mediator_s_text_does_not_depend_on_the_parties_order(offers, ideal, pull, cares, rng):
    """The same offers in any order give the same text, to the last bit (0.553753470065325
    against 0.5537534700653252 for the example, when they were summed as they came)."""
    shuffled = list(reversed(offers)) if rng is None else rng.sample(offers, len(offers))
    weight = (1.0 if cares else 0.0,)
    text = rules.mediator_text([(o,) for o in offers], (ideal,), weight, pull, (0.0,), (1.0,))
    again = rules.mediator_text([(o,) for o in shuffled], (ideal,), weight, pull, (0.0,), (1.0,))
    assert again == text


# ---------------------------------------------------------------------------
# Boxes, the value of an acceptable package, and the mediator's text
# ---------------------------------------------------------------------------


@st.composite
def boxes(draw: st.DrawFn, n: int, around: tuple[float, ...] | None = None
          ) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """A box of limits on ``n`` issues as the talks build them: each end a value in 0..1
    or missing (-inf below, +inf above), the low end never above the high end; around a
    point when one is given."""
    lo, hi = [], []
    for k in range(n):
        ends = sorted((draw(unit), draw(unit)))
        if around is not None:
            ends = [min(ends[0], around[k]), max(ends[1], around[k])]
        lo.append(draw(st.one_of(st.just(-math.inf), st.just(ends[0]))))
        hi.append(draw(st.one_of(st.just(math.inf), st.just(ends[1]))))
    return tuple(lo), tuple(hi)


@given(st.data(), st.integers(1, 5))
def test_clip_box_lands_in_the_box_nearest_the_point_and_keeps_what_is_inside(data, n):
    """A package projected into a box (and 0..1) lies inside it, no farther from the
    package on any issue than any point of the box; a package already inside comes back
    unchanged."""
    lo, hi = data.draw(boxes(n))
    x = tuple(data.draw(bounded(-2.0, 3.0)) for _ in range(n))
    inside = tuple(data.draw(bounded(max(lo_k, 0.0), min(hi_k, 1.0)))
                   for lo_k, hi_k in zip(lo, hi, strict=True))
    y = rules.clip_box(x, lo, hi)
    for xk, yk, zk, lo_k, hi_k in zip(x, y, inside, lo, hi, strict=True):
        assert max(lo_k, 0.0) <= yk <= min(hi_k, 1.0)
        assert abs(yk - xk) <= abs(zk - xk)
    assert rules.clip_box(inside, lo, hi) == inside


@given(st.data(), st.integers(1, 4), st.integers(1, 5), st.booleans())
def test_box_intersection_ignores_the_order_and_meets_every_box(data, n, m, with_fallback):
    """The intersection of boxes does not depend on their order; on every issue its low
    end is not above its high end; where the boxes overlap it lies inside each of them,
    and where they conflict it is the fallback's, or (without one) a range meeting every
    box."""
    given_boxes = [data.draw(boxes(n)) for _ in range(m)]
    fallback = data.draw(boxes(n)) if with_fallback else None
    lo, hi = rules.box_intersection(given_boxes, fallback)
    shuffled = data.draw(st.permutations(given_boxes))
    assert rules.box_intersection(shuffled, fallback) == (lo, hi)
    for k in range(n):
        assert lo[k] <= hi[k]
        overlap = all(b_lo[k] <= c_hi[k] for b_lo, _ in given_boxes for _, c_hi in given_boxes)
        for b_lo, b_hi in given_boxes:
            if overlap:
                assert b_lo[k] <= lo[k] and hi[k] <= b_hi[k]
            elif fallback is None:
                assert lo[k] <= b_hi[k] and b_lo[k] <= hi[k]
        if not overlap and fallback is not None:
            assert (lo[k], hi[k]) == (fallback[0][k], fallback[1][k])


@given(st.data(), st.integers(1, 4), st.integers(1, 5), st.booleans())
def test_box_intersection_contains_every_point_inside_all_boxes(data, n, m, with_fallback):
    """A package within every box is within their intersection (the fallback unused)."""
    point = tuple(data.draw(unit) for _ in range(n))
    given_boxes = [data.draw(boxes(n, around=point)) for _ in range(m)]
    fallback = data.draw(boxes(n)) if with_fallback else None
    lo, hi = rules.box_intersection(given_boxes, fallback)
    assert rules.within_limits(point, lo, hi)


@st.composite
def levels_about(draw: st.DrawFn, u: float) -> float:
    """An aspiration anywhere in 0..1, or within a few rounding errors of ``u`` (where
    acceptance turns)."""
    return draw(st.one_of(
        unit,
        st.sampled_from([u, u - 1e-12, u + 1e-12, math.nextafter(u + 1e-12, math.inf),
                         math.nextafter(u + 1e-12, -math.inf)]),
        bounded(u - 3e-12, u + 3e-12),
    ))


@given(st.data(), st.one_of(package_and_party(), accepted_package().map(lambda case: case[:2])))
def test_acceptable_utility_is_the_utility_of_an_acceptable_package(data, case):
    """The value of a package a principal accepts is its utility to the last bit, and
    there is none (None) exactly when the package breaks a red line or falls short of
    the aspiration by more than 1e-12."""
    x, p = case
    u = rules.utility(x, p["ideal"], p["weight"])
    level = data.draw(levels_about(u))
    got = rules.acceptable_utility(x, p["ideal"], p["weight"], p["lo"], p["hi"], level)
    refused = not rules.within_limits(x, p["lo"], p["hi"]) or u < level - 1e-12
    assert (got is None) == refused
    if got is not None:
        assert got.hex() == u.hex()
    assert rules.accepts(x, p["ideal"], p["weight"], p["lo"], p["hi"], level) == (not refused)


@given(st.data(), st.integers(1, 4), st.integers(1, 6), unit, st.booleans())
def test_mediator_text_lies_between_the_offers_and_its_ideal(data, n, m, pull, with_counted):
    """On each issue the text lies within the offers it counts there and (if it weighs
    the issue) the mediator's ideal, give or take one rounding error of the pull, then
    projected into the box; offers it does not count there do not move it; with no pull
    its ideal moves nothing, and with full pull it proposes its ideal where it cares."""
    offers = [tuple(data.draw(unit) for _ in range(n)) for _ in range(m)]
    ideal = tuple(data.draw(unit) for _ in range(n))
    weight = tuple(data.draw(st.one_of(st.just(0.0), unit)) for _ in range(n))
    lo, hi = data.draw(boxes(n))
    counted = ([data.draw(st.lists(st.integers(0, m - 1), unique=True)) for _ in range(n)]
               if with_counted else None)
    text = rules.mediator_text(offers, ideal, weight, pull, lo, hi, counted)
    for k in range(n):
        which = counted[k] if counted is not None and counted[k] else range(m)
        values = [offers[j][k] for j in which] + ([ideal[k]] if weight[k] > 0 else [])
        low = math.nextafter(min(values), -math.inf)
        high = math.nextafter(max(values), math.inf)
        low_end, high_end = max(lo[k], 0.0), min(hi[k], 1.0)
        assert min(max(low, low_end), high_end) <= text[k] <= min(max(high, low_end), high_end)
    if counted is not None:
        # offers of principals without a position on an issue, changed there
        echoes = [tuple(data.draw(unit) if counted[k] and j not in counted[k] else o[k]
                        for k in range(n)) for j, o in enumerate(offers)]
        assert rules.mediator_text(echoes, ideal, weight, pull, lo, hi, counted) == text
    nobody = tuple(0.0 for _ in range(n))
    assert rules.mediator_text(offers, ideal, weight, 0.0, lo, hi, counted) == rules.mediator_text(
        offers, ideal, nobody, 0.0, lo, hi, counted)
    full = rules.mediator_text(offers, ideal, weight, 1.0, lo, hi, counted)
    projected = rules.clip_box(ideal, lo, hi)
    for k in range(n):
        if weight[k] > 0:
            assert full[k] == projected[k]
