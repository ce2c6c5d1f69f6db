"""Figures drawn before a resume in either format (png, svg) that show only the runs
saved then are named, with the ``--format`` that redraws them: a ``--plot`` that
redraws them in one format leaves those in the other stale. And a comparison resumed
but stopped again in side A names the figures of side A."""

from __future__ import annotations

from pathlib import Path

from helpers import DEFAULT, ROOT, interrupt_chunk, quiet

from sim.rundir import stale_figures

COUNTERFACTUAL = "ceasefire.monitoring.coverage=0.5"



def figures(home: Path, *names: str) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    for name in names:
        (home / name).write_bytes(b"")
    return home


def test_each_format_is_named_with_the_option_that_redraws_it(tmp_path):
    home = figures(tmp_path / "run", "survival.png", "survival.svg", "outcomes.svg", "notes.txt")
    said = "the runs saved before this resume; redraw"
    assert stale_figures(home) == (f"note: outcomes.svg, survival.png, survival.svg in {home} "
                                   f"show {said} them with 'plot {home}', and again with "
                                   "--format svg")
    assert stale_figures(home, drawn="png") == (f"note: outcomes.svg, survival.svg in {home} "
                                                f"show {said} them with 'plot {home} --format svg'")
    assert stale_figures(home, drawn="svg") == (f"note: survival.png in {home} shows {said} it "
                                                f"with 'plot {home} --format png'")
    own = figures(tmp_path / "sweep", "sweep.svg")
    assert stale_figures(own, ("sweep",), "the same command and --plot", "png") == (
        f"note: sweep.svg in {own} shows {said} it with the same command and --plot --format svg")
    assert stale_figures(own, ("sweep",), "the same command and --plot", "svg") == ""


def test_a_run_resumed_with_plot_names_the_figures_it_drew_in_the_other_format(tmp_path, capsys):
    """--plot redrew the png figures and said nothing of the svg ones beside them, which
    still showed the runs saved before."""
    out = tmp_path / "run"
    common = ["run", str(DEFAULT), "--workers", "1", "--no-progress", "--out", str(out)]
    assert quiet([*common, "--runs", "40"]) == 0
    assert quiet(["plot", str(out), "--format", "svg"]) == 0
    capsys.readouterr()
    assert quiet([*common, "--runs", "60", "--resume", "--plot"]) == 0
    err = capsys.readouterr().err
    assert (f"note: agreement.svg, collapse_causes.svg, outcomes.svg, survival.svg in {out} show "
            f"the runs saved before this resume; redraw them with 'plot {out} --format svg'") in err
    assert quiet([*common, "--runs", "80", "--resume", "--plot", "--format", "svg"]) == 0
    assert (f"note: agreement.png, collapse_causes.png, outcomes.png, survival.png in {out} show "
            f"the runs saved before this resume; redraw them with 'plot {out} --format png'"
            ) in capsys.readouterr().err


def test_a_sweep_resumed_with_plot_names_its_figure_in_the_other_format(tmp_path, monkeypatch,
                                                                        capsys):
    out = tmp_path / "sweep"
    args = ["sweep", str(DEFAULT), "--param", "ceasefire.monitoring.deterrence=0.1,0.3",
            "--runs", "600", "--workers", "1", "--no-progress", "--out", str(out)]
    interrupt_chunk(monkeypatch, 4, size=250)
    assert quiet([*args, "--plot", "--format", "svg"]) == 130
    monkeypatch.undo()
    capsys.readouterr()
    assert quiet([*args, "--resume", "--plot"]) == 0
    assert (f"note: sweep.svg in {out} shows the runs saved before this resume; redraw it with "
            f"'plot {out} --format svg'") in capsys.readouterr().err


def test_a_comparison_resumed_and_stopped_again_in_side_a_names_side_a_s_figures(
        tmp_path, monkeypatch, capsys):
    """It returned before naming any figure: those of 'plot DIR/a', drawn from the runs
    saved by the first stop, went on looking current."""
    out = tmp_path / "compare"
    args = ["compare", str(DEFAULT), "--set", COUNTERFACTUAL, "--runs", "1000", "--workers",
            "1", "--no-progress", "--out", str(out)]
    interrupt_chunk(monkeypatch, 2, size=250)  # side A holds 250
    assert quiet(args) == 130
    assert quiet(["plot", str(out / "a")]) == 0
    capsys.readouterr()
    interrupt_chunk(monkeypatch, 2, size=250)  # side A holds 500: still no side B
    assert quiet([*args, "--resume"]) == 130
    err = capsys.readouterr().err
    assert "interrupted before both sides had a replication to pair" in err
    assert (f"note: agreement.png, collapse_causes.png, outcomes.png, survival.png in "
            f"{out / 'a'} show the runs saved before this resume") in err


def test_a_backtest_resumed_with_plot_names_case_figures_in_the_other_format(
        tmp_path, monkeypatch, capsys):
    """'backtest --resume --plot' said nothing of any case figure, though it redraws
    them in one format only."""
    out = tmp_path / "backtest"
    args = ["backtest", str(ROOT / "scenarios"), "--runs", "600", "--workers", "1",
            "--no-progress", "--out", str(out)]
    interrupt_chunk(monkeypatch, 5, size=250)  # the second scenario's second work item
    assert quiet(args) == 130
    monkeypatch.undo()
    case = out / "cases" / "kerry_lavrov_sep_2016"
    assert quiet(["plot", str(case), "--format", "svg"]) == 0
    capsys.readouterr()
    assert quiet([*args, "--resume", "--plot"]) == 0
    err = capsys.readouterr().err
    assert (f"note: agreement.svg, collapse_causes.svg, outcomes.svg, survival.svg in {case} "
            f"show the runs saved before this resume; redraw them with 'plot {case} --format "
            "svg'") in err
    assert "cessation_feb_2016" not in err
