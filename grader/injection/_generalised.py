"""Injection patterns generalised after the first held-out round (see tests/injection_cases.py): wider
overrides, grade requests, addresses to the grader, authority claims, role tags and verdict fields.

One of the tables :mod:`grader.injection.patterns` joins (after :mod:`grader.injection._markup`).
"""

from __future__ import annotations

import re

from grader.injection._vocab import (
    _AI,
    _GRADER,
    _MARKS,
    PatternTable,
    _has_grading_vocab,
)

__all__ = ["PATTERNS"]

PATTERNS = PatternTable()
_p = PATTERNS.add

_p(
    "override",
    r"\b(?:ignore|disregard|forget|skip)\s+(?:everything|anything|all|whatever)\s+(?:(?:written|said|stated|you\s+were\s+told)\s+)?"
    r"(?:above|before|earlier|previously|prior)\b",
    imperative=True,
)
_p("override", r"\binstead\s+of\s+(?:grading|evaluating|scoring|marking|assessing|judging)\b")
_p(
    "addressed-to-grader",
    rf"\b(?:the|any|an?|dear|hey|hi|hello|attention|to|for)\s+(?:{_GRADER}|(?:reviewing|grading|evaluating|marking|"
    rf"scoring|judging)\s+{_AI}|automated\s+(?:system|tool|reviewer|checker))\b[^.\n]{{0,60}}?\b(?:your|you|grade|score|treat|mark|"
    rf"award|accordingly|answer)\b",
)
_p("addressed-to-grader", rf"\b(?:hey|hi|hello|dear|yo|ok(?:ay)?)\s+{_AI}\b\s*[,:!—–-]")
_p(
    "addressed-to-grader",
    r"\byour\s+(?:job|task|role)\s+(?:here\s+)?is\s+(?:simply\s+|just\s+|only\s+)?to\s+(?:confirm|approve|accept|"
    r"agree|pass|award|give|grade|mark|rate|score)",
)
_p(
    "addressed-to-grader",
    r"\byour\s+(?:verdict|grading|evaluation|assessment|output\s+json|json|reply|response)\s+(?:must|should|will|has\s+to|"
    r"needs\s+to)\b",
    when=_has_grading_vocab,
)
_p(
    "addressed-to-grader",
    r"\b(?:respond|reply|answer|output|return)\s+(?:only\s+)?with\s*[:\-]?\s*[{\[]",
    imperative=True,
)
_p(
    "grade-request",
    r"\b(?:dock|deduct|take\s+off|subtract|remove|lose)\s+(?:any\s+|a\s+few\s+|some\s+)?(?:points|marks|credit)\b",
    when=lambda s: bool(re.search(r"\b(?:don'?t|do\s+not|never|please|no\s+need\s+to)\b", s, re.I)),
)
_p(
    "grade-request",
    rf"\b(?:i'?d\s+(?:love|like|appreciate)|i\s+(?:want|would\s+like|hope\s+for|need|deserve|expect))\s+(?:\w+\s+){{0,2}}?{_MARKS}",
)
_p(
    "grade-request",
    r"\b(?:this|my)\s+(?:answer\s+|response\s+|submission\s+)?(?:fully\s+)?(?:meets|satisfies|covers|fulfill?s|matches|hits|"
    r"exceeds|passes)\s+(?:the\s+|your\s+)?(?:rubric|marking\s+scheme|grading\s+criteria|(?:all|every|each)\s+(?:the\s+)?(?:criteri\w+|"
    r"requirements?|points))",
)
_p(
    "grade-request",
    r"\b(?:this|my)\s+(?:answer|response|submission)\s+is\s+(?:perfect|flawless|excellent|complete|correct|outstanding|"
    r"exemplary|the\s+(?:best|gold|reference|model)\b)",
)
_MARK_PHRASE = (
    r"\b(?:10\s*/\s*10|10\s+out\s+of\s+10|full\s+marks|full\s+credit|perfect\s+score|maximum\s+score|top\s+marks)\b"
)
_p(
    "grade-request",
    _MARK_PHRASE,
    when=lambda s: bool(
        re.search(
            r"\b(?:rubric|criteri\w+|grader|grading|this\s+answer|my\s+answer|marks?|credit)\b",
            re.sub(_MARK_PHRASE, " ", s, flags=re.I),
            re.I,
        )
    ),
)
_p(
    "authority-claim",
    r"\b(?:gold|reference|model|official|sample|exemplar)\s+(?:reference\s+)?answer\b[^.\n]{0,40}?\b(?:grade|score|mark|"
    r"rate|accordingly|full)",
    when=lambda s: bool(re.search(r"\b(?:this|the\s+following|my)\b", s, re.I)),
)
_p("role-tag", r"(?:^|\n)[ \t\-]*[\"']?role[\"']?[ \t]*:[ \t]*[\"']?(?:system|developer)\b")
_p(
    "role-tag",
    r"(?:^|\n)[ \t]*(?:user|human|assistant|ai)[ \t]*:[ \t]*[^\n]*\n[ \t]*(?:user|human|assistant|ai)[ \t]*:",
)
_p("fake-verdict", r"\binjection_attempt\b")
