"""Several replicas of one model (``--base-url`` given more than once, or a list as ``base_url``).

One client per endpoint; each request goes to the endpoint with the fewest requests in flight
(ties in turn), through that endpoint's own concurrency gate (``settings.concurrency`` requests at
a time, so ``--concurrency`` is per endpoint). A transport failure of the endpoint itself (no
connection, a timeout, HTTP 5xx, a reply that is not JSON) moves the request to another endpoint;
after ``settings.endpoint_down_after`` such failures in a row the endpoint is drained (chosen only
when every other endpoint is drained too) and tried again ``settings.endpoint_retry_after`` seconds
later. Other errors (401, 400 …) are the request's, not the endpoint's, and are not moved.

Which replica answered never enters the cache key: that is made of the settings, whose
``base_url`` is the first endpoint.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from grader.errors import TransportError
from grader.judges.openai_api import make_async_client
from grader.settings import Settings

__all__ = ["Endpoint", "EndpointPool", "is_endpoint_failure"]


def is_endpoint_failure(exc: TransportError) -> bool:
    """A failure of the server rather than of the request (another replica may answer it)."""
    return exc.retryable and exc.status != 429


@dataclass(eq=False)
class Endpoint:
    url: str | None
    settings: Settings  # the shared settings with this base_url and no transport retries of its own
    client: Any = None
    in_flight: int = 0
    failures: int = 0  # transport failures in a row
    down_until: float = 0.0
    requests: int = 0
    gate: asyncio.Semaphore | None = None

    def is_up(self, now: float) -> bool:
        return self.down_until <= now


@dataclass(eq=False)
class EndpointPool:
    settings: Settings
    clock: Callable[[], float] = time.monotonic
    endpoints: list[Endpoint] = field(default_factory=list)
    _turn: int = 0

    def __post_init__(self) -> None:
        retries = 0 if len(self.settings.endpoints) > 1 else self.settings.max_retries
        self.endpoints = [
            Endpoint(url, self.settings.model_copy(update={"base_url": url, "max_retries": retries}))
            for url in self.settings.endpoints
        ]

    def choose(self, exclude: set[Endpoint]) -> Endpoint | None:
        """The endpoint for the next attempt: up, not tried yet, fewest in flight (ties in turn);
        when every untried one is drained, the one drained longest ago; None when all were tried."""
        now = self.clock()
        left = [e for e in self.endpoints if e not in exclude]
        if not left:
            return None
        up = [e for e in left if e.is_up(now)]
        if not up:
            return min(left, key=lambda e: e.down_until)
        self._turn += 1
        n = len(self.endpoints)
        return min(up, key=lambda e: (e.in_flight, (self.endpoints.index(e) - self._turn) % n))

    def moved_away(self, endpoint: Endpoint, tried: set[Endpoint]) -> bool:
        """``endpoint`` was drained while a request waited for its gate, and another is up."""
        now = self.clock()
        if endpoint.is_up(now):
            return False
        return any(e.is_up(now) for e in self.endpoints if e is not endpoint and e not in tried)

    def client(self, endpoint: Endpoint) -> Any:
        if endpoint.client is None:
            endpoint.client = make_async_client(endpoint.settings)
        return endpoint.client

    def gate(self, endpoint: Endpoint) -> asyncio.Semaphore:
        if endpoint.gate is None:
            endpoint.gate = asyncio.Semaphore(self.settings.concurrency)
        return endpoint.gate

    def succeeded(self, endpoint: Endpoint) -> None:
        endpoint.failures = 0
        endpoint.down_until = 0.0

    def failed(self, endpoint: Endpoint) -> None:
        endpoint.failures += 1
        if endpoint.failures >= self.settings.endpoint_down_after:
            endpoint.down_until = self.clock() + self.settings.endpoint_retry_after

    async def aclose(self) -> None:
        for endpoint in self.endpoints:
            if endpoint.client is not None:
                await endpoint.client.close()
                endpoint.client = None
