"""Every hypothesis test carries the ``property`` marker, so ``pytest -m property``
runs all of them (a module outside ``test_prop_*.py`` need not mark itself)."""

from __future__ import annotations

import importlib
import inspect
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import is_hypothesis_test

HERE = Path(__file__).resolve().parent

UNMARKED_MODULES = ("test_stats", "test_backtest", "test_chunks", "test_output", "test_rundir",
                    "test_sweep")
"""Modules holding hypothesis tests without ``pytestmark = pytest.mark.property``."""


def hypothesis_tests(module_name: str) -> set[str]:
    """Node ids of the module's hypothesis tests, found by importing it."""
    module = importlib.import_module(module_name)
    found = set()
    for name, obj in vars(module).items():
        if name.startswith("test") and is_hypothesis_test(obj):
            found.add(f"tests/{module_name}.py::{name}")
        elif inspect.isclass(obj) and name.startswith("Test"):
            found |= {f"tests/{module_name}.py::{name}::{m}" for m, f in vars(obj).items()
                      if m.startswith("test") and is_hypothesis_test(f)}
    return found


def test_property_selects_exactly_the_hypothesis_tests_of_unmarked_modules():
    """``-m property`` collects each hypothesis test of the modules that do not mark
    themselves, and nothing else of theirs."""
    expected = set().union(*(hypothesis_tests(m) for m in UNMARKED_MODULES))
    assert "tests/test_stats.py::test_an_interval_never_prints_as_a_point" in expected
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-m", "property",
         "-p", "no:cacheprovider", *(f"tests/{m}.py" for m in UNMARKED_MODULES)],
        cwd=HERE.parent, capture_output=True, text=True, check=False,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    collected = {line.split("[")[0] for line in out.stdout.splitlines() if "::" in line}
    assert collected == expected


@pytest.mark.parametrize("module_name", UNMARKED_MODULES)
def test_each_unmarked_module_has_hypothesis_tests(module_name):
    """The list above names modules that still hold hypothesis tests."""
    assert hypothesis_tests(module_name)


@pytest.mark.parametrize(("ci", "profile", "wanted"), [
    ("true", "", 200), ("1", "", 200), ("false", "", 100), ("0", "", 100), ("", "", 100),
    ("true", "dev", 100)])
def test_ci_selects_the_fixed_profile_only_when_it_is_set_on(tmp_path, ci, profile, wanted):
    """CI=false selected the CI profile too (any value did); a profile named in
    HYPOTHESIS_PROFILE is used as named."""
    import os

    probe = tmp_path / "test_probe.py"
    probe.write_text("from hypothesis import settings\n\n\ndef test_probe():\n"
                     "    print('examples', settings.default.max_examples)\n", encoding="utf-8")
    env = {**os.environ, "CI": ci, "HYPOTHESIS_PROFILE": profile}
    out = subprocess.run([sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider",
                          f"--confcutdir={HERE}", "--rootdir", str(HERE), "-c", "/dev/null",
                          str(HERE / "conftest.py"), str(probe)],
                         capture_output=True, text=True, env=env, cwd=HERE.parent)
    assert f"examples {wanted}" in out.stdout, out.stdout + out.stderr
