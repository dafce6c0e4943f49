"""A results file read for review: every row with its values, its result, its answer and why it needs
a human, in review order (the rows that need a human first, then the rest in file order).

The rows are read twice from the same file: once by :func:`grader.report.load_results` (which parses
and checks every result exactly as the report does) and once as raw values (kept so that the
re-export writes every column back). "Needs a human" is the report's own list
(:func:`grader.report.build_report`): flags, errors and near-duplicates, most severe first.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.errors import InputError
from grader.report.build import AnswerEntry, build_report, load_results
from grader.result import GradeResult
from grader.tables import from_cell, open_table
from grader.text import normalise_answer

__all__ = ["ReviewRow", "RowKey", "ResultsFile", "load_results_file", "results_identity", "read_answers"]


@dataclass(frozen=True)
class RowKey:
    """What a decision is about: one answer of one candidate to one question."""

    candidate_id: str
    question_id: str
    answer_sha256: str


@dataclass
class ReviewRow:
    index: int  # 0-based position in the results file
    line: int  # physical line of the row (1 = the CSV header)
    values: dict[str, Any]  # the row as read (CSV cells decoded), written back by the re-export
    candidate_id: str
    question_id: str
    status: str  # graded | unscored | error
    reason: str
    result: GradeResult | None
    answer: str | None = None  # from the answers file, when given and the same text that was graded
    answer_note: str = ""  # why the answer is not shown, when it is not
    reasons: list[tuple[str, str]] = field(default_factory=list)  # why a human should look (empty: no need)

    @property
    def key(self) -> RowKey:
        # an error row has no result, so no hash: its key does not depend on whether --answers was given
        return RowKey(self.candidate_id, self.question_id, self.result.answer_sha256 if self.result else "")

    @property
    def needs_human(self) -> bool:
        return bool(self.reasons)


@dataclass
class ResultsFile:
    path: Path
    identity: str  # what decisions are stored under (see :func:`results_identity`)
    format: str  # csv | jsonl
    header: list[str]  # CSV columns in file order (empty for JSONL)
    rows: list[ReviewRow]  # in file order
    order: list[int]  # review order: indexes into ``rows``

    def ordered(self) -> list[ReviewRow]:
        return [self.rows[i] for i in self.order]


def results_identity(path: str | Path) -> str:
    """The identity decisions are stored under: the file's absolute path. Re-writing the file in place
    (``grader batch --resume``) keeps its decisions; a copy elsewhere starts a new review."""
    return str(Path(path).resolve())


def read_answers(
    path: str | Path, *, id_col: str = "candidate_id", question_col: str = "question_id", answer_col: str = "answer"
) -> dict[tuple[str, str], str]:
    """(candidate id, question id) → answer text, from a batch input file (rows with a problem are left out:
    the results file has them as error rows)."""
    from grader.batch.io import Columns, read_rows

    texts: dict[tuple[str, str], str] = {}
    for row in read_rows(path, Columns(id=id_col, question=question_col, answer=answer_col)):
        if not row.error:
            texts[(row.candidate_id, row.question_id)] = row.answer
    return texts


def _raw_rows(path: Path) -> tuple[str, list[str], list[tuple[int, dict[str, Any]]]]:
    out: list[tuple[int, dict[str, Any]]] = []
    with open_table(path) as table:
        fmt, header = table.format, list(table.header)
        for row in table.rows():
            values = row.values
            if fmt == "csv":
                values = {k: from_cell(v) if isinstance(v, str) else v for k, v in values.items()}
            out.append((row.line, dict(values)))
    return fmt, header, out


def load_results_file(path: str | Path, answers: dict[tuple[str, str], str] | None = None) -> ResultsFile:
    """Read ``path`` (the output of ``grader batch``) for review; a problem names its line
    (:class:`~grader.errors.InputError`). ``answers`` (see :func:`read_answers`) lets the review show
    each full answer and find near-duplicates by their text."""
    p = Path(path)
    entries = load_results(p)
    fmt, header, raw = _raw_rows(p)
    if len(raw) != len(entries):  # both read the same file; a difference means it changed meanwhile
        raise InputError("the file changed while it was read", source=str(p), hint="try again")
    report = build_report(entries, answers=answers)
    why: dict[tuple[str, str], list[tuple[str, str]]] = {}
    rank: dict[tuple[str, str], int] = {}
    for n, item in enumerate(report.needs_human):
        if item.question_id:  # "undecided" candidates are about a total, not one answer
            why[(item.candidate, item.question_id)] = item.reasons
            rank.setdefault((item.candidate, item.question_id), n)
    rows = [_row(i, line, values, entry, answers, why) for i, ((line, values), entry) in enumerate(zip(raw, entries))]
    first = sorted((i for i, r in enumerate(rows) if r.reasons), key=lambda i: (rank[_pair(rows[i])], i))
    rest = [i for i, r in enumerate(rows) if not r.reasons]
    return ResultsFile(p, results_identity(p), fmt, header, rows, first + rest)


def _pair(row: ReviewRow) -> tuple[str, str]:
    return (row.candidate_id, row.question_id)


def _row(
    index: int,
    line: int,
    values: dict[str, Any],
    entry: AnswerEntry,
    answers: dict[tuple[str, str], str] | None,
    why: dict[tuple[str, str], list[tuple[str, str]]],
) -> ReviewRow:
    row = ReviewRow(
        index=index,
        line=line,
        values=values,
        candidate_id=entry.candidate_id,
        question_id=entry.question_id,
        status=entry.status,
        reason=entry.reason,
        result=entry.result,
        reasons=list(why.get((entry.candidate_id, entry.question_id), [])),
    )
    if answers is None:
        row.answer_note = "the answer text is not in the results file: give the batch input with --answers"
        return row
    text = answers.get((entry.candidate_id, entry.question_id))
    sha = entry.result.answer_sha256 if entry.result is not None else ""
    if text is None:
        row.answer_note = "the answers file has no answer for this candidate and question"
    elif sha:
        row.answer = _as_graded(text, sha)
        if row.answer is None:
            row.answer_note = "the answers file holds another version of this answer than the one graded"
    else:
        row.answer = text
    return row


def _as_graded(text: str, sha: str) -> str | None:
    """The text the grade is about (its evidence positions refer to it): the answer as given, or with its
    line breaks and surrounding whitespace normalised as the grader may have done; None if neither."""
    for candidate in (text, normalise_answer(text)):
        if hashlib.sha256(candidate.encode()).hexdigest() == sha:
            return candidate
    return None
