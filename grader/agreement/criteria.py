"""Criterion-level agreement: does a judge give each criterion the level a human gives it?

``grader calibrate --criteria FILE`` reads answers with a human level per criterion, grades them with
the configured judge (the embedded one or any LLM), and compares level by level:

- the 3×3 confusion matrix (rows: human missing / partial / full; columns: the judge);
- exact level agreement and quadratic weighted kappa over the three ordered levels;
- *credit* (a level above missing) precision, recall and F1 — credit is what costs a candidate or
  an interviewer most when it is wrong;
- the share of the criteria a human marks missing that the judge credits anyway;
- the Pearson correlation of the answers' scores (Σ weight × level value / Σ weight);

overall, per question and per ``kind`` when the file has that column, each with a 95 % bootstrap
interval (answers resampled, 1,000 times, fixed seed), and a plain-language verdict line.

Input (JSONL or CSV, one answer a row): ``question_id``, ``answer``, optional ``kind`` / ``id``, and the
human levels: a ``labels`` object (JSONL) or JSON text (CSV) ``{criterion_id: level}``, or CSV
columns named after the criterion ids. Levels: ``missing`` / ``partial`` / ``full`` (or 0 / 0.5 / 1).
Every criterion of the question's rubric must have a level; a bad row is a one-line error naming
its line.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from grader.agreement import metrics as M
from grader.errors import InputError, JudgeError
from grader.rubric import Rubric, RubricBank

__all__ = [
    "LabelledAnswer",
    "CriterionAgreement",
    "CriteriaReport",
    "build_criteria_report",
    "read_criteria_file",
    "grade_labelled",
    "criterion_agreement",
    "LEVELS",
    "verdict_line",
]

LEVELS = ("missing", "partial", "full")
_VALUE = {"missing": 0, "partial": 1, "full": 2, "0": 0, "0.5": 1, "1": 2, "0.0": 0, "1.0": 2, "none": 0, "half": 1}
_BOOTSTRAP = 1000
_SEED = 20261206


@dataclass(frozen=True)
class LabelledAnswer:
    line: int
    row_id: str
    question_id: str
    answer: str
    kind: str
    labels: dict[str, int]  # criterion id -> 0 missing, 1 partial, 2 full


def _level(value: Any, where: str, criterion: str) -> int:
    key = str(value).strip().casefold()
    if key not in _VALUE:
        raise InputError(
            f"criterion {criterion!r} has level {value!r}",
            source=where,
            hint="use missing, partial or full (or 0, 0.5, 1)",
        )
    return _VALUE[key]


def _records(path: Path) -> list[tuple[int, dict[str, Any]]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError("file not found", source=str(path)) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text ({exc.reason})", source=str(path), hint="save the file as UTF-8") from None
    out: list[tuple[int, dict[str, Any]]] = []
    if path.suffix.lower() in (".jsonl", ".ndjson"):
        for n, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except ValueError as exc:
                raise InputError(f"not JSON: {exc}", source=f"{path}:{n}", hint="one JSON object a line") from None
            if not isinstance(obj, dict):
                raise InputError("a line is not a JSON object", source=f"{path}:{n}")
            out.append((n, obj))
        return out
    reader = csv.DictReader(io.StringIO(text, newline=""))
    for rec in reader:
        out.append((reader.line_num, dict(rec)))
    return out


def read_criteria_file(
    path: str | Path, bank: RubricBank, rubric_for: Callable[[RubricBank, str], Rubric]
) -> list[LabelledAnswer]:
    """Read and check the labelled answers against the bank's rubrics."""
    p = Path(path)
    rows: list[LabelledAnswer] = []
    for line, rec in _records(p):
        where = f"{p}:{line}"
        qid = str(rec.get("question_id") or "").strip()
        answer = rec.get("answer")
        if not qid or not isinstance(answer, str):
            raise InputError(
                "a row needs question_id and answer",
                source=where,
                hint="columns: question_id, answer, labels (or one column per criterion id)",
            )
        rubric = rubric_for(bank, qid)
        labels_raw = rec.get("labels")
        if isinstance(labels_raw, str) and labels_raw.strip():
            try:
                labels_raw = json.loads(labels_raw)
            except ValueError:
                raise InputError(
                    "the labels column is not JSON", source=where, hint='write it as {"criterion-id": "full", ...}'
                ) from None
        if not isinstance(labels_raw, dict):
            labels_raw = {c.id: rec[c.id] for c in rubric.criteria if rec.get(c.id) not in (None, "")}
        ids = {c.id for c in rubric.criteria}
        unknown = sorted(set(labels_raw) - ids)
        if unknown:
            raise InputError(
                f"unknown criterion id(s) for {rubric.id}: {', '.join(unknown)}",
                source=where,
                hint=f"its criteria: {', '.join(sorted(ids))}",
            )
        absent = [c.id for c in rubric.criteria if c.id not in labels_raw]
        if absent:
            raise InputError(
                f"no human level for {', '.join(absent)}",
                source=where,
                hint="give a level for every criterion of the question",
            )
        rows.append(
            LabelledAnswer(
                line,
                str(rec.get("id") or rec.get("answer_id") or line),
                rubric.id,
                answer,
                str(rec.get("kind") or ""),
                {k: _level(v, where, k) for k, v in labels_raw.items()},
            )
        )
    if not rows:
        raise InputError("no labelled answers", source=str(p))
    return rows


