"""Invisible characters, folding for matching, and the answer as it is graded.

Part of :mod:`grader.text` (which re-exports every name here): the one set of invisible characters,
in named groups, that everything that *matches* text drops (evidence quotes, the injection detector's
view, near-duplicate comparison); the character and whole-text folds used to compare quotes; and
:func:`normalise_answer`, the form in which an answer is graded, hashed and cached.

Standard library only.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# -- invisible characters -------------------------------------------------------------------------

#: Zero-width characters: space, non-joiner, joiner, word joiner, BOM / zero-width no-break space,
#: Mongolian vowel separator (zero-width since Unicode 6.3).
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff\u180e")
#: Invisible format characters that honest pasted text often holds: soft hyphen, combining grapheme
#: joiner, invisible function application / times / separator / plus.
SOFT_INVISIBLE = frozenset("\u00ad\u034f\u2061\u2062\u2063\u2064")
#: Left-to-right and right-to-left marks.
BIDI_MARKS = frozenset("\u200e\u200f")
#: Bidi embeddings, overrides, their terminator, and isolates (they can reorder what a reader sees).
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
#: Unicode tag characters (U+E0000–U+E007F): invisible copies of ASCII.
TAG_RANGE = (0xE0000, 0xE007F)

#: Every character the grader treats as invisible (tag characters: see :func:`is_tag`).
INVISIBLE = ZERO_WIDTH | SOFT_INVISIBLE | BIDI_MARKS | BIDI_CONTROLS
#: The ones whose presence the injection detector reports as ``hidden-text`` (plus tag characters).
HIDDEN_TEXT_CHARS = ZERO_WIDTH | BIDI_CONTROLS

_INVISIBLE_RE = re.compile("[" + "".join(sorted(INVISIBLE)) + "\U000e0000-\U000e007f]")


def is_tag(ch: str) -> bool:
    """A Unicode tag character (U+E0000–U+E007F)."""
    return TAG_RANGE[0] <= ord(ch) <= TAG_RANGE[1]


def is_invisible(ch: str) -> bool:
    """One character of :data:`INVISIBLE` or a tag character."""
    return ch in INVISIBLE or is_tag(ch)


def strip_invisible(text: str) -> str:
    """``text`` without its invisible characters (ASCII text is returned as is)."""
    return text if text.isascii() else _INVISIBLE_RE.sub("", text)


# -- folding for matching -------------------------------------------------------------------------

_CHAR_MAP = {
    **{c: "'" for c in "‘’‚‛′`´"},
    **{c: '"' for c in "“”„‟″«»"},
    **{c: "-" for c in "‐‑‒–—―−﹘﹣－"},
    "‹": "<",
    "›": ">",
}


@lru_cache(maxsize=4096)
def fold(ch: str) -> str:
    """One character folded for matching: "" if invisible, else NFKC, case-folded, quote/dash/angle
    look-alikes mapped to ASCII, any whitespace → " " (may return several characters: "ﬁ" → "fi")."""
    if is_invisible(ch):
        return ""
    out = []
    for c in unicodedata.normalize("NFKC", ch).casefold():
        c = _CHAR_MAP.get(c, c)
        out.append(" " if c.isspace() else c)
    return "".join(out)


def fold_text(text: str) -> str:
    """A whole text folded like :func:`fold` (NFKC over the whole text, so combining sequences compose)."""
    folded = unicodedata.normalize("NFKC", strip_invisible(text)).casefold()
    return "".join(" " if c.isspace() else _CHAR_MAP.get(c, c) for c in folded)


def normalise_answer(text: str) -> str:
    """The answer as it is graded, hashed and cached: line breaks as ``\n`` and no surrounding whitespace.

    Why: the same answer reaches the grader with a trailing newline from a file or stdin (``grader grade
    -f``), with CRLF from a Windows editor, or bare from a CSV cell (``grader batch``); none of that changes
    what the answer says, so none of it may change the grade, the cache key or the answer's hash."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()
