"""Batch runs against the project's DevServer: one row out per row in, cache, resume, errors,
budget, adaptive concurrency."""

import asyncio
import csv
import json

import pytest

from grader.batch.io import done_rows
from grader.batch.runner import AdaptiveLimit, FatalBatchError, run_batch
from grader.errors import BudgetExceeded
from grader.grading import Grader
from grader.settings import Settings
from grader.store import Store


async def _no_sleep(_seconds: float) -> None:
    return None


def _answers(n: int, good_answer: str) -> list[str]:
    # distinct answers so the cache does not collapse them
    return [f"{good_answer} Note {i}: I would also log every run." for i in range(n)]


def write_csv(path, rows):
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["candidate_id", "question_id", "answer"])
        w.writerows(rows)
    return path


def read_out(path):
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def make_grader(server, bank, tmp_path, **overrides):
    settings = Settings(
        api_key="test-key",
        base_url=server.base_url,
        model="test-model",
        timeout=30,  # a loaded machine can be slow: a timed-out first request is retried and changes the counts
        store=tmp_path / "store.sqlite3",
        **overrides,
    )
    return Grader(settings, bank=bank, store=Store(settings.store_path), sleep=_no_sleep)


def run(grader, src, out, **kw):
    async def go():
        try:
            return await run_batch(grader, src, out, **kw)
        finally:
            await grader.aclose()

    return asyncio.run(go())


def test_every_row_out_once_with_errors_reported(dev_server, bank, tmp_path, good_answer):
    server = dev_server()
    src = write_csv(
        tmp_path / "in.csv",
        [
            ("c1", "t-diffusion", good_answer),
            ("c2", "no-such-question", good_answer),
            ("c3", "t-diffusion", ""),
            ("c4", "t-diff", good_answer + " Extra."),  # unique prefix works
            ("c5", "t-diffusion", "too short"),
        ],
    )
    stats = run(make_grader(server, bank, tmp_path), src, tmp_path / "out.csv")
    rows = {r["candidate_id"]: r for r in read_out(tmp_path / "out.csv")}
    assert sorted(rows) == ["c1", "c2", "c3", "c4", "c5"]
    assert rows["c1"]["status"] == "graded" and float(rows["c1"]["score"]) == 8.75
    assert rows["c2"]["status"] == "error" and "unknown question id 'no-such-question'" in rows["c2"]["reason"]
    assert "(line 3)" in rows["c2"]["reason"]
    assert rows["c3"]["status"] == "graded" and rows["c3"]["score"] == "0.0" and "empty" in rows["c3"]["flags"]
    assert (
        rows["c4"]["question_id"] == "t-diff" and json.loads(rows["c4"]["result_json"])["question_id"] == "t-diffusion"
    )
    assert "too_short" in rows["c5"]["flags"]
    assert server.requests == 2  # empty and too-short answers call nothing
    assert (stats.graded, stats.errors, stats.unscored) == (4, 1, 0)


def test_rerun_is_served_from_cache(dev_server, bank, tmp_path, good_answer):
    server = dev_server()
    src = write_csv(tmp_path / "in.csv", [(f"c{i}", "t-diffusion", a) for i, a in enumerate(_answers(6, good_answer))])
    run(make_grader(server, bank, tmp_path), src, tmp_path / "a.csv")
    assert server.requests == 6
    stats = run(make_grader(server, bank, tmp_path), src, tmp_path / "b.csv")
    assert server.requests == 6 and stats.cached == 6
    assert stats.prompt_tokens == 0  # this run spent nothing
    a = {r["candidate_id"]: r["score"] for r in read_out(tmp_path / "a.csv")}
    b = {r["candidate_id"]: r["score"] for r in read_out(tmp_path / "b.csv")}
    assert a == b


def test_duplicate_answers_in_one_batch_cost_one_call(dev_server, bank, tmp_path, good_answer):
    server = dev_server(latency=0.05)
    src = write_csv(tmp_path / "in.csv", [(f"c{i}", "t-diffusion", good_answer) for i in range(5)])
    stats = run(make_grader(server, bank, tmp_path), src, tmp_path / "out.csv")
    assert server.requests == 1 and stats.graded == 5


def test_resume_skips_written_rows(dev_server, bank, tmp_path, good_answer):
    server = dev_server()
    answers = _answers(5, good_answer)
    src = write_csv(tmp_path / "in.csv", [(f"c{i}", "t-diffusion", a) for i, a in enumerate(answers)])
    out = tmp_path / "out.csv"
    run(make_grader(server, bank, tmp_path), src, out)
    # simulate an interrupted run: keep the header and the first two rows, plus a torn third line
    lines = out.read_text().splitlines(keepends=True)
    out.write_text("".join(lines[:3]) + lines[3][:20])
    kept = done_rows(out)
    assert len(kept) == 2
    before = server.requests
    stats = run(make_grader(server, bank, tmp_path), src, out, resume=True)
    assert stats.skipped_done == 2 and stats.done == 3
    assert server.requests == before  # the other verdicts were stored: served from the cache
    assert sorted(int(r["row"]) for r in read_out(out)) == [1, 2, 3, 4, 5]


