"""The backtest table of a directory of scenarios, as ``backtest.csv`` and as text.

``backtest.csv`` holds one row per scenario (``kind = scenario``) and then one row per
score (``kind = score``; the ``scenario`` column names the score, and each event's value
sits in that event's probability column: ``p_agreement`` or ``p_hold_<label>``, with
the pooled value over all milestones in ``all_milestones``).
"""

from __future__ import annotations

import csv
import math
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.csvio import atomic_writer
from sim.report import percent
from sim.scoring import CLIP, event_labels


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
    overrides: list[str] = field(default_factory=list)
    """``KEY=VALUE`` settings applied to every scenario."""
    partial: bool = False
    """Interrupted: only the scenarios in ``rows`` finished and are scored."""
    planned: int = 0
    """Scenarios with an ``[observed]`` section the backtest was to score."""

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
            "overrides": list(self.overrides),
            "partial": self.partial,
            "planned": self.planned,
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
                 "percentile_high", "percentile_censored", "all_milestones", "partial"]
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
        getters |= {  # the leave-one-out base rate, and the model on the same pairs
            "loo_pairs": lambda s: s["leave_one_out"]["pairs"],
            "brier_model_loo": lambda s: s["leave_one_out"]["brier"]["model"],
            "brier_loo_base_rate": lambda s: s["leave_one_out"]["brier"]["base_rate"],
            "log_score_model_loo": lambda s: s["leave_one_out"]["log_score"]["model"],
            "log_score_loo_base_rate": lambda s: s["leave_one_out"]["log_score"]["base_rate"],
        }
        for name, get in getters.items():
            row = {"kind": "score", "scenario": name, "p_agreement": get(sc["agreement"]),
                   "all_milestones": get(sc["all_milestones"])}
            for label in labels:
                row[f"p_hold_{label}"] = get(sc["milestones"][label])
            out.append(row)
        return out

    def write_csv(self, path: Path) -> None:
        """Write ``backtest.csv`` (replaced atomically): one row per scenario, then one row
        per score; each ends with ``partial``, 1 when an interruption left scenarios
        unscored (the scores then cover the scenarios above alone)."""
        head = self.csv_header()
        with atomic_writer(path) as fh:
            writer = csv.DictWriter(fh, fieldnames=head)
            writer.writeheader()
            for row in self.csv_rows():
                writer.writerow({k: _cell(row.get(k)) for k in head} | {"partial": int(self.partial)})


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return "" if math.isnan(value) else repr(value)
    return str(value)


# ---------------------------------------------------------------------------
# Text
# ---------------------------------------------------------------------------


def _pct(p: dict[str, float]) -> str:
    est = p["estimate"]
    if est is None or math.isnan(est):
        return "   n/a"
    # (an estimate neither none nor all reads >99.9%, not 100.0%, as in run reports)
    return f"{percent(est, 1):>6} [{100 * p['low']:4.1f}, {100 * p['high']:5.1f}]"


def _num(value: float | None, fmt: str = "{:.3f}") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return fmt.format(value)


def _yes(value: bool | None, yes: str, no: str) -> str:
    return "unknown" if value is None else (yes if value else no)


def brier_verdict(pooled: dict[str, Any], cases: int | None = None,
                  uninformed: float | None = None) -> str:
    """Whether the model beat the references over all holds, by Brier score (the log
    score moves with --runs where forecasts are clipped): the numbers said so only to
    a reader who compared columns. The uninformed forecast's Brier score
    (``uninformed``, 0.25) leads, as the bar any forecast must clear; then the
    leave-one-out base rate, which with two cases is the other case's 0 or 1 and loses
    to any hedged forecast; then the in-sample one, fitted to the outcomes it scores.
    "" where there is nothing to compare."""
    def how(model: float, base: float) -> str:
        if math.isclose(model, base, abs_tol=1e-9):
            return "no better and no worse than"
        return "better than" if model < base else "worse than"

    def known(*values: float | None) -> bool:
        return all(v is not None and not math.isnan(v) for v in values)

    model, base = pooled["brier"]["model"], pooled["brier"]["base_rate"]
    loo = pooled.get("leave_one_out") or {}
    parts = []
    if uninformed is not None and known(model):
        parts.append(f"{how(model, uninformed)} an uninformed forecast of an even chance for "
                     f"every event (Brier {model:.3f} against {uninformed:.3f})")
    if loo.get("pairs") and known(loo["brier"]["model"], loo["brier"]["base_rate"]):
        lm, lb = loo["brier"]["model"], loo["brier"]["base_rate"]
        parts.append(f"{how(lm, lb)} a base rate taken from the other cases (Brier {lm:.3f} "
                     f"against {lb:.3f}, on the {loo['pairs']} of {loo['of']} holds another "
                     "case has)")
    if known(model, base):
        fitted = (f"{how(model, base)} the base rate fitted to the very outcomes it scores "
                  f"({model:.3f} against {base:.3f})" if parts else
                  f"{how(model, base)} the base rate (Brier {model:.3f} against {base:.3f}), "
                  "which is fitted to the very outcomes it scores")
        parts.append(fitted)
    if not parts:
        return ""
    few = f"{cases} case(s)" if cases is not None else "few cases"
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    two = (" With two cases, the base rate taken from the other cases is the other case's "
           "outcome, 0 or 1, which scores 1 wherever the two differ: any hedged forecast "
           "beats it."
           if cases == 2 and loo.get("pairs") else "")
    return (f"Over all holds the model scores {listed}. With {few}, whose milestones are "
            f"not independent (a ceasefire that fails by 7 days fails by 30), read this as a "
            f"check, not a verdict on the model.{two}")


