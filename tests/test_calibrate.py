"""grader.calibrate and ``grader calibrate``: CSV reading, grading with a fake grader and the DevServer
(bounded concurrency, cache), results files, the report and baselines, the chart, CLI errors, and
the SAF rubric adapter."""

import asyncio
import csv
import hashlib
import json
import re
from pathlib import Path

import numpy as np
import pytest

from grader.agreement import metrics as M
from grader.agreement.measure import (
    DEFAULT_THRESHOLDS,
    LABELS,
    CalibrationColumns,
    GradedScores,
    Thresholds,
    build_report,
    fit_thresholds,
    grade_rows,
    labels_from_scores,
    read_calibration_csv,
    read_results,
    rubric_for,
    rubric_id,
    saf_bank,
    write_chart,
)
from grader.errors import InputError, QuestionProblemError, RubricError, TransportError, UnknownQuestionError
from grader.grading import Grader
from grader.result import GradeResult
from grader.settings import Settings
from grader.store import Store
from grader.testing.fake import FakeJudge

SAF = Path("/work/shared/datasets/saf/saf_en.csv")

# id, question, answer, human score (of 10), label, grader score (of 10)
ROWS = [
    ("a1", "t-diffusion", "Diffusion models reverse a noising process step by step with denoising.", 10, "Correct", 9),
    (
        "a2",
        "t-diffusion",
        "They denoise noise into frames and use temporal attention for consistency.",
        8,
        "Correct",
        8,
    ),
    (
        "a3",
        "t-diffusion",
        "Something about noise and frames that I cannot remember well at all.",
        4,
        "Partially correct",
        5,
    ),
    ("a4", "t-diffusion", "Video models make video out of text prompts in some way I think.", 2, "Incorrect", 1),
    (
        "a5",
        "t-diffusion",
        "They learn to remove noise; evaluation uses FVD and human preference studies too.",
        7,
        "Correct",
        6,
    ),
    (
        "a6",
        "t-diffusion",
        "Noise is removed over many steps until a clip appears, frame by frame.",
        5,
        "Partially correct",
        6,
    ),
    ("a7", "t-diffusion", "I do not know this topic well enough to explain it in any detail.", 0, "Incorrect", 2),
    (
        "a8",
        "t-diffusion",
        "Denoising diffusion with temporal layers, judged by FVD scores and raters.",
        9,
        "Correct",
        10,
    ),
]


def write_csv(path: Path, header, rows) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


@pytest.fixture
def scored_csv(tmp_path) -> Path:
    return write_csv(
        tmp_path / "scored.csv",
        ["candidate_id", "question_id", "answer", "score", "max_score", "label"],
        [(i, q, a, s, 10, lab) for i, q, a, s, lab, _ in ROWS],
    )


@pytest.fixture
def results_jsonl(tmp_path) -> Path:
    path = tmp_path / "results.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for i, q, _, _, _, g in ROWS:  # shaped like `grader batch` JSONL output
            fh.write(
                json.dumps(
                    {
                        "row": 1,
                        "candidate_id": i,
                        "question_id": q,
                        "status": "graded",
                        "score": g,
                        "max_score": 10,
                        "percent": g * 10,
                    }
                )
                + "\n"
            )
    return path


class FakeGrader:
    """What grade_rows uses of a Grader; scores from ROWS, and records the peak concurrency."""

    def __init__(self, scores: dict[str, float], fail: set[str] = frozenset()):
        self.scores, self.fail = scores, fail
        self.backend, self.backend_name = FakeJudge(model="fake-1"), "fake"
        self.active = self.peak = self.calls = 0
        self.closed = False

    async def agrade(self, rubric, answer):
        self.active += 1
        self.peak = max(self.peak, self.active)
        self.calls += 1
        await asyncio.sleep(0.001)
        self.active -= 1
        if answer in self.fail:
            raise TransportError("server down", status=503)
        return GradeResult(
            question_id=rubric.id,
            rubric_hash=rubric.hash,
            prompt_version="x",
            backend="local",
            model="fake-1",
            status="graded",
            score=self.scores[answer],
            max_score=10,
            percent=0,
            band="weak",
        )

    async def aclose(self):
        self.closed = True


