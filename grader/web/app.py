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
(:class:`GradingWorker`), so the embedded grader's CPU work and an LLM client's connections live
there, and the server only awaits a future. All candidate text is escaped (Jinja autoescape; the
highlighted answer is built segment by segment with :func:`markupsafe.escape`). No script, no CDN:
the pages work with no network, under a strict Content-Security-Policy.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import jinja2
from markupsafe import Markup, escape
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from grader.errors import GraderError, UnknownQuestionError
from grader.practice import Highlight, best_by_question, choose_question, evidence_spans, summarize
from grader.result import GradeResult
from grader.rubric.model import Rubric
from grader.settings import Settings

__all__ = ["create_app", "GradingWorker", "highlight_answer", "history_chart", "CSP", "TEMPLATES_DIR"]

log = logging.getLogger(__name__)

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
       "base-uri 'none'; frame-ancestors 'none'")
MAX_JOBS = 500


# -- rendering helpers (pure, tested) -------------------------------------------------------------


def highlight_answer(answer: str, spans: list[Highlight], numbers: dict[str, int] | None = None) -> Markup:
    """The answer as HTML with each span in ``<mark>``; every segment is escaped separately.

    ``spans`` must be sorted and non-overlapping (:func:`grader.practice.evidence_spans` merges them).
    ``numbers`` maps criterion ids to the numbers shown after each mark.
    """
    out: list[Markup] = []
    pos = 0
    for h in spans:
        if h.start < pos or h.end <= h.start:
            continue  # defensive: never emit overlapping or empty marks
        out.append(escape(answer[pos:h.start]))
        title = "evidence for " + ", ".join(h.criteria)
        out.append(Markup('<mark title="{}">{}</mark>').format(title, answer[h.start:h.end]))
        if numbers:
            refs = ",".join(str(numbers[c]) for c in h.criteria if c in numbers)
            if refs:
                out.append(Markup('<sup class="ref">{}</sup>').format(refs))
        pos = h.end
    out.append(escape(answer[pos:]))
    return Markup("").join(out)


def history_chart(timeline: list[dict[str, Any]], *, width: int = 720, height: int = 240) -> Markup:
    """An inline SVG line chart of percent per attempt, in order; each point links to its attempt."""
    left, right, top, bottom = 40, 12, 12, 28
    pw, ph = width - left - right, height - top - bottom
    scored = [t for t in timeline if t.get("percent") is not None]
    parts = [Markup('<svg class="chart" role="img" aria-label="scores over time" viewBox="0 0 {w} {h}" '
                    'width="{w}" height="{h}" xmlns="http://www.w3.org/2000/svg">').format(w=width, h=height)]

    def y(p: float) -> float:
        return round(top + ph * (1 - p / 100), 1)

    for p in (0, 25, 50, 75, 100):
        parts.append(Markup('<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#ddd"/>'
                            '<text x="{}" y="{}" font-size="11" text-anchor="end" fill="#666">{}%</text>')
                     .format(left, left + pw, y(p), y(p), left - 6, y(p) + 4, p))
    for p, colour in ((45, "#d9a400"), (75, "#2e8b57")):
        parts.append(Markup('<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-dasharray="4 4"/>')
                     .format(left, left + pw, y(p), y(p), colour))
    if scored:
        n = len(scored)
        xs = [round(left + (pw / 2 if n == 1 else pw * i / (n - 1)), 1) for i in range(n)]
        points = " ".join(f"{x},{y(t['percent'])}" for x, t in zip(xs, scored))
        parts.append(Markup('<polyline points="{}" fill="none" stroke="#3465a4" stroke-width="2"/>').format(points))
        for x, t in zip(xs, scored):
            pct = t["percent"]
            colour = "#2e8b57" if pct >= 75 else "#d9a400" if pct >= 45 else "#c0392b"
            label = f"{t['question_id']} · {pct:.0f} % · {t['created_at'][:16].replace('T', ' ')}"
            parts.append(Markup('<a href="/attempt/{}"><circle cx="{}" cy="{}" r="5" fill="{}">'
                                '<title>{}</title></circle></a>').format(t["id"], x, y(pct), colour, label))
        first, last = scored[0]["created_at"][:10], scored[-1]["created_at"][:10]
        parts.append(Markup('<text x="{}" y="{}" font-size="11" fill="#666">{}</text>'
                            '<text x="{}" y="{}" font-size="11" text-anchor="end" fill="#666">{}</text>')
                     .format(left, height - 8, first, left + pw, height - 8, last))
    else:
        parts.append(Markup('<text x="{}" y="{}" text-anchor="middle" fill="#666">no graded attempts yet</text>')
                     .format(left + pw / 2, top + ph / 2))
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


# -- grading off the server's event loop ------------------------------------------------------------


