"""How the test server (:mod:`grader.testing.devserver`) grades a chat request
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

How a request is read (answer, criterion ids and texts) is :mod:`._request`.
"""

from __future__ import annotations

import re
from typing import Any

from grader.testing.devserver._request import _Request

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
