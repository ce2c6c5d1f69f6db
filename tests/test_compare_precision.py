"""``compare --precision EPS``: both sides run in step, batch by batch, until the paired
95% interval of every difference A - B has a half-width of at most EPS; where it stops
does not depend on the workers, and an interrupted adaptive comparison resumes to the
one never interrupted."""

from __future__ import annotations

import contextlib
import io
import json

import numpy as np
import pytest
from helpers import DEFAULT, LostWorkerError, cli, contents, copy_sides, interrupt_chunk, interrupt_cli

import run_sim
from sim.comparison import paired
from sim.errors import ScenarioError
from sim.runner import Runner
from sim.scenario import load_scenario
from sim.stats import compare as differences

COUNTERFACTUAL = "ceasefire.monitoring.coverage=0.5"
EPS = 0.035
"""Met at 600 runs of the counterfactual against the default scenario (widest half-width
0.0336, at 30 days), not at 500 (0.0364)."""


def sides():
    return load_scenario(DEFAULT, [COUNTERFACTUAL]), load_scenario(DEFAULT)


def widest(a, b, scenario) -> float:
    """The widest half-width among the paired intervals, computed from the comparison's
    own table of differences (not the stopping rule's)."""
    d = differences(a, b, scenario)
    cells = [d["p_agreement"], *d["p_hold"].values()]
    return max((c["high"] - c["low"]) / 2 for c in cells)


def adaptive(runner, **kwargs):
    a, b = sides()
    bounds = {"min_runs": 100, "max_runs": 2000, "batch": 100, **kwargs}
    return paired(a, b, runner, 0, 2016, precision=bounds.pop("precision", EPS), **bounds)


def test_it_stops_at_the_first_check_point_where_every_difference_is_that_precise():
    with Runner(workers=1, progress=False) as runner:
        result, ra, rb, interrupted = adaptive(runner)
    assert not interrupted and result["runs"] == len(ra) == len(rb) == 600
    assert result["precision"] == {"target": EPS, "met": True, "runs": 600}
    a, _ = sides()
    assert widest(ra, rb, a) <= EPS < widest(ra.below(500), rb.below(500), a)
    # the differences are those of a comparison of that size
    with Runner(workers=1, progress=False) as runner:
        fixed, *_ = paired(*sides(), runner, 600, 2016)
    assert result["diff"] == fixed["diff"]


def test_where_it_stops_does_not_depend_on_the_workers_or_the_work_items():
    with Runner(workers=1, progress=False) as runner:
        one, ra1, rb1, _ = adaptive(runner)
    with Runner(workers=2, chunk=37, progress=False) as runner:
        two, ra2, rb2, _ = adaptive(runner)
    assert one["runs"] == two["runs"] and one["diff"] == two["diff"]
    assert ra1.same_as(ra2) and rb1.same_as(rb2)


def test_one_that_cannot_be_met_stops_at_max_runs_and_says_so():
    with Runner(workers=1, progress=False) as runner:
        result, ra, _, interrupted = adaptive(runner, precision=0.001, max_runs=250)
    assert not interrupted and len(ra) == 250
    assert result["precision"] == {"target": 0.001, "met": False, "runs": 250}


def test_a_bad_precision_from_python_is_refused_before_anything_runs():
    with Runner(workers=1, progress=False) as runner, pytest.raises(ScenarioError) as err:
        adaptive(runner, min_runs=300, max_runs=200)
    assert "min_runs" in str(err.value)


def test_the_sides_are_checkpointed_together_between_batches():
    """The batches are far shorter than a checkpoint interval: a checkpoint that only
    came due inside a batch would never save an adaptive comparison at all."""
    saved = []
    a, b = sides()
    with Runner(workers=1, progress=False) as runner:
        paired(a, b, runner, 0, 2016, checkpoint=lambda side, sc, res, other:
               saved.append((side, len(res))), checkpoint_every=0.0, precision=EPS,
               min_runs=100, max_runs=2000, batch=100)
    # after each batch both sides are saved with all the batch's runs: side A again once
    # side B has caught up (within a side's run, only the side running is saved)
    for n in range(100, 600, 100):
        last_a = max(k for k, s in enumerate(saved) if s == ("a", n))
        first_b = min(k for k, s in enumerate(saved) if s == ("b", n))
        assert last_a > first_b


