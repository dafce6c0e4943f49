"""Grade a CSV/JSONL through the OpenAI Batch API (``grader batch --batch-api``).

This module and :mod:`grader.judge` are the two modules that import ``openai``.

Flow, every step recorded in the store's ``batch_jobs`` ledger so that another process can pick it
up (``grader batch --batch-api --resume``):

1. **Read the input once.** Rows that need no call are written to the output at once, exactly as the
   live path writes them: input errors and unknown questions → ``error`` rows; answers over
   ``max_answer_chars`` → ``error``; empty / too-short answers → the Grader's zero result; verdicts
   already in the cache → the cached result. Rows already in the output (``--resume``) or waiting in
   a pending job are skipped.
2. **Request lines.** Every other row becomes one line ``{"custom_id", "method": "POST", "url":
   "/v1/chat/completions", "body"}`` whose body is :func:`grader.judge.request_body` — the very body
   the live judge sends. ``custom_id`` is ``row-<index>-<first 10 hex of the row's cache key>``;
   rows of one chunk with the same answer to the same question share one request (like the live
   path's in-flight sharing: the first row pays, the others are marked ``cached``).
3. **Chunks.** At most :data:`MAX_REQUESTS` lines and :data:`MAX_BYTES` bytes per input file (the
   API allows 50,000 / 200 MB). Each chunk is uploaded (``purpose="batch"``), recorded as
   ``uploaded``, turned into a batch whose metadata carries our job id, and recorded as
   ``submitted``. A process that dies between the two records finds its batch again by that
   metadata instead of creating a second one.
4. **Poll** every ``poll_interval`` seconds (sleep injectable) until each batch is terminal. Ctrl-C
   (or ``wait=False``) leaves the jobs in the ledger; nothing is lost.
5. **Collect.** The output and error files are downloaded; each line is matched to its rows by
   ``custom_id`` and its completion goes through :meth:`grader.grading.Grader.result_from_output`
   (same verdict parsing, evidence verification and scoring as the live path; an invalid verdict is
   *unscored*, not 0). Graded results are stored in the cache. Lines in the error file, non-200
   responses, and rows a ``failed`` / ``expired`` / ``cancelled`` batch never ran become ``error``
   rows with the server's message and the flag ``server_error``; the job is then ``collected``.
6. **Retry.** ``retry_failed=True`` (``--resume --retry-failed``) rewrites the output without its
   ``server_error`` rows (temp file + ``os.replace``) and submits a new job for just those rows.

Cost: the Batch API bills half the list price (:data:`BATCH_PRICE_FACTOR`).
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shlex
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import openai

from grader.batch.runner import BatchStats, error_record, result_record
from grader.batch.io import BatchRow, Columns, ResultWriter, done_rows, read_rows
from grader.errors import ConfigError, GraderError, InputError, TransportError
from grader.grading import Grader
from grader.judges.llm import request_body
from grader.result import GradeResult

__all__ = [
    "BATCH_ENDPOINT", "MAX_REQUESTS", "MAX_BYTES", "BATCH_PRICE_FACTOR", "SERVER_ERROR_FLAG",
    "RequestLine", "BatchApiResult", "custom_id_for", "request_line", "chunk_requests",
    "drop_server_errors", "make_client", "run_batch_api", "run_batch_api_cli",
]

BATCH_ENDPOINT = "/v1/chat/completions"
MAX_REQUESTS = 50_000
MAX_BYTES = 190 * 1024 * 1024
BATCH_PRICE_FACTOR = 0.5
SERVER_ERROR_FLAG = "server_error"
TERMINAL = frozenset({"completed", "failed", "expired", "cancelled"})
LIVE_STATES = ("uploaded", "submitted")

Event = Callable[[str, dict[str, Any]], None]


# -- request lines and chunks ------------------------------------------------------------------

def custom_id_for(row_index: int, key: str) -> str:
    """``row-<index>-<short hash>``: the row it came from, and a check that it is the same row."""
    return f"row-{row_index}-{key[:10]}"


def request_line(grader: Grader, rubric, answer: str, custom_id: str) -> dict[str, Any]:
    """One Batch API input line, with the body the live judge would send for this answer."""
    body = request_body(grader.settings, grader.prompts, rubric, answer, model=grader.backend.model)
    return {"custom_id": custom_id, "method": "POST", "url": BATCH_ENDPOINT, "body": body}


@dataclass
class RequestLine:
    custom_id: str
    key: str
    rows: list[int]
    data: bytes  # the encoded JSONL line, newline included
    sealed: bool = False  # its chunk was submitted: later duplicates need their own request


def chunk_requests(lines: Iterable[RequestLine], *, max_requests: int = MAX_REQUESTS,
                   max_bytes: int = MAX_BYTES) -> Iterator[list[RequestLine]]:
    """Cut lines into chunks of at most ``max_requests`` lines and ``max_bytes`` bytes (lazily: a
    chunk is yielded as soon as the next line does not fit)."""
    chunk: list[RequestLine] = []
    size = 0
    for line in lines:
        if chunk and (len(chunk) >= max_requests or size + len(line.data) > max_bytes):
            yield chunk
            chunk, size = [], 0
        chunk.append(line)
        size += len(line.data)
    if chunk:
        yield chunk


# -- the output file ---------------------------------------------------------------------------

def _is_jsonl(path: Path) -> bool:
    return path.suffix.lower() in (".jsonl", ".ndjson")


def _is_server_error(rec: dict[str, Any]) -> bool:
    return rec.get("status") == "error" and SERVER_ERROR_FLAG in str(rec.get("flags") or "").split(";")


def drop_server_errors(path: str | Path) -> list[int]:
    """Rewrite the output without its ``server_error`` rows (atomically: temp file, fsync,
    ``os.replace``). Returns the row numbers removed. Every record is one physical line."""
    p = Path(path)
    if not p.exists():
        return []
    done_rows(p)  # cuts a torn last line off
    removed: list[int] = []
    fd, tmp = tempfile.mkstemp(prefix=p.name + ".", suffix=".tmp", dir=str(p.parent))
    try:
        with p.open(encoding="utf-8", newline="") as src, os.fdopen(fd, "w", encoding="utf-8", newline="") as dst:
            header: list[str] | None = None
            for line in src:
                if not line.strip():
                    continue
                if _is_jsonl(p):
                    rec = json.loads(line)
                elif header is None:
                    header = next(csv.reader([line]))
                    dst.write(line)
                    continue
                else:
                    rec = dict(zip(header, next(csv.reader([line]))))
                if _is_server_error(rec):
                    removed.append(int(rec["row"]))
                    continue
                dst.write(line)
            dst.flush()
            os.fsync(dst.fileno())
        os.replace(tmp, p)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return removed


def _file_sha256(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


# -- the client --------------------------------------------------------------------------------

def make_client(settings) -> Any:
    """A synchronous OpenAI client for the Files and Batches API (its own transport retries: these
    calls go through no other retry layer)."""
    return openai.OpenAI(
        api_key=settings.api_key.get_secret_value() if settings.api_key else "not-needed",
        base_url=settings.base_url,
        max_retries=settings.max_retries,
        timeout=settings.timeout,
    )


def _call(what: str, base_url: str | None, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    where = base_url or "the OpenAI API"
    resume = "the submitted batches keep running on the server; rerun with --resume to pick them up"
    try:
        return fn(*args, **kwargs)
    except openai.AuthenticationError as exc:  # never echo the server's message: it may quote the key
        raise TransportError(f"{what}: the server rejected the API key (HTTP {exc.status_code})",
                             status=exc.status_code, hint="check OPENAI_API_KEY") from None
    except openai.NotFoundError as exc:
        raise TransportError(f"{what}: not found (HTTP 404) at {where}: {str(exc.message)[:200]}", status=404,
                             hint="the server may not offer the Batch API (llama.cpp's does not); "
                                  "grade without --batch-api") from None
    except openai.APIStatusError as exc:
        raise TransportError(f"{what}: the server answered HTTP {exc.status_code}: {str(exc.message)[:200]}",
                             status=exc.status_code, hint=resume) from None
    except (openai.APITimeoutError, openai.APIConnectionError) as exc:
        kind = "timed out" if isinstance(exc, openai.APITimeoutError) else "could not connect"
        raise TransportError(f"{what}: {kind} to {where}", retryable=True, hint=resume) from None


# -- the run -----------------------------------------------------------------------------------

@dataclass
class BatchApiResult:
    stats: BatchStats
    submitted_requests: int = 0  # request lines submitted by this run
    batches_created: int = 0  # batches created by this run
    pending: list[dict[str, Any]] = field(default_factory=list)  # jobs not collected yet (batch_id, status)
    retried_rows: list[int] = field(default_factory=list)  # rows dropped from the output for a retry
    server_errors: int = 0  # rows written by this run as failed on the server (re-submittable)


class _Run:
    def __init__(self, grader: Grader, source: Path, output: Path, *, client: Any, ledger: Any,
                 columns: Columns, max_requests: int, max_bytes: int, on_event: Event | None) -> None:
        self.grader = grader
        self.source = source
        self.output = output
        self.client = client
        self.ledger = ledger
        self.columns = columns
        self.max_requests = max_requests
        self.max_bytes = max_bytes
        self.on_event = on_event
        self.base_url = grader.settings.base_url
        self.out_key = str(output.resolve())
        self.input_sha = _file_sha256(source)
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
        if _is_server_error(rec):
            self.result.server_errors += 1

    def api(self, what: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return _call(what, self.base_url, fn, *args, **kwargs)

    def jobs(self) -> list[dict[str, Any]]:
        return self.ledger.batch_jobs(self.out_key, self.input_sha)

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
            return error_record(row, f"the answer is {len(row.answer)} characters, over the limit of "
                                     f"{g.settings.max_answer_chars}"), None, ""
        short = g._short_result(rubric, row.answer)
        if short is not None:
            rec = result_record(row, short)
            if row.answer.strip() == "":
                rec["reason"] = "empty answer"
            return rec, None, ""
        key = g.key_for(rubric, row.answer)
        if self.use_cache:
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
            data = (json.dumps(request_line(self.grader, rubric, row.answer, cid), ensure_ascii=False,
                               separators=(",", ":")) + "\n").encode("utf-8")
            if len(data) > self.max_bytes:
                self.emit(error_record(row, f"the request is {len(data)} bytes, over the Batch API file "
                                            f"limit of {self.max_bytes}"))
                continue
            line = RequestLine(cid, key, [row.index], data)
            open_lines[key] = line
            yield line
        self.stats.total = total

    def submit(self, chunk: list[RequestLine], number: int) -> None:
        job_id = f"gj-{uuid.uuid4().hex[:20]}"
        mapping = {line.custom_id: line.rows for line in chunk}
        data = b"".join(line.data for line in chunk)
        upload = self.api("uploading the batch input", self.client.files.create,
                          file=(f"grader-{job_id}.jsonl", data, "application/jsonl"), purpose="batch",
                          timeout=max(self.grader.settings.timeout, 600.0))
        self.ledger.add_batch_job(job_id=job_id, output_path=self.out_key, input_sha256=self.input_sha,
                                  settings_key=self.grader.settings.grading_key(), model=self.grader.backend.model,
                                  chunk=number, mapping=mapping, input_file_id=upload.id, state="uploaded")
        for line in chunk:
            line.sealed = True
        job = {"job_id": job_id, "chunk": number, "input_file_id": upload.id, "mapping": mapping}
        self.create_batch(job)
        self.result.submitted_requests += len(chunk)

    def create_batch(self, job: dict[str, Any]) -> None:
        metadata = {"grader_job": job["job_id"], "grader_output": self.output.name[:500],
                    "grader_chunk": str(job["chunk"]), "grader_requests": str(len(job["mapping"]))}
        batch = self.api("creating the batch", self.client.batches.create, input_file_id=job["input_file_id"],
                         endpoint=BATCH_ENDPOINT, completion_window="24h", metadata=metadata)
        self.ledger.update_batch_job(job["job_id"], state="submitted", batch_id=batch.id, batch_status=batch.status)
        self.result.batches_created += 1
        rows = sum(len(r) for r in job["mapping"].values())
        self.event("submitted", job_id=job["job_id"], batch_id=batch.id, chunk=job["chunk"],
                   requests=len(job["mapping"]), rows=rows, status=batch.status)

    def adopt_uploaded(self, job: dict[str, Any]) -> None:
        """A job uploaded by a process that died before recording its batch: find the batch by our
        job id in its metadata, or create it now."""
        page = self.api("listing batches", self.client.batches.list, limit=100)
        for batch in getattr(page, "data", None) or []:
            if (batch.metadata or {}).get("grader_job") == job["job_id"]:
                self.ledger.update_batch_job(job["job_id"], state="submitted", batch_id=batch.id,
                                             batch_status=batch.status)
                self.event("adopted", job_id=job["job_id"], batch_id=batch.id, status=batch.status)
                return
        self.create_batch(job)

    # -- 4-5: poll and collect ----------------------------------------------------------------

    def poll(self, job: dict[str, Any]) -> Any:
        batch = self.api(f"checking batch {job['batch_id']}", self.client.batches.retrieve, job["batch_id"])
        self.ledger.update_batch_job(job["job_id"], batch_status=batch.status)
        job["batch_status"] = batch.status
        counts = batch.request_counts
        self.event("status", job_id=job["job_id"], batch_id=batch.id, status=batch.status,
                   completed=getattr(counts, "completed", 0) if counts else 0,
                   failed=getattr(counts, "failed", 0) if counts else 0,
                   total=getattr(counts, "total", 0) if counts else len(job["mapping"]))
        return batch

    def download(self, file_id: str | None) -> list[dict[str, Any]]:
        if not file_id:
            return []
        text = self.api(f"downloading {file_id}", self.client.files.content, file_id).text
        lines = []
        for n, raw in enumerate(text.splitlines(), start=1):
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw)
            except ValueError:
                self.event("warning", message=f"{file_id} line {n} is not JSON; ignored")
                continue
            if isinstance(obj, dict):
                lines.append(obj)
        return lines

    def collect(self, job: dict[str, Any], batch: Any) -> None:
        by_cid: dict[str, dict[str, Any]] = {}
        for obj in [*self.download(batch.output_file_id), *self.download(batch.error_file_id)]:
            cid = str(obj.get("custom_id") or "")
            if cid not in job["mapping"]:
                error = obj.get("error") or {}
                self.event("warning", message=f"batch {batch.id}: a line for an unknown request "
                                              f"{cid or '(none)'}: {error.get('message') or 'ignored'}")
                continue
            if cid in by_cid and _ok(by_cid[cid]):
                continue  # keep a success over a later error for the same request
            by_cid[cid] = obj
        fallback = _fallback_reason(batch)
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
        self.event("collected", job_id=job["job_id"], batch_id=batch.id, status=batch.status, rows=written,
                   errors=errors)

    def record(self, row: BatchRow, cid: str, line: dict[str, Any] | None, fallback: str, rows: list[int],
               memo: dict[str, GradeResult]) -> dict[str, Any]:
        g = self.grader
        try:
            rubric = g.rubric(row.question_id)
        except GraderError as exc:
            return error_record(row, exc.message)
        key = g.key_for(rubric, row.answer)
        if cid.rsplit("-", 1)[-1] != key[:10]:
            return error_record(row, f"the row does not match request {cid} (the input or the settings changed "
                                     "since it was submitted)")
        if line is None:
            return self.server_error(row, fallback)
        response = line.get("response")
        if isinstance(response, dict) and response.get("status_code") == 200:
            result = memo.get(cid)
            if result is None:
                result = self.grade_line(rubric, row.answer, response.get("body") or {})
                memo[cid] = result
                if g.store is not None and result.status == "graded":
                    g.store.put_result(key, result)
            if row.index != rows[0]:  # a duplicate of the row that paid for the request
                result = result.model_copy(update={"cached": True})
            return result_record(row, result)
        return self.server_error(row, _line_error(line, cid))

    def grade_line(self, rubric, answer: str, body: dict[str, Any]) -> GradeResult:
        choices = body.get("choices") or []
        choice = choices[0] if choices and isinstance(choices[0], dict) else {}
        content = (choice.get("message") or {}).get("content") or ""
        return self.grader.result_from_output(
            rubric, answer, content, body.get("usage") or {}, 1, body.get("model") or None, 0.0,
            finish_reason=choice.get("finish_reason"), price_factor=BATCH_PRICE_FACTOR,
        )

    def server_error(self, row: BatchRow, reason: str) -> dict[str, Any]:
        rec = error_record(row, reason)
        rec["flags"] = f"error;{SERVER_ERROR_FLAG}"
        rec["backend"] = "llm"
        rec["model"] = self.grader.backend.model
        return rec


def _ok(line: dict[str, Any]) -> bool:
    response = line.get("response")
    return isinstance(response, dict) and response.get("status_code") == 200


def _line_error(line: dict[str, Any], cid: str) -> str:
    response = line.get("response")
    error = line.get("error")
    if isinstance(response, dict):
        status = response.get("status_code")
        body = response.get("body") or {}
        err = body.get("error") if isinstance(body, dict) else None
        message = (err.get("message") if isinstance(err, dict) else None) or str(body)[:200] or "no message"
        rid = response.get("request_id")
        return f"Batch API: HTTP {status}: {message} ({cid}{', ' + rid if rid else ''})"
    if isinstance(error, dict):
        return f"Batch API error {error.get('code') or ''}: {error.get('message') or 'no message'} ({cid})"
    return f"Batch API: an unreadable result line ({cid})"


def _fallback_reason(batch: Any) -> str:
    """Why a row of a terminal batch has no result line."""
    status = batch.status
    if status == "failed":
        errors = getattr(getattr(batch, "errors", None), "data", None) or []
        detail = "; ".join(f"{e.code}: {e.message}" + (f" (line {e.line})" if e.line else "") for e in errors)
        return f"batch {batch.id} failed: {detail or 'no details given'}"
    if status == "expired":
        return f"batch {batch.id} expired before this request ran"
    if status == "cancelled":
        return f"batch {batch.id} was cancelled before this request ran"
    return f"batch {batch.id} ({status}) returned no result for this request"


def run_batch_api(
    grader: Grader,
    source: str | Path,
    output: str | Path,
    *,
    client: Any,
    ledger: Any | None = None,
    columns: Columns = Columns(),
    resume: bool = False,
    retry_failed: bool = False,
    overwrite: bool = False,
    wait: bool = True,
    poll_interval: float = 30.0,
    max_polls: int | None = None,
    sleep: Callable[[float], Any] = time.sleep,
    max_requests: int = MAX_REQUESTS,
    max_bytes: int = MAX_BYTES,
    on_event: Event | None = None,
) -> BatchApiResult:
    """Grade every row of ``source`` into ``output`` through the Batch API (see the module docstring).

    ``ledger`` is the :class:`~grader.store.Store` holding the ``batch_jobs`` table (default: the
    grader's store). ``wait=False`` returns right after submitting; ``max_polls`` stops polling
    after that many rounds. Either way the jobs left are in ``result.pending`` and a later call
    with ``resume=True`` picks them up.
    """
    source, output = Path(source), Path(output)
    ledger = ledger if ledger is not None else grader.store
    if ledger is None:
        raise ConfigError("the Batch API needs the store (its job ledger)", setting="store",
                          hint="set GRADER_STORE to a writable file path")
    if not source.is_file():
        raise InputError("file not found", source=str(source))
    if grader.backend.name != "llm":
        raise ConfigError("the Batch API needs an LLM judge, and the embedded grader is configured",
                          setting="backend", hint="set OPENAI_API_KEY (and OPENAI_BASE_URL for another server)")
    if max_requests < 1 or max_bytes < 1:
        raise ValueError("max_requests and max_bytes must be positive")
    if retry_failed:
        resume = True
    run = _Run(grader, source, output, client=client, ledger=ledger, columns=columns,
               max_requests=max_requests, max_bytes=max_bytes, on_event=on_event)

    live = run.live_jobs()
    others = [j for j in ledger.batch_jobs(run.out_key) if j["state"] in LIVE_STATES and j["input_sha256"] != run.input_sha]
    if others:
        run.event("warning", message=f"{len(others)} pending batch job(s) for {output} were made from another "
                                     f"version of the input and are ignored: "
                                     + ", ".join(j["batch_id"] or j["job_id"] for j in others))
    if not resume:
        if live and not overwrite:
            raise InputError(
                "a Batch API job for this output is still pending: "
                + ", ".join(f"{j['batch_id'] or j['job_id']} ({j['batch_status'] or j['state']})" for j in live),
                source=str(output), hint="use --resume to pick it up, or --overwrite to abandon it")
        if output.exists() and output.stat().st_size > 0 and not overwrite:
            raise InputError("the output file exists", source=str(output),
                             hint="use --resume to continue it or --overwrite to replace it")
        for job in live:
            if job["batch_id"]:
                try:
                    run.api("cancelling an abandoned batch", client.batches.cancel, job["batch_id"])
                except TransportError as exc:
                    run.event("warning", message=f"could not cancel {job['batch_id']}: {exc.message}")
            ledger.update_batch_job(job["job_id"], state="abandoned")
        live = []
    else:
        key, model = grader.settings.grading_key(), grader.backend.model
        stale = [j for j in live if j["settings_key"] != key or j["model"] != model]
        if stale:
            raise ConfigError(
                f"the pending batch {stale[0]['batch_id'] or stale[0]['job_id']} was submitted with other "
                f"grading settings (model {stale[0]['model']!r})", setting="model",
                hint="resume with the same --model, --base-url and settings")
        if retry_failed:
            run.result.retried_rows = drop_server_errors(output)
            run.event("retry", rows=len(run.result.retried_rows))

    run.done = done_rows(output) if resume else set()
    run.stats.skipped_done = len(run.done)
    run.writer = ResultWriter(output, append=resume)
    try:
        # jobs uploaded by a process that died before creating (or recording) their batch
        for job in live:
            if job["state"] == "uploaded":
                run.adopt_uploaded(job)
        in_jobs = {row for job in live for rows in job["mapping"].values() for row in rows}
        number = len(run.jobs())
        for chunk in chunk_requests(run.request_lines(run.done | in_jobs), max_requests=max_requests,
                                    max_bytes=max_bytes):
            run.submit(chunk, number)
            number += 1
        pending = run.live_jobs()
        rounds = 0
        while pending and wait:
            for job in list(pending):
                batch = run.poll(job)
                if batch.status in TERMINAL:
                    run.collect(job, batch)
                    pending.remove(job)
            if not pending or (max_polls is not None and rounds + 1 >= max_polls):
                break
            rounds += 1
            sleep(poll_interval)
        run.result.pending = [{"job_id": j["job_id"], "batch_id": j["batch_id"],
                               "status": j.get("batch_status") or j["state"]} for j in pending]
        if run.result.pending:
            run.stats.stopped_reason = "batch jobs pending"
    finally:
        run.writer.close()
    return run.result


# -- the CLI side (``grader batch --batch-api``) ------------------------------------------------

def run_batch_api_cli(settings, bank, source: Path, output: Path, columns: Columns, *, resume: bool, console: Any,
                      retry_failed: bool = False, overwrite: bool = False, wait: bool = True,
                      poll_interval: float = 30.0, summary_json: Path | None = None) -> None:
    """Run :func:`run_batch_api` for the CLI: progress lines and the summary on ``console``."""
    import typer

    from grader.cli.batch import EXIT_ROWS_FAILED, _summary_tables
    from grader.store import Store

    if settings.effective_backend != "llm":
        raise ConfigError("the Batch API needs an LLM server; none is configured", setting="backend",
                          hint="set OPENAI_API_KEY (and OPENAI_BASE_URL for another server), or pass "
                               "--backend llm --base-url URL")
    ledger = Store(settings.store_path)  # the ledger is needed even with --no-cache
    grader = Grader(settings, bank=bank, store=ledger if settings.use_cache else None)
    client = make_client(settings)
    resume_cmd = f"grader batch {shlex.quote(str(source))} -o {shlex.quote(str(output))} --batch-api --resume"

    def say(text: str, style: str | None = None) -> None:
        console.print(text, style=style, markup=False, highlight=False, soft_wrap=True)

    def on_event(kind: str, info: dict[str, Any]) -> None:
        if kind == "submitted":
            say(f"[batch-api] submitted {info['batch_id']} (chunk {info['chunk']}): {info['requests']} request(s) "
                f"for {info['rows']} row(s) · {info['status']}")
        elif kind == "adopted":
            say(f"[batch-api] found {info['batch_id']} created by an interrupted run · {info['status']}")
        elif kind == "status":
            say(f"[batch-api] {info['batch_id']} {info['status']} · completed {info['completed']} "
                f"failed {info['failed']} of {info['total']}")
        elif kind == "collected":
            style = "bold red" if info["status"] in ("failed", "expired", "cancelled") else None
            say(f"[batch-api] {info['batch_id']} {info['status']}: wrote {info['rows']} row(s), "
                f"{info['errors']} error(s)", style)
        elif kind == "retry":
            say(f"[batch-api] re-submitting {info['rows']} row(s) that failed on the server")
        elif kind == "warning":
            say(f"[batch-api] warning: {info['message']}", "yellow")

    try:
        try:
            result = run_batch_api(grader, source, output, client=client, ledger=ledger, columns=columns,
                                   resume=resume, retry_failed=retry_failed, overwrite=overwrite, wait=wait,
                                   poll_interval=poll_interval, on_event=on_event)
        except KeyboardInterrupt:
            _print_pending(ledger, output, source, say, resume_cmd)
            raise
        finally:
            client.close()
        stats = result.stats
        summary = stats.summary()
        for table in _summary_tables(summary):
            console.print(table)
        if summary_json:
            summary_json.write_text(json.dumps({**summary, "batch_api": {
                "submitted_requests": result.submitted_requests, "batches_created": result.batches_created,
                "pending": result.pending}}, indent=2))
        say(f"results: {output}", "dim")
        for job in result.pending:
            say(f"[batch-api] {job['batch_id'] or job['job_id']} is {job['status']}; collect it later with: "
                f"{resume_cmd}")
        if stats.failed:
            if result.server_errors:
                say(f"rows that failed on the server can be re-submitted with: {resume_cmd} --retry-failed", "dim")
            raise typer.Exit(EXIT_ROWS_FAILED)
    finally:
        ledger.close()


def _print_pending(ledger: Any, output: Path, source: Path, say: Callable[..., None], resume_cmd: str) -> None:
    try:
        jobs = ledger.batch_jobs(str(output.resolve()), _file_sha256(source))
    except Exception:  # noqa: BLE001 - best effort while stopping
        return
    for job in jobs:
        if job["state"] in LIVE_STATES:
            say(f"[batch-api] {job['batch_id'] or job['job_id']} is {job['batch_status'] or job['state']} "
                "on the server")
    say(f"[batch-api] pick it up later with: {resume_cmd}")
