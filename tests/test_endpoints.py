"""Several endpoints (``--base-url`` more than once): requests spread over replicas, each with its own
concurrency gate; an endpoint that keeps failing is drained and the batch carries on; the cache key
does not depend on which replica answered."""

from __future__ import annotations

import asyncio

from test_batch import read_out, write_csv
from test_batch_api import _answers

from grader.batch.runner import run_batch
from grader.grading import Grader
from grader.judges.endpoints import EndpointPool
from grader.settings import Settings
from grader.store import Store


def _settings(tmp_path, urls, **kw) -> Settings:
    return Settings(api_key="k", base_url=urls, model="test-model", timeout=5, store=tmp_path / "s.sqlite3", **kw)


def _run(settings, bank, src, out):
    grader = Grader(settings, bank=bank, store=Store(settings.store_path))

    async def go():
        try:
            return await run_batch(grader, src, out)
        finally:
            await grader.aclose()

    return asyncio.run(go())


def test_requests_spread_over_two_endpoints(dev_server, bank, tmp_path, good_answer):
    a, b = dev_server(), dev_server()
    src = write_csv(tmp_path / "in.csv", [(f"c{i}", "t-diffusion", x) for i, x in enumerate(_answers(12, good_answer))])
    stats = _run(_settings(tmp_path, [a.base_url, b.base_url], concurrency=2), bank, src, tmp_path / "out.csv")
    assert stats.graded == 12
    assert a.requests > 0 and b.requests > 0 and a.requests + b.requests == 12


def test_a_failing_endpoint_is_drained_and_the_batch_carries_on(dev_server, bank, tmp_path, good_answer):
    good, bad = dev_server(), dev_server(faults=["503"] * 1000)
    src = write_csv(tmp_path / "in.csv", [(f"c{i}", "t-diffusion", x) for i, x in enumerate(_answers(20, good_answer))])
    settings = _settings(tmp_path, [bad.base_url, good.base_url], concurrency=1, endpoint_retry_after=3600)
    stats = _run(settings, bank, src, tmp_path / "out.csv")
    assert stats.graded == 20 and stats.errors == 0
    assert sorted(int(r["row"]) for r in read_out(tmp_path / "out.csv")) == list(range(1, 21))
    assert bad.requests == settings.endpoint_down_after  # drained after 3 failures in a row, not retried since
    assert good.requests == 20


def test_a_drained_endpoint_is_tried_again_later(tmp_path):
    now = [0.0]
    pool = EndpointPool(_settings(tmp_path, ["http://a", "http://b"], endpoint_retry_after=30), clock=lambda: now[0])
    a, b = pool.endpoints
    for _ in range(3):
        pool.failed(a)
    assert {pool.choose(set()) for _ in range(4)} == {b}
    assert pool.choose({b}) is a  # every other endpoint tried: the drained one is the last resort
    now[0] = 31.0
    assert {pool.choose(set()) for _ in range(4)} == {a, b}
    pool.succeeded(a)
    assert a.failures == 0


def test_one_url_or_a_list_and_the_cache_key(tmp_path):
    one = _settings(tmp_path, "http://a")
    two = _settings(tmp_path, ["http://a", "http://b"])
    assert one.endpoints == ["http://a"] and two.endpoints == ["http://a", "http://b"]
    assert two.base_url == "http://a" and one.grading_key() == two.grading_key()
    assert _settings(tmp_path, ["http://a"]).endpoints == ["http://a"]


def test_cli_base_url_more_than_once(dev_server, tmp_path, good_answer, monkeypatch, cli):
    a, b = dev_server(), dev_server()
    monkeypatch.setenv("GRADER_STORE", str(tmp_path / "store.sqlite3"))
    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    src = write_csv(tmp_path / "in.csv", [(f"c{i}", "vid-01", x) for i, x in enumerate(_answers(6, good_answer))])
    out = tmp_path / "out.csv"
    code, _, err = cli("batch", str(src), "-o", str(out), "--base-url", a.base_url, "--base-url", b.base_url, "-j", "1")
    assert code == 0, err
    assert a.requests > 0 and b.requests > 0
    assert sorted(r["status"] for r in read_out(out)) == ["graded"] * 6
