"""Load, override, validate and compile scenario files.

``load_scenario(path, overrides)`` is the single entry point: it reads TOML, resolves
``extends`` chains, applies ``--set`` overrides, validates against :mod:`sim.schema`,
checks cross-references, and returns a frozen :class:`Scenario` whose per-party arrays
are ready for the rules (issue values normalised to 0..1 by the issue's range).

Every failure raises :class:`sim.errors.ScenarioError` with the file, key path, value and
what is allowed.
"""

from __future__ import annotations

import copy
import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from sim.errors import ScenarioError
from sim.schema import Behaviour, ScenarioSpec

INF = math.inf


@dataclass(frozen=True, slots=True)
class PartyModel:
    """A party compiled for fast rule evaluation (issue values normalised to 0..1)."""

    name: str
    role: str
    index: int
    """Position of the party in the scenario's canonical (sorted) order."""
    ideal: tuple[float, ...]
    """Ideal point per issue, normalised; issues without a position carry weight 0."""
    weight: tuple[float, ...]
    """Salience per issue divided by the total (all zero for a party with no positions)."""
    lo: tuple[float, ...]
    """Hard lower limit per issue, normalised (-inf when none)."""
    hi: tuple[float, ...]
    """Hard upper limit per issue, normalised (+inf when none)."""
    patron: str | None
    opponent: str | None
    host: str | None
    behaviour: Behaviour
    """The party's behavioural parameters (the spec's, kept here for the model's speed)."""


@dataclass(frozen=True)
class Scenario:
    """A validated scenario: the spec, its file, and compiled views used by the model."""

    spec: ScenarioSpec
    file: str
    raw: dict[str, Any]
    """The resolved document (after extends and overrides), for saving alongside results."""
    issues: tuple[str, ...]
    lows: tuple[float, ...]
    highs: tuple[float, ...]
    parties: dict[str, PartyModel]
    order: tuple[str, ...]
    """All party names in canonical (sorted) order: the order in which things act."""
    principals: tuple[str, ...]
    combatants: tuple[str, ...]
    spoilers: tuple[str, ...]
    mediator: str | None
    cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """Derived tables the model computes once per scenario (never part of equality)."""

    @property
    def name(self) -> str:
        """The scenario's short name."""
        return self.spec.name

    def normalise(self, issue: int, value: float) -> float:
        """Map an issue value from its declared range onto 0..1."""
        return (value - self.lows[issue]) / (self.highs[issue] - self.lows[issue])

    def denormalise(self, issue: int, value: float) -> float:
        """Map a 0..1 value back onto the issue's declared range."""
        return self.lows[issue] + value * (self.highs[issue] - self.lows[issue])

    def issue_index(self, name: str | None) -> int | None:
        """Index of a declared issue, or None when the name is None or undeclared."""
        if name is None or name not in self.issues:
            return None
        return self.issues.index(name)


# ---------------------------------------------------------------------------
# Reading files and merging
# ---------------------------------------------------------------------------


