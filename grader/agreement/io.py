"""Calibration input: the human-scored CSV (:func:`read_calibration_csv`) and a results file written
earlier (:func:`read_results`, e.g. ``grader batch`` output), joined row by row. Both are read by
:func:`grader.tables.open_table`.

Everything here is also importable from :mod:`grader.agreement.measure`, which grades the rows and
compares.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from grader.errors import InputError
from grader.tables import NOT_AN_OBJECT, from_cell, open_table
from grader.text import normalise_answer, word_count

__all__ = [
    "splits_in",
    "LABELS",
    "CalibrationColumns",
    "CalibrationRow",
    "CalibrationData",
    "GradedScores",
    "read_calibration_csv",
    "read_results",
    "rubric_id",
    "canonical_label",
]

LABELS = ("Incorrect", "Partially correct", "Correct")  # ordinal order
_LABEL_ALIASES = {"incorrect": LABELS[0], "partially correct": LABELS[1], "partial": LABELS[1], "correct": LABELS[2]}


# -- reading the human-scored CSV ---------------------------------------------------------------


@dataclass(frozen=True)
class CalibrationColumns:
    """Column names; ``None`` means "the default if the file has it" (id falls back to row numbers)."""

    id: str | None = None  # default: candidate_id, else answer_id
    question: str = "question_id"
    answer: str = "answer"
    score: str = "score"
    max_score: str | None = None  # default: max_score; else the highest human score per question
    label: str | None = None  # default: label; else no label metrics
    split: str = "split"


@dataclass
class CalibrationRow:
    row_id: str
    line: int
    question_id: str
    answer: str
    score: float  # human
    max_score: float
    label: str | None = None

    @property
    def human(self) -> float:
        return self.score / self.max_score if self.max_score > 0 else 0.0

    @property
    def words(self) -> int:
        return word_count(self.answer)


@dataclass
class CalibrationData:
    source: str
    rows: list[CalibrationRow]
    header: list[str]
    split: str | None = None
    has_labels: bool = False
    notes: list[str] = field(default_factory=list)


def _open_csv(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and non-blank records (with the line each starts on) of a CSV (``,`` ``;`` or tab; read by
    :func:`grader.tables.open_table`). Bytes that are not UTF-8 anywhere in it are an error."""
    with open_table(path, fmt="csv") as table:
        if table.header_undecodable:
            raise _not_utf8(table.source, 1)
        rows = list(table.rows())
    for row in rows:
        if row.error:
            raise InputError(row.error, source=table.source, line=row.line)
        if row.undecodable:
            raise _not_utf8(table.source, row.line)
    return table.header, [(row.line, list(row.fields)) for row in rows]


def _not_utf8(source: str, line: int) -> InputError:
    return InputError("not UTF-8 text", source=source, line=line, hint="save the file as UTF-8")


def _need(header: list[str], name: str, flag: str, source: str, hint: str = "") -> str:
    if name not in header:
        raise InputError(
            f"no column {name!r}; the columns are {', '.join(header)}",
            source=source,
            line=1,
            hint=hint or f"name the right column with {flag}",
        )
    return name


def _number(text: str, what: str, source: str, line: int) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"{what} {text!r} is not a number", source=source, line=line) from None
    if not np.isfinite(value) or value < 0:
        raise InputError(f"{what} {text!r} must be a finite number ≥ 0", source=source, line=line)
    return value


def canonical_label(text: str) -> str | None:
    """One of :data:`LABELS` for a label as people write it (case, ``_`` / ``-`` / spaces), else None."""
    return _canonical_label(text)


def _canonical_label(text: str) -> str | None:
    return _LABEL_ALIASES.get(" ".join(text.replace("_", " ").replace("-", " ").split()).casefold())


def splits_in(path: str | Path, columns: CalibrationColumns = CalibrationColumns()) -> list[str]:
    """The distinct values of the file's split column in the order they first occur ([] without one):
    a file such as SAF holds several splits whose answer ids repeat across them, so each split is
    measured on its own."""
    header, records = _open_csv(Path(path))
    if columns.split not in header:
        return []
    at = header.index(columns.split)
    return list(dict.fromkeys(r[at] for _, r in records if at < len(r) and r[at].strip()))


