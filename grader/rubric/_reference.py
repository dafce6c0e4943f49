"""Splitting a reference answer into its claims (:func:`criteria_from_reference`; the rules are in
:mod:`grader.rubric.build`)."""

from __future__ import annotations

import re
from itertools import pairwise

from grader.rubric._common import ABBREV, BUILDER_STOPWORDS, MAX_TEXT, MIN_TEXT, clip, slug, unique_ids
from grader.rubric.model import Criterion
from grader.text import content_words, word_count

MAX_REFERENCE_CRITERIA = 12


def _block_words(text: str) -> set[str]:
    """The words that tell whether two blocks of a reference answer say the same thing."""
    return content_words(text, BUILDER_STOPWORDS)


# a line break before a list item or a capital starts a clause; other breaks are soft wraps
_CLAUSE_BREAK = re.compile(
    r";\s*|(?<=[.!?])\s+(?=[\"“(\[A-Z0-9●○•])"
    r"|\s*\n(?=[ \t]*(?:[-•●○▪*]|\d+\s*[.)]|[ivx]+\)|[A-Z]))"
)
_BULLET = re.compile(r"^\s*(?:[-•●○▪*]+|\d+\s*[.)]|[ivx]+\)|[a-h]\))\s*", re.I)
_POINTS = re.compile(r"\(\s*\d+(?:[.,]\d+)?\s*(?:p|pt|pts|points?)?\s*\)|\b\d+(?:[.,]\d+)?\s*P\s+for\b\s*", re.I)
_META = re.compile(
    r"^(?:note\b|(?:one|any|some|two|three|all)\s+of\s+the\s+following\b|the\s+following\b|see\s+the\s+following\b"
    r"|possible\s+\w+\s*:?$|.*\bshould\s+be\s+given\s*:?$|.*\bare\s+considered\b.*:$)",
    re.I,
)
_ALTERNATIVE = re.compile(
    r"^\s*(?:alternatively|alternative(?:\s+\w+)?\s*:|or\s*:|another\s+(?:possible\s+)?answer)", re.I
)
_MIN_CLAIM_WORDS = 4


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


# an inline list item: "1." / "2)" / "ii)" / "b)" after a space or at the start, before a word
_INLINE_NUMBER = re.compile(r"(?:(?<=\s)|(?<=^))(\d{1,2})\s*[.)](?=\s*[^\W\d_])")
_INLINE_ROMAN = re.compile(r"(?:(?<=\s)|(?<=^)|(?<=[.;,]))(i{1,3}|iv|v|vi{1,3}|ix|x)\)(?=\s*\S)")
_INLINE_LETTER = re.compile(r"(?:(?<=\s)|(?<=^))([a-h])\)(?=\s*\S)")
_MAX_MARKERS = 100
_ROMAN = ("i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x")
# a numbered label: "Hop 1 :", "Step 2:", "Phase 3:"
_NUMBERED_LABEL = re.compile(r"\b([A-Z][A-Za-z]{1,15})\s*(\d{1,2})\s*:")
# a label: one to four capitalised words (or acronyms) and a colon ("Slow start:", "Congestion Avoidance:")
_LABEL_AT_START = re.compile(r"^[A-Z][\w/-]*(?:\s+[\w/-]+){0,3}\s*(?:\([^()]{0,40}\)\s*)?:(?!:)\s*\S")
_TITLE_LABEL = re.compile(r"(?<=[a-z0-9,)\]])\s+((?:[A-Z][\w/-]*\s+){0,3}[A-Z][\w/-]*\s*(?:\([^()]{0,40}\)\s*)?):(?!:)")


def _sequence_cuts(matches: list[tuple[int, str]], order: tuple[str, ...] | None) -> list[int]:
    """The positions of a run of list markers numbered in order (1, 2, 3 … or i, ii, iii … or a, b, c …)
    starting at the first one: a lone "2." or a number that does not follow its predecessor is not a
    list item (a version, a figure, a decimal), and a run needs at least two items. Only the first
    :data:`_MAX_MARKERS` markers are read (a longer list is merged to 12 criteria anyway)."""
    matches = matches[:_MAX_MARKERS]
    best: list[int] = []
    for start in range(len(matches)):
        run = [matches[start][0]]
        want = _successor(matches[start][1], order)
        for pos, key in matches[start + 1 :]:
            if key == want:
                run.append(pos)
                want = _successor(key, order)
        if len(run) > len(best):
            best = run
    return best if len(best) >= 2 else []


def _successor(key: str, order: tuple[str, ...] | None) -> str:
    if order is None:
        return str(int(key) + 1)
    if key in order and order.index(key) + 1 < len(order):
        return order[order.index(key) + 1]
    return "\0"


def _inline_cuts(text: str, lo: int, hi: int) -> list[int]:
    """Where a clause without sentence punctuation holds several items of a list, the positions at
    which each item starts: numbered (``1. … 2. …``, ``i) … ii) …``, ``a) … b) …``), numbered labels
    (``Hop 1: … Hop 2: …``) or labels (``Slow start: … Congestion Avoidance: …`` — the clause starts
    with a label and another capitalised label follows)."""
    part = text[lo:hi]
    cuts: set[int] = set()
    numbers = [(m.start(), m.group(1)) for m in _INLINE_NUMBER.finditer(part)]
    cuts.update(_sequence_cuts(numbers, None))
    cuts.update(_sequence_cuts([(m.start(), m.group(1)) for m in _INLINE_ROMAN.finditer(part)], _ROMAN))
    letters = tuple("abcdefgh")
    cuts.update(_sequence_cuts([(m.start(), m.group(1)) for m in _INLINE_LETTER.finditer(part)], letters))
    labels = [(m.start(), m.group(1), m.group(2)) for m in _NUMBERED_LABEL.finditer(part)]
    for word in {w for _, w, _ in labels}:
        cuts.update(_sequence_cuts([(p, n) for p, w, n in labels if w == word], None))
    if _LABEL_AT_START.match(part):
        first_colon = part.index(":")
        cuts.update(m.start(1) for m in _TITLE_LABEL.finditer(part) if m.start(1) > first_colon)
    return sorted(lo + c for c in cuts if 0 < c < len(part))


