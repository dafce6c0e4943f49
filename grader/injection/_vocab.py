"""The injection patterns' shared vocabulary: the regex fragments the pattern tables are written with
(who the grader is, what marks are, what rules are …), the sentence predicates several tables use,
and :class:`PatternTable`, the list each table module fills with ``_p(...)`` entries.

Part of :mod:`grader.injection.patterns` (which joins the tables, in a fixed order, into the one
table the detector reads); the detector also reads :data:`_MENTION_CUES` and
:func:`_has_grading_vocab` (through :mod:`grader.injection.patterns`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

__all__ = ["Entry", "PatternTable"]

# -- pattern vocabulary -------------------------------------------------------------------------

_GRADER = (
    r"(?:(?:ai|llm|automated|automatic|human|ai-based)\s+)?(?:grader|(?:grading|evaluation|evaluating|reviewing|marking|"
    r"scoring|judging|assessment|assessing)\s+(?:model|system|ai|llm|assistant|bot|tool|engine|team|committee)|evaluator|"
    r"examiner|assessor|marker|scorer)s?"
)
_AI = r"(?:ai|llm|large\s+language\s+model|language\s+model|chatbot|chatgpt|gpt|claude|assistant|machine)"
_READING = (
    r"(?:reading|grading|evaluating|reviewing|scoring|marking|assessing|judging|checking|processing|reads|grades|evaluates|"
    r"reviews|scores|marks|assesses|judges|checks)"
)
_MARKS = (
    r"(?:(?:the\s+|a\s+)?(?:full|maximum|max|maximal|perfect|top|highest(?:\s+possible)?|best|complete|all\s+(?:the\s+)?|"
    r"100\s*%|high|good|passing|excellent)\s*(?:10\s*)?(?:/\s*10\s+)?(?:marks?|points?|scores?|credit|grades?|ratings?|"
    r"band|level)|(?:a\s+)?(?:perfect\s+)?(?:10|ten)\s*(?:/\s*10|out\s+of\s+(?:10|ten))|(?:a\s+)?perfect\s+(?:10|ten)|"
    r"100\s*/\s*100|a\s+score\s+of\s+(?:10|ten|100)\b|an?\s+a\+|the\s+highest\s+band)"
)
_AWARD = r"(?:give|award|assign|grant|allot|hand|mark|score|rate|grade|put|output|return|set)"
_OBJ = r"(?:me|it|this|my|the\s+candidate|the\s+answer|this\s+(?:answer|response|submission))"
_DETS = (
    r"(?:all|any|each|every|of|the|your|my|these|those|its|previous|prior|above|earlier|preceding|original|existing|"
    r"current|standard|usual|grading|marking|scoring|evaluation|given|other|whatever|rest\s+of\s+the)"
)
_RULES = (
    r"(?:instructions?|rules?|rubrics?|guidelines?|criteria|criterion|directions?|directives?|guidance|programming|"
    r"constraints?|polic(?:y|ies)|restrictions?)"
)
_GRADING_VOCAB = re.compile(
    r"grad(?:e|er|ing)|marks?\b|scor|points?\b|credit|criteri|rubric|verdict|evaluat|examiner|assessor|level", re.I
)
_MENTION_CUES = re.compile(
    r"\b(?:like|such\s+as|e\.g\.|for\s+example|type|types|typed|typing|write|writes|enter|enters|say|says|paste|"
    r"phrases?|strings?|jailbreaks?|injections?|attacks?|attackers?|users?|people)\b",
    re.I,
)

_Pred = Callable[[str], bool]
#: One table entry: (kind, pattern, position required: "" | "imperative" | "clause", predicate on the sentence).
Entry = tuple[str, re.Pattern[str], str, _Pred | None]


def _has_grading_vocab(sentence: str) -> bool:
    return bool(_GRADING_VOCAB.search(sentence))


class PatternTable(list[Entry]):
    """The entries of one pattern table, in the order they were added (the order the detector scans them)."""

    def add(
        self,
        kind: str,
        pattern: str,
        *,
        imperative: bool = False,
        clause_start: bool = False,
        when: _Pred | None = None,
        flags: int = re.I,
    ) -> None:
        """Add a pattern of ``kind``: compiled with ``flags``; ``imperative``/``clause_start`` require the
        match to start an order / a clause; ``when``, if given, must hold for the sentence around it."""
        position = "imperative" if imperative else "clause" if clause_start else ""
        self.append((kind, re.compile(pattern, flags), position, when))
