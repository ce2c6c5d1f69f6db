"""Writing TOML: every text key and value a scenario document can hold reads back unchanged.

``toml_dumps`` writes the resolved ``scenario.toml`` of a run directory, and
``--resume`` and ``plot DIR`` read it back with ``tomllib``, so a name or note that does
not round-trip breaks a saved run. TOML basic strings must escape the quotation mark,
the backslash and the control characters (U+0000..U+001F, U+007F); everything else,
characters beyond the Basic Multilingual Plane included, may be written as itself.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from sim.toml_out import toml_dumps

EMOJI = "\U0001f600"
"""A character beyond the Basic Multilingual Plane (JSON escapes it as a surrogate pair)."""

CONTROLS = "".join(chr(c) for c in [*range(0x20), 0x7F])
"""Every character TOML requires to be escaped in a basic string, besides ``"`` and ``\\``."""


def roundtrip(doc: dict[str, Any]) -> Any:
    return tomllib.loads(toml_dumps(doc))


# ---------------------------------------------------------------------------
# Examples
# ---------------------------------------------------------------------------


def test_emoji_key_and_value_round_trip(tmp_path: Path) -> None:
    """A non-BMP character is written as itself, in keys, values and table names."""
    doc = {EMOJI: EMOJI, "title": f"talks {EMOJI}", "parties": {EMOJI: {"note": EMOJI}}}
    text = toml_dumps(doc)
    assert "\\ud83d" not in text
    assert tomllib.loads(text) == doc
    path = tmp_path / "scenario.toml"
    path.write_text(text, encoding="utf-8")
    with path.open("rb") as fh:
        assert tomllib.load(fh) == doc


def test_control_characters_quotes_and_backslashes_round_trip() -> None:
    """Control characters (DEL too), quotes and backslashes are escaped, in keys and values."""
    tricky = f'say "no" \\ {CONTROLS} \\u0041 \'x\''
    doc = {tricky: tricky, "plain": "a\tb\nc", "nested": {tricky: [tricky, "\x7f"]}}
    text = toml_dumps(doc)
    assert "\x7f" not in text
    assert tomllib.loads(text) == doc


def test_ascii_output_is_unchanged() -> None:
    """Bare keys stay bare, and escapes are the short ones where TOML has them."""
    doc = {"name": "geneva", "runs": 3, "ok": True, "share": 0.5, "tags": ["a", "b"],
           "parties": {"us": {"note": 'tab\there "quoted"'}}, "two words": 1}
    assert toml_dumps(doc) == (
        'name = "geneva"\nruns = 3\nok = true\nshare = 0.5\ntags = ["a", "b"]\n'
        '"two words" = 1\n\n[parties.us]\nnote = "tab\\there \\"quoted\\""\n'
    )


@pytest.mark.parametrize("doc", [{"\ud800": 1}, {"a": "x\udfff"}, {"a": {"b": ["\udc00"]}}])
def test_a_lone_surrogate_is_refused_with_a_message(doc: dict[str, Any]) -> None:
    """No UTF-8 file can hold a lone surrogate: say so instead of writing a broken file."""
    with pytest.raises(ValueError, match="lone surrogate"):
        toml_dumps(doc)


# ---------------------------------------------------------------------------
# Property: any document of text keys and scalar values round-trips
# ---------------------------------------------------------------------------

# st.text() draws from all of Unicode except surrogates (which UTF-8 cannot encode).
texts = st.text(max_size=12)
scalars = st.one_of(
    texts,
    st.integers(min_value=-(2**63), max_value=2**63 - 1),  # TOML integers are 64-bit
    st.booleans(),
    st.floats(allow_nan=False, allow_infinity=False),
)
values = st.one_of(scalars, st.lists(scalars, max_size=4), st.lists(st.lists(scalars, max_size=3),
                                                                     max_size=3))
documents = st.recursive(
    st.dictionaries(texts, values, max_size=4),
    lambda tables: st.dictionaries(texts, st.one_of(values, tables), max_size=4),
    max_leaves=12,
)
"""Nested tables with any text keys; values are strings, integers, booleans, finite
floats and (nested) arrays of them, a superset of what a scenario file holds."""


@given(documents)
@example({EMOJI: EMOJI})
@example({"\x7f": {"\x00": ["\x1f", '"', "\\"]}})
@example({"": {"": {}}, "a.b": {"c d": -0.0}})
def test_any_document_round_trips(doc: dict[str, Any]) -> None:
    """``tomllib.loads(toml_dumps(d)) == d`` for every document of text keys and values."""
    assert roundtrip(doc) == doc


def test_resume_advice_of_a_part_named_by_a_relative_path():
    """``plot 003`` inside a sweep's points/ raised IndexError: Path('003') has no
    parents[1]; the advice names the sweep's directory, '..'."""
    from pathlib import Path

    from sim.output import resume_advice

    assert resume_advice(Path("003"), {"sweep_point": {}}) == "'sweep ... --resume --out ..'"
    assert resume_advice(Path("a"), {"compare_side": "a"}) == "'compare ... --resume --out .'"
    assert resume_advice(Path("r"), {}) == "'run ... --resume --out r'"


@pytest.mark.parametrize("path", ["/tmp/a b", "plain/dir", 'we"ird $x `y` \\z', "it's", "a;b"])
def test_a_path_in_advice_pastes_into_a_shell_as_it_is(path):
    """'sweep ... --resume --out /tmp/my sweep' broke when pasted: the path was not quoted."""
    import subprocess

    from sim.output import shell_path

    echoed = subprocess.run(["bash", "-c", f"printf %s {shell_path(path)}"],
                            capture_output=True, text=True, check=True).stdout
    assert echoed == path


@pytest.mark.parametrize(("share", "digits", "text"), [
    (0.004, 0, "<1%"), (0.004, 1, "0.4%"), (0.9996, 1, ">99.9%"), (1.0, 1, "100.0%"),
    (0.0, 0, "0%"), (0.977, 1, "97.7%")])
def test_the_text_report_shows_a_small_share_as_small_not_as_none(share, digits, text):
    """'after an act by: ..., jfs 0%' for a party behind 0.4% of collapses."""
    from sim.report import percent

    assert percent(share, digits) == text
