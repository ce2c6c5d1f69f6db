"""Build a scenario's resolved document: its TOML tables before any validation.

A scenario file may name a parent with ``extends``; the child's tables merge over the
parent's key by key (except :data:`WHOLE_TABLES`, replaced whole), and ``--set
KEY=VALUE`` overrides go on top. All of this works on plain dicts and knows nothing of
the schema, so it lives apart from validating and compiling (:mod:`sim.scenario`): the
resolved document is what gets validated, and what a run saves as its ``scenario.toml``
(rerunnable without the parents or the overrides).

An override's KEY is a TOML dotted key, read by TOML's grammar: bare parts
(``A-Za-z0-9_-``) or quoted ones, which may hold dots (``ceasefire.milestones."1.5d"``).
``extends`` belongs in the file, never in an override.

Every failure raises :class:`sim.errors.ScenarioError` naming the file (or ``--set``),
the key path and the value.
"""

from __future__ import annotations

import copy
import json
import os
import re
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sim.errors import ScenarioError, show
from sim.tomlfile import read_toml, shown_path

WHOLE_TABLES = frozenset({("ceasefire", "milestones")})
"""Tables that are one value (a set of labels), replaced whole by a child, never merged:
a child scenario with a shorter horizon must be able to drop its parent's milestones."""



def deep_merge(base: dict[str, Any], override: dict[str, Any],
               path: tuple[str, ...] = ()) -> dict[str, Any]:
    """Tables merge key by key; any other value in ``override`` replaces the base's, and
    so do the tables in :data:`WHOLE_TABLES`."""
    out = copy.deepcopy(base)
    for key, value in override.items():
        here = (*path, key)
        if (isinstance(value, dict) and isinstance(out.get(key), dict)
                and here not in WHOLE_TABLES):
            out[key] = deep_merge(out[key], value, here)
        else:
            out[key] = copy.deepcopy(value)
    return out


MAX_EXTENDS = 100
"""Most files in an ``extends`` chain: far more than any family of scenarios needs, and
far fewer than exhaust Python's recursion (about 1,000 did, reported as tables nested
too deeply)."""


def _reachable(path: Path, name: str) -> bool:
    """Whether ``path`` exists.

    Raises:
        ScenarioError: a directory on its path cannot be entered (``exists`` raised a
            PermissionError, which ended the command in a traceback).
    """
    try:
        return path.exists()
    except OSError as exc:
        raise ScenarioError(name, "", None, f"a file this user can reach, but "
                            f"{exc.strerror or exc}: a directory on its path cannot be "
                            "entered") from None


def resolve_document(path: Path, _chain: tuple[Path, ...] = ()) -> dict[str, Any]:
    """Read a scenario and its ``extends`` ancestors into one merged document.

    Messages name the file loaded as the user gave it, and an ancestor by
    :func:`shown_path` (both as the messages about the merged document do)."""
    name = str(path)
    if _reachable(path, name):
        # a pipe (/dev/stdin, <(...)) resolves to a name that is no file: read it as given
        resolved = path.resolve()
        path = resolved if _reachable(resolved, name) else path.absolute()
        name = shown_path(path) if _chain else name
    doc = read_toml(path, name)
    parent = doc.get("extends")
    if parent is None:
        return doc
    if not isinstance(parent, str) or not parent:
        raise ScenarioError(name, "extends", parent, "a path to a parent .toml file")
    try:
        parent_path = (path.parent / parent).resolve()
    except (OSError, ValueError):  # e.g. a NUL character in the name
        raise ScenarioError(name, "extends", parent, "a path to a parent .toml file") from None
    try:
        found = parent_path.exists()
    except OSError as exc:  # a directory on the way this user may not enter
        raise ScenarioError(name, "extends", parent, f"a parent file this user can read, but "
                            f"{shown_path(parent_path)} cannot be reached ({exc.strerror or exc}: "
                            "a directory on its path cannot be entered)") from None
    if not found:
        raise ScenarioError(name, "extends", parent,
                            f"parent file {shown_path(parent_path)} not found (the path is "
                            "taken from the directory of the file that extends it)")
    if parent_path.is_dir():
        raise ScenarioError(name, "extends", parent, "a path to a parent .toml file, but "
                            f"{shown_path(parent_path)} is a directory")
    if not os.access(parent_path, os.R_OK):  # (said of the parent alone, it named no child)
        raise ScenarioError(name, "extends", parent, f"a parent file this user can read, but "
                            f"{shown_path(parent_path)} cannot be read (permission denied)")
    if parent_path in (*_chain, path):
        cycle = " -> ".join(p.name for p in (*_chain, path, parent_path))
        raise ScenarioError(name, "extends", parent, f"extends cycle: {cycle}")
    if len(_chain) + 1 >= MAX_EXTENDS:
        raise ScenarioError(name, "extends", parent, f"an extends chain of at most "
                            f"{MAX_EXTENDS} files (the chain from {_chain[0].name} is longer)")
    inherited = resolve_document(parent_path, (*_chain, path))
    # [observed] is not inherited: it records what happened under the scenario that
    # writes it, and a child is another scenario (a counterfactual of a historical case
    # would otherwise be scored by the backtest as if it were that history)
    inherited.pop("observed", None)
    merged = deep_merge(inherited, doc)
    merged.pop("extends", None)
    return merged