async def _grade_all(
    grader: Any,
    rows: Sequence[LabelledAnswer],
    bank: RubricBank,
    concurrency: int,
    progress: Callable[[int, int], None] | None,
) -> list[dict[str, int] | None]:
    gate = asyncio.Semaphore(max(1, concurrency))
    out: list[dict[str, int] | None] = [None] * len(rows)
    done = 0
    errors: list[Exception] = []

    async def one(i: int, row: LabelledAnswer) -> None:
        nonlocal done
        async with gate:
            try:
                res = await grader.agrade(bank.get(row.question_id), row.answer)
            except (JudgeError, InputError) as exc:
                errors.append(exc)
            else:
                if res.status == "graded":
                    out[i] = {c.id: LEVELS.index(c.awarded.value) for c in res.criteria}
            done += 1
            if progress:
                progress(done, len(rows))

    try:
        await asyncio.gather(*(one(i, r) for i, r in enumerate(rows)))
    finally:
        await grader.aclose()
    if errors and all(o is None for o in out):
        raise errors[0]
    return out


def grade_labelled(
    grader: Any,
    rows: Sequence[LabelledAnswer],
    bank: RubricBank,
    *,
    concurrency: int = 8,
    progress: Callable[[int, int], None] | None = None,
) -> list[dict[str, int] | None]:
    """The judge's level per criterion for every row (None where it could not be graded)."""
    return asyncio.run(_grade_all(grader, rows, bank, concurrency, progress))


@dataclass
class CriterionAgreement:
    criteria: int
    answers: int
    confusion: list[list[int]]
    exact: float
    qwk: float | None
    credit_precision: float | None
    credit_recall: float | None
    credit_f1: float | None
    missing_credited: float | None
    score_pearson: float | None
    intervals: dict[str, tuple[float, float]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in vars(self).items()}


def _rate(num: int, den: int) -> float | None:
    return num / den if den else None


def _core(h: np.ndarray, j: np.ndarray, answer_of: np.ndarray, weights: np.ndarray) -> dict[str, float | None]:
    hc, jc = h > 0, j > 0
    tp = int((hc & jc).sum())
    precision, recall = _rate(tp, int(jc.sum())), _rate(tp, int(hc.sum()))
    f1 = (
        2 * precision * recall / (precision + recall)
        if precision is not None and recall is not None and precision + recall > 0
        else None
    )
    qwk = M.quadratic_weighted_kappa(h / 2.0, j / 2.0, bins=3)
    n = int(answer_of.max()) + 1 if len(answer_of) else 0
    wsum = np.bincount(answer_of, weights, minlength=n)
    hs = np.bincount(answer_of, weights * h / 2.0, minlength=n) / np.where(wsum > 0, wsum, 1)
    js = np.bincount(answer_of, weights * j / 2.0, minlength=n) / np.where(wsum > 0, wsum, 1)
    r = M.pearson(hs, js) if n > 2 else M.Undefined("fewer than 3 answers")
    return {
        "exact": float((h == j).mean()),
        "qwk": None if M.is_undefined(qwk) else float(qwk),
        "credit_precision": precision,
        "credit_recall": recall,
        "credit_f1": f1,
        "missing_credited": _rate(int((jc & ~hc).sum()), int((~hc).sum())),
        "score_pearson": None if M.is_undefined(r) else float(r),
    }


