"""Issue 14's fault-and-abuse suite: the real ``grader`` command, run as a subprocess, fed what an
attacker or a careless user would feed it.

For every case: the exit code is the one the README's "Exit codes" documents; stderr holds no
traceback and a refusal is one line; every input row is in the output exactly once (by its line);
the configured API key is in no stdout, stderr, output file or page; CSV cells that a spreadsheet
would run are neutralised while JSONL keeps values exactly; no raw ESC byte reaches the terminal.

The LLM is the project's test server (:class:`grader.testing.devserver.DevServer`), in this
process, with an API key it checks and faults that quote the key back (``400key``) or answer HTML
with a 200 (``html_200``)."""

from __future__ import annotations

import contextlib
import csv
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest

from grader.testing.devserver import DevServer

pytestmark = pytest.mark.slow

KEY = "sk-test-ABUSE0123456789abcdef"
ANSWER = (  # no comma or quote: it may be written into a CSV line as it is
    "Temporal consistency keeps objects stable across frames and avoids flicker; temporal attention "
    "layers help and I would measure it with FVD."
)
QID = "vid-05-temporal-consistency"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
WAIT = 60  # seconds a subprocess may take before the test gives up (a hang, not a timing assert)


# -- running the command ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def llm() -> Iterator[DevServer]:
    """One honest test server for the module, requiring :data:`KEY`."""
    with DevServer(api_key=KEY) as server:
        yield server


@pytest.fixture
def env(tmp_path: Path, llm: DevServer) -> dict[str, str]:
    """The environment of a ``grader`` subprocess: no developer settings, a fresh home and store, the key."""
    home = tmp_path / "home"
    home.mkdir()
    base = {k: v for k, v in os.environ.items() if not k.startswith(("GRADER_", "OPENAI_"))}
    base.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local/share"),
        XDG_CACHE_HOME=str(home / ".cache"),
        GRADER_CONFIG=str(tmp_path / "config.toml"),  # does not exist
        OPENAI_API_KEY=KEY,
        OPENAI_BASE_URL=llm.base_url,
        COLUMNS="100",
        PYTHONIOENCODING="utf-8",
    )
    return base


class Run:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err

    def __repr__(self) -> str:
        return f"Run(code={self.code}, err={self.err[-2000:]!r}, out={self.out[-1000:]!r})"


