"""``grader serve``: the local practice web page (see :mod:`grader.web`), run with uvicorn."""

from __future__ import annotations

import ipaddress
from typing import Annotated

import typer

from grader.cli.common import BackendOpt, BaseUrlOpt, ModelOpt, NoCacheOpt, RubricsOpt, echo, grading_settings

__all__ = ["register", "serve", "is_loopback"]

LOOPBACK_NAMES = ["127.0.0.1", "localhost", "::1", "[::1]"]


def is_loopback(host: str) -> bool:
    """Whether ``host`` is a loopback name or address (then only this machine can reach the page)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def serve(
    host: Annotated[str, typer.Option("--host", help="Address to bind (loopback by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", "-p", help="Port to listen on.", min=0, max=65535)] = 8000,
    model: ModelOpt = None,
    base_url: BaseUrlOpt = None,
    backend: BackendOpt = None,
    rubrics: RubricsOpt = None,
    no_cache: NoCacheOpt = False,
) -> None:
    """Serve the practice web page: questions, answer box, graded feedback, history."""
    from grader.web.app import create_app
    from grader.web.server import bind, make_server

    settings = grading_settings(model=model, base_url=base_url, backend=backend, rubrics=rubrics, no_cache=no_cache)
    loopback = is_loopback(host)
    allowed = LOOPBACK_NAMES + ([host] if host not in LOOPBACK_NAMES else []) if loopback else None
    if not loopback:
        echo(
            f"warning: serving on {host}: anyone who can reach this address can read the history and submit answers",
            err=True,
            style="bold yellow",
            highlight=True,
        )
    sock = bind(host, port)  # before anything is printed: a busy port is one clear error (exit 2)
    try:
        port = sock.getsockname()[1]  # --port 0: the port the system picked
        app = create_app(settings, allowed_hosts=allowed)
        web = app.state.web
        shown = f"[{host}]" if ":" in host else host
        echo(
            f"practice page: http://{shown}:{port}/  ·  {web._backend_label()}  ·  store {settings.store_path}",
            err=True,
        )
        make_server(app, host, port).run(sockets=[sock])
    finally:
        sock.close()


def register(app: typer.Typer) -> None:
    """Add ``serve`` to the ``grader`` app."""
    app.command("serve")(serve)
