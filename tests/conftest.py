"""Test configuration: hypothesis settings profiles, and the ``property`` marker.

``dev`` (the default) explores with random examples; ``ci`` is derandomized (the same
examples on every run, so a red build is reproducible), bounded in size, without
per-example deadlines (shared CI machines stall), and prints the blob needed to replay
a failure. ``CI`` in the environment selects ``ci``; otherwise ``HYPOTHESIS_PROFILE``
names a profile, defaulting to ``dev``.

Every hypothesis test (``@given``, or a state machine's test case) is marked
``property`` wherever it lives, so ``pytest -m property`` runs them all, not only those
of modules that mark themselves.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, is_hypothesis_test, settings

# Test modules import the shared builders as ``strategies``, whether or not ``tests``
# is ever made a package.
_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from helpers import on_ci  # noqa: E402  (importable once tests/ is on the path)

settings.register_profile(
    "dev",
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=200,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)

# CI=true (as CI services set it) selects the fixed profile, CI=false does not, and a
# profile named in HYPOTHESIS_PROFILE is used as named
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if on_ci() else "dev"))


@pytest.hookimpl(tryfirst=True)  # before ``-m`` deselects by marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every hypothesis test ``property``."""
    for item in items:
        if is_hypothesis_test(getattr(item, "obj", None)):
            item.add_marker(pytest.mark.property)
