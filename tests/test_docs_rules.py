"""The examples of ``docs/rules.md`` run as written: each ``python`` block is executed
and its tests called, so the guide to testing a rule cannot drift from the code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sim import rules

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "rules.md"
BLOCKS = re.findall(r"```python\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.S)

pytestmark = pytest.mark.property


def defined_tests(block: str) -> dict[str, object]:
    """The test functions a block defines, by name."""
    namespace: dict[str, object] = {}
    exec(compile(block, str(GUIDE), "exec"), namespace)
    return {name: f for name, f in namespace.items() if name.startswith("test_")}


def test_the_guide_has_its_two_examples():
    assert len(BLOCKS) == 2
    assert all(defined_tests(block) for block in BLOCKS)


@pytest.mark.parametrize("block", BLOCKS, ids=["one rule", "whole replications"])
def test_each_example_passes(block):
    for test in defined_tests(block).values():
        test()  # type: ignore[operator]


def test_the_rule_example_finds_a_rule_that_lets_trust_rise(monkeypatch):
    """What the guide says of its first example: a broken rule is caught."""
    monkeypatch.setattr(rules, "trust_after_violation",
                        lambda trust, sensitivity, severity: min(trust + 0.01, 1.0))
    (test,) = defined_tests(BLOCKS[0]).values()
    with pytest.raises(AssertionError):
        test()  # type: ignore[operator]
