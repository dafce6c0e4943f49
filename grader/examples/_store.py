"""Graded examples in the local SQLite store (the ``examples`` table of :mod:`grader.store`)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from grader.examples._model import GradedExample, check_example

if TYPE_CHECKING:
    from grader.rubric.model import Rubric
    from grader.store import Store

__all__ = ["add_example", "add_examples", "list_examples", "remove_example"]


def _to_row(e: GradedExample) -> dict[str, Any]:
    return {
        "question_id": e.question_id,
        "answer": e.answer,
        "score": e.score,
        "max_score": e.max_score,
        "levels_json": json.dumps(e.levels, sort_keys=True) if e.levels else None,
        "note": e.note,
        "bank": e.bank,
        "source": e.source,
        "author": e.author,
        "created_at": e.created_at,
    }


def _from_row(r: dict[str, Any]) -> GradedExample:
    return GradedExample(
        question_id=r["question_id"],
        answer=r["answer"],
        score=r["score"],
        max_score=r["max_score"],
        levels=json.loads(r["levels_json"]) if r["levels_json"] else None,
        note=r["note"],
        bank=r["bank"],
        source=r["source"],
        author=r["author"],
        created_at=r["created_at"],
        id=r["id"],
    )


def add_examples(
    store: Store, examples: Sequence[GradedExample], rubrics: dict[str, Rubric] | None = None
) -> list[int]:
    """Validate and store ``examples`` in one transaction (all or none); their new ids, in order.
    ``rubrics`` (question id → rubric), when given, checks levels and completes ``max_score``.
    Raises :class:`grader.examples.ExampleProblem` before anything is written."""
    checked = [check_example(e, (rubrics or {}).get(e.question_id)) for e in examples]
    return store.add_example_rows([_to_row(e) for e in checked])


def add_example(store: Store, example: GradedExample, rubric: Rubric | None = None) -> int:
    """Validate and store one example (see :func:`add_examples`); its new id."""
    return add_examples(store, [example], {example.question_id: rubric} if rubric else None)[0]


def list_examples(store: Store, question_id: str | None = None, bank: str | None = None) -> list[GradedExample]:
    """The stored examples, oldest first: of one question, and/or usable in one bank (that bank's and
    the unscoped ones, ``bank == ""``)."""
    return [_from_row(r) for r in store.example_rows(question_id, bank)]


def remove_example(store: Store, example_id: int) -> bool:
    """Delete one stored example by id; whether it existed."""
    return store.remove_example_row(example_id)