def read_calibration_csv(
    path: str | Path,
    columns: CalibrationColumns = CalibrationColumns(),
    *,
    split: str | None = None,
    limit: int | None = None,
) -> CalibrationData:
    """Read and check the human-scored rows (filtered by ``split``, first ``limit`` rows)."""
    p = Path(path)
    src = str(p)
    header, records = _open_csv(p)
    at = {name: i for i, name in enumerate(header)}
    id_col = (
        _need(header, columns.id, "--id-col", src)
        if columns.id
        else next((c for c in ("candidate_id", "answer_id") if c in at), None)
    )
    q_col = _need(header, columns.question, "--question-col", src)
    a_col = _need(header, columns.answer, "--answer-col", src)
    s_col = _need(header, columns.score, "--score-col", src)
    m_col = (
        _need(header, columns.max_score, "--max-score-col", src)
        if columns.max_score
        else ("max_score" if "max_score" in at else None)
    )
    l_col = _need(header, columns.label, "--label-col", src) if columns.label else ("label" if "label" in at else None)
    notes: list[str] = []
    if split is not None:
        sp = at[_need(header, columns.split, "", src, hint="--split filters a column named 'split'")]
        found = sorted({r[sp] for _, r in records if sp < len(r)})
        records = [(n, r) for n, r in records if sp < len(r) and r[sp] == split]
        if not records:
            raise InputError(f"no rows with split {split!r}; the splits are {', '.join(found)}", source=src)
    if limit is not None:
        records = records[: max(0, limit)]
    if not records:
        raise InputError("no data rows", source=src)
    rows: list[CalibrationRow] = []
    for line, rec in records:
        if len(rec) < len(header):
            raise InputError(f"the row has {len(rec)} field(s) but the header has {len(header)}", source=src, line=line)
        score = _number(rec[at[s_col]], "score", src, line)
        max_score = _number(rec[at[m_col]], "max score", src, line) if m_col else 0.0
        label = None
        if l_col and rec[at[l_col]].strip():
            label = _canonical_label(rec[at[l_col]])
            if label is None:
                raise InputError(f"label {rec[at[l_col]]!r} is not one of {', '.join(LABELS)}", source=src, line=line)
        rows.append(
            CalibrationRow(
                rec[at[id_col]] if id_col else f"row-{len(rows) + 1}",
                line,
                rec[at[q_col]].strip(),
                rec[at[a_col]],
                score,
                max_score,
                label,
            )
        )
    if m_col is None:
        top: dict[str, float] = {}
        for r in rows:
            top[r.question_id] = max(top.get(r.question_id, 0.0), r.score)
        for r in rows:
            r.max_score = top[r.question_id]
        notes.append("no max-score column: each question's highest human score is taken as its maximum")
    for r in rows:
        if r.score > r.max_score + 1e-9:
            raise InputError(f"score {r.score:g} is above the max score {r.max_score:g}", source=src, line=r.line)
    ids = Counter(r.row_id for r in rows)
    dupes = [i for i, c in ids.items() if c > 1]
    if dupes:
        raise InputError(
            f"duplicate ids in column {id_col!r}: {', '.join(dupes[:5])}",
            source=src,
            hint="pass --id-col with a column whose values are unique",
        )
    has_labels = l_col is not None and all(r.label for r in rows)
    if l_col and not has_labels:
        notes.append(f"some rows have no {l_col!r}: label metrics are left out")
    if id_col is None:
        notes.append("no id column: rows are identified by their position")
    return CalibrationData(src, rows, header, split, has_labels, notes)


# -- a results file ------------------------------------------------------------------------------


def rubric_id(question_id: str) -> str:
    """A rubric id (lowercase slug) for a dataset question id: ``10.1_TC`` → ``10-1-tc``."""
    return (re.sub(r"[^a-z0-9]+", "-", question_id.casefold()).strip("-") or "q")[:80]


