"""Load, override, validate and compile scenario files.

``load_scenario(path, overrides)`` is the single entry point: it reads TOML, resolves
``extends`` chains and applies ``--set`` overrides (:mod:`sim.document`), validates
against :mod:`sim.schema` and the cross-field rules (:mod:`sim.validation`), and returns
a frozen :class:`Scenario` whose per-party arrays are ready for the rules (issue values
normalised to 0..1 by the issue's range). This module holds that compiled form and the
entry points; the names of the other two modules that callers use are importable from
here too.

Every failure raises :class:`sim.errors.ScenarioError` with the file, key path, value and
what is allowed.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, cast

from pydantic import ValidationError

from sim.document import (
    apply_override,
    parse_override,
    parse_value,
    resolve_document,
    split_key,
)
from sim.errors import ScenarioError
from sim.schema import Behaviour, ScenarioSpec
from sim.validation import check_references, from_validation

__all__ = [
    "PartyModel",
    "Scenario",
    "apply_override",
    "load_scenario",
    "parse_override",
    "parse_value",
    "resolve_document",
    "scenario_from_dict",
    "validate_document",
    "with_overrides",
]

INF = math.inf
T = TypeVar("T")


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

    def derived(self, key: str, build: Callable[[Scenario], T]) -> T:
        """``build(self)``, computed once per scenario and kept in its cache: tables the
        model would otherwise rebuild in every replication."""
        value = self.cache.get(key)
        if value is None:
            value = self.cache[key] = build(self)
        return cast(T, value)

    def issue_index(self, name: str | None) -> int | None:
        """Index of a declared issue, or None when the name is None or undeclared."""
        if name is None or name not in self.issues:
            return None
        return self.issues.index(name)


def validate_document(doc: dict[str, Any], file: str) -> Scenario:
    """Validate a resolved document and compile it into a :class:`Scenario`."""
    try:
        spec = ScenarioSpec.model_validate(doc)
    except ValidationError as exc:
        raise from_validation(file, exc) from None
    check_references(spec, file)
    return _compile(spec, file, doc)


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
    with _not_too_deep(str(path)):
        doc = resolve_document(path)
        keys = []
        for text in overrides:
            key, value = parse_override(text)
            doc = apply_override(doc, key, value)
            keys.append(key)
        with _blaming_option(keys, "--set"):
            return validate_document(doc, str(path))


def scenario_from_dict(doc: dict[str, Any], file: str = "<memory>") -> Scenario:
    """Validate an in-memory document (tests and sweeps build scenarios this way)."""
    return validate_document(copy.deepcopy(doc), file)


def with_overrides(scenario: Scenario, assignments: dict[str, Any],
                   source: str = "--set") -> Scenario:
    """A copy of ``scenario`` with dotted keys set to values, revalidated (a key that
    cannot be set is reported against ``source``, the option that gave it)."""
    with _not_too_deep(f"{scenario.file} with {source}"):
        doc = scenario.raw
        for key, value in assignments.items():
            doc = apply_override(doc, key, value, source)
        with _blaming_option(list(assignments), source):
            return validate_document(doc, scenario.file)


@contextmanager
def _blaming_option(keys: list[str], source: str) -> Iterator[None]:
    """A bad value the user gave on the command line is reported as coming from the
    option (``source``) that set it, not as if the scenario file held it."""
    try:
        yield
    except ScenarioError as exc:
        for key in keys:
            dotted = ".".join(split_key(key, source))
            if exc.path == dotted or exc.path.startswith(dotted + "."):
                raise ScenarioError(f"{exc.file} with {source}", exc.path, exc.value,
                                    exc.allowed) from None
        raise


@contextmanager
def _not_too_deep(where: str) -> Iterator[None]:
    """Tables nested thousands deep (a dotted key of a thousand parts, in a file, a
    parent or ``--set``) exhaust Python's recursion in copying and merging: bad input,
    reported as such."""
    try:
        yield
    except RecursionError:
        raise ScenarioError(where, "", None, "tables nested less deeply (a dotted key of "
                            "hundreds of parts, in the file, a parent or --set)") from None
