"""The practice pages of ``grader serve``: the question list, a question and its answer box, a random
question, the progress page, a saved attempt, the history, and the JSON status of a grading job.

Part of the web app: :mod:`grader.web.app` assembles these pages with the results viewer
(:mod:`grader.web.results`), the static files and the middleware into the Starlette app and
re-exports the names defined here. :class:`_Web` also gives the results viewer what every page
needs: the templates (Jinja, autoescaped), the session token on each page
(:mod:`grader.web.security`), error pages, and the size-capped form reader. Grading itself is
:mod:`grader.web.jobs`.
"""

from __future__ import annotations

import asyncio
import random
import secrets
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.templating import Jinja2Templates

from grader.errors import GraderError, QuestionProblemError, UnknownQuestionError
from grader.practice import best_by_question, choose_question, evidence_spans, summarize
from grader.result import EMBEDDED_LIMITS, GradeResult
from grader.rubric.model import Rubric
from grader.settings import Settings
from grader.web.jobs import SHUTDOWN_GRACE_S, GradingJobs
from grader.web.render import highlight_answer, history_charts
from grader.web.security import CSP, CSRF_COOKIE, CSRF_FIELD, SessionTokens, read_form

if TYPE_CHECKING:
    from grader.grading import Grader
    from grader.store import Store

__all__ = ["TEMPLATES_DIR", "BODY_TIMEOUT_S"]

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
#: Seconds a client has to send a request body once its head has arrived (slow uploads are cut off).
BODY_TIMEOUT_S = 30.0
#: Attempt numbers are SQLite integers; anything longer is not an attempt (404, not an overflow).
_MAX_ID_DIGITS = 18


def _as_id(text: str) -> int | None:
    """``text`` as a positive attempt number, or None (non-ASCII digits and huge numbers included)."""
    if text.isascii() and text.isdigit() and len(text) <= _MAX_ID_DIGITS:
        return int(text)
    return None


class _Web:
    """The pages of one server run: settings, grader, store and user, the templates, the session
    tokens and the grading jobs (``jobs`` and ``worker`` are those of :attr:`grading`)."""

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
        self.tokens = SessionTokens()  # a new key per server run: old forms need a reload
        self.bank = grader.bank
        self.grading = GradingJobs(settings, grader, store, user, shutdown_grace)
        self.worker, self.jobs = self.grading.worker, self.grading.jobs
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

    def forgery(self, request: Request, fields: dict[str, str]) -> str | None:
        """Why this state-changing request is refused, or None if it comes from this site's own form."""
        return self.tokens.forgery(request, fields)

    def page(self, request: Request, name: str, status: int = 200, **context: Any) -> Response:
        session = self.tokens.session_of(request)
        new_session = session is None
        if session is None:
            session = secrets.token_urlsafe(32)
        context.setdefault("csrf_field", CSRF_FIELD)
        context.setdefault("csrf_token", self.tokens.token_for(session))
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
            job = self.grading.last_for(rubric.id)
            if job is not None and job.status == "error":
                answer = job.answer
                error = f"Your last answer could not be graded ({job.error}). It is back in the box: submit it again."
        return self._question_page(request, rubric, answer, error=error)

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
        return await read_form(request, cap)

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
        job = self.grading.start(rubric, answer)
        return RedirectResponse(f"/attempt/{job.id}", status_code=303)

    async def shutdown(self) -> None:
        """Let running jobs finish (``shutdown_grace`` seconds), then stop the rest as interrupted."""
        await self.grading.shutdown()

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
