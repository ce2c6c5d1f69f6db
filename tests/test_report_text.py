"""The text reports people read: interval decimals, the collapse lines of a summary, how a
trace ends, and the header, key lines and stop line of a sweep."""

from __future__ import annotations

import re
from typing import Any

import pytest
from helpers import DEFAULT, ROOT

from sim.model import run_replication
from sim.report import (
    compare_text,
    interval_decimals,
    pct,
    signed,
    summary_text,
)
from sim.runner import Runner
from sim.scenario import load_scenario
from sim.stats import summarize
from sim.sweep_report import sweep_stopped, sweep_text
from sim.trace_report import trace_text

CESSATION = ROOT / "scenarios" / "cessation_feb_2016.toml"
"""A scenario whose monitors misattribute acts (the Geneva one, at these seeds, does not)."""


@pytest.fixture(scope="module")
def geneva():
    return load_scenario(DEFAULT)


# ---------------------------------------------------------------------------
# Interval decimals
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(("low", "high", "decimals"), [
    (0.0, 0.001, 1),   # exactly 0.1 pp wide: one decimal already shows it
    (0.0, 0.0, 1),     # no width at all (a point): one decimal, and no log of zero
    (0.0, 0.0002, 3),  # 0.02 pp: +-0.01 needs three
    (0.0, 1e-11, 9),   # ever narrower: capped at nine
])
def test_interval_decimals_show_the_width_and_stop_at_nine(low, high, decimals):
    """An interval of exactly 0.1 pp reads at one decimal; a narrower one gets just
    enough more to show both ends apart, up to nine; one of no width (every pair
    agreed) is printed as it is, not taken the logarithm of."""
    assert interval_decimals({"low": low, "high": high}) == decimals


@pytest.mark.parametrize(("p", "text"), [
    ({"estimate": 0.0, "low": 0.0, "high": 0.0}, "  +0.0 pp [+0.0, +0.0]"),
    ({"estimate": 0.0, "low": -0.0002, "high": 0.0002}, "+0.000 pp [-0.020, +0.020]"),
    ({"estimate": 0.01, "low": 0.0, "high": 0.001}, "  +1.0 pp [+0.0, +0.1]"),
])
def test_a_signed_difference_prints_its_interval_at_the_width_s_decimals(p, text):
    """A comparison of a scenario with itself has a zero-width interval and must still
    print; a +-0.02 pp interval (no pair disagreeing in 20,000) needs three decimals to
    be an interval rather than a point."""
    assert signed(p) == text


# ---------------------------------------------------------------------------
# The summary's collapse lines
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def collapsing(geneva) -> dict[str, Any]:
    """The summary of a small real run in which some ceasefires collapsed."""
    summary = summarize(Runner(workers=1).run(geneva, 40, seed=5).results, geneva, seed=5)
    assert summary["collapse_causes"], "the run needs collapses for its collapse lines"
    return summary


def test_the_triggers_are_listed_most_frequent_first(collapsing, geneva):
    """Who acted before the withdrawals reads in order of share, as who withdrew does:
    the author of most collapses comes first, whatever order the summary holds them in."""
    summary = {**collapsing, "collapse_triggers": {"a": 0.2, "b": 0.8}}
    assert "  after an act by: b 80%, a 20%" in summary_text(summary, geneva).splitlines()


def test_the_misattributed_and_host_strike_shares_are_printed(collapsing, geneva):
    """The shares of collapses set off by a misattributed act and by a strike on a
    spoiler that landed on its host are the model's story of why ceasefires fail:
    each is printed with its own value."""
    summary = {**collapsing, "misattributed_share": 0.25, "delineation_hit_share": 0.1}
    lines = summary_text(summary, geneva).splitlines()
    assert "  triggered by an act blamed on the wrong party: 25.0%" in lines
    assert "  triggered by a strike on a spoiler that landed on its host: 10.0%" in lines


