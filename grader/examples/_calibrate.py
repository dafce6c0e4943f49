"""Graded examples in ``grader calibrate``: hold K human-graded rows per question out as examples
(:func:`hold_out`), read an examples file for the calibration's questions (:func:`examples_for_data`),
and the plain nearest-neighbour baselines (:func:`nearest_neighbour_scores`: mean grade, label vote) the
grader is compared with; label thresholds learned from the examples are in :mod:`grader.examples._labels`.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from grader.agreement.io import CalibrationData, CalibrationRow, GradedScores
from grader.errors import GraderError, InputError
from grader.examples._index import ExampleSet
from grader.examples._io import read_examples
from grader.examples._model import GradedExample
from grader.rubric import RubricBank

__all__ = [
    "hold_out",
    "sample_per_question",
    "draw_per_question",
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
        question_id=rubric_id,
        answer=row.answer,
        score=row.score,
        max_score=row.max_score,
        source="import",
        label=row.label or "",
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


def draw_per_question(counts: Mapping[str, int], k: int, seed: int) -> dict[str, list[int]]:
    """Which K of each question's ``counts[q]`` examples (their indices, ascending) a seeded random draw
    keeps; all of a question's if it has K or fewer. Questions are drawn in sorted order from one
    ``random.Random(seed)``. The one draw of ``--examples-per-question`` (:func:`sample_per_question`),
    shared with ``scripts/fit_examples_blend.py`` so that its cross-validation measures what is reported."""
    rng = random.Random(seed)
    return {q: sorted(rng.sample(range(counts[q]), min(k, counts[q]))) for q in sorted(counts)}


def sample_per_question(examples: Sequence[GradedExample], k: int, seed: int) -> list[GradedExample]:
    """K examples of each question (a seeded random draw, :func:`draw_per_question`; all of a
    question's if it has K or fewer)."""
    by_q: dict[str, list[GradedExample]] = {}
    for e in examples:
        by_q.setdefault(e.question_id, []).append(e)
    drawn = draw_per_question({q: len(xs) for q, xs in by_q.items()}, k, seed)
    return [by_q[q][i] for q, chosen in drawn.items() for i in chosen]


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
) -> tuple[GradedScores, GradedScores]:
    """The plain baselines: each row's score is the unweighted mean human grade (0–1) of the ``k``
    examples of its question whose answers are most similar (MiniLM cosine), no rubric at all; and the
    same with, as labels, the majority label of those examples (its ``labels``; None for rows whose
    neighbours have none). Pass the grading run's :class:`ExampleSet` to reuse its example vectors."""
    from grader.examples._labels import nearest_neighbours

    ex_set = examples if isinstance(examples, ExampleSet) else ExampleSet(examples)
    out = GradedScores([None] * len(data.rows), backend="nearest-neighbours", model=f"k={k}")
    rows = [(i, r, _rubric_id(bank, r.question_id)) for i, r in enumerate(data.rows)]
    todo = [(i, r, rid) for i, r, rid in rows if rid is not None and ex_set.for_question(rid)]
    if not todo:
        raise InputError("no compared row has a graded example of its question", source=data.source)
    scores, votes = nearest_neighbours(ex_set, embedder, [(rid, r.answer) for _, r, rid in todo], k)
    labels: list[str | None] = [None] * len(data.rows)
    for (i, _, _), score, label in zip(todo, scores, votes):
        out.scores[i], labels[i] = score, label
    missing = sum(s is None for s in out.scores)
    if missing:
        out.skipped["no examples of the question"] = missing
    vote = GradedScores(list(out.scores), dict(out.skipped), backend=out.backend, model=out.model, labels=labels)
    return out, vote


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


#: Another system on the calibration's rows: name, description, its scores, its ``build_report`` keywords.
System = tuple[str, str, GradedScores, dict[str, Any]]


