"""The pre-screening report's data: a batch results file → ranked candidates, review items, statistics.

Rendering it as one self-contained HTML page (or Markdown) is :mod:`grader.report.render`.

Input: the output of ``grader batch`` — CSV with a ``result_json`` column or JSONL with a nested
``result`` — one row per answer. Rows with ``status == "error"`` have no result and are listed for a
human. If a candidate has several rows for one question, the last one counts.

What the report holds:

- **Needs a human** (first): every answer flagged ``injection_suspected``, ``judge_disagreement``,
  ``unverified_evidence``,
  ``unscored``, ``low_confidence`` or ``near_duplicate``, and every error row, with the reasons;
  and every candidate whose pass/fail depends on answers that have no score.
- **Ranking**: candidates by total score (sum over questions; a missing, unscored or failed answer
  counts 0), out of the sum of the questions' maximum scores over *all* questions in the file; a
  candidate with an answer that needs review (``injection_suspected`` or ``judge_disagreement``,
  :mod:`grader.confidence`) is marked "needs review" and placed below every unflagged candidate with
  the same total. The pass mark is a percentage of that maximum (default 60). A candidate below the
  mark whose missing, unscored or failed answers could still lift them over it is *undecided*, not
  failed (a candidate who answered 1 of 6 questions has not failed: the other 5 are not known).
- **Per-question distributions**: a small inline SVG histogram of percentages per question.
- **Near-duplicate groups**: candidates whose answers to a question are near duplicates of each other,
  directly or through a chain, as one group.
- **A card per candidate**: the full answer text (when the answers file is given), per question and
  criterion the awarded level, the verified evidence quotes (rejected quotes listed with why), strengths,
  gaps with next steps, summary and flags. Feedback the judge wrote for the candidate ("Your answer …")
  is shown to the interviewer as "The answer …".

Near-duplicates: with the original answers (``answers=``, e.g. the batch input file) answers are
compared with :func:`grader.report.duplicates.find_near_duplicates` (RapidFuzz, threshold 90 by default);
without them only byte-identical answers (same ``answer_sha256``) can be found.

Anonymising replaces every candidate id by a stable alias (``Candidate 7F3A9C``), in candidate text too:
see :mod:`grader.report.anonymise`.

Every value from a results file is untrusted: the renderers escape it (see :mod:`grader.report.render`).
"""

from __future__ import annotations

import hashlib
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from grader.errors import InputError
from grader.report.anonymise import alias_for, scrub_ids
from grader.report.anonymise import aliases as _aliases
from grader.report.duplicates import DEFAULT_THRESHOLD, find_near_duplicates, group_pairs
from grader.result import EMBEDDED_LIMITS, FLAG_CODES, GradeResult
from grader.rubric import Rubric, RubricBank
from grader.tables import from_cell, is_jsonl, open_table
from grader.text import normalise_answer

__all__ = [
    "AnswerEntry",
    "Candidate",
    "Report",
    "QuestionStats",
    "ReviewItem",
    "DuplicateSet",
    "load_results",
    "build_report",
    "alias_for",
    "REVIEW_FLAGS",
    "DEFAULT_PASS_MARK",
]

DEFAULT_PASS_MARK = 60.0
REVIEW_FLAGS = (
    "injection_suspected",
    "judge_disagreement",
    "unscored",
    "near_duplicate",
    "low_confidence",
    "unverified_evidence",
)


@dataclass
class AnswerEntry:
    candidate_id: str
    question_id: str
    row: int | None
    status: str  # graded | unscored | error
    reason: str = ""
    result: GradeResult | None = None
    duplicates: list[tuple[str, float]] = field(default_factory=list)  # (other candidate's name, similarity)
    text: str = ""  # the answer itself, when the answers file was given (and is the version graded)

    @property
    def score(self) -> float:
        return self.result.score if self.result is not None and self.result.score is not None else 0.0

    def review_reasons(self) -> list[tuple[str, str]]:
        """Why a human should look at this answer; none once a reviewer has accepted or overridden it."""
        reasons: list[tuple[str, str]] = []
        if self.result is not None and self.result.review is not None:
            return reasons
        if self.status == "error":
            reasons.append(("error", self.reason or "the row could not be graded"))
        flags = self.result.flags if self.result is not None else []
        for code in REVIEW_FLAGS:
            for f in flags:
                if f.code == code and code != "near_duplicate":
                    reasons.append((code, f.detail or FLAG_CODES.get(code, "")))
        return reasons


