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
  after ``;``, list items (``1.``, ``-``, ``●``, ``i)``). A heading ending in ``:`` is joined to
  what follows; grading notes ("One of the following … should be given:", "Note: …") and point
  marks (``(0.25)``, ``0.5 P for``) are left out of the criterion text; claims under 4 words are
  joined to a neighbour; at most 12 (the shortest neighbours are merged); weight 1 each.
  Blank-line-separated blocks are parts of one answer, unless a block starts with
  "Alternatively"/"Alternative answer" or shares most of its content words with the first block:
  then it is an *alternative* answer, its claims are added as extra ``covers`` (extra views for the
  embedded grader) of the closest criterion of the first answer.

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

__all__ = [
    "criteria_from_hint",
    "criteria_from_reference",
    "rubric_from_hint",
    "rubric_from_reference",
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
) -> Rubric:
    """A ``kind="reference"`` rubric whose criteria are the reference answer's claims."""
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
            max_score=max_score,
            criteria=crits,
        ),
    )
