"""How the dev server's Batches API processes a batch's input lines (:class:`._batches.FilesAndBatches`).

:func:`run_lines` turns the input file's lines into output-file and error-file entries: a line that is not
a valid request, a line of a cancelled (or the second half of an expired) batch, a line the configured
faults fail (alternately an error-file entry and an output entry with status 500), or a line judged like a
chat request. :func:`parse_multipart` reads a ``/v1/files`` upload (standard library ``email``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from grader.testing.devserver._request import _error, _Reply

__all__ = ["run_lines", "parse_multipart"]


def run_lines(
    lines: list[bytes],
    status: str,
    endpoint: str,
    new_id: Callable[[], str],
    fail_for: Callable[[str, int], str | None],
    complete: Callable[[Any], _Reply],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], int, int]:
    """The output entries, the error entries, and the counts of completed and failed lines of a batch
    that ends with ``status``; ``new_id()`` names each request, ``fail_for(custom id, line number)``
    says whether and how a line fails, ``complete(body)`` judges one request body."""
    outputs: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    ok = failed = 0
    for line_no, raw in enumerate(lines, start=1):
        rid = new_id()
        try:
            item = json.loads(raw)
            custom_id = str(item["custom_id"])
            body = item["body"]
            if item.get("method") != "POST" or item.get("url") != endpoint:
                raise ValueError(f"method/url must be POST {endpoint}")
        except (ValueError, KeyError, TypeError) as exc:
            failed += 1
            errors.append(_error_entry(rid, None, "invalid_request", f"line {line_no}: {exc}"))
            continue
        if status == "cancelled" or (status == "expired" and line_no > (len(lines) + 1) // 2):
            failed += 1
            if status == "cancelled":
                message = "The batch was cancelled before this request was executed."
            else:
                message = "This request could not be executed before the completion window expired."
            errors.append(_error_entry(rid, custom_id, f"batch_{status}", message))
            continue
        fail = fail_for(custom_id, line_no)
        if fail == "error_file":
            failed += 1
            errors.append(
                _error_entry(
                    rid, custom_id, "server_error", "The request failed inside the batch (injected batch fault)."
                )
            )
            continue
        if fail == "status_500":
            failed += 1
            message = "The server had an error while processing your request (injected batch fault)."
            outputs.append(_output_entry(rid, custom_id, 500, f"req_{rid}", _error(message, "server_error")))
            continue
        reply = complete(body)
        if reply.action == "reset":
            reply = _Reply(500, _error("The connection was reset (injected fault).", "server_error"))
        if reply.status == 200:
            ok += 1
        else:
            failed += 1
        request_id = reply.headers.get("x-request-id", f"req_{rid}")
        outputs.append(_output_entry(rid, custom_id, reply.status, request_id, reply.body))
    return outputs, errors, ok, failed


def _error_entry(rid: str, custom_id: str | None, code: str, message: str) -> dict[str, Any]:
    """An error-file entry: the request failed with ``code`` and never got a response."""
    return {"id": rid, "custom_id": custom_id, "response": None, "error": {"code": code, "message": message}}


def _output_entry(rid: str, custom_id: str, status: int, request_id: str, body: Any) -> dict[str, Any]:
    """An output-file entry: the response the request got (a 500 included)."""
    return {
        "id": rid,
        "custom_id": custom_id,
        "error": None,
        "response": {"status_code": status, "request_id": request_id, "body": body},
    }


def parse_multipart(content_type: str, body: bytes) -> dict[str, tuple[str | None, bytes]]:
    """``{field name: (filename, bytes)}`` of a multipart/form-data body (standard library ``email``)."""
    from email import policy
    from email.parser import BytesParser

    if not content_type.lower().startswith("multipart/form-data"):
        raise ValueError(f"expected multipart/form-data, got {content_type or 'no Content-Type'!r}")
    msg = BytesParser(policy=policy.HTTP).parsebytes(
        b"MIME-Version: 1.0\r\nContent-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    if not msg.is_multipart():
        raise ValueError("not a multipart body")
    fields: dict[str, tuple[str | None, bytes]] = {}
    for part in msg.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if name:
            payload = part.get_payload(decode=True)
            fields[str(name)] = (part.get_filename(), payload if isinstance(payload, bytes) else b"")
    return fields
