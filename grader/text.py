"""TEMPORARY (issue 10 branch): replaced by the shared text module of issue 9."""

from __future__ import annotations

from functools import lru_cache

STOPWORDS = frozenset("""a about above after again against all also am an and any are as at be because been before being below
between both but by can could did do does doing down during each few for from further had has have having he her here hers
him his how i if in into is it its itself just me more most my no nor not now of off on once only or other our ours out over
own same she should so some such than that the their theirs them then there these they this those through to too under
until up very was we were what when where which while who whom why will with would you your yours e g ie eg etc vs via per
""".split())
_SUFFIXES = ("ational", "ations", "ation", "ments", "ment", "ness", "ings", "ing", "edly", "ities", "ity", "ies", "ied",
             "es", "ed", "ers", "er", "ly", "s", "al", "ive", "ous")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    for s in _SUFFIXES:
        if word.endswith(s) and len(word) - len(s) >= 4:
            word = word[: -len(s)]
            break
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    return word
