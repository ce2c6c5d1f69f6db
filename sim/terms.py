"""The terms a ceasefire runs with, and what they set: at its start (the agreed terms,
or those ``ceasefire.imposed`` sets whatever was agreed) and, with ``[ceasefire.later]``,
from a later hour on.

The September 2016 arrangement was to start US-Russian joint targeting after seven days
of calm. ``later.after_hours`` and ``later.terms`` say when and what: if the ceasefire
still holds ``after_hours`` after its start, everything that reads the terms (each
combatant's compliance, the perception of acts, the armed parties' baseline rates) runs
with these values from then on. The pause's convoys leave at the start, so the pause and
aid access cannot change later.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim import rules
from sim.document import join_key
from sim.errors import PairedError, ScenarioError, listing
from sim.schema_errors import unknown_issue

if TYPE_CHECKING:
    from sim.scenario import Scenario
    from sim.schema import ScenarioSpec


@dataclass(frozen=True, slots=True)
class Mechanisms:
    """What a set of terms sets in the ceasefire (each 0..1, normalised)."""

    terms: tuple[float, ...]
    delineation: float
    verification: float
    joint_targeting: float
    air_restraint: float
    aid_access: float


def mechanisms(sc: Scenario, terms: tuple[float, ...]) -> Mechanisms:
    """The mechanisms ``terms`` set, through ``ceasefire.links`` (an unlinked mechanism
    takes its neutral value: no delineation, verification, joint targeting or grounded
    aircraft, full aid access)."""
    links = sc.spec.ceasefire.links

    def linked(link: str | None, fallback: float) -> float:
        idx = sc.issue_index(link)
        return terms[idx] if idx is not None else fallback

    return Mechanisms(terms, linked(links.delineation, 0.0), linked(links.verification, 0.0),
                      linked(links.joint_targeting, 0.0), linked(links.air_restraint, 0.0),
                      linked(links.aid_access, 1.0))


def with_values(sc: Scenario, terms: tuple[float, ...], values: dict[str, float]
                ) -> tuple[float, ...]:
    """``terms`` with the issues of ``values`` (in their own units) set instead."""
    return tuple(sc.normalise(k, values[name]) if name in values else v
                 for k, (name, v) in enumerate(zip(sc.issues, terms, strict=True)))


def base_rates(sc: Scenario, m: Mechanisms, no_deal: dict[str, float]) -> dict[str, float]:
    """Each armed party's baseline rate of acts (per hour) under ``m``: a spoiler's,
    degraded by joint targeting; a combatant's, restrained by its compliance with terms
    it values, its command control, its patron, grounded aircraft and deterrence."""
    cf = sc.spec.ceasefire
    rates = {}
    for name in sc.order:
        pm = sc.parties[name]
        b = sc.spec.parties[name].behaviour
        if pm.role == "spoiler":
            rates[name] = rules.spoiler_rate(b.attack_rate, b.targeting_vulnerability,
                                             m.joint_targeting)
        elif pm.role == "combatant":
            patron_leverage = sc.parties[pm.patron].behaviour.leverage if pm.patron else 0.0
            compliance = rules.effective_compliance(
                b.compliance, rules.utility(m.terms, pm.ideal, pm.weight), no_deal[name],
                cf.terms_effect, patron_leverage)
            rates[name] = rules.violation_rate(
                b.attack_rate, compliance, b.command_control, b.air_share, m.air_restraint,
                cf.monitoring.deterrence, m.verification)
    return rates


def check_later(spec: ScenarioSpec, file: str) -> None:
    """``[ceasefire.later]`` takes effect within the horizon, on declared issues other
    than the pause's and aid access's, at values within their ranges.

    Raises:
        ScenarioError: naming the key of the first that does not.
    """
    cf = spec.ceasefire
    later = cf.later
    if later is None:
        return
    if later.after_hours >= cf.horizon_hours:
        raise PairedError(
            file, "ceasefire.later.after_hours", later.after_hours,
            f"below horizon_hours ({cf.horizon_hours:g}): later terms would never take effect",
            ("ceasefire.horizon_hours", cf.horizon_hours,
             f"above ceasefire.later.after_hours ({later.after_hours:g})"))
    if not later.terms:
        raise ScenarioError(file, "ceasefire.later.terms", {}, "at least one issue and its value")
    check_values(spec, file, ("ceasefire", "later", "terms"), later.terms)
    at_start = sorted(i for i in (cf.links.pause_hours, cf.links.aid_access) if i is not None)
    for issue, value in later.terms.items():
        if issue in at_start:
            raise ScenarioError(file, join_key(("ceasefire", "later", "terms", issue)), value, (
                f"an issue other than {listing(at_start, 'and')}: the pause's convoys leave "
                "at the ceasefire's start, so a later pause or aid access would change nothing "
                "(set it in ceasefire.imposed)"))


def check_values(spec: ScenarioSpec, file: str, table: tuple[str, ...],
                 values: dict[str, float]) -> None:
    """Each key of ``values`` (``ceasefire.imposed``, ``ceasefire.later.terms``) is a
    declared issue, and its value lies within the issue's range.

    Raises:
        ScenarioError: naming the key of the first that does not.
    """
    for issue, value in values.items():
        key = join_key((*table, issue))
        if issue not in spec.issues:
            raise ScenarioError(file, key, None, unknown_issue(issue, spec.issues))
        low, high = spec.issues[issue].low, spec.issues[issue].high
        if not low <= value <= high:
            raise ScenarioError(file, key, value, f"within the issue's range {low}..{high}")


def imposed_text(scenario: Scenario, named: Iterable[str] = ()) -> str:
    """The terms imposed on the ceasefire whatever the talks agree (``ceasefire.imposed``),
    as ``delineation=1``; "" for none. Reports and figures of the agreed terms say so,
    or they would show terms the ceasefire did not run with. Those whose key is among
    ``named`` (set on the command line, and so already in the scenario's label) are left
    out."""
    keys = _keys(named)
    if "ceasefire.imposed" in keys:  # the whole table was set
        return ""
    return ", ".join(f"{k}={v:g}" for k, v in scenario.spec.ceasefire.imposed.items()
                     if f"ceasefire.imposed.{k}" not in keys)


def later_text(scenario: Scenario, named: Iterable[str] = ()) -> str:
    """The terms that take effect while the ceasefire holds (``ceasefire.later``), as a
    sentence; "" for none: P(hold) past that hour is for the ceasefire they change.
    Also "" when the whole table is among ``named`` (set on the command line, and so
    already in the scenario's label)."""
    later = scenario.spec.ceasefire.later
    if later is None or "ceasefire.later" in _keys(named):
        return ""
    terms = ", ".join(f"{k}={v:g}" for k, v in later.terms.items())
    return f"From hour {later.after_hours:g} of a ceasefire that still holds: {terms}"


def _keys(named: Iterable[str]) -> set[str]:
    """The keys of ``KEY=VALUE`` options."""
    return {n.split("=", 1)[0].strip() for n in named}
