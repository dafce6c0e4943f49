"""Practice: question choice, history aggregation, evidence spans, `grader practice` and `grader history`."""

from __future__ import annotations

import json
import random
import re
from itertools import pairwise

import pytest

from grader.errors import InputError
from grader.practice import (
    Highlight,
    best_by_question,
    choose_question,
    collect_answer,
    evidence_spans,
    sparkline,
    summarize,
)
from grader.result import CriterionResult, Evidence, GradeResult
from grader.rubric import RubricBank, default_bank
from grader.verdict import Level


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    for var in (
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
        "GRADER_MODEL",
        "GRADER_BACKEND",
        "GRADER_CACHE",
        "GRADER_STORE",
        "GRADER_RUBRICS",
        "EDITOR",
        "VISUAL",
    ):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("GRADER_CONFIG", str(tmp_path / "no-config.toml"))
    monkeypatch.setenv("GRADER_STORE", str(tmp_path / "store.sqlite3"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))


@pytest.fixture
def fake(monkeypatch, fake_judge):
    judge = fake_judge()
    monkeypatch.setattr("grader.grading.make_backend", lambda *a, **k: judge)
    return judge


# -- choosing questions ---------------------------------------------------------------------------


def test_never_the_same_question_twice_in_a_row():
    bank = default_bank()
    rng = random.Random(1)
    last = None
    for _ in range(300):
        r = choose_question(bank, last=last, rng=rng)
        assert r.id != last
        last = r.id


def test_section_filter_and_prefix():
    bank = default_bank()
    rng = random.Random(2)
    picks = {choose_question(bank, section="behav", rng=rng).section for _ in range(50)}
    assert picks == {"Behavioral"}


def test_repeat_only_when_asked():
    bank = default_bank()
    two = bank.filter("Behavioral")[:2]
    small = RubricBank(two)
    rng = random.Random(3)
    # without --same the two questions alternate strictly
    seq = [two[0].id]
    for _ in range(20):
        seq.append(choose_question(small, last=seq[-1], rng=rng).id)
    assert all(a != b for a, b in pairwise(seq))
    # with --same a repeat happens (p = 1 - 2**-40 over 40 draws with this seed)
    seq = [two[0].id]
    for _ in range(40):
        seq.append(choose_question(small, last=seq[-1], allow_repeat=True, rng=rng).id)
    assert any(a == b for a, b in pairwise(seq))


def test_single_question_pool_is_returned_even_if_last():
    r = default_bank().filter()[0]
    assert choose_question(RubricBank([r]), last=r.id, rng=random.Random(0)).id == r.id


def test_choice_is_deterministic_with_a_seeded_rng():
    bank = default_bank()
    a = [choose_question(bank, rng=random.Random(42)).id for _ in range(3)]
    assert len(set(a)) == 1


def test_unknown_section_is_an_input_error():
    with pytest.raises(InputError, match="no section matches"):
        choose_question(default_bank(), section="nope", rng=random.Random(0))


# -- reading an answer ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "lines, text, eof",
    [
        (["one\n", "two\n", ".\n", "ignored\n"], "one\ntwo", False),
        (["one\n", "\n", "two\n", "\n"], "one\n\ntwo", True),
        ([" . \n"], "", False),
        ([], "", True),
        (["a line with a . inside\n", "..\n", ".\n"], "a line with a . inside\n..", False),
    ],
)
def test_collect_answer(lines, text, eof):
    assert collect_answer(iter(lines)) == (text, eof)


# -- history --------------------------------------------------------------------------------------


def _row(i, qid, pct, section="Beginner", day=1):
    return {
        "id": i,
        "question_id": qid,
        "section": section,
        "percent": pct,
        "created_at": f"2026-11-{day:02d}T10:00:{i:02d}+00:00",
    }


def test_summarize_per_question_and_section():
    rows = [
        _row(1, "vid-01", 20.0, day=1),
        _row(2, "vid-01", 55.0, day=2),
        _row(3, "vid-02", None, day=2),  # unscored
        _row(4, "vid-01", 40.0, day=3),
        _row(5, "vid-30", 80.0, section="Behavioral", day=3),
        _row(6, "vid-02", 60.0, day=4),
    ]
    h = summarize(rows, order=["vid-01", "vid-02", "vid-30"])
    assert [q.question_id for q in h.questions] == ["vid-01", "vid-02", "vid-30"]
    q1 = h.question("vid-01")
    assert (q1.attempts, q1.best, q1.latest, q1.first, q1.trend) == (3, 55.0, 40.0, 20.0, 20.0)
    assert q1.best_attempt_id == 2 and q1.latest_attempt_id == 4
    q2 = h.question("vid-02")
    assert (q2.attempts, q2.scored, q2.best, q2.latest, q2.trend) == (2, 1, 60.0, 60.0, None)
    assert q2.spark[0] == "·"
    beginner = next(s for s in h.sections if s.section == "Beginner")
    assert (beginner.questions, beginner.attempts, beginner.mean_best, beginner.mean_latest) == (2, 5, 57.5, 50.0)
    assert h.attempts == 6 and [t["id"] for t in h.timeline] == [1, 2, 3, 4, 5, 6]
    only = summarize(rows, section="behav")
    assert [q.question_id for q in only.questions] == ["vid-30"]
    one = summarize(rows, question_id="vid-02")
    assert one.attempts == 2
    d = h.as_dict()
    assert d["questions"][0]["trend"] == 20.0 and d["questions"][0]["sparkline"] == sparkline([20.0, 55.0, 40.0])
    json.dumps(d)


