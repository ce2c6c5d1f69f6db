"""Shared hypothesis builders: issues, positions, parties, whole scenarios, seeds.

Everything is built in dependency order instead of filtered: issues first, then
positions inside each issue's range (ideal first, then red lines bracketing it), then
parties that reference names already drawn (a combatant's patron, a spoiler's host).
Every document :func:`scenario_docs` returns is accepted by
:func:`sim.scenario.scenario_from_dict`.

Sizes are bounded so replications stay cheap: at most four issues, short talks and
horizons, low attack rates and retaliation. Tests that need a particular regime pass
keyword arguments (a minimum horizon, no shocks, a spoiler always present) rather
than filtering.

Helpers at the end transform documents for metamorphic tests (reorder, rename,
pin an issue, drop a party) and walk them for mutation fuzzing.
"""

from __future__ import annotations

import copy
import itertools
import math
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.strategies import DrawFn, composite

from sim.records import Outcome
from sim.scenario import Scenario, scenario_from_dict


def examples(n: int) -> settings:
    """Settings for a test that runs whole replications: about ``n`` examples under the
    ``dev`` profile (100 examples for cheap tests), scaled with the active profile's
    ``max_examples`` so ``ci`` and deeper local profiles keep their proportions."""
    return settings(max_examples=max(2, round(n * settings.default.max_examples / 100)))


# ---------------------------------------------------------------------------
# Scalars
# ---------------------------------------------------------------------------

MECHANISM_ISSUES = (
    "delineation",
    "verification",
    "joint_targeting",
    "air_restraint",
    "aid_access",
    "pause_hours",
)
"""Issue names the ceasefire links to by default (see ``sim.schema.Links``)."""

EXTRA_ISSUES = ("prisoners", "sanctions")
"""Issues that drive no mechanism: they only matter at the table."""

NAME_ALPHABET = "abcdefghijklmnopqrstuvwxyz_"

seeds = st.integers(min_value=0, max_value=2**63 - 1)
"""Root seeds, as given to ``run_sim.py --seed``."""

unit = st.floats(min_value=0.0, max_value=1.0, allow_nan=False, allow_subnormal=False)
"""A share or probability in 0..1 (both ends included)."""

uniforms = st.floats(min_value=0.0, max_value=1.0, exclude_max=True, allow_subnormal=False)
"""What ``random.Random.random()`` returns: 0 <= u < 1."""


def positive(hi: float) -> st.SearchStrategy[float]:
    """Floats in ``(0, hi]`` without subnormals: a value the schema allows above 0 only."""
    return st.floats(min_value=0.0, max_value=hi, exclude_min=True, allow_subnormal=False)


exponents = positive(20.0)
"""Concession exponents e (schema: 0 < e <= 20)."""

noises = positive(10.0)
"""Ratification noise (schema: 0 < noise <= 10)."""

severities = st.floats(min_value=0.0, max_value=100.0, allow_subnormal=False)
"""Severity of one perceived act: 1, or up to ``grave_severity`` (schema: at most 100) for
an act that hits a convoy on the road."""

names = st.text(alphabet=NAME_ALPHABET, min_size=1, max_size=10)
"""Party names (any string works; these keep failure reports readable)."""


def bounded(lo: float, hi: float) -> st.SearchStrategy[float]:
    """Finite floats in ``[lo, hi]`` without subnormals."""
    return st.floats(min_value=lo, max_value=hi, allow_nan=False, allow_subnormal=False)


# ---------------------------------------------------------------------------
# Normalised rule inputs (the 0..1 space of sim.rules)
# ---------------------------------------------------------------------------


@composite
def weights(draw: DrawFn, n: int) -> tuple[float, ...]:
    """Salience weights over ``n`` issues, summing to 1 (or all zero: indifference)."""
    raw = draw(st.lists(bounded(0.0, 100.0), min_size=n, max_size=n))
    total = sum(raw)
    if total <= 0:
        return tuple(0.0 for _ in raw)
    return tuple(r / total for r in raw)


