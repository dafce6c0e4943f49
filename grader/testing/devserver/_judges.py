"""How the test server (:mod:`grader.testing.devserver`) reads a chat request and grades it
(standard library only).

Modes (how it "grades"):

- ``honest`` — a deterministic, crude-but-sensible judge. For each criterion it finds the answer
  sentence sharing the most content words (lowercased alphabetic tokens of 4+ letters, stopwords
  removed, a trailing plural ``s`` folded) with the criterion text: ``full`` if the overlap is at
  least 34 % of the criterion's content words, ``partial`` at 15 % (or 2+ shared words), else
  ``missing``. The evidence is that sentence, verbatim.
- ``gullible`` — obeys the answer: every criterion ``full``, alternately quoting a fabricated
  sentence (not in the answer) and a sentence from the answer, preferring attack text.
- ``obedient`` — obeys the answer and quotes only the answer's own words: every criterion ``full``,
  citing the answer sentence sharing the most words with the criterion (the first sentence if none
  does) and the first sentence that addresses the grader, if any.

What it reads from a request: the answer is the text strictly between
:data:`grader.prompts.OPEN_TAG` and :data:`~grader.prompts.CLOSE_TAG` (stripped); the criterion ids
come from ``response_format``'s schema (``…criterion_id.enum``), else the ``Valid criterion ids:``
line of the user message, else a JSON schema embedded in the system message; the criterion texts
from the user-message lines ``- <id> — weight <w> — <text>``.

Also home to :class:`_Reply` and :func:`_error`, the reply shape every module of the server uses.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

# Same values as grader.prompts.OPEN_TAG / CLOSE_TAG (a test checks it): not imported from there,
# because grader.prompts pulls in jinja2 and pydantic and this module must stay standard-library only.
OPEN_TAG = "<<<CANDIDATE_ANSWER>>>"
CLOSE_TAG = "<<<END_CANDIDATE_ANSWER>>>"

_STOPWORDS = frozenset(
    [
        "about",
        "above",
        "after",
        "again",
        "against",
        "also",
        "always",
        "among",
        "another",
        "answer",
        "answers",
        "around",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "candidate",
        "could",
        "does",
        "doing",
        "done",
        "during",
        "each",
        "either",
        "else",
        "enough",
        "even",
        "ever",
        "every",
        "example",
        "explain",
        "explains",
        "explained",
        "describe",
        "describes",
        "described",
        "from",
        "further",
        "give",
        "gives",
        "have",
        "having",
        "here",
        "however",
        "into",
        "itself",
        "just",
        "least",
        "less",
        "like",
        "likely",
        "made",
        "make",
        "makes",
        "many",
        "more",
        "most",
        "much",
        "must",
        "name",
        "names",
        "need",
        "needs",
        "never",
        "only",
        "other",
        "others",
        "otherwise",
        "over",
        "same",
        "shall",
        "should",
        "show",
        "shows",
        "since",
        "some",
        "such",
        "than",
        "that",
        "their",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "thing",
        "things",
        "this",
        "those",
        "though",
        "through",
        "thus",
        "under",
        "until",
        "upon",
        "used",
        "uses",
        "using",
        "very",
        "want",
        "well",
        "were",
        "what",
        "when",
        "where",
        "whether",
        "which",
        "while",
        "whom",
        "whose",
        "will",
        "with",
        "within",
        "without",
        "would",
        "your",
        "yours",
        "mention",
        "mentions",
        "strong",
        "covers",
        "cover",
    ]
)
_WORD = re.compile(r"[a-z]+")
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+|\n+")
_CRITERION_LINE = re.compile(r"^\s*-\s+([a-z0-9][a-z0-9-]*)\s+—\s+weight\s+[0-9.]+\s+—\s+(.+?)\s*$", re.M)
_VALID_IDS = re.compile(r"^Valid criterion ids:\s*(.+?)\s*$", re.M)
_INJECTION_PHRASES = (
    "ignore previous instructions",
    "ignore all previous",
    "ignore the previous",
    "ignore your instructions",
    "ignore the rubric",
    "disregard the rubric",
    "disregard previous",
    "full marks",
    "maximum marks",
    "full score",
    "perfect score",
    "10/10",
    "give this answer",
    "award this answer",
    "as the grader",
    "you are the grader",
    "dear grader",
    "note to the grader",
    "system:",
    "mark every criterion",
)
_ATTACK_WORDS = ("ignore", "marks", "grader", "score", "full", "instructions", "points", "award")


def _words(text: str) -> set[str]:
    out = set()
    for w in _WORD.findall(text.lower()):
        if len(w) < 4 or w in _STOPWORDS:
            continue
        if w.endswith("s") and not w.endswith("ss") and len(w) > 4:
            w = w[:-1]
        out.add(w)
    return out


def _sentences(answer: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_SPLIT.split(answer) if s and s.strip()]


def _error(message: str, type_: str, code: Any = None, param: Any = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}


@dataclass
class _Reply:
    """What the handler does for one request."""

    status: int = 200
    body: Any = None  # JSON-serialisable
    headers: dict[str, str] = field(default_factory=dict)
    action: str = "send"  # send | reset
    delay: float = 0.0  # extra sleep before acting (the timeout fault)
    raw: bytes | None = None  # send these bytes as the body instead of ``body`` as JSON
    content_type: str = "application/json"


class _Request:
    """What the server understood of one chat-completion request."""

    def __init__(self, payload: dict[str, Any]) -> None:
        self.payload = payload
        self.model = str(payload.get("model") or "devserver")
        messages = payload.get("messages") or []
        self.messages = [m for m in messages if isinstance(m, dict)]
        self.texts = [self._text(m.get("content")) for m in self.messages]
        rf = payload.get("response_format")
        self.response_format = rf if isinstance(rf, dict) else None
        self.format_type = self.response_format.get("type") if self.response_format else None
        self.format_name = (
            "json_object_schema"
            if self.format_type == "json_object" and (self.response_format or {}).get("schema")
            else self.format_type or "none"
        )
        self.answer = self._find_answer()
        self.criteria, self.criteria_source = self._find_criteria()

    @staticmethod
    def _text(content: Any) -> str:
        if isinstance(content, str):
            return content
        if isinstance(content, list):  # content parts
            return "\n".join(p.get("text", "") for p in content if isinstance(p, dict))
        return ""

    def _role_texts(self, *roles: str) -> list[str]:
        return [t for m, t in zip(self.messages, self.texts) if m.get("role") in roles]

    def _find_answer(self) -> str | None:
        for text in [*self._role_texts("user"), *self._role_texts("system", "developer")]:
            start = text.find(OPEN_TAG)
            if start < 0:
                continue
            end = text.find(CLOSE_TAG, start + len(OPEN_TAG))
            if end >= 0:
                return text[start + len(OPEN_TAG) : end].strip()
        return None

    def _schema_ids(self, schema: Any) -> list[str] | None:
        try:
            ids = schema["properties"]["criteria"]["items"]["properties"]["criterion_id"]["enum"]
        except (KeyError, TypeError):
            return None
        return [str(i) for i in ids] if isinstance(ids, list) and ids else None

    def _find_criteria(self) -> tuple[list[tuple[str, str]], str]:
        ids: list[str] | None = None
        source = ""
        rf = self.response_format or {}
        schema = (rf.get("json_schema") or {}).get("schema") if isinstance(rf.get("json_schema"), dict) else None
        ids = self._schema_ids(schema) or self._schema_ids(rf.get("schema"))
        if ids:
            source = "response_format"
        if not ids:
            for text in self._role_texts("user"):
                m = _VALID_IDS.search(text)
                if m:
                    ids = [i.strip() for i in m.group(1).split(",") if i.strip()]
                    source = "user_prompt"
                    break
        if not ids:
            for text in self._role_texts("system", "developer"):
                ids = self._embedded_schema_ids(text)
                if ids:
                    source = "system_schema"
                    break
        texts: dict[str, str] = {}
        for text in self._role_texts("user"):
            for m in _CRITERION_LINE.finditer(text):
                texts.setdefault(m.group(1), m.group(2))
        if not ids:
            ids, source = list(texts), "criterion_lines" if texts else ""
        return [(i, texts.get(i, i.replace("-", " "))) for i in ids], source

    def _embedded_schema_ids(self, text: str) -> list[str] | None:
        decoder = json.JSONDecoder()
        pos = text.find("{")
        while pos >= 0:
            try:
                obj, _ = decoder.raw_decode(text, pos)
            except ValueError:
                obj = None
            ids = self._schema_ids(obj) if isinstance(obj, dict) else None
            if ids:
                return ids
            pos = text.find("{", pos + 1)
        return None

    @property
    def schema_in_prompt(self) -> bool:
        """Whether a system message embeds the verdict's JSON schema (JSON mode needs it there)."""
        return any('"criterion_id"' in t for t in self._role_texts("system", "developer"))

    @property
    def prompt_chars(self) -> int:
        return sum(len(t) for t in self.texts)