def test_best_by_question_and_sparkline():
    rows = [_row(1, "a", 10.0), _row(2, "a", 90.0), _row(3, "b", None)]
    assert best_by_question(rows) == {"a": (90.0, 2), "b": (None, 1)}
    assert sparkline([0, 50, 100, None]) == "▁▅█·"


def _result(criteria):
    return GradeResult(
        question_id="q",
        rubric_hash="h",
        prompt_version="p",
        backend="local",
        model="m",
        status="graded",
        score=1,
        max_score=10,
        percent=10,
        band="weak",
        criteria=criteria,
    )


def _crit(cid, *spans, verified=True):
    return CriterionResult(
        id=cid,
        text="t",
        weight=1,
        claimed=Level.full,
        awarded=Level.full,
        points=1,
        max_points=1,
        evidence=[Evidence(quote="x", verified=verified, start=s, end=e) for s, e in spans],
    )


def test_evidence_spans_merge_overlaps_and_skip_unverified():
    answer = "0123456789abcdefghij"
    res = _result(
        [
            _crit("a", (0, 5), (12, 15)),
            _crit("b", (3, 8)),
            _crit("c", (14, 18), (15, 16)),
            _crit("d", (1, 19), verified=False),
            _crit("e", (18, 99)),
        ]
    )
    spans = evidence_spans(res, answer)
    assert spans == [Highlight(0, 8, ["a", "b"]), Highlight(12, 18, ["a", "c"]), Highlight(18, 20, ["e"])]


# -- the CLI --------------------------------------------------------------------------------------

ANSWER = (
    "Text-to-video starts from a prompt alone and invents every frame. "
    "Image-to-video animates a given still, so composition is locked from the start."
)


def test_practice_grades_saves_and_quits(fake, tmp_path, cli):
    res = cli("practice", "--question", "vid-01", input=ANSWER + "\n.\nq\n")
    assert res.code == 0, res.output
    assert "Text-to-video" in res.output and "vid-01" in res.output
    assert "[r]etry / [n]ext / [q]uit" in res.output
    assert re.search(r"\d+(\.\d+)? / 10", res.output)
    assert "✓ “Image-to-video animates" in res.output  # the verified evidence is shown
    from grader.store import Store

    rows = Store(tmp_path / "store.sqlite3").attempts()
    assert len(rows) == 1 and rows[0]["question_id"].startswith("vid-01") and rows[0]["percent"] > 0
    assert rows[0]["answer"] == ANSWER
    assert fake.calls == 1


def test_practice_retry_then_next_never_repeats(fake, tmp_path, cli):
    second = ANSWER + " Both need a clear motion description to avoid drifting subjects."
    res = cli(
        "practice",
        "--question",
        "vid-01",
        "--section",
        "Beginner",
        "--seed",
        "5",
        input=f"{ANSWER}\n.\nr\n{second}\n.\nn\nA short answer that still has enough words.\n.\nq\n",
    )
    assert res.code == 0, res.output
    from grader.store import Store

    rows = Store(tmp_path / "store.sqlite3").attempts()
    assert [r["question_id"] for r in rows][:2] == [rows[0]["question_id"]] * 2
    assert rows[2]["question_id"] != rows[0]["question_id"]
    assert rows[2]["section"] == "Beginner"
    assert rows[1]["percent"] >= rows[0]["percent"]
    assert "Attempt 2 at this question" in res.output


def test_practice_empty_and_oversized_answers_are_not_graded(fake, monkeypatch, tmp_path, cli):
    monkeypatch.setenv("GRADER_MAX_ANSWER_CHARS", "100")
    res = cli("practice", "-q", "vid-01", input=f"\n.\nr\n{'word ' * 40}\n.\nq\n")
    assert res.code == 0, res.output
    assert "No answer given" in res.output and "over the limit of 100" in res.output
    assert fake.calls == 0


def test_practice_ends_at_end_of_input(fake, cli):
    res = cli("practice", "-q", "vid-01", input=ANSWER + "\n")
    assert res.code == 0, res.output
    assert fake.calls == 1


def test_practice_editor(fake, monkeypatch, tmp_path, cli):
    def fake_edit(text, **kwargs):
        assert "#> vid-01" in text
        return text + ANSWER + "\n"

    monkeypatch.setattr("click.edit", fake_edit)
    res = cli("practice", "-q", "vid-01", "--editor", input="q\n")
    assert res.code == 0, res.output
    from grader.store import Store

    assert Store(tmp_path / "store.sqlite3").attempts()[0]["answer"] == ANSWER


