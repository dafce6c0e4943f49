"""The tables of ``grader calibrate``: the score-agreement report (metrics per system, the label
confusion matrix, the legend and notes) and the ``--criteria`` report (criterion-level agreement
with bootstrap intervals, the level confusion matrix, by kind and by question).

A helper of :mod:`grader.cli.calibrate` (which grades or reads the rows and builds the reports with
:mod:`grader.agreement`), kept apart so the command module holds the options and the runs and this
one what is printed. Question ids and kinds are escaped for rich markup.
"""

from __future__ import annotations

import math
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from grader.cli.common import print_line

__all__ = ["metrics_table", "confusion_table", "render_report", "render_criteria_report"]

_ROWS = [  # (field, label)
    ("pearson", "Pearson r"),
    ("spearman", "Spearman ρ"),
    ("qwk", "QWK"),
    ("rmse", "RMSE (lower is better)"),
    ("exact_agreement", "exact agreement"),
    ("adjacent_agreement", "adjacent agreement"),
    ("length_bias", "length bias"),
    ("accuracy", "label accuracy"),
    ("macro_f1", "label macro-F1"),
]
_LEGEND = (
    "scores normalised to 0–1; QWK, exact (same bin) and adjacent (±1 bin) agreement on the bins; "
    "length bias = Pearson r of score vs answer words"
)


def _fmt(v: float | None) -> str:
    return "n/a" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.3f}"


def metrics_table(report: Any) -> Table:
    """The agreement metrics of the grader and each baseline, and the human length bias."""
    systems = [report, *report.baselines]
    table = Table(title="agreement with the human scores", title_justify="left")
    table.add_column("metric")
    for s in systems:
        table.add_column(s.name, justify="right", style="bold" if s is report else None)
    table.add_column("human", justify="right", style="dim")
    for key, label in _ROWS:
        if key in ("accuracy", "macro_f1") and report.labels is None:
            continue
        human = _fmt(report.human_length_bias) if key == "length_bias" else ""
        table.add_row(label, *(_fmt(getattr(s, key)) for s in systems), human)
    return table


def confusion_table(report: Any) -> Table:
    """Human labels (rows) against the grader's (columns), the diagonal highlighted."""
    table = Table(title="labels: rows = human, columns = grader", title_justify="left")
    table.add_column("human \\ grader")
    for lab in report.labels:
        table.add_column(lab, justify="right")
    table.add_column("total", justify="right", style="dim")
    for i, (lab, counts) in enumerate(zip(report.labels, report.confusion)):
        cells = [f"[bold green]{c}[/]" if i == j else str(c) for j, c in enumerate(counts)]
        table.add_row(lab, *cells, str(sum(counts)))
    return table


def render_report(console: Console, report: Any) -> None:
    """Print one score-agreement report: what was compared, what was left out, the tables, the notes."""
    where = report.source + (f" (split {report.split})" if report.split else "")
    print_line(
        console,
        f"[bold]{report.n}[/] of {report.n_rows} rows compared · {escape(where)} · grader "
        f"{escape(report.description or 'from results file')}"
        + (f" · {report.n_cached} from cache" if report.n_cached else ""),
        markup=True,
    )
    if report.skipped:
        print_line(
            console,
            "left out: " + ", ".join(f"{n} {why}" for why, n in report.skipped.items()),
            style="yellow",
            highlight=True,
        )
    console.print(metrics_table(report))
    if report.labels and report.confusion:
        console.print(confusion_table(report))
    lines = [_LEGEND, f"bins: {report.binning}"]
    if report.label_rule:
        lines.append(f"grader labels: {report.label_rule}")
    lines += [f"baseline {b.name}: {b.description}" for b in report.baselines]
    for system in (report, *report.baselines):
        lines += [f"{system.name} {k}: n/a, {why}" for k, why in system.undefined.items()]
    lines += report.notes
    for line in lines:
        print_line(console, line, style="dim")


# -- --criteria -----------------------------------------------------------------------------------


def _ci(report: Any, key: str) -> str:
    value = getattr(report, key)
    if value is None:
        return "n/a"
    lo_hi = report.intervals.get(key)
    return f"{value:.3f}" + (f" [{lo_hi[0]:.2f}–{lo_hi[1]:.2f}]" if lo_hi else "")


_CRITERIA_ROWS = [
    ("exact", "exact level agreement"),
    ("qwk", "quadratic weighted kappa"),
    ("missing_credited", "human-missing criteria credited"),
    ("credit_precision", "credit precision"),
    ("credit_recall", "credit recall"),
    ("credit_f1", "credit F1"),
    ("score_pearson", "answer score Pearson r"),
]


def _criteria_table(title: str, groups: dict[str, Any], first: str) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column(first)
    table.add_column("answers", justify="right")
    for _, label in _CRITERIA_ROWS[:3] + _CRITERIA_ROWS[-1:]:
        table.add_column(label, justify="right")
    for name, rep in groups.items():
        table.add_row(
            escape(name or "(none)"),
            str(rep.answers),
            *(_fmt(getattr(rep, key)) for key, _ in _CRITERIA_ROWS[:3] + _CRITERIA_ROWS[-1:]),
        )
    return table


def render_criteria_report(console: Console, report: Any, levels: Any, source: str, judge: str) -> None:
    """Print a ``--criteria`` report: what was compared, the overall metrics with their intervals,
    the level confusion matrix (``levels`` in order), by kind, by question, and the verdict."""
    overall = report.overall
    print_line(
        console,
        f"{overall.criteria} criteria of {report.graded} answers compared · {source} · judge {judge}"
        + (f" · {report.failed} answer(s) could not be graded" if report.failed else ""),
    )
    table = Table(
        title="criterion-level agreement with the human levels (95 % bootstrap intervals)", title_justify="left"
    )
    table.add_column("metric")
    table.add_column("value", justify="right")
    for key, label in _CRITERIA_ROWS:
        table.add_row(label, _ci(overall, key))
    console.print(table)
    confusion = Table(title="levels: rows = human, columns = judge", title_justify="left")
    confusion.add_column("human \\ judge")
    for lab in levels:
        confusion.add_column(lab, justify="right")
    for lab, counts in zip(levels, overall.confusion):
        confusion.add_row(lab, *(str(c) for c in counts))
    console.print(confusion)
    if report.by_kind:
        console.print(_criteria_table("by kind", report.by_kind, "kind"))
    console.print(_criteria_table("by question", report.by_question, "question"))
    print_line(console, report.verdict, style="bold")
