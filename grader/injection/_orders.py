"""Injection patterns, first round: orders to the grader — override its rules, ask for marks, address
it or cast it in a role, claim authority over the rubric.

One of the tables :mod:`grader.injection.patterns` joins (this one first); the entries' order is
the order the detector scans them.
"""

from __future__ import annotations

import re

from grader.injection._vocab import (
    _AI,
    _AWARD,
    _DETS,
    _GRADER,
    _MARKS,
    _OBJ,
    _READING,
    _RULES,
    PatternTable,
    _has_grading_vocab,
)

__all__ = ["PATTERNS"]

PATTERNS = PatternTable()
_p = PATTERNS.add

_THIRD_PARTY = re.compile(
    r"\b(?:models?|llms?|it|they|the\s+ai|(?:chat)?bots?|systems?)\s+(?:\w+\s+)?(?:tends?\s+to|may|might|can|could|will|"
    r"would|often|sometimes|usually|just|still)\s+(?:\w+\s+)?(?:ignor|disregard|forget|drop)",
    re.I,
)


def _not_described(sentence: str) -> bool:
    return not _THIRD_PARTY.search(sentence)


#: the answer itself, its writer or its reader: who a request for marks is about or addressed to
_ABOUT_THIS = re.compile(
    r"\b(?:this|my|the)\s+(?:candidate'?s?\s+)?(?:answer|response|reply|submission|text|write-?up)\b|"
    r"\b(?:i|me|my|you|your|yours)\b",
    re.I,
)
_CONDITION = re.compile(r"\b(?:only\s+if|if|when|unless|once|only\s+after)\b", re.I)


def _not_a_stated_rule(sentence: str) -> bool:
    """A conditional about something else (*a clip earns full marks only if it fits the brief*) states how
    that thing is judged; it asks nothing of the grader. A request is about this answer or its reader."""
    return not (_CONDITION.search(sentence) and not _ABOUT_THIS.search(sentence))


