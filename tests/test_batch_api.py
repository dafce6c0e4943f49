"""The OpenAI Batch API path (``grader batch --batch-api``) against DevServer's in-memory Files and
Batches API: request lines, chunking, scores equal to the live path, resume after a process dies,
failed lines reported and re-submitted, cached rows never submitted. Polling sleeps are no-ops."""

from __future__ import annotations

import asyncio
import json
import re
from collections import Counter

import pytest
from test_batch import read_out, write_csv

from grader.batch.api import (
    BATCH_ENDPOINT,
    SERVER_ERROR_FLAG,
    RequestLine,
    chunk_requests,
    make_client,
    request_line,
    run_batch_api,
)
from grader.batch.runner import run_batch
from grader.errors import InputError
from grader.grading import Grader
from grader.judges.llm import request_body
from grader.settings import Settings
from grader.store import Store

OTHER_ANSWER = (
    "Video diffusion models denoise a noisy latent step by step. They keep temporal consistency across "
    "frames with temporal attention layers."
)
WEAK_ANSWER = "I think video models are trained on lots of data and then they just make videos for people."


def _no_sleep(_seconds: float) -> None:
    return None


def _answers(n: int, good_answer: str) -> list[str]:
    return [f"{good_answer} Note {i}: I would also log every run." for i in range(n)]


def make_settings(server, tmp_path, store="store.sqlite3", **overrides) -> Settings:
    return Settings(
        api_key="test-key", base_url=server.base_url, model="test-model", timeout=5, store=tmp_path / store, **overrides
    )


@pytest.fixture
def batch_run(bank):
    """``batch_run(server, tmp_path, src, out, **kw)``: one run_batch_api call with its own grader,
    store and client (closed afterwards), as a separate process would have."""
    events: list[tuple[str, dict]] = []

    def go(server, tmp_path, src, out, *, settings=None, **kw):
        settings = settings or make_settings(server, tmp_path)
        store = Store(settings.store_path)
        client = make_client(settings)
        grader = Grader(settings, bank=bank, store=store)
        kw.setdefault("poll_interval", 0)
        kw.setdefault("sleep", _no_sleep)
        try:
            return run_batch_api(grader, src, out, client=client, on_event=lambda k, i: events.append((k, i)), **kw)
        finally:
            client.close()
            store.close()

    go.events = events
    return go


def uploaded_lines(server, batch_index: int = 0) -> list[dict]:
    """The request lines of the n-th batch the server received."""
    batch = list(server.batches.values())[batch_index]["object"]
    content = server.files[batch["input_file_id"]]["content"]
    return [json.loads(line) for line in content.splitlines() if line.strip()]


def grade_live(server, bank, tmp_path, src, out, **overrides):
    settings = make_settings(server, tmp_path, store="live.sqlite3", **overrides)
    grader = Grader(settings, bank=bank, store=Store(settings.store_path))

    async def go():
        try:
            return await run_batch(grader, src, out)
        finally:
            await grader.aclose()

    return asyncio.run(go())


# -- request lines -----------------------------------------------------------------------------


def test_request_lines_carry_the_live_judges_body(dev_server, bank, batch_run, tmp_path, good_answer):
    server = dev_server(keep_bodies=True)
    answers = [good_answer, OTHER_ANSWER, WEAK_ANSWER]
    settings = make_settings(server, tmp_path, seed=7, max_tokens=900)
    live = Grader(settings.model_copy(update={"use_cache": False}), bank=bank)
    for a in answers:
        live.grade("t-diffusion", a)
    live_bodies = list(server.bodies)
    assert len(live_bodies) == 3

    src = write_csv(tmp_path / "in.csv", [(f"c{i}", "t-diffusion", a) for i, a in enumerate(answers)])
    result = batch_run(server, tmp_path, src, tmp_path / "out.csv", settings=settings, wait=False)
    assert result.submitted_requests == 3 and result.batches_created == 1
    lines = uploaded_lines(server)
    assert len(lines) == 3  # one per row to grade
    grader = Grader(settings, bank=bank)
    rubric = bank.get("t-diffusion")
    for i, (line, answer) in enumerate(zip(lines, answers), start=1):
        assert set(line) == {"custom_id", "method", "url", "body"}
        assert (line["method"], line["url"]) == ("POST", BATCH_ENDPOINT)
        key = grader.key_for(rubric, answer)
        assert line["custom_id"] == f"row-{i}-{key[:10]}"
        assert re.fullmatch(r"row-\d+-[0-9a-f]{10}", line["custom_id"])
        # the same body the live judge sent for this answer, byte for byte once parsed
        assert line["body"] == live_bodies[i - 1]
        assert line["body"] == request_body(settings, grader.prompts, rubric, answer)
        assert line["body"]["seed"] == 7 and line["body"]["max_tokens"] == 900
        assert line["body"]["response_format"]["type"] == "json_schema"
        assert line["body"]["response_format"]["json_schema"]["strict"] is True
    assert line == request_line(grader, rubric, answers[-1], line["custom_id"])


