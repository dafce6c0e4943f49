"""The in-memory Files and Batches API of :class:`~grader.testing.devserver.DevServer` (standard library only).

Enough for :mod:`grader.batch.api` and its tests:
``POST /v1/files`` (multipart, ``purpose=batch``), ``GET /v1/files/{id}``,
``GET /v1/files/{id}/content``, ``POST /v1/batches``, ``GET /v1/batches`` (one page),
``GET /v1/batches/{id}``, ``POST /v1/batches/{id}/cancel``. A batch is ``validating`` when
created, ``in_progress`` on the next retrievals, and is processed on the
``batch_polls_to_complete``-th retrieval (0: at creation): every line goes through the same judge
as a chat request (honest / gullible, chat faults included) and lands in the output file as
``{"id", "custom_id", "response": {"status_code", "request_id", "body"}, "error": null}``.
Failures: ``batch_fail_lines`` (custom ids or 1-based line numbers of the batch's input file, each
consumed once) and ``batch_fail_rate`` (seeded) fail lines without judging them, alternately as an
error-file line ``{"response": null, "error": {"code", "message"}}`` and as an output line with
``status_code`` 500. ``batch_final_status`` ends every batch ``completed`` (default), ``failed``
(validation error, no files), ``expired`` (the second half of the lines in the error file as
``batch_expired``) or ``cancelled`` (every line ``batch_cancelled``). Counters:
:attr:`DevServer.batch_creations`, :attr:`DevServer.file_uploads`.

:class:`FilesAndBatches` is a component: it owns its state (files, batches, settings, counters, locks)
and is given the two things it needs from the rest of the server — the chat-completions callable that
judges every batch line and the API-key check. The HTTP handler hands it every request
(:meth:`FilesAndBatches.route`), and it answers those under ``/v1/files`` and ``/v1/batches``.
"""

from __future__ import annotations

import collections
import json
import random
import threading
import time
from collections.abc import Callable
from typing import Any

from grader.testing.devserver._batch_lines import parse_multipart, run_lines
from grader.testing.devserver._request import _error, _Reply

__all__ = ["FilesAndBatches", "BATCH_FINAL_STATUSES"]

#: What ``api_faults`` may inject into the Files and Batches API.
API_FAULT_KINDS = ("429", "429ms", "500", "503")
#: How a DevServer batch may end (``batch_final_status``).
BATCH_FINAL_STATUSES = ("completed", "failed", "expired", "cancelled")
_BATCH_TERMINAL = frozenset({"completed", "failed", "expired", "cancelled"})