KEY_HELP = ('a dotted TOML key such as ceasefire.horizon_hours; quote a part that is not '
            'a bare word of letters, digits, _ and -: ceasefire.milestones."1.5d"')

_KEY_PART = re.compile(r"""[ \t]*([A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')[ \t]*""")
"""One part of a dotted key and the blanks around it: a bare key, a basic string (with
escapes) or a literal string, as in TOML 1.0."""


def _scan_key(text: str) -> tuple[tuple[str, ...], int]:
    """The parts of the dotted key at the start of ``text`` and where it ends.

    Raises:
        ValueError: no dotted key starts ``text``.
    """
    parts: list[str] = []
    pos = 0
    while True:
        match = _KEY_PART.match(text, pos)
        if match is None:
            raise ValueError(text)
        token = match.group(1)
        if token[0] in "\"'":
            try:  # the token is one whole string literal: tomllib decodes its escapes
                token = tomllib.loads(f"k = {token}")["k"]
            except tomllib.TOMLDecodeError:
                raise ValueError(text) from None
        parts.append(token)
        pos = match.end()
        if text[pos:pos + 1] != ".":
            return tuple(parts), pos
        pos += 1


def split_key(key: str, source: str = "--set") -> tuple[str, ...]:
    """The parts of a dotted TOML key: ``'a."b.c"'`` is ``("a", "b.c")``.

    Raises:
        ScenarioError: ``key`` is not a dotted key, naming ``source``.
    """
    try:
        parts, end = _scan_key(key)
    except ValueError:
        end = -1
    if end != len(key):
        raise ScenarioError(source, key, key, KEY_HELP)
    return parts


def refuse_replacing(earlier: Iterable[tuple[str, str, Any]], key: str, source: str,
                     text: str) -> None:
    """Refuse setting ``key`` where that would replace a value given before it: the same
    key again, a table holding it (``ceasefire.monitoring={...}`` after
    ``ceasefire.monitoring.deterrence=0.9``), or a key an earlier table gave
    (``ceasefire.monitoring.deterrence=0.5`` after
    ``ceasefire.monitoring={deterrence=0.6}``). The earlier value would be dropped
    without a word while the run's labels still named it. A key inside an earlier table
    that the table does not give refines it, and is allowed.

    Args:
        earlier: ``(source, key, value)`` of each value given before, in order.
        text: the option as written, to show.
    """
    parts = split_key(key, source)
    for first_source, first, value in earlier:
        inside = split_key(first, first_source)
        if inside[:len(parts)] == parts:
            what = (f"the value {first_source} gave it before" if inside == parts
                    else f"{first}, which {first_source} gave before")
        elif parts[:len(inside)] == inside and value_at(value, parts[len(inside):]) is not None:
            what = f"the value in the table {first}, which {first_source} gave before"
        else:
            continue
        # not 'bad value': the value may be fine; it is the second one for its key
        raise ScenarioError(source, key, None,
                            f"{show(text)} would replace {what}: give each key one value "
                            "(drop one of the two); a table may come before keys inside it "
                            "that it does not give")


def value_at(doc: Any, parts: tuple[str, ...]) -> Any:
    """The value at a key path inside nested tables, or None where there is none."""
    for part in parts:
        if not isinstance(doc, dict) or part not in doc:
            return None
        doc = doc[part]
    return doc


def _refuse_extends(parts: tuple[str, ...], key: str, value: Any, source: str) -> None:
    if parts[0] == "extends":
        raise ScenarioError(source, key, value, "not an override: extends names a parent in the "
                            "scenario file (relative to that file), so write it there")


def parse_override(text: str) -> tuple[str, Any]:
    """Split ``KEY=VALUE``; VALUE is read as a TOML value, else kept as a string.

    KEY is a dotted TOML key (quoted parts may hold ``.`` and ``=``); it is returned as
    written, without the blanks around it.

    Raises:
        ScenarioError: no ``=``, a KEY TOML cannot read, or an ``extends`` KEY.
    """
    key, rest = split_assignment(text, "--set", "KEY=VALUE with a dotted KEY")
    value = parse_value(rest, "--set", key)
    _refuse_extends(split_key(key), key, value, "--set")
    return key, value


