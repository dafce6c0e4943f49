"""The graded example: a human-graded answer to one question (a score and/or a level per criterion).

Graded examples are the strongest signal the grader has: the embedded judge blends its rubric judgment
with the nearest of them, the LLM judge reads a few in its prompt, ``calibrate`` measures both.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from grader.verdict import LEVEL_VALUE, Level

if TYPE_CHECKING:
    from grader.rubric.model import Rubric

__all__ = ["GradedExample", "SOURCES", "LEVEL_NAMES", "ExampleProblem", "check_example", "examples_hash"]

#: Where an example came from: an import file, a reviewer's override, the bank's ``examples.jsonl``.
SOURCES = ("import", "override", "bank")
#: The level names an example may give a criterion (the verdict's levels).
LEVEL_NAMES = tuple(lv.value for lv in Level)
#: An answer longer than this is refused (far above a written answer; keeps the store sane).
MAX_ANSWER_CHARS = 50_000


class ExampleProblem(ValueError):
    """Why a graded example is invalid; ``field`` names the offending field."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}" if field else problem)
        self.field = field
        self.problem = problem


@dataclass(frozen=True)
class GradedExample:
    """One human-graded answer. ``score`` is on the rubric's scale (0..``max_score``); ``levels`` maps
    criterion ids to level names (``missing`` / ``partial`` / ``full``); at least one of them is set.
    ``label`` is optional (see the field)."""

    question_id: str
    answer: str
    score: float | None = None
    max_score: float | None = None
    levels: dict[str, str] | None = None
    note: str = ""
    bank: str = ""
    source: str = "import"
    author: str = ""
    created_at: str = ""
    id: int | None = None
    #: The human's overall label when the source has one (e.g. SAF's ``Correct`` / ``Partially correct`` /
    #: ``Incorrect``): ``grader calibrate`` fits its score → label thresholds on it. It does not change
    #: how an answer is graded, so it is not part of :func:`examples_hash`, and the store does not keep it.
    label: str = ""

    @property
    def fraction(self) -> float | None:
        """The human grade as a fraction 0..1: the score over max_score, else the mean level value
        (missing 0, partial 0.5, full 1); None when neither can be computed."""
        if self.score is not None and self.max_score:
            return max(0.0, min(1.0, self.score / self.max_score))
        if self.levels:
            return sum(LEVEL_VALUE[Level(v)] for v in self.levels.values()) / len(self.levels)
        return None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the export / ``examples.jsonl`` line)."""
        return asdict(self)


def check_example(example: GradedExample, rubric: Rubric | None = None) -> GradedExample:
    """``example`` validated (and, with its rubric, completed: ``max_score`` from the rubric and the
    levels checked against its criteria); raises :class:`ExampleProblem` naming the field."""
    if not example.question_id.strip():
        raise ExampleProblem("question_id", "empty")
    if not example.answer.strip():
        raise ExampleProblem("answer", "empty")
    if len(example.answer) > MAX_ANSWER_CHARS:
        raise ExampleProblem("answer", f"{len(example.answer):,} characters; at most {MAX_ANSWER_CHARS:,}")
    if example.source not in SOURCES:
        raise ExampleProblem("source", f"{example.source!r} is not one of {', '.join(SOURCES)}")
    if example.score is None and not example.levels:
        raise ExampleProblem("score", "an example needs a score or per-criterion levels")
    max_score = example.max_score
    if rubric is not None:
        if rubric.id != example.question_id:
            raise ExampleProblem("question_id", f"{example.question_id!r} is not the rubric's id {rubric.id!r}")
        if max_score is None:
            max_score = rubric.max_score
    if max_score is not None and (not math.isfinite(max_score) or max_score <= 0):
        raise ExampleProblem("max_score", f"{max_score} is not a positive number")
    if example.score is not None:
        if not math.isfinite(example.score) or example.score < 0:
            raise ExampleProblem("score", f"{example.score} is not a number ≥ 0")
        if max_score is not None and example.score > max_score:
            raise ExampleProblem("score", f"{example.score:g} is above the maximum {max_score:g}")
    for cid, level in (example.levels or {}).items():
        if level not in LEVEL_NAMES:
            raise ExampleProblem(f"level:{cid}", f"{level!r} is not a level ({', '.join(LEVEL_NAMES)})")
        if rubric is not None and cid not in rubric.criterion_ids:
            raise ExampleProblem(
                f"level:{cid}",
                f"the rubric of {rubric.id} has no criterion {cid!r} (it has {', '.join(rubric.criterion_ids)})",
            )
    created = example.created_at or datetime.now(UTC).isoformat(timespec="seconds")
    return replace(example, max_score=max_score, created_at=created)


def examples_hash(examples: Iterable[GradedExample]) -> str:
    """A short content hash of a set of examples (what grading with them depends on: question, answer,
    score, max score, levels, note), independent of ids, times and order. ``""`` for no examples."""
    items = sorted(
        json.dumps(
            [e.question_id, e.answer, e.score, e.max_score, sorted((e.levels or {}).items()), e.note],
            ensure_ascii=False,
        )
        for e in examples
    )
    if not items:
        return ""
    return hashlib.sha256("\n".join(items).encode()).hexdigest()[:12]
