"""Pydantic's errors in the words of a scenario file: a dotted key path, the bad value
and what is allowed, as :class:`sim.errors.ScenarioError` (the allowed keys for an
unknown one, a numeric field's range, TOML's names for the kinds of value)."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from difflib import get_close_matches
from typing import Any, get_args

from pydantic import BaseModel, ValidationError

from sim.document import join_key
from sim.errors import ScenarioError, listing
from sim.schema import ScenarioSpec


def _table_model(loc: tuple[Any, ...]) -> Any:
    """The model of the table that holds ``loc[-1]`` (None if it is not a model)."""
    model: Any = ScenarioSpec
    for part in loc[:-1]:
        if isinstance(model, type) and issubclass(model, BaseModel):
            field = model.model_fields.get(str(part))
            if field is None:
                return None
            model = field.annotation
        else:
            # inside a dict[str, Model]: the key is a free name; the value type follows
            args = getattr(model, "__args__", ())
            model = args[-1] if args else None
        while getattr(model, "__origin__", None) not in (None, dict):
            args = [a for a in getattr(model, "__args__", ()) if a is not type(None)]
            model = args[0] if args else None
        if model is not None and type(model).__name__ == "UnionType":
            args = [a for a in model.__args__ if a is not type(None)]
            model = args[0] if args else None
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _allowed_keys(loc: tuple[Any, ...]) -> list[str]:
    """Field names allowed at the table that holds ``loc[-1]`` (for unknown-key messages)."""
    model = _table_model(loc)
    return sorted(model.model_fields) if model is not None else []


def _range(loc: tuple[Any, ...]) -> str:
    """The range a numeric field allows, as ``a number from 0 to 1`` ("" if unknown):
    pydantic names only the bound that was broken ("Input should be less than or equal
    to 1"), not what the field takes."""
    model = _table_model(loc)
    field = model.model_fields.get(str(loc[-1])) if model is not None else None
    if field is None:
        return ""
    bounds = {name: getattr(m, name) for m in field.metadata
              for name in ("ge", "gt", "le", "lt") if getattr(m, name, None) is not None}
    return range_text(bounds, whole=field.annotation is int or int in get_args(field.annotation))


def range_text(bounds: dict[str, float], whole: bool) -> str:
    """``bounds`` (``ge``, ``gt``, ``le``, ``lt``, as pydantic names them) as a message
    says what they allow: 'a number from 0 to 1', 'a whole number at least 1', 'a number
    above 0 and below 1'; "" without bounds."""
    ge, gt, le, lt = (_number(bounds[k]) if k in bounds else None
                      for k in ("ge", "gt", "le", "lt"))
    kind = "a whole number" if whole else "a number"
    if ge is not None and le is not None:
        return f"{kind} from {ge} to {le}"
    low = f"at least {ge}" if ge is not None else f"above {gt}" if gt is not None else ""
    high = f"at most {le}" if le is not None else f"below {lt}" if lt is not None else ""
    return f"{kind} {' and '.join(part for part in (low, high) if part)}" if low or high else ""


def _number(value: float) -> str:
    """A bound as people write it: 1,000,000 rather than 1000000.0 or 1e+06."""
    if float(value).is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:g}"


TYPES = {"dict_type": "a table ([name] above its keys, or {key = value, ...})",
         "model_type": "a table ([name] above its keys, or {key = value, ...})",
         "list_type": "a list ([item, ...])", "bool_type": "true or false",
         "bool_parsing": "true or false"}
"""What a value of the wrong kind should be, in the words of TOML (pydantic's name
these in Python's: "a valid dictionary or instance of Ceasefire")."""


def from_validation(file: str, exc: ValidationError, doc: dict[str, Any] | None = None
                    ) -> ScenarioError:
    """Turn pydantic's errors into a ScenarioError with a dotted key path: the first,
    with the others, one per key, in its ``more`` (a file with a misspelt key and a value
    out of range told of one, and of the other only once the first was mended). With
    the document (``doc``), a party missing its role that is named like another party is
    said to be probably misspelt: a child file's ``[parties.rusia.behaviour]`` makes a
    new party, not a change to its parent's ``russia``."""
    errors = exc.errors(include_url=False)
    found: dict[str, tuple[tuple[Any, ...], ScenarioError]] = {}
    for err in errors:
        if err["type"] == "missing":
            # a misspelt required key is both missing and unknown: the unknown one, named
            # with the key it was meant to be, is what to mend (an unknown key that is
            # no near spelling of it leaves the missing key to be told too)
            loc = tuple(err["loc"])
            unknown = {str(e["loc"][-1]): e for e in errors if e["type"] == "extra_forbidden"
                       and tuple(e["loc"])[:-1] == loc[:-1]}
            near = get_close_matches(str(loc[-1]), list(unknown), n=1)
            err = unknown[near[0]] if near else err
        one = _from_error(file, err, doc)
        found.setdefault(one.path, (tuple(err["loc"]), one))
    # in the order the file gives the keys, as an author reads it (pydantic's is the
    # model's), a key the file lacks after those of its table it holds
    ordered = sorted(found.values(), key=lambda e: _file_order(e[0], doc))
    first, *more = (one for _, one in ordered)
    first.more = tuple(more)
    return first


