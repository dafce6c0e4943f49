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
"""

from __future__ import annotations

import asyncio
import contextlib
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

from grader.errors import GraderError, UnknownQuestionError
from grader.practice import best_by_question, choose_question, evidence_spans, summarize
from grader.result import EMBEDDED_LIMITS, GradeResult
from grader.rubric.model import Rubric
from grader.settings import Settings
from grader.text import redact
from grader.web.render import highlight_answer, history_chart
from grader.web.worker import GradingWorker, Job

if TYPE_CHECKING:  # imported where used: create_app builds them only when not given
    from grader.grading import Grader
    from grader.store import Store

__all__ = ["create_app", "CSP", "TEMPLATES_DIR"]

log = logging.getLogger(__name__)

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
MAX_JOBS = 500


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
                headers += [
                    (b"content-security-policy", CSP.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"x-frame-options", b"DENY"),
                ]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class _Web:
    def __init__(self, settings: Settings, grader: Grader, store: Store, rng: random.Random, user: str) -> None:
        self.settings, self.grader, self.store, self.rng, self.user = settings, grader, store, rng, user
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

    def page(self, request: Request, name: str, status: int = 200, **context: Any) -> Response:
        return self.templates.TemplateResponse(request, name, context, status_code=status)

    def not_found(self, request: Request, message: str) -> Response:
        return self.page(request, "error.html", 404, title="Not found", message=message)

    def rubric_or_none(self, qid: str) -> Rubric | None:
        try:
            return self.bank.get(qid)
        except UnknownQuestionError:
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
        answer = ""
        from_id = request.query_params.get("from", "")
        if from_id.isdigit():
            row = self.store.get_attempt(int(from_id), user=self.user)
            if row and row["question_id"] == rubric.id:
                answer = row["answer"]
        return self._question_page(request, rubric, answer)

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

    async def _read_answer(self, request: Request) -> str | None:
        """The ``answer`` field of a form post, or None if the body is over the size cap."""
        cap = self.settings.max_answer_chars * 12 + 65536  # worst case of percent-encoded UTF-8, plus slack
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > cap:
            return None
        ctype = request.headers.get("content-type", "")
        if ctype.startswith("multipart/form-data"):
            form = await request.form(max_files=0, max_fields=20, max_part_size=cap)
            value = form.get("answer", "")
            return value if isinstance(value, str) else ""
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > cap:
                return None
        fields = dict(parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True))
        return fields.get("answer", "")

    async def submit(self, request: Request, rubric: Rubric) -> Response:
        origin = request.headers.get("origin")
        if origin and origin != "null" and urlsplit(origin).netloc != request.headers.get("host"):
            return self.page(
                request, "error.html", 403, title="Forbidden", message="Answers can only be submitted from this page."
            )
        limit = self.settings.max_answer_chars
        answer = await self._read_answer(request)
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
        job = Job(id="j" + secrets.token_hex(8), rubric=rubric, created=time.monotonic())
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
        except GraderError as e:
            job.error, job.status = redact(e.one_line(), self._secret()), "error"
        except Exception as e:  # a bug: keep the server up, show it on the page
            log.exception("grading job %s failed", job.id)
            job.error, job.status = redact(f"internal error: {type(e).__name__}: {e}", self._secret()), "error"

    def _secret(self) -> str | None:
        return self.settings.api_key.get_secret_value() if self.settings.api_key else None

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
        row = self.store.get_attempt(int(key), user=self.user) if key.isdigit() else None
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
            chart=history_chart(hist.timeline),
            section=section,
            sections=self.bank.sections(),
            questions=questions,
        )


def create_app(
    settings: Settings | None = None,
    *,
    grader: Grader | None = None,
    store: Store | None = None,
    rng: random.Random | None = None,
    allowed_hosts: list[str] | None = None,
    user: str = "me",
) -> Starlette:
    """The practice web app. ``grader`` defaults to ``Grader(settings)`` (the result cache uses the
    store when ``settings.use_cache``); ``store`` defaults to the settings' SQLite file, where the
    attempts are always saved. ``allowed_hosts`` restricts the ``Host`` header (``grader serve``
    passes the loopback names when bound to loopback, against DNS rebinding)."""
    settings = settings or Settings()
    owns_store = store is None
    if store is None:
        from grader.store import Store

        store = Store(settings.store_path)
    if grader is None:
        from grader.grading import Grader

        grader = Grader(settings, store=store if settings.use_cache else None)
    web = _Web(settings, grader, store, rng or random.Random(), user)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            for job in list(web.jobs.values()):
                if job.task is not None and not job.task.done():
                    job.task.cancel()
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
        Mount("/static", app=StaticFiles(directory=str(TEMPLATES_DIR / "static")), name="static"),
    ]
    from starlette.middleware import Middleware

    middleware = [Middleware(_SecurityHeaders)]
    if allowed_hosts:
        from starlette.middleware.trustedhost import TrustedHostMiddleware

        middleware.insert(0, Middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts))
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.web = web
    return app
