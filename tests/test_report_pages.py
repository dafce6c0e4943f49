"""Issue 11, part 5: what a new user tripped over in the report and the practice pages.

The report: the full answer text (escaped, collapsible), written for the interviewer ("The answer …"),
"needs a human" items linking to the answer in its card, near-duplicates grouped, a candidate who
answered 1 of 6 questions undecided (not failed). The pages and the report: tables scroll inside a box
on a 390 px screen, dark mode by ``prefers-color-scheme`` under the strict CSP. The history chart:
one line per question, LLM and embedded grades never on one chart.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from grader.report.build import build_report, load_results
from grader.report.render import TEMPLATES, render_html, render_markdown, to_interviewer
from grader.web.render import history_charts
from tests.test_report import COPIED, XSS, cohort, make_result, write_results

WEB_CSS = Path(__file__).resolve().parent.parent / "grader" / "web" / "templates" / "static" / "style.css"


class _Tables(HTMLParser):
    """Each <table>'s nearest enclosing element with a class, and every id and local link of the page."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, str]] = []
        self.table_parents: list[str] = []
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "a" and (a.get("href") or "").startswith("#"):
            self.links.append(a["href"][1:])
        if tag == "table":
            self.table_parents.append(self.stack[-1][1] if self.stack else "")
        if tag not in ("br", "img", "meta", "link", "input", "rect", "line", "text", "circle"):
            self.stack.append((tag, a.get("class") or ""))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break


def parse(html: str) -> _Tables:
    p = _Tables()
    p.feed(html)
    return p


# -- the report ------------------------------------------------------------------------------------------


def test_the_full_answer_is_shown_escaped_and_collapsible(tmp_path):
    path, answers = cohort(tmp_path)
    html = render_html(build_report(load_results(path), answers=answers))
    assert '<details class="answer-text"><summary>The answer (' in html
    assert "Carol explains it differently, with her own words about stable frames and drift." in html
    for x in XSS[:3]:
        assert x not in html  # the hostile candidate's answer is escaped like everything else
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(1)&gt;" in html
    md = render_markdown(build_report(load_results(path), answers=answers))
    assert "> Carol explains it differently" in md and "<script>" not in md
    # without the answers file the page says how to get them, once
    bare = render_html(build_report(load_results(path)))
    assert "<details" not in bare and bare.count("give <code>--answers</code>") == 1


def test_a_stale_answer_text_is_not_shown(tmp_path):
    path, answers = cohort(tmp_path)
    answers[("carol", "q1")] = "Some other version of Carol's answer that was not the one graded."
    html = render_html(build_report(load_results(path), answers=answers))
    assert "Some other version" not in html


def test_the_report_speaks_to_the_interviewer(tmp_path):
    summary = "Your answer fully covers 1 of 3 criteria. Start with: your answer needs an example."
    path = write_results(tmp_path / "r.csv", [("x", "q1", make_result("q1", 4, summary=summary))])
    report = build_report(load_results(path))
    for page in (render_html(report), render_markdown(report)):
        assert "Your answer" not in page and "your answer" not in page
        assert "The answer fully covers 1 of 3 criteria" in page and "the answer needs an example" in page
    assert to_interviewer("Yourself: your answers") == "Yourself: your answers"  # only "your answer" as words


def test_needs_a_human_items_link_to_the_answer_in_the_card(tmp_path):
    path, answers = cohort(tmp_path)
    report = build_report(load_results(path), answers=answers)
    page = parse(render_html(report))
    assert page.links and set(page.links) <= page.ids  # every local link lands somewhere
    html = render_html(report)
    section = html[html.index('id="needs-human"') : html.index('id="ranking"')]
    links = re.findall(r'href="#(c-\d+-q\d+)">([^<]+)</a>', section)
    # bob's q1 (suspected injection) links to bob's card, q1 section
    bob = next(i for i, c in enumerate(report.candidates, start=1) if c.candidate_id == "bob")
    assert (f"c-{bob}-q1", "q1") in links
    card = html[html.index(f'id="c-{bob}-q1"') :]
    assert card.index("detector: override") < card.index("</section>")


def test_near_duplicates_are_grouped(tmp_path):
    texts = {
        "a": COPIED,
        "b": COPIED.replace("I check", "I always check"),
        "c": COPIED.replace("I check", "I always check").replace("frame to frame", "frame to the next frame"),
        "d": "An unrelated answer written by the candidate alone, about something else entirely here.",
    }
    rows = [(cid, "q1", make_result("q1", 5, answer=text)) for cid, text in texts.items()]
    path = write_results(tmp_path / "r.csv", rows)
    report = build_report(load_results(path), answers={(cid, "q1"): t for cid, t in texts.items()})
    assert [(g.question_id, g.names) for g in report.duplicate_groups] == [("q1", ["a", "b", "c"])]
    html = render_html(report)
    assert "Near-duplicate groups (1)" in html
    group_row = html[html.index('class="dup-group"') :]
    group_row = group_row[: group_row.index("</tr>")]
    assert re.findall(r">([abc])</a>", group_row) == ["a", "b", "c"]
    assert "Near-duplicate groups (1)" in render_markdown(report)


