"""Figures: each is written, is a real non-blank image, and shows the results' numbers.

The data come from the real simulator run small (300 replications of the default
scenario, in-process). Every figure function returns the numbers it drew; the tests
check those against the results (read back from ``runs.csv`` where the command line
wrote them) and, for the key curves and bars, against the artists on the Axes.
"""

from __future__ import annotations

import ast
import itertools
import json
import math
import os
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import matplotlib.colors as mcolors
import matplotlib.image as mpimg
import numpy as np
import pytest
from helpers import run_child
from matplotlib.figure import Figure
from matplotlib.text import Text

import plots
from plots import marks, style
from plots.agreement import agreement_figure
from plots.causes import causes_figure, collapse_tables
from plots.compare import compare_figure
from plots.contrast import NON_TEXT_CONTRAST, contrast_on_white, readable
from plots.outcomes import outcomes_figure
from plots.survival import survival_figure
from plots.sweep import sweep_figure
from plots.trace import trace_figure
from plots.trace_log import trust_path
from sim import rules
from sim.comparison import paired
from sim.experiments import sweep
from sim.model import run_replication
from sim.output import jsonable, read_run
from sim.records import Results
from sim.runner import Runner
from sim.scenario import Scenario, load_scenario, scenario_from_dict, with_overrides
from sim.stats import milestones, summarize, survival

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT / "scenarios" / "geneva_2016.toml"
RUNS = 300
SEED = 2016
RUN_FIGURES = ("survival", "outcomes", "collapse_causes", "agreement")


def assert_image(path: Path) -> np.ndarray:
    """The file exists, decodes as an image and is not a single flat colour."""
    assert path.exists(), path
    assert path.stat().st_size > 5_000, f"{path} is suspiciously small"
    image = mpimg.imread(path)
    assert image.ndim == 3 and image.shape[0] > 200 and image.shape[1] > 300
    rgba = np.zeros((*image.shape[:2], 4), dtype=np.uint8)
    rgba[..., : image.shape[2]] = np.round(image * 255)
    colours = np.unique(rgba.reshape(-1, 4).view(np.uint32))
    assert len(colours) > 10, f"{path} is blank"
    return image


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return load_scenario(DEFAULT)


@pytest.fixture(scope="module")
def results(scenario: Scenario) -> Results:
    with Runner(workers=1) as runner:
        return runner.run(scenario, RUNS, SEED).results


@pytest.fixture(scope="module")
def summary(results: Results, scenario: Scenario) -> dict[str, Any]:
    return jsonable(summarize(results, scenario, seed=SEED))


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A run written and plotted by the command line."""
    out = tmp_path_factory.mktemp("run")
    proc = run_child(
        [sys.executable, str(ROOT / "run_sim.py"), "run", str(DEFAULT), "--runs", str(RUNS),
         "--workers", "1", "--no-progress", "--seed", str(SEED), "--out", str(out), "--plot"],
        cwd=ROOT, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.fixture(scope="module")
def traced(scenario: Scenario) -> tuple[int, Any]:
    """The first replication (by seed) that agreed and then collapsed, with a spoiler's
    attack blamed on its host on the way, traced."""
    for seed in range(SEED, SEED + 60):
        outcome = run_replication(scenario, seed, 0, trace=True)
        if outcome.agreed and outcome.collapsed and any(
                e.event == "attack" and ", blamed on " in e.detail for e in outcome.trace or ()):
            return seed, outcome
    raise AssertionError("no such replication among the seeds tried")


def deadlock() -> Scenario:
    """A scenario whose principals can never agree (disjoint hard limits)."""
    return scenario_from_dict({
        "name": "deadlock",
        "issues": {"verification": {"low": 0.0, "high": 1.0}},
        "parties": {
            "east": {"role": "patron", "no_deal": 0.9,
                     "positions": {"verification": {"ideal": 0.0, "max": 0.2}}},
            "west": {"role": "patron", "no_deal": 0.9,
                     "positions": {"verification": {"ideal": 1.0, "min": 0.8}}},
            "red": {"role": "combatant", "patron": "east", "no_deal": 0.5},
            "blue": {"role": "combatant", "patron": "west", "no_deal": 0.5},
        },
        "negotiation": {"round_interval_hours": 24.0, "deadline_hours": 120.0},
    })


# -- the command line's run --------------------------------------------------------


def test_run_plot_writes_four_valid_images(run_dir: Path) -> None:
    for name in RUN_FIGURES:
        assert_image(run_dir / f"{name}.png")


def test_dollar_signs_in_scenario_labels_are_drawn_as_text(tmp_path: Path) -> None:
    """A "$" in a party's label or a milestone's name is text, not mathematics (an
    unknown command such as "$\\foo$" used to stop the figures)."""
    sc = load_scenario(DEFAULT, [
        "parties.opposition.label='$\\foo$ rebels'",
        "ceasefire.milestones={'$\\bar$' = 48.0, '7d' = 168.0, '30d' = 720.0}",
    ])
    res = Runner(workers=1).run(sc, 60, seed=SEED).results
    paths = plots.draw("run", tmp_path, scenario=sc, results=res,
                       summary=jsonable(summarize(res, sc, seed=SEED)))
    for path in paths:
        assert_image(path)
    assert sc.spec.parties["opposition"].label == "$\\foo$ rebels"
    assert "$\\bar$" in sc.spec.ceasefire.milestones
    seed, outcome = next((s, o) for s in range(200)
                         if (o := run_replication(sc, s, 0, trace=True)).agreed)
    assert_image(plots.draw("trace", tmp_path, scenario=sc, outcome=outcome, seed=seed)[0])


def test_a_very_long_milestone_label_does_not_squeeze_the_survival_plot() -> None:
    assert style.shorten("48h") == "48h"
    assert style.shorten("m" * 5000) == "m" * (style.LABEL_CHARS - 1) + "\u2026"
    from sim.printable import MAX_NAME

    long = "m" * MAX_NAME  # the longest a label may be
    sc = load_scenario(DEFAULT, [
        f'ceasefire.milestones={{"48h" = 48.0, "7d" = 168.0, "{long}" = 720.0}}'])
    res = Runner(workers=1).run(sc, 60, seed=SEED).results
    fig = survival_figure(sc, res, jsonable(summarize(res, sc, seed=SEED))).figure
    fig.canvas.draw()
    assert fig.axes[0].get_position().width > 0.5  # the curve keeps most of the width


def test_survival_curve_equals_stats_survival_of_runs_csv(run_dir: Path) -> None:
    scenario, results, summary, manifest = read_run(run_dir)
    expected = survival(results, scenario)
    drawn = survival_figure(scenario, results, summary)
    for key in ("hours", "share", "low", "high"):
        np.testing.assert_array_equal(drawn.data["curve"][key], expected[key])
    # the step line on the Axes is that curve
    ax = drawn.figure.axes[0]
    line = next(ln for ln in ax.get_lines() if ln.get_label() == "still holding")
    np.testing.assert_array_equal(line.get_xdata(), expected["hours"])
    np.testing.assert_array_equal(line.get_ydata(), expected["share"])
    # milestone values are the summary's P(hold | agreement)
    for label, _ in milestones(scenario):
        got = drawn.data["milestones"][label]
        want = summary["p_hold_given_agreement"][label]
        assert got["estimate"] == pytest.approx(want["estimate"])
        assert got["low"] == pytest.approx(want["low"])
        assert got["high"] == pytest.approx(want["high"])
        assert drawn.data["of_all_runs"][label] == pytest.approx(
            summary["p_hold"][label]["estimate"])
    assert f"seed {manifest['seed']}" in drawn.data["caption"]
    assert f"{len(results):,} runs" in drawn.data["caption"]
    assert scenario.name in drawn.data["caption"]


def test_the_milestone_list_uses_one_precision_for_every_row() -> None:
    """A narrow interval needs a decimal; the list then gives every row one, so 94.1%
    is not set beside 77%."""
    from plots.survival import milestone_table

    fig = Figure()
    ax = fig.add_subplot()
    narrow = {"estimate": 0.941, "low": 0.928, "high": 0.952}
    wide = {"estimate": 0.77, "low": 0.75, "high": 0.79}
    data = {"agreed": 100, "milestones": {"48h": narrow, "7d": wide},
            "of_all_runs": {"48h": 0.69, "7d": 0.57}}
    lines = milestone_table(ax, data, 150)
    assert "94.1% [92.8, 95.2]" in lines[0] and "77.0% [75.0, 79.0]" in lines[1]
    # and the shares of all runs with them: 0.8% of agreed ceasefires read "1% of all runs"
    assert "69.0% of all runs" in lines[0] and "57.0% of all runs" in lines[1]
    note = [t.get_text() for t in ax.texts if "reached agreement" in t.get_text()]
    assert note[-1] == "100 of 150 runs\nreached agreement (66.7%)"
    data["milestones"] = {"7d": wide}
    assert "77% [75, 79]" in milestone_table(ax, data, 150)[0]


def test_plot_command_redraws_the_same_files(run_dir: Path) -> None:
    before = {n: (run_dir / f"{n}.png").read_bytes() for n in RUN_FIGURES}
    proc = run_child([sys.executable, str(ROOT / "run_sim.py"), "plot", str(run_dir)],
                     cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert sorted(Path(p).name for p in proc.stdout.split()) == sorted(
        f"{n}.png" for n in RUN_FIGURES)
    for name, data in before.items():
        assert (run_dir / f"{name}.png").read_bytes() == data, f"{name} is not reproducible"


# -- each run figure's numbers ----------------------------------------------------


def test_outcomes_account_for_every_run(scenario: Scenario, results: Results,
                                        summary: dict[str, Any]) -> None:
    drawn = outcomes_figure(scenario, results, summary)
    d = drawn.data
    cols = results.columns
    agreed, collapsed = cols["agreed"], cols["collapsed"]
    assert d["collapsed"] + d["held_to_horizon"] + d["no_agreement"] == len(results)
    assert d["no_agreement"] == int((~agreed).sum())
    assert d["held_to_horizon"] == int((agreed & ~collapsed).sum())
    want, _ = np.histogram(cols["hours_held"][agreed & collapsed], bins=d["edges"])
    np.testing.assert_array_equal(d["counts"], want)
    assert d["edges"][0] == 0 and d["edges"][-1] == scenario.spec.ceasefire.horizon_hours
    # the drawn histogram and bars carry the same numbers
    hist_ax, bar_ax = drawn.figure.axes[0], drawn.figure.axes[1]
    stairs = [p for p in hist_ax.patches if hasattr(p, "get_data")]
    np.testing.assert_array_equal(stairs[0].get_data().values, want)
    heights = [p.get_height() for p in bar_ax.patches]
    assert heights == [d["held_to_horizon"], d["no_agreement"]]


def test_milestone_labels_have_room_above_the_tallest_bar(scenario: Scenario, results: Results,
                                                          summary: dict[str, Any]) -> None:
    """The '48h' label sat on the tallest bars: the histogram now leaves headroom for the
    labels, which also get a pale backing."""
    drawn = outcomes_figure(scenario, results, summary)
    hist_ax = drawn.figure.axes[0]
    assert hist_ax.get_ylim()[1] >= 1.1 * max(drawn.data["counts"])
    labels = [t for t in hist_ax.texts if t.get_text() in ("48h", "7d")]
    assert labels and all(t.get_bbox_patch() is not None for t in labels)


def test_other_endings_of_a_scenario_where_every_run_collapsed_say_there_are_none() -> None:
    """Two bars of 0 on a bare axis were drawn as an empty panel: it says there are none,
    and its title stays clear of the histogram's axis in days."""
    sc = load_scenario(ROOT / "scenarios" / "cessation_feb_2016.toml")
    res = Runner(workers=1).run(sc, 60, seed=SEED).results
    cols = res.columns
    assert cols["agreed"].all() and cols["collapsed"].all()  # (the case this is about)
    drawn = outcomes_figure(sc, res, jsonable(summarize(res, sc, seed=SEED)))
    hist, endings = drawn.figure.axes[:2]
    assert not endings.patches and list(endings.get_yticks()) == []
    (note,) = endings.texts
    assert note.get_text().startswith("none: every run") and note.get_visible()
    fig = drawn.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    assert endings.get_title() == "other endings"
    title = endings.title.get_window_extent(renderer)
    assert not title.overlaps(hist.get_tightbbox(renderer))


def test_a_run_without_agreement_says_so_once_in_each_figure() -> None:
    """Three panels each said 'no ceasefire collapsed' under '(0 of 0 agreed)', and the
    histogram that no agreed ceasefire collapsed: true, but the point is that none
    agreed."""
    sc = with_overrides(load_scenario(DEFAULT), {"parties.russia.positions.delineation.min": 0.8})
    res = Runner(workers=1).run(sc, 30, seed=SEED).results
    assert not res.columns["agreed"].any()  # (the case this is about)
    summary = jsonable(summarize(res, sc, seed=SEED))
    for figure in (causes_figure, outcomes_figure):
        texts = [t.get_text() for ax in figure(sc, res, summary).figure.axes for t in ax.texts]
        assert texts.count("no replication reached agreement") == 1, texts
        assert not any("collapsed" in t for t in texts), texts


def test_collapse_causes_match_the_columns(scenario: Scenario, results: Results,
                                           summary: dict[str, Any]) -> None:
    drawn = causes_figure(scenario, results, summary)
    d = drawn.data
    collapsed = results.columns["collapsed"]
    withdrew = [w for w, c in zip(results.names("withdrew"), collapsed, strict=True) if c]
    trigger = [t for t, c in zip(results.names("trigger"), collapsed, strict=True) if c]
    blamed = [b for b, c in zip(results.names("blamed"), collapsed, strict=True) if c]
    assert d["collapsed"] == int(collapsed.sum())
    assert d["withdrew"] == dict(Counter(withdrew))
    assert d["withdrew_trigger"] == dict(Counter(zip(withdrew, trigger, strict=True)))
    assert d["trigger_blamed"] == dict(Counter(zip(trigger, blamed, strict=True)))
    assert d["misattributed"] == int(results.columns["misattributed"].sum())
    assert d["delineation_hit"] == int(results.columns["delineation_hit"].sum())
    if d["collapsed"]:
        for party, share in summary["collapse_causes"].items():
            assert d["withdrew"][party] / d["collapsed"] == pytest.approx(share)
        assert d["misattributed"] / d["collapsed"] == pytest.approx(summary["misattributed_share"])
        assert d["delineation_hit"] / d["collapsed"] == pytest.approx(
            summary["delineation_hit_share"])
        # the attribution matrix sums to the collapses; misattribution is off its diagonal
        matrix = d["attribution"]
        assert matrix.sum() == d["collapsed"]
        off = sum(n for (a, b), n in d["trigger_blamed"].items() if a != b)
        assert off == d["misattributed"]
        # the withdrawal bars, stacked by author, add up to the collapses
        bars = sum(p.get_width() for p in drawn.figure.axes[0].patches)
        assert bars == pytest.approx(1.0)
        assert_authors_named(scenario, drawn)


