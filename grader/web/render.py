"""What the practice pages draw in code: the answer with its evidence highlighted, the history chart.

Pure functions of their inputs (tested directly). Every piece of candidate text is escaped segment
by segment with :func:`markupsafe.escape`; the chart is inline SVG (no script).
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

from grader.practice import Highlight

__all__ = ["highlight_answer", "history_chart"]


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


def history_chart(timeline: list[dict[str, Any]], *, width: int = 720, height: int = 240) -> Markup:
    """An inline SVG line chart of percent per attempt, in order; each point links to its attempt."""
    left, right, top, bottom = 40, 12, 12, 28
    pw, ph = width - left - right, height - top - bottom
    scored = [t for t in timeline if t.get("percent") is not None]
    parts = [
        Markup(
            '<svg class="chart" role="img" aria-label="scores over time" viewBox="0 0 {w} {h}" '
            'width="{w}" height="{h}" xmlns="http://www.w3.org/2000/svg">'
        ).format(w=width, h=height)
    ]

    def y(p: float) -> float:
        return round(top + ph * (1 - p / 100), 1)

    for p in (0, 25, 50, 75, 100):
        parts.append(
            Markup(
                '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#ddd"/>'
                '<text x="{}" y="{}" font-size="11" text-anchor="end" fill="#666">{}%</text>'
            ).format(left, left + pw, y(p), y(p), left - 6, y(p) + 4, p)
        )
    for p, colour in ((45, "#d9a400"), (75, "#2e8b57")):
        parts.append(
            Markup('<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-dasharray="4 4"/>').format(
                left, left + pw, y(p), y(p), colour
            )
        )
    if scored:
        n = len(scored)
        xs = [round(left + (pw / 2 if n == 1 else pw * i / (n - 1)), 1) for i in range(n)]
        points = " ".join(f"{x},{y(t['percent'])}" for x, t in zip(xs, scored))
        parts.append(Markup('<polyline points="{}" fill="none" stroke="#3465a4" stroke-width="2"/>').format(points))
        for x, t in zip(xs, scored):
            pct = t["percent"]
            colour = "#2e8b57" if pct >= 75 else "#d9a400" if pct >= 45 else "#c0392b"
            label = f"{t['question_id']} · {pct:.0f} % · {t['created_at'][:16].replace('T', ' ')}"
            parts.append(
                Markup(
                    '<a href="/attempt/{}"><circle cx="{}" cy="{}" r="5" fill="{}"><title>{}</title></circle></a>'
                ).format(t["id"], x, y(pct), colour, label)
            )
        first, last = scored[0]["created_at"][:10], scored[-1]["created_at"][:10]
        parts.append(
            Markup(
                '<text x="{}" y="{}" font-size="11" fill="#666">{}</text>'
                '<text x="{}" y="{}" font-size="11" text-anchor="end" fill="#666">{}</text>'
            ).format(left, height - 8, first, left + pw, height - 8, last)
        )
    else:
        parts.append(
            Markup('<text x="{}" y="{}" text-anchor="middle" fill="#666">no graded attempts yet</text>').format(
                left + pw / 2, top + ph / 2
            )
        )
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)
