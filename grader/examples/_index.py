"""The graded examples a grading run uses, per question, with their answer vectors cached.

:class:`ExampleSet` is what the :class:`~grader.grading.Grader` hands its judge
(:meth:`grader.types.Judge.set_examples`): the examples of each question, each question's set hash
(part of the prompt version, the result and the cache key), and — for the embedded judge — the
examples' MiniLM vectors, computed once per question and kept.

:func:`nearest` is the nearest-neighbour vote both judges use (the embedded judge to blend, the LLM
judge to pick examples per answer): cosine similarity of the answer vectors, the ``k`` most similar
examples, weighted by ``exp(similarity / temperature)``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from grader.examples._model import GradedExample, examples_hash

if TYPE_CHECKING:  # numpy is imported where vectors are used: an LLM batch's start-up does without it
    import numpy as np

__all__ = ["ExampleSet", "Neighbour", "nearest", "choose_for_prompt", "by_grade"]


@dataclass(frozen=True)
class Neighbour:
    """One example close to the answer being graded, and its weight in the vote (weights sum to 1)."""

    example: GradedExample
    similarity: float
    weight: float


class ExampleSet:
    """Examples grouped by question id (order kept: oldest first), with per-question hashes and
    lazily computed answer vectors. Safe to share between threads."""

    def __init__(self, examples: Iterable[GradedExample] = ()) -> None:
        self._by_q: dict[str, list[GradedExample]] = {}
        for e in examples:
            self._by_q.setdefault(e.question_id, []).append(e)
        self._hashes = {q: examples_hash(xs) for q, xs in self._by_q.items()}
        self._vectors: dict[str, np.ndarray] = {}
        self._models: dict[tuple[str, str, float, float], Any] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return sum(len(xs) for xs in self._by_q.values())

    def __bool__(self) -> bool:
        return bool(self._by_q)

    @property
    def question_ids(self) -> list[str]:
        return sorted(self._by_q)

    def for_question(self, question_id: str) -> list[GradedExample]:
        """The examples of one question (``[]`` when it has none)."""
        return list(self._by_q.get(question_id, ()))

    def hash_for(self, question_id: str) -> str:
        """The content hash of one question's examples, ``""`` when it has none."""
        return self._hashes.get(question_id, "")

    def vectors(self, question_id: str, embedder: Any) -> np.ndarray:
        """The (n, dim) unit vectors of one question's example answers; computed on first use."""
        with self._lock:
            hit = self._vectors.get(question_id)
        if hit is not None:
            return hit
        import numpy as np

        vecs = np.asarray(embedder.encode([e.answer for e in self._by_q.get(question_id, ())]), dtype=np.float32)
        with self._lock:
            self._vectors.setdefault(question_id, vecs)
            return self._vectors[question_id]

    def score_model(self, rubric: Any, embedder: Any, width: float, penalty: float) -> tuple[Any, Any, Any] | None:
        """For the score model (:mod:`grader.examples._score`): the question's
        :class:`~grader.examples._score.QuestionModel` over its examples that have a score and no
        levels, their indices in :meth:`for_question`, and the unit vector of the rubric's text; computed
        once per question. None when no example of the question has a score."""
        from grader.examples._score import answer_length, question_model, rubric_text

        text = rubric_text(rubric)
        key = (rubric.id, text, width, penalty)
        with self._lock:
            if key in self._models:
                return self._models[key]  # type: ignore[no-any-return]
        import numpy as np

        exs = self._by_q.get(rubric.id, [])
        idx = [i for i, e in enumerate(exs) if not e.levels and e.fraction is not None]
        out = None
        if idx:
            vecs = self.vectors(rubric.id, embedder)[idx].astype(np.float64)
            ref = np.asarray(embedder.encode([text])[0], dtype=np.float64)
            grades = np.array([exs[i].fraction for i in idx], dtype=np.float64)
            lengths = np.array([answer_length(exs[i].answer) for i in idx])
            qm = question_model(vecs @ vecs.T, grades, vecs @ ref, lengths, width, penalty)
            out = (qm, np.array(idx), ref)
        with self._lock:
            self._models.setdefault(key, out)
            return self._models[key]  # type: ignore[no-any-return]

    def folds(self, n: int, seed: int) -> list[tuple[list[GradedExample], ExampleSet]]:
        """``n`` folds for out-of-fold grading: per fold, the examples it holds out and an
        :class:`ExampleSet` of all the others. Each question's examples are shuffled (seeded) and dealt
        round-robin, so every fold holds about ``1/n`` of every question and an example is graded with
        the other examples of its question, as an answer would be. Vectors already computed are shared."""
        import numpy as np

        rng = np.random.default_rng(seed)
        held: list[list[GradedExample]] = [[] for _ in range(n)]
        keep: list[dict[str, list[int]]] = [{} for _ in range(n)]
        for q in sorted(self._by_q):
            exs = self._by_q[q]
            fold_of = np.empty(len(exs), dtype=int)
            fold_of[rng.permutation(len(exs))] = np.arange(len(exs)) % n
            for f in range(n):
                held[f] += [e for e, g in zip(exs, fold_of) if g == f]
                keep[f][q] = [i for i, g in enumerate(fold_of) if g != f]
        out = []
        for f in range(n):
            sub = ExampleSet(self._by_q[q][i] for q, idx in keep[f].items() for i in idx)
            with self._lock:
                for q, idx in keep[f].items():
                    if q in self._vectors and idx:
                        sub._vectors[q] = self._vectors[q][idx]
            out.append((held[f], sub))
        return out


def nearest(
    examples: Sequence[GradedExample], vectors: np.ndarray, answer_vec: np.ndarray, k: int, temperature: float
) -> list[Neighbour]:
    """The ``k`` examples most similar to the answer (cosine of unit vectors), most similar first,
    weighted by ``softmax(similarity / temperature)`` over those ``k``. Ties keep example order."""
    if not examples or k < 1:
        return []
    import numpy as np

    sims = vectors @ np.asarray(answer_vec, dtype=np.float32)
    order = np.argsort(-sims, kind="stable")[:k]
    top = sims[order].astype(np.float64)
    w = np.exp((top - top.max()) / temperature)
    w /= w.sum()
    return [Neighbour(examples[i], round(float(sims[i]), 4), float(wi)) for i, wi in zip(order, w)]


def by_grade(e: GradedExample) -> tuple[float, str]:
    """The order prompts show examples in: human grade (0–1, ungraded as 0), then answer text (stable)."""
    return (e.fraction if e.fraction is not None else 0.0, e.answer)


def choose_for_prompt(examples: Sequence[GradedExample], n: int) -> list[GradedExample]:
    """Up to ``n`` examples of one question for a prompt, the same for every answer to it (so the
    prompt prefix stays byte-identical): spread over the range of human grades — sorted by grade
    (then by answer text, for a stable order), then evenly spaced picks — and shown lowest first."""
    if n < 1 or not examples:
        return []
    ranked = sorted(examples, key=by_grade)
    if len(ranked) <= n:
        return ranked
    picks = sorted({round(i * (len(ranked) - 1) / (n - 1)) for i in range(n)} if n > 1 else {len(ranked) // 2})
    return [ranked[i] for i in picks]