def test_fatal_auth_error_stops_the_batch(dev_server, bank, tmp_path, good_answer):
    server = dev_server(faults=["401"] * 50)
    src = write_csv(tmp_path / "in.csv", [(f"c{i}", "t-diffusion", a) for i, a in enumerate(_answers(20, good_answer))])
    with pytest.raises(FatalBatchError) as e:
        run(make_grader(server, bank, tmp_path, concurrency=2), src, tmp_path / "out.csv")
    assert "API key" in e.value.one_line() and "--resume" in e.value.one_line()
    assert "test-key" not in e.value.one_line()
    assert server.requests <= 4  # stopped early, not 20 identical errors


def test_max_cost_stops_gracefully(dev_server, bank, tmp_path, good_answer):
    server = dev_server()
    src = write_csv(tmp_path / "in.csv", [(f"c{i}", "t-diffusion", a) for i, a in enumerate(_answers(30, good_answer))])
    grader = make_grader(server, bank, tmp_path, concurrency=1, prices={"test-model": (100.0, 100.0)})
    out = tmp_path / "out.csv"
    with pytest.raises(BudgetExceeded) as e:
        run(grader, src, out, max_cost=1.0)
    rows = read_out(out)
    spent = sum(float(r["cost_usd"]) for r in rows)
    assert 0 < len(rows) < 30 and spent <= 1.0
    assert e.value.spent == pytest.approx(spent)
    # the rest can be finished later
    stats = run(make_grader(server, bank, tmp_path), src, out, resume=True)
    assert stats.skipped_done + stats.done == 30


def test_adaptive_limit_halves_on_429_and_recovers():
    async def scenario():
        limit = AdaptiveLimit(8, sleep=_no_sleep)
        limit.on_rate_limit(2.0)
        assert limit.limit == 4
        limit.on_rate_limit(None)
        assert limit.limit == 2
        for _ in range(3):
            await limit.acquire()
            await limit.release(success=True)
        return limit.limit

    assert asyncio.run(scenario()) == 5


def test_429s_slow_the_batch_down(dev_server, bank, tmp_path, good_answer):
    server = dev_server(faults=["429"] * 4)
    src = write_csv(tmp_path / "in.csv", [(f"c{i}", "t-diffusion", a) for i, a in enumerate(_answers(8, good_answer))])
    grader = make_grader(server, bank, tmp_path, concurrency=8)
    limit = AdaptiveLimit(8, sleep=_no_sleep)
    stats = run(grader, src, tmp_path / "out.csv", limiter=limit)
    assert stats.graded == 8 and limit.rate_limited == 4
    assert server.requests == 12


def test_samples_grade_each_answer_n_times(dev_server, bank, tmp_path, good_answer):
    server = dev_server()
    src = write_csv(tmp_path / "in.csv", [(f"c{i}", "t-diffusion", a) for i, a in enumerate(_answers(4, good_answer))])
    stats = run(make_grader(server, bank, tmp_path), src, tmp_path / "out.csv", samples=3, pass_mark=60)
    assert stats.graded == 4 and server.requests == 12
    for row in read_out(tmp_path / "out.csv"):
        result = json.loads(row["result_json"])
        assert len(result["samples"]) == 3 and result["score_spread"] == 0  # the test server is deterministic
        assert "low_confidence" not in row["flags"]


