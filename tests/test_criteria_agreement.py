"""Criterion-level agreement (grader.agreement.criteria): metrics checked against scikit-learn, the
bootstrap intervals, the verdict line, reading labelled files, and the report's breakdowns."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score, confusion_matrix, precision_recall_fscore_support

from grader.agreement.criteria import (
    LEVELS,
    LabelledAnswer,
    build_criteria_report,
    criterion_agreement,
    read_criteria_file,
    verdict_line,
)
from grader.agreement.measure import rubric_for
from grader.errors import InputError
from grader.rubric import default_bank

BANK = default_bank()


def _levels(seed: int, n: int = 240, agree: float = 0.7):
    rng = np.random.default_rng(seed)
    human = rng.integers(0, 3, n)
    judge = np.where(rng.random(n) < agree, human, rng.integers(0, 3, n))
    return human, judge, np.repeat(np.arange(n // 4), 4), rng.integers(1, 4, n).astype(float)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_metrics_match_scikit_learn(seed):
    h, j, a, w = _levels(seed)
    r = criterion_agreement(h, j, a, w, bootstrap=0)
    assert r.confusion == confusion_matrix(h, j, labels=[0, 1, 2]).tolist()
    assert r.exact == pytest.approx(float((h == j).mean()))
    assert r.qwk == pytest.approx(cohen_kappa_score(h, j, weights="quadratic"))
    p, rec, f1, _ = precision_recall_fscore_support(h > 0, j > 0, average="binary")
    assert (r.credit_precision, r.credit_recall, r.credit_f1) == pytest.approx((p, rec, f1))
    assert r.missing_credited == pytest.approx(float((j[h == 0] > 0).mean()))
    # answer scores: weighted mean level value per answer
    hs = [np.dot(w[a == k], h[a == k] / 2) / w[a == k].sum() for k in range(a.max() + 1)]
    js = [np.dot(w[a == k], j[a == k] / 2) / w[a == k].sum() for k in range(a.max() + 1)]
    assert r.score_pearson == pytest.approx(float(np.corrcoef(hs, js)[0, 1]))


def test_bootstrap_intervals_bracket_the_estimate_and_are_reproducible():
    h, j, a, w = _levels(3)
    r1 = criterion_agreement(h, j, a, w, bootstrap=300)
    r2 = criterion_agreement(h, j, a, w, bootstrap=300)
    assert r1.intervals == r2.intervals
    for name in ("exact", "qwk", "missing_credited", "score_pearson"):
        lo, hi = r1.intervals[name]
        assert lo <= getattr(r1, name) <= hi and hi - lo < 0.5


def test_perfect_and_useless_judges():
    h = np.array([0, 1, 2, 2, 0, 1, 2, 0])
    a = np.repeat(np.arange(4), 2)
    perfect = criterion_agreement(h, h, a, np.ones(8), bootstrap=0)
    assert perfect.exact == 1.0 and perfect.qwk == pytest.approx(1.0) and perfect.missing_credited == 0.0
    generous = criterion_agreement(h, np.full(8, 2), a, np.ones(8), bootstrap=0)
    assert generous.missing_credited == 1.0 and generous.credit_recall == 1.0
    assert "too often credits" in verdict_line(generous)
    assert "good" in verdict_line(perfect) and "rarely" in verdict_line(perfect)


def test_empty_or_mismatched_levels_are_refused():
    with pytest.raises(ValueError):
        criterion_agreement([], [], [], [])
    with pytest.raises(ValueError):
        criterion_agreement([0, 1], [0], [0, 0], [1, 1])


def _write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def test_reading_jsonl_and_wide_csv(tmp_path):
    rubric = BANK.get("vid-05")
    labels = {c.id: "full" for c in rubric.criteria}
    _write_jsonl(tmp_path / "a.jsonl", [{"question_id": rubric.id, "answer": "x y z", "kind": "k", "labels": labels}])
    rows = read_criteria_file(tmp_path / "a.jsonl", BANK, rubric_for)
    assert rows[0].labels == {c.id: 2 for c in rubric.criteria} and rows[0].kind == "k"
    header = "question_id,answer," + ",".join(c.id for c in rubric.criteria)
    levels = ",".join(["partial", "0", "1", "missing"])
    (tmp_path / "b.csv").write_text(f'{header}\nvid-05,"an answer, with a comma",{levels}\n', encoding="utf-8")
    rows = read_criteria_file(tmp_path / "b.csv", BANK, rubric_for)
    assert list(rows[0].labels.values()) == [1, 0, 2, 0] and rows[0].answer == "an answer, with a comma"


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"question_id": "vid-05", "answer": "x", "labels": {"definition": "full"}}, "no human level for"),
        (
            {
                "question_id": "vid-05",
                "answer": "x",
                "labels": {
                    "nope": "full",
                    "definition": "full",
                    "flickering": "full",
                    "morphing": "full",
                    "identity-drift": "full",
                },
            },
            "unknown criterion id",
        ),
        (
            {
                "question_id": "vid-05",
                "answer": "x",
                "labels": {"definition": "great", "flickering": "full", "morphing": "full", "identity-drift": "full"},
            },
            "has level 'great'",
        ),
        ({"answer": "x"}, "needs question_id and answer"),
    ],
)
def test_bad_rows_are_one_line_errors_with_their_line(tmp_path, row, message):
    _write_jsonl(tmp_path / "bad.jsonl", [row])
    with pytest.raises(InputError, match=message) as info:
        read_criteria_file(tmp_path / "bad.jsonl", BANK, rubric_for)
    assert "bad.jsonl:1" in info.value.one_line() and "\n" not in info.value.one_line()


def test_report_breaks_down_by_kind_and_question():
    r5, r21 = BANK.get("vid-05"), BANK.get("vid-21")
    rows = [
        LabelledAnswer(1, "1", r5.id, "a", "thin", {c.id: 0 for c in r5.criteria}),
        LabelledAnswer(2, "2", r21.id, "b", "strong", {c.id: 2 for c in r21.criteria}),
        LabelledAnswer(3, "3", r5.id, "c", "strong", {c.id: 2 for c in r5.criteria}),
    ]
    judged = [{c.id: 0 for c in r5.criteria}, {c.id: 2 for c in r21.criteria}, None]
    report = build_criteria_report(rows, judged, BANK, bootstrap=50)
    assert report.graded == 2 and report.failed == 1
    assert set(report.by_kind) == {"thin", "strong"} and set(report.by_question) == {r5.id, r21.id}
    assert report.overall.exact == 1.0 and report.by_kind["thin"].missing_credited == 0.0
    assert LEVELS == ("missing", "partial", "full")
