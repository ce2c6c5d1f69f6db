"""Loader fuzzing: whatever a file holds, loading it either succeeds or raises
:class:`sim.errors.ScenarioError` naming a key path; never another exception, and
never a scenario that then cannot run.

Inputs: arbitrary documents of tables and scalars (in memory and written as TOML),
raw text and bytes, and mutations of valid generated scenarios (deleted keys, values
of the wrong type, NaN, infinities, negative and huge numbers, unknown keys, dangling
references). A few broken files go through ``run_sim.py validate`` in a subprocess.
"""

from __future__ import annotations

import contextlib
import copy
import math
import signal
import sys
import tempfile
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import run_child
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.strategies import DrawFn, composite
from strategies import (
    NAME_FIELDS,
    check_record,
    examples,
    get_path,
    leaf_paths,
    plain_doc,
    rename_parties,
    scenario_docs,
    seeds,
)

from sim import rules
from sim.document import split_key
from sim.errors import ScenarioError
from sim.model import run_replication
from sim.scenario import Scenario, load_scenario, scenario_from_dict
from sim.schema import ScenarioSpec
from sim.toml_out import toml_dumps

pytestmark = pytest.mark.property

ROOT = Path(__file__).resolve().parent.parent
TOP_KEYS = frozenset(ScenarioSpec.model_fields)


def schema_keys() -> list[str]:
    """Every field name of the scenario schema, so fuzzed documents reach deep tables."""
    seen: set[str] = set()

    def walk(model: Any) -> None:
        for name, field in model.model_fields.items():
            seen.add(name)
            for arg in (field.annotation, *getattr(field.annotation, "__args__", ())):
                for inner in (arg, *getattr(arg, "__args__", ())):
                    if isinstance(inner, type) and hasattr(inner, "model_fields") and inner is not model:
                        walk(inner)

    walk(ScenarioSpec)
    return sorted(seen)


KEYS = schema_keys()


# ---------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------


def assert_names_a_key_path(exc: ScenarioError, doc: dict[str, Any]) -> None:
    """The error names a key path, starting at a key of the format or of the document
    (an unknown key is named as written), and the message shows it."""
    assert exc.path, f"no key path in: {exc}"
    first = split_key(exc.path)[0]  # paths quote the parts TOML would
    assert first in TOP_KEYS | set(doc), exc.path
    assert exc.path in exc.message()


@contextlib.contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    """Fail (instead of hanging the suite) when the block runs longer than ``seconds``."""

    def expire(signum: int, frame: object) -> None:
        raise TimeoutError(f"a replication of a validated scenario ran over {seconds} s")

    old = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def load_or_error(doc: dict[str, Any]) -> Scenario | None:
    """Load in memory; a ScenarioError must name a key path. None when rejected."""
    try:
        return scenario_from_dict(doc)
    except ScenarioError as exc:
        assert_names_a_key_path(exc, doc)
        return None


def explosive(sc: Scenario) -> bool:
    """Whether some party's perceived grievance may provoke, on average, one act or more.

    A screen on the safe side: retaliation is mutually exciting, and its branching
    ratio (:func:`sim.rules.branching_ratio`, a geometric mean of these) cannot reach 1
    unless one of them does. Above it the model's violations may legitimately grow
    without bound until somebody withdraws, which nobody may (tolerance 0). Such
    scenarios load, but need not finish promptly.
    """
    cf = sc.spec.ceasefire
    worst = max(cf.convoys.grave_severity, 1.0)
    return any(
        rules.retaliation_mean(sc.spec.parties[n].behaviour.retaliation, worst,
                               cf.retaliation_half_life_hours) >= 1.0
        for n in sc.combatants
    )


def convoys_per_pause(sc: Scenario) -> int:
    """Most convoys the longest possible pause dispatches (each is a SimPy process)."""
    cf = sc.spec.ceasefire
    longest = cf.pause.hours
    k = sc.issue_index(cf.links.pause_hours)
    if k is not None:
        longest = max(longest, sc.highs[k])
    cv = cf.convoys
    return rules.convoy_count(longest, cv.interval_hours, cv.calm_hours, 1.0, cv.max_per_pause)


def runs(sc: Scenario, seed: int) -> None:
    """What loads runs: a pause dispatches a bounded number of convoys, and one
    replication finishes promptly with a consistent record (unless retaliation is
    explosive, see :func:`explosive`)."""
    assert convoys_per_pause(sc) <= 10_000
    if explosive(sc):
        return
    with time_limit(5):
        outcome = run_replication(sc, seed, 0)
    check_record(outcome, sc)


# ---------------------------------------------------------------------------
# Arbitrary documents
# ---------------------------------------------------------------------------

keys = st.one_of(st.sampled_from(KEYS), st.text(alphabet="abcdefghijklmnopqrstuvwxyz_0123456789",
                                               min_size=1, max_size=10))
