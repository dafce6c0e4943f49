"""The results viewer and review of ``grader serve --results results.csv``.

Pages (all under ``/results``):
  ``/results``                 the rows: filter (band, flag, question, candidate, reviewed), search,
                               sort — query parameters, so it all works without JavaScript
  ``/results/row/{n}``         one row: the question, the full answer with its evidence highlighted,
                               the criteria, the review trail, and the forms to accept or override;
                               ``POST`` records a decision (same-origin check and session token, as
                               every state-changing request of the app)
  ``/results/matrix``          one question's criteria as a matrix across candidates (``?question=``)
  ``/results/export``          the results with the review merged (:func:`grader.review.export_reviewed`)

The decisions go to the store at once (:class:`grader.review.ReviewSession`), so stopping the
server loses none. Keyboard shortcuts come from ``/static/review.js``, the only script of the app:
these pages' Content-Security-Policy adds ``script-src 'self'`` (no inline script, nothing else).
"""

from __future__ import annotations

import asyncio
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from grader.errors import InputError
from grader.practice import evidence_spans
from grader.review import (
    LEVELS,
    SORTS,
    ReviewRow,
    ReviewSession,
    ViewFilter,
    criteria_matrix,
    export_reviewed,
    filter_rows,
)
from grader.web.render import highlight_answer

if TYPE_CHECKING:
    from grader.web.pages import _Web

#: Seconds a client has to send a decision's form (as for an answer: slow uploads are cut off).
BODY_TIMEOUT_S = 30.0

__all__ = ["ResultsViewer", "MAX_LIST_ROWS"]

#: The list shows at most this many rows (narrow the filter for the rest).
MAX_LIST_ROWS = 500
_FORM_LIMIT = 64 * 1024


def _neighbours(
    session: ReviewSession, view: ViewFilter, rows: list[ReviewRow], row: ReviewRow, position: int | None
) -> tuple[ReviewRow | None, ReviewRow | None]:
    """The previous and next rows of the list ``rows`` (``view`` applied) around ``row``. A row that
    has left the list (an override moved it to another band) keeps its place in the same order."""
    if position is not None:
        return (rows[position - 1] if position else None, rows[position + 1] if position + 1 < len(rows) else None)
    listed = {r.index for r in rows}
    everything = filter_rows(session, ViewFilter(sort=view.sort))
    at = next((i for i, r in enumerate(everything) if r.index == row.index), 0)
    before = [r for r in everything[:at] if r.index in listed]
    after = [r for r in everything[at + 1 :] if r.index in listed]
    return (before[-1] if before else None, after[0] if after else None)