def assert_authors_named(scenario: Scenario, drawn: Any) -> set[str]:
    """A withdrawal bar of several authors names each with its count (a segment of a
    few acts is too thin to see); returns the parties with such bars."""
    d = drawn.data
    notes = [t.get_text().replace("\n", " ") for t in drawn.figure.axes[0].texts
             if "after acts by" in " ".join(t.get_text().split())]
    mixed = {w for w in d["withdrew"]
             if sum(1 for (who, _) in d["withdrew_trigger"] if who == w) > 1}
    assert len(notes) == len(mixed)
    for w in mixed:
        assert any(all(f"{style.party_label(scenario.spec.parties, a)} {k:,}" in note
                       for (who, a), k in d["withdrew_trigger"].items() if who == w)
                   for note in notes), (w, notes)
    # each note names the authors in the order of its bar's segments, from the left
    # (it named them by count while the segments ran in the scenario's order)
    ax = drawn.figure.axes[0]
    colours = style.party_colours(scenario.order)
    for note in notes:
        y = min(ax.patches, key=lambda b: abs(b.get_y() + b.get_height() - next(
            t for t in ax.texts if t.get_text().replace("\n", " ") == note).xy[1])).get_y()
        bar = sorted((b for b in ax.patches if b.get_y() == y), key=lambda b: b.get_x())
        authors = [next(a for a in scenario.order
                        if mcolors.to_hex(colours[a]) == mcolors.to_hex(b.get_facecolor()))
                   for b in bar]
        named = [note.find(f"{style.party_label(scenario.spec.parties, a)} ") for a in authors]
        assert -1 not in named and named == sorted(named), (note, authors)
    return mixed


def test_collapse_causes_name_every_author_of_a_mixed_bar() -> None:
    sc = load_scenario(ROOT / "scenarios" / "kerry_lavrov_sep_2016.toml")
    with Runner(workers=1) as runner:
        res = runner.run(sc, 200, SEED).results
    drawn = causes_figure(sc, res, jsonable(summarize(res, sc, seed=SEED)))
    assert assert_authors_named(sc, drawn)  # the government's bar: JFS and the opposition


def test_a_mixed_bar_s_note_names_its_segments_in_their_order() -> None:
    """With delineation at 0.5 the opposition's acts (34) push the government out more
    often than JFS's (32): the note named the opposition first, the bar drew JFS first."""
    sc = load_scenario(ROOT / "scenarios" / "kerry_lavrov_sep_2016.toml",
                       ["ceasefire.imposed.delineation=0.5"])
    with Runner(workers=1) as runner:
        res = runner.run(sc, 400, 2016).results
    drawn = causes_figure(sc, res, {})
    assert drawn.data["withdrew_trigger"][("regime", "opposition")] == 34
    assert drawn.data["withdrew_trigger"][("regime", "jfs")] == 32
    assert assert_authors_named(sc, drawn) == {"regime"}
    # and names whose bar it is: between two bars, it was read as the upper one's
    (note,) = [" ".join(t.get_text().split()) for t in drawn.figure.axes[0].texts
               if "after acts by" in " ".join(t.get_text().split())]
    assert note.startswith(f"{style.party_label(sc.spec.parties, 'regime')}: after acts by ")


def test_an_issue_s_unit_is_not_said_twice_in_the_agreement_figure(
        scenario: Scenario, results: Results, summary: dict[str, Any]) -> None:
    """'pause hours (hours)' repeated the unit its name already gives."""
    figure = agreement_figure(scenario, results, summary).figure
    labels = [ax.get_ylabel() for ax in figure.axes]
    assert "pause hours" in labels and "aid access\n(share)" in labels, labels


def test_agreement_figure_shows_times_and_terms(scenario: Scenario, results: Results,
                                                summary: dict[str, Any]) -> None:
    drawn = agreement_figure(scenario, results, summary)
    d = drawn.data
    agreed = results.columns["agreed"]
    assert d["agreed"] == int(agreed.sum()) and d["no_agreement"] == int((~agreed).sum())
    want, _ = np.histogram(results.columns["agreement_hour"][agreed], bins=d["edges"])
    np.testing.assert_array_equal(d["counts"], want)
    assert d["counts"].sum() == d["agreed"]
    assert [row["issue"] for row in d["issues"]] == list(scenario.issues)
    for k, row in enumerate(d["issues"]):
        np.testing.assert_array_equal(row["values"], results.columns["terms"][agreed, k])
        assert row["counts"].sum() == d["agreed"]
        assert (row["low"], row["high"]) == (scenario.lows[k], scenario.highs[k])
        # the range's ends are bin centres, so a term clipped to a bound is drawn on it
        centres = (row["edges"][:-1] + row["edges"][1:]) / 2
        np.testing.assert_allclose([centres[0], centres[-1]], [row["low"], row["high"]], atol=1e-9)
        for name, pos in row["positions"].items():
            spec = scenario.spec.parties[name].positions[row["issue"]]
            assert pos == {"ideal": spec.ideal, "min": spec.min, "max": spec.max}
        holders = {n for n in scenario.order
                    if row["issue"] in scenario.spec.parties[n].positions}
        assert set(row["positions"]) == holders
    # each party's ideal point has a shape of its own (the UN's sky blue and the US's
    # blue were told apart by colour alone), the same in every row and in the legend
    shapes: dict[str, set[str]] = {}
    for ax in drawn.figure.axes:
        for line in ax.get_lines():
            if line.get_marker() not in ("None", "|", None, "") and line.get_color() != "black":
                shapes.setdefault(str(line.get_color()), set()).add(str(line.get_marker()))
    assert all(len(s) == 1 for s in shapes.values()), shapes
    used = [next(iter(s)) for s in shapes.values()]
    assert len(used) >= 4 and len(set(used)) == len(used)


# -- sweeps, comparisons, traces --------------------------------------------------


@pytest.fixture(scope="module")
def one_param_sweep(scenario: Scenario) -> list[Any]:
    with Runner(workers=1) as runner:
        points, interrupted = sweep(scenario, [("parties.jfs.behaviour.colocation",
                                                [0.0, 0.5, 1.0])], runner, 100, SEED)
    assert not interrupted
    return points


def test_sweep_one_parameter_plots_the_summaries(one_param_sweep: list[Any],
                                                 tmp_path: Path) -> None:
    key = "parties.jfs.behaviour.colocation"
    drawn = sweep_figure(one_param_sweep, [key])
    np.testing.assert_array_equal(drawn.data["x"], [0.0, 0.5, 1.0])
    for label, _ in milestones(one_param_sweep[0].scenario):
        s = drawn.data["series"][f"hold {label}"]
        for f in ("estimate", "low", "high"):
            want = [pt.summary["p_hold"][label][f] for pt in one_param_sweep]
            np.testing.assert_allclose(s[f], want)
        line = next(ln for ln in drawn.figure.axes[0].get_lines()
                    if ln.get_label() == f"P(holds {label})")
        np.testing.assert_allclose(line.get_ydata(), s["estimate"])
    paths = plots.draw("sweep", tmp_path, points=one_param_sweep, params=[key])
    assert [p.name for p in paths] == ["sweep.png"]
    assert_image(paths[0])


def test_sweep_lines_stand_above_the_paired_differences(one_param_sweep: list[Any]) -> None:
    """The common random numbers' payoff: each point's paired difference from the first,
    with its interval, under the lines whose bands overlap."""
    drawn = sweep_figure(one_param_sweep, ["parties.jfs.behaviour.colocation"])
    diffs = drawn.data["differences"]
    for label, _ in milestones(one_param_sweep[0].scenario):
        d = diffs[f"hold {label}"]
        for k, pt in enumerate(one_param_sweep):
            want = pt.summary["diff_from_reference"]["p_hold"][label]
            assert d["estimate"][k] == want["estimate"]
            if k:  # the reference has no interval of its own
                assert (d["low"][k], d["high"][k]) == (want["low"], want["high"])
        assert d["estimate"][0] == 0 and np.isnan(d["low"][0])
    lower = drawn.figure.axes[1]
    bars = [c for c in lower.containers if c.__class__.__name__ == "ErrorbarContainer"]
    assert len(bars) == 1 + len(milestones(one_param_sweep[0].scenario))


def test_the_agreement_interval_of_a_sweep_does_not_run_through_the_48h_band(
        one_param_sweep: list[Any]) -> None:
    """P(agreement)'s interval was two dotted lines along its ends, which P(hold 48h)'s
    band (never above it, often touching it) crossed in and out of: it is a whisker at
    each point, and no line but a hold's own runs along the bands."""
    drawn = sweep_figure(one_param_sweep, ["parties.jfs.behaviour.colocation"])
    upper = drawn.figure.axes[0]
    s = drawn.data["series"]["agreement"]
    x = drawn.data["x"][drawn.data["order"]]
    holds = {f"P(holds {label})" for label, _ in milestones(one_param_sweep[0].scenario)}
    whiskers = []
    for line in upper.get_lines():
        xs, ys = np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float)
        if line.get_label() in holds or line.get_label() == "P(agreement)":
            continue
        for end in ("low", "high"):  # no line joins the interval's ends from point to point
            assert not (len(ys) == len(x) and np.allclose(ys, s[end][drawn.data["order"]]))
        for seg in np.split(np.column_stack([xs, ys]), np.flatnonzero(np.isnan(ys)) + 1):
            seg = seg[~np.isnan(seg[:, 1])]
            if len(seg) > 1:
                assert np.ptp(seg[:, 0]) == 0, "an interval drawn across points"
                whiskers.append((seg[0, 0], seg[:, 1].min(), seg[:, 1].max()))
    want = sorted(zip(x, s["low"][drawn.data["order"]], s["high"][drawn.data["order"]],
                      strict=True))
    np.testing.assert_allclose(sorted(whiskers), want)


def test_sweep_two_parameters_draws_heat_maps(scenario: Scenario, tmp_path: Path) -> None:
    keys = ["parties.jfs.behaviour.colocation", "ceasefire.monitoring.coverage"]
    with Runner(workers=1) as runner:
        points, _ = sweep(scenario, [(keys[0], [0.0, 1.0]), (keys[1], [0.5, 0.9, 1.0])],
                          runner, 60, SEED)
    drawn = sweep_figure(points, keys)
    grid = drawn.data["grids"]["hold 7d"]
    assert grid["x"] == [0.0, 1.0] and grid["y"] == [0.5, 0.9, 1.0]
    for pt in points:
        i, j = grid["y"].index(pt.params[keys[1]]), grid["x"].index(pt.params[keys[0]])
        assert grid["estimate"][i, j] == pytest.approx(pt.summary["p_hold"]["7d"]["estimate"])
    images = [im for ax in drawn.figure.axes for im in ax.get_images()]
    assert len(images) == len(drawn.data["grids"])
    paths = plots.draw("sweep", tmp_path, points=points, params=keys)
    assert_image(paths[0])
    # beside the estimates, the paired differences from the reference (the first point)
    assert [p.name for p in paths] == ["sweep.png", "sweep_differences.png"]
    assert_image(paths[1])
    from plots.sweep_diff import differences_figure

    diff = differences_figure(points, keys)
    grid = diff.data["grids"]["hold 7d"]
    for pt in points:
        i, j = grid["y"].index(pt.params[keys[1]]), grid["x"].index(pt.params[keys[0]])
        want = pt.summary["diff_from_reference"]["p_hold"]["7d"]
        assert grid["estimate"][i, j] == pytest.approx(want["estimate"])
        if pt is points[0]:
            assert np.isnan(grid["low"][i, j])  # the reference: its own baseline
        else:
            assert (grid["low"][i, j], grid["high"][i, j]) == (want["low"], want["high"])
    texts = [t.get_text() for ax in diff.figure.axes for t in ax.texts]
    assert texts.count("ref") == len(diff.data["grids"])  # one reference cell a panel
    # one scale for every panel, centred on zero
    spans = {im.get_clim() for ax in diff.figure.axes for im in ax.get_images()}
    assert spans == {(-diff.data["span"], diff.data["span"])}
    # whose ticks read the same either side of zero: rounded to whole points, +-2.5 read
    # "+3" above zero and "-2" below (ties to even)
    bar = diff.figure.axes[-1].yaxis
    bar.set_ticks([-0.075, -0.025, 0.0, 0.025, 0.075])
    diff.figure.canvas.draw()
    assert [t.get_text() for t in bar.get_ticklabels()] == ["-7.5", "-2.5", "0", "+2.5", "+7.5"]
    # a sweep of one parameter has lines of differences already, and no heat maps
    one = plots.draw("sweep", tmp_path / "one", points=points[:2], params=keys[:1])
    assert [p.name for p in one] == ["sweep.png"]


@pytest.mark.parametrize(("side", "detail"), [(3, "full"), (11, "estimate"), (16, "none")])
def test_large_sweep_grids_keep_their_cells_legible(scenario: Scenario, side: int,
                                                    detail: str) -> None:
    """An 11 x 11 grid (the README's cluster example) drew two-line labels in every cell,
    overlapping their neighbours; now large grids carry fewer words and bigger panels."""
    from plots.heatmap import cell_detail

    keys = ["ceasefire.imposed.delineation", "ceasefire.imposed.verification"]
    values = [k / (side - 1) for k in range(side)]
    with Runner(workers=1) as runner:
        points, _ = sweep(scenario, [(keys[0], values), (keys[1], values)], runner, 3, SEED)
    drawn = sweep_figure(points, keys)
    assert cell_detail(side, side) == detail
    heat = drawn.figure.axes[0]
    texts = [t.get_text() for t in heat.texts]
    if detail == "none":
        assert texts == []
    else:
        assert len(texts) == side * side
        assert all(("\n" in t) == (detail == "full") for t in texts if t != "n/a")
    width, height = drawn.figure.get_size_inches()
    assert width >= 2 * (0.42 * side + 1.2) and height >= 2 * (0.3 * side + 1.2)
    assert ("intervals in sweep.csv" in drawn.data["caption"]) == (detail != "full")


def test_the_paired_differences_of_a_six_column_grid_do_not_overlap(scenario: Scenario) -> None:
    """On a 6 x 5 grid the intervals ('[-14.2, -7.3]') ran into their neighbours at a
    fixed half inch a column; the columns now take the width the widest text needs."""
    from plots.sweep_diff import differences_figure

    keys = ["ceasefire.imposed.delineation", "ceasefire.monitoring.coverage"]
    with Runner(workers=1) as runner:
        points, _ = sweep(scenario, [(keys[0], [k / 5 for k in range(6)]),
                                     (keys[1], [k / 4 for k in range(5)])], runner, 40, SEED)
    drawn = differences_figure(points, keys)
    fig = drawn.figure
    renderer = fig.canvas.get_renderer()
    longest = 0
    for ax in fig.axes:
        rows: dict[float, list[Any]] = {}
        for t in ax.texts:
            rows.setdefault(t.get_position()[1], []).append(t)
            longest = max(longest, *(len(line) for line in t.get_text().split("\n")))
        for row in rows.values():
            boxes = sorted((t.get_window_extent(renderer) for t in row), key=lambda b: b.x0)
            assert all(left.x1 < right.x0 for left, right in itertools.pairwise(boxes))
    assert longest >= len("[-1.0, +1.0]")  # intervals were drawn, and are what must fit