# -- reading ------------------------------------------------------------------------------------


def test_read_calibration_csv(scored_csv):
    data = read_calibration_csv(scored_csv)
    assert [r.row_id for r in data.rows] == [r[0] for r in ROWS]
    assert data.has_labels and data.rows[0].human == 1.0 and data.rows[3].human == pytest.approx(0.2)
    assert data.rows[0].line == 2 and data.rows[0].words == 11
    assert len(read_calibration_csv(scored_csv, limit=3).rows) == 3


def test_missing_max_score_uses_the_highest_score_per_question(tmp_path):
    path = write_csv(
        tmp_path / "s.csv",
        ["answer_id", "question_id", "answer", "score"],
        [("x", "q1", "a b c", 2), ("y", "q1", "d e f", 4), ("z", "q2", "g h", 1)],
    )
    data = read_calibration_csv(path)
    assert [r.human for r in data.rows] == [0.5, 1.0, 1.0]
    assert [r.row_id for r in data.rows] == ["x", "y", "z"]  # answer_id is the fallback id column
    assert not data.has_labels and "highest human score" in data.notes[0]


@pytest.mark.parametrize(
    "columns, kwargs, match",
    [
        (CalibrationColumns(score="points"), {}, r"no column 'points'; the columns are candidate_id, question_id"),
        (CalibrationColumns(label="verdict"), {}, "no column 'verdict'"),
        (CalibrationColumns(), {"split": "test"}, "no column 'split'"),
    ],
)
def test_missing_column_names_it_and_the_columns_found(scored_csv, columns, kwargs, match):
    with pytest.raises(InputError, match=match):
        read_calibration_csv(scored_csv, columns, **kwargs)


@pytest.mark.parametrize(
    "rows, match",
    [
        ([("a", "q", "x", "lots", 10, "Correct")], "score 'lots' is not a number"),
        ([("a", "q", "x", 12, 10, "Correct")], "above the max score"),
        ([("a", "q", "x", 1, 10, "Maybe")], "label 'Maybe' is not one of"),
        ([("a", "q", "x", 1, 10, "Correct"), ("a", "q", "y", 1, 10, "Correct")], "duplicate ids"),
        ([], "no data rows"),
    ],
)
def test_bad_rows_are_clear_errors(tmp_path, rows, match):
    header = ["candidate_id", "question_id", "answer", "score", "max_score", "label"]
    path = write_csv(tmp_path / "bad.csv", header, rows)
    with pytest.raises(InputError, match=match):
        read_calibration_csv(path)


def test_split_filter(tmp_path):
    path = write_csv(
        tmp_path / "s.csv",
        ["split", "answer_id", "question_id", "answer", "score", "max_score"],
        [("train", "1", "q", "a", 1, 1), ("test", "2", "q", "b", 0, 1)],
    )
    assert [r.row_id for r in read_calibration_csv(path, split="test").rows] == ["2"]
    with pytest.raises(InputError, match="no rows with split 'dev'; the splits are test, train"):
        read_calibration_csv(path, split="dev")


# -- grading and results files ------------------------------------------------------------------


def test_grade_rows_with_a_fake_grader_bounded_concurrency(scored_csv, bank):
    data = read_calibration_csv(scored_csv)
    fake = FakeGrader({a: g for _, _, a, _, _, g in ROWS}, fail={ROWS[-1][2]})
    seen = []
    graded = grade_rows(fake, data, bank, concurrency=3, progress=lambda done, total: seen.append((done, total)))
    assert fake.peak <= 3 and fake.calls == len(ROWS) and fake.closed
    assert graded.scores[:-1] == [g / 10 for *_, g in ROWS[:-1]] and graded.scores[-1] is None
    assert graded.skipped == {"failed": 1} and "server down" in graded.first_error
    assert seen[-1] == (len(ROWS), len(ROWS))
    report = build_report(data, graded)
    assert report.n == len(ROWS) - 1 and report.skipped == {"failed": 1}


