"""Per-model request parameters: how a chat request states its sampling parameters for one model on one
server (:class:`ChatParams`: ``max_tokens`` or ``max_completion_tokens``, temperature, reasoning effort),
and which of them a server's HTTP 400 refuses as unsupported (:func:`rejected_param`), so the judge can
adapt and send again. Part of the OpenAI adapter (it reads ``openai``'s exception types)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import openai

from grader.settings import Settings

__all__ = ["ChatParams", "is_reasoning_model", "rejected_param"]

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
