"""Build rubrics from a hint or a reference answer: deterministic splitting, or with an LLM.

Deterministic builders (no LLM, same input → same rubric):

- :func:`criteria_from_hint` splits a hint ("A strong answer covers …") into its elements. The
  lead-in ("A strong answer covers", "The candidate should discuss", "Look for discussion of" …)
  is dropped and its verb starts each criterion's text ("Discusses …"). Enumerations are split at
  top-level commas, semicolons and arrows (``→``); parenthesised groups (``camera movement
  (dolly, orbit)``), quoted groups and ``such as`` / ``e.g.`` / ``like`` / ``including`` lists stay
  with their head; a short item inside a longer phrase (``consistent objects, lighting, and
  physics``) is not split off. A sentence without a lead-in is a *claim* and stays whole, unless
  the hint would otherwise give fewer than 3 criteria: then claims are split at commas, and as a
  last resort at ``and``. At most 7 criteria (the shortest neighbours are merged). Weights: the
  first criterion (the central claim or first element) 3, the others 2. ``covers`` holds the
  verbatim hint fragments each criterion stands for.
- :func:`criteria_from_reference` turns a reference answer into its claims: sentences, clauses
  after ``;``, list items (``1.``, ``-``, ``●``, ``i)``). A heading ending in ``:`` is joined to
  what follows; grading notes ("One of the following … should be given:", "Note: …") and point
  marks (``(0.25)``, ``0.5 P for``) are left out of the criterion text; claims under 4 words are
  joined to a neighbour; at most 12 (the shortest neighbours are merged); weight 1 each.
  Blank-line-separated blocks are parts of one answer, unless a block starts with
  "Alternatively"/"Alternative answer" or shares most of its content words with the first block:
  then it is an *alternative* answer, its claims are added as extra ``covers`` (extra views for the
  embedded grader) of the closest criterion of the first answer.

Neighbouring modules: :mod:`grader.rubric.io` (``bank_from_csv``: a question-bank CSV → rubrics;
``rubric_to_yaml``: a rubric → YAML in the layout of ``rubrics/``) and :mod:`grader.rubric.llm`
(``criteria_with_llm``: criteria drafted by the configured LLM).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from grader.rubric.model import Criterion, Rubric, parse_rubric
from grader.text import content_words, word_count

__all__ = [
    "criteria_from_hint",
    "criteria_from_reference",
    "rubric_from_hint",
    "rubric_from_reference",
    "slug",
    "slug_id",
    "MAX_HINT_CRITERIA",
    "MAX_REFERENCE_CRITERIA",
]

MAX_HINT_CRITERIA = 7
MIN_HINT_CRITERIA = 3
MAX_REFERENCE_CRITERIA = 12
_MAX_TEXT = 400

# -- text helpers ------------------------------------------------------------------------------------

# The words an id leaves out: a fixed part of :data:`grader.text.STOPWORDS`, not all of it, because
# criterion ids are the rubric format's handles: with the whole list, 5 of the 50 packaged hints and 23
# of SAF's reference answers would get different ids than earlier versions built ("having-minimum-viable"
# → "minimum-viable-creative"). A test checks that it stays a subset.
SLUG_SKIPPED_WORDS = frozenset(
    "a an the of for to and or with in on by as at its it their is are be that this these those when what "
    "not just from into over per via than then so such e g eg i ie vs how".split()
)
_ID_WORDS = re.compile(r"[a-z0-9]+")


def slug(text: str, max_words: int = 3, max_len: int = 64) -> str:
    """A lowercase id from the first content words of ``text`` (parenthesised parts and
    :data:`SLUG_SKIPPED_WORDS` left out)."""
    text = re.sub(r"\([^)]*\)", " ", text)
    words = [w for w in _ID_WORDS.findall(text.casefold()) if w not in SLUG_SKIPPED_WORDS]
    if not words:
        words = _ID_WORDS.findall(text.casefold()) or ["item"]
    return "-".join(words[:max_words])[:max_len].strip("-") or "item"


def _unique_ids(ids: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i in ids:
        n = seen.get(i, 0) + 1
        seen[i] = n
        out.append(i if n == 1 else f"{i[:60]}-{n}")
    return out


def _nwords(text: str) -> int:
    return word_count(re.sub(r"\([^)]*\)", " ", text))


def _clean(text: str) -> str:
    return " ".join(text.split()).strip(" ,;:-–—").rstrip(".").strip()


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _clip(text: str) -> str:
    return text if len(text) <= _MAX_TEXT else text[: _MAX_TEXT - 1].rsplit(" ", 1)[0] + "…"


# -- splitting a hint ----------------------------------------------------------------------------------

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
    "cover": "Covers", "include": "Includes", "explain": "Explains", "mention": "Mentions",
    "discuss": "Discusses", "describe": "Describes", "demonstrate": "Demonstrates", "show": "Shows",
    "involve": "Involves", "recommend": "Recommends", "address": "Addresses", "name": "Names",
    "list": "Lists", "touch": "Touches on",
}
_NOUN_TEXT = {"discussion": "Discusses", "mention": "Mentions", "explanation": "Explains",
              "evidence": "Shows", "approaches": "Covers", "examples": "Gives examples of"}
_ITEM_VERBS = {
    "discuss": "Discusses", "suggest": "Suggests", "describe": "Describes", "explain": "Explains",
    "mention": "Mentions", "recommend": "Recommends", "propose": "Proposes", "show": "Shows",
    "cite": "Cites", "name": "Names", "offer": "Offers", "use": "Uses", "compare": "Compares",
}
_INTRODUCER = re.compile(r"(?:\bsuch as|\be\.g\.,?|\bi\.e\.,?|\blike|\bincluding|\bfor example,?|\bespecially)$", re.I)
_STARTS_INTRODUCER = re.compile(r"^(?:such as|e\.g\.|i\.e\.|like|including|for example|especially)\b", re.I)
_ABBREV = re.compile(r"(?:\b(?:e\.g|i\.e|vs|etc|approx|cf|Dr|Mr|Mrs|Ms|No|Fig)\.)$", re.I)
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
        if (mask[m.start()] and not closes_quote) or _ABBREV.search(text[: m.start() + 1]):
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
            prev = text[out[-1][0]:out[-1][1]]
            if _STARTS_INTRODUCER.match(piece):
                out[-1] = (out[-1][0], b)  # "…, such as A or B" stays with its head
                in_examples = True
                continue
            if in_examples and _nwords(piece) <= 3:
                out[-1] = (out[-1][0], b)  # the example list goes on: "like Runway, Pika, or Kling"
                in_examples = not _CONJ.match(piece)
                continue
            nxt = text[spans[i + 1][0]:spans[i + 1][1]].strip() if i + 1 < len(spans) else ""
            if _nwords(piece) <= 2 and _nwords(prev) >= 5 and _CONJ.match(nxt):
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
        return sum(_nwords(f) for f in self.fragments(text))


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
        raw = [p for p in _split_top(hint, s0, s1, seps) if hint[p[0]:p[1]].strip(" ,;:-–—→>.")]
        if not claim and len(raw) >= 2 and not _CONJ.match(hint[raw[-1][0]:raw[-1][1]].strip()):
            # "A, B and C" (no comma before the last 'and'): the last piece holds two items
            last = _split_top(hint, raw[-1][0], raw[-1][1], r"\s+and\s+")
            if len(last) >= 2:
                raw[-1:] = [(last[0][0], last[-2][1]), last[-1]]
        spans = [p for p in (_trim(hint, q) for q in _merge_items(hint, raw)) if p[0] < p[1]]
        if claim and len(spans) > 1:
            # a short leading phrase ("For video, it ensures …") belongs to what follows
            merged: list[tuple[int, int]] = []
            for p in spans:
                if merged and (_nwords(hint[p[0]:p[1]]) < 3 or _nwords(hint[merged[-1][0]:merged[-1][1]]) < 3):
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
        (a, b), = items[k].spans[:1] or [(0, 0)]
        if len(items[k].spans) != 1:
            continue
        parts = [_trim(hint, p) for p in _split_top(hint, a, b, r"\s+and\s+")]
        parts = [p for p in parts if p[0] < p[1]]
        if len(parts) >= 2 and all(_nwords(hint[p[0]:p[1]]) >= 2 for p in parts):
            new = [_Item([p], items[k].verb, items[k].claim) for p in parts]
            return items[:k] + new + items[k + 1:]
    return items


def _merge_to(items: list[_Item], text: str, limit: int) -> list[_Item]:
    """Merge the adjacent pair with the fewest words until at most ``limit`` items remain."""
    items = list(items)
    while len(items) > limit:
        k = min(range(len(items) - 1), key=lambda j: (items[j].words(text) + items[j + 1].words(text), j))
        a, b = items[k], items[k + 1]
        items[k:k + 2] = [_Item(a.spans + b.spans, a.verb or b.verb, a.claim and b.claim)]
    return items


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _end(text: str) -> str:
    return text if re.search(r"[.!?][\"'”’)]?$", text) else text + "."


def _item_text(hint: str, item: _Item) -> str:
    parts = [_clean(f) for f in item.fragments(hint)]
    parts = [p for p in parts if p]
    if item.claim:
        return _clip(_end(_cap("; ".join(parts))))
    first = parts[0].split(" ", 1)
    lead = _ITEM_VERBS.get(first[0].lower())
    if lead and len(first) > 1:  # "suggest hybrid approaches …" → "Suggests hybrid approaches …"
        parts[0] = first[1]
        return _clip(_end(f"{lead} {_join(parts)}"))
    return _clip(_end(f"{item.verb or 'Covers'} {_join(parts)}"))


def criteria_from_hint(hint: str) -> list[Criterion]:
    """The criteria of a hint, deterministically (see the module docstring for the rules)."""
    hint = (hint or "").strip()
    if len(hint) < 5:
        raise ValueError("the hint is empty or too short to build criteria from")
    items = _hint_items(hint, refine=0)
    if len(items) < MIN_HINT_CRITERIA:
        finer = _hint_items(hint, refine=1)
        items = finer if len(finer) > len(items) else items
    if len(items) < MIN_HINT_CRITERIA:
        items = _split_and(hint, items)
    items = _merge_to(items, hint, MAX_HINT_CRITERIA)
    ids = _unique_ids([slug(" ".join(it.fragments(hint)), max_words=4 if len(it.spans) > 1 else 3) for it in items])
    out = []
    for n, (cid, it) in enumerate(zip(ids, items)):
        covers = tuple(_clean_cover(f) for f in it.fragments(hint))
        out.append(Criterion(id=cid, text=_item_text(hint, it), weight=3 if n == 0 else 2,
                             covers=tuple(c for c in covers if c)))
    return out


def _clean_cover(fragment: str) -> str:
    return fragment.strip().strip(",;").strip()


# -- splitting a reference answer ----------------------------------------------------------------------

# a line break before a list item or a capital starts a clause; other breaks are soft wraps
_CLAUSE_BREAK = re.compile(
    r";\s*|(?<=[.!?])\s+(?=[\"“(\[A-Z0-9●○•])"
    r"|\s*\n(?=[ \t]*(?:[-•●○▪*]|\d+\s*[.)]|[ivx]+\)|[A-Z]))"
)
_BULLET = re.compile(r"^\s*(?:[-•●○▪*]+|\d+\s*[.)]|[ivx]+\)|[a-h]\))\s*", re.I)
_POINTS = re.compile(r"\(\s*\d+(?:[.,]\d+)?\s*(?:p|pt|pts|points?)?\s*\)|\b\d+(?:[.,]\d+)?\s*P\s+for\b\s*", re.I)
_META = re.compile(
    r"^(?:note\b|(?:one|any|some|two|three|all)\s+of\s+the\s+following\b|the\s+following\b|see\s+the\s+following\b"
    r"|possible\s+\w+\s*:?$|.*\bshould\s+be\s+given\s*:?$|.*\bare\s+considered\b.*:$)",
    re.I,
)
_ALTERNATIVE = re.compile(r"^\s*(?:alternatively|alternative(?:\s+\w+)?\s*:|or\s*:|another\s+(?:possible\s+)?answer)",
                          re.I)
_MIN_CLAIM_WORDS = 4


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _claim_spans(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    spans = []
    begin = lo
    for m in _CLAUSE_BREAK.finditer(text, lo, hi):
        if _ABBREV.search(text[begin:m.start()]):
            continue
        spans.append((begin, m.start()))
        begin = m.end()
    spans.append((begin, hi))
    out = []
    for a, b in spans:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a < b:
            out.append((a, b))
    return out


def _claim_text(fragment: str) -> str:
    t = _BULLET.sub("", " ".join(fragment.split()))
    t = _POINTS.sub(" ", t)
    return " ".join(t.split()).strip(" -•●○*")


class _Claim:
    def __init__(self, spans: list[tuple[int, int]], texts: list[str]) -> None:
        self.spans = spans
        self.texts = texts

    @property
    def words(self) -> int:
        return sum(word_count(t) for t in self.texts)


def _claims(reference: str, lo: int, hi: int) -> list[_Claim]:
    claims: list[_Claim] = []
    heading: _Claim | None = None
    for a, b in _claim_spans(reference, lo, hi):
        t = _claim_text(reference[a:b])
        if not t:
            continue
        if _META.match(t):
            continue  # grading instructions are not claims
        c = _Claim([(a, b)], [t])
        if heading is not None:
            c = _Claim(heading.spans + c.spans, heading.texts + c.texts)
            heading = None
        if t.endswith(":"):
            heading = c  # "Advantage:" / "Slow start (…):" introduces the next claim
            continue
        if claims and (c.words < _MIN_CLAIM_WORDS or claims[-1].words < _MIN_CLAIM_WORDS):
            last = claims[-1]
            claims[-1] = _Claim(last.spans + c.spans, last.texts + c.texts)
        else:
            claims.append(c)
    if heading is not None:
        claims.append(heading)
    return claims


def _claim_criterion_text(c: _Claim) -> str:
    parts = []
    for t in c.texts:
        parts.append(t if t.endswith(":") else t.rstrip(".;") + ("" if t.endswith(":") else ""))
    text = " ".join(p if p.endswith(":") else p + ";" for p in parts).rstrip(";")
    text = text.replace(":;", ":")
    return _clip(text if len(text) >= 5 else f"States: {text}")


def criteria_from_reference(reference_answer: str) -> list[Criterion]:
    """The claims of a reference answer as criteria (see the module docstring for the rules)."""
    ref = (reference_answer or "").strip()
    if len(ref) < 5:
        raise ValueError("the reference answer is empty or too short to build criteria from")
    blocks = [(m.start(), m.end()) for m in re.finditer(r"\S(?:.*?\S)?(?=\s*\n\s*\n|\s*$)", ref, re.S)]
    first_words = content_words(ref[blocks[0][0]:blocks[0][1]])
    main: list[tuple[int, int]] = [blocks[0]]
    alternatives: list[tuple[int, int]] = []
    for a, b in blocks[1:]:
        block = ref[a:b]
        if _ALTERNATIVE.match(block) or _jaccard(content_words(block), first_words) >= 0.5:
            alternatives.append((a, b))
        else:
            main.append((a, b))
    claims: list[_Claim] = []
    seen: set[str] = set()
    for a, b in main:
        for c in _claims(ref, a, b):
            key = " ".join(c.texts).casefold()
            if key not in seen:  # a claim repeated word for word (e.g. in two parts) counts once
                seen.add(key)
                claims.append(c)
    if not claims:
        claims = [_Claim([blocks[0]], [_claim_text(ref[blocks[0][0]:blocks[0][1]]) or ref[:_MAX_TEXT]])]
    while len(claims) > MAX_REFERENCE_CRITERIA:
        k = min(range(len(claims) - 1), key=lambda j: (claims[j].words + claims[j + 1].words, j))
        claims[k:k + 2] = [_Claim(claims[k].spans + claims[k + 1].spans, claims[k].texts + claims[k + 1].texts)]
    extra: list[list[str]] = [[] for _ in claims]
    for a, b in alternatives:
        for alt in _claims(ref, a, b):
            words = content_words(" ".join(alt.texts))
            best = max(range(len(claims)), key=lambda k: (_jaccard(words, content_words(" ".join(claims[k].texts))), -k))
            extra[best].extend(" ".join(ref[x:y].split()) for x, y in alt.spans)
    ids = _unique_ids([slug(" ".join(c.texts), max_words=3) for c in claims])
    out = []
    for cid, c, more in zip(ids, claims, extra):
        covers = tuple(" ".join(ref[a:b].split()) for a, b in c.spans) + tuple(more)
        out.append(Criterion(id=cid, text=_claim_criterion_text(c), weight=1, covers=covers))
    return out


# -- rubrics -------------------------------------------------------------------------------------------


def _make_rubric(source: str, fields: dict[str, Any]) -> Rubric:
    data = {k: v for k, v in fields.items() if v is not None}
    data["criteria"] = [c.model_dump() for c in data["criteria"]]
    return parse_rubric(data, source)


def rubric_from_hint(hint: str, *, id: str | None = None, question: str, section: str = "General",
                     bank: str = "custom", max_score: float = 10, number: int | None = None,
                     criteria: Iterable[Criterion] | None = None) -> Rubric:
    """A ``kind="hint"`` rubric whose criteria are the hint's elements (or ``criteria`` if given)."""
    crits = list(criteria) if criteria is not None else criteria_from_hint(hint)
    return _make_rubric(f"hint for {id or slug(question, 6, 80)}", dict(
        id=id or slug(question, 6, 80), bank=bank, section=section, number=number, question=question,
        hint=hint.strip(), max_score=max_score, criteria=crits))


def rubric_from_reference(reference_answer: str, *, id: str | None = None, question: str,
                          section: str = "General", bank: str = "custom", max_score: float = 10,
                          number: int | None = None, criteria: Iterable[Criterion] | None = None) -> Rubric:
    """A ``kind="reference"`` rubric whose criteria are the reference answer's claims."""
    crits = list(criteria) if criteria is not None else criteria_from_reference(reference_answer)
    return _make_rubric(f"reference answer for {id or slug(question, 6, 80)}", dict(
        id=id or slug(question, 6, 80), bank=bank, section=section, number=number, question=question,
        reference_answer=reference_answer.strip(), kind="reference", max_score=max_score, criteria=crits))


def slug_id(raw: str) -> str:
    """A rubric id from a bank's id: kept if already a slug, else lowercased (``10.1_TC`` → ``10-1-tc``)."""
    if re.fullmatch(r"[a-z0-9][a-z0-9-]*", raw) and len(raw) <= 80:
        return raw
    return (re.sub(r"[^a-z0-9]+", "-", raw.casefold()).strip("-") or "q")[:80]
