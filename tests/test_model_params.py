"""Per-model request parameters (issue 13, item 2): OpenAI's reasoning models get
``max_completion_tokens`` and no ``temperature``; a server that rejects a parameter by name is adapted
to once per judge, against the test server configured to reject them like the real API."""

from __future__ import annotations

import asyncio
import csv
import json
import urllib.error
import urllib.request
from typing import Any

import pytest

from grader.batch.api_files import request_line
from grader.batch.runner import run_batch
from grader.errors import TransportError
from grader.grading import Grader
from grader.judges.llm import request_body
from grader.judges.openai_api import ChatParams, complete_json, is_reasoning_model
from grader.settings import Settings
from grader.store import Store

#: The chat-completions parameters an OpenAI reasoning model (o-series, gpt-5) accepts, as a schema:
#: no ``max_tokens``, no ``temperature`` (only the default), the rest typed.
REASONING_BODY_SCHEMA: dict[str, Any] = {
    "required": {"model": str, "messages": list},
    "optional": {
        "max_completion_tokens": int,
        "response_format": dict,
        "seed": int,
        "reasoning_effort": str,
        "n": int,
        "stop": (str, list),
    },
    "reasoning_effort": {"minimal", "low", "medium", "high"},
}


def reasoning_body_problems(body: dict[str, Any]) -> list[str]:
    spec = REASONING_BODY_SCHEMA
    problems = [f"missing {k}" for k in spec["required"] if k not in body]
    allowed = {**spec["required"], **spec["optional"]}
    for key, value in body.items():
        if key not in allowed:
            problems.append(f"unsupported parameter {key!r}")
        elif not isinstance(value, allowed[key]):
            problems.append(f"{key!r} is a {type(value).__name__}")
    if "reasoning_effort" in body and body["reasoning_effort"] not in spec["reasoning_effort"]:
        problems.append(f"reasoning_effort {body['reasoning_effort']!r}")
    return problems


@pytest.mark.parametrize(
    ("model", "reasoning"),
    [
        ("o1", True),
        ("o3", True),
        ("o3-mini", True),
        ("o4-mini-2025-04-16", True),
        ("gpt-5", True),
        ("gpt-5-mini", True),
        ("openai/gpt-5-nano", True),
        ("gpt-4o-mini", False),
        ("gpt-4.1-mini", False),
        ("omni-moderation", False),
        ("llama3.1:8b", False),
        ("test-model", False),
    ],
)
def test_reasoning_models_by_name(model, reasoning):
    assert is_reasoning_model(model) is reasoning


@pytest.mark.parametrize("effort", [None, "low"])
def test_a_reasoning_model_body_has_only_parameters_it_accepts(rubric, effort):
    settings = Settings(model="o4-mini", seed=7, reasoning_effort=effort)
    from grader.prompts import load_prompts

    body = request_body(settings, load_prompts(), rubric, "An answer.")
    assert reasoning_body_problems(body) == []
    assert body["max_completion_tokens"] == settings.max_tokens
    assert body.get("reasoning_effort") == effort
    # a model that is not a reasoning model keeps max_tokens and temperature
    plain = request_body(Settings(model="gpt-4o-mini"), load_prompts(), rubric, "An answer.")
    assert (plain["max_tokens"], plain["temperature"]) == (1500, 0.0) and "max_completion_tokens" not in plain
    assert reasoning_body_problems(plain) == [
        "unsupported parameter 'temperature'",
        "unsupported parameter 'max_tokens'",
    ]


def test_the_reasoning_effort_setting_reads_the_environment(monkeypatch):
    monkeypatch.setenv("GRADER_REASONING_EFFORT", "high")
    settings = Settings()
    assert settings.reasoning_effort == "high"
    assert settings.grading_key() != Settings(reasoning_effort=None).grading_key() or not settings.llm_configured
    keyed = Settings(base_url="http://x", reasoning_effort="high")
    assert keyed.grading_key() != Settings(base_url="http://x", reasoning_effort=None).grading_key()


def test_batch_api_request_lines_adapt_a_reasoning_model(dev_server, bank, rubric, tmp_path):
    server = dev_server(reject_params=["max_tokens", "temperature"])
    settings = Settings(api_key="k", base_url=server.base_url, model="gpt-5-mini", store=tmp_path / "s.sqlite3")
    grader = Grader(settings, bank=bank, store=Store(settings.store_path))
    line = request_line(grader, rubric, "An answer.", "row-1-abc")
    assert reasoning_body_problems(line["body"]) == []


def test_a_reasoning_model_is_accepted_by_a_server_that_refuses_its_parameters(dev_server, bank, tmp_path, good_answer):
    server = dev_server(reject_params=["max_tokens", "temperature"], keep_bodies=True)
    settings = Settings(api_key="k", base_url=server.base_url, model="o3-mini", timeout=5, store=tmp_path / "s")
    result = Grader(settings, bank=bank, store=Store(settings.store_path)).grade("t-diffusion", good_answer)
    assert result.status == "graded"
    assert server.requests == 1
    assert [reasoning_body_problems(b) for b in server.bodies] == [[]]