def test_grade_rows_reraises_when_nothing_could_be_graded(scored_csv, bank):
    data = read_calibration_csv(scored_csv, limit=2)
    fake = FakeGrader({}, fail={r[2] for r in ROWS})
    with pytest.raises(TransportError, match="server down"):
        grade_rows(fake, data, bank)


def test_grading_through_the_devserver_is_cached_on_the_second_run(dev_server, bank, scored_csv, tmp_path):
    server = dev_server()
    settings = Settings(
        api_key="test-key", base_url=server.base_url, model="test-model", timeout=5, store=tmp_path / "store.sqlite3"
    )
    grader = Grader(settings, bank=bank, store=Store(settings.store_path))
    data = read_calibration_csv(scored_csv)
    first = grade_rows(grader, data, bank, concurrency=4)
    assert all(s is not None for s in first.scores) and first.n_cached == 0
    calls = server.requests
    assert calls == len(ROWS)
    second = grade_rows(grader, data, bank, concurrency=4)
    assert second.scores == first.scores and second.n_cached == len(ROWS)
    assert server.requests == calls  # the second run was free
    assert build_report(data, second).n_cached == len(ROWS)


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_read_results_of_a_real_batch_run(dev_server, bank, scored_csv, tmp_path, suffix):
    from grader.batch.runner import run_batch

    server = dev_server()
    settings = Settings(
        api_key="test-key", base_url=server.base_url, model="test-model", timeout=5, store=tmp_path / "store.sqlite3"
    )
    grader = Grader(settings, bank=bank, store=Store(settings.store_path))
    data = read_calibration_csv(scored_csv)
    direct = grade_rows(grader, data, bank)
    out = tmp_path / f"batch{suffix}"

    async def batch():
        try:
            await run_batch(grader, scored_csv, out)
        finally:
            await grader.aclose()

    asyncio.run(batch())
    from_file = read_results(out, data)
    assert from_file.scores == pytest.approx(direct.scores) and from_file.skipped == {}
    assert (from_file.backend, from_file.model) == ("llm", "test-model")


def test_read_results_jsonl_and_csv(scored_csv, results_jsonl, tmp_path):
    data = read_calibration_csv(scored_csv)
    from_jsonl = read_results(results_jsonl, data)
    assert from_jsonl.scores == [g / 10 for *_, g in ROWS]
    res_csv = write_csv(
        tmp_path / "res.csv",
        ["candidate_id", "status", "score", "max_score"],
        [(i, "unscored" if i == "a2" else "graded", "" if i == "a2" else g, 10) for i, *_, g in ROWS[:-1]],
    )
    from_csv = read_results(res_csv, data)
    assert from_csv.scores[0] == 0.9 and from_csv.scores[1] is None and from_csv.scores[-1] is None
    assert from_csv.skipped == {"without a score in the results": 1, "missing from results": 1}
    as_array = tmp_path / "res.json"
    as_array.write_text(
        json.dumps([{"candidate_id": "a1", "result": {"score": 3, "max_score": 4, "backend": "llm", "model": "m1"}}]),
        encoding="utf-8",
    )
    from_array = read_results(as_array, data)
    assert from_array.scores[0] == 0.75 and (from_array.backend, from_array.model) == ("llm", "m1")


def test_read_results_joins_bare_grade_results_on_the_answer_hash(scored_csv, tmp_path):
    data = read_calibration_csv(scored_csv)
    path = tmp_path / "bare.jsonl"
    path.write_text(
        "".join(
            json.dumps(
                {
                    "question_id": q,
                    "answer_sha256": hashlib.sha256(a.encode()).hexdigest(),
                    "status": "graded",
                    "score": g,
                    "max_score": 10,
                }
            )
            + "\n"
            for _, q, a, _, _, g in ROWS
        ),
        encoding="utf-8",
    )
    assert read_results(path, data).scores == [g / 10 for *_, g in ROWS]
    other = tmp_path / "other.jsonl"
    other.write_text(json.dumps({"candidate_id": "zzz", "score": 1, "max_score": 1}) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="no result matches a row"):
        read_results(other, data)


# -- the report ---------------------------------------------------------------------------------