def _claim_spans(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    spans = []
    begin = lo
    for m in _CLAUSE_BREAK.finditer(text, lo, hi):
        if ABBREV.search(text[begin : m.start()]):
            continue
        spans.append((begin, m.start()))
        begin = m.end()
    spans.append((begin, hi))
    cut: list[tuple[int, int]] = []
    for a, b in spans:
        edges = [a, *_inline_cuts(text, a, b), b]
        cut.extend(pairwise(edges))
    out = []
    for a, b in cut:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a < b:
            out.append((a, b))
    return out


def _claim_text(fragment: str) -> str:
    t = _BULLET.sub("", " ".join(fragment.split()))
    t = _POINTS.sub(" ", t)
    return " ".join(t.split()).strip(" -•●○*")


class _Claim:
    def __init__(self, spans: list[tuple[int, int]], texts: list[str]) -> None:
        self.spans = spans
        self.texts = texts

    @property
    def words(self) -> int:
        return sum(word_count(t) for t in self.texts)


def _claims(reference: str, lo: int, hi: int) -> list[_Claim]:
    claims: list[_Claim] = []
    heading: _Claim | None = None
    for a, b in _claim_spans(reference, lo, hi):
        t = _claim_text(reference[a:b])
        if not t:
            continue
        if _META.match(t):
            continue  # grading instructions are not claims
        c = _Claim([(a, b)], [t])
        if heading is not None:
            c = _Claim(heading.spans + c.spans, heading.texts + c.texts)
            heading = None
        if t.endswith(":"):
            heading = c  # "Advantage:" / "Slow start (…):" introduces the next claim
            continue
        if claims and (c.words < _MIN_CLAIM_WORDS or claims[-1].words < _MIN_CLAIM_WORDS):
            last = claims[-1]
            claims[-1] = _Claim(last.spans + c.spans, last.texts + c.texts)
        else:
            claims.append(c)
    if heading is not None:
        claims.append(heading)
    return claims


def _claim_criterion_text(c: _Claim) -> str:
    parts = []
    for t in c.texts:
        parts.append(t if t.endswith(":") else t.rstrip(".;"))
    text = " ".join(p if p.endswith(":") else p + ";" for p in parts).rstrip(";")
    text = text.replace(":;", ":")
    return clip(text if len(text) >= MIN_TEXT else f"States: {text}")


def criteria_from_reference(reference_answer: str) -> list[Criterion]:
    """The claims of a reference answer as criteria (see the module docstring for the rules)."""
    ref = (reference_answer or "").strip()
    if not ref:
        raise ValueError("the reference answer is empty")
    if not any(ch.isalnum() for ch in ref):
        raise ValueError("the reference answer has no words (no letter or digit) to build a criterion from")
    blocks = [(m.start(), m.end()) for m in re.finditer(r"\S(?:.*?\S)?(?=\s*\n\s*\n|\s*$)", ref, re.S)]
    first_words = _block_words(ref[blocks[0][0] : blocks[0][1]])
    main: list[tuple[int, int]] = [blocks[0]]
    alternatives: list[tuple[int, int]] = []
    for a, b in blocks[1:]:
        block = ref[a:b]
        if _ALTERNATIVE.match(block) or _jaccard(_block_words(block), first_words) >= 0.5:
            alternatives.append((a, b))
        else:
            main.append((a, b))
    claims: list[_Claim] = []
    seen: set[str] = set()
    for a, b in main:
        for c in _claims(ref, a, b):
            key = " ".join(c.texts).casefold()
            if key not in seen:  # a claim repeated word for word (e.g. in two parts) counts once
                seen.add(key)
                claims.append(c)
    if not claims:
        claims = [_Claim([blocks[0]], [_claim_text(ref[blocks[0][0] : blocks[0][1]]) or ref[:MAX_TEXT]])]
    while len(claims) > MAX_REFERENCE_CRITERIA:
        k = min(range(len(claims) - 1), key=lambda j: (claims[j].words + claims[j + 1].words, j))
        claims[k : k + 2] = [_Claim(claims[k].spans + claims[k + 1].spans, claims[k].texts + claims[k + 1].texts)]
    extra: list[list[str]] = [[] for _ in claims]
    for a, b in alternatives:
        for alt in _claims(ref, a, b):
            words = _block_words(" ".join(alt.texts))
            best = max(range(len(claims)), key=lambda k: (_jaccard(words, _block_words(" ".join(claims[k].texts))), -k))
            extra[best].extend(" ".join(ref[x:y].split()) for x, y in alt.spans)
    ids = unique_ids([slug(" ".join(c.texts), max_words=3) for c in claims])
    out = []
    for cid, c, more in zip(ids, claims, extra):
        covers = tuple(" ".join(ref[a:b].split()) for a, b in c.spans) + tuple(more)
        out.append(Criterion(id=cid, text=_claim_criterion_text(c), weight=1, covers=covers))
    return out
