"""Whether a resumed sweep's grid is the one saved: the same points, in the same order,
with the same keys, and not fewer than it was last run with. A sweep and a comparison
sweep are checked alike; the messages name the point and key that differ."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sim.errors import ScenarioError
from sim.rundir import saved_manifest
from sim.toml_out import toml_value


def refuse_fewer_points(homes: Iterable[Path], points: int, whose: str, same: str) -> None:
    """Refuse a resumed grid of fewer points than the saved sweep was last run with (the
    largest of its manifests' ``grid_points``: an extended sweep's grew). One that
    dropped points not yet saved was taken, while one that dropped a saved point was
    refused, so the same command was accepted or not by how far the first session got."""
    sizes = [size for home in homes
             if isinstance(size := (saved_manifest(home) or {}).get("grid_points"), int)
             and not isinstance(size, bool)]
    if sizes and max(sizes) > points:
        raise ScenarioError("--param", "", f"{points} points", f"the grid of {whose}, "
                            f"last run as a grid of {max(sizes)} points ({same})")


def other_point(k: int, now: dict[str, Any], saved: Any, whose: str, same: str
                 ) -> ScenarioError:
    """The refusal of a resumed grid whose point ``k`` is not the one saved: the keys
    it lacks or adds, when they differ (a --param left out showed values that matched
    the saved ones), else the values."""
    if isinstance(saved, dict) and set(saved) != set(now):
        lacks = [key for key in saved if key not in now]
        adds = [key for key in now if key not in saved]
        parts = ([f"it also swept {' and '.join(lacks)}"] if lacks else []) + (
            [f"it did not sweep {' or '.join(adds)}"] if adds else [])
        return ScenarioError("--param", "", " ".join(f"--param {key}=..." for key in now),
                             f"the --param keys of {whose}: {'; '.join(parts)} (--resume "
                             "needs the same --param keys)")
    return ScenarioError("--param", "", grid_values(now), f"the values of point {k:03d} of "
                         f"{whose}, {grid_values(saved)} ({same})")


def grid_values(assignment: Any) -> str:
    """A point's parameter values as ``--param`` writes them."""
    if not isinstance(assignment, dict):
        return repr(assignment)
    return " ".join(f"{key}={toml_value(value)}" for key, value in assignment.items())
