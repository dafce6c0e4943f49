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

Standard library only (the test server imports nothing else either).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

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


# -- secrets and terminals ------------------------------------------------------------------------

REDACTED = "[REDACTED]"
#: What a credential looks like even when it is not the configured key: ``Bearer <token>`` (the
#: scheme kept), ``sk-…`` / ``sk_…`` keys (OpenAI's and others'), ``api_key=…`` / ``"api-key": "…"``.
_SECRET_SHAPES = re.compile(
    r"(?i)(?<=bearer )[^\s'\",;]{6,}"
    r"|\bsk[-_][A-Za-z0-9_\-]{8,}"
    r"|(?<=api[_-]key)(?P<sep>[\"']?\s*[:=]\s*[\"']?)[^\s'\",;}]{6,}"
)


def _shape(match: re.Match[str]) -> str:
    return (match.group("sep") or "") + REDACTED


def redact(text: str, *secrets: str | None) -> str:
    """``text`` with each of ``secrets`` (the configured API key; empty and very short ones are
    ignored) and anything shaped like a bearer token or an ``sk-…`` key replaced by
    :data:`REDACTED`. Used on every error text before it is stored or shown."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, REDACTED)
    return _SECRET_SHAPES.sub(_shape, text)


#: C0 controls except TAB and LF (ESC and CR included), DEL, and C1 controls (CSI U+009B among them).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _escaped(match: re.Match[str]) -> str:
    return f"\\x{ord(match.group()):02x}"


def printable(text: str, *, newlines: bool = True) -> str:
    """``text`` safe to print on a terminal: C0/C1 control characters (ESC, so every escape
    sequence, and carriage return included) are shown as visible ``\\x1b``-style escapes, so an id
    or an answer cannot move the cursor, recolour, retitle or clear the terminal. TAB is kept, and
    LF unless ``newlines`` is False (then it is shown as ``\\n``)."""
    text = _CONTROL.sub(_escaped, text)
    return text if newlines else text.replace("\n", "\\n")


def normalise_answer(text: str) -> str:
    """The answer as it is graded, hashed and cached: line breaks as ``\n`` and no surrounding whitespace.

    Why: the same answer reaches the grader with a trailing newline from a file or stdin (``grader grade
    -f``), with CRLF from a Windows editor, or bare from a CSV cell (``grader batch``); none of that changes
    what the answer says, so none of it may change the grade, the cache key or the answer's hash."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


# -- the matching view ----------------------------------------------------------------------------

#: Small capital letters (IPA/phonetic block and Latin Extended-D): NFKC leaves them alone, so
#: "ɪɢɴᴏʀᴇ" would otherwise not read as "ignore".
SMALL_CAPITALS = dict(zip("ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘǫʀꜱᴛᴜᴠᴡʏᴢ", "abcdefghijklmnopqrstuvwxyz"))

#: Cyrillic and Greek letters that look like Latin ones (the confusables an attack uses to slip a
#: word past a pattern: "іgnore" with a Cyrillic "і").
LOOKALIKES = {
    **dict(zip("аеорсухіјѕԁӏһԛԝАВЕКМНОРСТХІЅЈ", "aeopcyxijsdlhqwABEKMHOPCTXISJ")),
    **dict(zip("οαινρκυΑΒΕΖΗΙΚΜΝΟΡΤΥΧ", "oaivpkuABEZHIKMNOPTYX")),
}
_VIEW_WORD = re.compile(r"\w+")


def _script_of(ch: str) -> str:
    name = unicodedata.name(ch, "")
    if ch.isascii() or name.startswith("LATIN"):
        return "latin"
    if name.startswith("CYRILLIC"):
        return "cyrillic"
    if name.startswith("GREEK"):
        return "greek"
    return "other"


def lookalike_words(text: str) -> list[tuple[int, int]]:
    """Spans of words written with look-alike letters: Latin words with Cyrillic/Greek look-alikes
    mixed in ("іgnore"), and — when the text is mostly Latin — words made only of look-alikes."""
    if text.isascii():
        return []
    letters = [c for c in text if c.isalpha()]
    latin_text = bool(letters) and sum(1 for c in letters if _script_of(c) == "latin") >= 0.8 * len(letters)
    spans: list[tuple[int, int]] = []
    for m in _VIEW_WORD.finditer(text):
        w = m.group()
        if w.isascii():
            continue
        scripts = {_script_of(c) for c in w if c.isalpha()}
        foreign = [c for c in w if c.isalpha() and _script_of(c) in ("cyrillic", "greek")]
        if not foreign or not all(c in LOOKALIKES for c in foreign):
            continue
        latin = sum(1 for c in w if c.isalpha() and _script_of(c) == "latin")
        if ("latin" in scripts and (latin >= 2 or "cyrillic" in scripts)) or (
            latin == 0 and latin_text and len(foreign) >= 3
        ):
            spans.append((m.start(), m.end()))
    return spans


def matching_view(text: str, lookalikes: list[tuple[int, int]] | None = None) -> tuple[str, list[int] | range]:
    """The normalised text every matcher reads, and for each of its characters the offset of the
    original character it came from (so a match ``view[s:e]`` is ``text[index[s]:index[e - 1] + 1]``).

    One pass: invisible characters (:func:`is_invisible`) are dropped; small capitals become Latin
    letters; the letters of :func:`lookalike_words` (or the spans given) are mapped to Latin; every
    character is NFKC-normalised (fullwidth and mathematical letters → ASCII, ligatures split).
    ASCII text is its own view."""
    if text.isascii():
        return text, range(len(text))
    spans = lookalike_words(text) if lookalikes is None else lookalikes
    mapped: set[int] = set()
    for s, e in spans:
        mapped.update(range(s, e))
    out: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        if ch.isascii():
            out.append(ch)
            index.append(i)
            continue
        if is_invisible(ch):
            continue
        if ch in SMALL_CAPITALS:
            ch = SMALL_CAPITALS[ch]
        elif i in mapped and ch in LOOKALIKES:
            ch = LOOKALIKES[ch]
        for c in unicodedata.normalize("NFKC", ch):
            out.append(c)
            index.append(i)
    return "".join(out), index
