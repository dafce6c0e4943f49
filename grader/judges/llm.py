"""The LLM judge. It and :mod:`grader.batch_api` (the OpenAI Batch API) are the two modules that
import ``openai``.

Two retry layers, never stacked blindly:

- **transport** (:meth:`LLMJudge._send`): 408/409/429/5xx, timeouts and connection errors are retried
  with exponential backoff and jitter, honouring ``Retry-After`` / ``retry-after-ms``, at most
  ``settings.max_retries`` times, each wait capped at ``settings.retry_max_wait``. Authentication and
  other 4xx errors are not retried. The openai client's own retries are switched off
  (``max_retries=0``) so there is exactly one layer.
- **re-ask** (:meth:`LLMJudge.judge`): invalid JSON, a schema violation, an unknown or missing
  criterion, or ``finish_reason == "length"`` → the validation problem is sent back and the model is
  asked again, at most ``settings.max_reasks`` times. Then :class:`VerdictError` keeps the last
  output, the attempts and the tokens spent.

Structured output: ``response_format`` json_schema (strict) generated from the pydantic verdict model
with criterion ids constrained to the rubric's. A server that rejects json_schema (llama.cpp's server
answers HTTP 500) is switched, for the rest of the judge's life, to JSON mode with the schema in the
prompt (``{"type": "json_object", "schema": …}``, then plain ``json_object``).

:func:`request_body` builds the chat-completions body (model, messages, temperature, max_tokens,
response_format, seed); the live judge and the Batch API's request lines both use it, so a row
submitted through the Batch API asks exactly what the live judge would.
"""

from __future__ import annotations

import asyncio
import email.utils
import time
from typing import Any, Awaitable, Callable

import openai
from openai.types.chat import ChatCompletion
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    retry_if_exception_type,
    stop_after_attempt,
    wait_random_exponential,
)

from grader.errors import TransportError, Usage, VerdictError
from grader.prompts import PromptSet
from grader.rubric.model import Rubric
from grader.settings import Settings
from grader.types import BaseJudge, JudgeOutcome, RateLimitCallback, RequestGate
from grader.verdict import VerdictProblem, parse_verdict, verdict_schema

__all__ = ["LLMJudge", "FORMAT_MODES", "request_body", "response_format", "judge_messages",
           "complete_json"]

FORMAT_MODES = ("json_schema", "json_object_schema", "json_object")
_RETRY_STATUSES = {408, 409, 429}


def response_format(rubric: Rubric, format_mode: str = "json_schema") -> dict[str, Any]:
    """The ``response_format`` for a format mode (see :data:`FORMAT_MODES`)."""
    schema = verdict_schema(rubric)
    if format_mode == "json_schema":
        return {"type": "json_schema", "json_schema": {"name": "verdict", "strict": True, "schema": schema}}
    if format_mode == "json_object_schema":
        return {"type": "json_object", "schema": schema}
    return {"type": "json_object"}


def judge_messages(prompts: PromptSet, rubric: Rubric, answer: str, format_mode: str = "json_schema") -> list[dict[str, str]]:
    """The first messages for an answer; JSON modes carry the schema in the system message."""
    schema = verdict_schema(rubric) if format_mode != "json_schema" else None
    return prompts.messages(rubric, answer, schema=schema)


def request_body(
    settings: Settings,
    prompts: PromptSet,
    rubric: Rubric,
    answer: str,
    format_mode: str = "json_schema",
    *,
    messages: list[dict[str, str]] | None = None,
    model: str | None = None,
) -> dict[str, Any]:
    """The chat-completions request body the judge sends for ``answer`` (or for ``messages``, e.g.
    a re-ask, when given). Shared by :class:`LLMJudge` and the Batch API's request lines."""
    body: dict[str, Any] = {
        "model": model or settings.model,
        "messages": messages if messages is not None else judge_messages(prompts, rubric, answer, format_mode),
        "temperature": settings.temperature,
        "max_tokens": settings.max_tokens,
        "response_format": response_format(rubric, format_mode),
    }
    if settings.seed is not None:
        body["seed"] = settings.seed
    return body


