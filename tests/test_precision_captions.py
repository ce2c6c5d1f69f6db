"""A figure of an adaptive result says whether its precision was reached: a run's four,
a comparison's and a sweep's. Its intervals alone cannot tell a target met from one
``--max-runs`` cut short."""

from __future__ import annotations

import pytest
from helpers import DEFAULT

from plots.agreement import agreement_figure
from plots.causes import causes_figure
from plots.compare import compare_figure
from plots.outcomes import outcomes_figure
from plots.survival import survival_figure
from sim.comparison import paired
from sim.report import run_summary
from sim.run_outcome import RunOutcome
from sim.runner import Runner
from sim.scenario import load_scenario
from sim.sweep_report import runs_span

RUN_FIGURES = (agreement_figure, causes_figure, outcomes_figure, survival_figure)


@pytest.fixture(scope="module")
def geneva():
    return load_scenario(DEFAULT)


@pytest.mark.parametrize(("max_runs", "said"), [
    (1000, "precision 0.05: reached"),
    (200, "precision 0.05: NOT reached (hit --max-runs)"),
])
def test_each_figure_of_an_adaptive_run_says_whether_its_precision_was_reached(
        geneva, max_runs, said):
    with Runner(workers=1, progress=False) as runner:
        out = runner.run(geneva, 0, 2016, precision=0.05, min_runs=100, max_runs=max_runs,
                         batch=100)
    summary = run_summary(out, geneva, 2016, 0.05)
    for figure in RUN_FIGURES:
        assert said in figure(geneva, out.results, summary).data["caption"]


def test_a_run_of_a_fixed_size_or_stopped_part_way_says_nothing_of_precision(geneva):
    with Runner(workers=1, progress=False) as runner:
        out = runner.run(geneva, 100, 2016)
    summary = run_summary(out, geneva, 2016, None)
    assert "precision" not in survival_figure(geneva, out.results, summary).data["caption"]
    # an adaptive run interrupted part way neither met nor missed its target: its
    # caption says PARTIAL, not "NOT reached"
    stopped = RunOutcome(out.results, True, 0.0, 100, False)
    partial = run_summary(stopped, geneva, 2016, 0.05)
    assert partial["precision"]["met"] is False and partial["partial"]
    text = survival_figure(geneva, out.results, partial).data["caption"]
    assert "PARTIAL" in text and "precision" not in text


def test_a_comparisons_figure_says_whether_every_difference_reached_its_precision(geneva):
    half = load_scenario(DEFAULT, ["ceasefire.monitoring.coverage=0.5"])
    with Runner(workers=1, progress=False) as runner:
        met, *_ = paired(half, geneva, runner, 0, 2016, precision=0.035, min_runs=100,
                         max_runs=2000, batch=100)
        short, *_ = paired(half, geneva, runner, 0, 2016, precision=0.001, min_runs=100,
                           max_runs=200, batch=100)
        fixed, *_ = paired(half, geneva, runner, 100, 2016)
    assert "precision 0.035 on every paired difference: reached" in \
        compare_figure(met).data["caption"]
    assert "precision 0.001 on every paired difference: NOT reached (hit --max-runs)" in \
        compare_figure(short).data["caption"]
    assert "precision" not in compare_figure(fixed).data["caption"]


def test_a_sweeps_caption_counts_the_points_max_runs_cut_short():
    def point(runs: int, met: bool | None, partial: bool = False) -> dict:
        return {"runs": runs, "partial": partial,
                "precision": {"target": 0.01, "met": met, "runs": runs}}

    assert runs_span([point(2000, True), point(8000, True)]) == \
        "precision 0.01 per point (2,000 to 8,000 runs)"
    assert runs_span([point(8000, True), point(8000, True)]) == \
        "precision 0.01 per point (8,000 runs each)"
    assert runs_span([point(2000, True), point(9000, False), point(9000, False),
                      point(300, None, partial=True)]) == \
        "precision 0.01 per point (300 to 9,000 runs); NOT reached at 2 points (hit --max-runs)"
