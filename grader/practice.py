"""Practice for candidates: choosing the next question and summarising the attempt history.

Library logic only (no printing, no HTML); the terminal (:mod:`grader.cli_practice`) and the web page
(:mod:`grader.web`) share it.

- :func:`choose_question` picks the next question, by section or at random, never the one just
  answered unless repeats are allowed (or it is the only question in the pool). The random source is
  injectable (``random.Random``) so tests are deterministic.
- :func:`summarize` turns the store's attempt rows (``Store.attempts()``) into per-question and
  per-section summaries: attempts, best, latest, first, trend (latest − first, in percentage points)
  and a sparkline of the percents in order.
- :func:`evidence_spans` collects the verified evidence offsets of a result and merges overlapping
  spans, ready for highlighting (the web page escapes each segment).
"""

from __future__ import annotations

import hashlib
import os
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from grader.errors import InputError
from grader.result import GradeResult
from grader.rubric import Rubric, RubricBank

__all__ = [
    "choose_question",
    "pool_for",
    "collect_answer",
    "answer_from_editor",
    "draft_path",
    "save_draft",
    "load_draft",
    "clear_draft",
    "QuestionHistory",
    "SectionSummary",
    "History",
    "summarize",
    "best_by_question",
    "sparkline",
    "evidence_spans",
    "Highlight",
    "END_OF_ANSWER",
]

END_OF_ANSWER = "."
"""A line containing only this ends a multi-line answer typed in the terminal."""

_SPARK = "▁▂▃▄▅▆▇█"


# -- choosing the next question --------------------------------------------------------------------


def pool_for(bank: RubricBank, section: str | None = None) -> list[Rubric]:
    """The questions of ``section`` (exact name or prefix, case-insensitive), or all of them."""
    pool = bank.filter(section)
    if not pool:
        if section:
            raise InputError(f"no section matches {section!r}", hint=f"sections: {', '.join(bank.sections())}")
        raise InputError("the question bank is empty")
    return pool


def choose_question(
    bank: RubricBank | Sequence[Rubric],
    *,
    section: str | None = None,
    last: str | None = None,
    allow_repeat: bool = False,
    rng: random.Random | None = None,
) -> Rubric:
    """Pick a question at random from ``section`` (or the whole bank).

    ``last`` is the id of the question just answered: it is not picked again unless ``allow_repeat``
    is true or it is the only question in the pool.
    """
    rng = rng or random.Random()
    if isinstance(bank, RubricBank):
        pool = pool_for(bank, section)
    else:
        pool = [r for r in bank if not section or r.section.casefold().startswith(section.casefold())]
        if not pool:
            raise InputError(f"no question matches section {section!r}" if section else "no questions to choose from")
    candidates = pool if allow_repeat else [r for r in pool if r.id != last] or pool
    return rng.choice(candidates)


def collect_answer(lines: Iterable[str], out: list[str] | None = None) -> tuple[str, bool]:
    """Read a multi-line answer from ``lines`` until a line that is only ``.`` or the end of input.

    Returns ``(text, ended_by_eof)``. Trailing blank lines are dropped; inner ones are kept. Each line
    is appended to ``out`` as it is read, so a caller interrupted mid-answer (Ctrl-C) still has them.
    """
    out = [] if out is None else out
    eof = True
    for line in lines:
        line = line.rstrip("\r\n")
        if line.strip() == END_OF_ANSWER:
            eof = False
            break
        out.append(line)
    while out and not out[-1].strip():
        out.pop()
    return "\n".join(out), eof


def answer_from_editor(edited: str, header: Sequence[str], mark: str) -> str:
    """The answer in a file written from a template whose ``header`` lines start with ``mark``.

    The header's own text is removed wherever it is found, so words typed on a header line (before
    or after it) are kept and the header is never graded; any other line starting with ``mark`` is
    a (changed) header line and dropped.
    """
    lines: list[str] = []
    for line in edited.splitlines():
        found = next((h for h in header if h and h in line), None)
        if found is not None:
            line = line.replace(found, "", 1).strip()
            if line:
                lines.append(line)
        elif not line.startswith(mark):
            lines.append(line)
    return "\n".join(lines).strip()


# -- drafts: an answer that could not be graded (Ctrl-C, a failure) is kept for the next session --


