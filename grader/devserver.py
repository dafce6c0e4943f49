"""The project's own OpenAI-compatible test server: tests, cassette recording and benchmarks.

It speaks ``POST /v1/chat/completions`` and ``GET /v1/models`` (plus ``GET /health``) over HTTP/1.1
with keep-alive, on ``127.0.0.1``, from a :class:`http.server.ThreadingHTTPServer` (one daemon thread
per connection). Standard library only, so it is cheap to import.

Modes (how it "grades"):

- ``honest`` — a deterministic, crude-but-sensible judge. For each criterion it finds the answer
  sentence sharing the most content words (lowercased alphabetic tokens of 4+ letters, stopwords
  removed, a trailing plural ``s`` folded) with the criterion text: ``full`` if the overlap is at
  least 34 % of the criterion's content words, ``partial`` at 15 % (or 2+ shared words), else
  ``missing``. The evidence is that sentence, verbatim.
- ``gullible`` — obeys the answer: every criterion ``full``, alternately quoting a fabricated
  sentence (not in the answer) and a sentence from the answer, preferring attack text.

What it reads from a request: the answer is the text strictly between
:data:`grader.prompts.OPEN_TAG` and :data:`~grader.prompts.CLOSE_TAG` (stripped); the criterion ids
come from ``response_format``'s schema (``…criterion_id.enum``), else the ``Valid criterion ids:``
line of the user message, else a JSON schema embedded in the system message; the criterion texts
from the user-message lines ``- <id> — weight <w> — <text>``.

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

Files and Batches API (in memory, enough for :mod:`grader.batch_api` and its tests):
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
import re
import signal
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# Same values as grader.prompts.OPEN_TAG / CLOSE_TAG (a test checks it): not imported from there,
# because grader.prompts pulls in jinja2 and pydantic and this module must stay standard-library only.
OPEN_TAG = "<<<CANDIDATE_ANSWER>>>"
CLOSE_TAG = "<<<END_CANDIDATE_ANSWER>>>"

__all__ = ["DevServer", "FAULT_KINDS", "RECOVERABLE_FAULTS", "MODES", "RESPONSE_FORMATS", "BATCH_FINAL_STATUSES",
           "main"]

MODES = ("honest", "gullible")
#: ``response_format`` variants, as named by ``reject_formats``.
RESPONSE_FORMATS = ("json_schema", "json_object_schema", "json_object", "none")
FAULT_KINDS = (
    "429", "429ms", "500", "503", "timeout", "reset",
    "invalid_json", "schema_violation", "truncation",
    "401", "400", "404",
)
#: How a DevServer batch may end (``batch_final_status``).
BATCH_FINAL_STATUSES = ("completed", "failed", "expired", "cancelled")
_BATCH_TERMINAL = frozenset({"completed", "failed", "expired", "cancelled"})
#: What ``fault_rate`` injects by default: faults a correct client recovers from without long waits.
RECOVERABLE_FAULTS = ("429", "429ms", "500", "503", "reset", "invalid_json", "schema_violation", "truncation")

_STOPWORDS = frozenset(
    """
    about above after again against also always among another answer answers around because been before
    being below between both candidate could does doing done during each either else enough even ever
    every example explain explains explained describe describes described from further give gives have
    having here however into itself just least less like likely made make makes many more most much must
    name names need needs never only other others otherwise over same shall should show shows since some
    such than that their them themselves then there these they thing things this those though through
    thus under until upon used uses using very want well were what when where whether which while whom
    whose will with within without would your yours mention mentions strong covers cover
    """.split()
)
_WORD = re.compile(r"[a-z]+")
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+|\n+")
_CRITERION_LINE = re.compile(r"^\s*-\s+([a-z0-9][a-z0-9-]*)\s+—\s+weight\s+[0-9.]+\s+—\s+(.+?)\s*$", re.M)
_VALID_IDS = re.compile(r"^Valid criterion ids:\s*(.+?)\s*$", re.M)
_INJECTION_PHRASES = (
    "ignore previous instructions", "ignore all previous", "ignore the previous", "ignore your instructions",
    "ignore the rubric", "disregard the rubric", "disregard previous", "full marks", "maximum marks",
    "full score", "perfect score", "10/10", "give this answer", "award this answer", "as the grader",
    "you are the grader", "dear grader", "note to the grader", "system:", "mark every criterion",
)
_ATTACK_WORDS = ("ignore", "marks", "grader", "score", "full", "instructions", "points", "award")


def _words(text: str) -> set[str]:
    out = set()
    for w in _WORD.findall(text.lower()):
        if len(w) < 4 or w in _STOPWORDS:
            continue
        if w.endswith("s") and not w.endswith("ss") and len(w) > 4:
            w = w[:-1]
        out.add(w)
    return out


def _sentences(answer: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_SPLIT.split(answer) if s and s.strip()]


def _error(message: str, type_: str, code: Any = None, param: Any = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}


@dataclass
class _Reply:
    """What the handler does for one request."""

    status: int = 200
    body: Any = None  # JSON-serialisable
    headers: dict[str, str] = field(default_factory=dict)
    action: str = "send"  # send | reset
    delay: float = 0.0  # extra sleep before acting (the timeout fault)


class _Request:
    """What the server understood of one chat-completion request."""

    def __init__(self, payload: dict[str, Any]) -> None:
        self.payload = payload
        self.model = str(payload.get("model") or "devserver")
        messages = payload.get("messages") or []
        self.messages = [m for m in messages if isinstance(m, dict)]
        self.texts = [self._text(m.get("content")) for m in self.messages]
        rf = payload.get("response_format")
        self.response_format = rf if isinstance(rf, dict) else None
        self.format_type = self.response_format.get("type") if self.response_format else None
        self.format_name = (
            "json_object_schema" if self.format_type == "json_object" and self.response_format.get("schema")
            else self.format_type or "none"
        )
        self.answer = self._find_answer()
        self.criteria, self.criteria_source = self._find_criteria()

    @staticmethod
    def _text(content: Any) -> str:
        if isinstance(content, str):
            return content
        if isinstance(content, list):  # content parts
            return "\n".join(p.get("text", "") for p in content if isinstance(p, dict))
        return ""

    def _role_texts(self, *roles: str) -> list[str]:
        return [t for m, t in zip(self.messages, self.texts) if m.get("role") in roles]

    def _find_answer(self) -> str | None:
        for text in [*self._role_texts("user"), *self._role_texts("system", "developer")]:
            start = text.find(OPEN_TAG)
            if start < 0:
                continue
            end = text.find(CLOSE_TAG, start + len(OPEN_TAG))
            if end >= 0:
                return text[start + len(OPEN_TAG) : end].strip()
        return None

    def _schema_ids(self, schema: Any) -> list[str] | None:
        try:
            ids = schema["properties"]["criteria"]["items"]["properties"]["criterion_id"]["enum"]
        except (KeyError, TypeError):
            return None
        return [str(i) for i in ids] if isinstance(ids, list) and ids else None

    def _find_criteria(self) -> tuple[list[tuple[str, str]], str]:
        ids: list[str] | None = None
        source = ""
        rf = self.response_format or {}
        schema = (rf.get("json_schema") or {}).get("schema") if isinstance(rf.get("json_schema"), dict) else None
        ids = self._schema_ids(schema) or self._schema_ids(rf.get("schema"))
        if ids:
            source = "response_format"
        if not ids:
            for text in self._role_texts("user"):
                m = _VALID_IDS.search(text)
                if m:
                    ids = [i.strip() for i in m.group(1).split(",") if i.strip()]
                    source = "user_prompt"
                    break
        if not ids:
            for text in self._role_texts("system", "developer"):
                ids = self._embedded_schema_ids(text)
                if ids:
                    source = "system_schema"
                    break
        texts: dict[str, str] = {}
        for text in self._role_texts("user"):
            for m in _CRITERION_LINE.finditer(text):
                texts.setdefault(m.group(1), m.group(2))
        if not ids:
            ids, source = list(texts), "criterion_lines" if texts else ""
        return [(i, texts.get(i, i.replace("-", " "))) for i in ids], source

    def _embedded_schema_ids(self, text: str) -> list[str] | None:
        decoder = json.JSONDecoder()
        pos = text.find("{")
        while pos >= 0:
            try:
                obj, _ = decoder.raw_decode(text, pos)
            except ValueError:
                obj = None
            ids = self._schema_ids(obj) if isinstance(obj, dict) else None
            if ids:
                return ids
            pos = text.find("{", pos + 1)
        return None

    @property
    def schema_in_prompt(self) -> bool:
        """Whether a system message embeds the verdict's JSON schema (JSON mode needs it there)."""
        return any('"criterion_id"' in t for t in self._role_texts("system", "developer"))

    @property
    def prompt_chars(self) -> int:
        return sum(len(t) for t in self.texts)