# -- chunking ----------------------------------------------------------------------------------


def _fake_lines(sizes: list[int]) -> list[RequestLine]:
    return [RequestLine(f"row-{i}-x", "k", [i], b"x" * (n - 1) + b"\n") for i, n in enumerate(sizes, start=1)]


@pytest.mark.parametrize(
    "sizes, max_requests, max_bytes, expected",
    [
        ([10] * 5, 2, 10_000, [2, 2, 1]),  # by count
        ([10] * 5, 50, 25, [2, 2, 1]),  # by size
        ([10] * 4, 50, 20, [2, 2]),  # exactly full
        ([10, 30, 10], 50, 25, [1, 1, 1]),  # a line over the limit goes alone (the caller rejects it first)
        ([10] * 6, 4, 30, [3, 3]),  # whichever limit comes first
        ([], 2, 10, []),
    ],
)
def test_chunk_requests(sizes, max_requests, max_bytes, expected):
    chunks = list(chunk_requests(_fake_lines(sizes), max_requests=max_requests, max_bytes=max_bytes))
    assert [len(c) for c in chunks] == expected
    assert [line.custom_id for c in chunks for line in c] == [f"row-{i}-x" for i in range(1, len(sizes) + 1)]


def test_several_chunks_become_several_jobs(dev_server, bank, batch_run, tmp_path, good_answer):
    server = dev_server()
    src = write_csv(tmp_path / "in.csv", [(f"c{i}", "t-diffusion", a) for i, a in enumerate(_answers(5, good_answer))])
    result = batch_run(server, tmp_path, src, tmp_path / "out.csv", max_requests=2)
    assert server.batch_creations == 3 and result.batches_created == 3
    assert [len(uploaded_lines(server, i)) for i in range(3)] == [2, 2, 1]
    rows = read_out(tmp_path / "out.csv")
    assert sorted(int(r["row"]) for r in rows) == [1, 2, 3, 4, 5]
    assert all(r["status"] == "graded" for r in rows)
    store = Store(tmp_path / "store.sqlite3")
    jobs = store.batch_jobs(str((tmp_path / "out.csv").resolve()))
    store.close()
    assert [j["state"] for j in jobs] == ["collected"] * 3 and all(j["batch_id"] for j in jobs)

    # by size: a limit just over one line's size puts one request in each file
    server2 = dev_server()
    one = max(len(json.dumps(line, ensure_ascii=False, separators=(",", ":"))) + 1 for line in uploaded_lines(server))
    batch_run(server2, tmp_path, src, tmp_path / "out2.csv", max_bytes=one + 40)
    assert server2.batch_creations == 5
    # and a request that cannot fit in any file is an error row, not a crash
    server3 = dev_server()
    small = batch_run(server3, tmp_path, src, tmp_path / "out3.csv", max_bytes=100)
    assert server3.batch_creations == 0 and small.stats.errors == 5
    assert "over the Batch API file limit" in read_out(tmp_path / "out3.csv")[0]["reason"]


# -- a full run --------------------------------------------------------------------------------


