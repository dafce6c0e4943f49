"""The pre-screening report (``grader report``), near-duplicate detection and confidence by sampling.

Results files are built in code (GradeResult objects written with the real batch writer), so the
report is tested on exactly what ``grader batch`` produces.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from grader.batch.io import BatchRow, ResultWriter
from grader.batch.runner import error_record, result_record
from grader.confidence import combine, grade_samples
from grader.errors import Usage
from grader.grading import Grader
from grader.report.build import alias_for, build_report, load_results
from grader.report.duplicates import find_near_duplicates
from grader.report.render import render_html, render_markdown
from grader.result import CriterionResult, Evidence, Flag, GradeResult
from grader.settings import Settings
from grader.verdict import Gap, Level

XSS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "</style><style>body{display:none}</style>",
    '[click me](javascript:alert(1)) <a href="javascript:alert(1)">x</a>',
    "{{ 7*7 }} {% raw %}",
    '"><svg onload=alert(1)>',
]
HOSTILE_ID = "<script>alert('id')</script>"
COPIED = (
    "Temporal consistency means objects, lighting and physics stay stable from frame to frame. It fails "
    "through flickering, morphing and identity drift, which I check by stepping through frames."
)


def make_result(
    qid: str,
    score: float | None,
    *,
    flags=(),
    quotes=("a verified quote",),
    strengths=(),
    gaps=(),
    summary="",
    answer: str = "",
    samples=(),
    status="graded",
) -> GradeResult:
    crits = [
        CriterionResult(
            id="c1",
            text="Explains the thing.",
            weight=1,
            claimed=Level.full,
            awarded=Level.full if score else Level.missing,
            points=score or 0,
            max_points=10,
            rationale="because",
            evidence=[Evidence(quote=q, verified=True) for q in quotes]
            + [Evidence(quote="a made-up quote", verified=False, reason="not found in the answer")],
        )
    ]
    return GradeResult(
        question_id=qid,
        rubric_hash="h",
        prompt_version="p",
        backend="llm",
        model="m",
        status=status,
        score=score,
        max_score=10,
        percent=None if score is None else score * 10,
        band=None if score is None else ("strong" if score >= 7.5 else "adequate" if score >= 4.5 else "weak"),
        criteria=crits if status == "graded" else [],
        strengths=list(strengths),
        gaps=list(gaps),
        summary=summary,
        flags=[Flag(code=c, detail=d) for c, d in flags],
        answer_sha256=hashlib.sha256(answer.encode()).hexdigest(),
        answer_words=len(answer.split()),
        samples=list(samples),
        unscored_reason="invalid JSON three times" if status == "unscored" else "",
    )


def write_results(path: Path, rows: list[tuple[str, str, GradeResult | str]]) -> Path:
    writer = ResultWriter(path, append=False)
    for i, (cid, qid, res) in enumerate(rows, start=1):
        row = BatchRow(i, i + 1, cid, qid, "")
        writer.write(error_record(row, res) if isinstance(res, str) else result_record(row, res))
    writer.close()
    return path


def cohort(tmp_path: Path, suffix: str = ".csv") -> tuple[Path, dict]:
    """Four candidates, two questions (max 20): alice 17, bob 12 (tie with carol), carol 12, dave 3 + unscored."""
    answers = {
        ("alice", "q1"): COPIED,
        ("alice", "q2"): "Alice's own answer to the second question, long enough.",
        ("bob", "q1"): COPIED.replace("I check", "I always check"),
        ("bob", "q2"): "Bob wrote this one himself.",
        ("carol", "q1"): "Carol explains it differently, with her own words about stable frames and drift.",
        ("carol", "q2"): "Carol answers the second question in her own words, at some length here.",
        ("dave", "q1"): "Dave's short answer about frames and consistency, in a sentence or two.",
        ("dave", "q2"): "Dave's second answer could not be scored by the judge at all, it seems.",
        (HOSTILE_ID, "q1"): XSS[0] + " " + XSS[1] + " frames stay stable, flickering, morphing, drift",
    }
    rows = [
        (
            "alice",
            "q1",
            make_result(
                "q1",
                9,
                answer=answers[("alice", "q1")],
                strengths=["Clear definition"],
                gaps=[Gap(gap="No examples", next_step="Add one")],
            ),
        ),
        (
            "alice",
            "q2",
            make_result(
                "q2",
                8,
                answer=answers[("alice", "q2")],
                flags=[("low_confidence", "scores of 3 gradings range from 5 to 8")],
                samples=[8, 5, 8],
            ),
        ),
        (
            "bob",
            "q1",
            make_result("q1", 7, answer=answers[("bob", "q1")], flags=[("injection_suspected", "detector: override")]),
        ),
        ("bob", "q2", make_result("q2", 5, answer=answers[("bob", "q2")])),
        (
            "carol",
            "q1",
            make_result(
                "q1",
                6,
                answer=answers[("carol", "q1")],
                flags=[("unverified_evidence", "no verified quote for a credited level: c2")],
            ),
        ),
        ("carol", "q2", make_result("q2", 6, answer=answers[("carol", "q2")])),
        ("dave", "q1", make_result("q1", 3, answer=answers[("dave", "q1")])),
        (
            "dave",
            "q2",
            make_result(
                "q2",
                None,
                answer=answers[("dave", "q2")],
                status="unscored",
                flags=[("unscored", "invalid JSON three times")],
            ),
        ),
        ("erin", "q1", "the answer is not valid UTF-8"),
        (
            HOSTILE_ID,
            "q1",
            make_result(
                "q1",
                2,
                answer=answers[(HOSTILE_ID, "q1")],
                quotes=XSS,
                strengths=XSS,
                gaps=[Gap(gap=x, next_step=x) for x in XSS],
                summary=" ".join(XSS),
                flags=[("injection_suspected", XSS[0])],
            ),
        ),
    ]
    return write_results(tmp_path / f"results{suffix}", rows), answers


# -- loading, ranking, pass mark ----------------------------------------------------------------------


def test_ranking_totals_ties_and_pass_mark(tmp_path):
    path, _ = cohort(tmp_path)
    report = build_report(load_results(path), pass_mark=60)
    order = [(c.candidate_id, c.total, c.rank, c.verdict) for c in report.candidates]
    assert order == [
        ("alice", 17.0, 1, "pass"),
        ("bob", 12.0, 2, "pass"),
        ("carol", 12.0, 2, "pass"),
        ("dave", 3.0, 4, "undecided"),  # 15 %, but with the unscored q2 (10 points) it could reach 65 %
        (HOSTILE_ID, 2.0, 5, "undecided"),  # answered q1 only: 2 + 10 for the missing q2 = 60 %
        ("erin", 0.0, 6, "undecided"),  # an error and a missing answer: nothing is known yet
    ]
    assert all(c.max_total == 20 for c in report.candidates)
    assert report.candidates[0].percent == 85.0
    assert [c.verdict for c in build_report(load_results(path), pass_mark=70).candidates][:3] == [
        "pass",
        "fail",
        "fail",
    ]
    assert report.errors == 1 and report.rows == 10


def test_undecided_only_when_the_missing_points_could_change_the_result(tmp_path):
    path, _ = cohort(tmp_path)
    by_id = {c.candidate_id: c for c in build_report(load_results(path), pass_mark=60).candidates}
    assert by_id["dave"].verdict == "undecided"  # 3 + 10 possible = 65 % >= 60 %
    by_id = {c.candidate_id: c for c in build_report(load_results(path), pass_mark=70).candidates}
    assert by_id["dave"].verdict == "fail"  # 65 % < 70 % even with full marks on the unscored answer
    assert by_id["erin"].verdict == "undecided" and by_id["erin"].missing == ["q2"]  # 0 + 20 open points
    assert by_id[HOSTILE_ID].verdict == "fail"  # 2 + 10 for the missing q2 = 60 % < 70 %


def test_jsonl_results_give_the_same_report(tmp_path):
    csv_path, _ = cohort(tmp_path, ".csv")
    jsonl_path, _ = cohort(tmp_path, ".jsonl")
    a = build_report(load_results(csv_path))
    b = build_report(load_results(jsonl_path))
    assert [(c.candidate_id, c.total, c.verdict) for c in a.candidates] == [
        (c.candidate_id, c.total, c.verdict) for c in b.candidates
    ]


def test_the_last_row_for_an_answer_counts(tmp_path):
    path = write_results(tmp_path / "r.csv", [("x", "q1", make_result("q1", 2)), ("x", "q1", make_result("q1", 9))])
    assert build_report(load_results(path)).candidates[0].total == 9


# -- needs a human --------------------------------------------------------------------------------------


def test_needs_a_human_lists_every_flagged_answer_with_its_reason(tmp_path):
    path, answers = cohort(tmp_path)
    report = build_report(load_results(path), answers=answers)
    items = {(i.candidate, i.question_id): dict(i.reasons) for i in report.needs_human}
    assert items[("bob", "q1")]["injection_suspected"] == "detector: override"
    assert "c2" in items[("carol", "q1")]["unverified_evidence"]
    assert "range from 5 to 8" in items[("alice", "q2")]["low_confidence"]
    assert items[("dave", "q2")]["unscored"] == "invalid JSON three times"
    assert "not valid UTF-8" in items[("erin", "q1")]["error"]
    assert "near_duplicate" in items[("alice", "q1")] and "near_duplicate" in items[("bob", "q1")]
    assert "bob" in items[("alice", "q1")]["near_duplicate"] and "alice" in items[("bob", "q1")]["near_duplicate"]
    assert "could lift them" in items[("dave", "")]["undecided"]
    assert ("carol", "q2") not in items and ("alice", "q1") in items
    # most serious first
    assert report.needs_human[0].reasons[0][0] == "injection_suspected"


def test_near_duplicates_carry_the_other_candidate_and_the_similarity(tmp_path):
    path, answers = cohort(tmp_path)
    report = build_report(load_results(path), answers=answers)
    by_id = {c.candidate_id: c for c in report.candidates}
    ((other, sim),) = by_id["alice"].answers["q1"].duplicates
    assert other == "bob" and 90 <= sim < 100
    assert by_id["bob"].answers["q1"].duplicates == [("alice", sim)]
    assert not by_id["carol"].answers["q1"].duplicates
    assert report.duplicate_pairs == 1 and "fuzzy" in report.duplicate_method
    html = render_html(report)
    assert f"{sim:g} % similar to the answer of bob" in html


def test_without_the_answers_only_identical_answers_are_found(tmp_path):
    same = "An identical answer copied word for word by two different candidates in the cohort."
    path = write_results(
        tmp_path / "r.csv",
        [
            ("a", "q1", make_result("q1", 5, answer=same)),
            ("b", "q1", make_result("q1", 6, answer=same)),
            ("c", "q1", make_result("q1", 6, answer=same + " And one more sentence of my own.")),
        ],
    )
    report = build_report(load_results(path))
    assert report.duplicate_pairs == 1 and "exact only" in report.duplicate_method
    by_id = {c.candidate_id: c for c in report.candidates}
    assert by_id["a"].answers["q1"].duplicates == [("b", 100.0)]


def test_a_stale_answers_file_is_not_used(tmp_path):
    path, answers = cohort(tmp_path)
    answers[("bob", "q1")] = COPIED  # not the answer that was graded (hash differs)
    report = build_report(load_results(path), answers=answers)
    assert report.duplicate_pairs == 0


# -- charts, cards, anonymising ---------------------------------------------------------------------------


def test_distributions_and_cards(tmp_path):
    path, _ = cohort(tmp_path)
    report = build_report(load_results(path))
    q1 = next(q for q in report.questions if q.question_id == "q1")
    assert q1.n == 6 and q1.unscored == 1 and sum(q1.bins) == 5 and q1.bins[9] == 1 and q1.bins[2] == 1
    html = render_html(report)
    assert html.count("<svg") == 2 and "Needs a human" in html and "a verified quote" in html
    assert "a made-up quote" in html and "not found in the answer" in html  # rejected quotes say why
    assert "Clear definition" in html and "Add one" in html
    assert "3 gradings: 8, 5, 8" in html
    md = render_markdown(report)
    for section in ("## Needs a human", "## Ranking", "## Score distributions per question", "## Candidates"):
        assert section in md


def test_anonymised_aliases_are_stable_and_ids_never_appear(tmp_path):
    path, answers = cohort(tmp_path)
    ids = ["alice", "bob", "carol", "dave", "erin", HOSTILE_ID]
    pages = []
    for _ in range(2):
        report = build_report(load_results(path), anonymise=True, answers=answers)
        pages.append((render_html(report), render_markdown(report)))
        assert sorted(c.name for c in report.candidates) == sorted(alias_for(i) for i in ids)
    assert alias_for("alice") == "Candidate " + hashlib.sha256(b"alice").hexdigest()[:6].upper()
    html, md = pages[0]
    for page in (html, md):
        for cid in ["alice", "carol", "dave", "erin"]:
            assert cid not in page.lower(), cid
        assert alias_for("alice") in page and alias_for("bob") in page
    # the near-duplicate reason names the other candidate by alias
    assert f"similar to the answer of {alias_for('bob')}" in html
    no_time = [re.sub(r"generated [^<·]*", "", html_page) for html_page, _ in pages]
    assert no_time[0] == no_time[1]  # the same page on every run


def test_ids_inside_candidate_text_are_scrubbed_when_anonymising(tmp_path):
    path = write_results(
        tmp_path / "r.csv",
        [
            (
                "cand-0042",
                "q1",
                make_result(
                    "q1",
                    5,
                    quotes=["As cand-0042 I would fix the seed first."],
                    summary="cand-0042 explains seeds well.",
                ),
            ),
            ("cand-0043", "q1", make_result("q1", 4)),
        ],
    )
    html = render_html(build_report(load_results(path), anonymise=True))
    assert "cand-0042" not in html and f"As {alias_for('cand-0042')} I would fix the seed first." in html


def test_alias_collisions_get_longer():
    from grader.report.build import _aliases

    names = _aliases([f"cand-{i}" for i in range(5000)])
    assert len(set(names.values())) == 5000


# -- candidate text never executes or renders -----------------------------------------------------------


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def test_html_escapes_every_payload(tmp_path):
    path, answers = cohort(tmp_path)
    html = render_html(build_report(load_results(path), answers=answers))
    parser = _Tags()
    parser.feed(html)
    tags = [t for t, _ in parser.tags]
    assert "script" not in tags and "img" not in tags and "iframe" not in tags and "object" not in tags
    assert tags.count("style") == 1 and tags.count("svg") == 2
    for tag, attrs in parser.tags:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        for name in ("href", "src", "action", "xlink:href"):
            value = (attrs.get(name) or "").strip().lower()
            assert not value or value.startswith("#") or tag == "svg", (tag, attrs)
    assert [a for t, a in parser.tags if t == "a"] and all(
        a["href"].startswith("#") for t, a in parser.tags if t == "a"
    )
    text = "".join(parser.text)
    for payload in [*XSS[:2], HOSTILE_ID, "{{ 7*7 }}"]:
        assert payload in text  # shown as text, literally
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script" not in html.lower()
    assert "49" not in text.split("{{ 7*7 }}")[0][-5:]  # never evaluated as a template
    csp = next(a["content"] for t, a in parser.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    assert "default-src 'none'" in csp and "script-src 'none'" in csp and "'sha256-" in csp
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in html


def test_the_style_hash_in_the_policy_matches_the_stylesheet(tmp_path):
    import base64

    path, _ = cohort(tmp_path)
    html = render_html(build_report(load_results(path)))
    css = re.search(r"<style>(.*?)</style>", html, re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in html.replace("&#39;", "'")


def test_markdown_escapes_every_payload(tmp_path):
    path, answers = cohort(tmp_path)
    md = render_markdown(build_report(load_results(path), answers=answers))
    lowered = md.lower()
    for raw in ("<script", "<img", "<svg", "</style", "<a ", "{{ 7*7 }}", "{% raw %}"):
        assert raw not in lowered, raw
    assert not re.search(r"(?<!\\)\]\(", md)  # no link can form: every ] from candidate text is escaped
    assert not re.search(r"<(?!br>)", md)  # no raw HTML but the template's own line breaks
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in md
    assert "\\{\\{ 7\\*7 \\}\\}" in md
    assert "\\[click me\\](javascript:alert(1))" in md
    assert md.startswith("# Pre-screening report")


# -- the command ------------------------------------------------------------------------------------------


def test_cli_writes_html_and_markdown(tmp_path, cli):
    path, answers = cohort(tmp_path)
    src = tmp_path / "answers.csv"
    import csv

    with src.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["candidate_id", "question_id", "answer"])
        for (cid, qid), text in answers.items():
            w.writerow([cid, qid, text])
    rc, _, err = cli(
        "report", str(path), "-o", str(tmp_path / "r.html"), "--pass-mark", "70", "--answers", str(src), "--anonymise"
    )
    assert rc == 0, err
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "pass mark 70 %" in html and "alice" not in html and "similar to the answer of Candidate" in html
    assert "need a human" in err
    rc, _, err = cli("report", str(path), "-o", str(tmp_path / "r.md"))
    assert rc == 0 and (tmp_path / "r.md").read_text(encoding="utf-8").startswith("# Pre-screening report")
    rc, _, err = cli("report", str(path), "-o", str(tmp_path / "r.pdf"))
    assert rc == 2 and "report.html or report.md" in err
    rc, _, err = cli("report", str(tmp_path / "missing.csv"), "-o", str(tmp_path / "x.html"))
    assert rc == 2 and "file not found" in err


def test_cli_rejects_a_file_that_is_not_results(tmp_path, cli):
    bad = tmp_path / "answers.csv"
    bad.write_text("candidate_id,question_id,answer\na,q1,hello\n", encoding="utf-8")
    rc, _, err = cli("report", str(bad), "-o", str(tmp_path / "x.html"))
    assert rc == 2 and "not a grader results file" in err


# -- near-duplicates ----------------------------------------------------------------------------------------


def test_duplicates_threshold_same_candidate_and_short_answers():
    base = "the model keeps objects lighting and physics stable across frames and avoids flicker and drift"
    items = [
        (1, "q", "a", base),
        (2, "q", "b", base.replace("avoids", "prevents")),
        (3, "q", "a", base),  # the same candidate twice is not copying
        (4, "q", "c", "a completely different answer about seeds, reproducibility and debugging artifacts"),
        (5, "q", "d", "I don't know"),
        (6, "q", "e", "I don't know"),  # too short to call copying
        (7, "other", "f", base),  # another question
    ]
    pairs = find_near_duplicates(items, threshold=90)
    assert {(p.a, p.b) for p in pairs} == {(1, 2), (2, 3)}
    assert all(90 <= p.similarity <= 100 for p in pairs)
    assert find_near_duplicates(items, threshold=99.5) == []
    with pytest.raises(ValueError):
        find_near_duplicates(items, threshold=0)


def test_reordered_sentences_still_match_and_containment_does_not():
    a = "Flickering is the first failure. Morphing is the second failure. Identity drift is the third failure mode."
    b = "Identity drift is the third failure mode. Flickering is the first failure. Morphing is the second failure."
    long = a + " " + " ".join(f"extra sentence number {i} about something else entirely." for i in range(10))
    pairs = find_near_duplicates([(1, "q", "x", a), (2, "q", "y", b), (3, "q", "z", long)])
    assert [(p.a, p.b, p.similarity) for p in pairs] == [(1, 2, 100.0)]


def test_duplicates_scale_to_thousands_of_answers():
    """The one near-copy among 3,000 answers is found (the time it takes: ``python benchmarks/bench_report.py``)."""
    rng = random.Random(7)
    vocab = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 9))) for _ in range(2000)]
    items = [(i, "q", f"c{i}", " ".join(rng.choice(vocab) for _ in range(120))) for i in range(3000)]
    copy = items[17][3].split()
    copy[5] = "changed"
    items.append((3000, "q", "copycat", " ".join(copy)))
    pairs = find_near_duplicates(items)
    assert [(p.a, p.b) for p in pairs] == [(17, 3000)]


# -- confidence by sampling --------------------------------------------------------------------------------


def varying(fake_judge, levels):
    """A fake judge that is not deterministic: criterion 1's level cycles through ``levels``, one per
    call; the other criteria are full. Each call reports 100 prompt and 20 completion tokens."""
    state = {"calls": 0}

    def claim(rubric, answer):
        level = levels[state["calls"] % len(levels)]
        state["calls"] += 1
        return [level] + ["full"] * (len(rubric.criteria) - 1)

    return fake_judge(claim, deterministic=False, usage=Usage(100, 20))


def test_samples_disagreeing_are_flagged_low_confidence(rubric, bank, good_answer, fake_judge):
    judge = varying(fake_judge, ["full", "missing", "partial"])
    grader = Grader(Settings(backend="llm", base_url="http://unused", use_cache=False), bank=bank, backend=judge)
    result = asyncio.run(grade_samples(grader, rubric.id, good_answer, 3))
    assert judge.calls == 3
    assert result.samples == [10.0, 5.0, 7.5] and result.score_spread == 5.0
    assert result.score == 7.5  # the median sample
    assert result.has_flag("low_confidence")
    assert result.usage["prompt_tokens"] == 300 and result.attempts == 3


def test_agreeing_samples_are_not_flagged_and_one_sample_is_the_plain_grade(rubric, bank, good_answer, fake_judge):
    judge = varying(fake_judge, ["full"])
    grader = Grader(Settings(backend="llm", base_url="http://unused", use_cache=False), bank=bank, backend=judge)
    result = asyncio.run(grade_samples(grader, rubric.id, good_answer, 4))
    assert judge.calls == 4 and result.samples == [10.0] * 4 and result.score_spread == 0
    assert not result.has_flag("low_confidence")
    single = asyncio.run(grade_samples(grader, rubric.id, good_answer, 1))
    assert single.samples == [] and single.score_spread is None and judge.calls == 5


def test_samples_straddling_the_pass_mark_are_flagged(rubric):
    results = [make_result("q", s) for s in (5.5, 6.5, 6.0)]
    merged = combine(results, threshold=0.5, pass_mark=60)
    assert merged.has_flag("low_confidence") and "straddle the pass mark of 60" in next(
        f.detail for f in merged.flags if f.code == "low_confidence"
    )
    assert not combine(results, threshold=0.5, pass_mark=50).has_flag("low_confidence")
    assert not combine(results, threshold=0.5, pass_mark=None).has_flag("low_confidence")


def test_unscored_samples_are_flagged():
    merged = combine([make_result("q", 7), make_result("q", None, status="unscored")])
    assert (
        merged.score == 7 and merged.samples == [7] and "1 of 2 gradings could not be scored" in merged.flags[-1].detail
    )


def test_a_deterministic_judge_is_graded_once(rubric, bank, good_answer, fake_judge):
    """A judge that declares itself deterministic (as the embedded grader does) is asked once, even
    when (as here) its verdicts would in fact vary."""
    judge = varying(fake_judge, ["full", "missing"])
    judge.deterministic = True
    grader = Grader(Settings(backend="local", use_cache=False), bank=bank, backend=judge)
    result = asyncio.run(grade_samples(grader, rubric.id, good_answer, 5))
    assert judge.calls == 1 and result.samples == [result.score] and result.score_spread == 0
    assert not result.has_flag("low_confidence")


def test_the_cache_does_not_collapse_samples_but_serves_a_rerun(dev_server, rubric, bank, good_answer, tmp_path):
    from grader.store import Store

    server = dev_server(mode="honest")
    settings = Settings(backend="llm", base_url=server.base_url, api_key="k", model="dev", max_retries=0)

    async def sample() -> GradeResult:
        grader = Grader(settings, bank=bank, store=Store(tmp_path / "cache.sqlite3"))
        try:
            return await grade_samples(grader, rubric.id, good_answer, 3)
        finally:
            await grader.aclose()

    first = asyncio.run(sample())
    # three real calls (the DevServer ignores the seed, so the three scores are equal)
    assert server.requests == 3 and first.samples == [first.score] * 3 and not first.cached
    again = asyncio.run(sample())  # each seed has its own cache entry: the rerun costs nothing
    assert server.requests == 3 and again.cached and again.samples == first.samples


def test_cli_grade_with_samples(dev_server, cli):
    server = dev_server(mode="honest")
    rc, out, err = cli(
        "grade",
        "-q",
        "vid-05",
        "--backend",
        "llm",
        "--base-url",
        server.base_url,
        "--json",
        "--no-cache",
        "--samples",
        "3",
        "-a",
        "Temporal consistency means objects, lighting and physics stay stable from frame to frame; "
        "flickering, morphing and identity drift are the typical failures.",
    )
    assert rc == 0, err
    data = json.loads(out)
    assert len(data["samples"]) == 3 and data["score_spread"] == 0 and server.requests == 3
    rc, out, _ = cli(
        "grade",
        "-q",
        "vid-05",
        "--backend",
        "llm",
        "--base-url",
        server.base_url,
        "--json",
        "--no-cache",
        "-a",
        "Temporal consistency means frames stay stable over time, without flicker.",
    )
    assert rc == 0 and json.loads(out)["samples"] == [] and server.requests == 4  # default: one call
