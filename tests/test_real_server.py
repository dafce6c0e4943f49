"""The LLM judge against a real inference server: llama.cpp (``xllamacpp``) serving SmolLM2-135M.

One answer is graded once, through the real :class:`~grader.grading.Grader` and
:class:`~grader.judges.llm.LLMJudge` with ``base_url`` pointing at the server (the ``llama_server``
fixture in ``conftest.py``), and every HTTP exchange is captured. ``max_tokens`` is 16, so each call
takes seconds: no verdict that satisfies the schema fits in 16 tokens, so the reply is cut off
(``finish_reason=length``) whatever the model says, the judge re-asks once (``max_reasks=1``) with
the same prefix — which llama.cpp serves from its prompt cache — and the answer ends *unscored* with
the reason. The tests assert what the pipeline guarantees, never what the tiny model says.

Two calls in all (with the server's start: ~4 s on 2 idle cores, ~20 s under load; marked ``slow``); the
server starts in ~2 s, in a child process, so a crash in llama.cpp fails a test, not the run.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx2
import openai
import pytest
from conftest import GOOD_ANSWER, RUBRIC

from grader.grading import Grader
from grader.result import GradeResult
from grader.rubric import RubricBank
from grader.settings import Settings
from grader.testing import llama
from grader.testing.llama import LlamaServer

MAX_TOKENS = 16  # under Settings' floor of 100 on purpose (model_copy does not validate): seconds per call


class Run:
    def __init__(self, grader: Grader, result: GradeResult, exchanges: list[tuple[dict[str, Any], int, Any]]):
        self.grader, self.result, self.exchanges = grader, result, exchanges


@pytest.fixture(scope="module")
def run(llama_server: LlamaServer) -> Run:
    settings = Settings(
        api_key="test-key-real-server", base_url=llama_server.base_url, model="test-model", timeout=300.0
    ).model_copy(update={"max_tokens": MAX_TOKENS, "max_reasks": 1, "max_retries": 0})
    exchanges: list[tuple[dict[str, Any], int, Any]] = []

    async def on_response(response: httpx2.Response) -> None:
        await response.aread()
        exchanges.append((json.loads(response.request.content), response.status_code, response.json()))

    async def grade() -> tuple[Grader, GradeResult]:
        http = httpx2.AsyncClient(event_hooks={"response": [on_response]}, timeout=settings.timeout)
        client = openai.AsyncOpenAI(api_key="test-key-real-server", base_url=settings.base_url, http_client=http)
        grader = Grader(settings, bank=RubricBank([RUBRIC], source="tests"), client=client)
        try:
            return grader, await grader.agrade("t-diffusion", GOOD_ANSWER)
        finally:
            await client.close()

    grader, result = asyncio.run(grade())
    return Run(grader, result, exchanges)


@pytest.mark.slow
def test_json_schema_request_is_accepted(run: Run):
    assert run.exchanges, "no request reached the server"
    body, status, reply = run.exchanges[0]
    assert status == 200
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["strict"] is True
    assert body["max_tokens"] == MAX_TOKENS
    assert all(status == 200 for _, status, _ in run.exchanges)
    assert run.grader.backend.format_mode == "json_schema"  # never fell back to JSON mode
    # the server constrains decoding to the schema: the reply is (the start of) a JSON object
    assert reply["choices"][0]["message"]["content"].lstrip().startswith("{")


@pytest.mark.slow
def test_reply_that_fails_validation_is_reasked_then_unscored_with_the_reason(run: Run):
    result = run.result
    assert [reply["choices"][0]["finish_reason"] for _, _, reply in run.exchanges] == ["length", "length"]
    assert result.status == "unscored"
    assert result.score is None
    assert result.attempts == 2 == len(run.exchanges)
    assert "finish_reason=length" in result.unscored_reason
    assert result.flag_codes == ["unscored"]
    first_reply = run.exchanges[0][2]["choices"][0]["message"]["content"]
    assert result.last_output == run.exchanges[1][2]["choices"][0]["message"]["content"]
    reask = run.exchanges[1][0]["messages"]
    assert [m["role"] for m in reask] == ["system", "user", "assistant", "user"]
    assert reask[:2] == run.exchanges[0][0]["messages"]  # the same prefix
    assert reask[2]["content"] == first_reply
    assert "finish_reason=length" in reask[3]["content"]


@pytest.mark.slow
def test_usage_and_cached_tokens_are_parsed(run: Run):
    replies = [reply["usage"] for _, _, reply in run.exchanges]
    usage = run.result.usage
    assert usage["prompt_tokens"] == sum(u["prompt_tokens"] for u in replies) > 0
    assert usage["completion_tokens"] == sum(u["completion_tokens"] for u in replies) == 2 * MAX_TOKENS
    assert usage["cached_tokens"] == sum(u["prompt_tokens_details"]["cached_tokens"] for u in replies)
    # the re-ask repeats the first request's messages: llama.cpp serves them from its prompt cache
    assert replies[1]["prompt_tokens_details"]["cached_tokens"] >= replies[0]["prompt_tokens"] // 2
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]


def test_missing_packages_are_named_in_the_skip_reason(monkeypatch: pytest.MonkeyPatch):
    real = llama.importlib.util.find_spec
    monkeypatch.setattr(llama.importlib.util, "find_spec", lambda name: None if name == "xllamacpp" else real(name))
    assert llama.unavailable() == (
        "the real llama.cpp server needs the test dependency 'xllamacpp': pip install -e '.[test]'"
    )


def test_a_server_that_cannot_start_fails_with_its_output(tmp_path):
    if llama.unavailable():
        pytest.skip(llama.unavailable())
    server = LlamaServer(model=tmp_path / "missing.gguf", log=tmp_path / "server.log")
    with pytest.raises(RuntimeError, match=r"exited with code 1: .*llama.cpp could not start with .*missing.gguf"):
        server.start(timeout=60)
