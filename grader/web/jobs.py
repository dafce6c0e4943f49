"""The practice page's grading jobs: start one per submitted answer, run it on the grading worker,
save the attempt; when the server stops, let running jobs finish and save the rest as interrupted.

Part of the web app (:mod:`grader.web.app` holds the pages that start and show jobs), kept apart
because this is where the "no answer is lost" promise lives: a job keeps the answer it grades; a
failed job keeps it for the question page to show again; a job still running when the server stops
gets ``shutdown_grace`` seconds, and is then saved in the history as an unscored, interrupted
attempt with its answer. Error texts are redacted (the API key never reaches a page).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import secrets
import time
from typing import TYPE_CHECKING

from grader.errors import GraderError
from grader.result import Flag, GradeResult
from grader.rubric.model import Rubric
from grader.settings import Settings
from grader.text import redact
from grader.web.worker import GradingWorker, Job

if TYPE_CHECKING:
    from grader.grading import Grader
    from grader.store import Store

__all__ = ["GradingJobs", "MAX_JOBS", "SHUTDOWN_GRACE_S"]

log = logging.getLogger("grader.web.app")  # the app's logger, as before the jobs had their own module

MAX_JOBS = 500
#: Seconds running grading jobs get to finish when the server stops; the rest are saved as interrupted.
SHUTDOWN_GRACE_S = 20.0


class GradingJobs:
    """The jobs of one server run (at most :data:`MAX_JOBS`; finished ones are dropped first), graded
    one at a time on a dedicated :class:`GradingWorker` so grading never blocks the server."""

    def __init__(
        self, settings: Settings, grader: Grader, store: Store, user: str, shutdown_grace: float = SHUTDOWN_GRACE_S
    ) -> None:
        self.settings, self.grader, self.store, self.user = settings, grader, store, user
        self.shutdown_grace = shutdown_grace
        self.worker = GradingWorker(grader)
        self.jobs: dict[str, Job] = {}

    def start(self, rubric: Rubric, answer: str) -> Job:
        """A new job grading ``answer`` against ``rubric``, already running (call from the event loop)."""
        job = Job(id="j" + secrets.token_hex(8), rubric=rubric, created=time.monotonic(), answer=answer)
        self._prune_jobs()
        self.jobs[job.id] = job
        job.task = asyncio.create_task(self._run(job, answer))
        return job

    def last_for(self, qid: str) -> Job | None:
        """The latest job of question ``qid``, if any."""
        return next((j for j in reversed(self.jobs.values()) if j.rubric.id == qid), None)

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
