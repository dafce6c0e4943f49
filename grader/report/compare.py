"""Compare two batch results files of the same answers (``grader report --compare old.csv new.csv``).

Why: after changing the model, the prompt, the rubric or the examples, an interviewer needs to see which
grades moved and whether the two runs agree, before trusting the new one.

Rows are matched by (candidate id, question id); within one file the last row for an answer counts (as in
the report), and the superseded rows are counted, not hidden. Every answer is accounted for: matched in
both files, or listed as only in the old or only in the new file.

Agreement is measured on the answers scored in both runs, on the percentage of each question's maximum
(so questions with different maxima are comparable): exact band agreement (strong / adequate / weak),
the Pearson correlation of the percentages, and the mean absolute difference in percentage points —
overall and per question. A row is *changed* when its status, band or score differs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from grader.agreement.metrics import is_undefined, pearson
from grader.report.anonymise import aliases
from grader.report.build import AnswerEntry

__all__ = ["Agreement", "Comparison", "RowPair", "compare_runs"]

_SCORE_TOL = 0.005  # scores are written with 2 decimals: a smaller difference is rounding, not a change


@dataclass
class RowPair:
    """One answer graded in both runs."""

    candidate_id: str
    question_id: str
    old_status: str
    new_status: str
    old_score: float | None
    new_score: float | None
    old_percent: float | None
    new_percent: float | None
    old_band: str | None
    new_band: str | None

    @property
    def scored_in_both(self) -> bool:
        return self.old_percent is not None and self.new_percent is not None

    @property
    def band_changed(self) -> bool:
        return self.old_band != self.new_band

    @property
    def changed(self) -> bool:
        if self.old_status != self.new_status or self.band_changed:
            return True
        if self.old_score is None or self.new_score is None:
            return self.old_score != self.new_score
        return abs(self.old_score - self.new_score) > _SCORE_TOL

    @property
    def delta(self) -> float | None:
        """New minus old, in percentage points of the maximum."""
        if self.old_percent is None or self.new_percent is None:
            return None
        return round(self.new_percent - self.old_percent, 1)


@dataclass
class Agreement:
    """How far two runs agree on a set of answers (those scored in both runs)."""

    label: str  # "all questions" or a question id
    matched: int  # answers in both files
    scored: int  # … of which scored in both runs
    changed: int  # … of which changed status, band or score
    band_agreement: float | None  # share of scored answers with the same band, 0-1
    pearson: float | None
    pearson_note: str  # why Pearson is undefined, when it is
    mean_abs_diff: float | None  # percentage points


@dataclass
class Comparison:
    title: str
    anonymised: bool
    old_source: str
    new_source: str
    generated_at: str
    pairs: list[RowPair]
    only_old: list[tuple[str, str]]  # (candidate id, question id)
    only_new: list[tuple[str, str]]
    superseded_old: int  # earlier rows of the same answer, replaced by a later row of that file
    superseded_new: int
    overall: Agreement
    per_question: list[Agreement] = field(default_factory=list)

    @property
    def changed(self) -> list[RowPair]:
        """Changed rows, the largest score moves first (status or band changes without scores last)."""
        rows = [p for p in self.pairs if p.changed]
        return sorted(
            rows, key=lambda p: (-(abs(p.delta) if p.delta is not None else -1), p.question_id, p.candidate_id)
        )


def _latest(entries: list[AnswerEntry]) -> tuple[dict[tuple[str, str], AnswerEntry], int]:
    latest: dict[tuple[str, str], AnswerEntry] = {}
    for e in entries:
        latest[(e.candidate_id, e.question_id)] = e
    return latest, len(entries) - len(latest)


def _percent(e: AnswerEntry) -> float | None:
    r = e.result
    if e.status != "graded" or r is None or r.score is None or not r.max_score:
        return None
    return 100.0 * r.score / r.max_score


def _pair(key: tuple[str, str], old: AnswerEntry, new: AnswerEntry) -> RowPair:
    def score(e: AnswerEntry) -> float | None:
        return e.result.score if e.result is not None and e.status == "graded" else None

    def band(e: AnswerEntry) -> str | None:
        return e.result.band if e.result is not None and e.status == "graded" else None

    return RowPair(
        key[0],
        key[1],
        old.status,
        new.status,
        score(old),
        score(new),
        _percent(old),
        _percent(new),
        band(old),
        band(new),
    )


def agreement(label: str, pairs: list[RowPair]) -> Agreement:
    """Agreement on ``pairs`` (the answers of both runs), measured on those scored in both."""
    scored = [p for p in pairs if p.scored_in_both]
    old = [p.old_percent for p in scored if p.old_percent is not None]
    new = [p.new_percent for p in scored if p.new_percent is not None]
    r: float | None = None
    note = ""
    if len(scored) >= 2:
        value = pearson(old, new)
        if is_undefined(value):
            note = getattr(value, "reason", "undefined")
        else:
            r = round(value, 3)
    else:
        note = f"needs at least 2 answers scored in both runs, got {len(scored)}"
    return Agreement(
        label=label,
        matched=len(pairs),
        scored=len(scored),
        changed=sum(1 for p in pairs if p.changed),
        band_agreement=round(sum(1 for p in scored if not p.band_changed) / len(scored), 3) if scored else None,
        pearson=r,
        pearson_note=note,
        mean_abs_diff=round(sum(abs(a - b) for a, b in zip(old, new, strict=True)) / len(scored), 1)
        if scored
        else None,
    )


def compare_runs(
    old: list[AnswerEntry],
    new: list[AnswerEntry],
    *,
    old_source: str = "old",
    new_source: str = "new",
    anonymise: bool = False,
    title: str = "Comparison of two runs",
) -> Comparison:
    """Match the two runs' answers by (candidate id, question id) and measure what changed. With
    ``anonymise`` the page shows each candidate's stable alias (the report's: ``Candidate 7F3A9C``)."""
    old_latest, old_superseded = _latest(old)
    new_latest, new_superseded = _latest(new)
    if anonymise:
        names = aliases({cid for cid, _ in old_latest} | {cid for cid, _ in new_latest})
        old_latest = {(names[c], q): e for (c, q), e in old_latest.items()}
        new_latest = {(names[c], q): e for (c, q), e in new_latest.items()}
    pairs = [_pair(k, old_latest[k], new_latest[k]) for k in sorted(old_latest) if k in new_latest]
    by_question: dict[str, list[RowPair]] = {}
    for p in pairs:
        by_question.setdefault(p.question_id, []).append(p)
    return Comparison(
        title=title,
        anonymised=anonymise,
        old_source=old_source,
        new_source=new_source,
        generated_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        pairs=pairs,
        only_old=sorted(k for k in old_latest if k not in new_latest),
        only_new=sorted(k for k in new_latest if k not in old_latest),
        superseded_old=old_superseded,
        superseded_new=new_superseded,
        overall=agreement("all questions", pairs),
        per_question=[agreement(q, by_question[q]) for q in sorted(by_question)],
    )