def backtest_text(table: BacktestTable) -> str:
    """The backtest as a readable table: forecasts beside the record, then the scores."""
    lines = [
        f"Backtest of {len(table.rows)}{f' of {table.planned}' if table.partial else ''} "
        f"scenario(s) with an [observed] section in "
        f"{table.directory} ({table.runs} runs each, seed {table.seed})",
    ]
    if table.partial:
        lines.append("PARTIAL: interrupted; only the scenarios below finished and are scored")
    if table.overrides:
        lines.append("Every scenario with: " + "  ".join(table.overrides))
    if table.skipped:
        lines.append("Skipped (no [observed] section of their own): "
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
            beyond = "> " if r["median_hold_censored"] else ""  # more than half held
            lines.append(f"  median hours held (agreed runs): {beyond}{med:.0f} h")
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
    lines += ["", "Leave-one-out base rate: each case gets the mean outcome of the other cases "
              "of the event,", "a forecast made without its own outcome; the model is "
              "scored on the same pairs.",
              f"  {'event':<12} {'pairs':>8}  {'Brier model':>11} {'Brier base':>10}"
              f"  {'log model':>9} {'log base':>9}"]

    def loo_line(name: str, s: dict[str, Any]) -> str:
        loo = s["leave_one_out"]
        return (f"  {name:<12} {loo['pairs']:>3} of {loo['of']:<2}  "
                f"{_num(loo['brier']['model']):>11} {_num(loo['brier']['base_rate']):>10}  "
                f"{_num(loo['log_score']['model'], '{:.2f}'):>9} "
                f"{_num(loo['log_score']['base_rate'], '{:.2f}'):>9}")

    lines.append(loo_line("agreement", sc["agreement"]))
    lines += [loo_line("hold " + label, s) for label, s in sc["milestones"].items()]
    lines.append(loo_line("all holds", pooled))
    uninformed = sc.get("uninformed")
    if uninformed:
        lines += ["", *textwrap.wrap(
            f"Uninformed: an even chance ({uninformed['forecast']:.0%}) for every event "
            f"scores Brier {uninformed['brier']:.3f} and log {uninformed['log_score']:.2f} "
            "on any event, whatever happened.", 88)]
    verdict = brier_verdict(pooled, len(table.rows),
                            uninformed["brier"] if uninformed else None)
    if verdict:
        lines += ["", *textwrap.wrap(verdict, 88)]
    if sc.get("clipped"):
        which = ", ".join(f"{c['scenario']} {c['event']}" for c in sc["clipped"])
        note = (f"Clipped: the model gave what happened none of its {table.runs} runs in "
                f"{len(sc['clipped'])} forecast(s) ({which}). Each scores ln(1e-6) = "
                f"{math.log(CLIP):.1f}, the clip's value, not the model's: it outweighs the "
                "other terms of its mean and moves with --runs (no probability below "
                "1/runs is estimated). Read the Brier scores, or run more.")
        lines += ["", *textwrap.wrap(note, 88)]
    base_clipped = pooled.get("leave_one_out", {}).get("clipped")
    if base_clipped:
        note = (f"The leave-one-out base rate gave what happened no chance in {base_clipped} "
                f"of its forecasts over all holds (the other cases all went the other way), "
                f"each scored {math.log(CLIP):.1f} too: its log score is mostly the clip's.")
        lines += ["", *textwrap.wrap(note, 88)]
    return "\n".join(lines)
