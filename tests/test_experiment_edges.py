"""Edges of sweeps, paired comparisons and their statistics that the other tests leave
open: the hints a refused ``--param`` or ``compare`` gives, how an interrupted sweep or
comparison ends and what it saves, the exact ends and boundaries of the intervals and
the precision target, and summary figures that no other test pins down."""

from __future__ import annotations

import contextlib
import io
import json
import math
from dataclasses import replace

import numpy as np
import pytest
from helpers import DEFAULT, ROOT, LostWorkerError, interrupt_chunk, minimal_doc

import run_sim
from sim.comparison import paired, sides
from sim.errors import ScenarioError
from sim.experiments import SweepPoint, reference_difference, sweep
from sim.precision import check_points, precision_reached
from sim.records import Outcome, Results
from sim.runner import Runner
from sim.scenario import Scenario, load_scenario, scenario_from_dict, with_overrides
from sim.stats import (
    Z95,
    compare,
    half_width,
    independent_difference,
    interval,
    milestones,
    paired_difference,
    summarize,
    survival,
    wilson,
)
from sim.sweep_files import sweep_rows

QUICK = ["--runs", "20", "--workers", "1", "--no-progress"]
DETERRENCE = "ceasefire.monitoring.deterrence"
MAX_PER_PAUSE = "ceasefire.convoys.max_per_pause"
HORIZON = 240.0  # the minimal scenario's


@pytest.fixture(scope="module")
def geneva() -> Scenario:
    return load_scenario(DEFAULT)


@pytest.fixture(scope="module")
def minimal() -> Scenario:
    sc = scenario_from_dict(minimal_doc())
    assert sc.spec.ceasefire.horizon_hours == HORIZON
    return sc


def rows(agreed: int, not_agreed: int, holding: int = 0) -> list[Outcome]:
    """``agreed`` runs, the first ``holding`` of them holding to the minimal scenario's
    horizon and the rest collapsing after an hour, then ``not_agreed`` runs without a
    deal."""
    return [Outcome(
        replication=i, agreed=i < agreed, agreement_hour=24.0 if i < agreed else math.nan,
        rounds=1, rejections=0, shocks=0, terms=(0.5,) if i < agreed else (math.nan,),
        hours_held=(HORIZON if i < holding else 1.0) if i < agreed else 0.0,
        collapsed=holding <= i < agreed, withdrew="red" if holding <= i < agreed else "",
        trigger="", blamed="", misattributed=False, delineation_hit=False, violations=(0, 0),
        convoys_sent=0, convoys_delivered=0, convoys_attacked=0, events=1,
    ) for i in range(agreed + not_agreed)]


def as_results(outcomes: list[Outcome]) -> Results:
    return Results.from_outcomes(outcomes, ("verification",), ("red", "blue"),
                                 ("east", "west", "red", "blue"))


def outcomes(agreed: int, not_agreed: int, holding: int = 0) -> Results:
    """:func:`rows` as results."""
    return as_results(rows(agreed, not_agreed, holding))


# -- a refused --param says how to write it ---------------------------------------------


def test_a_range_with_steps_that_are_not_whole_says_how_to_write_it(capsys):
    """Naming the value refused is half the message: a range such as 0:3:3 is fixed by
    choosing ends and a count whose steps are whole, and the error has to say so."""
    assert run_sim.main(["sweep", str(DEFAULT), "--param", f"{MAX_PER_PAUSE}=0:3:3", *QUICK]) == 2
    err = capsys.readouterr().err
    assert "give start:stop:num whose steps are whole" in err


def test_a_list_names_its_first_value_that_is_not_whole(capsys):
    """2.0 is refused first (an integer field takes no float), but it is whole: the value
    to fix is 2.5, and naming 2.0 would send the user after the wrong one."""
    assert run_sim.main(["sweep", str(DEFAULT), "--param", f"{MAX_PER_PAUSE}=2.0,2.5", *QUICK]) == 2
    err = capsys.readouterr().err
    assert "bad value 2.5; a whole number (an integer field)" in err
    assert "bad value 2.0" not in err


# -- how a sweep runs and ends ----------------------------------------------------------


def recording(monkeypatch) -> list[str]:
    """Record the label of every point run (what its progress bar shows)."""
    real, labels = Runner.run, []

    def run(self, *args, **kwargs):
        labels.append(kwargs["label"])
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Runner, "run", run)
    return labels


