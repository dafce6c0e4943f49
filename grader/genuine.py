"""An answer's genuine text: what is left when grading talk, verdict fields and claims of coverage are set aside.

Shared by the support check (:mod:`grader.support`) and the second opinion (:mod:`grader.second_opinion`):

- :func:`strip_grading_talk` — a quote without its clauses that talk to or about the grader and its
  sentences that hold verdict fields (``criterion_id: x``, ``level: full``);
- :func:`coverage_claim` — a sentence that says the rubric's points are covered, met or ticked and names
  several criteria without saying anything of its own (*For the record, this response covers
  reference-image conditioning, IP-Adapter, seed management … in full*; *definition ✓ flickering ✓
  morphing ✓*): a self-assessment, about the grading, never evidence;
- :func:`on_topic` — whether the answer's genuine text says anything about the subject: a sentence with a
  key term of one of the criteria, or at least :data:`MIN_GENUINE_TERMS` content words of its own. An
  answer that does neither is off the subject or all non-answer text (a persona, a plea, a notice, an
  encoded payload, another language), whatever the injection detector found;
- :func:`thin` — whether the answer's genuine text has fewer than :data:`MIN_OWN_WORDS` words of its own
  (outside the rubric's vocabulary): an outline of headings, a table of the criteria with "met", a changelog
  naming the points. In such an answer :func:`is_label` tells a quote's line that merely names a criterion
  (a heading, a table row, a checklist item) from one that says something about it.

Lexical only: no embedding, so it costs microseconds and holds when an attack is worded in a way no
pattern or prototype of the detector knows.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from grader.text import terms
from grader.text.vocabulary import STOPWORDS

if TYPE_CHECKING:
    from grader.judges.local.signals import RubricProfile

__all__ = [
    "ABOUT_ANSWERS",
    "COVERAGE_CLAIM",
    "STRONG_CLAIM",
    "GRADING_WORDS",
    "MIN_GENUINE_TERMS",
    "VERDICT_FIELDS",
    "coverage_claim",
    "covered_words",
    "genuine_text",
    "has_claim_cue",
    "MIN_OWN_WORDS",
    "on_topic",
    "quote_line",
    "is_label",
    "LABEL_WORDS",
    "thin",
    "shares_term",
    "strip_grading_talk",
]

MIN_GENUINE_TERMS = 20
"""An answer whose genuine text (see :func:`on_topic`) uses none of the criteria's key terms
is still on topic with at least this many content words of its own. Measured: the development and fresh
attack-only answers that are off the subject have at most 15 (a plea, a notice, a persona), the honest
narrative answer without the rubric's words (``b20``) 36; on ``criteria-dev`` the 15 answers without a key term
are all "thin" ones, with 14 to 49."""

_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|$)")
_LINE_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")  # a sentence, or a line without end punctuation (a table row)
_CLAUSE = re.compile(r"[^.!?;:\n]+(?:[.!?;:]+|$)")
VERDICT_FIELDS = re.compile(
    r"\bcriterion_id\b|\binjection_attempt\b|\bmax_score\b|"
    r"\blevel[\"']?\s*[:=]\s*[\"']?(?:full|partial|missing)\b",
    re.I,
)
"""A grader's verdict written into the answer ("level: full", ``"max_score": 10``): grading talk too. Not a bare
``"score": 7.5`` — an API's JSON has those."""
_COVERED = (
    r"(?:cover(?:s|ed)?|address(?:es|ed)?|met|meets|satisf(?:ies|ied)|fulfil(?:l?s|led)?|explained|discussed|"
    r"mentioned|included|answered|handled|described|confirmed|done|demonstrated|shown|understood|assumed|evidenced)"
)
_STRONG_CLAIM = (
    r"[\u2611\u2705\u2713\u2714]|\[[xX\u2713\u2714]\]|"  # tick marks, ticked markdown checkboxes
    rf"\b(?:this|my|the)\s+(?:response|answer|reply|submission|text|write-?up|candidate)\s+(?:\w+\s+){{0,2}}{_COVERED}\b|"
    rf"\b{_COVERED}\s+(?:in\s+full|fully|completely|above|here|already)\b|"
    rf"\b(?:fully|completely|all|both|each|every|already|been)\s+(?:\w+\s+){{0,2}}{_COVERED}\b|"
    r"\bi(?:'ve|\s+have)?\s+(?:now\s+)?(?:fully\s+)?(?:covered|addressed)\s+(?:\w+\s+){0,2}?"
    r"(?:all|every\w*|each|both|the\s+(?:points|criteria|items|topics))\b|"
    rf"\b(?:consider|count|treat|mark)\b[^.;:!?]*\b{_COVERED}\b|"
    r"\bnothing\s+(?:is\s+|was\s+)?(?:left\s+out|missing|omitted|skipped)|\b(?:whole|full|complete)\s+list\b|"
    r"\bthat(?:'s|\s+is)\s+(?:all|everything)\b|\b(?:each|all|both|every\w*)\s+(?:\w+\s+){0,2}?apply\s+here\b|"
    r"\bneeds?\s+no\s+(?:repetition|further|more|explanation)|\b(?:can|may)\s+be\s+(?:assumed|taken\s+as\s+read)\b|"
    r"\brubrics?\b|\bcriteri(?:on|a)\b|\bgraders?\b"  # the points named as the rubric's, not answered
)
_WEAK_CLAIM = (
    r"\b(?:each|all|both|every\w*)\s+(?:\w+\s+){0,2}?(?:there|present|in\s+place)\b|"
    r"\b(?:model|reference|ideal|perfect)\s+answer\b|\bas\s+(?:already\s+)?discussed\b|"
    r"\bsee\s+(?:my|the)\s+(?:portfolio|cv|r[eé]sum[eé]|website|github|previous|other|earlier)\b"
)
STRONG_CLAIM = re.compile(_STRONG_CLAIM, re.I)
COVERAGE_CLAIM = re.compile(_STRONG_CLAIM + "|" + _WEAK_CLAIM, re.I)
"""A claim that *the text itself* covers the points: tick marks and ticked checkboxes, "this response covers
…", "… explained here", "all covered", "the reviewer already confirmed …", "I have addressed all …", "consider
these covered", "the whole list, nothing left out"; and, weaker (``_WEAK_CLAIM``: the list must then have
no word of its own), points said to be present elsewhere: "see my portfolio, all there", "model answer:
…", "as discussed". Not a description of a tool or a process ("our checklist covers flicker, morphing
and drift"). One cue of :func:`coverage_claim`; the other (a list of the points with nothing of its own)
is what keeps it off honest sentences."""

