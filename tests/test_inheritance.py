"""Scenario inheritance (``extends = "parent.toml"``, relative to the child) and the
consistency of the scenario library and its authoring reference.

The parent's document is read first and the child's tables are merged into it key by
key; any other value in the child replaces the parent's. The resolved scenario carries
no ``extends`` key. Cycles and missing parents are bad input (ScenarioError, exit 2).
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

import pytest
from helpers import ROOT, cli, minimal_doc

from sim.errors import ScenarioError
from sim.scenario import load_scenario, resolve_document
from sim.toml_out import toml_dumps

SCENARIOS = ROOT / "scenarios"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def parent(tmp_path: Path) -> Path:
    return write(tmp_path / "parent.toml", toml_dumps(minimal_doc()))


def leaf_paths(doc: Any, prefix: str = "") -> dict[str, Any]:
    """Every leaf value of a nested document by dotted path."""
    if not isinstance(doc, dict):
        return {prefix: doc}
    out: dict[str, Any] = {}
    for key, value in doc.items():
        out.update(leaf_paths(value, f"{prefix}.{key}" if prefix else key))
    return out


def differing(a: dict[str, Any], b: dict[str, Any]) -> set[str]:
    """Dotted paths whose value differs between two documents (or exists in one only)."""
    la, lb = leaf_paths(a), leaf_paths(b)
    return {k for k in la.keys() | lb.keys() if la.get(k, ...) != lb.get(k, ...)}


def test_child_overrides_one_value_and_inherits_the_rest(parent: Path, tmp_path: Path):
    child = write(tmp_path / "child.toml", 'extends = "parent.toml"\nname = "child"\n'
                  "[parties.red.behaviour]\nattack_rate = 3.5\n")
    base, sc = load_scenario(parent), load_scenario(child)
    assert sc.name == "child"
    assert sc.spec.parties["red"].behaviour.attack_rate == 3.5
    # a sibling key in the same table survives the merge
    assert sc.spec.parties["red"].behaviour.tolerance == base.spec.parties["red"].behaviour.tolerance
    assert differing(base.raw, sc.raw) == {"name", "parties.red.behaviour.attack_rate"}
    assert "extends" not in sc.raw
    assert sc.spec.extends is None


def test_chain_resolves_relative_to_each_file(parent: Path, tmp_path: Path):
    write(tmp_path / "mid" / "mid.toml", 'extends = "../parent.toml"\nname = "mid"\n'
          "[negotiation]\ndeadline_hours = 120.0\n")
    leaf = write(tmp_path / "leaf" / "deep" / "leaf.toml",
                 'extends = "../../mid/mid.toml"\nname = "leaf"\n'
                 "[negotiation]\nround_interval_hours = 12.0\n")
    sc = load_scenario(leaf)
    assert sc.spec.negotiation.deadline_hours == 120.0
    assert sc.spec.negotiation.round_interval_hours == 12.0
    assert sc.spec.parties.keys() == minimal_doc()["parties"].keys()


def test_arrays_are_replaced_not_appended(tmp_path: Path):
    doc = minimal_doc()
    doc["sources"] = ["parent source"]
    write(tmp_path / "parent.toml", toml_dumps(doc))
    child = write(tmp_path / "child.toml",
                  'extends = "parent.toml"\nsources = ["child source"]\n')
    assert load_scenario(child).spec.sources == ["child source"]


def test_cycle_is_a_scenario_error_naming_the_extends_key(tmp_path: Path):
    write(tmp_path / "a.toml", 'extends = "b.toml"\nname = "a"\n')
    write(tmp_path / "b.toml", 'extends = "a.toml"\nname = "b"\n')
    with pytest.raises(ScenarioError) as err:
        load_scenario(tmp_path / "a.toml")
    assert err.value.path == "extends"
    assert "cycle" in err.value.allowed
    assert "a.toml" in str(err.value) and "b.toml" in str(err.value)


def test_extending_itself_is_a_cycle(tmp_path: Path):
    write(tmp_path / "self.toml", 'extends = "self.toml"\nname = "self"\n')
    with pytest.raises(ScenarioError) as err:
        resolve_document(tmp_path / "self.toml")
    assert err.value.path == "extends"


def test_missing_parent_is_a_scenario_error(tmp_path: Path):
    child = write(tmp_path / "orphan.toml", 'extends = "nowhere.toml"\nname = "orphan"\n')
    with pytest.raises(ScenarioError) as err:
        load_scenario(child)
    assert err.value.path == "extends"
    assert err.value.value == "nowhere.toml"
    assert "not found" in err.value.allowed


def test_a_parent_that_is_a_directory_is_blamed_on_the_child_s_extends(tmp_path: Path):
    child = write(tmp_path / "child.toml", f'extends = "{tmp_path.as_posix()}"\nname = "c"\n')
    with pytest.raises(ScenarioError) as err:
        load_scenario(child)
    assert (err.value.file, err.value.path) == (str(child), "extends")
    assert "is a directory" in err.value.allowed


def test_a_parent_this_user_cannot_read_is_blamed_on_the_child_s_extends(
        parent: Path, tmp_path: Path, monkeypatch):
    """A parent of mode 000 was reported as 'locked.toml: cannot read the file', naming
    neither the child nor its extends. (The tests may run as root, whom no mode stops:
    the check is made to see the file unreadable.)"""
    import os

    import sim.document

    child = write(tmp_path / "child.toml", f'extends = "{parent.name}"\nname = "c"\n')
    real = os.access
    monkeypatch.setattr(sim.document.os, "access",
                        lambda path, mode: False if Path(path) == parent.resolve() else real(path, mode))
    with pytest.raises(ScenarioError) as err:
        load_scenario(child)
    assert (err.value.file, err.value.path, err.value.value) == (str(child), "extends", parent.name)
    assert err.value.allowed.startswith("a parent file this user can read, but ")
    assert err.value.allowed.endswith("cannot be read (permission denied)")


def test_a_file_behind_a_directory_this_user_cannot_enter_is_refused_not_a_traceback(
        parent: Path, tmp_path: Path, monkeypatch):
    """A parent (or the file itself) inside a directory of mode 000 ended in a
    PermissionError traceback from Path.exists. (The tests may run as root, whom no
    mode stops: Path.exists is made to meet the error.)"""
    locked = tmp_path / "locked"
    locked.mkdir()
    inside = locked / "base.toml"
    inside.write_text(parent.read_text())
    real = Path.exists

    def exists(self: Path, *args: Any, **kwargs: Any) -> bool:
        if locked in Path(os.path.abspath(self)).parents:
            raise PermissionError(13, "Permission denied", str(self))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "exists", exists)
    child = write(tmp_path / "child.toml", 'extends = "locked/base.toml"\nname = "c"\n')
    with pytest.raises(ScenarioError) as err:
        load_scenario(child)
    assert (err.value.file, err.value.path) == (str(child), "extends")
    assert "cannot be reached (Permission denied: a directory on its path cannot be entered)" \
        in err.value.allowed
    with pytest.raises(ScenarioError) as err:
        load_scenario(inside)
    assert err.value.allowed == ("a file this user can reach, but Permission denied: a "
                                 "directory on its path cannot be entered")


def test_a_scenario_read_from_a_pipe_is_read_as_given(parent: Path, tmp_path: Path):
    """``validate <(cat FILE)`` and ``cat FILE | ... /dev/stdin``: the pipe's path
    resolves to a name that is no file, which was reported as missing."""
    import sys

    from helpers import ROOT, run_child

    text = parent.read_text()
    done = run_child([sys.executable, str(ROOT / "run_sim.py"), "validate", "/dev/stdin"],
                     input=text, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "ok: /dev/stdin" in done.stdout


def test_extends_must_be_a_path(parent: Path, tmp_path: Path):
    child = write(tmp_path / "bad.toml", "extends = 3\n")
    with pytest.raises(ScenarioError) as err:
        load_scenario(child)
    assert err.value.path == "extends"


def test_validate_command_exits_2_on_a_cycle(tmp_path: Path):
    write(tmp_path / "a.toml", 'extends = "b.toml"\nname = "a"\n')
    write(tmp_path / "b.toml", 'extends = "a.toml"\nname = "b"\n')
    proc = cli("validate", str(tmp_path / "a.toml"))
    assert proc.returncode == 2
    assert "extends" in proc.stderr and "cycle" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_validate_command_checks_the_resolved_scenario(parent: Path, tmp_path: Path):
    good = write(tmp_path / "good.toml", 'extends = "parent.toml"\nname = "good"\n')
    # the child is fine alone, but its value breaks a rule of the merged scenario
    bad = write(tmp_path / "bad.toml", 'extends = "parent.toml"\nname = "bad"\n'
                "[ceasefire]\nhorizon_hours = 100.0\n")
    proc = cli("validate", str(good), str(bad))
    assert proc.returncode == 2
    assert f"ok: {good}" in proc.stdout
    assert "ceasefire.milestones" in proc.stderr


def test_out_saves_the_resolved_scenario_without_extends(parent: Path, tmp_path: Path):
    child = write(tmp_path / "child.toml", 'extends = "parent.toml"\nname = "child"\n'
                  "[parties.blue.behaviour]\ntolerance = 0.3\n")
    out = tmp_path / "run"
    proc = cli("run", str(child), "--runs", "5", "--workers", "1", "--no-progress",
               "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    saved = tomllib.loads((out / "scenario.toml").read_text(encoding="utf-8"))
    assert "extends" not in saved
    assert saved["parties"]["blue"]["behaviour"]["tolerance"] == 0.3
    assert saved["parties"]["red"] == minimal_doc()["parties"]["red"]  # inherited
    assert load_scenario(out / "scenario.toml").raw == load_scenario(child).raw


VARIANTS = {
    "geneva_full_delineation.toml": {"ceasefire.imposed.delineation"},
    "geneva_real_verification.toml": {"ceasefire.imposed.verification"},
    "geneva_no_colocation.toml": {"parties.jfs.behaviour.colocation"},
    "geneva_patron_pressure.toml": {"parties.russia.behaviour.leverage",
                                    "parties.us.behaviour.leverage"},
}


@pytest.mark.parametrize("file", sorted(VARIANTS))
def test_counterfactual_variants_change_only_their_lever(file: str):
    base = load_scenario(SCENARIOS / "geneva_2016.toml")
    variant = load_scenario(SCENARIOS / file)
    labels = {"name", "title", "description"}
    assert differing(base.raw, variant.raw) == VARIANTS[file] | labels


def test_the_authoring_reference_documents_every_field():
    """docs/scenarios.md names every field of every table of the scenario format, as a
    key (`` `name` ``) or as part of a table header (``[ceasefire.convoys]``)."""
    import re

    from pydantic import BaseModel

    from sim import schema

    text = (ROOT / "docs" / "scenarios.md").read_text(encoding="utf-8")
    models = [m for m in vars(schema).values()
              if isinstance(m, type) and issubclass(m, BaseModel) and m is not schema.Strict
              and m.__module__ == schema.__name__]
    missing = [f"{m.__name__}.{f}" for m in models for f in m.model_fields
               if not re.search(rf"[`\[.]{f}[`\].]", text)]
    assert not missing, f"fields not documented in docs/scenarios.md: {missing}"


def test_the_standalone_pause_keeps_the_defaults_behaviour():
    """aleppo_48h_pause.toml cannot extend geneva_2016 (fewer issues and milestones), so
    it copies the parties' behaviour and the ceasefire dynamics: they must stay equal,
    but for a spoiler's targeting vulnerability, which the pause, with no issue driving
    joint targeting, would not read (and leaves out)."""
    base = load_scenario(SCENARIOS / "geneva_2016.toml").spec
    pause = load_scenario(SCENARIOS / "aleppo_48h_pause.toml").spec
    assert pause.ceasefire.links.joint_targeting not in pause.issues
    unread = {"targeting_vulnerability"}
    for name, party in pause.parties.items():
        ref = base.parties[name]
        assert party.behaviour.model_dump(exclude=unread) == \
            ref.behaviour.model_dump(exclude=unread), name
        assert (party.role, party.patron, party.opponent, party.host, party.no_deal,
                party.no_deal_spread) == (ref.role, ref.patron, ref.opponent, ref.host,
                                          ref.no_deal, ref.no_deal_spread), name
    assert pause.parties.keys() == base.parties.keys()
    for key in ("retaliation_half_life_hours", "trust_recovery_per_day", "patron_share",
                "terms_effect", "settling_half_life_hours", "settling_floor", "convoys",
                "monitoring"):
        assert getattr(pause.ceasefire, key) == getattr(base.ceasefire, key), key
    assert pause.negotiation.shocks == base.negotiation.shocks
    assert pause.negotiation.round_interval_hours == base.negotiation.round_interval_hours


# -- a problem with an inherited value says which file writes it --------------------


def bad_parent(tmp_path: Path, name: str = "parent.toml", **behaviour: Any) -> Path:
    doc = minimal_doc()
    doc["parties"]["red"]["behaviour"].update(behaviour)
    return write(tmp_path / name, toml_dumps(doc))


def test_a_bad_value_a_child_inherits_names_the_file_that_writes_it(tmp_path: Path,
                                                                    monkeypatch):
    """The message named the child alone, which does not hold the value: the user
    looked for it in the wrong file."""
    bad_parent(tmp_path, trust=1.5)
    child = write(tmp_path / "kids" / "child.toml", 'extends = "../parent.toml"\nname = "c"\n')
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ScenarioError) as err:
        load_scenario(child)
    assert (err.value.file, err.value.path, err.value.value) == (
        str(child), "parties.red.behaviour.trust", 1.5)
    assert err.value.allowed.endswith("(the value is written in parent.toml, which "
                                      "child.toml extends)")
    proc = cli("validate", str(child))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert f"{child}: parties.red.behaviour.trust: bad value 1.5" in proc.stderr
    assert f"written in {tmp_path / 'parent.toml'}, which child.toml extends" in proc.stderr


def test_a_scenario_reached_through_a_symbolic_link_names_the_file_too(tmp_path: Path,
                                                                        monkeypatch):
    """The loader finds a parent beside the file the link points to; the search for the
    file that writes the value looked beside the link, found nothing, and said nothing."""
    bad_parent(tmp_path, trust=1.5)
    write(tmp_path / "kids" / "child.toml", 'extends = "../parent.toml"\nname = "c"\n')
    link = tmp_path / "elsewhere" / "deep" / "link.toml"
    link.parent.mkdir(parents=True)
    link.symlink_to(tmp_path / "kids" / "child.toml")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ScenarioError) as err:
        load_scenario(link)
    assert err.value.allowed.endswith("(the value is written in parent.toml, which "
                                      "link.toml extends)")


def test_through_a_chain_the_file_that_writes_the_value_is_named(tmp_path: Path):
    bad_parent(tmp_path, "root.toml", trust=1.5)
    write(tmp_path / "mid.toml", 'extends = "root.toml"\nname = "mid"\n'
          "[parties.red.behaviour]\ntolerance = 0.3\n")
    child = write(tmp_path / "child.toml", 'extends = "mid.toml"\nname = "c"\n')
    with pytest.raises(ScenarioError) as err:
        load_scenario(child)
    assert err.value.file == str(child)
    assert "root.toml, which child.toml extends)" in err.value.allowed


def test_a_value_bad_only_with_a_later_file_s_names_where_it_is_written(tmp_path: Path):
    """A milestone of the root, valid there, beyond the horizon a middle file shortened:
    the file loaded is named, with the horizon (the value changed nearer to it) and the
    file writing it."""
    write(tmp_path / "root.toml", toml_dumps(minimal_doc()))
    write(tmp_path / "mid.toml", 'extends = "root.toml"\nname = "mid"\n'
          "[ceasefire]\nhorizon_hours = 200.0\n")
    child = write(tmp_path / "child.toml", 'extends = "mid.toml"\nname = "c"\n')
    with pytest.raises(ScenarioError) as err:
        load_scenario(child)
    assert err.value.file == str(child) and err.value.path == "ceasefire.horizon_hours"
    assert "mid.toml, which child.toml extends)" in err.value.allowed


def test_a_child_that_gives_the_bad_value_itself_is_named_alone(tmp_path: Path):
    bad_parent(tmp_path, trust=1.5)
    child = write(tmp_path / "child.toml", 'extends = "parent.toml"\nname = "c"\n'
                  "[parties.red.behaviour]\ntrust = 2.5\n")
    with pytest.raises(ScenarioError) as err:
        load_scenario(child)
    assert (err.value.file, err.value.value) == (str(child), 2.5)
    assert "written in" not in err.value.allowed


def test_an_inherited_blank_source_names_the_parent(tmp_path: Path):
    """Paths with an array item (sources[1]) named the child alone. ([observed], whose
    checks made after loading did too, is no longer inherited.)"""
    doc = minimal_doc()
    doc["sources"] = ["a source", " "]
    write(tmp_path / "blank.toml", toml_dumps(doc))
    child = write(tmp_path / "child.toml", 'extends = "blank.toml"\nname = "c"\n')
    with pytest.raises(ScenarioError) as err:
        load_scenario(child)
    assert err.value.path == "sources[1]" and "blank.toml, which" in err.value.allowed


def test_a_set_value_is_still_blamed_on_the_option(tmp_path: Path):
    bad_parent(tmp_path, trust=1.5)
    child = write(tmp_path / "child.toml", 'extends = "parent.toml"\nname = "c"\n')
    with pytest.raises(ScenarioError) as err:
        load_scenario(child, ["parties.red.behaviour.trust=3.0"])
    assert err.value.file == f"{child} with --set" and err.value.value == 3.0
    assert "written in" not in err.value.allowed  # the option gives it, not parent.toml
    assert load_scenario(child, ["parties.red.behaviour.trust=0.5"]).name == "c"


def test_a_file_that_cannot_be_read_is_named_as_given_or_relative(tmp_path, monkeypatch, capsys):
    """A TOML error, or a missing parent, named the file by its absolute path, while
    every other message names it as the user typed it."""
    import run_sim

    monkeypatch.chdir(tmp_path)
    (tmp_path / "broken.toml").write_text('name = "x"\n[issues\n')
    (tmp_path / "orphan.toml").write_text('extends = "nowhere.toml"\n')
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "child.toml").write_text('extends = "../broken.toml"\n')
    assert run_sim.main(["validate", "broken.toml", "orphan.toml", "sub/child.toml"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("error: broken.toml: bad value '[issues'; not valid TOML")
    assert err[1] == ("error: orphan.toml: extends: bad value 'nowhere.toml'; parent file "
                      "nowhere.toml not found (the path is taken from the directory of the "
                      "file that extends it)")
    assert err[2].startswith("error: broken.toml: bad value '[issues'")  # the parent, relative
    assert str(tmp_path) not in "\n".join(err)


def test_a_cycle_names_the_file_as_given(tmp_path, monkeypatch, capsys):
    """A file extending itself, given by its absolute path, was named relative to the
    working directory while its other messages named it as given."""
    import run_sim

    monkeypatch.chdir(tmp_path)
    (tmp_path / "self.toml").write_text('extends = "self.toml"\n')
    (tmp_path / "a.toml").write_text('extends = "b.toml"\n')
    (tmp_path / "b.toml").write_text('extends = "a.toml"\n')
    assert run_sim.main(["validate", str(tmp_path / "self.toml"), "a.toml"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0] == (f"error: {tmp_path / 'self.toml'}: extends: bad value 'self.toml'; "
                      "extends cycle: self.toml -> self.toml")
    assert err[1] == ("error: b.toml: extends: bad value 'a.toml'; extends cycle: a.toml -> "
                      "b.toml -> a.toml")


# -- a rule between two keys names the one the user wrote ----------------------------


@pytest.mark.parametrize(("text", "path", "value", "allowed"), [
    ("[parties.red.behaviour]\ntolerance = 0.9\n", "parties.red.behaviour.tolerance", 0.9,
     "at most its trust (0.5)"),
    ("[parties.red.behaviour]\ntrust = 0.1\n", "parties.red.behaviour.trust", 0.1,
     "at least its tolerance (0.2)"),
    ("[ceasefire]\nhorizon_hours = 100.0\n", "ceasefire.horizon_hours", 100.0,
     "at least every milestone (the latest: ceasefire.milestones.10d=240)"),
    ("[parties.east.positions.verification]\nmin = 0.5\n",
     "parties.east.positions.verification.min", 0.5, "at most the party's ideal (0.2)"),
    ("[parties.east.positions.verification]\nideal = 0.1\nmin = 0.15\n",
     "parties.east.positions.verification.min", 0.15, "at most the party's ideal (0.1)"),
    ("[issues.verification]\nhigh = 0.5\n", "issues.verification.high", 0.5,
     "at least every position on the issue (parties.west.positions.verification.ideal=0.8"),
    ("[negotiation]\nround_interval_hours = 500.0\n", "negotiation.round_interval_hours", 500.0,
     "at most deadline_hours=240"),
    ("[issues.verification]\nlow = 2.0\n", "issues.verification.low", 2.0, "less than high (1)"),
])
def test_a_rule_between_two_keys_names_the_one_the_child_writes(tmp_path: Path, text, path,
                                                                 value, allowed):
    """A child raising a tolerance above its parent's trust was told its trust, written
    in the parent and unchanged, was bad: the user was sent to the wrong key and file."""
    write(tmp_path / "parent.toml", toml_dumps(minimal_doc()))
    child = write(tmp_path / "child.toml", f'extends = "parent.toml"\nname = "c"\n{text}')
    with pytest.raises(ScenarioError) as err:
        load_scenario(child)
    assert (err.value.path, err.value.value) == (path, value)
    assert err.value.allowed.startswith(allowed) and "which child.toml extends" not in err.value.allowed


def test_a_rule_between_two_keys_names_the_one_written_beside_a_default(tmp_path: Path):
    """A file raising a tolerance above the default trust it leaves unwritten was told
    its trust was bad: the table holding trust was written, so trust counted as
    written too."""
    doc = minimal_doc()
    del doc["parties"]["red"]["behaviour"]["trust"]
    doc["parties"]["red"]["behaviour"]["tolerance"] = 0.7
    alone = write(tmp_path / "alone.toml", toml_dumps(doc))
    with pytest.raises(ScenarioError) as err:
        load_scenario(alone)
    assert (err.value.path, err.value.value) == ("parties.red.behaviour.tolerance", 0.7)
    assert err.value.allowed.startswith("at most its trust (0.5)")
    doc["parties"]["red"]["behaviour"] |= {"trust": 0.5}  # both written: the rule's own key
    with pytest.raises(ScenarioError) as err:
        load_scenario(write(tmp_path / "both.toml", toml_dumps(doc)))
    assert err.value.path == "parties.red.behaviour.trust"


def test_a_rule_between_two_keys_names_the_one_set_on_the_command_line(tmp_path: Path):
    parent = write(tmp_path / "parent.toml", toml_dumps(minimal_doc()))
    with pytest.raises(ScenarioError) as err:
        load_scenario(parent, ["parties.red.behaviour.tolerance=0.9"])
    assert (err.value.file, err.value.path) == (f"{parent} with --set",
                                                "parties.red.behaviour.tolerance")
    with pytest.raises(ScenarioError) as err:  # both keys set: the rule's own key
        load_scenario(parent, ["parties.red.behaviour.tolerance=0.9",
                               "parties.red.behaviour.trust=0.8"])
    assert err.value.path == "parties.red.behaviour.trust"


def test_a_new_party_named_like_another_is_said_to_be_probably_misspelt(tmp_path: Path):
    write(tmp_path / "parent.toml", toml_dumps(minimal_doc()))
    child = write(tmp_path / "child.toml", 'extends = "parent.toml"\nname = "c"\n'
                  "[parties.easst.behaviour]\nleverage = 0.5\n")
    with pytest.raises(ScenarioError) as err:
        load_scenario(child)
    assert err.value.path == "parties.easst.role"
    assert err.value.allowed == ("required key is missing (easst is a party of its own: is it "
                                 "east, misspelt?)")


def test_in_a_chain_the_key_written_nearest_the_file_loaded_is_named(tmp_path: Path):
    """A parent raising the tolerance above its grandparent's trust, and a child that
    changes something else: the tolerance, written nearer, is the one to name."""
    write(tmp_path / "gp.toml", toml_dumps(minimal_doc()))
    write(tmp_path / "parent.toml", 'extends = "gp.toml"\nname = "p"\n'
          "[parties.red.behaviour]\ntolerance = 0.9\n")
    child = write(tmp_path / "child.toml", 'extends = "parent.toml"\nname = "c"\n'
                  "[parties.red.behaviour]\ncompliance = 0.5\n")
    with pytest.raises(ScenarioError) as err:
        load_scenario(child)
    assert (err.value.path, err.value.value) == ("parties.red.behaviour.tolerance", 0.9)
    assert err.value.allowed.endswith("parent.toml, which child.toml extends)")


@pytest.mark.parametrize(("change", "path"), [
    ("parties.east.positions.verification.ideal=0.1", "parties.east.positions.verification.ideal"),
    ("issues.verification.high=0.5", "issues.verification.high"),
    ("negotiation.deadline_hours=5000", "negotiation.deadline_hours"),
])
def test_a_rule_between_a_position_or_range_and_its_bound_names_the_key_set(tmp_path: Path,
                                                                           change, path):
    doc = minimal_doc()
    doc["parties"]["east"]["positions"]["verification"]["min"] = 0.15
    doc["negotiation"]["round_interval_hours"] = 0.001  # 240,000 rounds: allowed
    parent = write(tmp_path / "parent.toml", toml_dumps(doc))
    with pytest.raises(ScenarioError) as err:
        load_scenario(parent, [change])
    assert err.value.path == path


def test_a_round_limit_broken_by_a_child_s_deadline_names_the_deadline(tmp_path: Path):
    doc = minimal_doc()
    doc["negotiation"]["round_interval_hours"] = 0.001  # 240,000 rounds: allowed
    write(tmp_path / "parent.toml", toml_dumps(doc))
    child = write(tmp_path / "child.toml", 'extends = "parent.toml"\nname = "c"\n'
                  "[negotiation]\ndeadline_hours = 5000.0\n")
    with pytest.raises(ScenarioError) as err:
        load_scenario(child)
    assert (err.value.path, err.value.value) == ("negotiation.deadline_hours", 5000.0)
    assert err.value.allowed == ("at most 1000 hours (a round every 0.001 h allows at most "
                                 "1,000,000 rounds)")


def test_a_child_does_not_inherit_the_historical_record(tmp_path: Path):
    """A counterfactual child of a historical case inherited its [observed] section, and
    the backtest scored it as that history."""
    doc = minimal_doc()
    doc["observed"] = {"agreed": True, "hours_held": 100.0, "collapsed": True, "withdrew": "red"}
    parent = write(tmp_path / "parent.toml", toml_dumps(doc))
    child = write(tmp_path / "child.toml", 'extends = "parent.toml"\nname = "c"\n'
                  "[ceasefire.monitoring]\ndeterrence = 0.9\n")
    assert load_scenario(parent).spec.observed is not None
    assert load_scenario(child).spec.observed is None
    own = write(tmp_path / "own.toml", 'extends = "parent.toml"\nname = "o"\n'
                "[observed]\nagreed = false\n")
    assert load_scenario(own).spec.observed.agreed is False


def test_a_problem_in_a_child_s_own_record_does_not_name_the_parent(tmp_path: Path):
    """[observed] is not inherited, so a value the child's record lacks is the child's
    to give: the message sent users to the parent's record."""
    doc = minimal_doc()
    doc["observed"] = {"agreed": True, "hours_held": 100.0, "collapsed": True,
                       "withdrew": "red", "milestones_reached": {"7d": False}}
    write(tmp_path / "parent.toml", toml_dumps(doc))
    child = write(tmp_path / "child.toml", 'extends = "parent.toml"\nname = "c"\n'
                  "[observed]\nagreed = true\nhours_held = 170.0\n"
                  "hours_held_range = [100.0, 200.0]\ncollapsed = true\nwithdrew = \"red\"\n")
    from sim.observed import observed_outcomes

    with pytest.raises(ScenarioError) as err:
        observed_outcomes(load_scenario(child))
    assert err.value.path.startswith("observed.milestones_reached")
    assert "extends" not in err.value.allowed


