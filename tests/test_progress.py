"""The progress bar on a terminal that reports a size of 0 columns (sim.progress)."""

from __future__ import annotations

import io
import os
import sys

import pytest
from helpers import DEFAULT

from sim.progress import bar_size, terminal_size
from sim.runner import Runner
from sim.scenario import load_scenario


class FakeTerminal(io.StringIO):
    """Standard error as a terminal: tqdm draws on it, and the test reads what it drew
    (its size is whatever the patched ``os.get_terminal_size`` says)."""

    def isatty(self) -> bool:
        return True

    def fileno(self) -> int:
        return 2


def drawn(monkeypatch: pytest.MonkeyPatch, columns: int, lines: int) -> list[str]:
    """The non-blank lines a run's progress bar draws on a terminal that reports
    ``columns`` x ``lines``."""
    size = os.terminal_size((columns, lines))
    monkeypatch.setattr(os, "get_terminal_size", lambda fd=None: size)
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    Runner(workers=1, progress=True).run(load_scenario(DEFAULT), 300, 3)
    return [line for line in terminal.getvalue().split("\r") if line.strip()]


@pytest.mark.parametrize(("columns", "lines", "width"), [(100, 30, 99), (0, 0, 79)])
def test_the_bar_is_drawn_whatever_size_the_terminal_reports(monkeypatch, columns, lines,
                                                             width):
    """On a terminal that reported 0 columns (and rows), tqdm drew nothing at all; the
    bar is now drawn 80 columns wide there, and as wide as the terminal elsewhere."""
    bar = drawn(monkeypatch, columns, lines)
    assert bar and "/300" in bar[0]
    assert {len(line) for line in bar} == {width}  # the bar fills the line, less one


def test_a_terminals_size_is_followed_unless_it_is_zero():
    assert bar_size(None) == {"dynamic_ncols": True}
    assert bar_size(os.terminal_size((120, 40))) == {"dynamic_ncols": True}
    assert bar_size(os.terminal_size((0, 0))) == {"ncols": 79, "nrows": 23}
    assert bar_size(os.terminal_size((0, 50))) == {"ncols": 79, "nrows": 49}
    assert bar_size(os.terminal_size((132, 0))) == {"ncols": 131, "nrows": 23}


def test_a_stream_that_is_no_terminal_has_no_size():
    assert terminal_size(io.StringIO()) is None
    with open(os.devnull, "w") as devnull:
        assert terminal_size(devnull) is None


def test_a_stream_without_a_descriptor_or_closed_has_no_size():
    """A stand-in for standard error that only writes, or a closed one: no terminal."""

    class Writer:
        def write(self, text: str) -> int:
            return len(text)

    assert terminal_size(Writer()) is None  # type: ignore[arg-type]
    closed = open(os.devnull, "w")  # noqa: SIM115
    closed.close()
    assert terminal_size(closed) is None


def test_a_warning_during_a_run_starts_a_line_of_its_own_below_the_bar(capsys):
    """It was printed after the bar on the bar's line, cutting it in two; the bar is now
    cleared first and drawn again after it."""
    import sys

    from tqdm import tqdm

    from sim.progress import warn

    with tqdm(total=10, file=sys.stderr, ncols=60, mininterval=0) as bar:
        bar.update(3)
        capsys.readouterr()
        warn("warning: something")
        err = capsys.readouterr().err
    before, _, after = err.partition("warning: something\n")
    assert "3/10" not in before.rpartition("\r")[2]  # the bar's line cleared before it
    assert "3/10" in after  # and drawn again below it