def test_sweep_of_words_and_of_three_parameters_is_categorical(scenario: Scenario,
                                                               tmp_path: Path) -> None:
    params = [("negotiation.shocks.gainer", ["regime", "opposition"]),
              ("parties.jfs.behaviour.colocation", [0.0, 1.0]),
              ("ceasefire.monitoring.coverage", [0.5, 0.9])]
    with Runner(workers=1) as runner:
        points, _ = sweep(scenario, params, runner, 20, SEED)
    for keys in ([params[0][0]], [k for k, _ in params]):
        subset = points if len(keys) == 3 else [p for p in points if
                                                 p.params[params[1][0]] == 0.0 and
                                                 p.params[params[2][0]] == 0.5]
        drawn = sweep_figure(subset, keys)
        np.testing.assert_array_equal(drawn.data["x"], np.arange(len(subset)))
        # the points are named under the lower panel, which the upper one shares
        ticks = [t.get_text() for t in drawn.figure.axes[1].get_xticklabels()]
        assert ticks[0].startswith("regime") and len(ticks) == len(subset)
    assert_image(plots.draw("sweep", tmp_path, points=points, params=[k for k, _ in params])[0])


def test_compare_forest_plot_shows_the_paired_differences(scenario: Scenario,
                                                          tmp_path: Path) -> None:

    a = with_overrides(scenario, {"parties.jfs.behaviour.colocation": 0.2})
    with Runner(workers=1) as runner:
        result, _, _, interrupted = paired(a, scenario, runner, 200, SEED)
    assert not interrupted
    result = jsonable({"a_name": "less colocation", "b_name": "as written", **result})
    result = json.loads(json.dumps(result))  # exactly what compare --json prints
    drawn = compare_figure(result)
    rows = {r["name"]: r for r in drawn.data["rows"]}
    assert rows["P(agreement)"]["estimate"] == pytest.approx(
        result["diff"]["p_agreement"]["estimate"])
    ind = result["diff"]["independent_p_agreement"]
    assert rows["P(agreement)"]["independent"] == pytest.approx((ind["low"], ind["high"]))
    for label, d in result["diff"]["p_hold"].items():
        row = rows[f"P(holds {label})"]
        assert (row["estimate"], row["low"], row["high"]) == pytest.approx(
            (d["estimate"], d["low"], d["high"]))
        ind = result["diff"]["independent_p_hold"][label]
        assert row["independent"] == pytest.approx((ind["low"], ind["high"]))
        assert row["a"] == pytest.approx(result["a"]["p_hold"][label]["estimate"])
    paths = plots.draw("compare", tmp_path, result=result)
    assert [p.name for p in paths] == ["compare.png"]
    assert_image(paths[0])


def test_trace_figure_draws_the_event_log(scenario: Scenario, traced: tuple[int, Any],
                                          tmp_path: Path) -> None:
    seed, outcome = traced
    drawn = trace_figure(scenario, outcome, seed)
    d = drawn.data
    events = outcome.trace
    start = next(e for e in events if e.event == "ceasefire")
    assert d["phases"]["start"] == start.time and d["phases"]["pause"] == start.value
    withdraw = next(e for e in events if e.event == "withdraws")
    assert d["phases"]["withdraw"] == withdraw and withdraw.party == outcome.withdrew
    for party, (times, values) in d["trust"].items():
        log = [e for e in events if e.event == "trust" and e.party == party]
        assert values == [e.value for e in log]
        assert times == [e.time - start.time for e in log]
        assert d["tolerance"][party] == scenario.spec.parties[party].behaviour.tolerance
    # every violation, attack and strike of the ceasefire has a marker in its lane, an
    # attack blamed on the host and a strike landing on it marked apart
    lane_events = d["lanes"]["ceasefire"]
    apart = {"attack": "attack blamed on host", "strike": "strike lands on host"}
    for kind in ("violation", "attack", "strike"):
        n = sum(1 for e in events if e.event == kind and e.time >= start.time)
        drawn_n = sum(1 for lane in lane_events.values() for _, k, _ in lane
                      if k in (kind, apart.get(kind)))
        assert drawn_n == n
    blamed = sum(1 for e in events if e.event == "attack" and e.time >= start.time
                 and ", blamed on " in e.detail)
    assert blamed and blamed == sum(1 for lane in lane_events.values() for _, k, _ in lane
                                    if k == "attack blamed on host")
    # the trust panel draws each signatory's tolerance line at its level
    trust_ax = drawn.figure.axes[2]
    levels = {round(float(ln.get_ydata()[0]), 9) for ln in trust_ax.get_lines()
              if ln.get_linestyle() == "--"}
    assert levels == {round(v, 9) for v in d["tolerance"].values()}
    assert f"seed {seed}" in d["caption"]
    paths = plots.draw("trace", tmp_path, scenario=scenario, outcome=outcome, seed=seed)
    assert paths[0].name == f"trace_{seed}_{outcome.replication}.png"
    assert_image(paths[0])



def test_a_convoy_attacked_and_turned_back_stays_visible_beside_its_attack(
        scenario: Scenario) -> None:
    """Replication 13: convoy 2 leaves 12 h into the ceasefire, is attacked at 15.8 h and
    turned back at 18 h. Its journey was drawn on the lane's line, under the star of
    the attack, and vanished; it is drawn below the stars now. Replication 1049's
    convoy is attacked 1.8 h in: the time axes leave room left of hour 0, where its
    star was drawn half outside them."""
    outcome = run_replication(scenario, 2016, 13, trace=True)
    drawn = trace_figure(scenario, outcome, 2016)
    cease_ax = drawn.figure.axes[1]
    back = next(c for c in drawn.data["convoys"] if not c.get("delivered") and "end" in c)
    journey = next(ln for ln in cease_ax.get_lines()
                   if list(ln.get_xdata()) == [back["depart"], back["end"]])
    stars = [tuple(xy) for coll in cease_ax.collections for xy in coll.get_offsets()
             if back["depart"] <= xy[0] <= back["end"]]
    assert stars and all(abs(journey.get_ydata()[0] - y) >= 0.2 for _, y in stars)
    early = trace_figure(scenario, run_replication(scenario, 2016, 1049, trace=True), 2016)
    for ax in early.figure.axes[:3]:
        left, right = ax.get_xlim()
        assert -0.05 * right < left < 0

def test_trace_without_agreement_and_without_a_log(tmp_path: Path) -> None:
    sc = deadlock()
    outcome = run_replication(sc, SEED, 0, trace=True)
    assert not outcome.agreed
    assert_image(plots.draw("trace", tmp_path, scenario=sc, outcome=outcome, seed=SEED)[0])
    with pytest.raises(ValueError, match="trace"):
        trace_figure(sc, run_replication(sc, SEED, 0), SEED)


# -- robustness and the shared look ----------------------------------------------


def test_run_figures_without_any_agreement(tmp_path: Path) -> None:
    sc = deadlock()
    with Runner(workers=1) as runner:
        res = runner.run(sc, 20, SEED).results
    assert not res.columns["agreed"].any()
    summary = jsonable(summarize(res, sc, seed=SEED))
    paths = plots.draw("run", tmp_path, scenario=sc, results=res, summary=summary)
    assert [p.stem for p in paths] == list(RUN_FIGURES)
    for p in paths:
        assert_image(p)


def test_svg_format(scenario: Scenario, results: Results, summary: dict[str, Any],
                    tmp_path: Path) -> None:
    paths = plots.draw("run", tmp_path, fmt="svg", scenario=scenario, results=results,
                       summary=summary)
    assert [p.suffix for p in paths] == [".svg"] * 4
    assert all(p.read_text().lstrip().startswith("<?xml") for p in paths)


def test_unknown_kind_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown figure kind"):
        plots.draw("pie", tmp_path)


def test_backtest_delegates_or_draws_nothing(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import types

    fake = types.ModuleType("plots.calibration")
    calls = []

    def draw_calibration(table: Any, directory: Path, fmt: str) -> Path:
        calls.append((table, directory, fmt))
        return directory / f"calibration.{fmt}"

    fake.draw_calibration = draw_calibration  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "plots.calibration", fake)
    assert plots.draw("backtest", tmp_path, "svg", table="T") == [tmp_path / "calibration.svg"]
    assert calls == [("T", tmp_path, "svg")]
    monkeypatch.setitem(sys.modules, "plots.calibration", None)
    assert plots.draw("backtest", tmp_path, table="T") == []


def test_run_figures_name_the_run_alike(scenario: Scenario, results: Results,
                                        summary: dict[str, Any]) -> None:
    """Every figure of a run opens its caption with the same scenario, runs and seed."""
    head = f"scenario {scenario.name}  ·  {len(results):,} runs  ·  seed {SEED}"
    for figure in (survival_figure, outcomes_figure, causes_figure, agreement_figure):
        assert figure(scenario, results, summary).data["caption"].startswith(head)


@pytest.mark.parametrize("place", ["right", "left", "above"])
def test_time_marks_are_labelled_at_the_top_edge(place: str) -> None:
    """The label sits at the top of the axes, on the chosen side of the line, at any y range."""
    with style.styled():
        fig = style.new_figure(4.0, 3.0)
        ax = fig.subplots()
        ax.set_xlim(0, 100)
        ax.set_ylim(-7, 350)
        marks.mark_time(ax, 40.0, "48h", place=place)  # type: ignore[arg-type]
        fig.canvas.draw()
    (line,) = ax.lines
    (label,) = ax.texts
    assert list(line.get_xdata()) == [40.0, 40.0] and label.get_text() == "48h"
    box = label.get_window_extent()
    top = ax.get_window_extent().y1
    x = ax.transData.transform((40.0, 0.0))[0]
    if place == "above":
        assert box.y0 >= top and box.x0 < x < box.x1
    else:
        assert box.y1 <= top and box.y0 > ax.get_window_extent().y0
        assert box.x0 > x if place == "right" else box.x1 < x


def test_party_colours_are_fixed_and_shared_by_every_figure(
        scenario: Scenario, results: Results, summary: dict[str, Any],
        traced: tuple[int, Any]) -> None:
    from matplotlib.colors import to_hex

    assert style.party_colours(["us", "russia"]) == {"us": style.BLUE,
                                                   "russia": style.VERMILLION}
    # an unknown party's colour depends on the scenario's names only, never on a panel
    names = ["east", "west", "red", "blue", "un"]
    assert style.party_colours(names) == style.party_colours(list(reversed(names)))
    assert len(set(style.party_colours(names).values())) == len(names)
    okabe_ito = set(style.PARTY_COLOURS.values())
    assert len(okabe_ito) == len(style.PARTY_COLOURS)

    colours = style.party_colours(scenario.order)
    label_of = {style.party_label(scenario.spec.parties, p): p for p in scenario.order}
    seed, outcome = traced
    trust_ax = trace_figure(scenario, outcome, seed).figure.axes[2]
    for line in trust_ax.get_lines():
        party = label_of.get(line.get_label())
        if party:
            assert to_hex(line.get_color()) == colours[party].lower()
    legend = causes_figure(scenario, results, summary).figure.axes[3].get_legend()
    assert legend is not None
    for handle, text in zip(legend.legend_handles, legend.get_texts(), strict=True):
        party = label_of[text.get_text()]
        assert to_hex(handle.get_facecolor()) == colours[party].lower()


def test_label_rows_lift_only_labels_that_would_overlap() -> None:
    # on a 720-hour axis 400 points wide, 24 h is 13 points and a label about 23: a
    # label clashes with its neighbours a day away, not with one two days away
    assert marks.label_rows([24.0, 48.0, 72.0, 168.0, 720.0], ["24h", "48h", "72h", "7d", "30d"],
                            720.0, 400.0) == [0, 1, 0, 0, 0]
    assert marks.label_rows([24.0, 36.0, 48.0], ["24h", "36h", "48h"], 720.0, 400.0) == [0, 1, 2]
    # labels to the right of their lines clash only with the label on their left
    assert marks.label_rows([24.0, 48.0, 72.0, 168.0], ["24h", "48h", "72h", "7d"],
                            720.0, 400.0, place="right") == [0, 1, 0, 0]


def _drawn_texts(fig: Figure) -> list[Text]:
    """The visible, non-empty texts of ``fig`` once drawn (tick labels of ticks outside
    their axis's limits are kept by matplotlib but not drawn)."""
    fig.canvas.draw()
    hidden = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            low, high = sorted(axis.get_view_interval())
            for tick in [*axis.get_major_ticks(), *axis.get_minor_ticks()]:
                if not low - 1e-9 <= tick.get_loc() <= high + 1e-9:
                    hidden |= {id(tick.label1), id(tick.label2)}
    return [t for t in fig.findobj(Text)
            if t.get_visible() and t.get_text().strip() and id(t) not in hidden]


def _overlapping_texts(fig: Figure) -> list[tuple[str, str]]:
    """Pairs of drawn texts of ``fig`` whose extents overlap."""
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    texts = _drawn_texts(fig)
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts]
    return [(a, b) for i, (a, box_a) in enumerate(boxes) for b, box_b in boxes[i + 1:]
            if box_a.overlaps(box_b)]


def test_many_and_close_milestones_leave_every_text_readable(tmp_path: Path) -> None:
    """Six milestones, three of them a day apart: the list beside the survival curve
    and the labels over both figures overlap nothing (they ran into each other and off
    the figure)."""
    path = tmp_path / "six.toml"
    path.write_text(f'extends = "{DEFAULT.as_posix()}"\nname = "six"\n[ceasefire]\n'
                    'milestones = { "24h" = 24.0, "48h" = 48.0, "72h" = 72.0, "7d" = 168.0, '
                    '"14d" = 336.0, "30d" = 720.0 }\n')
    six = load_scenario(path)
    with Runner(workers=1) as runner:
        res = runner.run(six, 300, SEED).results
    summ = jsonable(summarize(res, six, seed=SEED))
    for figure in (survival_figure, outcomes_figure):
        assert _overlapping_texts(figure(six, res, summ).figure) == []


def test_trust_path_recovers_in_calm_and_drops_to_each_logged_value() -> None:
    """Half-life 5 h: from 0.3 logged at hour 10, trust is back to 0.4 at 15 and 0.45 at
    20; it stays at its starting level until the first drop."""
    rate = math.log(2) / 5.0
    xs, ys = trust_path([0.0, 10.0], [0.5, 0.3], rate, 20.0, samples=2)
    assert xs == [0.0, 5.0, 10.0, 10.0, 15.0, 20.0]
    assert ys == pytest.approx([0.5, 0.5, 0.5, 0.3, 0.4, 0.45])
    assert trust_path([], [], rate, 20.0) == ([], [])