class GradingWorker:
    """Runs ``grader.agrade`` on a dedicated event loop in a daemon thread (started on first use)."""

    def __init__(self, grader: Any) -> None:
        self.grader = grader
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def _ensure(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                self._thread = threading.Thread(target=loop.run_forever, name="grader-web-grading", daemon=True)
                self._thread.start()
                self._loop = loop
            return self._loop

    async def grade(self, rubric: Rubric, answer: str, on_start: Any = None) -> GradeResult:
        async def run() -> GradeResult:
            if on_start:
                on_start()
            return await self.grader.agrade(rubric, answer)

        future = asyncio.run_coroutine_threadsafe(run(), self._ensure())
        return await asyncio.wrap_future(future)

    def close(self) -> None:
        with self._lock:
            loop, thread, self._loop, self._thread = self._loop, self._thread, None, None
        if loop is None:
            return
        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(self.grader.aclose(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        if thread is not None:
            thread.join(timeout=10)
        if not loop.is_running():
            loop.close()


@dataclass
class Job:
    id: str
    rubric: Rubric
    created: float
    status: str = "queued"  # queued → grading → done | error
    attempt_id: int | None = None
    error: str = ""
    task: asyncio.Task | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "question_id": self.rubric.id, "status": self.status,
                "elapsed_s": round(time.monotonic() - self.created, 1), "attempt_id": self.attempt_id,
                "result_url": f"/attempt/{self.attempt_id}" if self.attempt_id else None, "error": self.error}


# -- the app --------------------------------------------------------------------------------------


class _SecurityHeaders:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [(b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
                            (b"referrer-policy", b"no-referrer"), (b"x-frame-options", b"DENY")]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class _Web:
    def __init__(self, settings: Settings, grader: Any, store: Any, rng: random.Random, user: str) -> None:
        self.settings, self.grader, self.store, self.rng, self.user = settings, grader, store, rng, user
        self.bank = grader.bank
        self.worker = GradingWorker(grader)
        self.jobs: dict[str, Job] = {}
        env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)), autoescape=True,
                                 undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
        env.filters["pct"] = lambda p: "–" if p is None else f"{p:.0f} %"
        env.filters["num"] = lambda v: "–" if v is None else f"{v:g}"
        env.globals.update(csp=CSP, backend_label=self._backend_label(), max_chars=settings.max_answer_chars)
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
        rows = [{"rubric": r, "best": best.get(r.id, (None, 0))[0], "attempts": best.get(r.id, (None, 0))[1]}
                for r in questions]
        status = 200 if questions or not section else 404
        return self.page(request, "list.html", status, rows=rows, sections=self.bank.sections(), section=section,
                         attempted=sum(1 for r in rows if r["attempts"]))

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

    def _question_page(self, request: Request, rubric: Rubric, answer: str, error: str = "", status: int = 200):
        attempts = [a for a in self.store.attempts(user=self.user, question_id=rubric.id)]
        return self.page(request, "question.html", status, rubric=rubric, answer=answer, error=error,
                         attempts=list(reversed(attempts)))

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
            return self.page(request, "error.html", 403, title="Forbidden",
                             message="Answers can only be submitted from this page.")
        limit = self.settings.max_answer_chars
        answer = await self._read_answer(request)
        if answer is None:
            return self._question_page(request, rubric, "", status=413, error=(
                f"Your answer is far over the limit of {limit:,} characters; nothing was graded."))
        answer = answer.replace("\r\n", "\n").replace("\r", "\n")
        if len(answer) > limit:
            return self._question_page(request, rubric, answer, status=413, error=(
                f"Your answer is {len(answer):,} characters, over the limit of {limit:,}. "
                "Shorten it and submit again; nothing was graded."))
        if not answer.strip():
            return self._question_page(request, rubric, answer, status=422,
                                       error="Write an answer first; nothing was graded.")
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
            job.error, job.status = e.one_line(), "error"
        except Exception as e:  # a bug: keep the server up, show it on the page
            log.exception("grading job %s failed", job.id)
            job.error, job.status = f"internal error: {type(e).__name__}: {e}", "error"

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
            return self.page(request, "progress.html", 500 if job.status == "error" else 200, job=job,
                             elapsed=round(time.monotonic() - job.created))
        row = self.store.get_attempt(int(key), user=self.user) if key.isdigit() else None
        if row is None:
            return self.not_found(request, "No saved attempt has this number.")
        result = GradeResult.model_validate_json(row["result_json"])
        rubric = self.rubric_or_none(row["question_id"])
        numbers = {c.id: i for i, c in enumerate(result.criteria, 1)}
        answer_html = highlight_answer(row["answer"], evidence_spans(result, row["answer"]), numbers)
        previous = [a for a in self.store.attempts(user=self.user, question_id=row["question_id"]) if a["id"] != row["id"]]
        best = max((a["percent"] for a in previous if a["percent"] is not None), default=None)
        return self.page(request, "result.html", result=result, rubric=rubric, row=row, answer_html=answer_html,
                         numbers=numbers, previous_best=best, attempt_no=1 + sum(a["id"] < row["id"] for a in previous))

    async def history(self, request: Request) -> Response:
        section = request.query_params.get("section") or None
        hist = summarize(self.store.attempts(user=self.user), section=section, order=self.bank.ids)
        questions = {r.id: r for r in self.bank}
        return self.page(request, "history.html", hist=hist, chart=history_chart(hist.timeline), section=section,
                         sections=self.bank.sections(), questions=questions)


def create_app(
    settings: Settings | None = None,
    *,
    grader: Any | None = None,
    store: Any | None = None,
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
    async def lifespan(app: Starlette):
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
