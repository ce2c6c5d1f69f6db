"""Reading ``--param``: one key's values (a list, or a range ``start:stop:num``), the
checks across several keys, and the grid of their combinations a sweep runs."""

from __future__ import annotations

import itertools
import math
from typing import Any

from sim.document import join_key, parse_value, related, split_assignment, split_key, split_values
from sim.errors import ScenarioError
from sim.toml_out import toml_value

MAX_VALUES = 10_000
"""Most values one ``--param`` may list or a range may give."""
MAX_POINTS = 10_000
"""Most points a sweep's grid may have."""
_FORMS = "KEY=V1,V2,... or KEY=start:stop:num"


def parse_param(text: str) -> tuple[str, list[Any]]:
    """``KEY=V1,V2,...`` or ``KEY=start:stop:num`` (evenly spaced, both ends included).

    A range is of integers when ``start`` and ``stop`` are written as integers and every
    value is whole (``0:4:3`` is 0, 2, 4), so it can set an integer field; otherwise it
    is of floats (``0:1:3`` is 0.0, 0.5, 1.0; ``0.0:4.0:3`` is 0.0, 2.0, 4.0).
    """
    key, spec = split_assignment(text, "--param", _FORMS)
    if not spec:
        raise ScenarioError("--param", key, text, _FORMS)
    split_key(key, "--param")  # a malformed key is refused before any value is read
    texts = split_values(spec)
    if len(texts) == 1 and _is_range(spec):
        return key, Range(_distinct(key, spec, _parse_range(key, spec)))
    if any(_is_range(v) for v in texts):
        raise ScenarioError("--param", key, spec, f"{_FORMS}: a range or a list, not both")
    if any(_almost_range(v) for v in texts):
        raise ScenarioError("--param", key, spec, "a range of three parts, start:stop:num "
                            "(0:1:5 is 0, 0.25, 0.5, 0.75, 1), or values V1,V2,...")
    if "" in texts:
        raise ScenarioError("--param", key, spec, "values separated by single commas (one "
                            "is empty)")
    if len(texts) > MAX_VALUES:
        raise ScenarioError("--param", key, f"{len(texts)} values", f"at most {MAX_VALUES:,} values")
    return key, _distinct(key, spec, [parse_value(v, "--param", key) for v in texts])


def _distinct(key: str, spec: str, values: list[Any]) -> list[Any]:
    """``values``, refused when one repeats: a repeated point would be run twice on the
    same seeds and appear as two rows of one result (``1`` and ``1.0`` are one value)."""
    seen: set[Any] = set()
    for v in values:
        same = _identity(v)
        if same in seen:
            raise ScenarioError("--param", key, spec,
                                f"distinct values ({toml_value(v)} comes more than once)")
        seen.add(same)
    return values


def _identity(value: Any) -> Any:
    """What makes two values one: numbers compare as numbers (hashing keeps 1 == 1.0
    without a float of a huge integer), tables whatever the order of their keys, arrays
    item by item, anything else by how it reads."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return ("number", value)
    if isinstance(value, dict):
        return ("table", tuple(sorted((k, _identity(v)) for k, v in value.items())))
    if isinstance(value, list):
        return ("array", tuple(_identity(v) for v in value))
    return ("text", repr(value))


def parse_params(texts: list[str]) -> list[tuple[str, list[Any]]]:
    """Every ``--param`` (see :func:`parse_param`), each key once, at most ``MAX_POINTS``
    grid points in all.

    Raises:
        ScenarioError: a malformed ``--param``, a key given twice, or too large a grid.
    """
    params: list[tuple[str, list[Any]]] = []
    for text in texts:
        key, values = parse_param(text)
        # one key however it is written ("ceasefire".max_acts, ceasefire . max_acts), and
        # never a table with a key inside it: one would silently replace the other
        joined = join_key(split_key(key, "--param"))
        for k, _ in params:
            other = join_key(split_key(k, "--param"))
            if other == joined:
                raise ScenarioError("--param", key, text, "each KEY once: list all its values "
                                    "in one --param KEY=V1,V2,...")
            if related(joined, other):
                raise ScenarioError("--param", key, text, f"a key apart from --param {k}: one "
                                    "lies inside the other, so one would replace the other's "
                                    "values; sweep the table or the keys inside it")
        params.append((key, values))
    size = math.prod(len(v) for _, v in params)
    if size > MAX_POINTS:
        raise ScenarioError("--param", ", ".join(k for k, _ in params), f"{size:,} grid points",
                            f"at most {MAX_POINTS:,} points (the product of the numbers of values)")
    return params


class Range(list[Any]):
    """The values a ``start:stop:num`` range gave (an error can then say how to write
    the range, which would make no sense for a list of values)."""


def _is_range(text: str) -> bool:
    """Whether a value is written as ``start:stop:num`` (a string or a table cannot be)."""
    return text.count(":") == 2 and not text.startswith(("\"", "'", "{", "["))


def _almost_range(text: str) -> bool:
    """Whether a value is numbers joined by colons, but not three of them (``0:1``: a
    range missing its count), which would otherwise be read as text."""
    parts = text.split(":")
    if len(parts) < 2 or _is_range(text):
        return False
    try:
        [float(p) for p in parts]
    except ValueError:
        return False
    return True


def _parse_range(key: str, spec: str) -> list[Any]:
    """The values of ``start:stop:num``: integers if they can all be, else floats."""
    a, b, c = spec.split(":")
    try:
        start, stop, num = float(a), float(b), int(c)
    except ValueError:
        raise ScenarioError("--param", key, spec, "start:stop:num with numbers, num an integer "
                            ">= 2") from None
    if not (2 <= num <= MAX_VALUES and math.isfinite(start) and math.isfinite(stop)):
        raise ScenarioError("--param", key, spec,
                            f"finite start and stop, num from 2 to {MAX_VALUES:,}")
    whole = _as_int(a), _as_int(b)
    if whole[0] is not None and whole[1] is not None:
        first, span = whole[0], whole[1] - whole[0]
        if span % (num - 1) == 0:
            return [first + k * (span // (num - 1)) for k in range(num)]
    # k * span / (num - 1) rather than k * step: 0:1:11 gives 0.3, not 0.30000000000000004
    values = [_decimal(start + k * (stop - start) / (num - 1)) for k in range(num)]
    values[-1] = stop
    if not all(math.isfinite(v) for v in values):  # 1e308:-1e308:3 spans more than floats
        raise ScenarioError("--param", key, spec, "start:stop:num whose span stop - start "
                            "is a finite number")
    return values


def _decimal(value: float) -> float:
    """``value``, or the short decimal it misses by float rounding alone: 0.02:0.14:7
    gave 0.12000000000000002, which 0.02:0.16:8, extending that sweep on --resume, did
    not (it gave ...01). A value no short decimal is near (4/3) is kept."""
    short = float(f"{value:.12g}")
    return short if abs(short - value) <= 4 * math.ulp(value) else value


def _as_int(text: str) -> int | None:
    """``text`` as an integer if it is written as one (``4``, ``-2``), else None."""
    try:
        return int(text)
    except ValueError:
        return None


def grid(params: list[tuple[str, list[Any]]]) -> list[dict[str, Any]]:
    """Every combination of the parameters' values (the first parameter varies slowest)."""
    keys = [k for k, _ in params]
    return [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*(v for _, v in params))]
