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
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar, cast

from pydantic import ValidationError

from sim.blame import blaming_option, setter
from sim.document import (
    apply_override,
    join_key,
    parse_override,
    parse_value,
    refuse_replacing,
    resolve_document,
    split_key,
)
from sim.errors import ScenarioError
from sim.origin import noting_origin
from sim.printable import refuse_case_twins
from sim.schema import Behaviour, ScenarioSpec
from sim.schema_errors import from_validation
from sim.validation import check_references

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
    stated: tuple[bool, ...]
    """Whether the party holds a position it weighs (salience above 0) on each issue:
    where it does not, its ideal is a placeholder, or one it does not care about, and
    must pull nobody (:func:`sim.rules.concession_target`)."""
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
    set_by: dict[str, str] = field(default_factory=dict, compare=False, repr=False)
    """Keys set on the command line (as :func:`sim.document.join_key` writes them), each
    with the option that set it."""
    sets: tuple[str, ...] = field(default=(), compare=False, repr=False)
    """The ``--set KEY=VALUE`` texts the scenario was loaded with, as given."""

    @property
    def name(self) -> str:
        """The scenario's short name."""
        return self.spec.name

    @property
    def label(self) -> str:
        """The name, with the ``--set`` values that changed the file, for reports and
        figures: results of a counterfactual must not pass for those of the file."""
        return labelled(self.name, self.sets)

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

    def setter(self, path: str) -> str | None:
        """The option that set the value at ``path``, or a key inside it (the latest,
        most specific one), or None when the file holds it as written."""
        return setter(self.set_by, path)

    def where(self, path: str) -> str:
        """Whom a problem with the value at ``path`` is reported against: the option
        that set it (``FILE with --set``), or else the file."""
        source = self.setter(path)
        return self.file if source is None else f"{self.file} with {source}"

    def issue_index(self, name: str | None) -> int | None:
        """Index of a declared issue, or None when the name is None or undeclared."""
        if name is None or name not in self.issues:
            return None
        return self.issues.index(name)


def validate_document(doc: dict[str, Any], file: str) -> Scenario:
    """Validate a resolved document and compile it into a :class:`Scenario`."""
    # before the schema: a table misspelt only in case (``[parties.US.behaviour]`` over
    # a parent's ``us``) would otherwise be reported as a party missing its role
    for table in ("parties", "issues"):
        if isinstance(doc.get(table), dict):
            refuse_case_twins(file, table, doc[table])
    try:
        spec = ScenarioSpec.model_validate(doc)
    except ValidationError as exc:
        raise from_validation(file, exc, doc) from None
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
            stated=tuple(issue in p.positions and w > 0 for issue, w in zip(issues, weight,
                                                                            strict=True)),
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
    if isinstance(overrides, str):  # read one character at a time: '--set: c: bad value'
        raise TypeError(f"overrides is a list of 'KEY=VALUE' strings, not one string: "
                        f"[{overrides!r}]")
    path = Path(path)
    with _not_too_deep(str(path)):
        base = doc = resolve_document(path)
        given: list[tuple[str, str, Any]] = []
        for text in overrides:
            key, value = parse_override(text)
            refuse_replacing(given, key, "--set", text)
            doc = apply_override(doc, key, value)
            given.append(("--set", key, value))
        keys = [key for _, key, _ in given]
        with noting_origin(path), \
                blaming_option(keys, "--set", base, {}, lambda: _valid(base, str(path))):
            scenario = validate_document(doc, str(path))
    return replace(_set_by(scenario, {}, keys, "--set"), sets=tuple(overrides))


def labelled(name: str, sets: Sequence[str] | None) -> str:
    """A scenario's name with the ``--set`` values it ran with: ``geneva_2016 with
    ceasefire.monitoring.deterrence=0.9; ceasefire.pause.hours=24`` (a value may hold
    commas and spaces, so the values are parted by semicolons)."""
    return f"{name} with {'; '.join(sets)}" if sets else name


def scenario_from_dict(doc: dict[str, Any], file: str = "<memory>") -> Scenario:
    """Validate an in-memory document (tests and sweeps build scenarios this way).

    The document is whole: ``extends`` names a parent relative to a file, and a document
    in memory has none, so it is refused rather than ignored (:func:`load_scenario`
    resolves it from a file).

    Raises:
        ScenarioError: on any problem, naming ``file``, key path, value and what is allowed.
    """
    if "extends" in doc:
        raise ScenarioError(file, "extends", doc["extends"],
                            "no parent in a document held in memory (a parent is found "
                            "relative to the file that extends it): write it to a file and "
                            "load_scenario() it, or merge the parent's tables in yourself")
    return validate_document(copy.deepcopy(doc), file)


def with_overrides(scenario: Scenario, assignments: dict[str, Any],
                   source: str = "--set") -> Scenario:
    """A copy of ``scenario`` with dotted keys set to values, revalidated (a key that
    cannot be set is reported against ``source``, the option that gave it)."""
    with _not_too_deep(f"{scenario.file} with {source}"):
        doc = scenario.raw
        for key, value in assignments.items():
            doc = apply_override(doc, key, value, source)
        # the scenario was valid, so whatever fails now, the new values made it fail
        with blaming_option(list(assignments), source, scenario.raw, scenario.set_by,
                             lambda: True):
            new = validate_document(doc, scenario.file)
    new = _set_by(new, scenario.set_by, list(assignments), source)
    return replace(new, sets=scenario.sets) if scenario.sets else new


def _set_by(scenario: Scenario, earlier: dict[str, str], keys: list[str],
            source: str) -> Scenario:
    """``scenario``, remembering which option set ``keys`` (after ``earlier`` ones), so
    a problem found later, while it runs, is reported against that option."""
    set_by = {**earlier}
    for key in keys:
        joined = join_key(split_key(key, source))
        set_by.pop(joined, None)  # re-inserted last: the latest setting wins
        set_by[joined] = source
    return replace(scenario, set_by=set_by) if set_by else scenario


def _valid(doc: dict[str, Any], file: str) -> bool:
    try:
        validate_document(copy.deepcopy(doc), file)
    except ScenarioError:
        return False
    return True


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
