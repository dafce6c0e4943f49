"""``grader calibrate`` with graded examples: --examples FILE [--examples-split], and
--examples-per-question K --seed S, reported next to the run without examples and the plain
nearest-neighbour baseline."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from grader.agreement.measure import CalibrationColumns, read_calibration_csv, saf_bank
from grader.examples._calibrate import hold_out

REF = {
    "q1": ("What does TCP's three-way handshake do?", "It establishes a connection: SYN, SYN-ACK, ACK."),
    "q2": ("Why does Ethernet use backoff?", "To avoid repeated collisions it waits a random time before resending."),
}
ANSWERS = {
    "q1": [
        ("The handshake establishes a connection with SYN, SYN-ACK and ACK messages.", 1.0),
        ("Client sends SYN, server answers SYN-ACK, client sends ACK; then the connection is open.", 1.0),
        ("It opens a connection between two hosts.", 0.5),
        ("It is about sending some packets to the server.", 0.5),
        ("It encrypts the data that is sent over the network.", 0.0),
        ("It compresses the headers of every packet.", 0.0),
    ],
    "q2": [
        ("After a collision each station waits a random backoff time so they do not collide again.", 1.0),
        ("Random waiting after collisions avoids that the same stations collide again and again.", 1.0),
        ("It waits before sending again.", 0.5),
        ("Because the network is busy sometimes.", 0.5),
        ("Backoff makes the cable faster by amplifying the signal.", 0.0),
        ("It is needed to assign IP addresses to stations.", 0.0),
    ],
}


@pytest.fixture
def saf_like(tmp_path: Path) -> Path:
    path = tmp_path / "saf_like.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["split", "question_id", "question", "reference_answer", "answer", "score", "max_score", "label"])
        for q, rows in ANSWERS.items():
            for answer, score in rows:
                label = "Correct" if score == 1 else "Incorrect" if score == 0 else "Partially correct"
                for split in ("training", "unseen_answers"):
                    text = answer if split == "training" else f"In short: {answer.lower()}"
                    w.writerow([split, q, REF[q][0], REF[q][1], text, score * 2, 2, label])
    return path


def test_hold_out_draws_k_rows_per_question_seeded(saf_like: Path) -> None:
    data = read_calibration_csv(saf_like, CalibrationColumns(), split="training")
    bank = saf_bank(saf_like)
    examples, rest = hold_out(data, bank, 2, seed=3)
    again, _ = hold_out(data, bank, 2, seed=3)
    other, _ = hold_out(data, bank, 2, seed=4)
    assert len(examples) == 4 and len(rest.rows) == len(data.rows) - 4
    assert examples == again and examples != other
    assert {e.question_id for e in examples} == {"q1", "q2"} and all(e.max_score == 2 for e in examples)
    assert not {e.answer for e in examples} & {r.answer for r in rest.rows}
    assert "4 row(s) held out as graded examples (2 per question, seed 3)" in rest.notes[-1]


@pytest.mark.slow
def test_calibrate_with_an_examples_file_split(cli, saf_like: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    r = cli(
        "calibrate", saf_like, "--split", "unseen_answers", "--backend", "local",
        "--examples", saf_like, "--examples-split", "training", "--json", out,
    )  # fmt: skip
    assert r.code == 0, r.err
    report = json.loads(out.read_text(encoding="utf-8"))
    names = [b["name"] for b in report["baselines"]]
    assert names[:2] == ["no examples", "nearest"] and report["n"] == 12
    assert "12 graded examples of 2 question(s)" in report["model"]
    assert "no examples" in r.out and "nearest" in r.out
    assert report["pearson"] > report["baselines"][0]["pearson"]  # the examples carry signal on this toy set
    assert report["label_rule"].startswith("fixed thresholds")  # 12 labelled examples: too few to fit on
    assert any("too few to fit label thresholds on" in n for n in report["notes"])
    nearest = report["baselines"][1]
    assert nearest["rmse"] is not None and "the nearest scores" in nearest["undefined"]["pearson"]


@pytest.mark.slow
def test_calibrate_examples_per_question(cli, saf_like: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    args = ("calibrate", saf_like, "--split", "training", "--backend", "local", "--json", out)
    r = cli(*args, "--examples-per-question", "2", "--seed", "1")
    assert r.code == 0, r.err
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["n"] == 8 and any("held out as graded examples" in n for n in report["notes"])


@pytest.mark.parametrize(
    ("extra", "match"),
    [
        (("--examples", "x.csv", "--results", "y.jsonl"), "not with --results"),
        (("--examples-split", "training"), "--examples-split selects rows of --examples FILE"),
    ],
)
def test_calibrate_example_option_errors(cli, saf_like: Path, extra: tuple[str, ...], match: str) -> None:
    r = cli("calibrate", saf_like, "--backend", "local", *extra)
    assert r.code == 2 and match in r.err and "Traceback" not in r.err


def test_k_examples_per_question_drawn_from_a_file(saf_like: Path) -> None:
    from grader.examples._calibrate import prepare

    data = read_calibration_csv(saf_like, CalibrationColumns(), split="unseen_answers")
    bank = saf_bank(saf_like)
    examples, rest = prepare(data, bank, saf_like, "training", 2, seed=5)
    assert len(rest.rows) == 12 and len(examples) == 4  # every row compared, 2 examples per question
    assert {e.question_id for e in examples} == {"q1", "q2"}
    assert not any(e.answer.startswith("In short") for e in examples)  # from the training split only
    assert "4 graded examples drawn from" in rest.notes[-1]


def test_the_draw_of_k_per_question_is_one_shared_function() -> None:
    """``--examples-per-question`` draws with :func:`draw_per_question`, the function the fitting
    script's cross-validation uses, so the CV measures the reported protocol: same seed, same picks."""
    from grader.examples import GradedExample
    from grader.examples._calibrate import draw_per_question, sample_per_question

    counts = {"b": 5, "a": 12, "c": 2}
    drawn = draw_per_question(counts, 3, seed=7)
    assert list(drawn) == ["a", "b", "c"] and drawn == draw_per_question(counts, 3, seed=7)
    assert [len(drawn[q]) for q in "abc"] == [3, 3, 2] and all(ix == sorted(ix) for ix in drawn.values())
    assert drawn != draw_per_question(counts, 3, seed=8)
    examples = [GradedExample(question_id=q, answer=f"{q}{i}", score=1.0) for q, n in counts.items() for i in range(n)]
    picked = sample_per_question(examples, 3, seed=7)
    assert [e.answer for e in picked] == [f"{q}{i}" for q, ix in drawn.items() for i in ix]


