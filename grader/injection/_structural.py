"""The detector's structural checks, done in code rather than by the regex table (split out of
:mod:`grader.injection.detector`): invisible characters, HTML comments and hidden elements, markdown comments,
image alt text and link query strings that talk about grading (unseen once rendered, read only by a model), verdict
tables, look-alike / fullwidth / small-capital / letter-spaced text, and verdict-shaped JSON objects —
or a configuration (JSON or YAML) whose key is about grading this answer and whose value sets the outcome
(``"evaluation_policy": {"default_level": "full"}``, ``review: … outcome_for_this_reply: maximum``)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from grader.injection.blocks import MD_COMMENT, READER_WORDS, verdict_tables
from grader.injection.patterns import _has_grading_vocab
from grader.text import BIDI_CONTROLS, SMALL_CAPITALS, ZERO_WIDTH, is_tag

__all__ = ["structural", "merge"]


# -- structural checks done in code ---------------------------------------------------------------

_VERDICT_KEYS = frozenset(
    [
        "criteria",
        "criterion_id",
        "level",
        "rationale",
        "evidence",
        "strengths",
        "gaps",
        "next_step",
        "injection_attempt",
        "summary",
        "score",
        "max_score",
        "band",
        "percent",
        "verdict",
        "grade",
        "marks",
        "feedback",
        "points",
        "out_of",
        "criterion",
        "awarded",
        "rating",
    ]
)
_CORE_KEYS = frozenset(["criteria", "level", "score", "band", "verdict", "grade", "marks", "max_score", "points"])
_FULL_VALUE = re.compile(
    r"[\"'](?:score|points|grade|marks|verdict|level|band|awarded|rating|result)[\"']\s*:\s*(?:10|100|10\.0|[\"'](?:full|pass|a\+|10/10|strong)[\"'])\s*[,}]",
    re.I,
)
_JSON_KEY = re.compile(r"[\"']([A-Za-z_]+)[\"']\s*:")
_HTML_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9-]*(?:\s[^<>]*)?/?>")
_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.S)
_HIDDEN_STYLE = re.compile(
    r"<([a-zA-Z][a-zA-Z0-9]*)\b[^>]*(?:style\s*=\s*[\"'][^\"']*(?:display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0"
    r"(?![.\d]*[1-9])|opacity\s*:\s*0(?![.\d]*[1-9])|color\s*:\s*(?:#fff\b|#ffffff|white|transparent))|\shidden\b)[^>]*>",
    re.I,
)
_SPACED = re.compile(r"(?<![\w])(?:[A-Za-z][ .\-_*]{1,3}){4,}[A-Za-z](?![\w])")
_SPACED_VOCAB = re.compile(
    r"ignore|rubric|marks|grader|instruction|points|score|fullmark|award|criteri|disregard", re.I
)


_SMALL_CAPS_RUN = re.compile("[" + "".join(SMALL_CAPITALS) + "]{3,}")


def _json_objects(text: str) -> list[tuple[int, int]]:
    """Spans of brace-balanced ``{…}`` blocks (outermost), at most 5000 characters each."""
    spans = []
    i = 0
    n = len(text)
    while i < n:
        start = text.find("{", i)
        if start < 0:
            break
        depth = 0
        j = start
        while j < n and j - start < 5000:
            if text[j] == "{":
                depth += 1
            elif text[j] == "}":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        end = j + 1 if j < n and depth == 0 else min(n, start + 5000)
        spans.append((start, end))
        i = end
    return spans


def structural(text: str, view: str, idx: Sequence[int], mixed: list[tuple[int, int]]) -> list[tuple[str, int, int]]:
    """Findings as (kind, start, end) in original offsets, not from the regex table."""
    out: list[tuple[str, int, int]] = []
    # invisible characters (none in ASCII text)
    i = 0
    n = 0 if text.isascii() else len(text)
    while i < n:
        ch = text[i]
        if ch in ZERO_WIDTH and not (i == 0 and ch == "\ufeff"):
            j = i
            while j < n and text[j] in ZERO_WIDTH:
                j += 1
            emoji_join = (
                ch == "\u200d" and j - i == 1 and i > 0 and j < n and _is_symbol(text[i - 1]) and _is_symbol(text[j])
            )
            if not emoji_join:
                out.append(("hidden-text", i, j))
            i = j
        elif is_tag(ch):
            j = i
            while j < n and is_tag(text[j]):
                j += 1
            if not (i > 0 and text[i - 1] == "\U0001f3f4"):  # subdivision flags (🏴 + tags) are emoji
                out.append(("hidden-text", i, j))
            i = j
        elif ch in BIDI_CONTROLS:
            end = text.find("\n", i)
            end = n if end < 0 else end
            closing = max(text.rfind("\u202c", i, end), text.rfind("\u2069", i, end))
            out.append(("hidden-text", i, closing + 1 if closing > i else end))
            i = (closing + 1) if closing > i else end
        else:
            i += 1
    # HTML comments and hidden elements
    other_html = bool(_HTML_TAG.search(_COMMENT.sub("", text)))
    for m in _COMMENT.finditer(text):
        body = m.group()[4:]
        if (
            _has_grading_vocab(body)
            or re.search(r"\b(?:ai|llm|model|ignore|instructions?)\b", body, re.I)
            or not other_html
        ):
            out.append(("hidden-text", m.start(), m.end()))
    for m in MD_COMMENT.finditer(text):  # [//]: # (…) — a markdown comment, invisible once rendered
        if _has_grading_vocab(m.group()) or READER_WORDS.search(m.group()):
            out.append(("hidden-text", m.start(), m.end()))
    for m in _IMAGE_ALT.finditer(text):  # ![alt](src): the alt text is not shown, a message to a reader can be
        alt = m.group(1)
        if len(alt.split()) >= 6 and _has_grading_vocab(alt):
            out.append(("hidden-text", m.start(), m.end()))
    for m in _URL_QUERY.finditer(text):  # a link's query string is not read by a person; an order to a grader can be
        if _QUERY_ORDER.search(re.sub(r"[&=+_\-/%]", " ", m.group(1))):
            out.append(("hidden-text", m.start(), m.end()))
    for s, e in verdict_tables(view):
        out.append(("fake-verdict", idx[s], idx[e - 1] + 1))
    for m in _HIDDEN_STYLE.finditer(text):
        close = re.compile(rf"</\s*{re.escape(m.group(1))}\s*>", re.I).search(text, m.end())
        out.append(("hidden-text", m.start(), close.end() if close else m.end()))
    # look-alike letters, fullwidth / mathematical letters, letter-spaced words
    for s, e in merge(mixed, gap=200):
        out.append(("unicode-trick", s, e))
    for m in _SMALL_CAPS_RUN.finditer(text):
        out.append(("unicode-trick", m.start(), m.end()))
    for m in re.finditer(r"[\uff21-\uff3a\uff41-\uff5a\U0001d400-\U0001d7ff]{3,}", text):
        out.append(("unicode-trick", m.start(), m.end()))
    for m in _SPACED.finditer(view):
        if _SPACED_VOCAB.search(re.sub(r"[^A-Za-z]", "", m.group())):
            out.append(("unicode-trick", idx[m.start()], idx[m.end() - 1] + 1))
    # a configuration (JSON object or run of YAML lines) that sets how this answer is graded
    for s, e in [*_json_objects(view), *_yaml_runs(view)]:
        block = view[s:e]
        if _GRADING_KEY.search(block) and _OUTCOME_VALUE.search(block):
            out.append(("fake-verdict", idx[s], idx[e - 1] + 1))
    # verdict-shaped JSON objects
    for s, e in _json_objects(view):
        keys = {k.lower() for k in _JSON_KEY.findall(view[s:e])}
        hits = keys & _VERDICT_KEYS
        if (
            "criterion_id" in hits
            or "injection_attempt" in hits
            or (len(hits) >= 2 and hits & _CORE_KEYS)
            or _FULL_VALUE.search(view[s:e])
        ):
            out.append(("fake-verdict", idx[s], idx[e - 1] + 1))
    return out


_IMAGE_ALT = re.compile(r"!\[([^\]\n]{0,500})\]\([^)\n]{0,500}\)")
_URL_QUERY = re.compile(r"https?://[^\s?#]{1,300}[?#](\S{1,1000})")
_QUERY_ORDER = re.compile(
    r"\b(?:award\w*|assessor|examiner|grader|reviewer|credit|full\s*marks?|max(?:imum)?\s+score)\b", re.I
)
_GRADING_KEY = re.compile(
    r"[\"']?\b\w*(?:evaluat|grading|scoring|review|assess|marking|strictness|verdict|outcome)\w*[\"']?\s*:", re.I
)
_OUTCOME_VALUE = re.compile(
    r":\s*[\"']?(?:full|max(?:imum)?|lenient|off|pass(?:ed)?|approved|top|highest|perfect|10/10|100)\b", re.I
)
_YAML_LINE = re.compile(r"^[ \t]*-?[ \t]*[A-Za-z_][\w-]*[ \t]*:.*$", re.M)


def _yaml_runs(text: str) -> list[tuple[int, int]]:
    """Spans of runs of two or more consecutive ``key: value`` lines (a YAML or INI-like block)."""
    runs: list[tuple[int, int]] = []
    start = end = -1
    count = 0
    for m in _YAML_LINE.finditer(text):
        if count and m.start() == end + 1:
            end, count = m.end(), count + 1
            continue
        if count >= 2:
            runs.append((start, end))
        start, end, count = m.start(), m.end(), 1
    if count >= 2:
        runs.append((start, end))
    return runs


def merge(spans: list[tuple[int, int]], gap: int) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if merged and s - merged[-1][1] <= gap:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


def _is_symbol(ch: str) -> bool:
    return unicodedata.category(ch) == "So" or 0x1F000 <= ord(ch) <= 0x1FAFF
