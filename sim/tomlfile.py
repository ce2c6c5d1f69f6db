"""Reading one TOML file: every way it can fail (a path the system cannot open, no
such file, a directory, bytes that are not UTF-8, a file too large or empty, TOML that
does not parse) becomes a :class:`sim.errors.ScenarioError` naming the file, and a
syntax error quotes its line and says its usual cause in a scenario."""

from __future__ import annotations

import errno
import os
import re
import stat
import tomllib
from pathlib import Path
from typing import Any

from sim.errors import ScenarioError

__all__ = ["MAX_FILE_BYTES", "read_toml", "shown_path"]


def read_toml(path: Path, name: str | None = None) -> dict[str, Any]:
    """Parse a TOML file, turning every way it can fail into a ScenarioError that names
    the file as ``name`` (by default, ``path``)."""
    try:
        return _read_toml(path)
    except ScenarioError as exc:
        if name is None or name == exc.file:
            raise
        raise ScenarioError(name, exc.path, exc.value, exc.allowed) from None


def shown_path(path: Path) -> str:
    """``path`` as a message shows it: relative to the working directory when it lies
    inside it, else absolute."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path.resolve())


def _broken_link(path: Path) -> str:
    """What is wrong with a symbolic link that leads to no file: a loop of links, or a
    link to a missing file ("file does not exist" left the user looking for it)."""
    try:
        path.resolve(strict=True)
    except RuntimeError:  # how Python 3.11 reports a loop
        return "a symbolic link in a loop of links, which leads to no file"
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "a symbolic link in a loop of links, which leads to no file"
    return f"a symbolic link to {os.readlink(path)}, which does not exist"


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        exists, directory = path.exists(), path.is_dir()
    except OSError as exc:  # a name too long, say: not a path this system can open
        raise ScenarioError(str(path), "", None, f"a path the file system can open "
                            f"({exc.strerror or exc})") from None
    if not exists:
        if path.is_symlink():  # exists() follows the link: a loop, or a link to nothing
            raise ScenarioError(str(path), "", None, _broken_link(path))
        suffixed = path.with_name(path.name + ".toml")
        hint = f" (did you mean {suffixed}?)" if path.suffix != ".toml" and suffixed.is_file() else ""
        raise ScenarioError(str(path), "", None, f"file does not exist{hint}")
    if directory:
        raise ScenarioError(str(path), "", None, "expected a .toml file, got a directory")
    try:
        with path.open("rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)  # bounded: the path may be a device or a pipe
    except OSError as exc:
        raise ScenarioError(str(path), "", None, f"cannot read the file ({exc.strerror or exc})"
                            ) from None
    try:
        # utf-8-sig: editors on Windows may start the file with a byte-order mark
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScenarioError(str(path), "", None, f"cannot read file as UTF-8 text ({exc})") from None
    if len(data) > MAX_FILE_BYTES:
        raise ScenarioError(str(path), "", None, f"a scenario file of at most "
                            f"{MAX_FILE_BYTES // 2**20} MiB")
    if not text.strip():
        once = (" (a pipe can be read only once, and some commands read the scenario "
                "twice: save it to a file)") if stat.S_ISFIFO(path.stat().st_mode) else ""
        raise ScenarioError(str(path), "", "", "the file is empty; a scenario needs TOML "
                            f"tables{once}")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(str(path), "", _line_of(text, str(exc)),
                            f"not valid TOML ({exc}){_toml_hint(str(exc))}") from None
    except RecursionError:
        raise ScenarioError(str(path), "", None, "tables and arrays nested less deeply "
                            "(the file nests them hundreds of levels deep)") from None


MAX_FILE_BYTES = 16 * 2**20
"""Largest scenario file read (a real one is a few kilobytes)."""


TOML_HINTS = {
    "Invalid value": "text needs quotes (role = \"spoiler\"), true and false are lower "
                     "case, and a number has no unit",
    "Cannot overwrite a value": "a key written twice in one table",
    "Cannot declare": "a [table] header written twice: give each table once",
    "Expected newline or end of document": "one value a line, with a decimal point, not "
                                           "a comma (0.5, not 0,5)",
}
"""What the usual cause of a TOML parser's message is, in the words of a scenario."""


def _toml_hint(error: str) -> str:
    """The usual cause of a TOML error (:data:`TOML_HINTS`), as a clause; "" if none."""
    hint = next((h for start, h in TOML_HINTS.items() if error.startswith(start)), "")
    return f"; usually {hint}" if hint else ""


def _line_of(text: str, error: str) -> str | None:
    """The line a TOML error points at (``at line N``), stripped, or None (at the end of
    the document, or when the message names no line): the mistake, to quote."""
    found = re.search(r"at line (\d+)", error)
    lines = text.splitlines()
    if found is None or not 1 <= int(found.group(1)) <= len(lines):
        return None
    return lines[int(found.group(1)) - 1].strip() or None
