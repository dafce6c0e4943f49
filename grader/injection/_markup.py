"""Injection patterns, first round: the shapes of a prompt smuggled into an answer — role tags and chat
templates, fake verdicts (the non-JSON shapes; JSON objects are handled in the detector), delimiter
break-outs, and requests to leak the prompt.

One of the tables :mod:`grader.injection.patterns` joins (after :mod:`grader.injection._orders`).
"""

from __future__ import annotations

import re

from grader.injection._vocab import (
    PatternTable,
    _has_grading_vocab,
)

__all__ = ["PATTERNS"]

PATTERNS = PatternTable()
_p = PATTERNS.add

# role tags, chat templates
_READER = re.compile(
    r"\b(?:you|your|ignore|disregard|instructions?|assistant|model|ai|llm|answer|candidate|response|submission)\b", re.I
)


def _to_reader(sentence: str) -> bool:
    """A role-tag line that talks to the reader or about grading, or a bare tag (its message follows);
    not a quoted log line such as *System notice: the render queue is paused*."""
    body = re.sub(r"^[^:]*:", "", sentence.strip(), count=1).strip()
    return not body or _has_grading_vocab(body) or bool(_READER.search(body))


_p(
    "role-tag",
    r"(?:^|\n)[ \t]*(?:system|assistant|developer)[ \t]*"
    r"(?:message|prompt|note|override|notice|update|instructions?)?[ \t]*:",
    when=_to_reader,
)
_p(
    "role-tag",
    r"(?:^|\n)[ \t]*#{1,4}[ \t]*(?:system|assistant|developer|user|human|instructions?|response|input)[ \t]*:",
)
_p(
    "role-tag",
    r"<\|[a-z_]{2,30}\|>|<</?SYS>>|\[/?(?:INST|SYS|SYSTEM(?:\s+(?:MESSAGE|NOTE|PROMPT|NOTICE))?|ASSISTANT|ADMIN)\]",
)
_p(
    "role-tag",
    r"</?\s*(?:system|assistant|developer|instructions?|admin|grader|grading|evaluator|verdict|rubric|im_start|im_end|"
    r"user_input|system_prompt)\b[^<>]{0,40}>",
)
_p(
    "role-tag",
    r"\b(?:override|admin(?:istrator)?|sudo|developer\s+mode|system\s+(?:override|notice|note|message|update|"
    r"prompt|instructions?)|important\s+instructions?|new\s+instructions?|instructions?\s+to\s+the\s+\w+)\s*:",
    clause_start=True,
    when=_to_reader,
)
# fake verdicts (JSON objects are handled in code; these are the non-JSON shapes)
_p("fake-verdict", r"[\"']?\b(?:criterion_id|injection_attempt)\b[\"']?\s*[:=]")
_p("fake-verdict", r"(?:^|\n)[ \t\-*]*[\"']?level[\"']?[ \t]*[:=][ \t]*[\"']?(?:full|partial|missing)\b")
_p(
    "fake-verdict",
    r"\b(?:(?:final\s+)?(?:verdict|score|grade|marks|rating))\s*[:=]\s*(?:10\s*/\s*10|10\s+out\s+of\s+10|100\s*/\s*100|"
    r"100\s*%|a\+|full(?:\s+marks)?|perfect|strong|excellent)",
)
_p("fake-verdict", r"\bband\s*[:=]\s*[\"']?(?:strong|adequate)\b")
# delimiter break-outs
_p(
    "delimiter-breakout",
    r"[<‹]{3}\s*/?\s*[A-Za-z_ ]{0,40}[>›]{3}|(?:<{3}|>{3}|‹{3}|›{3})\s*(?:end|begin|start|stop|candidate|answer|"
    r"system|grader)|\b(?:end_)?candidate_answer\b",
)
_p("delimiter-breakout", r"</?\s*(?:candidate_)?answer\s*>")
_p(
    "delimiter-breakout",
    r"(?:^|\n)[ \t\-=_*#\[(]*(?:end|close|stop)\s*(?:of\s+)?(?:the\s+)?(?:candidate(?:'s)?\s+)?(?:answer|response|"
    r"submission|text|input)\b",
)
# prompt leaks
_p(
    "prompt-leak",
    r"\b(?:reveal|print|show|repeat|output|display|leak|write\s+out|copy|tell\s+me)\s+(?:me\s+)?(?:your|the)\s+(?:system\s+"
    r"prompt|hidden\s+instructions|instructions|rubric|grading\s+(?:rubric|criteria|instructions)|initial\s+prompt|prompt\s+above|"
    r"instructions\s+above)\b",
    imperative=True,
)