def test_the_drawn_trust_follows_the_model_between_logged_values(
        scenario: Scenario, traced: tuple[int, Any]) -> None:
    """Just before each logged drop the drawn trust is where calm had brought it back to
    (above the logged value, not on a straight line to it), and it runs to the end of
    the ceasefire."""
    seed, outcome = traced
    drawn = trace_figure(scenario, outcome, seed)
    d = drawn.data
    rate = scenario.spec.ceasefire.trust_recovery_per_day / 24.0
    end = d["phases"]["end"] - d["phases"]["start"]
    recoveries = 0
    for party, (times, values) in d["trust"].items():
        xs, ys = d["trust_path"][party]
        assert xs[-1] == pytest.approx(end) and xs[0] == times[0] and ys[0] == values[0]
        for k in range(1, len(times)):
            i = xs.index(times[k])
            recovered = rules.trust_after_calm(values[k - 1], values[0], rate,
                                               times[k] - times[k - 1])
            assert ys[i] == pytest.approx(recovered) and ys[i + 1] == values[k]
            assert ys[i] >= ys[i + 1]
            recoveries += ys[i] > values[k - 1]
        line = next(ln for ln in drawn.figure.axes[2].get_lines()
                    if ln.get_label() == style.party_label(scenario.spec.parties, party))
        assert list(line.get_xdata()) == xs and list(line.get_ydata()) == ys
    assert recoveries > 0


def test_the_tolerance_line_crossed_shows_in_the_colour_of_who_withdrew(
        scenario: Scenario, traced: tuple[int, Any]) -> None:
    """Signatories with equal tolerances share one dashed line; the one drawn last (on
    top) belongs to the party that withdrew."""
    from matplotlib.colors import to_hex

    seed, outcome = traced
    trust_ax = trace_figure(scenario, outcome, seed).figure.axes[2]
    dashed = [line for line in trust_ax.get_lines() if line.get_linestyle() == "--"]
    assert len(dashed) == len([p for p in scenario.order
                               if scenario.parties[p].role in ("patron", "combatant")])
    withdrew = style.party_colours(scenario.order)[outcome.withdrew]
    assert to_hex(dashed[-1].get_color()) == withdrew.lower()
    tolerance = scenario.spec.parties[outcome.withdrew].behaviour.tolerance
    assert dashed[-1].get_ydata()[0] == tolerance


def test_sim_never_imports_plots_or_matplotlib() -> None:
    for path in (ROOT / "sim").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert not name.startswith(("plots", "matplotlib")), f"{path.name} imports {name}"


def test_drawing_needs_no_display_and_no_pyplot(tmp_path: Path) -> None:
    code = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "import plots\n"
        "from sim.model import run_replication\n"
        "from sim.scenario import load_scenario\n"
        f"sc = load_scenario({str(DEFAULT)!r})\n"
        f"out = run_replication(sc, {SEED}, 0, trace=True)\n"
        f"paths = plots.draw('trace', Path({str(tmp_path)!r}), scenario=sc, outcome=out, "
        f"seed={SEED})\n"
        "assert len(paths) == 1 and paths[0].exists()\n"
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot was imported'\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "MPLBACKEND")}
    proc = run_child([sys.executable, "-c", code], cwd=ROOT, env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr


def test_a_swept_table_can_be_one_of_two_parameters(scenario: Scenario, tmp_path: Path) -> None:
    """Its values, tables, cannot be hashed: the figure failed with a TypeError."""
    params = [("ceasefire.milestones", [{"48h": 48.0}, {"48h": 24.0}]),
              ("ceasefire.monitoring.deterrence", [0.1, 0.6])]
    with Runner(workers=1) as runner:
        points, _ = sweep(scenario, params, runner, 20, SEED)
    drawn = sweep_figure(points, [k for k, _ in params])
    assert drawn.data["grids"]["hold 48h"]["x"] == [{"48h": 48.0}, {"48h": 24.0}]
    ticks = [t.get_text() for t in drawn.figure.axes[0].get_xticklabels()]
    assert ticks == ["{ 48h = 48.0 }", "{ 48h = 24.0 }"]  # as the table writes them


def test_every_points_milestones_are_drawn(scenario: Scenario) -> None:
    """A milestone the first point lacks was left out of the figure."""
    params = [("ceasefire.milestones", [{"48h": 48.0}, {"48h": 48.0, "14d": 336.0}])]
    with Runner(workers=1) as runner:
        points, _ = sweep(scenario, params, runner, 20, SEED)
    drawn = sweep_figure(points, ["ceasefire.milestones"])
    assert set(drawn.data["series"]) == {"agreement", "hold 48h", "hold 14d"}
    assert np.isnan(drawn.data["series"]["hold 14d"]["estimate"][0])


def test_difference_ticks_have_the_decimals_they_need() -> None:
    from plots.sweep import _points

    quarters = np.array([-0.005, -0.0025, 0.0, 0.0025, 0.005])
    assert [_points(v, quarters) for v in quarters] == ["-0.50", "-0.25", "0", "+0.25", "+0.50"]
    tens = np.array([-0.1, 0.0, 0.1, 0.2])
    assert [_points(v, tens) for v in tens] == ["-10", "0", "+10", "+20"]


def test_a_character_the_font_lacks_is_reported_once(results, tmp_path, capsys, recwarn):
    """matplotlib warns once per figure and character, with a path into its own code;
    the user gets one line naming the characters drawn as boxes."""
    dove = load_scenario(DEFAULT, ["name=peace \U0001f54a"])
    paths = plots.draw("run", tmp_path, scenario=dove, results=results, summary={})
    assert len(paths) == 4
    err = capsys.readouterr().err
    assert err.count("note: the figures' font has no glyph for \U0001f54a") == 1
    assert not [w for w in recwarn if "Glyph" in str(w.message)]
    assert plots.missing_glyphs(["Glyph 128330 (\\N{DOVE OF PEACE}) missing from font(s) "
                                 "DejaVu Sans.", "something else"]) == ["\U0001f54a"]


def test_many_armed_parties_with_long_names_leave_the_causes_figure_readable(tmp_path):
    """Six more spoilers with long names: no text of the collapse-causes figure overlaps
    another, and every one lies inside the figure (the legend grew wider than the
    figure and the layout gave up; the matrix's names ran into each other)."""
    names = ["Islamic State of Iraq and the Levant", "Ahrar al-Sham Islamic Movement",
             "Jund al-Aqsa brigade", "Harakat Nour al-Din al-Zenki",
             "Turkistan Islamic Party in Syria", "Jaish al-Islam hardliners"]
    text = f'extends = "{DEFAULT.as_posix()}"\nname = "crowded"\n'
    for k, label in enumerate(names):
        text += (f'[parties.sp{k}]\nrole = "spoiler"\nhost = "opposition"\nopponent = "regime"\n'
                 f'label = "{label}"\nno_deal = 1.0\n[parties.sp{k}.behaviour]\n'
                 'attack_rate = 1.0\ncolocation = 0.5\n')
    (tmp_path / "crowded.toml").write_text(text)
    crowded = load_scenario(tmp_path / "crowded.toml")
    with Runner(workers=1) as runner:
        res = runner.run(crowded, 1000, SEED).results
    fig = causes_figure(crowded, res, {}).figure
    assert len({a for a, _ in collapse_tables(res)["trigger_blamed"]}) >= 6
    assert _overlapping_texts(fig) == []
    width, _ = fig.canvas.get_width_height()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    for t in _drawn_texts(fig):
        box = t.get_window_extent(renderer)
        assert box.x0 >= -1 and box.x1 <= width + 1 and box.y0 >= -1, t.get_text()


def test_figures_of_an_interrupted_run_say_so(scenario: Scenario, results: Results,
                                              summary: dict[str, Any],
                                              one_param_sweep: list[Any]) -> None:
    """A figure drawn from a stopped run (``plot DIR`` on a partial run, a sweep stopped
    early, a comparison of the runs both sides finished) looked like a finished run's;
    its caption now opens with what it lacks, and a finished run's does not."""
    stopped = {**summary, "partial": True}
    for figure in (survival_figure, outcomes_figure, causes_figure, agreement_figure):
        assert figure(scenario, results, stopped).data["caption"].startswith(
            f"PARTIAL: {style.PARTIAL_RUN}  ·  scenario {scenario.name}")
        assert "PARTIAL" not in figure(scenario, results, summary).data["caption"]
    assert sweep_figure(one_param_sweep, ["parties.jfs.behaviour.colocation"], 5
                        ).data["caption"].startswith("PARTIAL: interrupted, 3 of 5 points  ·")
    assert "PARTIAL" not in sweep_figure(one_param_sweep, ["parties.jfs.behaviour.colocation"],
                                         3).data["caption"]
    with Runner(workers=1) as runner:
        result, _, _, _ = paired(scenario, scenario, runner, 20, SEED)
    result = jsonable(result)
    assert "PARTIAL" not in compare_figure(result).data["caption"]
    assert compare_figure({**result, "partial": True}).data["caption"].startswith(
        "PARTIAL: interrupted, the runs both sides finished  ·")
    stopped_figure = survival_figure(scenario, results, stopped).figure
    assert stopped_figure.get_supxlabel() and stopped_figure._supxlabel.get_color() == \
        style.PARTIAL_COLOUR  # and in a colour that does not pass unnoticed
    assert survival_figure(scenario, results, summary).figure._supxlabel.get_color() != \
        style.PARTIAL_COLOUR


def test_the_compare_caption_names_both_scenarios(scenario: Scenario) -> None:
    """It named side A's scenario alone."""
    other = with_overrides(scenario, {"name": "other"})
    with Runner(workers=1) as runner:
        result, _, _, _ = paired(scenario, other, runner, 20, SEED)
    text = compare_figure(jsonable(result)).data["caption"]
    assert text.startswith(f"scenario {scenario.name} vs other  ·")
    with Runner(workers=1) as runner:
        result, _, _, _ = paired(scenario, scenario, runner, 20, SEED)
    assert compare_figure(jsonable(result)).data["caption"].startswith(
        f"scenario {scenario.name}  ·  20 runs per side  ·")  # (as a comparison sweep says)


def test_the_run_figures_named_in_rundir_are_those_drawn() -> None:
    from sim.rundir import RUN_FIGURES as NAMED

    assert NAMED == RUN_FIGURES


# -- sweeps: order, single points, tick labels -------------------------------------


def _turns(xs: np.ndarray) -> int:
    """How often a sequence of x coordinates changes direction (a band's outline runs
    out along one edge and back along the other: one turn)."""
    steps = np.sign(np.diff(np.asarray(xs, dtype=float)))
    steps = steps[steps != 0]
    return int(np.count_nonzero(steps[1:] != steps[:-1]))


def test_a_sweep_given_out_of_order_is_drawn_in_order_of_value(scenario: Scenario) -> None:
    """The reference is listed first, so values are often not ascending: the lines were
    drawn in the order given, zigzagging, and the bands folded back on themselves."""
    key = "ceasefire.monitoring.deterrence"
    with Runner(workers=1) as runner:
        points, _ = sweep(scenario, [(key, [0.3, 0.0, 0.6])], runner, 60, SEED)
    drawn = sweep_figure(points, [key])
    d = drawn.data
    np.testing.assert_array_equal(d["x"], [0.3, 0.0, 0.6])  # each point's value, as given
    upper, lower = drawn.figure.axes[:2]
    for name, s in d["series"].items():
        label = "P(agreement)" if name == "agreement" else f"P(holds {name.split(' ', 1)[1]})"
        line = next(ln for ln in upper.get_lines() if ln.get_label() == label)
        assert list(line.get_xdata()) == [0.0, 0.3, 0.6]
        np.testing.assert_allclose(line.get_ydata(), s["estimate"][[1, 0, 2]])
    bands = [c for c in upper.collections if len(c.get_paths())]
    assert len(bands) == len(d["series"]) - 1
    for band in bands:
        assert _turns(band.get_paths()[0].vertices[:-1, 0]) == 1
    for bar in lower.containers:
        assert np.all(np.diff(bar.lines[0].get_xdata()) > 0)
    # the differences are still from the first point given, which the axis names
    assert "deterrence = 0.3" in lower.get_title(loc="left").replace("\n", " ")
    assert d["differences"]["agreement"]["estimate"][0] == 0
    np.testing.assert_array_equal(d["order"], [1, 0, 2])


def test_heat_map_axes_run_in_order_of_value(scenario: Scenario) -> None:
    """A sweep extended on resume appends its new values (0, 1, then 0.5): the heat
    map's axis ran 0, 1, 0.5."""
    keys = ["ceasefire.monitoring.deterrence", "ceasefire.monitoring.notice"]
    with Runner(workers=1) as runner:
        points, _ = sweep(scenario, [(keys[0], [0.0, 1.0, 0.5]), (keys[1], [0.7, 0.5])],
                          runner, 20, SEED)
    drawn = sweep_figure(points, keys)
    for name, grid in drawn.data["grids"].items():
        assert grid["x"] == [0.0, 0.5, 1.0] and grid["y"] == [0.5, 0.7]
        s = drawn.data["series"][name]
        for k, pt in enumerate(points):
            i, j = grid["y"].index(pt.params[keys[1]]), grid["x"].index(pt.params[keys[0]])
            assert grid["estimate"][i, j] == s["estimate"][k]
    heat = drawn.figure.axes[0]
    assert [t.get_text() for t in heat.get_xticklabels()] == ["0", "0.5", "1"]
    assert [t.get_text() for t in heat.get_yticklabels()] == ["0.5", "0.7"]


def test_a_single_point_is_drawn_as_markers_with_intervals(scenario: Scenario) -> None:
    """One point has no line or band: the legend listed P(agreement) and the bands, and
    neither showed; and the differences were spread along the parameter's axis."""
    from matplotlib.container import ErrorbarContainer

    key = "ceasefire.monitoring.deterrence"
    with Runner(workers=1) as runner:
        points, _ = sweep(scenario, [(key, [0.3])], runner, 60, SEED)
    drawn = sweep_figure(points, [key])
    upper, lower = drawn.figure.axes[:2]
    legend = upper.get_legend()
    assert legend is not None
    listed = [t.get_text() for t in legend.get_texts()]
    bars = {c.get_label(): c for c in upper.containers if isinstance(c, ErrorbarContainer)}
    assert sorted(listed) == sorted(bars)  # everything listed is drawn
    for name, s in drawn.data["series"].items():
        label = "P(agreement)" if name == "agreement" else f"P(holds {name.split(' ', 1)[1]})"
        marker, _, (interval,) = bars[label].lines
        assert list(marker.get_ydata()) == [s["estimate"][0]]
        (segment,) = interval.get_segments()
        assert list(segment[:, 1]) == pytest.approx([s["low"][0], s["high"][0]])
    # the differences stand at the point itself, close together
    low, high = lower.get_xlim()
    diffs = [c for c in lower.containers if isinstance(c, ErrorbarContainer)]
    assert len(diffs) == len(drawn.data["series"])
    for bar in diffs:
        assert abs(bar.lines[0].get_xdata()[0] - 0.3) <= 0.15 * (high - low)
    shown = [t.get_text() for t in lower.get_xticklabels()
             if low <= t.get_position()[0] <= high]
    assert shown == ["0.3"]


def test_the_names_of_many_grid_points_do_not_overlap(scenario: Scenario) -> None:
    """A sweep of three parameters names its points under the lines: 100 of them wrote
    100 names on top of each other. As many are named as fit, the first among them."""
    params = [("ceasefire.imposed.delineation", [0.0, 0.25, 0.5, 0.75, 1.0]),
              ("ceasefire.imposed.verification", [0.0, 0.25, 0.5, 0.75, 1.0]),
              ("ceasefire.monitoring.deterrence", [0.1, 0.3, 0.5, 0.7])]
    with Runner(workers=1) as runner:
        points, _ = sweep(scenario, params, runner, 2, SEED)
    drawn = sweep_figure(points, [k for k, _ in params])
    fig = drawn.figure
    assert _overlapping_texts(fig) == []
    below = fig.axes[1]
    shown = [t for t in _drawn_texts(fig) if t in below.get_xticklabels()]
    assert len(shown) >= len(points) // 5
    names = [f"{pt.params[params[0][0]]:g}, {pt.params[params[1][0]]:g}, "
             f"{pt.params[params[2][0]]:g}" for pt in points]
    for t in shown:
        assert t.get_text() == names[round(t.get_position()[0])]
    assert shown[0].get_text() == names[0]


def test_tick_labels_tell_values_apart_and_write_large_numbers_out() -> None:
    from plots.heatmap import tick_labels

    assert tick_labels([0.12341, 0.12342]) == ["0.12341", "0.12342"]
    assert tick_labels([600.0, 1440.0, 10080.0]) == ["600", "1440", "10080"]
    assert tick_labels([0.1 + 0.2, 0.5]) == ["0.3", "0.5"]
    assert tick_labels([1, 2, 3]) == ["1", "2", "3"]
    assert tick_labels(["regime", {"48h": 48.0}]) == ["regime", "{ 48h = 48.0 }"]


def test_heat_map_ticks_tell_close_values_apart_and_write_hours_out(scenario: Scenario) -> None:
    """Three significant figures drew 0.12341 and 0.12342 both as 0.123, and 1200 hours
    as 1.2e+03."""
    keys = ["ceasefire.monitoring.deterrence", "negotiation.deadline_hours"]
    with Runner(workers=1) as runner:
        points, _ = sweep(scenario, [(keys[0], [0.12341, 0.12342]), (keys[1], [600.0, 1200.0])],
                          runner, 5, SEED)
    heat = sweep_figure(points, keys).figure.axes[0]
    assert [t.get_text() for t in heat.get_xticklabels()] == ["0.12341", "0.12342"]
    assert [t.get_text() for t in heat.get_yticklabels()] == ["600", "1200"]


def test_close_swept_values_are_written_out_under_the_lines(scenario: Scenario) -> None:
    """Sizes of 0.10001, 0.10002 and 0.10003: matplotlib wrote the axis as 1.0, 2.0 and
    3.0 with an offset of 1e-5+1e-1 in its corner, for the reader to add up. The values
    are written as the sweep's table writes them, no offset."""
    key = "negotiation.shocks.size"
    with Runner(workers=1) as runner:
        points, _ = sweep(scenario, [(key, [0.10002, 0.10001, 0.10003])], runner, 5, SEED)
    fig = sweep_figure(points, [key]).figure
    assert _overlapping_texts(fig) == []  # draws the figure
    upper, below = fig.axes[:2]
    for ax in (upper, below):
        assert ax.xaxis.get_offset_text().get_text() == ""
    shown = [t.get_text() for t in _drawn_texts(fig) if t in below.get_xticklabels()]
    assert shown == ["0.10001", "0.10002", "0.10003"]
    assert "size = 0.10002" in below.get_title(loc="left").replace("\n", " ")


def test_swept_values_too_close_to_label_all_keep_clear_of_each_other(scenario: Scenario
                                                                       ) -> None:
    """600 and 1200 hours are a label's width apart on an axis running to 10080: the
    reference and the far value are named, the point between them has its tick alone."""
    key = "negotiation.deadline_hours"
    with Runner(workers=1) as runner:
        points, _ = sweep(scenario, [(key, [1200.0, 600.0, 10080.0])], runner, 3, SEED)
    fig = sweep_figure(points, [key]).figure
    assert _overlapping_texts(fig) == []
    below = fig.axes[1]
    shown = [t.get_text() for t in _drawn_texts(fig) if t in below.get_xticklabels()]
    assert shown == ["1200", "10080"]
    assert list(below.xaxis.get_minorticklocs()) == [600.0]  # the others are labelled
    assert below.xaxis.get_offset_text().get_text() == ""


def test_a_sweep_of_an_integer_field_has_integer_ticks(scenario: Scenario) -> None:
    """Convoys per pause of 1, 2 and 3 were drawn with ticks at 1.5 and 2.5."""
    key = "ceasefire.convoys.max_per_pause"
    with Runner(workers=1) as runner:
        points, _ = sweep(scenario, [(key, [1, 2, 3])], runner, 10, SEED)
    fig = sweep_figure(points, [key]).figure
    below = fig.axes[1]
    shown = [t for t in _drawn_texts(fig) if t in below.get_xticklabels()]
    assert [t.get_text() for t in shown] == ["1", "2", "3"]
    assert [t.get_position()[0] for t in shown] == [1.0, 2.0, 3.0]


def test_the_ticks_of_a_heat_map_do_not_overlap(scenario: Scenario) -> None:
    """Twelve tables (milestones) along a heat map's axis: a cell is narrower than the
    table written out, and every label was drawn, into its neighbours. As many are
    named as fit, the first among them."""
    keys = ["ceasefire.milestones", "ceasefire.monitoring.deterrence"]
    tables = [{"48h": 24.0 + 4 * k} for k in range(12)]
    with Runner(workers=1) as runner:
        points, _ = sweep(scenario, [(keys[0], tables), (keys[1], [0.1, 0.6])], runner, 5, SEED)
    fig = sweep_figure(points, keys).figure
    assert _overlapping_texts(fig) == []
    heat = fig.axes[0]
    shown = [t for t in _drawn_texts(fig) if t in heat.get_xticklabels()]
    assert len(shown) >= 3 and shown[0].get_text() == "{ 48h = 24.0 }"
    for t in shown:
        assert t.get_text() == f"{{ 48h = {24.0 + 4 * round(t.get_position()[0])} }}"


# -- party names of ordinary length ------------------------------------------------


MID_LABELS = ["parties.opposition.label='Free Syrian Army and allied factions'",
              "parties.regime.label='Government of the Syrian Arab Republic'"]
"""Party names of ordinary length (36 and 38 characters)."""
LONG_LABELS = [
    "parties.opposition.label='Free Syrian Army, the Southern Front and their allied armed "
    "factions'",
    "parties.regime.label='Government of the Syrian Arab Republic and its allied militias'",
    "parties.jfs.label='Jabhat Fatah al-Sham, formerly Jabhat al-Nusra (al-Qaeda in Syria)'"]
"""Long party names (62 to 68 characters)."""


def _readable_texts(fig: Figure) -> list[Text]:
    """:func:`_drawn_texts`, less the tick labels of secondary axes (the days over an
    axis in hours) at ticks outside their limits, which are not drawn either."""
    texts = _drawn_texts(fig)
    hidden = set()
    for ax in fig.axes:
        for child in ax.child_axes:
            for axis in (child.xaxis, child.yaxis):
                low, high = sorted(axis.get_view_interval())
                for tick in axis.get_major_ticks():
                    if not low - 1e-9 <= tick.get_loc() <= high + 1e-9:
                        hidden |= {id(tick.label1), id(tick.label2)}
    return [t for t in texts if id(t) not in hidden]


def _assert_readable(fig: Figure) -> None:
    """No drawn text of ``fig`` overlaps another, and every one lies inside the figure."""
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    texts = _readable_texts(fig)
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts]
    assert [(a, b) for i, (a, box_a) in enumerate(boxes) for b, box_b in boxes[i + 1:]
            if box_a.overlaps(box_b)] == []
    width, height = fig.canvas.get_width_height()
    for t in texts:
        box = t.get_window_extent(renderer)
        assert box.x0 >= -1 and box.x1 <= width + 1, t.get_text()
        assert box.y0 >= -1 and box.y1 <= height + 1, t.get_text()


