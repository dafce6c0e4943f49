"""The one error mapping of the OpenAI adapter (:func:`transport_error`): an openai exception becomes a
:class:`~grader.errors.TransportError` with one line and a hint. 401/403 never echo the server's message
(it may quote the key); other messages are cut to 200 characters and redacted (:func:`grader.text.redact`).
Callers word their own hints (:class:`ErrorHints`; :func:`chat_hints` for a chat completion)."""

from __future__ import annotations

from dataclasses import dataclass

import openai

from grader.errors import TransportError
from grader.judges.openai_api.retry import NotJSONResponse, is_transient
from grader.text import redact

__all__ = ["ErrorHints", "chat_hints", "transport_error"]

_MESSAGE_CHARS = 200


@dataclass(frozen=True)
class ErrorHints:
    """What a caller tells the user after each kind of failure (the messages themselves are fixed)."""

    auth: str
    not_found: str
    connection: str
    status: str | None = None  # None: "the request was retried" / "this error is not retried"
    count_attempts: bool = True  # timeouts and connection errors say "after N attempt(s)"


def chat_hints(model: str) -> ErrorHints:
    """The hints of a chat completion (the judge, :func:`.chat.complete_json`)."""
    return ErrorHints(
        auth="check OPENAI_API_KEY, or unset it to use the embedded grader",
        not_found=f"check --base-url and that model {model!r} exists on the server",
        connection="check that the server is running and --base-url is right",
    )


def transport_error(
    exc: openai.APIStatusError | openai.APIConnectionError | NotJSONResponse,
    *,
    attempts: int,
    base_url: str | None,
    hints: ErrorHints,
    what: str = "",
    secret: str | None = None,
) -> TransportError:
    """One :class:`TransportError` for an openai exception. ``what`` names the operation
    (``"uploading the batch input: …"``); ``base_url`` None means the OpenAI API. The message never
    holds ``secret`` (the configured API key) nor anything shaped like a key: a server may echo it."""
    prefix = f"{what}: " if what else ""
    where = base_url or "the OpenAI API"
    # redacted before it is cut, so that no part of a key survives
    detail = redact(str(getattr(exc, "message", "")), secret)[:_MESSAGE_CHARS]
    retryable = is_transient(exc)
    if isinstance(exc, NotJSONResponse):
        return TransportError(
            f"{prefix}the server answered HTTP 200 with {exc.detail} at {where}, {attempts} attempt(s)",
            attempts=attempts,
            retryable=True,
            hint="check that --base-url is an OpenAI-compatible API (not a proxy or a web page); "
            "the request was retried",
        )
    if isinstance(exc, (openai.AuthenticationError, openai.PermissionDeniedError)):
        # never echo the server's message: it may quote the key
        return TransportError(
            f"{prefix}the server rejected the API key (HTTP {exc.status_code})",
            status=exc.status_code,
            attempts=attempts,
            hint=hints.auth,
        )
    if isinstance(exc, openai.NotFoundError):
        return TransportError(
            f"{prefix}not found (HTTP 404) at {where}: {detail}",
            status=404,
            attempts=attempts,
            hint=hints.not_found,
        )
    if isinstance(exc, openai.APIStatusError):
        default = "the request was retried" if retryable else "this error is not retried"
        return TransportError(
            f"{prefix}the server answered HTTP {exc.status_code}: {detail}",
            status=exc.status_code,
            attempts=attempts,
            retryable=retryable,
            hint=default if hints.status is None else hints.status,
        )
    kind = "timed out" if isinstance(exc, openai.APITimeoutError) else "could not connect"
    after = f" after {attempts} attempt(s)" if hints.count_attempts else ""
    return TransportError(f"{prefix}{kind} to {where}{after}", attempts=attempts, retryable=True, hint=hints.connection)