@dataclass
class Candidate:
    candidate_id: str
    name: str  # what the page shows: the id, or its alias
    answers: dict[str, AnswerEntry]
    total: float = 0.0
    max_total: float = 0.0
    percent: float = 0.0
    rank: int = 0
    verdict: str = "fail"  # pass | fail | undecided
    missing: list[str] = field(default_factory=list)
    needs_review: bool = False  # an answer is flagged injection_suspected / judge_disagreement


@dataclass
class ReviewItem:
    candidate: str  # display name
    question_id: str
    reasons: list[tuple[str, str]]  # (code, detail), detail may name another candidate (display name)


@dataclass
class DuplicateSet:
    """Candidates whose answers to one question are near duplicates of each other (a connected group)."""

    question_id: str
    names: list[str]  # display names
    low: float
    high: float


@dataclass
class QuestionStats:
    question_id: str
    question: str
    max_score: float
    n: int
    unscored: int
    mean: float | None
    median: float | None
    low: float | None
    high: float | None
    bins: list[int]  # 10 bins of percent: [0,10), [10,20) … [90,100]


@dataclass
class Report:
    title: str
    source: str
    generated_at: str
    pass_mark: float
    anonymised: bool
    candidates: list[Candidate]
    questions: list[QuestionStats]
    needs_human: list[ReviewItem]
    duplicate_method: str
    duplicate_pairs: int
    rows: int
    errors: int
    question_texts: dict[str, str]
    criterion_texts: dict[tuple[str, str], str]
    limits_note: str = ""  # said when answers were graded by the embedded grader
    duplicate_groups: list[DuplicateSet] = field(default_factory=list)

    @property
    def has_answer_texts(self) -> bool:
        return any(e.text for c in self.candidates for e in c.answers.values())


# -- reading ----------------------------------------------------------------------------------------


def load_results(path: str | Path) -> list[AnswerEntry]:
    """Read a batch results file (CSV with ``result_json`` or JSONL with ``result``; read by
    :func:`grader.tables.open_table`). Every row must be readable: a problem names its line."""
    p = Path(path)
    if not p.is_file():
        raise InputError("file not found", source=str(p))
    if not is_jsonl(p) and p.stat().st_size == 0:
        raise _not_results(str(p))
    entries: list[AnswerEntry] = []
    with open_table(p) as table:
        if table.format == "csv" and ("candidate_id" not in table.header or "status" not in table.header):
            raise _not_results(table.source)
        for row in table.rows():
            if row.error:
                raise InputError(row.error, source=table.source, line=row.line)
            if row.undecodable:
                raise InputError("not UTF-8 text", source=table.source, line=row.line, hint="save the file as UTF-8")
            values = row.values if table.format != "csv" else _from_cells(row.values)
            entries.append(_entry(values, table.source, row.line))
    return entries


def _from_cells(values: dict[str, Any]) -> dict[str, Any]:
    """A results CSV row's values as the grader had them before it neutralised formulas."""
    return {k: from_cell(v) if isinstance(v, str) else v for k, v in values.items()}


def _not_results(source: str) -> InputError:
    return InputError(
        "not a grader results file (needs candidate_id, question_id, status, result_json)",
        source=source,
        line=1,
        hint="give the output of `grader batch`",
    )


def _entry(rec: dict[str, Any], source: str, line: int) -> AnswerEntry:
    raw = rec.get("result") if "result" in rec else rec.get("result_json")
    result = None
    if raw:
        try:
            result = GradeResult.model_validate_json(raw) if isinstance(raw, str) else GradeResult.model_validate(raw)
        except ValidationError as e:
            raise InputError(f"the result does not parse: {e.errors()[0]['msg']}", source=source, line=line) from None
    status = str(rec.get("status") or (result.status if result else "error"))
    try:
        row = int(rec["row"]) if rec.get("row") not in (None, "") else None
    except (TypeError, ValueError):
        row = None
    return AnswerEntry(
        candidate_id=str(rec.get("candidate_id") or ""),
        question_id=str(rec.get("question_id") or (result.question_id if result else "")),
        row=row,
        status=status,
        reason=str(rec.get("reason") or ""),
        result=result,
    )