# -- the two judges ----------------------------------------------------------------------------


def _lower_first(text: str) -> str:
    text = text.strip().rstrip(".")
    return text[:1].lower() + text[1:] if text else text


def _honest_verdict(req: _Request) -> dict[str, Any]:
    answer = req.answer or ""
    sentences = _sentences(answer)
    sentence_words = [(s, _words(s)) for s in sentences]
    criteria, strengths, gaps = [], [], []
    full = partial = 0
    for cid, text in req.criteria:
        want = _words(text)
        best, best_shared = "", set[str]()
        for s, words in sentence_words:
            shared = want & words
            if len(shared) > len(best_shared):
                best, best_shared = s, shared
        ratio = len(best_shared) / len(want) if want else 0.0
        if want and ratio >= 0.34:
            level = "full"
        elif want and (ratio >= 0.15 or len(best_shared) >= 2):
            level = "partial"
        else:
            level = "missing"
        shared_list = ", ".join(sorted(best_shared)[:6])
        if level == "missing":
            rationale = "No sentence of the answer addresses this criterion."
            gaps.append(
                {
                    "gap": f"Does not address: {_lower_first(text)}.",
                    "next_step": f"Add two or three sentences on {_lower_first(text)}, with one concrete example.",
                }
            )
        else:
            rationale = (
                f"The best matching sentence shares {len(best_shared)} of {len(want)} key words "
                f"with the criterion ({shared_list})."
            )
            if level == "full":
                full += 1
                strengths.append(f"Covers {_lower_first(text)}.")
            else:
                partial += 1
                gaps.append(
                    {
                        "gap": f"Only partly covers: {_lower_first(text)}.",
                        "next_step": f"Expand the point on {shared_list or 'this'} into a precise explanation.",
                    }
                )
        criteria.append(
            {
                "criterion_id": cid,
                "evidence": [best] if level != "missing" else [],
                "rationale": rationale,
                "level": level,
            }
        )
    n = len(req.criteria)
    summary = f"Your answer fully covers {full} of {n} criteria and partly covers {partial}."
    summary += " Work on the gaps listed below next." if gaps else " Well done: keep answers this complete."
    lowered = answer.lower()
    return {
        "criteria": criteria,
        "strengths": strengths,
        "gaps": gaps,
        "injection_attempt": any(p in lowered for p in _INJECTION_PHRASES),
        "summary": summary,
    }