def test_report_metrics_baselines_and_labels(scored_csv, results_jsonl):
    data = read_calibration_csv(scored_csv)
    report = build_report(data, read_results(results_jsonl, data))
    human = np.array([s / 10 for *_, s, _, _ in ROWS])
    grader = np.array([g / 10 for *_, g in ROWS])
    assert report.n == report.n_rows == 8 and report.bins == 5 and "5 equal-width bins" in report.binning
    assert report.pearson == pytest.approx(M.pearson(grader, human), abs=1e-6)
    assert report.qwk == pytest.approx(M.quadratic_weighted_kappa(human, grader), abs=1e-6)
    assert report.rmse == pytest.approx(M.rmse(grader, human), abs=1e-6)
    assert report.thresholds == DEFAULT_THRESHOLDS and not report.thresholds_fitted
    assert "fixed thresholds: ≥ 0.75 Correct, ≥ 0.35 Partially correct" in report.label_rule
    predicted = labels_from_scores(grader)
    assert report.accuracy == pytest.approx(M.accuracy([r[4] for r in ROWS], predicted), abs=1e-6)
    assert sum(map(sum, report.confusion)) == 8 and report.labels == list(LABELS)
    majority, length = report.baselines
    assert majority.name == "majority" and majority.accuracy == pytest.approx(4 / 8)  # 4 of 8 are "Correct"
    assert majority.pearson is None and "constant input (the majority scores)" in majority.undefined["pearson"]
    assert majority.rmse == pytest.approx(float(np.std(human)), abs=1e-6)
    _b, a = np.polyfit([r.words for r in data.rows], human, 1)
    assert length.name == "length" and f"{a:.3f}" in length.description
    assert report.human_length_bias == pytest.approx(M.length_bias(human, [r.words for r in data.rows]), abs=1e-6)
    json.loads(report.model_dump_json())  # serialisable (nan never reaches the JSON)


def test_fit_labels_is_at_least_as_good_as_the_defaults(scored_csv, results_jsonl):
    data = read_calibration_csv(scored_csv)
    graded = read_results(results_jsonl, data)
    fixed = build_report(data, graded)
    fitted = build_report(data, graded, fit_labels=True)
    assert fitted.thresholds_fitted and "fitted on these same rows" in fitted.label_rule
    assert fitted.macro_f1 >= fixed.macro_f1 and fitted.thresholds != fixed.thresholds


def test_fit_thresholds_recovers_separable_labels():
    scores = [0.1, 0.2, 0.45, 0.5, 0.55, 0.8, 0.9]
    labels = ["Incorrect"] * 2 + ["Partially correct"] * 3 + ["Correct"] * 2
    t = fit_thresholds(scores, labels)
    assert 0.2 < t.partial <= 0.45 and 0.55 < t.correct <= 0.8
    assert labels_from_scores(scores, t) == labels
    assert labels_from_scores([0.34, 0.35, 0.74, 0.75], Thresholds(partial=0.35, correct=0.75)) == [
        "Incorrect",
        "Partially correct",
        "Partially correct",
        "Correct",
    ]


def test_no_grader_scores_is_a_clear_error(scored_csv):
    data = read_calibration_csv(scored_csv)
    with pytest.raises(InputError, match="no row has a grader score"):
        build_report(data, GradedScores([None] * len(data.rows), skipped={"unscored": len(data.rows)}))


def test_svg_chart(tmp_path):
    path = write_chart(tmp_path / "c.svg", [0, 0.5, 1], [0.1, 0.4, 0.9], "grader vs human, Pearson r = 0.99 <n>")
    text = path.read_text()
    assert text.startswith("<svg") and text.count("<circle") == 3 and "Pearson r = 0.99 &lt;n&gt;" in text
    with pytest.raises(InputError, match=r"\.svg or \.png"):
        write_chart(tmp_path / "c.pdf", [0], [0], "x")


def test_png_chart(tmp_path):
    pytest.importorskip("matplotlib")
    path = write_chart(tmp_path / "c.png", [0, 0.5, 1], [0.1, 0.4, 0.9], "t")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# -- the CLI ------------------------------------------------------------------------------------