# -- building -----------------------------------------------------------------------------------------


def build_report(
    entries: list[AnswerEntry],
    *,
    pass_mark: float = DEFAULT_PASS_MARK,
    anonymise: bool = False,
    bank: RubricBank | None = None,
    answers: dict[tuple[str, str], str] | None = None,
    dup_threshold: float = DEFAULT_THRESHOLD,
    title: str = "Pre-screening report",
    source: str = "",
) -> Report:
    """Aggregate, rank and flag. ``answers`` maps (candidate_id, question_id) to the answer text."""
    latest: dict[tuple[str, str], AnswerEntry] = {}
    for e in entries:
        latest[(e.candidate_id, e.question_id)] = e  # the last row for an answer counts
    ids = sorted({cid for cid, _ in latest})
    names = _aliases(ids) if anonymise else {i: i for i in ids}

    # maximum score per question (from any result, else the bank, else 10)
    max_by_q: dict[str, float] = {}
    for e in latest.values():
        if e.result is not None:
            max_by_q.setdefault(e.question_id, e.result.max_score)
    question_ids = sorted({q for _, q in latest})
    question_texts: dict[str, str] = {}
    for q in question_ids:
        rubric = _rubric(bank, q)
        if rubric is not None:
            question_texts[q] = rubric.question
            max_by_q.setdefault(q, rubric.max_score)
        max_by_q.setdefault(q, 10.0)

    method, pairs = _duplicates(latest, answers, dup_threshold)
    for key, e in latest.items():
        text = (answers or {}).get(key)
        if text is not None and _same_answer(e, text):
            e.text = text
    groups = [
        DuplicateSet(g.members[0][1], [names[c] for c, _ in g.members], g.low, g.high)
        for g in group_pairs((a, b, sim) for a, b, sim in pairs)
    ]
    for a, b, sim in pairs:  # shown by name (the alias when anonymising)
        latest[a].duplicates.append((names[b[0]], sim))
        latest[b].duplicates.append((names[a[0]], sim))

    max_total = sum(max_by_q.values())
    candidates: list[Candidate] = []
    by_candidate: dict[str, dict[str, AnswerEntry]] = {}  # one pass, not one scan of every answer per candidate
    for (owner, qid), entry in latest.items():
        by_candidate.setdefault(owner, {})[qid] = entry
    for cid in ids:
        mine = by_candidate.get(cid, {})
        total = round(sum(e.score for e in mine.values()), 2)
        percent = round(100.0 * total / max_total, 1) if max_total else 0.0
        # unscored, failed and missing answers could still change the result (the report's footnote)
        open_points = sum(max_by_q[q] for q in question_ids if q not in mine or mine[q].status != "graded")
        if percent >= pass_mark:
            verdict = "pass"
        elif open_points and 100.0 * (total + open_points) / max_total >= pass_mark:
            verdict = "undecided"
        else:
            verdict = "fail"
        candidates.append(
            Candidate(
                cid, names[cid], mine, total, max_total, percent, 0, verdict, [q for q in question_ids if q not in mine]
            )
        )
    for c in candidates:
        c.needs_review = any(e.result is not None and e.result.needs_review for e in c.answers.values())
    # a candidate whose answers need review never ranks above an unflagged one with the same total
    candidates.sort(key=lambda c: (-c.total, c.needs_review, c.name))
    for i, c in enumerate(candidates):
        prev = candidates[i - 1] if i else None
        same = prev is not None and c.total == prev.total and c.needs_review == prev.needs_review
        c.rank = prev.rank if same and prev is not None else i + 1

    needs_human: list[ReviewItem] = []
    severity = {
        "injection_suspected": 0,
        "judge_disagreement": 0,
        "error": 1,
        "unscored": 1,
        "near_duplicate": 2,
        "low_confidence": 3,
        "unverified_evidence": 4,
    }
    for c in candidates:
        for q in question_ids:
            answer = c.answers.get(q)
            if answer is None:
                continue
            reasons = answer.review_reasons()
            for other, sim in sorted(answer.duplicates, key=lambda d: -d[1]):
                reasons.append(("near_duplicate", f"{sim:g} % similar to the answer of {other}"))
            if reasons:
                reasons.sort(key=lambda r: severity.get(r[0], 9))
                needs_human.append(ReviewItem(c.name, q, reasons))
        if c.verdict == "undecided":
            answered = sum(1 for e in c.answers.values() if e.status == "graded")
            why = (
                f"answered {answered} of {len(question_ids)} questions with a score; below the pass mark with "
                f"{c.percent:g} %, but the missing or unscored answers could lift them over it"
            )
            needs_human.append(ReviewItem(c.name, "", [("undecided", why)]))
    needs_human.sort(key=lambda r: min(severity.get(code, 9) for code, _ in r.reasons))

    stats = [
        _question_stats(q, question_texts.get(q, ""), max_by_q[q], [e for (_, qq), e in latest.items() if qq == q])
        for q in question_ids
    ]
    criterion_texts = {}
    for q in question_ids:
        rubric = _rubric(bank, q)
        if rubric is not None:
            for crit in rubric.criteria:
                criterion_texts[(q, crit.id)] = crit.text
    report = Report(
        title=title,
        source=source,
        generated_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        pass_mark=pass_mark,
        anonymised=anonymise,
        candidates=candidates,
        questions=stats,
        needs_human=needs_human,
        duplicate_method=method,
        duplicate_pairs=len(pairs),
        duplicate_groups=groups,
        rows=len(entries),
        errors=sum(1 for e in latest.values() if e.status == "error"),
        question_texts=question_texts,
        criterion_texts=criterion_texts,
        limits_note=EMBEDDED_LIMITS
        if any(e.result is not None and e.result.backend == "local" for e in latest.values())
        else "",
    )
    if anonymise:
        scrub_ids(report, names)
    return report


