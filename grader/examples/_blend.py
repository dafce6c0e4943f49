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
3. **Per score**, from the question's examples without levels (:mod:`grader.examples._score`):
   the neighbours' weighted mean human grade (0–1) ``v``; how much closer the nearest example is than
   usual for the question, ``d = s₁ − s̄`` (``s₁`` the top similarity, ``s̄`` the mean over the
   question's examples of each one's similarity to its nearest other example), clipped to
   ±``max_offset``; the rubric judgment's verified score fraction ``r``; the mean human grade of the
   question's examples ``m`` (the question's prior); a per-question **kernel ridge regression** of the
   examples' grades on their answer vectors, ``g`` (kernel ``exp((cos − 1)/ridge_width)``, penalty
   ``ridge_penalty``, centred on ``m``: it uses *every* example and learns which directions in the
   embedding make this question's answers better, where the vote only averages the nearest few); the
   answer's similarity to the rubric's text (reference answer, else hint) minus the examples' mean
   one, ``c``, and minus its neighbours' weighted one, ``c_n`` (the rubric's view, relative to this
   question's graded answers); how much longer the answer is than its neighbours, ``l_n`` (weighted
   mean difference of ``log(1 + words)``; computed, but its coefficient is fitted out, 0, because it made
   padding an answer pay — see :data:`DEFAULT_RULE`); and how few examples there are,
   ``f = 1/√max(n, 3)``. The score ("b4") is the linear
   model ``clip(b_v·v + b_d·d + b_r·r + b_m·m + b_g·g + b_c·c + b_cn·c_n + b_l·l_n + f·(c_v·v + c_r·r +
   c_m·m + c_g·g + c_c·c), 0, 1)``: with few examples (large ``f``) the ``c`` terms move weight from
   the examples' vote and regression to the rubric judgment and the reference similarity. There is no
   constant term: it would be the fitting data's overall mean grade, which says nothing about another
   question. The levels stay the rubric judgment's.

The score model was fitted on SAF's *training* split only, by cross-validation grouped by question,
with each answer's examples being all the other training answers of its question or a seeded draw of
20, 10, 5 or 3 of them (``scripts/fit_examples_blend.py``, which picks ``temperature`` and
``ridge_width`` on a small grid by that CV, scored with all examples and with ``grader calibrate
--examples-per-question 10``'s own draw over 10 seeds); ``k`` (30), ``ridge_penalty`` (0.3, chosen in
an earlier training-only CV exploration; choosing it per question by leave-one-out did not help) and
the per-criterion ``level_weight`` (0.9) are not refitted by it (no criterion-level example data was
available for the last).
The rule's :attr:`BlendRule.version` is part of the cache key.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from typing import Any

from grader.examples._index import ExampleSet, Neighbour
from grader.examples._score import ScoreFeatures, answer_length, score_features
from grader.verdict import LEVEL_VALUE, CriterionVerdict, Level, Verdict

__all__ = ["BlendRule", "DEFAULT_RULE", "score_inputs", "blend_levels", "blend_score", "uses"]