def test_cli_report_json_and_chart(cli, scored_csv, results_jsonl, tmp_path):
    code, out, err = cli(
        "calibrate",
        scored_csv,
        "--results",
        results_jsonl,
        "--json",
        tmp_path / "r.json",
        "--chart",
        tmp_path / "c.svg",
    )
    assert code == 0, err
    assert "Pearson r" in out and "label macro-F1" in out and "majority" in out and "length" in out
    assert "human \\ grader" in out and "fixed thresholds" in out
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["n"] == 8 and report["baselines"][0]["name"] == "majority"
    assert "Pearson r = " in (tmp_path / "c.svg").read_text()


@pytest.mark.parametrize(
    "args, match",
    [
        (["--score-col", "points"], "no column 'points'; the columns are candidate_id, question_id, answer, score"),
        (["--split", "test"], "no column 'split'"),
        (["--chart", "x.pdf"], "the chart must be an .svg or .png file"),
    ],
)
def test_cli_errors_are_one_line(cli, scored_csv, results_jsonl, args, match):
    code, _out, err = cli("calibrate", scored_csv, "--results", results_jsonl, *args)
    assert code == 2 and match in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_cli_unreadable_and_empty_files(cli, tmp_path, results_jsonl):
    code, _, err = cli("calibrate", tmp_path / "nope.csv", "--results", results_jsonl)
    assert code == 2 and "nope.csv: file not found" in err
    empty = write_csv(tmp_path / "empty.csv", ["candidate_id", "question_id", "answer", "score"], [])
    code, _, err = cli("calibrate", empty, "--results", results_jsonl)
    assert code == 2 and "no data rows" in err
    binary = tmp_path / "bin.csv"
    binary.write_bytes(b"candidate_id,score\n\xff\xfe\x00x,1\n")
    code, _, err = cli("calibrate", binary, "--results", results_jsonl)
    assert code == 2 and "not UTF-8" in err


# -- the SAF adapter ----------------------------------------------------------------------------


@pytest.fixture
def saf_slice(tmp_path) -> Path:
    if not SAF.is_file():
        pytest.skip("the SAF dataset is not on this machine")
    wanted = ("1.6", "10.1_TC", "4.1_LM_v1.0")
    with SAF.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        rows = [r for r in reader if r["question_id"] in wanted]
    path = tmp_path / "saf3.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=reader.fieldnames)
        w.writeheader()
        w.writerows(rows)
    return path


def _norm(text: str) -> str:
    """Whitespace collapsed, list bullets at line starts removed."""
    return " ".join(re.sub(r"(?m)^\s*[-•●○*]+", "", text).split())


def test_saf_bank_on_three_questions(saf_slice):
    bank = saf_bank(saf_slice)
    assert bank.ids == ["1-6", "10-1-tc", "4-1-lm-v1-0"]
    r = rubric_for(bank, "1.6")
    assert r.kind == "reference" and r.bank == "saf" and r.max_score == 2.5
    assert r.question.startswith("Assume you have a local network with 3 users")
    assert r.reference_answer.startswith("Binary Encoding")
    # the claims of the reference answer (grader.rubric.build.criteria_from_reference), weight 1 each
    assert [c.id for c in r.criteria] == [
        "binary-encoding-most",
        "additionally-you-do",
        "therefore-self-clocking",
        "simple-cheap-also",
    ] and {c.weight for c in r.criteria} == {1}
    assert r.criteria[0].text.startswith("Binary Encoding, as it is the most efficient")
    for rubric in bank:
        assert 1 <= len(rubric.criteria) <= 12
        reference = _norm(rubric.reference_answer)
        for c in rubric.criteria:  # every piece a criterion stands for is verbatim from the reference answer
            for piece in c.covers:
                assert _norm(piece) in reference, (rubric.id, piece)
    assert len(rubric_for(bank, "4.1_LM_v1.0").criteria) == 1
    assert rubric_for(bank, "10.1_TC").max_score == 1.0
    with pytest.raises(UnknownQuestionError):
        rubric_for(bank, "9.9")
    assert saf_bank(saf_slice, split="unseen_answers").ids == bank.ids


