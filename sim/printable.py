"""Names and labels a scenario shows: visible, without control characters, of a length
tables and figures can hold, and not two alike but for case or Unicode encoding.

Names head table columns and file columns and label figures; printed to a terminal a
control character can act on it, and a name of hundreds of characters garbled every
figure it labelled. Part of :mod:`sim.validation`'s rules, kept apart as one concept.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from sim.document import join_key
from sim.errors import ScenarioError
from sim.schema import MAX_LABEL, MAX_NAME, ScenarioSpec

__all__ = ["MAX_LABEL", "MAX_NAME", "check_printable", "has_control", "has_visible",
           "refuse_case_twins"]


def refuse_case_twins(file: str, table: str, names: Iterable[str]) -> None:
    """Names are case-sensitive, so ``US`` beside ``us`` would be a second party (or
    issue): almost surely a typing slip, as when a child scenario meant to override its
    parent's. So would ``café`` written once with an accented letter and once with an
    accent added to an ``e``: the two look the same everywhere they are shown. Refused
    rather than simulated."""
    seen: dict[str, str] = {}
    for name in names:
        other = seen.setdefault(unicodedata.normalize("NFC", name).lower(), name)
        if other != name:
            how = ("differ only in case, and names are case-sensitive" if other.lower() == name.lower()
                   else "look alike but are written with different characters (an accented "
                   "letter, or a letter and a combining accent)")
            raise ScenarioError(file, join_key((table, name)), name,
                                f"{other!r}, as written elsewhere, or another name: {name!r} "
                                f"and {other!r} {how}, so these would be two {table}")


DIRECTION_OVERRIDES = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""Characters that reorder the text after them (bidirectional embeddings, overrides and
isolates): in a name they make a table or a message read other than it is. The plain
direction marks (U+200E, U+200F, U+061C), which mixed Arabic or Hebrew and Latin text
needs to show right, are not among them."""


def has_control(text: str) -> bool:
    """Whether ``text`` holds a control character (a new line, a tab, NUL, ESC...) or
    one that reverses the direction of the text shown."""
    return any(ch < " " or "\x7f" <= ch <= "\x9f" or ch in DIRECTION_OVERRIDES for ch in text)


IGNORABLE = ((0x2060, 0x206F), (0xFFF0, 0xFFF8), (0xE0000, 0xE0FFF), (0xFDD0, 0xFDEF))
"""Code points that never show, assigned yet or not: the reserved ones among the
default-ignorable (U+2065, the tags block) and the noncharacters U+FDD0..FDEF (with
every plane's last two, U+xFFFE and U+xFFFF)."""


def _shows(ch: str) -> bool:
    """Whether ``ch`` draws something: not a space, an accent alone, a control, format,
    surrogate or private-use character, an ignorable code point or a noncharacter. One
    newer than this Python's Unicode tables (an emoji of Unicode 15 on Python 3.11)
    counts as one that shows."""
    code = ord(ch)
    if any(low <= code <= high for low, high in IGNORABLE) or code & 0xFFFE == 0xFFFE:
        return False
    category = unicodedata.category(ch)
    return category[0] not in "ZM" and category not in ("Cc", "Cf", "Cs", "Co")


def has_visible(text: str) -> bool:
    """Whether ``text`` holds a character that shows (:func:`_shows`): a zero-width space
    as a name printed a blank row."""
    return any(_shows(ch) for ch in text)


def _clipped(text: str) -> str:
    """A long text as a message shows it: its start and its length."""
    return text if len(text) <= 80 else f"{text[:60]}... ({len(text):,} characters)"


def check_printable(spec: ScenarioSpec, file: str) -> None:
    """Names and labels shown in tables, file columns and figures: each with a visible
    character and no control characters, which would be invisible there or, printed to
    a terminal, act on it (an ESC sequence can clear the screen). Records use "" for
    "nobody" (no withdrawal, no trigger), so a blank party name would vanish."""
    named: list[tuple[tuple[str, ...], str, str]] = [(("name",), spec.name, "a scenario name")]
    named += [(("parties", n), n, "a party name") for n in spec.parties]
    named += [(("issues", n), n, "an issue name") for n in spec.issues]
    named += [(("ceasefire", "milestones", n), n, "a milestone label")
              for n in spec.ceasefire.milestones]
    named += [(("parties", n, "label"), p.label, "a party's label") for n, p in spec.parties.items()
              if p.label]
    for parts, text, what in named:
        if not has_visible(text) or has_control(text):
            raise ScenarioError(file, join_key(parts), text, f"{what} with a visible character "
                                "and no control characters (new lines, tabs, NUL, ESC, "
                                "or direction embeddings, overrides and isolates)")
        label = parts[-1] == "label"
        if len(text) > (MAX_LABEL if label else MAX_NAME):
            where = parts if label else (*parts[:-1], _clipped(parts[-1]))
            raise ScenarioError(file, join_key(where), _clipped(text), (
                f"{what} of at most {MAX_LABEL if label else MAX_NAME} characters (this one has "
                f"{len(text):,}): " + ("figures break it across lines, and hundreds of "
                                       "characters garbled them" if label else
                                       "it heads table columns and labels figures")
                + ("; a longer display name goes in its 'label'" if what == "a party name"
                   else "")))
    if has_control(spec.title):
        raise ScenarioError(file, "title", spec.title, "one line of text without control "
                            "characters (new lines, tabs, NUL, ESC, or direction embeddings, "
                            "overrides and isolates)")
    cited = [("sources", spec.sources)]
    if spec.observed is not None:
        cited.append(("observed.sources", spec.observed.sources))
    for key, sources in cited:  # a blank entry cites nothing
        blank = next((k for k, text in enumerate(sources) if not text.strip()), None)
        if blank is not None:
            raise ScenarioError(file, f"{key}[{blank}]", sources[blank], "a source a reader "
                                "can look up (who said or reported it, where and when)")
