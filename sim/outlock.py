"""One command at a time in an output directory.

Two commands writing into one ``--out DIR`` at once both finished with status 0, and
the directory held one's results while the other's were silently replaced (or mixed).
A command therefore holds an advisory lock on its directory (``flock`` on the directory
itself, so no file is added to it) from the moment it is made ready until the command
ends; a second command is refused at once, and so is one writing into a folder inside a
directory another command holds with results in it (a sweep's point, a comparison's
side, a backtest's case; a command that has saved nothing yet is not told apart from
another program's lock on a parent, so it is not looked for). Pool workers forked while the lock is held
close their copy, so a worker outliving its command holds nothing. Where the platform or
the file system has no such locks (Windows; some network file systems), commands go on
unlocked, as before. The locks are the process's, taken and released by the command
line around one command: two commands run at once in threads of one process are not
told apart.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from sim.errors import ScenarioError

try:
    import fcntl
except ImportError:  # pragma: no cover - not on POSIX
    fcntl = None  # type: ignore[assignment]

__all__ = ["lock_out", "release_out_locks"]

_HELD: dict[Path, int] = {}
"""The directories this process holds, and the descriptor holding each."""


def lock_out(out: Path, option: str = "--out") -> None:
    """Hold ``out`` (an existing directory) for this process until
    :func:`release_out_locks`; holding it already is fine.

    Raises:
        ScenarioError: another process holds it (naming ``option``, which gave it).
    """
    key = out.resolve()
    if fcntl is None or key in _HELD:
        return
    busy = ("a directory no other command is writing into, but another is running there "
            "now: wait for it to end, or use another directory")
    for above in key.parents:  # inside another's --out: a sweep's point, a side, a case
        if above not in _HELD and _holds_results(above) and _held_elsewhere(above):
            raise ScenarioError(option, "", str(out), f"{busy} (it writes into {above}, "
                                "which holds this one)")
    try:
        fd = os.open(key, os.O_RDONLY)
    except OSError:
        return  # (not openable as a directory here: the write probe has said it is usable)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise ScenarioError(option, "", str(out), busy) from None
    except OSError:
        os.close(fd)  # a file system without locks: unlocked, as before
        return
    _HELD[key] = fd


def _holds_results(directory: Path) -> bool:
    """Whether ``directory`` holds a command's results: only such a parent is asked
    whether another holds it, so a lock some other program keeps on a parent (``flock .
    python run_sim.py ...``, a lock on the home directory) does not refuse a command."""
    from sim.rundir import RESULTS  # (here: sim.rundir itself locks with this module)

    try:
        return any((directory / name).exists() for names in RESULTS.values() for name in names)
    except OSError:
        return False


def _held_elsewhere(directory: Path) -> bool:
    """Whether another process holds ``directory`` now (tried, and let go at once)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        os.close(fd)  # (closing it lets go of the shared lock taken)
    return False


def release_out_locks() -> None:
    """Let other commands write where this one did (its command has ended)."""
    for fd in _HELD.values():
        os.close(fd)
    _HELD.clear()


def _forget_in_child() -> None:
    """A forked child (a pool worker) drops its copies: the lock is its parent's."""
    for fd in _HELD.values():
        with contextlib.suppress(OSError):
            os.close(fd)
    _HELD.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_in_child)