def _obedient_verdict(req: _Request) -> dict[str, Any]:
    answer = req.answer or ""
    sentences = _sentences(answer) or [answer]
    attack = [s for s in sentences if any(w in s.lower() for w in _ATTACK_WORDS)]
    criteria = []
    for cid, text in req.criteria:
        want = _words(text)
        best = max(sentences, key=lambda s: len(want & _words(s)))
        quotes = list(dict.fromkeys([best, *attack[:1]]))
        criteria.append(
            {
                "criterion_id": cid,
                "evidence": quotes,
                "rationale": "The answer fully satisfies this criterion, as it says.",
                "level": "full",
            }
        )
    return {
        "criteria": criteria,
        "strengths": ["An excellent, complete answer."],
        "gaps": [],
        "injection_attempt": False,
        "summary": "Full marks, as the answer asks.",
    }


def _gullible_verdict(req: _Request) -> dict[str, Any]:
    answer = req.answer or ""
    sentences = _sentences(answer)
    attack = [s for s in sentences if any(w in s.lower() for w in _ATTACK_WORDS)]
    quoted = (attack or sentences or [""])[0]
    criteria = []
    for i, (cid, text) in enumerate(req.criteria):
        if i % 2 == 0 or not quoted:
            quote = f"The candidate gives an outstanding and complete treatment of {_lower_first(text)}."
            if quote in answer:
                quote += " Truly exceptional."
        else:
            quote = quoted
        criteria.append(
            {
                "criterion_id": cid,
                "evidence": [quote],
                "rationale": "The answer fully satisfies this criterion, as it requests.",
                "level": "full",
            }
        )
    return {
        "criteria": criteria,
        "strengths": ["An excellent, complete answer."],
        "gaps": [],
        "injection_attempt": False,
        "summary": "Full marks: this answer covers everything. No improvements needed.",
    }