def grader(env: dict[str, str], *args: object, cwd: Path | None = None) -> Run:
    p = subprocess.run(
        [sys.executable, "-m", "grader", *map(str, args)],
        env=env,
        cwd=cwd,
        capture_output=True,
        timeout=WAIT,
        stdin=subprocess.DEVNULL,
    )
    run = Run(p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace"))
    check_terminal(run)
    return run


def check_terminal(run: Run) -> None:
    """What every run must hold: no traceback, no key, no raw ESC on the terminal."""
    both = run.out + run.err
    assert "Traceback" not in both, run
    assert "internal error" not in both, run
    assert KEY not in both and KEY[8:] not in both, run
    assert "\x1b" not in both, run


def refused(run: Run, code: int, *needles: str) -> str:
    """A refusal: the documented exit code and one line on stderr (what, where), naming each needle."""
    assert run.code == code, run
    lines = [ln for ln in run.err.splitlines() if ln.strip()]
    assert len(lines) == 1, run
    for needle in needles:
        assert needle in lines[0], run
    return lines[0]


def no_key_in(*paths: Path) -> None:
    for path in paths:
        if path.exists():
            data = path.read_bytes()
            assert KEY.encode() not in data and KEY[8:].encode() not in data, path


def results(path: Path) -> list[dict]:
    """The rows of a results file (CSV or JSONL)."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".jsonl":
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    return list(csv.DictReader(text.splitlines(keepends=True)))


def rows_once(rows: list[dict], n: int) -> dict[int, dict]:
    """Every input row (numbered from 1) exactly once: none lost, none twice, none invented."""
    counts = Counter(int(r["row"]) for r in rows)
    assert sorted(counts) == list(range(1, n + 1)), sorted(counts)
    assert set(counts.values()) == {1}, counts
    return {int(r["row"]): r for r in rows}


def neutralised(rows: list[dict]) -> None:
    """No CSV cell starts with a character a spreadsheet runs as a formula."""
    for row in rows:
        for name, cell in row.items():
            assert not (cell or "").startswith(FORMULA_STARTS), (name, cell)


def write_csv(path: Path, rows: list[list[str]], header=("candidate_id", "question_id", "answer")) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


# -- grader batch over bad input -------------------------------------------------------------------

#: (candidate id, question id, answer) that must each come back exactly as written in JSONL.
HOSTILE = [
    ("=1+1", "vid-05", ANSWER),
    ("\t=1+1", "vid-05", '=HYPERLINK("http://evil.example","click") ' + ANSWER),
    ("@x", "vid-05", "@SUM(A1:A9) " + ANSWER),
    ("+1", "vid-05", "-2 " + ANSWER),
    ("\rcr", "vid-05", ANSWER),
    ("esc\x1b[31mred", "vid-05", "\x1b[2J\x1b[31m" + ANSWER),
    ("'quoted", "vid-05", "'" + ANSWER),
    ("c-vid5", "vid-5", ANSWER),  # question number 5 is vid-05, never vid-50
    ("c-ambiguous", "vid-", ANSWER),  # several questions: an error row listing them
    ("c-unknown", "no-such-question", ANSWER),
]


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_hostile_csv_cells_and_an_unterminated_quote(env, tmp_path, suffix):
    src = write_csv(tmp_path / "in.csv", [list(r) for r in HOSTILE])
    with src.open("a", encoding="utf-8", newline="") as fh:  # an unterminated quote, then two good rows
        fh.write('c-open,vid-05,"this quote never closes\nc-after1,vid-05,' + ANSWER + "\n")
        fh.write("c-after2,vid-05," + ANSWER.replace(",", "") + "\n")
    out = tmp_path / f"out{suffix}"
    run = grader(env, "batch", src, "-o", out, "-j", "2")
    assert run.code == 5, run  # some rows are errors
    rows = results(out)
    n = len(HOSTILE)
    by_row = rows_once(rows, n + 3)  # the hostile rows, the unterminated quote's, the two after it
    no_key_in(out)
    assert by_row[n + 1]["status"] == "error" and "unterminated quote" in by_row[n + 1]["reason"]
    assert by_row[n + 2]["candidate_id"] == "c-after1" and by_row[n + 3]["candidate_id"] == "c-after2"
    assert by_row[n + 2]["status"] == by_row[n + 3]["status"] == "graded"
    ids = [r[0] for r in HOSTILE]
    ambiguous = by_row[1 + ids.index("c-ambiguous")]
    assert ambiguous["status"] == "error" and "ambiguous" in ambiguous["reason"]
    assert by_row[1 + ids.index("c-unknown")]["status"] == "error"
    assert all(by_row[1 + i]["status"] == "graded" for i in range(ids.index("c-vid5") + 1)), rows
    vid5 = by_row[1 + ids.index("c-vid5")]
    assert vid5["status"] == "graded"
    if suffix == ".jsonl":  # exact values
        assert [by_row[i + 1]["candidate_id"] for i in range(n)] == ids
        assert [by_row[i + 1]["question_id"] for i in range(n)] == [r[1] for r in HOSTILE]
        assert vid5["result"]["question_id"].startswith("vid-05-")
    else:
        neutralised(rows)
        written = [by_row[i + 1]["candidate_id"] for i in range(n)]
        # a CSV cell is one line: whitespace at its ends goes, so "\t=1+1" is "=1+1", then neutralised
        assert written[:5] == ["'=1+1", "'=1+1", "'@x", "'+1", "cr"]
        assert written[5] == "esc\x1b[31mred"  # the file keeps the text; only the terminal escapes it
        assert written[6] == "''quoted"  # a leading ' is doubled so it reads back exactly


def test_a_duplicated_header_is_refused_in_one_line(env, tmp_path):
    src = tmp_path / "in.csv"
    src.write_text(f"candidate_id,question_id,answer,answer\nc1,vid-05,{ANSWER.replace(',', '')},x\n")
    out = tmp_path / "out.csv"
    refused(grader(env, "batch", src, "-o", out), 2, "'answer' more than once")
    assert not out.exists() or results(out) == []


def test_bad_jsonl_lines_are_error_rows_and_the_rest_graded(env, tmp_path):
    def line(cid, answer, qid="vid-05") -> str:
        return json.dumps({"candidate_id": cid, "question_id": qid, "answer": answer})

    deep = '{"candidate_id": "deep", "question_id": "vid-05", "answer": ' + "[" * 50_000 + "]" * 50_000 + "}"
    src = tmp_path / "in.jsonl"
    src.write_text(
        "\n".join(
            [
                deep,
                line("lone\ud800", "lone \ud800 surrogate " + ANSWER),
                line(None, ANSWER),
                line("list", ["a", "list", "answer"]),
                line("dict", {"an": "object"}),
                line("=1+1", ANSWER),
                '{"candidate_id": "torn", "question_id": "vid-05", "answ',
                line("last", ANSWER),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    for out in (tmp_path / "out.csv", tmp_path / "out.jsonl"):
        run = grader(env, "batch", src, "-o", out)
        assert run.code == 5, run
        no_key_in(out)
        rows = results(out)
        by_line = rows_once(rows, 8)  # one JSON line is one row
        status = [by_line[i]["status"] for i in range(1, 9)]
        assert status[0] == "error" and "nested too deeply" in by_line[1]["reason"]
        assert status[1] == "error" and "surrogate" in by_line[2]["reason"]
        assert status[2] == "graded" and by_line[3]["candidate_id"] == ""  # null is empty, never "None"
        assert status[3] == status[4] == "error" and "must be a string" in by_line[4]["reason"]
        assert status[5] == "graded" and status[6] == "error" and status[7] == "graded"
        if out.suffix == ".csv":
            neutralised(rows)
        else:
            assert by_line[6]["candidate_id"] == "=1+1"


# -- faults of the LLM server ----------------------------------------------------------------------


def test_a_server_quoting_the_key_back_leaks_it_nowhere(env, tmp_path):
    src = write_csv(tmp_path / "in.csv", [[f"c{i}", "vid-05", f"{ANSWER} Take {i}."] for i in range(3)])
    with DevServer(api_key=KEY, faults=["400key"] * 10) as bad:
        env = {**env, "OPENAI_BASE_URL": bad.base_url}
        for out in (tmp_path / "out.csv", tmp_path / "out.jsonl"):
            run = grader(env, "batch", src, "-o", out, "--no-cache", "-j", "1")
            assert run.code in (3, 5), run  # refused by the server: unreachable/refused or error rows
            no_key_in(out)
            if out.exists():
                rows_once(results(out), 3)
        grade = grader(env, "grade", "-q", "vid-05", "-a", ANSWER)
        assert grade.code in (3, 5), grade


def test_html_with_a_200_is_retried_then_graded(env, tmp_path):
    src = write_csv(tmp_path / "in.csv", [[f"c{i}", "vid-05", f"{ANSWER} Take {i}."] for i in range(2)])
    out = tmp_path / "out.jsonl"
    with DevServer(api_key=KEY, faults=["html_200", "html_200"]) as flaky:
        run = grader({**env, "OPENAI_BASE_URL": flaky.base_url}, "batch", src, "-o", out, "-j", "1")
    assert run.code == 0, run
    by_line = rows_once(results(out), 2)
    assert {r["status"] for r in by_line.values()} == {"graded"}


# -- bad rubrics -----------------------------------------------------------------------------------


def test_a_csv_bank_with_broken_questions_fails_only_their_rows(env, tmp_path):
    bank = write_csv(
        tmp_path / "bank.csv",
        [
            ["q1", "What is a push in git?", "push"],  # one-word reference: builds, with a note
            ["q2", "What is empty?", ""],  # no reference: that question's rows fail
            ["q3", "How do diffusion models keep video consistent?", ANSWER],
        ],
        header=("id", "question", "reference_answer"),
    )
    src = write_csv(
        tmp_path / "in.csv",
        [
            ["a", "q1", "A push uploads local commits to the remote repository branch."],
            ["b", "q2", ANSWER],
            ["c", "q3", ANSWER],
        ],
    )
    out = tmp_path / "out.csv"
    run = grader(env, "batch", src, "-o", out, "--rubrics", bank)
    assert run.code == 5, run
    by_row = rows_once(results(out), 3)
    assert by_row[1]["status"] == by_row[3]["status"] == "graded", by_row
    assert by_row[2]["status"] == "error" and "reference" in by_row[2]["reason"], by_row
    assert "warning" in run.err  # the broken question is announced


@pytest.mark.parametrize(
    "yaml_text, needle",
    [
        ("max_score: 1e308\n", "max_score"),
        ("max_score: 10\nmax_score: 20\n", "max_score"),  # a repeated key
        ("max_score: .nan\n", "max_score"),
    ],
)
def test_a_bad_rubric_yaml_is_refused_in_one_line(env, tmp_path, yaml_text, needle):
    rubric = tmp_path / "bad.yaml"
    rubric.write_text(
        "id: bad-1\nsection: General\nquestion: How do diffusion models generate video?\n"
        "hint: A strong answer covers denoising, temporal consistency and evaluation.\n"
        "criteria:\n"
        "  - {id: denoising, weight: 1, text: Explains iterative denoising of noise}\n"
        "  - {id: temporal, weight: 1, text: Describes temporal consistency across frames}\n"
        "  - {id: evaluation, weight: 1, text: Names metrics such as FVD}\n" + yaml_text
    )
    src = write_csv(tmp_path / "in.csv", [["a", "bad-1", ANSWER]])
    out = tmp_path / "out.csv"
    refused(grader(env, "batch", src, "-o", out, "--rubrics", rubric), 2, needle)
    assert not out.exists() or results(out) == []


def test_an_ambiguous_question_is_refused_with_the_candidates(env):
    line = refused(grader(env, "grade", "-q", "vid-", "-a", ANSWER), 2, "ambiguous", "vid-05")
    assert "vid-50" not in line or "vid-05" in line
    run = grader(env, "grade", "-q", "vid-5", "-a", ANSWER)  # exactly question 5
    assert run.code == 0, run


# -- two batches on one output ---------------------------------------------------------------------


def test_a_second_batch_on_the_same_output_is_refused_and_the_first_loses_nothing(env, tmp_path):
    n = 12
    src = write_csv(tmp_path / "in.csv", [[f"c{i}", "vid-05", f"{ANSWER} Take {i}."] for i in range(n)])
    out = tmp_path / "out.csv"
    # 5 s per request holds the first batch (one answer at a time) for a minute, however slowly the
    # machine starts the other three processes; the latency is lifted once they have been refused
    with DevServer(api_key=KEY, latency=5.0) as slow:
        slow_env = {**env, "OPENAI_BASE_URL": slow.base_url}
        first = subprocess.Popen(
            [sys.executable, "-m", "grader", "batch", str(src), "-o", str(out), "-j", "1"],
            env=slow_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
        )
        try:
            lock = out.with_name(out.name + ".lock")
            deadline = time.monotonic() + WAIT
            while not (lock.exists() and slow.requests > 0) and first.poll() is None:
                assert time.monotonic() < deadline, "the first batch never started"
                time.sleep(0.05)
            assert first.poll() is None, "the first batch finished before the second could start"
            for flags in ([], ["--resume"], ["--overwrite"]):
                second = grader(slow_env, "batch", src, "-o", out, *flags)
                assert second.code == 2, second
                assert "in use by process" in second.err and str(first.pid) in second.err, second
                assert len([ln for ln in second.err.splitlines() if ln.strip()]) <= 2, second  # line + hint
            slow.chat.latency = 0.0
            stdout, stderr = first.communicate(timeout=WAIT)
        finally:
            if first.poll() is None:
                first.kill()
                first.wait()
    check_terminal(Run(first.returncode, stdout.decode(), stderr.decode()))
    assert first.returncode == 0, stderr.decode()
    rows = results(out)
    rows_once(rows, n)
    no_key_in(out)


# -- grader serve ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_on_a_busy_port_fails_first_with_exit_2(env):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        run = grader(env, "serve", "--port", port)
    refused(run, 2, f"port {port} is in use")
    assert "http://" not in run.out  # no URL printed as if it had started


@contextlib.contextmanager
def serving(env: dict[str, str], *args: str) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "grader", "serve", "--port", str(port), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + WAIT
        while True:
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "grader serve never answered"
            with contextlib.suppress(OSError):
                if request(port, "GET", "/")[0] == 200:
                    break
            time.sleep(0.1)
        yield port, proc
    finally:
        proc.terminate()
        try:
            out, err = proc.communicate(timeout=WAIT)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
        check_terminal(Run(proc.returncode if proc.returncode is not None else -1, out.decode(), err.decode()))


def request(
    port: int, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT)
    try:
        conn.request(method, path, body=body, headers={"Host": f"127.0.0.1:{port}", **(headers or {})})
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read().decode("utf-8", "replace")
    finally:
        conn.close()


def test_serve_refuses_forged_posts_and_never_shows_the_key(env):
    with (
        DevServer(api_key=KEY, faults=["400key"] * 10) as bad,
        serving({**env, "OPENAI_BASE_URL": bad.base_url}) as (port, _proc),
    ):
        origin = f"http://127.0.0.1:{port}"
        status, headers, page = request(port, "GET", f"/q/{QID}")
        assert status == 200 and KEY not in page
        cookie = headers["set-cookie"].split(";", 1)[0]
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert token, page
        form = {"answer": ANSWER, "csrf_token": token.group(1)}
        encoded = urlencode(form).encode()
        urlencoded = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
        forged = {
            "no origin": (encoded, urlencoded),
            "Origin: null": (encoded, {**urlencoded, "Origin": "null"}),
            "another site": (encoded, {**urlencoded, "Origin": "http://evil.example"}),
            "text/plain": (encoded, {**urlencoded, "Origin": origin, "Content-Type": "text/plain"}),
            "missing token": (urlencode({"answer": ANSWER}).encode(), {**urlencoded, "Origin": origin}),
            "no session": (encoded, {"Content-Type": "application/x-www-form-urlencoded", "Origin": origin}),
        }
        for name, (body, hdrs) in forged.items():
            status, _h, text = request(port, "POST", f"/q/{QID}", body, hdrs)
            assert status == 403, name
            assert "Traceback" not in text and KEY not in text, name
        assert bad.requests == 0  # nothing forged reached the LLM

        # the page's own form is accepted; the server quotes the key back; nothing shows it
        status, headers, _text = request(port, "POST", f"/q/{QID}", encoded, {**urlencoded, "Origin": origin})
        assert status == 303, status
        location = headers["location"]
        job = location.rsplit("/", 1)[-1]
        deadline = time.monotonic() + WAIT
        while True:
            status, _h, text = request(port, "GET", f"/api/jobs/{job}", headers={"Cookie": cookie})
            assert KEY not in text and KEY[8:] not in text
            if status != 200 or json.loads(text).get("status") in ("done", "error"):
                break
            assert time.monotonic() < deadline, text
            time.sleep(0.1)
        job_state = json.loads(text)
        assert job_state["status"] == "error" and "[REDACTED]" in job_state["error"], job_state
        # the failed job's page (a 500 that keeps the answer), the history, the index
        for path, expected in ((location, 500), ("/history", 200), ("/", 200)):
            status, _h, text = request(port, "GET", path, headers={"Cookie": cookie})
            assert status == expected, (path, status)
            assert KEY not in text and KEY[8:] not in text and "Traceback" not in text, path
