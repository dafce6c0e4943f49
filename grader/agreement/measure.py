"""Calibration: how far does a grader agree with human graders?

Read a CSV of answers with human scores (:func:`read_calibration_csv`), get the grader's score for
each row, either by grading it (:func:`grade_rows`, bounded ``asyncio`` concurrency, results cached
through the Grader's store so a second run costs nothing) or from a results file written earlier
(:func:`read_results`), then compare (:func:`build_report`) into an :class:`AgreementReport`.

Every score is normalised to ``[0, 1]`` (score / max score). Ordinal metrics use equal-width bins
(see :mod:`grader.agreement.metrics`). Labels (``Correct`` / ``Partially correct`` / ``Incorrect``) are derived
from a normalised score by two thresholds: fixed defaults (≥ 0.75 Correct, ≥ 0.35 Partially correct,
else Incorrect) unless ``fit_labels`` asks to fit them on the same rows (an optimistic estimate).

Two baselines are scored on the same rows: *majority* (always the most common human label and the
mean human score) and *length* (a least-squares line ``score ~ a + b·words`` fitted on these rows).

:func:`saf_bank` builds rubrics for the SAF dataset (one per question, criteria = the claims of the
reference answer, by the same builder as :func:`grader.rubric.io.bank_from_csv`, so ``grader
calibrate`` grades SAF with the rubrics the embedded grader's calibration was fitted on).

This module grades the rows and is the public face of the calibration: the inputs (the CSV, a results
file) are read in :mod:`grader.agreement.io`, the rubrics built in :mod:`grader.agreement.rubrics`, the
report (metrics, baselines, labels) built in :mod:`grader.agreement.report`, the chart drawn in
:mod:`grader.agreement.chart`; their public names are re-exported here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from grader.agreement.chart import write_chart
from grader.agreement.io import (
    LABELS,
    CalibrationColumns,
    CalibrationData,
    CalibrationRow,
    GradedScores,
    read_calibration_csv,
    read_results,
    rubric_id,
    splits_in,
)
from grader.agreement.report import (
    DEFAULT_THRESHOLDS,
    AgreementReport,
    SystemMetrics,
    Thresholds,
    build_report,
    fit_thresholds,
    labels_from_scores,
    paired,
)
from grader.agreement.rubrics import question_problems, rubric_for, saf_bank
from grader.errors import InputError, JudgeError
from grader.rubric import RubricBank

__all__ = [
    "LABELS",
    "DEFAULT_THRESHOLDS",
    "CalibrationColumns",
    "CalibrationRow",
    "CalibrationData",
    "GradedScores",
    "Thresholds",
    "SystemMetrics",
    "AgreementReport",
    "read_calibration_csv",
    "splits_in",
    "saf_bank",
    "rubric_id",
    "rubric_for",
    "question_problems",
    "grade_rows",
    "read_results",
    "labels_from_scores",
    "fit_thresholds",
    "paired",
    "build_report",
    "write_chart",
]


# -- grader scores: grade the rows (or read a results file: calibrate_io.read_results) ----------


async def _grade_all(
    grader: Any, data: CalibrationData, bank: RubricBank, concurrency: int, progress: Callable[[int, int], None] | None
) -> GradedScores:
    problems = question_problems(bank, data)
    rubrics = {q: rubric_for(bank, q) for q in sorted({r.question_id for r in data.rows} - problems.keys())}
    gate = asyncio.Semaphore(max(1, concurrency))
    out = GradedScores([None] * len(data.rows), backend=grader.backend_name, model=grader.backend.model)
    for row in data.rows:  # a question without a rubric: its rows are left out, counted with the reason
        if row.question_id in problems:
            why = f"no rubric ({problems[row.question_id]})"
            out.skipped[why] = out.skipped.get(why, 0) + 1
    done = 0
    first_exc: list[Exception] = []

    async def one(i: int, row: CalibrationRow) -> None:
        nonlocal done
        if row.question_id in problems:  # counted in out.skipped above
            done += 1
            if progress:
                progress(done, len(data.rows))
            return
        async with gate:
            try:
                res = await grader.agrade(rubrics[row.question_id], row.answer)
            except (JudgeError, InputError) as e:
                out.skipped["failed"] = out.skipped.get("failed", 0) + 1
                out.first_error = out.first_error or e.one_line()
                first_exc.append(e)
            else:
                if res.status == "graded" and res.score is not None and res.max_score > 0:
                    out.scores[i] = min(1.0, max(0.0, res.score / res.max_score))
                    out.n_cached += bool(res.cached)
                else:
                    out.skipped["unscored"] = out.skipped.get("unscored", 0) + 1
            done += 1
            if progress:
                progress(done, len(data.rows))

    try:
        await asyncio.gather(*(one(i, r) for i, r in enumerate(data.rows)))
    finally:
        await grader.aclose()
    graded_rows = sum(r.question_id not in problems for r in data.rows)
    if first_exc and all(s is None for s in out.scores) and out.skipped.get("failed") == graded_rows:
        raise first_exc[0]  # nothing was graded: the backend is down or misconfigured
    return out


def grade_rows(
    grader: Any,
    data: CalibrationData,
    bank: RubricBank,
    *,
    concurrency: int = 8,
    progress: Callable[[int, int], None] | None = None,
) -> GradedScores:
    """Grade every row with ``grader`` (a :class:`~grader.grading.Grader`); failures are counted."""
    return asyncio.run(_grade_all(grader, data, bank, concurrency, progress))
