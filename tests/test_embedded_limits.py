"""Where the embedded grader's grades are shown, it says what it cannot judge (issue 10, part 5),
and criterion-level agreement is measured from the command line (``grader calibrate --criteria``)."""

from __future__ import annotations

import json

from grader.report import build_report, load_results
from grader.rubric import default_bank

NOTE = "checks whether each point is covered, not whether"
ANSWER = (
    "Temporal consistency means objects, lighting and physics stay stable from frame to frame. "
    "It fails through flickering, morphing and identity drift."
)


def test_the_grade_view_says_what_the_embedded_grader_cannot_judge(cli):
    result = cli("grade", "-q", "vid-05", "-a", ANSWER, "--backend", "local", "--no-cache")
    assert result.code == 0
    assert NOTE in result.err and "--backend llm" in result.err
    assert "similarity" not in result.out  # the numbers are for --json
    as_json = cli("grade", "-q", "vid-05", "-a", ANSWER, "--backend", "local", "--no-cache", "--json")
    criteria = json.loads(as_json.out)["criteria"]
    assert all({"similarity", "key_terms", "p_full"} <= set(c["details"]) for c in criteria)


def test_the_report_says_it_when_the_embedded_grader_graded(cli, tmp_path):
    answers = tmp_path / "answers.csv"
    answers.write_text(f'candidate_id,question_id,answer\nc1,vid-05,"{ANSWER}"\n', encoding="utf-8")
    out = tmp_path / "results.csv"
    assert cli("batch", answers, "-o", out, "--backend", "local", "--no-cache").code == 0
    report = build_report(load_results(out), bank=default_bank())
    assert NOTE in report.limits_note


def test_calibrate_criteria_from_the_command_line(cli, tmp_path):
    bank = default_bank()
    rubric = bank.get("vid-05")
    rows = [
        {
            "question_id": rubric.id,
            "kind": "strong",
            "answer": ANSWER,
            "labels": {c.id: "full" for c in rubric.criteria},
        },
        {
            "question_id": rubric.id,
            "kind": "thin",
            "answer": "Video should look good and smooth to the viewer.",
            "labels": {c.id: "missing" for c in rubric.criteria},
        },
        {
            "question_id": "vid-21",
            "kind": "thin",
            "answer": "I mostly leave the defaults alone and hope for the best.",
            "labels": {c.id: "missing" for c in bank.get("vid-21").criteria},
        },
    ]
    path = tmp_path / "labels.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    report = tmp_path / "report.json"
    result = cli("calibrate", "--criteria", path, "--backend", "local", "--no-cache", "--json", report)
    assert result.code == 0, result.err
    assert "exact level agreement" in result.out and "by kind" in result.out and "Level agreement is" in result.out
    data = json.loads(report.read_text())
    assert data["overall"]["criteria"] == 4 + 4 + len(bank.get("vid-21").criteria)
    assert set(data["by_kind"]) == {"strong", "thin"} and data["graded"] == 3
    bad = cli("calibrate", "--criteria", tmp_path / "missing.jsonl", "--backend", "local")
    assert bad.code == 2 and "file not found" in bad.err
    both = cli("calibrate", path, "--criteria", path, "--backend", "local")
    assert both.code == 2 and "not both" in both.err
