"""Graded examples in ``grader calibrate``: hold K human-graded rows per question out as examples
(:func:`hold_out`), read an examples file for the calibration's questions (:func:`examples_for_data`),
and the plain nearest-neighbour baseline (:func:`nearest_neighbour_scores`) the grader is compared with.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from grader.agreement.io import CalibrationData, CalibrationRow, GradedScores
from grader.errors import GraderError, InputError
from grader.examples._index import ExampleSet
from grader.examples._io import read_examples
from grader.examples._model import GradedExample
from grader.rubric import RubricBank

__all__ = [
    "hold_out",
    "sample_per_question",
    "prepare",
    "add_systems",
    "examples_for_data",
    "nearest_neighbour_scores",
    "identical_answers",
    "BASELINE_K",
]

#: The plain baseline: the unweighted mean human grade of this many most similar examples.
BASELINE_K = 10


def _rubric_id(bank: RubricBank, question_id: str) -> str | None:
    from grader.agreement.measure import rubric_for

    try:
        return rubric_for(bank, question_id).id
    except GraderError:
        return None


def _example(row: CalibrationRow, rubric_id: str) -> GradedExample:
    return GradedExample(
        question_id=rubric_id, answer=row.answer, score=row.score, max_score=row.max_score, source="import"
    )


def hold_out(data: CalibrationData, bank: RubricBank, k: int, seed: int) -> tuple[list[GradedExample], CalibrationData]:
    """K rows of each question (a seeded random draw) as graded examples, and the data without them.
    A question with K rows or fewer gives all of them as examples and has none left to compare."""
    by_q: dict[str, list[int]] = {}
    for i, row in enumerate(data.rows):
        by_q.setdefault(row.question_id, []).append(i)
    rng = random.Random(seed)
    held: set[int] = set()
    examples: list[GradedExample] = []
    for q in sorted(by_q):
        rid = _rubric_id(bank, q)
        if rid is None:  # no rubric: its rows are left out of the comparison anyway
            continue
        chosen = sorted(rng.sample(by_q[q], min(k, len(by_q[q]))))
        held.update(chosen)
        examples += [_example(data.rows[i], rid) for i in chosen]
    rest = [r for i, r in enumerate(data.rows) if i not in held]
    note = f"{len(held)} row(s) held out as graded examples ({k} per question, seed {seed}); compared on the rest"
    return examples, replace(data, rows=rest, notes=[*data.notes, note])


def sample_per_question(examples: Sequence[GradedExample], k: int, seed: int) -> list[GradedExample]:
    """K examples of each question (a seeded random draw; all of a question's if it has K or fewer)."""
    rng = random.Random(seed)
    by_q: dict[str, list[GradedExample]] = {}
    for e in examples:
        by_q.setdefault(e.question_id, []).append(e)
    out: list[GradedExample] = []
    for q in sorted(by_q):
        chosen = sorted(rng.sample(range(len(by_q[q])), min(k, len(by_q[q]))))
        out += [by_q[q][i] for i in chosen]
    return out


def examples_for_data(path: Path, bank: RubricBank, split: str | None) -> list[GradedExample]:
    """The examples of an examples file (``split``: only its rows of that split), questions resolved
    in the calibration's bank; every bad row is an error (:func:`grader.examples._io.read_examples`)."""
    from grader.agreement.measure import rubric_for

    return read_examples(path, lambda q: rubric_for(bank, q), split=split)


def identical_answers(data: CalibrationData, bank: RubricBank, examples: Sequence[GradedExample]) -> int:
    """How many compared rows have exactly the answer of one of their question's examples."""
    seen = {(e.question_id, e.answer.strip()) for e in examples}
    return sum((_rubric_id(bank, r.question_id), r.answer.strip()) in seen for r in data.rows)


def nearest_neighbour_scores(
    data: CalibrationData,
    bank: RubricBank,
    examples: Sequence[GradedExample] | ExampleSet,
    embedder: Any,
    k: int = BASELINE_K,
) -> GradedScores:
    """The plain baseline: each row's score is the unweighted mean human grade (0–1) of the ``k``
    examples of its question whose answers are most similar (MiniLM cosine); no rubric at all. Pass
    the grading run's :class:`ExampleSet` to reuse its example vectors."""
    ex_set = examples if isinstance(examples, ExampleSet) else ExampleSet(examples)
    out = GradedScores([None] * len(data.rows), backend="nearest-neighbours", model=f"k={k}")
    rows = [(i, r, _rubric_id(bank, r.question_id)) for i, r in enumerate(data.rows)]
    todo = [(i, r, rid) for i, r, rid in rows if rid is not None and ex_set.for_question(rid)]
    if not todo:
        raise InputError("no compared row has a graded example of its question", source=data.source)
    vecs = embedder.encode([r.answer for _, r, _ in todo])
    for (i, _, rid), vec in zip(todo, vecs):
        assert rid is not None
        exs = ex_set.for_question(rid)
        sims = ex_set.vectors(rid, embedder) @ vec
        top = np.argsort(-sims, kind="stable")[:k]
        grades = [g for j in top if (g := exs[j].fraction) is not None]
        out.scores[i] = float(np.mean(grades)) if grades else None
    missing = sum(s is None for s in out.scores)
    if missing:
        out.skipped["no examples of the question"] = missing
    return out


def prepare(
    data: CalibrationData, bank: RubricBank, path: Path | None, split: str | None, k: int | None, seed: int
) -> tuple[list[GradedExample], CalibrationData]:
    """The examples of a calibration run — K held-out rows per question (no ``path``), an examples file,
    or K examples per question drawn from the file (both) — and the rows to compare, with a note when
    compared rows repeat an example's answer exactly."""
    if path is None:
        assert k is not None
        examples, data = hold_out(data, bank, k, seed)
    else:
        examples = examples_for_data(path, bank, split)
        if k is not None:
            examples = sample_per_question(examples, k, seed)
            data.notes.append(f"{len(examples)} graded examples drawn from {path} ({k} per question, seed {seed})")
    same = identical_answers(data, bank, examples)
    if same:
        data.notes.append(f"{same} compared row(s) have exactly the answer of one of their question's examples")
    return examples, data


def add_systems(report: Any, data: CalibrationData, others: Sequence[tuple[str, str, GradedScores]], **kw: Any) -> None:
    """Put other systems' agreement on the same data (``build_report`` keywords ``kw``) first among
    the report's baselines, in order; a note when one compared a different number of rows."""
    from grader.agreement.measure import SystemMetrics, build_report

    for name, description, graded in reversed(others):
        sub = build_report(data, graded, **kw)
        fields = set(SystemMetrics.model_fields)
        undefined = {k: v.replace("the grader scores", f"the {name} scores") for k, v in sub.undefined.items()}
        system = {**sub.model_dump(include=fields), "name": name, "description": description, "undefined": undefined}
        report.baselines.insert(0, SystemMetrics(**system))
        if sub.n != report.n:
            report.notes.append(f"{name}: compared on {sub.n} rows (the grader on {report.n})")


def run_with_examples(
    plain: Any,
    data: CalibrationData,
    bank: RubricBank,
    path: Path | None,
    split: str | None,
    k: int | None,
    seed: int,
    grade: Callable[[Any, CalibrationData, RubricBank, str], GradedScores],
) -> tuple[GradedScores, CalibrationData, list[tuple[str, str, GradedScores]]]:
    """Grade with graded examples (:func:`prepare`) using ``plain``'s settings and store; the scores,
    the rows compared, and the other systems on them: ``plain`` (the same grader without examples)
    and the nearest-neighbour baseline. ``grade(grader, data, bank, label)`` grades the rows (the
    command line's, with its progress bar)."""
    from grader.grading import Grader
    from grader.judges.local.embedding import get_embedder

    chosen, data = prepare(data, bank, path, split, k, seed)
    examples = ExampleSet(chosen)  # shared with the baseline: the example vectors are computed once
    grader = Grader(plain.settings, bank=bank, store=plain.store, examples=examples)
    graded = grade(grader, data, bank, "grading with examples")
    graded.model += f" + {len(examples)} graded examples of {len(examples.question_ids)} question(s)"
    without = grade(plain, data, bank, "grading without examples")
    knn = nearest_neighbour_scores(data, bank, examples, get_embedder())
    desc = f"mean human score of the {BASELINE_K} most similar examples (MiniLM cosine); no rubric"
    return graded, data, [("no examples", "the same grader without the examples", without), ("nearest", desc, knn)]
