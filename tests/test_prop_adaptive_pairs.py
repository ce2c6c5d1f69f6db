"""An adaptive comparison resumed from any saved state (each side holding any runs of
replications, with gaps, past the stopping point or not; stopped once more part way or
not) ends as the comparison never interrupted, or refuses to drop what is saved beyond
where it stops, and never holds a replication twice."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import DEFAULT, interrupt_chunk
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.comparison import paired
from sim.errors import ScenarioError
from sim.runner import Runner
from sim.scenario import load_scenario

pytestmark = pytest.mark.property

EPS, FIRST, BATCH, MOST = 0.035, 100, 100, 900
"""Met at 600 runs of the counterfactual against the default scenario."""


def sides():
    return (load_scenario(DEFAULT, ["ceasefire.monitoring.coverage=0.5"]),
            load_scenario(DEFAULT))


def adaptive(runner, existing=(None, None), save=None):
    a, b = sides()
    return paired(a, b, runner, 0, 2016, existing, save, precision=EPS, min_runs=FIRST,
                  max_runs=MOST, batch=BATCH)


@pytest.fixture(scope="module")
def runs():
    """Every replication either side may hold (both sides to MOST), and the comparison
    never interrupted."""
    a, b = sides()
    with Runner(workers=1, progress=False) as runner:
        _, all_a, all_b, _ = paired(a, b, runner, MOST, 2016)
        whole = adaptive(runner)
    assert whole[0]["runs"] == 600
    return all_a, all_b, whole


spans = st.lists(st.tuples(st.integers(0, MOST - 1), st.integers(1, 400)), max_size=3)
"""Runs of replications a side holds: (first, length), clipped to the sides' range."""


def held(all_side, spans_):
    keep = sorted({i for first, n in spans_ for i in range(first, min(first + n, MOST))})
    return all_side.among(np.array(keep, dtype=np.int64)) if keep else None


def unique(results) -> bool:
    reps = results.columns["replication"]
    return len(np.unique(reps)) == len(reps)


@settings(max_examples=12)
@given(kept_a=spans, kept_b=spans, stop_at=st.none() | st.integers(1, 14))
def test_resumed_from_any_saved_state_it_ends_as_never_interrupted(runs, kept_a, kept_b,
                                                                    stop_at):
    all_a, all_b, (whole, whole_a, whole_b, _) = runs
    existing = [held(all_a, kept_a), held(all_b, kept_b)]
    saved: dict[str, object] = {}

    def save(side, scenario, run, other):
        assert unique(run.results)
        saved[side] = run.results

    try:
        if stop_at is not None:  # a session stopped at its stop_at-th work item of 50
            with pytest.MonkeyPatch.context() as mp, Runner(workers=1, progress=False) as runner:
                interrupt_chunk(mp, stop_at, size=50)
                adaptive(runner, tuple(existing), save)
            existing = [saved.get(side, was) for side, was in zip("ab", existing, strict=True)]
        with Runner(workers=1, progress=False) as runner:
            result, ra, rb, interrupted = adaptive(runner, tuple(existing), save)
    except ScenarioError as refused:
        # only when a side holds replications past where the comparison stops
        assert "met at 600 replications" in str(refused)
        assert any(h is not None and h.columns["replication"].max() >= 600 for h in existing)
        return
    assert not interrupted and result["diff"] == whole["diff"] and result["runs"] == 600
    assert ra.same_as(whole_a) and rb.same_as(whole_b)
