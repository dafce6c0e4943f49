"""The test server itself: :class:`DevServer` (settings, lifecycle, counters) and its HTTP handler.

:class:`DevServer` is composed of two components it creates from its settings: ``chat``, a
:class:`~grader.testing.devserver._chat.ChatCompletions` (modes, faults, chat counters), and
``batch_api``, a :class:`~grader.testing.devserver._batches.FilesAndBatches` (the in-memory Files
and Batches API, which judges each batch line through ``chat``). The handler routes each request to
one of them; the server's counters read through to them.
"""

from __future__ import annotations

import collections
import contextlib
import json
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast

from grader.testing.devserver._batches import FilesAndBatches
from grader.testing.devserver._chat import ChatCompletions
from grader.testing.devserver._request import _error, _Reply

__all__ = ["DevServer"]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "grader-devserver/1"
    disable_nagle_algorithm = True
    timeout = 120  # idle keep-alive connections are closed after this many seconds

    @property
    def dev(self) -> DevServer:
        return cast(_HTTPServer, self.server).dev  # the handler only runs under _HTTPServer

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

    def log_message(self, format: str, *args: Any) -> None:
        if self.dev.verbose:
            sys.stderr.write(f"devserver: {self.address_string()} {format % args}\n")

    def _path(self) -> str:
        return self.path.split("?", 1)[0].rstrip("/") or "/"

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _send(self, reply: _Reply) -> None:
        if reply.raw is not None:
            data = reply.raw
        else:
            data = json.dumps(reply.body).encode() if reply.body is not None else b""
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
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
        """Hand the request to the Files and Batches component; False when the path is not one of its."""
        reply = self.dev.batch_api.route(
            method, self.path, self.headers.get("Authorization", ""), self.headers.get("Content-Type", ""), body
        )
        if reply is None:
            return False
        if isinstance(reply, bytes):
            self._send_bytes(reply)
        else:
            self._send(reply)
        return True

    def do_GET(self) -> None:
        if self._batch_route("GET"):
            return
        path = self._path()
        if path in ("/v1/models", "/models"):
            body = {
                "object": "list",
                "data": [{"id": f"devserver-{self.dev.mode}", "object": "model", "created": 0, "owned_by": "grader"}],
            }
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
        reply = self.dev.chat.complete(body, self.headers.get("Authorization", ""))
        if reply.delay:
            self.dev._stopping.wait(reply.delay)
        if reply.action == "reset":
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            self.connection.close()
            return
        self._send(reply)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256
    dev: DevServer


class DevServer:
    """An OpenAI-compatible chat-completions server for tests (context manager).

    The chat settings (``mode`` … ``keep_bodies``) configure :attr:`chat`, the ``batch_*`` ones
    :attr:`batch_api`; an invalid value raises :class:`ValueError`. See :mod:`grader.testing.devserver`.
    """

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
        reject_params: list[str] | tuple[str, ...] = (),
        timeout_sleep: float = 5.0,
        api_key: str | None = None,
        verbose: bool = False,
        keep_bodies: bool = False,
        batch_polls_to_complete: int = 2,
        batch_fail_rate: float = 0.0,
        batch_fail_lines: list[str | int] | tuple[str | int, ...] | set[str | int] = (),
        batch_final_status: str = "completed",
        api_faults: list[str | None] | tuple[str | None, ...] = (),
    ) -> None:
        self.chat = ChatCompletions(
            mode=mode,
            latency=latency,
            faults=faults,
            fault_rate=fault_rate,
            seed=seed,
            fault_kinds=fault_kinds,
            reject_formats=frozenset(reject_formats) | ({"json_schema"} if reject_json_schema else set()),
            reject_params=frozenset(reject_params),
            timeout_sleep=timeout_sleep,
            api_key=api_key,
            keep_bodies=keep_bodies,
        )
        self.batch_api = FilesAndBatches(
            self.chat.complete,
            self.chat.auth_error,
            polls_to_complete=batch_polls_to_complete,
            fail_rate=batch_fail_rate,
            fail_lines=batch_fail_lines,
            final_status=batch_final_status,
            seed=seed + 1,
            api_faults=api_faults,
        )
        self.port = port
        self.verbose = verbose
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._conns: set[socket.socket] = set()

    # -- what tests read -------------------------------------------------------------------------

    @property
    def mode(self) -> str:
        return self.chat.mode

    @property
    def requests(self) -> int:
        """Chat requests received (batch lines included)."""
        return self.chat.requests

    @property
    def answers(self) -> collections.Counter[str]:
        """sha256 of each answer graded → how many times."""
        return self.chat.answers

    @property
    def log(self) -> list[dict[str, Any]]:
        """One entry per chat request: fault, status, response format, model, usage …"""
        return self.chat.log

    @property
    def bodies(self) -> list[dict[str, Any]]:
        """Each chat request body (only with ``keep_bodies=True``)."""
        return self.chat.bodies

    @property
    def files(self) -> dict[str, dict[str, Any]]:
        return self.batch_api.files

    @property
    def batches(self) -> dict[str, dict[str, Any]]:
        return self.batch_api.batches

    @property
    def batch_creations(self) -> int:
        return self.batch_api.batch_creations

    @property
    def file_uploads(self) -> int:
        return self.batch_api.file_uploads

    @property
    def api_requests(self) -> int:
        """Files/Batches requests received (each may consume one of ``api_faults``)."""
        return self.batch_api.api_requests

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self) -> DevServer:
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
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> DevServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def _track(self, conn: socket.socket, add: bool) -> None:
        with self._lock:
            (self._conns.add if add else self._conns.discard)(conn)
