"""The local practice web page: ``grader serve`` (Starlette + the package's Jinja templates).

Pages:
  ``/``                  question list (``?section=``), the candidate's best score per question
  ``/q/{id}``            the question (never the hint) and an answer box; ``POST`` starts grading
  ``/random``            a random question (``?section=``, ``?last=`` is never picked again)
  ``/attempt/{job}``     progress page while grading (refreshes itself), then the result
  ``/attempt/{n}``       a saved attempt: score, band, criterion levels, evidence highlighted in the
                         answer, strengths, gaps and next steps, flags
  ``/history``           scores over time (inline SVG, no script) and a per-question table
  ``/api/jobs/{job}``    JSON status of a grading job

Grading never blocks the server: every grade runs on one dedicated event loop in a worker thread
(:class:`grader.web.worker.GradingWorker`), so the embedded grader's CPU work and an LLM client's connections live
there, and the server only awaits a future. All candidate text is escaped (Jinja autoescape; the
highlighted answer is built segment by segment in :mod:`grader.web.render`). No script, no CDN:
the pages work with no network, under a strict Content-Security-Policy.

Forged requests: every state-changing request (``POST /q/{id}``) must come from this site and
carry the session's token (:mod:`grader.web.security`, with the security headers and the size-capped
form reader); anything else gets a 403 page and grades nothing.

No answer is lost (:mod:`grader.web.jobs`, the grading jobs): a job keeps the answer it grades; when
grading fails, the question page shows the answer again (also when the browser goes "Back" to it); a
job still running when the server stops gets ``shutdown_grace`` seconds to finish, and is then saved
in the history as an unscored, interrupted attempt with its answer ("Try again" puts it back in the box).

This module assembles the app (:func:`create_app`: routes, middleware, error pages, the lifespan that
stops the jobs); the pages themselves are :mod:`grader.web.pages`. The names that moved to
``pages``, ``security`` and ``jobs`` are re-exported here, so every import path keeps working.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from grader.settings import Settings

# `X as X`: re-exported from the modules they moved to (grader.web.app.X keeps working)
from grader.web.jobs import MAX_JOBS as MAX_JOBS
from grader.web.jobs import SHUTDOWN_GRACE_S
from grader.web.pages import BODY_TIMEOUT_S as BODY_TIMEOUT_S
from grader.web.pages import TEMPLATES_DIR, _Web
from grader.web.pages import _as_id as _as_id
from grader.web.security import CSP, _App
from grader.web.security import CSP_WITH_SCRIPT as CSP_WITH_SCRIPT
from grader.web.security import CSRF_COOKIE as CSRF_COOKIE
from grader.web.security import CSRF_FIELD as CSRF_FIELD
from grader.web.security import _SecurityHeaders as _SecurityHeaders

if TYPE_CHECKING:  # imported where used: create_app builds them only when not given
    from grader.grading import Grader
    from grader.review import ReviewSession
    from grader.store import Store

__all__ = ["create_app", "CSP", "TEMPLATES_DIR"]

log = logging.getLogger(__name__)


def _results_routes(web: _Web, review: ReviewSession) -> list[Route]:
    from grader.web.results import ResultsViewer

    return ResultsViewer(web, review).routes()


def create_app(
    settings: Settings | None = None,
    *,
    grader: Grader | None = None,
    store: Store | None = None,
    rng: random.Random | None = None,
    allowed_hosts: list[str] | None = None,
    user: str = "me",
    shutdown_grace: float = SHUTDOWN_GRACE_S,
    review: ReviewSession | None = None,
) -> Starlette:
    """The practice web app. ``grader`` defaults to ``Grader(settings)`` (the result cache uses the
    store when ``settings.use_cache``); ``store`` defaults to the settings' SQLite file, where the
    attempts are always saved. ``allowed_hosts`` restricts the ``Host`` header (``grader serve``
    passes the loopback names when bound to loopback, against DNS rebinding). ``review`` adds the
    results viewer and review pages (:mod:`grader.web.results`)."""
    settings = settings or Settings()
    owns_store = store is None
    if store is None:
        from grader.store import Store

        store = Store(settings.store_path)
    if grader is None:
        from grader.grading import Grader

        grader = Grader(settings, store=store if settings.use_cache else None)
    web = _Web(settings, grader, store, rng or random.Random(), user, shutdown_grace)
    web.templates.env.globals["results_viewer"] = review is not None  # the header links to /results

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await web.shutdown()
            await asyncio.to_thread(web.worker.close)
            if owns_store:
                store.close()

    routes = [
        Route("/", web.index, name="index"),
        Route("/random", web.random_question, name="random"),
        Route("/q/{qid}", web.question, methods=["GET", "POST"], name="question"),
        Route("/attempt/{key}", web.attempt, name="attempt"),
        Route("/history", web.history, name="history"),
        Route("/api/jobs/{job}", web.job_status, name="job"),
        *(_results_routes(web, review) if review is not None else []),
        Mount("/static", app=StaticFiles(directory=str(TEMPLATES_DIR / "static")), name="static"),
    ]
    from starlette.middleware import Middleware

    middleware: list[Middleware] = []  # the security headers wrap everything: see _App
    if allowed_hosts:
        from starlette.middleware.trustedhost import TrustedHostMiddleware

        middleware.append(Middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts))

    async def http_error(request: Request, exc: Exception) -> Response:
        status = getattr(exc, "status_code", 500)
        title = {404: "Not found", 405: "Method not allowed"}.get(status, "Error")
        return web.error_page(request, status, title, str(getattr(exc, "detail", "")) or title)

    async def server_error(request: Request, exc: Exception) -> Response:
        log.error("error serving %s", request.url.path, exc_info=exc)
        return web.error_page(request, 500, "Server error", "Something went wrong on this page (a bug); it was logged.")

    from starlette.exceptions import HTTPException

    app = _App(
        routes=routes,
        middleware=middleware,
        lifespan=lifespan,
        exception_handlers={HTTPException: http_error, 500: server_error},
    )
    app.state.web = web
    return app
