"""A damaged ``summary.json`` or ``compare.json`` is refused by ``plot`` with the file,
the key and the value at fault (exit 2), not met as a Python error inside a figure,
nor drawn as if it were a probability."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from helpers import DEFAULT, quiet

QUICK = ["--runs", "20", "--workers", "1", "--no-progress"]


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A run, a sweep and a comparison, saved (copy before changing)."""
    root = tmp_path_factory.mktemp("saved")
    commands = {
        "run": ["run", str(DEFAULT)],
        "sweep": ["sweep", str(DEFAULT), "--param", "ceasefire.monitoring.coverage=0.2,0.6"],
        "compare": ["compare", str(DEFAULT), "--set", "ceasefire.monitoring.notice=0.5"],
    }
    for name, command in commands.items():
        assert quiet([*command, *QUICK, "--out", str(root / name)]) == 0
    return {name: root / name for name in commands}


def _edit(path: Path, keys: list[str], value: object) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    table = data
    for key in keys[:-1]:
        table = table[key]
    table[keys[-1]] = value
    path.write_text(json.dumps(data), encoding="utf-8")


@pytest.mark.parametrize(("kind", "file", "keys", "value", "named"), [
    ("run", "summary.json", ["sets"], [5], "sets"),
    ("run", "summary.json", ["sets"], 5, "sets"),
    ("run", "summary.json", ["median_hold_hours"], "long", "median_hold_hours"),
    ("run", "summary.json", ["partial"], "yes", "partial"),
    ("sweep", "points/001/summary.json", ["p_agreement"], "x", "p_agreement"),
    ("sweep", "points/001/summary.json", ["p_agreement", "estimate"], 7, "p_agreement.estimate"),
    ("sweep", "points/001/summary.json", ["p_hold"], [], "p_hold"),
    ("sweep", "points/001/summary.json", ["diff_from_reference"], 5, "diff_from_reference"),
    ("sweep", "points/001/summary.json", ["params"], [1], "params"),
    ("compare", "compare.json", ["a_name"], [1], "a_name"),
    ("compare", "compare.json", ["diff", "p_agreement", "low"], "q", "diff.p_agreement.low"),
    ("compare", "compare.json", ["a", "p_hold"], 3, "a.p_hold"),
])
def test_a_damaged_summary_is_refused_naming_its_key(saved, tmp_path, capsys, kind, file,
                                                     keys, value, named) -> None:
    out = tmp_path / kind
    shutil.copytree(saved[kind], out)
    _edit(out / file, keys, value)
    capsys.readouterr()
    assert quiet(["plot", str(out)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert f"{out / file}: {named}: bad value" in err


def test_a_saved_result_as_written_is_still_drawn(saved, tmp_path) -> None:
    for kind, directory in saved.items():
        out = tmp_path / kind
        shutil.copytree(directory, out)
        assert quiet(["plot", str(out)]) == 0, kind
