"""The transport retry policy, one for the live judge and the Batch API's Files/Batches calls alike:
what is worth retrying (:func:`is_transient`: 408/409/429/5xx, timeouts, connection errors, an HTTP 200
whose body is not JSON, :class:`NotJSONResponse`), how long to wait (``Retry-After`` / ``retry-after-ms``
when the server sends it, else capped, jittered exponential backoff), and how often
(``settings.max_retries``); plus :func:`is_format_rejection`, the server refusing a ``response_format``."""

from __future__ import annotations

import asyncio
import email.utils
import time
from collections.abc import Awaitable, Callable
from typing import Any

import openai
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_random_exponential,
)

from grader.settings import Settings

__all__ = [
    "NotJSONResponse",
    "async_retrying",
    "checked",
    "is_format_rejection",
    "is_transient",
    "retry_after",
    "retrying",
]

_RETRY_STATUSES = {408, 409, 429}
_FORMAT_REJECTION_STATUSES = (400, 404, 415, 422, 500, 501)


class NotJSONResponse(Exception):
    """The server answered HTTP 200 with a body that is not JSON (an HTML page from a proxy or a
    captive portal, a body cut off in transit): a transient server fault, retried like a 5xx."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def _not_json(body: str) -> NotJSONResponse:
    snippet = " ".join(body.split())[:80]
    return NotJSONResponse(f"a body that is not JSON ({snippet!r})" if snippet else "an empty body")


def checked(response: Any) -> Any:
    """``response``, unless the openai client handed back the raw text of a non-JSON body."""
    if isinstance(response, str):
        raise _not_json(response)
    return response


def retry_after(exc: BaseException | None) -> float | None:
    """The wait the server asked for (``retry-after-ms``, else ``Retry-After`` in seconds or as a
    date), or None."""
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if not headers:
        return None
    ms = headers.get("retry-after-ms")
    if ms:
        try:
            return max(0.0, float(ms) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):  # neither seconds nor a date: back off as if there were no hint
        return None
    return max(0.0, parsed.timestamp() - time.time())


def is_transient(exc: BaseException) -> bool:
    """Worth retrying: a timeout, a connection error, HTTP 408/409/429/5xx, or a 200 that is not JSON."""
    if isinstance(exc, (openai.APITimeoutError, openai.APIConnectionError, NotJSONResponse)):
        return True
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code in _RETRY_STATUSES or exc.status_code >= 500
    return False


def is_format_rejection(exc: BaseException) -> bool:
    """The server refused the request's ``response_format`` (so a simpler format may work)."""
    if not isinstance(exc, openai.APIStatusError) or exc.status_code not in _FORMAT_REJECTION_STATUSES:
        return False
    text = f"{exc.message} {getattr(exc, 'body', '')}".lower()
    return "response_format" in text or "json_schema" in text or "json_object" in text


class _Wait:
    """Honour Retry-After when the server sends it, else exponential backoff with jitter."""

    def __init__(self, cap: float) -> None:
        self.cap = cap
        self.backoff = wait_random_exponential(multiplier=0.5, max=cap)

    def __call__(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        hinted = retry_after(exc) if exc else None
        if hinted is not None:
            return min(hinted, self.cap)
        return float(self.backoff(state))


def _policy(settings: Settings) -> dict[str, Any]:
    return {
        "retry": retry_if_exception(is_transient),
        "wait": _Wait(settings.retry_max_wait),
        "stop": stop_after_attempt(settings.max_retries + 1),
        "reraise": True,
    }


def async_retrying(settings: Settings, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> AsyncRetrying:
    """The transport retry policy for async calls (``sleep`` injectable for tests)."""
    return AsyncRetrying(sleep=sleep, **_policy(settings))


def retrying(settings: Settings, sleep: Callable[[float], None] = time.sleep) -> Retrying:
    """The same policy for sync calls (the Files and Batches API)."""
    return Retrying(sleep=sleep, **_policy(settings))
