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
   nearest other example: answers like many graded ones are typical, odd ones are not); and the
   rubric judgment's verified score fraction ``r``. The score is the linear model
   ``clip(−0.155 + 1.051·v + 0.591·d + 0.098·r, 0, 1)``; the levels stay the rubric judgment's.

The score model and ``k``, ``temperature`` were fitted by cross-validation on SAF's *training*
split only (``scripts/fit_examples_blend.py``); the per-criterion ``level_weight`` (0.9) is not fitted
(no criterion-level example data was available). The rule's :attr:`BlendRule.version` is part of the cache key.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from grader.examples._index import Neighbour
from grader.verdict import LEVEL_VALUE, CriterionVerdict, Level, Verdict

__all__ = ["BlendRule", "DEFAULT_RULE", "score_vote", "blend_levels", "blend_score", "uses"]


@dataclass(frozen=True)
class BlendRule:
    """The embedded judge's use of graded examples (see the module docstring): ``k`` neighbours, the
    softmax ``temperature`` over their similarities, the score model's coefficients and the weight of
    the neighbours' levels against the rubric judgment's."""

    k: int = 30
    temperature: float = 0.05
    intercept: float = -0.155
    vote: float = 1.051
    similarity: float = 0.591
    rubric: float = 0.098
    level_weight: float = 0.9

    @property
    def version(self) -> str:
        return (
            "b1-"
            + "-".join(
                f"{v:g}" for v in (self.k, self.temperature, self.intercept, self.vote, self.similarity, self.rubric)
            )
            + f"-{self.level_weight:g}"
        )

    def base(self, vote: float, similarity_offset: float) -> float:
        """The examples' part of the score model: everything but the rubric judgment's term."""
        return self.intercept + self.vote * vote + self.similarity * similarity_offset


#: Fitted by ``scripts/fit_examples_blend.py`` on SAF's training split (5-fold CV: Pearson 0.649,
#: RMSE 0.211, label accuracy 0.709, macro-F1 0.589; the vote alone: 0.615 / 0.223 / 0.685 / 0.506).
DEFAULT_RULE = BlendRule()


def _level(value: float) -> Level:
    return Level.full if value >= 0.75 else Level.partial if value >= 0.25 else Level.missing


def score_vote(neighbours: Sequence[Neighbour]) -> float | None:
    """The weighted mean human grade (0–1) of the neighbours that have no levels; None if none."""
    pairs = [(n.weight, f) for n in neighbours if not n.example.levels and (f := n.example.fraction) is not None]
    total = sum(w for w, _ in pairs)
    return sum(w * f for w, f in pairs) / total if total > 0 else None


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
