"""Review decisions: recorded in the store the moment they are made, merged into results on demand.

A decision is one of: ``accept`` (the grade stands), ``level`` (a criterion's level changed) or
``score`` (the score changed). Overrides need a reason. They are kept in the store's ``overrides``
table (:meth:`grader.store.Store.add_override`), one committed row each, so killing the reviewer's
process at any moment loses no decision already made.

Merging (:func:`merge_result`): the latest decision per criterion sets its level and the score,
percent and band are recomputed by code from the levels (the criterion's points are its maximum
points × the level's value, as in :mod:`grader.scoring`); a score override counts when it is the
most recent change of the row (a level changed after it recomputes the score again).

Every override also becomes a graded example of its question (:func:`record_example`), so that later
gradings can learn from it — when the answer text is known (the batch input given with ``--answers``).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from grader.errors import InputError
from grader.result import CriterionResult, GradeResult, Review, ReviewDecision
from grader.review._rows import ResultsFile, ReviewRow, RowKey
from grader.scoring import band_for
from grader.store import Store
from grader.verdict import LEVEL_VALUE, Level

__all__ = ["ReviewSession", "merge_result", "record_example", "LEVELS", "MAX_REASON_CHARS"]

LEVELS = tuple(level.value for level in Level)
MAX_REASON_CHARS = 2000

#: Turns an override into a graded example (``store, example fields, ids of the examples it replaces``);
#: returns the new example's id, or None when it cannot.
ExampleHook = Callable[[Store, dict[str, Any], list[int]], int | None]


def record_example(store: Store, example: dict[str, Any], replaces: list[int] | None = None) -> int | None:
    """Store ``example`` (the fields of :class:`grader.examples.GradedExample`) as a graded example and
    remove the examples it replaces (the same answer's earlier overrides: one example per reviewed
    answer, with its latest grade). None when the examples module is not installed or refuses it."""
    try:
        from grader.examples import GradedExample, add_example, remove_example
    except ImportError:
        return None
    try:
        new_id = int(add_example(store, GradedExample(**example)))
    except ValueError:  # grader.examples.ExampleProblem: e.g. an answer over its size limit
        return None
    for old in replaces or []:
        remove_example(store, old)
    return new_id


class ReviewSession:
    """The decisions on one results file, backed by the store (shared by the terminal and the browser)."""

    def __init__(
        self,
        store: Store,
        results: ResultsFile,
        *,
        reviewer: str = "",
        example_hook: ExampleHook | None = record_example,
    ) -> None:
        self.store, self.results, self.reviewer, self.example_hook = store, results, reviewer, example_hook
        self._by_key: dict[RowKey, list[dict[str, Any]]] = defaultdict(list)
        self._known: set[int] = set()  # ids of the decisions already read or made here
        self.examples_made = 0
        self.examples_missed = 0
        self.refresh()

    def refresh(self) -> None:
        """Read the decisions stored since the last read (another reviewer's process — a terminal review
        while the browser one runs — writes to the same store)."""
        for d in self.store.overrides(self.results.identity):
            if d["id"] not in self._known:
                self._known.add(d["id"])
                self._by_key[RowKey(d["candidate_id"], d["question_id"], d["answer_sha256"])].append(d)

    # -- reading ------------------------------------------------------------------------------

    def decisions(self, row: ReviewRow) -> list[dict[str, Any]]:
        """The decisions on ``row``, oldest first."""
        return list(self._by_key.get(row.key, []))

    def decided(self, row: ReviewRow) -> bool:
        return bool(self._by_key.get(row.key))

    def status(self, row: ReviewRow) -> str:
        """``overridden``, ``accepted`` or ``""`` (not reviewed)."""
        kinds = {d["kind"] for d in self._by_key.get(row.key, [])}
        return "overridden" if kinds & {"level", "score"} else "accepted" if kinds else ""

    def merged(self, row: ReviewRow) -> GradeResult | None:
        return merge_result(row.result, self.decisions(row)) if row.result is not None else None

    # -- deciding -----------------------------------------------------------------------------

    def accept(self, row: ReviewRow) -> dict[str, Any]:
        """The grade of ``row`` stands as it is."""
        score = row.result.score if row.result is not None else None
        return self._add(row, "accept", old="" if score is None else f"{score:g}")

    def override_level(self, row: ReviewRow, criterion_id: str, level: str, reason: str) -> dict[str, Any]:
        """Set one criterion's level (``missing``/``partial``/``full``), with the reason."""
        current = self._gradable(row)
        crit = next((c for c in current.criteria if c.id == criterion_id), None)
        if crit is None:
            ids = ", ".join(c.id for c in current.criteria) or "none"
            raise InputError(f"no criterion {criterion_id!r} in this grade", hint=f"criteria: {ids}")
        level = level.strip().lower()
        if level not in LEVELS:
            raise InputError(f"unknown level {level!r}", hint=f"use one of {', '.join(LEVELS)}")
        return self._add(row, "level", criterion_id=crit.id, old=crit.awarded.value, new=level, reason=_reason(reason))

    def override_score(self, row: ReviewRow, score: str | float, reason: str) -> dict[str, Any]:
        """Set the score (0 … the question's maximum), with the reason."""
        current = self._gradable(row)
        try:
            value = float(score)
        except (TypeError, ValueError):
            raise InputError(f"the score {score!r} is not a number", hint="give a number such as 6.5") from None
        if not math.isfinite(value) or not 0 <= value <= current.max_score:
            raise InputError(
                f"the score {value:g} is out of range", hint=f"give a number from 0 to {current.max_score:g}"
            )
        old = "" if current.score is None else f"{current.score:g}"
        return self._add(row, "score", old=old, new=f"{round(value, 2):g}", reason=_reason(reason))

    def _gradable(self, row: ReviewRow) -> GradeResult:
        current = self.merged(row)
        if current is None:
            raise InputError(
                "this row has no grade to change (it failed: " + (row.reason or "error") + ")",
                hint="fix the row and grade it again with `grader batch --resume`, or accept it",
            )
        return current

    def _add(self, row: ReviewRow, kind: str, **values: str) -> dict[str, Any]:
        key = row.key
        decision: dict[str, Any] = {
            "results_id": self.results.identity,
            "candidate_id": key.candidate_id,
            "question_id": key.question_id,
            "answer_sha256": key.answer_sha256,
            "kind": kind,
            "criterion_id": values.get("criterion_id", ""),
            "old_value": values.get("old", ""),
            "new_value": values.get("new", ""),
            "reason": values.get("reason", ""),
            "reviewer": self.reviewer,
        }
        decision["created_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        self.refresh()  # decisions made elsewhere first, so that the order stays the store's
        stored = {**decision, "id": self.store.add_override(**decision), "example_id": None}
        # committed: nothing after this line can lose the decision
        self._by_key[key].append(stored)
        self._known.add(stored["id"])
        if kind != "accept":
            self._make_example(row, stored)
        return stored

    def _make_example(self, row: ReviewRow, decision: dict[str, Any]) -> None:
        merged = self.merged(row)
        if self.example_hook is None or merged is None or row.answer is None:
            self.examples_missed += 1
            return
        example = {
            "question_id": row.question_id,
            "answer": row.answer,
            "score": merged.score,
            "max_score": merged.max_score,
            "levels": {c.id: c.awarded.value for c in merged.criteria} or None,
            "note": decision["reason"],
            "source": "override",
            "author": self.reviewer,
        }
        earlier = [d["example_id"] for d in self.decisions(row) if d.get("example_id") and d is not decision]
        example_id = self.example_hook(self.store, example, earlier)
        if example_id is None:
            self.examples_missed += 1
            return
        self.store.set_override_example(decision["id"], example_id)
        decision["example_id"] = example_id
        self.examples_made += 1


def _reason(reason: str) -> str:
    text = " ".join(str(reason).split())
    if not text:
        raise InputError("an override needs a reason", hint="say in a few words why the grade changes")
    if len(text) > MAX_REASON_CHARS:
        raise InputError(f"the reason is {len(text):,} characters, over the limit of {MAX_REASON_CHARS:,}")
    return text


def merge_result(result: GradeResult, decisions: list[dict[str, Any]]) -> GradeResult:
    """``result`` with ``decisions`` (oldest first) applied and ``review`` set; unchanged without decisions."""
    if not decisions:
        return result
    levels: dict[str, str] = {}
    last_level, last_score, score_value = -1, -1, None
    for n, d in enumerate(decisions):
        if d["kind"] == "level":
            levels[d["criterion_id"]], last_level = d["new_value"], n
        elif d["kind"] == "score":
            score_value, last_score = float(d["new_value"]), n
    trail = [
        ReviewDecision(
            kind=d["kind"],
            criterion_id=d["criterion_id"],
            old=d["old_value"],
            new=d["new_value"],
            reason=d["reason"],
            reviewer=d["reviewer"],
            at=d["created_at"],
        )
        for d in decisions
    ]
    overridden = last_level >= 0 or last_score >= 0
    review = Review(
        status="overridden" if overridden else "accepted",
        original_score=result.score if overridden else None,
        decisions=trail,
    )
    if not overridden:
        return result.model_copy(update={"review": review})
    criteria = [_with_level(c, levels.get(c.id)) for c in result.criteria]
    if last_score > last_level and score_value is not None:
        score = score_value
    elif criteria:
        score = round(sum(c.points for c in criteria), 2)
    else:
        score = result.score if result.score is not None else 0.0
    percent = round(100.0 * score / result.max_score, 1) if result.max_score else 0.0
    return result.model_copy(
        update={
            "criteria": criteria,
            "score": score,
            "percent": percent,
            "band": band_for(percent),
            "status": "graded",
            "review": review,
        }
    )


def _with_level(crit: CriterionResult, level: str | None) -> CriterionResult:
    if level is None or level == crit.awarded.value:
        return crit
    awarded = Level(level)
    return crit.model_copy(update={"awarded": awarded, "points": round(crit.max_points * LEVEL_VALUE[awarded], 4)})