scalars = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(),
    st.text(max_size=12),
)
values = st.recursive(
    st.one_of(scalars, st.lists(scalars, max_size=3)),
    lambda children: st.dictionaries(keys, children, max_size=4),
    max_leaves=16,
)
documents = st.dictionaries(keys, values, max_size=6)


@given(documents)
def test_arbitrary_documents_load_or_fail_with_a_key_path(doc):
    """Any document of tables and scalars is accepted or rejected with a ScenarioError
    that names a key path."""
    sc = load_or_error(doc)
    if sc is not None:
        assert sc.issues and len(sc.principals) >= 2


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(documents)
def test_arbitrary_toml_files_load_or_fail_with_a_key_path(doc):
    """The same documents written as TOML files: loading never raises anything but a
    ScenarioError, and every error for a readable TOML file names a key path."""
    text = toml_dumps(doc)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.toml"
        path.write_text(text, encoding="utf-8")
        try:
            load_scenario(path)
        except ScenarioError as exc:
            assert exc.file == str(path)
            if exc.path:
                assert_names_a_key_path(exc, doc)
            elif text.strip():
                # only an empty file, or one that is not TOML at all, has no key path
                with pytest.raises(tomllib.TOMLDecodeError):
                    tomllib.loads(text)


@given(st.one_of(st.text(max_size=200), st.binary(max_size=200).map(lambda b: b.decode("latin-1"))),
       st.booleans())
def test_raw_text_loads_or_fails_cleanly(text, as_bytes):
    """Raw text (valid UTF-8 or not, TOML or not) gives a ScenarioError naming the file,
    never another exception."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "raw.toml"
        if as_bytes:
            path.write_bytes(text.encode("latin-1", errors="replace"))
        else:
            path.write_text(text, encoding="utf-8")
        with pytest.raises(ScenarioError) as info:
            load_scenario(path)
        assert str(path) in info.value.message()


# ---------------------------------------------------------------------------
# Mutations of valid scenarios
# ---------------------------------------------------------------------------

WRONG_TYPES: list[Any] = ["text", True, [1, 2], {"table": 1}, 7, 0.5, [], {}]
BAD_NUMBERS: list[Any] = [
    math.nan, math.inf, -math.inf, -1.0, -1e-9, 0.0, 1e308, -1e308, 2**63 - 1, 10**30, 1e-300,
]
REFERENCE_FIELDS = (*NAME_FIELDS, "gainer")


def parent_and_key(doc: dict[str, Any], path: tuple[Any, ...]) -> tuple[dict[str, Any], Any]:
    return get_path(doc, path[:-1]), path[-1]


@composite
def mutation(draw: DrawFn, doc: dict[str, Any]) -> dict[str, Any]:
    """One mutation of ``doc`` (a copy)."""
    out = copy.deepcopy(doc)
    paths = leaf_paths(out)
    path = draw(st.sampled_from(paths))
    parent, key = parent_and_key(out, path)
    kind = draw(st.sampled_from(["delete", "retype", "number", "unknown", "dangling", "rename"]))
    if kind == "delete":
        del parent[key]
    elif kind == "retype":
        parent[key] = draw(st.sampled_from(WRONG_TYPES))
    elif kind == "number":
        parent[key] = draw(st.sampled_from(BAD_NUMBERS))
    elif kind == "unknown":
        table = parent[key] if isinstance(parent[key], dict) else parent
        table[draw(st.sampled_from(["bogus", "Role", "idea", "low "]))] = 1.0
    elif kind == "rename":
        # a table key renamed: an issue, a party, a position on an undeclared issue
        parent[draw(st.sampled_from(["nobody", "x", ""]))] = parent.pop(key)
    else:
        refs = [p for p in paths if p[-1] in REFERENCE_FIELDS]
        if refs:
            ref = draw(st.sampled_from(refs))
            holder, field = parent_and_key(out, ref)
            parties = out.get("parties")
            known = list(parties) if isinstance(parties, dict) else []
            holder[field] = draw(st.sampled_from(["nobody", "", *known]))
        else:
            cf = out.get("ceasefire")
            if isinstance(cf, dict) and isinstance(cf.setdefault("links", {}), dict):
                key = draw(st.sampled_from(["delineation", "verification", "pause_hours"]))
                cf["links"][key] = "nowhere"
    return out


@composite
def mutated_docs(draw: DrawFn) -> dict[str, Any]:
    """A valid generated scenario after one to three mutations."""
    doc = draw(scenario_docs(max_issues=3))
    for _ in range(draw(st.integers(1, 3))):
        doc = draw(mutation(doc))
    return doc


LONG_PAUSE = plain_doc(positions={n: {"pause_hours": {"ideal": 1e12}} for n in ("pa", "pb", "ca", "cb")})
LONG_PAUSE["issues"]["pause_hours"] = {"low": 0.0, "high": 1e12}
DENSE_CONVOYS = plain_doc(ceasefire={"convoys": {"interval_hours": 1e-9}})
NAMELESS = plain_doc(spoiler={"attack_rate": 5.0, "colocation": 1.0})
NAMELESS["parties"]["ca"]["behaviour"].update(tolerance=0.45, sensitivity=0.1)
NAMELESS = rename_parties(NAMELESS, {"pa": "pa", "pb": "pb", "ca": "", "cb": "cb", "sp": "sp"})


# A pause issue ranging up to 1e12 hours, and a convoy every 1e-9 hours: both
# validated, and then one replication started billions of convoy processes.
@example(doc=LONG_PAUSE, seed=0)
@example(doc=DENSE_CONVOYS, seed=0)
# An unknown key written as "" was reported with an empty key path.
@example(doc={**plain_doc(), "": 1.0}, seed=0)
# A party named "" (the records' "nobody") withdrew, and the record said the
# ceasefire held to the horizon.
@example(doc=NAMELESS, seed=0)
@examples(150)
@given(mutated_docs(), seeds)
def test_mutated_scenarios_load_or_fail_with_a_key_path(doc, seed):
    """A mutated scenario either loads, and then runs (a replication finishes promptly
    with a consistent record), or raises a ScenarioError naming a key path."""
    sc = load_or_error(doc)
    if sc is not None:
        runs(sc, seed)


@examples(40)
@given(mutated_docs())
def test_mutated_files_load_or_fail_with_a_key_path(doc):
    """Mutated scenarios written as TOML files and loaded from disk, with the same law."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "mutated.toml"
        path.write_text(toml_dumps(doc), encoding="utf-8")
        try:
            load_scenario(path)
        except ScenarioError as exc:
            assert_names_a_key_path(exc, doc)


