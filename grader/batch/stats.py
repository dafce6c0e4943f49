"""A batch run's statistics (:class:`BatchStats`: rows graded, unscored and failed, tokens, cost, the
per-question summary), shared by the live runner, the Batch API and the request exchange, and
:func:`resume_from`, which reads what an earlier run already wrote for ``--resume``."""

from __future__ import annotations

import json
import statistics
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.batch.io import earlier_records
from grader.tables import from_cell, is_jsonl

__all__ = ["BatchStats", "QuestionStats", "resume_from", "summary_json"]


@dataclass
class QuestionStats:
    count: int = 0
    scores: list[float] = field(default_factory=list)
    bands: Counter[str] = field(default_factory=Counter)


@dataclass
class BatchStats:
    total: int = 0
    skipped_done: int = 0
    graded: int = 0
    unscored: int = 0
    errors: int = 0
    cached: int = 0
    prompt_tokens: int = 0
    cached_prompt_tokens: int = 0  # of prompt_tokens, served from the provider's prompt cache
    completion_tokens: int = 0
    cost_usd: float = 0.0
    cost_unknown: int = 0
    started: float = field(default_factory=time.monotonic)
    per_question: dict[str, QuestionStats] = field(default_factory=lambda: defaultdict(QuestionStats))
    stopped_reason: str = ""

    @property
    def done(self) -> int:
        return self.graded + self.unscored + self.errors

    @property
    def failed(self) -> int:
        return self.unscored + self.errors

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    @property
    def rate(self) -> float:
        return self.done / self.elapsed if self.elapsed > 0 else 0.0

    def add(self, record: dict[str, Any]) -> None:
        status = record["status"]
        if status == "graded":
            self.graded += 1
        elif status == "unscored":
            self.unscored += 1
        else:
            self.errors += 1
        if record.get("cached"):
            self.cached += 1
        self.prompt_tokens += int(record.get("prompt_tokens") or 0)
        self.cached_prompt_tokens += int(record.get("cached_prompt_tokens") or 0)
        self.completion_tokens += int(record.get("completion_tokens") or 0)
        cost = record.get("cost_usd")
        if cost is None or cost == "":
            if status != "error":
                self.cost_unknown += 1
        else:
            self.cost_usd += float(cost)
        self.count_question(record)

    def count_question(self, record: dict[str, Any]) -> None:
        """Count a record in the per-question summary only: a row of this run (via :meth:`add`), or one an
        earlier run wrote (``--resume``), so the summary covers the whole results file."""
        q = self.per_question[record.get("question_id") or "?"]
        q.count += 1
        if record.get("status") == "graded" and record.get("score") not in (None, ""):
            q.scores.append(float(record["score"]))
            q.bands[record.get("band") or "?"] += 1

    def summary(self) -> dict[str, Any]:
        return {
            "rows": self.total,
            "already_done": self.skipped_done,
            "graded": self.graded,
            "unscored": self.unscored,
            "errors": self.errors,
            "served_from_cache": self.cached,
            "prompt_tokens": self.prompt_tokens,
            "cached_prompt_tokens": self.cached_prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "cost_usd": round(self.cost_usd, 6),
            "cost_unknown_rows": self.cost_unknown,
            "elapsed_s": round(self.elapsed, 2),
            "stopped": self.stopped_reason,
            "per_question": {
                qid: {
                    "count": q.count,
                    "mean": round(statistics.fmean(q.scores), 3) if q.scores else None,
                    "bands": dict(q.bands),
                }
                for qid, q in sorted(self.per_question.items())
            },
        }


def resume_from(output: str | Path, stats: BatchStats) -> set[int]:
    """For ``--resume``: the row numbers already in ``output`` (a torn last line cut off), each of its
    records counted in ``stats``' per-question summary, so the summary covers the whole results file
    and not only this run (the totals — graded, tokens, cost — stay this run's)."""
    done: set[int] = set()
    csv_cells = not is_jsonl(Path(output))  # a CSV results file neutralised formula-like cells
    for rec in earlier_records(output):
        if rec.get("row") not in (None, ""):
            done.add(int(rec["row"]))
        qid = str(rec.get("question_id") or "")
        stats.count_question({**rec, "question_id": from_cell(qid) if csv_cells else qid})
    return done


def summary_json(stats: BatchStats) -> str:
    return json.dumps(stats.summary(), indent=2)