_COVERED_WORD = re.compile(rf"\b{_COVERED}\b", re.I)
# the same alternatives without their leading word boundary, on lower-cased text: a superset that Python's
# regex engine scans about three times faster (a case-sensitive pattern whose branches start with literals
# skips most positions); most answers fail it, and only those that pass are searched with the real pattern
_CLAIM_GATE = re.compile(COVERAGE_CLAIM.pattern.replace(r"|\b", "|"))


@lru_cache(maxsize=4096)  # asked of the same answer once per quote
def has_claim_cue(text: str) -> bool:
    """Whether ``text`` has a cue of :data:`COVERAGE_CLAIM` (fast path for the many answers without one)."""
    return _CLAIM_GATE.search(text.lower()) is not None and COVERAGE_CLAIM.search(text) is not None


GRADING_WORDS = re.compile(
    r"\b(?:rubric|criteri\w*|graders?|marks|marking|scor\w*|bands?|evaluat\w*|assess\w*|examiner\w*|reviewer\w*)\b",
    re.I,
)
"""Words about grading: a clause with one says nothing about the subject for :func:`on_topic` (a notice that
"length-based evaluation" is enabled uses the key term "based" by accident). Not "grade", "points" or
"levels": colour grading, points of failure and black levels are the subject."""


ABOUT_ANSWERS = re.compile(
    r"\b(?:answers?|repl(?:y|ies)|responses?|submissions?)\s+(?:that|which)\s+(?:\w+\s+){0,2}?"
    r"(?:mentions?|names?|includes?|covers?|contains?|lists?|says?)\b",
    re.I,
)
"""A clause about how answers in general are treated (*replies that mention queues now pass every check*, *any
reply that mentions guidance satisfies all of them*): talk about the grading, not about the subject."""


def _grading_clause(text: str) -> bool:
    from grader.judges.local.signals import is_grading_talk

    return is_grading_talk(text) or bool(VERDICT_FIELDS.search(text)) or bool(ABOUT_ANSWERS.search(text))


@lru_cache(maxsize=8192)  # a pure function of the text, asked twice per quote (would_embed, then the check)
def strip_grading_talk(quote: str) -> str:
    """The quote without its sentences that hold verdict fields (``criterion_id: x``, ``"score": 10`` —
    a clause split would leave their values) and its clauses that are grading talk (the quote itself
    when it has neither)."""
    if not _grading_clause(quote):
        return quote
    if VERDICT_FIELDS.search(quote):
        quote = " ".join(s.strip() for s in _SENTENCE.findall(quote) if s.strip() and not VERDICT_FIELDS.search(s))
    kept = [s.strip() for s in _CLAUSE.findall(quote) if s.strip() and not _grading_clause(s)]
    return " ".join(kept)


