"""The chat-completions component of the test server: modes, faults, format rejections and counters.

:class:`ChatCompletions` answers one ``POST /v1/chat/completions`` body (:meth:`ChatCompletions.complete`)
with a :class:`~grader.testing.devserver._request._Reply`. The HTTP handler calls it for every chat
request, and the Files/Batches component for every line of a batch, so both see the same judge, the
same faults and the same counters. Standard library only.
"""

from __future__ import annotations

import collections
import hashlib
import json
import math
import os
import random
import threading
import time
from typing import Any

from grader.testing.devserver._judges import _gullible_verdict, _honest_verdict, _obedient_verdict
from grader.testing.devserver._request import _error, _Reply, _Request

__all__ = [
    "ChatCompletions",
    "MODES",
    "RESPONSE_FORMATS",
    "REJECTABLE_PARAMS",
    "FAULT_KINDS",
    "RECOVERABLE_FAULTS",
    "auth_error",
    "param_rejection",
]

MODES = ("honest", "gullible", "obedient")
#: ``response_format`` variants, as named by ``reject_formats``.
RESPONSE_FORMATS = ("json_schema", "json_object_schema", "json_object", "none")
#: Request parameters ``reject_params`` can refuse as OpenAI's reasoning models do (HTTP 400, the real
#: error shape): ``max_tokens`` (they take ``max_completion_tokens``) and ``temperature`` (any value but 1).
REJECTABLE_PARAMS = ("max_tokens", "temperature")
FAULT_KINDS = (
    "429",
    "429ms",
    "500",
    "503",
    "timeout",
    "reset",
    "invalid_json",
    "html_200",
    "garbage_200",
    "schema_violation",
    "truncation",
    "401",
    "400",
    "400key",
    "404",
)
#: What ``fault_rate`` injects by default: faults a correct client recovers from without long waits.
RECOVERABLE_FAULTS = ("429", "429ms", "500", "503", "reset", "invalid_json", "schema_violation", "truncation")


def auth_error(api_key: str | None, authorization: str) -> _Reply | None:
    """The 401 reply when ``api_key`` is required and the ``Authorization`` header does not present it."""
    presented = authorization.removeprefix("Bearer ").strip()
    if api_key is not None and presented != api_key:
        return _Reply(
            401,
            _error(
                f"Incorrect API key provided: {presented or '(none)'}. Check the key and try again.",
                "invalid_request_error",
                "invalid_api_key",
            ),
        )
    return None


def param_rejection(payload: dict[str, Any], reject_params: frozenset[str]) -> _Reply | None:
    """The 400 OpenAI's API answers a reasoning model's request with when it carries a parameter in
    ``reject_params`` (``max_tokens``; ``temperature`` other than the default 1), word for word."""
    if "max_tokens" in reject_params and "max_tokens" in payload:
        return _Reply(
            400,
            _error(
                "Unsupported parameter: 'max_tokens' is not supported with this model. "
                "Use 'max_completion_tokens' instead.",
                "invalid_request_error",
                "unsupported_parameter",
                "max_tokens",
            ),
        )
    if "temperature" in reject_params and "temperature" in payload and payload["temperature"] != 1:
        return _Reply(
            400,
            _error(
                f"Unsupported value: 'temperature' does not support {payload['temperature']} with this model. "
                "Only the default (1) value is supported.",
                "invalid_request_error",
                "unsupported_value",
                "temperature",
            ),
        )
    return None


