"""GradeResult: everything needed to audit a grade later."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from grader.verdict import Gap, Level, Verdict

__all__ = [
    "Evidence",
    "CriterionResult",
    "ExampleUse",
    "Flag",
    "GradeResult",
    "FLAG_CODES",
    "Band",
    "EMBEDDED_LIMITS",
    "SecondOpinion",
    "Review",
    "ReviewDecision",
]

Band = Literal["strong", "adequate", "weak"]

#: What the embedded (offline) grader can and cannot judge, said wherever its grades are shown.
EMBEDDED_LIMITS = (
    "The embedded grader checks whether each point is covered, not whether what the answer says is correct; "
    "for that, grade with an LLM (set OPENAI_API_KEY, or --backend llm --base-url URL)."
)

FLAG_CODES = {
    "empty": "the answer is empty",
    "too_short": "the answer is too short to grade",
    "injection_suspected": "the answer appears to instruct the grader",
    "unverified_evidence": "the judge cited text that is not in the answer",
    "unscored": "no valid verdict could be obtained",
    "low_confidence": "repeated gradings disagree",
    "near_duplicate": "nearly identical to another candidate's answer",
    "judge_disagreement": "the LLM judge and the embedded second opinion disagree",
    "off_topic": "the answer does not address the question",
}


#: Flags that put an answer in front of a human: its band is shown as "needs review" instead, and it never
#: ranks above an answer without them at the same score (:mod:`grader.confidence`, the report's ranking).
REVIEW_FLAG_CODES = ("injection_suspected", "judge_disagreement")
NEEDS_REVIEW = "needs review"


class Evidence(BaseModel):
    quote: str
    verified: bool
    start: int | None = None
    end: int | None = None
    reason: str = ""  # why it did not count, when it did not


class CriterionResult(BaseModel):
    id: str
    text: str
    weight: float
    claimed: Level
    awarded: Level
    points: float
    max_points: float
    rationale: str = ""
    evidence: list[Evidence] = Field(default_factory=list)
    details: dict[str, float] = Field(default_factory=dict)  # the judge's numbers behind the level, if any


class SecondOpinion(BaseModel):
    """The embedded judge's second opinion on an LLM grade (:mod:`grader.second_opinion`)."""

    llm_score: float  # the LLM's score after the evidence checks, before any hold
    embedded_score: float  # the embedded judge's score on the same quotes
    margin: float  # points the LLM may be above it without a flag
    unsupported: list[str] = Field(default_factory=list)  # criteria the LLM credits that it finds unsupported
    held: list[str] = Field(default_factory=list)  # criteria held at the embedded level until a human confirms
    model_decided: int = 0  # criteria its fitted model judged (the others agreed on key terms alone)


class ExampleUse(BaseModel):
    """A graded example that influenced a grade: its store id (None for a bank's or a file's example),
    how similar its answer is to the graded one (cosine), its weight in the vote and its human grade
    (0–1)."""

    id: int | None = None
    similarity: float
    weight: float
    score: float | None = None


class Flag(BaseModel):
    code: str
    detail: str = ""


class ReviewDecision(BaseModel):
    """One human decision on a graded answer (``grader review``): accept it, or change a criterion's
    level or the score, with the reason."""

    kind: Literal["accept", "level", "score"]
    criterion_id: str = ""
    old: str = ""
    new: str = ""
    reason: str = ""
    reviewer: str = ""
    at: str = ""


class Review(BaseModel):
    """The review trail of a re-exported result: ``overridden`` when a human changed a level or the
    score (the score, percent and band were then recomputed), ``accepted`` when one accepted it as is."""

    status: Literal["accepted", "overridden"]
    original_score: float | None = None
    decisions: list[ReviewDecision] = Field(default_factory=list)


class GradeResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question_id: str
    rubric_hash: str
    prompt_version: str
    backend: Literal["llm", "local", "fake", "none"]  # Judge.name ("fake": the test double)
    model: str
    status: Literal["graded", "unscored"]
    score: float | None
    max_score: float
    percent: float | None
    band: Band | None
    criteria: list[CriterionResult] = Field(default_factory=list)
    strengths: list[str] = Field(default_factory=list)
    gaps: list[Gap] = Field(default_factory=list)
    summary: str = ""
    flags: list[Flag] = Field(default_factory=list)
    verdict: Verdict | None = None
    usage: dict[str, int] = Field(default_factory=dict)
    cost_usd: float | None = 0.0
    latency_s: float = 0.0
    attempts: int = 0
    unscored_reason: str = ""
    last_output: str = ""
    answer_sha256: str = ""
    answer_words: int = 0
    cached: bool = False
    settings_key: str = ""
    samples: list[float] = Field(default_factory=list)  # scores of repeated gradings (--samples N), in order
    score_spread: float | None = None  # max - min of ``samples``; 0 for a deterministic backend
    second_opinion: SecondOpinion | None = None  # the embedded judge's check of an LLM grade, when it ran
    examples_hash: str = ""  # the graded examples of this question the judge used ("" = none)
    examples_used: list[ExampleUse] = Field(default_factory=list)  # the nearest examples and their weights
    created_at: str = Field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    review: Review | None = None  # set by `grader review --export`: the human decisions merged into this result

    @property
    def flag_codes(self) -> list[str]:
        return [f.code for f in self.flags]

    def has_flag(self, code: str) -> bool:
        return any(f.code == code for f in self.flags)

    @property
    def needs_review(self) -> bool:
        """Flagged as an attempt to instruct the grader, or the LLM and the second opinion disagree, and
        no human has reviewed it yet (``grader review`` accepted or overrode it: it is decided)."""
        return self.review is None and any(f.code in REVIEW_FLAG_CODES for f in self.flags)

    @property
    def band_label(self) -> str:
        """What to show in place of the band: ``"needs review"`` for a flagged answer, else the band."""
        return NEEDS_REVIEW if self.needs_review else (self.band or "")
