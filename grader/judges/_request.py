"""The chat request an LLM judge sends: its first messages, the request body, and what a judge has
learned about its model's parameters.

:func:`request_body` builds the chat-completions body (model, messages, temperature, max_tokens,
response_format, seed); the live judge (:class:`grader.judges.llm.LLMJudge`) and the Batch API's request
lines both use it, so a row submitted through the Batch API asks exactly what the live judge would.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from grader.examples import GradedExample
from grader.judges._messages import answer_messages
from grader.judges.openai_api import ChatParams, response_format_for
from grader.prompts import PromptSet
from grader.rubric.model import Rubric
from grader.settings import Settings
from grader.verdict import verdict_schema

__all__ = ["response_format", "judge_messages", "request_body", "ParamState"]


def response_format(rubric: Rubric, format_mode: str = "json_schema") -> dict[str, Any]:
    """The ``response_format`` for a format mode (see :data:`FORMAT_MODES`)."""
    return response_format_for(verdict_schema(rubric), "verdict", format_mode)


def judge_messages(
    prompts: PromptSet,
    rubric: Rubric,
    answer: str,
    format_mode: str = "json_schema",
    examples: Sequence[GradedExample] = (),
) -> list[dict[str, str]]:
    """The first messages for an answer; JSON modes carry the schema in the system message. Rendered
    once per rubric, then filled per answer (:mod:`grader.judges._messages`: the same bytes); graded
    examples of the question, if any, come before the answer (rendered in full)."""
    schema = verdict_schema(rubric) if format_mode != "json_schema" else None
    if examples:
        return prompts.messages(rubric, answer, schema=schema, examples=examples)
    return answer_messages(prompts, rubric, answer, schema)


def request_body(
    settings: Settings,
    prompts: PromptSet,
    rubric: Rubric,
    answer: str,
    format_mode: str = "json_schema",
    *,
    messages: list[dict[str, str]] | None = None,
    model: str | None = None,
    params: ChatParams | None = None,
    examples: Sequence[GradedExample] = (),
) -> dict[str, Any]:
    """The chat-completions request body the judge sends for ``answer`` (or for ``messages``, e.g.
    a re-ask, when given). Shared by :class:`LLMJudge` and the Batch API's request lines.
    ``params`` default to the model's by name (:meth:`ChatParams.for_model`)."""
    name = model or settings.model
    body: dict[str, Any] = {
        "model": name,
        "messages": messages
        if messages is not None
        else judge_messages(prompts, rubric, answer, format_mode, examples),
    }
    (params or ChatParams.for_model(name)).apply(body, settings)
    body["response_format"] = response_format(rubric, format_mode)
    if settings.seed is not None:
        body["seed"] = settings.seed
    return body


class ParamState:
    """What a judge learned about its model on its server, shared with its reseeded copies: the
    request parameters, whether one request has gone through with them, and the lock that holds
    requests to one at a time until then (created per event loop: sync callers run one per call)."""

    def __init__(self, model: str) -> None:
        self.params = ChatParams.for_model(model)
        self.confirmed = False
        self._lock: asyncio.Lock | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def lock(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        if self._lock is None or self._loop is not loop:
            self._lock, self._loop = asyncio.Lock(), loop
        return self._lock

    def adapt(self, rejected: str) -> bool:
        changed = self.params.adapted(rejected)
        if changed is None:
            return False
        self.params = changed
        return True
