"""The one completion parser (:func:`parse_completion`, :func:`parse_usage`): text, finish reason, usage
(cached prompt tokens included) and model, from a chat completion's JSON (what :func:`.chat.post_chat`
returns), a typed ``ChatCompletion``, or the ``body`` of a Batch API output line. Plain data: it needs
nothing from ``openai``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from grader.errors import Usage

__all__ = ["Completion", "parse_completion", "parse_usage"]


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
