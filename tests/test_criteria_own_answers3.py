"""Structure of ``datasets/criteria-own/answers3.jsonl``, the third set of criterion-labelled answers.

The file feeds fitting, so a malformed row, a label for a criterion the rubric does not have, or a row about
a held-out question would silently skew (or leak into) the measurement. These checks read only the data
and the rubric YAML files, never the grader.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
OWN = ROOT / "datasets" / "criteria-own"
RUBRICS = ROOT / "rubrics" / "ai-video-generation-specialist"
KINDS = {"half-paraphrase", "mixed-depth", "near-miss"}
LEVELS = {"missing", "partial", "full"}
FIELDS = {"question_id", "kind", "answer", "labels", "note"}


def _rows() -> list[dict[str, object]]:
    """Every row of answers3.jsonl, failing with the line number on one that is not a JSON object."""
    rows = []
    for number, line in enumerate((OWN / "answers3.jsonl").read_text(encoding="utf-8").splitlines(), 1):
        assert line.strip(), f"answers3.jsonl line {number} is blank"
        row = json.loads(line)
        assert isinstance(row, dict), f"answers3.jsonl line {number} is not a JSON object"
        rows.append(row)
    return rows


def _criteria() -> dict[str, list[str]]:
    """Criterion ids, in rubric order, for every question of the seed bank."""
    out = {}
    for path in sorted(RUBRICS.glob("vid-*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        out[data["id"]] = [c["id"] for c in data["criteria"]]
    return out


ROWS = _rows()
CRITERIA = _criteria()
HOLDOUT = set((OWN / "holdout_questions.txt").read_text(encoding="utf-8").split())


def test_the_holdout_list_names_ten_real_questions():
    assert len(HOLDOUT) == 10 and CRITERIA.keys() >= HOLDOUT


@pytest.mark.parametrize("index", range(len(ROWS)))
def test_each_row_is_well_formed_and_labels_every_criterion_of_its_rubric(index):
    row = ROWS[index]
    where = f"answers3.jsonl line {index + 1}"
    assert set(row) == FIELDS, where
    assert row["question_id"] in CRITERIA, f"{where}: unknown question {row['question_id']}"
    assert row["question_id"] not in HOLDOUT, f"{where}: {row['question_id']} is a held-out question"
    assert row["kind"] in KINDS, where
    assert isinstance(row["answer"], str) and row["answer"].strip(), where
    assert isinstance(row["note"], str), where
    labels = row["labels"]
    assert isinstance(labels, dict)
    assert sorted(labels) == sorted(CRITERIA[row["question_id"]]), f"{where}: labels do not match the rubric"
    assert set(labels.values()) <= LEVELS, f"{where}: invalid level"


def test_answers_and_question_kind_pairs_are_unique():
    answers = [" ".join(str(r["answer"]).lower().split()) for r in ROWS]
    assert len(set(answers)) == len(answers)
    pairs = [(r["question_id"], r["kind"]) for r in ROWS]
    assert len(set(pairs)) == len(pairs)


def test_three_answers_one_of_each_kind_for_every_tuning_question():
    assert len(ROWS) == 120
    assert Counter(r["kind"] for r in ROWS) == {kind: 40 for kind in KINDS}
    per_question = Counter(r["question_id"] for r in ROWS)
    assert set(per_question) == CRITERIA.keys() - HOLDOUT
    assert set(per_question.values()) == {3}


def test_no_answer_repeats_one_from_the_earlier_sets():
    # the shared development set sits next to the main checkout, i.e. two levels up from a worktree
    shared = [p / "shared" / "datasets" / "criteria-dev" / "answers.jsonl" for p in ROOT.parents]
    earlier = {
        " ".join(json.loads(line)["answer"].lower().split())
        for path in [OWN / "answers.jsonl", *shared]
        if path.exists()
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    }
    assert not earlier & {" ".join(str(r["answer"]).lower().split()) for r in ROWS}


def test_the_kinds_differ_as_described():
    """near-miss answers meet almost nothing; the other two kinds meet a real share of their criteria."""
    share: dict[str, Counter[str]] = {kind: Counter() for kind in KINDS}
    for row in ROWS:
        share[str(row["kind"])].update(row["labels"].values())  # type: ignore[union-attr]
    assert share["near-miss"]["full"] == 0
    for row in ROWS:
        if row["kind"] == "near-miss":
            assert sum(v != "missing" for v in row["labels"].values()) <= 1  # type: ignore[union-attr]
    for kind in ("half-paraphrase", "mixed-depth"):
        assert share[kind]["full"] > share[kind]["partial"] > 0 and share[kind]["missing"] > 0
