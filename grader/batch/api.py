"""Grade a CSV/JSONL through the OpenAI Batch API (``grader batch --batch-api``).

The run lives here; the files it sends and reads (request lines, chunks, result lines, the output
rewrite) in :mod:`grader.batch.api_files`; the Files and Batches calls, with the one transport retry
policy and error mapping, in the OpenAI adapter (:class:`grader.judges.openai_api.BatchClient`, made
by :func:`make_client`). The command line (``grader batch --batch-api``) is in :mod:`grader.cli.batch_api`.

Flow, every step recorded in the store's ``batch_jobs`` ledger so that another process can pick it
up (``grader batch --batch-api --resume``):

1. **Read the input once.** Rows that need no call are written to the output at once, exactly as the
   live path writes them: input errors and unknown questions → ``error`` rows; answers over
   ``max_answer_chars`` → ``error``; empty / too-short answers → the Grader's zero result; verdicts
   already in the cache → the cached result. Rows already in the output (``--resume``) or waiting in
   a pending job are skipped.
2. **Request lines.** Every other row becomes one line ``{"custom_id", "method": "POST", "url":
   "/v1/chat/completions", "body"}`` whose body is :func:`grader.judges.llm.request_body` — the very body
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

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from grader.batch.api_files import (
    BATCH_ENDPOINT,
    MAX_BYTES,
    MAX_REQUESTS,
    SERVER_ERROR_FLAG,
    RequestLine,
    chunk_requests,
    custom_id_for,
    drop_server_errors,
    request_line,
)
from grader.batch.api_jobs import BATCH_PRICE_FACTOR, LIVE_STATES, TERMINAL, BatchApiResult, Event, _Run
from grader.batch.io import DEFAULT_COLUMNS, Columns, ResultWriter
from grader.batch.stats import resume_from
from grader.errors import ConfigError, InputError, TransportError
from grader.grading import Grader
from grader.judges.openai_api import BatchClient, ErrorHints
from grader.settings import Settings

__all__ = [
    "BATCH_ENDPOINT",
    "MAX_REQUESTS",
    "MAX_BYTES",
    "BATCH_PRICE_FACTOR",
    "SERVER_ERROR_FLAG",
    "TERMINAL",
    "LIVE_STATES",
    "BATCH_HINTS",
    "RequestLine",
    "BatchApiResult",
    "BatchClient",
    "custom_id_for",
    "request_line",
    "chunk_requests",
    "drop_server_errors",
    "make_client",
    "run_batch_api",
]

_RESUME = "the submitted batches keep running on the server; rerun with --resume to pick them up"
#: How a failed Files/Batches call is explained (the messages are the adapter's).
BATCH_HINTS = ErrorHints(
    auth="check OPENAI_API_KEY",
    not_found="the server may not offer the Batch API (llama.cpp's does not); grade without --batch-api",
    connection=_RESUME,
    status=_RESUME,
    count_attempts=False,
)


def make_client(settings: Settings, *, sleep: Callable[[float], None] = time.sleep) -> BatchClient:
    """The client for the Files and Batches API: synchronous, with the transport retry policy of the
    live judge (``settings.max_retries``, Retry-After honoured; ``sleep`` injectable for tests)."""
    return BatchClient(settings, hints=BATCH_HINTS, sleep=sleep)


# -- the run -----------------------------------------------------------------------------------


def run_batch_api(
    grader: Grader,
    source: str | Path,
    output: str | Path,
    *,
    client: BatchClient | Any,
    ledger: Any | None = None,
    columns: Columns = DEFAULT_COLUMNS,
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

    ``client`` is a :class:`BatchClient` (:func:`make_client`); an ``openai.OpenAI`` client is
    wrapped in one. ``ledger`` is the :class:`~grader.store.Store` holding the ``batch_jobs`` table (default: the
    grader's store). ``wait=False`` returns right after submitting; ``max_polls`` stops polling
    after that many rounds. Either way the jobs left are in ``result.pending`` and a later call
    with ``resume=True`` picks them up.
    """
    source, output = Path(source), Path(output)
    ledger = ledger if ledger is not None else grader.store
    if ledger is None:
        raise ConfigError(
            "the Batch API needs the store (its job ledger)",
            setting="store",
            hint="set GRADER_STORE to a writable file path",
        )
    if not source.is_file():
        raise InputError("file not found", source=str(source))
    if grader.backend.name != "llm":
        raise ConfigError(
            "the Batch API needs an LLM judge, and the embedded grader is configured",
            setting="backend",
            hint="set OPENAI_API_KEY (and OPENAI_BASE_URL for another server)",
        )
    if max_requests < 1 or max_bytes < 1:
        raise ValueError("max_requests and max_bytes must be positive")
    if retry_failed:
        resume = True
    if not isinstance(client, BatchClient):
        client = BatchClient(grader.settings, hints=BATCH_HINTS, client=client)
    run = _Run(
        grader,
        source,
        output,
        client=client,
        ledger=ledger,
        columns=columns,
        max_requests=max_requests,
        max_bytes=max_bytes,
        on_event=on_event,
    )

    live = run.live_jobs()
    others = [
        j for j in ledger.batch_jobs(run.out_key) if j["state"] in LIVE_STATES and j["input_sha256"] != run.input_sha
    ]
    if others:
        run.event(
            "warning",
            message=f"{len(others)} pending batch job(s) for {output} were made from another "
            f"version of the input and are ignored: " + ", ".join(j["batch_id"] or j["job_id"] for j in others),
        )
    if not resume:
        if live and not overwrite:
            raise InputError(
                "a Batch API job for this output is still pending: "
                + ", ".join(f"{j['batch_id'] or j['job_id']} ({j['batch_status'] or j['state']})" for j in live),
                source=str(output),
                hint="use --resume to pick it up, or --overwrite to abandon it",
            )
        if output.exists() and output.stat().st_size > 0 and not overwrite:
            raise InputError(
                "the output file exists",
                source=str(output),
                hint="use --resume to continue it or --overwrite to replace it",
            )
        for job in live:
            if job["batch_id"]:
                try:
                    client.cancel_batch(job["batch_id"], what="cancelling an abandoned batch")
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
                f"grading settings (model {stale[0]['model']!r})",
                setting="model",
                hint="resume with the same --model, --base-url and settings",
            )
        if retry_failed:
            run.result.retried_rows = drop_server_errors(output)
            run.event("retry", rows=len(run.result.retried_rows))

    run.done = resume_from(output, run.stats) if resume else set()  # per-question summary: whole file
    run.stats.skipped_done = len(run.done)
    run.writer = ResultWriter(output, append=resume)
    try:
        # jobs uploaded by a process that died before creating (or recording) their batch
        for job in live:
            if job["state"] == "uploaded":
                run.adopt_uploaded(job)
        in_jobs = {row for job in live for rows in job["mapping"].values() for row in rows}
        number = len(run.jobs())
        for chunk in chunk_requests(
            run.request_lines(run.done | in_jobs), max_requests=max_requests, max_bytes=max_bytes
        ):
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
        run.result.pending = [
            {"job_id": j["job_id"], "batch_id": j["batch_id"], "status": j.get("batch_status") or j["state"]}
            for j in pending
        ]
        if run.result.pending:
            run.stats.stopped_reason = "batch jobs pending"
    finally:
        run.writer.close()
    return run.result