class ChatCompletions:
    """Grades chat requests in one mode, injecting the configured faults, and counts them.

    Counters (read them through :class:`~grader.testing.devserver.DevServer`): ``requests`` (every chat
    request), ``answers`` (sha256 of each answer → times seen), ``log`` (one entry per request) and,
    with ``keep_bodies``, ``bodies`` (each request body).
    """

    def __init__(
        self,
        *,
        mode: str = "honest",
        latency: float = 0.0,
        faults: list[str] | tuple[str, ...] | None = None,
        fault_rate: float = 0.0,
        seed: int = 0,
        fault_kinds: list[str] | tuple[str, ...] | None = None,
        reject_formats: frozenset[str] | set[str] | tuple[str, ...] = (),
        reject_params: frozenset[str] | set[str] | tuple[str, ...] = (),
        timeout_sleep: float = 5.0,
        api_key: str | None = None,
        keep_bodies: bool = False,
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        kinds = tuple(fault_kinds) if fault_kinds else RECOVERABLE_FAULTS
        for name in [*(faults or []), *kinds]:
            if name not in FAULT_KINDS:
                raise ValueError(f"unknown fault {name!r}; known: {', '.join(FAULT_KINDS)}")
        if not 0.0 <= fault_rate <= 1.0:
            raise ValueError("fault_rate must be between 0 and 1")
        self.reject_formats = frozenset(reject_formats)
        unknown = self.reject_formats - set(RESPONSE_FORMATS)
        if unknown:
            raise ValueError(f"unknown response formats {sorted(unknown)}; known: {', '.join(RESPONSE_FORMATS)}")
        self.reject_params = frozenset(reject_params)
        unknown = self.reject_params - set(REJECTABLE_PARAMS)
        if unknown:
            raise ValueError(f"unknown parameters {sorted(unknown)}; known: {', '.join(REJECTABLE_PARAMS)}")
        self.mode = mode
        self.latency = float(latency)
        self.faults: collections.deque[str] = collections.deque(faults or [])
        self.fault_rate = float(fault_rate)
        self.fault_kinds = kinds
        self.timeout_sleep = float(timeout_sleep)
        self.api_key = api_key
        self.keep_bodies = keep_bodies
        self.requests = 0
        self.answers: collections.Counter[str] = collections.Counter()
        self.log: list[dict[str, Any]] = []
        self.bodies: list[dict[str, Any]] = []
        # prompt caching: the last prompt seen per (model, first message), to report cached tokens
        self._last_prompt: dict[tuple[str, str], str] = {}
        self._rng = random.Random(seed)
        self._lock = threading.Lock()

    def auth_error(self, authorization: str) -> _Reply | None:
        """The 401 reply when the server requires a key and ``authorization`` does not present it."""
        return auth_error(self.api_key, authorization)

    def _next_fault(self) -> str | None:
        if self.faults:
            return self.faults.popleft()
        if self.fault_rate and self._rng.random() < self.fault_rate:
            return self._rng.choice(self.fault_kinds)
        return None

    def _cached_tokens(self, req: _Request) -> int:
        """Prompt caching as the test server plays it (call under the lock): the longest common prefix
        of this prompt with the previous one that began with the same first message for the same
        model, in ~4-character tokens. No minimum length (OpenAI's starts at 1,024 tokens)."""
        prompt = "".join(req.texts)
        key = (str(req.model), req.texts[0] if req.texts else "")
        previous = self._last_prompt.get(key, "")
        self._last_prompt[key] = prompt
        return len(os.path.commonprefix([previous, prompt])) // 4  # noqa: RUF071 (characters are meant)

    def complete(self, body: bytes, authorization: str) -> _Reply:
        """The reply to one chat-completions request body (``delay``: how long to wait before sending)."""
        try:
            payload = json.loads(body or b"null")
            if not isinstance(payload, dict):
                raise ValueError("the body must be a JSON object")
            req = _Request(payload)
        except ValueError as exc:
            with self._lock:
                self.requests += 1
                self.log.append({"fault": None, "mode": self.mode, "response_format": None, "status": 400})
            return _Reply(400, _error(f"could not parse the JSON body: {exc}", "invalid_request_error"))

        with self._lock:
            self.requests += 1
            n = self.requests
            if self.keep_bodies:
                self.bodies.append(payload)
            if req.answer is not None:
                self.answers[hashlib.sha256(req.answer.encode()).hexdigest()] += 1
            refused = param_rejection(payload, self.reject_params) if self.reject_params else None
            rejected = req.format_name in self.reject_formats
            fault = None if rejected or refused else self._next_fault()
            cached_tokens = self._cached_tokens(req)
        entry: dict[str, Any] = {
            "n": n,
            "fault": fault,
            "mode": self.mode,
            "response_format": req.format_type,
            "model": req.model,
            "criteria_source": req.criteria_source,
            "schema_in_prompt": req.schema_in_prompt,
        }
        reply = refused or self._reply(req, n, fault, rejected, authorization)
        if isinstance(reply.body, dict) and isinstance(reply.body.get("usage"), dict):
            usage = reply.body["usage"]
            usage["prompt_tokens_details"] = {"cached_tokens": min(cached_tokens, usage.get("prompt_tokens", 0))}
        entry["status"] = reply.status if reply.action == "send" else None
        if isinstance(reply.body, dict) and "usage" in reply.body:
            entry["usage"] = reply.body["usage"]
        reply.delay += self.latency
        with self._lock:
            self.log.append(entry)
        return reply

    def _reply(self, req: _Request, n: int, fault: str | None, rejected: bool, authorization: str) -> _Reply:
        rid = {"x-request-id": f"req_dev{n:06d}"}
        presented = authorization.removeprefix("Bearer ").strip()
        if fault == "401" or (self.api_key is not None and presented != self.api_key):
            return _Reply(
                401,
                _error(
                    f"Incorrect API key provided: {presented or '(none)'}. Check the key and try again.",
                    "invalid_request_error",
                    "invalid_api_key",
                ),
                rid,
            )
        if rejected:
            if req.format_name == "json_schema":  # llama.cpp's server, word for word
                message = (
                    "1 validation error for CreateChatCompletionRequest\nresponse_format.type\n"
                    "  Input should be 'text' or 'json_object' [type=literal_error, "
                    "input_value='json_schema', input_type=str]"
                )
            else:
                message = f"response_format {req.format_name!r} is not supported by this server"
            return _Reply(500, {"error": {"code": 500, "message": message, "type": "server_error"}}, rid)
        if fault == "429":
            return _Reply(
                429,
                _error("Rate limit reached for requests (injected fault).", "requests", "rate_limit_exceeded"),
                {**rid, "Retry-After": "1"},
            )
        if fault == "429ms":
            return _Reply(
                429,
                _error("Rate limit reached for tokens (injected fault).", "tokens", "rate_limit_exceeded"),
                {**rid, "retry-after-ms": "10"},
            )
        if fault == "500":
            return _Reply(
                500,
                _error("The server had an error while processing your request (injected fault).", "server_error"),
                rid,
            )
        if fault == "503":
            return _Reply(
                503,
                _error(
                    "The engine is currently overloaded, please try again later (injected fault).",
                    "server_error",
                    "overloaded",
                ),
                rid,
            )
        if fault == "400":
            return _Reply(
                400,
                _error(
                    "Invalid value for 'temperature': expected a number (injected fault).",
                    "invalid_request_error",
                    "invalid_value",
                    "temperature",
                ),
                rid,
            )
        if fault == "400key":  # a careless server quoting the request's credentials back
            return _Reply(
                400,
                _error(
                    f"Invalid request from key {presented or '(none)'} (Authorization: Bearer {presented}); "
                    "'temperature' must be a number (injected fault).",
                    "invalid_request_error",
                    "invalid_value",
                ),
                rid,
            )
        if fault == "404":
            return _Reply(
                404,
                _error(
                    f"The model '{req.model}' does not exist (injected fault).",
                    "invalid_request_error",
                    "model_not_found",
                    "model",
                ),
                rid,
            )
        if fault == "reset":
            return _Reply(action="reset")
        if fault == "html_200":  # a proxy or captive portal answering in place of the server
            page = b"<html><head><title>502 Bad Gateway</title></head><body>upstream error</body></html>"
            return _Reply(200, None, rid, raw=page, content_type="text/html")
        if fault == "garbage_200":  # claims JSON, is not
            return _Reply(200, None, rid, raw=b'{"id": "chatcmpl-dev", "choices": [', content_type="application/json")

        verdict = {"honest": _honest_verdict, "obedient": _obedient_verdict}.get(self.mode, _gullible_verdict)(req)
        finish = "stop"
        if fault == "invalid_json":
            content = "Sure! Here is the verdict: {oops"
        elif fault == "schema_violation":
            broken = dict(verdict)
            broken["criteria"] = [
                *verdict["criteria"][:-1],
                {
                    "criterion_id": "not-a-criterion",
                    "evidence": [],
                    "rationale": "An extra criterion.",
                    "level": "full",
                },
            ]
            content = json.dumps(broken)
        else:
            content = json.dumps(verdict)
            if fault == "truncation":
                content = content[: len(content) // 2]
                finish = "length"
        prompt_tokens = max(1, math.ceil(req.prompt_chars / 4))
        completion_tokens = max(1, math.ceil(len(content) / 4))
        body = {
            "id": f"chatcmpl-dev{n:06d}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": req.model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "logprobs": None,
                    "finish_reason": finish,
                }
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }
        return _Reply(200, body, rid, delay=self.timeout_sleep if fault == "timeout" else 0.0)
