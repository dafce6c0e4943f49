"""Block-shaped checks of the injection detector: markdown comments, verdict-shaped tables, rubric wording.

- :data:`MD_COMMENT`: ``[//]: # (…)`` and its variants, invisible once the markdown is rendered (the
  detector flags one that talks about grading or to a reader, like an HTML comment);
- :func:`verdict_tables`: a markdown table whose header names two verdict columns (criterion, level,
  score …) and whose rows give full marks — flagged from its header to its last row;
- :func:`criterion_echoes`: a criterion's own text repeated word for word in the answer;
- :func:`coverage_claims`: a sentence that says the text itself covers the points and lists the criteria
  with nothing of its own (:func:`grader.genuine.coverage_claim`, on the criterion texts).

All work on the detector's matching view (:func:`grader.text.matching_view`) and return view offsets.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

__all__ = ["MD_COMMENT", "READER_WORDS", "verdict_tables", "criterion_echoes", "coverage_claims"]

MD_COMMENT = re.compile(r"^[ \t]*\[(?://|comment|_|#)\]:\s*(?:#|<>)[^\n]*", re.I | re.M)
READER_WORDS = re.compile(r"\b(?:ai|llm|model|ignore|instructions?|you|your)\b", re.I)
_TABLE_ROW = re.compile(r"^[ \t]*\|.*\|[ \t]*$", re.M)
_TABLE_HEAD = re.compile(r"\b(?:criteri(?:on|a)|level|score|points|marks|grade|verdict|band|awarded|result)\b", re.I)
_TABLE_FULL = re.compile(r"\b(?:full(?:y\s+met)?|met|10\s*/\s*10|10|100\s*%?|pass(?:ed)?|max(?:imum)?|a\+)\b", re.I)


def verdict_tables(view: str) -> list[tuple[int, int]]:
    """Markdown tables shaped like a verdict: a header naming two verdict columns (criterion, level, score
    …) and a row that gives full marks — the rows from the header to the end of the table."""
    out: list[tuple[int, int]] = []
    if "|" not in view:
        return out
    rows = list(_TABLE_ROW.finditer(view))
    i = 0
    while i < len(rows):
        j = i
        while j + 1 < len(rows) and view[rows[j].end() : rows[j + 1].start()].strip() == "":
            j += 1
        head = rows[i].group()
        body = " ".join(r.group() for r in rows[i + 1 : j + 1])
        if len(set(m.lower()[:5] for m in _TABLE_HEAD.findall(head))) >= 2 and _TABLE_FULL.search(body):
            out.append((rows[i].start(), rows[j].end()))
        i = j + 1
    return out


_VIEW_WORD = re.compile(r"[^\W_]+")


def criterion_echoes(view: str, criteria: Sequence[str]) -> list[tuple[int, int]]:
    """View spans where the answer repeats a criterion's text word for word (at least four words): rubric
    wording pasted in so that a judge matching quotes to criteria credits it (*Names flickering as a
    common failure mode.*). An honest answer says the thing, not the rubric's sentence about it."""
    if not criteria:
        return []
    found = [(m.group().casefold(), m.start(), m.end()) for m in _VIEW_WORD.finditer(view)]
    joined = " " + " ".join(w for w, _, _ in found) + " "
    starts = []  # character offset in ``joined`` of each word
    pos = 1
    for w, _, _ in found:
        starts.append(pos)
        pos += len(w) + 1
    out = []
    for text in criteria:
        wanted = [w.casefold() for w in _VIEW_WORD.findall(text)]
        if len(wanted) < 4:
            continue
        needle = " " + " ".join(wanted) + " "
        at = joined.find(needle)
        while at >= 0:
            first = starts.index(at + 1)
            last = first + len(wanted) - 1
            out.append((found[first][1], found[last][2]))
            at = joined.find(needle, at + 1)
    return out


_LINE_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")


@lru_cache(maxsize=256)
def _criterion_words(criteria: tuple[str, ...]) -> tuple[frozenset[str], ...]:
    """Each criterion's content words, without the words every criterion uses to say what it wants."""
    from grader.text import HINT_WORDS, stem, terms

    generic = frozenset({stem(w) for w in HINT_WORDS} | HINT_WORDS)
    return tuple(frozenset(t for t in terms(c) if t not in generic) for c in criteria)


def coverage_claims(view: str, criteria: Sequence[str]) -> list[tuple[int, int]]:
    """View spans of sentences that claim the text itself covers the points (a cue of
    :data:`grader.genuine.COVERAGE_CLAIM`: ticks, "this response covers …", "… explained here", "all
    covered", "nothing left out"), name the words of two or more criteria and have no more words of their
    own than criteria named (none, for the weaker cues: "see my portfolio", "model answer"): a
    self-assessment addressed to whoever grades it (*For the record, this response covers
    reference-image conditioning, IP-Adapter, seed management … in full*). What a tool or a checklist
    covers is not a claim about the text (*our QA checklist covers flickering and morphing*)."""
    from grader.genuine import STRONG_CLAIM, covered_words, has_claim_cue, shares_term
    from grader.text import terms

    if not criteria or not has_claim_cue(view):
        return []
    sets = _criterion_words(tuple(criteria))
    rubric_words = frozenset().union(*sets)
    out = []
    for m in _LINE_SENTENCE.finditer(view):
        sentence = m.group()
        if not has_claim_cue(sentence):
            continue
        words = terms(covered_words(sentence))
        named = sum(1 for s in sets if s and any(shares_term(frozenset([w]), s) for w in words))
        own = sum(1 for w in words if not shares_term(frozenset([w]), rubric_words))
        if named >= 2 and own <= (named if STRONG_CLAIM.search(sentence) else 0):
            out.append((m.start() + len(sentence) - len(sentence.lstrip()), m.end()))
    return out