def test_acts_and_convoys_are_reported_largest_first_with_shares(collapsing, geneva):
    summary = {**collapsing, "mean_violations": {"a": 2.0, "b": 12.25},
               "violations_per_day": {"a": 0.5, "b": 0.25},
               "convoys": {"sent": 8, "delivered": 6, "attacked": 1}}
    lines = summary_text(summary, geneva).splitlines()
    assert "Acts per agreed ceasefire: b 12.2, a 2.0" in lines
    assert ("  per day it held: b 0.25, a 0.50 (a ceasefire that holds longer counts more "
            "acts)") in lines  # in the order of the totals
    saved_before = {k: v for k, v in summary.items() if k != "violations_per_day"}
    assert "per day" not in summary_text(saved_before, geneva)
    # every convoy accounted for: 6 + 1 + 1 (the colon after 'sent' read as a ratio, and
    # the convoys neither delivered nor attacked went unexplained)
    # (an attacked convoy is also turned back: the attacked are not counted twice)
    assert ("Aid convoys, all runs: 8 sent, 6 delivered (75%), 1 attacked, 1 otherwise turned "
            "back or still on the road when the ceasefire ended") in lines
    quiet = summary_text({**collapsing, "mean_violations": {}, "convoys": {"sent": 0}}, geneva)
    assert "Acts per" not in quiet and "Aid convoys" not in quiet
    # no run agreed: no mean to report for anyone (the report ended in a TypeError)
    none = summary_text({**collapsing, "mean_violations": {"a": None, "b": None}}, geneva)
    assert "Acts per" not in none


# ---------------------------------------------------------------------------
# How a trace ends
# ---------------------------------------------------------------------------


def outcome_line(text: str) -> str:
    return next(line for line in text.splitlines() if line.startswith("Outcome: "))


def test_a_trace_says_whom_a_misattributed_act_was_blamed_on():
    """A collapse the withdrawing party blamed on someone other than the act's author
    is the misattribution the scenario is about: the trace names both."""
    scenario = load_scenario(CESSATION)
    outcome = run_replication(scenario, 2016, 0, trace=True)
    assert outcome.agreed and outcome.collapsed and outcome.misattributed
    assert outcome.blamed == "opposition" and outcome.trigger != "opposition"
    line = outcome_line(trace_text(outcome, scenario))
    assert line.endswith(f"withdrew after an act by {outcome.trigger} blamed on opposition."), line


def test_a_trace_says_which_clock_each_time_is_on():
    """The table's hours and days run from the opening of the talks, the hours held from
    the ceasefire's start: 'day 10.1' at a withdrawal after 158.6 hours of ceasefire read
    as ten days of ceasefire. The trace says so, and the outcome gives both."""
    scenario = load_scenario(ROOT / "scenarios" / "kerry_lavrov_sep_2016.toml")
    outcome = run_replication(scenario, 2016, 0, trace=True)
    assert outcome.collapsed
    start = next(ev.time for ev in outcome.trace if ev.event == "ceasefire")
    text = trace_text(outcome, scenario)
    assert (f"Hour and day from the opening of the talks; the ceasefire's milestones and hours "
            f"held count from its start, at hour {start:.1f}.") in text.splitlines()
    withdrawal = next(ev.time for ev in outcome.trace if ev.event == "withdraws")
    assert withdrawal == pytest.approx(start + outcome.hours_held)
    assert (f"ceasefire collapsed after {outcome.hours_held:.1f} h "
            f"({outcome.hours_held / 24:.1f} days), at hour {withdrawal:.1f}: ") in outcome_line(text)
    failed = load_scenario(DEFAULT)
    none = next(o for i in range(40) if not (o := run_replication(failed, 2016, i, trace=True)).agreed)
    assert "Hour and day from the opening of the talks." in trace_text(none, failed).splitlines()


def test_a_trace_says_when_a_strike_on_a_spoiler_hit_its_host(geneva):
    """A strike on a spoiler that hit the party it sheltered with (co-location, which
    delineation is meant to end) is said as such, not as a plain act by the striker."""
    outcome = run_replication(geneva, 2016, 186, trace=True)
    assert outcome.agreed and outcome.collapsed and outcome.delineation_hit
    assert not outcome.misattributed
    line = outcome_line(trace_text(outcome, geneva))
    assert line.endswith(f"after an act by {outcome.trigger} "
                         "(a strike on a spoiler that hit its host)."), line


