"""Recorded HTTP: the judge's exchanges with a server, replayed offline (vcrpy via pytest-recording).

The cassettes in ``tests/cassettes/test_cassettes/`` are recorded by these tests against a real
llama.cpp server (``xllamacpp`` serving SmolLM2-135M, the ``llama_server`` fixture in
``conftest.py``, on a free 127.0.0.1 port), never written by hand. By default (record mode ``none``)
no server is started and a request that is not in a cassette fails the test. To re-record them
(a few minutes on 2 cores: the happy path lets the model write a whole verdict)::

    pytest tests/test_cassettes.py --record-mode=rewrite

The model is tiny and its verdicts are semantically useless, so the tests assert what holds for any
reply: HTTP 200 with ``response_format`` json_schema, a rejected reply re-asked with the problem and
then unscored with the reason, unverified evidence earning nothing and flagged, usage (cached prompt
tokens included) summed over the calls. Fault injection stays with the project's DevServer.

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

BASE_URL = "http://127.0.0.1:8765/v1"
API_KEY = "test-key-cassette-7c1e"
CASSETTES = Path(__file__).parent / "cassettes" / "test_cassettes"
#: Room for a whole verdict. SmolLM2 at temperature 0 repeats its evidence until the limit, so the
#: recorded reply is cut off and the result unscored: the test asserts what holds for any reply.
HAPPY_MAX_TOKENS = 600


@pytest.fixture
def vcr_config() -> dict:
    return {
        "filter_headers": ["authorization", "api-key", "x-api-key", "openai-organization", "openai-project"],
        "match_on": ["method", "scheme", "host", "path", "query", "chat_shape"],
    }


@pytest.fixture
def server_url(record_mode: str, request: pytest.FixtureRequest):
    """The base URL to talk to. Recording uses the real llama.cpp server (the session's
    ``llama_server``, started on a free port only then); replaying (record mode ``none``) starts
    nothing and returns the fixed URL of the cassettes — the matcher ignores the port."""
    if record_mode == "none":
        return BASE_URL
    return request.getfixturevalue("llama_server").base_url


@pytest.fixture
def make_grader(bank):
    async def no_sleep(seconds: float) -> None:
        pass

    def make(base_url: str, *, max_tokens: int, max_reasks: int) -> Grader:
        settings = Settings(
            api_key=API_KEY,
            base_url=base_url,
            model="test-model",
            timeout=600.0,  # recording: SmolLM2 writes ~3–10 tokens/s on 2 shared cores
            max_retries=0,
            max_reasks=max_reasks,
            max_tokens=max_tokens,
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


def _replies(cassette) -> list[dict]:
    return [json.loads(r["body"]["string"]) for r in cassette.responses]


def _verified_or_flagged(result) -> None:
    """What holds for any verdict: a level claimed without a quote found in the answer earns nothing,
    and the result says so."""
    uncredited = [c for c in result.criteria if c.claimed != "missing" and not any(e.verified for e in c.evidence)]
    for c in uncredited:
        assert (c.awarded, c.points) == ("missing", 0.0), c
    assert bool(uncredited) == result.has_flag("unverified_evidence")


@pytest.mark.vcr
def test_happy_path(vcr, server_url, make_grader, good_answer):
    result = make_grader(server_url, max_tokens=HAPPY_MAX_TOKENS, max_reasks=0).grade("t-diffusion", good_answer)

    assert len(vcr.requests) == 1 == result.attempts
    assert [r["status"]["code"] for r in vcr.responses] == [200]
    assert json.loads(vcr.requests[0].body)["response_format"]["type"] == "json_schema"
    reply = _replies(vcr)[0]
    if result.status == "graded":
        assert result.score is not None and 0 <= result.score <= result.max_score
        assert {c.id for c in result.criteria} == {"denoising", "temporal", "evaluation"}
        _verified_or_flagged(result)
    else:  # a reply the pipeline rejected: unscored with the reason and the reply itself
        assert result.unscored_reason
        assert result.last_output == reply["choices"][0]["message"]["content"]
    assert (result.usage["prompt_tokens"], result.usage["completion_tokens"]) == _usage(vcr)
    _no_credentials(vcr)
    if vcr.record_mode == "none":
        assert vcr.all_played


@pytest.mark.vcr
def test_reask_after_invalid_reply(vcr, server_url, make_grader, good_answer):
    """A real reply that fails validation is re-asked with the problem, then unscored with the reason.
    At temperature 0 SmolLM2 repeats its evidence until the token limit (as recorded: both replies
    cut off); sampled, it also grades one criterion twice and skips the others. Any such reply fails."""
    result = make_grader(server_url, max_tokens=100, max_reasks=1).grade("t-diffusion", good_answer)

    replies = _replies(vcr)
    assert len(vcr.requests) == result.attempts == len(replies)
    assert [r["status"]["code"] for r in vcr.responses] == [200] * len(replies)
    for i in range(1, len(replies)):  # each re-ask sends back the rejected reply and the problem
        reask = json.loads(vcr.requests[i].body)["messages"]
        assert [m["role"] for m in reask] == ["system", "user", *["assistant", "user"] * i]
        assert reask[-2]["content"] == replies[i - 1]["choices"][0]["message"]["content"][:4000]
        assert reask[:2] == json.loads(vcr.requests[0].body)["messages"]
    if result.status == "unscored":
        assert result.attempts == 2
        assert result.unscored_reason and result.flag_codes == ["unscored"]
        assert result.last_output == replies[-1]["choices"][0]["message"]["content"]
    else:
        _verified_or_flagged(result)
    # the tokens of every call are counted, cached prompt tokens included
    assert (result.usage["prompt_tokens"], result.usage["completion_tokens"]) == _usage(vcr)
    cached = [(r["usage"].get("prompt_tokens_details") or {}).get("cached_tokens", 0) for r in replies]
    assert result.usage["cached_tokens"] == sum(cached)
    if len(replies) > 1:  # the re-ask repeats the prefix, which llama.cpp serves from its cache
        assert cached[1] > 0
    _no_credentials(vcr)
    if vcr.record_mode == "none":
        assert vcr.all_played


def test_cassette_files_hold_no_credentials():
    files = sorted(CASSETTES.glob("*.yaml"))
    assert {f.stem for f in files} >= {"test_happy_path", "test_reask_after_invalid_reply"}
    for f in files:
        text = f.read_text(encoding="utf-8")
        assert "authorization" not in text.lower(), f
        assert API_KEY not in text, f
        assert "Bearer" not in text, f
