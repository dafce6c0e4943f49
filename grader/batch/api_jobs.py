"""The jobs of a Batch API run (:func:`grader.batch.api.run_batch_api`): the rows read and answered at
once or turned into request lines, each chunk uploaded and submitted as a batch, batches adopted
after a crash, polled, and collected into the output — every step recorded in the store's
``batch_jobs`` ledger. The run's policy (resume, overwrite, retry, the polling loop) is in
:mod:`grader.batch.api`."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.batch.api_files import (
    BATCH_ENDPOINT,
    SERVER_ERROR_FLAG,
    RequestLine,
    completion_of,
    custom_id_for,
    fallback_reason,
    file_sha256,
    is_server_error,
    line_error,
    line_ok,
    parse_result_lines,
    request_line,
)
from grader.batch.io import BatchRow, Columns, ResultWriter, read_rows
from grader.batch.records import error_record, result_record
from grader.batch.stats import BatchStats
from grader.errors import GraderError, Usage
from grader.grading import Grader
from grader.judges.openai_api import BatchClient, Completion
from grader.result import GradeResult
from grader.rubric.model import Rubric

__all__ = ["BATCH_PRICE_FACTOR", "TERMINAL", "LIVE_STATES", "Event", "BatchApiResult"]

BATCH_PRICE_FACTOR = 0.5
TERMINAL = frozenset({"completed", "failed", "expired", "cancelled"})
LIVE_STATES = ("uploaded", "submitted")

Event = Callable[[str, dict[str, Any]], None]


@dataclass
class BatchApiResult:
    """What one call of :func:`~grader.batch.api.run_batch_api` did, and what it left pending."""

    stats: BatchStats
    submitted_requests: int = 0  # request lines submitted by this run
    batches_created: int = 0  # batches created by this run
    pending: list[dict[str, Any]] = field(default_factory=list)  # jobs not collected yet (batch_id, status)
    retried_rows: list[int] = field(default_factory=list)  # rows dropped from the output for a retry
    server_errors: int = 0  # rows written by this run as failed on the server (re-submittable)


class _Run:
    """One run's state (input hash, output writer, rows done, counters) and its steps."""

    def __init__(
        self,
        grader: Grader,
        source: Path,
        output: Path,
        *,
        client: BatchClient,
        ledger: Any,
        columns: Columns,
        max_requests: int,
        max_bytes: int,
        on_event: Event | None,
    ) -> None:
        self.grader = grader
        self.source = source
        self.output = output
        self.client = client
        self.ledger = ledger
        self.columns = columns
        self.max_requests = max_requests
        self.max_bytes = max_bytes
        self.on_event = on_event
        self.out_key = str(output.resolve())
        self.input_sha = file_sha256(source)
        self.stats = BatchStats()
        self.done: set[int] = set()
        self.writer: ResultWriter | None = None
        self.result = BatchApiResult(self.stats)
        self.use_cache = grader.store is not None and grader.settings.use_cache

    # -- helpers ---------------------------------------------------------------------------

    def event(self, kind: str, **info: Any) -> None:
        if self.on_event:
            self.on_event(kind, info)

    def emit(self, rec: dict[str, Any]) -> None:
        assert self.writer is not None
        self.writer.write(rec)
        self.stats.add(rec)
        self.done.add(int(rec["row"]))
        if is_server_error(rec):
            self.result.server_errors += 1

    def jobs(self) -> list[dict[str, Any]]:
        jobs: list[dict[str, Any]] = self.ledger.batch_jobs(self.out_key, self.input_sha)
        return jobs

    def live_jobs(self) -> list[dict[str, Any]]:
        return [j for j in self.jobs() if j["state"] in LIVE_STATES]

    # -- 1-3: read, write what needs no call, submit the rest -------------------------------

    def immediate(self, row: BatchRow) -> tuple[dict[str, Any] | None, Any, str]:
        """(record to write now, rubric, cache key); a record of None means: submit this row."""
        g = self.grader
        if row.error:
            return error_record(row, row.error), None, ""
        try:
            rubric = g.rubric(row.question_id)
        except GraderError as exc:
            return error_record(row, exc.message), None, ""
        if len(row.answer) > g.settings.max_answer_chars:
            return (
                error_record(
                    row, f"the answer is {len(row.answer)} characters, over the limit of {g.settings.max_answer_chars}"
                ),
                None,
                "",
            )
        short = g._short_result(rubric, row.answer)
        if short is not None:
            rec = result_record(row, short)
            if row.answer.strip() == "":
                rec["reason"] = "empty answer"
            return rec, None, ""
        key = g.key_for(rubric, row.answer)
        if self.use_cache and g.store is not None:
            cached = g.store.get_result(key)
            if cached is not None:
                return result_record(row, cached.model_copy(update={"cached": True})), None, ""
        return None, rubric, key

    def request_lines(self, skip: set[int]) -> Iterator[RequestLine]:
        open_lines: dict[str, RequestLine] = {}
        total = 0
        for row in read_rows(self.source, self.columns):
            total += 1
            if row.index in skip:
                continue
            rec, rubric, key = self.immediate(row)
            if rec is not None:
                self.emit(rec)
                continue
            same = open_lines.get(key)
            if same is not None and not same.sealed:
                same.rows.append(row.index)
                continue
            cid = custom_id_for(row.index, key)
            data = (
                json.dumps(
                    request_line(self.grader, rubric, row.answer, cid), ensure_ascii=False, separators=(",", ":")
                )
                + "\n"
            ).encode("utf-8")
            if len(data) > self.max_bytes:
                self.emit(
                    error_record(
                        row, f"the request is {len(data)} bytes, over the Batch API file limit of {self.max_bytes}"
                    )
                )
                continue
            line = RequestLine(cid, key, [row.index], data)
            open_lines[key] = line
            yield line
        self.stats.total = total

    def submit(self, chunk: list[RequestLine], number: int) -> None:
        job_id = f"gj-{uuid.uuid4().hex[:20]}"
        mapping = {line.custom_id: line.rows for line in chunk}
        data = b"".join(line.data for line in chunk)
        upload = self.client.upload(f"grader-{job_id}.jsonl", data, timeout=max(self.grader.settings.timeout, 600.0))
        self.ledger.add_batch_job(
            job_id=job_id,
            output_path=self.out_key,
            input_sha256=self.input_sha,
            settings_key=self.grader.settings.grading_key(),
            model=self.grader.backend.model,
            chunk=number,
            mapping=mapping,
            input_file_id=upload.id,
            state="uploaded",
        )
        for line in chunk:
            line.sealed = True
        job = {"job_id": job_id, "chunk": number, "input_file_id": upload.id, "mapping": mapping}
        self.create_batch(job)
        self.result.submitted_requests += len(chunk)

    def create_batch(self, job: dict[str, Any]) -> None:
        metadata = {
            "grader_job": job["job_id"],
            "grader_output": self.output.name[:500],
            "grader_chunk": str(job["chunk"]),
            "grader_requests": str(len(job["mapping"])),
        }
        batch = self.client.create_batch(job["input_file_id"], endpoint=BATCH_ENDPOINT, metadata=metadata)
        self.ledger.update_batch_job(job["job_id"], state="submitted", batch_id=batch.id, batch_status=batch.status)
        self.result.batches_created += 1
        rows = sum(len(r) for r in job["mapping"].values())
        self.event(
            "submitted",
            job_id=job["job_id"],
            batch_id=batch.id,
            chunk=job["chunk"],
            requests=len(job["mapping"]),
            rows=rows,
            status=batch.status,
        )

    def adopt_uploaded(self, job: dict[str, Any]) -> None:
        """A job uploaded by a process that died before recording its batch: find the batch by our
        job id in its metadata, or create it now."""
        for batch in self.client.list_batches(limit=100):
            if (batch.metadata or {}).get("grader_job") == job["job_id"]:
                self.ledger.update_batch_job(
                    job["job_id"], state="submitted", batch_id=batch.id, batch_status=batch.status
                )
                self.event("adopted", job_id=job["job_id"], batch_id=batch.id, status=batch.status)
                return
        self.create_batch(job)

    # -- 4-5: poll and collect ----------------------------------------------------------------

    def poll(self, job: dict[str, Any]) -> Any:
        batch = self.client.retrieve_batch(job["batch_id"])
        self.ledger.update_batch_job(job["job_id"], batch_status=batch.status)
        job["batch_status"] = batch.status
        counts = batch.request_counts
        self.event(
            "status",
            job_id=job["job_id"],
            batch_id=batch.id,
            status=batch.status,
            completed=getattr(counts, "completed", 0) if counts else 0,
            failed=getattr(counts, "failed", 0) if counts else 0,
            total=getattr(counts, "total", 0) if counts else len(job["mapping"]),
        )
        return batch

    def download(self, file_id: str | None) -> list[dict[str, Any]]:
        if not file_id:
            return []
        lines, bad = parse_result_lines(self.client.file_text(file_id))
        for n in bad:
            self.event("warning", message=f"{file_id} line {n} is not JSON; ignored")
        return lines

    def collect(self, job: dict[str, Any], batch: Any) -> None:
        by_cid: dict[str, dict[str, Any]] = {}
        for obj in [*self.download(batch.output_file_id), *self.download(batch.error_file_id)]:
            cid = str(obj.get("custom_id") or "")
            if cid not in job["mapping"]:
                error = obj.get("error") or {}
                self.event(
                    "warning",
                    message=f"batch {batch.id}: a line for an unknown request "
                    f"{cid or '(none)'}: {error.get('message') or 'ignored'}",
                )
                continue
            if cid in by_cid and line_ok(by_cid[cid]):
                continue  # keep a success over a later error for the same request
            by_cid[cid] = obj
        fallback = fallback_reason(batch)
        wanted = {row: cid for cid, rows in job["mapping"].items() for row in rows if row not in self.done}
        memo: dict[str, GradeResult] = {}
        errors = written = 0
        if wanted:
            for row in read_rows(self.source, self.columns):
                cid = wanted.pop(row.index, None)
                if cid is None:
                    continue
                rec = self.record(row, cid, by_cid.get(cid), fallback, job["mapping"][cid], memo)
                self.emit(rec)
                written += 1
                errors += rec["status"] == "error"
                if not wanted:
                    break
        for row, cid in wanted.items():  # rows the input no longer has (it cannot change: its hash is the key)
            self.event("warning", message=f"row {row} ({cid}) is not in the input any more")
        self.ledger.update_batch_job(job["job_id"], state="collected", batch_status=batch.status)
        self.event(
            "collected", job_id=job["job_id"], batch_id=batch.id, status=batch.status, rows=written, errors=errors
        )

    def record(
        self,
        row: BatchRow,
        cid: str,
        line: dict[str, Any] | None,
        fallback: str,
        rows: list[int],
        memo: dict[str, GradeResult],
    ) -> dict[str, Any]:
        g = self.grader
        try:
            rubric = g.rubric(row.question_id)
        except GraderError as exc:
            return error_record(row, exc.message)
        key = g.key_for(rubric, row.answer)
        if cid.rsplit("-", 1)[-1] != key[:10]:
            return error_record(
                row, f"the row does not match request {cid} (the input or the settings changed since it was submitted)"
            )
        if line is None:
            return self.server_error(row, fallback)
        if line_ok(line):
            result = memo.get(cid)
            if result is None:
                result = self.grade_line(rubric, row.answer, completion_of(line))
                memo[cid] = result
                if g.store is not None and result.status == "graded":
                    g.store.put_result(key, result)
            if row.index != rows[0]:  # a duplicate of the row that paid for the request
                result = result.model_copy(update={"cached": True})
            return result_record(row, result)
        return self.server_error(row, line_error(line, cid))

    def grade_line(self, rubric: Rubric, answer: str, completion: Completion) -> GradeResult:
        return self.grader.result_from_output(
            rubric,
            answer,
            completion.text,
            completion.usage or Usage(),
            1,
            completion.model,
            0.0,
            finish_reason=completion.finish_reason,
            price_factor=BATCH_PRICE_FACTOR,
        )

    def server_error(self, row: BatchRow, reason: str) -> dict[str, Any]:
        rec = error_record(row, reason)
        rec["flags"] = f"error;{SERVER_ERROR_FLAG}"
        rec["backend"] = "llm"
        rec["model"] = self.grader.backend.model
        return rec
