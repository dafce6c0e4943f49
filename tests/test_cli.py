"""The command line: one clear line per error, documented exit codes, JSON output."""

import csv
import json
import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    "args, code, fragment",
    [
        (["grade", "-q", "nope", "-a", "some answer text here ok"], 2, "unknown question id 'nope'"),
        (["grade", "-q", "vid-0", "-a", "some answer text here ok"], 2, "did you mean"),
        (["grade", "-q", "vid-01", "-f", "/no/such/file.txt"], 2, "/no/such/file.txt: file not found"),
        (["grade", "-q", "vid-01", "-a", "x", "-f", "y"], 2, "either --answer or --answer-file"),
        (["grade", "-q", "vid-01", "-a", "x", "--backend", "gpu"], 2, "invalid setting backend"),
        (["rubrics", "show", "nope"], 2, "unknown question id"),
        (["rubrics", "list", "--section", "Expert"], 2, "no section matches 'Expert'"),
        (["rubrics", "list", "--rubrics", "/no/bank"], 2, "/no/bank: no such file or directory"),
        (["batch", "/no/in.csv", "-o", "x.csv"], 2, "/no/in.csv: file not found"),
    ],
)
def test_errors_are_one_line_with_exit_code(args, code, fragment, cli):
    rc, _out, err = cli(*args)
    assert rc == code
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and fragment in lines[0], err
    assert "Traceback" not in err


def test_bad_rubric_file_names_file_and_field(tmp_path, cli):
    (tmp_path / "bad.yaml").write_text("id: q1\nquestion: Why does it matter?\nhint: h\ncriteria: []\n")
    rc, _, err = cli("rubrics", "list", "--rubrics", str(tmp_path))
    assert rc == 2 and "bad.yaml: criteria:" in err and "at least 1 item" in err


def test_usage_error_exit_2(cli):
    rc, _, err = cli("grade")
    assert rc == 2 and "--question" in err


def test_grade_json_has_the_audit_fields(cli):
    rc, out, _ = cli(
        "grade",
        "-q",
        "vid-05",
        "--backend",
        "local",
        "--json",
        "--no-cache",
        "-a",
        "Temporal consistency means objects and lighting stay stable across frames; "
        "flickering and identity drift are typical failures.",
    )
    assert rc == 0
    data = json.loads(out)
    for key in (
        "question_id",
        "rubric_hash",
        "prompt_version",
        "backend",
        "model",
        "verdict",
        "score",
        "band",
        "flags",
        "usage",
        "latency_s",
        "attempts",
        "criteria",
    ):
        assert key in data
    assert data["backend"] == "local" and data["question_id"] == "vid-05-temporal-consistency"
    assert all(e["verified"] for c in data["criteria"] for e in c["evidence"] if c["awarded"] != "missing")


def test_too_short_answer_is_zero_without_a_call(cli):
    rc, out, _ = cli("grade", "-q", "vid-05", "--json", "--base-url", "http://127.0.0.1:9/v1", "-a", "flicker")
    assert rc == 0
    data = json.loads(out)
    assert data["score"] == 0 and data["flags"][0]["code"] == "too_short" and data["attempts"] == 0


def test_unreachable_server_is_exit_3(cli):
    rc, _, err = cli(
        "grade",
        "-q",
        "vid-05",
        "--base-url",
        "http://127.0.0.1:9/v1",
        "--no-cache",
        "-a",
        "Temporal consistency keeps objects stable across frames.",
    )
    assert rc == 3 and "could not connect" in err and "--base-url" in err


def test_answer_from_stdin():
    proc = subprocess.run(
        [sys.executable, "-m", "grader", "prompt", "vid-05"],
        input="piped answer text here",
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0 and "piped answer text here" in proc.stdout


def test_rubrics_list_json_and_show_yaml(cli):
    rc, out, _ = cli("rubrics", "list", "--json", "--section", "Behavioral")
    assert rc == 0 and len(out.splitlines()) == 5
    rc, out, _ = cli("rubrics", "show", "vid-05", "--yaml")
    assert rc == 0 and "criteria:" in out and "temporal" in out


def test_unscored_answer_exits_5(dev_server, cli):
    server = dev_server(faults=["invalid_json"] * 3)
    rc, out, _err = cli(
        "grade",
        "-q",
        "vid-05",
        "--base-url",
        server.base_url,
        "--no-cache",
        "--json",
        "-a",
        "Temporal consistency keeps objects stable across frames and avoids flicker.",
    )
    data = json.loads(out)
    assert rc == 5 and data["status"] == "unscored" and data["score"] is None and data["attempts"] == 3
    assert data["unscored_reason"] and data["last_output"]


@pytest.mark.parametrize(
    "text, words", [("hello world  foo", 3), ("时间一致性意味着物体", 10), ("Temporal 一致 ok", 4), ("", 0)]
)
def test_word_count_counts_cjk_characters(text, words):
    from grader.grading import word_count

    assert word_count(text) == words


def test_a_200_that_is_not_json_is_a_server_fault_not_a_bug(dev_server, cli, monkeypatch, tmp_path):
    # issue 14 item 4: a proxy's HTML page (HTTP 200) is retried, then reported as the server's fault
    monkeypatch.setenv("GRADER_MAX_RETRIES", "1")
    monkeypatch.setenv("GRADER_RETRY_MAX_WAIT", "0.01")
    server = dev_server(faults=["html_200"] * 2)
    answer = "Temporal consistency keeps objects stable across frames and avoids flicker."
    rc, _out, err = cli("grade", "-q", "vid-05", "--base-url", server.base_url, "--no-cache", "-a", answer)
    assert rc == 3 and server.requests == 2
    assert "HTTP 200" in err and "not JSON" in err and "a bug" not in err and "internal error" not in err

    server = dev_server(faults=["garbage_200", "garbage_200", "html_200"])  # 2 attempts per row: 1 row fails
    source = tmp_path / "in.csv"
    source.write_text(f"candidate_id,question_id,answer\nc1,vid-05,{answer}\nc2,vid-05,{answer} Also FVD.\n")
    out_path = tmp_path / "out.csv"
    rc, _out, err = cli(
        "batch", source, "-o", out_path, "--base-url", server.base_url, "--no-cache", "-j", "1", "--backend", "llm"
    )
    rows = list(csv.DictReader(out_path.read_text().splitlines()))
    assert rc == 5 and sorted(r["candidate_id"] for r in rows) == ["c1", "c2"]
    failed = [r for r in rows if r["status"] == "error"]
    assert len(failed) == 1 and "not JSON" in failed[0]["reason"] and "internal" not in failed[0]["reason"]
    assert [r["status"] for r in rows if r not in failed] == ["graded"]  # retried once, then answered
    assert server.requests == 4
