"""Graded examples picked per answer for the LLM judge's prompt (``--examples-pick nearest``).

The default pick (:func:`grader.examples._index.choose_for_prompt`, ``spread``) shows the same examples
for every answer to a question, spread over the range of human grades, so the whole prompt prefix up to
the answer is byte-identical and a server's prefix cache serves it. ``nearest`` instead shows the ``n``
examples whose answers are most similar to the one being graded (cosine of the embedded judge's MiniLM
answer vectors, as the embedded judge's blend uses): the model sees how answers *like this one* were
graded, at the price of a prompt prefix that differs from the examples on (the system message and the
rubric are still shared). The choice is a function of the answer and the question's whole example set,
so the cache key holds that set's hash and ``n`` (:func:`nearest_key`).
"""

from __future__ import annotations

from typing import Any

from grader.examples._index import ExampleSet, Neighbour, by_grade, nearest
from grader.examples._model import GradedExample

__all__ = ["PICKS", "nearest_for_prompt", "nearest_key", "ordered"]

#: the ways of choosing a question's examples for the LLM prompt (``Settings.examples_pick``)
PICKS = ("spread", "nearest")


def nearest_key(examples: ExampleSet, question_id: str, n: int) -> str:
    """What ``nearest`` picks depend on besides the answer: ``n`` and the question's example-set hash
    ("" when the question has no examples or ``n`` is 0)."""
    h = examples.hash_for(question_id)
    return f"nn{n}.{h}" if h and n >= 1 else ""


def ordered(neighbours: list[Neighbour]) -> list[GradedExample]:
    """The neighbours' examples as the prompt shows them: lowest human grade first (as the ``spread``
    pick), ties by answer text, so the order does not hint which example is nearest."""
    return sorted((nb.example for nb in neighbours), key=by_grade)


def nearest_for_prompt(examples: ExampleSet, question_id: str, answer: str, n: int, embedder: Any) -> list[Neighbour]:
    """The ``n`` examples of the question most similar to ``answer``, most similar first (weights are
    their share of a plain similarity softmax, shown in the result; the LLM sees no weights)."""
    pool = examples.for_question(question_id)
    if n < 1 or not pool:
        return []
    vectors = examples.vectors(question_id, embedder)
    answer_vec = embedder.encode([answer])[0]
    return nearest(pool, vectors, answer_vec, n, temperature=0.05)
