"""The scenario format: pydantic models, frozen once validated.

A scenario declares the issues on the table (numeric dimensions with ranges), the
parties (role, patron, positions, value of no agreement, behaviour) and the settings of
the two phases. Field docstrings here are the reference for scenario authors; the JSON
Schema printed by ``run_sim.py schema`` is generated from them.

Cross-references (a patron that exists, positions on declared issues, the required
parties) are checked in :mod:`sim.validation`, which also turns pydantic's errors into
:class:`sim.errors.ScenarioError` with a key path (:mod:`sim.scenario` is the entry point).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, field_validator
from pydantic_core import PydanticCustomError

MAX_NAME = 64
"""Most characters of a scenario's, party's, issue's or milestone's name: names head
table columns and label figures, and one of hundreds of characters garbled them
(checked with the other names by :func:`sim.printable.check_printable`)."""
MAX_LABEL = 120
"""Most characters of a party's display name (figures break it across lines)."""

Role = Literal["patron", "combatant", "spoiler", "mediator"]


def _reached(value: object) -> bool | str:
    """A milestone's observed outcome: one message for a bad one (a union's two
    branches each told theirs, 'true or false' and 'one of unknown')."""
    if isinstance(value, bool) or value == "unknown":
        return value
    raise PydanticCustomError("reached", 'true, false, or "unknown" where the record cannot tell')


Reached = Annotated[bool | Literal["unknown"],
                    PlainValidator(_reached, json_schema_input_type=bool | Literal["unknown"])]
"""An observed milestone outcome: reached, not reached, or unknown."""


class Strict(BaseModel):
    """Base: unknown keys, NaN/infinity and type coercion are all rejected."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, strict=True, allow_inf_nan=False, populate_by_name=False
    )


class IssueSpec(Strict):
    """One negotiable dimension of a deal."""

    low: float = Field(ge=-1e12, le=1e12, description="Lowest value the issue can take.")
    high: float = Field(
        ge=-1e12, le=1e12, description="Highest value the issue can take (must exceed low)."
    )
    unit: str = Field("", description="Unit shown in reports, e.g. 'hours' or 'share'.")
    description: str = Field("", description="What the issue means on the ground.")


class Position(Strict):
    """A party's stance on one issue: an ideal point, its weight and red lines."""

    ideal: float = Field(description="The value the party would choose alone.")
    salience: float = Field(1.0, ge=0, le=100, description="Relative weight of this issue.")
    min: float | None = Field(
        None, description="Hard limit: any package with this issue below it is unacceptable."
    )
    max: float | None = Field(
        None, description="Hard limit: any package with this issue above it is unacceptable."
    )


class Behaviour(Strict):
    """Behavioural parameters; all are per party and most are judgement, not fact."""

    concession: float = Field(
        1.0,
        gt=0,
        le=20,
        description="Concession exponent e: aspiration falls from 1 to no_deal as "
        "1 - (t/T)^(1/e); e<1 Boulware "
        "(holds firm until the deadline), e=1 linear, e>1 conceder.",
    )
    compliance: float = Field(
        0.5, ge=0, le=1, description="Intent to honour a ceasefire (0 none, 1 full)."
    )
    command_control: float = Field(
        0.8, ge=0, le=1, description="Share of the party's units that follow its orders."
    )
    attack_rate: float = Field(
        0.0, ge=0, le=1000, description="Attacks per day at war-time tempo, before restraint."
    )
    air_share: float = Field(
        0.0, ge=0, le=1, description="Share of its attacks delivered from the air."
    )
    retaliation: float = Field(
        0.0,
        ge=0,
        le=100,
        description="Extra violations per day per unit of fresh grievance (decays).",
    )
    strike_response: float = Field(
        0.0,
        ge=0,
        le=1,
        description="Probability of striking back at a spoiler after a spoiler attack "
        "correctly attributed to it.",
    )
    trust: float = Field(0.5, ge=0, le=1, description="Trust in the deal at its start.")
    tolerance: float = Field(
        0.0, ge=0, le=1, description="Withdraws when trust falls below this (0: never)."
    )
    sensitivity: float = Field(
        0.05, ge=0, le=1, description="Trust lost per perceived violation of unit severity."
    )
    leverage: float = Field(
        0.0,
        ge=0,
        le=1,
        description="Patrons: pressure on clients (utility added at ratification; in the "
        "ceasefire it closes this share of the gap to full compliance, 1 - (1 - c)(1 - "
        "leverage)). Mediators: pull of their text toward their own ideal.",
    )
    ratification_noise: float = Field(
        0.1, gt=0, le=10, description="Spread of the logistic ratification decision."
    )
    targeting_vulnerability: float = Field(
        0.0,
        ge=0,
        le=1,
        description="Spoilers: share of attack capacity removed by full joint targeting.",
    )
    colocation: float = Field(
        0.0,
        ge=0,
        le=1,
        description="Spoilers: how intermingled they are with their host's positions.",
    )


