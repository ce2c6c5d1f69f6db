"""The JSON Schema of a scenario file, for editors and other tools (``run_sim.py schema``).

pydantic's schema of :class:`sim.schema.ScenarioSpec` describes a whole scenario. A
file that ``extends`` another holds only what differs from its parent, so the keys a
whole scenario requires (``issues``, ``parties``, a party's ``role``...) may be missing
from it: every file the simulator accepts must pass, or an editor would mark every
child scenario as wrong. So a file with ``extends`` is checked against a copy of the
schema without ``required`` anywhere (its types, ranges and allowed keys still apply),
and any other file against the whole schema; a table a child does not inherit
(``[observed]``) is checked whole in either. The cross-field rules
(:mod:`sim.validation`) are beyond JSON Schema: ``run_sim.py validate`` checks them.
"""

from __future__ import annotations

from typing import Any

from sim.schema import ScenarioSpec

DIALECT = "https://json-schema.org/draft/2020-12/schema"
PART = "Part"
"""Suffix of the definitions that a child file's parts are checked against."""
NOT_INHERITED = ("Observed",)
"""Tables a child does not inherit (a historical record belongs to the scenario that
writes it: :func:`sim.document.resolve_document`), so a child's must be whole."""


def scenario_file_schema() -> dict[str, Any]:
    """The schema: whole scenarios against ScenarioSpec, children against its relaxed
    copy (see the module docstring)."""
    whole = ScenarioSpec.model_json_schema()
    defs = whole.pop("$defs", {})
    root = "ScenarioSpec"
    defs[root] = whole
    relaxed = {f"{name}{PART}": schema if name in NOT_INHERITED else _relax(schema)
               for name, schema in defs.items()}
    return {
        "$schema": DIALECT,
        "title": "Ceasefire simulator scenario file",
        "description": whole.get("description", ""),
        "$defs": {**defs, **relaxed},
        "if": {"type": "object", "required": ["extends"]},
        "then": {"$ref": f"#/$defs/{root}{PART}"},
        "else": {"$ref": f"#/$defs/{root}"},
    }


def _relax(node: Any) -> Any:
    """A copy of ``node`` without ``required`` lists, its references pointing at the
    relaxed definitions."""
    if isinstance(node, list):
        return [_relax(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "required" and isinstance(value, list):
            continue
        if key == "$ref" and isinstance(value, str) and value.startswith("#/$defs/"):
            out[key] = f"{value}{PART}"
        elif key in ("properties", "$defs") and isinstance(value, dict):
            # names of properties, not keywords: only their schemas are relaxed
            out[key] = {name: _relax(schema) for name, schema in value.items()}
        else:
            out[key] = _relax(value)
    return out
