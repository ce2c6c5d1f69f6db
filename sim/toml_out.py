"""Writing scenario documents as TOML (the standard library reads TOML but does not
write it): ``scenario.toml`` of a run directory, and values shown as a file would
write them (``--param`` values in tables and labels)."""

from __future__ import annotations

import math
import re
from typing import Any

from sim.document import is_bare_key


def toml_dumps(doc: dict[str, Any]) -> str:
    """Serialise a scenario document (tables, scalars, arrays of scalars) as TOML.

    Any ``str`` key or value is written so that ``tomllib`` reads it back unchanged.

    Raises:
        ValueError: a key or string holds a lone surrogate (not encodable as UTF-8).
        TypeError: a value has no TOML form.
    """
    lines: list[str] = []
    _emit_table(doc, [], lines)
    return "\n".join(lines).strip() + "\n"


def _emit_table(table: dict[str, Any], path: list[str], lines: list[str]) -> None:
    scalars = {k: v for k, v in table.items() if not isinstance(v, dict)}
    tables = {k: v for k, v in table.items() if isinstance(v, dict)}
    if path and (scalars or not tables):
        lines.append("")
        lines.append("[" + ".".join(_key(p) for p in path) + "]")
    for key, value in scalars.items():
        lines.append(f"{_key(key)} = {toml_value(value)}")
    for key, value in tables.items():
        _emit_table(value, [*path, key], lines)


def _key(key: str) -> str:
    return key if is_bare_key(key) else _string(key)


_ESCAPES = {'"': r"\"", "\\": r"\\", "\b": r"\b", "\t": r"\t", "\n": r"\n", "\f": r"\f", "\r": r"\r"}
"""The short escapes of TOML basic strings (other control characters are written as
``\\u`` and four hex digits)."""
_MUST_ESCAPE = re.compile(r'["\\\x00-\x1f\x7f]')
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    return _ESCAPES.get(char) or f"\\u{ord(char):04x}"


def _string(text: str) -> str:
    """A TOML basic string (also used for quoted keys).

    TOML requires the quotation mark, the backslash and the control characters
    U+0000..U+001F and U+007F to be escaped; every other character is written as itself
    (the files are UTF-8). JSON's escapes are not TOML's: JSON with ASCII output writes a
    character beyond the Basic Multilingual Plane as a surrogate pair (``\\ud83d\\ude00``),
    which TOML rejects, and JSON leaves U+007F bare, which TOML forbids.

    Raises:
        ValueError: ``text`` holds a lone surrogate, which no UTF-8 file can hold.
    """
    bad = _SURROGATE.search(text)
    if bad is not None:
        raise ValueError(f"cannot write a lone surrogate (U+{ord(bad.group()):04X}) to TOML: "
                         f"{text!r}")
    return '"' + _MUST_ESCAPE.sub(_escape, text) + '"'


def toml_value(value: Any) -> str:
    """A value as TOML writes it inline (``{ 48h = 48.0 }``, ``[1, 2]``, ``"text"``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "{ " + ", ".join(f"{_key(k)} = {toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")
