"""The one error type users see for bad input.

Every problem with a scenario file or a command-line value is reported as a
:class:`ScenarioError` carrying the file, the dotted key path, the offending value and
what would have been allowed. The command line turns it into a one-paragraph message
and exit status 2; nothing else in the library prints tracebacks at users.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any


class ScenarioError(ValueError):
    """Bad input: a scenario file, a ``--set`` override or a command-line value.

    Attributes:
        file: the file (or ``"--set"``/argument name) the problem is in.
        path: dotted key path inside it, e.g. ``parties.russia.positions.delineation.min``.
        value: the offending value, as the user wrote it (``None`` when missing).
        allowed: a short human description of what is accepted.
    """

    replication: int | None = None
    """The replication that raised it, for one a replication's run refuses
    (``ceasefire.max_acts``); set by the runner, as the run stops on it."""

    more: tuple[ScenarioError, ...] = ()
    """Further problems of the same file found in the same pass (the schema's, which it
    reports all at once), one per key, to be told with this one (:meth:`messages`)."""

    def __init__(self, file: str, path: str, value: Any, allowed: str) -> None:
        self.file = file
        self.path = path
        self.value = value
        self.allowed = allowed
        # the four fields are the exception's args, so copies made from them (SimPy
        # re-raises a failed process's exception as ``type(e)(*e.args)``; pickling to
        # and from worker processes does the same) are whole
        super().__init__(file, path, value, allowed)

    def __str__(self) -> str:
        return self.message()

    def messages(self) -> list[str]:
        """Its message and those of :attr:`more`, one line each."""
        return [self.message(), *(other.message() for other in self.more)]

    def message(self) -> str:
        """One line naming the file, key path, bad value and what is allowed."""
        where = f"{self.file}: {self.path}" if self.path else self.file
        if self.value is None:  # a missing value: nothing to show but what is needed
            return f"{where}: {self.allowed}"
        return f"{where}: bad value {show(self.value)}; {self.allowed}"


class PairedError(ScenarioError):
    """A rule between two keys (a trust below its tolerance, a milestone beyond the
    horizon), either of which can mend it. It is reported against ``path``, or against
    ``other`` (the other key: its path, value and what it allows) when that is the one
    the user just wrote, in the child file or with ``--set`` (:meth:`swapped`): naming
    a value inherited unchanged sent users to the wrong file."""

    def __init__(self, file: str, path: str, value: Any, allowed: str,
                 other: tuple[str, Any, str] | None = None) -> None:
        super().__init__(file, path, value, allowed)
        self.other = other

    def swapped(self) -> ScenarioError:
        """The same problem, reported against the other key."""
        if self.other is None:
            return self
        return PairedError(self.file, *self.other, other=(self.path, self.value, self.allowed))


def show(value: Any) -> str:
    """Render a value briefly so huge inputs do not flood the terminal; a boolean, an
    array or a table as TOML writes them (``true``, ``["us", "turkey"]``, not Python's
    ``True`` and ``['us', 'turkey']``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.date | datetime.time):  # a TOML date or time, as written
        return value.isoformat()
    try:
        if isinstance(value, list | tuple | dict):
            from sim.toml_out import toml_value

            try:
                text = toml_value(value)
            except TypeError:  # a kind of value TOML has no inline form for
                text = repr(value)
        else:
            text = repr(value)
    except RecursionError:  # a value nested thousands deep
        return f"<{type(value).__name__} nested too deep to show>"
    return text if len(text) <= 120 else text[:117] + "..."


def listing(names: Iterable[str], last: str = "") -> str:
    """Names for a message: ``regime, northern_factions`` (or, with ``last`` "or",
    ``regime or northern_factions``), not a Python list; ``(none)`` for none."""
    names = list(names)
    if not names:
        return "(none)"
    if last and len(names) > 1:
        return f"{', '.join(names[:-1])} {last} {names[-1]}"
    return ", ".join(names)
