"""Whether every number in a scenario file says where it comes from.

A reader must be able to check each parameter against the quote or fact behind it, or
see that it is a modelling judgement (``JUDGEMENT``). A number counts as cited when a
comment with some text (not a bare ``#``) sits on its line, or heads its paragraph (the
run of non-blank lines it belongs to, after its table's header). Issue ranges are
definitions of the scale, not claims, and are exempt. Numbers count wherever TOML can
hold them: under dotted or quoted keys, in inline tables and in arrays written over
several lines (not inside strings).

The shipped scenarios are held to this by the tests; ``run_sim.py validate --citations``
holds any file to it.
"""

from __future__ import annotations

import re
from pathlib import Path

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


def _cites(text: str) -> bool:
    """Whether ``text`` (a value and what follows it, or a whole line) holds a comment
    that says something: a bare ``#`` cites nothing. A ``#`` inside a string is text."""
    _, hash_, comment = _STRING.sub('""', text).partition("#")
    return bool(hash_) and bool(comment.strip("# \t"))


def uncited(text: str) -> list[tuple[int, str]]:
    """Lines (number, text) holding a number or a boolean with no comment to cite it."""
    out = []
    table = ""
    headed = False  # a comment has opened the current paragraph
    in_string = False
    array: tuple[int, str, str, bool] | None = None  # an array written over several lines,
    # and whether a line of it holds a comment that says something
    for number, line in enumerate(text.splitlines(), 1):
        s = line.strip()
        if in_string:
            in_string = '"""' not in s
            continue
        if array is not None:
            start, first, value, cited = array
            # each line's comment judged alone: joined, a bare '#' took the next lines' text
            value, cited = value + " " + s.partition("#")[0], cited or _cites(s)
            if "]" not in s.partition("#")[0]:
                array = (start, first, value, cited)
                continue
            array = None
            if _claims(value) and not cited and not headed:
                out.append((start, first))
            continue
        if not s:
            headed = False
        elif s.startswith("#"):
            headed = headed or _cites(s)
        elif s.startswith("["):
            table, headed = s, False
        elif (m := _KEY.match(line)) is not None:
            value = m["value"]
            if value.startswith('"""') and value.count('"""') == 1:
                in_string = True
            elif value.startswith("[") and "]" not in value.partition("#")[0]:
                if not table.startswith("[issues"):
                    array = (number, s, value.partition("#")[0], _cites(value))
            elif (_claims(value) and not table.startswith("[issues")
                  and not _cites(value) and not headed):
                out.append((number, s))
    return out


def citation_errors(path: Path) -> list[str]:
    """One message per uncited value of the scenario file at ``path``, naming the file,
    the line and the line's text."""
    return [f"{path}:{line}: {text}: a value (a number, true or false) with no comment on its "
            "line or heading its paragraph, to cite its source or say JUDGEMENT (a paragraph "
            "starts below its [table] line: a comment above that line heads nothing)"
            for line, text in uncited(path.read_text(encoding="utf-8"))]
