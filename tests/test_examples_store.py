"""Graded examples in the store: add / list / remove, validation against the rubric, all-or-none."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from grader.examples import (
    ExampleProblem,
    GradedExample,
    add_example,
    add_examples,
    check_example,
    examples_hash,
    list_examples,
    remove_example,
)
from grader.rubric import Rubric
from grader.store import Store


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "s.sqlite3")


def test_add_list_remove_round_trip(store: Store, rubric: Rubric) -> None:
    ex = GradedExample(rubric.id, "An answer.", score=7, levels={"denoising": "full"}, note="good", author="ann")
    i = add_example(store, ex, rubric)
    j = add_example(store, GradedExample("other-q", "x y", score=1, bank="b"))
    got = list_examples(store, rubric.id)
    assert [e.id for e in got] == [i]
    e = got[0]
    assert (e.answer, e.score, e.max_score, e.levels, e.note, e.author) == (
        "An answer.",
        7,
        10,
        {"denoising": "full"},
        "good",
        "ann",
    )
    assert e.created_at.endswith("+00:00") and e.source == "import"
    assert [x.id for x in list_examples(store)] == [i, j]
    assert [x.id for x in list_examples(store, bank="b")] == [i, j]  # unscoped ones count in every bank
    assert [x.id for x in list_examples(store, bank="c")] == [i]
    assert remove_example(store, i) is True
    assert remove_example(store, i) is False
    assert [x.id for x in list_examples(store)] == [j]


def test_examples_survive_reopening(tmp_path: Path) -> None:
    s = Store(tmp_path / "s.sqlite3")
    add_example(s, GradedExample("q", "a", score=1))
    s.close()
    assert [e.answer for e in list_examples(Store(tmp_path / "s.sqlite3"))] == ["a"]


@pytest.mark.parametrize(
    ("example", "field"),
    [
        (GradedExample("t-diffusion", "a"), "score"),
        (GradedExample("t-diffusion", " ", score=1), "answer"),
        (GradedExample("t-diffusion", "a", score=11), "score"),
        (GradedExample("t-diffusion", "a", score=-1), "score"),
        (GradedExample("t-diffusion", "a", score=float("nan")), "score"),
        (GradedExample("t-diffusion", "a", levels={"denoising": "great"}), "level:denoising"),
        (GradedExample("t-diffusion", "a", levels={"nope": "full"}), "level:nope"),
        (GradedExample("t-diffusion", "a", score=1, source="web"), "source"),
    ],
)
def test_invalid_examples_are_refused_naming_the_field(example: GradedExample, field: str, rubric: Rubric) -> None:
    with pytest.raises(ExampleProblem) as err:
        check_example(example, rubric)
    assert err.value.field == field


def test_a_bad_example_stores_none_of_the_batch(store: Store, rubric: Rubric) -> None:
    good = GradedExample(rubric.id, "fine", score=3)
    bad = GradedExample(rubric.id, "bad", levels={"nope": "full"})
    with pytest.raises(ExampleProblem):
        add_examples(store, [good, bad], {rubric.id: rubric})
    assert list_examples(store) == []


def test_a_failed_insert_rolls_back_the_whole_transaction(store: Store) -> None:
    rows = [
        {
            "question_id": "q",
            "answer": "a",
            "source": "import",
            "note": "",
            "bank": "",
            "author": "",
            "created_at": "t",
        },
        {
            "question_id": None,
            "answer": "b",
            "source": "import",
            "note": "",
            "bank": "",
            "author": "",
            "created_at": "t",
        },
    ]
    with pytest.raises(sqlite3.IntegrityError):
        store.add_example_rows(rows)
    assert store.example_rows() == []


def test_fraction_from_score_or_levels() -> None:
    assert GradedExample("q", "a", score=5, max_score=10).fraction == 0.5
    assert GradedExample("q", "a", levels={"a": "full", "b": "partial"}).fraction == 0.75
    assert GradedExample("q", "a", score=5).fraction is None


def test_examples_hash_depends_on_content_not_order_or_ids() -> None:
    a = GradedExample("q", "one", score=1, id=1, created_at="x")
    b = GradedExample("q", "two", score=2, id=2)
    assert examples_hash([a, b]) == examples_hash(
        [GradedExample("q", "two", score=2), GradedExample("q", "one", score=1)]
    )
    assert examples_hash([a, b]) != examples_hash([a, GradedExample("q", "two", score=3)])
    assert examples_hash([]) == ""


def test_a_bank_uses_unscoped_and_its_own_examples_and_its_examples_file(store: Store, tmp_path: Path) -> None:
    import json

    import yaml
    from conftest import RUBRIC

    from grader.examples._io import examples_for_bank
    from grader.rubric import load_bank

    d = tmp_path / "bank"
    d.mkdir()
    data = {**RUBRIC.model_dump(mode="json"), "bank": "interviews"}
    (d / "q.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    bank = load_bank(d)
    add_example(store, GradedExample(RUBRIC.id, "unscoped", score=1))
    add_example(store, GradedExample(RUBRIC.id, "ours", score=1, bank="interviews"))
    add_example(store, GradedExample(RUBRIC.id, "theirs", score=1, bank="other"))
    add_example(store, GradedExample("not-in-bank", "elsewhere", score=1))
    assert [e.answer for e in examples_for_bank(store, bank)] == ["unscoped", "ours"]
    (d / "examples.jsonl").write_text(json.dumps({"question_id": RUBRIC.id, "answer": "shipped", "score": 2}) + "\n")
    got = examples_for_bank(store, bank)
    assert [(e.answer, e.source) for e in got][-1] == ("shipped", "bank") and got[-1].max_score == 10
    assert [e.answer for e in examples_for_bank(None, bank)] == ["shipped"]
