"""The project's own OpenAI-compatible test server: tests, cassette recording and benchmarks.

It speaks ``POST /v1/chat/completions`` and ``GET /v1/models`` (plus ``GET /health``) over HTTP/1.1
with keep-alive, on ``127.0.0.1``, from a :class:`http.server.ThreadingHTTPServer` (one daemon thread
per connection). Standard library only, so it is cheap to import.

The server is three modules: this one (the HTTP handler, :class:`DevServer` with its settings,
faults and chat completions, and :func:`main`), :mod:`grader.devserver_judges` (how a request is
read and graded) and :mod:`grader.devserver_batches` (the in-memory Files and Batches API).

Modes (how it "grades", detailed in :mod:`grader.devserver_judges`): ``honest`` — a deterministic,
crude-but-sensible judge that matches each criterion to the answer sentence sharing the most
content words; ``gullible`` — obeys the answer: every criterion ``full``, with fabricated evidence.
The answer is read from between :data:`grader.prompts.OPEN_TAG` and
:data:`~grader.prompts.CLOSE_TAG`, the criteria from the schema or the prompt.

``response_format`` may be ``json_schema``, ``json_object`` (with or without ``schema``) or absent.
With ``reject_json_schema=True`` a ``json_schema`` request is answered like llama.cpp's server
does: HTTP 500 with a validation message that names ``response_format``; ``reject_formats`` rejects
any of :data:`RESPONSE_FORMATS` the same way (``json_object_schema`` is ``json_object`` with a
``schema``), to imitate servers with less JSON support.

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
``schema_violation``   200, a JSON verdict with one criterion missing and one unknown id
``truncation``         200, ``finish_reason: "length"``, content cut in the middle
``401`` / ``400`` /    authentication error (echoing the presented key, so tests can check
``404``                it never reaches a user-facing message) / bad request / not found
=====================  ==================================================================

Every chat request is counted in :attr:`DevServer.requests`, its answer's sha256 in
:attr:`DevServer.answers`, and a line in :attr:`DevServer.log` (``keep_bodies=True`` also keeps
each request body in :attr:`DevServer.bodies`).

Files and Batches API (in memory, enough for :mod:`grader.batch_api` and its tests; detailed in
:mod:`grader.devserver_batches`): ``/v1/files`` and ``/v1/batches``. A batch completes on the
``batch_polls_to_complete``-th retrieval, each line judged like a chat request; ``batch_fail_lines``,
``batch_fail_rate`` and ``batch_final_status`` inject failures. ``api_faults=[...]`` (``429``,
``429ms``, ``500``, ``503``; :data:`API_FAULT_KINDS`) are consumed one per Files/Batches request, in
order, to test the client's retries (``None`` lets one request through). Counters: :attr:`DevServer.batch_creations`,
:attr:`DevServer.file_uploads`, :attr:`DevServer.api_requests` (every Files/Batches request).

Run it in the foreground::

    python -m grader.devserver --port 8089 --mode honest --latency 0.2
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import json
import math
import random
import signal
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from grader.testing.devserver_batches import BATCH_FINAL_STATUSES, _BatchesMixin
# OPEN_TAG / CLOSE_TAG are re-exported: a test checks they match grader.prompts'.
from grader.testing.devserver_judges import CLOSE_TAG, OPEN_TAG  # noqa: F401
from grader.testing.devserver_judges import _error, _gullible_verdict, _honest_verdict, _Reply, _Request

__all__ = ["DevServer", "FAULT_KINDS", "RECOVERABLE_FAULTS", "MODES", "RESPONSE_FORMATS", "BATCH_FINAL_STATUSES",
           "API_FAULT_KINDS", "main"]

MODES = ("honest", "gullible")
#: ``response_format`` variants, as named by ``reject_formats``.
RESPONSE_FORMATS = ("json_schema", "json_object_schema", "json_object", "none")
FAULT_KINDS = (
    "429", "429ms", "500", "503", "timeout", "reset",
    "invalid_json", "schema_violation", "truncation",
    "401", "400", "404",
)
#: What ``api_faults`` may inject into the Files and Batches API.
API_FAULT_KINDS = ("429", "429ms", "500", "503")
#: What ``fault_rate`` injects by default: faults a correct client recovers from without long waits.
RECOVERABLE_FAULTS = ("429", "429ms", "500", "503", "reset", "invalid_json", "schema_violation", "truncation")


# -- the server --------------------------------------------------------------------------------

class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "grader-devserver/1"
    disable_nagle_algorithm = True
    timeout = 120  # idle keep-alive connections are closed after this many seconds

    @property
    def dev(self) -> "DevServer":
        return self.server.dev  # type: ignore[attr-defined]

    def setup(self) -> None:
        super().setup()
        self.dev._track(self.connection, True)

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass
        finally:
            self.dev._track(self.connection, False)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        if self.dev.verbose:
            sys.stderr.write(f"devserver: {self.address_string()} {format % args}\n")

    def _path(self) -> str:
        return self.path.split("?", 1)[0].rstrip("/") or "/"

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _send(self, reply: _Reply) -> None:
        data = json.dumps(reply.body).encode() if reply.body is not None else b""
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for k, v in reply.headers.items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)
        except OSError:  # the client went away (it timed out, or was reset)
            self.close_connection = True

    def _send_bytes(self, data: bytes, content_type: str = "application/octet-stream") -> None:
        try:
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            self.close_connection = True

    def _batch_route(self, method: str, body: bytes = b"") -> bool:
        """The Files and Batches API; False when the path is not one of theirs."""
        path = self._path().removeprefix("/v1")
        parts = [p for p in path.split("/") if p]
        if not parts or parts[0] not in ("files", "batches"):
            return False
        dev = self.dev
        fault = dev._api_fault()  # every Files/Batches request is counted and may consume a fault
        refused = dev._auth_error(self.headers.get("Authorization", "")) or fault
        if refused is not None:
            self._send(refused)
            return True
        if parts[0] == "files":
            if method == "POST" and len(parts) == 1:
                self._send(dev._upload(self.headers.get("Content-Type", ""), body))
            elif method == "GET" and len(parts) == 2:
                self._send(dev._file_meta(parts[1]))
            elif method == "GET" and len(parts) == 3 and parts[2] == "content":
                data = dev._file_content(parts[1])
                if data is None:
                    self._send(dev._not_found("file", parts[1]))
                else:
                    self._send_bytes(data)
            else:
                self._send(_Reply(404, _error(f"no route for {method} {self.path}", "invalid_request_error", "not_found")))
            return True
        auth_header = self.headers.get("Authorization", "")
        if method == "POST" and len(parts) == 1:
            self._send(dev._create_batch(body, auth_header))
        elif method == "GET" and len(parts) == 1:
            self._send(dev._list_batches())
        elif method == "GET" and len(parts) == 2:
            self._send(dev._retrieve_batch(parts[1], auth_header))
        elif method == "POST" and len(parts) == 3 and parts[2] == "cancel":
            self._send(dev._cancel_batch(parts[1], auth_header))
        else:
            self._send(_Reply(404, _error(f"no route for {method} {self.path}", "invalid_request_error", "not_found")))
        return True

    def do_GET(self) -> None:
        if self._batch_route("GET"):
            return
        path = self._path()
        if path in ("/v1/models", "/models"):
            body = {"object": "list", "data": [
                {"id": f"devserver-{self.dev.mode}", "object": "model", "created": 0, "owned_by": "grader"}
            ]}
            self._send(_Reply(200, body))
        elif path == "/health":
            self._send(_Reply(200, {"status": "ok"}))
        else:
            self._send(_Reply(404, _error(f"no route for GET {path}", "invalid_request_error", "not_found")))

    def do_POST(self) -> None:
        body = self._read_body()
        if self._batch_route("POST", body):
            return
        path = self._path()
        if path not in ("/v1/chat/completions", "/chat/completions"):
            self._send(_Reply(404, _error(f"no route for POST {path}", "invalid_request_error", "not_found")))
            return
        reply = self.dev._chat(body, self.headers.get("Authorization", ""))
        if reply.delay:
            self.dev._stopping.wait(reply.delay)
        if reply.action == "reset":
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self.connection.close()
            return
        self._send(reply)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256
    dev: "DevServer"


class DevServer(_BatchesMixin):
    """An OpenAI-compatible chat-completions server for tests (context manager)."""

    def __init__(
        self,
        *,
        port: int = 0,
        mode: str = "honest",
        latency: float = 0.0,
        faults: list[str] | tuple[str, ...] | None = None,
        fault_rate: float = 0.0,
        seed: int = 0,
        fault_kinds: list[str] | tuple[str, ...] | None = None,
        reject_json_schema: bool = False,
        reject_formats: list[str] | tuple[str, ...] = (),
        timeout_sleep: float = 5.0,
        api_key: str | None = None,
        verbose: bool = False,
        keep_bodies: bool = False,
        batch_polls_to_complete: int = 2,
        batch_fail_rate: float = 0.0,
        batch_fail_lines: "list[str | int] | tuple[str | int, ...] | set[str | int]" = (),
        batch_final_status: str = "completed",
        api_faults: "list[str | None] | tuple[str | None, ...]" = (),
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        kinds = tuple(fault_kinds) if fault_kinds else RECOVERABLE_FAULTS
        for name in [*(faults or []), *kinds]:
            if name not in FAULT_KINDS:
                raise ValueError(f"unknown fault {name!r}; known: {', '.join(FAULT_KINDS)}")
        if not 0.0 <= fault_rate <= 1.0:
            raise ValueError("fault_rate must be between 0 and 1")
        self.port = port
        self.mode = mode
        self.latency = float(latency)
        self.faults: collections.deque[str] = collections.deque(faults or [])
        self.fault_rate = float(fault_rate)
        self.fault_kinds = kinds
        self.reject_formats = frozenset(reject_formats) | ({"json_schema"} if reject_json_schema else set())
        unknown = self.reject_formats - set(RESPONSE_FORMATS)
        if unknown:
            raise ValueError(f"unknown response formats {sorted(unknown)}; known: {', '.join(RESPONSE_FORMATS)}")
        if batch_final_status not in BATCH_FINAL_STATUSES:
            raise ValueError(f"batch_final_status must be one of {BATCH_FINAL_STATUSES}, not {batch_final_status!r}")
        if not 0.0 <= batch_fail_rate <= 1.0:
            raise ValueError("batch_fail_rate must be between 0 and 1")
        unknown_api = {f for f in api_faults if f is not None} - set(API_FAULT_KINDS)
        if unknown_api:
            raise ValueError(f"unknown API faults {sorted(unknown_api)}; known: {', '.join(API_FAULT_KINDS)}")
        self.timeout_sleep = float(timeout_sleep)
        self.api_key = api_key
        self.verbose = verbose
        self.keep_bodies = keep_bodies
        self.bodies: list[dict[str, Any]] = []
        self.batch_polls_to_complete = int(batch_polls_to_complete)
        self.batch_fail_rate = float(batch_fail_rate)
        self.batch_fail_lines: set[str | int] = set(batch_fail_lines)
        self.batch_final_status = batch_final_status
        self.files: dict[str, dict[str, Any]] = {}
        self.batches: dict[str, dict[str, Any]] = {}
        self.batch_creations = 0
        self.file_uploads = 0
        self.api_faults: collections.deque[str | None] = collections.deque(api_faults)
        self.api_requests = 0
        self._batch_failures = 0
        self._batch_rng = random.Random(seed + 1)
        self._batch_lock = threading.Lock()
        self._ids = 0
        self.requests = 0
        self.answers: collections.Counter[str] = collections.Counter()
        self.log: list[dict[str, Any]] = []
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._conns: set[socket.socket] = set()

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self) -> "DevServer":
        if self._server is not None:
            return self
        self._stopping.clear()
        server = _HTTPServer(("127.0.0.1", self.port), _Handler)
        server.dev = self
        self._server = server
        self.port = server.server_address[1]
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name=f"devserver-{self.port}", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        self._stopping.set()  # wake sleeping handlers (latency, timeout fault)
        server.shutdown()
        server.server_close()
        with self._lock:
            conns = list(self._conns)
        for conn in conns:  # end idle keep-alive connections, so their threads exit
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> "DevServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def _track(self, conn: socket.socket, add: bool) -> None:
        with self._lock:
            (self._conns.add if add else self._conns.discard)(conn)

    # -- one chat completion ------------------------------------------------------------------

    def _next_fault(self) -> str | None:
        if self.faults:
            return self.faults.popleft()
        if self.fault_rate and self._rng.random() < self.fault_rate:
            return self._rng.choice(self.fault_kinds)
        return None

    def _chat(self, body: bytes, authorization: str) -> _Reply:
        try:
            payload = json.loads(body or b"null")
            if not isinstance(payload, dict):
                raise ValueError("the body must be a JSON object")
            req = _Request(payload)
        except ValueError as exc:
            with self._lock:
                self.requests += 1
                self.log.append({"fault": None, "mode": self.mode, "response_format": None, "status": 400})
            return _Reply(400, _error(f"could not parse the JSON body: {exc}", "invalid_request_error"))

        with self._lock:
            self.requests += 1
            n = self.requests
            if self.keep_bodies:
                self.bodies.append(payload)
            if req.answer is not None:
                self.answers[hashlib.sha256(req.answer.encode()).hexdigest()] += 1
            rejected = req.format_name in self.reject_formats
            fault = None if rejected else self._next_fault()
        entry: dict[str, Any] = {
            "n": n, "fault": fault, "mode": self.mode, "response_format": req.format_type,
            "model": req.model, "criteria_source": req.criteria_source,
            "schema_in_prompt": req.schema_in_prompt,
        }
        reply = self._reply(req, n, fault, rejected, authorization)
        entry["status"] = reply.status if reply.action == "send" else None
        if isinstance(reply.body, dict) and "usage" in reply.body:
            entry["usage"] = reply.body["usage"]
        reply.delay += self.latency
        with self._lock:
            self.log.append(entry)
        return reply

    def _reply(self, req: _Request, n: int, fault: str | None, rejected: bool, authorization: str) -> _Reply:
        rid = {"x-request-id": f"req_dev{n:06d}"}
        presented = authorization.removeprefix("Bearer ").strip()
        if fault == "401" or (self.api_key is not None and presented != self.api_key):
            return _Reply(401, _error(
                f"Incorrect API key provided: {presented or '(none)'}. Check the key and try again.",
                "invalid_request_error", "invalid_api_key"), rid)
        if rejected:
            if req.format_name == "json_schema":  # llama.cpp's server, word for word
                message = ("1 validation error for CreateChatCompletionRequest\nresponse_format.type\n"
                           "  Input should be 'text' or 'json_object' [type=literal_error, "
                           "input_value='json_schema', input_type=str]")
            else:
                message = f"response_format {req.format_name!r} is not supported by this server"
            return _Reply(500, {"error": {"code": 500, "message": message, "type": "server_error"}}, rid)
        if fault == "429":
            return _Reply(429, _error("Rate limit reached for requests (injected fault).", "requests",
                                      "rate_limit_exceeded"), {**rid, "Retry-After": "1"})
        if fault == "429ms":
            return _Reply(429, _error("Rate limit reached for tokens (injected fault).", "tokens",
                                      "rate_limit_exceeded"), {**rid, "retry-after-ms": "10"})
        if fault == "500":
            return _Reply(500, _error("The server had an error while processing your request (injected fault).",
                                      "server_error"), rid)
        if fault == "503":
            return _Reply(503, _error("The engine is currently overloaded, please try again later (injected fault).",
                                      "server_error", "overloaded"), rid)
        if fault == "400":
            return _Reply(400, _error("Invalid value for 'temperature': expected a number (injected fault).",
                                      "invalid_request_error", "invalid_value", "temperature"), rid)
        if fault == "404":
            return _Reply(404, _error(f"The model '{req.model}' does not exist (injected fault).",
                                      "invalid_request_error", "model_not_found", "model"), rid)
        if fault == "reset":
            return _Reply(action="reset")

        verdict = _honest_verdict(req) if self.mode == "honest" else _gullible_verdict(req)
        finish = "stop"
        if fault == "invalid_json":
            content = "Sure! Here is the verdict: {oops"
        elif fault == "schema_violation":
            broken = dict(verdict)
            broken["criteria"] = [*verdict["criteria"][:-1], {
                "criterion_id": "not-a-criterion", "level": "full",
                "rationale": "An extra criterion.", "evidence": [],
            }]
            content = json.dumps(broken)
        else:
            content = json.dumps(verdict)
            if fault == "truncation":
                content = content[: len(content) // 2]
                finish = "length"
        prompt_tokens = max(1, math.ceil(req.prompt_chars / 4))
        completion_tokens = max(1, math.ceil(len(content) / 4))
        body = {
            "id": f"chatcmpl-dev{n:06d}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": req.model,
            "choices": [{
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "logprobs": None,
                "finish_reason": finish,
            }],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }
        return _Reply(200, body, rid, delay=self.timeout_sleep if fault == "timeout" else 0.0)


    # -- Files and Batches API (the rest: grader.devserver_batches._BatchesMixin) ---------------

    def _auth_error(self, authorization: str) -> _Reply | None:
        presented = authorization.removeprefix("Bearer ").strip()
        if self.api_key is not None and presented != self.api_key:
            return _Reply(401, _error(
                f"Incorrect API key provided: {presented or '(none)'}. Check the key and try again.",
                "invalid_request_error", "invalid_api_key"))
        return None

    def _api_fault(self) -> _Reply | None:
        """Count a Files/Batches request; the next injected ``api_faults`` reply, if any."""
        with self._lock:
            self.api_requests += 1
            fault = self.api_faults.popleft() if self.api_faults else None
        if fault in ("429", "429ms"):
            hint = {"Retry-After": "1"} if fault == "429" else {"retry-after-ms": "10"}
            return _Reply(429, _error("Rate limit reached for requests (injected fault).", "requests",
                                      "rate_limit_exceeded"), hint)
        if fault in ("500", "503"):
            return _Reply(int(fault), _error(f"The server had an error (HTTP {fault}, injected fault).",
                                             "server_error"))
        return None


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.devserver", description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8089, help="port on 127.0.0.1 (0: any free port)")
    parser.add_argument("--mode", choices=MODES, default="honest")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds of sleep per request")
    parser.add_argument("--faults", default="", help="comma-separated faults for the first requests")
    parser.add_argument("--fault-rate", type=float, default=0.0, help="probability of a random fault")
    parser.add_argument("--fault-kinds", default="", help=f"comma-separated (default: {','.join(RECOVERABLE_FAULTS)})")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout-sleep", type=float, default=5.0, help="seconds the timeout fault sleeps")
    parser.add_argument("--reject-json-schema", action="store_true", help="answer json_schema like llama.cpp (500)")
    parser.add_argument("--api-key", default=None, help="require this bearer key (default: accept any)")
    parser.add_argument("--batch-polls", type=int, default=2,
                        help="Batches API: retrievals until a batch completes (0: at creation)")
    parser.add_argument("--batch-fail-rate", type=float, default=0.0, help="Batches API: probability a line fails")
    parser.add_argument("--batch-final-status", choices=BATCH_FINAL_STATUSES, default="completed")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every request to stderr")
    args = parser.parse_args(argv)
    split = lambda s: [x.strip() for x in s.split(",") if x.strip()]  # noqa: E731
    try:
        server = DevServer(
            port=args.port, mode=args.mode, latency=args.latency, faults=split(args.faults),
            fault_rate=args.fault_rate, seed=args.seed, fault_kinds=split(args.fault_kinds) or None,
            reject_json_schema=args.reject_json_schema, timeout_sleep=args.timeout_sleep,
            api_key=args.api_key, verbose=args.verbose, batch_polls_to_complete=args.batch_polls,
            batch_fail_rate=args.batch_fail_rate, batch_final_status=args.batch_final_status,
        )
        server.start()
    except (ValueError, OSError) as exc:
        print(f"devserver: {exc}", file=sys.stderr)
        return 2
    print(server.base_url, flush=True)
    signal.signal(signal.SIGTERM, _interrupt)  # `kill PID` stops it as cleanly as Ctrl-C
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        print(f"devserver: served {server.requests} chat request(s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