def split_assignment(text: str, source: str, forms: str) -> tuple[str, str]:
    """``KEY=VALUE`` split at the ``=`` that ends the dotted KEY (a quoted part of KEY may
    hold ``=`` and ``.``): KEY as written, without the blanks around it, and VALUE's text.

    Raises:
        ScenarioError: naming ``source``; no ``=`` (``forms`` says what is accepted), or
            a KEY TOML cannot read.
    """
    if "=" not in text:
        raise ScenarioError(source, text, text, forms)
    try:
        _parts, end = _scan_key(text)
    except ValueError:
        end = -1
    if end < 0 or text[end:end + 1] != "=":
        raise ScenarioError(source, text.partition("=")[0].strip(), text, KEY_HELP)
    return text[:end].strip(), text[end + 1:].strip()


def split_values(text: str) -> list[str]:
    """``text`` split at each comma that separates values, not at those inside an array,
    a table or a string (``{a = 1, b = 2},{a = 3}`` is two values); each stripped."""
    values, start, depth, quote, pos = [], 0, 0, "", 0
    while pos < len(text):
        char = text[pos]
        if quote:
            if char == "\\" and quote == '"':
                pos += 1  # an escaped character, a quote included
            elif char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
        elif char == "," and depth == 0:
            values.append(text[start:pos].strip())
            start = pos + 1
        pos += 1
    values.append(text[start:].strip())
    return values


def parse_value(text: str, source: str = "--set", key: str = "") -> Any:
    """Read one TOML value (number, bool, string, array, inline table); bare words as strings.

    Text that is not exactly one value (``0.5`` followed by a new line and more keys,
    or arrays nested too deep to read) stays the string it is, so validation refuses it
    by name instead of a part of it being applied silently.

    Raises:
        ScenarioError: naming ``source`` and ``key``, when the text opens an array, an
            inline table or a quoted string that TOML cannot read (``[1,2`` or
            ``{notice=}``): taken as a string, it would set a name to ``[1,2`` or be
            refused as "not a table", hiding the typing slip.
    """
    try:
        doc = tomllib.loads(f"v = {text}")
    except RecursionError:
        return text
    except tomllib.TOMLDecodeError as exc:
        if text.lstrip()[:1] in ("[", "{", '"', "'"):
            detail = re.sub(r" \(at (line \d+, column \d+|end of document)\)", "", str(exc))
            raise ScenarioError(source, key, text, f"a TOML value ({detail})") from None
        return text
    return doc["v"] if len(doc) == 1 else text


def apply_override(doc: dict[str, Any], key: str, value: Any,
                   source: str = "--set") -> dict[str, Any]:
    """Return a copy of ``doc`` with the dotted TOML ``key`` set to ``value``.

    Raises:
        ScenarioError: naming ``source``, when ``key`` is not a dotted key, is
            ``extends``, or passes through a value that is not a table.
    """
    parts = split_key(key, source)
    _refuse_extends(parts, key, value, source)
    out = copy.deepcopy(doc)
    node = out
    for depth, part in enumerate(parts[:-1]):
        child = node.get(part)
        if child is None:
            child = node[part] = {}
        if not isinstance(child, dict):
            where = ".".join(parts[: depth + 1])
            raise ScenarioError(source, key, value, f"{where} is a value, not a table")
        node = child
    node[parts[-1]] = value
    return out


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def is_bare_key(part: str) -> bool:
    """Whether TOML allows ``part`` as a bare key (letters, digits, ``_`` and ``-``)."""
    return _BARE_KEY.fullmatch(part) is not None


def join_key(parts: Iterable[str]) -> str:
    """The dotted key of ``parts``, the inverse of :func:`split_key`: each part bare
    where TOML allows, else quoted (``parties."u.s".no_deal``), so every message spells
    a path one way, and that way can be pasted into ``--set``."""
    return ".".join(p if is_bare_key(p) else json.dumps(p, ensure_ascii=False) for p in parts)


def under(path: str, prefix: str) -> bool:
    """Whether the dotted key ``path`` is ``prefix`` or lies inside it (both as
    :func:`join_key` writes them)."""
    return path == prefix or path.startswith(prefix + ".")


def related(a: str, b: str) -> bool:
    """Whether one dotted key lies inside the other (or they are the same)."""
    return under(a, b) or under(b, a)