def test_each_point_is_labelled_by_its_place_in_the_sweep(geneva, monkeypatch):
    """The progress bar says which point is running, counted from 1 as the user counts,
    so "point 3/3" is the last and no point is shown as "0/3"."""
    labels = recording(monkeypatch)
    with Runner(workers=1) as runner:
        sweep(geneva, [(DETERRENCE, [0.3, 0.6, 0.9])], runner, 5, 1)
    assert labels == ["point 1/3", "point 2/3", "point 3/3"]


def test_a_stop_between_points_yields_no_empty_point(geneva, monkeypatch):
    """Stopped before any replication of the second point, the sweep has one point: an
    empty second one would be saved and tabulated with no runs behind it."""
    interrupt_chunk(monkeypatch, 2, size=20)  # point 1 is one work item; stop the next
    with Runner(workers=1) as runner:
        points, interrupted = sweep(geneva, [(DETERRENCE, [0.3, 0.6, 0.9])], runner, 20, 1)
    assert interrupted
    assert [len(p.results) for p in points] == [20]


def test_a_stop_part_way_through_the_last_point_is_an_interruption(geneva, monkeypatch):
    """Every point ran, but the last one only in part: the sweep must say it was
    interrupted, or its partial point would be reported as finished."""
    interrupt_chunk(monkeypatch, 4, size=10)  # the second chunk of the second point
    with Runner(workers=1) as runner:
        points, interrupted = sweep(geneva, [(DETERRENCE, [0.3, 0.6])], runner, 20, 1)
    assert [len(p.results) for p in points] == [20, 10]
    assert points[-1].interrupted
    assert interrupted


def test_a_sweep_stopped_in_its_first_point_resumes_to_the_runs_it_asked_for(tmp_path, monkeypatch):
    """``sweep --resume`` without ``--runs`` takes the count from the first saved point's
    manifest: a point saved as it was stopped must record the runs asked for, not the
    runs it had, or the resume would find it finished at 10 of 40."""
    out = tmp_path / "sweep"
    args = ["sweep", str(DEFAULT), "--param", f"{DETERRENCE}=0.3,0.6", "--workers", "1",
            "--no-progress", "--out", str(out)]
    interrupt_chunk(monkeypatch, 2, size=10)  # the first point's second work item
    with contextlib.redirect_stdout(io.StringIO()):
        assert run_sim.main([*args, "--runs", "40"]) == 130
    monkeypatch.undo()
    with contextlib.redirect_stdout(io.StringIO()):
        assert run_sim.main([*args, "--resume"]) == 0
    for k in ("000", "001"):
        summary = json.loads((out / "points" / k / "summary.json").read_text())
        assert (summary["runs"], summary["partial"]) == (40, False)


class Killed(BaseException):
    """Stands for SIGKILL: nothing catches it, so no save runs after it."""


def test_a_checkpoint_of_a_resumed_point_keeps_the_sessions_before_it(tmp_path, monkeypatch):
    """A point's manifest names every session that saved its replications. A resumed
    sweep killed outright keeps the point from its checkpoint alone, so that save too
    must carry the earlier sessions, or the point's first replications lose their origin."""
    out = tmp_path / "sweep"
    args = ["sweep", str(DEFAULT), "--param", f"{DETERRENCE}=0.3,0.6", "--runs", "40",
            "--workers", "1", "--no-progress", "--out", str(out)]
    interrupt_chunk(monkeypatch, 2, size=10)
    with contextlib.redirect_stdout(io.StringIO()):
        assert run_sim.main(args) == 130
    first = json.loads((out / "points" / "000" / "manifest.json").read_text())
    assert "earlier" not in first
    monkeypatch.undo()
    interrupt_chunk(monkeypatch, 2, size=10, raising=Killed)  # after one checkpoint
    with contextlib.redirect_stdout(io.StringIO()), pytest.raises(Killed):
        run_sim.main([*args, "--resume", "--checkpoint", "0.000001"])
    assert json.loads((out / "points" / "000" / "summary.json").read_text())["runs"] == 20
    manifest = json.loads((out / "points" / "000" / "manifest.json").read_text())
    assert manifest["earlier"] == [{k: first[k] for k in ("version", "command", "packages")}]


# -- exact interval ends and the precision target ---------------------------------------


