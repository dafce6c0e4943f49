"""``grader report --compare old new``: rows matched by (candidate, question), what changed, agreement.

Results files are written with the real batch writer (see tests/test_report.py), so the comparison is
tested on exactly what ``grader batch`` produces.
"""

from __future__ import annotations

import pytest

from grader.report.build import load_results
from grader.report.compare import compare_runs
from grader.report.render import render_compare_html, render_compare_markdown
from tests.test_report import XSS, make_result, write_results


@pytest.fixture
def runs(tmp_path):
    """Old and new runs: 4 answers in both (one band change, one small score move, one unscored in the
    new run, one identical), one only in the old file, one only in the new file."""
    old = write_results(
        tmp_path / "old.csv",
        [
            ("alice", "q1", make_result("q1", 8)),  # strong
            ("bob", "q1", make_result("q1", 5)),  # adequate
            ("carol", "q2", make_result("q2", 6)),
            ("dave", "q2", make_result("q2", 3)),
            ("erin", "q1", make_result("q1", 7)),  # only in old
        ],
    )
    new = write_results(
        tmp_path / "new.csv",
        [
            ("alice", "q1", make_result("q1", 4)),  # strong -> weak
            ("bob", "q1", make_result("q1", 5)),  # unchanged
            ("carol", "q2", make_result("q2", 6.5)),  # same band, score moved
            ("dave", "q2", make_result("q2", None, status="unscored", flags=[("unscored", "bad JSON")])),
            ("frank", "q2", make_result("q2", 9)),  # only in new
        ],
    )
    return old, new


def test_rows_are_matched_and_changes_found(runs):
    old, new = runs
    cmp = compare_runs(load_results(old), load_results(new))
    assert [(p.candidate_id, p.question_id) for p in cmp.pairs] == [
        ("alice", "q1"),
        ("bob", "q1"),
        ("carol", "q2"),
        ("dave", "q2"),
    ]
    changed = {p.candidate_id: p for p in cmp.changed}
    assert set(changed) == {"alice", "carol", "dave"}
    assert changed["alice"].band_changed and (changed["alice"].old_band, changed["alice"].new_band) == (
        "strong",
        "weak",
    )
    assert changed["alice"].delta == -40.0
    assert not changed["carol"].band_changed and changed["carol"].delta == 5.0
    assert changed["dave"].new_status == "unscored" and changed["dave"].delta is None
    assert cmp.changed[0].candidate_id == "alice"  # the largest move first


def test_rows_in_one_file_only_are_listed_never_dropped(runs):
    old, new = runs
    cmp = compare_runs(load_results(old), load_results(new))
    assert cmp.only_old == [("erin", "q1")] and cmp.only_new == [("frank", "q2")]
    html = render_compare_html(cmp)
    assert "Only in the old file" in html and "erin" in html and "frank" in html
    # every row of both files is accounted for
    assert len(cmp.pairs) + len(cmp.only_old) == 5 and len(cmp.pairs) + len(cmp.only_new) == 5


def test_agreement_overall_and_per_question(runs):
    old, new = runs
    cmp = compare_runs(load_results(old), load_results(new))
    o = cmp.overall
    assert (o.matched, o.scored, o.changed) == (4, 3, 3)
    assert o.band_agreement == pytest.approx(2 / 3, abs=1e-3)  # bob and carol keep their band
    assert o.mean_abs_diff == pytest.approx((40 + 0 + 5) / 3, abs=0.05)
    assert o.pearson is not None and -1 <= o.pearson <= 1
    q = {a.label: a for a in cmp.per_question}
    assert q["q1"].scored == 2 and q["q1"].band_agreement == 0.5 and q["q1"].mean_abs_diff == 20.0
    assert q["q2"].scored == 1 and q["q2"].pearson is None and "at least 2" in q["q2"].pearson_note


def test_identical_runs_agree_fully(tmp_path):
    rows = [(f"c{i}", "q1", make_result("q1", i)) for i in range(1, 8)]
    a = write_results(tmp_path / "a.csv", rows)
    b = write_results(tmp_path / "b.jsonl", rows)  # the format does not matter
    cmp = compare_runs(load_results(a), load_results(b))
    assert cmp.changed == [] and cmp.overall.band_agreement == 1.0
    assert cmp.overall.pearson == 1.0 and cmp.overall.mean_abs_diff == 0.0
    assert "No answer changed" in render_compare_html(cmp)