@composite
def preferences(draw: DrawFn, n: int | None = None) -> dict[str, tuple[float, ...]]:
    """A party's normalised preferences: ideal, weight and red-line box around the ideal.

    A missing red line is -inf (below) or +inf (above), as compiled by sim.scenario.
    """
    if n is None:
        n = draw(st.integers(1, 5))
    ideal = tuple(draw(unit) for _ in range(n))
    lo, hi = [], []
    for i in ideal:
        lo.append(draw(st.one_of(st.just(-math.inf), bounded(0.0, i))))
        hi.append(draw(st.one_of(st.just(math.inf), bounded(i, 1.0))))
    return {"ideal": ideal, "weight": draw(weights(n)), "lo": tuple(lo), "hi": tuple(hi)}


# ---------------------------------------------------------------------------
# Scenario documents
# ---------------------------------------------------------------------------


@composite
def issue_specs(draw: DrawFn, name: str) -> dict[str, Any]:
    """One issue table with a range; pause lengths get a range in hours."""
    if name == "pause_hours":
        low = draw(bounded(0.0, 48.0))
        high = low + draw(bounded(1.0, 168.0))
        return {"low": low, "high": high, "unit": "hours"}
    low = draw(st.one_of(st.just(0.0), bounded(-100.0, 100.0)))
    high = low + draw(st.one_of(st.just(1.0), bounded(0.01, 200.0)))
    return {"low": low, "high": high}


@composite
def issue_tables(draw: DrawFn, max_issues: int = 4) -> dict[str, dict[str, Any]]:
    """A non-empty set of issues, mostly mechanism issues, at most ``max_issues``."""
    chosen = draw(
        st.lists(
            st.sampled_from(MECHANISM_ISSUES + EXTRA_ISSUES),
            min_size=1,
            max_size=max_issues,
            unique=True,
        )
    )
    return {name: draw(issue_specs(name)) for name in chosen}


@composite
def position_specs(draw: DrawFn, low: float, high: float, limits: bool = True) -> dict[str, Any]:
    """A position inside ``[low, high]``: the ideal, then optional red lines around it."""
    ideal = draw(bounded(low, high))
    pos: dict[str, Any] = {"ideal": ideal, "salience": draw(bounded(0.0, 5.0))}
    if limits and draw(st.integers(0, 3)) == 0:
        pos["min"] = draw(bounded(low, ideal))
    if limits and draw(st.integers(0, 3)) == 0:
        pos["max"] = draw(bounded(ideal, high))
    return pos


@composite
def positions_on(draw: DrawFn, issues: dict[str, dict[str, Any]], limits: bool = True) -> dict[str, Any]:
    """Positions on a subset of the declared issues."""
    chosen = draw(st.lists(st.sampled_from(sorted(issues)), unique=True, max_size=len(issues)))
    return {i: draw(position_specs(issues[i]["low"], issues[i]["high"], limits)) for i in chosen}


def _trust_block(draw: DrawFn) -> dict[str, Any]:
    """Trust at the start, never below the tolerance (a signatory below it would leave
    before the ceasefire began: the loader refuses that)."""
    tolerance = draw(st.one_of(st.just(0.0), bounded(0.0, 0.6)))
    return {
        "trust": draw(bounded(tolerance, 1.0)),
        "tolerance": tolerance,
        "sensitivity": draw(bounded(0.0, 0.5)),
    }