@pytest.mark.parametrize("n", range(1, 200))
def test_wilson_ends_are_exact_at_none_and_all(n):
    """All successes give an upper end of exactly 1 (none, a lower end of exactly 0), not
    0.9999999999999999 from rounding: the summaries and sweep.csv print these ends, and
    readers compare them to 0 and 1."""
    assert wilson(n, n)[2] == 1.0
    assert interval(n, n)["high"] == 1.0
    assert wilson(0, n)[1] == 0.0


def test_precision_is_never_reached_without_replications(minimal):
    """No replication says nothing: a target as loose as 1 is not met by an empty run,
    or an adaptive run resumed with nothing would stop before it began."""
    assert not precision_reached(outcomes(0, 0), minimal, 1.0)


def test_precision_is_reached_when_the_half_width_equals_the_target(minimal):
    """The target is a half-width of at most eps: met exactly, it is reached (here
    P(agreement), whose interval is the widest, sits exactly on it; no ceasefire held to
    a milestone)."""
    res = outcomes(20, 20)
    eps = half_width(20, 40)
    assert all(half_width(int(res.held(h).sum()), 40) < eps for _, h in milestones(minimal))
    assert precision_reached(res, minimal, eps)
    assert not precision_reached(res, minimal, np.nextafter(eps, 0.0))


def test_precision_is_reached_when_a_milestone_half_width_equals_the_target(minimal):
    """As for P(agreement), a milestone's P(hold) whose half-width is exactly eps meets
    the target (here every run agreed, and half of them held)."""
    res = outcomes(40, 0, holding=20)
    eps = half_width(20, 40)
    assert [int(res.held(h).sum()) for _, h in milestones(minimal)] == [20] * len(milestones(minimal))
    assert half_width(40, 40) < eps
    assert precision_reached(res, minimal, eps)
    assert not precision_reached(res, minimal, np.nextafter(eps, 0.0))


def test_check_points_start_at_one_run_and_never_pass_the_maximum():
    """Called with a minimum above the maximum (as ``Runner.run``'s default minimum is
    with a small maximum), an adaptive run checks once, at the maximum: a first check
    past it would run more replications than allowed. A minimum of 0 checks first at
    one run: precision is never judged on none."""
    assert check_points(500, 200, 100) == [200]
    assert check_points(0, 300, 100) == [1, 100, 200, 300]


def test_the_survival_curve_starts_at_hour_zero_with_every_ceasefire_holding(minimal):
    """The curve is drawn from the start of the ceasefire: its first point is hour 0,
    where every agreed ceasefire still holds, even when the first collapse comes later."""
    curve = survival(outcomes(10, 5, holding=4), minimal)
    assert curve["hours"].tolist() == [0.0, 1.0, HORIZON]
    assert curve["share"].tolist() == pytest.approx([1.0, 0.4, 0.4])
    assert (curve["low"][0], curve["high"][0]) == wilson(10, 10)[1:]


# -- paired differences from the reference -----------------------------------------------


def test_a_difference_counts_the_pairs_not_the_points_replications(geneva):
    """Only replications both sides hold are paired: against a reference stopped after
    50 of 80, ``runs`` is the 50 pairs the interval rests on, not the point's 80."""
    other = with_overrides(geneva, {DETERRENCE: 0.9})
    with Runner(workers=1) as runner:
        ref_results = runner.run(geneva, 80, 5).results.below(50)
        full = runner.run(other, 80, 5).results
    diff = reference_difference(SweepPoint({}, other, full, {}), SweepPoint({}, geneva, ref_results, {}))
    want = compare(full.below(50), ref_results, geneva)
    assert diff["runs"] == 50
    assert diff["p_agreement"] == pytest.approx(want["p_agreement"])


def test_a_row_without_a_difference_leaves_its_difference_cells_empty(geneva):
    """A point built outside :func:`sim.experiments.run_sweep` (its summary as ``run
    --json`` gives it, without ``diff_from_reference``) is tabulated with empty
    difference cells, not refused."""
    with Runner(workers=1) as runner:
        res = runner.run(geneva, 10, 1).results
    head, rows = sweep_rows([SweepPoint({DETERRENCE: 0.6}, geneva, res, summarize(res, geneva, seed=1))])
    row = dict(zip(head, rows[0], strict=True))
    assert row["runs"] == 10 and row[DETERRENCE] == 0.6
    assert all(row[k] is None for k in head if k.startswith("d_"))


