"""Historical backtest: score the scenarios that say what really happened.

``run_backtest(DIR, runner, runs, seed)`` runs every scenario file in ``DIR`` (sorted
by name) that has an ``[observed]`` section, on the same root seed, and compares its
forecasts with the record:

* per scenario: P(agreement), P(hold) at each milestone (agreed and still holding, the
  same event the record is scored on), the median hours held over agreed runs, and the
  percentile of the observed duration within the predicted hours held of agreed runs
  (the probability integral transform: over many well-calibrated cases these
  percentiles are uniform on 0..100);
* across scenarios, per event (agreement, and each milestone label): the Brier score
  ``mean((p - o)^2)`` and the mean log score ``mean(ln P(observed outcome))`` with
  probabilities clipped to ``[1e-6, 1 - 1e-6]``, for the model and for a base-rate
  forecast that gives every case the same probability, the mean observed outcome of
  the event over the cases. Brier: 0 is perfect, 1 the worst; log score: 0 is perfect,
  lower is worse. The base rate is fitted to the very cases it scores, so it is a
  demanding benchmark when there are few cases.

A milestone is observed as reached when the deal was agreed and ``hours_held`` reached
it, unless ``observed.milestones_reached`` states the outcome. A milestone the record
cannot settle (beyond the hours a still-holding ceasefire was observed for) is left
out of the scores for that case.

``backtest.csv`` holds one row per scenario (``kind = scenario``) and then one row per
score (``kind = score``; the ``scenario`` column names the score, and each event's value
sits in that event's probability column: ``p_agreement`` or ``p_hold_<label>``, with
the pooled value over all milestones in ``all_milestones``).
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim.errors import ScenarioError
from sim.records import Results
from sim.runner import Runner
from sim.scenario import Scenario, load_scenario
from sim.stats import interval, milestones

CLIP = 1e-6
"""Probabilities are clipped to [CLIP, 1 - CLIP] before taking logarithms."""


# ---------------------------------------------------------------------------
# Scoring rules
# ---------------------------------------------------------------------------


def brier(p: float, outcome: bool) -> float:
    """Squared error of a probability forecast against a 0/1 outcome."""
    return (p - float(outcome)) ** 2


def log_score(p: float, outcome: bool) -> float:
    """Natural log of the probability given to what happened (clipped; 0 is perfect)."""
    q = min(max(p, CLIP), 1.0 - CLIP)
    return math.log(q if outcome else 1.0 - q)


def percentile_of(value: float, sample: np.ndarray) -> float:
    """Mid-rank percentile (0..100) of ``value`` within ``sample``.

    Sample values below ``value`` count fully, ties count half, so a value equal to
    every sample value (e.g. an observation censored at the horizon against runs that
    all held to it) sits at 50. Ties are judged with a relative tolerance of 1e-9, as
    durations come from floating-point clocks.
    """
    if sample.size == 0:
        return math.nan
    tol = 1e-9 * max(1.0, abs(value))
    below = int(np.sum(sample < value - tol))
    ties = int(np.sum(np.abs(sample - value) <= tol))
    return 100.0 * (below + 0.5 * ties) / sample.size


# ---------------------------------------------------------------------------
# The observed record of one scenario
# ---------------------------------------------------------------------------


def observed_outcomes(scenario: Scenario) -> dict[str, bool | None]:
    """Observed outcome per milestone label: reached, not reached, or None (unknown).

    Raises:
        ScenarioError: when the ``[observed]`` section does not fit the scenario (an
            unknown party or milestone, a collapse beyond the horizon, a milestone
            inside ``hours_held_range`` whose outcome is not stated).
    """
    obs = scenario.spec.observed
    if obs is None:
        raise ScenarioError(scenario.file, "observed", None, "an [observed] section")
    cf = scenario.spec.ceasefire
    labels = dict(milestones(scenario))
    file = scenario.file
    if obs.withdrew is not None and obs.withdrew not in scenario.parties:
        raise ScenarioError(file, "observed.withdrew", obs.withdrew,
                            f"a party of the scenario: {sorted(scenario.parties)}")
    for label in obs.milestones_reached:
        if label not in labels:
            raise ScenarioError(file, f"observed.milestones_reached.{label}", label,
                                f"a milestone label of the scenario: {list(labels)}")
    low, high = obs.hours_held_range or (obs.hours_held, obs.hours_held)
    if obs.agreed and obs.collapsed and high > cf.horizon_hours:
        key = "observed.hours_held_range" if obs.hours_held <= cf.horizon_hours else \
            "observed.hours_held"
        value = obs.hours_held_range if key.endswith("range") else obs.hours_held
        raise ScenarioError(
            file, key, value,
            f"at most ceasefire.horizon_hours ({cf.horizon_hours}); lengthen the horizon so "
            "the observed collapse lies inside the predicted distribution",
        )
    out: dict[str, bool | None] = {}
    for label, hours in labels.items():
        if label in obs.milestones_reached:
            out[label] = obs.milestones_reached[label]
        elif not obs.agreed:
            out[label] = False
        elif low < hours <= high:
            raise ScenarioError(
                file, f"observed.milestones_reached.{label}", None,
                f"the milestone ({hours} h) lies inside hours_held_range [{low}, {high}]; "
                "state whether it was reached",
            )
        elif obs.hours_held >= hours:
            out[label] = True
        else:
            # a ceasefire still holding when the record stops says nothing about later
            out[label] = False if obs.collapsed else None
    return out


# ---------------------------------------------------------------------------
# One scenario's row
# ---------------------------------------------------------------------------


def scenario_row(scenario: Scenario, results: Results) -> dict[str, Any]:
    """Forecasts and observations of one scenario (a JSON-able dict)."""
    held_obs = observed_outcomes(scenario)
    obs = scenario.spec.observed
    if obs is None:  # observed_outcomes has raised already; this informs the type checker
        raise ScenarioError(scenario.file, "observed", None, "an [observed] section")
    cols = results.columns
    n = len(results)
    agreed = cols["agreed"]
    n_agreed = int(agreed.sum())
    horizon = scenario.spec.ceasefire.horizon_hours
    held = cols["hours_held"][agreed]
    p_hold = {label: interval(int(results.held(h).sum()), n) for label, h in milestones(scenario)}
    median = float(np.median(held)) if n_agreed else None

    percentile: float | None = None
    span: list[float] | None = None
    censored = False
    if obs.agreed and n_agreed:
        censored = (not obs.collapsed) or obs.hours_held >= horizon

        def rank(hours: float) -> float:
            return percentile_of(min(hours, horizon), held)

        percentile = rank(obs.hours_held)
        if obs.hours_held_range is not None:
            span = [rank(obs.hours_held_range[0]), rank(obs.hours_held_range[1])]

    p_withdrew: float | None = None
    collapsed = cols["collapsed"]
    if obs.withdrew is not None and int(collapsed.sum()):
        names = [w for w, c in zip(results.names("withdrew"), collapsed, strict=True) if c]
        p_withdrew = names.count(obs.withdrew) / len(names)

    return {
        "scenario": scenario.name,
        "title": scenario.spec.title,
        "file": scenario.file,
        "runs": n,
        "horizon_hours": horizon,
        "milestones": dict(milestones(scenario)),
        "p_agreement": interval(n_agreed, n),
        "p_hold": p_hold,
        "median_hold_hours": median,
        "median_hold_censored": bool(median is not None and median >= horizon),
        "observed": {
            "agreed": obs.agreed,
            "hours_held": obs.hours_held,
            "hours_held_range": list(obs.hours_held_range) if obs.hours_held_range else None,
            "collapsed": obs.collapsed,
            "withdrew": obs.withdrew,
            "held": held_obs,
            "note": obs.note.strip(),
        },
        "percentile": percentile,
        "percentile_range": span,
        "percentile_censored": censored,
        "p_withdrew_observed": p_withdrew,
    }


# ---------------------------------------------------------------------------
# Scores across scenarios
# ---------------------------------------------------------------------------


def _score(pairs: list[tuple[float, bool]], base: float | None = None) -> dict[str, Any]:
    """Brier and log scores of (probability, outcome) pairs, model and base rate."""
    if not pairs:
        return {"cases": 0, "base_rate": None,
                "brier": {"model": None, "base_rate": None},
                "log_score": {"model": None, "base_rate": None}}
    rate = base if base is not None else sum(o for _, o in pairs) / len(pairs)
    return {
        "cases": len(pairs),
        "base_rate": rate,
        "brier": {
            "model": float(np.mean([brier(p, o) for p, o in pairs])),
            "base_rate": float(np.mean([brier(rate, o) for _, o in pairs])),
        },
        "log_score": {
            "model": float(np.mean([log_score(p, o) for p, o in pairs])),
            "base_rate": float(np.mean([log_score(rate, o) for _, o in pairs])),
        },
    }


def event_labels(rows: list[dict[str, Any]]) -> list[tuple[str, float]]:
    """Every milestone label of the rows, shortest first (hours where first seen)."""
    seen: dict[str, float] = {}
    for row in rows:
        for label, hours in row["milestones"].items():
            seen.setdefault(label, hours)
    return sorted(seen.items(), key=lambda kv: (kv[1], kv[0]))


def compute_scores(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Brier and log scores per event, and pooled over every (case, milestone) pair."""
    agreement = [(r["p_agreement"]["estimate"], bool(r["observed"]["agreed"])) for r in rows]
    per_milestone: dict[str, Any] = {}
    pooled_model: list[tuple[float, bool]] = []
    pooled_base: list[tuple[float, bool]] = []
    for label, hours in event_labels(rows):
        pairs = [
            (r["p_hold"][label]["estimate"], bool(r["observed"]["held"][label]))
            for r in rows
            if label in r["p_hold"] and r["observed"]["held"].get(label) is not None
        ]
        score = _score(pairs)
        score["hours"] = hours
        per_milestone[label] = score
        pooled_model += pairs
        pooled_base += [(score["base_rate"], o) for _, o in pairs]
    pooled = _score(pooled_model)
    if pooled_base:
        pooled["base_rate"] = None  # one base rate per milestone, not one overall
        pooled["brier"]["base_rate"] = float(np.mean([brier(p, o) for p, o in pooled_base]))
        pooled["log_score"]["base_rate"] = float(
            np.mean([log_score(p, o) for p, o in pooled_base]))
    pooled["pairs"] = pooled.pop("cases")
    return {
        "cases": len(rows),
        "agreement": _score(agreement),
        "milestones": per_milestone,
        "all_milestones": pooled,
    }


