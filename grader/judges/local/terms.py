"""The embedded judge's lexical primitives: an answer's and a criterion's content terms, their matching,
and whether a sentence dismisses a point (:mod:`grader.judges.local.signals` builds its signals on them).

- :func:`content_terms` — stems of a text's non-stopwords, joined neighbour pairs ("up scaling" matches
  "upscaling") and abbreviations ↔ long forms (:data:`GLOSSARY` and a rubric's own ``long form (ABBR)``);
- :func:`word_terms` — a criterion's own words only: no joined pairs, no phrasing words ("uses");
- :func:`match` — a term is in a bag of terms, up to a shared stem or a close spelling of a long word;
- :func:`dismisses` — the sentence plays a point down or negates doing it, in the clause that uses it.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz import fuzz

from grader.text import HINT_WORDS, STOPWORDS, stem

__all__ = ["GLOSSARY", "RUBRIC_STEMS", "content_terms", "word_terms", "match", "dismisses", "words"]

#: Abbreviations of the field and their long forms, matched both ways (``cfg`` ↔ classifier free
#: guidance). A rubric's own ``long form (ABBR)`` pairs are added per rubric.
GLOSSARY: dict[str, str] = {
    "cfg": "classifier free guidance",
    "lora": "low rank adaptation",
    "dit": "diffusion transformer",
    "lut": "look up table",
    "vram": "video memory",
    "fps": "frames per second",
    "i2v": "image to video",
    "t2v": "text to video",
    "vae": "variational autoencoder",
    "gan": "generative adversarial network",
    "qa": "quality assurance",
    "sla": "service level agreement",
    "ip": "intellectual property",
    "tts": "text to speech",
    "fvd": "frechet video distance",
    "ci": "continuous integration",
    "cd": "continuous delivery",
    "ab": "a b test",
    "api": "application programming interface",
}


_TOKEN = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")
_SPLIT = re.compile(r"[-'’]")
#: a negated action ("never bothered with", "don't use", "didn't check") or a skip ("skip", "ignore")
#: followed closely by the point's key terms dismisses it
_NEGATOR = frozenset("not no never hardly barely rarely cannot".split())  # noqa: SIM905
_ACTION = frozenset(
    "bother bothered bothering use used using uses need needed needs care cared worry worried touch touched do did "  # noqa: SIM905
    "does done doing check checked track tracked log logged look looked consider considered apply applied trust mess "
    "messed have had play played playing try tried trying experiment experimented".split()
)
_SKIP = frozenset("skip skipped skipping ignore ignored ignoring".split())  # noqa: SIM905
_FILLER = frozenset(
    "really even actually much ever usually always typically often been to with about at for the any".split()  # noqa: SIM905
)
#: a phrase that plays the point down in its own clause ("flickering isn't really a concern", "seeds are
#: overrated", "they didn't matter")
_DISMISSAL = re.compile(
    r"\b(?:irrelevant|overrated|overblown|unnecessary|pointless|a myth|no need|not needed|"
    r"(?:isn't|aren't|wasn't|weren't|is not|are not|was not|not) (?:really |usually |always )?(?:a |an )?"
    r"(?:real |big |major )?(?:concern|issue|problem|worry|priority|necessary|needed|important|worth it|big deal)|"
    r"(?:doesn't|don't|didn't|does not|do not|did not) (?:really |even )?(?:seem to )?(?:matter|help|work|bother))\b",
    re.I,
)
#: clause boundaries: a negation or a dismissal speaks of its own clause only
_CLAUSE = re.compile(r"[,;:()\u2014\u2013]|\s-\s|\b(?:but|because|since|although|though|so|while|whereas)\b", re.I)
_NEAR = 5  # the key term at most this many words after the negated action


RUBRIC_STEMS = frozenset({stem(w) for w in HINT_WORDS} | HINT_WORDS)


def words(text: str) -> list[str]:
    """Lower-cased word tokens; a hyphenated word gives its parts and the joined compound."""
    out: list[str] = []
    for m in _TOKEN.finditer(text.casefold().replace("\u00ad", "")):
        parts = [p for p in _SPLIT.split(m.group()) if p]
        out.extend(parts)
        if len(parts) > 1:
            out.append("".join(parts))
    return out


@lru_cache(maxsize=8192)
def content_terms(text: str, glossary: tuple[tuple[str, str], ...] = ()) -> frozenset[str]:
    """A text's content terms: stems of its non-stopwords, joined neighbour pairs (so "up scaling"
    matches "upscaling"), and abbreviations ↔ long forms of :data:`GLOSSARY` and ``glossary``."""
    ws = words(text)
    pairs = {**GLOSSARY, **dict(glossary)}
    out: set[str] = set()
    for i, w in enumerate(ws):
        if w in pairs:
            out.add(w)
            out.update(stem(x) for x in pairs[w].split() if x not in STOPWORDS)
        if w in STOPWORDS or (len(w) < 3 and not w.isdigit()):
            continue
        out.add(stem(w))
        if i + 1 < len(ws) and ws[i + 1] not in STOPWORDS and len(ws[i + 1]) >= 3:
            out.add(stem(w + ws[i + 1]))
    joined = " " + " ".join(ws) + " "
    out.update(abbr for abbr, long in pairs.items() if f" {long} " in joined)
    return frozenset(out)


#: words a criterion is phrased with that say nothing about its topic ("Uses … rather than …")
_PHRASING = frozenset(
    stem(w)
    for w in "use uses using used rather need needs based least clearly clear specific".split()  # noqa: SIM905
)


@lru_cache(maxsize=8192)
def word_terms(text: str, glossary: tuple[tuple[str, str], ...] = ()) -> frozenset[str]:
    """A criterion's key *words*: the stems of :func:`content_terms` without its joined neighbour pairs
    (an answer's "time box" still matches the criterion's "time-boxes" through the answer's own pairs),
    without the rubric's phrasing words, with abbreviations ↔ long forms."""
    ws = words(text)
    pairs = {**GLOSSARY, **dict(glossary)}
    out: set[str] = set()
    for w in ws:
        if w in pairs:
            out.add(w)
        if w in STOPWORDS or (len(w) < 3 and not w.isdigit()):
            continue
        out.add(stem(w))
    joined = " " + " ".join(ws) + " "
    out.update(abbr for abbr, long in pairs.items() if f" {long} " in joined)
    return frozenset(t for t in out if t not in RUBRIC_STEMS and t not in _PHRASING)


@lru_cache(maxsize=65536)
def match(term: str, bag: frozenset[str]) -> bool:
    """The term is in the bag, or a long word of the bag shares its stem or is a close spelling."""
    if term in bag:
        return True
    if len(term) < 5:
        return False
    head = term[:5]
    for b in bag:
        if len(b) >= 5 and b.startswith(head) and (b.startswith(term) or term.startswith(b)):
            return True
        if len(b) >= 6 and len(term) >= 6 and b[0] == term[0] and fuzz.ratio(b, term) >= 88:
            return True
    return False


def dismisses(text: str, key_terms: frozenset[str], glossary: tuple[tuple[str, str], ...] = ()) -> bool:
    """The text plays down the key terms where it uses them: in the same clause, a dismissal phrase
    ("flickering isn't really a concern", "seeds are overrated") or a negated action or a skip just
    next to a key term ("we never bothered with seeds", "I skip the upscaling", "resolution I don't do
    anything about"). A negation that says something else ("there's no point upscaling shots that get
    cut", "so nothing flickers") does not."""
    for clause in _CLAUSE.split(text.replace("\u2019", "'")):
        toks = [w.strip(".,!?\"'“”()[]").casefold() for w in clause.split()]
        hits = [k for k, w in enumerate(toks) if w and any(match(t, content_terms(w, glossary)) for t in key_terms)]
        if not hits:
            continue
        if _DISMISSAL.search(clause):
            return True
        for k, w in enumerate(toks):
            if w in _SKIP:
                end = k
            elif w in _NEGATOR or w.endswith("n't"):
                end = k + 1
                while end < len(toks) and toks[end] in _FILLER:
                    end += 1
                if end >= len(toks) or toks[end] not in _ACTION:
                    continue
            else:
                continue
            # the term just after the negated action ("never bothered with seeds"), or just before it as its
            # topic ("resolution I don't do anything special about")
            if any(end < h <= end + _NEAR or k - _NEAR <= h < k for h in hits):
                return True
    return False
