"""``compare ... --param``: a paired comparison at every point of a grid. Each point is
the comparison ``compare`` makes with the point's values set on both sides; ``--out``
saves each point as it finishes, and ``--resume`` finishes an interrupted sweep as if it
had never been interrupted."""

from __future__ import annotations

import contextlib
import csv
import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from helpers import DEFAULT, ROOT, LostWorkerError, interrupt_chunk

import run_sim
from sim.compare_sweep import compare_sweep_text, pair_rows
from sim.comparison import paired
from sim.output import jsonable, resume_advice
from sim.runner import Runner
from sim.scenario import load_scenario

LEVER = "ceasefire.monitoring.coverage=0.5"
JUDGEMENT = "parties.opposition.behaviour.sensitivity"
OTHER = ROOT / "scenarios" / "geneva_full_delineation.toml"


def cli(*args: str) -> tuple[int, str]:
    """Exit status and standard output of ``run_sim.py ARGS`` run in-process."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = run_sim.main([*args, "--workers", "1", "--no-progress"])
    return status, out.getvalue()


def sweep(out=None, *extra: str, runs: str | None = "500",
          values: str = "0.05,0.12") -> tuple[int, str]:
    return cli("compare", str(DEFAULT), "--set", LEVER, "--param", f"{JUDGEMENT}={values}",
               *(["--runs", runs] if runs else []), *(["--out", str(out)] if out else []),
               *extra)


@pytest.fixture(scope="module")
def whole(tmp_path_factory):
    """A comparison sweep of two points, never interrupted, saved."""
    out = tmp_path_factory.mktemp("whole") / "pairs"
    assert sweep(out)[0] == 0
    return out


def test_each_point_is_the_comparison_of_its_values_set_on_both_sides():
    """The one-file form: A is the file with --set and the point's values, B the file
    with the point's values alone, both on the run's seed."""
    status, text = sweep(None, "--json", runs="300")
    assert status == 0
    points = json.loads(text)
    assert [p["params"] for p in points] == [{JUDGEMENT: 0.05}, {JUDGEMENT: 0.12}]
    runner = Runner(workers=1)
    for point in points:
        at = f"{JUDGEMENT}={point['params'][JUDGEMENT]}"
        alone, *_ = paired(load_scenario(DEFAULT, [LEVER, at]), load_scenario(DEFAULT, [at]),
                           runner, 300, 2016)
        assert point["diff"] == json.loads(json.dumps(jsonable(alone["diff"])))
        assert point["a"]["p_hold"] == jsonable(alone["a"]["p_hold"])
    # the lever matters more where the opposition loses trust faster
    hold = [p["diff"]["p_hold"]["30d"]["estimate"] for p in points]
    assert hold[1] < hold[0] < 0.01


def test_two_files_take_the_values_on_both_sides():
    """The two-file form equals ``compare A B --set`` at each value."""
    status, text = cli("compare", str(DEFAULT), str(OTHER), "--param", f"{JUDGEMENT}=0.1",
                       "--runs", "200", "--json")
    assert status == 0
    (point,) = json.loads(text)
    status, text = cli("compare", str(DEFAULT), str(OTHER), "--set", f"{JUDGEMENT}=0.1",
                       "--runs", "200", "--json")
    assert status == 0
    alone = json.loads(text)
    assert point["diff"] == alone["diff"] and point["b"]["p_hold"] == alone["b"]["p_hold"]
    assert point["diff"]["p_hold"]["30d"]["estimate"] != 0.0  # the files differ there


def test_saved_table_and_points(whole):
    """``compare_sweep.csv`` has a row per point, each side and the difference with
    their intervals; each point is a comparison directory."""
    with (whole / "compare_sweep.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    assert [float(r[JUDGEMENT]) for r in rows] == [0.05, 0.12]
    for k, row in enumerate(rows):
        saved = json.loads((whole / "pairs" / f"{k:03d}" / "compare.json").read_text())
        assert saved["params"] == {JUDGEMENT: float(row[JUDGEMENT])}
        assert float(row["d_hold_30d"]) == pytest.approx(saved["diff"]["p_hold"]["30d"]["estimate"])
        assert float(row["d_hold_30d_low"]) == pytest.approx(saved["diff"]["p_hold"]["30d"]["low"])
        assert float(row["a_agreement"]) == pytest.approx(saved["a"]["p_agreement"]["estimate"])
        assert float(row["b_hold_7d_high"]) == pytest.approx(saved["b"]["p_hold"]["7d"]["high"])
        assert row["runs"] == "500" and row["partial"] == "0"
        for side in ("a", "b"):
            manifest = json.loads((whole / "pairs" / f"{k:03d}" / side / "manifest.json").read_text())
            assert manifest["pair_point"] == saved["params"] and manifest["compare_side"] == side
            # its figures, drawn alone, name the point
            summary = json.loads((whole / "pairs" / f"{k:03d}" / side / "summary.json").read_text())
            assert summary["params"] == saved["params"] == saved[side]["params"]


@pytest.mark.parametrize(("at", "said"), [(2, "during point 1 of 2; no point was compared"),
                                          (5, "after point 1 of 2"),
                                          (6, "during point 2 of 2")])
def test_a_resumed_sweep_equals_one_never_interrupted(tmp_path, monkeypatch, capsys, whole, at,
                                                      said):
    """Stopped in the first point's side A, before the second point's first work item
    finished, or after it: what finished is kept, and the resume pairs exactly what
    an uninterrupted sweep does."""
    out = tmp_path / "pairs"
    interrupt_chunk(monkeypatch, at, size=250)
    assert sweep(out)[0] == 130
    err = capsys.readouterr().err
    assert f"interrupted {said}" in err
    assert f"finish with 'compare ... --param ... --resume --out {out}'" in err
    assert (out / "pairs" / "000" / "a" / "runs.csv").exists()
    monkeypatch.undo()
    ran = counting_items(monkeypatch)
    assert sweep(out, "--resume", runs=None)[0] == 0
    assert "resuming with the saved comparison sweep's --runs 500" in capsys.readouterr().err
    assert len(ran) == 8 - (at - 1)  # 2 points x 2 sides x 2 items; those finished are kept
    for k in range(2):
        for side in ("a", "b"):
            part = f"pairs/{k:03d}/{side}/runs.csv"
            assert (out / part).read_bytes() == (whole / part).read_bytes()
    assert (out / "compare_sweep.csv").read_bytes() == (whole / "compare_sweep.csv").read_bytes()


def test_a_resume_that_drops_points_never_started_is_refused(tmp_path, monkeypatch, capsys):
    """Stopped in the first point, a resume with the first value alone ended a
    one-point comparison sweep, though one stopped in the second point was refused."""
    out = tmp_path / "pairs"
    interrupt_chunk(monkeypatch, 2, size=250)
    assert sweep(out)[0] == 130
    monkeypatch.undo()
    capsys.readouterr()
    assert sweep(out, "--resume", values="0.05")[0] == 2
    assert (f"the grid of the comparison sweep saved in {out}, last run as a grid of 2 points"
            in capsys.readouterr().err)


def counting_items(monkeypatch) -> list[object]:
    """Work items of 250 replications, each counted as it runs."""
    import sim.chunks

    monkeypatch.setattr(sim.chunks.Sizer, "size", lambda self: self.fixed or 250)
    real, calls = sim.chunks.run_chunk, []

    def counted(*args):
        calls.append(args)
        return real(*args)

    monkeypatch.setattr(sim.chunks, "run_chunk", counted)
    return calls


def test_resume_takes_the_saved_seed(tmp_path, monkeypatch, capsys):
    out = tmp_path / "pairs"
    interrupt_chunk(monkeypatch, 3, size=100)
    assert sweep(out, "--seed", "7", runs="200")[0] == 130
    monkeypatch.undo()
    assert sweep(out, "--resume", runs=None)[0] == 0
    assert "resuming with the saved --seed 7" in capsys.readouterr().err
    manifest = json.loads((out / "pairs" / "001" / "b" / "manifest.json").read_text())
    assert manifest["seed"] == 7


@pytest.mark.parametrize(("args", "says"), [
    (("--param", f"{JUDGEMENT}=0.05,0.13"), "--param: bad value"),
    (("--param", "parties.regime.behaviour.sensitivity=0.05,0.12"), "--param: bad value"),
    # fewer points, and another value: the value is named, the likelier slip
    (("--param", f"{JUDGEMENT}=0.04"), "the values of point 000 of the comparison sweep"),
])
def test_a_resume_with_other_values_is_refused(tmp_path, whole, capsys, args, says):
    out = tmp_path / "pairs"
    import shutil

    shutil.copytree(whole, out)
    status, _ = cli("compare", str(DEFAULT), "--set", LEVER, *args, "--out", str(out), "--resume")
    assert status == 2
    assert says in capsys.readouterr().err


def test_refusals(tmp_path, whole, capsys):
    """A --param that would replace the lever; a plain comparison resumed in a
    comparison sweep's directory; a point's side resumed as a run."""
    status, _ = cli("compare", str(DEFAULT), "--set", LEVER, "--param",
                    "ceasefire.monitoring.coverage=0.3,0.4", "--runs", "50")
    assert status == 2
    assert "the --set values are the change compared (A) with the file as written (B)" in \
        capsys.readouterr().err
    status, _ = cli("compare", str(DEFAULT), "--set", LEVER, "--out", str(whole), "--resume")
    assert status == 2
    assert "comparison sweep" in capsys.readouterr().err
    status, _ = cli("run", "--out", str(whole / "pairs" / "000" / "a"), "--resume")
    assert status == 2
    err = capsys.readouterr().err
    assert "a side of a point of the comparison sweep" in err
    assert f"'compare ... --param ... --resume --out {whole}'" in err
    manifest = json.loads((whole / "pairs" / "001" / "b" / "manifest.json").read_text())
    assert resume_advice(whole / "pairs" / "001" / "b", manifest) == \
        f"'compare ... --param ... --resume --out {whole}'"


def test_text_and_rows_of_a_partial_sweep(whole):
    results = [json.loads((whole / "pairs" / f"{k:03d}" / "compare.json").read_text())
               for k in range(2)]
    results[-1]["partial"] = True
    text = compare_sweep_text(results, [JUDGEMENT], ("lever", "as written"), 3, 500)
    assert "Paired comparison at 2 of 3 points, 500 common-random-number" in text
    assert "PARTIAL" in text and "A: lever" in text and "B: as written" in text
    assert "sensitivity: " + JUDGEMENT in text
    d = results[1]["diff"]["p_hold"]["30d"]
    assert f"{100 * d['estimate']:+.1f}" in text
    head, rows = pair_rows(results)
    assert head[:2] == [JUDGEMENT, "runs"] and head[-1] == "partial"
    assert [r[-1] for r in rows] == [0, 1]


def test_figure_shows_each_points_difference(tmp_path):
    """The figure's lower panel holds each point's paired difference, in order of the
    swept value; --plot writes it."""
    out = tmp_path / "pairs"
    assert sweep(out, "--plot", runs="200", values="0.12,0.05,0.085")[0] == 0
    assert (out / "compare_sweep.png").stat().st_size > 10_000
    from plots import figures

    results, points = saved_points(out, 3)
    (drawn,) = figures("compare_sweep", points=points, params=[JUDGEMENT], names=("A", "B"))
    got = drawn.data["differences"]["hold 30d"]["estimate"]
    assert list(got) == [r["diff"]["p_hold"]["30d"]["estimate"] for r in results]
    assert list(drawn.data["x"]) == [0.12, 0.05, 0.085]
    assert "A, B" not in drawn.data["caption"] and "1,000" not in drawn.data["caption"]
    # above, each side's estimate with its interval: without one, they looked exact
    top = drawn.figure.axes[0]
    bars = {tuple(np.round(seg[:, 1], 12)) for coll in top.collections
            for seg in coll.get_segments()}
    for r in results:
        for side in ("a", "b"):
            hold = r[side]["p_hold"]["30d"]
            assert (round(hold["low"], 12), round(hold["high"], 12)) in bars
    # each quantity's A and B bars a little apart around each point, not one column
    # hiding the others (agreement and three milestones: eight columns a point)
    columns = {round(float(seg[0, 0]), 9) for coll in top.collections for seg in coll.get_segments()}
    assert len(columns) == 2 * 4 * len(results)

@pytest.mark.parametrize("value", ["ceasefire.imposed.verification=0.5,1.0", "ceasefire.imposed={}"])
def test_values_that_make_two_files_the_same_scenario_are_refused(capsys, value):
    """The verification file differs from the default only in what it imposes: a
    --param that sets that too leaves nothing to compare (every difference +0.0)."""
    status, _ = cli("compare", str(ROOT / "scenarios" / "geneva_real_verification.toml"),
                    str(DEFAULT), "--param", value, "--runs", "50")
    assert status == 2
    err = capsys.readouterr().err
    assert "A and B are the same scenario (they differ in ceasefire.imposed.verification" in err
    assert "{  }" not in err


def test_a_resume_that_adds_runs_drops_the_stale_table_at_once(tmp_path, monkeypatch, whole):
    """Interrupted at once, a resume asking for more runs leaves no table or point
    result that still shows the old count beside the sides it has grown."""
    import shutil

    out = tmp_path / "pairs"
    shutil.copytree(whole, out)
    interrupt_chunk(monkeypatch, 1, size=250)
    assert sweep(out, "--resume", runs="1000")[0] == 130
    assert not (out / "compare_sweep.csv").exists()
    assert not any((out / "pairs").glob("*/compare.json"))
    monkeypatch.undo()
    assert sweep(out, "--resume", runs="1000")[0] == 0
    assert (out / "compare_sweep.csv").exists() and len(list((out / "pairs").glob("*/compare.json"))) == 2


def test_plot_of_a_comparison_sweep_with_no_point_compared_points_to_its_sides(
        whole, tmp_path, capsys):
    """With a comparison saved, 'plot' draws the sweep's figure (test_plot_saved); a sweep
    stopped before its first point was compared has only sides to draw."""
    import shutil

    out = tmp_path / "pairs"
    shutil.copytree(whole, out)
    for record in out.glob("pairs/*/compare.json"):
        record.unlink()
    assert run_sim.main(["plot", str(out)]) == 2
    assert f"holds a comparison sweep, not a run: the sides of its points are the run " \
           f"directories to plot ('plot {out}/pairs/000/a')" in capsys.readouterr().err


def test_resume_without_out_names_the_comparison_sweep(capsys):
    assert sweep(None, "--resume")[0] == 2
    assert "--resume needs --out DIR of the earlier comparison sweep to finish" in \
        capsys.readouterr().err


def test_a_resume_stopped_in_a_side_a_says_the_figure_is_stale(tmp_path, monkeypatch, capsys):
    """A resume that grew a point's side A, then stopped before its side B, leaves the
    figure drawn before showing fewer runs: it says so."""
    out = tmp_path / "pairs"
    assert sweep(out, "--plot", runs="300", values="0.05")[0] == 0
    capsys.readouterr()
    interrupt_chunk(monkeypatch, 2, size=250)
    assert sweep(out, "--resume", runs="1000")[0] == 130
    err = capsys.readouterr().err
    assert f"note: compare_sweep.png in {out} shows the runs saved before this resume" in err


def test_a_lost_worker_keeps_the_running_point_s_pairs(tmp_path, monkeypatch, capsys, whole):
    """A lost worker in the second point's side B: the point is shown and saved with the
    pairs both sides finished, as after Ctrl-C, and the resume ends as if never stopped."""
    out = tmp_path / "pairs"
    interrupt_chunk(monkeypatch, 8, size=250, raising=LostWorkerError)
    status, printed = sweep(out)
    assert status == 1
    assert "the comparison sweep stopped during point 2 of 2, with its finished runs" in (
        capsys.readouterr().err)
    assert "(PARTIAL: stopped by the error below; the last point pairs only the 250" in printed
    assert json.loads((out / "pairs" / "001" / "compare.json").read_text())["partial"] is True
    monkeypatch.undo()
    assert sweep(out, "--resume", runs=None)[0] == 0
    assert (out / "compare_sweep.csv").read_bytes() == (whole / "compare_sweep.csv").read_bytes()


def _joins_across(ax, at: float) -> bool:
    """Whether a line of ``ax`` runs across ``at`` between two of its points."""
    for line in ax.get_lines():
        xs, ys = (np.asarray(v, dtype=float) for v in (line.get_xdata(), line.get_ydata()))
        for k in range(len(xs) - 1):
            if np.isfinite(ys[k]) and np.isfinite(ys[k + 1]) and xs[k] < at < xs[k + 1]:
                return True
    return False


def test_the_lines_of_a_two_parameter_grid_stop_where_the_first_parameter_changes(tmp_path):
    """The 2 x 2 grid was drawn as one line through its four points in order, joining
    (0.05, 0.1) to (0.12, 0.03) as if it were a trend."""
    from plots import figures

    other = "parties.regime.behaviour.sensitivity"
    out = tmp_path / "pairs"
    assert sweep(out, "--param", f"{other}=0.03,0.1", runs="60")[0] == 0
    points = saved_points(out, 4)[1]
    (drawn,) = figures("compare_sweep", points=points, params=[JUDGEMENT, other], names=("A", "B"))
    upper = drawn.figure.axes[0]
    assert not _joins_across(upper, 1.5)  # between (0.05, 0.1) and (0.12, 0.03)
    assert _joins_across(upper, 0.5) and _joins_across(upper, 2.5)  # within a run
    # each line still passes through every point
    line = next(ln for ln in upper.get_lines() if len(ln.get_xdata()) > 4)
    ys = np.asarray(line.get_ydata(), dtype=float)
    assert np.isfinite(ys).sum() == 4


def test_a_stopped_comparison_sweep_s_caption_gives_the_runs_of_its_unfinished_point(whole):
    import dataclasses

    from plots import figures

    results, points = saved_points(whole, 2)
    points[1] = dataclasses.replace(points[1], interrupted=True,
                                    result={**results[1], "runs": 137})
    (drawn,) = figures("compare_sweep", points=points, params=[JUDGEMENT], names=("A", "B"),
                       planned=3)
    text = drawn.data["caption"].replace("\n", " ")
    assert "the last, at sensitivity (opposition) = 0.12, unfinished with 137 paired runs" in text


def saved_points(out: Path, count: int) -> tuple[list[dict[str, Any]], list[Any]]:
    """The first ``count`` points a comparison sweep saved in ``out``: their
    ``compare.json`` records, and the points as the figure takes them."""
    from sim.compare_sweep import PairPoint


    results = [json.loads((out / "pairs" / f"{k:03d}" / "compare.json").read_text())
               for k in range(count)]
    points = [PairPoint(r["params"], load_scenario(DEFAULT, [LEVER]), load_scenario(DEFAULT),
                        r, ()) for r in results]  # type: ignore[arg-type]
    return results, points


def saved_figure(whole: Path) -> Any:
    """The comparison-sweep figure of the first two points ``whole`` saved."""
    from plots import figures

    (drawn,) = figures("compare_sweep", points=saved_points(whole, 2)[1], params=[JUDGEMENT],
                       names=("A", "B"))
    return drawn


def test_the_line_styles_of_the_legend_are_not_drawn_as_a_quantity(whole):
    """'A (solid)' and 'B (dashed)' were drawn in the grey of 'P(holds 7d)', as if two
    more quantities; they are black, under a heading of their own. Each shows its
    side's marker too: B's open markers were explained nowhere."""
    from matplotlib.colors import to_hex

    drawn = saved_figure(whole)
    ax = drawn.figure.axes[0]
    legend = ax.get_legend()
    labels = [t.get_text() for t in legend.get_texts()]
    handles = dict(zip(labels, legend.legend_handles, strict=True))
    assert labels[-3:] == ["\nline and marker:", "A", "B"]
    holds = [to_hex(handles[lab].get_color()) for lab in labels if lab.startswith("P(holds")]
    assert len(holds) == 3 and all(handles[lab].get_marker() != "None" for lab in labels[:-3])
    for side in ("A", "B"):
        assert handles[side].get_marker() == "o" and to_hex(handles[side].get_color()) not in holds
    # A filled, B open (white), as the lines drawn for each side are
    assert to_hex(handles["A"].get_markerfacecolor()) == to_hex(handles["A"].get_color())
    assert to_hex(handles["B"].get_markerfacecolor()) == "#ffffff"
    faces = {style: {to_hex(line.get_markerfacecolor()) == "#ffffff"
                     for line in ax.get_lines() if line.get_linestyle() == style}
             for style in ("-", "--")}
    assert faces == {"-": {False}, "--": {True}}


def test_agreement_s_difference_is_not_drawn_as_side_b(whole):
    """Above, an open marker is side B; below, agreement's difference was an open circle
    too, the one marker meaning two things in one figure. It is black and filled below,
    as the legend draws P(agreement), and the panel's title says so."""
    from matplotlib.colors import to_hex

    drawn = saved_figure(whole)
    below = drawn.figure.axes[1]
    bars = [c for c in below.containers if c.__class__.__name__ == "ErrorbarContainer"]
    agreement = [c for c in bars if to_hex(c.lines[0].get_color()) == "#000000"]
    assert len(agreement) == 1
    assert to_hex(agreement[0].lines[0].get_markerfacecolor()) == "#000000"
    title = " ".join(below.get_title(loc="left").split())
    assert "black circle: agreement" in title and "open circle" not in title