def test_a_sweep_of_no_points_has_an_empty_table():
    assert sweep_rows([]) == ([], [])


# -- paired comparisons -------------------------------------------------------------------


def test_a_comparison_of_different_milestones_is_refused_before_running(geneva, monkeypatch):
    """:func:`sim.comparison.paired` pairs P(hold) milestone by milestone: sides with other
    milestones are refused before either runs, whoever calls it, not after both ran."""
    monkeypatch.setattr(Runner, "run", lambda *a, **k: pytest.fail("ran a side"))
    moved = with_overrides(geneva, {"ceasefire.milestones.7d": 96.0})
    with Runner(workers=1) as runner, pytest.raises(ScenarioError, match="the same milestones"):
        paired(geneva, moved, runner, 10, 1)


def test_each_side_is_labelled_by_its_letter(geneva, monkeypatch):
    """The progress bar names the side running as the result names it, A then B."""
    labels = recording(monkeypatch)
    other = with_overrides(geneva, {DETERRENCE: 0.9})
    with Runner(workers=1) as runner:
        result, _, _, interrupted = paired(geneva, other, runner, 5, 1)
    assert labels == ["A", "B"]
    assert result["runs"] == 5 and not interrupted


@pytest.mark.parametrize(("at", "runs_a", "runs_b"), [(1, 0, 0), (2, 10, 0), (3, 20, 0)])
def test_a_comparison_stopped_before_b_ran_anything_is_interrupted(geneva, monkeypatch, at, runs_a,
                                                                   runs_b):
    """Stopped in A, or before B finished a replication, there is nothing to pair: the
    result is empty and must say it was interrupted, or the caller would report (and
    save) an empty comparison as finished."""
    interrupt_chunk(monkeypatch, at, size=10)  # A is items 1-2, B items 3-4
    with Runner(workers=1) as runner:
        result, a, b, interrupted = paired(geneva, with_overrides(geneva, {DETERRENCE: 0.9}),
                                           runner, 20, 1)
    assert (result, len(a), len(b), interrupted) == ({}, runs_a, runs_b, True)


def test_a_comparison_stopped_in_b_counts_the_pairs(geneva, monkeypatch):
    """Stopped half way through B, the comparison rests on the 10 replications both sides
    ran: ``runs`` and A's summary count those pairs, not the 20 A ran alone."""
    interrupt_chunk(monkeypatch, 4, size=10)  # B's second item
    with Runner(workers=1) as runner:
        result, a, b, interrupted = paired(geneva, with_overrides(geneva, {DETERRENCE: 0.9}),
                                           runner, 20, 1)
    assert (len(a), len(b), interrupted) == (20, 10, True)
    assert (result["runs"], result["a"]["runs"], result["b"]["runs"], result["diff"]["runs"]) == (
        10, 10, 10, 10)
    assert result["partial"] is True and result["b"]["partial"] is True


def test_a_comparison_side_b_s_error_stopped_raises_unless_the_caller_keeps_it(geneva,
                                                                               monkeypatch):
    """From Python, a lost worker in side B must not pass for a finished comparison: it
    is raised, as before; the command line asks for the partial comparison, with the
    error, to report and save it first. Either result copies and pickles whole."""
    import copy
    import pickle

    from sim.run_outcome import WorkerLostError

    other = with_overrides(geneva, {DETERRENCE: 0.9})
    interrupt_chunk(monkeypatch, 4, size=10, raising=LostWorkerError)  # B's second item
    with Runner(workers=1) as runner, pytest.raises(WorkerLostError):
        paired(geneva, other, runner, 20, 1)
    monkeypatch.undo()  # (the patch is made afresh, not on top of the first)
    interrupt_chunk(monkeypatch, 4, size=10, raising=LostWorkerError)
    with Runner(workers=1) as runner:
        kept = paired(geneva, other, runner, 20, 1, keep_partial=True)
    result, a, b, interrupted = kept
    assert isinstance(kept.error, WorkerLostError) and interrupted and result["partial"]
    assert (len(a), len(b), result["runs"]) == (20, 10, 10)
    for again in (copy.copy(kept), pickle.loads(pickle.dumps(kept))):
        assert again[0] == result and again[3] and isinstance(again.error, WorkerLostError)


# -- differences of values that are not indicators -----------------------------------------


