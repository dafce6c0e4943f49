"""What a results viewer shows: rows filtered, searched and sorted; one question's criteria as a matrix.

Pure functions of a :class:`~grader.review.ReviewSession` and plain parameters (the browser passes its
query string), so the filtering works without JavaScript and is tested without a server.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from grader.review._decisions import ReviewSession
from grader.review._rows import ReviewRow

__all__ = ["ViewFilter", "filter_rows", "criteria_matrix", "Matrix", "SORTS"]

#: Sort keys the viewer offers (``review``: what needs a human first, as the terminal review).
SORTS = ("review", "score", "-score", "candidate", "question", "file")


@dataclass(frozen=True)
class ViewFilter:
    band: str = ""  # strong | adequate | weak | none (no score)
    flag: str = ""  # a flag code, or "any" for any review reason
    question: str = ""
    candidate: str = ""
    reviewed: str = ""  # overridden | accepted | no
    q: str = ""  # text searched in the candidate id, the question id, the answer and the feedback
    sort: str = "review"

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> ViewFilter:
        """From a query string's values (unknown values are ignored rather than refused)."""
        get = {k: str(params.get(k, "") or "").strip()[:200] for k in cls.__dataclass_fields__}
        if get["sort"] not in SORTS:
            get["sort"] = "review"
        return cls(**get)

    def params(self) -> dict[str, str]:
        """The non-default values, to carry in links (next / previous keep the same list)."""
        return {k: v for k, v in self.__dict__.items() if v and not (k == "sort" and v == "review")}


def _codes(row: ReviewRow) -> set[str]:
    codes = {code for code, _ in row.reasons}
    if row.result is not None:
        codes |= set(row.result.flag_codes)
    return codes


def _text(session: ReviewSession, row: ReviewRow) -> str:
    parts = [row.candidate_id, row.question_id, row.answer or "", row.reason]
    result = session.merged(row)
    if result is not None:
        parts += [result.summary, *result.strengths, *(c.rationale for c in result.criteria)]
    return "\n".join(parts).casefold()


def filter_rows(session: ReviewSession, view: ViewFilter) -> list[ReviewRow]:
    """The rows ``view`` selects, in its order."""
    rows = session.results.ordered() if view.sort == "review" else list(session.results.rows)
    out = []
    for row in rows:
        merged = session.merged(row)
        band = (merged.band if merged is not None else None) or "none"
        if view.band and band != view.band:
            continue
        if view.flag and not (row.reasons if view.flag == "any" else view.flag in _codes(row)):
            continue
        if view.question and row.question_id != view.question:
            continue
        if view.candidate and view.candidate.casefold() not in row.candidate_id.casefold():
            continue
        status = session.status(row) or "no"
        if view.reviewed and status != view.reviewed:
            continue
        if view.q and view.q.casefold() not in _text(session, row):
            continue
        out.append(row)
    if view.sort in ("score", "-score"):

        def score(r: ReviewRow) -> float:
            m = session.merged(r)
            return m.percent if m is not None and m.percent is not None else -1.0

        out.sort(key=score, reverse=view.sort == "-score")
    elif view.sort == "candidate":
        out.sort(key=lambda r: (r.candidate_id, r.question_id))
    elif view.sort == "question":
        out.sort(key=lambda r: (r.question_id, r.candidate_id))
    return out


@dataclass
class Matrix:
    question_id: str
    criteria: list[tuple[str, str]] = field(default_factory=list)  # (id, text), in rubric order
    rows: list[tuple[ReviewRow, dict[str, str]]] = field(default_factory=list)  # row → criterion id → level


def criteria_matrix(session: ReviewSession, question_id: str) -> Matrix:
    """One question's criteria across its candidates (levels after the review), candidates in id order."""
    matrix = Matrix(question_id)
    seen: set[str] = set()
    for row in sorted(session.results.rows, key=lambda r: r.candidate_id):
        if row.question_id != question_id:
            continue
        merged = session.merged(row)
        levels = {c.id: c.awarded.value for c in merged.criteria} if merged is not None else {}
        if merged is not None:
            for c in merged.criteria:
                if c.id not in seen:
                    seen.add(c.id)
                    matrix.criteria.append((c.id, c.text))
        matrix.rows.append((row, levels))
    return matrix