@pytest.mark.parametrize("replication", [0, 1])  # collapsed, held to the horizon
def test_an_agreed_trace_lists_the_terms_agreed(geneva, replication):
    """What was agreed is half of a trace's story: every issue's agreed value, in the
    scenario's order."""
    outcome = run_replication(geneva, 2016, replication, trace=True)
    assert outcome.agreed
    lines = trace_text(outcome, geneva).splitlines()
    terms = [line for line in lines if line.startswith("Terms: ")]
    assert len(terms) == 1
    assert [t.split("=")[0] for t in terms[0].removeprefix("Terms: ").split(", ")] == list(geneva.issues)


def test_a_trace_without_agreement_lists_no_terms(geneva):
    outcome = run_replication(geneva, 2016, 3, trace=True)
    assert not outcome.agreed
    assert "Terms: " not in trace_text(outcome, geneva)


# ---------------------------------------------------------------------------
# Sweeps
# ---------------------------------------------------------------------------


def est(p: float) -> dict[str, float]:
    return {"estimate": p, "low": p - 0.05, "high": p + 0.05}


def sweep_row(value: Any, runs: int = 600, first: bool = False, partial: bool = False
              ) -> dict[str, Any]:
    """A sweep point as ``sweep_text`` takes it: its parameter values and summary."""
    zero = {"estimate": 0.0, "low": None, "high": None}
    diff = ({"p_agreement": zero, "p_hold": {"7d": zero}} if first else
            {"p_agreement": est(0.01), "p_hold": {"7d": est(-0.02)}})
    summary = {"scenario": "s", "sets": [], "runs": runs, "seed": 7, "p_agreement": est(0.5),
               "p_hold": {"7d": est(0.4)}, "diff_from_reference": diff}
    if partial:
        summary["partial"] = True
    return {"params": {"x": value, "a.y": value}, "summary": summary}


def sweep_rows(n: int, runs: int = 600, last_runs: int | None = None) -> list[dict[str, Any]]:
    """``n`` points of ``runs`` each; the last interrupted at ``last_runs``, if given."""
    rows = [sweep_row(0.1 * (k + 1), runs, first=k == 0) for k in range(n)]
    if last_runs is not None:
        rows[-1] = sweep_row(0.1 * n, last_runs, first=n == 1, partial=True)
    return rows


@pytest.mark.parametrize(("rows", "planned", "runs", "head"), [
    (sweep_rows(3), 3, 600, "Sweep of s: 3 points, 600 replications each"),
    (sweep_rows(1), 1, 600, "Sweep of s: 1 point, 600 replications each"),
    (sweep_rows(1, last_runs=250), 3, 600, "Sweep of s: 1 of 3 points, 600 replications each"),
    (sweep_rows(2, runs=1), 2, 1, "Sweep of s: 2 points, 1 replication each"),
])
def test_the_sweep_header_describes_the_sweep_asked_for(rows, planned, runs, head):
    """The header says how many points and replications were asked for: a finished
    sweep is not 'n of n', one point or replication is singular, and a sweep whose
    first point was interrupted still says the replications each point was to get,
    not the number that one stopped at."""
    text = sweep_text(rows, ["x", "a.y"], ["7d"], planned, runs)
    assert text.splitlines()[0] == f"{head} on the same seeds (seed 7)"


def test_a_sweep_lists_only_the_keys_its_columns_shorten():
    """A column headed by its whole key needs no key line ('  x: x' says nothing); one
    headed by a suffix of its key does."""
    lines = sweep_text(sweep_rows(2), ["x", "a.y"], ["7d"], 2, 600).splitlines()
    assert "  y: a.y" in lines
    assert not any(line.strip() == "x: x" for line in lines)


def test_no_line_of_a_sweep_table_ends_in_spaces():
    """The reference row's empty difference cells are not padded out to the line's
    end: trailing spaces are noise in a saved log and in a diff of two logs."""
    lines = sweep_text(sweep_rows(3), ["x", "a.y"], ["7d"], 3, 600).splitlines()
    assert any(line.endswith("reference") for line in lines)
    assert [line for line in lines if line != line.rstrip()] == []