def test_full_run_writes_every_row_once_with_live_scores(dev_server, bank, batch_run, tmp_path, good_answer):
    server = dev_server()
    rows = [
        ("c1", "t-diffusion", good_answer),
        ("c2", "no-such-question", good_answer),
        ("c3", "t-diffusion", ""),
        ("c4", "t-diff", OTHER_ANSWER),
        ("c5", "t-diffusion", "too short"),
        ("c6", "t-diffusion", WEAK_ANSWER),
        ("c7", "t-diffusion", good_answer),  # a duplicate of c1: one request
        *[(f"d{i}", "t-diffusion", a) for i, a in enumerate(_answers(5, good_answer))],
    ]
    src = write_csv(tmp_path / "in.csv", rows)
    out = tmp_path / "out.csv"
    result = batch_run(server, tmp_path, src, out)
    assert result.pending == [] and result.batches_created == 1
    assert len(uploaded_lines(server)) == 8  # c1 (+c7), c4, c6, d0-d4
    got = read_out(out)
    assert sorted(int(r["row"]) for r in got) == list(range(1, len(rows) + 1))  # every row exactly once
    stats = result.stats
    assert (stats.total, stats.graded, stats.errors, stats.unscored) == (12, 11, 1, 0)

    grade_live(server, bank, tmp_path, src, tmp_path / "live.csv")
    live = {r["row"]: r for r in read_out(tmp_path / "live.csv")}
    for r in got:
        assert (r["status"], r["score"], r["band"]) == (
            live[r["row"]]["status"],
            live[r["row"]]["score"],
            live[r["row"]]["band"],
        ), r["candidate_id"]
        assert r["flags"] == live[r["row"]]["flags"]
    by_id = {r["candidate_id"]: r for r in got}
    assert float(by_id["c1"]["score"]) == 8.75
    assert "unknown question id 'no-such-question'" in by_id["c2"]["reason"]
    assert by_id["c3"]["reason"] == "empty answer" and "too_short" in by_id["c5"]["flags"]
    assert by_id["c7"]["cached"] == "True" and by_id["c1"]["cached"] == "False"
    assert int(by_id["c1"]["prompt_tokens"]) > 0 and by_id["c7"]["prompt_tokens"] == "0"
    # the graded verdicts went to the cache: a rerun costs nothing
    rerun = batch_run(server, tmp_path, src, tmp_path / "again.csv")
    assert rerun.batches_created == 0 and rerun.stats.cached == 9  # c1, c4, c6, c7, d0-d4
    kinds = Counter(k for k, _ in batch_run.events)
    assert kinds["submitted"] == 1 and kinds["collected"] == 1 and kinds["status"] >= 2


def test_jsonl_output_and_invalid_verdicts_are_unscored(dev_server, bank, batch_run, tmp_path, good_answer):
    server = dev_server(faults=["invalid_json"])
    src = write_csv(tmp_path / "in.csv", [(f"c{i}", "t-diffusion", a) for i, a in enumerate(_answers(3, good_answer))])
    out = tmp_path / "out.jsonl"
    result = batch_run(server, tmp_path, src, out)
    got = [json.loads(line) for line in out.read_text().splitlines()]
    assert sorted(r["row"] for r in got) == [1, 2, 3]
    bad = [r for r in got if r["status"] == "unscored"]
    assert len(bad) == 1 and result.stats.unscored == 1
    assert bad[0]["score"] is None and "JSON" in bad[0]["reason"]
    assert bad[0]["result"]["last_output"].startswith("Sure!")


# -- resume ------------------------------------------------------------------------------------


def test_resume_after_the_process_died_uses_the_same_job(dev_server, bank, batch_run, tmp_path, good_answer):
    server = dev_server(batch_polls_to_complete=3)
    src = write_csv(
        tmp_path / "in.csv",
        [
            *[(f"c{i}", "t-diffusion", a) for i, a in enumerate(_answers(4, good_answer))],
            ("e", "t-diffusion", ""),
        ],
    )
    out = tmp_path / "out.csv"
    first = batch_run(server, tmp_path, src, out, wait=False)  # submit, then "die"
    assert server.batch_creations == 1 and first.pending and first.pending[0]["batch_id"]
    assert [r["candidate_id"] for r in read_out(out)] == ["e"]  # the row that needs no call is written

    with pytest.raises(InputError, match="still pending"):  # a fresh run must not resubmit silently
        batch_run(server, tmp_path, src, out)

    second = batch_run(server, tmp_path, src, out, resume=True, max_polls=1)  # still running: stop again
    assert second.pending and server.batch_creations == 1

    third = batch_run(server, tmp_path, src, out, resume=True)
    assert third.pending == [] and third.batches_created == 0 and third.submitted_requests == 0
    assert server.batch_creations == 1 and server.file_uploads == 1
    got = read_out(out)
    assert sorted(int(r["row"]) for r in got) == [1, 2, 3, 4, 5]
    assert all(r["status"] == "graded" for r in got)
    assert third.stats.skipped_done == 1 and third.stats.graded == 4
    assert third.stats.summary()["per_question"]["t-diffusion"]["count"] == 5  # the whole file (issue 11)

    # a further resume has nothing left to do
    fourth = batch_run(server, tmp_path, src, out, resume=True)
    assert fourth.batches_created == 0 and fourth.stats.done == 0 and len(read_out(out)) == 5


