"""Issue 11, part 5: what a new user tripped over in `grade` / `batch`.

- `grade` and `batch` share the cache for the same answer (a trailing newline or CRLF from a file does not
  change the key);
- after `--resume` the per-question summary counts the whole results file, not only that run;
- `--dry-run` with the embedded grader quotes no LLM tokens or prices.
"""

from __future__ import annotations

import json

from grader.text import normalise_answer
from tests.test_batch import make_grader, read_out, run, write_csv

ANSWER = (
    "Temporal consistency means objects, lighting and physics stay stable from frame to frame; "
    "flickering, morphing and identity drift are the typical failures, and I check them frame by frame."
)


def test_normalise_answer_keeps_the_words_and_drops_only_line_ending_noise():
    assert normalise_answer("  a b\r\nc\rd \n\n") == "a b\nc\nd"
    assert normalise_answer(ANSWER + "\n") == ANSWER


def test_grade_from_a_file_then_batch_is_served_from_the_cache(dev_server, cli, tmp_path, monkeypatch):
    monkeypatch.setenv("GRADER_STORE", str(tmp_path / "store.sqlite3"))
    server = dev_server(mode="honest")
    llm = ["--backend", "llm", "--base-url", server.base_url]
    answer_file = tmp_path / "answer.txt"
    answer_file.write_bytes((ANSWER + "\r\n").encode())  # an editor's trailing CRLF
    rc, out, err = cli("grade", "-q", "vid-05", *llm, "--json", "-f", answer_file)
    assert rc == 0, err
    assert server.requests == 1 and not json.loads(out)["cached"]
    src = write_csv(tmp_path / "in.csv", [("c1", "vid-05", ANSWER)])  # the same answer, bare, in a CSV cell
    rc, _, err = cli("batch", src, *llm, "-o", tmp_path / "out.csv")
    assert rc == 0, err
    (row,) = read_out(tmp_path / "out.csv")
    assert row["cached"] == "True" and server.requests == 1  # no second call
    # and the other way round: batch first, then grade with a trailing newline
    src = write_csv(tmp_path / "in2.csv", [("c2", "vid-05", ANSWER + " Also the camera path.")])
    rc, _, err = cli("batch", src, *llm, "-o", tmp_path / "out2.csv")
    assert rc == 0 and server.requests == 2
    rc, out, err = cli("grade", "-q", "vid-05", *llm, "--json", input=ANSWER + " Also the camera path.\n")
    assert rc == 0, err
    assert json.loads(out)["cached"] and server.requests == 2


def test_resume_summary_counts_the_whole_results_file(dev_server, bank, tmp_path, good_answer, cli, monkeypatch):
    server = dev_server()
    answers = [f"{good_answer} Note {i}: I would also log every run." for i in range(5)]
    src = write_csv(tmp_path / "in.csv", [(f"c{i}", "t-diffusion", a) for i, a in enumerate(answers)])
    out = tmp_path / "out.csv"
    run(make_grader(server, bank, tmp_path), src, out)
    lines = out.read_text().splitlines(keepends=True)
    out.write_text("".join(lines[:4]))  # an interrupted run: 3 rows written
    stats = run(make_grader(server, bank, tmp_path), src, out, resume=True)
    assert stats.skipped_done == 3 and stats.done == 2
    per_question = stats.summary()["per_question"]
    assert per_question["t-diffusion"]["count"] == 5  # the whole file, not only the 2 rows of this run
    assert sum(per_question["t-diffusion"]["bands"].values()) == 5


def test_resume_summary_in_the_cli_and_jsonl(dev_server, cli, tmp_path, monkeypatch):
    monkeypatch.setenv("GRADER_STORE", str(tmp_path / "store.sqlite3"))
    server = dev_server(mode="honest")
    llm = ["--backend", "llm", "--base-url", server.base_url]
    rows = [(f"c{i}", "vid-05", f"{ANSWER} Point {i}.") for i in range(4)]
    src = write_csv(tmp_path / "in.csv", rows)
    out = tmp_path / "out.jsonl"
    rc, _, err = cli("batch", src, *llm, "-o", out)
    assert rc == 0, err
    out.write_text("".join(out.read_text().splitlines(keepends=True)[:1]))  # keep 1 of 4
    rc, _, err = cli("batch", src, *llm, "-o", out, "--resume", "--summary-json", tmp_path / "s.json")
    assert rc == 0, err
    summary = json.loads((tmp_path / "s.json").read_text())
    assert summary["already_done"] == 1 and summary["per_question"]["vid-05"]["count"] == 4


def test_dry_run_with_the_embedded_grader_quotes_no_prices(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("GRADER_STORE", str(tmp_path / "store.sqlite3"))
    src = write_csv(tmp_path / "in.csv", [("c1", "vid-05", ANSWER), ("c2", "vid-05", ANSWER + " More.")])
    rc, out, err = cli("batch", src, "--backend", "local", "--dry-run")
    assert rc == 0, err
    est = json.loads(out)
    assert est["backend"] == "local" and est["model"] != "gpt-4o-mini" and "gpt" not in out
    assert est["prompt_tokens_est"] == 0 and est["completion_tokens_est"] == 0 and est["cost_usd_est"] == 0
    assert est["price_per_million"] is None and "free" in est["method"] and est["rows"] == 2
    # after grading them, the dry run finds them in the cache (the embedded judge's own key)
    rc, _, err = cli("batch", src, "--backend", "local", "-o", tmp_path / "out.csv")
    assert rc == 0, err
    rc, out, _ = cli("batch", src, "--backend", "local", "--dry-run")
    assert json.loads(out)["rows_cached"] == 2


def test_dry_run_with_an_llm_still_estimates(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("GRADER_STORE", str(tmp_path / "store.sqlite3"))
    src = write_csv(tmp_path / "in.csv", [("c1", "vid-05", ANSWER)])
    rc, out, err = cli("batch", src, "--backend", "llm", "--base-url", "http://127.0.0.1:9/v1", "--dry-run")
    assert rc == 0, err
    est = json.loads(out)
    assert est["backend"] == "llm" and est["prompt_tokens_est"] > 0 and est["completion_tokens_est"] > 0
