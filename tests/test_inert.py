"""A swept key or a compared change that altered no replication is said to, so rows
of +0.0 are not read as a finding: the Aleppo pause has no joint-targeting issue, so
a spoiler's ``targeting_vulnerability`` does nothing there."""

from __future__ import annotations

import contextlib
import io

import numpy as np
import pytest
from helpers import ROOT

import run_sim
from sim.experiments import inert_keys
from sim.runner import Runner
from sim.scenario import load_scenario

ALEPPO = str(ROOT / "scenarios" / "aleppo_48h_pause.toml")
UNREAD = "parties.jfs.behaviour.targeting_vulnerability"
READ = "parties.jfs.behaviour.attack_rate"


def cli(*args: str) -> int:
    with contextlib.redirect_stdout(io.StringIO()):
        return run_sim.main([*args, "--runs", "150", "--workers", "1", "--no-progress"])


def test_same_as_compares_every_field():
    sc = load_scenario(ALEPPO)
    with Runner(workers=1) as runner:
        a = runner.run(sc, 60, 1).results
        b = runner.run(load_scenario(ALEPPO, [f"{UNREAD}=0"]), 60, 1).results
        c = runner.run(load_scenario(ALEPPO, [f"{READ}=1"]), 60, 1).results
    assert a.same_as(b) and not a.same_as(c)
    assert not a.same_as(a.below(59))
    d = a.below(60)
    d.columns["events"] = d.columns["events"] + np.eye(1, 60, 7, dtype=d.columns["events"].dtype)[0]
    assert not a.same_as(d)  # one more SimPy event in one replication is a change


def test_inert_keys_of_a_grid():
    points = []
    with Runner(workers=1) as runner:
        for rate in (1.0, 3.0):
            for vulnerability in (0.0, 1.0):
                params = {READ: rate, UNREAD: vulnerability}
                held = runner.run(load_scenario(ALEPPO, [f"{k}={v}" for k, v in params.items()]),
                                  80, 1).results
                points.append((params, (held,), "the same milestones"))
    assert inert_keys(points) == [UNREAD]
    assert inert_keys(points[:1]) == []  # nothing to compare
    # a key that changed what is measured (the milestones) is not inert
    measured = [(params, held, params[UNREAD]) for params, held, _ in points]
    assert inert_keys(measured) == []


@pytest.mark.parametrize(("args", "said"), [
    (["sweep", ALEPPO, "--param", f"{UNREAD}=0.6,0,1"], f"note: {UNREAD} changed no replication"),
    (["compare", ALEPPO, "--set", f"{UNREAD}=0"], "note: A and B gave the same outcome in every "
     "one of the 150 replications (on the same seeds)"),
    (["compare", ALEPPO, "--set", f"{READ}=1", "--param", f"{UNREAD}=0,1"],
     f"note: {UNREAD} changed no replication"),
    (["compare", ALEPPO, "--set", f"{UNREAD}=0", "--param", f"{READ}=1,2"],
     "the 150 replications at every point"),
    # a --set of the file's own value: said before anything runs, as what it is
    (["compare", ALEPPO, "--set", f"{READ}=3.0"], "note: A and B are the same scenario (the "
     "--set values give the values the file has already): every difference will be +0.0"),
    (["compare", ALEPPO, ALEPPO, "--param", f"{READ}=1,2"], "note: A and B are the same scenario "
     "(the two files, with their parents and --set values, say the same)"),
])
def test_a_change_that_altered_nothing_is_said_to(args, said, capsys):
    assert cli(*args) == 0
    err = capsys.readouterr().err
    assert said in err
    assert err.count("note: A and B") <= 1  # one note for one cause


@pytest.mark.parametrize("args", [
    ["sweep", ALEPPO, "--param", f"{READ}=1,3"],
    ["sweep", ALEPPO, "--param", 'ceasefire.milestones={"48h"=48.0},{"24h"=24.0}'],
    ["compare", ALEPPO, "--set", f"{READ}=1"],
    ["compare", ALEPPO, "--set", f"{READ}=1", "--param", "parties.regime.behaviour.sensitivity=0.05,0.08"],
])
def test_a_change_that_altered_something_is_not(args, capsys):
    assert cli(*args) == 0
    assert "note:" not in capsys.readouterr().err


