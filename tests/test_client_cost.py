"""Client cost (issue 13, part 6): the shortcuts on the per-answer path give the same values as the
long way, the plain-http client skips only what it never uses, and the whole-process benchmark's
CPU accounting runs."""

from __future__ import annotations

import importlib.util
import ssl
import sys
from pathlib import Path
from typing import Any

import pytest

from grader.grading import Grader, cache_key
from grader.judges.openai_api import make_async_client, parse_completion
from grader.rubric import default_bank
from grader.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def _ssl_context(client: Any) -> ssl.SSLContext:
    # httpx2's transport → httpcore2's pool: where the context the connections use is kept
    return client._client._transport._pool._ssl_context  # type: ignore[no-any-return]


def test_key_for_is_cache_key_and_the_memoised_hash_is_the_rubric_hash() -> None:
    settings = Settings(api_key="k", base_url="http://127.0.0.1:9/v1", model="m", use_cache=False)
    grader = Grader(settings, bank=default_bank())
    for qid in ("vid-01", "vid-05", "vid-05", "vid-12"):
        rubric = grader.rubric(qid)
        for answer in ("one answer", "another answer", ""):
            expected = cache_key(settings, grader.prompt_version, rubric, answer, grader.backend.model)
            assert grader.key_for(rubric, answer) == expected
        assert grader._base(rubric, "an answer")["rubric_hash"] == rubric.hash
        assert grader._base(rubric, "an answer")["settings_key"] == settings.grading_key()
    grader.settings = settings.model_copy(update={"seed": 7})  # new settings → a new key
    rubric = grader.rubric("vid-05")
    assert grader.key_for(rubric, "x") == cache_key(grader.settings, grader.prompt_version, rubric, "x", "m")
    assert grader.key_for(rubric, "x") != cache_key(settings, grader.prompt_version, rubric, "x", "m")


async def test_a_plain_http_client_loads_no_ca_bundle_and_trusts_nothing() -> None:
    """http:// needs no TLS: no CA bundle is loaded (60–200 ms of start-up), and the empty context
    still verifies, so a redirect to https fails instead of going out unverified."""
    plain = make_async_client(Settings(api_key="k", base_url="http://127.0.0.1:9/v1", model="m"))
    tls = make_async_client(Settings(api_key="k", base_url="https://llm.example/v1", model="m"))
    try:
        ctx = _ssl_context(plain)
        assert ctx.get_ca_certs() == [] and ctx.verify_mode == ssl.CERT_REQUIRED and ctx.check_hostname
        assert _ssl_context(tls).get_ca_certs()  # https keeps the default, verifying context
        assert plain.max_retries == 0 and str(plain.base_url) == "http://127.0.0.1:9/v1/"
        assert plain.timeout == tls.timeout
    finally:
        await plain.close()
        await tls.close()


def test_parse_completion_reads_the_response_json_as_sent() -> None:
    body = {
        "model": "m",
        "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "{}"}}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 2, "prompt_tokens_details": {"cached_tokens": 4}},
    }
    completion = parse_completion(body)
    assert (completion.text, completion.finish_reason, completion.model, completion.has_choices) == (
        "{}",
        "stop",
        "m",
        True,
    )
    assert completion.usage is not None and completion.usage.cached_tokens == 4
    assert parse_completion(["not", "an", "object"]).has_choices is False


def _bench_client() -> Any:
    spec = importlib.util.spec_from_file_location("bench_client", ROOT / "benchmarks" / "bench_client.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_client"] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_the_whole_process_benchmark_accounts_cpu_on_a_tiny_input() -> None:
    """``benchmarks/bench_client.py`` on 12 answers, one repeat: both clients run as subprocesses
    against the test server, every figure is there and plausible (no timing is asserted)."""
    result = _bench_client().bench_client(
        answers=12, latency=0.0, concurrency=4, repeats=1, without_second_opinion=True
    )
    median = result["median"]
    assert median["no_second_opinion_per_s"] > 0 and "second_opinion_cpu_ms_per_answer" in median
    for key in ("grader", "bare"):
        assert median[f"{key}_per_s"] > 0
        assert median[f"{key}_startup_cpu_s"] > 0  # an interpreter and openai were imported
        assert median[f"{key}_cpu_ms_per_answer_with_startup"] > 0
        assert median[f"{key}_first_request_s"] > 0
    # the figures are rounded to 3 decimals: a small ratio (start-up dominates 12 answers) differs from the
    # ratio of the rounded rates by up to ~0.001, more than 1 % of it
    assert median["throughput_ratio"] == pytest.approx(
        median["grader_per_s"] / median["bare_per_s"], rel=0.01, abs=0.002
    )
    assert median["cpu_ms_above_bare"] == pytest.approx(
        median["grader_cpu_ms_per_answer"] - median["bare_cpu_ms_per_answer"], abs=0.01
    )


def test_the_batch_path_does_not_import_the_detector_before_its_first_request() -> None:
    """Start-up: the detector (~0.1 s of compiling patterns) is imported on first use or while the
    first request is out, never by importing the command line and the batch path."""
    import subprocess

    code = (
        "import sys, grader.cli.app, grader.grading, grader.batch.runner, grader.judges.llm, grader.store;"
        "print('grader.injection.detector' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "False"


async def test_the_limit_calls_on_first_once() -> None:
    from grader.batch.runner import AdaptiveLimit

    calls: list[int] = []
    limit = AdaptiveLimit(4)
    limit.on_first = lambda: calls.append(1)
    for _ in range(3):
        await limit.acquire()
        await limit.release(success=True)
    assert calls == [1]