@pytest.mark.slow
def test_examples_without_labels_keep_the_fixed_thresholds(cli, saf_like: Path, tmp_path: Path) -> None:
    examples = tmp_path / "ex.csv"
    with examples.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["question_id", "answer", "score"])
        for q, rows in ANSWERS.items():
            w.writerows([q, answer, score * 2] for answer, score in rows)
    out = tmp_path / "r.json"
    r = cli(
        "calibrate", saf_like, "--split", "unseen_answers", "--backend", "local", "--examples", examples, "--json", out
    )  # fmt: skip
    assert r.code == 0, r.err
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["label_rule"].startswith("fixed thresholds") and report["thresholds_source"] == ""
    assert "the graded examples have no label column: the label thresholds stay fixed" in report["notes"]
    assert [b["name"] for b in report["baselines"]][:2] == ["no examples", "nearest"]


def test_the_fit_scripts_cv_grades_what_calibrate_would_with_its_draw() -> None:
    """scripts/fit_examples_blend.py's "calibrate's draw" CV: for each question, the K examples
    ``--examples-per-question K --seed S`` would draw, and every *other* answer of the question graded."""
    import importlib.util

    import numpy as np

    from grader.examples import GradedExample
    from grader.examples._blend import DEFAULT_RULE, BlendRule
    from grader.examples._calibrate import sample_per_question

    spec = importlib.util.spec_from_file_location(
        "fit_blend", Path(__file__).parent.parent / "scripts/fit_examples_blend.py"
    )
    assert spec is not None and spec.loader is not None
    fit = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fit)
    questions = np.array(["q2", "q1", "q2", "q1", "q1", "q2", "q1", "q2", "q1"])
    rng = np.random.default_rng(0)
    vecs = rng.normal(size=(len(questions), 4))
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    human = np.linspace(0, 1, len(questions))
    a = fit.Answers(vecs @ vecs.T, vecs[:, 0], np.ones(len(questions)), human, np.full(len(questions), 0.5), questions)
    x, graded = fit.calibrate_draw(a, 2, 3, DEFAULT_RULE)
    examples = [GradedExample(str(q), str(i), score=float(human[i]), max_score=1.0) for i, q in enumerate(questions)]
    drawn = {int(e.answer) for e in sample_per_question(examples, 2, 3)}
    assert len(drawn) == 4 and sorted(graded) == sorted(set(range(len(questions))) - drawn)
    assert x.shape == (5, len(BlendRule.COEFFICIENTS)) and np.isfinite(x).all()