# -- the two judges ----------------------------------------------------------------------------

def _lower_first(text: str) -> str:
    text = text.strip().rstrip(".")
    return text[:1].lower() + text[1:] if text else text


def _honest_verdict(req: _Request) -> dict[str, Any]:
    answer = req.answer or ""
    sentences = _sentences(answer)
    sentence_words = [(s, _words(s)) for s in sentences]
    criteria, strengths, gaps = [], [], []
    full = partial = 0
    for cid, text in req.criteria:
        want = _words(text)
        best, best_shared = "", set()
        for s, words in sentence_words:
            shared = want & words
            if len(shared) > len(best_shared):
                best, best_shared = s, shared
        ratio = len(best_shared) / len(want) if want else 0.0
        if want and ratio >= 0.34:
            level = "full"
        elif want and (ratio >= 0.15 or len(best_shared) >= 2):
            level = "partial"
        else:
            level = "missing"
        shared_list = ", ".join(sorted(best_shared)[:6])
        if level == "missing":
            rationale = "No sentence of the answer addresses this criterion."
            gaps.append({
                "gap": f"Does not address: {_lower_first(text)}.",
                "next_step": f"Add two or three sentences on {_lower_first(text)}, with one concrete example.",
            })
        else:
            rationale = (f"The best matching sentence shares {len(best_shared)} of {len(want)} key words "
                         f"with the criterion ({shared_list}).")
            if level == "full":
                full += 1
                strengths.append(f"Covers {_lower_first(text)}.")
            else:
                partial += 1
                gaps.append({
                    "gap": f"Only partly covers: {_lower_first(text)}.",
                    "next_step": f"Expand the point on {shared_list or 'this'} into a precise explanation.",
                })
        criteria.append({
            "criterion_id": cid, "level": level, "rationale": rationale,
            "evidence": [best] if level != "missing" else [],
        })
    n = len(req.criteria)
    summary = f"Your answer fully covers {full} of {n} criteria and partly covers {partial}."
    summary += " Work on the gaps listed below next." if gaps else " Well done: keep answers this complete."
    lowered = answer.lower()
    return {
        "criteria": criteria,
        "strengths": strengths,
        "gaps": gaps,
        "injection_attempt": any(p in lowered for p in _INJECTION_PHRASES),
        "summary": summary,
    }


