"""The OpenAI adapter: the one package that imports ``openai``, and its public face.

Everything the grader sends to an OpenAI-compatible server goes through here; callers import from
``grader.judges.openai_api``, and each topic lives in its own module:

- **chat completions** (:mod:`.chat`: :func:`post_chat`, :func:`send_chat`): one ``POST /chat/completions``
  with a raw body through the async client, the request gate held around the HTTP request only, the
  rate-limit callback told the Retry-After of every 429, and the ``response_format`` fallback
  signal (json_schema → json_object with the schema → json_object, see :data:`FORMAT_MODES`): a
  server that rejects a format (llama.cpp's answers HTTP 500) makes :func:`send_chat` ask the
  caller to fall back and send again. :func:`complete_json` is one JSON reply outside grading.
- **per-model request parameters** (:mod:`.params`: :class:`ChatParams`, :func:`rejected_param`):
  ``max_tokens`` or ``max_completion_tokens``, temperature and reasoning effort per model, adapted
  when a server refuses one by name.
- **the clients** (:mod:`.clients`): async for chat, sync for Files/Batches, their own retries off.
- **transport retries, one policy** (:mod:`.retry`: :func:`async_retrying`, :func:`retrying`):
  408/409/429/5xx, an HTTP 200 whose body is not JSON (:class:`NotJSONResponse`: a proxy's HTML page,
  a cut-off body), timeouts and connection errors are retried with capped, jittered exponential
  backoff, honouring ``Retry-After`` / ``retry-after-ms``, at most ``settings.max_retries`` times, each
  wait capped at ``settings.retry_max_wait``; authentication and other 4xx errors are not retried. The
  openai clients' own retries are off (``max_retries=0``), so there is exactly one transport layer,
  for the live judge and for the Batch API's Files/Batches calls alike. (The judge's second layer, the
  re-ask on an invalid verdict, lives in :mod:`grader.judges.llm`.)
- **one error mapping** (:mod:`.error_mapping`: :func:`transport_error`): an openai exception becomes a
  :class:`~grader.errors.TransportError` with one line and a hint. 401/403 never echo the server's
  message (it may quote the key); other messages are cut to 200 characters and redacted
  (:func:`grader.text.redact`: the configured key, bearer tokens, ``sk-…`` keys). Callers word their own
  hints (:class:`ErrorHints`) and prefix (``what``).
- **one completion parser** (:mod:`.completion`: :func:`parse_completion`, :func:`parse_usage`): text,
  finish reason, usage (cached prompt tokens included) and model, from a chat completion's JSON (what
  :func:`post_chat` returns), a typed ``ChatCompletion``, or the ``body`` of a Batch API output line.
- **the Files and Batches calls** of the Batch API (:mod:`.batches`: :class:`BatchClient`), synchronous.
"""

from __future__ import annotations

from openai.types.chat import ChatCompletion

from grader.judges.openai_api.batches import BatchClient
from grader.judges.openai_api.chat import FORMAT_MODES, complete_json, post_chat, response_format_for, send_chat
from grader.judges.openai_api.clients import make_async_client, make_sync_client
from grader.judges.openai_api.completion import Completion, parse_completion, parse_usage
from grader.judges.openai_api.error_mapping import ErrorHints, chat_hints, transport_error
from grader.judges.openai_api.params import ChatParams, is_reasoning_model, rejected_param
from grader.judges.openai_api.retry import (
    NotJSONResponse,
    async_retrying,
    is_format_rejection,
    is_transient,
    retry_after,
    retrying,
)

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
