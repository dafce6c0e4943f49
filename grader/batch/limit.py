"""The live batch's concurrency limit (:class:`AdaptiveLimit`): halved on a 429 and paused for the
server's ``Retry-After``, grown back by one per success (AIMD); stopped (:class:`BatchStopped`) once
the batch stops on a fatal error or the budget. It is the judge's request gate
(:class:`grader.types.RequestGate`)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

__all__ = ["AdaptiveLimit", "BatchStopped"]


class BatchStopped(Exception):
    """Raised to requests still waiting for a slot once the batch has stopped (fatal error or
    budget): their rows are left for ``--resume``, not recorded as errors."""


class AdaptiveLimit:
    """A concurrency limit that halves on 429 and grows by one per success (AIMD)."""

    def __init__(self, maximum: int, *, sleep: Callable[[float], Any] = asyncio.sleep) -> None:
        self.maximum = maximum
        self.limit = maximum
        self.in_flight = 0
        self._cond = asyncio.Condition()
        self._paused_until = 0.0
        self._sleep = sleep
        self.rate_limited = 0
        self.stopped = False
        self.on_first: Callable[[], Any] | None = None  # called once, when the first slot is taken

    async def acquire(self) -> None:
        pause = self._paused_until - time.monotonic()
        if pause > 0:  # the server asked everyone to wait (Retry-After)
            await self._sleep(pause)
        while True:
            async with self._cond:
                if self.stopped:
                    raise BatchStopped()
                if self.in_flight < self.limit:
                    self.in_flight += 1
                    if self.on_first is not None:
                        first, self.on_first = self.on_first, None
                        first()
                    return
                await self._cond.wait()

    async def release(self, *, success: bool) -> None:
        async with self._cond:
            self.in_flight -= 1
            if success and self.limit < self.maximum:
                self.limit += 1
            self._cond.notify_all()

    async def stop(self) -> None:
        """Refuse every further acquire (requests already in flight finish)."""
        async with self._cond:
            self.stopped = True
            self._cond.notify_all()

    def on_rate_limit(self, retry_after: float | None) -> None:
        """Called by the judge on every 429 (synchronously, inside the event loop)."""
        self.rate_limited += 1
        self.limit = max(1, self.limit // 2)
        if retry_after:
            self._paused_until = max(self._paused_until, time.monotonic() + min(retry_after, 60.0))