class Party(Strict):
    """An actor: patron, combatant, spoiler or mediator."""

    role: Role = Field(description="patron | combatant | spoiler | mediator.")
    patron: str | None = Field(None, description="Combatants: the patron negotiating for it.")
    opponent: str | None = Field(
        None, description="Armed parties: whom their attacks hit (default: the other side)."
    )
    host: str | None = Field(
        None, description="Spoilers: the combatant whose areas they share (blame falls on it)."
    )
    no_deal: float = Field(
        0.3, ge=0, le=1, description="Value of no agreement on the 0..1 utility scale "
        "(read for patrons and combatants only)."
    )
    no_deal_spread: float = Field(
        0.0,
        ge=0,
        le=1,
        description="Uncertainty about no_deal: each replication draws it uniformly within "
        "+/- this spread (kept within 0..1).",
    )
    label: str = Field("", description="Display name.", json_schema_extra={"maxLength": MAX_LABEL})
    positions: dict[str, Position] = Field(default_factory=dict)
    behaviour: Behaviour = Field(default_factory=Behaviour)


class Shocks(Strict):
    """Battlefield events during the talks that move the combatants' alternatives."""

    rate_per_day: float = Field(0.0, ge=0, le=100, description="Shocks per day (Poisson).")
    size: float = Field(0.05, ge=0, le=1, description="Change in no-deal value per shock.")
    gainer: str | None = Field(
        None, description="Combatant favoured by a shock with probability gainer_share."
    )
    gainer_share: float = Field(
        0.5, ge=0, le=1, description="Probability that a shock favours gainer (needs a gainer)."
    )
    patron_coupling: float = Field(
        0.5, ge=0, le=1, description="Share of a shock's size passed to the patron of each "
        "side, in the same direction (whole even where the client's value is at 0 or 1)."
    )


class Negotiation(Strict):
    """Timing of the talks."""

    round_interval_hours: float = Field(
        48.0, gt=0, le=10_000,
        description="Hours between rounds: rounds at 1x, 2x, ... this until the deadline.")
    deadline_hours: float = Field(
        720.0, gt=0, le=100_000, description="No agreement after this many hours from the "
        "opening of talks; patrons' aspirations reach their no_deal here.")
    shocks: Shocks = Field(default_factory=Shocks)


class Pause(Strict):
    """The humanitarian pause that opens the ceasefire."""

    hours: float = Field(48.0, ge=0, le=10_000, description="Used when no pause issue is agreed.")


class Later(Strict):
    """Terms that take effect while the ceasefire holds (the September 2016 deal's joint
    targeting, due after seven days of calm)."""

    after_hours: float = Field(
        gt=0, le=100_000, description="Hours from the ceasefire's start at which the terms "
        "take effect, if it still holds; below horizon_hours.")
    terms: dict[str, float] = Field(
        description="Issue -> value the ceasefire runs with from then on (as imposed does from "
        "the start); not the pause or aid access, whose convoys leave at the start.",
        json_schema_extra={"minProperties": 1})