@dataclass
class GradedScores:
    """Normalised grader score per row (``None`` when there is none), with why and from where."""

    scores: list[float | None]
    skipped: dict[str, int] = field(default_factory=dict)  # reason → rows
    n_cached: int = 0
    backend: str = ""
    model: str = ""
    first_error: str = ""
    #: A label per row chosen by the system itself (e.g. a vote of the nearest graded examples) instead of
    #: from its score by the thresholds; ``None``: labels from the scores.
    labels: list[str | None] | None = None


def _given(obj: dict[str, Any], key: str) -> Any:
    """``obj[key]``, or ``None`` when it is missing, null or empty."""
    value = obj.get(key)
    return None if value is None or value == "" else value


def _result_score(obj: dict[str, Any]) -> float | None:
    if obj.get("status") == "unscored":
        return None
    for key in ("normalized_score", "normalised_score"):
        if (value := _given(obj, key)) is not None:
            return float(value)
    score, max_score = _given(obj, "score"), _given(obj, "max_score")
    if score is not None and max_score is not None and float(max_score) > 0:
        return float(score) / float(max_score)
    if (percent := _given(obj, "percent")) is not None:
        return float(percent) / 100.0
    return None


def read_results(path: str | Path, data: CalibrationData, *, id_col: str | None = None) -> GradedScores:
    """Grader scores from a JSONL/CSV results file (e.g. ``grader batch`` output), joined on the id
    (``id_col``, else candidate_id / answer_id / id) or on (question id, answer SHA-256)."""
    import hashlib

    p, src = Path(path), str(path)
    objs: list[tuple[int, dict[str, Any]]] = []
    if p.suffix.lower() in (".jsonl", ".ndjson", ".json"):  # JSON lines, or one JSON array of result objects
        with open_table(p, fmt="json") as table:
            for row in table.rows():
                if row.error == NOT_AN_OBJECT:
                    continue
                if row.error:
                    raise InputError(row.error, source=src, line=row.line)
                if row.undecodable:
                    raise _not_utf8(src, row.line)
                objs.append((row.line, row.values))
    else:
        header, records = _open_csv(p)
        objs = [(n, {k: from_cell(v) for k, v in zip(header, rec)}) for n, rec in records]  # see ResultWriter
    keys = [k for k in (id_col, "candidate_id", "answer_id", "id") if k]
    by_id: dict[str, float | None] = {}
    by_hash: dict[tuple[str, str], float | None] = {}
    backend = model = ""
    for n, obj in objs:
        flat = {**(obj["result"] if isinstance(obj.get("result"), dict) else {}), **obj}
        try:
            score = _result_score(flat)
        except (TypeError, ValueError):
            raise InputError("the score is not a number", source=src, line=n) from None
        rid = next((str(flat[k]) for k in keys if flat.get(k) not in (None, "")), None)
        if rid is not None:
            by_id[rid] = score
        if flat.get("answer_sha256"):
            by_hash[(str(flat.get("question_id")), str(flat["answer_sha256"]))] = score
        backend, model = backend or str(flat.get("backend") or ""), model or str(flat.get("model") or "")
    out = GradedScores([None] * len(data.rows), backend=backend, model=model)
    for i, r in enumerate(data.rows):
        shas = dict.fromkeys(hashlib.sha256(v.encode()).hexdigest() for v in (r.answer, normalise_answer(r.answer)))
        # first match wins: id, then hashes (of the answer as written, and as graded: grader.text.normalise_answer)
        hash_keys = [(q, sha) for sha in shas for q in (r.question_id, rubric_id(r.question_id))]
        found = [by_id[r.row_id]] if r.row_id in by_id else [by_hash[k] for k in hash_keys if k in by_hash][:1]
        if not found:
            why = "missing from results"
        elif found[0] is None:
            why = "without a score in the results"
        else:
            out.scores[i] = min(1.0, max(0.0, found[0]))
            continue
        out.skipped[why] = out.skipped.get(why, 0) + 1
    if out.skipped.get("missing from results", 0) == len(data.rows):
        raise InputError(
            f"no result matches a row of {data.source} (joined on {', '.join(keys)} or the answer hash)",
            source=src,
            hint="pass --id-col with the column the results file uses",
        )
    return out