@pytest.mark.parametrize("out", [None, ROOT / "saved"])
def test_a_sweep_stopped_before_any_replication_says_so(out):
    """Stopped before a single replication of the first point finished, the sweep is
    'during point 1', not after it or at a point 0, and has nothing to keep."""
    assert sweep_stopped([], 3, out) == "interrupted during point 1 of 3; no replication had finished"


# -- the sweep's difference cells and key names ----------------------------------------


def interval(estimate: float | None, low: float | None, high: float | None) -> dict[str, Any]:
    return {"estimate": estimate, "low": low, "high": high}


def test_only_a_point_with_no_interval_anywhere_is_the_reference():
    """The reference point differs from itself by nothing, with no interval; a point
    whose agreement difference is missing, or with one milestone without an interval,
    is not the reference and shows n/a where it has no figure."""
    from sim.sweep_report import _diff_cells

    no_interval = interval(0.0, None, None)
    assert _diff_cells({"p_agreement": no_interval, "p_hold": {"48h": no_interval}},
                       ["48h"]) == ["reference", ""]
    assert _diff_cells({"p_agreement": None, "p_hold": {"48h": no_interval}},
                       ["48h"]) == ["n/a", "n/a"]
    assert _diff_cells({"p_agreement": interval(0.01, 0.0, 0.02), "p_hold": {"48h": no_interval}},
                       ["48h"]) == ["+1.0 [+0.0, +2.0]", "n/a"]


def test_a_key_is_shortened_only_to_a_name_no_other_key_ends_with():
    from sim.report import short_keys

    assert short_keys(["a.x", "x"]) == ["a.x", "x"]  # 'x' is the other key itself
    assert short_keys(["a.bx", "c.x"]) == ["bx", "x"]  # 'bx' ends with 'x', not with '.x'


def test_value_cells_use_as_few_digits_as_tell_the_values_apart():
    from sim.report import value_cells

    assert value_cells([0.12345, 0.5]) == ["0.1235", "0.5"]  # four significant digits
    assert value_cells([0.30001, 0.3]) == ["0.30001", "0.3"]  # not two rows of 0.3
    assert value_cells(["regime", "opposition"]) == ["regime", "opposition"]  # unquoted


# -- the comparison's table ------------------------------------------------------------


def comparison(label: str = "48h", independent_agreement: bool = True) -> dict[str, Any]:
    share = {"estimate": 0.5, "low": 0.45, "high": 0.55}
    diff = interval(0.01, -0.01, 0.03)
    result: dict[str, Any] = {
        "runs": 100, "a": {"p_agreement": share, "p_hold": {label: share}},
        "b": {"p_agreement": share, "p_hold": {label: share}},
        "diff": {"p_agreement": diff, "p_hold": {label: diff},
                 "independent_p_hold": {label: interval(0.01, -0.1, 0.12)}}}
    if independent_agreement:
        result["diff"]["independent_p_agreement"] = interval(0.01, -0.09, 0.11)
    return result


def test_the_row_names_column_leaves_two_spaces_after_the_longest_milestone():
    lines = compare_text(comparison("a_long_milestone"), "A", "B").splitlines()
    header = next(line for line in lines if line.rstrip().endswith("(paired 95% interval)"))
    assert header.index("A") == len("P(hold a_long_milestone)") + 2 + 21  # 'A' ends its column


def test_a_comparison_saved_before_agreement_had_an_independent_width_still_reads():
    """compare.json written by an earlier version has no independent interval for
    P(agreement): its width row is left out, not the report."""
    text = compare_text(comparison(independent_agreement=False), "A", "B")
    widths = text.split("95% interval width of A - B")[1]
    assert "P(hold 48h)" in widths and "P(agreement)" not in widths


# -- an adaptive run's summary and last line ---------------------------------------------