def test_died_between_creating_and_recording_the_batch(dev_server, bank, batch_run, tmp_path, good_answer, monkeypatch):
    server = dev_server()
    src = write_csv(tmp_path / "in.csv", [(f"c{i}", "t-diffusion", a) for i, a in enumerate(_answers(3, good_answer))])
    out = tmp_path / "out.csv"
    real = Store.update_batch_job

    def die(self, job_id, **fields):
        if fields.get("state") == "submitted":
            raise KeyboardInterrupt  # the batch exists on the server, the ledger does not know its id
        return real(self, job_id, **fields)

    monkeypatch.setattr(Store, "update_batch_job", die)
    with pytest.raises(KeyboardInterrupt):
        batch_run(server, tmp_path, src, out)
    monkeypatch.setattr(Store, "update_batch_job", real)
    assert server.batch_creations == 1

    result = batch_run(server, tmp_path, src, out, resume=True)
    assert server.batch_creations == 1 and result.batches_created == 0  # found by its metadata
    assert "adopted" in [k for k, _ in batch_run.events]
    assert sorted(int(r["row"]) for r in read_out(out)) == [1, 2, 3]


# -- failures ----------------------------------------------------------------------------------


def test_failed_lines_are_reported_and_retried(dev_server, bank, batch_run, tmp_path, good_answer):
    server = dev_server(batch_fail_lines=[2, 4])  # line 2 → error file, line 4 → HTTP 500 in the output
    answers = _answers(5, good_answer)
    src = write_csv(tmp_path / "in.csv", [(f"c{i}", "t-diffusion", a) for i, a in enumerate(answers)])
    out = tmp_path / "out.csv"
    first = batch_run(server, tmp_path, src, out)
    got = {r["candidate_id"]: r for r in read_out(out)}
    assert len(got) == 5 and first.stats.errors == 2 and first.server_errors == 2
    failed = {cid: r for cid, r in got.items() if r["status"] == "error"}
    assert sorted(failed) == ["c1", "c3"]
    for r in failed.values():
        assert SERVER_ERROR_FLAG in r["flags"].split(";")
        assert "injected batch fault" in r["reason"]  # the server's own message
    assert "server_error" in failed["c1"]["reason"] and "HTTP 500" in failed["c3"]["reason"]
    assert server.requests == 3  # failed lines were never judged

    retry = batch_run(server, tmp_path, src, out, resume=True, retry_failed=True)
    assert sorted(retry.retried_rows) == [2, 4]
    assert server.batch_creations == 2
    resent = uploaded_lines(server, 1)
    assert sorted(line["custom_id"].split("-")[1] for line in resent) == ["2", "4"]  # only the failed rows
    got = read_out(out)
    assert sorted(int(r["row"]) for r in got) == [1, 2, 3, 4, 5]
    assert all(r["status"] == "graded" for r in got)
    assert retry.stats.skipped_done == 3 and retry.stats.graded == 2
    assert not list(tmp_path.glob("out.csv.*.tmp"))  # the rewrite left no temp file


@pytest.mark.parametrize(
    "status, words",
    [
        ("failed", "failed: invalid_request"),
        ("expired", "batch_expired"),
        ("cancelled", "batch_cancelled"),
    ],
)
def test_terminal_statuses_are_reported(dev_server, bank, batch_run, tmp_path, good_answer, status, words):
    server = dev_server(batch_final_status=status)
    src = write_csv(tmp_path / "in.csv", [(f"c{i}", "t-diffusion", a) for i, a in enumerate(_answers(4, good_answer))])
    out = tmp_path / "out.csv"
    result = batch_run(server, tmp_path, src, out)
    got = read_out(out)
    assert sorted(int(r["row"]) for r in got) == [1, 2, 3, 4]
    errors = [r for r in got if r["status"] == "error"]
    assert errors and all(SERVER_ERROR_FLAG in r["flags"] for r in errors)
    assert any(words in r["reason"] for r in errors)
    if status == "expired":
        assert len(errors) == 2  # the first half ran before the window closed
    else:
        assert len(errors) == 4
    assert ("collected", status) in [(k, i.get("status")) for k, i in batch_run.events]
    assert result.server_errors == len(errors)


# -- the cache ---------------------------------------------------------------------------------


