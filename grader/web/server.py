"""Running the practice app under uvicorn with limits: the port bound first, slow clients timed out.

- :func:`bind` binds the listening socket before anything is printed, so a busy port is one clear
  error (exit 2, "port N is in use") instead of a URL that never answers.
- :func:`make_server` configures uvicorn with a keep-alive timeout, a cap on the size of an
  incomplete request head, a connection limit (503 beyond it), and :class:`_TimedH11Protocol`, which
  closes a connection whose request head has not fully arrived within ``header_timeout`` seconds
  (uvicorn has no such timeout: a client that opens a socket and sends nothing, or a header a byte at
  a time, would hold it forever). The request body has its own timeout in the app
  (:data:`grader.web.app.BODY_TIMEOUT_S`).
"""

from __future__ import annotations

import asyncio
import errno
import socket
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from grader.errors import ConfigError

__all__ = ["bind", "make_server", "Limits"]


class Limits:
    """The server's limits (seconds, bytes, connections); tests pass smaller ones."""

    def __init__(
        self,
        *,
        header_timeout: float = 10.0,
        keep_alive: float = 5.0,
        max_head_bytes: int = 16 * 1024,
        max_connections: int = 64,
        graceful_shutdown: float = 15.0,
    ) -> None:
        self.header_timeout = header_timeout
        self.keep_alive = keep_alive
        self.max_head_bytes = max_head_bytes
        self.max_connections = max_connections
        self.graceful_shutdown = graceful_shutdown


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port``; a busy port or a bad address is a :class:`ConfigError`."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as e:
        raise ConfigError(
            f"cannot serve on host {host!r}: {e.strerror}", setting="host", hint="pass --host with a local address"
        ) from None
    family, _type, proto, _canon, addr = infos[0]
    sock = socket.socket(family, socket.SOCK_STREAM, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does: TIME_WAIT is not "in use"
        sock.bind(addr)
        sock.listen(2048)
    except OSError as e:
        sock.close()
        if e.errno == errno.EADDRINUSE:
            raise ConfigError(
                f"port {port} is in use on {host}",
                setting="port",
                hint="stop the program using it or pass --port with another port (--port 0 picks a free one)",
            ) from None
        raise ConfigError(
            f"cannot listen on {host}:{port}: {e.strerror or e}",
            setting="port",
            hint="pass --host/--port with an address this machine can bind",
        ) from None
    sock.set_inheritable(True)
    return sock


class _TimedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, plus: the request head must arrive within ``header_timeout`` seconds."""

    header_timeout = 10.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_timer: asyncio.TimerHandle | None = None

    def _arm_head_timer(self) -> None:
        self._cancel_head_timer()
        self._head_timer = self.loop.call_later(self.header_timeout, self._head_timed_out)

    def _cancel_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_timer()
        super().connection_lost(exc)

    def handle_events(self) -> None:
        super().handle_events()
        # the head is complete once h11 has moved past waiting for it (a request is being served)
        if self._head_timer is not None and self.conn.their_state is not h11.IDLE:
            self._cancel_head_timer()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        # between requests uvicorn's keep-alive timer applies; the head timer restarts on new data
        self._cancel_head_timer()

    def data_received(self, data: bytes) -> None:
        if self._head_timer is None and self.conn.their_state is h11.IDLE:
            self._arm_head_timer()  # a new request on a kept-alive connection: its head is timed too
        super().data_received(data)


def make_server(app: Any, host: str, port: int, limits: Limits | None = None) -> uvicorn.Server:
    """A uvicorn server for ``app`` with :class:`Limits` (run it with ``server.run(sockets=[bind(...)])``)."""
    limits = limits or Limits()
    protocol = type("TimedH11Protocol", (_TimedH11Protocol,), {"header_timeout": limits.header_timeout})
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        http=protocol,
        ws="none",
        lifespan="on",
        log_level="warning",
        access_log=False,
        timeout_keep_alive=int(max(1, limits.keep_alive)),
        h11_max_incomplete_event_size=limits.max_head_bytes,
        limit_concurrency=limits.max_connections,
        timeout_graceful_shutdown=int(max(1, limits.graceful_shutdown)),
    )
    return uvicorn.Server(config)