def test_a_patron_without_a_client_is_said_to_change_nothing_through_one(tmp_path, capsys):
    """A patron no combatant names as its patron only negotiates: its leverage, trust,
    tolerance and sensitivity act through a client, so they change nothing (checked
    here on the same seeds), and one with no positions either changes nothing at all.
    validate says so rather than passing such a scenario in silence."""
    from helpers import DEFAULT

    from sim.reads import idle_parties_notes

    child = tmp_path / "turkey.toml"
    child.write_text(
        f'extends = "{DEFAULT.as_posix()}"\nname = "turkey"\n'
        '[parties.turkey]\nrole = "patron"\n'
        '[parties.turkey.positions.aid_access]\nideal = 1.0\nsalience = 1.0\n'
        '[parties.turkey.behaviour]\nleverage = 0.6\ntolerance = 0.1\n', encoding="utf-8")
    sc = load_scenario(child)
    assert idle_parties_notes(sc) == [
        "note: turkey is no combatant's patron, so its behaviour.leverage and tolerance "
        "change nothing (they act through a client); it still negotiates, and as a "
        "signatory must accept the deal, so its positions and no_deal can move the terms and "
        "whether one is struck"]
    with Runner(workers=1) as runner:
        a = runner.run(sc, 80, 3).results
        b = runner.run(load_scenario(child, ["parties.turkey.behaviour.leverage=0",
                                             "parties.turkey.behaviour.tolerance=0.4"]), 80, 3).results
    assert a.same_as(b)
    assert idle_parties_notes(load_scenario(DEFAULT)) == []

    bare = tmp_path / "bare.toml"
    bare.write_text(f'extends = "{DEFAULT.as_posix()}"\nname = "bare"\ntitle = "Bare"\n'
                    '[parties.turkey]\nrole = "patron"\n', encoding="utf-8")
    with contextlib.redirect_stdout(io.StringIO()):
        assert run_sim.main(["validate", str(bare)]) == 0
    assert capsys.readouterr().err == (
        "note: turkey weighs no issue (it holds no position of salience above 0) and is no "
        "combatant's patron: it changes nothing (give it positions, or make it the patron of "
        "a combatant)\n")


def test_a_spoiler_s_or_mediator_s_value_of_no_deal_is_said_to_change_nothing(tmp_path):
    """Neither accepts nor ratifies: their no_deal was never read, and a spread only
    reshuffled the spoiler's own stream. Now it is not drawn, so results are the same
    with or without it; the scenarios saved with earlier runs (which wrote it) still
    load, with a note."""
    from helpers import DEFAULT

    from sim.reads import idle_parties_notes

    child = tmp_path / "spread.toml"
    child.write_text(f'extends = "{DEFAULT.as_posix()}"\nname = "spread"\n'
                     '[parties.jfs]\nno_deal = 1.0\nno_deal_spread = 0.5\n'
                     '[parties.un]\nno_deal = 0.0\n', encoding="utf-8")
    sc = load_scenario(child)
    assert idle_parties_notes(sc) == [
        "note: parties.jfs.no_deal and no_deal_spread change nothing: a spoiler neither "
        "accepts nor ratifies a deal (only patrons and combatants weigh one against none)",
        "note: parties.un.no_deal changes nothing: a mediator neither accepts nor ratifies a "
        "deal (only patrons and combatants weigh one against none)"]
    assert runs_as_the_default(sc, 100, 5)


def test_a_spoiler_s_positions_and_the_mediator_s_hard_limits_are_said_to_change_nothing():
    """Only patrons' and combatants' red lines bound the packages: the UN text is kept
    within theirs, and a spoiler is not at the table. A limit written there reads as
    binding; the results (on the same seeds) show it binds nothing, and a note says so."""
    from helpers import DEFAULT

    from sim.reads import idle_parties_notes

    sets = ["parties.un.positions.pause_hours.min=40", "parties.un.positions.aid_access.min=0.9",
            "parties.jfs.positions.delineation.ideal=0.0"]
    sc = load_scenario(DEFAULT, sets)
    assert idle_parties_notes(sc) == [
        "note: parties.jfs.positions change nothing: a spoiler is not at the table (it neither "
        "proposes, accepts nor ratifies)",
        "note: parties.un.positions.pause_hours.min and parties.un.positions.aid_access.min "
        "change nothing: the mediator's text is kept within the patrons' and combatants' hard "
        "limits, not its own (its ideals still pull the text)"]
    assert runs_as_the_default(sc, 150, 4)
    # its ideal, unlike its limits, is read: the note would be wrong to say it of the ideal
    assert idle_parties_notes(load_scenario(DEFAULT, ["parties.un.positions.pause_hours.ideal=100"])) == []


def test_a_comparison_with_a_party_more_that_never_acts_is_said_to_change_nothing(tmp_path):
    """Outcomes are compared by party name, not by code: a patron that weighs nothing,
    added on one side, shifts every code, and the comparison of identical outcomes
    went without its note."""
    from helpers import DEFAULT

    idle = tmp_path / "idle.toml"
    idle.write_text(f'extends = "{DEFAULT.as_posix()}"\nname = "idle"\n'
                    '[parties.aaa]\nrole = "patron"\n', encoding="utf-8")
    with Runner(workers=1) as runner:
        a = runner.run(load_scenario(idle), 120, 9).results
        b = runner.run(load_scenario(DEFAULT), 120, 9).results
    assert a.party_names != b.party_names and a.same_as(b) and b.same_as(a)
    c = b.below(120)
    c.columns["withdrew"] = c.columns["withdrew"].copy()
    c.columns["withdrew"][np.flatnonzero(c.columns["collapsed"])[0]] = -1
    assert not a.same_as(c)  # a name that differs is still a difference