def test_saf_bank_builds_the_same_rubrics_as_the_csv_bank_reader(saf_slice):
    """`grader calibrate` (saf_bank, which scripts/fit_criterion_model.py also uses) and a CSV question bank
    (bank_from_csv(…, bank="saf", section="SAF")) must build the very same rubrics (same criteria, same hash)."""
    from grader.rubric.io import bank_from_csv

    fitted = {r.id: r for r in bank_from_csv(saf_slice, bank="saf", section="SAF")}
    assert {r.id: r.hash for r in saf_bank(saf_slice)} == {i: r.hash for i, r in fitted.items()}


def test_rubric_ids_and_reference_claims():
    assert rubric_id("10.1_TC") == "10-1-tc" and rubric_id("...") == "q"
    from grader.rubric.build import criteria_from_reference

    text = "First point is here. Second point is here; third clause goes on\n\nFourth one after a gap.\n- ok"
    assert [c.text for c in criteria_from_reference(text)] == [
        "First point is here",
        "Second point is here",
        "third clause goes on",
        "Fourth one after a gap; ok",
    ]
    assert [c.text for c in criteria_from_reference("Fields we need :\n-Sequence number\n-Window size")] == [
        "Fields we need : Sequence number; Window size"
    ]
    assert [c.text for c in criteria_from_reference("a soft\nwrapped line of text")] == ["a soft wrapped line of text"]
    many = " ".join(f"Sentence number {i} is here." for i in range(30))
    assert len(criteria_from_reference(many)) == 12


def test_saf_bank_errors(tmp_path, scored_csv):
    nothing = write_csv(
        tmp_path / "bad.csv",
        ["question_id", "question", "reference_answer", "max_score"],
        [("q1", "What is it?", "", 1), ("q2", "", "It is so.", 1)],
    )
    with pytest.raises(RubricError) as exc:  # no question builds: the whole file fails, in one line
        saf_bank(nothing)
    line = exc.value.one_line()
    assert "bad.csv: no question builds (2 with a problem); first: row at line 2: question 'q1': the reference" in line
    assert "\n" not in line
    with pytest.raises(InputError, match="no column 'question'; the columns are") as exc:
        saf_bank(scored_csv)
    assert "a SAF-style CSV has question_id, question, reference_answer, max_score" in exc.value.one_line()


STACK_Q = "Which stack operation adds an element to the top?"
GOOD = ("1.1", "What does slow start do?", "The window starts small and doubles every round trip.", 1)


@pytest.mark.parametrize(
    "row, problem",
    [
        (("2.2", "What does a router do?", "", 1), "row at line 3: question '2.2': the reference answer is empty"),
        (("2.2", "", "It forwards packets.", 1), "row at line 3: question '2.2': the question is empty"),
        (
            ("2.2", "What is it?", "It is this.", "ten"),
            "row at line 3: question '2.2': max score 'ten' is not a number",
        ),
        (("2.2", "What is it?", "?!", 1), "row at line 3: question '2.2': the reference answer has no words"),
        (("1-1", "What is that?", "It is that.", 1), "row at line 3: ids '1.1' and '1-1' both become '1-1'"),
    ],
)
def test_saf_bank_records_a_broken_question_and_builds_the_others(tmp_path, row, problem):
    p = write_csv(
        tmp_path / "saf.csv",
        ["question_id", "question", "reference_answer", "max_score"],
        [GOOD, row, ("3.3", STACK_Q, "push", 1)],
    )
    bank = saf_bank(p)
    rid = rubric_id(row[0])
    assert list(bank.problems) == [rid] and bank.problems[rid].startswith(problem)
    assert bank.ids == (["3-3"] if rid == "1-1" else ["1-1", "3-3"])
    with pytest.raises(QuestionProblemError, match=re.escape(f"{p}: {bank.problems[rid]}")):
        rubric_for(bank, row[0])


