"""Golden end-to-end runs: the model's exact output for two fixed seeds.

Speed-ups and refactorings must not change what the model computes (same seed, same
results, to the last bit). These files pin that: every field of every replication,
written as ``runs.csv`` is. When the model is changed on purpose, rewrite them with
``python tests/golden/regenerate.py`` and say so in the change.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

GOLDEN = Path(__file__).resolve().parent / "golden"
sys.path.insert(0, str(GOLDEN))

from regenerate import CASES, TRACED, golden_path, trace_lines, trace_path  # noqa: E402

from sim.chunks import run_chunk  # noqa: E402
from sim.scenario import load_scenario  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("stem", sorted(CASES))
def test_runs_equal_the_golden_file(stem: str, tmp_path: Path) -> None:
    file, seed, runs = CASES[stem]
    results = run_chunk(load_scenario(ROOT / file), seed, 0, runs)
    results.write_csv(tmp_path / "runs.csv")
    got = (tmp_path / "runs.csv").read_text().splitlines()
    want = golden_path(stem).read_text().splitlines()
    assert got[0] == want[0], "runs.csv columns changed"
    same_lines(stem, got, want)


def test_event_logs_equal_the_golden_file() -> None:
    got = trace_lines(*TRACED)
    want = trace_path().read_text().splitlines()
    same_lines(trace_path().name, got, want)


def same_lines(name: str, got: list[str], want: list[str]) -> None:
    """Equal line by line; the first difference is reported, then any change in length."""
    for line, (g, w) in enumerate(zip(got, want, strict=False), start=1):
        assert g == w, f"{name}: line {line} differs\n got: {g}\nwant: {w}"
    assert len(got) == len(want), f"{name}: {len(got)} lines, golden file has {len(want)}"


def test_golden_files_cover_collapse_and_convoys() -> None:
    """The pinned runs exercise what they are meant to pin: agreements, collapses,
    holding ceasefires, misattributed blame and convoys."""
    rows = []
    for stem in CASES:
        lines = golden_path(stem).read_text().splitlines()
        head = lines[0].split(",")
        rows += [dict(zip(head, ln.split(","), strict=True)) for ln in lines[1:]]
    assert {r["agreed"] for r in rows} == {"0", "1"}
    assert {r["collapsed"] for r in rows if r["agreed"] == "1"} == {"0", "1"}
    assert any(r["misattributed"] == "1" for r in rows)
    assert any(int(r["convoys_delivered"]) > 0 for r in rows)
    assert any(int(r["convoys_attacked"]) > 0 for r in rows)
