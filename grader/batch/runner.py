"""Batch grading: stream rows in, grade them concurrently, write each result as it finishes.

- Memory is flat in the number of rows: rows are read lazily into a bounded queue.
- Every input row yields exactly one output row: ``graded``, ``unscored`` or ``error`` with the
  reason and the input line. A bad row never stops the batch.
- Resumable: finished rows are in the output file (flushed per row) and graded verdicts in the
  SQLite cache; ``resume=True`` skips the rows already written and re-grades the rest, where
  every verdict already stored is served from the cache (no second call to the server).
- Concurrency adapts: a 429 halves the number of requests in flight and pauses new requests for
  the server's ``Retry-After``; each success lets it grow back by one, up to ``concurrency``.
  Optional ``rpm`` / ``tpm`` ceilings use ``aiolimiter``.
- ``max_cost``: no new row starts once the spend reaches the budget; finished rows are kept.
- Fatal server errors (bad API key, unknown model: HTTP 401/403/404) stop the batch early
  instead of writing the same error on every row.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import json
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.batch.io import DEFAULT_COLUMNS, BatchRow, Columns, ResultWriter, earlier_records, read_rows
from grader.errors import BudgetExceeded, GraderError, InputError, TransportError
from grader.exit_codes import ExitCode
from grader.grading import Grader
from grader.result import GradeResult
from grader.rubric import Rubric
from grader.tables import from_cell, is_jsonl
from grader.text import redact

__all__ = [
    "resume_from",
    "BatchStats",
    "run_batch",
    "AdaptiveLimit",
    "BatchStopped",
    "result_record",
    "error_record",
    "FatalBatchError",
]

FATAL_STATUSES = {401, 403, 404}


class FatalBatchError(GraderError):
    exit_code = ExitCode.JUDGE_FAILED

    def __init__(self, cause: TransportError, done: int) -> None:
        super().__init__(
            f"stopped after {done} row(s): {cause.message}",
            hint=(cause.hint + "; " if cause.hint else "") + "fix it and rerun with --resume",
        )
        self.cause = cause


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


class BatchStopped(Exception):
    """Raised to requests still waiting for a slot once the batch has stopped (fatal error or
    budget): their rows are left for ``--resume``, not recorded as errors."""


class AdaptiveLimit:
    """A concurrency limit that halves on 429 and grows by one per success (AIMD)."""

    def __init__(self, maximum: int, *, sleep: Callable[[float], Any] = asyncio.sleep) -> None:
        self.maximum = maximum
        self.limit = maximum
        self.in_flight = 0
        self._cond = asyncio.Condition()
        self._paused_until = 0.0
        self._sleep = sleep
        self.rate_limited = 0
        self.stopped = False
        self.on_first: Callable[[], Any] | None = None  # called once, when the first slot is taken

    async def acquire(self) -> None:
        pause = self._paused_until - time.monotonic()
        if pause > 0:  # the server asked everyone to wait (Retry-After)
            await self._sleep(pause)
        while True:
            async with self._cond:
                if self.stopped:
                    raise BatchStopped()
                if self.in_flight < self.limit:
                    self.in_flight += 1
                    if self.on_first is not None:
                        first, self.on_first = self.on_first, None
                        first()
                    return
                await self._cond.wait()

    async def release(self, *, success: bool) -> None:
        async with self._cond:
            self.in_flight -= 1
            if success and self.limit < self.maximum:
                self.limit += 1
            self._cond.notify_all()

    async def stop(self) -> None:
        """Refuse every further acquire (requests already in flight finish)."""
        async with self._cond:
            self.stopped = True
            self._cond.notify_all()

    def on_rate_limit(self, retry_after: float | None) -> None:
        """Called by the judge on every 429 (synchronously, inside the event loop)."""
        self.rate_limited += 1
        self.limit = max(1, self.limit // 2)
        if retry_after:
            self._paused_until = max(self._paused_until, time.monotonic() + min(retry_after, 60.0))


def _flags(result: GradeResult) -> str:
    return ";".join(result.flag_codes)


def result_record(row: BatchRow, result: GradeResult) -> dict[str, Any]:
    # token and cost columns are this run's spend: a result served from the cache cost nothing now
    # (what it cost when first graded stays in result_json)
    usage = {} if result.cached else (result.usage or {})
    reasons = [f"{f.code}: {f.detail}" for f in result.flags if f.code in ("empty", "too_short", "unscored")]
    return {
        "row": row.index,
        "line": row.line,
        "candidate_id": row.candidate_id,
        "question_id": row.question_id,
        "status": result.status,
        "score": result.score,
        "max_score": result.max_score,
        "percent": result.percent,
        "band": result.band or "",
        "flags": _flags(result),
        "reason": result.unscored_reason or "; ".join(reasons),
        "backend": result.backend,
        "model": result.model,
        "cached": result.cached,
        "prompt_tokens": usage.get("prompt_tokens", 0),
        "cached_prompt_tokens": usage.get("cached_tokens", 0),
        "completion_tokens": usage.get("completion_tokens", 0),
        "cost_usd": 0.0 if result.cached else result.cost_usd,
        "latency_s": result.latency_s,
        "attempts": result.attempts,
        "result_json": result.model_dump_json(),
    }


def error_record(row: BatchRow, reason: str) -> dict[str, Any]:
    return {
        "row": row.index,
        "line": row.line,
        "candidate_id": row.candidate_id,
        "question_id": row.question_id,
        "status": "error",
        "score": None,
        "max_score": None,
        "percent": None,
        "band": "",
        "flags": "error",
        "reason": f"{redact(reason)} (line {row.line})",  # no key-shaped text in any output
        "backend": "",
        "model": "",
        "cached": False,
        "prompt_tokens": 0,
        "cached_prompt_tokens": 0,
        "completion_tokens": 0,
        "cost_usd": 0.0,
        "latency_s": 0.0,
        "attempts": 0,
        "result_json": "",
    }


async def run_batch(
    grader: Grader,
    source: str | Path,
    output: str | Path,
    *,
    columns: Columns = DEFAULT_COLUMNS,
    resume: bool = False,
    concurrency: int | None = None,
    rpm: float | None = None,
    tpm: float | None = None,
    max_cost: float | None = None,
    limiter: AdaptiveLimit | None = None,
    on_progress: Callable[[BatchStats], None] | None = None,
    total: int | None = None,
    samples: int = 1,
    pass_mark: float | None = None,
) -> BatchStats:
    """Grade every row of ``source`` into ``output``. Returns the statistics of this run.

    ``samples`` > 1 grades each answer that many times with varied seeds (see
    :mod:`grader.confidence`) and flags disagreement, using ``pass_mark`` (percent) as well."""
    stats = BatchStats(total=total or 0)
    already = resume_from(output, stats) if resume else set()
    stats.skipped_done = len(already)
    writer = ResultWriter(output, append=resume)
    # --concurrency is per endpoint: with several replicas, each has its own gate (grader.judges.endpoints)
    limit = limiter or AdaptiveLimit(concurrency or grader.settings.concurrency * len(grader.settings.endpoints))
    judge = grader.backend
    judge.set_rate_limit_callback(limit.on_rate_limit)
    rpm_limiter = tpm_limiter = None
    if rpm or tpm:
        from aiolimiter import AsyncLimiter

        rpm_limiter = AsyncLimiter(rpm, 60) if rpm else None
        tpm_limiter = AsyncLimiter(tpm, 60) if tpm else None
    # With a judge that makes HTTP requests (an LLM) the limit gates the requests themselves, and a
    # few more workers than requests in flight prepare and score answers meanwhile; otherwise it
    # gates whole answers.
    gate_requests = judge.gates_requests
    if gate_requests:
        judge.set_request_gate(limit)
        if "grader.injection.detector" not in sys.modules:  # imported while the first request is out
            loop = asyncio.get_running_loop()
            limit.on_first = lambda: loop.call_later(0.02, _import_detector)
    # (spares: at 32 in flight and ~130 replies/s, the workers between a reply and their next request —
    # scoring, writing, rendering the next prompt — were often more than 8, and a freed slot waited for
    # one: 24 spares gave 5–10 % more throughput than 8 in five paired runs)
    workers = limit.maximum + max(8, limit.maximum * 3 // 4) if gate_requests else limit.maximum
    queue: asyncio.Queue[BatchRow | None] = asyncio.Queue(maxsize=workers * 2)
    fatal: list[TransportError] = []
    pending = [0]  # paid rows started and not finished (for the budget check)
    budget_hit = asyncio.Event()
    rubrics: dict[str, Rubric | str] = {}  # question id → its rubric, or why it has none

    def emit(record: dict[str, Any]) -> None:
        writer.write(record)
        stats.add(record)
        if on_progress:
            on_progress(stats)

    async def grade_row(row: BatchRow) -> None:
        if row.error:
            emit(error_record(row, row.error))
            return
        rubric = rubrics.get(row.question_id)
        if rubric is None:  # looked up once per question id (a bank lookup may scan every rubric)
            try:
                rubric = grader.rubric(row.question_id)
            except GraderError as exc:
                rubric = exc.message  # the message, not the exception: its traceback would keep frames alive
            rubrics[row.question_id] = rubric
        if isinstance(rubric, str):
            emit(error_record(row, rubric))
            return
        key = grader.key_for(rubric, row.answer)
        cached = grader.store is not None and grader.settings.use_cache and grader.store.has_result(key)
        if not cached:
            if max_cost is not None and _would_exceed(stats, pending[0], max_cost):
                budget_hit.set()
                await limit.stop()
                return
            pending[0] += 1
            if rpm_limiter:
                await rpm_limiter.acquire()
            if tpm_limiter:
                await tpm_limiter.acquire(min(tpm_limiter.max_rate, _estimate_tokens(row.answer, grader)))
            if not gate_requests:
                await limit.acquire()
        success = True
        try:
            if samples > 1:
                from grader.confidence import grade_samples

                result = await grade_samples(grader, rubric, row.answer, samples, pass_mark=pass_mark)
            else:
                result = await grader.agrade(rubric, row.answer)
        except BatchStopped:
            return  # the batch stopped while this row waited: left for --resume
        except TransportError as exc:
            success = exc.status != 429
            if exc.status in FATAL_STATUSES:
                fatal.append(exc)
                await limit.stop()
                return
            emit(error_record(row, exc.one_line()))
        except InputError as exc:
            emit(error_record(row, exc.message))
        except GraderError as exc:
            emit(error_record(row, exc.one_line()))
        except Exception as exc:  # never lose a row to a bug: record it and go on
            emit(error_record(row, f"internal error {type(exc).__name__}: {exc}"))
        else:
            if row.answer.strip() == "":
                rec = result_record(row, result)
                rec["reason"] = "empty answer"
                emit(rec)
            else:
                emit(result_record(row, result))
        finally:
            if not cached:
                pending[0] -= 1
                if not gate_requests:
                    await limit.release(success=success)

    async def worker() -> None:
        while True:
            row = await queue.get()
            try:
                if row is None:
                    return
                if fatal or budget_hit.is_set():
                    continue
                await grade_row(row)
            finally:
                queue.task_done()

    async def producer() -> None:
        try:
            for row in read_rows(source, columns):
                if row.index in already:
                    continue
                if fatal or budget_hit.is_set():
                    break
                await queue.put(row)
        finally:
            for _ in range(workers):
                await queue.put(None)

    tasks = [asyncio.create_task(worker()) for _ in range(workers)]
    try:
        await producer()
        await asyncio.gather(*tasks)
    finally:
        for t in tasks:
            t.cancel()
        writer.close()
        if gate_requests:
            judge.set_request_gate(None)
    if fatal:
        stats.stopped_reason = "fatal server error"
        raise FatalBatchError(fatal[0], stats.done)
    if budget_hit.is_set():
        stats.stopped_reason = "budget"
        raise BudgetExceeded(stats.cost_usd, max_cost or 0.0)
    return stats


def _import_detector() -> None:
    """Import the injection detector (~0.1 s of compiling its patterns), which :mod:`grader.grading`
    imports on first use, after an answer's request. Called on the event loop while the batch's first
    request is out (it goes alone): the loop is idle then, and neither that request nor the next ones
    wait for the import. A failure is left for the real import to report."""
    with contextlib.suppress(Exception):
        importlib.import_module("grader.injection.detector")


def _would_exceed(stats: BatchStats, in_flight: int, max_cost: float) -> bool:
    """True when the spend so far plus the expected cost of the calls in flight and this one
    would pass the budget (expected cost = the mean cost of the paid calls so far)."""
    paid = stats.graded + stats.unscored - stats.cached
    mean = stats.cost_usd / paid if paid > 0 else 0.0
    return stats.cost_usd + mean * (in_flight + 1) > max_cost


def _estimate_tokens(answer: str, grader: Grader) -> float:
    # ~4 characters per token for the answer, plus the rubric/instructions prefix and the verdict
    return len(answer) / 4 + 900 + grader.settings.max_tokens / 3


def summary_json(stats: BatchStats) -> str:
    return json.dumps(stats.summary(), indent=2)
