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

Forged requests: every state-changing request (``POST /q/{id}``) must come from this site (its
``Origin``, or failing that its ``Referer``, names the host and port the browser used to reach the
page) and carry the session's token: a random session id in an HttpOnly, SameSite=Strict cookie,
and in a hidden form field the HMAC of that id under a key made when the server starts (compared in
constant time). Anything else gets a 403 page and grades nothing.

No answer is lost: a job keeps the answer it grades; when grading fails, the question page shows
the answer again (also when the browser goes "Back" to it); a job still running when the server
stops gets ``shutdown_grace`` seconds to finish, and is then saved in the history as an unscored,
interrupted attempt with its answer ("Try again" puts it back in the box).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import random
import secrets
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

import jinja2
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from grader.errors import GraderError, QuestionProblemError, UnknownQuestionError
from grader.practice import best_by_question, choose_question, evidence_spans, summarize
from grader.result import EMBEDDED_LIMITS, Flag, GradeResult
from grader.rubric.model import Rubric
from grader.settings import Settings
from grader.text import redact
from grader.web.render import highlight_answer, history_charts
from grader.web.worker import GradingWorker, Job

if TYPE_CHECKING:  # imported where used: create_app builds them only when not given
    from grader.grading import Grader
    from grader.review import ReviewSession
    from grader.store import Store

__all__ = ["create_app", "CSP", "TEMPLATES_DIR"]

log = logging.getLogger(__name__)

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
#: The results viewer's pages (``/results…``) also load this site's own script (keyboard shortcuts).
CSP_WITH_SCRIPT = CSP.replace("default-src 'none';", "default-src 'none'; script-src 'self';")
MAX_JOBS = 500
#: Seconds a client has to send a request body once its head has arrived (slow uploads are cut off).
BODY_TIMEOUT_S = 30.0
#: Seconds running grading jobs get to finish when the server stops; the rest are saved as interrupted.
SHUTDOWN_GRACE_S = 20.0
CSRF_COOKIE = "grader_session"
CSRF_FIELD = "csrf_token"
#: Attempt numbers are SQLite integers; anything longer is not an attempt (404, not an overflow).
_MAX_ID_DIGITS = 18


def _as_id(text: str) -> int | None:
    """``text`` as a positive attempt number, or None (non-ASCII digits and huge numbers included)."""
    if text.isascii() and text.isdigit() and len(text) <= _MAX_ID_DIGITS:
        return int(text)
    return None


# -- the app --------------------------------------------------------------------------------------


