"""How the embedded judge combines its rubric judgment with the graded examples nearest the answer.

The rule (:class:`BlendRule`, one fitted default :data:`DEFAULT_RULE`):

1. **Neighbours.** The ``k`` (30) examples of the question whose answers are most similar to the new one
   (cosine of MiniLM answer vectors), weighted by ``softmax(similarity / temperature)``
   (:func:`grader.examples._index.nearest`).
2. **Per criterion**, where neighbours give that criterion a level: the rubric judgment's expected
   level value ``e = (P(at least partial) + P(full)) / 2`` and the neighbours' weighted mean level value
   ``v`` (missing 0, partial 0.5, full 1) are blended, ``(1 − level_weight)·e + level_weight·v``, and the result
   is a level again (≥ 0.75 full, ≥ 0.25 partial, else missing). A criterion credited this way
   still needs a passage of the answer as evidence, checked like any other.
3. **Per score**, from the neighbours without levels: their weighted mean human grade (0–1) ``v``;
   how much closer the nearest example is than usual for the question, ``d = s₁ − s̄`` (``s₁`` the
   top similarity, ``s̄`` the mean over the question's examples of each one's similarity to its
   nearest other example: answers like many graded ones are typical, odd ones are not); the rubric
   judgment's verified score fraction ``r``; the mean human grade of the question's examples ``m``
   (the question's prior); and how few examples there are, ``f = 1/√max(n, 3)`` for ``n`` examples of
   the question. The score is the linear model
   ``clip(b_v·v + b_d·d + b_r·r + b_m·m + f·(c_v·v + c_r·r + c_m·m), 0, 1)`` with ``d`` clipped to
   ±``max_offset`` (0.4, the range it was fitted on): with few examples (large ``f``) the fitted ``c``
   terms move weight from the noisy vote to the question's prior and the rubric judgment. There is no
   constant term: it would be the fitting data's overall mean grade, which says nothing about another
   question. The levels stay the rubric judgment's.

The score model and ``temperature`` were fitted on SAF's *training* split only, by cross-validation
grouped by question, with each answer's examples being all the other training answers of its question
or a seeded draw of 20, 10, 5 or 3 of them (``scripts/fit_examples_blend.py``); ``k`` (30) and the
per-criterion ``level_weight`` (0.9) are not fitted (no criterion-level example data was available).
The rule's :attr:`BlendRule.version` is part of the cache key.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from typing import Any

from grader.examples._index import Neighbour
from grader.examples._model import GradedExample
from grader.verdict import LEVEL_VALUE, CriterionVerdict, Level, Verdict

__all__ = ["BlendRule", "DEFAULT_RULE", "score_vote", "prior", "blend_levels", "blend_score", "uses"]


@dataclass(frozen=True)
class BlendRule:
    """The embedded judge's use of graded examples (see the module docstring): ``k`` neighbours, the
    softmax ``temperature`` over their similarities, the score model's coefficients (``few_*``: the
    terms multiplied by ``f = 1/√max(n, 3)``) and the weight of the neighbours' levels against the
    rubric judgment's."""

    k: int = 30
    temperature: float = 0.05
    max_offset: float = 0.4
    intercept: float = 0.0
    vote: float = 1.0
    similarity: float = 0.0
    rubric: float = 0.0
    prior: float = 0.0
    few: float = 0.0
    few_vote: float = 0.0
    few_rubric: float = 0.0
    few_prior: float = 0.0
    level_weight: float = 0.9

    @property
    def version(self) -> str:
        return "b2-" + "-".join(f"{getattr(self, f.name):g}" for f in fields(self))

    @staticmethod
    def few_factor(n_examples: int) -> float:
        """``f = 1/√max(n, 3)``: how few examples the question has (the rule was fitted down to 3)."""
        return 1 / math.sqrt(max(n_examples, 3))

    def base(self, vote: float, similarity_offset: float, prior: float, n_examples: int) -> float:
        """The examples' part of the score model: everything but the rubric judgment's terms."""
        f = self.few_factor(n_examples)
        return (
            self.intercept
            + self.vote * vote
            + self.similarity * min(self.max_offset, max(-self.max_offset, similarity_offset))
            + self.prior * prior
            + f * (self.few + self.few_vote * vote + self.few_prior * prior)
        )

    def rubric_weight(self, n_examples: int) -> float:
        """The rubric judgment's weight in the score model for a question with ``n_examples``."""
        return self.rubric + self.few_factor(n_examples) * self.few_rubric


