"""Text primitives shared by the whole grader: one definition each, so that components agree.

- **Invisible characters** (:data:`INVISIBLE`, :func:`is_invisible`, :func:`strip_invisible`): one
  set, in named groups. Everything that *matches* text drops all of them: evidence quotes
  (:mod:`grader.evidence`), the injection detector's view (:mod:`grader.injection.detector`) and
  near-duplicate comparison (:mod:`grader.report.duplicates`) — so "ig\\u00adnore" reads as "ignore"
  everywhere. What the detector additionally *flags* as ``hidden-text`` is narrower
  (:data:`HIDDEN_TEXT_CHARS`: zero-width characters, bidi embeddings/overrides/isolates and tag
  characters), because the other invisible characters — soft hyphens, left-to-right / right-to-left
  marks, the combining grapheme joiner, invisible math operators — are common in honest text pasted
  from web pages and word processors.
- **Folding for matching** (:func:`fold`, :func:`fold_text`): NFKC, case-folded, curly quotes →
  straight, every dash → ``-``, look-alike angle brackets → ``<``/``>``, invisible characters dropped.
- **The matching view** (:func:`matching_view`): the one normalisation pass run before any pattern
  or prototype matching (the injection detector): invisible characters dropped (soft hyphens,
  zero-width, bidi controls and marks, tag characters), small capitals → Latin letters, NFKC
  (fullwidth and mathematical letters → ASCII), look-alike Cyrillic/Greek letters inside Latin words
  (or whole look-alike words in Latin text) → Latin; with a map from every view offset back to the
  original offset, so that flags carry spans of the original answer.
- **Words**: :func:`word_count` (whitespace-separated runs, each CJK character one word),
  :func:`words` (letter/digit runs, case-folded), :func:`content_words` and :func:`terms` (content
  words, stemmed by :func:`stem`).
- **Stopwords**: one base list, :data:`STOPWORDS` (English function words and the abbreviations
  ``e.g.``/``i.e.``/``vs``/``via``/``per``/``etc``), and two named extensions for callers whose
  texts carry words that say nothing about the topic: :data:`CRITERION_WORDS` (how a rubric
  criterion is phrased: *explain*, *name*, *describe* …; used by the relevance gate in
  :mod:`grader.scoring`) and :data:`HINT_WORDS` (how a hint or criterion says what an answer
  should do: *a strong answer covers*, *mentions*, *identifies* …; left out of the embedded judge's
  key terms). The rubric builders leave out a fixed subset
  of it (``grader.rubric._common.BUILDER_STOPWORDS``) so that criterion ids stay what they were.
- **Secrets and terminals** (:func:`redact`, :func:`printable`): an error text with the configured
  API key, a bearer token or an ``sk-…`` key replaced by ``[REDACTED]`` (applied where a transport
  error is built and wherever an error is recorded or shown); a text safe to print on a terminal
  (escape sequences and other C0/C1 control characters shown as ``\\x1b``-style escapes).

The definitions live in four modules, cut along these seams; this package re-exports every name, so
``from grader.text import …`` is the one import path: :mod:`grader.text.normalise` (invisible
characters, folding, :func:`normalise_answer`), :mod:`grader.text.vocabulary` (words, stopwords, the
stemmer), :mod:`grader.text.safe` (secrets and terminals) and :mod:`grader.text.view` (the matching
view).

Standard library only (the test server imports nothing else either).
"""

from __future__ import annotations

from grader.text.normalise import (
    BIDI_CONTROLS,
    BIDI_MARKS,
    HIDDEN_TEXT_CHARS,
    INVISIBLE,
    SOFT_INVISIBLE,
    TAG_RANGE,
    ZERO_WIDTH,
    fold,
    fold_text,
    is_invisible,
    is_tag,
    normalise_answer,
    strip_invisible,
)
from grader.text.safe import REDACTED, printable, redact
from grader.text.view import LOOKALIKES, SMALL_CAPITALS, lookalike_words, matching_view
from grader.text.vocabulary import (
    CRITERION_WORDS,
    HINT_WORDS,
    STOPWORDS,
    content_words,
    stem,
    terms,
    word_count,
    words,
)

__all__ = [
    "normalise_answer",
    "ZERO_WIDTH",
    "SOFT_INVISIBLE",
    "BIDI_MARKS",
    "BIDI_CONTROLS",
    "TAG_RANGE",
    "INVISIBLE",
    "HIDDEN_TEXT_CHARS",
    "is_tag",
    "is_invisible",
    "strip_invisible",
    "fold",
    "fold_text",
    "word_count",
    "words",
    "content_words",
    "terms",
    "stem",
    "STOPWORDS",
    "CRITERION_WORDS",
    "HINT_WORDS",
    "REDACTED",
    "redact",
    "printable",
    "SMALL_CAPITALS",
    "LOOKALIKES",
    "lookalike_words",
    "matching_view",
]
