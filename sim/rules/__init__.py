"""Decision rules: pure functions of (observation, parameters).

Every choice an agent makes is here, as a function that returns a number, a
probability or a choice. None of them draws random numbers: where chance matters the
caller draws uniforms from its own stream and passes them in, so each rule can be
checked by hypothesis without running SimPy. Issue values are normalised to 0..1.

One module per stage, every name importable from here: :mod:`sim.rules.talks`
(preferences, offers, acceptance, ratification), :mod:`sim.rules.violations`,
:mod:`sim.rules.perception`, :mod:`sim.rules.trust` and :mod:`sim.rules.convoys`.

Equations (``x`` a package, ``w`` salience weights summing to 1, ``x*`` the ideal):

* utility          u(x)   = 1 - sum_i w_i |x_i - x*_i|
* aspiration       a(t)   = d + (1 - d) (1 - (t/T)^(1/e))   (Faratin et al. 1998;
                     d the no-deal value, T the deadline, e<1 Boulware, e>1 conceder)
* offer            x(l)   = s + l (g - s),  l = (u(s) - a)/D clipped to [0, 1], with s, g
                     the ideal and the target projected into the red-line box and
                     D = u(s) - u(g) (exact: the path leads away from x* on every issue)
* target           g_i    = mean of x*_i over the other patrons weighing issue i (w_i > 0);
                     if none, own x*_i if it weighs i, else the middle of the range;
                     s_i = g_i where the patron does not weigh i
* ratification     P      = logistic((u + leverage - d) / noise), 0 beyond a red line
* violation rate   lam    = (r0/24) (1 - air_share air_restraint) (1 - deterrence v)
                              [cc (1 - c_eff) + (1 - cc)] S(t) + (rho/24) E(t)
                     c_eff = 1 - (1 - clip(compliance + k (u(terms) - d)))(1 - leverage)
* settling         S(t)   = floor + (1 - floor) 2^(-t/half_life), t hours since the
                     ceasefire began (1 without settling; combatants only)
* spoiler rate     lam_s  = (r0/24) (1 - vulnerability j)   (r0, rho per day; lam per hour)
* grievance        E(t)   = E0 2^(-(t - t0)/h), +severity per perceived violation;
                     each jump provokes Poisson(rho/24 severity h/ln2) acts in all;
                     the victim's acts excite the author's grievance in turn, so the
                     process is critical when the geometric mean of offspring around
                     a cycle of victims reaches 1
* trust            T     -> max(0, T - sensitivity severity) after a perceived violation,
                     T(t)  = T0 - (T0 - T) exp(-rate dt) in calm (back toward T0)
* withdrawal       T < tolerance
"""

from __future__ import annotations

from sim.rules.base import (
    HOUR_TOLERANCE,
    LN2,
    Vector,
)
from sim.rules.convoys import (
    convoy_count,
)
from sim.rules.perception import (
    Seen,
    blame_probability,
    expected_felt_severity,
    perceive,
    perceive_strike,
    strike_hits_host,
    verified_severity,
)
from sim.rules.talks import (
    acceptable_utility,
    accepts,
    aspiration,
    box_intersection,
    clip_box,
    concession_target,
    distance,
    dot,
    frontier_weights,
    indifferent_start,
    joint_bound,
    mediator_text,
    nash_product,
    offer,
    offer_along,
    offer_path,
    ratify_probability,
    round_count,
    shift_no_deal,
    utility,
    within_limits,
)
from sim.rules.trust import (
    trust_after_calm,
    trust_after_violation,
    withdraws,
)
from sim.rules.violations import (
    branching_ratio,
    effective_compliance,
    retaliation_mean,
    settling,
    spoiler_rate,
    violation_rate,
)

__all__ = [
    "HOUR_TOLERANCE",
    "LN2",
    "Seen",
    "Vector",
    "acceptable_utility",
    "accepts",
    "aspiration",
    "blame_probability",
    "box_intersection",
    "branching_ratio",
    "clip_box",
    "concession_target",
    "convoy_count",
    "distance",
    "dot",
    "effective_compliance",
    "expected_felt_severity",
    "frontier_weights",
    "indifferent_start",
    "joint_bound",
    "mediator_text",
    "nash_product",
    "offer",
    "offer_along",
    "offer_path",
    "perceive",
    "perceive_strike",
    "ratify_probability",
    "retaliation_mean",
    "round_count",
    "settling",
    "shift_no_deal",
    "spoiler_rate",
    "strike_hits_host",
    "trust_after_calm",
    "trust_after_violation",
    "utility",
    "verified_severity",
    "violation_rate",
    "withdraws",
    "within_limits",
]
