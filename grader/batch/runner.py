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

The run's statistics are in :mod:`grader.batch.stats`, the concurrency limit in
:mod:`grader.batch.limit`, the output records in :mod:`grader.batch.records`; their public names are
re-exported here.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from grader.batch.io import DEFAULT_COLUMNS, BatchRow, Columns, ResultWriter, read_rows
from grader.batch.limit import AdaptiveLimit, BatchStopped
from grader.batch.records import error_record, result_record
from grader.batch.stats import BatchStats, resume_from
from grader.errors import BudgetExceeded, GraderError, InputError, TransportError
from grader.exit_codes import ExitCode
from grader.grading import Grader
from grader.rubric import Rubric

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