def read_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML file, turning every way it can fail into a ScenarioError."""
    if not path.exists():
        raise ScenarioError(str(path), "", None, "file does not exist")
    if path.is_dir():
        raise ScenarioError(str(path), "", None, "expected a .toml file, got a directory")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(str(path), "", None, f"cannot read file as UTF-8 text ({exc})") from None
    if not text.strip():
        raise ScenarioError(str(path), "", "", "the file is empty; a scenario needs TOML tables")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(str(path), "", text[:40], f"not valid TOML ({exc})") from None


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


def resolve_document(path: Path, _chain: tuple[Path, ...] = ()) -> dict[str, Any]:
    """Read a scenario and its ``extends`` ancestors into one merged document."""
    path = path.resolve() if path.exists() else path
    if path in _chain:
        cycle = " -> ".join(str(p.name) for p in (*_chain, path))
        raise ScenarioError(str(_chain[-1]), "extends", str(path.name), f"extends cycle: {cycle}")
    doc = read_toml(path)
    parent = doc.get("extends")
    if parent is None:
        return doc
    if not isinstance(parent, str) or not parent:
        raise ScenarioError(str(path), "extends", parent, "a path to a parent .toml file")
    parent_path = (path.parent / parent).resolve()
    if not parent_path.exists():
        raise ScenarioError(str(path), "extends", parent, f"parent file {parent_path} not found")
    merged = deep_merge(resolve_document(parent_path, (*_chain, path)), doc)
    merged.pop("extends", None)
    return merged


def parse_override(text: str) -> tuple[str, Any]:
    """Split ``KEY=VALUE``; VALUE is read as a TOML value, else kept as a string."""
    if "=" not in text:
        raise ScenarioError("--set", text, text, "KEY=VALUE with a dotted KEY")
    key, _, value = text.partition("=")
    key = key.strip()
    if not key or any(not part for part in key.split(".")):
        raise ScenarioError("--set", key, text, "a dotted key such as ceasefire.horizon_hours")
    return key, parse_value(value.strip())


def parse_value(text: str) -> Any:
    """Read one TOML value (number, bool, string, array, inline table); bare words as strings."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def apply_override(doc: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    """Return a copy of ``doc`` with the dotted ``key`` set to ``value``."""
    out = copy.deepcopy(doc)
    node = out
    parts = key.split(".")
    for depth, part in enumerate(parts[:-1]):
        child = node.get(part)
        if child is None:
            child = node[part] = {}
        if not isinstance(child, dict):
            where = ".".join(parts[: depth + 1])
            raise ScenarioError("--set", key, value, f"{where} is a value, not a table")
        node = child
    node[parts[-1]] = value
    return out


# ---------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------


def _allowed_keys(loc: tuple[Any, ...]) -> list[str]:
    """Field names allowed at the table that holds ``loc[-1]`` (for unknown-key messages)."""
    model: Any = ScenarioSpec
    for part in loc[:-1]:
        if isinstance(model, type) and issubclass(model, BaseModel):
            field = model.model_fields.get(str(part))
            if field is None:
                return []
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
    if isinstance(model, type) and issubclass(model, BaseModel):
        return sorted(model.model_fields)
    return []


def _from_validation(file: str, exc: ValidationError) -> ScenarioError:
    """Turn pydantic's first error into a ScenarioError with a dotted key path."""
    err = exc.errors(include_url=False)[0]
    loc = tuple(err["loc"])
    # an empty key (legal in TOML) is shown quoted, as TOML writes it, so the path names it
    path = ".".join(str(p) if str(p) else '""' for p in loc)
    kind = err["type"]
    if kind == "extra_forbidden":
        allowed = _allowed_keys(loc)
        hint = f"allowed keys here: {', '.join(allowed)}" if allowed else "no such key"
        return ScenarioError(file, path, err.get("input"), f"unknown key; {hint}")
    if kind == "missing":
        return ScenarioError(file, path, None, "required key is missing")
    msg = str(err["msg"])
    if kind in {"finite_number"}:
        msg = "must be a finite number (no nan or inf)"
    value = err.get("input")
    if kind == "value_error":
        msg = msg.removeprefix("Value error, ")
    return ScenarioError(file, path, value, msg)


def validate_document(doc: dict[str, Any], file: str) -> Scenario:
    """Validate a resolved document and compile it into a :class:`Scenario`."""
    try:
        spec = ScenarioSpec.model_validate(doc)
    except ValidationError as exc:
        raise _from_validation(file, exc) from None
    _check_references(spec, file)
    return _compile(spec, file, doc)


