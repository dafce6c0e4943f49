"""Chat completions: one ``POST /chat/completions`` with a raw body through the async client
(:func:`post_chat`), the same with the transport retries, the ``response_format`` fallback
(json_schema → json_object with the schema → json_object, see :data:`FORMAT_MODES`: a server that
rejects a format, as llama.cpp does with HTTP 500, makes :func:`send_chat` ask the caller to fall back)
and the per-model parameter adaptation (:func:`send_chat`), and one JSON reply outside grading
(:func:`complete_json`)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

import openai

from grader.errors import Usage
from grader.judges.openai_api.clients import configured_secret, make_async_client
from grader.judges.openai_api.completion import parse_completion
from grader.judges.openai_api.error_mapping import ErrorHints, chat_hints, transport_error
from grader.judges.openai_api.params import ChatParams, rejected_param
from grader.judges.openai_api.retry import NotJSONResponse, async_retrying, checked, is_format_rejection, retry_after
from grader.settings import Settings
from grader.types import RequestGate

__all__ = ["FORMAT_MODES", "complete_json", "post_chat", "response_format_for", "send_chat"]

#: ``response_format`` modes, in fallback order.
FORMAT_MODES = ("json_schema", "json_object_schema", "json_object")


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
        return checked(await client.post("/chat/completions", body=body, cast_to=object))
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
            exc, attempts=counter[0], base_url=settings.base_url, hints=hints, secret=configured_secret(settings)
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