def test_a_paired_difference_of_two_values_has_an_interval():
    """Two pairs are enough for a sample variance: with differences 1 and 3 the mean is 2
    and the standard error 1, not an interval of zero width."""
    d = paired_difference(np.array([1.5, 3.5]), np.array([0.5, 0.5]))
    assert d == pytest.approx({"estimate": 2.0, "low": 2.0 - Z95, "high": 2.0 + Z95})


@pytest.mark.parametrize("sides", [(0, 3), (3, 0)])
def test_an_independent_difference_with_one_side_empty_is_unknown(sides):
    """One run with no replications gives no estimate: every field is nan, as for a
    paired difference of nothing, not an interval of -1..1 around nan."""
    a, b = (np.ones(n, dtype=bool) for n in sides)
    d = independent_difference(a, b)
    assert all(math.isnan(d[f]) for f in ("estimate", "low", "high"))


def test_each_saved_side_names_itself(tmp_path):
    """``compare --out`` saves ``a/`` and ``b/``; each manifest says which side it holds,
    so a side moved or copied out of its comparison is still known for what it is."""
    out = tmp_path / "cmp"
    with contextlib.redirect_stdout(io.StringIO()):
        assert run_sim.main(["compare", str(DEFAULT), "--set", f"{DETERRENCE}=0.9", *QUICK,
                             "--out", str(out)]) == 0
    for side in ("a", "b"):
        assert json.loads((out / side / "manifest.json").read_text())["compare_side"] == side



def test_one_file_without_set_says_what_compare_needs(capsys):
    """One file and no ``--set`` has nothing to compare: the error says what would."""
    assert run_sim.main(["compare", str(DEFAULT), *QUICK]) == 2
    assert "two scenario files, or one file with --set KEY=VALUE" in capsys.readouterr().err


def test_the_sides_of_one_file_are_named_by_what_tells_them_apart(capsys):
    """Both sides of ``compare FILE --set`` have the scenario's name: the header says
    which one carries the values set and which is the file as written."""
    assert run_sim.main(["compare", str(DEFAULT), "--set", f"{DETERRENCE}=0.9", *QUICK]) == 0
    out = capsys.readouterr().out
    assert f"A: geneva_2016 with {DETERRENCE}=0.9" in out
    assert "B: geneva_2016 as written" in out



@pytest.mark.parametrize("count", [0, 3])
def test_compare_takes_one_or_two_files(count):
    """The command line always gives at least one file, but :func:`sim.comparison.sides`
    is called with what it is given: none, like three, is refused in words, not with an
    IndexError."""
    with pytest.raises(ScenarioError, match="one or two scenario files"):
        sides([DEFAULT] * count, [])


def test_two_files_are_named_apart_only_when_their_names_clash(tmp_path):
    """Two versions of one scenario share its name, so their paths tell them apart; two
    scenarios of their own names keep them, with any ``--set`` values applied to both."""
    copy = tmp_path / "geneva_2016.toml"
    copy.write_text(DEFAULT.read_text())
    assert sides([DEFAULT, copy], [])[2:] == (f"geneva_2016 ({DEFAULT})", f"geneva_2016 ({copy})")
    other = ROOT / "scenarios" / "geneva_no_colocation.toml"
    assert sides([DEFAULT, other], [])[2:] == ("geneva_2016", "geneva_no_colocation")
    a, b, name_a, name_b = sides([DEFAULT, other], [f"{DETERRENCE}=0.9"])
    assert (name_a, name_b) == (f"geneva_2016 with {DETERRENCE}=0.9",
                                f"geneva_no_colocation with {DETERRENCE}=0.9")
    assert a.spec.ceasefire.monitoring.deterrence == b.spec.ceasefire.monitoring.deterrence == 0.9



