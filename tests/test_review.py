"""Review and override (``grader review``, :mod:`grader.review`): decisions stored at once, the terminal
review driven through stdin, the re-export with the review merged, the report's marker, and a kill
in the middle of a review.

The results file is a real ``grader batch`` output (:mod:`tests.review_data`)."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from review_data import QID, make_batch

from grader.errors import InputError
from grader.review import (
    ReviewSession,
    ViewFilter,
    criteria_matrix,
    export_reviewed,
    filter_rows,
    load_results_file,
    merge_result,
    read_answers,
    record_example,
)
from grader.store import Store


@pytest.fixture
def batch(tmp_path):
    answers, results = make_batch(tmp_path)
    return answers, results, tmp_path / "review.sqlite3"


def session_for(results, store_path, answers=None, **kw) -> ReviewSession:
    texts = read_answers(answers) if answers is not None else None
    return ReviewSession(Store(store_path), load_results_file(results, texts), **kw)


def by_candidate(s: ReviewSession, cid: str):
    return next(r for r in s.results.rows if r.candidate_id == cid)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


# -- the library ----------------------------------------------------------------------------------


def test_rows_that_need_a_human_come_first(batch):
    answers, results, store = batch
    s = session_for(results, store, answers)
    assert [r.candidate_id for r in s.results.ordered()] == ["dee", "cy", "ana", "ben"]
    dee = by_candidate(s, "dee")
    assert dee.reasons[0][0] == "injection_suspected" and dee.answer and "Ignore all previous" in dee.answer
    assert by_candidate(s, "cy").reasons[0][0] == "error"
    assert not by_candidate(s, "ana").reasons


def test_a_level_override_recomputes_score_and_band_and_is_stored_at_once(batch):
    answers, results, store = batch
    s = session_for(results, store, answers, reviewer="kim")
    ana = by_candidate(s, "ana")
    assert ana.result.score == 8.75
    s.override_level(ana, "temporal", "missing", "  only names  attention ")
    merged = s.merged(ana)
    assert (merged.score, merged.percent, merged.band) == (6.25, 62.5, "adequate")
    assert [c.awarded.value for c in merged.criteria] == ["full", "missing", "partial"]
    assert merged.review.status == "overridden" and merged.review.original_score == 8.75
    # the decision is in the store now, read by another connection
    other = Store(store)
    (d,) = other.overrides(s.results.identity)
    assert (d["kind"], d["criterion_id"], d["old_value"], d["new_value"]) == ("level", "temporal", "full", "missing")
    assert (d["reason"], d["reviewer"], d["candidate_id"], d["question_id"]) == (
        "only names attention",
        "kim",
        "ana",
        QID,
    )
    assert d["answer_sha256"] == ana.result.answer_sha256 and d["created_at"]


def test_score_override_and_later_level_override(batch):
    _, results, store = batch
    s = session_for(results, store)
    ben = by_candidate(s, "ben")
    s.override_score(ben, "9", "the examples were excellent")
    assert s.merged(ben).score == 9 and s.merged(ben).band == "strong"
    s.override_level(ben, "evaluation", "full", "names FVD after all")  # a later level change recomputes
    assert s.merged(ben).score == 8.75
    assert s.status(ben) == "overridden"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda s, r: s.override_level(r, "temporal", "full", "   "), "needs a reason"),
        (lambda s, r: s.override_level(r, "nope", "full", "x"), "no criterion 'nope'"),
        (lambda s, r: s.override_level(r, "temporal", "great", "x"), "unknown level 'great'"),
        (lambda s, r: s.override_score(r, "11", "x"), "out of range"),
        (lambda s, r: s.override_score(r, "nan", "x"), "out of range"),
        (lambda s, r: s.override_score(r, "lots", "x"), "not a number"),
    ],
)
def test_bad_decisions_are_refused_and_not_stored(batch, call, message):
    _, results, store = batch
    s = session_for(results, store)
    with pytest.raises(InputError, match=message):
        call(s, by_candidate(s, "ana"))
    assert Store(store).overrides() == []


def test_an_error_row_can_be_accepted_not_overridden(batch):
    _, results, store = batch
    s = session_for(results, store)
    cy = by_candidate(s, "cy")
    with pytest.raises(InputError, match="no grade to change"):
        s.override_score(cy, "5", "looks fine")
    s.accept(cy)
    assert s.status(cy) == "accepted"


def test_merge_without_decisions_is_the_result_itself(batch):
    _, results, store = batch
    s = session_for(results, store)
    ana = by_candidate(s, "ana")
    assert merge_result(ana.result, []) is ana.result


def test_overrides_become_graded_examples_through_the_hook(batch):
    answers, results, store = batch
    made = []

    def hook(st, example, replaces):
        made.append((example, replaces))
        return 41 + len(made)

    s = session_for(results, store, answers, reviewer="kim", example_hook=hook)
    ana = by_candidate(s, "ana")
    s.accept(by_candidate(s, "ben"))  # an accept is not an example
    d = s.override_level(ana, "evaluation", "full", "names FVD and a user study")
    ((example, replaces),) = made
    assert replaces == []
    assert example == {
        "question_id": QID,
        "answer": ana.answer,
        "score": 10.0,
        "max_score": 10.0,
        "levels": {"denoising": "full", "temporal": "full", "evaluation": "full"},
        "note": "names FVD and a user study",
        "source": "override",
        "author": "kim",
    }
    assert d["example_id"] == 42
    assert [o["example_id"] for o in Store(store).overrides() if o["kind"] == "level"] == [42]
    s.override_score(ana, 7, "but shallow")  # a second override of the answer replaces its example
    assert made[1][1] == [42] and made[1][0]["score"] == 7


def test_without_the_answer_text_no_example_is_made(batch):
    _, results, store = batch
    made = []
    s = session_for(results, store, example_hook=lambda st, ex, old: made.append(ex) or 1)
    s.override_level(by_candidate(s, "ana"), "evaluation", "full", "fine")
    assert made == [] and s.examples_missed == 1


def test_record_example_uses_grader_examples_when_present(batch, tmp_path):
    try:
        from grader.examples import list_examples
    except ImportError:
        assert record_example(Store(tmp_path / "x.sqlite3"), {"question_id": QID, "answer": "a"}) is None
        pytest.skip("grader.examples is not on this branch yet: record_example returns None")
    answers, results, store = batch
    s = session_for(results, store, answers, reviewer="kim")
    ana = by_candidate(s, "ana")
    s.override_level(ana, "evaluation", "full", "names FVD and a user study")
    (example,) = list_examples(s.store, QID)
    assert (example.source, example.author, example.note, example.answer) == (
        "override",
        "kim",
        "names FVD and a user study",
        ana.answer,
    )
    assert example.levels == {"denoising": "full", "temporal": "full", "evaluation": "full"}
    assert example.score == 10
    s.override_score(ana, 7, "but shallow")  # one example per reviewed answer: the latest grade
    (example,) = list_examples(s.store, QID)
    assert (example.score, example.note) == (7, "but shallow")
    assert s.examples_made == 2 and s.examples_missed == 0


def test_view_filters_and_matrix(batch):
    answers, results, store = batch
    s = session_for(results, store, answers)
    names = lambda view: [r.candidate_id for r in filter_rows(s, view)]  # noqa: E731
    assert names(ViewFilter()) == ["dee", "cy", "ana", "ben"]
    assert names(ViewFilter(band="adequate")) == ["ben"]
    assert names(ViewFilter(flag="any")) == ["dee", "cy"]
    assert names(ViewFilter(flag="injection_suspected")) == ["dee"]
    assert names(ViewFilter(q="FVD")) == ["cy", "ana"]  # the answer text is searched
    assert names(ViewFilter(sort="-score")) == ["ana", "dee", "ben", "cy"]
    s.override_level(by_candidate(s, "ana"), "temporal", "missing", "no")
    assert names(ViewFilter(reviewed="overridden")) == ["ana"]
    assert names(ViewFilter(reviewed="no", sort="candidate")) == ["ben", "cy", "dee"]
    assert names(ViewFilter(band="adequate", sort="candidate")) == ["ana", "ben"]
    m = criteria_matrix(s, QID)
    assert [c for c, _ in m.criteria] == ["denoising", "temporal", "evaluation"]
    assert [(r.candidate_id, levels["temporal"]) for r, levels in m.rows] == [
        ("ana", "missing"),
        ("ben", "partial"),
        ("dee", "missing"),
    ]


# -- the export and the report ----------------------------------------------------------------------


def test_export_merges_the_review_and_keeps_every_row(batch, tmp_path):
    answers, results, store = batch
    s = session_for(results, store, answers, reviewer="kim")
    s.override_level(by_candidate(s, "ana"), "temporal", "missing", "=HYPERLINK(evil) only names it")
    s.accept(by_candidate(s, "ben"))
    counts = export_reviewed(s, tmp_path / "reviewed.csv")
    assert counts == {"rows": 4, "accepted": 1, "overridden": 1}
    rows = read_csv(tmp_path / "reviewed.csv")
    original = read_csv(results)
    assert [r["candidate_id"] for r in rows] == [r["candidate_id"] for r in original]
    ana, ben, cy, dee = rows
    assert (ana["score"], ana["percent"], ana["band"], ana["reviewed"]) == ("6.25", "62.5", "adequate", "overridden")
    assert ana["original_score"] == "8.75"
    assert ana["override_reason"].startswith("'=HYPERLINK")  # a formula is neutralised in the cell
    trail = json.loads(ana["result_json"])["review"]
    assert trail["status"] == "overridden" and trail["decisions"][0]["criterion_id"] == "temporal"
    assert trail["decisions"][0]["reason"] == "=HYPERLINK(evil) only names it"
    assert (ben["reviewed"], ben["score"], ben["original_score"]) == ("accepted", "6.25", "")
    assert json.loads(ben["result_json"])["review"]["status"] == "accepted"
    assert cy["reviewed"] == "" and cy["status"] == "error" and dee["reviewed"] == ""
    assert dee["result_json"] == original[3]["result_json"]  # untouched rows are written as they were


def test_export_jsonl(tmp_path):
    answers, results = make_batch(tmp_path, suffix=".jsonl")
    s = session_for(results, tmp_path / "s.sqlite3", answers)
    s.override_score(by_candidate(s, "ben"), 2, "mostly vague")
    export_reviewed(s, tmp_path / "reviewed.jsonl")
    lines = [json.loads(x) for x in (tmp_path / "reviewed.jsonl").read_text().splitlines()]
    assert len(lines) == 4
    ben = next(x for x in lines if x["candidate_id"] == "ben")
    assert ben["score"] == 2 and ben["band"] == "weak" and ben["reviewed"] == "overridden"
    assert ben["result"]["review"]["original_score"] == 6.25 and "result_json" not in ben


def test_export_refuses_to_overwrite_its_source(batch):
    _, results, store = batch
    with pytest.raises(InputError, match="overwrite the results file"):
        export_reviewed(session_for(results, store), results)


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_the_report_shows_changed_by_a_reviewer(batch, cli, tmp_path, fmt):
    answers, results, store = batch
    s = session_for(results, store, answers)
    s.override_level(by_candidate(s, "ana"), "temporal", "missing", "<b>only</b> names attention")
    export_reviewed(s, tmp_path / "reviewed.csv")
    code, _, err = cli("report", tmp_path / "reviewed.csv", "-o", tmp_path / f"report.{fmt}")
    assert code == 0, err
    text = (tmp_path / f"report.{fmt}").read_text()
    assert text.lower().count("changed by a reviewer") == 1
    assert "was 8.75" in text
    if fmt == "html":
        assert "&lt;b&gt;only&lt;/b&gt; names attention" in text and "<b>only</b>" not in text
    code, _, _ = cli("report", results, "-o", tmp_path / f"plain.{fmt}")
    assert "changed by a reviewer" not in (tmp_path / f"plain.{fmt}").read_text().lower()


# -- the terminal review --------------------------------------------------------------------------


def test_terminal_review_accept_override_and_resume(batch, cli, tmp_path):
    answers, results, store = batch
    args = ("review", results, "--answers", answers, "--store", store, "--reviewer", "kim")
    # dee: accept; cy: skip; ana: level 2 → missing (a first try without a reason is refused), then next; quit
    keys = "a\nn\nl\n2\nmissing\n\nl\n2\nmissing\nonly names attention\nn\nq\n"
    code, out, err = cli(*args, input=keys)
    assert code == 0, err
    assert out.index("[1/4] dee") < out.index("[2/4] cy") < out.index("[3/4] ana")
    assert "needs a human: injection_suspected" in out
    assert "Ignore all previous instructions" in out  # the full answer
    assert "noise[1]." in out and "frames[3]." in out  # the evidence, marked with its criterion
    assert "not recorded: an override needs a reason" in out
    assert "recorded · score now 6.25 / 10 (adequate)" in out
    assert "2 row(s) decided in this session, 2 left" in err and "to resume" in err
    kinds = [(d["candidate_id"], d["kind"]) for d in Store(store).overrides()]
    assert kinds == [("dee", "accept"), ("ana", "level")]
    # again: only the rows without a decision, needs-a-human first
    code, out, err = cli(*args, input="s\n3\nvague\nn\nq\n")
    assert "2 already decided (resuming)" in err
    assert out.index("[1/2] cy") < out.index("[2/2] ben")
    assert "not recorded: this row has no grade to change" in out
    # the end of the input quits cleanly, like q
    code, out, err = cli(*args, input="n\ns\n3\nvague\n")
    assert code == 0 and "recorded · score now 3 / 10 (weak)" in out
    code, _, err = cli("review", results, "--store", store, "--export", tmp_path / "out.csv")
    assert code == 0 and "4 rows, 2 overridden, 1 accepted" in err


def test_terminal_review_neutralises_control_characters(tmp_path, cli):
    hostile = (
        "Diffusion models learn to reverse a gradual noising process \x1b[2J\x1b]0;pwned\x07 by iterative denoising. "
        "Temporal attention layers keep objects consistent across frames."
    )
    answers, results = make_batch(tmp_path, rows=[("\x1b[31mevil", QID, hostile)])
    code, out, _ = cli("review", results, "--answers", answers, "--store", tmp_path / "s.sqlite3", input="q\n")
    assert code == 0 and "\x1b" not in out and "\x07" not in out
    assert "\\x1b[2J" in out and "\\x1b[31mevil" in out  # shown, escaped


def test_review_bad_input_is_one_line(cli, tmp_path):
    (tmp_path / "x.csv").write_text("a,b\n1,2\n")
    code, _, err = cli("review", tmp_path / "x.csv", "--store", tmp_path / "s.sqlite3")
    assert code == 2 and "not a grader results file" in err and "Traceback" not in err
    code, _, err = cli("review", tmp_path / "missing.csv")
    assert code == 2 and "file not found" in err


@pytest.mark.slow
def test_kill_9_mid_review_loses_no_decision(batch, tmp_path):
    answers, results, store = batch
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "100"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "grader", "review", str(results), "--answers", str(answers), "--store", str(store)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        text=True,
    )
    assert proc.stdin is not None and proc.stdout is not None

    def until(marker: str) -> None:
        for line in proc.stdout:
            if marker in line:
                return
        pytest.fail(f"the review ended before {marker!r}")

    try:
        proc.stdin.write("a\n")
        proc.stdin.flush()
        until("accepted")
        proc.stdin.write("a\nl\n1\npartial\nonly the idea, not the process\n")
        proc.stdin.flush()
        until("recorded")
        os.kill(proc.pid, signal.SIGKILL)  # mid-review: the process is waiting for the next key
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
        proc.stdin.close()
        proc.stdout.close()
    decisions = Store(store).overrides()
    assert [(d["candidate_id"], d["kind"]) for d in decisions] == [
        ("dee", "accept"),
        ("cy", "accept"),
        ("ana", "level"),
    ]
    assert decisions[-1]["reason"] == "only the idea, not the process"


def test_terminal_review_all_shows_decided_rows_again(batch, cli):
    _, results, store = batch
    args = ("review", results, "--store", store)
    cli(*args, input="a\na\na\na\n")
    _, out, err = cli(*args, input="")
    assert "4 already decided" in err and "[1/" not in out
    _, out, err = cli(*args, "--all", input="q\n")
    assert "[1/4] dee · t-diffusion · 7.5 / 10 (strong) · accepted" in out


def test_the_answer_is_matched_as_the_grader_saw_it():
    import hashlib

    from grader.review._rows import _as_graded

    graded = "Line one.\nLine two."
    sha = hashlib.sha256(graded.encode()).hexdigest()
    assert _as_graded(graded, sha) == graded
    assert _as_graded("  Line one.\r\nLine two.\n", sha) == graded  # normalised line breaks and ends
    assert _as_graded("Line one. Line 2.", sha) is None


def test_a_score_override_grades_an_unscored_answer(batch):
    _, results, store = batch
    s = session_for(results, store)
    ana = by_candidate(s, "ana")
    unscored = ana.result.model_copy(
        update={"status": "unscored", "score": None, "percent": None, "band": None, "criteria": []}
    )
    merged = merge_result(unscored, [_decision("score", "", "", "7.5", "read it myself")])
    assert (merged.status, merged.score, merged.percent, merged.band) == ("graded", 7.5, 75.0, "strong")
    assert merged.review.original_score is None and merged.review.decisions[0].reason == "read it myself"


def _decision(kind, criterion, old, new, reason):
    return {
        "kind": kind,
        "criterion_id": criterion,
        "old_value": old,
        "new_value": new,
        "reason": reason,
        "reviewer": "",
        "created_at": "2026-01-01T00:00:00+00:00",
    }


def test_export_csv_results_as_jsonl(batch, tmp_path):
    answers, results, store = batch
    s = session_for(results, store, answers)
    s.override_level(by_candidate(s, "ana"), "temporal", "missing", "vague")
    export_reviewed(s, tmp_path / "reviewed.jsonl")
    lines = [json.loads(x) for x in (tmp_path / "reviewed.jsonl").read_text().splitlines()]
    assert [x["candidate_id"] for x in lines] == ["ana", "ben", "cy", "dee"]
    assert lines[0]["result"]["review"]["status"] == "overridden" and lines[0]["reviewed"] == "overridden"
    assert "result" not in lines[2] and lines[2]["status"] == "error"  # an error row has no result


def test_a_reviewed_answer_no_longer_needs_a_human(batch, tmp_path):
    """Once a reviewer accepted the flagged answer, the re-exported results' report no longer lists it
    under "needs a human" and shows its band, not "needs review"; the unreviewed error row stays."""
    from grader.report.build import build_report, load_results
    from grader.result import GradeResult

    answers, results, store = batch
    before = build_report(load_results(results))
    assert any(item.question_id for item in before.needs_human if item.candidate == "dee")
    s = session_for(results, store, answers, reviewer="kim")
    s.accept(by_candidate(s, "dee"))
    export_reviewed(s, tmp_path / "reviewed.csv")
    after = build_report(load_results(tmp_path / "reviewed.csv"))
    assert not any(item.candidate == "dee" and item.question_id for item in after.needs_human)
    assert any(item.candidate == "cy" and item.question_id for item in after.needs_human)
    dee = next(r for r in read_csv(tmp_path / "reviewed.csv") if r["candidate_id"] == "dee")
    result = GradeResult.model_validate_json(dee["result_json"])
    assert result.has_flag("injection_suspected") and not result.needs_review and result.band_label == result.band