def test_cached_rows_are_not_submitted(dev_server, bank, batch_run, tmp_path, good_answer):
    server = dev_server()
    answers = _answers(4, good_answer)
    settings = make_settings(server, tmp_path)
    store = Store(settings.store_path)
    live = Grader(settings, bank=bank, store=store)
    live.grade("t-diffusion", answers[0])
    live.grade("t-diffusion", answers[2])
    store.close()
    assert server.requests == 2

    src = write_csv(tmp_path / "in.csv", [(f"c{i}", "t-diffusion", a) for i, a in enumerate(answers)])
    result = batch_run(server, tmp_path, src, tmp_path / "out.csv")
    assert [line["custom_id"].split("-")[1] for line in uploaded_lines(server)] == ["2", "4"]
    assert result.submitted_requests == 2 and result.stats.cached == 2
    got = {r["candidate_id"]: r for r in read_out(tmp_path / "out.csv")}
    assert got["c0"]["cached"] == "True" and got["c2"]["cached"] == "True"
    assert got["c1"]["cached"] == "False" and all(r["status"] == "graded" for r in got.values())
    assert server.requests == 4


def test_everything_cached_creates_no_batch(dev_server, bank, batch_run, tmp_path, good_answer):
    server = dev_server()
    src = write_csv(tmp_path / "in.csv", [("c1", "t-diffusion", good_answer), ("c2", "t-diffusion", "")])
    batch_run(server, tmp_path, src, tmp_path / "a.csv")
    again = batch_run(server, tmp_path, src, tmp_path / "b.csv")
    assert again.batches_created == 0 and server.batch_creations == 1 and again.stats.cached == 1


# -- the command line --------------------------------------------------------------------------


def test_cli_batch_api_resume_and_retry(dev_server, tmp_path, good_answer, monkeypatch, cli):
    server = dev_server(batch_polls_to_complete=1, batch_fail_lines=[1])
    monkeypatch.setenv("GRADER_STORE", str(tmp_path / "store.sqlite3"))
    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    src = write_csv(tmp_path / "in.csv", [(f"c{i}", "vid-01", a) for i, a in enumerate(_answers(3, good_answer))])
    out = tmp_path / "out.csv"
    base = ["batch", str(src), "-o", str(out), "--batch-api", "--base-url", server.base_url, "--model", "m"]

    code, _, err = cli(*base, "--no-wait")
    assert code == 0 and "submitted batch_dev" in err and "--resume" in err
    code, _, err = cli(*base, "--poll-interval", "0")
    assert code == 2 and "still pending" in err
    code, _, err = cli(*base, "--resume", "--poll-interval", "0")
    assert code == 5, err  # one row failed on the server
    assert "completed" in err and "--retry-failed" in err and "batch summary" in err
    code, _, err = cli(*base, "--resume", "--retry-failed", "--poll-interval", "0")
    assert code == 0, err
    assert "re-submitting 1 row" in err
    assert server.batch_creations == 2
    assert sorted(r["status"] for r in read_out(out)) == ["graded"] * 3


def test_batch_results_cost_half_the_live_price(dev_server, bank, batch_run, tmp_path, good_answer):
    server = dev_server()
    prices = {"test-model": (100.0, 200.0)}
    live = Grader(make_settings(server, tmp_path, store="live.sqlite3", prices=prices), bank=bank)
    live_result = live.grade("t-diffusion", good_answer)
    src = write_csv(tmp_path / "in.csv", [("c1", "t-diffusion", good_answer)])
    result = batch_run(
        server, tmp_path, src, tmp_path / "out.csv", settings=make_settings(server, tmp_path, prices=prices)
    )
    row = read_out(tmp_path / "out.csv")[0]
    assert live_result.cost_usd > 0
    assert float(row["cost_usd"]) == pytest.approx(live_result.cost_usd / 2)
    assert result.stats.cost_usd == pytest.approx(live_result.cost_usd / 2)


def test_cli_ctrl_c_prints_the_batch_and_how_to_resume(dev_server, tmp_path, good_answer, monkeypatch, cli):
    from grader.batch import api as batch_api

    server = dev_server(batch_polls_to_complete=5)
    monkeypatch.setenv("GRADER_STORE", str(tmp_path / "store.sqlite3"))
    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    src = write_csv(tmp_path / "in.csv", [("c1", "vid-01", good_answer)])
    real = batch_api.run_batch_api

    def interrupted(*args, **kwargs):
        def ctrl_c(_seconds):
            raise KeyboardInterrupt

        return real(*args, **{**kwargs, "sleep": ctrl_c})

    monkeypatch.setattr(batch_api, "run_batch_api", interrupted)
    code, _, err = cli("batch", src, "-o", tmp_path / "out.csv", "--batch-api", "--base-url", server.base_url)
    assert code == 130
    assert "batch_dev" in err and "in_progress on the server" in err and "--batch-api --resume" in err