@composite
def patron_parties(draw: DrawFn, issues: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A principal negotiator."""
    return {
        "role": "patron",
        "no_deal": draw(bounded(0.0, 0.8)),
        "no_deal_spread": draw(st.one_of(st.just(0.0), bounded(0.0, 0.2))),
        "positions": draw(positions_on(issues)),
        "behaviour": {
            "concession": draw(bounded(0.2, 5.0)),
            "leverage": draw(bounded(0.0, 0.6)),
            **_trust_block(draw),
        },
    }


@composite
def combatant_parties(
    draw: DrawFn, issues: dict[str, dict[str, Any]], patrons: list[str], opponent: str | None
) -> dict[str, Any]:
    """An armed client of one of ``patrons`` (``opponent`` when it must be named)."""
    party: dict[str, Any] = {
        "role": "combatant",
        "patron": draw(st.sampled_from(patrons)),
        "no_deal": draw(bounded(0.0, 0.8)),
        "positions": draw(positions_on(issues)),
        "behaviour": {
            "compliance": draw(unit),
            "command_control": draw(unit),
            "attack_rate": draw(bounded(0.0, 3.0)),
            "air_share": draw(unit),
            # with half-lives <= 24 h each perceived act provokes < 1 retaliation on
            # average: a subcritical spiral (a supercritical one grows without bound
            # until someone withdraws, and nobody may)
            "retaliation": draw(bounded(0.0, 0.6)),
            "strike_response": draw(unit),
            "ratification_noise": draw(positive(1.0)),
            **_trust_block(draw),
        },
    }
    if opponent is not None:
        party["opponent"] = opponent
    return party


@composite
def spoiler_parties(
    draw: DrawFn, combatants: list[str], opponent_required: bool, rate: float | None = None
) -> dict[str, Any]:
    """An armed party outside the talks, co-located with a host combatant."""
    host = draw(st.sampled_from(combatants))
    party: dict[str, Any] = {
        "role": "spoiler",
        "host": host,
        "behaviour": {
            "attack_rate": draw(bounded(0.0, 3.0)) if rate is None else rate,
            "colocation": draw(unit),
            "targeting_vulnerability": draw(unit),
        },
    }
    others = [c for c in combatants if c != host]
    if opponent_required or draw(st.booleans()):
        party["opponent"] = draw(st.sampled_from(others))
    return party


@composite
def mediator_parties(draw: DrawFn, issues: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A mediator: positions without red lines, and a pull toward them."""
    return {
        "role": "mediator",
        "positions": draw(positions_on(issues, limits=False)),
        "behaviour": {"leverage": draw(unit)},
    }


@composite
def scenario_docs(
    draw: DrawFn,
    *,
    min_horizon: float = 24.0,
    spoiler: bool | None = None,
    mediator: bool | None = None,
    shocks: bool | None = None,
    max_issues: int = 4,
    max_combatants: int = 3,
) -> dict[str, Any]:
    """A whole valid scenario document, built in dependency order.

    Args:
        min_horizon: shortest ceasefire horizon (168 for tests about the 7-day mark).
        spoiler, mediator, shocks: force the feature on (True) or off (False);
            None lets hypothesis choose.
        max_issues: most issues declared.
        max_combatants: 2 or 3 (with three, every armed party names its opponent).
    """
    issues = draw(issue_tables(max_issues))
    n_patrons = draw(st.integers(2, 3))
    n_combatants = draw(st.integers(2, max_combatants))
    has_spoiler = draw(st.booleans()) if spoiler is None else spoiler
    has_mediator = draw(st.booleans()) if mediator is None else mediator
    count = n_patrons + n_combatants + int(has_spoiler) + int(has_mediator)
    all_names = draw(st.lists(names, min_size=count, max_size=count, unique=True))
    patrons = all_names[:n_patrons]
    combatants = all_names[n_patrons : n_patrons + n_combatants]
    rest = all_names[n_patrons + n_combatants :]
    parties: dict[str, Any] = {}
    for p in patrons:
        parties[p] = draw(patron_parties(issues))
    for k, c in enumerate(combatants):
        # two combatants fight each other by default; with three each names its enemy
        opponent = combatants[(k + 1) % n_combatants] if n_combatants > 2 else None
        parties[c] = draw(combatant_parties(issues, patrons, opponent))
    if has_spoiler:
        parties[rest.pop(0)] = draw(spoiler_parties(combatants, n_combatants > 2))
    if has_mediator:
        parties[rest.pop(0)] = draw(mediator_parties(issues))
    # the file's order of parties is arbitrary: shuffle it
    order = draw(st.permutations(list(parties)))
    parties = {n: parties[n] for n in order}

    interval = draw(bounded(12.0, 72.0))
    rounds = draw(st.integers(1, 6))
    negotiation: dict[str, Any] = {
        "round_interval_hours": interval,
        "deadline_hours": interval * rounds + draw(bounded(0.0, 11.0)),
    }
    has_shocks = draw(st.booleans()) if shocks is None else shocks
    if has_shocks:
        shock: dict[str, Any] = {
            "rate_per_day": draw(bounded(0.0, 1.0)),
            "size": draw(bounded(0.0, 0.2)),
            "patron_coupling": draw(unit),
        }
        if n_combatants > 2 or draw(st.booleans()):
            # a share needs a gainer (without one, shocks favour each side equally)
            shock["gainer"] = draw(st.sampled_from(combatants))
            shock["gainer_share"] = draw(unit)
        negotiation["shocks"] = shock

    horizon = draw(bounded(max(min_horizon, 24.0), max(min_horizon, 24.0) + 192.0))
    # pauses up to the schema's 10,000 h; convoys as close as the schema allows (0 < h)
    # when capped, and otherwise at most 100 a pause (each convoy is a process: the
    # loader allows 10,000)
    pause = draw(bounded(0.0, 10_000.0))
    cap = draw(st.integers(0, 4))
    longest = max(pause, issues["pause_hours"]["high"] if "pause_hours" in issues else 0.0)
    if cap:
        convoy_interval = draw(positive(24.0))
    else:
        closest = max(longest / 100, 1e-6)
        convoy_interval = draw(bounded(closest, max(closest, 24.0)))
    standard = {"48h": 48.0, "7d": 168.0, "30d": 720.0}
    milestones = {k: v for k, v in standard.items() if v <= horizon} or {"end": horizon}
    ceasefire: dict[str, Any] = {
        "start_delay_hours": draw(st.one_of(st.just(0.0), bounded(0.0, 48.0))),
        "horizon_hours": horizon,
        "milestones": milestones,
        "retaliation_half_life_hours": draw(bounded(1.0, 24.0)),
        "trust_recovery_per_day": draw(bounded(0.0, 1.0)),
        "patron_share": draw(unit),
        "terms_effect": draw(bounded(0.0, 2.0)),
        "pause": {"hours": pause},
        "convoys": {
            "interval_hours": convoy_interval,
            "calm_hours": draw(bounded(1.0, 12.0)),
            "max_per_pause": cap,
            "attack_probability": draw(unit),
            "grave_severity": draw(bounded(1.0, 5.0)),
        },
        "monitoring": {
            "notice": draw(unit),
            "coverage": draw(unit),
            "deterrence": draw(unit),
            "reassurance": draw(unit),
        },
    }
    if draw(st.booleans()):
        ceasefire["settling_half_life_hours"] = draw(bounded(1.0, 500.0))
        ceasefire["settling_floor"] = draw(unit)
    changeable = [i for i in issues if i not in ("aid_access", "pause_hours")]
    if changeable and draw(st.booleans()):  # terms that change while the ceasefire holds
        chosen = draw(st.lists(st.sampled_from(changeable), min_size=1, unique=True))
        ceasefire["later"] = {
            "after_hours": draw(bounded(0.5, 0.9 * horizon)),
            "terms": {i: draw(bounded(issues[i]["low"], issues[i]["high"])) for i in chosen}}
    return {
        "name": "generated",
        "issues": issues,
        "parties": parties,
        "negotiation": negotiation,
        "ceasefire": ceasefire,
    }


@composite
def scenarios(draw: DrawFn, **kwargs: Any) -> Scenario:
    """A compiled :class:`Scenario` from :func:`scenario_docs`."""
    return scenario_from_dict(draw(scenario_docs(**kwargs)))


def plain_doc(
    *,
    interval: float = 24.0,
    deadline: float = 120.0,
    horizon: float = 240.0,
    spoiler: dict[str, Any] | None = None,
    shocks: dict[str, Any] | None = None,
    positions: dict[str, dict[str, Any]] | None = None,
    ceasefire: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A small valid document written by hand, for pinning examples: patrons ``pa`` and
    ``pb``, their clients ``ca`` and ``cb``, one ``delineation`` issue, and optionally
    a spoiler ``sp`` hosted by ``ca`` (``spoiler`` holds its behaviour), shocks, and
    positions by party name."""
    parties: dict[str, Any] = {
        "pa": {"role": "patron"},
        "pb": {"role": "patron"},
        "ca": {"role": "combatant", "patron": "pa", "behaviour": {"attack_rate": 1.0}},
        "cb": {"role": "combatant", "patron": "pb", "behaviour": {"attack_rate": 1.0}},
    }
    for name, pos in (positions or {}).items():
        parties[name]["positions"] = pos
    if spoiler is not None:
        parties["sp"] = {"role": "spoiler", "host": "ca", "behaviour": spoiler}
    negotiation: dict[str, Any] = {"round_interval_hours": interval, "deadline_hours": deadline}
    if shocks is not None:
        negotiation["shocks"] = shocks
    cf: dict[str, Any] = {"horizon_hours": horizon, "milestones": {"end": horizon}}
    cf.update(ceasefire or {})
    return {
        "name": "plain",
        "issues": {"delineation": {"low": 0.0, "high": 1.0}},
        "parties": parties,
        "negotiation": negotiation,
        "ceasefire": cf,
    }


# ---------------------------------------------------------------------------
# Document transformations
# ---------------------------------------------------------------------------

NAME_FIELDS = ("patron", "host", "opponent")
"""Party fields that hold another party's name."""


def reorder_parties(doc: dict[str, Any], order: list[str]) -> dict[str, Any]:
    """The same document with its parties written in ``order``."""
    out = copy.deepcopy(doc)
    out["parties"] = {n: out["parties"][n] for n in order}
    return out


def rename_parties(doc: dict[str, Any], mapping: dict[str, str]) -> dict[str, Any]:
    """The same document with every party renamed, and every reference to it."""
    out = copy.deepcopy(doc)
    parties = {}
    for name, party in out["parties"].items():
        for field in NAME_FIELDS:
            if party.get(field) is not None:
                party[field] = mapping[party[field]]
        parties[mapping[name]] = party
    out["parties"] = parties
    shocks = out.get("negotiation", {}).get("shocks", {})
    if shocks.get("gainer") is not None:
        shocks["gainer"] = mapping[shocks["gainer"]]
    return out


def without_later(doc: dict[str, Any], issue: str) -> dict[str, Any]:
    """``doc`` (a copy) whose ``[ceasefire.later]`` does not change ``issue``: a law
    about a value of it holds while the value does."""
    out = copy.deepcopy(doc)
    later = out["ceasefire"].get("later")
    if later is not None:
        later["terms"].pop(issue, None)
        if not later["terms"]:
            del out["ceasefire"]["later"]
    return out


def pin_issue(doc: dict[str, Any], issue: str, share: float) -> dict[str, Any]:
    """Every principal and combatant insists on exactly ``share`` of ``issue``'s range.

    The pinned issue then costs nobody anything at the table (everyone's ideal), so
    negotiation runs exactly as for any other pinned value, and the agreed value is the
    pin: only the ceasefire mechanism the issue drives changes.
    """
    out = copy.deepcopy(doc)
    spec = out["issues"].setdefault(issue, {"low": 0.0, "high": 1.0})
    value = spec["low"] + share * (spec["high"] - spec["low"])
    value = min(max(value, spec["low"]), spec["high"])
    if share >= 1.0:
        value = spec["high"]
    if share <= 0.0:
        value = spec["low"]
    out = without_later(out, issue)  # pinned for the whole ceasefire
    for party in out["parties"].values():
        if party["role"] in ("patron", "combatant"):
            old = party.setdefault("positions", {}).get(issue, {})
            party["positions"][issue] = {
                "ideal": value,
                "salience": old.get("salience", 1.0),
                "min": value,
                "max": value,
            }
        elif party["role"] == "mediator":
            party.get("positions", {}).pop(issue, None)
    return out


def set_all(doc: dict[str, Any], role: str, key: str, value: Any) -> dict[str, Any]:
    """Set ``behaviour.key`` of every party with ``role``."""
    out = copy.deepcopy(doc)
    for party in out["parties"].values():
        if party["role"] == role:
            party.setdefault("behaviour", {})[key] = value
    return out


def spoiler_name(doc: dict[str, Any]) -> str | None:
    """The (first) spoiler's name, if the document has one."""
    return next((n for n, p in doc["parties"].items() if p["role"] == "spoiler"), None)


def leaf_paths(doc: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path in a nested document (tables and their values)."""
    out: list[tuple[Any, ...]] = []
    if isinstance(doc, dict):
        for key, value in doc.items():
            path = (*prefix, key)
            out.append(path)
            out.extend(leaf_paths(value, path))
    return out


def get_path(doc: dict[str, Any], path: tuple[Any, ...]) -> Any:
    """The value at ``path``."""
    node: Any = doc
    for key in path:
        node = node[key]
    return node


def outcome_key(o: Outcome) -> tuple[Any, ...]:
    """An Outcome as a tuple that compares nan equal to nan (for exact comparisons)."""

    def fix(v: Any) -> Any:
        if isinstance(v, float) and math.isnan(v):
            return "nan"
        if isinstance(v, tuple):
            return tuple(fix(x) for x in v)
        return v

    return tuple(fix(getattr(o, f)) for f in o.__slots__)  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------
# Laws every record obeys (shared by the model and loader properties)
# ---------------------------------------------------------------------------


def check_record(o: Outcome, sc: Scenario) -> None:
    """Every law a single record obeys.

    Hours held lie in ``[0, horizon]`` and equal the horizon when nobody withdrew;
    ``collapsed`` exactly when ``withdrew`` names someone (a signatory), and then a
    trigger and a blamed party are named, ``misattributed`` means they differ, and
    the withdrawing party never blames itself; without agreement there is no
    ceasefire at all; holding a longer milestone implies holding every shorter one.
    """
    horizon = sc.spec.ceasefire.horizon_hours
    assert 0.0 <= o.hours_held <= horizon
    assert o.collapsed == (o.withdrew != "")
    assert (o.trigger != "") == o.collapsed
    assert (o.blamed != "") == o.collapsed
    if not o.agreed:
        assert o.hours_held == 0.0
        assert not o.collapsed
        assert sum(o.violations) == 0
        assert o.convoys_sent == 0
    if not o.collapsed:
        assert not o.misattributed and not o.delineation_hit
        if o.agreed:
            assert o.hours_held == horizon
    else:
        assert o.withdrew in sc.parties
        assert sc.parties[o.withdrew].role in ("patron", "combatant")
        assert o.misattributed == (o.trigger != o.blamed)
        assert o.withdrew != o.blamed, "a party withdrew blaming itself"
    assert o.held(720.0) <= o.held(168.0) <= o.held(48.0) <= o.agreed
    marks = sorted(sc.spec.ceasefire.milestones.values())
    for shorter, longer in itertools.pairwise(marks):
        assert o.held(longer) <= o.held(shorter)
    assert all(v >= 0 for v in o.violations)
    assert 0 <= o.convoys_delivered <= o.convoys_sent
    assert 0 <= o.convoys_attacked <= o.convoys_sent
