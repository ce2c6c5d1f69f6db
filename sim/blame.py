"""Which command-line option a problem of a scenario is blamed on.

A bad value given with ``--set`` or ``--param`` is reported as coming from the option
that set it, not as if the scenario file held it; so is a problem inside a table the
option created (a misspelt party's name, probably), and any other problem the document
without the option's values does not have.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sim.document import join_key, related, split_key, under
from sim.errors import PairedError, ScenarioError


def setter(set_by: dict[str, str], path: str) -> str | None:
    # a value set whole or inside (the milestones' 48h): the longest such key decides,
    # and among keys as long, the one set last
    found = [(len(key), i, source) for i, (key, source) in enumerate(set_by.items())
             if related(path, key)]
    return max(found)[2] if found else None


@contextmanager
def blaming_option(keys: list[str], source: str, base: dict[str, Any],
                    earlier: dict[str, str], base_valid: Callable[[], bool]) -> Iterator[None]:
    """A bad value the user gave on the command line is reported as coming from the
    option (``source``, or for ``earlier`` keys the option that set them) that set it,
    not as if the scenario file held it. So is a problem inside a table the option
    created (``base`` lacks it); when that table is a new party or issue, the name is
    probably misspelt (``parties.rusia.behaviour.leverage``), and the message says so.
    And so is any other problem (a milestone beyond a horizon the option shortened)
    when the document without the option's values is valid (``base_valid``)."""
    try:
        yield
    except ScenarioError as exc:
        first = _blamed(exc, keys, source, base, earlier, base_valid)
        more = tuple(_blamed(other, keys, source, base, earlier, base_valid) or other
                     for other in exc.more)  # the schema's further problems, each blamed
        if first is None:
            exc.more = more
            raise
        first.more = more
        raise first from None


def _blamed(exc: ScenarioError, keys: list[str], source: str, base: dict[str, Any],
            earlier: dict[str, str], base_valid: Callable[[], bool]) -> ScenarioError | None:
    """``exc`` reported against the option that set its value (:func:`blaming_option`),
    or None where no option did."""
    if isinstance(exc, PairedError) and exc.other:  # the pair's key the option set
        given = [join_key(split_key(key, source)) for key in keys]
        if any(related(exc.other[0], k) for k in given) and \
                not any(related(exc.path, k) for k in given):
            exc = exc.swapped()
    blamed: str | None = None
    allowed = exc.allowed
    for key in keys:
        parts = split_key(key, source)
        new = _new_table(base, parts)
        if new is not None and under(exc.path, join_key(new)):
            blamed = source
            # (unless the message already says the name is probably misspelt)
            if _is_name(new) and exc.path != join_key(new) and "misspelt?)" not in allowed:
                allowed += (f" ({source} {key} made a new table {join_key(new)}, which "
                            "the scenario does not have: is its name spelt right?)")
            break
        if related(exc.path, join_key(parts)):
            blamed = source
    blamed = blamed or setter(earlier, exc.path)
    if blamed is None and keys and base_valid():
        blamed = source
    if blamed is None:
        return None
    return ScenarioError(f"{exc.file} with {blamed}", exc.path, exc.value, allowed)


def _new_table(base: dict[str, Any], parts: tuple[str, ...]) -> tuple[str, ...] | None:
    """The first table on the way to the key ``parts`` that ``base`` lacks, if any."""
    node: Any = base
    for depth, part in enumerate(parts[:-1]):
        if not isinstance(node, dict) or part not in node:
            return parts[: depth + 1]
        node = node[part]
    return None


def _is_name(table: tuple[str, ...]) -> bool:
    """Whether a table is named by the user (a party, an issue, a party's position on
    an issue) rather than by the format (``ceasefire.links``)."""
    return (len(table) == 2 and table[0] in ("parties", "issues")) or (
        len(table) == 4 and table[0] == "parties" and table[2] == "positions")
