"""Rendering the pre-screening report: one self-contained HTML page, or Markdown.

Safety: every value from a results file is untrusted. The HTML environment autoescapes everything;
the page has no script, loads nothing (fonts, images and styles are inline) and carries a
Content-Security-Policy that forbids scripts and any network access (its one stylesheet is allowed by
hash). The Markdown renderer escapes every value by default (HTML entities for ``< > &``,
backslashes for Markdown punctuation); only values the code marks safe are written verbatim.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from grader.errors import InputError
from grader.report.build import QuestionStats, Report
from grader.report.compare import Comparison
from grader.result import FLAG_CODES

__all__ = [
    "render_html",
    "render_markdown",
    "render_compare_html",
    "render_compare_markdown",
    "write_report",
    "md_escape",
    "to_interviewer",
    "TEMPLATES",
]

TEMPLATES = Path(__file__).resolve().parent / "templates"


_CHART_W, _CHART_H, _BAR_GAP = 300, 90, 4


def _chart(stats: QuestionStats, pass_mark: float) -> dict[str, Any]:
    """Geometry of one histogram (drawn by the template as plain SVG rectangles)."""
    top = max(stats.bins) or 1
    width = (_CHART_W - 9 * _BAR_GAP) / 10
    bars = []
    for i, count in enumerate(stats.bins):
        h = round(_CHART_H * count / top, 1)
        bars.append(
            {
                "x": round(i * (width + _BAR_GAP), 1),
                "y": round(_CHART_H - h, 1),
                "w": round(width, 1),
                "h": h,
                "count": count,
                "label": f"{i * 10}–{i * 10 + 10} %",
            }
        )
    return {"w": _CHART_W, "h": _CHART_H, "bars": bars, "pass_x": round(_CHART_W * pass_mark / 100, 1)}


def _html_env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.do"],
    )
    env.filters["num"] = _num
    env.filters["to_interviewer"] = to_interviewer
    return env


_YOUR_ANSWER = re.compile(r"\b([Yy])our answer\b")


def to_interviewer(text: str) -> str:
    """Feedback written for the candidate ("Your answer covers …"), reworded for the interviewer who reads
    the report ("The answer covers …")."""
    return _YOUR_ANSWER.sub(lambda m: "The answer" if m.group(1) == "Y" else "the answer", str(text))


def _num(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _context(report: Report) -> dict[str, Any]:
    return {
        "r": report,
        "flag_text": FLAG_CODES,
        "charts": {q.question_id: _chart(q, report.pass_mark) for q in report.questions},
        "show_columns": len(report.questions) <= 12,
        # anchors of the cards (#c-N) and of each answer in them (#c-N-qM), for the "needs a human" links
        "card_of": {c.name: i for i, c in enumerate(report.candidates, start=1)},
        "question_index": {q.question_id: i for i, q in enumerate(report.questions, start=1)},
    }


_STYLE = re.compile(r"<style>(.*?)</style>", re.S)
_HASH_SLOT = "__STYLE_SHA256__"


def render_html(report: Report) -> str:
    return _html_page("report.html.j2", _context(report))


def render_compare_html(comparison: Comparison) -> str:
    """The comparison of two runs as one self-contained page (same policy and stylesheet as the report)."""
    return _html_page("compare.html.j2", {"cmp": comparison})


def render_compare_markdown(comparison: Comparison) -> str:
    return _md_env().get_template("compare.md.j2").render(cmp=comparison)


def _html_page(template: str, context: dict[str, Any]) -> str:
    csp = (
        f"default-src 'none'; style-src 'sha256-{_HASH_SLOT}'; img-src data:; font-src 'none'; "
        "script-src 'none'; connect-src 'none'; base-uri 'none'; form-action 'none'; frame-src 'none'; "
        "object-src 'none'"
    )
    page = _html_env().get_template(template).render(**context, csp=csp)
    # The one <style> element is the template's own (candidate text is escaped, so it cannot open one):
    # allow exactly that stylesheet and nothing else.
    style = _STYLE.search(page)
    if style is None:  # cannot happen with the shipped template
        raise RuntimeError(f"{template} has no <style> element")
    css = style.group(1)
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    return page.replace(_HASH_SLOT, digest, 1)


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|~])")
_MD_LEADING = re.compile(r"^(?:[#+\-=]|\d+(?=[.)]))")


def md_escape(value: Any) -> str:
    """Escape untrusted text for Markdown, inline: one line, ``< > & "`` as HTML entities, the characters
    that make emphasis, code, links, tables or HTML backslashed, and a leading heading/list/quote marker."""
    text = " ".join(str(value).split())
    text = text.replace("&", "&amp;").replace('"', "&quot;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    text = text.replace("\\<", "&lt;").replace("\\>", "&gt;")
    return _MD_LEADING.sub(lambda m: m.group() + "\\" if m.group().isdigit() else "\\" + m.group(), text)


def _md_finalize(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Markup):
        return str(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _num(value)
    return md_escape(value)


def render_markdown(report: Report) -> str:
    return _md_env().get_template("report.md.j2").render(**_context(report))


def _md_env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=False,
        undefined=StrictUndefined,
        finalize=_md_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["num"] = lambda v: Markup(_num(v))
    env.filters["safe_md"] = Markup  # for text the code itself wrote
    env.filters["bar"] = lambda count, top: Markup("█" * round(20 * count / top) if top else "")
    env.filters["to_interviewer"] = to_interviewer
    return env


def write_report(report: Report | Comparison, path: str | Path) -> Path:
    """Write the report (or a comparison of two runs) as HTML or Markdown, by the file's suffix."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix in (".html", ".htm"):
        text = render_html(report) if isinstance(report, Report) else render_compare_html(report)
    elif suffix in (".md", ".markdown"):
        text = render_markdown(report) if isinstance(report, Report) else render_compare_markdown(report)
    else:
        raise InputError(
            f"unknown report format {suffix or '(none)'!r}",
            source=str(p),
            hint="name the output report.html or report.md",
        )
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text, encoding="utf-8")
    return p
