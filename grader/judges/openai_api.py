"""The OpenAI adapter: the one module that imports ``openai``.

Everything the grader sends to an OpenAI-compatible server goes through here:

- **chat completions** (:func:`post_chat`, :func:`send_chat`): one ``POST /chat/completions`` with a
  raw body through the async client, the request gate held around the HTTP request only, the
  rate-limit callback told the Retry-After of every 429, and the ``response_format`` fallback
  signal (json_schema → json_object with the schema → json_object, see :data:`FORMAT_MODES`): a
  server that rejects a format (llama.cpp's answers HTTP 500) makes :func:`send_chat` ask the
  caller to fall back and send again. :func:`complete_json` is one JSON reply outside grading.
- **transport retries, one policy** (:func:`async_retrying`, :func:`retrying`): 408/409/429/5xx,
  an HTTP 200 whose body is not JSON (:class:`NotJSONResponse`: a proxy's HTML page, a cut-off body),
  timeouts and connection errors are retried with capped, jittered exponential backoff, honouring
  ``Retry-After`` / ``retry-after-ms``, at most ``settings.max_retries`` times, each wait capped at
  ``settings.retry_max_wait``; authentication and other 4xx errors are not retried. The openai
  clients' own retries are off (``max_retries=0``), so there is exactly one transport layer, for
  the live judge and for the Batch API's Files/Batches calls alike. (The judge's second layer, the
  re-ask on an invalid verdict, lives in :mod:`grader.judges.llm`.)
- **one error mapping** (:func:`transport_error`): an openai exception becomes a
  :class:`~grader.errors.TransportError` with one line and a hint. 401/403 never echo the server's
  message (it may quote the key); other messages are cut to 200 characters and redacted
  (:func:`grader.text.redact`: the configured key, bearer tokens, ``sk-…`` keys). Callers word their own
  hints (:class:`ErrorHints`) and prefix (``what``).
- **one completion parser** (:func:`parse_completion`, :func:`parse_usage`): text, finish reason,
  usage (cached prompt tokens included) and model, from a chat completion's JSON (what
  :func:`post_chat` returns), a typed ``ChatCompletion``, or the ``body`` of a Batch API output line.
- **the Files and Batches calls** of the Batch API (:class:`BatchClient`), synchronous.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import re
import ssl
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import openai
from openai.types.chat import ChatCompletion
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_random_exponential,
)

from grader.errors import TransportError, Usage
from grader.settings import Settings
from grader.text import redact
from grader.types import RequestGate

__all__ = [
    "FORMAT_MODES",
    "ChatCompletion",
    "ChatParams",
    "is_reasoning_model",
    "rejected_param",
    "Completion",
    "ErrorHints",
    "NotJSONResponse",
    "BatchClient",
    "make_async_client",
    "make_sync_client",
    "retry_after",
    "is_transient",
    "is_format_rejection",
    "async_retrying",
    "retrying",
    "transport_error",
    "chat_hints",
    "parse_completion",
    "parse_usage",
    "response_format_for",
    "post_chat",
    "send_chat",
    "complete_json",
]

#: ``response_format`` modes, in fallback order.
FORMAT_MODES = ("json_schema", "json_object_schema", "json_object")
_RETRY_STATUSES = {408, 409, 429}
_FORMAT_REJECTION_STATUSES = (400, 404, 415, 422, 500, 501)
_MESSAGE_CHARS = 200


# -- per-model request parameters -------------------------------------------------------------

#: OpenAI's reasoning models by name: the o-series (``o1``, ``o3-mini``, ``o4-mini`` …) and the gpt-5
#: family, also behind a provider prefix (``openai/gpt-5-mini``).
_REASONING_MODEL = re.compile(r"^(?:[\w.-]+/)*(?:o\d+(?:$|[-_.])|gpt-5)", re.IGNORECASE)
#: The parameters a server may refuse by name, and what the grader does then (see :meth:`ChatParams.adapted`).
_ADAPTABLE = ("max_tokens", "max_completion_tokens", "temperature", "reasoning_effort")
_UNSUPPORTED = re.compile(r"unsupported (?:parameter|value)s?:?\s*'?\"?(\w+)", re.IGNORECASE)


def is_reasoning_model(model: str) -> bool:
    """An OpenAI reasoning model by name: takes ``max_completion_tokens``, and only the default temperature."""
    return bool(_REASONING_MODEL.match(model.strip()))


@dataclass(frozen=True)
class ChatParams:
    """How a chat request states its sampling parameters for one model on one server.

    ``tokens_param`` is ``max_tokens`` or ``max_completion_tokens``; ``temperature`` False leaves the
    temperature out (the server's default); ``reasoning_effort`` False leaves the setting out even when
    configured. :meth:`for_model` starts from the model's name; :meth:`adapted` learns from a 400."""

    tokens_param: str = "max_tokens"
    temperature: bool = True
    reasoning_effort: bool = True

    @classmethod
    def for_model(cls, model: str) -> ChatParams:
        if is_reasoning_model(model):
            return cls(tokens_param="max_completion_tokens", temperature=False)
        return cls()

    def adapted(self, rejected: str) -> ChatParams | None:
        """The parameters after the server rejected ``rejected``; None when there is nothing to change."""
        if rejected == "max_tokens" and self.tokens_param == "max_tokens":
            return ChatParams("max_completion_tokens", self.temperature, self.reasoning_effort)
        if rejected == "max_completion_tokens" and self.tokens_param == "max_completion_tokens":
            return ChatParams("max_tokens", self.temperature, self.reasoning_effort)
        if rejected == "temperature" and self.temperature:
            return ChatParams(self.tokens_param, False, self.reasoning_effort)
        if rejected == "reasoning_effort" and self.reasoning_effort:
            return ChatParams(self.tokens_param, self.temperature, False)
        return None

    def apply(self, body: dict[str, Any], settings: Settings) -> dict[str, Any]:
        """Add the sampling parameters of ``settings`` to ``body`` (in place) and return it."""
        if self.temperature:
            body["temperature"] = settings.temperature
        body[self.tokens_param] = settings.max_tokens
        if self.reasoning_effort and settings.reasoning_effort is not None:
            body["reasoning_effort"] = settings.reasoning_effort
        return body


def rejected_param(exc: BaseException) -> str | None:
    """The request parameter a 400 refuses as unsupported, when it is one the grader can adapt (see
    :data:`_ADAPTABLE`): an ``unsupported_parameter`` / ``unsupported_value`` error (or an ``Unsupported
    parameter/value: '…'`` message) naming it in ``param`` or in the message. A parameter that is
    merely invalid (a bad value the user chose) is not adapted."""
    if not isinstance(exc, openai.APIStatusError) or exc.status_code not in (400, 422):
        return None
    code = str(getattr(exc, "code", None) or "")
    match = _UNSUPPORTED.search(str(getattr(exc, "message", "")))
    if not code.startswith("unsupported") and match is None:
        return None
    param = getattr(exc, "param", None)
    if isinstance(param, str) and param in _ADAPTABLE:
        return param
    if match and match.group(1) in _ADAPTABLE:
        return match.group(1)
    return None


# -- clients -----------------------------------------------------------------------------------


def _api_key(settings: Settings) -> str:
    return settings.api_key.get_secret_value() if settings.api_key else "not-needed"


def _secret(settings: Settings) -> str | None:
    return settings.api_key.get_secret_value() if settings.api_key else None


def _plain_http(base_url: str | None) -> bool:
    return bool(base_url) and str(base_url).strip().lower().startswith("http://")


def make_async_client(settings: Settings) -> openai.AsyncOpenAI:
    """The async client for chat completions; its own retries are off (:func:`send_chat` retries).

    For a plain ``http://`` server (a local llama.cpp, vLLM or Ollama) the HTTP client gets an empty
    TLS context instead of the default one, whose loading of the CA bundle costs 60–200 ms of
    start-up for a connection that never uses TLS. It trusts no certificate, so should the server
    redirect to ``https://``, the request fails on the certificate rather than going out unverified."""
    http_client = None
    if _plain_http(settings.base_url):
        http_client = openai.DefaultAsyncHttpxClient(
            base_url=str(settings.base_url), timeout=settings.timeout, verify=ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        )
    return openai.AsyncOpenAI(
        api_key=_api_key(settings),
        base_url=settings.base_url,
        max_retries=0,
        timeout=settings.timeout,
        http_client=http_client,
    )


def make_sync_client(settings: Settings) -> openai.OpenAI:
    """The sync client for the Files and Batches calls; its own retries are off (:class:`BatchClient`
    retries)."""
    return openai.OpenAI(
        api_key=_api_key(settings), base_url=settings.base_url, max_retries=0, timeout=settings.timeout
    )


# -- the retry policy --------------------------------------------------------------------------


class NotJSONResponse(Exception):
    """The server answered HTTP 200 with a body that is not JSON (an HTML page from a proxy or a
    captive portal, a body cut off in transit): a transient server fault, retried like a 5xx."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def _not_json(body: str) -> NotJSONResponse:
    snippet = " ".join(body.split())[:80]
    return NotJSONResponse(f"a body that is not JSON ({snippet!r})" if snippet else "an empty body")


def _checked(response: Any) -> Any:
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


# -- the error mapping -------------------------------------------------------------------------


@dataclass(frozen=True)
class ErrorHints:
    """What a caller tells the user after each kind of failure (the messages themselves are fixed)."""

    auth: str
    not_found: str
    connection: str
    status: str | None = None  # None: "the request was retried" / "this error is not retried"
    count_attempts: bool = True  # timeouts and connection errors say "after N attempt(s)"


def chat_hints(model: str) -> ErrorHints:
    """The hints of a chat completion (the judge, :func:`complete_json`)."""
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


# -- the completion parser ---------------------------------------------------------------------


@dataclass(frozen=True)
class Completion:
    """What the grader reads from a chat completion."""

    text: str  # the first choice's content ("" when none)
    finish_reason: str | None
    usage: Usage | None  # None: the response reported no usage
    model: str | None
    has_choices: bool


def _field(obj: Any, name: str) -> Any:
    """``obj[name]`` of a JSON object, ``obj.name`` of a typed response; None when absent."""
    if isinstance(obj, Mapping):
        return obj.get(name)
    return getattr(obj, name, None)


def parse_usage(usage: Any) -> Usage | None:
    """Tokens from a response's ``usage`` (typed or a JSON object), cached prompt tokens included."""
    if usage is None:
        return None
    details = _field(usage, "prompt_tokens_details")
    cached = _field(details, "cached_tokens") if details else 0
    return Usage(
        int(_field(usage, "prompt_tokens") or 0), int(_field(usage, "completion_tokens") or 0), int(cached or 0)
    )


def parse_completion(response: Any) -> Completion:
    """Parse a ``ChatCompletion``, or the ``response.body`` dict of a Batch API output line."""
    choices = _field(response, "choices") or []
    choice = choices[0] if choices else None
    message = _field(choice, "message") if choice is not None else None
    text = (_field(message, "content") if message is not None else None) or ""
    return Completion(
        text=text,
        finish_reason=_field(choice, "finish_reason") if choice is not None else None,
        usage=parse_usage(_field(response, "usage")),
        model=_field(response, "model") or None,
        has_choices=bool(choices),
    )


# -- chat completions --------------------------------------------------------------------------


def response_format_for(schema: dict[str, Any], name: str, format_mode: str = "json_schema") -> dict[str, Any]:
    """The ``response_format`` asking for JSON matching ``schema`` in a format mode."""
    if format_mode == "json_schema":
        return {"type": "json_schema", "json_schema": {"name": name, "strict": True, "schema": schema}}
    if format_mode == "json_object_schema":
        return {"type": "json_object", "schema": schema}
    return {"type": "json_object"}


async def post_chat(
    client: Any,
    body: dict[str, Any],
    *,
    gate: RequestGate | None = None,
    on_rate_limit: Callable[[float | None], None] | None = None,
) -> Any:
    """One HTTP request, no retries; openai's exceptions propagate. Returns the response's JSON (a
    dict for a chat completion; :func:`parse_completion` reads it). ``gate`` is held around the
    request only; ``on_rate_limit`` hears the Retry-After (or None) of a 429."""
    if gate is not None:
        await gate.acquire()
    rate_limited = False
    try:
        # client.post (the documented way to send a raw body) rather than chat.completions.create:
        # the same request without create()'s recursive re-transformation of the messages and the
        # schema (~1.5 ms of CPU per call); and cast_to=object: the JSON object as the server sent
        # it, read by parse_completion, without building a typed ChatCompletion (~0.3 ms per call).
        return _checked(await client.post("/chat/completions", body=body, cast_to=object))
    except json.JSONDecodeError as exc:  # the body claims to be JSON and is not
        raise NotJSONResponse(f"a body that is not JSON ({exc})") from None
    except openai.RateLimitError as exc:
        rate_limited = True
        if on_rate_limit:
            on_rate_limit(retry_after(exc))
        raise
    finally:
        if gate is not None:
            await gate.release(success=not rate_limited)


async def send_chat(
    client: Any,
    settings: Settings,
    body: Callable[[], dict[str, Any]],
    *,
    counter: list[int],
    hints: ErrorHints,
    fall_back: Callable[[], bool] | None = None,
    adapt: Callable[[str], bool] | None = None,
    gate: RequestGate | None = None,
    on_rate_limit: Callable[[float | None], None] | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> Any:
    """One chat completion with transport retries (its JSON, see :func:`post_chat`); failures become
    :class:`TransportError`.

    ``body()`` builds the request body (again for each attempt, so it follows a format fallback).
    When the server rejects the ``response_format``, ``fall_back()`` moves the caller to the next
    format mode and returns True, or returns False when none is left (the rejection is then an
    ordinary HTTP error). When a 400 names a request parameter the grader can adapt
    (:func:`rejected_param`: ``max_tokens``, ``temperature`` …), ``adapt(name)`` changes the caller's
    :class:`ChatParams` and returns True (the request is sent again at once), or returns False when
    nothing is left to change. ``counter[0]`` counts the HTTP calls made, for the caller's attempts."""
    try:
        async for attempt in async_retrying(settings, sleep):
            with attempt:
                counter[0] += 1
                while True:  # a rejected response_format is sent again at once in the next mode
                    try:
                        return await post_chat(client, body(), gate=gate, on_rate_limit=on_rate_limit)
                    except openai.APIStatusError as exc:
                        param = rejected_param(exc) if adapt is not None else None
                        if param is not None and adapt is not None and adapt(param):
                            counter[0] += 1
                            continue
                        if fall_back is None or not is_format_rejection(exc) or not fall_back():
                            raise
                        counter[0] += 1
    except (openai.APIStatusError, openai.APIConnectionError, NotJSONResponse) as exc:
        raise transport_error(
            exc, attempts=counter[0], base_url=settings.base_url, hints=hints, secret=_secret(settings)
        ) from None
    raise AssertionError("unreachable")  # pragma: no cover


async def complete_json(
    settings: Settings,
    messages: list[dict[str, str]],
    schema: dict[str, Any],
    *,
    name: str = "result",
    client: Any | None = None,
) -> tuple[str, Usage]:
    """Send ``messages`` once (with the transport retries and the format fallback) asking for JSON
    matching ``schema``; return the reply text and the tokens spent. Raises :class:`TransportError`
    like the judge; the caller validates the JSON. Used by
    :func:`grader.rubric.llm.criteria_with_llm`."""
    mode, current = FORMAT_MODES[0], messages
    params = ChatParams.for_model(settings.model)

    def body() -> dict[str, Any]:
        request: dict[str, Any] = {"model": settings.model, "messages": current}
        params.apply(request, settings)
        request["response_format"] = response_format_for(schema, name, mode)
        if settings.seed is not None:
            request["seed"] = settings.seed
        return request

    def adapt(rejected: str) -> bool:
        nonlocal params
        changed = params.adapted(rejected)
        if changed is None:
            return False
        params = changed
        return True

    def fall_back() -> bool:
        nonlocal mode, current
        if mode == FORMAT_MODES[-1]:
            return False
        mode = FORMAT_MODES[FORMAT_MODES.index(mode) + 1]
        # JSON mode needs the schema in the prompt; the caller's may have it already
        compact = json.dumps(schema, separators=(",", ":"))
        if current and compact not in current[0]["content"]:
            system = {**current[0], "content": current[0]["content"] + "\n\nThe JSON schema of the reply:\n" + compact}
            current = [system, *current[1:]]
        return True

    owned = client is None
    chat = make_async_client(settings) if client is None else client
    try:
        response = await send_chat(
            chat, settings, body, counter=[0], hints=chat_hints(settings.model), fall_back=fall_back, adapt=adapt
        )
    finally:
        if owned:
            await chat.close()
    completion = parse_completion(response)
    return completion.text, completion.usage or Usage()


# -- the Files and Batches API -----------------------------------------------------------------


class BatchClient:
    """The Files and Batches calls of the Batch API (synchronous), each through the transport retry
    policy and the error mapping. ``what`` names the operation in an error message; ``hints`` are
    the caller's. ``client`` is an ``openai.OpenAI`` (default: :func:`make_sync_client`; pass one
    with ``max_retries=0`` so retries are not stacked)."""

    def __init__(
        self,
        settings: Settings,
        *,
        hints: ErrorHints,
        client: Any | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self.hints = hints
        self.client = client if client is not None else make_sync_client(settings)
        self._sleep = sleep

    def call(self, what: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``fn(*args, **kwargs)`` with retries; failures become :class:`TransportError`."""
        attempts = 0
        try:
            for attempt in retrying(self.settings, self._sleep):
                with attempt:
                    attempts += 1
                    try:
                        return _checked(fn(*args, **kwargs))
                    except json.JSONDecodeError as exc:
                        raise NotJSONResponse(f"a body that is not JSON ({exc})") from None
        except (openai.APIStatusError, openai.APIConnectionError, NotJSONResponse) as exc:
            raise transport_error(
                exc,
                attempts=attempts,
                base_url=self.settings.base_url,
                hints=self.hints,
                what=what,
                secret=_secret(self.settings),
            ) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def upload(self, filename: str, data: bytes, *, timeout: float, what: str = "uploading the batch input") -> Any:
        """Upload a JSONL input file (``purpose="batch"``); returns the file object (``.id``)."""
        return self.call(
            what, self.client.files.create, file=(filename, data, "application/jsonl"), purpose="batch", timeout=timeout
        )

    def create_batch(
        self,
        input_file_id: str,
        *,
        endpoint: str,
        metadata: dict[str, str],
        completion_window: str = "24h",
        what: str = "creating the batch",
    ) -> Any:
        return self.call(
            what,
            self.client.batches.create,
            input_file_id=input_file_id,
            endpoint=endpoint,
            completion_window=completion_window,
            metadata=metadata,
        )

    def list_batches(self, *, limit: int = 100, what: str = "listing batches") -> list[Any]:
        """The first page of batches, newest first."""
        page = self.call(what, self.client.batches.list, limit=limit)
        return list(getattr(page, "data", None) or [])

    def retrieve_batch(self, batch_id: str, *, what: str = "") -> Any:
        return self.call(what or f"checking batch {batch_id}", self.client.batches.retrieve, batch_id)

    def cancel_batch(self, batch_id: str, *, what: str = "") -> Any:
        return self.call(what or f"cancelling batch {batch_id}", self.client.batches.cancel, batch_id)

    def file_text(self, file_id: str, *, what: str = "") -> str:
        """A file's content as text (a batch's output or error file)."""
        return str(self.call(what or f"downloading {file_id}", self.client.files.content, file_id).text)

    def close(self) -> None:
        self.client.close()
