"""Plain-text reports for people: summaries and comparisons (a sweep's tables are
:mod:`sim.sweep_report`; a single replication's trace is :mod:`sim.trace_report`)."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sim.errors import ScenarioError
from sim.output import jsonable
from sim.precision import AS_SAVED, precision_record
from sim.scenario import Scenario
from sim.stats import summarize
from sim.terms import imposed_text, later_text
from sim.toml_out import toml_value

PCT_DIGITS = 1
"""Decimals of a probability in the tables (:func:`pct`), and in figures that repeat them."""


def pct(p: dict[str, float] | None) -> str:
    """``{"estimate", "low", "high"}`` as ``41.2% [38.1, 44.3]``; ``n/a`` for none. An
    estimate that is neither none nor all reads ``>99.9%`` rather than ``100.0%``
    (:func:`percent`)."""
    if p is None or p["estimate"] is None or math.isnan(p["estimate"]):
        return "   n/a"
    low, high = interval_ends(p, PCT_DIGITS)
    return f"{percent(p['estimate'], PCT_DIGITS):>6} [{low:>4}, {high:>4}]"


def interval_ends(p: dict[str, float], digits: int) -> tuple[str, str]:
    """An interval's ends as percentages to ``digits`` decimals. Beside an estimate
    shown as '>99.9%' or '<0.1%' they are rounded outward: rounded to nearest, 99,999
    agreements in 100,000 read '>99.9% [100.0, 100.0]', the estimate outside its
    interval. So are they beside an estimate of exactly 0 or 1: none in 100,000 read
    '0.0% [0.0, 0.0]', certainty the runs cannot give (its upper end is 0.004%)."""
    if percent(p["estimate"], digits)[0] not in "<>" and p["estimate"] not in (0.0, 1.0):
        return f"{100 * p['low']:.{digits}f}", f"{100 * p['high']:.{digits}f}"
    scale = 10.0 ** digits
    low = math.floor(round(100 * p["low"] * scale, 6)) / scale  # (6: float noise, not data)
    high = math.ceil(round(100 * p["high"] * scale, 6)) / scale
    return f"{low:.{digits}f}", f"{high:.{digits}f}"


def percent(share: float, digits: int = 0) -> str:
    """A share as a percentage to ``digits`` decimals; one that is neither none nor all
    but rounds to 0% or 100% reads '<1%' or '>99%' ("1,999 of 2,000 runs reached
    agreement (100%)" says that one did not, and then denies it)."""
    text, step = f"{100 * share:.{digits}f}", 10.0 ** -digits
    if 0 < share < 1 and float(text) in (0.0, 100.0):
        return f"<{step:.{digits}f}%" if float(text) == 0 else f">{100 - step:.{digits}f}%"
    return f"{text}%"


def points(share: float, decimals: int = 1) -> str:
    """A signed difference in percentage points. One that would round to nothing shows
    its first digit instead: an interval ending 0.02 pp below zero excludes zero, and
    printed as ``[-1.0, +0.0]`` it read as if it did not, as ``[-0.0, +10.0]`` read
    oddly. Never ``-0.0``. A numpy float is rounded as a Python float is (numpy's
    round halves ties differently: 607 of 2,000, 30.35 pp, read +30.4 in a figure and
    +30.3 in the table)."""
    value = 100 * float(share)
    if abs(value) < 1e-9:  # float noise (a paired difference of exactly nothing)
        value = 0.0
    if value and round(value, decimals) == 0:
        decimals = min(9, max(decimals, -math.floor(math.log10(abs(value)))))
    return f"{round(value, decimals) + 0.0:+.{decimals}f}"


def interval_decimals(p: dict[str, float]) -> int:
    """Decimals of percentage points that show an interval's width: one, or more for
    one narrower than 0.1 pp (with no pair disagreeing in 20,000, a paired interval is
    about +-0.02 pp), which at one decimal would print as a point, [+0.0, +0.0]."""
    width = 100 * (p["high"] - p["low"])
    if not 0 < width < 0.1:
        return 1
    return min(9, 1 + math.ceil(-math.log10(width)))


def signed(p: dict[str, float]) -> str:
    """A paired difference in percentage points with its interval."""
    d = interval_decimals(p)
    return f"{points(p['estimate'], d):>6} pp [{points(p['low'], d)}, {points(p['high'], d)}]"


def why_partial(summary: dict[str, Any]) -> str:
    """What stopped a partial run, side or point: a stop signal, or the error reported
    after its results (``summary["error"]``)."""
    return "stopped by the error below" if summary.get("error") else "interrupted"


def summary_text(summary: dict[str, Any], scenario: Scenario) -> str:
    """The human summary of a run."""
    # milestone labels longer than 8 characters widen the columns, not break them
    wide = max((len(label) for label in summary["p_hold"]), default=0)
    wide = max(wide - 8, 0)
    lines = [
        f"Scenario: {scenario.spec.title or scenario.name} ({scenario.label})",
        *([f"Imposed on every ceasefire, whatever the talks agreed: {imposed}"]
          if (imposed := imposed_text(scenario)) else []),
        *([later] if (later := later_text(scenario)) else []),
        f"Runs: {summary['runs']}   seed: {summary['seed']}"
        + (f"   (PARTIAL: {why_partial(summary)})" if summary.get("partial") else ""),
        "",
        f"P(agreement)                     {' ' * wide}{pct(summary['p_agreement'])}",
    ]
    if not summary["runs"]:  # stopped before any finished: a table of n/a says nothing
        return "\n".join([*lines[:3], "No replication finished: there is nothing to estimate."])
    if summary.get("median_agreement_hours") is not None:
        h = summary["median_agreement_hours"]
        lines.append(f"  median time to agreement (agreed runs) {h:.0f} h ({h / 24:.1f} days)")
    lines.append("")
    lines.append(f"Ceasefire holds at       {' ' * wide}unconditional              given agreement")
    for label in summary["p_hold"]:
        lines.append(f"  {label:<{8 + wide}}               {pct(summary['p_hold'][label])}"
                     f"     {pct(summary['p_hold_given_agreement'][label])}")
    med = summary.get("median_hold_hours")
    if med is not None:
        if summary.get("median_hold_censored"):  # the median lies beyond the horizon
            lines.append(f"  median hours held (agreed runs) > {med:.0f} h "
                         "(more than half held to the horizon)")
        else:
            lines.append(f"  median hours held (agreed runs) {med:.0f} h")
    causes = summary.get("collapse_causes") or {}
    if causes:
        lines.append("")
        lines.append("Collapses (shares of the ceasefires that collapsed): who withdrew")
        for party, share in sorted(causes.items(), key=lambda kv: -kv[1]):
            lines.append(f"  {party:<14} {percent(share, 1):>6}")
        triggers = summary.get("collapse_triggers") or {}
        lines.append("  after an act by: " + ", ".join(
            f"{p} {percent(s)}" for p, s in sorted(triggers.items(), key=lambda kv: -kv[1])))
        mis = summary.get("misattributed_share")
        hit = summary.get("delineation_hit_share")
        if mis is not None:
            lines.append(f"  triggered by an act blamed on the wrong party: {percent(mis, 1)}")
            lines.append("  triggered by a strike on a spoiler that landed on its host: "
                         f"{percent(hit or 0, 1)}")
    lines += _acts_and_convoys(summary)
    rps = summary.get("runs_per_second")
    lines.append("")
    # two significant digits below 10 runs/s: a slow scenario's 0.2 read "0 runs/s"
    speed = "" if not rps else f" ({rps:.0f} runs/s)" if rps >= 10 else f" ({rps:.2g} runs/s)"
    ran = summary.get("runs_this_session", summary["runs"])
    if ran < summary["runs"]:  # a resumed run: only the new runs took the time
        lines.append(f"{summary['events']} events over {summary['runs']} runs; this session "
                     f"ran {ran} in {summary['wall_seconds']:.2f} s{speed}")
    else:
        lines.append(f"{summary['events']} events in {summary['wall_seconds']:.2f} s{speed}")
    return "\n".join(lines)


def _acts_and_convoys(summary: dict[str, Any]) -> list[str]:
    """The acts of violence per agreed ceasefire and the fate of the pause's aid
    convoys: what the humanitarian pause delivered, beside whether the ceasefire held."""
    lines = []
    # (None for every party when no run agreed: there is no ceasefire to count acts in)
    acts = {p: n for p, n in (summary.get("mean_violations") or {}).items() if n is not None}
    if acts:
        order = sorted(acts, key=lambda p: -acts[p])
        lines += ["", "Acts per agreed ceasefire: " + ", ".join(f"{p} {acts[p]:.1f}" for p in order)]
        # (a summary saved before the rate was kept has none)
        daily = summary.get("violations_per_day") or {}
        if all(daily.get(p) is not None for p in order):
            lines.append("  per day it held: " + ", ".join(f"{p} {daily[p]:.2f}" for p in order)
                         + " (a ceasefire that holds longer counts more acts)")
    convoys = summary.get("convoys") or {}
    sent = convoys.get("sent", 0)
    if sent:
        # an attacked convoy never delivers; the rest were turned back for want of calm
        # or were still on the road when the ceasefire ended (not counted apart)
        rest = sent - convoys["delivered"] - convoys["attacked"]
        lines.append(f"Aid convoys, all runs: {sent} sent, {convoys['delivered']} delivered "
                     f"({percent(convoys['delivered'] / sent)}), {convoys['attacked']} attacked, "
                     f"{rest} otherwise turned back or still on the road when the ceasefire ended")
    return lines


def column_widths(heads: Sequence[str], *bodies: Sequence[Sequence[str]]) -> list[int]:
    """Each column as wide as its widest cell, its heading included, over every row of
    ``bodies`` (rows of cells, in the columns of ``heads``)."""
    return [max(len(c) for c in [h, *(row[k] for body in bodies for row in body)])
            for k, h in enumerate(heads)]


def aligned(cells: Sequence[str], widths: Sequence[int]) -> str:
    """A table row: each cell right-aligned to its column's width."""
    return "  ".join(f"{c:>{w}}" for c, w in zip(cells, widths, strict=True)).rstrip()


def paired_text(d: dict[str, Any] | None) -> str:
    """A paired difference as ``+1.7 [+0.6, +2.8]`` (percentage points)."""
    if d is None or d["estimate"] is None or math.isnan(d["estimate"]) or d["low"] is None:
        return "n/a"
    n = interval_decimals(d)
    return f"{points(d['estimate'], n)} [{points(d['low'], n)}, {points(d['high'], n)}]"


def short_keys(keys: Sequence[str]) -> list[str]:
    """For each dotted key, its shortest suffix (whole parts) that no other key ends with."""
    out = []
    for key in keys:
        parts = key.split(".")
        for n in range(1, len(parts) + 1):
            name = ".".join(parts[-n:])
            if not any(other != key and (other == name or other.endswith("." + name))
                       for other in keys):
                break
        out.append(name)
    return out


def compare_text(result: dict[str, Any], name_a: str, name_b: str) -> str:
    """A paired comparison A - B."""
    # the row names' column fits the longest milestone label (16 fits "P(hold 30d)")
    w = max([16] + [len(f"P(hold {label})") + 2 for label in result["diff"]["p_hold"]])
    lines = [
        f"Paired comparison on {result['runs']} common-random-number replications"
        + (f" (seed {result['seed']})" if result.get("seed") is not None else ""),
        f"  A: {name_a}",
        f"  B: {name_b}",
        *([f"  (PARTIAL: {why_partial(result)}; only the replications both sides finished)"]
          if result.get("partial") else []),
        "",
        f"{'':<{w}}{'A':>22}{'B':>24}   A - B (paired 95% interval)",
        f"{'P(agreement)':<{w}}{pct(result['a']['p_agreement']):>22}"
        f"{pct(result['b']['p_agreement']):>24}   {signed(result['diff']['p_agreement'])}",
    ]
    for label, d in result["diff"]["p_hold"].items():
        lines.append(f"{'P(hold ' + label + ')':<{w}}{pct(result['a']['p_hold'][label]):>22}"
                     f"{pct(result['b']['p_hold'][label]):>24}   {signed(d)}")
    independent = result["diff"].get("independent_p_hold") or {}
    if independent:
        lines += ["", f"{'95% interval width of A - B':<{w + 14}}{'paired':>9}"
                  f"{'as if two independent runs':>30}"]
        rows = [("P(agreement)", result["diff"]["p_agreement"],
                 result["diff"].get("independent_p_agreement"))]
        rows += [(f"P(hold {label})", d, independent[label])
                 for label, d in result["diff"]["p_hold"].items()]
        for name, d, ind in rows:
            if ind is not None:  # compare.json written before agreement had one
                lines.append(f"  {name:<{w + 12}}{_width(d) + ' pp':>9}{_width(ind) + ' pp':>30}")
    return "\n".join(lines)


def _width(interval: dict[str, float]) -> str:
    return f"{100 * (interval['high'] - interval['low']):.{interval_decimals(interval)}f}"


def value_cells(values: list[Any]) -> list[str]:
    """A swept parameter's values as table cells: floats to 4 significant digits, or as
    many more as tell the column's distinct values apart (0.30001 and 0.3 are two
    rows, not two rows of 0.3); anything else as TOML writes it (a table as
    ``{ 48h = 48.0 }``, not Python's ``{'48h': 48.0}``)."""
    distinct = len({repr(v) for v in values})
    for digits in range(4, 18):
        cells = [_short(v, digits) for v in values]
        if len(set(cells)) == distinct:
            return cells
    return [_short(v, 17) for v in values]


def _short(value: Any, digits: int = 4) -> str:
    """One parameter value as a table cell (see :func:`value_cells`)."""
    if isinstance(value, float):
        return f"{value:.{digits}g}"
    if isinstance(value, str):
        return value
    return toml_value(value)


def run_summary(out: Any, scenario: Scenario, seed: int, precision: float | None
                ) -> dict[str, Any]:
    """The summary of a run (a :class:`sim.runner.RunOutcome`) as saved and printed: the
    statistics, the precision target and where it stopped, and what stopped it part way."""
    summary = summarize(out.results, scenario, seed=seed, wall_seconds=out.wall_seconds,
                        partial=out.partial, ran=out.ran)
    if precision is not None:
        summary["precision"] = precision_record(out, precision)
    if out.error is not None:
        summary["error"] = str(out.error)
    return summary


def precision_line(out: Any, precision: float) -> str:
    """Whether an adaptive run reached its precision, and after how many runs."""
    if out.interrupted:
        return (f"precision {precision}: not reached when interrupted after "
                f"{len(out.results)} runs")
    state = "reached" if out.precision_met else "NOT reached (hit --max-runs)"
    return f"precision {precision}: {state} after {out.target} runs"


def report_run(out: Any, scenario: Scenario, seed: int, precision: float | None,
               directory: Path | None, as_json: bool,
               save: Callable[[dict[str, Any]], None] | None = None) -> dict[str, Any]:
    """Print the summary of a run (a :class:`sim.runner.RunOutcome`), as JSON with
    ``as_json`` (with its ``error`` when an error stopped the run part way), then
    ``save`` it with the runs, and return it. The summary is printed first, so a save
    that fails leaves it on the screen; the runs are saved even if printing fails.

    Raises:
        ScenarioError: a run resumed from ``directory`` already holds replications beyond
            where ``precision`` stops, which finishing it would drop.
    """
    if out.beyond:
        raise ScenarioError("--resume", "", None, f"a precision not met before the "
                            f"runs saved in {directory} end: --precision {precision:g} with "
                            f"these bounds is met at {out.target} replications, and the run "
                            f"holds {out.beyond} more, which finishing it here would drop (they "
                            f"are left as they were); resume with {AS_SAVED}, or with --runs "
                            f"{out.target + out.beyond} or more, which keeps them")
    summary = jsonable(run_summary(out, scenario, seed, precision))
    try:
        print(json.dumps(summary, indent=2) if as_json else summary_text(summary, scenario))
        if precision is not None and not as_json:
            print(precision_line(out, precision))
    finally:
        if save is not None:
            save(summary)
    return summary