# override
_p(
    "override",
    rf"\b(?:ignore|disregard|forget|override|bypass|skip|set\s+aside|abandon|discard|neglect)\s+(?:{_DETS}\s+){{1,4}}{_RULES}\b",
    imperative=True,
    when=_not_described,
)
_p(
    "override",
    r"\b(?:ignore|disregard|forget|override|bypass|set\s+aside|discard)\s+(?:all\s+|any\s+|the\s+|your\s+)*"
    r"(?:previous|prior|above|earlier|preceding|original|system|grading)\s+(?:\w+\s+)?(?:prompts?|messages?|context|commands?|orders?)\b",
    imperative=True,
)
_p(
    "override",
    r"\b(?:ignor\w*|disregard\w*|forget\w*|forgot)\s+(?:all\s+|any\s+|the\s+|your\s+)*(?:previous|prior|above|"
    r"preceding|earlier)\s+(?:instructions?|prompts?|rules|directions|messages)\b",
    when=_not_described,  # "the model tends to ignore earlier instructions" is a description
)
_p(
    "override",
    r"\b(?:overlook|ignore|disregard|forgive)\s+(?:any|all|the|my|these)\s+(?:\w+\s+)?(?:gaps?|shortcomings|"
    r"weaknesses|mistakes|errors|omissions|missing\s+\w+)\b",
    imperative=True,
    when=_has_grading_vocab,
)
_p(
    "override",
    r"\b(?:grading|marking|scoring|evaluation)\s+(?:rules|instructions|criteria|policy)\s+(?:no\s+longer|do\s+not|don't)\s+apply\b",
)
# grade requests
_p("grade-request", rf"\b{_AWARD}\s+(?:(?:\w+\s+){{0,3}}?){_OBJ}\b[^.\n]{{0,40}}?{_MARKS}")
_p("grade-request", rf"\b(?:give|award|assign|grant|allot)\s+(?:\w+\s+){{0,2}}?{_MARKS}", imperative=True)
_p(
    "grade-request",
    rf"\b(?:deserves?|merits?|earns?|worth|should\s+(?:get|receive|be\s+(?:given|awarded|graded|rated|scored|marked))|"
    rf"must\s+(?:get|receive|be\s+given)|be\s+(?:graded|rated|scored|marked))\b[^.\n]{{0,30}}?{_MARKS}",
    when=_not_a_stated_rule,
)
_p(
    "grade-request",
    r"\b(?:mark|grade|rate|score|set|classify|record|treat|consider|count|regard)\s+(?:\w+\s+){0,2}?(?:every|each|all)"
    r"\s+(?:of\s+)?(?:the\s+|its\s+)?(?:criteri(?:on|a)|levels?|points|requirements?)\b[^.\n]{0,20}?\b(?:as|to|at)\s+"
    r"[\"'“]?(?:fully\s+met|full|met|satisfied|complete|passed|excellent|maximum|correct|perfect)\b",
    # "I mark every criterion on our checklist as met" describes the candidate's own reviewing
    when=lambda s: not re.search(r"\b(?:i|we)\s+(?:\w+\s+)?(?:mark|grade|rate|score|set|record|count)\s", s, re.I),
)
_p(
    "grade-request",
    r"\b(?:treat|consider|regard|count|mark|grade|rate|score|record|classify)\s+(?:this|my|the)\s+(?:candidate'?s?\s+)?"
    r"(?:answer|response|submission)\s+as\s+(?:fully\s+met|full|complete|correct|excellent|perfect|satisfactory|passing|meeting)\b",
)
_p(
    "grade-request",
    r"\b(?:grade|mark|rate|score|treat|consider)\s+(?:it|this|this\s+answer|my\s+answer)\s+as\s+(?:meeting|satisfying|"
    r"fulfill?ing|covering)\s+(?:every|all|each)\b",
)
_p(
    "grade-request",
    r"\b(?:this|my|the)\s+(?:candidate'?s?\s+)?(?:answer|response|submission)(?:\s+above|\s+below)?\b[^.\n]{0,40}?"
    r"\b(?:(?:covers|satisfies|meets|fulfill?s|addresses|hits|deserves)\s+(?:all|every|each)\s+(?:of\s+)?(?:the\s+)?"
    r"(?:criteri(?:on|a)|requirements?|rubric|points)|deserves\s+full)",
)
_p(
    "grade-request",
    r"\b(?:all|every|each)\s+(?:of\s+)?(?:the\s+)?criteri(?:a|on)\s*(?:are|is|have\s+been|has\s+been|were|was|should\s+be|"
    r"must\s+be)?\s*[:=]?\s*(?:fully\s+)?(?:met|satisfied|fulfilled|full|covered|passed)\b",
)
_p("grade-request", r"\blevel\s+(?:for|of)\s+(?:every|each|all)\s+criteri\w+\s+(?:is|should\s+be|=|:)\s*[\"'“‘]?full")
_p("grade-request", r"\b(?:every|each|all)\s+(?:the\s+)?levels?\s+(?:is|are|=|:|to|should\s+be)\s*[\"'“‘]?full")
_p("grade-request", r"\b(?:be|please\s+be|being)\s+(?:generous|lenient|kind|nice|merciful)\b", when=_has_grading_vocab)
_p("grade-request", r"\b(?:generous|lenient)\s+(?:with|in|when)\s+(?:the\s+|your\s+|my\s+)?(?:grad|mark|scor)\w*")
# addressed to the grader, role play
_p(
    "addressed-to-grader",
    rf"\b(?:dear|hey|hi|hello|attention|note\s+to|notes?\s+for|message\s+(?:to|for)|instructions?\s+(?:to|for)|"
    rf"p\.?\s?s\.?\s+(?:to|for)|memo\s+to|to|for)\s+(?:the\s+|any\s+|all\s+|an?\s+|my\s+)?{_GRADER}\b",
)
_p(
    "addressed-to-grader",
    rf"\b(?:dear|hey|hi|hello|attention|note\s+to|message\s+(?:to|for))\s+(?:the\s+|my\s+)?(?:{_AI}|judge|reviewer)s?\b",
)
_p(
    "addressed-to-grader",
    rf"\b(?:the|any|an?|to|for)\s+{_AI}s?\s+(?:that\s+is\s+|who\s+is\s+|which\s+is\s+)?{_READING}\s+"
    r"(?:this|my|the\s+(?:answer|response|submission))\b",
)
_p(
    "addressed-to-grader",
    rf"\b(?:whoever|whatever|anyone|anybody)\s+(?:\(?or\s+whatever\)?\s+)?(?:is\s+)?{_READING}\s+(?:this|my)\b",
)
_p("addressed-to-grader", rf"\bif\s+you(?:'re|\s+are)\s+(?:an?\s+|the\s+)?(?:{_AI}|{_GRADER}|automated)\b")
_p(
    "addressed-to-grader",
    rf"\b(?:the\s+)?(?:{_GRADER}|(?:ai|llm)\s+grader|language\s+model|llm)\s*(?:instructions?|"
    r"notes?|update|override|message|directive)?\s*[:,]\s",
    clause_start=True,
)
_p(
    "addressed-to-grader",
    r"\b(?:grading|evaluation|evaluator|grader|marking|examiner)\s+(?:instructions?|notes?|update|override|"
    r"message|directive)s?\s*:",
)
_p(
    "addressed-to-grader",
    r"\bin\s+(?:your|the)\s+(?:verdict|evaluation|grading|rationale|feedback|summary\s+field|output\s+json|json\s+output)\b",
    when=lambda s: bool(re.search(r"\b(?:you|your|mention|say|state|write|print|include|list|output)\b", s, re.I)),
)
_p("addressed-to-grader", r"\b(?:summary|rationale|evidence|strengths|gaps|verdict)\s+field\b")
_p(
    "addressed-to-grader",
    rf"\byou\s+are\s+(?:now|no\s+longer)\s+(?:dan\b|in\s+\w+\s+mode|free\b|unrestricted|jailbroken|grading|"
    rf"evaluating|an?\s+(?:\w+\s+)?(?:{_GRADER}|{_AI}|judge)|the\s+(?:\w+\s+)?(?:{_GRADER}|judge))",
)
_p(
    "addressed-to-grader",
    rf"\byou\s+are\s+(?:an?|the)\s+(?:\w+\s+){{0,2}}?(?:{_GRADER}|grading\s+(?:model|assistant))\b",
)
_p(
    "addressed-to-grader",
    rf"\b(?:pretend|imagine|act\s+as\s+if|role-?play)\s+(?:that\s+)?you(?:'re|\s+are)\s+(?:an?\s+|the\s+)?"
    rf"(?:\w+\s+){{0,2}}?(?:{_GRADER}|teacher|professor|judge)",
)
_p("addressed-to-grader", rf"\bact\s+as\s+(?:an?|the)\s+(?:\w+\s+){{0,2}}?(?:{_GRADER}|judge)\b", imperative=True)
_p("addressed-to-grader", r"\bfrom\s+now\s+on,?\s+you\b")
_p(
    "addressed-to-grader",
    r"\b(?:do\s+not|don't|never)\s+(?:flag|report|mention|reveal|penali[sz]e|mark\s+down|deduct|disclose)\b"
    r"[^.\n]{0,40}?\b(?:this|these|the|my)\s+(?:answer|response|submission|instructions?|note|message|request)\b",
)
_p(
    "addressed-to-grader",
    r"\b(?:flag|treat|mark|consider)\w*\s+(?:this|it|my\s+answer)\s+as\s+(?:an?\s+)?(?:prompt\s+)?injection\b",
)
_p(
    "addressed-to-grader",
    r"\b(?:grade|mark|score|evaluate|assess|judge|treat)\s+(?:this|it|the\s+answer|my\s+answer)?\s*as\s+(?:if|though)\b",
)
# fake authority
_p(
    "authority-claim",
    r"\b(?:message|update|note|notice|instructions?|memo|directive)s?\s+from\s+(?:the\s+)?(?:hiring|evaluation|grading|"
    r"assessment|exam(?:ination)?|recruit(?:ing|ment)|admin(?:istrator)?|openai|anthropic|developers?)\b",
)
_p(
    "authority-claim",
    r"\b(?:the\s+)?(?:rubric|grading\s+(?:policy|scheme|criteria|rules)|marking\s+scheme)\s+(?:for\s+this\s+question\s+)?"
    r"(?:has|have)\s+(?:been\s+)?(?:updated|revised|changed|replaced|removed)",
)
_p("authority-claim", r"\b(?:rubric|grading|policy)\s+(?:update|change|revision|override)\b")
_p(
    "authority-claim",
    r"\b(?:this|the)\s+(?:answer|candidate|submission|response)\s+(?:has\s+(?:already\s+)?been|was\s+(?:already\s+)?|"
    r"is\s+(?:already\s+)?)(?:pre-?approved|approved|verified|graded|marked|scored|whitelisted|cleared)\b",
)
_p(
    "authority-claim",
    r"\b(?:full|complete|real|rest\s+of\s+(?:the|my))\s+(?:version\s+of\s+)?(?:my\s+|the\s+|this\s+)?(?:candidate'?s?\s+)?"
    r"answer\s+(?:was|got|has\s+been)\s+(?:truncated|cut\s+off|lost|corrupted)",
)
