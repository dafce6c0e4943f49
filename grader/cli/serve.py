"""``grader serve``: the local practice web page (see :mod:`grader.web`), run with uvicorn."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Annotated

import typer

from grader.cli.common import BackendOpt, BaseUrlOpt, ModelOpt, NoCacheOpt, RubricsOpt, echo, grading_settings
from grader.errors import InputError

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
    results: Annotated[
        Path | None,
        typer.Option("--results", help="Also serve a results viewer and review of this `grader batch` output."),
    ] = None,
    answers: Annotated[
        Path | None,
        typer.Option("--answers", help="With --results: the batch input (CSV/JSONL), to show each full answer."),
    ] = None,
    reviewer: Annotated[
        str, typer.Option("--reviewer", help="With --results: your name, kept with each decision.")
    ] = "",
) -> None:
    """Serve the practice web page (questions, answer box, feedback, history); with --results, the results viewer."""
    from grader.web.app import create_app
    from grader.web.server import bind, make_server

    settings = grading_settings(model=model, base_url=base_url, backend=backend, rubrics=rubrics, no_cache=no_cache)
    if answers is not None and results is None:
        raise InputError("--answers needs --results", hint="give the results file to review with --results")
    session = None
    if results is not None:  # read before binding: a bad file is one clear error (exit 2)
        from grader.review import ReviewSession, load_results_file, read_answers
        from grader.store import Store

        texts = read_answers(answers) if answers is not None else None
        session = ReviewSession(Store(settings.store_path), load_results_file(results, texts), reviewer=reviewer)
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
        app = create_app(settings, allowed_hosts=allowed, review=session)
        web = app.state.web
        shown = f"[{host}]" if ":" in host else host
        echo(
            f"practice page: http://{shown}:{port}/  ·  {web._backend_label()}  ·  store {settings.store_path}",
            err=True,
        )
        if session is not None:
            echo(f"results viewer: http://{shown}:{port}/results  ·  {results}", err=True)
        make_server(app, host, port).run(sockets=[sock])
    finally:
        sock.close()
        if session is not None:
            session.store.close()


def register(app: typer.Typer) -> None:
    """Add ``serve`` to the ``grader`` app."""
    app.command("serve")(serve)