def _check_references(spec: ScenarioSpec, file: str) -> None:
    """Cross-field rules pydantic cannot express per field."""
    if not spec.issues:
        raise ScenarioError(file, "issues", {}, "declare at least one issue")
    roles: dict[str, list[str]] = {"patron": [], "combatant": [], "spoiler": [], "mediator": []}
    for name, party in spec.parties.items():
        if not name:
            # records use "" for "nobody" (no withdrawal, no trigger)
            raise ScenarioError(file, 'parties.""', name, "a non-empty party name")
        roles[party.role].append(name)
    if len(roles["patron"]) < 2 or len(roles["combatant"]) < 2:
        raise ScenarioError(
            file,
            "parties",
            sorted(spec.parties),
            "a scenario needs at least two parties with role 'patron' (the negotiators) and "
            f"two with role 'combatant'; found patrons {roles['patron']} and combatants "
            f"{roles['combatant']}",
        )
    if len(roles["mediator"]) > 1:
        raise ScenarioError(file, "parties", roles["mediator"], "at most one mediator")
    combatants = roles["combatant"]
    for name, party in spec.parties.items():
        base = f"parties.{name}"
        if party.role == "combatant":
            if party.patron is None:
                raise ScenarioError(file, f"{base}.patron", None, f"name one of {roles['patron']}")
            if party.patron not in roles["patron"]:
                raise ScenarioError(
                    file, f"{base}.patron", party.patron, f"a party with role patron: {roles['patron']}"
                )
        elif party.patron is not None:
            raise ScenarioError(file, f"{base}.patron", party.patron, "only combatants have a patron")
        if party.role in ("combatant", "spoiler"):
            others = [c for c in combatants if c != name and c != party.host]
            if party.opponent is None and len(others) != 1:
                raise ScenarioError(
                    file, f"{base}.opponent", None, f"name the combatant it fights, one of {others}"
                )
            if party.opponent is not None and party.opponent not in combatants:
                raise ScenarioError(
                    file, f"{base}.opponent", party.opponent, f"a combatant: {combatants}"
                )
            if party.opponent == name:
                raise ScenarioError(file, f"{base}.opponent", name, "a party other than itself")
        elif party.opponent is not None:
            raise ScenarioError(file, f"{base}.opponent", party.opponent, "only armed parties fight")
        if party.role == "spoiler":
            if party.host is None or party.host not in combatants:
                raise ScenarioError(
                    file, f"{base}.host", party.host, f"the combatant it is co-located with: {combatants}"
                )
            if party.opponent is not None and party.opponent == party.host:
                # its attacks would be blamed on their own victim
                raise ScenarioError(
                    file, f"{base}.opponent", party.opponent,
                    f"a combatant other than its host {party.host!r}",
                )
        elif party.host is not None:
            raise ScenarioError(file, f"{base}.host", party.host, "only spoilers have a host")
        b = party.behaviour
        if party.role in ("patron", "combatant") and b.trust < b.tolerance:
            raise ScenarioError(
                file, f"{base}.behaviour.trust", b.trust,
                f"at least its tolerance ({b.tolerance}): a signatory whose trust starts "
                "below its tolerance would leave the ceasefire before it began",
            )
        for issue, pos in party.positions.items():
            ppath = f"{base}.positions.{issue}"
            if issue not in spec.issues:
                raise ScenarioError(file, ppath, issue, f"a declared issue: {sorted(spec.issues)}")
            rng = spec.issues[issue]
            for key in ("ideal", "min", "max"):
                value = getattr(pos, key)
                if value is not None and not rng.low <= value <= rng.high:
                    raise ScenarioError(
                        file, f"{ppath}.{key}", value, f"within the issue's range {rng.low}..{rng.high}"
                    )
            if pos.min is not None and pos.max is not None and pos.min > pos.max:
                raise ScenarioError(file, f"{ppath}.min", pos.min, f"at most max ({pos.max})")
    gainer = spec.negotiation.shocks.gainer
    if gainer is not None and gainer not in combatants:
        raise ScenarioError(file, "negotiation.shocks.gainer", gainer, f"a combatant: {combatants}")
    if gainer is None and spec.negotiation.shocks.rate_per_day > 0 and len(combatants) != 2:
        raise ScenarioError(file, "negotiation.shocks.gainer", None, f"one of {combatants}")
    cf = spec.ceasefire
    for label, hours in cf.milestones.items():
        if not 0 < hours <= cf.horizon_hours:
            raise ScenarioError(
                file,
                f"ceasefire.milestones.{label}",
                hours,
                f"hours in (0, horizon_hours={cf.horizon_hours}]",
            )
    if not cf.milestones:
        raise ScenarioError(file, "ceasefire.milestones", {}, "at least one milestone")
    for key in cf.links.model_fields_set:
        issue = getattr(cf.links, key)
        if issue is not None and issue not in spec.issues:
            raise ScenarioError(
                file, f"ceasefire.links.{key}", issue, f"a declared issue or omitted: {sorted(spec.issues)}"
            )
    for issue, value in cf.imposed.items():
        if issue not in spec.issues:
            raise ScenarioError(file, f"ceasefire.imposed.{issue}", issue,
                                f"a declared issue: {sorted(spec.issues)}")
        rng = spec.issues[issue]
        if not rng.low <= value <= rng.high:
            raise ScenarioError(file, f"ceasefire.imposed.{issue}", value,
                                f"within the issue's range {rng.low}..{rng.high}")
    if cf.convoys.calm_hours > cf.horizon_hours:
        raise ScenarioError(
            file, "ceasefire.convoys.calm_hours", cf.convoys.calm_hours, "at most horizon_hours"
        )
    _check_convoys(spec, file)


MAX_PAUSE_HOURS = 10_000.0
"""Longest pause, agreed or not (the bound of ``ceasefire.pause.hours``)."""
MAX_CONVOYS = 10_000
"""Most convoys one pause may dispatch (the bound of ``ceasefire.convoys.max_per_pause``):
each is a process started with the ceasefire, so without a bound a long pause or a
tiny interval makes a replication run out of time and memory."""