@dataclass(frozen=True)
class BlendRule:
    """The embedded judge's use of graded examples (see the module docstring): ``k`` neighbours, the
    softmax ``temperature`` over their similarities, the kernel ridge regression's ``ridge_width`` and
    ``ridge_penalty``, the score model's coefficients (``few_*``: the terms multiplied by
    ``f = 1/√max(n, 3)``) and the weight of the neighbours' levels against the rubric judgment's."""

    k: int = 30
    temperature: float = 0.05
    max_offset: float = 0.4
    ridge_width: float = 1.0
    ridge_penalty: float = 0.3
    vote: float = 1.0
    similarity: float = 0.0
    rubric: float = 0.0
    prior: float = 0.0
    ridge: float = 0.0
    reference: float = 0.0
    reference_near: float = 0.0
    few_vote: float = 0.0
    few_rubric: float = 0.0
    few_prior: float = 0.0
    few_ridge: float = 0.0
    few_reference: float = 0.0
    length_near: float = 0.0
    level_weight: float = 0.9

    @property
    def version(self) -> str:
        return "b4-" + "-".join(f"{getattr(self, f.name):g}" for f in fields(self))

    @staticmethod
    def few_factor(n_examples: int) -> float:
        """``f = 1/√max(n, 3)``: how few examples the question has (the rule was fitted down to 3)."""
        return 1 / math.sqrt(max(n_examples, 3))

    def base(self, x: ScoreFeatures) -> float:
        """The examples' part of the score model: everything but the rubric judgment's terms."""
        f = self.few_factor(x.n)
        return (
            self.vote * x.vote
            + self.similarity * min(self.max_offset, max(-self.max_offset, x.similarity_offset))
            + self.prior * x.prior
            + self.ridge * x.ridge
            + self.reference * x.reference
            + self.reference_near * x.reference_near
            + f * (self.few_vote * x.vote + self.few_prior * x.prior + self.few_ridge * x.ridge)
            + f * self.few_reference * x.reference
            + self.length_near * x.length_near
        )

    def rubric_weight(self, n_examples: int) -> float:
        """The rubric judgment's weight in the score model for a question with ``n_examples``."""
        return self.rubric + self.few_factor(n_examples) * self.few_rubric

    #: the coefficients ``scripts/fit_examples_blend.py`` fits, in the order of its design matrix
    COEFFICIENTS = (
        "vote",
        "similarity",
        "rubric",
        "prior",
        "ridge",
        "reference",
        "reference_near",
        "few_vote",
        "few_rubric",
        "few_prior",
        "few_ridge",
        "few_reference",
        "length_near",
    )

    def row(self, x: ScoreFeatures, rubric_fraction: float) -> list[float]:
        """The design-matrix row of :attr:`COEFFICIENTS` for one answer (the fitting script's): the score
        model is ``clip(row · coefficients, 0, 1)``."""
        f = self.few_factor(x.n)
        d = min(self.max_offset, max(-self.max_offset, x.similarity_offset))
        r = rubric_fraction
        few = [f * x.vote, f * r, f * x.prior, f * x.ridge, f * x.reference]
        return [x.vote, d, r, x.prior, x.ridge, x.reference, x.reference_near, *few, x.length_near]


#: Fitted by ``scripts/fit_examples_blend.py --saf …/saf_en.csv --drop length_near`` (``--languages en,de``;
#: 87 s) on SAF's training split (see the module docstring), with the SAF rubrics of the reference splitter
#: that cuts inline enumerations into criteria and the embedded judge of s19 (hint refit, reference profile
#: without the restatement cap; its rubric judgment alone: Pearson 0.360 on these answers); ``temperature``
#: 0.05 and ``ridge_width`` 1.0 chosen on the script's grid. Grouped 5-fold CV: Pearson 0.716, RMSE 0.195 with
#: all the other training answers as examples; with 10 per question drawn as ``grader calibrate
#: --examples-per-question 10 --seed S`` draws them (one draw per question, seeds 0–9), Pearson 0.544 ± 0.026
#: (min 0.502), RMSE 0.234. **The length term is fitted out** (``length_near`` = 0): with it (the same fit
#: without ``--drop``: 0.728 and 0.561 ± 0.023) padding an answer with three sentences of filler that answer
#: nothing paid — ``python benchmarks/padding_gain.py``, 48 training answers of 8 questions graded with the
#: other training answers as examples: +9.2 points on average, 17 of 48 gaining over 5, two short correct
#: answers +100 — against +5.1 and 8 of 48 with this rule (at most +87: the rest is the neighbours'
#: resemblance to longer answers, left as measured). A longer answer is not a better one.
DEFAULT_RULE = BlendRule(
    k=30,
    temperature=0.05,
    max_offset=0.4,
    ridge_width=1.0,
    ridge_penalty=0.3,
    vote=0.171,
    similarity=0.142,
    rubric=0.010,
    prior=-0.150,
    ridge=0.974,
    reference=0.048,
    reference_near=0.364,
    few_vote=-0.157,
    few_rubric=0.623,
    few_prior=-0.235,
    few_ridge=-0.235,
    few_reference=0.119,
    length_near=0.0,
)


def _level(value: float) -> Level:
    return Level.full if value >= 0.75 else Level.partial if value >= 0.25 else Level.missing


def score_inputs(
    examples: ExampleSet, rubric: Any, embedder: Any, answer: str, answer_vec: Any, rule: BlendRule
) -> ScoreFeatures | None:
    """The score model's inputs for one answer (its text and unit vector ``answer_vec``) to ``rubric``'s question, from
    the question's examples that have a score and no levels (:mod:`grader.examples._score`); None when
    it has none."""
    import numpy as np

    model = examples.score_model(rubric, embedder, rule.ridge_width, rule.ridge_penalty)
    if model is None:
        return None
    qm, idx, ref = model
    vec = np.asarray(answer_vec, dtype=np.float64)
    sims = examples.vectors(rubric.id, embedder)[idx].astype(np.float64) @ vec
    length = answer_length(answer)
    return score_features(qm, sims, float(ref @ vec), length, rule.k, rule.temperature, rule.ridge_width)


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
