"""What a replication returns, and columns of many.

One replication returns one frozen :class:`Outcome`; many are kept as
:class:`Results`, one numpy column per field (about a hundred bytes a replication), in
replication order. ``runs.csv`` is written from and read back into these columns:
written atomically (:func:`sim.csvio.atomic_writer`), read back strictly (only what
:meth:`Results.write_csv` writes is accepted; anything else is a ScenarioError naming
the line and column).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from sim.csvio import Parser, atomic_writer, check_header, csv_cell
from sim.errors import ScenarioError

NONE = ""


@dataclass(frozen=True, slots=True)
class TraceEvent:
    """One entry of a replication's event log."""

    time: float
    """Hours since the talks opened (an :class:`Outcome`'s ``hours_held`` counts from
    the ceasefire's start, ``agreement_hour`` plus the start delay, instead)."""
    party: str
    """Who acted or was affected ('' for the system)."""
    event: str
    """What happened, a short verb phrase such as 'violation' or 'withdraws'; every
    kind, with what it means, is in :data:`sim.trace_report.EVENTS`."""
    detail: str
    """Human-readable particulars."""
    value: float = math.nan
    """A number the event carries: trust after a 'trust' event, pause hours at
    'ceasefire', the no-deal value of the gainer at 'advance'; nan otherwise."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """Everything one replication says about the talks and the ceasefire."""

    replication: int
    """Index of the replication within its run (its seed's spawn key)."""
    agreed: bool
    """A deal was reached by the principals and ratified by every client."""
    agreement_hour: float
    """Hours from the opening of talks to the ratified deal (nan without agreement)."""
    rounds: int
    """Negotiation rounds held."""
    rejections: int
    """Deals agreed by the principals but refused by a client."""
    shocks: int
    """Battlefield shocks during the talks."""
    terms: tuple[float, ...]
    """Agreed value of each issue in the scenario's order (nan without agreement)."""
    hours_held: float
    """Hours from the ceasefire start to collapse, censored at the horizon; 0 without one."""
    collapsed: bool
    """A party withdrew before the horizon; always the same as ``withdrew != ''``."""
    withdrew: str
    """The party that withdrew ('' if none)."""
    trigger: str
    """True author of the act that pushed the party out ('' if none)."""
    blamed: str
    """Whom the withdrawing party blamed for that act ('' if none)."""
    misattributed: bool
    """The act was blamed on someone other than its author."""
    delineation_hit: bool
    """The act was a strike on a spoiler that landed on the spoiler's host."""
    violations: tuple[int, ...]
    """Acts committed during the ceasefire per armed party (scenario's armed order)."""
    convoys_sent: int
    """Aid convoys dispatched during the pause."""
    convoys_delivered: int
    """Convoys that found the calm they needed and delivered."""
    convoys_attacked: int
    """Convoys hit by a violation (grave)."""
    events: int
    """SimPy events processed by the replication."""
    trace: tuple[TraceEvent, ...] | None = None
    """Every event, in time order, when tracing was requested."""

    def held(self, hours: float) -> bool:
        """Agreed and still holding ``hours`` after the ceasefire began."""
        return self.agreed and self.hours_held >= hours


SCALARS: tuple[tuple[str, str], ...] = (
    ("replication", "i8"),
    ("agreed", "?"),
    ("agreement_hour", "f8"),
    ("rounds", "i4"),
    ("rejections", "i4"),
    ("shocks", "i4"),
    ("hours_held", "f8"),
    ("collapsed", "?"),
    ("misattributed", "?"),
    ("delineation_hit", "?"),
    ("convoys_sent", "i2"),
    ("convoys_delivered", "i2"),
    ("convoys_attacked", "i2"),
    ("events", "i4"),
)
CODED = ("withdrew", "trigger", "blamed")
"""Party-name fields stored as integer codes into ``Results.party_names`` (-1 for none)."""


def code_dtype(parties: int) -> str:
    """The dtype of party-name codes: 16-bit, room for 32,767 parties (8-bit codes
    overflowed at 128); 32-bit beyond that."""
    return "i2" if parties < 2**15 else "i4"


@dataclass
class Results:
    """Columns of many outcomes, in replication order.

    ``terms`` is (runs x issues), ``violations`` is (runs x armed parties); party-name
    fields are codes into ``party_names`` with -1 for none.
    """

    issues: tuple[str, ...]
    armed: tuple[str, ...]
    party_names: tuple[str, ...]
    columns: dict[str, np.ndarray] = field(default_factory=dict)

    @classmethod
    def empty(cls, issues: Sequence[str], armed: Sequence[str], parties: Sequence[str]) -> Results:
        """No runs yet, with the right column types."""
        res = cls(tuple(issues), tuple(armed), tuple(parties))
        for name, dtype in SCALARS:
            res.columns[name] = np.zeros(0, dtype=dtype)
        for name in CODED:
            res.columns[name] = np.zeros(0, dtype=code_dtype(len(parties)))
        res.columns["terms"] = np.zeros((0, len(issues)), dtype="f8")
        res.columns["violations"] = np.zeros((0, len(armed)), dtype="i4")
        return res

    @classmethod
    def from_outcomes(
        cls,
        outcomes: Iterable[Outcome],
        issues: Sequence[str],
        armed: Sequence[str],
        parties: Sequence[str],
    ) -> Results:
        """Pack outcomes into columns."""
        rows = list(outcomes)
        res = cls(tuple(issues), tuple(armed), tuple(parties))
        code = {name: i for i, name in enumerate(res.party_names)}
        for name, dtype in SCALARS:
            res.columns[name] = np.array([getattr(o, name) for o in rows], dtype=dtype)
        for name in CODED:
            res.columns[name] = np.array(
                [code.get(getattr(o, name), -1) for o in rows], dtype=code_dtype(len(parties))
            )
        res.columns["terms"] = np.array(
            [o.terms for o in rows], dtype="f8").reshape(len(rows), len(issues))
        res.columns["violations"] = np.array(
            [o.violations for o in rows], dtype="i4").reshape(len(rows), len(armed))
        return res

    def __len__(self) -> int:
        return int(self.columns["agreed"].shape[0])

    @property
    def nbytes(self) -> int:
        """Memory held by the columns."""
        return sum(int(c.nbytes) for c in self.columns.values())

    def concat(self, *others: Results) -> Results:
        """These runs followed by the others' (same scenario layout), joined in one
        pass: joining a long run's chunks one by one would copy it over and over."""
        for other in others:
            if (other.issues, other.armed, other.party_names) != (
                    self.issues, self.armed, self.party_names):
                raise ValueError("cannot join results of scenarios with different layouts")
        out = Results(self.issues, self.armed, self.party_names)
        for name, col in self.columns.items():
            out.columns[name] = np.concatenate([col, *(o.columns[name] for o in others)])
        return out

    def same_as(self, other: Results) -> bool:
        """Whether ``other`` holds the same replications with the same outcomes, field
        for field: on common random numbers, the mark of a change that altered nothing
        any replication recorded. Party names are compared as names, so a scenario with
        a party more that never acts (a patron that weighs nothing) can be the same."""
        if (other.issues, other.armed) != (self.issues, self.armed) or \
                other.columns.keys() != self.columns.keys():
            return False
        for name, col in self.columns.items():
            if name in CODED and other.party_names != self.party_names:
                if self.names(name) != other.names(name):
                    return False
            elif not np.array_equal(col, other.columns[name], equal_nan=True):
                return False
        return True

    def sorted(self) -> Results:
        """The same runs in replication order."""
        order = np.argsort(self.columns["replication"], kind="stable")
        out = Results(self.issues, self.armed, self.party_names)
        for name, col in self.columns.items():
            out.columns[name] = col[order]
        return out

    def below(self, n: int) -> Results:
        """The runs of replications ``0 .. n-1`` (whatever else is held, in any order)."""
        return self._where(self.columns["replication"] < n)

    def among(self, replications: np.ndarray) -> Results:
        """The runs of the given replication indices (to pair two partial runs)."""
        return self._where(np.isin(self.columns["replication"], replications))

    def _where(self, keep: np.ndarray) -> Results:
        out = Results(self.issues, self.armed, self.party_names)
        for name, col in self.columns.items():
            out.columns[name] = col[keep]
        return out

    def names(self, field_name: str) -> list[str]:
        """A party-name column decoded to strings ('' for none)."""
        return [self.party_names[c] if c >= 0 else NONE for c in self.columns[field_name]]

    def held(self, hours: float) -> np.ndarray:
        """Boolean per run: agreed and still holding ``hours`` after the start."""
        return self.columns["agreed"] & (self.columns["hours_held"] >= hours)

    # -- CSV ---------------------------------------------------------------

    def header(self) -> list[str]:
        """Column names of ``runs.csv``."""
        head = [n for n, _ in SCALARS] + list(CODED)
        head += [f"terms.{i}" for i in self.issues]
        head += [f"violations.{a}" for a in self.armed]
        return head

    def table(self) -> dict[str, np.ndarray]:
        """The columns of ``runs.csv``, by its header's names: one 1-D array each, the
        terms and violations split per issue and per party, party names decoded (``""``
        for none). ``pandas.DataFrame(results.table())`` is the run as a data frame,
        without a trip through CSV (which reads an empty name as NaN); ``columns``
        holds two 2-D arrays and integer codes, which a data frame does not take."""
        cols = self.columns
        # copies: a change to the table must not change the results it was read from
        out = {n: cols[n].copy() for n, _ in SCALARS}
        out.update({n: np.array(self.names(n), dtype=object) for n in CODED})
        out.update({f"terms.{i}": cols["terms"][:, k].copy() for k, i in enumerate(self.issues)})
        out.update({f"violations.{a}": cols["violations"][:, k].copy()
                    for k, a in enumerate(self.armed)})
        return out

    def rows(self) -> Iterable[list[str]]:
        """``runs.csv`` rows as text, floats in repr form so they read back exactly."""
        cols = self.columns
        decoded = {n: self.names(n) for n in CODED}
        for r in range(len(self)):
            row = [csv_cell(cols[n][r]) for n, _ in SCALARS]
            row += [decoded[n][r] for n in CODED]
            row += [csv_cell(v) for v in cols["terms"][r]]
            row += [csv_cell(v) for v in cols["violations"][r]]
            yield row

    def write_csv(self, path: Path | str) -> None:
        """Write every run as one row of ``path``, replacing it atomically: a failed
        write (a full disk) leaves the file as it was."""
        with atomic_writer(Path(path)) as fh:
            writer = csv.writer(fh)
            writer.writerow(self.header())
            writer.writerows(self.rows())

    @classmethod
    def read_csv(
        cls, path: Path | str, issues: Sequence[str], armed: Sequence[str], parties: Sequence[str],
        horizon: float = math.inf, ranges: Sequence[tuple[float, float]] = (),
    ) -> Results:
        """Read a ``runs.csv`` written by :meth:`write_csv` for the same scenario layout.

        Only what ``write_csv`` writes is accepted: the header of this scenario, one
        value per column, booleans as ``1`` or ``0``, counts as whole numbers that fit
        their column, party names of the scenario (empty for none), each replication
        index once, and rows a replication can produce (:func:`_refuse_impossible`):
        hours held within 0 and ``horizon``, terms within their issue's range
        (``ranges``, low and high per issue) when agreed and empty when not.

        Raises:
            ScenarioError: naming ``path`` and, for a bad value, its line and column.
        """
        path = Path(path)  # as write_csv takes it
        res = cls.empty(issues, armed, parties)
        file = str(path)
        head = res.header()
        lines: list[int] = []
        data: list[list[str]] = []
        try:
            with path.open(newline="", encoding="utf-8") as fh:
                reader = csv.reader(fh)
                check_header(file, next(reader, None), head)
                for row in reader:
                    if not row:  # a blank line holds no replication
                        continue
                    if len(row) != len(head):
                        raise ScenarioError(file, f"line {reader.line_num}", f"{len(row)} values",
                                            f"{len(head)} values, one per column of the header")
                    lines.append(reader.line_num)
                    data.append(row)
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            raise ScenarioError(file, "", None, f"cannot be read as UTF-8 CSV ({exc})") from None
        texts: dict[str, Sequence[str]] = dict.fromkeys(head, ())
        if data:
            texts.update(zip(head, zip(*data, strict=True), strict=True))

        def column(name: str, parse: Parser) -> np.ndarray:
            try:
                return parse.column(texts[name])
            except IndexError as bad:
                k = bad.args[0]
                raise ScenarioError(file, f"line {lines[k]}, column {name}", texts[name][k],
                                    parse.allowed) from None

        cols = res.columns
        for name, dtype in SCALARS:
            cols[name] = column(name, Parser.of(dtype))
        known = Parser.names(res.party_names, code_dtype(len(res.party_names)), NONE)
        for name in CODED:
            cols[name] = column(name, known)
        terms = [column(f"terms.{i}", Parser.of("f8")) for i in res.issues]
        counts = [column(f"violations.{a}", Parser.of("i4")) for a in res.armed]
        cols["terms"] = np.array(terms, dtype="f8").T.reshape(len(data), len(res.issues))
        cols["violations"] = np.array(counts, dtype="i4").T.reshape(len(data), len(res.armed))
        first: dict[int, int] = {}
        for k, rep in enumerate(cols["replication"].tolist()):
            if rep in first:
                raise ScenarioError(file, f"line {lines[k]}, column replication", str(rep),
                                    f"each replication once (it is also on line {first[rep]})")
            first[rep] = lines[k]

        def refuse(bad: np.ndarray, name: str, allowed: str) -> None:
            if bad.any():
                k = int(np.argmax(bad))
                raise ScenarioError(file, f"line {lines[k]}, column {name}", texts[name][k],
                                    allowed)

        _refuse_impossible(res, refuse, horizon, ranges)
        return res


def _refuse_impossible(res: Results, refuse: Callable[[np.ndarray, str, str], None],
                       horizon: float, ranges: Sequence[tuple[float, float]]) -> None:
    """Call ``refuse(bad_rows, column, allowed)`` for each kind of row no replication
    produces, so a damaged or hand-edited ``runs.csv`` cannot enter the statistics."""
    c = res.columns
    agreed, collapsed = c["agreed"], c["collapsed"]
    held, hour = c["hours_held"], c["agreement_hour"]
    refuse(~agreed & collapsed, "collapsed", "0 in a run without agreement")
    refuse(collapsed != (c["withdrew"] >= 0), "withdrew",
           "the party that withdrew exactly when the ceasefire collapsed, else empty")
    refuse(~(np.isfinite(held) & (held >= 0) & (held <= horizon)), "hours_held",
           f"hours from 0 to the horizon ({horizon:g})")
    refuse(~agreed & (held != 0), "hours_held", "0 in a run without agreement")
    refuse(agreed & ~(np.isfinite(hour) & (hour >= 0)), "agreement_hour",
           "the hour of agreement, a number >= 0, in an agreed run")
    refuse(~agreed & ~np.isnan(hour), "agreement_hour", "empty in a run without agreement")
    sent, delivered, attacked = c["convoys_sent"], c["convoys_delivered"], c["convoys_attacked"]
    refuse(~agreed & (sent != 0), "convoys_sent", "0 in a run without agreement")
    # an attacked convoy turns back, so it is never also delivered
    refuse(delivered.astype(np.int64) + attacked > sent, "convoys_delivered",
           "convoys delivered and attacked together at most convoys_sent")
    for k, (low, high) in enumerate(ranges):
        name = f"terms.{res.issues[k]}"
        terms = c["terms"][:, k]
        slack = 1e-9 * (high - low)  # the range's ends, read back through 0..1
        refuse(agreed & ~((terms >= low - slack) & (terms <= high + slack)), name,
               f"the agreed value, within the issue's range [{low:g}, {high:g}]")
        refuse(~agreed & ~np.isnan(terms), name, "empty in a run without agreement")