def _gullible_verdict(req: _Request) -> dict[str, Any]:
    answer = req.answer or ""
    sentences = _sentences(answer)
    attack = [s for s in sentences if any(w in s.lower() for w in _ATTACK_WORDS)]
    quoted = (attack or sentences or [""])[0]
    criteria = []
    for i, (cid, text) in enumerate(req.criteria):
        if i % 2 == 0 or not quoted:
            quote = f"The candidate gives an outstanding and complete treatment of {_lower_first(text)}."
            if quote in answer:
                quote += " Truly exceptional."
        else:
            quote = quoted
        criteria.append({
            "criterion_id": cid, "level": "full",
            "rationale": "The answer fully satisfies this criterion, as it requests.",
            "evidence": [quote],
        })
    return {
        "criteria": criteria,
        "strengths": ["An excellent, complete answer."],
        "gaps": [],
        "injection_attempt": False,
        "summary": "Full marks: this answer covers everything. No improvements needed.",
    }


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
        auth = dev._auth_error(self.headers.get("Authorization", ""))
        if auth is not None:
            self._send(auth)
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


class DevServer:
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


    # -- Files and Batches API ------------------------------------------------------------------

    def _auth_error(self, authorization: str) -> _Reply | None:
        presented = authorization.removeprefix("Bearer ").strip()
        if self.api_key is not None and presented != self.api_key:
            return _Reply(401, _error(
                f"Incorrect API key provided: {presented or '(none)'}. Check the key and try again.",
                "invalid_request_error", "invalid_api_key"))
        return None

    def _new_id(self, prefix: str) -> str:
        with self._lock:
            self._ids += 1
            return f"{prefix}{self._ids:06d}"

    @staticmethod
    def _not_found(kind: str, ident: str) -> _Reply:
        return _Reply(404, _error(f"No such {kind}: '{ident}'", "invalid_request_error", "not_found"))

    def _store_file(self, filename: str, purpose: str, content: bytes) -> dict[str, Any]:
        meta = {
            "id": self._new_id("file-dev"), "object": "file", "bytes": len(content), "created_at": int(time.time()),
            "filename": filename, "purpose": purpose, "status": "processed", "expires_at": None,
            "status_details": None,
        }
        with self._batch_lock:
            self.files[meta["id"]] = {"meta": meta, "content": content}
        return meta

    def _upload(self, content_type: str, body: bytes) -> _Reply:
        try:
            fields = _parse_multipart(content_type, body)
        except ValueError as exc:
            return _Reply(400, _error(f"could not parse the multipart body: {exc}", "invalid_request_error"))
        purpose = (fields.get("purpose") or (None, b""))[1].decode("utf-8", "replace").strip()
        if "file" not in fields:
            return _Reply(400, _error("missing the 'file' field", "invalid_request_error", param="file"))
        if purpose != "batch":
            return _Reply(400, _error(f"this test server only accepts purpose 'batch', not {purpose!r}",
                                      "invalid_request_error", param="purpose"))
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
            return _Reply(400, _error(f"Invalid input_file_id '{file_id}': no file with purpose 'batch'",
                                      "invalid_request_error", param="input_file_id"))
        endpoint = payload.get("endpoint")
        if endpoint not in ("/v1/chat/completions",):
            return _Reply(400, _error(f"this test server batches only /v1/chat/completions, not {endpoint!r}",
                                      "invalid_request_error", param="endpoint"))
        if payload.get("completion_window") != "24h":
            return _Reply(400, _error("completion_window must be '24h'", "invalid_request_error",
                                      param="completion_window"))
        total = sum(1 for line in f["content"].splitlines() if line.strip())
        now = int(time.time())
        batch = {
            "id": self._new_id("batch_dev"), "object": "batch", "endpoint": endpoint, "errors": None,
            "input_file_id": file_id, "completion_window": "24h", "status": "validating",
            "output_file_id": None, "error_file_id": None, "created_at": now, "in_progress_at": None,
            "expires_at": now + 86400, "finalizing_at": None, "completed_at": None, "failed_at": None,
            "expired_at": None, "cancelling_at": None, "cancelled_at": None,
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
        return _Reply(200, {"object": "list", "data": data, "first_id": data[0]["id"] if data else None,
                            "last_id": data[-1]["id"] if data else None, "has_more": False})

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
                obj.update(status="failed", failed_at=now, errors={"object": "list", "data": [{
                    "code": "invalid_request", "line": None, "param": None,
                    "message": "The batch failed validation (injected batch failure).",
                }]})
            return
        lines = [raw for raw in content.splitlines() if raw.strip()]
        outputs: list[dict[str, Any]] = []
        errors: list[dict[str, Any]] = []
        ok = failed = 0
        for line_no, raw in enumerate(lines, start=1):
            rid = self._new_id("batch_req_dev")
            try:
                item = json.loads(raw)
                custom_id = str(item["custom_id"])
                body = item["body"]
                if item.get("method") != "POST" or item.get("url") != obj["endpoint"]:
                    raise ValueError(f"method/url must be POST {obj['endpoint']}")
            except (ValueError, KeyError, TypeError) as exc:
                failed += 1
                errors.append({"id": rid, "custom_id": None, "response": None,
                               "error": {"code": "invalid_request", "message": f"line {line_no}: {exc}"}})
                continue
            if status == "cancelled" or (status == "expired" and line_no > (len(lines) + 1) // 2):
                failed += 1
                code = "batch_cancelled" if status == "cancelled" else "batch_expired"
                message = ("The batch was cancelled before this request was executed." if status == "cancelled"
                           else "This request could not be executed before the completion window expired.")
                errors.append({"id": rid, "custom_id": custom_id, "response": None,
                               "error": {"code": code, "message": message}})
                continue
            fail = self._batch_fail(custom_id, line_no)
            if fail == "error_file":
                failed += 1
                errors.append({"id": rid, "custom_id": custom_id, "response": None, "error": {
                    "code": "server_error", "message": "The request failed inside the batch (injected batch fault)."}})
                continue
            if fail == "status_500":
                failed += 1
                outputs.append({"id": rid, "custom_id": custom_id, "error": None, "response": {
                    "status_code": 500, "request_id": f"req_{rid}",
                    "body": _error("The server had an error while processing your request (injected batch fault).",
                                   "server_error")}})
                continue
            reply = self._chat(json.dumps(body).encode(), authorization)
            if reply.action == "reset":
                reply = _Reply(500, _error("The connection was reset (injected fault).", "server_error"))
            if reply.status == 200:
                ok += 1
            else:
                failed += 1
            outputs.append({"id": rid, "custom_id": custom_id, "error": None, "response": {
                "status_code": reply.status, "request_id": reply.headers.get("x-request-id", f"req_{rid}"),
                "body": reply.body}})
        out_id = err_id = None
        if outputs:
            out_id = self._store_file(f"{batch_id}_output.jsonl", "batch_output",
                                      "".join(json.dumps(o) + "\n" for o in outputs).encode())["id"]
        if errors:
            err_id = self._store_file(f"{batch_id}_error.jsonl", "batch_output",
                                      "".join(json.dumps(e) + "\n" for e in errors).encode())["id"]
        with self._batch_lock:
            obj.update(status=status, output_file_id=out_id, error_file_id=err_id, finalizing_at=now,
                       request_counts={"total": len(lines), "completed": ok, "failed": failed})
            obj["in_progress_at"] = obj["in_progress_at"] or now
            obj[{"completed": "completed_at", "expired": "expired_at", "cancelled": "cancelled_at"}[status]] = now


def _parse_multipart(content_type: str, body: bytes) -> dict[str, tuple[str | None, bytes]]:
    """``{field name: (filename, bytes)}`` of a multipart/form-data body (standard library ``email``)."""
    from email import policy
    from email.parser import BytesParser

    if not content_type.lower().startswith("multipart/form-data"):
        raise ValueError(f"expected multipart/form-data, got {content_type or 'no Content-Type'!r}")
    msg = BytesParser(policy=policy.HTTP).parsebytes(
        b"MIME-Version: 1.0\r\nContent-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body)
    if not msg.is_multipart():
        raise ValueError("not a multipart body")
    fields: dict[str, tuple[str | None, bytes]] = {}
    for part in msg.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if name:
            fields[str(name)] = (part.get_filename(), part.get_payload(decode=True) or b"")
    return fields


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