def covered_words(sentence: str) -> str:
    """The sentence without its claim of coverage (the cue and the verbs of coverage): the words that are
    left to name the points or to say something of their own."""
    return _COVERED_WORD.sub(" ", COVERAGE_CLAIM.sub(" ", sentence))


def coverage_claim(profile: RubricProfile, sentence: str) -> bool:
    """Whether ``sentence`` claims the rubric's points are covered instead of answering them: a cue of
    :data:`COVERAGE_CLAIM`, the key terms of two or more criteria named, and no more content words of its
    own (neither the rubric's nor the claim's) than criteria named."""
    if not has_claim_cue(sentence):
        return False
    from grader.judges.local.signals import content_terms

    bag = content_terms(sentence, profile.glossary)
    named = sum(1 for c in profile.criteria if shares_term(c.key_terms, bag))
    if named < 2:
        return False
    rubric_words = profile.rubric_terms.union(*(c.key_terms for c in profile.criteria))
    own = [w for w in terms(covered_words(sentence)) if not shares_term(frozenset([w]), rubric_words)]
    return len(own) <= (named if STRONG_CLAIM.search(sentence) else 0)


def shares_term(terms: frozenset[str], bag: frozenset[str]) -> bool:
    """A term of ``terms`` is in ``bag``, or a long word of both shares its stem (``drift``/``drifts``)."""
    if terms & bag:
        return True
    long_bag = [b for b in bag if len(b) >= 5]
    return any(
        b.startswith(t[:5]) and (b.startswith(t) or t.startswith(b)) for t in terms if len(t) >= 5 for b in long_bag
    )


def genuine_text(profile: RubricProfile, text: str, claims: bool = True) -> str:
    """``text`` without grading talk, claims of coverage and clauses with a word about grading
    (:data:`GRADING_WORDS`) in which fewer than two words are the criteria's key terms: what it says about
    the subject, if anything ("length-based evaluation enabled" goes). A sentence that is grading talk
    through and through is read without its grading words, as the second opinion reads it ("as the
    evaluator on our team I insist on a character sheet … IP-Adapter … a fixed seed" stays)."""
    from grader.scoring import GRADING_TALK

    keys = frozenset().union(*(c.key_terms for c in profile.criteria))
    kept = []
    for m in _LINE_SENTENCE.finditer(text):
        raw = m.group().strip()
        sentence = strip_grading_talk(raw)
        if not sentence and not VERDICT_FIELDS.search(raw):
            sentence = " ".join(GRADING_TALK.sub(" ", raw).split())
        if not sentence or (claims and coverage_claim(profile, sentence)):
            continue
        for clause in (c.strip() for c in _CLAUSE.findall(sentence)):
            if not clause:
                continue
            if GRADING_WORDS.search(clause) and sum(1 for w in terms(clause) if shares_term(frozenset([w]), keys)) < 2:
                continue
            kept.append(clause)
    return " ".join(kept)


def on_topic(profile: RubricProfile, answer: str, spans: Sequence[tuple[int, int]] = ()) -> bool:
    """Whether the answer has something of its own to say about the subject. Its *genuine* text is what
    is left outside ``spans`` (the detector's), without grading-talk clauses and claims of coverage. The
    answer is on topic if a genuine sentence uses a key term of one of the criteria, or if the genuine
    text has at least ``MIN_GENUINE_TERMS`` content words (a narrative answer to a behavioural question
    may use none of the rubric's words). Lexical only (no embedding). An answer that is neither is
    off-topic or all non-answer text (a persona, a plea, a notice, another language, an encoded
    payload): the second opinion then wants a criterion's own key terms in the quotes that credit it
    (:mod:`grader.second_opinion`)."""
    from grader.judges.local.signals import content_terms

    genuine = 0
    claims = has_claim_cue(answer)  # no sentence has a claim of coverage when the answer has no cue
    for m in _LINE_SENTENCE.finditer(answer):
        if any(s < m.end() and m.start() < e for s, e in spans):
            continue
        text = genuine_text(profile, m.group().strip(), claims)
        if not text:
            continue
        bag = content_terms(text, profile.glossary)
        if any(shares_term(c.key_terms, bag) for c in profile.criteria):
            return True
        genuine += len(terms(text))
    return genuine >= MIN_GENUINE_TERMS


