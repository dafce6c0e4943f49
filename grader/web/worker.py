"""Grading off the web server's event loop: one dedicated loop in a worker thread, and the jobs.

The embedded grader's CPU work and an LLM client's connections live on the worker's loop; the
server only awaits a future, so pages are served while an answer is graded.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from grader.result import GradeResult
from grader.rubric.model import Rubric

if TYPE_CHECKING:
    from grader.grading import Grader

__all__ = ["GradingWorker", "Job"]


class GradingWorker:
    """Runs ``grader.agrade`` on a dedicated event loop in a daemon thread (started on first use)."""

    def __init__(self, grader: Grader) -> None:
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

    async def grade(self, rubric: Rubric, answer: str, on_start: Callable[[], None] | None = None) -> GradeResult:
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
    answer: str = ""  # kept so that a failed or interrupted grading never loses what was typed
    status: str = "queued"  # queued → grading → done | error
    attempt_id: int | None = None
    error: str = ""
    task: asyncio.Task[None] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "question_id": self.rubric.id,
            "status": self.status,
            "elapsed_s": round(time.monotonic() - self.created, 1),
            "attempt_id": self.attempt_id,
            "result_url": f"/attempt/{self.attempt_id}" if self.attempt_id else None,
            "error": self.error,
        }