@pytest.mark.parametrize("labels", [MID_LABELS, LONG_LABELS], ids=["ordinary", "long"])
def test_party_names_of_ordinary_length_leave_the_agreement_figure_readable(
        labels: list[str]) -> None:
    """The terms' legend, three columns of names of 36 and 38 characters, ran off the
    figure's right edge and over the time panel's axis label."""
    sc = load_scenario(DEFAULT, labels)
    with Runner(workers=1) as runner:
        res = runner.run(sc, 200, SEED).results
    _assert_readable(agreement_figure(sc, res, {}).figure)


@pytest.mark.parametrize("labels", [MID_LABELS, LONG_LABELS], ids=["ordinary", "long"])
def test_party_names_of_ordinary_length_leave_the_trace_figure_readable(
        labels: list[str]) -> None:
    """The talks' lanes were a fixed height: names of 36 and 38 characters, three lines
    each, ran into each other."""
    sc = load_scenario(DEFAULT, labels)
    outcome = run_replication(sc, SEED, 1, trace=True)
    assert outcome.agreed and outcome.collapsed
    _assert_readable(trace_figure(sc, outcome, SEED).figure)


def test_long_party_names_leave_the_causes_figure_readable() -> None:
    """Names of 62 to 68 characters: the authors' legend grew wider than the figure and
    the layout gave up, so the panels' titles and the bar's note ran into each other."""
    sc = load_scenario(ROOT / "scenarios" / "kerry_lavrov_sep_2016.toml", LONG_LABELS)
    with Runner(workers=1) as runner:
        res = runner.run(sc, 200, SEED).results
    drawn = causes_figure(sc, res, {})
    assert any("after acts by" in " ".join(t.get_text().split()) for t in drawn.figure.axes[0].texts)
    _assert_readable(drawn.figure)


def _flat(text: str) -> str:
    """``text`` on one line (names are broken into lines to fit their room)."""
    return " ".join(text.split())


def test_names_are_broken_into_lines_that_keep_to_their_room() -> None:
    """Every word is kept, each line measured from the font fits, and a word wider than
    the room on its own is broken inside itself rather than cut."""
    from plots.fitting import fit_lines, text_width

    name = "Jabhat Fatah al-Sham, formerly Jabhat al-Nusra (al-Qaeda in Syria)"
    lines = fit_lines(name, 9, style.NAME_POINTS).split("\n")
    assert " ".join(lines) == name and len(lines) == 3
    assert all(text_width(line, 9) <= style.NAME_POINTS for line in lines)
    word = "Hayat-Tahrir-al-Sham-and-affiliated-brigades-of-the-north"
    pieces = fit_lines(word, 9, 60.0).split("\n")
    assert "".join(pieces) == word and len(pieces) > 1
    assert all(text_width(piece, 9) <= 60.0 for piece in pieces)
    assert fit_lines("Russia", 9, 60.0) == "Russia"


def test_names_under_three_matrix_columns_are_not_broken_inside_a_word(scenario: Scenario) -> None:
    """Under three columns 'Armed opposition' read 'Armed oppositio / n' and 'Turkish-backed'
    'Turkish-b / acked': the names now take a smaller size where a word would not fit
    whole, and a hyphenated word breaks after its hyphen."""
    from plots.causes import MATRIX_SIZE, below_size, matrix_names
    from plots.fitting import fit_lines

    data = {"trigger_blamed": {("jfs", "opposition"): 2, ("regime", "regime"): 5,
                               ("opposition", "jfs"): 1}}
    sets = ['parties.jfs.label="Turkish-backed factions"']
    sc = load_scenario(DEFAULT, sets)
    below, _ = matrix_names(data, sc)
    for name, label in zip(below, ("Turkish-backed factions", "Armed opposition",
                                   "Syrian government"), strict=True):
        rebuilt = "".join(line + ("" if line.endswith("-") else " ") for line in name.split("\n"))
        assert rebuilt.strip() == label, name
    assert below_size(data, sc) < MATRIX_SIZE  # 'opposition' is wider than its column
    assert below_size(data, scenario) <= MATRIX_SIZE
    assert fit_lines("Turkish-backed", 8, 40.0) == "Turkish-\nbacked"


@pytest.mark.parametrize("labels", [MID_LABELS, LONG_LABELS], ids=["ordinary", "long"])
def test_the_trace_figure_names_every_party_in_full(labels: list[str]) -> None:
    """The tolerance legend cut names at 24 characters ('Free Syrian Army, the S...',
    'Government of the Syria...'), and beside the lanes and in the trust legend at three
    lines of 24. Every name is shown in full, in lines measured from the font."""
    sc = load_scenario(DEFAULT, labels)
    outcome = run_replication(sc, SEED, 0, trace=True)
    drawn = trace_figure(sc, outcome, SEED)
    fig, names = drawn.figure, sc.spec.parties
    _assert_readable(fig)
    assert not [t.get_text() for t in _readable_texts(fig) if "\u2026" in t.get_text()]
    talks, cease, trust = fig.axes[:3]
    for ax, lanes in ((talks, drawn.data["lanes"]["talks"]),
                      (cease, drawn.data["lanes"]["ceasefire"])):
        beside = {_flat(t.get_text()) for t in ax.get_yticklabels()}
        assert {style.party_label(names, p) for p in lanes if p in sc.parties} <= beside
    legend = trust.get_legend()
    assert legend is not None
    entries = [_flat(t.get_text()).removesuffix(" (unchanged)") for t in legend.get_texts()]
    assert {style.party_label(names, p) for p in drawn.data["trust"]} <= set(entries)
    for parties in drawn.data["tolerance_levels"].values():
        want = ", ".join(style.party_label(names, p) for p in sorted(parties, key=sc.order.index))
        assert f"tolerance (withdraws below): {want}" in entries


def test_the_causes_figure_names_every_party_in_full() -> None:
    """The note over a withdrawal bar and the delineation panel's label cut names at 24
    characters ('after acts by Free Syrian Army, the S... 32'), the bars' and the
    matrix's names at a few lines. Every name is shown in full, and the panels grow to
    hold the lines it takes."""
    sc = load_scenario(ROOT / "scenarios" / "kerry_lavrov_sep_2016.toml", LONG_LABELS)
    with Runner(workers=1) as runner:
        res = runner.run(sc, 200, SEED).results
    drawn = causes_figure(sc, res, {})
    fig, d, names = drawn.figure, drawn.data, sc.spec.parties
    _assert_readable(fig)
    assert not [t.get_text() for t in _readable_texts(fig) if "\u2026" in t.get_text()]
    assert assert_authors_named(sc, drawn)
    bars, matrix, delineation = fig.axes[:3]
    assert [_flat(t.get_text()) for t in bars.get_yticklabels()] == [
        style.party_label(names, w) for w in reversed(style.sorted_by_share(d["withdrew"]))]
    authors = sorted({a for a, _ in d["trigger_blamed"]}, key=sc.order.index)
    blamed = sorted({b for _, b in d["trigger_blamed"]}, key=sc.order.index)
    assert [_flat(t.get_text()) for t in matrix.get_yticklabels()] == [
        style.party_label(names, a) for a in authors]
    assert [_flat(t.get_text()) for t in matrix.get_xticklabels()] == [
        style.party_label(names, b) for b in blamed]
    (spoiler,) = sc.spoilers
    host = sc.parties[spoiler].host
    assert _flat(delineation.get_yticklabels()[1].get_text()) == (
        f"strike on {style.party_label(names, spoiler)} landed on {style.party_label(names, host)}")


