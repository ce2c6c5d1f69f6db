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
from strategies import bounded, exponents, preferences, uniforms, unit
from strategies import weights as weights_of

from sim import rules

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


@given(package_and_party(), unit, bounded(0.0, 1.0), bounded(0.01, 10.0))
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


@given(st.data(), package_and_party(), unit, bounded(0.0, 1.0), bounded(0.01, 10.0))
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
    st.floats(min_value=0.05, max_value=1.0, allow_subnormal=False),
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


@given(rates, unit, unit, unit, unit, unit, unit)
def test_violations_never_rise_with_restraint_or_verification(r0, c, cc, air, deter, a, b):
    """Grounded aircraft and verification never raise the violation rate."""
    lo, hi = min(a, b), max(a, b)
    assert rules.violation_rate(r0, c, cc, air, hi, deter, 0.5) <= rules.violation_rate(
        r0, c, cc, air, lo, deter, 0.5)
    assert rules.violation_rate(r0, c, cc, air, 0.5, deter, hi) <= rules.violation_rate(
        r0, c, cc, air, 0.5, deter, lo)


@given(rates, unit, unit, unit)
def test_spoiler_rate_never_rises_with_joint_targeting(r0, vulnerability, j1, j2):
    """Spoiler attacks are finite, non-negative and non-increasing in joint targeting."""
    lo, hi = min(j1, j2), max(j1, j2)
    s_lo = rules.spoiler_rate(r0, vulnerability, lo)
    s_hi = rules.spoiler_rate(r0, vulnerability, hi)
    assert math.isfinite(s_lo) and math.isfinite(s_hi)
    assert 0.0 <= s_hi <= s_lo


@given(bounded(0.0, 100.0), bounded(0.0, 10.0), bounded(0.001, 1e4), bounded(1.0, 10.0))
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


@given(unit, unit, unit, unit, unit, unit, uniforms, uniforms, uniforms)
def test_only_spoiler_attacks_are_misattributed(colocation, delineation, verification, notice,
                                                coverage, _unused, u1, u2, u3):
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


# ---------------------------------------------------------------------------
# Trust
# ---------------------------------------------------------------------------


@given(unit, unit, bounded(0.0, 100.0))
def test_trust_after_violation_stays_in_range_and_falls(trust, sensitivity, severity):
    """Trust after a perceived violation is in 0..1, never higher than before, and
    strictly lower whenever there was trust to lose and the act hurt (by more than
    rounding: a loss below 1e-12 may vanish in ``1.0 - loss``)."""
    after = rules.trust_after_violation(trust, sensitivity, severity)
    assert 0.0 <= after <= trust
    if sensitivity * severity > 1e-12 and trust > 0:
        assert after < trust


@example(trust=0.08253770386876781, baseline=1.0, rate=0.0, hours=0.0)  # rounding lowered trust
@given(unit, unit, bounded(0.0, 100.0), bounded(0.0, 1e5))
def test_calm_never_lowers_trust(trust, baseline, rate, hours):
    """Calm never lowers trust, keeps it in 0..1 and never carries it past the baseline
    it recovers toward (unless it already was above)."""
    after = rules.trust_after_calm(trust, baseline, rate, hours)
    assert 0.0 <= after <= 1.0
    assert after >= trust
    assert after <= max(trust, baseline)


@given(unit, unit)
def test_withdrawal_is_exactly_trust_below_tolerance(trust, tolerance):
    """A party withdraws exactly when its trust is strictly below its tolerance."""
    assert rules.withdraws(trust, tolerance) == (trust < tolerance)


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


@given(bounded(0.0, 10_000.0), bounded(0.01, 10_000.0), bounded(0.01, 10_000.0), unit,
       st.integers(0, 10_000))
def test_convoys_fit_in_the_pause(pause, interval, calm, access, cap):
    """Convoys are a non-negative count, zero when the pause is shorter than the calm
    they need, capped when a cap is set, and never more at lower aid access."""
    n = rules.convoy_count(pause, interval, calm, access, cap)
    assert n >= 0
    if pause < calm - rules.HOUR_TOLERANCE:
        assert n == 0
    if cap > 0:
        assert n <= cap
    assert rules.convoy_count(pause, interval, calm, access / 2, cap) <= n


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
       st.lists(st.tuples(bounded(0.0, 200.0), bounded(0.0, 5.0)), max_size=12), st.data())
def test_one_more_violation_never_leaves_more_trust(baseline, sensitivity, rate, history, data):
    """A perceived violation added anywhere in a history (splitting its calm in two)
    never leaves a signatory trusting more at the end: recovery cannot outrun a blow."""
    k = data.draw(st.integers(0, len(history)))
    severity, split = data.draw(bounded(0.0, 5.0)), data.draw(unit)
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