SELF_HOSTED = plain_doc(spoiler={"attack_rate": 5.0, "colocation": 1.0})
SELF_HOSTED["parties"]["sp"]["opponent"] = "ca"


# The host withdrew, blaming itself for the spoiler's attacks on it.
@example(doc=SELF_HOSTED, seed=0)
@examples(40)
@given(scenario_docs(spoiler=True).flatmap(
    lambda d: st.sampled_from([n for n, p in d["parties"].items() if p["role"] == "combatant"]).map(
        lambda target: _aim_spoiler(d, target))), seeds)
def test_a_spoiler_never_fights_its_host(doc, seed):
    """A spoiler may name the combatant it fights, but not its own host (its attacks
    would be blamed on their victim): such a file is rejected at the spoiler's
    ``opponent``; any other choice loads and runs."""
    name = next(n for n, p in doc["parties"].items() if p["role"] == "spoiler")
    spoiler = doc["parties"][name]
    try:
        sc = scenario_from_dict(doc)
    except ScenarioError as exc:
        assert spoiler["opponent"] == spoiler["host"]
        assert exc.path == f"parties.{name}.opponent"
        return
    assert spoiler["opponent"] != spoiler["host"]
    runs(sc, seed)


def _aim_spoiler(doc: dict[str, Any], target: str) -> dict[str, Any]:
    out = copy.deepcopy(doc)
    for party in out["parties"].values():
        if party["role"] == "spoiler":
            party["opponent"] = target
    return out


# ---------------------------------------------------------------------------
# The command line
# ---------------------------------------------------------------------------


@composite
def broken_docs(draw: DrawFn) -> dict[str, Any]:
    """A generated scenario with one mutation that always breaks it."""
    doc = draw(scenario_docs(max_issues=2))
    party = draw(st.sampled_from(sorted(doc["parties"])))
    kind = draw(st.sampled_from(["unknown", "type", "nan", "dangling", "missing"]))
    if kind == "unknown":
        doc["parties"][party]["bogus"] = 1
    elif kind == "type":
        doc["parties"][party]["role"] = 3
    elif kind == "nan":
        doc["ceasefire"]["horizon_hours"] = math.nan
    elif kind == "dangling":
        doc["parties"][party]["positions"] = {"undeclared_issue": {"ideal": 0.0}}
    else:
        del doc["issues"]
    return doc


@settings(max_examples=3, deadline=None)
@given(broken_docs())
def test_validate_exits_2_on_a_broken_file(doc):
    """``run_sim.py validate FILE`` exits with status 2 and a one-line message naming
    the file and key path (no traceback) on a file the loader rejects."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "broken.toml"
        path.write_text(toml_dumps(doc), encoding="utf-8")
        with pytest.raises(ScenarioError) as info:
            load_scenario(path)
        proc = run_child([sys.executable, str(ROOT / "run_sim.py"), "validate", str(path)],
                         timeout=120, cwd=ROOT)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert str(path) in proc.stderr
    assert info.value.path in proc.stderr