# ---------------------------------------------------------------------------
# The table
# ---------------------------------------------------------------------------


@dataclass
class BacktestTable:
    """The backtest of a directory of scenarios."""

    directory: str
    runs: int
    seed: int
    rows: list[dict[str, Any]] = field(default_factory=list)
    """One dict per scenario with an ``[observed]`` section, in file-name order."""
    scores: dict[str, Any] = field(default_factory=dict)
    """Scores across scenarios: ``agreement``, ``milestones`` (per label) and
    ``all_milestones``, each with ``cases``, ``base_rate``, ``brier`` and ``log_score``
    (``{"model", "base_rate"}``)."""
    skipped: list[str] = field(default_factory=list)
    """Scenario files in the directory without an ``[observed]`` section."""

    def labels(self) -> list[str]:
        """Milestone labels across scenarios, shortest first."""
        return [label for label, _ in event_labels(self.rows)]

    def as_dict(self) -> dict[str, Any]:
        """Everything as plain JSON-able values (NaN is left for the caller to map)."""
        return {
            "directory": self.directory,
            "runs": self.runs,
            "seed": self.seed,
            "skipped": list(self.skipped),
            "rows": self.rows,
            "scores": self.scores,
        }

    def csv_header(self) -> list[str]:
        """Columns of ``backtest.csv``."""
        labels = self.labels()
        head = ["kind", "scenario", "file", "runs", "horizon_hours",
                "p_agreement", "p_agreement_low", "p_agreement_high"]
        for label in labels:
            head += [f"p_hold_{label}", f"p_hold_{label}_low", f"p_hold_{label}_high"]
        head += ["median_hold_hours", "observed_agreed", "observed_hours_held",
                 "observed_hours_low", "observed_hours_high"]
        head += [f"observed_{label}" for label in labels]
        head += ["observed_withdrew", "p_withdrew_observed", "percentile", "percentile_low",
                 "percentile_high", "percentile_censored", "all_milestones"]
        return head

    def csv_rows(self) -> list[dict[str, Any]]:
        """Rows of ``backtest.csv`` as dicts keyed by :meth:`csv_header` columns."""
        labels = self.labels()
        out: list[dict[str, Any]] = []
        for r in self.rows:
            obs = r["observed"]
            span = obs["hours_held_range"] or [None, None]
            pspan = r["percentile_range"] or [None, None]
            row: dict[str, Any] = {
                "kind": "scenario", "scenario": r["scenario"], "file": r["file"],
                "runs": r["runs"], "horizon_hours": r["horizon_hours"],
                "p_agreement": r["p_agreement"]["estimate"],
                "p_agreement_low": r["p_agreement"]["low"],
                "p_agreement_high": r["p_agreement"]["high"],
                "median_hold_hours": r["median_hold_hours"],
                "observed_agreed": int(obs["agreed"]),
                "observed_hours_held": obs["hours_held"],
                "observed_hours_low": span[0], "observed_hours_high": span[1],
                "observed_withdrew": obs["withdrew"],
                "p_withdrew_observed": r["p_withdrew_observed"],
                "percentile": r["percentile"],
                "percentile_low": pspan[0], "percentile_high": pspan[1],
                "percentile_censored": int(r["percentile_censored"]),
            }
            for label in labels:
                p = r["p_hold"].get(label)
                if p is not None:
                    row[f"p_hold_{label}"] = p["estimate"]
                    row[f"p_hold_{label}_low"] = p["low"]
                    row[f"p_hold_{label}_high"] = p["high"]
                held = obs["held"].get(label)
                row[f"observed_{label}"] = None if held is None else int(held)
            out.append(row)
        sc = self.scores
        if not sc:
            return out
        getters = {
            "cases": lambda s: s.get("cases", s.get("pairs")),
            "base_rate": lambda s: s["base_rate"],
            "brier_model": lambda s: s["brier"]["model"],
            "brier_base_rate": lambda s: s["brier"]["base_rate"],
            "log_score_model": lambda s: s["log_score"]["model"],
            "log_score_base_rate": lambda s: s["log_score"]["base_rate"],
        }
        for name, get in getters.items():
            row = {"kind": "score", "scenario": name, "p_agreement": get(sc["agreement"]),
                   "all_milestones": get(sc["all_milestones"])}
            for label in labels:
                row[f"p_hold_{label}"] = get(sc["milestones"][label])
            out.append(row)
        return out

    def write_csv(self, path: Path) -> None:
        """Write ``backtest.csv``: one row per scenario, then one row per score."""
        head = self.csv_header()
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=head)
            writer.writeheader()
            for row in self.csv_rows():
                writer.writerow({k: _cell(row.get(k)) for k in head})


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return "" if math.isnan(value) else repr(value)
    return str(value)


