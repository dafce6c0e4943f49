"""The Batch API's JSONL run elsewhere: ``--export-requests`` writes the job, DevServer's Files and
Batches API runs it (as another engine would), ``--import-results`` grades its output and error files
into the same levels and scores as a live run; every row exactly once, resumable, changes detected."""

from __future__ import annotations

import json
from pathlib import Path

from test_batch import read_out, write_csv
from test_batch_api import OTHER_ANSWER, WEAK_ANSWER, _answers, grade_live, make_settings

from grader.batch.api import make_client
from grader.batch.exchange import export_requests, import_results
from grader.grading import Grader
from grader.store import Store


def run_elsewhere(server, tmp_path: Path, requests: Path) -> tuple[Path, Path]:
    """Upload the exported file to DevServer, run it as a batch there, download output and errors."""
    settings = make_settings(server, tmp_path, store="elsewhere.sqlite3")
    client = make_client(settings)
    try:
        upload = client.upload("requests.jsonl", requests.read_bytes(), timeout=5)
        batch = client.create_batch(upload.id, endpoint="/v1/chat/completions", metadata={})
        for _ in range(10):
            batch = client.retrieve_batch(batch.id)
            if batch.status == "completed":
                break
        assert batch.status == "completed"
        out, err = tmp_path / "output.jsonl", tmp_path / "errors.jsonl"
        out.write_text(client.file_text(batch.output_file_id) if batch.output_file_id else "")
        err.write_text(client.file_text(batch.error_file_id) if batch.error_file_id else "")
        return out, err
    finally:
        client.close()


def rows(good_answer):
    return [
        ("c1", "t-diffusion", good_answer),
        ("c2", "no-such-question", good_answer),
        ("c3", "t-diffusion", ""),
        ("c4", "t-diff", OTHER_ANSWER),
        ("c5", "t-diffusion", "too short"),
        ("c6", "t-diffusion", WEAK_ANSWER),
        ("c7", "t-diffusion", good_answer),  # a duplicate of c1: one request
        *[(f"d{i}", "t-diffusion", a) for i, a in enumerate(_answers(4, good_answer))],
    ]


def _grader(server, tmp_path, bank, store="x.sqlite3", **kw):
    settings = make_settings(server, tmp_path, store=store, **kw)
    return Grader(settings, bank=bank, store=Store(settings.store_path))


def test_export_run_elsewhere_import_equals_live(dev_server, bank, tmp_path, good_answer):
    server = dev_server()
    src = write_csv(tmp_path / "in.csv", rows(good_answer))
    requests = tmp_path / "requests.jsonl"
    exp = export_requests(_grader(server, tmp_path, bank, "exp.sqlite3"), src, requests)
    lines = [json.loads(x) for x in requests.read_text().splitlines()]
    assert (exp.rows, exp.requests, exp.rows_in_requests, exp.answered_here) == (11, 7, 8, 3)
    assert len(lines) == 7 and all(set(x) == {"custom_id", "method", "url", "body"} for x in lines)
    assert server.batch_creations == 0 and server.file_uploads == 0  # nothing uploaded by the export

    output, errors = run_elsewhere(server, tmp_path, requests)
    out = tmp_path / "out.csv"
    stats = import_results(_grader(server, tmp_path, bank, "imp.sqlite3"), src, out, output, errors=errors)
    got = read_out(out)
    assert sorted(int(r["row"]) for r in got) == list(range(1, 12))  # every row exactly once
    assert (stats.graded, stats.errors) == (10, 1)

    grade_live(server, bank, tmp_path, src, tmp_path / "live.csv")
    live = {r["row"]: r for r in read_out(tmp_path / "live.csv")}
    levels = 0
    for r in got:
        want = live[r["row"]]
        assert (r["status"], r["score"], r["band"], r["flags"]) == (
            want["status"],
            want["score"],
            want["band"],
            want["flags"],
        ), r["candidate_id"]
        rj, wj = json.loads(r["result_json"] or "{}"), json.loads(want["result_json"] or "{}")
        assert [(c["claimed"], c["awarded"], c["points"]) for c in rj.get("criteria", [])] == [
            (c["claimed"], c["awarded"], c["points"]) for c in wj.get("criteria", [])
        ]
        levels += len(rj.get("criteria", []))
    assert levels >= 8  # the per-criterion levels were compared, not only the totals
    by_id = {r["candidate_id"]: r for r in got}
    assert by_id["c7"]["cached"] == "True" and by_id["c1"]["cached"] == "False"


