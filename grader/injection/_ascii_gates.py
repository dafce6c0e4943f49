"""Pre-filters for the detector's patterns that have none, on ASCII text: a pure speed-up.

:data:`grader.injection.patterns._GATES` gives a pattern the words one of which every match
contains, read off the start of its parse tree; about a quarter of the patterns get none that way
(an optional lead such as ``\\b(?:the\\s+)?…``, nested alternatives, a character class), and they
are most of the detector's cost on a benign answer (~0.6 ms of ~1.1 ms here). This module reads,
for each of those, a set of strings one of which every match contains, from the whole tree: any
element a match must pass through (a run of literals, a group, every branch of an alternation, a
repeat of at least one, a class of listed characters), the most selective such element winning.

It is used only when the matching view of the answer is ASCII (almost every answer): then
lower-casing the text is exact, and a string with a character no ASCII character matches (a
Cyrillic or CJK word) cannot occur, so such a pattern is skipped outright. Skipping a pattern that
cannot match changes nothing, so the findings are the same as without the filter
(``tests/test_injection_gates.py`` checks it on the injection test sets, upper-cased copies of them and
120 ``criteria-own`` answers). Patterns that have a gate keep it.

:class:`Gates` applies either set of gates to a text, looking each distinct gate word up once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

try:  # the regex parser (CPython's private module, as grader.injection.patterns uses it)
    import re._constants as _C
    import re._parser as _sre_parse
except ImportError:  # pragma: no cover - Python < 3.11
    import sre_constants as _C
    import sre_parse as _sre_parse

__all__ = ["ascii_gates", "required_strings", "Gates"]

_ASCII = "".join(map(chr, range(128)))
_REPEATS = tuple(getattr(_C, name) for name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT") if hasattr(_C, name))

Strings = frozenset[str]


def _quality(strings: Strings) -> tuple[int, int]:
    """The most selective set first: longest shortest string, then fewest strings."""
    return min(len(s) for s in strings), -len(strings)


def _class_chars(items: Iterable[tuple[Any, Any]]) -> Strings | None:
    """The characters of a class made of listed characters only (no ranges, categories, negation)."""
    out = set()
    for op, av in items:
        if op is not _C.LITERAL:
            return None
        out.add(chr(av))
    return frozenset(out) or None


def _sequence(items: Sequence[tuple[Any, Any]]) -> Strings | None:
    """Strings one of which every match of the sequence contains (None: nothing certain)."""
    candidates: list[Strings] = []
    run = ""
    for op, av in items:
        if op is _C.LITERAL:
            run += chr(av)
            continue
        if op is _C.AT:  # zero-width (\b, ^): the literals on either side stay adjacent
            continue
        if run:
            candidates.append(frozenset([run]))
            run = ""
        found: Strings | None = None
        if op is _C.SUBPATTERN:
            found = _sequence(list(av[-1]))
        elif op in _REPEATS:
            low, _high, sub = av
            found = _sequence(list(sub)) if low >= 1 else None
        elif op is _C.BRANCH:
            alternatives = [_sequence(list(branch)) for branch in av[1]]
            if all(alternatives):
                found = frozenset().union(*(a for a in alternatives if a))
        elif op is _C.IN:
            found = _class_chars(av)
        elif getattr(_C, "ATOMIC_GROUP", None) is not None and op is _C.ATOMIC_GROUP:
            found = _sequence(list(av))
        if found:
            candidates.append(found)
    if run:
        candidates.append(frozenset([run]))
    return max(candidates, key=_quality, default=None)


def required_strings(pattern: re.Pattern[str]) -> Strings | None:
    """Lower-cased strings one of which every match of ``pattern`` contains, or None."""
    try:
        parsed = _sre_parse.parse(pattern.pattern, pattern.flags)
    except Exception:  # pragma: no cover - parser internals changed: no filter, same results
        return None
    found = _sequence(list(parsed))
    if not found:
        return None
    # a non-ASCII character that matches an ASCII one ignoring case (ſ matches s) would make the
    # test "is the string in the lower-cased text" wrong on ASCII text: no filter then
    if any(_matches_ascii(ch) for s in found for ch in s if not ch.isascii()):
        return None
    return frozenset(s.lower() for s in found)


@lru_cache(maxsize=4096)
def _matches_ascii(ch: str) -> bool:
    return re.search(re.escape(ch), _ASCII, re.IGNORECASE) is not None


def _drop_superstrings(strings: Strings) -> tuple[str, ...]:
    """``("<", "<<<")`` → ``("<",)``: a string containing another adds nothing to the test."""
    kept = [s for s in strings if not any(t != s and t in s for t in strings)]
    return tuple(sorted(kept, key=lambda s: (len(s), s)))


def ascii_gates(
    patterns: Sequence[re.Pattern[str]], gates: Sequence[tuple[str, ...] | None]
) -> list[tuple[str, ...] | None]:
    """Per pattern, the words one of which an ASCII text must contain (lower-cased) for it to match:
    its own gate where it has one, else :func:`required_strings`; None: always scanned."""
    out: list[tuple[str, ...] | None] = []
    for pattern, gate in zip(patterns, gates):
        if gate is not None:
            out.append(gate)
            continue
        found = required_strings(pattern)
        out.append(_drop_superstrings(found) if found else None)
    return out


class Gates:
    """Which patterns to scan in a text: those without a gate, and those one of whose gate words occurs.

    The same test as ``any(word in low for word in gate)`` per pattern, with each distinct word looked
    for once per text (the 81 patterns' gates share words: ~270 distinct of ~480)."""

    def __init__(self, gates: Sequence[tuple[str, ...] | None]) -> None:
        self._sets = [None if g is None else frozenset(g) for g in gates]
        self._words = tuple(sorted({w for g in gates if g is not None for w in g}))

    def open(self, low: str) -> list[bool]:
        """Per pattern, whether to scan ``low`` (the lower-cased text) with it."""
        present = {w for w in self._words if w in low}
        return [g is None or not present.isdisjoint(g) for g in self._sets]