def test_a_key_missing_from_an_inherited_table_names_the_table_not_a_value(tmp_path: Path):
    """A third combatant in the child leaves the parent's combatants without an opponent
    that can be told: nothing is written there, so the message must not say 'the value
    is written in parent.toml' but which table the key goes in, and why it is needed."""
    write(tmp_path / "parent.toml", toml_dumps(minimal_doc()))
    child = write(tmp_path / "child.toml", 'extends = "parent.toml"\nname = "c"\n'
                  '[parties.green]\nrole = "combatant"\npatron = "east"\nopponent = "red"\n')
    with pytest.raises(ScenarioError) as err:
        load_scenario(child)
    assert err.value.value is None
    others = "green, red" if err.value.path == "parties.blue.opponent" else "blue, green"
    assert err.value.allowed.startswith(
        f'name the combatant it fights (opponent = "..."): with 2 other combatants ({others}) '
        f"it cannot be told which ({err.value.path.rsplit('.', 1)[0]} is written in ")
    assert err.value.allowed.endswith("parent.toml, which child.toml extends)")


def test_an_extends_chain_longer_than_the_limit_is_refused_as_such(tmp_path: Path):
    """A chain of 1,500 files was refused as 'tables nested less deeply (a dotted key of
    hundreds of parts...)': no key was at fault, only the chain's length."""
    from sim.document import MAX_EXTENDS

    write(tmp_path / "c0.toml", toml_dumps(minimal_doc()))
    for i in range(1, MAX_EXTENDS + 1):
        write(tmp_path / f"c{i}.toml", f'extends = "c{i - 1}.toml"\nname = "c{i}"\n')
    assert load_scenario(tmp_path / f"c{MAX_EXTENDS - 1}.toml").name == f"c{MAX_EXTENDS - 1}"
    with pytest.raises(ScenarioError) as err:
        load_scenario(tmp_path / f"c{MAX_EXTENDS}.toml")
    assert err.value.path == "extends"
    assert err.value.allowed == (f"an extends chain of at most {MAX_EXTENDS} files (the chain "
                                 f"from c{MAX_EXTENDS}.toml is longer)")