def test_the_note_over_the_top_withdrawal_bar_stays_under_the_title(
        results: Results, monkeypatch: pytest.MonkeyPatch) -> None:
    """The party withdrawing most often, after acts by three parties of long names: its
    bar's note, five lines over the bar, wrote over the panel's title."""
    import plots.causes

    tables = {
        "collapsed": 300, "withdrew": {"opposition": 200, "regime": 100},
        "withdrew_trigger": {("opposition", "regime"): 120, ("opposition", "jfs"): 50,
                             ("opposition", "russia"): 30, ("regime", "opposition"): 60,
                             ("regime", "jfs"): 40},
        "trigger_blamed": {("regime", "regime"): 120, ("jfs", "regime"): 90,
                           ("russia", "regime"): 30, ("opposition", "opposition"): 60,
                           ("jfs", "opposition"): 0},
        "misattributed": 120, "delineation_hit": 50,
    }
    monkeypatch.setattr(plots.causes, "collapse_tables", lambda _: {
        k: dict(v) if isinstance(v, dict) else v for k, v in tables.items()})
    sc = load_scenario(DEFAULT, LONG_LABELS)
    fig = causes_figure(sc, results, {}).figure
    _assert_readable(fig)
    panel = fig.axes[0]
    notes = [t for t in panel.texts if "after acts by" in " ".join(t.get_text().split())]
    assert len(notes) == 2
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    top = max(notes, key=lambda t: t.xy[1])
    assert top.get_window_extent(renderer).y1 <= panel.get_window_extent(renderer).y1


def test_every_party_sharing_a_tolerance_shows_on_its_line(
        scenario: Scenario, traced: tuple[int, Any]) -> None:
    """The opposition, the government and the US all withdraw below 0.15: their three
    dashed lines were drawn on top of each other, so only one colour showed and nothing
    said whose the line also was."""
    from matplotlib.colors import to_rgb

    seed, outcome = traced
    drawn = trace_figure(scenario, outcome, seed)
    levels: dict[float, list[str]] = {}
    for party, level in drawn.data["tolerance"].items():
        levels.setdefault(level, []).append(party)
    assert sorted(levels[0.15]) == ["opposition", "regime", "us"]
    fig, trust_ax = drawn.figure, drawn.figure.axes[2]
    legend = trust_ax.get_legend()
    assert legend is not None
    entries = [t.get_text().replace("\n", " ") for t in legend.get_texts()]
    for parties in levels.values():  # each level names every party at it
        assert any(all(style.party_label(scenario.spec.parties, p) in entry for p in parties)
                   for entry in entries if entry.startswith("tolerance")), entries
    # and every party's colour shows along its line
    fig.canvas.draw()
    rgb = np.asarray(fig.canvas.buffer_rgba())[..., :3].astype(float)
    box = trust_ax.get_window_extent()
    colours = style.party_colours(scenario.order)
    for level, parties in levels.items():
        row = rgb.shape[0] - round(float(trust_ax.transData.transform((0.0, level))[1]))
        band = rgb[row - 1: row + 2, round(box.x0) + 3: round(box.x1) - 3].reshape(-1, 3)
        for party in parties:
            near = np.linalg.norm(band - 255 * np.array(to_rgb(colours[party])), axis=1) < 60
            assert near.sum() >= 30, (level, party, int(near.sum()))
    assert {k: sorted(v) for k, v in drawn.data["tolerance_levels"].items()} == {
        k: sorted(v) for k, v in levels.items()}


@pytest.mark.parametrize("labels", [[], LONG_LABELS], ids=["default", "long"])
def test_the_trace_figure_legends_stay_beside_their_panels(labels: list[str]) -> None:
    """The legend of event markers, thirteen lines, hung below the ceasefire's lanes into
    the gap over the trust panel; the trust legend, with names in full, would hang below
    its panel. Each panel is as tall as its legend."""
    sc = load_scenario(DEFAULT, labels)
    fig = trace_figure(sc, run_replication(sc, SEED, 0, trace=True), SEED).figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    for ax in fig.axes[1:3]:
        legend = ax.get_legend()
        assert legend is not None
        box, panel = legend.get_window_extent(renderer), ax.get_window_extent(renderer)
        assert panel.y0 - 1 <= box.y0 and box.y1 <= panel.y1 + 1


def test_talks_without_agreement_end_at_the_deadline_in_the_trace_figure(tmp_path: Path
                                                                          ) -> None:
    """The 'no agreement by the deadline' line stood at the last round (576 h), logged
    when the talks ended, not at the deadline (600 h)."""
    sc = load_scenario(DEFAULT)
    outcome = next(o for o in (run_replication(sc, SEED, i, trace=True) for i in range(40))
                   if not o.agreed)
    drawn = trace_figure(sc, outcome, SEED)
    talks = next(ax for ax in drawn.figure.axes if ax.get_title(loc="left") == "The talks")
    dashed = [line.get_xdata()[0] for line in talks.get_lines() if line.get_linestyle() == "--"]
    assert dashed == [sc.spec.negotiation.deadline_hours] != [outcome.rounds * 48.0]
    assert any("(600 h)" in t.get_text() for t in talks.texts)


def test_the_deadline_s_label_covers_no_event_of_the_talks() -> None:
    """Set to the left of the deadline's line, on a white backing, the label hid the
    events of the talks' last days (a government advance at 530 h of 600)."""
    sc = load_scenario(DEFAULT)
    outcome = next(o for o in (run_replication(sc, SEED, i, trace=True) for i in range(40))
                   if not o.agreed)
    fig = trace_figure(sc, outcome, SEED).figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    talks = next(ax for ax in fig.axes if ax.get_title(loc="left") == "The talks")
    label = next(t for t in talks.texts if "by the deadline" in t.get_text())
    box = label.get_window_extent(renderer)
    deadline_x = talks.transData.transform((sc.spec.negotiation.deadline_hours, 0))[0]
    assert box.x0 > deadline_x and box.x1 <= talks.get_window_extent(renderer).x1
    points = [p for c in talks.collections for p in c.get_offsets()]
    assert points and all(talks.transData.transform(p)[0] < deadline_x for p in points)


@pytest.mark.parametrize(("share", "digits", "text"), [
    (1999 / 2000, 0, ">99%"), (1 / 2000, 0, "<1%"), (0.9996, 1, ">99.9%"), (0.0004, 1, "<0.1%"),
    (1.0, 0, "100%"), (0.0, 0, "0%"), (0.5, 0, "50%"), (0.994, 0, "99%"), (0.123, 1, "12.3%"),
    (None, 0, "n/a"), (math.nan, 0, "n/a")])
def test_a_share_that_rounds_to_none_or_all_is_not_printed_as_none_or_all(share, digits, text):
    """The survival figure said '1,999 of 2,000 runs reached agreement (100%)'."""
    assert style.pct(share, digits) == text


def test_every_axis_counting_replications_is_ticked_at_whole_numbers(scenario: Scenario):
    """Bars of one replication each were given ticks at 0.2, 0.4, ... runs."""
    with Runner(workers=1) as runner:
        few = runner.run(scenario, 3, SEED).results
    brief = jsonable(summarize(few, scenario, seed=SEED))
    counted = [ax for f in (outcomes_figure, agreement_figure)
               for ax in f(scenario, few, brief).figure.axes
               if ax.get_ylabel() == "replications"]
    assert len(counted) == 3
    for ax in counted:
        ax.figure.canvas.draw()
        ticks = [t for t in ax.get_yticks() if ax.get_ylim()[0] <= t <= ax.get_ylim()[1]]
        assert len(ticks) >= 2 and all(float(t).is_integer() for t in ticks), ticks


@pytest.mark.parametrize(("key", "name"), [
    ("parties.russia.positions.delineation.min", "delineation min (russia)"),
    ("parties.us.no_deal", "no-deal value (us)"),
    ("parties.us.no_deal_spread", "no-deal spread (us)"),
    ("ceasefire.monitoring.deterrence", "monitoring deterrence"),
    ("ceasefire.pause.hours", "pause hours"),
    ("ceasefire.horizon_hours", "horizon hours"),
    ("ceasefire.imposed.delineation", "imposed delineation"),
    ("ceasefire.later.terms.joint_targeting", "later joint targeting"),
    ("ceasefire.later.after_hours", "later terms' hour"),
    ("negotiation.shocks.size", "shocks size"),
    ('ceasefire.milestones."1.5d"', "milestones 1.5d"),
    ('issues."x.y".high', "x.y high"),
    ('parties."a.b".no_deal', "no-deal value (a.b)"),
    ("parties.russia.behaviour.trust", "trust (russia)"),
    ("title", "title"),
    ("issues.verification.high", "verification high")])
def test_a_swept_key_is_named_so_that_it_says_what_changed(key, name):
    """A sweep of a party's delineation min was titled 'change with min'."""
    from plots.sweep import param_name

    assert param_name(key) == name


def test_a_stopped_sweep_s_caption_fits_and_says_the_runs_asked(one_param_sweep: list[Any]):
    """The caption of a stopped sweep ran off both edges of the figure, and gave the
    runs of its unfinished first point as the runs per point."""
    import dataclasses

    first = one_param_sweep[0]
    cut = dataclasses.replace(first, interrupted=True, summary={**first.summary, "runs": 7})
    drawn = sweep_figure([cut], ["parties.jfs.behaviour.colocation"], planned=5, runs=100_000)
    fig = drawn.figure
    fig.canvas.draw()
    box = fig._supxlabel.get_window_extent(fig.canvas.get_renderer())  # type: ignore[attr-defined]
    assert box.x0 >= 0 and box.x1 <= fig.bbox.width
    assert "100,000 runs per point" in drawn.data["caption"]
    assert drawn.data["caption"].count("\n") >= 1


def test_a_term_imposed_on_the_ceasefire_is_drawn_and_captioned(tmp_path: Path) -> None:
    sc = load_scenario(ROOT / "scenarios" / "geneva_full_delineation.toml")
    res = Runner(workers=1).run(sc, 30, seed=SEED).results
    drawn = agreement_figure(sc, res, jsonable(summarize(res, sc, seed=SEED)))
    rows = {r["issue"]: r["imposed"] for r in drawn.data["issues"]}
    assert rows["delineation"] == 1.0 and rows["verification"] is None
    assert "imposed on the ceasefire: delineation=1" in drawn.data["caption"]


def test_terms_that_take_effect_later_are_captioned() -> None:
    """A run whose file changes the terms at an hour says so under its figures, as it
    says what is imposed; set whole on the command line, they are in the label alone."""
    sc = load_scenario(ROOT / "scenarios" / "kerry_lavrov_sep_2016.toml",
                       ["ceasefire.later.after_hours=48",
                        "ceasefire.later.terms.joint_targeting=1.0"])
    res = Runner(workers=1).run(sc, 10, seed=SEED).results
    summary = jsonable(summarize(res, sc, seed=SEED))
    flat = agreement_figure(sc, res, summary).data["caption"].replace("\n", " ")
    assert "from hour 48 of a ceasefire that still holds: joint_targeting=1" in flat
    whole = "ceasefire.later={after_hours=48, terms={joint_targeting=1.0}}"
    sc = load_scenario(ROOT / "scenarios" / "kerry_lavrov_sep_2016.toml", [whole])
    summary = {**jsonable(summarize(res, sc, seed=SEED)), "sets": [whole]}
    flat = agreement_figure(sc, res, summary).data["caption"].replace("\n", " ")
    assert "still holds" not in flat


def test_a_heat_map_cell_never_shows_its_estimate_outside_its_interval() -> None:
    """A cell read '>99% [100, 100]': the interval's ends, rounded to whole per cent,
    left the estimate outside them."""
    import matplotlib.pyplot as plt

    from plots.heatmap import plot_heatmap

    fig, ax = plt.subplots()
    try:
        values = np.array([[0.9995, 0.5], [0.0004, 1.0]])
        lows = np.array([[0.997, 0.45], [0.0, 0.998]])
        highs = np.array([[1.0, 0.55], [0.002, 1.0]])
        plot_heatmap(ax, values, [0, 1], [0, 1], "P", lows, highs)
        texts = sorted(t.get_text() for t in ax.texts)
        # (all of the runs: its interval reaches below, which '[100, 100]' hid)
        assert texts == sorted(["50.0%\n[45.0, 55.0]", ">99.9%\n[99.7, 100.0]",
                                "<0.1%\n[0.0, 0.2]", "100.0%\n[99.8, 100.0]"])
    finally:
        plt.close(fig)


def test_an_imposed_term_set_on_the_command_line_is_named_once_in_the_caption() -> None:
    sc = load_scenario(ROOT / "scenarios" / "geneva_full_delineation.toml",
                       ["ceasefire.imposed.pause_hours=48"])
    res = Runner(workers=1).run(sc, 10, seed=SEED).results
    caption_text = agreement_figure(sc, res, jsonable(summarize(res, sc, seed=SEED))).data["caption"]
    flat = caption_text.replace("\n", " ")
    assert flat.count("pause_hours=48") == 1 and "imposed on the ceasefire: delineation=1" in flat


def test_wrong_blame_is_red_even_where_it_is_the_darkest_cell() -> None:
    """Where spoiler attacks blamed on the opposition are the commonest cause of
    collapse, their cell is the darkest of the matrix: its count stays red."""
    sc = load_scenario(ROOT / "scenarios" / "aleppo_48h_pause.toml",
                       ["parties.jfs.behaviour.attack_rate=6.0"])
    with Runner(workers=1) as runner:
        res = runner.run(sc, 300, SEED).results
    drawn = causes_figure(sc, res, jsonable(summarize(res, sc, seed=SEED)))
    pairs = drawn.data["trigger_blamed"]
    top = max(pairs, key=pairs.get)
    assert top[0] != top[1]  # (the case this is about: wrong blame the largest)
    (matrix,) = [ax for ax in drawn.figure.axes if ax.get_title(loc="left") == "Who acted, who was blamed"]
    wrong = {f"{n:,}" for (a, b), n in pairs.items() if a != b and n}
    colours = {t.get_text(): mcolors.to_hex(t.get_color()) for t in matrix.texts
               if t.get_text() in wrong}
    assert f"{pairs[top]:,}" in colours
    assert set(colours.values()) == {"#b00000"}


def test_the_trace_legend_says_whose_trust_never_moved_and_who_never_withdraws():
    """Flat trust lines at the same level hid each other, and a tolerance of 0 lay on
    the axis with a legend entry for a line nobody could see."""
    from plots.trace import trace_figure

    sc = load_scenario(DEFAULT, ["parties.us.behaviour.tolerance=0", "ceasefire.patron_share=0"])
    outcome = run_replication(sc, SEED, 0, trace=True)
    assert outcome.agreed
    trust = trace_figure(sc, outcome, SEED).figure.axes[2]
    entries = [_flat(t.get_text()) for t in trust.get_legend().get_texts()]
    assert "United States (unchanged)" in entries and "Russia (unchanged)" in entries
    assert "tolerance 0 (never withdraws): United States" in entries
    assert trust.get_ylim()[0] < 0  # the line at 0 is drawn inside the panel


