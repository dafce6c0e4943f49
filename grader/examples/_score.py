"""The score model's inputs from one question's graded examples (:class:`grader.examples._blend.BlendRule`).

Two steps, so that the embedded judge computes the per-question part once and each answer costs a few
dot products, and so that ``scripts/fit_examples_blend.py`` computes *exactly* the features the judge
uses (it calls the same two functions on its leave-one-out example pools):

- :func:`question_model` — from the examples alone: their human grades (0–1) and mean (the question's
  prior ``m``), how close a typical example is to its nearest other one, the dual coefficients of a
  **kernel ridge regression** of the grades on the answer vectors (kernel ``exp((cos − 1)/width)``,
  penalty ``penalty``; fitted on the grades minus ``m``, so with far or few examples it falls back to
  the prior), and each example's similarity to the rubric's own text (the reference answer, else the
  hint), and its length (``log(1 + words)``).
- :func:`score_features` — for one answer, from its similarities to the examples and to the rubric's
  text: the softmax vote ``v`` of the ``k`` nearest, the offset ``d`` of the top similarity from the
  typical one, ``m``, the ridge prediction ``g``, how much closer the answer is to the rubric's text
  than the question's examples are on average (``c``) and than its nearest neighbours are (``c_near``),
  and how much longer it is than its nearest neighbours (``l_near``, in ``log(1 + words)``).

Why these: the vote only looks at the few nearest answers; the ridge regression uses every example and
learns which *directions* in the embedding make answers to this question better or worse; the
reference terms are the rubric's view measured *relative to the question's graded answers*, which
stays informative when there are only a handful of examples (an absolute similarity to a reference
answer means different things for different questions). The length term is the same idea for the
oldest signal in short-answer grading: among answers that say nearly the same thing (the neighbours),
the longer one usually says more of it; measured against the neighbours, not absolutely, it does not
reward padding an answer unlike the graded ones.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from grader.text import word_count

if TYPE_CHECKING:
    import numpy as np

__all__ = ["QuestionModel", "ScoreFeatures", "question_model", "score_features", "rubric_text", "answer_length"]


def rubric_text(rubric: Any) -> str:
    """The text answers are compared with: the rubric's reference answer, else its hint, else the question."""
    return str(rubric.reference_answer or rubric.hint or rubric.question)


def answer_length(answer: str) -> float:
    """An answer's length as the score model uses it: ``log(1 + words)`` (:func:`grader.text.word_count`)."""
    return math.log1p(word_count(answer))


@dataclass(frozen=True)
class QuestionModel:
    """What the score model needs from one question's scored examples, computed once (see the module)."""

    grades: np.ndarray  # (n,) human grades 0..1
    prior: float  # their mean
    typical: float | None  # mean similarity of an example to its nearest other one (None: fewer than 2)
    alpha: np.ndarray  # (n,) kernel ridge dual coefficients on grades − prior
    reference: np.ndarray  # (n,) each example's cosine to the rubric's text
    lengths: np.ndarray  # (n,) each example's answer_length

    @property
    def n(self) -> int:
        return len(self.grades)


@dataclass(frozen=True)
class ScoreFeatures:
    """One answer's inputs to the score model (names as in :class:`grader.examples._blend.BlendRule`)."""

    vote: float
    similarity_offset: float
    prior: float
    ridge: float
    reference: float
    reference_near: float
    length_near: float
    n: int


def question_model(
    example_sims: np.ndarray,
    grades: np.ndarray,
    reference: np.ndarray,
    lengths: np.ndarray,
    width: float,
    penalty: float,
) -> QuestionModel:
    """The per-question part from the (n, n) cosine similarities between the examples' answers, their
    grades, their cosines to the rubric's text and their lengths (:func:`answer_length`)."""
    import numpy as np

    grades = np.asarray(grades, dtype=np.float64)
    sims = np.asarray(example_sims, dtype=np.float64)
    m = float(grades.mean())
    typical = None
    if len(grades) > 1:
        inner = sims.copy()
        np.fill_diagonal(inner, -np.inf)
        typical = float(inner.max(axis=1).mean())
    kernel = np.exp((sims - 1.0) / width)
    alpha = np.linalg.solve(kernel + penalty * np.eye(len(grades)), grades - m)
    ref = np.asarray(reference, dtype=np.float64)
    return QuestionModel(grades, m, typical, alpha, ref, np.asarray(lengths, dtype=np.float64))


def score_features(
    qm: QuestionModel, sims: np.ndarray, reference: float, length: float, k: int, temperature: float, width: float
) -> ScoreFeatures:
    """One answer's features from its cosines to the question's scored examples (``sims``, in the order
    of ``qm``), its cosine to the rubric's text and its :func:`answer_length`."""
    import numpy as np

    sims = np.asarray(sims, dtype=np.float64)
    order = np.argsort(-sims, kind="stable")[:k]
    top = sims[order]
    w = np.exp((top - top.max()) / temperature)
    w /= w.sum()
    offset = float(top[0] - qm.typical) if qm.typical is not None else 0.0
    ridge = qm.prior + float(np.exp((sims - 1.0) / width) @ qm.alpha)
    return ScoreFeatures(
        vote=float(w @ qm.grades[order]),
        similarity_offset=offset,
        prior=qm.prior,
        ridge=ridge,
        reference=float(reference - qm.reference.mean()),
        reference_near=float(reference - w @ qm.reference[order]),
        length_near=float(length - w @ qm.lengths[order]),
        n=qm.n,
    )