def test_a_problem_s_key_is_split_as_toml_writes_it():
    """Keys were split at every dot: a milestone '7.5d' (quoted in the key path) became
    '"7' and '5d"', a key no file writes."""
    from sim.origin import key_parts

    assert key_parts('ceasefire.milestones."7.5d"') == ("ceasefire", "milestones", "7.5d")
    assert key_parts("sources[1]") == ("sources", "1")
    assert key_parts('issues."x.y".high') == ("issues", "x.y", "high")


def test_a_child_that_takes_its_parent_s_name_is_told_so(tmp_path: Path, capsys):
    """A child without a name of its own printed 'Scenario: ... (geneva_2016)' over
    results far from the parent's, which nothing told apart."""
    import run_sim

    write(tmp_path / "parent.toml", toml_dumps(minimal_doc()))
    child = write(tmp_path / "child.toml", 'extends = "parent.toml"\n'
                  "[ceasefire.monitoring]\ncoverage = 0.5\n")
    assert run_sim.main(["validate", str(child)]) == 0
    assert capsys.readouterr().err == (
        f"note: child.toml takes its name (minimal) from {tmp_path / 'parent.toml'}, which it "
        "extends, so its results are labelled as that scenario's: set name in child.toml\n")
    named = write(tmp_path / "named.toml", 'extends = "parent.toml"\nname = "named"\n')
    assert run_sim.main(["validate", str(named)]) == 0
    assert "takes its name" not in capsys.readouterr().err
    from sim.origin import borrowed_name_note

    assert borrowed_name_note(load_scenario(named)) == ""
    assert borrowed_name_note(load_scenario(child, ['name="set"'])) == ""