def test_the_collapse_tables_decode_each_party_column_once(monkeypatch):
    """They decoded the withdrew, trigger and blamed columns afresh for every collapsed
    run: drawing grew with the square of the runs (a 60,000-run figure took minutes)."""
    from plots.causes import collapse_tables
    from sim.records import Results

    sc = load_scenario(DEFAULT)
    with Runner(workers=1) as runner:
        results = runner.run(sc, 300, SEED).results
    real, calls = Results.names, []

    def counted(self, field):
        calls.append(field)
        return real(self, field)

    monkeypatch.setattr(Results, "names", counted)
    tables = collapse_tables(results)
    assert tables["collapsed"] > 20
    assert sorted(calls) == ["blamed", "trigger", "withdrew"]
    assert sum(tables["withdrew"].values()) == tables["collapsed"]


def test_a_limit_at_the_end_of_an_issue_s_range_is_not_drawn_as_one():
    """A min of 0 on an issue from 0 to 1 ("no such condition") rejects nothing, yet was
    drawn as a limit: a stub at the axis beside the party's ideal point."""
    import matplotlib.pyplot as plt

    from plots.agreement import plot_issue

    data = {"issue": "delineation", "low": 0.0, "high": 1.0, "counts": np.zeros(3),
            "edges": np.linspace(0, 1, 4), "median": None, "imposed": None,
            "positions": {"a": {"ideal": 0.3, "min": 0.0, "max": 1.0},
                          "b": {"ideal": 0.8, "min": 0.7, "max": None}}}
    fig, ax = plt.subplots()
    try:
        plot_issue(ax, data, {"a": 0, "b": 1}, {"a": "red", "b": "blue"}, "share")
        limits = [line for line in ax.lines if line.get_marker() == "|"]
        assert [(line.get_xdata()[0], line.get_color()) for line in limits] == [(0.7, "blue")]
    finally:
        plt.close(fig)


@pytest.mark.parametrize(("estimate", "low", "high"), [(607 / 2000, 0.284, 0.324),
                                                       (-1 / 2000, -0.003, 0.001),
                                                       (-423 / 2000, -0.23, -0.194)])
def test_a_heat_map_of_differences_rounds_a_tie_as_the_table_does(estimate, low, high) -> None:
    """607 of 2,000 (30.35 pp) read +30.4 in the figure and +30.3 in the table, -1 of
    2,000 read -0.05 and -0.1: numpy's round halves ties its own way."""
    from plots.sweep_diff import plot_difference_map
    from sim.report import signed

    ax = style.new_figure(3, 3).subplots()
    grid = [np.array([[v]]) for v in (estimate, low, high)]
    plot_difference_map(ax, *grid, [0], [0], "P", span=0.5)
    table = signed({"estimate": estimate, "low": low, "high": high}).strip()
    assert ax.texts[0].get_text().replace("\n", " pp ") == table


def test_a_heat_map_cell_writes_its_interval_as_the_table_does(scenario: Scenario) -> None:
    """Cells rounded to whole per cent: 0.9% [0.5, 1.4] read '1% [1, 1]', an interval
    collapsed to a point, and 4.5% [3.7, 5.5] read '4% [4, 5]', ends inside the true
    ones. They now read as the sweep's table does, on a grid of six columns too."""
    from plots.heatmap import plot_heatmap
    from sim.report import pct as table_pct

    ax = style.new_figure(4, 3).subplots()
    values, lows, highs = (np.array([[0.009, 0.045, 0.5]]), np.array([[0.005, 0.037, 0.45]]),
                           np.array([[0.014, 0.055, 0.55]]))
    plot_heatmap(ax, values, [0, 1, 2], [0], "P", lows, highs)
    texts = [t.get_text() for t in ax.texts]
    assert texts == ["0.9%\n[0.5, 1.4]", "4.5%\n[3.7, 5.5]", "50.0%\n[45.0, 55.0]"]
    # an interval narrower than a decimal gets more, in every cell of the panel
    ax = style.new_figure(4, 3).subplots()
    plot_heatmap(ax, np.array([[0.0012, 0.5]]), [0, 1], [0], "P", np.array([[0.00114, 0.45]]),
                 np.array([[0.00126, 0.55]]))
    assert [t.get_text() for t in ax.texts] == ["0.12%\n[0.11, 0.13]", "50.00%\n[45.00, 55.00]"]
    keys = ["ceasefire.imposed.delineation", "ceasefire.monitoring.coverage"]
    with Runner(workers=1) as runner:
        points, _ = sweep(scenario, [(keys[0], [k / 5 for k in range(6)]),
                                     (keys[1], [0.0, 1.0])], runner, 40, SEED)
    drawn = sweep_figure(points, keys)
    fig, renderer = drawn.figure, drawn.figure.canvas.get_renderer()
    grid = drawn.data["grids"]["hold 7d"]
    panel = next(ax for ax in fig.axes if ax.get_title() == "P(holds 7d)")
    for t in panel.texts:
        j, i = (round(c) for c in t.get_position())
        p = {k: float(grid[k][i, j]) for k in ("estimate", "low", "high")}
        assert t.get_text().replace("\n", "").replace(" ", "") == table_pct(p).replace(" ", "")
    for ax in fig.axes:
        boxes = sorted((t.get_window_extent(renderer) for t in ax.texts
                        if t.get_position()[1] == 0), key=lambda b: b.x0)
        assert all(left.x1 < right.x0 for left, right in itertools.pairwise(boxes))


def test_the_lines_of_a_three_parameter_sweep_stop_where_an_outer_parameter_changes(
        scenario: Scenario) -> None:
    """Grid points drawn in order were joined by one line, as if each jump from one run
    of the last parameter to the next were a trend."""
    params = [("parties.jfs.behaviour.colocation", [0.0, 1.0]),
              ("ceasefire.monitoring.coverage", [0.5, 0.9]),
              ("parties.opposition.behaviour.sensitivity", [0.04, 0.1])]
    with Runner(workers=1) as runner:
        points, _ = sweep(scenario, params, runner, 20, SEED)
    drawn = sweep_figure(points, [k for k, _ in params])
    upper = drawn.figure.axes[0]
    lines = [ln for ln in upper.get_lines() if str(ln.get_label()).startswith("P(holds")]
    assert lines
    for line in lines:
        xs, ys = (np.asarray(v, dtype=float) for v in (line.get_xdata(), line.get_ydata()))
        runs = [seg[np.isfinite(seg[:, 1])] for seg in
                np.split(np.column_stack([xs, ys]), np.flatnonzero(np.isnan(ys)))]
        assert [list(seg[:, 0]) for seg in runs] == [[0, 1], [2, 3], [4, 5], [6, 7]]


def test_a_point_of_a_comparison_sweep_drawn_alone_names_its_values() -> None:
    """``plot DIR/pairs/001`` drew compare.png without saying at which values of the
    swept parameters the comparison was made, though compare.json records them."""
    diff = {"p_agreement": {"estimate": 0.1, "low": 0.05, "high": 0.15}}
    result = {"a_name": "A", "b_name": "B", "runs": 50, "seed": 3, "diff": diff,
              "params": {"parties.regime.behaviour.sensitivity": 0.065, "ceasefire.imposed": {}}}
    text = compare_figure(result).data["caption"].replace("\n", " ")
    assert "parties.regime.behaviour.sensitivity=0.065; ceasefire.imposed={}" in text
    del result["params"]  # a comparison of its own has none to name
    assert "both sides with" not in compare_figure(result).data["caption"]


def test_a_stopped_sweep_s_caption_gives_the_runs_of_its_unfinished_point(
        one_param_sweep: list[Any]) -> None:
    """The caption said '100 runs per point' while the unfinished last point held 7,
    drawn like the others."""
    import dataclasses

    last = one_param_sweep[1]
    cut = dataclasses.replace(last, interrupted=True, summary={**last.summary, "runs": 1362})
    drawn = sweep_figure([one_param_sweep[0], cut], ["parties.jfs.behaviour.colocation"], planned=3)
    text = drawn.data["caption"].replace("\n", " ")
    assert "the last, at colocation (jfs) = 0.5, unfinished with 1,362 runs" in text
    finished = sweep_figure(one_param_sweep, ["parties.jfs.behaviour.colocation"], planned=3)
    assert "unfinished" not in finished.data["caption"]


def test_a_comparison_of_large_effects_is_drawn_on_an_axis_that_shows_their_intervals() -> None:
    """Effects of +30..+60 pp were drawn on a symmetric axis of -70..+70, half of it
    empty, their +-1.5 pp intervals hidden under the dots."""
    diff = {"p_agreement": {"estimate": 0.0, "low": -0.001, "high": 0.001},
            "p_hold": {"7d": {"estimate": 0.6, "low": 0.585, "high": 0.615},
                       "30d": {"estimate": 0.3, "low": 0.285, "high": 0.315}}}
    drawn = compare_figure({"a_name": "A", "b_name": "B", "runs": 1000, "seed": 3, "diff": diff})
    ax = drawn.figure.axes[0]
    left, right = ax.get_xlim()
    assert -8 < left <= 0 and 61.5 <= right < 70
    ends = [tuple(np.round(ln.get_xdata(), 6)) for ln in ax.get_lines() if ln.get_marker() == "|"
            and ln.get_color() == style.HOLD_COLOUR]
    assert (58.5, 61.5) in ends and (28.5, 31.5) in ends
    # the interval of +-0.1 pp is within its dot, and the figure says so above it
    assert drawn.data["narrow"] == ["P(agreement)"]
    assert [t.get_text() for t in ax.texts] == ["95% interval narrower than the dot"]
    # a null result keeps an axis of a few points, with zero in it
    null = {"p_agreement": {"estimate": 0.0, "low": -0.001, "high": 0.001}}
    left, right = compare_figure({"diff": null}).figure.axes[0].get_xlim()
    assert left < -0.9 and right > 0.9


def test_agreement_s_open_circle_stays_open_over_its_interval(one_param_sweep: list[Any]) -> None:
    """The interval's bar was drawn through the unfilled circle, which then read as
    solid: the circle is white inside and drawn above its bar."""
    drawn = sweep_figure(one_param_sweep, ["parties.jfs.behaviour.colocation"])
    upper, lower = drawn.figure.axes[:2]
    circle = next(ln for ln in upper.get_lines() if ln.get_label() == "P(agreement)")
    whisker = next(ln for ln in upper.get_lines() if ln.get_label() == "_P(agreement) interval")
    assert mcolors.to_hex(circle.get_markerfacecolor()) == "#ffffff"
    assert circle.get_zorder() > whisker.get_zorder()
    bars = [c for c in lower.containers if c.__class__.__name__ == "ErrorbarContainer"]
    agreement = [c for c in bars if mcolors.to_hex(c.lines[0].get_color()) == "#000000"]
    assert len(agreement) == 1
    data_line, _, (bar,) = agreement[0].lines
    assert mcolors.to_hex(data_line.get_markerfacecolor()) == "#ffffff"
    assert data_line.get_zorder() > bar.get_zorder()


@pytest.mark.parametrize(("hour", "said"), [(12.0, "Agreed at hour 12; "),
                                            (36.0, "Agreed at hour 36 (day 1.5); "),
                                            (48.0, "Agreed at hour 48 (day 2); ")])
def test_the_trace_headline_gives_the_day_of_agreement_as_it_is(scenario: Scenario, hour: float,
                                                                said: str) -> None:
    """Hour 12 was written 'day 0', as if the talks agreed as they opened."""
    import dataclasses

    from plots.trace_log import headline

    outcome = next(o for seed in range(SEED, SEED + 50)
                   if (o := run_replication(scenario, seed, 0)).agreed)
    assert headline(dataclasses.replace(outcome, agreement_hour=hour), scenario).startswith(said)


@pytest.mark.parametrize(("key", "label"), [
    ("parties.regime.behaviour.sensitivity", "sensitivity (regime)"),
    ("parties.jfs.behaviour.attack_rate", "attack rate (jfs), per day"),
    ("ceasefire.horizon_hours", "horizon (hours)"),
    ("ceasefire.imposed.delineation", "imposed delineation (share)"),
    ("ceasefire.imposed.pause_hours", "imposed pause (hours)"),
    ("ceasefire.later.terms.delineation", "later delineation (share)"),
    ("ceasefire.later.after_hours", "later terms' hour (hours)"),
    ("parties.russia.positions.delineation.min", "delineation min (russia), share"),
    ("issues.pause_hours.high", "pause high (hours)"),
])
def test_a_swept_key_is_named_on_an_axis_with_its_unit(scenario: Scenario, key: str,
                                                        label: str) -> None:
    """Axes showed the raw key broken at a dot ('parties.regime.behaviour\\n.sensitivity')
    and no unit, while the title named it 'sensitivity (regime)'."""
    from plots.names import axis_label

    assert axis_label(key, scenario) == label


def test_the_axes_of_a_heat_map_name_the_swept_parameters_as_the_title_does(
        scenario: Scenario) -> None:
    keys = ["parties.jfs.behaviour.attack_rate", "ceasefire.imposed.delineation"]
    with Runner(workers=1) as runner:
        points, _ = sweep(scenario, [(keys[0], [0.5, 1.0]), (keys[1], [0.5, 1.0])], runner, 10, SEED)
    fig = sweep_figure(points, keys).figure
    xlabels = {ax.get_xlabel() for ax in fig.axes if ax.get_images()} - {""}
    ylabels = {ax.get_ylabel() for ax in fig.axes if ax.get_images()} - {""}
    assert xlabels == {"attack rate (jfs), per day"}
    assert ylabels == {"imposed delineation\n(share)"}


def test_the_trace_figure_marks_the_hour_later_terms_take_effect() -> None:
    """In both ceasefire panels, at the hour [ceasefire.later] changes the terms: the
    spoiler's lane goes quiet there, and the reader must see why."""
    sc = load_scenario(ROOT / "scenarios" / "kerry_lavrov_sep_2016.toml",
                       ["ceasefire.later={after_hours=48, terms={joint_targeting=1.0}}"])
    outcome = run_replication(sc, 2016, 0, trace=True)
    fig = trace_figure(sc, outcome, 2016).figure
    lanes, trust = fig.axes[1], fig.axes[2]
    for ax in (lanes, trust):
        marks = [line for line in ax.get_lines() if line.get_linestyle() == "-."]
        assert [tuple(line.get_xdata()) for line in marks] == [(48.0, 48.0)]
    assert "later terms" in [t.get_text() for t in lanes.texts]