def _check_convoys(spec: ScenarioSpec, file: str) -> None:
    """An agreed pause is bounded like a default one, and so are the convoys it holds."""
    cf = spec.ceasefire
    longest = cf.pause.hours
    link = cf.links.pause_hours
    if link is not None and link in spec.issues:
        rng = spec.issues[link]
        if rng.high > MAX_PAUSE_HOURS:
            raise ScenarioError(
                file, f"issues.{link}.high", rng.high,
                f"at most {MAX_PAUSE_HOURS:g}: the issue is the pause length in hours "
                "(ceasefire.links.pause_hours)",
            )
        longest = max(longest, rng.high)
    cv = cf.convoys
    if cv.max_per_pause == 0 and (longest - cv.calm_hours) / cv.interval_hours + 1 > MAX_CONVOYS:
        raise ScenarioError(
            file, "ceasefire.convoys.interval_hours", cv.interval_hours,
            f"at least {longest / MAX_CONVOYS:g} hours (a pause of up to {longest:g} h may "
            f"dispatch at most {MAX_CONVOYS} convoys), or set max_per_pause",
        )


def _compile(spec: ScenarioSpec, file: str, doc: dict[str, Any]) -> Scenario:
    issues = tuple(spec.issues)
    lows = tuple(spec.issues[i].low for i in issues)
    highs = tuple(spec.issues[i].high for i in issues)

    def norm(k: int, v: float) -> float:
        return (v - lows[k]) / (highs[k] - lows[k])

    order = tuple(sorted(spec.parties))
    combatants = tuple(n for n in order if spec.parties[n].role == "combatant")
    parties: dict[str, PartyModel] = {}
    for idx, name in enumerate(order):
        p = spec.parties[name]
        total = sum(p.positions[i].salience for i in issues if i in p.positions)
        ideal, weight, lo, hi = [], [], [], []
        for k, issue in enumerate(issues):
            pos = p.positions.get(issue)
            if pos is None:
                ideal.append(0.5)
                weight.append(0.0)
                lo.append(-INF)
                hi.append(INF)
                continue
            ideal.append(norm(k, pos.ideal))
            weight.append(pos.salience / total if total > 0 else 0.0)
            lo.append(norm(k, pos.min) if pos.min is not None else -INF)
            hi.append(norm(k, pos.max) if pos.max is not None else INF)
        opponent = p.opponent
        if opponent is None and p.role in ("combatant", "spoiler"):
            opponent = next(c for c in combatants if c not in (name, p.host))
        parties[name] = PartyModel(
            name=name,
            role=p.role,
            index=idx,
            ideal=tuple(ideal),
            weight=tuple(weight),
            lo=tuple(lo),
            hi=tuple(hi),
            patron=p.patron,
            opponent=opponent,
            host=p.host,
            behaviour=p.behaviour,
        )
    return Scenario(
        spec=spec,
        file=file,
        raw=doc,
        issues=issues,
        lows=lows,
        highs=highs,
        parties=parties,
        order=order,
        principals=tuple(n for n in order if spec.parties[n].role == "patron"),
        combatants=combatants,
        spoilers=tuple(n for n in order if spec.parties[n].role == "spoiler"),
        mediator=next((n for n in order if spec.parties[n].role == "mediator"), None),
    )


def load_scenario(path: str | Path, overrides: list[str] | tuple[str, ...] = ()) -> Scenario:
    """Read, resolve, override and validate a scenario file.

    Args:
        path: the scenario's TOML file.
        overrides: ``KEY=VALUE`` strings as given to ``--set``.

    Raises:
        ScenarioError: on any problem, naming file, key path, value and what is allowed.
    """
    path = Path(path)
    doc = resolve_document(path)
    for text in overrides:
        key, value = parse_override(text)
        doc = apply_override(doc, key, value)
    return validate_document(doc, str(path))


def scenario_from_dict(doc: dict[str, Any], file: str = "<memory>") -> Scenario:
    """Validate an in-memory document (tests and sweeps build scenarios this way)."""
    return validate_document(copy.deepcopy(doc), file)


def with_overrides(scenario: Scenario, assignments: dict[str, Any]) -> Scenario:
    """A copy of ``scenario`` with dotted keys set to values, revalidated."""
    doc = scenario.raw
    for key, value in assignments.items():
        doc = apply_override(doc, key, value)
    return validate_document(doc, scenario.file)
