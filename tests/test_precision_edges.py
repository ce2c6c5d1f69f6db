"""The note before an adaptive run: said exactly when ``--max-runs`` is fewer than the
runs a probability near 50% needs."""

from __future__ import annotations

import pytest

from sim.precision import precision_note, runs_at_even_odds


@pytest.mark.parametrize("eps", [0.01, 0.05, 0.2])
def test_max_runs_of_exactly_the_runs_needed_draws_no_note(eps):
    need = runs_at_even_odds(eps)
    assert precision_note(eps, need) == ""
    assert precision_note(eps, need + 1) == ""
    assert precision_note(eps, need - 1).startswith(f"note: --precision {eps:g} needs about {need:,} runs")