def compare(out, *extra: str) -> int:
    args = ["compare", str(DEFAULT), "--set", COUNTERFACTUAL, "--workers", "1",
            "--no-progress", "--out", str(out), *extra]
    with contextlib.redirect_stdout(io.StringIO()):
        return run_sim.main(args)


ADAPTIVE = ("--precision", str(EPS), "--min-runs", "300", "--max-runs", "700")
"""Checks at 300 runs (not met) and 700 (met)."""


@pytest.fixture(scope="module")
def whole(tmp_path_factory):
    """The adaptive comparison, never interrupted."""
    out = tmp_path_factory.mktemp("whole") / "compare"
    assert compare(out, *ADAPTIVE) == 0
    return out


def test_the_command_reports_where_it_stopped(whole, capsys):
    saved = json.loads((whole / "compare.json").read_text())
    assert saved["precision"] == {"target": EPS, "met": True, "runs": 700}
    assert saved["runs"] == 700 and not saved["partial"]
    manifest = json.loads((whole / "a" / "manifest.json").read_text())
    assert manifest["precision"] == EPS and manifest["runs_requested"] is None
    args = ["compare", str(DEFAULT), "--set", COUNTERFACTUAL, "--workers", "1",
            "--no-progress", *ADAPTIVE]
    assert run_sim.main(args) == 0
    assert (f"precision {EPS} (a 95% half-width of 3.5 pp) on every paired difference: "
            "reached after 700 runs") in capsys.readouterr().out


@pytest.mark.parametrize(("item", "paired_runs"), [(4, 250), (5, 300), (8, 550)])
def test_an_interrupted_adaptive_comparison_resumes_to_the_uninterrupted_one(
        tmp_path, monkeypatch, whole, item, paired_runs, capsys):
    """Work items of 250 runs: the first batch (300 runs) takes items 1-2 in side A and
    3-4 in side B, the second (to 700) items 5-6 and 7-8. Stopped in the first batch's
    side B, in the second batch's side A, or in its side B, the pairs both sides
    finished are compared, and the resume, taking the saved precision, equals the
    comparison never stopped."""
    out = tmp_path / "compare"
    interrupt_chunk(monkeypatch, item, size=250)
    assert compare(out, *ADAPTIVE) == 130
    monkeypatch.undo()
    stopped = json.loads((out / "compare.json").read_text())
    assert stopped["partial"] is True and stopped["runs"] == paired_runs
    assert stopped["precision"] == {"target": EPS, "met": False, "runs": paired_runs}
    for side in ("a", "b"):  # both saved, marked partial, though side A finished a batch
        assert json.loads((out / side / "summary.json").read_text())["partial"] is True
    capsys.readouterr()
    assert compare(out, "--resume") == 0
    assert (f"resuming with the saved comparison's --precision {EPS} --min-runs 300 "
            "--max-runs 700") in capsys.readouterr().err
    for side in ("a", "b"):
        assert (out / side / "runs.csv").read_bytes() == (whole / side / "runs.csv").read_bytes()
    done, ref = (json.loads((d / "compare.json").read_text()) for d in (out, whole))
    assert done["diff"] == ref["diff"] and done["precision"] == ref["precision"]


