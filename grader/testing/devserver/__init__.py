"""The project's own OpenAI-compatible test server: tests (fault injection) and benchmarks.

It speaks ``POST /v1/chat/completions`` and ``GET /v1/models`` (plus ``GET /health``) over HTTP/1.1
with keep-alive, on ``127.0.0.1``, from a :class:`http.server.ThreadingHTTPServer` (one daemon thread
per connection). The server's own modules use the standard library only. Test support: the product
never imports it.

The server is composed, not mixed in: :class:`DevServer` (:mod:`._server`: settings, lifecycle, the
HTTP handler) holds a chat-completions component (:mod:`._chat`: modes, faults, counters, grading
through :mod:`._request`, which reads a request, and :mod:`._judges`, which grades it) and a Files/Batches component
(:mod:`._batches`: the in-memory Files and Batches API, judging each batch line through the chat
component). :mod:`._cli` is ``python -m grader.testing.devserver``.

Modes (how it "grades", detailed in :mod:`._judges`): ``honest`` — a deterministic,
crude-but-sensible judge that matches each criterion to the answer sentence sharing the most
content words; ``gullible`` — obeys the answer: every criterion ``full``, with fabricated evidence.
The answer is read from between :data:`grader.prompts.OPEN_TAG` and
:data:`~grader.prompts.CLOSE_TAG`, the criteria from the schema or the prompt.

``response_format`` may be ``json_schema``, ``json_object`` (with or without ``schema``) or absent.
With ``reject_json_schema=True`` a ``json_schema`` request is answered like llama.cpp's server
does: HTTP 500 with a validation message that names ``response_format``; ``reject_formats`` rejects
any of :data:`RESPONSE_FORMATS` the same way (``json_object_schema`` is ``json_object`` with a
``schema``), to imitate servers with less JSON support.

``reject_params`` (:data:`REJECTABLE_PARAMS`: ``max_tokens``, ``temperature``) answers a request carrying
them as OpenAI's API answers a reasoning model's (o-series, gpt-5): HTTP 400, ``invalid_request_error``,
``Unsupported parameter: 'max_tokens' … Use 'max_completion_tokens' instead.`` (``param`` and ``code``
set), or ``Unsupported value: 'temperature' …`` for any temperature but 1. It consumes no fault.

Faults (:data:`FAULT_KINDS`): ``faults=[...]`` are consumed one per chat request, in order, then
the server behaves normally; ``fault_rate`` + ``seed`` (+ ``fault_kinds``, default
:data:`RECOVERABLE_FAULTS`) inject them at random from a seeded :class:`random.Random`.
A request rejected for its ``response_format`` consumes no fault.

=====================  ==================================================================
``429``                HTTP 429 with ``Retry-After: 1``
``429ms``              HTTP 429 with ``retry-after-ms: 10``
``500`` / ``503``      server error / overloaded
``timeout``            sleep ``timeout_sleep`` seconds (default 5), then answer normally
``reset``              close the socket without any response
``invalid_json``       200, content that is not JSON
``html_200``           200, an HTML page (``text/html``) instead of a completion, as a proxy sends
``garbage_200``        200, ``application/json`` whose body is not JSON (cut off)
``schema_violation``   200, a JSON verdict with one criterion missing and one unknown id
``truncation``         200, ``finish_reason: "length"``, content cut in the middle
``401`` / ``400`` /    authentication error (echoing the presented key, so tests can check
``404``                it never reaches a user-facing message) / bad request / not found
=====================  ==================================================================

Every chat request is counted in :attr:`DevServer.requests`, its answer's sha256 in
:attr:`DevServer.answers`, and a line in :attr:`DevServer.log` (``keep_bodies=True`` also keeps
each request body in :attr:`DevServer.bodies`).

Files and Batches API (in memory, enough for :mod:`grader.batch.api` and its tests; detailed in
:mod:`._batches`): ``/v1/files`` and ``/v1/batches``. A batch completes on the
``batch_polls_to_complete``-th retrieval, each line judged like a chat request; ``batch_fail_lines``,
``batch_fail_rate`` and ``batch_final_status`` inject failures. ``api_faults=[...]`` (``429``,
``429ms``, ``500``, ``503``; :data:`API_FAULT_KINDS`) are consumed one per Files/Batches request, in
order, to test the client's retries (``None`` lets one request through). Counters:
:attr:`DevServer.batch_creations`, :attr:`DevServer.file_uploads`, :attr:`DevServer.api_requests`.

Run it in the foreground::

    python -m grader.testing.devserver --port 8089 --mode honest --latency 0.2
"""

from __future__ import annotations

from grader.testing.devserver._batches import API_FAULT_KINDS, BATCH_FINAL_STATUSES
from grader.testing.devserver._chat import (
    FAULT_KINDS,
    MODES,
    RECOVERABLE_FAULTS,
    REJECTABLE_PARAMS,
    RESPONSE_FORMATS,
)
from grader.testing.devserver._cli import main
from grader.testing.devserver._request import CLOSE_TAG, OPEN_TAG  # a test checks they match grader.prompts'
from grader.testing.devserver._server import DevServer

__all__ = [
    "DevServer",
    "FAULT_KINDS",
    "RECOVERABLE_FAULTS",
    "MODES",
    "RESPONSE_FORMATS",
    "REJECTABLE_PARAMS",
    "BATCH_FINAL_STATUSES",
    "API_FAULT_KINDS",
    "OPEN_TAG",
    "CLOSE_TAG",
    "main",
]
