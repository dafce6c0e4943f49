"""The pre-screening report's data model: one answer's entry from a results file, a candidate, a review
item, a near-duplicate group, per-question statistics, and the report that holds them.

Part of :mod:`grader.report.build` (which re-exports every name here): the results file is read by
:mod:`grader.report.load`, the report is built by :func:`grader.report.build.build_report` and
rendered by :mod:`grader.report.render`. Values are as read from the results file: untrusted,
escaped by the renderers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from grader.result import FLAG_CODES, GradeResult

__all__ = [
    "AnswerEntry",
    "Candidate",
    "Report",
    "QuestionStats",
    "ReviewItem",
    "DuplicateSet",
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
