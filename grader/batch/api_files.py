"""The files of a Batch API run (:mod:`grader.batch.api`): what goes in, what comes back, and the
output rewrite for a retry.

- **In**: one request line per row to grade (:func:`request_line`, with the live judge's exact
  body), cut into input files of at most :data:`MAX_REQUESTS` lines and :data:`MAX_BYTES` bytes
  (:func:`chunk_requests`).
- **Back**: the output and error files' JSONL lines (:func:`parse_result_lines`); a line's
  completion is read by the OpenAI adapter's parser (:func:`completion_of`), its failure worded by
  :func:`line_error`, a row without a line by :func:`fallback_reason`.
- **Retry**: :func:`drop_server_errors` rewrites the output without its ``server_error`` rows.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.batch.io import done_rows
from grader.grading import Grader
from grader.judges.llm import LLMJudge, request_body
from grader.judges.openai_api import Completion, parse_completion
from grader.rubric.model import Rubric

__all__ = [
    "BATCH_ENDPOINT",
    "MAX_REQUESTS",
    "MAX_BYTES",
    "SERVER_ERROR_FLAG",
    "RequestLine",
    "custom_id_for",
    "request_line",
    "chunk_requests",
    "drop_server_errors",
    "is_server_error",
    "file_sha256",
    "parse_result_lines",
    "line_ok",
    "completion_of",
    "line_error",
    "fallback_reason",
]

BATCH_ENDPOINT = "/v1/chat/completions"
MAX_REQUESTS = 50_000
MAX_BYTES = 190 * 1024 * 1024
SERVER_ERROR_FLAG = "server_error"


# -- request lines and chunks ------------------------------------------------------------------


def custom_id_for(row_index: int, key: str) -> str:
    """``row-<index>-<short hash>``: the row it came from, and a check that it is the same row."""
    return f"row-{row_index}-{key[:10]}"


def request_line(grader: Grader, rubric: Rubric, answer: str, custom_id: str) -> dict[str, Any]:
    """One Batch API input line, with the body the live judge would send for this answer."""
    backend = grader.backend  # the live judge's pick (LLMJudge.examples_for)
    examples = backend.examples_for(rubric, answer)[0] if isinstance(backend, LLMJudge) else []
    body = request_body(grader.settings, grader.prompts, rubric, answer, model=grader.backend.model, examples=examples)
    return {"custom_id": custom_id, "method": "POST", "url": BATCH_ENDPOINT, "body": body}


@dataclass
class RequestLine:
    custom_id: str
    key: str
    rows: list[int]
    data: bytes  # the encoded JSONL line, newline included
    sealed: bool = False  # its chunk was submitted: later duplicates need their own request


def chunk_requests(
    lines: Iterable[RequestLine], *, max_requests: int = MAX_REQUESTS, max_bytes: int = MAX_BYTES
) -> Iterator[list[RequestLine]]:
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


def file_sha256(path: Path) -> str:
    """The input file's hash: with the output path, the key of a run's jobs in the ledger."""
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


# -- result lines ------------------------------------------------------------------------------


def parse_result_lines(text: str) -> tuple[list[dict[str, Any]], list[int]]:
    """The JSON objects of a downloaded output or error file, and the numbers of lines that were
    not JSON (blank lines and non-objects are skipped)."""
    lines: list[dict[str, Any]] = []
    bad: list[int] = []
    for n, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except ValueError:
            bad.append(n)
            continue
        if isinstance(obj, dict):
            lines.append(obj)
    return lines, bad


def line_ok(line: dict[str, Any]) -> bool:
    """The line carries a completion (HTTP 200)."""
    response = line.get("response")
    return isinstance(response, dict) and response.get("status_code") == 200


def completion_of(line: dict[str, Any]) -> Completion:
    """The completion in a successful line's ``response.body``, parsed like a live response."""
    response = line.get("response")
    body = response.get("body") if isinstance(response, dict) else None
    return parse_completion(body or {})


def line_error(line: dict[str, Any], cid: str) -> str:
    """Why a line carries no completion, in the server's words."""
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


def fallback_reason(batch: Any) -> str:
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


# -- the output file ---------------------------------------------------------------------------


def _is_jsonl(path: Path) -> bool:
    return path.suffix.lower() in (".jsonl", ".ndjson")


def is_server_error(rec: dict[str, Any]) -> bool:
    """An output record of a row that failed on the server (re-submittable with ``--retry-failed``)."""
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
                    rec = dict(zip(header, next(csv.reader([line])), strict=False))
                if is_server_error(rec):
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