def test_saf_bank_builds_one_word_references_and_short_questions_with_warnings(tmp_path):
    p = write_csv(
        tmp_path / "saf.csv",
        ["question_id", "question", "reference_answer", "max_score"],
        [("11.1", STACK_Q, "push", 1), ("2.3", "Why?", "Because the bulb is in a closed path with the battery.", 1)],
    )
    bank = saf_bank(p)
    assert bank.problems == {} and bank.ids == ["11-1", "2-3"]
    assert [c.text for c in rubric_for(bank, "11.1").criteria] == ["States: push"]
    assert rubric_for(bank, "2.3").question == "Why?"
    assert [len(bank.warnings[i]) for i in ("11-1", "2-3")] == [1, 1]
    assert "question '11.1': the reference answer is only 1 word ('push')" in bank.warnings["11-1"][0]


def _broken_bank_rows():
    """3 questions that build (one of them a one-word reference, one a one-word question) and one that
    does not (an empty reference answer), with 2-3 scored answers each."""
    slow = "The congestion window starts small and doubles every round trip until it reaches the threshold."
    bulb = "Because the bulb is in a closed path with the battery."
    return [
        ("1.1", "What does TCP slow start do?", slow, "The window starts small and doubles each round trip.", 1, 1),
        ("1.1", "What does TCP slow start do?", slow, "It sends every packet at once without waiting.", 0, 1),
        ("1.1", "What does TCP slow start do?", slow, "The window grows quickly from a small size each trip.", 0.5, 1),
        ("11.1", STACK_Q, "push", "You push the element onto the top.", 1, 1),
        ("11.1", STACK_Q, "push", "You pop the element off the top.", 0, 1),
        ("2.3", "Why?", bulb, "The bulb is in a closed path with the battery.", 1, 1),
        ("2.3", "Why?", bulb, "I really do not know the answer.", 0, 1),
        ("5.5", "What does a router do?", "", "It forwards packets between networks.", 1, 1),
        ("5.5", "What does a router do?", "", "It makes coffee for the whole office.", 0, 1),
    ]


@pytest.mark.parametrize("bank_from", ["the same CSV", "--rubrics"])
def test_calibrate_leaves_out_only_the_rows_of_a_broken_question(cli, tmp_path, monkeypatch, bank_from):
    """`grader calibrate` on a file with one question whose rubric cannot be built: exit 0, the other 7 rows
    compared, the 2 rows of that question counted as left out with the reason, one warning line for it."""
    monkeypatch.setenv("GRADER_STORE", str(tmp_path / "store.sqlite3"))
    header = ["question_id", "question", "reference_answer", "answer", "score", "max_score"]
    data = write_csv(tmp_path / "mohler.csv", header, _broken_bank_rows())
    args: list[object] = [data]
    if bank_from == "--rubrics":  # the answers in one file, the question bank in another
        answers = write_csv(
            tmp_path / "answers.csv",
            ["question_id", "answer", "score", "max_score"],
            [(q, a, s, m) for q, _, _, a, s, m in _broken_bank_rows()],
        )
        args = [answers, "--rubrics", data]
    code, out, err = cli("calibrate", *args, "--backend", "local", "--json", tmp_path / "r.json")
    assert code == 0, err
    report = json.loads((tmp_path / "r.json").read_text())
    reason = f"{data}: row at line 9: question '5.5': " + (
        "the reference answer is empty" if bank_from == "the same CSV" else "neither a hint nor a reference_answer"
    )
    assert report["n"] == 7 and report["n_rows"] == 9
    assert report["skipped"] == {f"no rubric ({reason})": 2}
    warnings = [line for line in err.splitlines() if line.startswith("warning:")]
    assert warnings == [
        f"warning: {reason}; "
        + ("its 2 row(s) are left out" if bank_from == "the same CSV" else "its rows are not graded")
    ]
    assert "('push')" in err and "('Why?')" in err  # the thin rubrics are noted, not refused
    assert "7 of 9 rows compared" in out and "left out: 2 no rubric" in out


# -- end to end with the embedded grader ----------------------------------------------------------