class Convoys(Strict):
    """Aid convoys during the pause."""

    interval_hours: float = Field(12.0, gt=0, le=10_000, description="Hours between departures.")
    calm_hours: float = Field(6.0, gt=0, le=10_000, description="Calm needed to deliver.")
    max_per_pause: int = Field(
        0, ge=0, le=10_000, description="Convoys at full aid access (0: as many as fit)."
    )
    attack_probability: float = Field(
        0.3, ge=0, le=1, description="Chance a violation or spoiler attack hits each convoy "
        "on the road (strikes on a spoiler hit none)."
    )
    grave_severity: float = Field(
        3.0, ge=1, le=100, description="Severity multiplier of an attack on a convoy."
    )


class Monitoring(Strict):
    """How violations are seen and deterred."""

    notice: float = Field(
        0.7, ge=0, le=1, description="Chance a victim perceives a violation without monitors."
    )
    coverage: float = Field(
        1.0, ge=0, le=1, description="Chance monitors detect a violation at full verification."
    )
    deterrence: float = Field(
        0.3, ge=0, le=1, description="Share of combatants' baseline violations deterred by "
        "full verification (not their retaliation, nor spoiler attacks)."
    )
    reassurance: float = Field(
        0.5,
        ge=0,
        le=1,
        description="Share of a verified violation's cost (trust lost, grievance) absorbed "
        "by the mechanism: the victim sees it recorded and answered by the monitors "
        "instead of having to answer it itself.",
    )


class Links(Strict):
    """Which declared issue drives which mechanism (empty: the mechanism's fallback)."""

    delineation: str | None = "delineation"
    verification: str | None = "verification"
    joint_targeting: str | None = "joint_targeting"
    air_restraint: str | None = "air_restraint"
    aid_access: str | None = "aid_access"
    pause_hours: str | None = "pause_hours"


class Ceasefire(Strict):
    """Settings of the ceasefire phase."""

    start_delay_hours: float = Field(
        0.0, ge=0, le=10_000, description="Hours from agreement to the start of the "
        "ceasefire (nothing happens in between: it shifts the trace's times only).")
    horizon_hours: float = Field(
        720.0, gt=0, le=100_000, description="End of the simulated ceasefire, in hours from "
        "its start; hours held are censored here.")
    milestones: dict[str, float] = Field(
        default_factory=lambda: {"48h": 48.0, "7d": 168.0, "30d": 720.0},
        description="Label -> hours from the ceasefire start.",
        # (for editors: validation says the same in its own words, with the horizon)
        json_schema_extra={"minProperties": 1,
                           "additionalProperties": {"type": "number", "exclusiveMinimum": 0}},
    )
    retaliation_half_life_hours: float = Field(
        12.0, gt=0, le=10_000, description="Hours in which a party's grievance (and so its "
        "retaliation) halves.")
    settling_half_life_hours: float | None = Field(
        None,
        gt=0,
        le=100_000,
        description="Combatants' baseline violations fall toward settling_floor of their "
        "initial rate with this half-life as a ceasefire holds (the hazard of renewed "
        "fighting falls with time at peace). Omitted: no settling.",
    )
    settling_floor: float = Field(
        0.25, ge=0, le=1, description="Long-run share of the baseline violation rate."
    )
    trust_recovery_per_day: float = Field(
        0.1, ge=0, le=100, description="Rate at which lost trust returns toward its starting "
        "level in calm, for every signatory: a calm day returns 1 - exp(-rate) of it.")
    patron_share: float = Field(
        0.5, ge=0, le=1, description="Share of the severity of an act against a client that its "
        "patron feels (the patron loses its own sensitivity times that in trust)."
    )
    terms_effect: float = Field(
        0.5, ge=0, le=5, description="How much valued terms add to compliance."
    )
    max_acts: int = Field(
        100_000,
        ge=1,
        le=100_000_000,
        description="Acts (violations and spoiler attacks) one replication may reach before "
        "the run stops with an error: retaliation that feeds itself while nobody can "
        "withdraw never ends, and would otherwise exhaust time and memory.",
    )
    imposed: dict[str, float] = Field(
        default_factory=dict,
        description="Issue -> value the ceasefire runs with whatever was agreed (a "
        "counterfactual lever: 'what if delineation had really been complete?'). The "
        "agreed terms stay on record; compliance and every mechanism that reads the terms "
        "use these.",
    )
    later: Later | None = Field(
        None, description="Terms that take effect at a given hour if the ceasefire still "
        "holds then. Omitted: the terms hold unchanged.")
    pause: Pause = Field(default_factory=Pause)
    convoys: Convoys = Field(default_factory=Convoys)
    monitoring: Monitoring = Field(default_factory=Monitoring)
    links: Links = Field(default_factory=Links)