def draft_path(directory: Path, question_id: str) -> Path:
    """Where the draft answer to ``question_id`` is kept (a readable file name, unique per id)."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", question_id)[:80]
    digest = hashlib.sha256(question_id.encode()).hexdigest()[:8]
    return directory / f"{safe}-{digest}.txt"


def save_draft(directory: Path, question_id: str, text: str) -> Path:
    """Write ``text`` as the draft for ``question_id`` (atomically) and return its path."""
    path = draft_path(directory, question_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return path


def load_draft(directory: Path, question_id: str) -> str | None:
    """The saved draft for ``question_id``, or None."""
    try:
        text = draft_path(directory, question_id).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return text if text.strip() else None


def clear_draft(directory: Path, question_id: str) -> None:
    """Forget the draft for ``question_id`` (once an answer to it is graded and saved)."""
    draft_path(directory, question_id).unlink(missing_ok=True)


# -- history -------------------------------------------------------------------------------------


def sparkline(values: Sequence[float | None], *, lo: float = 0.0, hi: float = 100.0) -> str:
    """One block character per value on a fixed 0–100 scale; ``·`` for an unscored attempt."""
    chars = []
    span = (hi - lo) or 1.0
    for v in values:
        if v is None:
            chars.append("·")
            continue
        frac = min(max((v - lo) / span, 0.0), 1.0)
        chars.append(_SPARK[min(int(frac * len(_SPARK)), len(_SPARK) - 1)])
    return "".join(chars)


@dataclass
class QuestionHistory:
    question_id: str
    section: str
    attempts: int = 0
    scored: int = 0
    best: float | None = None  # percent
    latest: float | None = None  # percent of the latest scored attempt
    first: float | None = None  # percent of the first scored attempt
    percents: list[float | None] = field(default_factory=list)
    first_at: str = ""
    last_at: str = ""
    best_attempt_id: int | None = None
    latest_attempt_id: int | None = None

    @property
    def trend(self) -> float | None:
        """Latest minus first scored percent (percentage points); None with fewer than two scores."""
        if self.scored < 2 or self.latest is None or self.first is None:
            return None
        return round(self.latest - self.first, 1)

    @property
    def spark(self) -> str:
        return sparkline(self.percents)

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["trend"] = self.trend
        d["sparkline"] = self.spark
        return d


@dataclass
class SectionSummary:
    section: str
    questions: int = 0  # distinct questions attempted
    attempts: int = 0
    mean_best: float | None = None
    mean_latest: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class History:
    questions: list[QuestionHistory]
    sections: list[SectionSummary]
    timeline: list[dict[str, Any]]  # every attempt in order: id, question_id, section, percent, created_at, backend

    @property
    def attempts(self) -> int:
        return len(self.timeline)

    def question(self, qid: str) -> QuestionHistory | None:
        return next((q for q in self.questions if q.question_id == qid), None)

    def as_dict(self) -> dict[str, Any]:
        return {
            "attempts": self.attempts,
            "questions": [q.as_dict() for q in self.questions],
            "sections": [s.as_dict() for s in self.sections],
            "timeline": self.timeline,
        }


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def summarize(
    attempts: Iterable[dict[str, Any]],
    *,
    section: str | None = None,
    question_id: str | None = None,
    order: Sequence[str] | None = None,
) -> History:
    """Aggregate attempt rows (as returned by ``Store.attempts()``, oldest first).

    ``section`` keeps the attempts whose section matches (name or prefix, case-insensitive);
    ``question_id`` keeps one question. ``order`` (e.g. the bank's ids) orders the questions; others
    follow in order of first attempt.
    """
    rows = sorted(attempts, key=lambda r: (r.get("created_at") or "", r.get("id") or 0))
    if section:
        want = section.casefold()
        rows = [r for r in rows if (r.get("section") or "").casefold().startswith(want)]
    if question_id:
        rows = [r for r in rows if r["question_id"] == question_id]
    by_q: dict[str, QuestionHistory] = {}
    timeline: list[dict[str, Any]] = []
    for r in rows:
        qid = r["question_id"]
        pct = r.get("percent")
        h = by_q.get(qid)
        if h is None:
            h = by_q[qid] = QuestionHistory(question_id=qid, section=r.get("section") or "", first_at=r["created_at"])
        h.attempts += 1
        h.percents.append(pct)
        h.last_at = r["created_at"]
        if pct is not None:
            h.scored += 1
            if h.first is None:
                h.first = pct
            h.latest = pct
            h.latest_attempt_id = r.get("id")
            if h.best is None or pct >= h.best:
                h.best = pct
                h.best_attempt_id = r.get("id")
        timeline.append(
            {
                "id": r.get("id"),
                "question_id": qid,
                "section": r.get("section") or "",
                "percent": pct,
                "created_at": r["created_at"],
                "backend": r.get("backend") or "",  # the history chart never mixes LLM and embedded grades
            }
        )
    questions = list(by_q.values())
    if order:
        rank = {qid: i for i, qid in enumerate(order)}
        questions.sort(key=lambda q: (rank.get(q.question_id, len(rank)), q.first_at))
    sections: dict[str, list[QuestionHistory]] = {}
    for q in questions:
        sections.setdefault(q.section, []).append(q)
    summaries = [
        SectionSummary(
            section=name,
            questions=len(qs),
            attempts=sum(q.attempts for q in qs),
            mean_best=_mean([q.best for q in qs if q.best is not None]),
            mean_latest=_mean([q.latest for q in qs if q.latest is not None]),
        )
        for name, qs in sections.items()
    ]
    return History(questions=questions, sections=summaries, timeline=timeline)


def best_by_question(attempts: Iterable[dict[str, Any]]) -> dict[str, tuple[float | None, int]]:
    """question id → (best percent or None if never scored, number of attempts)."""
    out: dict[str, tuple[float | None, int]] = {}
    for r in attempts:
        best, n = out.get(r["question_id"], (None, 0))
        pct = r.get("percent")
        if pct is not None and (best is None or pct > best):
            best = pct
        out[r["question_id"]] = (best, n + 1)
    return out


# -- evidence highlighting -------------------------------------------------------------------------


@dataclass
class Highlight:
    start: int
    end: int
    criteria: list[str]


def evidence_spans(result: GradeResult, answer: str) -> list[Highlight]:
    """Verified evidence spans of ``result`` inside ``answer``, sorted, overlapping ones merged.

    Spans outside the answer are clipped (or dropped); each merged span lists the criteria it
    supports, in rubric order, without duplicates.
    """
    raw: list[tuple[int, int, str]] = []
    n = len(answer)
    for c in result.criteria:
        for e in c.evidence:
            if not e.verified or e.start is None or e.end is None:
                continue
            start, end = max(0, e.start), min(n, e.end)
            if end > start:
                raw.append((start, end, c.id))
    raw.sort(key=lambda t: (t[0], t[1]))
    merged: list[Highlight] = []
    for start, end, cid in raw:
        if merged and start < merged[-1].end:
            last = merged[-1]
            last.end = max(last.end, end)
            if cid not in last.criteria:
                last.criteria.append(cid)
        else:
            merged.append(Highlight(start, end, [cid]))
    return merged
