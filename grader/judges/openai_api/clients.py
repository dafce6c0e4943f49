"""The openai clients: the async one for chat completions and the sync one for the Files and Batches
calls, both with the client's own retries off (the adapter's one retry policy, :mod:`.retry`, is the
only transport layer), and the configured API key as the secret every error message is redacted of."""

from __future__ import annotations

import ssl

import openai

from grader.settings import Settings

__all__ = ["configured_secret", "make_async_client", "make_sync_client"]


def _api_key(settings: Settings) -> str:
    return settings.api_key.get_secret_value() if settings.api_key else "not-needed"


def configured_secret(settings: Settings) -> str | None:
    """The configured API key, for redaction (None when none is set)."""
    return settings.api_key.get_secret_value() if settings.api_key else None


def _plain_http(base_url: str | None) -> bool:
    return bool(base_url) and str(base_url).strip().lower().startswith("http://")


def make_async_client(settings: Settings) -> openai.AsyncOpenAI:
    """The async client for chat completions; its own retries are off (:func:`.chat.send_chat` retries).

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
    """The sync client for the Files and Batches calls; its own retries are off (:class:`.batches.BatchClient`
    retries)."""
    return openai.OpenAI(
        api_key=_api_key(settings), base_url=settings.base_url, max_retries=0, timeout=settings.timeout
    )
