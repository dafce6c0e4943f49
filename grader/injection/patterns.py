"""The injection detector's pattern table (see :mod:`grader.injection` for how it is used).

Each entry is ``(kind, compiled pattern, position, predicate)``: ``position`` is ``"imperative"``
(the match must start an order), ``"clause"`` (it must start a clause) or ``""``; the predicate, if
any, must hold for the sentence around the match. ``_GATES`` holds, per pattern, the literal words
one of which every match contains (read off the pattern's parse tree), so a pattern can be skipped
cheaply when none of them occurs in the text.

The entries are written in four table modules, joined here in a fixed order (the order the detector
scans them): :mod:`grader.injection._orders` (overrides, grade requests, addresses to the grader,
authority claims), :mod:`grader.injection._markup` (role tags, fake verdicts, delimiter break-outs,
prompt leaks), :mod:`grader.injection._generalised` (the generalisations after the first held-out
round) and :mod:`grader.injection._other_languages`; their shared vocabulary and predicates are in
:mod:`grader.injection._vocab`. This module keeps the table, the position checks and the gates.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from grader.injection._generalised import PATTERNS as _GENERALISED
from grader.injection._markup import PATTERNS as _MARKUP
from grader.injection._orders import PATTERNS as _ORDERS
from grader.injection._other_languages import PATTERNS as _OTHER_LANGUAGES
from grader.injection._vocab import _MENTION_CUES as _MENTION_CUES
from grader.injection._vocab import Entry
from grader.injection._vocab import _has_grading_vocab as _has_grading_vocab

try:  # the regex parser, to read each pattern's required words (see _required_literals)
    import re._constants as _C
    import re._parser as _sre_parse
except ImportError:  # pragma: no cover - Python < 3.11
    import sre_constants as _C
    import sre_parse as _sre_parse

# (kind, pattern, position required: "" | "imperative" | "clause", predicate on the sentence)
_PATTERNS: list[Entry] = [*_ORDERS, *_MARKUP, *_GENERALISED, *_OTHER_LANGUAGES]

_IMPERATIVE_WORDS = frozenset(
    [
        "please",
        "kindly",
        "now",
        "just",
        "simply",
        "then",
        "first",
        "also",
        "and",
        "so",
        "must",
        "should",
        "shall",
        "will",
        "can",
        "may",
        "to",
    ]
)
_IMPERATIVE_PUNCT = set(".!?:;([\"'“‘—–-*>,\n#/|")


def _clause_start_at(view: str, pos: int) -> bool:
    """The match starts the text, a line, a sentence, a code comment (``#``, ``//``, ``/*``), a table cell
    or a quoted line, or follows an opening bracket."""
    before = view[:pos].rstrip(" \t")
    return not before or before[-1] in ".!?\n([#/|*>"


def _imperative_at(view: str, pos: int) -> bool:
    """The match starts a clause (sentence start, after a colon, after *please*, *you must* …)."""
    before = view[:pos].rstrip(" \t")
    if not before or before[-1] in _IMPERATIVE_PUNCT:
        return True
    words = re.findall(r"[\w']+", before[-40:].lower())
    return bool(words) and words[-1] in _IMPERATIVE_WORDS


# -- a cheap pre-filter: a pattern whose every match must contain one of a few literal words is
# skipped when none of them occurs in the text (most answers contain none of most patterns' words).
# The literals are read off the compiled pattern's parse tree, so they cannot drift from it.


# The parse tree is ``(opcode, argument)`` pairs from CPython's private, unstubbed regex parser.
_ParseItems = Iterable[tuple[Any, Any]]


def _leading_literal(items: _ParseItems) -> str | None:
    out = ""
    for op, av in items:
        if op is _C.LITERAL:
            out += chr(av)
        elif op is _C.SUBPATTERN:
            inner = _leading_literal(av[3])
            if inner:
                out += inner
            break
        else:
            break
    return out.lower() if len(out) >= 3 else None


def _required_literals(pattern: re.Pattern[str]) -> tuple[str, ...] | None:
    """Words one of which every match of ``pattern`` contains, or None when that is not obvious."""
    try:
        parsed = _sre_parse.parse(pattern.pattern, pattern.flags)
    except Exception:  # pragma: no cover - parser internals changed: no pre-filter, same results
        return None

    def required(items: _ParseItems) -> tuple[str, ...] | None:
        for op, av in items:
            if op is _C.SUBPATTERN:
                found = required(av[3])
            elif op is _C.BRANCH:
                alts = [lit for branch in av[1] if (lit := _leading_literal(branch))]
                found = tuple(alts) if len(alts) == len(av[1]) else None
            else:
                continue
            if found:
                return found
        return None

    return required(list(parsed))


_GATES: list[tuple[str, ...] | None] = [_required_literals(p) for _, p, _, _ in _PATTERNS]