def test_the_test_server_rejects_parameters_like_the_real_api(dev_server):
    server = dev_server(reject_params=["max_tokens", "temperature"])

    def post(body: dict[str, Any]) -> tuple[int, Any]:
        request = urllib.request.Request(
            f"{server.base_url}/chat/completions",
            data=json.dumps(body).encode(),
            headers={"Authorization": "Bearer k", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=5) as reply:
                return reply.status, json.loads(reply.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read())

    body = {"model": "o3", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 10}
    status, reply = post(body)
    assert status == 400
    assert reply == {
        "error": {
            "message": "Unsupported parameter: 'max_tokens' is not supported with this model. "
            "Use 'max_completion_tokens' instead.",
            "type": "invalid_request_error",
            "param": "max_tokens",
            "code": "unsupported_parameter",
        }
    }
    body = {"model": "o3", "messages": [{"role": "user", "content": "hi"}], "temperature": 0}
    status, reply = post(body)
    assert status == 400
    error = reply["error"]
    assert (error["param"], error["code"]) == ("temperature", "unsupported_value")
    assert error["message"].startswith("Unsupported value: 'temperature' does not support 0 with this model.")


def _write_csv(path, rows):
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["candidate_id", "question_id", "answer"])
        w.writerows(rows)
    return path


async def _no_sleep(_seconds: float) -> None:
    return None


@pytest.mark.parametrize(
    ("rejected", "extra"),
    [(["max_tokens"], 1), (["temperature"], 1), (["max_tokens", "temperature"], 2)],
    ids=["max_tokens", "temperature", "both"],
)
def test_a_rejected_parameter_is_adapted_once_for_the_whole_batch(
    dev_server, bank, tmp_path, good_answer, rejected, extra
):
    """A model the grader does not know as a reasoning model, on a server that refuses its parameters:
    one extra request per refused parameter for the whole batch (not one per row), every row graded."""
    server = dev_server(reject_params=rejected, latency=0.02, keep_bodies=True)
    n = 12
    src = _write_csv(
        tmp_path / "in.csv",
        [(f"c{i}", "t-diffusion", f"{good_answer} Note {i}: I would also log every run.") for i in range(n)],
    )
    settings = Settings(
        api_key="k", base_url=server.base_url, model="test-model", timeout=5, concurrency=6, store=tmp_path / "s"
    )
    grader = Grader(settings, bank=bank, store=Store(settings.store_path), sleep=_no_sleep)

    async def go():
        try:
            return await run_batch(grader, src, tmp_path / "out.csv")
        finally:
            await grader.aclose()

    stats = asyncio.run(go())
    assert (stats.graded, stats.errors, stats.unscored) == (n, 0, 0)
    assert server.requests == n + extra
    assert [e["status"] for e in server.log].count(400) == extra
    for body in server.bodies[extra:]:
        assert all(name not in body for name in rejected)
        if "max_tokens" in rejected:
            assert body["max_completion_tokens"] == settings.max_tokens
    assert grader.backend.params == ChatParams(
        "max_completion_tokens" if "max_tokens" in rejected else "max_tokens", "temperature" not in rejected
    )


def test_an_invalid_value_is_not_adapted(dev_server, bank, tmp_path, good_answer):
    """A 400 for a bad value (not an unsupported parameter) is an ordinary error: not retried, not adapted."""
    server = dev_server(faults=["400"])
    settings = Settings(api_key="k", base_url=server.base_url, model="test-model", timeout=5, store=tmp_path / "s")
    grader = Grader(settings, bank=bank, store=Store(settings.store_path), sleep=_no_sleep)
    with pytest.raises(TransportError, match="HTTP 400"):
        grader.grade("t-diffusion", good_answer)
    assert server.requests == 1
    assert grader.backend.params == ChatParams()


def test_complete_json_adapts_too(dev_server):
    server = dev_server(reject_params=["max_tokens", "temperature"], keep_bodies=True)
    settings = Settings(api_key="k", base_url=server.base_url, model="test-model", timeout=5)
    schema = {
        "type": "object",
        "properties": {"a": {"type": "string"}},
        "required": ["a"],
        "additionalProperties": False,
    }
    asyncio.run(complete_json(settings, [{"role": "user", "content": "hi"}], schema))
    assert server.requests == 3
    assert "max_tokens" not in server.bodies[-1] and "temperature" not in server.bodies[-1]


# -- item 3: reason before the verdict -------------------------------------------------------------


def test_the_verdict_schema_asks_for_evidence_then_rationale_then_level(rubric):
    from grader.verdict import verdict_schema

    item = verdict_schema(rubric)["properties"]["criteria"]["items"]
    order = ["criterion_id", "evidence", "rationale", "level"]
    assert list(item["properties"]) == order
    assert item["required"] == order  # strict: every field required, in the same order
    assert item["additionalProperties"] is False
    assert item["properties"]["criterion_id"]["enum"] == rubric.criterion_ids


def test_the_prompt_version_covers_the_verdict_schema(monkeypatch):
    from grader import prompts
    from grader.resources import prompts_dir

    before = prompts._version(prompts_dir())
    assert prompts.load_prompts().version == before
    monkeypatch.setattr(prompts, "schema_fingerprint", lambda: '{"level-first":true}')
    assert prompts._version(prompts_dir()) != before


def test_the_system_prompt_names_the_reasoning_order(rubric):
    from grader.prompts import load_prompts

    system = load_prompts().messages(rubric, "An answer.")[0]["content"]
    assert system.index('"evidence"') < system.index('"rationale"') < system.index('"level", decided')