def adaptive(**state: Any) -> Any:
    from types import SimpleNamespace

    results = Runner(workers=1).run(load_scenario(DEFAULT), 30, 1).results
    base = {"results": results, "wall_seconds": 1.0, "partial": False, "ran": 30, "target": 2000,
            "precision_met": True, "error": None, "interrupted": False, "beyond": 0}
    return SimpleNamespace(**{**base, **state})


def test_an_adaptive_run_s_line_says_whether_and_when_its_precision_was_reached():
    from sim.report import precision_line

    assert precision_line(adaptive(), 0.01) == "precision 0.01: reached after 2000 runs"
    assert precision_line(adaptive(precision_met=False), 0.01) == (
        "precision 0.01: NOT reached (hit --max-runs) after 2000 runs")
    assert precision_line(adaptive(interrupted=True, partial=True), 0.01) == (
        "precision 0.01: not reached when interrupted after 30 runs")


def test_a_stopped_adaptive_run_s_summary_counts_the_runs_it_holds_not_its_target():
    from sim.report import run_summary

    scenario = load_scenario(DEFAULT)
    summary = run_summary(adaptive(partial=True, interrupted=True), scenario, 1, 0.01)
    assert summary["precision"]["runs"] == 30
    assert run_summary(adaptive(), scenario, 1, 0.01)["precision"]["runs"] == 2000


def test_a_run_stopped_before_any_replication_finished_says_so_not_a_table_of_n_a():
    """A scenario error in the first replication, a worker lost at once or an early
    Ctrl-C printed every estimate as n/a, and the events line."""
    scenario = load_scenario(DEFAULT)
    empty = Runner(workers=1).run(scenario, 0, 1).results
    text = summary_text(summarize(empty, scenario, seed=1, partial=True), scenario)
    assert text.splitlines()[1:] == ["Runs: 0   seed: 1   (PARTIAL: interrupted)", "",
                                     "No replication finished: there is nothing to estimate."]


@pytest.mark.parametrize(("estimate", "shown"), [
    (1999 / 2000, ">99.9%"), (1 / 20000, " <0.1%"), (1.0, "100.0%"), (0.0, "  0.0%"), (0.412, " 41.2%")])
def test_an_estimate_neither_none_nor_all_never_reads_as_all_or_none(estimate, shown):
    """One run in 2,000 that did not agree was reported as P(agreement) 100.0%."""
    assert pct({"estimate": estimate, "low": 0.0, "high": 1.0}).startswith(f"{shown} [")


def test_a_trace_explains_the_terms_it_uses_once_each_under_it(geneva):
    """'perceived: own', 'perceived: blamed_host' and an agreement credited to one
    party were unexplained."""
    from sim import rules
    from sim.model import run_replication
    from sim.trace_report import PERCEIVED

    assert set(PERCEIVED) == {s.value for s in rules.Seen}
    outcome = run_replication(geneva, 2016, 0, trace=True)
    lines = trace_text(outcome, geneva).splitlines()
    key = lines[lines.index("Key:") + 1:]
    used = {t for t in PERCEIVED if any(f"perceived: {t}" in e.detail for e in outcome.trace)}
    assert used and [k.split()[1] for k in key if "perceived:" in k] == [t for t in PERCEIVED if t in used]
    # every kind of event, once, in the order it first occurs ('advance', 'strike' and
    # the rest were explained nowhere)
    labels = [k[2:26].strip() for k in key if "perceived:" not in k]
    assert labels == list(dict.fromkeys(e.event for e in outcome.trace))
    deadlocked = load_scenario(DEFAULT, ["parties.russia.positions.delineation.min=0.9",
                                         "parties.opposition.positions.delineation.max=0.3"])
    text = trace_text(run_replication(deadlocked, 1, 0, trace=True), deadlocked)
    assert "deadline" in text.split("Key:")[1] and "perceived" not in text.split("Key:")[1]


