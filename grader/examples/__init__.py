"""Graded examples: human-graded answers per question, stored in the local store or shipped with a
bank (``<bank dir>/examples.jsonl``), used by both judges and by ``grader calibrate``.

Public API::

    GradedExample                       the example (frozen dataclass)
    add_example(store, ex[, rubric])    validate and store one; its id
    add_examples(store, exs, rubrics)   validate and store many in one transaction (all or none)
    list_examples(store, question_id=None, bank=None)
    remove_example(store, id) -> bool
    check_example(ex, rubric)           validate (raises ExampleProblem naming the field)
    examples_hash(exs)                  content hash of a set (prompt version / cache key)
    ExampleSet(exs)                     a run's examples per question, with cached answer vectors
    nearest(...), choose_for_prompt(...)  the kNN vote; the fixed per-question pick for a prompt
"""

from grader.examples._index import ExampleSet, Neighbour, choose_for_prompt, nearest
from grader.examples._model import (
    LEVEL_NAMES,
    SOURCES,
    ExampleProblem,
    GradedExample,
    check_example,
    examples_hash,
)
from grader.examples._store import add_example, add_examples, list_examples, remove_example

__all__ = [
    "GradedExample",
    "ExampleProblem",
    "LEVEL_NAMES",
    "SOURCES",
    "add_example",
    "add_examples",
    "list_examples",
    "remove_example",
    "check_example",
    "examples_hash",
    "ExampleSet",
    "Neighbour",
    "nearest",
    "choose_for_prompt",
]