def _file_order(loc: tuple[Any, ...], doc: dict[str, Any] | None) -> tuple[int, ...]:
    """Where the key at ``loc`` stands in ``doc``: at each level, its place among its
    table's keys (or its list's items); past the last for a key the table lacks."""
    place: list[int] = []
    here: Any = doc
    for part in loc:
        if isinstance(here, dict):
            keys = list(here)
            place.append(keys.index(part) if part in here else len(keys))
            here = here.get(part)
        elif isinstance(here, list) and isinstance(part, int) and 0 <= part < len(here):
            place.append(part)
            here = here[part]
        else:
            break
    return tuple(place)


def _from_error(file: str, err: Any, doc: dict[str, Any] | None) -> ScenarioError:
    """One of pydantic's errors in the words of a scenario file."""
    loc = tuple(err["loc"])
    # an empty key (legal in TOML) is shown quoted, as TOML writes it, so the path names it
    path = join_key(str(p) for p in loc)
    kind = err["type"]
    if kind == "extra_forbidden":
        allowed = _allowed_keys(loc)
        hint = f"allowed keys here: {', '.join(allowed)}" if allowed else "no such key"
        near = get_close_matches(str(loc[-1]), allowed, n=1)
        meant = f" (did you mean {near[0]}?)" if near else ""
        homes = [h for h in key_homes(str(loc[-1])) if h != join_key(str(p) for p in loc)]
        if not near and homes:
            meant = f" (a key of that name goes elsewhere: {' or '.join(homes[:3])})"
        if loc[:2] == ("ceasefire", "later") and len(loc) == 3 and str(loc[2]) in (
                (doc or {}).get("issues") or {}):  # an issue's later value, one table too high
            meant = f" (an issue's value goes in its table: ceasefire.later.terms.{loc[2]})"
        # the key is what is wrong, not its value: the message names the key alone
        return ScenarioError(file, path, None, f"unknown key{meant}; {hint}")
    if kind == "missing":
        return ScenarioError(file, path, None, "required key is missing" + _misspelt_party(loc, doc))
    msg = str(err["msg"])
    if kind in {"less_than_equal", "greater_than_equal", "less_than", "greater_than"}:
        msg = _range(loc) or msg
    elif kind in {"int_from_float", "int_parsing", "int_type"}:
        msg = _range(loc) or "a whole number"
        if (reading := number_meant(err.get("input"), whole=True)) is not None:
            msg += f" ({reading})"
    elif kind in {"float_type", "float_parsing"}:  # text or true/false where a number goes
        msg = _range(loc) or "a number"
        if (reading := number_meant(err.get("input"))) is not None:
            # '--set ...=.5' was kept as the word '.5', and refused as "a number from 0 to
            # 1", which .5 looks like
            msg += f" ({reading})"
    elif kind in {"string_type"}:
        msg = "text in quotes"
        if isinstance(err.get("input"), list):
            msg = f"one value in quotes, not a list{ONE_OF.get(str(loc[-1]), '')}"
    elif kind == "string_too_short":
        least = err.get("ctx", {}).get("min_length", 1)
        msg = f"text of at least {least} character{'s' if least != 1 else ''} in quotes"
    elif kind == "literal_error":
        msg = _choices(err)
    elif kind in {"too_long", "too_short"}:
        ctx = err.get("ctx", {})
        low, high = ctx.get("min_length"), ctx.get("max_length")
        if str(loc[-1]) in PAIRS:  # a pair: neither end says it alone
            msg = PAIRS[str(loc[-1])]
        elif kind == "too_long" and high is not None:
            msg = f"a list of at most {high} item{'s' if high != 1 else ''}"
        elif kind == "too_short" and low is not None:
            msg = f"a list of at least {low} item{'s' if low != 1 else ''}"
    elif kind in TYPES:
        msg = TYPES[kind]
    if kind in {"finite_number"}:
        msg = "must be a finite number (no nan or inf)"
    value = err.get("input")
    return ScenarioError(file, path, value, msg)


_NUMBERISH = re.compile(r"[+-]?\d*(?:[.,]\d*)?(?:[eE][+-]?\d+)?")
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+")