def test_cli_batch_with_a_csv_bank_fails_only_the_rows_of_a_broken_question(tmp_path, monkeypatch, cli):
    """`grader batch --rubrics bank.csv` where one question has no rubric (an empty reference answer): its
    rows are error rows with the reason, every other row is graded (a one-word reference answer and a
    one-word question included), no row is lost, and the problem is one warning line, not one per row."""
    monkeypatch.setenv("GRADER_STORE", str(tmp_path / "store.sqlite3"))
    bank = tmp_path / "bank.csv"
    with bank.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "question", "reference_answer"])
        w.writerow(["1.1", "What does TCP slow start do?", "The window starts small and doubles every round trip."])
        w.writerow(["11.1", "Which stack operation adds an element to the top?", "push"])
        w.writerow(["2.3", "Why?", "Because the bulb is in a closed path with the battery."])
        w.writerow(["5.5", "What does a router do?", ""])
    answers = [
        ("a1", "1.1", "The window starts small and doubles on each round trip."),
        ("a2", "5.5", "It forwards packets between networks by address."),
        ("a3", "11.1", "You push the new element onto the top of the stack."),
        ("a4", "5.5", "It makes coffee for everyone in the office."),
        ("a5", "2.3", "The bulb is in a closed path with the battery, so it lights."),
        ("a6", "1.1", "It sends every packet at once without waiting for anything."),
    ]
    src = write_csv(tmp_path / "answers.csv", answers)
    out = tmp_path / "out.csv"
    code, _, err = cli("batch", src, "--rubrics", bank, "--backend", "local", "-o", out)
    assert code == 5, err  # some rows failed: ExitCode.ROWS_FAILED
    rows = {r["candidate_id"]: r for r in read_out(out)}
    assert sorted(rows) == ["a1", "a2", "a3", "a4", "a5", "a6"]  # no lost rows
    reason = f"{bank}: row at line 5: question '5.5': neither a hint nor a reference_answer"
    for cid in ("a2", "a4"):
        assert rows[cid]["status"] == "error" and rows[cid]["reason"].startswith(reason), rows[cid]
    assert {cid for cid, r in rows.items() if r["status"] == "graded"} == {"a1", "a3", "a5", "a6"}
    assert [line for line in err.splitlines() if line.startswith("warning:")] == [
        f"warning: {reason}; its rows are not graded"
    ]
    # the dry run counts the same rows as problems instead of stopping
    code, out_json, _ = cli("batch", src, "--rubrics", bank, "--backend", "local", "--dry-run")
    assert code == 0 and json.loads(out_json)["rows_with_problems"] == 2


def _numbered_bank(tmp_path):
    """A CSV bank whose ids are section numbers ("1.6" would be the rubric id "1-6"), one not buildable."""
    bank = tmp_path / "bank.csv"
    with bank.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "question", "reference_answer"])
        w.writerow(["1.6", "What does git push do?", "It uploads local commits to the remote repository branch."])
        w.writerow(["2.1", "What does a router do?", ""])
    return bank


def test_dry_run_says_why_rows_would_fail(cli, tmp_path, monkeypatch):
    """Issue 14 item 12: `--dry-run` lists the rows that would fail, one line per reason with its first lines."""
    monkeypatch.setenv("GRADER_STORE", str(tmp_path / "store.sqlite3"))
    bank = _numbered_bank(tmp_path)
    good = "It uploads the local commits to the remote branch so others see them."
    src = write_csv(
        tmp_path / "answers.csv",
        [("a", "1.6", good), ("b", "9.9", good), ("c", "2.1", good), ("d", "1.6", "word " * 5000)]
        + [(f"u{i}", "no-such", good) for i in range(6)],
    )
    with src.open("a", encoding="utf-8") as fh:
        fh.write('z,1.6,"never closed\n')
    code, out, err = cli("batch", src, "--rubrics", bank, "--backend", "local", "--dry-run")
    assert code == 0, err
    est = json.loads(out)
    assert est["rows"] == 11 and est["rows_with_problems"] == 10
    assert [(p["reason"], p["rows"], p["first_lines"]) for p in est["problems"]] == [
        ("unknown question", 7, [3, 6, 7, 8, 9]),
        ("a question whose rubric could not be built", 1, [4]),
        ("answer too long", 1, [5]),
        ("bad row", 1, [12]),
    ]
    would = [line for line in err.splitlines() if line.startswith("would fail:")]
    assert would == [
        "would fail: 7 row(s), unknown question (line 3, 6, 7, 8, 9, …): unknown question id '9.9'",
        f"would fail: 1 row(s), a question whose rubric could not be built (line 4): {bank}: row at line 3: "
        "question '2.1': neither a hint nor a reference_answer",
        "would fail: 1 row(s), answer too long (line 5): the answer is 25000 characters, over the limit of 20000",
        would[3],
    ]
    assert would[3].startswith("would fail: 1 row(s), bad row (line 12): unterminated quote")


def test_a_csv_banks_own_ids_are_what_the_user_sees(cli, tmp_path, monkeypatch):
    """Issue 14 item 12: batching a CSV bank by its own ids ("1.6") grades every row, and the results and
    the report show "1.6" as written (the rubric id "1-6" stays inside result_json)."""
    monkeypatch.setenv("GRADER_STORE", str(tmp_path / "store.sqlite3"))
    bank = _numbered_bank(tmp_path)
    src = write_csv(
        tmp_path / "answers.csv",
        [
            ("a", "1.6", "It uploads the local commits to the remote branch so others see them."),
            ("b", "1.6", "It deletes the repository and all of its history forever."),
        ],
    )
    out, report = tmp_path / "out.csv", tmp_path / "report.html"
    code, _, err = cli("batch", src, "--rubrics", bank, "--backend", "local", "-o", out)
    assert code == 0, err
    rows = read_out(out)
    assert [(r["question_id"], r["status"]) for r in rows] == [("1.6", "graded"), ("1.6", "graded")]
    code, _, err = cli("report", out, "--rubrics", bank, "-o", report)
    assert code == 0, err
    html = report.read_text(encoding="utf-8")
    assert "1.6" in html and "1-6" not in html
