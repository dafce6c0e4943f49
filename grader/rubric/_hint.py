"""Splitting a hint into criteria (:func:`criteria_from_hint`; the rules are in :mod:`grader.rubric.build`)."""

from __future__ import annotations

import re

from grader.rubric._common import ABBREV, MIN_TEXT, cap, clean_text, clip, nwords, slug, unique_ids
from grader.rubric.model import Criterion

MAX_HINT_CRITERIA = 7
MIN_HINT_CRITERIA = 3

_LEAD_IN = re.compile(
    r"""^\s*(?:
        (?:(?:a|an|the)\s+)?(?:(?:strong|good|great|comprehensive|complete|excellent|best|ideal)\s+)?
        (?:answers?|candidates?|responses?|discussion)\s+
        (?:(?:should|will|must|would|can)\s+)?(?:also\s+)?(?:be\s+able\s+to\s+)?
        (?P<verb>covers?|includes?|explains?|mentions?|discuss(?:es)?|describes?|demonstrates?|shows?|
                 involves?|recommends?|address(?:es)?|names?|lists?|touch(?:es)?\s+on)\b
        (?:\s+(?:on|of|about))?
      | look\s+for\s+(?:(?P<noun>discussion|discussions|mentions?|explanations?|evidence|approaches|examples)
                      \s+(?:of|like)\s+)?
    )""",
    re.I | re.X,
)
_VERB_TEXT = {
    "cover": "Covers",
    "include": "Includes",
    "explain": "Explains",
    "mention": "Mentions",
    "discuss": "Discusses",
    "describe": "Describes",
    "demonstrate": "Demonstrates",
    "show": "Shows",
    "involve": "Involves",
    "recommend": "Recommends",
    "address": "Addresses",
    "name": "Names",
    "list": "Lists",
    "touch": "Touches on",
}
_NOUN_TEXT = {
    "discussion": "Discusses",
    "mention": "Mentions",
    "explanation": "Explains",
    "evidence": "Shows",
    "approaches": "Covers",
    "examples": "Gives examples of",
}
_ITEM_VERBS = {
    "discuss": "Discusses",
    "suggest": "Suggests",
    "describe": "Describes",
    "explain": "Explains",
    "mention": "Mentions",
    "recommend": "Recommends",
    "propose": "Proposes",
    "show": "Shows",
    "cite": "Cites",
    "name": "Names",
    "offer": "Offers",
    "use": "Uses",
    "compare": "Compares",
}
_INTRODUCER = re.compile(r"(?:\bsuch as|\be\.g\.,?|\bi\.e\.,?|\blike|\bincluding|\bfor example,?|\bespecially)$", re.I)
_STARTS_INTRODUCER = re.compile(r"^(?:such as|e\.g\.|i\.e\.|like|including|for example|especially)\b", re.I)
_EXAMPLES_TAIL = re.compile(r"(?:such as|e\.g\.|like|including|for example)\s+\S+(?:\s+\S+){0,2}$", re.I)
_CONJ = re.compile(r"^(?:and|or|and/or|then)\s+", re.I)


def _protected_mask(text: str) -> list[bool]:
    """True where a character is inside parentheses/brackets or a quotation (not apostrophes)."""
    mask = [False] * len(text)
    depth = 0
    quote: str | None = None
    closing = {"'": "'", '"': '"', "“": "”", "‘": "’"}
    for i, ch in enumerate(text):
        if quote is not None:
            mask[i] = True
            if ch == quote and (i + 1 == len(text) or not text[i + 1].isalnum()):
                quote = None
            continue
        if ch in "([{":
            depth += 1
        elif ch in ")]}" and depth:
            depth -= 1
            mask[i] = True
            continue
        elif ch in closing and depth == 0 and (i == 0 or text[i - 1] in " (\t\n"):
            quote = closing[ch]
            mask[i] = True
            continue
        mask[i] = depth > 0
    return mask


def _sentences(text: str, start: int = 0) -> list[tuple[int, int]]:
    """Sentence spans of ``text`` (end punctuation excluded from nothing: spans are stripped later)."""
    spans = []
    mask = _protected_mask(text)
    begin = 0
    for m in re.finditer(r"[.!?][\"'”’]?(?=\s+[\"'“A-Z0-9])", text):
        closes_quote = m.end() - m.start() == 2  # "… watermarks.' They're …": the quote ends the sentence
        if (mask[m.start()] and not closes_quote) or ABBREV.search(text[: m.start() + 1]):
            continue
        spans.append((begin, m.end()))
        begin = m.end()
    spans.append((begin, len(text)))
    return [(start + a, start + b) for a, b in spans if text[a:b].strip()]


