"""Verify that evidence quotes really occur in the answer.

Tolerance (stated, and tested): before comparing, both the answer and the quote are normalised —
Unicode NFKC, case-folded, curly quotes → straight quotes, every dash → ``-``, look-alike angle
brackets → ``<``/``>``, invisible characters dropped (:func:`grader.text.fold`: zero-width characters,
soft hyphens, bidi controls, tag characters …), runs of whitespace → one space, and the quote's
surrounding quotation marks, spaces and trailing sentence punctuation trimmed. A quote with an
ellipsis (``...`` or ``…``) is split into pieces that must each occur, in order. Nothing else is
forgiven: a paraphrase, a changed word or a quote shorter than ``MIN_QUOTE_CHARS`` does not verify.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from grader.text import fold

__all__ = ["normalise", "locate", "AnswerIndex", "Span", "MIN_QUOTE_CHARS"]

MIN_QUOTE_CHARS = 8

_ELLIPSIS = re.compile(r"\s*(?:\.\.\.+|…)\s*")


@dataclass(frozen=True)
class Span:
    start: int  # offsets into the original answer
    end: int


_NON_SPACE = re.compile(r"\S+")


def _ascii_words(text: str) -> tuple[str, list[int], list[tuple[int, int]]]:
    """Fast path for ASCII text: NFKC is the identity and nothing is invisible, so lower-case (and map
    the backquote, :func:`grader.text.fold`'s only ASCII look-alike) and collapse whitespace. Returns
    the normalised text, where each word starts in it, and each word's span in ``text`` — enough to map
    any normalised offset back (:meth:`AnswerIndex._original`) without a per-character table."""
    low = text.lower().replace("`", "'")
    spans = [m.span() for m in _NON_SPACE.finditer(low)]
    starts: list[int] = []
    at = 0
    for s, e in spans:
        starts.append(at)
        at += e - s + 1
    return " ".join([low[s:e] for s, e in spans]), starts, spans


def _normalise_with_map(text: str) -> tuple[str, list[int]]:
    """Normalised text plus, for each of its characters, the index in ``text`` it came from."""
    out: list[str] = []
    idx: list[int] = []
    prev_space = True
    for i, ch in enumerate(text):
        folded = fold(ch)
        for c in folded:
            if c == " ":
                if prev_space:
                    continue
                prev_space = True
            else:
                prev_space = False
            out.append(c)
            idx.append(i)
    while out and out[-1] == " ":
        out.pop()
        idx.pop()
    return "".join(out), idx


def normalise(text: str) -> str:
    if text.isascii():  # as _ascii_words, without the offsets
        return " ".join(text.lower().replace("`", "'").split())
    return _normalise_with_map(text)[0]


def _clean_piece(piece: str) -> str:
    return normalise(piece).strip(" \"'.,;:!?()[]")


class AnswerIndex:
    """The answer normalised once, for locating many quotes in it."""

    def __init__(self, answer: str) -> None:
        self.answer = answer
        self._index: list[int] | None = None  # normalised offset → original (non-ASCII answers)
        self._starts: list[int] = []  # ASCII answers: where each word starts in norm …
        self._spans: list[tuple[int, int]] = []  # … and its span in the answer
        if answer.isascii():
            self.norm, self._starts, self._spans = _ascii_words(answer)
        else:
            self.norm, self._index = _normalise_with_map(answer)

    def _original(self, pos: int) -> int:
        """The offset in the answer of the character at ``pos`` in ``norm`` (a space between two words
        maps to the first whitespace character after the first word)."""
        if self._index is not None:
            return self._index[pos]
        k = bisect.bisect_right(self._starts, pos) - 1
        start, end = self._spans[k]
        offset = pos - self._starts[k]
        return start + offset if offset < end - start else end

    def locate(self, quote: str) -> Span | None:
        """Where the quote occurs in the answer (original offsets), or None if it does not verify."""
        if not quote or not self.norm:
            return None
        pieces = [p for p in (_clean_piece(x) for x in _ELLIPSIS.split(quote)) if p]
        if not pieces or sum(len(p) for p in pieces) < MIN_QUOTE_CHARS:
            return None
        pos = 0
        first = last = -1
        for piece in pieces:
            found = self.norm.find(piece, pos)
            if found < 0:
                return None
            if first < 0:
                first = found
            last = found + len(piece)
            pos = last
        return Span(self._original(first), self._original(last - 1) + 1)


def locate(quote: str, answer: str) -> Span | None:
    """Where the quote occurs in the answer (original offsets), or None if it does not verify."""
    return AnswerIndex(answer).locate(quote)