def number_meant(text: Any, whole: bool = False) -> str | None:
    """What to say of text given where a number goes that was meant as one: ``.5``,
    ``0,5``, ``5.``, ``07``, ``1,000`` and ``1,000,000``, which TOML does not read as
    numbers (so ``--set`` keeps them as words), or a number in quotes; None for other
    text, and, where a ``whole`` number goes, for text that means none (``0,5``)."""
    if not isinstance(text, str):
        return None
    text = text.strip()
    thousands = _THOUSANDS.fullmatch(text) is not None
    if not thousands and (not any(ch.isdigit() for ch in text) or not _NUMBERISH.fullmatch(text)):
        return None
    try:
        value = float(text.replace(",", "") if thousands else text.replace(",", "."))
    except ValueError:
        return None
    as_written = not any(mark in text for mark in ".,eE")  # (07: a whole number meant)
    readings = [str(int(value))] if thousands or (value.is_integer() and (whole or as_written)) \
        else []
    if not whole and not readings:
        readings = [repr(value)]
    if thousands and not whole and text.count(",") == 1:  # 1,000: or one, in a decimal comma
        readings.append(f"{float(text.replace(',', '.'))!r} if the comma marks decimals")
    try:  # a number TOML reads, so given in quotes
        quoted = isinstance(tomllib.loads(f"v = {text}")["v"], (int, float))
    except tomllib.TOMLDecodeError:
        quoted = False
    if quoted and not whole:  # (as written, unquoted: 1e3, not 1000.0)
        readings = [text]
    if not readings:
        return None
    return f"TOML reads {text!r} as text: write {', or '.join(readings)}" + (
        " without quotes" if quoted else "")


PAIRS = {"hours_held_range": "a list of exactly 2 numbers: [low, high], the hours the "
                             "record allows"}
"""What a key holding a pair of values holds, for a list of another length."""

ONE_OF = {"patron": " (a combatant has one patron; another backer can sit at the table as a "
                     "patron without a client)",
          "host": " (a spoiler is co-located with one combatant)",
          "opponent": " (an armed party fights one combatant)"}
"""Why a key takes a single name, for a list given there."""


def _choices(err: Any) -> str:
    """A value outside a fixed set, as 'one of patron, combatant, spoiler or mediator'
    (pydantic's words are Python's: "Input should be 'patron', ..."), with the intended
    choice named when only its case differs."""
    expected = str(err.get("ctx", {}).get("expected", ""))
    choices = re.findall(r"'([^']*)'", expected)
    if not choices:
        return str(err["msg"])
    given = err.get("input")
    near = [c for c in choices if isinstance(given, str) and c.lower() == given.lower()]
    hint = f" (names are case-sensitive: {near[0]})" if near else ""
    return f"one of {listing(choices, 'or')}{hint}"


def key_homes(name: str) -> list[str]:
    """Where a key called ``name`` belongs in a scenario, as dotted paths (``NAME``
    standing for a party's or an issue's name): a key written in the wrong table
    (a party's ``trust_recovery_per_day``, which is the ceasefire's) is told where it
    goes, not only which keys its table takes."""
    homes: list[str] = []

    def walk(model: Any, path: tuple[str, ...]) -> None:
        for field_name, field in model.model_fields.items():
            here = (*path, field_name)
            if field_name == name:
                homes.append(".".join(here))
            inner: Any = field.annotation
            named = False
            for _ in range(4):  # unwrap Optional, dict[str, Model]
                args = [a for a in get_args(inner) if a is not type(None)]
                if getattr(inner, "__origin__", None) is dict and args:
                    inner, named = args[-1], True
                elif args and not (isinstance(inner, type) and issubclass(inner, BaseModel)):
                    inner = args[0]
                else:
                    break
            if isinstance(inner, type) and issubclass(inner, BaseModel) and len(here) < 6:
                walk(inner, (*here, "NAME") if named else here)

    walk(ScenarioSpec, ())
    return homes


def unknown_issue(name: str, issues: Iterable[str]) -> str:
    """What to say of a table or key naming an issue the scenario does not declare (the
    name is the key, so the message names no value)."""
    near = get_close_matches(name, list(issues), n=1)
    meant = f" (did you mean {near[0]}?)" if near else ""
    return f"unknown issue{meant}; declared issues: {', '.join(sorted(issues))}"


def _misspelt_party(loc: tuple[Any, ...], doc: dict[str, Any] | None) -> str:
    """A note for a party missing its role whose name is close to another party's."""
    parties = (doc or {}).get("parties")
    if len(loc) != 3 or loc[0] != "parties" or loc[2] != "role" or not isinstance(parties, dict):
        return ""
    others = [n for n, p in parties.items() if n != loc[1] and isinstance(p, dict) and "role" in p]
    near = get_close_matches(str(loc[1]), others, n=1)
    return (f" ({loc[1]} is a party of its own: is it {near[0]}, misspelt?)") if near else ""
