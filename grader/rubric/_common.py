"""Helpers shared by the rubric builders (:mod:`grader.rubric.build`): ids, text clean-up, limits."""

from __future__ import annotations

import re

from grader.text import word_count

MAX_TEXT = 400  # characters of a criterion's text
MIN_TEXT = 5  # characters of a criterion's text (Criterion.text); shorter texts get a verb ("States: push")
ABBREV = re.compile(r"(?:\b(?:e\.g|i\.e|vs|etc|approx|cf|Dr|Mr|Mrs|Ms|No|Fig)\.)$", re.I)

# The words the builders leave out of criterion ids (:func:`slug`) and of the comparison of a reference
# answer's blocks: a fixed part of :data:`grader.text.STOPWORDS`, not all of it, because ids are the
# rubric format's handles and the builders' output must not change: with the whole list, 5 of the 50
# packaged hints and 23 of SAF's 31 reference answers would get other criterion ids ("having-minimum-viable"
# → "minimum-viable-creative"), and 5 of 2,924 SAF student answers, read as reference answers, would be
# grouped into other alternatives. A test checks that it stays a subset.
BUILDER_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "for",
        "to",
        "and",
        "or",
        "with",
        "in",
        "on",
        "by",
        "as",
        "at",
        "its",
        "it",
        "their",
        "is",
        "are",
        "be",
        "that",
        "this",
        "these",
        "those",
        "when",
        "what",
        "not",
        "just",
        "from",
        "into",
        "over",
        "per",
        "via",
        "than",
        "then",
        "so",
        "such",
        "e",
        "g",
        "eg",
        "i",
        "ie",
        "vs",
        "how",
    ]
)
_ID_WORDS = re.compile(r"[a-z0-9]+")


def slug(text: str, max_words: int = 3, max_len: int = 64) -> str:
    """A lowercase id from the first content words of ``text`` (parenthesised parts and
    :data:`BUILDER_STOPWORDS` left out)."""
    text = re.sub(r"\([^)]*\)", " ", text)
    words = [w for w in _ID_WORDS.findall(text.casefold()) if w not in BUILDER_STOPWORDS]
    if not words:
        words = _ID_WORDS.findall(text.casefold()) or ["item"]
    return "-".join(words[:max_words])[:max_len].strip("-") or "item"


def unique_ids(ids: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i in ids:
        n = seen.get(i, 0) + 1
        seen[i] = n
        out.append(i if n == 1 else f"{i[:60]}-{n}")
    return out


def nwords(text: str) -> int:
    return word_count(re.sub(r"\([^)]*\)", " ", text))


def clean_text(text: str) -> str:
    return " ".join(text.split()).strip(" ,;:-–—").rstrip(".").strip()


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def clip(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1].rsplit(" ", 1)[0] + "…"


def slug_id(raw: str) -> str:
    """A rubric id from a bank's id: kept if already a slug, else lowercased (``10.1_TC`` → ``10-1-tc``)."""
    if re.fullmatch(r"[a-z0-9][a-z0-9-]*", raw) and len(raw) <= 80:
        return raw
    return (re.sub(r"[^a-z0-9]+", "-", raw.casefold()).strip("-") or "q")[:80]
