"""Build rubrics from a hint or a reference answer: deterministic splitting, or with an LLM.

Deterministic builders (no LLM, same input → same rubric):

- :func:`criteria_from_hint` splits a hint ("A strong answer covers …") into its elements. The
  lead-in ("A strong answer covers", "The candidate should discuss", "Look for discussion of" …)
  is dropped and its verb starts each criterion's text ("Discusses …"). Enumerations are split at
  top-level commas, semicolons and arrows (``→``); parenthesised groups (``camera movement
  (dolly, orbit)``), quoted groups and ``such as`` / ``e.g.`` / ``like`` / ``including`` lists stay
  with their head; a short item inside a longer phrase (``consistent objects, lighting, and
  physics``) is not split off. A sentence without a lead-in is a *claim* and stays whole, unless
  the hint would otherwise give fewer than 3 criteria: then claims are split at commas, and as a
  last resort at ``and``. At most 7 criteria (the shortest neighbours are merged). Weights: the
  first criterion (the central claim or first element) 3, the others 2. ``covers`` holds the
  verbatim hint fragments each criterion stands for.
- :func:`criteria_from_reference` turns a reference answer into its claims: sentences, clauses
  after ``;``, list items (``1.``, ``-``, ``●``, ``i)``) — also when a list is written inline without
  sentence punctuation: items numbered in order (``1. … 2. …``, ``a) … b) …``, ``i) … ii) …``; a lone
  or out-of-order number is not a list), numbered labels (``Hop 1: … Hop 2: …``) and, in a clause that
  starts with a label, each further capitalised label (``Slow start: … Congestion Avoidance: …``)
  start a new claim. A heading ending in ``:`` is joined to
  what follows; grading notes ("One of the following … should be given:", "Note: …") and point
  marks (``(0.25)``, ``0.5 P for``) are left out of the criterion text; claims under 4 words are
  joined to a neighbour; at most 12 (the shortest neighbours are merged); weight 1 each.
  Blank-line-separated blocks are parts of one answer, unless a block starts with
  "Alternatively"/"Alternative answer" or shares most of its content words with the first block:
  then it is an *alternative* answer, its claims are added as extra ``covers`` (extra views for the
  embedded grader) of the closest criterion of the first answer.

Any real question builds. A one-word reference answer ("push") or hint ("CFG") is one criterion;
when its text would be shorter than a criterion's minimum (5 characters) it starts with a verb
(``States: push``, ``Covers CFG.``), and ``covers`` keeps the word verbatim. A short question ("Why?")
is valid too (the embedded grader judges against the reference; an LLM judge sees the question as
written). Neither is refused: :func:`rubric_warnings` says what such a rubric can and cannot do, for
the caller to show. Refused: an empty question, hint or reference answer, or one with no letter or
digit (a :class:`ValueError` from the splitters, a :class:`~grader.errors.RubricError` from the model).

The splitting lives in the private modules ``_hint`` and ``_reference`` (helpers shared by both, such
as ids, in ``_common``); this module is their public face. Neighbouring modules:
:mod:`grader.rubric.io` (``bank_from_csv``: a question-bank CSV → rubrics; ``rubric_to_yaml``: a
rubric → YAML in the layout of ``rubrics/``) and :mod:`grader.rubric.llm` (``criteria_with_llm``:
criteria drafted by the configured LLM).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from grader.rubric._common import BUILDER_STOPWORDS, slug, slug_id
from grader.rubric._hint import MAX_HINT_CRITERIA, criteria_from_hint
from grader.rubric._reference import MAX_REFERENCE_CRITERIA, criteria_from_reference
from grader.rubric.model import Criterion, Rubric, parse_rubric
from grader.text import word_count

SHORT_SOURCE_WORDS = 4  # a hint or reference answer under this many words is one criterion: worth a warning
SHORT_QUESTION_WORDS = 3  # "Why?", "Define recursion.": the judge gets little context from the question

__all__ = [
    "criteria_from_hint",
    "criteria_from_reference",
    "rubric_from_hint",
    "rubric_from_reference",
    "rubric_warnings",
    "slug",
    "slug_id",
    "MAX_HINT_CRITERIA",
    "MAX_REFERENCE_CRITERIA",
    "BUILDER_STOPWORDS",
]


def _make_rubric(source: str, fields: dict[str, Any]) -> Rubric:
    data = {k: v for k, v in fields.items() if v is not None}
    data["criteria"] = [c.model_dump() for c in data["criteria"]]
    return parse_rubric(data, source)


def rubric_from_hint(
    hint: str,
    *,
    id: str | None = None,
    question: str,
    section: str = "General",
    bank: str = "custom",
    max_score: float = 10,
    number: int | None = None,
    criteria: Iterable[Criterion] | None = None,
) -> Rubric:
    """A ``kind="hint"`` rubric whose criteria are the hint's elements (or ``criteria`` if given)."""
    crits = list(criteria) if criteria is not None else criteria_from_hint(hint)
    return _make_rubric(
        f"hint for {id or slug(question, 6, 80)}",
        dict(
            id=id or slug(question, 6, 80),
            bank=bank,
            section=section,
            number=number,
            question=question,
            hint=hint.strip(),
            max_score=max_score,
            criteria=crits,
        ),
    )


def rubric_from_reference(
    reference_answer: str,
    *,
    id: str | None = None,
    question: str,
    section: str = "General",
    bank: str = "custom",
    max_score: float = 10,
    number: int | None = None,
    criteria: Iterable[Criterion] | None = None,
    languages: tuple[str, ...] = ("en",),
) -> Rubric:
    """A ``kind="reference"`` rubric whose criteria are the reference answer's claims (answers may be
    written in ``languages``)."""
    crits = list(criteria) if criteria is not None else criteria_from_reference(reference_answer)
    return _make_rubric(
        f"reference answer for {id or slug(question, 6, 80)}",
        dict(
            id=id or slug(question, 6, 80),
            bank=bank,
            section=section,
            number=number,
            question=question,
            reference_answer=reference_answer.strip(),
            kind="reference",
            languages=languages,
            max_score=max_score,
            criteria=crits,
        ),
    )


def _quoted(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def rubric_warnings(rubric: Rubric) -> list[str]:
    """What a valid but thin rubric can and cannot do, one plain sentence each ([] for most rubrics):
    a hint or reference answer under 4 words (one criterion: an answer earns it by saying that), a
    question under 3 words (the judge sees little context). Shown by the commands that build rubrics
    from a CSV; never a reason to refuse the rubric."""
    out = []
    source, what = (
        (rubric.reference_answer, "reference answer") if rubric.kind == "reference" else (rubric.hint, "hint")
    )
    n = word_count(source)
    if n < SHORT_SOURCE_WORDS:
        out.append(
            f"the {what} is only {n} word{'s' if n != 1 else ''} ({_quoted(source)}): one criterion, "
            "met by an answer that says it"
        )
    n = word_count(rubric.question)
    if n < SHORT_QUESTION_WORDS:
        out.append(
            f"the question is only {n} word{'s' if n != 1 else ''} ({_quoted(rubric.question)}): "
            "the grade rests on the " + what
        )
    return out