def test_a_candidate_who_answered_1_of_6_questions_is_undecided_not_failed(tmp_path):
    rows = [(f"full{i}", f"q{j}", make_result(f"q{j}", 8)) for i in range(2) for j in range(1, 7)]
    rows.append(("partial", "q1", make_result("q1", 9)))
    report = build_report(load_results(write_results(tmp_path / "r.csv", rows)), pass_mark=60)
    partial = next(c for c in report.candidates if c.candidate_id == "partial")
    assert partial.verdict == "undecided" and len(partial.missing) == 5
    item = next(i for i in report.needs_human if i.candidate == "partial")
    assert "answered 1 of 6 questions" in item.reasons[0][1]
    html = render_html(report)
    assert "1 undecided (answers missing or without a score)" in html
    # … and the footnote says the same
    assert "a missing, unscored or failed answer counts 0 (and marks the candidate undecided" in html


def test_every_report_table_scrolls_inside_a_box(tmp_path):
    path, answers = cohort(tmp_path)
    page = parse(render_html(build_report(load_results(path), answers=answers)))
    assert page.table_parents and all(p == "scroll" for p in page.table_parents)


def test_report_dark_mode_keeps_the_strict_policy(tmp_path):
    path, _ = cohort(tmp_path)
    html = render_html(build_report(load_results(path)))
    assert "@media (prefers-color-scheme: dark)" in html and "color-scheme: light dark" in html
    assert ' style="' not in html  # no inline style attribute (the policy allows one stylesheet by hash)
    css = (TEMPLATES / "_report.css").read_text(encoding="utf-8")
    dark = css[css.index("@media (prefers-color-scheme: dark)") :]
    assert "--page:" in dark and "--ink:" in dark
    assert "#fff;" not in css.replace("--page: #fff;", "")  # every background comes from a variable


# -- the practice pages -----------------------------------------------------------------------------------


def test_web_css_has_dark_mode_and_scroll_boxes():
    css = WEB_CSS.read_text(encoding="utf-8")
    assert "@media (prefers-color-scheme: dark)" in css and ".scroll { overflow-x: auto;" in css


def test_web_pages_wrap_every_table(tmp_path):
    from grader.testing.fake import FakeJudge
    from tests.test_web import QID, grade_via_page, make_client

    client, _, store = make_client(tmp_path, FakeJudge())
    with client:
        grade_via_page(client, QID, "Text-to-video starts from a prompt alone. Image-to-video animates a still.")
        for url in ("/", "/history", "/attempt/1"):
            html = client.get(url).text
            parents = parse(html).table_parents
            assert parents and all(p == "scroll" for p in parents), url
            assert ' style="' not in html
    store.close()


def _t(i: int, qid: str, pct: float, backend: str) -> dict:
    return {"id": i, "question_id": qid, "percent": pct, "created_at": f"2026-11-0{i}T10:00:00", "backend": backend}


def test_history_draws_one_line_per_question_and_never_mixes_graders():
    timeline = [
        _t(1, "q-a", 30.0, "llm"),
        _t(2, "q-b", 90.0, "llm"),
        _t(3, "q-a", 50.0, "llm"),
        _t(4, "q-a", 70.0, "local"),
        _t(5, "q-b", 20.0, "llm"),
        _t(6, "q-a", 40.0, "local"),
    ]
    charts = history_charts(timeline)
    assert [c.label for c in charts] == ["LLM grader", "embedded grader (offline)"]
    llm, local = (str(c.svg) for c in charts)
    lines = re.findall(r'<polyline class="series s(\d)" points="([^"]+)"', llm)
    assert len(lines) == 2 and {k for k, _ in lines} == {"0", "1"}  # one line for q-a, one for q-b
    assert all(len(points.split()) == 2 for _, points in lines)  # each joins only its own question's points
    assert llm.count("<circle") == 4 and local.count("<circle") == 2
    assert len(re.findall("<polyline", local)) == 1
    assert charts[0].legend == [("q-a", 0), ("q-b", 1)]


def test_history_page_shows_separate_charts(tmp_path):
    from grader.testing.fake import FakeJudge
    from tests.test_web import make_client

    client, _, store = make_client(tmp_path, FakeJudge())
    for backend, score in (("llm", 4), ("local", 8), ("llm", 6)):
        result = make_result("vid-05", score).model_copy(update={"backend": backend})
        store.add_attempt(result, "an answer", section="Beginner")
    with client:
        html = client.get("/history").text
    assert "<h3>LLM grader</h3>" in html and "<h3>embedded grader (offline)</h3>" in html
    assert html.count("<svg") == 2 and "drawn apart" in html
    store.close()
