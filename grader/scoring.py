"""Scoring: code, never the LLM, turns a verdict into a score.

- Each evidence quote is located in the answer (:mod:`grader.evidence`). A quote that is not in the
  answer, or that lies inside a span the injection detector flagged, does not count.
- A criterion keeps its claimed level only if at least one of its quotes counts; otherwise it is
  awarded ``missing`` and the result is flagged ``unverified_evidence``.
- Score = max_score × Σ(weight × value(level)) / Σ weight, with missing = 0, partial = 0.5, full = 1.
- Band: strong ≥ 75 %, adequate ≥ 45 %, weak below.
"""

from __future__ import annotations

from .evidence import AnswerIndex
from .injection import Finding
from .result import CriterionResult, Evidence, Flag
from .rubric import Rubric
from .verdict import LEVEL_VALUE, Level, Verdict

__all__ = ["score_verdict", "band_for", "Scored", "BANDS"]

BANDS = (("strong", 75.0), ("adequate", 45.0), ("weak", 0.0))


def band_for(percent: float) -> str:
    for name, floor in BANDS:
        if percent >= floor:
            return name
    return "weak"


class Scored:
    def __init__(self, criteria: list[CriterionResult], score: float, percent: float, flags: list[Flag]) -> None:
        self.criteria = criteria
        self.score = score
        self.percent = percent
        self.band = band_for(percent)
        self.flags = flags


def _inside(start: int, end: int, findings: list[Finding]) -> Finding | None:
    for f in findings:
        if start < f.end and end > f.start:
            return f
    return None


def score_verdict(rubric: Rubric, answer: str, verdict: Verdict, findings: list[Finding] = ()) -> Scored:
    index = AnswerIndex(answer)
    total_weight = rubric.total_weight
    results: list[CriterionResult] = []
    unverified: list[str] = []
    earned = 0.0
    by_id = {c.criterion_id: c for c in verdict.criteria}
    for crit in rubric.criteria:
        cv = by_id.get(crit.id)
        claimed = cv.level if cv else Level.missing
        evidence: list[Evidence] = []
        for quote in (cv.evidence if cv else []):
            span = index.locate(quote)
            if span is None:
                evidence.append(Evidence(quote=quote, verified=False, reason="not found in the answer"))
                continue
            attack = _inside(span.start, span.end, list(findings))
            if attack is not None:
                evidence.append(
                    Evidence(quote=quote, verified=False, start=span.start, end=span.end,
                             reason=f"inside a suspected injection ({attack.kind})")
                )
                continue
            evidence.append(Evidence(quote=quote, verified=True, start=span.start, end=span.end))
        awarded = claimed
        if claimed != Level.missing and not any(e.verified for e in evidence):
            awarded = Level.missing
            unverified.append(crit.id)
        max_points = rubric.max_score * crit.weight / total_weight
        points = max_points * LEVEL_VALUE[awarded]
        earned += points
        results.append(
            CriterionResult(
                id=crit.id, text=crit.text, weight=crit.weight, claimed=claimed, awarded=awarded,
                points=round(points, 4), max_points=round(max_points, 4),
                rationale=cv.rationale if cv else "", evidence=evidence,
            )
        )
    flags: list[Flag] = []
    if unverified:
        flags.append(Flag(code="unverified_evidence",
                          detail=f"no verified quote for a credited level: {', '.join(unverified)}"))
    score = round(earned, 2)
    percent = round(100.0 * earned / rubric.max_score, 1)
    return Scored(results, score, percent, flags)