def _split_top(text: str, lo: int, hi: int, seps: str) -> list[tuple[int, int]]:
    """Split text[lo:hi] at top-level separators (regex alternatives in ``seps``)."""
    mask = _protected_mask(text)
    pieces = []
    begin = lo
    for m in re.finditer(seps, text[lo:hi]):
        a, b = lo + m.start(), lo + m.end()
        if mask[a]:
            continue
        before = text[begin:a].rstrip()
        if m.group().strip() == "," and _INTRODUCER.search(before) and before.endswith("."):
            continue  # "e.g.," / "i.e.,": the comma belongs to the introducer
        pieces.append((begin, a))
        begin = b
    pieces.append((begin, hi))
    return pieces


def _trim(text: str, span: tuple[int, int]) -> tuple[int, int]:
    """Shrink a span to its content: no surrounding spaces/punctuation, no leading 'and'/'or'."""
    a, b = span
    while a < b and text[a] in " \t\n,;:-–—→>":
        a += 1
    while b > a and text[b - 1] in " \t\n,;:-–—.":
        b -= 1
    m = _CONJ.match(text[a:b])
    if m:
        a += m.end()
    return a, b


def _merge_items(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Re-join what a comma split wrongly: example lists with their head, nested short items."""
    out: list[tuple[int, int]] = []
    in_examples = False
    for i, (a, b) in enumerate(spans):
        piece = text[a:b].strip()
        if out:
            prev = text[out[-1][0] : out[-1][1]]
            if _STARTS_INTRODUCER.match(piece):
                out[-1] = (out[-1][0], b)  # "…, such as A or B" stays with its head
                in_examples = True
                continue
            if in_examples and nwords(piece) <= 3:
                out[-1] = (out[-1][0], b)  # the example list goes on: "like Runway, Pika, or Kling"
                in_examples = not _CONJ.match(piece)
                continue
            nxt = text[spans[i + 1][0] : spans[i + 1][1]].strip() if i + 1 < len(spans) else ""
            if nwords(piece) <= 2 and nwords(prev) >= 5 and _CONJ.match(nxt):
                out[-1] = (out[-1][0], spans[i + 1][1])  # "consistent objects, lighting, and physics …"
                spans[i + 1] = (b, b)  # consumed
                in_examples = False
                continue
        if a == b:
            continue
        tail = re.sub(r"\s+", " ", piece.strip())
        in_examples = bool(_EXAMPLES_TAIL.search(tail))
        out.append((a, b))
    return out


class _Item:
    """One candidate criterion: verbatim spans of the source, and the verb its text starts with."""

    def __init__(self, spans: list[tuple[int, int]], verb: str | None, claim: bool) -> None:
        self.spans = spans
        self.verb = verb
        self.claim = claim

    def fragments(self, text: str) -> list[str]:
        return [text[a:b] for a, b in self.spans]

    def words(self, text: str) -> int:
        return sum(nwords(f) for f in self.fragments(text))


def _hint_items(hint: str, refine: int) -> list[_Item]:
    items: list[_Item] = []
    for s0, s1 in _sentences(hint):
        lead = _LEAD_IN.match(hint[s0:s1])
        verb: str | None = None
        if lead:
            if lead.group("verb"):
                v = lead.group("verb").lower()
                verb = next((t for base, t in _VERB_TEXT.items() if v.startswith(base)), "Covers")
            else:
                noun = (lead.group("noun") or "").lower()
                verb = next((t for base, t in _NOUN_TEXT.items() if noun.startswith(base[:6])), "Covers")
            s0 += lead.end()
        claim = lead is None
        # arrows always separate steps; a lead-in sentence is an enumeration: split at commas too
        seps = r"\s*(?:→|->)\s*|;\s*|\s+[–—]\s+"
        if not claim:
            seps += r"|:\s+"  # "an API-driven pipeline: template prompts …"
        if not claim or refine >= 1:
            seps += r"|,\s*"
        raw = [p for p in _split_top(hint, s0, s1, seps) if hint[p[0] : p[1]].strip(" ,;:-–—→>.")]
        if not claim and len(raw) >= 2 and not _CONJ.match(hint[raw[-1][0] : raw[-1][1]].strip()):
            # "A, B and C" (no comma before the last 'and'): the last piece holds two items
            last = _split_top(hint, raw[-1][0], raw[-1][1], r"\s+and\s+")
            if len(last) >= 2:
                raw[-1:] = [(last[0][0], last[-2][1]), last[-1]]
        spans = [p for p in (_trim(hint, q) for q in _merge_items(hint, raw)) if p[0] < p[1]]
        if claim and len(spans) > 1:
            # a short leading phrase ("For video, it ensures …") belongs to what follows
            merged: list[tuple[int, int]] = []
            for p in spans:
                if merged and (nwords(hint[p[0] : p[1]]) < 3 or nwords(hint[merged[-1][0] : merged[-1][1]]) < 3):
                    merged[-1] = (merged[-1][0], p[1])
                else:
                    merged.append(p)
            spans = merged
        items.extend(_Item([p], verb, claim) for p in spans)
    return items


def _split_and(hint: str, items: list[_Item]) -> list[_Item]:
    """Last resort for a hint with too few elements: split the longest item at a top-level 'and'."""
    order = sorted(range(len(items)), key=lambda k: -items[k].words(hint))
    for k in order:
        ((a, b),) = items[k].spans[:1] or [(0, 0)]
        if len(items[k].spans) != 1:
            continue
        parts = [_trim(hint, p) for p in _split_top(hint, a, b, r"\s+and\s+")]
        parts = [p for p in parts if p[0] < p[1]]
        if len(parts) >= 2 and all(nwords(hint[p[0] : p[1]]) >= 2 for p in parts):
            new = [_Item([p], items[k].verb, items[k].claim) for p in parts]
            return items[:k] + new + items[k + 1 :]
    return items


def _merge_to(items: list[_Item], text: str, limit: int) -> list[_Item]:
    """Merge the adjacent pair with the fewest words until at most ``limit`` items remain."""
    items = list(items)
    while len(items) > limit:
        k = min(range(len(items) - 1), key=lambda j: (items[j].words(text) + items[j + 1].words(text), j))
        a, b = items[k], items[k + 1]
        items[k : k + 2] = [_Item(a.spans + b.spans, a.verb or b.verb, a.claim and b.claim)]
    return items


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _end(text: str) -> str:
    return text if re.search(r"[.!?][\"'”’)]?$", text) else text + "."


def _item_text(hint: str, item: _Item) -> str:
    parts = [clean_text(f) for f in item.fragments(hint)]
    parts = [p for p in parts if p]
    if item.claim:
        return clip(_end(cap("; ".join(parts))))
    first = parts[0].split(" ", 1)
    lead = _ITEM_VERBS.get(first[0].lower())
    if lead and len(first) > 1:  # "suggest hybrid approaches …" → "Suggests hybrid approaches …"
        parts[0] = first[1]
        return clip(_end(f"{lead} {_join(parts)}"))
    return clip(_end(f"{item.verb or 'Covers'} {_join(parts)}"))


def criteria_from_hint(hint: str) -> list[Criterion]:
    """The criteria of a hint, deterministically (see the module docstring for the rules)."""
    hint = (hint or "").strip()
    if not hint:
        raise ValueError("the hint is empty")
    if not any(ch.isalnum() for ch in hint):
        raise ValueError("the hint has no words (no letter or digit) to build a criterion from")
    items = _hint_items(hint, refine=0)
    if len(items) < MIN_HINT_CRITERIA:
        finer = _hint_items(hint, refine=1)
        items = finer if len(finer) > len(items) else items
    if len(items) < MIN_HINT_CRITERIA:
        items = _split_and(hint, items)
    items = _merge_to(items, hint, MAX_HINT_CRITERIA)
    ids = unique_ids([slug(" ".join(it.fragments(hint)), max_words=4 if len(it.spans) > 1 else 3) for it in items])
    out = []
    for n, (cid, it) in enumerate(zip(ids, items)):
        covers = tuple(_clean_cover(f) for f in it.fragments(hint))
        text = _item_text(hint, it)
        if len(text) < MIN_TEXT:  # a one-word hint ("CFG."): say what it asks for
            text = f"Covers {text}"
        out.append(Criterion(id=cid, text=text, weight=3 if n == 0 else 2, covers=tuple(c for c in covers if c)))
    return out


def _clean_cover(fragment: str) -> str:
    return fragment.strip().strip(",;").strip()