class _SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                path = scope.get("path", "")
                csp = CSP_WITH_SCRIPT if path == "/results" or path.startswith("/results/") else CSP
                headers += [
                    (b"content-security-policy", csp.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    # same-origin, not no-referrer: with no-referrer a browser sends "Origin: null" on the
                    # page's own form posts, which the forgery check must refuse; other sites still get nothing
                    (b"referrer-policy", b"same-origin"),
                    (b"x-frame-options", b"DENY"),
                ]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class _App(Starlette):
    """Starlette with the security headers outside everything, so that the 500 page of
    ``ServerErrorMiddleware`` and the 400 of the Host check carry them too."""

    def build_middleware_stack(self) -> ASGIApp:
        return _SecurityHeaders(super().build_middleware_stack())


class _Web:
    def __init__(
        self,
        settings: Settings,
        grader: Grader,
        store: Store,
        rng: random.Random,
        user: str,
        shutdown_grace: float = SHUTDOWN_GRACE_S,
    ) -> None:
        self.settings, self.grader, self.store, self.rng, self.user = settings, grader, store, rng, user
        self.shutdown_grace = shutdown_grace
        self._csrf_key = secrets.token_bytes(32)  # a new key per server run: old forms need a reload
        self.bank = grader.bank
        self.worker = GradingWorker(grader)
        self.jobs: dict[str, Job] = {}
        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        env.filters["pct"] = lambda p: "–" if p is None else f"{p:.0f} %"
        env.filters["num"] = lambda v: "–" if v is None else f"{v:g}"
        env.globals.update(
            csp=CSP,
            backend_label=self._backend_label(),
            max_chars=settings.max_answer_chars,
            limits_note=EMBEDDED_LIMITS if self.grader.backend.name == "local" else "",
        )
        self.templates = Jinja2Templates(env=env)

    def _backend_label(self) -> str:
        b = self.grader.backend
        return "embedded grader (offline, no LLM)" if b.name == "local" else f"LLM judge · {b.model}"

    # -- the session token against forged requests ------------------------------------------------

    def _token_for(self, session: str) -> str:
        return hmac.new(self._csrf_key, session.encode(), hashlib.sha256).hexdigest()

    @staticmethod
    def _session_of(request: Request) -> str | None:
        session = request.cookies.get(CSRF_COOKIE, "")
        return session if 20 <= len(session) <= 100 and session.isascii() else None

    def forgery(self, request: Request, fields: dict[str, str]) -> str | None:
        """Why this state-changing request is refused, or None if it comes from this site's own form."""
        host = request.headers.get("host", "")
        origin = request.headers.get("origin")
        if origin is not None:
            source, what = origin, "Origin"
        else:
            source, what = request.headers.get("referer", ""), "Referer"
            if not source:
                return "the request names no Origin or Referer, so it cannot be told apart from a forged one"
        parts = urlsplit(source if source != "null" else "")
        if not host or parts.scheme != request.url.scheme or parts.netloc != host:
            return f"the request comes from another site ({what}: {source[:100]!r})"
        session, token = self._session_of(request), fields.get(CSRF_FIELD, "")
        if session is None or not hmac.compare_digest(token.encode(), self._token_for(session).encode()):
            return "the form's session token is missing or out of date (the server may have restarted)"
        return None

    def page(self, request: Request, name: str, status: int = 200, **context: Any) -> Response:
        session = self._session_of(request)
        new_session = session is None
        if session is None:
            session = secrets.token_urlsafe(32)
        context.setdefault("csrf_field", CSRF_FIELD)
        context.setdefault("csrf_token", self._token_for(session))
        response = self.templates.TemplateResponse(request, name, context, status_code=status)
        if new_session:
            response.set_cookie(CSRF_COOKIE, session, httponly=True, samesite="strict", path="/")
        return response

    def error_page(self, request: Request, status: int, title: str, message: str) -> Response:
        return self.page(request, "error.html", status, title=title, message=message)

    def not_found(self, request: Request, message: str) -> Response:
        return self.error_page(request, 404, "Not found", message)

    def rubric_or_none(self, qid: str) -> Rubric | None:
        try:
            return self.bank.get(qid)
        except (UnknownQuestionError, QuestionProblemError):  # a page for it would be a 404, not a 500
            return None

    # -- pages ---------------------------------------------------------------------------------

    async def index(self, request: Request) -> Response:
        section = request.query_params.get("section") or None
        questions = self.bank.filter(section)
        best = best_by_question(self.store.attempts(user=self.user))
        rows = [
            {"rubric": r, "best": best.get(r.id, (None, 0))[0], "attempts": best.get(r.id, (None, 0))[1]}
            for r in questions
        ]
        status = 200 if questions or not section else 404
        return self.page(
            request,
            "list.html",
            status,
            rows=rows,
            sections=self.bank.sections(),
            section=section,
            attempted=sum(1 for r in rows if r["attempts"]),
        )

    async def random_question(self, request: Request) -> Response:
        section = request.query_params.get("section") or None
        try:
            rubric = choose_question(self.bank, section=section, last=request.query_params.get("last"), rng=self.rng)
        except GraderError as e:
            return self.not_found(request, e.one_line())
        return RedirectResponse(f"/q/{rubric.id}", status_code=303)

    async def question(self, request: Request) -> Response:
        rubric = self.rubric_or_none(request.path_params["qid"])
        if rubric is None:
            return self.not_found(request, "No question has this id.")
        if rubric.id != request.path_params["qid"]:
            return RedirectResponse(f"/q/{rubric.id}", status_code=307 if request.method == "POST" else 303)
        if request.method == "POST":
            return await self.submit(request, rubric)
        answer, error = "", ""
        from_id = _as_id(request.query_params.get("from", ""))
        if from_id is not None:
            row = self.store.get_attempt(from_id, user=self.user)
            if row and row["question_id"] == rubric.id:
                answer = row["answer"]
        else:  # the last answer to this question that could not be graded comes back (also on "Back")
            job = self._last_job(rubric.id)
            if job is not None and job.status == "error":
                answer = job.answer
                error = f"Your last answer could not be graded ({job.error}). It is back in the box: submit it again."
        return self._question_page(request, rubric, answer, error=error)

    def _last_job(self, qid: str) -> Job | None:
        return next((j for j in reversed(self.jobs.values()) if j.rubric.id == qid), None)

    def _question_page(
        self, request: Request, rubric: Rubric, answer: str, error: str = "", status: int = 200
    ) -> Response:
        attempts = [a for a in self.store.attempts(user=self.user, question_id=rubric.id)]
        return self.page(
            request,
            "question.html",
            status,
            rubric=rubric,
            answer=answer,
            error=error,
            attempts=list(reversed(attempts)),
        )

    async def _read_form(self, request: Request) -> dict[str, str] | None:
        """The fields of a form post (first value of each), or None if the body is over the size cap."""
        cap = self.settings.max_answer_chars * 12 + 65536  # worst case of percent-encoded UTF-8, plus slack
        length = request.headers.get("content-length", "")
        if length.isascii() and length.isdigit() and int(length) > cap:
            return None
        ctype = request.headers.get("content-type", "")
        if ctype.startswith("multipart/form-data"):
            form = await request.form(max_files=0, max_fields=20, max_part_size=cap)
            return {k: v for k, v in form.multi_items()[::-1] if isinstance(v, str)}
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > cap:
                return None
        return dict(parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True)[::-1])

    async def submit(self, request: Request, rubric: Rubric) -> Response:
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype not in ("application/x-www-form-urlencoded", "multipart/form-data"):
            return self.error_page(
                request, 403, "Forbidden", "Answers can only be submitted with the form on the question page."
            )
        limit = self.settings.max_answer_chars
        try:
            async with asyncio.timeout(BODY_TIMEOUT_S):
                fields = await self._read_form(request)
        except TimeoutError:
            return self.error_page(
                request, 408, "Request timeout", "The answer took too long to arrive; nothing was graded."
            )
        if fields is not None and (why := self.forgery(request, fields)):
            return self.error_page(
                request,
                403,
                "Forbidden",
                f"This answer was not accepted: {why}. Reload the question page and submit it from there.",
            )
        answer = None if fields is None else fields.get("answer", "")
        if answer is None:
            return self._question_page(
                request,
                rubric,
                "",
                status=413,
                error=(f"Your answer is far over the limit of {limit:,} characters; nothing was graded."),
            )
        answer = answer.replace("\r\n", "\n").replace("\r", "\n")
        if len(answer) > limit:
            return self._question_page(
                request,
                rubric,
                answer,
                status=413,
                error=(
                    f"Your answer is {len(answer):,} characters, over the limit of {limit:,}. "
                    "Shorten it and submit again; nothing was graded."
                ),
            )
        if not answer.strip():
            return self._question_page(
                request, rubric, answer, status=422, error="Write an answer first; nothing was graded."
            )
        job = Job(id="j" + secrets.token_hex(8), rubric=rubric, created=time.monotonic(), answer=answer)
        self._prune_jobs()
        self.jobs[job.id] = job
        job.task = asyncio.create_task(self._run(job, answer))
        return RedirectResponse(f"/attempt/{job.id}", status_code=303)

    async def _run(self, job: Job, answer: str) -> None:
        def started() -> None:
            job.status = "grading"

        try:
            result = await self.worker.grade(job.rubric, answer, on_start=started)
            job.attempt_id = self.store.add_attempt(result, answer, section=job.rubric.section, user=self.user)
            job.status = "done"
        except asyncio.CancelledError:  # the server is stopping: keep the attempt, marked interrupted
            self._save_interrupted(job)
            raise
        except GraderError as e:
            job.error, job.status = redact(e.one_line(), self._secret()), "error"
        except Exception as e:  # a bug: keep the server up, show it on the page
            log.exception("grading job %s failed", job.id)
            job.error, job.status = redact(f"internal error: {type(e).__name__}: {e}", self._secret()), "error"

    def _secret(self) -> str | None:
        return self.settings.api_key.get_secret_value() if self.settings.api_key else None

    def _save_interrupted(self, job: Job) -> None:
        reason = "interrupted: the server stopped before this answer was graded; choose Try again to grade it"
        try:
            result = GradeResult.model_validate(
                {
                    "question_id": job.rubric.id,
                    "rubric_hash": job.rubric.hash,
                    "prompt_version": self.grader.prompt_version,
                    "backend": self.grader.backend.name,
                    "model": self.grader.backend.model,
                    "status": "unscored",
                    "score": None,
                    "max_score": job.rubric.max_score,
                    "percent": None,
                    "band": None,
                    "flags": [Flag(code="interrupted", detail="the server stopped while grading")],
                    "unscored_reason": reason,
                    "answer_sha256": hashlib.sha256(job.answer.encode()).hexdigest(),
                }
            )
            job.attempt_id = self.store.add_attempt(result, job.answer, section=job.rubric.section, user=self.user)
            job.status, job.error = "error", reason
        except Exception:  # saving failed: the answer must still not vanish, so it goes to the log
            log.exception("could not save interrupted job %s; its answer was: %r", job.id, job.answer)

    async def shutdown(self) -> None:
        """Let running jobs finish (``shutdown_grace`` seconds), then stop the rest as interrupted."""
        running = [j.task for j in self.jobs.values() if j.task is not None and not j.task.done()]
        if running:
            log.warning("waiting up to %g s for %d grading job(s) to finish", self.shutdown_grace, len(running))
            _done, pending = await asyncio.wait(running, timeout=self.shutdown_grace)
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.gather(*pending, return_exceptions=True)

    def _prune_jobs(self) -> None:
        if len(self.jobs) < MAX_JOBS:
            return
        for jid in [j.id for j in self.jobs.values() if j.status in ("done", "error")][: MAX_JOBS // 2]:
            del self.jobs[jid]

    async def job_status(self, request: Request) -> Response:
        job = self.jobs.get(request.path_params["job"])
        if job is None:
            return JSONResponse({"error": "no such job"}, status_code=404)
        return JSONResponse(job.as_dict())

    async def attempt(self, request: Request) -> Response:
        key = request.path_params["key"]
        if key.startswith("j"):
            job = self.jobs.get(key)
            if job is None:
                return self.not_found(request, "This grading job is unknown (the server may have restarted).")
            if job.status == "done":
                return RedirectResponse(f"/attempt/{job.attempt_id}", status_code=303)
            return self.page(
                request,
                "progress.html",
                500 if job.status == "error" else 200,
                job=job,
                elapsed=round(time.monotonic() - job.created),
            )
        attempt_id = _as_id(key)
        row = self.store.get_attempt(attempt_id, user=self.user) if attempt_id is not None else None
        if row is None:
            return self.not_found(request, "No saved attempt has this number.")
        result = GradeResult.model_validate_json(row["result_json"])
        rubric = self.rubric_or_none(row["question_id"])
        numbers = {c.id: i for i, c in enumerate(result.criteria, 1)}
        answer_html = highlight_answer(row["answer"], evidence_spans(result, row["answer"]), numbers)
        previous = [
            a for a in self.store.attempts(user=self.user, question_id=row["question_id"]) if a["id"] != row["id"]
        ]
        best = max((a["percent"] for a in previous if a["percent"] is not None), default=None)
        return self.page(
            request,
            "result.html",
            result=result,
            rubric=rubric,
            row=row,
            answer_html=answer_html,
            numbers=numbers,
            previous_best=best,
            attempt_no=1 + sum(a["id"] < row["id"] for a in previous),
        )

    async def history(self, request: Request) -> Response:
        section = request.query_params.get("section") or None
        hist = summarize(self.store.attempts(user=self.user), section=section, order=self.bank.ids)
        questions = {r.id: r for r in self.bank}
        return self.page(
            request,
            "history.html",
            hist=hist,
            charts=history_charts(hist.timeline),
            section=section,
            sections=self.bank.sections(),
            questions=questions,
        )


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
