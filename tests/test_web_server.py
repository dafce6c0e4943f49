"""``grader serve`` as a real server: the port bound first, slow clients timed out, limits (issue 14)."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from grader.grading import Grader
from grader.settings import Settings
from grader.store import Store
from grader.web.app import create_app
from grader.web.server import Limits, bind, make_server


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "GRADER_BACKEND", "GRADER_STORE", "GRADER_CACHE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("GRADER_CONFIG", str(tmp_path / "no-config.toml"))
    monkeypatch.setenv("GRADER_STORE", str(tmp_path / "store.sqlite3"))


def test_busy_port_is_exit_2_before_any_url(cli):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        r = cli("serve", "--port", port, "--backend", "local")
    assert r.code == 2, r.output
    assert f"port {port} is in use" in r.err and "practice page" not in r.output
    assert "Traceback" not in r.output and len(r.err.strip().splitlines()) == 1


def _running(tmp_path, fake_judge, limits):
    settings = Settings(store=tmp_path / "s.sqlite3", backend="local")
    store = Store(settings.store_path)
    app = create_app(settings, grader=Grader(settings, backend=fake_judge(), store=store), store=store)
    sock = bind("127.0.0.1", 0)
    port = sock.getsockname()[1]
    server = make_server(app, "127.0.0.1", port, limits)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        assert thread.is_alive(), "the server did not start"
        time.sleep(0.01)
    return server, thread, store, sock, port


def _closed_by_server(conn: socket.socket) -> bool:
    """Whether the server closes ``conn`` (a read returns EOF or a reset) within the socket's timeout."""
    try:
        while True:
            data = conn.recv(4096)
            if not data:
                return True
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


def test_a_silent_or_slow_request_head_is_timed_out(tmp_path, fake_judge):
    server, thread, store, sock, port = _running(tmp_path, fake_judge, Limits(header_timeout=0.3))
    try:
        silent = socket.create_connection(("127.0.0.1", port))
        slow = socket.create_connection(("127.0.0.1", port))
        slow.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # the head never ends
        for conn in (silent, slow):
            conn.settimeout(20)  # generous: the server must close it long before this
            assert _closed_by_server(conn)
            conn.close()
        # a normal request still works, and a kept-alive connection serves a second request
        with socket.create_connection(("127.0.0.1", port), timeout=20) as ok:
            ok.sendall(b"GET /history HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            assert ok.recv(4096).startswith(b"HTTP/1.1 200")
    finally:
        server.should_exit = True
        thread.join(timeout=20)
        sock.close()
        store.close()


def test_an_oversized_request_head_is_refused(tmp_path, fake_judge):
    server, thread, store, sock, port = _running(tmp_path, fake_judge, Limits(max_head_bytes=4096))
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=20) as conn:
            # a head that grows past the cap before it ends is refused without waiting for its end
            conn.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * 8192)
            assert conn.recv(4096).startswith(b"HTTP/1.1 400")
    finally:
        server.should_exit = True
        thread.join(timeout=20)
        sock.close()
        store.close()


def test_server_limits_are_configured():
    from grader.web.app import create_app as _create  # noqa: F401  (the app module imports cleanly)

    server = make_server(object(), "127.0.0.1", 8000)
    cfg = server.config
    assert cfg.limit_concurrency and cfg.limit_concurrency <= 128
    assert cfg.timeout_keep_alive <= 10
    assert cfg.h11_max_incomplete_event_size and cfg.h11_max_incomplete_event_size <= 64 * 1024
    assert cfg.http.header_timeout <= 30  # type: ignore[union-attr]
