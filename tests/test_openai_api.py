"""The OpenAI adapter (``grader.judges.openai_api``): the error mapping (table-driven, for the live
judge's wording and the Batch API's), the one completion parser (a ``ChatCompletion`` and a Batch
API output line read alike), the retry policy's helpers, ``complete_json``'s format fallback, and
the Files/Batches calls retrying through the one policy against DevServer (sleeps recorded, not
slept)."""

from __future__ import annotations

import asyncio
import json

import httpx2
import openai
import pytest
from openai.types.chat import ChatCompletion
from test_batch import read_out, write_csv

from grader.batch.api import BATCH_HINTS, make_client, run_batch_api
from grader.batch.api_files import completion_of
from grader.errors import TransportError, Usage
from grader.grading import Grader
from grader.judges.openai_api import (
    Completion,
    chat_hints,
    complete_json,
    is_transient,
    parse_completion,
    parse_usage,
    retry_after,
    transport_error,
)
from grader.settings import Settings
from grader.store import Store

SECRET = "sk-secret-key-1234567890"
BASE_URL = "http://llm.example/v1"
LONG = "x" * 300
NO_MODEL = "The model 'test-model' does not exist."
BAD_VALUE = "Invalid value for 'temperature'."
RESUME = "the submitted batches keep running on the server; rerun with --resume to pick them up"
LIVE_HINTS = chat_hints("test-model")


def said(status: int, message: str) -> str:
    """What the openai client makes of the server's message, as the user sees it (200 characters)."""
    return f"Error code: {status} - {message}"[:200]


_REQUEST = httpx2.Request("POST", f"{BASE_URL}/chat/completions")


def status_error(status: int, message: str, headers: dict[str, str] | None = None) -> openai.APIStatusError:
    """The exception the openai client raises for this response (its own choice of subclass and of
    the message it reads from the body)."""
    response = httpx2.Response(status, headers=headers or {}, json={"error": {"message": message}}, request=_REQUEST)
    client = openai.OpenAI(api_key="unused", base_url=BASE_URL)
    try:
        return client._make_status_error_from_response(response)
    finally:
        client.close()


def timeout_error() -> openai.APITimeoutError:
    return openai.APITimeoutError(request=_REQUEST)


def connection_error() -> openai.APIConnectionError:
    return openai.APIConnectionError(request=_REQUEST)


# -- the error mapping -------------------------------------------------------------------------

LIVE_CASES = [
    # (exception, base_url, message, hint, retryable)
    (
        lambda: status_error(401, f"Incorrect API key provided: {SECRET}."),
        BASE_URL,
        "the server rejected the API key (HTTP 401)",
        LIVE_HINTS.auth,
        False,
    ),
    (
        lambda: status_error(403, f"Key {SECRET} may not use this model."),
        BASE_URL,
        "the server rejected the API key (HTTP 403)",
        LIVE_HINTS.auth,
        False,
    ),
    (
        lambda: status_error(404, NO_MODEL),
        BASE_URL,
        f"not found (HTTP 404) at {BASE_URL}: {said(404, NO_MODEL)}",
        LIVE_HINTS.not_found,
        False,
    ),
    (
        lambda: status_error(404, LONG),
        None,
        f"not found (HTTP 404) at the OpenAI API: {said(404, LONG)}",
        LIVE_HINTS.not_found,
        False,
    ),
    (
        lambda: status_error(400, BAD_VALUE),
        BASE_URL,
        f"the server answered HTTP 400: {said(400, BAD_VALUE)}",
        "this error is not retried",
        False,
    ),
    (
        lambda: status_error(422, LONG),
        BASE_URL,
        f"the server answered HTTP 422: {said(422, LONG)}",
        "this error is not retried",
        False,
    ),
    (
        lambda: status_error(408, "Request timeout."),
        BASE_URL,
        f"the server answered HTTP 408: {said(408, 'Request timeout.')}",
        "the request was retried",
        True,
    ),
    (
        lambda: status_error(409, "Conflict."),
        BASE_URL,
        f"the server answered HTTP 409: {said(409, 'Conflict.')}",
        "the request was retried",
        True,
    ),
    (
        lambda: status_error(429, "Rate limit reached."),
        BASE_URL,
        f"the server answered HTTP 429: {said(429, 'Rate limit reached.')}",
        "the request was retried",
        True,
    ),
    (
        lambda: status_error(500, "The server had an error."),
        BASE_URL,
        f"the server answered HTTP 500: {said(500, 'The server had an error.')}",
        "the request was retried",
        True,
    ),
    (
        lambda: status_error(503, "Overloaded."),
        BASE_URL,
        f"the server answered HTTP 503: {said(503, 'Overloaded.')}",
        "the request was retried",
        True,
    ),
    (timeout_error, BASE_URL, f"timed out to {BASE_URL} after 3 attempt(s)", LIVE_HINTS.connection, True),
    (connection_error, None, "could not connect to the OpenAI API after 3 attempt(s)", LIVE_HINTS.connection, True),
]