def test_milestones_that_differ_are_blamed_on_the_file_or_option_that_moved_them(tmp_path, capsys):
    """Of two files the second is named, against the first; a ``--set`` that moved them is
    named whichever side it is on, against the file as written, so the error points at
    what the user changed."""
    moved = tmp_path / "moved.toml"
    moved.write_text(DEFAULT.read_text().replace('"7d" = 168.0', '"7d" = 96.0'))
    assert run_sim.main(["compare", str(DEFAULT), str(moved), *QUICK]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {moved}: ceasefire.milestones: ")
    assert f"the same milestones as {DEFAULT} (" in err
    assert run_sim.main(["compare", str(DEFAULT), "--set", "ceasefire.milestones.7d=96.0", *QUICK]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {DEFAULT} with --set: ceasefire.milestones: bad value "
                          "{ 48h = 48.0, 7d = 96.0")
    assert f"the same milestones as {DEFAULT} ({{ 48h = 48.0, 7d = 168.0" in err


# -- summaries ----------------------------------------------------------------------------


def test_p_hold_given_agreement_is_over_the_agreed_runs(minimal):
    """4 of 10 agreed ceasefires held, in 20 runs: P(hold) is 0.2, but given agreement it
    is 0.4, the share of the ceasefires there were."""
    summary = summarize(outcomes(10, 10, holding=4), minimal, seed=1)
    for label, _ in milestones(minimal):
        assert summary["p_hold"][label] == interval(4, 20)
        assert summary["p_hold_given_agreement"][label] == interval(4, 10)


def test_collapse_shares_count_each_kind_of_collapse_on_its_own(minimal):
    """Misattributed collapses and collapses after a delineation hit are different
    findings: 1 of 4 and 3 of 4 here, each from its own column."""
    collapses = [replace(o, misattributed=i == 0, delineation_hit=o.collapsed and i > 0)
                 for i, o in enumerate(rows(4, 2))]
    summary = summarize(as_results(collapses), minimal, seed=1)
    assert (summary["misattributed_share"], summary["delineation_hit_share"]) == (0.25, 0.75)


def test_mean_violations_without_agreement_are_none(minimal):
    """With no ceasefire agreed there is nothing to violate: the mean is unknown (null in
    summary.json), not nan from averaging no runs."""
    summary = summarize(outcomes(0, 6), minimal, seed=1)
    assert summary["mean_violations"] == {"red": None, "blue": None}


def test_a_resumed_runs_speed_is_that_of_its_own_session(minimal):
    """Resumed with 6 of 10 runs saved, the session ran 4 in 2 seconds: 2 runs a second,
    not the 5 that counting the saved runs would claim."""
    summary = summarize(outcomes(5, 5), minimal, seed=1, wall_seconds=2.0, ran=4)
    assert (summary["runs"], summary["runs_this_session"], summary["runs_per_second"]) == (10, 4, 2.0)
    summary = summarize(outcomes(5, 5), minimal, seed=1, wall_seconds=0.5)
    assert summary["runs_per_second"] == 20.0  # under a second is still a speed


def test_a_comparison_reports_beside_the_paired_interval_the_independent_one(minimal):
    """The independent interval shows what pairing buys; were it the paired one again the
    two would always agree and the report would show no gain."""
    a, b = outcomes(10, 10, holding=5), outcomes(12, 8, holding=3)
    diff = compare(a, b, minimal)
    agreed_a, agreed_b = a.columns["agreed"], b.columns["agreed"]
    assert diff["independent_p_agreement"] == independent_difference(agreed_a, agreed_b)
    assert diff["independent_p_agreement"] != paired_difference(agreed_a, agreed_b)
    for label, hours in milestones(minimal):
        want = independent_difference(a.held(hours), b.held(hours))
        assert diff["independent_p_hold"][label] == want
        assert want != paired_difference(a.held(hours), b.held(hours))


def test_a_point_stopped_at_its_first_replication_leaves_no_checkpoint_behind(geneva):
    """A point a replication stopped before any it keeps was neither yielded nor saved,
    so a checkpoint saved earlier (holding replications past the failure, which other
    workers had finished) stayed, and a resume took them for the point's own."""
    from sim.experiments import run_sweep
    from sim.records import Results
    from sim.run_outcome import RunOutcome

    error = ScenarioError("f.toml", "ceasefire.max_acts", 60, "a larger limit")
    error.replication = 0

    class Failing:
        def run(self, scenario, runs, seed, **kwargs):
            empty = Results.empty(scenario.issues, ("jfs", "opposition", "regime"), scenario.order)
            return RunOutcome(empty, False, 0.0, runs, error=error)

    saved = []
    todo = [({"x": 1}, geneva)]
    with pytest.raises(ScenarioError):
        list(run_sweep(todo, Failing(), 10, 1,
                       checkpoint=lambda k, params, scenario, results: saved.append(len(results))))
    assert saved == [0]
