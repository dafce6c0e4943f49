"""Reliability: a 1,000-row batch against 30 % mixed faults, and a SIGKILL in the middle.

Sleeps are shortened (the judge's backoff sleep is a no-op, the server's "timeout" fault sleeps
0.3 s against a 0.2 s client timeout); the retry logic is the real one.
"""

import asyncio
import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter

import pytest
from test_batch import read_out, write_csv

from grader.batch.runner import AdaptiveLimit, run_batch
from grader.grading import Grader
from grader.settings import Settings
from grader.store import Store
from grader.testing.devserver import RECOVERABLE_FAULTS


async def _no_sleep(_seconds: float) -> None:
    return None


@pytest.mark.slow
def test_thousand_rows_with_thirty_percent_faults(dev_server, bank, tmp_path, good_answer):
    server = dev_server(fault_rate=0.3, seed=7, fault_kinds=RECOVERABLE_FAULTS, timeout_sleep=2.5)
    n = 1000
    answers = [f"{good_answer} Variant {i}." for i in range(n)]
    src = write_csv(tmp_path / "in.csv", [(f"c{i}", "t-diffusion", a) for i, a in enumerate(answers)])
    settings = Settings(
        api_key="k",
        base_url=server.base_url,
        model="m",
        timeout=2.0,  # far above a loaded machine's reply time; the timeout fault sleeps past it
        concurrency=32,
        max_retries=4,
        store=tmp_path / "s.sqlite3",
    )
    grader = Grader(settings, bank=bank, store=Store(settings.store_path), sleep=_no_sleep)

    async def go():
        try:
            return await run_batch(grader, src, tmp_path / "out.csv", limiter=AdaptiveLimit(32, sleep=_no_sleep))
        finally:
            await grader.aclose()

    stats = asyncio.run(go())
    rows = read_out(tmp_path / "out.csv")
    ids = Counter(r["candidate_id"] for r in rows)
    assert len(rows) == n and set(ids.values()) == {1}  # none lost, none duplicated
    for r in rows:
        assert r["status"] in ("graded", "unscored", "error")
        if r["status"] != "graded":
            assert r["reason"]  # every failure says why
    assert stats.graded >= 0.97 * n
    assert server.requests <= 1.5 * n, f"{server.requests} calls for {n} rows"
    applied = Counter(entry["fault"] for entry in server.log if entry["fault"])
    assert len(applied) >= 8  # the mix really was mixed


def _kill_script(tmp_path, server_url):
    return [
        sys.executable,
        "-m",
        "grader",
        "batch",
        str(tmp_path / "in.csv"),
        "-o",
        str(tmp_path / "out.csv"),
        "--base-url",
        server_url,
        "--model",
        "m",
        "--concurrency",
        "4",
    ]


@pytest.mark.slow
def test_sigkill_midway_then_resume_grades_each_row_once(dev_server, bank, tmp_path, good_answer):
    server = dev_server(latency=0.05)
    n = 120
    answers = [f"{good_answer} Take {i}." for i in range(n)]
    write_csv(tmp_path / "in.csv", [(f"c{i}", "t-diffusion", a) for i, a in enumerate(answers)])
    (tmp_path / "bank").mkdir()
    (tmp_path / "bank" / "t.yaml").write_text(json.dumps(bank.get("t-diffusion").model_dump(mode="json")))
    env = {
        **os.environ,
        "GRADER_STORE": str(tmp_path / "s.sqlite3"),
        "GRADER_RUBRICS": str(tmp_path / "bank"),
        "OPENAI_API_KEY": "k",
    }
    proc = subprocess.Popen(
        _kill_script(tmp_path, server.base_url), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    out = tmp_path / "out.csv"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if out.exists() and out.read_text().count("\n") > 40:
            break
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    with sqlite3.connect(tmp_path / "s.sqlite3") as db:
        stored = {json.loads(r[0])["answer_sha256"] for r in db.execute("SELECT result_json FROM results")}
    assert 0 < len(stored) < n, "the kill must land midway"
    sent_before = Counter(server.answers)

    done = subprocess.run(
        [*_kill_script(tmp_path, server.base_url), "--resume"], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    rows = read_out(out)
    assert sorted(int(r["row"]) for r in rows) == list(range(1, n + 1))  # every row exactly once
    assert all(r["status"] == "graded" for r in rows)
    # no answer whose verdict was stored before the kill was sent to the server again
    for digest in stored:
        assert server.answers[digest] == sent_before[digest], "a stored verdict was paid for twice"
    # and every answer was sent at most twice overall (once more only if it was in flight at the kill)
    assert max(server.answers.values()) <= 2
    assert all(hashlib.sha256(a.encode()).hexdigest() in server.answers for a in answers)


@pytest.mark.slow
def test_ctrl_c_keeps_finished_rows_and_exits_130(dev_server, bank, tmp_path, good_answer):
    server = dev_server(latency=0.2)
    n = 60
    write_csv(tmp_path / "in.csv", [(f"c{i}", "t-diffusion", f"{good_answer} Try {i}.") for i in range(n)])
    (tmp_path / "bank").mkdir()
    (tmp_path / "bank" / "t.yaml").write_text(json.dumps(bank.get("t-diffusion").model_dump(mode="json")))
    env = {
        **os.environ,
        "GRADER_STORE": str(tmp_path / "s.sqlite3"),
        "GRADER_RUBRICS": str(tmp_path / "bank"),
        "OPENAI_API_KEY": "k",
    }
    cmd = [
        sys.executable,
        "-m",
        "grader",
        "batch",
        str(tmp_path / "in.csv"),
        "-o",
        str(tmp_path / "out.csv"),
        "--base-url",
        server.base_url,
        "--model",
        "m",
        "--concurrency",
        "2",
    ]
    proc = subprocess.Popen(
        cmd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    out = tmp_path / "out.csv"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (out.exists() and out.read_text().count("\n") > 6):
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130 and "interrupted" in err
    kept = read_out(out)
    assert 5 <= len(kept) < n and all(r["status"] == "graded" for r in kept)
    done = subprocess.run([*cmd, "--resume"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert sorted(int(r["row"]) for r in read_out(out)) == list(range(1, n + 1))
