"""Every number in a shipped scenario says where it comes from.

A reader must be able to check each parameter against the quote or fact behind it, or
see that it is a modelling judgement. A number counts as cited when a comment sits on
its line, or heads its paragraph (the run of non-blank lines it belongs to, after its
table's header). Issue ranges are definitions of the scale, not claims, and are exempt.
Numbers count wherever TOML can hold them: under dotted or quoted keys, in inline
tables and in arrays written over several lines (not inside strings).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.helpers import ROOT

SCENARIOS = sorted((ROOT / "scenarios").glob("*.toml"))
_KEY = re.compile(r"""^\s*(?:[A-Za-z0-9_\-]+|"[^"]*"|'[^']*')"""
                  r"""(?:\s*\.\s*(?:[A-Za-z0-9_\-]+|"[^"]*"|'[^']*'))*\s*=\s*(?P<value>.*)$""")
"""A key (bare, quoted or dotted, as TOML allows) and its value."""
_NUMBER = r"(?:[-+]?[0-9.]|true\b|false\b|[-+]?inf\b|nan\b)"
_CLAIM = re.compile(rf"^(?:{_NUMBER}|\[\s*{_NUMBER})")
_INLINE_CLAIM = re.compile(rf"(?:=|,|\[)\s*{_NUMBER}")
"""A number inside an inline table (``{ "48h" = 48.0 }``) or an array."""


_STRING = re.compile(r"'[^']*'" + r'|"(?:[^"\\]|\\.)*"')


def _claims(value: str) -> bool:
    """Whether a value (an inline table or array written whole) states a number; the
    text of strings in it (a source's date) does not count."""
    if value.startswith(("{", "[")):
        return _INLINE_CLAIM.search(_STRING.sub('""', value)) is not None
    return _CLAIM.match(value) is not None


def uncited(text: str) -> list[tuple[int, str]]:
    """Lines (number, text) holding a number or a boolean with no comment to cite it."""
    out = []
    table = ""
    headed = False  # a comment has opened the current paragraph
    in_string = False
    array: tuple[int, str, str] | None = None  # an array written over several lines
    for number, line in enumerate(text.splitlines(), 1):
        s = line.strip()
        if in_string:
            in_string = '"""' not in s
            continue
        if array is not None:
            start, first, value = array
            value += " " + s
            if "]" not in s:
                array = (start, first, value)
                continue
            array = None
            if _claims(value) and "#" not in value and not headed:
                out.append((start, first))
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
            elif value.startswith("[") and "]" not in value:
                if not table.startswith("[issues"):
                    array = (number, s, value)
            elif (_claims(value) and not table.startswith("[issues")
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

[ceasefire]
milestones = { "48h" = 48.0 }
imposed = {delineation = 1.0}  # the deal's text
monitoring.notice = 0.5
"quoted".x = -1
sources = ["a", "b"]
pauses = [
  3.0,
  4.0,
]
cited = [
  5.0,  # a source
]
'''
    assert [line for _, line in uncited(text)] == [
        "no_deal = 0.3", "tolerance = 0.1", "agreed = true", "hours_held_range = [1.0, 2.0]",
        'milestones = { "48h" = 48.0 }', "monitoring.notice = 0.5", '"quoted".x = -1',
        "pauses = ["]