def test_a_resume_that_would_drop_saved_runs_is_refused_before_anything_changes(
        tmp_path, whole, capsys):
    """A larger precision, met before the saved runs end, is refused before the saved
    comparison's result is dropped (as a resume drops it, to write it again)."""
    out = tmp_path / "compare"
    copy_sides(whole, out)
    (out / "compare.json").write_bytes((whole / "compare.json").read_bytes())
    before = contents(out)
    assert compare(out, "--resume", "--precision", "0.2", "--min-runs", "300") == 2
    err = capsys.readouterr().err
    assert ("a precision that is not met before the saved runs end: --precision 0.2 with "
            "these bounds is met at 300 replications, and a side holds 400 more") in err
    assert contents(out) == before


def test_from_python_the_same_refusal_comes_once_the_sides_have_run_and_keeps_them():
    """Met at a check point past what one side holds, the refusal comes only once it has
    run: each side is saved first with all it holds, the new runs with the old."""
    a, b = sides()
    saved = {}
    with Runner(workers=1, progress=False) as runner:
        _, ra, _, _ = paired(a, b, runner, 400, 2016)
        _, _, rb, _ = paired(a, b, runner, 50, 2016)
        with pytest.raises(ScenarioError, match="met at 100 replications, and a side holds 300"):
            paired(a, b, runner, 0, 2016, existing=(ra, rb), precision=0.2, min_runs=100,
                   batch=100, save=lambda side, sc, run, other: saved.update({side: run}))
    assert len(saved["a"].results) == 400 and len(saved["b"].results) == 100
    assert saved["a"].partial and saved["b"].partial


def test_a_resume_given_only_a_bound_keeps_the_saved_precision(tmp_path, whole, capsys):
    out = tmp_path / "compare"
    copy_sides(whole, out)
    assert compare(out, "--resume", "--max-runs", "800") == 0
    assert (f"resuming with the saved comparison's --precision {EPS} --min-runs 300 (and the "
            "--max-runs given)") in capsys.readouterr().err
    # (the check points are 300, then --max-runs: met at 800)
    assert json.loads((out / "compare.json").read_text())["precision"] == {
        "target": EPS, "met": True, "runs": 800}


def test_a_resume_given_a_new_precision_keeps_the_saved_bounds(tmp_path, whole, capsys):
    """Saved to check at 300 and 700: a looser precision still met only at 700 stops
    there, where the default bounds (first check at 1,000) would have run on."""
    out = tmp_path / "compare"
    copy_sides(whole, out)
    assert compare(out, "--resume", "--precision", "0.036") == 0
    assert ("resuming with the saved comparison's --min-runs 300 --max-runs 700 (and the "
            "--precision given)") in capsys.readouterr().err
    assert json.loads((out / "compare.json").read_text())["precision"] == {
        "target": 0.036, "met": True, "runs": 700}

@pytest.mark.parametrize(("extra", "says"), [
    (("--runs", "500", "--precision", "0.03"), "only without --precision"),
    (("--min-runs", "500"), "only with --precision"),
    (("--runs", "500", "--precision", "0.03", "--param", "ceasefire.monitoring.deterrence=0.3,0.6"),
     "only without --precision"),
])
def test_options_that_do_not_go_together_are_refused(tmp_path, capsys, extra, says):
    assert compare(tmp_path / "c", *extra) == 2
    assert says in capsys.readouterr().err
    assert not (tmp_path / "c").exists()


def test_the_stopping_rule_reads_every_milestone():
    """A difference that is wide at one milestone alone keeps the comparison going."""
    from sim.precision import difference_reached

    a, b = sides()
    with Runner(workers=1, progress=False) as runner:
        _, ra, rb, _ = paired(a, b, runner, 600, 2016)
    assert difference_reached(ra, rb, a, EPS)
    assert not difference_reached(ra, rb, a, 0.03)  # the 30-day difference is 0.0336 wide
    assert not difference_reached(ra.below(0), rb.below(0), a, EPS)
    with pytest.raises(ValueError, match="same replications"):  # pairs matched by position
        difference_reached(ra.below(300), rb.below(200), a, EPS)


