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

The data model is :mod:`grader.report.model` and reading a results file is :mod:`grader.report.load`;
this module builds the report and re-exports both, so ``grader.report.build`` stays the one import path.
"""

from __future__ import annotations

import hashlib
import statistics
from collections import defaultdict
from datetime import UTC, datetime

from grader.report.anonymise import alias_for, scrub_ids
from grader.report.anonymise import aliases as _aliases
from grader.report.duplicates import DEFAULT_THRESHOLD, find_near_duplicates, group_pairs
from grader.report.load import load_results
from grader.report.model import (
    DEFAULT_PASS_MARK,
    REVIEW_FLAGS,
    AnswerEntry,
    Candidate,
    DuplicateSet,
    QuestionStats,
    Report,
    ReviewItem,
)
from grader.result import EMBEDDED_LIMITS
from grader.rubric import Rubric, RubricBank
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
