"""The historical record of one scenario, and its forecasts set beside it.

:func:`observed_outcomes` reads a scenario's ``[observed]`` section into an outcome per
milestone label. A milestone is observed as reached when the deal was agreed and
``hours_held`` reached it, unless ``observed.milestones_reached`` states the outcome. A
milestone the record cannot settle (beyond the hours a still-holding ceasefire was
observed for) is left out of the scores for that case.

:func:`scenario_row` sets the forecasts of one scenario's runs beside that record:
P(agreement), P(hold) at each milestone (agreed and still holding, the same event the
record is scored on), the median hours held over agreed runs, and the percentile of the
observed duration within the predicted hours held of agreed runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sim.document import join_key
from sim.errors import ScenarioError, listing
from sim.origin import noting_origin
from sim.records import Results
from sim.scenario import Scenario
from sim.scoring import percentile_of
from sim.stats import interval, median_hold, milestones


def observed_outcomes(scenario: Scenario) -> dict[str, bool | None]:
    """Observed outcome per milestone label: reached, not reached, or None (unknown).

    Raises:
        ScenarioError: when the ``[observed]`` section does not fit the scenario (an
            unknown party or milestone, a collapse beyond the horizon, a milestone
            inside ``hours_held_range`` whose outcome is not stated), saying which
            file writes the value when the scenario inherits it.
    """
    with noting_origin(Path(scenario.file)):
        return _observed_outcomes(scenario)


def _observed_outcomes(scenario: Scenario) -> dict[str, bool | None]:
    obs = scenario.spec.observed
    if obs is None:
        raise ScenarioError(scenario.file, "observed", None, "an [observed] section")
    cf = scenario.spec.ceasefire
    labels = dict(milestones(scenario))
    file = scenario.file
    signatories = sorted((*scenario.principals, *scenario.combatants))
    if obs.withdrew is not None and obs.withdrew not in signatories:
        # a spoiler or the mediator signs nothing, so never withdraws in the model: the
        # record would be scored against a share of 0 in every run
        raise ScenarioError(file, "observed.withdrew", obs.withdrew,
                            f"a patron or combatant of the scenario, the parties that sign and "
                            f"can withdraw: {listing(signatories, 'or')}")
    for label in obs.milestones_reached:
        if label not in labels:
            raise ScenarioError(file, join_key(("observed", "milestones_reached", label)), label,
                                f"a milestone label of the scenario: {listing(labels, 'or')}")
    low, high = obs.hours_held_range or (obs.hours_held, obs.hours_held)
    if obs.agreed and obs.collapsed and high > cf.horizon_hours:
        key = "observed.hours_held_range" if obs.hours_held <= cf.horizon_hours else \
            "observed.hours_held"
        value = obs.hours_held_range if key.endswith("range") else obs.hours_held
        raise ScenarioError(
            file, key, value,
            f"at most ceasefire.horizon_hours ({cf.horizon_hours}); lengthen the horizon so "
            "the observed collapse lies inside the predicted distribution",
        )
    out: dict[str, bool | None] = {}
    for label, hours in labels.items():
        if label in obs.milestones_reached:
            stated = obs.milestones_reached[label]
            out[label] = None if stated == "unknown" else bool(stated)
            if out[label] and obs.agreed and obs.collapsed and hours > high:
                raise ScenarioError(
                    file, join_key(("observed", "milestones_reached", label)), True,
                    f"false: the milestone ({hours:g} h) lies beyond the collapse the record "
                    f"gives (hours_held {_span(obs.hours_held, obs.hours_held_range)})")
        elif not obs.agreed:
            out[label] = False
        elif low < hours <= high:
            raise ScenarioError(
                file, join_key(("observed", "milestones_reached", label)), None,
                f"the milestone ({hours} h) lies inside hours_held_range [{low}, {high}]; "
                "state whether it was reached (true or false), or \"unknown\" where the "
                "record cannot tell",
            )
        elif obs.hours_held >= hours:
            out[label] = True
        else:
            # a ceasefire still holding when the record stops says nothing about later
            out[label] = False if obs.collapsed else None
    _check_order(file, labels, out, set(obs.milestones_reached))
    return out


def _span(hours: float, span: Sequence[float] | None) -> str:
    return f"{hours:g}" if span is None else f"{hours:g}, within [{span[0]:g}, {span[1]:g}]"


def _check_order(file: str, labels: dict[str, float], held: dict[str, bool | None],
                 stated: set[str]) -> None:
    """Refuse a record in which a milestone was reached after an earlier one was not: a
    ceasefire that has ended cannot hold on. Names the stated outcome at fault (the
    later one when both are stated).

    Raises:
        ScenarioError: at ``observed.milestones_reached.<label>``.
    """
    missed: str | None = None
    for label, hours in sorted(labels.items(), key=lambda item: item[1]):
        if held[label] is False and missed is None:
            missed = label
        elif held[label] and missed is not None:
            fault = label if label in stated else missed
            raise ScenarioError(
                file, join_key(("observed", "milestones_reached", fault)), held[fault],
                f"an outcome in time order: {label} ({hours:g} h) reached after {missed} "
                f"({labels[missed]:g} h) was not (a milestone not stated follows hours_held)")


# ---------------------------------------------------------------------------
# One scenario's row
# ---------------------------------------------------------------------------


def scenario_row(scenario: Scenario, results: Results) -> dict[str, Any]:
    """Forecasts and observations of one scenario (a JSON-able dict)."""
    held_obs = observed_outcomes(scenario)
    obs = scenario.spec.observed
    if obs is None:  # observed_outcomes has raised already; this informs the type checker
        raise ScenarioError(scenario.file, "observed", None, "an [observed] section")
    cols = results.columns
    n = len(results)
    agreed = cols["agreed"]
    n_agreed = int(agreed.sum())
    horizon = scenario.spec.ceasefire.horizon_hours
    held = cols["hours_held"][agreed]
    p_hold = {label: interval(int(results.held(h).sum()), n) for label, h in milestones(scenario)}
    median, median_censored = median_hold(results, scenario)

    percentile: float | None = None
    span: list[float] | None = None
    censored = False
    if obs.agreed and n_agreed:
        censored = (not obs.collapsed) or obs.hours_held >= horizon

        def rank(hours: float) -> float:
            return percentile_of(min(hours, horizon), held)

        percentile = rank(obs.hours_held)
        if obs.hours_held_range is not None:
            span = [rank(obs.hours_held_range[0]), rank(obs.hours_held_range[1])]

    p_withdrew: float | None = None
    collapsed = cols["collapsed"]
    if obs.withdrew is not None and int(collapsed.sum()):
        names = [w for w, c in zip(results.names("withdrew"), collapsed, strict=True) if c]
        p_withdrew = names.count(obs.withdrew) / len(names)

    return {
        "scenario": scenario.name,
        "title": scenario.spec.title,
        "file": scenario.file,
        "runs": n,
        "horizon_hours": horizon,
        "milestones": dict(milestones(scenario)),
        "p_agreement": interval(n_agreed, n),
        "p_hold": p_hold,
        "median_hold_hours": median,
        "median_hold_censored": median_censored,
        "observed": {
            "agreed": obs.agreed,
            "hours_held": obs.hours_held,
            "hours_held_range": list(obs.hours_held_range) if obs.hours_held_range else None,
            "collapsed": obs.collapsed,
            "withdrew": obs.withdrew,
            "held": held_obs,
            "note": obs.note.strip(),
        },
        "percentile": percentile,
        "percentile_range": span,
        "percentile_censored": censored,
        "p_withdrew_observed": p_withdrew,
    }
