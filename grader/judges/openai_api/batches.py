"""The Files and Batches calls of the Batch API (:class:`BatchClient`), synchronous, each through the
adapter's one transport retry policy (:mod:`.retry`) and error mapping (:mod:`.error_mapping`)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import openai

from grader.judges.openai_api.clients import configured_secret, make_sync_client
from grader.judges.openai_api.error_mapping import ErrorHints, transport_error
from grader.judges.openai_api.retry import NotJSONResponse, checked, retrying
from grader.settings import Settings

__all__ = ["BatchClient"]


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
                        return checked(fn(*args, **kwargs))
                    except json.JSONDecodeError as exc:
                        raise NotJSONResponse(f"a body that is not JSON ({exc})") from None
        except (openai.APIStatusError, openai.APIConnectionError, NotJSONResponse) as exc:
            raise transport_error(
                exc,
                attempts=attempts,
                base_url=self.settings.base_url,
                hints=self.hints,
                what=what,
                secret=configured_secret(self.settings),
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
