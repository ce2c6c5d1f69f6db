"""The historical backtest: scores on cases whose answer is known, percentiles, the CLI.

Oracles: a scenario in which nobody ever violates agrees at once and always holds, so
its forecasts are 1 and score a Brier of 0 against a ceasefire that held; one whose
principals' red lines exclude each other never agrees, so its forecasts are 0 and score
a Brier of 1 (and a log score of ln 1e-6) against the same record. A scenario whose
only violation source is Poisson with one violation enough to withdraw has exponential
hours held, so the percentile of an observed duration is known in closed form.
"""

from __future__ import annotations

import csv
import itertools
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from helpers import ROOT, cli, interrupt_chunk, minimal_doc, oracle_doc, with_keys
from hypothesis import given
from hypothesis import strategies as st

from sim.backtest import (
    BacktestTable,
    backtest_text,
    brier,
    log_score,
    observed_outcomes,
    percentile_of,
    run_backtest,
)
from sim.errors import ScenarioError
from sim.runner import Runner
from sim.scenario import load_scenario, scenario_from_dict
from sim.scoring import CLIP
from sim.toml_out import toml_dumps

HELD = {"agreed": True, "hours_held": 720.0, "collapsed": False}
"""The record of a ceasefire that held through a 720-hour horizon."""


def always_holds(name: str = "always", observed: dict[str, Any] | None = None) -> dict[str, Any]:
    """Agrees in round one (same ideals, certain ratification) and nobody violates."""
    doc = oracle_doc(0.0, 0.5, 0.1, 0.25)
    doc["name"] = name
    doc["observed"] = dict(HELD if observed is None else observed)
    return doc


def never_agrees(name: str = "never", observed: dict[str, Any] | None = None) -> dict[str, Any]:
    """The principals' hard limits exclude each other: no package is acceptable."""
    doc = always_holds(name, observed)
    doc["parties"]["east"]["positions"]["verification"] = {"ideal": 0.9, "min": 0.8}
    doc["parties"]["west"]["positions"]["verification"] = {"ideal": 0.1, "max": 0.2}
    return doc


def exponential_holds(observed: dict[str, Any]) -> dict[str, Any]:
    """One violation a day on average, and the first one ends it: Exp(1/24 h)."""
    doc = oracle_doc(1.0, 0.5, 0.5, 0.25, horizon=720.0)
    doc["name"] = "exponential"
    doc["observed"] = observed
    return doc