@pytest.mark.parametrize(("make", "base_url", "message", "hint", "retryable"), LIVE_CASES)
def test_error_mapping_for_chat_completions(make, base_url, message, hint, retryable):
    exc = make()
    error = transport_error(exc, attempts=3, base_url=base_url, hints=LIVE_HINTS)
    assert isinstance(error, TransportError)
    assert error.message == message
    assert error.hint == hint
    assert error.retryable is retryable is is_transient(exc)
    assert error.attempts == 3
    assert error.status == getattr(exc, "status_code", None)
    assert SECRET not in f"{error.one_line()} {error!r} {error.hint}"  # 401/403: never the server's words


BATCH_CASES = [
    (
        lambda: status_error(401, f"Incorrect API key provided: {SECRET}."),
        "creating the batch: the server rejected the API key (HTTP 401)",
        "check OPENAI_API_KEY",
        False,
    ),
    (
        lambda: status_error(403, f"Key {SECRET} may not use the Batch API."),
        "creating the batch: the server rejected the API key (HTTP 403)",
        "check OPENAI_API_KEY",
        False,
    ),
    (
        lambda: status_error(404, "No route."),
        f"creating the batch: not found (HTTP 404) at {BASE_URL}: {said(404, 'No route.')}",
        BATCH_HINTS.not_found,
        False,
    ),
    (
        lambda: status_error(400, LONG),
        f"creating the batch: the server answered HTTP 400: {said(400, LONG)}",
        RESUME,
        False,
    ),
    (
        lambda: status_error(500, "The server had an error."),
        f"creating the batch: the server answered HTTP 500: {said(500, 'The server had an error.')}",
        RESUME,
        True,
    ),
    (timeout_error, f"creating the batch: timed out to {BASE_URL}", RESUME, True),
    (connection_error, f"creating the batch: could not connect to {BASE_URL}", RESUME, True),
]


@pytest.mark.parametrize(("make", "message", "hint", "retryable"), BATCH_CASES)
def test_error_mapping_for_the_batch_api_keeps_its_wording(make, message, hint, retryable):
    error = transport_error(make(), attempts=2, base_url=BASE_URL, hints=BATCH_HINTS, what="creating the batch")
    assert (error.message, error.hint, error.retryable, error.attempts) == (message, hint, retryable, 2)
    assert SECRET not in f"{error.one_line()} {error!r}"


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "2"}, 2.0),
        ({"retry-after-ms": "10"}, 0.01),
        ({"retry-after-ms": "10", "Retry-After": "5"}, 0.01),  # the finer one wins
        ({"Retry-After": "-3"}, 0.0),
        ({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}, 0.0),  # a date in the past: no wait
        ({"Retry-After": "soon"}, None),
        ({}, None),
    ],
)
def test_retry_after(headers, expected):
    assert retry_after(status_error(429, "slow down", headers)) == expected


def test_retry_after_ignores_errors_without_a_response():
    assert retry_after(timeout_error()) is None
    assert retry_after(ValueError("x")) is None


# -- the completion parser ---------------------------------------------------------------------


def _body(*, usage: dict | None, choices: list | None = None, model: str = "gpt-4o-mini") -> dict:
    body = {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": choices
        if choices is not None
        else [{"index": 0, "message": {"role": "assistant", "content": '{"ok": true}'}, "finish_reason": "stop"}],
    }
    if usage is not None:
        body["usage"] = usage
    return body


