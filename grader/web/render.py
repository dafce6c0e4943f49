"""What the practice pages draw in code: the answer with its evidence highlighted, the history chart.

Pure functions of their inputs (tested directly). Every piece of candidate text is escaped segment
by segment with :func:`markupsafe.escape`; the chart is inline SVG (no script).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from grader.practice import Highlight

__all__ = ["highlight_answer", "history_chart", "history_charts", "HistoryChart"]


def highlight_answer(answer: str, spans: list[Highlight], numbers: dict[str, int] | None = None) -> Markup:
    """The answer as HTML with each span in ``<mark>``; every segment is escaped separately.

    ``spans`` must be sorted and non-overlapping (:func:`grader.practice.evidence_spans` merges them).
    ``numbers`` maps criterion ids to the numbers shown after each mark.
    """
    out: list[Markup] = []
    pos = 0
    for h in spans:
        if h.start < pos or h.end <= h.start:
            continue  # defensive: never emit overlapping or empty marks
        out.append(escape(answer[pos : h.start]))
        title = "evidence for " + ", ".join(h.criteria)
        out.append(Markup('<mark title="{}">{}</mark>').format(title, answer[h.start : h.end]))
        if numbers:
            refs = ",".join(str(numbers[c]) for c in h.criteria if c in numbers)
            if refs:
                out.append(Markup('<sup class="ref">{}</sup>').format(refs))
        pos = h.end
    out.append(escape(answer[pos:]))
    return Markup("").join(out)


#: Series colours (CSS classes ``s0`` … ``s7`` in static/style.css, with dark-mode variants).
SERIES = 8
_GRADER_LABELS = {"llm": "LLM grader", "local": "embedded grader (offline)"}


@dataclass
class HistoryChart:
    """One chart of the history page: the attempts graded by one kind of grader, one line per question."""

    label: str  # "LLM grader", "embedded grader (offline)", …
    svg: Markup
    legend: list[tuple[str, int]]  # (question id, series number: CSS class s<N>)


def history_charts(timeline: list[dict[str, Any]]) -> list[HistoryChart]:
    """The history as one chart per kind of grader (an LLM's and the embedded grader's percentages are
    not on one scale, so they never share a line), each with one line per question (a line between
    two different questions would suggest a trend that is not there). Empty timeline: one empty chart."""
    kinds: dict[str, list[dict[str, Any]]] = {}
    for t in timeline:
        kinds.setdefault(t.get("backend") or "", []).append(t)
    if not kinds:
        return [HistoryChart("", history_chart([]), [])]
    charts = []
    for kind in sorted(kinds, key=lambda k: (k != "llm", k != "local", k)):
        part = kinds[kind]
        order = list(dict.fromkeys(t["question_id"] for t in part))
        label = _GRADER_LABELS.get(kind, f"{kind} grader" if kind else "grader not recorded")
        charts.append(HistoryChart(label, history_chart(part), [(q, i % SERIES) for i, q in enumerate(order)]))
    return charts


def history_chart(timeline: list[dict[str, Any]], *, width: int = 720, height: int = 240) -> Markup:
    """An inline SVG line chart of percent per attempt, in time order, one line per question (its own
    colour: CSS class ``s<N>``, N by first appearance); each point links to its attempt. The caller
    gives the attempts of one kind of grader (:func:`history_charts`)."""
    left, right, top, bottom = 40, 12, 12, 28
    pw, ph = width - left - right, height - top - bottom
    scored = [t for t in timeline if t.get("percent") is not None]
    parts = [
        Markup(
            '<svg class="chart" role="img" aria-label="scores over time, one line per question" '
            'viewBox="0 0 {w} {h}" width="{w}" height="{h}" xmlns="http://www.w3.org/2000/svg">'
        ).format(w=width, h=height)
    ]

    def y(p: float) -> float:
        return round(top + ph * (1 - p / 100), 1)

    for p in (0, 25, 50, 75, 100):
        parts.append(
            Markup(
                '<line class="grid" x1="{}" x2="{}" y1="{}" y2="{}"/>'
                '<text class="axis" x="{}" y="{}" font-size="11" text-anchor="end">{}%</text>'
            ).format(left, left + pw, y(p), y(p), left - 6, y(p) + 4, p)
        )
    for p, band in ((45, "adequate"), (75, "strong")):
        parts.append(
            Markup('<line class="band-line {}" x1="{}" x2="{}" y1="{}" y2="{}" stroke-dasharray="4 4"/>').format(
                band, left, left + pw, y(p), y(p)
            )
        )
    if scored:
        n = len(scored)
        xs = [round(left + (pw / 2 if n == 1 else pw * i / (n - 1)), 1) for i in range(n)]
        series = {q: i % SERIES for i, q in enumerate(dict.fromkeys(t["question_id"] for t in timeline))}
        for qid, k in series.items():
            pts = [(x, t) for x, t in zip(xs, scored) if t["question_id"] == qid]
            if len(pts) > 1:
                line = " ".join(f"{x},{y(t['percent'])}" for x, t in pts)
                parts.append(
                    Markup(
                        '<polyline class="series s{}" points="{}" fill="none" stroke-width="2"><title>{}</title>'
                        "</polyline>"
                    ).format(k, line, qid)
                )
        for x, t in zip(xs, scored):
            pct = t["percent"]
            label = f"{t['question_id']} · {pct:.0f} % · {t['created_at'][:16].replace('T', ' ')}"
            parts.append(
                Markup(
                    '<a href="/attempt/{}"><circle class="point s{}" cx="{}" cy="{}" r="5">'
                    "<title>{}</title></circle></a>"
                ).format(t["id"], series[t["question_id"]], x, y(pct), label)
            )
        first, last = scored[0]["created_at"][:10], scored[-1]["created_at"][:10]
        parts.append(
            Markup(
                '<text class="axis" x="{}" y="{}" font-size="11">{}</text>'
                '<text class="axis" x="{}" y="{}" font-size="11" text-anchor="end">{}</text>'
            ).format(left, height - 8, first, left + pw, height - 8, last)
        )
    else:
        parts.append(
            Markup('<text class="axis" x="{}" y="{}" text-anchor="middle">no graded attempts yet</text>').format(
                left + pw / 2, top + ph / 2
            )
        )
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)