def test_a_stop_between_batches_stops_the_next_one_keeping_both_sides(monkeypatch):
    """A Ctrl-C that comes while the precision is checked, between two batches, is
    taken up by the next batch, which stops at once: the comparison returns what both
    sides finished, marked partial, instead of losing it to a KeyboardInterrupt."""
    import signal

    import sim.comparison

    real, checks = sim.comparison.difference_reached, []

    def interrupted_check(*args):
        checks.append(1)
        if len(checks) == 1:
            signal.raise_signal(signal.SIGINT)
        return real(*args)

    monkeypatch.setattr(sim.comparison, "difference_reached", interrupted_check)
    with Runner(workers=1, progress=False) as runner:
        result, ra, rb, interrupted = adaptive(runner)
    assert interrupted and result["partial"] and len(checks) == 1
    assert result["runs"] == 100 and len(rb) == 100 <= len(ra)
    assert result["precision"] == {"target": EPS, "met": False, "runs": 100}


def test_ctrl_c_stops_an_adaptive_comparison_on_two_workers_and_resume_completes_it(tmp_path):
    """A real Ctrl-C, some batches in, on a pool of two workers: exit 130, both sides
    saved and compared on what both finished; resumed (here to a smaller --max-runs,
    to stay quick) it equals a comparison never stopped."""
    out, fresh = tmp_path / "stopped", tmp_path / "fresh"
    setting = ["compare", str(DEFAULT), "--set", COUNTERFACTUAL, "--workers", "2",
               "--no-progress", "--precision", "0.002"]
    proc = interrupt_cli([*setting, "--max-runs", "400000", "--out", str(out)], after=4.0)
    assert proc.returncode == 130, proc.stderr
    assert "Traceback" not in proc.stderr
    stopped = json.loads((out / "compare.json").read_text())
    assert stopped["partial"] is True and stopped["precision"]["met"] is False
    held = max(json.loads((out / side / "summary.json").read_text())["runs"]
               for side in ("a", "b"))
    assert 0 < stopped["runs"] <= held < 400000
    most = (held // 2000 + 2) * 2000  # a check point past what either side holds
    resumed = cli(*setting, "--max-runs", str(most), "--out", str(out), "--resume")
    assert resumed.returncode == 0, resumed.stderr
    direct = cli(*setting, "--max-runs", str(most), "--out", str(fresh))
    assert direct.returncode == 0, direct.stderr
    for side in ("a", "b"):
        assert (out / side / "runs.csv").read_bytes() == (fresh / side / "runs.csv").read_bytes()
    done, ref = (json.loads((d / "compare.json").read_text()) for d in (out, fresh))
    assert done["precision"] == ref["precision"] == {"target": 0.002, "met": False, "runs": most}


def test_a_side_stopped_with_a_gap_below_the_check_point_holds_each_replication_once(
        monkeypatch):
    """A side saved with a gap (0-99, then 200-399) and stopped at once while filling
    it returned what it was given; the replications past the check point were added to
    it a second time, and the saved side could not be read back."""
    a, b = sides()
    with Runner(workers=1, progress=False) as runner:
        _, held_a, held_b, _ = paired(a, b, runner, 400, 2016)
    keep = np.r_[0:100, 200:400]
    gappy = (held_a.among(keep), held_b.among(keep))
    interrupt_chunk(monkeypatch, 1, size=250)
    with Runner(workers=1, progress=False) as runner:
        result, ra, rb, interrupted = paired(a, b, runner, 0, 2016, existing=gappy,
                                             precision=EPS, min_runs=150, batch=100)
    assert interrupted
    for side in (ra, rb):
        reps = side.columns["replication"]
        assert len(np.unique(reps)) == len(reps) == 300
    assert result["runs"] == 300 and result["partial"]


def test_nothing_to_pair_is_an_empty_result_even_when_side_b_holds_runs(monkeypatch):
    """Side B saved by a checkpoint, side A not, and A stopped before its first item:
    the result held 0 pairs and NaN intervals, which the text report could not print."""
    a, b = sides()
    with Runner(workers=1, progress=False) as runner:
        _, _, held_b, _ = paired(a, b, runner, 200, 2016)
    interrupt_chunk(monkeypatch, 1, size=250)
    with Runner(workers=1, progress=False) as runner:
        result, ra, rb, interrupted = paired(a, b, runner, 0, 2016, existing=(None, held_b),
                                             precision=EPS, min_runs=100, batch=100)
    assert result == {} and interrupted and len(ra) == 0 and len(rb) == 200


def test_an_error_in_side_a_of_a_later_batch_keeps_the_pairs_both_finished(monkeypatch):
    """Work items of 50: batch 1 (100 runs) is items 1-4, batch 2's side A items 5-6.
    A lost worker there leaves 100 pairs, which keep_partial returns with the error, as
    it does for one in side B."""
    interrupt_chunk(monkeypatch, 6, size=50, raising=LostWorkerError)
    with Runner(workers=1, progress=False) as runner:
        pair = adaptive(runner, keep_partial=True)
        result, ra, rb, interrupted = pair
    assert interrupted and result["partial"] and result["runs"] == 100
    assert isinstance(pair.error, LostWorkerError) and "error" in result["a"]
    assert "error" not in result["b"] and len(ra) == 150 and len(rb) == 100
    from sim.comparison import difference_precision_line
    assert "not reached when an error stopped it after 100 runs" in difference_precision_line(
        result)
    monkeypatch.undo()  # (a fresh count of work items, not one patch wrapping the other)
    interrupt_chunk(monkeypatch, 6, size=50, raising=LostWorkerError)
    with Runner(workers=1, progress=False) as runner, pytest.raises(LostWorkerError):
        adaptive(runner)


def test_a_stop_as_the_last_batch_ends_keeps_the_whole_comparison_from_python(monkeypatch):
    """With no command around it, a Ctrl-C that came as the precision was met was raised
    as the sides were about to be saved: the comparison, whole, was lost."""
    import signal

    import sim.comparison

    real = sim.comparison.difference_reached

    def met_as_a_stop_comes(*args):
        met = real(*args)
        if met:
            signal.raise_signal(signal.SIGINT)
        return met

    monkeypatch.setattr(sim.comparison, "difference_reached", met_as_a_stop_comes)
    saved = []
    a, b = sides()
    with Runner(workers=1, progress=False) as runner:
        result, _, _, interrupted = paired(
            a, b, runner, 0, 2016, precision=EPS, min_runs=100, batch=100,
            save=lambda side, sc, run, other: saved.append(side))
    assert not interrupted and result["precision"]["met"] and saved == ["a", "b"]


def test_a_refusal_found_once_the_sides_have_run_names_a_way_on_that_works(
        tmp_path, monkeypatch, whole, capsys):
    """A fixed comparison of 700 stopped in side B (250 of its runs kept), resumed with
    a precision met at 300: side B runs to 300 first, so the refusal comes late, once
    both sides are saved with the new precision. It named 'the saved precision' as a
    way on, which was then this one, refused again; it names a --runs that keeps all."""
    out = tmp_path / "compare"
    interrupt_chunk(monkeypatch, 5, size=250)
    assert compare(out, "--runs", "700") == 130
    monkeypatch.undo()
    capsys.readouterr()
    assert compare(out, "--resume", "--precision", "0.2", "--min-runs", "300") == 2
    err = capsys.readouterr().err
    assert ("--precision 0.2 with these bounds is met at 300 replications, and a side holds "
            "400 more, which finishing here would drop (all are kept); resume with --runs 700 "
            "or more") in err
    assert json.loads((out / "b" / "summary.json").read_text())["runs"] == 300
    assert compare(out, "--resume", "--runs", "700") == 0
    for side in ("a", "b"):
        assert (out / side / "runs.csv").read_bytes() == (whole / side / "runs.csv").read_bytes()