class Observed(Strict):
    """What happened historically, for the backtest (``run_sim.py backtest DIR``).

    The backtest scores the scenario's predicted P(agreement) and P(hold) at each
    milestone against these facts: a milestone counts as observed when the deal was
    agreed and ``hours_held`` reached it, unless ``milestones_reached`` says otherwise.
    """

    # what validation requires (sim.validation), for editors: the defaults tell a key left out
    model_config = ConfigDict(json_schema_extra={
        "required": ["agreed"], "if": {"properties": {"agreed": {"const": True}}},
        "then": {"required": ["hours_held", "collapsed"]}})

    agreed: bool = Field(True, description="The parties reached the deal (required).")
    hours_held: float = Field(
        0.0,
        ge=0,
        le=100_000,
        description="Hours from the ceasefire start to its collapse (best estimate); if it "
        "never collapsed, the hours it was seen to hold. 0 without agreement. Required once "
        "agreed.",
    )
    hours_held_range: list[float] | None = Field(
        None,
        min_length=2,
        max_length=2,
        description="[low, high]: the span the historical record allows for hours_held "
        "(e.g. sources disagree on the day); the backtest reports the percentile at both "
        "ends.",
    )
    collapsed: bool = Field(
        True, description="The ceasefire broke down (ignored without agreement). Required "
        "once agreed."
    )
    withdrew: str | None = Field(
        None, description="The party that walked out or declared the ceasefire over; \"\" "
        "for none (TOML has no null). Only with a "
        "ceasefire agreed and collapsed.",
    )
    milestones_reached: dict[str, Reached] = Field(
        default_factory=dict,
        description="Milestone label -> observed outcome (true or false), where the record "
        "says more than hours_held does, or \"unknown\" where it cannot tell (a collapse "
        "dated within hours of the milestone); an unknown milestone is left out of the "
        "scores. Required for a milestone inside hours_held_range.",
    )
    note: str = Field("", description="What happened, in a sentence or two.")
    sources: list[str] = Field(default_factory=list, description="Where the facts come from.")

    @field_validator("withdrew", mode="before")
    @classmethod
    def _none_when_empty(cls, value: object) -> object:
        return None if value == "" else value


class ScenarioSpec(Strict):
    """A whole scenario file."""

    name: str = Field(min_length=1, json_schema_extra={"maxLength": MAX_NAME})
    title: str = ""
    description: str = ""
    extends: str | None = Field(None, description="Parent scenario file, relative to this one.")
    sources: list[str] = Field(default_factory=list)
    issues: dict[str, IssueSpec]
    parties: dict[str, Party]
    negotiation: Negotiation = Field(default_factory=Negotiation)
    ceasefire: Ceasefire = Field(default_factory=Ceasefire)
    observed: Observed | None = None