def test_a_child_that_names_itself_but_takes_its_parent_s_title_is_told_so(tmp_path: Path):
    """A child setting only its name printed 'Geneva 2016, Russia accepts a 7-day pause
    (child)' over results of another question, which nothing pointed out."""
    from sim.origin import borrowed_name_note

    write(tmp_path / "parent.toml", toml_dumps({**minimal_doc(), "title": "The parent's question"}))
    child = write(tmp_path / "child.toml", 'extends = "parent.toml"\nname = "child"\n')
    assert borrowed_name_note(load_scenario(child)) == (
        "note: child.toml takes its title (\"The parent's question\") from "
        f"{tmp_path / 'parent.toml'}, which it extends, so its report is headed with that "
        "scenario's title: set title in child.toml")
    both = write(tmp_path / "both.toml", 'extends = "parent.toml"\n')
    assert "takes its name (minimal) and its title from" in borrowed_name_note(load_scenario(both))
    titled = write(tmp_path / "titled.toml", 'extends = "parent.toml"\nname = "t"\ntitle = "Own"\n')
    assert borrowed_name_note(load_scenario(titled)) == ""
    # the name from a grandparent, the title from a parent: both are said
    middle = write(tmp_path / "middle.toml", 'extends = "parent.toml"\ntitle = "Middle"\n')
    grandchild = write(tmp_path / "grandchild.toml", 'extends = "middle.toml"\n')
    assert (f"takes its name (minimal) from {tmp_path / 'parent.toml'}, and its title from "
            f"{middle}, which it extends" in borrowed_name_note(load_scenario(grandchild)))
    assert borrowed_name_note(load_scenario(grandchild)).endswith(
        "set name and title in grandchild.toml")


def test_a_broken_symbolic_link_says_where_it_leads(tmp_path: Path) -> None:
    """A link in a loop, or to a file since removed, was 'file does not exist', which
    sent the user looking for a file they could see."""
    from sim.errors import ScenarioError
    from sim.scenario import load_scenario

    (tmp_path / "a.toml").symlink_to(tmp_path / "b.toml")
    (tmp_path / "b.toml").symlink_to(tmp_path / "a.toml")
    (tmp_path / "gone.toml").symlink_to(tmp_path / "removed.toml")
    for name, says in (("a.toml", "a symbolic link in a loop of links, which leads to no file"),
                       ("gone.toml", f"a symbolic link to {tmp_path / 'removed.toml'}, which "
                                     "does not exist")):
        with pytest.raises(ScenarioError) as err:
            load_scenario(tmp_path / name)
        assert err.value.allowed == says
