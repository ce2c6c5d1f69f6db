"""Reading and writing the text files of a run directory: atomically, and strictly.

``runs.csv`` is only accepted as :meth:`sim.records.Results.write_csv` writes it: each
column is parsed to its numpy type and anything else is a ScenarioError naming the file,
line and column, so a damaged run directory is reported instead of half-read. Files are
written to a temporary file beside the target and renamed over it, so a failed write
(a full disk) leaves the previous file whole.
"""

from __future__ import annotations

import contextlib
import glob
import math
import os
import re
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import numpy as np

from sim.errors import ScenarioError


def check_header(file: str, head: list[str] | None, expected: list[str]) -> None:
    """Raise a ScenarioError naming the first column that is not this scenario's."""
    if head is None:
        raise ScenarioError(file, "", None, "the file is empty; expected the header line and "
                            "rows that 'run --out' writes")
    if head == expected:
        return
    k = next((k for k, (a, b) in enumerate(zip(head, expected, strict=False)) if a != b),
             min(len(head), len(expected)))
    where = f"line 1, column {k + 1}"
    if k >= len(head):
        raise ScenarioError(file, where, None, f"missing column {expected[k]!r}: this "
                            f"scenario's runs have {len(expected)} columns")
    if k >= len(expected):
        raise ScenarioError(file, where, head[k], f"no column after {expected[-1]!r}: this "
                            f"scenario's runs have {len(expected)} columns")
    raise ScenarioError(file, where, head[k], f"{expected[k]!r}, the column 'run --out' writes "
                        "here for this scenario")


@dataclass(frozen=True)
class Parser:
    """Reads a ``runs.csv`` column, accepting only what ``write_csv`` writes; ``allowed``
    says what that is."""

    dtype: str
    allowed: str
    table: dict[str, int | bool] | None = None
    """Every accepted text and its value (booleans and party names)."""

    @classmethod
    def of(cls, dtype: str) -> Parser:
        if dtype == "?":
            return cls(dtype, "1 or 0 (true or false)", {"1": True, "0": False})
        if dtype.startswith("f"):
            return cls(dtype, "a number, or empty for none")
        return cls(dtype, f"a whole number from 0 to {np.iinfo(dtype).max}")

    @classmethod
    def names(cls, parties: Sequence[str], dtype: str, none: str) -> Parser:
        """Party names, stored as codes of ``dtype`` (``none``, no party, is -1)."""
        shown = ", ".join(parties) if len(parties) <= 12 else (
            ", ".join(parties[:10]) + f", ... ({len(parties)} parties)")
        return cls(dtype, f"a party of the scenario ({shown}), or empty for none",
                   {none: -1, **{name: i for i, name in enumerate(parties)}})

    def column(self, texts: Sequence[str]) -> np.ndarray:
        """The column's values; IndexError carrying the index of the first bad cell.

        Whole columns are converted with built-ins mapped over them (a resumed run may
        read a million rows); the bad cell is looked for only when a column fails.
        """
        if self.table is not None:
            values: list[float | int | bool | None] = list(map(self.table.get, texts))
            if None in values:
                raise IndexError(values.index(None))
            return np.array(values, dtype=self.dtype)
        if self.dtype.startswith("f"):
            try:
                return np.array([float(t) if t else math.nan for t in texts], dtype=self.dtype)
            except ValueError:
                raise IndexError(next(k for k, t in enumerate(texts) if not _is_number(t))) from None
        top = int(np.iinfo(self.dtype).max)
        # ASCII digits only (no sign, exponent or blanks); the length cap comes before int()
        if (all(map(str.isdigit, texts)) and all(map(str.isascii, texts))
                and max(map(len, texts), default=0) <= 19):
            whole = list(map(int, texts))
            if max(whole, default=0) <= top:
                return np.array(whole, dtype=self.dtype)
        raise IndexError(next(k for k, t in enumerate(texts) if not _is_whole(t, top)))


def _is_number(text: str) -> bool:
    try:
        float(text or "nan")
    except ValueError:
        return False
    return True


def _is_whole(text: str, top: int) -> bool:
    return text.isascii() and text.isdigit() and len(text) <= 19 and int(text) <= top


@contextlib.contextmanager
def atomic_writer(path: Path) -> Iterator[TextIO]:
    """Open a temporary file beside ``path`` for UTF-8 text; on success it replaces ``path``.

    The text is flushed and synced to disk before the rename, so whatever happens
    (a full disk, a crash) ``path`` holds either its old content or the new, never part;
    on failure the temporary file is removed. It is created like ``open`` would
    (permissions from the umask), in the same directory so the rename stays atomic.
    """
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:TAG]}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


TAG = 12
"""Hex digits that tell apart temporary files of one path."""


def remove_leftovers(path: Path) -> None:
    """Remove the temporary files that writes of ``path`` killed outright (SIGKILL, a
    power cut: nothing runs to clean up) left beside it. Only for a file that one
    process at a time writes: another's write in progress would lose its file."""
    pattern = re.compile(re.escape(f".{path.name}.") + f"[0-9a-f]{{{TAG}}}" + r"\.tmp")
    for leftover in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
        if pattern.fullmatch(leftover.name):
            with contextlib.suppress(OSError):
                leftover.unlink()


def csv_cell(value: object) -> str:
    if isinstance(value, np.bool_ | bool):
        return "1" if value else "0"
    if isinstance(value, np.floating | float):
        f = float(value)
        return "" if math.isnan(f) else repr(f)
    return str(int(value))  # type: ignore[call-overload]