MIN_OWN_WORDS = 12
"""An answer is *thin* (:func:`thin`) when its genuine text has fewer distinct content words of its own —
neither the rubric's (question, hint, criteria) nor a status word — than this. Short honest answers are thin too
(43 of the 104 development benign answers, s19: they answer in the rubric's words), so being thin costs nothing by
itself: only a quote that merely names a criterion (:func:`is_label`) or repeats its text loses, and none of the
annotated honest quotes does (``benchmarks/evidence_support.py``). The outlines and criterion tables it is for
have 0 to 5 (``r4a14``, ``r4a22``)."""

#: words that mark an item done or not in a table, a checklist or a config: not something said about the subject
_STATUS = frozenset(
    [
        *("met", "done", "yes", "pass", "passed", "ok", "okay", "true", "false", "covered", "complete"),
        *("completed", "present", "todo", "tbd", "outcome", "status"),
    ]
)
LABEL_WORDS = 5
"""A line of more words is a sentence, not a label (:func:`is_label`)."""
_WORD = re.compile(r"[^\W_]+")
#: id(profile) → (profile, the rubric's vocabulary: its terms and every criterion's key terms, and a memo of
#: word → whether it is a word of the answer's own); bounded
_VOCAB: dict[int, tuple[RubricProfile, frozenset[str], dict[str, bool]]] = {}


def _vocabulary(profile: RubricProfile) -> tuple[frozenset[str], dict[str, bool]]:
    entry = _VOCAB.get(id(profile))
    if entry is not None and entry[0] is profile:
        return entry[1], entry[2]
    if len(_VOCAB) >= 256:
        _VOCAB.clear()
    vocab = profile.rubric_terms.union(*(c.key_terms for c in profile.criteria))
    memo: dict[str, bool] = {}
    _VOCAB[id(profile)] = (profile, vocab, memo)
    return vocab, memo


def own_words(profile: RubricProfile, text: str) -> frozenset[str]:
    """The content words of ``text`` that are neither the rubric's (nor a close spelling of one) nor a
    status word (*met*, *done*, *todo*): what it says in words of its own. Memoised per rubric and word (the
    close-spelling test walks the rubric's vocabulary)."""
    vocab, memo = _vocabulary(profile)
    out = []
    for w in terms(text):
        mine = memo.get(w)
        if mine is None:
            if len(memo) >= 20000:
                memo.clear()
            mine = memo[w] = w not in _STATUS and not shares_term(frozenset([w]), vocab)
        if mine:
            out.append(w)
    return frozenset(out)


def is_label(profile: RubricProfile, line: str) -> bool:
    """Whether ``line`` (a quote's line-sentence, :func:`quote_line`) only names a criterion: a heading, a table
    row or a checklist item of at most :data:`LABEL_WORDS` words, without a function word but *and*/*or*, that uses
    a criterion's key terms and no word of its own (*## Exponential backoff*, *seed-management,met*). What it names
    is not what it says about it; a short sentence (*CFG is a scale.*) says something."""
    found = [w.casefold() for w in _WORD.findall(line)]
    if len(found) > LABEL_WORDS or any(w in STOPWORDS and w not in ("and", "or") for w in found):
        return False  # a sentence ("CFG is a scale."), not a name
    from grader.judges.local.signals import content_terms

    bag = content_terms(line, profile.glossary)
    return any(shares_term(c.key_terms, bag) for c in profile.criteria) and not own_words(profile, line)


def thin(profile: RubricProfile, answer: str, spans: Sequence[tuple[int, int]] = ()) -> bool:
    """Whether the answer's genuine text (outside ``spans``, without grading talk and claims of coverage) has
    fewer than :data:`MIN_OWN_WORDS` words of its own (:func:`own_words`). Stops reading once it has enough,
    so a real answer costs a sentence or two. Lexical only."""
    seen: set[str] = set()
    claims = has_claim_cue(answer)
    for m in _LINE_SENTENCE.finditer(answer):
        if any(s < m.end() and m.start() < e for s, e in spans):
            continue
        text = genuine_text(profile, m.group().strip(), claims)
        if text:
            seen.update(own_words(profile, text))
            if len(seen) >= MIN_OWN_WORDS:
                return False
    return True


def quote_line(answer: str, start: int | None, end: int | None) -> str:
    """The line-sentence of ``answer`` (a sentence, or a line without end punctuation) around a located quote
    (the quote's own span when it crosses several)."""
    if start is None or end is None:
        return ""
    for m in _LINE_SENTENCE.finditer(answer):
        if m.start() <= start < m.end():
            return answer[m.start() : max(m.end(), end)].strip()
    return answer[start:end]
