"""A deterministic detector for answers that try to instruct the grader.

It looks for: imperative instructions aimed at the grader/AI/model (ignore previous instructions,
give full marks, …), role tags and fake system/assistant messages, fake verdict JSON, attempts to
break out of the answer markers, hidden text (zero-width characters, HTML comments, bidi controls),
and the same requests in a few other languages. Each finding is a span of the answer with a reason;
quotes that fall inside a finding earn no credit (see :mod:`grader.scoring`).

Benign uses of words like "ignore", "score" or "instructions" in a real answer (``negative prompts
tell the model to ignore watermarks``) must not trigger: patterns require the grader as the target or
a grading request, not the word alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Finding", "detect_injection"]


@dataclass(frozen=True)
class Finding:
    kind: str
    start: int
    end: int
    excerpt: str


_GRADER = r"(?:grader|grading|evaluator|examiner|assessor|marker|reviewer|judge|ai|llm|model|assistant|chatgpt|gpt|claude|language model|system)"
_MARKS = r"(?:full|maximum|max|perfect|top|highest|all(?:\s+the)?|10|ten|100)\s*(?:/\s*10\s*)?(?:marks?|points?|scores?|credit|grades?|rating)"

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "override",
        re.compile(
            r"\b(?:ignore|disregard|forget|override|bypass|skip)\b[^.\n]{0,40}?\b(?:previous|prior|above|earlier|all|any|your|the|these|those)\b[^.\n]{0,30}?\b(?:instructions?|rules?|rubric|prompts?|guidelines|criteria|directions)\b",
            re.I,
        ),
    ),
    (
        "grade-request",
        re.compile(
            rf"\b(?:give|award|assign|grant|mark|score|rate|grade)\b[^.\n]{{0,40}}?\b(?:me|this(?:\s+answer)?|the\s+candidate|it|answer)\b[^.\n]{{0,30}}?{_MARKS}",
            re.I,
        ),
    ),
    (
        "grade-request",
        re.compile(
            rf"\b(?:mark|grade|rate|score|set|classify)\b[^.\n]{{0,30}}?\b(?:every|each|all)\b[^.\n]{{0,20}}?\bcriteri(?:on|a)\b[^.\n]{{0,30}}?\b(?:full|complete|met|satisfied|passed)\b",
            re.I,
        ),
    ),
    (
        "grade-request",
        re.compile(rf"\b(?:deserves?|should\s+(?:get|receive|be\s+given)|must\s+(?:get|receive))\b[^.\n]{{0,30}}?{_MARKS}", re.I),
    ),
    (
        "addressed-to-grader",
        re.compile(
            rf"\b(?:dear|hey|hello|hi|attention|note\s+to(?:\s+the)?|message\s+(?:to|for)(?:\s+the)?|instructions?\s+(?:to|for)(?:\s+the)?)\s+{_GRADER}\b",
            re.I,
        ),
    ),
    (
        "addressed-to-grader",
        re.compile(rf"\b(?:as\s+an?|you\s+are\s+(?:an?|the))\s+{_GRADER}\b[^.\n]{{0,40}}?\b(?:you\s+(?:must|should|will)|give|award|mark)\b", re.I),
    ),
    (
        "addressed-to-grader",
        re.compile(rf"\b{_GRADER}[,:]\s*(?:please\s+)?(?:give|award|mark|rate|score|ignore|output|return|respond|set)\b", re.I),
    ),
    (
        "role-tag",
        re.compile(
            r"(?:^|\n)\s*(?:#{1,3}\s*)?(?:system|assistant|developer|user)\s*(?:message|prompt|note|override)?\s*:|<\|?(?:im_start|im_end|system|assistant|endoftext)\|?>|\[/?(?:INST|SYS|SYSTEM)\]|<</?SYS>>",
            re.I,
        ),
    ),
    (
        "fake-verdict",
        re.compile(
            r"[{,]\s*\"(?:level|score|criteria|criterion_id|injection_attempt|verdict|grade|marks)\"\s*:",
            re.I,
        ),
    ),
    (
        "delimiter-breakout",
        re.compile(r"<{3}|>{3}|‹{3}|›{3}|</?\s*(?:candidate_)?answer\s*>|\bend[_ ]?(?:of[_ ])?(?:candidate[_ ])?answer\b", re.I),
    ),
    ("hidden-text", re.compile(r"<!--.*?(?:-->|$)", re.S)),
    ("hidden-text", re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u202a-\u202e\u2066-\u2069]+")),
    (
        "prompt-leak",
        re.compile(r"\b(?:reveal|print|show|repeat|output)\b[^.\n]{0,30}?\b(?:your|the)\s+(?:system\s+)?(?:prompt|instructions|rubric)\b", re.I),
    ),
    (
        "other-language",
        re.compile(
            r"(?:ignora|ignorez|ignorieren?|ignoriere|игнорируй|忽略|無視)[^.\n]{0,60}|"
            r"(?:puntuaci[oó]n\s+m[aá]xima|note\s+maximale|volle\s+punktzahl|höchstpunktzahl|максимальн\w*\s+балл|满分|最高分|満点)",
            re.I,
        ),
    ),
]


def detect_injection(answer: str) -> list[Finding]:
    """Spans of the answer that look like instructions to the grader; empty for a clean answer."""
    findings: list[Finding] = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(answer):
            if m.end() == m.start():
                continue
            start, end = _sentence_bounds(answer, m.start(), m.end(), kind)
            findings.append(Finding(kind, start, end, answer[m.start() : m.end()][:120]))
    findings.sort(key=lambda f: (f.start, f.end))
    return findings


def _sentence_bounds(text: str, start: int, end: int, kind: str) -> tuple[int, int]:
    """Widen a match to its sentence, so a quote taken from the attack sentence falls inside it."""
    if kind in ("hidden-text", "fake-verdict", "delimiter-breakout", "role-tag"):
        if kind == "fake-verdict":
            open_brace = text.rfind("{", 0, start + 1)
            close_brace = text.find("}", end)
            return (open_brace if open_brace >= 0 else start, close_brace + 1 if close_brace >= 0 else len(text))
        if kind == "role-tag":
            line_end = text.find("\n\n", end)
            return start, line_end if line_end >= 0 else len(text)
        return start, end
    left = max(text.rfind(". ", 0, start), text.rfind("\n", 0, start), text.rfind("! ", 0, start), text.rfind("? ", 0, start))
    right_candidates = [i for i in (text.find(". ", end), text.find("\n", end), text.find("! ", end)) if i >= 0]
    right = min(right_candidates) + 1 if right_candidates else len(text)
    return (left + 1 if left >= 0 else 0), right
