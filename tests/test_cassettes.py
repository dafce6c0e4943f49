"""Recorded HTTP: the judge's exchanges with a server, replayed offline (vcrpy via pytest-recording).

The cassettes in ``tests/cassettes/test_cassettes/`` are recorded by these tests against the
project's DevServer, never written by hand. By default (record mode ``none``) no server is started
and a request that is not in a cassette fails the test. To re-record them (a DevServer is started on
127.0.0.1:8765, or on a free port if that one is taken)::

    pytest tests/test_cassettes.py --record-mode=rewrite

Requests match on method, scheme, host, path and query — not the port — plus the ``chat_shape``
matcher from ``conftest.py`` (model, response_format type, message roles), so a replayed re-ask
must really send the re-ask while prompt-template edits do not invalidate the cassettes.
Credentials are filtered out of the recorded request headers (checked by the last test).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader.grading import Grader
from grader.settings import Settings
from grader.testing.devserver import DevServer

BASE_URL = "http://127.0.0.1:8765/v1"
API_KEY = "test-key-cassette-7c1e"
CASSETTES = Path(__file__).parent / "cassettes" / "test_cassettes"
GOOD_SCORE = 8.75  # conftest's good_answer graded full / full / partial by DevServer's honest judge


@pytest.fixture
def vcr_config() -> dict:
    return {
        "filter_headers": ["authorization", "api-key", "x-api-key", "openai-organization", "openai-project"],
        "match_on": ["method", "scheme", "host", "path", "query", "chat_shape"],
    }


@pytest.fixture
def server_url(record_mode: str):
    """Factory: the base URL to talk to. Recording starts a DevServer with the given options;
    replaying (record mode ``none``) starts nothing and returns the fixed URL of the cassettes."""
    servers: list[DevServer] = []

    def start(**options) -> str:
        if record_mode == "none":
            return BASE_URL
        try:
            server = DevServer(port=8765, **options).start()
        except OSError:  # the port is taken: the matcher ignores the port anyway
            server = DevServer(**options).start()
        servers.append(server)
        return server.base_url

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def make_grader(bank):
    async def no_sleep(seconds: float) -> None:
        pass

    def make(base_url: str) -> Grader:
        settings = Settings(
            api_key=API_KEY, base_url=base_url, model="test-model", timeout=10.0, max_retries=0, max_reasks=2
        )
        return Grader(settings, bank=bank, sleep=no_sleep)

    return make


def _usage(cassette) -> tuple[int, int]:
    bodies = [json.loads(r["body"]["string"]) for r in cassette.responses]
    return (sum(b["usage"]["prompt_tokens"] for b in bodies), sum(b["usage"]["completion_tokens"] for b in bodies))


def _no_credentials(cassette) -> None:
    for request in cassette.requests:
        assert not {"authorization", "api-key", "x-api-key"} & {k.lower() for k in request.headers}
        assert API_KEY not in json.dumps(dict(request.headers))


@pytest.mark.vcr
def test_happy_path(vcr, server_url, make_grader, good_answer):
    result = make_grader(server_url()).grade("t-diffusion", good_answer)

    assert result.status == "graded"
    assert result.attempts == 1
    assert result.score == GOOD_SCORE
    assert result.flag_codes == []
    assert len(vcr.requests) == 1
    assert (result.usage["prompt_tokens"], result.usage["completion_tokens"]) == _usage(vcr)
    assert json.loads(vcr.requests[0].body)["response_format"]["type"] == "json_schema"
    _no_credentials(vcr)
    if vcr.record_mode == "none":
        assert vcr.all_played


@pytest.mark.vcr
def test_reask_after_invalid_json(vcr, server_url, make_grader, good_answer):
    result = make_grader(server_url(faults=["invalid_json"])).grade("t-diffusion", good_answer)

    assert result.status == "graded"
    assert result.attempts == 2
    assert result.score == GOOD_SCORE
    assert len(vcr.requests) == 2
    first = json.loads(vcr.responses[0]["body"]["string"])
    assert first["choices"][0]["message"]["content"] == "Sure! Here is the verdict: {oops"
    reask = json.loads(vcr.requests[1].body)["messages"]
    assert [m["role"] for m in reask] == ["system", "user", "assistant", "user"]
    assert reask[2]["content"] == "Sure! Here is the verdict: {oops"
    assert "not valid JSON" in reask[3]["content"]
    # the tokens of both calls are counted
    assert (result.usage["prompt_tokens"], result.usage["completion_tokens"]) == _usage(vcr)
    _no_credentials(vcr)
    if vcr.record_mode == "none":
        assert vcr.all_played


def test_cassette_files_hold_no_credentials():
    files = sorted(CASSETTES.glob("*.yaml"))
    assert {f.stem for f in files} >= {"test_happy_path", "test_reask_after_invalid_json"}
    for f in files:
        text = f.read_text(encoding="utf-8")
        assert "authorization" not in text.lower(), f
        assert API_KEY not in text, f
        assert "Bearer" not in text, f