def add_systems(report: Any, data: CalibrationData, others: Sequence[System], **kw: Any) -> None:
    """Put other systems' agreement on the same data (``build_report`` keywords ``kw``, then each
    system's own) first among the report's baselines, in order; a note when one compared a different
    number of rows, and where a system's label thresholds came from."""
    from grader.agreement.measure import SystemMetrics, build_report

    for name, description, graded, own in reversed(others):
        sub = build_report(data, graded, **{**kw, **own})
        fields = set(SystemMetrics.model_fields)
        undefined = {k: v.replace("the grader scores", f"the {name} scores") for k, v in sub.undefined.items()}
        system = {**sub.model_dump(include=fields), "name": name, "description": description, "undefined": undefined}
        report.baselines.insert(0, SystemMetrics(**system))
        if sub.n != report.n:
            report.notes.append(f"{name}: compared on {sub.n} rows (the grader on {report.n})")
        if sub.label_rule and own:
            report.notes.append(f"{name} labels: {sub.label_rule}")


def run_with_examples(
    plain: Any,
    data: CalibrationData,
    bank: RubricBank,
    path: Path | None,
    split: str | None,
    k: int | None,
    seed: int,
    grade: Callable[[Any, CalibrationData, RubricBank, str], GradedScores],
    fit_labels: bool = False,
) -> tuple[GradedScores, CalibrationData, list[System], dict[str, Any]]:
    """Grade with graded examples (:func:`prepare`) using ``plain``'s settings and store; the scores,
    the rows compared, the other systems on them — ``plain`` (the same grader without examples, fixed
    label thresholds, as without examples), the nearest-neighbour baseline and its label vote — and the
    grader's ``build_report`` keywords: label thresholds fitted on the labelled examples (never on the
    compared rows, :mod:`grader.examples._labels`) when the rows have labels and ``fit_labels`` (fit on
    the compared rows) is not asked for. ``grade(grader, data, bank, label)`` grades the rows (the
    command line's, with its progress bar)."""
    from grader.examples._labels import fit_from_examples, labelled, nearest_fit, predict_labels
    from grader.grading import Grader
    from grader.judges.local.embedding import get_embedder

    chosen, data = prepare(data, bank, path, split, k, seed)
    examples = ExampleSet(chosen)  # shared with the baseline: the example vectors are computed once
    grader = Grader(plain.settings, bank=bank, store=plain.store, examples=examples)
    graded = grade(grader, data, bank, "grading with examples")
    graded.model += f" + {len(examples)} graded examples of {len(examples.question_ids)} question(s)"
    without = grade(plain, data, bank, "grading without examples")
    knn, vote = nearest_neighbour_scores(data, bank, examples, get_embedder())
    desc = f"mean human score of the {BASELINE_K} most similar examples (MiniLM cosine); no rubric"
    others: list[System] = [("no examples", "the same grader without the examples", without, {})]
    grader_kw: dict[str, Any] = {}
    if data.has_labels and not fit_labels and labelled(chosen):
        fit = fit_from_examples(plain, examples, bank, grade, seed)
        if fit.thresholds is not None:
            grader_kw = {"thresholds": fit.thresholds, "thresholds_source": fit.source}
        else:
            data.notes.append(f"grader labels: {fit.why}")
        if fit.model is not None:  # labels from the nearest examples' labels and the score, not a threshold
            rows = [(_rubric_id(bank, r.question_id), r.answer, s) for r, s in zip(data.rows, graded.scores)]
            graded.labels = predict_labels(fit, examples, rows)
            grader_kw["labels_rule"] = fit.model_source
        near = nearest_fit(examples, get_embedder(), BASELINE_K)
        near_kw = {"thresholds": near.thresholds, "thresholds_source": near.source} if near.thresholds else {}
        others.append(("nearest", desc, knn, near_kw))
        vote_desc = f"the majority human label of the {BASELINE_K} most similar examples; scores as nearest"
        if vote.labels and all(lab is not None for lab, s in zip(vote.labels, vote.scores) if s is not None):
            others.append(("nearest vote", vote_desc, vote, {}))
    else:
        if data.has_labels and not fit_labels:
            data.notes.append("the graded examples have no label column: the label thresholds stay fixed")
        others.append(("nearest", desc, knn, {}))
    return graded, data, others, grader_kw
