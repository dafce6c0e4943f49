"""Terminal views with rich (used by the CLI only): a graded result, a rubric, the rubric table,
the summary of a batch.

A view wraps to the console's width, its prose lines too (strengths, gaps, next steps: they are
printed with ``soft_wrap=False`` so that rich breaks them between words). One-line messages are
printed elsewhere, with :func:`grader.cli.common.echo`, and never wrapped by rich.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from grader.result import GradeResult
from grader.rubric.model import Rubric

__all__ = ["render_result", "render_rubric", "rubric_table", "batch_summary_tables", "BAND_STYLE"]

BAND_STYLE = {"strong": "bold green", "adequate": "bold yellow", "weak": "bold red", None: "bold magenta"}
LEVEL_STYLE = {"full": "green", "partial": "yellow", "missing": "red"}


def _header(result: GradeResult) -> Text:
    t = Text()
    if result.status == "unscored":
        t.append("UNSCORED", style="bold magenta")
        t.append(f"  {result.unscored_reason}")
        return t
    t.append(f"{result.score:g} / {result.max_score:g}", style="bold")
    t.append(f"  ({result.percent:.0f} %)  ")
    if result.needs_review:  # flagged: a human decides, no band (see grader.confidence)
        t.append(result.band_label.upper(), style="bold magenta")
    else:
        t.append((result.band or "").upper(), style=BAND_STYLE.get(result.band, "bold"))
    return t


def render_result(console: Console, result: GradeResult, rubric: Rubric) -> None:
    meta = f"{rubric.id} · {result.backend}:{result.model} · prompt {result.prompt_version}"
    if result.cached:
        meta += " · from cache"
    console.print(Panel(Group(Text(rubric.question, style="italic"), _header(result)), title="grade", subtitle=meta))
    if result.criteria:
        table = Table(show_lines=True, expand=True)
        table.add_column("criterion", ratio=3)
        table.add_column("level", min_width=7, no_wrap=True)
        table.add_column("points", justify="right", min_width=9, no_wrap=True)
        table.add_column("evidence (verified quotes from the answer)", ratio=5)
        for c in result.criteria:
            level = Text(c.awarded.value, style=LEVEL_STYLE[c.awarded.value])
            if c.claimed != c.awarded:
                level.append(f"\n(claimed {c.claimed.value})", style="dim")
            ev = Text()
            for e in c.evidence:
                if e.verified:
                    ev.append(f"✓ “{e.quote}”\n", style="green")
                else:
                    ev.append(f"✗ “{e.quote}” — {e.reason}\n", style="red dim")
            if c.rationale:
                ev.append(c.rationale, style="dim")
            table.add_row(
                Text(f"{c.id}\n", style="bold") + Text(c.text, style="dim"),
                level,
                f"{c.points:.3g}/{c.max_points:.3g}",
                ev,
            )
        console.print(table)
    if result.strengths:
        console.print(Text("Strengths", style="bold green"))
        for s in result.strengths:
            console.print(f"  • {s}", markup=False, soft_wrap=False)
    if result.gaps:
        console.print(Text("Gaps and next steps", style="bold yellow"))
        for g in result.gaps:
            console.print(f"  • {g.gap}", markup=False, soft_wrap=False)
            console.print(f"    → {g.next_step}", markup=False, style="cyan", soft_wrap=False)
    if result.summary:
        console.print(Text(result.summary, style="italic"))
    for f in result.flags:
        console.print(Text(f"⚑ {f.code}: {f.detail}", style="bold red"))
    if result.examples_used:
        console.print(Text(examples_line(result), style="dim"))


def examples_line(result: GradeResult) -> str:
    """One line naming the graded examples that influenced the grade (the embedded judge's nearest)."""
    parts = [
        f"#{u.id if u.id is not None else '-'} (similarity {u.similarity:.2f}, weight {u.weight:.2f}"
        + (f", human {u.score:.0%})" if u.score is not None else ")")
        for u in result.examples_used
    ]
    return "graded examples used: " + ", ".join(parts)


def rubric_table(rubrics: list[Rubric]) -> Table:
    table = Table(expand=True)
    table.add_column("id", no_wrap=True)
    table.add_column("section")
    table.add_column("question", ratio=1)
    table.add_column("criteria", justify="right")
    for r in rubrics:
        table.add_row(r.id, r.section, r.question, str(len(r.criteria)))
    return table


def render_rubric(console: Console, rubric: Rubric) -> None:
    body = [Text(rubric.question, style="bold")]
    if rubric.hint:
        body.append(Text(f"Hint: {rubric.hint}", style="italic"))
    if rubric.reference_answer:
        body.append(Text(f"Reference answer: {rubric.reference_answer}", style="italic"))
    console.print(
        Panel(
            Group(*body),
            title=f"{rubric.id} · {rubric.section}",
            subtitle=f"max score {rubric.max_score:g} · hash {rubric.hash}",
        )
    )
    table = Table(expand=True)
    table.add_column("criterion", no_wrap=True)
    table.add_column("weight", justify="right")
    table.add_column("share", justify="right")
    table.add_column("what earns it", ratio=1)
    for c in rubric.criteria:
        table.add_row(c.id, f"{c.weight:g}", f"{100 * c.weight / rubric.total_weight:.0f} %", c.text)
    console.print(table)


def batch_summary_tables(summary: dict[str, Any]) -> list[Table]:
    """The summary of a batch run: totals, then one row per question (count, mean, bands)."""
    t = Table(title="batch summary")
    t.add_column("")
    t.add_column("value", justify="right")
    for key in (
        "rows",
        "already_done",
        "graded",
        "unscored",
        "errors",
        "served_from_cache",
        "prompt_tokens",
        "cached_prompt_tokens",
        "completion_tokens",
        "cost_usd",
        "elapsed_s",
    ):
        t.add_row(key.replace("_", " "), str(summary[key]))
    if summary.get("cost_unknown_rows"):
        t.add_row("rows with unknown price", str(summary["cost_unknown_rows"]))
    q = Table(title="per question")
    q.add_column("question")
    q.add_column("count", justify="right")
    q.add_column("mean", justify="right")
    q.add_column("strong / adequate / weak", justify="right")
    for qid, s in summary["per_question"].items():
        b = s["bands"]
        q.add_row(
            qid,
            str(s["count"]),
            "" if s["mean"] is None else f"{s['mean']:.2f}",
            f"{b.get('strong', 0)} / {b.get('adequate', 0)} / {b.get('weak', 0)}",
        )
    return [t, q]