# ---------------------------------------------------------------------------
# Running it
# ---------------------------------------------------------------------------


def run_backtest(directory: Path, runner: Runner, runs: int, seed: int) -> BacktestTable:
    """Run and score every scenario in ``directory`` that has an ``[observed]`` section.

    Args:
        directory: a folder of scenario files (``*.toml``, taken in name order).
        runner: the runner to use (its executor, progress bar).
        runs: replications per scenario.
        seed: the root seed, the same for every scenario.

    Raises:
        ScenarioError: the directory is missing or holds no scenario with an
            ``[observed]`` section, or a scenario file in it is invalid.
        KeyboardInterrupt: the run was interrupted (nothing is scored).
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise ScenarioError(str(directory), "", str(directory),
                            "a directory of scenario .toml files")
    files = sorted(directory.glob("*.toml"))
    scenarios: list[Scenario] = []
    skipped: list[str] = []
    for path in files:
        scenario = load_scenario(path)
        if scenario.spec.observed is None:
            skipped.append(str(path))
            continue
        observed_outcomes(scenario)  # check the record before spending time on runs
        scenarios.append(scenario)
    if not scenarios:
        raise ScenarioError(
            str(directory), "observed", f"{len(files)} scenario file(s)",
            "at least one scenario with an [observed] section (what happened "
            "historically: agreed, hours_held, ...) to score",
        )
    table = BacktestTable(str(directory), runs, seed, skipped=skipped)
    for scenario in scenarios:
        out = runner.run(scenario, runs, seed)
        if out.interrupted:
            raise KeyboardInterrupt
        table.rows.append(scenario_row(scenario, out.results))
    table.scores = compute_scores(table.rows)
    return table


# ---------------------------------------------------------------------------
# Text
# ---------------------------------------------------------------------------


def _pct(p: dict[str, float]) -> str:
    est = p["estimate"]
    if est is None or math.isnan(est):
        return "   n/a"
    return f"{100 * est:5.1f}% [{100 * p['low']:4.1f}, {100 * p['high']:5.1f}]"


def _num(value: float | None, fmt: str = "{:.3f}") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return fmt.format(value)


def _yes(value: bool | None, yes: str, no: str) -> str:
    return "unknown" if value is None else (yes if value else no)


def backtest_text(table: BacktestTable) -> str:
    """The backtest as a readable table: forecasts beside the record, then the scores."""
    lines = [
        f"Backtest of {len(table.rows)} scenario(s) with an [observed] section in "
        f"{table.directory} ({table.runs} runs each, seed {table.seed})",
    ]
    if table.skipped:
        lines.append("Skipped (no [observed] section): "
                     + ", ".join(Path(s).name for s in table.skipped))
    for r in table.rows:
        obs = r["observed"]
        lines += ["", f"{r['scenario']}: {r['title']}" if r["title"] else r["scenario"]]
        lines.append(f"  {'event':<12} {'predicted':>24}   observed")
        lines.append(f"  {'agreement':<12} {_pct(r['p_agreement']):>24}   "
                     f"{_yes(obs['agreed'], 'agreed', 'no agreement')}")
        for label, p in r["p_hold"].items():
            lines.append(f"  {'hold ' + label:<12} {_pct(p):>24}   "
                         f"{_yes(obs['held'][label], 'held', 'not held')}")
        med = r["median_hold_hours"]
        if med is not None:
            more = " (censored at the horizon)" if r["median_hold_censored"] else ""
            lines.append(f"  median hours held (agreed runs): {med:.0f} h{more}")
        if obs["agreed"]:
            span = obs["hours_held_range"]
            seen = f"{obs['hours_held']:.0f} h" + (
                f" ({span[0]:.0f}-{span[1]:.0f})" if span else "")
            pct = _num(r["percentile"], "{:.1f}")
            if r["percentile_range"]:
                lo, hi = r["percentile_range"]
                pct += f" ({lo:.1f}-{hi:.1f})"
            cens = " (censored: a lower bound)" if r["percentile_censored"] else ""
            lines.append(f"  observed hours held: {seen}; its percentile among predicted "
                         f"durations: {pct}{cens}")
        if obs["withdrew"] and r["p_withdrew_observed"] is not None:
            lines.append(f"  observed: {obs['withdrew']} withdrew; predicted share of "
                         f"collapses with {obs['withdrew']} withdrawing: "
                         f"{100 * r['p_withdrew_observed']:.1f}%")
    sc = table.scores
    lines += [
        "",
        f"Scores over {sc['cases']} case(s). Brier: 0 perfect, 1 worst. Log score: mean "
        "ln P(observed outcome), 0 perfect.",
        "Base rate: every case gets the mean observed outcome of the event (fitted in sample).",
        f"  {'event':<12} {'cases':>5} {'base rate':>9}  {'Brier model':>11} {'Brier base':>10}"
        f"  {'log model':>9} {'log base':>9}",
    ]

    def line(name: str, s: dict[str, Any], cases: int) -> str:
        return (f"  {name:<12} {cases:>5} {_num(s['base_rate'], '{:.2f}'):>9}  "
                f"{_num(s['brier']['model']):>11} {_num(s['brier']['base_rate']):>10}  "
                f"{_num(s['log_score']['model'], '{:.2f}'):>9} "
                f"{_num(s['log_score']['base_rate'], '{:.2f}'):>9}")

    lines.append(line("agreement", sc["agreement"], sc["agreement"]["cases"]))
    for label, s in sc["milestones"].items():
        lines.append(line("hold " + label, s, s["cases"]))
    pooled = sc["all_milestones"]
    lines.append(line("all holds", pooled, pooled["pairs"]))
    return "\n".join(lines)