class _FormatRejected(Exception):
    """The server does not support the requested response_format."""


def _retry_after(exc: BaseException) -> float | None:
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
        parsed = email.utils.parsedate_to_datetime(value) if value else None
        if parsed is None:
            return None
        return max(0.0, parsed.timestamp() - time.time())


def _is_transient(exc: BaseException) -> bool:
    if isinstance(exc, (openai.APITimeoutError, openai.APIConnectionError)):
        return True
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code in _RETRY_STATUSES or exc.status_code >= 500
    return False


def _is_format_rejection(exc: openai.APIStatusError) -> bool:
    if exc.status_code not in (400, 404, 415, 422, 500, 501):
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
        hinted = _retry_after(exc) if exc else None
        if hinted is not None:
            return min(hinted, self.cap)
        return self.backoff(state)


class LLMJudge(BaseJudge):
    """Grades through any OpenAI-compatible chat-completions server (a :class:`~grader.types.Judge`)."""

    name = "llm"
    deterministic = False  # sampled: the same answer may get another verdict (see grader.confidence)
    gates_requests = True
    costs_money = True

    def __init__(
        self,
        settings: Settings,
        prompts: PromptSet,
        *,
        client: Any | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        on_rate_limit: RateLimitCallback | None = None,
    ) -> None:
        self.settings = settings
        self.prompts = prompts
        self.model = settings.model
        self._client = client
        self._owns_client = client is None
        self._sleep = sleep
        self._on_rate_limit = on_rate_limit
        self._gate: RequestGate | None = None
        self.format_mode = FORMAT_MODES[0]
        self.version = prompts.version if prompts is not None else ""  # a template edit changes the cache key

    def reseeded(self, seed: int) -> LLMJudge:
        """A judge that sends ``seed``, sharing the HTTP client, the format mode (a server that rejected
        json_schema still rejects it), the request gate and the rate-limit callback."""
        judge = LLMJudge(self.settings.model_copy(update={"seed": seed}), self.prompts, client=self.client,
                         sleep=self._sleep, on_rate_limit=self._on_rate_limit)
        judge.model = self.model
        judge.format_mode = self.format_mode
        judge._gate = self._gate
        return judge

    def set_request_gate(self, gate: RequestGate | None) -> None:
        """Hold ``gate`` (``await gate.acquire()`` / ``await gate.release(success=…)``) around each HTTP
        request only, so a batch's concurrency limit counts requests in flight, not answers being
        prepared or scored."""
        self._gate = gate

    def set_rate_limit_callback(self, callback: RateLimitCallback | None) -> None:
        """Called with the Retry-After (or None) on every 429, e.g. by a batch's adaptive limit."""
        self._on_rate_limit = callback

    @property
    def client(self) -> Any:
        # Created lazily, so a sync caller that runs one event loop per call gets a fresh client.
        if self._client is None:
            self._client = openai.AsyncOpenAI(
                api_key=self.settings.api_key.get_secret_value() if self.settings.api_key else "not-needed",
                base_url=self.settings.base_url,
                max_retries=0,
                timeout=self.settings.timeout,
            )
        return self._client

    # -- one request, with transport retries -------------------------------------------------

    def _response_format(self, rubric: Rubric) -> dict[str, Any]:
        return response_format(rubric, self.format_mode)

    async def _create(self, messages: list[dict[str, str]], rubric: Rubric) -> Any:
        kwargs = request_body(self.settings, self.prompts, rubric, "", self.format_mode,
                              messages=messages, model=self.model)
        gate = self._gate
        if gate is not None:
            await gate.acquire()
        rate_limited = False
        try:
            # client.post (the documented way to send a raw body) rather than chat.completions.create:
            # the same request and the same typed ChatCompletion back, without create()'s recursive
            # re-transformation of the messages and the schema (~1.5 ms of CPU per call).
            return await self.client.post("/chat/completions", body=kwargs, cast_to=ChatCompletion)
        except openai.RateLimitError as exc:
            rate_limited = True
            if self._on_rate_limit:
                self._on_rate_limit(_retry_after(exc))
            raise
        except openai.APIStatusError as exc:
            if _is_format_rejection(exc) and self.format_mode != FORMAT_MODES[-1]:
                raise _FormatRejected(str(exc.message)) from exc
            raise
        finally:
            if gate is not None:
                await gate.release(success=not rate_limited)

    async def _send(self, messages: list[dict[str, str]], rubric: Rubric, counter: list[int]) -> Any:
        retrying = AsyncRetrying(
            retry=retry_if_exception(_is_transient),
            wait=_Wait(self.settings.retry_max_wait),
            stop=stop_after_attempt(self.settings.max_retries + 1),
            sleep=self._sleep,
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    counter[0] += 1
                    while True:  # _create raises _FormatRejected only while a fallback mode is left
                        try:
                            return await self._create(messages, rubric)
                        except _FormatRejected:
                            self.format_mode = FORMAT_MODES[FORMAT_MODES.index(self.format_mode) + 1]
                            messages = self._with_schema(messages, rubric)  # kept for transport retries
                            counter[0] += 1
        except openai.AuthenticationError as exc:
            raise TransportError(
                f"the server rejected the API key (HTTP {exc.status_code})",
                status=exc.status_code, attempts=counter[0],
                hint="check OPENAI_API_KEY, or unset it to use the embedded grader",
            ) from None
        except openai.NotFoundError as exc:
            raise TransportError(
                f"not found (HTTP 404) at {self.settings.base_url or 'the OpenAI API'}: {exc.message}",
                status=404, attempts=counter[0],
                hint=f"check --base-url and that model {self.model!r} exists on the server",
            ) from None
        except openai.APIStatusError as exc:
            raise TransportError(
                f"the server answered HTTP {exc.status_code}: {str(exc.message)[:200]}",
                status=exc.status_code, attempts=counter[0], retryable=_is_transient(exc),
                hint="the request was retried" if _is_transient(exc) else "this error is not retried",
            ) from None
        except (openai.APITimeoutError, openai.APIConnectionError) as exc:
            kind = "timed out" if isinstance(exc, openai.APITimeoutError) else "could not connect"
            raise TransportError(
                f"{kind} to {self.settings.base_url or 'the OpenAI API'} after {counter[0]} attempt(s)",
                attempts=counter[0], retryable=True,
                hint="check that the server is running and --base-url is right",
            ) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _with_schema(self, messages: list[dict[str, str]], rubric: Rubric) -> list[dict[str, str]]:
        """JSON mode needs the schema in the prompt: re-render the system message with it."""
        if self.format_mode == "json_schema":
            return messages
        system = self.prompts.messages(rubric, "", schema=verdict_schema(rubric))[0]
        return [system, *messages[1:]]

    # -- one verdict, with re-asks -----------------------------------------------------------

    async def judge(self, rubric: Rubric, answer: str) -> JudgeOutcome:
        messages = judge_messages(self.prompts, rubric, answer, self.format_mode)
        usage = Usage()
        counter = [0]
        last_output = ""
        model = self.model
        retrying = AsyncRetrying(
            retry=retry_if_exception_type(VerdictProblem),
            stop=stop_after_attempt(self.settings.max_reasks + 1),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    try:
                        response = await self._send(messages, rubric, counter)
                    except TransportError as exc:
                        exc.usage = usage
                        raise
                    if response.usage is not None:
                        details = getattr(response.usage, "prompt_tokens_details", None)
                        usage = usage.add(Usage(
                            response.usage.prompt_tokens or 0,
                            response.usage.completion_tokens or 0,
                            (getattr(details, "cached_tokens", 0) or 0) if details else 0,
                        ))
                    model = getattr(response, "model", None) or model
                    if not response.choices:
                        last_output = ""
                        problem = "the response had no choices"
                    else:
                        choice = response.choices[0]
                        last_output = choice.message.content or ""
                        problem = ""
                        if choice.finish_reason == "length":
                            problem = ("the reply was cut off at the token limit (finish_reason=length); "
                                       "keep rationales to one sentence and quotes short")
                    if not problem:
                        try:
                            verdict = parse_verdict(last_output, rubric)
                        except VerdictProblem as exc:
                            problem = str(exc)
                        else:
                            return JudgeOutcome(verdict, usage, counter[0], model, last_output,
                                                details={"format_mode": self.format_mode})
                    messages = self._with_schema(messages, rubric)
                    messages = [
                        *messages,
                        {"role": "assistant", "content": last_output[:4000]},
                        {"role": "user", "content": self.prompts.reask(rubric, problem)},
                    ]
                    raise VerdictProblem(problem)
        except VerdictProblem as exc:
            raise VerdictError(str(exc), attempts=counter[0], last_output=last_output, usage=usage) from None
        raise AssertionError("unreachable")  # pragma: no cover

    async def aclose(self) -> None:
        if self._owns_client and self._client is not None:
            await self._client.close()
            self._client = None


# -- one JSON completion outside grading (e.g. building a rubric with --llm) ----------------------


class _JsonCompletion(LLMJudge):
    """The judge's transport layer (retries, Retry-After, json_schema → JSON-mode fallback, error
    mapping) for one request whose reply must match ``schema`` rather than a verdict."""

    def __init__(self, settings: Settings, schema: dict[str, Any], name: str, client: Any | None = None) -> None:
        super().__init__(settings, None, client=client)  # type: ignore[arg-type]  # no verdict prompts
        self.schema, self.schema_name = schema, name

    async def _create(self, messages: list[dict[str, str]], rubric: Rubric | None) -> Any:
        formats = {"json_schema": {"type": "json_schema",
                                   "json_schema": {"name": self.schema_name, "strict": True, "schema": self.schema}},
                   "json_object_schema": {"type": "json_object", "schema": self.schema},
                   "json_object": {"type": "json_object"}}
        body: dict[str, Any] = {"model": self.model, "messages": messages, "temperature": self.settings.temperature,
                                "max_tokens": self.settings.max_tokens, "response_format": formats[self.format_mode]}
        if self.settings.seed is not None:
            body["seed"] = self.settings.seed
        try:
            return await self.client.post("/chat/completions", body=body, cast_to=ChatCompletion)
        except openai.APIStatusError as exc:
            if _is_format_rejection(exc) and self.format_mode != FORMAT_MODES[-1]:
                raise _FormatRejected(str(exc.message)) from exc
            raise

    def _with_schema(self, messages: list[dict[str, str]], rubric: Rubric | None) -> list[dict[str, str]]:
        import json

        compact = json.dumps(self.schema, separators=(",", ":"))
        if self.format_mode == "json_schema" or not messages or compact in messages[0]["content"]:
            return messages  # JSON mode needs the schema in the prompt; the caller's may have it already
        system = {**messages[0], "content": messages[0]["content"] + "\n\nThe JSON schema of the reply:\n" + compact}
        return [system, *messages[1:]]


async def complete_json(settings: Settings, messages: list[dict[str, str]], schema: dict[str, Any], *,
                        name: str = "result", client: Any | None = None) -> tuple[str, Usage]:
    """Send ``messages`` once (with the judge's transport retries) asking for JSON matching ``schema``;
    return the reply text and the tokens spent. Raises :class:`TransportError` like the judge; the
    caller validates the JSON. Used by :func:`grader.rubric_build.criteria_with_llm`."""
    call = _JsonCompletion(settings, schema, name, client=client)
    try:
        response = await call._send(messages, None, [0])  # type: ignore[arg-type]
    finally:
        await call.aclose()
    usage = Usage()
    if getattr(response, "usage", None) is not None:
        usage = Usage(response.usage.prompt_tokens or 0, response.usage.completion_tokens or 0)
    if not response.choices:
        return "", usage
    return response.choices[0].message.content or "", usage