def test_history_text_and_json(fake, cli):
    assert "No practice attempts yet" in cli("history").output
    cli("practice", "-q", "vid-01", input=f"{ANSWER}\n.\nr\nOnly one sentence here, about prompts and frames.\n.\nq\n")
    res = cli("history")
    assert res.code == 0, res.output
    assert "vid-01" in res.output and "by section" in res.output and "Beginner" in res.output
    data = json.loads(cli("history", "--json").out)
    q = data["questions"][0]
    assert q["attempts"] == 2 and q["best"] >= q["latest"] and q["trend"] < 0
    assert data["sections"][0]["section"] == "Beginner"
    assert json.loads(cli("history", "--json", "--section", "Behavioral").out)["attempts"] == 0
    assert json.loads(cli("history", "--json", "--question", "vid-01").out)["attempts"] == 2


def test_practice_with_an_llm_backend_reuses_the_client(tmp_path, cli):
    """`practice` against the project's local OpenAI-compatible server: two gradings in one session."""
    from grader.store import Store
    from grader.testing.devserver import DevServer

    with DevServer(mode="honest") as dev:
        res = cli(
            "practice",
            "-q",
            "vid-01",
            "--backend",
            "llm",
            "--base-url",
            dev.base_url,
            "--model",
            "m",
            input=f"{ANSWER}\n.\nr\n{ANSWER} Objects and lighting must stay consistent across frames.\n.\nq\n",
        )
        assert res.code == 0, res.output
        assert dev.requests == 2
    assert [a["backend"] for a in Store(tmp_path / "store.sqlite3").attempts()] == ["llm", "llm"]


# -- issue 14, item 5: no typed answer is lost ---------------------------------------------------


class _TypedThenCtrlC:
    """stdin that yields ``lines`` and then raises KeyboardInterrupt, as Ctrl-C while typing does."""

    def __init__(self, lines):
        self.lines = list(lines)

    def readline(self):
        if self.lines:
            return self.lines.pop(0)
        raise KeyboardInterrupt

    def isatty(self):
        return False


def test_ctrl_c_while_typing_keeps_the_answer_and_offers_it_back(fake, monkeypatch, tmp_path, cli, capsys):
    from grader.cli import main

    cli("history")  # installs the test consoles
    monkeypatch.setattr("sys.stdin", _TypedThenCtrlC(["Text-to-video starts from a prompt alone.\n", "Second line.\n"]))
    with pytest.raises(SystemExit) as exc:
        main(["practice", "-q", "vid-01"])
    _out, err = capsys.readouterr()
    assert exc.value.code == 130 and fake.calls == 0
    drafts = list((tmp_path / "drafts").glob("*.txt"))
    assert len(drafts) == 1 and str(drafts[0]) in err.replace("\n", "")
    assert drafts[0].read_text() == "Text-to-video starts from a prompt alone.\nSecond line."
    # the next session offers it back; accepted, more lines are added and the whole answer is graded
    res = cli("practice", "-q", "vid-01", input="y\nImage-to-video animates a given still.\n.\nq\n")
    assert res.code == 0, res.output
    assert "unsent answer to this question" in res.output
    from grader.store import Store

    rows = Store(tmp_path / "store.sqlite3").attempts()
    assert rows[0]["answer"] == (
        "Text-to-video starts from a prompt alone.\nSecond line.\nImage-to-video animates a given still."
    )
    assert list((tmp_path / "drafts").glob("*.txt")) == []  # graded: the draft is gone


def test_a_grading_failure_keeps_the_answer(fake, tmp_path, cli):
    fake.fail = True
    res = cli("practice", "-q", "vid-01", input=ANSWER + "\n.\nq\n")
    assert res.code == 3 and "could not be reached" in res.err
    drafts = list((tmp_path / "drafts").glob("*.txt"))
    assert len(drafts) == 1 and drafts[0].read_text() == ANSWER and "offers it back" in res.err


def test_editor_text_typed_on_a_header_line_is_kept_and_the_header_never_graded(fake, monkeypatch, tmp_path, cli):
    def fake_edit(text, **kwargs):
        lines = text.splitlines()
        # the user types at the start of the first header line and at the end of the last one
        lines[0] = "Text-to-video starts from a prompt alone. " + lines[0]
        lines[2] = lines[2] + " Image-to-video animates a given still."
        return "\n".join(lines) + "\n"

    monkeypatch.setattr("click.edit", fake_edit)
    res = cli("practice", "-q", "vid-01", "--editor", input="q\n")
    assert res.code == 0, res.output
    from grader.store import Store

    answer = Store(tmp_path / "store.sqlite3").attempts()[0]["answer"]
    assert answer == "Text-to-video starts from a prompt alone.\nImage-to-video animates a given still."
    assert "#>" not in answer and "vid-01" not in answer and "Save and close" not in answer