def test_calibrate_saf_slice_with_the_embedded_grader(cli, tmp_path, monkeypatch):
    """30 unseen answers of SAF graded by the embedded grader (no LLM); the second run is all cache."""
    if not SAF.is_file():
        pytest.skip("the SAF dataset is not on this machine")
    monkeypatch.setenv("GRADER_STORE", str(tmp_path / "store.sqlite3"))
    args = [SAF, "--split", "unseen_answers", "--limit", 30, "--backend", "local", "--json", tmp_path / "r.json"]
    code, _out, err = cli("calibrate", *args)
    assert code == 0, err
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["n"] + sum(report["skipped"].values()) == 30 and report["n"] >= 25
    assert report["backend"] == "local" and report["labels"] == list(LABELS)
    assert report["rmse"] is not None and 0 <= report["rmse"] <= 1
    assert {b["name"] for b in report["baselines"]} == {"majority", "length"}
    code, _out, _err = cli("calibrate", *args)
    again = json.loads((tmp_path / "r.json").read_text())
    # answers under min_words are graded 0 without the cache; every other row comes from it
    assert code == 0 and again["n_cached"] > 0 and again["pearson"] == report["pearson"]


def test_cli_without_split_measures_each_split_of_the_file_on_its_own(cli, tmp_path, monkeypatch):
    """SAF's answer ids repeat across its splits: with no --split, each split is one report (the issue's
    plain ``grader calibrate saf_en.csv --backend local`` refused the whole file for duplicate ids)."""
    monkeypatch.setenv("GRADER_STORE", str(tmp_path / "store.sqlite3"))
    header = ["split", "answer_id", "question_id", "question", "reference_answer", "answer", "score", "max_score"]
    ref = "Diffusion models reverse a noising process step by step. They denoise noise into frames."
    rows = [
        (split, f"a{i}", "q1", "What is a diffusion model?", ref, answer, score, 1)
        for split in ("training", "unseen_answers")
        for i, (answer, score) in enumerate(
            [
                ("Diffusion models reverse a noising process step by step, denoising into frames.", 1),
                ("It is a model that reverses noise step by step.", 0.5),
                ("I do not know what this is about at all, sorry.", 0),
            ]
        )
    ]
    path = write_csv(tmp_path / "saf.csv", header, rows)
    code, out, err = cli(
        "calibrate", path, "--backend", "local", "--json", tmp_path / "r.json", "--chart", tmp_path / "c.svg"
    )
    assert code == 0, err
    assert "2 splits (training, unseen_answers)" in err
    assert "(split training)" in out and "(split unseen_answers)" in out
    report = json.loads((tmp_path / "r.json").read_text())
    assert list(report) == ["training", "unseen_answers"]
    assert all(r["n"] + sum(r["skipped"].values()) == 3 for r in report.values())
    assert (tmp_path / "c-training.svg").is_file() and (tmp_path / "c-unseen_answers.svg").is_file()
    # one split asked for: one report, as before
    code, out, err = cli("calibrate", path, "--split", "training", "--backend", "local", "--json", tmp_path / "t.json")
    single = json.loads((tmp_path / "t.json").read_text())
    assert code == 0 and "splits" not in err
    assert single["split"] == "training" and single["n"] + sum(single["skipped"].values()) == 3


def test_languages_of_a_reference_answer_csv(cli, tmp_path, monkeypatch):
    """SAF is bilingual (some answers of its English file are German): ``--languages en,de`` lets the
    rubrics built from the CSV accept both; an unknown code is a one-line error, exit 2."""
    monkeypatch.setenv("GRADER_STORE", str(tmp_path / "store.sqlite3"))
    header = ["answer_id", "question_id", "question", "reference_answer", "answer", "score", "max_score"]
    ref = "Diffusion models reverse a noising process step by step."
    rows = [
        (f"a{i}", "q1", "What is a diffusion model?", ref, "It reverses noise step by step.", 1, 1) for i in range(3)
    ]
    path = write_csv(tmp_path / "saf.csv", header, rows)
    assert saf_bank(path).get("q1").languages == ("en",)
    assert saf_bank(path, languages=("en", "de")).get("q1").languages == ("en", "de")
    code, _out, err = cli("calibrate", path, "--backend", "local", "--languages", "en,xx")
    assert code == 2 and "--languages: unknown language 'xx'" in err and len(err.strip().splitlines()) == 1
    code, _out, err = cli("calibrate", path, "--backend", "local", "--languages", "en, de")
    assert code == 0, err
