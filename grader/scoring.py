"""Scoring: code, never the LLM, turns a verdict into a score.

- Each evidence quote is located in the answer (:mod:`grader.evidence`). A quote that is not in the
  answer, or that lies inside a span the injection detector flagged, does not count.
- A verified quote that does not bear on its criterion does not count either: it shares no content
  word with the criterion's text and ``covers`` (:func:`grader.text.terms`: case-folded, stopwords
  and the words criteria are phrased with dropped, simple suffix stemming; a shared 5-letter prefix
  counts too) **and** it is talk about grading itself (*grade*, *marks*, *score*, *criteria*,
  *rubric*, *10/10*, *this answer* …). Why not a lexical check alone, or
  embedding similarity: on the hand-annotated honest quotes in ``tests/injection_cases.py``, 28 of
  192 share no content word with their criterion (paraphrases such as *six shots cut on motion* for
  "proposes alternative solutions"), and MiniLM cosine similarity does not separate them from attack
  sentences (honest paraphrases go down to 0.06, attack sentences up to 0.31) — either would cost
  honest answers credit. Grading talk without any topical overlap bears on no criterion.
- A criterion keeps its claimed level only if at least one of its quotes counts; otherwise it is
  awarded ``missing`` and the result is flagged ``unverified_evidence``.
- Score = max_score × Σ(weight × value(level)) / Σ weight, with missing = 0, partial = 0.5, full = 1.
- Band: strong ≥ 75 %, adequate ≥ 45 %, weak below.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from grader.evidence import AnswerIndex
from grader.result import Band, CriterionResult, Evidence, Flag
from grader.rubric.model import Rubric
from grader.text import CRITERION_WORDS, STOPWORDS, terms
from grader.verdict import LEVEL_VALUE, Level, Verdict

if TYPE_CHECKING:  # the detector's module compiles its patterns on import: only the type here
    from grader.injection.detector import Finding

__all__ = ["score_verdict", "band_for", "bears_on", "Scored", "BANDS", "NOT_BEARING"]

NOT_BEARING = "does not bear on the criterion"

BANDS: tuple[tuple[Band, float], ...] = (("strong", 75.0), ("adequate", 45.0), ("weak", 0.0))


def band_for(percent: float) -> Band:
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


_RELEVANCE_STOPWORDS = STOPWORDS | CRITERION_WORDS
GRADING_TALK = re.compile(
    r"\b(?:(?<!color )(?<!colour )(?<!color-)(?<!colour-)grading|"
    r"(?:dear|hey|hi|to|for|note\s+to)\s+(?:the\s+|my\s+)?(?:ai\s+)?graders?|"
    r"graders?\s*[:,]|graders?\s+(?:should|must|will|please)|rubric|verdict|evaluators?|examiners?|assessors?|marks|full\s+credit|"
    r"partial\s+credit|injection_attempt|(?:this|my)\s+(?:answer|response|submission)|the\s+candidate|"
    r"(?:full|top|max|maximum|perfect|highest|high|passing)\s+(?:score|points|grade|mark)s?|score\s+(?:this|it|me|my)|"
    r"grade\s+(?:this|it|me|my)|award(?:ed)?\s+(?:me|this|it|full|max\w*|top|all)|punktzahl|punkten?|bewertung\w*|"
    r"puntuaci[oó]n|calificaci[oó]n|nota\s+m[aá]xima|pontua[cç][aã]o|punteggio|балл\w*)\b|10\s*/\s*10|"
    r"\bout\s+of\s+(?:10|ten)\b|满分|滿分|最高分|评分|満点|採点|만점|점수",
    re.I,
)


@lru_cache(maxsize=4096)
def _content_stems(text: str) -> frozenset[str]:
    return terms(text, _RELEVANCE_STOPWORDS)


def _shares_content_word(a: frozenset[str], b: frozenset[str]) -> bool:
    if a & b:
        return True
    long_b = [y for y in b if len(y) >= 5]
    return any(x.startswith(y[:5]) and (x.startswith(y) or y.startswith(x)) for x in a if len(x) >= 5 for y in long_b)


def bears_on(quote: str, criterion_text: str, covers: tuple[str, ...] | list[str] = ()) -> bool:
    """False when the quote shares no content word with the criterion and is talk about grading itself."""
    if _shares_content_word(_content_stems(quote), _content_stems(" ".join([criterion_text, *covers]))):
        return True
    return not GRADING_TALK.search(quote)


_SHORT_REASON = {
    "not found in the answer": "not in the answer",
    "inside a suspected injection": "inside an attack",
    NOT_BEARING: "off the criterion",
}


def _inside(start: int, end: int, findings: list[Finding]) -> Finding | None:
    for f in findings:
        if start < f.end and end > f.start:
            return f
    return None


def score_verdict(
    rubric: Rubric, answer: str, verdict: Verdict, findings: Sequence[Finding] = (), *, check_relevance: bool = True
) -> Scored:
    """``check_relevance=False`` switches off the "bears on the criterion" gate (tests compare with it)."""
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
        for quote in cv.evidence if cv else []:
            span = index.locate(quote)
            if span is None:
                evidence.append(Evidence(quote=quote, verified=False, reason="not found in the answer"))
                continue
            attack = _inside(span.start, span.end, list(findings))
            if attack is not None:
                evidence.append(
                    Evidence(
                        quote=quote,
                        verified=False,
                        start=span.start,
                        end=span.end,
                        reason=f"inside a suspected injection ({attack.kind})",
                    )
                )
                continue
            if check_relevance and not bears_on(quote, crit.text, crit.covers):
                evidence.append(
                    Evidence(quote=quote, verified=False, start=span.start, end=span.end, reason=NOT_BEARING)
                )
                continue
            evidence.append(Evidence(quote=quote, verified=True, start=span.start, end=span.end))
        awarded = claimed
        if claimed != Level.missing and not any(e.verified for e in evidence):
            awarded = Level.missing
            why = sorted({_SHORT_REASON.get(e.reason.split(" (")[0], e.reason) for e in evidence}) or ["no quote"]
            unverified.append(f"{crit.id} ({', '.join(why)})")
        max_points = rubric.max_score * crit.weight / total_weight
        points = max_points * LEVEL_VALUE[awarded]
        earned += points
        results.append(
            CriterionResult(
                id=crit.id,
                text=crit.text,
                weight=crit.weight,
                claimed=claimed,
                awarded=awarded,
                points=round(points, 4),
                max_points=round(max_points, 4),
                rationale=cv.rationale if cv else "",
                evidence=evidence,
            )
        )
    flags: list[Flag] = []
    if unverified:
        flags.append(
            Flag(code="unverified_evidence", detail=f"no verified quote for a credited level: {', '.join(unverified)}")
        )
    score = round(earned, 2)
    percent = round(100.0 * earned / rubric.max_score, 1)
    return Scored(results, score, percent, flags)