def test_every_kind_of_event_a_trace_logs_is_explained():
    from sim.model import run_replication
    from sim.trace_report import EVENTS

    kinds = set()
    for path, sets in ((DEFAULT, []), (ROOT / "scenarios" / "aleppo_48h_pause.toml", []),
                       (DEFAULT, ["parties.russia.positions.delineation.min=0.9",
                                  "parties.opposition.positions.delineation.max=0.3"]),
                       (DEFAULT, ["ceasefire.later={after_hours=24, terms={verification=1}}"]),
                       (DEFAULT, ["parties.opposition.behaviour.tolerance=0.0",
                                  "parties.regime.behaviour.tolerance=0.0",
                                  "parties.us.behaviour.tolerance=0.0",
                                  "parties.russia.behaviour.tolerance=0.0"])):
        sc = load_scenario(path, sets)
        for i in range(30):
            kinds |= {e.event for e in run_replication(sc, 2016, i, trace=True).trace or ()}
    assert {"horizon", "convoy delivers", "deadline", "refuses", "later terms"} <= kinds  # (reached)
    assert kinds <= set(EVENTS), kinds - set(EVENTS)


def test_terms_imposed_on_the_ceasefire_are_said_wherever_agreed_terms_are_shown():
    """A counterfactual's imposed delineation was invisible: the report, the trace's
    terms and the figures showed the agreed 0.7 the ceasefire did not run with."""
    from sim.model import run_replication

    sc = load_scenario(ROOT / "scenarios" / "geneva_full_delineation.toml")
    results = Runner(workers=1).run(sc, 20, 1).results
    text = summary_text(summarize(results, sc, seed=1), sc).splitlines()
    assert text[1] == "Imposed on every ceasefire, whatever the talks agreed: delineation=1"
    agreed = next(o for i in range(50) if (o := run_replication(sc, 1, i, trace=True)).agreed)
    assert "(the ceasefire ran with delineation=1 imposed)" in trace_text(agreed, sc)
    plain = load_scenario(DEFAULT)
    assert not summary_text(summarize(results, plain, seed=1), plain).splitlines()[1].startswith(
        "Imposed")


def test_beside_an_estimate_shown_as_almost_all_the_ends_are_rounded_outward():
    """99,999 agreements in 100,000 read '>99.9% [100.0, 100.0]'."""
    from sim.stats import interval

    assert pct(interval(99_999, 100_000)) == ">99.9% [99.9, 100.0]"
    assert pct(interval(1, 100_000)) == " <0.1% [ 0.0,  0.1]"
    assert pct(interval(400, 1000)) == " 40.0% [37.0, 43.1]"  # others: to nearest


def test_the_trace_table_keeps_its_columns_for_a_long_party_name():
    """A party named northern_factions ran into the event column."""
    from strategies import plain_doc, rename_parties

    from sim.scenario import scenario_from_dict

    long = "northern_factions_of_the_opposition"
    sc = scenario_from_dict(rename_parties(plain_doc(), {"pa": "pa", "pb": "pb", "ca": long, "cb": "cb"}))
    outcome = run_replication(sc, 3, 0, trace=True)
    lines = trace_text(outcome, sc).splitlines()
    header = next(k for k, line in enumerate(lines) if line.lstrip().startswith("hour"))
    column = lines[header].index("event")
    rows = [line for line in lines[header + 1:] if re.match(r"\s*\d+\.\d  ", line)]
    named = [line for line in rows if long in line]
    assert named and column > lines[header].index("party") + len(long)
    for line in rows:
        assert line[column - 1] == " " and line[column] != " ", line


def test_an_estimate_of_none_or_all_keeps_its_interval_s_inward_end_visible():
    """None in 100,000 runs printed '0.0% [0.0, 0.0]', and a heat-map cell '0% [0, 0]':
    certainty the runs cannot give. The inward end is rounded outward instead."""
    from sim.report import interval_ends

    assert interval_ends({"estimate": 0.0, "low": 0.0, "high": 0.0000384}, 1) == ("0.0", "0.1")
    assert interval_ends({"estimate": 0.0, "low": 0.0, "high": 0.0038}, 1) == ("0.0", "0.4")
    assert interval_ends({"estimate": 1.0, "low": 0.9999616, "high": 1.0}, 1) == ("99.9", "100.0")
    assert interval_ends({"estimate": 0.5, "low": 0.4444, "high": 0.5556}, 1) == ("44.4", "55.6")
