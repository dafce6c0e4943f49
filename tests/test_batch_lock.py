"""Issue 14 item 1: two ``grader batch`` runs on one output (or one ``--resume``) never both write it.

The second run is refused with one line naming the holder and exit 2; the first run's rows are all
there, each once. Runs on different outputs share the store and are not blocked."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import time
from collections import Counter

import pytest

from grader.batch.lock import OutputLock, lock_path

ANSWER = "Temporal consistency keeps objects stable across frames and avoids flicker, measured with FVD."


def write_input(path, n: int) -> None:
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["candidate_id", "question_id", "answer"])
        for i in range(n):
            w.writerow([f"c{i}", "vid-05", f"{ANSWER} Take {i}."])


def read_rows(path) -> list[dict[str, str]]:
    return list(csv.DictReader(path.read_text(encoding="utf-8").splitlines()))


@pytest.mark.parametrize("flags", [[], ["--resume"], ["--overwrite"], ["--batch-api", "--resume"]])
def test_a_held_output_is_refused_with_the_holder(cli, tmp_path, flags):
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    write_input(src, 3)
    out.write_text("row,line\n")
    with OutputLock(out):
        rc, _out, err = cli("batch", src, "-o", out, *flags, "--base-url", "http://127.0.0.1:9/v1")
    assert rc == 2
    assert "in use by process" in err and str(os.getpid()) in err
    assert len(err.strip().splitlines()) <= 2 and "Traceback" not in err  # the error line and its hint
    assert out.read_text() == "row,line\n"  # untouched
    assert not lock_path(out).exists()  # released with the holder


def test_the_lock_is_released_and_a_stale_sidecar_is_taken_over(cli, tmp_path):
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    write_input(src, 2)
    lock_path(out).write_text('{"pid": 999999, "host": "gone", "started": 0}')  # left by a killed run
    rc, _out, err = cli("batch", src, "-o", out)
    assert rc == 0, err
    assert [r["candidate_id"] for r in read_rows(out)] == ["c0", "c1"]
    assert not lock_path(out).exists()
    with OutputLock(out):  # free again
        pass


def test_one_output_two_spellings_share_the_lock(cli, tmp_path, monkeypatch):
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    write_input(src, 1)
    monkeypatch.chdir(tmp_path)
    with OutputLock(out):
        rc, _out, err = cli("batch", "in.csv", "-o", str(tmp_path / "sub" / ".." / "out.csv"))
    assert rc == 2 and "in use" in err


@pytest.mark.slow
def test_a_second_process_on_a_running_batch_is_refused_and_no_row_is_lost(dev_server, cli, tmp_path, monkeypatch):
    server = dev_server(latency=0.05)
    n = 40
    src, out, other = tmp_path / "in.csv", tmp_path / "out.csv", tmp_path / "other.csv"
    write_input(src, n)
    env = {**os.environ, "GRADER_STORE": str(tmp_path / "s.sqlite3"), "OPENAI_API_KEY": "k"}
    cmd = [sys.executable, "-m", "grader", "batch", str(src), "-o", str(out), "-j", "2"]
    cmd += ["--base-url", server.base_url, "--backend", "llm"]
    first = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not (out.exists() and out.read_text().count("\n") > 3) and first.poll() is None:
            assert time.monotonic() < deadline, "the first batch did not start"
            time.sleep(0.02)
        assert first.poll() is None, "the first batch must still be running"
        monkeypatch.setenv("GRADER_STORE", env["GRADER_STORE"])  # the same store
        monkeypatch.setenv("OPENAI_API_KEY", "k")
        for flags in (["--resume"], ["--overwrite"]):
            rc, _out, err = cli("batch", src, "-o", out, *flags, "--base-url", server.base_url, "--backend", "llm")
            assert rc == 2 and f"in use by process {first.pid}" in err, err
        # a different output sharing the store runs alongside
        rc, _out, err = cli("batch", src, "-o", other, "--base-url", server.base_url, "--backend", "llm")
        assert rc == 0, err
    finally:
        _, first_err = first.communicate(timeout=120)
    assert first.returncode == 0, first_err
    for path in (out, other):
        ids = Counter(r["candidate_id"] for r in read_rows(path))
        assert len(ids) == n and set(ids.values()) == {1}  # none lost, none duplicated
    assert not lock_path(out).exists()
