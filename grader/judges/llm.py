"""The LLM judge: prompting, response formats and the re-ask loop, over the OpenAI adapter
(:mod:`grader.judges.openai_api`, the one package that imports ``openai``).

Two retry layers, never stacked blindly:

- **transport** (in the adapter, :func:`~grader.judges.openai_api.send_chat`): 408/409/429/5xx,
  timeouts and connection errors are retried with backoff, honouring ``Retry-After``, at most
  ``settings.max_retries`` times; authentication and other 4xx errors are not retried. The openai
  client's own retries are off, so there is exactly one transport layer.
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

Per-model parameters (:class:`~grader.judges.openai_api.ChatParams`): an OpenAI reasoning model by
name (o-series, gpt-5 family) gets ``max_completion_tokens`` and no ``temperature``; ``reasoning_effort``
is sent when configured. A server that rejects a parameter with a 400 naming it (``Unsupported
parameter: 'max_tokens'``, ``Unsupported value: 'temperature'``) is adapted to once — max_tokens →
max_completion_tokens, temperature dropped — and the judge remembers it for its life (its model and
server are fixed). Until one request has gone through, the judge's requests go one at a time, so a
batch that meets the rejection spends one extra request, not one per row in flight.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt

from grader.errors import TransportError, Usage, VerdictError
from grader.examples import ExampleSet, GradedExample, choose_for_prompt, examples_hash
from grader.judges._request import ParamState, judge_messages, request_body, response_format
from grader.judges.endpoints import Endpoint, EndpointPool, is_endpoint_failure
from grader.judges.openai_api import (
    FORMAT_MODES,
    ChatParams,
    chat_hints,
    complete_json,
    make_async_client,
    parse_completion,
    send_chat,
)
from grader.prompts import PromptSet
from grader.rubric.model import Rubric
from grader.settings import Settings
from grader.types import BaseJudge, JudgeOutcome, RateLimitCallback, RequestGate
from grader.verdict import VerdictProblem, parse_verdict, verdict_schema

__all__ = ["LLMJudge", "FORMAT_MODES", "request_body", "response_format", "judge_messages", "complete_json"]

_TRUNCATED = (
    "the reply was cut off at the token limit (finish_reason=length); keep rationales to one sentence and quotes short"
)


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
        self._params = ParamState(self.model)
        self.version = prompts.version if prompts is not None else ""  # a template edit changes the cache key
        self._examples: ExampleSet | None = None
        # several replicas (settings.endpoints): one client and concurrency gate each (grader.judges.endpoints)
        self._pool = EndpointPool(settings) if client is None and len(settings.endpoints) > 1 else None

    def reseeded(self, seed: int) -> LLMJudge:
        """A judge that sends ``seed``, sharing the HTTP client, the format mode (a server that rejected
        json_schema still rejects it), the request gate and the rate-limit callback."""
        judge = LLMJudge(
            self.settings.model_copy(update={"seed": seed}),
            self.prompts,
            client=self.client,
            sleep=self._sleep,
            on_rate_limit=self._on_rate_limit,
        )
        judge.model = self.model
        judge.format_mode = self.format_mode
        judge._params = self._params
        judge._gate = self._gate
        judge._pool = self._pool
        judge._owns_client = False
        judge._examples = self._examples
        return judge

    # -- graded examples in the prompt (grader.examples) ---------------------------------------

    def set_examples(self, examples: ExampleSet | None) -> None:
        """Show up to ``settings.examples`` graded examples of a question in its prompts."""
        self._examples = examples if examples else None

    def prompt_examples(self, rubric: Rubric) -> list[GradedExample]:
        """The graded examples in this question's prompts with the ``spread`` pick: the same for every
        answer to it (so the prompt prefix is identical across them), chosen by
        :func:`grader.examples.choose_for_prompt`."""
        if self._examples is None or self.settings.examples < 1:
            return []
        return choose_for_prompt(self._examples.for_question(rubric.id), self.settings.examples)

    def examples_for(self, rubric: Rubric, answer: str) -> tuple[list[GradedExample], list[dict[str, Any]]]:
        """The graded examples this answer's prompt shows, and the result's ``examples_used`` entries for
        them: :meth:`prompt_examples`, or with ``examples_pick = "nearest"`` the ones nearest the answer
        (:mod:`grader.examples._retrieve`; embeds the answer, so call it off the event loop)."""
        if self._examples is None or self.settings.examples < 1:
            return [], []
        if self.settings.examples_pick != "nearest":
            return self.prompt_examples(rubric), []
        from grader.examples._blend import uses
        from grader.examples._retrieve import nearest_for_prompt, ordered
        from grader.judges.local.embedding import get_embedder

        near = nearest_for_prompt(self._examples, rubric.id, answer, self.settings.examples, get_embedder())
        return ordered(near), uses(near)

    def examples_key(self, rubric: Rubric) -> str:
        """What the examples in this question's prompts depend on ("" when none): the hash of the
        ``spread`` pick, or for ``nearest`` the pick's size and the question's example-set hash."""
        if self._examples is not None and self.settings.examples_pick == "nearest":
            from grader.examples._retrieve import nearest_key

            return nearest_key(self._examples, rubric.id, self.settings.examples)
        return examples_hash(self.prompt_examples(rubric))

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
            self._client = make_async_client(self.settings)
        return self._client

    # -- one request, with transport retries (in the adapter) and the format fallback ----------

    @property
    def params(self) -> ChatParams:
        """The request parameters this judge sends (adapted after a server rejected one)."""
        return self._params.params

    async def _send(self, messages: list[dict[str, str]], rubric: Rubric, counter: list[int]) -> Any:
        state = self._params
        if state.confirmed:
            return await self._send_once(messages, rubric, counter)
        async with state.lock():  # the first request goes alone: a parameter rejection is learned once
            if not state.confirmed:
                try:
                    return await self._send_once(messages, rubric, counter)
                finally:  # whatever the outcome: a dead server must not serialise the whole batch
                    state.confirmed = True
        return await self._send_once(messages, rubric, counter)

    async def _send_once(self, messages: list[dict[str, str]], rubric: Rubric, counter: list[int]) -> Any:
        current = [messages]  # after a format fallback: with the schema, kept for transport retries
        state = self._params

        def body() -> dict[str, Any]:
            return request_body(
                self.settings,
                self.prompts,
                rubric,
                "",
                self.format_mode,
                messages=current[0],
                model=self.model,
                params=state.params,
            )

        def fall_back() -> bool:
            if self.format_mode == FORMAT_MODES[-1]:
                return False
            self.format_mode = FORMAT_MODES[FORMAT_MODES.index(self.format_mode) + 1]
            current[0] = self._with_schema(current[0], rubric)
            return True

        if self._pool is not None:
            return await self._send_spread(self._pool, body, fall_back, counter)
        return await send_chat(
            self.client,
            self.settings,
            body,
            counter=counter,
            hints=chat_hints(self.model),
            fall_back=fall_back,
            adapt=state.adapt,
            gate=self._gate,
            on_rate_limit=self._on_rate_limit,
            sleep=self._sleep,
        )

    async def _send_spread(
        self,
        pool: EndpointPool,
        body: Callable[[], dict[str, Any]],
        fall_back: Callable[[], bool],
        counter: list[int],
    ) -> Any:
        """One request over several endpoints: the least busy one; a failure of the endpoint moves
        the request to another (every endpoint once per round, then a backoff), at most
        ``max(max_retries + 1, endpoints)`` attempts."""
        tried: set[Endpoint] = set()
        attempts = max(self.settings.max_retries + 1, len(pool.endpoints))
        sent = 0
        while True:
            endpoint = pool.choose(tried)
            if endpoint is None:  # every endpoint failed this round
                await self._sleep(min(2.0 ** len(tried), self.settings.retry_max_wait))
                tried = set()
                endpoint = pool.choose(tried)
                assert endpoint is not None
            endpoint.in_flight += 1
            try:
                async with pool.gate(endpoint):
                    if pool.moved_away(endpoint, tried):  # drained while this request waited for it
                        tried.add(endpoint)
                        continue
                    sent += 1
                    endpoint.requests += 1
                    response = await send_chat(
                        pool.client(endpoint),
                        endpoint.settings,
                        body,
                        counter=counter,
                        hints=chat_hints(self.model),
                        fall_back=fall_back,
                        gate=self._gate,
                        on_rate_limit=self._on_rate_limit,
                        sleep=self._sleep,
                    )
            except TransportError as exc:
                if not is_endpoint_failure(exc):
                    raise
                pool.failed(endpoint)
                if sent >= attempts:
                    raise
                tried.add(endpoint)
                continue
            finally:
                endpoint.in_flight -= 1
            pool.succeeded(endpoint)
            return response

    def _with_schema(self, messages: list[dict[str, str]], rubric: Rubric) -> list[dict[str, str]]:
        """JSON mode needs the schema in the prompt: re-render the system message with it."""
        if self.format_mode == "json_schema":
            return messages
        system = self.prompts.messages(rubric, "", schema=verdict_schema(rubric))[0]
        return [system, *messages[1:]]

    # -- one verdict, with re-asks -----------------------------------------------------------

    async def judge(self, rubric: Rubric, answer: str) -> JudgeOutcome:
        if self._examples is not None and self.settings.examples_pick == "nearest":
            shown, used = await asyncio.to_thread(self.examples_for, rubric, answer)
        else:
            shown, used = self.examples_for(rubric, answer)
        messages = judge_messages(self.prompts, rubric, answer, self.format_mode, shown)
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
                    if self._gate is not None:
                        # the request gate just let another answer's request go: let it go out now,
                        # before this reply is parsed and scored (milliseconds of CPU), so that
                        # requests do not queue behind scoring on the event loop (batch throughput)
                        await asyncio.sleep(0)
                    completion = parse_completion(response)
                    if completion.usage is not None:
                        usage = usage.add(completion.usage)
                    model = completion.model or model
                    last_output = completion.text
                    if not completion.has_choices:
                        problem = "the response had no choices"
                    elif completion.finish_reason == "length":
                        problem = _TRUNCATED
                    else:
                        try:
                            verdict = parse_verdict(last_output, rubric)
                        except VerdictProblem as exc:
                            problem = str(exc)
                        else:
                            return JudgeOutcome(
                                verdict,
                                usage,
                                counter[0],
                                model,
                                last_output,
                                details={"format_mode": self.format_mode}
                                | ({"examples": {"base": None, "used": used}} if used else {}),
                            )
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
        if self._owns_client and self._pool is not None:
            await self._pool.aclose()
        if self._owns_client and self._client is not None:
            await self._client.close()
            self._client = None