def _rubric(bank: RubricBank | None, question_id: str) -> Rubric | None:
    if bank is None:
        return None
    try:
        return bank.get(question_id)
    except Exception:
        return None


def _duplicates(
    latest: dict[tuple[str, str], AnswerEntry], answers: dict[tuple[str, str], str] | None, threshold: float
) -> tuple[str, list[tuple[tuple[str, str], tuple[str, str], float]]]:
    """How duplicates were found, and the pairs of (candidate id, question id) keys with their similarity."""
    if answers is not None:
        items = []
        for key, e in latest.items():
            text = answers.get(key)
            if text is None:
                continue
            if not _same_answer(e, text):
                continue  # the answers file holds another version of this answer
            items.append((key, e.question_id, e.candidate_id, text))
        pairs = find_near_duplicates(items, threshold=threshold)
        return (
            f"fuzzy: RapidFuzz token-sort similarity ≥ {threshold:g} % on normalised text",
            [(p.a, p.b, p.similarity) for p in pairs],
        )
    by_hash: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for key, e in latest.items():
        if e.result is not None and e.result.answer_sha256 and e.result.answer_words >= 8:
            by_hash[(e.question_id, e.result.answer_sha256)].append(key)
    identical: list[tuple[tuple[str, str], tuple[str, str], float]] = []
    for keys in by_hash.values():
        for i, a in enumerate(keys):
            for b in keys[i + 1 :]:
                if a[0] != b[0]:
                    identical.append((a, b, 100.0))
    return "exact only (identical answers); give the answers file (--answers) for fuzzy matching", identical


def _same_answer(e: AnswerEntry, text: str) -> bool:
    """Whether ``text`` is the answer that was graded (when the result says which: its SHA-256)."""
    if e.result is None or not e.result.answer_sha256:
        return True
    digests = {hashlib.sha256(v.encode()).hexdigest() for v in (text, normalise_answer(text))}
    return e.result.answer_sha256 in digests


def _question_stats(question_id: str, text: str, max_score: float, entries: list[AnswerEntry]) -> QuestionStats:
    percents = [
        100.0 * e.score / max_score
        for e in entries
        if e.status == "graded" and e.result is not None and e.result.score is not None and max_score
    ]
    bins = [0] * 10
    for p in percents:
        bins[min(9, int(p // 10))] += 1
    return QuestionStats(
        question_id,
        text,
        max_score,
        len(entries),
        len(entries) - len(percents),
        round(statistics.fmean(percents), 1) if percents else None,
        round(statistics.median(percents), 1) if percents else None,
        round(min(percents), 1) if percents else None,
        round(max(percents), 1) if percents else None,
        bins,
    )
