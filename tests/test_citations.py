"""Every number in a shipped scenario says where it comes from (the rule is in
:mod:`sim.citations`), and the check finds the numbers that do not."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.citations import uncited
from tests.helpers import ROOT

SCENARIOS = sorted((ROOT / "scenarios").glob("*.toml"))


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


def test_validate_citations_holds_any_file_to_the_rule(tmp_path, capsys) -> None:
    """The rule was the tests' alone: a user's file with every comment stripped passed
    validate. With --citations each uncited number is an error naming file, line and
    text (exit 2); the shipped files pass; without the option nothing changes."""
    import re

    import run_sim

    text = (ROOT / "scenarios" / "geneva_2016.toml").read_text(encoding="utf-8")
    bare = tmp_path / "bare.toml"
    bare.write_text(re.sub(r"#.*", "", text), encoding="utf-8")
    assert run_sim.main(["validate", str(bare)]) == 0
    capsys.readouterr()
    assert run_sim.main(["validate", "--citations", str(bare)]) == 2
    captured = capsys.readouterr()
    errors = captured.err.splitlines()
    expected = uncited(bare.read_text(encoding="utf-8"))
    assert len(errors) == len(expected) > 20
    line, first = expected[0]
    assert errors[0] == (f"error: {bare}:{line}: {first}: a value (a number, true or false) "
                         "with no comment on its line or heading its paragraph, to cite its "
                         "source or say JUDGEMENT (a paragraph starts below its [table] line: "
                         "a comment above that line heads nothing)")
    assert captured.out.startswith(f"uncited: {bare}")
    assert run_sim.main(["validate", "--citations", *map(str, SCENARIOS)]) == 0


@pytest.mark.parametrize("key", ["sources", "observed.sources"])
def test_a_blank_source_is_refused(key: str) -> None:
    from sim.errors import ScenarioError
    from sim.scenario import load_scenario

    with pytest.raises(ScenarioError) as err:
        load_scenario(ROOT / "scenarios" / "cessation_feb_2016.toml", [f'{key}=["a", " "]'])
    assert (err.value.path, err.value.value) == (f"{key}[1]", " ")


def test_a_bare_comment_cites_nothing() -> None:
    """'attack_rate = 0.5   #' passed validate --citations: a comment must say something,
    on the number's line or heading its paragraph; a '#' inside a string is no comment."""
    text = '''
[parties.p.behaviour]
attack_rate = 0.5   #
trust = 0.5   # ##
tolerance = 0.1 # JUDGEMENT

[parties.q.behaviour]
#
trust = 0.5
pauses = { "#1" = 48.0 }

[parties.r.behaviour]
# a quote
#
trust = 0.5

[ceasefire]
bare = [
  1.0, #
  2.0,
]
cited = [
  1.0, # a source
  2.0,
]
'''
    # (a bare '#' in an array written over lines took the next lines' text for its own)
    assert [line for _, line in uncited(text)] == [
        "attack_rate = 0.5   #", "trust = 0.5   # ##", "trust = 0.5", 'pauses = { "#1" = 48.0 }',
        "bare = ["]