def criterion_agreement(
    human: Sequence[int] | np.ndarray,
    judge: Sequence[int] | np.ndarray,
    answer_of: Sequence[int] | np.ndarray,
    weights: Sequence[float] | np.ndarray,
    *,
    bootstrap: int = _BOOTSTRAP,
) -> CriterionAgreement:
    """Agreement of ``judge`` with ``human`` levels (0/1/2), one entry per criterion;
    ``answer_of`` numbers the answer each criterion belongs to (for scores and the bootstrap)."""
    h, j = np.asarray(human, dtype=int), np.asarray(judge, dtype=int)
    a = np.unique(np.asarray(answer_of), return_inverse=True)[1]
    w = np.asarray(weights, dtype=np.float64)
    if len(h) == 0 or len(h) != len(j):
        raise M.MetricInputError("criterion_agreement needs two equally long, non-empty sequences of levels")
    core = _core(h, j, a, w)
    confusion = M.confusion_matrix([LEVELS[x] for x in h], [LEVELS[x] for x in j], LEVELS).tolist()
    intervals: dict[str, tuple[float, float]] = {}
    n = int(a.max()) + 1
    if bootstrap and n > 2:
        rng = np.random.default_rng(_SEED)
        members = [np.flatnonzero(a == k) for k in range(n)]
        samples: dict[str, list[float]] = {k: [] for k in core}
        for _ in range(bootstrap):
            pick = rng.integers(0, n, n)
            idx = np.concatenate([members[k] for k in pick])
            new_a = np.concatenate([np.full(len(members[k]), i) for i, k in enumerate(pick)])
            for k, v in _core(h[idx], j[idx], new_a, w[idx]).items():
                if v is not None and v == v:
                    samples[k].append(v)
        intervals = {
            k: (float(np.percentile(v, 2.5)), float(np.percentile(v, 97.5)))
            for k, v in samples.items()
            if len(v) >= bootstrap // 2
        }
    return CriterionAgreement(
        criteria=len(h),
        answers=n,
        confusion=confusion,
        exact=float(core["exact"] or 0.0),
        qwk=core["qwk"],
        credit_precision=core["credit_precision"],
        credit_recall=core["credit_recall"],
        credit_f1=core["credit_f1"],
        missing_credited=core["missing_credited"],
        score_pearson=core["score_pearson"],
        intervals=intervals,
    )


def verdict_line(agreement: CriterionAgreement) -> str:
    """One plain sentence on how far the judge's levels can be trusted."""
    parts = []
    exact = agreement.exact
    quality = "good" if exact >= 0.75 else "fair" if exact >= 0.6 else "poor"
    parts.append(f"Level agreement is {quality}: the judge gives the human's level to {exact:.0%} of criteria")
    if agreement.missing_credited is not None:
        mc = agreement.missing_credited
        tail = "too often" if mc > 0.2 else "sometimes" if mc > 0.1 else "rarely"
        parts.append(f"and {tail} credits what the human marks missing ({mc:.0%})")
    return " ".join(parts) + "."


@dataclass
class CriteriaReport:
    overall: CriterionAgreement
    by_kind: dict[str, CriterionAgreement]
    by_question: dict[str, CriterionAgreement]
    graded: int
    failed: int
    verdict: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "overall": self.overall.as_dict(),
            "verdict": self.verdict,
            "graded": self.graded,
            "failed": self.failed,
            "by_kind": {k: v.as_dict() for k, v in self.by_kind.items()},
            "by_question": {k: v.as_dict() for k, v in self.by_question.items()},
        }


def build_criteria_report(
    rows: Sequence[LabelledAnswer],
    judged: Sequence[dict[str, int] | None],
    bank: RubricBank,
    *,
    bootstrap: int = _BOOTSTRAP,
) -> CriteriaReport:
    """Overall, per ``kind`` and per question agreement of the judged levels with the human ones."""
    h: list[int] = []
    j: list[int] = []
    a: list[int] = []
    w: list[float] = []
    kind: list[str] = []
    question: list[str] = []
    graded = 0
    for k, (row, levels) in enumerate(zip(rows, judged)):
        if levels is None:
            continue
        graded += 1
        for c in bank.get(row.question_id).criteria:
            h.append(row.labels[c.id])
            j.append(levels.get(c.id, 0))
            a.append(k)
            w.append(c.weight)
            kind.append(row.kind)
            question.append(row.question_id)
    if not h:
        raise InputError("no answer could be graded", hint="check the judge's configuration")
    H, J, A, W = np.array(h), np.array(j), np.array(a), np.array(w)

    def subset(labels: list[str]) -> dict[str, CriterionAgreement]:
        out = {}
        arr = np.array(labels)
        for name in sorted(set(labels)):
            m = arr == name
            out[name] = criterion_agreement(H[m], J[m], A[m], W[m], bootstrap=bootstrap // 5)
        return out

    overall = criterion_agreement(H, J, A, W, bootstrap=bootstrap)
    by_kind = subset(kind) if any(kind) else {}
    return CriteriaReport(overall, by_kind, subset(question), graded, len(rows) - graded, verdict_line(overall))
