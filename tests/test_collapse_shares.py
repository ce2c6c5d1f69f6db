"""The summary's shares of collapses: each cause's share is of the ceasefires that
collapsed, not of every run, so the shares of the parties that withdrew add up to 1."""

from __future__ import annotations

import math

import pytest
from helpers import minimal_doc

from sim.records import Outcome, Results
from sim.scenario import scenario_from_dict
from sim.stats import summarize

HORIZON = 240.0


def outcome(i: int, *, agreed: bool = True, withdrew: str = "", trigger: str = "",
            misattributed: bool = False) -> Outcome:
    """One replication of the minimal scenario: agreed (or not), and collapsed at 30 h
    when some party withdrew."""
    collapsed = agreed and bool(withdrew)
    return Outcome(
        replication=i, agreed=agreed, agreement_hour=24.0 if agreed else math.nan, rounds=1,
        rejections=0, shocks=0, terms=(0.5,) if agreed else (math.nan,),
        hours_held=(30.0 if collapsed else HORIZON) if agreed else 0.0,
        collapsed=collapsed, withdrew=withdrew, trigger=trigger, blamed=trigger,
        misattributed=misattributed, delineation_hit=False, violations=(0, 0), convoys_sent=0,
        convoys_delivered=0, convoys_attacked=0, events=1,
    )


def test_collapse_causes_and_triggers_are_shares_of_the_collapses():
    """Four collapses among ten agreed runs and ten without a deal: red withdrew in
    three, blue in one; blue's acts triggered three, red's one, one of them
    misattributed."""
    rows = [outcome(0, withdrew="red", trigger="blue"),
            outcome(1, withdrew="red", trigger="blue", misattributed=True),
            outcome(2, withdrew="red", trigger="blue"),
            outcome(3, withdrew="blue", trigger="red")]
    rows += [outcome(4 + j) for j in range(6)]
    rows += [outcome(10 + j, agreed=False) for j in range(10)]
    res = Results.from_outcomes(rows, ("verification",), ("red", "blue"),
                                ("east", "west", "red", "blue"))
    summary = summarize(res, scenario_from_dict(minimal_doc()), seed=1)
    assert summary["collapse_causes"] == {"blue": pytest.approx(0.25), "red": pytest.approx(0.75)}
    assert summary["collapse_triggers"] == {"blue": pytest.approx(0.75), "red": pytest.approx(0.25)}
    assert math.fsum(summary["collapse_causes"].values()) == pytest.approx(1.0)
    assert summary["misattributed_share"] == pytest.approx(0.25)