def test_the_survival_curve_marks_the_hour_later_terms_take_effect() -> None:
    """The curve bends where joint targeting starts: the figure says why, there."""
    sc = load_scenario(ROOT / "scenarios" / "kerry_lavrov_sep_2016.toml",
                       ["ceasefire.later={after_hours=168, terms={joint_targeting=1.0}}"])
    with Runner(workers=1) as runner:
        results = runner.run(sc, 60, 1).results
    drawn = survival_figure(sc, results, summarize(results, sc, seed=1))
    assert drawn.data["later"] == 168.0
    ax = drawn.figure.axes[0]
    assert [tuple(line.get_xdata()) for line in ax.get_lines()
            if line.get_linestyle() == "-."] == [(168.0, 168.0)]
    assert "later terms" in [t.get_text() for t in ax.texts]
    plain = survival_figure(load_scenario(DEFAULT), results, summarize(results, sc, seed=1))
    assert "later" not in plain.data


@pytest.mark.parametrize(("top", "labels"), [(0.018, ["0%", "0.5%", "1%", "1.5%"]),
                                             (0.0015, ["0%", "0.025%", "0.05%", "0.075%",
                                                       "0.1%", "0.125%", "0.15%"]),
                                             (1.0, ["0%", "20%", "40%", "60%", "80%", "100%"])])
def test_a_percent_axis_writes_each_tick_exactly(top: float, labels: list[str]) -> None:
    """Ticks half a percent apart were rounded to whole percents, '0%, 0%, 1%, 2%': two
    ticks with one label, none of them the value at its tick."""
    ax = style.new_figure(4, 3).subplots()
    style.percent_axis(ax, "x")
    ax.set_xlim(0, top)
    ticks = [t for t in ax.get_xticks() if 0 <= t <= top]
    assert ax.xaxis.get_major_formatter().format_ticks(ticks) == labels


def test_the_delineation_panel_labels_small_shares_apart(scenario: Scenario) -> None:
    """The collapse-causes figure's delineation panel where none of 252 collapses was
    misattributed (an axis to 2.4%) read '0%, 1%, 2%, 2%': its ticks are told apart,
    each written as the share at it."""
    from plots.causes import plot_delineation

    ax = style.new_figure(4, 3).subplots()
    plot_delineation(ax, {"collapsed": 252, "misattributed": 0, "delineation_hit": 0}, scenario)
    ax.figure.draw_without_rendering()
    low, high = ax.get_xlim()
    shown = [(t.get_position()[0], t.get_text()) for t in ax.get_xticklabels()
             if low <= t.get_position()[0] <= high]
    texts = [text for _, text in shown]
    assert len(texts) >= 3 and len(set(texts)) == len(texts), texts
    for at, text in shown:
        assert float(text.removesuffix("%")) == pytest.approx(100 * at), texts


def test_the_compare_figure_writes_each_side_as_the_table_does(scenario: Scenario) -> None:
    """The figure's A and B columns rounded to whole percents where the printed table
    has one decimal: the table's 99.9% read '>99%', its 82.1% '82%'."""
    from sim.report import compare_text

    a = with_overrides(scenario, {"ceasefire.monitoring.coverage": 0.5})
    with Runner(workers=1) as runner:
        result, _, _, _ = paired(a, scenario, runner, 200, SEED)
    result = json.loads(json.dumps(jsonable({"a_name": "A", "b_name": "B", **result})))
    result["a"]["p_agreement"] = {"estimate": 0.999, "low": 0.998, "high": 1.0}
    table = compare_text(result, "A", "B").splitlines()
    side = compare_figure(result).figure.axes[1]
    for y, row in enumerate(["P(agreement)", *(f"P(hold {k})" for k in result["diff"]["p_hold"])]):
        (line,) = [line for line in table if line.startswith(row + " ")]
        drawn = [t.get_text() for t in sorted(side.texts, key=lambda t: t.get_position()[0])
                 if t.get_position()[1] == y]
        assert drawn[:2] == re.findall(r"[<>]?[\d.]+%", line)[:2], line
    assert [t.get_text() for t in side.texts if t.get_position() == (0.0, 0)] == ["99.9%"]


def test_an_agreement_at_the_ceasefires_start_hour_is_drawn_with_the_talks() -> None:
    """With no start delay the agreement is logged at the hour the ceasefire starts, and
    its star was drawn in the ceasefire's panel, on a lane holding nothing else."""
    sc = load_scenario(DEFAULT, ["ceasefire.start_delay_hours=0"])
    outcome = run_replication(sc, SEED, 186, trace=True)
    agreement = next(e for e in outcome.trace or () if e.event == "agreement")
    start = next(e for e in outcome.trace or () if e.event == "ceasefire")
    assert agreement.time == start.time
    data = trace_figure(sc, outcome, SEED).data
    assert [(t, k) for t, k, _ in data["lanes"]["talks"][agreement.party]] == [
        (agreement.time, "agreement")]
    assert all(k != "agreement" for lane in data["lanes"]["ceasefire"].values() for _, k, _ in lane)
    assert agreement.party not in data["lanes"]["ceasefire"]


@pytest.mark.parametrize("n", range(1, 8))
def test_every_milestone_colour_reads_on_white(n: int) -> None:
    """The fourth of four quantities came from the yellow end of cividis at 1.75:1
    against white; each is now at least the 3:1 of non-text contrast, the light ones
    darkened and the dark ones left as the colour map gives them, still in order of
    lightness (the milestones are ordered)."""
    from plots.quantities import milestone_colour

    colours = [milestone_colour(k, n) for k in range(n)]
    ratios = [contrast_on_white(c) for c in colours]
    assert min(ratios) >= NON_TEXT_CONTRAST
    assert ratios == sorted(ratios, reverse=True)
    assert len(set(colours)) == n
    assert colours[0] == mcolors.to_hex(plt_cividis(0.1))


def plt_cividis(v: float) -> Any:
    from matplotlib import colormaps

    return colormaps["cividis"](v)


def test_readable_darkens_only_what_is_too_light() -> None:
    assert readable("#083370") == "#083370"
    dark = readable(style.YELLOW)
    assert contrast_on_white(style.YELLOW) < 3.0 <= contrast_on_white(dark) < 3.1
    # the hue is kept: each channel scaled by one factor
    r, g, b = mcolors.to_rgb(style.YELLOW)
    r2, g2, b2 = mcolors.to_rgb(dark)
    assert abs(r2 / r - g2 / g) < 0.01 and b2 <= b


def test_a_term_every_run_agrees_is_drawn_on_its_value() -> None:
    """Every run agreed a 48-hour pause, on a range of 0 to 168 hours in 30 bins: its
    bar ran from 47.6 to 53.2 hours, as if the pause were longer. A bin holding one
    value is drawn on it; a bin of several values at its middle."""
    import matplotlib.pyplot as plt

    from plots.agreement import bar_centres, plot_issue

    half = 168.0 / 30 / 2
    edges = np.linspace(-half, 168.0 + half, 32)
    values = np.array([48.0, 48.0, 48.0, 100.0, 101.0, 168.0])
    centres = bar_centres(values, edges)
    middles = (edges[:-1] + edges[1:]) / 2
    k48, k100, k168 = (int(np.searchsorted(edges, v, side="right")) - 1 for v in (48, 100, 168))
    assert centres[k48] == 48.0 and centres[k168] == 168.0
    assert centres[k100] == middles[k100]  # 100 and 101: two values, the bin's middle
    untouched = [k for k in range(len(middles)) if k not in (k48, k100, k168)]
    np.testing.assert_array_equal(centres[untouched], middles[untouched])
    counts, _ = np.histogram(values, bins=edges)
    data = {"issue": "pause_hours", "low": 0.0, "high": 168.0, "counts": counts,
            "edges": edges, "centres": centres, "median": 48.0, "imposed": None,
            "positions": {}}
    fig, ax = plt.subplots()
    try:
        plot_issue(ax, data, {}, {}, "hours")
        tallest = max(ax.patches, key=lambda p: p.get_height())
        assert tallest.get_x() + tallest.get_width() / 2 == pytest.approx(48.0)
    finally:
        plt.close(fig)


def test_the_time_axis_ends_within_half_a_round_of_the_last_round() -> None:
    """A 24-hour deadline with rounds every 12 hours drew an axis to 42 hours, a round
    and a half of nothing past the deadline."""
    from plots.agreement import agreement_times

    sc = load_scenario(ROOT / "scenarios" / "kerry_lavrov_sep_2016.toml")
    with Runner(workers=1) as runner:
        res = runner.run(sc, 100, SEED).results
    d = agreement_times(res, sc)
    step = sc.spec.negotiation.round_interval_hours
    assert d["edges"][-1] == sc.spec.negotiation.deadline_hours + step / 2
    assert d["counts"].sum() == d["agreed"]


def test_a_long_milestone_label_leaves_the_comparison_s_values_apart() -> None:
    """A milestone label of 64 characters, on one line beside its row, took the room of
    the values: A and B ran together ('50.0%64.0%'). The row's name takes lines of its
    own now, and the values keep their columns."""
    long = "7d, the JIC trigger: a week of calm and all the joint strikes too"
    p = {"estimate": 0.5, "low": 0.4, "high": 0.6}
    result = {"a": {"p_agreement": p, "p_hold": {"48h": p, long: p}},
              "b": {"p_agreement": p, "p_hold": {"48h": p, long: p}},
              "diff": {"p_agreement": p, "p_hold": {"48h": p, long: p}}, "runs": 100}
    drawn = compare_figure(result)
    assert max(len(line) for line in drawn.data["rows"][-1]["name"].splitlines()) <= 26
    fig = drawn.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    values = [t.get_window_extent(renderer) for t in fig.axes[1].texts]
    assert len(values) >= 9
    assert not any(a.overlaps(b) for a, b in itertools.combinations(values, 2))


def test_a_long_swept_value_is_wrapped_and_cut_on_its_tick() -> None:
    """A table swept as a value, written on one line of some 90 characters, ran across a
    heat map's cells and collapsed its axes (matplotlib warned that the layout was not
    applied). Tick labels now take at most three lines of 24 characters."""
    from plots.fitting import TICK_CHARS, TICK_LINES, fit_tick

    assert fit_tick("0.5") == "0.5" and fit_tick("a\nb") == "a\nb"
    long = "{ after_hours = 500, terms = { joint_targeting = 0.0, verification = 1.0 } }"
    fitted = fit_tick(long)
    lines = fitted.split("\n")
    assert len(lines) == TICK_LINES and all(len(line) <= TICK_CHARS for line in lines)
    assert fitted.endswith("\u2026") and fitted.startswith("{ after_hours = 500,")


def test_a_sweep_of_long_table_values_draws_without_a_layout_warning(tmp_path) -> None:
    later = ("{after_hours=48, terms={joint_targeting=1.0}},"
             "{after_hours=500, terms={joint_targeting=0.0, verification=1.0}}")
    proc = run_child([sys.executable, str(ROOT / "run_sim.py"), "sweep", str(DEFAULT),
                      "--param", "negotiation.shocks.gainer=regime,opposition",
                      "--param", f"ceasefire.later={later}", "--runs", "20", "--workers", "1",
                      "--no-progress", "--out", str(tmp_path / "sw"), "--plot"], timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "constrained_layout not applied" not in proc.stderr
    assert (tmp_path / "sw" / "sweep_differences.png").is_file()


def test_seven_renamed_parties_get_seven_colours_none_faint() -> None:
    """With six fallback colours the seventh renamed party took one by a hash of its
    name: the United States and a combatant were both a pale yellow, faint on white."""
    from plots.contrast import contrast_on_white

    names = [f"party_{k}" for k in range(8)]
    colours = style.party_colours(names)
    assert len(set(colours.values())) == 8
    assert min(contrast_on_white(c) for c in colours.values()) > 2.2
    assert style.YELLOW not in colours.values()


def test_a_withdrawal_note_names_a_fourth_author_rather_than_one_other() -> None:
    """A bar of four authors' acts read 'after acts by A 18, B 12, C 9, 1 others 8',
    hiding the fourth behind 'others' though the legend names it; five or more are
    summed as before."""
    from plots.causes import withdrawal_notes

    sc = load_scenario(ROOT / "scenarios" / "kerry_lavrov_sep_2016.toml")

    def note(authors: list[str]) -> str:
        trigger = {("regime", a): 10 - k for k, a in enumerate(authors)}
        return " ".join(withdrawal_notes({"withdrew": {"regime": 1}, "withdrew_trigger": trigger},
                                         sc)["regime"].split())

    four = note(["jfs", "opposition", "us", "russia"])
    assert "others" not in four and all(f"{n} " in four for n in ("Jabhat", "Armed"))
    assert four.endswith(f"{style.party_label(sc.spec.parties, 'russia')} 7")
    five = note(["jfs", "opposition", "us", "russia", "un"])
    assert five.endswith("2 others 13")


def test_a_sweep_over_categories_draws_no_line_between_them(scenario: Scenario) -> None:
    """A sweep of who gains on the battlefield joined 'regime' to 'opposition' with lines
    and bands, as if there were values between them: categories are markers alone."""
    key = "negotiation.shocks.gainer"
    with Runner(workers=1) as runner:
        points, _ = sweep(scenario, [(key, ["regime", "opposition"])], runner, 40, SEED)
    upper = sweep_figure(points, [key]).figure.axes[0]
    bars = [c for c in upper.containers if c.__class__.__name__ == "ErrorbarContainer"]
    assert len(bars) == 4  # agreement and three milestones, each a marker with its interval
    assert not [ln for ln in upper.get_lines() if ln.get_linestyle() not in ("None", "none")
                and np.isfinite(np.asarray(ln.get_ydata(), dtype=float)).sum() > 1]
    assert not [c for c in upper.collections if "FillBetween" in c.__class__.__name__]
    # numbers are joined as before
    with Runner(workers=1) as runner:
        numbers, _ = sweep(scenario, [("ceasefire.monitoring.coverage", [0.5, 1.0])], runner,
                           40, SEED)
    joined = sweep_figure(numbers, ["ceasefire.monitoring.coverage"]).figure.axes[0]
    assert any(ln.get_linestyle() == "-" for ln in joined.get_lines())


def test_a_large_grid_s_differences_do_not_promise_intervals(scenario: Scenario) -> None:
    """On a grid too large for them the cells hold the differences alone, yet the title
    said '(pp, 95% interval)': it says so only where they are drawn, and the caption
    says where they are."""
    from plots.sweep_diff import differences_figure

    keys = ["ceasefire.monitoring.coverage", "ceasefire.monitoring.notice"]
    values = [round(0.3 + 0.1 * k, 1) for k in range(7)]
    with Runner(workers=1) as runner:
        points, _ = sweep(scenario, [(keys[0], values), (keys[1], [0.5, 0.9])], runner, 20, SEED)
        few, _ = sweep(scenario, [(keys[0], values[:3]), (keys[1], [0.5, 0.9])], runner, 20, SEED)
    large = differences_figure(points, keys)
    assert "95% interval" not in large.figure.get_suptitle()
    assert "intervals in sweep.csv" in large.data["caption"]
    small = differences_figure(few, keys)
    assert "(pp, 95% interval)" in small.figure.get_suptitle()
    assert "intervals in sweep.csv" not in small.data["caption"]