def test_repeated_rows_count_the_last_and_are_reported(tmp_path):
    a = write_results(tmp_path / "a.csv", [("x", "q1", make_result("q1", 2)), ("x", "q1", make_result("q1", 9))])
    b = write_results(tmp_path / "b.csv", [("x", "q1", make_result("q1", 9))])
    cmp = compare_runs(load_results(a), load_results(b))
    assert cmp.changed == [] and cmp.superseded_old == 1
    assert "1 earlier row(s) in the old file" in render_compare_html(cmp)


def test_candidate_text_is_escaped_in_html_and_markdown(tmp_path):
    a = write_results(tmp_path / "a.csv", [(x, "q1", make_result("q1", 2)) for x in XSS])
    b = write_results(tmp_path / "b.csv", [(x, "q1", make_result("q1", 9)) for x in XSS[:3]])
    cmp = compare_runs(load_results(a), load_results(b))
    html = render_compare_html(cmp)
    md = render_compare_markdown(cmp)
    for page in (html, md):
        assert "<script>" not in page and "<img" not in page and "<svg" not in page
        assert "</style><style>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "script-src &#39;none&#39;" in html


def test_cli_compare_writes_html_and_markdown(runs, tmp_path, cli):
    old, new = runs
    rc, _, err = cli("report", "--compare", old, new, "-o", tmp_path / "cmp.html")
    assert rc == 0, err
    html = (tmp_path / "cmp.html").read_text(encoding="utf-8")
    assert "Comparison of two runs" in html and "old.csv" in html and "new.csv" in html
    assert "4 answers in both, 3 changed" in " ".join(err.split())
    rc, _, err = cli("report", "--compare", old, new, "-o", tmp_path / "cmp.md")
    assert rc == 0, err
    assert (tmp_path / "cmp.md").read_text(encoding="utf-8").startswith("# Comparison of two runs")


def test_cli_compare_bad_input_is_one_clear_line(runs, tmp_path, cli):
    old, new = runs
    rc, _, err = cli("report", "--compare", old, tmp_path / "missing.csv", "-o", tmp_path / "c.html")
    assert rc == 2 and "missing.csv" in err and "file not found" in err and "Traceback" not in err
    rc, _, err = cli("report", old, "--compare", old, new, "-o", tmp_path / "c.html")
    assert rc == 2 and "not both" in err
    rc, _, err = cli("report", "-o", tmp_path / "c.html")
    assert rc == 2 and "missing the results file" in err
    rc, _, err = cli("report", "--compare", old, "-o", tmp_path / "c.html")
    assert rc == 2 and "Traceback" not in err


def test_cli_compare_anonymised_with_a_title(runs, tmp_path, cli):
    from grader.report.anonymise import alias_for

    old, new = runs
    rc, _, err = cli("report", "--compare", old, new, "-o", tmp_path / "c.html", "--anonymise", "--title", "Model A→B")
    assert rc == 0, err
    html = (tmp_path / "c.html").read_text(encoding="utf-8")
    assert "<h1>Model A→B</h1>" in html and "candidate ids anonymised" in html
    assert not any(cid in html for cid in ("alice", "bob", "carol", "dave", "erin", "frank"))
    for cid in ("alice", "erin", "frank"):  # changed, only in old, only in new
        assert alias_for(cid) in html
    rc, _, err = cli("report", "--compare", old, new, "-o", tmp_path / "c.html", "--answers", old)
    assert rc == 2 and "--answers works with one results file" in err


def test_the_comparison_page_allows_exactly_its_own_stylesheet(runs):
    import base64
    import hashlib
    import re

    old, new = runs
    html = render_compare_html(compare_runs(load_results(old), load_results(new)))
    (css,) = re.findall(r"<style>(.*?)</style>", html, re.S)
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    policy = html.replace("&#39;", "'")
    assert f"style-src 'sha256-{digest}'" in policy and "default-src 'none'" in policy
    assert "prefers-color-scheme: dark" in css and "<script" not in html
