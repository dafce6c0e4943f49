"""Label thresholds learned from the graded examples (never from the rows being reported), the
examples' ``label`` column, out-of-fold folds, and the nearest examples' label vote."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from grader.agreement.io import CalibrationData, CalibrationRow, GradedScores
from grader.agreement.measure import DEFAULT_THRESHOLDS, Thresholds, build_report, fit_thresholds
from grader.examples import ExampleSet, GradedExample
from grader.examples._io import read_examples, write_examples
from grader.examples._label_model import DESCRIPTION
from grader.examples._labels import MIN_LABELLED, fit_from_examples, nearest_fit, nearest_neighbours
from grader.settings import Settings

LABEL_OF = {1.0: "Correct", 0.5: "Partially correct", 0.0: "Incorrect"}


class _Embedder:
    """Deterministic unit vectors: an answer's vector is given by its first word (a, b, c …)."""

    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), 8), dtype=np.float32)
        for i, t in enumerate(texts):
            out[i, "abcdefgh".index(t[0])] = 1.0
            out[i, 7] += 0.01 * len(t)
        return out / np.linalg.norm(out, axis=1, keepdims=True)


def _examples(n: int, question: str = "q1") -> list[GradedExample]:
    grades = [1.0, 0.5, 0.0]
    return [
        GradedExample(question, f"answer {i}", score=2 * grades[i % 3], max_score=2, label=LABEL_OF[grades[i % 3]])
        for i in range(n)
    ]


def test_folds_hold_every_example_out_exactly_once_and_share_vectors() -> None:
    exs = _examples(23) + _examples(7, "q2")
    full = ExampleSet(exs)
    emb = _Embedder()
    full_vecs = full.vectors("q1", emb)
    folds = full.folds(10, seed=0)
    held = [e for h, _ in folds for e in h]
    assert sorted(e.answer + e.question_id for e in held) == sorted(e.answer + e.question_id for e in exs)
    for h, rest in folds:
        assert not {id(e) for e in h} & {id(e) for q in rest.question_ids for e in rest.for_question(q)}
        assert len(h) + len(rest) == len(exs)
        q1 = rest.for_question("q1")
        if q1:  # the parent's vectors, sliced: not encoded again
            idx = [next(i for i, e in enumerate(exs[:23]) if e is x) for x in q1]
            assert np.array_equal(rest.vectors("q1", None), full_vecs[idx])
    assert [len(h) for h, _ in full.folds(10, seed=0)] == [len(h) for h, _ in folds]  # seeded


def test_thresholds_are_fitted_on_the_examples_out_of_fold_grades() -> None:
    exs = ExampleSet(_examples(30))
    seen: list[tuple[Any, CalibrationData]] = []
    # the "grader": Correct examples get 0.95, Partially correct 0.62, Incorrect 0.1
    by_label = {"Correct": 0.95, "Partially correct": 0.62, "Incorrect": 0.1}

    def grade(grader: Any, data: CalibrationData, bank: Any, label: str) -> GradedScores:
        seen.append((grader, data))
        return GradedScores([by_label[r.label or ""] for r in data.rows])

    plain = SimpleNamespace(settings=Settings(backend="local", use_cache=False), store=None)
    fit = fit_from_examples(plain, exs, None, grade, seed=0, embedder=_Embedder())
    assert fit.thresholds is not None
    assert 0.1 < fit.thresholds.partial <= 0.62 < fit.thresholds.correct <= 0.95
    assert "out-of-fold" in fit.source and "30 labelled graded examples" in fit.source and "macro-F1" in fit.source
    graded_answers = [r.answer for _, d in seen for r in d.rows]
    assert sorted(graded_answers) == sorted(e.answer for e in exs.for_question("q1"))  # each example once
    for grader, data in seen:  # graded with the *other* examples only
        own = {r.answer for r in data.rows}
        assert not own & {e.answer for e in grader.examples.for_question("q1")}
        assert len(grader.examples) == 30 - len(data.rows)


def test_too_few_labelled_examples_keep_the_fixed_thresholds() -> None:
    plain = SimpleNamespace(settings=Settings(backend="local", use_cache=False), store=None)

    def grade(*_: Any) -> GradedScores:
        raise AssertionError("nothing to grade: too few examples to fit on")

    fit = fit_from_examples(plain, ExampleSet(_examples(MIN_LABELLED - 1)), None, grade, seed=0)
    assert fit.thresholds is None and "too few" in fit.why and str(MIN_LABELLED - 1) in fit.why
    unlabelled = [GradedExample("q1", f"answer {i}", score=1, max_score=2) for i in range(40)]
    assert fit_from_examples(plain, ExampleSet(unlabelled), None, grade, seed=0).thresholds is None


def _data(scores: list[float], labels: list[str]) -> CalibrationData:
    rows = [
        CalibrationRow(str(i), i + 2, "q1", f"answer {i}", s, 1.0, lab)
        for i, (s, lab) in enumerate(zip(scores, labels))
    ]
    return CalibrationData("rows.csv", rows, [], has_labels=True)