def put(directory: Path, *docs: dict[str, Any]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for doc in docs:
        (directory / f"{doc['name']}.toml").write_text(toml_dumps(doc), encoding="utf-8")
    return directory


def backtest(directory: Path, runs: int = 40, seed: int = 7) -> BacktestTable:
    return run_backtest(directory, Runner(workers=1), runs, seed)


# -- scoring rules -------------------------------------------------------------


def test_brier_and_log_score_of_certain_forecasts():
    assert brier(1.0, True) == 0.0 and brier(0.0, True) == 1.0 and brier(0.5, False) == 0.25
    assert log_score(1.0, True) == pytest.approx(math.log(1 - 1e-6))
    assert log_score(0.0, True) == pytest.approx(math.log(1e-6))
    assert log_score(0.25, False) == pytest.approx(math.log(0.75))


@given(st.floats(0, 1), st.booleans())
def test_scores_are_bounded(p, outcome):
    assert 0.0 <= brier(p, outcome) <= 1.0
    assert math.log(1e-6) - 1e-12 <= log_score(p, outcome) <= 0.0


# -- percentile ----------------------------------------------------------------


def test_percentile_counts_ties_half():
    sample = np.arange(10.0)
    assert percentile_of(5.0, sample) == 55.0
    assert percentile_of(4.5, sample) == 50.0
    assert percentile_of(-1.0, sample) == 0.0
    assert percentile_of(99.0, sample) == 100.0
    assert percentile_of(720.0, np.full(7, 720.0)) == 50.0
    assert math.isnan(percentile_of(1.0, np.array([])))


@given(st.lists(st.floats(0, 1e4), min_size=1, max_size=30), st.floats(0, 1e4),
       st.floats(0, 1e4))
def test_percentile_is_bounded_and_monotone(values, a, b):
    sample = np.array(values)
    lo, hi = sorted((a, b))
    assert 0.0 <= percentile_of(lo, sample) <= percentile_of(hi, sample) <= 100.0


def test_percentile_of_an_exponential_duration_matches_its_cdf(tmp_path: Path):
    """Hours held are Exp(mean 24 h); the observed 10 h (range 5..40 h) sits at the CDF."""
    observed = {"agreed": True, "hours_held": 10.0, "hours_held_range": [5.0, 40.0],
                "collapsed": True, "milestones_reached": {}}
    doc = exponential_holds(observed)
    doc["ceasefire"]["milestones"] = {"48h": 48.0, "7d": 168.0, "30d": 720.0}
    table = backtest(put(tmp_path / "d", doc), runs=3000, seed=3)
    row = table.rows[0]

    def cdf(h: float) -> float:
        return 100.0 * (1.0 - math.exp(-h / 24.0))

    # 3000 draws: the standard error of a percentile is at most 0.9 points
    assert row["percentile"] == pytest.approx(cdf(10.0), abs=3.5)
    low, high = row["percentile_range"]
    assert low == pytest.approx(cdf(5.0), abs=3.5)
    assert high == pytest.approx(cdf(40.0), abs=3.5)
    assert row["percentile_censored"] is False
    assert row["median_hold_hours"] == pytest.approx(24.0 * math.log(2.0), rel=0.1)


# -- scores on known answers ---------------------------------------------------


def test_a_scenario_that_always_holds_scores_zero_against_a_ceasefire_that_held(tmp_path):
    table = backtest(put(tmp_path / "d", always_holds()))
    row = table.rows[0]
    assert row["p_agreement"]["estimate"] == 1.0
    assert all(p["estimate"] == 1.0 for p in row["p_hold"].values())
    assert row["observed"]["held"] == {"48h": True, "7d": True, "30d": True}
    sc = table.scores
    assert sc["cases"] == 1
    assert sc["agreement"]["brier"]["model"] == 0.0
    for label in ("48h", "7d", "30d"):
        assert sc["milestones"][label]["brier"]["model"] == 0.0
        assert sc["milestones"][label]["log_score"]["model"] == pytest.approx(math.log(1 - 1e-6))
    assert sc["all_milestones"]["brier"]["model"] == 0.0
    assert sc["all_milestones"]["pairs"] == 3
    assert sc["clipped"] == []  # certain, and right
    # held to the horizon, like every run: censored, and in the middle of the ties
    assert row["percentile"] == 50.0 and row["percentile_censored"] is True


def test_a_scenario_that_never_agrees_scores_one_against_a_ceasefire_that_held(tmp_path):
    table = backtest(put(tmp_path / "d", never_agrees()))
    row = table.rows[0]
    assert row["p_agreement"]["estimate"] == 0.0
    assert row["median_hold_hours"] is None and row["percentile"] is None
    sc = table.scores
    assert sc["agreement"]["brier"]["model"] == 1.0
    for label in ("48h", "7d", "30d"):
        assert sc["milestones"][label]["brier"]["model"] == 1.0
        assert sc["milestones"][label]["log_score"]["model"] == pytest.approx(math.log(1e-6))
        # one case: the base rate is its own outcome
        assert sc["milestones"][label]["brier"]["base_rate"] == 0.0
    # every forecast gave what happened none of the runs: each is the clip's score, listed
    name = row["scenario"]
    assert sc["clipped"] == [{"scenario": name, "event": e}
                             for e in ("agreement", "hold 48h", "hold 7d", "hold 30d")]
    text = backtest_text(table)
    assert "Clipped: the model gave what happened none of its" in text
    assert f"{name} hold 30d" in text.replace("\n", " ") and "-13.8" in text


def test_base_rate_is_the_mean_observed_outcome_across_cases(tmp_path):
    no_deal = {"agreed": False, "hours_held": 0.0}
    table = backtest(put(tmp_path / "d", always_holds("a_held"),
                         never_agrees("b_no_deal", no_deal)))
    assert [r["scenario"] for r in table.rows] == ["a_held", "b_no_deal"]
    sc = table.scores
    for s in [sc["agreement"], *sc["milestones"].values()]:
        assert s["cases"] == 2
        assert s["base_rate"] == 0.5
        assert s["brier"]["model"] == 0.0       # both forecasts were certain and right
        assert s["brier"]["base_rate"] == 0.25
        assert s["log_score"]["base_rate"] == pytest.approx(math.log(0.5))
    assert sc["all_milestones"]["brier"]["base_rate"] == 0.25
    # left out, each case's base rate is the other's outcome: certain, and wrong
    for s in [sc["agreement"], *sc["milestones"].values(), sc["all_milestones"]]:
        loo = s["leave_one_out"]
        assert loo["pairs"] == loo["of"] > 0
        assert loo["brier"] == {"model": 0.0, "base_rate": 1.0}
        assert loo["log_score"]["base_rate"] == pytest.approx(math.log(CLIP))


def test_the_leave_one_out_base_rate_is_the_mean_of_the_other_cases():
    """Three cases of an event, two held: the held ones get 1/2, the other 1; one case
    alone has no other to give it a rate, and is left out of the pooled score."""
    from sim.scoring import compute_scores

    def row(name: str, p: float, held: dict[str, bool]) -> dict[str, Any]:
        estimate = {"estimate": p, "low": p, "high": p}
        return {"scenario": name, "p_agreement": estimate, "milestones": {"7d": 168.0, "9d": 216.0},
                "p_hold": dict.fromkeys(held, estimate),
                "observed": {"agreed": True, "held": held}}

    rows = [row("a", 0.8, {"7d": True}), row("b", 0.6, {"7d": True}),
            row("c", 0.3, {"7d": False, "9d": False})]
    sc = compute_scores(rows)
    loo = sc["milestones"]["7d"]["leave_one_out"]
    assert loo["pairs"] == loo["of"] == 3
    assert loo["brier"]["base_rate"] == pytest.approx((0.25 + 0.25 + 1.0) / 3)
    assert loo["brier"]["model"] == pytest.approx((0.04 + 0.16 + 0.09) / 3)
    assert sc["milestones"]["9d"]["leave_one_out"]["pairs"] == 0
    pooled = sc["all_milestones"]["leave_one_out"]
    assert (pooled["pairs"], pooled["of"]) == (3, 4)
    assert pooled["brier"]["model"] == pytest.approx(loo["brier"]["model"])  # 9d's left out
    assert sc["all_milestones"]["brier"]["model"] == pytest.approx((0.04 + 0.16 + 0.09 + 0.09) / 4)


def test_milestones_reached_overrides_the_duration(tmp_path):
    observed = {"agreed": True, "hours_held": 170.0, "hours_held_range": [160.0, 175.0],
                "collapsed": True, "milestones_reached": {"7d": False}}
    table = backtest(put(tmp_path / "d", always_holds(observed=observed)))
    held = table.rows[0]["observed"]["held"]
    assert held == {"48h": True, "7d": False, "30d": False}
    assert table.scores["milestones"]["7d"]["brier"]["model"] == 1.0


def test_milestones_after_a_still_holding_record_are_not_scored(tmp_path):
    observed = {"agreed": True, "hours_held": 100.0, "collapsed": False}
    table = backtest(put(tmp_path / "d", always_holds(observed=observed)))
    assert table.rows[0]["observed"]["held"] == {"48h": True, "7d": None, "30d": None}
    assert table.scores["milestones"]["7d"]["cases"] == 0
    assert table.scores["all_milestones"]["pairs"] == 1


# -- the observed record must fit its scenario -------------------------------------


@pytest.mark.parametrize(
    ("observed", "path"),
    [
        ({"hours_held": 800.0}, "observed.hours_held"),
        ({"hours_held": 700.0, "hours_held_range": [650.0, 760.0]}, "observed.hours_held_range"),
        ({"hours_held": 170.0, "hours_held_range": [160.0, 175.0]},
         "observed.milestones_reached.7d"),
        ({"hours_held": 50.0, "milestones_reached": {"9d": True}},
         "observed.milestones_reached.9d"),
        ({"hours_held": 50.0, "withdrew": "nobody"}, "observed.withdrew"),
        # a milestone at the range's upper end may or may not have been reached
        ({"hours_held": 160.0, "hours_held_range": [150.0, 168.0]},
         "observed.milestones_reached.7d"),
        # reached beyond the collapse the record gives
        ({"hours_held": 100.0, "milestones_reached": {"7d": True}},
         "observed.milestones_reached.7d"),
        ({"hours_held": 100.0, "hours_held_range": [90.0, 120.0],
          "milestones_reached": {"30d": True}}, "observed.milestones_reached.30d"),
        # reached after an earlier milestone was not: the stated one is at fault...
        ({"hours_held": 700.0, "milestones_reached": {"48h": False}},
         "observed.milestones_reached.48h"),
        # ...the later one when both are stated
        ({"hours_held": 30.0, "collapsed": False,
          "milestones_reached": {"48h": False, "30d": True}},
         "observed.milestones_reached.30d"),
    ],
)
def test_an_observed_record_that_does_not_fit_is_a_scenario_error(observed, path):
    sc = scenario_from_dict(always_holds(observed={"agreed": True, "collapsed": True,
                                                   **observed}))
    with pytest.raises(ScenarioError) as err:
        observed_outcomes(sc)
    assert err.value.path == path


def test_a_record_that_says_more_than_hours_held_is_accepted():
    """What ``milestones_reached`` is for: a truce that nominally lasted seven days
    although the seven days of calm it required never came; and a milestone stated
    reached, within the range of a collapse, before a later one not reached."""
    for observed, held in (
            ({"hours_held": 200.0, "milestones_reached": {"7d": False}},
             {"48h": True, "7d": False, "30d": False}),
            ({"hours_held": 160.0, "hours_held_range": [150.0, 180.0],
              "milestones_reached": {"7d": True}}, {"48h": True, "7d": True, "30d": False})):
        sc = scenario_from_dict(always_holds(observed={"agreed": True, "collapsed": True,
                                                       **observed}))
        assert observed_outcomes(sc) == held


@pytest.mark.parametrize(
    ("observed", "path"),
    [
        ({"agreed": True, "collapsed": True, "hours_held": 10.0, "hours_held_range": [20.0, 30.0]},
         "observed.hours_held_range"),
        ({"agreed": True, "collapsed": True, "hours_held": 10.0, "hours_held_range": [5.0]},
         "observed.hours_held_range"),
        # a record that leaves these to their defaults would be a collapse at hour 0
        ({"note": "what happened", "sources": ["somewhere"]}, "observed.agreed"),
        ({"agreed": True, "withdrew": "blue"}, "observed.hours_held"),
        ({"agreed": True, "hours_held": 50.0}, "observed.collapsed"),
        ({"agreed": False, "hours_held": 10.0}, "observed.hours_held"),
        ({"agreed": False, "milestones_reached": {"48h": True}},
         "observed.milestones_reached.48h"),
        ({"agreed": True, "collapsed": False, "hours_held": 100.0, "withdrew": "blue"},
         "observed.withdrew"),
        ({"agreed": False, "withdrew": "blue"}, "observed.withdrew"),
    ],
)
def test_an_inconsistent_observed_section_fails_validation(observed, path):
    """Each names the key at fault (the whole section, dumped and cut short, it was)."""
    with pytest.raises(ScenarioError) as err:
        scenario_from_dict(always_holds(observed=observed))
    assert err.value.path == path


def test_an_empty_withdrew_is_none_and_a_child_s_record_is_its_own(tmp_path):
    """TOML has no null: ``withdrew = ""`` records that nobody withdrew. A child's
    [observed] is its own, nothing of its parent's kept (the parent's ``withdrew`` would
    contradict a record of a ceasefire that held)."""
    parent = always_holds(observed={"agreed": True, "collapsed": True, "hours_held": 50.0,
                                    "withdrew": "blue"})
    child = {"observed": {"agreed": True, "collapsed": False, "hours_held": 100.0,
                          "withdrew": ""}}
    assert scenario_from_dict(parent).spec.observed.withdrew == "blue"
    (tmp_path / "parent.toml").write_text(toml_dumps(parent))
    (tmp_path / "child.toml").write_text('extends = "parent.toml"\nname = "child"\n'
                                         + toml_dumps(child))
    assert load_scenario(tmp_path / "child.toml").spec.observed.withdrew is None
    (tmp_path / "kept.toml").write_text('extends = "parent.toml"\nname = "kept"\n'
                                        '[observed]\nagreed = true\ncollapsed = false\n'
                                        'hours_held = 100.0\n')
    assert load_scenario(tmp_path / "kept.toml").spec.observed.withdrew is None


def test_the_repository_scenarios_load_and_their_records_fit():
    files = sorted((ROOT / "scenarios").glob("*.toml"))
    observed = 0
    for path in files:
        sc = load_scenario(path)
        if sc.spec.observed is not None:
            observed += 1
            outcomes = observed_outcomes(sc)
            # every outcome known, but one the record states it cannot tell
            unknown = {k for k, v in sc.spec.observed.milestones_reached.items()
                       if v == "unknown"}
            assert {k for k, v in outcomes.items() if v is None} == unknown, path
    assert observed >= 2


def test_a_milestone_the_record_cannot_place_is_unknown_and_not_scored(tmp_path):
    """The September 2016 truce was declared over 168 hours in, give or take six: its
    7-day milestone was scored 'not reached' on a week of calm the model does not
    forecast. 'unknown' leaves such a milestone out of the scores."""
    doc = minimal_doc()
    doc["ceasefire"]["milestones"] = {"48h": 48.0, "7d": 168.0}
    doc["observed"] = {"agreed": True, "collapsed": True, "hours_held": 168.0,
                       "hours_held_range": [162.0, 174.0],
                       "milestones_reached": {"7d": "unknown"}}
    path = tmp_path / "case.toml"
    path.write_text(toml_dumps(doc), encoding="utf-8")
    assert observed_outcomes(load_scenario(path)) == {"48h": True, "7d": None}
    doc["observed"]["milestones_reached"] = {"7d": "maybe"}
    path.write_text(toml_dumps(doc), encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    assert err.value.path == "observed.milestones_reached.7d" and err.value.value == "maybe"
    assert err.value.allowed == 'true, false, or "unknown" where the record cannot tell'
    assert not err.value.more  # one message, not one per branch of the type
    del doc["observed"]["milestones_reached"]
    path.write_text(toml_dumps(doc), encoding="utf-8")
    with pytest.raises(ScenarioError, match=r'state whether it was reached \(true or false\), or '
                                            r'"unknown" where the record cannot tell'):
        observed_outcomes(load_scenario(path))


# -- directories -----------------------------------------------------------------


def test_one_label_at_other_hours_in_another_case_is_refused(tmp_path):
    """The scores pool each label's forecasts across the cases: a 7d at 100 hours beside
    the others' 7d at 168 was scored as the same event, and reported at 168 hours."""
    other = always_holds("other")
    other["ceasefire"]["milestones"] = {"48h": 48.0, "7d": 100.0, "30d": 720.0}
    with pytest.raises(ScenarioError) as err:
        backtest(put(tmp_path / "d", always_holds("first"), other))
    assert err.value.path == "ceasefire.milestones.7d" and err.value.value == 100.0
    assert "168, as in" in err.value.allowed and "first.toml" in err.value.allowed


def test_files_without_observed_are_skipped(tmp_path):
    d = put(tmp_path / "d", always_holds(), with_keys(minimal_doc(), name="plain"))
    table = backtest(d)
    assert [r["scenario"] for r in table.rows] == ["always"]
    assert [Path(s).name for s in table.skipped] == ["plain.toml"]
    text = backtest_text(table)
    assert "always" in text and "plain.toml" in text and "Brier" in text


def test_a_directory_without_observed_scenarios_is_a_scenario_error(tmp_path):
    d = put(tmp_path / "d", with_keys(minimal_doc(), name="plain"))
    with pytest.raises(ScenarioError) as err:
        backtest(d)
    # (a count of files is no bad value: it read "observed: bad value '1 scenario file(s)'")
    assert err.value.value is None and err.value.message() == (
        f"{d}: no scenario to score: its one scenario file has no [observed] section (what "
        "happened historically: agreed, hours_held, ...) for the backtest to score its "
        "predictions against")
    with pytest.raises(ScenarioError):
        backtest(tmp_path / "empty_missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ScenarioError) as err:
        backtest(tmp_path / "empty")
    assert "it holds no scenario file (*.toml) with an [observed] section" in err.value.message()


def test_a_bad_scenario_file_is_a_scenario_error(tmp_path):
    d = put(tmp_path / "d", always_holds())
    (d / "broken.toml").write_text("name = \n", encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        backtest(d)
    assert "broken.toml" in err.value.file


def test_csv_has_a_row_per_scenario_and_per_score(tmp_path):
    table = backtest(put(tmp_path / "d", always_holds("a"), never_agrees("b")))
    path = tmp_path / "backtest.csv"
    table.write_csv(path)
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    kinds = [r["kind"] for r in rows]
    assert kinds == ["scenario", "scenario"] + ["score"] * 11
    assert [r["scenario"] for r in rows[:2]] == ["a", "b"]
    scores = {r["scenario"]: r for r in rows if r["kind"] == "score"}
    assert float(scores["brier_model"]["p_hold_7d"]) == 0.5
    assert float(scores["brier_base_rate"]["p_hold_7d"]) == 0.0  # both held: base rate 1
    assert float(scores["base_rate"]["p_agreement"]) == 1.0
    assert float(scores["loo_pairs"]["p_hold_7d"]) == 2  # each has the other
    assert float(scores["brier_loo_base_rate"]["p_hold_7d"]) == 0.0
    assert float(scores["brier_model_loo"]["all_milestones"]) == float(
        scores["brier_model"]["all_milestones"])
    assert float(rows[0]["p_hold_48h"]) == 1.0 and float(rows[1]["p_hold_48h"]) == 0.0
    json.dumps(table.as_dict())  # JSON-able as it stands


def test_calibration_figure_is_written(tmp_path):
    from plots.calibration import calibration_figure, draw_calibration

    table = backtest(put(tmp_path / "d", always_holds("a"), never_agrees("b")))
    drawn = calibration_figure(table)
    assert [b["event"] for b in drawn.data["brier"]] == [
        "agreement", "holds 48h", "holds 7d", "holds 30d", "all holds"]
    path = draw_calibration(table, tmp_path / "fig", "png")
    assert path.name == "calibration.png" and path.stat().st_size > 10_000


def test_the_calibration_figure_says_what_the_text_says(tmp_path):
    """A median beyond the horizon read 'predicted median 720 h' (the text: '> 720 h');
    a backtest under --set looked like the shipped one; the uninformed forecast, the
    bar a forecast must clear, was nowhere; an unknown outcome was a missing mark with
    no word of why."""
    from matplotlib.lines import Line2D

    from plots.calibration import calibration_figure

    sets = ["parties.opposition.behaviour.sensitivity=0.04",
            "parties.regime.behaviour.sensitivity=0.03"]
    table = run_backtest(ROOT / "scenarios", Runner(workers=1), 200, 2016, overrides=sets)
    drawn = calibration_figure(table)
    top, brier, durations = drawn.figure.axes[:3]
    september = next(p for p in drawn.data["percentiles"] if p["scenario"].startswith("kerry"))
    assert september["median_censored"]
    texts = [t.get_text() for t in durations.texts]
    assert f"observed 168 h, predicted median > {september['median']:.0f} h" in texts
    # every label within the panel: one at the 88th percentile ran over its axis
    drawn.figure.canvas.draw()
    panel = durations.get_window_extent()
    for label in durations.texts:
        box = label.get_window_extent()
        assert panel.x0 <= box.x0 and box.x1 <= panel.x1, label.get_text()
    # each just above its case's bar, in its colour: with ten cases, a label placed
    # between two rows read as either's
    labels = [t for t in durations.texts if t.get_text().startswith("observed")]
    assert [t.xy[1] for t in labels] == list(range(len(drawn.data["percentiles"])))
    bars = [ln for ln in durations.get_lines() if ln.get_linewidth() == 3]
    assert [t.get_color() for t in labels] == [ln.get_color() for ln in bars]
    assert ", ".join(sets) in " ".join(drawn.figure.get_supxlabel().split())
    dashed = [ln for ln in brier.get_lines() if ln.get_linestyle() == "--"]
    assert [list(ln.get_ydata()) for ln in dashed] == [[0.25, 0.25]]
    labels = [t.get_text() for t in brier.get_legend().get_texts()]
    assert "an even chance for every event (0.250)" in labels
    legend = [t.get_text() for t in top.get_legend().get_texts()]
    assert "no mark: outcome unknown,\nnot scored" in legend
    assert isinstance(top.get_legend().legend_handles[-1], Line2D)


def test_a_case_s_forecast_line_is_not_drawn_across_an_event_it_lacks(tmp_path):
    """A case without another's 72h milestone had its line run straight from 48h to 7d,
    through the 72h column, where it read as a forecast it never made."""
    import math

    from plots.calibration import calibration_figure

    longer = always_holds("longer")
    longer["ceasefire"]["milestones"] = {"48h": 48.0, "72h": 72.0, "7d": 168.0, "30d": 720.0}
    table = backtest(put(tmp_path / "d", always_holds("a"), longer))
    top = calibration_figure(table).figure.axes[0]
    joined = [line for line in top.get_lines() if line.get_alpha() == 0.6]
    ys = [list(line.get_ydata()) for line in joined]
    assert len(ys) == 2 and sum(math.isnan(y) for y in ys[0]) == 1  # a: no 72h
    assert not any(math.isnan(y) for y in ys[1])


def test_a_base_rate_with_no_bar_has_no_legend_entry(tmp_path):
    """With one case no leave-one-out base rate exists, yet the legend named it."""
    from plots.calibration import calibration_figure

    one = calibration_figure(backtest(put(tmp_path / "one", always_holds("a"))))
    two = calibration_figure(backtest(put(tmp_path / "two", always_holds("a"), always_holds("b"))))
    names = [[t.get_text() for t in d.figure.axes[1].get_legend().get_texts()] for d in (one, two)]
    assert "base rate of the other cases" not in names[0]
    assert "base rate of the other cases" in names[1]


def test_equal_brier_scores_side_by_side_share_one_label():
    """Perfect scores drew a "0.00" on each bar of an event, edge to edge, in a row
    that read as one block: bars side by side that read the same share one label."""
    from plots.calibration import calibration_figure

    table = run_backtest(ROOT / "scenarios", Runner(workers=1), 200, 2016)
    drawn = calibration_figure(table)
    brier = drawn.figure.axes[1]
    events = [b["event"] for b in drawn.data["brier"]]
    agreement = drawn.data["brier"][events.index("agreement")]
    assert agreement["model"] == agreement["base_rate"] == agreement["loo"] == 0.0
    for k, bar in enumerate(drawn.data["brier"]):
        labels = [t for t in brier.texts if abs(t.get_position()[0] - k) < 0.5
                  and t.get_text() != "n/a"]
        scores = [f"{bar[key]:.3f}" for key in ("model", "base_rate", "loo")
                  if not math.isnan(bar[key])]
        runs = [s for j, s in enumerate(scores) if not j or s != scores[j - 1]]
        assert [t.get_text() for t in labels] == runs, bar["event"]
    (zero,) = [t for t in brier.texts if abs(t.get_position()[0] - events.index("agreement")) < 0.5
               and t.get_text() != "n/a"]
    assert zero.get_position()[0] == pytest.approx(events.index("agreement"))  # over all three
    # a bar left out (no other case) parts two equal scores: each keeps its own label
    from plots.calibration import bar_labels

    assert [xs for xs, _ in bar_labels([(0.0, 0.0), (0.54, 0.0)], 0.27)] == [[0.0], [0.54]]
    # and no label runs into another
    fig = drawn.figure
    fig.canvas.draw()
    boxes = [t.get_window_extent(fig.canvas.get_renderer()).expanded(1.1, 1.0)
             for t in brier.texts]
    assert not any(a.overlaps(b) for a, b in itertools.combinations(boxes, 2))


def test_the_percentile_panel_s_axis_label_stays_over_its_own_panel(tmp_path):
    """With short scenario names, the percentile panel's one-line axis label was wider
    than the panel and ran under the Brier scores' event labels."""
    from plots.calibration import calibration_figure

    table = backtest(put(tmp_path / "d", always_holds("a"), always_holds("c"), never_agrees("b")))
    fig = calibration_figure(table).figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    brier, percentiles = fig.axes[1], fig.axes[2]
    label = percentiles.xaxis.label.get_window_extent(renderer)
    assert label.x0 >= brier.get_tightbbox(renderer).x1


# -- command line ------------------------------------------------------------------


def test_cli_backtest_writes_csv_and_prints_the_table(tmp_path):
    d = put(tmp_path / "d", always_holds("a"), never_agrees("b"))
    out = tmp_path / "out"
    proc = cli("backtest", str(d), "--runs", "20", "--workers", "1", "--no-progress",
               "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert (out / "backtest.csv").exists()
    assert "Brier" in proc.stdout and "a" in proc.stdout
    proc = cli("backtest", str(d), "--runs", "20", "--workers", "1", "--no-progress", "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["scores"]["agreement"]["cases"] == 2
    assert [r["scenario"] for r in data["rows"]] == ["a", "b"]


def test_cli_backtest_exits_2_without_observed_scenarios(tmp_path):
    d = put(tmp_path / "d", with_keys(minimal_doc(), name="plain"))
    proc = cli("backtest", str(d), "--runs", "5", "--workers", "1", "--no-progress")
    assert proc.returncode == 2
    assert "[observed]" in proc.stderr and "Traceback" not in proc.stderr
    proc = cli("backtest", str(tmp_path / "missing"), "--runs", "5", "--no-progress")
    assert proc.returncode == 2


def test_set_applies_to_every_scenario_and_is_on_record(tmp_path):
    """``backtest --set`` changes every scenario (here: each violation costs less trust,
    so the ceasefire ends at the third violation instead of the first)."""
    d = put(tmp_path / "d", exponential_holds({"agreed": True, "collapsed": True,
                                                "hours_held": 24.0}))
    plain = backtest(d)
    milder = run_backtest(d, Runner(workers=1), 40, 7,
                           ["parties.blue.behaviour.sensitivity=0.1"])
    assert plain.overrides == [] and milder.overrides == ["parties.blue.behaviour.sensitivity=0.1"]
    assert milder.rows[0]["p_hold"]["7d"]["estimate"] > plain.rows[0]["p_hold"]["7d"]["estimate"]
    proc = cli("backtest", str(d), "--runs", "20", "--workers", "1", "--no-progress", "--json",
               "--set", "parties.blue.behaviour.sensitivity=0.1")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["overrides"] == ["parties.blue.behaviour.sensitivity=0.1"]


def test_an_interrupted_backtest_scores_the_scenarios_that_finished(tmp_path, monkeypatch):
    d = put(tmp_path / "d", always_holds("a"), always_holds("b"))
    interrupt_chunk(monkeypatch, 2)  # scenario a is one chunk; stop during b
    table = backtest(d, runs=40)
    assert table.partial and [r["scenario"] for r in table.rows] == ["a"]
    assert table.as_dict()["partial"] is True and "PARTIAL" in backtest_text(table)
    # the saved table and figure say so too: they looked like a whole backtest's
    table.write_csv(tmp_path / "backtest.csv")
    with (tmp_path / "backtest.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    assert rows and {row["partial"] for row in rows} == {"1"}
    from plots.calibration import calibration_figure

    caption = calibration_figure(table).figure.get_supxlabel()
    assert caption.startswith("PARTIAL: interrupted, the cases scored before it  ·  1 ")
    whole = backtest(d, runs=40)
    whole.write_csv(tmp_path / "whole.csv")
    with (tmp_path / "whole.csv").open() as fh:
        assert {row["partial"] for row in csv.DictReader(fh)} == {"0"}
    assert "PARTIAL" not in calibration_figure(whole).figure.get_supxlabel()


def test_a_backtest_stopped_before_any_scenario_finished_is_an_interruption(tmp_path,
                                                                          monkeypatch):
    """Not an empty table marked partial: there is nothing to score or to save."""
    d = put(tmp_path / "d", always_holds("a"), always_holds("b"))
    interrupt_chunk(monkeypatch, 1)
    with pytest.raises(KeyboardInterrupt):
        backtest(d, runs=40)


def _backtest(tmp_path, doc, runs=400, seed=3):
    from sim.backtest import run_backtest
    from sim.toml_out import toml_dumps

    d = tmp_path / "d"
    d.mkdir()
    (d / f"{doc['name']}.toml").write_text(toml_dumps(doc), encoding="utf-8")
    return run_backtest(d, Runner(workers=1), runs, seed)


def _oracle(name, rate, observed):
    from helpers import oracle_doc

    doc = oracle_doc(rate, 0.5, 0.5, 0.25, horizon=720.0)
    doc["name"] = name
    doc["observed"] = observed
    return doc


def test_backtest_csv_puts_the_low_percentile_in_percentile_low(tmp_path):
    import csv

    from helpers import oracle_doc

    doc = oracle_doc(1.0, 0.5, 0.5, 0.25, horizon=720.0)
    doc["name"] = "exponential"
    doc["observed"] = {"agreed": True, "hours_held": 10.0, "hours_held_range": [5.0, 40.0],
                       "collapsed": True}
    table = _backtest(tmp_path, doc)
    low, high = table.rows[0]["percentile_range"]
    assert low < high
    table.write_csv(tmp_path / "backtest.csv")
    with (tmp_path / "backtest.csv").open(newline="") as fh:
        row = next(csv.DictReader(fh))
    assert float(row["percentile_low"]) == low and float(row["percentile_high"]) == high
    assert float(row["observed_hours_low"]) == 5.0 and float(row["observed_hours_high"]) == 40.0


def test_a_collapse_observed_at_the_horizon_is_a_censored_percentile(tmp_path):
    """Runs are censored at the horizon, so an observed duration at (or past) it is a
    lower bound there, even if the ceasefire then collapsed."""
    from helpers import oracle_doc

    doc = oracle_doc(0.05, 0.5, 0.5, 0.25, horizon=720.0)
    doc["name"] = "late"
    doc["observed"] = {"agreed": True, "hours_held": 720.0, "collapsed": True,
                       "withdrew": "blue"}
    row = _backtest(tmp_path, doc).rows[0]
    assert row["percentile_censored"] is True


def test_the_share_of_collapses_with_the_observed_party_withdrawing_counts_collapses_only(
        tmp_path):
    """Only blue ever withdraws; some runs hold to the horizon. Among collapses, blue
    withdrew in all of them: the share is 1, not the share of all runs."""
    from helpers import oracle_doc

    doc = oracle_doc(0.05, 0.5, 0.5, 0.25, horizon=720.0)
    doc["name"] = "sometimes"
    doc["observed"] = {"agreed": True, "hours_held": 100.0, "collapsed": True,
                       "withdrew": "blue"}
    table = _backtest(tmp_path, doc)
    row = table.rows[0]
    assert 0.0 < row["p_hold"]["30d"]["estimate"] < 1.0  # some runs held, some collapsed
    assert row["p_withdrew_observed"] == 1.0


def test_backtest_csv_leaves_a_milestone_the_record_cannot_settle_empty(tmp_path):
    import csv

    observed = {"agreed": True, "hours_held": 100.0, "collapsed": False}
    table = _backtest(tmp_path, _oracle("still", 0.0, observed), runs=20)
    assert table.rows[0]["observed"]["held"] == {"48h": True, "7d": None, "30d": None}
    table.write_csv(tmp_path / "backtest.csv")
    with (tmp_path / "backtest.csv").open(newline="") as fh:
        row = next(csv.DictReader(fh))
    assert (row["observed_48h"], row["observed_7d"], row["observed_30d"]) == ("1", "", "")


def test_a_record_longer_than_the_horizon_ranks_as_a_tie_with_runs_censored_there(tmp_path):
    """Nobody violates: every run holds to the 720 h horizon. A ceasefire observed still
    holding after 1000 h is, at the horizon, a tie with all of them: percentile 50."""
    observed = {"agreed": True, "hours_held": 1000.0, "collapsed": False}
    row = _backtest(tmp_path, _oracle("long", 0.0, observed), runs=20).rows[0]
    assert row["percentile"] == 50.0 and row["percentile_censored"] is True


def test_the_record_is_checked_before_any_scenario_runs(tmp_path, monkeypatch):
    """A record that does not fit (b's withdrawing party does not exist) is refused
    before a's runs are spent."""
    from sim.backtest import run_backtest
    from sim.errors import ScenarioError
    from sim.toml_out import toml_dumps

    d = tmp_path / "d"
    d.mkdir()
    good = _oracle("a", 0.0, {"agreed": True, "hours_held": 720.0, "collapsed": False})
    bad = _oracle("b", 0.0, {"agreed": True, "hours_held": 50.0, "collapsed": True,
                             "withdrew": "nobody"})
    for doc in (good, bad):
        (d / f"{doc['name']}.toml").write_text(toml_dumps(doc), encoding="utf-8")
    runs = []
    monkeypatch.setattr(Runner, "run", lambda self, *a, **k: runs.append(a) or None)
    with pytest.raises(ScenarioError, match=r"observed\.withdrew"):
        run_backtest(d, Runner(workers=1), 20, 3)
    assert runs == []


def test_the_observed_duration_is_ranked_among_agreed_runs_only(tmp_path):
    """Runs without agreement held nothing (0 h): ranked among them too, an observed
    duration would look longer than the forecast expected. Four agreed runs held 10, 20,
    30 and 40 h, four never agreed: 25 h sits at the 50th percentile, not the 75th."""
    from sim.model import armed_parties
    from sim.observed import scenario_row
    from sim.records import Outcome, Results
    from sim.scenario import scenario_from_dict

    sc = scenario_from_dict(_oracle("ranked", 1.0, {"agreed": True, "hours_held": 25.0,
                                                     "collapsed": True, "withdrew": "blue"}))

    def run(i: int, held: float | None) -> Outcome:
        agreed = held is not None
        return Outcome(replication=i, agreed=agreed, agreement_hour=1.0 if agreed else math.nan,
                       rounds=1, rejections=0, shocks=0,
                       terms=(0.0,) if agreed else (math.nan,), hours_held=held or 0.0,
                       collapsed=agreed, withdrew="blue" if agreed else "",
                       trigger="red" if agreed else "", blamed="red" if agreed else "",
                       misattributed=False, delineation_hit=False, violations=(3, 0),
                       convoys_sent=0, convoys_delivered=0, convoys_attacked=0, events=5)

    held = [10.0, None, 20.0, None, 30.0, None, 40.0, None]
    results = Results.from_outcomes([run(i, h) for i, h in enumerate(held)], sc.issues,
                                    armed_parties(sc), sc.order)
    assert scenario_row(sc, results)["percentile"] == 50.0


def test_two_scored_scenarios_with_one_name_are_refused(tmp_path):
    """The table, the text and the figure tell the cases apart by name: two of one name
    drew one legend entry twice and coloured a case as the other."""
    d = put(tmp_path / "d", always_holds("a"))
    (d / "b.toml").write_text(toml_dumps(always_holds("a")), encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        backtest(d)
    assert (err.value.file, err.value.path, err.value.value) == (str(d / "b.toml"), "name", "a")
    assert str(d / "a.toml") in err.value.allowed


def test_a_partial_backtest_says_how_many_scenarios_it_was_to_score():
    """Its header read 'Backtest of 1 scenario(s)' for a backtest of two stopped in its
    second."""
    from sim.backtest_table import BacktestTable
    from sim.scoring import compute_scores

    table = BacktestTable("scenarios", 600, 7, partial=True, planned=2,
                          scores=compute_scores([]))
    assert backtest_text(table).startswith("Backtest of 0 of 2 scenario(s) with an [observed]")
    whole = BacktestTable("scenarios", 600, 7, planned=2, scores=compute_scores([]))
    assert backtest_text(whole).startswith("Backtest of 0 scenario(s)")
    assert table.as_dict()["planned"] == 2


def test_the_progress_bar_names_each_scenario_s_place_in_the_backtest(tmp_path: Path):
    """Each scenario's run is labelled 'scenario K/N', K counted from 1, in run order."""
    from sim.backtest import score_cases, scored_cases

    labels: list[str] = []

    class Labelled(Runner):
        def run(self, *args: Any, **kwargs: Any) -> Any:
            labels.append(kwargs.get("label", ""))
            return super().run(*args, **kwargs)

    d = put(tmp_path / "cases", always_holds("a"), never_agrees("b"))
    with Labelled(workers=1) as runner:
        table = score_cases(scored_cases(d), runner, 5, 7)
    assert [row["scenario"] for row in table.rows] == ["a", "b"]
    assert labels == ["scenario 1/2", "scenario 2/2"]


def test_the_backtest_table_never_rounds_an_estimate_to_all():
    """A case that agreed in 2,499 of 2,500 runs read '100.0%', as run reports did."""
    from sim.backtest_table import _pct

    assert _pct({"estimate": 2499 / 2500, "low": 0.998, "high": 1.0}).startswith(">99.9% [")
    assert _pct({"estimate": 1.0, "low": 0.998, "high": 1.0}).startswith("100.0% [")


def test_a_counterfactual_child_of_a_case_is_skipped_not_scored_as_its_history(tmp_path):
    """A child inherited its parent's [observed] and was scored as a case of its own."""
    from sim.backtest_table import backtest_text

    put(tmp_path, always_holds("case"))
    (tmp_path / "what_if.toml").write_text('extends = "case.toml"\nname = "what_if"\n'
                                           "[ceasefire.monitoring]\ndeterrence = 0.9\n")
    table = backtest(tmp_path, runs=10)
    assert [Path(s).name for s in table.skipped] == ["what_if.toml"]
    assert "Skipped (no [observed] section of their own): what_if.toml" in backtest_text(table)


@pytest.mark.parametrize("who", ["jfs", "un"])
def test_a_record_of_a_spoiler_or_the_mediator_withdrawing_is_refused(who):
    """Neither signs, so neither ever withdraws in the model: the record was scored
    against a share of 0.0% in every run, and the refusal of an unknown name offered them."""
    kerry = ROOT / "scenarios" / "kerry_lavrov_sep_2016.toml"
    sc = load_scenario(kerry, [f'observed.withdrew="{who}"'])
    with pytest.raises(ScenarioError) as err:
        observed_outcomes(sc)
    assert err.value.path == "observed.withdrew" and err.value.value == who
    assert err.value.allowed == ("a patron or combatant of the scenario, the parties that sign "
                                 "and can withdraw: opposition, regime, russia or us")


def test_backtest_refuses_a_set_of_the_record(tmp_path, capsys):
    """'--set observed.note=x' gave every scenario a record, and the six without one of
    their own were scored as agreed and collapsed at hour 0."""
    import run_sim

    assert run_sim.main(["backtest", str(ROOT / "scenarios"), "--runs", "5", "--workers", "1",
                         "--no-progress", "--set", "observed.note=x"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --set: observed.note: bad value 'x'; no key of [observed]")
    assert "Backtest of" not in err


def test_the_backtest_says_whether_the_model_beat_the_base_rate():
    """The scores said it only to a reader comparing two columns of the table."""
    from sim.backtest_table import brier_verdict

    def pooled(model: float, base: float, loo: tuple[float, float] | None = None
               ) -> dict[str, Any]:
        left_out = {"pairs": 0, "of": 8, "brier": {"model": None, "base_rate": None}}
        if loo is not None:
            left_out = {"pairs": 6, "of": 8, "brier": {"model": loo[0], "base_rate": loo[1]}}
        return {"brier": {"model": model, "base_rate": base}, "leave_one_out": left_out}

    assert brier_verdict(pooled(0.391, 0.125)).startswith(
        "Over all holds the model scores worse than the base rate (Brier 0.391 against 0.125), "
        "which is fitted to the very outcomes it scores")
    assert "scores better than the base rate" in brier_verdict(pooled(0.1, 0.2))
    assert "no better and no worse than" in brier_verdict(pooled(0.2, 0.2))
    assert brier_verdict(pooled(float("nan"), 0.2)) == ""
    both = brier_verdict(pooled(0.396, 0.125, (0.362, 0.667)), cases=2)
    assert both.startswith("Over all holds the model scores better than a base rate taken from "
                           "the other cases (Brier 0.362 against 0.667, on the 6 of 8 holds "
                           "another case has) and worse than the base rate fitted to the very "
                           "outcomes it scores (0.396 against 0.125). With 2 case(s)")
    # with two cases, the other case's 0 or 1 loses to any hedged forecast: the verdict
    # leads with the uninformed forecast of an even chance, the bar any forecast must clear
    even = brier_verdict(pooled(0.394, 0.125, (0.359, 0.667)), cases=2, uninformed=0.25)
    assert even.startswith("Over all holds the model scores worse than an uninformed forecast "
                           "of an even chance for every event (Brier 0.394 against 0.250), "
                           "better than a base rate taken from the other cases")
    assert even.endswith("With two cases, the base rate taken from the other cases is the other "
                         "case's outcome, 0 or 1, which scores 1 wherever the two differ: any "
                         "hedged forecast beats it.")
    assert "better than an uninformed" in brier_verdict(pooled(0.2, 0.125), uninformed=0.25)
    assert "With two cases" not in brier_verdict(pooled(0.2, 0.1, (0.3, 0.4)), cases=3)


def test_the_scores_carry_the_uninformed_forecast_and_the_base_rate_s_clipped_terms():
    """The leave-one-out base rate of two cases gives 0 or 1: its log score is clipped
    wherever the cases differ, which the text said of the model's forecasts alone."""
    from sim.scoring import compute_scores

    def row(name: str, p7: float, held7: bool) -> dict[str, Any]:
        return {"scenario": name, "milestones": {"7d": 168.0},
                "p_agreement": {"estimate": 1.0}, "p_hold": {"7d": {"estimate": p7}},
                "observed": {"agreed": True, "held": {"7d": held7}}}

    scores = compute_scores([row("a", 0.3, True), row("b", 0.6, False)])
    assert scores["uninformed"] == {"forecast": 0.5, "brier": 0.25, "log_score": math.log(0.5)}
    assert scores["all_milestones"]["leave_one_out"]["clipped"] == 2
    alike = compute_scores([row("a", 0.3, True), row("b", 0.6, True)])
    assert alike["all_milestones"]["leave_one_out"]["clipped"] == 0


def test_backtest_sets_only_the_scenarios_it_scores(capsys):
    """A --set applied to a file with no record stopped the backtest on a key that file
    lacks (the Aleppo pause has no delineation), though it would have been skipped."""
    import run_sim

    key = "parties.russia.positions.delineation.ideal=1.0"
    assert run_sim.main(["backtest", str(ROOT / "scenarios"), "--runs", "5", "--workers", "1",
                         "--no-progress", "--set", key]) == 0
    out = capsys.readouterr().out
    assert "Skipped (no [observed] section of their own): aleppo_48h_pause.toml" in out
    assert f"Every scenario with: {key}" in out


def test_labels_of_two_scenarios_that_would_name_one_column_are_refused(tmp_path):
    """backtest.csv tables every scenario's milestones together: 30d in one and 30d_low
    in another gave two columns p_hold_30d_low, each valid alone."""
    first, second = always_holds("a"), always_holds("b")
    second["ceasefire"]["milestones"] = {"48h": 48.0, "30d_low": 100.0}
    with pytest.raises(ScenarioError) as err:
        backtest(put(tmp_path / "d", first, second))
    assert err.value.path == "ceasefire.milestones.30d_low" and err.value.file.endswith("b.toml")
    assert "differ from those of milestone '30d' of" in err.value.allowed
    # backtest.csv has no given-agreement columns: labels that only sweep.csv's would
    # confuse are the backtest's to take
    second["ceasefire"]["milestones"] = {"48h": 48.0, "given_agreement_30d": 100.0}
    assert "given_agreement_30d" in backtest(put(tmp_path / "e", first, second)).labels()


def test_a_brier_score_that_does_not_exist_is_written_n_a(tmp_path):
    """A bar of 0.00 and a bar missing (no leave-one-out base rate) both left an empty
    slot; the missing one now reads 'n/a', where its kind is drawn for other events."""
    from plots.calibration import calibration_figure

    longer = always_holds("longer")  # a 72h milestone no other case has
    longer["ceasefire"]["milestones"] = {"48h": 48.0, "72h": 72.0, "7d": 168.0, "30d": 720.0}
    two = calibration_figure(backtest(put(tmp_path / "two", always_holds("a"), longer)))
    brier = two.figure.axes[1]
    missing = [(k + off) for k, b in enumerate(two.data["brier"])
               for off, key in ((-0.27, "model"), (0.0, "base_rate"), (0.27, "loo"))
               if math.isnan(b[key])]
    assert missing
    written = [t.get_position()[0] for t in brier.texts if t.get_text() == "n/a"]
    assert written == pytest.approx(missing)
    # one case has no leave-one-out base rate at all: no slot is kept for it
    one = calibration_figure(backtest(put(tmp_path / "one", always_holds("a"))))
    assert not [t for t in one.figure.axes[1].texts if t.get_text() == "n/a"]


def test_two_cases_with_long_milestone_labels_keep_their_ticks_apart(tmp_path):
    """Cases with milestones of their own, under long labels, ran their event labels into
    one unreadable line in both panels, and squeezed the Brier scores into a strip."""
    from plots.calibration import calibration_figure

    first = always_holds("first")
    first["ceasefire"]["milestones"] = {"48h": 48.0, "the week of calm that was to trigger "
                                        "joint targeting": 168.0, "30d": 720.0}
    second = always_holds("second")
    second["ceasefire"]["milestones"] = {"half a day, as the envoy asked": 12.0, "48h": 48.0,
                                         "ten days (the first review)": 240.0, "30d": 720.0}
    drawn = calibration_figure(backtest(put(tmp_path / "d", first, second)))
    fig = drawn.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    for ax in fig.axes[:2]:
        boxes = [t.get_window_extent(renderer) for t in ax.get_xticklabels() if t.get_text()]
        assert len(boxes) >= 6
        assert not any(a.overlaps(b) for a, b in itertools.combinations(boxes, 2))
