"""Every number in a shipped scenario says where it comes from.

A reader must be able to check each parameter against the quote or fact behind it, or
see that it is a modelling judgement. A number counts as cited when a comment sits on
its line, or heads its paragraph (the run of non-blank lines it belongs to, after its
table's header). Issue ranges are definitions of the scale, not claims, and are exempt.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.helpers import ROOT

SCENARIOS = sorted((ROOT / "scenarios").glob("*.toml"))
_KEY = re.compile(r"^\s*[A-Za-z0-9_\-\"]+\s*=\s*(?P<value>.*)$")
_CLAIM = re.compile(r"^(?:[-+]?[0-9.]|\[\s*[-+]?[0-9.]|true\b|false\b|[-+]?inf\b|nan\b)")


def uncited(text: str) -> list[tuple[int, str]]:
    """Lines (number, text) holding a number or a boolean with no comment to cite it."""
    out = []
    table = ""
    headed = False  # a comment has opened the current paragraph
    in_string = False
    for number, line in enumerate(text.splitlines(), 1):
        s = line.strip()
        if in_string:
            in_string = '"""' not in s
            continue
        if not s:
            headed = False
        elif s.startswith("#"):
            headed = True
        elif s.startswith("["):
            table, headed = s, False
        elif (m := _KEY.match(line)) is not None:
            value = m["value"]
            if value.startswith('"""') and value.count('"""') == 1:
                in_string = True
            elif (_CLAIM.match(value) and not table.startswith("[issues")
                  and "#" not in value and not headed):
                out.append((number, s))
    return out


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.name)
def test_every_number_in_a_scenario_cites_its_source_or_says_judgement(path: Path) -> None:
    missing = uncited(path.read_text(encoding="utf-8"))
    assert not missing, "\n".join(f"{path.name}:{n}: {line}" for n, line in missing)


def test_the_citation_check_finds_an_uncited_number() -> None:
    text = '''
name = "x"
[issues.a]
low = 0.0

[parties.p]
no_deal = 0.3
label = "P"

[parties.p.behaviour]
# JUDGEMENT: both
trust = 0.5
tolerance = 0.1

[parties.q.behaviour]
trust = 0.5   # a quote
tolerance = 0.1
[observed]
agreed = true
hours_held_range = [1.0, 2.0]
description = """
7 = 7
"""
'''
    assert [line for _, line in uncited(text)] == [
        "no_deal = 0.3", "tolerance = 0.1", "agreed = true", "hours_held_range = [1.0, 2.0]"]