#: Fitted by ``scripts/fit_examples_blend.py`` on SAF's training split (see the module docstring; grouped
#: 5-fold CV: Pearson 0.648, RMSE 0.214 with all the other training answers as examples; 0.512 / 0.239
#: with 10 per question).
DEFAULT_RULE = BlendRule(
    k=30,
    temperature=0.05,
    max_offset=0.4,
    vote=1.030,
    similarity=0.457,
    rubric=0.046,
    prior=-0.105,
    few_vote=-1.388,
    few_rubric=0.540,
    few_prior=0.904,
)


def _level(value: float) -> Level:
    return Level.full if value >= 0.75 else Level.partial if value >= 0.25 else Level.missing


def score_vote(neighbours: Sequence[Neighbour]) -> float | None:
    """The weighted mean human grade (0–1) of the neighbours that have no levels; None if none."""
    pairs = [(n.weight, f) for n in neighbours if not n.example.levels and (f := n.example.fraction) is not None]
    total = sum(w for w, _ in pairs)
    return sum(w * f for w, f in pairs) / total if total > 0 else None


def prior(examples: Sequence[GradedExample]) -> float | None:
    """The mean human grade (0–1) of a question's examples that have no levels; None if none."""
    grades = [f for e in examples if not e.levels and (f := e.fraction) is not None]
    return sum(grades) / len(grades) if grades else None


def blend_levels(
    verdict: Verdict,
    details: dict[str, dict[str, float]],
    neighbours: Sequence[Neighbour],
    weight: float,
    quote_for: Callable[[str], str],
) -> tuple[Verdict, bool]:
    """The verdict with each criterion that neighbours gave a level re-levelled by the blend (see the
    module docstring); ``quote_for(criterion id)`` gives the evidence for a newly credited one ("" if
    the answer has no passage for it: it stays missing). Whether any neighbour had levels."""
    any_levels = False
    criteria: list[CriterionVerdict] = []
    for c in verdict.criteria:
        pairs = [(n.weight, lv) for n in neighbours if (lv := (n.example.levels or {}).get(c.criterion_id))]
        total = sum(w for w, _ in pairs)
        if total <= 0:
            criteria.append(c)
            continue
        any_levels = True
        vote = sum(w * LEVEL_VALUE[Level(lv)] for w, lv in pairs) / total
        d = details.get(c.criterion_id, {})
        expected = (d.get("p_partial", LEVEL_VALUE[c.level]) + d.get("p_full", LEVEL_VALUE[c.level])) / 2
        level = _level((1 - weight) * expected + weight * vote)
        evidence = list(c.evidence)
        if level != Level.missing and not evidence:
            quote = quote_for(c.criterion_id)
            evidence = [quote] if quote else []
            if not quote:
                level = Level.missing
        if level == Level.missing:
            evidence = []
        if level == c.level:
            criteria.append(c)
            continue
        rationale = f"{c.rationale} Graded examples close to this answer put it at {level.value}.".strip()
        criteria.append(c.model_copy(update={"level": level, "evidence": evidence, "rationale": rationale}))
    return verdict.model_copy(update={"criteria": criteria}), any_levels


def blend_score(rubric_fraction: float, base: float, rubric_weight: float) -> float:
    """The score fraction of the score model, ``base + rubric_weight · rubric_fraction``, in [0, 1]."""
    return min(1.0, max(0.0, base + rubric_weight * rubric_fraction))


def uses(neighbours: Sequence[Neighbour]) -> list[dict[str, Any]]:
    """The neighbours as the result's ``examples_used`` entries."""
    return [
        {
            "id": n.example.id,
            "similarity": n.similarity,
            "weight": round(n.weight, 4),
            "score": None if n.example.fraction is None else round(n.example.fraction, 4),
        }
        for n in neighbours
    ]