class FilesAndBatches:
    """The Files and Batches API, in memory. ``complete(body, authorization)`` answers one chat request
    (each batch line goes through it); ``auth_error(authorization)`` is the 401 reply or None."""

    def __init__(
        self,
        complete: Callable[[bytes, str], _Reply],
        auth_error: Callable[[str], _Reply | None],
        *,
        polls_to_complete: int = 2,
        fail_rate: float = 0.0,
        fail_lines: list[str | int] | tuple[str | int, ...] | set[str | int] = (),
        final_status: str = "completed",
        seed: int = 1,
        api_faults: list[str | None] | tuple[str | None, ...] = (),
    ) -> None:
        if final_status not in BATCH_FINAL_STATUSES:
            raise ValueError(f"batch_final_status must be one of {BATCH_FINAL_STATUSES}, not {final_status!r}")
        if not 0.0 <= fail_rate <= 1.0:
            raise ValueError("batch_fail_rate must be between 0 and 1")
        unknown_api = {f for f in api_faults if f is not None} - set(API_FAULT_KINDS)
        if unknown_api:
            raise ValueError(f"unknown API faults {sorted(unknown_api)}; known: {', '.join(API_FAULT_KINDS)}")
        self.api_faults: collections.deque[str | None] = collections.deque(api_faults)
        self.api_requests = 0
        self._complete = complete
        self._auth_error = auth_error
        self.batch_polls_to_complete = int(polls_to_complete)
        self.batch_fail_rate = float(fail_rate)
        self.batch_fail_lines: set[str | int] = set(fail_lines)
        self.batch_final_status = final_status
        self.files: dict[str, dict[str, Any]] = {}
        self.batches: dict[str, dict[str, Any]] = {}
        self.batch_creations = 0
        self.file_uploads = 0
        self._batch_failures = 0
        self._batch_rng = random.Random(seed)
        self._batch_lock = threading.Lock()
        self._lock = threading.Lock()  # ids and the upload counter
        self._ids = 0

    def _api_fault(self) -> _Reply | None:
        """Count a Files/Batches request; the next injected ``api_faults`` reply, if any."""
        with self._lock:
            self.api_requests += 1
            fault = self.api_faults.popleft() if self.api_faults else None
        if fault in ("429", "429ms"):
            hint = {"Retry-After": "1"} if fault == "429" else {"retry-after-ms": "10"}
            return _Reply(
                429,
                _error("Rate limit reached for requests (injected fault).", "requests", "rate_limit_exceeded"),
                hint,
            )
        if fault in ("500", "503"):
            return _Reply(
                int(fault), _error(f"The server had an error (HTTP {fault}, injected fault).", "server_error")
            )
        return None

    # -- routing ---------------------------------------------------------------------------------

    def route(
        self, method: str, raw_path: str, authorization: str, content_type: str = "", body: bytes = b""
    ) -> _Reply | bytes | None:
        """The reply (raw bytes for a file's content) to a request under ``/v1/files`` or
        ``/v1/batches``; None for any other path."""
        path = (raw_path.split("?", 1)[0].rstrip("/") or "/").removeprefix("/v1")
        parts = [p for p in path.split("/") if p]
        if not parts or parts[0] not in ("files", "batches"):
            return None
        fault = self._api_fault()  # every Files/Batches request is counted and may consume a fault
        refused = self._auth_error(authorization) or fault
        if refused is not None:
            return refused
        no_route = _Reply(404, _error(f"no route for {method} {raw_path}", "invalid_request_error", "not_found"))
        if parts[0] == "files":
            if method == "POST" and len(parts) == 1:
                return self._upload(content_type, body)
            if method == "GET" and len(parts) == 2:
                return self._file_meta(parts[1])
            if method == "GET" and len(parts) == 3 and parts[2] == "content":
                data = self._file_content(parts[1])
                return self._not_found("file", parts[1]) if data is None else data
            return no_route
        if method == "POST" and len(parts) == 1:
            return self._create_batch(body, authorization)
        if method == "GET" and len(parts) == 1:
            return self._list_batches()
        if method == "GET" and len(parts) == 2:
            return self._retrieve_batch(parts[1], authorization)
        if method == "POST" and len(parts) == 3 and parts[2] == "cancel":
            return self._cancel_batch(parts[1], authorization)
        return no_route

    # -- files and batches -------------------------------------------------------------------------

    def _new_id(self, prefix: str) -> str:
        with self._lock:
            self._ids += 1
            return f"{prefix}{self._ids:06d}"

    @staticmethod
    def _not_found(kind: str, ident: str) -> _Reply:
        return _Reply(404, _error(f"No such {kind}: '{ident}'", "invalid_request_error", "not_found"))

    def _store_file(self, filename: str, purpose: str, content: bytes) -> dict[str, Any]:
        meta: dict[str, Any] = {
            "id": self._new_id("file-dev"),
            "object": "file",
            "bytes": len(content),
            "created_at": int(time.time()),
            "filename": filename,
            "purpose": purpose,
            "status": "processed",
            "expires_at": None,
            "status_details": None,
        }
        with self._batch_lock:
            self.files[meta["id"]] = {"meta": meta, "content": content}
        return meta

    def _upload(self, content_type: str, body: bytes) -> _Reply:
        try:
            fields = parse_multipart(content_type, body)
        except ValueError as exc:
            return _Reply(400, _error(f"could not parse the multipart body: {exc}", "invalid_request_error"))
        purpose = (fields.get("purpose") or (None, b""))[1].decode("utf-8", "replace").strip()
        if "file" not in fields:
            return _Reply(400, _error("missing the 'file' field", "invalid_request_error", param="file"))
        if purpose != "batch":
            return _Reply(
                400,
                _error(
                    f"this test server only accepts purpose 'batch', not {purpose!r}",
                    "invalid_request_error",
                    param="purpose",
                ),
            )
        filename, content = fields["file"]
        with self._lock:
            self.file_uploads += 1
        return _Reply(200, self._store_file(filename or "upload.jsonl", purpose, content))

    def _file_meta(self, file_id: str) -> _Reply:
        with self._batch_lock:
            f = self.files.get(file_id)
        return _Reply(200, dict(f["meta"])) if f else self._not_found("file", file_id)

    def _file_content(self, file_id: str) -> bytes | None:
        with self._batch_lock:
            f = self.files.get(file_id)
        return f["content"] if f else None

    def _create_batch(self, body: bytes, authorization: str) -> _Reply:
        try:
            payload = json.loads(body or b"null")
            if not isinstance(payload, dict):
                raise ValueError("the body must be a JSON object")
        except ValueError as exc:
            return _Reply(400, _error(f"could not parse the JSON body: {exc}", "invalid_request_error"))
        file_id = str(payload.get("input_file_id") or "")
        with self._batch_lock:
            f = self.files.get(file_id)
        if f is None or f["meta"]["purpose"] != "batch":
            return _Reply(
                400,
                _error(
                    f"Invalid input_file_id '{file_id}': no file with purpose 'batch'",
                    "invalid_request_error",
                    param="input_file_id",
                ),
            )
        endpoint = payload.get("endpoint")
        if endpoint not in ("/v1/chat/completions",):
            return _Reply(
                400,
                _error(
                    f"this test server batches only /v1/chat/completions, not {endpoint!r}",
                    "invalid_request_error",
                    param="endpoint",
                ),
            )
        if payload.get("completion_window") != "24h":
            return _Reply(
                400, _error("completion_window must be '24h'", "invalid_request_error", param="completion_window")
            )
        total = sum(1 for line in f["content"].splitlines() if line.strip())
        now = int(time.time())
        batch = {
            "id": self._new_id("batch_dev"),
            "object": "batch",
            "endpoint": endpoint,
            "errors": None,
            "input_file_id": file_id,
            "completion_window": "24h",
            "status": "validating",
            "output_file_id": None,
            "error_file_id": None,
            "created_at": now,
            "in_progress_at": None,
            "expires_at": now + 86400,
            "finalizing_at": None,
            "completed_at": None,
            "failed_at": None,
            "expired_at": None,
            "cancelling_at": None,
            "cancelled_at": None,
            "request_counts": {"total": total, "completed": 0, "failed": 0},
            "metadata": payload.get("metadata") or None,
        }
        with self._batch_lock:
            self.batch_creations += 1
            self.batches[batch["id"]] = {"object": batch, "polls": 0}
        if self.batch_polls_to_complete <= 0:
            self._finish_batch(batch["id"], self.batch_final_status, authorization)
        return self._retrieve_batch(batch["id"], authorization, count=False)

    def _list_batches(self) -> _Reply:
        with self._batch_lock:
            data = [dict(b["object"]) for b in reversed(list(self.batches.values()))]
        return _Reply(
            200,
            {
                "object": "list",
                "data": data,
                "first_id": data[0]["id"] if data else None,
                "last_id": data[-1]["id"] if data else None,
                "has_more": False,
            },
        )

    def _retrieve_batch(self, batch_id: str, authorization: str, *, count: bool = True) -> _Reply:
        finish = False
        with self._batch_lock:
            entry = self.batches.get(batch_id)
            if entry is None:
                return self._not_found("batch", batch_id)
            obj = entry["object"]
            if count and obj["status"] not in _BATCH_TERMINAL:
                entry["polls"] += 1
                if entry["polls"] >= self.batch_polls_to_complete:
                    finish = True
                else:
                    obj["status"] = "in_progress"
                    obj["in_progress_at"] = obj["in_progress_at"] or int(time.time())
        if finish:
            self._finish_batch(batch_id, self.batch_final_status, authorization)
        with self._batch_lock:
            return _Reply(200, json.loads(json.dumps(self.batches[batch_id]["object"])))

    def _cancel_batch(self, batch_id: str, authorization: str) -> _Reply:
        with self._batch_lock:
            entry = self.batches.get(batch_id)
            if entry is None:
                return self._not_found("batch", batch_id)
            terminal = entry["object"]["status"] in _BATCH_TERMINAL
        if not terminal:
            self._finish_batch(batch_id, "cancelled", authorization)
        return self._retrieve_batch(batch_id, authorization, count=False)

    def _batch_fail(self, custom_id: str, line_no: int) -> str | None:
        """None, or how this line fails: ``error_file`` or ``status_500`` (alternately)."""
        with self._batch_lock:
            hit = None
            for key in (custom_id, line_no, str(line_no)):
                if key in self.batch_fail_lines:
                    hit = key
                    break
            if hit is not None:
                self.batch_fail_lines.discard(hit)
            elif not (self.batch_fail_rate and self._batch_rng.random() < self.batch_fail_rate):
                return None
            self._batch_failures += 1
            return "error_file" if self._batch_failures % 2 == 1 else "status_500"

    def _finish_batch(self, batch_id: str, status: str, authorization: str) -> None:
        with self._batch_lock:
            entry = self.batches[batch_id]
            obj = entry["object"]
            if obj["status"] in _BATCH_TERMINAL or entry.get("finishing"):
                return  # done, or another request thread is processing it right now
            entry["finishing"] = True
            content = self.files[obj["input_file_id"]]["content"]
        now = int(time.time())
        if status == "failed":
            with self._batch_lock:
                obj.update(
                    status="failed",
                    failed_at=now,
                    errors={
                        "object": "list",
                        "data": [
                            {
                                "code": "invalid_request",
                                "line": None,
                                "param": None,
                                "message": "The batch failed validation (injected batch failure).",
                            }
                        ],
                    },
                )
            return
        lines = [raw for raw in content.splitlines() if raw.strip()]
        outputs, errors, ok, failed = run_lines(
            lines,
            status,
            obj["endpoint"],
            lambda: self._new_id("batch_req_dev"),
            self._batch_fail,
            lambda body: self._complete(json.dumps(body).encode(), authorization),
        )
        out_id = err_id = None
        if outputs:
            out_id = self._store_file(
                f"{batch_id}_output.jsonl", "batch_output", "".join(json.dumps(o) + "\n" for o in outputs).encode()
            )["id"]
        if errors:
            err_id = self._store_file(
                f"{batch_id}_error.jsonl", "batch_output", "".join(json.dumps(e) + "\n" for e in errors).encode()
            )["id"]
        with self._batch_lock:
            obj.update(
                status=status,
                output_file_id=out_id,
                error_file_id=err_id,
                finalizing_at=now,
                request_counts={"total": len(lines), "completed": ok, "failed": failed},
            )
            obj["in_progress_at"] = obj["in_progress_at"] or now
            obj[{"completed": "completed_at", "expired": "expired_at", "cancelled": "cancelled_at"}[status]] = now
