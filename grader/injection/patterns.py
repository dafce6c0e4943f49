"""The injection detector's pattern table (see :mod:`grader.injection` for how it is used).

Each entry is ``(kind, compiled pattern, position, predicate)``: ``position`` is ``"imperative"``
(the match must start an order), ``"clause"`` (it must start a clause) or ``""``; the predicate, if
any, must hold for the sentence around the match. ``_GATES`` holds, per pattern, the literal words
one of which every match contains (read off the pattern's parse tree), so a pattern can be skipped
cheaply when none of them occurs in the text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

try:  # the regex parser, to read each pattern's required words (see _required_literals)
    import re._constants as _C
    import re._parser as _sre_parse
except ImportError:  # pragma: no cover - Python < 3.11
    import sre_constants as _C
    import sre_parse as _sre_parse

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


def _has_grading_vocab(sentence: str) -> bool:
    return bool(_GRADING_VOCAB.search(sentence))


# (kind, pattern, position required: "" | "imperative" | "clause", predicate on the sentence)
_PATTERNS: list[tuple[str, re.Pattern[str], str, _Pred | None]] = []


def _p(
    kind: str,
    pattern: str,
    *,
    imperative: bool = False,
    clause_start: bool = False,
    when: _Pred | None = None,
    flags: int = re.I,
) -> None:
    position = "imperative" if imperative else "clause" if clause_start else ""
    _PATTERNS.append((kind, re.compile(pattern, flags), position, when))


_THIRD_PARTY = re.compile(
    r"\b(?:models?|llms?|it|they|the\s+ai|(?:chat)?bots?|systems?)\s+(?:\w+\s+)?(?:tends?\s+to|may|might|can|could|will|"
    r"would|often|sometimes|usually|just|still)\s+(?:\w+\s+)?(?:ignor|disregard|forget|drop)",
    re.I,
)


def _not_described(sentence: str) -> bool:
    return not _THIRD_PARTY.search(sentence)


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
# generalisations after the first held-out round (see tests/injection_cases.py)
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
# other languages
_p(
    "other-language",
    r"\b(?:ignorier\w*|missacht\w*|vergiss|vergessen\s+sie)\b[^.\n]{0,60}\b(?:anweisung\w*|vorgaben|regeln|rubrik)",
)
_p("other-language", r"\b(?:volle|maximale|höchste)\s+punkt(?:zahl|e)\b|höchstpunktzahl|bestnote|alle\s+punkte\b")
_p(
    "other-language",
    r"\b(?:hinweis|nachricht|anweisung)\s+an\s+(?:den|das|die)\s+(?:bewert\w+|prüf\w+|korrekt\w+|ki\b)",
)
_p(
    "other-language",
    r"\b(?:ignorez|ignore|oubliez|oublie)\b[^.\n]{0,40}\b(?:instructions|consignes|règles|directives)\s+(?:précédentes|"
    r"ci-dessus|antérieures)",
)
_p(
    "other-language",
    r"\bnote\s+(?:maximale|parfaite)|\b(?:tous|toutes)\s+les\s+points\b|\bcher\s+(?:correcteur|évaluateur|examinateur)",
)
_p(
    "other-language",
    r"\b(?:ignora|ignore|ignoren|olvida|olvide|esqueça|ignorate|dimentica)\b[^.\n]{0,40}\b(?:instrucciones|reglas|"
    r"indicaciones|instruções|regras|istruzioni|regole)\s+(?:anteriores|previas|prévias|precedenti)",
)
_p(
    "other-language",
    r"\b(?:puntuación|calificación|nota|puntaje|pontuação|punteggio|voto)\s+(?:máxima|massimo)|\bmáxima\s+(?:puntuación|"
    r"calificación|nota)|\btodos\s+los\s+puntos\b|\b(?:querido|estimado)\s+(?:evaluador|calificador|corrector)|\bavaliador\s*[,:]",
)
_p(
    "other-language",
    r"\bnegeer\b[^.\n]{0,40}\b(?:instructies|regels)|\bmaximale\s+(?:score|punten)\b|\bvolle\s+punten\b",
)
_p(
    "other-language",
    r"(?:проигнорир|игнорир)\w*|\bзабудь\w*\s+(?:все\s+)?(?:предыдущ\w+\s+)?инструкц\w*|максимальн\w*\s+(?:балл|оценк)\w*|"
    r"высш\w+\s+(?:балл|оценк)\w*|(?:проверяющ|оценщик|экзаменатор)\w*",
)
_p(
    "other-language",
    r"(?:忽略|无视|無視|忽视)[^。\n]{0,8}(?:之前|以上|前面|上面|先前|所有|全部)[^。\n]{0,6}(?:指令|指示|说明|規則|规则)|"
    r"(?:给|給|打)[^。\n]{0,10}(?:满分|滿分|最高分)|评分(?:者|员|系统)|阅卷(?:人|老师)",
)
_p("other-language", r"(?:以前|前|上記|これまで)の?(?:指示|命令|ルール)を?無視|満点|採点者|採点システム")
_p("other-language", r"이전\s*지시를?\s*무시|만점|최고\s*점수|채점자")
_p("other-language", r"\bzignoruj\b|\bmaksymaln\w+\s+(?:liczb\w+\s+)?punkt|\bönceki\s+talimatları\b|\btam\s+puan\b")

_IMPERATIVE_WORDS = frozenset(
    [
        "please",
        "kindly",
        "now",
        "just",
        "simply",
        "then",
        "first",
        "also",
        "and",
        "so",
        "must",
        "should",
        "shall",
        "will",
        "can",
        "may",
        "to",
    ]
)
_IMPERATIVE_PUNCT = set(".!?:;([\"'“‘—–-*>,\n#/|")


def _clause_start_at(view: str, pos: int) -> bool:
    """The match starts the text, a line, a sentence, a code comment (``#``, ``//``, ``/*``), a table cell
    or a quoted line, or follows an opening bracket."""
    before = view[:pos].rstrip(" \t")
    return not before or before[-1] in ".!?\n([#/|*>"


def _imperative_at(view: str, pos: int) -> bool:
    """The match starts a clause (sentence start, after a colon, after *please*, *you must* …)."""
    before = view[:pos].rstrip(" \t")
    if not before or before[-1] in _IMPERATIVE_PUNCT:
        return True
    words = re.findall(r"[\w']+", before[-40:].lower())
    return bool(words) and words[-1] in _IMPERATIVE_WORDS


# -- a cheap pre-filter: a pattern whose every match must contain one of a few literal words is
# skipped when none of them occurs in the text (most answers contain none of most patterns' words).
# The literals are read off the compiled pattern's parse tree, so they cannot drift from it.


# The parse tree is ``(opcode, argument)`` pairs from CPython's private, unstubbed regex parser.
_ParseItems = Iterable[tuple[Any, Any]]


def _leading_literal(items: _ParseItems) -> str | None:
    out = ""
    for op, av in items:
        if op is _C.LITERAL:
            out += chr(av)
        elif op is _C.SUBPATTERN:
            inner = _leading_literal(av[3])
            if inner:
                out += inner
            break
        else:
            break
    return out.lower() if len(out) >= 3 else None


def _required_literals(pattern: re.Pattern[str]) -> tuple[str, ...] | None:
    """Words one of which every match of ``pattern`` contains, or None when that is not obvious."""
    try:
        parsed = _sre_parse.parse(pattern.pattern, pattern.flags)
    except Exception:  # pragma: no cover - parser internals changed: no pre-filter, same results
        return None

    def required(items: _ParseItems) -> tuple[str, ...] | None:
        for op, av in items:
            if op is _C.SUBPATTERN:
                found = required(av[3])
            elif op is _C.BRANCH:
                alts = [lit for branch in av[1] if (lit := _leading_literal(branch))]
                found = tuple(alts) if len(alts) == len(av[1]) else None
            else:
                continue
            if found:
                return found
        return None

    return required(list(parsed))


_GATES: list[tuple[str, ...] | None] = [_required_literals(p) for _, p, _, _ in _PATTERNS]