USAGE_CACHED = {
    "prompt_tokens": 1200,
    "completion_tokens": 80,
    "total_tokens": 1280,
    "prompt_tokens_details": {"cached_tokens": 1024},
}
PARSER_CASES = [
    (_body(usage=USAGE_CACHED), Completion('{"ok": true}', "stop", Usage(1200, 80, 1024), "gpt-4o-mini", True)),
    (
        _body(usage={"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}),
        Completion('{"ok": true}', "stop", Usage(10, 5, 0), "gpt-4o-mini", True),
    ),
    (
        _body(usage={"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15, "prompt_tokens_details": None}),
        Completion('{"ok": true}', "stop", Usage(10, 5, 0), "gpt-4o-mini", True),
    ),
    (_body(usage=None), Completion('{"ok": true}', "stop", None, "gpt-4o-mini", True)),
    (_body(usage=None, choices=[]), Completion("", None, None, "gpt-4o-mini", False)),
    (
        _body(
            usage=None,
            choices=[{"index": 0, "message": {"role": "assistant", "content": '{"cut'}, "finish_reason": "length"}],
        ),
        Completion('{"cut', "length", None, "gpt-4o-mini", True),
    ),
    (
        _body(
            usage=None,
            choices=[
                {"index": 0, "message": {"role": "assistant", "content": None}, "finish_reason": "content_filter"}
            ],
        ),
        Completion("", "content_filter", None, "gpt-4o-mini", True),
    ),
    (_body(usage=None, model=""), Completion('{"ok": true}', "stop", None, None, True)),
]


@pytest.mark.parametrize(("body", "expected"), PARSER_CASES)
def test_one_parser_for_a_chat_completion_and_a_batch_output_line(body, expected):
    assert parse_completion(ChatCompletion.model_validate(body)) == expected  # the live judge's response
    assert parse_completion(body) == expected  # a Batch API output line's response.body
    line = {
        "id": "batch_req_1",
        "custom_id": "row-1-abc",
        "error": None,
        "response": {"status_code": 200, "request_id": "req_1", "body": body},
    }
    assert completion_of(line) == expected


def test_a_batch_line_without_a_body_has_no_choices():
    line = {"custom_id": "row-1-abc", "response": {"status_code": 200}}
    assert completion_of(line) == Completion("", None, None, None, False)


@pytest.mark.parametrize(
    ("usage", "expected"),
    [
        (None, None),
        ({}, Usage(0, 0, 0)),
        ({"prompt_tokens": 7, "completion_tokens": None}, Usage(7, 0, 0)),
        (
            {"prompt_tokens": 7, "completion_tokens": 3, "prompt_tokens_details": {"cached_tokens": None}},
            Usage(7, 3, 0),
        ),
        ({"prompt_tokens": 7, "completion_tokens": 3, "prompt_tokens_details": {"cached_tokens": 4}}, Usage(7, 3, 4)),
    ],
)
def test_parse_usage(usage, expected):
    assert parse_usage(usage) == expected


def test_result_from_output_reads_a_usage_dict_with_the_same_parser(bank, good_answer):
    grader = Grader(Settings(backend="local"), bank=bank)
    result = grader.result_from_output(bank.get("t-diffusion"), good_answer, "not json", USAGE_CACHED)
    assert result.status == "unscored"
    assert result.usage["prompt_tokens"] == 1200 and result.usage["cached_tokens"] == 1024


# -- complete_json -----------------------------------------------------------------------------

SCHEMA = {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"], "additionalProperties": False}
MESSAGES = [{"role": "system", "content": "Say a."}, {"role": "user", "content": "Go."}]


def test_complete_json_falls_back_to_json_mode_with_the_schema_in_the_prompt(dev_server):
    server = dev_server(reject_json_schema=True, keep_bodies=True)
    settings = Settings(api_key="k", base_url=server.base_url, model="m", max_retries=0)
    text, usage = asyncio.run(complete_json(settings, MESSAGES, SCHEMA, name="thing"))
    assert json.loads(text) is not None and usage.prompt_tokens > 0
    assert [(e["response_format"], e["status"]) for e in server.log] == [("json_schema", 500), ("json_object", 200)]
    first, second = server.bodies
    assert first["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "thing", "strict": True, "schema": SCHEMA},
    }
    assert second["response_format"] == {"type": "json_object", "schema": SCHEMA}
    assert second["messages"][0]["content"].endswith(json.dumps(SCHEMA, separators=(",", ":")))
    assert first["messages"] == MESSAGES  # the caller's list is not changed


def test_complete_json_maps_errors_like_the_judge(dev_server):
    server = dev_server(faults=["401"])
    settings = Settings(api_key=SECRET, base_url=server.base_url, model="m", max_retries=3)
    with pytest.raises(TransportError) as info:
        asyncio.run(complete_json(settings, MESSAGES, SCHEMA))
    assert info.value.message == "the server rejected the API key (HTTP 401)" and server.requests == 1
    assert SECRET not in repr(info.value)


# -- the Files and Batches calls: the same retry policy ----------------------------------------


def _batch_client(server, waits, **overrides):
    options = {
        "api_key": "test-key",
        "base_url": server.base_url,
        "model": "test-model",
        "timeout": 5.0,
        "max_retries": 2,
        **overrides,
    }
    return make_client(Settings(**options), sleep=waits.append)


def test_files_and_batches_calls_retry_500_and_429_through_the_one_policy(dev_server):
    server = dev_server(api_faults=["500", "429", None, "503", "429ms"])
    waits: list[float] = []
    client = _batch_client(server, waits)
    try:
        upload = client.upload("in.jsonl", b"{}\n", timeout=5.0)  # 500, 429, then stored
        assert server.file_uploads == 1 and server.api_requests == 3
        assert 0.0 <= waits[0] <= 1.0 and waits[1] == pytest.approx(1.0)  # backoff, then Retry-After: 1
        assert client.file_text(upload.id) == "{}\n"  # 503, 429ms, then read
        assert server.api_requests == 6 and len(waits) == 4 and waits[3] == pytest.approx(0.01)
    finally:
        client.close()


def test_files_and_batches_calls_give_up_after_max_retries(dev_server):
    server = dev_server(api_faults=["503"] * 5)
    waits: list[float] = []
    client = _batch_client(server, waits, max_retries=2)
    try:
        with pytest.raises(TransportError) as info:
            client.list_batches()
    finally:
        client.close()
    assert server.api_requests == 3 and len(waits) == 2  # the SDK's own retries are off: max_retries + 1
    error = info.value
    assert error.message.startswith("listing batches: the server answered HTTP 503: ")
    assert (error.status, error.attempts, error.retryable, error.hint) == (503, 3, True, RESUME)


def test_files_and_batches_client_errors_are_not_retried(dev_server):
    server = dev_server(api_key="the-right-key")
    waits: list[float] = []
    client = _batch_client(server, waits, api_key=SECRET, max_retries=4)
    try:
        with pytest.raises(TransportError) as info:
            client.retrieve_batch("batch_x")
    finally:
        client.close()
    assert server.api_requests == 1 and waits == []  # one request, no retry
    assert info.value.message == "checking batch batch_x: the server rejected the API key (HTTP 401)"
    assert SECRET not in f"{info.value.one_line()} {info.value!r}"

    client = _batch_client(server, waits, api_key="the-right-key", max_retries=4)
    try:
        with pytest.raises(TransportError) as info:
            client.retrieve_batch("batch_missing")
    finally:
        client.close()
    assert server.api_requests == 2 and waits == []
    assert info.value.status == 404 and "Batch API" in info.value.hint


def test_a_batch_run_survives_faults_on_every_kind_of_call(dev_server, bank, tmp_path, good_answer):
    """Upload, create, retrieve and download each meet a transient fault once; the output is the
    same as a run without faults."""
    answers = [f"{good_answer} Note {i}." for i in range(3)]
    src = write_csv(tmp_path / "in.csv", [(f"c{i}", "t-diffusion", a) for i, a in enumerate(answers)])

    def run(server, name):
        waits: list[float] = []
        settings = Settings(
            api_key="test-key",
            base_url=server.base_url,
            model="test-model",
            timeout=5.0,
            store=tmp_path / f"{name}.sqlite3",
        )
        store = Store(settings.store_path)
        client = make_client(settings, sleep=waits.append)
        try:
            result = run_batch_api(
                Grader(settings, bank=bank, store=store),
                src,
                tmp_path / f"{name}.csv",
                client=client,
                poll_interval=0,
                sleep=lambda _s: None,
            )
        finally:
            client.close()
            store.close()
        return result, waits

    clean_server = dev_server(batch_polls_to_complete=1)
    clean, clean_waits = run(clean_server, "clean")
    # one fault for each call: upload, create, retrieve (completed on the first poll), download
    faulty_server = dev_server(batch_polls_to_complete=1, api_faults=["500", None, "429ms", None, "503", None, "500"])
    faulty, waits = run(faulty_server, "faulty")
    assert (clean_server.api_requests, faulty_server.api_requests) == (4, 8)
    assert clean_waits == [] and len(waits) == 4
    assert faulty.batches_created == clean.batches_created == 1 and faulty_server.file_uploads == 1
    keep = ("row", "status", "score", "band", "flags")
    got = [{k: r[k] for k in keep} for r in read_out(tmp_path / "faulty.csv")]
    assert got == [{k: r[k] for k in keep} for r in read_out(tmp_path / "clean.csv")]
    assert [r["status"] for r in got] == ["graded"] * 3
