"""Words, stopwords and the stemmer: how the grader cuts a text into the words it compares.

Part of :mod:`grader.text` (which re-exports every name here): :func:`word_count` for length checks,
:func:`words` / :func:`content_words` / :func:`terms` for overlap, one base stopword list
(:data:`STOPWORDS`) and its two named extensions (:data:`CRITERION_WORDS`, :data:`HINT_WORDS`), and
the crude suffix stemmer :func:`stem`. Kept apart from the character-level normalisation because
it is a vocabulary, not a Unicode concern, and most of its length is the word lists themselves.

Standard library only.
"""

from __future__ import annotations

import re
from functools import lru_cache

# -- words ----------------------------------------------------------------------------------------

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_COUNTED = re.compile(f"[{_CJK}]|[^\\s{_CJK}]+")
_WORD = re.compile(r"[^\W_]+")


def word_count(text: str) -> int:
    """Words for length checks: whitespace-separated runs, and each CJK character as one word
    (Chinese and Japanese do not separate words with spaces)."""
    return len(_COUNTED.findall(text))


def words(text: str) -> list[str]:
    """The runs of letters and digits of ``text``, case-folded (punctuation and ``_`` separate)."""
    return _WORD.findall(text.casefold())


STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "him",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "no",
        "nor",
        "not",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "e",
        "g",
        "eg",
        "ie",
        "etc",
        "per",
        "via",
        "vs",
    ]
)
"""English function words, and abbreviations (``e.g.``, ``i.e.``, ``etc``, ``per``, ``via``, ``vs``)."""

CRITERION_WORDS = frozenset(
    [
        "name",
        "names",
        "explain",
        "explains",
        "describe",
        "describes",
        "mention",
        "mentions",
        "note",
        "notes",
        "state",
        "states",
        "give",
        "gives",
        "use",
        "uses",
        "using",
        "make",
        "makes",
        "rather",
        "instead",
        "like",
        "way",
        "ways",
    ]
)
"""Words a rubric criterion is phrased with ("Explains …", "Names a way to …") that say nothing about its
topic: a quote sharing only these with a criterion does not bear on it (:mod:`grader.scoring`)."""

HINT_WORDS = frozenset(
    [
        "strong",
        "good",
        "great",
        "best",
        "answer",
        "answers",
        "candidate",
        "candidates",
        "cover",
        "covers",
        "covered",
        "discuss",
        "discusses",
        "mention",
        "mentions",
        "mentioned",
        "include",
        "includes",
        "including",
        "explain",
        "explains",
        "explained",
        "describe",
        "describes",
        "described",
        "demonstrate",
        "demonstrates",
        "show",
        "shows",
        "shown",
        "name",
        "names",
        "named",
        "state",
        "states",
        "stated",
        "give",
        "gives",
        "given",
        "note",
        "notes",
        "noted",
        "raise",
        "raises",
        "raised",
        "identify",
        "identifies",
        "propose",
        "proposes",
        "recognise",
        "recognize",
        "recognises",
        "recognizes",
        "acknowledge",
        "acknowledges",
        "emphasise",
        "emphasize",
        "emphasises",
        "emphasizes",
        "highlight",
        "highlights",
        "suggest",
        "suggests",
        "outline",
        "outlines",
        "discussion",
        "common",
        "commonly",
        "typical",
        "typically",
        "important",
        "approach",
        "approaches",
        "concrete",
        "example",
        "examples",
        "specific",
        "clearly",
        "such",
        "means",
        "mean",
        "meaning",
    ]
)
"""The vocabulary of a hint's lead-in ("A strong answer covers …", "Look for discussion of …"): not part of
what the answer should say (the embedded judge's word-overlap features, :mod:`grader.judges.local.model`)."""


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A crude suffix stemmer (``-ing``, ``-ed``, ``-es``, ``-s``), keeping at least 4 letters: enough to
    match "encodes"/"encoding"/"encoded" while leaving short words alone."""
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def content_words(text: str, stopwords: frozenset[str] = STOPWORDS) -> set[str]:
    """The words of ``text`` (:func:`words`) of at least 3 characters that are not stopwords."""
    return {w for w in words(text) if len(w) >= 3 and w not in stopwords}


def terms(text: str, stopwords: frozenset[str] = STOPWORDS) -> frozenset[str]:
    """The stemmed content words of ``text``."""
    return frozenset(stem(w) for w in content_words(text, stopwords))