def test_the_report_uses_thresholds_from_elsewhere_and_says_where_they_came_from() -> None:
    labels = ["Correct", "Partially correct", "Incorrect", "Correct", "Partially correct", "Incorrect"]
    data = _data([1.0, 0.5, 0.0, 1.0, 0.8, 0.0], labels)
    graded = GradedScores([0.9, 0.8, 0.2, 0.85, 0.7, 0.1])
    given = Thresholds(partial=0.5, correct=0.84)
    report = build_report(data, graded, thresholds=given, thresholds_source="the examples")
    assert report.thresholds == given and report.thresholds_source == "the examples" and not report.thresholds_fitted
    assert report.label_rule.startswith("thresholds fitted on the examples: ≥ 0.84 Correct, ≥ 0.5 Partially")
    assert report.accuracy == 1.0
    # the rows' own best thresholds are not what was used (they were not fitted on the reported rows)
    assert fit_thresholds(graded.scores, labels) != given  # type: ignore[arg-type]
    plain = build_report(data, graded)
    assert plain.thresholds == DEFAULT_THRESHOLDS and plain.label_rule.startswith("fixed thresholds")
    assert plain.accuracy is not None and plain.accuracy < 1.0
    voted = GradedScores([0.9, 0.8, 0.2, 0.85, 0.7, 0.1], labels=list(reversed(labels)))
    own = build_report(data, voted)
    assert own.thresholds is None and own.accuracy == pytest.approx(2 / 6) and "own labels" in own.label_rule


def test_nearest_neighbours_vote_and_leave_one_out() -> None:
    exs = [
        GradedExample("q1", "a one", score=1, max_score=1, label="Correct"),
        GradedExample("q1", "a two", score=1, max_score=1, label="correct"),
        GradedExample("q1", "a three", score=0.5, max_score=1, label="Partially correct"),
        GradedExample("q1", "b one", score=0, max_score=1, label="Incorrect"),
    ]
    ex_set, emb = ExampleSet(exs), _Embedder()
    scores, votes = nearest_neighbours(ex_set, emb, [("q1", "a new"), ("q2", "a new"), (None, "c other")], k=3)
    assert scores[0] == pytest.approx(2.5 / 3) and votes[0] == "Correct"
    assert scores[1:] == [None, None] and votes[1:] == [None, None]
    loo, loo_votes = nearest_neighbours(ex_set, emb, [("q1", e.answer) for e in exs], k=1, leave_one_out=True)
    assert all(s is not None for s in loo)
    assert loo_votes[3] != "Incorrect"  # "b one" cannot vote for itself
    assert nearest_fit(ex_set, emb, 3).thresholds is None  # 4 examples: too few to fit on


def test_examples_files_carry_a_label_that_does_not_change_the_hash(tmp_path: Path) -> None:
    from grader.examples import examples_hash

    path = tmp_path / "ex.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["question_id", "answer", "score", "max_score", "label"])
        w.writerow(["q1", "an answer", "1", "2", "Partially correct"])
    (ex,) = read_examples(path)
    assert ex.label == "Partially correct"
    assert examples_hash([ex]) == examples_hash([GradedExample("q1", "an answer", score=1.0, max_score=2.0)])
    for name in ("out.jsonl", "out.csv"):
        write_examples(tmp_path / name, [ex])
        assert read_examples(tmp_path / name)[0].label == "Partially correct"
    assert json.loads((tmp_path / "out.jsonl").read_text(encoding="utf-8"))["label"] == "Partially correct"


# -- the command line ----------------------------------------------------------------------------

REF = ("What does TCP's three-way handshake do?", "It establishes a connection: SYN, SYN-ACK, ACK.")
STEMS = [
    ("The handshake establishes a connection with SYN, SYN-ACK and ACK messages", 1.0),
    ("It opens a connection between two hosts", 0.5),
    ("It encrypts the data that is sent over the network", 0.0),
]


@pytest.fixture
def labelled_csv(tmp_path: Path) -> Path:
    path = tmp_path / "labelled.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["split", "question_id", "question", "reference_answer", "answer", "score", "max_score", "label"])
        for split, n in (("training", 8), ("unseen_answers", 3)):
            for i in range(n):
                for stem, grade in STEMS:
                    w.writerow([split, "q1", *REF, f"{stem}, variant {split[0]}{i}.", grade * 2, 2, LABEL_OF[grade]])
    return path


@pytest.mark.slow
def test_calibrate_fits_the_label_model_on_the_examples(cli, labelled_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    r = cli(
        "calibrate", labelled_csv, "--split", "unseen_answers", "--backend", "local",
        "--examples", labelled_csv, "--examples-split", "training", "--json", out,
    )  # fmt: skip
    assert r.code == 0, r.err
    report = json.loads(out.read_text(encoding="utf-8"))
    assert "out-of-fold" in report["label_rule"] and report["thresholds"] is None  # labels by the model, not cuts
    # the grader's labels: the label model (nearest examples' label shares + score), fitted on the examples
    assert report["label_rule"].startswith(DESCRIPTION) and "24 labelled graded examples" in report["label_rule"]
    assert f"grader labels: {DESCRIPTION}" in " ".join(r.out.split())
    names = [b["name"] for b in report["baselines"]]
    assert names[:3] == ["no examples", "nearest", "nearest vote"]
    plain, near, vote = report["baselines"][:3]
    assert plain["thresholds"] == DEFAULT_THRESHOLDS.model_dump()  # without examples: as before
    length = next(b for b in report["baselines"] if b["name"] == "length")
    assert length["thresholds"] == DEFAULT_THRESHOLDS.model_dump()  # the grader's thresholds are the grader's
    assert near["thresholds"] is not None and vote["thresholds"] is None and vote["accuracy"] is not None
    assert any(
        n.startswith("nearest labels: thresholds fitted on the baseline's leave-one-out") for n in report["notes"]
    )