class ResultsViewer:
    def __init__(self, web: _Web, session: ReviewSession) -> None:
        self.web, self.session = web, session

    def routes(self) -> list[Route]:
        return [
            Route("/results", self.index, name="results"),
            Route("/results/row/{n}", self.row, methods=["GET", "POST"], name="results_row"),
            Route("/results/matrix", self.matrix, name="results_matrix"),
            Route("/results/export", self.export, name="results_export"),
        ]

    def _page(self, request: Request, name: str, status: int = 200, **context: Any) -> Response:
        results = self.session.results
        context.setdefault("source", results.path.name)
        context.setdefault("questions", sorted({r.question_id for r in results.rows}))
        return self.web.page(request, name, status, **context)

    # -- the list ---------------------------------------------------------------------------------

    async def index(self, request: Request) -> Response:
        await asyncio.to_thread(self.session.refresh)
        view = ViewFilter.from_params(request.query_params)
        rows = filter_rows(self.session, view)
        qs = urlencode(view.params())
        flags = sorted({code for r in self.session.results.rows for code, _ in r.reasons})
        return self._page(
            request,
            "results.html",
            view=view,
            rows=[(r, self.session.merged(r), self.session.status(r)) for r in rows[:MAX_LIST_ROWS]],
            total=len(rows),
            shown_max=MAX_LIST_ROWS,
            all_rows=len(self.session.results.rows),
            flags=flags,
            sorts=SORTS,
            qs=qs,
        )

    # -- one row ------------------------------------------------------------------------------------

    def _row_or_none(self, text: str) -> ReviewRow | None:
        rows = self.session.results.rows
        if text.isascii() and text.isdigit() and len(text) < 10 and int(text) < len(rows):
            return rows[int(text)]
        return None

    async def row(self, request: Request) -> Response:
        await asyncio.to_thread(self.session.refresh)
        row = self._row_or_none(request.path_params["n"])
        if row is None:
            return self.web.not_found(request, "No row of the results has this number.")
        view = ViewFilter.from_params(request.query_params)
        if request.method == "POST":
            return await self._decide(request, row, view)
        return self._row_page(request, row, view)

    def _row_page(
        self, request: Request, row: ReviewRow, view: ViewFilter, *, error: str = "", status: int = 200
    ) -> Response:
        rows = filter_rows(self.session, view)
        position = next((i for i, r in enumerate(rows) if r.index == row.index), None)
        prev_row, next_row = _neighbours(self.session, view, rows, row, position)
        merged = self.session.merged(row)
        numbers = {c.id: i for i, c in enumerate(merged.criteria, 1)} if merged is not None else {}
        answer_html = None
        if row.answer is not None:
            spans = evidence_spans(merged, row.answer) if merged is not None else []
            answer_html = highlight_answer(row.answer, spans, numbers)
        rubric = self.web.rubric_or_none(row.question_id)
        return self._page(
            request,
            "results_row.html",
            status,
            row=row,
            result=merged,
            reviewed=self.session.status(row),
            decisions=self.session.decisions(row),
            numbers=numbers,
            graded_levels={c.id: c.awarded.value for c in row.result.criteria} if row.result is not None else {},
            answer_html=answer_html,
            question_text=rubric.question if rubric is not None else "",
            levels=LEVELS,
            qs=urlencode(view.params()),
            position=position,
            count=len(rows),
            prev_row=prev_row,
            next_row=next_row,
            error=error,
        )

    async def _decide(self, request: Request, row: ReviewRow, view: ViewFilter) -> Response:
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        length = request.headers.get("content-length", "")
        if ctype != "application/x-www-form-urlencoded" or (length.isdigit() and int(length) > _FORM_LIMIT):
            return self.web.error_page(request, 403, "Forbidden", "Decisions can only be sent with the review form.")
        try:
            async with asyncio.timeout(BODY_TIMEOUT_S):
                fields = await self.web._read_form(request) or {}
        except TimeoutError:
            return self.web.error_page(request, 408, "Request timeout", "The form took too long to arrive.")
        if why := self.web.forgery(request, fields):
            return self.web.error_page(
                request, 403, "Forbidden", f"This decision was not recorded: {why}. Reload the page and try again."
            )
        kind = fields.get("kind", "")
        try:
            if kind == "accept":
                await asyncio.to_thread(self.session.accept, row)
            elif kind == "level":
                await asyncio.to_thread(
                    self.session.override_level,
                    row,
                    fields.get("criterion", ""),
                    fields.get("level", ""),
                    fields.get("reason", ""),
                )
            elif kind == "score":
                await asyncio.to_thread(
                    self.session.override_score, row, fields.get("score", ""), fields.get("reason", "")
                )
            else:
                raise InputError(f"unknown decision {kind[:40]!r}", hint="use the buttons of the review page")
        except InputError as e:
            return self._row_page(request, row, view, error=f"Not recorded: {e.one_line()}", status=422)
        qs = urlencode(view.params())
        if kind == "accept":  # accepted: on to the next row of the same list
            rows = filter_rows(self.session, view)
            pos = next((i for i, r in enumerate(rows) if r.index == row.index), None)
            after = _neighbours(self.session, view, rows, row, pos)[1]
            if after is not None:
                return RedirectResponse(f"/results/row/{after.index}?{qs}", status_code=303)
            return RedirectResponse(f"/results?{qs}", status_code=303)
        return RedirectResponse(f"/results/row/{row.index}?{qs}", status_code=303)

    # -- matrix and export ----------------------------------------------------------------------

    async def matrix(self, request: Request) -> Response:
        await asyncio.to_thread(self.session.refresh)
        questions = sorted({r.question_id for r in self.session.results.rows})
        qid = request.query_params.get("question") or (questions[0] if questions else "")
        if qid not in questions:
            return self.web.not_found(request, "No row of the results is about this question.")
        rubric = self.web.rubric_or_none(qid)
        return self._page(
            request,
            "results_matrix.html",
            matrix=criteria_matrix(self.session, qid),
            question_id=qid,
            question_text=rubric.question if rubric is not None else "",
            reviewed={r.index: self.session.status(r) for r in self.session.results.rows},
            scores={r.index: self.session.merged(r) for r in self.session.results.rows if r.question_id == qid},
        )

    async def export(self, request: Request) -> Response:
        await asyncio.to_thread(self.session.refresh)
        source = self.session.results.path
        name = re.sub(r"[^A-Za-z0-9._-]", "_", f"{source.stem}.reviewed{source.suffix}")
        with tempfile.TemporaryDirectory(prefix="grader-export-") as tmp:
            path = Path(tmp) / name
            await asyncio.to_thread(export_reviewed, self.session, path)
            body = path.read_bytes()
        media = "application/x-ndjson" if source.suffix.lower() in (".jsonl", ".ndjson") else "text/csv"
        return Response(
            body,
            media_type=media,
            headers={"content-disposition": f'attachment; filename="{name}"'},
        )