def test_missing_and_failed_lines_become_error_rows_and_import_resumes(dev_server, bank, tmp_path, good_answer):
    server = dev_server(batch_fail_lines=[2])
    answers = _answers(4, good_answer)
    src = write_csv(tmp_path / "in.csv", [(f"c{i}", "t-diffusion", a) for i, a in enumerate(answers)])
    requests = tmp_path / "requests.jsonl"
    export_requests(_grader(server, tmp_path, bank, "exp.sqlite3"), src, requests)
    output, errors = run_elsewhere(server, tmp_path, requests)
    kept = output.read_text().splitlines()
    dropped = next(x for x in kept if json.loads(x)["custom_id"].startswith("row-4-"))
    output.write_text("\n".join(x for x in kept if x != dropped) + "\n")  # the engine lost row 4's line

    out = tmp_path / "out.jsonl"
    g = _grader(server, tmp_path, bank, "imp.sqlite3", use_cache=False)
    stats = import_results(g, src, out, output, errors=errors)
    got = {r["row"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert sorted(got) == [1, 2, 3, 4]
    assert got[2]["status"] == "error" and "server_error" in got[2]["flags"]
    assert got[4]["status"] == "error" and "no result for this row" in got[4]["reason"]
    assert stats.failed and stats.graded == 2

    # resume: the rows already written are kept, the others are written once more
    out.write_text("\n".join(out.read_text().splitlines()[:2]) + "\n")
    again = import_results(g, src, out, output, errors=errors, resume=True)
    assert again.skipped_done == 2
    assert sorted(r["row"] for r in map(json.loads, out.read_text().splitlines())) == [1, 2, 3, 4]


def test_changed_input_or_settings_are_detected(dev_server, bank, tmp_path, good_answer):
    server = dev_server()
    answers = _answers(2, good_answer)
    src = write_csv(tmp_path / "in.csv", [(f"c{i}", "t-diffusion", a) for i, a in enumerate(answers)])
    requests = tmp_path / "requests.jsonl"
    export_requests(_grader(server, tmp_path, bank, "exp.sqlite3"), src, requests)
    output, errors = run_elsewhere(server, tmp_path, requests)
    out = tmp_path / "out.csv"
    other = _grader(server, tmp_path, bank, "imp.sqlite3", seed=99)  # other grading settings
    stats = import_results(other, src, out, output, errors=errors)
    got = read_out(out)
    assert len(got) == 2 and stats.errors == 2
    assert all("changed since the export" in r["reason"] for r in got)


def test_cli_export_and_import(dev_server, tmp_path, good_answer, monkeypatch, cli):
    server = dev_server()
    monkeypatch.setenv("GRADER_STORE", str(tmp_path / "store.sqlite3"))
    src = write_csv(tmp_path / "in.csv", [(f"c{i}", "vid-01", a) for i, a in enumerate(_answers(3, good_answer))])
    requests = tmp_path / "requests.jsonl"
    common = ["--base-url", server.base_url, "--model", "test-model", "--no-cache"]
    code, _, err = cli("batch", str(src), "--batch-api", "--export-requests", str(requests), *common)
    assert code == 0, err
    assert "wrote 3 request(s)" in err and server.file_uploads == 0
    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    output, errors = run_elsewhere(server, tmp_path, requests)
    out = tmp_path / "out.csv"
    args = ["batch", str(src), "-o", str(out), "--import-results", str(output), "--errors", str(errors), *common]
    code, _, err = cli(*args)
    assert code == 0, err
    assert sorted(r["status"] for r in read_out(out)) == ["graded"] * 3
    code, _, err = cli(*args)
    assert code == 2 and "output file exists" in err
    code, _, err = cli("batch", str(src), "--export-requests", str(requests), *common)
    assert code == 2 and "--batch-api" in err
