"""Where the values of a scenario document come from, and where two documents differ.

A scenario may extend another: a problem with a value it inherits is reported against
the scenario loaded, but says which file of the ``extends`` chain writes that value.
A resume compares the saved scenario with the one given, and names the first key at
which they differ.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sim.document import join_key, split_key, value_at
from sim.errors import PairedError, ScenarioError
from sim.tomlfile import read_toml, shown_path


def chain(path: Path) -> Iterator[tuple[Path, dict[str, Any]]]:
    """The files of a scenario's ``extends`` chain with their documents, from the
    scenario itself up; it stops at a file that cannot be read now (or a pipe)."""
    seen: set[Path] = set()
    current: Path | None = path
    while current is not None and current not in seen and current.is_file():  # no pipe
        seen.add(current)
        try:
            doc = read_toml(current)
        except ScenarioError:
            return
        yield current, doc
        parent = doc.get("extends")  # beside the file itself, as the loader finds it
        current = (current.resolve().parent / parent).resolve() \
            if isinstance(parent, str) and parent else None


def key_parts(key: str) -> tuple[str, ...]:
    """The parts of a problem's key path: dotted, a part holding a dot quoted (as
    :func:`sim.document.join_key` writes ``ceasefire.milestones."7.5d"``), and an
    array's item as ``[i]`` (``sources[1]``: ``sources``, ``1``)."""
    plain = re.sub(r"\[(\d+)\]", r".\1", key)
    try:
        return split_key(plain, "")
    except ScenarioError:  # (not a key as TOML writes one: split it at its dots)
        return tuple(p for p in re.split(r"[.\[\]]", key) if p)


def defining_file(path: Path, parts: tuple[str, ...]) -> Path | None:
    """The file of a scenario's ``extends`` chain that gives the value at ``parts``: the
    scenario itself or the nearest ancestor that does (None if none does, or the chain
    cannot be read now). Messages name it, not the child that only inherits it.
    ``[observed]`` is the scenario's own (:func:`sim.document.resolve_document` does not
    inherit it), so only the scenario itself can give a value inside it."""
    files = chain(path)
    if parts[:1] == ("observed",):
        files = itertools.islice(files, 1)
    return next((file for file, doc in files if value_at(doc, parts) is not None), None)


def written_nearer(path: Path, key: str, than: str) -> bool:
    """Whether the value at ``key`` is written by a file of ``path``'s ``extends``
    chain nearer to ``path`` than the one writing the value at ``than`` (or ``than``
    by none, left at its default): the value the user changed more recently, of two a
    rule binds. Only a file that writes the key itself counts, not one that writes the
    table holding it: a tolerance written beside a trust left at its default is the
    value the user chose."""
    files = [file.resolve() for file, _ in chain(path)]

    def rank(k: str) -> int:
        found = defining_file(path, key_parts(k))
        return files.index(found.resolve()) if found is not None and found.resolve() in files \
            else len(files)

    return rank(key) < rank(than)


def giving_file(path: Path, key: str) -> Path | None:
    """The file of a scenario's ``extends`` chain that writes the value a problem at
    ``key`` (dotted, with ``[i]`` or ``.i`` for an array's items) is about: the nearest
    that gives the value there or, for a key none gives (a missing value, an item
    inside an array), the nearest that gives the deepest table or array holding it.
    None when no file does, or the chain cannot be read now."""
    parts = key_parts(key)
    for depth in range(len(parts), 0, -1):
        found = defining_file(path, parts[:depth])
        if found is not None:
            return found
    return None


def first_difference(a: Any, b: Any, parts: tuple[str, ...] = ()) -> tuple[str, Any, Any] | None:
    """The first dotted key path at which two documents differ, with ``a``'s and ``b``'s
    value there (``None`` for a key one of them lacks); ``None`` if they are equal."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in dict.fromkeys([*a, *b]):
            found = first_difference(a.get(key), b.get(key), (*parts, str(key)))
            if found is not None:
                return found
        return None
    return None if a == b else (join_key(parts), a, b)


@contextmanager
def noting_origin(path: Path) -> Iterator[None]:
    """A problem with a value the scenario file ``path`` inherits through ``extends``
    says which file writes that value (:func:`sim.origin.giving_file`): the file to
    look in, to mend the value or what it conflicts with. The problem stays reported
    against ``path``, the file whose merged document has it: an ancestor may be valid
    alone (a milestone beyond a horizon the child shortened)."""
    try:
        yield
    except ScenarioError as exc:
        first = _with_origin(exc, path)
        # the schema's further problems of the file, each noted with its own origin
        first.more = tuple(_with_origin(other, path) for other in exc.more)
        raise first from None


def _with_origin(exc: ScenarioError, path: Path) -> ScenarioError:
    """``exc`` as :func:`noting_origin` tells it (``exc`` itself where ``path`` writes
    the value)."""
    if isinstance(exc, PairedError) and exc.other and exc.file == str(path) \
            and written_nearer(path, exc.other[0], exc.path):
        exc = exc.swapped()
    origin = giving_file(path, exc.path) if exc.file == str(path) and exc.path else None
    if origin is None or origin.resolve() == path.resolve():
        return exc
    # a missing key has no value written anywhere: the table that lacks it is named
    what = "the value is" if exc.value is not None or "." not in exc.path else \
        f"{exc.path.rsplit('.', 1)[0]} is"
    return ScenarioError(exc.file, exc.path, exc.value, f"{exc.allowed} ({what} "
                         f"written in {shown_path(origin)}, which {path.name} extends)")


def borrowed_name_note(scenario: Any) -> str:
    """What to tell the user of a scenario that takes its ``name`` (or, naming itself,
    its ``title``) from the file it extends ("" otherwise): its results, figures and
    run directory are labelled as the parent's, and a child's 28% beside the parent's
    43% could not be told apart; a borrowed title heads its report with the parent's
    description of itself."""
    path = Path(scenario.file)
    if not path.is_file():
        return ""
    givers = {}
    for key in ("name", "title"):
        giver = defining_file(path, (key,)) if scenario.setter(key) is None else None
        if giver is not None and giver.resolve() != path.resolve():
            givers[key] = giver
    if "name" in givers:
        title = givers.get("title")
        also = " and its title" if title == givers["name"] else ""
        elsewhere = f", and its title from {shown_path(title)}" if title not in (None,
                                                                            givers["name"]) else ""
        return (f"note: {path.name} takes its name ({scenario.name}){also} from "
                f"{shown_path(givers['name'])}{elsewhere}, which it extends, so its results are "
                f"labelled as that scenario's: set name{' and title' if title else ''} in "
                f"{path.name}")
    if "title" in givers:
        return (f"note: {path.name} takes its title ({scenario.spec.title!r}) from "
                f"{shown_path(givers['title'])}, which it extends, so its report is headed "
                f"with that scenario's title: set title in {path.name}")
    return ""