def test_a_combatant_nothing_acts_against_is_said_to_never_withdraw(tmp_path):
    """A third combatant nobody targets (no one's opponent, no spoiler's host) never
    perceives a violation: its trust, tolerance, sensitivity and retaliation change no
    replication (checked on the same seeds), and validate passed it in silence."""
    from helpers import DEFAULT

    from sim.reads import idle_parties_notes

    child = tmp_path / "militias.toml"
    child.write_text(
        f'extends = "{DEFAULT.as_posix()}"\nname = "militias"\n'
        '[parties.opposition]\nopponent = "regime"\n[parties.regime]\nopponent = "opposition"\n'
        '[parties.jfs]\nopponent = "regime"\n'
        '[parties.militias]\nrole = "combatant"\npatron = "russia"\nopponent = "opposition"\n'
        '[parties.militias.behaviour]\nattack_rate = 0.5\nsensitivity = 0.2\n', encoding="utf-8")
    sc = load_scenario(child)
    assert idle_parties_notes(sc) == [
        "note: no party acts against militias (it is no armed party's opponent and no "
        "spoiler's host): it never perceives a violation, so it never withdraws, and its "
        "behaviour.trust, tolerance, sensitivity and retaliation change nothing"]
    changed = ["parties.militias.behaviour.sensitivity=0.9", "parties.militias.behaviour.tolerance=0.45",
               "parties.militias.behaviour.retaliation=3"]
    with Runner(workers=1) as runner:
        a = runner.run(sc, 80, 3).results
        b = runner.run(load_scenario(child, changed), 80, 3).results
    assert a.same_as(b)
    assert idle_parties_notes(load_scenario(child, ['parties.opposition.opponent="militias"'])) == []


def test_a_scenario_in_which_nobody_attacks_is_said_to_hold_for_that_reason():
    """Every attack_rate left at its default of 0 gave P(hold) 100% at every milestone,
    with nothing to say that the defaults, not the terms, made it so."""
    from helpers import oracle_doc

    from sim.model import run_replication
    from sim.reads import idle_parties_notes
    from sim.scenario import scenario_from_dict

    calm = scenario_from_dict(oracle_doc(0.0, 0.5, 0.1, 0.25))
    assert any("no armed party attacks" in note for note in idle_parties_notes(calm))
    outcomes = [run_replication(calm, 3, i) for i in range(20)]
    assert all(o.agreed and not o.collapsed for o in outcomes)  # (what the note says)
    armed = scenario_from_dict(oracle_doc(0.5, 0.5, 0.1, 0.25))
    assert not any("no armed party attacks" in note for note in idle_parties_notes(armed))


def runs_as_the_default(scenario, runs: int, seed: int) -> bool:
    """Whether ``scenario`` gives the default scenario's every replication."""
    from helpers import DEFAULT

    with Runner(workers=1) as runner:
        return runner.run(scenario, runs, seed).results.same_as(
            runner.run(load_scenario(DEFAULT), runs, seed).results)


def test_validate_of_several_files_names_the_file_of_each_note(tmp_path, capsys):
    """Notes go to stderr and the 'ok:' lines to stdout: a note printed beside another
    file's line read as that file's."""
    from helpers import DEFAULT

    child = tmp_path / "child.toml"
    child.write_text(f'extends = "{DEFAULT.as_posix()}"\nname = "child"\ntitle = "t"\n'
                     '[parties.jfs]\nno_deal = 0.3\n', encoding="utf-8")
    with contextlib.redirect_stdout(io.StringIO()):
        assert run_sim.main(["validate", str(DEFAULT), str(child)]) == 0
    err = capsys.readouterr().err
    assert f"note: {child}: parties.jfs.no_deal changes nothing" in err
    with contextlib.redirect_stdout(io.StringIO()):
        assert run_sim.main(["validate", str(child)]) == 0  # one file: nothing to tell apart
    assert capsys.readouterr().err.startswith("note: parties.jfs.no_deal changes nothing")


@pytest.mark.parametrize(("args", "at"), [
    (["sweep", ALEPPO, "--param", f"{UNREAD}=0,1,0.5"], 5),  # two work items a point
    (["compare", ALEPPO, "--set", f"{READ}=1", "--param", f"{UNREAD}=0,1,0.5"], 9),  # four
])
def test_a_sweep_stopped_before_its_last_point_draws_no_note_from_those_it_finished(
        args, at, capsys, monkeypatch):
    """Two points alike say nothing of a third never finished (a key may act only
    there): the note waits for the whole grid."""
    from helpers import interrupt_chunk

    assert cli(*args) == 0 and "changed no replication" in capsys.readouterr().err
    interrupt_chunk(monkeypatch, at, size=100)  # the third point's first work item: none ran
    assert cli(*args) == 130
    err = capsys.readouterr().err
    assert "interrupted after point 2 of 3" in err and "changed no replication" not in err
